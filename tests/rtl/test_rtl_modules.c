/* The RTL's modules one at a time, each verilated on its own (rtl/units/) and driven
 * port by port: the processing element, the systolic array, the vector unit, an
 * instruction queue, the token counters and the issue rule. tests/runtime/test_device_units.c
 * reaches the same modules only through rtpu_top and whole programs; here every output
 * is checked cycle by cycle against values computed in this file, by hand (with the
 * arithmetic in the comments) or by naive loops written from docs/isa.md and
 * docs/architecture.md ("Timing", "RTL"). Random data comes from a seeded xorshift, so
 * every run is the same. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rtl/units/rtl_units.h"

/* Fails the test with a message naming where (printf-style) and both values. */
#define EXPECT_EQ(actual, expected, ...)                                                      \
    do {                                                                                      \
        long long actual_ = (long long)(actual), expected_ = (long long)(expected);           \
        if (actual_ != expected_) {                                                           \
            char where_[256];                                                                 \
            snprintf(where_, sizeof where_, __VA_ARGS__);                                     \
            fail_msg("%s: got %lld, expected %lld", where_, actual_, expected_);              \
        }                                                                                     \
    } while (0)

#define CHECK_OK(call)                                                                        \
    do {                                                                                      \
        rtpu_error err_ = {0};                                                                \
        rtpu_error *err = &err_;                                                              \
        if ((call) != RTPU_OK)                                                                \
            fail_msg("%s failed: %s", #call, err_.message);                                   \
    } while (0)

/* ---- seeded random numbers ---- */

typedef struct rng {
    uint64_t state;
} rng;

static uint64_t rng_next(rng *r)
{
    r->state ^= r->state << 13;
    r->state ^= r->state >> 7;
    r->state ^= r->state << 17;
    return r->state;
}

/* Uniform in [lo, hi]. */
static int64_t rng_range(rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* ---- reference arithmetic, from docs/isa.md "Semantics" ---- */

static int8_t sat8(int64_t x) { return (int8_t)(x < -128 ? -128 : x > 127 ? 127 : x); }

/* floor((x + 2^(s-1)) / 2^s), as exact integer division rounded towards minus infinity. */
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

static int8_t requant_ref(int32_t acc, int32_t bias, int32_t mult, int32_t shift)
{
    int64_t v = (int64_t)acc + bias;
    v = v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v;
    int64_t s = 31 + (int64_t)shift;
    s = s < 1 ? 1 : s > 62 ? 62 : s;
    return sat8(round_shift(v * mult, (int)s));
}

/* ---- instruction words, from the field table of docs/isa.md "Encoding" ---- */

enum { OP_REQUANT = 9, OP_VADD = 10, OP_VSUB = 11, OP_VMUL = 12, OP_LUT = 13, OP_MAXPOOL = 14, OP_RESIZE = 15,
       OP_CNOP = 16, OP_DWCONV = 19, OP_VSUM = 20 };
enum { POP_PREV = 1, POP_NEXT = 2, PUSH_PREV = 4, PUSH_NEXT = 8 };

/* Writes value (two's complement, width bits) at bit first of the little-endian word. */
static void put_field(uint8_t word[INSN_BYTES], unsigned first, unsigned width, int64_t value)
{
    for (unsigned b = 0; b < width; b++)
        if (((uint64_t)value >> b) & 1)
            word[(first + b) / 8] |= (uint8_t)(1u << ((first + b) % 8));
}

static void new_word(uint8_t word[INSN_BYTES], unsigned opcode, unsigned flags)
{
    memset(word, 0, INSN_BYTES);
    word[0] = (uint8_t)opcode;
    word[1] = (uint8_t)flags;
}

/* ====================================================================================
 * rtpu_pe
 * ==================================================================================== */

/* Inputs of one cycle and the registered outputs they produce, seen in the next cycle.
 * Products by hand: -128 * -128 = 16384, 127 * -128 = -16256, 127 * 127 = 16129.
 * Wrap-around: 2147483647 + 16384 = 2147500031 - 2^32 = -2147467265;
 * -2147483648 - 16256 = -2147499904 + 2^32 = 2147467392. */
static const struct pe_step {
    pe_unit_inputs in;
    int8_t act_out;
    int32_t psum_out;
    const char *what;
} pe_steps[] = {
    /* act 0 while the active weight is still undefined (no reset: datapath only) */
    {{true, -128, false, 0, 100}, 0, 100, "shadow load, act 0 passes psum"},
    {{false, 0, true, 0, -7}, 0, -7, "swap: takes effect at the edge"},
    {{false, 0, false, -128, 0}, -128, 16384, "-128 * -128"},
    {{false, 0, false, 127, 0}, 127, -16256, "127 * -128"},
    {{false, 0, false, -128, INT32_MAX}, -128, -2147467265, "int32 wrap upwards"},
    {{false, 0, false, 127, INT32_MIN}, 127, 2147467392, "int32 wrap downwards"},
    {{true, 3, false, 2, 1}, 2, -255, "shadow load leaves the active weight: 1 + 2 * -128"},
    {{false, 0, false, 2, 0}, 2, -256, "no swap yet: 2 * -128"},
    {{true, 9, true, 1, 0}, 1, -128, "swap and shadow load together: still -128 this cycle"},
    {{false, 0, false, 2, 0}, 2, 6, "active = old shadow 3, not the 9 loaded at the same edge"},
    {{false, 0, true, -1, 5}, -1, 2, "5 + -1 * 3"},
    {{true, 127, false, -1, 5}, -1, -4, "5 + -1 * 9"},
    {{false, 0, true, 0, 0}, 0, 0, "swap 127 in"},
    {{false, 0, false, 127, -1}, 127, 16128, "-1 + 127 * 127"},
    {{false, 0, false, -128, 0}, -128, -16256, "-128 * 127"},
};

static void test_pe_cycle_by_cycle(void **state)
{
    (void)state;
    pe_unit *pe = NULL;
    CHECK_OK(pe_unit_create(&pe, err));
    size_t count = sizeof pe_steps / sizeof pe_steps[0];
    for (size_t t = 0; t < count; t++) {
        pe_unit_set_inputs(pe, &pe_steps[t].in);
        if (t > 0) {
            /* registered: this cycle's inputs do not reach the outputs before the edge */
            pe_unit_outputs before = pe_unit_outputs_now(pe);
            EXPECT_EQ(before.act, pe_steps[t - 1].act_out, "cycle %zu (before edge): act_o", t);
            EXPECT_EQ(before.psum, pe_steps[t - 1].psum_out, "cycle %zu (before edge): psum_o", t);
        }
        pe_unit_tick(pe);
        pe_unit_outputs after = pe_unit_outputs_now(pe);
        EXPECT_EQ(after.act, pe_steps[t].act_out, "cycle %zu (%s): act_o", t + 1, pe_steps[t].what);
        EXPECT_EQ(after.psum, pe_steps[t].psum_out, "cycle %zu (%s): psum_o", t + 1, pe_steps[t].what);
    }
    pe_unit_destroy(pe);
}

/* ====================================================================================
 * rtpu_systolic_array
 * ==================================================================================== */

enum { AN = ARRAY_UNIT_N, A_ROWS = 12, B_ROWS = 9 };

/* Dot product of input row x with column c of weight tile w[k][c], in int32 wrap-around. */
static int32_t column_dot(const int8_t x[AN], const int8_t w[AN][AN], int c)
{
    uint32_t sum = 0;
    for (int k = 0; k < AN; k++)
        sum += (uint32_t)((int32_t)x[k] * w[k][c]);
    return (int32_t)sum;
}

/* Tile A: N cycles of shadow loads (row k in cycle k), the swap in cycle N, then A_ROWS
 * input rows entering unskewed from cycle a0 = N + 1. Per docs (rtpu_systolic_array.sv,
 * architecture.md "RTL"), the sum of row r for column c leaves the bottom in cycle
 * a0 + r + N + c. Tile B is loaded into the shadow weights while A streams (cycles a0 ..
 * a0 + N - 1) and swapped in at the earliest edge that cannot disturb A: A's last row
 * meets PE (k, c) in cycle a0 + A_ROWS - 1 + k + c, at the latest a0 + A_ROWS + 2N - 3,
 * so the swap is in that cycle and B's rows enter from the next. Every column is checked
 * in every cycle from N on (when zero rows have flushed the undefined start state):
 * the expected sum where a row's result is due, 0 elsewhere. */
static void test_array_matmul_timing(void **state)
{
    (void)state;
    rng r = {0x9e3779b97f4a7c15u};
    int8_t wa[AN][AN], wb[AN][AN], xa[A_ROWS][AN], xb[B_ROWS][AN];
    for (int k = 0; k < AN; k++)
        for (int c = 0; c < AN; c++) {
            wa[k][c] = (int8_t)rng_range(&r, -128, 127);
            wb[k][c] = (int8_t)rng_range(&r, -128, 127);
        }
    for (int i = 0; i < A_ROWS; i++)
        for (int k = 0; k < AN; k++)
            xa[i][k] = (int8_t)rng_range(&r, -128, 127);
    for (int i = 0; i < B_ROWS; i++)
        for (int k = 0; k < AN; k++)
            xb[i][k] = (int8_t)rng_range(&r, -128, 127);
    /* extremes: column 0 of A all -128, A row 0 all -128 (8 * 16384 = 131072 in column
     * 0), A row 1 all 127 (8 * -16256 = -130048 in column 0) */
    for (int k = 0; k < AN; k++) {
        wa[k][0] = -128;
        xa[0][k] = -128;
        xa[1][k] = 127;
    }
    assert_int_equal(column_dot(xa[0], wa, 0), 131072);
    assert_int_equal(column_dot(xa[1], wa, 0), -130048);

    const int a0 = AN + 1;
    const int swap_b = a0 + A_ROWS + 2 * AN - 3;
    const int b0 = swap_b + 1;
    const int total = b0 + B_ROWS + 2 * AN + 2;

    array_unit *a = NULL;
    CHECK_OK(array_unit_create(&a, err));
    for (int t = 0; t < total; t++) {
        array_unit_inputs in;
        memset(&in, 0, sizeof in);
        if (t < AN) {
            in.shadow_row_we = 1u << t;
            memcpy(in.shadow_row, wa[t], AN);
        }
        if (t >= a0 && t < a0 + AN) {
            in.shadow_row_we = 1u << (t - a0);
            memcpy(in.shadow_row, wb[t - a0], AN);
        }
        in.swap = t == AN || t == swap_b;
        if (t >= a0 && t < a0 + A_ROWS)
            memcpy(in.row, xa[t - a0], AN);
        if (t >= b0 && t < b0 + B_ROWS)
            memcpy(in.row, xb[t - b0], AN);
        array_unit_set_inputs(a, &in);

        int32_t psum[AN];
        array_unit_psum(a, psum);
        if (t >= AN)
            for (int c = 0; c < AN; c++) {
                int ra = t - a0 - AN - c, rb = t - b0 - AN - c;
                int32_t want = 0;
                if (ra >= 0 && ra < A_ROWS)
                    want = column_dot(xa[ra], wa, c);
                else if (rb >= 0 && rb < B_ROWS)
                    want = column_dot(xb[rb], wb, c);
                EXPECT_EQ(psum[c], want, "cycle %d column %d (tile A row %d, tile B row %d)", t, c, ra, rb);
            }
        array_unit_tick(a);
    }
    array_unit_destroy(a);
}

/* ====================================================================================
 * rtpu_vector_unit
 * ==================================================================================== */

enum { VN = VECTOR_UNIT_N, MAX_TRACE = 512 };

/* What one instruction did: its duration (start to end pulse), each UB write and each
 * accumulator write. */
typedef struct vector_trace {
    int cycles;
    int writes;
    int write_cycle[MAX_TRACE];
    uint32_t write_row[MAX_TRACE];
    int acc_writes;
    int acc_write_cycle[MAX_TRACE];
    uint32_t acc_write_row[MAX_TRACE];
    uint8_t push;
} vector_trace;

/* Starts insn in cycle 0 (relative) and steps until the end pulse, checking the unit's
 * status outputs on the way: busy_o low in the start cycle (the unit was idle), high in
 * every later cycle before the end, low with end_o high in the end cycle. */
static void run_vector(vector_unit *v, const uint8_t insn[INSN_BYTES], vector_trace *trace)
{
    memset(trace, 0, sizeof *trace);
    for (int t = 0; t < MAX_TRACE; t++) {
        vector_unit_cycle cycle;
        CHECK_OK(vector_unit_step(v, t == 0, t == 0 ? insn : NULL, &cycle, err));
        if (cycle.ub_write) {
            assert_true(trace->writes < MAX_TRACE);
            trace->write_cycle[trace->writes] = t;
            trace->write_row[trace->writes] = cycle.ub_write_row;
            trace->writes++;
        }
        if (cycle.acc_write) {
            assert_true(trace->acc_writes < MAX_TRACE);
            trace->acc_write_cycle[trace->acc_writes] = t;
            trace->acc_write_row[trace->acc_writes] = cycle.acc_write_row;
            trace->acc_writes++;
        }
        if (t > 0 && cycle.end) {
            EXPECT_EQ(cycle.busy, 0, "end cycle %d: busy_o", t);
            trace->cycles = t;
            trace->push = cycle.push;
            return;
        }
        EXPECT_EQ(cycle.busy, t > 0, "cycle %d: busy_o", t);
        EXPECT_EQ(cycle.end, 0, "cycle %d: end_o", t);
    }
    fail_msg("vector instruction did not end within %d cycles", MAX_TRACE);
}

static vector_unit *new_vector_unit(uint32_t lanes, uint32_t pipe)
{
    vector_unit *v = NULL;
    CHECK_OK(vector_unit_create(&v, err));
    vector_unit_configure(v, lanes, pipe);
    return v;
}

/* Random int8 rows, uniform in [lo, hi]. */
static void fill_ub_range(vector_unit *v, rng *r, uint32_t row, uint32_t rows, int lo, int hi)
{
    int8_t data[64 * VN];
    assert_true(rows <= 64);
    for (uint32_t i = 0; i < rows * VN; i++)
        data[i] = (int8_t)rng_range(r, lo, hi);
    CHECK_OK(vector_unit_write_ub(v, row, rows, data, err));
}

static void fill_ub_random(vector_unit *v, rng *r, uint32_t row, uint32_t rows)
{
    fill_ub_range(v, r, row, rows, -128, 127);
}

static void read_ub(vector_unit *v, uint32_t row, uint32_t rows, int8_t *out)
{
    CHECK_OK(vector_unit_read_ub(v, row, rows, out, err));
}

/* Row operations write row r of the destination in cycle r (one row per step from the
 * start cycle) and take pipe + ceil(rows * N / lanes) cycles. */
static void check_row_op_timing(const vector_trace *tr, uint32_t dst, int rows, int lanes, int pipe)
{
    EXPECT_EQ(tr->cycles, pipe + (rows * VN + lanes - 1) / lanes, "duration (rows %d, lanes %d, pipe %d)", rows, lanes,
              pipe);
    EXPECT_EQ(tr->writes, rows, "number of UB writes");
    for (int i = 0; i < tr->writes; i++) {
        EXPECT_EQ(tr->write_cycle[i], i, "cycle of UB write %d", i);
        EXPECT_EQ(tr->write_row[i], dst + (uint32_t)i, "row of UB write %d", i);
    }
}

/* requant: three instructions. (1) one row by hand. Columns 0..5: bias 0, mult 1,
 * shift -30 (s = 1), x / 2 rounded half up: 3 -> 2, -3 -> -1, 5 -> 3, -5 -> -2, 1 -> 1,
 * -1 -> 0. Column 6: shift -31, s = 0 clamps to 1: 7 -> 3.5 -> 4. Column 7: acc
 * 2^31 - 1 plus bias 1 clamps to 2^31 - 1, mult 2^31 - 1, shift 40 (s = 71 clamps to
 * 62): (2^31 - 1)^2 = 2^62 - 2^32 + 1, plus 2^61, over 2^62 -> 1 (with s = 63 it would
 * be 0). (2) realistic random values (mult ~ 2^30, s ~ 36, most
 * results inside int8). (3) extreme random values: the int32 clamp of acc + bias,
 * saturation, and shifts at and beyond both clamps of s. */
static void test_vector_requant(void **state)
{
    (void)state;
    rng r = {12345};
    vector_unit *v = new_vector_unit(VN, 2);
    uint8_t insn[INSN_BYTES];
    vector_trace tr;

    /* (1) */
    const int32_t halves[VN] = {3, -3, 5, -5, 1, -1, 7, INT32_MAX};
    const int8_t halves_out[VN] = {2, -1, 3, -2, 1, 0, 4, 1};
    int32_t params[3 * VN];
    for (int c = 0; c < VN; c++) {
        params[c] = 0;
        params[VN + c] = 1;
        params[2 * VN + c] = -30;
    }
    params[2 * VN + 6] = -31;
    params[7] = 1;
    params[VN + 7] = INT32_MAX;
    params[2 * VN + 7] = 40;
    CHECK_OK(vector_unit_write_acc(v, 0, 1, halves, err));
    CHECK_OK(vector_unit_write_acc(v, 100, 3, params, err));
    new_word(insn, OP_REQUANT, 0);
    put_field(insn, 12, 20, 0);    /* acc */
    put_field(insn, 32, 20, 500);  /* ub */
    put_field(insn, 52, 16, 0);    /* rows 1 */
    put_field(insn, 68, 20, 100);  /* param */
    run_vector(v, insn, &tr);
    check_row_op_timing(&tr, 500, 1, VN, 2);
    int8_t got[64 * VN];
    read_ub(v, 500, 1, got);
    for (int c = 0; c < VN; c++)
        EXPECT_EQ(got[c], halves_out[c], "requant by hand, column %d", c);

    /* (2) and (3) */
    for (int extreme = 0; extreme < 2; extreme++) {
        enum { ROWS = 6 };
        int32_t acc[ROWS * VN];
        for (int c = 0; c < VN; c++) {
            params[c] = (int32_t)(extreme ? rng_range(&r, INT32_MIN, INT32_MAX) : rng_range(&r, -1000, 1000));
            params[VN + c] = (int32_t)(extreme ? rng_range(&r, INT32_MIN, INT32_MAX)
                                               : rng_range(&r, 1 << 29, INT32_MAX) * (c % 2 ? -1 : 1));
            params[2 * VN + c] = (int32_t)(extreme ? rng_range(&r, -40, 40) : rng_range(&r, 3, 7));
        }
        if (extreme) { /* s at and beyond both clamps: 31 + shift = -9, 0, 1, 62, 63, 71 */
            const int32_t edge_shifts[6] = {-40, -31, -30, 31, 32, 40};
            for (int c = 0; c < 6; c++)
                params[2 * VN + c] = edge_shifts[c];
        }
        for (int i = 0; i < ROWS * VN; i++)
            acc[i] = (int32_t)(extreme ? rng_range(&r, INT32_MIN, INT32_MAX) : rng_range(&r, -5000, 5000));
        CHECK_OK(vector_unit_write_acc(v, 10, ROWS, acc, err));
        CHECK_OK(vector_unit_write_acc(v, 200, 3, params, err));
        new_word(insn, OP_REQUANT, 0);
        put_field(insn, 12, 20, 10);
        put_field(insn, 32, 20, 40);
        put_field(insn, 52, 16, ROWS - 1);
        put_field(insn, 68, 20, 200);
        run_vector(v, insn, &tr);
        check_row_op_timing(&tr, 40, ROWS, VN, 2);
        read_ub(v, 40, ROWS, got);
        int inside = 0;
        for (int i = 0; i < ROWS * VN; i++) {
            int c = i % VN;
            int8_t want = requant_ref(acc[i], params[c], params[VN + c], params[2 * VN + c]);
            EXPECT_EQ(got[i], want, "requant (%s) row %d column %d", extreme ? "extreme" : "realistic", i / VN, c);
            inside += want > -128 && want < 127;
        }
        if (!extreme)
            assert_true(inside > ROWS * VN / 2); /* the realistic case is not all saturation */
    }
    vector_unit_destroy(v);
}

/* One vadd/vsub/vmul of `rows` rows: a from row 0, b from row 16, to dst. */
static void vector_arith(vector_unit *v, int op, uint32_t dst, int rows, int64_t mul_a, int64_t mul_b, int shift)
{
    uint8_t insn[INSN_BYTES];
    new_word(insn, (unsigned)op, 0);
    put_field(insn, 12, 20, 0);
    put_field(insn, 32, 20, 16);
    put_field(insn, 52, 20, dst);
    put_field(insn, 72, 16, rows - 1);
    put_field(insn, 88, 16, mul_a);
    if (op == OP_VMUL) {
        put_field(insn, 104, 5, shift);
    } else {
        put_field(insn, 104, 16, mul_b);
        put_field(insn, 120, 5, shift);
    }
    vector_trace tr;
    run_vector(v, insn, &tr);
    check_row_op_timing(&tr, dst, rows, VN, 2);
}

/* vadd, vsub, vmul. By hand first: vadd with mul_a 1, mul_b 0, shift 1 rounds half up
 * (1 -> 1, -1 -> 0, 3 -> 2, -3 -> -1, 5 -> 3, -5 -> -2, 127 -> 64, -128 -> -64), and
 * vmul -128 * -128 * 1 = 16384 saturates to 127. Then random rows in three magnitudes
 * (multipliers of a few units and shifts 0..2, multipliers up to 2^15 with shifts giving
 * int8-sized results, and any shift 0..31; the first with data in -12..11, so vmul
 * stays inside int8 too), to a third range or in place (dst = a). */
static void test_vector_add_sub_mul(void **state)
{
    (void)state;
    rng r = {777};
    vector_unit *v = new_vector_unit(VN, 2);
    int8_t got[8 * VN];

    const int8_t ties[VN] = {1, -1, 3, -3, 5, -5, 127, -128}, ties_out[VN] = {1, 0, 2, -1, 3, -2, 64, -64};
    const int8_t low[VN] = {-128, -128, -128, -128, -128, -128, -128, -128};
    CHECK_OK(vector_unit_write_ub(v, 0, 1, ties, err));
    CHECK_OK(vector_unit_write_ub(v, 16, 1, low, err));
    vector_arith(v, OP_VADD, 32, 1, 1, 0, 1);
    read_ub(v, 32, 1, got);
    for (int c = 0; c < VN; c++)
        EXPECT_EQ(got[c], ties_out[c], "vadd %d * 1 >> 1", ties[c]);
    CHECK_OK(vector_unit_write_ub(v, 0, 1, low, err));
    vector_arith(v, OP_VMUL, 32, 1, 1, 0, 0);
    read_ub(v, 32, 1, got);
    for (int c = 0; c < VN; c++)
        EXPECT_EQ(got[c], 127, "vmul -128 * -128");

    enum { ROWS = 7 };
    const int ops[3] = {OP_VADD, OP_VSUB, OP_VMUL};
    for (int round = 0; round < 18; round++) {
        int op = ops[round % 3], magnitude = round / 3 % 3;
        bool in_place = round >= 9;
        int8_t a[ROWS * VN], b[ROWS * VN];
        int data_limit = magnitude == 0 ? 12 : 128;
        fill_ub_range(v, &r, 0, ROWS, -data_limit, data_limit - 1);
        fill_ub_range(v, &r, 16, ROWS, -data_limit, data_limit - 1);
        read_ub(v, 0, ROWS, a);
        read_ub(v, 16, ROWS, b);
        int64_t limit = magnitude == 0 ? 4 : 32767;
        int64_t mul_a = rng_range(&r, -limit, limit), mul_b = rng_range(&r, -limit, limit);
        int shift = magnitude == 0   ? (int)rng_range(&r, 0, 2)
                    : magnitude == 1 ? (int)rng_range(&r, op == OP_VMUL ? 22 : 14, op == OP_VMUL ? 26 : 17)
                                     : (int)rng_range(&r, 0, 31);
        uint32_t dst = in_place ? 0 : 32;
        vector_arith(v, op, dst, ROWS, mul_a, mul_b, shift);
        read_ub(v, dst, ROWS, got);
        for (int i = 0; i < ROWS * VN; i++) {
            int64_t x = op == OP_VADD   ? a[i] * mul_a + b[i] * mul_b
                        : op == OP_VSUB ? a[i] * mul_a - b[i] * mul_b
                                        : (int64_t)a[i] * b[i] * mul_a;
            EXPECT_EQ(got[i], sat8(round_shift(x, shift)), "op %d round %d element %d (a %d b %d mul %lld/%lld shift %d)",
                      op, round, i, a[i], b[i], (long long)mul_a, (long long)mul_b, shift);
        }
    }
    vector_unit_destroy(v);
}

/* lut: a random table 5 (and a different table 4, which must not be used), indexed by
 * the int8 bit pattern: -1 -> entry 255, -128 -> entry 128. */
static void test_vector_lut(void **state)
{
    (void)state;
    rng r = {4242};
    vector_unit *v = new_vector_unit(VN, 2);
    int8_t table[256], other[256];
    for (int i = 0; i < 256; i++) {
        table[i] = (int8_t)rng_range(&r, -128, 127);
        other[i] = (int8_t)~table[i];
    }
    CHECK_OK(vector_unit_write_lut(v, 5, table, err));
    CHECK_OK(vector_unit_write_lut(v, 4, other, err));
    enum { ROWS = 5 };
    fill_ub_random(v, &r, 3, ROWS);
    const int8_t edges[VN] = {0, -1, -128, 127, 1, -2, 64, -64};
    CHECK_OK(vector_unit_write_ub(v, 3, 1, edges, err));
    int8_t src[ROWS * VN], got[ROWS * VN];
    read_ub(v, 3, ROWS, src);
    uint8_t insn[INSN_BYTES];
    new_word(insn, OP_LUT, 0);
    put_field(insn, 12, 20, 3);
    put_field(insn, 32, 20, 60);
    put_field(insn, 52, 16, ROWS - 1);
    put_field(insn, 68, 8, 5);
    vector_trace tr;
    run_vector(v, insn, &tr);
    check_row_op_timing(&tr, 60, ROWS, VN, 2);
    read_ub(v, 60, ROWS, got);
    EXPECT_EQ(got[1], table[255], "lut of -1");
    EXPECT_EQ(got[2], table[128], "lut of -128");
    for (int i = 0; i < ROWS * VN; i++)
        EXPECT_EQ(got[i], table[(uint8_t)src[i]], "lut element %d (index %d)", i, (uint8_t)src[i]);
    vector_unit_destroy(v);
}

typedef struct pool_shape {
    int in_h, in_w, out_h, out_w, kernel_h, kernel_w, stride, pad_top, pad_left;
} pool_shape;

/* maxpool over random images: 3x3 stride 2 pad 1 on 5x6 (out 3x3), 2x2 stride 2 on 4x4,
 * 3x2 stride 1 pad 2/1 on 3x3 (windows partly outside on every side). Naive windows;
 * output pixel p is written at the window's last element: cycle (p + 1) * kh * kw - 1. */
static void test_vector_maxpool(void **state)
{
    (void)state;
    rng r = {99};
    vector_unit *v = new_vector_unit(VN, 2);
    const pool_shape shapes[] = {
        {5, 6, 3, 3, 3, 3, 2, 1, 1},
        {4, 4, 2, 2, 2, 2, 2, 0, 0},
        {3, 3, 4, 4, 3, 2, 1, 2, 1},
    };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const pool_shape *p = &shapes[s];
        int pixels = p->in_h * p->in_w, window = p->kernel_h * p->kernel_w, outs = p->out_h * p->out_w;
        fill_ub_random(v, &r, 100, (uint32_t)pixels);
        int8_t img[64 * VN], got[64 * VN];
        read_ub(v, 100, (uint32_t)pixels, img);
        uint8_t insn[INSN_BYTES];
        new_word(insn, OP_MAXPOOL, 0);
        put_field(insn, 12, 20, 100);
        put_field(insn, 32, 20, 300);
        put_field(insn, 52, 10, p->in_h - 1);
        put_field(insn, 62, 10, p->in_w - 1);
        put_field(insn, 72, 10, p->out_h - 1);
        put_field(insn, 82, 10, p->out_w - 1);
        put_field(insn, 92, 4, p->kernel_h - 1);
        put_field(insn, 96, 4, p->kernel_w - 1);
        put_field(insn, 100, 4, p->stride - 1);
        put_field(insn, 104, 4, p->pad_top);
        put_field(insn, 108, 4, p->pad_left);
        vector_trace tr;
        run_vector(v, insn, &tr);
        EXPECT_EQ(tr.cycles, 2 + (outs * window * VN + VN - 1) / VN, "maxpool shape %zu duration", s);
        EXPECT_EQ(tr.writes, outs, "maxpool shape %zu writes", s);
        for (int i = 0; i < tr.writes; i++) {
            EXPECT_EQ(tr.write_cycle[i], (i + 1) * window - 1, "maxpool shape %zu write %d cycle", s, i);
            EXPECT_EQ(tr.write_row[i], 300 + (uint32_t)i, "maxpool shape %zu write %d row", s, i);
        }
        read_ub(v, 300, (uint32_t)outs, got);
        for (int oy = 0; oy < p->out_h; oy++)
            for (int ox = 0; ox < p->out_w; ox++)
                for (int c = 0; c < VN; c++) {
                    int best = -1000, inside = 0;
                    for (int dy = 0; dy < p->kernel_h; dy++)
                        for (int dx = 0; dx < p->kernel_w; dx++) {
                            int iy = oy * p->stride - p->pad_top + dy, ix = ox * p->stride - p->pad_left + dx;
                            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w)
                                continue;
                            inside++;
                            int x = img[(iy * p->in_w + ix) * VN + c];
                            best = x > best ? x : best;
                        }
                    assert_true(inside > 0);
                    EXPECT_EQ(got[(oy * p->out_w + ox) * VN + c], best, "maxpool shape %zu out (%d, %d) channel %d", s,
                              oy, ox, c);
                }
    }
    vector_unit_destroy(v);
}

