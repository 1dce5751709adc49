// Issue: decides, every cycle, which queue heads start (docs/architecture.md, "Start").
//
// The head of a queue starts when
//   - its unit is free (the unit's busy flag is clear: its last instruction has ended),
//   - compute hazards allow it: a matmul also needs the weight path and the vector unit
//     free, a vector instruction (and cnop) the MXU; ldw may overlap anything,
//   - every counter it pops has an available token.
// Heads of different queues start in the same cycle independently. waiting_o marks the
// units whose queue head is present, for the stall counters.
module rtpu_issue (
  input  logic [2:0]                  head_valid_i,
  input  rtpu_isa_pkg::insn_t         head_word_i [3],
  input  logic [4:0]                  unit_busy_i,
  input  logic [3:0]                  token_available_i,
  output logic [2:0]                  start_o,
  output logic [4:0]                  unit_start_o,
  output logic [4:0]                  waiting_o,
  output logic [3:0]                  pop_o
);
  import rtpu_isa_pkg::*;

  // Counter popped by each queue's "prev" and "next" flag (3 = none).
  function automatic int pop_counter(int q, bit next);
    if (q == Q_LOAD) return next ? 2 : -1;
    if (q == Q_COMPUTE) return next ? 3 : 0;
    return next ? -1 : 1;
  endfunction

  always_comb begin
    unit_start_o = '0;
    waiting_o = '0;
    pop_o = '0;
    for (int q = 0; q < Q_COUNT; q++) begin
      logic [7:0] op;
      logic [2:0] unit;
      logic ok;
      op = opcode(head_word_i[q]);
      unit = unit_of(op);
      ok = head_valid_i[q] && unit != 3'd7 && !unit_busy_i[unit];
      if (op == OP_MATMUL) ok = ok && !unit_busy_i[U_WEIGHT] && !unit_busy_i[U_VECTOR];
      if (unit == 3'(U_VECTOR)) ok = ok && !unit_busy_i[U_MXU];
      if (head_word_i[q][TOK_POP_PREV] && pop_counter(q, 1'b0) >= 0)
        ok = ok && token_available_i[pop_counter(q, 1'b0)];
      if (head_word_i[q][TOK_POP_NEXT] && pop_counter(q, 1'b1) >= 0)
        ok = ok && token_available_i[pop_counter(q, 1'b1)];
      start_o[q] = ok;
      if (head_valid_i[q] && unit != 3'd7) waiting_o[unit] = 1'b1;
      if (ok) begin
        unit_start_o[unit] = 1'b1;
        if (head_word_i[q][TOK_POP_PREV] && pop_counter(q, 1'b0) >= 0) pop_o[pop_counter(q, 1'b0)] = 1'b1;
        if (head_word_i[q][TOK_POP_NEXT] && pop_counter(q, 1'b1) >= 0) pop_o[pop_counter(q, 1'b1)] = 1'b1;
      end
    end
  end
endmodule
