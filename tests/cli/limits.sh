#!/usr/bin/env bash
# Resource limits (rtpu/limits.h) through the real binary: work over --max-memory or the
# default 8 GiB, over --max-macs or the default 10^15 MACs, or past --max-cycles is
# refused with one line naming the tensor (or memory) and its size, a non-zero exit, and
# no output file; the accepted side of each boundary runs. The memory plan's peak is
# derived here by hand for a two-node graph, so the rule is checked, not just exercised.
# usage: limits.sh RTPU SOURCE_DIR
set -u
rtpu=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export RTPU_CONFIG_DIR="$src/configs"
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# expect_error NAME EXIT_CODE FRAGMENT -- command...: exit code, one stderr line, fragment.
expect_error() {
  local name=$1 code=$2 fragment=$3
  shift 4
  "$@" >out.txt 2>err.txt
  local got=$?
  if [ "$got" -ne "$code" ]; then bad "$name: exit $got, expected $code ($(cat err.txt))"; return; fi
  if [ "$(wc -l <err.txt)" -ne 1 ]; then bad "$name: stderr is not one line: $(cat err.txt)"; return; fi
  if ! grep -qF -- "$fragment" err.txt; then bad "$name: '$(cat err.txt)' lacks '$fragment'"; return; fi
  ok
}
img=$src/graphs/stimuli/grating.png

# Weights of 1 TiB: refused by name and shape before any allocation, and no file written.
cat >bigw.json <<'JSON'
{"format": 1, "name": "bigw", "input": {"name": "image", "shape": [8, 8, 3]},
 "nodes": [
  {"name": "conv1", "input": "image", "conv": {"kernel": 8, "channels": 65536}},
  {"name": "conv2", "input": "conv1", "conv": {"kernel": 8, "channels": 65536}},
  {"name": "readout", "input": "conv2", "post": [{"op": "global_avg_pool"}, {"op": "fc", "units": 10}]}
 ], "readout": {"node": "readout"}}
JSON
expect_error "init: 1 TiB weight" 1 "graph 'bigw': weight 'conv2/pre.kernel' (8x8x65536x65536 fp32) needs 1.0 TiB" \
  -- "$rtpu" init bigw.json -o bigw.safetensors
[ -z "$(ls | grep bigw.safetensors)" ] && ok || bad "refused init left a file: $(ls)"
expect_error "run: 1 TiB weight" 1 "over the 8.0 GiB memory limit (raise it with --max-memory)" \
  -- "$rtpu" run bigw.json --input "$img"
# conv1's kernel alone is 8x8x3x65536 x 4 B = 48 MiB: over a 32M limit, named first.
expect_error "init: --max-memory" 1 "weight 'conv1/pre.kernel' (8x8x3x65536 fp32) needs 48.0 MiB: over the 32.0 MiB" \
  -- "$rtpu" init bigw.json -o small.safetensors --max-memory 32M

# An 8 GiB activation: 2048 x 2048 x 512 fp32, refused before the run allocates it.
cat >act.json <<'JSON'
{"format": 1, "name": "act", "input": {"name": "image", "shape": [2048, 2048, 3]},
 "nodes": [
  {"name": "conv1", "input": "image", "conv": {"kernel": 3, "channels": 512}},
  {"name": "readout", "input": "conv1", "post": [{"op": "global_avg_pool"}, {"op": "fc", "units": 10}]}
 ], "readout": {"node": "readout"}}
JSON
expect_error "run: 8 GiB activation" 1 \
  "graph 'act': the pre-memory conv output of node 'conv1' at step 0 (1x2048x2048x512) needs 8.0 GiB" \
  -- "$rtpu" run act.json --input "$img" --dump conv1@0=conv1.npy
[ ! -e conv1.npy ] && ok || bad "refused run wrote its dump"

# MACs: 17 steps x 118.7 T MACs per step is past the default 10^15.
cat >macs.json <<'JSON'
{"format": 1, "name": "macs", "input": {"name": "image", "shape": [8192, 8192, 3]},
 "nodes": [
  {"name": "conv1", "input": "image", "conv": {"kernel": 3, "channels": 65536}},
  {"name": "readout", "input": "conv1", "post": [{"op": "global_avg_pool"}, {"op": "fc", "units": 10}]}
 ], "readout": {"node": "readout"}}
JSON
expect_error "run: default MAC limit" 1 "graph 'macs': 17 steps x batch 1 x 118747256455168 MACs per step" \
  -- "$rtpu" run macs.json --input "$img"

