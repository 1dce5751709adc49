/* The fp32 CPU reference as a device backend: the graph half of rtpu/rtpu.h. It opens a
 * graph with its weights, takes the stimulus as the tensor "input" (batch x H x W x C,
 * normalised), runs every time step, and answers for any node at any step. It counts
 * no cycles and has no accelerator memories, so those entries of its table are empty. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_ref.h"
#include "rtpu/rtpu.h"

typedef struct cpu_device {
    const graph *g;
    const weights *w;
    rtpu_graph_options o;
    float *images;          /* the stimulus, once written */
    bool *keep;             /* [step * node_count + node]: declared outputs */
    bool keep_declared;
    cpu_reference *ref;     /* after the run */
} cpu_device;

static void close_cpu(void *impl)
{
    cpu_device *d = impl;
    if (!d)
        return;
    cpu_reference_destroy(d->ref);
    free(d->images);
    free(d->keep);
    free(d);
}

static rtpu_status open_graph(const rtpu_graph *g, const rtpu_weights *w, const rtpu_graph_options *o, void **impl,
                              rtpu_error *err)
{
    *impl = NULL;
    cpu_device *d = calloc(1, sizeof *d);
    if (!d)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory");
    d->g = g;
    d->w = w;
    d->o = *o;
    if (d->o.batch <= 0)
        d->o.batch = 1;
    if (d->o.steps <= 0)
        d->o.steps = g->sched.steps;
    /* Creating the reference checks batch, steps and the weights before anything runs. */
    rtpu_status st = cpu_reference_create(g, w, d->o.batch, d->o.steps, &d->ref, err);
    if (!st && !(d->keep = calloc((size_t)d->o.steps * g->node_count, sizeof *d->keep)))
        st = rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory");
    if (!st)
        cpu_reference_limit(d->ref, d->o.max_memory, d->o.max_macs);
    if (st) {
        close_cpu(d);
        return st;
    }
    *impl = d;
    return RTPU_OK;
}

static void set_shape(rtpu_tensor_desc *t, int n, int h, int w, int c)
{
    t->shape[0] = (uint32_t)n;
    t->shape[1] = (uint32_t)h;
    t->shape[2] = (uint32_t)w;
    t->shape[3] = (uint32_t)c;
    t->count = (size_t)n * (size_t)h * (size_t)w * (size_t)c;
    t->dtype_bits = 32;
    t->is_float = true;
    t->scale = 1.0f;
}

static rtpu_status describe(void *impl, const char *name, int step, rtpu_tensor_desc *out, rtpu_error *err)
{
    cpu_device *d = impl;
    const graph *g = d->g;
    const node *in = &g->nodes[g->input_node];
    if (step == RTPU_BY_NAME) {
        if (strcmp(name, "input") != 0)
            return rtpu_fail(err, RTPU_ERR_INVALID,
                             "graph '%s': no tensor '%s' (name 'input' for the stimulus, or a node and a step)", g->name,
                             name);
        snprintf(out->name, sizeof out->name, "input");
        out->step = RTPU_BY_NAME;
        out->role = RTPU_TENSOR_INPUT;
        set_shape(out, d->o.batch, in->input_h, in->input_w, in->input_c);
        return RTPU_OK;
    }
    int k = graph_find_node(g, name);
    if (k < 0)
        return rtpu_fail(err, RTPU_ERR_INVALID, "graph '%s' has no node '%s'", g->name, name);
    if (step >= d->o.steps)
        return rtpu_fail(err, RTPU_ERR_INVALID, "node '%s': step %d is beyond the run's %d steps (0..%d)", name, step,
                         d->o.steps, d->o.steps - 1);
    const node *n = &g->nodes[k];
    snprintf(out->name, sizeof out->name, "%s", n->name);
    snprintf(out->node, sizeof out->node, "%s", n->name);
    out->step = step;
    out->role = k == g->readout_node ? RTPU_TENSOR_OUTPUT : RTPU_TENSOR_OTHER;
    set_shape(out, d->o.batch, n->out_h, n->out_w, n->out_c);
    return RTPU_OK;
}

static rtpu_status keep(void *impl, const char *node_name, int step, rtpu_error *err)
{
    cpu_device *d = impl;
    rtpu_tensor_desc t;
    rtpu_status st = describe(impl, node_name, step, &t, err);
    if (st)
        return st;
    if (step == RTPU_BY_NAME)
        return RTPU_OK;
    int k = graph_find_node(d->g, node_name);
    st = cpu_reference_keep(d->ref, k, step, err);
    if (!st) {
        d->keep[(size_t)step * d->g->node_count + k] = true;
        d->keep_declared = true;
    }
    return st;
}

static rtpu_status write_tensor(void *impl, const rtpu_tensor_desc *t, const float *values, rtpu_error *err)
{
    cpu_device *d = impl;
    if (t->step != RTPU_BY_NAME)
        return rtpu_fail(err, RTPU_ERR_INVALID, "node outputs of a graph are computed, not written: write 'input'");
    if (!d->images && !(d->images = malloc(t->count * sizeof *d->images)))
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory for the stimulus");
    memcpy(d->images, values, t->count * sizeof *values);
    return RTPU_OK;
}

static rtpu_status run(void *impl, const rtpu_run_options *o, rtpu_error *err)
{
    cpu_device *d = impl;
    if (!d->images)
        return rtpu_fail(err, RTPU_ERR_INVALID, "graph '%s': write the tensor 'input' before the run", d->g->name);
    return cpu_reference_run(d->ref, d->images, o->progress, o->progress_context, err);
}

static rtpu_status read_tensor(void *impl, const rtpu_tensor_desc *t, float *out, rtpu_error *err)
{
    cpu_device *d = impl;
    if (t->step == RTPU_BY_NAME) {
        memcpy(out, d->images, t->count * sizeof *out);
        return RTPU_OK;
    }
    int k = graph_find_node(d->g, t->node);
    if (d->keep_declared && !d->keep[(size_t)t->step * d->g->node_count + k])
        return rtpu_fail(err, RTPU_ERR_INVALID, "node '%s' at step %d was not declared as an output before the run",
                         t->node, t->step);
    const rtpu_tensor *v = cpu_reference_output(d->ref, k, t->step);
    if (!v)
        return rtpu_fail(err, RTPU_ERR_RUNTIME, "node '%s' at step %d has no value", t->node, t->step);
    memcpy(out, v->data, t->count * sizeof *out);
    return RTPU_OK;
}

const rtpu_backend rtpu_backend_cpu = {
    .name = "cpu",
    .summary = "fp32 CPU reference: the graph unrolled over time, every node at every step",
    .caps = RTPU_CAN_RUN_GRAPH,
    .open_graph = open_graph,
    .close = close_cpu,
    .describe = describe,
    .keep = keep,
    .write = write_tensor,
    .run = run,
    .read = read_tensor,
};
