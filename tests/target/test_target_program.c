/* Program files: save/load round trip, and a loader that refuses truncated, corrupted,
 * out-of-range and foreign-config files with one clear line each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim/sim_test_util.h"

enum { INSN_OFFSET = 184 }; /* docs/isa.md: instructions start at byte 184 */

static uint8_t *conv_bytes(size_t *size, rtpu_config *cfg)
{
    test_load_config("small-8", cfg);
    rtpu_program *p = test_assemble("conv3x3.s", cfg);
    program_tensor t = {.name = "y", .node = "conv", .step = 0, .role = TENSOR_OUTPUT, .dtype = TENSOR_INT8,
                        .block = 8, .dram = 0x1000, .shape = {1, 4, 4, 8}, .scale = 0.5f};
    rtpu_error err = {0};
    assert_int_equal(program_add_tensor(p, &t, &err), RTPU_OK);
    assert_int_equal(program_add_segment(p, 0x800, "\1\0\0\0", 4, &err), RTPU_OK);
    assert_int_equal(program_finish(p, &err), RTPU_OK);
    uint8_t *bytes;
    assert_int_equal(program_serialize(p, &bytes, size, &err), RTPU_OK);
    program_destroy(p);
    return bytes;
}

/* Recomputes the trailing CRC after a deliberate edit, so the check under test is the one
 * that fires. */
static void fix_crc(uint8_t *bytes, size_t size)
{
    uint32_t crc = program_crc32(bytes, size - 4);
    for (int i = 0; i < 4; i++)
        bytes[size - 4 + (size_t)i] = (uint8_t)(crc >> (8 * i));
}

static void expect_parse_error(const uint8_t *bytes, size_t size, const char *fragment)
{
    rtpu_program *p = NULL;
    rtpu_error err = {0};
    assert_int_not_equal(program_parse(bytes, size, "p.rtpu", &p, &err), RTPU_OK);
    assert_null(p);
    if (!strstr(err.message, fragment))
        fail_msg("message '%s' lacks '%s'", err.message, fragment);
}

static void test_crc32_known_value(void **state)
{
    (void)state;
    /* the standard check value of CRC-32/IEEE */
    assert_int_equal(program_crc32((const uint8_t *)"123456789", 9), 0xcbf43926u);
}

static void test_save_load(void **state)
{
    (void)state;
    rtpu_config cfg;
    size_t size;
    uint8_t *bytes = conv_bytes(&size, &cfg);
    /* header by hand: magic, version 2, size */
    assert_memory_equal(bytes, "RTPUPROG", 8);
    assert_int_equal(bytes[8], 2);
    assert_int_equal(bytes[16] | bytes[17] << 8, size);
    /* 24 instructions after the header; segment 16 + 4 + 4 padding; 1 tensor; crc */
    assert_int_equal(size, INSN_OFFSET + 24 * 16 + 24 + 176 + 4);
    char dir[] = "/tmp/rtpu_sim_test_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/p.rtpu", dir);
    rtpu_program *p = NULL;
    rtpu_error err = {0};
    assert_int_equal(program_parse(bytes, size, "mem", &p, &err), RTPU_OK);
    assert_int_equal(program_save(p, path, &err), RTPU_OK);
    rtpu_program *q = NULL;
    assert_int_equal(program_load(path, &q, &err), RTPU_OK);
    assert_true(config_equal(&q->config, &cfg));
    assert_int_equal(q->insn_count, 24);
    assert_int_equal(q->tensor_count, 1);
    assert_string_equal(q->tensors[0].name, "y");
    assert_int_equal(q->segments[0].size, 4);
    uint8_t *again;
    size_t again_size;
    assert_int_equal(program_serialize(q, &again, &again_size, &err), RTPU_OK);
    assert_int_equal(again_size, size);
    assert_memory_equal(again, bytes, size);
    /* a missing file */
    rtpu_program *missing = NULL;
    assert_int_equal(program_load("/nonexistent/p.rtpu", &missing, &err), RTPU_ERR_IO);
    assert_null(missing);
    program_destroy(q);
    program_destroy(p);
    free(again);
    free(bytes);
    unlink(path);
    rmdir(dir);
}

