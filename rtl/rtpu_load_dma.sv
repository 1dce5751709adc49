// Load DMA engine (unit "load"): load.ub, load.wb, load.acc, load.lut and lnop.
//
// Timing (docs/architecture.md): the DRAM read channel answers `lat` cycles after the
// instruction starts and then delivers `bw` bytes per cycle; on-chip memories take one
// row per cycle. Two writers work side by side once data flows:
//   - the zero walker visits every row of the padded destination block, one per cycle,
//     and writes zeros where the row is padding;
//   - the data writer writes the next data row as soon as the channel has delivered all
//     its bytes (elems values of 1 or 4 bytes, the rest of the row zero).
// The walker needs (pad_top + lines + pad_bottom) * (pad_left + rows + pad_right)
// cycles and the data writer max(data rows, ceil(bytes / bw)), so the instruction takes
// exactly lat + max(ceil(bytes / bw), padded rows) cycles, the documented formula,
// without a divider. load.lut moves its 256 bytes as chunks of 4N bytes into one table
// (exact when bw <= 4N). lnop takes one cycle.
//
// DRAM bytes come from the harness (rtpu_dpi_dram_read, combinational): the data row
// written in cycle t is read from DRAM in cycle t.
module rtpu_load_dma #(
  parameter int N = 8
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic [63:0]          ctx_i,
  input  logic [31:0]          dram_epoch_i,
  input  logic                 start_i,
  input  rtpu_isa_pkg::insn_t  insn_i,
  input  logic [31:0]          cfg_latency_i,
  input  logic [31:0]          cfg_bytes_per_cycle_i,
  // row writes: data rows and zero rows, steered by opcode
  output logic                 ub_we_o,
  output logic                 wb_we_o,
  output logic                 acc_we_o,
  output logic [19:0]          data_addr_o,
  output logic [32*N-1:0]      data_o,
  output logic                 ub_zero_we_o,
  output logic                 wb_zero_we_o,
  output logic                 acc_zero_we_o,
  output logic [19:0]          zero_addr_o,
  output logic                 lut_we_o,
  output logic [7:0]           lut_table_o,
  output logic [7:0]           lut_chunk_o,
  output logic                 busy_o,
  output logic                 end_o,
  output logic [1:0]           push_o,
  output logic [63:0]          bytes_read_o
);
  import rtpu_isa_pkg::*;

  import "DPI-C" function void rtpu_dpi_dram_read(input longint unsigned ctx, input int unsigned addr,
                                                  input int unsigned bytes, input int unsigned epoch,
                                                  output bit [32*N-1:0] data);

  localparam int CHUNK = 4 * N;  // load.lut bytes per cycle

  // ---- registered state ----
  logic        busy_q, end_q;
  logic [1:0]  push_q;
  insn_t       insn_q;
  logic [31:0] lat_left_q;
  logic [39:0] credit_q;                   // bytes delivered so far (saturates at total)
  logic [31:0] zpos_q;                     // zero walker: position in the padded block
  logic [15:0] zy_q, zx_q;
  logic [31:0] dcount_q;                   // data writer: rows written
  logic [15:0] dx_q;
  logic [19:0] daddr_q;
  logic [39:0] dram_q, dram_line_q, need_q;
  logic [63:0] bytes_read_q;

  // ---- this cycle's state (fresh from the instruction in its start cycle) ----
  insn_t       w;
  logic [7:0]  op;
  logic        active, streaming, last, is_lut;
  logic [31:0] lat_left, zpos, dcount, data_rows, block_rows;
  logic [15:0] zy, zx, dx, width, lines, rows, pt, pl, height, line_gap;
  logic [19:0] daddr;
  logic [39:0] credit, credit_now, dram, dram_line, need, row_bytes, total_bytes, elem_bytes;
  logic        zero_write, data_write;
  logic [31:0] zpos_next, dcount_next;

  assign active = start_i || busy_q;
  assign w      = start_i ? insn_i : insn_q;
  assign op     = opcode(w);
  assign is_lut = op == OP_LOAD_LUT;

  // Geometry of the padded block and the data rows.
  always_comb begin
    pt = 16'(f_pad_top(w));
    pl = 16'(f_pad_left(w));
    lines = 16'(f_lines(w));
    rows = 16'(f_rows(w));
    width = pl + rows + 16'(f_pad_right(w));
    height = pt + lines + 16'(f_pad_bottom(w));
    line_gap = width - rows;  // from the last data row of a line to the first of the next, minus 1
    elem_bytes = op == OP_LOAD_ACC ? 40'(f_elems(w)) * 40'd4 : 40'(f_elems(w));
    if (is_lut) begin
      block_rows = 32'd0;
      data_rows = 32'(256 / CHUNK);
      row_bytes = 40'(CHUNK);
    end else begin
      block_rows = 32'(height) * 32'(width);
      data_rows = 32'(lines) * 32'(rows);
      row_bytes = elem_bytes;
    end
    total_bytes = 40'(data_rows) * row_bytes;
  end

  assign lat_left  = start_i ? cfg_latency_i : lat_left_q;
  assign credit    = start_i ? '0 : credit_q;
  assign zpos      = start_i ? '0 : zpos_q;
  assign zy        = start_i ? '0 : zy_q;
  assign zx        = start_i ? '0 : zx_q;
  assign dcount    = start_i ? '0 : dcount_q;
  assign dx        = start_i ? '0 : dx_q;
  assign daddr     = start_i ? f_sram(insn_i) + 20'(32'(pt) * 32'(width) + 32'(pl)) : daddr_q;
  assign dram      = start_i ? 40'(f_dram(insn_i)) : dram_q;
  assign dram_line = start_i ? 40'(f_dram(insn_i)) : dram_line_q;
  assign need      = start_i ? row_bytes : need_q;

  assign streaming  = active && op != OP_LNOP && lat_left == 0;
  assign credit_now = credit + 40'(cfg_bytes_per_cycle_i) > total_bytes ? total_bytes
                                                                         : credit + 40'(cfg_bytes_per_cycle_i);
  assign zero_write = streaming && zpos < block_rows &&
                      (zy < pt || zy >= pt + lines || zx < pl || zx >= pl + rows);
  assign data_write = streaming && dcount < data_rows && need <= credit_now;
  assign zpos_next   = streaming && zpos < block_rows ? zpos + 32'd1 : zpos;
  assign dcount_next = data_write ? dcount + 32'd1 : dcount;
  assign last = active && (op == OP_LNOP || (streaming && zpos_next == block_rows && dcount_next == data_rows));

  // ---- row writes ----
  logic [32*N-1:0] dram_row;
  always_comb rtpu_dpi_dram_read(ctx_i, dram[31:0], row_bytes[31:0], dram_epoch_i, dram_row);

  assign data_o       = dram_row;
  assign data_addr_o  = daddr;
  assign ub_we_o      = data_write && op == OP_LOAD_UB;
  assign wb_we_o      = data_write && op == OP_LOAD_WB;
  assign acc_we_o     = data_write && op == OP_LOAD_ACC;
  assign zero_addr_o  = f_sram(w) + zpos[19:0];
  assign ub_zero_we_o  = zero_write && op == OP_LOAD_UB;
  assign wb_zero_we_o  = zero_write && op == OP_LOAD_WB;
  assign acc_zero_we_o = zero_write && op == OP_LOAD_ACC;
  assign lut_we_o     = data_write && is_lut;
  assign lut_table_o  = f_table(w);
  assign lut_chunk_o  = dcount[7:0];

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      end_q <= 1'b0;
      push_q <= 2'b00;
      insn_q <= '0;
      lat_left_q <= '0;
      credit_q <= '0;
      zpos_q <= '0;
      zy_q <= '0;
      zx_q <= '0;
      dcount_q <= '0;
      dx_q <= '0;
      daddr_q <= '0;
      dram_q <= '0;
      dram_line_q <= '0;
      need_q <= '0;
      bytes_read_q <= '0;
    end else begin
      end_q <= last;
      if (start_i) begin
        insn_q <= insn_i;
        push_q <= {insn_i[TOK_PUSH_NEXT], insn_i[TOK_PUSH_PREV]};
        if (opcode(insn_i) != OP_LNOP) bytes_read_q <= bytes_read_q + 64'(total_bytes);
      end
      if (active) begin
        busy_q <= !last;
        lat_left_q <= streaming ? lat_left : lat_left - 32'd1;
        credit_q <= streaming ? credit_now : credit;
        // zero walker: row after row of the padded block
        zpos_q <= zpos_next;
        if (streaming && zpos < block_rows) begin
          if (zx + 16'd1 == width) begin
            zx_q <= '0;
            zy_q <= zy + 16'd1;
          end else begin
            zx_q <= zx + 16'd1;
            zy_q <= zy;
          end
        end else begin
          zx_q <= zx;
          zy_q <= zy;
        end
        // data writer: the next data row, its on-chip row and its DRAM address
        dcount_q <= dcount_next;
        dx_q <= dx;
        daddr_q <= daddr;
        dram_q <= dram;
        dram_line_q <= dram_line;
        need_q <= need;
        if (data_write) begin
          need_q <= need + row_bytes;
          if (is_lut || dx + 16'd1 < rows) begin
            dx_q <= dx + 16'd1;
            daddr_q <= daddr + 20'd1;
            dram_q <= dram + row_bytes;
          end else begin
            dx_q <= '0;
            daddr_q <= daddr + 20'd1 + 20'(line_gap);
            dram_q <= dram_line + 40'(f_stride(w)) * (op == OP_LOAD_ACC ? 40'd4 : 40'd1);
            dram_line_q <= dram_line + 40'(f_stride(w)) * (op == OP_LOAD_ACC ? 40'd4 : 40'd1);
          end
        end
      end
    end
  end

  assign busy_o = busy_q;
  assign end_o  = end_q;
  assign push_o = push_q;
  assign bytes_read_o = bytes_read_q;
endmodule
