halt
.tensor name=t node=n step=0 role=input dtype=int8 dram=0 shape=1,1,1,1 block=1 scale=1e-45
