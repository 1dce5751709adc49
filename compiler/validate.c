/* Pass 2: whole-graph rules that no single object shows.
 *
 * - every node but the input has a feedforward input; nothing feeds the input node;
 * - a node that combines feedback through its pre-memory conv must have one (the RGC
 *   instead takes feedback through its own conv at its feedback entry point);
 * - the readout is not the input node;
 * - no cycle made only of 0-delay edges (it could never be evaluated), reported with
 *   the cycle's nodes;
 * and computes g->order, the evaluation order within one step: a topological order of
 * the 0-delay edges, ties broken by file order, so results never depend on hashing or
 * allocation. With the default delays (1 on every edge between layers) all nodes of a
 * step are independent and the order is simply the file order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/spec_reader.h"

static rtpu_status node_rules(const graph *g, const node *n, rtpu_error *err)
{
    spec_reader r = {.source = g->source, .node = n->name, .err = err};
    if (n->is_input)
        return RTPU_OK;
    if (!n->has_input)
        return spec_fail_pos(&r, n->pos, "every node needs an 'input' (its feedforward source)");
    if (n->feedback_count > 0 && n->cell.type != CELL_RGC && !n->conv.present)
        return spec_fail_pos(&r, n->pos,
                             "feedback is combined by the pre-memory conv, so this node needs a 'conv' "
                             "(or an rgc cell, which takes feedback at its entry point)");
    if (n->input.from == (int)(n - g->nodes) && n->input.delay == 0)
        return spec_fail_pos(&r, n->input.pos, "a node cannot read its own output with delay 0");
    return RTPU_OK;
}

/* Follows 0-delay edges from a node still in the cycle to print it ("a -> b -> a"). */
static void describe_cycle(const graph *g, const int *remaining, char *out, size_t size)
{
    int start = -1;
    for (int i = 0; i < g->node_count && start < 0; i++)
        if (remaining[i] > 0)
            start = i;
    /* Walk backwards along unresolved 0-delay inputs until a node repeats. */
    size_t count = g->node_count > 0 ? (size_t)g->node_count : 1;
    int *seen = calloc(count, sizeof *seen);
    int *path = calloc(count + 1, sizeof *path);
    if (!seen || !path || start < 0) {
        snprintf(out, size, "(cycle)");
        free(seen);
        free(path);
        return;
    }
    int length = 0, cur = start;
    while (!seen[cur]) {
        seen[cur] = length + 1;
        path[length++] = cur;
        const node *n = &g->nodes[cur];
        int next = -1;
        if (n->has_input && n->input.delay == 0 && remaining[n->input.from] > 0)
            next = n->input.from;
        for (int k = 0; k < n->feedback_count && next < 0; k++)
            if (n->feedback[k].delay == 0 && remaining[n->feedback[k].from] > 0)
                next = n->feedback[k].from;
        if (next < 0)
            break;
        cur = next;
    }
    /* path[seen[cur]-1 .. length-1] is the cycle, listed consumer-first; print it
     * source-first so it reads along the edges. */
    out[0] = '\0';
    int first = seen[cur] - 1;
    for (int i = length - 1; i >= first; i--) {
        strncat(out, g->nodes[path[i]].name, size - strlen(out) - 1);
        strncat(out, " -> ", size - strlen(out) - 1);
    }
    strncat(out, g->nodes[path[length - 1]].name, size - strlen(out) - 1);
    free(seen);
    free(path);
}

static rtpu_status evaluation_order(graph *g, rtpu_error *err)
{
    int count = g->node_count;
    int *pending = calloc((size_t)count, sizeof *pending); /* unresolved 0-delay inputs */
    g->order = calloc((size_t)count, sizeof *g->order);
    if (!pending || !g->order) {
        free(pending);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: out of memory", g->source);
    }
    for (int i = 0; i < count; i++) {
        const node *n = &g->nodes[i];
        pending[i] += n->has_input && n->input.delay == 0;
        for (int k = 0; k < n->feedback_count; k++)
            pending[i] += n->feedback[k].delay == 0;
    }
    int placed = 0;
    bool progress = true;
    while (placed < count && progress) {
        progress = false;
        for (int i = 0; i < count; i++) {
            if (pending[i] != 0)
                continue;
            g->order[placed++] = i;
            pending[i] = -1;
            progress = true;
            /* Release the consumers of node i. */
            for (int j = 0; j < count; j++) {
                const node *m = &g->nodes[j];
                if (pending[j] <= 0)
                    continue;
                pending[j] -= m->has_input && m->input.delay == 0 && m->input.from == i;
                for (int k = 0; k < m->feedback_count; k++)
                    pending[j] -= m->feedback[k].delay == 0 && m->feedback[k].from == i;
            }
            break; /* restart from the lowest index: ties go to file order */
        }
    }
    rtpu_status s = RTPU_OK;
    if (placed < count) {
        char cycle[256];
        describe_cycle(g, pending, cycle, sizeof cycle);
        s = rtpu_fail(err, RTPU_ERR_INVALID, "%s: cycle with no delay: %s (some edge on it needs delay >= 1)",
                      g->source, cycle);
    }
    free(pending);
    return s;
}

rtpu_status graph_validate(graph *g, rtpu_error *err)
{
    for (int i = 0; i < g->node_count; i++) {
        rtpu_status s = node_rules(g, &g->nodes[i], err);
        if (s)
            return s;
    }
    if (g->nodes[g->readout_node].is_input) {
        spec_reader r = {.source = g->source, .err = err};
        return spec_fail_pos(&r, g->nodes[g->readout_node].pos, "the readout node cannot be the input node");
    }
    return evaluation_order(g, err);
}
