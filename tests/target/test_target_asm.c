/* Assembler and disassembler: asm -> disasm -> asm gives the byte-identical program file
 * for every hand-written program; directives work; bad text fails with file:line:col. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/sim_test_util.h"

static const char *const programs[] = {"matmul_tile.s", "conv3x3.s", "vector_ops.s", "luts.s",
                                       "dma_bound.s",   "compute_bound.s", "overlap.s"};

static void serialize(const rtpu_program *p, uint8_t **bytes, size_t *size)
{
    rtpu_error err = {0};
    if (program_serialize(p, bytes, size, &err))
        fail_msg("%s", err.message);
}

static void test_round_trip(void **state)
{
    (void)state;
    for (int c = 0; c < 4; c++) {
        rtpu_config cfg;
        test_load_config(test_config_names[c], &cfg);
        for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++) {
            rtpu_program *p = test_assemble(programs[i], &cfg);
            uint8_t *bytes1, *bytes2;
            size_t size1, size2;
            serialize(p, &bytes1, &size1);
            char *text1, *text2;
            size_t len1, len2;
            rtpu_error err = {0};
            assert_int_equal(disasm_text(p, &text1, &len1, &err), RTPU_OK);
            rtpu_program *q = NULL;
            if (asm_assemble(text1, len1, "disasm.s", NULL, &q, &err))
                fail_msg("%s: %s", programs[i], err.message);
            serialize(q, &bytes2, &size2);
            assert_int_equal(size1, size2);
            assert_memory_equal(bytes1, bytes2, size1);
            assert_int_equal(disasm_text(q, &text2, &len2, &err), RTPU_OK);
            assert_string_equal(text1, text2);
            free(bytes1);
            free(bytes2);
            free(text1);
            free(text2);
            program_destroy(p);
            program_destroy(q);
        }
    }
}

static const char directives[] =
    "# constants and the tensor map\n"
    "load.ub sram=0 dram=0x40 lines=1 rows=2 elems=4 stride=0 push=ex\n"
    "cnop pop=ld\n"
    "halt\n"
    ".data 0x40\n"
    ".hex 0102ff\n"
    ".int8 -1 127\n"
    ".int32 -2 0x01020304\n"
    ".tensor name=x node=conv1 step=3 role=output dtype=int8 dram=0x100 shape=1,2,2,3 block=2 scale=0.125\n";

static void test_directives(void **state)
{
    (void)state;
    rtpu_config cfg;
    test_load_config("small-8", &cfg);
    rtpu_program *p = NULL;
    rtpu_error err = {0};
    if (asm_assemble(directives, strlen(directives), "d.s", &cfg, &p, &err))
        fail_msg("%s", err.message);
    assert_int_equal(p->insn_count, 3);
    assert_int_equal(p->insns[0].tokens, ISA_PUSH_NEXT);
    assert_int_equal(p->insns[1].tokens, ISA_POP_PREV);
    assert_int_equal(p->segment_count, 1);
    assert_int_equal(p->segments[0].dram, 0x40);
    const uint8_t want[] = {1, 2, 0xff, 0xff, 127, 0xfe, 0xff, 0xff, 0xff, 4, 3, 2, 1};
    assert_int_equal(p->segments[0].size, sizeof want);
    assert_memory_equal(p->segments[0].bytes, want, sizeof want);
    const program_tensor *t = program_find_tensor(p, "x");
    assert_non_null(t);
    assert_string_equal(t->node, "conv1");
    assert_int_equal(t->step, 3);
    assert_int_equal(t->role, TENSOR_OUTPUT);
    assert_int_equal(t->block, 2);
    assert_true(t->scale == 0.125f);
    /* 3 channels in blocks of 2: 2 blocks x 2 x 2 x 2 bytes = 16 from 0x100 */
    assert_int_equal(program_tensor_bytes(t), 16);
    assert_int_equal(p->dram_size, 0x110);
    /* the segment is in DRAM when the simulator starts */
    rtpu_sim *sim = NULL;
    assert_int_equal(sim_create(p, &sim, &err), RTPU_OK);
    uint8_t got[sizeof want];
    test_read_dram(sim, 0x40, got, sizeof got);
    assert_memory_equal(got, want, sizeof want);
    /* and a tensor written in real values reads back dequantised: 0.3 / 0.125 = 2.4 -> 2 */
    float in[12], out[12];
    for (int i = 0; i < 12; i++)
        in[i] = 0.3f * (float)(i - 6);
    assert_int_equal(sim_write_tensor(sim, t, in, &err), RTPU_OK);
    assert_int_equal(sim_read_tensor(sim, t, out, &err), RTPU_OK);
    for (int i = 0; i < 12; i++) {
        float q = (float)(i - 6) * 0.3f / 0.125f;
        float rounded = q < 0 ? -(float)(int)(-q + 0.5f) : (float)(int)(q + 0.5f);
        assert_true(out[i] == rounded * 0.125f);
    }
    /* element (0, 1, 0, 2) lives in block 1 at (((0 * 2 + 1) * 2 + 1) * 2 + 0) * 2 + 0 = 12 */
    uint8_t raw[16];
    test_read_dram(sim, 0x100, raw, 16);
    assert_int_equal((int8_t)raw[12], (int8_t)(out[(1 * 2 + 0) * 3 + 2] / 0.125f));
    sim_destroy(sim);
    program_destroy(p);
}

