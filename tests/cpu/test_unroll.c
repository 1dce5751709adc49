/* Independent tests of the CPU reference's time unrolling (runtime/cpu_ref.c), from
 * docs/model-semantics.md section 1 and the lead's conventions:
 *   - node n at step t reads each source's output at t - delay, zeros before step 0, and
 *     its own state from t - 1 (zeros at t = 0);
 *   - edges out of the input node have delay 0, every other edge delay 1, unless the
 *     spec says {"from": n, "delay": d}; so the image reaches layer l at step l - 1;
 *   - feedback is resized to the node's feedforward H x W (bilinear, align_corners =
 *     true) and concatenated after the feedforward input in sorted source-name order;
 *   - the input node emits the image while the schedule shows it, else the blank value
 *     (default: 17 steps, image at 0..11, blank 0.5; neural: 26 steps, image at 0..9;
 *     constant: the image at every step);
 *   - examples of a batch are independent.
 * Each property is checked two ways where it can be: by a value or step number worked out
 * by hand, and by the naive unroller of reference_naive.h over every node and step. */
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
#include "cpu/cpu_ref.h"

static const double TOLERANCE = 1e-4;

static void describe_edge_only(naive_fixture *f, const char *name, const char *from, int delay)
{
    fixture_node(f, name)->input = (naive_edge){fixture_index(f, from), delay};
}

static cpu_reference *run_reference(const naive_fixture *f, int batch, int steps, const float *images)
{
    rtpu_error err = {0};
    cpu_reference *r = NULL;
    if (cpu_reference_create(f->g, f->w, batch, steps, &r, &err) || cpu_reference_run(r, images, NULL, NULL, &err))
        fail_msg("CPU reference: %s", err.message);
    return r;
}

static bool identical(const rtpu_tensor *a, const rtpu_tensor *b)
{
    return tensor_same_shape(a, b) && !memcmp(a->data, b->data, tensor_count(a) * sizeof *a->data);
}

static double max_difference(const rtpu_tensor *a, const rtpu_tensor *b)
{
    double worst = 0.0;
    for (size_t i = 0; i < tensor_count(a); i++)
        if (fabs((double)a->data[i] - b->data[i]) > worst)
            worst = fabs((double)a->data[i] - b->data[i]);
    return worst;
}

/* For every node, the first step at which runs a and b differ: before it the outputs must
 * be bit-identical, at it they must differ clearly (> 1e-3). -1 when they never differ. */
static void first_differences(const naive_fixture *f, const cpu_reference *a, const cpu_reference *b, int steps,
                              int *first)
{
    for (int i = 0; i < f->g->node_count; i++) {
        first[i] = -1;
        for (int t = 0; t < steps && first[i] < 0; t++)
            if (!identical(cpu_reference_output(a, i, t), cpu_reference_output(b, i, t))) {
                first[i] = t;
                assert_true(max_difference(cpu_reference_output(a, i, t), cpu_reference_output(b, i, t)) > 1e-3);
            }
    }
}

static void expect_first_difference(const naive_fixture *f, const int *first, const char *name, int step)
{
    int i = fixture_index(f, name);
    if (first[i] != step)
        fail_msg("node '%s' first changes at step %d, expected %d", name, first[i], step);
}

static float *constant_images(const naive_fixture *f, int batch, float value)
{
    const naive_node *in = &f->model.nodes[0];
    size_t count = (size_t)batch * in->input_h * in->input_w * in->input_c;
    float *images = malloc(count * sizeof *images);
    assert_non_null(images);
    for (size_t i = 0; i < count; i++)
        images[i] = value;
    return images;
}

/* ---- The stimulus reaches layer l at step l - 1 ----------------------------------------- */

static void test_stimulus_arrival(void **unused)
{
    (void)unused;
    naive_fixture f;
    fixture_load(&f,
                 "{'format': 1, 'input': {'name': 'image', 'shape': [6, 5, 2]},"
                 " 'schedule': {'mode': 'constant', 'steps': 7},"
                 " 'nodes': ["
                 "  {'name': 'l1', 'input': 'image', 'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'}},"
                 "  {'name': 'l2', 'input': 'l1', 'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'},"
                 "   'cell': {'type': 'time_decay', 'tau': 0.5}},"
                 "  {'name': 'l3', 'input': 'l2', 'cell': {'type': 'vanilla'}},"
                 "  {'name': 'l4', 'input': 'l3', 'conv': {'kernel': 1, 'channels': 2}, 'cell': {'type': 'gru'}},"
                 "  {'name': 'l5', 'input': 'l4', 'conv': {'kernel': 3, 'channels': 2, 'activation': 'elu'},"
                 "   'cell': {'type': 'rgc', 'residual': true}, 'post': [{'op': 'maxpool', 'kernel': 2}]}],"
                 " 'readout': {'node': 'l5'}}",
                 31);
    fixture_input(&f, 6, 5, 2);
    fixture_schedule(&f, 7, 0, 7, 0.5);
    fixture_conv_node(&f, "l1", "image", 0, 3, 3, 1, 2, 3, NAIVE_ELU);
    naive_node *n = fixture_conv_node(&f, "l2", "l1", 1, 3, 3, 1, 3, 3, NAIVE_ELU);
    n->cell = (naive_cell){.type = NAIVE_TIME_DECAY, .channels = 3,
                           .tau = fixture_vector(&f, "l2", "cell.tau", 1, 0.3, 0.7)};
    describe_edge_only(&f, "l3", "l2", 1);
    n = fixture_node(&f, "l3");
    n->cell = (naive_cell){.type = NAIVE_VANILLA, .channels = 3, .kh = 3, .kw = 3};
    n->cell.input_kernel = fixture_kernel(&f, "l3", "cell.input.kernel", 3, 3, 3, 3);
    n->cell.input_bias = fixture_vector(&f, "l3", "cell.input.bias", 3, -0.5, 0.5);
    n->cell.state_kernel = fixture_kernel(&f, "l3", "cell.state.kernel", 3, 3, 3, 3);
    n->cell.state_bias = fixture_vector(&f, "l3", "cell.state.bias", 3, -0.5, 0.5);
    n = fixture_conv_node(&f, "l4", "l3", 1, 1, 1, 1, 3, 2, NAIVE_IDENTITY);
    n->cell = (naive_cell){.type = NAIVE_GRU, .channels = 2, .kh = 3, .kw = 3};
    n->cell.gates_kernel = fixture_kernel(&f, "l4", "cell.gates.kernel", 3, 3, 4, 4);
    n->cell.gates_bias = fixture_vector(&f, "l4", "cell.gates.bias", 4, -1, 1);
    n->cell.candidate_kernel = fixture_kernel(&f, "l4", "cell.candidate.kernel", 3, 3, 4, 2);
    n->cell.candidate_bias = fixture_vector(&f, "l4", "cell.candidate.bias", 2, -0.5, 0.5);
    n = fixture_conv_node(&f, "l5", "l4", 1, 3, 3, 1, 2, 2, NAIVE_ELU);
    n->cell = (naive_cell){.type = NAIVE_RGC, .channels = 2, .cell_channels = 2, .a_tau = 1, .a_g = 1,
                           .tau_gate = NAIVE_SIGMOID, .gate_gate = NAIVE_SIGMOID, .cell_act = NAIVE_ELU,
                           .out_act = NAIVE_ELU, .residual = true};
    static const char *const paths[] = {"t_c", "g_c", "a_c", "t_h", "g_h", "a_h"};
    for (int i = 0; i < NAIVE_PATHS; i++) {
        char key[64];
        snprintf(key, sizeof key, "cell.%s.kernel", paths[i]);
        n->cell.path[i] = (naive_path){.kh = 3, .kw = 3, .kernel = fixture_kernel(&f, "l5", key, 3, 3, 2, 2)};
        snprintf(key, sizeof key, "cell.%s.bias", paths[i]);
        n->cell.path[i].bias = fixture_vector(&f, "l5", key, 2, -0.5, 0.5);
    }
    n->pool_kernel = n->pool_stride = 2;
    n->pool_same = true;

    float *image = fixture_images(&f, 1);
    float *no_stimulus = constant_images(&f, 1, 0.5f);
    fixture_compare(&f, 1, image, TOLERANCE);
    cpu_reference *a = run_reference(&f, 1, 7, image), *b = run_reference(&f, 1, 7, no_stimulus);
    int first[NAIVE_MAX_NODES];
    first_differences(&f, a, b, 7, first);
    expect_first_difference(&f, first, "image", 0);
    const char *layers[] = {"l1", "l2", "l3", "l4", "l5"};
    for (int l = 1; l <= 5; l++)
        expect_first_difference(&f, first, layers[l - 1], l - 1);
    printf("  stimulus arrival: layer l first changes at step l-1; worst error vs naive %.2e\n", f.worst_error);
    cpu_reference_destroy(a);
    cpu_reference_destroy(b);
    free(image);
    free(no_stimulus);
    fixture_free(&f);
}

