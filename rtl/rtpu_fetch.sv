// Instruction fetch, decode and dispatch.
//
// Dispatch follows docs/architecture.md: one instruction per cycle in program order,
// into its queue (decoded from the opcode) if that queue holds fewer than queue_depth
// instructions that have not started (room_i, from the queues' registered counts). halt
// dispatches like any instruction, belongs to no queue, and stops the fetch.
// The word for pc is fetched one cycle ahead (during reset for pc 0), so instruction 0
// can dispatch in cycle 0.
module rtpu_fetch (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic [63:0]  ctx_i,
  input  logic [2:0]   room_i,
  output logic         dispatch_o,       // an instruction other than halt enters a queue
  output logic [1:0]   dispatch_queue_o,
  output logic [31:0]  pc_o,
  output rtpu_isa_pkg::insn_t word_o,
  output logic         halt_dispatch_o,  // halt dispatches this cycle
  output logic         halted_o          // halt dispatched in an earlier cycle
);
  import rtpu_isa_pkg::*;

  import "DPI-C" function void rtpu_dpi_fetch(input longint unsigned ctx, input int unsigned pc,
                                              output bit [127:0] word);

  logic [31:0] pc_q;
  insn_t       word_q;
  logic        halted_q;
  logic [1:0]  queue;

  assign queue            = queue_of(opcode(word_q));
  assign halt_dispatch_o  = !halted_q && opcode(word_q) == OP_HALT;
  assign dispatch_o       = !halted_q && queue != 2'd3 && room_i[queue];
  assign dispatch_queue_o = queue;
  assign pc_o             = pc_q;
  assign word_o           = word_q;
  assign halted_o         = halted_q;

  // Synchronous reset: the harness holds reset over a clock edge, which primes pc 0.
  always_ff @(posedge clk_i) begin
    logic [127:0] fetched;
    if (!rst_ni) begin
      pc_q <= '0;
      halted_q <= 1'b0;
      rtpu_dpi_fetch(ctx_i, 32'd0, fetched);
      word_q <= fetched;
    end else if (dispatch_o) begin
      pc_q <= pc_q + 32'd1;
      rtpu_dpi_fetch(ctx_i, pc_q + 32'd1, fetched);
      word_q <= fetched;
    end else if (halt_dispatch_o) begin
      halted_q <= 1'b1;
    end
  end
endmodule
