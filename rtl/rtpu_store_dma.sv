// Store DMA engine (unit "store"): store and snop.
//
// Timing (docs/architecture.md): after `lat` cycles the engine reads one unified-buffer
// row per cycle and hands its first `elems` bytes to the DRAM write channel, which
// accepts `bw` bytes per cycle (bytes handed over in a cycle can leave in that cycle).
// The instruction ends in the cycle the channel has taken the last byte: exactly
// lat + max(ceil(bytes / bw), lines * rows) cycles, without a divider. snop takes one.
//
// The bytes go to the harness's DRAM (rtpu_dpi_dram_write) at the edge ending the cycle
// their row is read; every write bumps the DRAM epoch so the load engine's combinational
// DRAM read sees the new contents.
module rtpu_store_dma #(
  parameter int N = 8
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic [63:0]          ctx_i,
  input  logic                 start_i,
  input  rtpu_isa_pkg::insn_t  insn_i,
  input  logic [31:0]          cfg_latency_i,
  input  logic [31:0]          cfg_bytes_per_cycle_i,
  output logic [19:0]          ub_addr_o,
  input  logic [8*N-1:0]       ub_data_i,
  output logic [31:0]          dram_epoch_o,
  output logic                 busy_o,
  output logic                 end_o,
  output logic [1:0]           push_o,
  output logic [63:0]          bytes_written_o
);
  import rtpu_isa_pkg::*;

  import "DPI-C" function void rtpu_dpi_dram_write(input longint unsigned ctx, input int unsigned addr,
                                                   input int unsigned bytes, input bit [8*N-1:0] data);

  logic        busy_q, end_q;
  logic [1:0]  push_q;
  insn_t       insn_q;
  logic [31:0] lat_left_q, rows_done_q, epoch_q;
  logic [39:0] pushed_q, drained_q;
  logic [15:0] x_q;
  logic [19:0] row_q, line_row_q;
  logic [39:0] dram_q, dram_line_q;
  logic [63:0] bytes_written_q;

  insn_t       w;
  logic        active, streaming, row_read, last;
  logic [31:0] lat_left, rows_done, total_rows;
  logic [39:0] pushed, drained, pushed_now, drained_now, row_bytes, total_bytes;
  logic [15:0] x;
  logic [19:0] row, line_row;
  logic [39:0] dram, dram_line;

  assign active = start_i || busy_q;
  assign w      = start_i ? insn_i : insn_q;

  assign row_bytes   = 40'(f_elems(w));
  assign total_rows  = 32'(f_lines(w)) * 32'(f_rows(w));
  assign total_bytes = 40'(total_rows) * row_bytes;

  assign lat_left  = start_i ? cfg_latency_i : lat_left_q;
  assign rows_done = start_i ? '0 : rows_done_q;
  assign pushed    = start_i ? '0 : pushed_q;
  assign drained   = start_i ? '0 : drained_q;
  assign x         = start_i ? '0 : x_q;
  assign row       = start_i ? f_sram(insn_i) : row_q;
  assign line_row  = start_i ? f_sram(insn_i) : line_row_q;
  assign dram      = start_i ? 40'(f_dram(insn_i)) : dram_q;
  assign dram_line = start_i ? 40'(f_dram(insn_i)) : dram_line_q;

  assign streaming   = active && opcode(w) == OP_STORE && lat_left == 0;
  assign row_read    = streaming && rows_done < total_rows;
  assign pushed_now  = row_read ? pushed + row_bytes : pushed;
  assign drained_now = drained + 40'(cfg_bytes_per_cycle_i) > pushed_now ? pushed_now
                                                                         : drained + 40'(cfg_bytes_per_cycle_i);
  assign last = active && (opcode(w) == OP_SNOP || (streaming && drained_now == total_bytes));

  assign ub_addr_o = row;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      end_q <= 1'b0;
      push_q <= 2'b00;
      insn_q <= '0;
      lat_left_q <= '0;
      rows_done_q <= '0;
      epoch_q <= '0;
      pushed_q <= '0;
      drained_q <= '0;
      x_q <= '0;
      row_q <= '0;
      line_row_q <= '0;
      dram_q <= '0;
      dram_line_q <= '0;
      bytes_written_q <= '0;
    end else begin
      end_q <= last;
      if (start_i) begin
        insn_q <= insn_i;
        push_q <= {insn_i[TOK_PUSH_NEXT], insn_i[TOK_PUSH_PREV]};
        if (opcode(insn_i) == OP_STORE) bytes_written_q <= bytes_written_q + 64'(total_bytes);
      end
      if (active) begin
        busy_q <= !last;
        lat_left_q <= streaming ? lat_left : lat_left - 32'd1;
        pushed_q <= pushed_now;
        drained_q <= streaming ? drained_now : drained;
        rows_done_q <= row_read ? rows_done + 32'd1 : rows_done;
        x_q <= x;
        row_q <= row;
        line_row_q <= line_row;
        dram_q <= dram;
        dram_line_q <= dram_line;
        if (row_read) begin
          rtpu_dpi_dram_write(ctx_i, dram[31:0], row_bytes[31:0], ub_data_i);
          epoch_q <= epoch_q + 32'd1;
          // next row: x fastest; a new line moves by sram_stride rows and stride bytes
          if (x + 16'd1 < 16'(f_rows(w))) begin
            x_q <= x + 16'd1;
            row_q <= row + 20'd1;
            dram_q <= dram + row_bytes;
          end else begin
            x_q <= '0;
            row_q <= line_row + 20'(f_sram_stride(w));
            line_row_q <= line_row + 20'(f_sram_stride(w));
            dram_q <= dram_line + 40'(f_stride(w));
            dram_line_q <= dram_line + 40'(f_stride(w));
          end
        end
      end
    end
  end

  assign dram_epoch_o = epoch_q;
  assign busy_o = busy_q;
  assign end_o  = end_q;
  assign push_o = push_q;
  assign bytes_written_o = bytes_written_q;
endmodule
