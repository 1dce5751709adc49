/* Pass 4: the parameter table. Lists every weight tensor of the graph in a fixed order
 * with its name ("<node>/<param>"), shape and initialiser. It is the single source of
 * truth for `rtpu init`, for checking a weights file, for `rtpu info`'s counts, and for
 * the CPU reference's weight lookup. Kernels are HWIO; depthwise kernels are [kh, kw, c];
 * fc weights are [in_features, units].
 *
 * Initialisers follow the authors' code: kernels are variance-scaling (fan-in,
 * truncated normal, stddev sqrt(scale / fan_in)), except the UGRNN's and IntersectionRNN's,
 * which the zoo creates without an initialiser and so get TF1's default, Glorot uniform,
 * and residual_add's projection, whose default initialiser in the zoo is "xavier" (Glorot
 * uniform too);
 * biases are zero except the RGC's T and G paths (tau_bias, gate_bias) and the GRU gates
 * (1.0); the time-decay tau starts at its spec value; layer-norm gains start at 1. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/ir.h"

#define RGC_PATH_SLOTS(id, p)                                                                      \
    [SLOT_RGC_PATH + 4 * RGC_##id + RGC_PARAM_KERNEL] = "cell." #p ".kernel",                        \
    [SLOT_RGC_PATH + 4 * RGC_##id + RGC_PARAM_DEPTHWISE] = "cell." #p ".depthwise",                  \
    [SLOT_RGC_PATH + 4 * RGC_##id + RGC_PARAM_POINTWISE] = "cell." #p ".pointwise",                  \
    [SLOT_RGC_PATH + 4 * RGC_##id + RGC_PARAM_BIAS] = "cell." #p ".bias"

/* The one table of parameter names: "<node>/<name>" in files, slots in memory. */
static const char *const slot_names[SLOT_COUNT] = {
    [SLOT_PRE_KERNEL] = "pre.kernel", [SLOT_PRE_BIAS] = "pre.bias", [SLOT_TAU] = "cell.tau",
    [SLOT_INPUT_KERNEL] = "cell.input.kernel", [SLOT_INPUT_BIAS] = "cell.input.bias",
    [SLOT_STATE_KERNEL] = "cell.state.kernel", [SLOT_STATE_BIAS] = "cell.state.bias",
    [SLOT_LN_GAMMA] = "cell.ln.gamma", [SLOT_LN_BETA] = "cell.ln.beta",
    [SLOT_XH_KERNEL] = "cell.kernel", [SLOT_XH_BIAS] = "cell.bias",
    [SLOT_PEEPHOLE_I] = "cell.peephole_i", [SLOT_PEEPHOLE_F] = "cell.peephole_f", [SLOT_PEEPHOLE_O] = "cell.peephole_o",
    [SLOT_LN_GATES_GAMMA] = "cell.ln_gates.gamma", [SLOT_LN_GATES_BETA] = "cell.ln_gates.beta",
    [SLOT_LN_STATE_GAMMA] = "cell.ln_state.gamma", [SLOT_LN_STATE_BETA] = "cell.ln_state.beta",
    [SLOT_GATES_KERNEL] = "cell.gates.kernel", [SLOT_GATES_BIAS] = "cell.gates.bias",
    [SLOT_CANDIDATE_KERNEL] = "cell.candidate.kernel", [SLOT_CANDIDATE_BIAS] = "cell.candidate.bias",
    /* The UGRNN and IntersectionRNN have the LSTM's structure, one conv over [x, h] with
     * per-block layer norm, so their tensors take the LSTM's names (a node has one cell). */
    RGC_PATH_SLOTS(T_C, t_c), RGC_PATH_SLOTS(G_C, g_c), RGC_PATH_SLOTS(A_C, a_c),
    RGC_PATH_SLOTS(T_H, t_h), RGC_PATH_SLOTS(G_H, g_h), RGC_PATH_SLOTS(A_H, a_h),
    [SLOT_RGC_RESIDUAL_KERNEL] = "cell.residual.kernel",
    [SLOT_RGC_FEEDBACK_KERNEL] = "cell.feedback.kernel", [SLOT_RGC_FEEDBACK_BIAS] = "cell.feedback.bias",
};

