/* Tests of op_conv2d and op_depthwise_conv2d against naive loops written here.
 *
 * The naive versions derive the TF output size and padding on their own, walk every
 * (batch, out_y, out_x, out_channel, kernel_y, kernel_x, in_channel) with explicit
 * bounds checks, and sum in double. They are run on a fixed list of awkward shapes
 * (odd sizes, strides 1-3, SAME/VALID, 1x1 to 7x7 kernels, kernels as large as the input)
 * and on seeded random shapes, plus small cases whose results were worked out by hand. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ops_test_support.h"
#include "cpu/ops.h"

typedef struct {
    int n, h, w, in_c, out_c, kernel_h, kernel_w, stride;
    padding_mode padding;
} conv_case;

/* TF geometry, computed independently of conv_geom_make. */
typedef struct {
    int out_h, out_w, pad_top, pad_left;
} naive_geometry;

static naive_geometry naive_geometry_of(const conv_case *c)
{
    naive_geometry g;
    if (c->padding == PADDING_SAME) {
        g.out_h = (c->h + c->stride - 1) / c->stride;
        g.out_w = (c->w + c->stride - 1) / c->stride;
        int total_h = (g.out_h - 1) * c->stride + c->kernel_h - c->h;
        int total_w = (g.out_w - 1) * c->stride + c->kernel_w - c->w;
        g.pad_top = total_h > 0 ? total_h / 2 : 0;
        g.pad_left = total_w > 0 ? total_w / 2 : 0;
    } else {
        g.out_h = (c->h - c->kernel_h) / c->stride + 1;
        g.out_w = (c->w - c->kernel_w) / c->stride + 1;
        g.pad_top = g.pad_left = 0;
    }
    return g;
}

static conv_geom geometry_for(const conv_case *c)
{
    conv_geom g;
    assert_true(conv_geom_make(&g, c->h, c->w, c->kernel_h, c->kernel_w, c->stride, c->padding));
    naive_geometry want = naive_geometry_of(c);
    assert_int_equal(g.out_h, want.out_h);
    assert_int_equal(g.out_w, want.out_w);
    assert_int_equal(g.pad_top, want.pad_top);
    assert_int_equal(g.pad_left, want.pad_left);
    return g;
}

/* want = initial (if given) + bias (if given) + correlation of x with the HWIO kernel. */
static void naive_conv2d(const conv_case *c, const float *x, const float *kernel,
                         const float *bias, const float *initial, double *want)
{
    naive_geometry g = naive_geometry_of(c);
    for (int b = 0; b < c->n; b++)
        for (int oy = 0; oy < g.out_h; oy++)
            for (int ox = 0; ox < g.out_w; ox++)
                for (int co = 0; co < c->out_c; co++) {
                    size_t o = (((size_t)b * g.out_h + oy) * g.out_w + ox) * c->out_c + co;
                    double acc = initial ? initial[o] : 0.0;
                    if (bias)
                        acc += bias[co];
                    for (int ky = 0; ky < c->kernel_h; ky++) {
                        int iy = oy * c->stride - g.pad_top + ky;
                        if (iy < 0 || iy >= c->h)
                            continue;
                        for (int kx = 0; kx < c->kernel_w; kx++) {
                            int ix = ox * c->stride - g.pad_left + kx;
                            if (ix < 0 || ix >= c->w)
                                continue;
                            for (int ci = 0; ci < c->in_c; ci++) {
                                size_t xi = (((size_t)b * c->h + iy) * c->w + ix) * c->in_c + ci;
                                size_t ki =
                                    (((size_t)ky * c->kernel_w + kx) * c->in_c + ci) * c->out_c + co;
                                acc += (double)x[xi] * kernel[ki];
                            }
                        }
                    }
                    want[o] = acc;
                }
}

enum { WITH_BIAS = 1, ACCUMULATE = 2 };
/* scratch_rows == 0 means op_conv2d's default bound; otherwise the bound holds that many
 * im2col rows (plus a byte, to check that the division rounds down). */
