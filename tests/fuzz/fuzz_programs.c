/* Round trips and a capped simulator run for every program the fuzzer finds (see
 * fuzz_programs.h).
 *
 * The simulator has no limits of its own yet: it allocates the DRAM the program declares
 * (up to 4 GiB) and the memories of the config (up to 1.5 GiB), and its run time is the
 * data work of the instructions, which a few hundred bytes of program can make 10^12
 * operations. So the harness runs only programs under FUZZ_SIM_MAX_BYTES of memory and
 * FUZZ_SIM_MAX_WORK element operations, and under FUZZ_SIM_MAX_CYCLES summed instruction
 * cycles (an upper bound of the run's cycle count); the others are checked statically
 * only. These are the fuzzer's limits, not the product's (docs/PERFORMANCE.md,
 * "Robustness", lists what the product still needs). */
#include "tests/fuzz/fuzz_programs.h"

#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "target/asm.h"
#include "target/timing.h"
#include "tests/fuzz/fuzz_support.h"

#if __has_include("rtpu/stats.h")
typedef rtpu_stats fuzz_stats;
typedef rtpu_timing fuzz_timing;
#else
typedef sim_stats fuzz_stats;
typedef sim_timing fuzz_timing;
#endif

#define FUZZ_SIM_MAX_BYTES ((uint64_t)64 << 20)
#define FUZZ_SIM_MAX_WORK ((uint64_t)1 << 24)
#define FUZZ_SIM_MAX_CYCLES ((uint64_t)1 << 40)

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
    uint64_t r;
    return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

/* Element operations the simulator performs for one instruction (its data loops). */
static uint64_t insn_work(const rtpu_config *c, const isa_insn *in)
{
    const int64_t *a = in->args;
    uint64_t n = c->array_size;
    switch (in->opcode) {
    case OP_LOAD_UB:
    case OP_LOAD_WB:
    case OP_LOAD_ACC:
        return sat_mul(sat_mul((uint64_t)(a[LOAD_LINES] + a[LOAD_PAD_TOP] + a[LOAD_PAD_BOTTOM]),
                               (uint64_t)(a[LOAD_ROWS] + a[LOAD_PAD_LEFT] + a[LOAD_PAD_RIGHT])), n);
    case OP_LOAD_LUT: return 256;
    case OP_STORE: return sat_mul(sat_mul((uint64_t)a[STORE_LINES], (uint64_t)a[STORE_ROWS]), n);
    case OP_LDW: return n * n;
    case OP_MATMUL:
        return sat_mul(sat_mul((uint64_t)a[MATMUL_OUTER], (uint64_t)a[MATMUL_INNER]), n * n);
    case OP_REQUANT: return sat_mul((uint64_t)a[REQUANT_ROWS], n);
    case OP_VADD:
    case OP_VSUB:
    case OP_VMUL: return sat_mul((uint64_t)a[VEC_ROWS], n);
    case OP_LUT: return sat_mul((uint64_t)a[LUT_ROWS], n);
    case OP_MAXPOOL:
        return sat_mul(sat_mul(sat_mul((uint64_t)a[POOL_OUT_H], (uint64_t)a[POOL_OUT_W]),
                               sat_mul((uint64_t)a[POOL_KERNEL_H], (uint64_t)a[POOL_KERNEL_W])), n);
    case OP_RESIZE:
        return sat_mul(sat_mul((uint64_t)a[RESIZE_OUT_H], (uint64_t)a[RESIZE_OUT_W]), 4 * n);
    default: return 1;
    }
}

static int small_enough_to_run(const rtpu_program *p)
{
    const rtpu_config *c = &p->config;
    uint64_t bytes = p->dram_size;
    bytes = sat_add(bytes, c->unified_buffer_bytes);
    bytes = sat_add(bytes, c->weight_buffer_bytes);
    bytes = sat_add(bytes, c->accumulator_bytes);
    bytes = sat_add(bytes, (uint64_t)c->lut_tables * 256);
    if (bytes > FUZZ_SIM_MAX_BYTES)
        return 0;
    uint64_t work = 0, cycles = 0;
    for (size_t pc = 0; pc < p->insn_count; pc++) {
        work = sat_add(work, insn_work(c, &p->insns[pc]));
        cycles = sat_add(cycles, sat_add(isa_insn_cycles(c, &p->insns[pc]), 1));
    }
    return work <= FUZZ_SIM_MAX_WORK && cycles <= FUZZ_SIM_MAX_CYCLES;
}

