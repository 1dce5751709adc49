// The Verilator harness: a thin C++ layer that owns DRAM and the instruction stream,
// clocks a verilated rtpu_top, records what it observes, and exposes it all through the
// C interface of rtl.h. All hardware behaviour (dispatch, queues, tokens, timing, data)
// is in the Verilog; this file only drives the clock and reset, answers the model's
// DPI-C calls (instruction fetch, DRAM reads and writes) and reads results.
//
// One clock cycle t is two evaluations: clk low settles the combinational logic of
// cycle t (what dispatches, starts and ends in t is read then), clk high is the edge
// that ends cycle t. The model's context pointer (ctx_i) is this harness object, so DPI
// calls reach the right DRAM without any global state.
extern "C" {
#include "common/atomic_file.h"
#include "common/error.h"
#include "target/config.h"
#include "target/machine.h"
#include "target/program.h"
#include "target/timing.h"
}
#include "rtl/rtl.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

// Verilator's headers and generated code are not held to our warning flags.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <verilated.h>
#include <verilated_fst_c.h>

#include "Vrtpu16.h"
#include "Vrtpu16__Dpi.h"
#include "Vrtpu16___024root.h"
#include "Vrtpu8.h"
#include "Vrtpu8__Dpi.h"
#include "Vrtpu8___024root.h"
#pragma GCC diagnostic pop