static void check_conv_case(test_rng *rng, const conv_case *c, int flags, size_t scratch_rows)
{
    conv_geom g = geometry_for(c);
    rtpu_tensor in = test_random_tensor(rng, c->n, c->h, c->w, c->in_c);
    size_t kernel_count = (size_t)c->kernel_h * c->kernel_w * c->in_c * c->out_c;
    float *kernel = test_random_floats(rng, kernel_count);
    float *bias = (flags & WITH_BIAS) ? test_random_floats(rng, (size_t)c->out_c) : NULL;
    rtpu_tensor out = test_random_tensor(rng, c->n, g.out_h, g.out_w, c->out_c);
    size_t count = tensor_count(&out);
    float *initial = NULL;
    if (flags & ACCUMULATE) {
        initial = malloc(count * sizeof *initial);
        assert_non_null(initial);
        memcpy(initial, out.data, count * sizeof *initial);
    } else {
        /* Overwrite mode must not read the old contents, even NaN ones. */
        for (size_t i = 0; i < count; i++)
            out.data[i] = NAN;
    }
    double *want = malloc(count * sizeof *want);
    assert_non_null(want);
    naive_conv2d(c, in.data, kernel, bias, initial, want);

    rtpu_error err = {0};
    rtpu_status status;
    if (scratch_rows == 0) {
        status = op_conv2d(&in, &g, kernel, bias, flags & ACCUMULATE, &out, &err);
    } else {
        size_t bytes = scratch_rows * (size_t)c->kernel_h * c->kernel_w * c->in_c * sizeof(float) + 1;
        status = op_conv2d_scratch_limited(&in, &g, kernel, bias, flags & ACCUMULATE, bytes, &out,
                                           &err);
    }
    assert_int_equal(status, RTPU_OK);
    char what[160];
    snprintf(what, sizeof what,
             "conv n%d %dx%dx%d -> %d, kernel %dx%d stride %d %s flags %d scratch rows %zu", c->n,
             c->h, c->w, c->in_c, c->out_c, c->kernel_h, c->kernel_w, c->stride,
             c->padding == PADDING_SAME ? "SAME" : "VALID", flags, scratch_rows);
    assert_int_equal(test_first_mismatch(out.data, want, count, 1e-4, what), -1);

    free(want);
    free(initial);
    free(bias);
    free(kernel);
    tensor_destroy(&out);
    tensor_destroy(&in);
}

/* Awkward shapes that random draws might miss. */
static const conv_case listed_conv_cases[] = {
    {1, 7, 5, 3, 4, 3, 3, 1, PADDING_SAME},     {1, 7, 5, 3, 4, 3, 3, 2, PADDING_SAME},
    {2, 7, 5, 3, 4, 3, 3, 3, PADDING_SAME},     {1, 7, 5, 3, 4, 3, 3, 1, PADDING_VALID},
    {2, 7, 5, 3, 4, 3, 3, 2, PADDING_VALID},    {2, 13, 11, 17, 17, 3, 3, 2, PADDING_SAME},
    {1, 13, 11, 3, 64, 7, 7, 2, PADDING_SAME},  {1, 13, 11, 3, 5, 7, 7, 3, PADDING_VALID},
    {2, 7, 7, 17, 3, 7, 7, 1, PADDING_SAME},    {1, 4, 4, 64, 17, 4, 4, 1, PADDING_SAME},
    {1, 4, 4, 3, 5, 4, 4, 1, PADDING_VALID},    {2, 7, 5, 17, 17, 2, 2, 1, PADDING_SAME},
    {1, 8, 8, 3, 3, 2, 2, 2, PADDING_VALID},    {3, 7, 5, 64, 17, 1, 1, 1, PADDING_SAME},
    {2, 7, 5, 17, 3, 1, 1, 2, PADDING_SAME},    {2, 6, 6, 17, 3, 1, 1, 1, PADDING_VALID},
    {1, 5, 5, 1, 1, 3, 3, 1, PADDING_SAME},     {3, 6, 5, 17, 9, 3, 3, 1, PADDING_SAME},
    {1, 3, 2, 5, 4, 7, 7, 1, PADDING_SAME},     {2, 1, 1, 3, 2, 3, 3, 1, PADDING_SAME},
};

