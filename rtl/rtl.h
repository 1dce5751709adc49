/* The RTL backend: the Verilog accelerator in rtl/ (rtpu_top.sv and its modules),
 * verilated, behind a C interface
 * shaped like the simulator's (sim/sim.h), so the same program file runs on both and
 * their outputs, stats and per-instruction timings compare field by field.
 *
 * Two models are built: N = 8 and N = 16, with the memories of configs/small-8.json and
 * configs/small-16.json. A program runs on the model of its config's array size when its
 * memories fit that model (rtl_check_config says why not otherwise). The timing fields
 * of the config (DRAM latency and bandwidth, vector lanes and pipeline, queue depth)
 * are inputs of the model, read from the program's config at each run.
 *
 * The harness (harness.cpp) holds DRAM and the instruction stream; the model fetches
 * instructions and moves DRAM bytes through DPI-C calls. Memories start zeroed and keep
 * their contents across runs; timing restarts at cycle 0 for each run. */
#ifndef RTPU_RTL_RTL_H
#define RTPU_RTL_RTL_H

#include <stdint.h>

#include "common/error.h"
#include "rtpu/stats.h"
#include "target/program.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtpu_rtl rtpu_rtl;

/* Default for rtl_run's cycle limit when the caller passes 0. */
enum { RTL_DEFAULT_CYCLE_LIMIT = 100000000 };

/* RTPU_OK when a verilated model can run programs built for config c; otherwise
 * RTPU_ERR_UNSUPPORTED and a message naming the field and the model's limit. */
rtpu_status rtl_check_config(const rtpu_config *c, rtpu_error *err);

/* The program must stay alive while the model exists. Places the program's constant
 * segments in DRAM. */
rtpu_status rtl_create(const rtpu_program *program, rtpu_rtl **out, rtpu_error *err);
void rtl_destroy(rtpu_rtl *rtl);

/* Clocks the model from reset until the cycle in which halt has dispatched and every
 * queue and unit is idle. Fails on deadlock (message names the blocked pcs, as the
 * simulator's) or when cycle_limit cycles pass (0: RTL_DEFAULT_CYCLE_LIMIT). waves_path,
 * if not NULL, receives an FST waveform of the run (written to a temporary file and
 * renamed when the run succeeds; the path must end in .fst). */
rtpu_status rtl_run(rtpu_rtl *rtl, uint64_t cycle_limit, const char *waves_path, rtpu_error *err);

/* Results of the last run, in the simulator's types: totals and per-unit busy, stall,
 * idle and instruction counts read from the model's counters; per-instruction dispatch,
 * start and end cycles observed on its dispatch, start and end signals. */
const rtpu_stats *rtl_get_stats(const rtpu_rtl *rtl);
const rtpu_timing *rtl_get_timings(const rtpu_rtl *rtl);
const rtpu_program *rtl_get_program(const rtpu_rtl *rtl);

/* DRAM by byte address, bounds-checked against the program's DRAM size. */
rtpu_status rtl_read_dram(const rtpu_rtl *rtl, uint64_t addr, void *out, uint64_t size, rtpu_error *err);
rtpu_status rtl_write_dram(rtpu_rtl *rtl, uint64_t addr, const void *data, uint64_t size, rtpu_error *err);

/* On-chip memories by row, as sim_read_memory (rows of the program's config). */
rtpu_status rtl_read_memory(const rtpu_rtl *rtl, rtpu_memory memory, uint64_t row, uint64_t count, void *out,
                            rtpu_error *err);

/* Tensor-map access in real values, as sim_read_tensor / sim_write_tensor. */
rtpu_status rtl_read_tensor(const rtpu_rtl *rtl, const program_tensor *t, float *out, rtpu_error *err);
rtpu_status rtl_write_tensor(rtpu_rtl *rtl, const program_tensor *t, const float *in, rtpu_error *err);

#ifdef __cplusplus
}
#endif

#endif
