/* NumPy .npy reader and float32 writer (see common/npy.h).
 *
 * The header is a Python dict literal. Rather than a general Python parser this file
 * has a small one for exactly what numpy writes: a dict with the keys 'descr' (a quoted
 * string), 'fortran_order' (True/False) and 'shape' (a tuple of integers), in any order,
 * with optional trailing commas and spaces. Anything else is an error that names the byte
 * offset in the file where parsing stopped. */
#include "common/npy.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"

/* 2^31 elements (8 GiB as float32) is far beyond any tensor here; larger means a corrupt
 * header. The file limit leaves room for the widest dtype (8 bytes) plus the header. */
#define NPY_MAX_ELEMENTS ((size_t)1 << 31)
#define NPY_MAX_FILE_BYTES (NPY_MAX_ELEMENTS * 8 + ((size_t)1 << 20))

static const char npy_magic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

/* ---------------------------------------------------------------- dtypes */

typedef enum { NPY_F4, NPY_F8, NPY_U1, NPY_I1, NPY_I4, NPY_I8 } npy_dtype;

static const struct {
    const char *descr;
    npy_dtype dtype;
    size_t itemsize;
} npy_dtypes[] = {
    {"<f4", NPY_F4, 4}, {"<f8", NPY_F8, 8}, {"|u1", NPY_U1, 1},
    {"|i1", NPY_I1, 1}, {"<i4", NPY_I4, 4}, {"<i8", NPY_I8, 8},
};

