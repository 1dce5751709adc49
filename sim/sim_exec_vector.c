/* Data effects of the vector unit. All arithmetic is integer and defined in a few lines
 * (docs/isa.md gives the same definitions):
 *   round_shift(x, s) = s == 0 ? x : floor((x + 2^(s-1)) / 2^s)   (round half up)
 *   sat8(x) = min(max(x, -128), 127)
 *   requant: v = sat32(acc + bias[c]); s = clamp(31 + shift[c], 1, 62);
 *            out = sat8(round_shift(v * mult[c], s)), with bias, mult, shift the int32
 *            rows param, param + 1, param + 2 of the accumulators
 *   vadd: sat8(round_shift(a * mul_a + b * mul_b, shift)); vsub: a * mul_a - b * mul_b
 *   vmul: sat8(round_shift(a * b * mul, shift))
 *   lut: table[value & 0xff] (the int8 value's two's-complement bits as the index)
 *   maxpool: max over the window's in-range inputs
 *   resize: bilinear, align_corners = true, Q8 weights (see resize_row). */
#include "sim/sim_internal.h"

static int64_t round_shift(int64_t x, int64_t s)
{
    if (s == 0)
        return x;
    int64_t y = x + ((int64_t)1 << (s - 1));
    /* floor division by 2^s, written without relying on >> of negative numbers */
    int64_t d = (int64_t)1 << s;
    return y >= 0 ? y / d : -((-y + d - 1) / d);
}

static int8_t sat8(int64_t x) { return (int8_t)(x < -128 ? -128 : x > 127 ? 127 : x); }
static int64_t clamp64(int64_t x, int64_t lo, int64_t hi) { return x < lo ? lo : x > hi ? hi : x; }

static void requant(rtpu_sim *sim, const int64_t *a)
{
    uint64_t n = sim->n;
    const int32_t *bias = sim->acc + (uint64_t)a[REQUANT_PARAM] * n;
    const int32_t *mult = bias + n, *shift = bias + 2 * n;
    for (uint64_t r = 0; r < (uint64_t)a[REQUANT_ROWS]; r++) {
        const int32_t *src = sim->acc + ((uint64_t)a[REQUANT_ACC] + r) * n;
        int8_t *dst = sim->ub + ((uint64_t)a[REQUANT_UB] + r) * n;
        for (uint64_t c = 0; c < n; c++) {
            int64_t v = clamp64((int64_t)src[c] + bias[c], INT32_MIN, INT32_MAX);
            int64_t s = clamp64(31 + (int64_t)shift[c], 1, 62);
            dst[c] = sat8(round_shift(v * mult[c], s));
        }
    }
}

static void elementwise(rtpu_sim *sim, int opcode, const int64_t *a)
{
    uint64_t n = sim->n, count = (uint64_t)a[VEC_ROWS] * n;
    const int8_t *x = sim->ub + (uint64_t)a[VEC_A] * n, *y = sim->ub + (uint64_t)a[VEC_B] * n;
    int8_t *dst = sim->ub + (uint64_t)a[VEC_DST] * n;
    /* Each element is read before it is written, so dst may equal a or b. */
    for (uint64_t i = 0; i < count; i++) {
        int64_t v;
        if (opcode == OP_VMUL)
            v = round_shift((int64_t)x[i] * y[i] * a[VMUL_MUL], a[VMUL_SHIFT]);
        else if (opcode == OP_VADD)
            v = round_shift((int64_t)x[i] * a[VEC_MUL_A] + (int64_t)y[i] * a[VEC_MUL_B], a[VEC_SHIFT]);
        else
            v = round_shift((int64_t)x[i] * a[VEC_MUL_A] - (int64_t)y[i] * a[VEC_MUL_B], a[VEC_SHIFT]);
        dst[i] = sat8(v);
    }
}

static void lookup(rtpu_sim *sim, const int64_t *a)
{
    uint64_t count = (uint64_t)a[LUT_ROWS] * sim->n;
    const int8_t *table = sim->lut + 256 * a[LUT_TABLE];
    const int8_t *src = sim->ub + (uint64_t)a[LUT_SRC] * sim->n;
    int8_t *dst = sim->ub + (uint64_t)a[LUT_DST] * sim->n;
    for (uint64_t i = 0; i < count; i++)
        dst[i] = table[(uint8_t)src[i]];
}

