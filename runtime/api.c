/* The model and program handles of rtpu/rtpu.h: thin names over the front end
 * (compiler/graph.c), the weights (cpu/weights.c) and the program loader
 * (target/program_file.c), so a user of the installed library needs only rtpu.h. */
#include "rtpu/rtpu.h"

#include <stdlib.h>

#include "compiler/ir.h"
#include "cpu/stimulus.h"
#include "cpu/weights.h"
#include "target/program.h"

rtpu_status rtpu_graph_load(const char *path, rtpu_graph **out, rtpu_error *err) { return graph_load(path, out, err); }
void rtpu_graph_destroy(rtpu_graph *g) { graph_destroy(g); }

rtpu_status rtpu_weights_init(const rtpu_graph *g, uint64_t seed, uint64_t max_memory, rtpu_weights **out,
                              rtpu_error *err)
{
    return weights_init(g, seed, max_memory, out, err);
}

rtpu_status rtpu_weights_load(const rtpu_graph *g, const char *path, uint64_t max_memory, rtpu_weights **out,
                              rtpu_error *err)
{
    return weights_load(g, path, max_memory, out, err);
}

void rtpu_weights_destroy(rtpu_weights *w) { weights_destroy(w); }

rtpu_status rtpu_program_load(const char *path, rtpu_program **out, rtpu_error *err)
{
    return program_load(path, out, err);
}

void rtpu_program_destroy(rtpu_program *p) { program_destroy(p); }

rtpu_status rtpu_stimulus_load(const rtpu_graph *g, const char *const *paths, int count, float **images, int *batch,
                               rtpu_error *err)
{
    return stimulus_load(g, paths, count, images, batch, err);
}

void rtpu_free(void *memory) { free(memory); }

const char *rtpu_graph_name(const rtpu_graph *g) { return g->name; }
const char *rtpu_graph_readout(const rtpu_graph *g) { return g->nodes[g->readout_node].name; }
int rtpu_graph_steps(const rtpu_graph *g) { return g->sched.steps; }
