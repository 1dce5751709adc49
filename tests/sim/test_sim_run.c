/* The simulator on hand-written programs: exact data against naive loops written here,
 * and cycle counts derived by hand from docs/architecture.md ("Timing"), on all four
 * array sizes. Deadlocks and token underflow must be reported with the pc, not hang. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim_test_util.h"

/* Reference requantisation, written from the spec in docs/isa.md with 128-bit math. */
static int8_t ref_requant(int32_t acc, int32_t bias, int32_t mult, int32_t shift)
{
    int64_t v = (int64_t)acc + bias;
    if (v > INT32_MAX) v = INT32_MAX;
    if (v < INT32_MIN) v = INT32_MIN;
    int s = 31 + shift;
    if (s < 1) s = 1;
    if (s > 62) s = 62;
    __int128 x = (__int128)v * mult + ((__int128)1 << (s - 1));
    __int128 d = (__int128)1 << s;
    __int128 q = x / d;
    if (x % d != 0 && x < 0)
        q -= 1; /* floor */
    return (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
}

static rtpu_sim *make_sim(const rtpu_program *p)
{
    rtpu_sim *sim = NULL;
    rtpu_error err = {0};
    if (sim_create(p, &sim, &err))
        fail_msg("%s", err.message);
    return sim;
}

static void run(rtpu_sim *sim)
{
    rtpu_error err = {0};
    if (sim_run(sim, &err))
        fail_msg("%s", err.message);
}

/* ---- single matmul tile ---- */

/* Total cycles per config, by hand (formulas in docs/architecture.md):
 *   load.wb / load.ub of 8 rows x 8 bytes = latency + max(ceil(64 / bw), 8)
 *   ldw = N; matmul = rows + 2N = 8 + 2N. ldw waits for load.wb's token, matmul for
 *   load.ub's token and the end of ldw.
 * small-8  (N 8, bw 4, lat 10):   wb [0,26) ub [26,52) ldw [26,34) mm [52,76)   -> 76
 * small-16 (N 16, bw 8, lat 20):  wb [0,28) ub [28,56) ldw [28,44) mm [56,96)   -> 96
 * tpu-128  (N 128, bw 32, lat 100): wb [0,108) ub [108,216) ldw [108,236)
 *                                  mm starts at 236 (ldw end), 8 + 256 -> 500
 * tpu-v1   (N 256, bw 48, lat 100): wb [0,108) ub [108,216) ldw [108,364)
 *                                  mm [364, 364 + 8 + 512) -> 884 */
static const uint64_t matmul_tile_cycles[4] = {76, 96, 500, 884};

static void test_matmul_tile_all_sizes(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 1);
    int8_t x[64], w[64];
    test_fill_int8(&r, x, 64, -128, 127);
    test_fill_int8(&r, w, 64, -128, 127);
    for (int c = 0; c < 4; c++) {
        rtpu_config cfg;
        test_load_config(test_config_names[c], &cfg);
        rtpu_program *p = test_assemble("matmul_tile.s", &cfg);
        rtpu_sim *sim = make_sim(p);
        test_write_dram(sim, 0x0, x, 64);
        test_write_dram(sim, 0x100, w, 64);
        run(sim);
        uint32_t n = cfg.array_size;
        int32_t *acc = malloc(8 * n * sizeof *acc);
        rtpu_error err = {0};
        assert_int_equal(sim_read_memory(sim, RTPU_MEM_ACC, 0, 8, acc, &err), RTPU_OK);
        for (int row = 0; row < 8; row++)
            for (uint32_t col = 0; col < n; col++) {
                int32_t want = 0;
                for (int k = 0; k < 8 && col < 8; k++)
                    want += x[row * 8 + k] * w[k * 8 + col];
                assert_int_equal(acc[row * n + col], want);
            }
        free(acc);
        const rtpu_stats *s = sim_get_stats(sim);
        assert_int_equal(s->total_cycles, matmul_tile_cycles[c]);
        assert_int_equal(s->macs, 8 * 8 * 8);
        assert_int_equal(s->dram_bytes_read, 128);
        assert_int_equal(s->units[UNIT_MXU].busy, 8 + 2 * n);
        assert_int_equal(s->units[UNIT_WEIGHT].busy, n);
        sim_destroy(sim);
        program_destroy(p);
    }
}

