/* .npy reader and writer: hand-built files of every supported dtype and header variant,
 * the writer's exact bytes, a round trip, and every kind of bad file. */
#include "tests/common/test_files.h"

#include <math.h>

#include "common/npy.h"

/* Magic, version, little-endian header length, header text, data: built by hand here so
 * the reader is checked against the format, not against npy_write_f32. */
static void write_npy(const char *path, int major, const char *header, const void *data,
                      size_t data_size)
{
    size_t header_length = strlen(header);
    unsigned char bytes[4096] = {0x93, 'N', 'U', 'M', 'P', 'Y', (unsigned char)major, 0};
    size_t used = 8;
    bytes[used++] = (unsigned char)(header_length & 0xff);
    bytes[used++] = (unsigned char)((header_length >> 8) & 0xff);
    if (major >= 2) {
        bytes[used++] = (unsigned char)((header_length >> 16) & 0xff);
        bytes[used++] = (unsigned char)((header_length >> 24) & 0xff);
    }
    assert_true(used + header_length + data_size <= sizeof bytes);
    memcpy(bytes + used, header, header_length);
    used += header_length;
    if (data_size)
        memcpy(bytes + used, data, data_size);
    test_write_bytes(path, bytes, used + data_size);
}

/* A v1 file written out completely literally: 2 float32 values, 1.5 and -0.25. */
static void reads_literal_v1_f4(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    test_path(path, sizeof path, dir, "literal.npy");
    static const char file[] =
        "\x93NUMPY\x01\x00\x76\x00"
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
        "                                                            \n"
        "\x00\x00\xc0\x3f\x00\x00\x80\xbe";
    assert_int_equal(sizeof file - 1, 128 + 8);
    test_write_bytes(path, file, sizeof file - 1);

    rtpu_error err = {0};
    npy_array a;
    assert_int_equal(npy_read(path, &a, &err), RTPU_OK);
    assert_int_equal(a.ndim, 1);
    assert_int_equal(a.shape[0], 2);
    assert_int_equal(npy_array_count(&a), 2);
    assert_true(a.data[0] == 1.5f);
    assert_true(a.data[1] == -0.25f);
    npy_array_destroy(&a);
    assert_null(a.data);
}

static void converts_f8_to_float(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    test_path(path, sizeof path, dir, "f8.npy");
    /* Little-endian IEEE doubles: 0.1, -1e-3, 1e300 (too big for float: +inf), 2.5. */
    const unsigned char data[32] = {
        0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f, 0xfc, 0xa9, 0xf1, 0xd2, 0x4d, 0x62, 0x50,
        0xbf, 0x9c, 0x75, 0x00, 0x88, 0x3c, 0xe4, 0x37, 0x7e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x04, 0x40,
    };
    write_npy(path, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }\n", data,
              sizeof data);
    rtpu_error err = {0};
    npy_array a;
    assert_int_equal(npy_read(path, &a, &err), RTPU_OK);
    assert_int_equal(a.ndim, 2);
    assert_int_equal(a.shape[0], 2);
    assert_int_equal(a.shape[1], 2);
    assert_true(a.data[0] == 0.1f);
    assert_true(a.data[1] == -0.001f);
    assert_true(isinf(a.data[2]) && a.data[2] > 0);
    assert_true(a.data[3] == 2.5f);
    npy_array_destroy(&a);
}

