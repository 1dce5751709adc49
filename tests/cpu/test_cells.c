/* Independent tests of the CPU reference's recurrent cells (runtime/cells.c,
 * runtime/cell_rgc.c), one cell type and option at a time.
 *
 * Each test writes a small spec, fills every weight with seeded random values, runs the
 * CPU reference over several steps (image frames, then blank frames) and compares every
 * node at every step with the naive model of reference_naive.h, which implements the
 * formulas of docs/model-semantics.md section 2 and the lead's conventions where it is silent:
 *   time decay  s' = tau*s + x, output s'
 *   vanilla     h' = elu(LN?(W_i*x + b_i + W_s*h + b_s)), LN per example over H*W*C,
 *               eps 1e-5, then gamma/beta per channel
 *   lstm        [i, j, f, o] = W*[x, h] + b; with layer norm each gate normalised on its
 *               own (its slice of ln_gates); c' = c*sig(f + forget_bias + w_f.c) +
 *               sig(i + w_i.c)*tanh(j), then LN(c') (ln_state); h' = tanh(c')*sig(o + w_o.c')
 *   gru         [r, z] = sig(W_g*[x, h] + b_g); cand = tanh(W_c*[x, r.h] + b_c);
 *               h' = z.h + (1-z).cand
 *   rgc         the general form of section 2; feedback enters at x ("input", before the
 *               A paths), A_c ("cell") or A_h ("out") through its own conv; residual adds
 *               u (1x1 bias-free projection when channels differ) to A_h.
 *   ugrnn       the zoo's ConvUGRNNCell: [g, c] = W*[x, h] + b, each block LN'd on its own;
 *               h' = sig(g + forget_bias).h + (1 - sig(g + forget_bias)).tanh(c)
 *   intersection the zoo's ConvIntersectionRNNCell: [g_h, h~, g_y, y~] = W*[x, h] + b, LN per
 *               block; h' = g_h.h + (1-g_h).tanh(h~) (state), y' = g_y.x + (1-g_y).relu(y~)
 *               (output), both gates sig(. + forget_bias).
 * Shapes are tiny and non-square (5 x 4) so a swapped height/width or a wrong SAME
 * padding (even kernels, kernels clamped to H x W) shows. The last tests feed cell_step
 * random non-zero states directly, show the comparison catches plausible mistakes, and
 * check the spec errors that belong to cells. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reference_naive.h"
#include "cpu/cells.h"

enum { BATCH = 2, STEPS = 6, IMAGE_END = 3 };
static const double TOLERANCE = 1e-4;

/* A spec with one input and some nodes; 6 steps, image at steps 0..2, then blank 0.5. */
#define SPEC(shape, nodes)                                                                     \
    "{'format': 1, 'input': {'name': 'image', 'shape': " shape "},"                            \
    " 'schedule': {'steps': 6, 'image_on': [0, 3], 'blank': 0.5},"                             \
    " 'nodes': [" nodes "], 'readout': {'node': 'image2'}}"

/* Every spec here ends with this node so the readout has a non-input target. */
#define READOUT_NODE "{'name': 'image2', 'input': 'image'}"
/* A 5 x 4 x 3 input, one node under test and the readout node. */
#define ONE_NODE(node) SPEC("[5, 4, 3]", node "," READOUT_NODE)

static void start(naive_fixture *f, const char *spec, uint64_t seed, int h, int w, int c)
{
    fixture_load(f, spec, seed);
    fixture_input(f, h, w, c);
    fixture_schedule(f, STEPS, 0, IMAGE_END, 0.5);
    naive_node *readout = fixture_node(f, "image2");
    readout->input = (naive_edge){0, 0};
}

/* Runs both implementations on random images and prints the worst error for the log. */
static void finish(naive_fixture *f, const char *what)
{
    float *images = fixture_images(f, BATCH);
    fixture_compare(f, BATCH, images, TOLERANCE);
    printf("  %-28s worst relative error %.2e\n", what, f->worst_error);
    free(images);
    fixture_free(f);
}

/* ---- Time decay ---------------------------------------------------------------------- */

static void test_time_decay(void **unused)
{
    (void)unused;
    naive_fixture f;
    start(&f,
          SPEC("[5, 4, 3]",
               "{'name': 'td', 'input': 'image', 'conv': {'kernel': 3, 'channels': 4, 'activation': 'elu'},"
               " 'cell': {'type': 'time_decay', 'tau': 0.5}},"
               "{'name': 'raw', 'input': 'image', 'cell': {'type': 'time_decay', 'tau': -0.6},"
               " 'post': [{'op': 'maxpool', 'kernel': 2}]}," READOUT_NODE),
          11, 5, 4, 3);
    naive_node *td = fixture_conv_node(&f, "td", "image", 0, 3, 3, 1, 3, 4, NAIVE_ELU);
    td->cell = (naive_cell){.type = NAIVE_TIME_DECAY, .channels = 4,
                            .tau = fixture_vector(&f, "td", "cell.tau", 1, 0.6, 0.95)};
    naive_node *raw = fixture_node(&f, "raw");
    raw->input = (naive_edge){0, 0};
    raw->cell = (naive_cell){.type = NAIVE_TIME_DECAY, .channels = 3,
                             .tau = fixture_vector(&f, "raw", "cell.tau", 1, -0.9, -0.3)};
    raw->pool_kernel = raw->pool_stride = 2;
    raw->pool_same = true;

    /* The spec's tau is the trainable parameter's initial value. */
    weights *initial = NULL;
    rtpu_error err = {0};
    assert_int_equal(weights_init(f.g, 5, 0, &initial, &err), RTPU_OK);
    assert_true(weights_find(initial, f.g, fixture_index(&f, "td"), "cell.tau")[0] == 0.5f);
    assert_true(weights_find(initial, f.g, fixture_index(&f, "raw"), "cell.tau")[0] == -0.6f);
    weights_destroy(initial);
    finish(&f, "time decay");
}

/* ---- Vanilla ------------------------------------------------------------------------- */

static void vanilla(naive_fixture *f, const char *name, int kh, int kw, int x_c, int C, bool layer_norm)
{
    naive_cell *cell = &fixture_node(f, name)->cell;
    *cell = (naive_cell){.type = NAIVE_VANILLA, .channels = C, .kh = kh, .kw = kw, .layer_norm = layer_norm};
    cell->input_kernel = fixture_kernel(f, name, "cell.input.kernel", kh, kw, x_c, C);
    cell->input_bias = fixture_vector(f, name, "cell.input.bias", C, -0.5, 0.5);
    cell->state_kernel = fixture_kernel(f, name, "cell.state.kernel", kh, kw, C, C);
    cell->state_bias = fixture_vector(f, name, "cell.state.bias", C, -0.5, 0.5);
    if (layer_norm) {
        cell->ln_gamma = fixture_vector(f, name, "cell.ln.gamma", C, 0.5, 1.5);
        cell->ln_beta = fixture_vector(f, name, "cell.ln.beta", C, -0.3, 0.3);
    } else {
        assert_false(fixture_has_param(f, name, "cell.ln.gamma"));
    }
}

