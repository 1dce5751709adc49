/* Reports of what a run cost, from any backend that counts cycles: the stats of
 * rtpu/stats.h as a table or JSON, and the per-instruction trace. They read only the
 * program and the stats and timings the device API returns, so the simulator and the RTL
 * report through the same code. */
#ifndef RTPU_PROFILE_PROFILE_H
#define RTPU_PROFILE_PROFILE_H

#include "rtpu/stats.h"
#include "target/program.h"

/* Stats as a human table or a JSON object (malloc'd text, free()). */
rtpu_status profile_stats_table(const rtpu_stats *s, const rtpu_config *c, char **text, rtpu_error *err);
rtpu_status profile_stats_json(const rtpu_stats *s, const rtpu_config *c, char **text, rtpu_error *err);
/* Per-instruction trace in Chrome trace-event JSON (1 "microsecond" = 1 cycle), one
 * track per unit, written atomically. Open it in chrome://tracing or ui.perfetto.dev. */
rtpu_status profile_write_trace(const rtpu_program *p, const rtpu_stats *stats, const rtpu_timing *timings,
                               const char *path, rtpu_error *err);

#endif
