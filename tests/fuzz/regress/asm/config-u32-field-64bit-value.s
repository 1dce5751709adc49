.config name=small-8 array_size=4294967304 unified_buffer_bytes=65536 accumulator_bytes=16384 weight_buffer_bytes=4096 lut_tables=8 dram_bytes=16777216 dram_bytes_per_cycle=4 dram_latency_cycles=10 vector_lanes=8 vector_pipeline_cycles=2 queue_depth=8 clock_mhz=200
halt
