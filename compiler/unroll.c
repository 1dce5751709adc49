/* The unrolled schedule (see unroll.h): the one place that turns edges with delays into
 * "node n at step t reads node m at step t - d". */
#include "compiler/unroll.h"

#include <stdio.h>
#include <stdlib.h>

static unroll_read read_edge(const edge *e, int step)
{
    int t = step - e->delay;
    return (unroll_read){.from = e->from, .step = t < 0 ? UNROLL_ZEROS : t};
}

static void note_read(unrolled *u, unroll_read r, int at)
{
    if (r.step == UNROLL_ZEROS)
        return;
    int *last = &u->last_read[(size_t)r.step * u->node_count + r.from];
    if (at > *last)
        *last = at;
}

rtpu_status unroll_build(const graph *g, int steps, unrolled **out, rtpu_error *err)
{
    *out = NULL;
    if (steps < 1 || steps > 100000)
        return rtpu_fail(err, RTPU_ERR_INVALID, "graph '%s': %d steps is outside 1..100000", g->name, steps);
    int feedback_per_step = 0;
    for (int i = 0; i < g->node_count; i++)
        feedback_per_step += g->nodes[i].feedback_count;
    size_t values = (size_t)steps * g->node_count;
    unrolled *u = calloc(1, sizeof *u);
    if (u) {
        u->steps = steps;
        u->node_count = g->node_count;
        u->tasks = calloc(values, sizeof *u->tasks);
        u->reads = calloc((size_t)steps * feedback_per_step + 1, sizeof *u->reads);
        u->last_read = malloc(values * sizeof *u->last_read);
    }
    if (!u || !u->tasks || !u->reads || !u->last_read) {
        unroll_destroy(u);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "graph '%s': out of memory unrolling %d steps", g->name, steps);
    }
    for (size_t i = 0; i < values; i++)
        u->last_read[i] = UNROLL_NEVER_READ;
    unroll_read *next = u->reads;
    for (int t = 0; t < steps; t++)
        for (int k = 0; k < g->node_count; k++) {
            int index = g->order[k];
            const node *n = &g->nodes[index];
            unroll_task *task = &u->tasks[(size_t)t * g->node_count + k];
            *task = (unroll_task){.node = index, .step = t, .is_input = n->is_input, .feedback = next,
                                  .feedback_count = n->feedback_count};
            if (n->is_input) {
                task->shows_image = schedule_shows_image(&g->sched, t);
                continue;
            }
            task->input = read_edge(&n->input, t);
            note_read(u, task->input, t);
            for (int f = 0; f < n->feedback_count; f++) {
                *next = read_edge(&n->feedback[f], t);
                note_read(u, *next++, t);
            }
        }
    /* A value made at step s and last read at step L > s is live after steps s..L-1
     * (between step t and t + 1): count them with a difference array. */
    int *delta = calloc((size_t)steps + 1, sizeof *delta);
    if (!delta) {
        unroll_destroy(u);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "graph '%s': out of memory unrolling %d steps", g->name, steps);
    }
    for (int s = 0; s < steps; s++)
        for (int n = 0; n < g->node_count; n++) {
            int last = u->last_read[(size_t)s * g->node_count + n];
            if (last > s) {
                delta[s]++;
                delta[last]--;
            }
        }
    for (int t = 0, live = 0; t < steps; t++) {
        live += delta[t];
        if (live > u->max_live)
            u->max_live = live;
    }
    free(delta);
    *out = u;
    return RTPU_OK;
}

void unroll_destroy(unrolled *u)
{
    if (!u)
        return;
    free(u->tasks);
    free(u->reads);
    free(u->last_read);
    free(u);
}

const unroll_task *unroll_task_at(const unrolled *u, int step, int k)
{
    return &u->tasks[(size_t)step * u->node_count + k];
}

bool unroll_live_after(const unrolled *u, int node, int step, int after)
{
    return u->last_read[(size_t)step * u->node_count + node] >= after;
}

static void print_read(FILE *out, const graph *g, unroll_read r)
{
    if (r.step == UNROLL_ZEROS)
        fprintf(out, "zeros(%s)", g->nodes[r.from].name);
    else
        fprintf(out, "%s@%d", g->nodes[r.from].name, r.step);
}

rtpu_status unroll_dump(const unrolled *u, const graph *g, char **text, rtpu_error *err)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    if (!out)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory for the schedule dump");
    fprintf(out, "# unrolled schedule of '%s': %d steps x %d nodes, at most %d values live between steps\n", g->name,
            u->steps, u->node_count, u->max_live);
    for (int t = 0; t < u->steps; t++)
        for (int k = 0; k < u->node_count; k++) {
            const unroll_task *task = unroll_task_at(u, t, k);
            const node *n = &g->nodes[task->node];
            fprintf(out, "t=%d %s", t, n->name);
            if (task->is_input) {
                fprintf(out, " = %s", task->shows_image ? "image" : "blank");
            } else {
                fprintf(out, " <- ");
                print_read(out, g, task->input);
                for (int f = 0; f < task->feedback_count; f++) {
                    fprintf(out, " fb ");
                    print_read(out, g, task->feedback[f]);
                }
            }
            int last = u->last_read[(size_t)t * u->node_count + task->node];
            if (last == UNROLL_NEVER_READ)
                fprintf(out, "; read by no later task\n");
            else
                fprintf(out, "; live until t=%d\n", last);
        }
    bool failed = ferror(out) != 0;
    fclose(out);
    if (failed) {
        free(buf);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory for the schedule dump");
    }
    *text = buf;
    return RTPU_OK;
}
