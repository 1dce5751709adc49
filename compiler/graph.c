/* graph_load: read a spec file and run the front-end passes in order
 * (parse -> validate -> shapes -> params), owning the result. */
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"
#include "compiler/ir.h"

/* A spec is a few kilobytes; anything past 64 MiB is not a spec. */
#define SPEC_MAX_BYTES ((size_t)64 << 20)

rtpu_status graph_load_text(const char *text, size_t length, const char *source, graph **out,
                            rtpu_error *err)
{
    graph *g = NULL;
    rtpu_status s = graph_parse(text, length, source, &g, err);
    if (!s && !(s = graph_validate(g, err)) && !(s = graph_infer_shapes(g, err)))
        s = graph_bind_params(g, err);
    if (s) {
        graph_destroy(g);
        *out = NULL;
        return s;
    }
    *out = g;
    return RTPU_OK;
}

rtpu_status graph_load(const char *path, graph **out, rtpu_error *err)
{
    void *text = NULL;
    size_t size = 0;
    *out = NULL;
    rtpu_status s = read_whole_file(path, SPEC_MAX_BYTES, &text, &size, err);
    if (s)
        return s;
    s = graph_load_text(text, size, path, out, err);
    free(text);
    return s;
}

void graph_destroy(graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->node_count; i++) {
        free(g->nodes[i].feedback);
        free(g->nodes[i].post);
    }
    free(g->nodes);
    free(g->order);
    if (g->params) {
        param_table_destroy(g->params);
        free(g->params);
    }
    free(g->source);
    free(g);
}

int graph_find_node(const graph *g, const char *name)
{
    for (int i = 0; i < g->node_count; i++)
        if (g->nodes[i].name[0] && !strcmp(g->nodes[i].name, name))
            return i;
    return -1;
}

bool schedule_shows_image(const schedule *s, int step)
{
    /* Constant mode shows the image at every step, also past a schedule cut by --steps. */
    return s->mode == SCHEDULE_CONSTANT || (step >= s->image_on_start && step < s->image_on_end);
}

bool decoder_window(const decoder_spec *d, int steps, int *start, int *end)
{
    bool windowed = d->kind == DECODER_TMAXCONF || d->kind == DECODER_DTHRESH;
    *start = windowed ? d->window_start : 0;
    *end = windowed && d->window_end > 0 ? d->window_end : steps;
    return *start < *end && *end <= steps;
}
