/* Pass 4: the parameter table. Lists every weight tensor of the graph in a fixed order
 * with its name ("<node>/<param>"), shape and initialiser. It is the single source of
 * truth for `rtpu init`, for checking a weights file, for `rtpu info`'s counts, and for
 * the CPU reference's weight lookup. Kernels are HWIO; depthwise kernels are [kh, kw, c];
 * fc weights are [in_features, units].
 *
 * Initialisers follow the authors' code: kernels are variance-scaling (fan-in,
 * truncated normal, stddev sqrt(scale / fan_in)); biases are zero except the RGC's T and
 * G paths (tau_bias, gate_bias) and the GRU gates (1.0); the time-decay tau starts at its
 * spec value; layer-norm gains start at 1. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/ir.h"

typedef struct table_builder {
    param_table *table;
    int capacity;
    const node *node;
    int node_index;
    rtpu_error *err;
    rtpu_status status;
} table_builder;

static param_info *add(table_builder *b, const char *suffix, int ndim, const int *shape)
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
    *p = (param_info){.node = b->node_index, .ndim = ndim, .count = 1, .init = INIT_ZEROS};
    snprintf(p->name, sizeof p->name, "%s/%s", b->node->name, suffix);
    for (int i = 0; i < ndim; i++) {
        p->shape[i] = shape[i];
        p->count *= (size_t)shape[i];
    }
    t->total += p->count;
    return p;
}

static void kernel(table_builder *b, const char *suffix, int kh, int kw, int in_c, int out_c, float scale)
{
    param_info *p = add(b, suffix, 4, (const int[]){kh, kw, in_c, out_c});
    if (p) {
        p->init = INIT_VARIANCE_SCALING;
        p->init_scale = scale;
        p->fan_in = kh * kw * in_c;
    }
}

static void vector(table_builder *b, const char *suffix, int length, init_kind init, float value)
{
    param_info *p = add(b, suffix, 1, (const int[]){length});
    if (p) {
        p->init = init;
        p->init_value = value;
    }
}

static void rgc_path_params(table_builder *b, const char *path, const rgc_path *p, int in_c, int out_c,
                            float scale, float bias)
{
    char name[64];
    if (p->kind == CONV_FULL) {
        snprintf(name, sizeof name, "cell.%s.kernel", path);
        kernel(b, name, p->geom.kernel_h, p->geom.kernel_w, in_c, out_c, scale);
    } else {
        snprintf(name, sizeof name, "cell.%s.depthwise", path);
        param_info *d = add(b, name, 3, (const int[]){p->geom.kernel_h, p->geom.kernel_w, in_c});
        if (d) {
            d->init = INIT_VARIANCE_SCALING;
            d->init_scale = scale;
            d->fan_in = p->geom.kernel_h * p->geom.kernel_w;
        }
        snprintf(name, sizeof name, "cell.%s.pointwise", path);
        kernel(b, name, 1, 1, in_c, out_c, scale);
    }
    snprintf(name, sizeof name, "cell.%s.bias", path);
    vector(b, name, out_c, bias != 0.0f ? INIT_CONSTANT : INIT_ZEROS, bias);
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
        vector(b, "cell.tau", 1, c->tau != 0.0f ? INIT_CONSTANT : INIT_ZEROS, c->tau);
        break;
    case CELL_VANILLA:
        kernel(b, "cell.input.kernel", kh, kw, X, C, s);
        vector(b, "cell.input.bias", C, INIT_ZEROS, 0);
        kernel(b, "cell.state.kernel", kh, kw, C, C, s);
        vector(b, "cell.state.bias", C, INIT_ZEROS, 0);
        if (c->layer_norm) {
            vector(b, "cell.ln.gamma", C, INIT_CONSTANT, 1.0f);
            vector(b, "cell.ln.beta", C, INIT_ZEROS, 0);
        }
        break;
    case CELL_LSTM:
        /* One conv over concat(x, h) to the gates [i, j, f, o] (4 x C channels). */
        kernel(b, "cell.kernel", kh, kw, X + C, 4 * C, s);
        vector(b, "cell.bias", 4 * C, INIT_ZEROS, 0);
        if (c->peepholes) {
            static const char *const names[] = {"cell.peephole_i", "cell.peephole_f", "cell.peephole_o"};
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
            vector(b, "cell.ln_gates.gamma", 4 * C, INIT_CONSTANT, 1.0f);
            vector(b, "cell.ln_gates.beta", 4 * C, INIT_ZEROS, 0);
            vector(b, "cell.ln_state.gamma", C, INIT_CONSTANT, 1.0f);
            vector(b, "cell.ln_state.beta", C, INIT_ZEROS, 0);
        }
        break;
    case CELL_GRU:
        kernel(b, "cell.gates.kernel", kh, kw, X + C, 2 * C, s);
        vector(b, "cell.gates.bias", 2 * C, INIT_CONSTANT, 1.0f);
        kernel(b, "cell.candidate.kernel", kh, kw, X + C, C, s);
        vector(b, "cell.candidate.bias", C, INIT_ZEROS, 0);
        break;
    case CELL_RGC: {
        static const char *const names[RGC_PATH_COUNT] = {"t_c", "g_c", "a_c", "t_h", "g_h", "a_h"};
        int cc = c->cell_channels;
        const int in[RGC_PATH_COUNT] = {cc, C, X, C, cc, X};
        const int out[RGC_PATH_COUNT] = {cc, cc, cc, C, C, C};
        const float bias[RGC_PATH_COUNT] = {c->tau_bias, c->gate_bias, 0, c->tau_bias, c->gate_bias, 0};
        for (int i = 0; i < RGC_PATH_COUNT; i++)
            rgc_path_params(b, names[i], &c->path[i], in[i], out[i], s, bias[i]);
        if (c->residual && c->residual_projection)
            kernel(b, "cell.residual.kernel", 1, 1, n->u_c, C, s);
        if (n->feedback_count > 0) {
            int entry_c = c->entry == FEEDBACK_ENTRY_INPUT ? X : c->entry == FEEDBACK_ENTRY_CELL ? cc : C;
            kernel(b, "cell.feedback.kernel", c->feedback_geom.kernel_h, c->feedback_geom.kernel_w,
                   n->feedback_c, entry_c, s);
            vector(b, "cell.feedback.bias", entry_c, INIT_ZEROS, 0);
        }
        break;
    }
    }
}

