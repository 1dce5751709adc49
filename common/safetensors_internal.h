/* Helpers shared by the safetensors reader (safetensors.c) and writer
 * (safetensors_write.c); not part of the public interface. */
#ifndef RTPU_COMMON_SAFETENSORS_INTERNAL_H
#define RTPU_COMMON_SAFETENSORS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "common/safetensors.h"

/* "[2,3]" for messages; "[]" for a scalar. */
void st_format_shape(char *out, size_t capacity, int ndim, const long long *shape);

/* product(shape) * dtype size into *bytes; false if it would exceed limit. Dimensions
 * must already be non-negative. */
bool st_shape_bytes(st_dtype dtype, int ndim, const long long *shape, size_t limit, size_t *bytes);

#endif
