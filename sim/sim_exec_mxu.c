/* Data effects of the weight path and the matrix unit.
 *
 * ldw copies an N x N tile (N weight-buffer rows from `wb`; row k holds the weights from
 * input channel k to the N output channels) into the shadow weights. The next matmul
 * makes the shadow tile the active one; later matmuls keep using it.
 *
 * matmul, for r in [0, outer * inner) with r = i * inner + j, reads unified-buffer row
 * ub + i * outer_stride + j * inner_stride and, for output column c < n:
 *     acc[acc + r][c] = (accumulate ? acc[acc + r][c] : 0) + sum_{k < k} in[k] * W[k][c]
 * in int32 with two's-complement wrap-around. Columns c >= n are left untouched.
 *
 * On hosts with AVX-512 VNNI the rows go through sim_mxu_vnni.c; elsewhere the inner loop
 * is a plain int8 x int16 -> int32 product the compiler vectorises. The array is never
 * stepped PE by PE (its timing is the formula in target/timing.c). */
#include "sim/sim_internal.h"

#include <string.h>

static void load_weights(rtpu_sim *sim, const isa_insn *in)
{
    const int8_t *tile = sim->wb + (uint64_t)in->args[LDW_WB] * sim->n;
    for (uint64_t i = 0; i < (uint64_t)sim->n * sim->n; i++)
        sim->shadow[i] = tile[i];
    sim->shadow_fresh = true;
}

/* acc_row[c] += a * w_row[c] for c < cols, wrapping: products fit int16 * int8 in int32. */
static inline void axpy(uint32_t *restrict acc_row, int32_t a, const int16_t *restrict w_row, uint64_t cols)
{
    for (uint64_t c = 0; c < cols; c++)
        acc_row[c] += (uint32_t)(a * (int32_t)w_row[c]);
}

/* Fast path for column counts that are multiples of 32: for two input rows and 32 output
 * columns the partial sums stay in registers over the whole k loop, so each weight load
 * feeds two MACs. Built for AVX2 and for the baseline; the loader picks at run time.
 * Integer results are identical either way. row1 may equal row0 (then out1 is unused). */
__attribute__((target_clones("avx2", "default"))) static void rows_times_tile(
    uint32_t *restrict out0, uint32_t *restrict out1, const int8_t *row0, const int8_t *row1,
    const int16_t *restrict weights, uint64_t n, uint64_t k_used, uint64_t cols)
{
    for (uint64_t c0 = 0; c0 < cols; c0 += 32) {
        uint32_t sums0[32] = {0}, sums1[32] = {0};
        for (uint64_t k = 0; k < k_used; k++) {
            int32_t a0 = row0[k], a1 = row1[k];
            const int16_t *w = weights + k * n + c0;
            for (int c = 0; c < 32; c++) {
                sums0[c] += (uint32_t)(a0 * (int32_t)w[c]);
                sums1[c] += (uint32_t)(a1 * (int32_t)w[c]);
            }
        }
        for (int c = 0; c < 32; c++) {
            out0[c0 + (uint64_t)c] += sums0[c];
            out1[c0 + (uint64_t)c] += sums1[c];
        }
    }
}

/* The matmul's rows [begin, end): each row writes only its own accumulator row, so
 * disjoint ranges can run on different threads with identical results. */
typedef struct row_range {
    const rtpu_sim *sim;
    const isa_insn *in;
    uint64_t begin, end;
} row_range;

typedef struct matmul_job {
    const rtpu_sim *sim;
    const isa_insn *in;
} matmul_job;

/* Row r of the matmul: its unified-buffer input row. */
static const int8_t *input_row(const rtpu_sim *sim, const int64_t *a, uint64_t r)
{
    uint64_t inner = (uint64_t)a[MATMUL_INNER], i = r / inner, j = r % inner;
    return sim->ub + ((uint64_t)a[MATMUL_UB] + i * (uint64_t)a[MATMUL_OUTER_STRIDE] + j * (uint64_t)a[MATMUL_INNER_STRIDE]) *
                         sim->n;
}

/* The VNNI path: chunks of rows through sim_mxu_vnni_rows (a chunk's rows, 16 KiB at
 * most, stay in L1 while the column blocks pass over them). */
