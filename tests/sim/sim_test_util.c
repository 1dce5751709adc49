/* Helpers shared by the simulator tests (see sim_test_util.h). */
#include "sim_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

const char *const test_config_names[4] = {"small-8", "small-16", "tpu-128", "tpu-v1"};

char *test_source_path(const char *relative)
{
    const char *root = getenv("RTPU_SOURCE_DIR");
    assert_non_null(root);
    size_t n = strlen(root) + strlen(relative) + 2;
    char *path = malloc(n);
    assert_non_null(path);
    snprintf(path, n, "%s/%s", root, relative);
    return path;
}

void test_load_config(const char *name, rtpu_config *out)
{
    char rel[128];
    snprintf(rel, sizeof rel, "configs/%s.json", name);
    char *path = test_source_path(rel);
    rtpu_error err = {0};
    rtpu_status st = config_load(path, out, &err);
    if (st)
        fail_msg("%s", err.message);
    free(path);
}

rtpu_program *test_assemble(const char *file, const rtpu_config *config)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/sim/programs/%s", file);
    char *path = test_source_path(rel);
    rtpu_error err = {0};
    rtpu_program *p = NULL;
    if (asm_assemble_file(path, config, &p, &err))
        fail_msg("%s", err.message);
    free(path);
    return p;
}

void test_fill_int8(rng *r, int8_t *out, size_t count, int lo, int hi)
{
    for (size_t i = 0; i < count; i++)
        out[i] = (int8_t)(lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1)));
}

void test_write_dram(rtpu_sim *sim, uint64_t addr, const void *data, size_t size)
{
    rtpu_error err = {0};
    if (sim_write_dram(sim, addr, data, size, &err))
        fail_msg("%s", err.message);
}

void test_read_dram(const rtpu_sim *sim, uint64_t addr, void *out, size_t size)
{
    rtpu_error err = {0};
    if (sim_read_dram(sim, addr, out, size, &err))
        fail_msg("%s", err.message);
}

void test_pack_int32(uint8_t *out, const int32_t *values, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        uint32_t v = (uint32_t)values[i];
        out[4 * i] = (uint8_t)v;
        out[4 * i + 1] = (uint8_t)(v >> 8);
        out[4 * i + 2] = (uint8_t)(v >> 16);
        out[4 * i + 3] = (uint8_t)(v >> 24);
    }
}
