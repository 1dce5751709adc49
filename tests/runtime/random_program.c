/* Random valid programs (see random_program.h).
 *
 * Validity has two halves. Each instruction's fields are drawn at random and kept only
 * if the program checker (program_check_insn) accepts them, so every address is in
 * bounds. Synchronisation is built from a happens-before relation: E(X) is the set of
 * earlier instructions guaranteed to have ended when X starts, derived only from rules
 * the timing model guarantees:
 *   - in-order issue: X starts after the previous instruction of its queue started, so
 *     E(X) includes E of that instruction;
 *   - one instruction per unit: the previous instruction on X's unit, and its E;
 *   - compute hazards: a matmul after every earlier ldw and vector instruction, a vector
 *     instruction after every earlier matmul;
 *   - tokens: the k-th pop of a counter takes the k-th push. Pushes are in end order
 *     because only single-unit queues and compute instructions that serialise against
 *     each other push (never ldw), so the pusher and its E are in E(X).
 * For every earlier access that conflicts with X (write after read or write, read after
 * write; the memories are tracked per row, DRAM per 16 bytes), X must have it in E(X).
 * If not, the generator adds pops to X, helper nops that consume tokens that do not
 * help, helper nops that push a token after the instruction to wait for, and for load
 * <-> store a compute nop relaying the token. A "fence" matmul (one zero row into a
 * scratch accumulator row) stands in for cnop when an ldw must end first. Pops only
 * take tokens pushed earlier in program order, so the program cannot deadlock. */
#include "random_program.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

enum {
    MAX_INSNS = 512,
    UB_WINDOW = 256,  /* rows 0..254 used; row 255 stays zero (the fence's input) */
    ZERO_ROW = 255,
    ACC_WINDOW = 128, /* rows 0..126 used; row 127 is the fences' scratch row */
    SCRATCH_ACC = 127,
    LUT_WINDOW = 4,
    GRANULE = 16,
};

typedef struct { uint64_t bits[MAX_INSNS / 64]; } insn_set;

static void set_add(insn_set *s, int i) { s->bits[i / 64] |= UINT64_C(1) << (i % 64); }
static bool set_has(const insn_set *s, int i) { return s->bits[i / 64] >> (i % 64) & 1; }
static void set_union(insn_set *s, const insn_set *t)
{
    for (int w = 0; w < MAX_INSNS / 64; w++)
        s->bits[w] |= t->bits[w];
}

/* One tracked cell (a memory row, a LUT table or 16 bytes of DRAM): its last writer
 * and the readers since. */
typedef struct cell {
    int writer;
    int readers[MAX_INSNS];
    int reader_count;
} cell;

typedef struct generator {
    rng *r;
    rtpu_program *p;
    uint32_t n;
    int ub_cells, wb_cells, acc_cells, lut_cells, dram_cells, cell_count;
    cell *cells;
    insn_set ended[MAX_INSNS];     /* E(X) */
    int last_in_queue[QUEUE_COUNT];
    int last_on_unit[UNIT_COUNT];
    int pushes[4][MAX_INSNS];      /* pushers of each counter, in program order */
    int push_count[4], pop_count[4];
} generator;

/* Counter a queue pushes or pops towards a neighbour (numbering of sim/sim.c). */
static int counter_between(isa_queue from, isa_queue to)
{
    if (from == QUEUE_LOAD) return 0;                    /* ld->ex */
    if (from == QUEUE_COMPUTE) return to == QUEUE_STORE ? 1 : 2; /* ex->st, ex->ld */
    return 3;                                            /* st->ex */
}

static uint64_t pick(generator *g, uint64_t lo, uint64_t hi) { return lo + rng_next(g->r) % (hi - lo + 1); }

/* ---- accesses of an instruction, as lists of cells ---- */

typedef struct access { int reads[2048], writes[2048]; int read_count, write_count; } access;

