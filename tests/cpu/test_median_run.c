/* The median model at full size (224 px, T = 17) on the CPU reference:
 * - the run completes and every output is finite;
 * - with initial weights every bias is zero, so a layer's output is exactly zero until
 *   the stimulus reaches it: layer l (conv1 = 1, ..., readout = 11) first differs from
 *   zero at step l - 1 (docs/model-semantics.md section 1), never earlier;
 * - two runs give identical bytes for every node at every step. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/cpu_ref.h"

static graph *g;
static weights *w;
static float *image;

static int setup(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/graphs/median.json", getenv("RTPU_SOURCE_DIR"));
    rtpu_error err = {0};
    if (graph_load(path, &g, &err) || weights_init(g, 0, 0, &w, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    size_t count = 224 * 224 * 3;
    image = malloc(count * sizeof *image);
    /* A deterministic pattern in the normalised range (about -2..2). */
    for (size_t i = 0; i < count; i++)
        image[i] = (float)((i * 2654435761u) % 4001) / 1000.0f - 2.0f;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(image);
    weights_destroy(w);
    graph_destroy(g);
    return 0;
}

static cpu_reference *run_once(void)
{
    rtpu_error err = {0};
    cpu_reference *r = NULL;
    if (cpu_reference_create(g, w, 1, 0, &r, &err) || cpu_reference_run(r, image, NULL, NULL, &err))
        fail_msg("%s", err.message);
    return r;
}

static bool all_zero(const rtpu_tensor *t)
{
    for (size_t i = 0; i < tensor_count(t); i++)
        if (t->data[i] != 0.0f)
            return false;
    return true;
}

static void test_run_arrival_and_determinism(void **state)
{
    (void)state;
    cpu_reference *a = run_once();
    assert_int_equal(cpu_reference_steps(a), 17);
    /* Layers in order: conv1 is layer 1, the readout layer 11. */
    static const char *const layers[] = {"conv1", "conv2", "conv3", "conv4", "conv5", "conv6",
                                         "conv7", "conv8", "conv9", "conv10", "readout"};
    for (int l = 1; l <= 11; l++) {
        int k = graph_find_node(g, layers[l - 1]);
        for (int t = 0; t < 17; t++) {
            const rtpu_tensor *out = cpu_reference_output(a, k, t);
            assert_non_null(out);
            for (size_t i = 0; i < tensor_count(out); i++)
                if (!isfinite(out->data[i]))
                    fail_msg("%s at step %d: non-finite output", layers[l - 1], t);
            if (t < l - 1 && !all_zero(out))
                fail_msg("%s is non-zero at step %d, before the stimulus can arrive (step %d)", layers[l - 1], t, l - 1);
            if (t == l - 1 && all_zero(out))
                fail_msg("%s is still zero at step %d, when the stimulus arrives", layers[l - 1], t);
        }
    }
    cpu_reference *b = run_once();
    for (int k = 0; k < g->node_count; k++)
        for (int t = 0; t < 17; t++) {
            const rtpu_tensor *x = cpu_reference_output(a, k, t), *y = cpu_reference_output(b, k, t);
            if (memcmp(x->data, y->data, tensor_count(x) * sizeof(float)) != 0)
                fail_msg("node %s step %d differs between two identical runs", g->nodes[k].name, t);
        }
    cpu_reference_destroy(a);
    cpu_reference_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_run_arrival_and_determinism)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
