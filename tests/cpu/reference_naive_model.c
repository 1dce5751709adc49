/* The naive unroller and cells of reference_naive.h.
 *
 * Time unrolling is written as its definition (docs/model-semantics.md section 1): the output of node
 * n at step t is computed on demand from its sources' outputs at t - delay (zeros when
 * t - delay < 0) and from its own state left by step t - 1. Each (node, step) is computed
 * once and kept; steps are visited in increasing order so every cell's state advances
 * exactly once per step. Delay-0 edges are followed by recursion, so no evaluation order
 * is needed. Each cell is a transcription of its formula from section 2 and the lead's
 * conventions (the header of test_cells.c lists them). */
#include <math.h>
#include <stdlib.h>

#include "reference_naive.h"

static void output_shape(const naive_model *m, int index, int *h, int *w, int *c);

/* Size after a window of k, stride s: TF SAME or VALID. */
static int window_out(int in, int k, int stride, bool same)
{
    return same ? (in + stride - 1) / stride : (in - k) / stride + 1;
}

/* H x W x C of the pre-memory conv's output (the cell's input x). */
static void cell_input_shape(const naive_model *m, int index, int *h, int *w, int *c)
{
    const naive_node *n = &m->nodes[index];
    output_shape(m, n->input.from, h, w, c);
    if (n->has_conv) {
        *h = window_out(*h, n->conv_kh, n->conv_stride, n->conv_same);
        *w = window_out(*w, n->conv_kw, n->conv_stride, n->conv_same);
        *c = n->conv_channels;
    }
}

/* H x W x C of a node's output, from its feedforward chain (feedback never changes it). */
static void output_shape(const naive_model *m, int index, int *h, int *w, int *c)
{
    const naive_node *n = &m->nodes[index];
    if (n->is_input) {
        *h = n->input_h, *w = n->input_w, *c = n->input_c;
        return;
    }
    cell_input_shape(m, index, h, w, c);
    if (n->cell.type != NAIVE_NO_CELL)
        *c = n->cell.channels;
    if (n->pool_kernel > 0) {
        *h = window_out(*h, n->pool_kernel, n->pool_stride, n->pool_same);
        *w = window_out(*w, n->pool_kernel, n->pool_stride, n->pool_same);
    }
    for (int i = 0; i < n->post_count; i++) {
        const naive_post *op = &n->post[i];
        if (op->kind == NAIVE_POST_MAXPOOL || op->kind == NAIVE_POST_AVGPOOL) {
            *h = window_out(*h, op->kernel, op->stride, op->same);
            *w = window_out(*w, op->kernel, op->stride, op->same);
        } else if (op->kind == NAIVE_POST_GLOBAL_AVG) {
            *h = *w = 1;
        } else if (op->kind == NAIVE_POST_FC) {
            *h = *w = 1;
            *c = op->units;
        } else if (op->kind == NAIVE_POST_CONV) {
            *h = window_out(*h, op->kernel, op->stride, op->same);
            *w = window_out(*w, op->kernel, op->stride, op->same);
            *c = op->units;
        } else if (op->kind == NAIVE_POST_FLATTEN) {
            *c = *h * *w * *c;
            *h = *w = 1;
        }
    }
}

static naive_tensor compute(naive_model *m, int node, int step);

/* What an edge delivers at `step`: the source's output delay steps earlier, else zeros. */
static naive_tensor read_edge(naive_model *m, naive_edge e, int step)
{
    int t = step - e.delay;
    if (t < 0) {
        int h, w, c;
        output_shape(m, e.from, &h, &w, &c);
        return naive_tensor_make(m->batch, h, w, c);
    }
    return compute(m, e.from, t);
}

static naive_tensor frame(const naive_model *m, const naive_node *n, int step)
{
    naive_tensor f = naive_tensor_make(m->batch, n->input_h, n->input_w, n->input_c);
    bool image = step >= m->image_on_start && step < m->image_on_end;
    for (size_t i = 0; i < naive_tensor_count(&f); i++)
        f.data[i] = image ? m->images[i] : m->blank;
    return f;
}

