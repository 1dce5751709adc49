// Unified buffer: ROWS rows of N int8 (one pixel's block of N channels per row).
//
// A register-file style memory: reads are combinational (the row is available in the
// cycle its address is presented), writes land at the clock edge, so a row written in
// cycle t is read back from cycle t + 1. Ports, one per client so that units running
// at the same time never wait for each other:
//   writes: load DMA data rows, load DMA zero (padding) rows, vector unit results
//   reads:  MXU input rows, vector operands a and b, store DMA, and two windows of
//           WINDOW consecutive rows for the vector unit (dwconv: input taps, weights)
//
// Windows: the buffer is meant as WINDOW (16) banks with rows interleaved (row r in bank
// r mod 16, word r / 16), so any WINDOW consecutive rows sit in WINDOW different banks and
// one cycle reads them all without a conflict; that is what lets dwconv take all kw <= 16
// taps of a tap line per cycle (docs/isa.md, "Design notes"). The model keeps one flat
// array, which reads the same rows. Window row k is row addr + k, wrapping inside the
// memory; the program checker guarantees every row an instruction uses fits, and rows a
// window reads beyond the instruction's kw taps are ignored by the unit.
// Programs order conflicting accesses with tokens, so two writes never hit the same row
// in one cycle; if a racy program does that, the vector unit's write wins.
module rtpu_unified_buffer #(
  parameter int N      = 8,
  parameter int ROWS   = 8192,
  parameter int WINDOW = 16
) (
  input  logic            clk_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic            dma_we_i,
  input  logic [19:0]     dma_addr_i,
  input  logic [8*N-1:0]  dma_data_i,
  input  logic            zero_we_i,
  input  logic [19:0]     zero_addr_i,
  input  logic            vec_we_i,
  input  logic [19:0]     vec_waddr_i,
  input  logic [8*N-1:0]  vec_wdata_i,
  input  logic [19:0]     mxu_addr_i,
  input  logic [19:0]     vec_a_addr_i,
  input  logic [19:0]     vec_b_addr_i,
  input  logic [19:0]     store_addr_i,
  input  logic [19:0]     win_in_addr_i,
  input  logic [19:0]     win_wts_addr_i,
  /* verilator lint_on UNUSEDSIGNAL */
  output logic [8*N-1:0]  mxu_data_o,
  output logic [8*N-1:0]  vec_a_data_o,
  output logic [8*N-1:0]  vec_b_data_o,
  output logic [8*N-1:0]  store_data_o,
  // window row k at bits [8*N*k +: 8*N]
  output logic [8*N*WINDOW-1:0] win_in_data_o,
  output logic [8*N*WINDOW-1:0] win_wts_data_o
);
  localparam int AW = $clog2(ROWS);

  logic [8*N-1:0] mem [ROWS] /* verilator public_flat_rd */;

  always_ff @(posedge clk_i) begin
    if (dma_we_i)  mem[dma_addr_i[AW-1:0]]  <= dma_data_i;
    if (zero_we_i) mem[zero_addr_i[AW-1:0]] <= '0;
    if (vec_we_i)  mem[vec_waddr_i[AW-1:0]] <= vec_wdata_i;
  end

  assign mxu_data_o   = mem[mxu_addr_i[AW-1:0]];
  assign vec_a_data_o = mem[vec_a_addr_i[AW-1:0]];
  assign vec_b_data_o = mem[vec_b_addr_i[AW-1:0]];
  assign store_data_o = mem[store_addr_i[AW-1:0]];

  always_comb begin
    for (int k = 0; k < WINDOW; k++) begin
      win_in_data_o[8*N*k +: 8*N]  = mem[win_in_addr_i[AW-1:0] + AW'(k)];
      win_wts_data_o[8*N*k +: 8*N] = mem[win_wts_addr_i[AW-1:0] + AW'(k)];
    end
  end
endmodule
