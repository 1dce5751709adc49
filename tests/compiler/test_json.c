/* The position-tracking JSON reader (common/json.c): values, escapes, positions, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/json.h"

static json_value *parse_ok(const char *text)
{
    rtpu_error err = {0};
    json_value *v = NULL;
    if (json_parse(text, strlen(text), "t.json", &v, &err))
        fail_msg("%s", err.message);
    return v;
}

static void test_values_and_positions(void **state)
{
    (void)state;
    json_value *v = parse_ok("{\"a\": [1, -2.5e1, true, null],\n  \"b\": \"x\\u00e9\\n\\ud83d\\ude00\"}");
    assert_int_equal(v->kind, JSON_OBJECT);
    const json_value *a = json_member(v, "a");
    assert_int_equal(a->kind, JSON_ARRAY);
    assert_int_equal(a->count, 4);
    assert_true(a->items[0].number == 1.0);
    assert_true(a->items[1].number == -25.0);
    assert_true(a->items[2].boolean);
    assert_int_equal(a->items[3].kind, JSON_NULL);
    assert_int_equal(a->line, 1);
    assert_int_equal(a->column, 7);
    const json_value *b = json_member(v, "b");
    assert_int_equal(b->line, 2);
    assert_int_equal(b->column, 8);
    assert_string_equal(b->string, "x\xc3\xa9\n\xf0\x9f\x98\x80"); /* é, newline, U+1F600 */
    assert_null(json_member(v, "c"));
    json_destroy(v);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct { const char *text, *fragment; } bad[] = {
        {"", "t.json:1:1: unexpected end of input"},
        {"{\"a\" 1}", "t.json:1:6: expected ':'"},
        {"[1 2]", "t.json:1:4: expected ',' or ']'"},
        {"\"abc", "unterminated string"},
        {"\"\\x\"", "bad escape"},
        {"\"\\ud800\"", "unpaired surrogate"},
        {"01", "t.json:1:2: unexpected text after"},
        {"1.", "digit expected after '.'"},
        {"{} {}", "unexpected text after"},
        {"\"a\tb\"", "control character"},
        {"1e999", "number out of range"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rtpu_error err = {0};
        json_value *v = NULL;
        assert_int_equal(json_parse(bad[i].text, strlen(bad[i].text), "t.json", &v, &err), RTPU_ERR_PARSE);
        assert_null(v);
        if (!strstr(err.message, bad[i].fragment))
            fail_msg("'%s': message \"%s\" lacks \"%s\"", bad[i].text, err.message, bad[i].fragment);
    }
}

/* Hostile nesting is refused, not a stack overflow. */
static void test_depth_limit(void **state)
{
    (void)state;
    char text[2001];
    memset(text, '[', 2000);
    text[2000] = '\0';
    rtpu_error err = {0};
    json_value *v = NULL;
    assert_int_equal(json_parse(text, 2000, "t.json", &v, &err), RTPU_ERR_PARSE);
    assert_non_null(strstr(err.message, "nesting deeper than 64"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_and_positions),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_depth_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
