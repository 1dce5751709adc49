/* rtpu info graph.json [--json | --schedule [--steps T]]: per-node shapes, parameter
 * counts and MACs per step; or the unrolled schedule (compiler/unroll.c) as text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "compiler/ir.h"
#include "compiler/unroll.h"

static const char *usage =
    "usage: rtpu info GRAPH.json [--json | --schedule [--steps T]]\n"
    "  Prints each node's input and output shape, cell, parameter count and\n"
    "  multiply-accumulates per time step, then totals for the whole graph.\n"
    "  --json       machine-readable output\n"
    "  --schedule   the unrolled schedule instead: per step and node, which (node, step)\n"
    "               each edge delivers (zeros before step 0), and until when each value is live\n"
    "  --steps T    unroll T steps (default: the graph's schedule)\n";

static size_t node_params(const param_table *t, int node)
{
    size_t total = 0;
    for (int i = 0; i < t->count; i++)
        if (t->params[i].node == node)
            total += t->params[i].count;
    return total;
}

static void print_table(const graph *g, const param_table *t)
{
    uint64_t macs = 0;
    printf("graph %s (%s): %d nodes, %d steps, readout '%s'\n\n", g->name, g->source, g->node_count,
           g->sched.steps, g->nodes[g->readout_node].name);
    printf("%-12s %-16s %-16s %-12s %12s %14s\n", "node", "input", "output", "cell", "params", "MACs/step");
    for (int i = 0; i < g->node_count; i++) {
        const node *n = &g->nodes[i];
        char in[32], out[32];
        if (n->is_input)
            snprintf(in, sizeof in, "-");
        else
            snprintf(in, sizeof in, "%dx%dx%d", n->u_h, n->u_w, n->u_c);
        snprintf(out, sizeof out, "%dx%dx%d", n->out_h, n->out_w, n->out_c);
        printf("%-12s %-16s %-16s %-12s %12zu %14llu\n", n->name, in, out,
               n->cell.type == CELL_NONE ? "-" : cell_type_name(n->cell.type), node_params(t, i),
               (unsigned long long)n->macs_per_step);
        macs += n->macs_per_step;
    }
    printf("\ntotal parameters: %zu (%.2f M)\n", t->total, (double)t->total / 1e6);
    printf("MACs per step: %llu (%.2f G); per image over %d steps: %.2f G\n", (unsigned long long)macs,
           (double)macs / 1e9, g->sched.steps, (double)macs * g->sched.steps / 1e9);
}

static void print_json(const graph *g, const param_table *t)
{
    uint64_t macs = 0;
    printf("{\"graph\": \"%s\", \"steps\": %d, \"nodes\": [", g->name, g->sched.steps);
    for (int i = 0; i < g->node_count; i++) {
        const node *n = &g->nodes[i];
        printf("%s\n  {\"name\": \"%s\", \"input\": [%d, %d, %d], \"output\": [%d, %d, %d], \"cell\": \"%s\", "
               "\"params\": %zu, \"macs_per_step\": %llu}",
               i ? "," : "", n->name, n->u_h, n->u_w, n->u_c, n->out_h, n->out_w, n->out_c,
               cell_type_name(n->cell.type), node_params(t, i), (unsigned long long)n->macs_per_step);
        macs += n->macs_per_step;
    }
    printf("],\n \"total_params\": %zu, \"macs_per_step\": %llu, \"params\": [", t->total,
           (unsigned long long)macs);
    for (int i = 0; i < t->count; i++) {
        const param_info *p = &t->params[i];
        printf("%s\n  {\"name\": \"%s\", \"shape\": [", i ? "," : "", p->name);
        for (int d = 0; d < p->ndim; d++)
            printf("%s%d", d ? ", " : "", p->shape[d]);
        printf("]}");
    }
    printf("]}\n");
}

int cmd_info(int argc, char **argv)
{
    const char *path = NULL;
    bool json = false, schedule = false;
    long steps = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strcmp(argv[i], "--schedule")) {
            schedule = true;
        } else if (!strcmp(argv[i], "--steps")) {
            char *end = NULL;
            if (i + 1 == argc || (steps = strtol(argv[++i], &end, 10)) < 1 || *end || steps > 100000)
                return cli_usage_error("info", "--steps wants a whole number from 1 to 100000");
        } else if (argv[i][0] == '-') {
            return cli_usage_error("info", "unknown option '%s'", argv[i]);
        } else if (!path) {
            path = argv[i];
        } else {
            return cli_usage_error("info", "one graph at a time ('%s' is extra)", argv[i]);
        }
    }
    if (!path)
        return cli_usage_error("info", "missing GRAPH.json");
    if (json && schedule)
        return cli_usage_error("info", "--json and --schedule are two different reports: pick one");
    if (steps && !schedule)
        return cli_usage_error("info", "--steps goes with --schedule");
    rtpu_error err = {0};
    graph *g = NULL;
    param_table table;
    if (graph_load(path, &g, &err) || param_table_build(g, &table, &err)) {
        graph_destroy(g);
        return cli_report("info", &err);
    }
    if (schedule) {
        unrolled *u = NULL;
        char *text = NULL;
        rtpu_status st = unroll_build(g, steps ? (int)steps : g->sched.steps, &u, &err);
        if (!st)
            st = unroll_dump(u, g, &text, &err);
        if (!st)
            fputs(text, stdout);
        free(text);
        unroll_destroy(u);
        param_table_destroy(&table);
        graph_destroy(g);
        return st ? cli_report("info", &err) : 0;
    }
    if (json)
        print_json(g, &table);
    else
        print_table(g, &table);
    param_table_destroy(&table);
    graph_destroy(g);
    return 0;
}
