/* Depthwise 2-D convolution (channel multiplier 1), the "DS" half of the RGC cell's
 * depth-separable convolutions.
 *
 * Each channel has its own kernel, so there is no GEMM to hand to BLAS. In NHWC both an
 * input pixel and a kernel tap are contiguous runs of channels, so the loop nest visits
 * output pixel, then the kernel taps that fall inside the input, and puts the channel loop
 * innermost where it vectorises. Taps in the padding are skipped rather than read as
 * zero; that also covers kernels clamped to the whole input (7x7 on a 7x7 map). */
#include "cpu/ops.h"

#include <assert.h>
#include <string.h>

#include "cpu/ops_internal.h"

void op_depthwise_conv2d(const rtpu_tensor *in, const conv_geom *g, const float *kernel,
                         const float *bias, rtpu_tensor *out)
{
    assert(in->h == g->in_h && in->w == g->in_w);
    assert(out->n == in->n && out->c == in->c && out->h == g->out_h && out->w == g->out_w);
    const int channels = in->c;
    const size_t tap_stride = (size_t)channels;

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
                if (bias)
                    memcpy(acc, bias, (size_t)channels * sizeof *acc);
                else
                    memset(acc, 0, (size_t)channels * sizeof *acc);
                for (int ky = y_first; ky < y_end; ky++)
                    for (int kx = x_first; kx < x_end; kx++) {
                        const float *x = tensor_at(in, b, in_y0 + ky, in_x0 + kx, 0);
                        const float *k = kernel + ((size_t)ky * g->kernel_w + kx) * tap_stride;
                        channels_multiply_add(acc, x, k, channels);
                    }
            }
        }
}
