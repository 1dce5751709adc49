# constants, the tensor map, the DRAM size
.dram 4096
load.ub sram=0 dram=0x40 lines=1 rows=2 elems=4 stride=0 push=ex
load.lut table=1 dram=0x200 push=ex
cnop pop=ld
lut src=0 dst=4 rows=2 table=1 pop=ld push=st
store sram=4 dram=0x300 lines=1 rows=2 elems=8 stride=0 sram_stride=1 pop=ex
halt
.data 0x40
.hex 0102ff
.int8 -1 127
.int32 -2 0x01020304
.data 0x200
.hex 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
.tensor name=x node=conv1 step=3 role=output dtype=int8 dram=0x100 shape=1,2,2,3 block=2 scale=0.125
.tensor name=y node=conv2 step=-1 role=input dtype=int32 dram=0x400 shape=1,1,2,9 block=8 scale=1e-45
