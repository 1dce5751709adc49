/* Image input: decode, resize and normalise a picture into a model's input tensor.
 *
 * Formats: PNG (8- and 16-bit, any colour type), baseline and progressive JPEG, and
 * binary PGM/PPM (P5/P6, maximum value 1..65535, so 8- and 16-bit). 16-bit images are
 * read at full precision (a sample is value / 65535, or value / maxval for PNM); 8-bit ones
 * as value / 255 (value / maxval for PNM). Grey images become RGB by repeating the
 * channel and alpha is dropped. The image is then resized to height x width by bilinear
 * interpolation with half-pixel centres (align_corners=false, as TF2 tf.image.resize with
 * antialias=False; PIL agrees when enlarging, but filters more widely when shrinking):
 * output pixel (y, x) samples source position ((y + 0.5) * in_h / height - 0.5, likewise
 * for x), clamped to the image. Finally each value, in [0, 1], is normalised with the
 * ImageNet statistics (x - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225].
 *
 * Limits (each refused with a one-line message before the memory is allocated): a file of
 * at most 256 MiB; an image of at most 2^26 pixels (8192 x 8192); any single buffer the
 * decoder needs of at most 512 MiB; an output of at most 16384 x 16384; a JPEG or PNM
 * whose header promises more pixels than its bytes can hold is truncated. Peak memory is
 * therefore bounded by about 1.5 GiB, whatever the file says. */
#ifndef RTPU_COMMON_IMAGE_H
#define RTPU_COMMON_IMAGE_H

#include <stddef.h>

#include "common/error.h"

/* out receives height * width * 3 floats, HWC (RGB innermost). */
rtpu_status image_load_normalized(const char *path, int height, int width, float *out,
                                  rtpu_error *err);

/* The same from the bytes of an image file in memory; source names them in messages. */
rtpu_status image_decode_normalized(const void *bytes, size_t size, const char *source, int height,
                                    int width, float *out, rtpu_error *err);

#endif
