/* Co-simulation check of the simulator against the RTL (see compare.h). The first
 * instruction whose timing differs is the place to start looking: everything before it
 * agreed cycle for cycle. */
#include "rtl/compare.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void note(rtl_comparison *c, const char *fmt, ...) RTPU_PRINTF(2, 3);

static void note(rtl_comparison *c, const char *fmt, ...)
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

static void compare_timings(const rtpu_sim *sim, const rtpu_rtl *rtl, rtl_comparison *c)
{
    const rtpu_program *p = sim_get_program(sim);
    const sim_timing *a = sim_get_timings(sim), *b = rtl_get_timings(rtl);
    for (size_t pc = 0; pc < p->insn_count; pc++) {
        if (a[pc].dispatch == b[pc].dispatch && a[pc].start == b[pc].start && a[pc].end == b[pc].end)
            continue;
        c->first_pc = (long long)pc;
        note(c, "pc %zu (%s): sim dispatch %" PRIu64 " start %" PRIu64 " end %" PRIu64 ", rtl dispatch %" PRIu64
             " start %" PRIu64 " end %" PRIu64, pc, isa_op_info(p->insns[pc].opcode)->mnemonic, a[pc].dispatch,
             a[pc].start, a[pc].end, b[pc].dispatch, b[pc].start, b[pc].end);
        return;
    }
}

#define FIELD(name, x, y)                                                                              \
    do {                                                                                               \
        if ((x) != (y))                                                                                \
            note(c, "%s: sim %" PRIu64 ", rtl %" PRIu64, name, (uint64_t)(x), (uint64_t)(y));            \
    } while (0)

static void compare_stats(const sim_stats *a, const sim_stats *b, rtl_comparison *c)
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

static rtpu_status compare_dram(const rtpu_sim *sim, const rtpu_rtl *rtl, rtl_comparison *c, rtpu_error *err)
{
    uint64_t size = sim_get_program(sim)->dram_size;
    uint8_t *a = malloc(size ? size : 1), *b = malloc(size ? size : 1);
    rtpu_status st = RTPU_OK;
    if (!a || !b) {
        st = rtpu_fail(err, RTPU_ERR_NOMEM, "compare: out of memory for %" PRIu64 " bytes of DRAM", size);
        goto done;
    }
    if ((st = sim_read_dram(sim, 0, a, size, err)) || (st = rtl_read_dram(rtl, 0, b, size, err)))
        goto done;
    for (uint64_t i = 0; i < size; i++)
        if (a[i] != b[i]) {
            note(c, "DRAM byte 0x%" PRIx64 ": sim %d, rtl %d", i, (int8_t)a[i], (int8_t)b[i]);
            break;
        }
done:
    free(a);
    free(b);
    return st;
}

static rtpu_status compare_memory(const rtpu_sim *sim, const rtpu_rtl *rtl, sim_memory m, rtl_comparison *c,
                                  rtpu_error *err)
{
    static const char *const names[] = {"unified buffer", "weight buffer", "accumulator", "lookup table"};
    const rtpu_config *cfg = &sim_get_program(sim)->config;
    uint64_t rows = m == SIM_UB ? config_ub_rows(cfg) : m == SIM_WB ? config_wb_rows(cfg)
                    : m == SIM_ACC ? config_acc_rows(cfg) : cfg->lut_tables;
    size_t row_bytes = m == SIM_LUT ? 256 : m == SIM_ACC ? 4 * (size_t)cfg->array_size : cfg->array_size;
    uint8_t *a = malloc(rows * row_bytes), *b = malloc(rows * row_bytes);
    rtpu_status st = RTPU_OK;
    if (!a || !b) {
        st = rtpu_fail(err, RTPU_ERR_NOMEM, "compare: out of memory for the %s", names[m]);
        goto done;
    }
    if ((st = sim_read_memory(sim, m, 0, rows, a, err)) || (st = rtl_read_memory(rtl, m, 0, rows, b, err)))
        goto done;
    for (uint64_t r = 0; r < rows; r++)
        if (memcmp(a + r * row_bytes, b + r * row_bytes, row_bytes) != 0) {
            size_t i = 0;
            while (a[r * row_bytes + i] == b[r * row_bytes + i])
                i++;
            note(c, "%s row %" PRIu64 " differs from byte %zu on", names[m], r, i);
            break;
        }
done:
    free(a);
    free(b);
    return st;
}

rtpu_status rtl_compare_sim(const rtpu_sim *sim, const rtpu_rtl *rtl, rtl_comparison *out, rtpu_error *err)
{
    memset(out, 0, sizeof *out);
    out->equal = true;
    out->first_pc = -1;
    if (sim_get_program(sim)->insn_count != rtl_get_program(rtl)->insn_count)
        return rtpu_fail(err, RTPU_ERR_INVALID, "compare: the simulator and the RTL ran different programs");
    compare_timings(sim, rtl, out);
    compare_stats(sim_get_stats(sim), rtl_get_stats(rtl), out);
    out->timing_equal = out->equal;
    rtpu_status st = compare_dram(sim, rtl, out, err);
    for (int m = SIM_UB; m <= SIM_LUT && !st; m++)
        st = compare_memory(sim, rtl, (sim_memory)m, out, err);
    size_t n = strlen(out->text);
    if (n && out->text[n - 1] == '\n')
        out->text[n - 1] = '\0';
    return st;
}
