/* Fuzz harness: model spec JSON (graph_load_text: parse, validate, shape inference,
 * compiler/) and the parameter table built from a graph that loads (compiler/params.c). */
#include <stdlib.h>

#include "compiler/ir.h"
#include "tests/fuzz/fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_planted_crash(data, size);
    graph *g = (graph *)1; /* must become NULL on failure */
    rtpu_error err = {0};
    rtpu_status st = graph_load_text((const char *)data, size, "fuzz.json", &g, &err);
    if (fuzz_check_error(st, &err, "graph_load_text")) {
        if (g)
            fuzz_fail("graph_load_text failed but left an output graph");
        return 0;
    }
    param_table table = {0};
    rtpu_error perr = {0};
    if (!fuzz_check_error(param_table_build(g, &table, &perr), &perr, "param_table_build")) {
        for (int i = 0; i < table.count; i++)
            if (param_table_find(&table, table.params[i].name) != i)
                fuzz_fail("parameter %d ('%s') is not found under its own name", i, table.params[i].name);
        param_table_destroy(&table);
    }
    graph_destroy(g);
    return 0;
}
