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

#include <inttypes.h>
#include <stdlib.h>

#include "common/limits.h"

struct executor {
    const graph *g;
    const unrolled *u;
    int batch;
    const exec_kernels *k;
    void *ctx;
    const bool *keep;
    uint64_t max_memory, base_bytes, max_macs;
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

void executor_set_limits(executor *e, uint64_t max_memory, uint64_t base_bytes, uint64_t max_macs)
{
    e->max_memory = max_memory;
    e->base_bytes = base_bytes;
    e->max_macs = max_macs;
}

/* batch x steps x MACs per step against the limit. */
static rtpu_status check_macs(const executor *e, rtpu_error *err)
{
    uint64_t per_step = 0, total = 0;
    for (int i = 0; i < e->g->node_count; i++)
        per_step += e->g->nodes[i].macs_per_step; /* each node's is far below 2^64 / 4096 */
    uint64_t limit = e->max_macs ? e->max_macs : RTPU_DEFAULT_MAX_MACS;
    bool fits = rtpu_mul_u64(per_step, (uint64_t)e->u->steps, &total) &&
                rtpu_mul_u64(total, (uint64_t)e->batch, &total) && total <= limit;
    if (fits)
        return RTPU_OK;
    return rtpu_fail(err, RTPU_ERR_NOMEM,
                     "graph '%s': %d steps x batch %d x %" PRIu64 " MACs per step (%.3g MACs) is over the limit of "
                     "%.3g MACs for one run (raise it with --max-macs)",
                     e->g->name, e->u->steps, e->batch, per_step,
                     (double)per_step * (double)e->u->steps * (double)e->batch, (double)limit);
}

/* One value of the plan: taken now, freed by plan_give. */
static rtpu_status plan_value(const executor *e, rtpu_budget *b, int node, int step, const char *what, int h, int w,
                              int c, uint64_t *bytes, rtpu_error *err)
{
    *bytes = e->k->value_bytes(e->ctx, e->batch, h, w, c);
    return rtpu_budget_take(b, *bytes, err, "graph '%s': %s of node '%s' at step %d (%dx%dx%dx%d)", e->g->name, what,
                            e->g->nodes[node].name, step, e->batch, h, w, c);
}

/* The run's memory, walked without data in exactly run_task's order of allocations and
 * frees, so the peak it finds is the peak the run will reach (the kernels' scratch is
 * their stated upper bound). */
static rtpu_status plan_memory(const executor *e, rtpu_error *err)
{
    const graph *g = e->g;
    const exec_kernels *k = e->k;
    rtpu_budget b;
    rtpu_budget_init(&b, e->max_memory);
    rtpu_status s = rtpu_budget_take(&b, e->base_bytes, err, "graph '%s': the weights", g->name);
    for (int i = 0; i < g->node_count && !s; i++)
        if (g->nodes[i].cell.type != CELL_NONE)
            s = rtpu_budget_take(&b, k->state_bytes(e->ctx, i, e->batch), err,
                                 "graph '%s': the cell state of node '%s'", g->name, g->nodes[i].name);
    size_t slots = (size_t)e->u->steps * g->node_count;
    uint64_t *held = s ? NULL : calloc(slots ? slots : 1, sizeof *held);
    if (!s && !held)
        s = rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory");
    for (int t = 0; t < e->u->steps && !s; t++) {
        for (int j = 0; j < g->node_count && !s; j++) {
            const unroll_task *task = unroll_task_at(e->u, t, j);
            const node *n = &g->nodes[task->node];
            uint64_t *out = &held[(size_t)t * g->node_count + task->node], temp = 0, bytes = 0;
            if (task->is_input) {
                s = plan_value(e, &b, task->node, t, "the input", n->out_h, n->out_w, n->out_c, out, err);
                continue;
            }
            if (task->input.step == UNROLL_ZEROS && !(s = plan_value(e, &b, task->node, t, "the zero input", n->u_h,
                                                                     n->u_w, n->u_c, &bytes, err)))
                temp += bytes;
            if (!s && task->feedback_count &&
                !(s = plan_value(e, &b, task->node, t, "the feedback", n->u_h, n->u_w, n->feedback_c, &bytes, err)))
                temp += bytes;
            if (!s && task->feedback_count && n->cell.type != CELL_RGC &&
                !(s = plan_value(e, &b, task->node, t, "the harbor", n->u_h, n->u_w, n->harbor_c, &bytes, err)))
                temp += bytes;
            uint64_t x = 0, next = 0;
            if (!s)
                s = plan_value(e, &b, task->node, t, "the pre-memory conv output", n->x_h, n->x_w, n->x_c, &x, err);
            if (!s && n->cell.type != CELL_NONE)
                s = plan_value(e, &b, task->node, t, "the cell output", n->cell_h, n->cell_w, n->cell_c, &next, err);
            /* the kernels' temporaries live while the conv output and the cell output do */
            uint64_t scratch = s ? 0 : k->scratch_bytes(e->ctx, task->node, e->batch);
            if (!s)
                s = rtpu_budget_take(&b, scratch, err, "graph '%s': the kernels' scratch for node '%s' at step %d",
                                     g->name, n->name, t);
            if (!s) {
                rtpu_budget_give(&b, scratch);
                if (n->cell.type != CELL_NONE) {
                    rtpu_budget_give(&b, x);
                    x = next;
                }
            }
            for (int i = 0; i < n->post_count && !s; i++) {
                const post_op *op = &n->post[i];
                if (op->kind == POST_RESIDUAL || op->kind == POST_RESIDUAL_ADD)
                    continue; /* in place */
                if (!(s = plan_value(e, &b, task->node, t, "a post-op output", op->out_h, op->out_w, op->out_c,
                                     &next, err))) {
                    rtpu_budget_give(&b, x);
                    x = next;
                }
            }
            rtpu_budget_give(&b, temp);
            *out = x;
        }
        /* free_dead's rule */
        for (int st = 0; st <= t && e->keep && !s; st++)
            for (int j = 0; j < g->node_count; j++) {
                uint64_t *v = &held[(size_t)st * g->node_count + j];
                if (*v && !e->keep[(size_t)st * g->node_count + j] && !unroll_live_after(e->u, j, st, t + 1)) {
                    rtpu_budget_give(&b, *v);
                    *v = 0;
                }
            }
    }
    free(held);
    return s;
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
    rtpu_status s = check_macs(e, err);
    if (!s)
        s = plan_memory(e, err);
    if (s)
        return s;
    e->ran = true;
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
