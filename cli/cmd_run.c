/* rtpu run: a graph on a graph backend (the fp32 CPU reference), or a program file on
 * the simulator or the RTL (handed to cmd_run_program, cli/run_program.c); both through
 * the device API (rtpu/rtpu.h). A graph run declares the outputs it will read (the
 * readout at every step, the --dump tensors) so the backend frees everything else.
 *
 * For a graph it prints, per step, what the stimulus was and the readout's top classes
 * per example, then the decoder's verdict; --json gives the same as one JSON object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/npy.h"
#include "cpu/readout.h"
#include "cpu/stimulus.h"
#include "rtpu/rtpu.h"

static const char *usage =
    "usage: rtpu run GRAPH.json [--backend cpu] [--weights W.safetensors | --seed S]\n"
    "                [--input FILE]... [--steps T] [--dump NODE@T=OUT.npy]... [--top K] [--json]\n"
    "                [--max-memory SIZE] [--max-macs N]\n"
    "       rtpu run PROGRAM.rtpu --backend sim ...   (rtpu run PROGRAM.rtpu --help)\n"
    "  Runs the graph unrolled over T steps (default: its schedule) in fp32 on the CPU\n"
    "  reference and prints the readout's top-K classes (default 5) per step, then the\n"
    "  graph's decoder (last, max_conf, thresh, or the model zoo's tmaxconf or dthresh).\n"
    "  --input FILE   PNG, JPEG or PPM image (resized and normalised) or .npy tensor\n"
    "                 ([H,W,C] or [N,H,W,C], already normalised); repeat for a batch\n"
    "  --weights W    safetensors weights (see rtpu init); without it the graph runs on\n"
    "                 deterministic initial weights drawn from --seed (default 0)\n"
    "  --dump NODE@T=OUT.npy   write NODE's output at step T as [N,H,W,C] float32\n"
    "  --json         machine-readable output\n" CLI_LIMITS_USAGE
    "  --max-macs N   refuse runs of more than N multiply-accumulates (batch x steps x\n"
    "                 MACs per step; default 10^15)\n";

enum { MAX_INPUTS = 256, MAX_DUMPS = 256 };

typedef struct dump_request {
    int node, step;
    const char *path;
    const char *text;
} dump_request;

typedef struct run_options {
    const char *graph_path, *weights_path;
    const char *inputs[MAX_INPUTS];
    int input_count;
    const char *dumps[MAX_DUMPS];
    int dump_count;
    unsigned long long seed, steps, top;
    uint64_t max_memory, max_macs;
    bool json;
} run_options;

static int parse_options(int argc, char **argv, run_options *o)
{
    *o = (run_options){.top = 5};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        int limit = cli_limit_option("run", argc, argv, &i, &o->max_memory, &o->max_macs);
        if (limit < 0)
            return 2;
        if (limit > 0)
            continue;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            o->json = true;
        } else if (!strcmp(a, "--backend")) {
            if (!has_value)
                return cli_usage_error("run", "--backend needs a name");
            if (strcmp(argv[++i], "cpu"))
                return cli_usage_error("run", "a graph runs on --backend cpu; '%s' runs compiled programs (.rtpu)",
                                       argv[i]);
        } else if (!strcmp(a, "--weights")) {
            if (!has_value)
                return cli_usage_error("run", "--weights needs a file");
            o->weights_path = argv[++i];
        } else if (!strcmp(a, "--input")) {
            if (!has_value)
                return cli_usage_error("run", "--input needs a file");
            if (o->input_count == MAX_INPUTS)
                return cli_usage_error("run", "at most %d --input files", MAX_INPUTS);
            o->inputs[o->input_count++] = argv[++i];
        } else if (!strcmp(a, "--dump")) {
            if (!has_value)
                return cli_usage_error("run", "--dump needs NODE@T=OUT.npy");
            if (o->dump_count == MAX_DUMPS)
                return cli_usage_error("run", "at most %d --dump requests", MAX_DUMPS);
            o->dumps[o->dump_count++] = argv[++i];
        } else if (!strcmp(a, "--seed") || !strcmp(a, "--steps") || !strcmp(a, "--top")) {
            unsigned long long *v = !strcmp(a, "--seed") ? &o->seed : !strcmp(a, "--steps") ? &o->steps : &o->top;
            if (!has_value || !cli_parse_u64(argv[++i], v))
                return cli_usage_error("run", "%s needs a non-negative integer", a);
        } else if (a[0] == '-') {
            return cli_usage_error("run", "unknown option '%s'", a);
        } else if (!o->graph_path) {
            o->graph_path = a;
        } else {
            return cli_usage_error("run", "one graph at a time ('%s' is extra)", a);
        }
    }
    if (!o->graph_path)
        return cli_usage_error("run", "missing GRAPH.json");
    if (o->input_count == 0)
        return cli_usage_error("run", "no input: give --input IMAGE (PNG, JPEG, PPM) or --input TENSOR.npy");
    if (o->steps > 10000)
        return cli_usage_error("run", "--steps must be in 1..10000");
    if (o->top == 0 || o->top > 100)
        return cli_usage_error("run", "--top must be in 1..100");
    return -1; /* keep going */
}

