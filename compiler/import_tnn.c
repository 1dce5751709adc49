/* tnn (the authors' model zoo format) -> rtpu spec JSON. See import_tnn.h and
 * docs/spec-format.md section 11 for the mapping; docs/model-semantics.md 3.3 for why the
 * zoo's op lists become these post ops. Library code: it never prints; the assumptions go
 * back to the caller as text. */
#include "compiler/import_tnn.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"

/* ---- a growing text buffer --------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...) RTPU_PRINTF(2, 3);
static void sb_add(sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = true;
            return;
        }
        if (b->p && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap ? b->cap * 2 : 1024) + (size_t)n;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

/* ---- context and errors ------------------------------------------------------------ */

enum { MAX_NODES = 256, MAX_OPS = 64 };

typedef struct ctx {
    const char *src;
    rtpu_error *err;
    sbuf notes;
    char cell_type[32];   /* from the file-name prefix, lower case (model_func.py) */
    int num_layers;       /* the loader's len(G) */
    bool rgc11;           /* 11-layer rgc: the median cell and edges_5 */
    bool noted_training, noted_dropout, noted_identity, noted_fold, noted_return_input;
} ctx;

static rtpu_status fail(ctx *c, const json_value *at, const char *node, const char *fmt, ...)
    RTPU_PRINTF(4, 5);
static rtpu_status fail(ctx *c, const json_value *at, const char *node, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char where[160];
    if (at)
        snprintf(where, sizeof where, "%s:%d:%d: ", c->src, at->line, at->column);
    else
        snprintf(where, sizeof where, "%s: ", c->src);
    if (node)
        return rtpu_fail(c->err, RTPU_ERR_INVALID, "%snode '%s': %s", where, node, msg);
    return rtpu_fail(c->err, RTPU_ERR_INVALID, "%s%s", where, msg);
}

/* An unknown member is reported at its name, as the spec parser does. */
static rtpu_status fail_key(ctx *c, const json_value *obj, size_t i, const char *node,
                            const char *what)
{
    json_value at = obj->items[i];
    at.line = at.key_line;
    at.column = at.key_column;
    return fail(c, &at, node, "field '%s' of %s has no rtpu equivalent", obj->keys[i], what);
}

static bool in_list(const char *key, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(key, *list))
            return true;
    return false;
}

/* Every member must be known: `used` ones are converted, `ignored` ones are training-only
 * (weight decay, regularisers, initialisers: rtpu graphs carry no training setup, and
 * weights come from the checkpoint) and are said to be dropped once. */
static const char *const training_only[] = {"weight_decay", "kernel_init", "kernel_init_kwargs",
                                            "kernel_regularizer", "bias_regularizer",
                                            "kernel_initializer", "kernel_initializer_kwargs",
                                            "bias_initializer", "bias_initializer_kwargs",
                                            "seed", NULL};

static rtpu_status check_keys(ctx *c, const json_value *obj, const char *node, const char *what,
                              const char *const *used)
{
    for (size_t i = 0; i < obj->count; i++) {
        if (in_list(obj->keys[i], used))
            continue;
        if (in_list(obj->keys[i], training_only)) {
            if (!c->noted_training) {
                sb_add(&c->notes, "dropped: training-only fields (weight_decay, regularizers, "
                                  "initialisers): rtpu uses its own initialisers or the checkpoint\n");
                c->noted_training = true;
            }
            continue;
        }
        return fail_key(c, obj, i, node, what);
    }
    return RTPU_OK;
}

static const json_value *need(ctx *c, const json_value *obj, const char *key, json_kind kind,
                              const char *node, rtpu_status *st)
{
    const json_value *v = json_member(obj, key);
    if (!v) {
        *st = fail(c, obj, node, "missing field '%s'", key);
        return NULL;
    }
    if (v->kind != kind) {
        *st = fail(c, v, node, "field '%s' must be a %s, not %s", key, json_kind_name(kind),
                   json_kind_name(v->kind));
        return NULL;
    }
    *st = RTPU_OK;
    return v;
}

static bool as_int(const json_value *v, int lo, int hi, int *out)
{
    if (!v || v->kind != JSON_NUMBER || v->number != floor(v->number) || v->number < lo ||
        v->number > hi)
        return false;
    *out = (int)v->number;
    return true;
}

/* A size given as k, [k, k] or TF's [1, k, k, 1]. */
static rtpu_status read_pair(ctx *c, const json_value *obj, const char *key, const char *node,
                             int *h, int *w)
{
    rtpu_status st = RTPU_OK;
    const json_value *v = json_member(obj, key);
    if (!v)
        return fail(c, obj, node, "missing field '%s'", key);
    if (v->kind == JSON_NUMBER && as_int(v, 1, 64, h)) {
        *w = *h;
        return RTPU_OK;
    }
    if (v->kind == JSON_ARRAY && v->count == 2 && as_int(&v->items[0], 1, 64, h) &&
        as_int(&v->items[1], 1, 64, w))
        return RTPU_OK;
    int one0, one3;
    if (v->kind == JSON_ARRAY && v->count == 4 && as_int(&v->items[0], 1, 1, &one0) &&
        as_int(&v->items[3], 1, 1, &one3) && as_int(&v->items[1], 1, 64, h) &&
        as_int(&v->items[2], 1, 64, w))
        return RTPU_OK;
    st = fail(c, v, node, "field '%s' must be k, [k, k] or [1, k, k, 1] with k in 1..64", key);
    return st;
}

static void sb_kernel(sbuf *b, int h, int w)
{
    if (h == w)
        sb_add(b, "%d", h);
    else
        sb_add(b, "[%d, %d]", h, w);
}

