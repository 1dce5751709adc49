/* The instruction table and the 128-bit encoding (see isa.h and docs/isa.md).
 *
 * Field positions are absolute bit numbers in the 16-byte little-endian word. Row
 * addresses are 20 bits, DRAM byte addresses 32 bits; counts store value - 1 (bias 1)
 * so that every encodable count is at least one. */
#include "target/isa.h"

#include <inttypes.h>
#include <string.h>

#define F(n, l, w) {n, l, w, false, 0}
#define C(n, l, w) {n, l, w, false, 1}
#define S(n, l, w) {n, l, w, true, 0}

/* The three DMA loads that fill row memories share one layout. */
#define LOAD_FIELDS                                                                                    \
    10, {F("sram", 12, 20), F("dram", 32, 32), C("lines", 64, 10), C("rows", 74, 10), C("elems", 84, 8), \
         F("stride", 92, 20), F("pad_top", 112, 4), F("pad_bottom", 116, 4), F("pad_left", 120, 4),       \
         F("pad_right", 124, 4)}
#define VEC2_FIELDS                                                                                   \
    7, {F("a", 12, 20), F("b", 32, 20), F("dst", 52, 20), C("rows", 72, 16), S("mul_a", 88, 16),          \
        S("mul_b", 104, 16), F("shift", 120, 5)}

static const isa_op ops[OP_COUNT] = {
    [OP_HALT] = {"halt", QUEUE_NONE, UNIT_NONE, 0, {{0}}},
    [OP_LOAD_UB] = {"load.ub", QUEUE_LOAD, UNIT_LOAD, LOAD_FIELDS},
    [OP_LOAD_WB] = {"load.wb", QUEUE_LOAD, UNIT_LOAD, LOAD_FIELDS},
    [OP_LOAD_ACC] = {"load.acc", QUEUE_LOAD, UNIT_LOAD, LOAD_FIELDS},
    [OP_LOAD_LUT] = {"load.lut", QUEUE_LOAD, UNIT_LOAD, 2, {F("table", 12, 8), F("dram", 32, 32)}},
    [OP_LNOP] = {"lnop", QUEUE_LOAD, UNIT_LOAD, 0, {{0}}},
    [OP_LDW] = {"ldw", QUEUE_COMPUTE, UNIT_WEIGHT, 1, {F("wb", 12, 20)}},
    [OP_MATMUL] = {"matmul", QUEUE_COMPUTE, UNIT_MXU, 9,
                   {F("acc", 12, 20), F("ub", 32, 20), C("outer", 52, 12), F("outer_stride", 64, 16),
                    C("inner", 80, 12), F("inner_stride", 92, 16), C("k", 108, 8), C("n", 116, 8),
                    F("accumulate", 124, 1)}},
    [OP_REQUANT] = {"requant", QUEUE_COMPUTE, UNIT_VECTOR, 4,
                    {F("acc", 12, 20), F("ub", 32, 20), C("rows", 52, 16), F("param", 68, 20)}},
    [OP_VADD] = {"vadd", QUEUE_COMPUTE, UNIT_VECTOR, VEC2_FIELDS},
    [OP_VSUB] = {"vsub", QUEUE_COMPUTE, UNIT_VECTOR, VEC2_FIELDS},
    [OP_VMUL] = {"vmul", QUEUE_COMPUTE, UNIT_VECTOR, 6,
                 {F("a", 12, 20), F("b", 32, 20), F("dst", 52, 20), C("rows", 72, 16), S("mul", 88, 16),
                  F("shift", 104, 5)}},
    [OP_LUT] = {"lut", QUEUE_COMPUTE, UNIT_VECTOR, 4,
                {F("src", 12, 20), F("dst", 32, 20), C("rows", 52, 16), F("table", 68, 8)}},
    [OP_MAXPOOL] = {"maxpool", QUEUE_COMPUTE, UNIT_VECTOR, 11,
                    {F("src", 12, 20), F("dst", 32, 20), C("in_h", 52, 10), C("in_w", 62, 10), C("out_h", 72, 10),
                     C("out_w", 82, 10), C("kernel_h", 92, 4), C("kernel_w", 96, 4), C("stride", 100, 4),
                     F("pad_top", 104, 4), F("pad_left", 108, 4)}},
    [OP_RESIZE] = {"resize", QUEUE_COMPUTE, UNIT_VECTOR, 6,
                   {F("src", 12, 20), F("dst", 32, 20), C("in_h", 52, 10), C("in_w", 62, 10), C("out_h", 72, 10),
                    C("out_w", 82, 10)}},
    [OP_CNOP] = {"cnop", QUEUE_COMPUTE, UNIT_VECTOR, 0, {{0}}},
    [OP_STORE] = {"store", QUEUE_STORE, UNIT_STORE, 7,
                  {F("sram", 12, 20), F("dram", 32, 32), C("lines", 64, 10), C("rows", 74, 10), C("elems", 84, 8),
                   F("stride", 92, 20), F("sram_stride", 112, 16)}},
    [OP_SNOP] = {"snop", QUEUE_STORE, UNIT_STORE, 0, {{0}}},
    [OP_DWCONV] = {"dwconv", QUEUE_COMPUTE, UNIT_VECTOR, 9,
                   {F("acc", 12, 20), F("src", 32, 20), F("wts", 52, 20), C("out_w", 72, 10), C("stride", 82, 4),
                    C("kh", 86, 4), C("kw", 90, 4), F("line_stride", 94, 16), F("accumulate", 110, 1)}},
    [OP_VSUM] = {"vsum", QUEUE_COMPUTE, UNIT_VECTOR, 6,
                 {F("acc", 12, 20), F("src", 32, 20), C("rows", 52, 16), F("stride", 68, 16), F("square", 84, 1),
                  F("accumulate", 85, 1)}},
};

