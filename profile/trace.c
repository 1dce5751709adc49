/* Per-instruction trace in the Chrome trace-event format: one complete ("X") event per
 * instruction, on one track per unit, with 1 trace microsecond = 1 cycle. */
#include "profile/profile.h"

#include <inttypes.h>
#include <stdio.h>

#include "common/atomic_file.h"
#include "target/asm.h"

rtpu_status profile_write_trace(const rtpu_program *p, const rtpu_stats *stats, const rtpu_timing *timings,
                               const char *path, rtpu_error *err)
{
    atomic_file *f = NULL;
    rtpu_status st = atomic_file_open(path, &f, err);
    if (st)
        return st;
    FILE *out = atomic_file_stream(f);
    fprintf(out, "{\"displayTimeUnit\": \"ns\", \"otherData\": {\"config\": \"%s\", \"unit\": \"1 us = 1 cycle\"},\n"
            "\"traceEvents\": [\n", p->config.name);
    for (int u = 0; u < UNIT_COUNT; u++)
        fprintf(out, "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 0, \"tid\": %d, \"args\": {\"name\": \"%s\"}},\n", u,
                isa_unit_name((isa_unit)u));
    char text[512];
    for (size_t pc = 0; pc < p->insn_count; pc++) {
        const isa_insn *in = &p->insns[pc];
        const isa_op *op = isa_op_info(in->opcode);
        if (op->unit == UNIT_NONE)
            continue;
        const rtpu_timing *t = &timings[pc];
        disasm_insn(in, text, sizeof text);
        fprintf(out, "{\"name\": \"%s\", \"cat\": \"%s\", \"ph\": \"X\", \"pid\": 0, \"tid\": %d, \"ts\": %" PRIu64
                ", \"dur\": %" PRIu64 ", \"args\": {\"pc\": %zu, \"dispatch\": %" PRIu64 ", \"insn\": \"%s\"}},\n",
                op->mnemonic, isa_unit_name(op->unit), (int)op->unit, t->start, t->end - t->start, pc, t->dispatch, text);
    }
    fprintf(out, "{\"name\": \"total\", \"ph\": \"i\", \"s\": \"g\", \"pid\": 0, \"tid\": 0, \"ts\": %" PRIu64 "}\n]}\n",
            stats->total_cycles);
    return atomic_file_commit(f, err);
}
