/* Status codes and error text shared by every rtpu library.
 *
 * Library functions never print and never exit: they return an rtpu_status and,
 * on failure, fill an rtpu_error with one line that says what went wrong and where
 * ("graphs/x.json:12:5: node 'conv5': feedback from 'conv12', which does not exist").
 * Only cli/ prints. */
#ifndef RTPU_STATUS_H
#define RTPU_STATUS_H

#include <stddef.h>

typedef enum rtpu_status {
    RTPU_OK = 0,
    RTPU_ERR_IO,          /* file cannot be opened, read or written */
    RTPU_ERR_PARSE,       /* malformed text: JSON, assembly, numbers */
    RTPU_ERR_INVALID,     /* well-formed but breaks a rule (unknown field, bad value) */
    RTPU_ERR_SHAPE,       /* tensor shapes or dtypes do not fit */
    RTPU_ERR_FORMAT,      /* binary file truncated, corrupted or of the wrong version */
    RTPU_ERR_NOMEM,       /* allocation failed or size is absurd */
    RTPU_ERR_RUNTIME,     /* a program misbehaved while running (deadlock, bad address) */
    RTPU_ERR_UNSUPPORTED, /* valid request this build cannot serve */
} rtpu_status;

enum { RTPU_ERROR_MAX = 512 };

/* One line of error text. Zero-initialise before use; a failing call fills it. */
typedef struct rtpu_error {
    rtpu_status status;
    char message[RTPU_ERROR_MAX];
} rtpu_error;

/* Short name of a status ("parse error", "io error", ...). */
const char *rtpu_status_name(rtpu_status status);

#endif
