/* Pass 1: spec JSON -> graph IR (format documented in docs/spec-format.md).
 *
 * This pass checks what can be checked on one object at a time: field names, types,
 * ranges, and that names refer to existing nodes. Rules that need the whole graph
 * (delays, cycles, shapes) belong to validate.c and shapes.c. Cells are read by
 * parse_cell.c. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/parse_internal.h"

static const char *const top_fields[] = {"format", "name", "description", "input", "schedule",
                                         "cells", "nodes", "readout", NULL};
static const char *const input_fields[] = {"name", "shape", NULL};
static const char *const schedule_fields[] = {"mode", "steps", "image_on", "blank", NULL};
static const char *const node_fields[] = {"name", "input", "feedback", "conv", "cell", "post",
                                          "description", NULL};
static const char *const conv_fields[] = {"kernel", "stride", "padding", "channels", "activation",
                                          "bias", "init_scale", NULL};
static const char *const edge_fields[] = {"from", "delay", NULL};
static const char *const readout_fields[] = {"node", "decoder", "threshold", "beta", "window", NULL};
static const char *const padding_names[] = {"same", "valid", NULL};

static rtpu_status read_name(const spec_reader *r, const json_value *v, char *out)
{
    if (!v || v->kind != JSON_STRING)
        return spec_fail(r, v, "a name must be a string");
    size_t n = strlen(v->string);
    if (n == 0 || n >= NAME_MAX_LENGTH)
        return spec_fail(r, v, "name '%.64s' must have 1..%d characters", v->string, NAME_MAX_LENGTH - 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v->string[i];
        if (!isalnum(c) && c != '_' && c != '-' && c != '.')
            return spec_fail(r, v, "name '%.64s' may contain only letters, digits, '_', '-' and '.'",
                             v->string);
    }
    memcpy(out, v->string, n + 1);
    return RTPU_OK;
}

/* An edge is "source" or {"from": "source", "delay": d}. Edges out of the input node
 * default to delay 0 (frame t reaches the first layer at step t), all others to 1. */
static rtpu_status read_edge(const spec_reader *r, const graph *g, const json_value *v,
                             const char *role, edge *out)
{
    const json_value *from = v;
    const json_value *delay = NULL;
    if (v->kind == JSON_OBJECT) {
        rtpu_status s = spec_check_object(r, v, "an edge", edge_fields);
        if (s)
            return s;
        from = json_member(v, "from");
        delay = json_member(v, "delay");
        if (!from)
            return spec_fail(r, v, "edge needs a 'from' field");
    }
    if (from->kind != JSON_STRING)
        return spec_fail(r, from, "%s must be a node name (a string) or {\"from\": name, \"delay\": d}", role);
    int source = graph_find_node(g, from->string);
    if (source < 0)
        return spec_fail(r, from, "%s from '%.64s', which does not exist", role, from->string);
    out->from = source;
    out->pos = spec_pos(from);
    out->delay = g->nodes[source].is_input ? 0 : 1;
    if (delay) {
        int d = out->delay;
        rtpu_status s = spec_int(r, v, "delay", false, 0, 1000, &d);
        if (s)
            return s;
        out->delay = d;
    }
    return RTPU_OK;
}

/* Insertion sort: feedback lists are a handful of edges. */
static void sort_edges_by_source_name(const graph *g, edge *edges, int count)
{
    for (int i = 1; i < count; i++)
        for (int j = i; j > 0 && strcmp(g->nodes[edges[j - 1].from].name, g->nodes[edges[j].from].name) > 0; j--) {
            edge tmp = edges[j];
            edges[j] = edges[j - 1];
            edges[j - 1] = tmp;
        }
}

/* The fields of a convolution, shared by the pre-memory conv and the post-memory conv op
 * so both read, default and check them by one rule. */
static rtpu_status read_conv_fields(const spec_reader *r, const json_value *obj, conv_spec *conv)
{
    *conv = (conv_spec){.present = true, .stride = 1, .padding = PADDING_SAME, .act = ACT_NONE,
                        .bias = true, .init_scale = 1.0f};
    int padding = 0;
    rtpu_status s;
    if ((s = spec_kernel(r, obj, "kernel", true, &conv->kernel_h, &conv->kernel_w)) ||
        (s = spec_int(r, obj, "stride", false, 1, 16, &conv->stride)) ||
        (s = spec_choice(r, obj, "padding", padding_names, &padding)) ||
        (s = spec_int(r, obj, "channels", true, 1, 65536, &conv->channels)) ||
        (s = spec_activation(r, obj, "activation", &conv->act)) ||
        (s = spec_bool(r, obj, "bias", &conv->bias)) ||
        (s = spec_float(r, obj, "init_scale", false, 0.0, 100.0, &conv->init_scale)))
        return s;
    conv->padding = padding == 0 ? PADDING_SAME : PADDING_VALID;
    return RTPU_OK;
}

