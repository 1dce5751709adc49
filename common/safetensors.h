/* safetensors files: how model weights are stored (tensor names "<node>/<param>").
 *
 * Format (https://huggingface.co/docs/safetensors): an unsigned 64-bit little-endian
 * header size N, N bytes of JSON header, then the data area. The header is an object
 * {name: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...} with an
 * optional "__metadata__": {string: string}; offsets are relative to the data area.
 *
 * The reader checks every field against the file before anything uses it: sizes,
 * dtypes, shapes, offsets inside the data area, byte counts that match the shape, no two
 * tensors sharing bytes, no duplicate names. Gaps between tensors are tolerated.
 * Tensor data points into the loaded file and may be unaligned: memcpy it out. */
#ifndef RTPU_COMMON_SAFETENSORS_H
#define RTPU_COMMON_SAFETENSORS_H

#include <stddef.h>

#include "common/error.h"

typedef enum {
    ST_F32, ST_F16, ST_BF16, ST_F64, ST_I8, ST_U8, ST_I16, ST_I32, ST_I64, ST_BOOL
} st_dtype;

enum { ST_MAX_DIMS = 8 };

typedef struct st_tensor {
    const char *name;
    st_dtype dtype;
    int ndim; /* 0 is a scalar (one element) */
    long long shape[ST_MAX_DIMS];
    const void *data; /* little-endian raw bytes */
    size_t nbytes;
} st_tensor;

typedef struct st_file st_file;

rtpu_status st_file_read(const char *path, st_file **out, rtpu_error *err);
void st_file_destroy(st_file *f);
size_t st_file_count(const st_file *f);
/* In header order; NULL if index is out of range. */
const st_tensor *st_file_tensor(const st_file *f, size_t index);
/* NULL if absent. */
const st_tensor *st_file_find(const st_file *f, const char *name);
/* Value of a "__metadata__" entry; NULL if absent. */
const char *st_file_metadata(const st_file *f, const char *key);

/* Writes tensors in the given order (data packed back to back), the header padded with
 * spaces to a multiple of 8 bytes, atomically. metadata is NULL or alternating key, value
 * strings ending with NULL. Each tensor's nbytes must equal product(shape) * dtype size. */
rtpu_status st_file_write(const char *path, const st_tensor *tensors, size_t count,
                          const char *const *metadata, rtpu_error *err);

/* "F32", "F16", "BF16", "F64", "I8", "U8", "I16", "I32", "I64", "BOOL"; "?" if invalid. */
const char *st_dtype_name(st_dtype dtype);
/* Bytes per element; 0 if invalid. */
size_t st_dtype_size(st_dtype dtype);

#endif
