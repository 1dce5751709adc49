/* Helpers shared by the fp32 kernels in runtime/ops_*.c (not part of the public API).
 *
 * Two things every window kernel needs: which part of a kernel window lies inside the
 * input (so padded cells are skipped, never read), and channel loops the compiler turns
 * into SIMD code. The project builds at -O2, where GCC only vectorises loops whose trip
 * count it knows, so the channel loops below run in fixed blocks of 8 plus a tail. */
#ifndef RTPU_CPU_OPS_INTERNAL_H
#define RTPU_CPU_OPS_INTERNAL_H

#include "common/tensor.h"

/* The window of output coordinate out_index starts at input coordinate
 * out_index * stride - pad. Sets [*first, *end) to the kernel taps that land inside
 * [0, in_size); the range is empty (first == end) when none do. */
static inline void window_taps_inside(int out_index, int stride, int pad, int kernel, int in_size,
                                      int *first, int *end)
{
    int start = out_index * stride - pad;
    int lo = start < 0 ? -start : 0;
    if (lo > kernel)
        lo = kernel;
    int hi = in_size - start < kernel ? in_size - start : kernel;
    *first = lo;
    *end = hi > lo ? hi : lo;
}

/* acc[i] += x[i] * k[i] for i < count. */
static inline void channels_multiply_add(float *restrict acc, const float *restrict x,
                                         const float *restrict k, int count)
{
    int i = 0;
    for (; i + 8 <= count; i += 8)
        for (int j = 0; j < 8; j++)
            acc[i + j] += x[i + j] * k[i + j];
    for (; i < count; i++)
        acc[i] += x[i] * k[i];
}

/* acc[i] = max(acc[i], x[i]) for i < count. */
static inline void channels_max(float *restrict acc, const float *restrict x, int count)
{
    int i = 0;
    for (; i + 8 <= count; i += 8)
        for (int j = 0; j < 8; j++)
            acc[i + j] = x[i + j] > acc[i + j] ? x[i + j] : acc[i + j];
    for (; i < count; i++)
        acc[i] = x[i] > acc[i] ? x[i] : acc[i];
}

/* acc[i] += x[i] for i < count. */
static inline void channels_add(float *restrict acc, const float *restrict x, int count)
{
    int i = 0;
    for (; i + 8 <= count; i += 8)
        for (int j = 0; j < 8; j++)
            acc[i + j] += x[i + j];
    for (; i < count; i++)
        acc[i] += x[i];
}

#endif
