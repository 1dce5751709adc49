/* rtpu init graph.json -o weights.safetensors [--seed S]: deterministic initial weights. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cpu/weights.h"

static const char *usage =
    "usage: rtpu init GRAPH.json -o WEIGHTS.safetensors [--seed S] [--max-memory SIZE]\n"
    "  Writes initial weights for every parameter of the graph (names '<node>/<param>',\n"
    "  F32), drawn with the authors' initialisers from seed S (default 0): the same seed\n"
    "  gives the same file on every machine.\n" CLI_LIMITS_USAGE;

int cmd_init(int argc, char **argv)
{
    const char *graph_path = NULL, *out_path = NULL;
    unsigned long long seed = 0;
    uint64_t max_memory = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int limit = cli_limit_option("init", argc, argv, &i, &max_memory, NULL);
        if (limit < 0)
            return 2;
        if (limit > 0)
            continue;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (++i >= argc)
                return cli_usage_error("init", "%s needs a file name", a);
            out_path = argv[i];
        } else if (!strcmp(a, "--seed")) {
            if (++i >= argc || !cli_parse_u64(argv[i], &seed))
                return cli_usage_error("init", "--seed needs a non-negative integer");
        } else if (a[0] == '-') {
            return cli_usage_error("init", "unknown option '%s'", a);
        } else if (!graph_path) {
            graph_path = a;
        } else {
            return cli_usage_error("init", "one graph at a time ('%s' is extra)", a);
        }
    }
    if (!graph_path || !out_path)
        return cli_usage_error("init", "need GRAPH.json and -o WEIGHTS.safetensors");
    rtpu_error err = {0};
    graph *g = NULL;
    weights *w = NULL;
    if (graph_load(graph_path, &g, &err) || weights_init(g, seed, max_memory, &w, &err) ||
        weights_save(w, g, out_path, &err)) {
        weights_destroy(w);
        graph_destroy(g);
        return cli_report("init", &err);
    }
    printf("wrote %s: %d tensors, %zu parameters, seed %llu\n", out_path, w->table.count, w->table.total, seed);
    weights_destroy(w);
    graph_destroy(g);
    return 0;
}