static naive_tensor path_apply(const naive_path *p, const naive_tensor *in, int out_c)
{
    if (!p->separable)
        return naive_conv(in, p->kernel, p->kh, p->kw, out_c, p->bias, 1, true);
    naive_tensor depth = naive_depthwise(in, p->depthwise, p->kh, p->kw);
    naive_tensor out = naive_conv(&depth, p->pointwise, 1, 1, out_c, p->bias, 1, true);
    naive_tensor_free(&depth);
    return out;
}

static naive_tensor time_decay_step(const naive_cell *cell, const naive_tensor *x, naive_tensor *s)
{
    for (size_t i = 0; i < naive_tensor_count(s); i++)
        s->data[i] = cell->tau[0] * s->data[i] + x->data[i];
    return naive_tensor_copy(s);
}

static naive_tensor vanilla_step(const naive_cell *cell, const naive_tensor *x, naive_tensor *h)
{
    int C = cell->channels;
    naive_tensor pre = naive_conv(x, cell->input_kernel, cell->kh, cell->kw, C, cell->input_bias, 1, true);
    naive_tensor state = naive_conv(h, cell->state_kernel, cell->kh, cell->kw, C, cell->state_bias, 1, true);
    naive_add(&pre, &state);
    if (cell->layer_norm)
        naive_layer_norm(&pre, cell->ln_gamma, cell->ln_beta);
    naive_apply(&pre, NAIVE_ELU);
    naive_tensor_free(&state);
    naive_tensor_free(h);
    *h = naive_tensor_copy(&pre);
    return pre;
}

static double peephole(const float *weights, bool on, const naive_tensor *c, int b, int y, int x, int ch)
{
    if (!on)
        return 0.0;
    return weights[((size_t)y * c->w + x) * c->c + ch] * *naive_at(c, b, y, x, ch);
}

static naive_tensor lstm_step(const naive_cell *cell, const naive_tensor *x, naive_tensor *h, naive_tensor *c)
{
    int C = cell->channels;
    naive_tensor xh = naive_concat(x, h);
    naive_tensor z = naive_conv(&xh, cell->kernel, cell->kh, cell->kw, 4 * C, cell->bias, 1, true);
    naive_tensor gate[4]; /* i, j, f, o */
    for (int g = 0; g < 4; g++) {
        gate[g] = naive_channels(&z, g * C, C);
        if (cell->layer_norm)
            naive_layer_norm(&gate[g], cell->ln_gates_gamma + g * C, cell->ln_gates_beta + g * C);
    }
    naive_tensor new_c = naive_tensor_make(c->n, c->h, c->w, C);
    for (int b = 0; b < c->n; b++)
        for (int y = 0; y < c->h; y++)
            for (int xx = 0; xx < c->w; xx++)
                for (int ch = 0; ch < C; ch++) {
                    double old = *naive_at(c, b, y, xx, ch);
                    double f = *naive_at(&gate[2], b, y, xx, ch) + cell->forget_bias +
                               peephole(cell->peephole_f, cell->peepholes, c, b, y, xx, ch);
                    double i = *naive_at(&gate[0], b, y, xx, ch) +
                               peephole(cell->peephole_i, cell->peepholes, c, b, y, xx, ch);
                    double j = *naive_at(&gate[1], b, y, xx, ch);
                    *naive_at(&new_c, b, y, xx, ch) =
                        old * naive_activate(NAIVE_SIGMOID, f) + naive_activate(NAIVE_SIGMOID, i) * tanh(j);
                }
    if (cell->layer_norm)
        naive_layer_norm(&new_c, cell->ln_state_gamma, cell->ln_state_beta);
    naive_tensor out = naive_tensor_make(c->n, c->h, c->w, C);
    for (int b = 0; b < c->n; b++)
        for (int y = 0; y < c->h; y++)
            for (int xx = 0; xx < c->w; xx++)
                for (int ch = 0; ch < C; ch++) {
                    double o = *naive_at(&gate[3], b, y, xx, ch) +
                               peephole(cell->peephole_o, cell->peepholes, &new_c, b, y, xx, ch);
                    *naive_at(&out, b, y, xx, ch) =
                        tanh(*naive_at(&new_c, b, y, xx, ch)) * naive_activate(NAIVE_SIGMOID, o);
                }
    for (int g = 0; g < 4; g++)
        naive_tensor_free(&gate[g]);
    naive_tensor_free(&z);
    naive_tensor_free(&xh);
    naive_tensor_free(c);
    naive_tensor_free(h);
    *c = new_c;
    *h = naive_tensor_copy(&out);
    return out;
}