const char *param_slot_name(param_slot slot) { return slot >= 0 && slot < SLOT_COUNT ? slot_names[slot] : "?"; }

param_slot rgc_slot(rgc_path_id path, rgc_param k) { return (param_slot)(SLOT_RGC_PATH + 4 * (int)path + (int)k); }

typedef struct table_builder {
    param_table *table;
    int capacity;
    const node *node;
    int node_index;
    int slot, post;      /* what the next parameter is: a node slot, or a post op's */
    bool is_bias;
    rtpu_error *err;
    rtpu_status status;
} table_builder;

static param_info *add_named(table_builder *b, const char *suffix, int ndim, const int *shape)
{
    if (b->status)
        return NULL;
    param_table *t = b->table;
    if (t->count == b->capacity) {
        int cap = b->capacity ? b->capacity * 2 : 64;
        param_info *p = realloc(t->params, (size_t)cap * sizeof *p);
        if (!p) {
            b->status = rtpu_fail(b->err, RTPU_ERR_NOMEM, "out of memory building the parameter table");
            return NULL;
        }
        t->params = p;
        b->capacity = cap;
    }
    param_info *p = &t->params[t->count++];
    *p = (param_info){.node = b->node_index, .slot = b->slot, .post = b->post, .is_bias = b->is_bias, .ndim = ndim,
                      .count = 1, .init = INIT_ZEROS};
    snprintf(p->name, sizeof p->name, "%s/%s", b->node->name, suffix);
    for (int i = 0; i < ndim; i++) {
        p->shape[i] = shape[i];
        p->count *= (size_t)shape[i];
    }
    t->total += p->count;
    return p;
}

/* A node parameter: its name comes from its slot. */
static param_info *add(table_builder *b, param_slot slot, int ndim, const int *shape)
{
    b->slot = slot;
    b->post = -1;
    b->is_bias = false;
    return add_named(b, slot_names[slot], ndim, shape);
}

static void set_kernel_init(param_info *p, int kh, int kw, int in_c, float scale)
{
    if (p) {
        p->init = INIT_VARIANCE_SCALING;
        p->init_scale = scale;
        p->fan_in = kh * kw * in_c;
    }
}

static void kernel(table_builder *b, param_slot slot, int kh, int kw, int in_c, int out_c, float scale)
{
    set_kernel_init(add(b, slot, 4, (const int[]){kh, kw, in_c, out_c}), kh, kw, in_c, scale);
}

/* A kernel drawn like tf.glorot_uniform_initializer, TF's fans of an HWIO kernel (receptive
 * field times in / out channels); scale multiplies the variance as in variance_scaling(
 * scale, mode=fan_avg, distribution=uniform), of which Glorot uniform is scale 1. */
static void set_glorot_init(param_info *p, int kh, int kw, int in_c, int out_c, float scale)
{
    if (p) {
        p->init = INIT_GLOROT_UNIFORM;
        p->init_scale = scale;
        p->fan_in = kh * kw * in_c;
        p->fan_out = kh * kw * out_c;
    }
}

static void glorot_kernel(table_builder *b, param_slot slot, int kh, int kw, int in_c, int out_c, float scale)
{
    set_glorot_init(add(b, slot, 4, (const int[]){kh, kw, in_c, out_c}), kh, kw, in_c, out_c, scale);
}

static void vector(table_builder *b, param_slot slot, int length, init_kind init, float value)
{
    param_info *p = add(b, slot, 1, (const int[]){length});
    if (p) {
        p->init = init;
        p->init_value = value;
    }
}

