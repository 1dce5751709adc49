/* The .rtpu file: serialisation and the checking loader (layout in program.h).
 *
 * The loader trusts nothing: it checks the size against the header, the CRC, every
 * count against the bytes that remain (before allocating), the embedded config, each
 * instruction's encoding, each tensor record, and finally every static bound
 * (program_check). Only then does a program exist.
 *
 * It also accepts only the one byte sequence program_serialize would write for the
 * program it returns: text fields are NUL-padded with zeros, segment padding is zero, and
 * a config field too wide for its member is an error rather than truncated. So a file
 * that loads is the canonical form of its program, and serialise(parse(file)) == file
 * (and disasm -> asm, which tests/fuzz checks on every program the fuzzer finds). Memory
 * the loader allocates is bounded by the file's size: every count is checked against the
 * bytes left first. The DRAM size a program declares is only checked against its config
 * (at most 4 GiB), and allocated by whoever runs it (sim_create). */
#include "target/program.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"

static const char magic[8] = {'R', 'T', 'P', 'U', 'P', 'R', 'O', 'G'};
enum {
    HEADER_BYTES = 8 + 4 + 4 + 8,
    TENSOR_RECORD_BYTES = 176,
    CHECKSUM_BYTES = 4,
};

uint32_t program_crc32(const uint8_t *bytes, size_t size)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < size; i++) {
        crc ^= bytes[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xffffffffu;
}

/* ---- writing ---- */

typedef struct writer {
    uint8_t *bytes;
    size_t size, capacity;
    bool failed;
} writer;

static void put(writer *w, const void *data, size_t n)
{
    if (w->failed)
        return;
    if (w->size + n > w->capacity) {
        size_t cap = w->capacity ? w->capacity : 4096;
        while (cap < w->size + n)
            cap *= 2;
        uint8_t *more = realloc(w->bytes, cap);
        if (!more) {
            w->failed = true;
            return;
        }
        w->bytes = more;
        w->capacity = cap;
    }
    memcpy(w->bytes + w->size, data, n);
    w->size += n;
}

static void put_u32(writer *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(w, b, 4);
}

static void put_u64(writer *w, uint64_t v)
{
    put_u32(w, (uint32_t)v);
    put_u32(w, (uint32_t)(v >> 32));
}

static void put_zeros(writer *w, size_t n)
{
    static const uint8_t zeros[64];
    while (n) {
        size_t k = n < sizeof zeros ? n : sizeof zeros;
        put(w, zeros, k);
        n -= k;
    }
}

/* A fixed-size NUL-padded text field. */
static void put_text(writer *w, const char *s, size_t field)
{
    size_t n = strnlen(s, field - 1);
    put(w, s, n);
    put_zeros(w, field - n);
}

static void put_tensor(writer *w, const program_tensor *t)
{
    put_text(w, t->name, PROGRAM_NAME_MAX);
    put_text(w, t->node, PROGRAM_NAME_MAX);
    put_u32(w, (uint32_t)t->step);
    put_u32(w, (uint32_t)t->role);
    put_u32(w, (uint32_t)t->dtype);
    put_u32(w, t->block);
    put_u64(w, t->dram);
    for (int d = 0; d < 4; d++)
        put_u32(w, t->shape[d]);
    uint32_t scale_bits;
    memcpy(&scale_bits, &t->scale, 4);
    put_u32(w, scale_bits);
    put_u32(w, 0);
}

rtpu_status program_serialize(const rtpu_program *p, uint8_t **bytes, size_t *size, rtpu_error *err)
{
    writer w = {0};
    put(&w, magic, sizeof magic);
    put_u32(&w, PROGRAM_VERSION);
    put_u32(&w, 0);
    put_u64(&w, 0); /* file size, patched below */
    put_text(&w, p->config.name, CONFIG_NAME_MAX);
    for (int i = 0; i < config_field_count; i++)
        put_u64(&w, config_get(&p->config, &config_fields[i]));
    put_u64(&w, p->insn_count);
    put_u64(&w, p->segment_count);
    put_u64(&w, p->tensor_count);
    put_u64(&w, p->dram_size);
    for (size_t pc = 0; pc < p->insn_count; pc++) {
        uint8_t word[ISA_INSN_BYTES];
        isa_encode(&p->insns[pc], word);
        put(&w, word, sizeof word);
    }
    for (size_t i = 0; i < p->segment_count; i++) {
        put_u64(&w, p->segments[i].dram);
        put_u64(&w, p->segments[i].size);
        put(&w, p->segments[i].bytes, p->segments[i].size);
        put_zeros(&w, (8 - p->segments[i].size % 8) % 8);
    }
    for (size_t i = 0; i < p->tensor_count; i++)
        put_tensor(&w, &p->tensors[i]);
    if (w.failed) {
        free(w.bytes);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "program: out of memory serialising");
    }
    uint64_t total = w.size + CHECKSUM_BYTES;
    for (int b = 0; b < 8; b++)
        w.bytes[16 + b] = (uint8_t)(total >> (8 * b));
    put_u32(&w, program_crc32(w.bytes, w.size));
    if (w.failed) {
        free(w.bytes);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "program: out of memory serialising");
    }
    *bytes = w.bytes;
    *size = w.size;
    return RTPU_OK;
}

