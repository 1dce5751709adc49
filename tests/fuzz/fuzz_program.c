/* Fuzz harness: program files as they are (program_parse, target/program_file.c). Most
 * mutations stop at the size or CRC check; fuzz_program_fixed.c repairs both so the body
 * checks are reached. A file that loads goes through fuzz_check_program. */
#include "target/program.h"
#include "tests/fuzz/fuzz_programs.h"
#include "tests/fuzz/fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_planted_crash(data, size);
    rtpu_program *p = (rtpu_program *)1;
    rtpu_error err = {0};
    rtpu_status st = program_parse(data, size, "fuzz.rtpu", &p, &err);
    if (fuzz_check_error(st, &err, "program_parse")) {
        /* program_parse leaves *out alone on failure (callers pass NULL-initialised). */
        if (p != (rtpu_program *)1)
            fuzz_fail("program_parse failed but wrote an output program");
        return 0;
    }
    fuzz_check_program(p, data, size);
    program_destroy(p);
    return 0;
}
