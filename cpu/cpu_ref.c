/* The time unroller of the CPU reference (see cpu_ref.h).
 *
 * Per step, nodes run in the graph's evaluation order (validate.c); each node:
 *   harbor:  u = input's output at t - delay; feedback f_i likewise, each resized to u's
 *            H x W (bilinear, align_corners) and concatenated in sorted source order;
 *   pre:     x = act(conv(concat(u, f...)))  (RGC: conv(u); its feedback enters the cell)
 *   cell:    one cell step (cells.c), or x itself;
 *   post:    max/avg pool, global average pool, fc, residual add, in order. */
#include "cpu/cpu_ref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cells.h"
#include "cpu/ops.h"

struct cpu_reference {
    const graph *g;
    const weights *w;
    int batch, steps;
    rtpu_tensor *outputs;   /* [step * node_count + node] */
    cell_state *states;     /* per node */
    bool ran;
};

static rtpu_tensor *output_at(cpu_reference *r, int node, int step)
{
    return &r->outputs[(size_t)step * r->g->node_count + node];
}

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
    *r = (cpu_reference){.g = g, .w = w, .batch = batch, .steps = steps};
    r->outputs = calloc((size_t)steps * g->node_count, sizeof *r->outputs);
    r->states = calloc((size_t)g->node_count, sizeof *r->states);
    if (!r->outputs || !r->states) {
        cpu_reference_destroy(r);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory for %d steps of outputs", steps);
    }
    *out = r;
    return RTPU_OK;
}

/* The value an edge delivers at step t: the source's output at t - delay, or NULL for
 * zeros (before step 0). */
static const rtpu_tensor *edge_value(cpu_reference *r, const edge *e, int step)
{
    int t = step - e->delay;
    return t < 0 ? NULL : output_at(r, e->from, t);
}

/* Concatenated feedback, each resized to h x w. Returns an empty tensor when the node
 * has no feedback. Missing (pre-step-0) inputs contribute zeros. */
static rtpu_status gather_feedback(cpu_reference *r, const node *n, int step, int h, int w, rtpu_tensor *out,
                                   rtpu_error *err)
{
    *out = (rtpu_tensor){0};
    if (n->feedback_count == 0)
        return RTPU_OK;
    rtpu_status s = tensor_create(out, r->batch, h, w, n->feedback_c, err);
    int offset = 0;
    for (int k = 0; k < n->feedback_count && !s; k++) {
        const node *src = &r->g->nodes[n->feedback[k].from];
        const rtpu_tensor *v = edge_value(r, &n->feedback[k], step);
        if (v) {
            rtpu_tensor resized;
            s = tensor_create(&resized, r->batch, h, w, src->out_c, err);
            if (!s) {
                op_resize_bilinear(v, &resized);
                op_copy_channels(&resized, out, offset);
                tensor_destroy(&resized);
            }
        }
        offset += src->out_c;
    }
    if (s)
        tensor_destroy(out);
    return s;
}

static rtpu_status apply_post(cpu_reference *r, int index, const rtpu_tensor *u, rtpu_tensor *value, rtpu_error *err)
{
    const node *n = &r->g->nodes[index];
    int fc_seen = 0, residual_seen = 0;
    for (int i = 0; i < n->post_count; i++) {
        const post_op *op = &n->post[i];
        rtpu_tensor next = {0};
        rtpu_status s = RTPU_OK;
        char name[32];
        switch (op->kind) {
        case POST_MAXPOOL:
        case POST_AVGPOOL:
            s = tensor_create(&next, r->batch, op->out_h, op->out_w, op->out_c, err);
            if (!s && op->kind == POST_MAXPOOL)
                op_maxpool(value, &op->geom, &next);
            else if (!s)
                op_avgpool(value, &op->geom, &next);
            break;
        case POST_GLOBAL_AVG_POOL:
            s = tensor_create(&next, r->batch, 1, 1, op->out_c, err);
            if (!s)
                op_global_avg_pool(value, &next);
            break;
        case POST_FC: {
            char base[16] = "fc";
            if (fc_seen++)
                snprintf(base, sizeof base, "fc%d", fc_seen % 1000);
            s = tensor_create(&next, r->batch, 1, 1, op->units, err);
            snprintf(name, sizeof name, "%s.kernel", base);
            const float *kernel = weights_find(r->w, r->g, index, name);
            snprintf(name, sizeof name, "%s.bias", base);
            const float *bias = op->bias ? weights_find(r->w, r->g, index, name) : NULL;
            if (!s) {
                op_fully_connected(value, kernel, bias, &next);
                op_activate(next.data, tensor_count(&next), op->act);
            }
            break;
        }
        case POST_RESIDUAL:
            /* value += u, or value += u * P (1x1 projection) when channels differ */
            if (op->projection) {
                char base[24] = "residual";
                if (residual_seen++)
                    snprintf(base, sizeof base, "residual%d", residual_seen % 1000);
                snprintf(name, sizeof name, "%s.kernel", base);
                conv_geom one;
                conv_geom_make(&one, u->h, u->w, 1, 1, 1, PADDING_SAME);
                s = op_conv2d(u, &one, weights_find(r->w, r->g, index, name), NULL, true, value, err);
            } else {
                size_t count = tensor_count(value);
                for (size_t k = 0; k < count; k++)
                    value->data[k] += u->data[k];
            }
            continue;
        }
        if (s)
            return s;
        tensor_destroy(value);
        *value = next;
    }
    return RTPU_OK;
}

