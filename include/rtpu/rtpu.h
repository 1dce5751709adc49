/* rtpu's public API: load a model or a program, open it on a backend, write inputs, run,
 * read any tensor, read stats. One interface for every backend, in the spirit of VTA's
 * driver.h: each backend (the cycle-level simulator "sim", the Verilog RTL "rtl", the
 * fp32 CPU reference "cpu") fills one table of functions, rtpu_backend; callers go
 * through the rtpu_device_* calls below and never name a backend's own API.
 *
 *   rtpu_program_load("m.rtpu", &p, &err);            or  rtpu_graph_load("g.json", &g, &err);
 *   rtpu_device_open_program("sim", p, NULL, &dev, &err); rtpu_weights_init(g, 0, 0, &w, &err);
 *                                                         rtpu_device_open_graph("cpu", g, w, &opts, &dev, &err);
 *   rtpu_device_write(dev, "input", -1, values, count, &err);
 *   rtpu_device_run(dev, NULL, &err);
 *   rtpu_device_read(dev, "conv2", 3, out, count, &err);   (node conv2 at step 3)
 *   rtpu_device_close(dev);
 *
 * Tensors are named two ways: by a name (a program's tensor-map entry, or a graph's
 * "input"; pass step = RTPU_BY_NAME), or by (node, step), the output of a node at one
 * time step. Values cross the API as float32 NHWC real values: a program's int8/int32
 * tensors are dequantised on reading and quantised on writing with the tensor's scale.
 *
 * Every call returns an rtpu_status and, on failure, fills the rtpu_error with one line
 * (rtpu/status.h); nothing prints, nothing exits. A backend that cannot do something
 * (the cpu backend has no cycles; the simulator runs no graph) says so with
 * RTPU_ERR_UNSUPPORTED. */
#ifndef RTPU_RTPU_H
#define RTPU_RTPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtpu/limits.h"
#include "rtpu/stats.h"
#include "rtpu/status.h"
#include "rtpu/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque handles. */
typedef struct rtpu_program rtpu_program; /* an accelerator program (.rtpu file) */
typedef struct graph rtpu_graph;          /* a ConvRNN model spec, validated and shape-inferred */
typedef struct weights rtpu_weights;      /* one fp32 array per parameter of a graph */
typedef struct rtpu_device rtpu_device;   /* a program or graph opened on a backend */

/* ---- Models, weights, programs ---- */

rtpu_status rtpu_graph_load(const char *path, rtpu_graph **out, rtpu_error *err);
void rtpu_graph_destroy(rtpu_graph *g);
/* Deterministic initial weights (the authors' initialisers, seeded), or a safetensors file.
 * max_memory: bytes the weights may take (0: RTPU_DEFAULT_MAX_MEMORY); a graph whose
 * weights need more is refused before anything is allocated, naming the weight. */
rtpu_status rtpu_weights_init(const rtpu_graph *g, uint64_t seed, uint64_t max_memory, rtpu_weights **out,
                              rtpu_error *err);
rtpu_status rtpu_weights_load(const rtpu_graph *g, const char *path, uint64_t max_memory, rtpu_weights **out,
                              rtpu_error *err);
void rtpu_weights_destroy(rtpu_weights *w);
rtpu_status rtpu_program_load(const char *path, rtpu_program **out, rtpu_error *err);
void rtpu_program_destroy(rtpu_program *p);
/* The stimulus a graph's "input" takes, from files: images (PNG, JPEG, PPM/PGM: decoded,
 * resized to the input's H x W, scaled to [0, 1], ImageNet mean/std normalised) or .npy
 * tensors (already normalised). *images gets *batch x H x W x C floats; free them with
 * rtpu_free. */
rtpu_status rtpu_stimulus_load(const rtpu_graph *g, const char *const *paths, int count, float **images, int *batch,
                               rtpu_error *err);
void rtpu_free(void *memory);
/* Name of the graph's input, readout node and default number of steps. */
const char *rtpu_graph_name(const rtpu_graph *g);
const char *rtpu_graph_readout(const rtpu_graph *g);
int rtpu_graph_steps(const rtpu_graph *g);

/* ---- Tensors ---- */

enum { RTPU_BY_NAME = -1, RTPU_NAME_MAX = 64 };

