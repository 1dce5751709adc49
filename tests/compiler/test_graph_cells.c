/* Parameter tables, shapes and MACs of the UGRNN and IntersectionRNN cells (the authors'
 * model zoo's ConvUGRNNCell and ConvIntersectionRNNCell) and of the zoo's 11-layer models
 * around them (post-memory conv and residual_add), with every expected number
 * computed here from the zoo's variable shapes written out by hand, not by the compiler:
 * one conv kernel [k, k, X + C, 2C] (UGRNN) or [k, k, X + C, 4C] (IntersectionRNN) with a
 * bias of the same width, and with layer norm one gamma and one beta per C-channel block. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/ir.h"

static graph *load_file(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/graphs/%s", getenv("RTPU_SOURCE_DIR"), name);
    rtpu_error err = {0};
    graph *g = NULL;
    if (graph_load(path, &g, &err))
        fail_msg("%s", err.message);
    return g;
}

/* Spec text written with single quotes for readability ('a' -> "a"). */
static graph *load_text(const char *spec)
{
    char *text = strdup(spec);
    assert_non_null(text);
    for (char *p = text; *p; p++)
        if (*p == '\'')
            *p = '"';
    rtpu_error err = {0};
    graph *g = NULL;
    rtpu_status s = graph_load_text(text, strlen(text), "test.json", &g, &err);
    free(text);
    if (s)
        fail_msg("%s", err.message);
    return g;
}

static long conv(long k, long in, long out) { return k * k * in * out + out; }
/* The zoo cell on x of X channels with C of its own: the one conv over [x, h] to
 * blocks * C, plus gamma and beta of blocks * C with layer norm. */
static long cell(long k, long X, long C, long blocks, bool layer_norm)
{
    return conv(k, X + C, blocks * C) + (layer_norm ? 2 * blocks * C : 0);
}

static long node_params(const graph *g, const param_table *t, const char *name)
{
    int index = graph_find_node(g, name);
    assert_true(index >= 0);
    long sum = 0;
    for (int i = 0; i < t->count; i++)
        if (t->params[i].node == index)
            sum += (long)t->params[i].count;
    return sum;
}

static const param_info *find(const param_table *t, const char *name)
{
    int k = param_table_find(t, name);
    if (k < 0)
        fail_msg("no parameter '%s'", name);
    return &t->params[k];
}

static void expect_shape(const param_table *t, const char *name, int ndim, const int *dims)
{
    const param_info *p = find(t, name);
    assert_int_equal(p->ndim, ndim);
    for (int d = 0; d < ndim; d++)
        if (p->shape[d] != dims[d])
            fail_msg("'%s' dimension %d is %d, expected %d", name, d, p->shape[d], dims[d]);
}

