/* Deterministic pseudo-random numbers for weight initialisation and test data.
 *
 * xoshiro256** (Blackman and Vigna, 2018) seeded by running splitmix64 from the seed, so
 * any 64-bit seed, including 0, gives a well-mixed state. The integer stream and
 * rng_uniform are bit-identical on every machine. rng_normal uses Box-Muller (two uniforms
 * per normal, the second output of the pair is not kept, so every call consumes exactly
 * two draws); it goes through libm's log, sqrt and cos, which glibc computes to within an
 * ulp or so, so normals agree across machines to that precision. The state is a plain
 * struct: copy it to fork a stream, no allocation, no global state. */
#ifndef RTPU_COMMON_RNG_H
#define RTPU_COMMON_RNG_H

#include <stdint.h>

typedef struct rng {
    uint64_t state[4];
} rng;

void rng_seed(rng *r, uint64_t seed);
uint64_t rng_next(rng *r);
/* [0, 1) with 53 random bits: (next >> 11) * 2^-53. */
double rng_uniform(rng *r);
/* Standard normal (mean 0, variance 1). */
double rng_normal(rng *r);
/* stddev * z for a standard normal z redrawn until |z| <= 2, as TF's truncated_normal. */
double rng_truncated_normal(rng *r, double stddev);

#endif
