#!/bin/sh
# rtpu verify through the built rtpu binary: agreement on hand-written programs (text and
# JSON), and bad inputs that must fail with one line. Needs `verify` in cli/main.c's
# command table.
# usage: test_rtl_cli.sh RTPU SOURCE_DIR WORK_DIR
set -u
rtpu=$1 src=$2 work=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot make $work"
export RTPU_CONFIG_DIR="$src/configs"

# Until cli/main.c lists `verify`, the test reports itself skipped (exit 77) rather than failed.
if ! "$rtpu" --help | grep -q "^  verify "; then
  echo "SKIP: rtpu has no verify command yet (add it to cli/main.c's command table)"
  exit 77
fi
"$rtpu" verify --help | grep -q "usage: rtpu verify PROGRAM.rtpu --backends sim,rtl" || fail "verify --help"

for prog in conv3x3 vector_ops overlap luts; do
  "$rtpu" asm "$src/tests/sim/programs/$prog.s" --config small-8 -o "$prog.rtpu" || fail "asm $prog"
  "$rtpu" verify "$prog.rtpu" --backends sim,rtl > "$prog.txt" || fail "verify $prog: $(cat "$prog.txt")"
  grep -q "^sim and rtl agree" "$prog.txt" || fail "verify $prog: $(cat "$prog.txt")"
done
# The trace comes from the device API's timings, so the RTL's equals the simulator's.
"$rtpu" run conv3x3.rtpu --backend rtl --trace rtl_trace.json > /dev/null || fail "run --backend rtl --trace"
"$rtpu" run conv3x3.rtpu --backend sim --trace sim_trace.json > /dev/null || fail "run --backend sim --trace"
cmp rtl_trace.json sim_trace.json || fail "the RTL's trace differs from the simulator's"
# conv3x3 on small-8 is 548 cycles (derivation in tests/sim/test_sim_run.c)
grep -q "agree: 548 cycles" conv3x3.txt || fail "conv3x3 cycles: $(cat conv3x3.txt)"
"$rtpu" verify conv3x3.rtpu --backends rtl,sim --config small-8 --json > json.txt || fail "verify --json"
grep -q '"equal": true, "total_cycles": {"rtl": 548, "sim": 548}, "first_pc": -1' json.txt || fail "json: $(cat json.txt)"

# bad inputs: exit status, one line on stderr
expect() { # expect STATUS FRAGMENT ARGS...
  want=$1 fragment=$2
  shift 2
  "$rtpu" "$@" > out.txt 2> err.txt
  got=$?
  [ "$got" -eq "$want" ] || fail "$*: exit $got, want $want"
  [ "$(wc -l < err.txt)" -eq 1 ] || fail "$*: stderr is not one line: $(cat err.txt)"
  grep -q -- "$fragment" err.txt || fail "$*: stderr lacks '$fragment': $(cat err.txt)"
}
expect 2 "--backends A,B is required" verify conv3x3.rtpu
expect 2 "backend 'cpu' does not run program files with cycles" verify conv3x3.rtpu --backends sim,cpu
expect 2 "unknown backend 'gpu' (this build has: sim, rtl, cpu)" verify conv3x3.rtpu --backends sim,gpu
expect 2 "--backends wants two backend names A,B, got 'sim'" verify conv3x3.rtpu --backends sim
expect 2 "unknown option '--fast'" verify conv3x3.rtpu --backends sim,rtl --fast
expect 1 "cannot open" verify missing.rtpu --backends sim,rtl
expect 1 "program built for config 'small-8' (8x8), not 'small-16' (16x16)" \
  verify conv3x3.rtpu --backends sim,rtl --config small-16
"$rtpu" asm "$src/tests/sim/programs/conv3x3.s" --config tpu-128 -o big.rtpu || fail "asm tpu-128"
expect 1 "no verilated model for a 128x128 array" verify big.rtpu --backends sim,rtl
echo "ok"
