/* The simulator as a device backend (rtpu_backend in rtpu/rtpu.h): the table that the
 * device layer, the CLI and the tests reach the simulator through. The backend object
 * is the rtpu_sim itself. */
#include "sim/sim.h"

#include <inttypes.h>

#include "common/error.h"

static rtpu_status open_program(const rtpu_program *p, void **impl, rtpu_error *err)
{
    rtpu_sim *sim = NULL;
    rtpu_status st = sim_create(p, &sim, err);
    *impl = sim;
    return st;
}

static void close_sim(void *impl) { sim_destroy(impl); }

static rtpu_status describe(void *impl, const char *name, int step, rtpu_tensor_desc *out, rtpu_error *err)
{
    return program_describe(sim_get_program(impl), name, step, out, err);
}

static rtpu_status write_tensor(void *impl, const rtpu_tensor_desc *t, const float *values, rtpu_error *err)
{
    return sim_write_tensor(impl, program_find_tensor(sim_get_program(impl), t->name), values, err);
}

static rtpu_status run(void *impl, const rtpu_run_options *o, rtpu_error *err)
{
    /* The scheduler never steps idle cycles, so its own time is bounded by the program's
     * length; a cycle limit is still honoured, as the RTL honours it, by failing a run
     * that ends past it. */
    rtpu_status st = sim_run(impl, err);
    uint64_t cycles = st ? 0 : sim_get_stats(impl)->total_cycles;
    if (!st && o && o->cycle_limit && cycles >= o->cycle_limit)
        st = rtpu_fail(err, RTPU_ERR_RUNTIME, "sim: '%s' still running after the cycle limit of %" PRIu64 " cycles",
                       sim_get_program(impl)->config.name, o->cycle_limit);
    return st;
}

static rtpu_status read_tensor(void *impl, const rtpu_tensor_desc *t, float *out, rtpu_error *err)
{
    return sim_read_tensor(impl, program_find_tensor(sim_get_program(impl), t->name), out, err);
}

static const rtpu_stats *stats(const void *impl) { return sim_get_stats(impl); }
static const rtpu_timing *timings(const void *impl) { return sim_get_timings(impl); }

static rtpu_status read_dram(const void *impl, uint64_t addr, void *out, uint64_t size, rtpu_error *err)
{
    return sim_read_dram(impl, addr, out, size, err);
}

static rtpu_status write_dram(void *impl, uint64_t addr, const void *data, uint64_t size, rtpu_error *err)
{
    return sim_write_dram(impl, addr, data, size, err);
}

static rtpu_status read_memory(const void *impl, rtpu_memory m, uint64_t row, uint64_t count, void *out,
                               rtpu_error *err)
{
    return sim_read_memory(impl, m, row, count, out, err);
}

const rtpu_backend rtpu_backend_sim = {
    .name = "sim",
    .summary = "cycle-level C simulator: exact int8/int32 data and every instruction's cycles",
    .caps = RTPU_CAN_RUN_PROGRAM | RTPU_CAN_COUNT_CYCLES | RTPU_CAN_READ_MEMORY,
    .open_program = open_program,
    .close = close_sim,
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