/* Start and end of every instruction on small-8, by hand (see matmul_tile_cycles). */
static void test_matmul_tile_timeline(void **state)
{
    (void)state;
    rtpu_config cfg;
    test_load_config("small-8", &cfg);
    rtpu_program *p = test_assemble("matmul_tile.s", &cfg);
    rtpu_sim *sim = make_sim(p);
    run(sim);
    const rtpu_timing *t = sim_get_timings(sim);
    /* dispatch one per cycle in program order; halt dispatches at 4 and ends at 5 */
    const uint64_t want[5][3] = {{0, 0, 26}, {1, 26, 52}, {2, 26, 34}, {3, 52, 76}, {4, 4, 5}};
    for (int pc = 0; pc < 5; pc++) {
        assert_int_equal(t[pc].dispatch, want[pc][0]);
        assert_int_equal(t[pc].start, want[pc][1]);
        assert_int_equal(t[pc].end, want[pc][2]);
    }
    /* MXU utilisation = 512 MACs / (64 PEs * 76 cycles) */
    assert_true(sim_get_stats(sim)->mxu_utilisation > 512.0 / (64 * 76) - 1e-12);
    assert_true(sim_get_stats(sim)->mxu_utilisation < 512.0 / (64 * 76) + 1e-12);
    sim_destroy(sim);
    program_destroy(p);
}

/* The wide-column fast path (n a multiple of 32) with an odd row count, on tpu-128.
 * Cycles by hand (N 128, bw 32, lat 100): load.wb 32 rows x 32 bytes = 100 + max(1024/32,
 * 32) = 132 [0,132); load.ub 5 rows = 100 + max(160/32, 5) = 105 [132,237); ldw [132,260);
 * matmul 5 + 256 = 261 from 260 (ldw end) -> 521; the second matmul [521,782) -> 782. */
static void test_matmul_wide_columns(void **state)
{
    (void)state;
    const char *text = "load.wb sram=0 dram=0x1000 lines=1 rows=32 elems=32 stride=0 push=ex\n"
                       "load.ub sram=0 dram=0x0 lines=1 rows=5 elems=32 stride=0 push=ex\n"
                       "ldw wb=0 pop=ld\n"
                       "matmul acc=0 ub=0 outer=1 outer_stride=0 inner=5 inner_stride=1 k=32 n=32 pop=ld\n"
                       "matmul acc=0 ub=0 outer=1 outer_stride=0 inner=5 inner_stride=1 k=32 n=64 accumulate=1\n"
                       "halt\n";
    rtpu_config cfg;
    test_load_config("tpu-128", &cfg);
    rtpu_program *p = NULL;
    rtpu_error err = {0};
    if (asm_assemble(text, strlen(text), "wide.s", &cfg, &p, &err))
        fail_msg("%s", err.message);
    rtpu_sim *sim = make_sim(p);
    rng r;
    rng_seed(&r, 9);
    int8_t x[5 * 32], w[32 * 32];
    test_fill_int8(&r, x, sizeof x, -128, 127);
    test_fill_int8(&r, w, sizeof w, -128, 127);
    test_write_dram(sim, 0x0, x, sizeof x);
    test_write_dram(sim, 0x1000, w, sizeof w);
    run(sim);
    int32_t *acc = malloc(5 * 128 * sizeof *acc);
    assert_int_equal(sim_read_memory(sim, RTPU_MEM_ACC, 0, 5, acc, &err), RTPU_OK);
    for (int row = 0; row < 5; row++)
        for (int col = 0; col < 128; col++) {
            int32_t want = 0;
            for (int k = 0; k < 32 && col < 32; k++)
                want += x[row * 32 + k] * w[k * 32 + col];
            assert_int_equal(acc[row * 128 + col], 2 * want);
        }
    free(acc);
    assert_int_equal(sim_get_stats(sim)->total_cycles, 782);
    sim_destroy(sim);
    program_destroy(p);
}

/* ---- a whole 3x3 convolution layer: accumulate chain + requant + store ---- */

/* small-8: load.wb 72 rows = 10 + max(576/4, 72) = 154 [0,154); load.ub 4x4 padded to
 * 6x6 = 10 + max(128/4, 36) = 46 [154,200); load.acc 3 rows of 8 int32 = 10 + 96/4 = 34
 * [200,234). ldw0 [154,162). Each matmul is 16 + 2*8 = 32 cycles; matmul 0 waits for the
 * image (200) and the others follow back to back: matmul t in [200+32t, 232+32t), the
 * last ends at 488 (each ldw t >= 1 starts one cycle after matmul t-1 and takes 8).
 * requant = 2 + 16*8/8 = 18 [488,506); store 16 rows = 10 + max(128/4, 16) = 42
 * [506,548) -> 548.
 * small-16: wb 20 + max(72, 72) = 92; ub 20 + max(16, 36) = 56 [92,148); acc 20 + 12 = 32
 * [148,180); matmul = 16 + 32 = 48: [148+48t, 196+48t), last ends 580; requant 2 + 16 = 18
 * [580,598); store 20 + max(16, 16) = 36 [598,634) -> 634. */