static void test_vanilla(void **unused)
{
    (void)unused;
    naive_fixture f;
    start(&f,
          SPEC("[5, 4, 3]",
               "{'name': 'v', 'input': 'image', 'conv': {'kernel': 3, 'channels': 4, 'activation': 'elu'},"
               " 'cell': {'type': 'vanilla', 'channels': 5}},"
               "{'name': 'vln', 'input': 'image', 'conv': {'kernel': 2, 'channels': 3, 'activation': 'none'},"
               " 'cell': {'type': 'vanilla', 'kernel': 2, 'layer_norm': true}},"
               "{'name': 'vclamp', 'input': 'image', 'conv': {'kernel': [1, 3], 'channels': 2, 'activation': 'relu'},"
               " 'cell': {'type': 'vanilla', 'kernel': 7, 'channels': 3, 'layer_norm': true},"
               " 'post': [{'op': 'maxpool', 'kernel': 3, 'stride': 2}]}," READOUT_NODE),
          12, 5, 4, 3);
    fixture_conv_node(&f, "v", "image", 0, 3, 3, 1, 3, 4, NAIVE_ELU);
    vanilla(&f, "v", 3, 3, 4, 5, false);
    fixture_conv_node(&f, "vln", "image", 0, 2, 2, 1, 3, 3, NAIVE_IDENTITY);
    vanilla(&f, "vln", 2, 2, 3, 3, true);
    naive_node *clamp = fixture_conv_node(&f, "vclamp", "image", 0, 1, 3, 1, 3, 2, NAIVE_RELU);
    vanilla(&f, "vclamp", 5, 4, 2, 3, true); /* 7 x 7 clamps to the 5 x 4 cell */
    clamp->pool_kernel = 3;
    clamp->pool_stride = 2;
    clamp->pool_same = true;
    finish(&f, "vanilla (+ layer norm)");
}

/* ---- LSTM ---------------------------------------------------------------------------- */

static void lstm(naive_fixture *f, const char *name, int kh, int kw, int h, int w, int x_c, int C, bool peepholes,
                 bool layer_norm, double forget_bias)
{
    naive_cell *cell = &fixture_node(f, name)->cell;
    *cell = (naive_cell){.type = NAIVE_LSTM, .channels = C, .kh = kh, .kw = kw, .peepholes = peepholes,
                         .layer_norm = layer_norm, .forget_bias = forget_bias};
    cell->kernel = fixture_kernel(f, name, "cell.kernel", kh, kw, x_c + C, 4 * C);
    cell->bias = fixture_vector(f, name, "cell.bias", 4 * C, -0.5, 0.5);
    if (peepholes) {
        const int dims[] = {h, w, C};
        cell->peephole_i = fixture_param(f, name, "cell.peephole_i", -0.8, 0.8, 3, dims);
        cell->peephole_f = fixture_param(f, name, "cell.peephole_f", -0.8, 0.8, 3, dims);
        cell->peephole_o = fixture_param(f, name, "cell.peephole_o", -0.8, 0.8, 3, dims);
    } else {
        assert_false(fixture_has_param(f, name, "cell.peephole_i"));
    }
    if (layer_norm) {
        cell->ln_gates_gamma = fixture_vector(f, name, "cell.ln_gates.gamma", 4 * C, 0.5, 1.5);
        cell->ln_gates_beta = fixture_vector(f, name, "cell.ln_gates.beta", 4 * C, -0.3, 0.3);
        cell->ln_state_gamma = fixture_vector(f, name, "cell.ln_state.gamma", C, 0.5, 1.5);
        cell->ln_state_beta = fixture_vector(f, name, "cell.ln_state.beta", C, -0.3, 0.3);
    }
}

#define LSTM_NODES                                                                                              \
    "{'name': 'plain', 'input': 'image', 'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'},"            \
    " 'cell': {'type': 'lstm', 'channels': 4}},"                                                                 \
    "{'name': 'peep', 'input': 'image', 'conv': {'kernel': 1, 'channels': 2},"                                  \
    " 'cell': {'type': 'lstm', 'kernel': 2, 'peepholes': true, 'forget_bias': 0.5}},"                           \
    "{'name': 'norm', 'input': 'image', 'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'},"             \
    " 'cell': {'type': 'lstm', 'channels': 3, 'layer_norm': true}},"                                             \
    "{'name': 'both', 'input': 'image', 'cell': {'type': 'lstm', 'kernel': 7, 'channels': 2, 'peepholes': true," \
    " 'layer_norm': true}, 'post': [{'op': 'maxpool', 'kernel': 2}]}," READOUT_NODE

static void describe_lstm_graph(naive_fixture *f)
{
    fixture_conv_node(f, "plain", "image", 0, 3, 3, 1, 3, 3, NAIVE_ELU);
    lstm(f, "plain", 3, 3, 5, 4, 3, 4, false, false, 1.0); /* forget_bias defaults to 1 */
    fixture_conv_node(f, "peep", "image", 0, 1, 1, 1, 3, 2, NAIVE_IDENTITY);
    lstm(f, "peep", 2, 2, 5, 4, 2, 2, true, false, 0.5);
    fixture_conv_node(f, "norm", "image", 0, 3, 3, 1, 3, 3, NAIVE_ELU);
    lstm(f, "norm", 3, 3, 5, 4, 3, 3, false, true, 1.0);
    naive_node *both = fixture_node(f, "both");
    both->input = (naive_edge){0, 0};
    lstm(f, "both", 5, 4, 5, 4, 3, 2, true, true, 1.0); /* 7 x 7 clamps to 5 x 4 */
    both->pool_kernel = both->pool_stride = 2;
    both->pool_same = true;
}

static void test_lstm(void **unused)
{
    (void)unused;
    naive_fixture f;
    start(&f, SPEC("[5, 4, 3]", LSTM_NODES), 13, 5, 4, 3);
    describe_lstm_graph(&f);
    finish(&f, "lstm (peepholes, layer norm)");
}

/* ---- GRU ----------------------------------------------------------------------------- */

static void gru(naive_fixture *f, const char *name, int k, int x_c, int C)
{
    naive_cell *cell = &fixture_node(f, name)->cell;
    *cell = (naive_cell){.type = NAIVE_GRU, .channels = C, .kh = k, .kw = k};
    cell->gates_kernel = fixture_kernel(f, name, "cell.gates.kernel", k, k, x_c + C, 2 * C);
    cell->gates_bias = fixture_vector(f, name, "cell.gates.bias", 2 * C, -1.0, 1.0);
    cell->candidate_kernel = fixture_kernel(f, name, "cell.candidate.kernel", k, k, x_c + C, C);
    cell->candidate_bias = fixture_vector(f, name, "cell.candidate.bias", C, -0.5, 0.5);
}

static void test_gru(void **unused)
{
    (void)unused;
    naive_fixture f;
    start(&f,
          SPEC("[5, 4, 3]",
               "{'name': 'g3', 'input': 'image', 'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'},"
               " 'cell': {'type': 'gru', 'channels': 4}},"
               "{'name': 'g1', 'input': 'image', 'cell': {'type': 'gru', 'kernel': 1},"
               " 'post': [{'op': 'maxpool', 'kernel': 2}]}," READOUT_NODE),
          14, 5, 4, 3);
    fixture_conv_node(&f, "g3", "image", 0, 3, 3, 1, 3, 3, NAIVE_ELU);
    gru(&f, "g3", 3, 3, 4);
    naive_node *g1 = fixture_node(&f, "g1");
    g1->input = (naive_edge){0, 0};
    gru(&f, "g1", 1, 3, 3);
    g1->pool_kernel = g1->pool_stride = 2;
    g1->pool_same = true;
    finish(&f, "gru");
}

/* ---- UGRNN and IntersectionRNN -------------------------------------------------------- */

/* Describes a ugrnn or intersection cell of C channels on an x of x_c channels: its one
 * conv over [x, h] (2 or 4 blocks of C) and, with layer norm, a gamma/beta slice per block. */
