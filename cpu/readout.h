/* Reading class predictions out of the readout node's logits over time
 * (docs/model-semantics.md section 1, "Decoders"):
 *   last      the logits at t = T-1;
 *   max_conf  each example's logits at its step of peak softmax confidence;
 *   thresh    the first step whose softmax maximum exceeds the threshold (0.9 by
 *             default); if no step does, the last step. */
#ifndef RTPU_CPU_READOUT_H
#define RTPU_CPU_READOUT_H

#include "cpu/cpu_ref.h"

/* Numerically stable softmax (max subtracted), in double, written as float. */
void readout_softmax(const float *logits, int count, float *probs);
/* Indices and values of the k largest entries, largest first; ties go to the lower index. */
void readout_top_k(const float *values, int count, int k, int *indices, float *top);

typedef struct decoded_class {
    int step;          /* the step whose logits decided */
    int class_index;
    float confidence;  /* softmax probability of class_index at that step */
} decoded_class;

/* Decodes example b from per-step logits: logits(t) points at count floats for step t. */
typedef const float *(*logits_at_fn)(const void *context, int step);
rtpu_status readout_decode(decoder_kind kind, float threshold, int steps, int count, logits_at_fn logits_at,
                           const void *context, decoded_class *out, rtpu_error *err);

const char *decoder_name(decoder_kind kind);

#endif