/* null means no activation in tnn. */
static rtpu_status read_activation(ctx *c, const json_value *obj, const char *node,
                                   const char **out)
{
    const json_value *v = json_member(obj, "activation");
    *out = "none";
    if (!v || v->kind == JSON_NULL)
        return RTPU_OK;
    static const char *const ok[] = {"elu", "relu", "sigmoid", "tanh", "identity", NULL};
    if (v->kind != JSON_STRING || !in_list(v->string, ok))
        return fail(c, v, node, "field 'activation' must be null, elu, relu, sigmoid, tanh or identity");
    *out = strcmp(v->string, "identity") ? v->string : "none";
    return RTPU_OK;
}

static rtpu_status read_padding(ctx *c, const json_value *obj, const char *node, const char **out)
{
    const json_value *v = json_member(obj, "padding");
    *out = "same";
    if (!v)
        return RTPU_OK;
    if (v->kind == JSON_STRING && !strcmp(v->string, "SAME"))
        return RTPU_OK;
    if (v->kind == JSON_STRING && !strcmp(v->string, "VALID")) {
        *out = "valid";
        return RTPU_OK;
    }
    return fail(c, v, node, "field 'padding' must be SAME or VALID");
}

static rtpu_status read_stride(ctx *c, const json_value *obj, const char *node, int *stride)
{
    *stride = 1;
    if (!json_member(obj, "strides"))
        return RTPU_OK;
    int sh, sw;
    rtpu_status st = read_pair(c, obj, "strides", node, &sh, &sw);
    if (st)
        return st;
    if (sh != sw || sh > 16)
        return fail(c, json_member(obj, "strides"), node,
                    "field 'strides' must be equal in height and width and at most 16 (rtpu strides are square)");
    *stride = sh;
    return RTPU_OK;
}

/* ---- ops --------------------------------------------------------------------------- */

/* A converted op: its spec text, or a conv that may become the node's pre-conv. */
typedef struct op_out {
    char text[256];
    bool is_conv;
    const json_value *src;
} op_out;

static rtpu_status conv_text(ctx *c, const json_value *op, const char *node, bool post, char *out,
                             size_t size)
{
    rtpu_status st;
    int kh, kw, stride, depth;
    const char *act, *pad;
    const json_value *d = need(c, op, "out_depth", JSON_NUMBER, node, &st);
    if (!d)
        return st;
    if (!as_int(d, 1, 65536, &depth))
        return fail(c, d, node, "field 'out_depth' must be an integer in 1..65536");
    if ((st = read_pair(c, op, "ksize", node, &kh, &kw)) || (st = read_stride(c, op, node, &stride)) ||
        (st = read_activation(c, op, node, &act)) || (st = read_padding(c, op, node, &pad)))
        return st;
    const json_value *bn = json_member(op, "batch_norm");
    if (bn && !(bn->kind == JSON_BOOL && !bn->boolean))
        return fail(c, bn, node, "field 'batch_norm' must be false (rtpu has no batch norm)");
    const json_value *bias = json_member(op, "bias");
    if (bias && bias->kind != JSON_NUMBER)
        return fail(c, bias, node, "field 'bias' must be a number (the bias's initial value)");
    sbuf b = {0};
    sb_add(&b, "{%s\"kernel\": ", post ? "\"op\": \"conv\", " : "");
    sb_kernel(&b, kh, kw);
    if (stride != 1)
        sb_add(&b, ", \"stride\": %d", stride);
    if (strcmp(pad, "same"))
        sb_add(&b, ", \"padding\": \"%s\"", pad);
    sb_add(&b, ", \"channels\": %d", depth);
    if (strcmp(act, "none"))
        sb_add(&b, ", \"activation\": \"%s\"", act);
    sb_add(&b, "}");
    if (b.oom)
        return rtpu_fail(c->err, RTPU_ERR_NOMEM, "out of memory");
    snprintf(out, size, "%s", b.p);
    free(b.p);
    return RTPU_OK;
}

/* One pre_memory or post_memory entry. *dropped when it has no op (dropout with
 * keep_prob 1, identity). */