static void check_stats(const rtpu_program *p, const fuzz_stats *s, const fuzz_timing *t)
{
    if (s->instructions != p->insn_count)
        fuzz_fail("sim: %llu instructions counted, the program has %zu", (unsigned long long)s->instructions,
                  p->insn_count);
    for (int u = 0; u < UNIT_COUNT; u++) {
        uint64_t busy = s->units[u].busy, stall = s->units[u].stall;
        if (busy > s->total_cycles || stall > s->total_cycles - busy ||
            s->units[u].idle != s->total_cycles - busy - stall)
            fuzz_fail("sim: unit %s busy %llu + stall %llu + idle %llu != total %llu", isa_unit_name((isa_unit)u),
                      (unsigned long long)busy, (unsigned long long)stall, (unsigned long long)s->units[u].idle,
                      (unsigned long long)s->total_cycles);
    }
    if (!(s->mxu_utilisation >= 0.0 && s->mxu_utilisation <= 1.0))
        fuzz_fail("sim: MXU utilisation %g is outside [0, 1]", s->mxu_utilisation);
    for (size_t pc = 0; pc < p->insn_count; pc++) {
        const isa_insn *in = &p->insns[pc];
        if (t[pc].start < t[pc].dispatch || t[pc].end > s->total_cycles)
            fuzz_fail("sim: pc %zu dispatched %llu, started %llu, ended %llu of %llu cycles", pc,
                      (unsigned long long)t[pc].dispatch, (unsigned long long)t[pc].start,
                      (unsigned long long)t[pc].end, (unsigned long long)s->total_cycles);
        uint64_t cycles = in->opcode == OP_HALT ? 1 : isa_insn_cycles(&p->config, in);
        if (t[pc].end - t[pc].start != cycles)
            fuzz_fail("sim: pc %zu (%s) took %llu cycles, its timing rule says %llu", pc,
                      isa_op_info(in->opcode)->mnemonic, (unsigned long long)(t[pc].end - t[pc].start),
                      (unsigned long long)cycles);
    }
}

static void run_on_simulator(const rtpu_program *p)
{
    if (!small_enough_to_run(p))
        return;
    rtpu_sim *sim = NULL;
    rtpu_error err = {0};
    if (fuzz_check_error(sim_create(p, &sim, &err), &err, "sim_create"))
        return;
    rtpu_status st = sim_run(sim, &err);
    if (!fuzz_check_error(st, &err, "sim_run")) {
        const fuzz_stats *s = sim_get_stats(sim);
        check_stats(p, s, sim_get_timings(sim));
        uint64_t first = s->total_cycles;
        /* Memories keep their contents between runs, timing restarts: same cycles. */
        rtpu_error again = {0};
        if (sim_run(sim, &again))
            fuzz_fail("sim: a program that ran fails the second time: %s", again.message);
        if (sim_get_stats(sim)->total_cycles != first)
            fuzz_fail("sim: %llu cycles, then %llu on the second run", (unsigned long long)first,
                      (unsigned long long)sim_get_stats(sim)->total_cycles);
    }
    sim_destroy(sim);
}

static void serialize_or_fail(const rtpu_program *p, const char *what, uint8_t **bytes, size_t *size)
{
    rtpu_error err = {0};
    if (program_serialize(p, bytes, size, &err))
        fuzz_fail("%s: program_serialize fails: %s", what, err.message);
}

static void expect_same(const uint8_t *a, size_t a_size, const uint8_t *b, size_t b_size, const char *what)
{
    if (a_size != b_size)
        fuzz_fail("%s: %zu bytes, expected %zu", what, b_size, a_size);
    for (size_t i = 0; i < a_size; i++)
        if (a[i] != b[i])
            fuzz_fail("%s: first difference at byte %zu (0x%02x, expected 0x%02x)", what, i, b[i], a[i]);
}

void fuzz_check_program(const rtpu_program *p, const uint8_t *file, size_t file_size)
{
    uint8_t *bytes = NULL;
    size_t size = 0;
    serialize_or_fail(p, "program", &bytes, &size);
    if (file)
        expect_same(file, file_size, bytes, size, "a loaded file serialised again");

    rtpu_program *q = NULL;
    rtpu_error err = {0};
    if (program_parse(bytes, size, "serialised", &q, &err))
        fuzz_fail("a serialised program does not load: %s", err.message);
    uint8_t *again = NULL;
    size_t again_size = 0;
    serialize_or_fail(q, "reloaded program", &again, &again_size);
    expect_same(bytes, size, again, again_size, "serialise -> parse -> serialise");
    free(again);
    program_destroy(q);

    char *text = NULL;
    size_t length = 0;
    if (fuzz_check_error(disasm_text(p, &text, &length, &err), &err, "disasm_text"))
        fuzz_fail("disasm_text fails on a valid program: %s", err.message);
    rtpu_program *r = NULL;
    if (asm_assemble(text, length, "disasm.s", NULL, &r, &err))
        fuzz_fail("the disassembly does not assemble: %s", err.message);
    serialize_or_fail(r, "reassembled program", &again, &again_size);
    expect_same(bytes, size, again, again_size, "disasm -> asm");
    free(again);
    program_destroy(r);
    free(text);
    free(bytes);

    run_on_simulator(p);
}