static void rgc_path_params(table_builder *b, rgc_path_id path, const rgc_path *p, int in_c, int out_c, float scale,
                            float bias)
{
    if (p->kind == CONV_FULL) {
        kernel(b, rgc_slot(path, RGC_PARAM_KERNEL), p->geom.kernel_h, p->geom.kernel_w, in_c, out_c, scale);
    } else {
        param_info *d = add(b, rgc_slot(path, RGC_PARAM_DEPTHWISE), 3, (const int[]){p->geom.kernel_h, p->geom.kernel_w, in_c});
        if (d) {
            d->init = INIT_VARIANCE_SCALING;
            d->init_scale = scale;
            d->fan_in = p->geom.kernel_h * p->geom.kernel_w;
        }
        kernel(b, rgc_slot(path, RGC_PARAM_POINTWISE), 1, 1, in_c, out_c, scale);
    }
    vector(b, rgc_slot(path, RGC_PARAM_BIAS), out_c, bias != 0.0f ? INIT_CONSTANT : INIT_ZEROS, bias);
}

static void cell_params(table_builder *b, const node *n)
{
    const cell_spec *c = &n->cell;
    int C = n->cell_c, X = n->x_c, kh = c->geom.kernel_h, kw = c->geom.kernel_w;
    float s = c->init_scale;
    switch (c->type) {
    case CELL_NONE:
        break;
    case CELL_TIME_DECAY:
        vector(b, SLOT_TAU, 1, c->tau != 0.0f ? INIT_CONSTANT : INIT_ZEROS, c->tau);
        break;
    case CELL_VANILLA:
        kernel(b, SLOT_INPUT_KERNEL, kh, kw, X, C, s);
        vector(b, SLOT_INPUT_BIAS, C, INIT_ZEROS, 0);
        kernel(b, SLOT_STATE_KERNEL, kh, kw, C, C, s);
        vector(b, SLOT_STATE_BIAS, C, INIT_ZEROS, 0);
        if (c->layer_norm) {
            vector(b, SLOT_LN_GAMMA, C, INIT_CONSTANT, 1.0f);
            vector(b, SLOT_LN_BETA, C, INIT_ZEROS, 0);
        }
        break;
    case CELL_LSTM:
        /* One conv over concat(x, h) to the gates [i, j, f, o] (4 x C channels). */
        kernel(b, SLOT_XH_KERNEL, kh, kw, X + C, 4 * C, s);
        vector(b, SLOT_XH_BIAS, 4 * C, INIT_ZEROS, 0);
        if (c->peepholes) {
            static const param_slot names[] = {SLOT_PEEPHOLE_I, SLOT_PEEPHOLE_F, SLOT_PEEPHOLE_O};
            for (int i = 0; i < 3; i++) {
                param_info *p = add(b, names[i], 3, (const int[]){n->cell_h, n->cell_w, C});
                if (p) {
                    p->init = INIT_VARIANCE_SCALING;
                    p->init_scale = s;
                    p->fan_in = C;
                }
            }
        }
        if (c->layer_norm) {
            vector(b, SLOT_LN_GATES_GAMMA, 4 * C, INIT_CONSTANT, 1.0f);
            vector(b, SLOT_LN_GATES_BETA, 4 * C, INIT_ZEROS, 0);
            vector(b, SLOT_LN_STATE_GAMMA, C, INIT_CONSTANT, 1.0f);
            vector(b, SLOT_LN_STATE_BETA, C, INIT_ZEROS, 0);
        }
        break;
    case CELL_GRU:
        kernel(b, SLOT_GATES_KERNEL, kh, kw, X + C, 2 * C, s);
        vector(b, SLOT_GATES_BIAS, 2 * C, INIT_CONSTANT, 1.0f);
        kernel(b, SLOT_CANDIDATE_KERNEL, kh, kw, X + C, C, s);
        vector(b, SLOT_CANDIDATE_BIAS, C, INIT_ZEROS, 0);
        break;
    case CELL_UGRNN:
    case CELL_INTERSECTION: {
        /* One conv over concat(x, h) to `blocks` C-channel blocks: [g, c~] for the UGRNN,
         * [g_h, h~, g_y, y~] for the IntersectionRNN (the zoo's split order). The bias starts
         * at 0 (_conv_linear's default); forget_bias is a constant of the spec, added to the
         * gate blocks in cells.c. Layer norm has one gamma/beta pair of C per block, the
         * zoo's norm_gain 1 and norm_shift 0. */
        bool ugrnn = c->type == CELL_UGRNN;
        int blocks = ugrnn ? 2 : 4;
        glorot_kernel(b, SLOT_XH_KERNEL, kh, kw, X + C, blocks * C, s);
        vector(b, SLOT_XH_BIAS, blocks * C, INIT_ZEROS, 0);
        if (c->layer_norm) {
            vector(b, SLOT_LN_GATES_GAMMA, blocks * C, INIT_CONSTANT, 1.0f);
            vector(b, SLOT_LN_GATES_BETA, blocks * C, INIT_ZEROS, 0);
        }
        break;
    }
    case CELL_RGC: {
        int cc = c->cell_channels;
        const int in[RGC_PATH_COUNT] = {cc, C, X, C, cc, X};
        const int out[RGC_PATH_COUNT] = {cc, cc, cc, C, C, C};
        const float bias[RGC_PATH_COUNT] = {c->tau_bias, c->gate_bias, 0, c->tau_bias, c->gate_bias, 0};
        for (int i = 0; i < RGC_PATH_COUNT; i++)
            rgc_path_params(b, (rgc_path_id)i, &c->path[i], in[i], out[i], s, bias[i]);
        if (c->residual && c->residual_projection)
            kernel(b, SLOT_RGC_RESIDUAL_KERNEL, 1, 1, n->u_c, C, s);
        if (n->feedback_count > 0) {
            int entry_c = c->entry == FEEDBACK_ENTRY_INPUT ? X : c->entry == FEEDBACK_ENTRY_CELL ? cc : C;
            kernel(b, SLOT_RGC_FEEDBACK_KERNEL, c->feedback_geom.kernel_h, c->feedback_geom.kernel_w,
                   n->feedback_c, entry_c, s);
            vector(b, SLOT_RGC_FEEDBACK_BIAS, entry_c, INIT_ZEROS, 0);
        }
        break;
    }
    }
}

