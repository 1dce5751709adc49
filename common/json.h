/* A small JSON reader that remembers where every value came from.
 *
 * jansson reports line:column only for syntax errors; graph specs also need positions
 * for semantic errors ("graphs/m.json:40:7: node 'conv5': feedback from 'conv12', which
 * does not exist"). This reader keeps line/column on each value, rejects duplicate keys,
 * and bounds nesting depth so hostile input cannot exhaust the stack. */
#ifndef RTPU_COMMON_JSON_H
#define RTPU_COMMON_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_kind;

typedef struct json_value json_value;
struct json_value {
    json_kind kind;
    int line, column;   /* 1-based position of the value's first character */
    int key_line, key_column; /* object members: position of the member's name */
    bool boolean;
    double number;
    char *string;       /* JSON_STRING: NUL-terminated UTF-8 */
    json_value *items;  /* JSON_ARRAY elements, or JSON_OBJECT member values */
    char **keys;        /* JSON_OBJECT member names, parallel to items */
    size_t count;
};

/* Parses text (not necessarily NUL-terminated). source names the file in messages. */
rtpu_status json_parse(const char *text, size_t length, const char *source, json_value **out,
                       rtpu_error *err);
void json_destroy(json_value *value);

/* Member of an object by name, or NULL (also NULL if obj is not an object). */
const json_value *json_member(const json_value *obj, const char *key);
const char *json_kind_name(json_kind kind);

#endif
