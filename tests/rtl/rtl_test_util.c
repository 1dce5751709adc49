/* Helpers shared by the RTL tests (see rtl_test_util.h). */
#include "rtl_test_util.h"

#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

void cosim_create(cosim *c, rtpu_program *program)
{
    rtpu_error err = {0};
    c->program = program;
    c->sim = NULL;
    c->rtl = NULL;
    if (sim_create(program, &c->sim, &err) || rtl_create(program, &c->rtl, &err))
        fail_msg("%s", err.message);
}

void cosim_destroy(cosim *c)
{
    rtl_destroy(c->rtl);
    sim_destroy(c->sim);
    program_destroy(c->program);
}

void cosim_write_dram(cosim *c, uint64_t addr, const void *data, size_t size)
{
    rtpu_error err = {0};
    if (sim_write_dram(c->sim, addr, data, size, &err) || rtl_write_dram(c->rtl, addr, data, size, &err))
        fail_msg("%s", err.message);
}

void cosim_run_and_compare(cosim *c)
{
    rtpu_error err = {0};
    if (sim_run(c->sim, &err))
        fail_msg("sim: %s", err.message);
    if (rtl_run(c->rtl, 0, NULL, &err))
        fail_msg("rtl: %s", err.message);
    rtl_comparison cmp;
    if (rtl_compare_sim(c->sim, c->rtl, &cmp, &err))
        fail_msg("%s", err.message);
    if (!cmp.equal)
        fail_msg("'%s': simulator and RTL differ (%d differences, first pc %lld):\n%s", c->program->config.name,
                 cmp.differences, cmp.first_pc, cmp.text);
}

