/* Random valid programs (random_program.c) co-simulated on the simulator and the RTL, on
 * 8x8 and 16x16 arrays with random timing fields: every memory bit-exact, every
 * instruction's dispatch, start and end cycle equal, every stat equal. Seeded: a failure
 * names the seed and the program's disassembly can be reproduced from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "random_program.h"
#include "device_test_util.h"
#include "target/asm.h"
#include "sim/sim_test_util.h"

enum { PROGRAMS_PER_SIZE = 200, INSNS_PER_PROGRAM = 60 };

static void run_programs(const char *config)
{
    rtpu_config base;
    test_load_config(config, &base);
    uint64_t cycles = 0, insns = 0;
    for (int i = 0; i < PROGRAMS_PER_SIZE; i++) {
        uint64_t seed = 1000 * base.array_size + (uint64_t)i;
        rng r;
        rng_seed(&r, seed);
        cosim c;
        cosim_create(&c, random_program(&r, &base, INSNS_PER_PROGRAM));
        if (getenv("RTPU_RANDOM_DUMP")) {
            char *text = NULL;
            size_t len = 0;
            rtpu_error err = {0};
            if (!disasm_text(c.program, &text, &len, &err))
                printf("# seed %llu\n%s\n", (unsigned long long)seed, text);
            free(text);
        }
        cosim_run_and_compare(&c);
        cycles += rtpu_device_stats(cosim_ref(&c))->total_cycles;
        insns += c.program->insn_count;
        cosim_destroy(&c);
    }
    printf("%s: %d random programs, %llu instructions, %llu cycles, all equal\n", config, PROGRAMS_PER_SIZE,
           (unsigned long long)insns, (unsigned long long)cycles);
}

static void test_random_8x8(void **state)
{
    (void)state;
    run_programs("small-8");
}

static void test_random_16x16(void **state)
{
    (void)state;
    run_programs("small-16");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_8x8),
        cmocka_unit_test(test_random_16x16),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
