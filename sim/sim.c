/* The simulator: memories, and the event-driven scheduler that decides when each
 * instruction dispatches, starts and ends (docs/architecture.md, "Timing").
 *
 * The scheduler never steps idle cycles. At each step it computes, for the head of each
 * of the three queues, the earliest cycle it could start given what is already scheduled
 * (dispatch, unit free, in-order issue, hazards between compute units, tokens), starts
 * the earliest one (ties: load, compute, store), applies its data effect, and records its
 * token pushes. Every instruction lasts at least one cycle, so nothing scheduled later
 * can make an already-chosen start earlier: the result is the exact cycle model. */
#include "sim/sim_internal.h"
#include "target/machine.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COUNTER_COUNT = MACHINE_COUNTERS };
static const uint64_t NEVER = UINT64_MAX;

/* Token counter k holds the cycles at which its pushed tokens become available, as a
 * min-heap: a pop needs the earliest unconsumed one. Counters 0, 1 carry tokens forward
 * (ld->ex, ex->st), 2, 3 backward (ex->ld, st->ex). */
typedef struct token_heap {
    uint64_t *times;
    size_t count, capacity;
} token_heap;

static int counter_pop(isa_queue q, bool next) { return machine_pop_counter(q, next); }
static int counter_push(isa_queue q, bool next) { return machine_push_counter(q, next); }

static bool heap_push(token_heap *h, uint64_t t)
{
    if (h->count == h->capacity) {
        size_t cap = h->capacity ? 2 * h->capacity : 64;
        uint64_t *more = realloc(h->times, cap * sizeof *more);
        if (!more)
            return false;
        h->times = more;
        h->capacity = cap;
    }
    size_t i = h->count++;
    while (i > 0 && h->times[(i - 1) / 2] > t) {
        h->times[i] = h->times[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->times[i] = t;
    return true;
}

static void heap_pop(token_heap *h)
{
    uint64_t last = h->times[--h->count];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->count)
            break;
        if (c + 1 < h->count && h->times[c + 1] < h->times[c])
            c++;
        if (h->times[c] >= last)
            break;
        h->times[i] = h->times[c];
        i = c;
    }
    if (h->count)
        h->times[i] = last;
}

/* ---- memories ---- */

rtpu_status sim_create(const rtpu_program *program, rtpu_sim **out, rtpu_error *err)
{
    const rtpu_config *c = &program->config;
    rtpu_sim *s = calloc(1, sizeof *s);
    if (!s)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "sim: out of memory");
    s->program = program;
    s->n = c->array_size;
    s->dram = calloc(program->dram_size ? program->dram_size : 1, 1);
    s->ub = calloc((size_t)config_ub_rows(c) * s->n, 1);
    s->wb = calloc((size_t)config_wb_rows(c) * s->n, 1);
    s->acc = calloc((size_t)config_acc_rows(c) * s->n, sizeof *s->acc);
    s->lut = calloc((size_t)c->lut_tables * 256, 1);
    s->weights = calloc((size_t)s->n * s->n, sizeof *s->weights);
    s->shadow = calloc((size_t)s->n * s->n, sizeof *s->shadow);
    /* The matmul kernel for this host; RTPU_SIM_PORTABLE=1 forces the portable loops
     * (benchmarks compare the two; results are identical). */
    const char *portable = getenv("RTPU_SIM_PORTABLE");
    s->vnni = !(portable && *portable == '1') && sim_mxu_vnni_usable(s->n);
    s->requant_avx512 = !(portable && *portable == '1') && sim_requant_avx512_usable();
    s->packed = calloc((size_t)s->n * s->n + 64, 1);
    s->colsum = calloc(s->n, sizeof *s->colsum);
    s->packed_k = -1;
    s->timings = calloc(program->insn_count ? program->insn_count : 1, sizeof *s->timings);
    if (!s->dram || !s->ub || !s->wb || !s->acc || !s->lut || !s->weights || !s->shadow || !s->timings || !s->packed ||
        !s->colsum) {
        sim_destroy(s);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "sim: cannot allocate the memories of '%s' (%" PRIu64 " bytes of DRAM)",
                         c->name, program->dram_size);
    }
    for (size_t i = 0; i < program->segment_count; i++)
        memcpy(s->dram + program->segments[i].dram, program->segments[i].bytes, program->segments[i].size);
    *out = s;
    return RTPU_OK;
}