/* Bilinear source position of output o on an axis in -> out (docs/isa.md "resize"). */
static void resize_axis(int o, int in, int out, int *i0, int *i1, int *f)
{
    int pos = out == 1 ? 0 : (o * (in - 1) * 256) / (out - 1);
    *i0 = pos >> 8;
    *i1 = *i0 + 1 < in ? *i0 + 1 : in - 1;
    *f = pos & 255;
}

/* resize on random images: up 3x5 -> 4x7, out_h = 1 (pos 0) 4x4 -> 1x3, down 6x6 -> 4x4,
 * the identity 2x2 -> 2x2; the divisions in pos are inexact on every axis but the
 * identity's. Output pixel p is written at its 4th corner: cycle 4p + 3. */
static void test_vector_resize(void **state)
{
    (void)state;
    rng r = {31337};
    vector_unit *v = new_vector_unit(VN, 2);
    const int shapes[][4] = {{3, 5, 4, 7}, {4, 4, 1, 3}, {6, 6, 4, 4}, {2, 2, 2, 2}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int in_h = shapes[s][0], in_w = shapes[s][1], out_h = shapes[s][2], out_w = shapes[s][3];
        int outs = out_h * out_w;
        fill_ub_random(v, &r, 200, (uint32_t)(in_h * in_w));
        int8_t img[64 * VN], got[64 * VN];
        read_ub(v, 200, (uint32_t)(in_h * in_w), img);
        uint8_t insn[INSN_BYTES];
        new_word(insn, OP_RESIZE, 0);
        put_field(insn, 12, 20, 200);
        put_field(insn, 32, 20, 400);
        put_field(insn, 52, 10, in_h - 1);
        put_field(insn, 62, 10, in_w - 1);
        put_field(insn, 72, 10, out_h - 1);
        put_field(insn, 82, 10, out_w - 1);
        vector_trace tr;
        run_vector(v, insn, &tr);
        EXPECT_EQ(tr.cycles, 2 + outs * 4, "resize shape %zu duration", s);
        EXPECT_EQ(tr.writes, outs, "resize shape %zu writes", s);
        for (int i = 0; i < tr.writes; i++) {
            EXPECT_EQ(tr.write_cycle[i], 4 * i + 3, "resize shape %zu write %d cycle", s, i);
            EXPECT_EQ(tr.write_row[i], 400 + (uint32_t)i, "resize shape %zu write %d row", s, i);
        }
        read_ub(v, 400, (uint32_t)outs, got);
        for (int oy = 0; oy < out_h; oy++)
            for (int ox = 0; ox < out_w; ox++) {
                int y0, y1, fy, x0, x1, fx;
                resize_axis(oy, in_h, out_h, &y0, &y1, &fy);
                resize_axis(ox, in_w, out_w, &x0, &x1, &fx);
                for (int c = 0; c < VN; c++) {
#define PIX(y, x) ((int64_t)img[((y) * in_w + (x)) * VN + c])
                    int64_t top = PIX(y0, x0) * (256 - fx) + PIX(y0, x1) * fx;
                    int64_t bottom = PIX(y1, x0) * (256 - fx) + PIX(y1, x1) * fx;
#undef PIX
                    int8_t want = sat8(round_shift(top * (256 - fy) + bottom * fy, 16));
                    EXPECT_EQ(got[(oy * out_w + ox) * VN + c], want, "resize shape %zu out (%d, %d) channel %d", s, oy, ox,
                              c);
                }
            }
        if (s == 3) /* the identity copies the image exactly */
            assert_memory_equal(got, img, (size_t)outs * VN);
    }
    vector_unit_destroy(v);
}

