/* Backend-independent machine rules (see machine.h). */
#include "target/machine.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

_Static_assert((int)RTPU_UNIT_COUNT == (int)UNIT_COUNT, "rtpu/stats.h and target/isa.h disagree on the units");

int machine_pop_counter(isa_queue q, bool next)
{
    switch (q) {
    case QUEUE_LOAD: return next ? 2 : MACHINE_NO_COUNTER;
    case QUEUE_COMPUTE: return next ? 3 : 0;
    case QUEUE_STORE: return next ? MACHINE_NO_COUNTER : 1;
    default: return MACHINE_NO_COUNTER;
    }
}

int machine_push_counter(isa_queue q, bool next)
{
    switch (q) {
    case QUEUE_LOAD: return next ? 0 : MACHINE_NO_COUNTER;
    case QUEUE_COMPUTE: return next ? 1 : 2;
    case QUEUE_STORE: return next ? MACHINE_NO_COUNTER : 3;
    default: return MACHINE_NO_COUNTER;
    }
}

const char *machine_counter_name(int k)
{
    static const char *const names[MACHINE_COUNTERS] = {"ld->ex", "ex->st", "ex->ld", "st->ex"};
    return k >= 0 && k < MACHINE_COUNTERS ? names[k] : "?";
}

uint64_t machine_memory_rows(const rtpu_config *c, rtpu_memory m)
{
    switch (m) {
    case RTPU_MEM_UB: return config_ub_rows(c);
    case RTPU_MEM_WB: return config_wb_rows(c);
    case RTPU_MEM_ACC: return config_acc_rows(c);
    case RTPU_MEM_LUT: return c->lut_tables;
    default: return 0;
    }
}

size_t machine_memory_row_bytes(const rtpu_config *c, rtpu_memory m)
{
    return m == RTPU_MEM_LUT ? 256 : m == RTPU_MEM_ACC ? 4 * (size_t)c->array_size : c->array_size;
}

const char *machine_memory_name(rtpu_memory m)
{
    static const char *const names[RTPU_MEM_COUNT] = {"unified buffer", "weight buffer", "accumulator",
                                                      "lookup table"};
    return m < RTPU_MEM_COUNT ? names[m] : "?";
}

rtpu_status machine_check_dram(const char *who, const rtpu_program *p, uint64_t addr, uint64_t size, bool write,
                               rtpu_error *err)
{
    uint64_t limit = p->dram_size;
    if (size > limit || addr > limit - size)
        return rtpu_fail(err, RTPU_ERR_INVALID,
                         "%s: DRAM %s of %" PRIu64 " bytes at 0x%" PRIx64 " is beyond the program's %" PRIu64 " bytes", who,
                         write ? "write" : "read", size, addr, limit);
    return RTPU_OK;
}

rtpu_status machine_check_memory(const char *who, const rtpu_config *c, rtpu_memory m, uint64_t row, uint64_t count,
                                 rtpu_error *err)
{
    if (m >= RTPU_MEM_COUNT)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: no on-chip memory number %d", who, (int)m);
    uint64_t rows = machine_memory_rows(c, m);
    if (count > rows || row > rows - count)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: reading %s rows %" PRIu64 "..+%" PRIu64 " beyond its %" PRIu64 " rows",
                         who, machine_memory_name(m), row, count, rows);
    return RTPU_OK;
}

rtpu_status machine_check_tensor(const char *who, const rtpu_program *p, const program_tensor *t, rtpu_error *err)
{
    uint64_t bytes = program_tensor_bytes(t);
    if (bytes > p->dram_size || t->dram > p->dram_size - bytes)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: tensor '%s' lies outside the program's DRAM", who, t->name);
    return RTPU_OK;
}

rtpu_status machine_deadlock_error(const rtpu_program *p, const machine_deadlock *d, rtpu_error *err)
{
    char msg[RTPU_ERROR_MAX];
    size_t used = (size_t)snprintf(msg, sizeof msg, "deadlock after cycle %" PRIu64 ":", d->now);
    for (int q = 0; q < QUEUE_COUNT && used < sizeof msg; q++) {
        if (!d->head_valid[q])
            continue;
        size_t pc = d->head_pc[q];
        const isa_insn *in = &p->insns[pc];
        const char *mn = isa_op_info(in->opcode)->mnemonic;
        if (!d->head_dispatched[q]) {
            used += (size_t)snprintf(msg + used, sizeof msg - used, " %s queue: pc %zu (%s) never dispatched;",
                                     isa_queue_name((isa_queue)q), pc, mn);
            continue;
        }
        for (int next = 0; next < 2; next++) {
            int k = machine_pop_counter((isa_queue)q, next);
            if (k != MACHINE_NO_COUNTER && (in->tokens & (next ? ISA_POP_NEXT : ISA_POP_PREV)) && d->tokens[k] == 0) {
                used += (size_t)snprintf(msg + used, sizeof msg - used, " %s queue: pc %zu (%s) waits for a %s token;",
                                         isa_queue_name((isa_queue)q), pc, mn, machine_counter_name(k));
                break;
            }
        }
    }
    if (d->dispatch_stopped < p->insn_count && used < sizeof msg)
        snprintf(msg + used, sizeof msg - used, " dispatch stopped at pc %zu (%s): its queue is full", d->dispatch_stopped,
                 isa_op_info(p->insns[d->dispatch_stopped].opcode)->mnemonic);
    size_t len = strlen(msg);
    if (len && msg[len - 1] == ';')
        msg[len - 1] = '\0';
    return rtpu_fail(err, RTPU_ERR_RUNTIME, "%s", msg);
}

void machine_finish_stats(const rtpu_program *p, uint64_t total, rtpu_stats *s)
{
    s->total_cycles = total;
    s->instructions = p->insn_count;
    for (int u = 0; u < RTPU_UNIT_COUNT; u++)
        s->units[u].idle = total - s->units[u].busy - s->units[u].stall;
    double n = p->config.array_size;
    s->mxu_utilisation = total ? (double)s->macs / (n * n * (double)total) : 0.0;
}