static void conv2d_listed_shapes(void **state)
{
    (void)state;
    test_rng rng = {1};
    for (size_t i = 0; i < sizeof listed_conv_cases / sizeof listed_conv_cases[0]; i++) {
        const conv_case *c = &listed_conv_cases[i];
        check_conv_case(&rng, c, WITH_BIAS, 0);
        check_conv_case(&rng, c, 0, 0);
        check_conv_case(&rng, c, WITH_BIAS | ACCUMULATE, 0);
        check_conv_case(&rng, c, ACCUMULATE, 0);
        /* One pixel per chunk, and chunks of 7 pixels that straddle rows and images. */
        check_conv_case(&rng, c, WITH_BIAS, 1);
        check_conv_case(&rng, c, WITH_BIAS | ACCUMULATE, 7);
    }
}

static void conv2d_random_shapes(void **state)
{
    (void)state;
    test_rng rng = {20240611};
    static const int kernels[] = {1, 2, 3, 7};
    static const int channels[] = {1, 3, 17, 64};
    for (int round = 0; round < 80; round++) {
        conv_case c;
        c.n = 1 + test_rng_below(&rng, 3);
        c.h = 1 + test_rng_below(&rng, 13);
        c.w = 1 + test_rng_below(&rng, 13);
        c.kernel_h = kernels[test_rng_below(&rng, 4)];
        c.kernel_w = test_rng_below(&rng, 3) ? c.kernel_h : kernels[test_rng_below(&rng, 4)];
        c.stride = 1 + test_rng_below(&rng, 3);
        bool fits = c.kernel_h <= c.h && c.kernel_w <= c.w;
        c.padding = fits && test_rng_below(&rng, 2) ? PADDING_VALID : PADDING_SAME;
        /* Keep the naive loop cheap: shrink channels until the case is under 2 M MACs. */
        do {
            c.in_c = channels[test_rng_below(&rng, 4)];
            c.out_c = channels[test_rng_below(&rng, 4)];
        } while ((double)c.n * c.h * c.w * c.kernel_h * c.kernel_w * c.in_c * c.out_c > 2e6);
        int flags = test_rng_below(&rng, 4);
        size_t scratch_rows = (size_t)test_rng_below(&rng, 3) * (size_t)test_rng_below(&rng, 9);
        check_conv_case(&rng, &c, flags, scratch_rows);
    }
}

/* 48x48x128 with a 3x3 kernel needs 10.6 MiB of im2col rows: more than the default bound,
 * so op_conv2d itself works in several chunks. */
static void conv2d_default_bound_chunks(void **state)
{
    (void)state;
    test_rng rng = {7};
    const conv_case c = {1, 48, 48, 128, 3, 3, 3, 1, PADDING_SAME};
    assert_true((size_t)48 * 48 * 9 * 128 * sizeof(float) > OP_CONV2D_SCRATCH_BYTES);
    check_conv_case(&rng, &c, WITH_BIAS, 0);
}

/* 3x3 input 1..9, SAME 3x3 kernel: channel 0 taps 1..9, channel 1 taps all 1, bias
 * {0.5, -1}; by hand, e.g. centre = sum (i * i) + 0.5 = 285.5 and sum i - 1 = 44. The
 * full conv (1 input channel) and the depthwise conv (each channel alone) give the same
 * numbers. */
static const float hand_3x3_want[9][2] = {
    {94.5f, 11.0f},  {154.5f, 20.0f}, {106.5f, 15.0f},
    {186.5f, 26.0f}, {285.5f, 44.0f}, {186.5f, 32.0f},
    {106.5f, 23.0f}, {154.5f, 38.0f}, {94.5f, 27.0f},
};

/* 3x3 input holding 1..9, SAME, stride 1. Output channel 0 uses the kernel 1..9 in
 * (ky, kx) order, so a flipped (true convolution) kernel or a shifted window shows;
 * channel 1 sums the neighbourhood. Values worked out by hand, e.g. corner (0,0) of
 * channel 0 is 5*1 + 6*2 + 8*4 + 9*5 = 94. */