static void add_cell(int *list, int *count, int c)
{
    for (int i = 0; i < *count; i++)
        if (list[i] == c)
            return;
    list[(*count)++] = c;
}
static void rows(generator *g, access *a, bool write, int base, uint64_t first, uint64_t count)
{
    (void)g;
    for (uint64_t i = 0; i < count; i++) {
        if (write)
            add_cell(a->writes, &a->write_count, base + (int)(first + i));
        else
            add_cell(a->reads, &a->read_count, base + (int)(first + i));
    }
}
static void dram(generator *g, access *a, bool write, uint64_t addr, uint64_t bytes)
{
    int base = g->ub_cells + g->wb_cells + g->acc_cells + g->lut_cells;
    for (uint64_t gr = addr / GRANULE; gr <= (addr + bytes - 1) / GRANULE; gr++) {
        if (write)
            add_cell(a->writes, &a->write_count, base + (int)gr);
        else
            add_cell(a->reads, &a->read_count, base + (int)gr);
    }
}

static void accesses(generator *g, const isa_insn *in, access *a)
{
    const int64_t *f = in->args;
    int ub = 0, wb = g->ub_cells, acc = wb + g->wb_cells, lut = acc + g->acc_cells;
    a->read_count = a->write_count = 0;
    switch (in->opcode) {
    case OP_LOAD_UB:
    case OP_LOAD_WB:
    case OP_LOAD_ACC: {
        uint64_t lines = f[LOAD_LINES] + f[LOAD_PAD_TOP] + f[LOAD_PAD_BOTTOM];
        uint64_t width = f[LOAD_ROWS] + f[LOAD_PAD_LEFT] + f[LOAD_PAD_RIGHT];
        int base = in->opcode == OP_LOAD_UB ? ub : in->opcode == OP_LOAD_WB ? wb : acc;
        rows(g, a, true, base, f[LOAD_SRAM], lines * width);
        uint64_t size = in->opcode == OP_LOAD_ACC ? 4 : 1;
        for (int64_t y = 0; y < f[LOAD_LINES]; y++)
            dram(g, a, false, f[LOAD_DRAM] + y * f[LOAD_STRIDE] * size, f[LOAD_ROWS] * f[LOAD_ELEMS] * size);
        break;
    }
    case OP_LOAD_LUT:
        rows(g, a, true, lut, f[LUTLOAD_TABLE], 1);
        dram(g, a, false, f[LUTLOAD_DRAM], 256);
        break;
    case OP_STORE:
        for (int64_t y = 0; y < f[STORE_LINES]; y++) {
            rows(g, a, false, ub, f[STORE_SRAM] + y * f[STORE_SRAM_STRIDE], f[STORE_ROWS]);
            dram(g, a, true, f[STORE_DRAM] + y * f[STORE_STRIDE], f[STORE_ROWS] * f[STORE_ELEMS]);
        }
        break;
    case OP_LDW: rows(g, a, false, wb, f[LDW_WB], g->n); break;
    case OP_MATMUL:
        for (int64_t i = 0; i < f[MATMUL_OUTER]; i++)
            for (int64_t j = 0; j < f[MATMUL_INNER]; j++)
                rows(g, a, false, ub, f[MATMUL_UB] + i * f[MATMUL_OUTER_STRIDE] + j * f[MATMUL_INNER_STRIDE], 1);
        rows(g, a, true, acc, f[MATMUL_ACC], f[MATMUL_OUTER] * f[MATMUL_INNER]);
        if (f[MATMUL_ACCUMULATE])
            rows(g, a, false, acc, f[MATMUL_ACC], f[MATMUL_OUTER] * f[MATMUL_INNER]);
        break;
    case OP_REQUANT:
        rows(g, a, false, acc, f[REQUANT_ACC], f[REQUANT_ROWS]);
        rows(g, a, false, acc, f[REQUANT_PARAM], 3);
        rows(g, a, true, ub, f[REQUANT_UB], f[REQUANT_ROWS]);
        break;
    case OP_VADD:
    case OP_VSUB:
    case OP_VMUL:
        rows(g, a, false, ub, f[VEC_A], f[VEC_ROWS]);
        rows(g, a, false, ub, f[VEC_B], f[VEC_ROWS]);
        rows(g, a, true, ub, f[VEC_DST], f[VEC_ROWS]);
        break;
    case OP_LUT:
        rows(g, a, false, ub, f[LUT_SRC], f[LUT_ROWS]);
        rows(g, a, false, lut, f[LUT_TABLE], 1);
        rows(g, a, true, ub, f[LUT_DST], f[LUT_ROWS]);
        break;
    case OP_MAXPOOL:
        rows(g, a, false, ub, f[POOL_SRC], f[POOL_IN_H] * f[POOL_IN_W]);
        rows(g, a, true, ub, f[POOL_DST], f[POOL_OUT_H] * f[POOL_OUT_W]);
        break;
    case OP_RESIZE:
        rows(g, a, false, ub, f[RESIZE_SRC], f[RESIZE_IN_H] * f[RESIZE_IN_W]);
        rows(g, a, true, ub, f[RESIZE_DST], f[RESIZE_OUT_H] * f[RESIZE_OUT_W]);
        break;
    case OP_DWCONV:
        for (int64_t dy = 0; dy < f[DW_KH]; dy++)
            for (int64_t ox = 0; ox < f[DW_OUT_W]; ox++)
                rows(g, a, false, ub, f[DW_SRC] + dy * f[DW_LINE_STRIDE] + ox * f[DW_STRIDE], f[DW_KW]);
        rows(g, a, false, ub, f[DW_WTS], f[DW_KH] * f[DW_KW]);
        rows(g, a, true, acc, f[DW_ACC], f[DW_OUT_W]);
        if (f[DW_ACCUMULATE])
            rows(g, a, false, acc, f[DW_ACC], f[DW_OUT_W]);
        break;
    case OP_VSUM:
        for (int64_t r = 0; r < f[VSUM_ROWS]; r++)
            rows(g, a, false, ub, f[VSUM_SRC] + r * f[VSUM_STRIDE], 1);
        rows(g, a, true, acc, f[VSUM_ACC], 1);
        if (f[VSUM_ACCUMULATE])
            rows(g, a, false, acc, f[VSUM_ACC], 1);
        break;
    default: break;
    }
}

