/* safetensors reader and writer: a file built byte by byte, a round trip through the
 * writer with the writer's layout checked by hand, and every kind of bad file. */
#include "tests/common/test_files.h"

#include "common/safetensors.h"

/* u64 little-endian header size, header text, data area: by hand, independent of the
 * writer. header_size is normally strlen(header); tests of the size field override it. */
static void write_st(const char *path, unsigned long long header_size, const char *header,
                     const void *data, size_t data_size)
{
    unsigned char bytes[4096];
    size_t header_length = strlen(header);
    assert_true(8 + header_length + data_size <= sizeof bytes);
    for (int i = 0; i < 8; i++)
        bytes[i] = (unsigned char)(header_size >> (8 * i));
    memcpy(bytes + 8, header, header_length);
    if (data_size)
        memcpy(bytes + 8 + header_length, data, data_size);
    test_write_bytes(path, bytes, 8 + header_length + data_size);
}

/* Tensors listed out of offset order, metadata in the middle, a scalar, header padded. */
static void reads_a_hand_built_file(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    test_path(path, sizeof path, dir, "hand.safetensors");
    const char *header = "{\"z\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[8,11]},"
                         "\"__metadata__\":{\"format\":\"pt\",\"note\":\"hand made\"},"
                         "\"a\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]},"
                         "\"s\":{\"shape\":[],\"dtype\":\"I16\",\"data_offsets\":[11,13]}}   ";
    /* 1.0f, -2.0f, bytes 7 8 9, int16 0x1234, then one unused byte. */
    const unsigned char data[14] = {0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0,
                                    7,    8,    9,    0x34, 0x12, 0xee};
    write_st(path, strlen(header), header, data, sizeof data);

    rtpu_error err = {0};
    st_file *f;
    assert_int_equal(st_file_read(path, &f, &err), RTPU_OK);
    assert_int_equal(st_file_count(f), 3);

    const st_tensor *z = st_file_tensor(f, 0), *a = st_file_tensor(f, 1), *s = st_file_tensor(f, 2);
    assert_null(st_file_tensor(f, 3));
    assert_string_equal(z->name, "z");
    assert_string_equal(a->name, "a");
    assert_string_equal(s->name, "s");
    assert_int_equal(z->dtype, ST_U8);
    assert_int_equal(a->dtype, ST_F32);
    assert_int_equal(s->dtype, ST_I16);
    assert_int_equal(z->ndim, 1);
    assert_int_equal(z->shape[0], 3);
    assert_int_equal(a->ndim, 2);
    assert_int_equal(a->shape[0], 1);
    assert_int_equal(a->shape[1], 2);
    assert_int_equal(s->ndim, 0);
    assert_int_equal(a->nbytes, 8);
    assert_int_equal(z->nbytes, 3);
    assert_int_equal(s->nbytes, 2);
    /* Exact offsets inside the data area. */
    const unsigned char *base = a->data;
    assert_ptr_equal((const unsigned char *)z->data, base + 8);
    assert_ptr_equal((const unsigned char *)s->data, base + 11);
    assert_memory_equal(a->data, data, 8);
    assert_memory_equal(z->data, data + 8, 3);
    assert_memory_equal(s->data, data + 11, 2);

    assert_ptr_equal(st_file_find(f, "s"), s);
    assert_null(st_file_find(f, "missing"));
    assert_null(st_file_find(f, "__metadata__"));
    assert_string_equal(st_file_metadata(f, "format"), "pt");
    assert_string_equal(st_file_metadata(f, "note"), "hand made");
    assert_null(st_file_metadata(f, "absent"));
    st_file_destroy(f);
    st_file_destroy(NULL);
}