static void converts_integer_dtypes(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    rtpu_error err = {0};
    npy_array a;

    test_path(path, sizeof path, dir, "u1.npy");
    const unsigned char u1[4] = {0, 1, 128, 255};
    write_npy(path, 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }\n", u1, 4);
    assert_int_equal(npy_read(path, &a, &err), RTPU_OK);
    assert_true(a.data[0] == 0.0f && a.data[1] == 1.0f && a.data[2] == 128.0f &&
                a.data[3] == 255.0f);
    npy_array_destroy(&a);

    test_path(path, sizeof path, dir, "i1.npy");
    const unsigned char i1[4] = {0x80, 0xff, 0x00, 0x7f};
    write_npy(path, 1, "{'descr': '|i1', 'fortran_order': False, 'shape': (4,), }\n", i1, 4);
    assert_int_equal(npy_read(path, &a, &err), RTPU_OK);
    assert_true(a.data[0] == -128.0f && a.data[1] == -1.0f && a.data[2] == 0.0f &&
                a.data[3] == 127.0f);
    npy_array_destroy(&a);

    /* -2147483648, 16777217 (rounds to 16777216 as float), 5 */
    test_path(path, sizeof path, dir, "i4.npy");
    const unsigned char i4[12] = {0x00, 0x00, 0x00, 0x80, 0x01, 0x00, 0x00, 0x01, 5, 0, 0, 0};
    write_npy(path, 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }\n", i4, 12);
    assert_int_equal(npy_read(path, &a, &err), RTPU_OK);
    assert_true(a.data[0] == -2147483648.0f && a.data[1] == 16777216.0f && a.data[2] == 5.0f);
    npy_array_destroy(&a);

    /* -2^40 and 3 */
    test_path(path, sizeof path, dir, "i8.npy");
    const unsigned char i8[16] = {0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 3, 0, 0, 0, 0, 0, 0, 0};
    write_npy(path, 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }\n", i8, 16);
    assert_int_equal(npy_read(path, &a, &err), RTPU_OK);
    assert_true(a.data[0] == -1099511627776.0f && a.data[1] == 3.0f);
    npy_array_destroy(&a);
}

/* Versions 2 and 3 (4-byte header length), other key orders and quoting, Python 2 'L'
 * suffixes, scalars and empty arrays. */
static void accepts_header_variants(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    rtpu_error err = {0};
    npy_array a;
    const unsigned char one[4] = {0x00, 0x00, 0x80, 0x3f}; /* 1.0f */

    test_path(path, sizeof path, dir, "v2.npy");
    write_npy(path, 2, "{\"shape\": (1,), \"fortran_order\": False, \"descr\": \"<f4\"}   \n",
              one, 4);
    assert_int_equal(npy_read(path, &a, &err), RTPU_OK);
    assert_int_equal(a.ndim, 1);
    assert_true(a.data[0] == 1.0f);
    npy_array_destroy(&a);

    test_path(path, sizeof path, dir, "v3.npy");
    write_npy(path, 3, "{'descr':'<f4','fortran_order':False,'shape':(1L,1L)}\n", one, 4);
    assert_int_equal(npy_read(path, &a, &err), RTPU_OK);
    assert_int_equal(a.ndim, 2);
    assert_int_equal(a.shape[0], 1);
    assert_int_equal(a.shape[1], 1);
    npy_array_destroy(&a);

    test_path(path, sizeof path, dir, "scalar.npy");
    write_npy(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }\n", one, 4);
    assert_int_equal(npy_read(path, &a, &err), RTPU_OK);
    assert_int_equal(a.ndim, 0);
    assert_int_equal(npy_array_count(&a), 1);
    assert_true(a.data[0] == 1.0f);
    npy_array_destroy(&a);

    test_path(path, sizeof path, dir, "empty.npy");
    write_npy(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }\n", NULL, 0);
    assert_int_equal(npy_read(path, &a, &err), RTPU_OK);
    assert_int_equal(a.ndim, 2);
    assert_int_equal(npy_array_count(&a), 0);
    assert_non_null(a.data);
    npy_array_destroy(&a);
}

