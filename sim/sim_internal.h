/* Simulator internals shared by sim.c (scheduling), sim_exec_*.c (data) and the
 * readers. Not part of the public API. */
#ifndef RTPU_SIM_SIM_INTERNAL_H
#define RTPU_SIM_SIM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/sim.h"

struct rtpu_sim {
    const rtpu_program *program;
    uint32_t n;              /* array size */
    uint8_t *dram;           /* program->dram_size bytes */
    int8_t *ub;              /* ub_rows * n */
    int8_t *wb;              /* wb_rows * n */
    int32_t *acc;            /* acc_rows * n */
    int8_t *lut;             /* lut_tables * 256 */
    int16_t *weights;        /* the active stationary tile, n * n, row k = input k */
    int16_t *shadow;         /* the tile the last ldw loaded */
    bool shadow_fresh;       /* the next matmul swaps the shadow tile in */
    bool vnni;               /* the host runs sim_mxu_vnni_rows (decided at sim_create) */
    bool requant_avx512;     /* the host runs sim_requant_avx512_row (likewise) */
    int8_t *packed;          /* the active tile packed for it (sim_mxu_pack), n * n + 64 bytes */
    int32_t *colsum;         /* its column sums, n */
    int64_t packed_k;        /* the k it was packed for; -1 when stale */
    rtpu_timing *timings;     /* per instruction */
    rtpu_stats stats;
};

/* Data effect of one instruction, applied when it starts (the program's tokens order
 * every conflicting access, so this equals sequential semantics). */
void sim_exec_dma(rtpu_sim *sim, const isa_insn *insn);
void sim_exec_mxu(rtpu_sim *sim, const isa_insn *insn);
void sim_exec_vector(rtpu_sim *sim, const isa_insn *insn);

/* fn(ctx, begin, end) over rows [0, rows), on two threads when `work` is large enough
 * (sim_parallel.c); rows must be independent. */
typedef void (*sim_rows_fn)(void *ctx, uint64_t begin, uint64_t end);
void sim_parallel_rows(uint64_t rows, uint64_t work, sim_rows_fn fn, void *ctx);

/* requant of one row with AVX-512F (sim_requant_avx512.c); the same bits as im_requant. */
bool sim_requant_avx512_usable(void);
void sim_requant_avx512_row(const int32_t *src, const int32_t *bias, const int32_t *mult, const int32_t *shift,
                            int8_t *dst, uint64_t n);

/* The AVX-512 VNNI matmul kernel (sim_mxu_vnni.c): usable on this host for arrays of n? */
bool sim_mxu_vnni_usable(uint32_t n);
/* Packs the first k_used rows of an n x n tile (row k = input k) for the kernel. */
void sim_mxu_pack(const int16_t *weights, uint32_t n, uint32_t k_used, int8_t *packed, int32_t *colsum);
/* Adds rows[r] x tile into outs[r] (columns < cols) for r < count <= SIM_VNNI_MAX_ROWS. */
enum { SIM_VNNI_MAX_ROWS = 64 };
void sim_mxu_vnni_rows(const int8_t *const *rows, uint32_t *const *outs, int count, const int8_t *packed,
                       const int32_t *colsum, uint32_t n, uint32_t k_used, uint32_t cols);

#endif
