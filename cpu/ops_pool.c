/* Pooling: windowed max-pool (the post-memory pool of the ConvRNN nodes) and the global
 * average pool of the readout.
 *
 * Max-pool follows TensorFlow's SAME semantics: cells in the padding are not candidates
 * at all (they are not zeros), so an all-negative window still yields its largest
 * negative value. Both loops keep the channel loop innermost, contiguous in NHWC. */
#include "cpu/ops.h"

#include <assert.h>
#include <math.h>

#include "cpu/ops_internal.h"

void op_maxpool(const rtpu_tensor *in, const conv_geom *g, rtpu_tensor *out)
{
    assert(in->h == g->in_h && in->w == g->in_w);
    assert(out->n == in->n && out->c == in->c && out->h == g->out_h && out->w == g->out_w);
    const int channels = in->c;

    for (int b = 0; b < in->n; b++)
        for (int out_y = 0; out_y < g->out_h; out_y++) {
            int y_first, y_end;
            window_taps_inside(out_y, g->stride, g->pad_top, g->kernel_h, in->h, &y_first, &y_end);
            int in_y0 = out_y * g->stride - g->pad_top;
            for (int out_x = 0; out_x < g->out_w; out_x++) {
                int x_first, x_end;
                window_taps_inside(out_x, g->stride, g->pad_left, g->kernel_w, in->w, &x_first,
                                   &x_end);
                int in_x0 = out_x * g->stride - g->pad_left;
                float *acc = tensor_at(out, b, out_y, out_x, 0);
                for (int ch = 0; ch < channels; ch++)
                    acc[ch] = -INFINITY;
                for (int ky = y_first; ky < y_end; ky++)
                    for (int kx = x_first; kx < x_end; kx++)
                        channels_max(acc, tensor_at(in, b, in_y0 + ky, in_x0 + kx, 0), channels);
            }
        }
}

/* Sums go through double in blocks of channels, so a 56x56 map loses no precision and
 * the accumulator lives on the stack (the op cannot fail on allocation). */
enum { AVG_POOL_CHANNEL_BLOCK = 256 };

void op_global_avg_pool(const rtpu_tensor *in, rtpu_tensor *out)
{
    assert(out->n == in->n && out->h == 1 && out->w == 1 && out->c == in->c);
    const size_t pixels = (size_t)in->h * (size_t)in->w;
    const size_t channels = (size_t)in->c;

    for (int b = 0; b < in->n; b++) {
        const float *image = tensor_at(in, b, 0, 0, 0);
        for (size_t first = 0; first < channels; first += AVG_POOL_CHANNEL_BLOCK) {
            size_t block = channels - first < AVG_POOL_CHANNEL_BLOCK ? channels - first
                                                                      : AVG_POOL_CHANNEL_BLOCK;
            double sum[AVG_POOL_CHANNEL_BLOCK] = {0};
            for (size_t p = 0; p < pixels; p++) {
                const float *x = image + p * channels + first;
                for (size_t ch = 0; ch < block; ch++)
                    sum[ch] += x[ch];
            }
            float *mean = tensor_at(out, b, 0, 0, (int)first);
            for (size_t ch = 0; ch < block; ch++)
                mean[ch] = (float)(sum[ch] / (double)pixels);
        }
    }
}
