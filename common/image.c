/* Image decode, bilinear resize and ImageNet normalisation (see common/image.h).
 *
 * Why the decoders live here and not in Debian's libstb.so: that copy of stb_image
 * (2.27) is built without sanitizers or coverage, so neither the ASan build nor the
 * fuzzer could see inside it, and it has known memory bugs on hostile input. The best
 * known one: a 16-bit PGM asked for as RGB is widened as if it were 8-bit and then read as
 * 16-bit, twice the buffer's length (tests/fuzz/regress/image/pgm16-overread.pgm). So:
 *  - stb_image.h is compiled into this file (STB_IMAGE_STATIC: no symbol clashes with
 *    libstb.so), limited to PNG and JPEG, with every allocation it makes going through
 *    stb_alloc_limit(), which refuses buffers beyond IMAGE_MAX_ALLOCATION (a zlib bomb in a
 *    PNG, a huge progressive JPEG) so stb fails with "outofmem" instead of the OOM killer
 *    stepping in. The sanitizers and the fuzzer instrument it like our own code.
 *  - 16-bit PNGs are loaded through stbi_load_16 at full precision; stb's PNG path
 *    converts channels correctly at both depths.
 *  - binary PGM/PPM (P5/P6) are decoded here: the format is a header and raw samples,
 *    and stb 2.27 gets it wrong in several ways: the overread above, 16-bit samples left
 *    in big-endian order, maximum values other than 255 ignored, header integers that
 *    overflow `int`, and a short file read into a partly uninitialised buffer.
 * Sizes are checked from the header before anything is decoded, and the file is read with
 * read_whole_file and decoded from memory, so a missing file gets the usual "cannot
 * open" message and an undecodable one gets stb's (or our) reason. */
#include "common/image.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"

#define IMAGE_MAX_FILE_BYTES ((size_t)256 << 20)
/* 2^26 pixels (e.g. 8192 x 8192) decodes to 192 MiB of 8-bit RGB; larger is refused. */
#define IMAGE_MAX_PIXELS ((long long)1 << 26)
/* Largest single buffer stb may allocate: 2^26 pixels of 16-bit RGBA. */
#define IMAGE_MAX_ALLOCATION ((size_t)512 << 20)
/* Largest requested output side; models here take a few hundred pixels. */
#define IMAGE_MAX_SIDE 16384

/* Every buffer stb allocates. New ones are zeroed: stb 2.27 leaves its JPEG decoder state
 * uninitialised (2.28 added a memset), and a corrupt file can make it read fields no
 * segment set. */
static void *stb_alloc_limit(void *old, size_t size)
{
    if (size > IMAGE_MAX_ALLOCATION)
        return NULL; /* stb frees what it had and reports "outofmem" */
    return old ? realloc(old, size ? size : 1) : calloc(1, size ? size : 1);
}

#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_MALLOC(size) stb_alloc_limit(NULL, size)
#define STBI_REALLOC(old, size) stb_alloc_limit(old, size)
#define STBI_FREE(p) free(p)
/* GCC reports static functions declared but never defined at the end of the file, so
 * -Wunused-function stays off for the whole file: STB_IMAGE_STATIC makes stb's unused API
 * (GIF, thread flags) static. stb compiles cleanly otherwise. */
#pragma GCC diagnostic ignored "-Wunused-function"
/* stb 2.27's JPEG entropy decoder shifts by negative amounts and overflows `int` on
 * corrupt data (2.28 added checks). That is arithmetic on garbage, not a memory access,
 * and it would stop every fuzz run within seconds, so those two UBSan checks are off for
 * stb's functions in clang builds (the fuzzer's); ASan and UBSan's other checks (array
 * bounds among them) stay on, as rtl/ does for Verilator's code. */
#if defined(__clang__)
#pragma clang attribute push(__attribute__((no_sanitize("shift", "signed-integer-overflow"))), apply_to = function)
#endif
#include <stb_image.h>
#if defined(__clang__)
#pragma clang attribute pop
#endif