rtpu_status parse_conv(const spec_reader *r, const json_value *obj, const char *what, conv_spec *conv)
{
    rtpu_status s = spec_check_object(r, obj, what, conv_fields);
    return s ? s : read_conv_fields(r, obj, conv);
}

static rtpu_status parse_post(const spec_reader *r, const json_value *v, post_op *op)
{
    /* In post_kind order. */
    static const char *const op_names[] = {"maxpool", "avgpool", "global_avg_pool", "fc", "residual", "conv",
                                           "residual_add", "activation", "flatten", NULL};
    static const char *const pool_fields[] = {"op", "kernel", "stride", "padding", NULL};
    static const char *const plain_fields[] = {"op", NULL};
    static const char *const fc_fields[] = {"op", "units", "activation", "bias", "init_scale", NULL};
    static const char *const conv_op_fields[] = {"op", "kernel", "stride", "padding", "channels", "activation",
                                                 "bias", "init_scale", NULL};
    static const char *const activation_fields[] = {"op", "fn", NULL};
    if (!v || v->kind != JSON_OBJECT)
        return spec_fail(r, v, "a post-memory op must be an object with an 'op' field");
    int kind = -1;
    rtpu_status s = spec_choice(r, v, "op", op_names, &kind);
    if (s)
        return s;
    if (kind < 0)
        return spec_fail(r, v, "post-memory op needs an 'op' field");
    *op = (post_op){.kind = (post_kind)kind, .pos = spec_pos(v), .padding = PADDING_SAME,
                    .bias = true, .init_scale = 1.0f};
    switch (op->kind) {
    case POST_MAXPOOL:
    case POST_AVGPOOL: {
        int padding = 0, kh = 0, kw = 0;
        if ((s = spec_check_object(r, v, "a pooling op", pool_fields)) ||
            (s = spec_kernel(r, v, "kernel", true, &kh, &kw)))
            return s;
        if (kh != kw)
            return spec_fail(r, json_member(v, "kernel"), "pooling windows must be square");
        op->kernel = kh;
        op->stride = kh;
        if ((s = spec_int(r, v, "stride", false, 1, 16, &op->stride)) ||
            (s = spec_choice(r, v, "padding", padding_names, &padding)))
            return s;
        op->padding = padding == 0 ? PADDING_SAME : PADDING_VALID;
        return RTPU_OK;
    }
    case POST_GLOBAL_AVG_POOL:
    case POST_RESIDUAL:
    case POST_RESIDUAL_ADD:
    case POST_FLATTEN:
        return spec_check_object(r, v, "this op", plain_fields);
    case POST_CONV:
        if ((s = spec_check_object(r, v, "a conv op", conv_op_fields)))
            return s;
        return read_conv_fields(r, v, &op->conv);
    case POST_ACTIVATION:
        if ((s = spec_check_object(r, v, "an activation op", activation_fields)))
            return s;
        if (!json_member(v, "fn"))
            return spec_fail(r, v, "missing field 'fn'");
        return spec_activation(r, v, "fn", &op->act);
    case POST_FC:
        if ((s = spec_check_object(r, v, "an fc op", fc_fields)) ||
            (s = spec_int(r, v, "units", true, 1, 1 << 20, &op->units)) ||
            (s = spec_activation(r, v, "activation", &op->act)) ||
            (s = spec_bool(r, v, "bias", &op->bias)) ||
            (s = spec_float(r, v, "init_scale", false, 0.0, 100.0, &op->init_scale)))
            return s;
        return RTPU_OK;
    }
    return RTPU_OK;
}

/* Every named cell is checked once, used or not, so a typo in a definition is never
 * silently ignored. */
static rtpu_status check_named_cells(const spec_reader *r, const json_value *cells)
{
    if (!cells)
        return RTPU_OK;
    if (cells->kind != JSON_OBJECT)
        return spec_fail(r, cells, "'cells' must be an object of named cell definitions");
    for (size_t i = 0; i < cells->count; i++) {
        json_value key = {.kind = JSON_STRING, .string = cells->keys[i], .line = cells->items[i].key_line,
                          .column = cells->items[i].key_column};
        char name[NAME_MAX_LENGTH];
        cell_spec unused;
        rtpu_status s = read_name(r, &key, name);
        if (!s)
            s = parse_cell(r, &cells->items[i], &unused);
        if (s)
            return s;
    }
    return RTPU_OK;
}

