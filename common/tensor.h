/* The fp32 activation tensor used by the CPU reference and by every file format.
 *
 * Layout is NHWC (batch, height, width, channels), matching the released models;
 * kernels elsewhere are HWIO. A tensor owns its data; create/destroy are a pair. */
#ifndef RTPU_COMMON_TENSOR_H
#define RTPU_COMMON_TENSOR_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

typedef struct rtpu_tensor {
    int n, h, w, c;
    float *data; /* n*h*w*c floats, or NULL for an empty tensor */
} rtpu_tensor;

/* Allocates a zero-filled tensor. Fails (RTPU_ERR_NOMEM) on absurd or unallocatable sizes. */
rtpu_status tensor_create(rtpu_tensor *t, int n, int h, int w, int c, rtpu_error *err);
void tensor_destroy(rtpu_tensor *t);
size_t tensor_count(const rtpu_tensor *t);
bool tensor_same_shape(const rtpu_tensor *a, const rtpu_tensor *b);
/* Element (b, y, x, ch); no bounds check. */
static inline float *tensor_at(const rtpu_tensor *t, int b, int y, int x, int ch)
{
    return t->data + ((((size_t)b * t->h + y) * t->w + x) * t->c + ch);
}

/* Geometry of one 2-D window operation (convolution or pooling), TF conventions.
 * SAME: out = ceil(in / stride), total padding max((out-1)*stride + k - in, 0),
 * of which the top/left side gets the floor half. VALID: out = (in - k) / stride + 1. */
typedef struct conv_geom {
    int in_h, in_w;
    int kernel_h, kernel_w;
    int stride;
    int pad_top, pad_left;
    int out_h, out_w;
} conv_geom;

typedef enum { PADDING_SAME, PADDING_VALID } padding_mode;

/* Returns false when the window does not fit (VALID with kernel > input, or zero sizes). */
bool conv_geom_make(conv_geom *g, int in_h, int in_w, int kernel_h, int kernel_w, int stride,
                    padding_mode padding);

#endif
