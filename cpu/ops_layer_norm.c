/* Layer normalisation over one whole example (H, W and C together), as TF contrib's
 * layer_norm used by the LSTM variant of the shallow model:
 *   y = (x - mean) / sqrt(var + eps) * gamma[c] + beta[c].
 *
 * Mean and variance are taken in double and in two passes (mean first, then the squared
 * deviations), which stays accurate when the mean is large next to the spread, where the
 * one-pass E[x^2] - E[x]^2 in float would cancel catastrophically. */
#include "cpu/ops.h"

#include <math.h>

void op_layer_norm(rtpu_tensor *t, const float *gamma, const float *beta, float eps)
{
    const size_t pixels = (size_t)t->h * (size_t)t->w;
    const size_t channels = (size_t)t->c;
    const size_t count = pixels * channels;

    for (int b = 0; b < t->n; b++) {
        float *x = tensor_at(t, b, 0, 0, 0);
        double sum = 0.0;
        for (size_t i = 0; i < count; i++)
            sum += x[i];
        double mean = sum / (double)count;
        double squares = 0.0;
        for (size_t i = 0; i < count; i++) {
            double deviation = x[i] - mean;
            squares += deviation * deviation;
        }
        double inv_std = 1.0 / sqrt(squares / (double)count + (double)eps);

        for (size_t p = 0; p < pixels; p++) {
            float *pixel = x + p * channels;
            for (size_t ch = 0; ch < channels; ch++) {
                double y = (pixel[ch] - mean) * inv_std;
                if (gamma)
                    y *= gamma[ch];
                if (beta)
                    y += beta[ch];
                pixel[ch] = (float)y;
            }
        }
    }
}
