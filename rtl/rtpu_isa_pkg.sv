// ISA constants and field extraction for the 128-bit instruction word.
//
// The encoding is docs/isa.md (and target/isa.c): bits 0..7 opcode, 8..11 token flags,
// 12..127 the opcode's operand fields. Fields marked "count" store value - 1; the
// functions here add the 1 back so every module sees real values. Keeping the bit
// positions in one file means the RTL and the C table can be compared line by line.
/* verilator lint_off UNUSEDPARAM */
/* verilator lint_off UNUSEDSIGNAL */
package rtpu_isa_pkg;

  typedef logic [127:0] insn_t;

  localparam logic [7:0] OP_HALT     = 8'd1;
  localparam logic [7:0] OP_LOAD_UB  = 8'd2;
  localparam logic [7:0] OP_LOAD_WB  = 8'd3;
  localparam logic [7:0] OP_LOAD_ACC = 8'd4;
  localparam logic [7:0] OP_LOAD_LUT = 8'd5;
  localparam logic [7:0] OP_LNOP     = 8'd6;
  localparam logic [7:0] OP_LDW      = 8'd7;
  localparam logic [7:0] OP_MATMUL   = 8'd8;
  localparam logic [7:0] OP_REQUANT  = 8'd9;
  localparam logic [7:0] OP_VADD     = 8'd10;
  localparam logic [7:0] OP_VSUB     = 8'd11;
  localparam logic [7:0] OP_VMUL     = 8'd12;
  localparam logic [7:0] OP_LUT      = 8'd13;
  localparam logic [7:0] OP_MAXPOOL  = 8'd14;
  localparam logic [7:0] OP_RESIZE   = 8'd15;
  localparam logic [7:0] OP_CNOP     = 8'd16;
  localparam logic [7:0] OP_STORE    = 8'd17;
  localparam logic [7:0] OP_SNOP     = 8'd18;
  localparam logic [7:0] OP_DWCONV   = 8'd19;
  localparam logic [7:0] OP_VSUM     = 8'd20;

  // Queues (load -> compute -> store) and the units behind them, numbered as isa_queue
  // and isa_unit in target/isa.h so stats line up index for index.
  localparam int Q_LOAD = 0, Q_COMPUTE = 1, Q_STORE = 2, Q_COUNT = 3;
  localparam int U_LOAD = 0, U_WEIGHT = 1, U_MXU = 2, U_VECTOR = 3, U_STORE = 4, U_COUNT = 5;

  // Token flag bits (bits 8..11 of the word).
  localparam int TOK_POP_PREV = 8, TOK_POP_NEXT = 9, TOK_PUSH_PREV = 10, TOK_PUSH_NEXT = 11;

  function automatic logic [7:0] opcode(insn_t w);
    return w[7:0];
  endfunction

  // Vector-unit opcodes: requant..cnop, and the ISA v2 additions dwconv and vsum (which
  // were numbered after the store opcodes, so they are not inside the v1 range).
  function automatic logic is_vector_op(logic [7:0] op);
    return (op >= OP_REQUANT && op <= OP_CNOP) || op == OP_DWCONV || op == OP_VSUM;
  endfunction

  // Queue of an opcode: 0 load, 1 compute, 2 store, 3 none (halt or invalid).
  function automatic logic [1:0] queue_of(logic [7:0] op);
    if (op >= OP_LOAD_UB && op <= OP_LNOP) return 2'd0;
    if (op == OP_LDW || op == OP_MATMUL || is_vector_op(op)) return 2'd1;
    if (op == OP_STORE || op == OP_SNOP) return 2'd2;
    return 2'd3;
  endfunction

  // Unit of an opcode (U_*), as a 3-bit index; halt maps to 7.
  function automatic logic [2:0] unit_of(logic [7:0] op);
    if (op >= OP_LOAD_UB && op <= OP_LNOP) return 3'(U_LOAD);
    if (op == OP_LDW) return 3'(U_WEIGHT);
    if (op == OP_MATMUL) return 3'(U_MXU);
    if (is_vector_op(op)) return 3'(U_VECTOR);
    if (op == OP_STORE || op == OP_SNOP) return 3'(U_STORE);
    return 3'd7;
  endfunction

  // ---- operand fields (names as in docs/isa.md) ----

  // load.ub / load.wb / load.acc, and the shared prefix of store
  function automatic logic [19:0] f_sram(insn_t w);        return w[31:12]; endfunction
  function automatic logic [31:0] f_dram(insn_t w);        return w[63:32]; endfunction
  function automatic logic [10:0] f_lines(insn_t w);       return {1'b0, w[73:64]} + 11'd1; endfunction
  function automatic logic [10:0] f_rows(insn_t w);        return {1'b0, w[83:74]} + 11'd1; endfunction
  function automatic logic [8:0]  f_elems(insn_t w);       return {1'b0, w[91:84]} + 9'd1; endfunction
  function automatic logic [19:0] f_stride(insn_t w);      return w[111:92]; endfunction
  function automatic logic [3:0]  f_pad_top(insn_t w);     return w[115:112]; endfunction
  function automatic logic [3:0]  f_pad_bottom(insn_t w);  return w[119:116]; endfunction
  function automatic logic [3:0]  f_pad_left(insn_t w);    return w[123:120]; endfunction
  function automatic logic [3:0]  f_pad_right(insn_t w);   return w[127:124]; endfunction
  function automatic logic [15:0] f_sram_stride(insn_t w); return w[127:112]; endfunction
  // load.lut
  function automatic logic [7:0]  f_table(insn_t w);       return w[19:12]; endfunction
  // ldw
  function automatic logic [19:0] f_wb(insn_t w);          return w[31:12]; endfunction
  // matmul
  function automatic logic [19:0] f_mm_acc(insn_t w);      return w[31:12]; endfunction
  function automatic logic [19:0] f_mm_ub(insn_t w);       return w[51:32]; endfunction
  function automatic logic [12:0] f_mm_outer(insn_t w);    return {1'b0, w[63:52]} + 13'd1; endfunction
  function automatic logic [15:0] f_mm_outer_stride(insn_t w); return w[79:64]; endfunction
  function automatic logic [12:0] f_mm_inner(insn_t w);    return {1'b0, w[91:80]} + 13'd1; endfunction
  function automatic logic [15:0] f_mm_inner_stride(insn_t w); return w[107:92]; endfunction
  function automatic logic [8:0]  f_mm_k(insn_t w);        return {1'b0, w[115:108]} + 9'd1; endfunction
  function automatic logic [8:0]  f_mm_n(insn_t w);        return {1'b0, w[123:116]} + 9'd1; endfunction
  function automatic logic        f_mm_accumulate(insn_t w); return w[124]; endfunction
  // vector: the first two row operands are at 12 and 32 for every vector opcode (dwconv
  // and vsum: acc at 12, src at 32; dwconv's wts at 52 where vadd has dst)
  function automatic logic [19:0] f_v_src(insn_t w);       return w[31:12]; endfunction
  function automatic logic [19:0] f_v_second(insn_t w);    return w[51:32]; endfunction
  function automatic logic [19:0] f_v_dst3(insn_t w);      return w[71:52]; endfunction
  // requant / lut / vsum: rows 52:16, then param 68:20 or table 68:8 (vsum: stride 68:16)
  function automatic logic [16:0] f_rows16(insn_t w);      return {1'b0, w[67:52]} + 17'd1; endfunction
  function automatic logic [19:0] f_param(insn_t w);       return w[87:68]; endfunction
  function automatic logic [7:0]  f_lut_table(insn_t w);   return w[75:68]; endfunction
  // vadd / vsub / vmul: rows 72:16 (ISA v2; 72:12 before, the later fields 4 bits lower)
  function automatic logic [16:0] f_arith_rows(insn_t w);  return {1'b0, w[87:72]} + 17'd1; endfunction
  function automatic logic [15:0] f_mul_a(insn_t w);       return w[103:88]; endfunction
  function automatic logic [15:0] f_mul_b(insn_t w);       return w[119:104]; endfunction
  function automatic logic [4:0]  f_add_shift(insn_t w);   return w[124:120]; endfunction
  function automatic logic [4:0]  f_mul_shift(insn_t w);   return w[108:104]; endfunction
  // maxpool / resize geometry
  function automatic logic [10:0] f_in_h(insn_t w);        return {1'b0, w[61:52]} + 11'd1; endfunction
  function automatic logic [10:0] f_in_w(insn_t w);        return {1'b0, w[71:62]} + 11'd1; endfunction
  function automatic logic [10:0] f_out_h(insn_t w);       return {1'b0, w[81:72]} + 11'd1; endfunction
  function automatic logic [10:0] f_out_w(insn_t w);       return {1'b0, w[91:82]} + 11'd1; endfunction
  function automatic logic [4:0]  f_kernel_h(insn_t w);    return {1'b0, w[95:92]} + 5'd1; endfunction
  function automatic logic [4:0]  f_kernel_w(insn_t w);    return {1'b0, w[99:96]} + 5'd1; endfunction
  function automatic logic [4:0]  f_pool_stride(insn_t w); return {1'b0, w[103:100]} + 5'd1; endfunction
  function automatic logic [3:0]  f_pool_pad_top(insn_t w);  return w[107:104]; endfunction
  function automatic logic [3:0]  f_pool_pad_left(insn_t w); return w[111:108]; endfunction
  // dwconv (acc, src, wts: f_v_src, f_v_second, f_v_dst3)
  function automatic logic [10:0] f_dw_out_w(insn_t w);    return {1'b0, w[81:72]} + 11'd1; endfunction
  function automatic logic [4:0]  f_dw_stride(insn_t w);   return {1'b0, w[85:82]} + 5'd1; endfunction
  function automatic logic [4:0]  f_dw_kh(insn_t w);       return {1'b0, w[89:86]} + 5'd1; endfunction
  function automatic logic [4:0]  f_dw_kw(insn_t w);       return {1'b0, w[93:90]} + 5'd1; endfunction
  function automatic logic [15:0] f_dw_line_stride(insn_t w); return w[109:94]; endfunction
  function automatic logic        f_dw_accumulate(insn_t w); return w[110]; endfunction
  // vsum (acc, src: f_v_src, f_v_second; rows: f_rows16)
  function automatic logic [15:0] f_vsum_stride(insn_t w); return w[83:68]; endfunction
  function automatic logic        f_vsum_square(insn_t w); return w[84]; endfunction
  function automatic logic        f_vsum_accumulate(insn_t w); return w[85]; endfunction

endpackage
/* verilator lint_on UNUSEDSIGNAL */
/* verilator lint_on UNUSEDPARAM */
