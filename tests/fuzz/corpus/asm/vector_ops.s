# Every vector operation once, on 8-channel rows. Inputs (written by the test):
#   A: 4 rows at DRAM 0x0 -> UB 0..3 (also a 2x2 image), B: 4 rows at 0x20 -> UB 4..7,
#   ACC data: 4 rows at 0x100 -> ACC 0..3, requant parameters 3 rows at 0x200 -> ACC 8..10,
#   lookup table 0 at 0x300.
# Results in UB, all stored to DRAM 0x1000 (48 rows x 8 bytes):
#   8..11 vadd, 12..15 vsub, 16..19 vmul, 20..23 lut, 24 maxpool 2x2 of A, 28..36 resize
#   of A 2x2 -> 3x3, 40..43 requant, 44..47 vadd in place on a copy (dst = a).
load.ub sram=0 dram=0x0 lines=1 rows=4 elems=8 stride=0
load.ub sram=4 dram=0x20 lines=1 rows=4 elems=8 stride=0
load.ub sram=44 dram=0x0 lines=1 rows=4 elems=8 stride=0
load.acc sram=0 dram=0x100 lines=1 rows=4 elems=8 stride=0
load.acc sram=8 dram=0x200 lines=1 rows=3 elems=8 stride=0
load.lut table=0 dram=0x300 push=ex
vadd a=0 b=4 dst=8 rows=4 mul_a=3 mul_b=-2 shift=1 pop=ld
vsub a=0 b=4 dst=12 rows=4 mul_a=1 mul_b=1 shift=0
vmul a=0 b=4 dst=16 rows=4 mul=5 shift=6
lut src=0 dst=20 rows=4 table=0
maxpool src=0 dst=24 in_h=2 in_w=2 out_h=1 out_w=1 kernel_h=2 kernel_w=2 stride=2 pad_top=0 pad_left=0
resize src=0 dst=28 in_h=2 in_w=2 out_h=3 out_w=3
requant acc=0 ub=40 rows=4 param=8
vadd a=44 b=4 dst=44 rows=4 mul_a=1 mul_b=1 shift=0 push=st
store sram=0 dram=0x1000 lines=1 rows=48 elems=8 stride=0 sram_stride=0 pop=ex
halt