static naive_tensor gru_step(const naive_cell *cell, const naive_tensor *x, naive_tensor *h)
{
    int C = cell->channels;
    naive_tensor xh = naive_concat(x, h);
    naive_tensor gates = naive_conv(&xh, cell->gates_kernel, cell->kh, cell->kw, 2 * C, cell->gates_bias, 1, true);
    naive_apply(&gates, NAIVE_SIGMOID);
    naive_tensor r = naive_channels(&gates, 0, C), z = naive_channels(&gates, C, C);
    naive_tensor rh = naive_tensor_copy(h);
    for (size_t i = 0; i < naive_tensor_count(&rh); i++)
        rh.data[i] *= r.data[i];
    naive_tensor xrh = naive_concat(x, &rh);
    naive_tensor cand = naive_conv(&xrh, cell->candidate_kernel, cell->kh, cell->kw, C, cell->candidate_bias, 1, true);
    naive_apply(&cand, NAIVE_TANH);
    naive_tensor out = naive_tensor_make(h->n, h->h, h->w, C);
    for (size_t i = 0; i < naive_tensor_count(&out); i++)
        out.data[i] = z.data[i] * h->data[i] + (1.0 - z.data[i]) * cand.data[i];
    naive_tensor tmp[] = {xh, gates, r, z, rh, xrh, cand};
    for (size_t i = 0; i < sizeof tmp / sizeof *tmp; i++)
        naive_tensor_free(&tmp[i]);
    naive_tensor_free(h);
    *h = naive_tensor_copy(&out);
    return out;
}

/* Block k (C channels) of the zoo's one conv over [x, h], layer-normalised on its own with
 * its slice of ln_gates when the cell has layer norm (the zoo's _norm(act, scope) per block). */
static naive_tensor gate_block(const naive_cell *cell, const naive_tensor *z, int k)
{
    int C = cell->channels;
    naive_tensor block = naive_channels(z, k * C, C);
    if (cell->layer_norm)
        naive_layer_norm(&block, cell->ln_gates_gamma + k * C, cell->ln_gates_beta + k * C);
    return block;
}

/* convrnns/utils/cells.py, ConvUGRNNCell.__call__:
 *   concat = _conv_linear([inputs, state], 2 * out_depth) (+ bias)
 *   g_act, c_act = split(concat, 2)          (each through _norm with layer_norm)
 *   c = tanh(c_act); g = sigmoid(g_act + forget_bias)
 *   new_state = g * state + (1 - g) * c;     output = new_state
 * (The zoo's layer-norm branch normalises an undefined h_act into c_act; c_act is meant.) */