static void gated(naive_fixture *f, const char *name, naive_cell_type type, int kh, int kw, int x_c, int C,
                  bool layer_norm, double forget_bias)
{
    naive_cell *cell = &fixture_node(f, name)->cell;
    int blocks = type == NAIVE_UGRNN ? 2 : 4;
    *cell = (naive_cell){.type = type, .channels = C, .kh = kh, .kw = kw, .layer_norm = layer_norm,
                         .forget_bias = forget_bias};
    cell->kernel = fixture_kernel(f, name, "cell.kernel", kh, kw, x_c + C, blocks * C);
    cell->bias = fixture_vector(f, name, "cell.bias", blocks * C, -0.8, 0.8);
    if (layer_norm) {
        cell->ln_gates_gamma = fixture_vector(f, name, "cell.ln_gates.gamma", blocks * C, 0.5, 1.5);
        cell->ln_gates_beta = fixture_vector(f, name, "cell.ln_gates.beta", blocks * C, -0.3, 0.3);
    } else {
        assert_false(fixture_has_param(f, name, "cell.ln_gates.gamma"));
    }
    assert_false(fixture_has_param(f, name, "cell.peephole_i"));
    assert_false(fixture_has_param(f, name, "cell.ln_state.gamma"));
}

#define UGRNN_NODES                                                                                             \
    "{'name': 'plain', 'input': 'image', 'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'},"            \
    " 'cell': {'type': 'ugrnn', 'channels': 4}},"                                                                \
    "{'name': 'norm', 'input': 'image', 'conv': {'kernel': 2, 'channels': 2},"                                  \
    " 'cell': {'type': 'ugrnn', 'kernel': 2, 'layer_norm': true, 'forget_bias': -0.5}},"                        \
    "{'name': 'clamp', 'input': 'image', 'cell': {'type': 'ugrnn', 'kernel': 7, 'channels': 2, 'layer_norm': true,"\
    " 'forget_bias': 0}, 'post': [{'op': 'maxpool', 'kernel': 2}]}," READOUT_NODE

static void describe_ugrnn_graph(naive_fixture *f)
{
    fixture_conv_node(f, "plain", "image", 0, 3, 3, 1, 3, 3, NAIVE_ELU);
    gated(f, "plain", NAIVE_UGRNN, 3, 3, 3, 4, false, 1.0); /* the zoo's forget_bias = 1.0 by default */
    fixture_conv_node(f, "norm", "image", 0, 2, 2, 1, 3, 2, NAIVE_IDENTITY);
    gated(f, "norm", NAIVE_UGRNN, 2, 2, 2, 2, true, -0.5);
    naive_node *clamp = fixture_node(f, "clamp");
    clamp->input = (naive_edge){0, 0};
    gated(f, "clamp", NAIVE_UGRNN, 5, 4, 3, 2, true, 0.0); /* 7 x 7 clamps to the 5 x 4 cell */
    clamp->pool_kernel = clamp->pool_stride = 2;
    clamp->pool_same = true;
}

static void test_ugrnn(void **unused)
{
    (void)unused;
    naive_fixture f;
    start(&f, SPEC("[5, 4, 3]", UGRNN_NODES), 23, 5, 4, 3);
    describe_ugrnn_graph(&f);
    finish(&f, "ugrnn (+ layer norm)");
}

#define INTERSECTION_NODES                                                                                      \
    "{'name': 'plain', 'input': 'image', 'conv': {'kernel': 3, 'channels': 4, 'activation': 'elu'},"            \
    " 'cell': {'type': 'intersection'}},"                                                                        \
    "{'name': 'norm', 'input': 'image', 'conv': {'kernel': 3, 'channels': 3},"                                  \
    " 'cell': {'type': 'intersection', 'channels': 3, 'kernel': 2, 'layer_norm': true, 'forget_bias': 0.3}},"    \
    "{'name': 'raw', 'input': 'image', 'cell': {'type': 'intersection', 'kernel': 5, 'layer_norm': true},"       \
    " 'post': [{'op': 'maxpool', 'kernel': 3, 'stride': 2}]},"                                                  \
    "{'name': 'next', 'input': 'plain', 'cell': {'type': 'intersection', 'kernel': 1}}," READOUT_NODE

static void describe_intersection_graph(naive_fixture *f)
{
    fixture_conv_node(f, "plain", "image", 0, 3, 3, 1, 3, 4, NAIVE_ELU);
    gated(f, "plain", NAIVE_INTERSECTION, 3, 3, 4, 4, false, 1.0);
    fixture_conv_node(f, "norm", "image", 0, 3, 3, 1, 3, 3, NAIVE_IDENTITY);
    gated(f, "norm", NAIVE_INTERSECTION, 2, 2, 3, 3, true, 0.3);
    naive_node *raw = fixture_node(f, "raw"); /* no pre-conv: x = the image itself */
    raw->input = (naive_edge){0, 0};
    gated(f, "raw", NAIVE_INTERSECTION, 5, 4, 3, 3, true, 1.0);
    raw->pool_kernel = 3;
    raw->pool_stride = 2;
    raw->pool_same = true;
    /* Reads 'plain' one step late: its input is plain's output y, not plain's state. */
    naive_node *next = fixture_node(f, "next");
    next->input = (naive_edge){fixture_index(f, "plain"), 1};
    gated(f, "next", NAIVE_INTERSECTION, 1, 1, 4, 4, false, 1.0);
}

static void test_intersection(void **unused)
{
    (void)unused;
    naive_fixture f;
    start(&f, SPEC("[5, 4, 3]", INTERSECTION_NODES), 24, 5, 4, 3);
    describe_intersection_graph(&f);
    finish(&f, "intersection (+ layer norm)");
}

static int draw(naive_rng *rng, int low, int high) /* uniform integer in [low, high] */
{
    return low + (int)(naive_rng_next(rng) % (uint64_t)(high - low + 1));
}

/* Random sizes, odd ones included (1 x 1, 7 x 3, single channels), kernels that clamp,
 * layer norm on and off, forget biases of either sign and T = 1..6: a chain image -> u
 * (ugrnn after a pre-conv) -> i (intersection after a pre-conv) plus an intersection
 * straight on the image, so its depth is the image's. */
static void test_gated_random_shapes(void **unused)
{
    (void)unused;
    for (int trial = 0; trial < 12; trial++) {
        naive_rng seeds = {1000 + (uint64_t)trial};
        int h = draw(&seeds, 1, 7), w = draw(&seeds, 1, 7), c = draw(&seeds, 1, 4);
        int xu = draw(&seeds, 1, 5), cu = draw(&seeds, 1, 5), ku = draw(&seeds, 1, 5);
        int xi = draw(&seeds, 1, 5), ki = draw(&seeds, 1, 4), kr = draw(&seeds, 1, 3);
        bool lnu = draw(&seeds, 0, 1), lni = draw(&seeds, 0, 1), lnr = draw(&seeds, 0, 1);
        double fu = naive_rng_uniform(&seeds, -1.5, 1.5), fi = naive_rng_uniform(&seeds, -1.5, 1.5);
        int steps = 1 + trial % 6;
        char spec[2048];
        snprintf(spec, sizeof spec,
                 "{'format': 1, 'input': {'name': 'image', 'shape': [%d, %d, %d]},"
                 " 'schedule': {'steps': %d, 'image_on': [0, %d], 'blank': 0.5},"
                 " 'nodes': ["
                 "  {'name': 'u', 'input': 'image', 'conv': {'kernel': 3, 'channels': %d},"
                 "   'cell': {'type': 'ugrnn', 'channels': %d, 'kernel': %d, 'layer_norm': %s, 'forget_bias': %.17g}},"
                 "  {'name': 'i', 'input': 'u', 'conv': {'kernel': 2, 'channels': %d, 'activation': 'elu'},"
                 "   'cell': {'type': 'intersection', 'kernel': %d, 'layer_norm': %s, 'forget_bias': %.17g}},"
                 "  {'name': 'r', 'input': 'image', 'cell': {'type': 'intersection', 'kernel': %d, 'layer_norm': %s}}],"
                 " 'readout': {'node': 'i'}}",
                 h, w, c, steps, (steps + 1) / 2, xu, cu, ku, lnu ? "true" : "false", fu, xi, ki,
                 lni ? "true" : "false", fi, kr, lnr ? "true" : "false");
        naive_fixture f;
        fixture_load(&f, spec, 2000 + (uint64_t)trial);
        fixture_input(&f, h, w, c);
        fixture_schedule(&f, steps, 0, (steps + 1) / 2, 0.5);
        fixture_conv_node(&f, "u", "image", 0, h < 3 ? h : 3, w < 3 ? w : 3, 1, c, xu, NAIVE_IDENTITY);
        gated(&f, "u", NAIVE_UGRNN, ku < h ? ku : h, ku < w ? ku : w, xu, cu, lnu, fu);
        fixture_conv_node(&f, "i", "u", 1, h < 2 ? h : 2, w < 2 ? w : 2, 1, cu, xi, NAIVE_ELU);
        gated(&f, "i", NAIVE_INTERSECTION, ki < h ? ki : h, ki < w ? ki : w, xi, xi, lni, fi);
        fixture_node(&f, "r")->input = (naive_edge){0, 0};
        gated(&f, "r", NAIVE_INTERSECTION, kr < h ? kr : h, kr < w ? kr : w, c, c, lnr, 1.0);
        char what[128];
        snprintf(what, sizeof what, "gated %dx%dx%d T=%d k=%d/%d/%d ln=%d%d%d", h, w, c, steps, ku, ki, kr, lnu, lni,
                 lnr);
        float *images = fixture_images(&f, BATCH);
        fixture_compare(&f, BATCH, images, TOLERANCE);
        printf("  %-44s worst relative error %.2e\n", what, f.worst_error);
        free(images);
        fixture_free(&f);
    }
}