/* ---- UGRNN and IntersectionRNN over T steps --------------------------------------------- */

/* A chain through both zoo cells: l2 UGRNN, l3 IntersectionRNN straight on l2's output,
 * l4 UGRNN with layer norm, l5 IntersectionRNN with layer norm, pooled. Every node and step
 * matches the naive unroller, and layer l first sees the stimulus at step l - 1, also
 * through the IntersectionRNN, whose output (not its state) is what l4 reads. */
static void gated_cell(naive_fixture *f, const char *name, naive_cell_type type, int x_c, int C, bool layer_norm,
                       double forget_bias)
{
    naive_cell *cell = &fixture_node(f, name)->cell;
    int blocks = type == NAIVE_UGRNN ? 2 : 4;
    *cell = (naive_cell){.type = type, .channels = C, .kh = 3, .kw = 3, .layer_norm = layer_norm,
                         .forget_bias = forget_bias};
    cell->kernel = fixture_kernel(f, name, "cell.kernel", 3, 3, x_c + C, blocks * C);
    cell->bias = fixture_vector(f, name, "cell.bias", blocks * C, -0.5, 0.5);
    if (layer_norm) {
        cell->ln_gates_gamma = fixture_vector(f, name, "cell.ln_gates.gamma", blocks * C, 0.5, 1.5);
        cell->ln_gates_beta = fixture_vector(f, name, "cell.ln_gates.beta", blocks * C, -0.3, 0.3);
    }
}

static void test_gated_cells_unrolled(void **unused)
{
    (void)unused;
    naive_fixture f;
    fixture_load(&f,
                 "{'format': 1, 'input': {'name': 'image', 'shape': [7, 5, 2]},"
                 " 'schedule': {'mode': 'constant', 'steps': 7},"
                 " 'nodes': ["
                 "  {'name': 'l1', 'input': 'image', 'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'}},"
                 "  {'name': 'l2', 'input': 'l1', 'conv': {'kernel': 3, 'channels': 4}, 'cell': {'type': 'ugrnn'}},"
                 "  {'name': 'l3', 'input': 'l2', 'cell': {'type': 'intersection', 'forget_bias': 0.5}},"
                 "  {'name': 'l4', 'input': 'l3', 'conv': {'kernel': 3, 'channels': 3},"
                 "   'cell': {'type': 'ugrnn', 'channels': 2, 'layer_norm': true}},"
                 "  {'name': 'l5', 'input': 'l4', 'conv': {'kernel': 3, 'channels': 2, 'activation': 'elu'},"
                 "   'cell': {'type': 'intersection', 'layer_norm': true}, 'post': [{'op': 'maxpool', 'kernel': 2}]}],"
                 " 'readout': {'node': 'l5'}}",
                 33);
    fixture_input(&f, 7, 5, 2);
    fixture_schedule(&f, 7, 0, 7, 0.5);
    fixture_conv_node(&f, "l1", "image", 0, 3, 3, 1, 2, 3, NAIVE_ELU);
    fixture_conv_node(&f, "l2", "l1", 1, 3, 3, 1, 3, 4, NAIVE_IDENTITY);
    gated_cell(&f, "l2", NAIVE_UGRNN, 4, 4, false, 1.0);
    describe_edge_only(&f, "l3", "l2", 1);
    gated_cell(&f, "l3", NAIVE_INTERSECTION, 4, 4, false, 0.5);
    fixture_conv_node(&f, "l4", "l3", 1, 3, 3, 1, 4, 3, NAIVE_IDENTITY);
    gated_cell(&f, "l4", NAIVE_UGRNN, 3, 2, true, 1.0);
    naive_node *n = fixture_conv_node(&f, "l5", "l4", 1, 3, 3, 1, 2, 2, NAIVE_ELU);
    gated_cell(&f, "l5", NAIVE_INTERSECTION, 2, 2, true, 1.0);
    n->pool_kernel = n->pool_stride = 2;
    n->pool_same = true;

    float *image = fixture_images(&f, 2);
    float *no_stimulus = constant_images(&f, 2, 0.5f);
    fixture_compare(&f, 2, image, TOLERANCE);
    cpu_reference *a = run_reference(&f, 2, 7, image), *b = run_reference(&f, 2, 7, no_stimulus);
    int first[NAIVE_MAX_NODES];
    first_differences(&f, a, b, 7, first);
    const char *layers[] = {"l1", "l2", "l3", "l4", "l5"};
    for (int l = 1; l <= 5; l++)
        expect_first_difference(&f, first, layers[l - 1], l - 1);
    printf("  ugrnn / intersection over 7 steps: layer l first changes at step l-1; worst error vs naive %.2e\n",
           f.worst_error);
    cpu_reference_destroy(a);
    cpu_reference_destroy(b);
    free(image);
    free(no_stimulus);
    fixture_free(&f);
}

/* ---- Zero initial state ---------------------------------------------------------------- */

static double sigmoid(double v) { return 1.0 / (1.0 + exp(-v)); }
static double elu(double v) { return v > 0 ? v : exp(v) - 1.0; }

/* Every value of node `name` at step 0 must be want[channel] (the same at every position). */
static void expect_step0(const naive_fixture *f, const cpu_reference *r, const char *name, const double *want)
{
    const rtpu_tensor *out = cpu_reference_output(r, fixture_index(f, name), 0);
    assert_non_null(out);
    for (size_t i = 0; i < tensor_count(out); i++) {
        int ch = (int)(i % (size_t)out->c);
        if (fabs(out->data[i] - want[ch]) > 1e-6 * (1 + fabs(want[ch])))
            fail_msg("node '%s' at step 0, element %zu: %.9g, expected %.9g", name, i, (double)out->data[i], want[ch]);
    }
}

/* At step 0 every node but the first reads zeros and has zero state, so its output is a
 * function of its biases alone, worked out here per cell from its formula. */