static void post_params(table_builder *b, const node *n)
{
    int fc_seen = 0, residual_seen = 0;
    for (int i = 0; i < n->post_count; i++) {
        const post_op *op = &n->post[i];
        char name[64];
        if (op->kind == POST_FC) {
            /* The first fc is "fc", later ones "fc2", "fc3", ... */
            char base[32] = "fc";
            if (fc_seen++)
                snprintf(base, sizeof base, "fc%d", fc_seen);
            snprintf(name, sizeof name, "%s.kernel", base);
            param_info *p = add(b, name, 2, (const int[]){op->in_h * op->in_w * op->in_c, op->units});
            if (p) {
                p->init = INIT_VARIANCE_SCALING;
                p->init_scale = op->init_scale;
                p->fan_in = op->in_h * op->in_w * op->in_c;
            }
            if (op->bias) {
                snprintf(name, sizeof name, "%s.bias", base);
                vector(b, name, op->units, INIT_ZEROS, 0);
            }
        } else if (op->kind == POST_RESIDUAL && op->projection) {
            char base[32] = "residual";
            if (residual_seen++)
                snprintf(base, sizeof base, "residual%d", residual_seen);
            snprintf(name, sizeof name, "%s.kernel", base);
            kernel(b, name, 1, 1, n->u_c, op->in_c, 1.0f);
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
            kernel(&b, "pre.kernel", cv->geom.kernel_h, cv->geom.kernel_w, n->harbor_c, cv->channels,
                   cv->init_scale);
            if (cv->bias)
                vector(&b, "pre.bias", cv->channels, INIT_ZEROS, 0);
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