/* NODE@T=PATH, checked against the graph before anything runs. */
static rtpu_status parse_dump(const graph *g, int steps, const char *text, dump_request *d, rtpu_error *err)
{
    const char *at = strchr(text, '@'), *eq = at ? strchr(at, '=') : NULL;
    if (!at || !eq || at == text || eq[1] == '\0')
        return rtpu_fail(err, RTPU_ERR_INVALID, "--dump '%s': expected NODE@STEP=OUT.npy", text);
    char name[NAME_MAX_LENGTH];
    size_t length = (size_t)(at - text);
    if (length >= sizeof name)
        return rtpu_fail(err, RTPU_ERR_INVALID, "--dump '%s': node name too long", text);
    memcpy(name, text, length);
    name[length] = '\0';
    char *end;
    long step = strtol(at + 1, &end, 10);
    if (end != eq || at + 1 == eq)
        return rtpu_fail(err, RTPU_ERR_INVALID, "--dump '%s': step must be an integer", text);
    *d = (dump_request){.node = graph_find_node(g, name), .step = (int)step, .path = eq + 1, .text = text};
    if (d->node < 0)
        return rtpu_fail(err, RTPU_ERR_INVALID, "--dump '%s': graph '%s' has no node '%s'", text, g->name, name);
    if (step < 0 || step >= steps)
        return rtpu_fail(err, RTPU_ERR_INVALID, "--dump '%s': step %ld is outside 0..%d", text, step, steps - 1);
    return RTPU_OK;
}

static bool show_progress(void *context, int step, int steps)
{
    (void)context;
    fprintf(stderr, "\rrtpu run: step %d/%d", step + 1, steps);
    if (step + 1 == steps)
        fprintf(stderr, "\r%*s\r", 40, "");
    return true;
}

/* The readout's logits of every step, as read from the device: [step][example][class]. */
typedef struct logits_source {
    const float *logits;
    int batch, classes, example;
} logits_source;

static const float *logits_at(const void *context, int step)
{
    const logits_source *src = context;
    return src->logits + ((size_t)step * src->batch + src->example) * src->classes;
}

