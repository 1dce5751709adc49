/* The cycle-level simulator: public API for the CLI, the runtime and the RTL harness.
 *
 * A simulator owns the machine's memories (DRAM sized by the program, unified buffer,
 * weight buffer, accumulators, lookup tables). sim_create places the program's constant
 * segments in DRAM; the caller may write inputs into DRAM (raw bytes or through the tensor
 * map); sim_run executes the whole program: exact int8/int32 data, and for every
 * instruction the cycles of its dispatch, start and end under the timing model of
 * docs/architecture.md. Memories keep their contents across runs; timing restarts at 0. */
#ifndef RTPU_SIM_SIM_H
#define RTPU_SIM_SIM_H

#include <stdint.h>

#include "common/error.h"
#include "rtpu/stats.h"
#include "target/program.h"
#include "target/timing.h"

typedef struct rtpu_sim rtpu_sim;

/* The program must stay alive while the simulator exists. */
rtpu_status sim_create(const rtpu_program *program, rtpu_sim **out, rtpu_error *err);
void sim_destroy(rtpu_sim *sim);

/* Runs the program to its halt. Fails on deadlock (message names the blocked pcs). */
rtpu_status sim_run(rtpu_sim *sim, rtpu_error *err);

const rtpu_stats *sim_get_stats(const rtpu_sim *sim);
/* One entry per instruction (program order), valid after sim_run. */
const rtpu_timing *sim_get_timings(const rtpu_sim *sim);
const rtpu_program *sim_get_program(const rtpu_sim *sim);

/* DRAM access by byte address, bounds-checked against the program's DRAM size. */
rtpu_status sim_read_dram(const rtpu_sim *sim, uint64_t addr, void *out, uint64_t size, rtpu_error *err);
rtpu_status sim_write_dram(rtpu_sim *sim, uint64_t addr, const void *data, uint64_t size, rtpu_error *err);

/* On-chip memory by row: count rows of N int8 (UB, WB), N int32 (ACC), or whole tables
 * of 256 int8 (LUT, row = table index). out holds count * row size bytes. */
rtpu_status sim_read_memory(const rtpu_sim *sim, rtpu_memory memory, uint64_t row, uint64_t count, void *out,
                            rtpu_error *err);

/* Tensor-map access in real values, NHWC order, n*h*w*c floats. Reading dequantises
 * (value * scale); writing quantises (round half away from zero of x / scale, saturated
 * to the dtype). */
rtpu_status sim_read_tensor(const rtpu_sim *sim, const program_tensor *t, float *out, rtpu_error *err);
rtpu_status sim_write_tensor(rtpu_sim *sim, const program_tensor *t, const float *in, rtpu_error *err);

#endif
