// Dependency token counters (as in VTA): 0 ld->ex, 1 ex->st, 2 ex->ld, 3 st->ex, the
// numbering of sim/sim.c.
//
// An instruction with push=PEER adds a token when it ends; its unit raises its end pulse
// in cycle e (the first cycle after its last busy cycle), and the token counts as
// available from that cycle on: available = counter + pushes ending now. One with
// pop=PEER needs an available token to start and consumes it in its start cycle.
// Several compute units can push the same counter in one cycle, hence the 2-bit counts.
module rtpu_tokens (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [7:0]  push_count_i,   // 2 bits per counter
  input  logic [3:0]  pop_i,
  output logic [3:0]  available_o
);
  logic [31:0] count_q [4];

  always_comb begin
    for (int k = 0; k < 4; k++) available_o[k] = count_q[k] + 32'(push_count_i[2*k +: 2]) != 0;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      for (int k = 0; k < 4; k++) count_q[k] <= '0;
    end else begin
      for (int k = 0; k < 4; k++) count_q[k] <= count_q[k] + 32'(push_count_i[2*k +: 2]) - 32'(pop_i[k]);
    end
  end
endmodule