static void test_zero_initial_state(void **unused)
{
    (void)unused;
    naive_fixture f;
    fixture_load(&f,
                 "{'format': 1, 'input': {'name': 'image', 'shape': [4, 3, 2]},"
                 " 'schedule': {'steps': 3},"
                 " 'nodes': ["
                 "  {'name': 'a', 'input': 'image', 'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'}},"
                 "  {'name': 'b', 'input': 'a', 'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'}},"
                 "  {'name': 'c', 'input': 'b', 'cell': {'type': 'vanilla'}},"
                 "  {'name': 'd', 'input': 'c', 'cell': {'type': 'lstm', 'forget_bias': 0.7}},"
                 "  {'name': 'e', 'input': 'd', 'cell': {'type': 'gru'}},"
                 "  {'name': 'g', 'input': 'e', 'cell': {'type': 'rgc', 'a_g': 0.7, 'a_tau': 0.9}},"
                 "  {'name': 'h', 'input': 'g', 'cell': {'type': 'time_decay', 'tau': 0.8}},"
                 "  {'name': 'i', 'input': 'h', 'cell': {'type': 'ugrnn', 'forget_bias': 0.4}},"
                 "  {'name': 'j', 'input': 'h', 'cell': {'type': 'intersection'}}],"
                 " 'readout': {'node': 'h'}}",
                 32);
    fixture_input(&f, 4, 3, 2);
    /* Random weights everywhere; biases drawn in [-1, 1]. */
    for (int i = 0; i < f.w->table.count; i++)
        for (size_t k = 0; k < f.w->table.params[i].count; k++)
            f.w->data[i][k] = (float)naive_rng_uniform(&f.rng, -1.0, 1.0);
    float *images = fixture_images(&f, 2);
    cpu_reference *r = run_reference(&f, 2, 3, images);
    int bi = fixture_index(&f, "b"), ci = fixture_index(&f, "c"), di = fixture_index(&f, "d");
    int ei = fixture_index(&f, "e"), gi = fixture_index(&f, "g");
    double want[3];

    const float *bias = weights_find(f.w, f.g, bi, "pre.bias");
    for (int ch = 0; ch < 3; ch++)
        want[ch] = elu(bias[ch]);
    expect_step0(&f, r, "b", want);

    const float *b_i = weights_find(f.w, f.g, ci, "cell.input.bias");
    const float *b_s = weights_find(f.w, f.g, ci, "cell.state.bias");
    for (int ch = 0; ch < 3; ch++)
        want[ch] = elu((double)b_i[ch] + b_s[ch]);
    expect_step0(&f, r, "c", want);

    /* lstm: gates = bias [i, j, f, o]; c' = sig(i) tanh(j) (c = 0); h' = tanh(c') sig(o). */
    const float *lb = weights_find(f.w, f.g, di, "cell.bias");
    for (int ch = 0; ch < 3; ch++) {
        double c_new = sigmoid(lb[ch]) * tanh(lb[3 + ch]);
        want[ch] = tanh(c_new) * sigmoid(lb[9 + ch]);
    }
    expect_step0(&f, r, "d", want);

    /* gru: z = sig(b_z), cand = tanh(b_c), h' = (1 - z) cand (h = 0). */
    const float *gb = weights_find(f.w, f.g, ei, "cell.gates.bias");
    const float *cb = weights_find(f.w, f.g, ei, "cell.candidate.bias");
    for (int ch = 0; ch < 3; ch++)
        want[ch] = (1 - sigmoid(gb[3 + ch])) * tanh(cb[ch]);
    expect_step0(&f, r, "e", want);

    /* rgc: h' = elu((a_tau - a_tau sig(T_h(0))) . 0 + (a_g - a_g sig(b_gh)) . b_ah). */
    const float *g_h = weights_find(f.w, f.g, gi, "cell.g_h.bias"), *a_h = weights_find(f.w, f.g, gi, "cell.a_h.bias");
    for (int ch = 0; ch < 3; ch++)
        want[ch] = elu((0.7 - 0.7 * sigmoid(g_h[ch])) * a_h[ch]);
    expect_step0(&f, r, "g", want);

    want[0] = want[1] = want[2] = 0.0; /* time decay: 0.8 * 0 + 0 */
    expect_step0(&f, r, "h", want);

    /* ugrnn: [g, c] = bias; h' = sig(b_g + 0.4) . 0 + (1 - sig(b_g + 0.4)) tanh(b_c). */
    const float *ub = weights_find(f.w, f.g, fixture_index(&f, "i"), "cell.bias");
    for (int ch = 0; ch < 3; ch++)
        want[ch] = (1 - sigmoid(ub[ch] + 0.4)) * tanh(ub[3 + ch]);
    expect_step0(&f, r, "i", want);

    /* intersection: [g_h, h, g_y, y] = bias and x = 0, so the output is
     * y' = sig(b_gy + 1) . 0 + (1 - sig(b_gy + 1)) relu(b_y) (the default forget bias 1). */
    const float *ib = weights_find(f.w, f.g, fixture_index(&f, "j"), "cell.bias");
    for (int ch = 0; ch < 3; ch++)
        want[ch] = (1 - sigmoid(ib[6 + ch] + 1.0)) * (ib[9 + ch] > 0 ? ib[9 + ch] : 0.0);
    expect_step0(&f, r, "j", want);
    cpu_reference_destroy(r);
    free(images);
    fixture_free(&f);
}

/* ---- Feedback costs one step --------------------------------------------------------- */

#define FEEDBACK_SPEC                                                                                      \
    "{'format': 1, 'input': {'name': 'image', 'shape': [6, 6, 2]}, 'schedule': {'mode': 'constant', 'steps': 5},"\
    " 'nodes': ["                                                                                          \
    "  {'name': 'a', 'input': 'image', 'feedback': ['b'], 'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'}},"\
    "  {'name': 'b', 'input': 'a', 'conv': {'kernel': 3, 'channels': 2, 'activation': 'elu'},"              \
    "   'post': [{'op': 'maxpool', 'kernel': 2}]},"                                                         \
    "  {'name': 'r', 'input': 'image', 'feedback': ['b'], 'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'},"\
    "   'cell': {'type': 'rgc', 'cell_channels': 2}}],"                                                     \
    " 'readout': {'node': 'b'}}"

static void describe_feedback_graph(naive_fixture *f)
{
    fixture_input(f, 6, 6, 2);
    fixture_schedule(f, 5, 0, 5, 0.5);
    int b = fixture_index(f, "b");
    /* a's pre-conv sees [image (2), resize(b) (2)]: 4 input channels. */
    naive_node *a = fixture_conv_node(f, "a", "image", 0, 3, 3, 1, 4, 3, NAIVE_ELU);
    a->feedback[a->feedback_count++] = (naive_edge){b, 1};
    naive_node *bn = fixture_conv_node(f, "b", "a", 1, 3, 3, 1, 3, 2, NAIVE_ELU);
    bn->pool_kernel = bn->pool_stride = 2;
    bn->pool_same = true;
    naive_node *r = fixture_conv_node(f, "r", "image", 0, 3, 3, 1, 2, 3, NAIVE_ELU);
    r->feedback[r->feedback_count++] = (naive_edge){b, 1};
    r->cell = (naive_cell){.type = NAIVE_RGC, .channels = 3, .cell_channels = 2, .a_tau = 1, .a_g = 1,
                           .tau_gate = NAIVE_SIGMOID, .gate_gate = NAIVE_SIGMOID, .cell_act = NAIVE_ELU,
                           .out_act = NAIVE_ELU, .entry = NAIVE_ENTRY_OUT, .feedback_kh = 1, .feedback_kw = 1};
    static const char *const paths[] = {"t_c", "g_c", "a_c", "t_h", "g_h", "a_h"};
    const int in[] = {2, 3, 3, 3, 2, 3}, out[] = {2, 2, 2, 3, 3, 3};
    for (int i = 0; i < NAIVE_PATHS; i++) {
        char key[64];
        snprintf(key, sizeof key, "cell.%s.kernel", paths[i]);
        r->cell.path[i] = (naive_path){.kh = 3, .kw = 3, .kernel = fixture_kernel(f, "r", key, 3, 3, in[i], out[i])};
        snprintf(key, sizeof key, "cell.%s.bias", paths[i]);
        r->cell.path[i].bias = fixture_vector(f, "r", key, out[i], -0.5, 0.5);
    }
    r->cell.feedback_kernel = fixture_kernel(f, "r", "cell.feedback.kernel", 1, 1, 2, 3);
    r->cell.feedback_bias = fixture_vector(f, "r", "cell.feedback.bias", 3, -0.5, 0.5);
}