static void test_corrupted_files(void **state)
{
    (void)state;
    rtpu_config cfg;
    size_t size;
    uint8_t *bytes = conv_bytes(&size, &cfg);
    uint8_t *copy = malloc(size);
    /* truncated anywhere */
    expect_parse_error(bytes, 10, "p.rtpu: truncated: 10 bytes is shorter than the 28-byte header");
    expect_parse_error(bytes, size - 1, "truncated: the header says");
    /* one flipped bit in the middle */
    memcpy(copy, bytes, size);
    copy[300] ^= 0x10;
    expect_parse_error(copy, size, "p.rtpu: checksum mismatch");
    /* wrong magic and version */
    memcpy(copy, bytes, size);
    copy[0] = 'X';
    expect_parse_error(copy, size, "not an rtpu program");
    memcpy(copy, bytes, size);
    copy[8] = 3;
    fix_crc(copy, size);
    expect_parse_error(copy, size, "offset 8: version 3, this build reads version 2");
    /* a version-1 file (ISA v1) is refused with what to do about it */
    memcpy(copy, bytes, size);
    copy[8] = 1;
    fix_crc(copy, size);
    expect_parse_error(copy, size,
                       "offset 8: program file version 1 (ISA v1), whose vadd/vsub/vmul encodings changed in ISA v2: "
                       "re-assemble its source (or an older rtpu's disasm of it) with rtpu asm");
    /* unknown opcode in instruction 3 */
    memcpy(copy, bytes, size);
    copy[INSN_OFFSET + 3 * 16] = 77;
    fix_crc(copy, size);
    expect_parse_error(copy, size, "p.rtpu: offset 232: pc 3: unknown opcode 77");
    /* out-of-range address: instruction 3 is "ldw wb=0"; wb (bits 12..31) = 0xfffff */
    memcpy(copy, bytes, size);
    copy[INSN_OFFSET + 3 * 16 + 1] |= 0xf0;
    copy[INSN_OFFSET + 3 * 16 + 2] = 0xff;
    copy[INSN_OFFSET + 3 * 16 + 3] = 0xff;
    fix_crc(copy, size);
    expect_parse_error(copy, size, "pc 3: ldw reads weight buffer rows 1048575..1048582, beyond the 512 rows of 'small-8'");
    /* an embedded config with an impossible field: array_size (offset 56) = 1000 */
    memcpy(copy, bytes, size);
    copy[56] = 0xe8;
    copy[57] = 0x03;
    fix_crc(copy, size);
    expect_parse_error(copy, size, "embedded config: array_size = 1000 is outside [4, 256]");
    /* absurd instruction count (offset 152) */
    memcpy(copy, bytes, size);
    copy[152 + 6] = 1;
    fix_crc(copy, size);
    expect_parse_error(copy, size, "instructions do not fit");
    /* more DRAM than the config has (dram size at offset 176) */
    memcpy(copy, bytes, size);
    copy[176 + 4] = 0x10;
    fix_crc(copy, size);
    expect_parse_error(copy, size, "more than the 16777216 of 'small-8'");
    /* the tensor's scale (last 8 bytes of its record before the CRC) negative */
    memcpy(copy, bytes, size);
    copy[size - 4 - 8 + 3] |= 0x80;
    fix_crc(copy, size);
    expect_parse_error(copy, size, "tensor 'y': scale -0.5 must be positive");
    free(copy);
    free(bytes);
}

static void test_config_mismatch(void **state)
{
    (void)state;
    rtpu_config cfg, v1;
    size_t size;
    uint8_t *bytes = conv_bytes(&size, &cfg);
    test_load_config("tpu-v1", &v1);
    rtpu_program *p = NULL;
    rtpu_error err = {0};
    assert_int_equal(program_parse(bytes, size, "p.rtpu", &p, &err), RTPU_OK);
    assert_int_equal(program_require_config(p, &cfg, &err), RTPU_OK);
    assert_int_equal(program_require_config(p, &v1, &err), RTPU_ERR_INVALID);
    assert_string_equal(err.message, "program built for config 'small-8' (8x8), not 'tpu-v1' (256x256)");
    /* same name, different fields */
    rtpu_config changed = cfg;
    changed.dram_latency_cycles++;
    assert_int_equal(program_require_config(p, &changed, &err), RTPU_ERR_INVALID);
    assert_non_null(strstr(err.message, "different version of config 'small-8'"));
    program_destroy(p);
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_crc32_known_value), cmocka_unit_test(test_save_load),
                                       cmocka_unit_test(test_corrupted_files), cmocka_unit_test(test_config_mismatch)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
