/* rtpu import MODEL.json ... -o GRAPH.json: a zoo (tnn) model file to an rtpu spec. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/atomic_file.h"
#include "compiler/import_tnn.h"
#include "compiler/ir.h"

static const char *usage =
    "usage: rtpu import MODEL.json [--name NAME] [--presentation default|neural|constant]\n"
    "                   [--steps T] [--decoder last|tmaxconf|dthresh] -o GRAPH.json\n"
    "  Converts a model file of the authors' model zoo (neuroailab/convrnns,\n"
    "  convrnns/models/*.json, the tnn format) into an rtpu graph spec, with the zoo\n"
    "  loader's rules for that model name: the cell type from the file-name prefix\n"
    "  (ugrnn_shallow.json: ugrnn), the median cell and feedback for the 11-layer rgc\n"
    "  models, T and the image-off step by depth and presentation (t22/t30 models: constant\n"
    "  for 22/30 steps). --steps goes with --presentation constant. Prints what it assumed,\n"
    "  one line each, on stderr. The output is validated before it is written.\n";

enum { MAX_MODEL_BYTES = 64 << 20 };

int cmd_import(int argc, char **argv)
{
    const char *in_path = NULL, *out_path = NULL;
    tnn_import_options o = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--name") ||
                   !strcmp(a, "--presentation") || !strcmp(a, "--decoder") || !strcmp(a, "--steps")) {
            if (++i >= argc)
                return cli_usage_error("import", "%s needs a value", a);
            if (!strcmp(a, "--name"))
                o.graph_name = argv[i];
            else if (!strcmp(a, "--presentation"))
                o.presentation = argv[i];
            else if (!strcmp(a, "--decoder"))
                o.decoder = argv[i];
            else if (!strcmp(a, "--steps")) {
                unsigned long long t;
                if (!cli_parse_u64(argv[i], &t) || t < 1 || t > 10000)
                    return cli_usage_error("import", "--steps needs an integer in 1..10000");
                o.steps = (int)t;
            } else
                out_path = argv[i];
        } else if (a[0] == '-') {
            return cli_usage_error("import", "unknown option '%s'", a);
        } else if (!in_path) {
            in_path = a;
        } else {
            return cli_usage_error("import", "one model at a time ('%s' is extra)", a);
        }
    }
    if (!in_path || !out_path)
        return cli_usage_error("import", "need MODEL.json and -o GRAPH.json");
    o.model_name = in_path;
    rtpu_error err = {0};
    void *text = NULL;
    size_t size = 0;
    char *spec = NULL, *notes = NULL;
    graph *g = NULL;
    atomic_file *f = NULL;
    if (read_whole_file(in_path, MAX_MODEL_BYTES, &text, &size, &err) ||
        tnn_import(text, size, in_path, &o, &spec, &notes, &err))
        goto fail;
    /* Validate the conversion with the real spec reader before anything is written, so
     * an invalid result leaves no file; the messages then name the output. */
    if (graph_load_text(spec, strlen(spec), out_path, &g, &err)) {
        rtpu_error_prefix(&err, "the converted graph is invalid: ");
        goto fail;
    }
    if (atomic_file_open(out_path, &f, &err))
        goto fail;
    fputs(spec, atomic_file_stream(f));
    if (atomic_file_commit(f, &err))
        goto fail;
    fputs(notes, stderr);
    fprintf(stderr, "wrote %s: %d nodes besides the input\n", out_path, g->node_count - 1);
    graph_destroy(g);
    free(spec);
    free(notes);
    free(text);
    return 0;
fail:
    graph_destroy(g);
    free(spec);
    free(notes);
    free(text);
    return cli_report("import", &err);
}
