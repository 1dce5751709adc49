/* limits: the memory budget's arithmetic (overflow-safe sizes, taking and giving back,
 * the peak), its one-line messages, and the byte formatter, against values worked out by
 * hand. */
#include "tests/common/test_files.h"

#include "common/limits.h"

static void tensor_bytes_and_overflow(void **state)
{
    (void)state;
    assert_int_equal(rtpu_tensor_bytes(2, 3, 5, 7, 4), 840);
    assert_int_equal(rtpu_tensor_bytes(0, 3, 5, 7, 4), 0);
    /* 2^16 * 2^16 * 2^16 * 2^16 * 4 = 2^66: does not fit */
    assert_true(rtpu_tensor_bytes(65536, 65536, 65536, 65536, 4) == UINT64_MAX);
    uint64_t r = 0;
    assert_true(rtpu_mul_u64(UINT64_C(1) << 32, UINT64_C(1) << 31, &r));
    assert_true(r == UINT64_C(1) << 63);
    assert_false(rtpu_mul_u64(UINT64_C(1) << 32, UINT64_C(1) << 32, &r));
}

static void format_bytes(void **state)
{
    (void)state;
    char s[16];
    rtpu_format_bytes(0, s);
    assert_string_equal(s, "0 B");
    rtpu_format_bytes(1023, s);
    assert_string_equal(s, "1023 B");
    rtpu_format_bytes(1536, s);
    assert_string_equal(s, "1.5 KiB");
    rtpu_format_bytes(UINT64_C(8) << 30, s);
    assert_string_equal(s, "8.0 GiB");
    rtpu_format_bytes(UINT64_MAX, s);
    assert_string_equal(s, "16.0 EiB");
}

static void budget_takes_gives_and_refuses(void **state)
{
    (void)state;
    rtpu_budget b;
    rtpu_budget_init(&b, 0);
    assert_true(b.limit == RTPU_DEFAULT_MAX_MEMORY && b.limit == UINT64_C(8589934592));
    rtpu_budget_init(&b, 1000);
    rtpu_error err = {0};
    assert_int_equal(rtpu_budget_take(&b, 600, &err, "a"), RTPU_OK);
    assert_int_equal(rtpu_budget_take(&b, 400, &err, "b"), RTPU_OK); /* exactly the limit fits */
    rtpu_budget_give(&b, 700);
    assert_true(b.used == 300 && b.peak == 1000);
    expect_error(rtpu_budget_take(&b, 701, &err, "tensor '%s'", "x"), &err, RTPU_ERR_NOMEM,
                 "tensor 'x' needs 701 B, 1001 B in all with what comes before it: over the 1000 B memory limit");
    assert_true(b.used == 300); /* a refusal takes nothing */
    rtpu_budget_give(&b, 5000);
    assert_true(b.used == 0);
    expect_error(rtpu_budget_take(&b, 1001, &err, "y"), &err, RTPU_ERR_NOMEM, "y needs 1001 B: over the 1000 B");
    expect_error(rtpu_budget_take(&b, UINT64_MAX, &err, "z"), &err, RTPU_ERR_NOMEM, "z needs more than 16 EiB");
    /* used + bytes wrapping past 2^64 is refused, not wrapped */
    rtpu_budget_init(&b, UINT64_MAX);
    assert_int_equal(rtpu_budget_take(&b, UINT64_MAX - 10, &err, "w"), RTPU_OK);
    expect_error(rtpu_budget_take(&b, 20, &err, "v"), &err, RTPU_ERR_NOMEM, "v needs more than 16 EiB");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tensor_bytes_and_overflow),
        cmocka_unit_test(format_bytes),
        cmocka_unit_test(budget_takes_gives_and_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
