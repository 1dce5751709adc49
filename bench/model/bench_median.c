/* bench_median: the CPU reference on the median ConvRNN (224 px, T = 17).
 *
 *   bench_median [SOURCE_DIR] [--quick]
 *
 * 1. Every distinct GEMM-shaped convolution of the model (pre-convs, the RGC's full
 *    A_c / A_h paths, 1x1 pointwise and feedback convs) timed through op_conv2d (im2col +
 *    sgemm, what the reference runs) and through bare cblas_sgemm on the same M x K x N,
 *    in this process, back to back: the ratio is the reference's GEMM efficiency.
 * 2. The whole model at batch 1 and 8: wall time and effective GFLOP/s (2 x MACs / time).
 * --quick skips batch 8. Ratios, not absolute times, are what compare across machines. */
#include <cblas.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/cpu_ref.h"
#include "cpu/ops.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void fill(float *x, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)(seed >> 8) / (float)(1u << 24) - 0.5f;
    }
}

typedef struct gemm_shape {
    int h, w, in_c, out_c, k;
    const char *node, *path;
} gemm_shape;

/* Times fn until at least 0.25 s have passed; returns seconds per call. */
#define TIME_IT(call)                                                                         \
    ({                                                                                        \
        int reps_ = 0;                                                                        \
        double start_ = now(), elapsed_;                                                      \
        do {                                                                                  \
            call;                                                                             \
            reps_++;                                                                          \
        } while ((elapsed_ = now() - start_) < 0.25);                                         \
        elapsed_ / reps_;                                                                     \
    })

static void bench_gemm_shapes(const graph *g)
{
    gemm_shape shapes[64];
    int count = 0;
    for (int i = 0; i < g->node_count && count < 60; i++) {
        const node *n = &g->nodes[i];
        if (n->conv.present && n->conv.geom.stride == 1)
            shapes[count++] = (gemm_shape){n->u_h, n->u_w, n->harbor_c, n->conv.channels, n->conv.geom.kernel_h, n->name, "pre"};
        if (n->cell.type == CELL_RGC) {
            shapes[count++] = (gemm_shape){n->x_h, n->x_w, n->x_c, n->cell.cell_channels, n->cell.path[RGC_A_C].geom.kernel_h, n->name, "A_c"};
            shapes[count++] = (gemm_shape){n->x_h, n->x_w, n->x_c, n->cell_c, n->cell.path[RGC_A_H].geom.kernel_h, n->name, "A_h"};
            shapes[count++] = (gemm_shape){n->x_h, n->x_w, n->cell_c, n->cell_c, 1, n->name, "T_h 1x1"};
        }
    }
    printf("GEMM-shaped layers (batch 1): op_conv2d (im2col + sgemm) vs cblas_sgemm, same M x K x N\n");
    printf("%-8s %-8s %6s %6s %5s %10s %10s %7s\n", "node", "conv", "M", "K", "N", "conv GF/s", "sgemm GF/s", "ratio");
    double conv_time = 0, sgemm_time = 0, flops_total = 0;
    for (int s = 0; s < count; s++) {
        gemm_shape *sh = &shapes[s];
        int M = sh->h * sh->w, K = sh->k * sh->k * sh->in_c, N = sh->out_c;
        rtpu_tensor in, out;
        rtpu_error err = {0};
        tensor_create(&in, 1, sh->h, sh->w, sh->in_c, &err);
        tensor_create(&out, 1, sh->h, sh->w, sh->out_c, &err);
        float *kernel = malloc((size_t)K * N * sizeof(float)), *bias = calloc((size_t)N, sizeof(float));
        float *a = malloc((size_t)M * K * sizeof(float)), *c = malloc((size_t)M * N * sizeof(float));
        fill(in.data, tensor_count(&in), 1), fill(kernel, (size_t)K * N, 2), fill(a, (size_t)M * K, 3);
        conv_geom geom;
        conv_geom_make(&geom, sh->h, sh->w, sh->k, sh->k, 1, PADDING_SAME);
        double flops = 2.0 * M * K * N;
        double t_conv = TIME_IT(op_conv2d(&in, &geom, kernel, bias, false, &out, &err));
        double t_gemm = TIME_IT(cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, a, K, kernel, N,
                                            0.0f, c, N));
        printf("%-8s %-8s %6d %6d %5d %10.1f %10.1f %6.0f%%\n", sh->node, sh->path, M, K, N, flops / t_conv / 1e9,
               flops / t_gemm / 1e9, 100.0 * t_gemm / t_conv);
        conv_time += t_conv, sgemm_time += t_gemm, flops_total += flops;
        tensor_destroy(&in), tensor_destroy(&out);
        free(kernel), free(bias), free(a), free(c);
    }
    printf("all GEMM layers: op_conv2d %.1f GFLOP/s, sgemm %.1f GFLOP/s: %.0f%% of sgemm (target >= 70%%)\n\n",
           flops_total / conv_time / 1e9, flops_total / sgemm_time / 1e9, 100.0 * sgemm_time / conv_time);
}

static void bench_model(const graph *g, const weights *w, int batch)
{
    size_t frame = (size_t)224 * 224 * 3;
    float *images = malloc((size_t)batch * frame * sizeof(float));
    fill(images, (size_t)batch * frame, 7);
    uint64_t macs = 0;
    for (int i = 0; i < g->node_count; i++)
        macs += g->nodes[i].macs_per_step;
    rtpu_error err = {0};
    cpu_reference *r = NULL;
    double start = now();
    if (cpu_reference_create(g, w, batch, 0, &r, &err) || cpu_reference_run(r, images, NULL, NULL, &err)) {
        fprintf(stderr, "bench_median: %s\n", err.message);
        exit(1);
    }
    double elapsed = now() - start;
    double flops = 2.0 * (double)macs * g->sched.steps * batch;
    printf("median model, batch %d, %d steps: %.2f s (%.2f s per image), %.1f GFLOP/s\n", batch, g->sched.steps,
           elapsed, elapsed / batch, flops / elapsed / 1e9);
    cpu_reference_destroy(r);
    free(images);
}

int main(int argc, char **argv)
{
    /* Same allocation policy as the rtpu command (cli/main.c). */
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    const char *source = ".";
    bool quick = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            quick = true;
        else
            source = argv[i];
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/graphs/median.json", source);
    rtpu_error err = {0};
    graph *g = NULL;
    weights *w = NULL;
    if (graph_load(path, &g, &err) || weights_init(g, 0, 0, &w, &err)) {
        fprintf(stderr, "bench_median: %s\n", err.message);
        return 1;
    }
    printf("OpenBLAS: %s, %d threads\n\n", openblas_get_config(), openblas_get_num_threads());
    bench_gemm_shapes(g);
    bench_model(g, w, 1);
    if (!quick)
        bench_model(g, w, 8);
    weights_destroy(w);
    graph_destroy(g);
    return 0;
}
