/* rtpu asm: assemble a text program (.s) into a program file (.rtpu). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "target/asm.h"

static const char usage[] =
    "usage: rtpu asm PROGRAM.s [-o OUT.rtpu] [--config NAME|FILE.json]\n"
    "\n"
    "Assembles text assembly (docs/isa.md) into a program file. The target config comes from\n"
    "the file's .config directive or from --config (a path, or a name looked up in\n"
    "$RTPU_CONFIG_DIR and ./configs); when both are present they must agree.\n"
    "OUT defaults to PROGRAM with .s replaced by .rtpu. The file is written atomically.\n";

int cmd_asm(int argc, char **argv)
{
    const char *input = NULL, *output = NULL, *config_arg = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--config")) {
            if (i + 1 == argc)
                return cli_usage_error("asm", "%s needs a value", argv[i]);
            if (!strcmp(argv[i], "-o"))
                output = argv[++i];
            else
                config_arg = argv[++i];
        } else if (argv[i][0] == '-') {
            return cli_usage_error("asm", "unknown option '%s'", argv[i]);
        } else if (input) {
            return cli_usage_error("asm", "one input file, got '%s' and '%s'", input, argv[i]);
        } else {
            input = argv[i];
        }
    }
    if (!input)
        return cli_usage_error("asm", "no input file");
    char *default_output = NULL;
    if (!output) {
        size_t n = strlen(input);
        default_output = malloc(n + 8);
        if (!default_output)
            return 1;
        strcpy(default_output, input);
        if (cli_has_suffix(default_output, ".s"))
            default_output[n - 2] = '\0';
        strcat(default_output, ".rtpu");
        output = default_output;
    }
    rtpu_error err = {0};
    rtpu_config config;
    rtpu_program *program = NULL;
    int rc = 0;
    if ((config_arg && config_load_named(config_arg, &config, &err)) ||
        asm_assemble_file(input, config_arg ? &config : NULL, &program, &err) ||
        program_save(program, output, &err))
        rc = cli_report("asm", &err);
    program_destroy(program);
    free(default_output);
    return rc;
}
