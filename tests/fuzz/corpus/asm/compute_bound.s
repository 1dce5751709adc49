# Compute-bound: one weight tile and 8 input rows, then 8 accumulating matmuls of 64 rows
# each (the address pattern re-reads the same 8 rows: outer stride 0). Weights at DRAM
# 0x100, inputs at 0x0; results in ACC rows 0..63.
load.wb sram=0 dram=0x100 lines=1 rows=8 elems=8 stride=0 push=ex
load.ub sram=0 dram=0x0 lines=1 rows=8 elems=8 stride=0 push=ex
ldw wb=0 pop=ld
matmul acc=0 ub=0 outer=8 outer_stride=0 inner=8 inner_stride=1 k=8 n=8 accumulate=0 pop=ld
matmul acc=0 ub=0 outer=8 outer_stride=0 inner=8 inner_stride=1 k=8 n=8 accumulate=1
matmul acc=0 ub=0 outer=8 outer_stride=0 inner=8 inner_stride=1 k=8 n=8 accumulate=1
matmul acc=0 ub=0 outer=8 outer_stride=0 inner=8 inner_stride=1 k=8 n=8 accumulate=1
matmul acc=0 ub=0 outer=8 outer_stride=0 inner=8 inner_stride=1 k=8 n=8 accumulate=1
matmul acc=0 ub=0 outer=8 outer_stride=0 inner=8 inner_stride=1 k=8 n=8 accumulate=1
matmul acc=0 ub=0 outer=8 outer_stride=0 inner=8 inner_stride=1 k=8 n=8 accumulate=1
matmul acc=0 ub=0 outer=8 outer_stride=0 inner=8 inner_stride=1 k=8 n=8 accumulate=1
halt
