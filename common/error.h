/* Internal helpers for filling an rtpu_error.
 *
 * rtpu_fail() formats the message and returns the status, so a failing path reads
 * `return rtpu_fail(err, RTPU_ERR_IO, "%s: cannot open: %s", path, strerror(errno));`.
 * A NULL err is allowed (the caller does not want text). */
#ifndef RTPU_COMMON_ERROR_H
#define RTPU_COMMON_ERROR_H

#include "rtpu/status.h"

#if defined(__GNUC__)
#define RTPU_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define RTPU_PRINTF(a, b)
#endif

rtpu_status rtpu_fail(rtpu_error *err, rtpu_status status, const char *fmt, ...) RTPU_PRINTF(3, 4);

/* Prefix an existing message with context ("loading weights: ..."), keeping its status. */
rtpu_status rtpu_error_prefix(rtpu_error *err, const char *fmt, ...) RTPU_PRINTF(2, 3);

#endif