/* graphs/small-ugrnn.json (docs/spec-format.md section 10.3), node by node. */
static void test_small_ugrnn_parameters(void **state)
{
    (void)state;
    graph *g = load_file("small-ugrnn.json");
    rtpu_error err = {0};
    param_table t;
    assert_int_equal(param_table_build(g, &t, &err), RTPU_OK);
    /* conv2's pre-conv reads conv1 (8) and the feedback from conv4 (16). */
    long conv1 = conv(5, 3, 8);
    long conv2 = conv(3, 8 + 16, 12) + cell(3, 12, 12, 2, false);
    long conv3 = conv(3, 12, 12) + cell(3, 12, 12, 4, true);
    long conv4 = conv(3, 12, 16) + cell(3, 16, 16, 2, true);
    long readout = 16 * 10 + 10;
    assert_int_equal(node_params(g, &t, "conv1"), conv1);
    assert_int_equal(node_params(g, &t, "conv2"), conv2);
    assert_int_equal(node_params(g, &t, "conv3"), conv3);
    assert_int_equal(node_params(g, &t, "conv4"), conv4);
    assert_int_equal(node_params(g, &t, "readout"), readout);
    assert_int_equal((long)t.total, conv1 + conv2 + conv3 + conv4 + readout);
    assert_int_equal((long)t.total, 31466);

    expect_shape(&t, "conv2/cell.kernel", 4, (const int[]){3, 3, 24, 24});
    expect_shape(&t, "conv2/cell.bias", 1, (const int[]){24});
    assert_int_equal(param_table_find(&t, "conv2/cell.ln_gates.gamma"), -1); /* no layer norm */
    expect_shape(&t, "conv3/cell.kernel", 4, (const int[]){3, 3, 24, 48});
    expect_shape(&t, "conv3/cell.ln_gates.gamma", 1, (const int[]){48});
    expect_shape(&t, "conv3/cell.ln_gates.beta", 1, (const int[]){48});
    expect_shape(&t, "conv4/cell.kernel", 4, (const int[]){3, 3, 32, 32});

    /* Initialisers (the zoo's defaults): Glorot uniform kernels, TF's fans of a conv kernel;
     * zero biases; layer-norm gamma 1 (norm_gain), beta 0 (norm_shift). */
    const param_info *k = find(&t, "conv3/cell.kernel");
    assert_int_equal(k->init, INIT_GLOROT_UNIFORM);
    assert_int_equal(k->fan_in, 3 * 3 * 24);
    assert_int_equal(k->fan_out, 3 * 3 * 48);
    assert_true(k->init_scale == 1.0f);
    assert_int_equal(find(&t, "conv3/cell.bias")->init, INIT_ZEROS);
    const param_info *gamma = find(&t, "conv3/cell.ln_gates.gamma");
    assert_int_equal(gamma->init, INIT_CONSTANT);
    assert_true(gamma->init_value == 1.0f);
    assert_int_equal(find(&t, "conv3/cell.ln_gates.beta")->init, INIT_ZEROS);
    /* forget_bias is a constant of the spec, not a parameter. */
    assert_true(g->nodes[graph_find_node(g, "conv4")].cell.forget_bias == 0.5f);
    assert_true(g->nodes[graph_find_node(g, "conv2")].cell.forget_bias == 1.0f);
    param_table_destroy(&t);
    graph_destroy(g);
}

/* MACs per step: the pre-conv and the cell's one conv (X + C) -> 2C or 4C at the cell's size. */
static void test_small_ugrnn_macs(void **state)
{
    (void)state;
    graph *g = load_file("small-ugrnn.json");
    assert_int_equal(g->nodes[graph_find_node(g, "conv2")].macs_per_step,
                     16L * 16 * 9 * 24 * 12 + 16L * 16 * 9 * 24 * 24);
    assert_int_equal(g->nodes[graph_find_node(g, "conv3")].macs_per_step,
                     8L * 8 * 9 * 12 * 12 + 8L * 8 * 9 * 24 * 48);
    assert_int_equal(g->nodes[graph_find_node(g, "conv4")].macs_per_step, 4L * 4 * 9 * 12 * 16 + 4L * 4 * 9 * 32 * 32);
    const node *c3 = &g->nodes[graph_find_node(g, "conv3")];
    assert_int_equal(c3->cell_c, 12);
    assert_int_equal(c3->out_h, 4);
    assert_int_equal(c3->out_c, 12);
    assert_int_equal(g->nodes[graph_find_node(g, "conv4")].out_c, 16);
    graph_destroy(g);
}

/* The zoo's 6-layer UGRNN and IntersectionRNN models (convrnns/models/ugrnn_shallow.json,
 * intersectionrnn_shallow.json) as rtpu specs: 3x3 cells of the pre-conv's depth at conv3..5,
 * pre-convs there without activation. The count is the zoo's variables, by hand. */
