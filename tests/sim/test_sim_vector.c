/* Every vector operation and every lookup table, against references written here from
 * the definitions in docs/isa.md, on all four array sizes, with hand-derived cycles. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim_test_util.h"

static int8_t clamp8(double x) { return (int8_t)(x < -128 ? -128 : x > 127 ? 127 : x); }
/* round half up of x / 2^s, through doubles (exact for the magnitudes used here) */
static double rshift(double x, int s) { return s == 0 ? x : floor(x / ldexp(1.0, s) + 0.5); }

static int8_t ref_requant(int32_t acc, int32_t bias, int32_t mult, int32_t shift)
{
    int64_t v = (int64_t)acc + bias;
    v = v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : v;
    int s = 31 + shift < 1 ? 1 : 31 + shift > 62 ? 62 : 31 + shift;
    __int128 x = (__int128)v * mult + ((__int128)1 << (s - 1));
    __int128 d = (__int128)1 << s, q = x / d;
    if (x % d != 0 && x < 0)
        q -= 1;
    return (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
}

static rtpu_sim *run_program(const char *file, const char *config_name, rtpu_program **program,
                             void (*fill)(rtpu_sim *, void *), void *ctx)
{
    rtpu_config cfg;
    test_load_config(config_name, &cfg);
    *program = test_assemble(file, &cfg);
    rtpu_sim *sim = NULL;
    rtpu_error err = {0};
    if (sim_create(*program, &sim, &err))
        fail_msg("%s", err.message);
    fill(sim, ctx);
    if (sim_run(sim, &err))
        fail_msg("%s", err.message);
    return sim;
}

typedef struct vector_data {
    int8_t a[32], b[32], table[256];
    int32_t acc[32], params[24];
} vector_data;

static void fill_vector(rtpu_sim *sim, void *ctx)
{
    vector_data *d = ctx;
    uint8_t packed[128];
    test_write_dram(sim, 0x0, d->a, 32);
    test_write_dram(sim, 0x20, d->b, 32);
    test_pack_int32(packed, d->acc, 32);
    test_write_dram(sim, 0x100, packed, 128);
    test_pack_int32(packed, d->params, 24);
    test_write_dram(sim, 0x200, packed, 96);
    test_write_dram(sim, 0x300, d->table, 256);
}

/* small-8 cycles by hand: load.ub 4 rows = 10 + max(32/4, 4) = 18, three of them [0,54);
 * load.acc 4 rows = 10 + 128/4 = 42 [54,96); load.acc 3 rows = 10 + 96/4 = 34 [96,130);
 * load.lut = 10 + 256/4 = 74 [130,204), its token starts the vector ops:
 * vadd, vsub, vmul, lut = 2 + 32/8 = 6 each [204,228); maxpool 1x1 out, 2x2 window =
 * 2 + 32/8 = 6 [228,234); resize to 3x3 = 2 + 9*4*8/8 = 38 [234,272); requant 4 rows = 6
 * [272,278); vadd in place = 6 [278,284); store 48 rows = 10 + max(384/4, 48) = 106
 * [284,390) -> 390. */
static void test_vector_ops(void **state)
{
    (void)state;
    vector_data d;
    rng r;
    rng_seed(&r, 11);
    test_fill_int8(&r, d.a, 32, -128, 127);
    test_fill_int8(&r, d.b, 32, -128, 127);
    test_fill_int8(&r, d.table, 256, -128, 127);
    for (int i = 0; i < 32; i++)
        d.acc[i] = (int32_t)(rng_next(&r) % 2000001) - 1000000;
    d.acc[0] = INT32_MAX; /* bias addition saturates */
    for (int c = 0; c < 8; c++) {
        d.params[c] = (int32_t)(rng_next(&r) % 2001) - 1000;
        d.params[8 + c] = (int32_t)(rng_next(&r) % 0x7fffffff);
        d.params[16 + c] = (int32_t)(rng_next(&r) % 20) - 5;
    }
    d.params[0] = 1000;
    int8_t want[48 * 8];
    memset(want, 0, sizeof want);
    for (int i = 0; i < 32; i++) {
        want[0 + i] = d.a[i];
        want[32 + i] = d.b[i];
        want[64 + i] = clamp8(rshift(d.a[i] * 3.0 - d.b[i] * 2.0, 1));
        want[96 + i] = clamp8((double)d.a[i] - d.b[i]);
        want[128 + i] = clamp8(rshift((double)d.a[i] * d.b[i] * 5, 6));
        want[160 + i] = d.table[(uint8_t)d.a[i]];
        want[320 + i] = ref_requant(d.acc[i], d.params[i % 8], d.params[8 + i % 8], d.params[16 + i % 8]);
        want[352 + i] = clamp8((double)d.a[i] + d.b[i]);
    }
    for (int c = 0; c < 8; c++) {
        int m = -128;
        for (int p = 0; p < 4; p++)
            m = d.a[p * 8 + c] > m ? d.a[p * 8 + c] : m;
        want[192 + c] = (int8_t)m;
    }
    /* resize 2x2 -> 3x3, align corners: source positions 0, 0.5, 1 on each axis */
    for (int oy = 0; oy < 3; oy++)
        for (int ox = 0; ox < 3; ox++)
            for (int c = 0; c < 8; c++) {
                double fy = oy * 0.5, fx = ox * 0.5, v = 0;
                for (int y = 0; y < 2; y++)
                    for (int x = 0; x < 2; x++)
                        v += d.a[(y * 2 + x) * 8 + c] * (y ? fy : 1 - fy) * (x ? fx : 1 - fx);
                want[(28 + oy * 3 + ox) * 8 + c] = clamp8(floor(v + 0.5));
            }
    int8_t first[48 * 8];
    for (int c = 0; c < 4; c++) {
        rtpu_program *p;
        rtpu_sim *sim = run_program("vector_ops.s", test_config_names[c], &p, fill_vector, &d);
        int8_t got[48 * 8];
        test_read_dram(sim, 0x1000, got, sizeof got);
        for (int row = 0; row < 48; row++)
            for (int e = 0; e < 8; e++)
                if (got[row * 8 + e] != want[row * 8 + e])
                    fail_msg("%s: UB row %d element %d: got %d, want %d", test_config_names[c], row, e, got[row * 8 + e],
                             want[row * 8 + e]);
        if (c == 0) {
            memcpy(first, got, sizeof got);
            assert_int_equal(sim_get_stats(sim)->total_cycles, 390);
            assert_int_equal(sim_get_stats(sim)->units[UNIT_VECTOR].busy, 6 * 4 + 6 + 38 + 6 + 6);
        }
        assert_memory_equal(first, got, sizeof got);
        sim_destroy(sim);
        program_destroy(p);
    }
}

typedef struct lut_data {
    int8_t values[256], tables[3][256];
} lut_data;

static void fill_luts(rtpu_sim *sim, void *ctx)
{
    lut_data *d = ctx;
    test_write_dram(sim, 0x0, d->values, 256);
    for (int t = 0; t < 3; t++)
        test_write_dram(sim, 0x400 + 0x100 * (uint64_t)t, d->tables[t], 256);
}

/* small-8: three load.lut = 74 each [0,222); load.ub 32 rows = 10 + max(256/4, 32) = 74
 * [222,296); three lut of 32 rows = 2 + 256/8 = 34 each [296,398); store 3 lines x 32 rows
 * = 10 + max(768/4, 96) = 202 [398,600) -> 600. */
static void test_every_lut(void **state)
{
    (void)state;
    lut_data d;
    /* elu, sigmoid and tanh tables as the compiler builds them: input scale 1/16, output
     * scales 1/32 (elu), 1/128 (sigmoid), 1/127 (tanh); index = the int8 bit pattern */
    for (int i = 0; i < 256; i++) {
        d.values[i] = (int8_t)(i - 128);
        double x = (int8_t)i / 16.0;
        d.tables[0][i] = clamp8(round((x > 0 ? x : expm1(x)) * 32));
        d.tables[1][i] = clamp8(round(128 / (1 + exp(-x))));
        d.tables[2][i] = clamp8(round(127 * tanh(x)));
    }
    for (int c = 0; c < 4; c++) {
        rtpu_program *p;
        rtpu_sim *sim = run_program("luts.s", test_config_names[c], &p, fill_luts, &d);
        int8_t got[3][256];
        test_read_dram(sim, 0x1000, got, sizeof got);
        for (int t = 0; t < 3; t++)
            for (int i = 0; i < 256; i++) {
                double x = d.values[i] / 16.0;
                double f = t == 0 ? (x > 0 ? x * 32 : expm1(x) * 32) : t == 1 ? 128 / (1 + exp(-x)) : 127 * tanh(x);
                assert_int_equal(got[t][i], clamp8(round(f)));
            }
        if (c == 0)
            assert_int_equal(sim_get_stats(sim)->total_cycles, 600);
        sim_destroy(sim);
        program_destroy(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_vector_ops), cmocka_unit_test(test_every_lut)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