static void expect_asm_error(const char *text, const rtpu_config *cfg, const char *fragment)
{
    rtpu_program *p = NULL;
    rtpu_error err = {0};
    assert_int_not_equal(asm_assemble(text, strlen(text), "bad.s", cfg, &p, &err), RTPU_OK);
    assert_null(p);
    if (!strstr(err.message, fragment))
        fail_msg("message '%s' lacks '%s'", err.message, fragment);
}

static void test_errors(void **state)
{
    (void)state;
    rtpu_config cfg, other;
    test_load_config("small-8", &cfg);
    test_load_config("small-16", &other);
    expect_asm_error("halt\nfrobnicate x=1\n", &cfg, "bad.s:2:1: unknown instruction 'frobnicate'");
    expect_asm_error("  ldw wb=0 colour=3\nhalt\n", &cfg, "bad.s:1:12: ldw has no operand 'colour'");
    expect_asm_error("ldw wb=0x100000\nhalt\n", &cfg, "bad.s:1:8: ldw wb = 1048576 is outside [0, 1048575]");
    expect_asm_error("ldw wb=abc\nhalt\n", &cfg, "bad.s:1:8: 'abc' is not an integer");
    expect_asm_error("ldw\nhalt\n", &cfg, "bad.s:1:1: ldw needs operand 'wb'");
    expect_asm_error("ldw wb\nhalt\n", &cfg, "bad.s:1:5: expected name=value");
    expect_asm_error("lnop pop=st\nhalt\n", &cfg, "bad.s:1:6: lnop cannot pop 'st'");
    expect_asm_error(".frob\n", &cfg, "bad.s:1:1: unknown directive '.frob'");
    expect_asm_error(".hex 0a\nhalt\n", &cfg, "bad.s:1:1: .hex outside a segment");
    expect_asm_error(".data 0\n.hex 0a0\nhalt\n", &cfg, "bad.s:2:6: odd number of hex digits");
    expect_asm_error(".data 0\n.int8 200\nhalt\n", &cfg, "bad.s:2:7: '200' is not an int8");
    expect_asm_error("cnop\n", &cfg, "the program must end with halt");
    expect_asm_error("halt\ncnop\nhalt\n", &cfg, "bad.s:1:1: pc 0: halt before the end");
    /* out-of-range addresses are reported at the instruction's line, with its pc */
    expect_asm_error("cnop\nldw wb=510\nhalt\n", &cfg,
                     "bad.s:2:1: pc 1: ldw reads weight buffer rows 510..517, beyond the 512 rows of 'small-8'");
    expect_asm_error("matmul acc=2040 ub=0 outer=1 outer_stride=0 inner=16 inner_stride=1 k=8 n=8\nhalt\n", &cfg,
                     "pc 0: matmul writes accumulator rows 2040..2055, beyond the 512 rows of 'small-8'");
    expect_asm_error("matmul acc=0 ub=0 outer=1 outer_stride=0 inner=1 inner_stride=1 k=9 n=8\nhalt\n", &cfg,
                     "matmul k = 9, n = 8 exceed the 8x8 array");
    expect_asm_error("vadd a=0 b=8 dst=1 rows=4 mul_a=1 mul_b=1\nhalt\n", &cfg, "overlap its source rows");
    expect_asm_error("maxpool src=0 dst=2 in_h=2 in_w=2 out_h=1 out_w=1 kernel_h=2 kernel_w=2 stride=2\nhalt\n", &cfg,
                     "must not write in place");
    expect_asm_error("load.lut table=9 dram=0\nhalt\n", &cfg, "load.lut table 9 does not exist ('small-8' has 8)");
    expect_asm_error("halt\n", NULL, "bad.s: no .config directive and no config given");
    /* a .config that disagrees with the requested one */
    char *text = NULL;
    size_t len = 0;
    rtpu_program *p = NULL;
    rtpu_error err = {0};
    assert_int_equal(asm_assemble("halt\n", 5, "h.s", &other, &p, &err), RTPU_OK);
    assert_int_equal(disasm_text(p, &text, &len, &err), RTPU_OK);
    expect_asm_error(text, &cfg, "bad.s:2:1: .config 'small-16' (16x16) differs from the requested config 'small-8' (8x8)");
    free(text);
    program_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_round_trip), cmocka_unit_test(test_directives),
                                       cmocka_unit_test(test_errors)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