/* "cell" is either an object or the name of an entry in the top-level "cells" object,
 * so a model family can define its cell once. */
static rtpu_status parse_node_cell(const spec_reader *r, const json_value *cell, const json_value *cells,
                                   cell_spec *out)
{
    if (cell->kind != JSON_STRING)
        return parse_cell(r, cell, out);
    const json_value *named = json_member(cells, cell->string);
    if (!named)
        return spec_fail(r, cell, "cell '%.64s' is not defined in the top-level 'cells'", cell->string);
    rtpu_status s = parse_cell(r, named, out);
    if (!s)
        out->pos = spec_pos(cell);
    return s;
}

static rtpu_status parse_node(const spec_reader *top, graph *g, const json_value *v, const json_value *cells,
                              node *n)
{
    spec_reader r = *top;
    r.node = n->name;
    rtpu_status s;
    const char *description = NULL;
    if (v->kind != JSON_OBJECT)
        return spec_fail(top, v, "each node must be an object");
    if ((s = spec_string(&r, v, "description", false, &description)))
        return s;
    if (json_member(v, "input")) {
        if ((s = read_edge(&r, g, json_member(v, "input"), "input", &n->input)))
            return s;
        n->has_input = true;
    }
    const json_value *fb = json_member(v, "feedback");
    if (fb) {
        if (fb->kind != JSON_ARRAY)
            return spec_fail(&r, fb, "field 'feedback' must be an array of node names");
        n->feedback = calloc(fb->count ? fb->count : 1, sizeof *n->feedback);
        if (!n->feedback)
            return rtpu_fail(r.err, RTPU_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < fb->count; i++) {
            if ((s = read_edge(&r, g, &fb->items[i], "feedback", &n->feedback[i])))
                return s;
            for (size_t j = 0; j < i; j++)
                if (n->feedback[j].from == n->feedback[i].from)
                    return spec_fail(&r, &fb->items[i], "feedback from '%s' is listed twice",
                                     g->nodes[n->feedback[i].from].name);
            n->feedback_count++;
        }
        /* Concatenation order is sorted source-name order (docs/model-semantics.md section 1). */
        sort_edges_by_source_name(g, n->feedback, n->feedback_count);
    }
    if (json_member(v, "conv") && (s = parse_conv(&r, json_member(v, "conv"), "field 'conv'", &n->conv)))
        return s;
    if (json_member(v, "cell") && (s = parse_node_cell(&r, json_member(v, "cell"), cells, &n->cell)))
        return s;
    const json_value *post = json_member(v, "post");
    if (post) {
        if (post->kind != JSON_ARRAY)
            return spec_fail(&r, post, "field 'post' must be an array of ops");
        n->post = calloc(post->count ? post->count : 1, sizeof *n->post);
        if (!n->post)
            return rtpu_fail(r.err, RTPU_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < post->count; i++, n->post_count++)
            if ((s = parse_post(&r, &post->items[i], &n->post[i])))
                return s;
    }
    return RTPU_OK;
}

static rtpu_status parse_input(const spec_reader *r, graph *g, const json_value *v)
{
    rtpu_status s = spec_check_object(r, v, "field 'input'", input_fields);
    if (s)
        return s;
    node *n = &g->nodes[0];
    n->is_input = true;
    n->pos = spec_pos(v);
    strcpy(n->name, "image");
    if (json_member(v, "name") && (s = read_name(r, json_member(v, "name"), n->name)))
        return s;
    const json_value *shape = json_member(v, "shape");
    if (!shape || shape->kind != JSON_ARRAY || shape->count != 3)
        return spec_fail(r, shape ? shape : v, "input 'shape' must be [height, width, channels]");
    int dims[3];
    for (int i = 0; i < 3; i++) {
        const json_value *d = &shape->items[i];
        /* Range before any cast: converting an out-of-range double to int is undefined. */
        if (d->kind != JSON_NUMBER || !(d->number >= 1 && d->number <= 8192) || d->number != floor(d->number))
            return spec_fail(r, d, "input shape entries must be integers in 1..8192");
        dims[i] = (int)d->number;
    }
    n->input_h = dims[0];
    n->input_w = dims[1];
    n->input_c = dims[2];
    return RTPU_OK;
}

/* Defaults per mode (docs/model-semantics.md section 1): default = T 17, image at 0..11, blank 0.5;
 * neural = T 26, image at 0..9; constant = the image at every step. */