static const float imagenet_mean[3] = {0.485f, 0.456f, 0.406f};
static const float imagenet_std[3] = {0.229f, 0.224f, 0.225f};

/* A decoded picture: width * height RGB pixels, samples of one or two bytes, and the
 * sample value that means 1.0 (255, 65535 or a PNM's maximum value). */
typedef struct decoded_image {
    int width, height;
    void *samples; /* malloc'd (stb's buffers too: STBI_FREE is free) */
    bool wide;     /* uint16_t samples, else unsigned char */
    float max_value;
} decoded_image;

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

static float sample_at(const decoded_image *im, size_t index)
{
    if (im->wide)
        return (float)((const uint16_t *)im->samples)[index];
    return (float)((const unsigned char *)im->samples)[index];
}

static void resize_and_normalise(const decoded_image *im, int height, int width,
                                 const sample_1d *columns, float *out)
{
    for (int y = 0; y < height; y++) {
        sample_1d row = sample_position(y, im->height, height);
        size_t top = (size_t)row.lower * im->width * 3;
        size_t bottom = (size_t)row.upper * im->width * 3;
        for (int x = 0; x < width; x++) {
            const sample_1d *col = &columns[x];
            size_t left = (size_t)col->lower * 3, right = (size_t)col->upper * 3;
            for (int ch = 0; ch < 3; ch++) {
                float top_left = sample_at(im, top + left + ch);
                float top_right = sample_at(im, top + right + ch);
                float bottom_left = sample_at(im, bottom + left + ch);
                float bottom_right = sample_at(im, bottom + right + ch);
                float upper_value = top_left + (top_right - top_left) * col->weight;
                float lower_value = bottom_left + (bottom_right - bottom_left) * col->weight;
                float value = upper_value + (lower_value - upper_value) * row.weight;
                out[((size_t)y * width + x) * 3 + ch] =
                    (value / im->max_value - imagenet_mean[ch]) / imagenet_std[ch];
            }
        }
    }
}

/* Formats accepted, by signature. stb_image knows more (BMP, GIF, TGA, PSD, HDR, PIC),
 * but its decoders for those are less careful with corrupt input, and the product
 * promises PNG, JPEG and binary PPM/PGM only (the others are compiled out). */
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

/* Width and height, both positive, at most IMAGE_MAX_PIXELS together. */
static rtpu_status check_dimensions(const char *source, long long width, long long height,
                                    rtpu_error *err)
{
    if (width <= 0 || height <= 0)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: image has zero size (%lld x %lld)", source,
                         width, height);
    if (width > IMAGE_MAX_PIXELS || height > IMAGE_MAX_PIXELS || width * height > IMAGE_MAX_PIXELS)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: image is %lld x %lld, more than %lld pixels",
                         source, width, height, IMAGE_MAX_PIXELS);
    return RTPU_OK;
}

/* ---- PGM / PPM (Netpbm P5 / P6) ----
 * "P5" or "P6", whitespace, width, whitespace, height, whitespace, maximum value (1..65535),
 * one whitespace character, then the raster: width * height samples (three per pixel for
 * P6), one byte each if the maximum value is below 256, else two, most significant first.
 * '#' starts a comment up to the end of the line anywhere whitespace may be. */

static bool pnm_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static size_t pnm_skip(const unsigned char *b, size_t size, size_t pos)
{
    for (;;) {
        if (pos < size && pnm_space(b[pos])) {
            pos++;
        } else if (pos < size && b[pos] == '#') {
            while (pos < size && b[pos] != '\n' && b[pos] != '\r')
                pos++;
        } else {
            return pos;
        }
    }
}

/* Header numbers of more than 12 digits are refused outright (no image has 10^12 rows). */
enum { PNM_MAX_DIGITS = 12 };