#define ZOO_SHALLOW(cell)                                                                                    \
    "{'format': 1, 'input': {'shape': [224, 224, 3]}, 'schedule': {'steps': 16},"                           \
    " 'cells': {'zoo': {'type': '" cell "', 'kernel': 3}},"                                                 \
    " 'nodes': ["                                                                                          \
    "  {'name': 'conv1', 'input': 'image', 'conv': {'kernel': 7, 'stride': 2, 'channels': 64,"              \
    "   'activation': 'elu'}, 'post': [{'op': 'maxpool', 'kernel': 2}]},"                                  \
    "  {'name': 'conv2', 'input': 'conv1', 'conv': {'kernel': 3, 'channels': 128, 'activation': 'elu'},"    \
    "   'post': [{'op': 'maxpool', 'kernel': 2}]},"                                                        \
    "  {'name': 'conv3', 'input': 'conv2', 'conv': {'kernel': 3, 'channels': 256}, 'cell': 'zoo',"          \
    "   'post': [{'op': 'maxpool', 'kernel': 2}]},"                                                        \
    "  {'name': 'conv4', 'input': 'conv3', 'conv': {'kernel': 3, 'channels': 256}, 'cell': 'zoo',"          \
    "   'post': [{'op': 'maxpool', 'kernel': 2}]},"                                                        \
    "  {'name': 'conv5', 'input': 'conv4', 'conv': {'kernel': 3, 'channels': 512}, 'cell': 'zoo',"          \
    "   'post': [{'op': 'maxpool', 'kernel': 2}]},"                                                        \
    "  {'name': 'imnetds', 'input': 'conv5', 'conv': {'kernel': 2, 'padding': 'valid', 'channels': 1000},"  \
    "   'post': [{'op': 'global_avg_pool'}]}],"                                                            \
    " 'readout': {'node': 'imnetds'}}"

static void test_zoo_shallow_parameters(void **state)
{
    (void)state;
    static const struct { const char *spec; long blocks; } models[] = {
        {ZOO_SHALLOW("ugrnn"), 2},
        {ZOO_SHALLOW("intersection"), 4},
    };
    for (size_t m = 0; m < sizeof models / sizeof *models; m++) {
        graph *g = load_text(models[m].spec);
        rtpu_error err = {0};
        param_table t;
        assert_int_equal(param_table_build(g, &t, &err), RTPU_OK);
        long b = models[m].blocks;
        long expected = conv(7, 3, 64) + conv(3, 64, 128) + conv(3, 128, 256) + cell(3, 256, 256, b, false) +
                        conv(3, 256, 256) + cell(3, 256, 256, b, false) + conv(3, 256, 512) +
                        cell(3, 512, 512, b, false) + conv(2, 512, 1000);
        assert_int_equal((long)t.total, expected);
        /* The cells run at 28, 14 and 7 (the zoo's memory 'shape' entries). */
        assert_int_equal(g->nodes[graph_find_node(g, "conv3")].cell_h, 28);
        assert_int_equal(g->nodes[graph_find_node(g, "conv4")].cell_w, 14);
        assert_int_equal(g->nodes[graph_find_node(g, "conv5")].cell_h, 7);
        param_table_destroy(&t);
        graph_destroy(g);
    }
}

/* The zoo's 11-layer non-RGC models (convrnns/models/ugrnn_intermediate.json and the
 * others of its shape) as rtpu specs: conv1's pre-conv without activation, then elu and max
 * pool as post ops; conv2..conv10 a 3x3 elu pre-conv, the cell (conv4..conv10 only; conv2
 * and conv3 have the zoo's decay-0 memory, which is no cell), then the post-memory conv 3x3
 * -> residual_add -> elu block, max pools after conv4, conv6, conv7 and conv10; imnetds
 * global_pool -> flatten -> fc 1000. */
