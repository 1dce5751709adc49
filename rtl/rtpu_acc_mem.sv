// Accumulator memory: ROWS rows of N int32, stored as N column banks.
//
// Column banks let the MXU write every column of the array in the cycle its result
// leaves the bottom of that column: in one cycle column c writes row r - c, so each bank
// sees its own address. A matmul with accumulate reads the same bank and address in the
// same cycle (combinational read) and adds.
//   writes: load DMA data rows, load DMA zero (padding) rows, MXU (per column), vector
//           unit (one full row: dwconv and vsum results)
//   reads:  MXU (per column), vector unit (one row, plus the three requant parameter
//           rows param, param + 1, param + 2)
// Reads are combinational, writes land at the clock edge. dwconv and vsum with
// accumulate read their row on the vector read port and write the sum on the vector
// write port in the same cycle, as the MXU's accumulate does on its own ports.
// The MXU and vector write ports never write at the same time: hazard rule 3
// (docs/architecture.md, "Start") keeps a vector instruction from starting before every
// earlier matmul has ended and a matmul from starting before every earlier vector
// instruction has ended, so the two units are never busy together. Against the load DMA
// only tokens order the writes; if a racy program hits one row with both in a cycle, the
// vector unit's write wins (it comes last), as in the unified buffer.
module rtpu_acc_mem #(
  parameter int N    = 8,
  parameter int ROWS = 512
) (
  input  logic             clk_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic             dma_we_i,
  input  logic [19:0]      dma_addr_i,
  input  logic [32*N-1:0]  dma_data_i,
  input  logic             zero_we_i,
  input  logic [19:0]      zero_addr_i,
  input  logic [N-1:0]     mxu_we_i,
  input  logic [20*N-1:0]  mxu_addr_i,
  input  logic [32*N-1:0]  mxu_wdata_i,
  input  logic             vec_we_i,
  input  logic [19:0]      vec_waddr_i,
  input  logic [32*N-1:0]  vec_wdata_i,
  input  logic [19:0]      vec_addr_i,
  input  logic [19:0]      param_addr_i,
  /* verilator lint_on UNUSEDSIGNAL */
  output logic [32*N-1:0]  mxu_rdata_o,
  output logic [32*N-1:0]  vec_data_o,
  output logic [96*N-1:0]  param_data_o
);
  localparam int AW = $clog2(ROWS);

  logic [31:0] mem [N][ROWS] /* verilator public_flat_rd */;

  always_ff @(posedge clk_i) begin
    for (int c = 0; c < N; c++) begin
      if (dma_we_i)  mem[c][dma_addr_i[AW-1:0]]  <= dma_data_i[32*c +: 32];
      if (zero_we_i) mem[c][zero_addr_i[AW-1:0]] <= 32'd0;
      if (mxu_we_i[c]) mem[c][mxu_addr_i[20*c +: AW]] <= mxu_wdata_i[32*c +: 32];
      if (vec_we_i)    mem[c][vec_waddr_i[AW-1:0]] <= vec_wdata_i[32*c +: 32];
    end
  end

  // Parameter rows wrap inside the memory; the program checker guarantees param + 2 fits.
  logic [AW-1:0] param_row [3];
  assign param_row[0] = param_addr_i[AW-1:0];
  assign param_row[1] = param_addr_i[AW-1:0] + AW'(1);
  assign param_row[2] = param_addr_i[AW-1:0] + AW'(2);

  always_comb begin
    for (int c = 0; c < N; c++) begin
      mxu_rdata_o[32*c +: 32] = mem[c][mxu_addr_i[20*c +: AW]];
      vec_data_o[32*c +: 32]  = mem[c][vec_addr_i[AW-1:0]];
      for (int p = 0; p < 3; p++) param_data_o[32*(p*N + c) +: 32] = mem[c][param_row[p]];
    end
  end
endmodule
