# DMA-bound: four 32-row loads feed one-row vector adds; the load unit is busy almost
# all the time and the vector unit waits on tokens. Input at DRAM 0x0 (1 KiB).
# Every read waits for the load that writes its rows: the cnop takes block 0's token,
# each vadd the token of the block it reads for the first time.
load.ub sram=0 dram=0x0 lines=1 rows=32 elems=8 stride=0 push=ex
load.ub sram=32 dram=0x100 lines=1 rows=32 elems=8 stride=0 push=ex
load.ub sram=64 dram=0x200 lines=1 rows=32 elems=8 stride=0 push=ex
load.ub sram=96 dram=0x300 lines=1 rows=32 elems=8 stride=0 push=ex
cnop pop=ld
vadd a=0 b=32 dst=128 rows=1 mul_a=1 mul_b=1 shift=0 pop=ld
vadd a=128 b=64 dst=128 rows=1 mul_a=1 mul_b=1 shift=0 pop=ld
vadd a=128 b=96 dst=128 rows=1 mul_a=1 mul_b=1 shift=0 pop=ld
vadd a=128 b=127 dst=128 rows=1 mul_a=1 mul_b=1 shift=0 push=st
store sram=128 dram=0x1000 lines=1 rows=1 elems=8 stride=0 sram_stride=0 pop=ex
halt
