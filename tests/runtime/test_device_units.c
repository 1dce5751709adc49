/* The RTL's units one at a time, through tiny programs: the PE array (masks, accumulate,
 * double-buffered weights), the vector unit (every operation against naive loops, the
 * lane counter with lanes < N), the queues (dispatch depth, in-order issue, tokens,
 * deadlock reports) and the device interface's bad inputs. Values and cycle counts are
 * computed here; every run goes through the device API on every backend of the build
 * (the simulator, and the RTL when built), and the backends are compared. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "device_test_util.h"
#include "target/asm.h"
#include "sim/sim_test_util.h"

static rtpu_config config_with(const char *name, uint32_t lanes, uint32_t pipe, uint32_t depth)
{
    rtpu_config c;
    test_load_config(name, &c);
    if (lanes)
        c.vector_lanes = lanes;
    c.vector_pipeline_cycles = pipe;
    if (depth)
        c.queue_depth = depth;
    return c;
}

static cosim assemble(const char *text, const rtpu_config *cfg)
{
    rtpu_program *p = NULL;
    rtpu_error err = {0};
    if (asm_assemble(text, strlen(text), "unit.s", cfg, &p, &err))
        fail_msg("%s", err.message);
    cosim c;
    cosim_create(&c, p);
    return c;
}

static void rtl_rows(const cosim *c, rtpu_memory m, uint64_t row, uint64_t count, void *out)
{
    rtpu_error err = {0};
    if (rtpu_device_read_memory(cosim_ref(c), m, row, count, out, &err))
        fail_msg("%s", err.message);
}

static int8_t sat8(int64_t x) { return (int8_t)(x < -128 ? -128 : x > 127 ? 127 : x); }
static int64_t round_shift(int64_t x, int s)
{
    if (s == 0)
        return x;
    __int128 y = (__int128)x + ((__int128)1 << (s - 1));
    __int128 d = (__int128)1 << s;
    __int128 q = y / d;
    if (y % d != 0 && y < 0)
        q -= 1;
    return (int64_t)q;
}

/* ---- PE array ---- */

/* 16x16: X is 6 rows of 16 at DRAM 0, W0 and W1 two tiles at 0x100 and 0x200, ACC rows
 * 0..5 preloaded with 1000 + i from 0x400. matmul 1 (k 5, n 7, accumulate) uses W0;
 * ldw W1 overlaps it (shadow only); matmul 2 (k 16, n 16, rows 1, 3, 5 via a stride of 2)
 * uses W1. Cycles by hand (bw 8, lat 20): load.wb 16 rows of 16 = 20 + 32 = 52 [0,52),
 * second [52,104), load.ub 6 rows = 20 + 12 = 32 [104,136), load.acc 6 rows of 16 int32
 * = 20 + 48 = 68 [136,204); ldw0 [52,68); matmul 1 pops the last token: [204, 204 + 6 +
 * 32 = 242); ldw1 follows matmul 1 in program order and overlaps it: [205,221); matmul 2 [242, 242 + 3 + 32 = 277) -> 277. */
