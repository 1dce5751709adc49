// C interface to rtpu_tokens verilated alone (rtl_units.h): the four dependency token
// counters, pushed by ending units and popped by starting instructions.
#include "rtl/units/rtl_units.h"

#include "rtl/units/unit_model.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "Vunit_tokens.h"
#pragma GCC diagnostic pop

struct tokens_unit {
    rtl_units::unit_model<Vunit_tokens> model;
};

extern "C" rtpu_status tokens_unit_create(tokens_unit **out, rtpu_error *err)
{
    return rtl_units::create_unit<true>(out, "rtpu_tokens", err);
}

extern "C" void tokens_unit_destroy(tokens_unit *t) { delete t; }

extern "C" void tokens_unit_set_inputs(tokens_unit *t, const uint8_t push_count[4], uint32_t pop)
{
    Vunit_tokens *top = t->model.top.get();
    uint32_t packed = 0;
    for (unsigned k = 0; k < 4; k++)
        packed |= (uint32_t)(push_count[k] & 3) << (2 * k);
    top->push_count_i = packed;
    top->pop_i = pop & 0xf;
    top->eval();
}

extern "C" uint32_t tokens_unit_available(const tokens_unit *t) { return t->model.top->available_o; }

extern "C" void tokens_unit_tick(tokens_unit *t) { rtl_units::clock_edge(t->model.top.get()); }
