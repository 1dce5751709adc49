# rtpu program: 24 instructions, 0 segments, 0 tensors, 4224 bytes of DRAM
.config name=small-8 array_size=8 unified_buffer_bytes=65536 accumulator_bytes=16384 weight_buffer_bytes=4096 lut_tables=8 dram_bytes=16777216 dram_bytes_per_cycle=4 dram_latency_cycles=10 vector_lanes=8 vector_pipeline_cycles=2 queue_depth=8 clock_mhz=200
.dram 4224
load.wb sram=0 dram=0x200 lines=1 rows=72 elems=8 stride=0 pad_top=0 pad_bottom=0 pad_left=0 pad_right=0 push=ex # pc 0
load.ub sram=0 dram=0x0 lines=4 rows=4 elems=8 stride=32 pad_top=1 pad_bottom=1 pad_left=1 pad_right=1 push=ex # pc 1
load.acc sram=16 dram=0x800 lines=1 rows=3 elems=8 stride=0 pad_top=0 pad_bottom=0 pad_left=0 pad_right=0 push=ex # pc 2
ldw wb=0 pop=ld                                                                                      # pc 3
matmul acc=0 ub=0 outer=4 outer_stride=6 inner=4 inner_stride=1 k=8 n=8 accumulate=0 pop=ld          # pc 4
ldw wb=8                                                                                             # pc 5
matmul acc=0 ub=1 outer=4 outer_stride=6 inner=4 inner_stride=1 k=8 n=8 accumulate=1                 # pc 6
ldw wb=16                                                                                            # pc 7
matmul acc=0 ub=2 outer=4 outer_stride=6 inner=4 inner_stride=1 k=8 n=8 accumulate=1                 # pc 8
ldw wb=24                                                                                            # pc 9
matmul acc=0 ub=6 outer=4 outer_stride=6 inner=4 inner_stride=1 k=8 n=8 accumulate=1                 # pc 10
ldw wb=32                                                                                            # pc 11
matmul acc=0 ub=7 outer=4 outer_stride=6 inner=4 inner_stride=1 k=8 n=8 accumulate=1                 # pc 12
ldw wb=40                                                                                            # pc 13
matmul acc=0 ub=8 outer=4 outer_stride=6 inner=4 inner_stride=1 k=8 n=8 accumulate=1                 # pc 14
ldw wb=48                                                                                            # pc 15
matmul acc=0 ub=12 outer=4 outer_stride=6 inner=4 inner_stride=1 k=8 n=8 accumulate=1                # pc 16
ldw wb=56                                                                                            # pc 17
matmul acc=0 ub=13 outer=4 outer_stride=6 inner=4 inner_stride=1 k=8 n=8 accumulate=1                # pc 18
ldw wb=64                                                                                            # pc 19
matmul acc=0 ub=14 outer=4 outer_stride=6 inner=4 inner_stride=1 k=8 n=8 accumulate=1                # pc 20
requant acc=0 ub=40 rows=16 param=16 pop=ld push=st                                                  # pc 21
store sram=40 dram=0x1000 lines=1 rows=16 elems=8 stride=0 sram_stride=0 pop=ex                      # pc 22
halt                                                                                                 # pc 23