/* ---- Reciprocal gated cell ----------------------------------------------------------- */

/* How a test writes one RGC: paths as "F" (full) or "S" (separable) with the kernel
 * sizes actually used (clamped), and the options that differ from the defaults. */
typedef struct rgc_layout {
    int x_c, C, cell_c;
    const char *kinds;       /* six letters, order t_c g_c a_c t_h g_h a_h */
    int kh[NAIVE_PATHS], kw[NAIVE_PATHS];
    double a_tau, a_g;
    naive_act tau_gate, gate_gate, cell_act, out_act;
} rgc_layout;

static const char *const path_names[NAIVE_PATHS] = {"t_c", "g_c", "a_c", "t_h", "g_h", "a_h"};

static naive_cell *rgc(naive_fixture *f, const char *name, const rgc_layout *l)
{
    naive_cell *cell = &fixture_node(f, name)->cell;
    *cell = (naive_cell){.type = NAIVE_RGC, .channels = l->C, .cell_channels = l->cell_c, .a_tau = l->a_tau,
                         .a_g = l->a_g, .tau_gate = l->tau_gate, .gate_gate = l->gate_gate,
                         .cell_act = l->cell_act, .out_act = l->out_act, .entry = NAIVE_ENTRY_OUT};
    const int in[NAIVE_PATHS] = {l->cell_c, l->C, l->x_c, l->C, l->cell_c, l->x_c};
    const int out[NAIVE_PATHS] = {l->cell_c, l->cell_c, l->cell_c, l->C, l->C, l->C};
    for (int i = 0; i < NAIVE_PATHS; i++) {
        naive_path *p = &cell->path[i];
        char key[64];
        p->separable = l->kinds[i] == 'S';
        p->kh = l->kh[i];
        p->kw = l->kw[i];
        if (p->separable) {
            double limit = sqrt(3.0 / (p->kh * p->kw));
            snprintf(key, sizeof key, "cell.%s.depthwise", path_names[i]);
            p->depthwise = fixture_param(f, name, key, -limit, limit, 3, (const int[]){p->kh, p->kw, in[i]});
            snprintf(key, sizeof key, "cell.%s.pointwise", path_names[i]);
            p->pointwise = fixture_kernel(f, name, key, 1, 1, in[i], out[i]);
            snprintf(key, sizeof key, "cell.%s.kernel", path_names[i]);
            assert_false(fixture_has_param(f, name, key));
        } else {
            snprintf(key, sizeof key, "cell.%s.kernel", path_names[i]);
            p->kernel = fixture_kernel(f, name, key, p->kh, p->kw, in[i], out[i]);
        }
        snprintf(key, sizeof key, "cell.%s.bias", path_names[i]);
        p->bias = fixture_vector(f, name, key, out[i], -0.7, 0.7);
    }
    return cell;
}

/* The defaults of an rgc cell: a_tau = a_g = 1, sigmoid gates, elu, full 3 x 3 paths. */
static rgc_layout default_rgc(int x_c, int C, int cell_c, int kh, int kw)
{
    rgc_layout l = {.x_c = x_c, .C = C, .cell_c = cell_c, .kinds = "FFFFFF", .a_tau = 1, .a_g = 1,
                    .tau_gate = NAIVE_SIGMOID, .gate_gate = NAIVE_SIGMOID, .cell_act = NAIVE_ELU,
                    .out_act = NAIVE_ELU};
    for (int i = 0; i < NAIVE_PATHS; i++)
        l.kh[i] = kh, l.kw[i] = kw;
    return l;
}

static void test_rgc_defaults(void **unused)
{
    (void)unused;
    naive_fixture f;
    start(&f,
          SPEC("[5, 4, 3]",
               "{'name': 'r', 'input': 'image', 'conv': {'kernel': 3, 'channels': 4, 'activation': 'elu'},"
               " 'cell': {'type': 'rgc'}},"
               "{'name': 'rs', 'input': 'image',"
               " 'conv': {'kernel': 3, 'stride': 2, 'channels': 3, 'activation': 'elu'},"
               " 'cell': {'type': 'rgc', 'channels': 2, 'cell_channels': 3}}," READOUT_NODE),
          15, 5, 4, 3);
    fixture_conv_node(&f, "r", "image", 0, 3, 3, 1, 3, 4, NAIVE_ELU);
    rgc_layout r = default_rgc(4, 4, 4, 3, 3);
    rgc(&f, "r", &r);
    /* Stride 2: the cell runs at 3 x 2, so its 3 x 3 paths clamp to 3 x 2. */
    fixture_conv_node(&f, "rs", "image", 0, 3, 3, 2, 3, 3, NAIVE_ELU);
    rgc_layout rs = default_rgc(3, 2, 3, 3, 2);
    rgc(&f, "rs", &rs);
    assert_false(fixture_has_param(&f, "r", "cell.residual.kernel"));
    assert_false(fixture_has_param(&f, "r", "cell.feedback.kernel"));
    finish(&f, "rgc defaults");
}

