/* A second, deliberately naive implementation of ConvRNN semantics, for testing the
 * fp32 CPU reference (runtime/cells.c, runtime/cell_rgc.c, runtime/cpu_ref.c).
 *
 * It is written from docs/model-semantics.md sections 1 and 2 and the conventions the lead fixed where
 * that text is silent (delay 0 out of the input node, layer-norm placement, gate orders),
 * never from the code under test: plain loops in double precision, no BLAS, no sharing
 * with runtime/. A test describes its graph a second time by hand as a naive_model (node
 * kinds, edges in concatenation order, cell options) and points the model at the same
 * weight arrays it gave the CPU reference; naive_model_run then unrolls the graph over
 * time by the definition "node n at step t reads its sources at t - delay, zeros before
 * step 0", computing each (node, step) once, on demand.
 *
 *   reference_naive.c          seeded numbers, tensors, conv/depthwise/resize/pool/norm
 *   reference_naive_model.c    the cells and the unroller
 *   reference_naive_fixture.c  one spec run through the CPU reference and the naive model */
#ifndef RTPU_TESTS_REFERENCE_NAIVE_H
#define RTPU_TESTS_REFERENCE_NAIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tensor.h"
#include "cpu/weights.h"

/* ---- Seeded test data ---------------------------------------------------------------- */

/* splitmix64 stream: the same seed gives the same numbers on every machine. */
typedef struct naive_rng {
    uint64_t state;
} naive_rng;

uint64_t naive_rng_next(naive_rng *rng);
/* Uniform in [low, high). */
double naive_rng_uniform(naive_rng *rng, double low, double high);
/* count floats uniform in [low, high), malloc'd (aborts on failure: tests only). */
float *naive_random_floats(naive_rng *rng, size_t count, double low, double high);

/* ---- Tensors and the primitive operations ---------------------------------------------- */

/* NHWC, double precision, owns its data. */
typedef struct naive_tensor {
    int n, h, w, c;
    double *data;
} naive_tensor;

naive_tensor naive_tensor_make(int n, int h, int w, int c); /* zero-filled; aborts on failure */
void naive_tensor_free(naive_tensor *t);
naive_tensor naive_tensor_copy(const naive_tensor *t);
size_t naive_tensor_count(const naive_tensor *t);

static inline double *naive_at(const naive_tensor *t, int b, int y, int x, int ch)
{
    return t->data + ((((size_t)b * t->h + y) * t->w + x) * t->c + ch);
}

typedef enum { NAIVE_IDENTITY, NAIVE_ELU, NAIVE_RELU, NAIVE_SIGMOID, NAIVE_TANH } naive_act;

double naive_activate(naive_act act, double v);
void naive_apply(naive_tensor *t, naive_act act);

/* Convolution, kernel HWIO [kh][kw][in_c][out_c], optional bias, TF SAME (total padding
 * max((out-1)*stride + k - in, 0), the smaller half before) or VALID. */
naive_tensor naive_conv(const naive_tensor *in, const float *kernel, int kh, int kw, int out_c,
                        const float *bias, int stride, bool same);
/* Depthwise SAME stride-1 convolution, multiplier 1, kernel [kh][kw][c], no bias. */
naive_tensor naive_depthwise(const naive_tensor *in, const float *kernel, int kh, int kw);
/* Bilinear resize. align_corners = true maps corner pixel centres onto each other
 * (source = dest * (in-1)/(out-1)); false is the half-pixel-free TF1 default
 * (source = dest * in/out), kept only to show a test can tell the two apart. */