namespace {

// What the harness reads from the model in each cycle.
struct observation {
    bool done, stuck, dispatch;
    uint32_t dispatch_pc;
    uint8_t start, head_valid, unit_end;
    uint32_t head_pc[QUEUE_COUNT];
};

// Sizes built into one verilated model: rtl/CMakeLists.txt reads them from
// configs/small-8.json and small-16.json and passes the same numbers to Verilator.
struct model_shape {
    uint32_t n, ub_rows, wb_rows, acc_rows, lut_tables, queue_capacity;
};
constexpr model_shape shape8 = {RTPU_RTL_SHAPE_8};
constexpr model_shape shape16 = {RTPU_RTL_SHAPE_16};
static_assert(shape8.n == 8 && shape16.n == 16, "the harness instantiates Vrtpu8 and Vrtpu16");

// The operations the harness needs from a model, independent of its array size.
class model {
public:
    virtual ~model() = default;
    virtual void configure(uint64_t ctx, const rtpu_config &c) = 0;
    virtual void eval(bool clk, bool rst_n) = 0;
    virtual void observe(observation *o) = 0;
    virtual void read_counters(rtpu_stats *s) = 0;
    virtual void read_row(rtpu_memory memory, uint64_t row, uint8_t *out) = 0;
    virtual void trace_open(const char *path) = 0;
    virtual void trace_dump(uint64_t time) = 0;
    virtual void trace_close() = 0;
};

uint8_t byte_of(QData v, unsigned i) { return (uint8_t)(v >> (8 * i)); }
template <std::size_t W> uint8_t byte_of(const VlWide<W> &v, unsigned i) { return (uint8_t)(v[i / 4] >> (8 * (i % 4))); }

template <std::size_t W> uint64_t field64(const VlWide<W> &v, unsigned index)
{
    return (uint64_t)v[2 * index] | (uint64_t)v[2 * index + 1] << 32;
}

template <class Top, const model_shape &Shape> class model_of final : public model {
public:
    model_of() : context_(new VerilatedContext), top_(new Top(context_.get(), "rtpu")) {}
    // Verilator tears a model's scopes down through the calling thread's "current"
    // context (Verilated::threadContextp), not the model's own: with several models
    // alive, that is whichever context was made or evaluated last, possibly one already
    // freed. Each model therefore makes its own context current before it is evaluated
    // or destroyed, and destroys the model before its context.
    ~model_of() override
    {
        Verilated::threadContextp(context_.get());
        trace_close();
        top_->final();
        top_.reset();
    }

    void configure(uint64_t ctx, const rtpu_config &c) override
    {
        Verilated::threadContextp(context_.get()); // this run evaluates this model only
        top_->ctx_i = ctx;
        top_->cfg_dram_latency_i = c.dram_latency_cycles;
        top_->cfg_dram_bytes_per_cycle_i = c.dram_bytes_per_cycle;
        top_->cfg_vector_lanes_i = c.vector_lanes;
        top_->cfg_vector_pipeline_i = c.vector_pipeline_cycles;
        top_->cfg_queue_depth_i = c.queue_depth;
    }

    void eval(bool clk, bool rst_n) override
    {
        top_->clk_i = clk;
        top_->rst_ni = rst_n;
        top_->eval();
    }

    void observe(observation *o) override
    {
        o->done = top_->done_o;
        o->stuck = top_->stuck_o;
        o->dispatch = top_->dispatch_o;
        o->dispatch_pc = top_->dispatch_pc_o;
        o->start = top_->start_o;
        o->head_valid = top_->head_valid_o;
        o->unit_end = top_->unit_end_o;
        for (int q = 0; q < QUEUE_COUNT; q++)
            o->head_pc[q] = top_->head_pc_o[q];
    }

    void read_counters(rtpu_stats *s) override
    {
        for (unsigned u = 0; u < UNIT_COUNT; u++) {
            s->units[u].busy = field64(top_->stat_busy_o, u);
            s->units[u].stall = field64(top_->stat_stall_o, u);
            s->units[u].instructions = field64(top_->stat_instructions_o, u);
        }
        s->macs = top_->stat_macs_o;
        s->dram_bytes_read = top_->stat_dram_read_o;
        s->dram_bytes_written = top_->stat_dram_written_o;
    }

    void read_row(rtpu_memory memory, uint64_t row, uint8_t *out) override
    {
        auto *root = top_->rootp;
        switch (memory) {
        case RTPU_MEM_UB:
            for (unsigned i = 0; i < Shape.n; i++)
                out[i] = byte_of(root->rtpu_top__DOT__u_ub__DOT__mem[row], i);
            break;
        case RTPU_MEM_WB:
            for (unsigned i = 0; i < Shape.n; i++)
                out[i] = byte_of(root->rtpu_top__DOT__u_wb__DOT__mem[row], i);
            break;
        case RTPU_MEM_ACC:
            for (unsigned c = 0; c < Shape.n; c++) {
                uint32_t v = root->rtpu_top__DOT__u_acc__DOT__mem[c][row];
                std::memcpy(out + 4 * c, &v, 4);
            }
            break;
        case RTPU_MEM_LUT:
            for (unsigned i = 0; i < 256; i++)
                out[i] = root->rtpu_top__DOT__u_lut__DOT__mem[row][i];
            break;
        default:
            break; // machine_check_memory refused it before
        }
    }

    void trace_open(const char *path) override
    {
        context_->traceEverOn(true);
        trace_.reset(new VerilatedFstC);
        top_->trace(trace_.get(), 99);
        trace_->open(path);
    }
    void trace_dump(uint64_t time) override
    {
        if (trace_)
            trace_->dump(time);
    }
    void trace_close() override
    {
        if (trace_) {
            trace_->close();
            trace_.reset();
        }
    }

private:
    std::unique_ptr<VerilatedContext> context_;
    std::unique_ptr<Top> top_;
    std::unique_ptr<VerilatedFstC> trace_;
};

const model_shape *shape_for(uint32_t n)
{
    return n == shape8.n ? &shape8 : n == shape16.n ? &shape16 : nullptr;
}

} // namespace

struct rtpu_rtl {
    const rtpu_program *program;
    const model_shape *shape;
    std::unique_ptr<model> machine;
    std::vector<uint8_t> dram;
    std::vector<uint8_t> code;  // encoded instructions, 16 bytes each
    std::vector<rtpu_timing> timings;
    rtpu_stats stats;
};

// ---- DPI-C: the model's calls into the harness ----

