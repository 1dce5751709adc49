/* The unrolled schedule (compiler/unroll.c) and the bound parameters (params.c), checked
 * against what the rules of docs/model-semantics.md section 1 give by hand for
 * graphs/small-feedback.json and for a graph with a two-step feedback delay; and the
 * executor's liveness: a run that keeps only the last readout frees every other value
 * and still computes the same bits as a run that keeps everything. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/unroll.h"
#include "cpu/cpu_ref.h"

static graph *load(const char *relative)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", getenv("RTPU_SOURCE_DIR"), relative);
    graph *g = NULL;
    rtpu_error err = {0};
    if (graph_load(path, &g, &err))
        fail_msg("%s", err.message);
    return g;
}

/* The task of node `name` at step t. */
static const unroll_task *task_of(const unrolled *u, const graph *g, const char *name, int t)
{
    int index = graph_find_node(g, name);
    for (int k = 0; k < u->node_count; k++)
        if (unroll_task_at(u, t, k)->node == index)
            return unroll_task_at(u, t, k);
    fail_msg("no task for %s at %d", name, t);
    return NULL;
}

static void expect_read(const graph *g, unroll_read r, const char *from, int step)
{
    assert_string_equal(g->nodes[r.from].name, from);
    assert_int_equal(r.step, step);
}

static void test_small_feedback(void **state)
{
    (void)state;
    graph *g = load("graphs/small-feedback.json");
    unrolled *u = NULL;
    rtpu_error err = {0};
    assert_int_equal(unroll_build(g, 6, &u, &err), RTPU_OK);
    assert_int_equal(u->steps, 6);
    /* the image is on at steps 0..3, then blank */
    for (int t = 0; t < 6; t++)
        assert_int_equal(task_of(u, g, "image", t)->shows_image, t < 4);
    /* edges out of the input cost no step; every other edge one */
    expect_read(g, task_of(u, g, "conv1", 2)->input, "image", 2);
    const unroll_task *c2 = task_of(u, g, "conv2", 3);
    expect_read(g, c2->input, "conv1", 2);
    assert_int_equal(c2->feedback_count, 2);
    expect_read(g, c2->feedback[0], "conv3", 2); /* sorted source names */
    expect_read(g, c2->feedback[1], "conv4", 2);
    /* before step 0: zeros */
    const unroll_task *c2_0 = task_of(u, g, "conv2", 0);
    assert_int_equal(c2_0->input.step, UNROLL_ZEROS);
    assert_int_equal(c2_0->feedback[0].step, UNROLL_ZEROS);
    /* liveness: conv4@2 is read by conv2, conv3 and readout at step 3; conv4@5 by nobody;
     * image@4 by conv1 in its own step */
    int c4 = graph_find_node(g, "conv4"), img = graph_find_node(g, "image"), ro = graph_find_node(g, "readout");
    assert_int_equal(u->last_read[2 * u->node_count + c4], 3);
    assert_int_equal(u->last_read[5 * u->node_count + c4], UNROLL_NEVER_READ);
    assert_int_equal(u->last_read[4 * u->node_count + img], 4);
    assert_int_equal(u->last_read[1 * u->node_count + ro], UNROLL_NEVER_READ);
    assert_true(unroll_live_after(u, c4, 2, 3));
    assert_false(unroll_live_after(u, c4, 2, 4));
    /* between two steps, conv1..conv4 of the earlier step are live: 4 values */
    assert_int_equal(u->max_live, 4);
    char *text = NULL;
    assert_int_equal(unroll_dump(u, g, &text, &err), RTPU_OK);
    assert_non_null(strstr(text, "t=3 conv2 <- conv1@2 fb conv3@2 fb conv4@2; live until t=4\n"));
    assert_non_null(strstr(text, "t=0 conv2 <- zeros(conv1) fb zeros(conv3) fb zeros(conv4); live until t=1\n"));
    assert_non_null(strstr(text, "t=4 image = blank; live until t=4\n"));
    assert_non_null(strstr(text, "t=5 readout <- conv4@4; read by no later task\n"));
    free(text);
    assert_int_equal(unroll_build(g, 0, &(unrolled *){NULL}, &err), RTPU_ERR_INVALID);
    assert_string_equal(err.message, "graph 'small-feedback': 0 steps is outside 1..100000");
    unroll_destroy(u);
    graph_destroy(g);
}

