/* The decoders of cpu/readout.c on logits written out by hand, with every expected step,
 * class and probability worked out here (docs/model-semantics.md 1.9):
 *   last      step T-1;
 *   max_conf  the most confident step, the earliest on ties;
 *   thresh    the first step whose top probability is strictly above the threshold, else T-1;
 * and the model zoo's (convrnns/utils/decoders.py, over model_func.py's window
 * [decoder_start = num_layers, decoder_end = times)):
 *   tmaxconf  max_confidence_decoder: the step where max softmax(beta * logits) peaks
 *             (tf.argmax: the earliest on ties);
 *   dthresh   threshold_decoder: the first step where it is >= the threshold
 *             (tf.greater_equal), else the most confident step (its max_idxs), not T-1.
 * The reported class and probability are the plain softmax's at the chosen step. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/readout.h"

enum { MAX_STEPS = 8, MAX_CLASSES = 4 };

/* Per-step logits of one example. */
typedef struct logits_table {
    int classes;
    float v[MAX_STEPS][MAX_CLASSES];
} logits_table;

static const float *at(const void *context, int step)
{
    const logits_table *t = context;
    return t->v[step];
}

static decoded_class decode(const decoder_spec *d, int steps, const logits_table *t)
{
    decoded_class out = {-1, -1, -1.0f};
    rtpu_error err = {0};
    if (readout_decode(d, steps, t->classes, at, t, &out, &err))
        fail_msg("readout_decode: %s", err.message);
    return out;
}

static void expect(const decoded_class *got, int step, int class_index, double confidence)
{
    if (got->step != step || got->class_index != class_index || fabs(got->confidence - confidence) > 1e-6)
        fail_msg("decoded step %d class %d p %.7f, expected step %d class %d p %.7f", got->step, got->class_index,
                 got->confidence, step, class_index, confidence);
}

/* p(class 0) of [1, 0]: e / (e + 1); of [0.5, 0]: e^0.5 / (e^0.5 + 1). */
static const double P_1_0 = 0.7310585786300049, P_HALF_0 = 0.6224593312018546;

/* Three steps of two classes: top probabilities 0.5 (an exact tie of two logits), 0.731,
 * 0.731 again, 0.622. */
static const logits_table ramp = {2, {{0, 0}, {1, 0}, {1, 0}, {0.5f, 0}}};

static void test_softmax_beta(void **unused)
{
    (void)unused;
    float p[2], q[2];
    readout_softmax_beta((const float[]){1, 0}, 2, 2.0f, p);
    assert_float_equal(p[0], 0.8807970779778823, 1e-7); /* e^2 / (e^2 + 1) */
    readout_softmax_beta((const float[]){3, -7}, 2, 0.0f, p);
    assert_float_equal(p[0], 0.5, 0); /* beta 0: uniform */
    /* beta 1 is the plain softmax, to the bit. */
    readout_softmax_beta((const float[]){0.3f, -1.7f}, 2, 1.0f, p);
    readout_softmax((const float[]){0.3f, -1.7f}, 2, q);
    assert_memory_equal(p, q, sizeof p);
}

static void test_last_max_conf_thresh(void **unused)
{
    (void)unused;
    decoder_spec d = {.kind = DECODER_LAST};
    decoded_class r = decode(&d, 4, &ramp);
    expect(&r, 3, 0, P_HALF_0);
    r = decode(&d, 2, &ramp); /* T is the run's */
    expect(&r, 1, 0, P_1_0);

    d = (decoder_spec){.kind = DECODER_MAX_CONF};
    r = decode(&d, 4, &ramp); /* steps 1 and 2 tie: the earlier */
    expect(&r, 1, 0, P_1_0);

    d = (decoder_spec){.kind = DECODER_THRESH, .threshold = 0.5f};
    r = decode(&d, 4, &ramp); /* step 0's 0.5 is not above 0.5 */
    expect(&r, 1, 0, P_1_0);
    d.threshold = 0.9f;
    r = decode(&d, 4, &ramp); /* nobody is above 0.9: the last step, not the most confident */
    expect(&r, 3, 0, P_HALF_0);
}

static void test_dthresh(void **unused)
{
    (void)unused;
    decoder_spec d = {.kind = DECODER_DTHRESH, .threshold = 0.5f, .beta = 1.0f, .window_start = 0};
    decoded_class r = decode(&d, 4, &ramp); /* 0.5 >= 0.5 */
    expect(&r, 0, 0, 0.5);
    d.window_start = 1; /* the window hides step 0 */
    r = decode(&d, 4, &ramp);
    expect(&r, 1, 0, P_1_0);
    d.window_start = 0;
    d.threshold = 0.9f; /* nobody reaches 0.9: the most confident step, the earlier of a tie */
    r = decode(&d, 4, &ramp);
    expect(&r, 1, 0, P_1_0);
    d.window_start = 3; /* ... within the window */
    r = decode(&d, 4, &ramp);
    expect(&r, 3, 0, P_HALF_0);
    d = (decoder_spec){.kind = DECODER_DTHRESH, .threshold = 0.6f, .beta = 0.1f, .window_start = 0, .window_end = 3};
    /* beta 0.1: [1, 0] gives 0.525, below 0.6; so the most confident of steps 0..2, step 1. */
    r = decode(&d, 4, &ramp);
    expect(&r, 1, 0, P_1_0);
    d.beta = 2.0f; /* beta 2: 0.881 at step 1 */
    d.threshold = 0.85f;
    r = decode(&d, 4, &ramp);
    expect(&r, 1, 0, P_1_0);
}

