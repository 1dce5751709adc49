/* Weights: seeded initialisation (deterministic, the documented distributions), the
 * safetensors round trip, and every way a weights file can fail to fit its graph. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/safetensors.h"
#include "cpu/cpu_ref.h"
#include "cpu/weights.h"

static const char *spec =
    "{\"format\": 1, \"name\": \"w\", \"input\": {\"shape\": [6, 6, 3]},\n"
    " \"nodes\": [\n"
    "  {\"name\": \"a\", \"input\": \"image\", \"conv\": {\"kernel\": 3, \"channels\": 40, \"init_scale\": 2.0}},\n"
    "  {\"name\": \"b\", \"input\": \"a\", \"cell\": {\"type\": \"gru\", \"channels\": 5}},\n"
    "  {\"name\": \"c\", \"input\": \"b\", \"cell\": {\"type\": \"time_decay\", \"tau\": 0.25}},\n"
    "  {\"name\": \"d\", \"input\": \"c\", \"conv\": {\"kernel\": 1, \"channels\": 4},\n"
    "   \"cell\": {\"type\": \"rgc\", \"paths\": {\"t_c\": {\"conv\": \"full\"}}, \"tau_bias\": 4.0, \"gate_bias\": 2.5}}],\n"
    " \"readout\": {\"node\": \"d\"}}";

static graph *load(void)
{
    rtpu_error err = {0};
    graph *g = NULL;
    if (graph_load_text(spec, strlen(spec), "w.json", &g, &err))
        fail_msg("%s", err.message);
    return g;
}

static void test_init_is_deterministic_and_seeded(void **state)
{
    (void)state;
    graph *g = load();
    rtpu_error err = {0};
    weights *a, *b, *c;
    assert_int_equal(weights_init(g, 7, 0, &a, &err), RTPU_OK);
    assert_int_equal(weights_init(g, 7, 0, &b, &err), RTPU_OK);
    assert_int_equal(weights_init(g, 8, 0, &c, &err), RTPU_OK);
    bool any_differs = false;
    for (int i = 0; i < a->table.count; i++) {
        size_t bytes = a->table.params[i].count * sizeof(float);
        assert_memory_equal(a->data[i], b->data[i], bytes);
        if (a->table.params[i].init == INIT_VARIANCE_SCALING && memcmp(a->data[i], c->data[i], bytes) != 0)
            any_differs = true;
    }
    assert_true(any_differs);
    weights_destroy(a), weights_destroy(b), weights_destroy(c);
    graph_destroy(g);
}

/* a/pre.kernel: 3*3*3*40 = 1080 draws from a truncated normal whose pre-truncation stddev
 * is sqrt(2 / 27) / 0.8796 (TF's variance scaling); after truncation at 2 sigma the
 * stddev is sqrt(2 / 27) again, and nothing lies beyond 2 sigma. */
static void test_init_distributions(void **state)
{
    (void)state;
    graph *g = load();
    rtpu_error err = {0};
    weights *w;
    assert_int_equal(weights_init(g, 1, 0, &w, &err), RTPU_OK);
    const float *k = weights_find(w, g, graph_find_node(g, "a"), "pre.kernel");
    double target = sqrt(2.0 / 27.0), sigma = target / 0.87962566103423978, sum = 0, sq = 0;
    for (int i = 0; i < 1080; i++) {
        assert_true(fabs(k[i]) <= 2.0 * sigma + 1e-6);
        sum += k[i], sq += (double)k[i] * k[i];
    }
    double mean = sum / 1080, sd = sqrt(sq / 1080 - mean * mean);
    assert_true(fabs(mean) < 0.03);
    assert_true(fabs(sd / target - 1.0) < 0.08);
    /* Constants: biases zero, GRU gate biases 1, tau from the spec, RGC T/G biases. */
    int b = graph_find_node(g, "b"), c = graph_find_node(g, "c"), d = graph_find_node(g, "d");
    const float *pre_bias = weights_find(w, g, graph_find_node(g, "a"), "pre.bias");
    for (int i = 0; i < 40; i++)
        assert_true(pre_bias[i] == 0.0f);
    const float *gates = weights_find(w, g, b, "cell.gates.bias");
    for (int i = 0; i < 10; i++)
        assert_true(gates[i] == 1.0f);
    assert_true(weights_find(w, g, c, "cell.tau")[0] == 0.25f);
    assert_true(weights_find(w, g, d, "cell.t_c.bias")[0] == 4.0f);
    assert_true(weights_find(w, g, d, "cell.g_h.bias")[3] == 2.5f);
    assert_true(weights_find(w, g, d, "cell.a_h.bias")[0] == 0.0f);
    assert_null(weights_find(w, g, d, "cell.t_c.depthwise")); /* t_c is full here */
    weights_destroy(w);
    graph_destroy(g);
}