static void maxpool(rtpu_sim *sim, const int64_t *a)
{
    uint64_t n = sim->n;
    int64_t in_h = a[POOL_IN_H], in_w = a[POOL_IN_W];
    for (int64_t oy = 0; oy < a[POOL_OUT_H]; oy++)
        for (int64_t ox = 0; ox < a[POOL_OUT_W]; ox++) {
            int8_t *dst = sim->ub + ((uint64_t)a[POOL_DST] + (uint64_t)(oy * a[POOL_OUT_W] + ox)) * n;
            for (uint64_t c = 0; c < n; c++)
                dst[c] = -128;
            for (int64_t dy = 0; dy < a[POOL_KERNEL_H]; dy++)
                for (int64_t dx = 0; dx < a[POOL_KERNEL_W]; dx++) {
                    int64_t iy = oy * a[POOL_STRIDE] - a[POOL_PAD_TOP] + dy;
                    int64_t ix = ox * a[POOL_STRIDE] - a[POOL_PAD_LEFT] + dx;
                    if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w)
                        continue;
                    const int8_t *src = sim->ub + ((uint64_t)a[POOL_SRC] + (uint64_t)(iy * in_w + ix)) * n;
                    for (uint64_t c = 0; c < n; c++)
                        dst[c] = src[c] > dst[c] ? src[c] : dst[c];
                }
        }
}

/* Source position of output o in Q8: floor(o * (in - 1) * 256 / (out - 1)), 0 if out = 1.
 * Integer part i0 = pos >> 8, i1 = min(i0 + 1, in - 1), fraction f = pos & 255. */
static void resize_coord(int64_t o, int64_t in, int64_t out, int64_t *i0, int64_t *i1, int64_t *f)
{
    int64_t pos = out == 1 ? 0 : o * (in - 1) * 256 / (out - 1);
    *i0 = pos >> 8;
    *i1 = *i0 + 1 < in ? *i0 + 1 : in - 1;
    *f = pos & 255;
}

/* out = sat8(round_shift((p00 (256 - fx) + p01 fx) (256 - fy) + (p10 (256 - fx) + p11 fx) fy, 16)) */
static void resize(rtpu_sim *sim, const int64_t *a)
{
    uint64_t n = sim->n;
    int64_t in_h = a[RESIZE_IN_H], in_w = a[RESIZE_IN_W];
    for (int64_t oy = 0; oy < a[RESIZE_OUT_H]; oy++) {
        int64_t y0, y1, fy;
        resize_coord(oy, in_h, a[RESIZE_OUT_H], &y0, &y1, &fy);
        for (int64_t ox = 0; ox < a[RESIZE_OUT_W]; ox++) {
            int64_t x0, x1, fx;
            resize_coord(ox, in_w, a[RESIZE_OUT_W], &x0, &x1, &fx);
            const int8_t *src = sim->ub + (uint64_t)a[RESIZE_SRC] * n;
            const int8_t *p00 = src + (uint64_t)(y0 * in_w + x0) * n, *p01 = src + (uint64_t)(y0 * in_w + x1) * n;
            const int8_t *p10 = src + (uint64_t)(y1 * in_w + x0) * n, *p11 = src + (uint64_t)(y1 * in_w + x1) * n;
            int8_t *dst = sim->ub + ((uint64_t)a[RESIZE_DST] + (uint64_t)(oy * a[RESIZE_OUT_W] + ox)) * n;
            for (uint64_t c = 0; c < n; c++) {
                int64_t top = p00[c] * (256 - fx) + p01[c] * fx;
                int64_t bottom = p10[c] * (256 - fx) + p11[c] * fx;
                dst[c] = sat8(round_shift(top * (256 - fy) + bottom * fy, 16));
            }
        }
    }
}

void sim_exec_vector(rtpu_sim *sim, const isa_insn *in)
{
    switch (in->opcode) {
    case OP_REQUANT: requant(sim, in->args); break;
    case OP_VADD:
    case OP_VSUB:
    case OP_VMUL: elementwise(sim, in->opcode, in->args); break;
    case OP_LUT: lookup(sim, in->args); break;
    case OP_MAXPOOL: maxpool(sim, in->args); break;
    case OP_RESIZE: resize(sim, in->args); break;
    default: break; /* cnop */
    }
}
