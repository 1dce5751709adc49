/* Data effects of the vector unit: the instruction's operands walk the memories; every
 * value is computed by target/intmath.h, the one definition of the arithmetic that the
 * RTL, the quantiser and the int8 CPU mirror share (docs/isa.md gives the same). */
#include "sim/sim_internal.h"
#include "target/intmath.h"

/* One row. The accumulators and the unified buffer are different arrays, so the
 * pointers are restrict (an int8 store must not be assumed to alias the int32 reads). */
static void requant_row(const int32_t *restrict src, const int32_t *restrict bias, const int32_t *restrict mult,
                        const int32_t *restrict shift, int8_t *restrict dst, uint64_t n)
{
    for (uint64_t c = 0; c < n; c++)
        dst[c] = im_requant(src[c], bias[c], mult[c], shift[c]);
}

typedef struct requant_job {
    rtpu_sim *sim;
    const int64_t *a;
} requant_job;

static void requant_range(void *job, uint64_t begin, uint64_t end)
{
    const requant_job *j = job;
    rtpu_sim *sim = j->sim;
    uint64_t n = sim->n;
    const int32_t *bias = sim->acc + (uint64_t)j->a[REQUANT_PARAM] * n;
    for (uint64_t r = begin; r < end; r++) {
        const int32_t *src = sim->acc + ((uint64_t)j->a[REQUANT_ACC] + r) * n;
        int8_t *dst = sim->ub + ((uint64_t)j->a[REQUANT_UB] + r) * n;
        if (sim->requant_avx512)
            sim_requant_avx512_row(src, bias, bias + n, bias + 2 * n, dst, n);
        else
            requant_row(src, bias, bias + n, bias + 2 * n, dst, n);
    }
}

/* Rows are independent (each writes its own UB row from its own ACC row), so large
 * requants run on two threads. */
static void requant(rtpu_sim *sim, const int64_t *a)
{
    requant_job job = {sim, a};
    uint64_t rows = (uint64_t)a[REQUANT_ROWS];
    sim_parallel_rows(rows, rows * sim->n * 8, requant_range, &job);
}

static void elementwise(rtpu_sim *sim, int opcode, const int64_t *a)
{
    uint64_t n = sim->n, count = (uint64_t)a[VEC_ROWS] * n;
    const int8_t *x = sim->ub + (uint64_t)a[VEC_A] * n, *y = sim->ub + (uint64_t)a[VEC_B] * n;
    int8_t *dst = sim->ub + (uint64_t)a[VEC_DST] * n;
    /* Each element is read before it is written, so dst may equal a or b. */
    for (uint64_t i = 0; i < count; i++)
        dst[i] = opcode == OP_VMUL   ? im_vmul(x[i], y[i], a[VMUL_MUL], a[VMUL_SHIFT])
                 : opcode == OP_VADD ? im_vadd(x[i], y[i], a[VEC_MUL_A], a[VEC_MUL_B], a[VEC_SHIFT])
                                     : im_vsub(x[i], y[i], a[VEC_MUL_A], a[VEC_MUL_B], a[VEC_SHIFT]);
}

static void lookup(rtpu_sim *sim, const int64_t *a)
{
    uint64_t count = (uint64_t)a[LUT_ROWS] * sim->n;
    const int8_t *table = sim->lut + 256 * a[LUT_TABLE];
    const int8_t *src = sim->ub + (uint64_t)a[LUT_SRC] * sim->n;
    int8_t *dst = sim->ub + (uint64_t)a[LUT_DST] * sim->n;
    for (uint64_t i = 0; i < count; i++)
        dst[i] = im_lut(table, src[i]);
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

/* Bilinear, align_corners = true: im_resize_coord per axis, im_resize_blend per value. */
static void resize(rtpu_sim *sim, const int64_t *a)
{
    uint64_t n = sim->n;
    int64_t in_h = a[RESIZE_IN_H], in_w = a[RESIZE_IN_W];
    for (int64_t oy = 0; oy < a[RESIZE_OUT_H]; oy++) {
        int64_t y0, y1, fy;
        im_resize_coord(oy, in_h, a[RESIZE_OUT_H], &y0, &y1, &fy);
        for (int64_t ox = 0; ox < a[RESIZE_OUT_W]; ox++) {
            int64_t x0, x1, fx;
            im_resize_coord(ox, in_w, a[RESIZE_OUT_W], &x0, &x1, &fx);
            const int8_t *src = sim->ub + (uint64_t)a[RESIZE_SRC] * n;
            const int8_t *p00 = src + (uint64_t)(y0 * in_w + x0) * n, *p01 = src + (uint64_t)(y0 * in_w + x1) * n;
            const int8_t *p10 = src + (uint64_t)(y1 * in_w + x0) * n, *p11 = src + (uint64_t)(y1 * in_w + x1) * n;
            int8_t *dst = sim->ub + ((uint64_t)a[RESIZE_DST] + (uint64_t)(oy * a[RESIZE_OUT_W] + ox)) * n;
            for (uint64_t c = 0; c < n; c++)
                dst[c] = im_resize_blend(p00[c], p01[c], p10[c], p11[c], fx, fy);
        }
    }
}

/* Depthwise, one output line: every tap's int8 x int8 product summed in int32 with wrap
 * (docs/isa.md); summing in a different order than the RTL gives the same bits. */
static void dwconv(rtpu_sim *sim, const int64_t *a)
{
    uint64_t n = sim->n;
    for (int64_t ox = 0; ox < a[DW_OUT_W]; ox++) {
        int32_t *dst = sim->acc + ((uint64_t)a[DW_ACC] + (uint64_t)ox) * n;
        for (uint64_t c = 0; c < n; c++) {
            int32_t sum = a[DW_ACCUMULATE] ? dst[c] : 0;
            for (int64_t dy = 0; dy < a[DW_KH]; dy++)
                for (int64_t dx = 0; dx < a[DW_KW]; dx++) {
                    uint64_t in = (uint64_t)(a[DW_SRC] + dy * a[DW_LINE_STRIDE] + ox * a[DW_STRIDE] + dx);
                    uint64_t w = (uint64_t)(a[DW_WTS] + dy * a[DW_KW] + dx);
                    sum = im_wrap_add32(sum, (int64_t)sim->ub[in * n + c] * sim->ub[w * n + c]);
                }
            dst[c] = sum;
        }
    }
}

static void vsum(rtpu_sim *sim, const int64_t *a)
{
    uint64_t n = sim->n;
    int32_t *dst = sim->acc + (uint64_t)a[VSUM_ACC] * n;
    for (uint64_t c = 0; c < n; c++) {
        int32_t sum = a[VSUM_ACCUMULATE] ? dst[c] : 0;
        for (int64_t r = 0; r < a[VSUM_ROWS]; r++)
            sum = im_wrap_add32(sum, im_vsum_term(sim->ub[(uint64_t)(a[VSUM_SRC] + r * a[VSUM_STRIDE]) * n + c],
                                                  a[VSUM_SQUARE] != 0));
        dst[c] = sum;
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
    case OP_DWCONV: dwconv(sim, in->args); break;
    case OP_VSUM: vsum(sim, in->args); break;
    default: break; /* cnop */
    }
}
