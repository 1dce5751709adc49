#!/usr/bin/env bash
# rtpu info / init / run on graphs, through the real binary: each bad input must give a
# one-line message naming what and where, a non-zero exit, and leave no output file
# behind; good runs must be deterministic to the byte.
# usage: graph_commands.sh RTPU SOURCE_DIR
set -u
rtpu=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# expect_error NAME EXIT_CODE FRAGMENT -- command...
# The command must exit with EXIT_CODE and print exactly one stderr line containing FRAGMENT.
expect_error() {
  local name=$1 code=$2 fragment=$3
  shift 4
  "$@" >out.txt 2>err.txt
  local got=$?
  local lines
  lines=$(wc -l <err.txt)
  if [ "$got" -ne "$code" ]; then bad "$name: exit $got, expected $code ($(cat err.txt))"; return; fi
  if [ "$lines" -ne 1 ]; then bad "$name: $lines stderr lines, expected 1: $(cat err.txt)"; return; fi
  if ! grep -qF -- "$fragment" err.txt; then bad "$name: '$(cat err.txt)' lacks '$fragment'"; return; fi
  ok
}

# A small graph with a cell and feedback: 8x8x3 input, 4 nodes, T = 6.
cat >tiny.json <<'JSON'
{"format": 1, "name": "tiny", "input": {"shape": [8, 8, 3]},
 "schedule": {"steps": 6, "image_on": [0, 3]},
 "nodes": [
  {"name": "c1", "input": "image", "conv": {"kernel": 3, "stride": 2, "channels": 4, "activation": "elu"}},
  {"name": "c2", "input": "c1", "feedback": ["c3"], "conv": {"kernel": 3, "channels": 6},
   "cell": {"type": "rgc", "cell_channels": 3, "residual": false}},
  {"name": "c3", "input": "c2", "conv": {"kernel": 3, "channels": 5}, "cell": {"type": "lstm"}},
  {"name": "out", "input": "c3", "post": [{"op": "global_avg_pool"}, {"op": "fc", "units": 10}]}
 ],
 "readout": {"node": "out", "decoder": "max_conf"}}
JSON
# The same graph with one channel count changed (weights of one do not fit the other).
sed 's/"channels": 5/"channels": 7/' tiny.json >tiny7.json
img=$src/graphs/stimuli/grating.png

# --- usage errors (exit 2)
expect_error "no command" 2 "rtpu: missing command" -- "$rtpu"
expect_error "unknown command" 2 "rtpu: unknown command 'frobnicate'" -- "$rtpu" frobnicate
expect_error "info without graph" 2 "rtpu info: missing GRAPH.json" -- "$rtpu" info
expect_error "unknown option" 2 "unknown option '--fast'" -- "$rtpu" info tiny.json --fast
expect_error "schedule steps" 2 "--steps wants a whole number from 1 to 100000" -- "$rtpu" info tiny.json --schedule --steps 0
expect_error "schedule json" 2 "pick one" -- "$rtpu" info tiny.json --schedule --json
expect_error "steps without schedule" 2 "--steps goes with --schedule" -- "$rtpu" info tiny.json --steps 3
expect_error "run without input" 2 "no input" -- "$rtpu" run tiny.json
expect_error "bad steps" 2 "--steps needs a non-negative integer" -- "$rtpu" run tiny.json --input "$img" --steps abc
expect_error "bad backend" 2 "runs on --backend cpu" -- "$rtpu" run tiny.json --input "$img" --backend gpu
expect_error "init without -o" 2 "need GRAPH.json and -o" -- "$rtpu" init tiny.json

# --- the unrolled schedule: small-feedback at step 3 (docs/model-semantics.md section 1)
"$rtpu" info "$src/graphs/small-feedback.json" --schedule > schedule.txt || { echo "FAIL: info --schedule"; exit 1; }
grep -qx "t=3 conv2 <- conv1@2 fb conv3@2 fb conv4@2; live until t=4" schedule.txt ||
  { echo "FAIL: schedule line: $(grep 't=3 conv2' schedule.txt)"; exit 1; }