static uint32_t load_u32_le(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t load_u64_le(const unsigned char *p)
{
    return (uint64_t)load_u32_le(p) | (uint64_t)load_u32_le(p + 4) << 32;
}

/* Converts count elements of the given little-endian dtype to float32, byte by byte so
 * the result does not depend on the host's endianness or alignment. */
static void convert_to_f32(npy_dtype dtype, const unsigned char *src, size_t count, float *dst)
{
    for (size_t i = 0; i < count; i++) {
        switch (dtype) {
        case NPY_F4: {
            uint32_t bits = load_u32_le(src + 4 * i);
            memcpy(&dst[i], &bits, sizeof bits);
            break;
        }
        case NPY_F8: {
            uint64_t bits = load_u64_le(src + 8 * i);
            double value;
            memcpy(&value, &bits, sizeof bits);
            dst[i] = (float)value;
            break;
        }
        case NPY_U1: dst[i] = (float)src[i]; break;
        case NPY_I1: dst[i] = (float)(int8_t)src[i]; break;
        case NPY_I4: {
            uint32_t bits = load_u32_le(src + 4 * i);
            int32_t value;
            memcpy(&value, &bits, sizeof bits);
            dst[i] = (float)value;
            break;
        }
        case NPY_I8: {
            uint64_t bits = load_u64_le(src + 8 * i);
            int64_t value;
            memcpy(&value, &bits, sizeof bits);
            dst[i] = (float)value;
            break;
        }
        }
    }
}

/* "(2, 3)" for messages; "()" for a scalar. */
static void format_shape(char *out, size_t capacity, int ndim, const long long *shape)
{
    size_t used = (size_t)snprintf(out, capacity, "(");
    for (int i = 0; i < ndim && used < capacity; i++)
        used += (size_t)snprintf(out + used, capacity - used, "%s%lld", i ? ", " : "", shape[i]);
    if (used < capacity)
        snprintf(out + used, capacity - used, ")");
}

/* ---------------------------------------------------------------- header parser */

typedef struct header_cursor {
    const char *text;
    size_t length;
    size_t pos;
    size_t file_offset; /* offset of text[0] in the file, for messages */
    const char *path;
    rtpu_error *err;
} header_cursor;

typedef struct npy_header {
    char descr[16];
    bool fortran_order;
    int ndim;
    long long shape[NPY_MAX_DIMS];
} npy_header;

static rtpu_status header_error(header_cursor *c, const char *what)
{
    return rtpu_fail(c->err, RTPU_ERR_PARSE, "%s: npy header at byte %zu: %s", c->path,
                     c->file_offset + c->pos, what);
}

static void skip_spaces(header_cursor *c)
{
    while (c->pos < c->length && (c->text[c->pos] == ' ' || c->text[c->pos] == '\t' ||
                                  c->text[c->pos] == '\r' || c->text[c->pos] == '\n'))
        c->pos++;
}

static bool at(header_cursor *c, char ch)
{
    return c->pos < c->length && c->text[c->pos] == ch;
}

static rtpu_status expect(header_cursor *c, char ch, const char *what)
{
    skip_spaces(c);
    if (!at(c, ch))
        return header_error(c, what);
    c->pos++;
    return RTPU_OK;
}

/* A quoted string with ' or " quotes and no escapes, at most capacity - 1 characters. */
static rtpu_status parse_string(header_cursor *c, char *out, size_t capacity)
{
    skip_spaces(c);
    if (!at(c, '\'') && !at(c, '"'))
        return header_error(c, "expected a quoted string");
    char quote = c->text[c->pos++];
    size_t start = c->pos;
    while (c->pos < c->length && c->text[c->pos] != quote) {
        if (c->text[c->pos] == '\\')
            return header_error(c, "escape sequences are not supported in strings");
        c->pos++;
    }
    if (c->pos >= c->length)
        return header_error(c, "unterminated string");
    size_t length = c->pos - start;
    if (length >= capacity) {
        c->pos = start;
        return header_error(c, "string is too long");
    }
    memcpy(out, c->text + start, length);
    out[length] = '\0';
    c->pos++;
    return RTPU_OK;
}

static rtpu_status parse_bool(header_cursor *c, bool *out)
{
    skip_spaces(c);
    const char *rest = c->text + c->pos;
    size_t left = c->length - c->pos;
    if (left >= 4 && memcmp(rest, "True", 4) == 0) {
        *out = true;
        c->pos += 4;
    } else if (left >= 5 && memcmp(rest, "False", 5) == 0) {
        *out = false;
        c->pos += 5;
    } else {
        return header_error(c, "expected True or False for 'fortran_order'");
    }
    return RTPU_OK;
}

/* A non-negative decimal integer; Python 2 era files may add an 'L' suffix. Values
 * beyond NPY_MAX_ELEMENTS are refused here, so later products cannot overflow. */
static rtpu_status parse_dimension(header_cursor *c, long long *out)
{
    skip_spaces(c);
    size_t start = c->pos;
    long long value = 0;
    while (c->pos < c->length && c->text[c->pos] >= '0' && c->text[c->pos] <= '9') {
        value = value * 10 + (c->text[c->pos] - '0');
        if (value > (long long)NPY_MAX_ELEMENTS) {
            c->pos = start;
            return rtpu_fail(c->err, RTPU_ERR_NOMEM,
                             "%s: npy header at byte %zu: dimension is absurdly large", c->path,
                             c->file_offset + start);
        }
        c->pos++;
    }
    if (c->pos == start)
        return header_error(c, at(c, '-') ? "shape dimensions must not be negative"
                                          : "expected a non-negative integer in 'shape'");
    if (at(c, 'L'))
        c->pos++;
    *out = value;
    return RTPU_OK;
}

/* "(" [dim {"," dim} [","]] ")" */
static rtpu_status parse_shape(header_cursor *c, npy_header *h)
{
    rtpu_status status = expect(c, '(', "expected '(' to start 'shape'");
    if (status)
        return status;
    h->ndim = 0;
    for (;;) {
        skip_spaces(c);
        if (at(c, ')'))
            break;
        if (h->ndim == NPY_MAX_DIMS)
            return rtpu_fail(c->err, RTPU_ERR_UNSUPPORTED,
                             "%s: npy header at byte %zu: more than %d dimensions", c->path,
                             c->file_offset + c->pos, NPY_MAX_DIMS);
        if ((status = parse_dimension(c, &h->shape[h->ndim])))
            return status;
        h->ndim++;
        skip_spaces(c);
        if (at(c, ','))
            c->pos++;
        else if (!at(c, ')'))
            return header_error(c, "expected ',' or ')' in 'shape'");
    }
    c->pos++;
    return RTPU_OK;
}

static rtpu_status parse_header(header_cursor *c, npy_header *h)
{
    enum { SEEN_DESCR = 1, SEEN_FORTRAN = 2, SEEN_SHAPE = 4 };
    int seen = 0;
    rtpu_status status = expect(c, '{', "expected '{' to start the header dict");
    if (status)
        return status;
    for (;;) {
        skip_spaces(c);
        if (at(c, '}'))
            break;
        size_t key_pos = c->pos;
        char key[32];
        if ((status = parse_string(c, key, sizeof key)))
            return status;
        if ((status = expect(c, ':', "expected ':' after a key")))
            return status;
        int flag;
        if (strcmp(key, "descr") == 0) {
            flag = SEEN_DESCR;
            status = parse_string(c, h->descr, sizeof h->descr);
        } else if (strcmp(key, "fortran_order") == 0) {
            flag = SEEN_FORTRAN;
            status = parse_bool(c, &h->fortran_order);
        } else if (strcmp(key, "shape") == 0) {
            flag = SEEN_SHAPE;
            status = parse_shape(c, h);
        } else {
            c->pos = key_pos;
            return header_error(c, "unknown key (expected 'descr', 'fortran_order', 'shape')");
        }
        if (status)
            return status;
        if (seen & flag) {
            c->pos = key_pos;
            return header_error(c, "duplicate key");
        }
        seen |= flag;
        skip_spaces(c);
        if (at(c, ','))
            c->pos++;
        else if (!at(c, '}'))
            return header_error(c, "expected ',' or '}' after a value");
    }
    c->pos++;
    skip_spaces(c);
    if (c->pos != c->length)
        return header_error(c, "unexpected text after the header dict");
    if (seen != (SEEN_DESCR | SEEN_FORTRAN | SEEN_SHAPE))
        return header_error(c, !(seen & SEEN_DESCR)     ? "header has no 'descr'"
                               : !(seen & SEEN_FORTRAN) ? "header has no 'fortran_order'"
                                                        : "header has no 'shape'");
    return RTPU_OK;
}

/* ---------------------------------------------------------------- reading */

/* Checks the fixed prefix and finds the header text: *header_offset is where it starts,
 * *data_offset where the elements start. */
static rtpu_status read_prefix(const char *path, const unsigned char *bytes, size_t size,
                               size_t *header_offset, size_t *data_offset, rtpu_error *err)
{
    if (size < 10 || memcmp(bytes, npy_magic, sizeof npy_magic) != 0)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: not a .npy file (no \\x93NUMPY magic)", path);
    int major = bytes[6], minor = bytes[7];
    size_t header_length;
    if (major == 1 && minor == 0) {
        header_length = (size_t)bytes[8] | (size_t)bytes[9] << 8;
        *header_offset = 10;
    } else if ((major == 2 || major == 3) && minor == 0) {
        if (size < 12)
            return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: truncated npy v%d header length", path,
                             major);
        header_length = load_u32_le(bytes + 8);
        *header_offset = 12;
    } else {
        return rtpu_fail(err, RTPU_ERR_UNSUPPORTED,
                         "%s: unsupported npy version %d.%d (expected 1.0, 2.0 or 3.0)", path,
                         major, minor);
    }
    if (header_length > size - *header_offset)
        return rtpu_fail(err, RTPU_ERR_FORMAT,
                         "%s: npy header length %zu runs past the end of the %zu-byte file", path,
                         header_length, size);
    *data_offset = *header_offset + header_length;
    return RTPU_OK;
}

