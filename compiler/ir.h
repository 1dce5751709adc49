/* The graph IR: the few core types every compiler pass and the CPU reference work on.
 *
 * A graph is a list of nodes joined by edges. Every edge carries a delay in time steps:
 * 1 for every edge between layers (docs/model-semantics.md section 1: node n at step t reads its
 * predecessors at t-1), 0 by default for edges out of the input node (the first layer
 * sees frame t at step t, so the image reaches layer l at step l-1). A node is
 *     harbor (combine inputs) -> pre-memory conv -> cell -> post-memory ops
 * and every stage but the harbor is optional. Passes, in order:
 *   parse.c     JSON spec -> graph (fields, types, names; positions kept for messages)
 *   validate.c  references, delays, cycles without delay, per-cell rules
 *   shapes.c    shape inference: every tensor's H x W x C, clamped kernels, MACs
 *   params.c    the parameter table: every weight tensor's name, shape and initialiser,
 *               bound to the node that owns it (node.param, post_op.kernel_param)
 *   unroll.c    the unrolled schedule: for every step, which (node, step) each node reads
 *               through which edge, and until when each value is live
 * graph.c runs the first four (graph_load) and owns the memory; executors build the
 * unrolled schedule for the number of steps they run. */
#ifndef RTPU_COMPILER_IR_H
#define RTPU_COMPILER_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/activation.h"
#include "common/error.h"
#include "common/tensor.h"

enum { NAME_MAX_LENGTH = 64, SPEC_FORMAT_VERSION = 1 };

typedef struct source_pos {
    int line, column; /* 0 when the item was not written in the file (a default) */
} source_pos;

/* ---- Schedule and readout ---------------------------------------------------------- */

typedef enum { SCHEDULE_DEFAULT, SCHEDULE_NEURAL, SCHEDULE_CONSTANT } schedule_mode;

/* The stimulus over time: frame t is the image for image_on_start <= t < image_on_end,
 * otherwise the constant blank value (in normalised units). */
typedef struct schedule {
    schedule_mode mode;
    int steps;
    int image_on_start, image_on_end;
    float blank_value;
} schedule;

/* last, max_conf and thresh are rtpu's; tmaxconf and dthresh are the model zoo's decoders
 * (convrnns/utils/decoders.py as model_func.py calls them; docs/model-semantics.md 1.9). */
typedef enum { DECODER_LAST, DECODER_MAX_CONF, DECODER_THRESH, DECODER_TMAXCONF, DECODER_DTHRESH } decoder_kind;

typedef struct decoder_spec {
    decoder_kind kind;
    float threshold;     /* thresh, dthresh */
    float beta;          /* tmaxconf, dthresh: softmax(beta * logits), the zoo's softmax_beta */
    int window_start;    /* tmaxconf, dthresh: first step read (default: the zoo's num_layers) */
    int window_end;      /* one past the last step read; 0 = the run's step count T */
} decoder_spec;

/* ---- Nodes ------------------------------------------------------------------------- */

typedef struct edge {
    int from;       /* source node index */
    int delay;      /* steps; the value read at step t is the source's output at t - delay */
    source_pos pos;
} edge;

typedef enum { CONV_FULL, CONV_SEPARABLE } conv_kind; /* separable: depthwise then 1x1 */

/* A convolution as written in the spec; geometry is filled in by shape inference. */
typedef struct conv_spec {
    bool present;
    int kernel_h, kernel_w; /* as written; geom holds the clamped size actually used */
    int stride;
    padding_mode padding;
    int channels;
    activation act;
    bool bias;
    float init_scale;       /* variance-scaling initialiser scale (fan-in, truncated normal) */
    conv_geom geom;
} conv_spec;

/* UGRNN and IntersectionRNN (Collins, Sohl-Dickstein and Sussillo 2017) follow the authors'
 * model zoo (convrnns/utils/cells.py; docs/model-semantics.md sections 2.9 and 2.10). */
typedef enum {
    CELL_NONE, CELL_TIME_DECAY, CELL_VANILLA, CELL_LSTM, CELL_GRU, CELL_RGC, CELL_UGRNN, CELL_INTERSECTION
} cell_type;

/* The six convolution paths of the reciprocal gated cell (docs/model-semantics.md section 2). */
typedef enum { RGC_T_C, RGC_G_C, RGC_A_C, RGC_T_H, RGC_G_H, RGC_A_H, RGC_PATH_COUNT } rgc_path_id;

typedef struct rgc_path {
    conv_kind kind;
    int kernel;      /* as written */
    conv_geom geom;  /* SAME, stride 1, kernel clamped to the cell's H x W */
} rgc_path;

typedef enum { FEEDBACK_ENTRY_INPUT, FEEDBACK_ENTRY_CELL, FEEDBACK_ENTRY_OUT } feedback_entry;

