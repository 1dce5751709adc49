// Processing element of the weight-stationary systolic array.
//
// Each PE holds two int8 weights: the active one it multiplies with and a shadow one that
// `ldw` fills while a matmul may still be running (double buffering). A matmul's first
// cycle swaps the shadow in. Every cycle the PE passes its activation one PE to the right
// and its partial sum one PE down, adding activation * active weight on the way:
//   act_o  <= act_i
//   psum_o <= psum_i + act_i * w_active   (int32, two's-complement wrap-around)
module rtpu_pe (
  input  logic        clk_i,
  input  logic        shadow_we_i,
  input  logic [7:0]  shadow_w_i,
  input  logic        swap_i,
  input  logic [7:0]  act_i,
  input  logic [31:0] psum_i,
  output logic [7:0]  act_o,
  output logic [31:0] psum_o
);
  logic [7:0] w_active_q, w_shadow_q;
  logic signed [15:0] product;

  assign product = $signed(act_i) * $signed(w_active_q);

  // Datapath registers need no reset: a matmul only uses results of its own rows.
  always_ff @(posedge clk_i) begin
    if (shadow_we_i) w_shadow_q <= shadow_w_i;
    if (swap_i) w_active_q <= w_shadow_q;
    act_o  <= act_i;
    psum_o <= psum_i + {{16{product[15]}}, product};
  end
endmodule
