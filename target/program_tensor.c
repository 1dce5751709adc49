/* A tensor-map entry's bytes <-> real values. Tensors live in DRAM in a blocked layout
 * (program.h): channel blocks of t->block, each an (n, h, w, block) array of int8 or
 * little-endian int32. Both backends (sim/sim_tensor.c, rtl/rtl_tensor.c) convert through
 * these two functions, so --input and --dump mean the same bytes on either. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "target/intmath.h"
#include "target/program.h"

/* Byte offset of element (b, y, x, ch) from the tensor's base. */
static uint64_t element_offset(const program_tensor *t, uint64_t b, uint64_t y, uint64_t x, uint64_t ch)
{
    uint64_t blocks = (t->shape[3] + t->block - 1) / t->block;
    uint64_t index = (((b * blocks + ch / t->block) * t->shape[1] + y) * t->shape[2] + x) * t->block + ch % t->block;
    return index * (t->dtype == TENSOR_INT32 ? 4 : 1);
}

void program_tensor_decode(const program_tensor *t, const uint8_t *bytes, float *out)
{
    size_t i = 0;
    for (uint64_t b = 0; b < t->shape[0]; b++)
        for (uint64_t y = 0; y < t->shape[1]; y++)
            for (uint64_t x = 0; x < t->shape[2]; x++)
                for (uint64_t ch = 0; ch < t->shape[3]; ch++) {
                    const uint8_t *p = bytes + element_offset(t, b, y, x, ch);
                    int32_t v = t->dtype == TENSOR_INT32
                                    ? (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                                                (uint32_t)p[3] << 24)
                                    : (int8_t)p[0];
                    out[i++] = (float)v * t->scale;
                }
}

void program_tensor_encode(const program_tensor *t, const float *in, uint8_t *bytes)
{
    int64_t lo = t->dtype == TENSOR_INT32 ? INT32_MIN : -128, hi = t->dtype == TENSOR_INT32 ? INT32_MAX : 127;
    size_t i = 0;
    for (uint64_t b = 0; b < t->shape[0]; b++)
        for (uint64_t y = 0; y < t->shape[1]; y++)
            for (uint64_t x = 0; x < t->shape[2]; x++)
                for (uint64_t ch = 0; ch < t->shape[3]; ch++) {
                    uint32_t v = (uint32_t)(int32_t)im_quantize(in[i++], t->scale, lo, hi);
                    uint8_t *p = bytes + element_offset(t, b, y, x, ch);
                    p[0] = (uint8_t)v;
                    if (t->dtype == TENSOR_INT32) {
                        p[1] = (uint8_t)(v >> 8);
                        p[2] = (uint8_t)(v >> 16);
                        p[3] = (uint8_t)(v >> 24);
                    }
                }
}

rtpu_status program_describe(const rtpu_program *p, const char *name, int step, rtpu_tensor_desc *out,
                             rtpu_error *err)
{
    const program_tensor *t = NULL;
    if (step == RTPU_BY_NAME) {
        t = program_find_tensor(p, name);
        if (!t)
            return rtpu_fail(err, RTPU_ERR_INVALID, "the program has no tensor '%s'", name);
    } else {
        for (size_t i = 0; i < p->tensor_count && !t; i++)
            if (!strcmp(p->tensors[i].node, name) && p->tensors[i].step == step)
                t = &p->tensors[i];
        if (!t)
            return rtpu_fail(err, RTPU_ERR_INVALID, "the program's tensor map has no output of node '%s' at step %d", name,
                             step);
    }
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", t->name);
    snprintf(out->node, sizeof out->node, "%s", t->node);
    out->step = t->node[0] ? t->step : RTPU_BY_NAME;
    out->role = t->role == TENSOR_INPUT ? RTPU_TENSOR_INPUT : t->role == TENSOR_OUTPUT ? RTPU_TENSOR_OUTPUT
                                                                                      : RTPU_TENSOR_OTHER;
    out->count = 1;
    for (int k = 0; k < 4; k++) {
        out->shape[k] = t->shape[k];
        out->count *= t->shape[k];
    }
    out->dtype_bits = t->dtype == TENSOR_INT32 ? 32 : 8;
    out->is_float = false;
    out->scale = t->scale;
    return RTPU_OK;
}