extern "C" void rtpu_dpi_fetch(unsigned long long ctx, unsigned int pc, svBitVecVal *word)
{
    std::memset(word, 0, 16);
    auto *r = reinterpret_cast<const rtpu_rtl *>(ctx);
    if (r && pc < r->program->insn_count)
        std::memcpy(word, r->code.data() + 16 * (size_t)pc, 16);
}

extern "C" void rtpu_dpi_dram_read(unsigned long long ctx, unsigned int addr, unsigned int bytes, unsigned int epoch,
                                   svBitVecVal *data)
{
    (void)epoch; // only there so the model re-evaluates the read after DRAM writes
    auto *r = reinterpret_cast<const rtpu_rtl *>(ctx);
    if (!r)
        return;
    size_t width = 4 * (size_t)r->shape->n; // bytes in the model's data port
    std::memset(data, 0, width);
    // The model presents addresses even when it is not reading; only in-range bytes exist.
    for (size_t i = 0; i < bytes && i < width; i++)
        if ((uint64_t)addr + i < r->dram.size())
            reinterpret_cast<uint8_t *>(data)[i] = r->dram[(uint64_t)addr + i];
}

extern "C" void rtpu_dpi_dram_write(unsigned long long ctx, unsigned int addr, unsigned int bytes,
                                    const svBitVecVal *data)
{
    auto *r = reinterpret_cast<rtpu_rtl *>(ctx);
    if (!r)
        return;
    for (size_t i = 0; i < bytes && i < r->shape->n; i++)
        if ((uint64_t)addr + i < r->dram.size())
            r->dram[(uint64_t)addr + i] = reinterpret_cast<const uint8_t *>(data)[i];
}

// ---- the C interface ----

extern "C" rtpu_status rtl_check_config(const rtpu_config *c, rtpu_error *err)
{
    const model_shape *s = shape_for(c->array_size);
    if (!s)
        return rtpu_fail(err, RTPU_ERR_UNSUPPORTED, "rtl: config '%s': no verilated model for a %ux%u array (built: 8x8, 16x16)",
                         c->name, c->array_size, c->array_size);
    struct limit {
        const char *field;
        uint64_t value, max;
    } limits[] = {
        {"unified_buffer_bytes", c->unified_buffer_bytes, (uint64_t)s->ub_rows * s->n},
        {"weight_buffer_bytes", c->weight_buffer_bytes, (uint64_t)s->wb_rows * s->n},
        {"accumulator_bytes", c->accumulator_bytes, (uint64_t)s->acc_rows * s->n * 4},
        {"lut_tables", c->lut_tables, s->lut_tables},
        {"queue_depth", c->queue_depth, s->queue_capacity},
        {"vector_lanes", c->vector_lanes, s->n},
        {"dram_bytes_per_cycle", c->dram_bytes_per_cycle, 4 * (uint64_t)s->n},
    };
    for (const limit &l : limits)
        if (l.value > l.max)
            return rtpu_fail(err, RTPU_ERR_UNSUPPORTED, "rtl: config '%s': %s = %" PRIu64 " exceeds the %ux%u model's %" PRIu64,
                             c->name, l.field, l.value, s->n, s->n, l.max);
    return RTPU_OK;
}

extern "C" rtpu_status rtl_create(const rtpu_program *program, rtpu_rtl **out, rtpu_error *err)
{
    rtpu_status st = rtl_check_config(&program->config, err);
    if (st)
        return st;
    try {
        std::unique_ptr<rtpu_rtl> r(new rtpu_rtl());
        r->program = program;
        r->shape = shape_for(program->config.array_size);
        if (r->shape == &shape8)
            r->machine.reset(new model_of<Vrtpu8, shape8>());
        else
            r->machine.reset(new model_of<Vrtpu16, shape16>());
        r->dram.assign(program->dram_size, 0);
        for (size_t i = 0; i < program->segment_count; i++)
            std::memcpy(r->dram.data() + program->segments[i].dram, program->segments[i].bytes,
                        program->segments[i].size);
        r->code.assign(16 * program->insn_count, 0);
        for (size_t pc = 0; pc < program->insn_count; pc++)
            isa_encode(&program->insns[pc], r->code.data() + 16 * pc);
        r->timings.assign(program->insn_count, rtpu_timing{0, 0, 0});
        std::memset(&r->stats, 0, sizeof r->stats);
        *out = r.release();
        return RTPU_OK;
    } catch (const std::bad_alloc &) {
        return rtpu_fail(err, RTPU_ERR_NOMEM, "rtl: cannot allocate the model for '%s' (%" PRIu64 " bytes of DRAM)",
                         program->config.name, program->dram_size);
    }
}