static void test_rgc_paths(void **unused)
{
    (void)unused;
    naive_fixture f;
    start(&f,
          SPEC("[5, 4, 3]",
               "{'name': 'mix', 'input': 'image', 'conv': {'kernel': 3, 'channels': 2, 'activation': 'elu'},"
               " 'cell': {'type': 'rgc', 'channels': 4, 'cell_channels': 3, 'a_tau': 0.8, 'a_g': 1.3,"
               " 'tau_gate': 'tanh', 'gate_gate': 'sigmoid', 'cell_activation': 'identity', 'out_activation': 'elu',"
               " 'paths': {'t_c': {'conv': 'separable', 'kernel': 7}, 'g_c': {'conv': 'full', 'kernel': 1},"
               " 'a_c': {'kernel': 2}, 't_h': {'conv': 'separable', 'kernel': 3}, 'g_h': {'kernel': 7},"
               " 'a_h': {'conv': 'separable', 'kernel': 2}}}},"
               "{'name': 'mix2', 'input': 'image', 'conv': {'kernel': 3, 'channels': 3},"
               " 'cell': {'type': 'rgc', 'cell_channels': 2, 'tau_gate': 'tanh', 'gate_gate': 'tanh',"
               " 'cell_activation': 'elu', 'out_activation': 'none', 'a_tau': 0.6, 'a_g': 0.9,"
               " 'paths': {'t_c': {'conv': 'separable', 'kernel': 1}, 'g_c': {'conv': 'separable', 'kernel': 2},"
               " 'a_c': {'conv': 'separable', 'kernel': 7}, 't_h': {'kernel': 1},"
               " 'g_h': {'conv': 'separable', 'kernel': 3}, 'a_h': {'kernel': 7}}}}," READOUT_NODE),
          16, 5, 4, 3);
    fixture_conv_node(&f, "mix", "image", 0, 3, 3, 1, 3, 2, NAIVE_ELU);
    rgc_layout mix = {.x_c = 2, .C = 4, .cell_c = 3, .kinds = "SFFSFS", .kh = {5, 1, 2, 3, 5, 2},
                      .kw = {4, 1, 2, 3, 4, 2}, .a_tau = 0.8, .a_g = 1.3, .tau_gate = NAIVE_TANH,
                      .gate_gate = NAIVE_SIGMOID, .cell_act = NAIVE_IDENTITY, .out_act = NAIVE_ELU};
    rgc(&f, "mix", &mix);
    fixture_conv_node(&f, "mix2", "image", 0, 3, 3, 1, 3, 3, NAIVE_IDENTITY);
    rgc_layout mix2 = {.x_c = 3, .C = 3, .cell_c = 2, .kinds = "SSSFSF", .kh = {1, 2, 5, 1, 3, 5},
                       .kw = {1, 2, 4, 1, 3, 4}, .a_tau = 0.6, .a_g = 0.9, .tau_gate = NAIVE_TANH,
                       .gate_gate = NAIVE_TANH, .cell_act = NAIVE_ELU, .out_act = NAIVE_IDENTITY};
    rgc(&f, "mix2", &mix2);
    finish(&f, "rgc paths 1/2/3/7/clamped");
}

static void test_rgc_residual(void **unused)
{
    (void)unused;
    naive_fixture f;
    start(&f,
          SPEC("[5, 4, 3]",
               "{'name': 'same', 'input': 'image', 'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'},"
               " 'cell': {'type': 'rgc', 'residual': true}},"
               "{'name': 'proj', 'input': 'image', 'conv': {'kernel': 3, 'channels': 4, 'activation': 'elu'},"
               " 'cell': {'type': 'rgc', 'residual': true, 'cell_channels': 2}},"
               "{'name': 'direct', 'input': 'image', 'cell': {'type': 'rgc', 'residual': true, 'channels': 2}},"
               READOUT_NODE),
          17, 5, 4, 3);
    fixture_conv_node(&f, "same", "image", 0, 3, 3, 1, 3, 3, NAIVE_ELU);
    rgc_layout same = default_rgc(3, 3, 3, 3, 3);
    rgc(&f, "same", &same)->residual = true; /* u has C channels: added as is */
    assert_false(fixture_has_param(&f, "same", "cell.residual.kernel"));

    fixture_conv_node(&f, "proj", "image", 0, 3, 3, 1, 3, 4, NAIVE_ELU);
    rgc_layout proj = default_rgc(4, 4, 2, 3, 3);
    naive_cell *cell = rgc(&f, "proj", &proj);
    cell->residual = true;
    cell->residual_kernel = fixture_kernel(&f, "proj", "cell.residual.kernel", 1, 1, 3, 4);

    naive_node *direct = fixture_node(&f, "direct"); /* no pre-conv: x = u */
    direct->input = (naive_edge){0, 0};
    rgc_layout d = default_rgc(3, 2, 2, 3, 3);
    cell = rgc(&f, "direct", &d);
    cell->residual = true;
    cell->residual_kernel = fixture_kernel(&f, "direct", "cell.residual.kernel", 1, 1, 3, 2);
    finish(&f, "rgc residual");
}

/* Feedback into rgc cells at each entry point. 'top' is pooled to 3 x 3 and resized to
 * 6 x 6; 'ccell' takes two sources, concatenated in name order (cin, then top). */
static void test_rgc_feedback_entries(void **unused)
{
    (void)unused;
    naive_fixture f;
    start(&f,
          SPEC("[6, 6, 2]",
               "{'name': 'cin', 'input': 'image', 'feedback': ['top'], 'conv': {'kernel': 3, 'channels': 4,"
               " 'activation': 'elu'}, 'cell': {'type': 'rgc', 'channels': 3, 'feedback_entry': 'input'}},"
               "{'name': 'ccell', 'input': 'image', 'feedback': ['top', 'cin'], 'conv': {'kernel': 3, 'channels': 3,"
               " 'activation': 'elu'}, 'cell': {'type': 'rgc', 'cell_channels': 2, 'feedback_entry': 'cell',"
               " 'feedback_kernel': 2}},"
               "{'name': 'cout', 'input': 'image', 'feedback': ['top'], 'conv': {'kernel': 3, 'channels': 3,"
               " 'activation': 'elu'}, 'cell': {'type': 'rgc', 'feedback_entry': 'out', 'feedback_kernel': 3,"
               " 'residual': true}},"
               "{'name': 'top', 'input': 'cin', 'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'},"
               " 'post': [{'op': 'maxpool', 'kernel': 2}]}," READOUT_NODE),
          18, 6, 6, 2);
    int top = fixture_index(&f, "top"), cin = fixture_index(&f, "cin");

    naive_node *n = fixture_conv_node(&f, "cin", "image", 0, 3, 3, 1, 2, 4, NAIVE_ELU);
    rgc_layout l = default_rgc(4, 3, 3, 3, 3);
    naive_cell *cell = rgc(&f, "cin", &l);
    cell->entry = NAIVE_ENTRY_INPUT; /* fbconv(f) has x's 4 channels */
    cell->feedback_kh = cell->feedback_kw = 1;
    cell->feedback_kernel = fixture_kernel(&f, "cin", "cell.feedback.kernel", 1, 1, 3, 4);
    cell->feedback_bias = fixture_vector(&f, "cin", "cell.feedback.bias", 4, -0.5, 0.5);
    n->feedback[n->feedback_count++] = (naive_edge){top, 1};

    n = fixture_conv_node(&f, "ccell", "image", 0, 3, 3, 1, 2, 3, NAIVE_ELU);
    l = default_rgc(3, 3, 2, 3, 3);
    cell = rgc(&f, "ccell", &l);
    cell->entry = NAIVE_ENTRY_CELL; /* into A_c: cell_channels 2 */
    cell->feedback_kh = cell->feedback_kw = 2;
    cell->feedback_kernel = fixture_kernel(&f, "ccell", "cell.feedback.kernel", 2, 2, 6, 2);
    cell->feedback_bias = fixture_vector(&f, "ccell", "cell.feedback.bias", 2, -0.5, 0.5);
    n->feedback[n->feedback_count++] = (naive_edge){cin, 1};
    n->feedback[n->feedback_count++] = (naive_edge){top, 1};

    n = fixture_conv_node(&f, "cout", "image", 0, 3, 3, 1, 2, 3, NAIVE_ELU);
    l = default_rgc(3, 3, 3, 3, 3);
    cell = rgc(&f, "cout", &l);
    cell->entry = NAIVE_ENTRY_OUT;
    cell->residual = true; /* u has 2 channels, the cell 3 */
    cell->residual_kernel = fixture_kernel(&f, "cout", "cell.residual.kernel", 1, 1, 2, 3);
    cell->feedback_kh = cell->feedback_kw = 3;
    cell->feedback_kernel = fixture_kernel(&f, "cout", "cell.feedback.kernel", 3, 3, 3, 3);
    cell->feedback_bias = fixture_vector(&f, "cout", "cell.feedback.bias", 3, -0.5, 0.5);
    n->feedback[n->feedback_count++] = (naive_edge){top, 1};

    n = fixture_conv_node(&f, "top", "cin", 1, 3, 3, 1, 3, 3, NAIVE_ELU);
    n->pool_kernel = n->pool_stride = 2;
    n->pool_same = true;
    finish(&f, "rgc feedback input/cell/out");
}

