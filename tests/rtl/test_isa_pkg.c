/* One source for the ISA's bit positions: the SystemVerilog package rtl/rtpu_isa_pkg.sv
 * must say exactly what the C table (target/isa.c) says. The package is hand-written
 * for readability (named extraction functions shared between opcodes, as the modules use
 * them), so instead of generating it this test reads it and fails on any difference:
 * an opcode number, a queue or unit index, a token bit, or any field's position, width
 * or count bias. Every field of every opcode must be extracted by some function, and
 * every function must be accounted for, so a new field or a moved one cannot slip by.
 * (docs/architecture.md, "Hardware constants", says why this and not generation.) */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "target/isa.h"

/* Which C fields each SystemVerilog extraction function serves ("mnemonic.field"). */
static const struct {
    const char *function;
    const char *fields;
} uses[] = {
    {"f_sram", "load.ub.sram load.wb.sram load.acc.sram store.sram"},
    {"f_dram", "load.ub.dram load.wb.dram load.acc.dram load.lut.dram store.dram"},
    {"f_lines", "load.ub.lines load.wb.lines load.acc.lines store.lines"},
    {"f_rows", "load.ub.rows load.wb.rows load.acc.rows store.rows"},
    {"f_elems", "load.ub.elems load.wb.elems load.acc.elems store.elems"},
    {"f_stride", "load.ub.stride load.wb.stride load.acc.stride store.stride"},
    {"f_pad_top", "load.ub.pad_top load.wb.pad_top load.acc.pad_top"},
    {"f_pad_bottom", "load.ub.pad_bottom load.wb.pad_bottom load.acc.pad_bottom"},
    {"f_pad_left", "load.ub.pad_left load.wb.pad_left load.acc.pad_left"},
    {"f_pad_right", "load.ub.pad_right load.wb.pad_right load.acc.pad_right"},
    {"f_sram_stride", "store.sram_stride"},
    {"f_table", "load.lut.table"},
    {"f_wb", "ldw.wb"},
    {"f_mm_acc", "matmul.acc"},
    {"f_mm_ub", "matmul.ub"},
    {"f_mm_outer", "matmul.outer"},
    {"f_mm_outer_stride", "matmul.outer_stride"},
    {"f_mm_inner", "matmul.inner"},
    {"f_mm_inner_stride", "matmul.inner_stride"},
    {"f_mm_k", "matmul.k"},
    {"f_mm_n", "matmul.n"},
    {"f_mm_accumulate", "matmul.accumulate"},
    {"f_v_src", "requant.acc vadd.a vsub.a vmul.a lut.src maxpool.src resize.src dwconv.acc vsum.acc"},
    {"f_v_second", "requant.ub vadd.b vsub.b vmul.b lut.dst maxpool.dst resize.dst dwconv.src vsum.src"},
    {"f_v_dst3", "vadd.dst vsub.dst vmul.dst dwconv.wts"},
    {"f_rows16", "requant.rows lut.rows vsum.rows"},
    {"f_param", "requant.param"},
    {"f_lut_table", "lut.table"},
    {"f_arith_rows", "vadd.rows vsub.rows vmul.rows"},
    {"f_mul_a", "vadd.mul_a vsub.mul_a vmul.mul"},
    {"f_mul_b", "vadd.mul_b vsub.mul_b"},
    {"f_add_shift", "vadd.shift vsub.shift"},
    {"f_mul_shift", "vmul.shift"},
    {"f_in_h", "maxpool.in_h resize.in_h"},
    {"f_in_w", "maxpool.in_w resize.in_w"},
    {"f_out_h", "maxpool.out_h resize.out_h"},
    {"f_out_w", "maxpool.out_w resize.out_w"},
    {"f_kernel_h", "maxpool.kernel_h"},
    {"f_kernel_w", "maxpool.kernel_w"},
    {"f_pool_stride", "maxpool.stride"},
    {"f_pool_pad_top", "maxpool.pad_top"},
    {"f_pool_pad_left", "maxpool.pad_left"},
    {"f_dw_out_w", "dwconv.out_w"},
    {"f_dw_stride", "dwconv.stride"},
    {"f_dw_kh", "dwconv.kh"},
    {"f_dw_kw", "dwconv.kw"},
    {"f_dw_line_stride", "dwconv.line_stride"},
    {"f_dw_accumulate", "dwconv.accumulate"},
    {"f_vsum_stride", "vsum.stride"},
    {"f_vsum_square", "vsum.square"},
    {"f_vsum_accumulate", "vsum.accumulate"},
};
enum { USE_COUNT = sizeof uses / sizeof uses[0] };

static char *read_package(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/rtl/rtpu_isa_pkg.sv", getenv("RTPU_SOURCE_DIR"));
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

/* The integer after "NAME = 8'd" or "NAME = " in the package, or -1. */
static long constant(const char *text, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, " %s ", name);
    const char *p = strstr(text, key);
    if (!p || !(p = strchr(p, '=')))
        return -1;
    p++;
    while (*p == ' ')
        p++;
    const char *tick = strstr(p, "'d");
    if (tick && tick - p < 4)
        p = tick + 2;
    return strtol(p, NULL, 10);
}

typedef struct extraction {
    int lsb, width, bias;
} extraction;

/* Parses "function automatic ... NAME(insn_t w); return w[H:L]; endfunction" or with
 * "{1'b0, w[H:L]} + N'd1" (a count field, bias 1) or a single bit "w[B]". */
