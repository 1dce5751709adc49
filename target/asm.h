/* Text assembly for the accelerator: the assembler and the disassembler.
 *
 * One instruction or directive per line; '#' or ';' starts a comment. Instructions are
 * a mnemonic followed by name=value operands named as in docs/isa.md, plus token flags
 * pop=PEER / push=PEER (PEER is ld, ex or st). Directives:
 *   .config name=NAME array_size=N ...      every config field (optional if the caller
 *                                           supplies the config)
 *   .dram BYTES                             the program's DRAM size (optional; at least, and
 *                                           by default exactly, what the program touches)
 *   .data ADDR                              start a constant segment at a DRAM address
 *   .hex BYTES  /  .int8 V...  /  .int32 V...   append to the current segment
 *   .tensor name=.. node=.. step=.. role=input|output|other dtype=int8|int32 dram=..
 *           shape=N,H,W,C block=.. scale=..
 * Errors read "file:line:col: message". disasm_text prints text that assembles back to
 * the byte-identical program file. */
#ifndef RTPU_TARGET_ASM_H
#define RTPU_TARGET_ASM_H

#include <stddef.h>

#include "common/error.h"
#include "target/program.h"

/* Assembles text. config may be NULL when the text has a .config directive; when both are
 * given they must be equal. */
rtpu_status asm_assemble(const char *text, size_t length, const char *source, const rtpu_config *config,
                         rtpu_program **out, rtpu_error *err);
rtpu_status asm_assemble_file(const char *path, const rtpu_config *config, rtpu_program **out, rtpu_error *err);

/* The program as assembly text (malloc'd, NUL-terminated; free()). */
rtpu_status disasm_text(const rtpu_program *p, char **text, size_t *length, rtpu_error *err);
/* One instruction as text, without token flags' trailing newline, into buf. */
void disasm_insn(const isa_insn *insn, char *buf, size_t size);

#endif
