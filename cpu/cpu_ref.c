/* The fp32 CPU reference (see cpu_ref.h): the graph's unrolled schedule
 * (compiler/unroll.c) run by the one time unroller (exec.c) over the fp32 kernels
 * (kernels_fp32.c). This file only owns the three and checks the request. */
#include "cpu/cpu_ref.h"

#include <stdlib.h>

#include "cpu/kernels_fp32.h"

struct cpu_reference {
    const graph *g;
    int batch, steps;
    unrolled *u;
    void *kernel_ctx;
    bool *keep;            /* NULL until cpu_reference_keep: then only declared values stay */
    uint64_t weight_bytes, max_memory, max_macs;
    executor *e;
};

rtpu_status cpu_reference_create(const graph *g, const weights *w, int batch, int steps, cpu_reference **out,
                                 rtpu_error *err)
{
    *out = NULL;
    if (steps <= 0)
        steps = g->sched.steps;
    if (batch < 1 || batch > 4096)
        return rtpu_fail(err, RTPU_ERR_INVALID, "batch size %d is outside 1..4096", batch);
    if (steps > 10000)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%d steps is outside 1..10000", steps);
    rtpu_status s = weights_check_graph(w, g, err);
    if (s)
        return s;
    cpu_reference *r = calloc(1, sizeof *r);
    if (!r)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory");
    *r = (cpu_reference){.g = g, .batch = batch, .steps = steps, .weight_bytes = weights_bytes(w)};
    if (!(s = unroll_build(g, steps, &r->u, err)) && !(s = exec_fp32_context_create(g, w, &r->kernel_ctx, err)))
        s = executor_create(g, r->u, batch, exec_fp32_kernels(), r->kernel_ctx, NULL, &r->e, err);
    if (s) {
        cpu_reference_destroy(r);
        return s;
    }
    *out = r;
    return RTPU_OK;
}

rtpu_status cpu_reference_keep(cpu_reference *r, int node, int step, rtpu_error *err)
{
    if (node < 0 || node >= r->g->node_count || step < 0 || step >= r->steps)
        return rtpu_fail(err, RTPU_ERR_INVALID, "no node %d at step %d to keep", node, step);
    if (!r->keep) {
        r->keep = calloc((size_t)r->steps * r->g->node_count, sizeof *r->keep);
        if (!r->keep)
            return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory");
        /* The executor now frees what is neither kept nor read again. */
        executor_destroy(r->e);
        r->e = NULL;
        rtpu_status s = executor_create(r->g, r->u, r->batch, exec_fp32_kernels(), r->kernel_ctx, r->keep, &r->e, err);
        if (s)
            return s;
    }
    r->keep[(size_t)step * r->g->node_count + node] = true;
    return RTPU_OK;
}

void cpu_reference_limit(cpu_reference *r, uint64_t max_memory, uint64_t max_macs)
{
    r->max_memory = max_memory;
    r->max_macs = max_macs;
}

rtpu_status cpu_reference_run(cpu_reference *r, const float *images, cpu_progress_fn progress, void *context,
                              rtpu_error *err)
{
    if (!r->e)
        return rtpu_fail(err, RTPU_ERR_RUNTIME, "this CPU reference could not be prepared");
    executor_set_limits(r->e, r->max_memory, r->weight_bytes, r->max_macs);
    return executor_run(r->e, images, progress, context, err);
}

const rtpu_tensor *cpu_reference_output(const cpu_reference *r, int node, int step)
{
    return r->e ? exec_fp32_tensor(executor_value(r->e, node, step)) : NULL;
}

int cpu_reference_steps(const cpu_reference *r) { return r->steps; }

const unrolled *cpu_reference_schedule(const cpu_reference *r) { return r->u; }

void cpu_reference_destroy(cpu_reference *r)
{
    if (!r)
        return;
    executor_destroy(r->e);
    exec_fp32_context_destroy(r->kernel_ctx);
    unroll_destroy(r->u);
    free(r->keep);
    free(r);
}
