/* Cell steps for time decay, vanilla RNN, ConvLSTM, GRU, UGRNN and IntersectionRNN, and
 * dispatch to the RGC (cell_rgc.c). Formulas are written next to the code that computes
 * them (docs/model-semantics.md section 2). */
#include "cpu/cells.h"

#include <math.h>
#include <string.h>

#include "cpu/cell_internal.h"
#include "cpu/ops.h"

/* Layer norm epsilon: large enough that the all-zero tensors of step 0 stay finite. */
#define LAYER_NORM_EPS 1e-5f

rtpu_status cell_state_create(const graph *g, int index, int batch, cell_state *state, rtpu_error *err)
{
    const node *n = &g->nodes[index];
    *state = (cell_state){0};
    if (n->cell.type == CELL_NONE)
        return RTPU_OK;
    rtpu_status s = tensor_create(&state->h, batch, n->cell_h, n->cell_w, n->cell_c, err);
    if (!s && (n->cell.type == CELL_LSTM || n->cell.type == CELL_RGC)) {
        int depth = n->cell.type == CELL_LSTM ? n->cell_c : n->cell.cell_channels;
        s = tensor_create(&state->c, batch, n->cell_h, n->cell_w, depth, err);
    }
    if (s)
        cell_state_destroy(state);
    return s;
}

void cell_state_destroy(cell_state *state)
{
    tensor_destroy(&state->h);
    tensor_destroy(&state->c);
}

float *cell_param(const cell_context *ctx, param_slot slot)
{
    return weights_param(ctx->w, ctx->g->nodes[ctx->node].param[slot]);
}

rtpu_status tensor_concat_channels(const rtpu_tensor *a, const rtpu_tensor *b, rtpu_tensor *out, rtpu_error *err)
{
    rtpu_status s = tensor_create(out, a->n, a->h, a->w, a->c + b->c, err);
    if (s)
        return s;
    op_copy_channels(a, out, 0);
    op_copy_channels(b, out, a->c);
    return RTPU_OK;
}

/* s' = tau * s + x */
static rtpu_status time_decay_step(const cell_context *ctx, const cell_inputs *in, cell_state *st)
{
    const float tau = cell_param(ctx, SLOT_TAU)[0];
    size_t count = tensor_count(&st->h);
    for (size_t i = 0; i < count; i++)
        st->h.data[i] = tau * st->h.data[i] + in->x->data[i];
    return RTPU_OK;
}

/* h' = elu([LN](W_i * x + b_i + W_s * h + b_s)) */
static rtpu_status vanilla_step(const cell_context *ctx, const cell_inputs *in, cell_state *st, rtpu_error *err)
{
    const cell_spec *c = &ctx->g->nodes[ctx->node].cell;
    rtpu_tensor sum;
    rtpu_status s = tensor_create(&sum, st->h.n, st->h.h, st->h.w, st->h.c, err);
    if (s)
        return s;
    if (!(s = op_conv2d(in->x, &c->geom, cell_param(ctx, SLOT_INPUT_KERNEL), cell_param(ctx, SLOT_INPUT_BIAS),
                        false, &sum, err)) &&
        !(s = op_conv2d(&st->h, &c->geom, cell_param(ctx, SLOT_STATE_KERNEL),
                        cell_param(ctx, SLOT_STATE_BIAS), true, &sum, err))) {
        if (c->layer_norm)
            op_layer_norm(&sum, cell_param(ctx, SLOT_LN_GAMMA), cell_param(ctx, SLOT_LN_BETA), LAYER_NORM_EPS);
        op_activate(sum.data, tensor_count(&sum), ACT_ELU);
        memcpy(st->h.data, sum.data, tensor_count(&sum) * sizeof(float));
    }
    tensor_destroy(&sum);
    return s;
}

/* Normalises channel block [block*C, (block+1)*C) of gates on its own, with that block's
 * slice of gamma/beta: TF's LayerNormBasicLSTMCell normalises each gate separately. */