typedef struct cell_spec {
    cell_type type;
    source_pos pos;
    int channels;          /* output (h) channels; defaults to the pre-conv's channels */
    int kernel;            /* vanilla, lstm, gru, ugrnn, intersection: recurrent conv size (clamped in geom) */
    conv_geom geom;
    bool layer_norm;       /* vanilla, lstm, ugrnn, intersection */
    bool peepholes;        /* lstm */
    float forget_bias;     /* lstm; ugrnn and intersection: added to every gate (g; g_h and g_y) */
    float tau;             /* time decay: initial value of the trainable tau */
    float init_scale;      /* kernel initialiser scale for the cell's convs */
    /* reciprocal gated cell */
    int cell_channels;     /* depth of state c */
    float a_tau, a_g;
    activation tau_gate, gate_gate;          /* N_tau, N_g */
    activation cell_activation, out_activation; /* f_c, f_h */
    rgc_path path[RGC_PATH_COUNT];
    bool residual;         /* add u (projected when channels differ) into A_h */
    bool residual_projection; /* set by shape inference */
    feedback_entry entry;
    int feedback_kernel;
    conv_geom feedback_geom;
    float tau_bias, gate_bias; /* initial biases of the T and G paths */
} cell_spec;

/* Every parameter a node's harbor, pre-conv and cell can own, by role. The params pass
 * (params.c) names each "<node>/<slot name>" from one table and records on the node the
 * parameter-table index of each slot it has (node.param[slot], -1 where absent), so
 * executors reach weights by index and never rebuild a name. */
typedef enum param_slot {
    SLOT_PRE_KERNEL, SLOT_PRE_BIAS,
    SLOT_TAU,                                        /* time decay */
    SLOT_INPUT_KERNEL, SLOT_INPUT_BIAS, SLOT_STATE_KERNEL, SLOT_STATE_BIAS, SLOT_LN_GAMMA, SLOT_LN_BETA, /* vanilla */
    /* lstm, ugrnn, intersection: one gate conv over concat(x, h) and its layer norm */
    SLOT_XH_KERNEL, SLOT_XH_BIAS, SLOT_LN_GATES_GAMMA, SLOT_LN_GATES_BETA,
    SLOT_PEEPHOLE_I, SLOT_PEEPHOLE_F, SLOT_PEEPHOLE_O, SLOT_LN_STATE_GAMMA, SLOT_LN_STATE_BETA, /* lstm */
    SLOT_GATES_KERNEL, SLOT_GATES_BIAS, SLOT_CANDIDATE_KERNEL, SLOT_CANDIDATE_BIAS,   /* gru */
    SLOT_RGC_PATH,                                   /* RGC: 4 slots per path, rgc_slot() */
    SLOT_RGC_RESIDUAL_KERNEL = SLOT_RGC_PATH + 4 * 6,
    SLOT_RGC_FEEDBACK_KERNEL, SLOT_RGC_FEEDBACK_BIAS,
    SLOT_COUNT
} param_slot;

/* The four parameters of an RGC path: a full kernel, or depthwise + pointwise; a bias. */
typedef enum { RGC_PARAM_KERNEL, RGC_PARAM_DEPTHWISE, RGC_PARAM_POINTWISE, RGC_PARAM_BIAS } rgc_param;

/* conv, residual_add, activation and flatten are the post-memory functions of the model
 * zoo's 11-layer models (docs/model-semantics.md 1.7). */
typedef enum {
    POST_MAXPOOL, POST_AVGPOOL, POST_GLOBAL_AVG_POOL, POST_FC, POST_RESIDUAL,
    POST_CONV, POST_RESIDUAL_ADD, POST_ACTIVATION, POST_FLATTEN
} post_kind;

typedef struct post_op {
    post_kind kind;
    source_pos pos;
    int kernel, stride;    /* pools */
    padding_mode padding;
    int units;             /* fc */
    activation act;        /* fc, activation */
    bool bias;             /* fc */
    float init_scale;      /* fc */
    conv_spec conv;        /* conv: read like the pre-memory conv */
    bool projection;       /* residual, residual_add: 1x1 bias-free projection of the source */
    bool resize;           /* residual_add: the source is resized to the value's H x W first */
    int src_h, src_w, src_c; /* residual_add: its source, the pre-conv's input (the harbor) */
    conv_geom geom;        /* pools */
    int in_h, in_w, in_c, out_h, out_w, out_c;
    int kernel_param, bias_param; /* parameter-table indexes (fc, conv, projections), -1 if none */
} post_op;

