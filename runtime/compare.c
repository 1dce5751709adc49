/* Co-verification of two devices that ran the same program (rtpu_device_compare in
 * rtpu/rtpu.h), through the device API only, so any two accelerator backends compare
 * the same way. The first instruction whose timing differs is the place to start
 * looking: everything before it agreed cycle for cycle. */
#include "rtpu/rtpu.h"

#include "target/machine.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void note(rtpu_comparison *c, const char *fmt, ...) RTPU_PRINTF(2, 3);

static void note(rtpu_comparison *c, const char *fmt, ...)
{
    c->equal = false;
    c->differences++;
    size_t used = strlen(c->text);
    if (used + 2 >= sizeof c->text)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->text + used, sizeof c->text - used, fmt, ap);
    va_end(ap);
    used = strlen(c->text);
    if (used + 1 < sizeof c->text)
        strcat(c->text, "\n");
}

/* The two sides: their devices and their backends' names for the messages. */
typedef struct sides {
    const rtpu_device *a, *b;
    const char *na, *nb;
    const rtpu_program *p;
} sides;

static void compare_timings(const sides *s, rtpu_comparison *c)
{
    const rtpu_program *p = s->p;
    const rtpu_timing *a = rtpu_device_timings(s->a), *b = rtpu_device_timings(s->b);
    for (size_t pc = 0; pc < p->insn_count; pc++) {
        if (a[pc].dispatch == b[pc].dispatch && a[pc].start == b[pc].start && a[pc].end == b[pc].end)
            continue;
        c->first_pc = (long long)pc;
        note(c, "pc %zu (%s): %s dispatch %" PRIu64 " start %" PRIu64 " end %" PRIu64 ", %s dispatch %" PRIu64
             " start %" PRIu64 " end %" PRIu64, pc, isa_op_info(p->insns[pc].opcode)->mnemonic, s->na, a[pc].dispatch,
             a[pc].start, a[pc].end, s->nb, b[pc].dispatch, b[pc].start, b[pc].end);
        return;
    }
}

#define FIELD(name, x, y)                                                                              \
    do {                                                                                               \
        if ((x) != (y))                                                                                \
            note(c, "%s: %s %" PRIu64 ", %s %" PRIu64, name, s->na, (uint64_t)(x), s->nb, (uint64_t)(y));  \
    } while (0)

static void compare_stats(const sides *s, const rtpu_stats *a, const rtpu_stats *b, rtpu_comparison *c)
{
    FIELD("total cycles", a->total_cycles, b->total_cycles);
    for (int u = 0; u < UNIT_COUNT; u++) {
        char name[64];
        const char *unit = isa_unit_name((isa_unit)u);
        snprintf(name, sizeof name, "%s busy", unit);
        FIELD(name, a->units[u].busy, b->units[u].busy);
        snprintf(name, sizeof name, "%s stall", unit);
        FIELD(name, a->units[u].stall, b->units[u].stall);
        snprintf(name, sizeof name, "%s idle", unit);
        FIELD(name, a->units[u].idle, b->units[u].idle);
        snprintf(name, sizeof name, "%s instructions", unit);
        FIELD(name, a->units[u].instructions, b->units[u].instructions);
    }
    FIELD("MACs", a->macs, b->macs);
    FIELD("DRAM bytes read", a->dram_bytes_read, b->dram_bytes_read);
    FIELD("DRAM bytes written", a->dram_bytes_written, b->dram_bytes_written);
    FIELD("instructions", a->instructions, b->instructions);
}

static rtpu_status compare_dram(const sides *s, rtpu_comparison *c, rtpu_error *err)
{
    uint64_t size = s->p->dram_size;
    uint8_t *a = malloc(size ? size : 1), *b = malloc(size ? size : 1);
    rtpu_status st = RTPU_OK;
    if (!a || !b) {
        st = rtpu_fail(err, RTPU_ERR_NOMEM, "compare: out of memory for %" PRIu64 " bytes of DRAM", size);
        goto done;
    }
    if ((st = rtpu_device_read_dram(s->a, 0, a, size, err)) || (st = rtpu_device_read_dram(s->b, 0, b, size, err)))
        goto done;
    for (uint64_t i = 0; i < size; i++)
        if (a[i] != b[i]) {
            note(c, "DRAM byte 0x%" PRIx64 ": %s %d, %s %d", i, s->na, (int8_t)a[i], s->nb, (int8_t)b[i]);
            break;
        }
done:
    free(a);
    free(b);
    return st;
}

static rtpu_status compare_memory(const sides *s, rtpu_memory m, rtpu_comparison *c, rtpu_error *err)
{
    const rtpu_config *cfg = &s->p->config;
    uint64_t rows = machine_memory_rows(cfg, m);
    size_t row_bytes = machine_memory_row_bytes(cfg, m);
    uint8_t *a = malloc(rows * row_bytes), *b = malloc(rows * row_bytes);
    rtpu_status st = RTPU_OK;
    if (!a || !b) {
        st = rtpu_fail(err, RTPU_ERR_NOMEM, "compare: out of memory for the %s", machine_memory_name(m));
        goto done;
    }
    if ((st = rtpu_device_read_memory(s->a, m, 0, rows, a, err)) ||
        (st = rtpu_device_read_memory(s->b, m, 0, rows, b, err)))
        goto done;
    for (uint64_t r = 0; r < rows; r++)
        if (memcmp(a + r * row_bytes, b + r * row_bytes, row_bytes) != 0) {
            size_t i = 0;
            while (a[r * row_bytes + i] == b[r * row_bytes + i])
                i++;
            note(c, "%s row %" PRIu64 " differs from byte %zu on", machine_memory_name(m), r, i);
            break;
        }
done:
    free(a);
    free(b);
    return st;
}

rtpu_status rtpu_device_compare(const rtpu_device *da, const rtpu_device *db, rtpu_comparison *out, rtpu_error *err)
{
    memset(out, 0, sizeof *out);
    out->equal = true;
    out->first_pc = -1;
    sides s = {.a = da, .b = db, .na = rtpu_device_backend(da)->name, .nb = rtpu_device_backend(db)->name,
               .p = rtpu_device_program(da)};
    const rtpu_program *pb = rtpu_device_program(db);
    if (!s.p || !pb)
        return rtpu_fail(err, RTPU_ERR_UNSUPPORTED, "compare: both devices must run a program");
    if (s.p->insn_count != pb->insn_count)
        return rtpu_fail(err, RTPU_ERR_INVALID, "compare: %s and %s ran different programs", s.na, s.nb);
    const rtpu_stats *sa = rtpu_device_stats(da), *sb = rtpu_device_stats(db);
    if (!sa || !sb || !rtpu_device_timings(da) || !rtpu_device_timings(db))
        return rtpu_fail(err, RTPU_ERR_UNSUPPORTED, "compare: %s and %s must both count cycles and have run", s.na, s.nb);
    compare_timings(&s, out);
    compare_stats(&s, sa, sb, out);
    out->timing_equal = out->equal;
    rtpu_status st = compare_dram(&s, out, err);
    for (int m = RTPU_MEM_UB; m < RTPU_MEM_COUNT && !st; m++)
        st = compare_memory(&s, (rtpu_memory)m, out, err);
    size_t n = strlen(out->text);
    if (n && out->text[n - 1] == '\n')
        out->text[n - 1] = '\0';
    return st;
}
