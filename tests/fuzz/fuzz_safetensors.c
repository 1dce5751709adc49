/* Fuzz harness: safetensors files (st_file_read, common/safetensors.c) and model weights
 * read from them (weights_load, the CPU reference's weights.c) for a small built-in graph.
 * A file that reads must describe itself consistently (sizes match shapes, names are
 * unique and found), its bytes must all be readable (ASan checks every one), and writing
 * its tensors back out and reading them again must give the same tensors. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/safetensors.h"
#include "common/safetensors_internal.h"
#include "compiler/ir.h"
#if __has_include("cpu/weights.h")
#include "cpu/weights.h"
#else
#include "runtime/weights.h"
#endif
#include "tests/fuzz/fuzz_support.h"

/* One 1x1 conv of 1 -> 2 channels: weights "c/pre.kernel" [1,1,1,2] and "c/pre.bias" [2],
 * so a valid weights file (the seed) is 264 bytes. */
static const char weights_graph[] =
    "{\"format\": 1, \"name\": \"fuzz-weights\", \"input\": {\"name\": \"image\", \"shape\": [2, 2, 1]},"
    " \"schedule\": {\"mode\": \"default\", \"steps\": 1, \"image_on\": [0, 1], \"blank\": 0.5},"
    " \"nodes\": [{\"name\": \"c\", \"input\": \"image\", \"conv\": {\"kernel\": 1, \"channels\": 2}}],"
    " \"readout\": {\"node\": \"c\", \"decoder\": \"last\"}}";

static const graph *small_graph(void)
{
    static graph *g;
    if (!g) {
        rtpu_error err = {0};
        if (graph_load_text(weights_graph, sizeof weights_graph - 1, "fuzz-weights.json", &g, &err))
            fuzz_fail("the built-in weights graph does not load: %s", err.message);
    }
    return g;
}

static void check_file(const st_file *f)
{
    size_t count = st_file_count(f);
    if (st_file_tensor(f, count))
        fuzz_fail("st_file_tensor(%zu) of %zu tensors is not NULL", count, count);
    volatile unsigned char sink = 0;
    for (size_t i = 0; i < count; i++) {
        const st_tensor *t = st_file_tensor(f, i);
        if (!t || !t->name)
            fuzz_fail("tensor %zu is missing or has no name", i);
        if (t->ndim < 0 || t->ndim > ST_MAX_DIMS)
            fuzz_fail("tensor '%s' has %d dimensions", t->name, t->ndim);
        size_t bytes = 0;
        if (!st_shape_bytes(t->dtype, t->ndim, t->shape, SIZE_MAX, &bytes) || bytes != t->nbytes)
            fuzz_fail("tensor '%s': %zu bytes do not match its shape", t->name, t->nbytes);
        if (st_file_find(f, t->name) != t)
            fuzz_fail("tensor '%s' is not what st_file_find returns for its name", t->name);
        const unsigned char *data = t->data;
        for (size_t b = 0; b < t->nbytes; b++)
            sink ^= data[b];
    }
    (void)sink;
}

static bool same_tensor(const st_tensor *a, const st_tensor *b)
{
    if (strcmp(a->name, b->name) || a->dtype != b->dtype || a->ndim != b->ndim || a->nbytes != b->nbytes)
        return false;
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] != b->shape[d])
            return false;
    return a->nbytes == 0 || memcmp(a->data, b->data, a->nbytes) == 0;
}

static void round_trip(const st_file *f)
{
    size_t count = st_file_count(f);
    st_tensor *tensors = calloc(count ? count : 1, sizeof *tensors);
    if (!tensors)
        fuzz_fail("out of memory");
    for (size_t i = 0; i < count; i++)
        tensors[i] = *st_file_tensor(f, i);
    const char *path = fuzz_temp_path("again.safetensors");
    rtpu_error err = {0};
    if (st_file_write(path, tensors, count, NULL, &err))
        fuzz_fail("st_file_write of tensors that were read fails: %s", err.message);
    st_file *again = NULL;
    if (st_file_read(path, &again, &err))
        fuzz_fail("a safetensors file just written does not read: %s", err.message);
    if (st_file_count(again) != count)
        fuzz_fail("%zu tensors written, %zu read back", count, st_file_count(again));
    for (size_t i = 0; i < count; i++)
        if (!same_tensor(&tensors[i], st_file_tensor(again, i)))
            fuzz_fail("tensor '%s' changed in a write/read round trip", tensors[i].name);
    st_file_destroy(again);
    free(tensors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_planted_crash(data, size);
    const char *path = fuzz_temp_file(data, size, ".safetensors");
    st_file *f = (st_file *)1;
    rtpu_error err = {0};
    rtpu_status st = st_file_read(path, &f, &err);
    if (fuzz_check_error(st, &err, "st_file_read")) {
        if (f)
            fuzz_fail("st_file_read failed but left an output file");
        return 0;
    }
    check_file(f);
    round_trip(f);
    st_file_destroy(f);

    weights *w = (weights *)1;
    rtpu_error werr = {0};
    st = weights_load(small_graph(), path, 0, &w, &werr);
    if (fuzz_check_error(st, &werr, "weights_load")) {
        if (w)
            fuzz_fail("weights_load failed but left output weights");
        return 0;
    }
    rtpu_error cerr = {0};
    if (weights_check_graph(w, small_graph(), &cerr))
        fuzz_fail("weights_load gave weights that do not fit the graph: %s", cerr.message);
    weights_destroy(w);
    return 0;
}
