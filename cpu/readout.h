/* Reading class predictions out of the readout node's logits over time
 * (docs/model-semantics.md section 1.9, "Decoders"):
 *   last      the logits at t = T-1;
 *   max_conf  each example's logits at its step of peak softmax confidence;
 *   thresh    the first step whose softmax maximum exceeds the threshold (0.9 by
 *             default); if no step does, the last step;
 * and the model zoo's two (convrnns/utils/decoders.py), over the window [start, end):
 *   tmaxconf  max_confidence_decoder: the step of peak confidence of softmax(beta * logits);
 *   dthresh   threshold_decoder: the first step whose softmax(beta * logits) maximum is at
 *             least the threshold; if none is, the window's most confident step. */
#ifndef RTPU_CPU_READOUT_H
#define RTPU_CPU_READOUT_H

#include "cpu/cpu_ref.h"

/* Numerically stable softmax (max subtracted), in double, written as float. */
void readout_softmax(const float *logits, int count, float *probs);
/* softmax(beta * logits) as the zoo's decoders compute it, exp(beta (l - max)) / sum, for
 * beta >= 0; beta 1 is readout_softmax. */
void readout_softmax_beta(const float *logits, int count, float beta, float *probs);
/* Indices and values of the k largest entries, largest first; ties go to the lower index. */
void readout_top_k(const float *values, int count, int k, int *indices, float *top);

typedef struct decoded_class {
    int step;          /* the step whose logits decided */
    int class_index;   /* top-1 of the softmax at that step (the lower index on ties) */
    float confidence;  /* softmax probability of class_index at that step (beta 1) */
} decoded_class;

/* Fails, naming the decoder and its window, when the decoder's window does not fit a run
 * of `steps` steps (decoder_window). */
rtpu_status readout_check_window(const decoder_spec *d, int steps, rtpu_error *err);

/* Decodes example b from per-step logits: logits(t) points at count floats for step t. */
typedef const float *(*logits_at_fn)(const void *context, int step);
rtpu_status readout_decode(const decoder_spec *d, int steps, int count, logits_at_fn logits_at, const void *context,
                           decoded_class *out, rtpu_error *err);

const char *decoder_name(decoder_kind kind);

#endif
