# A whole 3x3 SAME convolution layer, 8 -> 8 channels on a 4x4 image, without im2col:
# the DMA pads the image to 6x6 rows in the unified buffer, and each of the 9 taps is one
# matmul whose address pattern (outer 4 lines of stride 6, inner 4 rows of stride 1)
# walks the padded image shifted by (dy, dx). Taps accumulate into ACC rows 0..15; then
# requant (bias, multiplier, shift in ACC rows 16..18) writes int8 to UB rows 40..55 and
# store writes them to DRAM 0x1000.
# DRAM inputs (written by the test): W at 0x200 (9 taps x 8 rows x 8), X at 0x0 (4x4x8),
# requant parameters at 0x800 (3 rows of 8 int32).
load.wb sram=0 dram=0x200 lines=1 rows=72 elems=8 stride=0 push=ex
load.ub sram=0 dram=0x0 lines=4 rows=4 elems=8 stride=32 pad_top=1 pad_bottom=1 pad_left=1 pad_right=1 push=ex
load.acc sram=16 dram=0x800 lines=1 rows=3 elems=8 stride=0 push=ex
ldw wb=0 pop=ld
matmul acc=0 ub=0 outer=4 outer_stride=6 inner=4 inner_stride=1 k=8 n=8 accumulate=0 pop=ld
ldw wb=8
matmul acc=0 ub=1 outer=4 outer_stride=6 inner=4 inner_stride=1 k=8 n=8 accumulate=1
ldw wb=16
matmul acc=0 ub=2 outer=4 outer_stride=6 inner=4 inner_stride=1 k=8 n=8 accumulate=1
ldw wb=24
matmul acc=0 ub=6 outer=4 outer_stride=6 inner=4 inner_stride=1 k=8 n=8 accumulate=1
ldw wb=32
matmul acc=0 ub=7 outer=4 outer_stride=6 inner=4 inner_stride=1 k=8 n=8 accumulate=1
ldw wb=40
matmul acc=0 ub=8 outer=4 outer_stride=6 inner=4 inner_stride=1 k=8 n=8 accumulate=1
ldw wb=48
matmul acc=0 ub=12 outer=4 outer_stride=6 inner=4 inner_stride=1 k=8 n=8 accumulate=1
ldw wb=56
matmul acc=0 ub=13 outer=4 outer_stride=6 inner=4 inner_stride=1 k=8 n=8 accumulate=1
ldw wb=64
matmul acc=0 ub=14 outer=4 outer_stride=6 inner=4 inner_stride=1 k=8 n=8 accumulate=1
requant acc=0 ub=40 rows=16 param=16 pop=ld push=st
store sram=40 dram=0x1000 lines=1 rows=16 elems=8 stride=0 sram_stride=0 pop=ex
halt
