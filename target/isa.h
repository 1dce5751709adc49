/* The instruction set: opcodes, fields, and the 128-bit encoding.
 *
 * Every instruction is 16 bytes, little-endian: bits 0..7 opcode, bits 8..11 dependency
 * token flags, bits 12..127 the operand fields of that opcode (table in isa.c, described
 * in docs/isa.md). Bits no field uses must be zero. One table drives the encoder, the
 * decoder, the assembler and the disassembler, so they cannot drift apart. */
#ifndef RTPU_TARGET_ISA_H
#define RTPU_TARGET_ISA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

enum { ISA_INSN_BYTES = 16, ISA_MAX_FIELDS = 12 };

typedef enum isa_opcode {
    OP_HALT = 1,
    OP_LOAD_UB = 2,   /* DRAM -> unified buffer (int8 rows), 2-D with zero padding */
    OP_LOAD_WB = 3,   /* DRAM -> weight buffer (int8 rows) */
    OP_LOAD_ACC = 4,  /* DRAM -> accumulators (int32 rows): biases and requantise parameters */
    OP_LOAD_LUT = 5,  /* DRAM -> one 256-entry lookup table */
    OP_LNOP = 6,      /* load-queue no-op: carries tokens */
    OP_LDW = 7,       /* weight buffer tile -> the array's shadow weights */
    OP_MATMUL = 8,    /* unified buffer rows x weights -> accumulator rows */
    OP_REQUANT = 9,   /* accumulator rows -> unified buffer rows (int32 -> int8) */
    OP_VADD = 10,
    OP_VSUB = 11,
    OP_VMUL = 12,
    OP_LUT = 13,
    OP_MAXPOOL = 14,
    OP_RESIZE = 15,
    OP_CNOP = 16,     /* compute-queue no-op: carries tokens, waits for the compute units */
    OP_STORE = 17,    /* unified buffer -> DRAM, 2-D */
    OP_SNOP = 18,     /* store-queue no-op: carries tokens */
    OP_DWCONV = 19,   /* ISA v2: depthwise multiply-accumulate of one output line into ACC */
    OP_VSUM = 20,     /* ISA v2: per-column sum (or sum of squares) of UB rows into an ACC row */
    OP_COUNT
} isa_opcode;

typedef enum isa_queue { QUEUE_LOAD, QUEUE_COMPUTE, QUEUE_STORE, QUEUE_COUNT, QUEUE_NONE = QUEUE_COUNT } isa_queue;

/* The functional units, each of which runs one instruction at a time. */
typedef enum isa_unit { UNIT_LOAD, UNIT_WEIGHT, UNIT_MXU, UNIT_VECTOR, UNIT_STORE, UNIT_COUNT, UNIT_NONE = UNIT_COUNT } isa_unit;

/* Token flags (bits 8..11). "prev" and "next" are the neighbouring queues in the order
 * load -> compute -> store: a load instruction has only a next (compute), a store only a
 * prev (compute). pop = wait for and consume a token; push = send one when finished. */
enum { ISA_POP_PREV = 1, ISA_POP_NEXT = 2, ISA_PUSH_PREV = 4, ISA_PUSH_NEXT = 8 };

/* Operand indexes per instruction class, in table order (args[] of isa_insn). */
enum { LOAD_SRAM, LOAD_DRAM, LOAD_LINES, LOAD_ROWS, LOAD_ELEMS, LOAD_STRIDE, LOAD_PAD_TOP, LOAD_PAD_BOTTOM,
       LOAD_PAD_LEFT, LOAD_PAD_RIGHT };
enum { LUTLOAD_TABLE, LUTLOAD_DRAM };
enum { STORE_SRAM, STORE_DRAM, STORE_LINES, STORE_ROWS, STORE_ELEMS, STORE_STRIDE, STORE_SRAM_STRIDE };
enum { LDW_WB };
enum { MATMUL_ACC, MATMUL_UB, MATMUL_OUTER, MATMUL_OUTER_STRIDE, MATMUL_INNER, MATMUL_INNER_STRIDE, MATMUL_K,
       MATMUL_N, MATMUL_ACCUMULATE };
enum { REQUANT_ACC, REQUANT_UB, REQUANT_ROWS, REQUANT_PARAM };
enum { VEC_A, VEC_B, VEC_DST, VEC_ROWS, VEC_MUL_A, VEC_MUL_B, VEC_SHIFT };
enum { VMUL_A, VMUL_B, VMUL_DST, VMUL_ROWS, VMUL_MUL, VMUL_SHIFT };
enum { LUT_SRC, LUT_DST, LUT_ROWS, LUT_TABLE };
enum { POOL_SRC, POOL_DST, POOL_IN_H, POOL_IN_W, POOL_OUT_H, POOL_OUT_W, POOL_KERNEL_H, POOL_KERNEL_W, POOL_STRIDE,
       POOL_PAD_TOP, POOL_PAD_LEFT };
enum { RESIZE_SRC, RESIZE_DST, RESIZE_IN_H, RESIZE_IN_W, RESIZE_OUT_H, RESIZE_OUT_W };
enum { DW_ACC, DW_SRC, DW_WTS, DW_OUT_W, DW_STRIDE, DW_KH, DW_KW, DW_LINE_STRIDE, DW_ACCUMULATE };
enum { VSUM_ACC, VSUM_SRC, VSUM_ROWS, VSUM_STRIDE, VSUM_SQUARE, VSUM_ACCUMULATE };

/* One operand: `width` bits at bit `lsb`; value = raw + bias (counts store value - 1),
 * or the raw bits sign-extended when is_signed. */
typedef struct isa_field {
    const char *name;
    uint8_t lsb, width;
    bool is_signed;
    uint8_t bias;
} isa_field;

typedef struct isa_op {
    const char *mnemonic;
    isa_queue queue;
    isa_unit unit;
    int field_count;
    isa_field fields[ISA_MAX_FIELDS];
} isa_op;

/* A decoded instruction: opcode, token flags, operand values in table order. */
typedef struct isa_insn {
    uint8_t opcode;
    uint8_t tokens;
    int64_t args[ISA_MAX_FIELDS];
} isa_insn;

/* NULL for an opcode that does not exist. */
const isa_op *isa_op_info(int opcode);
/* Opcode for a mnemonic, or -1. */
int isa_opcode_by_name(const char *mnemonic);
int64_t isa_field_min(const isa_field *f);
int64_t isa_field_max(const isa_field *f);
/* Token flags this opcode's queue may use (0 for halt). */
uint8_t isa_allowed_tokens(int opcode);
/* Name of the queue a token flag talks to, seen from `queue`: "ld", "ex" or "st". */
const char *isa_token_peer(isa_queue queue, bool next);
const char *isa_queue_name(isa_queue queue);
const char *isa_unit_name(isa_unit unit);

/* Checks opcode, token flags and every operand range; pc names the instruction. */
rtpu_status isa_check(const isa_insn *insn, size_t pc, rtpu_error *err);
/* Encodes an instruction that passed isa_check. */
void isa_encode(const isa_insn *insn, uint8_t out[ISA_INSN_BYTES]);
/* Decodes and checks: unknown opcode, reserved bits, disallowed tokens are errors. */
rtpu_status isa_decode(const uint8_t in[ISA_INSN_BYTES], size_t pc, isa_insn *out, rtpu_error *err);

#endif
