/* rtpu import (compiler/import_tnn.c): small tnn model files written here, converted and
 * compared against rtpu graphs written by hand (node structure, shapes, parameter counts
 * computed by hand below), and bad files with their one-line messages. Together the
 * models use every harbor / pre_memory / memory / post_memory function the zoo uses:
 * harbor, component_conv, conv, dropout, memory, max_pool, elu, residual_add,
 * global_pool, flatten, fc, identity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/import_tnn.h"
#include "compiler/ir.h"

#define HARBOR "\"harbor\": {\"function\": \"harbor\", \"preproc\": null, \"spatial_op\": \"resize\", " \
               "\"channel_op\": \"concat\", \"kernel_init\": \"zeros\", \"weight_decay\": null}"
#define NOMEM "\"memory\": {\"function\": \"memory\", \"memory_decay\": 0, \"trainable\": false}"
#define CC(in, k, s, d, act) "{\"function\": \"component_conv\", \"input_name\": \"" in "\", \"out_depth\": " #d \
    ", \"ksize\": " #k ", \"strides\": [1, " #s ", " #s ", 1], \"padding\": \"SAME\", \"kernel_init\": " \
    "\"variance_scaling\", \"bias\": 0, \"weight_decay\": 0.0001, \"activation\": " act ", \"batch_norm\": false}"
#define DROP "{\"function\": \"dropout\", \"keep_prob\": 1.0, \"seed\": 0, \"name\": \"d\"}"
#define POOL "{\"function\": \"max_pool\", \"ksize\": [1, 2, 2, 1], \"strides\": [1, 2, 2, 1], \"padding\": \"SAME\"}"
#define CELLMEM(k, d) "\"memory\": {\"function\": \"memory\", \"filter_size\": [" #k ", " #k "], \"out_depth\": " #d \
    ", \"shape\": [4, 4], \"weight_decay\": 0.0001}"

/* 16x16x3 input; conv1 3x3/2 without activation, then elu and a max pool (4x4x4);
 * conv2 3x3 elu; conv3..conv5 the cell layers of a 6-layer model; conv3 gets feedback
 * from conv5 and ends with the zoo's conv -> residual_add -> elu -> max_pool block. */
#define NODES_1_TO_5 \
    "{\"name\": \"conv1\", \"shape\": [16, 16, 3], \"dtype\": \"float32\", \"input_init\": {\"function\": \"zeros\"}, " \
    "\"state_init\": {\"function\": \"zeros\"}, " HARBOR ", \"pre_memory\": [" CC("split", 3, 2, 4, "null") ", " DROP "], " \
    NOMEM ", \"post_memory\": [{\"function\": \"elu\"}, " POOL "]},\n" \
    "{\"name\": \"conv2\", \"shape_from\": \"conv1\", " HARBOR ", \"pre_memory\": [" CC("conv1", 3, 1, 4, "\"elu\"") "], " \
    NOMEM ", \"post_memory\": []},\n" \
    "{\"name\": \"conv3\", " HARBOR ", \"pre_memory\": [" CC("conv2", 3, 1, 8, "\"elu\"") ", " DROP "], " CELLMEM(3, 8) \
    ", \"post_memory\": [{\"function\": \"conv\", \"ksize\": [3, 3], \"out_depth\": 8, \"activation\": null, " \
    "\"weight_decay\": 0.0001, \"kernel_init\": \"variance_scaling\"}, {\"function\": \"residual_add\"}, " \
    "{\"function\": \"elu\"}, " POOL "]},\n" \
    "{\"name\": \"conv4\", " HARBOR ", \"pre_memory\": [" CC("conv3", 3, 1, 8, "\"elu\"") "], " CELLMEM(3, 8) \
    ", \"post_memory\": []},\n" \
    "{\"name\": \"conv5\", " HARBOR ", \"pre_memory\": [" CC("conv4", 1, 1, 8, "null") "], " CELLMEM(1, 8) \
    ", \"post_memory\": []},\n"
