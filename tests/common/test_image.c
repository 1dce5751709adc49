/* image_load_normalized: PPM/PGM written byte by byte, PNG and JPEG written with
 * stb_image_write, normalised values checked against hand formulas, bilinear resizing
 * against hand-computed values and a naive reference, and undecodable files. */
#include "tests/common/test_files.h"

#include <math.h>
#include <stb_image_write.h>

#include "common/image.h"

static const double mean[3] = {0.485, 0.456, 0.406};
static const double stddev[3] = {0.229, 0.224, 0.225};

static double normalised(double raw, int channel)
{
    return (raw / 255.0 - mean[channel]) / stddev[channel];
}

/* 3 wide, 2 high, RGB:
 *   row 0: (10,20,30)  (50,60,70)   (90,100,110)
 *   row 1: (30,0,255)  (70,128,1)   (250,200,150) */
static const unsigned char pixels[2][3][3] = {
    {{10, 20, 30}, {50, 60, 70}, {90, 100, 110}},
    {{30, 0, 255}, {70, 128, 1}, {250, 200, 150}},
};

static void write_ppm(const char *path)
{
    unsigned char bytes[64];
    memcpy(bytes, "P6\n3 2\n255\n", 11);
    memcpy(bytes + 11, pixels, 18);
    test_write_bytes(path, bytes, 29);
}

static void expect_close(float got, double expected, double tolerance)
{
    if (fabs(got - expected) > tolerance) {
        print_error("got %.9g, expected %.9g (tolerance %g)\n", got, expected, tolerance);
        fail();
    }
}

static void ppm_at_its_own_size(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    test_path(path, sizeof path, dir, "img.ppm");
    write_ppm(path);
    float out[2 * 3 * 3];
    rtpu_error err = {0};
    assert_int_equal(image_load_normalized(path, 2, 3, out, &err), RTPU_OK);
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 3; x++)
            for (int c = 0; c < 3; c++)
                expect_close(out[(y * 3 + x) * 3 + c], normalised(pixels[y][x][c], c), 1e-6);
    /* One value spelled out: red 10 -> (10/255 - 0.485) / 0.229. */
    expect_close(out[0], -1.9466564, 1e-6);
}

static void ppm_resized_bilinear_by_hand(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    test_path(path, sizeof path, dir, "img.ppm");
    write_ppm(path);
    rtpu_error err = {0};

    /* 2x3 -> 4x6. Output (1, 2) samples source y = 1.5 * 2/4 - 0.5 = 0.25 and
     * x = 2.5 * 3/6 - 0.5 = 0.75: between columns 0, 1 and rows 0, 1.
     *   red:   top 10 + 40 * 0.75 = 40,   bottom 30 + 40 * 0.75 = 60,   40 + 20 * 0.25 = 45
     *   green: top 20 + 40 * 0.75 = 50,   bottom 0 + 128 * 0.75 = 96,   50 + 46 * 0.25 = 61.5
     *   blue:  top 30 + 40 * 0.75 = 60,   bottom 255 - 254 * 0.75 = 64.5, 60 + 4.5 * 0.25 = 61.125
     * Corners clamp: (0, 0) samples (-0.25, -0.25) -> pixel (0, 0); (3, 5) samples
     * (1.25, 2.25) -> pixel (1, 2). */
    float big[4 * 6 * 3];
    assert_int_equal(image_load_normalized(path, 4, 6, big, &err), RTPU_OK);
    const float *p = &big[(1 * 6 + 2) * 3];
    expect_close(p[0], normalised(45.0, 0), 1e-5);
    expect_close(p[1], normalised(61.5, 1), 1e-5);
    expect_close(p[2], normalised(61.125, 2), 1e-5);
    for (int c = 0; c < 3; c++) {
        expect_close(big[c], normalised(pixels[0][0][c], c), 1e-6);
        expect_close(big[(3 * 6 + 5) * 3 + c], normalised(pixels[1][2][c], c), 1e-6);
    }

    /* 2x3 -> 1x1: source (0.5, 1.0), the mean of the middle column. */
    float one[3];
    assert_int_equal(image_load_normalized(path, 1, 1, one, &err), RTPU_OK);
    expect_close(one[0], normalised(60.0, 0), 1e-5);
    expect_close(one[1], normalised(94.0, 1), 1e-5);
    expect_close(one[2], normalised(35.5, 2), 1e-5);
}

