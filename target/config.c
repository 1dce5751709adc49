/* Hardware config: field table, JSON loading and validation (see config.h). */
#include "target/config.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"
#include "common/json.h"

#define FIELD32(member, lo, hi) {#member, lo, hi, false, offsetof(rtpu_config, member)}
#define FIELD64(member, lo, hi) {#member, lo, hi, true, offsetof(rtpu_config, member)}

/* Ranges: memories must hold at least one row and at most 2^20 rows (20-bit row fields);
 * DRAM addresses are 32-bit. The per-N checks (multiples of a row) are in config_validate. */
const config_field config_fields[] = {
    FIELD32(array_size, CONFIG_MIN_ARRAY, CONFIG_MAX_ARRAY),
    FIELD64(unified_buffer_bytes, 1, (uint64_t)CONFIG_MAX_ROWS * CONFIG_MAX_ARRAY),
    FIELD64(accumulator_bytes, 1, (uint64_t)CONFIG_MAX_ROWS * CONFIG_MAX_ARRAY * 4),
    FIELD64(weight_buffer_bytes, 1, (uint64_t)CONFIG_MAX_ROWS * CONFIG_MAX_ARRAY),
    FIELD32(lut_tables, 1, 256),
    FIELD64(dram_bytes, 1, UINT64_C(1) << 32),
    FIELD32(dram_bytes_per_cycle, 1, 65536),
    FIELD32(dram_latency_cycles, 0, 1000000),
    FIELD32(vector_lanes, 1, 65536),
    FIELD32(vector_pipeline_cycles, 0, 1000),
    FIELD32(queue_depth, 1, 1024),
    FIELD32(clock_mhz, 1, 100000),
};
const int config_field_count = (int)(sizeof config_fields / sizeof config_fields[0]);

uint64_t config_get(const rtpu_config *c, const config_field *f)
{
    const char *base = (const char *)c + f->offset;
    if (f->is_64bit) {
        uint64_t v;
        memcpy(&v, base, sizeof v);
        return v;
    }
    uint32_t v;
    memcpy(&v, base, sizeof v);
    return v;
}

void config_set(rtpu_config *c, const config_field *f, uint64_t value)
{
    char *base = (char *)c + f->offset;
    if (f->is_64bit) {
        memcpy(base, &value, sizeof value);
    } else {
        uint32_t v = (uint32_t)value;
        memcpy(base, &v, sizeof v);
    }
}

uint32_t config_ub_rows(const rtpu_config *c) { return (uint32_t)(c->unified_buffer_bytes / c->array_size); }
uint32_t config_acc_rows(const rtpu_config *c) { return (uint32_t)(c->accumulator_bytes / (4u * c->array_size)); }
uint32_t config_wb_rows(const rtpu_config *c) { return (uint32_t)(c->weight_buffer_bytes / c->array_size); }

bool config_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= CONFIG_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  ch == '_' || ch == '-' || ch == '.';
        if (!ok)
            return false;
    }
    return true;
}

/* One memory must be a whole number of rows, and the rows must fit a 20-bit address. */
static rtpu_status check_rows(const char *source, const char *field, uint64_t bytes, uint64_t row_bytes,
                              uint64_t multiple_rows, rtpu_error *err)
{
    uint64_t unit = row_bytes * multiple_rows;
    if (bytes % unit != 0)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: %s = %" PRIu64 " is not a multiple of %" PRIu64 " bytes (%s)",
                         source, field, bytes, unit, multiple_rows > 1 ? "one N x N weight tile" : "one row");
    if (bytes / row_bytes < multiple_rows || bytes / row_bytes > CONFIG_MAX_ROWS)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: %s = %" PRIu64 " gives %" PRIu64 " rows, outside [%" PRIu64 ", %d]",
                         source, field, bytes, bytes / row_bytes, multiple_rows, CONFIG_MAX_ROWS);
    return RTPU_OK;
}

rtpu_status config_validate(const rtpu_config *c, const char *source, rtpu_error *err)
{
    if (!config_name_valid(c->name))
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: name '%s' must be 1..%d characters of [A-Za-z0-9_.-]", source,
                         c->name, CONFIG_NAME_MAX - 1);
    for (int i = 0; i < config_field_count; i++) {
        uint64_t v = config_get(c, &config_fields[i]);
        if (v < config_fields[i].min || v > config_fields[i].max)
            return rtpu_fail(err, RTPU_ERR_INVALID, "%s: %s = %" PRIu64 " is outside [%" PRIu64 ", %" PRIu64 "]", source,
                             config_fields[i].name, v, config_fields[i].min, config_fields[i].max);
    }
    uint64_t n = c->array_size;
    rtpu_status st;
    if ((st = check_rows(source, "unified_buffer_bytes", c->unified_buffer_bytes, n, 1, err)))
        return st;
    if ((st = check_rows(source, "accumulator_bytes", c->accumulator_bytes, 4 * n, 1, err)))
        return st;
    return check_rows(source, "weight_buffer_bytes", c->weight_buffer_bytes, n, n, err);
}

