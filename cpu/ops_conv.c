/* Full 2-D convolution as im2col + one OpenBLAS sgemm per chunk of output pixels.
 *
 * This is the hot path of the CPU reference (about 4 GMAC per time step of the median
 * model), so almost all the time must be spent inside sgemm:
 *
 *   - 1x1 kernels with stride 1 need no im2col at all: an NHWC tensor already is the
 *     row-major matrix [n*h*w, c], so sgemm reads the input directly.
 *   - Otherwise each output pixel gets one im2col row holding its receptive field in
 *     (kernel_y, kernel_x, in_channel) order, which makes the HWIO kernel the row-major
 *     matrix [kernel_h*kernel_w*in_c, out_c] as it is stored. Within one kernel row the
 *     taps are neighbouring input pixels, so each (pixel, kernel_y) pair is one memcpy of
 *     kernel_w*in_c floats with zeros for the padded taps at either end.
 *   - The im2col matrix is built and multiplied a chunk of output pixels at a time, so
 *     scratch memory stays bounded and a chunk is still in cache when sgemm reads it. */
#include "cpu/ops.h"

#include <cblas.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/ops_internal.h"

/* Writes the im2col rows of output pixels [first_pixel, first_pixel + pixel_count),
 * pixels numbered in NHWC order over (batch, out_y, out_x). The pixel coordinates are
 * stepped, not divided out per pixel: at 3 channels (the first layer) the divisions
 * would cost as much as the copying. */
static void im2col_rows(const rtpu_tensor *in, const conv_geom *g, size_t first_pixel,
                        size_t pixel_count, float *cols)
{
    const size_t channels = (size_t)in->c;
    const size_t kernel_row_floats = (size_t)g->kernel_w * channels;
    const size_t row_floats = (size_t)g->kernel_h * kernel_row_floats;
    const size_t pixels_per_image = (size_t)g->out_h * (size_t)g->out_w;
    int batch = (int)(first_pixel / pixels_per_image);
    int out_y = (int)(first_pixel % pixels_per_image / (size_t)g->out_w);
    int out_x = (int)(first_pixel % (size_t)g->out_w);

    for (size_t p = 0; p < pixel_count; p++) {
        int y_first, y_end, x_first, x_end;
        window_taps_inside(out_y, g->stride, g->pad_top, g->kernel_h, in->h, &y_first, &y_end);
        window_taps_inside(out_x, g->stride, g->pad_left, g->kernel_w, in->w, &x_first, &x_end);
        const size_t left = (size_t)x_first * channels;
        const size_t inside = (size_t)(x_end - x_first) * channels;
        const size_t right = kernel_row_floats - left - inside;
        const bool any_inside = inside && y_first < y_end;
        const float *source =
            any_inside ? tensor_at(in, batch, out_y * g->stride - g->pad_top + y_first,
                                   out_x * g->stride - g->pad_left + x_first, 0)
                       : NULL;
        const size_t source_row_floats = (size_t)in->w * channels;

        float *segment = cols + p * row_floats;
        for (int ky = 0; ky < g->kernel_h; ky++, segment += kernel_row_floats) {
            if (!any_inside || ky < y_first || ky >= y_end) {
                memset(segment, 0, kernel_row_floats * sizeof *segment);
                continue;
            }
            /* Zero only what is padding: most pixels have none, and calls cost. */
            if (left)
                memset(segment, 0, left * sizeof *segment);
            memcpy(segment + left, source + (size_t)(ky - y_first) * source_row_floats,
                   inside * sizeof *segment);
            if (right)
                memset(segment + left + inside, 0, right * sizeof *segment);
        }
        if (++out_x == g->out_w) {
            out_x = 0;
            if (++out_y == g->out_h) {
                out_y = 0;
                batch++;
            }
        }
    }
}

/* Puts the bias into rows of the output before sgemm adds the products (so the bias
 * costs no separate pass over memory) and returns the beta sgemm must use: 1 when out
 * already holds something to keep (a bias, or the accumulated sum), else 0. */
static float prepare_output_rows(float *out_rows, size_t rows, int channels, const float *bias,
                                 bool accumulate)
{
    if (!bias)
        return accumulate ? 1.0f : 0.0f;
    for (size_t r = 0; r < rows; r++) {
        float *row = out_rows + r * (size_t)channels;
        if (accumulate)
            channels_add(row, bias, channels);
        else
            memcpy(row, bias, (size_t)channels * sizeof *row);
    }
    return 1.0f;
}