typedef struct node {
    char name[NAME_MAX_LENGTH];
    source_pos pos;
    bool is_input;
    int input_h, input_w, input_c;   /* input node: the stimulus shape */

    bool has_input;
    edge input;           /* the feedforward input: defines the node's H x W */
    edge *feedback;       /* extra inputs, sorted by source name (concat order) */
    int feedback_count;

    conv_spec conv;       /* pre-memory conv (optional) */
    cell_spec cell;       /* local recurrent cell (optional) */
    post_op *post;        /* post-memory ops, in order */
    int post_count;

    /* Shape inference results (batch excluded). */
    int u_h, u_w, u_c;        /* feedforward input */
    int feedback_c;           /* sum of feedback channels */
    int harbor_c;             /* channels into the pre-conv (ff + fb for generic cells) */
    int x_h, x_w, x_c;        /* pre-conv output = cell input */
    int cell_h, cell_w, cell_c; /* cell output (h) */
    int out_h, out_w, out_c;  /* node output after post ops */
    uint64_t macs_per_step;

    /* Bound by the params pass: parameter-table index per slot, -1 where absent. */
    int param[SLOT_COUNT];
} node;

typedef struct graph {
    char *source;         /* file name, for messages */
    char name[NAME_MAX_LENGTH];
    int format;
    node *nodes;
    int node_count;
    int input_node;
    schedule sched;
    int readout_node;
    decoder_spec decoder;
    int *order;           /* evaluation order within a step: topological over 0-delay edges */
    struct param_table *params; /* every weight tensor, bound to its node (params.c) */
} graph;

/* ---- Parameters -------------------------------------------------------------------- */

/* INIT_GLOROT_UNIFORM is TF1's default for variables created without an initialiser, which
 * is how the zoo's UGRNN and IntersectionRNN kernels are made (docs/model-semantics.md 4.3). */
typedef enum { INIT_VARIANCE_SCALING, INIT_ZEROS, INIT_CONSTANT, INIT_GLOROT_UNIFORM } init_kind;

enum { PARAM_MAX_DIMS = 4 };

/* One weight tensor: name "<node>/<param>", e.g. "conv4/pre.kernel", HWIO for kernels. */
typedef struct param_info {
    char name[2 * NAME_MAX_LENGTH];
    int node;
    int slot;           /* param_slot of the node, or -1 for a post op's parameter */
    int post;           /* post-op index for a post op's parameter, else -1 */
    bool is_bias;       /* post op: the bias (else the kernel) */
    int ndim;
    int shape[PARAM_MAX_DIMS];
    size_t count;
    init_kind init;
    float init_value;   /* INIT_CONSTANT */
    float init_scale;   /* INIT_VARIANCE_SCALING, INIT_GLOROT_UNIFORM */
    int fan_in;         /* INIT_VARIANCE_SCALING: stddev = sqrt(scale / fan_in) */
    int fan_out;        /* INIT_GLOROT_UNIFORM: limit = sqrt(6 scale / (fan_in + fan_out)) */
} param_info;

struct param_table;
typedef struct param_table {
    param_info *params;
    int count;
    size_t total;       /* total scalar parameters */
} param_table;

/* ---- Passes ------------------------------------------------------------------------ */

/* Reads, parses, validates and shape-infers a spec file. */
rtpu_status graph_load(const char *path, graph **out, rtpu_error *err);
/* The same from text in memory; source names it in messages. */
rtpu_status graph_load_text(const char *text, size_t length, const char *source, graph **out,
                            rtpu_error *err);
void graph_destroy(graph *g);

rtpu_status graph_parse(const char *text, size_t length, const char *source, graph **out,
                        rtpu_error *err);
rtpu_status graph_validate(graph *g, rtpu_error *err);
rtpu_status graph_infer_shapes(graph *g, rtpu_error *err);

rtpu_status param_table_build(const graph *g, param_table *table, rtpu_error *err);
/* The params pass: builds g->params and records every index on its node and post op. */
rtpu_status graph_bind_params(graph *g, rtpu_error *err);
/* The slot of parameter k of RGC path `path`. */
param_slot rgc_slot(rgc_path_id path, rgc_param k);
/* The name of a slot ("pre.kernel", "cell.t_c.depthwise", ...). */
const char *param_slot_name(param_slot slot);
void param_table_destroy(param_table *table);
/* Index of the named parameter, or -1. */
int param_table_find(const param_table *table, const char *name);

/* Node index by name, or -1. */
int graph_find_node(const graph *g, const char *name);
const char *cell_type_name(cell_type type);
/* The frame shown at step t: true for the image, false for the blank frame. */
bool schedule_shows_image(const schedule *s, int step);
/* The steps [*start, *end) the decoder reads in a run of `steps` steps: all of them for
 * last, max_conf and thresh, the spec's window (end 0 = steps) for tmaxconf and dthresh.
 * False when that window is empty or ends past the run. */
bool decoder_window(const decoder_spec *d, int steps, int *start, int *end);

#endif
