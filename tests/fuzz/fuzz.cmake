# RTPU_FUZZ: the libFuzzer build of tests/fuzz (included from the top-level CMakeLists.txt
# before any library, because the libraries themselves must be instrumented).
#
#   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DRTPU_FUZZ=ON
#
# (scripts/fuzz does this.) Every target is compiled with coverage instrumentation for
# libFuzzer (-fsanitize=fuzzer-no-link) plus ASan and UBSan, as in RTPU_SANITIZE; the
# harnesses add -fsanitize=fuzzer when linking (tests/fuzz/CMakeLists.txt). The RTL is
# left out (Verilator's generated C++ has nothing to fuzz and takes minutes to build
# instrumented). With RTPU_FUZZ=OFF, the default, this file does nothing: the harnesses
# are then built as replay drivers with the normal compiler.
option(RTPU_FUZZ "Build the libFuzzer harnesses of tests/fuzz (clang; implies ASan + UBSan)" OFF)
if(RTPU_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "RTPU_FUZZ=ON needs clang (libFuzzer): -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++")
  endif()
  set(RTPU_RTL OFF CACHE BOOL "Build the verilated RTL model" FORCE)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined,float-cast-overflow
                      -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1)
  add_link_options(-fsanitize=address,undefined,float-cast-overflow)
endif()
