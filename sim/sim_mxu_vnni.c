/* The matmul's int8 kernel on hosts with AVX-512 VNNI (vpdpbusd: 64 int8 multiply-adds
 * per instruction into int32), chosen at run time (sim_mxu_vnni_usable); every other host
 * runs the portable loops of sim_exec_mxu.c. Both give the same bits, which the
 * simulator's data tests and the co-simulation against the RTL check on every run.
 *
 * vpdpbusd multiplies unsigned by signed bytes. Activations a are signed, so the kernel
 * feeds a + 128 (a XOR 0x80, as unsigned) and subtracts 128 * sum_k W[k][c] afterwards:
 *   sum_k (a_k + 128) W[k][c] - 128 sum_k W[k][c] = sum_k a_k W[k][c]
 * Every partial sum stays far inside int32 (|(a + 128) W| <= 255 * 128 per term, at most
 * 256 terms), so the result is exact; adding it into the accumulator wraps in uint32 as
 * the ISA defines.
 *
 * The active tile is packed once per (tile, k) into groups of four input rows, so that
 * one 32-bit lane of a vector holds W[4q..4q+3][c] for a column c: packed[(q * n + c) * 4
 * + i] = W[4q + i][c], zero for 4q + i >= k. */
#include "sim/sim_internal.h"

#include <assert.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RTPU_HAVE_X86_VNNI 1
#endif

bool sim_mxu_vnni_usable(uint32_t n)
{
#ifdef RTPU_HAVE_X86_VNNI
    if (n % 4 != 0)
        return false; /* a row is read four bytes at a time */
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vnni");
#else
    (void)n;
    return false;
#endif
}

void sim_mxu_pack(const int16_t *weights, uint32_t n, uint32_t k_used, int8_t *packed, int32_t *colsum)
{
    uint32_t quads = (k_used + 3) / 4;
    memset(packed, 0, (size_t)quads * n * 4);
    for (uint32_t c = 0; c < n; c++)
        colsum[c] = 0;
    for (uint32_t k = 0; k < k_used; k++)
        for (uint32_t c = 0; c < n; c++) {
            packed[((size_t)(k / 4) * n + c) * 4 + k % 4] = (int8_t)weights[(size_t)k * n + c];
            colsum[c] += weights[(size_t)k * n + c];
        }
}

#ifdef RTPU_HAVE_X86_VNNI
#define VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vnni")))

/* ROWS rows x BLOCKS blocks of 16 columns over the whole k loop, sums in registers (the
 * loops have constant trip counts, so they unroll and nothing spills). rows hold a + 128. */
#define VNNI_TILE(ROWS, BLOCKS)                                                                          \
    static inline VNNI_TARGET void vnni_tile_##ROWS##x##BLOCKS(const uint8_t *const *rows, const int8_t *w,    \
                                                             size_t w_step, uint32_t quads, __m512i *sums)  \
    {                                                                                                    \
        __m512i acc[ROWS][BLOCKS];                                                                       \
        for (int r = 0; r < ROWS; r++)                                                                   \
            for (int j = 0; j < BLOCKS; j++)                                                             \
                acc[r][j] = _mm512_setzero_si512();                                                      \
        for (uint32_t q = 0; q < quads; q++, w += w_step) {                                              \
            __m512i wv[BLOCKS];                                                                          \
            for (int j = 0; j < BLOCKS; j++)                                                             \
                wv[j] = _mm512_loadu_si512(w + 64 * j);                                                  \
            for (int r = 0; r < ROWS; r++) {                                                             \
                int32_t quad;                                                                            \
                memcpy(&quad, rows[r] + 4 * q, 4);                                                       \
                __m512i a = _mm512_set1_epi32(quad);                                                     \
                for (int j = 0; j < BLOCKS; j++)                                                         \
                    acc[r][j] = _mm512_dpbusd_epi32(acc[r][j], a, wv[j]);                                \
            }                                                                                            \
        }                                                                                                \
        for (int r = 0; r < ROWS; r++)                                                                   \
            for (int j = 0; j < BLOCKS; j++)                                                             \
                sums[r * 4 + j] = acc[r][j];                                                             \
    }