void sim_destroy(rtpu_sim *s)
{
    if (!s)
        return;
    free(s->dram);
    free(s->ub);
    free(s->wb);
    free(s->acc);
    free(s->lut);
    free(s->weights);
    free(s->shadow);
    free(s->packed);
    free(s->colsum);
    free(s->timings);
    free(s);
}

const rtpu_stats *sim_get_stats(const rtpu_sim *s) { return &s->stats; }
const rtpu_timing *sim_get_timings(const rtpu_sim *s) { return s->timings; }
const rtpu_program *sim_get_program(const rtpu_sim *s) { return s->program; }

/* ---- scheduling ---- */

typedef struct scheduler {
    const rtpu_program *p;
    rtpu_sim *sim;
    size_t *queue_pcs[QUEUE_COUNT];   /* pcs of each queue, in order */
    size_t queue_len[QUEUE_COUNT];
    size_t *queue_index;              /* position of each pc in its queue */
    size_t head[QUEUE_COUNT];         /* next position to start in each queue */
    bool *started;
    size_t dispatched;                /* pcs [0, dispatched) have a dispatch cycle */
    uint64_t unit_free[UNIT_COUNT];   /* cycle each unit finishes its last instruction */
    uint64_t last_start[QUEUE_COUNT]; /* start of the queue's previous instruction + 1 */
    token_heap tokens[COUNTER_COUNT];
} scheduler;

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* Dispatch is in program order, one instruction per cycle, into a queue with room: a
 * queue holds at most queue_depth instructions that have not started. */
static void advance_dispatch(scheduler *s)
{
    size_t depth = s->p->config.queue_depth;
    while (s->dispatched < s->p->insn_count) {
        size_t pc = s->dispatched;
        uint64_t at = pc == 0 ? 0 : s->sim->timings[pc - 1].dispatch + 1;
        const isa_op *op = isa_op_info(s->p->insns[pc].opcode);
        if (op->queue != QUEUE_NONE && s->queue_index[pc] >= depth) {
            size_t waits_for = s->queue_pcs[op->queue][s->queue_index[pc] - depth];
            if (!s->started[waits_for])
                return;
            at = max_u64(at, s->sim->timings[waits_for].start + 1);
        }
        s->sim->timings[pc].dispatch = at;
        s->dispatched++;
    }
}

/* The cycle at which the unit-and-hazard constraints of the head of queue q allow it to
 * start, before tokens: arrival at the head (dispatch, in-order issue) and free units. */
static uint64_t ready_cycle(const scheduler *s, size_t pc, uint64_t *arrive, uint64_t *unit_free)
{
    const isa_insn *in = &s->p->insns[pc];
    const isa_op *op = isa_op_info(in->opcode);
    *arrive = max_u64(s->sim->timings[pc].dispatch, s->last_start[op->queue]);
    *unit_free = s->unit_free[op->unit];
    uint64_t t = max_u64(*arrive, *unit_free);
    /* Compute-queue hazards: only ldw may overlap other compute instructions. A matmul
     * waits for the weight path (the tile it uses) and the vector unit (it may read rows
     * a vector op writes); a vector instruction waits for the matrix unit (it may read
     * accumulators a matmul writes). */
    if (in->opcode == OP_MATMUL)
        t = max_u64(t, max_u64(s->unit_free[UNIT_WEIGHT], s->unit_free[UNIT_VECTOR]));
    else if (op->unit == UNIT_VECTOR)
        t = max_u64(t, s->unit_free[UNIT_MXU]);
    return t;
}

/* Earliest start of the head of queue q, or NEVER if it is blocked (not dispatched, or
 * waiting for a token nobody has pushed yet). */
