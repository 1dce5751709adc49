/* Pass 3: shape inference. Fills every node's tensor sizes, the clamped geometry of
 * every convolution, and its multiply-accumulates per time step.
 *
 * A node's H x W comes from its feedforward input only (feedback is resized to it), so
 * shapes are resolved by following feedforward inputs back to the input node; a loop of
 * feedforward inputs has no defined size and is an error. Feedback contributes channels
 * only, and only to nodes that have a pre-conv or an RGC cell (validate.c), so output
 * channel counts never depend on feedback and one pass after the feedforward pass
 * completes the harbor sizes.
 * Kernels larger than their input clamp to it (docs/model-semantics.md section 2). */
#include <stdlib.h>

#include "compiler/spec_reader.h"

static int clamp_kernel(int kernel, int size) { return kernel < size ? kernel : size; }

/* SAME stride-1 geometry of a k x k conv at h x w, kernel clamped. */
static conv_geom same_geom(int h, int w, int kernel)
{
    conv_geom g;
    conv_geom_make(&g, h, w, clamp_kernel(kernel, h), clamp_kernel(kernel, w), 1, PADDING_SAME);
    return g;
}

static uint64_t conv_macs(const conv_geom *g, int in_c, int out_c)
{
    return (uint64_t)g->out_h * g->out_w * g->kernel_h * g->kernel_w * in_c * out_c;
}

static uint64_t path_macs(const rgc_path *p, int in_c, int out_c)
{
    if (p->kind == CONV_FULL)
        return conv_macs(&p->geom, in_c, out_c);
    return conv_macs(&p->geom, 1, in_c) + (uint64_t)p->geom.out_h * p->geom.out_w * in_c * out_c;
}

static rtpu_status cell_shapes(const graph *g, node *n, rtpu_error *err)
{
    spec_reader r = {.source = g->source, .node = n->name, .err = err};
    cell_spec *c = &n->cell;
    n->cell_h = n->x_h;
    n->cell_w = n->x_w;
    if (c->type == CELL_NONE) {
        n->cell_c = n->x_c;
        return RTPU_OK;
    }
    if (c->channels == 0)
        c->channels = n->x_c;
    n->cell_c = c->channels;
    uint64_t macs = 0;
    int h = n->x_h, w = n->x_w, C = c->channels;
    switch (c->type) {
    case CELL_NONE:
        break;
    case CELL_TIME_DECAY: /* keeps its input's channels (the spec allows no 'channels' here) */
        break;
    case CELL_VANILLA:
        c->geom = same_geom(h, w, c->kernel);
        macs = conv_macs(&c->geom, n->x_c, C) + conv_macs(&c->geom, C, C);
        break;
    case CELL_LSTM:
        c->geom = same_geom(h, w, c->kernel);
        macs = conv_macs(&c->geom, n->x_c + C, 4 * C);
        break;
    case CELL_GRU:
        c->geom = same_geom(h, w, c->kernel);
        macs = conv_macs(&c->geom, n->x_c + C, 2 * C) + conv_macs(&c->geom, n->x_c + C, C);
        break;
    case CELL_UGRNN: /* one conv over [x, h] to [g, c~] */
        c->geom = same_geom(h, w, c->kernel);
        macs = conv_macs(&c->geom, n->x_c + C, 2 * C);
        break;
    case CELL_INTERSECTION:
        /* The output mixes x itself into y' (g_y . x), so x must have the cell's depth; the
         * zoo raises the same error ("Input shape ... and output shape ... must match"). */
        if (C != n->x_c)
            return spec_fail_pos(&r, c->pos,
                                 "an intersection cell keeps its input's depth: its input has %d channels, "
                                 "'channels' is %d", n->x_c, C);
        c->geom = same_geom(h, w, c->kernel);
        macs = conv_macs(&c->geom, n->x_c + C, 4 * C); /* one conv over [x, h] to [g_h, h~, g_y, y~] */
        break;
    case CELL_RGC: {
        if (c->cell_channels == 0)
            c->cell_channels = C;
        int cc = c->cell_channels;
        /* Path inputs/outputs: T_c c->c, G_c h->c, A_c x->c, T_h h->h, G_h c->h, A_h x->h. */
        const int in[RGC_PATH_COUNT] = {cc, C, n->x_c, C, cc, n->x_c};
        const int out[RGC_PATH_COUNT] = {cc, cc, cc, C, C, C};
        for (int i = 0; i < RGC_PATH_COUNT; i++) {
            c->path[i].geom = same_geom(h, w, c->path[i].kernel);
            macs += path_macs(&c->path[i], in[i], out[i]);
        }
        if (c->residual) {
            if (n->u_h != h || n->u_w != w)
                return spec_fail_pos(&r, c->pos,
                                     "residual needs the cell input (%dx%d) and the cell (%dx%d) to have the "
                                     "same size (use a stride-1 pre-conv)", n->u_h, n->u_w, h, w);
            c->residual_projection = n->u_c != C;
            if (c->residual_projection)
                macs += (uint64_t)h * w * n->u_c * C;
        }
        if (n->feedback_count > 0) {
            if (n->u_h != h || n->u_w != w)
                return spec_fail_pos(&r, c->pos,
                                     "feedback enters the rgc cell at its %dx%d size, but the input is %dx%d "
                                     "(use a stride-1 pre-conv)", h, w, n->u_h, n->u_w);
            int entry_c = c->entry == FEEDBACK_ENTRY_INPUT ? n->x_c
                          : c->entry == FEEDBACK_ENTRY_CELL ? cc : C;
            c->feedback_geom = same_geom(h, w, c->feedback_kernel);
            macs += conv_macs(&c->feedback_geom, n->feedback_c, entry_c);
        }
        break;
    }
    }
    n->macs_per_step += macs;
    return RTPU_OK;
}

