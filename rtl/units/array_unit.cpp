// C interface to rtpu_systolic_array verilated alone with N = ARRAY_UNIT_N (rtl_units.h):
// the input row, per-row shadow weight loads and the swap in, the column sums out.
#include "rtl/units/rtl_units.h"

#include "rtl/units/unit_model.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "Vunit_array.h"
#pragma GCC diagnostic pop

struct array_unit {
    rtl_units::unit_model<Vunit_array> model;
};

extern "C" rtpu_status array_unit_create(array_unit **out, rtpu_error *err)
{
    return rtl_units::create_unit<false>(out, "rtpu_systolic_array", err);
}

extern "C" void array_unit_destroy(array_unit *a) { delete a; }

extern "C" void array_unit_set_inputs(array_unit *a, const array_unit_inputs *in)
{
    Vunit_array *top = a->model.top.get();
    for (unsigned i = 0; i < ARRAY_UNIT_N; i++) {
        rtl_units::set_byte(top->row_i, i, (uint8_t)in->row[i]);
        rtl_units::set_byte(top->shadow_row_i, i, (uint8_t)in->shadow_row[i]);
    }
    top->shadow_row_we_i = in->shadow_row_we & ((1u << ARRAY_UNIT_N) - 1);
    top->swap_i = in->swap;
    top->eval();
}

extern "C" void array_unit_psum(const array_unit *a, int32_t psum[ARRAY_UNIT_N])
{
    for (unsigned c = 0; c < ARRAY_UNIT_N; c++)
        psum[c] = (int32_t)rtl_units::get_word(a->model.top->psum_o, c);
}

extern "C" void array_unit_tick(array_unit *a)
{
    Vunit_array *top = a->model.top.get();
    top->clk_i = 1;
    top->eval();
    top->clk_i = 0;
    top->eval();
}
