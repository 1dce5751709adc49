/* safetensors reader, lookups and dtype table (see common/safetensors.h; the writer is
 * in safetensors_write.c).
 *
 * The whole file is read into memory once; tensors point into that buffer. The header
 * is parsed with jansson (duplicate keys rejected, line:column in syntax errors) and
 * every entry is checked before the file is handed out, so users of st_file never see
 * an offset or size they would have to re-check. */
#include "common/safetensors.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"
#include "common/safetensors_internal.h"

/* Whole weight files above 4 GiB or headers above 100 MB mean a corrupt size field
 * (the median model's weights are a few MB). */
#define ST_MAX_FILE_BYTES ((size_t)4 << 30)
#define ST_MAX_HEADER_BYTES ((uint64_t)100 * 1000 * 1000)

struct st_file {
    unsigned char *contents; /* the whole file, tensors point into it */
    size_t size;
    st_tensor *tensors;
    size_t count;
    char **metadata; /* key, value, key, value, ... (owned copies) */
    size_t metadata_count;
};

/* ---------------------------------------------------------------- dtypes */

static const struct {
    st_dtype dtype;
    const char *name;
    size_t size;
} st_dtypes[] = {
    {ST_F32, "F32", 4}, {ST_F16, "F16", 2}, {ST_BF16, "BF16", 2}, {ST_F64, "F64", 8},
    {ST_I8, "I8", 1},   {ST_U8, "U8", 1},   {ST_I16, "I16", 2},   {ST_I32, "I32", 4},
    {ST_I64, "I64", 8}, {ST_BOOL, "BOOL", 1},
};
enum { ST_DTYPE_COUNT = sizeof st_dtypes / sizeof st_dtypes[0] };

const char *st_dtype_name(st_dtype dtype)
{
    for (size_t i = 0; i < ST_DTYPE_COUNT; i++)
        if (st_dtypes[i].dtype == dtype)
            return st_dtypes[i].name;
    return "?";
}

size_t st_dtype_size(st_dtype dtype)
{
    for (size_t i = 0; i < ST_DTYPE_COUNT; i++)
        if (st_dtypes[i].dtype == dtype)
            return st_dtypes[i].size;
    return 0;
}

static bool st_dtype_parse(const char *name, st_dtype *out)
{
    for (size_t i = 0; i < ST_DTYPE_COUNT; i++) {
        if (strcmp(st_dtypes[i].name, name) == 0) {
            *out = st_dtypes[i].dtype;
            return true;
        }
    }
    return false;
}

void st_format_shape(char *out, size_t capacity, int ndim, const long long *shape)
{
    size_t used = (size_t)snprintf(out, capacity, "[");
    for (int i = 0; i < ndim && used < capacity; i++)
        used += (size_t)snprintf(out + used, capacity - used, "%s%lld", i ? "," : "", shape[i]);
    if (used < capacity)
        snprintf(out + used, capacity - used, "]");
}

bool st_shape_bytes(st_dtype dtype, int ndim, const long long *shape, size_t limit, size_t *bytes)
{
    /* A zero dimension makes the tensor empty whatever the others are; checking for it
     * first keeps [huge, huge, 0] from being reported as an overflow. */
    for (int i = 0; i < ndim; i++) {
        if (shape[i] == 0) {
            *bytes = 0;
            return true;
        }
    }
    size_t total = st_dtype_size(dtype);
    for (int i = 0; i < ndim; i++) {
        if ((unsigned long long)shape[i] > limit || total > limit / (size_t)shape[i])
            return false;
        total *= (size_t)shape[i];
    }
    if (total > limit)
        return false;
    *bytes = total;
    return true;
}

/* ---------------------------------------------------------------- header entries */

/* Where a tensor's bytes are, for the overlap check. */
typedef struct byte_range {
    unsigned long long begin, end;
    size_t index;
} byte_range;

