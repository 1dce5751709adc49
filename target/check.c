/* Static checks of a program against its config, run by the loader and the assembler
 * before anything executes. Every address an instruction can touch is known from its
 * fields (no indirect addressing), so every bound is checked here, once, and the
 * simulator's inner loops need no checks. */
#include "target/program.h"

#include <inttypes.h>
#include <string.h>

/* End (exclusive) of the DRAM bytes a DMA instruction touches, 0 for other instructions. */
static uint64_t dram_end(const isa_insn *in)
{
    const int64_t *a = in->args;
    switch (in->opcode) {
    case OP_LOAD_UB:
    case OP_LOAD_WB:
    case OP_LOAD_ACC: {
        uint64_t esize = in->opcode == OP_LOAD_ACC ? 4 : 1;
        return (uint64_t)a[LOAD_DRAM] +
               ((uint64_t)(a[LOAD_LINES] - 1) * a[LOAD_STRIDE] + (uint64_t)a[LOAD_ROWS] * a[LOAD_ELEMS]) * esize;
    }
    case OP_LOAD_LUT: return (uint64_t)a[LUTLOAD_DRAM] + 256;
    case OP_STORE:
        return (uint64_t)a[STORE_DRAM] +
               (uint64_t)(a[STORE_LINES] - 1) * a[STORE_STRIDE] + (uint64_t)a[STORE_ROWS] * a[STORE_ELEMS];
    default: return 0;
    }
}

/* "pc 7: matmul reads unified buffer rows 10..5000, beyond the 4096 rows of 'small-16'" */
static rtpu_status check_rows(const rtpu_program *p, size_t pc, const char *what, uint64_t first,
                              uint64_t count, uint64_t limit, rtpu_error *err)
{
    if (first + count <= limit)
        return RTPU_OK;
    return rtpu_fail(err, RTPU_ERR_INVALID, "pc %zu: %s %s rows %" PRIu64 "..%" PRIu64 ", beyond the %" PRIu64 " rows of '%s'",
                     pc, isa_op_info(p->insns[pc].opcode)->mnemonic, what, first, first + count - 1, limit,
                     p->config.name);
}

#define ROWS(what, first, count, limit)                                                          \
    do {                                                                                          \
        rtpu_status st_ = check_rows(p, pc, what, (uint64_t)(first), (uint64_t)(count), limit, err); \
        if (st_)                                                                                  \
            return st_;                                                                           \
    } while (0)

/* A vector instruction streams rows through a pipeline: it may write in place (dst equal
 * to a source) but not to a range that partly overlaps a source, and maxpool and resize,
 * which read a window of rows, not onto their source at all. */
static rtpu_status check_overlap(size_t pc, const char *mn, uint64_t src, uint64_t src_rows, uint64_t dst,
                                 uint64_t dst_rows, bool allow_equal, rtpu_error *err)
{
    bool disjoint = src + src_rows <= dst || dst + dst_rows <= src;
    if (disjoint || (allow_equal && src == dst && src_rows == dst_rows))
        return RTPU_OK;
    return rtpu_fail(err, RTPU_ERR_INVALID, "pc %zu: %s writes rows %" PRIu64 "..%" PRIu64 " that overlap its source rows %" PRIu64
                     "..%" PRIu64 " %s", pc, mn, dst, dst + dst_rows - 1, src, src + src_rows - 1,
                     allow_equal ? "without being the same rows" : "(it must not write in place)");
}

#define OVERLAP(src, src_rows, dst, dst_rows, allow_equal)                                                       \
    do {                                                                                                        \
        rtpu_status st_ = check_overlap(pc, mn, (uint64_t)(src), (uint64_t)(src_rows), (uint64_t)(dst),          \
                                        (uint64_t)(dst_rows), allow_equal, err);                                \
        if (st_)                                                                                                \
            return st_;                                                                                         \
    } while (0)

static rtpu_status check_window(size_t pc, const char *axis, int64_t in, int64_t out,
                                int64_t kernel, int64_t stride, int64_t pad, rtpu_error *err)
{
    /* Every pooling window must overlap the input: the first starts at -pad, the last at
     * (out - 1) * stride - pad. */
    if (pad >= kernel || (out - 1) * stride - pad > in - 1)
        return rtpu_fail(err, RTPU_ERR_INVALID,
                         "pc %zu: maxpool %s: %" PRId64 " outputs of kernel %" PRId64 " stride %" PRId64 " pad %" PRId64
                         " leave a window outside the %" PRId64 " inputs",
                         pc, axis, out, kernel, stride, pad, in);
    return RTPU_OK;
}