static rtpu_status convert_op(ctx *c, const json_value *op, const char *node, bool pre,
                              op_out *out, bool *dropped)
{
    rtpu_status st;
    *dropped = false;
    memset(out, 0, sizeof *out);
    out->src = op;
    if (op->kind != JSON_OBJECT)
        return fail(c, op, node, "%s entries must be objects", pre ? "pre_memory" : "post_memory");
    const json_value *fn = need(c, op, "function", JSON_STRING, node, &st);
    if (!fn)
        return st;
    const char *f = fn->string;
    if (!strcmp(f, "component_conv") || !strcmp(f, "conv")) {
        static const char *const k_cc[] = {"function", "input_name", "out_depth", "ksize", "strides",
                                           "padding", "bias", "activation", "batch_norm",
                                           "return_input", NULL};
        static const char *const k_conv[] = {"function", "out_depth", "ksize", "strides", "padding",
                                             "bias", "activation", "batch_norm", NULL};
        if ((st = check_keys(c, op, node, f, !strcmp(f, "conv") ? k_conv : k_cc)))
            return st;
        const json_value *ri = json_member(op, "return_input");
        if (ri && ri->kind != JSON_BOOL)
            return fail(c, ri, node, "field 'return_input' must be true or false");
        if (ri && ri->boolean && !c->noted_return_input) {
            /* return_input hands the harbor to residual_add; rtpu's residual_add always
             * reads the harbor (model-semantics.md 5.26). */
            sb_add(&c->notes, "return_input: true is implied: rtpu's residual_add reads the node's harbor\n");
            c->noted_return_input = true;
        }
        out->is_conv = true;
        return conv_text(c, op, node, !pre, out->text, sizeof out->text);
    }
    if (!strcmp(f, "dropout")) {
        static const char *const k[] = {"function", "keep_prob", "name", NULL};
        if ((st = check_keys(c, op, node, "dropout", k)))
            return st;
        const json_value *kp = need(c, op, "keep_prob", JSON_NUMBER, node, &st);
        if (!kp)
            return st;
        if (kp->number != 1.0)
            return fail(c, kp, node, "dropout with keep_prob %g: rtpu runs inference only and has no dropout (only keep_prob 1 is dropped)",
                        kp->number);
        if (!c->noted_dropout)
            sb_add(&c->notes, "dropped: dropout with keep_prob 1 (a no-op)\n");
        c->noted_dropout = true;
        *dropped = true;
        return RTPU_OK;
    }
    if (!strcmp(f, "identity")) {
        static const char *const k[] = {"function", "name", NULL};
        if ((st = check_keys(c, op, node, "identity", k)))
            return st;
        if (!c->noted_identity)
            sb_add(&c->notes, "dropped: identity ops (no-ops)\n");
        c->noted_identity = true;
        *dropped = true;
        return RTPU_OK;
    }
    if (!strcmp(f, "max_pool")) {
        static const char *const k[] = {"function", "ksize", "strides", "padding", NULL};
        int kh, kw, stride;
        const char *pad;
        if ((st = check_keys(c, op, node, "max_pool", k)) || (st = read_pair(c, op, "ksize", node, &kh, &kw)))
            return st;
        if (kh != kw)
            return fail(c, json_member(op, "ksize"), node, "field 'ksize' must be square (rtpu pools are square)");
        if ((st = read_padding(c, op, node, &pad)))
            return st;
        stride = kh; /* tf.nn.max_pool has no default stride; tnn's is the window */
        if (json_member(op, "strides") && (st = read_stride(c, op, node, &stride)))
            return st;
        snprintf(out->text, sizeof out->text, "{\"op\": \"maxpool\", \"kernel\": %d, \"stride\": %d%s}",
                 kh, stride, strcmp(pad, "same") ? ", \"padding\": \"valid\"" : "");
        return RTPU_OK;
    }
    if (!strcmp(f, "global_pool")) {
        static const char *const k[] = {"function", "kind", NULL};
        if ((st = check_keys(c, op, node, "global_pool", k)))
            return st;
        const json_value *kind = need(c, op, "kind", JSON_STRING, node, &st);
        if (!kind)
            return st;
        if (strcmp(kind->string, "avg"))
            return fail(c, kind, node, "global_pool kind '%s': rtpu has only the average (kind avg)", kind->string);
        snprintf(out->text, sizeof out->text, "{\"op\": \"global_avg_pool\"}");
        return RTPU_OK;
    }
    if (!strcmp(f, "flatten")) {
        static const char *const k[] = {"function", NULL};
        if ((st = check_keys(c, op, node, "flatten", k)))
            return st;
        snprintf(out->text, sizeof out->text, "{\"op\": \"flatten\"}");
        return RTPU_OK;
    }
    if (!strcmp(f, "residual_add")) {
        static const char *const k[] = {"function", NULL};
        if ((st = check_keys(c, op, node, "residual_add", k)))
            return st;
        snprintf(out->text, sizeof out->text, "{\"op\": \"residual_add\"}");
        return RTPU_OK;
    }
    if (!strcmp(f, "elu") || !strcmp(f, "relu") || !strcmp(f, "sigmoid") || !strcmp(f, "tanh")) {
        static const char *const k[] = {"function", NULL};
        if ((st = check_keys(c, op, node, f, k)))
            return st;
        snprintf(out->text, sizeof out->text, "{\"op\": \"activation\", \"fn\": \"%s\"}", f);
        return RTPU_OK;
    }
    if (!strcmp(f, "fc")) {
        static const char *const k[] = {"function", "out_depth", "activation", "bias", NULL};
        int units;
        const char *act;
        if ((st = check_keys(c, op, node, "fc", k)))
            return st;
        const json_value *d = need(c, op, "out_depth", JSON_NUMBER, node, &st);
        if (!d)
            return st;
        if (!as_int(d, 1, 1048576, &units))
            return fail(c, d, node, "field 'out_depth' must be an integer in 1..1048576");
        if ((st = read_activation(c, op, node, &act)))
            return st;
        if (strcmp(act, "none"))
            snprintf(out->text, sizeof out->text, "{\"op\": \"fc\", \"units\": %d, \"activation\": \"%s\"}", units, act);
        else
            snprintf(out->text, sizeof out->text, "{\"op\": \"fc\", \"units\": %d}", units);
        return RTPU_OK;
    }
    return fail(c, fn, node, "unknown %s function '%s' (rtpu imports: component_conv, conv, dropout, "
                "identity, max_pool, global_pool, flatten, fc, residual_add, elu, relu, sigmoid, tanh)",
                pre ? "pre_memory" : "post_memory", f);
}

/* ---- memory ------------------------------------------------------------------------ */

/* The median cell as graphs/median.json states it: median_rgcell_cfg.py's cell_params
 * with model_func.py's override (feedback at `out` through a full 1x1 conv, identity). */
static const char median_cell[] =
    "{\"type\": \"rgc\", \"cell_channels\": 64, \"a_tau\": 0.92193, \"a_g\": 0.70066, "
    "\"tau_gate\": \"sigmoid\", \"gate_gate\": \"tanh\", \"cell_activation\": \"elu\", "
    "\"out_activation\": \"elu\", \"paths\": {\"t_c\": {\"conv\": \"separable\", \"kernel\": 7}, "
    "\"g_c\": {\"conv\": \"separable\", \"kernel\": 7}, \"a_c\": {\"conv\": \"full\", \"kernel\": 2}, "
    "\"t_h\": {\"conv\": \"separable\", \"kernel\": 7}, \"g_h\": {\"conv\": \"separable\", \"kernel\": 7}, "
    "\"a_h\": {\"conv\": \"full\", \"kernel\": 3}}, \"residual\": true, \"feedback_entry\": \"out\", "
    "\"feedback_kernel\": 1, \"init_scale\": 0.6393378386273998}";

