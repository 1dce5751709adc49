/* Benchmark: simulated cycles per host second of the RTL model (Verilator) and of the C
 * simulator, on small-16, for two programs built here:
 *   compute-bound: one weight tile, then 400 accumulating matmuls of 256 rows each
 *                  (the MXU is busy 99.9% of the cycles);
 *   DMA-bound:     300 rounds of a 64-row load, a 64-row lut and a 64-row store with
 *                  double-buffering tokens (the load and store units dominate).
 * Both backends run the same program from the same DRAM; the run also checks that they
 * agree (total cycles and all memories), so a fast but wrong model cannot report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtpu/rtpu.h"
#include "target/asm.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void die(const char *what, const rtpu_error *err)
{
    fprintf(stderr, "bench_rtl: %s: %s\n", what, err->message);
    exit(1);
}

/* Appends printf-formatted text to a growing buffer. */
static void append(char **text, size_t *len, const char *line)
{
    size_t n = strlen(line);
    char *more = realloc(*text, *len + n + 1);
    if (!more) {
        fprintf(stderr, "bench_rtl: out of memory\n");
        exit(1);
    }
    memcpy(more + *len, line, n + 1);
    *text = more;
    *len += n;
}

static char *compute_bound(void)
{
    char *t = NULL, line[256];
    size_t len = 0;
    append(&t, &len, "load.wb sram=0 dram=0x0 lines=1 rows=16 elems=16 stride=0 push=ex\n");
    append(&t, &len, "load.ub sram=0 dram=0x100 lines=1 rows=16 elems=16 stride=0 push=ex\n");
    append(&t, &len, "ldw wb=0 pop=ld\n");
    for (int i = 0; i < 400; i++) {
        snprintf(line, sizeof line,
                 "matmul acc=0 ub=0 outer=16 outer_stride=0 inner=16 inner_stride=1 k=16 n=16 accumulate=%d%s\n",
                 i > 0, i == 0 ? " pop=ld" : "");
        append(&t, &len, line);
    }
    append(&t, &len, "halt\n");
    return t;
}

static char *dma_bound(void)
{
    char *t = NULL, line[256];
    size_t len = 0;
    append(&t, &len, "load.lut table=0 dram=0x0\n");
    for (int i = 0; i < 300; i++) {
        int in = 256 + 64 * (i % 2), out = 512 + 64 * (i % 2);
        snprintf(line, sizeof line, "load.ub sram=%d dram=0x%x lines=1 rows=64 elems=16 stride=0 %s push=ex\n", in,
                 0x1000 + 0x400 * (i % 8), i >= 2 ? "pop=ex" : "");
        append(&t, &len, line);
        snprintf(line, sizeof line, "lut src=%d dst=%d rows=64 table=0 pop=ld push=ld,st%s\n", in, out,
                 i >= 2 ? " pop=st" : "");
        append(&t, &len, line);
        snprintf(line, sizeof line, "store sram=%d dram=0x%x lines=1 rows=64 elems=16 stride=0 sram_stride=0 pop=ex push=ex\n",
                 out, 0x4000 + 0x400 * (i % 8));
        append(&t, &len, line);
    }
    append(&t, &len, "halt\n");
    return t;
}

static void bench(const char *name, char *text, const rtpu_config *cfg)
{
    rtpu_error err = {0};
    rtpu_program *p = NULL;
    if (asm_assemble(text, strlen(text), name, cfg, &p, &err))
        die(name, &err);
    free(text);
    rtpu_device *sim = NULL, *rtl = NULL;
    if (rtpu_device_open_program("sim", p, NULL, &sim, &err) || rtpu_device_open_program("rtl", p, NULL, &rtl, &err))
        die(name, &err);
    uint8_t *bytes = malloc(p->dram_size);
    for (uint64_t i = 0; i < p->dram_size; i++)
        bytes[i] = (uint8_t)(i * 2654435761u >> 13);
    if (rtpu_device_write_dram(sim, 0, bytes, p->dram_size, &err) ||
        rtpu_device_write_dram(rtl, 0, bytes, p->dram_size, &err))
        die(name, &err);
    free(bytes);
    double t0 = now();
    if (rtpu_device_run(sim, NULL, &err))
        die(name, &err);
    double t1 = now();
    if (rtpu_device_run(rtl, NULL, &err))
        die(name, &err);
    double t2 = now();
    rtpu_comparison cmp;
    if (rtpu_device_compare(sim, rtl, &cmp, &err))
        die(name, &err);
    if (!cmp.equal) {
        fprintf(stderr, "bench_rtl: %s: sim and rtl differ:\n%s\n", name, cmp.text);
        exit(1);
    }
    const rtpu_stats *s = rtpu_device_stats(rtl);
    double cycles = (double)s->total_cycles;
    printf("%-14s %9.0f cycles  %5zu insns  mxu busy %4.1f%%  load busy %4.1f%%  store busy %4.1f%%\n", name, cycles,
           p->insn_count, 100.0 * (double)s->units[UNIT_MXU].busy / cycles,
           100.0 * (double)s->units[UNIT_LOAD].busy / cycles, 100.0 * (double)s->units[UNIT_STORE].busy / cycles);
    printf("%-14s rtl %8.3f s  %10.0f cycles/s   sim %8.5f s  %12.0f cycles/s   (sim / rtl %.0fx)\n", "", t2 - t1,
           cycles / (t2 - t1), t1 - t0, cycles / (t1 - t0), (t2 - t1) / (t1 - t0));
    rtpu_device_close(rtl);
    rtpu_device_close(sim);
    program_destroy(p);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "configs/small-16.json";
    rtpu_config cfg;
    rtpu_error err = {0};
    if (config_load(path, &cfg, &err))
        die(path, &err);
    bench("compute-bound", compute_bound(), &cfg);
    bench("dma-bound", dma_bound(), &cfg);
    return 0;
}
