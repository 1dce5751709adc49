/* Image decode (stb_image from libstb), bilinear resize and ImageNet normalisation
 * (see common/image.h).
 *
 * The file is read with read_whole_file and decoded from memory, so a missing file gets
 * the usual "cannot open" message and an undecodable one gets stb's own reason. Sizes are
 * checked with stbi_info before decoding so an absurd header cannot make stb allocate
 * gigabytes, and only PNG, JPEG and binary PGM/PPM are let through to stb. */
#include "common/image.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>

#include "common/atomic_file.h"

#define IMAGE_MAX_FILE_BYTES ((size_t)256 << 20)
/* 2^26 pixels (e.g. 8192 x 8192) decodes to 192 MiB of RGB; larger is refused. */
#define IMAGE_MAX_PIXELS ((long long)1 << 26)
/* Largest requested output side; models here take a few hundred pixels. */
#define IMAGE_MAX_SIDE 16384

static const float imagenet_mean[3] = {0.485f, 0.456f, 0.406f};
static const float imagenet_std[3] = {0.229f, 0.224f, 0.225f};

/* For one output coordinate: the two source coordinates to blend and the weight of the
 * second. Half-pixel centres, clamped at both borders (as TF's resize_bilinear with
 * half_pixel_centers: a clamped position makes both neighbours the same pixel). */
typedef struct sample_1d {
    int lower, upper;
    float weight;
} sample_1d;

static sample_1d sample_position(int out_index, int in_size, int out_size)
{
    double position = ((double)out_index + 0.5) * in_size / out_size - 0.5;
    if (position < 0)
        position = 0;
    if (position > in_size - 1)
        position = in_size - 1;
    int lower = (int)floor(position);
    int upper = lower + 1 < in_size ? lower + 1 : in_size - 1;
    return (sample_1d){lower, upper, (float)(position - lower)};
}

static void resize_and_normalise(const unsigned char *pixels, int in_h, int in_w, int height,
                                 int width, const sample_1d *columns, float *out)
{
    for (int y = 0; y < height; y++) {
        sample_1d row = sample_position(y, in_h, height);
        const unsigned char *top = pixels + (size_t)row.lower * in_w * 3;
        const unsigned char *bottom = pixels + (size_t)row.upper * in_w * 3;
        for (int x = 0; x < width; x++) {
            const sample_1d *col = &columns[x];
            for (int ch = 0; ch < 3; ch++) {
                float top_left = top[col->lower * 3 + ch], top_right = top[col->upper * 3 + ch];
                float bottom_left = bottom[col->lower * 3 + ch];
                float bottom_right = bottom[col->upper * 3 + ch];
                float upper_value = top_left + (top_right - top_left) * col->weight;
                float lower_value = bottom_left + (bottom_right - bottom_left) * col->weight;
                float value = upper_value + (lower_value - upper_value) * row.weight;
                out[((size_t)y * width + x) * 3 + ch] =
                    (value / 255.0f - imagenet_mean[ch]) / imagenet_std[ch];
            }
        }
    }
}

/* Formats accepted, by signature. stb_image knows more (BMP, GIF, TGA, PSD, HDR, PIC),
 * but its decoders for those are less careful with corrupt input, and the product
 * promises PNG, JPEG and binary PPM/PGM only. */
typedef enum { IMAGE_PNG, IMAGE_JPEG, IMAGE_PNM, IMAGE_UNKNOWN } image_format;

static image_format detect_format(const unsigned char *bytes, size_t size)
{
    static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (size >= 8 && memcmp(bytes, png_signature, 8) == 0)
        return IMAGE_PNG;
    if (size >= 3 && bytes[0] == 0xff && bytes[1] == 0xd8 && bytes[2] == 0xff)
        return IMAGE_JPEG;
    if (size >= 2 && bytes[0] == 'P' && (bytes[1] == '5' || bytes[1] == '6'))
        return IMAGE_PNM;
    return IMAGE_UNKNOWN;
}

/* stb_image 2.27 (Debian 12) ignores a short read of binary PGM/PPM pixel data and hands
 * back a partly uninitialised buffer. So the header is re-parsed here exactly as stb
 * parses it (whitespace, '#' comments to end of line, width, height, maximum value, one
 * terminating character) to find where the pixels start and how many bytes they need. */
typedef struct pnm_cursor {
    const unsigned char *bytes;
    size_t size, next;
    char current;
} pnm_cursor;

static bool pnm_at_end(const pnm_cursor *c)
{
    return c->next >= c->size;
}

