/* The two defects of issue 12, checked by value, so they stay fixed in every build: the
 * fuzz harnesses replay the same files (fuzz_image_corpus, fuzz_program_corpus), but an
 * overread does not crash a release build, and the harness cannot know expected pixels.
 *  1. a 16-bit PGM (regress/image/pgm16-overread.pgm) decodes at full precision: each
 *     sample is its big-endian value / 65535, repeated into R, G and B; the other 16-bit
 *     and maximum-value paths (PPM, PNG grey / grey+alpha / RGB / RGBA) likewise;
 *  2. a program declaring 16,385 bytes of DRAM and touching 320
 *     (regress/program/dram-declared-16385.rtpu) survives disasm -> asm byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/atomic_file.h"
#include "common/image.h"
#include "target/asm.h"
#include "target/program.h"

static const double mean[3] = {0.485, 0.456, 0.406};
static const double stddev[3] = {0.229, 0.224, 0.225};

static void source_path(char *out, size_t size, const char *relative)
{
    const char *root = getenv("RTPU_SOURCE_DIR");
    snprintf(out, size, "%s/tests/fuzz/%s", root ? root : ".", relative);
}

static void *read_fixture(const char *relative, size_t *size)
{
    char path[4096];
    source_path(path, sizeof path, relative);
    void *bytes = NULL;
    rtpu_error err = {0};
    if (read_whole_file(path, (size_t)1 << 20, &bytes, size, &err))
        fail_msg("%s", err.message);
    return bytes;
}

/* Decodes at the image's own size (no resampling) and compares every value with
 * (sample / max - mean) / std of its channel. rgb[i] are the expected samples. */
static void expect_pixels(const char *relative, int h, int w, const unsigned *rgb, double max)
{
    char path[4096];
    source_path(path, sizeof path, relative);
    float out[5 * 5 * 3];
    rtpu_error err = {0};
    assert_true(h * w <= 25);
    if (image_load_normalized(path, h, w, out, &err))
        fail_msg("%s: %s", relative, err.message);
    for (int i = 0; i < h * w * 3; i++) {
        double expected = (rgb[i] / max - mean[i % 3]) / stddev[i % 3];
        if (out[i] < expected - 1e-5 || out[i] > expected + 1e-5)
            fail_msg("%s: value %d is %.9g, expected %.9g (sample %u of %g)", relative, i, (double)out[i], expected,
                     rgb[i], max);
    }
}

static void sixteen_bit_pgm_reads_at_full_precision(void **state)
{
    (void)state;
    /* Samples 0x0001, 0x0203, 0x0405, 0x0607 (big-endian), grey. */
    const unsigned rgb[] = {1, 1, 1, 0x203, 0x203, 0x203, 0x405, 0x405, 0x405, 0x607, 0x607, 0x607};
    expect_pixels("regress/image/pgm16-overread.pgm", 2, 2, rgb, 65535);
}

static void other_deep_images(void **state)
{
    (void)state;
    /* corpus/image files written by make_seeds.py; their pixels are listed there. */
    const unsigned ppm16[] = {1, 2, 3, 0x1000, 0x2000, 0x3000, 0xfffe, 0xffff, 0, 0x8000, 0x4000, 0x100};
    expect_pixels("corpus/image/rgb16.ppm", 2, 2, ppm16, 65535);
    const unsigned pgm_max1023[] = {0, 0, 0, 1023, 1023, 1023, 512, 512, 512, 7, 7, 7};
    expect_pixels("corpus/image/grey-max1023.pgm", 2, 2, pgm_max1023, 1023);
    const unsigned pgm_max15[] = {0, 0, 0, 15, 15, 15, 8, 8, 8, 1, 1, 1};
    expect_pixels("corpus/image/grey-max15.pgm", 2, 2, pgm_max15, 15);
    const unsigned png_grey16[] = {1, 1, 1, 0x203, 0x203, 0x203, 0x8000, 0x8000, 0x8000, 0xffff, 0xffff, 0xffff};
    expect_pixels("corpus/image/grey16.png", 2, 2, png_grey16, 65535);
    const unsigned png_ga16[] = {0x1234, 0x1234, 0x1234, 0xfedc, 0xfedc, 0xfedc, 0, 0, 0, 0xffff, 0xffff, 0xffff};
    expect_pixels("corpus/image/grey-alpha16.png", 2, 2, png_ga16, 65535);
    expect_pixels("corpus/image/rgb16.png", 2, 2, ppm16, 65535);
    expect_pixels("corpus/image/rgba16.png", 2, 2, ppm16, 65535);
    /* A grey 16-bit PNG with a tRNS chunk: stb adds an alpha channel, which is dropped. */
    expect_pixels("corpus/image/grey16-trns.png", 2, 2, png_grey16, 65535);
    /* 16-bit, Adam7-interlaced, every filter type: sample (x, y) as make_seeds.py wrote it. */
    unsigned interlaced[5 * 5 * 3];
    for (unsigned y = 0; y < 5; y++)
        for (unsigned x = 0; x < 5; x++) {
            unsigned *px = &interlaced[(y * 5 + x) * 3];
            px[0] = (x * 9000 + y * 77) % 65536;
            px[1] = (x * 1300) % 65536;
            px[2] = (y * 5000) % 65536;
        }
    expect_pixels("corpus/image/rgb16-interlaced.png", 5, 5, interlaced, 65535);
}