static rtpu_status layer_norm_block(const rtpu_tensor *gates, int block, int C, const float *gamma,
                                    const float *beta, rtpu_error *err)
{
    rtpu_tensor part;
    rtpu_status s = tensor_create(&part, gates->n, gates->h, gates->w, C, err);
    if (s)
        return s;
    size_t pixels = (size_t)gates->n * gates->h * gates->w;
    for (size_t p = 0; p < pixels; p++)
        memcpy(part.data + p * C, gates->data + p * gates->c + (size_t)block * C, C * sizeof(float));
    op_layer_norm(&part, gamma + block * C, beta + block * C, LAYER_NORM_EPS);
    for (size_t p = 0; p < pixels; p++)
        memcpy(gates->data + p * gates->c + (size_t)block * C, part.data + p * C, C * sizeof(float));
    tensor_destroy(&part);
    return RTPU_OK;
}

static float sigmoid(float x) { return activation_apply(ACT_SIGMOID, x); }

/* The LSTM, UGRNN and IntersectionRNN all start with one conv over concat(x, h) to `blocks`
 * C-channel blocks, each then layer-normalised on its own when the cell has layer norm
 * (the bias stays, added before the norm). gates is allocated here. */
static rtpu_status gate_conv(const cell_context *ctx, const cell_inputs *in, const cell_state *st, int blocks,
                             param_slot kernel, param_slot bias, param_slot gamma, param_slot beta,
                             rtpu_tensor *gates, rtpu_error *err)
{
    const node *n = &ctx->g->nodes[ctx->node];
    int C = n->cell_c;
    rtpu_tensor xh = {0};
    *gates = (rtpu_tensor){0};
    rtpu_status s = tensor_concat_channels(in->x, &st->h, &xh, err);
    if (!s)
        s = tensor_create(gates, st->h.n, st->h.h, st->h.w, blocks * C, err);
    if (!s)
        s = op_conv2d(&xh, &n->cell.geom, cell_param(ctx, kernel), cell_param(ctx, bias), false, gates, err);
    for (int b = 0; b < blocks && !s && n->cell.layer_norm; b++)
        s = layer_norm_block(gates, b, C, cell_param(ctx, gamma), cell_param(ctx, beta), err);
    tensor_destroy(&xh);
    if (s)
        tensor_destroy(gates);
    return s;
}

/* [i, j, f, o] = W * [x, h] + b   (optionally layer-normalised per gate)
 * c' = c * sig(f + forget_bias [+ w_f . c]) + sig(i [+ w_i . c]) * tanh(j)   [c' = LN(c')]
 * h' = tanh(c') * sig(o [+ w_o . c'])   (the output peephole reads the new c, as TF's LSTMCell) */
static rtpu_status lstm_step(const cell_context *ctx, const cell_inputs *in, cell_state *st, rtpu_error *err)
{
    const node *n = &ctx->g->nodes[ctx->node];
    const cell_spec *cs = &n->cell;
    int C = n->cell_c;
    rtpu_tensor gates;
    rtpu_status s = gate_conv(ctx, in, st, 4, SLOT_XH_KERNEL, SLOT_XH_BIAS, SLOT_LN_GATES_GAMMA,
                              SLOT_LN_GATES_BETA, &gates, err);
    if (s)
        return s;
    const float *peep_i = cs->peepholes ? cell_param(ctx, SLOT_PEEPHOLE_I) : NULL;
    const float *peep_f = cs->peepholes ? cell_param(ctx, SLOT_PEEPHOLE_F) : NULL;
    const float *peep_o = cs->peepholes ? cell_param(ctx, SLOT_PEEPHOLE_O) : NULL;
    size_t plane = (size_t)n->cell_h * n->cell_w * C; /* peephole maps are per position */
    size_t pixels = (size_t)st->h.n * st->h.h * st->h.w;
    for (size_t p = 0; p < pixels; p++) {
        const float *g4 = gates.data + p * 4 * C;
        float *c = st->c.data + p * C;
        for (int k = 0; k < C; k++) {
            size_t m = (p * C + k) % plane;
            float ig = g4[k] + (peep_i ? peep_i[m] * c[k] : 0.0f);
            float fg = g4[2 * C + k] + cs->forget_bias + (peep_f ? peep_f[m] * c[k] : 0.0f);
            c[k] = c[k] * sigmoid(fg) + sigmoid(ig) * tanhf(g4[C + k]);
        }
    }
    if (cs->layer_norm)
        op_layer_norm(&st->c, cell_param(ctx, SLOT_LN_STATE_GAMMA), cell_param(ctx, SLOT_LN_STATE_BETA),
                      LAYER_NORM_EPS);
    for (size_t p = 0; p < pixels; p++) {
        const float *g4 = gates.data + p * 4 * C;
        const float *c = st->c.data + p * C;
        float *h = st->h.data + p * C;
        for (int k = 0; k < C; k++) {
            size_t m = (p * C + k) % plane;
            float og = g4[3 * C + k] + (peep_o ? peep_o[m] * c[k] : 0.0f);
            h[k] = tanhf(c[k]) * sigmoid(og);
        }
    }
    tensor_destroy(&gates);
    return RTPU_OK;
}

