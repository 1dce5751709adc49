// Weight buffer: ROWS rows of N int8; N consecutive rows form a weight tile (row k holds
// the weights from input channel k to the N output channels).
//
// Written by the load DMA (data rows and zero padding rows), read one row per cycle by
// the weight path while `ldw` shifts a tile into the array's shadow weights. Reads are
// combinational, writes land at the clock edge (as in rtpu_unified_buffer).
module rtpu_weight_buffer #(
  parameter int N    = 8,
  parameter int ROWS = 512
) (
  input  logic            clk_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic            dma_we_i,
  input  logic [19:0]     dma_addr_i,
  input  logic [8*N-1:0]  dma_data_i,
  input  logic            zero_we_i,
  input  logic [19:0]     zero_addr_i,
  input  logic [19:0]     ldw_addr_i,
  /* verilator lint_on UNUSEDSIGNAL */
  output logic [8*N-1:0]  ldw_data_o
);
  localparam int AW = $clog2(ROWS);

  logic [8*N-1:0] mem [ROWS] /* verilator public_flat_rd */;

  always_ff @(posedge clk_i) begin
    if (dma_we_i)  mem[dma_addr_i[AW-1:0]]  <= dma_data_i;
    if (zero_we_i) mem[zero_addr_i[AW-1:0]] <= '0;
  end

  assign ldw_data_o = mem[ldw_addr_i[AW-1:0]];
endmodule
