/* Building a program in memory: instruction, segment and tensor lists (see program.h). */
#include "target/program.h"

#include "common/limits.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

rtpu_status program_create(const rtpu_config *config, rtpu_program **out, rtpu_error *err)
{
    rtpu_program *p = calloc(1, sizeof *p);
    if (!p)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "program: out of memory");
    p->config = *config;
    *out = p;
    return RTPU_OK;
}

void program_destroy(rtpu_program *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->segment_count; i++)
        free(p->segments[i].bytes);
    free(p->segments);
    free(p->insns);
    free(p->tensors);
    free(p);
}

/* Grows an array to hold one more element, doubling. */
static rtpu_status grow(void **items, size_t *capacity, size_t count, size_t item_size, rtpu_error *err)
{
    if (count < *capacity)
        return RTPU_OK;
    size_t cap = *capacity ? *capacity * 2 : 64;
    void *more = realloc(*items, cap * item_size);
    if (!more)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "program: out of memory growing to %zu entries", cap);
    *items = more;
    *capacity = cap;
    return RTPU_OK;
}

rtpu_status program_add_insn(rtpu_program *p, const isa_insn *insn, rtpu_error *err)
{
    rtpu_status st = grow((void **)&p->insns, &p->insn_capacity, p->insn_count, sizeof *insn, err);
    if (st)
        return st;
    p->insns[p->insn_count++] = *insn;
    return RTPU_OK;
}

rtpu_status program_add_segment(rtpu_program *p, uint64_t dram, const void *bytes, size_t size, rtpu_error *err)
{
    rtpu_status st = grow((void **)&p->segments, &p->segment_capacity, p->segment_count, sizeof *p->segments, err);
    if (st)
        return st;
    program_segment *s = &p->segments[p->segment_count];
    s->dram = dram;
    s->size = size;
    s->bytes = malloc(size ? size : 1);
    if (!s->bytes)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "program: out of memory for a %zu-byte segment", size);
    if (size)
        memcpy(s->bytes, bytes, size);
    p->segment_count++;
    return RTPU_OK;
}

rtpu_status program_extend_segment(rtpu_program *p, const void *bytes, size_t size, rtpu_error *err)
{
    if (p->segment_count == 0)
        return rtpu_fail(err, RTPU_ERR_INVALID, "data bytes before any segment was started");
    program_segment *s = &p->segments[p->segment_count - 1];
    uint8_t *more = realloc(s->bytes, s->size + size + 1);
    if (!more)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "program: out of memory extending a segment");
    memcpy(more + s->size, bytes, size);
    s->bytes = more;
    s->size += size;
    return RTPU_OK;
}

rtpu_status program_add_tensor(rtpu_program *p, const program_tensor *t, rtpu_error *err)
{
    rtpu_status st = grow((void **)&p->tensors, &p->tensor_capacity, p->tensor_count, sizeof *t, err);
    if (st)
        return st;
    p->tensors[p->tensor_count++] = *t;
    return RTPU_OK;
}

int program_name_valid(const char *name)
{
    size_t n = strnlen(name, PROGRAM_NAME_MAX);
    if (n == 0 || n >= PROGRAM_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || strchr("_.:/-", ch)))
            return 0;
    }
    return 1;
}

uint64_t program_tensor_bytes(const program_tensor *t)
{
    /* Saturates at UINT64_MAX so absurd shapes fail the bound checks instead of wrapping. */
    uint64_t blocks = t->block ? (t->shape[3] + (uint64_t)t->block - 1) / t->block : 0;
    uint64_t factors[] = {t->shape[0], blocks, t->shape[1], t->shape[2], t->block, t->dtype == TENSOR_INT32 ? 4 : 1};
    uint64_t bytes = 1;
    for (size_t i = 0; i < sizeof factors / sizeof factors[0]; i++)
        if (__builtin_mul_overflow(bytes, factors[i], &bytes))
            return UINT64_MAX;
    return bytes;
}

const program_tensor *program_find_tensor(const rtpu_program *p, const char *name)
{
    for (size_t i = 0; i < p->tensor_count; i++)
        if (!strcmp(p->tensors[i].name, name))
            return &p->tensors[i];
    return NULL;
}

rtpu_status program_require_config(const rtpu_program *p, const rtpu_config *c, rtpu_error *err)
{
    if (config_equal(&p->config, c))
        return RTPU_OK;
    if (!strcmp(p->config.name, c->name))
        return rtpu_fail(err, RTPU_ERR_INVALID,
                         "program built for a different version of config '%s' (%ux%u): the field values differ",
                         c->name, p->config.array_size, p->config.array_size);
    return rtpu_fail(err, RTPU_ERR_INVALID, "program built for config '%s' (%ux%u), not '%s' (%ux%u)", p->config.name,
                     p->config.array_size, p->config.array_size, c->name, c->array_size, c->array_size);
}

rtpu_status program_check_memory(const rtpu_program *p, uint64_t max_memory, rtpu_error *err)
{
    const rtpu_config *c = &p->config;
    uint64_t n = c->array_size;
    rtpu_budget b;
    rtpu_budget_init(&b, max_memory);
    rtpu_status s = rtpu_budget_take(&b, p->dram_size, err, "program DRAM (%" PRIu64 " bytes declared)", p->dram_size);
    if (!s)
        s = rtpu_budget_take(&b, rtpu_tensor_bytes(1, 1, config_ub_rows(c), n, 1), err, "config '%s': unified buffer",
                             c->name);
    if (!s)
        s = rtpu_budget_take(&b, rtpu_tensor_bytes(1, 1, config_wb_rows(c), n, 1), err, "config '%s': weight buffer",
                             c->name);
    if (!s)
        s = rtpu_budget_take(&b, rtpu_tensor_bytes(1, 1, config_acc_rows(c), n, 4), err, "config '%s': accumulators",
                             c->name);
    if (!s)
        s = rtpu_budget_take(&b, rtpu_tensor_bytes(1, 1, c->lut_tables, 256, 1), err, "config '%s': lookup tables",
                             c->name);
    if (!s)
        s = rtpu_budget_take(&b, rtpu_tensor_bytes(1, 1, p->insn_count, 1, sizeof(rtpu_timing)), err,
                             "program's per-instruction timings (%zu instructions)", p->insn_count);
    return s;
}