static rtpu_status parse_shape(const char *path, const char *name, json_t *shape, st_tensor *t,
                               rtpu_error *err)
{
    if (!json_is_array(shape))
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: tensor '%s': 'shape' is not an array", path,
                         name);
    if (json_array_size(shape) > ST_MAX_DIMS)
        return rtpu_fail(err, RTPU_ERR_UNSUPPORTED,
                         "%s: tensor '%s': 'shape' has %zu dimensions, more than %d", path, name,
                         json_array_size(shape), ST_MAX_DIMS);
    t->ndim = (int)json_array_size(shape);
    for (int i = 0; i < t->ndim; i++) {
        json_t *dim = json_array_get(shape, (size_t)i);
        if (!json_is_integer(dim) || json_integer_value(dim) < 0)
            return rtpu_fail(err, RTPU_ERR_INVALID,
                             "%s: tensor '%s': shape[%d] is not a non-negative integer", path, name,
                             i);
        t->shape[i] = json_integer_value(dim);
    }
    return RTPU_OK;
}

static rtpu_status parse_offsets(const char *path, const char *name, json_t *offsets,
                                 size_t data_size, byte_range *range, rtpu_error *err)
{
    json_t *begin = json_array_get(offsets, 0), *end = json_array_get(offsets, 1);
    if (!json_is_array(offsets) || json_array_size(offsets) != 2 || !json_is_integer(begin) ||
        !json_is_integer(end) || json_integer_value(begin) < 0 || json_integer_value(end) < 0)
        return rtpu_fail(err, RTPU_ERR_INVALID,
                         "%s: tensor '%s': 'data_offsets' must be [begin, end] with non-negative "
                         "integers",
                         path, name);
    range->begin = (unsigned long long)json_integer_value(begin);
    range->end = (unsigned long long)json_integer_value(end);
    if (range->begin > range->end)
        return rtpu_fail(err, RTPU_ERR_INVALID,
                         "%s: tensor '%s': data_offsets [%llu, %llu] have begin > end", path, name,
                         range->begin, range->end);
    if (range->end > data_size)
        return rtpu_fail(err, RTPU_ERR_FORMAT,
                         "%s: tensor '%s': data_offsets [%llu, %llu] lie outside the %zu-byte data "
                         "area",
                         path, name, range->begin, range->end, data_size);
    return RTPU_OK;
}

/* One {"dtype", "shape", "data_offsets"} entry, checked against the data area. */
static rtpu_status parse_tensor(const char *path, const char *name, json_t *entry,
                                const unsigned char *data_area, size_t data_size, st_tensor *t,
                                byte_range *range, rtpu_error *err)
{
    if (!*name)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: tensor with an empty name", path);
    if (!json_is_object(entry))
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: tensor '%s': entry is not an object", path,
                         name);
    const char *field;
    json_t *value;
    json_object_foreach(entry, field, value) {
        if (strcmp(field, "dtype") != 0 && strcmp(field, "shape") != 0 &&
            strcmp(field, "data_offsets") != 0)
            return rtpu_fail(err, RTPU_ERR_INVALID,
                             "%s: tensor '%s': unknown field '%s' (expected dtype, shape, "
                             "data_offsets)",
                             path, name, field);
    }
    static const char *const required[] = {"dtype", "shape", "data_offsets"};
    for (size_t i = 0; i < 3; i++)
        if (!json_object_get(entry, required[i]))
            return rtpu_fail(err, RTPU_ERR_INVALID, "%s: tensor '%s': missing '%s'", path, name,
                             required[i]);

    json_t *dtype = json_object_get(entry, "dtype");
    if (!json_is_string(dtype))
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: tensor '%s': 'dtype' is not a string", path,
                         name);
    if (!st_dtype_parse(json_string_value(dtype), &t->dtype))
        return rtpu_fail(err, RTPU_ERR_UNSUPPORTED,
                         "%s: tensor '%s': unknown dtype '%s' (supported: F32 F16 BF16 F64 I8 U8 "
                         "I16 I32 I64 BOOL)",
                         path, name, json_string_value(dtype));
    rtpu_status status = parse_shape(path, name, json_object_get(entry, "shape"), t, err);
    if (status)
        return status;
    status = parse_offsets(path, name, json_object_get(entry, "data_offsets"), data_size, range,
                           err);
    if (status)
        return status;

    size_t needed;
    char shape[256];
    st_format_shape(shape, sizeof shape, t->ndim, t->shape);
    if (!st_shape_bytes(t->dtype, t->ndim, t->shape, SIZE_MAX, &needed))
        return rtpu_fail(err, RTPU_ERR_FORMAT,
                         "%s: tensor '%s': shape %s of %s is absurdly large", path, name, shape,
                         st_dtype_name(t->dtype));
    if (range->end - range->begin != needed)
        return rtpu_fail(err, RTPU_ERR_FORMAT,
                         "%s: tensor '%s': data_offsets [%llu, %llu] hold %llu bytes but shape %s "
                         "of %s needs %zu",
                         path, name, range->begin, range->end, range->end - range->begin, shape,
                         st_dtype_name(t->dtype), needed);
    t->data = data_area + range->begin;
    t->nbytes = needed;
    return RTPU_OK;
}

