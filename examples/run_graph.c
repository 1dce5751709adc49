/* A ConvRNN on the CPU reference through the installed library, in one page:
 *
 *   run_graph GRAPH.json IMAGE NODE STEP
 *
 * loads the graph, makes its deterministic initial weights (seed 0), turns the image
 * into the normalised stimulus, opens the graph on the "cpu" backend, declares the one
 * output it will read, runs every time step and prints that node's output at that step:
 * its shape, mean, and first values (also as float32 bits, so a script can compare them
 * exactly). Build: cc run_graph.c $(pkg-config --cflags --libs rtpu), or with CMake
 * (examples/CMakeLists.txt: find_package(rtpu)). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtpu/rtpu.h>

static int fail(const char *what, const rtpu_error *err)
{
    fprintf(stderr, "run_graph: %s: %s\n", what, err->message);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: run_graph GRAPH.json IMAGE NODE STEP\n");
        return 2;
    }
    const char *node = argv[3];
    int step = atoi(argv[4]);
    rtpu_error err = {0};
    rtpu_graph *g = NULL;
    rtpu_weights *w = NULL;
    rtpu_device *d = NULL;
    float *images = NULL, *out = NULL;
    int batch = 0, rc = 0;
    rtpu_tensor_desc t;
    const char *image = argv[2];
    if (rtpu_graph_load(argv[1], &g, &err))
        return fail("graph", &err);
    if (rtpu_weights_init(g, 0, 0, &w, &err) || rtpu_stimulus_load(g, &image, 1, &images, &batch, &err) ||
        rtpu_device_open_graph("cpu", g, w, &(rtpu_graph_options){.batch = batch}, &d, &err) ||
        rtpu_device_describe(d, node, step, &t, &err) || rtpu_device_keep(d, node, step, &err)) {
        rc = fail("setup", &err);
        goto done;
    }
    rtpu_tensor_desc in;
    if (rtpu_device_describe(d, "input", RTPU_BY_NAME, &in, &err) ||
        rtpu_device_write(d, "input", RTPU_BY_NAME, images, in.count, &err) || rtpu_device_run(d, NULL, &err)) {
        rc = fail("run", &err);
        goto done;
    }
    out = malloc(t.count * sizeof *out);
    if (!out || rtpu_device_read(d, node, step, out, t.count, &err)) {
        rc = out ? fail("read", &err) : 1;
        goto done;
    }
    double sum = 0;
    for (size_t i = 0; i < t.count; i++)
        sum += out[i];
    printf("graph %s (rtpu %s), %s at step %d: %u x %u x %u x %u = %zu values, mean %.6g\n", rtpu_graph_name(g),
           RTPU_VERSION_STRING, node, step, t.shape[0], t.shape[1], t.shape[2], t.shape[3], t.count,
           sum / (double)t.count);
    printf("first values:");
    for (size_t i = 0; i < 4 && i < t.count; i++)
        printf(" %.9g", out[i]);
    printf("\nfloat32 bits:");
    for (size_t i = 0; i < 4 && i < t.count; i++) {
        unsigned int bits;
        memcpy(&bits, &out[i], sizeof bits);
        printf(" %08x", bits);
    }
    printf("\n");
done:
    free(out);
    rtpu_free(images);
    rtpu_device_close(d);
    rtpu_weights_destroy(w);
    rtpu_graph_destroy(g);
    return rc;
}
