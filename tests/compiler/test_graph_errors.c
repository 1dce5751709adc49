/* Every malformed or invalid spec gets one line that names the file, the position, the
 * node and the broken rule. Each case is a small spec and the message fragments it must
 * produce (positions counted by hand in the literal text). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/ir.h"

/* A valid three-node graph the cases below break one way at a time. */
#define HEAD "{\"format\": 1, \"input\": {\"shape\": [8, 8, 3]},\n"
#define READOUT ",\n\"readout\": {\"node\": \"b\"}}"
/* That graph's node b with post ops `ops`; the one-node graph up to its readout object. */
#define POST(ops) HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\", \"post\": [" ops "]}]" READOUT
#define ONE_NODE HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\"}],\n\"readout\": "

typedef struct error_case {
    const char *name;
    const char *spec;
    const char *fragments[3];
} error_case;

static const error_case cases[] = {
    {"truncated json", "{\"format\": 1,\n  \"nodes\": [", {"test.json:2:13:", "unexpected end of input"}},
    {"bad token", "{\"format\": 1, \"nodes\": [tru]}", {"test.json:1:25:", "unexpected character"}},
    {"trailing comma", "{\"format\": 1,}", {"test.json:1:14:", "member name"}},
    {"duplicate key", "{\"format\": 1, \"format\": 1}", {"test.json:1:15:", "duplicate member 'format'"}},
    {"not an object", "[1, 2]", {"test.json:1:1:", "must be an object"}},
    {"wrong format version", "{\"format\": 2}", {"test.json:1:12:", "spec format 2 is not supported"}},
    {"missing format", "{\"nodes\": []}", {"missing field 'format'"}},
    {"unknown top-level field",
     HEAD "\"nodez\": []" READOUT, {"test.json:2:1:", "unknown field 'nodez'"}},
    {"unknown node field",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\", \"kernal\": 3}]" READOUT,
     {"test.json:3:34:", "node 'b': unknown field 'kernal' in a node"}},
    {"feedback from a missing node",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\", \"feedback\": [\"conv12\"],\n"
          "  \"conv\": {\"kernel\": 3, \"channels\": 4}}]" READOUT,
     {"test.json:3:47:", "node 'b': feedback from 'conv12', which does not exist"}},
    {"input from a missing node",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"a\"}]" READOUT, {"test.json:3:25:", "node 'b': input from 'a'"}},
    {"node without input", HEAD "\"nodes\": [\n {\"name\": \"b\"}]" READOUT,
     {"test.json:3:2:", "node 'b': every node needs an 'input'"}},
    {"duplicate node name",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\"},\n {\"name\": \"b\", \"input\": \"image\"}]" READOUT,
     {"test.json:4:11:", "node name 'b' is used twice"}},
    {"bad channels",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\", \"conv\": {\"kernel\": 3, \"channels\": -4}}]" READOUT,
     {"test.json:3:68:", "node 'b': field 'channels' must be an integer in 1..65536"}},
    {"kernel not an integer",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\", \"conv\": {\"kernel\": 2.5, \"channels\": 4}}]" READOUT,
     {"node 'b':", "field 'kernel' must be a kernel size"}},
    {"unknown activation",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\", \"conv\": {\"kernel\": 3, \"channels\": 4, "
          "\"activation\": \"swish\"}}]" READOUT,
     {"node 'b':", "field 'activation' is 'swish'"}},
    {"unknown cell type",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\", \"cell\": {\"type\": \"nas\"}}]" READOUT,
     {"test.json:3:51:", "node 'b': field 'type' is 'nas', expected one of: none, time_decay, vanilla, lstm, gru, rgc,"
                         " ugrnn, intersection"}},
    {"ugrnn field it does not have",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\", \"cell\": {\"type\": \"ugrnn\", \"peepholes\": true}}]"
          READOUT,
     {"test.json:3:60:", "node 'b': unknown field 'peepholes' in a ugrnn cell",
      "(allowed: type, channels, kernel, layer_norm, forget_bias, init_scale)"}},
    {"intersection forget_bias not a number",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\", \"cell\": {\"type\": \"intersection\","
          " \"forget_bias\": \"1\"}}]" READOUT,
     {"test.json:3:82:", "node 'b': field 'forget_bias' must be a number in -100..100"}},
    {"ugrnn layer_norm not a boolean",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\", \"cell\": {\"type\": \"ugrnn\", \"layer_norm\": \"yes\"}}]"
          READOUT,
     {"test.json:3:74:", "node 'b': field 'layer_norm' must be true or false"}},
    {"ugrnn kernel too large",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\", \"cell\": {\"type\": \"ugrnn\", \"kernel\": 65}}]" READOUT,
     {"test.json:3:70:", "node 'b': field 'kernel' must be an integer in 1..64"}},
    {"intersection that changes depth",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\", \"conv\": {\"kernel\": 3, \"channels\": 4},"
          " \"cell\": {\"type\": \"intersection\", \"channels\": 6}}]" READOUT,
     {"test.json:3:80:", "node 'b': an intersection cell keeps its input's depth: its input has 4 channels, "
                         "'channels' is 6"}},
    /* A node-specific rule broken through a named cell points at the node's use of it. */
    {"named intersection cell that changes depth",
     HEAD "\"cells\": {\"zoo\": {\"type\": \"intersection\", \"channels\": 6}},\n"
          "\"nodes\": [{\"name\": \"b\", \"input\": \"image\", \"cell\": \"zoo\"}]" READOUT,
     {"test.json:3:51:", "node 'b': an intersection cell keeps its input's depth: its input has 3 channels"}},
    {"unused named intersection cell with an rgc field",
     HEAD "\"cells\": {\"zoo\": {\"type\": \"intersection\", \"cell_channels\": 8}},\n"
          "\"nodes\": [{\"name\": \"b\", \"input\": \"image\"}]" READOUT,
     {"test.json:2:43:", "unknown field 'cell_channels' in an intersection cell"}},
    {"rgc gate must be sigmoid or tanh",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\", \"cell\": {\"type\": \"rgc\", \"tau_gate\": \"elu\"}}]"
          READOUT,
     {"node 'b':", "field 'tau_gate' must be sigmoid or tanh"}},
    {"undefined named cell",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\", \"cell\": \"median\"}]" READOUT,
     {"test.json:3:42:", "cell 'median' is not defined in the top-level 'cells'"}},
    {"feedback without a pre-conv",
     HEAD "\"nodes\": [\n {\"name\": \"a\", \"input\": \"image\", \"conv\": {\"kernel\": 1, \"channels\": 2}},\n"
          " {\"name\": \"b\", \"input\": \"a\", \"feedback\": [\"a\"]}]" READOUT,
     {"test.json:4:2:", "node 'b': feedback is combined by the pre-memory conv"}},
    {"cycle with no delay",
     HEAD "\"nodes\": [\n {\"name\": \"a\", \"input\": \"image\", \"feedback\": [{\"from\": \"b\", \"delay\": 0}],"
          " \"conv\": {\"kernel\": 1, \"channels\": 2}},\n"
          " {\"name\": \"b\", \"input\": {\"from\": \"a\", \"delay\": 0}}]" READOUT,
     {"test.json: cycle with no delay: ", "b -> a -> b", "needs delay >= 1"}},
    {"feedforward loop",
     HEAD "\"nodes\": [\n {\"name\": \"a\", \"input\": \"b\"},\n {\"name\": \"b\", \"input\": \"a\"}]" READOUT,
     {"feedforward inputs form a loop"}},
    {"residual after a strided conv",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\", \"conv\": {\"kernel\": 3, \"stride\": 2, \"channels\": 4},"
          " \"cell\": {\"type\": \"rgc\", \"residual\": true}}]" READOUT,
     {"node 'b':", "residual needs the cell input (8x8) and the cell (4x4)"}},
    {"valid pool too large",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\", \"post\": [{\"op\": \"maxpool\", \"kernel\": 9, "
          "\"padding\": \"valid\"}]}]" READOUT,
     {"node 'b':", "VALID pool does not fit its 8x8 input"}},
    {"readout node missing",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\"}],\n\"readout\": {\"node\": \"logits\"}}",
     {"test.json:4:21:", "readout node 'logits' does not exist"}},
    {"absurd input shape", "{\"format\": 1, \"input\": {\"shape\": [100000, 8, 3]}, \"nodes\": [{}]}",
     {"test.json:1:35:", "input shape entries must be integers in 1..8192"}},
    {"bad schedule",
     HEAD "\"schedule\": {\"mode\": \"default\", \"image_on\": [5, 2]}, \"nodes\": [\n"
          " {\"name\": \"b\", \"input\": \"image\"}]" READOUT,
     {"test.json:2:45:", "'image_on' must be [first, end)"}},
    {"unknown decoder",
     HEAD "\"nodes\": [\n {\"name\": \"b\", \"input\": \"image\"}],\n\"readout\": {\"node\": \"b\", \"decoder\": \"vote\"}}",
     {"field 'decoder' is 'vote'", "expected one of: last, max_conf, thresh, tmaxconf, dthresh"}},
    /* The model zoo's post-memory ops and decoders. */
    {"unknown post op",
     POST("{\"op\": \"dropout\"}"),
     {"test.json:3:50:", "node 'b': field 'op' is 'dropout', expected one of: maxpool, avgpool, global_avg_pool, fc, "
                         "residual, conv, residual_add, activation, flatten"}},
    {"post conv without channels", POST("{\"op\": \"conv\", \"kernel\": 3}"),
     {"test.json:3:43:", "node 'b': missing field 'channels'"}},
    {"post conv unknown field", POST("{\"op\": \"conv\", \"kernel\": 3, \"channels\": 4, \"units\": 2}"),
     {"test.json:3:86:", "node 'b': unknown field 'units' in a conv op",
      "(allowed: op, kernel, stride, padding, channels, activation, bias, init_scale)"}},
    {"post conv bad stride", POST("{\"op\": \"conv\", \"kernel\": 3, \"channels\": 4, \"stride\": 0}"),
     {"test.json:3:96:", "node 'b': field 'stride' must be an integer in 1..16"}},
    {"activation without fn", POST("{\"op\": \"activation\"}"), {"test.json:3:43:", "node 'b': missing field 'fn'"}},
    {"activation unknown fn", POST("{\"op\": \"activation\", \"fn\": \"gelu\"}"),
     {"test.json:3:70:", "node 'b': field 'fn' is 'gelu', expected one of: none (or identity), elu, relu"}},
    {"residual_add with a field", POST("{\"op\": \"residual_add\", \"kernel\": 1}"),
     {"test.json:3:66:", "node 'b': unknown field 'kernel' in this op (allowed: op)"}},
    {"flatten with a field", POST("{\"op\": \"flatten\", \"units\": 4}"),
     {"test.json:3:61:", "node 'b': unknown field 'units' in this op (allowed: op)"}},
    {"beta for max_conf", ONE_NODE "{\"node\": \"b\", \"decoder\": \"max_conf\", \"beta\": 0.5}}",
     {"test.json:4:49:", "unknown field 'beta' in a max_conf readout (allowed: node, decoder, threshold)"}},
    {"threshold for tmaxconf", ONE_NODE "{\"node\": \"b\", \"decoder\": \"tmaxconf\", \"threshold\": 0.5}}",
     {"test.json:4:49:", "unknown field 'threshold' in a tmaxconf readout (allowed: node, decoder, beta, window)"}},
    {"beta out of range", ONE_NODE "{\"node\": \"b\", \"decoder\": \"dthresh\", \"beta\": -1}}",
     {"test.json:4:56:", "field 'beta' must be a number in 0..1000"}},
    {"window past the schedule",
     HEAD "\"schedule\": {\"steps\": 4}, \"nodes\": [\n {\"name\": \"b\", \"input\": \"image\"}],\n\"readout\": "
          "{\"node\": \"b\", \"decoder\": \"dthresh\", \"window\": [1, 9]}}",
     {"test.json:4:58:", "'window' [1, 9) goes past the schedule's 4 steps"}},
    {"empty window", ONE_NODE "{\"node\": \"b\", \"decoder\": \"tmaxconf\", \"window\": [3, 3]}}",
     {"test.json:4:59:", "'window' must be [first, end) steps with 0 <= first < end"}},
    /* The zoo's default window starts at num_layers, here 1: past a 1-step schedule. */
    {"default window past the schedule",
     HEAD "\"schedule\": {\"steps\": 1}, \"nodes\": [\n {\"name\": \"b\", \"input\": \"image\"}],\n\"readout\": "
          "{\"node\": \"b\", \"decoder\": \"tmaxconf\"}}",
     {"test.json:4:12:", "the tmaxconf decoder reads from step 1 (the zoo's num_layers", "past the schedule's 1 steps"}},
    {"unknown readout field", ONE_NODE "{\"node\": \"b\", \"windows\": [1, 2]}}",
     {"test.json:4:26:", "unknown field 'windows' in field 'readout' (allowed: node, decoder, threshold, beta, window)"}},
    {"huge number where an integer belongs",
     "{\"format\": 1, \"input\": {\"shape\": [1e20, 8, 3]}, \"nodes\": [{}]}",
     {"test.json:1:35:", "input shape entries must be integers"}},
    {"image_on past the schedule",
     HEAD "\"schedule\": {\"steps\": 4, \"image_on\": [1, 9]}, \"nodes\": [\n"
          " {\"name\": \"b\", \"input\": \"image\"}]" READOUT,
     {"'image_on' [1, 9) goes past the schedule's 4 steps"}},
    {"image_on in constant mode",
     HEAD "\"schedule\": {\"mode\": \"constant\", \"image_on\": [0, 2]}, \"nodes\": [\n"
          " {\"name\": \"b\", \"input\": \"image\"}]" READOUT,
     {"'image_on' does not apply to mode 'constant'"}},
    {"unused named cell with a typo",
     HEAD "\"cells\": {\"spare\": {\"type\": \"lstm\", \"peepholez\": true}},\n"
          "\"nodes\": [{\"name\": \"b\", \"input\": \"image\"}]" READOUT,
     {"test.json:2:37:", "unknown field 'peepholez' in an lstm cell"}},
    {"description of the wrong type", HEAD "\"description\": 7, \"nodes\": [{\"name\": \"b\", \"input\": \"image\"}]" READOUT,
     {"test.json:2:16:", "field 'description' must be a string"}},
    {"bad name characters", HEAD "\"nodes\": [\n {\"name\": \"b c\", \"input\": \"image\"}]" READOUT,
     {"test.json:3:11:", "may contain only letters"}},
};

