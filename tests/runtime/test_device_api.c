/* The device API itself (rtpu/rtpu.h): the registry, what each backend refuses and the
 * words it uses, tensors by name and by (node, step) on a program and on a graph, the
 * declared-outputs rule, and values that cross the API unchanged: a program tensor
 * written through the API reads back as the quantised values computed here by hand, and
 * a graph node read through the API equals the CPU reference's own tensor bit for bit. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/cpu_ref.h"
#include "device_test_util.h"
#include "sim/sim_test_util.h"
#include "target/asm.h"

static void test_registry(void **state)
{
    (void)state;
    rtpu_error err = {0};
    const rtpu_backend *b = NULL;
    assert_int_equal(rtpu_backend_find("sim", &b, &err), RTPU_OK);
    assert_string_equal(b->name, "sim");
    assert_true(b->caps & RTPU_CAN_RUN_PROGRAM);
    assert_int_equal(rtpu_backend_find("cpu", &b, &err), RTPU_OK);
    assert_true(b->caps & RTPU_CAN_RUN_GRAPH);
    assert_false(b->caps & RTPU_CAN_COUNT_CYCLES);
    assert_int_equal(rtpu_backend_find("gpu", &b, &err), RTPU_ERR_UNSUPPORTED);
    assert_null(b);
    assert_non_null(strstr(err.message, "unknown backend 'gpu' (this build has: sim, "));
    /* Every backend in the registry is found by its name, once. */
    size_t n = rtpu_backend_count();
    assert_true(n >= 2);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rtpu_backend_find(rtpu_backend_at(i)->name, &b, &err), RTPU_OK);
        assert_ptr_equal(b, rtpu_backend_at(i));
        assert_non_null(b->close);
        assert_non_null(b->describe);
        assert_non_null(b->run);
    }
    assert_null(rtpu_backend_at(n));
    const char *expect = getenv("RTPU_EXPECT_RTL");
    if (expect && *expect == '1') {
        assert_int_equal(rtpu_backend_find("rtl", &b, &err), RTPU_OK);
        assert_true(b->caps & RTPU_CAN_WAVES);
    } else if (!cosim_has_rtl()) {
        assert_int_equal(rtpu_backend_find("rtl", &b, &err), RTPU_ERR_UNSUPPORTED);
        assert_string_equal(err.message, "backend 'rtl' is not in this build (configure with -DRTPU_RTL=ON)");
    }
}

/* A program with one int8 input tensor that is copied (vadd with multipliers 1 and 0,
 * shift 0) to an output tensor. */
static rtpu_program *copy_program(void)
{
    rtpu_config cfg;
    test_load_config("small-8", &cfg);
    static const char text[] =
        ".tensor name=x node=a step=2 role=input dtype=int8 dram=0x0 shape=1,2,2,8 block=8 scale=0.5\n"
        ".tensor name=y node=b step=3 role=output dtype=int8 dram=0x100 shape=1,2,2,8 block=8 scale=0.5\n"
        "load.ub sram=0 dram=0x0 lines=1 rows=4 elems=8 stride=32 push=ex\n"
        "vadd a=0 b=0 dst=4 rows=4 mul_a=1 mul_b=0 shift=0 pop=ld push=st\n"
        "store sram=4 dram=0x100 lines=1 rows=4 elems=8 stride=32 sram_stride=4 pop=ex\n"
        "halt\n";
    rtpu_program *p = NULL;
    rtpu_error err = {0};
    if (asm_assemble(text, strlen(text), "copy.s", &cfg, &p, &err))
        fail_msg("%s", err.message);
    return p;
}