/* Changes only what b contributes to a and r (b's bias, then the feedback weights of a
 * and r): b changes at step 0, its consumers through feedback one step later. */
static void test_feedback_delay(void **unused)
{
    (void)unused;
    naive_fixture f;
    fixture_load(&f, FEEDBACK_SPEC, 33);
    describe_feedback_graph(&f);
    float *image = fixture_images(&f, 1);
    fixture_compare(&f, 1, image, TOLERANCE);
    cpu_reference *base = run_reference(&f, 1, 5, image);

    float *b_bias = weights_find(f.w, f.g, fixture_index(&f, "b"), "pre.bias");
    b_bias[0] += 0.75f;
    b_bias[1] -= 0.5f;
    fixture_compare(&f, 1, image, TOLERANCE);
    cpu_reference *changed = run_reference(&f, 1, 5, image);
    int first[NAIVE_MAX_NODES];
    first_differences(&f, base, changed, 5, first);
    expect_first_difference(&f, first, "image", -1);
    expect_first_difference(&f, first, "b", 0);
    expect_first_difference(&f, first, "a", 1);
    expect_first_difference(&f, first, "r", 1);
    cpu_reference_destroy(changed);
    b_bias[0] -= 0.75f;
    b_bias[1] += 0.5f;

    /* The feedback rows of a's kernel are input channels 2..3 of [3][3][4][3]. */
    float *a_kernel = weights_find(f.w, f.g, fixture_index(&f, "a"), "pre.kernel");
    for (int k = 0; k < 9; k++)
        for (int in = 2; in < 4; in++)
            for (int o = 0; o < 3; o++)
                a_kernel[(k * 4 + in) * 3 + o] *= -2.0f;
    float *r_feedback = weights_find(f.w, f.g, fixture_index(&f, "r"), "cell.feedback.kernel");
    for (int k = 0; k < 6; k++)
        r_feedback[k] += 0.8f;
    fixture_compare(&f, 1, image, TOLERANCE);
    changed = run_reference(&f, 1, 5, image);
    first_differences(&f, base, changed, 5, first);
    expect_first_difference(&f, first, "a", 1);
    expect_first_difference(&f, first, "r", 1);
    expect_first_difference(&f, first, "b", 2); /* b reads a one step later */
    printf("  feedback delay: worst error vs naive %.2e\n", f.worst_error);
    cpu_reference_destroy(changed);
    cpu_reference_destroy(base);
    free(image);
    fixture_free(&f);
}

/* ---- Feedback resizing and concatenation order ---------------------------------------- */

/* 'mid' (4 x 3 feedforward input) takes feedback from 'zeta' (7 x 5, shrunk) and 'alpha'
 * (2 x 2, enlarged), listed and defined zeta first; the concatenation must be
 * [ff, alpha, zeta] (sorted names). 'midr' does the same through an rgc cell. */
static void test_feedback_resize_and_order(void **unused)
{
    (void)unused;
    naive_fixture f;
    fixture_load(&f,
                 "{'format': 1, 'input': {'name': 'image', 'shape': [7, 5, 2]},"
                 " 'schedule': {'steps': 6, 'image_on': [0, 4], 'blank': -0.25},"
                 " 'nodes': ["
                 "  {'name': 'zeta', 'input': 'image', 'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'}},"
                 "  {'name': 'pooler', 'input': 'zeta', 'post': [{'op': 'maxpool', 'kernel': 2}]},"
                 "  {'name': 'mid', 'input': 'pooler', 'feedback': ['zeta', 'alpha'],"
                 "   'conv': {'kernel': 3, 'channels': 4, 'activation': 'elu'}},"
                 "  {'name': 'midr', 'input': 'pooler', 'feedback': ['zeta', 'alpha'],"
                 "   'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'},"
                 "   'cell': {'type': 'rgc', 'feedback_entry': 'input', 'feedback_kernel': 2}},"
                 "  {'name': 'alpha', 'input': 'mid', 'conv': {'kernel': 3, 'channels': 2, 'activation': 'elu'},"
                 "   'post': [{'op': 'maxpool', 'kernel': 2}]}],"
                 " 'readout': {'node': 'alpha'}}",
                 34);
    fixture_input(&f, 7, 5, 2);
    fixture_schedule(&f, 6, 0, 4, -0.25);
    int zeta = fixture_index(&f, "zeta"), alpha = fixture_index(&f, "alpha");
    fixture_conv_node(&f, "zeta", "image", 0, 3, 3, 1, 2, 3, NAIVE_ELU);
    naive_node *pooler = fixture_node(&f, "pooler");
    pooler->input = (naive_edge){zeta, 1};
    pooler->pool_kernel = pooler->pool_stride = 2;
    pooler->pool_same = true;
    naive_node *mid = fixture_conv_node(&f, "mid", "pooler", 1, 3, 3, 1, 3 + 2 + 3, 4, NAIVE_ELU);
    mid->feedback[mid->feedback_count++] = (naive_edge){alpha, 1};
    mid->feedback[mid->feedback_count++] = (naive_edge){zeta, 1};
    naive_node *midr = fixture_conv_node(&f, "midr", "pooler", 1, 3, 3, 1, 3, 3, NAIVE_ELU);
    midr->feedback[midr->feedback_count++] = (naive_edge){alpha, 1};
    midr->feedback[midr->feedback_count++] = (naive_edge){zeta, 1};
    midr->cell = (naive_cell){.type = NAIVE_RGC, .channels = 3, .cell_channels = 3, .a_tau = 1, .a_g = 1,
                              .tau_gate = NAIVE_SIGMOID, .gate_gate = NAIVE_SIGMOID, .cell_act = NAIVE_ELU,
                              .out_act = NAIVE_ELU, .entry = NAIVE_ENTRY_INPUT, .feedback_kh = 2, .feedback_kw = 2};
    static const char *const paths[] = {"t_c", "g_c", "a_c", "t_h", "g_h", "a_h"};
    for (int i = 0; i < NAIVE_PATHS; i++) {
        char key[64];
        snprintf(key, sizeof key, "cell.%s.kernel", paths[i]);
        midr->cell.path[i] = (naive_path){.kh = 3, .kw = 3, .kernel = fixture_kernel(&f, "midr", key, 3, 3, 3, 3)};
        snprintf(key, sizeof key, "cell.%s.bias", paths[i]);
        midr->cell.path[i].bias = fixture_vector(&f, "midr", key, 3, -0.5, 0.5);
    }
    midr->cell.feedback_kernel = fixture_kernel(&f, "midr", "cell.feedback.kernel", 2, 2, 5, 3);
    midr->cell.feedback_bias = fixture_vector(&f, "midr", "cell.feedback.bias", 3, -0.5, 0.5);
    naive_node *a = fixture_conv_node(&f, "alpha", "mid", 1, 3, 3, 1, 4, 2, NAIVE_ELU);
    a->pool_kernel = a->pool_stride = 2;
    a->pool_same = true;

    float *images = fixture_images(&f, 2);
    fixture_compare(&f, 2, images, TOLERANCE);
    printf("  feedback resize + order: worst error vs naive %.2e\n", f.worst_error);

    /* The comparison can tell the two orders and the two resize conventions apart. */
    f.quiet = true;
    for (int k = 0; k < 2; k++) {
        naive_node *n = k ? midr : mid;
        n->feedback[0].from = zeta;
        n->feedback[1].from = alpha;
        assert_true(fixture_run(&f, 2, images, TOLERANCE) > 100 * TOLERANCE);
        n->feedback[0].from = alpha;
        n->feedback[1].from = zeta;
    }
    f.model.resize_without_align_corners = true;
    assert_true(fixture_run(&f, 2, images, TOLERANCE) > 100 * TOLERANCE);
    f.model.resize_without_align_corners = false;
    free(images);
    fixture_free(&f);
}