static void conv2d_hand_computed(void **state)
{
    (void)state;
    rtpu_tensor in = test_tensor(1, 3, 3, 1);
    for (int i = 0; i < 9; i++)
        in.data[i] = (float)(i + 1);
    float kernel[9 * 2];
    for (int tap = 0; tap < 9; tap++) {
        kernel[tap * 2 + 0] = (float)(tap + 1);
        kernel[tap * 2 + 1] = 1.0f;
    }
    const float bias[2] = {0.5f, -1.0f};
    const float (*want)[2] = hand_3x3_want;
    conv_geom g;
    assert_true(conv_geom_make(&g, 3, 3, 3, 3, 1, PADDING_SAME));
    rtpu_tensor out = test_tensor(1, 3, 3, 2);
    rtpu_error err = {0};
    assert_int_equal(op_conv2d(&in, &g, kernel, bias, false, &out, &err), RTPU_OK);
    for (int p = 0; p < 9; p++)
        for (int ch = 0; ch < 2; ch++)
            assert_float_equal(out.data[p * 2 + ch], want[p][ch], 0.0f);

    /* Accumulating the same convolution again adds it (bias included) on top. */
    assert_int_equal(op_conv2d(&in, &g, kernel, bias, true, &out, &err), RTPU_OK);
    for (int p = 0; p < 9; p++)
        for (int ch = 0; ch < 2; ch++)
            assert_float_equal(out.data[p * 2 + ch], 2.0f * want[p][ch], 0.0f);
    tensor_destroy(&out);
    tensor_destroy(&in);
}

static void expect_conv_error(const rtpu_tensor *in, const conv_geom *g, const float *kernel,
                              rtpu_tensor *out, rtpu_status status, const char *fragment)
{
    rtpu_error err = {0};
    assert_int_equal(op_conv2d(in, g, kernel, NULL, false, out, &err), status);
    assert_int_equal(err.status, status);
    if (!strstr(err.message, fragment)) {
        fprintf(stderr, "message '%s' lacks '%s'\n", err.message, fragment);
        fail();
    }
    assert_null(strchr(err.message, '\n'));
}

static void conv2d_bad_inputs(void **state)
{
    (void)state;
    rtpu_tensor in = test_tensor(2, 5, 5, 3);
    rtpu_tensor out = test_tensor(2, 5, 5, 4);
    float kernel[3 * 3 * 3 * 4] = {0};
    conv_geom g;
    assert_true(conv_geom_make(&g, 5, 5, 3, 3, 1, PADDING_SAME));

    conv_geom wrong_input;
    assert_true(conv_geom_make(&wrong_input, 6, 5, 3, 3, 1, PADDING_SAME));
    expect_conv_error(&in, &wrong_input, kernel, &out, RTPU_ERR_SHAPE,
                      "does not match the geometry's 6x5 input");

    rtpu_tensor small_out = test_tensor(2, 4, 5, 4);
    expect_conv_error(&in, &g, kernel, &small_out, RTPU_ERR_SHAPE, "should be [2,5,5,4]");
    rtpu_tensor other_batch = test_tensor(1, 5, 5, 4);
    expect_conv_error(&in, &g, kernel, &other_batch, RTPU_ERR_SHAPE, "should be [2,5,5,4]");

    expect_conv_error(&in, &g, NULL, &out, RTPU_ERR_INVALID, "must all be given");
    expect_conv_error(&in, NULL, kernel, &out, RTPU_ERR_INVALID, "must all be given");

    conv_geom zero_stride = g;
    zero_stride.stride = 0;
    expect_conv_error(&in, &zero_stride, kernel, &out, RTPU_ERR_INVALID, "must be positive");

    /* A hand-built geometry whose kernel depth does not fit sgemm's int sizes. */
    rtpu_tensor one = test_tensor(1, 1, 1, 1);
    rtpu_tensor one_out = test_tensor(1, 1, 1, 1);
    conv_geom huge = {.in_h = 1, .in_w = 1, .kernel_h = 50000, .kernel_w = 50000, .stride = 1,
                      .out_h = 1, .out_w = 1};
    expect_conv_error(&one, &huge, kernel, &one_out, RTPU_ERR_NOMEM, "absurdly large");

    /* Nothing was written by the failing calls. */
    for (size_t i = 0; i < tensor_count(&out); i++)
        assert_float_equal(out.data[i], 0.0f, 0.0f);
    tensor_destroy(&one_out);
    tensor_destroy(&one);
    tensor_destroy(&other_batch);
    tensor_destroy(&small_out);
    tensor_destroy(&out);
    tensor_destroy(&in);
}