/* Writes the node's "cell" value into cell (empty: no cell). */
static rtpu_status convert_memory(ctx *c, const json_value *mem, const char *node, bool cell_layer,
                                  char *cell, size_t size)
{
    rtpu_status st;
    cell[0] = '\0';
    if (mem->kind != JSON_OBJECT)
        return fail(c, mem, node, "field 'memory' must be an object");
    const json_value *fn = need(c, mem, "function", JSON_STRING, node, &st);
    if (!fn)
        return st;
    if (strcmp(fn->string, "memory"))
        return fail(c, fn, node, "unknown memory function '%s' (tnn's is 'memory')", fn->string);
    const char *t = c->cell_type;
    /* model_func.py replaces the memory by the named cell at the cell layers, except for
     * timedecay models, whose cell layers keep tnn's decaying memory. */
    if (!cell_layer || !strcmp(t, "timedecay")) {
        static const char *const k[] = {"function", "memory_decay", "trainable", NULL};
        if ((st = check_keys(c, mem, node, "a decaying memory", k)))
            return st;
        const json_value *d = json_member(mem, "memory_decay"), *tr = json_member(mem, "trainable");
        double decay = 0;
        if (d) {
            if (d->kind != JSON_NUMBER || d->number < -100 || d->number > 100)
                return fail(c, d, node, "field 'memory_decay' must be a number in -100..100");
            decay = d->number;
        }
        if (tr && tr->kind != JSON_BOOL)
            return fail(c, tr, node, "field 'trainable' must be true or false");
        if (decay == 0 && !(tr && tr->boolean))
            return RTPU_OK; /* s' = 0 * s + x: the identity, no cell */
        snprintf(cell, size, "{\"type\": \"time_decay\", \"tau\": %.17g}", decay);
        return RTPU_OK;
    }
    if (c->rgc11) {
        /* tnn_median_ReciprocalGateCell takes every parameter from median_config_dict;
         * the json's own memory fields are overridden by it (model_func.py). */
        snprintf(cell, size, "\"median_rgc\"");
        return RTPU_OK;
    }
    if (!strcmp(t, "rgc")) {
        /* The 6-layer rgc uses tnn_ReciprocalGateCell with its own gate algebra
         * (multipliers, offsets, routing flags); model-semantics.md decides the mapping of
         * the median cell only, so rather than guess, name the first field in the way. */
        static const char *const blockers[] = {"residual_to_out_gate", "input_to_cell", "tau_multiplier",
                                               "gate_multiplier", "tau_offset", "gate_offset", NULL};
        for (const char *const *b = blockers; *b; b++) {
            const json_value *v = json_member(mem, *b);
            if (v)
                return fail(c, v, node, "field '%s' of the 6-layer reciprocal gated cell (tnn_ReciprocalGateCell) "
                            "has no rtpu mapping (only the 11-layer models' median cell is mapped)", *b);
        }
        return fail(c, mem, node, "the 6-layer reciprocal gated cell (tnn_ReciprocalGateCell) has no rtpu "
                    "mapping (only the 11-layer models' median cell is mapped)");
    }
    if (!strcmp(t, "lstm") && c->num_layers == 6) {
        /* model_func.py replaces the whole layer_params of the 6-layer lstm by the dict
         * pickled in convrnns/configs/lstm_shallow.npz; its cell_params override the json's
         * memory fields. Transcribed once, read without numpy (a restricted unpickler that
         * runs no code): filter_size, out_depth, forget_bias, use_peepholes, layer_norm and
         * the kernel initialiser's scale. Its constant bias initialisers (1.643, -1.166,
         * -1.350) are initial values only: rtpu's initial lstm bias is 0 and trained
         * weights come from the checkpoint. */
        static const struct {
            int kernel, channels;
            double forget_bias, init_scale;
            bool peepholes;
        } npz[3] = {{2, 128, 1.3561755203084322, 0.7008842622125534, false},
                    {3, 256, 0.977962918535079, 1.8314561102978617, true},
                    {4, 256, 0.9249280259963113, 0.8937636886958731, false}};
        static const char *const k[] = {"function", "shape", "filter_size", "out_depth", "layer_norm",
                                        "forget_bias", NULL};
        if ((st = check_keys(c, mem, node, "this memory", k)))
            return st;
        int layer = -1;
        if (sscanf(node, "conv%d", &layer) != 1 || layer < 3 || layer > 5)
            return fail(c, mem, node, "lstm_shallow.npz has cell parameters for conv3..conv5 only");
        const int i = layer - 3;
        snprintf(cell, size, "{\"type\": \"lstm\", \"kernel\": %d, \"channels\": %d, \"peepholes\": %s, "
                 "\"layer_norm\": true, \"forget_bias\": %.17g, \"init_scale\": %.17g}", npz[i].kernel,
                 npz[i].channels, npz[i].peepholes ? "true" : "false", npz[i].forget_bias, npz[i].init_scale);
        if (layer == 3)
            sb_add(&c->notes, "lstm, 6 layers: cell parameters of conv3..conv5 from convrnns/configs/lstm_shallow.npz "
                              "(transcribed; its constant bias initialisers are not imported)\n");
        return RTPU_OK;
    }
    static const char *const k_rnn[] = {"function", "shape", "filter_size", "out_depth", NULL};
    static const char *const k_ln[] = {"function", "shape", "filter_size", "out_depth", "layer_norm", NULL};
    static const char *const k_lstm[] = {"function", "shape", "filter_size", "out_depth", "layer_norm",
                                         "forget_bias", NULL};
    const char *type;
    const char *const *keys = k_rnn;
    if (!strcmp(t, "ugrnn"))
        type = "ugrnn";
    else if (!strcmp(t, "intersectionrnn"))
        type = "intersection";
    else if (!strcmp(t, "gru"))
        type = "gru";
    else if (!strcmp(t, "simplernn"))
        type = "vanilla", keys = k_ln;
    else if (!strcmp(t, "lstm"))
        type = "lstm", keys = k_lstm;
    else
        return fail(c, mem, node, "cell type '%s' (from the file name) is not one of the zoo's: "
                    "rgc, lstm, gru, simplernn, ugrnn, intersectionrnn, timedecay", t);
    if ((st = check_keys(c, mem, node, "this memory", keys)))
        return st;
    int kh, kw, depth;
    if ((st = read_pair(c, mem, "filter_size", node, &kh, &kw)))
        return st;
    if (kh != kw)
        return fail(c, json_member(mem, "filter_size"), node, "field 'filter_size' must be square (rtpu cell kernels are)");
    const json_value *d = need(c, mem, "out_depth", JSON_NUMBER, node, &st);
    if (!d)
        return st;
    if (!as_int(d, 1, 65536, &depth))
        return fail(c, d, node, "field 'out_depth' must be an integer in 1..65536");
    int n = snprintf(cell, size, "{\"type\": \"%s\", \"kernel\": %d, \"channels\": %d", type, kh, depth);
    const json_value *ln = json_member(mem, "layer_norm");
    if (ln) {
        if (ln->kind != JSON_BOOL)
            return fail(c, ln, node, "field 'layer_norm' must be true or false");
        if (ln->boolean)
            n += snprintf(cell + n, size - (size_t)n, ", \"layer_norm\": true");
    }
    const json_value *fb = json_member(mem, "forget_bias");
    if (fb) {
        if (fb->kind != JSON_NUMBER || fb->number < -100 || fb->number > 100)
            return fail(c, fb, node, "field 'forget_bias' must be a number in -100..100");
        if (fb->number != 1.0)
            n += snprintf(cell + n, size - (size_t)n, ", \"forget_bias\": %.17g", fb->number);
    }
    snprintf(cell + n, size - (size_t)n, "}");
    return RTPU_OK;
}

