// Top level of the accelerator: fetch/dispatch, three queues with dependency tokens,
// five units (load DMA, weight path, MXU, vector unit, store DMA) and the on-chip
// memories. docs/architecture.md ("RTL") maps every part of the ISA and of the timing
// model to the module that implements it.
//
// The harness (rtl/harness.cpp) owns DRAM and the instruction stream (DPI-C, with ctx_i
// naming the harness object), drives the timing fields of the hardware config, holds
// reset over one clock edge before each run, and watches the observation ports:
// dispatches, starts and end pulses give every instruction's dispatch, start and end
// cycle; done_o rises in the first cycle after halt dispatched with every queue empty
// and every unit idle, which is the program's total cycle count; stuck_o flags a cycle
// in which nothing runs and nothing can ever start again (deadlock).
module rtpu_top #(
  parameter int N          = 8,
  parameter int UB_ROWS    = 8192,
  parameter int WB_ROWS    = 512,
  parameter int ACC_ROWS   = 512,
  parameter int LUT_TABLES = 8,
  parameter int QUEUE_CAPACITY = 16
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic [63:0]   ctx_i,
  input  logic [31:0]   cfg_dram_latency_i,
  input  logic [31:0]   cfg_dram_bytes_per_cycle_i,
  input  logic [31:0]   cfg_vector_lanes_i,
  input  logic [31:0]   cfg_vector_pipeline_i,
  input  logic [31:0]   cfg_queue_depth_i,
  output logic          done_o,
  output logic          stuck_o,
  output logic          dispatch_o,
  output logic [31:0]   dispatch_pc_o,
  output logic [2:0]    start_o,
  output logic [95:0]   start_pc_o,
  output logic [2:0]    head_valid_o,
  output logic [95:0]   head_pc_o,
  output logic [4:0]    unit_end_o,
  output logic [319:0]  stat_busy_o,
  output logic [319:0]  stat_stall_o,
  output logic [319:0]  stat_instructions_o,
  output logic [63:0]   stat_macs_o,
  output logic [63:0]   stat_dram_read_o,
  output logic [63:0]   stat_dram_written_o
);
  import rtpu_isa_pkg::*;

  // ---- fetch and queues ----
  logic        fetch_dispatch, halt_dispatch, halted;
  logic [1:0]  fetch_queue;
  logic [31:0] fetch_pc;
  insn_t       fetch_word;
  logic [2:0]  room, head_valid, start;
  logic [31:0] head_pc [3];
  insn_t       head_word [3];
  logic [31:0] queue_count [3];

  rtpu_fetch u_fetch (
    .clk_i, .rst_ni, .ctx_i,
    .room_i           (room),
    .dispatch_o       (fetch_dispatch),
    .dispatch_queue_o (fetch_queue),
    .pc_o             (fetch_pc),
    .word_o           (fetch_word),
    .halt_dispatch_o  (halt_dispatch),
    .halted_o         (halted)
  );

  for (genvar q = 0; q < 3; q++) begin : g_queue
    rtpu_insn_queue #(.CAPACITY(QUEUE_CAPACITY)) u_queue (
      .clk_i, .rst_ni,
      .push_i       (fetch_dispatch && fetch_queue == 2'(q)),
      .push_pc_i    (fetch_pc),
      .push_word_i  (fetch_word),
      .start_i      (start[q]),
      .head_valid_o (head_valid[q]),
      .head_pc_o    (head_pc[q]),
      .head_word_o  (head_word[q]),
      .count_o      (queue_count[q])
    );
    assign room[q] = queue_count[q] < cfg_queue_depth_i;
    assign start_pc_o[32*q +: 32] = head_pc[q];
    assign head_pc_o[32*q +: 32] = head_pc[q];
  end

  // ---- issue and tokens ----
  logic [4:0] unit_busy, unit_start, unit_end, waiting;
  logic [1:0] unit_push [5];
  logic [3:0] pops, token_available;
  logic [7:0] push_count;

  rtpu_issue u_issue (
    .head_valid_i      (head_valid),
    .head_word_i       (head_word),
    .unit_busy_i       (unit_busy),
    .token_available_i (token_available),
    .start_o           (start),
    .unit_start_o      (unit_start),
    .waiting_o         (waiting),
    .pop_o             (pops)
  );

  // push = {next, prev}: load pushes ld->ex (0), store st->ex (3); compute units
  // push ex->st (1) with next and ex->ld (2) with prev.
  logic [4:0] ends_next, ends_prev;
  always_comb begin
    for (int u = 0; u < 5; u++) begin
      ends_next[u] = unit_end[u] & unit_push[u][1];
      ends_prev[u] = unit_end[u] & unit_push[u][0];
    end
    push_count = {2'(ends_prev[U_STORE]),
                  2'(ends_prev[U_WEIGHT]) + 2'(ends_prev[U_MXU]) + 2'(ends_prev[U_VECTOR]),
                  2'(ends_next[U_WEIGHT]) + 2'(ends_next[U_MXU]) + 2'(ends_next[U_VECTOR]),
                  2'(ends_next[U_LOAD])};
  end

  rtpu_tokens u_tokens (
    .clk_i, .rst_ni,
    .push_count_i (push_count),
    .pop_i        (pops),
    .available_o  (token_available)
  );

  // ---- memories ----
  logic [19:0]      mxu_ub_addr, vec_a_addr, vec_b_addr, store_ub_addr, vec_waddr;
  logic [8*N-1:0]   mxu_ub_data, vec_a_data, vec_b_data, store_ub_data, vec_wdata;
  logic             vec_we;
  logic             dma_ub_we, dma_wb_we, dma_acc_we, dma_ub_zero, dma_wb_zero, dma_acc_zero, dma_lut_we;
  logic [19:0]      dma_addr, dma_zero_addr, wb_ldw_addr;
  logic [32*N-1:0]  dma_data;
  logic [7:0]       dma_lut_table, dma_lut_chunk;
  logic [8*N-1:0]   wb_ldw_data;
  logic [N-1:0]     mxu_acc_we;
  logic [20*N-1:0]  mxu_acc_addr;
  logic [32*N-1:0]  mxu_acc_wdata, mxu_acc_rdata, vec_acc_data;
  logic [19:0]      vec_acc_addr, vec_param_addr, vec_acc_waddr;
  logic             vec_acc_we;
  logic [32*N-1:0]  vec_acc_wdata;
  // dwconv's two windows of DW_WINDOW consecutive UB rows (input taps, weights)
  localparam int    Window = rtpu_vector_pkg::DW_WINDOW;
  logic [19:0]      vec_win_in_addr, vec_win_wts_addr;
  logic [8*N*Window-1:0] vec_win_in_data, vec_win_wts_data;
  logic [96*N-1:0]  vec_param_data;
  logic [7:0]       vec_lut_table;
  logic [8*N-1:0]   vec_lut_index, vec_lut_data;

  rtpu_unified_buffer #(.N(N), .ROWS(UB_ROWS), .WINDOW(Window)) u_ub (
    .clk_i,
    .dma_we_i (dma_ub_we), .dma_addr_i (dma_addr), .dma_data_i (dma_data[8*N-1:0]),
    .zero_we_i (dma_ub_zero), .zero_addr_i (dma_zero_addr),
    .vec_we_i (vec_we), .vec_waddr_i (vec_waddr), .vec_wdata_i (vec_wdata),
    .mxu_addr_i (mxu_ub_addr), .vec_a_addr_i (vec_a_addr), .vec_b_addr_i (vec_b_addr),
    .store_addr_i (store_ub_addr),
    .win_in_addr_i (vec_win_in_addr), .win_wts_addr_i (vec_win_wts_addr),
    .mxu_data_o (mxu_ub_data), .vec_a_data_o (vec_a_data), .vec_b_data_o (vec_b_data),
    .store_data_o (store_ub_data),
    .win_in_data_o (vec_win_in_data), .win_wts_data_o (vec_win_wts_data)
  );

  rtpu_weight_buffer #(.N(N), .ROWS(WB_ROWS)) u_wb (
    .clk_i,
    .dma_we_i (dma_wb_we), .dma_addr_i (dma_addr), .dma_data_i (dma_data[8*N-1:0]),
    .zero_we_i (dma_wb_zero), .zero_addr_i (dma_zero_addr),
    .ldw_addr_i (wb_ldw_addr), .ldw_data_o (wb_ldw_data)
  );

  rtpu_acc_mem #(.N(N), .ROWS(ACC_ROWS)) u_acc (
    .clk_i,
    .dma_we_i (dma_acc_we), .dma_addr_i (dma_addr), .dma_data_i (dma_data),
    .zero_we_i (dma_acc_zero), .zero_addr_i (dma_zero_addr),
    .mxu_we_i (mxu_acc_we), .mxu_addr_i (mxu_acc_addr), .mxu_wdata_i (mxu_acc_wdata),
    // the MXU and the vector unit are never busy together (hazard rule 3), so their
    // write ports never write in the same cycle
    .vec_we_i (vec_acc_we), .vec_waddr_i (vec_acc_waddr), .vec_wdata_i (vec_acc_wdata),
    .vec_addr_i (vec_acc_addr), .param_addr_i (vec_param_addr),
    .mxu_rdata_o (mxu_acc_rdata), .vec_data_o (vec_acc_data), .param_data_o (vec_param_data)
  );

  rtpu_lut_mem #(.N(N), .TABLES(LUT_TABLES), .CHUNK(4 * N)) u_lut (
    .clk_i,
    .we_i (dma_lut_we), .wtable_i (dma_lut_table), .wchunk_i (dma_lut_chunk), .wdata_i (dma_data),
    .rtable_i (vec_lut_table), .rindex_i (vec_lut_index), .rdata_o (vec_lut_data)
  );

  // ---- units ----
  logic [31:0] dram_epoch;

  rtpu_load_dma #(.N(N)) u_load (
    .clk_i, .rst_ni, .ctx_i,
    .dram_epoch_i (dram_epoch),
    .start_i (unit_start[U_LOAD]), .insn_i (head_word[Q_LOAD]),
    .cfg_latency_i (cfg_dram_latency_i), .cfg_bytes_per_cycle_i (cfg_dram_bytes_per_cycle_i),
    .ub_we_o (dma_ub_we), .wb_we_o (dma_wb_we), .acc_we_o (dma_acc_we),
    .data_addr_o (dma_addr), .data_o (dma_data),
    .ub_zero_we_o (dma_ub_zero), .wb_zero_we_o (dma_wb_zero), .acc_zero_we_o (dma_acc_zero),
    .zero_addr_o (dma_zero_addr),
    .lut_we_o (dma_lut_we), .lut_table_o (dma_lut_table), .lut_chunk_o (dma_lut_chunk),
    .busy_o (unit_busy[U_LOAD]), .end_o (unit_end[U_LOAD]), .push_o (unit_push[U_LOAD]),
    .bytes_read_o (stat_dram_read_o)
  );

  logic [N-1:0]    shadow_row_we;
  logic [8*N-1:0]  array_row;
  logic            array_swap;
  logic [32*N-1:0] array_psum;

  rtpu_weight_loader #(.N(N)) u_weight (
    .clk_i, .rst_ni,
    .start_i (unit_start[U_WEIGHT]), .insn_i (head_word[Q_COMPUTE]),
    .wb_addr_o (wb_ldw_addr), .shadow_row_we_o (shadow_row_we),
    .busy_o (unit_busy[U_WEIGHT]), .end_o (unit_end[U_WEIGHT]), .push_o (unit_push[U_WEIGHT])
  );

  rtpu_systolic_array #(.N(N)) u_array (
    .clk_i,
    .row_i (array_row), .shadow_row_we_i (shadow_row_we), .shadow_row_i (wb_ldw_data),
    .swap_i (array_swap), .psum_o (array_psum)
  );

  rtpu_mxu #(.N(N)) u_mxu (
    .clk_i, .rst_ni,
    .start_i (unit_start[U_MXU]), .insn_i (head_word[Q_COMPUTE]),
    .ldw_start_i (unit_start[U_WEIGHT]),
    .ub_addr_o (mxu_ub_addr), .ub_data_i (mxu_ub_data),
    .array_row_o (array_row), .array_swap_o (array_swap), .array_psum_i (array_psum),
    .acc_we_o (mxu_acc_we), .acc_addr_o (mxu_acc_addr), .acc_wdata_o (mxu_acc_wdata),
    .acc_rdata_i (mxu_acc_rdata),
    .busy_o (unit_busy[U_MXU]), .end_o (unit_end[U_MXU]), .push_o (unit_push[U_MXU]),
    .macs_o (stat_macs_o)
  );

  rtpu_vector_unit #(.N(N)) u_vector (
    .clk_i, .rst_ni,
    .start_i (unit_start[U_VECTOR]), .insn_i (head_word[Q_COMPUTE]),
    .cfg_lanes_i (cfg_vector_lanes_i), .cfg_pipe_i (cfg_vector_pipeline_i),
    .ub_a_addr_o (vec_a_addr), .ub_a_data_i (vec_a_data),
    .ub_b_addr_o (vec_b_addr), .ub_b_data_i (vec_b_data),
    .ub_we_o (vec_we), .ub_waddr_o (vec_waddr), .ub_wdata_o (vec_wdata),
    .ub_win_in_addr_o (vec_win_in_addr), .ub_win_in_data_i (vec_win_in_data),
    .ub_win_wts_addr_o (vec_win_wts_addr), .ub_win_wts_data_i (vec_win_wts_data),
    .acc_addr_o (vec_acc_addr), .acc_data_i (vec_acc_data),
    .param_addr_o (vec_param_addr), .param_data_i (vec_param_data),
    .acc_we_o (vec_acc_we), .acc_waddr_o (vec_acc_waddr), .acc_wdata_o (vec_acc_wdata),
    .lut_table_o (vec_lut_table), .lut_index_o (vec_lut_index), .lut_data_i (vec_lut_data),
    .busy_o (unit_busy[U_VECTOR]), .end_o (unit_end[U_VECTOR]), .push_o (unit_push[U_VECTOR])
  );

  rtpu_store_dma #(.N(N)) u_store (
    .clk_i, .rst_ni, .ctx_i,
    .start_i (unit_start[U_STORE]), .insn_i (head_word[Q_STORE]),
    .cfg_latency_i (cfg_dram_latency_i), .cfg_bytes_per_cycle_i (cfg_dram_bytes_per_cycle_i),
    .ub_addr_o (store_ub_addr), .ub_data_i (store_ub_data),
    .dram_epoch_o (dram_epoch),
    .busy_o (unit_busy[U_STORE]), .end_o (unit_end[U_STORE]), .push_o (unit_push[U_STORE]),
    .bytes_written_o (stat_dram_written_o)
  );

  rtpu_stats u_stats (
    .clk_i, .rst_ni,
    .unit_busy_i (unit_busy), .unit_start_i (unit_start), .waiting_i (waiting),
    .busy_o (stat_busy_o), .stall_o (stat_stall_o), .instructions_o (stat_instructions_o)
  );

  // ---- run control and observation ----
  logic all_empty;
  assign all_empty    = queue_count[0] == 0 && queue_count[1] == 0 && queue_count[2] == 0;
  assign done_o       = halted && all_empty && unit_busy == '0;
  assign stuck_o      = !done_o && unit_busy == '0 && start == '0 && !fetch_dispatch && !halt_dispatch;
  assign dispatch_o   = fetch_dispatch || halt_dispatch;
  assign dispatch_pc_o = fetch_pc;
  assign start_o      = start;
  assign head_valid_o = head_valid;
  assign unit_end_o   = unit_end;
endmodule