VNNI_TILE(4, 4)
VNNI_TILE(1, 4)
VNNI_TILE(4, 1)
VNNI_TILE(1, 1)

/* Rows [0, count) (at most SIM_VNNI_MAX_ROWS) times the packed tile, added into their
 * accumulator rows, columns [0, cols). The rows are first copied with their sign bit
 * flipped (a + 128, unsigned), once per chunk rather than once per use. Column blocks of
 * 64 are the outer loop, so one block's weights (at most 16 KiB) stay in L1 while every
 * row of the chunk passes over them. */
VNNI_TARGET void sim_mxu_vnni_rows(const int8_t *const *rows, uint32_t *const *outs, int count, const int8_t *packed,
                                   const int32_t *colsum, uint32_t n, uint32_t k_used, uint32_t cols)
{
    uint32_t quads = (k_used + 3) / 4;
    static_assert(SIM_VNNI_MAX_ROWS % 4 == 0, "rows go four at a time");
    uint8_t flipped[SIM_VNNI_MAX_ROWS][CONFIG_MAX_ARRAY];
    const uint8_t *frows[SIM_VNNI_MAX_ROWS];
    for (int r = 0; r < count; r++) {
        for (uint32_t i = 0; i < 4 * quads; i++)
            flipped[r][i] = (uint8_t)rows[r][i] ^ 0x80u;
        frows[r] = flipped[r];
    }
    size_t w_step = (size_t)n * 4;
    for (uint32_t c0 = 0; c0 < cols; c0 += 64) {
        int blocks = cols - c0 >= 64 ? 4 : (int)((cols - c0 + 15) / 16);
        __mmask16 masks[4];
        __m512i correction[4];
        for (int j = 0; j < blocks; j++) {
            uint32_t c = c0 + 16 * (uint32_t)j, lanes = cols - c < 16 ? cols - c : 16;
            masks[j] = (__mmask16)(lanes == 16 ? 0xffffu : (1u << lanes) - 1u);
            correction[j] = _mm512_slli_epi32(_mm512_maskz_loadu_epi32(masks[j], colsum + c), 7);
        }
        const int8_t *w = packed + (size_t)c0 * 4;
        for (int r0 = 0; r0 < count;) {
            int group = count - r0 >= 4 ? 4 : 1;
            __m512i sums[16];
            /* full blocks of 64 columns take the 4-block tiles; a narrower tail goes one
             * 16-column block at a time (its unused lanes are never stored) */
            for (int j0 = 0; j0 < blocks; j0 += blocks == 4 ? 4 : 1) {
                __m512i part[16];
                if (blocks == 4 && group == 4)
                    vnni_tile_4x4(frows + r0, w, w_step, quads, part);
                else if (blocks == 4)
                    vnni_tile_1x4(frows + r0, w, w_step, quads, part);
                else if (group == 4)
                    vnni_tile_4x1(frows + r0, w + 64 * j0, w_step, quads, part);
                else
                    vnni_tile_1x1(frows + r0, w + 64 * j0, w_step, quads, part);
                for (int r = 0; r < group; r++)
                    for (int j = 0; j < (blocks == 4 ? 4 : 1); j++)
                        sums[r * 4 + j0 + j] = part[r * 4 + j];
            }
            for (int r = 0; r < group; r++)
                for (int j = 0; j < blocks; j++) {
                    uint32_t *out = outs[r0 + r] + c0 + 16 * (uint32_t)j;
                    __m512i old = _mm512_maskz_loadu_epi32(masks[j], out);
                    __m512i add = _mm512_sub_epi32(sums[r * 4 + j], correction[j]);
                    _mm512_mask_storeu_epi32(out, masks[j], _mm512_add_epi32(old, add));
                }
            r0 += group;
        }
    }
}
#else
void sim_mxu_vnni_rows(const int8_t *const *rows, uint32_t *const *outs, int count, const int8_t *packed,
                       const int32_t *colsum, uint32_t n, uint32_t k_used, uint32_t cols)
{
    (void)rows, (void)outs, (void)count, (void)packed, (void)colsum, (void)n, (void)k_used, (void)cols;
}
#endif