/* ---- Explicit delays ------------------------------------------------------------------- */

/* 'b' is defined before 'a' but reads it with delay 0 (so a must run first within a
 * step); 'c' reads b two steps late and itself (feedback) two steps late; 'late' reads
 * the image one step late; 'now' takes b's output of the same step as feedback. */
static void test_explicit_delays(void **unused)
{
    (void)unused;
    naive_fixture f;
    fixture_load(&f,
                 "{'format': 1, 'input': {'name': 'image', 'shape': [5, 4, 2]},"
                 " 'schedule': {'mode': 'constant', 'steps': 6},"
                 " 'nodes': ["
                 "  {'name': 'b', 'input': {'from': 'a', 'delay': 0},"
                 "   'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'}},"
                 "  {'name': 'a', 'input': 'image', 'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'},"
                 "   'cell': {'type': 'time_decay', 'tau': 0.5}},"
                 "  {'name': 'c', 'input': {'from': 'b', 'delay': 2}, 'feedback': [{'from': 'c', 'delay': 2}],"
                 "   'conv': {'kernel': 3, 'channels': 2, 'activation': 'elu'}},"
                 "  {'name': 'late', 'input': {'from': 'image', 'delay': 1}, 'conv': {'kernel': 1, 'channels': 2}},"
                 "  {'name': 'now', 'input': 'image', 'feedback': [{'from': 'b', 'delay': 0}],"
                 "   'conv': {'kernel': 3, 'channels': 2, 'activation': 'elu'}}],"
                 " 'readout': {'node': 'c'}}",
                 35);
    fixture_input(&f, 5, 4, 2);
    fixture_schedule(&f, 6, 0, 6, 0.5);
    fixture_conv_node(&f, "b", "a", 0, 3, 3, 1, 3, 3, NAIVE_ELU);
    naive_node *a = fixture_conv_node(&f, "a", "image", 0, 3, 3, 1, 2, 3, NAIVE_ELU);
    a->cell = (naive_cell){.type = NAIVE_TIME_DECAY, .channels = 3,
                           .tau = fixture_vector(&f, "a", "cell.tau", 1, 0.4, 0.6)};
    naive_node *c = fixture_conv_node(&f, "c", "b", 2, 3, 3, 1, 3 + 2, 2, NAIVE_ELU);
    c->feedback[c->feedback_count++] = (naive_edge){fixture_index(&f, "c"), 2};
    fixture_conv_node(&f, "late", "image", 1, 1, 1, 1, 2, 2, NAIVE_IDENTITY);
    naive_node *now = fixture_conv_node(&f, "now", "image", 0, 3, 3, 1, 2 + 3, 2, NAIVE_ELU);
    now->feedback[now->feedback_count++] = (naive_edge){fixture_index(&f, "b"), 0};

    float *image = fixture_images(&f, 1);
    float *no_stimulus = constant_images(&f, 1, 0.5f);
    fixture_compare(&f, 1, image, TOLERANCE);
    cpu_reference *x = run_reference(&f, 1, 6, image), *y = run_reference(&f, 1, 6, no_stimulus);
    int first[NAIVE_MAX_NODES];
    first_differences(&f, x, y, 6, first);
    expect_first_difference(&f, first, "a", 0);
    expect_first_difference(&f, first, "b", 0);
    expect_first_difference(&f, first, "c", 2);
    expect_first_difference(&f, first, "late", 1);
    expect_first_difference(&f, first, "now", 0);
    /* late at step 0 read zeros: its output is its bias everywhere. */
    const rtpu_tensor *late0 = cpu_reference_output(x, fixture_index(&f, "late"), 0);
    const float *late_bias = weights_find(f.w, f.g, fixture_index(&f, "late"), "pre.bias");
    for (size_t i = 0; i < tensor_count(late0); i++)
        assert_true(late0->data[i] == late_bias[i % 2]);
    printf("  explicit delays 0/1/2: worst error vs naive %.2e\n", f.worst_error);
    cpu_reference_destroy(x);
    cpu_reference_destroy(y);
    free(image);
    free(no_stimulus);
    fixture_free(&f);
}

/* ---- Presentation schedules ------------------------------------------------------------ */

/* The input node's output at each step is the image while it is shown, else the blank. */
static void check_schedule(const char *schedule, int steps_argument, int want_steps, int on_start, int on_end,
                           float blank)
{
    char spec[512];
    snprintf(spec, sizeof spec,
             "{'format': 1, 'input': {'name': 'image', 'shape': [3, 2, 2]}, %s"
             " 'nodes': [{'name': 'n', 'input': 'image', 'conv': {'kernel': 1, 'channels': 1}}],"
             " 'readout': {'node': 'n'}}",
             schedule);
    naive_fixture f;
    fixture_load(&f, spec, 36);
    fixture_input(&f, 3, 2, 2);
    float *images = fixture_images(&f, 2);
    rtpu_error err = {0};
    cpu_reference *r = NULL;
    assert_int_equal(cpu_reference_create(f.g, f.w, 2, steps_argument, &r, &err), RTPU_OK);
    assert_int_equal(cpu_reference_run(r, images, NULL, NULL, &err), RTPU_OK);
    assert_int_equal(cpu_reference_steps(r), want_steps);
    for (int t = 0; t < want_steps; t++) {
        const rtpu_tensor *frame = cpu_reference_output(r, 0, t);
        assert_non_null(frame);
        bool shown = t >= on_start && t < on_end;
        for (size_t i = 0; i < 24; i++)
            if (frame->data[i] != (shown ? images[i] : blank))
                fail_msg("schedule %s: input at step %d, element %zu is %g, expected the %s", schedule, t, i,
                         (double)frame->data[i], shown ? "image" : "blank");
    }
    assert_null(cpu_reference_output(r, 0, want_steps));
    assert_null(cpu_reference_output(r, 0, -1));
    assert_null(cpu_reference_output(r, f.g->node_count, 0));
    assert_null(cpu_reference_output(r, -1, 0));
    cpu_reference_destroy(r);
    free(images);
    fixture_free(&f);
}

static void test_schedules(void **unused)
{
    (void)unused;
    check_schedule("", 0, 17, 0, 12, 0.5f);                          /* no schedule: the default */
    check_schedule("'schedule': {'mode': 'default'},", 0, 17, 0, 12, 0.5f);
    check_schedule("'schedule': {'mode': 'neural'},", 0, 26, 0, 10, 0.5f);
    check_schedule("'schedule': {'mode': 'constant'},", 0, 17, 0, 17, 0.5f);
    check_schedule("'schedule': {'mode': 'constant', 'steps': 4},", 0, 4, 0, 4, 0.5f);
    check_schedule("'schedule': {'steps': 8, 'image_on': [2, 5], 'blank': -1.25},", 0, 8, 2, 5, -1.25f);
    check_schedule("'schedule': {'mode': 'neural', 'blank': 0},", 0, 26, 0, 10, 0.0f);
    /* A steps argument overrides the schedule's length, not its image window. */
    check_schedule("'schedule': {'steps': 8, 'image_on': [2, 5], 'blank': 3},", 4, 4, 2, 5, 3.0f);
    check_schedule("'schedule': {'mode': 'neural'},", 30, 30, 0, 10, 0.5f);
}

/* ---- Batches --------------------------------------------------------------------------- */

