/* Reads a node's "cell" object into a cell_spec (formats in docs/spec-format.md).
 *
 * Defaults make the common case short; the reciprocal gated cell (RGC) is the general
 * parametric form of docs/model-semantics.md section 2, so the paper's median cell is a configuration:
 * six paths (T_c, G_c, A_c, T_h, G_h, A_h), each a full or depthwise-separable conv of its
 * own size, gate nonlinearities, a_tau/a_g, residual bypass and the feedback entry point.
 * The UGRNN and IntersectionRNN take the options of the authors' model zoo cells
 * (ConvUGRNNCell, ConvIntersectionRNNCell): kernel, depth, forget bias and layer norm; their
 * defaults are the zoo's (forget bias 1, no layer norm). */
#include <string.h>

#include "compiler/parse_internal.h"

/* Indexed by cell_type. */
static const char *const cell_types[] = {"none", "time_decay", "vanilla", "lstm", "gru", "rgc", "ugrnn",
                                         "intersection", NULL};

static const char *const time_decay_fields[] = {"type", "tau", NULL};
static const char *const vanilla_fields[] = {"type", "channels", "kernel", "layer_norm", "init_scale", NULL};
static const char *const lstm_fields[] = {"type", "channels", "kernel", "peepholes", "layer_norm",
                                          "forget_bias", "init_scale", NULL};
static const char *const gru_fields[] = {"type", "channels", "kernel", "init_scale", NULL};
/* UGRNN and IntersectionRNN have the same options (the zoo's constructors take the same ones). */
static const char *const ugrnn_fields[] = {"type", "channels", "kernel", "layer_norm", "forget_bias", "init_scale",
                                           NULL};
static const char *const rgc_fields[] = {"type", "channels", "cell_channels", "a_tau", "a_g", "tau_gate",
                                         "gate_gate", "cell_activation", "out_activation", "paths",
                                         "residual", "feedback_entry", "feedback_kernel", "tau_bias",
                                         "gate_bias", "init_scale", NULL};
static const char *const path_names[] = {"t_c", "g_c", "a_c", "t_h", "g_h", "a_h", NULL};
static const char *const path_fields[] = {"conv", "kernel", NULL};
static const char *const conv_kinds[] = {"full", "separable", NULL};
static const char *const entries[] = {"input", "cell", "out", NULL};

const char *cell_type_name(cell_type type)
{
    return cell_types[type];
}

static rtpu_status parse_gate(const spec_reader *r, const json_value *obj, const char *key, activation *out)
{
    rtpu_status s = spec_activation(r, obj, key, out);
    if (!s && *out != ACT_SIGMOID && *out != ACT_TANH)
        return spec_fail(r, json_member(obj, key), "field '%s' must be sigmoid or tanh", key);
    return s;
}

