/* Shared by the cell implementations (cells.c, cell_rgc.c). */
#ifndef RTPU_CPU_CELL_INTERNAL_H
#define RTPU_CPU_CELL_INTERNAL_H

#include "cpu/cells.h"

typedef struct cell_context {
    const graph *g;
    const weights *w;
    int node;
} cell_context;

/* The node's parameter "<node>/<suffix>"; the parameter table guarantees it exists. */
/* The node's parameter in `slot` (bound by the params pass), or NULL. */
float *cell_param(const cell_context *ctx, param_slot slot);
/* out = concat(a, b) along channels (allocated here). */
rtpu_status tensor_concat_channels(const rtpu_tensor *a, const rtpu_tensor *b, rtpu_tensor *out, rtpu_error *err);
rtpu_status rgc_step(const cell_context *ctx, const cell_inputs *in, cell_state *st, rtpu_error *err);

#endif
