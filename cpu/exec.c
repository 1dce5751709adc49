/* The time unroller (see exec.h). Per task, in the order of the unrolled schedule:
 *   harbor:  u = the feedforward input's value (zeros before step 0); the feedback values
 *            resized to u's H x W and concatenated in the node's (sorted) feedback order;
 *            generic cells concatenate u and the feedback for the pre-conv, the RGC takes
 *            the feedback into the cell (docs/model-semantics.md section 1);
 *   pre:     x = pre_conv(harbor);
 *   cell:    x = cell(x, u, feedback, state);
 *   post:    x = post_k(x) for each post op, in order; residual ops also read u (residual)
 *            or the pre-conv's input, the harbor (residual_add). */
#include "cpu/exec.h"

#include <stdlib.h>

struct executor {
    const graph *g;
    const unrolled *u;
    int batch;
    const exec_kernels *k;
    void *ctx;
    const bool *keep;
    exec_value **values;   /* [step * node_count + node] */
    void **states;         /* per node */
    bool ran;
};

static exec_value **slot(const executor *e, int node, int step)
{
    return &e->values[(size_t)step * e->g->node_count + node];
}

rtpu_status executor_create(const graph *g, const unrolled *u, int batch, const exec_kernels *k, void *kernel_ctx,
                            const bool *keep, executor **out, rtpu_error *err)
{
    *out = NULL;
    executor *e = calloc(1, sizeof *e);
    if (!e)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory");
    *e = (executor){.g = g, .u = u, .batch = batch, .k = k, .ctx = kernel_ctx, .keep = keep};
    e->values = calloc((size_t)u->steps * g->node_count, sizeof *e->values);
    e->states = calloc((size_t)g->node_count, sizeof *e->states);
    if (!e->values || !e->states) {
        executor_destroy(e);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory for %d steps of values", u->steps);
    }
    *out = e;
    return RTPU_OK;
}

void executor_destroy(executor *e)
{
    if (!e)
        return;
    if (e->values)
        for (size_t i = 0; i < (size_t)e->u->steps * e->g->node_count; i++)
            if (e->values[i])
                e->k->value_destroy(e->ctx, e->values[i]);
    if (e->states)
        for (int i = 0; i < e->g->node_count; i++)
            if (e->states[i])
                e->k->state_destroy(e->ctx, e->states[i]);
    free(e->values);
    free(e->states);
    free(e);
}

static const exec_value *read_value(const executor *e, unroll_read r)
{
    return r.step == UNROLL_ZEROS ? NULL : *slot(e, r.from, r.step);
}

/* The feedback of a task, resized and concatenated at u's size; NULL when it has none.
 * Missing (pre-step-0) sources contribute zeros. */
static rtpu_status gather_feedback(executor *e, const unroll_task *task, exec_value **out, rtpu_error *err)
{
    const node *n = &e->g->nodes[task->node];
    *out = NULL;
    if (task->feedback_count == 0)
        return RTPU_OK;
    rtpu_status s = e->k->value_create(e->ctx, e->batch, n->u_h, n->u_w, n->feedback_c, out, err);
    for (int f = 0, offset = 0; f < task->feedback_count && !s; f++) {
        const exec_value *v = read_value(e, task->feedback[f]);
        if (v)
            s = e->k->place(e->ctx, v, offset, *out, err);
        offset += e->g->nodes[task->feedback[f].from].out_c;
    }
    return s;
}

static void drop(executor *e, exec_value **v)
{
    if (*v)
        e->k->value_destroy(e->ctx, *v);
    *v = NULL;
}

