/* The one time unroller of the CPU executors, over a table of kernels.
 *
 * The executor walks the unrolled schedule (compiler/unroll.h) step by step; for each
 * task it builds the node's harbor (the feedforward input, feedback resized and
 * concatenated), runs the pre-memory conv, the cell and the post-memory ops, and frees
 * every value no later task reads and the caller did not ask to keep. It never touches
 * data: values are opaque, made and transformed only by the kernel set it was given, so
 * the fp32 reference (kernels_fp32.c) today and int8 or JIT-compiled kernels later run
 * under exactly the same unrolling, harbor and liveness rules. */
#ifndef RTPU_CPU_EXEC_H
#define RTPU_CPU_EXEC_H

#include "compiler/unroll.h"

typedef struct exec_value exec_value; /* defined by each kernel set */

/* The kernels of one numeric mode. ctx is the set's own context (weights, scratch). Every
 * out value was made by value_create with the shape the graph's shape inference gives. */
typedef struct exec_kernels {
    const char *name;
    /* A zeroed value of n x h x w x c. */
    rtpu_status (*value_create)(void *ctx, int n, int h, int w, int c, exec_value **out, rtpu_error *err);
    void (*value_destroy)(void *ctx, exec_value *v);
    /* The input node's frame: the batch of images, or the schedule's blank value. */
    rtpu_status (*frame)(void *ctx, const float *images, bool shows_image, exec_value *out, rtpu_error *err);
    /* Harbor: src resized (bilinear, align_corners) to out's H x W, written to out's
     * channels [offset, offset + src channels). */
    rtpu_status (*place)(void *ctx, const exec_value *src, int channel_offset, exec_value *out, rtpu_error *err);
    /* The node's pre-memory conv and activation on in, or a copy when it has none. */
    rtpu_status (*pre_conv)(void *ctx, int node, const exec_value *in, exec_value *out, rtpu_error *err);
    /* Cell state (zeros at step 0) and one cell step. feedback: the RGC's concatenated
     * feedback at the harbor size, or NULL. */
    rtpu_status (*state_create)(void *ctx, int node, int batch, void **state, rtpu_error *err);
    void (*state_destroy)(void *ctx, void *state);
    rtpu_status (*cell)(void *ctx, int node, const exec_value *x, const exec_value *u, const exec_value *feedback,
                        void *state, exec_value *out, rtpu_error *err);
    /* Post op `op` of the node: in -> out (pools, fc, conv, activation, flatten); a residual
     * adds its source (projected, resized) to in in place and gets out == in. u is that
     * source: the feedforward input for residual, the pre-conv's input (the harbor) for
     * residual_add. */
    rtpu_status (*post)(void *ctx, int node, int op, const exec_value *u, const exec_value *in, exec_value *out,
                        rtpu_error *err);
    /* For the memory plan (executor_run checks it before the first allocation): bytes of
     * a value of n x h x w x c, of a node's cell state, and an upper bound of what the
     * kernels allocate for themselves while running one task of the node (cell gates,
     * resize copies, convolution scratch). */
    uint64_t (*value_bytes)(void *ctx, int n, int h, int w, int c);
    uint64_t (*state_bytes)(void *ctx, int node, int batch);
    uint64_t (*scratch_bytes)(void *ctx, int node, int batch);
} exec_kernels;

typedef struct executor executor;

/* Called after each step; return false to stop early (the run then fails). */
typedef bool (*exec_progress_fn)(void *context, int step, int steps);

/* keep: [step * node_count + node] values to keep after the run; NULL keeps them all. */
rtpu_status executor_create(const graph *g, const unrolled *u, int batch, const exec_kernels *k, void *kernel_ctx,
                            const bool *keep, executor **out, rtpu_error *err);
void executor_destroy(executor *e);
/* Resource limits of the run (rtpu/limits.h; 0 for a default): max_memory counts
 * base_bytes already taken (the weights) plus the plan of every value, state and scratch
 * the run holds at once; max_macs bounds batch x steps x MACs per step. */
void executor_set_limits(executor *e, uint64_t max_memory, uint64_t base_bytes, uint64_t max_macs);
/* Runs every step once. images: batch x H x W x C (the input node's shape). A run over a
 * limit fails before anything is allocated, naming the value that crosses it. */
rtpu_status executor_run(executor *e, const float *images, exec_progress_fn progress, void *context, rtpu_error *err);
/* The value of node at step after the run, or NULL (out of range, or not kept). */
const exec_value *executor_value(const executor *e, int node, int step);

#endif
