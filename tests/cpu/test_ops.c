/* Tests of the non-convolution fp32 kernels: max-pool, global average pool, fully
 * connected, bilinear resize, channel copy, layer norm and activations.
 *
 * Each op is compared with a naive loop written here (summing in double) on listed and
 * seeded random shapes, and on small inputs whose results were worked out by hand. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ops_test_support.h"
#include "cpu/ops.h"

static void assert_all_equal(const float *got, const float *want, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (got[i] != want[i]) {
            fprintf(stderr, "element %zu is %.9g, expected %.9g\n", i, (double)got[i],
                    (double)want[i]);
            fail();
        }
}

/* ---- max-pool ---- */

typedef struct {
    int n, h, w, c, kernel, stride;
    padding_mode padding;
} pool_case;

/* Top/left padding from the TF rules, computed here rather than taken from conv_geom. */
static void naive_pool_padding(const pool_case *pc, int out_h, int out_w, int *pad_top, int *pad_left)
{
    *pad_top = *pad_left = 0;
    if (pc->padding == PADDING_SAME) {
        int total_h = (out_h - 1) * pc->stride + pc->kernel - pc->h;
        int total_w = (out_w - 1) * pc->stride + pc->kernel - pc->w;
        *pad_top = total_h > 0 ? total_h / 2 : 0;
        *pad_left = total_w > 0 ? total_w / 2 : 0;
    }
}

/* Max over the window cells that lie inside the input. */
static void naive_maxpool(const pool_case *pc, const float *x, int out_h, int out_w, float *want)
{
    int pad_top, pad_left;
    naive_pool_padding(pc, out_h, out_w, &pad_top, &pad_left);
    for (int b = 0; b < pc->n; b++)
        for (int oy = 0; oy < out_h; oy++)
            for (int ox = 0; ox < out_w; ox++)
                for (int ch = 0; ch < pc->c; ch++) {
                    float best = -INFINITY;
                    for (int ky = 0; ky < pc->kernel; ky++)
                        for (int kx = 0; kx < pc->kernel; kx++) {
                            int iy = oy * pc->stride - pad_top + ky;
                            int ix = ox * pc->stride - pad_left + kx;
                            if (iy < 0 || iy >= pc->h || ix < 0 || ix >= pc->w)
                                continue;
                            float v = x[(((size_t)b * pc->h + iy) * pc->w + ix) * pc->c + ch];
                            if (v > best)
                                best = v;
                        }
                    want[(((size_t)b * out_h + oy) * out_w + ox) * pc->c + ch] = best;
                }
}

static void check_maxpool_case(test_rng *rng, const pool_case *pc)
{
    conv_geom g;
    assert_true(conv_geom_make(&g, pc->h, pc->w, pc->kernel, pc->kernel, pc->stride, pc->padding));
    rtpu_tensor in = test_random_tensor(rng, pc->n, pc->h, pc->w, pc->c);
    rtpu_tensor out = test_tensor(pc->n, g.out_h, g.out_w, pc->c);
    float *want = malloc(tensor_count(&out) * sizeof *want);
    assert_non_null(want);
    naive_maxpool(pc, in.data, g.out_h, g.out_w, want);
    op_maxpool(&in, &g, &out);
    assert_all_equal(out.data, want, tensor_count(&out));
    free(want);
    tensor_destroy(&out);
    tensor_destroy(&in);
}

static void maxpool_shapes(void **state)
{
    (void)state;
    static const pool_case listed[] = {
        {2, 56, 56, 3, 2, 2, PADDING_SAME}, {1, 7, 7, 17, 2, 2, PADDING_SAME},
        {1, 7, 5, 64, 3, 2, PADDING_SAME},  {3, 13, 11, 1, 3, 3, PADDING_VALID},
        {1, 4, 4, 3, 4, 1, PADDING_SAME},   {1, 7, 7, 3, 7, 1, PADDING_VALID},
        {2, 1, 1, 5, 2, 2, PADDING_SAME},
    };
    test_rng rng = {3};
    for (size_t i = 0; i < sizeof listed / sizeof listed[0]; i++)
        check_maxpool_case(&rng, &listed[i]);
    static const int kernels[] = {1, 2, 3, 7};
    static const int channels[] = {1, 3, 17, 64};
    for (int round = 0; round < 60; round++) {
        pool_case pc;
        pc.n = 1 + test_rng_below(&rng, 3);
        pc.h = 1 + test_rng_below(&rng, 13);
        pc.w = 1 + test_rng_below(&rng, 13);
        pc.c = channels[test_rng_below(&rng, 4)];
        pc.kernel = kernels[test_rng_below(&rng, 4)];
        pc.stride = 1 + test_rng_below(&rng, 3);
        bool fits = pc.kernel <= pc.h && pc.kernel <= pc.w;
        pc.padding = fits && test_rng_below(&rng, 2) ? PADDING_VALID : PADDING_SAME;
        check_maxpool_case(&rng, &pc);
    }
}