/* The paper's median cell (docs/model-semantics.md section 2) at toy size: cell depth 3 instead of 64,
 * everything else as graphs/median.json, on a conv1 -> conv5 -> conv7 -> conv8 chain with
 * feedback conv7, conv8 -> conv5 (two sources, 4 x 4 resized to 8 x 8). */
static void test_median_cell(void **unused)
{
    (void)unused;
    naive_fixture f;
    fixture_load(&f,
                 "{'format': 1, 'input': {'name': 'image', 'shape': [8, 8, 3]},"
                 " 'schedule': {'steps': 6, 'image_on': [0, 3], 'blank': 0.5},"
                 " 'cells': {'median_rgc': {'type': 'rgc', 'cell_channels': 3, 'a_tau': 0.92193, 'a_g': 0.70066,"
                 "  'tau_gate': 'sigmoid', 'gate_gate': 'tanh', 'cell_activation': 'elu', 'out_activation': 'elu',"
                 "  'paths': {'t_c': {'conv': 'separable', 'kernel': 7}, 'g_c': {'conv': 'separable', 'kernel': 7},"
                 "  'a_c': {'conv': 'full', 'kernel': 2}, 't_h': {'conv': 'separable', 'kernel': 7},"
                 "  'g_h': {'conv': 'separable', 'kernel': 7}, 'a_h': {'conv': 'full', 'kernel': 3}},"
                 "  'residual': true, 'feedback_entry': 'out', 'feedback_kernel': 1}},"
                 " 'nodes': ["
                 "  {'name': 'conv1', 'input': 'image', 'conv': {'kernel': 3, 'channels': 4, 'activation': 'elu'}},"
                 "  {'name': 'conv5', 'input': 'conv1', 'feedback': ['conv8', 'conv7'],"
                 "   'conv': {'kernel': 3, 'channels': 5, 'activation': 'elu'}, 'cell': 'median_rgc'},"
                 "  {'name': 'conv7', 'input': 'conv5', 'conv': {'kernel': 3, 'channels': 5, 'activation': 'elu'},"
                 "   'cell': 'median_rgc', 'post': [{'op': 'maxpool', 'kernel': 2, 'stride': 2}]},"
                 "  {'name': 'conv8', 'input': 'conv7', 'conv': {'kernel': 3, 'channels': 6, 'activation': 'elu'},"
                 "   'cell': 'median_rgc'}],"
                 " 'readout': {'node': 'conv8'}}",
                 19);
    fixture_input(&f, 8, 8, 3);
    fixture_schedule(&f, STEPS, 0, IMAGE_END, 0.5);
    fixture_conv_node(&f, "conv1", "image", 0, 3, 3, 1, 3, 4, NAIVE_ELU);

    rgc_layout big = {.x_c = 5, .C = 5, .cell_c = 3, .kinds = "SSFSSF", .kh = {7, 7, 2, 7, 7, 3},
                      .kw = {7, 7, 2, 7, 7, 3}, .a_tau = 0.92193, .a_g = 0.70066, .tau_gate = NAIVE_SIGMOID,
                      .gate_gate = NAIVE_TANH, .cell_act = NAIVE_ELU, .out_act = NAIVE_ELU};
    naive_node *n = fixture_conv_node(&f, "conv5", "conv1", 1, 3, 3, 1, 4, 5, NAIVE_ELU);
    naive_cell *cell = rgc(&f, "conv5", &big);
    cell->residual = true;
    cell->residual_kernel = fixture_kernel(&f, "conv5", "cell.residual.kernel", 1, 1, 4, 5);
    cell->entry = NAIVE_ENTRY_OUT;
    cell->feedback_kh = cell->feedback_kw = 1;
    cell->feedback_kernel = fixture_kernel(&f, "conv5", "cell.feedback.kernel", 1, 1, 5 + 6, 5);
    cell->feedback_bias = fixture_vector(&f, "conv5", "cell.feedback.bias", 5, -0.5, 0.5);
    n->feedback[n->feedback_count++] = (naive_edge){fixture_index(&f, "conv7"), 1};
    n->feedback[n->feedback_count++] = (naive_edge){fixture_index(&f, "conv8"), 1};

    n = fixture_conv_node(&f, "conv7", "conv5", 1, 3, 3, 1, 5, 5, NAIVE_ELU);
    cell = rgc(&f, "conv7", &big);
    cell->residual = true; /* 5 -> 5: no projection */
    assert_false(fixture_has_param(&f, "conv7", "cell.residual.kernel"));
    n->pool_kernel = n->pool_stride = 2;
    n->pool_same = true;

    /* conv8 runs at 4 x 4: its 7 x 7 depthwise kernels clamp to 4 x 4. */
    rgc_layout small = big;
    small.C = 6;
    for (int i = 0; i < NAIVE_PATHS; i++)
        small.kh[i] = small.kw[i] = big.kh[i] > 4 ? 4 : big.kh[i];
    small.x_c = 6;
    fixture_conv_node(&f, "conv8", "conv7", 1, 3, 3, 1, 5, 6, NAIVE_ELU);
    cell = rgc(&f, "conv8", &small);
    cell->residual = true;
    cell->residual_kernel = fixture_kernel(&f, "conv8", "cell.residual.kernel", 1, 1, 5, 6);
    finish(&f, "median cell");
}

/* ---- cell_step with arbitrary states ------------------------------------------------- */

/* From step 1 on a cell's states are whatever earlier steps left; here they are set
 * directly to random values (c negative and positive, |h| up to 2) for one cell_step. */
static void check_one_step(naive_fixture *f, const char *name, bool with_feedback, int feedback_c)
{
    rtpu_error err = {0};
    int index = fixture_index(f, name);
    const node *gn = &f->g->nodes[index];
    naive_node *n = &f->model.nodes[index];
    cell_state state;
    assert_int_equal(cell_state_create(f->g, index, BATCH, &state, &err), RTPU_OK);
    rtpu_tensor x, u, fb = {0}, out;
    assert_int_equal(tensor_create(&x, BATCH, gn->cell_h, gn->cell_w, gn->x_c, &err), RTPU_OK);
    assert_int_equal(tensor_create(&u, BATCH, gn->u_h, gn->u_w, gn->u_c, &err), RTPU_OK);
    assert_int_equal(tensor_create(&out, BATCH, gn->cell_h, gn->cell_w, gn->cell_c, &err), RTPU_OK);
    if (with_feedback)
        assert_int_equal(tensor_create(&fb, BATCH, gn->u_h, gn->u_w, feedback_c, &err), RTPU_OK);
    rtpu_tensor *all[] = {&x, &u, &fb, &state.h, &state.c};
    for (size_t k = 0; k < sizeof all / sizeof *all; k++)
        for (size_t i = 0; all[k]->data && i < tensor_count(all[k]); i++)
            all[k]->data[i] = (float)naive_rng_uniform(&f->rng, -2.0, 2.0);
    naive_tensor nx = naive_from_tensor(&x), nu = naive_from_tensor(&u), nh = naive_from_tensor(&state.h);
    naive_tensor nc = state.c.data ? naive_from_tensor(&state.c) : naive_tensor_make(1, 1, 1, 1);
    naive_tensor nfb = with_feedback ? naive_from_tensor(&fb) : (naive_tensor){0};
    naive_tensor want = naive_cell_step(&n->cell, &nx, &nu, with_feedback ? &nfb : NULL, &nh, &nc);

    cell_inputs in = {.x = &x, .u = &u, .feedback = with_feedback ? &fb : NULL};
    assert_int_equal(cell_step(f->g, f->w, index, &in, &state, &out, &err), RTPU_OK);
    char what[96];
    snprintf(what, sizeof what, "cell_step of '%s' (output)", name);
    assert_true(naive_close(&out, &want, TOLERANCE, what));
    snprintf(what, sizeof what, "cell_step of '%s' (new h)", name);
    assert_true(naive_close(&state.h, &nh, TOLERANCE, what));
    if (state.c.data) {
        snprintf(what, sizeof what, "cell_step of '%s' (new c)", name);
        assert_true(naive_close(&state.c, &nc, TOLERANCE, what));
    }
    naive_tensor free_list[] = {nx, nu, nh, nc, nfb, want};
    for (size_t k = 0; k < sizeof free_list / sizeof *free_list; k++)
        if (free_list[k].data)
            naive_tensor_free(&free_list[k]);
    tensor_destroy(&x);
    tensor_destroy(&u);
    tensor_destroy(&fb);
    tensor_destroy(&out);
    cell_state_destroy(&state);
}

