/* Rules every backend of the accelerator applies the same way, written once: the four
 * dependency-token counters, the bounds of DRAM and of each on-chip memory, the deadlock
 * message, and the totals derived from per-instruction timings. The simulator and the
 * RTL harness both call these, so a program that fails fails with the same words on
 * either, and their stats are finished by one formula. */
#ifndef RTPU_TARGET_MACHINE_H
#define RTPU_TARGET_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "rtpu/stats.h"
#include "target/program.h"

/* Token counters (docs/architecture.md, "Units and queues"): 0 ld->ex, 1 ex->st carry
 * tokens forward, 2 ex->ld, 3 st->ex backward. */
enum { MACHINE_COUNTERS = 4, MACHINE_NO_COUNTER = -1 };

/* The counter a queue pops with its prev (next = false) or next token flag, and the one
 * it pushes to; MACHINE_NO_COUNTER where the queue has no such neighbour. */
int machine_pop_counter(isa_queue queue, bool next);
int machine_push_counter(isa_queue queue, bool next);
const char *machine_counter_name(int counter);

/* Rows of an on-chip memory for config c, and the bytes of one row. */
uint64_t machine_memory_rows(const rtpu_config *c, rtpu_memory memory);
size_t machine_memory_row_bytes(const rtpu_config *c, rtpu_memory memory);
const char *machine_memory_name(rtpu_memory memory);

/* RTPU_OK when [addr, addr + size) lies inside the program's DRAM; otherwise
 * RTPU_ERR_INVALID, "WHO: DRAM read of S bytes at 0xA is beyond the program's L bytes". */
rtpu_status machine_check_dram(const char *who, const rtpu_program *p, uint64_t addr, uint64_t size, bool write,
                               rtpu_error *err);
/* The same for rows [row, row + count) of an on-chip memory. */
rtpu_status machine_check_memory(const char *who, const rtpu_config *c, rtpu_memory memory, uint64_t row,
                                 uint64_t count, rtpu_error *err);
/* The same for a tensor-map entry's bytes. */
rtpu_status machine_check_tensor(const char *who, const rtpu_program *p, const program_tensor *t, rtpu_error *err);

/* What a backend knows when no queue head can ever start. */
typedef struct machine_deadlock {
    uint64_t now;                        /* the last end cycle of anything that started */
    bool head_valid[QUEUE_COUNT];        /* the queue has a head instruction */
    bool head_dispatched[QUEUE_COUNT];   /* ... that has been dispatched */
    size_t head_pc[QUEUE_COUNT];
    uint64_t tokens[MACHINE_COUNTERS];   /* tokens available in each counter */
    size_t dispatch_stopped;             /* pc dispatch stopped at, or the instruction count */
} machine_deadlock;

/* RTPU_ERR_RUNTIME with the one message both backends give: "deadlock after cycle T:
 * compute queue: pc 3 (matmul) waits for a ld->ex token; dispatch stopped at pc 9
 * (load.ub): its queue is full". */
rtpu_status machine_deadlock_error(const rtpu_program *p, const machine_deadlock *d, rtpu_error *err);

/* Fills the derived fields of stats whose busy, stall, instruction and MAC counts are
 * set: total cycles, instruction count, each unit's idle cycles, MXU utilisation. */
void machine_finish_stats(const rtpu_program *p, uint64_t total_cycles, rtpu_stats *stats);

#endif
