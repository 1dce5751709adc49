/* fp32 kernels of the CPU reference, NHWC activations, HWIO kernels.
 *
 * GEMM-shaped work (full convolutions, 1x1 convolutions, fully connected layers) goes
 * through OpenBLAS cblas_sgemm; the rest are plain loops. Every op writes into an
 * output tensor the caller allocated with the right shape; ops that need scratch
 * memory allocate it and can fail with RTPU_ERR_NOMEM. Shapes are checked by the
 * caller (the compiler's shape inference) and asserted here only in debug builds. */
#ifndef RTPU_CPU_OPS_H
#define RTPU_CPU_OPS_H

#include <stdbool.h>

#include "common/activation.h"
#include "common/tensor.h"

/* Full 2-D convolution. kernel is [kernel_h][kernel_w][in->c][out->c] (HWIO);
 * bias (out->c floats) may be NULL. g describes in->h/w -> out->h/w; padded cells
 * read zero. With accumulate, adds into out instead of overwriting it. */
rtpu_status op_conv2d(const rtpu_tensor *in, const conv_geom *g, const float *kernel,
                      const float *bias, bool accumulate, rtpu_tensor *out, rtpu_error *err);

/* Default bound on op_conv2d's im2col scratch buffer, which is filled and consumed in
 * chunks of output pixels. Measured with bench/cpu/bench_conv: 8 MiB keeps sgemm's M
 * large enough on every median-model layer, while 32 MiB and more is several times
 * slower (glibc then maps fresh pages for each call and every page faults). */
#define OP_CONV2D_SCRATCH_BYTES ((size_t)8 << 20)

/* op_conv2d with an explicit scratch bound in bytes; at least one output pixel's im2col
 * row is always used, whatever the bound. op_conv2d passes OP_CONV2D_SCRATCH_BYTES. */
rtpu_status op_conv2d_scratch_limited(const rtpu_tensor *in, const conv_geom *g,
                                      const float *kernel, const float *bias, bool accumulate,
                                      size_t scratch_bytes, rtpu_tensor *out, rtpu_error *err);

/* Depthwise 2-D convolution, channel multiplier 1: kernel is [kernel_h][kernel_w][c];
 * out->c == in->c; bias may be NULL. Overwrites out. */
void op_depthwise_conv2d(const rtpu_tensor *in, const conv_geom *g, const float *kernel,
                         const float *bias, rtpu_tensor *out);

/* Max pooling over g's window; padded cells are ignored (TF SAME semantics). */
void op_maxpool(const rtpu_tensor *in, const conv_geom *g, rtpu_tensor *out);

/* Average pooling; padded cells are excluded from the average (TF SAME semantics). */
void op_avgpool(const rtpu_tensor *in, const conv_geom *g, rtpu_tensor *out);

/* Mean over H and W: out is [n,1,1,c]. */
void op_global_avg_pool(const rtpu_tensor *in, rtpu_tensor *out);

/* Fully connected: in is read as [n, h*w*c]; weight is [h*w*c][out->c]; bias may be NULL.
 * out is [n,1,1,units]. */
void op_fully_connected(const rtpu_tensor *in, const float *weight, const float *bias,
                        rtpu_tensor *out);

/* Bilinear resize with align_corners = true (corner pixels map to corner pixels):
 * source coordinate = out_index * (in_size - 1) / (out_size - 1), or 0 when out_size == 1.
 * out->n == in->n, out->c == in->c; out->h, out->w are the target size. */
void op_resize_bilinear(const rtpu_tensor *in, rtpu_tensor *out);

/* Writes channels of a then b into out (out->c == a->c + b->c, same n/h/w) at channel
 * offset: out[..., offset : offset + a->c] = a. Used to build channel concatenations. */
void op_copy_channels(const rtpu_tensor *src, rtpu_tensor *dst, int channel_offset);

/* Layer normalisation per example over all of H, W, C (TF contrib layer_norm):
 * y = (x - mean) / sqrt(var + eps) * gamma[c] + beta[c]; gamma/beta may be NULL
 * (then 1 and 0). In place. */
void op_layer_norm(rtpu_tensor *t, const float *gamma, const float *beta, float eps);

/* Elementwise, in place over count floats. */
void op_activate(float *x, size_t count, activation act);

#endif