static rtpu_status check_conv_shapes(const rtpu_tensor *in, const conv_geom *g,
                                     const float *kernel, const rtpu_tensor *out,
                                     rtpu_error *err)
{
    if (!in || !g || !kernel || !out || !in->data || !out->data)
        return rtpu_fail(err, RTPU_ERR_INVALID,
                         "op_conv2d: input, geometry, kernel and output must all be given");
    if (g->kernel_h <= 0 || g->kernel_w <= 0 || g->stride <= 0)
        return rtpu_fail(err, RTPU_ERR_INVALID,
                         "op_conv2d: kernel %dx%d stride %d: sizes must be positive", g->kernel_h,
                         g->kernel_w, g->stride);
    if (g->in_h != in->h || g->in_w != in->w)
        return rtpu_fail(err, RTPU_ERR_SHAPE,
                         "op_conv2d: input [%d,%d,%d,%d] does not match the geometry's %dx%d input",
                         in->n, in->h, in->w, in->c, g->in_h, g->in_w);
    if (out->n != in->n || out->h != g->out_h || out->w != g->out_w)
        return rtpu_fail(err, RTPU_ERR_SHAPE,
                         "op_conv2d: output [%d,%d,%d,%d] should be [%d,%d,%d,%d] for input "
                         "[%d,%d,%d,%d]",
                         out->n, out->h, out->w, out->c, in->n, g->out_h, g->out_w, out->c, in->n,
                         in->h, in->w, in->c);
    size_t depth = (size_t)g->kernel_h * (size_t)g->kernel_w * (size_t)in->c;
    if (depth > INT_MAX)
        return rtpu_fail(err, RTPU_ERR_NOMEM,
                         "op_conv2d: kernel %dx%dx%d is absurdly large for one GEMM", g->kernel_h,
                         g->kernel_w, in->c);
    return RTPU_OK;
}

rtpu_status op_conv2d_scratch_limited(const rtpu_tensor *in, const conv_geom *g,
                                      const float *kernel, const float *bias, bool accumulate,
                                      size_t scratch_bytes, rtpu_tensor *out, rtpu_error *err)
{
    rtpu_status status = check_conv_shapes(in, g, kernel, out, err);
    if (status != RTPU_OK)
        return status;

    /* GEMM: out[pixels, out_c] (+)= cols[pixels, depth] x kernel[depth, out_c]. */
    const size_t pixels = (size_t)in->n * (size_t)g->out_h * (size_t)g->out_w;
    const int depth = g->kernel_h * g->kernel_w * in->c;
    const size_t row_bytes = (size_t)depth * sizeof(float);
    const bool direct = g->kernel_h == 1 && g->kernel_w == 1 && g->stride == 1 &&
                        g->pad_top == 0 && g->pad_left == 0 && g->out_h == in->h &&
                        g->out_w == in->w;

    size_t chunk_pixels = direct ? pixels : scratch_bytes / row_bytes;
    if (chunk_pixels < 1)
        chunk_pixels = 1;
    if (chunk_pixels > pixels)
        chunk_pixels = pixels;
    if (chunk_pixels > INT_MAX) /* sgemm takes int sizes */
        chunk_pixels = INT_MAX;

    float *cols = NULL;
    if (!direct) {
        cols = malloc(chunk_pixels * row_bytes);
        if (!cols)
            return rtpu_fail(err, RTPU_ERR_NOMEM,
                             "op_conv2d: cannot allocate %zu bytes of im2col scratch",
                             chunk_pixels * row_bytes);
    }

    for (size_t first = 0; first < pixels; first += chunk_pixels) {
        size_t rows = pixels - first < chunk_pixels ? pixels - first : chunk_pixels;
        const float *a;
        if (direct) {
            a = in->data + first * (size_t)in->c;
        } else {
            im2col_rows(in, g, first, rows, cols);
            a = cols;
        }
        float *c = out->data + first * (size_t)out->c;
        float beta = prepare_output_rows(c, rows, out->c, bias, accumulate);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, out->c, depth, 1.0f, a,
                    depth, kernel, out->c, beta, c, out->c);
    }
    free(cols);
    return RTPU_OK;
}

rtpu_status op_conv2d(const rtpu_tensor *in, const conv_geom *g, const float *kernel,
                      const float *bias, bool accumulate, rtpu_tensor *out, rtpu_error *err)
{
    return op_conv2d_scratch_limited(in, g, kernel, bias, accumulate, OP_CONV2D_SCRATCH_BYTES, out,
                                     err);
}