naive_tensor naive_resize(const naive_tensor *in, int out_h, int out_w, bool align_corners);
/* Max pool, TF SAME (padding ignored, not zero) or VALID. */
naive_tensor naive_maxpool(const naive_tensor *in, int kernel, int stride, bool same);
/* Average pool, TF SAME (padded cells excluded from the count) or VALID. */
naive_tensor naive_avgpool(const naive_tensor *in, int kernel, int stride, bool same);
/* Mean over H and W: [n, 1, 1, c]. */
naive_tensor naive_global_avg_pool(const naive_tensor *in);
/* Fully connected on the NHWC flattening: weight [h*w*c][units], bias may be NULL. */
naive_tensor naive_fully_connected(const naive_tensor *in, const float *weight, const float *bias, int units);
/* Channel concatenation a then b (same n, h, w). */
naive_tensor naive_concat(const naive_tensor *a, const naive_tensor *b);
/* Channels [first, first + count) of in. */
naive_tensor naive_channels(const naive_tensor *in, int first, int count);
/* Layer norm per example over all of h*w*c (population variance, eps 1e-5), then
 * y * gamma[ch] + beta[ch]. In place. */
void naive_layer_norm(naive_tensor *t, const float *gamma, const float *beta);
/* a += b (same shape). */
void naive_add(naive_tensor *a, const naive_tensor *b);

/* ---- Graph model ----------------------------------------------------------------------- */

enum { NAIVE_MAX_NODES = 16, NAIVE_MAX_FEEDBACK = 4, NAIVE_MAX_POST = 6 };

typedef enum {
    NAIVE_NO_CELL, NAIVE_TIME_DECAY, NAIVE_VANILLA, NAIVE_LSTM, NAIVE_GRU, NAIVE_RGC, NAIVE_UGRNN, NAIVE_INTERSECTION
} naive_cell_type;
typedef enum { NAIVE_ENTRY_INPUT, NAIVE_ENTRY_CELL, NAIVE_ENTRY_OUT } naive_entry;
/* The RGC's six paths, in the order of docs/model-semantics.md: T_c, G_c, A_c, T_h, G_h, A_h. */
typedef enum { NAIVE_T_C, NAIVE_G_C, NAIVE_A_C, NAIVE_T_H, NAIVE_G_H, NAIVE_A_H, NAIVE_PATHS } naive_path_id;

/* One RGC path: a full conv (kernel + bias) or depthwise then pointwise 1x1 (+ bias).
 * kh, kw are the sizes actually used (already clamped to the cell's H x W). */
typedef struct naive_path {
    bool separable;
    int kh, kw;
    const float *kernel;    /* full: [kh][kw][in][out] */
    const float *depthwise; /* separable: [kh][kw][in] */
    const float *pointwise; /* separable: [1][1][in][out] */
    const float *bias;      /* [out] */
} naive_path;

typedef struct naive_cell {
    naive_cell_type type;
    int channels;          /* h channels (C) */
    int kh, kw;            /* vanilla, lstm, gru, ugrnn, intersection: recurrent conv size, already clamped */
    const float *tau;      /* time decay: one scalar */
    /* vanilla: h' = elu(LN?(W_i*x + b_i + W_s*h + b_s)) */
    const float *input_kernel, *input_bias, *state_kernel, *state_bias;
    bool layer_norm;
    const float *ln_gamma, *ln_beta;
    /* lstm: one conv over [x, h] to gates [i, j, f, o]. ugrnn: the same conv to [g, c]
     * (the zoo's g_act, c_act); intersection: to [g_h, h, g_y, y] (gh_act, h_act, gy_act,
     * y_act). forget_bias and, with layer_norm, ln_gates (one C-slice per block) too. */
    const float *kernel, *bias;
    bool peepholes;
    const float *peephole_i, *peephole_f, *peephole_o; /* [H][W][C] */
    double forget_bias;
    const float *ln_gates_gamma, *ln_gates_beta, *ln_state_gamma, *ln_state_beta;
    /* gru: [r, z] = sig(W_g*[x,h] + b_g), cand = tanh(W_c*[x, r.h] + b_c) */
    const float *gates_kernel, *gates_bias, *candidate_kernel, *candidate_bias;
    /* rgc */
    int cell_channels;
    double a_tau, a_g;
    naive_act tau_gate, gate_gate, cell_act, out_act;
    naive_path path[NAIVE_PATHS];
    bool residual;
    const float *residual_kernel; /* [1][1][u_c][C], NULL when u already has C channels */
    naive_entry entry;
    int feedback_kh, feedback_kw;
    const float *feedback_kernel, *feedback_bias;
} naive_cell;

