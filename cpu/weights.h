/* A graph's weights: one fp32 array per entry of its parameter table.
 *
 * Three ways to get them: deterministic initialisation from a seed (`rtpu init`, and the
 * default when a run is given no weights), a safetensors file (every parameter present,
 * F32, exact shape; nothing extra), or built by hand in tests. The arrays are owned here;
 * executors reach them by parameter-table index (weights_param with the index the params
 * pass bound on the node: node.param[slot], post_op.kernel_param), never by name. */
#ifndef RTPU_CPU_WEIGHTS_H
#define RTPU_CPU_WEIGHTS_H

#include <stdint.h>

#include "compiler/ir.h"

typedef struct weights {
    param_table table;
    float **data;       /* data[i] has table.params[i].count floats */
    bool initialised;   /* true when made by weights_init (not loaded) */
    uint64_t seed;
} weights;

/* max_memory bounds what the arrays may take (0: RTPU_DEFAULT_MAX_MEMORY, rtpu/limits.h):
 * a graph over it is refused, naming the weight that crosses it, before anything is
 * allocated.
 *
 * Fresh weights with the authors' initialisers, seeded: the same seed gives the same
 * bytes on every machine. Each tensor draws from its own stream keyed by its name, so
 * adding a node does not change the others' initial values. */
rtpu_status weights_init(const graph *g, uint64_t seed, uint64_t max_memory, weights **out, rtpu_error *err);
/* All-zero weights of the right shapes (tests fill them by hand). */
rtpu_status weights_create_zero(const graph *g, weights **out, rtpu_error *err);
rtpu_status weights_load(const graph *g, const char *path, uint64_t max_memory, weights **out, rtpu_error *err);
rtpu_status weights_save(const weights *w, const graph *g, const char *path, rtpu_error *err);
void weights_destroy(weights *w);
/* Bytes the arrays take. */
uint64_t weights_bytes(const weights *w);

/* RTPU_OK when w holds exactly the parameters g needs (names and shapes); otherwise
 * names the first tensor that does not fit. Weights built for another graph fail here. */
rtpu_status weights_check_graph(const weights *w, const graph *g, rtpu_error *err);

/* Parameter `index` of the graph's table (node.param[slot], post_op.kernel_param, ...),
 * or NULL for -1. Valid for weights that passed weights_check_graph: the two tables have
 * the same order. */
float *weights_param(const weights *w, int index);
/* The tensor "<node name>/<suffix>", or NULL if the graph has no such parameter: for tools
 * and tests that name a parameter as a user would; executors use weights_param. */
float *weights_find(const weights *w, const graph *g, int node, const char *suffix);

#endif