static rtpu_status parse_metadata(const char *path, json_t *object, st_file *f, rtpu_error *err)
{
    if (!json_is_object(object))
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: '__metadata__' is not an object", path);
    f->metadata = calloc(2 * json_object_size(object) + 1, sizeof *f->metadata);
    if (!f->metadata)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: cannot allocate metadata", path);
    const char *key;
    json_t *value;
    json_object_foreach(object, key, value) {
        if (!json_is_string(value))
            return rtpu_fail(err, RTPU_ERR_INVALID,
                             "%s: '__metadata__' entry '%s' is not a string", path, key);
        char **slot = &f->metadata[2 * f->metadata_count];
        slot[0] = strdup(key);
        slot[1] = strdup(json_string_value(value));
        f->metadata_count++; /* counted first so destroy frees a half-made pair */
        if (!slot[0] || !slot[1])
            return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: cannot allocate metadata", path);
    }
    return RTPU_OK;
}

static int compare_ranges(const void *a, const void *b)
{
    const byte_range *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

/* Sorted by begin, a non-empty range overlaps an earlier one exactly when it starts
 * before the furthest end seen so far. Empty tensors occupy no bytes and are skipped. */
static rtpu_status check_overlaps(const char *path, const st_file *f, byte_range *ranges,
                                  rtpu_error *err)
{
    qsort(ranges, f->count, sizeof *ranges, compare_ranges);
    const byte_range *furthest = NULL;
    for (size_t i = 0; i < f->count; i++) {
        const byte_range *r = &ranges[i];
        if (r->begin == r->end)
            continue;
        if (furthest && r->begin < furthest->end)
            return rtpu_fail(err, RTPU_ERR_FORMAT,
                             "%s: tensors '%s' [%llu, %llu] and '%s' [%llu, %llu] overlap", path,
                             f->tensors[furthest->index].name, furthest->begin, furthest->end,
                             f->tensors[r->index].name, r->begin, r->end);
        if (!furthest || r->end > furthest->end)
            furthest = r;
    }
    return RTPU_OK;
}

/* ---------------------------------------------------------------- whole file */

static rtpu_status parse_header(const char *path, json_t *root, const unsigned char *data_area,
                                size_t data_size, st_file *f, rtpu_error *err)
{
    size_t entries = json_object_size(root);
    f->tensors = calloc(entries + 1, sizeof *f->tensors);
    byte_range *ranges = calloc(entries + 1, sizeof *ranges);
    if (!f->tensors || !ranges) {
        free(ranges);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: cannot allocate %zu tensor entries", path,
                         entries);
    }
    rtpu_status status = RTPU_OK;
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value) {
        if (strcmp(key, "__metadata__") == 0) {
            status = parse_metadata(path, value, f, err);
        } else {
            st_tensor *t = &f->tensors[f->count];
            status = parse_tensor(path, key, value, data_area, data_size, t, &ranges[f->count],
                                  err);
            if (!status && !(t->name = strdup(key)))
                status = rtpu_fail(err, RTPU_ERR_NOMEM, "%s: cannot allocate a tensor name", path);
            if (!status) {
                ranges[f->count].index = f->count;
                f->count++;
            }
        }
        if (status)
            break;
    }
    if (!status)
        status = check_overlaps(path, f, ranges, err);
    free(ranges);
    return status;
}