rtpu_status program_check_insn(const rtpu_program *p, size_t pc, rtpu_error *err)
{
    const isa_insn *in = &p->insns[pc];
    rtpu_status st = isa_check(in, pc, err);
    if (st)
        return st;
    const rtpu_config *c = &p->config;
    const int64_t *a = in->args;
    uint64_t n = c->array_size, ub = config_ub_rows(c), acc = config_acc_rows(c), wb = config_wb_rows(c);
    const char *mn = isa_op_info(in->opcode)->mnemonic;
    if (in->opcode == OP_HALT && pc + 1 != p->insn_count)
        return rtpu_fail(err, RTPU_ERR_INVALID, "pc %zu: halt before the end of the program (%zu instructions)", pc,
                         p->insn_count);
    switch (in->opcode) {
    case OP_LOAD_UB:
    case OP_LOAD_WB:
    case OP_LOAD_ACC: {
        if ((uint64_t)a[LOAD_ELEMS] > n)
            return rtpu_fail(err, RTPU_ERR_INVALID, "pc %zu: %s elems = %" PRId64 " exceeds the row of %" PRIu64, pc, mn,
                             a[LOAD_ELEMS], n);
        uint64_t lines = a[LOAD_LINES] + a[LOAD_PAD_TOP] + a[LOAD_PAD_BOTTOM];
        uint64_t rows = a[LOAD_ROWS] + a[LOAD_PAD_LEFT] + a[LOAD_PAD_RIGHT];
        uint64_t limit = in->opcode == OP_LOAD_UB ? ub : in->opcode == OP_LOAD_WB ? wb : acc;
        const char *what = in->opcode == OP_LOAD_UB ? "writes unified buffer"
                           : in->opcode == OP_LOAD_WB ? "writes weight buffer" : "writes accumulator";
        ROWS(what, a[LOAD_SRAM], lines * rows, limit);
        break;
    }
    case OP_LOAD_LUT:
        if ((uint64_t)a[LUTLOAD_TABLE] >= c->lut_tables)
            return rtpu_fail(err, RTPU_ERR_INVALID, "pc %zu: load.lut table %" PRId64 " does not exist ('%s' has %u)", pc,
                             a[LUTLOAD_TABLE], c->name, c->lut_tables);
        break;
    case OP_STORE:
        if ((uint64_t)a[STORE_ELEMS] > n)
            return rtpu_fail(err, RTPU_ERR_INVALID, "pc %zu: store elems = %" PRId64 " exceeds the row of %" PRIu64, pc,
                             a[STORE_ELEMS], n);
        ROWS("reads unified buffer", a[STORE_SRAM], (uint64_t)(a[STORE_LINES] - 1) * a[STORE_SRAM_STRIDE] + a[STORE_ROWS],
             ub);
        break;
    case OP_LDW: ROWS("reads weight buffer", a[LDW_WB], n, wb); break;
    case OP_MATMUL:
        if ((uint64_t)a[MATMUL_K] > n || (uint64_t)a[MATMUL_N] > n)
            return rtpu_fail(err, RTPU_ERR_INVALID, "pc %zu: matmul k = %" PRId64 ", n = %" PRId64 " exceed the %" PRIu64
                             "x%" PRIu64 " array", pc, a[MATMUL_K], a[MATMUL_N], n, n);
        ROWS("writes accumulator", a[MATMUL_ACC], a[MATMUL_OUTER] * a[MATMUL_INNER], acc);
        ROWS("reads unified buffer", a[MATMUL_UB],
             (a[MATMUL_OUTER] - 1) * a[MATMUL_OUTER_STRIDE] + (a[MATMUL_INNER] - 1) * a[MATMUL_INNER_STRIDE] + 1, ub);
        break;
    case OP_REQUANT:
        ROWS("reads accumulator", a[REQUANT_ACC], a[REQUANT_ROWS], acc);
        ROWS("reads parameter", a[REQUANT_PARAM], 3, acc);
        ROWS("writes unified buffer", a[REQUANT_UB], a[REQUANT_ROWS], ub);
        break;
    case OP_VADD:
    case OP_VSUB:
    case OP_VMUL:
        ROWS("reads unified buffer", a[VEC_A], a[VEC_ROWS], ub);
        ROWS("reads unified buffer", a[VEC_B], a[VEC_ROWS], ub);
        ROWS("writes unified buffer", a[VEC_DST], a[VEC_ROWS], ub);
        OVERLAP(a[VEC_A], a[VEC_ROWS], a[VEC_DST], a[VEC_ROWS], true);
        OVERLAP(a[VEC_B], a[VEC_ROWS], a[VEC_DST], a[VEC_ROWS], true);
        break;
    case OP_LUT:
        if ((uint64_t)a[LUT_TABLE] >= c->lut_tables)
            return rtpu_fail(err, RTPU_ERR_INVALID, "pc %zu: lut table %" PRId64 " does not exist ('%s' has %u)", pc,
                             a[LUT_TABLE], c->name, c->lut_tables);
        ROWS("reads unified buffer", a[LUT_SRC], a[LUT_ROWS], ub);
        ROWS("writes unified buffer", a[LUT_DST], a[LUT_ROWS], ub);
        OVERLAP(a[LUT_SRC], a[LUT_ROWS], a[LUT_DST], a[LUT_ROWS], true);
        break;
    case OP_MAXPOOL:
        if ((st = check_window(pc, "height", a[POOL_IN_H], a[POOL_OUT_H], a[POOL_KERNEL_H], a[POOL_STRIDE],
                               a[POOL_PAD_TOP], err)))
            return st;
        if ((st = check_window(pc, "width", a[POOL_IN_W], a[POOL_OUT_W], a[POOL_KERNEL_W], a[POOL_STRIDE],
                               a[POOL_PAD_LEFT], err)))
            return st;
        ROWS("reads unified buffer", a[POOL_SRC], a[POOL_IN_H] * a[POOL_IN_W], ub);
        ROWS("writes unified buffer", a[POOL_DST], a[POOL_OUT_H] * a[POOL_OUT_W], ub);
        OVERLAP(a[POOL_SRC], a[POOL_IN_H] * a[POOL_IN_W], a[POOL_DST], a[POOL_OUT_H] * a[POOL_OUT_W], false);
        break;
    case OP_RESIZE:
        ROWS("reads unified buffer", a[RESIZE_SRC], a[RESIZE_IN_H] * a[RESIZE_IN_W], ub);
        ROWS("writes unified buffer", a[RESIZE_DST], a[RESIZE_OUT_H] * a[RESIZE_OUT_W], ub);
        OVERLAP(a[RESIZE_SRC], a[RESIZE_IN_H] * a[RESIZE_IN_W], a[RESIZE_DST], a[RESIZE_OUT_H] * a[RESIZE_OUT_W], false);
        break;
    case OP_DWCONV:
        /* the input window's last row: the last tap line's last tap of the last output */
        ROWS("reads unified buffer", a[DW_SRC],
             (uint64_t)(a[DW_KH] - 1) * a[DW_LINE_STRIDE] + (uint64_t)(a[DW_OUT_W] - 1) * a[DW_STRIDE] + a[DW_KW], ub);
        ROWS("reads weights from unified buffer", a[DW_WTS], (uint64_t)a[DW_KH] * a[DW_KW], ub);
        ROWS("writes accumulator", a[DW_ACC], a[DW_OUT_W], acc);
        break;
    case OP_VSUM:
        ROWS("reads unified buffer", a[VSUM_SRC], (uint64_t)(a[VSUM_ROWS] - 1) * a[VSUM_STRIDE] + 1, ub);
        ROWS("writes accumulator", a[VSUM_ACC], 1, acc);
        break;
    default: break;
    }
    uint64_t end = dram_end(in);
    if (end > p->dram_size)
        return rtpu_fail(err, RTPU_ERR_INVALID, "pc %zu: %s touches DRAM up to byte %" PRIu64 ", beyond the program's %" PRIu64
                         " bytes of DRAM", pc, mn, end, p->dram_size);
    return RTPU_OK;
}

