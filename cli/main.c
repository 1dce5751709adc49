/* rtpu: entry point. Dispatches to one subcommand per file (cli/cmd_*.c). */
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "rtpu/version.h"
#include "compiler/ir.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"info", cmd_info, "per-node shapes, parameter counts and MACs per step of a graph"},
    {"init", cmd_init, "write deterministic initial weights for a graph (safetensors)"},
    {"run", cmd_run, "run a graph (cpu backend) or a program file (sim or rtl backend)"},
    {"asm", cmd_asm, "assemble a text program into a program file (.rtpu)"},
    {"disasm", cmd_disasm, "print a program file as text assembly"},
    {"verify", cmd_verify, "co-simulate a program file on sim and rtl and compare everything"},
    {"import", cmd_import, "convert a model-zoo (tnn) model file into an rtpu graph spec"},
};

static void print_usage(FILE *out)
{
    fprintf(out, "usage: rtpu COMMAND [ARGS]   (rtpu COMMAND --help for each)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
}

int cli_report(const char *command, const rtpu_error *err)
{
    fprintf(stderr, "rtpu %s: %s\n", command, err->message[0] ? err->message : rtpu_status_name(err->status));
    return err->status == RTPU_OK ? 0 : 1;
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rtpu %s: ", command);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see rtpu %s --help)\n", command);
    va_end(ap);
    return 2;
}

bool cli_has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int main(int argc, char **argv)
{
    /* The CPU reference allocates each step's tensors afresh (megabytes each). By default
     * glibc serves those with mmap and hands them back on free, so every step pays page
     * faults again; keeping freed memory in the heap makes the median model ~25% faster.
     * Process-wide policy, so it is set here at the program's entry, not in a library. */
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    if (argc < 2) {
        fprintf(stderr, "rtpu: missing command (rtpu --help lists them; usage: rtpu COMMAND [ARGS])\n");
        return 2;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("rtpu %s (spec format %d)\n", RTPU_VERSION_STRING, SPEC_FORMAT_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        print_usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "rtpu: unknown command '%s' (rtpu --help lists them)\n", argv[1]);
    return 2;
}