static void test_program_tensors(void **state)
{
    (void)state;
    cosim c;
    cosim_create(&c, copy_program());
    rtpu_error err = {0};
    float in[32], out[32];
    for (int i = 0; i < 32; i++)
        in[i] = (float)(i - 16) * 0.37f; /* quantised: round(x / 0.5), half away from zero */
    for (int k = 0; k < c.count; k++) {
        rtpu_device *d = c.dev[k];
        rtpu_tensor_desc t;
        assert_int_equal(rtpu_device_describe(d, "x", RTPU_BY_NAME, &t, &err), RTPU_OK);
        assert_int_equal(t.count, 32);
        assert_int_equal(t.dtype_bits, 8);
        assert_int_equal(t.role, RTPU_TENSOR_INPUT);
        assert_int_equal(t.step, 2);
        /* the same tensor by (node, step) */
        assert_int_equal(rtpu_device_describe(d, "b", 3, &t, &err), RTPU_OK);
        assert_string_equal(t.name, "y");
        assert_int_equal(rtpu_device_describe(d, "b", 4, &t, &err), RTPU_ERR_INVALID);
        assert_string_equal(err.message, "the program's tensor map has no output of node 'b' at step 4");
        assert_int_equal(rtpu_device_describe(d, "z", RTPU_BY_NAME, &t, &err), RTPU_ERR_INVALID);
        assert_string_equal(err.message, "the program has no tensor 'z'");
        assert_int_equal(rtpu_device_write(d, "x", RTPU_BY_NAME, in, 31, &err), RTPU_ERR_SHAPE);
        assert_string_equal(err.message, "tensor 'x' has 32 values (1x2x2x8), not 31");
        assert_int_equal(rtpu_device_write(d, "x", RTPU_BY_NAME, in, 32, &err), RTPU_OK);
        assert_int_equal(rtpu_device_keep(d, "b", 3, &err), RTPU_OK);
        /* programs run no graphs */
        assert_int_equal(rtpu_device_open_graph(rtpu_device_backend(d)->name, (const rtpu_graph *)1,
                                                (const rtpu_weights *)1, NULL, &(rtpu_device *){NULL}, &err),
                         RTPU_ERR_UNSUPPORTED);
    }
    cosim_run_and_compare(&c);
    for (int k = 0; k < c.count; k++) {
        assert_int_equal(rtpu_device_read(c.dev[k], "b", 3, out, 32, &err), RTPU_OK);
        for (int i = 0; i < 32; i++) {
            double q = round((double)in[i] / 0.5);
            assert_float_equal(out[i], (float)(q * 0.5), 0.0);
        }
        assert_int_equal(rtpu_device_keep(c.dev[k], "b", 3, &err), RTPU_ERR_INVALID);
        assert_string_equal(err.message, "outputs to keep must be declared before the run");
        assert_non_null(rtpu_device_stats(c.dev[k]));
        assert_int_equal(rtpu_device_stats(c.dev[k])->instructions, 4);
    }
    cosim_destroy(&c);
}

/* Devices are independent objects: several open on one program at once, some never run,
 * closed in any order (each RTL device owns its own verilated model and context). */
static void test_many_devices(void **state)
{
    (void)state;
    rtpu_program *p = copy_program();
    rtpu_error err = {0};
    for (size_t i = 0; i < rtpu_backend_count(); i++) {
        const rtpu_backend *b = rtpu_backend_at(i);
        if (!(b->caps & RTPU_CAN_RUN_PROGRAM))
            continue;
        rtpu_device *d[3] = {NULL, NULL, NULL};
        for (int k = 0; k < 3; k++)
            assert_int_equal(rtpu_device_open_program(b->name, p, NULL, &d[k], &err), RTPU_OK);
        assert_int_equal(rtpu_device_run(d[2], NULL, &err), RTPU_OK);
        assert_int_equal(rtpu_device_run(d[1], NULL, &err), RTPU_OK);
        assert_null(rtpu_device_stats(d[0]));
        assert_non_null(rtpu_device_stats(d[1]));
        /* The newest first: an RTL model once tore itself down through the context of
         * whichever model the thread had seen last (Verilator's thread context), here
         * the freed one, and hung in the next close. */
        rtpu_device_close(d[2]);
        rtpu_device_close(d[0]);
        rtpu_device_close(d[1]);
    }
    program_destroy(p);
}

