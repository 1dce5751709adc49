/* Recursive-descent JSON parser with source positions (see common/json.h).
 * Strict RFC 8259: no comments, no trailing commas, no NaN; \u escapes including
 * surrogate pairs are decoded to UTF-8. */
#include "common/json.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { JSON_MAX_DEPTH = 64 };

typedef struct parser {
    const char *text;
    size_t length, pos;
    int line, column;
    const char *source;
    rtpu_error *err;
} parser;

static rtpu_status fail_at(parser *p, const char *what)
{
    return rtpu_fail(p->err, RTPU_ERR_PARSE, "%s:%d:%d: %s", p->source, p->line, p->column, what);
}

static int peek(const parser *p) { return p->pos < p->length ? (unsigned char)p->text[p->pos] : -1; }

static void advance(parser *p)
{
    if (p->pos >= p->length)
        return;
    if (p->text[p->pos] == '\n') {
        p->line++;
        p->column = 1;
    } else {
        p->column++;
    }
    p->pos++;
}

static void skip_space(parser *p)
{
    for (int c = peek(p); c == ' ' || c == '\t' || c == '\n' || c == '\r'; c = peek(p))
        advance(p);
}

static bool match_word(parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->length - p->pos < n || memcmp(p->text + p->pos, word, n) != 0)
        return false;
    for (size_t i = 0; i < n; i++)
        advance(p);
    return true;
}

static int hex_digit(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static rtpu_status read_hex4(parser *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(peek(p));
        if (d < 0)
            return fail_at(p, "bad \\u escape in string");
        v = v * 16 + (unsigned)d;
        advance(p);
    }
    *out = v;
    return RTPU_OK;
}

