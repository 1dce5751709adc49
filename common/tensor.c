/* rtpu_tensor allocation and window geometry (see common/tensor.h). */
#include "common/tensor.h"

#include <stdint.h>
#include <stdlib.h>

/* 2^31 floats (8 GiB) is far beyond any model here; larger means a corrupt size. */
#define TENSOR_MAX_ELEMENTS ((size_t)1 << 31)

rtpu_status tensor_create(rtpu_tensor *t, int n, int h, int w, int c, rtpu_error *err)
{
    *t = (rtpu_tensor){0};
    if (n <= 0 || h <= 0 || w <= 0 || c <= 0)
        return rtpu_fail(err, RTPU_ERR_SHAPE, "tensor shape [%d,%d,%d,%d] has a non-positive dimension",
                         n, h, w, c);
    size_t count = (size_t)n;
    const int dims[3] = {h, w, c};
    for (int i = 0; i < 3; i++) {
        if (count > TENSOR_MAX_ELEMENTS / (size_t)dims[i])
            return rtpu_fail(err, RTPU_ERR_NOMEM, "tensor shape [%d,%d,%d,%d] is absurdly large", n, h,
                             w, c);
        count *= (size_t)dims[i];
    }
    float *data = calloc(count, sizeof *data);
    if (!data)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "cannot allocate tensor [%d,%d,%d,%d]", n, h, w, c);
    *t = (rtpu_tensor){.n = n, .h = h, .w = w, .c = c, .data = data};
    return RTPU_OK;
}

void tensor_destroy(rtpu_tensor *t)
{
    if (!t)
        return;
    free(t->data);
    *t = (rtpu_tensor){0};
}

size_t tensor_count(const rtpu_tensor *t)
{
    return (size_t)t->n * (size_t)t->h * (size_t)t->w * (size_t)t->c;
}

bool tensor_same_shape(const rtpu_tensor *a, const rtpu_tensor *b)
{
    return a->n == b->n && a->h == b->h && a->w == b->w && a->c == b->c;
}

bool conv_geom_make(conv_geom *g, int in_h, int in_w, int kernel_h, int kernel_w, int stride,
                    padding_mode padding)
{
    *g = (conv_geom){0};
    if (in_h <= 0 || in_w <= 0 || kernel_h <= 0 || kernel_w <= 0 || stride <= 0)
        return false;
    g->in_h = in_h;
    g->in_w = in_w;
    g->kernel_h = kernel_h;
    g->kernel_w = kernel_w;
    g->stride = stride;
    if (padding == PADDING_SAME) {
        g->out_h = (in_h + stride - 1) / stride;
        g->out_w = (in_w + stride - 1) / stride;
        int pad_h = (g->out_h - 1) * stride + kernel_h - in_h;
        int pad_w = (g->out_w - 1) * stride + kernel_w - in_w;
        g->pad_top = pad_h > 0 ? pad_h / 2 : 0;
        g->pad_left = pad_w > 0 ? pad_w / 2 : 0;
    } else {
        if (kernel_h > in_h || kernel_w > in_w)
            return false;
        g->out_h = (in_h - kernel_h) / stride + 1;
        g->out_w = (in_w - kernel_w) / stride + 1;
    }
    return true;
}
