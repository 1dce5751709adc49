// Matrix unit controller: executes `matmul` (unit "mxu") on rtpu_systolic_array.
//
// A matmul of R = outer * inner rows occupies the unit for exactly R + 2N cycles
// (docs/architecture.md, "Timing"). With tau = cycle - start:
//   tau = 0          if an ldw ran since the previous matmul, the shadow tile becomes
//                    the active one (the swap lands at the edge ending this cycle);
//   tau = 1 .. R     input row r = tau - 1 is read from unified-buffer row
//                    ub + i * outer_stride + j * inner_stride (r = i * inner + j) and
//                    enters the array; input channels q >= k are masked to zero;
//   tau = r + N + 1 + c   the sum for row r leaves the bottom of column c and is written
//                    to accumulator row acc + r, column c (added to the old value when
//                    accumulate = 1); columns c >= n are not written.
// The last write (r = R - 1, c = N - 1) is at tau = R + 2N - 1, the unit's last cycle.
module rtpu_mxu #(
  parameter int N = 8
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 start_i,
  input  rtpu_isa_pkg::insn_t  insn_i,
  input  logic                 ldw_start_i,     // an ldw starts: the shadow tile is fresh
  // unified buffer input rows
  output logic [19:0]          ub_addr_o,
  input  logic [8*N-1:0]       ub_data_i,
  // systolic array
  output logic [8*N-1:0]       array_row_o,
  output logic                 array_swap_o,
  input  logic [32*N-1:0]      array_psum_i,
  // accumulator banks, one address per column
  output logic [N-1:0]         acc_we_o,
  output logic [20*N-1:0]      acc_addr_o,
  output logic [32*N-1:0]      acc_wdata_o,
  input  logic [32*N-1:0]      acc_rdata_i,
  output logic                 busy_o,
  output logic                 end_o,
  output logic [1:0]           push_o,
  output logic [63:0]          macs_o
);
  import rtpu_isa_pkg::*;

  logic        busy_q, end_q, fresh_q, accumulate_q;
  logic [1:0]  push_q;
  logic [31:0] tau_q, total_q, rows_q, feed_left_q;
  logic [19:0] acc_base_q, row_addr_q, line_addr_q;
  logic [15:0] outer_stride_q, inner_stride_q;
  logic [12:0] inner_q, col_j_q;
  logic [8:0]  k_q, n_q;
  logic [63:0] macs_q;
  logic        last;

  // ---- input rows ----
  assign ub_addr_o = row_addr_q;
  always_comb begin
    array_row_o = '0;
    if (busy_q && feed_left_q != 0)
      for (int q = 0; q < N; q++)
        if (q < int'(k_q)) array_row_o[8*q +: 8] = ub_data_i[8*q +: 8];
  end
  assign array_swap_o = start_i && fresh_q;

  // ---- results leaving the array: column c carries row tau - (N + 1) - c ----
  always_comb begin
    for (int c = 0; c < N; c++) begin
      logic [31:0] r;
      r = tau_q - 32'(N + 1 + c);
      acc_we_o[c] = busy_q && tau_q >= 32'(N + 1 + c) && r < rows_q && c < int'(n_q);
      acc_addr_o[20*c +: 20] = acc_base_q + r[19:0];
      acc_wdata_o[32*c +: 32] = (accumulate_q ? acc_rdata_i[32*c +: 32] : 32'd0) + array_psum_i[32*c +: 32];
    end
  end

  assign last = busy_q && tau_q == total_q - 32'd1;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      end_q <= 1'b0;
      push_q <= 2'b00;
      tau_q <= '0;
      total_q <= '0;
      rows_q <= '0;
      feed_left_q <= '0;
      acc_base_q <= '0;
      row_addr_q <= '0;
      line_addr_q <= '0;
      outer_stride_q <= '0;
      inner_stride_q <= '0;
      inner_q <= '0;
      col_j_q <= '0;
      k_q <= '0;
      n_q <= '0;
      accumulate_q <= 1'b0;
      macs_q <= '0;
    end else begin
      end_q <= last;
      if (start_i) begin
        logic [31:0] rows;
        rows = 32'(f_mm_outer(insn_i)) * 32'(f_mm_inner(insn_i));
        busy_q <= 1'b1;
        push_q <= {insn_i[TOK_PUSH_NEXT], insn_i[TOK_PUSH_PREV]};
        tau_q <= 32'd1;
        rows_q <= rows;
        total_q <= rows + 32'(2 * N);
        feed_left_q <= rows;
        acc_base_q <= f_mm_acc(insn_i);
        row_addr_q <= f_mm_ub(insn_i);
        line_addr_q <= f_mm_ub(insn_i);
        outer_stride_q <= f_mm_outer_stride(insn_i);
        inner_stride_q <= f_mm_inner_stride(insn_i);
        inner_q <= f_mm_inner(insn_i);
        col_j_q <= 13'd0;
        k_q <= f_mm_k(insn_i);
        n_q <= f_mm_n(insn_i);
        accumulate_q <= f_mm_accumulate(insn_i);
        macs_q <= macs_q + 64'(rows) * 64'(f_mm_k(insn_i)) * 64'(f_mm_n(insn_i));
      end else if (busy_q) begin
        tau_q <= tau_q + 32'd1;
        if (last) busy_q <= 1'b0;
        // Walk the input rows: inner index j fastest, then the next outer line.
        if (feed_left_q != 0) begin
          feed_left_q <= feed_left_q - 32'd1;
          if (col_j_q + 13'd1 < inner_q) begin
            col_j_q <= col_j_q + 13'd1;
            row_addr_q <= row_addr_q + 20'(inner_stride_q);
          end else begin
            col_j_q <= 13'd0;
            line_addr_q <= line_addr_q + 20'(outer_stride_q);
            row_addr_q <= line_addr_q + 20'(outer_stride_q);
          end
        end
      end
    end
  end

  // The shadow tile is fresh from an ldw's start until the next matmul swaps it in. It
  // survives reset like the weights themselves (the simulator keeps both across runs).
  always_ff @(posedge clk_i) begin
    if (ldw_start_i) fresh_q <= 1'b1;
    else if (start_i) fresh_q <= 1'b0;
  end

  assign busy_o = busy_q;
  assign end_o  = end_q;
  assign push_o = push_q;
  assign macs_o = macs_q;
endmodule