/* dwconv's reference (docs/isa.md "Semantics"): per output ox and column c, the old ACC
 * value (accumulate) plus every tap's int8 x int8 product, with int32 wrap-around. */
typedef struct dw_case {
    int out_w, stride, kh, kw, line_stride, accumulate, lanes, pipe;
    int lo, hi; /* range of the random UB values */
} dw_case;

static void put_dwconv(uint8_t insn[INSN_BYTES], const dw_case *p, uint32_t acc, uint32_t src, uint32_t wts)
{
    new_word(insn, OP_DWCONV, PUSH_NEXT);
    put_field(insn, 12, 20, acc);
    put_field(insn, 32, 20, src);
    put_field(insn, 52, 20, wts);
    put_field(insn, 72, 10, p->out_w - 1);
    put_field(insn, 82, 4, p->stride - 1);
    put_field(insn, 86, 4, p->kh - 1);
    put_field(insn, 90, 4, p->kw - 1);
    put_field(insn, 94, 16, p->line_stride);
    put_field(insn, 110, 1, p->accumulate);
}

/* dwconv: one tap line (ox, dy) per cycle from the start cycle, dy fastest, so ACC row
 * acc + ox is written in cycle ox * kh + kh - 1 and nothing else is written; duration
 * pipe + ceil(out_w * kh * N / lanes). Cases: a 3x3 stride-2 kernel with accumulate, the
 * widest kernel (16x16, every window row a tap), fewer lanes than N with pipe 0 and 3,
 * a 1x1 kernel, and all -128 inputs and weights accumulating onto values near the int32
 * limits (each product 2^14; 16x16 of them is 2^22, so the sums wrap). */