rtpu_status program_save(const rtpu_program *p, const char *path, rtpu_error *err)
{
    uint8_t *bytes = NULL;
    size_t size = 0;
    rtpu_status st = program_serialize(p, &bytes, &size, err);
    if (st)
        return st;
    st = write_file_atomically(path, bytes, size, err);
    free(bytes);
    return st;
}

/* ---- reading ---- */

typedef struct reader {
    const uint8_t *bytes;
    size_t size, pos;
} reader;

static uint32_t get_u32(reader *r)
{
    const uint8_t *b = r->bytes + r->pos;
    r->pos += 4;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t get_u64(reader *r)
{
    uint64_t lo = get_u32(r);
    return lo | (uint64_t)get_u32(r) << 32;
}

static size_t remaining(const reader *r) { return r->size - CHECKSUM_BYTES - r->pos; }

/* A NUL-padded text field must contain a NUL, and only NULs after it. */
static bool get_text(reader *r, char *out, size_t field)
{
    memcpy(out, r->bytes + r->pos, field);
    r->pos += field;
    const char *nul = memchr(out, 0, field);
    if (!nul)
        return false;
    for (const char *c = nul; c < out + field; c++)
        if (*c)
            return false;
    return true;
}

static bool all_zero(const uint8_t *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (bytes[i])
            return false;
    return true;
}

static rtpu_status parse_body(reader *r, const char *source, rtpu_program *p, rtpu_error *err)
{
    size_t fixed = CONFIG_NAME_MAX + 8 * (size_t)config_field_count + 4 * 8;
    if (remaining(r) < fixed)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: truncated: %zu bytes cannot hold the config and counts", source, r->size);
    if (!get_text(r, p->config.name, CONFIG_NAME_MAX))
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: offset %d: config name is not NUL-terminated and zero-padded", source,
                         HEADER_BYTES);
    for (int i = 0; i < config_field_count; i++) {
        size_t at = r->pos;
        uint64_t v = get_u64(r);
        /* Checked before config_set, which would cut a 64-bit value to a 32-bit member. */
        if (v < config_fields[i].min || v > config_fields[i].max)
            return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: offset %zu: embedded config: %s = %" PRIu64 " is outside [%" PRIu64
                             ", %" PRIu64 "]", source, at, config_fields[i].name, v, config_fields[i].min,
                             config_fields[i].max);
        config_set(&p->config, &config_fields[i], v);
    }
    char where[300];
    snprintf(where, sizeof where, "%s: embedded config", source);
    rtpu_status st = config_validate(&p->config, where, err);
    if (st) {
        if (err)
            err->status = RTPU_ERR_FORMAT;
        return RTPU_ERR_FORMAT;
    }
    uint64_t insns = get_u64(r), segments = get_u64(r), tensors = get_u64(r);
    p->dram_size = get_u64(r);
    /* Counts are checked against the bytes left before anything is allocated. */
    if (insns > remaining(r) / ISA_INSN_BYTES)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: %" PRIu64 " instructions do not fit in the %zu bytes left", source, insns,
                         remaining(r));
    for (uint64_t pc = 0; pc < insns; pc++) {
        isa_insn insn;
        if ((st = isa_decode(r->bytes + r->pos, pc, &insn, err)))
            return rtpu_error_prefix(err, "%s: offset %zu: ", source, r->pos);
        r->pos += ISA_INSN_BYTES;
        if ((st = program_add_insn(p, &insn, err)))
            return st;
    }
    if (segments > remaining(r) / 16)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: %" PRIu64 " segments do not fit in the %zu bytes left", source, segments,
                         remaining(r));
    for (uint64_t i = 0; i < segments; i++) {
        if (remaining(r) < 16)
            return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: offset %zu: truncated segment %" PRIu64 " header", source, r->pos, i);
        uint64_t dram = get_u64(r), size = get_u64(r);
        uint64_t padded = size + (8 - size % 8) % 8;
        if (size > remaining(r) || padded > remaining(r))
            return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: offset %zu: segment %" PRIu64 " of %" PRIu64 " bytes overruns the file",
                             source, r->pos, i, size);
        if (!all_zero(r->bytes + r->pos + size, padded - size))
            return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: offset %zu: segment %" PRIu64 " padding is not zero", source,
                             r->pos + (size_t)size, i);
        if ((st = program_add_segment(p, dram, r->bytes + r->pos, size, err)))
            return st;
        r->pos += padded;
    }
    if (tensors != remaining(r) / TENSOR_RECORD_BYTES || remaining(r) % TENSOR_RECORD_BYTES)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: offset %zu: %" PRIu64 " tensor records do not match the %zu bytes left",
                         source, r->pos, tensors, remaining(r));
    for (uint64_t i = 0; i < tensors; i++) {
        program_tensor t;
        memset(&t, 0, sizeof t);
        size_t at = r->pos;
        bool names_ok = get_text(r, t.name, PROGRAM_NAME_MAX);
        names_ok = get_text(r, t.node, PROGRAM_NAME_MAX) && names_ok;
        if (!names_ok)
            return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: offset %zu: tensor %" PRIu64 " name is not NUL-terminated and zero-padded",
                             source, at, i);
        t.step = (int32_t)get_u32(r);
        t.role = (program_role)get_u32(r);
        t.dtype = (program_dtype)get_u32(r);
        t.block = get_u32(r);
        t.dram = get_u64(r);
        for (int d = 0; d < 4; d++)
            t.shape[d] = get_u32(r);
        uint32_t bits = get_u32(r);
        memcpy(&t.scale, &bits, 4);
        if (get_u32(r) != 0)
            return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: offset %zu: tensor '%s' has a non-zero reserved field", source, at, t.name);
        if ((st = program_add_tensor(p, &t, err)))
            return st;
    }
    if ((st = program_check(p, err)))
        return rtpu_error_prefix(err, "%s: ", source);
    return RTPU_OK;
}

