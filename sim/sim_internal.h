/* Simulator internals shared by sim.c (scheduling), sim_exec_*.c (data) and the
 * readers. Not part of the public API. */
#ifndef RTPU_SIM_SIM_INTERNAL_H
#define RTPU_SIM_SIM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/sim.h"

struct rtpu_sim {
    const rtpu_program *program;
    uint32_t n;              /* array size */
    uint8_t *dram;           /* program->dram_size bytes */
    int8_t *ub;              /* ub_rows * n */
    int8_t *wb;              /* wb_rows * n */
    int32_t *acc;            /* acc_rows * n */
    int8_t *lut;             /* lut_tables * 256 */
    int16_t *weights;        /* the active stationary tile, n * n, row k = input k */
    int16_t *shadow;         /* the tile the last ldw loaded */
    bool shadow_fresh;       /* the next matmul swaps the shadow tile in */
    rtpu_timing *timings;     /* per instruction */
    rtpu_stats stats;
};

/* Data effect of one instruction, applied when it starts (the program's tokens order
 * every conflicting access, so this equals sequential semantics). */
void sim_exec_dma(rtpu_sim *sim, const isa_insn *insn);
void sim_exec_mxu(rtpu_sim *sim, const isa_insn *insn);
void sim_exec_vector(rtpu_sim *sim, const isa_insn *insn);

#endif
