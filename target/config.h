/* Hardware configuration of the accelerator: every size and speed of the machine.
 *
 * A config is loaded from configs/NAME.json, validated field by field, and embedded in
 * every program file, so a program built for one machine cannot silently run on another.
 * docs/architecture.md explains what each field means for the timing model. */
#ifndef RTPU_TARGET_CONFIG_H
#define RTPU_TARGET_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

enum {
    CONFIG_NAME_MAX = 32,       /* bytes of the name field, including the NUL */
    CONFIG_MIN_ARRAY = 4,
    CONFIG_MAX_ARRAY = 256,
    CONFIG_MAX_ROWS = 1 << 20,  /* row addresses are 20-bit fields in the ISA */
};

typedef struct rtpu_config {
    char name[CONFIG_NAME_MAX];
    uint32_t array_size;              /* N: the matrix unit is N x N, a row holds N values */
    uint64_t unified_buffer_bytes;    /* int8 activations, rows of N bytes */
    uint64_t accumulator_bytes;       /* int32 accumulators, rows of N * 4 bytes */
    uint64_t weight_buffer_bytes;     /* int8 weight tiles, rows of N bytes, N rows a tile */
    uint32_t lut_tables;              /* 256-entry int8 lookup tables in the vector unit */
    uint64_t dram_bytes;              /* largest DRAM a program may use (byte addresses) */
    uint32_t dram_bytes_per_cycle;    /* per direction: reads and writes do not share it */
    uint32_t dram_latency_cycles;     /* added once to every DMA transfer */
    uint32_t vector_lanes;            /* elements the vector unit consumes per cycle */
    uint32_t vector_pipeline_cycles;  /* added once to every vector instruction */
    uint32_t queue_depth;             /* instructions waiting in each queue, at most */
    uint32_t clock_mhz;               /* only for converting cycles to seconds in reports */
} rtpu_config;

/* Rows of each memory (bytes / row bytes). */
uint32_t config_ub_rows(const rtpu_config *c);
uint32_t config_acc_rows(const rtpu_config *c);
uint32_t config_wb_rows(const rtpu_config *c);

/* Checks every field against its documented range. source names the origin in messages. */
rtpu_status config_validate(const rtpu_config *c, const char *source, rtpu_error *err);

/* Parses and validates JSON text (source names it in messages: "configs/x.json:3:5: ..."). */
rtpu_status config_parse(const char *text, size_t length, const char *source, rtpu_config *out,
                         rtpu_error *err);
rtpu_status config_load(const char *path, rtpu_config *out, rtpu_error *err);
/* A --config argument: a path (contains / or ends in .json), or a name looked up as
 * $RTPU_CONFIG_DIR/NAME.json, then configs/NAME.json from the working directory. */
rtpu_status config_load_named(const char *name_or_path, rtpu_config *out, rtpu_error *err);

/* True when every field (name included) is equal. */
bool config_equal(const rtpu_config *a, const rtpu_config *b);

/* The field table shared by the JSON loader, the assembler's .config directive and the
 * disassembler, so the three can never disagree about names or ranges. */
typedef struct config_field {
    const char *name;
    uint64_t min, max;
    bool is_64bit;
    size_t offset; /* offsetof(rtpu_config, member) */
} config_field;

extern const config_field config_fields[];
extern const int config_field_count;
uint64_t config_get(const rtpu_config *c, const config_field *f);
void config_set(rtpu_config *c, const config_field *f, uint64_t value);

/* Checks that name is 1..31 characters of [A-Za-z0-9_.-]. */
bool config_name_valid(const char *name);

#endif