static void test_batch_equals_single_runs(void **unused)
{
    (void)unused;
    naive_fixture f;
    fixture_load(&f,
                 "{'format': 1, 'input': {'name': 'image', 'shape': [6, 6, 2]},"
                 " 'schedule': {'steps': 5, 'image_on': [0, 3]},"
                 " 'nodes': ["
                 "  {'name': 'v', 'input': 'image', 'feedback': ['r'],"
                 "   'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'},"
                 "   'cell': {'type': 'vanilla', 'layer_norm': true}},"
                 "  {'name': 'l', 'input': 'v', 'cell': {'type': 'lstm', 'layer_norm': true, 'peepholes': true}},"
                 "  {'name': 'r', 'input': 'l', 'feedback': ['r'],"
                 "   'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'},"
                 "   'cell': {'type': 'rgc', 'residual': true, 'cell_channels': 2},"
                 "   'post': [{'op': 'maxpool', 'kernel': 2}]}],"
                 " 'readout': {'node': 'r'}}",
                 37);
    fixture_input(&f, 6, 6, 2);
    for (int i = 0; i < f.w->table.count; i++) {
        double limit = f.w->table.params[i].fan_in > 0 ? sqrt(3.0 / f.w->table.params[i].fan_in) : 0.5;
        for (size_t k = 0; k < f.w->table.params[i].count; k++)
            f.w->data[i][k] = (float)naive_rng_uniform(&f.rng, -limit, limit);
    }
    enum { BATCH = 3, STEPS = 5, PER_IMAGE = 6 * 6 * 2 };
    float *images = fixture_images(&f, BATCH);
    cpu_reference *all = run_reference(&f, BATCH, STEPS, images);
    double worst = 0.0;
    for (int b = 0; b < BATCH; b++) {
        cpu_reference *one = run_reference(&f, 1, STEPS, images + (size_t)b * PER_IMAGE);
        for (int i = 0; i < f.g->node_count; i++)
            for (int t = 0; t < STEPS; t++) {
                const rtpu_tensor *batched = cpu_reference_output(all, i, t), *single = cpu_reference_output(one, i, t);
                size_t per = tensor_count(single);
                assert_int_equal(batched->n, BATCH);
                assert_int_equal(single->n, 1);
                assert_int_equal(tensor_count(batched), BATCH * per);
                for (size_t k = 0; k < per; k++) {
                    double want = single->data[k], got = batched->data[b * per + k];
                    double e = fabs(got - want) / (fabs(want) > 1 ? fabs(want) : 1);
                    if (e > worst)
                        worst = e;
                    if (e > 1e-6)
                        fail_msg("node '%s' step %d example %d element %zu: batched %.9g, alone %.9g",
                                 f.g->nodes[i].name, t, b, k, got, want);
                }
            }
        cpu_reference_destroy(one);
    }
    printf("  batch of 3 vs 3 single runs: worst relative difference %.2e\n", worst);
    cpu_reference_destroy(all);
    free(images);
    fixture_free(&f);
}

/* ---- Post-memory ops ------------------------------------------------------------------ */

/* The ops after the cell, in spec order: residual add of the node's input u (projected
 * 1x1 when channels differ), average pooling (padding excluded), global average pool,
 * fc layers ("fc", then "fc2"), as the median model's readout uses them. */
static void test_post_ops(void **unused)
{
    (void)unused;
    naive_fixture f;
    fixture_load(&f,
                 "{'format': 1, 'input': {'name': 'image', 'shape': [6, 5, 2]},"
                 " 'schedule': {'steps': 4, 'image_on': [0, 2]},"
                 " 'nodes': ["
                 "  {'name': 'a', 'input': 'image', 'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'},"
                 "   'cell': {'type': 'time_decay', 'tau': 0.5}, 'post': [{'op': 'residual'}]},"
                 "  {'name': 'b', 'input': 'a', 'conv': {'kernel': 3, 'channels': 3, 'activation': 'elu'},"
                 "   'post': [{'op': 'residual'}, {'op': 'avgpool', 'kernel': 3, 'stride': 2},"
                 "            {'op': 'maxpool', 'kernel': 2, 'stride': 1, 'padding': 'valid'}]},"
                 "  {'name': 'readout', 'input': 'b', 'post': [{'op': 'global_avg_pool'},"
                 "   {'op': 'fc', 'units': 4, 'activation': 'elu'}, {'op': 'fc', 'units': 3, 'bias': false}]},"
                 "  {'name': 'flat', 'input': 'a', 'post': [{'op': 'avgpool', 'kernel': 2, 'padding': 'valid'},"
                 "   {'op': 'fc', 'units': 2}]}],"
                 " 'readout': {'node': 'readout'}}",
                 39);
    fixture_input(&f, 6, 5, 2);
    fixture_schedule(&f, 4, 0, 2, 0.5);
    naive_node *a = fixture_conv_node(&f, "a", "image", 0, 3, 3, 1, 2, 3, NAIVE_ELU);
    a->cell = (naive_cell){.type = NAIVE_TIME_DECAY, .channels = 3,
                           .tau = fixture_vector(&f, "a", "cell.tau", 1, 0.3, 0.7)};
    a->post[a->post_count++] = (naive_post){.kind = NAIVE_POST_RESIDUAL,
                                            .weights = fixture_kernel(&f, "a", "residual.kernel", 1, 1, 2, 3)};
    naive_node *b = fixture_conv_node(&f, "b", "a", 1, 3, 3, 1, 3, 3, NAIVE_ELU);
    assert_false(fixture_has_param(&f, "b", "residual.kernel"));
    b->post[b->post_count++] = (naive_post){.kind = NAIVE_POST_RESIDUAL};
    b->post[b->post_count++] = (naive_post){.kind = NAIVE_POST_AVGPOOL, .kernel = 3, .stride = 2, .same = true};
    b->post[b->post_count++] = (naive_post){.kind = NAIVE_POST_MAXPOOL, .kernel = 2, .stride = 1, .same = false};
    naive_node *r = fixture_node(&f, "readout");
    r->input = (naive_edge){fixture_index(&f, "b"), 1};
    r->post[r->post_count++] = (naive_post){.kind = NAIVE_POST_GLOBAL_AVG};
    const float *fc = fixture_param(&f, "readout", "fc.kernel", -0.8, 0.8, 2, (const int[]){3, 4});
    const float *fc_bias = fixture_vector(&f, "readout", "fc.bias", 4, -0.5, 0.5);
    const float *fc2 = fixture_param(&f, "readout", "fc2.kernel", -0.8, 0.8, 2, (const int[]){4, 3});
    r->post[r->post_count++] = (naive_post){.kind = NAIVE_POST_FC, .units = 4, .act = NAIVE_ELU, .weights = fc,
                                            .bias = fc_bias};
    r->post[r->post_count++] = (naive_post){.kind = NAIVE_POST_FC, .units = 3, .act = NAIVE_IDENTITY, .weights = fc2};
    assert_false(fixture_has_param(&f, "readout", "fc2.bias"));
    naive_node *flat = fixture_node(&f, "flat");
    flat->input = (naive_edge){fixture_index(&f, "a"), 1};
    flat->post[flat->post_count++] = (naive_post){.kind = NAIVE_POST_AVGPOOL, .kernel = 2, .stride = 2, .same = false};
    /* fc on a 3 x 2 x 3 tensor: 18 features in NHWC order. */
    fc = fixture_param(&f, "flat", "fc.kernel", -0.5, 0.5, 2, (const int[]){18, 2});
    fc_bias = fixture_vector(&f, "flat", "fc.bias", 2, -0.5, 0.5);
    flat->post[flat->post_count++] = (naive_post){.kind = NAIVE_POST_FC, .units = 2, .act = NAIVE_IDENTITY,
                                                  .weights = fc, .bias = fc_bias};
    float *images = fixture_images(&f, 2);
    fixture_compare(&f, 2, images, TOLERANCE);
    printf("  post ops: worst error vs naive %.2e\n", f.worst_error);
    free(images);
    fixture_free(&f);
}