static rtpu_status post_shapes(const graph *g, node *n, rtpu_error *err)
{
    spec_reader r = {.source = g->source, .node = n->name, .err = err};
    int h = n->cell_h, w = n->cell_w, c = n->cell_c;
    for (int i = 0; i < n->post_count; i++) {
        post_op *op = &n->post[i];
        op->in_h = h, op->in_w = w, op->in_c = c;
        switch (op->kind) {
        case POST_MAXPOOL:
        case POST_AVGPOOL:
            if (!conv_geom_make(&op->geom, h, w, op->kernel, op->kernel, op->stride, op->padding))
                return spec_fail_pos(&r, op->pos, "a %dx%d VALID pool does not fit its %dx%d input",
                                     op->kernel, op->kernel, h, w);
            h = op->geom.out_h, w = op->geom.out_w;
            break;
        case POST_GLOBAL_AVG_POOL:
            h = w = 1;
            break;
        case POST_FC:
            n->macs_per_step += (uint64_t)h * w * c * op->units;
            h = w = 1, c = op->units;
            break;
        case POST_RESIDUAL:
            if (h != n->u_h || w != n->u_w)
                return spec_fail_pos(&r, op->pos, "residual adds the %dx%d input to a %dx%d tensor",
                                     n->u_h, n->u_w, h, w);
            op->projection = c != n->u_c;
            if (op->projection)
                n->macs_per_step += (uint64_t)h * w * n->u_c * c;
            break;
        case POST_CONV: {
            conv_spec *cv = &op->conv;
            if (!conv_geom_make(&cv->geom, h, w, clamp_kernel(cv->kernel_h, h), clamp_kernel(cv->kernel_w, w),
                                cv->stride, cv->padding))
                return spec_fail_pos(&r, op->pos, "conv does not fit its %dx%d input", h, w);
            n->macs_per_step += conv_macs(&cv->geom, c, cv->channels);
            h = cv->geom.out_h, w = cv->geom.out_w, c = cv->channels;
            break;
        }
        case POST_RESIDUAL_ADD:
            /* The zoo's residual_add (cell_utils.py): the pre-conv's input, resized to the
             * value's H x W and projected 1x1 when the sizes differ, projected when only the
             * channels do, else added as it is (docs/model-semantics.md 1.7). */
            op->src_h = n->u_h, op->src_w = n->u_w, op->src_c = n->harbor_c;
            op->resize = h != op->src_h || w != op->src_w;
            op->projection = op->resize || c != op->src_c;
            if (op->projection)
                n->macs_per_step += (uint64_t)h * w * op->src_c * c;
            break;
        case POST_ACTIVATION:
            break;
        case POST_FLATTEN:
            if ((int64_t)h * w * c > 1 << 30)
                return spec_fail_pos(&r, op->pos, "flatten would make %lld channels (at most %d)",
                                     (long long)h * w * c, 1 << 30);
            c = h * w * c, h = w = 1;
            break;
        }
        op->out_h = h, op->out_w = w, op->out_c = c;
    }
    n->out_h = h, n->out_w = w, n->out_c = c;
    return RTPU_OK;
}

