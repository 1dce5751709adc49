/* rtpu run PROGRAM.rtpu: run a program file on the cycle-level simulator or on the RTL
 * (Verilator model); both report the same stats, so everything after the run is shared.
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
#ifdef RTPU_HAVE_RTL
#include "rtl/rtl.h"
#endif

static const char usage[] =
    "usage: rtpu run PROGRAM.rtpu [--backend sim|rtl] [--config NAME|FILE.json] [--stats] [--json]\n"
    "                [--trace OUT.json | --waves OUT.fst] [--input NAME=IN.npy]... [--dump NAME=OUT.npy]...\n"
    "\n"
    "Runs a program file on the cycle-level simulator (sim, default) or on the Verilog RTL\n"
    "through Verilator (rtl: configs small-8 and small-16); both give the same data and cycles.\n"
    "  --config C        refuse to run unless the program was built for config C\n"
    "  --stats           per-unit busy/stall/idle cycles, MXU utilisation, DRAM bytes\n"
    "  --json            print stats and output summaries as one JSON object\n"
    "  --trace F         per-instruction start/end cycles, Chrome trace format\n"
    "                    (open in chrome://tracing or ui.perfetto.dev; 1 us = 1 cycle; sim only)\n"
    "  --waves F.fst     waveform of the RTL run (rtl only; open with gtkwave)\n"
    "  --input NAME=F    write tensor NAME from a .npy (real values, quantised with its scale)\n"
    "  --dump NAME=F     write tensor NAME as float32 .npy (n, h, w, c), dequantised\n";

enum { MAX_BINDINGS = 64 };

typedef struct run_options {
    const char *program, *backend, *config, *trace, *waves;
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
    bool rtl = !strcmp(o->backend, "rtl");
    if (!rtl && strcmp(o->backend, "sim") != 0)
        return cli_usage_error("run", "unknown backend '%s' for program files (sim or rtl)", o->backend);
    if (o->waves && !rtl)
        return cli_usage_error("run", "--waves needs --backend rtl");
    if (o->trace && rtl)
        return cli_usage_error("run", "--trace needs --backend sim (use --waves for the RTL)");
#ifndef RTPU_HAVE_RTL
    if (rtl)
        return cli_usage_error("run", "backend 'rtl' is not in this build (configure with -DRTPU_RTL=ON)");
#endif
    return -1;
}

/* The machine a program runs on: exactly one of sim and rtl is set. */
typedef struct backend {
    rtpu_sim *sim;
#ifdef RTPU_HAVE_RTL
    rtpu_rtl *rtl;
#endif
} backend;

static rtpu_status backend_create(backend *b, const rtpu_program *p, const run_options *o, rtpu_error *err)
{
    *b = (backend){0};
#ifdef RTPU_HAVE_RTL
    if (!strcmp(o->backend, "rtl"))
        return rtl_create(p, &b->rtl, err);
#endif
    (void)o;
    return sim_create(p, &b->sim, err);
}

static void backend_destroy(backend *b)
{
#ifdef RTPU_HAVE_RTL
    rtl_destroy(b->rtl);
#endif
    sim_destroy(b->sim);
}

static rtpu_status backend_run(backend *b, const run_options *o, rtpu_error *err)
{
#ifdef RTPU_HAVE_RTL
    if (b->rtl)
        return rtl_run(b->rtl, 0, o->waves, err);
#endif
    (void)o;
    return sim_run(b->sim, err);
}

static rtpu_status backend_write_tensor(backend *b, const program_tensor *t, const float *in, rtpu_error *err)
{
#ifdef RTPU_HAVE_RTL
    if (b->rtl)
        return rtl_write_tensor(b->rtl, t, in, err);
#endif
    return sim_write_tensor(b->sim, t, in, err);
}

static rtpu_status backend_read_tensor(const backend *b, const program_tensor *t, float *out, rtpu_error *err)
{
#ifdef RTPU_HAVE_RTL
    if (b->rtl)
        return rtl_read_tensor(b->rtl, t, out, err);
#endif
    return sim_read_tensor(b->sim, t, out, err);
}