#define ZOO_INTERMEDIATE(cell)                                                                               \
    "{'format': 1, 'input': {'shape': [224, 224, 3]}, 'cells': {'zoo': {'type': '" cell "', 'kernel': 3}}," \
    " 'nodes': ["                                                                                          \
    "  {'name': 'conv1', 'input': 'image', 'conv': {'kernel': 7, 'stride': 2, 'channels': 64},"             \
    "   'post': [{'op': 'activation', 'fn': 'elu'}, {'op': 'maxpool', 'kernel': 2}]},"                     \
    ZOO_LAYER("conv2", "conv1", 64, "", "") ZOO_LAYER("conv3", "conv2", 64, "", "")                          \
    ZOO_LAYER("conv4", "conv3", 128, CELL, POOL) ZOO_LAYER("conv5", "conv4", 128, CELL, "")                  \
    ZOO_LAYER("conv6", "conv5", 256, CELL, POOL) ZOO_LAYER("conv7", "conv6", 256, CELL, POOL)                \
    ZOO_LAYER("conv8", "conv7", 512, CELL, "") ZOO_LAYER("conv9", "conv8", 512, CELL, "")                    \
    ZOO_LAYER("conv10", "conv9", 512, CELL, POOL)                                                          \
    "  {'name': 'imnetds', 'input': 'conv10', 'post': [{'op': 'global_avg_pool'}, {'op': 'flatten'},"      \
    "   {'op': 'fc', 'units': 1000}]}],"                                                                   \
    " 'readout': {'node': 'imnetds', 'decoder': 'dthresh'}}"
#define CELL "'cell': 'zoo', "
#define POOL ", {'op': 'maxpool', 'kernel': 2}"
#define ZOO_LAYER(name, from, depth, cell, pool)                                                            \
    "  {'name': '" name "', 'input': '" from "', 'conv': {'kernel': 3, 'channels': " #depth ","              \
    " 'activation': 'elu'}, " cell "'post': [{'op': 'conv', 'kernel': 3, 'channels': " #depth "},"          \
    " {'op': 'residual_add'}, {'op': 'activation', 'fn': 'elu'}" pool "]},"

static void test_zoo_intermediate_parameters(void **state)
{
    (void)state;
    graph *g = load_text(ZOO_INTERMEDIATE("ugrnn"));
    rtpu_error err = {0};
    param_table t;
    assert_int_equal(param_table_build(g, &t, &err), RTPU_OK);
    /* Per layer: component_conv, the UGRNN's _conv_linear, the post conv, and residual_add's
     * 1x1 "residual_add_weights" where the depth changes (conv4, conv6, conv8). */
    long layers = conv(7, 3, 64) + 2 * (conv(3, 64, 64) + conv(3, 64, 64));
    layers += conv(3, 64, 128) + cell(3, 128, 128, 2, false) + conv(3, 128, 128) + 64 * 128;
    layers += conv(3, 128, 128) + cell(3, 128, 128, 2, false) + conv(3, 128, 128);
    layers += conv(3, 128, 256) + cell(3, 256, 256, 2, false) + conv(3, 256, 256) + 128 * 256;
    layers += conv(3, 256, 256) + cell(3, 256, 256, 2, false) + conv(3, 256, 256);
    layers += conv(3, 256, 512) + cell(3, 512, 512, 2, false) + conv(3, 512, 512) + 256 * 512;
    layers += 2 * (conv(3, 512, 512) + cell(3, 512, 512, 2, false) + conv(3, 512, 512));
    long imnetds = 512 * 1000 + 1000;
    assert_int_equal((long)t.total, layers + imnetds);
    /* The same count summed over the variables the zoo's JSON creates (without the
     * non-trainable memory_decay scalars of its cell-less layers). */
    assert_int_equal((long)t.total, 50617832);
    assert_int_equal(node_params(g, &t, "imnetds"), imnetds);

    expect_shape(&t, "conv4/conv.kernel", 4, (const int[]){3, 3, 128, 128});
    expect_shape(&t, "conv4/conv.bias", 1, (const int[]){128});
    expect_shape(&t, "conv4/residual_add.kernel", 4, (const int[]){1, 1, 64, 128});
    assert_int_equal(param_table_find(&t, "conv5/residual_add.kernel"), -1);
    expect_shape(&t, "imnetds/fc.kernel", 2, (const int[]){512, 1000});
    const param_info *proj = find(&t, "conv8/residual_add.kernel");
    assert_int_equal(proj->init, INIT_GLOROT_UNIFORM);
    assert_int_equal(proj->fan_in, 256);
    assert_int_equal(proj->fan_out, 512);
    const param_info *k = find(&t, "conv9/conv.kernel");
    assert_int_equal(k->init, INIT_VARIANCE_SCALING);
    assert_int_equal(k->fan_in, 3 * 3 * 512);

    /* The zoo's memory shapes: the cells at 56, 28, 28, 14, 7, 7, 7; imnetds 1 x 1 x 1000 from 4 x 4. */
    static const struct { const char *name; int cell_h, out_h, out_c; } sizes[] = {
        {"conv1", 112, 56, 64}, {"conv3", 56, 56, 64}, {"conv4", 56, 28, 128}, {"conv5", 28, 28, 128},
        {"conv6", 28, 14, 256}, {"conv7", 14, 7, 256}, {"conv8", 7, 7, 512},  {"conv10", 7, 4, 512},
        {"imnetds", 4, 1, 1000},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        const node *n = &g->nodes[graph_find_node(g, sizes[i].name)];
        assert_int_equal(n->cell_h, sizes[i].cell_h);
        assert_int_equal(n->out_h, sizes[i].out_h);
        assert_int_equal(n->out_c, sizes[i].out_c);
    }
    /* conv6: pre-conv, the cell's conv (X + C) -> 2C, the post conv, the projection, at 28 x 28. */
    assert_int_equal(g->nodes[graph_find_node(g, "conv6")].macs_per_step,
                     28L * 28 * 9 * 128 * 256 + 28L * 28 * 9 * 512 * 512 + 28L * 28 * 9 * 256 * 256 +
                         28L * 28 * 128 * 256);
    /* The decoder window: from num_layers = 11 to T = 17. */
    int start, end;
    assert_true(decoder_window(&g->decoder, g->sched.steps, &start, &end));
    assert_int_equal(start, 11);
    assert_int_equal(end, 17);
    param_table_destroy(&t);
    graph_destroy(g);
}

