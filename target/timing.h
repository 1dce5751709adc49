/* The timing rules of the accelerator that do not depend on what else is running: how
 * many cycles one instruction occupies its unit, its useful MACs and its DRAM bytes
 * (docs/architecture.md, "Timing" and "Stats"). The simulator's scheduler adds the
 * waiting; the RTL must end every instruction exactly these many cycles after it starts;
 * the compiler's scheduler and the profiler estimate with the same formulas. */
#ifndef RTPU_TARGET_TIMING_H
#define RTPU_TARGET_TIMING_H

#include <stdint.h>

#include "target/config.h"
#include "target/isa.h"

/* Cycles one instruction occupies its unit (0 for halt, which occupies none). */
uint64_t isa_insn_cycles(const rtpu_config *config, const isa_insn *insn);
/* Useful MACs of one instruction (non-zero only for matmul: outer * inner * k * n). */
uint64_t isa_insn_macs(const isa_insn *insn);
/* DRAM bytes an instruction reads and writes (padding is not read). */
uint64_t isa_insn_dram_read(const isa_insn *insn);
uint64_t isa_insn_dram_written(const isa_insn *insn);

#endif