static void declared_dram_survives_disasm_asm(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *file = read_fixture("regress/program/dram-declared-16385.rtpu", &size);
    rtpu_program *p = NULL;
    rtpu_error err = {0};
    if (program_parse(file, size, "dram-declared-16385.rtpu", &p, &err))
        fail_msg("%s", err.message);
    assert_int_equal(p->dram_size, 16385);
    char *text = NULL;
    size_t length = 0;
    assert_int_equal(disasm_text(p, &text, &length, &err), RTPU_OK);
    assert_non_null(strstr(text, "\n.dram 16385\n"));
    rtpu_program *q = NULL;
    if (asm_assemble(text, length, "disasm.s", NULL, &q, &err))
        fail_msg("%s", err.message);
    assert_int_equal(q->dram_size, 16385);
    uint8_t *again = NULL;
    size_t again_size = 0;
    assert_int_equal(program_serialize(q, &again, &again_size, &err), RTPU_OK);
    assert_int_equal(again_size, size);
    assert_memory_equal(again, file, size);
    free(again);
    free(text);
    program_destroy(q);
    program_destroy(p);
    free(file);
}

static void expect_asm_error(const char *text, const char *fragment)
{
    rtpu_program *p = NULL;
    rtpu_error err = {0};
    assert_int_not_equal(asm_assemble(text, strlen(text), "d.s", NULL, &p, &err), RTPU_OK);
    assert_null(p);
    if (!strstr(err.message, fragment))
        fail_msg("message '%s' lacks '%s'", err.message, fragment);
}

#define SMALL8_CONFIG                                                                                                  \
    ".config name=small-8 array_size=8 unified_buffer_bytes=65536 accumulator_bytes=16384 weight_buffer_bytes=4096 " \
    "lut_tables=8 dram_bytes=16777216 dram_bytes_per_cycle=4 dram_latency_cycles=10 vector_lanes=8 "               \
    "vector_pipeline_cycles=2 queue_depth=8 clock_mhz=200\n"
#define LOAD_320 "load.ub sram=0 dram=0x0 lines=1 rows=40 elems=8 stride=0\nhalt\n"

static void dram_directive_rules(void **state)
{
    (void)state;
    expect_asm_error(SMALL8_CONFIG ".dram 319\n" LOAD_320,
                     "d.s:2:1: .dram 319 is less than the 320 bytes of DRAM the program touches");
    expect_asm_error(SMALL8_CONFIG ".dram 16777217\n" LOAD_320, "d.s:2:1: .dram 16777217 is more than the 16777216 bytes");
    expect_asm_error(SMALL8_CONFIG ".dram 400\n.dram 400\n" LOAD_320, "d.s:3:1: second .dram directive");
    expect_asm_error(SMALL8_CONFIG ".dram\n" LOAD_320, "d.s:2:1: .dram needs one size in bytes");
    /* A 32-bit config field given a 64-bit value is refused, not cut to 8. */
    expect_asm_error(".config name=small-8 array_size=4294967304 unified_buffer_bytes=65536 accumulator_bytes=16384 "
                     "weight_buffer_bytes=4096 lut_tables=8 dram_bytes=16777216 dram_bytes_per_cycle=4 "
                     "dram_latency_cycles=10 vector_lanes=8 vector_pipeline_cycles=2 queue_depth=8 clock_mhz=200\nhalt\n",
                     "config field array_size = 4294967304 is outside [4, 256]");
    rtpu_program *p = NULL;
    rtpu_error err = {0};
    const char *text = SMALL8_CONFIG ".dram 320\n" LOAD_320;
    assert_int_equal(asm_assemble(text, strlen(text), "d.s", NULL, &p, &err), RTPU_OK);
    assert_int_equal(p->dram_size, 320);
    program_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sixteen_bit_pgm_reads_at_full_precision),
        cmocka_unit_test(other_deep_images),
        cmocka_unit_test(declared_dram_survives_disasm_asm),
        cmocka_unit_test(dram_directive_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
