/* Softmax, top-k and the decoders (see readout.h). */
#include "cpu/readout.h"

#include <math.h>
#include <stdlib.h>

void readout_softmax_beta(const float *logits, int count, float beta, float *probs)
{
    double max = logits[0], sum = 0.0;
    for (int i = 1; i < count; i++)
        if (logits[i] > max)
            max = logits[i];
    for (int i = 0; i < count; i++)
        sum += exp(beta * ((double)logits[i] - max));
    for (int i = 0; i < count; i++)
        probs[i] = (float)(exp(beta * ((double)logits[i] - max)) / sum);
}

void readout_softmax(const float *logits, int count, float *probs) { readout_softmax_beta(logits, count, 1.0f, probs); }

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
    static const char *const names[] = {"last", "max_conf", "thresh", "tmaxconf", "dthresh"};
    return names[kind];
}

rtpu_status readout_check_window(const decoder_spec *d, int steps, rtpu_error *err)
{
    int start, end;
    if (decoder_window(d, steps, &start, &end))
        return RTPU_OK;
    if (end > steps)
        return rtpu_fail(err, RTPU_ERR_INVALID, "the %s decoder's window [%d, %d) goes past a run of %d steps",
                         decoder_name(d->kind), start, end, steps);
    return rtpu_fail(err, RTPU_ERR_INVALID, "the %s decoder's window starts at step %d, past a run of %d steps",
                     decoder_name(d->kind), start, steps);
}

/* The step each decoder chooses. Confidences are compared as the floats readout_softmax
 * writes, the zoo's float32: strictly greater for max_conf, tmaxconf (the earliest step wins
 * ties, as tf.argmax) and thresh, at least the threshold for dthresh. */
static int choose_step(const decoder_spec *d, int start, int end, int count, logits_at_fn logits_at,
                       const void *context, float *probs)
{
    if (d->kind == DECODER_LAST)
        return end - 1;
    bool zoo = d->kind == DECODER_TMAXCONF || d->kind == DECODER_DTHRESH;
    int most_confident = end - 1; /* kept only if no confidence compares (NaN logits) */
    float best_conf = -1.0f;
    for (int t = start; t < end; t++) {
        readout_softmax_beta(logits_at(context, t), count, zoo ? d->beta : 1.0f, probs);
        int index;
        float conf;
        readout_top_k(probs, count, 1, &index, &conf);
        if (d->kind == DECODER_THRESH && conf > d->threshold)
            return t;
        if (d->kind == DECODER_DTHRESH && conf >= d->threshold)
            return t;
        if (conf > best_conf) {
            best_conf = conf;
            most_confident = t;
        }
    }
    /* thresh falls back to the last step, dthresh (the zoo's max_idxs) to the most confident. */
    return d->kind == DECODER_THRESH ? end - 1 : most_confident;
}

rtpu_status readout_decode(const decoder_spec *d, int steps, int count, logits_at_fn logits_at, const void *context,
                           decoded_class *out, rtpu_error *err)
{
    rtpu_status s = readout_check_window(d, steps, err);
    if (s)
        return s;
    float *probs = malloc((size_t)count * sizeof *probs);
    if (!probs)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory decoding the readout");
    int start, end;
    decoder_window(d, steps, &start, &end);
    int chosen = choose_step(d, start, end, count, logits_at, context, probs);
    readout_softmax(logits_at(context, chosen), count, probs);
    out->step = chosen;
    readout_top_k(probs, count, 1, &out->class_index, &out->confidence);
    free(probs);
    return RTPU_OK;
}
