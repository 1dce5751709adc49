// Weight path: executes `ldw` (unit "weight").
//
// ldw occupies the unit for exactly N cycles: in cycle k of the instruction it reads
// weight-buffer row wb + k and writes it into the shadow weights of PE row k. The last
// row lands at the edge ending cycle N - 1, so a matmul starting when the unit is free
// sees the whole tile. ldw may run while a matmul computes: it only touches the shadow
// weights (the MXU swaps them in at the next matmul's start).
module rtpu_weight_loader #(
  parameter int N = 8
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 start_i,
  input  rtpu_isa_pkg::insn_t  insn_i,
  output logic [19:0]          wb_addr_o,
  output logic [N-1:0]         shadow_row_we_o,
  output logic                 busy_o,
  output logic                 end_o,
  output logic [1:0]           push_o      // {push next, push prev} of the ending instruction
);
  import rtpu_isa_pkg::*;

  localparam int KW = $clog2(N);

  logic          busy_q, end_q;
  logic [1:0]    push_q;
  logic [KW-1:0] row_q, row;
  logic [19:0]   base_q, base;
  logic          active, last;

  // In the start cycle the unit already works on row 0 of the new instruction.
  assign active = start_i || busy_q;
  assign row    = start_i ? '0 : row_q;
  assign base   = start_i ? f_wb(insn_i) : base_q;
  assign last   = active && row == KW'(N - 1);

  assign wb_addr_o = base + 20'(row);
  always_comb begin
    shadow_row_we_o = '0;
    if (active) shadow_row_we_o[row] = 1'b1;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      end_q  <= 1'b0;
      push_q <= 2'b00;
      row_q  <= '0;
      base_q <= '0;
    end else begin
      if (start_i) push_q <= {insn_i[TOK_PUSH_NEXT], insn_i[TOK_PUSH_PREV]};
      base_q <= base;
      row_q  <= row + KW'(1);
      busy_q <= active && !last;
      end_q  <= last;
    end
  end

  assign busy_o = busy_q;
  assign end_o  = end_q;
  assign push_o = push_q;
endmodule