static void test_vector_dwconv(void **state)
{
    (void)state;
    rng r = {1919};
    const dw_case cases[] = {
        {5, 2, 3, 3, 13, 1, VN, 2, -128, 127},
        {2, 1, 16, 16, 18, 0, VN, 2, -128, 127},
        {4, 3, 2, 5, 15, 0, 3, 0, -128, 127},
        {3, 1, 4, 2, 5, 1, 5, 3, -20, 20},
        {6, 1, 1, 1, 0, 0, VN, 1, -128, 127},
        {2, 1, 16, 16, 17, 1, VN, 0, -128, -128},
    };
    enum { ACC = 40, SRC = 100, WTS = 600, SPAN = 400 };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const dw_case *p = &cases[i];
        vector_unit *v = new_vector_unit((uint32_t)p->lanes, (uint32_t)p->pipe);
        for (uint32_t row = 0; row < SPAN; row += 50) {
            fill_ub_range(v, &r, SRC + row, 50, p->lo, p->hi);
            fill_ub_range(v, &r, WTS + row, 50, p->lo, p->hi);
        }
        int32_t old[16 * VN], got[16 * VN];
        for (int k = 0; k < p->out_w * VN; k++)
            old[k] = (int32_t)(p->lo == p->hi ? (k % 2 ? INT32_MAX - 5 : INT32_MIN + 5) : rng_range(&r, INT32_MIN, INT32_MAX));
        CHECK_OK(vector_unit_write_acc(v, ACC, (uint32_t)p->out_w, old, err));
        int8_t in[SPAN * VN], wts[SPAN * VN];
        read_ub(v, SRC, SPAN, in);
        read_ub(v, WTS, SPAN, wts);

        uint8_t insn[INSN_BYTES];
        put_dwconv(insn, p, ACC, SRC, WTS);
        vector_trace tr;
        run_vector(v, insn, &tr);
        int steps = p->out_w * p->kh;
        EXPECT_EQ(tr.cycles, p->pipe + (steps * VN + p->lanes - 1) / p->lanes, "dwconv case %zu: duration", i);
        EXPECT_EQ(tr.push, 2, "dwconv case %zu: push_o", i);
        EXPECT_EQ(tr.writes, 0, "dwconv case %zu: UB writes", i);
        EXPECT_EQ(tr.acc_writes, p->out_w, "dwconv case %zu: accumulator writes", i);
        for (int k = 0; k < tr.acc_writes; k++) {
            EXPECT_EQ(tr.acc_write_cycle[k], k * p->kh + p->kh - 1, "dwconv case %zu: cycle of ACC write %d", i, k);
            EXPECT_EQ(tr.acc_write_row[k], ACC + (uint32_t)k, "dwconv case %zu: row of ACC write %d", i, k);
        }
        CHECK_OK(vector_unit_read_acc(v, ACC, (uint32_t)p->out_w, got, err));
        int wrapped = 0;
        for (int ox = 0; ox < p->out_w; ox++)
            for (int c = 0; c < VN; c++) {
                int64_t sum = p->accumulate ? old[ox * VN + c] : 0;
                for (int dy = 0; dy < p->kh; dy++)
                    for (int dx = 0; dx < p->kw; dx++) {
                        int row = dy * p->line_stride + ox * p->stride + dx, w = dy * p->kw + dx;
                        assert_true(row < SPAN && w < SPAN);
                        sum += (int64_t)in[row * VN + c] * wts[w * VN + c];
                    }
                wrapped += sum > INT32_MAX || sum < INT32_MIN;
                EXPECT_EQ(got[ox * VN + c], (int32_t)(uint32_t)(uint64_t)sum, "dwconv case %zu: ox %d column %d", i, ox, c);
            }
        if (p->lo == p->hi)
            assert_true(wrapped > 0); /* the wrap-around case does wrap */
        vector_unit_destroy(v);
    }
}