/* A post-memory op after the cell (and after the node's max pool, if it has one). The
 * last four are the model zoo's post-memory functions (convrnns/utils/model_tool.py conv,
 * cell_utils.py residual_add, tf.nn.elu and the other activations, flatten). */
typedef enum {
    NAIVE_POST_MAXPOOL,
    NAIVE_POST_AVGPOOL,
    NAIVE_POST_GLOBAL_AVG,
    NAIVE_POST_FC,
    NAIVE_POST_RESIDUAL,
    NAIVE_POST_CONV,
    NAIVE_POST_RESIDUAL_ADD,
    NAIVE_POST_ACTIVATION,
    NAIVE_POST_FLATTEN
} naive_post_kind;

typedef struct naive_post {
    naive_post_kind kind;
    int kernel, stride;       /* pools; conv: kernel is the (square, clamped) size */
    bool same;                /* pools, conv */
    int units;                /* fc; conv: output channels */
    naive_act act;            /* fc, conv, activation */
    /* fc: [in][units]; residual: [1][1][u_c][c] projection or NULL; conv: [k][k][in][units];
     * residual_add: [1][1][harbor c][c] projection, or NULL when the harbor has the value's shape */
    const float *weights;
    const float *bias;        /* fc, conv; may be NULL */
} naive_post;

typedef struct naive_edge {
    int from, delay;
} naive_edge;

typedef struct naive_node {
    bool is_input;
    int input_h, input_w, input_c;  /* input node: the frame shape */
    naive_edge input;               /* feedforward source */
    naive_edge feedback[NAIVE_MAX_FEEDBACK]; /* in concatenation order */
    int feedback_count;
    bool has_conv;                  /* pre-memory conv */
    int conv_kh, conv_kw, conv_stride, conv_channels;
    bool conv_same;
    naive_act conv_act;
    const float *conv_kernel, *conv_bias; /* bias may be NULL */
    naive_cell cell;
    int pool_kernel, pool_stride;   /* post-memory max pool; 0 = none */
    bool pool_same;
    naive_post post[NAIVE_MAX_POST]; /* further post-memory ops, in order */
    int post_count;
} naive_node;

typedef struct naive_model {
    naive_node nodes[NAIVE_MAX_NODES];
    int node_count;
    int batch, steps;
    int image_on_start, image_on_end; /* frame t is the image for start <= t < end */
    double blank;
    bool resize_without_align_corners; /* a deliberate mistake, to show tests can tell */
    /* Filled by naive_model_run. */
    naive_tensor *outputs;            /* [step * node_count + node] */
    bool *computed;
    naive_tensor *state_h, *state_c;  /* per node */
    const float *images;
} naive_model;

/* One step of a cell: x is its input, u the node's feedforward input (RGC residual),
 * feedback the resized, concatenated feedback (RGC only; NULL if none). Replaces the
 * states h and c (c used only by lstm and rgc) and returns the output, which is the new h
 * for every cell but the intersection (its output y is not its state). */
naive_tensor naive_cell_step(const naive_cell *cell, const naive_tensor *x, const naive_tensor *u,
                             const naive_tensor *feedback, naive_tensor *h, naive_tensor *c);
/* A double copy of an fp32 tensor, and the values of a double tensor rounded to fp32. */
naive_tensor naive_from_tensor(const rtpu_tensor *t);
void naive_to_tensor(const naive_tensor *from, rtpu_tensor *to);

