/* rtpu run PROGRAM.rtpu: run a program file on any backend that runs programs (the
 * cycle-level simulator, the RTL through Verilator), through the device API: nothing
 * here knows which backend it talks to, so everything after the run is shared.
 *
 * Loads and checks the program, optionally checks it against --config, writes --input
 * tensors (real values, quantised with the tensor's scale), runs, and reports: a summary
 * (cycles and each output tensor), --stats (per-unit table), --json (machine-readable
 * stats and outputs), --trace (Chrome trace of every instruction), --dump NAME=FILE.npy
 * (a tensor dequantised to float32, NHWC). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/npy.h"
#include "profile/profile.h"
#include "rtpu/rtpu.h"

static const char usage[] =
    "usage: rtpu run PROGRAM.rtpu [--backend sim|rtl] [--config NAME|FILE.json] [--stats] [--json]\n"
    "                [--trace OUT.json | --waves OUT.fst] [--input NAME=IN.npy]... [--dump NAME=OUT.npy]...\n"
    "                [--max-memory SIZE] [--max-cycles N]\n"
    "\n"
    "Runs a program file on the cycle-level simulator (sim, default) or on the Verilog RTL\n"
    "through Verilator (rtl: configs small-8 and small-16); both give the same data and cycles.\n"
    "  --config C        refuse to run unless the program was built for config C\n"
    "  --stats           per-unit busy/stall/idle cycles, MXU utilisation, DRAM bytes\n"
    "  --json            print stats and output summaries as one JSON object\n"
    "  --trace F         per-instruction start/end cycles, Chrome trace format\n"
    "                    (open in chrome://tracing or ui.perfetto.dev; 1 us = 1 cycle)\n"
    "  --waves F.fst     waveform of the RTL run (rtl only; open with gtkwave)\n"
    "  --input NAME=F    write tensor NAME from a .npy (real values, quantised with its scale)\n"
    "  --dump NAME=F     write tensor NAME as float32 .npy (n, h, w, c), dequantised\n"
    "  --max-cycles N    fail a run that has not finished after N cycles (rtl default 10^8)\n"
    CLI_LIMITS_USAGE;

enum { MAX_BINDINGS = 64 };

typedef struct run_options {
    const char *program, *backend, *config, *trace, *waves;
    bool stats, json;
    uint64_t max_memory;
    unsigned long long max_cycles;
    const char *inputs[MAX_BINDINGS], *dumps[MAX_BINDINGS];
    int input_count, dump_count;
} run_options;

static int parse(int argc, char **argv, run_options *o)
{
    memset(o, 0, sizeof *o);
    o->backend = "sim";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return 0;
        }
        if (!strcmp(a, "--stats")) {
            o->stats = true;
            continue;
        }
        int limit = cli_limit_option("run", argc, argv, &i, &o->max_memory, NULL);
        if (limit < 0)
            return 2;
        if (limit > 0)
            continue;
        if (!strcmp(a, "--max-cycles")) {
            if (i + 1 == argc || !cli_parse_u64(argv[++i], &o->max_cycles) || o->max_cycles == 0)
                return cli_usage_error("run", "--max-cycles needs a positive integer");
            continue;
        }
        if (!strcmp(a, "--json")) {
            o->json = true;
            continue;
        }
        bool takes_value = !strcmp(a, "--backend") || !strcmp(a, "--config") || !strcmp(a, "--trace") ||
                           !strcmp(a, "--waves") || !strcmp(a, "--input") || !strcmp(a, "--dump");
        if (takes_value) {
            if (i + 1 == argc)
                return cli_usage_error("run", "%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--backend"))
                o->backend = v;
            else if (!strcmp(a, "--config"))
                o->config = v;
            else if (!strcmp(a, "--trace"))
                o->trace = v;
            else if (!strcmp(a, "--waves"))
                o->waves = v;
            else {
                bool in = !strcmp(a, "--input");
                if (!strchr(v, '=') || strchr(v, '=') == v)
                    return cli_usage_error("run", "%s wants NAME=FILE.npy, got '%s'", a, v);
                if ((in ? o->input_count : o->dump_count) == MAX_BINDINGS)
                    return cli_usage_error("run", "more than %d %s options", MAX_BINDINGS, a);
                if (in)
                    o->inputs[o->input_count++] = v;
                else
                    o->dumps[o->dump_count++] = v;
            }
            continue;
        }
        if (a[0] == '-')
            return cli_usage_error("run", "unknown option '%s'", a);
        if (o->program)
            return cli_usage_error("run", "one program file, got '%s' and '%s'", o->program, a);
        o->program = a;
    }
    if (!o->program)
        return cli_usage_error("run", "no program file");
    const rtpu_backend *b = NULL;
    rtpu_error err = {0};
    if (rtpu_backend_find(o->backend, &b, &err))
        return cli_usage_error("run", "%s", err.message);
    if (!(b->caps & RTPU_CAN_RUN_PROGRAM))
        return cli_usage_error("run", "backend '%s' does not run program files", o->backend);
    if (o->waves && !(b->caps & RTPU_CAN_WAVES))
        return cli_usage_error("run", "--waves needs a backend that writes waveforms (rtl), not '%s'", o->backend);
    return -1;
}

/* "NAME=FILE" -> the tensor's name and the file name. */
static rtpu_status binding(const char *spec, char name[RTPU_NAME_MAX], const char **file, rtpu_error *err)
{
    const char *eq = strchr(spec, '=');
    size_t n = (size_t)(eq - spec);
    if (n >= RTPU_NAME_MAX)
        return rtpu_fail(err, RTPU_ERR_INVALID, "tensor name in '%s' is too long", spec);
    memcpy(name, spec, n);
    name[n] = '\0';
    *file = eq + 1;
    return RTPU_OK;
}