static rtpu_status parse_schedule(const spec_reader *r, graph *g, const json_value *v)
{
    static const char *const modes[] = {"default", "neural", "constant", NULL};
    schedule *sc = &g->sched;
    *sc = (schedule){.mode = SCHEDULE_DEFAULT, .steps = 17, .image_on_start = 0, .image_on_end = 12,
                     .blank_value = 0.5f};
    if (!v)
        return RTPU_OK;
    rtpu_status s = spec_check_object(r, v, "field 'schedule'", schedule_fields);
    int mode = 0;
    if (s || (s = spec_choice(r, v, "mode", modes, &mode)))
        return s;
    sc->mode = (schedule_mode)mode;
    if (sc->mode == SCHEDULE_NEURAL) {
        sc->steps = 26;
        sc->image_on_end = 10;
    }
    if ((s = spec_int(r, v, "steps", false, 1, 10000, &sc->steps)) ||
        (s = spec_float(r, v, "blank", false, -1e6, 1e6, &sc->blank_value)))
        return s;
    if (sc->mode == SCHEDULE_CONSTANT)
        sc->image_on_end = sc->steps;
    const json_value *on = json_member(v, "image_on");
    if (on && sc->mode == SCHEDULE_CONSTANT)
        return spec_fail(r, on, "'image_on' does not apply to mode 'constant' (the image is shown at every step)");
    if (on) {
        bool valid = on->kind == JSON_ARRAY && on->count == 2;
        for (size_t i = 0; valid && i < 2; i++) {
            double x = on->items[i].number;
            valid = on->items[i].kind == JSON_NUMBER && x >= 0 && x <= 10000 && x == floor(x);
        }
        if (!valid || on->items[1].number < on->items[0].number)
            return spec_fail(r, on, "'image_on' must be [first, end) steps with 0 <= first <= end");
        sc->image_on_start = (int)on->items[0].number;
        sc->image_on_end = (int)on->items[1].number;
        if (sc->image_on_end > sc->steps)
            return spec_fail(r, on, "'image_on' [%d, %d) goes past the schedule's %d steps", sc->image_on_start,
                             sc->image_on_end, sc->steps);
    }
    return RTPU_OK;
}

/* The zoo's window [first, end) of steps, checked like image_on. */
static rtpu_status read_window(const spec_reader *r, const json_value *v, int steps, decoder_spec *d)
{
    bool valid = v->kind == JSON_ARRAY && v->count == 2;
    for (size_t i = 0; valid && i < 2; i++) {
        double x = v->items[i].number;
        valid = v->items[i].kind == JSON_NUMBER && x >= 0 && x <= 10000 && x == floor(x);
    }
    if (!valid || v->items[1].number <= v->items[0].number)
        return spec_fail(r, v, "'window' must be [first, end) steps with 0 <= first < end");
    d->window_start = (int)v->items[0].number;
    d->window_end = (int)v->items[1].number;
    if (d->window_end > steps)
        return spec_fail(r, v, "'window' [%d, %d) goes past the schedule's %d steps", d->window_start, d->window_end,
                         steps);
    return RTPU_OK;
}

/* Each decoder takes only the fields it reads; last and max_conf keep accepting the
 * threshold they ignore, as they always have. The zoo's decoders read the steps
 * [num_layers, T) by default (model_func.py: decoder_start = num_layers, the graph's node
 * count without the input, decoder_end = times). */
static rtpu_status parse_readout(const spec_reader *r, graph *g, const json_value *v)
{
    static const char *const decoders[] = {"last", "max_conf", "thresh", "tmaxconf", "dthresh", NULL};
    static const char *const legacy_fields[] = {"node", "decoder", "threshold", NULL};
    static const char *const tmaxconf_fields[] = {"node", "decoder", "beta", "window", NULL};
    static const char *const dthresh_fields[] = {"node", "decoder", "threshold", "beta", "window", NULL};
    static const char *const *const fields[] = {legacy_fields, legacy_fields, legacy_fields, tmaxconf_fields,
                                                dthresh_fields};
    static const char *const what[] = {"a last readout", "a max_conf readout", "a thresh readout",
                                       "a tmaxconf readout", "a dthresh readout"};
    rtpu_status s = spec_check_object(r, v, "field 'readout'", readout_fields);
    const char *name = NULL;
    int kind = 0;
    if (s || (s = spec_string(r, v, "node", true, &name)) || (s = spec_choice(r, v, "decoder", decoders, &kind)) ||
        (s = spec_check_object(r, v, what[kind], fields[kind])))
        return s;
    decoder_spec *d = &g->decoder;
    *d = (decoder_spec){.kind = (decoder_kind)kind, .threshold = 0.9f, .beta = 1.0f,
                        .window_start = g->node_count - 1};
    if ((s = spec_float(r, v, "threshold", false, 0.0, 1.0, &d->threshold)) ||
        (s = spec_float(r, v, "beta", false, 0.0, 1000.0, &d->beta)))
        return s;
    const json_value *window = json_member(v, "window");
    if (window && (s = read_window(r, window, g->sched.steps, d)))
        return s;
    int start, end;
    if (!window && !decoder_window(d, g->sched.steps, &start, &end))
        return spec_fail(r, v, "the %s decoder reads from step %d (the zoo's num_layers: the graph's node count "
                         "besides the input), past the schedule's %d steps (write a 'window')",
                         decoders[kind], start, g->sched.steps);
    g->readout_node = graph_find_node(g, name);
    if (g->readout_node < 0)
        return spec_fail(r, json_member(v, "node"), "readout node '%.64s' does not exist", name);
    return RTPU_OK;
}

