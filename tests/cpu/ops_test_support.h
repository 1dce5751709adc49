/* Small helpers shared by the kernel tests: a seeded generator, tensors filled with
 * random values, and a closeness check with a relative tolerance.
 *
 * Everything here is deliberately independent of the code under test: tests compute
 * their expected values with naive loops of their own and compare through these. */
#ifndef RTPU_TESTS_OPS_TEST_SUPPORT_H
#define RTPU_TESTS_OPS_TEST_SUPPORT_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/tensor.h"

/* splitmix64: deterministic, seeded, good enough for test data. */
typedef struct {
    uint64_t state;
} test_rng;

static inline uint64_t test_rng_next(test_rng *rng)
{
    uint64_t z = (rng->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [-1, 1). */
static inline float test_rng_float(test_rng *rng)
{
    return (float)((double)(test_rng_next(rng) >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

/* Uniform integer in [0, bound). */
static inline int test_rng_below(test_rng *rng, int bound)
{
    return (int)(test_rng_next(rng) % (uint64_t)bound);
}

static inline float *test_random_floats(test_rng *rng, size_t count)
{
    float *values = malloc((count ? count : 1) * sizeof *values);
    if (!values)
        abort();
    for (size_t i = 0; i < count; i++)
        values[i] = test_rng_float(rng);
    return values;
}

/* A tensor of the given shape; aborts the test binary on failure (tests only). */
static inline rtpu_tensor test_tensor(int n, int h, int w, int c)
{
    rtpu_tensor t;
    rtpu_error err = {0};
    if (tensor_create(&t, n, h, w, c, &err) != RTPU_OK) {
        fprintf(stderr, "test_tensor: %s\n", err.message);
        abort();
    }
    return t;
}

static inline rtpu_tensor test_random_tensor(test_rng *rng, int n, int h, int w, int c)
{
    rtpu_tensor t = test_tensor(n, h, w, c);
    for (size_t i = 0; i < tensor_count(&t); i++)
        t.data[i] = test_rng_float(rng);
    return t;
}

/* Index of the first element where |got - want| > tolerance * max(1, |want|), or -1.
 * Prints the offending element so a failure says where and by how much. */
static inline long test_first_mismatch(const float *got, const double *want, size_t count,
                                       double tolerance, const char *what)
{
    for (size_t i = 0; i < count; i++) {
        double scale = fabs(want[i]) > 1.0 ? fabs(want[i]) : 1.0;
        if (!(fabs((double)got[i] - want[i]) <= tolerance * scale)) {
            fprintf(stderr, "%s: element %zu is %.9g, expected %.9g\n", what, i, (double)got[i],
                    want[i]);
            return (long)i;
        }
    }
    return -1;
}

#endif
