/* Helpers shared by the RTL tests: one program run on both the simulator and the RTL,
 * with the same DRAM contents, and compared field by field (rtl/compare.h). */
#ifndef RTPU_TESTS_RTL_TEST_UTIL_H
#define RTPU_TESTS_RTL_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "rtl/compare.h"
#include "rtl/rtl.h"
#include "sim/sim.h"

typedef struct cosim {
    rtpu_program *program; /* owned */
    rtpu_sim *sim;
    rtpu_rtl *rtl;
} cosim;

/* Takes ownership of the program; fails the test if either backend cannot be created. */
void cosim_create(cosim *c, rtpu_program *program);
void cosim_destroy(cosim *c);
/* Writes the same bytes into both DRAMs. */
void cosim_write_dram(cosim *c, uint64_t addr, const void *data, size_t size);
/* Runs both and fails the test, printing every difference, unless they agree exactly. */
void cosim_run_and_compare(cosim *c);

#endif
