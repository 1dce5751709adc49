/* safetensors writer (see common/safetensors.h).
 *
 * The header is built as a jansson object (which keeps insertion order): "__metadata__"
 * first when given, then the tensors in the caller's order with their data packed back to
 * back. The JSON is padded with spaces to a multiple of 8 bytes so the data area starts
 * aligned, as the reference implementation does. Every tensor is checked before anything
 * is written, and the file appears only complete (atomic_file). */
#include "common/safetensors.h"

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"
#include "common/safetensors_internal.h"

static rtpu_status add_metadata(const char *path, json_t *root, const char *const *metadata,
                                rtpu_error *err)
{
    json_t *object = json_object();
    if (!object || json_object_set_new(root, "__metadata__", object) != 0)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: cannot build the metadata header", path);
    for (size_t i = 0; metadata[i]; i += 2) {
        const char *key = metadata[i], *value = metadata[i + 1];
        if (!value)
            return rtpu_fail(err, RTPU_ERR_INVALID, "%s: metadata key '%s' has no value", path,
                             key);
        if (json_object_get(object, key))
            return rtpu_fail(err, RTPU_ERR_INVALID, "%s: duplicate metadata key '%s'", path, key);
        json_t *string = json_string(value);
        if (!string || json_object_set_new(object, key, string) != 0)
            return rtpu_fail(err, RTPU_ERR_INVALID,
                             "%s: metadata entry '%s' is not valid UTF-8 text", path, key);
    }
    return RTPU_OK;
}

/* {"dtype": .., "shape": [..], "data_offsets": [begin, end]}, or NULL if out of memory. */
static json_t *make_entry(const st_tensor *t, size_t begin, size_t end)
{
    json_t *entry = json_object(), *dims = json_array();
    bool ok = entry && dims &&
              json_object_set_new(entry, "dtype", json_string(st_dtype_name(t->dtype))) == 0;
    for (int i = 0; ok && i < t->ndim; i++)
        ok = json_array_append_new(dims, json_integer(t->shape[i])) == 0;
    ok = ok && json_object_set(entry, "shape", dims) == 0;
    ok = ok && json_object_set_new(entry, "data_offsets",
                                   json_pack("[I,I]", (json_int_t)begin, (json_int_t)end)) == 0;
    json_decref(dims);
    if (!ok) {
        json_decref(entry);
        return NULL;
    }
    return entry;
}

/* Checks one tensor and adds its header entry at byte offset *offset of the data area. */
static rtpu_status add_tensor(const char *path, json_t *root, size_t index, const st_tensor *t,
                              size_t *offset, rtpu_error *err)
{
    if (!t->name || !*t->name)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: tensor %zu has no name", path, index);
    const char *name = t->name;
    if (strcmp(name, "__metadata__") == 0)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: '__metadata__' is reserved, not a tensor name",
                         path);
    if (json_object_get(root, name))
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: duplicate tensor name '%s'", path, name);
    if (st_dtype_size(t->dtype) == 0)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: tensor '%s': invalid dtype %d", path, name,
                         (int)t->dtype);
    if (t->ndim < 0 || t->ndim > ST_MAX_DIMS)
        return rtpu_fail(err, RTPU_ERR_SHAPE, "%s: tensor '%s': %d dimensions (0..%d allowed)",
                         path, name, t->ndim, ST_MAX_DIMS);
    for (int i = 0; i < t->ndim; i++)
        if (t->shape[i] < 0)
            return rtpu_fail(err, RTPU_ERR_SHAPE, "%s: tensor '%s': shape[%d] = %lld is negative",
                             path, name, i, t->shape[i]);
    char shape[256];
    st_format_shape(shape, sizeof shape, t->ndim, t->shape);
    size_t needed;
    if (!st_shape_bytes(t->dtype, t->ndim, t->shape, (size_t)LLONG_MAX - *offset, &needed))
        return rtpu_fail(err, RTPU_ERR_SHAPE, "%s: tensor '%s': shape %s is absurdly large", path,
                         name, shape);
    if (t->nbytes != needed)
        return rtpu_fail(err, RTPU_ERR_SHAPE,
                         "%s: tensor '%s': nbytes is %zu but shape %s of %s needs %zu", path, name,
                         t->nbytes, shape, st_dtype_name(t->dtype), needed);
    if (needed > 0 && !t->data)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: tensor '%s' has no data", path, name);

    json_t *entry = make_entry(t, *offset, *offset + needed);
    if (!entry)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: cannot build the header entry for '%s'", path,
                         name);
    if (json_object_set_new(root, name, entry) != 0)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: tensor name '%s' is not valid UTF-8", path,
                         name);
    *offset += needed;
    return RTPU_OK;
}

/* Builds the padded header text (malloc'd) for the given tensors and metadata. */
static rtpu_status build_header(const char *path, const st_tensor *tensors, size_t count,
                                const char *const *metadata, char **text, size_t *length,
                                rtpu_error *err)
{
    json_t *root = json_object();
    if (!root)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: cannot build the header", path);
    rtpu_status status = metadata ? add_metadata(path, root, metadata, err) : RTPU_OK;
    size_t offset = 0;
    for (size_t i = 0; !status && i < count; i++)
        status = add_tensor(path, root, i, &tensors[i], &offset, err);
    char *json = status ? NULL : json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (status)
        return status;
    if (!json)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: cannot serialise the header", path);

    size_t used = strlen(json), padded = (used + 7) / 8 * 8;
    char *out = realloc(json, padded + 1);
    if (!out) {
        free(json);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: cannot allocate the header", path);
    }
    memset(out + used, ' ', padded - used);
    out[padded] = '\0';
    *text = out;
    *length = padded;
    return RTPU_OK;
}

rtpu_status st_file_write(const char *path, const st_tensor *tensors, size_t count,
                          const char *const *metadata, rtpu_error *err)
{
    if (count > 0 && !tensors)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: %zu tensors but no tensor array", path, count);
    char *header = NULL;
    size_t header_length = 0;
    rtpu_status status = build_header(path, tensors, count, metadata, &header, &header_length, err);
    if (status)
        return status;

    atomic_file *f;
    if ((status = atomic_file_open(path, &f, err))) {
        free(header);
        return status;
    }
    FILE *stream = atomic_file_stream(f);
    unsigned char size_bytes[8];
    for (int i = 0; i < 8; i++)
        size_bytes[i] = (unsigned char)((uint64_t)header_length >> (8 * i));
    fwrite(size_bytes, 1, sizeof size_bytes, stream);
    fwrite(header, 1, header_length, stream);
    free(header);
    /* A short write sets the stream's error flag, which makes commit fail and clean up. */
    for (size_t i = 0; i < count; i++)
        if (tensors[i].nbytes > 0)
            fwrite(tensors[i].data, 1, tensors[i].nbytes, stream);
    return atomic_file_commit(f, err);
}