static rtpu_status write_inputs(rtpu_device *d, const run_options *o, rtpu_error *err)
{
    for (int i = 0; i < o->input_count; i++) {
        char name[RTPU_NAME_MAX];
        const char *file = NULL;
        rtpu_tensor_desc t;
        rtpu_status st = binding(o->inputs[i], name, &file, err);
        if (!st)
            st = rtpu_device_describe(d, name, RTPU_BY_NAME, &t, err);
        if (st)
            return st;
        npy_array a;
        if ((st = npy_read(file, &a, err)))
            return st;
        if (npy_array_count(&a) != t.count)
            st = rtpu_fail(err, RTPU_ERR_SHAPE, "%s: %zu values, tensor '%s' has %u x %u x %u x %u", file,
                           npy_array_count(&a), t.name, t.shape[0], t.shape[1], t.shape[2], t.shape[3]);
        else
            st = rtpu_device_write(d, name, RTPU_BY_NAME, a.data, t.count, err);
        npy_array_destroy(&a);
        if (st)
            return st;
    }
    return RTPU_OK;
}

/* The tensor's real values (malloc'd). */
static rtpu_status read_values(rtpu_device *d, const rtpu_tensor_desc *t, float **out, rtpu_error *err)
{
    float *v = malloc((t->count ? t->count : 1) * sizeof *v);
    if (!v)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory for tensor '%s'", t->name);
    rtpu_status st = rtpu_device_read(d, t->name, RTPU_BY_NAME, v, t->count, err);
    if (st) {
        free(v);
        return st;
    }
    *out = v;
    return RTPU_OK;
}

static rtpu_status dump_outputs(rtpu_device *d, const run_options *o, rtpu_error *err)
{
    for (int i = 0; i < o->dump_count; i++) {
        char name[RTPU_NAME_MAX];
        const char *file = NULL;
        rtpu_tensor_desc t;
        float *values = NULL;
        rtpu_status st = binding(o->dumps[i], name, &file, err);
        if (!st)
            st = rtpu_device_describe(d, name, RTPU_BY_NAME, &t, err);
        if (!st)
            st = read_values(d, &t, &values, err);
        if (st)
            return st;
        long long shape[4] = {t.shape[0], t.shape[1], t.shape[2], t.shape[3]};
        st = npy_write_f32(file, values, 4, shape, err);
        free(values);
        if (st)
            return st;
    }
    return RTPU_OK;
}

