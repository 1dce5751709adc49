/* Weight initialisation, loading and saving (see weights.h). */
#include "cpu/weights.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/rng.h"
#include "common/safetensors.h"

/* The parameters' shape as "7x7x3x64", for messages. */
static void param_shape_text(const param_info *p, char *out, size_t size)
{
    int used = 0;
    out[0] = '\0';
    for (int d = 0; d < p->ndim && used >= 0 && (size_t)used < size; d++)
        used += snprintf(out + used, size - (size_t)used, d ? "x%d" : "%d", p->shape[d]);
}

/* Every parameter's array, zeroed; the whole set is checked against the memory budget
 * before the first allocation, so an absurd graph is refused, not half-allocated. */
static rtpu_status allocate(const graph *g, uint64_t max_memory, weights **out, rtpu_error *err)
{
    *out = NULL;
    weights *w = calloc(1, sizeof *w);
    if (!w)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory for weights");
    rtpu_status s = param_table_build(g, &w->table, err);
    if (s) {
        free(w);
        return s;
    }
    rtpu_budget budget;
    rtpu_budget_init(&budget, max_memory);
    for (int i = 0; i < w->table.count && !s; i++) {
        const param_info *p = &w->table.params[i];
        char shape[96];
        param_shape_text(p, shape, sizeof shape);
        s = rtpu_budget_take(&budget, rtpu_tensor_bytes(1, 1, 1, p->count, sizeof(float)), err,
                             "graph '%s': weight '%s' (%s fp32)", g->name, p->name, shape);
    }
    if (s) {
        weights_destroy(w);
        return s;
    }
    w->data = calloc((size_t)w->table.count + 1, sizeof *w->data);
    if (!w->data) {
        weights_destroy(w);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory for weights");
    }
    for (int i = 0; i < w->table.count; i++) {
        w->data[i] = calloc(w->table.params[i].count, sizeof(float));
        if (!w->data[i]) {
            /* the message names the tensor, so it is written before the table is freed */
            rtpu_status st = rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory for weight '%s'", w->table.params[i].name);
            weights_destroy(w);
            return st;
        }
    }
    *out = w;
    return RTPU_OK;
}

uint64_t weights_bytes(const weights *w)
{
    uint64_t total = 0;
    for (int i = 0; i < w->table.count; i++)
        total += (uint64_t)w->table.params[i].count * sizeof(float);
    return total;
}

rtpu_status weights_create_zero(const graph *g, weights **out, rtpu_error *err)
{
    return allocate(g, 0, out, err);
}

/* FNV-1a: a stable per-tensor stream key from its name. */
static uint64_t name_hash(const char *name)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return h;
}

rtpu_status weights_init(const graph *g, uint64_t seed, uint64_t max_memory, weights **out, rtpu_error *err)
{
    rtpu_status s = allocate(g, max_memory, out, err);
    if (s)
        return s;
    weights *w = *out;
    w->initialised = true;
    w->seed = seed;
    for (int i = 0; i < w->table.count; i++) {
        const param_info *p = &w->table.params[i];
        float *data = w->data[i];
        switch (p->init) {
        case INIT_ZEROS:
            break;
        case INIT_CONSTANT:
            for (size_t k = 0; k < p->count; k++)
                data[k] = p->init_value;
            break;
        case INIT_VARIANCE_SCALING: {
            /* tf.variance_scaling_initializer(mode=fan_in, distribution=truncated_normal):
             * the 0.8796... divisor restores the variance the 2-sigma truncation removes. */
            double stddev = sqrt((double)p->init_scale / (p->fan_in > 0 ? p->fan_in : 1)) / 0.87962566103423978;
            rng r;
            rng_seed(&r, seed ^ name_hash(p->name));
            for (size_t k = 0; k < p->count; k++)
                data[k] = (float)rng_truncated_normal(&r, stddev);
            break;
        }
        case INIT_GLOROT_UNIFORM: {
            /* tf.glorot_uniform_initializer (variance_scaling with mode=fan_avg,
             * distribution=uniform): uniform in [-limit, limit), limit = sqrt(3 scale / fan_avg). */
            int fans = p->fan_in + p->fan_out;
            double limit = sqrt(6.0 * p->init_scale / (fans > 0 ? fans : 1));
            rng r;
            rng_seed(&r, seed ^ name_hash(p->name));
            for (size_t k = 0; k < p->count; k++)
                data[k] = (float)(limit * (2.0 * rng_uniform(&r) - 1.0));
            break;
        }
        }
    }
    return RTPU_OK;
}

