/* Stats of any accelerator backend as a human table or as JSON (for --stats and --json). */
#include "profile/profile.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static rtpu_status finish(FILE *out, char **bufp, char **text, rtpu_error *err)
{
    /* open_memstream publishes the buffer only at fclose, hence the pointer to it. */
    bool failed = ferror(out) != 0;
    fclose(out);
    char *buf = *bufp;
    if (failed) {
        free(buf);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "profile: out of memory formatting stats");
    }
    *text = buf;
    return RTPU_OK;
}

static double percent(uint64_t part, uint64_t whole) { return whole ? 100.0 * (double)part / (double)whole : 0.0; }

rtpu_status profile_stats_table(const rtpu_stats *s, const rtpu_config *c, char **text, rtpu_error *err)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    if (!out)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "profile: cannot open a memory stream");
    fprintf(out, "config           %s (%ux%u array, %u MHz)\n", c->name, c->array_size, c->array_size, c->clock_mhz);
    fprintf(out, "total cycles     %" PRIu64 " (%.3f ms at %u MHz)\n", s->total_cycles,
            (double)s->total_cycles / (c->clock_mhz * 1000.0), c->clock_mhz);
    fprintf(out, "instructions     %" PRIu64 "\n", s->instructions);
    fprintf(out, "useful MACs      %" PRIu64 "\n", s->macs);
    fprintf(out, "MXU utilisation  %.2f%%\n", 100.0 * s->mxu_utilisation);
    fprintf(out, "DRAM read        %" PRIu64 " bytes\n", s->dram_bytes_read);
    fprintf(out, "DRAM written     %" PRIu64 " bytes\n", s->dram_bytes_written);
    fprintf(out, "\n%-8s %14s %7s %14s %7s %14s %7s %12s\n", "unit", "busy", "%", "stall", "%", "idle", "%", "instructions");
    for (int u = 0; u < UNIT_COUNT; u++) {
        const rtpu_unit_stats *us = &s->units[u];
        fprintf(out, "%-8s %14" PRIu64 " %6.1f%% %14" PRIu64 " %6.1f%% %14" PRIu64 " %6.1f%% %12" PRIu64 "\n",
                isa_unit_name((isa_unit)u), us->busy, percent(us->busy, s->total_cycles), us->stall,
                percent(us->stall, s->total_cycles), us->idle, percent(us->idle, s->total_cycles), us->instructions);
    }
    return finish(out, &buf, text, err);
}

rtpu_status profile_stats_json(const rtpu_stats *s, const rtpu_config *c, char **text, rtpu_error *err)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    if (!out)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "profile: cannot open a memory stream");
    fprintf(out, "{\"config\": \"%s\", \"array_size\": %u, \"total_cycles\": %" PRIu64 ", \"instructions\": %" PRIu64
            ", \"macs\": %" PRIu64 ", \"mxu_utilisation\": %.6f, \"dram_bytes_read\": %" PRIu64
            ", \"dram_bytes_written\": %" PRIu64 ", \"units\": {",
            c->name, c->array_size, s->total_cycles, s->instructions, s->macs, s->mxu_utilisation, s->dram_bytes_read,
            s->dram_bytes_written);
    for (int u = 0; u < UNIT_COUNT; u++) {
        const rtpu_unit_stats *us = &s->units[u];
        fprintf(out, "%s\"%s\": {\"busy\": %" PRIu64 ", \"stall\": %" PRIu64 ", \"idle\": %" PRIu64
                ", \"instructions\": %" PRIu64 "}",
                u ? ", " : "", isa_unit_name((isa_unit)u), us->busy, us->stall, us->idle, us->instructions);
    }
    fprintf(out, "}}\n");
    return finish(out, &buf, text, err);
}
