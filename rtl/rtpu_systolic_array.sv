// N x N weight-stationary systolic array: PE (k, c) holds the weight from input channel k
// to output channel c.
//
// An input row x (N int8, one per input channel) enters unskewed on row_i; element k is
// delayed k cycles so that it meets the partial sum of the same row coming down column
// c at PE (k, c) in cycle t + k + c. The sum for output channel c therefore leaves the
// bottom of column c (psum_o) N + c cycles after the row entered. The MXU controller
// (rtpu_mxu) knows that schedule and writes each column's result to its accumulator
// bank as it appears, so no deskew buffer is needed.
//
// Weights: shadow_row_we_i[k] loads shadow weights of PE row k from shadow_row_i (one
// row per cycle during ldw); swap_i makes every shadow weight active at once.
module rtpu_systolic_array #(
  parameter int N = 8
) (
  input  logic              clk_i,
  input  logic [8*N-1:0]    row_i,
  input  logic [N-1:0]      shadow_row_we_i,
  input  logic [8*N-1:0]    shadow_row_i,
  input  logic              swap_i,
  output logic [32*N-1:0]   psum_o
);
  // act[k][c] is the activation entering PE (k, c); psum[k][c] the partial sum entering it.
  logic [7:0]  act  [N][N+1];
  logic [31:0] psum [N+1][N];

  for (genvar k = 0; k < N; k++) begin : g_skew
    // Element k waits k cycles in a shift register before entering row k.
    if (k == 0) begin : g_direct
      assign act[0][0] = row_i[7:0];
    end else begin : g_delay
      logic [7:0] delay_q [k];
      always_ff @(posedge clk_i) begin
        delay_q[0] <= row_i[8*k +: 8];
        for (int d = 1; d < k; d++) delay_q[d] <= delay_q[d-1];
      end
      assign act[k][0] = delay_q[k-1];
    end
  end

  for (genvar c = 0; c < N; c++) begin : g_top
    assign psum[0][c] = 32'd0;
    assign psum_o[32*c +: 32] = psum[N][c];
  end

  for (genvar k = 0; k < N; k++) begin : g_row
    for (genvar c = 0; c < N; c++) begin : g_col
      rtpu_pe u_pe (
        .clk_i       (clk_i),
        .shadow_we_i (shadow_row_we_i[k]),
        .shadow_w_i  (shadow_row_i[8*c +: 8]),
        .swap_i      (swap_i),
        .act_i       (act[k][c]),
        .psum_i      (psum[k][c]),
        .act_o       (act[k][c+1]),
        .psum_o      (psum[k+1][c])
      );
    end
  end

  // The activation leaving the rightmost PE of each row goes nowhere.
  logic unused_act;
  always_comb begin
    unused_act = 1'b0;
    for (int k = 0; k < N; k++) unused_act = unused_act ^ (^act[k][N]);
  end
endmodule
