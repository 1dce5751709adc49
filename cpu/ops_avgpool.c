/* Average pooling over a window; cells of the SAME padding are not counted, so a window
 * at the border averages only the input pixels it covers (as tf.nn.avg_pool). */
#include <assert.h>

#include "cpu/ops.h"
#include "cpu/ops_internal.h"

void op_avgpool(const rtpu_tensor *in, const conv_geom *g, rtpu_tensor *out)
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
                window_taps_inside(out_x, g->stride, g->pad_left, g->kernel_w, in->w, &x_first, &x_end);
                int in_x0 = out_x * g->stride - g->pad_left;
                float *acc = tensor_at(out, b, out_y, out_x, 0);
                for (int ch = 0; ch < channels; ch++)
                    acc[ch] = 0.0f;
                for (int ky = y_first; ky < y_end; ky++)
                    for (int kx = x_first; kx < x_end; kx++)
                        channels_add(acc, tensor_at(in, b, in_y0 + ky, in_x0 + kx, 0), channels);
                int covered = (y_end - y_first) * (x_end - x_first);
                float scale = covered > 0 ? 1.0f / (float)covered : 0.0f;
                for (int ch = 0; ch < channels; ch++)
                    acc[ch] *= scale;
            }
        }
}
