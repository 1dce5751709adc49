/* Bilinear resize with align_corners = true: how a ConvRNN harbor brings every feedback
 * input to the receiving node's spatial size.
 *
 * Output index i maps to source coordinate i * (in_size - 1) / (out_size - 1), so the
 * corner pixels map exactly to the corner pixels. The coordinate is split into its
 * integer and fractional parts with integer arithmetic (i * (in_size - 1) divided by
 * out_size - 1), so grid points that coincide with source pixels are hit exactly, not up
 * to rounding. Interpolation is TensorFlow's: across x on the upper and lower source rows,
 * then across y. */
#include "cpu/ops.h"

#include <assert.h>
#include <string.h>

/* One axis of the mapping: the two source indices and the weight of the second. */
typedef struct {
    int lower, upper;
    float fraction;
} source_position;

static source_position source_position_of(int out_index, int in_size, int out_size)
{
    if (out_size == 1)
        return (source_position){0, 0, 0.0f};
    long long numerator = (long long)out_index * (in_size - 1);
    long long denominator = out_size - 1;
    int lower = (int)(numerator / denominator);
    int upper = lower + 1 < in_size ? lower + 1 : in_size - 1;
    float fraction = (float)((double)(numerator % denominator) / (double)denominator);
    return (source_position){lower, upper, fraction};
}

/* out[i] = top + (bottom - top) * fy with top, bottom interpolated across x by fx. */
static void blend_channels(float *restrict out, const float *restrict top_left,
                           const float *restrict top_right, const float *restrict bottom_left,
                           const float *restrict bottom_right, float fx, float fy, int count)
{
    int i = 0;
    for (; i + 8 <= count; i += 8)
        for (int j = 0; j < 8; j++) {
            float top = top_left[i + j] + (top_right[i + j] - top_left[i + j]) * fx;
            float bottom = bottom_left[i + j] + (bottom_right[i + j] - bottom_left[i + j]) * fx;
            out[i + j] = top + (bottom - top) * fy;
        }
    for (; i < count; i++) {
        float top = top_left[i] + (top_right[i] - top_left[i]) * fx;
        float bottom = bottom_left[i] + (bottom_right[i] - bottom_left[i]) * fx;
        out[i] = top + (bottom - top) * fy;
    }
}

void op_resize_bilinear(const rtpu_tensor *in, rtpu_tensor *out)
{
    assert(out->n == in->n && out->c == in->c);
    if (out->h == in->h && out->w == in->w) {
        memcpy(out->data, in->data, tensor_count(in) * sizeof *out->data);
        return;
    }
    for (int b = 0; b < in->n; b++)
        for (int out_y = 0; out_y < out->h; out_y++) {
            source_position y = source_position_of(out_y, in->h, out->h);
            for (int out_x = 0; out_x < out->w; out_x++) {
                source_position x = source_position_of(out_x, in->w, out->w);
                blend_channels(tensor_at(out, b, out_y, out_x, 0),
                               tensor_at(in, b, y.lower, x.lower, 0),
                               tensor_at(in, b, y.lower, x.upper, 0),
                               tensor_at(in, b, y.upper, x.lower, 0),
                               tensor_at(in, b, y.upper, x.upper, 0), x.fraction, y.fraction,
                               in->c);
            }
        }
}
