/* The resource limits every rtpu entry point enforces before it allocates or runs: a
 * request over a limit is refused with one line naming the tensor and the size, never
 * killed by the OOM killer or left running for days. The defaults are fixed numbers, not
 * a fraction of this machine's RAM, so the same request is accepted or refused the same
 * way everywhere (determinism); callers raise or lower them per call (`--max-memory`,
 * `--max-macs` on the command line). docs/architecture.md "Resource limits" lists them. */
#ifndef RTPU_LIMITS_H
#define RTPU_LIMITS_H

#include <stdint.h>

/* Bytes a single open (weights, a graph's run, a program's device) may allocate. */
#define RTPU_DEFAULT_MAX_MEMORY ((uint64_t)8 << 30)
/* Multiply-accumulates one cpu run may do (batch x steps x MACs per step): about 14,000
 * images of the median ConvRNN, hours on a 2-core machine. */
#define RTPU_DEFAULT_MAX_MACS ((uint64_t)1000000000000000ull)

#endif
