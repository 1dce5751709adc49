/* Single RTL modules, verilated on their own and driven port by port from C.
 *
 * rtpu_top is tested through whole programs (tests/rtl/); these wrappers let a test
 * reach one module directly and check its outputs cycle by cycle against values it
 * computes itself. Each wrapper is a thin C++ file in rtl/units/ around one verilated
 * model (rtl/units/CMakeLists.txt sets the parameters below).
 *
 * Clocking, the same for every clocked module: a cycle starts with the clock low;
 * *_set_inputs() drives the inputs of the cycle and settles the combinational logic, the
 * outputs read then are those of the cycle (registered outputs show what the previous
 * clock edges stored), and *_tick() is the rising edge that ends the cycle. Modules with
 * a reset come out of create() already reset (rst_ni held low over one edge), in cycle 0
 * of their life. Byte order of wide values is little-endian: an instruction word is the
 * 16 bytes of the program file (docs/isa.md, "Encoding"). */
#ifndef RTPU_RTL_UNITS_H
#define RTPU_RTL_UNITS_H

#include <stdbool.h>
#include <stdint.h>

/* common/error.h has no C++ guard of its own: its declarations must get C linkage here. */
#ifdef __cplusplus
extern "C" {
#endif

#include "common/error.h"

/* Parameters the models are verilated with (rtl/units/CMakeLists.txt). */
enum {
    ARRAY_UNIT_N = 8,          /* rtpu_systolic_array N */
    VECTOR_UNIT_N = 8,         /* rtpu_vector_unit N */
    VECTOR_UNIT_UB_ROWS = 1024, /* memories the vector wrapper models around the unit */
    VECTOR_UNIT_ACC_ROWS = 256,
    VECTOR_UNIT_LUT_TABLES = 8,
    QUEUE_UNIT_CAPACITY = 4,   /* rtpu_insn_queue CAPACITY */
    INSN_BYTES = 16,
};

/* ---- rtpu_pe: one processing element ---- */

typedef struct pe_unit pe_unit;
typedef struct pe_unit_inputs {
    bool shadow_we;   /* load shadow_w into the shadow weight at the edge */
    int8_t shadow_w;
    bool swap;        /* the shadow weight becomes active at the edge */
    int8_t act;       /* activation from the left */
    int32_t psum;     /* partial sum from above */
} pe_unit_inputs;
typedef struct pe_unit_outputs {
    int8_t act;       /* registered activation to the right */
    int32_t psum;     /* registered partial sum downwards */
} pe_unit_outputs;

rtpu_status pe_unit_create(pe_unit **out, rtpu_error *err);
void pe_unit_destroy(pe_unit *pe);
void pe_unit_set_inputs(pe_unit *pe, const pe_unit_inputs *in);
pe_unit_outputs pe_unit_outputs_now(const pe_unit *pe);
void pe_unit_tick(pe_unit *pe);

/* ---- rtpu_systolic_array, N = ARRAY_UNIT_N ---- */

typedef struct array_unit array_unit;
typedef struct array_unit_inputs {
    int8_t row[ARRAY_UNIT_N];          /* input row, element k for input channel k */
    uint32_t shadow_row_we;            /* bit k: load shadow weights of PE row k */
    int8_t shadow_row[ARRAY_UNIT_N];   /* weights of that row, element c for column c */
    bool swap;                         /* every shadow weight becomes active at the edge */
} array_unit_inputs;

rtpu_status array_unit_create(array_unit **out, rtpu_error *err);
void array_unit_destroy(array_unit *a);
void array_unit_set_inputs(array_unit *a, const array_unit_inputs *in);
/* The partial sums leaving the bottom of each column in this cycle. */
void array_unit_psum(const array_unit *a, int32_t psum[ARRAY_UNIT_N]);
void array_unit_tick(array_unit *a);

/* ---- rtpu_vector_unit, N = VECTOR_UNIT_N, with the memories around it ----
 * The wrapper holds a unified buffer, accumulators and lookup tables as the top level
 * does (combinational reads, writes at the clock edge; requant's parameter rows param,
 * param + 1, param + 2 on their own port; dwconv's two 16-row UB windows; the unit's
 * accumulator row write) and connects them to the unit's ports. Reads
 * of rows beyond the wrapper's memories return zeros (an idle unit presents don't-care
 * addresses); a write beyond them fails the cycle. */

typedef struct vector_unit vector_unit;
typedef struct vector_unit_cycle {
    bool busy;            /* busy_o: registered, high after the start cycle until the last */
    bool end;             /* end_o: the end pulse, in the first cycle after the last busy one */
    uint8_t push;         /* push_o: bit 0 push prev, bit 1 push next, of the last start */
    bool ub_write;        /* the unit writes a UB row at this cycle's edge */
    uint32_t ub_write_row;
    bool acc_write;       /* the unit writes an accumulator row at this cycle's edge (dwconv, vsum) */
    uint32_t acc_write_row;
} vector_unit_cycle;

rtpu_status vector_unit_create(vector_unit **out, rtpu_error *err);
void vector_unit_destroy(vector_unit *v);
/* Timing inputs (cfg_lanes_i, cfg_pipe_i): config fields vector_lanes, vector_pipeline_cycles. */
void vector_unit_configure(vector_unit *v, uint32_t lanes, uint32_t pipe);
rtpu_status vector_unit_write_ub(vector_unit *v, uint32_t row, uint32_t rows, const int8_t *data, rtpu_error *err);
rtpu_status vector_unit_read_ub(const vector_unit *v, uint32_t row, uint32_t rows, int8_t *out, rtpu_error *err);
rtpu_status vector_unit_write_acc(vector_unit *v, uint32_t row, uint32_t rows, const int32_t *data, rtpu_error *err);
rtpu_status vector_unit_read_acc(const vector_unit *v, uint32_t row, uint32_t rows, int32_t *out, rtpu_error *err);
rtpu_status vector_unit_write_lut(vector_unit *v, uint32_t table, const int8_t entries[256], rtpu_error *err);
/* One whole clock cycle: drives start_i (and insn_i, the 16-byte word, when start is
 * set; NULL otherwise), settles the unit and its memory reads, reports the cycle in
 * *out, then clocks the edge (which lands the UB and accumulator writes). */
rtpu_status vector_unit_step(vector_unit *v, bool start, const uint8_t *insn, vector_unit_cycle *out,
                             rtpu_error *err);

/* ---- rtpu_insn_queue, CAPACITY = QUEUE_UNIT_CAPACITY ---- */

typedef struct queue_unit queue_unit;
typedef struct queue_unit_inputs {
    bool push;                        /* an instruction is dispatched into the queue */
    uint32_t push_pc;
    uint8_t push_word[INSN_BYTES];
    bool start;                       /* the head starts this cycle */
} queue_unit_inputs;
typedef struct queue_unit_outputs {
    bool head_valid;
    uint32_t head_pc;
    uint8_t head_word[INSN_BYTES];
    uint32_t count;                   /* registered number of waiting instructions */
} queue_unit_outputs;

rtpu_status queue_unit_create(queue_unit **out, rtpu_error *err);
void queue_unit_destroy(queue_unit *q);
void queue_unit_set_inputs(queue_unit *q, const queue_unit_inputs *in);
void queue_unit_outputs_now(const queue_unit *q, queue_unit_outputs *out);
void queue_unit_tick(queue_unit *q);

/* ---- rtpu_tokens: the four counters 0 ld->ex, 1 ex->st, 2 ex->ld, 3 st->ex ---- */

typedef struct tokens_unit tokens_unit;

rtpu_status tokens_unit_create(tokens_unit **out, rtpu_error *err);
void tokens_unit_destroy(tokens_unit *t);
/* push_count[k] (0..3): tokens pushed on counter k by units ending this cycle;
 * pop bit k: an instruction starting this cycle consumes a token of counter k. */
void tokens_unit_set_inputs(tokens_unit *t, const uint8_t push_count[4], uint32_t pop);
/* Bit k: counter k has a token available this cycle (stored or pushed now). */
uint32_t tokens_unit_available(const tokens_unit *t);
void tokens_unit_tick(tokens_unit *t);

/* ---- rtpu_issue: the start rule, purely combinational ---- */

typedef struct issue_unit issue_unit;
typedef struct issue_unit_inputs {
    uint32_t head_valid;                 /* bit q: queue q (0 ld, 1 ex, 2 st) has a head */
    uint8_t head_word[3][INSN_BYTES];
    uint32_t unit_busy;                  /* bit u: unit u (0 load, 1 weight, 2 mxu, 3 vector, 4 store) */
    uint32_t token_available;            /* bit k: counter k, as tokens_unit_available */
} issue_unit_inputs;
typedef struct issue_unit_outputs {
    uint32_t start;       /* bit q: the head of queue q starts */
    uint32_t unit_start;  /* bit u: unit u starts an instruction */
    uint32_t waiting;     /* bit u: unit u's instruction heads its queue */
    uint32_t pop;         /* bit k: a token of counter k is consumed */
} issue_unit_outputs;

rtpu_status issue_unit_create(issue_unit **out, rtpu_error *err);
void issue_unit_destroy(issue_unit *u);
void issue_unit_evaluate(issue_unit *u, const issue_unit_inputs *in, issue_unit_outputs *out);

#ifdef __cplusplus
}
#endif

#endif