/* Depthwise: channel ch of the output correlates channel ch of the input with its own
 * [kernel_h][kernel_w] slice of the [kh][kw][c] kernel. */
static void naive_depthwise(const conv_case *c, const float *x, const float *kernel,
                            const float *bias, double *want)
{
    naive_geometry g = naive_geometry_of(c);
    for (int b = 0; b < c->n; b++)
        for (int oy = 0; oy < g.out_h; oy++)
            for (int ox = 0; ox < g.out_w; ox++)
                for (int ch = 0; ch < c->in_c; ch++) {
                    double acc = bias ? bias[ch] : 0.0;
                    for (int ky = 0; ky < c->kernel_h; ky++) {
                        int iy = oy * c->stride - g.pad_top + ky;
                        if (iy < 0 || iy >= c->h)
                            continue;
                        for (int kx = 0; kx < c->kernel_w; kx++) {
                            int ix = ox * c->stride - g.pad_left + kx;
                            if (ix < 0 || ix >= c->w)
                                continue;
                            acc += (double)x[(((size_t)b * c->h + iy) * c->w + ix) * c->in_c + ch] *
                                   kernel[((size_t)ky * c->kernel_w + kx) * c->in_c + ch];
                        }
                    }
                    want[(((size_t)b * g.out_h + oy) * g.out_w + ox) * c->in_c + ch] = acc;
                }
}

static void check_depthwise_case(test_rng *rng, const conv_case *c, bool with_bias)
{
    conv_geom g = geometry_for(c);
    rtpu_tensor in = test_random_tensor(rng, c->n, c->h, c->w, c->in_c);
    float *kernel = test_random_floats(rng, (size_t)c->kernel_h * c->kernel_w * c->in_c);
    float *bias = with_bias ? test_random_floats(rng, (size_t)c->in_c) : NULL;
    rtpu_tensor out = test_tensor(c->n, g.out_h, g.out_w, c->in_c);
    for (size_t i = 0; i < tensor_count(&out); i++)
        out.data[i] = NAN;
    double *want = malloc(tensor_count(&out) * sizeof *want);
    assert_non_null(want);
    naive_depthwise(c, in.data, kernel, bias, want);
    op_depthwise_conv2d(&in, &g, kernel, bias, &out);
    char what[128];
    snprintf(what, sizeof what, "depthwise n%d %dx%dx%d kernel %dx%d stride %d %s bias %d", c->n,
             c->h, c->w, c->in_c, c->kernel_h, c->kernel_w, c->stride,
             c->padding == PADDING_SAME ? "SAME" : "VALID", with_bias);
    assert_int_equal(test_first_mismatch(out.data, want, tensor_count(&out), 1e-4, what), -1);
    free(want);
    free(bias);
    free(kernel);
    tensor_destroy(&out);
    tensor_destroy(&in);
}

