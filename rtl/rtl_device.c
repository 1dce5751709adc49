/* The verilated RTL as a device backend (rtpu_backend in rtpu/rtpu.h): the same table
 * as the simulator's, so everything above the device layer treats the two alike. The
 * backend object is the rtpu_rtl itself. */
#include "rtl/rtl.h"

static rtpu_status open_program(const rtpu_program *p, void **impl, rtpu_error *err)
{
    rtpu_rtl *rtl = NULL;
    rtpu_status st = rtl_create(p, &rtl, err);
    *impl = rtl;
    return st;
}

static void close_rtl(void *impl) { rtl_destroy(impl); }

static rtpu_status describe(void *impl, const char *name, int step, rtpu_tensor_desc *out, rtpu_error *err)
{
    return program_describe(rtl_get_program(impl), name, step, out, err);
}

static rtpu_status write_tensor(void *impl, const rtpu_tensor_desc *t, const float *values, rtpu_error *err)
{
    return rtl_write_tensor(impl, program_find_tensor(rtl_get_program(impl), t->name), values, err);
}

static rtpu_status run(void *impl, const rtpu_run_options *o, rtpu_error *err)
{
    return rtl_run(impl, o->cycle_limit, o->waves_path, err);
}

static rtpu_status read_tensor(void *impl, const rtpu_tensor_desc *t, float *out, rtpu_error *err)
{
    return rtl_read_tensor(impl, program_find_tensor(rtl_get_program(impl), t->name), out, err);
}

static const rtpu_stats *stats(const void *impl) { return rtl_get_stats(impl); }
static const rtpu_timing *timings(const void *impl) { return rtl_get_timings(impl); }

static rtpu_status read_dram(const void *impl, uint64_t addr, void *out, uint64_t size, rtpu_error *err)
{
    return rtl_read_dram(impl, addr, out, size, err);
}

static rtpu_status write_dram(void *impl, uint64_t addr, const void *data, uint64_t size, rtpu_error *err)
{
    return rtl_write_dram(impl, addr, data, size, err);
}

static rtpu_status read_memory(const void *impl, rtpu_memory m, uint64_t row, uint64_t count, void *out,
                               rtpu_error *err)
{
    return rtl_read_memory(impl, m, row, count, out, err);
}

const rtpu_backend rtpu_backend_rtl = {
    .name = "rtl",
    .summary = "the Verilog RTL through Verilator (8x8 and 16x16 models): bit- and cycle-exact with sim",
    .caps = RTPU_CAN_RUN_PROGRAM | RTPU_CAN_COUNT_CYCLES | RTPU_CAN_READ_MEMORY | RTPU_CAN_WAVES,
    .open_program = open_program,
    .close = close_rtl,
    .describe = describe,
    .write = write_tensor,
    .run = run,
    .read = read_tensor,
    .stats = stats,
    .timings = timings,
    .read_dram = read_dram,
    .write_dram = write_dram,
    .read_memory = read_memory,
};
