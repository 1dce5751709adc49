/* rtpu verify PROGRAM.rtpu --backends sim,rtl: co-simulation of the cycle-level
 * simulator and the verilated RTL on one program file.
 *
 * Both run the program from the same DRAM contents; then every instruction's dispatch,
 * start and end cycle, the total cycles, every per-unit busy/stall/idle/instruction
 * count, MACs, DRAM bytes, all of DRAM and every on-chip memory row are compared
 * (rtl/compare.h). On a mismatch the report names the first instruction whose timing
 * diverges: everything before it agreed cycle for cycle. Exit status 0 when everything
 * agrees, 1 when something differs or a backend fails, 2 on a usage error. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_rtl.h"
#include "sim/sim.h"
#ifdef RTPU_HAVE_RTL
#include "rtl/compare.h"
#include "rtl/rtl.h"
#endif

static const char usage[] =
    "usage: rtpu verify PROGRAM.rtpu --backends sim,rtl [--config NAME|FILE.json] [--json]\n"
    "\n"
    "Runs the program on the simulator and on the RTL model and compares all outputs\n"
    "(DRAM and every on-chip memory, bit-exact), total cycles, per-unit busy/stall/idle\n"
    "cycles, and every instruction's dispatch/start/end cycle; names the first\n"
    "instruction where the two diverge.\n"
    "  --config C   refuse to run unless the program was built for config C\n"
    "  --json       print the comparison as one JSON object\n";

typedef struct verify_options {
    const char *program, *backends, *config;
    bool json;
} verify_options;

static int parse(int argc, char **argv, verify_options *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return 0;
        }
        if (!strcmp(a, "--json")) {
            o->json = true;
            continue;
        }
        if (!strcmp(a, "--backends") || !strcmp(a, "--config")) {
            if (i + 1 == argc)
                return cli_usage_error("verify", "%s needs a value", a);
            if (!strcmp(a, "--backends"))
                o->backends = argv[++i];
            else
                o->config = argv[++i];
            continue;
        }
        if (a[0] == '-')
            return cli_usage_error("verify", "unknown option '%s'", a);
        if (o->program)
            return cli_usage_error("verify", "one program file, got '%s' and '%s'", o->program, a);
        o->program = a;
    }
    if (!o->program)
        return cli_usage_error("verify", "no program file");
    if (!o->backends)
        return cli_usage_error("verify", "--backends is required (the only pair is sim,rtl)");
    if (strcmp(o->backends, "sim,rtl") != 0 && strcmp(o->backends, "rtl,sim") != 0)
        return cli_usage_error("verify", "backends '%s': the only pair that can be compared is sim,rtl", o->backends);
    return -1;
}

#ifdef RTPU_HAVE_RTL
static void print_text(const rtl_comparison *cmp, const sim_stats *s, const sim_stats *r, const rtpu_program *p)
{
    if (cmp->equal) {
        printf("sim and rtl agree: %" PRIu64 " cycles, %zu instructions with equal dispatch/start/end cycles, "
               "per-unit stats equal, DRAM and on-chip memories bit-exact\n",
               s->total_cycles, p->insn_count);
        return;
    }
    printf("sim and rtl differ (%d differences; total cycles sim %" PRIu64 ", rtl %" PRIu64 ")\n", cmp->differences,
           s->total_cycles, r->total_cycles);
    if (cmp->first_pc >= 0)
        printf("first divergence at pc %lld (%s)\n", cmp->first_pc,
               isa_op_info(p->insns[cmp->first_pc].opcode)->mnemonic);
    printf("%s\n", cmp->text);
}

static void print_json(const rtl_comparison *cmp, const sim_stats *s, const sim_stats *r)
{
    printf("{\"equal\": %s, \"total_cycles\": {\"sim\": %" PRIu64 ", \"rtl\": %" PRIu64 "}, \"first_pc\": %lld, "
           "\"differences\": [",
           cmp->equal ? "true" : "false", s->total_cycles, r->total_cycles, cmp->first_pc);
    const char *line = cmp->text;
    bool first = true;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        printf("%s\"", first ? "" : ", ");
        for (size_t i = 0; i < len; i++) {
            if (line[i] == '"' || line[i] == '\\')
                putchar('\\');
            putchar(line[i]);
        }
        putchar('"');
        first = false;
        line += len + (end ? 1 : 0);
    }
    printf("]}\n");
}
#endif

int cmd_verify(int argc, char **argv)
{
    verify_options o;
    int code = parse(argc, argv, &o);
    if (code >= 0)
        return code;
#ifndef RTPU_HAVE_RTL
    fprintf(stderr, "rtpu verify: this build has no RTL backend (configure with -DRTPU_RTL=ON)\n");
    return 1;
#else
    rtpu_error err = {0};
    rtpu_program *p = NULL;
    rtpu_sim *sim = NULL;
    rtpu_rtl *rtl = NULL;
    rtpu_status st = program_load(o.program, &p, &err);
    if (!st && o.config) {
        rtpu_config cfg;
        st = config_load_named(o.config, &cfg, &err);
        if (!st)
            st = program_require_config(p, &cfg, &err);
    }
    if (!st && (st = sim_create(p, &sim, &err)) == RTPU_OK)
        st = rtl_create(p, &rtl, &err);
    if (!st && (st = sim_run(sim, &err)))
        rtpu_error_prefix(&err, "sim: ");
    if (!st && (st = rtl_run(rtl, 0, NULL, &err)))
        rtpu_error_prefix(&err, "rtl: ");
    rtl_comparison cmp;
    if (!st)
        st = rtl_compare_sim(sim, rtl, &cmp, &err);
    if (st) {
        code = cli_report("verify", &err);
    } else {
        if (o.json)
            print_json(&cmp, sim_get_stats(sim), rtl_get_stats(rtl));
        else
            print_text(&cmp, sim_get_stats(sim), rtl_get_stats(rtl), p);
        code = cmp.equal ? 0 : 1;
    }
    rtl_destroy(rtl);
    sim_destroy(sim);
    program_destroy(p);
    return code;
#endif
}