/* The model zoo's post-memory block (conv 3x3 -> residual_add -> elu after the cell in
 * convrnns/models/ugrnn_intermediate.json and every other non-RGC 11-layer model) and the
 * ops around it, over several steps against
 * the naive unroller, which follows the zoo's code: residual_add adds what the pre-memory
 * component_conv returns as its input, the harbor, so at b (which has feedback) the
 * concatenation of u and the resized feedback, projected 1x1 to the value's channels; at c
 * (after a max pool) the harbor resized to the pooled size and always projected, although
 * the channels agree; at d the harbor has the value's shape and is added as it is. d's conv
 * of kernel 5 clamps to its 3x3 input; its second conv has stride 2 and no bias; flatten
 * then fc read the NHWC order. */
static void test_zoo_post_ops(void **unused)
{
    (void)unused;
    naive_fixture f;
    fixture_load(&f,
                 "{'format': 1, 'input': {'name': 'image', 'shape': [6, 5, 2]},"
                 " 'schedule': {'steps': 6, 'image_on': [0, 4]},"
                 " 'nodes': ["
                 "  {'name': 'a', 'input': 'image', 'conv': {'kernel': 3, 'channels': 3},"
                 "   'post': [{'op': 'activation', 'fn': 'elu'}, {'op': 'conv', 'kernel': 3, 'channels': 4,"
                 "            'activation': 'tanh'}, {'op': 'residual_add'}, {'op': 'activation', 'fn': 'elu'}]},"
                 "  {'name': 'b', 'input': 'a', 'feedback': ['c'], 'conv': {'kernel': 3, 'channels': 4, 'activation': 'elu'},"
                 "   'cell': {'type': 'ugrnn'},"
                 "   'post': [{'op': 'conv', 'kernel': 3, 'channels': 4}, {'op': 'residual_add'},"
                 "            {'op': 'activation', 'fn': 'elu'}]},"
                 "  {'name': 'c', 'input': 'b', 'conv': {'kernel': 3, 'channels': 4, 'activation': 'elu'},"
                 "   'post': [{'op': 'maxpool', 'kernel': 2}, {'op': 'residual_add'}]},"
                 "  {'name': 'd', 'input': 'c', 'conv': {'kernel': 3, 'channels': 4, 'activation': 'elu'},"
                 "   'post': [{'op': 'conv', 'kernel': 5, 'channels': 4, 'init_scale': 2}, {'op': 'residual_add'},"
                 "            {'op': 'activation', 'fn': 'relu'},"
                 "            {'op': 'conv', 'kernel': 2, 'stride': 2, 'channels': 5, 'bias': false},"
                 "            {'op': 'flatten'}, {'op': 'fc', 'units': 3}]}],"
                 " 'readout': {'node': 'd', 'decoder': 'dthresh', 'threshold': 0.6}}",
                 41);
    fixture_input(&f, 6, 5, 2);
    fixture_schedule(&f, 6, 0, 4, 0.5);
    naive_node *a = fixture_conv_node(&f, "a", "image", 0, 3, 3, 1, 2, 3, NAIVE_IDENTITY);
    a->post[a->post_count++] = (naive_post){.kind = NAIVE_POST_ACTIVATION, .act = NAIVE_ELU};
    a->post[a->post_count++] =
        (naive_post){.kind = NAIVE_POST_CONV, .kernel = 3, .stride = 1, .same = true, .units = 4, .act = NAIVE_TANH,
                     .weights = fixture_kernel(&f, "a", "conv.kernel", 3, 3, 3, 4),
                     .bias = fixture_vector(&f, "a", "conv.bias", 4, -0.5, 0.5)};
    /* a's harbor is the 2-channel image: projected to 4 channels. */
    a->post[a->post_count++] = (naive_post){.kind = NAIVE_POST_RESIDUAL_ADD,
                                            .weights = fixture_kernel(&f, "a", "residual_add.kernel", 1, 1, 2, 4)};
    a->post[a->post_count++] = (naive_post){.kind = NAIVE_POST_ACTIVATION, .act = NAIVE_ELU};

    /* b: harbor = concat(a (4), c resized from 3x3 (4)) = 8 channels, into the pre-conv and
     * into residual_add's projection. */
    naive_node *b = fixture_conv_node(&f, "b", "a", 1, 3, 3, 1, 8, 4, NAIVE_ELU);
    b->feedback[b->feedback_count++] = (naive_edge){fixture_index(&f, "c"), 1};
    gated_cell(&f, "b", NAIVE_UGRNN, 4, 4, false, 1.0);
    b->post[b->post_count++] =
        (naive_post){.kind = NAIVE_POST_CONV, .kernel = 3, .stride = 1, .same = true, .units = 4, .act = NAIVE_IDENTITY,
                     .weights = fixture_kernel(&f, "b", "conv.kernel", 3, 3, 4, 4),
                     .bias = fixture_vector(&f, "b", "conv.bias", 4, -0.5, 0.5)};
    b->post[b->post_count++] = (naive_post){.kind = NAIVE_POST_RESIDUAL_ADD,
                                            .weights = fixture_kernel(&f, "b", "residual_add.kernel", 1, 1, 8, 4)};
    b->post[b->post_count++] = (naive_post){.kind = NAIVE_POST_ACTIVATION, .act = NAIVE_ELU};

    naive_node *c = fixture_conv_node(&f, "c", "b", 1, 3, 3, 1, 4, 4, NAIVE_ELU);
    c->post[c->post_count++] = (naive_post){.kind = NAIVE_POST_MAXPOOL, .kernel = 2, .stride = 2, .same = true};
    c->post[c->post_count++] = (naive_post){.kind = NAIVE_POST_RESIDUAL_ADD,
                                            .weights = fixture_kernel(&f, "c", "residual_add.kernel", 1, 1, 4, 4)};

    naive_node *d = fixture_conv_node(&f, "d", "c", 1, 3, 3, 1, 4, 4, NAIVE_ELU);
    d->post[d->post_count++] =
        (naive_post){.kind = NAIVE_POST_CONV, .kernel = 3, .stride = 1, .same = true, .units = 4, .act = NAIVE_IDENTITY,
                     .weights = fixture_kernel(&f, "d", "conv.kernel", 3, 3, 4, 4),
                     .bias = fixture_vector(&f, "d", "conv.bias", 4, -0.5, 0.5)};
    assert_false(fixture_has_param(&f, "d", "residual_add.kernel"));
    d->post[d->post_count++] = (naive_post){.kind = NAIVE_POST_RESIDUAL_ADD};
    d->post[d->post_count++] = (naive_post){.kind = NAIVE_POST_ACTIVATION, .act = NAIVE_RELU};
    d->post[d->post_count++] =
        (naive_post){.kind = NAIVE_POST_CONV, .kernel = 2, .stride = 2, .same = true, .units = 5, .act = NAIVE_IDENTITY,
                     .weights = fixture_kernel(&f, "d", "conv2.kernel", 2, 2, 4, 5)};
    assert_false(fixture_has_param(&f, "d", "conv2.bias"));
    d->post[d->post_count++] = (naive_post){.kind = NAIVE_POST_FLATTEN};
    /* 2 x 2 x 5 flattened: 20 features. */
    d->post[d->post_count++] =
        (naive_post){.kind = NAIVE_POST_FC, .units = 3, .act = NAIVE_IDENTITY,
                     .weights = fixture_param(&f, "d", "fc.kernel", -0.5, 0.5, 2, (const int[]){20, 3}),
                     .bias = fixture_vector(&f, "d", "fc.bias", 3, -0.5, 0.5)};

    /* The initialisers the zoo gives them: conv kernels variance scaling with the op's
     * scale, projections Glorot uniform over their fans. */
    const param_table *t = f.g->params;
    const param_info *dk = &t->params[param_table_find(t, "d/conv.kernel")];
    assert_int_equal(dk->init, INIT_VARIANCE_SCALING);
    assert_int_equal(dk->fan_in, 3 * 3 * 4);
    assert_true(dk->init_scale == 2.0f);
    const param_info *bp = &t->params[param_table_find(t, "b/residual_add.kernel")];
    assert_int_equal(bp->init, INIT_GLOROT_UNIFORM);
    assert_int_equal(bp->fan_in, 8);
    assert_int_equal(bp->fan_out, 4);
    assert_true(bp->init_scale == 1.0f);
    assert_int_equal(t->params[param_table_find(t, "b/conv.bias")].init, INIT_ZEROS);

    float *images = fixture_images(&f, 2);
    fixture_compare(&f, 2, images, TOLERANCE);
    printf("  zoo post ops (conv, residual_add, activation, flatten) over 6 steps: worst error vs naive %.2e\n",
           f.worst_error);
    free(images);
    fixture_free(&f);
}