static uint64_t candidate(const scheduler *s, isa_queue q)
{
    if (s->head[q] == s->queue_len[q])
        return NEVER;
    size_t pc = s->queue_pcs[q][s->head[q]];
    if (pc >= s->dispatched)
        return NEVER;
    uint64_t arrive, unit_free;
    uint64_t t = ready_cycle(s, pc, &arrive, &unit_free);
    uint8_t tok = s->p->insns[pc].tokens;
    for (int next = 0; next < 2; next++)
        if (tok & (next ? ISA_POP_NEXT : ISA_POP_PREV)) {
            const token_heap *h = &s->tokens[counter_pop(q, next)];
            if (h->count == 0)
                return NEVER;
            t = max_u64(t, h->times[0]);
        }
    return t;
}

/* What the scheduler knows when nothing can start, in the words both backends use. */
static rtpu_status deadlock(const scheduler *s, rtpu_error *err)
{
    machine_deadlock d = {.dispatch_stopped = s->dispatched};
    for (size_t pc = 0; pc < s->p->insn_count; pc++)
        if (s->started[pc])
            d.now = max_u64(d.now, s->sim->timings[pc].end);
    for (int q = 0; q < QUEUE_COUNT; q++) {
        d.head_valid[q] = s->head[q] < s->queue_len[q];
        if (d.head_valid[q]) {
            d.head_pc[q] = s->queue_pcs[q][s->head[q]];
            d.head_dispatched[q] = d.head_pc[q] < s->dispatched;
        }
    }
    for (int k = 0; k < COUNTER_COUNT; k++)
        d.tokens[k] = s->tokens[k].count;
    return machine_deadlock_error(s->p, &d, err);
}

/* Starts the head of queue q at cycle t: bookkeeping, stats, tokens, data. */
static rtpu_status start_head(scheduler *s, isa_queue q, uint64_t t, rtpu_error *err)
{
    size_t pc = s->queue_pcs[q][s->head[q]++];
    const isa_insn *in = &s->p->insns[pc];
    const isa_op *op = isa_op_info(in->opcode);
    rtpu_sim *sim = s->sim;
    uint64_t arrive, unit_free;
    ready_cycle(s, pc, &arrive, &unit_free);
    uint64_t cycles = isa_insn_cycles(&s->p->config, in);
    sim->timings[pc].start = t;
    sim->timings[pc].end = t + cycles;
    s->started[pc] = true;
    rtpu_unit_stats *u = &sim->stats.units[op->unit];
    u->busy += cycles;
    u->stall += t - max_u64(arrive, unit_free);
    u->instructions++;
    s->unit_free[op->unit] = t + cycles;
    s->last_start[q] = t + 1;
    for (int next = 0; next < 2; next++) {
        if (in->tokens & (next ? ISA_POP_NEXT : ISA_POP_PREV))
            heap_pop(&s->tokens[counter_pop(q, next)]);
        if ((in->tokens & (next ? ISA_PUSH_NEXT : ISA_PUSH_PREV)) &&
            !heap_push(&s->tokens[counter_push(q, next)], t + cycles))
            return rtpu_fail(err, RTPU_ERR_NOMEM, "sim: out of memory for tokens");
    }
    sim->stats.macs += isa_insn_macs(in);
    sim->stats.dram_bytes_read += isa_insn_dram_read(in);
    sim->stats.dram_bytes_written += isa_insn_dram_written(in);
    switch (op->unit) {
    case UNIT_LOAD:
    case UNIT_STORE: sim_exec_dma(sim, in); break;
    case UNIT_WEIGHT:
    case UNIT_MXU: sim_exec_mxu(sim, in); break;
    default: sim_exec_vector(sim, in); break;
    }
    return RTPU_OK;
}

static rtpu_status schedule(scheduler *s, rtpu_error *err)
{
    for (;;) {
        advance_dispatch(s);
        uint64_t best = NEVER;
        int best_q = -1;
        bool pending = false;
        for (int q = 0; q < QUEUE_COUNT; q++) {
            pending |= s->head[q] < s->queue_len[q];
            uint64_t t = candidate(s, (isa_queue)q);
            if (t < best) {
                best = t;
                best_q = q;
            }
        }
        if (!pending && s->dispatched == s->p->insn_count)
            return RTPU_OK;
        if (best_q < 0)
            return deadlock(s, err);
        rtpu_status st = start_head(s, (isa_queue)best_q, best, err);
        if (st)
            return st;
    }
}