rtpu_status graph_parse(const char *text, size_t length, const char *source, graph **out,
                        rtpu_error *err)
{
    *out = NULL;
    json_value *root = NULL;
    rtpu_status s = json_parse(text, length, source, &root, err);
    if (s)
        return s;
    graph *g = calloc(1, sizeof *g);
    if (!g || !(g->source = strdup(source))) {
        free(g);
        json_destroy(root);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: out of memory", source);
    }
    spec_reader r = {.source = source, .err = err};
    const json_value *nodes = json_member(root, "nodes");
    if ((s = spec_check_object(&r, root, "the spec", top_fields)))
        goto done;
    g->format = 0;
    if ((s = spec_int(&r, root, "format", true, 0, 1 << 20, &g->format)))
        goto done;
    if (g->format != SPEC_FORMAT_VERSION) {
        s = spec_fail(&r, json_member(root, "format"), "spec format %d is not supported (this rtpu reads format %d)",
                      g->format, SPEC_FORMAT_VERSION);
        goto done;
    }
    strcpy(g->name, "graph");
    if (json_member(root, "name") && (s = read_name(&r, json_member(root, "name"), g->name)))
        goto done;
    const char *description = NULL;
    if ((s = spec_string(&r, root, "description", false, &description)))
        goto done;
    if ((s = check_named_cells(&r, json_member(root, "cells"))))
        goto done;
    if (!json_member(root, "input")) {
        s = spec_fail(&r, root, "missing field 'input'");
        goto done;
    }
    if (!nodes || nodes->kind != JSON_ARRAY || nodes->count == 0 || nodes->count > 4096) {
        s = spec_fail(&r, nodes ? nodes : root, "'nodes' must be an array of 1..4096 nodes");
        goto done;
    }
    /* Node 0 is the input; names of all nodes are read first so edges may point
     * forward or backward in the file. */
    g->node_count = (int)nodes->count + 1;
    g->nodes = calloc((size_t)g->node_count, sizeof *g->nodes);
    if (!g->nodes) {
        s = rtpu_fail(err, RTPU_ERR_NOMEM, "%s: out of memory", source);
        goto done;
    }
    if ((s = parse_input(&r, g, json_member(root, "input"))))
        goto done;
    for (size_t i = 0; i < nodes->count; i++) {
        const json_value *nv = &nodes->items[i];
        node *n = &g->nodes[i + 1];
        n->pos = spec_pos(nv);
        if (nv->kind != JSON_OBJECT) {
            s = spec_fail(&r, nv, "each node must be an object");
            goto done;
        }
        if (!json_member(nv, "name")) {
            s = spec_fail(&r, nv, "node has no 'name'");
            goto done;
        }
        if ((s = read_name(&r, json_member(nv, "name"), n->name)))
            goto done;
        spec_reader named = r;
        named.node = n->name;
        if ((s = spec_check_object(&named, nv, "a node", node_fields)))
            goto done;
        for (size_t j = 0; j <= i; j++)
            if (!strcmp(g->nodes[j].name, n->name)) {
                s = spec_fail(&r, json_member(nv, "name"), "node name '%s' is used twice", n->name);
                goto done;
            }
    }
    for (size_t i = 0; i < nodes->count; i++)
        if ((s = parse_node(&r, g, &nodes->items[i], json_member(root, "cells"), &g->nodes[i + 1])))
            goto done;
    if ((s = parse_schedule(&r, g, json_member(root, "schedule"))))
        goto done;
    if (!json_member(root, "readout")) {
        s = spec_fail(&r, root, "missing field 'readout'");
        goto done;
    }
    s = parse_readout(&r, g, json_member(root, "readout"));
done:
    json_destroy(root);
    if (s) {
        graph_destroy(g);
        return s;
    }
    *out = g;
    return RTPU_OK;
}
