/* Fully connected layer (the 11-layer models' fc 512 -> 1000 readout) as one sgemm.
 *
 * An NHWC tensor read as [n, h*w*c] is already a row-major matrix, so the layer is
 * out[n, units] = in[n, h*w*c] x weight[h*w*c, units] with no copying. The bias is put
 * into out first and sgemm adds onto it (beta = 1), saving a pass over the output. */
#include "cpu/ops.h"

#include <assert.h>
#include <cblas.h>
#include <limits.h>
#include <string.h>

void op_fully_connected(const rtpu_tensor *in, const float *weight, const float *bias,
                        rtpu_tensor *out)
{
    const size_t features = (size_t)in->h * (size_t)in->w * (size_t)in->c;
    assert(out->n == in->n && out->h == 1 && out->w == 1);
    assert(features <= INT_MAX);
    const int units = out->c;
    float beta = 0.0f;
    if (bias) {
        for (int b = 0; b < in->n; b++)
            memcpy(tensor_at(out, b, 0, 0, 0), bias, (size_t)units * sizeof *bias);
        beta = 1.0f;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, in->n, units, (int)features, 1.0f,
                in->data, (int)features, weight, units, beta, out->data, units);
}
