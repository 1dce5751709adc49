# Double buffering with dependency tokens: four 16-row blocks go DRAM -> UB -> lut -> DRAM.
# Blocks alternate between input buffers UB 0..15 / 16..31 and output buffers 32..47 /
# 48..63. Tokens: ld->ex "block loaded", ex->ld "input buffer free", ex->st "output
# ready", st->ex "output buffer free". Input at DRAM 0x0 (4 x 128 bytes), output at 0x1000,
# table 0 at 0x800.
load.lut table=0 dram=0x800
load.ub sram=0 dram=0x0 lines=1 rows=16 elems=8 stride=0 push=ex
load.ub sram=16 dram=0x80 lines=1 rows=16 elems=8 stride=0 push=ex
lut src=0 dst=32 rows=16 table=0 pop=ld push=ld,st
store sram=32 dram=0x1000 lines=1 rows=16 elems=8 stride=0 sram_stride=0 pop=ex push=ex
load.ub sram=0 dram=0x100 lines=1 rows=16 elems=8 stride=0 pop=ex push=ex
lut src=16 dst=48 rows=16 table=0 pop=ld push=ld,st
store sram=48 dram=0x1080 lines=1 rows=16 elems=8 stride=0 sram_stride=0 pop=ex push=ex
load.ub sram=16 dram=0x180 lines=1 rows=16 elems=8 stride=0 pop=ex push=ex
lut src=0 dst=32 rows=16 table=0 pop=ld,st push=st
store sram=32 dram=0x1100 lines=1 rows=16 elems=8 stride=0 sram_stride=0 pop=ex
lut src=16 dst=48 rows=16 table=0 pop=ld,st push=st
store sram=48 dram=0x1180 lines=1 rows=16 elems=8 stride=0 sram_stride=0 pop=ex
halt
