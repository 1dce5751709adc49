/* Tensor-map access: real values in NHWC order <-> the blocked int8/int32 layout in DRAM
 * (program.h describes the layout). */
#include "sim/sim_internal.h"

#include <math.h>

/* Byte offset of element (b, y, x, ch) from the tensor's base. */
static uint64_t element_offset(const program_tensor *t, uint64_t b, uint64_t y, uint64_t x, uint64_t ch)
{
    uint64_t blocks = (t->shape[3] + t->block - 1) / t->block;
    uint64_t index = (((b * blocks + ch / t->block) * t->shape[1] + y) * t->shape[2] + x) * t->block + ch % t->block;
    return index * (t->dtype == TENSOR_INT32 ? 4 : 1);
}

static rtpu_status check_tensor(const rtpu_sim *sim, const program_tensor *t, rtpu_error *err)
{
    uint64_t bytes = program_tensor_bytes(t);
    if (bytes > sim->program->dram_size || t->dram > sim->program->dram_size - bytes)
        return rtpu_fail(err, RTPU_ERR_INVALID, "sim: tensor '%s' lies outside the program's DRAM", t->name);
    return RTPU_OK;
}

rtpu_status sim_read_tensor(const rtpu_sim *sim, const program_tensor *t, float *out, rtpu_error *err)
{
    rtpu_status st = check_tensor(sim, t, err);
    if (st)
        return st;
    size_t i = 0;
    for (uint64_t b = 0; b < t->shape[0]; b++)
        for (uint64_t y = 0; y < t->shape[1]; y++)
            for (uint64_t x = 0; x < t->shape[2]; x++)
                for (uint64_t ch = 0; ch < t->shape[3]; ch++) {
                    const uint8_t *p = sim->dram + t->dram + element_offset(t, b, y, x, ch);
                    int32_t v = t->dtype == TENSOR_INT32
                                    ? (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                                                (uint32_t)p[3] << 24)
                                    : (int8_t)p[0];
                    out[i++] = (float)v * t->scale;
                }
    return RTPU_OK;
}

rtpu_status sim_write_tensor(rtpu_sim *sim, const program_tensor *t, const float *in, rtpu_error *err)
{
    rtpu_status st = check_tensor(sim, t, err);
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
                    uint8_t *p = sim->dram + t->dram + element_offset(t, b, y, x, ch);
                    p[0] = (uint8_t)v;
                    if (t->dtype == TENSOR_INT32) {
                        p[1] = (uint8_t)(v >> 8);
                        p[2] = (uint8_t)(v >> 16);
                        p[3] = (uint8_t)(v >> 24);
                    }
                }
    return RTPU_OK;
}