static void test_array_masks_accumulate_double_buffer(void **state)
{
    (void)state;
    rtpu_config cfg = config_with("small-16", 0, 2, 0);
    cosim c = assemble("load.wb sram=0 dram=0x100 lines=1 rows=16 elems=16 stride=0 push=ex\n"
                       "load.wb sram=16 dram=0x200 lines=1 rows=16 elems=16 stride=0\n"
                       "load.ub sram=0 dram=0x0 lines=1 rows=6 elems=16 stride=0\n"
                       "load.acc sram=0 dram=0x400 lines=1 rows=6 elems=16 stride=0 push=ex\n"
                       "ldw wb=0 pop=ld\n"
                       "matmul acc=0 ub=0 outer=1 outer_stride=0 inner=6 inner_stride=1 k=5 n=7 accumulate=1 pop=ld\n"
                       "ldw wb=16\n"
                       "matmul acc=8 ub=1 outer=3 outer_stride=2 inner=1 inner_stride=0 k=16 n=16 accumulate=0\n"
                       "halt\n",
                       &cfg);
    rng r;
    rng_seed(&r, 21);
    int8_t x[96], w[2][256];
    test_fill_int8(&r, x, sizeof x, -128, 127);
    test_fill_int8(&r, w[0], 256, -128, 127);
    test_fill_int8(&r, w[1], 256, -128, 127);
    int32_t acc0[96];
    for (int i = 0; i < 96; i++)
        acc0[i] = 1000 + i;
    uint8_t packed[384];
    test_pack_int32(packed, acc0, 96);
    cosim_write_dram(&c, 0x0, x, sizeof x);
    cosim_write_dram(&c, 0x100, w[0], 256);
    cosim_write_dram(&c, 0x200, w[1], 256);
    cosim_write_dram(&c, 0x400, packed, sizeof packed);
    cosim_run_and_compare(&c);
    int32_t got[14 * 16];
    rtl_rows(&c, RTPU_MEM_ACC, 0, 14, got);
    for (int row = 0; row < 6; row++)
        for (int col = 0; col < 16; col++) {
            int32_t want = acc0[row * 16 + col];
            if (col < 7)
                for (int k = 0; k < 5; k++)
                    want += x[row * 16 + k] * w[0][k * 16 + col];
            assert_int_equal(got[row * 16 + col], want);
        }
    for (int i = 0; i < 3; i++)
        for (int col = 0; col < 16; col++) {
            int32_t want = 0;
            for (int k = 0; k < 16; k++)
                want += x[(1 + 2 * i) * 16 + k] * w[1][k * 16 + col];
            assert_int_equal(got[(8 + i) * 16 + col], want);
        }
    const rtpu_timing *t = rtpu_device_timings(cosim_ref(&c));
    assert_int_equal(t[5].start, 204);
    assert_int_equal(t[5].end, 242);
    assert_int_equal(t[6].start, 205);
    assert_int_equal(t[7].start, 242);
    assert_int_equal(rtpu_device_stats(cosim_ref(&c))->total_cycles, 277);
    assert_int_equal(rtpu_device_stats(cosim_ref(&c))->macs, 6 * 5 * 7 + 3 * 16 * 16);
    cosim_destroy(&c);
}

/* ---- vector unit ---- */

/* Every vector operation on 8x8 with 3 lanes and a 1-cycle pipeline, so each takes
 * 1 + ceil(elements / 3) cycles. Inputs: A rows 0..3 and B rows 4..7 (DRAM 0x0 and 0x20),
 * ACC rows 0..3 and requant parameters 8..10 (0x100, 0x200), table 0 (0x300). */
