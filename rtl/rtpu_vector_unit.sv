// Vector unit: requant, vadd, vsub, vmul, lut, maxpool, resize, dwconv, vsum and cnop
// (unit "vector").
//
// Timing (docs/architecture.md): an instruction with E elements of work occupies the
// unit for pipe + ceil(E / lanes) cycles (cnop: 1). A lane counter implements that
// exactly without a divider: it takes `lanes` elements per cycle until none are left,
// then the pipeline depth counts down. The datapath is N lanes wide and does one step
// (one row of N elements) per cycle from the start cycle on, so with lanes <= N it is
// always done by the instruction's last cycle:
//   requant, vadd/vsub/vmul, lut   one row per step (rows steps)
//   maxpool                        one window element per step (out_h*out_w*kh*kw steps):
//                                  a running per-channel maximum, written at the
//                                  window's last element
//   resize                         one corner per step (out_h*out_w*4 steps): a running
//                                  weighted sum, rounded and written at the 4th corner
//   dwconv                         one tap line (ox, dy) per step, dy fastest
//                                  (out_w*kh steps): the kw input rows from
//                                  src + dy*line_stride + ox*stride and the kw weight
//                                  rows from wts + dy*kw, read through the unified
//                                  buffer's two 16-row window ports, multiplied per
//                                  column and added to a running int32 sum; at
//                                  dy = kh-1 ACC[acc+ox] is written (plus its old
//                                  value with accumulate)
//   vsum                           one row per step (rows steps): a running per-column
//                                  int32 sum of x or x*x, ACC[acc] written (plus its old
//                                  value with accumulate) at the last step
// dwconv's work counts out_w*kh rows of N elements for the lane counter, the same count as
// its datapath steps, so the argument above holds for it too.
// Memory reads are combinational and writes land at the clock edge, so a step reads and
// writes in the same cycle and an in-place operation reads every row before writing it.
// The same holds for the accumulators: dwconv and vsum with accumulate read the ACC row
// on acc_addr_o and write the sum on the ACC write port in one cycle.
module rtpu_vector_unit #(
  parameter int N = 8
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 start_i,
  input  rtpu_isa_pkg::insn_t  insn_i,
  input  logic [31:0]          cfg_lanes_i,
  input  logic [31:0]          cfg_pipe_i,
  // unified buffer
  output logic [19:0]          ub_a_addr_o,
  input  logic [8*N-1:0]       ub_a_data_i,
  output logic [19:0]          ub_b_addr_o,
  input  logic [8*N-1:0]       ub_b_data_i,
  output logic                 ub_we_o,
  output logic [19:0]          ub_waddr_o,
  output logic [8*N-1:0]       ub_wdata_o,
  // unified buffer windows (dwconv): DW_WINDOW consecutive rows from the address, row k
  // at bits [8*N*k +: 8*N]
  output logic [19:0]          ub_win_in_addr_o,
  input  logic [8*N*rtpu_vector_pkg::DW_WINDOW-1:0] ub_win_in_data_i,
  output logic [19:0]          ub_win_wts_addr_o,
  input  logic [8*N*rtpu_vector_pkg::DW_WINDOW-1:0] ub_win_wts_data_i,
  // accumulators: read (requant's rows, the accumulate of dwconv and vsum), the requant
  // parameters, and one full-row write (dwconv, vsum)
  output logic [19:0]          acc_addr_o,
  input  logic [32*N-1:0]      acc_data_i,
  output logic [19:0]          param_addr_o,
  input  logic [96*N-1:0]      param_data_i,
  output logic                 acc_we_o,
  output logic [19:0]          acc_waddr_o,
  output logic [32*N-1:0]      acc_wdata_o,
  // lookup tables
  output logic [7:0]           lut_table_o,
  output logic [8*N-1:0]       lut_index_o,
  input  logic [8*N-1:0]       lut_data_i,
  output logic                 busy_o,
  output logic                 end_o,
  output logic [1:0]           push_o
);
  import rtpu_isa_pkg::*;
  import rtpu_vector_pkg::*;

  // ---- registered state ----
  logic                busy_q, end_q;
  logic [1:0]          push_q;
  insn_t               insn_q;
  logic [63:0]         elems_left_q;   // lane counter
  logic [31:0]         pipe_left_q;
  logic [63:0]         work_left_q;    // datapath steps still to do
  logic [19:0]         step_q;         // row index (row ops, vsum) or output index (pool, resize)
  logic [10:0]         oy_q, ox_q;     // output pixel (pool, resize; dwconv: ox only)
  logic [4:0]          dy_q, dx_q;     // window position (pool; dwconv: dy only)
  logic [1:0]          corner_q;
  logic [8*N-1:0]      max_q;
  logic [32*N-1:0]     sum_q;          // running sums (resize, dwconv, vsum)

  // ---- the state this cycle works on: fresh from the instruction in its start cycle ----
  insn_t       w;
  logic [7:0]  op;
  logic [63:0] elems_left, work_left;
  logic [31:0] pipe_left;
  logic [19:0] step;
  logic [10:0] oy, ox;
  logic [4:0]  dy, dx;
  logic [1:0]  corner;
  logic        active, last, working;

  // Work of an instruction in datapath steps (each step is N elements).
  function automatic logic [63:0] work_steps(insn_t x);
    case (opcode(x))
      OP_REQUANT, OP_LUT: return 64'(f_rows16(x));
      OP_VADD, OP_VSUB, OP_VMUL: return 64'(f_arith_rows(x));
      OP_MAXPOOL: return 64'(f_out_h(x)) * 64'(f_out_w(x)) * 64'(f_kernel_h(x)) * 64'(f_kernel_w(x));
      OP_RESIZE: return 64'(f_out_h(x)) * 64'(f_out_w(x)) * 64'd4;
      OP_DWCONV: return 64'(f_dw_out_w(x)) * 64'(f_dw_kh(x));
      OP_VSUM: return 64'(f_rows16(x));
      default: return 64'd0;
    endcase
  endfunction

  assign active     = start_i || busy_q;
  assign w          = start_i ? insn_i : insn_q;
  assign op         = opcode(w);
  assign work_left  = start_i ? work_steps(insn_i) : work_left_q;
  assign elems_left = start_i ? work_steps(insn_i) * 64'(N) : elems_left_q;
  assign pipe_left  = start_i ? cfg_pipe_i : pipe_left_q;
  assign step       = start_i ? '0 : step_q;
  assign oy         = start_i ? '0 : oy_q;
  assign ox         = start_i ? '0 : ox_q;
  assign dy         = start_i ? '0 : dy_q;
  assign dx         = start_i ? '0 : dx_q;
  assign corner     = start_i ? '0 : corner_q;
  assign working    = active && work_left != 0;

  // Last cycle: cnop takes one; otherwise the lane phase ends when at most `lanes`
  // elements remain, then pipe cycles follow.
  always_comb begin
    if (!active) last = 1'b0;
    else if (op == OP_CNOP) last = 1'b1;
    else if (elems_left != 0) last = elems_left <= 64'(cfg_lanes_i) && pipe_left == 0;
    else last = pipe_left == 32'd1;
  end

  // ---- maxpool window position and resize corner for this step ----
  logic signed [15:0] iy, ix;
  logic               in_image, window_last;
  logic [29:0]        ycoord, xcoord;
  logic [10:0]        src_y, src_x;
  logic [16:0]        corner_weight;
  logic [8:0]         weight_x, weight_y;
  always_comb begin
    iy = 16'($signed({1'b0, oy}) * $signed({11'b0, f_pool_stride(w)})) - 16'(f_pool_pad_top(w)) + 16'(dy);
    ix = 16'($signed({1'b0, ox}) * $signed({11'b0, f_pool_stride(w)})) - 16'(f_pool_pad_left(w)) + 16'(dx);
    in_image = iy >= 0 && iy < $signed({5'b0, f_in_h(w)}) && ix >= 0 && ix < $signed({5'b0, f_in_w(w)});
    window_last = dy == f_kernel_h(w) - 5'd1 && dx == f_kernel_w(w) - 5'd1;
    ycoord = resize_coord(oy, f_in_h(w), f_out_h(w));
    xcoord = resize_coord(ox, f_in_w(w), f_out_w(w));
    src_y = corner[1] ? ycoord[18:8] : ycoord[29:19];
    src_x = corner[0] ? xcoord[18:8] : xcoord[29:19];
    weight_x = corner[0] ? {1'b0, xcoord[7:0]} : 9'd256 - {1'b0, xcoord[7:0]};
    weight_y = corner[1] ? {1'b0, ycoord[7:0]} : 9'd256 - {1'b0, ycoord[7:0]};
    corner_weight = 17'(weight_x) * 17'(weight_y);
  end

  // ---- dwconv tap line and vsum step ----
  logic dw_line_last, vsum_last;
  assign dw_line_last = dy == f_dw_kh(w) - 5'd1;
  assign vsum_last    = work_left == 64'd1;

  // ---- memory addresses ----
  // Address arithmetic is 20 bits wide, wrapping like the row addresses it forms; the
  // program checker guarantees every row an instruction touches is inside its memory, so
  // the true sums fit and the wrap never happens.
  always_comb begin
    ub_a_addr_o = f_v_src(w) + step;
    ub_b_addr_o = f_v_second(w) + step;
    ub_win_in_addr_o = f_v_second(w) + 20'(dy) * 20'(f_dw_line_stride(w)) + 20'(ox) * 20'(f_dw_stride(w));
    ub_win_wts_addr_o = f_v_dst3(w) + 20'(dy) * 20'(f_dw_kw(w));
    acc_addr_o = f_v_src(w) + step;
    param_addr_o = f_param(w);
    lut_table_o = f_lut_table(w);
    lut_index_o = ub_a_data_i;
    if (op == OP_MAXPOOL)
      ub_a_addr_o = f_v_src(w) + 20'(iy[10:0]) * 20'(f_in_w(w)) + 20'(ix[10:0]);
    else if (op == OP_RESIZE)
      ub_a_addr_o = f_v_src(w) + 20'(src_y) * 20'(f_in_w(w)) + 20'(src_x);
    else if (op == OP_VSUM)
      ub_a_addr_o = f_v_second(w) + step * 20'(f_vsum_stride(w));
    if (op == OP_DWCONV) acc_addr_o = f_v_src(w) + 20'(ox);
    else if (op == OP_VSUM) acc_addr_o = f_v_src(w);
    acc_waddr_o = acc_addr_o;  // dwconv and vsum write the row they read
  end

  // ---- datapath: results of this step ----
  logic [8*N-1:0]  max_d;
  logic [32*N-1:0] sum_d;
  always_comb begin
    ub_we_o = 1'b0;
    ub_waddr_o = f_v_second(w) + step;
    ub_wdata_o = '0;
    acc_we_o = 1'b0;
    acc_wdata_o = '0;
    max_d = max_q;
    sum_d = sum_q;
    case (op)
      OP_REQUANT: begin
        for (int c = 0; c < N; c++)
          ub_wdata_o[8*c +: 8] = requant(acc_data_i[32*c +: 32], param_data_i[32*c +: 32],
                                         param_data_i[32*(N + c) +: 32], param_data_i[32*(2*N + c) +: 32]);
        ub_we_o = working;
      end
      OP_VADD, OP_VSUB: begin
        for (int c = 0; c < N; c++)
          ub_wdata_o[8*c +: 8] = add_sub(ub_a_data_i[8*c +: 8], ub_b_data_i[8*c +: 8], f_mul_a(w), f_mul_b(w),
                                         f_add_shift(w), op == OP_VSUB);
        ub_waddr_o = f_v_dst3(w) + step;
        ub_we_o = working;
      end
      OP_VMUL: begin
        for (int c = 0; c < N; c++)
          ub_wdata_o[8*c +: 8] = mul(ub_a_data_i[8*c +: 8], ub_b_data_i[8*c +: 8], f_mul_a(w), f_mul_shift(w));
        ub_waddr_o = f_v_dst3(w) + step;
        ub_we_o = working;
      end
      OP_LUT: begin
        ub_wdata_o = lut_data_i;
        ub_we_o = working;
      end
      OP_MAXPOOL: begin
        for (int c = 0; c < N; c++) begin
          logic signed [7:0] best, x;
          best = (dy == 0 && dx == 0) ? -8'sd128 : $signed(max_q[8*c +: 8]);
          x = $signed(ub_a_data_i[8*c +: 8]);
          max_d[8*c +: 8] = (in_image && x > best) ? x : best;
        end
        ub_wdata_o = max_d;
        ub_we_o = working && window_last;
      end
      OP_RESIZE: begin
        for (int c = 0; c < N; c++) begin
          logic signed [31:0] base, total;
          base = corner == 2'd0 ? 32'sd0 : $signed(sum_q[32*c +: 32]);
          total = base + 32'($signed(ub_a_data_i[8*c +: 8])) * $signed({15'b0, corner_weight});
          sum_d[32*c +: 32] = total;
          ub_wdata_o[8*c +: 8] = sat8(round_shift(64'(total), 6'd16));
        end
        ub_we_o = working && corner == 2'd3;
      end
      OP_DWCONV: begin
        for (int c = 0; c < N; c++) begin
          logic signed [31:0] line, base, total;
          // the kw taps of this tap line; window rows kw.. are not taps
          line = '0;
          for (int k = 0; k < DW_WINDOW; k++)
            if (5'(k) < f_dw_kw(w))
              line = line + 32'($signed(ub_win_in_data_i[8*(N*k + c) +: 8])) *
                            32'($signed(ub_win_wts_data_i[8*(N*k + c) +: 8]));
          base = dy == 5'd0 ? 32'sd0 : $signed(sum_q[32*c +: 32]);
          total = base + line;
          sum_d[32*c +: 32] = total;
          acc_wdata_o[32*c +: 32] = (f_dw_accumulate(w) ? acc_data_i[32*c +: 32] : 32'd0) + total;
        end
        acc_we_o = working && dw_line_last;
      end
      OP_VSUM: begin
        for (int c = 0; c < N; c++) begin
          logic signed [31:0] x, base, total;
          x = 32'($signed(ub_a_data_i[8*c +: 8]));
          base = step == 20'd0 ? 32'sd0 : $signed(sum_q[32*c +: 32]);
          // int32 wrap-around, as docs/isa.md says (a single vsum never wraps: |x*x| <= 2^14)
          total = base + (f_vsum_square(w) ? x * x : x);
          sum_d[32*c +: 32] = total;
          acc_wdata_o[32*c +: 32] = (f_vsum_accumulate(w) ? acc_data_i[32*c +: 32] : 32'd0) + total;
        end
        acc_we_o = working && vsum_last;
      end
      default: ;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      end_q <= 1'b0;
      push_q <= 2'b00;
      insn_q <= '0;
      elems_left_q <= '0;
      pipe_left_q <= '0;
      work_left_q <= '0;
      step_q <= '0;
      oy_q <= '0;
      ox_q <= '0;
      dy_q <= '0;
      dx_q <= '0;
      corner_q <= '0;
      max_q <= '0;
      sum_q <= '0;
    end else begin
      end_q <= last;
      if (start_i) begin
        insn_q <= insn_i;
        push_q <= {insn_i[TOK_PUSH_NEXT], insn_i[TOK_PUSH_PREV]};
      end
      if (active) begin
        busy_q <= !last;
        // lane counter, then the pipeline depth
        if (elems_left != 0) begin
          elems_left_q <= elems_left > 64'(cfg_lanes_i) ? elems_left - 64'(cfg_lanes_i) : 64'd0;
          pipe_left_q <= pipe_left;
        end else begin
          elems_left_q <= '0;
          pipe_left_q <= pipe_left - 32'd1;
        end
        // datapath step counters
        work_left_q <= working ? work_left - 64'd1 : work_left;
        step_q <= step;
        oy_q <= oy;
        ox_q <= ox;
        dy_q <= dy;
        dx_q <= dx;
        corner_q <= corner;
        max_q <= max_d;
        sum_q <= sum_d;
        if (working) begin
          if (op == OP_MAXPOOL) begin
            // dx fastest, then dy; then the next output pixel (ox, then oy)
            if (!window_last) begin
              if (dx == f_kernel_w(w) - 5'd1) begin
                dx_q <= '0;
                dy_q <= dy + 5'd1;
              end else dx_q <= dx + 5'd1;
            end else begin
              dx_q <= '0;
              dy_q <= '0;
              step_q <= step + 20'd1;
              if (ox == f_out_w(w) - 11'd1) begin
                ox_q <= '0;
                oy_q <= oy + 11'd1;
              end else ox_q <= ox + 11'd1;
            end
          end else if (op == OP_DWCONV) begin
            // dy fastest, then the next output pixel ox
            if (dw_line_last) begin
              dy_q <= '0;
              ox_q <= ox + 11'd1;
            end else dy_q <= dy + 5'd1;
          end else if (op == OP_RESIZE) begin
            corner_q <= corner + 2'd1;
            if (corner == 2'd3) begin
              step_q <= step + 20'd1;
              if (ox == f_out_w(w) - 11'd1) begin
                ox_q <= '0;
                oy_q <= oy + 11'd1;
              end else ox_q <= ox + 11'd1;
            end
          end else begin
            step_q <= step + 20'd1;
          end
        end
      end
    end
  end

  assign busy_o = busy_q;
  assign end_o  = end_q;
  assign push_o = push_q;
endmodule
