/* ISA v2's new vector instructions, dwconv and vsum, on the simulator: data against naive
 * loops written here from docs/isa.md, and every instruction's cycles derived by hand
 * from docs/architecture.md's duration table, on three array sizes. (The RTL is held to
 * the same bits and cycles by tests/runtime's random co-simulation.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim_test_util.h"
#include "target/asm.h"

enum { H = 4, W = 5, PW = W + 2, PH = H + 2, WTS_ROW = 64, WTS_DRAM = 4096 };

/* The program: a 4x5 image loaded with one pixel of zero padding on every side (6 lines
 * of 7 rows at UB 0), 3x3 weights at UB 64; two stride-2 output lines, a 1x3 tap line
 * accumulated onto the first, and three sums (plain over all 42 rows; squared over the
 * even rows, then the odd rows accumulated onto it). */
static rtpu_program *assemble(const rtpu_config *cfg)
{
    unsigned n = cfg->array_size;
    char text[2048];
    snprintf(text, sizeof text,
             "load.ub sram=0 dram=0 lines=%d rows=%d elems=%u stride=%u pad_top=1 pad_bottom=1 pad_left=1 "
             "pad_right=1 push=ex\n"
             "load.ub sram=%d dram=%d lines=1 rows=9 elems=%u stride=%u push=ex\n"
             "cnop pop=ld\n"
             "dwconv acc=0 src=0 wts=%d out_w=3 stride=2 kh=3 kw=3 line_stride=%d accumulate=0 pop=ld\n"
             "dwconv acc=3 src=%d wts=%d out_w=3 stride=2 kh=3 kw=3 line_stride=%d accumulate=0\n"
             "dwconv acc=0 src=%d wts=%d out_w=3 stride=2 kh=1 kw=3 line_stride=0 accumulate=1\n"
             "vsum acc=10 src=0 rows=%d stride=1 square=0 accumulate=0\n"
             "vsum acc=11 src=0 rows=%d stride=2 square=1 accumulate=0\n"
             "vsum acc=11 src=1 rows=%d stride=2 square=1 accumulate=1\n"
             "halt\n",
             H, W, n, W * n, WTS_ROW, WTS_DRAM, n, 9 * n, WTS_ROW, PW, 2 * PW, WTS_ROW, PW, PW, WTS_ROW + 3,
             PH * PW, PH * PW / 2, PH * PW / 2);
    rtpu_program *p = NULL;
    rtpu_error err = {0};
    if (asm_assemble(text, strlen(text), "v2.s", cfg, &p, &err))
        fail_msg("%s", err.message);
    return p;
}

/* The padded image's value at (line y, row x), column c. */
static int8_t padded(const int8_t *img, unsigned n, int y, int x, unsigned c)
{
    if (y < 1 || y > H || x < 1 || x > W)
        return 0;
    return img[((size_t)(y - 1) * W + (size_t)(x - 1)) * n + c];
}

static void check(const char *config, const uint64_t *ends, uint64_t total)
{
    rtpu_config cfg;
    test_load_config(config, &cfg);
    unsigned n = cfg.array_size;
    rtpu_program *p = assemble(&cfg);
    rtpu_sim *sim = NULL;
    rtpu_error err = {0};
    if (sim_create(p, &sim, &err))
        fail_msg("%s", err.message);
    rng r;
    rng_seed(&r, n);
    int8_t *img = malloc((size_t)H * W * n), *w = malloc(9 * (size_t)n);
    test_fill_int8(&r, img, (size_t)H * W * n, -128, 127);
    test_fill_int8(&r, w, 9 * (size_t)n, -128, 127);
    img[0] = -128; /* (-128)^2 is the largest square */
    test_write_dram(sim, 0, img, (size_t)H * W * n);
    test_write_dram(sim, WTS_DRAM, w, 9 * (size_t)n);
    if (sim_run(sim, &err))
        fail_msg("%s", err.message);

    int32_t *acc = malloc(12 * (size_t)n * sizeof *acc);
    if (sim_read_memory(sim, RTPU_MEM_ACC, 0, 12, acc, &err))
        fail_msg("%s", err.message);
    for (unsigned c = 0; c < n; c++) {
        /* output lines 0 and 1 (input lines 0 and 2), stride 2, taps (dy, dx) */
        for (int line = 0; line < 2; line++)
            for (int ox = 0; ox < 3; ox++) {
                int64_t want = 0;
                for (int dy = 0; dy < 3; dy++)
                    for (int dx = 0; dx < 3; dx++)
                        want += padded(img, n, 2 * line + dy, 2 * ox + dx, c) * w[(size_t)(dy * 3 + dx) * n + c];
                if (line == 0) /* the 1x3 line of taps 3..5 over padded line 1, accumulated */
                    for (int dx = 0; dx < 3; dx++)
                        want += padded(img, n, 1, 2 * ox + dx, c) * w[(size_t)(3 + dx) * n + c];
                assert_int_equal(acc[(size_t)(3 * line + ox) * n + c], want);
            }
        int64_t sum = 0, squares = 0;
        for (int y = 0; y < PH; y++)
            for (int x = 0; x < PW; x++) {
                sum += padded(img, n, y, x, c);
                squares += padded(img, n, y, x, c) * padded(img, n, y, x, c);
            }
        assert_int_equal(acc[10 * (size_t)n + c], sum);
        assert_int_equal(acc[11 * (size_t)n + c], squares);
    }
    const rtpu_timing *t = sim_get_timings(sim);
    for (size_t pc = 0; pc + 1 < p->insn_count; pc++)
        if (t[pc].end != ends[pc])
            fail_msg("%s: pc %zu ends at %llu, expected %llu", config, pc, (unsigned long long)t[pc].end,
                     (unsigned long long)ends[pc]);
    assert_int_equal(sim_get_stats(sim)->total_cycles, total);
    free(acc);
    free(img);
    free(w);
    sim_destroy(sim);
    program_destroy(p);
}