[ "$(grep -c "^t=" schedule.txt)" -eq 36 ] || { echo "FAIL: 6 steps x 6 nodes expected"; exit 1; }
rm -f schedule.txt
"$rtpu" info "$src/graphs/small-feedback.json" --schedule --steps 2 | grep -q "2 steps x 6 nodes" ||
  { echo "FAIL: --steps 2"; exit 1; }

# --- bad files (exit 1)
expect_error "missing graph" 1 "nope.json" -- "$rtpu" info nope.json
printf '{"format": 1,\n  "nodes": [' >broken.json
expect_error "malformed graph" 1 "broken.json:2:13: unexpected end of input" -- "$rtpu" info broken.json
sed 's/"c3"\]/"c9"]/' tiny.json >dangling.json
expect_error "feedback from missing node" 1 "node 'c2': feedback from 'c9', which does not exist" -- "$rtpu" info dangling.json
head -c 300 "$img" >truncated.png
expect_error "truncated image" 1 "truncated.png" -- "$rtpu" run tiny.json --input truncated.png
echo "not an image" >text.png
expect_error "undecodable image" 1 "text.png" -- "$rtpu" run tiny.json --input text.png
expect_error "missing image" 1 "absent.png" -- "$rtpu" run tiny.json --input absent.png

# --- weights
"$rtpu" init tiny.json -o w.safetensors --seed 3 >/dev/null || bad "init failed"
expect_error "weights of another graph" 1 "the graph needs" -- "$rtpu" run tiny7.json --weights w.safetensors --input "$img"
head -c 1000 w.safetensors >w_trunc.safetensors
expect_error "truncated weights" 1 "w_trunc.safetensors" -- "$rtpu" run tiny.json --weights w_trunc.safetensors --input "$img"
expect_error "missing weights" 1 "nothere.safetensors" -- "$rtpu" run tiny.json --weights nothere.safetensors --input "$img"
expect_error "init into a missing directory" 1 "nodir/w.safetensors" -- "$rtpu" init tiny.json -o nodir/w.safetensors

# --- dumps are checked before running, and a failed write leaves nothing
expect_error "dump of unknown node" 1 "graph 'tiny' has no node 'c7'" -- "$rtpu" run tiny.json --input "$img" --dump c7@1=x.npy
expect_error "dump step out of range" 1 "step 6 is outside 0..5" -- "$rtpu" run tiny.json --input "$img" --dump c2@6=x.npy
expect_error "dump into a missing directory" 1 "nodir/x.npy" -- "$rtpu" run tiny.json --input "$img" --dump c2@1=nodir/x.npy
expect_error "malformed dump" 1 "expected NODE@STEP=OUT.npy" -- "$rtpu" run tiny.json --input "$img" --dump c2-1

# Nothing half-written: no temporary or output files left by the failures above.
leftovers=$(ls -A | grep -Ev '^(tiny7?\.json|broken\.json|dangling\.json|truncated\.png|text\.png|w\.safetensors|w_trunc\.safetensors|out\.txt|err\.txt)$')
[ -z "$leftovers" ] && ok || bad "files left behind: $leftovers"

