// Lookup tables of the vector unit: TABLES tables of 256 int8 entries.
//
// load.lut writes a table in chunks of CHUNK bytes (one chunk per cycle, as its bytes
// arrive from DRAM); the vector unit's `lut` looks up N entries of one table per cycle,
// indexed by the bit patterns of the N int8 inputs. Reads are combinational.
module rtpu_lut_mem #(
  parameter int N      = 8,
  parameter int TABLES = 8,
  parameter int CHUNK  = 32
) (
  input  logic               clk_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic               we_i,
  input  logic [7:0]         wtable_i,
  input  logic [7:0]         wchunk_i,
  input  logic [8*CHUNK-1:0] wdata_i,
  input  logic [7:0]         rtable_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [8*N-1:0]     rindex_i,
  output logic [8*N-1:0]     rdata_o
);
  localparam int TW = TABLES > 1 ? $clog2(TABLES) : 1;

  logic [7:0] mem [TABLES][256] /* verilator public_flat_rd */;

  always_ff @(posedge clk_i) begin
    if (we_i)
      for (int b = 0; b < CHUNK; b++)
        mem[wtable_i[TW-1:0]][8'(int'(wchunk_i) * CHUNK + b)] <= wdata_i[8*b +: 8];
  end

  always_comb begin
    for (int c = 0; c < N; c++) rdata_o[8*c +: 8] = mem[rtable_i[TW-1:0]][rindex_i[8*c +: 8]];
  end
endmodule