/* One line per output tensor: name, node, step, shape, min / max / mean of real values. */
static rtpu_status print_outputs(rtpu_device *d, const rtpu_program *p, bool json, rtpu_error *err)
{
    bool first = true;
    for (size_t i = 0; i < p->tensor_count; i++) {
        if (p->tensors[i].role != TENSOR_OUTPUT)
            continue;
        rtpu_tensor_desc desc;
        float *v = NULL;
        rtpu_status st = rtpu_device_describe(d, p->tensors[i].name, RTPU_BY_NAME, &desc, err);
        if (!st)
            st = read_values(d, &desc, &v, err);
        if (st)
            return st;
        const program_tensor *t = &p->tensors[i];
        size_t n = desc.count;
        double lo = INFINITY, hi = -INFINITY, sum = 0;
        for (size_t k = 0; k < n; k++) {
            lo = v[k] < lo ? v[k] : lo;
            hi = v[k] > hi ? v[k] : hi;
            sum += v[k];
        }
        free(v);
        if (json)
            printf("%s{\"name\": \"%s\", \"node\": \"%s\", \"step\": %d, \"shape\": [%u, %u, %u, %u], \"min\": %.9g, "
                   "\"max\": %.9g, \"mean\": %.9g}",
                   first ? "" : ", ", t->name, t->node, t->step, t->shape[0], t->shape[1], t->shape[2], t->shape[3], lo,
                   hi, sum / (double)n);
        else
            printf("output %-24s node %-12s step %3d  %ux%ux%ux%u  min %.6g max %.6g mean %.6g\n", t->name, t->node,
                   t->step, t->shape[0], t->shape[1], t->shape[2], t->shape[3], lo, hi, sum / (double)n);
        first = false;
    }
    return RTPU_OK;
}

int cmd_run_program(int argc, char **argv)
{
    run_options o;
    int r = parse(argc, argv, &o);
    if (r >= 0)
        return r;
    rtpu_error err = {0};
    rtpu_program *p = NULL;
    rtpu_device *d = NULL;
    char *text = NULL;
    int rc = 0;
    rtpu_config config;
    rtpu_program_options open = {.max_memory = o.max_memory};
    rtpu_run_options run = {.waves_path = o.waves, .cycle_limit = o.max_cycles};
    if (program_load(o.program, &p, &err) ||
        (o.config && (config_load_named(o.config, &config, &err) || program_require_config(p, &config, &err))) ||
        rtpu_device_open_program(o.backend, p, &open, &d, &err) || write_inputs(d, &o, &err) ||
        rtpu_device_run(d, &run, &err) ||
        (o.trace && profile_write_trace(p, rtpu_device_stats(d), rtpu_device_timings(d), o.trace, &err)) ||
        dump_outputs(d, &o, &err)) {
        rc = cli_report("run", &err);
        goto done;
    }
    const rtpu_stats *s = rtpu_device_stats(d);
    if (o.json) {
        if (profile_stats_json(s, &p->config, &text, &err)) {
            rc = cli_report("run", &err);
            goto done;
        }
        size_t len = strlen(text);
        if (len >= 2 && text[len - 2] == '}')
            text[len - 2] = '\0'; /* drop the final "}\n" to add the outputs */
        printf("%s, \"outputs\": [", text);
        if (print_outputs(d, p, true, &err))
            rc = cli_report("run", &err);
        printf("]}\n");
        goto done;
    }
    printf("%s: %" PRIu64 " cycles on %s, backend %s (%.3f ms at %u MHz), MXU utilisation %.2f%%\n", o.program,
           s->total_cycles, p->config.name, o.backend, (double)s->total_cycles / (p->config.clock_mhz * 1000.0), p->config.clock_mhz,
           100.0 * s->mxu_utilisation);
    if (o.stats) {
        if (profile_stats_table(s, &p->config, &text, &err)) {
            rc = cli_report("run", &err);
            goto done;
        }
        fputs(text, stdout);
    }
    if (print_outputs(d, p, false, &err))
        rc = cli_report("run", &err);
done:
    free(text);
    rtpu_device_close(d);
    program_destroy(p);
    return rc;
}
