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

# --- rtpu import: a model-zoo (tnn) file to a graph spec, validated before it is written
H='"harbor": {"function": "harbor", "preproc": null, "spatial_op": "resize", "channel_op": "concat"}'
M='"memory": {"function": "memory", "memory_decay": 0, "trainable": false}'
C='"memory": {"function": "memory", "filter_size": [3, 3], "out_depth": 8, "shape": [4, 4]}'
cc() { echo "{\"function\": \"component_conv\", \"input_name\": \"$1\", \"out_depth\": $2, \"ksize\": 3, \"strides\": [1, $3, $3, 1], \"padding\": \"SAME\", \"bias\": 0, \"activation\": \"elu\", \"batch_norm\": false}"; }
pool='{"function": "max_pool", "ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1], "padding": "SAME"}'
cat >ugrnn_tiny.json <<JSON
{"nodes": [
 {"name": "conv1", "shape": [16, 16, 3], $H, "pre_memory": [$(cc split 4 2), {"function": "dropout", "keep_prob": 1.0}], $M, "post_memory": [$pool]},
 {"name": "conv2", $H, "pre_memory": [$(cc conv1 4 1)], $M, "post_memory": []},
 {"name": "conv3", $H, "pre_memory": [$(cc conv2 8 1)], $C, "post_memory": [{"function": "conv", "ksize": [3, 3], "out_depth": 8, "activation": null}, {"function": "residual_add"}, {"function": "elu"}]},
 {"name": "conv4", $H, "pre_memory": [$(cc conv3 8 1)], $C, "post_memory": []},
 {"name": "conv5", $H, "pre_memory": [$(cc conv4 8 1)], $C, "post_memory": []},
 {"name": "imnetds", $H, "pre_memory": [{"function": "global_pool", "kind": "avg"}, {"function": "flatten"}, {"function": "fc", "out_depth": 10, "activation": null}], $M, "post_memory": [{"function": "identity"}]}],
 "edges": [{"from": "conv1", "to": "conv2"}, {"from": "conv2", "to": "conv3"}, {"from": "conv3", "to": "conv4"},
           {"from": "conv4", "to": "conv5"}, {"from": "conv5", "to": "imnetds"}, {"from": "conv5", "to": "conv3"}]}
JSON
"$rtpu" import ugrnn_tiny.json -o imported.json 2>notes.txt && ok || bad "import: $(cat notes.txt)"
grep -q "^cell type ugrnn (from the model name ugrnn_tiny.json)$" notes.txt && ok || bad "import notes: $(cat notes.txt)"
grep -q "^presentation default: T = 16, the image at steps 0..11, then blank 0.5$" notes.txt && ok || bad "import schedule note"
grep -q "^dropped: dropout with keep_prob 1" notes.txt && ok || bad "import dropout note"
# By hand: conv1 112, conv2 148, conv3 pre 872 (4 + 8 feedback channels) + UGRNN 2320 + post conv 584 +
# residual_add projection 96, conv4 and conv5 (4x4) 584 + 2320 each, imnetds fc 8 -> 10: 90.
"$rtpu" info imported.json | grep -q "total parameters: 10030 " && ok || bad "info imported: $("$rtpu" info imported.json 2>&1 | tail -3)"
"$rtpu" import ugrnn_tiny.json --presentation constant --steps 9 --decoder tmaxconf --name tiny9 -o imported9.json 2>/dev/null &&
  grep -q '"schedule": {"mode": "constant", "steps": 9}' imported9.json && grep -q '"decoder": "tmaxconf"' imported9.json &&
  grep -q '"name": "tiny9"' imported9.json && ok || bad "import with options"
expect_error "import constant without steps" 1 "the constant presentation needs --steps" -- "$rtpu" import ugrnn_tiny.json --presentation constant -o x.json
cp ugrnn_tiny.json lstm_tiny.json
"$rtpu" import lstm_tiny.json -o lstm.json 2>notes.txt && grep -q "lstm_shallow.npz" notes.txt &&
  grep -q '"peepholes": true' lstm.json && ok || bad "import lstm shallow: $(cat notes.txt)"
sed 's/"function": "flatten"/"function": "squeeze"/' ugrnn_tiny.json >ugrnn_bad.json
expect_error "import unknown function" 1 "ugrnn_bad.json:7:" -- "$rtpu" import ugrnn_bad.json -o x.json
expect_error "import unknown function" 1 "node 'imnetds': unknown pre_memory function 'squeeze'" -- "$rtpu" import ugrnn_bad.json -o x.json
# A conversion rtpu's spec reader rejects (a 4x4 VALID pool on a 2x2 value) leaves no file.
sed 's/"ksize": \[1, 2, 2, 1\], "strides": \[1, 2, 2, 1\], "padding": "SAME"/"ksize": [1, 16, 16, 1], "strides": [1, 1, 1, 1], "padding": "VALID"/' \
  ugrnn_tiny.json >ugrnn_badpool.json
expect_error "import invalid result" 1 "the converted graph is invalid: " -- "$rtpu" import ugrnn_badpool.json -o x.json
[ ! -e x.json ] && [ -z "$(ls | grep 'x.json.tmp')" ] && ok || bad "a failed import left a file: $(ls)"

# --- graphs/zoo/ (scripts/import-zoo): every converted zoo model loads; two known totals
for z in "$src"/graphs/zoo/*.json; do
  "$rtpu" info "$z" >/dev/null 2>err.txt && ok || bad "info $(basename "$z"): $(cat err.txt)"
done
# rgc_intermediate is graphs/median.json; the UGRNN model's count is the zoo's variables' (test_graph_cells).
"$rtpu" info "$src/graphs/zoo/rgc_intermediate.json" | grep -q "total parameters: 15445800 " && ok || bad "zoo rgc_intermediate params"
"$rtpu" info "$src/graphs/zoo/ugrnn_intermediate.json" | grep -q "total parameters: 50617832 " && ok || bad "zoo ugrnn_intermediate params"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
