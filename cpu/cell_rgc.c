/* The reciprocal gated cell, general form (docs/model-semantics.md section 2):
 *
 *   c' = f_c( a_tau (1 - N_tau(T_c(c))) . c + a_g (1 - N_g(G_c(h))) . A_c(x) )
 *   h' = f_h( a_tau (1 - N_tau(T_h(h))) . h + a_g (1 - N_g(G_h(c))) . A_h(x) )
 *
 * Each of the six paths is a full conv or a depthwise-separable one (depthwise k x k,
 * then a 1x1 with bias), SAME, stride 1. The residual bypass adds u (through a bias-free
 * 1x1 projection when its channel count differs) into A_h. Feedback f goes through its
 * own conv and is added at the entry point: to x ("input", so both A paths see it), to
 * A_c ("cell") or to A_h ("out"). Gates always read the previous states. */
#include <stdio.h>
#include <string.h>

#include "cpu/cell_internal.h"
#include "cpu/ops.h"

/* out = path(in); out must already have the path's output shape. */
static rtpu_status run_path(const cell_context *ctx, rgc_path_id id, const rtpu_tensor *in, rtpu_tensor *out,
                            rtpu_error *err)
{
    const rgc_path *p = &ctx->g->nodes[ctx->node].cell.path[id];
    const float *bias = cell_param(ctx, rgc_slot(id, RGC_PARAM_BIAS));
    if (p->kind == CONV_FULL)
        return op_conv2d(in, &p->geom, cell_param(ctx, rgc_slot(id, RGC_PARAM_KERNEL)), bias, false, out, err);
    rtpu_tensor depthwise;
    rtpu_status s = tensor_create(&depthwise, in->n, in->h, in->w, in->c, err);
    if (s)
        return s;
    op_depthwise_conv2d(in, &p->geom, cell_param(ctx, rgc_slot(id, RGC_PARAM_DEPTHWISE)), NULL, &depthwise);
    conv_geom pointwise;
    conv_geom_make(&pointwise, in->h, in->w, 1, 1, 1, PADDING_SAME);
    s = op_conv2d(&depthwise, &pointwise, cell_param(ctx, rgc_slot(id, RGC_PARAM_POINTWISE)), bias, false, out, err);
    tensor_destroy(&depthwise);
    return s;
}

/* new = f( a_tau (1 - N_tau(gate_t)) . old + a_g (1 - N_g(gate_g)) . input ), elementwise */
static void gated_update(const cell_spec *c, activation f, const rtpu_tensor *gate_t, const rtpu_tensor *gate_g,
                         const rtpu_tensor *input, rtpu_tensor *state)
{
    size_t count = tensor_count(state);
    for (size_t i = 0; i < count; i++) {
        float keep = c->a_tau * (1.0f - activation_apply(c->tau_gate, gate_t->data[i]));
        float admit = c->a_g * (1.0f - activation_apply(c->gate_gate, gate_g->data[i]));
        state->data[i] = activation_apply(f, keep * state->data[i] + admit * input->data[i]);
    }
}

rtpu_status rgc_step(const cell_context *ctx, const cell_inputs *in, cell_state *st, rtpu_error *err)
{
    const node *n = &ctx->g->nodes[ctx->node];
    const cell_spec *c = &n->cell;
    int batch = st->h.n, h = n->cell_h, w = n->cell_w, C = n->cell_c, cc = c->cell_channels;
    enum { T_C, G_C, A_C, T_H, G_H, A_H, X_FB, RESIDUAL, FB, TEMP_COUNT };
    rtpu_tensor t[TEMP_COUNT] = {{0}};
    const int depth[RGC_PATH_COUNT] = {cc, cc, cc, C, C, C};
    rtpu_status s = RTPU_OK;
    for (int i = 0; i < RGC_PATH_COUNT && !s; i++)
        s = tensor_create(&t[i], batch, h, w, depth[i], err);

    /* Feedback through its own conv, sized for its entry point. */
    const rtpu_tensor *x = in->x;
    if (!s && in->feedback) {
        int entry_c = c->entry == FEEDBACK_ENTRY_INPUT ? n->x_c : c->entry == FEEDBACK_ENTRY_CELL ? cc : C;
        s = tensor_create(&t[FB], batch, h, w, entry_c, err);
        if (!s)
            s = op_conv2d(in->feedback, &c->feedback_geom, cell_param(ctx, SLOT_RGC_FEEDBACK_KERNEL),
                          cell_param(ctx, SLOT_RGC_FEEDBACK_BIAS), false, &t[FB], err);
        if (!s && c->entry == FEEDBACK_ENTRY_INPUT) {
            s = tensor_create(&t[X_FB], batch, h, w, n->x_c, err);
            if (!s) {
                size_t count = tensor_count(&t[X_FB]);
                for (size_t i = 0; i < count; i++)
                    t[X_FB].data[i] = x->data[i] + t[FB].data[i];
                x = &t[X_FB];
            }
        }
    }
    /* The six paths, all from the previous states (and x). */
    const rtpu_tensor *path_input[RGC_PATH_COUNT] = {&st->c, &st->h, x, &st->h, &st->c, x};
    for (int i = 0; i < RGC_PATH_COUNT && !s; i++)
        s = run_path(ctx, (rgc_path_id)i, path_input[i], &t[i], err);
    if (!s && in->feedback && c->entry != FEEDBACK_ENTRY_INPUT) {
        rtpu_tensor *target = c->entry == FEEDBACK_ENTRY_CELL ? &t[A_C] : &t[A_H];
        size_t count = tensor_count(target);
        for (size_t i = 0; i < count; i++)
            target->data[i] += t[FB].data[i];
    }
    if (!s && c->residual) {
        const rtpu_tensor *bypass = in->u;
        if (c->residual_projection) {
            conv_geom one;
            conv_geom_make(&one, h, w, 1, 1, 1, PADDING_SAME);
            s = tensor_create(&t[RESIDUAL], batch, h, w, C, err);
            if (!s)
                s = op_conv2d(in->u, &one, cell_param(ctx, SLOT_RGC_RESIDUAL_KERNEL), NULL, false, &t[RESIDUAL], err);
            bypass = &t[RESIDUAL];
        }
        size_t count = tensor_count(&t[A_H]);
        for (size_t i = 0; i < count && !s; i++)
            t[A_H].data[i] += bypass->data[i];
    }
    if (!s) {
        gated_update(c, c->cell_activation, &t[T_C], &t[G_C], &t[A_C], &st->c);
        gated_update(c, c->out_activation, &t[T_H], &t[G_H], &t[A_H], &st->h);
    }
    for (int i = 0; i < TEMP_COUNT; i++)
        tensor_destroy(&t[i]);
    return s;
}