static void test_vector_ops(void **state)
{
    (void)state;
    rtpu_config cfg = config_with("small-8", 3, 1, 0);
    cosim c = assemble("load.ub sram=0 dram=0x0 lines=1 rows=8 elems=8 stride=0\n"
                       "load.acc sram=0 dram=0x100 lines=1 rows=4 elems=8 stride=0\n"
                       "load.acc sram=8 dram=0x200 lines=1 rows=3 elems=8 stride=0\n"
                       "load.lut table=0 dram=0x300 push=ex\n"
                       "vadd a=0 b=4 dst=8 rows=4 mul_a=300 mul_b=-7 shift=5 pop=ld\n"
                       "vsub a=0 b=4 dst=12 rows=4 mul_a=-1 mul_b=2 shift=0\n"
                       "vmul a=0 b=4 dst=16 rows=4 mul=-3 shift=3\n"
                       "lut src=0 dst=20 rows=4 table=0\n"
                       "maxpool src=0 dst=24 in_h=2 in_w=4 out_h=2 out_w=2 kernel_h=2 kernel_w=3 stride=2 pad_top=1 pad_left=1\n"
                       "resize src=0 dst=28 in_h=2 in_w=4 out_h=3 out_w=5\n"
                       "requant acc=0 ub=44 rows=4 param=8\n"
                       "halt\n",
                       &cfg);
    rng r;
    rng_seed(&r, 22);
    int8_t ub[64], table[256];
    test_fill_int8(&r, ub, sizeof ub, -128, 127);
    test_fill_int8(&r, table, sizeof table, -128, 127);
    int32_t acc[32], params[24];
    for (int i = 0; i < 32; i++)
        acc[i] = (int32_t)(rng_next(&r) % 2000001) - 1000000;
    for (int ch = 0; ch < 8; ch++) {
        params[ch] = (int32_t)(rng_next(&r) % 20001) - 10000;
        params[8 + ch] = (int32_t)(0x10000000 + rng_next(&r) % 0x6fffffff) * (ch % 3 == 0 ? -1 : 1);
        params[16 + ch] = (int32_t)(rng_next(&r) % 12) - 14; /* s = 17..28 */
    }
    uint8_t packed_acc[128], packed_params[96];
    test_pack_int32(packed_acc, acc, 32);
    test_pack_int32(packed_params, params, 24);
    cosim_write_dram(&c, 0x0, ub, sizeof ub);
    cosim_write_dram(&c, 0x100, packed_acc, sizeof packed_acc);
    cosim_write_dram(&c, 0x200, packed_params, sizeof packed_params);
    cosim_write_dram(&c, 0x300, table, sizeof table);
    cosim_run_and_compare(&c);
    int8_t got[48 * 8];
    rtl_rows(&c, RTPU_MEM_UB, 0, 48, got);
    const int8_t *a = ub, *b = ub + 32;
    for (int i = 0; i < 32; i++) {
        assert_int_equal(got[64 + i], sat8(round_shift((int64_t)a[i] * 300 + (int64_t)b[i] * -7, 5)));
        assert_int_equal(got[96 + i], sat8(-a[i] - 2 * b[i]));
        assert_int_equal(got[128 + i], sat8(round_shift((int64_t)a[i] * b[i] * -3, 3)));
        assert_int_equal(got[160 + i], table[(uint8_t)a[i]]);
    }
    /* maxpool: image 2x4 of rows 0..7, windows 2x3 from (2oy - 1, 2ox - 1) */
    for (int oy = 0; oy < 2; oy++)
        for (int ox = 0; ox < 2; ox++)
            for (int ch = 0; ch < 8; ch++) {
                int best = -129;
                for (int dy = 0; dy < 2; dy++)
                    for (int dx = 0; dx < 3; dx++) {
                        int iy = 2 * oy - 1 + dy, ix = 2 * ox - 1 + dx;
                        if (iy >= 0 && iy < 2 && ix >= 0 && ix < 4 && ub[(iy * 4 + ix) * 8 + ch] > best)
                            best = ub[(iy * 4 + ix) * 8 + ch];
                    }
                assert_int_equal(got[(24 + oy * 2 + ox) * 8 + ch], best);
            }
    /* resize 2x4 -> 3x5, align corners, Q8 weights, in doubles then rounded as Q16 */
    for (int oy = 0; oy < 3; oy++)
        for (int ox = 0; ox < 5; ox++) {
            int py = oy * 1 * 256 / 2, px = ox * 3 * 256 / 4;
            int y0 = py >> 8, x0 = px >> 8, fy = py & 255, fx = px & 255;
            int y1 = y0 + 1 < 2 ? y0 + 1 : 1, x1 = x0 + 1 < 4 ? x0 + 1 : 3;
            for (int ch = 0; ch < 8; ch++) {
                int64_t v = (int64_t)ub[(y0 * 4 + x0) * 8 + ch] * (256 - fx) * (256 - fy) +
                            (int64_t)ub[(y0 * 4 + x1) * 8 + ch] * fx * (256 - fy) +
                            (int64_t)ub[(y1 * 4 + x0) * 8 + ch] * (256 - fx) * fy +
                            (int64_t)ub[(y1 * 4 + x1) * 8 + ch] * fx * fy;
                assert_int_equal(got[(28 + oy * 5 + ox) * 8 + ch], sat8(round_shift(v, 16)));
            }
        }
    for (int row = 0; row < 4; row++)
        for (int ch = 0; ch < 8; ch++) {
            int64_t v = (int64_t)acc[row * 8 + ch] + params[ch];
            int s = 31 + params[16 + ch];
            assert_int_equal(got[(44 + row) * 8 + ch], sat8(round_shift(v * params[8 + ch], s)));
        }
    /* durations: 1 + ceil(elements / 3) */
    const rtpu_timing *t = rtpu_device_timings(cosim_ref(&c));
    const uint64_t elements[7] = {32, 32, 32, 32, 2 * 2 * 6 * 8, 15 * 4 * 8, 32};
    for (int i = 0; i < 7; i++)
        assert_int_equal(t[4 + i].end - t[4 + i].start, 1 + (elements[i] + 2) / 3);
    cosim_destroy(&c);
}

