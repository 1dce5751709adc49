#!/bin/sh
# The asm/disasm/run commands through the built rtpu binary: round trip to the
# byte-identical file, a run with stats/json/trace, and bad inputs that must fail with
# one line and leave no output file behind.
# usage: test_sim_cli.sh RTPU SOURCE_DIR WORK_DIR
set -u
rtpu=$1 src=$2 work=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work" && mkdir -p "$work" && cd "$work" || fail "cannot make $work"
export RTPU_CONFIG_DIR="$src/configs"

"$rtpu" asm --help | grep -q "usage: rtpu asm" || fail "asm --help"
"$rtpu" disasm --help | grep -q "usage: rtpu disasm" || fail "disasm --help"
"$rtpu" run x.rtpu --help | grep -q "usage: rtpu run PROGRAM.rtpu" || fail "run --help"

for prog in conv3x3 vector_ops overlap; do
  "$rtpu" asm "$src/tests/sim/programs/$prog.s" --config small-16 -o "$prog.rtpu" || fail "asm $prog"
  "$rtpu" disasm "$prog.rtpu" -o "$prog.dis.s" || fail "disasm $prog"
  "$rtpu" asm "$prog.dis.s" -o "$prog.again.rtpu" || fail "asm of disasm $prog"
  cmp "$prog.rtpu" "$prog.again.rtpu" || fail "$prog: asm -> disasm -> asm is not byte-identical"
done

# conv3x3 on small-16 is 634 cycles (derivation in tests/sim/test_sim_run.c)
"$rtpu" run conv3x3.rtpu --backend sim --stats --trace trace.json > run.txt || fail "run"
grep -q "634 cycles on small-16" run.txt || fail "run: cycles: $(cat run.txt)"
grep -q "^mxu  *432 " run.txt || fail "run: mxu busy: $(cat run.txt)"
grep -q '"traceEvents"' trace.json || fail "trace"
"$rtpu" run conv3x3.rtpu --json | grep -q '"total_cycles": 634' || fail "run --json"

# bad inputs: non-zero exit, one line on stderr, no output file
printf 'ldw wb=0\nfrob\nhalt\n' > bad.s
"$rtpu" asm bad.s --config small-8 -o bad.rtpu 2> err.txt && fail "bad asm succeeded"
grep -q "bad.s:2:1: unknown instruction 'frob'" err.txt || fail "bad asm message: $(cat err.txt)"
[ "$(wc -l < err.txt)" -eq 1 ] || fail "bad asm: more than one line"
[ ! -e bad.rtpu ] || fail "bad asm left an output file"
ls | grep -q '\.tmp\.' && fail "temporary file left behind"

"$rtpu" run conv3x3.rtpu --config tpu-v1 2> err.txt && fail "config mismatch accepted"
grep -q "program built for config 'small-16' (16x16), not 'tpu-v1' (256x256)" err.txt || fail "mismatch: $(cat err.txt)"

head -c 100 conv3x3.rtpu > cut.rtpu
"$rtpu" run cut.rtpu 2> err.txt && fail "truncated file accepted"
grep -q "truncated" err.txt || fail "truncated: $(cat err.txt)"

printf 'lnop push=ex\ncnop pop=ld\ncnop pop=ld\nhalt\n' > dead.s
"$rtpu" asm dead.s --config small-8 -o dead.rtpu || fail "asm dead.s"
"$rtpu" run dead.rtpu 2> err.txt && fail "deadlock not reported"
grep -q "deadlock.*pc 2 (cnop) waits for a ld->ex token" err.txt || fail "deadlock: $(cat err.txt)"
echo "test_sim_cli: ok"