static void print_results(const graph *g, const run_options *o, const float *logits, int steps, int batch,
                          const weights *w, const decoded_class *decoded)
{
    const node *ro = &g->nodes[g->readout_node];
    int classes = ro->out_h * ro->out_w * ro->out_c, k = (int)o->top;
    float *probs = malloc((size_t)classes * sizeof *probs);
    int *idx = malloc((size_t)k * sizeof *idx);
    float *top = malloc((size_t)k * sizeof *top);
    if (!probs || !idx || !top) {
        free(probs), free(idx), free(top);
        fprintf(stderr, "rtpu run: out of memory printing results\n");
        return;
    }
    if (o->json) {
        printf("{\"graph\": \"%s\", \"backend\": \"cpu\", \"numerics\": \"fp32\", \"batch\": %d, \"steps\": %d,\n",
               g->name, batch, steps);
        if (w->initialised)
            printf(" \"weights\": {\"initial\": true, \"seed\": %llu},\n", (unsigned long long)w->seed);
        else
            printf(" \"weights\": {\"initial\": false, \"file\": \"%s\"},\n", o->weights_path);
        printf(" \"readout\": \"%s\", \"per_step\": [", ro->name);
    } else {
        printf("graph %s, backend cpu (fp32), batch %d, %d steps, readout '%s'\n", g->name, batch, steps, ro->name);
        if (w->initialised)
            printf("weights: deterministic initial weights (seed %llu), not trained\n", (unsigned long long)w->seed);
        else
            printf("weights: %s\n", o->weights_path);
        printf("\n%-5s %-9s %-4s top-%d classes (softmax probability)\n", "step", "stimulus", "ex", k);
    }
    for (int t = 0; t < steps; t++) {
        const char *stimulus = schedule_shows_image(&g->sched, t) ? "image" : "blank";
        if (o->json)
            printf("%s\n  {\"step\": %d, \"stimulus\": \"%s\", \"examples\": [", t ? "," : "", t, stimulus);
        for (int b = 0; b < batch; b++) {
            logits_source src = {logits, batch, classes, b};
            readout_softmax(logits_at(&src, t), classes, probs);
            readout_top_k(probs, classes, k, idx, top);
            if (o->json) {
                printf("%s[", b ? ", " : "");
                for (int j = 0; j < k && j < classes; j++)
                    printf("%s[%d, %.6g]", j ? ", " : "", idx[j], top[j]);
                printf("]");
            } else {
                printf("%-5d %-9s %-4d", t, b == 0 ? stimulus : "", b);
                for (int j = 0; j < k && j < classes; j++)
                    printf(" %4d:%.4f", idx[j], top[j]);
                printf("\n");
            }
        }
        if (o->json)
            printf("]}");
    }
    const decoder_spec *d = &g->decoder;
    int start, end;
    decoder_window(d, steps, &start, &end);
    bool zoo = d->kind == DECODER_TMAXCONF || d->kind == DECODER_DTHRESH;
    if (o->json) {
        printf("],\n \"decoder\": {\"kind\": \"%s\", ", decoder_name(d->kind));
        if (zoo) {
            printf("\"beta\": %.7g, \"window\": [%d, %d], ", d->beta, start, end);
            if (d->kind == DECODER_DTHRESH)
                printf("\"threshold\": %.7g, ", d->threshold);
        }
        printf("\"examples\": [");
        for (int b = 0; b < batch; b++)
            printf("%s{\"class\": %d, \"step\": %d, \"confidence\": %.6g}", b ? ", " : "", decoded[b].class_index,
                   decoded[b].step, decoded[b].confidence);
        printf("]}}\n");
    } else {
        printf("\ndecoder %s", decoder_name(d->kind));
        if (d->kind == DECODER_DTHRESH)
            printf(" (beta %g, threshold %g, steps %d..%d)", d->beta, d->threshold, start, end - 1);
        else if (zoo)
            printf(" (beta %g, steps %d..%d)", d->beta, start, end - 1);
        printf(":\n");
        for (int b = 0; b < batch; b++)
            printf("  example %d: class %d (p = %.4f) at step %d\n", b, decoded[b].class_index,
                   decoded[b].confidence, decoded[b].step);
    }
    free(probs), free(idx), free(top);
}

static rtpu_status write_dumps(const graph *g, rtpu_device *d, const dump_request *dumps, int count, rtpu_error *err)
{
    for (int i = 0; i < count; i++) {
        rtpu_tensor_desc t;
        const char *name = g->nodes[dumps[i].node].name;
        rtpu_status s = rtpu_device_describe(d, name, dumps[i].step, &t, err);
        float *values = s ? NULL : malloc(t.count * sizeof *values);
        if (!s && !values)
            s = rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory for %s@%d", name, dumps[i].step);
        if (!s)
            s = rtpu_device_read(d, name, dumps[i].step, values, t.count, err);
        const long long shape[4] = {t.shape[0], t.shape[1], t.shape[2], t.shape[3]};
        if (!s)
            s = npy_write_f32(dumps[i].path, values, 4, shape, err);
        free(values);
        if (s)
            return s;
    }
    return RTPU_OK;
}