/* ---- queues and tokens ---- */

/* Queue depth 2 on small-8: five 8-row loads (L = 10 + max(16, 8) = 26 cycles each) and a
 * cnop. Dispatch: d0 0, d1 1, d2 = max(2, s0 + 1 = 1) = 2, d3 = s1 + 1 = 27,
 * d4 = s2 + 1 = 53; the cnop behind them in program order dispatches at 54 and starts
 * there (its queue is empty), although the compute unit was free all along. */
static void test_dispatch_depth(void **state)
{
    (void)state;
    rtpu_config cfg = config_with("small-8", 0, 2, 2);
    char text[1024] = "";
    for (int i = 0; i < 5; i++)
        strcat(text, "load.ub sram=0 dram=0x0 lines=1 rows=8 elems=8 stride=0\n");
    strcat(text, "cnop\nhalt\n");
    cosim c = assemble(text, &cfg);
    cosim_run_and_compare(&c);
    const rtpu_timing *t = rtpu_device_timings(cosim_ref(&c));
    const uint64_t dispatch[6] = {0, 1, 2, 27, 53, 54};
    for (int pc = 0; pc < 6; pc++) {
        assert_int_equal(t[pc].dispatch, dispatch[pc]);
        if (pc < 5)
            assert_int_equal(t[pc].start, 26 * (uint64_t)pc);
    }
    assert_int_equal(t[5].start, 54);
    assert_int_equal(rtpu_device_stats(cosim_ref(&c))->total_cycles, 130);
    cosim_destroy(&c);
}

/* Tokens between all three queues: store waits for compute, which waits for the load;
 * the second load waits for the store through compute (ex relays st->ex to ex->ld). */
static void test_token_chain(void **state)
{
    (void)state;
    rtpu_config cfg = config_with("small-8", 0, 2, 0);
    cosim c = assemble("load.ub sram=0 dram=0x0 lines=1 rows=2 elems=8 stride=0 push=ex\n"
                       "cnop pop=ld push=st\n"
                       "store sram=0 dram=0x100 lines=1 rows=2 elems=8 stride=0 sram_stride=0 pop=ex push=ex\n"
                       "cnop pop=st push=ld\n"
                       "load.ub sram=0 dram=0x40 lines=1 rows=2 elems=8 stride=0 pop=ex\n"
                       "halt\n",
                       &cfg);
    cosim_run_and_compare(&c);
    /* load 10 + max(4, 2) = 14 [0,14); cnop [14,15); store 14 [15,29); cnop [29,30);
     * load [30,44) */
    const rtpu_timing *t = rtpu_device_timings(cosim_ref(&c));
    const uint64_t starts[5] = {0, 14, 15, 29, 30};
    for (int pc = 0; pc < 5; pc++)
        assert_int_equal(t[pc].start, starts[pc]);
    assert_int_equal(rtpu_device_stats(cosim_ref(&c))->total_cycles, 44);
    cosim_destroy(&c);
}

/* Runs the program on every backend and expects the same deadlock message from each. */
static void expect_deadlock(const char *text, const char *fragment1, const char *fragment2)
{
    rtpu_config cfg = config_with("small-8", 0, 2, 0);
    cosim c = assemble(text, &cfg);
    rtpu_error err = {0};
    for (int k = 0; k < c.count; k++) {
        assert_int_equal(rtpu_device_run(c.dev[k], NULL, &err), RTPU_ERR_RUNTIME);
        if (!strstr(err.message, fragment1) || (fragment2 && !strstr(err.message, fragment2)))
            fail_msg("%s: message '%s' lacks '%s' / '%s'", rtpu_device_backend(c.dev[k])->name, err.message, fragment1,
                     fragment2 ? fragment2 : "");
    }
    cosim_destroy(&c);
}