static rtpu_status check_tensor(const rtpu_program *p, size_t i, rtpu_error *err)
{
    const program_tensor *t = &p->tensors[i];
    if (!program_name_valid(t->name) || !program_name_valid(t->node))
        return rtpu_fail(err, RTPU_ERR_INVALID, "tensor %zu: name and node must be 1..%d characters of [A-Za-z0-9_.:/-]", i,
                         PROGRAM_NAME_MAX - 1);
    if (t->dtype != TENSOR_INT8 && t->dtype != TENSOR_INT32)
        return rtpu_fail(err, RTPU_ERR_INVALID, "tensor '%s': dtype %d is neither int8 (0) nor int32 (1)", t->name, t->dtype);
    if (t->role != TENSOR_INPUT && t->role != TENSOR_OUTPUT && t->role != TENSOR_OTHER)
        return rtpu_fail(err, RTPU_ERR_INVALID, "tensor '%s': role %d is not input, output or other", t->name, t->role);
    for (int d = 0; d < 4; d++)
        if (t->shape[d] == 0 || t->shape[d] > 1u << 20)
            return rtpu_fail(err, RTPU_ERR_INVALID, "tensor '%s': dimension %d = %u is outside [1, %u]", t->name, d,
                             t->shape[d], 1u << 20);
    if (t->block == 0 || t->block > t->shape[3])
        return rtpu_fail(err, RTPU_ERR_INVALID, "tensor '%s': block %u must be in [1, channels = %u]", t->name, t->block,
                         t->shape[3]);
    if (!(t->scale > 0.0f) || t->scale > 1e30f)
        return rtpu_fail(err, RTPU_ERR_INVALID, "tensor '%s': scale %g must be positive and finite", t->name,
                         (double)t->scale);
    for (size_t j = 0; j < i; j++)
        if (!strcmp(p->tensors[j].name, t->name))
            return rtpu_fail(err, RTPU_ERR_INVALID, "tensor '%s' is defined twice", t->name);
    uint64_t bytes = program_tensor_bytes(t);
    if (bytes > p->dram_size || t->dram > p->dram_size - bytes)
        return rtpu_fail(err, RTPU_ERR_INVALID, "tensor '%s' ends at DRAM byte %" PRIu64 ", beyond the program's %" PRIu64
                         " bytes", t->name, t->dram + bytes, p->dram_size);
    return RTPU_OK;
}

