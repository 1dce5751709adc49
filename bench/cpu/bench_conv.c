/* op_conv2d against plain cblas_sgemm on the same GEMM shape.
 *
 * The CPU reference's target is that GEMM-shaped layers reach at least 70% of OpenBLAS
 * sgemm's own GFLOP/s. For each convolution of the median model (at the batch given
 * with --batch, default 8) this times op_conv2d (im2col in chunks + sgemm, bias on) and
 * one cblas_sgemm of the same M x K x N with its operands already laid out, and prints
 * both rates and their ratio. --scratch-kib overrides op_conv2d's im2col chunk bound,
 * to choose OP_CONV2D_SCRATCH_BYTES. Times are the best of --reps runs after a warm-up.
 *
 *   bench_conv [--batch N] [--reps N] [--scratch-kib K] [--only NAME] */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/ops.h"

typedef struct {
    const char *name;
    int h, w, in_c, out_c, kernel, stride;
} conv_shape;

/* The median model's GEMM-shaped layers (docs: /work/shared/docs/model-semantics.md section 3). */
static const conv_shape shapes[] = {
    {"conv1 7x7/2 224x224x3->64", 224, 224, 3, 64, 7, 2},
    {"conv2 3x3 56x56x64->128", 56, 56, 64, 128, 3, 1},
    {"conv3 3x3 56x56x128->128", 56, 56, 128, 128, 3, 1},
    {"cell A_c 2x2 28x28x128->64", 28, 28, 128, 64, 2, 1},
    {"cell A_h 3x3 28x28x128->128", 28, 28, 128, 128, 3, 1},
    {"feedback 1x1 28x28x256->128", 28, 28, 256, 128, 1, 1},
    {"conv7 3x3 14x14x256->256", 14, 14, 256, 256, 3, 1},
    {"conv10 3x3 7x7x512->512", 7, 7, 512, 512, 3, 1},
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static float *random_floats(size_t count, unsigned *seed)
{
    float *values = malloc(count * sizeof *values);
    if (!values) {
        fprintf(stderr, "bench_conv: out of memory (%zu floats)\n", count);
        exit(1);
    }
    for (size_t i = 0; i < count; i++) {
        *seed = *seed * 1664525u + 1013904223u;
        values[i] = (float)(*seed >> 8) / 16777216.0f - 0.5f;
    }
    return values;
}

/* Returns 0 on success; prints one table row. */
static int bench_shape(const conv_shape *s, int batch, int reps, size_t scratch_bytes)
{
    conv_geom g;
    if (!conv_geom_make(&g, s->h, s->w, s->kernel, s->kernel, s->stride, PADDING_SAME))
        return 1;
    unsigned seed = 12345;
    rtpu_tensor in, out;
    rtpu_error err = {0};
    if (tensor_create(&in, batch, s->h, s->w, s->in_c, &err) != RTPU_OK ||
        tensor_create(&out, batch, g.out_h, g.out_w, s->out_c, &err) != RTPU_OK) {
        fprintf(stderr, "bench_conv: %s\n", err.message);
        return 1;
    }
    float *input_values = random_floats(tensor_count(&in), &seed);
    memcpy(in.data, input_values, tensor_count(&in) * sizeof *in.data);
    free(input_values);
    const int m = batch * g.out_h * g.out_w;
    const int k = s->kernel * s->kernel * s->in_c;
    const int n = s->out_c;
    float *kernel = random_floats((size_t)k * n, &seed);
    float *bias = random_floats((size_t)n, &seed);
    float *a = random_floats((size_t)m * k, &seed); /* the im2col matrix's shape */
    float *c = random_floats((size_t)m * n, &seed);
    const double flops = 2.0 * m * (double)k * n;

    double best_conv = 1e30, best_gemm = 1e30;
    for (int rep = 0; rep <= reps; rep++) { /* rep 0 warms up */
        double t0 = now_seconds();
        if (op_conv2d_scratch_limited(&in, &g, kernel, bias, false, scratch_bytes, &out, &err) !=
            RTPU_OK) {
            fprintf(stderr, "bench_conv: %s\n", err.message);
            return 1;
        }
        double t1 = now_seconds();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, kernel, n, 0.0f,
                    c, n);
        double t2 = now_seconds();
        if (rep > 0) {
            best_conv = t1 - t0 < best_conv ? t1 - t0 : best_conv;
            best_gemm = t2 - t1 < best_gemm ? t2 - t1 : best_gemm;
        }
    }
    double conv_rate = flops / best_conv * 1e-9, gemm_rate = flops / best_gemm * 1e-9;
    printf("%-30s %6d %5d %4d %9.2f %9.2f %9.2f %6.1f%%\n", s->name, m, k, n, best_conv * 1e3,
           conv_rate, gemm_rate, 100.0 * conv_rate / gemm_rate);
    free(c);
    free(a);
    free(bias);
    free(kernel);
    tensor_destroy(&out);
    tensor_destroy(&in);
    return 0;
}

int main(int argc, char **argv)
{
    int batch = 8, reps = 5;
    size_t scratch_bytes = OP_CONV2D_SCRATCH_BYTES;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--batch") && i + 1 < argc)
            batch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--scratch-kib") && i + 1 < argc)
            scratch_bytes = (size_t)strtoull(argv[++i], NULL, 10) << 10;
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--batch N] [--reps N] [--scratch-kib K] [--only NAME]\n",
                    argv[0]);
            return 2;
        }
    }
    if (batch < 1 || reps < 1) {
        fprintf(stderr, "bench_conv: --batch and --reps must be at least 1\n");
        return 2;
    }
    printf("batch %d, best of %d, im2col scratch bound %zu KiB\n", batch, reps,
           scratch_bytes >> 10);
    printf("%-30s %6s %5s %4s %9s %9s %9s %7s\n", "layer", "M", "K", "N", "conv ms", "conv GF/s",
           "sgemm GF/s", "ratio");
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        if (only && !strstr(shapes[i].name, only))
            continue;
        if (bench_shape(&shapes[i], batch, reps, scratch_bytes))
            return 1;
    }
    return 0;
}