# The plan, by hand, for two nodes and one step (fp32, 4 B a value):
#   weights: conv1 3x3x3x4 + 4, fc 4x10 + 10 = 162 floats          =     648 B
#   during the readout's task: the input 8x8x3 (768), conv1's output 8x8x4 (1024),
#   the readout's input, zeros at step 0 since a feedforward edge has delay 1 (1024),
#   its copy as the pre-memory value (1024), and the kernels' scratch: the conv bound
#   8 MiB + a resize copy of 8x8x4 (1024)
#   peak = 648 + 768 + 1024 + 1024 + 1024 + 8,388,608 + 1024        = 8,394,120 B
cat >two.json <<'JSON'
{"format": 1, "name": "two", "input": {"name": "image", "shape": [8, 8, 3]},
 "schedule": {"steps": 1},
 "nodes": [
  {"name": "conv1", "input": "image", "conv": {"kernel": 3, "channels": 4}},
  {"name": "readout", "input": "conv1", "post": [{"op": "global_avg_pool"}, {"op": "fc", "units": 10}]}
 ], "readout": {"node": "readout"}}
JSON
"$rtpu" run two.json --input "$img" --max-memory 8394120 >out.txt 2>err.txt && ok ||
  bad "run at exactly the planned peak: $(cat err.txt)"
expect_error "run one byte under the plan" 1 "needs 8.0 MiB, 8.0 MiB (8394120 B) in all with what comes before it: over the 8.0 MiB (8394119 B) memory limit" -- "$rtpu" run two.json --input "$img" --max-memory 8394119
# MACs: conv1 8x8x4 outputs x 27 taps = 6912, fc 4 x 10 = 40 (rtpu info's count).
expect_error "run: --max-macs" 1 "1 steps x batch 1 x 6952 MACs per step (6.95e+03 MACs) is over the limit of 6.95e+03" \
  -- "$rtpu" run two.json --input "$img" --max-macs 6951
"$rtpu" run two.json --input "$img" --max-macs 6952 >out.txt 2>&1 && ok || bad "run at exactly the MAC count: $(cat out.txt)"

# Usage errors.
expect_error "bad size" 2 "--max-memory '12X': expected bytes" -- "$rtpu" run two.json --input "$img" --max-memory 12X
expect_error "zero size" 2 "--max-memory '0'" -- "$rtpu" init two.json -o w.st --max-memory 0
expect_error "size overflow" 2 "--max-memory '99999999999T'" -- "$rtpu" init two.json -o w.st --max-memory 99999999999T
expect_error "missing size" 2 "--max-memory needs a value" -- "$rtpu" init two.json -o w.st --max-memory
expect_error "bad macs" 2 "--max-macs 'x'" -- "$rtpu" run two.json --input "$img" --max-macs x
expect_error "bad cycles" 2 "--max-cycles needs a positive integer" -- "$rtpu" run p.rtpu --max-cycles 0
"$rtpu" init two.json -o w.st --max-memory 1KiB >/dev/null && [ -s w.st ] && ok || bad "1KiB suffix"

# Programs: the device layer checks DRAM and the config's memories before any backend
# allocates; a run past --max-cycles fails on the simulator and the RTL alike. conv3x3
# on small-16 takes 634 cycles (tests/sim/test_sim_run.c): 634 fails, 635 runs.
"$rtpu" asm "$src/tests/sim/programs/conv3x3.s" --config small-16 -o p.rtpu >/dev/null || bad "asm"
expect_error "program: DRAM over --max-memory" 1 "program DRAM (" -- "$rtpu" run p.rtpu --max-memory 1K
expect_error "verify: DRAM over --max-memory" 1 "over the 1.0 KiB memory limit" \
  -- "$rtpu" verify p.rtpu --backends sim,rtl --max-memory 1K
# small-16: the UB (256 KiB) is counted right after DRAM (4.1 KiB), then the WB (16 KiB).
expect_error "program: unified buffer" 1 "config 'small-16': unified buffer needs 256.0 KiB" \
  -- "$rtpu" run p.rtpu --max-memory 200K
expect_error "program: weight buffer" 1 "config 'small-16': weight buffer needs 16.0 KiB, 276.1 KiB in all" \
  -- "$rtpu" run p.rtpu --max-memory 262K
backends=sim
"$rtpu" run p.rtpu --backend rtl >/dev/null 2>&1 && backends="sim rtl"
for b in $backends; do
  expect_error "$b: --max-cycles 634" 1 "still running after the cycle limit of 634 cycles" \
    -- "$rtpu" run p.rtpu --backend "$b" --max-cycles 634
  "$rtpu" run p.rtpu --backend "$b" --max-cycles 635 >out.txt 2>&1 && grep -q "634 cycles" out.txt && ok ||
    bad "$b: --max-cycles 635: $(cat out.txt)"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
