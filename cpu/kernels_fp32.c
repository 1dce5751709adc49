/* The fp32 kernel set of the CPU executor (exec.h): values are NHWC fp32 tensors, the
 * math is ops_*.c (GEMMs through OpenBLAS) and the cells of cells.c, weights are reached
 * by the indexes the params pass bound on each node. */
#include "cpu/kernels_fp32.h"

#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "cpu/cells.h"
#include "cpu/ops.h"

struct exec_value {
    rtpu_tensor t;
};

typedef struct fp32_ctx {
    const graph *g;
    const weights *w;
} fp32_ctx;

const rtpu_tensor *exec_fp32_tensor(const exec_value *v) { return v ? &v->t : NULL; }

static rtpu_status value_create(void *ctx, int n, int h, int w, int c, exec_value **out, rtpu_error *err)
{
    (void)ctx;
    exec_value *v = calloc(1, sizeof *v);
    if (!v)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory");
    rtpu_status s = tensor_create(&v->t, n, h, w, c, err);
    if (s) {
        free(v);
        return s;
    }
    *out = v;
    return RTPU_OK;
}

static void value_destroy(void *ctx, exec_value *v)
{
    (void)ctx;
    if (v)
        tensor_destroy(&v->t);
    free(v);
}

static rtpu_status frame(void *ctx, const float *images, bool shows_image, exec_value *out, rtpu_error *err)
{
    (void)err;
    const fp32_ctx *c = ctx;
    size_t count = tensor_count(&out->t);
    if (shows_image)
        memcpy(out->t.data, images, count * sizeof(float));
    else
        for (size_t k = 0; k < count; k++)
            out->t.data[k] = c->g->sched.blank_value;
    return RTPU_OK;
}

static rtpu_status place(void *ctx, const exec_value *src, int offset, exec_value *out, rtpu_error *err)
{
    (void)ctx;
    if (src->t.h == out->t.h && src->t.w == out->t.w) {
        op_copy_channels(&src->t, &out->t, offset);
        return RTPU_OK;
    }
    rtpu_tensor resized;
    rtpu_status s = tensor_create(&resized, src->t.n, out->t.h, out->t.w, src->t.c, err);
    if (s)
        return s;
    op_resize_bilinear(&src->t, &resized);
    op_copy_channels(&resized, &out->t, offset);
    tensor_destroy(&resized);
    return RTPU_OK;
}

static rtpu_status pre_conv(void *ctx, int index, const exec_value *in, exec_value *out, rtpu_error *err)
{
    const fp32_ctx *c = ctx;
    const node *n = &c->g->nodes[index];
    if (!n->conv.present) {
        memcpy(out->t.data, in->t.data, tensor_count(&out->t) * sizeof(float));
        return RTPU_OK;
    }
    rtpu_status s = op_conv2d(&in->t, &n->conv.geom, weights_param(c->w, n->param[SLOT_PRE_KERNEL]),
                              weights_param(c->w, n->param[SLOT_PRE_BIAS]), false, &out->t, err);
    if (!s)
        op_activate(out->t.data, tensor_count(&out->t), n->conv.act);
    return s;
}

static rtpu_status state_create(void *ctx, int index, int batch, void **state, rtpu_error *err)
{
    const fp32_ctx *c = ctx;
    cell_state *st = calloc(1, sizeof *st);
    if (!st)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory");
    rtpu_status s = cell_state_create(c->g, index, batch, st, err);
    if (s) {
        free(st);
        return s;
    }
    *state = st;
    return RTPU_OK;
}

static void state_destroy(void *ctx, void *state)
{
    (void)ctx;
    if (state)
        cell_state_destroy(state);
    free(state);
}

static rtpu_status cell(void *ctx, int index, const exec_value *x, const exec_value *u, const exec_value *feedback,
                        void *state, exec_value *out, rtpu_error *err)
{
    const fp32_ctx *c = ctx;
    cell_inputs in = {.x = &x->t, .u = &u->t, .feedback = feedback ? &feedback->t : NULL};
    return cell_step(c->g, c->w, index, &in, state, &out->t, err);
}

/* out += src, or out += src * P with the op's bias-free 1x1 projection P; src has out's H x W. */
static rtpu_status add_residual(const fp32_ctx *c, const post_op *op, const rtpu_tensor *src, rtpu_tensor *out,
                                rtpu_error *err)
{
    if (op->projection) {
        conv_geom one;
        conv_geom_make(&one, src->h, src->w, 1, 1, 1, PADDING_SAME);
        return op_conv2d(src, &one, weights_param(c->w, op->kernel_param), NULL, true, out, err);
    }
    for (size_t i = 0, count = tensor_count(out); i < count; i++)
        out->data[i] += src->data[i];
    return RTPU_OK;
}