#define EDGES "\"edges\": [{\"from\": \"conv1\", \"to\": \"conv2\"}, {\"from\": \"conv2\", \"to\": \"conv3\"}, " \
    "{\"from\": \"conv3\", \"to\": \"conv4\"}, {\"from\": \"conv4\", \"to\": \"conv5\"}, " \
    "{\"from\": \"conv5\", \"to\": \"imnetds\"}, {\"from\": \"conv5\", \"to\": \"conv3\"}]"

/* The 11-layer readout: global_pool -> dropout -> flatten -> fc in pre_memory. */
static const char model_fc[] = "{\"nodes\": [\n" NODES_1_TO_5
    "{\"name\": \"imnetds\", " HARBOR ", \"pre_memory\": [{\"function\": \"global_pool\", \"kind\": \"avg\"}, " DROP
    ", {\"function\": \"flatten\"}, {\"function\": \"fc\", \"out_depth\": 10, \"kernel_init\": \"random_normal\", "
    "\"kernel_init_kwargs\": {\"stddev\": 0.01}, \"weight_decay\": 0.0001, \"activation\": null}], " NOMEM
    ", \"post_memory\": [{\"function\": \"identity\", \"name\": \"output\"}]}\n], " EDGES "}\n";

/* The shallow readout: a 2x2 VALID pre-memory conv, then global_pool and identity. */
static const char model_conv[] = "{\"nodes\": [\n" NODES_1_TO_5
    "{\"name\": \"imnetds\", " HARBOR ", \"pre_memory\": [" DROP ", {\"function\": \"conv\", \"ksize\": [2, 2], "
    "\"padding\": \"VALID\", \"out_depth\": 10, \"weight_decay\": 0.0001, \"activation\": null}], " NOMEM
    ", \"post_memory\": [{\"function\": \"global_pool\", \"kind\": \"avg\"}, {\"function\": \"identity\", "
    "\"name\": \"output\"}]}\n], " EDGES "}\n";

#define EXPECTED_1_TO_5 \
    "{\"name\": \"conv1\", \"input\": \"image\", \"conv\": {\"kernel\": 3, \"stride\": 2, \"channels\": 4, " \
    "\"activation\": \"elu\"}, \"post\": [{\"op\": \"maxpool\", \"kernel\": 2}]}," \
    "{\"name\": \"conv2\", \"input\": \"conv1\", \"conv\": {\"kernel\": 3, \"channels\": 4, \"activation\": \"elu\"}}," \
    "{\"name\": \"conv3\", \"input\": \"conv2\", \"feedback\": [\"conv5\"], \"conv\": {\"kernel\": 3, \"channels\": 8, " \
    "\"activation\": \"elu\"}, \"cell\": {\"type\": \"ugrnn\", \"kernel\": 3, \"channels\": 8}, \"post\": [{\"op\": " \
    "\"conv\", \"kernel\": 3, \"channels\": 8}, {\"op\": \"residual_add\"}, {\"op\": \"activation\", \"fn\": \"elu\"}, " \
    "{\"op\": \"maxpool\", \"kernel\": 2}]}," \
    "{\"name\": \"conv4\", \"input\": \"conv3\", \"conv\": {\"kernel\": 3, \"channels\": 8, \"activation\": \"elu\"}, " \
    "\"cell\": {\"type\": \"ugrnn\", \"kernel\": 3, \"channels\": 8}}," \
    "{\"name\": \"conv5\", \"input\": \"conv4\", \"conv\": {\"kernel\": 1, \"channels\": 8}, " \
    "\"cell\": {\"type\": \"ugrnn\", \"kernel\": 1, \"channels\": 8}},"
#define EXPECTED_HEAD "{\"format\": 1, \"input\": {\"shape\": [16, 16, 3]}, " \
    "\"schedule\": {\"mode\": \"default\", \"steps\": 16, \"image_on\": [0, 12]}, \"nodes\": ["

static const char expected_fc[] = EXPECTED_HEAD EXPECTED_1_TO_5
    "{\"name\": \"imnetds\", \"input\": \"conv5\", \"post\": [{\"op\": \"global_avg_pool\"}, {\"op\": \"flatten\"}, "
    "{\"op\": \"fc\", \"units\": 10}]}], \"readout\": {\"node\": \"imnetds\"}}";