static rtpu_status pnm_number(const char *source, const char *kind, const char *what,
                              const unsigned char *b, size_t size, size_t *pos, long long *out,
                              rtpu_error *err)
{
    size_t at = pnm_skip(b, size, *pos);
    if (at == *pos)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: %s header: expected whitespace before the %s at byte %zu",
                         source, kind, what, at);
    if (at >= size || b[at] < '0' || b[at] > '9')
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: %s header: expected the %s (a decimal number) at byte %zu",
                         source, kind, what, at);
    long long value = 0;
    size_t start = at;
    while (at < size && b[at] >= '0' && b[at] <= '9') {
        if (at - start == PNM_MAX_DIGITS)
            return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: %s header: the %s at byte %zu has more than %d digits",
                             source, kind, what, start, PNM_MAX_DIGITS);
        value = value * 10 + (b[at] - '0');
        at++;
    }
    *pos = at;
    *out = value;
    return RTPU_OK;
}

static rtpu_status decode_pnm(const char *source, const unsigned char *b, size_t size,
                              decoded_image *im, rtpu_error *err)
{
    bool colour = b[1] == '6';
    const char *kind = colour ? "PPM" : "PGM";
    long long width = 0, height = 0, max_value = 0;
    size_t pos = 2;
    rtpu_status st;
    if ((st = pnm_number(source, kind, "width", b, size, &pos, &width, err)) ||
        (st = pnm_number(source, kind, "height", b, size, &pos, &height, err)))
        return st;
    if ((st = check_dimensions(source, width, height, err)))
        return st;
    if ((st = pnm_number(source, kind, "maximum value", b, size, &pos, &max_value, err)))
        return st;
    if (max_value < 1 || max_value > 65535)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: %s header: maximum value %lld is outside 1..65535",
                         source, kind, max_value);
    if (pos >= size || !pnm_space(b[pos]))
        return rtpu_fail(err, RTPU_ERR_FORMAT,
                         "%s: %s header: the maximum value must be followed by one whitespace character (byte %zu)",
                         source, kind, pos);
    pos++;
    long long channels = colour ? 3 : 1, sample_bytes = max_value > 255 ? 2 : 1;
    long long samples = width * height * channels;
    long long needed = samples * sample_bytes;
    long long present = (long long)(size - pos);
    if (present < needed)
        return rtpu_fail(err, RTPU_ERR_FORMAT,
                         "%s: truncated %s: %lld bytes of pixel data, %lld x %lld needs %lld", source,
                         kind, present, width, height, needed);
    const unsigned char *raster = b + pos;
    size_t pixels = (size_t)(width * height);
    void *rgb = malloc(pixels * 3 * (size_t)sample_bytes);
    if (!rgb)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: out of memory for a %lld x %lld image", source,
                         width, height);
    for (size_t i = 0; i < (size_t)samples; i++) {
        unsigned value = sample_bytes == 2 ? (unsigned)raster[2 * i] << 8 | raster[2 * i + 1] : raster[i];
        if (value > (unsigned long long)max_value) {
            free(rgb);
            return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: %s sample %zu is %u, above the maximum value %lld",
                             source, kind, i, value, max_value);
        }
        /* Grey is repeated into the three channels. */
        size_t first = colour ? i : 3 * i, copies = colour ? 1 : 3;
        for (size_t k = 0; k < copies; k++) {
            if (sample_bytes == 2)
                ((uint16_t *)rgb)[first + k] = (uint16_t)value;
            else
                ((unsigned char *)rgb)[first + k] = (unsigned char)value;
        }
    }
    *im = (decoded_image){(int)width, (int)height, rgb, sample_bytes == 2, (float)max_value};
    return RTPU_OK;
}

/* ---- PNG and JPEG, through stb_image ---- */

/* A PNG's chunks, walked as stb walks them (length, type, data, CRC; stb ignores CRCs):
 * the IDAT bytes they hold, for the size bound in decode_stb, and whether an empty IDAT
 * comes before the first one with data. stb 2.27 handles that case with a NULL buffer
 * (NULL + 0 and memcpy(NULL, .., 0), undefined behaviour:
 * tests/fuzz/regress/image/png-empty-idat*.png), so such chunks are dropped from a copy
 * of the file before stb sees it: a chunk of no bytes carries nothing. */
