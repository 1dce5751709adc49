// Per-unit cycle counters (docs/architecture.md, "Stats"), in the order of isa_unit:
//   busy:  cycles the unit runs an instruction (its start cycle included)
//   stall: cycles the unit is free and the head of its queue is an instruction for it,
//          but the instruction does not start (tokens, hazards)
//   instructions: instructions started
// Idle is the rest of the total and is derived by the harness.
module rtpu_stats (
  input  logic            clk_i,
  input  logic            rst_ni,
  input  logic [4:0]      unit_busy_i,
  input  logic [4:0]      unit_start_i,
  input  logic [4:0]      waiting_i,
  output logic [64*5-1:0] busy_o,
  output logic [64*5-1:0] stall_o,
  output logic [64*5-1:0] instructions_o
);
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_o <= '0;
      stall_o <= '0;
      instructions_o <= '0;
    end else begin
      for (int u = 0; u < 5; u++) begin
        if (unit_busy_i[u] || unit_start_i[u]) busy_o[64*u +: 64] <= busy_o[64*u +: 64] + 64'd1;
        if (!unit_busy_i[u] && waiting_i[u] && !unit_start_i[u]) stall_o[64*u +: 64] <= stall_o[64*u +: 64] + 64'd1;
        if (unit_start_i[u]) instructions_o[64*u +: 64] <= instructions_o[64*u +: 64] + 64'd1;
      end
    end
  end
endmodule