/* All-negative 3x3 input: if padded cells were zeros, every window touching the padding
 * would come out 0. Values worked out by hand. */
static void maxpool_padding_ignored(void **state)
{
    (void)state;
    rtpu_tensor in = test_tensor(1, 3, 3, 1);
    for (int i = 0; i < 9; i++)
        in.data[i] = -(float)(i + 1); /* -1 -2 -3 / -4 -5 -6 / -7 -8 -9 */

    /* 2x2 stride 2 SAME: one cell of padding at the bottom and right. */
    conv_geom g;
    assert_true(conv_geom_make(&g, 3, 3, 2, 2, 2, PADDING_SAME));
    rtpu_tensor out = test_tensor(1, 2, 2, 1);
    op_maxpool(&in, &g, &out);
    const float want_2x2[4] = {-1.0f, -3.0f, -7.0f, -9.0f};
    assert_all_equal(out.data, want_2x2, 4);

    /* 3x3 stride 1 SAME: one cell of padding on every side. */
    assert_true(conv_geom_make(&g, 3, 3, 3, 3, 1, PADDING_SAME));
    rtpu_tensor full = test_tensor(1, 3, 3, 1);
    op_maxpool(&in, &g, &full);
    const float want_3x3[9] = {-1, -1, -2, -1, -1, -2, -4, -4, -5};
    assert_all_equal(full.data, want_3x3, 9);
    tensor_destroy(&full);
    tensor_destroy(&out);
    tensor_destroy(&in);
}

/* ---- windowed average pool ---- */

/* Mean over the window cells inside the input (padding is not counted), TF padding
 * computed here. */
static void naive_avgpool(const pool_case *pc, const float *x, int out_h, int out_w, double *want)
{
    int pad_top, pad_left;
    naive_pool_padding(pc, out_h, out_w, &pad_top, &pad_left);
    for (int b = 0; b < pc->n; b++)
        for (int oy = 0; oy < out_h; oy++)
            for (int ox = 0; ox < out_w; ox++)
                for (int ch = 0; ch < pc->c; ch++) {
                    double sum = 0.0;
                    int cells = 0;
                    for (int ky = 0; ky < pc->kernel; ky++)
                        for (int kx = 0; kx < pc->kernel; kx++) {
                            int iy = oy * pc->stride - pad_top + ky;
                            int ix = ox * pc->stride - pad_left + kx;
                            if (iy < 0 || iy >= pc->h || ix < 0 || ix >= pc->w)
                                continue;
                            sum += x[(((size_t)b * pc->h + iy) * pc->w + ix) * pc->c + ch];
                            cells++;
                        }
                    want[(((size_t)b * out_h + oy) * out_w + ox) * pc->c + ch] = sum / cells;
                }
}