static void test_cell_step_random_states(void **unused)
{
    (void)unused;
    naive_fixture f;
    start(&f, SPEC("[5, 4, 3]", LSTM_NODES), 20, 5, 4, 3);
    describe_lstm_graph(&f);
    check_one_step(&f, "plain", false, 0);
    check_one_step(&f, "peep", false, 0);
    check_one_step(&f, "norm", false, 0);
    check_one_step(&f, "both", false, 0);
    fixture_free(&f);

    start(&f,
          SPEC("[5, 4, 3]",
               "{'name': 'g', 'input': 'image', 'conv': {'kernel': 3, 'channels': 3},"
               " 'cell': {'type': 'gru', 'kernel': 2}},"
               "{'name': 'v', 'input': 'image', 'cell': {'type': 'vanilla', 'channels': 2, 'layer_norm': true}},"
               "{'name': 'td', 'input': 'image', 'cell': {'type': 'time_decay', 'tau': 0.3}},"
               "{'name': 'r', 'input': 'image', 'feedback': ['g'], 'conv': {'kernel': 3, 'channels': 4},"
               " 'cell': {'type': 'rgc', 'channels': 2, 'cell_channels': 3, 'residual': true, 'feedback_entry': 'cell',"
               " 'gate_gate': 'tanh', 'paths': {'t_c': {'conv': 'separable', 'kernel': 2}}}}," READOUT_NODE),
          21, 5, 4, 3);
    fixture_conv_node(&f, "g", "image", 0, 3, 3, 1, 3, 3, NAIVE_IDENTITY);
    gru(&f, "g", 2, 3, 3);
    fixture_node(&f, "v")->input = (naive_edge){0, 0};
    vanilla(&f, "v", 3, 3, 3, 2, true);
    naive_node *td = fixture_node(&f, "td");
    td->input = (naive_edge){0, 0};
    td->cell = (naive_cell){.type = NAIVE_TIME_DECAY, .channels = 3,
                            .tau = fixture_vector(&f, "td", "cell.tau", 1, 0.2, 0.9)};
    naive_node *r = fixture_conv_node(&f, "r", "image", 0, 3, 3, 1, 3, 4, NAIVE_IDENTITY);
    rgc_layout l = default_rgc(4, 2, 3, 3, 3);
    l.kinds = "SFFFFF";
    l.kh[0] = l.kw[0] = 2;
    l.gate_gate = NAIVE_TANH;
    naive_cell *cell = rgc(&f, "r", &l);
    cell->residual = true;
    cell->residual_kernel = fixture_kernel(&f, "r", "cell.residual.kernel", 1, 1, 3, 2);
    cell->entry = NAIVE_ENTRY_CELL;
    cell->feedback_kh = cell->feedback_kw = 1;
    cell->feedback_kernel = fixture_kernel(&f, "r", "cell.feedback.kernel", 1, 1, 3, 3);
    cell->feedback_bias = fixture_vector(&f, "r", "cell.feedback.bias", 3, -0.5, 0.5);
    r->feedback[r->feedback_count++] = (naive_edge){fixture_index(&f, "g"), 1};
    check_one_step(&f, "g", false, 0);
    check_one_step(&f, "v", false, 0);
    check_one_step(&f, "td", false, 0);
    check_one_step(&f, "r", true, 3);
    /* And the whole unrolled graph, including a generic cell (gru) feeding an rgc. */
    finish(&f, "cell_step, random states");

    start(&f, SPEC("[5, 4, 3]", UGRNN_NODES), 25, 5, 4, 3);
    describe_ugrnn_graph(&f);
    check_one_step(&f, "plain", false, 0);
    check_one_step(&f, "norm", false, 0);
    check_one_step(&f, "clamp", false, 0);
    fixture_free(&f);
    start(&f, SPEC("[5, 4, 3]", INTERSECTION_NODES), 26, 5, 4, 3);
    describe_intersection_graph(&f);
    check_one_step(&f, "plain", false, 0);
    check_one_step(&f, "norm", false, 0);
    check_one_step(&f, "raw", false, 0);
    fixture_free(&f);
}

/* ---- The comparison can fail --------------------------------------------------------- */

/* Plausible mistakes, made in the naive model's description, must each push the error
 * far beyond the tolerance: otherwise the tests above could not catch them in the code. */
static void test_comparison_detects_mistakes(void **unused)
{
    (void)unused;
    naive_fixture f;
    start(&f, SPEC("[5, 4, 3]", LSTM_NODES), 13, 5, 4, 3);
    describe_lstm_graph(&f);
    float *images = fixture_images(&f, BATCH);
    assert_true(fixture_run(&f, BATCH, images, TOLERANCE) <= TOLERANCE);
    f.quiet = true;

    naive_cell *plain = &fixture_node(&f, "plain")->cell;
    plain->forget_bias = 0.0; /* forgetting the forget bias */
    assert_true(fixture_run(&f, BATCH, images, TOLERANCE) > 100 * TOLERANCE);
    plain->forget_bias = 1.0;

    naive_cell *norm = &fixture_node(&f, "norm")->cell;
    norm->layer_norm = false; /* no layer norm */
    assert_true(fixture_run(&f, BATCH, images, TOLERANCE) > 100 * TOLERANCE);
    norm->layer_norm = true;

    naive_cell *peep = &fixture_node(&f, "peep")->cell;
    const float *swap = peep->peephole_i; /* input and forget peepholes swapped */
    peep->peephole_i = peep->peephole_f;
    peep->peephole_f = swap;
    assert_true(fixture_run(&f, BATCH, images, TOLERANCE) > 100 * TOLERANCE);
    peep->peephole_f = peep->peephole_i;
    peep->peephole_i = swap;

    fixture_node(&f, "both")->pool_same = false; /* VALID pooling instead of SAME */
    assert_true(fixture_run(&f, BATCH, images, TOLERANCE) > 100 * TOLERANCE);
    fixture_node(&f, "both")->pool_same = true;
    assert_true(fixture_run(&f, BATCH, images, TOLERANCE) <= TOLERANCE);
    free(images);
    fixture_free(&f);

    /* The same for the UGRNN and IntersectionRNN. */
    start(&f, SPEC("[5, 4, 3]", UGRNN_NODES), 23, 5, 4, 3);
    describe_ugrnn_graph(&f);
    images = fixture_images(&f, BATCH);
    assert_true(fixture_run(&f, BATCH, images, TOLERANCE) <= TOLERANCE);
    f.quiet = true;
    naive_cell *u = &fixture_node(&f, "plain")->cell;
    u->forget_bias = 0.0; /* the default forget bias of 1 left out */
    assert_true(fixture_run(&f, BATCH, images, TOLERANCE) > 100 * TOLERANCE);
    u->forget_bias = 1.0;
    u = &fixture_node(&f, "norm")->cell;
    u->layer_norm = false; /* no layer norm */
    assert_true(fixture_run(&f, BATCH, images, TOLERANCE) > 100 * TOLERANCE);
    u->layer_norm = true;
    assert_true(fixture_run(&f, BATCH, images, TOLERANCE) <= TOLERANCE);
    free(images);
    fixture_free(&f);

    start(&f, SPEC("[5, 4, 3]", INTERSECTION_NODES), 24, 5, 4, 3);
    describe_intersection_graph(&f);
    images = fixture_images(&f, BATCH);
    assert_true(fixture_run(&f, BATCH, images, TOLERANCE) <= TOLERANCE);
    f.quiet = true;
    naive_cell *is = &fixture_node(&f, "norm")->cell;
    is->forget_bias = 1.0; /* the spec's 0.3 ignored */
    assert_true(fixture_run(&f, BATCH, images, TOLERANCE) > 100 * TOLERANCE);
    is->forget_bias = 0.3;
    fixture_node(&f, "next")->input.delay = 0; /* reading 'plain' without its delay */
    assert_true(fixture_run(&f, BATCH, images, TOLERANCE) > 100 * TOLERANCE);
    fixture_node(&f, "next")->input.delay = 1;
    assert_true(fixture_run(&f, BATCH, images, TOLERANCE) <= TOLERANCE);
    free(images);
    fixture_free(&f);
}

