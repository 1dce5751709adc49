/* The disassembler: rtpu_program -> assembly text that assembles back to the same bytes.
 *
 * Order: a header comment, the full .config, the declared DRAM size (.dram: it may be
 * more than the instructions touch, and the file records it), the instructions (one per
 * line, every operand written out, with the pc as a comment), the constant segments as
 * .data + .hex lines of 32 bytes, and the tensor map. Everything the file holds is in the
 * text; tests/fuzz checks the round trip on every program the fuzzer finds. */
#include "target/asm.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void disasm_insn(const isa_insn *insn, char *buf, size_t size)
{
    const isa_op *op = isa_op_info(insn->opcode);
    if (!op) {
        snprintf(buf, size, "<unknown opcode %u>", insn->opcode);
        return;
    }
    size_t used = (size_t)snprintf(buf, size, "%s", op->mnemonic);
    for (int i = 0; i < op->field_count && used < size; i++) {
        bool is_address = !strcmp(op->fields[i].name, "dram");
        used += (size_t)snprintf(buf + used, size - used, is_address ? " %s=0x%" PRIx64 : " %s=%" PRId64,
                                 op->fields[i].name, insn->args[i]);
    }
    /* Token flags, pops before pushes, prev before next. */
    static const struct { uint8_t flag; const char *key; bool next; } flags[] = {
        {ISA_POP_PREV, "pop", false}, {ISA_POP_NEXT, "pop", true}, {ISA_PUSH_PREV, "push", false}, {ISA_PUSH_NEXT, "push", true}};
    for (size_t f = 0; f < 4 && used < size; f++)
        if (insn->tokens & flags[f].flag)
            used += (size_t)snprintf(buf + used, size - used, " %s=%s", flags[f].key,
                                     isa_token_peer(op->queue, flags[f].next));
}

static const char *role_name(program_role r)
{
    return r == TENSOR_INPUT ? "input" : r == TENSOR_OUTPUT ? "output" : "other";
}

rtpu_status disasm_text(const rtpu_program *p, char **text, size_t *length, rtpu_error *err)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    if (!out)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "disasm: cannot open a memory stream");
    fprintf(out, "# rtpu program: %zu instructions, %zu segments, %zu tensors, %" PRIu64 " bytes of DRAM\n",
            p->insn_count, p->segment_count, p->tensor_count, p->dram_size);
    fprintf(out, ".config name=%s", p->config.name);
    for (int i = 0; i < config_field_count; i++)
        fprintf(out, " %s=%" PRIu64, config_fields[i].name, config_get(&p->config, &config_fields[i]));
    fputc('\n', out);
    fprintf(out, ".dram %" PRIu64 "\n", p->dram_size);
    char line[512];
    for (size_t pc = 0; pc < p->insn_count; pc++) {
        disasm_insn(&p->insns[pc], line, sizeof line);
        fprintf(out, "%-100s # pc %zu\n", line, pc);
    }
    for (size_t i = 0; i < p->segment_count; i++) {
        const program_segment *s = &p->segments[i];
        fprintf(out, ".data 0x%" PRIx64 "  # %" PRIu64 " bytes\n", s->dram, s->size);
        for (uint64_t at = 0; at < s->size; at += 32) {
            fputs(".hex ", out);
            for (uint64_t j = at; j < s->size && j < at + 32; j++)
                fprintf(out, "%02x", s->bytes[j]);
            fputc('\n', out);
        }
    }
    for (size_t i = 0; i < p->tensor_count; i++) {
        const program_tensor *t = &p->tensors[i];
        fprintf(out, ".tensor name=%s node=%s step=%" PRId32 " role=%s dtype=%s dram=0x%" PRIx64 " shape=%u,%u,%u,%u block=%u scale=%.9g\n",
                t->name, t->node, t->step, role_name(t->role), t->dtype == TENSOR_INT32 ? "int32" : "int8", t->dram,
                t->shape[0], t->shape[1], t->shape[2], t->shape[3], t->block, (double)t->scale);
    }
    if (ferror(out)) {
        fclose(out);
        free(buf);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "disasm: out of memory writing text");
    }
    fclose(out);
    *text = buf;
    *length = size;
    return RTPU_OK;
}
