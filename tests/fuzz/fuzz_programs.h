/* What the program-file and assembly harnesses check on every program that loads or
 * assembles (fuzz_programs.c). */
#ifndef RTPU_TESTS_FUZZ_PROGRAMS_H
#define RTPU_TESTS_FUZZ_PROGRAMS_H

#include <stddef.h>
#include <stdint.h>

#include "target/program.h"

/* file, when not NULL, is the bytes p was parsed from: they must be exactly what
 * program_serialize writes for p. Then, for every program:
 *   - serialise -> program_parse -> serialise gives the same bytes;
 *   - disasm_text -> asm_assemble (the text's own .config) -> serialise gives them too;
 *   - if it is small enough (FUZZ_SIM_* limits in fuzz_programs.c) it runs on the
 *     simulator twice, and the timing must obey docs/architecture.md: every unit's busy
 *     plus stall at most the total, every instruction's end = start + its cycles, the
 *     same cycles both times. A deadlock is a valid outcome (a message, no crash). */
void fuzz_check_program(const rtpu_program *p, const uint8_t *file, size_t file_size);

#endif
