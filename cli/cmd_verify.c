/* rtpu verify PROGRAM.rtpu --backends sim,rtl: co-simulation of two accelerator backends
 * (the cycle-level simulator and the verilated RTL) on one program file, through the
 * device API.
 *
 * Both run the program from the same DRAM contents; then every instruction's dispatch,
 * start and end cycle, the total cycles, every per-unit busy/stall/idle/instruction
 * count, MACs, DRAM bytes, all of DRAM and every on-chip memory row are compared
 * (rtpu_device_compare). On a mismatch the report names the first instruction whose timing
 * diverges: everything before it agreed cycle for cycle. Exit status 0 when everything
 * agrees, 1 when something differs or a backend fails, 2 on a usage error. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "rtpu/rtpu.h"
#include "target/config.h"
#include "target/program.h"

static const char usage[] =
    "usage: rtpu verify PROGRAM.rtpu --backends sim,rtl [--config NAME|FILE.json] [--json] [--max-memory SIZE]\n"
    "\n"
    "Runs the program on the simulator and on the RTL model and compares all outputs\n"
    "(DRAM and every on-chip memory, bit-exact), total cycles, per-unit busy/stall/idle\n"
    "cycles, and every instruction's dispatch/start/end cycle; names the first\n"
    "instruction where the two diverge.\n"
    "  --config C   refuse to run unless the program was built for config C\n"
    "  --json       print the comparison as one JSON object\n"
    "  --max-memory SIZE  refuse, before allocating, a program whose memories need more\n"
    "               on each backend (bytes, or with K/M/G/T; default 8G)\n";

typedef struct verify_options {
    const char *program, *backends, *config;
    char names[2][16];  /* the two backends of --backends A,B */
    bool json;
    uint64_t max_memory;
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
        int limit = cli_limit_option("verify", argc, argv, &i, &o->max_memory, NULL);
        if (limit < 0)
            return 2;
        if (limit > 0)
            continue;
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
        return cli_usage_error("verify", "--backends A,B is required (e.g. sim,rtl)");
    const char *comma = strchr(o->backends, ',');
    size_t first = comma ? (size_t)(comma - o->backends) : 0;
    if (!comma || !first || first >= sizeof o->names[0] || !comma[1] || strlen(comma + 1) >= sizeof o->names[1] ||
        strchr(comma + 1, ','))
        return cli_usage_error("verify", "--backends wants two backend names A,B, got '%s'", o->backends);
    memcpy(o->names[0], o->backends, first);
    strcpy(o->names[1], comma + 1);
    for (int k = 0; k < 2; k++) {
        const rtpu_backend *b = NULL;
        rtpu_error err = {0};
        if (rtpu_backend_find(o->names[k], &b, &err))
            return cli_usage_error("verify", "%s", err.message);
        if (!(b->caps & RTPU_CAN_RUN_PROGRAM) || !(b->caps & RTPU_CAN_COUNT_CYCLES))
            return cli_usage_error("verify", "backend '%s' does not run program files with cycles", o->names[k]);
    }
    return -1;
}

static void print_text(const verify_options *o, const rtpu_comparison *cmp, const rtpu_stats *s, const rtpu_stats *r,
                       const rtpu_program *p)
{
    if (cmp->equal) {
        printf("%s and %s agree: %" PRIu64 " cycles, %zu instructions with equal dispatch/start/end cycles, "
               "per-unit stats equal, DRAM and on-chip memories bit-exact\n",
               o->names[0], o->names[1], s->total_cycles, p->insn_count);
        return;
    }
    printf("%s and %s differ (%d differences; total cycles %s %" PRIu64 ", %s %" PRIu64 ")\n", o->names[0], o->names[1],
           cmp->differences, o->names[0], s->total_cycles, o->names[1], r->total_cycles);
    if (cmp->first_pc >= 0)
        printf("first divergence at pc %lld (%s)\n", cmp->first_pc,
               isa_op_info(p->insns[cmp->first_pc].opcode)->mnemonic);
    printf("%s\n", cmp->text);
}

static void print_json(const verify_options *o, const rtpu_comparison *cmp, const rtpu_stats *s, const rtpu_stats *r)
{
    printf("{\"equal\": %s, \"total_cycles\": {\"%s\": %" PRIu64 ", \"%s\": %" PRIu64 "}, \"first_pc\": %lld, "
           "\"differences\": [",
           cmp->equal ? "true" : "false", o->names[0], s->total_cycles, o->names[1], r->total_cycles, cmp->first_pc);
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

int cmd_verify(int argc, char **argv)
{
    verify_options o;
    int code = parse(argc, argv, &o);
    if (code >= 0)
        return code;
    rtpu_error err = {0};
    rtpu_program *p = NULL;
    rtpu_device *dev[2] = {NULL, NULL};
    rtpu_status st = program_load(o.program, &p, &err);
    if (!st && o.config) {
        rtpu_config cfg;
        st = config_load_named(o.config, &cfg, &err);
        if (!st)
            st = program_require_config(p, &cfg, &err);
    }
    rtpu_program_options po = {.max_memory = o.max_memory};
    for (int k = 0; k < 2 && !st; k++)
        st = rtpu_device_open_program(o.names[k], p, &po, &dev[k], &err);
    for (int k = 0; k < 2 && !st; k++)
        if ((st = rtpu_device_run(dev[k], NULL, &err)))
            rtpu_error_prefix(&err, "%s: ", o.names[k]);
    rtpu_comparison cmp;
    if (!st)
        st = rtpu_device_compare(dev[0], dev[1], &cmp, &err);
    if (st) {
        code = cli_report("verify", &err);
    } else {
        const rtpu_stats *a = rtpu_device_stats(dev[0]), *b = rtpu_device_stats(dev[1]);
        if (o.json)
            print_json(&o, &cmp, a, b);
        else
            print_text(&o, &cmp, a, b, p);
        code = cmp.equal ? 0 : 1;
    }
    for (int k = 0; k < 2; k++)
        rtpu_device_close(dev[k]);
    program_destroy(p);
    return code;
}