static void test_deadlocks(void **state)
{
    (void)state;
    expect_deadlock("lnop push=ex\ncnop pop=ld\ncnop pop=ld\nhalt\n", "deadlock",
                    "ex queue: pc 2 (cnop) waits for a ld->ex token");
    expect_deadlock("lnop pop=ex push=ex\ncnop pop=ld push=ld\nhalt\n", "ld queue: pc 0 (lnop) waits for a ex->ld token",
                    "ex queue: pc 1 (cnop) waits for a ld->ex token");
    char text[512] = "";
    for (int i = 0; i < 9; i++)
        strcat(text, "snop pop=ex\n");
    for (int i = 0; i < 9; i++)
        strcat(text, "cnop push=st\n");
    strcat(text, "halt\n");
    expect_deadlock(text, "st queue: pc 0 (snop) waits for a ex->st token", "dispatch stopped at pc 8 (snop)");
}

/* ---- the device interface: bad inputs, cycle limit, waves ---- */

static void test_bad_inputs(void **state)
{
    (void)state;
    rtpu_error err = {0};
    rtpu_config cfg;
    if (cosim_has_rtl()) {
        /* The RTL has models of two sizes; opening a program for any other config says why. */
        const char *tiny = "cnop\nhalt\n";
        rtpu_program *p = NULL;
        rtpu_device *d = NULL;
        test_load_config("tpu-128", &cfg);
        assert_int_equal(asm_assemble(tiny, strlen(tiny), "t.s", &cfg, &p, &err), RTPU_OK);
        assert_int_equal(rtpu_device_open_program("rtl", p, NULL, &d, &err), RTPU_ERR_UNSUPPORTED);
        assert_non_null(strstr(err.message, "no verilated model for a 128x128 array"));
        program_destroy(p);
        cfg = config_with("small-8", 0, 2, 0);
        cfg.queue_depth = 17;
        assert_int_equal(asm_assemble(tiny, strlen(tiny), "t.s", &cfg, &p, &err), RTPU_OK);
        assert_int_equal(rtpu_device_open_program("rtl", p, NULL, &d, &err), RTPU_ERR_UNSUPPORTED);
        assert_non_null(strstr(err.message, "queue_depth = 17 exceeds the 8x8 model's 16"));
        program_destroy(p);
        cfg = config_with("small-16", 0, 2, 0);
        cfg.unified_buffer_bytes *= 2;
        assert_int_equal(asm_assemble(tiny, strlen(tiny), "t.s", &cfg, &p, &err), RTPU_OK);
        assert_int_equal(rtpu_device_open_program("rtl", p, NULL, &d, &err), RTPU_ERR_UNSUPPORTED);
        assert_non_null(strstr(err.message, "unified_buffer_bytes = 524288"));
        program_destroy(p);
    }

    cfg = config_with("small-8", 0, 2, 0);
    cosim c = assemble("load.ub sram=0 dram=0x0 lines=1 rows=8 elems=8 stride=0\nhalt\n", &cfg);
    uint8_t buf[512];
    for (int k = 0; k < c.count; k++) {
        rtpu_device *d = c.dev[k];
        const char *name = rtpu_device_backend(d)->name;
        char want[160];
        assert_int_equal(rtpu_device_read_dram(d, 60, buf, 8, &err), RTPU_ERR_INVALID);
        snprintf(want, sizeof want, "%s: DRAM read of 8 bytes at 0x3c is beyond the program's 64 bytes", name);
        assert_string_equal(err.message, want);
        assert_int_equal(rtpu_device_write_dram(d, 64, buf, 1, &err), RTPU_ERR_INVALID);
        snprintf(want, sizeof want, "%s: DRAM write of 1 bytes at 0x40 is beyond the program's 64 bytes", name);
        assert_string_equal(err.message, want);
        assert_int_equal(rtpu_device_read_memory(d, RTPU_MEM_WB, 510, 3, buf, &err), RTPU_ERR_INVALID);
        snprintf(want, sizeof want, "%s: reading weight buffer rows 510..+3 beyond its 512 rows", name);
        assert_string_equal(err.message, want);
        rtpu_run_options waves = {.waves_path = "x.fst"};
        if (!(rtpu_device_backend(d)->caps & RTPU_CAN_WAVES)) {
            assert_int_equal(rtpu_device_run(d, &waves, &err), RTPU_ERR_UNSUPPORTED);
            snprintf(want, sizeof want, "backend '%s' cannot write waveforms", name);
            assert_string_equal(err.message, want);
            continue;
        }
        /* the load takes 26 cycles: a limit of 20 stops the run */
        assert_int_equal(rtpu_device_run(d, &(rtpu_run_options){.cycle_limit = 20}, &err), RTPU_ERR_RUNTIME);
        assert_non_null(strstr(err.message, "still running after the cycle limit of 20 cycles"));
        assert_null(rtpu_device_stats(d)); /* a failed run has no results */
        assert_int_equal(rtpu_device_run(d, &(rtpu_run_options){.waves_path = "out.vcd"}, &err), RTPU_ERR_INVALID);
        assert_non_null(strstr(err.message, "needs a .fst name"));
        waves.waves_path = "/nonexistent-dir/waves.fst";
        assert_int_equal(rtpu_device_run(d, &waves, &err), RTPU_ERR_IO);
    }
    cosim_destroy(&c);
}