static const sim_stats *backend_stats(const backend *b)
{
#ifdef RTPU_HAVE_RTL
    if (b->rtl)
        return rtl_get_stats(b->rtl);
#endif
    return sim_get_stats(b->sim);
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

static rtpu_status write_inputs(backend *b, const rtpu_program *p, const run_options *o, rtpu_error *err)
{
    for (int i = 0; i < o->input_count; i++) {
        const program_tensor *t;
        const char *file;
        rtpu_status st = binding(p, o->inputs[i], &t, &file, err);
        if (st)
            return st;
        npy_array a;
        if ((st = npy_read(file, &a, err)))
            return st;
        if (npy_array_count(&a) != tensor_count(t)) {
            st = rtpu_fail(err, RTPU_ERR_SHAPE, "%s: %zu values, tensor '%s' has %u x %u x %u x %u", file,
                           npy_array_count(&a), t->name, t->shape[0], t->shape[1], t->shape[2], t->shape[3]);
        } else {
            st = backend_write_tensor(b, t, a.data, err);
        }
        npy_array_destroy(&a);
        if (st)
            return st;
    }
    return RTPU_OK;
}

static rtpu_status dump_outputs(const backend *b, const rtpu_program *p, const run_options *o, rtpu_error *err)
{
    for (int i = 0; i < o->dump_count; i++) {
        const program_tensor *t;
        const char *file;
        rtpu_status st = binding(p, o->dumps[i], &t, &file, err);
        if (st)
            return st;
        float *values = malloc(tensor_count(t) * sizeof *values);
        if (!values)
            return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory for tensor '%s'", t->name);
        long long shape[4] = {t->shape[0], t->shape[1], t->shape[2], t->shape[3]};
        st = backend_read_tensor(b, t, values, err);
        if (!st)
            st = npy_write_f32(file, values, 4, shape, err);
        free(values);
        if (st)
            return st;
    }
    return RTPU_OK;
}

/* One line per output tensor: name, node, step, shape, min / max / mean of real values. */
static rtpu_status print_outputs(const backend *b, const rtpu_program *p, bool json, rtpu_error *err)
{
    bool first = true;
    for (size_t i = 0; i < p->tensor_count; i++) {
        const program_tensor *t = &p->tensors[i];
        if (t->role != TENSOR_OUTPUT)
            continue;
        size_t n = tensor_count(t);
        float *v = malloc(n * sizeof *v);
        if (!v)
            return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory for tensor '%s'", t->name);
        rtpu_status st = backend_read_tensor(b, t, v, err);
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
    backend b = {0};
    char *text = NULL;
    int rc = 0;
    rtpu_config config;
    if (program_load(o.program, &p, &err) ||
        (o.config && (config_load_named(o.config, &config, &err) || program_require_config(p, &config, &err))) ||
        backend_create(&b, p, &o, &err) || write_inputs(&b, p, &o, &err) || backend_run(&b, &o, &err) ||
        (o.trace && sim_write_trace(b.sim, o.trace, &err)) || dump_outputs(&b, p, &o, &err)) {
        rc = cli_report("run", &err);
        goto done;
    }
    const sim_stats *s = backend_stats(&b);
    if (o.json) {
        if (sim_stats_json(s, &p->config, &text, &err)) {
            rc = cli_report("run", &err);
            goto done;
        }
        size_t len = strlen(text);
        if (len >= 2 && text[len - 2] == '}')
            text[len - 2] = '\0'; /* drop the final "}\n" to add the outputs */
        printf("%s, \"outputs\": [", text);
        if (print_outputs(&b, p, true, &err))
            rc = cli_report("run", &err);
        printf("]}\n");
        goto done;
    }
    printf("%s: %" PRIu64 " cycles on %s, backend %s (%.3f ms at %u MHz), MXU utilisation %.2f%%\n", o.program,
           s->total_cycles, p->config.name, o.backend, (double)s->total_cycles / (p->config.clock_mhz * 1000.0), p->config.clock_mhz,
           100.0 * s->mxu_utilisation);
    if (o.stats) {
        if (sim_stats_table(s, &p->config, &text, &err)) {
            rc = cli_report("run", &err);
            goto done;
        }
        fputs(text, stdout);
    }
    if (print_outputs(&b, p, false, &err))
        rc = cli_report("run", &err);
done:
    free(text);
    backend_destroy(&b);
    program_destroy(p);
    return rc;
}