rtpu_status program_parse(const uint8_t *bytes, size_t size, const char *source, rtpu_program **out, rtpu_error *err)
{
    if (size < HEADER_BYTES + CHECKSUM_BYTES)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: truncated: %zu bytes is shorter than the %d-byte header", source, size,
                         HEADER_BYTES + CHECKSUM_BYTES);
    if (memcmp(bytes, magic, sizeof magic) != 0)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: offset 0: not an rtpu program (magic is not RTPUPROG)", source);
    reader r = {bytes, size, 8};
    uint32_t version = get_u32(&r);
    if (version == 1)
        return rtpu_fail(err, RTPU_ERR_FORMAT,
                         "%s: offset 8: program file version 1 (ISA v1), whose vadd/vsub/vmul encodings changed in ISA "
                         "v%d: re-assemble its source (or an older rtpu's disasm of it) with rtpu asm",
                         source, PROGRAM_VERSION);
    if (version != PROGRAM_VERSION)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: offset 8: version %u, this build reads version %d", source, version,
                         PROGRAM_VERSION);
    if (get_u32(&r) != 0)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: offset 12: reserved field is not zero", source);
    uint64_t declared = get_u64(&r);
    if (declared != size)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: %s: the header says %" PRIu64 " bytes, the file has %zu", source,
                         declared > size ? "truncated" : "trailing bytes", declared, size);
    uint32_t stored = (uint32_t)bytes[size - 4] | (uint32_t)bytes[size - 3] << 8 | (uint32_t)bytes[size - 2] << 16 |
                      (uint32_t)bytes[size - 1] << 24;
    uint32_t actual = program_crc32(bytes, size - CHECKSUM_BYTES);
    if (stored != actual)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: checksum mismatch (stored 0x%08x, computed 0x%08x): the file is corrupted",
                         source, stored, actual);
    rtpu_config none;
    memset(&none, 0, sizeof none);
    rtpu_program *p = NULL;
    rtpu_status st = program_create(&none, &p, err);
    if (st)
        return st;
    if ((st = parse_body(&r, source, p, err))) {
        program_destroy(p);
        return st;
    }
    *out = p;
    return RTPU_OK;
}

rtpu_status program_load(const char *path, rtpu_program **out, rtpu_error *err)
{
    void *bytes = NULL;
    size_t size = 0;
    rtpu_status st = read_whole_file(path, (size_t)1 << 32, &bytes, &size, err);
    if (st)
        return st;
    st = program_parse(bytes, size, path, out, err);
    free(bytes);
    return st;
}
