# Every lookup table: tables 0, 1, 2 (elu, sigmoid, tanh, built by the test) applied to all
# 256 int8 values (32 rows of 8 at DRAM 0x0). Results stored at 0x1000, 0x1100, 0x1200.
load.lut table=0 dram=0x400
load.lut table=1 dram=0x500
load.lut table=2 dram=0x600
load.ub sram=0 dram=0x0 lines=1 rows=32 elems=8 stride=0 push=ex
lut src=0 dst=32 rows=32 table=0 pop=ld
lut src=0 dst=64 rows=32 table=1
lut src=0 dst=96 rows=32 table=2 push=st
store sram=32 dram=0x1000 lines=3 rows=32 elems=8 stride=256 sram_stride=32 pop=ex
halt