/* Declares what the run will read, writes the stimulus, runs, and reads the readout's
 * logits at every step into *logits ([step][example][class]). */
static rtpu_status run_on_device(rtpu_device *d, const graph *g, const float *images, int batch, int steps,
                                 const dump_request *dumps, int dump_count, bool progress, float **logits,
                                 rtpu_error *err)
{
    const node *ro = &g->nodes[g->readout_node];
    size_t per_step = (size_t)batch * ro->out_h * ro->out_w * ro->out_c;
    const node *in = &g->nodes[g->input_node];
    rtpu_status s = RTPU_OK;
    for (int t = 0; t < steps && !s; t++)
        s = rtpu_device_keep(d, ro->name, t, err);
    for (int i = 0; i < dump_count && !s; i++)
        s = rtpu_device_keep(d, g->nodes[dumps[i].node].name, dumps[i].step, err);
    if (!s)
        s = rtpu_device_write(d, "input", RTPU_BY_NAME, images, (size_t)batch * in->input_h * in->input_w * in->input_c,
                              err);
    rtpu_run_options o = {.progress = progress ? show_progress : NULL};
    if (!s)
        s = rtpu_device_run(d, &o, err);
    if (!s && !(*logits = malloc((size_t)steps * per_step * sizeof **logits)))
        s = rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory for the readout");
    for (int t = 0; t < steps && !s; t++)
        s = rtpu_device_read(d, ro->name, t, *logits + (size_t)t * per_step, per_step, err);
    return s;
}

static int run_graph(const run_options *o)
{
    rtpu_error err = {0};
    graph *g = NULL;
    weights *w = NULL;
    float *images = NULL, *logits = NULL;
    rtpu_device *d = NULL;
    decoded_class *decoded = NULL;
    dump_request dumps[MAX_DUMPS];
    int batch = 0, status = 0;
    rtpu_status s = graph_load(o->graph_path, &g, &err);
    int steps = s ? 0 : (o->steps ? (int)o->steps : g->sched.steps);
    /* A decoder window the run's steps do not hold fails before the run, not after it. */
    if (!s)
        s = readout_check_window(&g->decoder, steps, &err);
    for (int i = 0; i < o->dump_count && !s; i++)
        s = parse_dump(g, steps, o->dumps[i], &dumps[i], &err);
    if (!s)
        s = o->weights_path ? weights_load(g, o->weights_path, o->max_memory, &w, &err)
                              : weights_init(g, o->seed, o->max_memory, &w, &err);
    if (!s)
        s = stimulus_load(g, o->inputs, o->input_count, &images, &batch, &err);
    if (!s)
        s = rtpu_device_open_graph("cpu", g, w, &(rtpu_graph_options){.batch = batch,
                                                           .steps = steps,
                                                           .max_memory = o->max_memory,
                                                           .max_macs = o->max_macs}, &d, &err);
    if (!s)
        s = run_on_device(d, g, images, batch, steps, dumps, o->dump_count, !o->json && isatty(STDERR_FILENO), &logits,
                          &err);
    if (!s && !(decoded = calloc((size_t)batch, sizeof *decoded)))
        s = rtpu_fail(&err, RTPU_ERR_NOMEM, "out of memory");
    const node *ro = s ? NULL : &g->nodes[g->readout_node];
    int classes = s ? 0 : ro->out_h * ro->out_w * ro->out_c;
    for (int b = 0; b < batch && !s; b++) {
        logits_source src = {logits, batch, classes, b};
        s = readout_decode(&g->decoder, steps, classes, logits_at, &src, &decoded[b], &err);
    }
    if (!s)
        s = write_dumps(g, d, dumps, o->dump_count, &err);
    if (!s)
        print_results(g, o, logits, steps, batch, w, decoded);
    else
        status = cli_report("run", &err);
    free(decoded);
    free(logits);
    rtpu_device_close(d);
    free(images);
    weights_destroy(w);
    graph_destroy(g);
    return status;
}

int cmd_run(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (argv[i][0] != '-' && cli_has_suffix(argv[i], ".rtpu"))
            return cmd_run_program(argc, argv);
    run_options o;
    int r = parse_options(argc, argv, &o);
    return r >= 0 ? r : run_graph(&o);
}