/* The zoo's UGRNN and IntersectionRNN kernels have no initialiser of their own, so TF1 draws
 * them Glorot uniform: uniform in [-limit, limit), limit = sqrt(6 / (fan_in + fan_out)) with
 * TF's fans of a conv kernel [kh, kw, in, out]: kh*kw*in and kh*kw*out. Here [3, 3, 16, 32]
 * (x 8 + h 8 channels, 4 blocks of 8): limit sqrt(6 / (144 + 288)), variance limit^2 / 3. */
static void test_init_glorot_uniform(void **state)
{
    (void)state;
    static const char *zoo =
        "{\"format\": 1, \"input\": {\"shape\": [6, 6, 3]}, \"nodes\": [\n"
        "  {\"name\": \"a\", \"input\": \"image\", \"conv\": {\"kernel\": 1, \"channels\": 8},\n"
        "   \"cell\": {\"type\": \"intersection\", \"layer_norm\": true}},\n"
        "  {\"name\": \"b\", \"input\": \"a\", \"cell\": {\"type\": \"ugrnn\", \"init_scale\": 4.0}}],\n"
        " \"readout\": {\"node\": \"b\"}}";
    rtpu_error err = {0};
    graph *g = NULL;
    if (graph_load_text(zoo, strlen(zoo), "zoo.json", &g, &err))
        fail_msg("%s", err.message);
    weights *w, *again;
    assert_int_equal(weights_init(g, 5, 0, &w, &err), RTPU_OK);
    assert_int_equal(weights_init(g, 5, 0, &again, &err), RTPU_OK);
    int a = graph_find_node(g, "a"), b = graph_find_node(g, "b");
    const float *k = weights_find(w, g, a, "cell.kernel");
    assert_memory_equal(k, weights_find(again, g, a, "cell.kernel"), 3 * 3 * 16 * 32 * sizeof(float));
    double limit = sqrt(6.0 / (9 * 16 + 9 * 32)), sum = 0, sq = 0, largest = 0;
    size_t count = 3 * 3 * 16 * 32;
    for (size_t i = 0; i < count; i++) {
        assert_true(fabs(k[i]) <= limit);
        sum += k[i], sq += (double)k[i] * k[i];
        largest = fmax(largest, fabs(k[i]));
    }
    double mean = sum / (double)count, sd = sqrt(sq / (double)count - mean * mean);
    assert_true(fabs(mean) < 0.01);
    assert_true(fabs(sd / (limit / sqrt(3.0)) - 1.0) < 0.05);
    assert_true(largest > 0.95 * limit); /* uniform, not a normal squeezed inside the limit */
    /* init_scale multiplies the variance: the ugrnn's [3, 3, 16, 16] with scale 4 has twice
     * Glorot's limit. */
    const float *kb = weights_find(w, g, b, "cell.kernel");
    double limit_b = sqrt(4.0 * 6.0 / (9 * 16 + 9 * 16)), largest_b = 0;
    for (size_t i = 0; i < 3 * 3 * 16 * 16; i++) {
        assert_true(fabs(kb[i]) <= limit_b);
        largest_b = fmax(largest_b, fabs(kb[i]));
    }
    assert_true(largest_b > 0.95 * limit_b);
    /* Biases 0, layer-norm gamma 1 and beta 0 for every block. */
    const float *bias = weights_find(w, g, a, "cell.bias"), *gamma = weights_find(w, g, a, "cell.ln_gates.gamma");
    const float *beta = weights_find(w, g, a, "cell.ln_gates.beta");
    for (int i = 0; i < 32; i++)
        assert_true(bias[i] == 0.0f && gamma[i] == 1.0f && beta[i] == 0.0f);
    weights_destroy(w);
    weights_destroy(again);
    graph_destroy(g);
}

static char dir[256];