static const uint64_t conv_cycles_small[2] = {548, 634};

static void test_conv3x3_layer(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 2);
    int8_t x[4 * 4 * 8], w[9 * 8 * 8];
    test_fill_int8(&r, x, sizeof x, -128, 127);
    test_fill_int8(&r, w, sizeof w, -128, 127);
    int32_t params[24];
    for (int c = 0; c < 8; c++) {
        params[c] = (int32_t)(rng_next(&r) % 20001) - 10000;           /* bias */
        params[8 + c] = (int32_t)(0x20000000 + rng_next(&r) % 0x5fffffff); /* multiplier */
        params[16 + c] = (int32_t)(rng_next(&r) % 9) + 5;               /* shift 5..13 */
    }
    params[8 + 7] = -params[8 + 7]; /* a negative multiplier too */
    uint8_t packed[96];
    test_pack_int32(packed, params, 24);
    /* Reference: SAME 3x3 conv, tap (dy, dx) uses weight rows (3 dy + dx) * 8 + k. */
    int8_t want[16 * 8];
    for (int y = 0; y < 4; y++)
        for (int xo = 0; xo < 4; xo++)
            for (int co = 0; co < 8; co++) {
                int32_t sum = 0;
                for (int dy = 0; dy < 3; dy++)
                    for (int dx = 0; dx < 3; dx++) {
                        int iy = y + dy - 1, ix = xo + dx - 1;
                        if (iy < 0 || iy >= 4 || ix < 0 || ix >= 4)
                            continue;
                        for (int k = 0; k < 8; k++)
                            sum += x[(iy * 4 + ix) * 8 + k] * w[((dy * 3 + dx) * 8 + k) * 8 + co];
                    }
                want[(y * 4 + xo) * 8 + co] = ref_requant(sum, params[co], params[8 + co], params[16 + co]);
            }
    int saturated = 0;
    for (int i = 0; i < 128; i++)
        saturated += want[i] == 127 || want[i] == -128;
    assert_true(saturated > 0 && saturated < 100); /* the data exercises both regimes */
    for (int c = 0; c < 4; c++) {
        rtpu_config cfg;
        test_load_config(test_config_names[c], &cfg);
        rtpu_program *p = test_assemble("conv3x3.s", &cfg);
        rtpu_sim *sim = make_sim(p);
        test_write_dram(sim, 0x0, x, sizeof x);
        test_write_dram(sim, 0x200, w, sizeof w);
        test_write_dram(sim, 0x800, packed, sizeof packed);
        run(sim);
        int8_t got[128];
        test_read_dram(sim, 0x1000, got, sizeof got);
        assert_memory_equal(got, want, sizeof want);
        const rtpu_stats *s = sim_get_stats(sim);
        uint64_t n = cfg.array_size;
        assert_int_equal(s->macs, 9 * 16 * 64);
        assert_int_equal(s->units[UNIT_MXU].busy, 9 * (16 + 2 * n));
        assert_int_equal(s->dram_bytes_written, 128);
        if (c < 2)
            assert_int_equal(s->total_cycles, conv_cycles_small[c]);
        sim_destroy(sim);
        program_destroy(p);
    }
}

/* ---- compute-bound, DMA-bound, overlap ---- */

/* small-8: wb [0,26), ub [26,52), ldw [26,34); 8 matmuls of 64 rows = 64 + 16 = 80 each,
 * back to back from 52: the last ends 52 + 8 * 80 = 692. */