/* ---- emitting ---- */

/* E of an instruction about to be emitted at index `at`, before its pops. */
static insn_set base_ended(const generator *g, const isa_insn *in)
{
    insn_set e;
    memset(&e, 0, sizeof e);
    const isa_op *op = isa_op_info(in->opcode);
    int prev = g->last_in_queue[op->queue];
    if (prev >= 0)
        set_union(&e, &g->ended[prev]);
    int same = g->last_on_unit[op->unit];
    if (same >= 0) {
        set_add(&e, same);
        set_union(&e, &g->ended[same]);
    }
    int at = (int)g->p->insn_count;
    for (int i = 0; i < at; i++) {
        int other = g->p->insns[i].opcode;
        bool hazard = (in->opcode == OP_MATMUL && (other == OP_LDW || isa_op_info(other)->unit == UNIT_VECTOR)) ||
                      (op->unit == UNIT_VECTOR && other == OP_MATMUL);
        if (hazard) {
            set_add(&e, i);
            set_union(&e, &g->ended[i]);
        }
    }
    return e;
}

/* Appends an instruction whose pops are already set: its E, the token bookkeeping, and
 * (when track is set) the cell accesses. Returns its index. */
static int emit(generator *g, isa_insn in, insn_set e, bool track)
{
    int at = (int)g->p->insn_count;
    assert_true(at < MAX_INSNS - 1);
    const isa_op *op = isa_op_info(in.opcode);
    rtpu_error err = {0};
    if (program_add_insn(g->p, &in, &err))
        fail_msg("%s", err.message);
    g->ended[at] = e;
    g->last_in_queue[op->queue] = at;
    g->last_on_unit[op->unit] = at;
    for (int next = 0; next < 2; next++)
        if (in.tokens & (next ? ISA_PUSH_NEXT : ISA_PUSH_PREV)) {
            isa_queue to = (isa_queue)(op->queue + (next ? 1 : -1));
            int k = counter_between(op->queue, to);
            g->pushes[k][g->push_count[k]++] = at;
        }
    if (track) {
        static access a;
        accesses(g, &in, &a);
        for (int i = 0; i < a.read_count; i++) {
            cell *c = &g->cells[a.reads[i]];
            c->readers[c->reader_count++] = at;
        }
        for (int i = 0; i < a.write_count; i++) {
            cell *c = &g->cells[a.writes[i]];
            c->writer = at;
            c->reader_count = 0;
        }
    }
    return at;
}

