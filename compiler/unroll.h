/* The unrolled schedule: the time unrolling of a graph over T steps, computed once
 * (docs/model-semantics.md section 1), for every executor to follow.
 *
 * For each step t and each node (in the graph's evaluation order within a step), a task
 * says which value each of its edges delivers: the output of node `from` at step
 * t - delay, or zeros (before step 0); and for the input node whether the frame is the
 * image or the blank one. For every value (node, step) it says until which step some
 * task still reads it (its liveness), so an executor can free or reuse its memory
 * after that step. The CPU executors, the quantiser (calibration) and the lowering
 * passes (double-buffered state and outputs across steps) read this structure instead
 * of re-deriving the rules. */
#ifndef RTPU_COMPILER_UNROLL_H
#define RTPU_COMPILER_UNROLL_H

#include "compiler/ir.h"

enum { UNROLL_ZEROS = -1, UNROLL_NEVER_READ = -1 };

/* What one edge delivers at one step. */
typedef struct unroll_read {
    int from;   /* source node */
    int step;   /* the source's step, or UNROLL_ZEROS before step 0 */
} unroll_read;

/* Node `node` at step `step`. */
typedef struct unroll_task {
    int node, step;
    bool is_input;        /* the input node: emits the frame of this step */
    bool shows_image;     /* input node: the image (true) or the blank frame */
    unroll_read input;    /* the feedforward input (unset for the input node) */
    int feedback_count;
    const unroll_read *feedback; /* in the node's feedback order (sorted source names) */
} unroll_task;

typedef struct unrolled {
    int steps, node_count;
    unroll_task *tasks;   /* steps * node_count: step-major, evaluation order within a step */
    unroll_read *reads;   /* storage of every task's feedback reads */
    int *last_read;       /* [step * node_count + node]: last step whose tasks read the value,
                             UNROLL_NEVER_READ if none */
    int max_live;         /* most values live at once (between two steps), for memory planning */
} unrolled;

/* steps >= 1. */
rtpu_status unroll_build(const graph *g, int steps, unrolled **out, rtpu_error *err);
void unroll_destroy(unrolled *u);
/* The k-th task of step t (k in evaluation order). */
const unroll_task *unroll_task_at(const unrolled *u, int step, int k);
/* True when value (node, step) is still read by a task of step `after` or later. */
bool unroll_live_after(const unrolled *u, int node, int step, int after);
/* A readable dump: one line per task ("t=3 conv2 <- conv1@2 fb conv4@2") and the
 * liveness of every value (malloc'd text, free()). */
rtpu_status unroll_dump(const unrolled *u, const graph *g, char **text, rtpu_error *err);

#endif