static const char expected_conv[] = EXPECTED_HEAD EXPECTED_1_TO_5
    "{\"name\": \"imnetds\", \"input\": \"conv5\", \"conv\": {\"kernel\": 2, \"padding\": \"valid\", \"channels\": 10}, "
    "\"post\": [{\"op\": \"global_avg_pool\"}]}], \"readout\": {\"node\": \"imnetds\"}}";

/* By hand (kernel + bias of each conv; UGRNN: [k, k, X + C, 2C] + 2C; kernels clamp to the
 * value's H x W, so the 3x3 ones of conv4, at 2x2, are 2x2):
 * conv1 3*3*3*4 + 4 = 112 (its elu is written as the conv's activation); conv2 3*3*4*4 + 4 = 148;
 * conv3 (4x4) pre-conv over 4 + 8 (feedback) channels 3*3*12*8 + 8 = 872, UGRNN 3*3*16*16 + 16 = 2320,
 *       post conv 3*3*8*8 + 8 = 584, residual_add projection 12 -> 8: 96;
 * conv4 (2x2) 2*2*8*8 + 8 = 264, UGRNN 2*2*16*16 + 16 = 1040;
 * conv5 1*1*8*8 + 8 = 72, UGRNN 1*1*16*16 + 16 = 272. */
static const long common_params = 112 + 148 + 872 + 2320 + 584 + 96 + 264 + 1040 + 72 + 272;

static graph *import_ok(const char *text, const char *model_name, const char *decoder, char **notes_out)
{
    tnn_import_options o = {.model_name = model_name, .decoder = decoder};
    char *spec = NULL, *notes = NULL;
    rtpu_error err = {0};
    if (tnn_import(text, strlen(text), "t.json", &o, &spec, &notes, &err))
        fail_msg("import: %s", err.message);
    graph *g = NULL;
    if (graph_load_text(spec, strlen(spec), "out.json", &g, &err))
        fail_msg("load: %s\n%s", err.message, spec);
    free(spec);
    if (notes_out)
        *notes_out = notes;
    else
        free(notes);
    return g;
}

static graph *load_text(const char *text)
{
    graph *g = NULL;
    rtpu_error err = {0};
    if (graph_load_text(text, strlen(text), "expected.json", &g, &err))
        fail_msg("expected: %s", err.message);
    return g;
}

static long total_params(const graph *g)
{
    param_table t = {0};
    rtpu_error err = {0};
    assert_int_equal(param_table_build(g, &t, &err), RTPU_OK);
    long total = (long)t.total;
    param_table_destroy(&t);
    return total;
}

/* Same nodes, edges, cells, ops and shapes. */
static void assert_same_graph(const graph *a, const graph *b)
{
    assert_int_equal(a->node_count, b->node_count);
    assert_int_equal(a->readout_node, b->readout_node);
    assert_int_equal(a->sched.steps, b->sched.steps);
    for (int i = 0; i < a->node_count; i++) {
        const node *x = &a->nodes[i], *y = &b->nodes[i];
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->input.from, y->input.from);
        assert_int_equal(x->feedback_count, y->feedback_count);
        for (int k = 0; k < x->feedback_count; k++)
            assert_int_equal(x->feedback[k].from, y->feedback[k].from);
        assert_int_equal(x->conv.present, y->conv.present);
        assert_int_equal(x->cell.type, y->cell.type);
        assert_int_equal(x->post_count, y->post_count);
        for (int k = 0; k < x->post_count; k++)
            assert_int_equal(x->post[k].kind, y->post[k].kind);
        assert_int_equal(x->out_h, y->out_h);
        assert_int_equal(x->out_w, y->out_w);
        assert_int_equal(x->out_c, y->out_c);
        assert_int_equal(x->harbor_c, y->harbor_c);
        assert_int_equal(x->macs_per_step, y->macs_per_step);
    }
    assert_int_equal(total_params(a), total_params(b));
}