/* Fills the stimulus frame for this step into the input node's output. */
static void input_frame(cpu_reference *r, const float *images, int step, rtpu_tensor *out)
{
    if (schedule_shows_image(&r->g->sched, step)) {
        memcpy(out->data, images, tensor_count(out) * sizeof(float));
    } else {
        size_t count = tensor_count(out);
        for (size_t k = 0; k < count; k++)
            out->data[k] = r->g->sched.blank_value;
    }
}

static rtpu_status run_node(cpu_reference *r, int index, int step, rtpu_tensor *result, rtpu_error *err)
{
    const node *n = &r->g->nodes[index];
    rtpu_tensor zeros_u = {0}, harbor = {0}, feedback = {0}, x = {0};
    rtpu_status s = RTPU_OK;
    const rtpu_tensor *u = edge_value(r, &n->input, step);
    if (!u) {
        s = tensor_create(&zeros_u, r->batch, n->u_h, n->u_w, n->u_c, err);
        u = &zeros_u;
    }
    if (!s)
        s = gather_feedback(r, n, step, n->u_h, n->u_w, &feedback, err);
    bool rgc = n->cell.type == CELL_RGC;
    /* Harbor: generic nodes concatenate feedback onto u for the pre-conv. */
    const rtpu_tensor *pre_in = u;
    if (!s && !rgc && feedback.data) {
        s = tensor_create(&harbor, r->batch, n->u_h, n->u_w, n->harbor_c, err);
        if (!s) {
            op_copy_channels(u, &harbor, 0);
            op_copy_channels(&feedback, &harbor, n->u_c);
            pre_in = &harbor;
        }
    }
    if (!s && n->conv.present) {
        s = tensor_create(&x, r->batch, n->x_h, n->x_w, n->x_c, err);
        if (!s)
            s = op_conv2d(pre_in, &n->conv.geom, weights_find(r->w, r->g, index, "pre.kernel"),
                          n->conv.bias ? weights_find(r->w, r->g, index, "pre.bias") : NULL, false, &x, err);
        if (!s)
            op_activate(x.data, tensor_count(&x), n->conv.act);
    } else if (!s) {
        s = tensor_create(&x, r->batch, n->x_h, n->x_w, n->x_c, err);
        if (!s)
            memcpy(x.data, pre_in->data, tensor_count(&x) * sizeof(float));
    }
    if (!s && n->cell.type != CELL_NONE) {
        rtpu_tensor cell_out;
        s = tensor_create(&cell_out, r->batch, n->cell_h, n->cell_w, n->cell_c, err);
        cell_inputs in = {.x = &x, .u = u, .feedback = rgc && feedback.data ? &feedback : NULL};
        if (!s)
            s = cell_step(r->g, r->w, index, &in, &r->states[index], &cell_out, err);
        if (!s) {
            tensor_destroy(&x);
            x = cell_out;
        } else {
            tensor_destroy(&cell_out);
        }
    }
    if (!s)
        s = apply_post(r, index, u, &x, err);
    if (!s) {
        *result = x;
        x = (rtpu_tensor){0};
    }
    tensor_destroy(&zeros_u);
    tensor_destroy(&harbor);
    tensor_destroy(&feedback);
    tensor_destroy(&x);
    return s;
}

rtpu_status cpu_reference_run(cpu_reference *r, const float *images, cpu_progress_fn progress, void *context,
                              rtpu_error *err)
{
    const graph *g = r->g;
    if (r->ran)
        return rtpu_fail(err, RTPU_ERR_RUNTIME, "this CPU reference run has already been executed");
    if (!images)
        return rtpu_fail(err, RTPU_ERR_INVALID, "no input images given for graph '%s'", g->name);
    r->ran = true;
    rtpu_status s = RTPU_OK;
    for (int i = 0; i < g->node_count && !s; i++)
        s = cell_state_create(g, i, r->batch, &r->states[i], err);
    for (int t = 0; t < r->steps && !s; t++) {
        for (int k = 0; k < g->node_count && !s; k++) {
            int index = g->order[k];
            const node *n = &g->nodes[index];
            if (n->is_input) {
                rtpu_tensor *frame = output_at(r, index, t);
                s = tensor_create(frame, r->batch, n->out_h, n->out_w, n->out_c, err);
                if (!s)
                    input_frame(r, images, t, frame);
            } else {
                s = run_node(r, index, t, output_at(r, index, t), err);
                if (s)
                    rtpu_error_prefix(err, "node '%s' at step %d: ", n->name, t);
            }
        }
        if (!s && progress && !progress(context, t, r->steps))
            s = rtpu_fail(err, RTPU_ERR_RUNTIME, "run interrupted at step %d", t);
    }
    return s;
}

const rtpu_tensor *cpu_reference_output(const cpu_reference *r, int node, int step)
{
    if (!r->ran || node < 0 || node >= r->g->node_count || step < 0 || step >= r->steps)
        return NULL;
    const rtpu_tensor *t = &r->outputs[(size_t)step * r->g->node_count + node];
    return t->data ? t : NULL;
}

int cpu_reference_steps(const cpu_reference *r) { return r->steps; }

void cpu_reference_destroy(cpu_reference *r)
{
    if (!r)
        return;
    if (r->outputs)
        for (size_t i = 0; i < (size_t)r->steps * r->g->node_count; i++)
            tensor_destroy(&r->outputs[i]);
    if (r->states)
        for (int i = 0; i < r->g->node_count; i++)
            cell_state_destroy(&r->states[i]);
    free(r->outputs);
    free(r->states);
    free(r);
}