/* [r, z] = sig(W_g * [x, h] + b_g);  c~ = tanh(W_c * [x, r . h] + b_c);
 * h' = z . h + (1 - z) . c~   (TF's GRUCell convention; gate biases start at 1) */
static rtpu_status gru_step(const cell_context *ctx, const cell_inputs *in, cell_state *st, rtpu_error *err)
{
    const node *n = &ctx->g->nodes[ctx->node];
    const cell_spec *cs = &n->cell;
    int C = n->cell_c;
    rtpu_tensor xh = {0}, gates = {0}, xrh = {0}, cand = {0}, rh = {0};
    rtpu_status s = tensor_concat_channels(in->x, &st->h, &xh, err);
    if (!s)
        s = tensor_create(&gates, st->h.n, st->h.h, st->h.w, 2 * C, err);
    if (!s)
        s = op_conv2d(&xh, &cs->geom, cell_param(ctx, SLOT_GATES_KERNEL), cell_param(ctx, SLOT_GATES_BIAS),
                      false, &gates, err);
    if (!s)
        s = tensor_create(&rh, st->h.n, st->h.h, st->h.w, C, err);
    size_t pixels = (size_t)st->h.n * st->h.h * st->h.w;
    if (!s) {
        op_activate(gates.data, tensor_count(&gates), ACT_SIGMOID);
        for (size_t p = 0; p < pixels; p++)
            for (int k = 0; k < C; k++)
                rh.data[p * C + k] = gates.data[p * 2 * C + k] * st->h.data[p * C + k];
        s = tensor_concat_channels(in->x, &rh, &xrh, err);
    }
    if (!s)
        s = tensor_create(&cand, st->h.n, st->h.h, st->h.w, C, err);
    if (!s)
        s = op_conv2d(&xrh, &cs->geom, cell_param(ctx, SLOT_CANDIDATE_KERNEL),
                      cell_param(ctx, SLOT_CANDIDATE_BIAS), false, &cand, err);
    if (!s)
        for (size_t p = 0; p < pixels; p++)
            for (int k = 0; k < C; k++) {
                float z = gates.data[p * 2 * C + C + k];
                float *h = &st->h.data[p * C + k];
                *h = z * *h + (1.0f - z) * tanhf(cand.data[p * C + k]);
            }
    tensor_destroy(&xh);
    tensor_destroy(&gates);
    tensor_destroy(&xrh);
    tensor_destroy(&cand);
    tensor_destroy(&rh);
    return s;
}

/* The zoo's ConvUGRNNCell (Collins et al. 2017):
 *   [g, c~] = W * [x, h] + b    (each block layer-normalised on its own with layer_norm)
 *   g = sig(g + forget_bias);  h' = g . h + (1 - g) . tanh(c~);  the output is h'. */
