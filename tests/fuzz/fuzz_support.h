/* Shared pieces of the fuzz harnesses (tests/fuzz/fuzz_*.c).
 *
 * Every harness is one LLVMFuzzerTestOneInput that feeds its input to one reader and then
 * checks what the reader promises, beyond "no crash":
 *   - a failure returns a real status, fills the rtpu_error with the same status and a
 *     non-empty, NUL-terminated message of one line (fuzz_check_error);
 *   - a failure leaves the output pointer NULL, a success leaves nothing to leak (ASan's
 *     leak checker runs after every input under libFuzzer, at exit in the replay driver);
 *   - what loads survives a round trip through the matching writer (program files,
 *     assembly, .npy).
 * A broken promise calls fuzz_fail, which prints it and aborts: libFuzzer records the
 * input as a crash, the replay driver exits non-zero.
 *
 * The same sources build two ways (tests/fuzz/CMakeLists.txt): with RTPU_FUZZ=ON as
 * libFuzzer binaries (clang, -fsanitize=fuzzer), otherwise linked with replay_main.c into
 * a driver that runs given files once, so ctest replays the corpora and reproducers under
 * the ordinary gcc release and ASan builds. RTPU_FUZZ_PLANTED_CRASH (test builds only)
 * makes every harness crash on inputs starting with FUZZ_PLANTED_MARKER, which is how the
 * tests prove that a crash does fail the run. */
#ifndef RTPU_TESTS_FUZZ_SUPPORT_H
#define RTPU_TESTS_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "rtpu/status.h"

#define FUZZ_PLANTED_MARKER "RTPU-FUZZ-PLANTED-CRASH"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints "fuzz: <what>" to stderr and aborts. */
_Noreturn void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The error contract above; `what` names the call in the failure message. Returns
 * status so a harness can write `if (fuzz_check_error(st, &err, "x")) return 0;`. */
rtpu_status fuzz_check_error(rtpu_status status, const rtpu_error *err, const char *what);

/* With RTPU_FUZZ_PLANTED_CRASH: crashes (a real heap overflow under ASan, abort()
 * otherwise) when the input starts with the marker. Without it: nothing. */
void fuzz_planted_crash(const uint8_t *data, size_t size);

/* Writes the input to a file in a private temporary directory (removed at exit) and
 * returns its path, for readers that take a path. suffix is the file name's ending. */
const char *fuzz_temp_file(const uint8_t *data, size_t size, const char *suffix);
/* A second path in the same directory, for writers (round trips). */
const char *fuzz_temp_path(const char *name);

#endif