static void test_fc_readout(void **state)
{
    (void)state;
    char *notes = NULL;
    graph *g = import_ok(model_fc, "models/ugrnn_tiny.json", NULL, &notes);
    graph *e = load_text(expected_fc);
    assert_same_graph(g, e);
    /* fc 8 -> 10 with bias */
    assert_int_equal(total_params(g), common_params + 8 * 10 + 10);
    assert_int_equal(total_params(g), 5870);
    assert_int_equal(g->nodes[3].out_h, 2);
    assert_int_equal(g->nodes[3].harbor_c, 12);
    assert_int_equal(g->nodes[6].out_c, 10);
    assert_non_null(strstr(notes, "cell type ugrnn (from the model name ugrnn_tiny.json)"));
    assert_non_null(strstr(notes, "presentation default: T = 16, the image at steps 0..11"));
    assert_non_null(strstr(notes, "dropped: dropout with keep_prob 1"));
    assert_non_null(strstr(notes, "dropped: identity"));
    free(notes);
    graph_destroy(g);
    graph_destroy(e);
}

static void test_conv_readout(void **state)
{
    (void)state;
    graph *g = import_ok(model_conv, "ugrnn_tiny.json", NULL, NULL);
    graph *e = load_text(expected_conv);
    assert_same_graph(g, e);
    /* 2x2 VALID conv over 2x2x8 -> 1x1x10: 2*2*8*10 + 10 */
    assert_int_equal(total_params(g), 5780 + 330);
    assert_int_equal(total_params(g), common_params + 2 * 2 * 8 * 10 + 10);
    graph_destroy(g);
    graph_destroy(e);
}

/* The cell comes from the name; gru: [k, k, X + C, 2C] + 2C and [k, k, X + C, C] + C. */
static void test_cell_from_name(void **state)
{
    (void)state;
    graph *g = import_ok(model_fc, "gru_tiny.json", "tmaxconf", NULL);
    assert_int_equal(g->nodes[3].cell.type, CELL_GRU);
    assert_int_equal(g->decoder.kind, DECODER_TMAXCONF);
    /* the GRU's extra candidate conv [k, k, X + C, C] + C at conv3 (3x3), conv4 (2x2), conv5 (1x1) */
    long extra = (3 * 3 * 16 * 8 + 8) + (2 * 2 * 16 * 8 + 8) + (16 * 8 + 8);
    assert_int_equal(total_params(g), common_params + 90 + extra);
    assert_int_equal(total_params(g), 7686);
    graph_destroy(g);
    /* The 6-layer lstm's cells come from lstm_shallow.npz, whatever the json says:
     * 2x2/128, 3x3/256 with peepholes, 4x4/256, all with layer norm. */
    g = import_ok(model_fc, "lstm_tiny.json", NULL, NULL);
    assert_int_equal(g->nodes[3].cell.type, CELL_LSTM);
    assert_int_equal(g->nodes[3].cell_c, 128);
    assert_int_equal(g->nodes[4].cell_c, 256);
    assert_int_equal(g->nodes[5].cell_c, 256);
    graph_destroy(g);
}

static void expect_error(const char *text, const char *model, const char *message)
{
    tnn_import_options o = {.model_name = model};
    char *spec = (char *)1, *notes = (char *)1;
    rtpu_error err = {0};
    assert_int_not_equal(tnn_import(text, strlen(text), "t.json", &o, &spec, &notes, &err), RTPU_OK);
    assert_null(spec);
    assert_null(notes);
    if (!strstr(err.message, message))
        fail_msg("expected '%s' in '%s'", message, err.message);
}

/* Replaces the first `from` in model_fc by `to`. */
static char *patched(const char *from, const char *to)
{
    const char *at = strstr(model_fc, from);
    assert_non_null(at);
    size_t n = strlen(model_fc) - strlen(from) + strlen(to) + 1;
    char *s = malloc(n);
    snprintf(s, n, "%.*s%s%s", (int)(at - model_fc), model_fc, to, at + strlen(from));
    return s;
}

