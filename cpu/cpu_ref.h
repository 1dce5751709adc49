/* The fp32 CPU reference: runs a graph unrolled over T steps, exactly as
 * docs/model-semantics.md section 1 defines it (the unrolled schedule of
 * compiler/unroll.h, run by cpu/exec.c over the fp32 kernels), and keeps every node's
 * output at every step, or only those declared with cpu_reference_keep.
 *
 *   cpu_reference_create -> [cpu_reference_keep]... -> cpu_reference_run (once)
 *       -> cpu_reference_output(node, t)
 *
 * Every step computes every node (outputs before the stimulus arrives are not zero:
 * biases and cell dynamics), reading what its inputs produced `delay` steps earlier,
 * zeros before step 0. */
#ifndef RTPU_CPU_CPU_REF_H
#define RTPU_CPU_CPU_REF_H

#include "compiler/unroll.h"
#include "cpu/weights.h"

typedef struct cpu_reference cpu_reference;

/* Called after each step; return false to stop early (the run then fails). */
typedef bool (*cpu_progress_fn)(void *context, int step, int steps);

/* steps <= 0 uses the graph's schedule. Fails on absurd batch sizes. */
rtpu_status cpu_reference_create(const graph *g, const weights *w, int batch, int steps, cpu_reference **out,
                                 rtpu_error *err);
/* images: batch x H x W x C normalised stimulus (the input node's shape), NHWC.
 * Frame t is the image while the schedule shows it, else the blank value everywhere. */
/* Resource limits of the run (exec.h's executor_set_limits; 0 for the defaults); the
 * weights count towards max_memory. */
void cpu_reference_limit(cpu_reference *r, uint64_t max_memory, uint64_t max_macs);
rtpu_status cpu_reference_run(cpu_reference *r, const float *images, cpu_progress_fn progress, void *context,
                              rtpu_error *err);
/* Declares that node's output at step is wanted after the run. Before any declaration
 * every value is kept; after one, values that are neither declared nor read by a later
 * step are freed as the run goes (the readout's values for a decoder must be declared). */
rtpu_status cpu_reference_keep(cpu_reference *r, int node, int step, rtpu_error *err);
/* The unrolled schedule the run follows. */
const unrolled *cpu_reference_schedule(const cpu_reference *r);
/* Node's output at step t (batch x out_h x out_w x out_c), or NULL if out of range. */
const rtpu_tensor *cpu_reference_output(const cpu_reference *r, int node, int step);
int cpu_reference_steps(const cpu_reference *r);
void cpu_reference_destroy(cpu_reference *r);

#endif