/* vsum: one row per cycle, ACC row acc written once, in the last step (cycle rows - 1);
 * duration pipe + ceil(rows * N / lanes). Plain and squared, with and without
 * accumulate, stride 1, 3 and 0 (the same row every time), fewer lanes than N, and an
 * accumulate onto values near the int32 limits that wraps. */
static void test_vector_vsum(void **state)
{
    (void)state;
    rng r = {3131};
    const struct {
        int rows, stride, square, accumulate, lanes, pipe;
        bool near_limit;
    } cases[] = {
        {1, 1, 0, 0, VN, 2, false},  {7, 3, 1, 1, VN, 2, false}, {40, 1, 1, 0, 3, 0, false},
        {13, 0, 0, 1, 5, 4, false}, {64, 2, 1, 1, VN, 1, true}, {30, 5, 0, 1, VN, 0, true},
    };
    enum { ACC = 77, SRC = 200 };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vector_unit *v = new_vector_unit((uint32_t)cases[i].lanes, (uint32_t)cases[i].pipe);
        for (uint32_t row = 0; row < 320; row += 64)
            fill_ub_random(v, &r, SRC + row, 64);
        int8_t in[320 * VN];
        read_ub(v, SRC, 320, in);
        int32_t old[VN], got[VN];
        for (int c = 0; c < VN; c++)
            old[c] = (int32_t)(cases[i].near_limit ? (c % 2 ? INT32_MAX - 100 : INT32_MIN + 100)
                                                   : rng_range(&r, -100000, 100000));
        CHECK_OK(vector_unit_write_acc(v, ACC, 1, old, err));
        uint8_t insn[INSN_BYTES];
        new_word(insn, OP_VSUM, PUSH_PREV);
        put_field(insn, 12, 20, ACC);
        put_field(insn, 32, 20, SRC);
        put_field(insn, 52, 16, cases[i].rows - 1);
        put_field(insn, 68, 16, cases[i].stride);
        put_field(insn, 84, 1, cases[i].square);
        put_field(insn, 85, 1, cases[i].accumulate);
        vector_trace tr;
        run_vector(v, insn, &tr);
        EXPECT_EQ(tr.cycles, cases[i].pipe + (cases[i].rows * VN + cases[i].lanes - 1) / cases[i].lanes,
                  "vsum case %zu: duration", i);
        EXPECT_EQ(tr.push, 1, "vsum case %zu: push_o", i);
        EXPECT_EQ(tr.writes, 0, "vsum case %zu: UB writes", i);
        EXPECT_EQ(tr.acc_writes, 1, "vsum case %zu: accumulator writes", i);
        EXPECT_EQ(tr.acc_write_cycle[0], cases[i].rows - 1, "vsum case %zu: cycle of the ACC write", i);
        EXPECT_EQ(tr.acc_write_row[0], ACC, "vsum case %zu: row of the ACC write", i);
        CHECK_OK(vector_unit_read_acc(v, ACC, 1, got, err));
        int wrapped = 0;
        for (int c = 0; c < VN; c++) {
            int64_t sum = cases[i].accumulate ? old[c] : 0;
            for (int k = 0; k < cases[i].rows; k++) {
                int64_t x = in[k * cases[i].stride * VN + c];
                sum += cases[i].square ? x * x : x;
            }
            wrapped += sum > INT32_MAX || sum < INT32_MIN;
            EXPECT_EQ(got[c], (int32_t)(uint32_t)(uint64_t)sum, "vsum case %zu: column %d", i, c);
        }
        if (cases[i].near_limit && cases[i].square)
            assert_true(wrapped > 0); /* squares push the odd columns past INT32_MAX */
        vector_unit_destroy(v);
    }
}

