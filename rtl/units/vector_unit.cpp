// C interface to rtpu_vector_unit verilated alone with N = VECTOR_UNIT_N (rtl_units.h).
//
// The unit reads its memories combinationally through address ports, so the wrapper
// plays the memories of rtpu_top: each cycle it evaluates the unit, answers the
// addresses it presents (UB ports a and b, the two 16-row UB windows of dwconv, one
// accumulator row, the three requant parameter rows, N lookups in one table) and
// evaluates again until the inputs stop changing (the LUT index is the UB data, so that
// takes three rounds), then clocks the edge and lands the unit's UB and accumulator
// writes, as rtpu_unified_buffer and rtpu_acc_mem do.
#include "rtl/units/rtl_units.h"

#include <algorithm>
#include <cinttypes>
#include <vector>

#include "rtl/units/unit_model.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "Vunit_vector.h"
#pragma GCC diagnostic pop

namespace {
constexpr unsigned N = VECTOR_UNIT_N;
constexpr unsigned WINDOW = 16; // rtpu_vector_pkg::DW_WINDOW
constexpr unsigned WINDOW_WORDS = N * WINDOW / 4;
}

struct vector_unit {
    rtl_units::unit_model<Vunit_vector> model;
    std::vector<int8_t> ub = std::vector<int8_t>((size_t)VECTOR_UNIT_UB_ROWS * N, 0);
    std::vector<int32_t> acc = std::vector<int32_t>((size_t)VECTOR_UNIT_ACC_ROWS * N, 0);
    std::vector<int8_t> lut = std::vector<int8_t>((size_t)VECTOR_UNIT_LUT_TABLES * 256, 0);
};

namespace {

// Element i of UB row `row`, zero beyond the memory.
uint8_t ub_byte(const vector_unit *v, uint32_t row, unsigned i)
{
    return row < VECTOR_UNIT_UB_ROWS ? (uint8_t)v->ub[(size_t)row * N + i] : 0;
}

uint32_t acc_word(const vector_unit *v, uint32_t row, unsigned c)
{
    return row < VECTOR_UNIT_ACC_ROWS ? (uint32_t)v->acc[(size_t)row * N + c] : 0;
}

// Drives every memory data input from the addresses the unit presents now; returns
// whether any input changed (then the unit must be evaluated again).
bool answer_reads(vector_unit *v)
{
    Vunit_vector *top = v->model.top.get();
    QData ub_a = 0, ub_b = 0, lut = 0;
    VlWide<8> acc;
    VlWide<24> param;
    VlWide<WINDOW_WORDS> win_in, win_wts;
    // window row k is row addr + k; rows beyond the modelled UB read as zeros
    for (unsigned k = 0; k < WINDOW; k++)
        for (unsigned i = 0; i < N; i++) {
            rtl_units::set_byte(win_in, k * N + i, ub_byte(v, top->ub_win_in_addr_o + k, i));
            rtl_units::set_byte(win_wts, k * N + i, ub_byte(v, top->ub_win_wts_addr_o + k, i));
        }
    for (unsigned i = 0; i < N; i++) {
        rtl_units::set_byte(ub_a, i, ub_byte(v, top->ub_a_addr_o, i));
        rtl_units::set_byte(ub_b, i, ub_byte(v, top->ub_b_addr_o, i));
        uint8_t index = rtl_units::get_byte(top->lut_index_o, i);
        uint8_t entry = top->lut_table_o < VECTOR_UNIT_LUT_TABLES ? (uint8_t)v->lut[(size_t)top->lut_table_o * 256 + index] : 0;
        rtl_units::set_byte(lut, i, entry);
        rtl_units::set_word(acc, i, acc_word(v, top->acc_addr_o, i));
        for (unsigned p = 0; p < 3; p++)
            rtl_units::set_word(param, p * N + i, acc_word(v, top->param_addr_o + p, i));
    }
    bool changed = ub_a != top->ub_a_data_i || ub_b != top->ub_b_data_i || lut != top->lut_data_i;
    for (unsigned w = 0; w < 8; w++)
        changed = changed || acc[w] != top->acc_data_i[w];
    for (unsigned w = 0; w < 24; w++)
        changed = changed || param[w] != top->param_data_i[w];
    for (unsigned w = 0; w < WINDOW_WORDS; w++)
        changed = changed || win_in[w] != top->ub_win_in_data_i[w] || win_wts[w] != top->ub_win_wts_data_i[w];
    top->ub_a_data_i = ub_a;
    top->ub_b_data_i = ub_b;
    top->lut_data_i = lut;
    top->acc_data_i = acc;
    top->param_data_i = param;
    top->ub_win_in_data_i = win_in;
    top->ub_win_wts_data_i = win_wts;
    return changed;
}


} // namespace

extern "C" rtpu_status vector_unit_create(vector_unit **out, rtpu_error *err)
{
    return rtl_units::create_unit<true>(out, "rtpu_vector_unit", err);
}

extern "C" void vector_unit_destroy(vector_unit *v) { delete v; }

extern "C" void vector_unit_configure(vector_unit *v, uint32_t lanes, uint32_t pipe)
{
    v->model.top->cfg_lanes_i = lanes;
    v->model.top->cfg_pipe_i = pipe;
}