# --- good runs: output and determinism
"$rtpu" run tiny.json --input "$img" --input "$img" --dump c3@4=a.npy --json >run1.json 2>err.txt || bad "run 1: $(cat err.txt)"
"$rtpu" run tiny.json --input "$img" --input "$img" --dump c3@4=b.npy --json >run2.json 2>err.txt || bad "run 2: $(cat err.txt)"
cmp -s a.npy b.npy && ok || bad "dumps of two identical runs differ"
cmp -s run1.json run2.json && ok || bad "JSON of two identical runs differs"
# [2, 4, 4, 5] float32: 128-byte header (v1) + 160 bytes.
[ "$(stat -c %s a.npy)" -eq $((128 + 2 * 4 * 4 * 5 * 4)) ] && ok || bad "dump size $(stat -c %s a.npy)"
grep -q '"decoder": {"kind": "max_conf"' run1.json && ok || bad "JSON lacks the decoder"
grep -q '"weights": {"initial": true, "seed": 0}' run1.json && ok || bad "JSON does not say initial weights"
"$rtpu" run tiny.json --input "$img" >table.txt 2>err.txt || bad "table run: $(cat err.txt)"
grep -q "deterministic initial weights (seed 0), not trained" table.txt && ok || bad "table does not say initial weights"
[ "$(grep -c '^[0-9]' table.txt)" -eq 6 ] && ok || bad "expected 6 step rows: $(cat table.txt)"
# Weights from a file give the same result as the same seed drawn in memory.
"$rtpu" run tiny.json --input "$img" --seed 3 --dump c3@5=s.npy >/dev/null 2>&1 || bad "seeded run"
"$rtpu" run tiny.json --input "$img" --weights w.safetensors --dump c3@5=f.npy >/dev/null 2>&1 || bad "file run"
cmp -s s.npy f.npy && ok || bad "weights file differs from the same seed in memory"
"$rtpu" --version | grep -qE '^rtpu [0-9]+\.[0-9]+\.[0-9]+ \(spec format 1\)$' && ok || bad "--version"
# info reports the parameter total.
"$rtpu" info tiny.json --json | grep -q '"total_params": ' && ok || bad "info --json"

# --- the zoo's UGRNN and IntersectionRNN cells (graphs/small-ugrnn.json): info, init, run
ugrnn=$src/graphs/small-ugrnn.json
"$rtpu" info "$ugrnn" | grep -q "total parameters: 31466 " && ok || bad "info small-ugrnn: $("$rtpu" info "$ugrnn" 2>&1 | tail -2)"
"$rtpu" init "$ugrnn" -o ugrnn.safetensors --seed 2 >/dev/null 2>err.txt && ok || bad "init small-ugrnn: $(cat err.txt)"
"$rtpu" run "$ugrnn" --weights ugrnn.safetensors --input "$img" --dump conv3@5=ugrnn.npy --json >ugrnn.json 2>err.txt &&
  ok || bad "run small-ugrnn: $(cat err.txt)"
# conv3 (intersection, then maxpool) at step 5: [1, 4, 4, 12] float32 after a 128-byte header.
[ "$(stat -c %s ugrnn.npy)" -eq $((128 + 4 * 4 * 12 * 4)) ] && ok || bad "small-ugrnn dump size $(stat -c %s ugrnn.npy)"
"$rtpu" run "$ugrnn" --input "$img" --seed 2 --dump conv3@5=ugrnn_seed.npy >/dev/null 2>&1 || bad "seeded small-ugrnn run"
cmp -s ugrnn.npy ugrnn_seed.npy && ok || bad "small-ugrnn: weights file differs from the same seed in memory"

# --- the zoo's 11-layer post-memory block and decoder (graphs/small-intermediate.json)
inter=$src/graphs/small-intermediate.json
"$rtpu" info "$inter" | grep -q "total parameters: 40842 " && ok || bad "info small-intermediate: $("$rtpu" info "$inter" 2>&1 | tail -2)"
"$rtpu" run "$inter" --input "$img" --json >inter.json 2>err.txt && ok || bad "run small-intermediate: $(cat err.txt)"
grep -q '"decoder": {"kind": "tmaxconf", "beta": 0.5, "window": \[5, 8\], "examples": \[{"class": [0-9], "step": [5-7],' inter.json &&
  ok || bad "small-intermediate decoder: $(grep decoder inter.json)"
"$rtpu" run "$inter" --input "$img" | grep -q "^decoder tmaxconf (beta 0.5, steps 5..7):" && ok || bad "small-intermediate table"
# Its window starts at num_layers = 5: a 4-step run cannot hold it, and says so before running.
expect_error "zoo decoder window past the run" 1 "the tmaxconf decoder's window starts at step 5, past a run of 4 steps" \
  -- "$rtpu" run "$inter" --input "$img" --steps 4

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