const isa_op *isa_op_info(int opcode)
{
    if (opcode <= 0 || opcode >= OP_COUNT || !ops[opcode].mnemonic)
        return NULL;
    return &ops[opcode];
}

int isa_opcode_by_name(const char *mnemonic)
{
    for (int op = 1; op < OP_COUNT; op++)
        if (ops[op].mnemonic && !strcmp(ops[op].mnemonic, mnemonic))
            return op;
    return -1;
}

int64_t isa_field_min(const isa_field *f)
{
    return f->is_signed ? -(INT64_C(1) << (f->width - 1)) : f->bias;
}

int64_t isa_field_max(const isa_field *f)
{
    return f->is_signed ? (INT64_C(1) << (f->width - 1)) - 1 : (INT64_C(1) << f->width) - 1 + f->bias;
}

uint8_t isa_allowed_tokens(int opcode)
{
    const isa_op *op = isa_op_info(opcode);
    if (!op)
        return 0;
    switch (op->queue) {
    case QUEUE_LOAD: return ISA_POP_NEXT | ISA_PUSH_NEXT;
    case QUEUE_COMPUTE: return ISA_POP_PREV | ISA_POP_NEXT | ISA_PUSH_PREV | ISA_PUSH_NEXT;
    case QUEUE_STORE: return ISA_POP_PREV | ISA_PUSH_PREV;
    default: return 0;
    }
}

const char *isa_queue_name(isa_queue queue)
{
    static const char *names[] = {"ld", "ex", "st"};
    return queue < QUEUE_COUNT ? names[queue] : "none";
}

const char *isa_token_peer(isa_queue queue, bool next)
{
    if (queue >= QUEUE_COUNT || (next ? queue == QUEUE_STORE : queue == QUEUE_LOAD))
        return "none";
    return isa_queue_name(next ? queue + 1 : queue - 1);
}

const char *isa_unit_name(isa_unit unit)
{
    static const char *names[] = {"load", "weight", "mxu", "vector", "store"};
    return unit < UNIT_COUNT ? names[unit] : "none";
}