typedef struct png_chunks {
    unsigned long long idat_bytes;
    bool empty_idat_first;
    bool complete; /* every chunk up to IEND lies inside the file */
} png_chunks;

static unsigned long png_u32(const unsigned char *b)
{
    return (unsigned long)b[0] << 24 | (unsigned long)b[1] << 16 | (unsigned long)b[2] << 8 | b[3];
}

static png_chunks png_walk(const unsigned char *b, size_t size, unsigned char *copy, size_t *copy_size)
{
    png_chunks c = {0, false, false};
    size_t pos = 8, out = 8;
    if (copy)
        memcpy(copy, b, 8);
    /* stb needs a chunk's 8-byte header and its data; a CRC cut off by the end of the
     * file reads as zeros (tests/fuzz/regress/image/png-empty-idat-truncated.png). */
    while (size - pos >= 8) {
        unsigned long length = png_u32(b + pos);
        if (length > size - pos - 8)
            break; /* stb fails: "outofdata" */
        size_t chunk = size - pos - 8 - length >= 4 ? 12 + length : size - pos;
        bool idat = !memcmp(b + pos + 4, "IDAT", 4);
        bool drop = idat && length == 0 && c.idat_bytes == 0;
        if (drop)
            c.empty_idat_first = true;
        if (idat)
            c.idat_bytes += length;
        if (copy && !drop) {
            memcpy(copy + out, b + pos, chunk);
            out += chunk;
        }
        bool end = !memcmp(b + pos + 4, "IEND", 4);
        pos += chunk;
        if (end) {
            c.complete = true;
            break;
        }
    }
    if (copy) {
        memcpy(copy + out, b + pos, size - pos);
        *copy_size = out + size - pos;
    }
    return c;
}

/* stb 2.27 builds a Huffman table from a DHT segment without checking that its 16 code
 * counts add up to at most 256 (2.28 does), and then writes past the table's 257-entry
 * arrays: heap corruption from a few hundred bytes (tests/fuzz/regress/image/
 * jpeg-dht-counts.jpg). So before stb sees a JPEG, its segments are walked in the order
 * and with the lengths stb uses (stb_image.h: stbi__decode_jpeg_header,
 * stbi__decode_jpeg_image, stbi__process_marker; a byte past the end reads as 0, like
 * stbi__get8), and every table stb would build is checked. Entropy-coded data after a
 * scan header is skipped to the next marker (0xFF, fill 0xFFs, then a byte other than 0
 * or a restart marker), where stb's decoder stops reading it. The walk stops where stb
 * would stop with an error, so no valid file is refused. Returns the offset of a bad
 * table, or 0. */
typedef struct jpeg_walk {
    const unsigned char *b;
    size_t size, pos;
} jpeg_walk;

static unsigned jpeg_u8(jpeg_walk *w)
{
    return w->pos < w->size ? w->b[w->pos++] : (w->pos++, 0u);
}

static unsigned jpeg_u16(jpeg_walk *w)
{
    unsigned hi = jpeg_u8(w);
    return hi << 8 | jpeg_u8(w);
}

