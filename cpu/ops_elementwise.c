/* Elementwise kernels: activations in place, and copying a tensor into a channel range of
 * a wider one (how a harbor concatenates its feedforward and feedback inputs).
 *
 * op_activate computes exactly what activation_apply() computes, with the switch hoisted
 * out of the loop so the cheap cases (none, relu) run as plain vectorisable loops. */
#include "cpu/ops.h"

#include <assert.h>
#include <math.h>
#include <string.h>

void op_activate(float *x, size_t count, activation act)
{
    switch (act) {
    case ACT_NONE:
        return;
    case ACT_RELU:
        for (size_t i = 0; i < count; i++)
            x[i] = x[i] > 0.0f ? x[i] : 0.0f;
        return;
    case ACT_ELU:
    case ACT_SIGMOID:
    case ACT_TANH:
        break;
    }
    for (size_t i = 0; i < count; i++)
        x[i] = activation_apply(act, x[i]);
}

void op_copy_channels(const rtpu_tensor *src, rtpu_tensor *dst, int channel_offset)
{
    assert(src->n == dst->n && src->h == dst->h && src->w == dst->w);
    assert(channel_offset >= 0 && channel_offset + src->c <= dst->c);
    const size_t pixels = (size_t)src->n * (size_t)src->h * (size_t)src->w;
    const size_t src_c = (size_t)src->c;
    const size_t dst_c = (size_t)dst->c;
    if (src_c == dst_c) {
        memcpy(dst->data, src->data, pixels * src_c * sizeof *dst->data);
        return;
    }
    for (size_t p = 0; p < pixels; p++)
        memcpy(dst->data + p * dst_c + (size_t)channel_offset, src->data + p * src_c,
               src_c * sizeof *dst->data);
}