static void test_waves(void **state)
{
    (void)state;
    if (!cosim_has_rtl())
        skip();
    rtpu_config cfg = config_with("small-8", 0, 2, 0);
    cosim c = assemble("load.ub sram=0 dram=0x0 lines=1 rows=8 elems=8 stride=0 push=ex\ncnop pop=ld\nhalt\n", &cfg);
    rtpu_device *rtl = c.dev[c.count - 1];
    assert_string_equal(rtpu_device_backend(rtl)->name, "rtl");
    char path[256];
    snprintf(path, sizeof path, "%s/rtl_waves_test.fst", getenv("RTPU_BINARY_DIR") ? getenv("RTPU_BINARY_DIR") : ".");
    remove(path);
    rtpu_error err = {0};
    assert_int_equal(rtpu_device_run(rtl, &(rtpu_run_options){.waves_path = path}, &err), RTPU_OK);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    assert_true(ftell(f) > 100);
    fclose(f);
    char temp[300];
    snprintf(temp, sizeof temp, "%s.tmp.fst", path);
    assert_int_equal(access(temp, F_OK), -1);
    /* a second run without waves leaves the file alone and gives the same cycles */
    assert_int_equal(rtpu_device_run(rtl, NULL, &err), RTPU_OK);
    assert_int_equal(rtpu_device_stats(rtl)->total_cycles, 27);
    remove(path);
    cosim_destroy(&c);
}

/* The comparison finds differences: a DRAM byte changed after the run, and timings of a
 * program run on a config with a longer DRAM latency (the first pc that diverges is 0,
 * the first load: [0,26) on small-8 against [0,31) with latency 15). The second device
 * is the last backend of the build (the RTL when built, else a second simulator). */
