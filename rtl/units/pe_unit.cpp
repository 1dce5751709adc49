// C interface to rtpu_pe verilated alone (rtl_units.h): one processing element with its
// shadow and active weight, driven port by port.
#include "rtl/units/rtl_units.h"

#include "rtl/units/unit_model.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "Vunit_pe.h"
#pragma GCC diagnostic pop

struct pe_unit {
    rtl_units::unit_model<Vunit_pe> model;
};

extern "C" rtpu_status pe_unit_create(pe_unit **out, rtpu_error *err)
{
    return rtl_units::create_unit<false>(out, "rtpu_pe", err);
}

extern "C" void pe_unit_destroy(pe_unit *pe) { delete pe; }

extern "C" void pe_unit_set_inputs(pe_unit *pe, const pe_unit_inputs *in)
{
    Vunit_pe *top = pe->model.top.get();
    top->shadow_we_i = in->shadow_we;
    top->shadow_w_i = (uint8_t)in->shadow_w;
    top->swap_i = in->swap;
    top->act_i = (uint8_t)in->act;
    top->psum_i = (uint32_t)in->psum;
    top->eval();
}

extern "C" pe_unit_outputs pe_unit_outputs_now(const pe_unit *pe)
{
    const Vunit_pe *top = pe->model.top.get();
    pe_unit_outputs o;
    o.act = (int8_t)top->act_o;
    o.psum = (int32_t)top->psum_o;
    return o;
}

extern "C" void pe_unit_tick(pe_unit *pe)
{
    Vunit_pe *top = pe->model.top.get();
    top->clk_i = 1;
    top->eval();
    top->clk_i = 0;
    top->eval();
}
