/* The naive primitives of reference_naive.h: seeded numbers, double tensors, and each
 * operation as the plainest loop over its definition (TF padding rules, bilinear
 * align_corners, layer norm over H x W x C). Speed does not matter; the test shapes are
 * a few hundred elements. */
#include "reference_naive.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t naive_rng_next(naive_rng *rng)
{
    uint64_t z = (rng->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double naive_rng_uniform(naive_rng *rng, double low, double high)
{
    double unit = (double)(naive_rng_next(rng) >> 11) / 9007199254740992.0;
    return low + (high - low) * unit;
}

float *naive_random_floats(naive_rng *rng, size_t count, double low, double high)
{
    float *values = malloc((count ? count : 1) * sizeof *values);
    if (!values)
        abort();
    for (size_t i = 0; i < count; i++)
        values[i] = (float)naive_rng_uniform(rng, low, high);
    return values;
}

naive_tensor naive_tensor_make(int n, int h, int w, int c)
{
    naive_tensor t = {n, h, w, c, NULL};
    t.data = calloc((size_t)n * h * w * c + 1, sizeof *t.data);
    if (!t.data)
        abort();
    return t;
}

void naive_tensor_free(naive_tensor *t)
{
    free(t->data);
    *t = (naive_tensor){0};
}

size_t naive_tensor_count(const naive_tensor *t)
{
    return (size_t)t->n * t->h * t->w * t->c;
}

naive_tensor naive_tensor_copy(const naive_tensor *t)
{
    naive_tensor copy = naive_tensor_make(t->n, t->h, t->w, t->c);
    memcpy(copy.data, t->data, naive_tensor_count(t) * sizeof *t->data);
    return copy;
}

naive_tensor naive_from_tensor(const rtpu_tensor *t)
{
    naive_tensor out = naive_tensor_make(t->n, t->h, t->w, t->c);
    for (size_t i = 0; i < naive_tensor_count(&out); i++)
        out.data[i] = t->data[i];
    return out;
}

void naive_to_tensor(const naive_tensor *from, rtpu_tensor *to)
{
    for (size_t i = 0; i < naive_tensor_count(from); i++)
        to->data[i] = (float)from->data[i];
}

double naive_activate(naive_act act, double v)
{
    switch (act) {
    case NAIVE_IDENTITY:
        return v;
    case NAIVE_ELU:
        return v > 0 ? v : exp(v) - 1.0;
    case NAIVE_RELU:
        return v > 0 ? v : 0.0;
    case NAIVE_SIGMOID:
        return 1.0 / (1.0 + exp(-v));
    case NAIVE_TANH:
        return tanh(v);
    }
    return v;
}

void naive_apply(naive_tensor *t, naive_act act)
{
    for (size_t i = 0; i < naive_tensor_count(t); i++)
        t->data[i] = naive_activate(act, t->data[i]);
}

/* Output size and the padding before the first row/column, TF style. */
static void window(int in, int k, int stride, bool same, int *out, int *pad_before)
{
    if (same) {
        *out = (in + stride - 1) / stride;
        int total = (*out - 1) * stride + k - in;
        *pad_before = total > 0 ? total / 2 : 0;
    } else {
        *out = (in - k) / stride + 1;
        *pad_before = 0;
    }
}

naive_tensor naive_conv(const naive_tensor *in, const float *kernel, int kh, int kw, int out_c,
                        const float *bias, int stride, bool same)
{
    int out_h, out_w, top, left;
    window(in->h, kh, stride, same, &out_h, &top);
    window(in->w, kw, stride, same, &out_w, &left);
    naive_tensor out = naive_tensor_make(in->n, out_h, out_w, out_c);
    for (int b = 0; b < in->n; b++)
        for (int oy = 0; oy < out_h; oy++)
            for (int ox = 0; ox < out_w; ox++)
                for (int o = 0; o < out_c; o++) {
                    double sum = bias ? bias[o] : 0.0;
                    for (int ky = 0; ky < kh; ky++)
                        for (int kx = 0; kx < kw; kx++) {
                            int iy = oy * stride - top + ky, ix = ox * stride - left + kx;
                            if (iy < 0 || iy >= in->h || ix < 0 || ix >= in->w)
                                continue;
                            for (int i = 0; i < in->c; i++)
                                sum += *naive_at(in, b, iy, ix, i) *
                                       kernel[(((size_t)ky * kw + kx) * in->c + i) * out_c + o];
                        }
                    *naive_at(&out, b, oy, ox, o) = sum;
                }
    return out;
}

naive_tensor naive_depthwise(const naive_tensor *in, const float *kernel, int kh, int kw)
{
    int out_h, out_w, top, left;
    window(in->h, kh, 1, true, &out_h, &top);
    window(in->w, kw, 1, true, &out_w, &left);
    naive_tensor out = naive_tensor_make(in->n, out_h, out_w, in->c);
    for (int b = 0; b < in->n; b++)
        for (int oy = 0; oy < out_h; oy++)
            for (int ox = 0; ox < out_w; ox++)
                for (int ch = 0; ch < in->c; ch++) {
                    double sum = 0.0;
                    for (int ky = 0; ky < kh; ky++)
                        for (int kx = 0; kx < kw; kx++) {
                            int iy = oy - top + ky, ix = ox - left + kx;
                            if (iy >= 0 && iy < in->h && ix >= 0 && ix < in->w)
                                sum += *naive_at(in, b, iy, ix, ch) * kernel[((size_t)ky * kw + kx) * in->c + ch];
                        }
                    *naive_at(&out, b, oy, ox, ch) = sum;
                }
    return out;
}

/* Source coordinate of destination index d along one axis. */
static double resize_source(int d, int in, int out, bool align_corners)
{
    if (align_corners)
        return out > 1 ? (double)d * (in - 1) / (out - 1) : 0.0;
    return (double)d * in / out;
}

naive_tensor naive_resize(const naive_tensor *in, int out_h, int out_w, bool align_corners)
{
    naive_tensor out = naive_tensor_make(in->n, out_h, out_w, in->c);
    for (int y = 0; y < out_h; y++) {
        double sy = resize_source(y, in->h, out_h, align_corners);
        int y0 = (int)floor(sy), y1 = y0 + 1 < in->h ? y0 + 1 : in->h - 1;
        double fy = sy - y0;
        for (int x = 0; x < out_w; x++) {
            double sx = resize_source(x, in->w, out_w, align_corners);
            int x0 = (int)floor(sx), x1 = x0 + 1 < in->w ? x0 + 1 : in->w - 1;
            double fx = sx - x0;
            for (int b = 0; b < in->n; b++)
                for (int ch = 0; ch < in->c; ch++) {
                    double top = *naive_at(in, b, y0, x0, ch) * (1 - fx) + *naive_at(in, b, y0, x1, ch) * fx;
                    double bottom = *naive_at(in, b, y1, x0, ch) * (1 - fx) + *naive_at(in, b, y1, x1, ch) * fx;
                    *naive_at(&out, b, y, x, ch) = top * (1 - fy) + bottom * fy;
                }
        }
    }
    return out;
}

naive_tensor naive_maxpool(const naive_tensor *in, int kernel, int stride, bool same)
{
    int out_h, out_w, top, left;
    window(in->h, kernel, stride, same, &out_h, &top);
    window(in->w, kernel, stride, same, &out_w, &left);
    naive_tensor out = naive_tensor_make(in->n, out_h, out_w, in->c);
    for (int b = 0; b < in->n; b++)
        for (int oy = 0; oy < out_h; oy++)
            for (int ox = 0; ox < out_w; ox++)
                for (int ch = 0; ch < in->c; ch++) {
                    double best = -INFINITY;
                    for (int ky = 0; ky < kernel; ky++)
                        for (int kx = 0; kx < kernel; kx++) {
                            int iy = oy * stride - top + ky, ix = ox * stride - left + kx;
                            if (iy >= 0 && iy < in->h && ix >= 0 && ix < in->w && *naive_at(in, b, iy, ix, ch) > best)
                                best = *naive_at(in, b, iy, ix, ch);
                        }
                    *naive_at(&out, b, oy, ox, ch) = best;
                }
    return out;
}

naive_tensor naive_avgpool(const naive_tensor *in, int kernel, int stride, bool same)
{
    int out_h, out_w, top, left;
    window(in->h, kernel, stride, same, &out_h, &top);
    window(in->w, kernel, stride, same, &out_w, &left);
    naive_tensor out = naive_tensor_make(in->n, out_h, out_w, in->c);
    for (int b = 0; b < in->n; b++)
        for (int oy = 0; oy < out_h; oy++)
            for (int ox = 0; ox < out_w; ox++)
                for (int ch = 0; ch < in->c; ch++) {
                    double sum = 0.0;
                    int cells = 0;
                    for (int ky = 0; ky < kernel; ky++)
                        for (int kx = 0; kx < kernel; kx++) {
                            int iy = oy * stride - top + ky, ix = ox * stride - left + kx;
                            if (iy >= 0 && iy < in->h && ix >= 0 && ix < in->w) {
                                sum += *naive_at(in, b, iy, ix, ch);
                                cells++;
                            }
                        }
                    *naive_at(&out, b, oy, ox, ch) = sum / cells;
                }
    return out;
}

naive_tensor naive_global_avg_pool(const naive_tensor *in)
{
    naive_tensor out = naive_tensor_make(in->n, 1, 1, in->c);
    for (int b = 0; b < in->n; b++)
        for (int ch = 0; ch < in->c; ch++) {
            double sum = 0.0;
            for (int y = 0; y < in->h; y++)
                for (int x = 0; x < in->w; x++)
                    sum += *naive_at(in, b, y, x, ch);
            *naive_at(&out, b, 0, 0, ch) = sum / (in->h * in->w);
        }
    return out;
}

naive_tensor naive_fully_connected(const naive_tensor *in, const float *weight, const float *bias, int units)
{
    size_t features = (size_t)in->h * in->w * in->c;
    naive_tensor out = naive_tensor_make(in->n, 1, 1, units);
    for (int b = 0; b < in->n; b++)
        for (int u = 0; u < units; u++) {
            double sum = bias ? bias[u] : 0.0;
            for (size_t i = 0; i < features; i++)
                sum += in->data[(size_t)b * features + i] * weight[i * units + u];
            out.data[(size_t)b * units + u] = sum;
        }
    return out;
}

naive_tensor naive_concat(const naive_tensor *a, const naive_tensor *b)
{
    naive_tensor out = naive_tensor_make(a->n, a->h, a->w, a->c + b->c);
    for (int n = 0; n < a->n; n++)
        for (int y = 0; y < a->h; y++)
            for (int x = 0; x < a->w; x++) {
                for (int ch = 0; ch < a->c; ch++)
                    *naive_at(&out, n, y, x, ch) = *naive_at(a, n, y, x, ch);
                for (int ch = 0; ch < b->c; ch++)
                    *naive_at(&out, n, y, x, a->c + ch) = *naive_at(b, n, y, x, ch);
            }
    return out;
}

naive_tensor naive_channels(const naive_tensor *in, int first, int count)
{
    naive_tensor out = naive_tensor_make(in->n, in->h, in->w, count);
    for (int n = 0; n < in->n; n++)
        for (int y = 0; y < in->h; y++)
            for (int x = 0; x < in->w; x++)
                for (int ch = 0; ch < count; ch++)
                    *naive_at(&out, n, y, x, ch) = *naive_at(in, n, y, x, first + ch);
    return out;
}

void naive_layer_norm(naive_tensor *t, const float *gamma, const float *beta)
{
    size_t per_example = (size_t)t->h * t->w * t->c;
    for (int b = 0; b < t->n; b++) {
        double *v = t->data + (size_t)b * per_example;
        double mean = 0.0, variance = 0.0;
        for (size_t i = 0; i < per_example; i++)
            mean += v[i];
        mean /= (double)per_example;
        for (size_t i = 0; i < per_example; i++)
            variance += (v[i] - mean) * (v[i] - mean);
        variance /= (double)per_example;
        double scale = 1.0 / sqrt(variance + 1e-5);
        for (size_t i = 0; i < per_example; i++) {
            int ch = (int)(i % (size_t)t->c);
            v[i] = (v[i] - mean) * scale * gamma[ch] + beta[ch];
        }
    }
}

void naive_add(naive_tensor *a, const naive_tensor *b)
{
    for (size_t i = 0; i < naive_tensor_count(a); i++)
        a->data[i] += b->data[i];
}

/* ---- Comparison ---- */

static double relative_difference(double got, double want)
{
    double scale = fabs(want) > 1.0 ? fabs(want) : 1.0;
    return fabs(got - want) / scale;
}

static bool same_shape(const rtpu_tensor *got, const naive_tensor *want)
{
    return got->n == want->n && got->h == want->h && got->w == want->w && got->c == want->c;
}

bool naive_close(const rtpu_tensor *got, const naive_tensor *want, double tolerance, const char *what)
{
    if (!got || !same_shape(got, want)) {
        fprintf(stderr, "%s: shape [%d,%d,%d,%d], expected [%d,%d,%d,%d]\n", what, got ? got->n : -1,
                got ? got->h : -1, got ? got->w : -1, got ? got->c : -1, want->n, want->h, want->w, want->c);
        return false;
    }
    for (size_t i = 0; i < naive_tensor_count(want); i++)
        if (!(relative_difference(got->data[i], want->data[i]) <= tolerance)) {
            size_t ch = i % (size_t)want->c, x = i / want->c % want->w, y = i / want->c / want->w % want->h;
            size_t b = i / ((size_t)want->c * want->w * want->h);
            fprintf(stderr, "%s: element [%zu,%zu,%zu,%zu] is %.9g, expected %.9g\n", what, b, y, x, ch,
                    (double)got->data[i], want->data[i]);
            return false;
        }
    return true;
}

double naive_relative_error(const rtpu_tensor *got, const naive_tensor *want)
{
    double worst = 0.0;
    for (size_t i = 0; i < naive_tensor_count(want); i++) {
        double d = relative_difference(got->data[i], want->data[i]);
        if (d > worst || d != d)
            worst = d;
    }
    return worst;
}

double naive_max_difference(const naive_tensor *a, const naive_tensor *b)
{
    double worst = 0.0;
    for (size_t i = 0; i < naive_tensor_count(a); i++)
        if (fabs(a->data[i] - b->data[i]) > worst)
            worst = fabs(a->data[i] - b->data[i]);
    return worst;
}
