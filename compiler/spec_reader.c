/* Typed, position-aware field access for the spec parser (see spec_reader.h). */
#include "compiler/spec_reader.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

source_pos spec_pos(const json_value *v)
{
    return v ? (source_pos){v->line, v->column} : (source_pos){0, 0};
}

static rtpu_status vfail(const spec_reader *r, source_pos pos, const char *fmt, va_list ap)
{
    char body[RTPU_ERROR_MAX];
    vsnprintf(body, sizeof body, fmt, ap);
    char where[160];
    if (pos.line > 0)
        snprintf(where, sizeof where, "%s:%d:%d: ", r->source, pos.line, pos.column);
    else
        snprintf(where, sizeof where, "%s: ", r->source);
    char node[NAME_MAX_LENGTH + 16] = "";
    if (r->node)
        snprintf(node, sizeof node, "node '%s': ", r->node);
    return rtpu_fail(r->err, RTPU_ERR_INVALID, "%s%s%.*s", where, node, RTPU_ERROR_MAX / 2, body);
}

rtpu_status spec_fail(const spec_reader *r, const json_value *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rtpu_status s = vfail(r, spec_pos(at), fmt, ap);
    va_end(ap);
    return s;
}

rtpu_status spec_fail_pos(const spec_reader *r, source_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rtpu_status s = vfail(r, pos, fmt, ap);
    va_end(ap);
    return s;
}

rtpu_status spec_check_object(const spec_reader *r, const json_value *obj, const char *what,
                              const char *const *allowed)
{
    if (!obj || obj->kind != JSON_OBJECT)
        return spec_fail(r, obj, "%s must be an object, not %s", what,
                         obj ? json_kind_name(obj->kind) : "missing");
    for (size_t i = 0; i < obj->count; i++) {
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = !strcmp(*a, obj->keys[i]);
        if (!known) {
            char list[256] = "";
            for (const char *const *a = allowed; *a; a++) {
                strncat(list, *a, sizeof list - strlen(list) - 1);
                if (a[1])
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
            }
            return spec_fail_pos(r, (source_pos){obj->items[i].key_line, obj->items[i].key_column},
                                 "unknown field '%.64s' in %s (allowed: %s)", obj->keys[i], what, list);
        }
    }
    return RTPU_OK;
}

rtpu_status spec_int(const spec_reader *r, const json_value *obj, const char *key, bool required,
                     int min, int max, int *out)
{
    const json_value *v = json_member(obj, key);
    if (!v)
        return required ? spec_fail(r, obj, "missing field '%s'", key) : RTPU_OK;
    if (v->kind != JSON_NUMBER || v->number != floor(v->number) || v->number < min || v->number > max)
        return spec_fail(r, v, "field '%s' must be an integer in %d..%d", key, min, max);
    *out = (int)v->number;
    return RTPU_OK;
}

rtpu_status spec_float(const spec_reader *r, const json_value *obj, const char *key, bool required,
                       double min, double max, float *out)
{
    const json_value *v = json_member(obj, key);
    if (!v)
        return required ? spec_fail(r, obj, "missing field '%s'", key) : RTPU_OK;
    if (v->kind != JSON_NUMBER || !(v->number >= min && v->number <= max))
        return spec_fail(r, v, "field '%s' must be a number in %g..%g", key, min, max);
    *out = (float)v->number;
    return RTPU_OK;
}

rtpu_status spec_bool(const spec_reader *r, const json_value *obj, const char *key, bool *out)
{
    const json_value *v = json_member(obj, key);
    if (!v)
        return RTPU_OK;
    if (v->kind != JSON_BOOL)
        return spec_fail(r, v, "field '%s' must be true or false", key);
    *out = v->boolean;
    return RTPU_OK;
}

rtpu_status spec_string(const spec_reader *r, const json_value *obj, const char *key, bool required,
                        const char **out)
{
    const json_value *v = json_member(obj, key);
    if (!v)
        return required ? spec_fail(r, obj, "missing field '%s'", key) : RTPU_OK;
    if (v->kind != JSON_STRING)
        return spec_fail(r, v, "field '%s' must be a string", key);
    *out = v->string;
    return RTPU_OK;
}

rtpu_status spec_choice(const spec_reader *r, const json_value *obj, const char *key,
                        const char *const *names, int *out)
{
    const char *s = NULL;
    rtpu_status st = spec_string(r, obj, key, false, &s);
    if (st || !s)
        return st;
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], s)) {
            *out = i;
            return RTPU_OK;
        }
    char list[256] = "";
    for (int i = 0; names[i]; i++) {
        strncat(list, names[i], sizeof list - strlen(list) - 1);
        if (names[i + 1])
            strncat(list, ", ", sizeof list - strlen(list) - 1);
    }
    return spec_fail(r, json_member(obj, key), "field '%s' is '%.64s', expected one of: %s", key, s, list);
}

rtpu_status spec_activation(const spec_reader *r, const json_value *obj, const char *key,
                            activation *out)
{
    const char *s = NULL;
    rtpu_status st = spec_string(r, obj, key, false, &s);
    if (st || !s)
        return st;
    if (!activation_parse(s, out))
        return spec_fail(r, json_member(obj, key),
                         "field '%s' is '%.64s', expected one of: none (or identity), elu, relu, sigmoid, tanh", key, s);
    return RTPU_OK;
}

rtpu_status spec_kernel(const spec_reader *r, const json_value *obj, const char *key, bool required,
                        int *kernel_h, int *kernel_w)
{
    const json_value *v = json_member(obj, key);
    if (!v)
        return required ? spec_fail(r, obj, "missing field '%s'", key) : RTPU_OK;
    const json_value *parts[2] = {v, v};
    if (v->kind == JSON_ARRAY) {
        if (v->count != 2)
            return spec_fail(r, v, "field '%s' must be an integer or a pair [height, width]", key);
        parts[0] = &v->items[0];
        parts[1] = &v->items[1];
    }
    int size[2];
    for (int i = 0; i < 2; i++) {
        const json_value *p = parts[i];
        if (p->kind != JSON_NUMBER || p->number != floor(p->number) || p->number < 1 || p->number > 64)
            return spec_fail(r, p, "field '%s' must be a kernel size in 1..64 (or a pair of them)", key);
        size[i] = (int)p->number;
    }
    *kernel_h = size[0];
    *kernel_w = size[1];
    return RTPU_OK;
}
