/* The integer arithmetic of the accelerator, defined once (docs/isa.md, "Arithmetic").
 *
 * Every integer operation the hardware performs on data is one of these functions: the
 * simulator's vector unit calls them, the RTL's vector package implements the same
 * definitions in SystemVerilog (and the co-simulation proves they agree), and the
 * quantiser and the int8 CPU mirror compute with exactly these, so a quantised graph
 * means the same bits on every backend. Nothing here depends on how >> treats negative
 * numbers or on int overflow: every step is written so C defines its result.
 *
 *   round_shift(x, s) = s == 0 ? x : floor((x + 2^(s-1)) / 2^s)     (round half up)
 *   sat8(x)           = min(max(x, -128), 127)
 *   sat32(x)          = min(max(x, INT32_MIN), INT32_MAX)
 *   requant(acc, bias, mult, shift)
 *                     = sat8(round_shift(sat32(acc + bias) * mult, clamp(31 + shift, 1, 62)))
 *   vadd(a, b)        = sat8(round_shift(a * mul_a + b * mul_b, shift)), vsub with -
 *   vmul(a, b)        = sat8(round_shift(a * b * mul, shift))
 *   lut(table, x)     = table[x & 0xff]   (the int8 value's two's-complement bits)
 *   resize            = bilinear, align_corners = true, Q8 source positions, Q16 blend */
#ifndef RTPU_TARGET_INTMATH_H
#define RTPU_TARGET_INTMATH_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

/* Widest shift a requant can apply (31 + shift is clamped to [1, 62]). */
enum { IM_REQUANT_SHIFT_MIN = 1, IM_REQUANT_SHIFT_MAX = 62, IM_RESIZE_FRACTION_BITS = 8 };

static inline int64_t im_clamp(int64_t x, int64_t lo, int64_t hi) { return x < lo ? lo : x > hi ? hi : x; }

static inline int64_t im_round_shift(int64_t x, int64_t s)
{
    /* floor((x + 2^(s-1)) / 2^s), shifting only non-negative values (>> of a negative
     * number is implementation-defined in C). Written without branches or a divide: it
     * runs per element, and the vectoriser needs a straight line. s <= 0 gives x. */
    s = s < 0 ? 0 : s;
    int64_t y = x + (s > 0 ? (int64_t)1 << (s - 1) : 0);
    uint64_t below = ((uint64_t)1 << s) - 1;
    return y >= 0 ? (int64_t)((uint64_t)y >> s) : -(int64_t)(((uint64_t)(-y) + below) >> s);
}

static inline int8_t im_sat8(int64_t x) { return (int8_t)im_clamp(x, -128, 127); }
static inline int32_t im_sat32(int64_t x) { return (int32_t)im_clamp(x, INT32_MIN, INT32_MAX); }

/* The effective right shift of a requant with per-channel parameter `shift`. */
static inline int64_t im_requant_shift(int32_t shift)
{
    return im_clamp(31 + (int64_t)shift, IM_REQUANT_SHIFT_MIN, IM_REQUANT_SHIFT_MAX);
}

/* int32 accumulator -> int8, with the channel's bias, multiplier and shift. */
static inline int8_t im_requant(int32_t acc, int32_t bias, int32_t mult, int32_t shift)
{
    int64_t v = im_sat32((int64_t)acc + bias);
    return im_sat8(im_round_shift(v * mult, im_requant_shift(shift)));
}

static inline int8_t im_vadd(int8_t a, int8_t b, int64_t mul_a, int64_t mul_b, int64_t shift)
{
    return im_sat8(im_round_shift((int64_t)a * mul_a + (int64_t)b * mul_b, shift));
}

static inline int8_t im_vsub(int8_t a, int8_t b, int64_t mul_a, int64_t mul_b, int64_t shift)
{
    return im_sat8(im_round_shift((int64_t)a * mul_a - (int64_t)b * mul_b, shift));
}

static inline int8_t im_vmul(int8_t a, int8_t b, int64_t mul, int64_t shift)
{
    return im_sat8(im_round_shift((int64_t)a * b * mul, shift));
}

/* A 256-entry table indexed by the value's bit pattern: entry 0..127 for 0..127, entry
 * 128..255 for -128..-1. */
/* acc + x in int32 with two's-complement wrap-around (matmul, dwconv and vsum
 * accumulation); computed in uint32_t, where overflow is defined. */
static inline int32_t im_wrap_add32(int32_t acc, int64_t x)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(uint64_t)x);
}

/* vsum's term: x, or x * x (at most 2^14, so a 2^16-row sum stays below 2^30). */
static inline int32_t im_vsum_term(int8_t x, bool square) { return square ? (int32_t)x * x : x; }

static inline int8_t im_lut(const int8_t table[256], int8_t x) { return table[(uint8_t)x]; }

/* Source position of output o along an axis of in -> out pixels, align_corners = true:
 * pos = floor(o * (in - 1) * 256 / (out - 1)) in Q8 (0 when out == 1); the two source
 * pixels are i0 = pos >> 8 and i1 = min(i0 + 1, in - 1), the fraction f = pos & 255. */
static inline void im_resize_coord(int64_t o, int64_t in, int64_t out, int64_t *i0, int64_t *i1, int64_t *f)
{
    int64_t pos = out == 1 ? 0 : o * (in - 1) * 256 / (out - 1);
    *i0 = pos / 256;
    *i1 = *i0 + 1 < in ? *i0 + 1 : in - 1;
    *f = pos % 256;
}

/* The blend of four corners: sat8(round_shift((p00 (256 - fx) + p01 fx) (256 - fy)
 * + (p10 (256 - fx) + p11 fx) fy, 16)). */
static inline int8_t im_resize_blend(int8_t p00, int8_t p01, int8_t p10, int8_t p11, int64_t fx, int64_t fy)
{
    int64_t top = p00 * (256 - fx) + p01 * fx;
    int64_t bottom = p10 * (256 - fx) + p11 * fx;
    return im_sat8(im_round_shift(top * (256 - fy) + bottom * fy, 16));
}

/* A real value -> the nearest integer of x / scale, half away from zero, saturated to
 * [lo, hi]; NaN becomes 0. How inputs enter the accelerator (the tensor map's encoding). */
static inline int64_t im_quantize(double x, double scale, int64_t lo, int64_t hi)
{
    double q = round(x / scale);
    if (isnan(q))
        return 0;
    return q < (double)lo ? lo : q > (double)hi ? hi : (int64_t)q;
}

#endif
