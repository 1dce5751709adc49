/* Error text formatting for rtpu_error (see common/error.h). */
#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *rtpu_status_name(rtpu_status status)
{
    switch (status) {
    case RTPU_OK: return "ok";
    case RTPU_ERR_IO: return "io error";
    case RTPU_ERR_PARSE: return "parse error";
    case RTPU_ERR_INVALID: return "invalid";
    case RTPU_ERR_SHAPE: return "shape error";
    case RTPU_ERR_FORMAT: return "format error";
    case RTPU_ERR_NOMEM: return "out of memory";
    case RTPU_ERR_RUNTIME: return "runtime error";
    case RTPU_ERR_UNSUPPORTED: return "unsupported";
    }
    return "unknown error";
}

rtpu_status rtpu_fail(rtpu_error *err, rtpu_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        /* Messages are one line by contract: fold any newline a caller let in. */
        for (char *p = err->message; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
        err->status = status;
    }
    return status;
}

rtpu_status rtpu_error_prefix(rtpu_error *err, const char *fmt, ...)
{
    if (!err)
        return RTPU_ERR_RUNTIME;
    char prefix[RTPU_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* Join by hand: the result is cut at RTPU_ERROR_MAX - 1 characters on purpose. */
    char joined[RTPU_ERROR_MAX];
    size_t used = strlen(prefix);
    memcpy(joined, prefix, used);
    size_t rest = strlen(err->message);
    if (rest > sizeof joined - 1 - used)
        rest = sizeof joined - 1 - used;
    memcpy(joined + used, err->message, rest);
    joined[used + rest] = '\0';
    memcpy(err->message, joined, sizeof joined);
    return err->status;
}