static void test_error_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const error_case *c = &cases[i];
        rtpu_error err = {0};
        graph *g = NULL;
        rtpu_status s = graph_load_text(c->spec, strlen(c->spec), "test.json", &g, &err);
        if (s == RTPU_OK)
            fail_msg("case '%s': accepted an invalid spec", c->name);
        assert_null(g);
        assert_null(strchr(err.message, '\n'));
        for (int k = 0; k < 3 && c->fragments[k]; k++)
            if (!strstr(err.message, c->fragments[k]))
                fail_msg("case '%s': message \"%s\" lacks \"%s\"", c->name, err.message, c->fragments[k]);
    }
}

static void test_missing_file(void **state)
{
    (void)state;
    rtpu_error err = {0};
    graph *g = NULL;
    assert_int_not_equal(graph_load("/nonexistent/graph.json", &g, &err), RTPU_OK);
    assert_non_null(strstr(err.message, "/nonexistent/graph.json"));
}

/* The same graph with explicit delays: delay-0 edges change the evaluation order. */
static void test_evaluation_order(void **state)
{
    (void)state;
    const char *spec = HEAD "\"nodes\": [\n {\"name\": \"c\", \"input\": {\"from\": \"b\", \"delay\": 0}},\n"
                            " {\"name\": \"b\", \"input\": \"image\"}]" READOUT;
    rtpu_error err = {0};
    graph *g = NULL;
    assert_int_equal(graph_load_text(spec, strlen(spec), "test.json", &g, &err), RTPU_OK);
    /* image(0) first, then b (index 2) before c (index 1) because c reads b at the same step. */
    assert_int_equal(g->order[0], 0);
    assert_int_equal(g->order[1], 2);
    assert_int_equal(g->order[2], 1);
    assert_int_equal(g->nodes[2].input.delay, 0); /* out of the input node: delay 0 by default */
    graph_destroy(g);
}

