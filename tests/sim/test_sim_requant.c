/* The AVX-512 requant kernel (sim/sim_requant_avx512.c) against im_requant, the one
 * definition (target/intmath.h), column by column: edge values of every operand (int32
 * extremes, saturating bias, negative multipliers, shifts past both clamps) and random
 * ones, on row lengths that exercise the 8-column blocks and the scalar tail. On a host
 * without AVX-512F the kernel is the scalar loop and the test still runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/rng.h"
#include "sim/sim_internal.h"
#include "target/intmath.h"

static const int32_t edges[] = {INT32_MIN, INT32_MIN + 1, -65536, -129, -128, -1, 0, 1, 127, 128, 65535,
                                INT32_MAX - 1, INT32_MAX};

static int32_t draw(rng *r, bool shift)
{
    uint64_t x = rng_next(r);
    if (shift)
        return (int32_t)(x % 101) - 50; /* clamps at 1 and 62 after + 31 */
    if (x % 3 == 0)
        return edges[(x >> 8) % (sizeof edges / sizeof edges[0])];
    return (int32_t)(uint32_t)(x >> 16);
}

static void test_requant_kernel_matches(void **state)
{
    (void)state;
    printf("AVX-512F kernel on this host: %s\n", sim_requant_avx512_usable() ? "yes" : "no (scalar loop)");
    rng r;
    rng_seed(&r, 5);
    enum { MAX_N = 67 };
    int32_t src[MAX_N], bias[MAX_N], mult[MAX_N], shift[MAX_N];
    int8_t got[MAX_N];
    uint64_t checked = 0;
    for (int trial = 0; trial < 20000; trial++) {
        uint64_t n = 1 + rng_next(&r) % MAX_N;
        for (uint64_t c = 0; c < n; c++) {
            src[c] = draw(&r, false);
            bias[c] = draw(&r, false);
            mult[c] = draw(&r, false);
            shift[c] = draw(&r, true);
        }
        sim_requant_avx512_row(src, bias, mult, shift, got, n);
        for (uint64_t c = 0; c < n; c++) {
            int8_t want = im_requant(src[c], bias[c], mult[c], shift[c]);
            if (got[c] != want)
                fail_msg("column %llu of %llu: requant(%d, %d, %d, %d) = %d, im_requant says %d",
                         (unsigned long long)c, (unsigned long long)n, src[c], bias[c], mult[c], shift[c], got[c],
                         want);
            checked++;
        }
    }
    printf("%llu columns equal\n", (unsigned long long)checked);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_requant_kernel_matches)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
