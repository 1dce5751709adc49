/* rtpu run PROGRAM.rtpu: run a program file on the cycle-level simulator.
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
#include "sim/sim.h"

static const char usage[] =
    "usage: rtpu run PROGRAM.rtpu [--backend sim] [--config NAME|FILE.json] [--stats] [--json]\n"
    "                [--trace OUT.json] [--input NAME=IN.npy]... [--dump NAME=OUT.npy]...\n"
    "\n"
    "Runs a program file on the cycle-level simulator (the only backend so far).\n"
    "  --config C        refuse to run unless the program was built for config C\n"
    "  --stats           per-unit busy/stall/idle cycles, MXU utilisation, DRAM bytes\n"
    "  --json            print stats and output summaries as one JSON object\n"
    "  --trace F         per-instruction start/end cycles, Chrome trace format\n"
    "                    (open in chrome://tracing or ui.perfetto.dev; 1 us = 1 cycle)\n"
    "  --input NAME=F    write tensor NAME from a .npy (real values, quantised with its scale)\n"
    "  --dump NAME=F     write tensor NAME as float32 .npy (n, h, w, c), dequantised\n";

enum { MAX_BINDINGS = 64 };

typedef struct run_options {
    const char *program, *backend, *config, *trace;
    bool stats, json;
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
        if (!strcmp(a, "--json")) {
            o->json = true;
            continue;
        }
        bool takes_value = !strcmp(a, "--backend") || !strcmp(a, "--config") || !strcmp(a, "--trace") ||
                           !strcmp(a, "--input") || !strcmp(a, "--dump");
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
    if (strcmp(o->backend, "sim") != 0)
        return cli_usage_error("run", "backend '%s' cannot run program files yet (use --backend sim)", o->backend);
    return -1;
}

/* "NAME=FILE" -> the tensor and the file name. */
static rtpu_status binding(const rtpu_program *p, const char *spec, const program_tensor **t, const char **file,
                           rtpu_error *err)
{
    const char *eq = strchr(spec, '=');
    char name[PROGRAM_NAME_MAX];
    size_t n = (size_t)(eq - spec);
    if (n >= sizeof name)
        return rtpu_fail(err, RTPU_ERR_INVALID, "tensor name in '%s' is too long", spec);
    memcpy(name, spec, n);
    name[n] = '\0';
    *t = program_find_tensor(p, name);
    *file = eq + 1;
    if (!*t)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: the program's tensor map has no tensor '%s'", p->config.name, name);
    return RTPU_OK;
}

static size_t tensor_count(const program_tensor *t)
{
    return (size_t)t->shape[0] * t->shape[1] * t->shape[2] * t->shape[3];
}

static rtpu_status write_inputs(rtpu_sim *sim, const run_options *o, rtpu_error *err)
{
    for (int i = 0; i < o->input_count; i++) {
        const program_tensor *t;
        const char *file;
        rtpu_status st = binding(sim_get_program(sim), o->inputs[i], &t, &file, err);
        if (st)
            return st;
        npy_array a;
        if ((st = npy_read(file, &a, err)))
            return st;
        if (npy_array_count(&a) != tensor_count(t)) {
            st = rtpu_fail(err, RTPU_ERR_SHAPE, "%s: %zu values, tensor '%s' has %u x %u x %u x %u", file,
                           npy_array_count(&a), t->name, t->shape[0], t->shape[1], t->shape[2], t->shape[3]);
        } else {
            st = sim_write_tensor(sim, t, a.data, err);
        }
        npy_array_destroy(&a);
        if (st)
            return st;
    }
    return RTPU_OK;
}

static rtpu_status dump_outputs(const rtpu_sim *sim, const run_options *o, rtpu_error *err)
{
    for (int i = 0; i < o->dump_count; i++) {
        const program_tensor *t;
        const char *file;
        rtpu_status st = binding(sim_get_program(sim), o->dumps[i], &t, &file, err);
        if (st)
            return st;
        float *values = malloc(tensor_count(t) * sizeof *values);
        if (!values)
            return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory for tensor '%s'", t->name);
        long long shape[4] = {t->shape[0], t->shape[1], t->shape[2], t->shape[3]};
        st = sim_read_tensor(sim, t, values, err);
        if (!st)
            st = npy_write_f32(file, values, 4, shape, err);
        free(values);
        if (st)
            return st;
    }
    return RTPU_OK;
}

/* One line per output tensor: name, node, step, shape, min / max / mean of real values. */
static rtpu_status print_outputs(const rtpu_sim *sim, bool json, rtpu_error *err)
{
    const rtpu_program *p = sim_get_program(sim);
    bool first = true;
    for (size_t i = 0; i < p->tensor_count; i++) {
        const program_tensor *t = &p->tensors[i];
        if (t->role != TENSOR_OUTPUT)
            continue;
        size_t n = tensor_count(t);
        float *v = malloc(n * sizeof *v);
        if (!v)
            return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory for tensor '%s'", t->name);
        rtpu_status st = sim_read_tensor(sim, t, v, err);
        if (st) {
            free(v);
            return st;
        }
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
    rtpu_sim *sim = NULL;
    char *text = NULL;
    int rc = 0;
    rtpu_config config;
    if (program_load(o.program, &p, &err) ||
        (o.config && (config_load_named(o.config, &config, &err) || program_require_config(p, &config, &err))) ||
        sim_create(p, &sim, &err) || write_inputs(sim, &o, &err) || sim_run(sim, &err) ||
        (o.trace && sim_write_trace(sim, o.trace, &err)) || dump_outputs(sim, &o, &err)) {
        rc = cli_report("run", &err);
        goto done;
    }
    const sim_stats *s = sim_get_stats(sim);
    if (o.json) {
        if (sim_stats_json(s, &p->config, &text, &err)) {
            rc = cli_report("run", &err);
            goto done;
        }
        size_t len = strlen(text);
        if (len >= 2 && text[len - 2] == '}')
            text[len - 2] = '\0'; /* drop the final "}\n" to add the outputs */
        printf("%s, \"outputs\": [", text);
        if (print_outputs(sim, true, &err))
            rc = cli_report("run", &err);
        printf("]}\n");
        goto done;
    }
    printf("%s: %" PRIu64 " cycles on %s (%.3f ms at %u MHz), MXU utilisation %.2f%%\n", o.program, s->total_cycles,
           p->config.name, (double)s->total_cycles / (p->config.clock_mhz * 1000.0), p->config.clock_mhz,
           100.0 * s->mxu_utilisation);
    if (o.stats) {
        if (sim_stats_table(s, &p->config, &text, &err)) {
            rc = cli_report("run", &err);
            goto done;
        }
        fputs(text, stdout);
    }
    if (print_outputs(sim, false, &err))
        rc = cli_report("run", &err);
done:
    free(text);
    sim_destroy(sim);
    program_destroy(p);
    return rc;
}
