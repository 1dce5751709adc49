/* rtpu disasm: print a program file as text assembly that assembles back to it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/atomic_file.h"
#include "target/asm.h"

static const char usage[] =
    "usage: rtpu disasm PROGRAM.rtpu [-o OUT.s]\n"
    "\n"
    "Checks the program file like the loader does (checksum, config, every instruction and\n"
    "bound) and prints it as assembly: the .config, one instruction per line with its pc,\n"
    "the constant segments and the tensor map. `rtpu asm` turns the text back into the\n"
    "byte-identical file. Writes to stdout unless -o is given (then atomically).\n";

int cmd_disasm(int argc, char **argv)
{
    const char *input = NULL, *output = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(argv[i], "-o")) {
            if (i + 1 == argc)
                return cli_usage_error("disasm", "-o needs a value");
            output = argv[++i];
        } else if (argv[i][0] == '-') {
            return cli_usage_error("disasm", "unknown option '%s'", argv[i]);
        } else if (input) {
            return cli_usage_error("disasm", "one input file, got '%s' and '%s'", input, argv[i]);
        } else {
            input = argv[i];
        }
    }
    if (!input)
        return cli_usage_error("disasm", "no input file");
    rtpu_error err = {0};
    rtpu_program *program = NULL;
    char *text = NULL;
    size_t length = 0;
    int rc = 0;
    if (program_load(input, &program, &err) || disasm_text(program, &text, &length, &err))
        rc = cli_report("disasm", &err);
    else if (output ? write_file_atomically(output, text, length, &err) != RTPU_OK : fwrite(text, 1, length, stdout) != length)
        rc = output ? cli_report("disasm", &err) : 1;
    free(text);
    program_destroy(program);
    return rc;
}