static void test_long_delay(void **state)
{
    (void)state;
    static const char spec[] =
        "{\"format\": 1, \"name\": \"d2\", \"input\": {\"name\": \"x\", \"shape\": [4, 4, 2]},"
        " \"schedule\": {\"mode\": \"constant\", \"steps\": 5},"
        " \"nodes\": [{\"name\": \"a\", \"input\": \"x\", \"feedback\": [{\"from\": \"b\", \"delay\": 2}],"
        "   \"conv\": {\"kernel\": 1, \"channels\": 3}},"
        "  {\"name\": \"b\", \"input\": \"a\", \"conv\": {\"kernel\": 1, \"channels\": 3}, \"post\": [{\"op\": \"fc\", \"units\": 2}, {\"op\": \"fc\", \"units\": 2}]}],"
        " \"readout\": {\"node\": \"b\", \"decoder\": \"last\"}}";
    graph *g = NULL;
    rtpu_error err = {0};
    if (graph_load_text(spec, strlen(spec), "d2.json", &g, &err))
        fail_msg("%s", err.message);
    unrolled *u = NULL;
    assert_int_equal(unroll_build(g, 5, &u, &err), RTPU_OK);
    const unroll_task *a1 = task_of(u, g, "a", 1), *a4 = task_of(u, g, "a", 4);
    assert_int_equal(a1->feedback[0].step, UNROLL_ZEROS);
    expect_read(g, a4->feedback[0], "b", 2);
    int b = graph_find_node(g, "b");
    assert_int_equal(u->last_read[2 * u->node_count + b], 4);
    /* constant mode: the image at every step */
    for (int t = 0; t < 5; t++)
        assert_true(task_of(u, g, "x", t)->shows_image);
    /* parameters bound on the node and its post ops, in the table's names */
    const node *nb = &g->nodes[b];
    const param_table *p = g->params;
    assert_string_equal(p->params[nb->param[SLOT_PRE_KERNEL]].name, "b/pre.kernel");
    assert_int_equal(nb->param[SLOT_TAU], -1);
    assert_string_equal(p->params[nb->post[0].kernel_param].name, "b/fc.kernel");
    assert_string_equal(p->params[nb->post[1].kernel_param].name, "b/fc2.kernel");
    assert_string_equal(p->params[nb->post[1].bias_param].name, "b/fc2.bias");
    unroll_destroy(u);
    graph_destroy(g);
}

/* Keeping only the last readout frees everything else as the run goes; the kept value
 * equals the one of a run that keeps everything, bit for bit. */
static void test_executor_liveness(void **state)
{
    (void)state;
    graph *g = load("graphs/small-feedback.json");
    weights *w = NULL;
    rtpu_error err = {0};
    assert_int_equal(weights_init(g, 3, 0, &w, &err), RTPU_OK);
    size_t count = 32 * 32 * 3;
    float *images = malloc(count * sizeof *images);
    for (size_t i = 0; i < count; i++)
        images[i] = (float)((int)(i * 7919 % 211) - 105) / 50.0f;
    cpu_reference *all = NULL, *some = NULL;
    int ro = g->readout_node, c2 = graph_find_node(g, "conv2");
    assert_int_equal(cpu_reference_create(g, w, 1, 6, &all, &err), RTPU_OK);
    assert_int_equal(cpu_reference_create(g, w, 1, 6, &some, &err), RTPU_OK);
    assert_int_equal(cpu_reference_keep(some, ro, 5, &err), RTPU_OK);
    assert_int_equal(cpu_reference_keep(some, c2, 6, &err), RTPU_ERR_INVALID);
    assert_int_equal(cpu_reference_run(all, images, NULL, NULL, &err), RTPU_OK);
    assert_int_equal(cpu_reference_run(some, images, NULL, NULL, &err), RTPU_OK);
    for (int t = 0; t < 6; t++)
        for (int n = 0; n < g->node_count; n++) {
            assert_non_null(cpu_reference_output(all, n, t));
            if (!(n == ro && t == 5))
                assert_null(cpu_reference_output(some, n, t));
        }
    const rtpu_tensor *a = cpu_reference_output(all, ro, 5), *b = cpu_reference_output(some, ro, 5);
    assert_non_null(b);
    assert_memory_equal(a->data, b->data, tensor_count(a) * sizeof(float));
    cpu_reference_destroy(all);
    cpu_reference_destroy(some);
    free(images);
    weights_destroy(w);
    graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_feedback),
        cmocka_unit_test(test_long_delay),
        cmocka_unit_test(test_executor_liveness),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
