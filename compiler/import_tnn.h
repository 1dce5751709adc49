/* The tnn importer: converts a model file of the authors' model zoo (neuroailab/convrnns,
 * convrnns/models/NAME.json, the tnn graph format) into rtpu graph spec JSON (spec-format.md),
 * applying what the zoo's loader (convrnns/models/model_func.py) adds for that model name:
 * the cell type from the file-name prefix, the median cell and its 5 feedback edges for the
 * 11-layer rgc models, the unroll length and image-off step by depth and presentation.
 *
 * It is a front-end pass that only writes text; the caller validates the result with
 * graph_load_text. Anything the tnn file says that rtpu cannot express is an error naming
 * the node and field; what is dropped or assumed is listed in *notes_out, one line each. */
#ifndef RTPU_COMPILER_IMPORT_TNN_H
#define RTPU_COMPILER_IMPORT_TNN_H

#include "common/error.h"
#include <stddef.h>

typedef struct tnn_import_options {
    /* The zoo model's file name (e.g. "ugrnn_shallow.json" or a path ending in it): the
     * loader takes the cell type from its prefix and t22/t30 from its name. Required. */
    const char *model_name;
    const char *graph_name;   /* spec "name"; NULL: the model name without ".json" */
    const char *presentation; /* "default" (NULL), "neural" or "constant" */
    int steps;                /* 0: the loader's T; required for "constant" without t22/t30 */
    const char *decoder;      /* "last" (NULL), "tmaxconf" or "dthresh" */
} tnn_import_options;

/* Converts the tnn JSON text (source names it in messages: "FILE:LINE:COL: ...").
 * On success *spec_out is the spec text and *notes_out the assumptions, one per line
 * (both malloc'd; free()). On failure both are NULL and err has one line. */
rtpu_status tnn_import(const char *text, size_t length, const char *source,
                       const tnn_import_options *opts, char **spec_out, char **notes_out,
                       rtpu_error *err);

#endif