static size_t jpeg_bad_huffman_table(const unsigned char *bytes, size_t size)
{
    jpeg_walk w = {bytes, size, 2}; /* after SOI */
    bool in_scan = false;
    for (;;) {
        /* The next marker: an 0xFF, fill 0xFFs, the marker byte. In entropy-coded data
         * 0xFF 0x00 is a data byte and restart markers do not end the scan. */
        unsigned m = 0;
        for (;;) {
            while (w.pos < size && bytes[w.pos] != 0xff)
                w.pos++;
            while (w.pos < size && bytes[w.pos] == 0xff)
                w.pos++;
            if (w.pos >= size)
                return 0;
            m = bytes[w.pos++];
            if (!in_scan || (m != 0x00 && (m < 0xd0 || m > 0xd7)))
                break;
        }
        in_scan = false;
        if (m == 0xc4) { /* DHT: tables of a class/index byte, 16 counts, the values */
            long length = (long)jpeg_u16(&w) - 2;
            while (length > 0) {
                size_t at = w.pos;
                unsigned q = jpeg_u8(&w), n = 0;
                if ((q >> 4) > 1 || (q & 15) > 3)
                    return 0; /* stb: "bad DHT header" */
                for (int i = 0; i < 16; i++)
                    n += jpeg_u8(&w);
                if (n > 256)
                    return at;
                w.pos += n;
                length -= 17 + (long)n;
            }
            if (length != 0)
                return 0; /* stb stops here */
        } else if (m == 0xdb) { /* DQT: 65- or 129-byte tables */
            long length = (long)jpeg_u16(&w) - 2;
            while (length > 0) {
                unsigned q = jpeg_u8(&w);
                if ((q >> 4) > 1 || (q & 15) > 3)
                    return 0;
                w.pos += (q >> 4) ? 128 : 64;
                length -= (q >> 4) ? 129 : 65;
            }
            if (length != 0)
                return 0;
        } else if (m == 0xdd || m == 0xdc) { /* DRI, DNL: a 4-byte segment */
            if (jpeg_u16(&w) != 4)
                return 0;
            w.pos += 2;
        } else if (m == 0xc0 || m == 0xc1 || m == 0xc2 || m == 0xda || (m >= 0xe0 && m <= 0xef) || m == 0xfe) {
            /* SOF, SOS, APPn, COM: skipped by their length (stb checks SOF and SOS lengths
             * against their contents, and refuses the file when they differ). */
            unsigned length = jpeg_u16(&w);
            if (length < 2)
                return 0;
            w.pos += length - 2;
            in_scan = m == 0xda;
        } else {
            return 0; /* EOI, or a marker stb refuses */
        }
    }
}

static rtpu_status stb_failure(const char *source, rtpu_error *err)
{
    const char *reason = stbi_failure_reason();
    if (reason && !strcmp(reason, "outofmem"))
        return rtpu_fail(err, RTPU_ERR_NOMEM,
                         "%s: cannot decode image: it needs a buffer larger than %zu MiB (or memory ran out)",
                         source, IMAGE_MAX_ALLOCATION >> 20);
    return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: cannot decode image: %s", source,
                     reason ? reason : "unknown reason");
}

