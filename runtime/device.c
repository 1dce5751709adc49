/* The device layer: the rtpu_device_* calls of rtpu/rtpu.h, dispatched through the
 * backend's table. What every backend would otherwise check for itself is checked here
 * once: that the backend has the operation, that a value count fits the tensor, that a
 * run happened before results are read. */
#include "rtpu/rtpu.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "target/program.h"

struct rtpu_device {
    const rtpu_backend *backend;
    void *impl;
    const rtpu_program *program; /* NULL for a graph */
    bool ran;
};

static rtpu_status missing(const rtpu_backend *b, const char *what, rtpu_error *err)
{
    return rtpu_fail(err, RTPU_ERR_UNSUPPORTED, "backend '%s' cannot %s", b->name, what);
}

static rtpu_status open_device(const char *name, const rtpu_program *p, const rtpu_program_options *po,
                               const rtpu_graph *g, const rtpu_weights *w, const rtpu_graph_options *o,
                               rtpu_device **out, rtpu_error *err)
{
    *out = NULL;
    const rtpu_backend *b = NULL;
    rtpu_status st = rtpu_backend_find(name, &b, err);
    if (st)
        return st;
    if (p ? !b->open_program : !b->open_graph)
        return missing(b, p ? "run program files (it runs graphs)" : "run graphs (it runs program files)", err);
    /* Every accelerator backend holds the same memories, so the budget is checked here,
     * once, before any backend allocates (graph backends check theirs at run time, when
     * the kept outputs are known). */
    if (p && (st = program_check_memory(p, po ? po->max_memory : 0, err)))
        return st;
    rtpu_device *d = calloc(1, sizeof *d);
    if (!d)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory");
    d->backend = b;
    d->program = p;
    rtpu_graph_options defaults = {0};
    st = p ? b->open_program(p, &d->impl, err) : b->open_graph(g, w, o ? o : &defaults, &d->impl, err);
    if (st) {
        free(d);
        return st;
    }
    *out = d;
    return RTPU_OK;
}

rtpu_status rtpu_device_open_program(const char *backend, const rtpu_program *p, const rtpu_program_options *o,
                                     rtpu_device **out, rtpu_error *err)
{
    if (!p)
        return rtpu_fail(err, RTPU_ERR_INVALID, "no program given");
    return open_device(backend, p, o, NULL, NULL, NULL, out, err);
}

rtpu_status rtpu_device_open_graph(const char *backend, const rtpu_graph *g, const rtpu_weights *w,
                                   const rtpu_graph_options *o, rtpu_device **out, rtpu_error *err)
{
    if (!g || !w)
        return rtpu_fail(err, RTPU_ERR_INVALID, "opening a graph needs the graph and its weights");
    return open_device(backend, NULL, NULL, g, w, o, out, err);
}

void rtpu_device_close(rtpu_device *d)
{
    if (!d)
        return;
    d->backend->close(d->impl);
    free(d);
}

const rtpu_backend *rtpu_device_backend(const rtpu_device *d) { return d->backend; }
const rtpu_program *rtpu_device_program(const rtpu_device *d) { return d->program; }

rtpu_status rtpu_device_describe(rtpu_device *d, const char *name, int step, rtpu_tensor_desc *out, rtpu_error *err)
{
    memset(out, 0, sizeof *out);
    if (!name || !*name)
        return rtpu_fail(err, RTPU_ERR_INVALID, "no tensor name given");
    if (step < RTPU_BY_NAME)
        return rtpu_fail(err, RTPU_ERR_INVALID, "'%s': step %d is negative", name, step);
    return d->backend->describe(d->impl, name, step, out, err);
}

rtpu_status rtpu_device_keep(rtpu_device *d, const char *node, int step, rtpu_error *err)
{
    if (d->ran)
        return rtpu_fail(err, RTPU_ERR_INVALID, "outputs to keep must be declared before the run");
    if (!d->backend->keep) /* program backends keep everything in DRAM: only check the name */
    {
        rtpu_tensor_desc t;
        return rtpu_device_describe(d, node, step, &t, err);
    }
    return d->backend->keep(d->impl, node, step, err);
}

/* Looks the tensor up and checks the caller's element count against it. */
static rtpu_status resolve(rtpu_device *d, const char *name, int step, size_t count, rtpu_tensor_desc *t,
                           rtpu_error *err)
{
    rtpu_status st = rtpu_device_describe(d, name, step, t, err);
    if (st)
        return st;
    if (count != t->count)
        return rtpu_fail(err, RTPU_ERR_SHAPE, "tensor '%s' has %zu values (%ux%ux%ux%u), not %zu", t->name, t->count,
                         t->shape[0], t->shape[1], t->shape[2], t->shape[3], count);
    return RTPU_OK;
}

rtpu_status rtpu_device_write(rtpu_device *d, const char *name, int step, const float *values, size_t count,
                              rtpu_error *err)
{
    rtpu_tensor_desc t;
    rtpu_status st = resolve(d, name, step, count, &t, err);
    if (st)
        return st;
    if (!d->backend->write)
        return missing(d->backend, "write tensors", err);
    return d->backend->write(d->impl, &t, values, err);
}

rtpu_status rtpu_device_run(rtpu_device *d, const rtpu_run_options *o, rtpu_error *err)
{
    rtpu_run_options defaults = {0};
    if (o && o->waves_path && !(d->backend->caps & RTPU_CAN_WAVES))
        return missing(d->backend, "write waveforms", err);
    rtpu_status st = d->backend->run(d->impl, o ? o : &defaults, err);
    d->ran = st == RTPU_OK;
    return st;
}

rtpu_status rtpu_device_read(rtpu_device *d, const char *name, int step, float *out, size_t count, rtpu_error *err)
{
    rtpu_tensor_desc t;
    rtpu_status st = resolve(d, name, step, count, &t, err);
    if (st)
        return st;
    if (!d->ran && !d->program)
        return rtpu_fail(err, RTPU_ERR_INVALID, "tensor '%s': the graph has not run yet", t.name);
    return d->backend->read(d->impl, &t, out, err);
}

const rtpu_stats *rtpu_device_stats(const rtpu_device *d)
{
    return d->ran && d->backend->stats ? d->backend->stats(d->impl) : NULL;
}

const rtpu_timing *rtpu_device_timings(const rtpu_device *d)
{
    return d->ran && d->backend->timings ? d->backend->timings(d->impl) : NULL;
}

rtpu_status rtpu_device_read_dram(const rtpu_device *d, uint64_t addr, void *out, uint64_t size, rtpu_error *err)
{
    if (!d->backend->read_dram)
        return missing(d->backend, "read DRAM", err);
    return d->backend->read_dram(d->impl, addr, out, size, err);
}

rtpu_status rtpu_device_write_dram(rtpu_device *d, uint64_t addr, const void *data, uint64_t size, rtpu_error *err)
{
    if (!d->backend->write_dram)
        return missing(d->backend, "write DRAM", err);
    return d->backend->write_dram(d->impl, addr, data, size, err);
}

rtpu_status rtpu_device_read_memory(const rtpu_device *d, rtpu_memory m, uint64_t row, uint64_t count, void *out,
                                    rtpu_error *err)
{
    if (!d->backend->read_memory)
        return missing(d->backend, "read on-chip memories", err);
    return d->backend->read_memory(d->impl, m, row, count, out, err);
}