static naive_tensor ugrnn_step(const naive_cell *cell, const naive_tensor *x, naive_tensor *h)
{
    int C = cell->channels;
    naive_tensor xh = naive_concat(x, h);
    naive_tensor z = naive_conv(&xh, cell->kernel, cell->kh, cell->kw, 2 * C, cell->bias, 1, true);
    naive_tensor g_act = gate_block(cell, &z, 0), c_act = gate_block(cell, &z, 1);
    naive_tensor out = naive_tensor_make(h->n, h->h, h->w, C);
    for (size_t i = 0; i < naive_tensor_count(&out); i++) {
        double c = tanh(c_act.data[i]);
        double g = 1.0 / (1.0 + exp(-(g_act.data[i] + cell->forget_bias)));
        out.data[i] = g * h->data[i] + (1.0 - g) * c;
    }
    naive_tensor tmp[] = {xh, z, g_act, c_act};
    for (size_t i = 0; i < sizeof tmp / sizeof *tmp; i++)
        naive_tensor_free(&tmp[i]);
    naive_tensor_free(h);
    *h = naive_tensor_copy(&out);
    return out;
}

/* convrnns/utils/cells.py, ConvIntersectionRNNCell.__call__ (inputs must have out_depth):
 *   concat = _conv_linear([inputs, state], 2 * n_dim + 2 * i_dim) (+ bias), n_dim = i_dim = C
 *   gh_act, h_act, gy_act, y_act = split(concat, [C, C, C, C])   (each through _norm)
 *   h = tanh(h_act); y = relu(y_act)
 *   gh = sigmoid(gh_act + forget_bias); gy = sigmoid(gy_act + forget_bias)
 *   new_state = gh * state + (1 - gh) * h;  new_y = gy * inputs + (1 - gy) * y
 *   returns (new_y, new_state): the output is new_y, the recurrent state new_state. */
static naive_tensor intersection_step(const naive_cell *cell, const naive_tensor *x, naive_tensor *h)
{
    int C = cell->channels;
    naive_tensor xh = naive_concat(x, h);
    naive_tensor z = naive_conv(&xh, cell->kernel, cell->kh, cell->kw, 4 * C, cell->bias, 1, true);
    naive_tensor gh_act = gate_block(cell, &z, 0), h_act = gate_block(cell, &z, 1);
    naive_tensor gy_act = gate_block(cell, &z, 2), y_act = gate_block(cell, &z, 3);
    naive_tensor new_state = naive_tensor_make(h->n, h->h, h->w, C);
    naive_tensor new_y = naive_tensor_make(h->n, h->h, h->w, C);
    for (size_t i = 0; i < naive_tensor_count(&new_y); i++) {
        double hh = tanh(h_act.data[i]);
        double y = y_act.data[i] > 0 ? y_act.data[i] : 0.0;
        double gh = 1.0 / (1.0 + exp(-(gh_act.data[i] + cell->forget_bias)));
        double gy = 1.0 / (1.0 + exp(-(gy_act.data[i] + cell->forget_bias)));
        new_state.data[i] = gh * h->data[i] + (1.0 - gh) * hh;
        new_y.data[i] = gy * x->data[i] + (1.0 - gy) * y;
    }
    naive_tensor tmp[] = {xh, z, gh_act, h_act, gy_act, y_act};
    for (size_t i = 0; i < sizeof tmp / sizeof *tmp; i++)
        naive_tensor_free(&tmp[i]);
    naive_tensor_free(h);
    *h = new_state;
    return new_y;
}

/* new = f( (a_tau - a_tau N_tau(tau_path)) . state + (a_g - a_g N_g(gate_path)) . drive ) */
static naive_tensor rgc_combine(const naive_cell *cell, naive_act f, const naive_tensor *tau_path,
                                const naive_tensor *state, const naive_tensor *gate_path, const naive_tensor *drive)
{
    naive_tensor out = naive_tensor_make(state->n, state->h, state->w, state->c);
    for (size_t i = 0; i < naive_tensor_count(&out); i++) {
        double keep = cell->a_tau - cell->a_tau * naive_activate(cell->tau_gate, tau_path->data[i]);
        double pass = cell->a_g - cell->a_g * naive_activate(cell->gate_gate, gate_path->data[i]);
        out.data[i] = naive_activate(f, keep * state->data[i] + pass * drive->data[i]);
    }
    return out;
}

