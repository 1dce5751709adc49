/* The median model (graphs/median.json) against docs/model-semantics.md section 3, with every
 * expected number computed here by hand formulas, not by the compiler. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/ir.h"

static graph *load_median(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/graphs/median.json", getenv("RTPU_SOURCE_DIR"));
    rtpu_error err = {0};
    graph *g = NULL;
    if (graph_load(path, &g, &err))
        fail_msg("%s", err.message);
    return g;
}

/* Table of docs/model-semantics.md section 3: output H, W, C per node. */
static void test_shapes(void **state)
{
    (void)state;
    graph *g = load_median();
    static const struct { const char *name; int h, w, c; } table[] = {
        {"conv1", 56, 56, 64},   {"conv2", 56, 56, 128},  {"conv3", 56, 56, 128}, {"conv4", 28, 28, 128},
        {"conv5", 28, 28, 128},  {"conv6", 14, 14, 256},  {"conv7", 7, 7, 256},   {"conv8", 7, 7, 256},
        {"conv9", 7, 7, 512},    {"conv10", 4, 4, 512},   {"readout", 1, 1, 1000},
    };
    assert_int_equal(g->node_count, 12);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int k = graph_find_node(g, table[i].name);
        assert_true(k > 0);
        assert_int_equal(g->nodes[k].out_h, table[i].h);
        assert_int_equal(g->nodes[k].out_w, table[i].w);
        assert_int_equal(g->nodes[k].out_c, table[i].c);
    }
    /* Harbor channels of the table: feedback channel sums. */
    assert_int_equal(g->nodes[graph_find_node(g, "conv5")].feedback_c, 256);
    assert_int_equal(g->nodes[graph_find_node(g, "conv6")].feedback_c, 256 + 512);
    assert_int_equal(g->nodes[graph_find_node(g, "conv7")].feedback_c, 512);
    assert_int_equal(g->nodes[graph_find_node(g, "conv9")].feedback_c, 512);
    /* conv6's feedback in sorted source order: conv7 before conv9. */
    const node *c6 = &g->nodes[graph_find_node(g, "conv6")];
    assert_string_equal(g->nodes[c6->feedback[0].from].name, "conv7");
    assert_string_equal(g->nodes[c6->feedback[1].from].name, "conv9");
    assert_int_equal(g->sched.steps, 17);
    assert_int_equal(g->sched.image_on_end, 12);
    graph_destroy(g);
}

static long conv(long k, long ci, long co) { return k * k * ci * co + co; }
static long ds(long k, long ci, long co) { return k * k * ci + ci * co + co; }

/* 15.45 M parameters (docs/model-semantics.md), from the cell's definition written out by hand. */
static void test_parameter_count(void **state)
{
    (void)state;
    graph *g = load_median();
    static const struct { long in, c, fb; } cells[] = {
        {128, 128, 0}, {128, 128, 256}, {128, 256, 768}, {256, 256, 512}, {256, 256, 0}, {256, 512, 512}, {512, 512, 0},
    };
    long expected = conv(7, 3, 64) + conv(3, 64, 128) + conv(3, 128, 128) + 512 * 1000 + 1000;
    for (int i = 0; i < 7; i++) {
        long in = cells[i].in, C = cells[i].c, fb = cells[i].fb;
        expected += conv(3, in, C) + conv(2, C, 64) + ds(7, 64, 64) + ds(7, C, 64) + conv(3, C, C) +
                    (in != C ? in * C : 0) + ds(7, C, C) + ds(7, 64, C) + (fb ? fb * C + C : 0);
    }
    rtpu_error err = {0};
    param_table t;
    assert_int_equal(param_table_build(g, &t, &err), RTPU_OK);
    assert_int_equal((long)t.total, expected);
    assert_int_equal((long)t.total, 15445800);
    /* Within 1% of the paper's 15.45 M. */
    assert_true(t.total > 15.45e6 * 0.99 && t.total < 15.45e6 * 1.01);
    /* Names and shapes of a few entries. */
    int k = param_table_find(&t, "conv6/cell.residual.kernel");
    assert_true(k >= 0);
    assert_int_equal(t.params[k].shape[2], 128);
    assert_int_equal(t.params[k].shape[3], 256);
    k = param_table_find(&t, "conv4/cell.t_c.depthwise");
    assert_true(k >= 0);
    assert_int_equal(t.params[k].ndim, 3);
    assert_int_equal(t.params[k].shape[0], 7);
    assert_int_equal(param_table_find(&t, "conv4/cell.residual.kernel"), -1); /* 128 -> 128: no projection */
    assert_int_equal(param_table_find(&t, "conv4/cell.feedback.kernel"), -1); /* no feedback into conv4 */
    param_table_destroy(&t);
    graph_destroy(g);
}

/* MACs per step of conv1 and conv5 by hand; the total near 4 G (docs/model-semantics.md). */
static void test_macs(void **state)
{
    (void)state;
    graph *g = load_median();
    assert_int_equal(g->nodes[graph_find_node(g, "conv1")].macs_per_step, 112L * 112 * 7 * 7 * 3 * 64);
    long hw = 28 * 28, C = 128, cc = 64;
    long conv5 = hw * 9 * 128 * C                                  /* pre-conv */
                 + hw * 4 * C * cc                                 /* A_c 2x2 */
                 + hw * (49 * cc + cc * cc) + hw * (49 * C + C * cc) /* T_c, G_c */
                 + hw * 9 * C * C                                  /* A_h 3x3 */
                 + hw * (49 * C + C * C) + hw * (49 * cc + cc * C) /* T_h, G_h */
                 + hw * 256 * C;                                   /* feedback 1x1 */
    assert_int_equal(g->nodes[graph_find_node(g, "conv5")].macs_per_step, conv5);
    uint64_t total = 0;
    for (int i = 0; i < g->node_count; i++)
        total += g->nodes[i].macs_per_step;
    assert_true(total > 3.5e9 && total < 4.5e9);
    graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_parameter_count),
        cmocka_unit_test(test_macs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