static void shape_text(char *out, size_t size, int ndim, const long long *shape)
{
    size_t used = (size_t)snprintf(out, size, "[");
    for (int i = 0; i < ndim && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%lld", i ? ", " : "", shape[i]);
    if (used < size)
        snprintf(out + used, size - used, "]");
}

rtpu_status weights_load(const graph *g, const char *path, uint64_t max_memory, weights **out, rtpu_error *err)
{
    st_file *file = NULL;
    rtpu_status s = st_file_read(path, &file, err);
    if (s)
        return s;
    if ((s = allocate(g, max_memory, out, err))) {
        st_file_destroy(file);
        return s;
    }
    weights *w = *out;
    for (int i = 0; i < w->table.count && !s; i++) {
        const param_info *p = &w->table.params[i];
        const st_tensor *t = st_file_find(file, p->name);
        long long want[PARAM_MAX_DIMS];
        for (int d = 0; d < p->ndim; d++)
            want[d] = p->shape[d];
        char want_text[96], got_text[96];
        shape_text(want_text, sizeof want_text, p->ndim, want);
        if (!t) {
            s = rtpu_fail(err, RTPU_ERR_SHAPE, "%s: missing weight '%s' (shape %s) for graph '%s'", path, p->name,
                          want_text, g->name);
            break;
        }
        if (t->dtype != ST_F32) {
            s = rtpu_fail(err, RTPU_ERR_SHAPE, "%s: weight '%s' has dtype %s, expected F32", path, p->name,
                          st_dtype_name(t->dtype));
            break;
        }
        bool same = t->ndim == p->ndim;
        for (int d = 0; same && d < p->ndim; d++)
            same = t->shape[d] == p->shape[d];
        if (!same) {
            shape_text(got_text, sizeof got_text, t->ndim, t->shape);
            s = rtpu_fail(err, RTPU_ERR_SHAPE, "%s: weight '%s' has shape %s, the graph needs %s", path, p->name,
                          got_text, want_text);
            break;
        }
        memcpy(w->data[i], t->data, p->count * sizeof(float));
    }
    /* A tensor the graph does not know means the file belongs to another graph. */
    for (size_t k = 0; k < st_file_count(file) && !s; k++) {
        const st_tensor *t = st_file_tensor(file, k);
        if (param_table_find(&w->table, t->name) < 0)
            s = rtpu_fail(err, RTPU_ERR_SHAPE, "%s: tensor '%s' is not a parameter of graph '%s'", path, t->name,
                          g->name);
    }
    st_file_destroy(file);
    if (s) {
        weights_destroy(w);
        *out = NULL;
    }
    return s;
}

rtpu_status weights_save(const weights *w, const graph *g, const char *path, rtpu_error *err)
{
    st_tensor *tensors = calloc((size_t)w->table.count + 1, sizeof *tensors);
    if (!tensors)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory");
    for (int i = 0; i < w->table.count; i++) {
        const param_info *p = &w->table.params[i];
        tensors[i] = (st_tensor){.name = p->name, .dtype = ST_F32, .ndim = p->ndim, .data = w->data[i],
                                 .nbytes = p->count * sizeof(float)};
        for (int d = 0; d < p->ndim; d++)
            tensors[i].shape[d] = p->shape[d];
    }
    char seed_text[32];
    snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)w->seed);
    const char *metadata[] = {"format", "rtpu-weights-1", "graph", g->name,
                              "init", w->initialised ? "variance_scaling" : "external",
                              "seed", w->initialised ? seed_text : "none", NULL};
    rtpu_status s = st_file_write(path, tensors, (size_t)w->table.count, metadata, err);
    free(tensors);
    return s;
}

void weights_destroy(weights *w)
{
    if (!w)
        return;
    if (w->data)
        for (int i = 0; i < w->table.count; i++)
            free(w->data[i]);
    free(w->data);
    param_table_destroy(&w->table);
    free(w);
}

float *weights_param(const weights *w, int index)
{
    return index >= 0 && index < w->table.count ? w->data[index] : NULL;
}

float *weights_find(const weights *w, const graph *g, int node, const char *suffix)
{
    char name[2 * NAME_MAX_LENGTH + 8];
    snprintf(name, sizeof name, "%s/%s", g->nodes[node].name, suffix);
    int i = param_table_find(&w->table, name);
    return i < 0 ? NULL : w->data[i];
}

rtpu_status weights_check_graph(const weights *w, const graph *g, rtpu_error *err)
{
    param_table table;
    rtpu_status s = param_table_build(g, &table, err);
    if (s)
        return s;
    for (int i = 0; i < table.count && !s; i++) {
        const param_info *want = &table.params[i];
        const param_info *have = i < w->table.count ? &w->table.params[i] : NULL;
        bool same = have && !strcmp(have->name, want->name) && have->ndim == want->ndim;
        for (int d = 0; same && d < want->ndim; d++)
            same = have->shape[d] == want->shape[d];
        if (!same)
            s = rtpu_fail(err, RTPU_ERR_SHAPE, "weights do not fit graph '%s': parameter '%s' is %s", g->name,
                          want->name, have ? "shaped or named differently" : "missing");
    }
    if (!s && w->table.count != table.count)
        s = rtpu_fail(err, RTPU_ERR_SHAPE, "weights do not fit graph '%s': %d tensors, the graph has %d", g->name,
                      w->table.count, table.count);
    param_table_destroy(&table);
    return s;
}
