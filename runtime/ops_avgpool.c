/* Average pooling over a window; cells of the SAME padding are not counted, so a window
 * at the border averages only the input pixels it covers (as tf.nn.avg_pool). */
#include "runtime/ops.h"

void op_avgpool(const rtpu_tensor *in, const conv_geom *g, rtpu_tensor *out)
{
    for (int b = 0; b < in->n; b++)
        for (int oy = 0; oy < g->out_h; oy++)
            for (int ox = 0; ox < g->out_w; ox++) {
                float *dst = tensor_at(out, b, oy, ox, 0);
                for (int c = 0; c < in->c; c++)
                    dst[c] = 0.0f;
                int covered = 0;
                for (int ky = 0; ky < g->kernel_h; ky++) {
                    int y = oy * g->stride - g->pad_top + ky;
                    if (y < 0 || y >= in->h)
                        continue;
                    for (int kx = 0; kx < g->kernel_w; kx++) {
                        int x = ox * g->stride - g->pad_left + kx;
                        if (x < 0 || x >= in->w)
                            continue;
                        const float *src = tensor_at(in, b, y, x, 0);
                        for (int c = 0; c < in->c; c++)
                            dst[c] += src[c];
                        covered++;
                    }
                }
                float scale = covered ? 1.0f / (float)covered : 0.0f;
                for (int c = 0; c < in->c; c++)
                    dst[c] *= scale;
            }
}