extern "C" void rtl_destroy(rtpu_rtl *rtl) { delete rtl; }

namespace {

// The deadlock message of the simulator (target/machine.c), built from what the model
// shows: each queue's head, the token counters it waits on (pushes seen ending minus
// pops seen starting), and where dispatch stopped.
rtpu_status deadlock(const rtpu_rtl *r, const observation &o, const std::vector<bool> &started,
                     const long long tokens[MACHINE_COUNTERS], size_t next_dispatch, rtpu_error *err)
{
    const rtpu_program *p = r->program;
    machine_deadlock d{};
    for (size_t pc = 0; pc < p->insn_count; pc++)
        if (started[pc] && r->timings[pc].end > d.now)
            d.now = r->timings[pc].end;
    for (int q = 0; q < QUEUE_COUNT; q++) {
        d.head_valid[q] = o.head_valid >> q & 1;
        d.head_dispatched[q] = true; // the model's queues hold dispatched instructions only
        d.head_pc[q] = o.head_pc[q];
    }
    for (int k = 0; k < MACHINE_COUNTERS; k++)
        d.tokens[k] = tokens[k] > 0 ? (uint64_t)tokens[k] : 0;
    d.dispatch_stopped = next_dispatch;
    return machine_deadlock_error(p, &d, err);
}

} // namespace