/* Unrolls the model over m->steps steps for batch x H x W x C images (NHWC). */
void naive_model_run(naive_model *m, const float *images);
const naive_tensor *naive_output(const naive_model *m, int node, int step);
void naive_model_free(naive_model *m);

/* ---- Comparison ---------------------------------------------------------------------- */

/* True when got has want's shape and every |got - want| <= tolerance * max(1, |want|);
 * otherwise prints the first offending element under `what` and returns false. */
bool naive_close(const rtpu_tensor *got, const naive_tensor *want, double tolerance, const char *what);
/* Largest |got - want| / max(1, |want|); shapes must match. */
double naive_relative_error(const rtpu_tensor *got, const naive_tensor *want);
/* Largest |a - b| over two naive tensors of one shape. */
double naive_max_difference(const naive_tensor *a, const naive_tensor *b);

/* ---- Fixture: one spec run through both the CPU reference and the naive model ---------- */

typedef struct naive_fixture {
    graph *g;
    weights *w;
    naive_rng rng;
    naive_model model; /* nodes indexed like the graph's (node 0 is the input) */
    double worst_error; /* largest relative error seen by fixture_compare */
    bool quiet;         /* fixture_run prints no mismatch (for deliberate ones) */
} naive_fixture;

/* Loads spec text written with single quotes for readability ('a' -> "a"), makes zero
 * weights and an empty naive model of as many nodes. Fails the test if it does not load. */
void fixture_load(naive_fixture *f, const char *spec, uint64_t seed);
void fixture_free(naive_fixture *f);
/* Graph index of a node; fails the test when there is none. */
int fixture_index(const naive_fixture *f, const char *name);
/* The naive description of node `name` (to be filled by the test). */
naive_node *fixture_node(naive_fixture *f, const char *name);
/* Fills "<node>/<suffix>" with uniform values in [low, high) after checking the parameter
 * table gives it exactly the shape dims[0..ndim); returns the array the CPU reference
 * reads. Fails the test when absent or shaped otherwise. */
float *fixture_param(naive_fixture *f, const char *node, const char *suffix, double low, double high, int ndim,
                     const int *dims);
/* A kernel [kh][kw][in][out] with uniform values of variance 1 / (kh*kw*in). */
float *fixture_kernel(naive_fixture *f, const char *node, const char *suffix, int kh, int kw, int in, int out);
/* A vector [length] uniform in [low, high). */
float *fixture_vector(naive_fixture *f, const char *node, const char *suffix, int length, double low, double high);
/* True when the graph has a parameter "<node>/<suffix>". */
bool fixture_has_param(const naive_fixture *f, const char *node, const char *suffix);
/* Describes the input node (index 0): frames of h x w x c. */
void fixture_input(naive_fixture *f, int h, int w, int c);
/* Describes node `name`'s feedforward edge and a SAME pre-conv with random weights
 * ("pre.kernel", "pre.bias"); in_c is the harbor's channel count. kh, kw are the sizes
 * actually used (clamped). Returns the node for further description. */
naive_node *fixture_conv_node(naive_fixture *f, const char *name, const char *from, int delay, int kh, int kw,
                              int stride, int in_c, int out_c, naive_act act);
/* The schedule the naive model uses: steps, frame t is the image for start <= t < end. */
void fixture_schedule(naive_fixture *f, int steps, int image_on_start, int image_on_end, double blank);
/* Random images for the batch (batch x input h x w x c), malloc'd. */
float *fixture_images(naive_fixture *f, int batch);
/* Runs the CPU reference (batch, the fixture's steps) and the naive model on the same
 * images; returns the largest relative error (floor 1) over every node and step, and
 * prints the first element beyond `tolerance`, if any. */
double fixture_run(naive_fixture *f, int batch, const float *images, double tolerance);
/* fixture_run that fails the test when any element is beyond `tolerance` (the first one
 * is printed with its node, step and position). */
void fixture_compare(naive_fixture *f, int batch, const float *images, double tolerance);

#endif