static void test_compute_bound(void **state)
{
    (void)state;
    rtpu_config cfg;
    test_load_config("small-8", &cfg);
    rtpu_program *p = test_assemble("compute_bound.s", &cfg);
    rtpu_sim *sim = make_sim(p);
    rng r;
    rng_seed(&r, 3);
    int8_t x[64], w[64];
    test_fill_int8(&r, x, 64, -128, 127);
    test_fill_int8(&r, w, 64, -128, 127);
    test_write_dram(sim, 0x0, x, 64);
    test_write_dram(sim, 0x100, w, 64);
    run(sim);
    const rtpu_stats *s = sim_get_stats(sim);
    assert_int_equal(s->total_cycles, 692);
    assert_int_equal(s->units[UNIT_MXU].busy, 640);
    /* the first matmul heads the compute queue from cycle 27 (one after ldw started at
     * 26; issue is in order), the MXU is free, and the input token arrives at 52:
     * stall = 52 - 27 = 25; the other matmuls start the cycle the MXU frees up */
    assert_int_equal(s->units[UNIT_MXU].stall, 25);
    assert_int_equal(s->units[UNIT_MXU].idle, 692 - 640 - 25);
    int32_t acc[64 * 8];
    rtpu_error err = {0};
    assert_int_equal(sim_read_memory(sim, RTPU_MEM_ACC, 0, 64, acc, &err), RTPU_OK);
    for (int row = 0; row < 64; row++)
        for (int col = 0; col < 8; col++) {
            int32_t want = 0;
            for (int k = 0; k < 8; k++)
                want += x[(row % 8) * 8 + k] * w[k * 8 + col];
            assert_int_equal(acc[row * 8 + col], 8 * want); /* 8 accumulating matmuls */
        }
    sim_destroy(sim);
    program_destroy(p);
}

/* small-8: each 32-row load = 10 + max(256/4, 32) = 74, back to back: ends 74, 148, 222,
 * 296. cnop = 1 cycle on the vector unit; vadd (1 row) = 2 + 8/8 = 3; store 1 row =
 * 10 + max(8/4, 1) = 12. Instruction j dispatches at cycle j.
 *   cnop  pc 4: block 0's token at 74          -> [74, 75),   stall 74 - 4 = 70
 *   vadd0 pc 5: block 1's token at 148          -> [148, 151), stall 148 - 75 = 73
 *   vadd1 pc 6: block 2's token at 222          -> [222, 225), stall 222 - 151 = 71
 *   vadd2 pc 7: block 3's token at 296          -> [296, 299), stall 296 - 225 = 71
 *   vadd3 pc 8: no token, unit free at 299      -> [299, 302), stall 0
 *   store pc 9: vadd3's token at 302            -> [302, 314), stall 302 - 9 = 293
 * Total 314; vector busy 1 + 4 * 3 = 13, stall 285, idle 314 - 13 - 285 = 16. */
static void test_dma_bound(void **state)
{
    (void)state;
    rtpu_config cfg;
    test_load_config("small-8", &cfg);
    rtpu_program *p = test_assemble("dma_bound.s", &cfg);
    rtpu_sim *sim = make_sim(p);
    int8_t in[1024];
    for (int i = 0; i < 1024; i++)
        in[i] = (int8_t)(i % 7 - 3);
    test_write_dram(sim, 0, in, sizeof in);
    run(sim);
    const rtpu_stats *s = sim_get_stats(sim);
    assert_int_equal(s->total_cycles, 314);
    assert_int_equal(s->units[UNIT_LOAD].busy, 296);
    assert_int_equal(s->units[UNIT_LOAD].stall, 0);
    assert_int_equal(s->units[UNIT_VECTOR].busy, 13);
    assert_int_equal(s->units[UNIT_VECTOR].stall, 285);
    assert_int_equal(s->units[UNIT_VECTOR].idle, 16);
    assert_int_equal(s->units[UNIT_STORE].busy, 12);
    assert_int_equal(s->units[UNIT_STORE].stall, 293);
    /* data: row 0 of each block summed; the last add reads UB row 127 (last row of block 3) */
    int8_t out[8];
    test_read_dram(sim, 0x1000, out, 8);
    for (int e = 0; e < 8; e++) {
        int v = in[e] + in[0x100 + e];
        v = v + in[0x200 + e];
        v = v + in[0x300 + e];
        v = v + in[0x300 + 31 * 8 + e];
        assert_int_equal(out[e], v);
    }
    sim_destroy(sim);
    program_destroy(p);
}

