/* Stimulus loading (see stimulus.h). */
#include "cpu/stimulus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/image.h"
#include "common/npy.h"

static bool is_npy(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && !strcmp(path + n - 4, ".npy");
}

/* A .npy input: checks its shape against the input node and returns its example count. */
static rtpu_status check_npy_shape(const node *in, const char *path, const npy_array *a, int *examples,
                                   rtpu_error *err)
{
    const long long *s = a->shape;
    bool single = a->ndim == 3 && s[0] == in->input_h && s[1] == in->input_w && s[2] == in->input_c;
    bool batch = a->ndim == 4 && s[0] >= 1 && s[1] == in->input_h && s[2] == in->input_w && s[3] == in->input_c;
    if (!single && !batch) {
        char shape[96] = "[";
        for (int d = 0; d < a->ndim; d++) {
            char part[24];
            snprintf(part, sizeof part, "%s%lld", d ? ", " : "", s[d]);
            strncat(shape, part, sizeof shape - strlen(shape) - 1);
        }
        strncat(shape, "]", sizeof shape - strlen(shape) - 1);
        return rtpu_fail(err, RTPU_ERR_SHAPE, "%s: tensor shape %s does not fit input '%s' ([%d, %d, %d] or [N, %d, %d, %d])",
                         path, shape, in->name, in->input_h, in->input_w, in->input_c, in->input_h, in->input_w,
                         in->input_c);
    }
    if (batch && s[0] > 4096)
        return rtpu_fail(err, RTPU_ERR_SHAPE, "%s: %lld examples is more than 4096", path, s[0]);
    *examples = single ? 1 : (int)s[0];
    return RTPU_OK;
}

rtpu_status stimulus_load(const graph *g, const char *const *paths, int count, float **images, int *batch,
                          rtpu_error *err)
{
    const node *in = &g->nodes[g->input_node];
    size_t frame = (size_t)in->input_h * in->input_w * in->input_c;
    *images = NULL;
    *batch = 0;
    float *all = NULL;
    int total = 0;
    rtpu_status s = RTPU_OK;
    for (int i = 0; i < count && !s; i++) {
        npy_array a = {0};
        int examples = 1;
        if (is_npy(paths[i])) {
            s = npy_read(paths[i], &a, err);
            if (!s)
                s = check_npy_shape(in, paths[i], &a, &examples, err);
        } else if (in->input_c != 3) {
            s = rtpu_fail(err, RTPU_ERR_SHAPE, "%s: images give 3 channels, but input '%s' has %d (use a .npy tensor)",
                          paths[i], in->name, in->input_c);
        }
        if (!s && total + examples > 4096)
            s = rtpu_fail(err, RTPU_ERR_INVALID, "more than 4096 examples in one run");
        float *grown = s ? NULL : realloc(all, (size_t)(total + examples) * frame * sizeof(float));
        if (!s && !grown)
            s = rtpu_fail(err, RTPU_ERR_NOMEM, "out of memory for %d input examples", total + examples);
        if (!s) {
            all = grown;
            float *dst = all + (size_t)total * frame;
            if (a.data)
                memcpy(dst, a.data, (size_t)examples * frame * sizeof(float));
            else
                s = image_load_normalized(paths[i], in->input_h, in->input_w, dst, err);
            total += examples;
        }
        npy_array_destroy(&a);
    }
    if (s) {
        free(all);
        return s;
    }
    *images = all;
    *batch = total;
    return RTPU_OK;
}
