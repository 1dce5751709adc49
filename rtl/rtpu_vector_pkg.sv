// Integer arithmetic of the vector unit, one element at a time (docs/isa.md, "Vector"):
//   round_shift(x, s) = x if s = 0, else floor((x + 2^(s-1)) / 2^s)   (round half up)
//   sat8(x)           = min(max(x, -128), 127)
// All intermediate values fit in 64-bit signed arithmetic, exactly as in sim_exec_vector.c.
package rtpu_vector_pkg;

  // dwconv's widest tap line: kw is a 4-bit count, so at most 16 taps, which the unified
  // buffer's window ports read in one cycle (rtpu_unified_buffer, WINDOW).
  // (Modules that import the package but not this constant must not warn about it.)
  /* verilator lint_off UNUSEDPARAM */
  localparam int DW_WINDOW = 16;
  /* verilator lint_on UNUSEDPARAM */

  function automatic logic signed [63:0] round_shift(logic signed [63:0] x, logic [5:0] s);
    if (s == 6'd0) return x;
    return (x + (64'sd1 <<< (s - 6'd1))) >>> s;
  endfunction

  function automatic logic [7:0] sat8(logic signed [63:0] x);
    if (x < -64'sd128) return 8'h80;
    if (x > 64'sd127) return 8'h7f;
    return x[7:0];
  endfunction

  // requant: v = clamp(acc + bias, int32), s = clamp(31 + shift, 1, 62),
  // out = sat8(round_shift(v * mult, s)).
  function automatic logic [7:0] requant(logic [31:0] acc, logic [31:0] bias, logic [31:0] mult,
                                         logic [31:0] shift);
    logic signed [63:0] v, s, product;
    v = 64'($signed(acc)) + 64'($signed(bias));
    if (v > 64'sd2147483647) v = 64'sd2147483647;
    if (v < -64'sd2147483648) v = -64'sd2147483648;
    s = 64'sd31 + 64'($signed(shift));
    if (s < 64'sd1) s = 64'sd1;
    if (s > 64'sd62) s = 64'sd62;
    product = v * 64'($signed(mult));
    return sat8(round_shift(product, s[5:0]));
  endfunction

  // vadd / vsub: sat8(round_shift(a * mul_a +/- b * mul_b, shift))
  function automatic logic [7:0] add_sub(logic [7:0] a, logic [7:0] b, logic [15:0] mul_a, logic [15:0] mul_b,
                                         logic [4:0] shift, logic subtract);
    logic signed [63:0] x, y;
    x = 64'($signed(a)) * 64'($signed(mul_a));
    y = 64'($signed(b)) * 64'($signed(mul_b));
    return sat8(round_shift(subtract ? x - y : x + y, {1'b0, shift}));
  endfunction

  // vmul: sat8(round_shift(a * b * mul, shift))
  function automatic logic [7:0] mul(logic [7:0] a, logic [7:0] b, logic [15:0] m, logic [4:0] shift);
    return sat8(round_shift(64'($signed(a)) * 64'($signed(b)) * 64'($signed(m)), {1'b0, shift}));
  endfunction

  // Bilinear source position on one axis, Q8: pos = floor(o * (in - 1) * 256 / (out - 1)),
  // 0 if out = 1; returns {i0, i1, f} with i1 = min(i0 + 1, in - 1), f = pos & 255.
  function automatic logic [29:0] resize_coord(logic [10:0] o, logic [10:0] in, logic [10:0] out);
    /* verilator lint_off UNUSEDSIGNAL */
    logic [31:0] pos;
    /* verilator lint_on UNUSEDSIGNAL */
    logic [10:0] i0, i1, in_m1, out_m1;
    in_m1 = in - 11'd1;
    out_m1 = out - 11'd1;
    pos = out == 11'd1 ? 32'd0 : (32'(o) * 32'(in_m1) * 32'd256) / 32'(out_m1);
    i0 = pos[18:8];  // pos <= (in - 1) * 256 < 2^18
    i1 = i0 + 11'd1 < in ? i0 + 11'd1 : in - 11'd1;
    return {i0, i1, pos[7:0]};
  endfunction

endpackage