static void finish_stats(rtpu_sim *sim)
{
    const rtpu_program *p = sim->program;
    uint64_t total = 0;
    for (size_t pc = 0; pc < p->insn_count; pc++) {
        if (p->insns[pc].opcode == OP_HALT) {
            sim->timings[pc].start = sim->timings[pc].dispatch;
            sim->timings[pc].end = sim->timings[pc].dispatch + 1;
        }
        total = max_u64(total, sim->timings[pc].end);
    }
    machine_finish_stats(p, total, &sim->stats);
}

rtpu_status sim_run(rtpu_sim *sim, rtpu_error *err)
{
    const rtpu_program *p = sim->program;
    memset(&sim->stats, 0, sizeof sim->stats);
    memset(sim->timings, 0, (p->insn_count ? p->insn_count : 1) * sizeof *sim->timings);
    scheduler s;
    memset(&s, 0, sizeof s);
    s.p = p;
    s.sim = sim;
    rtpu_status st = RTPU_OK;
    s.queue_index = malloc((p->insn_count + 1) * sizeof *s.queue_index);
    s.started = calloc(p->insn_count + 1, sizeof *s.started);
    for (int q = 0; q < QUEUE_COUNT; q++)
        s.queue_pcs[q] = malloc((p->insn_count + 1) * sizeof *s.queue_pcs[q]);
    if (!s.queue_index || !s.started || !s.queue_pcs[0] || !s.queue_pcs[1] || !s.queue_pcs[2]) {
        st = rtpu_fail(err, RTPU_ERR_NOMEM, "sim: out of memory for %zu instructions", p->insn_count);
        goto done;
    }
    for (size_t pc = 0; pc < p->insn_count; pc++) {
        isa_queue q = isa_op_info(p->insns[pc].opcode)->queue;
        if (q == QUEUE_NONE) {
            s.queue_index[pc] = 0;
            s.started[pc] = true;
            continue;
        }
        s.queue_index[pc] = s.queue_len[q];
        s.queue_pcs[q][s.queue_len[q]++] = pc;
    }
    st = schedule(&s, err);
    if (!st)
        finish_stats(sim);
done:
    free(s.queue_index);
    free(s.started);
    for (int q = 0; q < QUEUE_COUNT; q++)
        free(s.queue_pcs[q]);
    for (int k = 0; k < COUNTER_COUNT; k++)
        free(s.tokens[k].times);
    return st;
}

/* ---- reading and writing memories ---- */

rtpu_status sim_read_dram(const rtpu_sim *sim, uint64_t addr, void *out, uint64_t size, rtpu_error *err)
{
    rtpu_status st = machine_check_dram("sim", sim->program, addr, size, false, err);
    if (!st && size)
        memcpy(out, sim->dram + addr, size);
    return st;
}

rtpu_status sim_write_dram(rtpu_sim *sim, uint64_t addr, const void *data, uint64_t size, rtpu_error *err)
{
    rtpu_status st = machine_check_dram("sim", sim->program, addr, size, true, err);
    if (!st && size)
        memcpy(sim->dram + addr, data, size);
    return st;
}

rtpu_status sim_read_memory(const rtpu_sim *sim, rtpu_memory memory, uint64_t row, uint64_t count, void *out,
                            rtpu_error *err)
{
    const rtpu_config *c = &sim->program->config;
    rtpu_status st = machine_check_memory("sim", c, memory, row, count, err);
    if (st)
        return st;
    size_t row_bytes = machine_memory_row_bytes(c, memory);
    const void *base = memory == RTPU_MEM_UB ? (const void *)sim->ub : memory == RTPU_MEM_WB ? (const void *)sim->wb
                       : memory == RTPU_MEM_ACC ? (const void *)sim->acc : (const void *)sim->lut;
    if (count)
        memcpy(out, (const uint8_t *)base + row * row_bytes, count * row_bytes);
    return RTPU_OK;
}