static void round_trip_through_the_writer(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    test_path(path, sizeof path, dir, "weights.safetensors");
    float kernel[6] = {0.5f, -1.5f, 2.0f, 1e-8f, -0.0f, 3.0f};
    const unsigned char bf16[8] = {0x80, 0x3f, 0x00, 0xc0, 0x49, 0x40, 0x00, 0x00};
    const unsigned char i64[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    const unsigned char u8[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const st_tensor tensors[5] = {
        {.name = "conv1/kernel", .dtype = ST_F32, .ndim = 2, .shape = {2, 3}, .data = kernel,
         .nbytes = sizeof kernel},
        {.name = "conv1/bias", .dtype = ST_BF16, .ndim = 1, .shape = {4}, .data = bf16,
         .nbytes = 8},
        {.name = "step", .dtype = ST_I64, .ndim = 0, .data = i64, .nbytes = 8},
        {.name = "empty", .dtype = ST_BOOL, .ndim = 2, .shape = {0, 5}, .data = NULL, .nbytes = 0},
        {.name = "cube", .dtype = ST_U8, .ndim = 3, .shape = {2, 2, 2}, .data = u8, .nbytes = 8},
    };
    const char *metadata[] = {"format", "rtpu", "seed", "42", NULL};
    rtpu_error err = {0};
    assert_int_equal(st_file_write(path, tensors, 5, metadata, &err), RTPU_OK);
    assert_int_equal(test_dir_entries(dir->path), 1);

    /* Layout, checked on the raw bytes: header size multiple of 8, metadata first, data
     * packed in the given order at offsets 0, 24, 32, 40, 40. */
    unsigned char raw[1024];
    FILE *stream = fopen(path, "rb");
    assert_non_null(stream);
    size_t size = fread(raw, 1, sizeof raw, stream);
    fclose(stream);
    unsigned long long header_size = 0;
    for (int i = 7; i >= 0; i--)
        header_size = header_size << 8 | raw[i];
    assert_int_equal(header_size % 8, 0);
    assert_int_equal(size, 8 + header_size + 48);
    assert_int_equal(raw[8], '{');
    char header[1024];
    memcpy(header, raw + 8, header_size);
    header[header_size] = '\0';
    assert_memory_equal(header, "{\"__metadata__\":{\"format\":\"rtpu\",\"seed\":\"42\"},", 46);
    assert_non_null(strstr(header, "\"conv1/kernel\":{\"dtype\":\"F32\",\"shape\":[2,3],"
                                   "\"data_offsets\":[0,24]}"));
    assert_non_null(strstr(header, "\"conv1/bias\":{\"dtype\":\"BF16\",\"shape\":[4],"
                                   "\"data_offsets\":[24,32]}"));
    assert_non_null(strstr(header, "\"step\":{\"dtype\":\"I64\",\"shape\":[],"
                                   "\"data_offsets\":[32,40]}"));
    assert_non_null(strstr(header, "\"empty\":{\"dtype\":\"BOOL\",\"shape\":[0,5],"
                                   "\"data_offsets\":[40,40]}"));
    assert_non_null(strstr(header, "\"cube\":{\"dtype\":\"U8\",\"shape\":[2,2,2],"
                                   "\"data_offsets\":[40,48]}"));
    const unsigned char *data_area = raw + 8 + header_size;
    assert_memory_equal(data_area, kernel, 24);
    assert_memory_equal(data_area + 24, bf16, 8);
    assert_memory_equal(data_area + 32, i64, 8);
    assert_memory_equal(data_area + 40, u8, 8);

    st_file *f;
    assert_int_equal(st_file_read(path, &f, &err), RTPU_OK);
    assert_int_equal(st_file_count(f), 5);
    for (size_t i = 0; i < 5; i++) {
        const st_tensor *t = st_file_tensor(f, i);
        assert_string_equal(t->name, tensors[i].name);
        assert_int_equal(t->dtype, tensors[i].dtype);
        assert_int_equal(t->ndim, tensors[i].ndim);
        for (int d = 0; d < t->ndim; d++)
            assert_int_equal(t->shape[d], tensors[i].shape[d]);
        assert_int_equal(t->nbytes, tensors[i].nbytes);
        if (t->nbytes)
            assert_memory_equal(t->data, tensors[i].data, t->nbytes);
    }
    assert_string_equal(st_file_metadata(f, "seed"), "42");
    assert_string_equal(st_file_metadata(f, "format"), "rtpu");
    st_file_destroy(f);

    /* No metadata and no tensors: a valid, minimal file. */
    assert_int_equal(st_file_write(path, NULL, 0, NULL, &err), RTPU_OK);
    assert_int_equal(st_file_read(path, &f, &err), RTPU_OK);
    assert_int_equal(st_file_count(f), 0);
    assert_null(st_file_metadata(f, "format"));
    st_file_destroy(f);
}

static void dtype_table(void **state)
{
    (void)state;
    static const struct {
        st_dtype dtype;
        const char *name;
        size_t size;
    } expected[] = {
        {ST_F32, "F32", 4}, {ST_F16, "F16", 2}, {ST_BF16, "BF16", 2}, {ST_F64, "F64", 8},
        {ST_I8, "I8", 1},   {ST_U8, "U8", 1},   {ST_I16, "I16", 2},   {ST_I32, "I32", 4},
        {ST_I64, "I64", 8}, {ST_BOOL, "BOOL", 1},
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        assert_string_equal(st_dtype_name(expected[i].dtype), expected[i].name);
        assert_int_equal(st_dtype_size(expected[i].dtype), expected[i].size);
    }
    assert_string_equal(st_dtype_name((st_dtype)99), "?");
    assert_int_equal(st_dtype_size((st_dtype)99), 0);
}

typedef struct bad_case {
    const char *header;
    size_t data_size;
    rtpu_status status;
    const char *fragment;
} bad_case;

static void rejects_bad_headers(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    test_path(path, sizeof path, dir, "bad.safetensors");
    const unsigned char data[64] = {0};
#define ENTRY(fields) "{\"t\":{" fields "}}"
    static const bad_case cases[] = {
        {"{\"t\":{\"dtype\":\"F32\",}}", 0, RTPU_ERR_PARSE, "header JSON 1:21: "},
        {"{\n  \"t\": nope\n}", 0, RTPU_ERR_PARSE, "header JSON 2:"},
        {"", 0, RTPU_ERR_PARSE, "header JSON"},
        {"[1, 2]", 0, RTPU_ERR_FORMAT, "header is not a JSON object"},
        {"{\"t\": 5}", 0, RTPU_ERR_INVALID, "tensor 't': entry is not an object"},
        {ENTRY("\"shape\":[2],\"data_offsets\":[0,8]"), 8, RTPU_ERR_INVALID,
         "tensor 't': missing 'dtype'"},
        {ENTRY("\"dtype\":\"F32\",\"data_offsets\":[0,8]"), 8, RTPU_ERR_INVALID,
         "tensor 't': missing 'shape'"},
        {ENTRY("\"dtype\":\"F32\",\"shape\":[2]"), 8, RTPU_ERR_INVALID,
         "tensor 't': missing 'data_offsets'"},
        {ENTRY("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1"), 8,
         RTPU_ERR_INVALID, "tensor 't': unknown field 'extra'"},
        {ENTRY("\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]"), 8,
         RTPU_ERR_UNSUPPORTED, "tensor 't': unknown dtype 'F8_E4M3'"},
        {ENTRY("\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]"), 8, RTPU_ERR_INVALID,
         "'dtype' is not a string"},
        {ENTRY("\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]"), 8, RTPU_ERR_INVALID,
         "tensor 't': shape[0] is not a non-negative integer"},
        {ENTRY("\"dtype\":\"F32\",\"shape\":[2, 1.0],\"data_offsets\":[0,8]"), 8,
         RTPU_ERR_INVALID, "tensor 't': shape[1] is not a non-negative integer"},
        {ENTRY("\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]"), 8, RTPU_ERR_INVALID,
         "'shape' is not an array"},
        {ENTRY("\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]"), 8,
         RTPU_ERR_UNSUPPORTED, "9 dimensions, more than 8"},
        {ENTRY("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]"), 8, RTPU_ERR_INVALID,
         "'data_offsets' must be [begin, end]"},
        {ENTRY("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]"), 8, RTPU_ERR_INVALID,
         "'data_offsets' must be [begin, end]"},
        {ENTRY("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]"), 8, RTPU_ERR_INVALID,
         "data_offsets [8, 0] have begin > end"},
        {ENTRY("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]"), 8, RTPU_ERR_FORMAT,
         "data_offsets [4, 12] lie outside the 8-byte data area"},
        {ENTRY("\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]"), 8, RTPU_ERR_FORMAT,
         "data_offsets [0, 8] hold 8 bytes but shape [3] of F32 needs 12"},
        {ENTRY("\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]"), 8,
         RTPU_ERR_FORMAT, "shape [4611686018427387904,4] of F32 is absurdly large"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
         "\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[6,10]}}",
         16, RTPU_ERR_FORMAT, "tensors 'a' [0, 8] and 'b' [6, 10] overlap"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
         "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[4,6]}}",
         16, RTPU_ERR_FORMAT, "tensors 'a' [0, 16] and 'b' [4, 6] overlap"},
        {"{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},"
         "\"c\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[8,10]},"
         "\"b\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[4,12]},"
         "\"e\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[9,9]}}",
         12, RTPU_ERR_FORMAT, "tensors 'b' [4, 12] and 'c' [8, 10] overlap"},
        {"{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
         "\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[2,4]}}",
         4, RTPU_ERR_PARSE, "duplicate object key"},
        {"{\"\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2, RTPU_ERR_INVALID,
         "tensor with an empty name"},
        {"{\"__metadata__\":{\"k\":1}}", 0, RTPU_ERR_INVALID,
         "'__metadata__' entry 'k' is not a string"},
        {"{\"__metadata__\":[]}", 0, RTPU_ERR_INVALID, "'__metadata__' is not an object"},
    };
#undef ENTRY
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_st(path, strlen(cases[i].header), cases[i].header, data, cases[i].data_size);
        rtpu_error err = {0};
        st_file *f = (st_file *)&err; /* must be reset to NULL */
        expect_error(st_file_read(path, &f, &err), &err, cases[i].status, cases[i].fragment);
        assert_non_null(strstr(err.message, "bad.safetensors"));
        assert_null(f);
    }
}

static void rejects_bad_size_fields(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    test_path(path, sizeof path, dir, "size.safetensors");
    rtpu_error err = {0};
    st_file *f;

    test_write_bytes(path, "\x02\x00\x00\x00\x00", 5);
    expect_error(st_file_read(path, &f, &err), &err, RTPU_ERR_FORMAT,
                 "file is 5 bytes, too short for the 8-byte safetensors header size");
    write_st(path, 200000000ull, "{}", NULL, 0);
    expect_error(st_file_read(path, &f, &err), &err, RTPU_ERR_FORMAT,
                 "header size 200000000 is larger than the 100 MB limit");
    write_st(path, 0xffffffffffffffffull, "{}", NULL, 0);
    expect_error(st_file_read(path, &f, &err), &err, RTPU_ERR_FORMAT,
                 "header size 18446744073709551615 is larger than the 100 MB limit");
    write_st(path, 100, "{}", NULL, 0);
    expect_error(st_file_read(path, &f, &err), &err, RTPU_ERR_FORMAT,
                 "header size 100 runs past the end of the 10-byte file");
    test_path(path, sizeof path, dir, "absent.safetensors");
    expect_error(st_file_read(path, &f, &err), &err, RTPU_ERR_IO, "cannot open");
}

static void writer_rejects_bad_tensors(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    test_path(path, sizeof path, dir, "w.safetensors");
    const float values[4] = {1, 2, 3, 4};
    rtpu_error err = {0};

    st_tensor t[2] = {
        {.name = "x", .dtype = ST_F32, .ndim = 1, .shape = {4}, .data = values, .nbytes = 12},
        {.name = "y", .dtype = ST_F32, .ndim = 1, .shape = {1}, .data = values, .nbytes = 4},
    };
    expect_error(st_file_write(path, t, 1, NULL, &err), &err, RTPU_ERR_SHAPE,
                 "tensor 'x': nbytes is 12 but shape [4] of F32 needs 16");
    t[0].nbytes = 16;
    t[1].name = "x";
    expect_error(st_file_write(path, t, 2, NULL, &err), &err, RTPU_ERR_INVALID,
                 "duplicate tensor name 'x'");
    t[1].name = "__metadata__";
    expect_error(st_file_write(path, t, 2, NULL, &err), &err, RTPU_ERR_INVALID,
                 "'__metadata__' is reserved");
    t[1].name = "";
    expect_error(st_file_write(path, t, 2, NULL, &err), &err, RTPU_ERR_INVALID,
                 "tensor 1 has no name");
    t[1].name = "y";
    t[1].shape[0] = -1;
    expect_error(st_file_write(path, t, 2, NULL, &err), &err, RTPU_ERR_SHAPE,
                 "tensor 'y': shape[0] = -1 is negative");
    t[1].shape[0] = 1;
    t[1].dtype = (st_dtype)42;
    expect_error(st_file_write(path, t, 2, NULL, &err), &err, RTPU_ERR_INVALID,
                 "tensor 'y': invalid dtype 42");
    t[1].dtype = ST_F32;
    t[1].data = NULL;
    expect_error(st_file_write(path, t, 2, NULL, &err), &err, RTPU_ERR_INVALID,
                 "tensor 'y' has no data");
    t[1].data = values;
    const char *odd[] = {"key", NULL, NULL};
    expect_error(st_file_write(path, t, 2, odd, &err), &err, RTPU_ERR_INVALID,
                 "metadata key 'key' has no value");
    const char *twice[] = {"k", "1", "k", "2", NULL};
    expect_error(st_file_write(path, t, 2, twice, &err), &err, RTPU_ERR_INVALID,
                 "duplicate metadata key 'k'");
    const char *latin1[] = {"k", "caf\xe9", NULL};
    expect_error(st_file_write(path, t, 2, latin1, &err), &err, RTPU_ERR_INVALID,
                 "metadata entry 'k' is not valid UTF-8");
    assert_int_equal(test_dir_entries(dir->path), 0);

    test_path(path, sizeof path, dir, "missing/w.safetensors");
    expect_error(st_file_write(path, t, 2, NULL, &err), &err, RTPU_ERR_IO,
                 "cannot create temporary output file");
    assert_int_equal(test_dir_entries(dir->path), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reads_a_hand_built_file, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(round_trip_through_the_writer, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test(dtype_table),
        cmocka_unit_test_setup_teardown(rejects_bad_headers, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(rejects_bad_size_fields, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(writer_rejects_bad_tensors, test_dir_setup,
                                        test_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