static void avgpool_values(void **state)
{
    (void)state;
    /* Hand case: 1..9 in 3x3, 2x2 stride 2 SAME; the border windows average only the
     * cells they cover: (1+2+4+5)/4, (3+6)/2, (7+8)/2, 9. */
    rtpu_tensor in = test_tensor(1, 3, 3, 1);
    for (int i = 0; i < 9; i++)
        in.data[i] = (float)(i + 1);
    conv_geom g;
    assert_true(conv_geom_make(&g, 3, 3, 2, 2, 2, PADDING_SAME));
    rtpu_tensor out = test_tensor(1, 2, 2, 1);
    op_avgpool(&in, &g, &out);
    const float want_hand[4] = {3.0f, 4.5f, 7.5f, 9.0f};
    assert_all_equal(out.data, want_hand, 4);
    tensor_destroy(&out);
    tensor_destroy(&in);

    test_rng rng = {12};
    static const int kernels[] = {1, 2, 3, 7};
    static const int channels[] = {1, 3, 17, 64};
    for (int round = 0; round < 40; round++) {
        pool_case pc;
        pc.n = 1 + test_rng_below(&rng, 3);
        pc.h = 1 + test_rng_below(&rng, 13);
        pc.w = 1 + test_rng_below(&rng, 13);
        pc.c = channels[test_rng_below(&rng, 4)];
        pc.kernel = kernels[test_rng_below(&rng, 4)];
        pc.stride = 1 + test_rng_below(&rng, 3);
        bool fits = pc.kernel <= pc.h && pc.kernel <= pc.w;
        pc.padding = fits && test_rng_below(&rng, 2) ? PADDING_VALID : PADDING_SAME;
        assert_true(conv_geom_make(&g, pc.h, pc.w, pc.kernel, pc.kernel, pc.stride, pc.padding));
        in = test_random_tensor(&rng, pc.n, pc.h, pc.w, pc.c);
        out = test_tensor(pc.n, g.out_h, g.out_w, pc.c);
        double *want = malloc(tensor_count(&out) * sizeof *want);
        assert_non_null(want);
        naive_avgpool(&pc, in.data, g.out_h, g.out_w, want);
        op_avgpool(&in, &g, &out);
        assert_int_equal(test_first_mismatch(out.data, want, tensor_count(&out), 1e-5, "avgpool"),
                         -1);
        free(want);
        tensor_destroy(&out);
        tensor_destroy(&in);
    }
}

/* ---- global average pool ---- */

static void global_avg_pool_values(void **state)
{
    (void)state;
    /* Hand case: channel 0 holds 1, 2, 3, 4; channel 1 holds -1, 0, 5, 0. */
    rtpu_tensor in = test_tensor(1, 2, 2, 2);
    const float values[8] = {1, -1, 2, 0, 3, 5, 4, 0};
    memcpy(in.data, values, sizeof values);
    rtpu_tensor out = test_tensor(1, 1, 1, 2);
    op_global_avg_pool(&in, &out);
    const float want_hand[2] = {2.5f, 1.0f};
    assert_all_equal(out.data, want_hand, 2);
    tensor_destroy(&out);
    tensor_destroy(&in);

    /* 300 channels crosses the kernel's channel blocks; 13x11 pixels, batch 3. */
    test_rng rng = {4};
    static const int shapes[][4] = {{3, 13, 11, 300}, {1, 56, 56, 64}, {2, 1, 1, 17}, {2, 7, 5, 3}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int n = shapes[s][0], h = shapes[s][1], w = shapes[s][2], c = shapes[s][3];
        in = test_random_tensor(&rng, n, h, w, c);
        out = test_tensor(n, 1, 1, c);
        double *want = calloc((size_t)n * c, sizeof *want);
        assert_non_null(want);
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++) {
                double sum = 0.0;
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        sum += in.data[(((size_t)b * h + y) * w + x) * c + ch];
                want[(size_t)b * c + ch] = sum / (h * w);
            }
        op_global_avg_pool(&in, &out);
        assert_int_equal(test_first_mismatch(out.data, want, (size_t)n * c, 1e-6, "avg pool"), -1);
        free(want);
        tensor_destroy(&out);
        tensor_destroy(&in);
    }
}

/* ---- fully connected ---- */

static void fully_connected_values(void **state)
{
    (void)state;
    /* Hand case: [1, 2] x [[1, 2, 3], [4, 5, 6]] + [0.5, 0, -1] = [9.5, 12, 14]. */
    rtpu_tensor in = test_tensor(1, 1, 1, 2);
    in.data[0] = 1.0f;
    in.data[1] = 2.0f;
    const float weight[6] = {1, 2, 3, 4, 5, 6};
    const float bias[3] = {0.5f, 0.0f, -1.0f};
    rtpu_tensor out = test_tensor(1, 1, 1, 3);
    op_fully_connected(&in, weight, bias, &out);
    const float want_hand[3] = {9.5f, 12.0f, 14.0f};
    assert_all_equal(out.data, want_hand, 3);
    tensor_destroy(&out);
    tensor_destroy(&in);

    /* Random: in [3, 4, 5, 17] read as [3, 340], 7 units, with and without bias. */
    test_rng rng = {5};
    for (int with_bias = 0; with_bias < 2; with_bias++) {
        const int n = 3, h = 4, w = 5, c = 17, units = 7;
        const int features = h * w * c;
        in = test_random_tensor(&rng, n, h, w, c);
        float *weights = test_random_floats(&rng, (size_t)features * units);
        float *biases = with_bias ? test_random_floats(&rng, units) : NULL;
        out = test_tensor(n, 1, 1, units);
        for (size_t i = 0; i < tensor_count(&out); i++)
            out.data[i] = NAN; /* must be overwritten, not accumulated into */
        double want[3 * 7];
        for (int b = 0; b < n; b++)
            for (int u = 0; u < units; u++) {
                double acc = biases ? biases[u] : 0.0;
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        for (int ch = 0; ch < c; ch++) {
                            int feature = (y * w + x) * c + ch;
                            acc += (double)in.data[(size_t)b * features + feature] *
                                   weights[(size_t)feature * units + u];
                        }
                want[b * units + u] = acc;
            }
        op_fully_connected(&in, weights, biases, &out);
        assert_int_equal(test_first_mismatch(out.data, want, (size_t)n * units, 1e-4, "fc"), -1);
        free(biases);
        free(weights);
        tensor_destroy(&out);
        tensor_destroy(&in);
    }
}

