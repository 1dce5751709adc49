/* Scalar nonlinearities (see common/activation.h). */
#include "common/activation.h"

#include <math.h>
#include <string.h>

float activation_apply(activation act, float x)
{
    switch (act) {
    case ACT_NONE: return x;
    case ACT_ELU: return x > 0.0f ? x : expm1f(x);
    case ACT_RELU: return x > 0.0f ? x : 0.0f;
    case ACT_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case ACT_TANH: return tanhf(x);
    }
    return x;
}

const char *activation_name(activation act)
{
    switch (act) {
    case ACT_NONE: return "none";
    case ACT_ELU: return "elu";
    case ACT_RELU: return "relu";
    case ACT_SIGMOID: return "sigmoid";
    case ACT_TANH: return "tanh";
    }
    return "?";
}

bool activation_parse(const char *name, activation *out)
{
    static const struct { const char *name; activation act; } table[] = {
        {"none", ACT_NONE}, {"identity", ACT_NONE}, {"elu", ACT_ELU},
        {"relu", ACT_RELU}, {"sigmoid", ACT_SIGMOID}, {"tanh", ACT_TANH},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(name, table[i].name)) {
            *out = table[i].act;
            return true;
        }
    return false;
}
