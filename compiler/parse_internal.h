/* Shared between the spec parser's files (parse.c, parse_cell.c). */
#ifndef RTPU_COMPILER_PARSE_INTERNAL_H
#define RTPU_COMPILER_PARSE_INTERNAL_H

#include "compiler/spec_reader.h"

rtpu_status parse_conv(const spec_reader *r, const json_value *obj, const char *what, conv_spec *conv);
rtpu_status parse_cell(const spec_reader *r, const json_value *obj, cell_spec *cell);

#endif