static void depthwise_listed_shapes(void **state)
{
    (void)state;
    static const conv_case cases[] = {
        /* out_c is unused by depthwise. */
        {2, 7, 7, 64, 0, 7, 7, 1, PADDING_SAME},  {1, 4, 4, 17, 0, 4, 4, 1, PADDING_SAME},
        {1, 7, 7, 3, 0, 7, 7, 1, PADDING_VALID},  {2, 13, 11, 17, 0, 3, 3, 2, PADDING_SAME},
        {1, 13, 11, 3, 0, 7, 7, 3, PADDING_SAME}, {3, 7, 5, 1, 0, 3, 3, 1, PADDING_VALID},
        {1, 7, 5, 64, 0, 2, 2, 2, PADDING_SAME},  {2, 9, 9, 17, 0, 1, 1, 3, PADDING_SAME},
        {1, 56, 3, 9, 0, 7, 7, 1, PADDING_SAME},  {1, 2, 3, 5, 0, 7, 7, 1, PADDING_SAME},
    };
    test_rng rng = {2};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check_depthwise_case(&rng, &cases[i], true);
        check_depthwise_case(&rng, &cases[i], false);
    }
}

static void depthwise_random_shapes(void **state)
{
    (void)state;
    test_rng rng = {99};
    static const int kernels[] = {1, 2, 3, 7};
    static const int channels[] = {1, 3, 17, 64};
    for (int round = 0; round < 60; round++) {
        conv_case c = {0};
        c.n = 1 + test_rng_below(&rng, 3);
        c.h = 1 + test_rng_below(&rng, 13);
        c.w = 1 + test_rng_below(&rng, 13);
        c.in_c = channels[test_rng_below(&rng, 4)];
        c.kernel_h = kernels[test_rng_below(&rng, 4)];
        c.kernel_w = test_rng_below(&rng, 3) ? c.kernel_h : kernels[test_rng_below(&rng, 4)];
        c.stride = 1 + test_rng_below(&rng, 3);
        bool fits = c.kernel_h <= c.h && c.kernel_w <= c.w;
        c.padding = fits && test_rng_below(&rng, 2) ? PADDING_VALID : PADDING_SAME;
        check_depthwise_case(&rng, &c, test_rng_below(&rng, 2));
    }
}

/* The hand case of conv2d_hand_computed, one kernel per channel: channel 0 has the
 * kernel 1..9, channel 1 all ones. */
static void depthwise_hand_computed(void **state)
{
    (void)state;
    rtpu_tensor in = test_tensor(1, 3, 3, 2);
    for (int i = 0; i < 9; i++)
        in.data[i * 2] = in.data[i * 2 + 1] = (float)(i + 1);
    float kernel[9 * 2];
    for (int tap = 0; tap < 9; tap++) {
        kernel[tap * 2 + 0] = (float)(tap + 1);
        kernel[tap * 2 + 1] = 1.0f;
    }
    const float bias[2] = {0.5f, -1.0f};
    const float (*want)[2] = hand_3x3_want;
    conv_geom g;
    assert_true(conv_geom_make(&g, 3, 3, 3, 3, 1, PADDING_SAME));
    rtpu_tensor out = test_tensor(1, 3, 3, 2);
    op_depthwise_conv2d(&in, &g, kernel, bias, &out);
    for (int p = 0; p < 9; p++)
        for (int ch = 0; ch < 2; ch++)
            assert_float_equal(out.data[p * 2 + ch], want[p][ch], 0.0f);

    /* Stride 2 VALID on the same input keeps only the centre window. */
    assert_true(conv_geom_make(&g, 3, 3, 3, 3, 2, PADDING_VALID));
    rtpu_tensor centre = test_tensor(1, 1, 1, 2);
    op_depthwise_conv2d(&in, &g, kernel, NULL, &centre);
    assert_float_equal(centre.data[0], 285.0f, 0.0f);
    assert_float_equal(centre.data[1], 45.0f, 0.0f);
    tensor_destroy(&centre);
    tensor_destroy(&out);
    tensor_destroy(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conv2d_hand_computed),
        cmocka_unit_test(conv2d_listed_shapes),
        cmocka_unit_test(conv2d_random_shapes),
        cmocka_unit_test(conv2d_default_bound_chunks),
        cmocka_unit_test(conv2d_bad_inputs),
        cmocka_unit_test(depthwise_hand_computed),
        cmocka_unit_test(depthwise_listed_shapes),
        cmocka_unit_test(depthwise_random_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