static rtpu_status find_dtype(const char *path, const npy_header *h, npy_dtype *dtype,
                              size_t *itemsize, rtpu_error *err)
{
    for (size_t i = 0; i < sizeof npy_dtypes / sizeof npy_dtypes[0]; i++) {
        if (strcmp(h->descr, npy_dtypes[i].descr) == 0) {
            *dtype = npy_dtypes[i].dtype;
            *itemsize = npy_dtypes[i].itemsize;
            return RTPU_OK;
        }
    }
    return rtpu_fail(err, RTPU_ERR_UNSUPPORTED,
                     "%s: unsupported npy dtype '%s' (supported: <f4 <f8 |u1 |i1 <i4 <i8)", path,
                     h->descr);
}

/* Validates the whole file image and converts its elements into out. */
static rtpu_status parse_npy(const char *path, const unsigned char *bytes, size_t size,
                             npy_array *out, rtpu_error *err)
{
    size_t header_offset = 0, data_offset = 0;
    rtpu_status status = read_prefix(path, bytes, size, &header_offset, &data_offset, err);
    if (status)
        return status;
    header_cursor cursor = {
        .text = (const char *)bytes + header_offset,
        .length = data_offset - header_offset,
        .file_offset = header_offset,
        .path = path,
        .err = err,
    };
    npy_header header = {0};
    if ((status = parse_header(&cursor, &header)))
        return status;
    if (header.fortran_order)
        return rtpu_fail(err, RTPU_ERR_UNSUPPORTED,
                         "%s: fortran_order True is not supported (save the array in C order)",
                         path);
    npy_dtype dtype = NPY_F4;
    size_t itemsize = 0;
    if ((status = find_dtype(path, &header, &dtype, &itemsize, err)))
        return status;

    /* Each dimension is at most NPY_MAX_ELEMENTS, so checking the running product
     * against the limit before every multiplication keeps it from overflowing. */
    char shape[256];
    format_shape(shape, sizeof shape, header.ndim, header.shape);
    size_t count = 1;
    for (int i = 0; i < header.ndim; i++) {
        size_t dim = (size_t)header.shape[i];
        if (dim != 0 && count > NPY_MAX_ELEMENTS / dim)
            return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: npy shape %s is absurdly large", path,
                             shape);
        count *= dim;
    }
    size_t needed = count * itemsize;
    size_t available = size - data_offset;
    if (available < needed)
        return rtpu_fail(err, RTPU_ERR_FORMAT,
                         "%s: npy data is %zu bytes but shape %s of %s needs %zu (truncated file)",
                         path, available, shape, header.descr, needed);
    if (available > needed)
        return rtpu_fail(err, RTPU_ERR_FORMAT,
                         "%s: npy data is %zu bytes but shape %s of %s needs %zu (trailing bytes)",
                         path, available, shape, header.descr, needed);

    float *data = malloc((count ? count : 1) * sizeof *data);
    if (!data)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: cannot allocate %zu floats", path, count);
    convert_to_f32(dtype, bytes + data_offset, count, data);
    out->ndim = header.ndim;
    memcpy(out->shape, header.shape, sizeof header.shape);
    out->data = data;
    return RTPU_OK;
}

