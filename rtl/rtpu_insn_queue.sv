// One instruction queue (load, compute or store): a FIFO of dispatched instructions that
// have not started, issuing in order.
//
// The head is the oldest waiting instruction or, when the queue is empty, the one being
// dispatched this cycle (an instruction may start in its dispatch cycle). When the head
// starts it leaves; the next one becomes the head in the following cycle, so a queue
// starts at most one instruction per cycle. count_o (registered) is what dispatch checks
// against queue_depth.
//
// Two assumptions the queue does not check itself: CAPACITY is a power of two (the
// read/write pointers are $clog2(CAPACITY) bits and wrap at 2^bits), and nobody pushes
// into a full queue without starting its head in the same cycle (there is no full flag;
// rtpu_fetch stops dispatch at queue_depth, and rtl_check_config keeps queue_depth <=
// CAPACITY).
module rtpu_insn_queue #(
  parameter int CAPACITY = 16
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 push_i,
  input  logic [31:0]          push_pc_i,
  input  rtpu_isa_pkg::insn_t  push_word_i,
  input  logic                 start_i,     // the head starts this cycle
  output logic                 head_valid_o,
  output logic [31:0]          head_pc_o,
  output rtpu_isa_pkg::insn_t  head_word_o,
  output logic [31:0]          count_o
);
  import rtpu_isa_pkg::*;

  localparam int AW = $clog2(CAPACITY);

  logic [31:0]   pc_mem   [CAPACITY];
  insn_t         word_mem [CAPACITY];
  logic [AW-1:0] read_q, write_q;
  logic [31:0]   count_q;
  logic          empty, bypass_start, write, read;

  assign empty        = count_q == 0;
  assign head_valid_o = !empty || push_i;
  assign head_pc_o    = empty ? push_pc_i : pc_mem[read_q];
  assign head_word_o  = empty ? push_word_i : word_mem[read_q];
  assign bypass_start = empty && start_i;
  assign write        = push_i && !bypass_start;
  assign read         = start_i && !empty;
  assign count_o      = count_q;

  always_ff @(posedge clk_i) begin
    if (write) begin
      pc_mem[write_q] <= push_pc_i;
      word_mem[write_q] <= push_word_i;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      read_q <= '0;
      write_q <= '0;
      count_q <= '0;
    end else begin
      if (write) write_q <= write_q + AW'(1);
      if (read) read_q <= read_q + AW'(1);
      count_q <= count_q + 32'(write) - 32'(read);
    end
  end
endmodule
