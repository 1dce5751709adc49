/* The rtpu command: one file per subcommand, each `int cmd_NAME(int argc, char **argv)`
 * returning the process exit status. Only cli/ prints and exits. argv[0] is the
 * subcommand name. */
#ifndef RTPU_CLI_H
#define RTPU_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "rtpu/status.h"

int cmd_info(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_asm(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
/* `rtpu import MODEL.json -o GRAPH.json` (cli/cmd_import.c). */
int cmd_import(int argc, char **argv);

/* `rtpu run prog.rtpu ...`: cmd_run hands program files to this (cli/run_program.c). */
int cmd_run_program(int argc, char **argv);
/* `rtpu verify PROG.rtpu --backends A,B [--config C] [--json]` (cli/cmd_verify.c). */
int cmd_verify(int argc, char **argv);

/* Prints "rtpu CMD: message" to stderr and returns the exit code for that status. */
int cli_report(const char *command, const rtpu_error *err);
/* Prints "rtpu CMD: <formatted>" to stderr and returns 2 (usage error). */
int cli_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool cli_has_suffix(const char *s, const char *suffix);
/* Parses a non-negative decimal integer; false on anything else. */
bool cli_parse_u64(const char *text, unsigned long long *out);
/* A byte count: an integer with an optional binary suffix K, M, G or T (also KiB, MiB,
 * ...): "512M", "8G", "1048576". Zero and overflow are refused. */
bool cli_parse_size(const char *text, uint64_t *out);

/* The resource-limit options every command that allocates or runs takes (rtpu/limits.h):
 * --max-memory SIZE, and --max-macs N (max_macs NULL: the command has no MAC limit).
 * Returns 1 when argv[*i] was one of them (its value consumed), 0 when it was not, -1
 * after printing a usage error. */
int cli_limit_option(const char *command, int argc, char **argv, int *i, uint64_t *max_memory, uint64_t *max_macs);
#define CLI_LIMITS_USAGE                                                                             \
    "  --max-memory SIZE  refuse, before allocating, work that needs more memory\n"                  \
    "                 (bytes, or with K/M/G/T; default 8G)\n"

#endif
