/* One time step of each local recurrent cell (docs/model-semantics.md section 2), fp32.
 *
 * A cell reads its input x (the pre-memory conv's output), the node's feedforward input
 * u (for the RGC's residual), the combined feedback f (RGC only: other cells take feedback
 * through the pre-memory conv), and its previous state; it writes its output and replaces
 * its state. States start as zeros (docs/model-semantics.md section 1). */
#ifndef RTPU_CPU_CELLS_H
#define RTPU_CPU_CELLS_H

#include "cpu/weights.h"

typedef struct cell_state {
    rtpu_tensor h; /* recurrent state (time decay: s); also the output, except for the
                    * IntersectionRNN, whose output y' is computed into cell_step's out */
    rtpu_tensor c; /* cell state (LSTM, RGC); empty otherwise */
} cell_state;

rtpu_status cell_state_create(const graph *g, int node, int batch, cell_state *state, rtpu_error *err);
void cell_state_destroy(cell_state *state);

typedef struct cell_inputs {
    const rtpu_tensor *x;        /* cell input, batch x cell_h x cell_w x x_c */
    const rtpu_tensor *u;        /* feedforward input of the node */
    const rtpu_tensor *feedback; /* RGC: resized, concatenated feedback; NULL if none */
} cell_inputs;

/* Advances the state one step; out (batch x cell_h x cell_w x cell_c) gets the output. */
rtpu_status cell_step(const graph *g, const weights *w, int node, const cell_inputs *in, cell_state *state,
                      rtpu_tensor *out, rtpu_error *err);

#endif