static isa_insn nop(isa_queue q)
{
    isa_insn in;
    memset(&in, 0, sizeof in);
    in.opcode = q == QUEUE_LOAD ? OP_LNOP : q == QUEUE_COMPUTE ? OP_CNOP : OP_SNOP;
    return in;
}

/* A matmul of the zero row into the scratch accumulator row: waits for every earlier
 * ldw (and vector instruction), which cnop does not. */
static isa_insn fence(void)
{
    isa_insn in;
    memset(&in, 0, sizeof in);
    in.opcode = OP_MATMUL;
    int64_t a[] = {SCRATCH_ACC, ZERO_ROW, 1, 0, 1, 0, 1, 1, 0};
    memcpy(in.args, a, sizeof a);
    return in;
}

/* Emits a helper in queue `from` that pushes towards `to` after (and covering) target. */
static void push_after(generator *g, isa_queue from, isa_queue to, int target)
{
    isa_insn h = from == QUEUE_COMPUTE && g->p->insns[target].opcode == OP_LDW ? fence() : nop(from);
    h.tokens = from < to ? ISA_PUSH_NEXT : ISA_PUSH_PREV;
    insn_set he = base_ended(g, &h);
    /* same unit (load, store, vector), or a fence after an ldw: the helper ends after target */
    assert_true(set_has(&he, target));
    emit(g, h, he, false);
}

/* Makes the instruction x (in queue q, not yet emitted, E so far *e) wait for the end of
 * `target` in the adjacent queue `from`, popping the counter from -> q. */
static void wait_through(generator *g, isa_insn *x, insn_set *e, isa_queue from, int target)
{
    isa_queue q = isa_op_info(x->opcode)->queue;
    int k = counter_between(from, q);
    uint8_t pop = from < q ? ISA_POP_PREV : ISA_POP_NEXT;
    for (;;) {
        if (set_has(e, target))
            return;
        if (g->pop_count[k] == g->push_count[k]) {
            push_after(g, from, q, target);
            continue;
        }
        int pusher = g->pushes[k][g->pop_count[k]];
        bool helps = pusher == target || set_has(&g->ended[pusher], target);
        if (helps && !(x->tokens & pop)) {
            x->tokens |= pop;
            g->pop_count[k]++;
            set_add(e, pusher);
            set_union(e, &g->ended[pusher]);
            return;
        }
        /* A helper nop in q takes this token; x, issuing after it, inherits what it knew. */
        isa_insn h = nop(q);
        h.tokens = pop;
        insn_set he = base_ended(g, &h);
        g->pop_count[k]++;
        set_add(&he, pusher);
        set_union(&he, &g->ended[pusher]);
        emit(g, h, he, false);
        set_union(e, &he);
    }
}

static void ensure(generator *g, isa_insn *x, insn_set *e, int target)
{
    if (set_has(e, target))
        return;
    isa_queue q = isa_op_info(x->opcode)->queue;
    isa_queue from = isa_op_info(g->p->insns[target].opcode)->queue;
    if (from == q)
        fail_msg("random_program: pc %d and a later instruction of its own queue are unordered", target);
    if (from != QUEUE_COMPUTE && q != QUEUE_COMPUTE) {
        /* load <-> store: a compute nop relays the token */
        isa_insn relay = nop(QUEUE_COMPUTE);
        insn_set re = base_ended(g, &relay);
        wait_through(g, &relay, &re, from, target);
        relay.tokens |= q == QUEUE_STORE ? ISA_PUSH_NEXT : ISA_PUSH_PREV;
        emit(g, relay, re, false);
        wait_through(g, x, e, QUEUE_COMPUTE, target);
        return;
    }
    wait_through(g, x, e, from, target);
}