/* A post op's parameter: "fc.kernel", "fc2.bias", "residual.kernel", ... */
static param_info *add_post(table_builder *b, int post, const char *base, bool is_bias, int ndim, const int *shape)
{
    char name[64];
    snprintf(name, sizeof name, "%s.%s", base, is_bias ? "bias" : "kernel");
    b->slot = -1;
    b->post = post;
    b->is_bias = is_bias;
    return add_named(b, name, ndim, shape);
}

/* The base name of the seen-th parameterised post op of its kind: "fc", "fc2", "fc3", ... */
static void post_base(char *base, size_t size, const char *kind, int seen)
{
    if (seen > 1)
        snprintf(base, size, "%s%d", kind, seen);
    else
        snprintf(base, size, "%s", kind);
}

static void post_params(table_builder *b, const node *n)
{
    int fc_seen = 0, residual_seen = 0, conv_seen = 0, residual_add_seen = 0;
    for (int i = 0; i < n->post_count; i++) {
        const post_op *op = &n->post[i];
        /* The first fc is "fc", later ones "fc2", "fc3", ...; likewise "residual", "conv",
         * "residual_add" (residuals counted among the projecting ones). */
        char base[32];
        if (op->kind == POST_FC) {
            post_base(base, sizeof base, "fc", ++fc_seen);
            int in = op->in_h * op->in_w * op->in_c;
            param_info *p = add_post(b, i, base, false, 2, (const int[]){in, op->units});
            if (p) {
                p->init = INIT_VARIANCE_SCALING;
                p->init_scale = op->init_scale;
                p->fan_in = in;
            }
            if (op->bias)
                add_post(b, i, base, true, 1, (const int[]){op->units});
        } else if (op->kind == POST_RESIDUAL && op->projection) {
            post_base(base, sizeof base, "residual", ++residual_seen);
            set_kernel_init(add_post(b, i, base, false, 4, (const int[]){1, 1, n->u_c, op->in_c}), 1, 1, n->u_c, 1.0f);
        } else if (op->kind == POST_CONV) {
            /* model_tool.conv: the kernel from the spec's initialiser (the zoo's models say
             * variance_scaling), the bias from the constant 0. */
            const conv_spec *cv = &op->conv;
            post_base(base, sizeof base, "conv", ++conv_seen);
            set_kernel_init(add_post(b, i, base, false, 4,
                                     (const int[]){cv->geom.kernel_h, cv->geom.kernel_w, op->in_c, cv->channels}),
                            cv->geom.kernel_h, cv->geom.kernel_w, op->in_c, cv->init_scale);
            if (cv->bias)
                add_post(b, i, base, true, 1, (const int[]){cv->channels});
        } else if (op->kind == POST_RESIDUAL_ADD && op->projection) {
            /* residual_add's "residual_add_weights" take its default kernel_init, "xavier":
             * tf.contrib.layers.xavier_initializer, Glorot uniform over fans in and out. */
            post_base(base, sizeof base, "residual_add", ++residual_add_seen);
            set_glorot_init(add_post(b, i, base, false, 4, (const int[]){1, 1, op->src_c, op->in_c}), 1, 1, op->src_c,
                            op->in_c, 1.0f);
        }
    }
}

