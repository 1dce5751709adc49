/* Helpers shared by the simulator tests: configs and programs from the source tree,
 * seeded test data, and running a program to completion. */
#ifndef RTPU_TESTS_SIM_TEST_UTIL_H
#define RTPU_TESTS_SIM_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "common/rng.h"
#include "target/asm.h"
#include "sim/sim.h"

/* configs/NAME.json of the source tree; fails the test if it does not load. */
void test_load_config(const char *name, rtpu_config *out);
/* tests/sim/programs/FILE assembled for config; fails the test on error. */
rtpu_program *test_assemble(const char *file, const rtpu_config *config);
/* Full path of a file in the source tree (static buffer per call site is not needed:
 * the result is malloc'd). */
char *test_source_path(const char *relative);
/* Uniform int8 values in [lo, hi]. */
void test_fill_int8(rng *r, int8_t *out, size_t count, int lo, int hi);
/* Writes bytes to DRAM, failing the test on error. */
void test_write_dram(rtpu_sim *sim, uint64_t addr, const void *data, size_t size);
void test_read_dram(const rtpu_sim *sim, uint64_t addr, void *out, size_t size);
/* Little-endian int32 values into a byte buffer. */
void test_pack_int32(uint8_t *out, const int32_t *values, size_t count);

/* The four shipped array sizes, 8 to 256. */
extern const char *const test_config_names[4];

#endif
