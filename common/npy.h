/* NumPy .npy files: the raw-tensor input and output format of the CLI.
 *
 * Format (numpy.lib.format): "\x93NUMPY", major and minor version bytes, the header
 * length (u16 LE for v1, u32 LE for v2 and v3), then the header, a Python dict literal
 * such as {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with spaces
 * and ended by '\n', then the elements in C order.
 *
 * npy_read accepts versions 1, 2 and 3 and the dtypes <f4, <f8, |u1, |i1, <i4, <i8, and
 * converts every element to float32 (integers and doubles are rounded to nearest).
 * Fortran-ordered arrays are refused rather than silently transposed. npy_write_f32
 * writes version 1, dtype <f4, C order, atomically. */
#ifndef RTPU_COMMON_NPY_H
#define RTPU_COMMON_NPY_H

#include <stddef.h>

#include "common/error.h"

enum { NPY_MAX_DIMS = 8 };

/* shape[0..ndim) is meaningful; ndim 0 is a scalar (one element). data is never NULL
 * after a successful read, even for zero elements. */
typedef struct npy_array {
    int ndim;
    long long shape[NPY_MAX_DIMS];
    float *data;
} npy_array;

rtpu_status npy_read(const char *path, npy_array *out, rtpu_error *err);
void npy_array_destroy(npy_array *a);
/* Product of the shape (1 for a scalar). */
size_t npy_array_count(const npy_array *a);
rtpu_status npy_write_f32(const char *path, const float *data, int ndim, const long long *shape,
                          rtpu_error *err);

#endif