/* TF's own formulation (lower = max(floor(in), 0), upper = min(ceil(in), n - 1),
 * lerp = in - floor(in)) as a naive loop, for a size that is neither a multiple nor a
 * divisor of the source. */
static double tf_bilinear(int out_y, int out_x, int out_h, int out_w, int channel)
{
    double in_y = (out_y + 0.5) * 2 / out_h - 0.5, in_x = (out_x + 0.5) * 3 / out_w - 0.5;
    int y0 = (int)fmax(floor(in_y), 0), y1 = (int)fmin(ceil(in_y), 1);
    int x0 = (int)fmax(floor(in_x), 0), x1 = (int)fmin(ceil(in_x), 2);
    double dy = in_y - floor(in_y), dx = in_x - floor(in_x);
    double top = pixels[y0][x0][channel] + (pixels[y0][x1][channel] - pixels[y0][x0][channel]) * dx;
    double bottom =
        pixels[y1][x0][channel] + (pixels[y1][x1][channel] - pixels[y1][x0][channel]) * dx;
    return top + (bottom - top) * dy;
}

static void ppm_resized_matches_naive_reference(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    test_path(path, sizeof path, dir, "img.ppm");
    write_ppm(path);
    rtpu_error err = {0};
    enum { H = 5, W = 7 };
    float out[H * W * 3];
    assert_int_equal(image_load_normalized(path, H, W, out, &err), RTPU_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < 3; c++)
                expect_close(out[(y * W + x) * 3 + c], normalised(tf_bilinear(y, x, H, W, c), c),
                             1e-5);
}

static void grey_is_replicated_and_alpha_dropped(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    rtpu_error err = {0};
    float out[2 * 2 * 3];

    /* PGM, 2 x 1: grey 0 and 255. */
    test_path(path, sizeof path, dir, "grey.pgm");
    test_write_bytes(path, "P5\n# a comment\n2 1\n255\n\x00\xff", 25);
    assert_int_equal(image_load_normalized(path, 1, 2, out, &err), RTPU_OK);
    for (int c = 0; c < 3; c++) {
        expect_close(out[c], normalised(0, c), 1e-6);
        expect_close(out[3 + c], normalised(255, c), 1e-6);
    }

    /* PNG with alpha (lossless): colours come through exactly, alpha is ignored. */
    test_path(path, sizeof path, dir, "rgba.png");
    const unsigned char rgba[2 * 2 * 4] = {
        200, 10, 0, 255, 1, 2, 3, 0, 40, 80, 120, 128, 255, 255, 255, 7,
    };
    assert_true(stbi_write_png(path, 2, 2, 4, rgba, 2 * 4) != 0);
    assert_int_equal(image_load_normalized(path, 2, 2, out, &err), RTPU_OK);
    for (int i = 0; i < 4; i++)
        for (int c = 0; c < 3; c++)
            expect_close(out[i * 3 + c], normalised(rgba[i * 4 + c], c), 1e-6);

    /* Grey + alpha PNG. */
    test_path(path, sizeof path, dir, "ga.png");
    const unsigned char grey_alpha[2 * 2] = {77, 0, 199, 255};
    assert_true(stbi_write_png(path, 2, 1, 2, grey_alpha, 2 * 2) != 0);
    assert_int_equal(image_load_normalized(path, 1, 2, out, &err), RTPU_OK);
    for (int c = 0; c < 3; c++) {
        expect_close(out[c], normalised(77, c), 1e-6);
        expect_close(out[3 + c], normalised(199, c), 1e-6);
    }
}

/* JPEG is lossy: a flat colour must come back within a few levels. */
static void jpeg_decodes(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    test_path(path, sizeof path, dir, "flat.jpg");
    unsigned char rgb[16 * 16 * 3];
    for (int i = 0; i < 16 * 16; i++) {
        rgb[i * 3] = 128;
        rgb[i * 3 + 1] = 64;
        rgb[i * 3 + 2] = 200;
    }
    assert_true(stbi_write_jpg(path, 16, 16, 3, rgb, 100) != 0);
    float out[4 * 4 * 3];
    rtpu_error err = {0};
    assert_int_equal(image_load_normalized(path, 4, 4, out, &err), RTPU_OK);
    for (int i = 0; i < 16; i++)
        for (int c = 0; c < 3; c++)
            expect_close(out[i * 3 + c], normalised(rgb[c], c), 4.0 / 255 / 0.224);
}

