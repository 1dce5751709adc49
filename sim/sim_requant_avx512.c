/* requant on hosts with AVX-512F, chosen at run time like the VNNI matmul kernel (every
 * other host, and RTPU_SIM_PORTABLE=1, keep the scalar im_requant loop). GCC does not
 * vectorise im_requant's mixed 32/64-bit arithmetic, and requant was a third of the
 * simulator's time on a matmul-bound program (docs/PERFORMANCE.md, "Simulator").
 *
 * Eight columns per step, in 64-bit lanes, the same operations as target/intmath.h in the
 * same order, so the bits are the same: v = clamp(acc + bias) to int32; the product
 * v * mult is exact in 64 bits (|v|, |mult| < 2^31); s = clamp(31 + shift, 1, 62); adding
 * 2^(s-1) cannot overflow (|v * mult| <= 2^62); an arithmetic shift right is floor
 * division, which is im_round_shift's definition; then clamp to int8. The simulator's
 * data tests, test_sim_requant (every column against im_requant on edge values) and the
 * co-simulation against the RTL check it. */
#include "sim/sim_internal.h"
#include "target/intmath.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RTPU_HAVE_X86_AVX512 1
#endif

bool sim_requant_avx512_usable(void)
{
#ifdef RTPU_HAVE_X86_AVX512
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
#else
    return false;
#endif
}

#ifdef RTPU_HAVE_X86_AVX512
__attribute__((target("avx512f"))) void sim_requant_avx512_row(const int32_t *src, const int32_t *bias,
                                                                const int32_t *mult, const int32_t *shift,
                                                                int8_t *dst, uint64_t n)
{
    const __m512i lo32 = _mm512_set1_epi64(INT32_MIN), hi32 = _mm512_set1_epi64(INT32_MAX);
    const __m512i lo8 = _mm512_set1_epi64(-128), hi8 = _mm512_set1_epi64(127);
    const __m512i s_min = _mm512_set1_epi64(IM_REQUANT_SHIFT_MIN), s_max = _mm512_set1_epi64(IM_REQUANT_SHIFT_MAX);
    const __m512i one = _mm512_set1_epi64(1), base = _mm512_set1_epi64(31);
    uint64_t c = 0;
    for (; c + 8 <= n; c += 8) {
        __m512i a = _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)(src + c)));
        __m512i b = _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)(bias + c)));
        __m512i m = _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)(mult + c)));
        __m512i sh = _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)(shift + c)));
        __m512i v = _mm512_min_epi64(_mm512_max_epi64(_mm512_add_epi64(a, b), lo32), hi32);
        __m512i p = _mm512_mul_epi32(v, m); /* low 32 bits of each lane, signed: exact */
        __m512i s = _mm512_min_epi64(_mm512_max_epi64(_mm512_add_epi64(sh, base), s_min), s_max);
        __m512i round = _mm512_sllv_epi64(one, _mm512_sub_epi64(s, one));
        __m512i q = _mm512_srav_epi64(_mm512_add_epi64(p, round), s);
        q = _mm512_min_epi64(_mm512_max_epi64(q, lo8), hi8);
        _mm_storel_epi64((__m128i *)(dst + c), _mm512_cvtepi64_epi8(q));
    }
    for (; c < n; c++)
        dst[c] = im_requant(src[c], bias[c], mult[c], shift[c]);
}
#else
void sim_requant_avx512_row(const int32_t *src, const int32_t *bias, const int32_t *mult, const int32_t *shift,
                            int8_t *dst, uint64_t n)
{
    for (uint64_t c = 0; c < n; c++)
        dst[c] = im_requant(src[c], bias[c], mult[c], shift[c]);
}
#endif