bool config_equal(const rtpu_config *a, const rtpu_config *b)
{
    if (strcmp(a->name, b->name) != 0)
        return false;
    for (int i = 0; i < config_field_count; i++)
        if (config_get(a, &config_fields[i]) != config_get(b, &config_fields[i]))
            return false;
    return true;
}

/* Reads one integer member; the JSON number must be a whole number within the field range. */
static rtpu_status read_field(const json_value *v, const char *source, const config_field *f, rtpu_config *out,
                              rtpu_error *err)
{
    if (v->kind != JSON_NUMBER)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s:%d:%d: %s must be a number, not %s", source, v->line, v->column,
                         f->name, json_kind_name(v->kind));
    double d = v->number;
    if (!(d >= (double)f->min && d <= (double)f->max) || d != (double)(uint64_t)d)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s:%d:%d: %s = %g must be a whole number in [%" PRIu64 ", %" PRIu64 "]",
                         source, v->line, v->column, f->name, d, f->min, f->max);
    config_set(out, f, (uint64_t)d);
    return RTPU_OK;
}

rtpu_status config_parse(const char *text, size_t length, const char *source, rtpu_config *out, rtpu_error *err)
{
    json_value *root = NULL;
    rtpu_status st = json_parse(text, length, source, &root, err);
    if (st)
        return st;
    rtpu_config c;
    memset(&c, 0, sizeof c);
    if (root->kind != JSON_OBJECT) {
        st = rtpu_fail(err, RTPU_ERR_INVALID, "%s:%d:%d: a config is a JSON object, not %s", source, root->line,
                       root->column, json_kind_name(root->kind));
        goto done;
    }
    /* Every member must be known; every known field must be present. */
    for (size_t i = 0; i < root->count && !st; i++) {
        const char *key = root->keys[i];
        const json_value *v = &root->items[i];
        if (!strcmp(key, "name")) {
            if (v->kind != JSON_STRING || !config_name_valid(v->string))
                st = rtpu_fail(err, RTPU_ERR_INVALID, "%s:%d:%d: name must be a string of 1..%d characters of [A-Za-z0-9_.-]",
                               source, v->line, v->column, CONFIG_NAME_MAX - 1);
            else
                strcpy(c.name, v->string);
            continue;
        }
        if (!strcmp(key, "description"))
            continue; /* free text for humans */
        int found = -1;
        for (int f = 0; f < config_field_count; f++)
            if (!strcmp(key, config_fields[f].name))
                found = f;
        if (found < 0)
            st = rtpu_fail(err, RTPU_ERR_INVALID, "%s:%d:%d: unknown field '%s'", source, v->line, v->column, key);
        else
            st = read_field(v, source, &config_fields[found], &c, err);
    }
    if (st)
        goto done;
    if (!json_member(root, "name")) {
        st = rtpu_fail(err, RTPU_ERR_INVALID, "%s: missing field 'name'", source);
        goto done;
    }
    for (int f = 0; f < config_field_count; f++)
        if (!json_member(root, config_fields[f].name)) {
            st = rtpu_fail(err, RTPU_ERR_INVALID, "%s: missing field '%s'", source, config_fields[f].name);
            goto done;
        }
    st = config_validate(&c, source, err);
    if (!st)
        *out = c;
done:
    json_destroy(root);
    return st;
}

rtpu_status config_load(const char *path, rtpu_config *out, rtpu_error *err)
{
    void *text = NULL;
    size_t size = 0;
    rtpu_status st = read_whole_file(path, 1 << 20, &text, &size, err);
    if (st)
        return st;
    st = config_parse(text, size, path, out, err);
    free(text);
    return st;
}

rtpu_status config_load_named(const char *arg, rtpu_config *out, rtpu_error *err)
{
    size_t n = strlen(arg);
    if (strchr(arg, '/') || (n >= 5 && !strcmp(arg + n - 5, ".json")))
        return config_load(arg, out, err);
    if (!config_name_valid(arg))
        return rtpu_fail(err, RTPU_ERR_INVALID, "config '%s': not a file path and not a config name", arg);
    const char *dirs[2] = {getenv("RTPU_CONFIG_DIR"), "configs"};
    char path[4096];
    for (int i = 0; i < 2; i++) {
        if (!dirs[i])
            continue;
        snprintf(path, sizeof path, "%s/%s.json", dirs[i], arg);
        FILE *f = fopen(path, "rb");
        if (f) {
            fclose(f);
            return config_load(path, out, err);
        }
    }
    return rtpu_fail(err, RTPU_ERR_IO, "config '%s': no %s.json in $RTPU_CONFIG_DIR or ./configs", arg, arg);
}
