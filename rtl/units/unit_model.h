// Shared C++ helpers of the rtl/units wrappers: owning a verilated model with its own
// context, clocking it, and moving little-endian bytes in and out of Verilator's
// packed types (QData up to 64 bits, VlWide above).
#ifndef RTPU_RTL_UNITS_UNIT_MODEL_H
#define RTPU_RTL_UNITS_UNIT_MODEL_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

#include "rtl/units/rtl_units.h"

// Verilator's headers are not held to our warning flags.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <verilated.h>
#pragma GCC diagnostic pop

namespace rtl_units {

// A verilated model with its own context (no global simulation state).
template <class Top> struct unit_model {
    std::unique_ptr<VerilatedContext> context{new VerilatedContext};
    std::unique_ptr<Top> top{new Top(context.get(), "unit")};
    ~unit_model() { top->final(); }
};

// One rising clock edge, then clock low again with the new state settled.
template <class Top> void clock_edge(Top *top)
{
    top->clk_i = 1;
    top->eval();
    top->clk_i = 0;
    top->eval();
}

// Reset held (rst_ni low) over one edge, then released: every clocked unit starts here.
template <class Top> void reset(Top *top)
{
    top->clk_i = 0;
    top->rst_ni = 0;
    top->eval();
    clock_edge(top);
    top->rst_ni = 1;
    top->eval();
}

// A new wrapper (a struct holding `unit_model<Top> model`) with its clock low and settled,
// and reset applied when the module has one; RTPU_ERR_NOMEM naming the module otherwise.
template <bool with_reset, class Unit> rtpu_status create_unit(Unit **out, const char *module, rtpu_error *err)
{
    try {
        Unit *unit = new Unit();
        auto *top = unit->model.top.get();
        if constexpr (with_reset) {
            reset(top);
        } else {
            top->clk_i = 0;
            top->eval();
        }
        *out = unit;
        return RTPU_OK;
    } catch (const std::bad_alloc &) {
        return rtpu_fail(err, RTPU_ERR_NOMEM, "rtl units: cannot allocate the %s model", module);
    }
}

// Byte i of a packed value.
inline uint8_t get_byte(QData v, unsigned i) { return (uint8_t)(v >> (8 * i)); }
inline uint8_t get_byte(IData v, unsigned i) { return (uint8_t)(v >> (8 * i)); }
template <std::size_t W> uint8_t get_byte(const VlWide<W> &v, unsigned i) { return (uint8_t)(v[i / 4] >> (8 * (i % 4))); }

inline void set_byte(QData &v, unsigned i, uint8_t b) { v = (v & ~((QData)0xff << (8 * i))) | (QData)b << (8 * i); }
template <std::size_t W> void set_byte(VlWide<W> &v, unsigned i, uint8_t b)
{
    v[i / 4] = (v[i / 4] & ~((EData)0xff << (8 * (i % 4)))) | (EData)b << (8 * (i % 4));
}

// 32-bit word i of a packed value of at least 64 bits.
inline uint32_t get_word(QData v, unsigned i) { return (uint32_t)(v >> (32 * i)); }
template <std::size_t W> uint32_t get_word(const VlWide<W> &v, unsigned i) { return v[i]; }
template <std::size_t W> void set_word(VlWide<W> &v, unsigned i, uint32_t w) { v[i] = w; }

} // namespace rtl_units

#endif
