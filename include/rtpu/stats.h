/* What every accelerator backend reports after a run: totals, per-unit busy / stall /
 * idle cycles, and each instruction's dispatch, start and end cycle. The simulator and
 * the RTL fill the same types, so their results compare field by field, and the
 * profiler reads them from either (docs/architecture.md, "Stats"). */
#ifndef RTPU_STATS_H
#define RTPU_STATS_H

#include <stdint.h>

/* The functional units, in the order of target/isa.h's isa_unit: load (DMA read),
 * weight path, MXU, vector unit, store (DMA write). */
enum { RTPU_UNIT_COUNT = 5 };

typedef struct rtpu_unit_stats {
    uint64_t busy;          /* cycles the unit runs an instruction */
    uint64_t stall;         /* cycles the unit is free, its next instruction heads its
                               queue, and it cannot start (tokens, other units) */
    uint64_t idle;          /* the rest: total - busy - stall */
    uint64_t instructions;
} rtpu_unit_stats;

typedef struct rtpu_stats {
    uint64_t total_cycles;
    rtpu_unit_stats units[RTPU_UNIT_COUNT];
    uint64_t macs;               /* useful MACs: sum over matmuls of rows * k * n */
    double mxu_utilisation;      /* macs / (N * N * total_cycles) */
    uint64_t dram_bytes_read;
    uint64_t dram_bytes_written;
    uint64_t instructions;       /* halt included */
} rtpu_stats;

/* When an instruction was dispatched into its queue, started and ended (end is the
 * first cycle after it; its unit is busy in [start, end)). */
typedef struct rtpu_timing {
    uint64_t dispatch, start, end;
} rtpu_timing;

/* The on-chip memories, addressed by row: N int8 (UB, WB), N int32 (ACC), or one whole
 * 256-entry int8 table (LUT, row = table index). */
typedef enum rtpu_memory { RTPU_MEM_UB, RTPU_MEM_WB, RTPU_MEM_ACC, RTPU_MEM_LUT, RTPU_MEM_COUNT } rtpu_memory;

#endif