typedef enum rtpu_tensor_role { RTPU_TENSOR_INPUT, RTPU_TENSOR_OUTPUT, RTPU_TENSOR_OTHER } rtpu_tensor_role;

/* What a tensor is: NHWC shape, where it comes from, and how it is stored (dtype_bits 8
 * or 32 for a program's integer tensors with their scale; 32 and scale 1 for fp32). */
typedef struct rtpu_tensor_desc {
    char name[RTPU_NAME_MAX];
    char node[RTPU_NAME_MAX]; /* "" when the tensor is not a node's output */
    int step;                 /* time step, or RTPU_BY_NAME */
    rtpu_tensor_role role;
    uint32_t shape[4];        /* n, h, w, c */
    size_t count;             /* n * h * w * c */
    int dtype_bits;
    bool is_float;
    float scale;
} rtpu_tensor_desc;

/* ---- Backends ---- */

typedef enum rtpu_backend_caps {
    RTPU_CAN_RUN_PROGRAM = 1 << 0, /* opens .rtpu programs */
    RTPU_CAN_RUN_GRAPH = 1 << 1,   /* opens graphs with weights */
    RTPU_CAN_COUNT_CYCLES = 1 << 2,/* stats and per-instruction timings */
    RTPU_CAN_READ_MEMORY = 1 << 3, /* DRAM and on-chip memories */
    RTPU_CAN_WAVES = 1 << 4,       /* a waveform of the run (rtpu_run_options.waves_path) */
} rtpu_backend_caps;

/* Options of one run; a zeroed struct (or NULL) means the defaults. */
typedef struct rtpu_run_options {
    uint64_t cycle_limit;      /* accelerator backends: stop with an error after this many cycles (0: default) */
    const char *waves_path;    /* RTPU_CAN_WAVES: FST waveform of the run, written atomically */
    /* Called after each time step of a graph; return false to stop (the run then fails). */
    bool (*progress)(void *context, int step, int steps);
    void *progress_context;
} rtpu_run_options;

/* Options for opening a graph. */
typedef struct rtpu_graph_options {
    int batch;                 /* examples per run (0: 1) */
    int steps;                 /* time steps (0: the graph's schedule) */
    /* Resource limits (rtpu/limits.h), checked before anything is allocated or run:
     * the weights plus every value the run keeps alive at once (0: RTPU_DEFAULT_MAX_MEMORY),
     * and batch x steps x MACs per step (0: RTPU_DEFAULT_MAX_MACS). */
    uint64_t max_memory;
    uint64_t max_macs;
} rtpu_graph_options;

/* Options for opening a program; a zeroed struct (or NULL) means the defaults. */
typedef struct rtpu_program_options {
    /* Bytes the backend may allocate for the program's DRAM, on-chip memories and
     * per-instruction records (0: RTPU_DEFAULT_MAX_MEMORY), checked at open. */
    uint64_t max_memory;
} rtpu_program_options;

/* The table each backend implements. `impl` is the backend's own object. A NULL entry
 * is an operation the backend does not have (the device layer answers
 * RTPU_ERR_UNSUPPORTED with the backend's name). */
typedef struct rtpu_backend {
    const char *name;          /* "sim", "rtl", "cpu" */
    const char *summary;       /* one line for `rtpu COMMAND --help` */
    unsigned caps;             /* rtpu_backend_caps */
    rtpu_status (*open_program)(const rtpu_program *p, void **impl, rtpu_error *err);
    rtpu_status (*open_graph)(const rtpu_graph *g, const rtpu_weights *w, const rtpu_graph_options *o, void **impl,
                              rtpu_error *err);
    void (*close)(void *impl);
    /* Describe a tensor: name with step RTPU_BY_NAME, or (node name, step). */
    rtpu_status (*describe)(void *impl, const char *name, int step, rtpu_tensor_desc *out, rtpu_error *err);
    /* Outputs the caller will read, declared before the run (graph backends keep only
     * these; without any declaration every node at every step is kept). */
    rtpu_status (*keep)(void *impl, const char *node, int step, rtpu_error *err);
    rtpu_status (*write)(void *impl, const rtpu_tensor_desc *t, const float *values, rtpu_error *err);
    rtpu_status (*run)(void *impl, const rtpu_run_options *o, rtpu_error *err);
    rtpu_status (*read)(void *impl, const rtpu_tensor_desc *t, float *out, rtpu_error *err);
    /* Accelerator state after a run. */
    const rtpu_stats *(*stats)(const void *impl);
    const rtpu_timing *(*timings)(const void *impl); /* one per instruction, program order */
    rtpu_status (*read_dram)(const void *impl, uint64_t addr, void *out, uint64_t size, rtpu_error *err);
    rtpu_status (*write_dram)(void *impl, uint64_t addr, const void *data, uint64_t size, rtpu_error *err);
    rtpu_status (*read_memory)(const void *impl, rtpu_memory m, uint64_t row, uint64_t count, void *out,
                               rtpu_error *err);
} rtpu_backend;