/* ---- bilinear resize ---- */

/* align_corners = true, written from the definition in double. */
static void naive_resize(const rtpu_tensor *in, int out_h, int out_w, double *want)
{
    for (int b = 0; b < in->n; b++)
        for (int oy = 0; oy < out_h; oy++)
            for (int ox = 0; ox < out_w; ox++) {
                double sy = out_h == 1 ? 0.0 : (double)oy * (in->h - 1) / (out_h - 1);
                double sx = out_w == 1 ? 0.0 : (double)ox * (in->w - 1) / (out_w - 1);
                int y0 = (int)floor(sy), x0 = (int)floor(sx);
                int y1 = y0 + 1 < in->h ? y0 + 1 : in->h - 1;
                int x1 = x0 + 1 < in->w ? x0 + 1 : in->w - 1;
                double fy = sy - y0, fx = sx - x0;
                for (int ch = 0; ch < in->c; ch++) {
                    double tl = *tensor_at(in, b, y0, x0, ch), tr = *tensor_at(in, b, y0, x1, ch);
                    double bl = *tensor_at(in, b, y1, x0, ch), br = *tensor_at(in, b, y1, x1, ch);
                    want[(((size_t)b * out_h + oy) * out_w + ox) * in->c + ch] =
                        (1 - fy) * ((1 - fx) * tl + fx * tr) + fy * ((1 - fx) * bl + fx * br);
                }
            }
}

static void check_resize_case(test_rng *rng, int n, int in_h, int in_w, int c, int out_h, int out_w)
{
    rtpu_tensor in = test_random_tensor(rng, n, in_h, in_w, c);
    rtpu_tensor out = test_tensor(n, out_h, out_w, c);
    double *want = malloc(tensor_count(&out) * sizeof *want);
    assert_non_null(want);
    naive_resize(&in, out_h, out_w, want);
    op_resize_bilinear(&in, &out);
    char what[96];
    snprintf(what, sizeof what, "resize n%d %dx%dx%d -> %dx%d", n, in_h, in_w, c, out_h, out_w);
    assert_int_equal(test_first_mismatch(out.data, want, tensor_count(&out), 1e-5, what), -1);
    free(want);
    tensor_destroy(&out);
    tensor_destroy(&in);
}

static void resize_shapes(void **state)
{
    (void)state;
    test_rng rng = {6};
    static const int listed[][6] = {
        {2, 7, 7, 64, 14, 14}, {1, 4, 4, 17, 28, 28}, {1, 13, 11, 3, 5, 3}, {2, 1, 1, 3, 3, 3},
        {1, 7, 7, 17, 1, 1},   {1, 14, 14, 3, 28, 7}, {1, 2, 5, 1, 9, 2},   {1, 56, 56, 3, 28, 28},
    };
    for (size_t i = 0; i < sizeof listed / sizeof listed[0]; i++)
        check_resize_case(&rng, listed[i][0], listed[i][1], listed[i][2], listed[i][3], listed[i][4],
                          listed[i][5]);
    static const int channels[] = {1, 3, 17, 64};
    for (int round = 0; round < 40; round++)
        check_resize_case(&rng, 1 + test_rng_below(&rng, 2), 1 + test_rng_below(&rng, 13),
                          1 + test_rng_below(&rng, 13), channels[test_rng_below(&rng, 4)],
                          1 + test_rng_below(&rng, 30), 1 + test_rng_below(&rng, 30));
}