static size_t put_utf8(char *dst, unsigned cp)
{
    if (cp < 0x80) { dst[0] = (char)cp; return 1; }
    if (cp < 0x800) { dst[0] = (char)(0xC0 | (cp >> 6)); dst[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        dst[0] = (char)(0xE0 | (cp >> 12)); dst[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        dst[2] = (char)(0x80 | (cp & 0x3F)); return 3;
    }
    dst[0] = (char)(0xF0 | (cp >> 18)); dst[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    dst[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); dst[3] = (char)(0x80 | (cp & 0x3F)); return 4;
}

/* Decoded strings are never longer than their source text, so one allocation of the
 * remaining length bounds the output. */
static rtpu_status parse_string(parser *p, char **out)
{
    advance(p); /* opening quote */
    size_t start = p->pos, end = start;
    while (end < p->length && p->text[end] != '"') {
        if (p->text[end] == '\\')
            end++;
        end++;
    }
    char *buf = malloc(end - start + 1);
    if (!buf)
        return rtpu_fail(p->err, RTPU_ERR_NOMEM, "%s: out of memory reading a string", p->source);
    size_t n = 0;
    for (;;) {
        int c = peek(p);
        if (c < 0) {
            free(buf);
            return fail_at(p, "unterminated string");
        }
        if (c == '"') {
            advance(p);
            break;
        }
        if (c < 0x20) {
            free(buf);
            return fail_at(p, "control character in string");
        }
        if (c != '\\') {
            buf[n++] = (char)c;
            advance(p);
            continue;
        }
        advance(p);
        int e = peek(p);
        const char *simple = strchr("\"\\/bfnrt", e > 0 ? e : 'x');
        if (e > 0 && simple) {
            static const char decoded[] = "\"\\/\b\f\n\r\t";
            buf[n++] = decoded[simple - "\"\\/bfnrt"];
            advance(p);
            continue;
        }
        if (e != 'u') {
            free(buf);
            return fail_at(p, "bad escape in string");
        }
        advance(p);
        unsigned cp;
        if (read_hex4(p, &cp) != RTPU_OK) {
            free(buf);
            return RTPU_ERR_PARSE;
        }
        if (cp >= 0xD800 && cp < 0xDC00) {
            unsigned low;
            if (!match_word(p, "\\u") || read_hex4(p, &low) != RTPU_OK || low < 0xDC00 || low >= 0xE000) {
                free(buf);
                return fail_at(p, "unpaired surrogate in \\u escape");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp < 0xE000) {
            free(buf);
            return fail_at(p, "unpaired surrogate in \\u escape");
        }
        n += put_utf8(buf + n, cp);
    }
    buf[n] = '\0';
    *out = buf;
    return RTPU_OK;
}

static rtpu_status parse_number(parser *p, json_value *v)
{
    size_t start = p->pos;
    if (peek(p) == '-')
        advance(p);
    if (peek(p) == '0') {
        advance(p);
    } else if (peek(p) >= '1' && peek(p) <= '9') {
        while (peek(p) >= '0' && peek(p) <= '9') advance(p);
    } else {
        return fail_at(p, "bad number");
    }
    if (peek(p) == '.') {
        advance(p);
        if (!(peek(p) >= '0' && peek(p) <= '9'))
            return fail_at(p, "bad number: digit expected after '.'");
        while (peek(p) >= '0' && peek(p) <= '9') advance(p);
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        advance(p);
        if (peek(p) == '+' || peek(p) == '-') advance(p);
        if (!(peek(p) >= '0' && peek(p) <= '9'))
            return fail_at(p, "bad number: digit expected in exponent");
        while (peek(p) >= '0' && peek(p) <= '9') advance(p);
    }
    char tmp[64];
    size_t len = p->pos - start;
    if (len >= sizeof tmp)
        return fail_at(p, "number too long");
    memcpy(tmp, p->text + start, len);
    tmp[len] = '\0';
    errno = 0;
    v->number = strtod(tmp, NULL);
    if (errno == ERANGE && (v->number > 1.0 || v->number < -1.0))
        return fail_at(p, "number out of range");
    v->kind = JSON_NUMBER;
    return RTPU_OK;
}

static rtpu_status parse_value(parser *p, json_value *v, int depth);

static rtpu_status grow(parser *p, json_value *v, size_t *capacity, bool with_keys)
{
    if (v->count < *capacity)
        return RTPU_OK;
    size_t cap = *capacity ? *capacity * 2 : 4;
    json_value *items = realloc(v->items, cap * sizeof *items);
    if (!items)
        return rtpu_fail(p->err, RTPU_ERR_NOMEM, "%s: out of memory", p->source);
    v->items = items;
    if (with_keys) {
        char **keys = realloc(v->keys, cap * sizeof *keys);
        if (!keys)
            return rtpu_fail(p->err, RTPU_ERR_NOMEM, "%s: out of memory", p->source);
        v->keys = keys;
    }
    *capacity = cap;
    return RTPU_OK;
}

static rtpu_status parse_array(parser *p, json_value *v, int depth)
{
    v->kind = JSON_ARRAY;
    advance(p);
    skip_space(p);
    if (peek(p) == ']') {
        advance(p);
        return RTPU_OK;
    }
    size_t capacity = 0;
    for (;;) {
        rtpu_status s = grow(p, v, &capacity, false);
        if (s) return s;
        json_value *item = &v->items[v->count];
        *item = (json_value){0};
        v->count++;
        skip_space(p);
        if ((s = parse_value(p, item, depth + 1)))
            return s;
        skip_space(p);
        if (peek(p) == ',') { advance(p); continue; }
        if (peek(p) == ']') { advance(p); return RTPU_OK; }
        return fail_at(p, "expected ',' or ']' in array");
    }
}

static rtpu_status parse_object(parser *p, json_value *v, int depth)
{
    v->kind = JSON_OBJECT;
    advance(p);
    skip_space(p);
    if (peek(p) == '}') {
        advance(p);
        return RTPU_OK;
    }
    size_t capacity = 0;
    for (;;) {
        skip_space(p);
        if (peek(p) != '"')
            return fail_at(p, "expected a member name in quotes");
        int key_line = p->line, key_column = p->column;
        char *key;
        rtpu_status s = parse_string(p, &key);
        if (s) return s;
        for (size_t i = 0; i < v->count; i++)
            if (!strcmp(v->keys[i], key)) {
                rtpu_fail(p->err, RTPU_ERR_PARSE, "%s:%d:%d: duplicate member '%s'", p->source, key_line,
                          key_column, key);
                free(key);
                return RTPU_ERR_PARSE;
            }
        if ((s = grow(p, v, &capacity, true))) {
            free(key);
            return s;
        }
        v->keys[v->count] = key;
        json_value *item = &v->items[v->count];
        *item = (json_value){.key_line = key_line, .key_column = key_column};
        v->count++;
        skip_space(p);
        if (peek(p) != ':')
            return fail_at(p, "expected ':' after member name");
        advance(p);
        skip_space(p);
        if ((s = parse_value(p, item, depth + 1)))
            return s;
        skip_space(p);
        if (peek(p) == ',') { advance(p); continue; }
        if (peek(p) == '}') { advance(p); return RTPU_OK; }
        return fail_at(p, "expected ',' or '}' in object");
    }
}

static rtpu_status parse_value(parser *p, json_value *v, int depth)
{
    if (depth > JSON_MAX_DEPTH)
        return fail_at(p, "nesting deeper than 64 levels");
    v->line = p->line;
    v->column = p->column;
    int c = peek(p);
    switch (c) {
    case '{': return parse_object(p, v, depth);
    case '[': return parse_array(p, v, depth);
    case '"': v->kind = JSON_STRING; return parse_string(p, &v->string);
    case 't': if (match_word(p, "true")) { v->kind = JSON_BOOL; v->boolean = true; return RTPU_OK; } break;
    case 'f': if (match_word(p, "false")) { v->kind = JSON_BOOL; return RTPU_OK; } break;
    case 'n': if (match_word(p, "null")) { v->kind = JSON_NULL; return RTPU_OK; } break;
    default:
        if (c == '-' || (c >= '0' && c <= '9'))
            return parse_number(p, v);
    }
    return fail_at(p, c < 0 ? "unexpected end of input" : "unexpected character");
}

static void free_children(json_value *v)
{
    for (size_t i = 0; i < v->count; i++) {
        free_children(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
}

void json_destroy(json_value *value)
{
    if (!value)
        return;
    free_children(value);
    free(value);
}

rtpu_status json_parse(const char *text, size_t length, const char *source, json_value **out,
                       rtpu_error *err)
{
    *out = NULL;
    parser p = {.text = text, .length = length, .line = 1, .column = 1, .source = source, .err = err};
    json_value *root = calloc(1, sizeof *root);
    if (!root)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: out of memory", source);
    skip_space(&p);
    rtpu_status s = parse_value(&p, root, 0);
    if (!s) {
        skip_space(&p);
        if (p.pos < p.length)
            s = fail_at(&p, "unexpected text after the JSON value");
    }
    if (s) {
        json_destroy(root);
        return s;
    }
    *out = root;
    return RTPU_OK;
}

const json_value *json_member(const json_value *obj, const char *key)
{
    if (!obj || obj->kind != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->count; i++)
        if (!strcmp(obj->keys[i], key))
            return &obj->items[i];
    return NULL;
}

const char *json_kind_name(json_kind kind)
{
    static const char *names[] = {"null", "boolean", "number", "string", "array", "object"};
    return names[kind];
}