/* ---- random instructions ---- */

static const int opcodes[] = {OP_LOAD_UB, OP_LOAD_UB, OP_LOAD_WB, OP_LOAD_ACC, OP_LOAD_LUT, OP_LNOP,
                              OP_LDW, OP_LDW, OP_MATMUL, OP_MATMUL, OP_MATMUL, OP_REQUANT, OP_VADD, OP_VSUB,
                              OP_VMUL, OP_LUT, OP_MAXPOOL, OP_RESIZE, OP_CNOP, OP_STORE, OP_STORE, OP_SNOP,
                              OP_DWCONV, OP_DWCONV, OP_VSUM};

static void random_fields(generator *g, isa_insn *in)
{
    int64_t *a = in->args;
    uint64_t n = g->n, wb_rows = 4 * n;
    switch (in->opcode) {
    case OP_LOAD_UB:
    case OP_LOAD_WB:
    case OP_LOAD_ACC: {
        a[LOAD_LINES] = pick(g, 1, 4);
        a[LOAD_ROWS] = pick(g, 1, in->opcode == OP_LOAD_WB ? n : 8);
        a[LOAD_ELEMS] = pick(g, 1, n);
        a[LOAD_STRIDE] = a[LOAD_ROWS] * a[LOAD_ELEMS] + pick(g, 0, 3) * pick(g, 0, 8);
        for (int i = LOAD_PAD_TOP; i <= LOAD_PAD_RIGHT; i++)
            a[i] = pick(g, 0, 3) == 0 ? pick(g, 1, 2) : 0;
        uint64_t size = in->opcode == OP_LOAD_ACC ? 4 : 1;
        uint64_t extent = ((a[LOAD_LINES] - 1) * a[LOAD_STRIDE] + a[LOAD_ROWS] * a[LOAD_ELEMS]) * size;
        a[LOAD_DRAM] = extent < RANDOM_DRAM_BYTES ? pick(g, 0, RANDOM_DRAM_BYTES - extent) : 0;
        uint64_t block = (a[LOAD_LINES] + a[LOAD_PAD_TOP] + a[LOAD_PAD_BOTTOM]) *
                         (a[LOAD_ROWS] + a[LOAD_PAD_LEFT] + a[LOAD_PAD_RIGHT]);
        uint64_t window = in->opcode == OP_LOAD_UB ? ZERO_ROW : in->opcode == OP_LOAD_WB ? wb_rows : SCRATCH_ACC;
        a[LOAD_SRAM] = block <= window ? pick(g, 0, window - block) : window;
        break;
    }
    case OP_LOAD_LUT:
        a[LUTLOAD_TABLE] = pick(g, 0, LUT_WINDOW - 1);
        a[LUTLOAD_DRAM] = pick(g, 0, RANDOM_DRAM_BYTES - 256);
        break;
    case OP_STORE:
        a[STORE_LINES] = pick(g, 1, 3);
        a[STORE_ROWS] = pick(g, 1, 8);
        a[STORE_ELEMS] = pick(g, 1, n);
        a[STORE_STRIDE] = a[STORE_ROWS] * a[STORE_ELEMS] + pick(g, 0, 16);
        a[STORE_SRAM_STRIDE] = pick(g, 0, 12);
        a[STORE_SRAM] = pick(g, 0, 200);
        a[STORE_DRAM] = pick(g, 0, RANDOM_DRAM_BYTES - (a[STORE_LINES] - 1) * a[STORE_STRIDE] -
                                       a[STORE_ROWS] * a[STORE_ELEMS]);
        break;
    case OP_LDW: a[LDW_WB] = pick(g, 0, wb_rows - n); break;
    case OP_MATMUL:
        a[MATMUL_OUTER] = pick(g, 1, 4);
        a[MATMUL_INNER] = pick(g, 1, 8);
        a[MATMUL_OUTER_STRIDE] = pick(g, 0, 10);
        a[MATMUL_INNER_STRIDE] = pick(g, 0, 2);
        a[MATMUL_UB] = pick(g, 0, 200);
        a[MATMUL_ACC] = pick(g, 0, SCRATCH_ACC - a[MATMUL_OUTER] * a[MATMUL_INNER]);
        a[MATMUL_K] = pick(g, 1, n);
        a[MATMUL_N] = pick(g, 1, n);
        a[MATMUL_ACCUMULATE] = pick(g, 0, 1);
        break;
    case OP_REQUANT:
        a[REQUANT_ROWS] = pick(g, 1, 16);
        a[REQUANT_ACC] = pick(g, 0, SCRATCH_ACC - a[REQUANT_ROWS]);
        a[REQUANT_PARAM] = pick(g, 0, SCRATCH_ACC - 3);
        a[REQUANT_UB] = pick(g, 0, ZERO_ROW - a[REQUANT_ROWS]);
        break;
    case OP_VADD:
    case OP_VSUB:
    case OP_VMUL: {
        int64_t rows_ = pick(g, 1, 16);
        a[VEC_ROWS] = rows_;
        a[VEC_A] = pick(g, 0, ZERO_ROW - rows_);
        a[VEC_B] = pick(g, 0, ZERO_ROW - rows_);
        a[VEC_DST] = pick(g, 0, 3) == 0 ? a[VEC_A] : (int64_t)pick(g, 0, ZERO_ROW - rows_);
        if (in->opcode == OP_VMUL) {
            a[VMUL_MUL] = (int64_t)pick(g, 0, 600) - 300;
            a[VMUL_SHIFT] = pick(g, 0, 12);
        } else {
            a[VEC_MUL_A] = (int64_t)pick(g, 0, 65535) - 32768;
            a[VEC_MUL_B] = (int64_t)pick(g, 0, 65535) - 32768;
            a[VEC_SHIFT] = pick(g, 0, 31);
        }
        break;
    }
    case OP_LUT:
        a[LUT_ROWS] = pick(g, 1, 16);
        a[LUT_SRC] = pick(g, 0, ZERO_ROW - a[LUT_ROWS]);
        a[LUT_DST] = pick(g, 0, 1) ? a[LUT_SRC] : (int64_t)pick(g, 0, ZERO_ROW - a[LUT_ROWS]);
        a[LUT_TABLE] = pick(g, 0, LUT_WINDOW - 1);
        break;
    case OP_MAXPOOL:
        a[POOL_IN_H] = pick(g, 1, 6);
        a[POOL_IN_W] = pick(g, 1, 6);
        a[POOL_KERNEL_H] = pick(g, 1, 3);
        a[POOL_KERNEL_W] = pick(g, 1, 3);
        a[POOL_STRIDE] = pick(g, 1, 3);
        a[POOL_PAD_TOP] = pick(g, 0, a[POOL_KERNEL_H] - 1);
        a[POOL_PAD_LEFT] = pick(g, 0, a[POOL_KERNEL_W] - 1);
        a[POOL_OUT_H] = (a[POOL_IN_H] - 1 + a[POOL_PAD_TOP]) / a[POOL_STRIDE] + 1;
        a[POOL_OUT_W] = (a[POOL_IN_W] - 1 + a[POOL_PAD_LEFT]) / a[POOL_STRIDE] + 1;
        a[POOL_SRC] = pick(g, 0, 100);
        a[POOL_DST] = pick(g, 0, 200);
        break;
    case OP_RESIZE:
        a[RESIZE_IN_H] = pick(g, 1, 5);
        a[RESIZE_IN_W] = pick(g, 1, 5);
        a[RESIZE_OUT_H] = pick(g, 1, 8);
        a[RESIZE_OUT_W] = pick(g, 1, 8);
        a[RESIZE_SRC] = pick(g, 0, 100);
        a[RESIZE_DST] = pick(g, 0, 180);
        break;
    case OP_DWCONV: {
        /* mostly small kernels; now and then the 16-tap maximum of either axis */
        a[DW_KW] = pick(g, 0, 5) == 0 ? 16 : pick(g, 1, 7);
        a[DW_KH] = pick(g, 0, 5) == 0 ? pick(g, 8, 16) : pick(g, 1, 7);
        if (a[DW_KH] * a[DW_KW] > 128)
            a[DW_KH] = 128 / a[DW_KW];
        a[DW_OUT_W] = pick(g, 1, 8);
        a[DW_STRIDE] = pick(g, 1, 3);
        a[DW_LINE_STRIDE] = pick(g, 0, 3) == 0 ? pick(g, 0, 4) : a[DW_OUT_W] * a[DW_STRIDE] + pick(g, 0, 4);
        int64_t span = (a[DW_KH] - 1) * a[DW_LINE_STRIDE] + (a[DW_OUT_W] - 1) * a[DW_STRIDE] + a[DW_KW];
        a[DW_SRC] = span <= ZERO_ROW ? (int64_t)pick(g, 0, ZERO_ROW - span) : ZERO_ROW;
        a[DW_WTS] = pick(g, 0, ZERO_ROW - a[DW_KH] * a[DW_KW]);
        a[DW_ACC] = pick(g, 0, SCRATCH_ACC - a[DW_OUT_W]);
        a[DW_ACCUMULATE] = pick(g, 0, 1);
        break;
    }
    case OP_VSUM:
        a[VSUM_ROWS] = pick(g, 0, 4) == 0 ? pick(g, 17, 250) : pick(g, 1, 16);
        a[VSUM_STRIDE] = a[VSUM_ROWS] > 16 ? pick(g, 0, 1) : pick(g, 0, 8);
        a[VSUM_SRC] = pick(g, 0, ZERO_ROW - ((a[VSUM_ROWS] - 1) * a[VSUM_STRIDE] + 1));
        a[VSUM_ACC] = pick(g, 0, SCRATCH_ACC - 1);
        a[VSUM_SQUARE] = pick(g, 0, 1);
        a[VSUM_ACCUMULATE] = pick(g, 0, 1);
        break;
    default: break;
    }
}