/* small-8, 16-row blocks: load = 10 + max(128/4, 16) = 42, lut = 2 + 128/8 = 18, store =
 * 42, load.lut = 10 + 256/4 = 74. Timeline (start, end):
 *   load.lut [0,74); L0 [74,116); L1 [116,158); C0 pops L0 -> [116,134);
 *   S0 pops C0 -> [134,176); L2 pops C0's "buffer free", load unit free at 158 -> [158,200);
 *   C1 pops L1 -> [158,176); S1 pops C1, store free at 176 -> [176,218);
 *   L3 pops C1 (176), load free 200 -> [200,242); C2 pops L2 (200) and S0 (176) -> [200,218);
 *   S2 pops C2 (218) -> [218,260); C3 pops L3 (242) and S1 (218) -> [242,260);
 *   S3 pops C3 (260) -> [260,302) -> 302 cycles, against 74 + 4 * (42 + 18 + 42) = 482
 *   without overlap. */
static void test_overlap_with_tokens(void **state)
{
    (void)state;
    rtpu_config cfg;
    test_load_config("small-8", &cfg);
    rtpu_program *p = test_assemble("overlap.s", &cfg);
    rtpu_sim *sim = make_sim(p);
    int8_t in[512], table[256];
    rng r;
    rng_seed(&r, 4);
    test_fill_int8(&r, in, sizeof in, -128, 127);
    test_fill_int8(&r, table, sizeof table, -128, 127);
    test_write_dram(sim, 0, in, sizeof in);
    test_write_dram(sim, 0x800, table, sizeof table);
    run(sim);
    assert_int_equal(sim_get_stats(sim)->total_cycles, 302);
    const rtpu_timing *t = sim_get_timings(sim);
    const uint64_t starts[13] = {0, 74, 116, 116, 134, 158, 158, 176, 200, 200, 218, 242, 260};
    for (int pc = 0; pc < 13; pc++)
        assert_int_equal(t[pc].start, starts[pc]);
    int8_t out[512];
    test_read_dram(sim, 0x1000, out, sizeof out);
    for (int i = 0; i < 512; i++)
        assert_int_equal(out[i], table[(uint8_t)in[i]]);
    sim_destroy(sim);
    program_destroy(p);
}

/* ---- deadlock and token underflow ---- */

static void expect_run_error(const char *text, const char *fragment1, const char *fragment2)
{
    rtpu_config cfg;
    test_load_config("small-8", &cfg);
    rtpu_program *p = NULL;
    rtpu_error err = {0};
    if (asm_assemble(text, strlen(text), "inline.s", &cfg, &p, &err))
        fail_msg("%s", err.message);
    rtpu_sim *sim = make_sim(p);
    memset(&err, 0, sizeof err);
    assert_int_equal(sim_run(sim, &err), RTPU_ERR_RUNTIME);
    if (!strstr(err.message, fragment1) || (fragment2 && !strstr(err.message, fragment2)))
        fail_msg("message '%s' lacks '%s' / '%s'", err.message, fragment1, fragment2 ? fragment2 : "");
    sim_destroy(sim);
    program_destroy(p);
}

static void test_token_underflow(void **state)
{
    (void)state;
    /* one token pushed, two popped: the second pop waits forever */
    expect_run_error("lnop push=ex\ncnop pop=ld\ncnop pop=ld\nhalt\n", "deadlock",
                     "ex queue: pc 2 (cnop) waits for a ld->ex token");
}

static void test_circular_wait(void **state)
{
    (void)state;
    expect_run_error("lnop pop=ex push=ex\ncnop pop=ld push=ld\nhalt\n", "ld queue: pc 0 (lnop) waits for a ex->ld token",
                     "ex queue: pc 1 (cnop) waits for a ld->ex token");
}

static void test_dispatch_deadlock(void **state)
{
    (void)state;
    /* queue depth 8: the ninth snop cannot enter the store queue until the first starts,
     * which needs the token of the cnop behind it in program order */
    char text[512] = "";
    for (int i = 0; i < 9; i++)
        strcat(text, "snop pop=ex\n");
    for (int i = 0; i < 9; i++)
        strcat(text, "cnop push=st\n");
    strcat(text, "halt\n");
    expect_run_error(text, "st queue: pc 0 (snop) waits for a ex->st token", "dispatch stopped at pc 8 (snop)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matmul_tile_all_sizes), cmocka_unit_test(test_matmul_tile_timeline),
        cmocka_unit_test(test_matmul_wide_columns),
        cmocka_unit_test(test_conv3x3_layer),         cmocka_unit_test(test_compute_bound),
        cmocka_unit_test(test_dma_bound),             cmocka_unit_test(test_overlap_with_tokens),
        cmocka_unit_test(test_token_underflow),       cmocka_unit_test(test_circular_wait),
        cmocka_unit_test(test_dispatch_deadlock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