static void test_tmaxconf(void **unused)
{
    (void)unused;
    /* Step 1: [2, 0, 0], a gap of 2 to two classes; step 2: [1, 0, -100], a gap of 1 to one.
     * beta 1: 1 / (1 + 2 e^-2) = 0.787 beats 1 / (1 + e^-1 + e^-101) = 0.731;
     * beta 0.1: 1 / (1 + 2 e^-0.2) = 0.379 loses to 1 / (1 + e^-0.1 + e^-10.1) = 0.525. */
    const logits_table t = {3, {{5, 0, 0}, {2, 0, 0}, {1, 0, -100}, {0, 0, 0}}};
    const double p1 = 0.7869860421615984, p2 = 0.7310585786300049;
    decoder_spec d = {.kind = DECODER_TMAXCONF, .beta = 1.0f, .window_start = 1};
    decoded_class r = decode(&d, 4, &t); /* step 0 (p 0.987) is outside the window */
    expect(&r, 1, 0, p1);
    d.beta = 0.1f;
    r = decode(&d, 4, &t); /* the reported p is the plain softmax's */
    expect(&r, 2, 0, p2);
    d.beta = 0.0f; /* every step uniform: the first of the window */
    r = decode(&d, 4, &t);
    expect(&r, 1, 0, p1);
    d = (decoder_spec){.kind = DECODER_TMAXCONF, .beta = 1.0f, .window_start = 2, .window_end = 3};
    r = decode(&d, 4, &t);
    expect(&r, 2, 0, p2);
    d.window_start = 0;
    d.window_end = 0;
    r = decode(&d, 4, &t); /* the whole run: step 0 */
    expect(&r, 0, 0, 0.986703291042268); /* e^5 / (e^5 + 2) */
}

static void expect_window_error(const decoder_spec *d, int steps, const char *fragment)
{
    decoded_class out;
    rtpu_error err = {0};
    assert_int_equal(readout_decode(d, steps, ramp.classes, at, &ramp, &out, &err), RTPU_ERR_INVALID);
    if (!strstr(err.message, fragment))
        fail_msg("error '%s' lacks '%s'", err.message, fragment);
    assert_int_equal(readout_check_window(d, steps, &err), RTPU_ERR_INVALID);
}

static void test_windows(void **unused)
{
    (void)unused;
    decoder_spec d = {.kind = DECODER_DTHRESH, .threshold = 0.9f, .beta = 1.0f, .window_start = 1, .window_end = 4};
    expect_window_error(&d, 3, "the dthresh decoder's window [1, 4) goes past a run of 3 steps");
    d = (decoder_spec){.kind = DECODER_TMAXCONF, .beta = 1.0f, .window_start = 3};
    expect_window_error(&d, 3, "the tmaxconf decoder's window starts at step 3, past a run of 3 steps");
    int start, end;
    assert_true(decoder_window(&d, 5, &start, &end));
    assert_int_equal(start, 3);
    assert_int_equal(end, 5);
    /* rtpu's decoders read the whole run, whatever window fields hold. */
    d.kind = DECODER_MAX_CONF;
    assert_true(decoder_window(&d, 2, &start, &end));
    assert_int_equal(start, 0);
    assert_int_equal(end, 2);
}

/* Spec text written with single quotes ('a' -> "a"). */
static graph *load(const char *spec)
{
    char *text = strdup(spec);
    assert_non_null(text);
    for (char *p = text; *p; p++)
        if (*p == '\'')
            *p = '"';
    graph *g = NULL;
    rtpu_error err = {0};
    if (graph_load_text(text, strlen(text), "test.json", &g, &err))
        fail_msg("%s", err.message);
    free(text);
    return g;
}

#define THREE_NODES                                                                                            \
    "{'format': 1, 'input': {'shape': [4, 4, 1]}, 'schedule': {'steps': 5}, 'nodes': ["                       \
    " {'name': 'a', 'input': 'image'}, {'name': 'b', 'input': 'a'}, {'name': 'c', 'input': 'b'}],"

/* The zoo's default window starts at num_layers, len(G): every node but the input. */
static void test_spec_defaults(void **unused)
{
    (void)unused;
    graph *g = load(THREE_NODES " 'readout': {'node': 'c', 'decoder': 'tmaxconf'}}");
    assert_int_equal(g->decoder.kind, DECODER_TMAXCONF);
    assert_int_equal(g->decoder.window_start, 3);
    assert_int_equal(g->decoder.window_end, 0);
    assert_true(g->decoder.beta == 1.0f);
    int start, end;
    assert_true(decoder_window(&g->decoder, 5, &start, &end));
    assert_int_equal(start, 3);
    assert_int_equal(end, 5);
    assert_true(decoder_window(&g->decoder, 9, &start, &end)); /* a longer run: to its end */
    assert_int_equal(end, 9);
    graph_destroy(g);
    g = load(THREE_NODES " 'readout': {'node': 'c', 'decoder': 'dthresh', 'beta': 0.25, 'window': [1, 4]}}");
    assert_int_equal(g->decoder.kind, DECODER_DTHRESH);
    assert_true(g->decoder.threshold == 0.9f);
    assert_true(g->decoder.beta == 0.25f);
    assert_int_equal(g->decoder.window_start, 1);
    assert_int_equal(g->decoder.window_end, 4);
    assert_string_equal(decoder_name(g->decoder.kind), "dthresh");
    graph_destroy(g);
    g = load(THREE_NODES " 'readout': {'node': 'c', 'decoder': 'max_conf', 'threshold': 0.3}}");
    assert_int_equal(g->decoder.kind, DECODER_MAX_CONF); /* threshold still accepted, as before */
    graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_softmax_beta),   cmocka_unit_test(test_last_max_conf_thresh),
        cmocka_unit_test(test_dthresh),        cmocka_unit_test(test_tmaxconf),
        cmocka_unit_test(test_windows),        cmocka_unit_test(test_spec_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
