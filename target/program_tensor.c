/* A tensor-map entry's bytes <-> real values. Tensors live in DRAM in a blocked layout
 * (program.h): channel blocks of t->block, each an (n, h, w, block) array of int8 or
 * little-endian int32. Both backends (sim/sim_tensor.c, rtl/rtl_tensor.c) convert through
 * these two functions, so --input and --dump mean the same bytes on either. */
#include <math.h>

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