static void test_graph_on_cpu(void **state)
{
    (void)state;
    rtpu_error err = {0};
    char *path = test_source_path("graphs/tiny-chain.json");
    rtpu_graph *g = NULL;
    rtpu_weights *w = NULL;
    assert_int_equal(rtpu_graph_load(path, &g, &err), RTPU_OK);
    assert_int_equal(rtpu_weights_init(g, 7, 0, &w, &err), RTPU_OK);
    rtpu_device *d = NULL;
    assert_int_equal(rtpu_device_open_program("cpu", (const rtpu_program *)1, NULL, &d, &err), RTPU_ERR_UNSUPPORTED);
    assert_string_equal(err.message, "backend 'cpu' cannot run program files (it runs graphs)");
    assert_int_equal(rtpu_device_open_graph("sim", g, w, NULL, &d, &err), RTPU_ERR_UNSUPPORTED);
    assert_string_equal(err.message, "backend 'sim' cannot run graphs (it runs program files)");
    rtpu_graph_options o = {.batch = 2, .steps = 5};
    assert_int_equal(rtpu_device_open_graph("cpu", g, w, &o, &d, &err), RTPU_OK);
    rtpu_tensor_desc t;
    assert_int_equal(rtpu_device_describe(d, "input", RTPU_BY_NAME, &t, &err), RTPU_OK);
    assert_int_equal(t.count, 2 * 8 * 8 * 3);
    float *images = malloc(t.count * sizeof *images);
    for (size_t i = 0; i < t.count; i++)
        images[i] = (float)((int)(i * 37 % 101) - 50) / 25.0f;
    assert_int_equal(rtpu_device_describe(d, "conv2", 5, &t, &err), RTPU_ERR_INVALID);
    assert_string_equal(err.message, "node 'conv2': step 5 is beyond the run's 5 steps (0..4)");
    assert_int_equal(rtpu_device_describe(d, "conv9", 0, &t, &err), RTPU_ERR_INVALID);
    assert_string_equal(err.message, "graph 'tiny-chain' has no node 'conv9'");
    assert_int_equal(rtpu_device_run(d, NULL, &err), RTPU_ERR_INVALID);
    assert_string_equal(err.message, "graph 'tiny-chain': write the tensor 'input' before the run");
    assert_int_equal(rtpu_device_keep(d, "conv2", 3, &err), RTPU_OK);
    assert_int_equal(rtpu_device_write(d, "input", RTPU_BY_NAME, images, 2 * 8 * 8 * 3, &err), RTPU_OK);
    float out[2 * 4 * 4 * 4];
    assert_int_equal(rtpu_device_read(d, "conv2", 3, out, 2 * 4 * 4 * 4, &err), RTPU_ERR_INVALID);
    assert_string_equal(err.message, "tensor 'conv2': the graph has not run yet");
    assert_int_equal(rtpu_device_run(d, NULL, &err), RTPU_OK);
    assert_null(rtpu_device_stats(d));
    assert_int_equal(rtpu_device_read_dram(d, 0, out, 1, &err), RTPU_ERR_UNSUPPORTED);
    assert_string_equal(err.message, "backend 'cpu' cannot read DRAM");
    assert_int_equal(rtpu_device_read(d, "conv2", 3, out, 2 * 4 * 4 * 4, &err), RTPU_OK);
    assert_int_equal(rtpu_device_read(d, "conv2", 2, out, 2 * 4 * 4 * 4, &err), RTPU_ERR_INVALID);
    assert_string_equal(err.message, "node 'conv2' at step 2 was not declared as an output before the run");
    assert_int_equal(rtpu_device_read(d, "conv2", 3, out, 2 * 4 * 4 * 4, &err), RTPU_OK);

    /* The same run straight on the CPU reference gives the same bits. */
    cpu_reference *ref = NULL;
    assert_int_equal(cpu_reference_create(g, w, 2, 5, &ref, &err), RTPU_OK);
    assert_int_equal(cpu_reference_run(ref, images, NULL, NULL, &err), RTPU_OK);
    const rtpu_tensor *want = cpu_reference_output(ref, graph_find_node(g, "conv2"), 3);
    assert_non_null(want);
    assert_int_equal(tensor_count(want), 2 * 4 * 4 * 4);
    assert_memory_equal(want->data, out, sizeof out);
    /* and conv2 at step 3 is not all zeros or all equal: the image reached it at step 1 */
    bool varied = false;
    for (size_t i = 1; i < 2 * 4 * 4 * 4; i++)
        varied |= out[i] != out[0];
    assert_true(varied);
    cpu_reference_destroy(ref);
    rtpu_device_close(d);
    free(images);
    rtpu_weights_destroy(w);
    rtpu_graph_destroy(g);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_program_tensors),
        cmocka_unit_test(test_many_devices),
        cmocka_unit_test(test_graph_on_cpu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