/* The lane counter and pipeline depth: pipe + ceil(elements / lanes) for lanes < N and
 * pipe 0 or 5 (the datapath still does a row per cycle, so the writes keep their cycles),
 * cnop in one cycle, the push flags of the started instruction on push_o, and a second
 * instruction started in the first one's end cycle (the unit is free in cycle e) reading
 * what the first wrote. */
static void test_vector_latency(void **state)
{
    (void)state;
    rng r = {5};
    const struct {
        int lanes, pipe, rows;
    } cases[] = {{3, 0, 5}, {3, 5, 5}, {8, 0, 1}, {1, 1, 2}, {5, 2, 4}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vector_unit *v = new_vector_unit((uint32_t)cases[i].lanes, (uint32_t)cases[i].pipe);
        fill_ub_random(v, &r, 0, (uint32_t)cases[i].rows);
        uint8_t insn[INSN_BYTES];
        new_word(insn, OP_VADD, PUSH_NEXT);
        put_field(insn, 32, 20, 0);
        put_field(insn, 52, 20, 20);
        put_field(insn, 72, 16, cases[i].rows - 1);
        put_field(insn, 88, 16, 1);
        put_field(insn, 104, 16, 1);
        vector_trace tr;
        run_vector(v, insn, &tr);
        check_row_op_timing(&tr, 20, cases[i].rows, cases[i].lanes, cases[i].pipe);
        EXPECT_EQ(tr.push, 2, "case %zu: push_o after vadd push=st", i);
        vector_unit_destroy(v);
    }

    /* cnop: 1 cycle, with both push flags */
    vector_unit *v = new_vector_unit(VN, 2);
    uint8_t cnop[INSN_BYTES];
    new_word(cnop, OP_CNOP, PUSH_PREV | PUSH_NEXT | POP_PREV);
    vector_trace tr;
    run_vector(v, cnop, &tr);
    EXPECT_EQ(tr.cycles, 1, "cnop duration");
    EXPECT_EQ(tr.writes, 0, "cnop writes");
    EXPECT_EQ(tr.push, 3, "cnop push_o");

    /* back to back: vadd a + a -> rows 8..10 (cycles [0, 5)), then vmul of rows 8..10 by
     * themselves starting in cycle 5, the vadd's end cycle */
    fill_ub_random(v, &r, 0, 3);
    int8_t a[3 * VN], got[3 * VN];
    read_ub(v, 0, 3, a);
    uint8_t add[INSN_BYTES], mul[INSN_BYTES];
    new_word(add, OP_VADD, 0);
    put_field(add, 52, 20, 8);
    put_field(add, 72, 16, 2);
    put_field(add, 88, 16, 1);
    put_field(add, 104, 16, 1);
    new_word(mul, OP_VMUL, PUSH_PREV);
    put_field(mul, 12, 20, 8);
    put_field(mul, 32, 20, 8);
    put_field(mul, 52, 20, 12);
    put_field(mul, 72, 16, 2);
    put_field(mul, 88, 16, 3);
    put_field(mul, 104, 5, 4);
    /* vadd: 2 + ceil(3 * 8 / 8) = 5 cycles, end pulse in cycle 5, where vmul starts;
     * vmul's end pulse is in cycle 5 + 5 = 10 */
    for (int t = 0; t <= 10; t++) {
        vector_unit_cycle cycle;
        bool start = t == 0 || t == 5;
        CHECK_OK(vector_unit_step(v, start, t == 0 ? add : t == 5 ? mul : NULL, &cycle, err));
        EXPECT_EQ(cycle.end, t == 5 || t == 10, "back to back, cycle %d: end_o", t);
        EXPECT_EQ(cycle.busy, t != 0 && t != 5 && t != 10, "back to back, cycle %d: busy_o", t);
        EXPECT_EQ(cycle.ub_write, t < 3 || (t >= 5 && t < 8), "back to back, cycle %d: UB write", t);
        if (t == 10)
            EXPECT_EQ(cycle.push, 1, "vmul push=ld on push_o");
    }
    read_ub(v, 12, 3, got);
    for (int i = 0; i < 3 * VN; i++) {
        int64_t sum = sat8(2 * (int64_t)a[i]);
        EXPECT_EQ(got[i], sat8(round_shift(sum * sum * 3, 4)), "back-to-back element %d", i);
    }
    vector_unit_destroy(v);
}

/* The wrapper's own bad inputs, each with its message. */
static void test_vector_bad_inputs(void **state)
{
    (void)state;
    vector_unit *v = new_vector_unit(VN, 2);
    rtpu_error err = {0};
    int8_t rows[16 * VN] = {0};
    int8_t table[256] = {0};
    assert_int_equal(vector_unit_write_ub(v, VECTOR_UNIT_UB_ROWS - 4, 8, rows, &err), RTPU_ERR_INVALID);
    assert_non_null(strstr(err.message, "UB rows 1020..1028 outside the 1024-row buffer"));
    assert_int_equal(vector_unit_read_ub(v, VECTOR_UNIT_UB_ROWS, 1, rows, &err), RTPU_ERR_INVALID);
    assert_non_null(strstr(err.message, "UB rows 1024..1025 outside"));
    int32_t acc[VN] = {0};
    assert_int_equal(vector_unit_write_acc(v, VECTOR_UNIT_ACC_ROWS, 1, acc, &err), RTPU_ERR_INVALID);
    assert_non_null(strstr(err.message, "accumulator rows 256..257 outside the 256 rows"));
    assert_int_equal(vector_unit_write_lut(v, VECTOR_UNIT_LUT_TABLES, table, &err), RTPU_ERR_INVALID);
    assert_non_null(strstr(err.message, "lookup table 8 beyond the 8 tables"));

    /* an instruction writing past the modelled UB fails its first write cycle */
    uint8_t insn[INSN_BYTES];
    new_word(insn, OP_LUT, 0);
    put_field(insn, 32, 20, 5000);
    vector_unit_cycle cycle;
    assert_int_equal(vector_unit_step(v, true, insn, &cycle, &err), RTPU_ERR_RUNTIME);
    assert_non_null(strstr(err.message, "write to UB row 5000 beyond the 1024-row buffer"));
    vector_unit_destroy(v);
}