static rtpu_status parse_rgc(const spec_reader *r, const json_value *obj, cell_spec *c)
{
    rtpu_status s;
    c->a_tau = c->a_g = 1.0f;
    c->tau_gate = c->gate_gate = ACT_SIGMOID;
    c->cell_activation = c->out_activation = ACT_ELU;
    c->entry = FEEDBACK_ENTRY_OUT;
    c->feedback_kernel = 1;
    for (int i = 0; i < RGC_PATH_COUNT; i++)
        c->path[i] = (rgc_path){.kind = CONV_FULL, .kernel = 3};
    int entry = FEEDBACK_ENTRY_OUT;
    if ((s = spec_check_object(r, obj, "an rgc cell", rgc_fields)) ||
        (s = spec_int(r, obj, "channels", false, 1, 65536, &c->channels)) ||
        (s = spec_int(r, obj, "cell_channels", false, 1, 65536, &c->cell_channels)) ||
        (s = spec_float(r, obj, "a_tau", false, -100, 100, &c->a_tau)) ||
        (s = spec_float(r, obj, "a_g", false, -100, 100, &c->a_g)) ||
        (s = parse_gate(r, obj, "tau_gate", &c->tau_gate)) ||
        (s = parse_gate(r, obj, "gate_gate", &c->gate_gate)) ||
        (s = spec_activation(r, obj, "cell_activation", &c->cell_activation)) ||
        (s = spec_activation(r, obj, "out_activation", &c->out_activation)) ||
        (s = spec_bool(r, obj, "residual", &c->residual)) ||
        (s = spec_choice(r, obj, "feedback_entry", entries, &entry)) ||
        (s = spec_int(r, obj, "feedback_kernel", false, 1, 64, &c->feedback_kernel)) ||
        (s = spec_float(r, obj, "tau_bias", false, -1e3, 1e3, &c->tau_bias)) ||
        (s = spec_float(r, obj, "gate_bias", false, -1e3, 1e3, &c->gate_bias)))
        return s;
    c->entry = (feedback_entry)entry;
    const json_value *paths = json_member(obj, "paths");
    if (!paths)
        return RTPU_OK;
    if ((s = spec_check_object(r, paths, "field 'paths'", path_names)))
        return s;
    for (int i = 0; i < RGC_PATH_COUNT; i++) {
        const json_value *p = json_member(paths, path_names[i]);
        if (!p)
            continue;
        int kind = CONV_FULL;
        if ((s = spec_check_object(r, p, "an rgc path", path_fields)) ||
            (s = spec_choice(r, p, "conv", conv_kinds, &kind)) ||
            (s = spec_int(r, p, "kernel", false, 1, 64, &c->path[i].kernel)))
            return s;
        c->path[i].kind = (conv_kind)kind;
    }
    return RTPU_OK;
}

rtpu_status parse_cell(const spec_reader *r, const json_value *obj, cell_spec *c)
{
    if (!obj || obj->kind != JSON_OBJECT)
        return spec_fail(r, obj, "field 'cell' must be an object with a 'type'");
    int type = -1;
    rtpu_status s = spec_choice(r, obj, "type", cell_types, &type);
    if (s)
        return s;
    if (type < 0)
        return spec_fail(r, obj, "cell needs a 'type' (time_decay, vanilla, lstm, gru, rgc, ugrnn or intersection)");
    *c = (cell_spec){.type = (cell_type)type, .pos = spec_pos(obj), .kernel = 3, .forget_bias = 1.0f,
                     .init_scale = 1.0f};
    if ((s = spec_float(r, obj, "init_scale", false, 0.0, 100.0, &c->init_scale)))
        return s;
    switch (c->type) {
    case CELL_NONE:
        return spec_check_object(r, obj, "a cell", (const char *const[]){"type", NULL});
    case CELL_TIME_DECAY:
        if ((s = spec_check_object(r, obj, "a time_decay cell", time_decay_fields)))
            return s;
        return spec_float(r, obj, "tau", false, -100, 100, &c->tau);
    case CELL_VANILLA:
        if ((s = spec_check_object(r, obj, "a vanilla cell", vanilla_fields)))
            return s;
        break;
    case CELL_LSTM:
        if ((s = spec_check_object(r, obj, "an lstm cell", lstm_fields)) ||
            (s = spec_bool(r, obj, "peepholes", &c->peepholes)) ||
            (s = spec_float(r, obj, "forget_bias", false, -100, 100, &c->forget_bias)))
            return s;
        break;
    case CELL_GRU:
        if ((s = spec_check_object(r, obj, "a gru cell", gru_fields)))
            return s;
        break;
    case CELL_RGC:
        return parse_rgc(r, obj, c);
    case CELL_UGRNN:
    case CELL_INTERSECTION:
        if ((s = spec_check_object(r, obj, c->type == CELL_UGRNN ? "a ugrnn cell" : "an intersection cell",
                                   ugrnn_fields)) ||
            (s = spec_float(r, obj, "forget_bias", false, -100, 100, &c->forget_bias)))
            return s;
        break;
    }
    if ((s = spec_int(r, obj, "channels", false, 1, 65536, &c->channels)) ||
        (s = spec_int(r, obj, "kernel", false, 1, 64, &c->kernel)) ||
        (s = spec_bool(r, obj, "layer_norm", &c->layer_norm)))
        return s;
    return RTPU_OK;
}
