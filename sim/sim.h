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
#include "target/program.h"
#include "target/timing.h"

typedef struct rtpu_sim rtpu_sim;

typedef enum sim_memory { SIM_UB, SIM_WB, SIM_ACC, SIM_LUT } sim_memory;

typedef struct sim_unit_stats {
    uint64_t busy;          /* cycles the unit runs an instruction */
    uint64_t stall;         /* cycles the unit is free, its next instruction heads its
                               queue, and it cannot start (tokens, other units) */
    uint64_t idle;          /* the rest: total - busy - stall */
    uint64_t instructions;
} sim_unit_stats;

typedef struct sim_stats {
    uint64_t total_cycles;
    sim_unit_stats units[UNIT_COUNT];
    uint64_t macs;               /* useful MACs: sum over matmuls of rows * k * n */
    double mxu_utilisation;      /* macs / (N * N * total_cycles) */
    uint64_t dram_bytes_read;
    uint64_t dram_bytes_written;
    uint64_t instructions;       /* halt included */
} sim_stats;

/* When each instruction was dispatched into its queue, started and ended (end is the
 * first cycle after it; its unit is busy in [start, end)). */
typedef struct sim_timing {
    uint64_t dispatch, start, end;
} sim_timing;

/* The program must stay alive while the simulator exists. */
rtpu_status sim_create(const rtpu_program *program, rtpu_sim **out, rtpu_error *err);
void sim_destroy(rtpu_sim *sim);

/* Runs the program to its halt. Fails on deadlock (message names the blocked pcs). */
rtpu_status sim_run(rtpu_sim *sim, rtpu_error *err);

const sim_stats *sim_get_stats(const rtpu_sim *sim);
/* One entry per instruction (program order), valid after sim_run. */
const sim_timing *sim_get_timings(const rtpu_sim *sim);
const rtpu_program *sim_get_program(const rtpu_sim *sim);

/* DRAM access by byte address, bounds-checked against the program's DRAM size. */
rtpu_status sim_read_dram(const rtpu_sim *sim, uint64_t addr, void *out, uint64_t size, rtpu_error *err);
rtpu_status sim_write_dram(rtpu_sim *sim, uint64_t addr, const void *data, uint64_t size, rtpu_error *err);

/* On-chip memory by row: count rows of N int8 (UB, WB), N int32 (ACC), or whole tables
 * of 256 int8 (LUT, row = table index). out holds count * row size bytes. */
rtpu_status sim_read_memory(const rtpu_sim *sim, sim_memory memory, uint64_t row, uint64_t count, void *out,
                            rtpu_error *err);

/* Tensor-map access in real values, NHWC order, n*h*w*c floats. Reading dequantises
 * (value * scale); writing quantises (round half away from zero of x / scale, saturated
 * to the dtype). */
rtpu_status sim_read_tensor(const rtpu_sim *sim, const program_tensor *t, float *out, rtpu_error *err);
rtpu_status sim_write_tensor(rtpu_sim *sim, const program_tensor *t, const float *in, rtpu_error *err);

/* Stats as a human table or a JSON object (malloc'd text, free()). */
rtpu_status sim_stats_table(const sim_stats *s, const rtpu_config *c, char **text, rtpu_error *err);
rtpu_status sim_stats_json(const sim_stats *s, const rtpu_config *c, char **text, rtpu_error *err);
/* Per-instruction trace in Chrome trace-event JSON (1 "microsecond" = 1 cycle), written
 * atomically. Open it in chrome://tracing or ui.perfetto.dev. */
rtpu_status sim_write_trace(const rtpu_sim *sim, const char *path, rtpu_error *err);

#endif