/* ====================================================================================
 * rtpu_insn_queue (CAPACITY 4)
 * ==================================================================================== */

enum { QCAP = QUEUE_UNIT_CAPACITY };

static queue_unit_inputs queue_push(uint32_t pc, bool start)
{
    queue_unit_inputs in;
    memset(&in, 0, sizeof in);
    in.push = true;
    in.push_pc = pc;
    for (int i = 0; i < INSN_BYTES; i++)
        in.push_word[i] = (uint8_t)(pc * 17 + (uint32_t)i * 29 + 1);
    in.start = start;
    return in;
}

static void check_head(const queue_unit_outputs *o, bool valid, uint32_t pc, uint32_t count, const char *what)
{
    EXPECT_EQ(o->head_valid, valid, "%s: head_valid", what);
    EXPECT_EQ(o->count, count, "%s: count", what);
    if (valid) {
        queue_unit_inputs expected = queue_push(pc, false);
        EXPECT_EQ(o->head_pc, pc, "%s: head_pc", what);
        for (int i = 0; i < INSN_BYTES; i++)
            EXPECT_EQ(o->head_word[i], expected.push_word[i], "%s: head word byte %d", what, i);
    }
}

/* By hand: empty after reset; the bypass (a push into an empty queue is the head at
 * once and, started in the same cycle, never counts); filling to CAPACITY with the
 * oldest at the head; a push and a start together keeping the count; draining in order. */
static void test_queue_by_hand(void **state)
{
    (void)state;
    queue_unit *q = NULL;
    CHECK_OK(queue_unit_create(&q, err));
    queue_unit_inputs idle;
    memset(&idle, 0, sizeof idle);
    queue_unit_outputs o;

    queue_unit_set_inputs(q, &idle);
    queue_unit_outputs_now(q, &o);
    check_head(&o, false, 0, 0, "after reset");

    queue_unit_inputs in = queue_push(7, true);
    queue_unit_set_inputs(q, &in);
    queue_unit_outputs_now(q, &o);
    check_head(&o, true, 7, 0, "bypass cycle");
    queue_unit_tick(q);
    queue_unit_set_inputs(q, &idle);
    queue_unit_outputs_now(q, &o);
    check_head(&o, false, 0, 0, "after the bypass start");

    for (uint32_t i = 0; i < QCAP; i++) {
        in = queue_push(10 + i, false);
        queue_unit_set_inputs(q, &in);
        queue_unit_outputs_now(q, &o);
        check_head(&o, true, 10, i, "filling");
        queue_unit_tick(q);
    }
    queue_unit_set_inputs(q, &idle);
    queue_unit_outputs_now(q, &o);
    check_head(&o, true, 10, QCAP, "full");

    /* start the head (10) while pushing 20: count stays at CAPACITY - 0 */
    in = queue_push(20, true);
    queue_unit_set_inputs(q, &in);
    queue_unit_outputs_now(q, &o);
    check_head(&o, true, 10, QCAP, "push and start when full");
    queue_unit_tick(q);

    const uint32_t order[QCAP] = {11, 12, 13, 20};
    queue_unit_inputs start = idle;
    start.start = true;
    for (uint32_t i = 0; i < QCAP; i++) {
        queue_unit_set_inputs(q, &start);
        queue_unit_outputs_now(q, &o);
        check_head(&o, true, order[i], QCAP - i, "draining");
        queue_unit_tick(q);
    }
    queue_unit_set_inputs(q, &idle);
    queue_unit_outputs_now(q, &o);
    check_head(&o, false, 0, 0, "drained");
    queue_unit_destroy(q);
}

/* 2000 random cycles against a naive FIFO: a push whenever the registered count is
 * below CAPACITY (what dispatch guarantees), a start whenever a head is valid, each
 * with probability 1/2; the read and write pointers wrap hundreds of times. */
static void test_queue_random(void **state)
{
    (void)state;
    rng r = {2024};
    queue_unit *q = NULL;
    CHECK_OK(queue_unit_create(&q, err));
    uint32_t fifo[QCAP], count = 0, next_pc = 1;
    for (int t = 0; t < 2000; t++) {
        bool push = count < QCAP && rng_range(&r, 0, 1);
        bool valid = count > 0 || push;
        bool start = valid && rng_range(&r, 0, 1);
        queue_unit_inputs in = queue_push(next_pc, start);
        in.push = push;
        queue_unit_set_inputs(q, &in);
        queue_unit_outputs o;
        queue_unit_outputs_now(q, &o);
        char what[64];
        snprintf(what, sizeof what, "random cycle %d", t);
        check_head(&o, valid, count > 0 ? fifo[0] : next_pc, count, what);
        queue_unit_tick(q);
        if (start && count > 0) {
            memmove(fifo, fifo + 1, (count - 1) * sizeof fifo[0]);
            count--;
            if (push)
                fifo[count++] = next_pc;
        } else if (push && !start) {
            fifo[count++] = next_pc;
        }
        if (push)
            next_pc++;
    }
    queue_unit_destroy(q);
}

/* ====================================================================================
 * rtpu_tokens
 * ==================================================================================== */

static uint32_t tokens_cycle(tokens_unit *t, uint8_t p0, uint8_t p1, uint8_t p2, uint8_t p3, uint32_t pop)
{
    const uint8_t push[4] = {p0, p1, p2, p3};
    tokens_unit_set_inputs(t, push, pop);
    uint32_t available = tokens_unit_available(t);
    tokens_unit_tick(t);
    return available;
}

/* By hand, cycle by cycle (available bits in the cycle, before its edge). */
static void test_tokens_by_hand(void **state)
{
    (void)state;
    tokens_unit *t = NULL;
    CHECK_OK(tokens_unit_create(&t, err));
    EXPECT_EQ(tokens_cycle(t, 0, 0, 0, 0, 0), 0x0, "after reset: none");
    EXPECT_EQ(tokens_cycle(t, 1, 0, 0, 0, 0), 0x1, "a push counts in its own cycle");
    EXPECT_EQ(tokens_cycle(t, 0, 0, 0, 0, 0), 0x1, "and stays");
    EXPECT_EQ(tokens_cycle(t, 0, 0, 0, 0, 0x1), 0x1, "pop of counter 0");
    EXPECT_EQ(tokens_cycle(t, 0, 0, 0, 0, 0), 0x0, "consumed");
    /* two compute units end together on ex->st (counter 1), three pushes on st->ex */
    EXPECT_EQ(tokens_cycle(t, 0, 2, 0, 3, 0), 0xa, "push 2 on counter 1, 3 on counter 3");
    for (int k = 0; k < 3; k++)
        EXPECT_EQ(tokens_cycle(t, 0, 0, 0, 0, k < 2 ? 0xa : 0x8), 0xa - (k == 2 ? 2 : 0), "pop %d", k);
    EXPECT_EQ(tokens_cycle(t, 0, 0, 0, 0, 0), 0x0, "counters 1 and 3 used up");
    /* push and pop in the same cycle on an empty counter: available, and empty after */
    EXPECT_EQ(tokens_cycle(t, 0, 0, 1, 0, 0x4), 0x4, "push and pop together on counter 2");
    EXPECT_EQ(tokens_cycle(t, 0, 0, 0, 0, 0), 0x0, "counter 2 back to 0");
    tokens_unit_destroy(t);
}