static void test_compare_reports_differences(void **state)
{
    (void)state;
    const char *text = "load.ub sram=0 dram=0x0 lines=1 rows=8 elems=8 stride=0 push=ex\ncnop pop=ld\nhalt\n";
    rtpu_config cfg = config_with("small-8", 0, 2, 0), slow = cfg;
    slow.dram_latency_cycles = 15;
    cosim c = assemble(text, &cfg), d = assemble(text, &slow);
    rtpu_error err = {0};
    const char *other = rtpu_device_backend(cosim_ref(&c))->name;
    rtpu_device *a = c.dev[0], *b = NULL, *slow_b = (rtpu_device *)cosim_ref(&d);
    assert_string_equal(rtpu_device_backend(a)->name, "sim");
    assert_int_equal(rtpu_device_open_program(other, c.program, NULL, &b, &err), RTPU_OK);
    assert_int_equal(rtpu_device_run(a, NULL, &err), RTPU_OK);
    assert_int_equal(rtpu_device_run(b, NULL, &err), RTPU_OK);
    assert_int_equal(rtpu_device_run(slow_b, NULL, &err), RTPU_OK);
    uint8_t byte = 0x5a;
    assert_int_equal(rtpu_device_write_dram(b, 17, &byte, 1, &err), RTPU_OK);
    rtpu_comparison cmp;
    char want[200];
    assert_int_equal(rtpu_device_compare(a, b, &cmp, &err), RTPU_OK);
    assert_false(cmp.equal);
    assert_true(cmp.timing_equal);
    assert_int_equal(cmp.first_pc, -1);
    snprintf(want, sizeof want, "DRAM byte 0x11: sim 0, %s 90", other);
    assert_non_null(strstr(cmp.text, want));
    assert_int_equal(rtpu_device_compare(a, slow_b, &cmp, &err), RTPU_OK);
    assert_false(cmp.timing_equal);
    assert_int_equal(cmp.first_pc, 0);
    snprintf(want, sizeof want, "pc 0 (load.ub): sim dispatch 0 start 0 end 26, %s dispatch 0 start 0 end 31", other);
    assert_non_null(strstr(cmp.text, want));
    snprintf(want, sizeof want, "total cycles: sim 27, %s 32", other);
    assert_non_null(strstr(cmp.text, want));
    rtpu_device_close(b);
    cosim_destroy(&c);
    cosim_destroy(&d);
}

/* Tensor-map access writes and reads the same bytes on every backend (int8 and int32,
 * channel blocks, rounding half away from zero, saturation). */
static void test_tensors(void **state)
{
    (void)state;
    rtpu_config cfg = config_with("small-8", 0, 2, 0);
    cosim c = assemble(".tensor name=x node=n step=0 role=input dtype=int8 dram=0 shape=1,2,3,10 block=4 scale=0.5\n"
                       ".tensor name=y node=n step=0 role=output dtype=int32 dram=0x100 shape=1,1,2,3 block=3 scale=0.25\n"
                       "cnop\nhalt\n", &cfg);
    float x[60], y[6] = {1.125f, -1.125f, 3e9f, -3e9f, 0.0f, 7.0f};
    for (int i = 0; i < 60; i++)
        x[i] = (float)(i - 30) * 1.75f;
    rtpu_error err = {0};
    for (int k = 0; k < c.count; k++) {
        assert_int_equal(rtpu_device_write(c.dev[k], "x", RTPU_BY_NAME, x, 60, &err), RTPU_OK);
        assert_int_equal(rtpu_device_write(c.dev[k], "y", RTPU_BY_NAME, y, 6, &err), RTPU_OK);
    }
    cosim_run_and_compare(&c); /* includes every DRAM byte */
    for (int k = 0; k < c.count; k++) {
        float got[60];
        assert_int_equal(rtpu_device_read(c.dev[k], "x", RTPU_BY_NAME, got, 60, &err), RTPU_OK);
        for (int i = 0; i < 60; i++) {
            float q = roundf(x[i] / 0.5f);
            q = q < -128 ? -128 : q > 127 ? 127 : q;
            assert_true(got[i] == q * 0.5f);
        }
        assert_int_equal(rtpu_device_read(c.dev[k], "y", RTPU_BY_NAME, got, 6, &err), RTPU_OK);
        assert_true(got[0] == 1.25f && got[1] == -1.25f && got[4] == 0.0f && got[5] == 7.0f);
        assert_true(got[2] == 2147483647.0f * 0.25f && got[3] == -2147483648.0f * 0.25f);
    }
    cosim_destroy(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tensors),
        cmocka_unit_test(test_compare_reports_differences),
        cmocka_unit_test(test_array_masks_accumulate_double_buffer),
        cmocka_unit_test(test_vector_ops),
        cmocka_unit_test(test_dispatch_depth),
        cmocka_unit_test(test_token_chain),
        cmocka_unit_test(test_deadlocks),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_waves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
