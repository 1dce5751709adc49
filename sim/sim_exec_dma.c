/* Data effects of the DMA instructions: DRAM <-> on-chip rows.
 *
 * load.ub / load.wb / load.acc write a padded 2-D block of rows: the destination has
 * (pad_top + lines + pad_bottom) lines of (pad_left + rows + pad_right) rows, written
 * line after line from `sram`; padding rows are zero; each data row takes `elems` values
 * from DRAM and the rest of the row (up to N) is zero. In DRAM, value e of row x of line
 * y is at dram + (y * stride + x * elems + e) * element size (1, or 4 for load.acc,
 * little-endian). store is the inverse without padding: UB row sram + y * sram_stride + x
 * gives its first elems bytes to DRAM at dram + y * stride + x * elems. */
#include "sim/sim_internal.h"

#include <string.h>

static void load_rows(rtpu_sim *sim, const isa_insn *in)
{
    const int64_t *a = in->args;
    uint64_t n = sim->n;
    uint64_t elems = (uint64_t)a[LOAD_ELEMS], stride = (uint64_t)a[LOAD_STRIDE];
    uint64_t pt = (uint64_t)a[LOAD_PAD_TOP], pl = (uint64_t)a[LOAD_PAD_LEFT];
    uint64_t lines = pt + (uint64_t)a[LOAD_LINES] + (uint64_t)a[LOAD_PAD_BOTTOM];
    uint64_t width = pl + (uint64_t)a[LOAD_ROWS] + (uint64_t)a[LOAD_PAD_RIGHT];
    bool is_acc = in->opcode == OP_LOAD_ACC;
    for (uint64_t y = 0; y < lines; y++) {
        for (uint64_t x = 0; x < width; x++) {
            uint64_t row = (uint64_t)a[LOAD_SRAM] + y * width + x;
            bool pad = y < pt || y >= pt + (uint64_t)a[LOAD_LINES] || x < pl || x >= pl + (uint64_t)a[LOAD_ROWS];
            uint64_t src = (uint64_t)a[LOAD_DRAM] + ((y - pt) * stride + (x - pl) * elems) * (is_acc ? 4 : 1);
            if (is_acc) {
                int32_t *dst = sim->acc + row * n;
                memset(dst, 0, n * sizeof *dst);
                if (!pad)
                    for (uint64_t e = 0; e < elems; e++) {
                        const uint8_t *b = sim->dram + src + 4 * e;
                        dst[e] = (int32_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                                           (uint32_t)b[3] << 24);
                    }
            } else {
                int8_t *dst = (in->opcode == OP_LOAD_UB ? sim->ub : sim->wb) + row * n;
                memset(dst, 0, n);
                if (!pad)
                    memcpy(dst, sim->dram + src, elems);
            }
        }
    }
}

static void store_rows(rtpu_sim *sim, const isa_insn *in)
{
    const int64_t *a = in->args;
    uint64_t elems = (uint64_t)a[STORE_ELEMS];
    for (uint64_t y = 0; y < (uint64_t)a[STORE_LINES]; y++)
        for (uint64_t x = 0; x < (uint64_t)a[STORE_ROWS]; x++) {
            uint64_t row = (uint64_t)a[STORE_SRAM] + y * (uint64_t)a[STORE_SRAM_STRIDE] + x;
            uint64_t dst = (uint64_t)a[STORE_DRAM] + y * (uint64_t)a[STORE_STRIDE] + x * elems;
            memcpy(sim->dram + dst, sim->ub + row * sim->n, elems);
        }
}

void sim_exec_dma(rtpu_sim *sim, const isa_insn *in)
{
    switch (in->opcode) {
    case OP_LOAD_UB:
    case OP_LOAD_WB:
    case OP_LOAD_ACC: load_rows(sim, in); break;
    case OP_LOAD_LUT: memcpy(sim->lut + 256 * in->args[LUTLOAD_TABLE], sim->dram + in->args[LUTLOAD_DRAM], 256); break;
    case OP_STORE: store_rows(sim, in); break;
    default: break; /* lnop, snop: tokens only */
    }
}