/* 3000 random cycles against four naive counters: pushes 0..3 per counter (mostly 0),
 * a pop whenever the counter has a token available, with probability 1/2. */
static void test_tokens_random(void **state)
{
    (void)state;
    rng r = {77};
    tokens_unit *t = NULL;
    CHECK_OK(tokens_unit_create(&t, err));
    int64_t counts[4] = {0};
    int64_t most = 0;
    for (int c = 0; c < 3000; c++) {
        uint8_t push[4];
        uint32_t pop = 0, want = 0;
        for (int k = 0; k < 4; k++) {
            int64_t roll = rng_range(&r, 0, 9);
            push[k] = (uint8_t)(roll < 6 ? 0 : roll < 8 ? 1 : roll - 6);
            if (counts[k] + push[k] != 0) {
                want |= 1u << k;
                if (rng_range(&r, 0, 1))
                    pop |= 1u << k;
            }
        }
        tokens_unit_set_inputs(t, push, pop);
        EXPECT_EQ(tokens_unit_available(t), want, "random cycle %d", c);
        tokens_unit_tick(t);
        for (int k = 0; k < 4; k++) {
            counts[k] += push[k] - (int64_t)((pop >> k) & 1);
            most = counts[k] > most ? counts[k] : most;
        }
    }
    assert_true(most > 10); /* the counters really counted past 1 */
    tokens_unit_destroy(t);
}

/* ====================================================================================
 * rtpu_issue
 * ==================================================================================== */

/* Unit of an opcode (docs/architecture.md "Units and queues"), -1 for none. */
static int unit_of(int op)
{
    if (op >= 2 && op <= 6)
        return 0; /* load */
    if (op == 7)
        return 1; /* weight path */
    if (op == 8)
        return 2; /* mxu */
    if ((op >= 9 && op <= 16) || op == 19 || op == 20)
        return 3; /* vector (dwconv 19 and vsum 20 too) */
    if (op == 17 || op == 18)
        return 4; /* store */
    return -1;
}

/* The start rule of docs/architecture.md "Start", for one cycle's heads. Counters: 0
 * ld->ex, 1 ex->st, 2 ex->ld, 3 st->ex; load pops "next" from ex->ld, compute pops "prev"
 * from ld->ex and "next" from st->ex, store pops "prev" from ex->st. */
static issue_unit_outputs issue_ref(const issue_unit_inputs *in)
{
    static const int pop_counter[3][2] = {{-1, 2}, {0, 3}, {1, -1}};
    issue_unit_outputs o = {0, 0, 0, 0};
    for (int q = 0; q < 3; q++) {
        if (!((in->head_valid >> q) & 1))
            continue;
        int op = in->head_word[q][0], flags = in->head_word[q][1] & 0xf;
        int unit = unit_of(op);
        if (unit < 0)
            continue;
        o.waiting |= 1u << unit;
        bool ok = !((in->unit_busy >> unit) & 1);
        if (op == 8)
            ok = ok && !((in->unit_busy >> 1) & 1) && !((in->unit_busy >> 3) & 1);
        if (unit == 3)
            ok = ok && !((in->unit_busy >> 2) & 1);
        uint32_t pops = 0;
        for (int next = 0; next < 2; next++)
            if ((flags & (next ? POP_NEXT : POP_PREV)) && pop_counter[q][next] >= 0) {
                pops |= 1u << pop_counter[q][next];
                ok = ok && ((in->token_available >> pop_counter[q][next]) & 1);
            }
        if (ok) {
            o.start |= 1u << q;
            o.unit_start |= 1u << unit;
            o.pop |= pops;
        }
    }
    return o;
}

/* Two hand cases, then 20000 random cycles against issue_ref: heads with each queue's
 * own opcodes and valid token flags (docs/isa.md), random operand bits, busy flags and
 * tokens. */
static void test_issue(void **state)
{
    (void)state;
    issue_unit *u = NULL;
    CHECK_OK(issue_unit_create(&u, err));
    issue_unit_inputs in;
    issue_unit_outputs got;

    /* matmul pop=ld with the token, MXU free but the vector unit busy: no start; the
     * load head (load.ub pop=ex) without its ex->ld token waits too; the store (snop)
     * starts. */
    memset(&in, 0, sizeof in);
    in.head_valid = 7;
    new_word(in.head_word[0], 2, POP_NEXT);
    new_word(in.head_word[1], 8, POP_PREV);
    new_word(in.head_word[2], 18, 0);
    in.unit_busy = 1u << 3;
    in.token_available = 1u << 0;
    issue_unit_evaluate(u, &in, &got);
    EXPECT_EQ(got.start, 0x4, "hand case 1: start");
    EXPECT_EQ(got.unit_start, 0x10, "hand case 1: unit_start");
    EXPECT_EQ(got.waiting, 0x15, "hand case 1: waiting (load, mxu, store)");
    EXPECT_EQ(got.pop, 0x0, "hand case 1: pop");
    /* the vector unit frees: the matmul starts and pops ld->ex */
    in.unit_busy = 0;
    issue_unit_evaluate(u, &in, &got);
    EXPECT_EQ(got.start, 0x6, "hand case 2: start");
    EXPECT_EQ(got.unit_start, 0x14, "hand case 2: unit_start");
    EXPECT_EQ(got.pop, 0x1, "hand case 2: pop");

    rng r = {8080};
    static const int ops[3][2] = {{2, 6}, {7, 16}, {17, 18}};
    static const unsigned flag_mask[3] = {POP_NEXT | PUSH_NEXT, 0xf, POP_PREV | PUSH_PREV};
    int starts = 0;
    for (int c = 0; c < 20000; c++) {
        memset(&in, 0, sizeof in);
        in.head_valid = (uint32_t)rng_range(&r, 0, 7);
        for (int q = 0; q < 3; q++) {
            for (int i = 0; i < INSN_BYTES; i++)
                in.head_word[q][i] = (uint8_t)rng_next(&r);
            in.head_word[q][0] = (uint8_t)rng_range(&r, ops[q][0], ops[q][1]);
            /* the compute queue also holds dwconv (19) and vsum (20) */
            if (q == 1 && rng_range(&r, 0, 5) == 0)
                in.head_word[q][0] = (uint8_t)rng_range(&r, 19, 20);
            in.head_word[q][1] = (uint8_t)((in.head_word[q][1] & 0xf0) | (rng_next(&r) & flag_mask[q]));
        }
        in.unit_busy = (uint32_t)rng_range(&r, 0, 31) & (uint32_t)rng_range(&r, 0, 31);
        in.token_available = (uint32_t)rng_range(&r, 0, 15) | (uint32_t)rng_range(&r, 0, 15);
        issue_unit_outputs want = issue_ref(&in);
        issue_unit_evaluate(u, &in, &got);
        EXPECT_EQ(got.start, want.start, "random cycle %d: start", c);
        EXPECT_EQ(got.unit_start, want.unit_start, "random cycle %d: unit_start", c);
        EXPECT_EQ(got.waiting, want.waiting, "random cycle %d: waiting", c);
        EXPECT_EQ(got.pop, want.pop, "random cycle %d: pop", c);
        starts += got.start != 0;
    }
    assert_true(starts > 5000 && starts < 19000); /* both outcomes are exercised */
    issue_unit_destroy(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pe_cycle_by_cycle),
        cmocka_unit_test(test_array_matmul_timing),
        cmocka_unit_test(test_vector_requant),
        cmocka_unit_test(test_vector_add_sub_mul),
        cmocka_unit_test(test_vector_lut),
        cmocka_unit_test(test_vector_maxpool),
        cmocka_unit_test(test_vector_resize),
        cmocka_unit_test(test_vector_dwconv),
        cmocka_unit_test(test_vector_vsum),
        cmocka_unit_test(test_vector_latency),
        cmocka_unit_test(test_vector_bad_inputs),
        cmocka_unit_test(test_queue_by_hand),
        cmocka_unit_test(test_queue_random),
        cmocka_unit_test(test_tokens_by_hand),
        cmocka_unit_test(test_tokens_random),
        cmocka_unit_test(test_issue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
