#!/bin/sh
# The installed library, as a user meets it: `cmake --install` into a temporary prefix,
# examples/run_graph.c built against that copy twice (pkg-config, and a CMake project
# with find_package(rtpu)), run on graphs/small-feedback.json, and its numbers compared
# bit for bit with what the rtpu command writes for the same node and step (--dump).
# usage: test_install.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -u
build=$1 src=$2 work=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work" && mkdir -p "$work" || fail "cannot make $work"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" > "$work/install.log" 2>&1 || fail "install: $(tail -5 "$work/install.log")"
for f in lib/librtpu.a include/rtpu/rtpu.h include/rtpu/status.h include/rtpu/stats.h include/rtpu/version.h \
         lib/pkgconfig/rtpu.pc lib/cmake/rtpu/rtpuConfig.cmake lib/cmake/rtpu/rtpuConfigVersion.cmake bin/rtpu; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
# No header of the tree leaks into the public ones.
grep -h '#include "' "$prefix"/include/rtpu/*.h | grep -v '"rtpu/' && fail "public headers include private ones"

# 1. pkg-config
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
cc -std=c17 -Wall -Wextra -Werror "$src/examples/run_graph.c" $(pkg-config --cflags --libs rtpu) \
   -o "$work/run_graph_pc" 2> "$work/cc.log" || fail "pkg-config build: $(head -5 "$work/cc.log")"
# 2. CMake package
cmake -S "$src/examples" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" > "$work/cmake.log" 2>&1 &&
  cmake --build "$work/cmake" > "$work/cmake-build.log" 2>&1 || fail "cmake build: $(tail -5 "$work/cmake-build.log")"

cd "$work" || exit 1
graph=$src/graphs/small-feedback.json image=$src/graphs/stimuli/grating.png
"$work/run_graph_pc" "$graph" "$image" conv2 3 > pc.txt || fail "run_graph (pkg-config): $(cat pc.txt)"
"$work/cmake/run_graph" "$graph" "$image" conv2 3 > cm.txt || fail "run_graph (cmake): $(cat cm.txt)"
cmp pc.txt cm.txt || fail "the two builds print different results"
grep -q "conv2 at step 3: 1 x 8 x 8 x 12 = 768 values" pc.txt || fail "shape: $(cat pc.txt)"

# The same node from the rtpu command: first four float32 words of the .npy's data.
"$prefix/bin/rtpu" run "$graph" --input "$image" --dump conv2@3=conv2.npy > /dev/null || fail "rtpu run --dump"
want=$(tail -c $((768 * 4)) conv2.npy | od -An -v -t x4 -N 16 | tr -s ' ' | sed 's/^ //; s/ $//')
got=$(sed -n 's/^float32 bits: //p' pc.txt)
[ "$got" = "$want" ] || fail "values differ: example '$got', rtpu '$want'"
# Bad input through the library: one line, non-zero exit.
"$work/run_graph_pc" "$graph" "$image" conv9 3 > bad.txt 2>&1 && fail "unknown node accepted"
grep -q "graph 'small-feedback' has no node 'conv9'" bad.txt || fail "bad node message: $(cat bad.txt)"
echo "ok"
