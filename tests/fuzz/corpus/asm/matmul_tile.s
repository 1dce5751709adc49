# One 8x8 weight tile times 8 input rows of 8 channels: ACC rows 0..7 = X (8x8) * W (8x8).
# Inputs (written by the test): W at DRAM 0x100 (row k = input channel k), X at 0x0.
# Config-independent: rows carry 8 values, so it runs unchanged on any N >= 8.
load.wb sram=0 dram=0x100 lines=1 rows=8 elems=8 stride=0 push=ex
load.ub sram=0 dram=0x0 lines=1 rows=8 elems=8 stride=0 push=ex
ldw wb=0 pop=ld
matmul acc=0 ub=0 outer=1 outer_stride=0 inner=8 inner_stride=1 k=8 n=8 accumulate=0 pop=ld
halt