static void resize_hand_computed(void **state)
{
    (void)state;
    /* 2x2 -> 3x3: the middle row and column fall halfway between source pixels. */
    rtpu_tensor in = test_tensor(1, 2, 2, 1);
    const float corners[4] = {0, 10, 20, 30};
    memcpy(in.data, corners, sizeof corners);
    rtpu_tensor out = test_tensor(1, 3, 3, 1);
    op_resize_bilinear(&in, &out);
    const float want[9] = {0, 5, 10, 10, 15, 20, 20, 25, 30};
    assert_all_equal(out.data, want, 9);

    /* Out size 1 takes the top-left pixel. */
    rtpu_tensor single = test_tensor(1, 1, 1, 1);
    op_resize_bilinear(&in, &single);
    assert_float_equal(single.data[0], 0.0f, 0.0f);

    /* 3x3 -> 2x2 takes exactly the corners. */
    rtpu_tensor corners_out = test_tensor(1, 2, 2, 1);
    op_resize_bilinear(&out, &corners_out);
    assert_all_equal(corners_out.data, corners, 4);

    /* Same size is an exact copy, bit for bit, even of values arithmetic would change. */
    test_rng rng = {8};
    rtpu_tensor src = test_random_tensor(&rng, 2, 5, 7, 3);
    src.data[0] = INFINITY;
    src.data[1] = -0.0f;
    rtpu_tensor copy = test_tensor(2, 5, 7, 3);
    op_resize_bilinear(&src, &copy);
    assert_memory_equal(copy.data, src.data, tensor_count(&src) * sizeof(float));

    tensor_destroy(&copy);
    tensor_destroy(&src);
    tensor_destroy(&corners_out);
    tensor_destroy(&single);
    tensor_destroy(&out);
    tensor_destroy(&in);
}

/* ---- channel copy ---- */

static void copy_channels_into_range(void **state)
{
    (void)state;
    test_rng rng = {9};
    const int n = 2, h = 3, w = 4;
    rtpu_tensor a = test_random_tensor(&rng, n, h, w, 3);
    rtpu_tensor dst = test_tensor(n, h, w, 10);
    for (size_t i = 0; i < tensor_count(&dst); i++)
        dst.data[i] = -7.0f;
    op_copy_channels(&a, &dst, 2);
    for (int b = 0; b < n; b++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int ch = 0; ch < 10; ch++) {
                    float want = ch >= 2 && ch < 5 ? *tensor_at(&a, b, y, x, ch - 2) : -7.0f;
                    assert_float_equal(*tensor_at(&dst, b, y, x, ch), want, 0.0f);
                }

    /* A source as wide as the destination replaces it entirely. */
    rtpu_tensor full = test_random_tensor(&rng, n, h, w, 10);
    op_copy_channels(&full, &dst, 0);
    assert_memory_equal(dst.data, full.data, tensor_count(&full) * sizeof(float));
    tensor_destroy(&full);
    tensor_destroy(&dst);
    tensor_destroy(&a);
}

/* ---- layer norm ---- */

static void naive_layer_norm(const rtpu_tensor *t, const float *gamma, const float *beta,
                             double eps, double *want)
{
    size_t per_example = (size_t)t->h * t->w * t->c;
    for (int b = 0; b < t->n; b++) {
        const float *x = t->data + (size_t)b * per_example;
        double mean = 0.0, var = 0.0;
        for (size_t i = 0; i < per_example; i++)
            mean += x[i];
        mean /= (double)per_example;
        for (size_t i = 0; i < per_example; i++)
            var += (x[i] - mean) * (x[i] - mean);
        var /= (double)per_example;
        for (size_t i = 0; i < per_example; i++) {
            int ch = (int)(i % (size_t)t->c);
            double y = (x[i] - mean) / sqrt(var + eps);
            want[(size_t)b * per_example + i] =
                y * (gamma ? gamma[ch] : 1.0) + (beta ? beta[ch] : 0.0);
        }
    }
}