/* A random instruction that the program checker accepts (the candidate sits at the end
 * of the program while it is checked, then is removed). */
static isa_insn random_insn(generator *g)
{
    for (;;) {
        isa_insn in;
        memset(&in, 0, sizeof in);
        in.opcode = (uint8_t)opcodes[rng_next(g->r) % (sizeof opcodes / sizeof opcodes[0])];
        random_fields(g, &in);
        rtpu_error err = {0};
        if (program_add_insn(g->p, &in, &err))
            fail_msg("%s", err.message);
        g->p->dram_size = RANDOM_DRAM_BYTES;
        rtpu_status st = program_check_insn(g->p, g->p->insn_count - 1, &err);
        g->p->insn_count--;
        if (st == RTPU_OK)
            return in;
    }
}

static rtpu_config random_config(rng *r, const rtpu_config *base)
{
    rtpu_config c = *base;
    uint32_t n = c.array_size;
    snprintf(c.name, sizeof c.name, "rand-%u", n);
    c.dram_latency_cycles = (uint32_t)(rng_next(r) % 25);
    c.dram_bytes_per_cycle = 1 + (uint32_t)(rng_next(r) % (2 * n));
    c.vector_lanes = 1 + (uint32_t)(rng_next(r) % n);
    c.vector_pipeline_cycles = (uint32_t)(rng_next(r) % 5);
    c.queue_depth = 1 + (uint32_t)(rng_next(r) % 8);
    return c;
}