static void test_v2_small8(void **state)
{
    (void)state;
    /* small-8: N 8, bw 4, lat 10, lanes 8, pipe 2.
     * load.ub image: 4 x 5 x 8 = 160 B / 4 = 40; 6 x 7 = 42 rows -> 10 + 42 = 52   [0, 52)
     * load.ub weights: 72 B / 4 = 18; 9 rows -> 10 + 18 = 28                      [52, 80)
     * cnop pops the first token (52): 1                                            [52, 53)
     * dwconv 3 outputs x kh 3: 2 + ceil(3 * 3 * 8 / 8) = 11, pops the second (80)  [80, 91)
     * dwconv again                                                                 [91, 102)
     * dwconv kh 1: 2 + ceil(3 * 1 * 8 / 8) = 5                                     [102, 107)
     * vsum 42 rows: 2 + 42 = 44                                                    [107, 151)
     * vsum 21 rows: 2 + 21 = 23, twice                                    [151, 174), [174, 197) */
    const uint64_t ends[] = {52, 80, 53, 91, 102, 107, 151, 174, 197};
    check("small-8", ends, 197);
}

static void test_v2_small16(void **state)
{
    (void)state;
    /* small-16: N 16, bw 8, lat 20, lanes 16, pipe 2.
     * load.ub image: 320 B / 8 = 40; 42 rows -> 20 + 42 = 62                     [0, 62)
     * load.ub weights: 144 B / 8 = 18; 9 rows -> 20 + 18 = 38                     [62, 100)
     * cnop at the first token                                                     [62, 63)
     * dwconv: 2 + ceil(9 * 16 / 16) = 11                                 [100, 111), [111, 122)
     * dwconv kh 1: 2 + 3 = 5                                                      [122, 127)
     * vsum 42 rows: 44; 21 rows: 23, twice                    [127, 171), [171, 194), [194, 217) */
    const uint64_t ends[] = {62, 100, 63, 111, 122, 127, 171, 194, 217};
    check("small-16", ends, 217);
}

static void test_v2_tpu128(void **state)
{
    (void)state;
    /* tpu-128: N 128, bw 32, lat 100, lanes 128, pipe 4.
     * load.ub image: 2560 B / 32 = 80 > 42 rows -> 100 + 80 = 180                 [0, 180)
     * load.ub weights: 1152 B / 32 = 36 > 9 rows -> 100 + 36 = 136                [180, 316)
     * cnop at the first token                                                     [180, 181)
     * dwconv: 4 + ceil(9 * 128 / 128) = 13                               [316, 329), [329, 342)
     * dwconv kh 1: 4 + 3 = 7                                                      [342, 349)
     * vsum 42 rows: 46; 21 rows: 25, twice                    [349, 395), [395, 420), [420, 445) */
    const uint64_t ends[] = {180, 316, 181, 329, 342, 349, 395, 420, 445};
    check("tpu-128", ends, 445);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v2_small8),
        cmocka_unit_test(test_v2_small16),
        cmocka_unit_test(test_v2_tpu128),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
