/* Typed field access over common/json values for the spec parser, with messages that
 * carry file:line:col and the node being read:
 *   "graphs/m.json:41:9: node 'conv5': field 'stride' must be an integer in 1..16".
 * Every object is checked against its list of allowed fields, so a typo is an error,
 * never a silently ignored setting. */
#ifndef RTPU_COMPILER_SPEC_READER_H
#define RTPU_COMPILER_SPEC_READER_H

#include "common/json.h"
#include "compiler/ir.h"

typedef struct spec_reader {
    const char *source;
    const char *node;   /* name of the node being read, or NULL at top level */
    rtpu_error *err;
} spec_reader;

/* Fails with "source:line:col: [node 'n': ]message". at may be NULL (no position). */
rtpu_status spec_fail(const spec_reader *r, const json_value *at, const char *fmt, ...)
    RTPU_PRINTF(3, 4);
/* Same, with an explicit position (line 0 = none). */
rtpu_status spec_fail_pos(const spec_reader *r, source_pos pos, const char *fmt, ...) RTPU_PRINTF(3, 4);

/* obj must be an object whose keys are all in allowed (NULL-terminated). what names it. */
rtpu_status spec_check_object(const spec_reader *r, const json_value *obj, const char *what,
                              const char *const *allowed);

/* Optional fields keep *out unchanged when absent; required ones fail. */
rtpu_status spec_int(const spec_reader *r, const json_value *obj, const char *key, bool required,
                     int min, int max, int *out);
rtpu_status spec_float(const spec_reader *r, const json_value *obj, const char *key, bool required,
                       double min, double max, float *out);
rtpu_status spec_bool(const spec_reader *r, const json_value *obj, const char *key, bool *out);
rtpu_status spec_string(const spec_reader *r, const json_value *obj, const char *key, bool required,
                        const char **out);
/* A string that must be one of names (NULL-terminated); *out gets its index. */
rtpu_status spec_choice(const spec_reader *r, const json_value *obj, const char *key,
                        const char *const *names, int *out);
rtpu_status spec_activation(const spec_reader *r, const json_value *obj, const char *key,
                            activation *out);
/* A kernel size: an integer k or a pair [kh, kw]. */
rtpu_status spec_kernel(const spec_reader *r, const json_value *obj, const char *key, bool required,
                        int *kernel_h, int *kernel_w);

source_pos spec_pos(const json_value *v);

#endif
