/* xoshiro256** with splitmix64 seeding, uniform and normal draws (see common/rng.h).
 * Reference: https://prng.di.unimi.it/xoshiro256starstar.c and splitmix64.c. */
#include "common/rng.h"

#include <math.h>

static uint64_t rotate_left(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix64_next(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->state[i] = splitmix64_next(&seed);
}

uint64_t rng_next(rng *r)
{
    uint64_t *s = r->state;
    uint64_t result = rotate_left(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotate_left(s[3], 45);
    return result;
}

double rng_uniform(rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* 2 pi to double precision (M_PI is not part of C17). */
static const double two_pi = 6.283185307179586476925286766559;

/* Box-Muller: 1 - u is in (0, 1], so the logarithm is finite. */
double rng_normal(rng *r)
{
    double u1 = 1.0 - rng_uniform(r);
    double u2 = rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(two_pi * u2);
}

double rng_truncated_normal(rng *r, double stddev)
{
    double z;
    do {
        z = rng_normal(r);
    } while (fabs(z) > 2.0);
    return stddev * z;
}
