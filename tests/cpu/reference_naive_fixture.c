/* The fixture of reference_naive.h: one spec, one set of random weights, run through
 * the CPU reference and the naive model, compared node by node and step by step.
 *
 * Only the graph's parameter table (names and shapes) and weights_find() are shared
 * with the code under test: the fixture fills the arrays the CPU reference will read and
 * hands the same arrays to the naive model. Everything the naive model knows about the
 * graph's structure is written by the test itself. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reference_naive.h"
#include "cpu/cpu_ref.h"

void fixture_load(naive_fixture *f, const char *spec, uint64_t seed)
{
    *f = (naive_fixture){.rng = {seed}};
    char *text = strdup(spec);
    assert_non_null(text);
    for (char *p = text; *p; p++)
        if (*p == '\'')
            *p = '"';
    rtpu_error err = {0};
    rtpu_status s = graph_load_text(text, strlen(text), "test.json", &f->g, &err);
    free(text);
    if (s)
        fail_msg("spec does not load: %s", err.message);
    if (weights_create_zero(f->g, &f->w, &err))
        fail_msg("weights_create_zero: %s", err.message);
    assert_true(f->g->node_count <= NAIVE_MAX_NODES);
    f->model.node_count = f->g->node_count;
}

void fixture_free(naive_fixture *f)
{
    naive_model_free(&f->model);
    weights_destroy(f->w);
    graph_destroy(f->g);
    *f = (naive_fixture){0};
}

int fixture_index(const naive_fixture *f, const char *name)
{
    int index = graph_find_node(f->g, name);
    if (index < 0)
        fail_msg("the graph has no node '%s'", name);
    return index;
}

naive_node *fixture_node(naive_fixture *f, const char *name)
{
    return &f->model.nodes[fixture_index(f, name)];
}

float *fixture_param(naive_fixture *f, const char *node, const char *suffix, double low, double high, int ndim,
                     const int *dims)
{
    char name[2 * NAME_MAX_LENGTH + 16];
    snprintf(name, sizeof name, "%s/%s", node, suffix);
    int i = param_table_find(&f->w->table, name);
    if (i < 0)
        fail_msg("the parameter table has no '%s'", name);
    const param_info *p = &f->w->table.params[i];
    bool same = p->ndim == ndim;
    for (int d = 0; same && d < ndim; d++)
        same = p->shape[d] == dims[d];
    if (!same)
        fail_msg("'%s' has shape [%d,%d,%d,%d] (ndim %d), expected [%d,%d,%d,%d] (ndim %d)", name, p->shape[0],
                 ndim > 1 ? p->shape[1] : 0, ndim > 2 ? p->shape[2] : 0, ndim > 3 ? p->shape[3] : 0, p->ndim,
                 dims[0], ndim > 1 ? dims[1] : 0, ndim > 2 ? dims[2] : 0, ndim > 3 ? dims[3] : 0, ndim);
    float *data = weights_find(f->w, f->g, fixture_index(f, node), suffix);
    assert_ptr_equal(data, f->w->data[i]);
    for (size_t k = 0; k < p->count; k++)
        data[k] = (float)naive_rng_uniform(&f->rng, low, high);
    return data;
}

float *fixture_kernel(naive_fixture *f, const char *node, const char *suffix, int kh, int kw, int in, int out)
{
    double limit = sqrt(3.0 / (kh * kw * in));
    return fixture_param(f, node, suffix, -limit, limit, 4, (const int[]){kh, kw, in, out});
}

float *fixture_vector(naive_fixture *f, const char *node, const char *suffix, int length, double low, double high)
{
    return fixture_param(f, node, suffix, low, high, 1, (const int[]){length});
}

bool fixture_has_param(const naive_fixture *f, const char *node, const char *suffix)
{
    char name[2 * NAME_MAX_LENGTH + 16];
    snprintf(name, sizeof name, "%s/%s", node, suffix);
    return param_table_find(&f->w->table, name) >= 0;
}

void fixture_input(naive_fixture *f, int h, int w, int c)
{
    f->model.nodes[0] = (naive_node){.is_input = true, .input_h = h, .input_w = w, .input_c = c};
}

naive_node *fixture_conv_node(naive_fixture *f, const char *name, const char *from, int delay, int kh, int kw,
                              int stride, int in_c, int out_c, naive_act act)
{
    naive_node *n = fixture_node(f, name);
    n->input = (naive_edge){fixture_index(f, from), delay};
    n->has_conv = true;
    n->conv_kh = kh;
    n->conv_kw = kw;
    n->conv_stride = stride;
    n->conv_same = true;
    n->conv_channels = out_c;
    n->conv_act = act;
    n->conv_kernel = fixture_kernel(f, name, "pre.kernel", kh, kw, in_c, out_c);
    n->conv_bias = fixture_vector(f, name, "pre.bias", out_c, -0.5, 0.5);
    return n;
}

void fixture_schedule(naive_fixture *f, int steps, int image_on_start, int image_on_end, double blank)
{
    f->model.steps = steps;
    f->model.image_on_start = image_on_start;
    f->model.image_on_end = image_on_end;
    f->model.blank = blank;
}

float *fixture_images(naive_fixture *f, int batch)
{
    const naive_node *in = &f->model.nodes[0];
    return naive_random_floats(&f->rng, (size_t)batch * in->input_h * in->input_w * in->input_c, -1.5, 1.5);
}

double fixture_run(naive_fixture *f, int batch, const float *images, double tolerance)
{
    rtpu_error err = {0};
    cpu_reference *r = NULL;
    if (cpu_reference_create(f->g, f->w, batch, f->model.steps, &r, &err))
        fail_msg("cpu_reference_create: %s", err.message);
    if (cpu_reference_run(r, images, NULL, NULL, &err)) {
        cpu_reference_destroy(r);
        fail_msg("cpu_reference_run: %s", err.message);
    }
    assert_int_equal(cpu_reference_steps(r), f->model.steps);
    naive_model_free(&f->model);
    f->model.batch = batch;
    naive_model_run(&f->model, images);
    double worst = 0.0;
    bool reported = false;
    for (int t = 0; t < f->model.steps; t++)
        for (int i = 0; i < f->model.node_count; i++) {
            const rtpu_tensor *got = cpu_reference_output(r, i, t);
            const naive_tensor *want = naive_output(&f->model, i, t);
            char what[128];
            snprintf(what, sizeof what, "node '%s' at step %d", f->g->nodes[i].name, t);
            if (!reported && !f->quiet && !naive_close(got, want, tolerance, what))
                reported = true;
            bool shaped = got && got->n == want->n && got->h == want->h && got->w == want->w && got->c == want->c;
            double e = shaped ? naive_relative_error(got, want) : INFINITY;
            if (e > worst || e != e)
                worst = e;
        }
    cpu_reference_destroy(r);
    return worst;
}

void fixture_compare(naive_fixture *f, int batch, const float *images, double tolerance)
{
    double worst = fixture_run(f, batch, images, tolerance);
    if (!(worst <= tolerance))
        fail_msg("the CPU reference differs from the naive model (worst relative error %.3g)", worst);
    if (worst > f->worst_error)
        f->worst_error = worst;
}