static void layer_norm_values(void **state)
{
    (void)state;
    /* Hand case: [1, 2, 3, 4] as 1x2 pixels of 2 channels, eps 0: mean 2.5, variance
     * 1.25, so (x - 2.5) / 1.1180340 = -1.3416408, -0.4472136, 0.4472136, 1.3416408;
     * then gamma [2, 1], beta [0, 1] per channel. */
    rtpu_tensor t = test_tensor(1, 1, 2, 2);
    const float values[4] = {1, 2, 3, 4};
    memcpy(t.data, values, sizeof values);
    const float gamma[2] = {2.0f, 1.0f}, beta[2] = {0.0f, 1.0f};
    op_layer_norm(&t, gamma, beta, 0.0f);
    const double want_hand[4] = {-2.6832816, 0.5527864, 0.8944272, 2.3416408};
    assert_int_equal(test_first_mismatch(t.data, want_hand, 4, 1e-6, "layer norm hand"), -1);
    tensor_destroy(&t);

    /* Random tensors, one with a large common offset where a one-pass float variance
     * would cancel; every combination of gamma and beta being given. */
    test_rng rng = {10};
    for (int round = 0; round < 8; round++) {
        int n = 1 + round % 3, h = 3 + round, w = 13 - round, c = round % 2 ? 17 : 3;
        t = test_random_tensor(&rng, n, h, w, c);
        if (round == 7)
            for (size_t i = 0; i < tensor_count(&t); i++)
                t.data[i] = 1000.0f + 0.01f * t.data[i];
        float *g = round & 1 ? test_random_floats(&rng, (size_t)c) : NULL;
        float *b = round & 2 ? test_random_floats(&rng, (size_t)c) : NULL;
        float eps = round == 7 ? 1e-12f : 1e-5f;
        double *want = malloc(tensor_count(&t) * sizeof *want);
        assert_non_null(want);
        naive_layer_norm(&t, g, b, eps, want);
        op_layer_norm(&t, g, b, eps);
        assert_int_equal(test_first_mismatch(t.data, want, tensor_count(&t), 1e-4, "layer norm"),
                         -1);
        free(want);
        free(b);
        free(g);
        tensor_destroy(&t);
    }
}

/* ---- activations ---- */

static void activate_values(void **state)
{
    (void)state;
    enum { COUNT = 203 };
    test_rng rng = {11};
    float input[COUNT];
    for (int i = 0; i < COUNT; i++)
        input[i] = 8.0f * test_rng_float(&rng);
    input[0] = 0.0f;
    input[1] = -20.0f;
    input[2] = 20.0f;

    static const activation acts[] = {ACT_NONE, ACT_RELU, ACT_ELU, ACT_SIGMOID, ACT_TANH};
    for (size_t a = 0; a < sizeof acts / sizeof acts[0]; a++) {
        float x[COUNT];
        double want[COUNT];
        memcpy(x, input, sizeof x);
        for (int i = 0; i < COUNT; i++) {
            double v = input[i];
            switch (acts[a]) {
            case ACT_NONE: want[i] = v; break;
            case ACT_RELU: want[i] = v > 0 ? v : 0; break;
            case ACT_ELU: want[i] = v > 0 ? v : exp(v) - 1; break;
            case ACT_SIGMOID: want[i] = 1 / (1 + exp(-v)); break;
            case ACT_TANH: want[i] = tanh(v); break;
            }
        }
        op_activate(x, COUNT, acts[a]);
        assert_int_equal(test_first_mismatch(x, want, COUNT, 1e-6, activation_name(acts[a])), -1);
    }

    /* Hand values: elu(-1) = e^-1 - 1, sigmoid(0) = 0.5, relu(-3) = 0. */
    float few[3] = {-1.0f, 0.0f, -3.0f};
    op_activate(few, 1, ACT_ELU);
    op_activate(few + 1, 1, ACT_SIGMOID);
    op_activate(few + 2, 1, ACT_RELU);
    assert_float_equal(few[0], -0.63212056f, 1e-7f);
    assert_float_equal(few[1], 0.5f, 0.0f);
    assert_float_equal(few[2], 0.0f, 0.0f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(maxpool_padding_ignored),
        cmocka_unit_test(maxpool_shapes),
        cmocka_unit_test(avgpool_values),
        cmocka_unit_test(global_avg_pool_values),
        cmocka_unit_test(fully_connected_values),
        cmocka_unit_test(resize_hand_computed),
        cmocka_unit_test(resize_shapes),
        cmocka_unit_test(copy_channels_into_range),
        cmocka_unit_test(layer_norm_values),
        cmocka_unit_test(activate_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
