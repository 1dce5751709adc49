// C interface to rtpu_insn_queue verilated alone with CAPACITY = QUEUE_UNIT_CAPACITY
// (rtl_units.h): pushes of dispatched instructions, starts of the head, the head and the
// registered count that dispatch checks.
#include "rtl/units/rtl_units.h"

#include "rtl/units/unit_model.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "Vunit_queue.h"
#pragma GCC diagnostic pop

struct queue_unit {
    rtl_units::unit_model<Vunit_queue> model;
};

extern "C" rtpu_status queue_unit_create(queue_unit **out, rtpu_error *err)
{
    return rtl_units::create_unit<true>(out, "rtpu_insn_queue", err);
}

extern "C" void queue_unit_destroy(queue_unit *q) { delete q; }

extern "C" void queue_unit_set_inputs(queue_unit *q, const queue_unit_inputs *in)
{
    Vunit_queue *top = q->model.top.get();
    top->push_i = in->push;
    top->push_pc_i = in->push_pc;
    for (unsigned i = 0; i < INSN_BYTES; i++)
        rtl_units::set_byte(top->push_word_i, i, in->push_word[i]);
    top->start_i = in->start;
    top->eval();
}

extern "C" void queue_unit_outputs_now(const queue_unit *q, queue_unit_outputs *out)
{
    const Vunit_queue *top = q->model.top.get();
    out->head_valid = top->head_valid_o;
    out->head_pc = top->head_pc_o;
    for (unsigned i = 0; i < INSN_BYTES; i++)
        out->head_word[i] = rtl_units::get_byte(top->head_word_o, i);
    out->count = top->count_o;
}

extern "C" void queue_unit_tick(queue_unit *q) { rtl_units::clock_edge(q->model.top.get()); }