static void path_in_dir(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

static void test_round_trip_and_errors(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/rtpu-weights-XXXXXX");
    assert_non_null(mkdtemp(dir));
    graph *g = load();
    rtpu_error err = {0};
    weights *w, *back;
    char file[512];
    path_in_dir(file, sizeof file, "w.safetensors");
    assert_int_equal(weights_init(g, 3, 0, &w, &err), RTPU_OK);
    assert_int_equal(weights_save(w, g, file, &err), RTPU_OK);
    assert_int_equal(weights_load(g, file, 0, &back, &err), RTPU_OK);
    for (int i = 0; i < w->table.count; i++)
        assert_memory_equal(w->data[i], back->data[i], w->table.params[i].count * sizeof(float));
    assert_false(back->initialised);
    weights_destroy(back);

    /* Build broken files from the good one's tensors: drop one, change a dtype, a shape,
     * add a stranger. Each must be refused with its own message. */
    st_tensor *t = calloc((size_t)w->table.count + 1, sizeof *t);
    for (int i = 0; i < w->table.count; i++) {
        const param_info *p = &w->table.params[i];
        t[i] = (st_tensor){.name = p->name, .dtype = ST_F32, .ndim = p->ndim, .data = w->data[i],
                           .nbytes = p->count * sizeof(float)};
        for (int d = 0; d < p->ndim; d++)
            t[i].shape[d] = p->shape[d];
    }
    int n = w->table.count;
    const float extra[2] = {1, 2};
    struct { const char *name, *fragment; } cases[] = {
        {"missing.safetensors", "missing weight 'a/pre.kernel' (shape [3, 3, 3, 40]) for graph 'w'"},
        {"dtype.safetensors", "weight 'a/pre.bias' has dtype F16, expected F32"},
        {"shape.safetensors", "weight 'b/cell.gates.bias' has shape [5, 2], the graph needs [10]"},
        {"extra.safetensors", "tensor 'z/extra' is not a parameter of graph 'w'"},
    };
    for (int k = 0; k < 4; k++) {
        st_tensor *copy = calloc((size_t)n + 1, sizeof *copy);
        memcpy(copy, t, (size_t)n * sizeof *copy);
        int count = n;
        int kernel = param_table_find(&w->table, "a/pre.kernel");
        int bias = param_table_find(&w->table, "a/pre.bias");
        int gates = param_table_find(&w->table, "b/cell.gates.bias");
        if (k == 0) {
            copy[kernel] = copy[--count];
        } else if (k == 1) {
            copy[bias].dtype = ST_F16;
            copy[bias].nbytes = 40 * 2;
        } else if (k == 2) {
            copy[gates].ndim = 2, copy[gates].shape[0] = 5, copy[gates].shape[1] = 2;
        } else {
            copy[count++] = (st_tensor){.name = "z/extra", .dtype = ST_F32, .ndim = 1, .shape = {2}, .data = extra,
                                        .nbytes = sizeof extra};
        }
        path_in_dir(file, sizeof file, cases[k].name);
        assert_int_equal(st_file_write(file, copy, (size_t)count, NULL, &err), RTPU_OK);
        weights *bad = NULL;
        assert_int_not_equal(weights_load(g, file, 0, &bad, &err), RTPU_OK);
        assert_null(bad);
        if (!strstr(err.message, cases[k].fragment))
            fail_msg("'%s' lacks '%s'", err.message, cases[k].fragment);
        assert_non_null(strstr(err.message, cases[k].name));
        unlink(file);
        free(copy);
    }
    free(t);
    path_in_dir(file, sizeof file, "w.safetensors");
    unlink(file);
    rmdir(dir);
    weights_destroy(w);
    graph_destroy(g);
}

/* Weights made for another graph, and a run without images, fail cleanly. */
static void test_reference_rejects_misfits(void **state)
{
    (void)state;
    graph *g = load();
    char other_spec[2048];
    snprintf(other_spec, sizeof other_spec, "%s", spec);
    char *forty = strstr(other_spec, "\"channels\": 40");
    memcpy(forty, "\"channels\": 41", 14);
    rtpu_error err = {0};
    graph *other = NULL;
    assert_int_equal(graph_load_text(other_spec, strlen(other_spec), "o.json", &other, &err), RTPU_OK);
    weights *w;
    assert_int_equal(weights_init(other, 0, 0, &w, &err), RTPU_OK);
    cpu_reference *r = NULL;
    assert_int_equal(cpu_reference_create(g, w, 1, 0, &r, &err), RTPU_ERR_SHAPE);
    assert_null(r);
    assert_non_null(strstr(err.message, "weights do not fit graph 'w': parameter 'a/pre.kernel'"));
    weights_destroy(w);
    assert_int_equal(weights_init(g, 0, 0, &w, &err), RTPU_OK);
    assert_int_equal(cpu_reference_create(g, w, 1, 0, &r, &err), RTPU_OK);
    assert_int_equal(cpu_reference_run(r, NULL, NULL, NULL, &err), RTPU_ERR_INVALID);
    assert_non_null(strstr(err.message, "no input images"));
    cpu_reference_destroy(r);
    weights_destroy(w);
    graph_destroy(other);
    graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_is_deterministic_and_seeded),
        cmocka_unit_test(test_init_distributions),
        cmocka_unit_test(test_init_glorot_uniform),
        cmocka_unit_test(test_round_trip_and_errors),
        cmocka_unit_test(test_reference_rejects_misfits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
