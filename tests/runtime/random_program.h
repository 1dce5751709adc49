/* Random valid programs for co-simulation: random instructions of every kind with random
 * sizes and addresses inside small windows of each memory (so that accesses collide
 * often), random timing fields in the config, random extra tokens, and exactly the
 * token synchronisation that makes every conflicting pair of accesses ordered. */
#ifndef RTPU_TESTS_RTL_RANDOM_PROGRAM_H
#define RTPU_TESTS_RTL_RANDOM_PROGRAM_H

#include <stdint.h>

#include "common/rng.h"
#include "target/program.h"

enum { RANDOM_DRAM_BYTES = 8192 };

/* base is small-8 or small-16; the program gets a copy with random DRAM latency and
 * bandwidth, vector lanes and pipeline depth and queue depth (name "rand-N"), about
 * `insns` random instructions plus the token helpers, and 8 KiB of random DRAM data.
 * Fails the test if the result does not pass program_finish. */
rtpu_program *random_program(rng *r, const rtpu_config *base, int insns);

#endif
