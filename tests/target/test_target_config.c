/* Hardware configs: the shipped ones load with the documented values; bad ones fail with
 * a one-line message naming the file, position or field, and the rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sim/sim_test_util.h"

static void test_shipped_configs(void **state)
{
    (void)state;
    rtpu_config c;
    test_load_config("tpu-v1", &c);
    assert_string_equal(c.name, "tpu-v1");
    assert_int_equal(c.array_size, 256);
    assert_int_equal(c.unified_buffer_bytes, 24u << 20);
    assert_int_equal(c.accumulator_bytes, 4u << 20);
    assert_int_equal(config_ub_rows(&c), 98304);  /* 24 MiB / 256 */
    assert_int_equal(config_acc_rows(&c), 4096);  /* 4 MiB / (256 * 4) */
    /* ~34 GB/s at 700 MHz is 48.6 bytes per cycle */
    assert_int_equal(c.dram_bytes_per_cycle, 48);
    assert_int_equal(c.clock_mhz, 700);
    test_load_config("tpu-128", &c);
    assert_int_equal(c.array_size, 128);
    test_load_config("small-16", &c);
    assert_int_equal(c.array_size, 16);
    assert_int_equal(config_wb_rows(&c), 1024);
    test_load_config("small-8", &c);
    assert_int_equal(c.array_size, 8);
}

static const char good[] =
    "{\"name\": \"t\", \"array_size\": 8, \"unified_buffer_bytes\": 1024, \"accumulator_bytes\": 1024,"
    " \"weight_buffer_bytes\": 512, \"lut_tables\": 2, \"dram_bytes\": 4096, \"dram_bytes_per_cycle\": 4,"
    " \"dram_latency_cycles\": 3, \"vector_lanes\": 8, \"vector_pipeline_cycles\": 1, \"queue_depth\": 4,"
    " \"clock_mhz\": 100}";

static void expect_error(const char *text, const char *fragment)
{
    rtpu_config c;
    rtpu_error err = {0};
    assert_int_not_equal(config_parse(text, strlen(text), "x.json", &c, &err), RTPU_OK);
    if (!strstr(err.message, fragment))
        fail_msg("message '%s' lacks '%s'", err.message, fragment);
    assert_null(strchr(err.message, '\n'));
}

/* Replaces the first occurrence of `from` in `good` by `to`. */
static void expect_edit_error(const char *from, const char *to, const char *fragment)
{
    char text[2048];
    const char *at = strstr(good, from);
    assert_non_null(at);
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
    expect_error(text, fragment);
}

static void test_bad_configs(void **state)
{
    (void)state;
    rtpu_config c;
    rtpu_error err = {0};
    assert_int_equal(config_parse(good, strlen(good), "x.json", &c, &err), RTPU_OK);
    expect_error("{\"name\": ", "x.json:1:");
    expect_error("[1]", "a config is a JSON object");
    expect_edit_error("\"lut_tables\": 2", "\"lut_tables\": 2, \"colour\": 1", "x.json:1:");
    expect_edit_error("\"lut_tables\": 2", "\"lut_tables\": 2, \"colour\": 1", "unknown field 'colour'");
    expect_edit_error("\"queue_depth\": 4,", "", "missing field 'queue_depth'");
    expect_edit_error("\"array_size\": 8", "\"array_size\": 512", "array_size = 512 must be a whole number in [4, 256]");
    expect_edit_error("\"array_size\": 8", "\"array_size\": 8.5", "array_size");
    expect_edit_error("\"array_size\": 8", "\"array_size\": \"8\"", "array_size must be a number, not string");
    expect_edit_error("\"unified_buffer_bytes\": 1024", "\"unified_buffer_bytes\": 1030",
                      "unified_buffer_bytes = 1030 is not a multiple of 8 bytes (one row)");
    expect_edit_error("\"weight_buffer_bytes\": 512", "\"weight_buffer_bytes\": 520",
                      "weight_buffer_bytes = 520 is not a multiple of 64 bytes (one N x N weight tile)");
    expect_edit_error("\"dram_bytes_per_cycle\": 4", "\"dram_bytes_per_cycle\": 0", "dram_bytes_per_cycle = 0");
    expect_edit_error("\"name\": \"t\"", "\"name\": \"a b\"", "name must be a string");
    /* a missing file */
    assert_int_equal(config_load("/nonexistent/c.json", &c, &err), RTPU_ERR_IO);
    assert_non_null(strstr(err.message, "/nonexistent/c.json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_shipped_configs), cmocka_unit_test(test_bad_configs)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
