/* The one memory-budget rule (rtpu/limits.h states the limits): whoever is about to
 * allocate adds up what it will need, item by item, before allocating any of it, and the
 * first item that takes the total over the limit is named in the error, with its size and
 * the total. Sizes are computed in uint64_t with overflow checks, so a shape whose byte
 * count does not even fit in 64 bits is refused the same way. */
#ifndef RTPU_COMMON_LIMITS_H
#define RTPU_COMMON_LIMITS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "rtpu/limits.h"

typedef struct rtpu_budget {
    uint64_t limit; /* bytes */
    uint64_t used;  /* bytes taken so far */
    uint64_t peak;  /* largest `used` seen (rtpu_budget_give lowers used, not peak) */
} rtpu_budget;

/* max_memory 0 means RTPU_DEFAULT_MAX_MEMORY. */
void rtpu_budget_init(rtpu_budget *b, uint64_t max_memory);
/* Takes bytes for the item described by fmt ("weight 'conv1/pre.kernel' (7x7x3x64 fp32)");
 * fails with RTPU_ERR_NOMEM when used + bytes passes the limit or overflows. */
rtpu_status rtpu_budget_take(rtpu_budget *b, uint64_t bytes, rtpu_error *err, const char *fmt, ...) RTPU_PRINTF(4, 5);
/* Returns bytes taken earlier (a value freed during a planned run). */
void rtpu_budget_give(rtpu_budget *b, uint64_t bytes);

/* a * b, false on overflow. */
bool rtpu_mul_u64(uint64_t a, uint64_t b, uint64_t *out);
/* Bytes of n x h x w x c elements of elem_bytes each; UINT64_MAX when it overflows. */
uint64_t rtpu_tensor_bytes(uint64_t n, uint64_t h, uint64_t w, uint64_t c, uint64_t elem_bytes);
/* "512 B", "1.5 KiB", "16.0 GiB", "2.0 EiB": for messages. */
void rtpu_format_bytes(uint64_t bytes, char out[16]);

#endif