/* Kernels clamp to the cell size, and an intersection without a pre-conv takes the depth of
 * its input node. */
static void test_clamped_and_without_pre_conv(void **state)
{
    (void)state;
    graph *g = load_text("{'format': 1, 'input': {'shape': [3, 2, 5]},"
                         " 'nodes': [{'name': 'i', 'input': 'image',"
                         " 'cell': {'type': 'intersection', 'kernel': 7, 'init_scale': 2.0}},"
                         " {'name': 'u', 'input': 'i', 'cell': {'type': 'ugrnn', 'channels': 4, 'kernel': 2,"
                         " 'layer_norm': true}}],"
                         " 'readout': {'node': 'u'}}");
    rtpu_error err = {0};
    param_table t;
    assert_int_equal(param_table_build(g, &t, &err), RTPU_OK);
    expect_shape(&t, "i/cell.kernel", 4, (const int[]){3, 2, 10, 20});
    expect_shape(&t, "u/cell.kernel", 4, (const int[]){2, 2, 9, 8});
    expect_shape(&t, "u/cell.ln_gates.gamma", 1, (const int[]){8});
    assert_true(find(&t, "i/cell.kernel")->init_scale == 2.0f);
    assert_int_equal(find(&t, "i/cell.kernel")->fan_out, 3 * 2 * 20);
    assert_int_equal((long)t.total, (3 * 2 * 10 * 20 + 20) + (2 * 2 * 9 * 8 + 8 + 16));
    assert_int_equal(g->nodes[graph_find_node(g, "i")].macs_per_step, 3L * 2 * 3 * 2 * 10 * 20);
    param_table_destroy(&t);
    graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_ugrnn_parameters),
        cmocka_unit_test(test_small_ugrnn_macs),
        cmocka_unit_test(test_zoo_shallow_parameters),
        cmocka_unit_test(test_clamped_and_without_pre_conv),
        cmocka_unit_test(test_zoo_intermediate_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
