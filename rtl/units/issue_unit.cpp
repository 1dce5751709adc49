// C interface to rtpu_issue verilated alone (rtl_units.h): the combinational start rule
// over the three queue heads, the unit busy flags and the available tokens.
#include "rtl/units/rtl_units.h"

#include <new>

#include "rtl/units/unit_model.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "Vunit_issue.h"
#pragma GCC diagnostic pop

struct issue_unit {
    rtl_units::unit_model<Vunit_issue> model;
};

extern "C" rtpu_status issue_unit_create(issue_unit **out, rtpu_error *err)
{
    try {
        *out = new issue_unit();
        return RTPU_OK;
    } catch (const std::bad_alloc &) {
        return rtpu_fail(err, RTPU_ERR_NOMEM, "rtl units: cannot allocate the rtpu_issue model");
    }
}

extern "C" void issue_unit_destroy(issue_unit *u) { delete u; }

extern "C" void issue_unit_evaluate(issue_unit *u, const issue_unit_inputs *in, issue_unit_outputs *out)
{
    Vunit_issue *top = u->model.top.get();
    top->head_valid_i = in->head_valid & 7;
    for (unsigned q = 0; q < 3; q++)
        for (unsigned i = 0; i < INSN_BYTES; i++)
            rtl_units::set_byte(top->head_word_i[q], i, in->head_word[q][i]);
    top->unit_busy_i = in->unit_busy & 0x1f;
    top->token_available_i = in->token_available & 0xf;
    top->eval();
    out->start = top->start_o;
    out->unit_start = top->unit_start_o;
    out->waiting = top->waiting_o;
    out->pop = top->pop_o;
}