rtpu_status npy_read(const char *path, npy_array *out, rtpu_error *err)
{
    *out = (npy_array){0};
    void *contents;
    size_t size;
    rtpu_status status = read_whole_file(path, NPY_MAX_FILE_BYTES, &contents, &size, err);
    if (status)
        return status;
    status = parse_npy(path, contents, size, out, err);
    free(contents);
    return status;
}

void npy_array_destroy(npy_array *a)
{
    if (!a)
        return;
    free(a->data);
    *a = (npy_array){0};
}

size_t npy_array_count(const npy_array *a)
{
    size_t count = 1;
    for (int i = 0; i < a->ndim; i++)
        count *= (size_t)a->shape[i];
    return count;
}

/* ---------------------------------------------------------------- writing */

/* Builds the v1 header: dict, spaces, '\n', so that magic + version + length + header
 * is a multiple of 64 bytes, as numpy does. Returns the header length. */
static size_t build_header(char *out, size_t capacity, int ndim, const long long *shape)
{
    size_t used = (size_t)snprintf(out, capacity,
                                   "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < ndim; i++)
        used += (size_t)snprintf(out + used, capacity - used, "%s%lld", i ? ", " : "", shape[i]);
    used += (size_t)snprintf(out + used, capacity - used, "%s), }", ndim == 1 ? "," : "");
    while ((10 + used + 1) % 64 != 0)
        out[used++] = ' ';
    out[used++] = '\n';
    return used;
}

rtpu_status npy_write_f32(const char *path, const float *data, int ndim, const long long *shape,
                          rtpu_error *err)
{
    if (ndim < 0 || ndim > NPY_MAX_DIMS || (ndim > 0 && !shape))
        return rtpu_fail(err, RTPU_ERR_SHAPE, "%s: cannot write npy with %d dimensions (0..%d)",
                         path, ndim, NPY_MAX_DIMS);
    size_t count = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0 || (size_t)shape[i] > NPY_MAX_ELEMENTS ||
            (shape[i] != 0 && count > NPY_MAX_ELEMENTS / (size_t)shape[i])) {
            char text[256];
            format_shape(text, sizeof text, ndim, shape);
            return rtpu_fail(err, RTPU_ERR_SHAPE, "%s: cannot write npy of shape %s", path, text);
        }
        count *= (size_t)shape[i];
    }
    if (count > 0 && !data)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: no data for %zu npy elements", path, count);

    /* 8 dimensions of at most 10 digits each keep the header far below 256 bytes. */
    char header[256];
    size_t header_length = build_header(header, sizeof header, ndim, shape);
    unsigned char prefix[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                (unsigned char)(header_length & 0xff),
                                (unsigned char)(header_length >> 8)};

    atomic_file *f;
    rtpu_status status = atomic_file_open(path, &f, err);
    if (status)
        return status;
    FILE *stream = atomic_file_stream(f);
    fwrite(prefix, 1, sizeof prefix, stream);
    fwrite(header, 1, header_length, stream);
    /* Elements go out little-endian in blocks, whatever the host byte order. */
    unsigned char block[4096];
    for (size_t i = 0; i < count;) {
        size_t n = 0;
        for (; n < sizeof block / 4 && i < count; n++, i++) {
            uint32_t bits;
            memcpy(&bits, &data[i], sizeof bits);
            for (int b = 0; b < 4; b++)
                block[4 * n + (size_t)b] = (unsigned char)(bits >> (8 * b));
        }
        if (fwrite(block, 4, n, stream) != n)
            break; /* the stream's error flag makes commit fail */
    }
    return atomic_file_commit(f, err);
}