static naive_tensor rgc_step(const naive_cell *cell, const naive_tensor *x, const naive_tensor *u,
                             const naive_tensor *feedback, naive_tensor *h, naive_tensor *c)
{
    int C = cell->channels, CC = cell->cell_channels;
    const naive_path *p = cell->path;
    naive_tensor entry = {0};
    if (feedback) {
        int entry_c = cell->entry == NAIVE_ENTRY_INPUT ? x->c : cell->entry == NAIVE_ENTRY_CELL ? CC : C;
        entry = naive_conv(feedback, cell->feedback_kernel, cell->feedback_kh, cell->feedback_kw, entry_c,
                           cell->feedback_bias, 1, true);
    }
    naive_tensor input = naive_tensor_copy(x);
    if (feedback && cell->entry == NAIVE_ENTRY_INPUT)
        naive_add(&input, &entry);
    naive_tensor a_c = path_apply(&p[NAIVE_A_C], &input, CC);
    naive_tensor a_h = path_apply(&p[NAIVE_A_H], &input, C);
    if (feedback && cell->entry == NAIVE_ENTRY_CELL)
        naive_add(&a_c, &entry);
    if (feedback && cell->entry == NAIVE_ENTRY_OUT)
        naive_add(&a_h, &entry);
    if (cell->residual) {
        naive_tensor bypass = cell->residual_kernel ? naive_conv(u, cell->residual_kernel, 1, 1, C, NULL, 1, true)
                                                    : naive_tensor_copy(u);
        naive_add(&a_h, &bypass);
        naive_tensor_free(&bypass);
    }
    /* Gates read the previous states only. */
    naive_tensor t_c = path_apply(&p[NAIVE_T_C], c, CC);
    naive_tensor g_c = path_apply(&p[NAIVE_G_C], h, CC);
    naive_tensor t_h = path_apply(&p[NAIVE_T_H], h, C);
    naive_tensor g_h = path_apply(&p[NAIVE_G_H], c, C);
    naive_tensor new_c = rgc_combine(cell, cell->cell_act, &t_c, c, &g_c, &a_c);
    naive_tensor new_h = rgc_combine(cell, cell->out_act, &t_h, h, &g_h, &a_h);
    naive_tensor tmp[] = {entry, input, a_c, a_h, t_c, g_c, t_h, g_h};
    for (size_t i = 0; i < sizeof tmp / sizeof *tmp; i++)
        if (tmp[i].data)
            naive_tensor_free(&tmp[i]);
    naive_tensor_free(c);
    naive_tensor_free(h);
    *c = new_c;
    *h = naive_tensor_copy(&new_h);
    return new_h;
}

naive_tensor naive_cell_step(const naive_cell *cell, const naive_tensor *x, const naive_tensor *u,
                             const naive_tensor *feedback, naive_tensor *h, naive_tensor *c)
{
    switch (cell->type) {
    case NAIVE_TIME_DECAY:
        return time_decay_step(cell, x, h);
    case NAIVE_VANILLA:
        return vanilla_step(cell, x, h);
    case NAIVE_LSTM:
        return lstm_step(cell, x, h, c);
    case NAIVE_GRU:
        return gru_step(cell, x, h);
    case NAIVE_RGC:
        return rgc_step(cell, x, u, feedback, h, c);
    case NAIVE_UGRNN:
        return ugrnn_step(cell, x, h);
    case NAIVE_INTERSECTION:
        return intersection_step(cell, x, h);
    case NAIVE_NO_CELL:
        break;
    }
    return naive_tensor_copy(x);
}