/* The backends this build has, in a fixed order (sim, rtl if built, cpu). */
size_t rtpu_backend_count(void);
const rtpu_backend *rtpu_backend_at(size_t index);
/* The backend called name; RTPU_ERR_UNSUPPORTED naming the backends this build has
 * (or saying the RTL was not built) when there is none. */
rtpu_status rtpu_backend_find(const char *name, const rtpu_backend **out, rtpu_error *err);

/* ---- Devices: a program or a graph opened on a backend ---- */

/* The program (or graph and weights) must outlive the device. */
rtpu_status rtpu_device_open_program(const char *backend, const rtpu_program *p, const rtpu_program_options *o,
                                     rtpu_device **out, rtpu_error *err);
rtpu_status rtpu_device_open_graph(const char *backend, const rtpu_graph *g, const rtpu_weights *w,
                                   const rtpu_graph_options *o, rtpu_device **out, rtpu_error *err);
void rtpu_device_close(rtpu_device *d);
const rtpu_backend *rtpu_device_backend(const rtpu_device *d);
/* The program the device runs, or NULL for a graph. */
const rtpu_program *rtpu_device_program(const rtpu_device *d);

rtpu_status rtpu_device_describe(rtpu_device *d, const char *name, int step, rtpu_tensor_desc *out, rtpu_error *err);
rtpu_status rtpu_device_keep(rtpu_device *d, const char *node, int step, rtpu_error *err);
/* count must equal the tensor's element count. */
rtpu_status rtpu_device_write(rtpu_device *d, const char *name, int step, const float *values, size_t count,
                              rtpu_error *err);
rtpu_status rtpu_device_run(rtpu_device *d, const rtpu_run_options *o, rtpu_error *err);
rtpu_status rtpu_device_read(rtpu_device *d, const char *name, int step, float *out, size_t count, rtpu_error *err);

/* Stats and timings of the last run, or NULL when the backend counts no cycles or has
 * not run. */
const rtpu_stats *rtpu_device_stats(const rtpu_device *d);
const rtpu_timing *rtpu_device_timings(const rtpu_device *d);
rtpu_status rtpu_device_read_dram(const rtpu_device *d, uint64_t addr, void *out, uint64_t size, rtpu_error *err);
rtpu_status rtpu_device_write_dram(rtpu_device *d, uint64_t addr, const void *data, uint64_t size, rtpu_error *err);
rtpu_status rtpu_device_read_memory(const rtpu_device *d, rtpu_memory m, uint64_t row, uint64_t count, void *out,
                                    rtpu_error *err);

/* ---- Co-verification ---- */

enum { RTPU_COMPARE_TEXT = 2048 };

typedef struct rtpu_comparison {
    bool equal;
    bool timing_equal;     /* timings and stats agree (data may still differ) */
    int differences;       /* differing items: timings, stats fields, memories */
    long long first_pc;    /* first instruction whose dispatch, start or end cycle differs; -1 if none */
    char text[RTPU_COMPARE_TEXT]; /* one line per difference (the first of each kind), '\n'-separated */
} rtpu_comparison;

/* Two devices that ran the same program, compared in this order: every instruction's
 * dispatch, start and end cycle; total cycles; per-unit busy, stall, idle and
 * instruction counts; MACs and DRAM bytes; then all of DRAM and every row of the
 * unified buffer, weight buffer, accumulators and lookup tables, bit for bit. */
rtpu_status rtpu_device_compare(const rtpu_device *a, const rtpu_device *b, rtpu_comparison *out, rtpu_error *err);

#ifdef __cplusplus
}
#endif

#endif
