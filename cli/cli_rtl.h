/* rtpu commands that use the RTL backend (rtl/). */
#ifndef RTPU_CLI_RTL_H
#define RTPU_CLI_RTL_H

/* `rtpu verify PROG.rtpu --backends sim,rtl [--config C] [--json]` (cli/cmd_verify.c). */
int cmd_verify(int argc, char **argv);

#endif
