/* Tensor-map access for the RTL backend: the tensor's bytes are copied out of (and back
 * into) the harness's DRAM and converted by target/program_tensor.c, the same code the
 * simulator uses, so --input/--dump mean the same bytes on both backends. */
#include "rtl/rtl.h"
#include "target/machine.h"

#include <stdlib.h>

/* The tensor's bytes, copied out of DRAM (malloc'd). */
static rtpu_status tensor_bytes(const rtpu_rtl *rtl, const program_tensor *t, uint8_t **out, rtpu_error *err)
{
    uint64_t size = program_tensor_bytes(t);
    rtpu_status check = machine_check_tensor("rtl", rtl_get_program(rtl), t, err);
    if (check)
        return check;
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
    program_tensor_decode(t, bytes, out);
    free(bytes);
    return RTPU_OK;
}

/* Read-modify-write, so bytes of the layout that are not the tensor's keep their values. */
rtpu_status rtl_write_tensor(rtpu_rtl *rtl, const program_tensor *t, const float *in, rtpu_error *err)
{
    uint8_t *bytes = NULL;
    rtpu_status st = tensor_bytes(rtl, t, &bytes, err);
    if (st)
        return st;
    program_tensor_encode(t, in, bytes);
    st = rtl_write_dram(rtl, t->dram, bytes, program_tensor_bytes(t), err);
    free(bytes);
    return st;
}