extern "C" rtpu_status vector_unit_write_ub(vector_unit *v, uint32_t row, uint32_t rows, const int8_t *data,
                                            rtpu_error *err)
{
    if (row > VECTOR_UNIT_UB_ROWS || rows > VECTOR_UNIT_UB_ROWS - row)
        return rtpu_fail(err, RTPU_ERR_INVALID, "vector unit: UB rows %" PRIu32 "..%" PRIu64 " outside the %d-row buffer", row,
                         (uint64_t)row + rows, VECTOR_UNIT_UB_ROWS);
    std::copy(data, data + (size_t)rows * N, v->ub.begin() + (size_t)row * N);
    return RTPU_OK;
}

extern "C" rtpu_status vector_unit_read_ub(const vector_unit *v, uint32_t row, uint32_t rows, int8_t *out,
                                           rtpu_error *err)
{
    if (row > VECTOR_UNIT_UB_ROWS || rows > VECTOR_UNIT_UB_ROWS - row)
        return rtpu_fail(err, RTPU_ERR_INVALID, "vector unit: UB rows %" PRIu32 "..%" PRIu64 " outside the %d-row buffer", row,
                         (uint64_t)row + rows, VECTOR_UNIT_UB_ROWS);
    std::copy(v->ub.begin() + (size_t)row * N, v->ub.begin() + (size_t)(row + rows) * N, out);
    return RTPU_OK;
}

extern "C" rtpu_status vector_unit_write_acc(vector_unit *v, uint32_t row, uint32_t rows, const int32_t *data,
                                             rtpu_error *err)
{
    if (row > VECTOR_UNIT_ACC_ROWS || rows > VECTOR_UNIT_ACC_ROWS - row)
        return rtpu_fail(err, RTPU_ERR_INVALID, "vector unit: accumulator rows %" PRIu32 "..%" PRIu64 " outside the %d rows",
                         row, (uint64_t)row + rows, VECTOR_UNIT_ACC_ROWS);
    std::copy(data, data + (size_t)rows * N, v->acc.begin() + (size_t)row * N);
    return RTPU_OK;
}

extern "C" rtpu_status vector_unit_read_acc(const vector_unit *v, uint32_t row, uint32_t rows, int32_t *out,
                                            rtpu_error *err)
{
    if (row > VECTOR_UNIT_ACC_ROWS || rows > VECTOR_UNIT_ACC_ROWS - row)
        return rtpu_fail(err, RTPU_ERR_INVALID, "vector unit: accumulator rows %" PRIu32 "..%" PRIu64 " outside the %d rows",
                         row, (uint64_t)row + rows, VECTOR_UNIT_ACC_ROWS);
    std::copy(v->acc.begin() + (size_t)row * N, v->acc.begin() + (size_t)(row + rows) * N, out);
    return RTPU_OK;
}

extern "C" rtpu_status vector_unit_write_lut(vector_unit *v, uint32_t table, const int8_t entries[256], rtpu_error *err)
{
    if (table >= VECTOR_UNIT_LUT_TABLES)
        return rtpu_fail(err, RTPU_ERR_INVALID, "vector unit: lookup table %" PRIu32 " beyond the %d tables", table,
                         VECTOR_UNIT_LUT_TABLES);
    std::copy(entries, entries + 256, v->lut.begin() + (size_t)table * 256);
    return RTPU_OK;
}

extern "C" rtpu_status vector_unit_step(vector_unit *v, bool start, const uint8_t *insn, vector_unit_cycle *out,
                                        rtpu_error *err)
{
    Vunit_vector *top = v->model.top.get();
    top->clk_i = 0;
    top->start_i = start;
    for (unsigned i = 0; i < INSN_BYTES; i++)
        rtl_units::set_byte(top->insn_i, i, start && insn ? insn[i] : 0);
    // Settle: addresses depend only on the unit's state, the LUT index on the UB data.
    top->eval();
    for (int round = 0; answer_reads(v); round++) {
        if (round == 8)
            return rtpu_fail(err, RTPU_ERR_RUNTIME, "vector unit: memory reads did not settle after 8 evaluations");
        top->eval();
    }

    out->busy = top->busy_o;
    out->end = top->end_o;
    out->push = top->push_o;
    out->ub_write = top->ub_we_o;
    out->ub_write_row = top->ub_waddr_o;
    out->acc_write = top->acc_we_o;
    out->acc_write_row = top->acc_waddr_o;
    if (top->ub_we_o && top->ub_waddr_o >= VECTOR_UNIT_UB_ROWS)
        return rtpu_fail(err, RTPU_ERR_RUNTIME, "vector unit: write to UB row %" PRIu32 " beyond the %d-row buffer",
                         (uint32_t)top->ub_waddr_o, VECTOR_UNIT_UB_ROWS);
    if (top->acc_we_o && top->acc_waddr_o >= VECTOR_UNIT_ACC_ROWS)
        return rtpu_fail(err, RTPU_ERR_RUNTIME, "vector unit: write to accumulator row %" PRIu32 " beyond the %d rows",
                         (uint32_t)top->acc_waddr_o, VECTOR_UNIT_ACC_ROWS);
    // The writes land at the edge with the data of this cycle.
    bool write = top->ub_we_o, acc_write = top->acc_we_o;
    uint32_t row = top->ub_waddr_o, acc_row = top->acc_waddr_o;
    QData data = top->ub_wdata_o;
    VlWide<8> acc_data = top->acc_wdata_o;
    rtl_units::clock_edge(top);
    if (write)
        for (unsigned i = 0; i < N; i++)
            v->ub[(size_t)row * N + i] = (int8_t)rtl_units::get_byte(data, i);
    if (acc_write)
        for (unsigned c = 0; c < N; c++)
            v->acc[(size_t)acc_row * N + c] = (int32_t)rtl_units::get_word(acc_data, c);
    return RTPU_OK;
}
