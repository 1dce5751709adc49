/* Every hand-written program of the simulator tests (the .s files in tests/sim/programs) on the RTL,
 * on small-8 and small-16: identical data, stats and per-instruction timings to the
 * simulator's, the total cycles derived by hand in tests/sim (docs/architecture.md,
 * "Timing"), and results checked against naive loops written here. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "device_test_util.h"
#include "sim/sim_test_util.h"

/* DRAM below 0x1000 holds every program's inputs (weights, images, tables, requant
 * parameters); outputs go to 0x1000 and up. Seeded random bytes exercise every path. */
static cosim start(const char *file, const char *config, uint64_t seed)
{
    rtpu_config cfg;
    test_load_config(config, &cfg);
    cosim c;
    cosim_create(&c, test_assemble(file, &cfg));
    uint64_t size = c.program->dram_size < 0x1000 ? c.program->dram_size : 0x1000;
    int8_t *bytes = malloc(size);
    rng r;
    rng_seed(&r, seed);
    test_fill_int8(&r, bytes, size, -128, 127);
    cosim_write_dram(&c, 0, bytes, size);
    free(bytes);
    return c;
}

static void read_dram(const cosim *c, uint64_t addr, void *out, size_t size)
{
    rtpu_error err = {0};
    if (rtpu_device_read_dram(cosim_ref(c), addr, out, size, &err))
        fail_msg("%s", err.message);
}

/* ---- each program on both small configs, against the simulator ---- */

typedef struct program_case {
    const char *file;
    uint64_t cycles_small8, cycles_small16; /* by hand in tests/sim; 0 = not derived there */
} program_case;

static const program_case cases[] = {
    {"matmul_tile.s", 76, 96}, {"conv3x3.s", 548, 634}, {"compute_bound.s", 692, 0}, {"dma_bound.s", 314, 0},
    {"overlap.s", 302, 0},      {"vector_ops.s", 390, 0},  {"luts.s", 600, 0},
};

static void test_programs_match_simulator(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int k = 0; k < 2; k++) {
            cosim c = start(cases[i].file, k ? "small-16" : "small-8", 100 + i);
            cosim_run_and_compare(&c);
            uint64_t want = k ? cases[i].cycles_small16 : cases[i].cycles_small8;
            if (want && rtpu_device_stats(cosim_ref(&c))->total_cycles != want)
                fail_msg("%s on %s: %llu cycles, by hand %llu", cases[i].file, c.program->config.name,
                         (unsigned long long)rtpu_device_stats(cosim_ref(&c))->total_cycles, (unsigned long long)want);
            cosim_destroy(&c);
        }
}

/* ---- hand-checked data and timing ---- */

/* ACC rows 0..7 = X (DRAM 0x0, 8x8) times W (DRAM 0x100, row k = input channel k). */
static void test_matmul_tile_values(void **state)
{
    (void)state;
    cosim c = start("matmul_tile.s", "small-16", 7);
    cosim_run_and_compare(&c);
    int8_t x[64], w[64];
    read_dram(&c, 0x0, x, 64);
    read_dram(&c, 0x100, w, 64);
    int32_t acc[8 * 16];
    rtpu_error err = {0};
    assert_int_equal(rtpu_device_read_memory(cosim_ref(&c), RTPU_MEM_ACC, 0, 8, acc, &err), RTPU_OK);
    for (int row = 0; row < 8; row++)
        for (int col = 0; col < 16; col++) {
            int32_t want = 0;
            for (int k = 0; k < 8 && col < 8; k++)
                want += x[row * 8 + k] * w[k * 8 + col];
            assert_int_equal(acc[row * 16 + col], want);
        }
    /* small-16 timeline by hand: wb [0,28) ub [28,56) ldw [28,44) matmul [56,96) */
    const rtpu_timing *t = rtpu_device_timings(cosim_ref(&c));
    const uint64_t want[5][3] = {{0, 0, 28}, {1, 28, 56}, {2, 28, 44}, {3, 56, 96}, {4, 4, 5}};
    for (int pc = 0; pc < 5; pc++) {
        assert_int_equal(t[pc].dispatch, want[pc][0]);
        assert_int_equal(t[pc].start, want[pc][1]);
        assert_int_equal(t[pc].end, want[pc][2]);
    }
    cosim_destroy(&c);
}

/* Stalls by hand (tests/sim/test_sim_run.c): the first matmul waits 52 - 27 = 25 cycles
 * for its input token; dma_bound's vector unit waits 70 + 73 + 71 + 71 = 285, its store
 * 293. */
static void test_stalls(void **state)
{
    (void)state;
    cosim c = start("compute_bound.s", "small-8", 3);
    cosim_run_and_compare(&c);
    assert_int_equal(rtpu_device_stats(cosim_ref(&c))->units[UNIT_MXU].stall, 25);
    assert_int_equal(rtpu_device_stats(cosim_ref(&c))->units[UNIT_MXU].busy, 640);
    cosim_destroy(&c);
    c = start("dma_bound.s", "small-8", 4);
    cosim_run_and_compare(&c);
    const rtpu_stats *s = rtpu_device_stats(cosim_ref(&c));
    assert_int_equal(s->units[UNIT_LOAD].busy, 296);
    assert_int_equal(s->units[UNIT_VECTOR].busy, 13);
    assert_int_equal(s->units[UNIT_VECTOR].stall, 285);
    assert_int_equal(s->units[UNIT_VECTOR].idle, 16);
    assert_int_equal(s->units[UNIT_STORE].stall, 293);
    cosim_destroy(&c);
}

/* Double buffering: start cycles by hand (tests/sim/test_sim_run.c) and the data. */
static void test_overlap(void **state)
{
    (void)state;
    cosim c = start("overlap.s", "small-8", 5);
    cosim_run_and_compare(&c);
    const uint64_t starts[13] = {0, 74, 116, 116, 134, 158, 158, 176, 200, 200, 218, 242, 260};
    for (int pc = 0; pc < 13; pc++)
        assert_int_equal(rtpu_device_timings(cosim_ref(&c))[pc].start, starts[pc]);
    int8_t in[512], table[256], out[512];
    read_dram(&c, 0, in, sizeof in);
    read_dram(&c, 0x800, table, sizeof table);
    read_dram(&c, 0x1000, out, sizeof out);
    for (int i = 0; i < 512; i++)
        assert_int_equal(out[i], table[(uint8_t)in[i]]);
    cosim_destroy(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_programs_match_simulator),
        cmocka_unit_test(test_matmul_tile_values),
        cmocka_unit_test(test_stalls),
        cmocka_unit_test(test_overlap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