rtpu_status program_check(const rtpu_program *p, rtpu_error *err)
{
    rtpu_status st = config_validate(&p->config, "program config", err);
    if (st)
        return st;
    if (p->dram_size > p->config.dram_bytes)
        return rtpu_fail(err, RTPU_ERR_INVALID, "program uses %" PRIu64 " bytes of DRAM, more than the %" PRIu64 " of '%s'",
                         p->dram_size, p->config.dram_bytes, p->config.name);
    if (p->insn_count == 0 || p->insns[p->insn_count - 1].opcode != OP_HALT)
        return rtpu_fail(err, RTPU_ERR_INVALID, "pc %zu: the program must end with halt", p->insn_count);
    for (size_t pc = 0; pc < p->insn_count; pc++)
        if ((st = program_check_insn(p, pc, err)))
            return st;
    for (size_t i = 0; i < p->segment_count; i++)
        if (p->segments[i].size > p->dram_size || p->segments[i].dram > p->dram_size - p->segments[i].size)
            return rtpu_fail(err, RTPU_ERR_INVALID, "segment %zu ends at DRAM byte %" PRIu64 ", beyond the program's %" PRIu64
                             " bytes", i, p->segments[i].dram + p->segments[i].size, p->dram_size);
    for (size_t i = 0; i < p->tensor_count; i++)
        if ((st = check_tensor(p, i, err)))
            return st;
    return RTPU_OK;
}

static uint64_t saturating_add(uint64_t a, uint64_t b) { return a + b < a ? UINT64_MAX : a + b; }

void program_compute_dram_size(rtpu_program *p)
{
    uint64_t size = 0;
    for (size_t pc = 0; pc < p->insn_count; pc++) {
        uint64_t end = dram_end(&p->insns[pc]);
        size = end > size ? end : size;
    }
    for (size_t i = 0; i < p->segment_count; i++)
        if (saturating_add(p->segments[i].dram, p->segments[i].size) > size)
            size = saturating_add(p->segments[i].dram, p->segments[i].size);
    for (size_t i = 0; i < p->tensor_count; i++)
        if (saturating_add(p->tensors[i].dram, program_tensor_bytes(&p->tensors[i])) > size)
            size = saturating_add(p->tensors[i].dram, program_tensor_bytes(&p->tensors[i]));
    p->dram_size = size;
}

rtpu_status program_finish(rtpu_program *p, rtpu_error *err)
{
    program_compute_dram_size(p);
    return program_check(p, err);
}
