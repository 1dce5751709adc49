/* Per-instruction timing formulas: how many cycles each instruction occupies its unit.
 * These are the formulas of docs/architecture.md, "Timing"; the scheduler (sim.c) adds
 * the waiting. Everything is integer; ceil(a / b) is (a + b - 1) / b. */
#include "target/timing.h"

static uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

uint64_t isa_insn_dram_read(const isa_insn *in)
{
    const int64_t *a = in->args;
    switch (in->opcode) {
    case OP_LOAD_UB:
    case OP_LOAD_WB: return (uint64_t)(a[LOAD_LINES] * a[LOAD_ROWS] * a[LOAD_ELEMS]);
    case OP_LOAD_ACC: return (uint64_t)(a[LOAD_LINES] * a[LOAD_ROWS] * a[LOAD_ELEMS]) * 4;
    case OP_LOAD_LUT: return 256;
    default: return 0;
    }
}

uint64_t isa_insn_dram_written(const isa_insn *in)
{
    const int64_t *a = in->args;
    return in->opcode == OP_STORE ? (uint64_t)(a[STORE_LINES] * a[STORE_ROWS] * a[STORE_ELEMS]) : 0;
}

uint64_t isa_insn_macs(const isa_insn *in)
{
    const int64_t *a = in->args;
    if (in->opcode != OP_MATMUL)
        return 0;
    return (uint64_t)(a[MATMUL_OUTER] * a[MATMUL_INNER]) * (uint64_t)(a[MATMUL_K] * a[MATMUL_N]);
}

/* Vector unit: the pipeline depth once, then elements / lanes. */
static uint64_t vector_cycles(const rtpu_config *c, uint64_t elements)
{
    return c->vector_pipeline_cycles + ceil_div(elements, c->vector_lanes);
}

uint64_t isa_insn_cycles(const rtpu_config *c, const isa_insn *in)
{
    const int64_t *a = in->args;
    uint64_t n = c->array_size;
    switch (in->opcode) {
    case OP_LOAD_UB:
    case OP_LOAD_WB:
    case OP_LOAD_ACC: {
        /* DRAM streams bytes at the configured bandwidth while the on-chip memory takes
         * one row per cycle (padding rows included); the slower side sets the pace. */
        uint64_t rows = (uint64_t)(a[LOAD_LINES] + a[LOAD_PAD_TOP] + a[LOAD_PAD_BOTTOM]) *
                        (uint64_t)(a[LOAD_ROWS] + a[LOAD_PAD_LEFT] + a[LOAD_PAD_RIGHT]);
        return c->dram_latency_cycles + max_u64(ceil_div(isa_insn_dram_read(in), c->dram_bytes_per_cycle), rows);
    }
    case OP_LOAD_LUT: return c->dram_latency_cycles + ceil_div(256, c->dram_bytes_per_cycle);
    case OP_STORE: {
        uint64_t rows = (uint64_t)(a[STORE_LINES] * a[STORE_ROWS]);
        return c->dram_latency_cycles + max_u64(ceil_div(isa_insn_dram_written(in), c->dram_bytes_per_cycle), rows);
    }
    case OP_LDW: return n; /* one weight row shifts in per cycle */
    case OP_MATMUL:
        /* One input row enters per cycle; N cycles to fill the skewed pipeline and N to
         * drain the last row out of the bottom of the array. */
        return (uint64_t)(a[MATMUL_OUTER] * a[MATMUL_INNER]) + 2 * n;
    case OP_REQUANT: return vector_cycles(c, (uint64_t)a[REQUANT_ROWS] * n);
    case OP_VADD:
    case OP_VSUB:
    case OP_VMUL: return vector_cycles(c, (uint64_t)a[VEC_ROWS] * n);
    case OP_LUT: return vector_cycles(c, (uint64_t)a[LUT_ROWS] * n);
    case OP_MAXPOOL:
        return vector_cycles(c, (uint64_t)(a[POOL_OUT_H] * a[POOL_OUT_W] * a[POOL_KERNEL_H] * a[POOL_KERNEL_W]) * n);
    case OP_RESIZE: return vector_cycles(c, (uint64_t)(a[RESIZE_OUT_H] * a[RESIZE_OUT_W]) * 4 * n);
    /* each lane does the kw taps of one tap line per element slot */
    case OP_DWCONV: return vector_cycles(c, (uint64_t)(a[DW_OUT_W] * a[DW_KH]) * n);
    case OP_VSUM: return vector_cycles(c, (uint64_t)a[VSUM_ROWS] * n);
    case OP_LNOP:
    case OP_CNOP:
    case OP_SNOP: return 1;
    default: return 0; /* halt occupies no unit */
    }
}