/* ---- Spec errors that belong to cells ------------------------------------------------ */

static void expect_spec_error(const char *spec, const char *fragment)
{
    char *text = strdup(spec);
    assert_non_null(text);
    for (char *p = text; *p; p++)
        if (*p == '\'')
            *p = '"';
    graph *g = NULL;
    rtpu_error err = {0};
    rtpu_status s = graph_load_text(text, strlen(text), "test.json", &g, &err);
    free(text);
    assert_int_not_equal(s, RTPU_OK);
    assert_null(g);
    if (!strstr(err.message, fragment))
        fail_msg("error '%s' does not contain '%s'", err.message, fragment);
    assert_null(strchr(err.message, '\n'));
    assert_non_null(strstr(err.message, "test.json"));
}

static void test_cell_spec_errors(void **unused)
{
    (void)unused;
    expect_spec_error(ONE_NODE("{'name': 'x', 'input': 'image', 'cell': {'type': 'time_decay', 'channels': 2}}"),
                      "node 'x': unknown field 'channels' in a time_decay cell");
    expect_spec_error(ONE_NODE("{'name': 'x', 'input': 'image', 'cell': {'type': 'nas'}}"),
                      "field 'type' is 'nas', expected one of: none, time_decay, vanilla, lstm, gru, rgc, ugrnn, "
                      "intersection");
    expect_spec_error(ONE_NODE("{'name': 'x', 'input': 'image', 'cell': {'type': 'ugrnn', 'peepholes': true}}"),
                      "node 'x': unknown field 'peepholes' in a ugrnn cell (allowed: type, channels, kernel, "
                      "layer_norm, forget_bias, init_scale)");
    expect_spec_error(ONE_NODE("{'name': 'x', 'input': 'image', 'cell': {'type': 'intersection', 'cell_channels': 2}}"),
                      "node 'x': unknown field 'cell_channels' in an intersection cell");
    expect_spec_error(ONE_NODE("{'name': 'x', 'input': 'image', 'cell': {'type': 'ugrnn', 'forget_bias': 500}}"),
                      "field 'forget_bias' must be a number in -100..100");
    expect_spec_error(ONE_NODE("{'name': 'x', 'input': 'image', 'cell': {'type': 'intersection', 'layer_norm': 1}}"),
                      "field 'layer_norm' must be true or false");
    expect_spec_error(ONE_NODE("{'name': 'x', 'input': 'image', 'conv': {'kernel': 3, 'channels': 4},"
                               " 'cell': {'type': 'intersection', 'channels': 5}}"),
                      "node 'x': an intersection cell keeps its input's depth: its input has 4 channels, "
                      "'channels' is 5");
    expect_spec_error(ONE_NODE("{'name': 'x', 'input': 'image', 'cell': {'type': 'rgc', 'tau_gate': 'relu'}}"),
                      "field 'tau_gate' must be sigmoid or tanh");
    expect_spec_error(ONE_NODE("{'name': 'x', 'input': 'image',"
                               " 'cell': {'type': 'rgc', 'paths': {'x_c': {'kernel': 3}}}}"),
                      "unknown field 'x_c' in field 'paths'");
    expect_spec_error(ONE_NODE("{'name': 'x', 'input': 'image', 'cell': {'type': 'gru', 'peepholes': true}}"),
                      "unknown field 'peepholes' in a gru cell");
    expect_spec_error(ONE_NODE("{'name': 'x', 'input': 'image', 'cell': {'type': 'lstm', 'kernel': 0}}"),
                      "field 'kernel' must be an integer in 1..64");
    expect_spec_error(ONE_NODE("{'name': 'x', 'input': 'image', 'conv': {'kernel': 3, 'stride': 2, 'channels': 3},"
                               " 'cell': {'type': 'rgc', 'residual': true}}"),
                      "node 'x': residual needs the cell input (5x4) and the cell (3x2) to have the same size");
    expect_spec_error(ONE_NODE("{'name': 'x', 'input': 'image', 'feedback': ['y'], 'conv': {'kernel': 3,"
                               " 'stride': 2, 'channels': 3}, 'cell': {'type': 'rgc'}},"
                               "{'name': 'y', 'input': 'x'}"),
                      "node 'x': feedback enters the rgc cell at its 3x2 size, but the input is 5x4");
    expect_spec_error(ONE_NODE("{'name': 'x', 'input': 'image', 'cell': 'nothing'}"),
                      "cell 'nothing' is not defined in the top-level 'cells'");
}

static void test_cell_step_without_cell(void **unused)
{
    (void)unused;
    naive_fixture f;
    start(&f, ONE_NODE("{'name': 'plain', 'input': 'image', 'conv': {'kernel': 3, 'channels': 2}}"), 22, 5, 4, 3);
    rtpu_error err = {0};
    int index = fixture_index(&f, "plain");
    rtpu_tensor x, out;
    assert_int_equal(tensor_create(&x, 1, 5, 4, 2, &err), RTPU_OK);
    assert_int_equal(tensor_create(&out, 1, 5, 4, 2, &err), RTPU_OK);
    cell_state state = {0};
    cell_inputs in = {.x = &x, .u = &x};
    assert_int_not_equal(cell_step(f.g, f.w, index, &in, &state, &out, &err), RTPU_OK);
    assert_non_null(strstr(err.message, "node 'plain' has no cell"));
    tensor_destroy(&x);
    tensor_destroy(&out);
    fixture_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_decay),
        cmocka_unit_test(test_vanilla),
        cmocka_unit_test(test_lstm),
        cmocka_unit_test(test_gru),
        cmocka_unit_test(test_ugrnn),
        cmocka_unit_test(test_intersection),
        cmocka_unit_test(test_gated_random_shapes),
        cmocka_unit_test(test_rgc_defaults),
        cmocka_unit_test(test_rgc_paths),
        cmocka_unit_test(test_rgc_residual),
        cmocka_unit_test(test_rgc_feedback_entries),
        cmocka_unit_test(test_median_cell),
        cmocka_unit_test(test_cell_step_random_states),
        cmocka_unit_test(test_comparison_detects_mistakes),
        cmocka_unit_test(test_cell_spec_errors),
        cmocka_unit_test(test_cell_step_without_cell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