/* ---- Bad input and the run protocol ---------------------------------------------------- */

static bool stop_at_two(void *context, int step, int steps)
{
    int *calls = context;
    (*calls)++;
    (void)steps;
    return step < 2;
}

static bool count_calls(void *context, int step, int steps)
{
    int *calls = context;
    assert_int_equal(step, *calls);
    assert_int_equal(steps, 3);
    (*calls)++;
    return true;
}

static void expect_load_error(const char *spec, const char *fragment)
{
    char *text = strdup(spec);
    assert_non_null(text);
    for (char *p = text; *p; p++)
        if (*p == '\'')
            *p = '"';
    graph *g = NULL;
    rtpu_error err = {0};
    assert_int_not_equal(graph_load_text(text, strlen(text), "test.json", &g, &err), RTPU_OK);
    free(text);
    assert_null(g);
    if (!strstr(err.message, fragment))
        fail_msg("error '%s' does not contain '%s'", err.message, fragment);
    assert_null(strchr(err.message, '\n'));
}

static void test_bad_input(void **unused)
{
    (void)unused;
    naive_fixture f;
    fixture_load(&f,
                 "{'format': 1, 'input': {'name': 'image', 'shape': [3, 2, 1]}, 'schedule': {'steps': 3},"
                 " 'nodes': [{'name': 'n', 'input': 'image', 'conv': {'kernel': 1, 'channels': 1}}],"
                 " 'readout': {'node': 'n'}}",
                 38);
    fixture_input(&f, 3, 2, 1);
    rtpu_error err = {0};
    cpu_reference *r = NULL;
    assert_int_equal(cpu_reference_create(f.g, f.w, 0, 0, &r, &err), RTPU_ERR_INVALID);
    assert_null(r);
    assert_non_null(strstr(err.message, "batch size 0 is outside 1..4096"));
    assert_int_not_equal(cpu_reference_create(f.g, f.w, -3, 0, &r, &err), RTPU_OK);
    assert_int_not_equal(cpu_reference_create(f.g, f.w, 4097, 0, &r, &err), RTPU_OK);
    assert_non_null(strstr(err.message, "batch size 4097"));
    assert_int_not_equal(cpu_reference_create(f.g, f.w, 1, 10001, &r, &err), RTPU_OK);
    assert_non_null(strstr(err.message, "10001 steps is outside 1..10000"));
    assert_null(r);

    float *image = fixture_images(&f, 1);
    int calls = 0;
    assert_int_equal(cpu_reference_create(f.g, f.w, 1, 0, &r, &err), RTPU_OK);
    assert_int_not_equal(cpu_reference_run(r, image, stop_at_two, &calls, &err), RTPU_OK);
    assert_non_null(strstr(err.message, "interrupted at step 2"));
    assert_int_equal(calls, 3);
    cpu_reference_destroy(r);

    calls = 0;
    assert_int_equal(cpu_reference_create(f.g, f.w, 1, 0, &r, &err), RTPU_OK);
    assert_int_equal(cpu_reference_run(r, image, count_calls, &calls, &err), RTPU_OK);
    assert_int_equal(calls, 3);
    assert_int_not_equal(cpu_reference_run(r, image, NULL, NULL, &err), RTPU_OK);
    assert_non_null(strstr(err.message, "already been executed"));
    cpu_reference_destroy(r);
    free(image);
    fixture_free(&f);

    expect_load_error("{'format': 1, 'input': {'shape': [3, 2, 1]}, 'nodes': ["
                      " {'name': 'a', 'input': 'image', 'feedback': [{'from': 'b', 'delay': 0}],"
                      "  'conv': {'kernel': 1, 'channels': 1}},"
                      " {'name': 'b', 'input': {'from': 'a', 'delay': 0}, 'conv': {'kernel': 1, 'channels': 1}}],"
                      " 'readout': {'node': 'b'}}",
                      "cycle with no delay");
    expect_load_error("{'format': 1, 'input': {'shape': [3, 2, 1]}, 'nodes': ["
                      " {'name': 'a', 'input': 'image', 'feedback': ['b'], 'cell': {'type': 'vanilla'}},"
                      " {'name': 'b', 'input': 'a'}], 'readout': {'node': 'b'}}",
                      "node 'a': feedback is combined by the pre-memory conv");
    expect_load_error("{'format': 1, 'input': {'shape': [3, 2, 1]}, 'nodes': ["
                      " {'name': 'a', 'input': {'from': 'image', 'delay': -1}}], 'readout': {'node': 'a'}}",
                      "field 'delay' must be an integer in 0..1000");
    expect_load_error("{'format': 1, 'input': {'shape': [3, 2, 1]}, 'nodes': ["
                      " {'name': 'a', 'input': 'image', 'feedback': ['zz']}], 'readout': {'node': 'a'}}",
                      "node 'a': feedback from 'zz', which does not exist");
    expect_load_error("{'format': 1, 'input': {'shape': [3, 2, 1]}, 'nodes': ["
                      " {'name': 'a', 'input': 'image', 'feedback': ['a', 'a'], 'conv': {'kernel': 1, 'channels': 1}}],"
                      " 'readout': {'node': 'a'}}",
                      "feedback from 'a' is listed twice");
    expect_load_error("{'format': 1, 'input': {'shape': [3, 2, 1]}, 'schedule': {'mode': 'sometimes'}, 'nodes': ["
                      " {'name': 'a', 'input': 'image'}], 'readout': {'node': 'a'}}",
                      "field 'mode' is 'sometimes'");
    expect_load_error("{'format': 1, 'input': {'shape': [3, 2, 1]}, 'schedule': {'image_on': [5, 2]}, 'nodes': ["
                      " {'name': 'a', 'input': 'image'}], 'readout': {'node': 'a'}}",
                      "'image_on' must be [first, end)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stimulus_arrival),
        cmocka_unit_test(test_gated_cells_unrolled),
        cmocka_unit_test(test_zero_initial_state),
        cmocka_unit_test(test_feedback_delay),
        cmocka_unit_test(test_feedback_resize_and_order),
        cmocka_unit_test(test_explicit_delays),
        cmocka_unit_test(test_schedules),
        cmocka_unit_test(test_batch_equals_single_runs),
        cmocka_unit_test(test_post_ops),
        cmocka_unit_test(test_zoo_post_ops),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