rtpu_program *random_program(rng *r, const rtpu_config *base, int insns)
{
    rtpu_config cfg = random_config(r, base);
    generator g;
    memset(&g, 0, sizeof g);
    g.r = r;
    g.n = cfg.array_size;
    rtpu_error err = {0};
    if (program_create(&cfg, &g.p, &err))
        fail_msg("%s", err.message);
    g.ub_cells = UB_WINDOW;
    g.wb_cells = 4 * (int)g.n;
    g.acc_cells = ACC_WINDOW;
    g.lut_cells = LUT_WINDOW;
    g.dram_cells = RANDOM_DRAM_BYTES / GRANULE;
    g.cell_count = g.ub_cells + g.wb_cells + g.acc_cells + g.lut_cells + g.dram_cells;
    g.cells = calloc((size_t)g.cell_count, sizeof *g.cells);
    assert_non_null(g.cells);
    for (int i = 0; i < g.cell_count; i++)
        g.cells[i].writer = -1;
    for (int q = 0; q < QUEUE_COUNT; q++)
        g.last_in_queue[q] = -1;
    for (int u = 0; u < UNIT_COUNT; u++)
        g.last_on_unit[u] = -1;

    static access a;
    for (int i = 0; i < insns && (int)g.p->insn_count < MAX_INSNS - 40; i++) {
        isa_insn x = random_insn(&g);
        const isa_op *op = isa_op_info(x.opcode);
        insn_set e = base_ended(&g, &x);
        /* every conflicting earlier access must have ended */
        accesses(&g, &x, &a);
        for (int k = 0; k < a.read_count; k++) {
            const cell *c = &g.cells[a.reads[k]];
            if (c->writer >= 0)
                ensure(&g, &x, &e, c->writer);
        }
        for (int k = 0; k < a.write_count; k++) {
            const cell *c = &g.cells[a.writes[k]];
            if (c->writer >= 0)
                ensure(&g, &x, &e, c->writer);
            for (int j = 0; j < c->reader_count; j++)
                ensure(&g, &x, &e, c->readers[j]);
        }
        /* random extra tokens: pushes (never from ldw) and pops of available tokens */
        uint8_t allowed = isa_allowed_tokens(x.opcode);
        if (x.opcode != OP_LDW && pick(&g, 0, 2) == 0)
            x.tokens |= (uint8_t)(allowed & (ISA_PUSH_PREV | ISA_PUSH_NEXT) & (pick(&g, 0, 1) ? 0x4 : 0x8));
        for (int next = 0; next < 2; next++) {
            uint8_t pop = next ? ISA_POP_NEXT : ISA_POP_PREV;
            if (!(allowed & pop) || (x.tokens & pop) || pick(&g, 0, 3) != 0)
                continue;
            isa_queue from = (isa_queue)(op->queue + (next ? 1 : -1));
            int k = counter_between(from, op->queue);
            if (g.pop_count[k] < g.push_count[k]) {
                int pusher = g.pushes[k][g.pop_count[k]++];
                x.tokens |= pop;
                set_add(&e, pusher);
                set_union(&e, &g.ended[pusher]);
            }
        }
        emit(&g, x, e, true);
    }
    isa_insn halt;
    memset(&halt, 0, sizeof halt);
    halt.opcode = OP_HALT;
    if (program_add_insn(g.p, &halt, &err))
        fail_msg("%s", err.message);
    free(g.cells);
    /* 8 KiB of random DRAM contents */
    uint8_t *bytes = malloc(RANDOM_DRAM_BYTES);
    for (int i = 0; i < RANDOM_DRAM_BYTES; i++)
        bytes[i] = (uint8_t)rng_next(r);
    if (program_add_segment(g.p, 0, bytes, RANDOM_DRAM_BYTES, &err))
        fail_msg("%s", err.message);
    free(bytes);
    if (program_finish(g.p, &err))
        fail_msg("random program invalid: %s", err.message);
    return g.p;
}
