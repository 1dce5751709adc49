/* Fuzz harness: program files with the header's size field and the trailing CRC-32 set
 * to match the bytes before parsing, so the mutations reach the body checks (config,
 * counts, instruction encodings, segments, tensors, static bounds). A file that loads
 * goes through fuzz_check_program, compared with the repaired bytes. */
#include <stdlib.h>
#include <string.h>

#include "target/program.h"
#include "tests/fuzz/fuzz_programs.h"
#include "tests/fuzz/fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_planted_crash(data, size);
    uint8_t *bytes = malloc(size ? size : 1);
    if (!bytes)
        return 0;
    memcpy(bytes, data, size);
    if (size >= 28) {
        for (int b = 0; b < 8; b++)
            bytes[16 + b] = (uint8_t)((uint64_t)size >> (8 * b));
        uint32_t crc = program_crc32(bytes, size - 4);
        for (int b = 0; b < 4; b++)
            bytes[size - 4 + (size_t)b] = (uint8_t)(crc >> (8 * b));
    }
    rtpu_program *p = (rtpu_program *)1;
    rtpu_error err = {0};
    rtpu_status st = program_parse(bytes, size, "fuzz.rtpu", &p, &err);
    if (fuzz_check_error(st, &err, "program_parse")) {
        if (p != (rtpu_program *)1)
            fuzz_fail("program_parse failed but wrote an output program");
    } else {
        fuzz_check_program(p, bytes, size);
        program_destroy(p);
    }
    free(bytes);
    return 0;
}