static void pnm_advance(pnm_cursor *c)
{
    c->current = pnm_at_end(c) ? 0 : (char)c->bytes[c->next++];
}

static long long pnm_integer(pnm_cursor *c)
{
    for (;;) {
        while (!pnm_at_end(c) && (c->current == ' ' || (c->current >= '\t' && c->current <= '\r')))
            pnm_advance(c);
        if (pnm_at_end(c) || c->current != '#')
            break;
        while (!pnm_at_end(c) && c->current != '\n' && c->current != '\r')
            pnm_advance(c);
    }
    long long value = 0;
    while (!pnm_at_end(c) && c->current >= '0' && c->current <= '9') {
        if (value < (1LL << 40))
            value = value * 10 + (c->current - '0');
        pnm_advance(c);
    }
    return value;
}

/* width and height are stbi_info's (the same parse, already bounded by IMAGE_MAX_PIXELS);
 * the header is walked again only to find the maximum value and where the pixels start. */
static rtpu_status check_pnm_length(const char *path, const unsigned char *bytes, size_t size,
                                    int width, int height, rtpu_error *err)
{
    pnm_cursor c = {.bytes = bytes, .size = size, .next = 2};
    pnm_advance(&c);
    pnm_integer(&c);
    pnm_integer(&c);
    long long max_value = pnm_integer(&c);
    long long channels = bytes[1] == '6' ? 3 : 1, sample_bytes = max_value > 255 ? 2 : 1;
    long long needed = (long long)width * height * channels * sample_bytes;
    long long present = (long long)(size - c.next);
    if (present < needed)
        return rtpu_fail(err, RTPU_ERR_FORMAT,
                         "%s: truncated %s: %lld bytes of pixel data, %d x %d needs %lld", path,
                         bytes[1] == '6' ? "PPM" : "PGM", present, width, height, needed);
    return RTPU_OK;
}

/* Decodes an in-memory image to 8-bit RGB after checking its size. */
static rtpu_status decode(const char *path, const unsigned char *bytes, size_t size,
                          unsigned char **pixels, int *in_h, int *in_w, rtpu_error *err)
{
    if (size == 0)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: file is empty, not an image", path);
    image_format format = detect_format(bytes, size);
    if (format == IMAGE_UNKNOWN)
        return rtpu_fail(err, RTPU_ERR_UNSUPPORTED,
                         "%s: not a PNG, JPEG or binary PPM/PGM (P6/P5) image", path);
    if (size > INT_MAX)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: image file is too large to decode", path);
    int w = 0, h = 0, channels = 0;
    if (!stbi_info_from_memory(bytes, (int)size, &w, &h, &channels))
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: cannot decode image: %s", path,
                         stbi_failure_reason());
    if (w <= 0 || h <= 0)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: image has zero size (%d x %d)", path, w, h);
    if ((long long)w * h > IMAGE_MAX_PIXELS)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: image is %d x %d, more than %lld pixels", path,
                         w, h, IMAGE_MAX_PIXELS);
    if (format == IMAGE_PNM) {
        rtpu_status status = check_pnm_length(path, bytes, size, w, h, err);
        if (status)
            return status;
    }
    *pixels = stbi_load_from_memory(bytes, (int)size, &w, &h, &channels, 3);
    if (!*pixels)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: cannot decode image: %s", path,
                         stbi_failure_reason());
    *in_h = h;
    *in_w = w;
    return RTPU_OK;
}

rtpu_status image_load_normalized(const char *path, int height, int width, float *out,
                                  rtpu_error *err)
{
    if (height <= 0 || width <= 0 || height > IMAGE_MAX_SIDE || width > IMAGE_MAX_SIDE)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: cannot resize an image to %d x %d (1..%d)",
                         path, height, width, IMAGE_MAX_SIDE);
    if (!out)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: no output buffer for the image", path);
    void *contents;
    size_t size;
    rtpu_status status = read_whole_file(path, IMAGE_MAX_FILE_BYTES, &contents, &size, err);
    if (status)
        return status;
    unsigned char *pixels = NULL;
    int in_h = 0, in_w = 0;
    status = decode(path, contents, size, &pixels, &in_h, &in_w, err);
    free(contents);
    if (status)
        return status;

    sample_1d *columns = malloc((size_t)width * sizeof *columns);
    if (!columns) {
        stbi_image_free(pixels);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: cannot allocate resize tables", path);
    }
    for (int x = 0; x < width; x++)
        columns[x] = sample_position(x, in_w, width);
    resize_and_normalise(pixels, in_h, in_w, height, width, columns, out);
    free(columns);
    stbi_image_free(pixels);
    return RTPU_OK;
}
