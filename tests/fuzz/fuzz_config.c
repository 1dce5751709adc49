/* Fuzz harness: hardware config JSON (config_parse, target/config.c).
 * A config that parses must validate again unchanged, and its .config line must assemble
 * into the same config (the assembler's and the JSON loader's field tables are one). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/asm.h"
#include "target/config.h"
#include "tests/fuzz/fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_planted_crash(data, size);
    rtpu_config c;
    memset(&c, 0, sizeof c);
    rtpu_error err = {0};
    if (fuzz_check_error(config_parse((const char *)data, size, "fuzz.json", &c, &err), &err, "config_parse"))
        return 0;
    rtpu_error again = {0};
    if (config_validate(&c, "parsed", &again))
        fuzz_fail("config_parse accepted a config that config_validate refuses: %s", again.message);

    char text[1024];
    int used = snprintf(text, sizeof text, ".config name=%s", c.name);
    for (int i = 0; i < config_field_count; i++)
        used += snprintf(text + used, sizeof text - (size_t)used, " %s=%llu", config_fields[i].name,
                         (unsigned long long)config_get(&c, &config_fields[i]));
    used += snprintf(text + used, sizeof text - (size_t)used, "\nhalt\n");
    rtpu_program *p = NULL;
    rtpu_error asm_err = {0};
    if (asm_assemble(text, (size_t)used, "config.s", NULL, &p, &asm_err))
        fuzz_fail("a parsed config does not assemble as .config: %s", asm_err.message);
    if (!config_equal(&p->config, &c))
        fuzz_fail("the .config of a parsed config assembles to a different config");
    program_destroy(p);
    return 0;
}