/* The writer's bytes are checked literally, then read back. */
static void writer_produces_numpy_layout(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    test_path(path, sizeof path, dir, "written.npy");
    const float values[6] = {1.0f, -2.0f, 0.5f, 3.25f, -0.0f, 1e-30f};
    const long long shape[2] = {2, 3};
    rtpu_error err = {0};
    assert_int_equal(npy_write_f32(path, values, 2, shape, &err), RTPU_OK);

    unsigned char bytes[256];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t size = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    assert_int_equal(size, 128 + 24);
    assert_memory_equal(bytes, "\x93NUMPY\x01\x00\x76\x00", 10);
    const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    assert_memory_equal(bytes + 10, dict, strlen(dict));
    for (size_t i = 10 + strlen(dict); i < 127; i++)
        assert_int_equal(bytes[i], ' ');
    assert_int_equal(bytes[127], '\n');
    assert_memory_equal(bytes + 128, "\x00\x00\x80\x3f\x00\x00\x00\xc0", 8); /* 1.0, -2.0 */

    npy_array a;
    assert_int_equal(npy_read(path, &a, &err), RTPU_OK);
    assert_int_equal(a.ndim, 2);
    assert_int_equal(a.shape[0], 2);
    assert_int_equal(a.shape[1], 3);
    assert_memory_equal(a.data, values, sizeof values);
    npy_array_destroy(&a);

    /* One-dimensional shapes need Python's trailing comma; scalars are "()". */
    const long long one_d[1] = {3};
    assert_int_equal(npy_write_f32(path, values, 1, one_d, &err), RTPU_OK);
    f = fopen(path, "rb");
    size = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    assert_true(size > 128);
    bytes[127] = '\0';
    assert_non_null(strstr((const char *)bytes + 10, "'shape': (3,), }"));
    assert_int_equal(npy_write_f32(path, values, 0, NULL, &err), RTPU_OK);
    assert_int_equal(npy_read(path, &a, &err), RTPU_OK);
    assert_int_equal(a.ndim, 0);
    assert_true(a.data[0] == 1.0f);
    npy_array_destroy(&a);
    assert_int_equal(test_dir_entries(dir->path), 1);
}

typedef struct bad_header_case {
    const char *header;
    rtpu_status status;
    const char *fragment;
} bad_header_case;

static void rejects_bad_headers(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    test_path(path, sizeof path, dir, "bad.npy");
    const unsigned char data[64] = {0};
    static const bad_header_case cases[] = {
        {"['descr', '<f4']\n", RTPU_ERR_PARSE, "at byte 10: expected '{'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}\n", RTPU_ERR_PARSE,
         "at byte 66: unknown key"},
        {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}\n",
         RTPU_ERR_PARSE, "at byte 27: duplicate key"},
        {"{'descr': '<f4', 'fortran_order': False}\n", RTPU_ERR_PARSE, "no 'shape'"},
        {"{'fortran_order': False, 'shape': (2,)}\n", RTPU_ERR_PARSE, "no 'descr'"},
        {"{'descr' '<f4', 'fortran_order': False, 'shape': (2,)}\n", RTPU_ERR_PARSE,
         "at byte 19: expected ':' after a key"},
        {"{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}\n", RTPU_ERR_PARSE,
         "expected ',' or '}' after a value"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)\n", RTPU_ERR_PARSE,
         "expected ',' or '}' after a value"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': 2}\n", RTPU_ERR_PARSE,
         "expected '(' to start 'shape'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", RTPU_ERR_PARSE,
         "expected ',' or '}' after a value"},
        {"{'descr': '<f4", RTPU_ERR_PARSE, "unterminated string"},
        {"{'descr': '<f4', 'fortran_order': false, 'shape': (2,)}\n", RTPU_ERR_PARSE,
         "expected True or False"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3) x}\n", RTPU_ERR_PARSE,
         "at byte 67: expected ',' or '}'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2; 3)}\n", RTPU_ERR_PARSE,
         "expected ',' or ')' in 'shape'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}\n", RTPU_ERR_PARSE,
         "must not be negative"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,)}\n", RTPU_ERR_PARSE,
         "expected ',' or ')'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} trailing\n", RTPU_ERR_PARSE,
         "unexpected text after the header dict"},
        {"{'descr': 'a\\'b', 'fortran_order': False, 'shape': (2,)}\n", RTPU_ERR_PARSE,
         "escape sequences"},
        {"{'descr': '<f4', 'fortran_order': True, 'shape': (2,)}\n", RTPU_ERR_UNSUPPORTED,
         "fortran_order True is not supported"},
        {"{'descr': '>f4', 'fortran_order': False, 'shape': (2,)}\n", RTPU_ERR_UNSUPPORTED,
         "unsupported npy dtype '>f4'"},
        {"{'descr': '<c8', 'fortran_order': False, 'shape': (2,)}\n", RTPU_ERR_UNSUPPORTED,
         "unsupported npy dtype '<c8'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1)}\n",
         RTPU_ERR_UNSUPPORTED, "more than 8 dimensions"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000)}\n",
         RTPU_ERR_NOMEM, "shape (100000, 100000, 100000) is absurdly large"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}\n",
         RTPU_ERR_NOMEM, "dimension is absurdly large"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (17,)}\n", RTPU_ERR_FORMAT,
         "npy data is 64 bytes but shape (17) of <f4 needs 68 (truncated file)"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (15,)}\n", RTPU_ERR_FORMAT,
         "needs 60 (trailing bytes)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_npy(path, 1, cases[i].header, data, sizeof data);
        rtpu_error err = {0};
        npy_array a = {.ndim = 99};
        expect_error(npy_read(path, &a, &err), &err, cases[i].status, cases[i].fragment);
        assert_non_null(strstr(err.message, "bad.npy"));
        assert_null(a.data);
        assert_int_equal(a.ndim, 0);
    }
}

