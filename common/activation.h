/* Pointwise nonlinearities shared by the graph IR (as names) and the kernels (as math).
 * elu(x) = x for x > 0, exp(x) - 1 otherwise (alpha = 1, as tf.nn.elu). */
#ifndef RTPU_COMMON_ACTIVATION_H
#define RTPU_COMMON_ACTIVATION_H

#include <stdbool.h>

typedef enum { ACT_NONE, ACT_ELU, ACT_RELU, ACT_SIGMOID, ACT_TANH } activation;

float activation_apply(activation act, float x);
const char *activation_name(activation act);
/* "none"/"identity", "elu", "relu", "sigmoid", "tanh"; false if unknown. */
bool activation_parse(const char *name, activation *out);

#endif
