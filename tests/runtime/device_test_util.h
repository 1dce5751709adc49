/* Helpers shared by the device tests: one program opened through the device API on
 * every backend of this build that runs programs with cycles (the simulator, and the
 * RTL when it is built), given the same DRAM contents, run, and compared field by field
 * with rtpu_device_compare. The tests never name a backend's own API. */
#ifndef RTPU_TESTS_DEVICE_TEST_UTIL_H
#define RTPU_TESTS_DEVICE_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "rtpu/rtpu.h"
#include "target/program.h"

enum { COSIM_MAX_DEVICES = 4 };

typedef struct cosim {
    rtpu_program *program; /* owned */
    rtpu_device *dev[COSIM_MAX_DEVICES];
    int count;
} cosim;

/* Takes ownership of the program; fails the test if a backend cannot open it. */
void cosim_create(cosim *c, rtpu_program *program);
void cosim_destroy(cosim *c);
/* Writes the same bytes into every device's DRAM. */
void cosim_write_dram(cosim *c, uint64_t addr, const void *data, size_t size);
/* Runs all and fails the test, printing every difference, unless they agree exactly. */
void cosim_run_and_compare(cosim *c);
/* The device whose results the tests check against hand-derived values: the last one
 * opened (the RTL when the build has it); all others equal it after cosim_run_and_compare. */
const rtpu_device *cosim_ref(const cosim *c);
/* True when the build has the RTL (the hardware this suite exists to check). */
int cosim_has_rtl(void);

#endif