extern "C" rtpu_status rtl_run(rtpu_rtl *r, uint64_t cycle_limit, const char *waves_path, rtpu_error *err)
{
    const rtpu_program *p = r->program;
    if (!cycle_limit)
        cycle_limit = RTL_DEFAULT_CYCLE_LIMIT;
    std::string temp;
    if (waves_path) {
        size_t len = std::strlen(waves_path);
        if (len < 4 || std::strcmp(waves_path + len - 4, ".fst") != 0)
            return rtpu_fail(err, RTPU_ERR_INVALID, "rtl: waves '%s': the waveform is written as FST and needs a .fst name",
                             waves_path);
        temp = std::string(waves_path) + ".tmp.fst";
        FILE *probe = std::fopen(temp.c_str(), "wb");
        if (!probe)
            return rtpu_fail(err, RTPU_ERR_IO, "rtl: waves '%s': cannot create the file", waves_path);
        std::fclose(probe);
        r->machine->trace_open(temp.c_str());
    }
    std::memset(&r->stats, 0, sizeof r->stats);
    r->timings.assign(p->insn_count, rtpu_timing{0, 0, 0});
    std::vector<bool> started(p->insn_count, false);
    size_t running[UNIT_COUNT] = {0};
    long long tokens[MACHINE_COUNTERS] = {0, 0, 0, 0};
    size_t next_dispatch = 0;

    model &m = *r->machine;
    m.configure(reinterpret_cast<uint64_t>(r), p->config);
    // Reset over one rising edge: clears control state and fetches pc 0.
    m.eval(false, false);
    m.eval(true, false);
    rtpu_status st = RTPU_OK;
    uint64_t t = 0;
    for (;; t++) {
        m.eval(false, true);
        m.trace_dump(2 * t);
        observation o;
        m.observe(&o);
        // Ends first: a unit can end one instruction and start the next in one cycle.
        for (int u = 0; u < UNIT_COUNT; u++)
            if (o.unit_end >> u & 1) {
                size_t pc = running[u];
                r->timings[pc].end = t;
                const isa_insn *in = &p->insns[pc];
                isa_queue q = isa_op_info(in->opcode)->queue;
                for (int next = 0; next < 2; next++) {
                    int k = machine_push_counter(q, next);
                    if (k != MACHINE_NO_COUNTER && (in->tokens & (next ? ISA_PUSH_NEXT : ISA_PUSH_PREV)))
                        tokens[k]++;
                }
            }
        if (o.dispatch) {
            r->timings[o.dispatch_pc].dispatch = t;
            next_dispatch = o.dispatch_pc + 1;
            if (p->insns[o.dispatch_pc].opcode == OP_HALT) {
                r->timings[o.dispatch_pc].start = t;
                r->timings[o.dispatch_pc].end = t + 1;
                started[o.dispatch_pc] = true;
            }
        }
        for (int q = 0; q < QUEUE_COUNT; q++)
            if (o.start >> q & 1) {
                size_t pc = o.head_pc[q];
                const isa_insn *in = &p->insns[pc];
                r->timings[pc].start = t;
                started[pc] = true;
                running[isa_op_info(in->opcode)->unit] = pc;
                for (int next = 0; next < 2; next++) {
                    int k = machine_pop_counter((isa_queue)q, next);
                    if (k != MACHINE_NO_COUNTER && (in->tokens & (next ? ISA_POP_NEXT : ISA_POP_PREV)))
                        tokens[k]--;
                }
            }
        if (o.done)
            break;
        if (o.stuck) {
            st = deadlock(r, o, started, tokens, next_dispatch, err);
            break;
        }
        if (t + 1 >= cycle_limit) {
            st = rtpu_fail(err, RTPU_ERR_RUNTIME, "rtl: '%s' still running after the cycle limit of %" PRIu64 " cycles",
                           p->config.name, cycle_limit);
            break;
        }
        m.eval(true, true);
        m.trace_dump(2 * t + 1);
    }
    m.trace_close();
    if (waves_path) {
        if (st == RTPU_OK && std::rename(temp.c_str(), waves_path) != 0)
            st = rtpu_fail(err, RTPU_ERR_IO, "rtl: waves '%s': cannot rename the finished file into place", waves_path);
        if (st != RTPU_OK)
            std::remove(temp.c_str());
    }
    if (st)
        return st;
    rtpu_stats *s = &r->stats;
    m.read_counters(s);
    machine_finish_stats(p, t, s);
    return RTPU_OK;
}

extern "C" const rtpu_stats *rtl_get_stats(const rtpu_rtl *r) { return &r->stats; }
extern "C" const rtpu_timing *rtl_get_timings(const rtpu_rtl *r) { return r->timings.data(); }
extern "C" const rtpu_program *rtl_get_program(const rtpu_rtl *r) { return r->program; }

extern "C" rtpu_status rtl_read_dram(const rtpu_rtl *r, uint64_t addr, void *out, uint64_t size, rtpu_error *err)
{
    rtpu_status st = machine_check_dram("rtl", r->program, addr, size, false, err);
    if (!st && size)
        std::memcpy(out, r->dram.data() + addr, size);
    return st;
}

extern "C" rtpu_status rtl_write_dram(rtpu_rtl *r, uint64_t addr, const void *data, uint64_t size, rtpu_error *err)
{
    rtpu_status st = machine_check_dram("rtl", r->program, addr, size, true, err);
    if (!st && size)
        std::memcpy(r->dram.data() + addr, data, size);
    return st;
}

extern "C" rtpu_status rtl_read_memory(const rtpu_rtl *r, rtpu_memory memory, uint64_t row, uint64_t count, void *out,
                                       rtpu_error *err)
{
    const rtpu_config *c = &r->program->config;
    rtpu_status st = machine_check_memory("rtl", c, memory, row, count, err);
    if (st)
        return st;
    size_t row_bytes = machine_memory_row_bytes(c, memory);
    for (uint64_t i = 0; i < count; i++)
        r->machine->read_row(memory, row + i, static_cast<uint8_t *>(out) + i * row_bytes);
    return RTPU_OK;
}
