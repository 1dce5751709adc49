/* Benchmark: how fast the simulator computes a large matmul program, against OpenBLAS
 * sgemm (the fp32 CPU reference's GEMM) on the same M x K x N shape.
 *
 * The program: X (M x K int8) and W (K x N int8) loaded from DRAM; for each 256-column
 * block of N, K / 256 accumulating matmuls of M rows, then requant and store. Reported:
 * simulated cycles, host seconds, simulated MACs per host second, and sgemm's time, each
 * the best of three runs in this process. RTPU_SIM_PORTABLE=1 measures the portable
 * matmul loops instead of the host's int8 dot-product kernel. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/rng.h"
#include "sim/sim.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void add(rtpu_program *p, isa_insn in)
{
    rtpu_error err = {0};
    if (program_add_insn(p, &in, &err)) {
        fprintf(stderr, "bench_sim: %s\n", err.message);
        exit(1);
    }
}

/* X at DRAM 0 as K/N blocks of M rows; W at M*K as (N/n) x (K/n) tiles of n rows. */
static rtpu_program *build(const rtpu_config *c, int m, int k, int nn)
{
    rtpu_program *p = NULL;
    rtpu_error err = {0};
    if (program_create(c, &p, &err))
        return NULL;
    int n = (int)c->array_size, kb = k / n, nb = nn / n;
    uint64_t w_base = (uint64_t)m * k, out_base = w_base + (uint64_t)k * nn, param_base = out_base + (uint64_t)m * nn;
    /* Tokens: the data loads release the compute queue once (cnop); each weight tile is
     * one ld->ex token for its ldw; each ldw frees its slot of the WB ring (ex->ld) for the
     * load.wb `slots` tiles later; requant -> store -> requant alternate on UB rows. */
    int slots = (int)(config_wb_rows(c) / c->array_size);
    for (int b = 0; b < kb; b++) /* activations: block b -> UB rows b*m .. */
        add(p, (isa_insn){OP_LOAD_UB, 0, {b * m, (int64_t)b * m * n, m / 64, 64, n, 64 * n}});
    add(p, (isa_insn){OP_LOAD_ACC, ISA_PUSH_NEXT, {m, (int64_t)param_base, 1, 3, n, 0}});
    add(p, (isa_insn){OP_CNOP, ISA_POP_PREV, {0}});
    for (int j = 0; j < nb; j++) {
        for (int b = 0; b < kb; b++) {
            int tile = j * kb + b, slot = tile % slots;
            add(p, (isa_insn){OP_LOAD_WB, (uint8_t)(ISA_PUSH_NEXT | (tile >= slots ? ISA_POP_NEXT : 0)),
                              {slot * n, (int64_t)(w_base + (uint64_t)tile * n * n), 1, n, n, 0}});
            add(p, (isa_insn){OP_LDW, ISA_POP_PREV | ISA_PUSH_PREV, {slot * n}});
            add(p, (isa_insn){OP_MATMUL, 0, {0, b * m, 1, 0, m, 1, n, n, b > 0}});
        }
        add(p, (isa_insn){OP_REQUANT, (uint8_t)(ISA_PUSH_NEXT | (j > 0 ? ISA_POP_NEXT : 0)), {0, kb * m, m, m}});
        add(p, (isa_insn){OP_STORE, ISA_POP_PREV | ISA_PUSH_PREV, {kb * m, (int64_t)(out_base + (uint64_t)j * m * n), m / 64, 64, n, 64 * n, 64}});
    }
    add(p, (isa_insn){OP_HALT, 0, {0}});
    if (program_finish(p, &err)) {
        fprintf(stderr, "bench_sim: %s\n", err.message);
        exit(1);
    }
    return p;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "configs/tpu-v1.json";
    /* M must be a multiple of 64 (rows move in lines of 64) and leave 3 accumulator rows for
     * the requant parameters; K and N multiples of the array size */
    int m = argc > 2 ? atoi(argv[2]) : 4032, k = argc > 3 ? atoi(argv[3]) : 1024, nn = argc > 4 ? atoi(argv[4]) : 1024;
    rtpu_config c;
    rtpu_error err = {0};
    if (config_load(path, &c, &err)) {
        fprintf(stderr, "bench_sim: %s\n", err.message);
        return 1;
    }
    rtpu_program *p = build(&c, m, k, nn);
    if (!p)
        return 1;
    rtpu_sim *sim = NULL;
    if (sim_create(p, &sim, &err)) {
        fprintf(stderr, "bench_sim: %s\n", err.message);
        return 1;
    }
    rng r;
    rng_seed(&r, 42);
    size_t inputs = (size_t)m * k + (size_t)k * nn;
    int8_t *data = malloc(inputs);
    for (size_t i = 0; i < inputs; i++)
        data[i] = (int8_t)(rng_next(&r) & 0xff);
    sim_write_dram(sim, 0, data, inputs, &err);
    /* best of 3, as sgemm below: the first run also pays for first-touch page faults of
     * the accumulators and the unified buffer; every run computes the same bytes */
    double sim_seconds = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now();
        if (sim_run(sim, &err)) {
            fprintf(stderr, "bench_sim: %s\n", err.message);
            return 1;
        }
        double t = now() - t0;
        sim_seconds = t < sim_seconds ? t : sim_seconds;
    }
    const rtpu_stats *s = sim_get_stats(sim);
    double macs = (double)m * k * nn;
    printf("shape            M %d x K %d x N %d on %s (%ux%u)\n", m, k, nn, c.name, c.array_size, c.array_size);
    printf("simulated        %llu cycles, MXU utilisation %.1f%%, %llu instructions\n",
           (unsigned long long)s->total_cycles, 100 * s->mxu_utilisation, (unsigned long long)s->instructions);
    printf("simulator        %.3f s, %.2f G simulated MAC/s\n", sim_seconds, macs / sim_seconds / 1e9);
    /* sgemm on the same shape, fp32, best of 3 */
    float *a = malloc(sizeof(float) * (size_t)m * k), *b = malloc(sizeof(float) * (size_t)k * nn),
          *out = malloc(sizeof(float) * (size_t)m * nn);
    for (size_t i = 0; i < (size_t)m * k; i++)
        a[i] = (float)data[i];
    for (size_t i = 0; i < (size_t)k * nn; i++)
        b[i] = (float)data[(size_t)m * k + i];
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        double t = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, nn, k, 1.0f, a, k, b, nn, 0.0f, out, nn);
        t = now() - t;
        best = t < best ? t : best;
    }
    printf("openblas sgemm   %.3f s, %.2f G MAC/s\n", best, macs / best / 1e9);
    printf("ratio            simulator / sgemm time = %.2f\n", sim_seconds / best);
    free(a);
    free(b);
    free(out);
    free(data);
    sim_destroy(sim);
    program_destroy(p);
    return 0;
}
