/* Softmax, top-k and the three decoders (see readout.h). */
#include "cpu/readout.h"

#include <math.h>
#include <stdlib.h>

void readout_softmax(const float *logits, int count, float *probs)
{
    double max = logits[0], sum = 0.0;
    for (int i = 1; i < count; i++)
        if (logits[i] > max)
            max = logits[i];
    for (int i = 0; i < count; i++)
        sum += exp((double)logits[i] - max);
    for (int i = 0; i < count; i++)
        probs[i] = (float)(exp((double)logits[i] - max) / sum);
}

void readout_top_k(const float *values, int count, int k, int *indices, float *top)
{
    if (k > count)
        k = count;
    for (int j = 0; j < k; j++) {
        int best = -1;
        for (int i = 0; i < count; i++) {
            bool taken = false;
            for (int m = 0; m < j && !taken; m++)
                taken = indices[m] == i;
            if (!taken && (best < 0 || values[i] > values[best]))
                best = i;
        }
        indices[j] = best;
        top[j] = values[best];
    }
}

const char *decoder_name(decoder_kind kind)
{
    static const char *const names[] = {"last", "max_conf", "thresh"};
    return names[kind];
}

rtpu_status readout_decode(decoder_kind kind, float threshold, int steps, int count, logits_at_fn logits_at,
                           const void *context, decoded_class *out, rtpu_error *err)
{
    float *probs = malloc((size_t)count * sizeof *probs);
    if (!probs)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory decoding the readout");
    int chosen = steps - 1;
    float best_conf = -1.0f;
    for (int t = 0; t < steps && kind != DECODER_LAST; t++) {
        readout_softmax(logits_at(context, t), count, probs);
        int index;
        float conf;
        readout_top_k(probs, count, 1, &index, &conf);
        if (kind == DECODER_MAX_CONF && conf > best_conf) {
            best_conf = conf;
            chosen = t;
        }
        if (kind == DECODER_THRESH && conf > threshold) {
            chosen = t;
            break;
        }
    }
    readout_softmax(logits_at(context, chosen), count, probs);
    out->step = chosen;
    readout_top_k(probs, count, 1, &out->class_index, &out->confidence);
    free(probs);
    return RTPU_OK;
}