/* Everything that depends only on the feedforward input, for one node. */
static rtpu_status node_shapes(graph *g, node *n, rtpu_error *err)
{
    spec_reader r = {.source = g->source, .node = n->name, .err = err};
    const node *src = &g->nodes[n->input.from];
    n->u_h = src->out_h, n->u_w = src->out_w, n->u_c = src->out_c;
    /* Generic cells read concat(u, feedback) through the pre-conv; the RGC takes feedback
     * into the cell (docs/model-semantics.md 1.5). */
    n->harbor_c = n->u_c + (n->cell.type != CELL_RGC ? n->feedback_c : 0);
    n->x_h = n->u_h, n->x_w = n->u_w, n->x_c = n->u_c;
    if (n->conv.present) {
        conv_spec *cv = &n->conv;
        if (!conv_geom_make(&cv->geom, n->u_h, n->u_w, clamp_kernel(cv->kernel_h, n->u_h),
                            clamp_kernel(cv->kernel_w, n->u_w), cv->stride, cv->padding))
            return spec_fail_pos(&r, n->pos, "conv does not fit its %dx%d input", n->u_h, n->u_w);
        n->x_h = cv->geom.out_h, n->x_w = cv->geom.out_w, n->x_c = cv->channels;
    }
    rtpu_status s = cell_shapes(g, n, err);
    return s ? s : post_shapes(g, n, err);
}

enum { UNRESOLVED, RESOLVING, RESOLVED };

static rtpu_status resolve(graph *g, int index, int *state, rtpu_error *err)
{
    node *n = &g->nodes[index];
    if (state[index] == RESOLVED)
        return RTPU_OK;
    if (state[index] == RESOLVING) {
        spec_reader r = {.source = g->source, .node = n->name, .err = err};
        return spec_fail_pos(&r, n->input.pos,
                             "feedforward inputs form a loop through this node, so its size is undefined "
                             "(make one of those edges a feedback edge)");
    }
    state[index] = RESOLVING;
    if (n->is_input) {
        n->out_h = n->input_h, n->out_w = n->input_w, n->out_c = n->input_c;
    } else {
        rtpu_status s = resolve(g, n->input.from, state, err);
        if (s || (s = node_shapes(g, n, err)))
            return s;
    }
    state[index] = RESOLVED;
    return RTPU_OK;
}

rtpu_status graph_infer_shapes(graph *g, rtpu_error *err)
{
    int *state = calloc((size_t)g->node_count, sizeof *state);
    if (!state)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: out of memory", g->source);
    rtpu_status s = RTPU_OK;
    /* First pass: output sizes along feedforward chains (feedback channel counts are
     * not needed for them). Then feedback channels; then the full per-node pass again
     * so harbor sizes and MACs include feedback. */
    for (int i = 0; i < g->node_count && !s; i++)
        s = resolve(g, i, state, err);
    for (int i = 0; i < g->node_count && !s; i++) {
        node *n = &g->nodes[i];
        for (int k = 0; k < n->feedback_count; k++)
            n->feedback_c += g->nodes[n->feedback[k].from].out_c;
        if (n->is_input)
            continue;
        n->macs_per_step = 0;
        s = node_shapes(g, n, err);
        if (s)
            break;
        if (n->conv.present)
            n->macs_per_step += conv_macs(&n->conv.geom, n->harbor_c, n->conv.channels);
    }
    free(state);
    return s;
}