static rtpu_status post(void *ctx, int index, int k, const exec_value *u, const exec_value *in, exec_value *out,
                        rtpu_error *err)
{
    const fp32_ctx *c = ctx;
    const post_op *op = &c->g->nodes[index].post[k];
    switch (op->kind) {
    case POST_MAXPOOL: op_maxpool(&in->t, &op->geom, &out->t); return RTPU_OK;
    case POST_AVGPOOL: op_avgpool(&in->t, &op->geom, &out->t); return RTPU_OK;
    case POST_GLOBAL_AVG_POOL: op_global_avg_pool(&in->t, &out->t); return RTPU_OK;
    case POST_FC:
        op_fully_connected(&in->t, weights_param(c->w, op->kernel_param), weights_param(c->w, op->bias_param), &out->t);
        op_activate(out->t.data, tensor_count(&out->t), op->act);
        return RTPU_OK;
    case POST_RESIDUAL:
        /* in place: out += u, or out += u * P (1x1 projection) when channels differ */
        return add_residual(c, op, &u->t, &out->t, err);
    case POST_RESIDUAL_ADD:
        /* in place: out += src, src * P, or resize(src) * P (docs/model-semantics.md 1.7);
         * the executor passes the pre-conv's input as u. */
        if (op->resize) {
            rtpu_tensor resized;
            rtpu_status s = tensor_create(&resized, u->t.n, out->t.h, out->t.w, u->t.c, err);
            if (s)
                return s;
            op_resize_bilinear(&u->t, &resized);
            s = add_residual(c, op, &resized, &out->t, err);
            tensor_destroy(&resized);
            return s;
        }
        return add_residual(c, op, &u->t, &out->t, err);
    case POST_CONV: {
        rtpu_status s = op_conv2d(&in->t, &op->conv.geom, weights_param(c->w, op->kernel_param),
                                  weights_param(c->w, op->bias_param), false, &out->t, err);
        if (!s)
            op_activate(out->t.data, tensor_count(&out->t), op->conv.act);
        return s;
    }
    case POST_ACTIVATION:
        memcpy(out->t.data, in->t.data, tensor_count(&out->t) * sizeof(float));
        op_activate(out->t.data, tensor_count(&out->t), op->act);
        return RTPU_OK;
    case POST_FLATTEN: /* NHWC is already the flattening order */
        memcpy(out->t.data, in->t.data, tensor_count(&out->t) * sizeof(float));
        return RTPU_OK;
    }
    return rtpu_fail(err, RTPU_ERR_INVALID, "unknown post op");
}

static uint64_t value_bytes(void *ctx, int n, int h, int w, int c)
{
    (void)ctx;
    return rtpu_tensor_bytes((uint64_t)n, (uint64_t)h, (uint64_t)w, (uint64_t)c, sizeof(float));
}

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

static uint64_t state_bytes(void *ctx, int index, int batch)
{
    const node *n = &((const fp32_ctx *)ctx)->g->nodes[index];
    /* cell_state_create's tensors: h, and the memory c of the LSTM (cell_c deep) and the
     * RGC (cell_channels deep) */
    int depth = n->cell.type == CELL_LSTM ? n->cell_c : n->cell.type == CELL_RGC ? n->cell.cell_channels : 0;
    uint64_t h = value_bytes(ctx, batch, n->cell_h, n->cell_w, n->cell_c);
    uint64_t c = value_bytes(ctx, batch, n->cell_h, n->cell_w, depth);
    return h + c < h ? UINT64_MAX : h + c;
}

/* An upper bound, not an exact count: the largest im2col chunk a conv of the node takes
 * (ops.h's bound, or one whole row when a row is larger), the resized copies of the
 * harbor and residuals, and twelve tensors of the node's widest depth for a cell's gates
 * and partial sums (cells.c and cell_rgc.c use at most nine). */
static uint64_t scratch_bytes(void *ctx, int index, int batch)
{
    const fp32_ctx *c = ctx;
    const node *n = &c->g->nodes[index];
    uint64_t row = 0;
    for (int i = 0; i < c->g->params->count; i++) {
        const param_info *p = &c->g->params->params[i];
        if (p->node == index && p->ndim == 4)
            row = max_u64(row, rtpu_tensor_bytes(1, (uint64_t)p->shape[0], (uint64_t)p->shape[1],
                                                 (uint64_t)p->shape[2], sizeof(float)));
    }
    uint64_t hw = max_u64((uint64_t)n->u_h * (uint64_t)n->u_w, (uint64_t)n->x_h * (uint64_t)n->x_w);
    int widest = n->u_c > n->feedback_c ? n->u_c : n->feedback_c;
    uint64_t resize = rtpu_tensor_bytes((uint64_t)batch, hw, 1, (uint64_t)widest, sizeof(float));
    uint64_t cell = 0;
    if (n->cell.type != CELL_NONE) {
        int depth = n->x_c;
        int others[] = {n->cell_c, n->cell.cell_channels, n->harbor_c};
        for (int k = 0; k < 3; k++)
            depth = others[k] > depth ? others[k] : depth;
        cell = rtpu_tensor_bytes((uint64_t)batch, hw, 12, (uint64_t)depth, sizeof(float));
    }
    uint64_t total = max_u64(row, OP_CONV2D_SCRATCH_BYTES);
    uint64_t parts[] = {resize, cell};
    for (int k = 0; k < 2; k++)
        total = parts[k] > UINT64_MAX - total ? UINT64_MAX : total + parts[k];
    return total;
}

static const exec_kernels fp32_kernels = {
    .name = "fp32",
    .value_create = value_create,
    .value_destroy = value_destroy,
    .frame = frame,
    .place = place,
    .pre_conv = pre_conv,
    .state_create = state_create,
    .state_destroy = state_destroy,
    .cell = cell,
    .post = post,
    .value_bytes = value_bytes,
    .state_bytes = state_bytes,
    .scratch_bytes = scratch_bytes,
};

const exec_kernels *exec_fp32_kernels(void) { return &fp32_kernels; }

rtpu_status exec_fp32_context_create(const graph *g, const weights *w, void **ctx, rtpu_error *err)
{
    fp32_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory");
    c->g = g;
    c->w = w;
    *ctx = c;
    return RTPU_OK;
}

void exec_fp32_context_destroy(void *ctx) { free(ctx); }