rtpu_status isa_check(const isa_insn *insn, size_t pc, rtpu_error *err)
{
    const isa_op *op = isa_op_info(insn->opcode);
    if (!op)
        return rtpu_fail(err, RTPU_ERR_INVALID, "pc %zu: unknown opcode %u", pc, insn->opcode);
    uint8_t bad = insn->tokens & (uint8_t)~isa_allowed_tokens(insn->opcode);
    if (bad)
        return rtpu_fail(err, RTPU_ERR_INVALID, "pc %zu: %s cannot use token flags 0x%x (its queue has no such neighbour)",
                         pc, op->mnemonic, bad);
    for (int i = 0; i < op->field_count; i++) {
        const isa_field *f = &op->fields[i];
        if (insn->args[i] < isa_field_min(f) || insn->args[i] > isa_field_max(f))
            return rtpu_fail(err, RTPU_ERR_INVALID, "pc %zu: %s %s = %" PRId64 " is outside [%" PRId64 ", %" PRId64 "]", pc,
                             op->mnemonic, f->name, insn->args[i], isa_field_min(f), isa_field_max(f));
    }
    return RTPU_OK;
}

/* Bit access on the 16-byte word, little-endian, fields may cross byte boundaries. */
static uint64_t get_bits(const uint8_t *w, unsigned lsb, unsigned width)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < width; i++)
        v |= (uint64_t)((w[(lsb + i) / 8] >> ((lsb + i) % 8)) & 1) << i;
    return v;
}

static void set_bits(uint8_t *w, unsigned lsb, unsigned width, uint64_t v)
{
    for (unsigned i = 0; i < width; i++)
        if ((v >> i) & 1)
            w[(lsb + i) / 8] |= (uint8_t)(1u << ((lsb + i) % 8));
}

void isa_encode(const isa_insn *insn, uint8_t out[ISA_INSN_BYTES])
{
    memset(out, 0, ISA_INSN_BYTES);
    const isa_op *op = isa_op_info(insn->opcode);
    out[0] = insn->opcode;
    out[1] = insn->tokens & 0x0f;
    if (!op)
        return;
    for (int i = 0; i < op->field_count; i++) {
        const isa_field *f = &op->fields[i];
        uint64_t raw = (uint64_t)(insn->args[i] - f->bias);
        if (f->width < 64)
            raw &= (UINT64_C(1) << f->width) - 1;
        set_bits(out, f->lsb, f->width, raw);
    }
}

rtpu_status isa_decode(const uint8_t in[ISA_INSN_BYTES], size_t pc, isa_insn *out, rtpu_error *err)
{
    memset(out, 0, sizeof *out);
    const isa_op *op = isa_op_info(in[0]);
    if (!op)
        return rtpu_fail(err, RTPU_ERR_FORMAT, "pc %zu: unknown opcode %u", pc, in[0]);
    out->opcode = in[0];
    out->tokens = in[1] & 0x0f;
    /* Every bit outside the opcode's fields must be zero, so each program has one encoding. */
    uint8_t used[ISA_INSN_BYTES] = {0xff, 0x0f};
    for (int i = 0; i < op->field_count; i++) {
        const isa_field *f = &op->fields[i];
        set_bits(used, f->lsb, f->width, ~UINT64_C(0) >> (64 - f->width));
        uint64_t raw = get_bits(in, f->lsb, f->width);
        if (f->is_signed && (raw >> (f->width - 1)) & 1)
            out->args[i] = (int64_t)raw - (INT64_C(1) << f->width);
        else
            out->args[i] = (int64_t)raw + f->bias;
    }
    for (int b = 0; b < ISA_INSN_BYTES; b++)
        if (in[b] & (uint8_t)~used[b])
            return rtpu_fail(err, RTPU_ERR_FORMAT, "pc %zu: %s has reserved bits set in byte %d", pc, op->mnemonic, b);
    return isa_check(out, pc, err);
}
