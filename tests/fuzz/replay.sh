#!/bin/sh
# Runs a fuzz harness once on every file of the given directories, for ctest.
#   replay.sh [--expect-planted-crash] HARNESS DIR...
# HARNESS is a libFuzzer binary (RTPU_FUZZ build) or a replay driver (other builds); both
# take files, and both ignore the libFuzzer options passed here. Without the option the
# run must pass. With it the harness is a planted build, and the run must fail with the
# planted crash (and not some other failure), which shows a crash does fail the run.
set -u
expect_crash=0
if [ "${1:-}" = "--expect-planted-crash" ]; then
  expect_crash=1
  shift
fi
harness=$1
shift
work=$(mktemp -d "${TMPDIR:-/tmp}/rtpu-fuzz-replay-XXXXXX")
trap 'rm -rf "$work"' EXIT
files=""
count=0
for dir in "$@"; do
  [ -d "$dir" ] || { echo "replay.sh: no directory $dir" >&2; exit 2; }
  for f in "$dir"/*; do
    case "$(basename "$f")" in README*) continue ;; esac
    if [ -f "$f" ]; then
      files="$files $f"
      count=$((count + 1))
    fi
  done
done
[ -n "$files" ] || { echo "replay.sh: no inputs in $*" >&2; exit 2; }
# shellcheck disable=SC2086 # file names in the tree have no spaces
"$harness" -artifact_prefix="$work/" -timeout=120 -rss_limit_mb=2560 $files >"$work/log" 2>&1
status=$?
if [ $expect_crash -eq 0 ]; then
  if [ $status -ne 0 ]; then
    cat "$work/log"
    echo "replay.sh: $harness failed (exit $status) on the inputs above" >&2
    exit 1
  fi
  echo "replay.sh: $count inputs ran cleanly through $(basename "$harness")"
  exit 0
fi
if [ $status -ne 0 ] && grep -q "planted crash" "$work/log"; then
  echo "replay.sh: $harness failed (exit $status) on the planted crash, as it must"
  exit 0
fi
cat "$work/log"
echo "replay.sh: expected $harness to fail with the planted crash (exit $status)" >&2
exit 1
