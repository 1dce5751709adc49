/* Memory budgets (see limits.h). */
#include "common/limits.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void rtpu_budget_init(rtpu_budget *b, uint64_t max_memory)
{
    *b = (rtpu_budget){.limit = max_memory ? max_memory : RTPU_DEFAULT_MAX_MEMORY};
}

rtpu_status rtpu_budget_take(rtpu_budget *b, uint64_t bytes, rtpu_error *err, const char *fmt, ...)
{
    uint64_t total = b->used + bytes;
    if (total >= b->used && total <= b->limit) {
        b->used = total;
        if (total > b->peak)
            b->peak = total;
        return RTPU_OK;
    }
    char what[256], size[16], limit[16], sum[16], exact_sum[48] = "", exact_limit[48] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    rtpu_format_bytes(b->limit, limit);
    if (total < b->used || bytes == UINT64_MAX)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s needs more than 16 EiB: over the %s memory limit", what, limit);
    rtpu_format_bytes(bytes, size);
    rtpu_format_bytes(total, sum);
    /* Rounded sizes that read alike ("8.0 MiB over 8.0 MiB") say nothing: add the bytes. */
    if (!strcmp(sum, limit)) {
        snprintf(exact_sum, sizeof exact_sum, " (%" PRIu64 " B)", total);
        snprintf(exact_limit, sizeof exact_limit, " (%" PRIu64 " B)", b->limit);
    }
    if (b->used == 0 || (!strcmp(sum, size) && !exact_sum[0]))
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s needs %s: over the %s%s memory limit (raise it with --max-memory)",
                         what, size, limit, exact_limit);
    return rtpu_fail(err, RTPU_ERR_NOMEM,
                     "%s needs %s, %s%s in all with what comes before it: over the %s%s memory limit (raise it with "
                     "--max-memory)",
                     what, size, sum, exact_sum, limit, exact_limit);
}

void rtpu_budget_give(rtpu_budget *b, uint64_t bytes)
{
    b->used = bytes > b->used ? 0 : b->used - bytes;
}

bool rtpu_mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    if (a && b > UINT64_MAX / a)
        return false;
    *out = a * b;
    return true;
}

uint64_t rtpu_tensor_bytes(uint64_t n, uint64_t h, uint64_t w, uint64_t c, uint64_t elem_bytes)
{
    uint64_t r = elem_bytes;
    if (!rtpu_mul_u64(r, n, &r) || !rtpu_mul_u64(r, h, &r) || !rtpu_mul_u64(r, w, &r) || !rtpu_mul_u64(r, c, &r))
        return UINT64_MAX;
    return r;
}

void rtpu_format_bytes(uint64_t bytes, char out[16])
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) {
        snprintf(out, 16, "%u B", (unsigned)bytes);
        return;
    }
    double v = (double)bytes / 1024.0;
    int u = 0;
    while (v >= 1024.0 && u < 5) {
        v /= 1024.0;
        u++;
    }
    snprintf(out, 16, "%.1f %s", v, units[u]);
}
