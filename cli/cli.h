/* The rtpu command: one file per subcommand, each `int cmd_NAME(int argc, char **argv)`
 * returning the process exit status. Only cli/ prints and exits. argv[0] is the
 * subcommand name. */
#ifndef RTPU_CLI_H
#define RTPU_CLI_H

#include <stdbool.h>

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

#endif
