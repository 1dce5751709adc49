/* Helpers shared by the device tests (see device_test_util.h). */
#include "device_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

static bool runs_programs_with_cycles(const rtpu_backend *b)
{
    unsigned need = RTPU_CAN_RUN_PROGRAM | RTPU_CAN_COUNT_CYCLES | RTPU_CAN_READ_MEMORY;
    return (b->caps & need) == need;
}

void cosim_create(cosim *c, rtpu_program *program)
{
    rtpu_error err = {0};
    c->program = program;
    c->count = 0;
    for (size_t i = 0; i < rtpu_backend_count() && c->count < COSIM_MAX_DEVICES; i++) {
        const rtpu_backend *b = rtpu_backend_at(i);
        if (!runs_programs_with_cycles(b))
            continue;
        if (rtpu_device_open_program(b->name, program, NULL, &c->dev[c->count], &err))
            fail_msg("%s: %s", b->name, err.message);
        c->count++;
    }
    if (c->count == 0)
        fail_msg("this build has no backend that runs programs");
    /* A build with the RTL must co-simulate on it: the suite must not pass on sim alone. */
    const char *expect = getenv("RTPU_EXPECT_RTL");
    if (expect && *expect == '1' && !cosim_has_rtl())
        fail_msg("the build has the RTL, but the device registry has no 'rtl' backend");
}

void cosim_destroy(cosim *c)
{
    for (int k = 0; k < c->count; k++)
        rtpu_device_close(c->dev[k]);
    program_destroy(c->program);
}

void cosim_write_dram(cosim *c, uint64_t addr, const void *data, size_t size)
{
    rtpu_error err = {0};
    for (int k = 0; k < c->count; k++)
        if (rtpu_device_write_dram(c->dev[k], addr, data, size, &err))
            fail_msg("%s", err.message);
}

void cosim_run_and_compare(cosim *c)
{
    rtpu_error err = {0};
    for (int k = 0; k < c->count; k++)
        if (rtpu_device_run(c->dev[k], NULL, &err))
            fail_msg("%s: %s", rtpu_device_backend(c->dev[k])->name, err.message);
    for (int k = 1; k < c->count; k++) {
        rtpu_comparison cmp;
        if (rtpu_device_compare(c->dev[0], c->dev[k], &cmp, &err))
            fail_msg("%s", err.message);
        if (!cmp.equal)
            fail_msg("'%s': %s and %s differ (%d differences, first pc %lld):\n%s", c->program->config.name,
                     rtpu_device_backend(c->dev[0])->name, rtpu_device_backend(c->dev[k])->name, cmp.differences,
                     cmp.first_pc, cmp.text);
    }
}

const rtpu_device *cosim_ref(const cosim *c) { return c->dev[c->count - 1]; }

int cosim_has_rtl(void)
{
    const rtpu_backend *b = NULL;
    return rtpu_backend_find("rtl", &b, NULL) == RTPU_OK;
}