static rtpu_status ugrnn_step(const cell_context *ctx, const cell_inputs *in, cell_state *st, rtpu_error *err)
{
    const node *n = &ctx->g->nodes[ctx->node];
    int C = n->cell_c;
    float forget_bias = n->cell.forget_bias;
    rtpu_tensor gates;
    rtpu_status s = gate_conv(ctx, in, st, 2, SLOT_XH_KERNEL, SLOT_XH_BIAS, SLOT_LN_GATES_GAMMA,
                              SLOT_LN_GATES_BETA, &gates, err);
    if (s)
        return s;
    size_t pixels = (size_t)st->h.n * st->h.h * st->h.w;
    for (size_t p = 0; p < pixels; p++) {
        const float *g2 = gates.data + p * 2 * C;
        float *h = st->h.data + p * C;
        for (int k = 0; k < C; k++) {
            float g = sigmoid(g2[k] + forget_bias);
            h[k] = g * h[k] + (1.0f - g) * tanhf(g2[C + k]);
        }
    }
    tensor_destroy(&gates);
    return RTPU_OK;
}

/* The zoo's ConvIntersectionRNNCell (Collins et al. 2017); x has the cell's depth (shapes.c):
 *   [g_h, h~, g_y, y~] = W * [x, h] + b    (each block layer-normalised on its own)
 *   g_h = sig(g_h + forget_bias),  g_y = sig(g_y + forget_bias)
 *   h' = g_h . h + (1 - g_h) . tanh(h~)    the state, passed through time
 *   y' = g_y . x + (1 - g_y) . relu(y~)    the output, passed through depth
 * Unlike every other cell, the output is not the state: y' goes to out. */
static rtpu_status intersection_step(const cell_context *ctx, const cell_inputs *in, cell_state *st,
                                     rtpu_tensor *out, rtpu_error *err)
{
    const node *n = &ctx->g->nodes[ctx->node];
    int C = n->cell_c;
    float forget_bias = n->cell.forget_bias;
    rtpu_tensor gates;
    rtpu_status s = gate_conv(ctx, in, st, 4, SLOT_XH_KERNEL, SLOT_XH_BIAS,
                              SLOT_LN_GATES_GAMMA, SLOT_LN_GATES_BETA, &gates, err);
    if (s)
        return s;
    size_t pixels = (size_t)st->h.n * st->h.h * st->h.w;
    for (size_t p = 0; p < pixels; p++) {
        const float *g4 = gates.data + p * 4 * C;
        const float *x = in->x->data + p * C;
        float *h = st->h.data + p * C, *y = out->data + p * C;
        for (int k = 0; k < C; k++) {
            float gh = sigmoid(g4[k] + forget_bias), gy = sigmoid(g4[2 * C + k] + forget_bias);
            h[k] = gh * h[k] + (1.0f - gh) * tanhf(g4[C + k]);
            y[k] = gy * x[k] + (1.0f - gy) * activation_apply(ACT_RELU, g4[3 * C + k]);
        }
    }
    tensor_destroy(&gates);
    return RTPU_OK;
}

rtpu_status cell_step(const graph *g, const weights *w, int node_index, const cell_inputs *in, cell_state *state,
                      rtpu_tensor *out, rtpu_error *err)
{
    cell_context ctx = {.g = g, .w = w, .node = node_index};
    rtpu_status s = RTPU_OK;
    switch (g->nodes[node_index].cell.type) {
    case CELL_NONE:
        return rtpu_fail(err, RTPU_ERR_RUNTIME, "node '%s' has no cell", g->nodes[node_index].name);
    case CELL_TIME_DECAY: s = time_decay_step(&ctx, in, state); break;
    case CELL_VANILLA: s = vanilla_step(&ctx, in, state, err); break;
    case CELL_LSTM: s = lstm_step(&ctx, in, state, err); break;
    case CELL_GRU: s = gru_step(&ctx, in, state, err); break;
    case CELL_RGC: s = rgc_step(&ctx, in, state, err); break;
    case CELL_UGRNN: s = ugrnn_step(&ctx, in, state, err); break;
    case CELL_INTERSECTION: return intersection_step(&ctx, in, state, out, err); /* its output is not its state */
    }
    if (!s)
        memcpy(out->data, state->h.data, tensor_count(out) * sizeof(float));
    return s;
}