rtpu_status param_table_build(const graph *g, param_table *table, rtpu_error *err)
{
    *table = (param_table){0};
    table_builder b = {.table = table, .err = err};
    for (int i = 0; i < g->node_count; i++) {
        const node *n = &g->nodes[i];
        b.node = n;
        b.node_index = i;
        if (n->conv.present) {
            const conv_spec *cv = &n->conv;
            kernel(&b, SLOT_PRE_KERNEL, cv->geom.kernel_h, cv->geom.kernel_w, n->harbor_c, cv->channels,
                   cv->init_scale);
            if (cv->bias)
                vector(&b, SLOT_PRE_BIAS, cv->channels, INIT_ZEROS, 0);
        }
        cell_params(&b, n);
        post_params(&b, n);
    }
    if (b.status)
        param_table_destroy(table);
    return b.status;
}

void param_table_destroy(param_table *table)
{
    free(table->params);
    *table = (param_table){0};
}

int param_table_find(const param_table *table, const char *name)
{
    for (int i = 0; i < table->count; i++)
        if (!strcmp(table->params[i].name, name))
            return i;
    return -1;
}

rtpu_status graph_bind_params(graph *g, rtpu_error *err)
{
    param_table *t = calloc(1, sizeof *t);
    if (!t)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory building the parameter table");
    rtpu_status s = param_table_build(g, t, err);
    if (s) {
        free(t);
        return s;
    }
    for (int i = 0; i < g->node_count; i++) {
        node *n = &g->nodes[i];
        for (int k = 0; k < SLOT_COUNT; k++)
            n->param[k] = -1;
        for (int k = 0; k < n->post_count; k++)
            n->post[k].kernel_param = n->post[k].bias_param = -1;
    }
    for (int i = 0; i < t->count; i++) {
        const param_info *p = &t->params[i];
        node *n = &g->nodes[p->node];
        if (p->slot >= 0)
            n->param[p->slot] = i;
        else if (p->is_bias)
            n->post[p->post].bias_param = i;
        else
            n->post[p->post].kernel_param = i;
    }
    g->params = t;
    return RTPU_OK;
}
