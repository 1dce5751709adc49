/* The fp32 kernels of the CPU executor: the semantic truth (docs/model-semantics.md). */
#ifndef RTPU_CPU_KERNELS_FP32_H
#define RTPU_CPU_KERNELS_FP32_H

#include "cpu/exec.h"
#include "cpu/weights.h"

const exec_kernels *exec_fp32_kernels(void);
/* The kernels' context: the graph and its weights (both must outlive it). */
rtpu_status exec_fp32_context_create(const graph *g, const weights *w, void **ctx, rtpu_error *err);
void exec_fp32_context_destroy(void *ctx);
/* An fp32 value's tensor (NULL for NULL). */
const rtpu_tensor *exec_fp32_tensor(const exec_value *v);

#endif