/* ---- the graph --------------------------------------------------------------------- */

/* median_rgcell_cfg.py's edges_5: the median model's long-range feedback. */
static const char *const edges_5[][2] = {
    {"conv8", "conv5"}, {"conv9", "conv6"}, {"conv10", "conv7"}, {"conv7", "conv6"}, {"conv10", "conv9"}};

typedef struct edge {
    const char *from, *to;
    const json_value *at;
} edge;

static int find_node(const json_value *nodes, const char *name)
{
    for (size_t i = 0; i < nodes->count; i++) {
        const json_value *n = json_member(&nodes->items[i], "name");
        if (n && n->kind == JSON_STRING && !strcmp(n->string, name))
            return (int)i;
    }
    return -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static rtpu_status convert(ctx *c, const json_value *root, const tnn_import_options *o, sbuf *out)
{
    rtpu_status st;
    if (root->kind != JSON_OBJECT)
        return fail(c, root, NULL, "a tnn model must be an object with 'nodes' and 'edges'");
    static const char *const k_top[] = {"nodes", "edges", NULL};
    if ((st = check_keys(c, root, NULL, "a tnn model", k_top)))
        return st;
    const json_value *nodes = need(c, root, "nodes", JSON_ARRAY, NULL, &st);
    if (!nodes)
        return st;
    const json_value *edges = need(c, root, "edges", JSON_ARRAY, NULL, &st);
    if (!edges)
        return st;
    if (nodes->count == 0 || nodes->count > MAX_NODES)
        return fail(c, nodes, NULL, "'nodes' must hold 1..%d nodes", MAX_NODES);
    c->num_layers = (int)nodes->count;
    if (c->num_layers != 6 && c->num_layers != 11)
        return fail(c, nodes, NULL, "the zoo's loader takes models of 6 or 11 layers, not %d (model_func.py)",
                    c->num_layers);
    c->rgc11 = !strcmp(c->cell_type, "rgc") && c->num_layers == 11;

    /* names first, so edges can be checked */
    for (size_t i = 0; i < nodes->count; i++) {
        const json_value *n = &nodes->items[i];
        if (n->kind != JSON_OBJECT)
            return fail(c, n, NULL, "nodes must be objects");
        const json_value *name = need(c, n, "name", JSON_STRING, NULL, &st);
        if (!name)
            return st;
        if (!strcmp(name->string, "image"))
            return fail(c, name, NULL, "node name 'image' is taken by rtpu's input node");
        if (find_node(nodes, name->string) != (int)i)
            return fail(c, name, NULL, "node name '%s' is used twice", name->string);
    }
    edge *es = calloc(edges->count + 5, sizeof *es);
    if (!es)
        return rtpu_fail(c->err, RTPU_ERR_NOMEM, "out of memory");
    size_t ne = 0;
    for (size_t i = 0; i < edges->count; i++) {
        const json_value *e = &edges->items[i];
        static const char *const k_edge[] = {"from", "to", NULL};
        if (e->kind != JSON_OBJECT) {
            free(es);
            return fail(c, e, NULL, "edges must be objects {\"from\": a, \"to\": b}");
        }
        const json_value *f = need(c, e, "from", JSON_STRING, NULL, &st), *t = f ? need(c, e, "to", JSON_STRING, NULL, &st) : NULL;
        if (!st)
            st = check_keys(c, e, NULL, "an edge", k_edge);
        if (st) {
            free(es);
            return st;
        }
        if (find_node(nodes, f->string) < 0 || find_node(nodes, t->string) < 0) {
            const json_value *bad = find_node(nodes, f->string) < 0 ? f : t;
            free(es);
            return fail(c, bad, NULL, "edge %s '%s', which is not a node", bad == f ? "from" : "to", bad->string);
        }
        es[ne++] = (edge){f->string, t->string, e};
    }
    if (c->rgc11) {
        for (int i = 0; i < 5; i++) {
            if (find_node(nodes, edges_5[i][0]) < 0 || find_node(nodes, edges_5[i][1]) < 0) {
                free(es);
                return fail(c, nodes, NULL, "the median model's feedback edge %s -> %s needs both nodes",
                            edges_5[i][0], edges_5[i][1]);
            }
            es[ne++] = (edge){edges_5[i][0], edges_5[i][1], NULL};
        }
        sb_add(&c->notes, "rgc, 11 layers: the median cell (median_rgcell_cfg.py, feedback at 'out' through a "
                          "full 1x1 conv) at conv4..conv10, its input activation elu as the pre-conv's, and "
                          "edges_5 (conv8->conv5, conv9->conv6, conv10->conv7, conv7->conv6, conv10->conv9)\n");
    }

    /* The readout is the node nothing reads (imnetds in every zoo model). */
    const char *readout = NULL;
    for (size_t i = 0; i < nodes->count; i++) {
        const char *name = json_member(&nodes->items[i], "name")->string;
        bool read = false;
        for (size_t j = 0; j < ne; j++)
            read |= !strcmp(es[j].from, name);
        if (!read) {
            if (readout) {
                free(es);
                return fail(c, &nodes->items[i], name, "two nodes ('%s' and '%s') have no outgoing edge; "
                            "rtpu needs one readout", readout, name);
            }
            readout = name;
        }
    }
    if (!readout) {
        free(es);
        return fail(c, nodes, NULL, "every node has an outgoing edge, so there is no readout node");
    }

    /* schedule (model_func.py set_imagepres) */
    const char *base = strrchr(o->model_name, '/');
    base = base ? base + 1 : o->model_name;
    int long_unroll = strstr(base, "t30") ? 30 : strstr(base, "t22") ? 22 : 0;
    const char *pres = o->presentation ? o->presentation : "default";
    int steps = 0, image_off = 0;
    bool constant = false;
    if (!strcmp(pres, "default") || !strcmp(pres, "neural")) {
        if (o->steps) {
            free(es);
            return fail(c, NULL, NULL, "the zoo's loader fixes T for the %s presentation; --steps goes with "
                        "--presentation constant", pres);
        }
        if (!strcmp(pres, "neural")) {
            steps = 26, image_off = 10;
        } else if (long_unroll && c->num_layers == 11) {
            steps = long_unroll, constant = true; /* long-unroll models train on constant images */
        } else {
            steps = c->num_layers == 11 ? 17 : 16, image_off = 12;
        }
    } else if (!strcmp(pres, "constant")) {
        constant = true;
        steps = o->steps ? o->steps : long_unroll;
        if (!steps) {
            free(es);
            return fail(c, NULL, NULL, "the constant presentation needs --steps (the loader asserts times is given)");
        }
    } else {
        free(es);
        return fail(c, NULL, NULL, "presentation '%s' is not one of: default, neural, constant", pres);
    }
    if (constant)
        sb_add(&c->notes, "presentation %s: T = %d, the image at every step\n",
               long_unroll && !strcmp(pres, "default") ? "default (a long-unroll model: constant)" : pres, steps);
    else
        sb_add(&c->notes, "presentation %s: T = %d, the image at steps 0..%d, then blank 0.5\n", pres, steps,
               image_off - 1);
    const char *dec = o->decoder ? o->decoder : "last";
    if (strcmp(dec, "last") && strcmp(dec, "tmaxconf") && strcmp(dec, "dthresh")) {
        free(es);
        return fail(c, NULL, NULL, "decoder '%s' is not one of: last, tmaxconf, dthresh", dec);
    }
    if (!strcmp(dec, "tmaxconf"))
        sb_add(&c->notes, "decoder tmaxconf: beta 1 (a trained checkpoint holds softmax_beta), window "
                          "steps %d..%d (num_layers to T)\n", c->num_layers, steps - 1);
    else if (!strcmp(dec, "dthresh"))
        sb_add(&c->notes, "decoder dthresh: threshold 0.9, beta 1, window steps %d..%d (num_layers to T)\n",
               c->num_layers, steps - 1);

    /* header */
    char gname[128];
    if (o->graph_name)
        snprintf(gname, sizeof gname, "%s", o->graph_name);
    else {
        snprintf(gname, sizeof gname, "%s", base);
        char *dot = strstr(gname, ".json");
        if (dot)
            *dot = '\0';
    }
    int in_shape[3] = {0, 0, 0};
    int first = -1;
    for (size_t i = 0; i < nodes->count; i++) {
        const json_value *shape = json_member(&nodes->items[i], "shape");
        if (!shape)
            continue;
        const char *name = json_member(&nodes->items[i], "name")->string;
        if (first >= 0) {
            free(es);
            return fail(c, shape, name, "a second node with an input 'shape' (rtpu has one input)");
        }
        if (shape->kind != JSON_ARRAY || shape->count != 3 || !as_int(&shape->items[0], 1, 8192, &in_shape[0]) ||
            !as_int(&shape->items[1], 1, 8192, &in_shape[1]) || !as_int(&shape->items[2], 1, 8192, &in_shape[2])) {
            free(es);
            return fail(c, shape, name, "field 'shape' must be [height, width, channels], each 1..8192");
        }
        first = (int)i;
    }
    if (first < 0) {
        free(es);
        return fail(c, nodes, NULL, "no node has a 'shape' (the input node's image size)");
    }
    sb_add(out, "{\n  \"format\": 1,\n  \"name\": \"%s\",\n", gname);
    sb_add(out, "  \"description\": \"Imported by rtpu import from the zoo model %s (cell type %s).\",\n", base,
           c->cell_type);
    sb_add(out, "  \"input\": {\"name\": \"image\", \"shape\": [%d, %d, %d]},\n", in_shape[0], in_shape[1],
           in_shape[2]);
    if (constant)
        sb_add(out, "  \"schedule\": {\"mode\": \"constant\", \"steps\": %d},\n", steps);
    else
        sb_add(out, "  \"schedule\": {\"mode\": \"%s\", \"steps\": %d, \"image_on\": [0, %d], \"blank\": 0.5},\n",
               pres, steps, image_off);
    if (c->rgc11)
        sb_add(out, "  \"cells\": {\"median_rgc\": %s},\n", median_cell);
    sb_add(out, "  \"nodes\": [\n");

    int cell_first = c->num_layers == 11 ? 4 : 3;
    for (size_t i = 0; i < nodes->count; i++) {
        const json_value *n = &nodes->items[i];
        const char *name = json_member(n, "name")->string;
        static const char *const k_node[] = {"name", "shape", "shape_from", "dtype", "input_init", "state_init",
                                             "harbor", "pre_memory", "memory", "post_memory", NULL};
        if ((st = check_keys(c, n, name, "a node", k_node)))
            goto out;
        const json_value *dt = json_member(n, "dtype");
        if (dt && !(dt->kind == JSON_STRING && !strcmp(dt->string, "float32"))) {
            st = fail(c, dt, name, "field 'dtype' must be float32");
            goto out;
        }
        static const char *const inits[] = {"input_init", "state_init"};
        for (int k = 0; k < 2; k++) {
            const json_value *v = json_member(n, inits[k]);
            const json_value *f = v ? json_member(v, "function") : NULL;
            if (v && !(v->kind == JSON_OBJECT && v->count == 1 && f && f->kind == JSON_STRING &&
                       !strcmp(f->string, "zeros"))) {
                st = fail(c, v, name, "field '%s' must be {\"function\": \"zeros\"} (rtpu states start at zero)",
                          inits[k]);
                goto out;
            }
        }
        const json_value *h = need(c, n, "harbor", JSON_OBJECT, name, &st);
        if (!h)
            goto out;
        static const char *const k_h[] = {"function", "preproc", "spatial_op", "channel_op", NULL};
        if ((st = check_keys(c, h, name, "the harbor", k_h)))
            goto out;
        const json_value *hf = json_member(h, "function"), *pp = json_member(h, "preproc"),
                         *so = json_member(h, "spatial_op"), *co = json_member(h, "channel_op");
        if (!hf || hf->kind != JSON_STRING || strcmp(hf->string, "harbor")) {
            st = fail(c, hf ? hf : h, name, "the harbor's 'function' must be 'harbor'");
            goto out;
        }
        if (pp && pp->kind != JSON_NULL) {
            st = fail(c, pp, name, "field 'preproc' of the harbor must be null (rtpu has no harbor preprocessing)");
            goto out;
        }
        if (so && !(so->kind == JSON_STRING && !strcmp(so->string, "resize"))) {
            st = fail(c, so, name, "field 'spatial_op' of the harbor must be 'resize' (rtpu resizes feedback bilinearly)");
            goto out;
        }
        if (co && !(co->kind == JSON_STRING && !strcmp(co->string, "concat"))) {
            st = fail(c, co, name, "field 'channel_op' of the harbor must be 'concat'");
            goto out;
        }

        /* ops */
        const json_value *pre = json_member(n, "pre_memory"), *post = json_member(n, "post_memory");
        if (pre && pre->kind != JSON_ARRAY) {
            st = fail(c, pre, name, "field 'pre_memory' must be an array");
            goto out;
        }
        if (post && post->kind != JSON_ARRAY) {
            st = fail(c, post, name, "field 'post_memory' must be an array");
            goto out;
        }
        op_out ops[MAX_OPS];
        int nops = 0, conv_at = -1;
        const json_value *ff_name = NULL, *first_pre_op = NULL;
        for (size_t k = 0; pre && k < pre->count; k++) {
            bool dropped;
            if (nops >= MAX_OPS) {
                st = fail(c, &pre->items[k], name, "more than %d ops", MAX_OPS);
                goto out;
            }
            if ((st = convert_op(c, &pre->items[k], name, true, &ops[nops], &dropped)))
                goto out;
            if (dropped)
                continue;
            const json_value *in = json_member(&pre->items[k], "input_name");
            if (in && ff_name) {
                st = fail(c, in, name, "a second 'input_name' (rtpu has one feedforward input)");
                goto out;
            }
            if (in) {
                if (in->kind != JSON_STRING) {
                    st = fail(c, in, name, "field 'input_name' must be a node name");
                    goto out;
                }
                ff_name = in;
            }
            if (ops[nops].is_conv && conv_at < 0 && nops == 0)
                conv_at = 0; /* the node's pre-memory conv */
            else if (!first_pre_op)
                first_pre_op = &pre->items[k];
            if (!(ops[nops].is_conv && conv_at == nops)) {
                /* a pre_memory op after the conv runs before the memory; rtpu puts it in post */
                char tmp[256];
                if (ops[nops].is_conv) {
                    if ((st = conv_text(c, &pre->items[k], name, true, tmp, sizeof tmp)))
                        goto out;
                    snprintf(ops[nops].text, sizeof ops[nops].text, "%s", tmp);
                }
            }
            nops++;
        }
        for (size_t k = 0; post && k < post->count; k++) {
            bool dropped;
            if (nops >= MAX_OPS) {
                st = fail(c, &post->items[k], name, "more than %d ops", MAX_OPS);
                goto out;
            }
            if ((st = convert_op(c, &post->items[k], name, false, &ops[nops], &dropped)))
                goto out;
            if (!dropped)
                nops++;
        }

        /* memory */
        const json_value *mem = need(c, n, "memory", JSON_OBJECT, name, &st);
        if (!mem)
            goto out;
        int layer = -1;
        bool cell_layer = sscanf(name, "conv%d", &layer) == 1 && layer >= cell_first && layer < c->num_layers;
        char cell[1024];
        if ((st = convert_memory(c, mem, name, cell_layer, cell, sizeof cell)))
            goto out;
        if (cell[0] && first_pre_op) {
            st = fail(c, first_pre_op, name, "this pre_memory op runs between the conv and the memory; "
                      "rtpu runs only the pre-conv before a cell");
            goto out;
        }

        /* edges: the feedforward input and the feedback */
        const char *ff = NULL;
        if ((int)i == first) {
            if (ff_name && strcmp(ff_name->string, "split")) {
                st = fail(c, ff_name, name, "the input node reads 'split' (the image), not '%s'", ff_name->string);
                goto out;
            }
            ff = "image";
        } else if (ff_name) {
            ff = ff_name->string;
        } else {
            for (size_t j = 0; j < ne; j++) {
                if (strcmp(es[j].to, name))
                    continue;
                if (ff) {
                    st = fail(c, n, name, "several edges come in and no pre_memory op names the "
                              "feedforward one ('input_name')");
                    goto out;
                }
                ff = es[j].from;
            }
            if (!ff) {
                st = fail(c, n, name, "no edge comes into this node");
                goto out;
            }
        }
        if ((int)i != first) {
            bool found = false;
            for (size_t j = 0; j < ne; j++)
                found |= !strcmp(es[j].to, name) && !strcmp(es[j].from, ff);
            if (!found) {
                st = fail(c, ff_name ? ff_name : n, name, "input_name '%s' is not an edge into this node", ff);
                goto out;
            }
        }
        /* tnn sizes a node from shape_from; rtpu from the feedforward input, so they must agree */
        const json_value *sf = json_member(n, "shape_from");
        if (sf && (sf->kind != JSON_STRING || strcmp(sf->string, ff))) {
            st = fail(c, sf, name, "field 'shape_from' must name the feedforward input '%s' (rtpu takes a node's "
                      "size from it)", ff);
            goto out;
        }
        const char *fb[MAX_NODES];
        int nfb = 0;
        for (size_t j = 0; j < ne; j++) {
            if (strcmp(es[j].to, name) || !strcmp(es[j].from, ff))
                continue;
            bool dup = false;
            for (int q = 0; q < nfb; q++)
                dup |= !strcmp(fb[q], es[j].from);
            if (!dup && nfb < MAX_NODES)
                fb[nfb++] = es[j].from;
        }
        qsort(fb, (size_t)nfb, sizeof fb[0], cmp_str);

        /* the node's conv: with no cell, an elu right after it is its activation (the
         * same values); the rgc11 cell's input_activation elu is the pre-conv's. */
        char convtxt[256] = "";
        int post_from = 0;
        if (conv_at == 0) {
            snprintf(convtxt, sizeof convtxt, "%s", ops[0].text);
            post_from = 1;
            bool no_act = !strstr(convtxt, "\"activation\"");
            char *end = strrchr(convtxt, '}');
            if (no_act && c->rgc11 && cell_layer && end) {
                snprintf(end, sizeof convtxt - (size_t)(end - convtxt), ", \"activation\": \"elu\"}");
            } else if (no_act && !cell[0] && nops > 1 && end &&
                       !strncmp(ops[1].text, "{\"op\": \"activation\", \"fn\": ", 27)) {
                char fn[16];
                if (sscanf(ops[1].text + 28, "%15[a-z]", fn) == 1) {
                    snprintf(end, sizeof convtxt - (size_t)(end - convtxt), ", \"activation\": \"%s\"}", fn);
                    post_from = 2;
                    if (!c->noted_fold)
                        sb_add(&c->notes, "an activation right after a cell-less node's conv is written as "
                                          "the conv's activation (the same values)\n");
                    c->noted_fold = true;
                }
            }
        }
        sb_add(out, "    {\"name\": \"%s\", \"input\": \"%s\"", name, ff);
        if (nfb) {
            sb_add(out, ", \"feedback\": [");
            for (int q = 0; q < nfb; q++)
                sb_add(out, "%s\"%s\"", q ? ", " : "", fb[q]);
            sb_add(out, "]");
        }
        if (convtxt[0])
            sb_add(out, ", \"conv\": %s", convtxt);
        if (cell[0])
            sb_add(out, ", \"cell\": %s", cell);
        if (nops > post_from) {
            sb_add(out, ", \"post\": [");
            for (int q = post_from; q < nops; q++)
                sb_add(out, "%s%s", q > post_from ? ", " : "", ops[q].text);
            sb_add(out, "]");
        }
        sb_add(out, "}%s\n", i + 1 < nodes->count ? "," : "");
    }
    sb_add(out, "  ],\n  \"readout\": {\"node\": \"%s\", \"decoder\": \"%s\"}\n}\n", readout, dec);
    st = RTPU_OK;
out:
    free(es);
    return st;
}

rtpu_status tnn_import(const char *text, size_t length, const char *source,
                       const tnn_import_options *opts, char **spec_out, char **notes_out,
                       rtpu_error *err)
{
    *spec_out = NULL;
    *notes_out = NULL;
    if (!opts || !opts->model_name)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: the zoo model's name is needed (it gives the cell type)", source);
    ctx c = {.src = source, .err = err};
    const char *base = strrchr(opts->model_name, '/');
    base = base ? base + 1 : opts->model_name;
    size_t k = 0;
    for (; base[k] && base[k] != '_' && base[k] != '.' && k + 1 < sizeof c.cell_type; k++)
        c.cell_type[k] = (char)((base[k] >= 'A' && base[k] <= 'Z') ? base[k] - 'A' + 'a' : base[k]);
    c.cell_type[k] = '\0';
    json_value *root = NULL;
    rtpu_status st = json_parse(text, length, source, &root, err);
    if (st)
        return st;
    sb_add(&c.notes, "cell type %s (from the model name %s)\n", c.cell_type, base);
    sbuf out = {0};
    st = convert(&c, root, opts, &out);
    json_destroy(root);
    if (!st && (out.oom || c.notes.oom))
        st = rtpu_fail(err, RTPU_ERR_NOMEM, "%s: out of memory", source);
    if (st) {
        free(out.p);
        free(c.notes.p);
        return st;
    }
    *spec_out = out.p;
    *notes_out = c.notes.p;
    return RTPU_OK;
}