static rtpu_status run_task(executor *e, const unroll_task *task, exec_value **result, rtpu_error *err)
{
    const exec_kernels *k = e->k;
    const node *n = &e->g->nodes[task->node];
    int b = e->batch;
    exec_value *zeros = NULL, *feedback = NULL, *harbor = NULL, *x = NULL;
    const exec_value *u = read_value(e, task->input);
    rtpu_status s = RTPU_OK;
    if (!u) {
        s = k->value_create(e->ctx, b, n->u_h, n->u_w, n->u_c, &zeros, err);
        u = zeros;
    }
    if (!s)
        s = gather_feedback(e, task, &feedback, err);
    bool rgc = n->cell.type == CELL_RGC;
    const exec_value *pre_in = u;
    if (!s && feedback && !rgc) {
        s = k->value_create(e->ctx, b, n->u_h, n->u_w, n->harbor_c, &harbor, err);
        if (!s)
            s = k->place(e->ctx, u, 0, harbor, err);
        if (!s)
            s = k->place(e->ctx, feedback, n->u_c, harbor, err);
        pre_in = harbor;
    }
    if (!s)
        s = k->value_create(e->ctx, b, n->x_h, n->x_w, n->x_c, &x, err);
    if (!s)
        s = k->pre_conv(e->ctx, task->node, pre_in, x, err);
    if (!s && n->cell.type != CELL_NONE) {
        exec_value *h = NULL;
        s = k->value_create(e->ctx, b, n->cell_h, n->cell_w, n->cell_c, &h, err);
        if (!s)
            s = k->cell(e->ctx, task->node, x, u, rgc ? feedback : NULL, e->states[task->node], h, err);
        drop(e, &x);
        x = h;
    }
    for (int i = 0; i < n->post_count && !s; i++) {
        const post_op *op = &n->post[i];
        /* Residuals add in place: residual adds u, residual_add the pre-conv's input (the
         * harbor), as the zoo's component_conv hands it on (docs/model-semantics.md 1.7). */
        if (op->kind == POST_RESIDUAL || op->kind == POST_RESIDUAL_ADD) {
            s = k->post(e->ctx, task->node, i, op->kind == POST_RESIDUAL ? u : pre_in, x, x, err);
            continue;
        }
        exec_value *next = NULL;
        s = k->value_create(e->ctx, b, op->out_h, op->out_w, op->out_c, &next, err);
        if (!s)
            s = k->post(e->ctx, task->node, i, u, x, next, err);
        drop(e, &x);
        x = next;
    }
    drop(e, &zeros);
    drop(e, &feedback);
    drop(e, &harbor);
    if (s)
        drop(e, &x);
    *result = x;
    return s;
}

/* After step t: values nobody reads after t, and the caller does not keep. */
static void free_dead(executor *e, int t)
{
    if (!e->keep)
        return; /* everything is kept */
    for (int s = 0; s <= t; s++)
        for (int n = 0; n < e->g->node_count; n++) {
            exec_value **v = slot(e, n, s);
            if (*v && !e->keep[(size_t)s * e->g->node_count + n] && !unroll_live_after(e->u, n, s, t + 1))
                drop(e, v);
        }
}

rtpu_status executor_run(executor *e, const float *images, exec_progress_fn progress, void *context, rtpu_error *err)
{
    const graph *g = e->g;
    if (e->ran)
        return rtpu_fail(err, RTPU_ERR_RUNTIME, "this run of graph '%s' has already been executed", g->name);
    if (!images)
        return rtpu_fail(err, RTPU_ERR_INVALID, "no input images given for graph '%s'", g->name);
    e->ran = true;
    rtpu_status s = RTPU_OK;
    for (int i = 0; i < g->node_count && !s; i++)
        if (g->nodes[i].cell.type != CELL_NONE)
            s = e->k->state_create(e->ctx, i, e->batch, &e->states[i], err);
    for (int t = 0; t < e->u->steps && !s; t++) {
        for (int k = 0; k < g->node_count && !s; k++) {
            const unroll_task *task = unroll_task_at(e->u, t, k);
            const node *n = &g->nodes[task->node];
            exec_value **out = slot(e, task->node, t);
            if (task->is_input) {
                s = e->k->value_create(e->ctx, e->batch, n->out_h, n->out_w, n->out_c, out, err);
                if (!s)
                    s = e->k->frame(e->ctx, images, task->shows_image, *out, err);
            } else {
                s = run_task(e, task, out, err);
            }
            if (s)
                rtpu_error_prefix(err, "node '%s' at step %d: ", n->name, t);
        }
        if (!s)
            free_dead(e, t);
        if (!s && progress && !progress(context, t, e->u->steps))
            s = rtpu_fail(err, RTPU_ERR_RUNTIME, "run interrupted at step %d", t);
    }
    return s;
}

const exec_value *executor_value(const executor *e, int node, int step)
{
    if (!e->ran || node < 0 || node >= e->g->node_count || step < 0 || step >= e->u->steps)
        return NULL;
    return *slot(e, node, step);
}