/* The loader's schedules: neural is T = 26 with the image at 0..9; constant needs --steps. */
static void test_schedule(void **state)
{
    (void)state;
    tnn_import_options o = {.model_name = "ugrnn_t.json", .presentation = "neural", .decoder = "dthresh"};
    char *spec = NULL, *notes = NULL;
    rtpu_error err = {0};
    assert_int_equal(tnn_import(model_fc, strlen(model_fc), "t.json", &o, &spec, &notes, &err), RTPU_OK);
    assert_non_null(strstr(spec, "\"schedule\": {\"mode\": \"neural\", \"steps\": 26, \"image_on\": [0, 10]"));
    assert_non_null(strstr(notes, "decoder dthresh: threshold 0.9, beta 1, window steps 6..25"));
    free(spec);
    free(notes);
    o = (tnn_import_options){.model_name = "ugrnn_t.json", .presentation = "constant", .steps = 9};
    assert_int_equal(tnn_import(model_fc, strlen(model_fc), "t.json", &o, &spec, &notes, &err), RTPU_OK);
    assert_non_null(strstr(spec, "\"schedule\": {\"mode\": \"constant\", \"steps\": 9}"));
    free(spec);
    free(notes);
    o = (tnn_import_options){.model_name = "ugrnn_t.json", .steps = 9};
    assert_int_not_equal(tnn_import(model_fc, strlen(model_fc), "t.json", &o, &spec, &notes, &err), RTPU_OK);
    assert_non_null(strstr(err.message, "fixes T for the default presentation"));
}

static void test_errors(void **state)
{
    (void)state;
    char *s = patched("{\"function\": \"flatten\"}", "{\"function\": \"batch_flatten\"}");
    expect_error(s, "ugrnn_t.json", "t.json:7:");
    expect_error(s, "ugrnn_t.json", "node 'imnetds': unknown pre_memory function 'batch_flatten'");
    free(s);
    s = patched("\"out_depth\": 10, ", "");
    expect_error(s, "ugrnn_t.json", "node 'imnetds': missing field 'out_depth'");
    free(s);
    s = patched("{\"from\": \"conv5\", \"to\": \"conv3\"}", "{\"from\": \"conv9\", \"to\": \"conv3\"}");
    expect_error(s, "ugrnn_t.json", "t.json:8:");
    expect_error(s, "ugrnn_t.json", "edge from 'conv9', which is not a node");
    free(s);
    s = patched("\"keep_prob\": 1.0", "\"keep_prob\": 0.5");
    expect_error(s, "ugrnn_t.json", "node 'conv1': dropout with keep_prob 0.5");
    free(s);
    s = patched("\"batch_norm\": false", "\"batch_norm\": true");
    expect_error(s, "ugrnn_t.json", "node 'conv1': field 'batch_norm' must be false");
    free(s);
    s = patched("\"spatial_op\": \"resize\"", "\"spatial_op\": \"deconv\"");
    expect_error(s, "ugrnn_t.json", "node 'conv1': field 'spatial_op' of the harbor must be 'resize'");
    free(s);
    s = patched("\"shape\": [4, 4], ", "\"shape\": [4, 4], \"peepholes\": true, ");
    expect_error(s, "ugrnn_t.json", "node 'conv3': field 'peepholes' of this memory has no rtpu equivalent");
    free(s);
    s = patched("\"kind\": \"avg\"", "\"kind\": \"max\"");
    expect_error(s, "ugrnn_t.json", "node 'imnetds': global_pool kind 'max'");
    free(s);
    /* timedecay models keep tnn's decaying memory at the cell layers (model_func.py) */
    expect_error(model_fc, "timedecay_tiny.json", "t.json:4:519: node 'conv3': field 'filter_size' of a "
                 "decaying memory has no rtpu equivalent");
    s = patched("\"shape_from\": \"conv1\"", "\"shape_from\": \"conv3\"");
    expect_error(s, "ugrnn_t.json", "node 'conv2': field 'shape_from' must name the feedforward input 'conv1'");
    free(s);
    expect_error(model_fc, "nas_tiny.json", "cell type 'nas'");
    expect_error("{\"nodes\": [", "ugrnn_t.json", "t.json:1:");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fc_readout),
        cmocka_unit_test(test_conv_readout),
        cmocka_unit_test(test_cell_from_name),
        cmocka_unit_test(test_schedule),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
