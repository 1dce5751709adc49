/* Co-simulation check: the simulator and the RTL after running the same program, compared
 * field by field. Used by `rtpu verify` and the RTL tests. */
#ifndef RTPU_RTL_COMPARE_H
#define RTPU_RTL_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "rtl/rtl.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { RTL_COMPARE_TEXT = 2048 };

typedef struct rtl_comparison {
    bool equal;
    bool timing_equal;     /* timings and stats agree (data may still differ) */
    int differences;       /* differing items: timings, stats fields, memories */
    long long first_pc;    /* first instruction whose dispatch, start or end cycle differs; -1 if none */
    char text[RTL_COMPARE_TEXT]; /* one line per difference (the first of each kind), '\n'-separated */
} rtl_comparison;

/* Compares, in this order: every instruction's dispatch, start and end cycle; total
 * cycles; per-unit busy, stall, idle and instruction counts; MACs and DRAM bytes; then
 * all of DRAM and every row of the unified buffer, weight buffer, accumulators and
 * lookup tables (bit-exact). Both must have run the same program. */
rtpu_status rtl_compare_sim(const rtpu_sim *sim, const rtpu_rtl *rtl, rtl_comparison *out, rtpu_error *err);

#ifdef __cplusplus
}
#endif

#endif