static rtpu_status decode_stb(const char *source, const unsigned char *bytes, size_t size,
                              image_format format, decoded_image *im, rtpu_error *err)
{
    if (size > INT_MAX)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: image file is too large to decode", source);
    size_t bad_table = format == IMAGE_JPEG ? jpeg_bad_huffman_table(bytes, size) : 0;
    if (bad_table)
        return rtpu_fail(err, RTPU_ERR_FORMAT,
                         "%s: corrupt JPEG: the Huffman table at byte %zu has more than 256 codes", source, bad_table);
    int w = 0, h = 0, channels = 0;
    if (!stbi_info_from_memory(bytes, (int)size, &w, &h, &channels))
        return stb_failure(source, err);
    rtpu_status st = check_dimensions(source, w, h, err);
    if (st)
        return st;
    unsigned char *png_copy = NULL;
    if (format == IMAGE_PNG && size >= 26) {
        /* The pixels are a deflate stream, which expands at most 1032:1 (a 258-byte match
         * per 2 bits), and the rows it must produce are known from IHDR (stb insists it is
         * the first chunk): each row is a filter byte and ceil(w * channels * depth / 8)
         * bytes. Fewer IDAT bytes than that / 1032 is a truncated file. */
        static const int channels_of[7] = {1, 0, 3, 1, 2, 0, 4};
        int depth = bytes[24], colour = bytes[25];
        long long bits = (colour <= 6 ? channels_of[colour] : 0) * (long long)depth;
        long long raw = (long long)h * (1 + ((long long)w * bits + 7) / 8);
        png_chunks chunks = png_walk(bytes, size, NULL, NULL);
        unsigned long long held = chunks.complete ? chunks.idat_bytes : size;
        if (held < (unsigned long long)(raw / 1032))
            return rtpu_fail(err, RTPU_ERR_FORMAT,
                             "%s: truncated PNG: %llu bytes of image data cannot hold %d x %d pixels (at least %lld)",
                             source, held, w, h, raw / 1032);
        if (chunks.empty_idat_first) {
            png_copy = malloc(size);
            if (!png_copy)
                return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: out of memory", source);
            png_walk(bytes, size, png_copy, &size);
            bytes = png_copy;
        }
    }
    if (format == IMAGE_JPEG) {
        /* Every 8 x 8 block of the full-resolution component costs at least one bit of
         * entropy-coded data (a DC code), so a header promising more blocks than the file
         * has bits is truncated; stb would decode the missing part as grey, slowly. */
        long long blocks = (long long)((w + 7) / 8) * ((h + 7) / 8);
        long long at_least = (blocks + 7) / 8;
        if ((long long)size < at_least)
            return rtpu_fail(err, RTPU_ERR_FORMAT,
                             "%s: truncated JPEG: %zu bytes cannot hold %d x %d pixels (at least %lld)",
                             source, size, w, h, at_least);
    }
    bool wide = format == IMAGE_PNG && stbi_is_16_bit_from_memory(bytes, (int)size);
    int got_w = 0, got_h = 0;
    void *rgb = wide ? (void *)stbi_load_16_from_memory(bytes, (int)size, &got_w, &got_h, &channels, 3)
                     : (void *)stbi_load_from_memory(bytes, (int)size, &got_w, &got_h, &channels, 3);
    free(png_copy);
    if (!rgb)
        return stb_failure(source, err);
    if (got_w != w || got_h != h) {
        free(rgb);
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: cannot decode image: header says %d x %d, data %d x %d",
                         source, w, h, got_w, got_h);
    }
    *im = (decoded_image){w, h, rgb, wide, wide ? 65535.0f : 255.0f};
    return RTPU_OK;
}

static rtpu_status decode(const char *source, const unsigned char *bytes, size_t size,
                          decoded_image *im, rtpu_error *err)
{
    if (size == 0)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "%s: file is empty, not an image", source);
    image_format format = detect_format(bytes, size);
    if (format == IMAGE_UNKNOWN)
        return rtpu_fail(err, RTPU_ERR_UNSUPPORTED,
                         "%s: not a PNG, JPEG or binary PPM/PGM (P6/P5) image", source);
    if (size > IMAGE_MAX_FILE_BYTES)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: image file is larger than %zu MiB", source,
                         IMAGE_MAX_FILE_BYTES >> 20);
    if (format == IMAGE_PNM)
        return decode_pnm(source, bytes, size, im, err);
    return decode_stb(source, bytes, size, format, im, err);
}

rtpu_status image_decode_normalized(const void *bytes, size_t size, const char *source, int height,
                                    int width, float *out, rtpu_error *err)
{
    if (height <= 0 || width <= 0 || height > IMAGE_MAX_SIDE || width > IMAGE_MAX_SIDE)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: cannot resize an image to %d x %d (1..%d)",
                         source, height, width, IMAGE_MAX_SIDE);
    if (!out)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: no output buffer for the image", source);
    if (!bytes && size)
        return rtpu_fail(err, RTPU_ERR_INVALID, "%s: no image bytes", source);
    decoded_image im = {0};
    rtpu_status status = decode(source, bytes, size, &im, err);
    if (status)
        return status;
    sample_1d *columns = malloc((size_t)width * sizeof *columns);
    if (!columns) {
        free(im.samples);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: cannot allocate resize tables", source);
    }
    for (int x = 0; x < width; x++)
        columns[x] = sample_position(x, im.width, width);
    resize_and_normalise(&im, height, width, columns, out);
    free(columns);
    free(im.samples);
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
    status = image_decode_normalized(contents, size, path, height, width, out, err);
    free(contents);
    return status;
}