/* Feedback sources resized to the feedforward input's H x W, concatenated in list order. */
static naive_tensor gather_feedback(naive_model *m, const naive_node *n, int step, int h, int w)
{
    naive_tensor all = {0};
    for (int k = 0; k < n->feedback_count; k++) {
        naive_tensor source = read_edge(m, n->feedback[k], step);
        naive_tensor resized = naive_resize(&source, h, w, !m->resize_without_align_corners);
        naive_tensor_free(&source);
        if (!all.data) {
            all = resized;
            continue;
        }
        naive_tensor joined = naive_concat(&all, &resized);
        naive_tensor_free(&all);
        naive_tensor_free(&resized);
        all = joined;
    }
    return all;
}

/* The zoo's residual_add(inp, res_inp) (convrnns/utils/cell_utils.py): the same shape is
 * added as it is; the same H x W but other channels through the 1x1 "residual_add_weights";
 * another H x W is first resized to inp's (tf.image.resize_images, align_corners=True), then
 * always projected. res_inp is what component_conv(return_input=True) returns: its own
 * input, the harbor (concat(u, feedback) for a generic cell, u for the RGC). */
static naive_tensor zoo_residual_add(const naive_post *op, const naive_tensor *value, const naive_tensor *harbor)
{
    naive_tensor out;
    if (harbor->h == value->h && harbor->w == value->w && harbor->c == value->c) {
        out = naive_tensor_copy(harbor);
    } else if (harbor->h == value->h && harbor->w == value->w) {
        out = naive_conv(harbor, op->weights, 1, 1, value->c, NULL, 1, true);
    } else {
        naive_tensor resized = naive_resize(harbor, value->h, value->w, true);
        out = naive_conv(&resized, op->weights, 1, 1, value->c, NULL, 1, true);
        naive_tensor_free(&resized);
    }
    naive_add(&out, value);
    return out;
}

/* Applies one post-memory op to value (consumed) and returns the result. */
static naive_tensor apply_post_op(const naive_post *op, naive_tensor *value, const naive_tensor *u,
                                  const naive_tensor *harbor)
{
    naive_tensor next;
    switch (op->kind) {
    case NAIVE_POST_MAXPOOL:
        next = naive_maxpool(value, op->kernel, op->stride, op->same);
        break;
    case NAIVE_POST_AVGPOOL:
        next = naive_avgpool(value, op->kernel, op->stride, op->same);
        break;
    case NAIVE_POST_GLOBAL_AVG:
        next = naive_global_avg_pool(value);
        break;
    case NAIVE_POST_FC:
        next = naive_fully_connected(value, op->weights, op->bias, op->units);
        naive_apply(&next, op->act);
        break;
    case NAIVE_POST_CONV: /* model_tool.conv: tf.nn.conv2d, bias_add, then the activation */
        next = naive_conv(value, op->weights, op->kernel, op->kernel, op->units, op->bias, op->stride, op->same);
        naive_apply(&next, op->act);
        break;
    case NAIVE_POST_RESIDUAL_ADD:
        next = zoo_residual_add(op, value, harbor);
        break;
    case NAIVE_POST_ACTIVATION:
        next = naive_tensor_copy(value);
        naive_apply(&next, op->act);
        break;
    case NAIVE_POST_FLATTEN: /* tf.contrib.layers.flatten of NHWC: the same values, in order */
        next = naive_tensor_copy(value);
        next.c = value->h * value->w * value->c;
        next.h = next.w = 1;
        break;
    case NAIVE_POST_RESIDUAL:
    default:
        next = op->weights ? naive_conv(u, op->weights, 1, 1, value->c, NULL, 1, true) : naive_tensor_copy(u);
        naive_add(&next, value);
        break;
    }
    naive_tensor_free(value);
    return next;
}