static void rejects_bad_images(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    rtpu_error err = {0};
    float out[3 * 3 * 3];

    test_path(path, sizeof path, dir, "absent.png");
    expect_error(image_load_normalized(path, 3, 3, out, &err), &err, RTPU_ERR_IO, "cannot open");
    assert_non_null(strstr(err.message, "absent.png"));

    test_path(path, sizeof path, dir, "empty.png");
    test_write_bytes(path, "", 0);
    expect_error(image_load_normalized(path, 3, 3, out, &err), &err, RTPU_ERR_FORMAT,
                 "empty.png: file is empty");

    test_path(path, sizeof path, dir, "text.png");
    test_write_bytes(path, "hello, not an image", 19);
    expect_error(image_load_normalized(path, 3, 3, out, &err), &err, RTPU_ERR_UNSUPPORTED,
                 "text.png: not a PNG, JPEG or binary PPM/PGM");

    test_path(path, sizeof path, dir, "ascii.ppm");
    test_write_bytes(path, "P3\n1 1\n255\n1 2 3\n", 17);
    expect_error(image_load_normalized(path, 3, 3, out, &err), &err, RTPU_ERR_UNSUPPORTED,
                 "not a PNG, JPEG or binary PPM/PGM");

    test_path(path, sizeof path, dir, "zero.ppm");
    test_write_bytes(path, "P6\n0 0\n255\n", 11);
    expect_error(image_load_normalized(path, 3, 3, out, &err), &err, RTPU_ERR_FORMAT,
                 "image has zero size (0 x 0)");

    test_path(path, sizeof path, dir, "short.ppm");
    unsigned char truncated[28];
    memcpy(truncated, "P6\n3 2\n255\n", 11);
    memset(truncated + 11, 9, 17);
    test_write_bytes(path, truncated, sizeof truncated);
    expect_error(image_load_normalized(path, 3, 3, out, &err), &err, RTPU_ERR_FORMAT,
                 "truncated PPM: 17 bytes of pixel data, 3 x 2 needs 18");

    test_path(path, sizeof path, dir, "huge.ppm");
    test_write_bytes(path, "P6\n100000 100000\n255\n", 21);
    expect_error(image_load_normalized(path, 3, 3, out, &err), &err, RTPU_ERR_NOMEM,
                 "image is 100000 x 100000, more than");

    /* A real PNG with its compressed data damaged: stb's reason is in the message. */
    test_path(path, sizeof path, dir, "damaged.png");
    unsigned char rgb[8 * 8 * 3];
    for (size_t i = 0; i < sizeof rgb; i++)
        rgb[i] = (unsigned char)(i * 37);
    assert_true(stbi_write_png(path, 8, 8, 3, rgb, 8 * 3) != 0);
    unsigned char png[1024];
    FILE *f = fopen(path, "rb");
    size_t size = fread(png, 1, sizeof png, f);
    fclose(f);
    /* The IDAT chunk starts after the 8-byte signature and the 25-byte IHDR chunk; its data
     * (a zlib stream) starts 8 bytes further. Damage the zlib header. */
    assert_memory_equal(png + 37, "IDAT", 4);
    png[41] = 0xff;
    png[42] = 0xff;
    test_write_bytes(path, png, size);
    expect_error(image_load_normalized(path, 3, 3, out, &err), &err, RTPU_ERR_FORMAT,
                 "damaged.png: cannot decode image: ");

    test_path(path, sizeof path, dir, "ok.ppm");
    write_ppm(path);
    expect_error(image_load_normalized(path, 0, 3, out, &err), &err, RTPU_ERR_INVALID,
                 "cannot resize an image to 0 x 3");
    expect_error(image_load_normalized(path, 3, -1, out, &err), &err, RTPU_ERR_INVALID,
                 "cannot resize an image to 3 x -1");
    expect_error(image_load_normalized(path, 100000, 3, out, &err), &err, RTPU_ERR_INVALID,
                 "cannot resize");
    expect_error(image_load_normalized(path, 3, 3, NULL, &err), &err, RTPU_ERR_INVALID,
                 "no output buffer");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ppm_at_its_own_size, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(ppm_resized_bilinear_by_hand, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(ppm_resized_matches_naive_reference, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(grey_is_replicated_and_alpha_dropped, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(jpeg_decodes, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(rejects_bad_images, test_dir_setup, test_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
