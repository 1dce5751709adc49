/* Fuzz harness: assembly text (asm_assemble, target/asm.c). Text without a .config
 * directive is assembled for the small-8 config (as `rtpu asm --config small-8` would).
 * A program that assembles must load from its own serialisation, survive disasm -> asm
 * byte for byte, and run (fuzz_check_program). */
#include <string.h>

#include "target/asm.h"
#include "target/config.h"
#include "tests/fuzz/fuzz_programs.h"
#include "tests/fuzz/fuzz_support.h"

/* configs/small-8.json, built in so the harness needs no files. */
static const char small8_json[] =
    "{\"name\": \"small-8\", \"array_size\": 8, \"unified_buffer_bytes\": 65536,"
    " \"accumulator_bytes\": 16384, \"weight_buffer_bytes\": 4096, \"lut_tables\": 8,"
    " \"dram_bytes\": 16777216, \"dram_bytes_per_cycle\": 4, \"dram_latency_cycles\": 10,"
    " \"vector_lanes\": 8, \"vector_pipeline_cycles\": 2, \"queue_depth\": 8, \"clock_mhz\": 200}";

static const rtpu_config *small8(void)
{
    static rtpu_config c;
    static int loaded;
    if (!loaded) {
        rtpu_error err = {0};
        if (config_parse(small8_json, sizeof small8_json - 1, "small-8", &c, &err))
            fuzz_fail("built-in small-8 config: %s", err.message);
        loaded = 1;
    }
    return &c;
}

static int has_config_directive(const uint8_t *data, size_t size)
{
    static const char directive[] = ".config";
    size_t n = sizeof directive - 1;
    for (size_t i = 0; i + n <= size; i++)
        if (!memcmp(data + i, directive, n))
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_planted_crash(data, size);
    const rtpu_config *config = has_config_directive(data, size) ? NULL : small8();
    rtpu_program *p = (rtpu_program *)1;
    rtpu_error err = {0};
    rtpu_status st = asm_assemble((const char *)data, size, "fuzz.s", config, &p, &err);
    if (fuzz_check_error(st, &err, "asm_assemble")) {
        if (p != (rtpu_program *)1)
            fuzz_fail("asm_assemble failed but wrote an output program");
        return 0;
    }
    fuzz_check_program(p, NULL, 0);
    program_destroy(p);
    return 0;
}