static naive_tensor node_step(naive_model *m, int index, int step)
{
    const naive_node *n = &m->nodes[index];
    if (n->is_input)
        return frame(m, n, step);
    naive_tensor u = read_edge(m, n->input, step);
    naive_tensor feedback = gather_feedback(m, n, step, u.h, u.w);
    bool generic = n->cell.type != NAIVE_RGC;
    naive_tensor harbor = feedback.data && generic ? naive_concat(&u, &feedback) : naive_tensor_copy(&u);
    naive_tensor x;
    if (n->has_conv) {
        x = naive_conv(&harbor, n->conv_kernel, n->conv_kh, n->conv_kw, n->conv_channels, n->conv_bias,
                       n->conv_stride, n->conv_same);
        naive_apply(&x, n->conv_act);
    } else {
        x = naive_tensor_copy(&harbor);
    }
    naive_tensor out = naive_cell_step(&n->cell, &x, &u, feedback.data && !generic ? &feedback : NULL,
                                       &m->state_h[index], &m->state_c[index]);
    if (n->pool_kernel > 0) {
        naive_tensor pooled = naive_maxpool(&out, n->pool_kernel, n->pool_stride, n->pool_same);
        naive_tensor_free(&out);
        out = pooled;
    }
    for (int i = 0; i < n->post_count; i++)
        out = apply_post_op(&n->post[i], &out, &u, &harbor);
    naive_tensor_free(&x);
    naive_tensor_free(&harbor);
    naive_tensor_free(&u);
    if (feedback.data)
        naive_tensor_free(&feedback);
    return out;
}

static naive_tensor compute(naive_model *m, int node, int step)
{
    size_t slot = (size_t)step * m->node_count + node;
    if (!m->computed[slot]) {
        m->outputs[slot] = node_step(m, node, step);
        m->computed[slot] = true;
    }
    return naive_tensor_copy(&m->outputs[slot]);
}

/* Zero states of each cell's shape (docs/model-semantics.md: every cell state starts at zero). */
static void init_states(naive_model *m)
{
    for (int i = 0; i < m->node_count; i++) {
        const naive_node *n = &m->nodes[i];
        if (n->is_input || n->cell.type == NAIVE_NO_CELL)
            continue;
        int h, w, c;
        cell_input_shape(m, i, &h, &w, &c);
        m->state_h[i] = naive_tensor_make(m->batch, h, w, n->cell.channels);
        int cell_c = n->cell.type == NAIVE_LSTM  ? n->cell.channels
                     : n->cell.type == NAIVE_RGC ? n->cell.cell_channels
                                                 : 1;
        m->state_c[i] = naive_tensor_make(m->batch, h, w, cell_c);
    }
}

void naive_model_run(naive_model *m, const float *images)
{
    size_t slots = (size_t)m->steps * m->node_count;
    m->images = images;
    m->outputs = calloc(slots, sizeof *m->outputs);
    m->computed = calloc(slots, sizeof *m->computed);
    m->state_h = calloc((size_t)m->node_count, sizeof *m->state_h);
    m->state_c = calloc((size_t)m->node_count, sizeof *m->state_c);
    if (!m->outputs || !m->computed || !m->state_h || !m->state_c)
        abort();
    init_states(m);
    for (int t = 0; t < m->steps; t++)
        for (int i = 0; i < m->node_count; i++) {
            naive_tensor done = compute(m, i, t);
            naive_tensor_free(&done);
        }
}

const naive_tensor *naive_output(const naive_model *m, int node, int step)
{
    return &m->outputs[(size_t)step * m->node_count + node];
}

void naive_model_free(naive_model *m)
{
    size_t slots = (size_t)m->steps * m->node_count;
    for (size_t i = 0; m->outputs && i < slots; i++)
        if (m->outputs[i].data)
            naive_tensor_free(&m->outputs[i]);
    for (int i = 0; i < m->node_count && m->state_h; i++) {
        if (m->state_h[i].data)
            naive_tensor_free(&m->state_h[i]);
        if (m->state_c[i].data)
            naive_tensor_free(&m->state_c[i]);
    }
    free(m->outputs);
    free(m->computed);
    free(m->state_h);
    free(m->state_c);
    m->outputs = NULL;
    m->computed = NULL;
    m->state_h = m->state_c = NULL;
}