/* Schedule modes fill their defaults (docs/model-semantics.md section 1). */
static void test_schedule_modes(void **state)
{
    (void)state;
    static const struct { const char *schedule; int steps, on_start, on_end; } modes[] = {
        {"{}", 17, 0, 12},
        {"{\"mode\": \"neural\"}", 26, 0, 10},
        {"{\"mode\": \"constant\", \"steps\": 5}", 5, 0, 5},
        {"{\"steps\": 16}", 16, 0, 12},
    };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        char spec[512];
        snprintf(spec, sizeof spec, HEAD "\"schedule\": %s, \"nodes\": [{\"name\": \"b\", \"input\": \"image\"}]" READOUT,
                 modes[i].schedule);
        rtpu_error err = {0};
        graph *g = NULL;
        if (graph_load_text(spec, strlen(spec), "test.json", &g, &err))
            fail_msg("%s", err.message);
        assert_int_equal(g->sched.steps, modes[i].steps);
        assert_int_equal(g->sched.image_on_start, modes[i].on_start);
        assert_int_equal(g->sched.image_on_end, modes[i].on_end);
        assert_true(g->sched.blank_value == 0.5f);
        /* Constant mode shows the image at every step, even past its own length. */
        if (g->sched.mode == SCHEDULE_CONSTANT)
            assert_true(schedule_shows_image(&g->sched, 50));
        else
            assert_false(schedule_shows_image(&g->sched, modes[i].on_end));
        graph_destroy(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_cases),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_evaluation_order),
        cmocka_unit_test(test_schedule_modes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