static bool function_of(const char *text, const char *name, extraction *out)
{
    char key[64];
    snprintf(key, sizeof key, " %s(insn_t w);", name);
    const char *p = strstr(text, key);
    if (!p)
        return false;
    const char *end = strstr(p, "endfunction");
    const char *w = strstr(p, "w[");
    if (!end || !w || w > end)
        return false;
    int hi = 0, lo = 0;
    if (sscanf(w, "w[%d:%d]", &hi, &lo) == 2) {
        out->lsb = lo;
        out->width = hi - lo + 1;
    } else if (sscanf(w, "w[%d]", &hi) == 1) {
        out->lsb = hi;
        out->width = 1;
    } else {
        return false;
    }
    const char *plus = strstr(w, "+");
    out->bias = plus && plus < end && strstr(plus, "'d1") && strstr(plus, "'d1") < end ? 1 : 0;
    return true;
}

static void test_opcodes_queues_units_tokens(void **state)
{
    (void)state;
    const char *text = read_package();
    for (int op = 1; op < OP_COUNT; op++) {
        const isa_op *info = isa_op_info(op);
        assert_non_null(info);
        char name[32] = "OP_";
        for (size_t i = 0; info->mnemonic[i] && i < 20; i++)
            name[3 + i] = info->mnemonic[i] == '.' ? '_' : (char)toupper((unsigned char)info->mnemonic[i]);
        if (constant(text, name) != op)
            fail_msg("%s is %ld in rtl/rtpu_isa_pkg.sv, %d in target/isa.c", name, constant(text, name), op);
    }
    assert_int_equal(constant(text, "Q_LOAD"), QUEUE_LOAD);
    assert_int_equal(constant(text, "Q_COMPUTE"), QUEUE_COMPUTE);
    assert_int_equal(constant(text, "Q_STORE"), QUEUE_STORE);
    assert_int_equal(constant(text, "Q_COUNT"), QUEUE_COUNT);
    assert_int_equal(constant(text, "U_LOAD"), UNIT_LOAD);
    assert_int_equal(constant(text, "U_WEIGHT"), UNIT_WEIGHT);
    assert_int_equal(constant(text, "U_MXU"), UNIT_MXU);
    assert_int_equal(constant(text, "U_VECTOR"), UNIT_VECTOR);
    assert_int_equal(constant(text, "U_STORE"), UNIT_STORE);
    assert_int_equal(constant(text, "U_COUNT"), UNIT_COUNT);
    /* token flags are bits 8..11: flag value 1 << k is bit 8 + k */
    assert_int_equal(1 << (constant(text, "TOK_POP_PREV") - 8), ISA_POP_PREV);
    assert_int_equal(1 << (constant(text, "TOK_POP_NEXT") - 8), ISA_POP_NEXT);
    assert_int_equal(1 << (constant(text, "TOK_PUSH_PREV") - 8), ISA_PUSH_PREV);
    assert_int_equal(1 << (constant(text, "TOK_PUSH_NEXT") - 8), ISA_PUSH_NEXT);
}

static void test_fields(void **state)
{
    (void)state;
    const char *text = read_package();
    bool covered[OP_COUNT][ISA_MAX_FIELDS] = {{false}};
    for (int u = 0; u < USE_COUNT; u++) {
        extraction e = {0, 0, 0};
        if (!function_of(text, uses[u].function, &e))
            fail_msg("rtl/rtpu_isa_pkg.sv has no extraction function %s", uses[u].function);
        char list[256];
        snprintf(list, sizeof list, "%s", uses[u].fields);
        for (char *tok = strtok(list, " "); tok; tok = strtok(NULL, " ")) {
            char *dot = strrchr(tok, '.');
            *dot = '\0';
            int op = isa_opcode_by_name(tok);
            assert_true(op > 0);
            const isa_op *info = isa_op_info(op);
            int k = 0;
            while (k < info->field_count && strcmp(info->fields[k].name, dot + 1))
                k++;
            if (k == info->field_count)
                fail_msg("%s: %s has no field '%s'", uses[u].function, tok, dot + 1);
            const isa_field *f = &info->fields[k];
            if (f->lsb != e.lsb || f->width != e.width || f->bias != e.bias)
                fail_msg("%s.%s: target/isa.c has bits %d..%d bias %d, rtl/rtpu_isa_pkg.sv %s has %d..%d bias %d", tok,
                         f->name, f->lsb, f->lsb + f->width - 1, f->bias, uses[u].function, e.lsb,
                         e.lsb + e.width - 1, e.bias);
            covered[op][k] = true;
        }
    }
    for (int op = 1; op < OP_COUNT; op++) {
        const isa_op *info = isa_op_info(op);
        for (int k = 0; k < info->field_count; k++)
            if (!covered[op][k])
                fail_msg("%s.%s has no extraction function in rtl/rtpu_isa_pkg.sv (add it, and to this test)",
                         info->mnemonic, info->fields[k].name);
    }
    /* and the package has no function this test does not know */
    int functions = 0;
    for (const char *p = text; (p = strstr(p, "function automatic")); p++) {
        const char *name = strstr(p, " f_");
        const char *eol = strchr(p, '\n');
        if (name && eol && name < eol)
            functions++;
    }
    assert_int_equal(functions, USE_COUNT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opcodes_queues_units_tokens),
        cmocka_unit_test(test_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
