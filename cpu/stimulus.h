/* Turning user files into the batch of normalised input images a run needs.
 * Each path is an image (PNG, JPEG, PPM/PGM: decoded, resized to the graph's input
 * H x W, scaled to [0,1] and normalised with the ImageNet mean/std of docs/model-semantics.md) or a
 * raw tensor (.npy, already normalised: [H, W, C] for one example or [N, H, W, C]). */
#ifndef RTPU_CPU_STIMULUS_H
#define RTPU_CPU_STIMULUS_H

#include "compiler/ir.h"

/* *images gets batch x H x W x C floats (malloc'd), *batch the number of examples. */
rtpu_status stimulus_load(const graph *g, const char *const *paths, int count, float **images, int *batch,
                          rtpu_error *err);

#endif