static rtpu_status parse_file(const char *path, st_file *f, rtpu_error *err)
{
    if (f->size < 8)
        return rtpu_fail(err, RTPU_ERR_FORMAT,
                         "%s: file is %zu bytes, too short for the 8-byte safetensors header size",
                         path, f->size);
    uint64_t header_size = 0;
    for (int i = 7; i >= 0; i--)
        header_size = header_size << 8 | f->contents[i];
    if (header_size > ST_MAX_HEADER_BYTES)
        return rtpu_fail(err, RTPU_ERR_FORMAT,
                         "%s: header size %llu is larger than the 100 MB limit (corrupt file?)",
                         path, (unsigned long long)header_size);
    if (header_size > f->size - 8)
        return rtpu_fail(err, RTPU_ERR_FORMAT,
                         "%s: header size %llu runs past the end of the %zu-byte file", path,
                         (unsigned long long)header_size, f->size);

    json_error_t json_error;
    json_t *root = json_loadb((const char *)f->contents + 8, (size_t)header_size,
                              JSON_REJECT_DUPLICATES, &json_error);
    if (!root)
        return rtpu_fail(err, RTPU_ERR_PARSE, "%s: header JSON %d:%d: %s", path, json_error.line,
                         json_error.column, json_error.text);
    rtpu_status status;
    if (!json_is_object(root))
        status = rtpu_fail(err, RTPU_ERR_FORMAT, "%s: header is not a JSON object", path);
    else
        status = parse_header(path, root, f->contents + 8 + header_size,
                              f->size - 8 - (size_t)header_size, f, err);
    json_decref(root);
    return status;
}

rtpu_status st_file_read(const char *path, st_file **out, rtpu_error *err)
{
    *out = NULL;
    st_file *f = calloc(1, sizeof *f);
    if (!f)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: cannot allocate safetensors state", path);
    void *contents;
    rtpu_status status = read_whole_file(path, ST_MAX_FILE_BYTES, &contents, &f->size, err);
    if (status) {
        free(f);
        return status;
    }
    f->contents = contents;
    status = parse_file(path, f, err);
    if (status) {
        st_file_destroy(f);
        return status;
    }
    *out = f;
    return RTPU_OK;
}

void st_file_destroy(st_file *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->count; i++)
        free((char *)f->tensors[i].name);
    for (size_t i = 0; i < 2 * f->metadata_count; i++)
        free(f->metadata[i]);
    free(f->metadata);
    free(f->tensors);
    free(f->contents);
    free(f);
}

size_t st_file_count(const st_file *f)
{
    return f->count;
}

const st_tensor *st_file_tensor(const st_file *f, size_t index)
{
    return index < f->count ? &f->tensors[index] : NULL;
}

const st_tensor *st_file_find(const st_file *f, const char *name)
{
    for (size_t i = 0; i < f->count; i++)
        if (strcmp(f->tensors[i].name, name) == 0)
            return &f->tensors[i];
    return NULL;
}

const char *st_file_metadata(const st_file *f, const char *key)
{
    for (size_t i = 0; i < f->metadata_count; i++)
        if (strcmp(f->metadata[2 * i], key) == 0)
            return f->metadata[2 * i + 1];
    return NULL;
}
