/* Fuzz harness: NumPy .npy files (npy_read, common/npy.c). An array that reads must be
 * whole (every element readable), and writing it with npy_write_f32 and reading it back
 * must give the same shape and the same float bits. */
#include <stdlib.h>
#include <string.h>

#include "common/npy.h"
#include "tests/fuzz/fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_planted_crash(data, size);
    const char *path = fuzz_temp_file(data, size, ".npy");
    npy_array a;
    rtpu_error err = {0};
    rtpu_status st = npy_read(path, &a, &err);
    if (fuzz_check_error(st, &err, "npy_read")) {
        if (a.data)
            fuzz_fail("npy_read failed but left data");
        return 0;
    }
    if (!a.data || a.ndim < 0 || a.ndim > NPY_MAX_DIMS)
        fuzz_fail("npy_read succeeded with %d dimensions and data %p", a.ndim, (void *)a.data);
    size_t count = npy_array_count(&a);
    volatile float sink = 0;
    for (size_t i = 0; i < count; i++)
        sink += a.data[i];
    (void)sink;

    const char *again_path = fuzz_temp_path("again.npy");
    rtpu_error werr = {0};
    if (npy_write_f32(again_path, a.data, a.ndim, a.shape, &werr))
        fuzz_fail("npy_write_f32 of an array that was read fails: %s", werr.message);
    npy_array b;
    if (npy_read(again_path, &b, &werr))
        fuzz_fail("an .npy file just written does not read: %s", werr.message);
    if (b.ndim != a.ndim || memcmp(b.shape, a.shape, sizeof a.shape[0] * (size_t)a.ndim) ||
        (count && memcmp(a.data, b.data, count * sizeof *a.data)))
        fuzz_fail("an array changed in a write/read round trip");
    npy_array_destroy(&b);
    npy_array_destroy(&a);
    return 0;
}