static void rejects_bad_prefixes(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    test_path(path, sizeof path, dir, "prefix.npy");
    rtpu_error err = {0};
    npy_array a;

    test_write_bytes(path, "\x93NUMPX\x01\x00\x00\x00", 10);
    expect_error(npy_read(path, &a, &err), &err, RTPU_ERR_FORMAT, "not a .npy file");
    test_write_bytes(path, "\x93NUM", 4);
    expect_error(npy_read(path, &a, &err), &err, RTPU_ERR_FORMAT, "not a .npy file");
    test_write_bytes(path, "\x93NUMPY\x04\x00\x10\x00", 10);
    expect_error(npy_read(path, &a, &err), &err, RTPU_ERR_UNSUPPORTED,
                 "unsupported npy version 4.0");
    test_write_bytes(path, "\x93NUMPY\x01\x01\x10\x00", 10);
    expect_error(npy_read(path, &a, &err), &err, RTPU_ERR_UNSUPPORTED,
                 "unsupported npy version 1.1");
    test_write_bytes(path, "\x93NUMPY\x01\x00\x40\x00{'descr'", 18);
    expect_error(npy_read(path, &a, &err), &err, RTPU_ERR_FORMAT,
                 "header length 64 runs past the end of the 18-byte file");
    test_write_bytes(path, "\x93NUMPY\x02\x00\x10\x00", 10);
    expect_error(npy_read(path, &a, &err), &err, RTPU_ERR_FORMAT, "truncated npy v2 header");
    test_path(path, sizeof path, dir, "absent.npy");
    expect_error(npy_read(path, &a, &err), &err, RTPU_ERR_IO, "cannot open");
}

static void writer_rejects_bad_arguments(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    rtpu_error err = {0};
    const float values[4] = {0};
    test_path(path, sizeof path, dir, "w.npy");
    const long long negative[2] = {2, -1};
    expect_error(npy_write_f32(path, values, 2, negative, &err), &err, RTPU_ERR_SHAPE,
                 "cannot write npy of shape (2, -1)");
    const long long shape[1] = {4};
    expect_error(npy_write_f32(path, values, 9, shape, &err), &err, RTPU_ERR_SHAPE,
                 "9 dimensions");
    expect_error(npy_write_f32(path, NULL, 1, shape, &err), &err, RTPU_ERR_INVALID, "no data");
    test_path(path, sizeof path, dir, "missing/w.npy");
    expect_error(npy_write_f32(path, values, 1, shape, &err), &err, RTPU_ERR_IO,
                 "cannot create temporary output file");
    assert_int_equal(test_dir_entries(dir->path), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reads_literal_v1_f4, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(converts_f8_to_float, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(converts_integer_dtypes, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(accepts_header_variants, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(writer_produces_numpy_layout, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(rejects_bad_headers, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(rejects_bad_prefixes, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(writer_rejects_bad_arguments, test_dir_setup,
                                        test_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