enum { VNNI_CHUNK_ROWS = SIM_VNNI_MAX_ROWS };
static void matmul_rows_vnni(const row_range *range)
{
    const rtpu_sim *sim = range->sim;
    const int64_t *a = range->in->args;
    uint64_t n = sim->n, cols = (uint64_t)a[MATMUL_N];
    uint32_t *acc = (uint32_t *)sim->acc + (uint64_t)a[MATMUL_ACC] * n;
    for (uint64_t r = range->begin; r < range->end;) {
        const int8_t *rows[VNNI_CHUNK_ROWS];
        uint32_t *outs[VNNI_CHUNK_ROWS];
        int count = 0;
        for (; count < VNNI_CHUNK_ROWS && r < range->end; count++, r++) {
            rows[count] = input_row(sim, a, r);
            outs[count] = acc + r * n;
            if (!a[MATMUL_ACCUMULATE])
                memset(outs[count], 0, cols * sizeof *outs[count]);
        }
        sim_mxu_vnni_rows(rows, outs, count, sim->packed, sim->colsum, sim->n, (uint32_t)a[MATMUL_K], (uint32_t)cols);
    }
}

static void matmul_rows(const row_range *range)
{
    const rtpu_sim *sim = range->sim;
    if (sim->vnni) {
        matmul_rows_vnni(range);
        return;
    }
    const int64_t *a = range->in->args;
    uint64_t n = sim->n;
    uint64_t inner = (uint64_t)a[MATMUL_INNER];
    uint64_t k_used = (uint64_t)a[MATMUL_K], cols = (uint64_t)a[MATMUL_N];
    uint32_t *acc = (uint32_t *)sim->acc + (uint64_t)a[MATMUL_ACC] * n;
    uint32_t spare[CONFIG_MAX_ARRAY];
    for (uint64_t r = range->begin; r < range->end;) {
        const int8_t *row[2];
        uint32_t *out[2];
        uint64_t take = cols % 32 == 0 && r + 1 < range->end ? 2 : 1;
        for (uint64_t t = 0; t < take; t++) {
            uint64_t i = (r + t) / inner, j = (r + t) % inner;
            row[t] = sim->ub + ((uint64_t)a[MATMUL_UB] + i * (uint64_t)a[MATMUL_OUTER_STRIDE] +
                                j * (uint64_t)a[MATMUL_INNER_STRIDE]) * n;
            out[t] = acc + (r + t) * n;
            if (!a[MATMUL_ACCUMULATE])
                memset(out[t], 0, cols * sizeof *out[t]);
        }
        if (cols % 32 == 0) {
            if (take == 1) { /* an odd last row pairs with itself into a scratch row */
                row[1] = row[0];
                memset(spare, 0, cols * sizeof *spare);
                out[1] = spare;
            }
            rows_times_tile(out[0], out[1], row[0], row[1], sim->weights, n, k_used, cols);
        } else {
            for (uint64_t k = 0; k < k_used; k++)
                if (row[0][k])
                    axpy(out[0], row[0][k], sim->weights + k * n, cols);
        }
        r += take;
    }
}

static void matmul_range(void *job, uint64_t begin, uint64_t end)
{
    const matmul_job *m = job;
    row_range range = {m->sim, m->in, begin, end};
    matmul_rows(&range);
}

static void matmul(rtpu_sim *sim, const isa_insn *in)
{
    const int64_t *a = in->args;
    if (sim->shadow_fresh) {
        int16_t *t = sim->weights;
        sim->weights = sim->shadow;
        sim->shadow = t;
        sim->shadow_fresh = false;
        sim->packed_k = -1;
    }
    /* The packed tile is shared by both threads: made here, before they start. */
    if (sim->vnni && sim->packed_k != a[MATMUL_K]) {
        sim_mxu_pack(sim->weights, sim->n, (uint32_t)a[MATMUL_K], sim->packed, sim->colsum);
        sim->packed_k = a[MATMUL_K];
    }
    uint64_t rows = (uint64_t)a[MATMUL_OUTER] * (uint64_t)a[MATMUL_INNER];
    uint64_t macs = rows * (uint64_t)a[MATMUL_K] * (uint64_t)a[MATMUL_N];
    matmul_job job = {sim, in};
    sim_parallel_rows(rows, macs, matmul_range, &job);
}

void sim_exec_mxu(rtpu_sim *sim, const isa_insn *in)
{
    if (in->opcode == OP_LDW)
        load_weights(sim, in);
    else
        matmul(sim, in);
}
