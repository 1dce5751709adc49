/* Fuzz harness: images (image_decode_normalized, common/image.c: PNG, JPEG, PGM/PPM).
 * The input is the image file itself, so a reproducer is also a file `rtpu run --input`
 * takes. It is decoded at one of two output sizes (5 x 7 or 1 x 1). Every output value is a
 * normalised sample in [0, 1], so it must lie in [-mean / std, (1 - mean) / std] of its
 * channel: a value outside means the decoder read memory that was never an image. */
#include <math.h>
#include <stdlib.h>

#include "common/image.h"
#include "tests/fuzz/fuzz_support.h"

static void check_range(const float *out, int count, const char *what)
{
    static const float mean[3] = {0.485f, 0.456f, 0.406f}, stddev[3] = {0.229f, 0.224f, 0.225f};
    for (int i = 0; i < count; i++) {
        int ch = i % 3;
        float lo = -mean[ch] / stddev[ch] - 1e-4f, hi = (1 - mean[ch]) / stddev[ch] + 1e-4f;
        if (!(out[i] >= lo && out[i] <= hi))
            fuzz_fail("%s: value %d = %g is outside [%g, %g]", what, i, (double)out[i], (double)lo, (double)hi);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_planted_crash(data, size);
    /* Inputs of even length are resized to 5 x 7, odd ones to 1 x 1: both directions of
     * the resize are covered at the cost of one decode per input. */
    int h = size % 2 ? 1 : 5, w = size % 2 ? 1 : 7;
    float out[5 * 7 * 3];
    rtpu_error err = {0};
    rtpu_status st = image_decode_normalized(data, size, "fuzz.img", h, w, out, &err);
    if (!fuzz_check_error(st, &err, "image_decode_normalized"))
        check_range(out, h * w * 3, size % 2 ? "1 x 1" : "5 x 7");
    return 0;
}
