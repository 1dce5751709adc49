/* Tensor-map access for the RTL backend: real values in NHWC order <-> the blocked int8
 * or int32 layout in the harness's DRAM (program.h describes the layout). The same
 * conversions as sim/sim_tensor.c, so `rtpu run --backend rtl --input/--dump` reads and
 * writes exactly the bytes the simulator would. */
#include "rtl/rtl.h"

#include <math.h>
#include <stdlib.h>

/* Byte offset of element (b, y, x, ch) from the tensor's base. */
static uint64_t element_offset(const program_tensor *t, uint64_t b, uint64_t y, uint64_t x, uint64_t ch)
{
    uint64_t blocks = (t->shape[3] + t->block - 1) / t->block;
    uint64_t index = (((b * blocks + ch / t->block) * t->shape[1] + y) * t->shape[2] + x) * t->block + ch % t->block;
    return index * (t->dtype == TENSOR_INT32 ? 4 : 1);
}

/* The tensor's bytes, copied out of DRAM (malloc'd). */
static rtpu_status tensor_bytes(const rtpu_rtl *rtl, const program_tensor *t, uint8_t **out, rtpu_error *err)
{
    uint64_t size = program_tensor_bytes(t);
    if (size > rtl_get_program(rtl)->dram_size)
        return rtpu_fail(err, RTPU_ERR_INVALID, "rtl: tensor '%s' lies outside the program's DRAM", t->name);
    uint8_t *bytes = malloc(size ? size : 1);
    if (!bytes)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "rtl: out of memory for tensor '%s'", t->name);
    rtpu_status st = rtl_read_dram(rtl, t->dram, bytes, size, err);
    if (st) {
        free(bytes);
        return st;
    }
    *out = bytes;
    return RTPU_OK;
}

rtpu_status rtl_read_tensor(const rtpu_rtl *rtl, const program_tensor *t, float *out, rtpu_error *err)
{
    uint8_t *bytes = NULL;
    rtpu_status st = tensor_bytes(rtl, t, &bytes, err);
    if (st)
        return st;
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
    free(bytes);
    return RTPU_OK;
}

rtpu_status rtl_write_tensor(rtpu_rtl *rtl, const program_tensor *t, const float *in, rtpu_error *err)
{
    uint8_t *bytes = NULL;
    rtpu_status st = tensor_bytes(rtl, t, &bytes, err);
    if (st)
        return st;
    double lo = t->dtype == TENSOR_INT32 ? -2147483648.0 : -128.0, hi = t->dtype == TENSOR_INT32 ? 2147483647.0 : 127.0;
    size_t i = 0;
    for (uint64_t b = 0; b < t->shape[0]; b++)
        for (uint64_t y = 0; y < t->shape[1]; y++)
            for (uint64_t x = 0; x < t->shape[2]; x++)
                for (uint64_t ch = 0; ch < t->shape[3]; ch++) {
                    double q = round((double)in[i++] / t->scale); /* half away from zero */
                    q = isnan(q) ? 0.0 : q < lo ? lo : q > hi ? hi : q;
                    uint32_t v = (uint32_t)(int32_t)q;
                    uint8_t *p = bytes + element_offset(t, b, y, x, ch);
                    p[0] = (uint8_t)v;
                    if (t->dtype == TENSOR_INT32) {
                        p[1] = (uint8_t)(v >> 8);
                        p[2] = (uint8_t)(v >> 16);
                        p[3] = (uint8_t)(v >> 24);
                    }
                }
    st = rtl_write_dram(rtl, t->dram, bytes, program_tensor_bytes(t), err);
    free(bytes);
    return st;
}
