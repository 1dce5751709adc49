/* The assembler: text (format in asm.h, docs/isa.md) -> rtpu_program.
 *
 * Lines are split into whitespace-separated words, each remembering its column, so every
 * error points at "file:line:col". Instructions and directives are collected in order;
 * the config is settled at the end (from .config or the caller), the DRAM size too (from
 * .dram, or what the program touches), and then every instruction is checked against
 * them, with errors pointing at the instruction's line. Every value is range-checked
 * before it is stored, so nothing is silently truncated (a 32-bit config field given
 * 2^32 + 8 is an error, not 8). */
#include "target/asm.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"

enum { MAX_WORDS = 64, MAX_LINE = 1 << 16 };

typedef struct word {
    const char *text; /* points into the line copy, NUL-terminated */
    int column;
} word;

typedef struct assembler {
    const char *source;
    int line;
    rtpu_program *program;
    int *insn_lines; /* line of each instruction, for check errors */
    size_t insn_lines_capacity;
    bool have_config;
    int config_line;
    rtpu_config config;
    bool have_dram; /* .dram given: the program's DRAM size, at least what it touches */
    int dram_line;
    uint64_t dram;
    bool segment_open;
    rtpu_error *err;
} assembler;

static rtpu_status fail_at(assembler *a, int column, const char *fmt, const char *detail)
{
    char msg[RTPU_ERROR_MAX];
    snprintf(msg, sizeof msg, fmt, detail);
    return rtpu_fail(a->err, RTPU_ERR_PARSE, "%s:%d:%d: %s", a->source, a->line, column, msg);
}

/* Integers: optional '-', then decimal digits or 0x and hex digits. */
static bool parse_int(const char *s, int64_t *out)
{
    bool negative = *s == '-';
    if (negative)
        s++;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return false;
    for (const char *c = s; *c; c++)
        if (base == 10 ? !isdigit((unsigned char)*c) : !isxdigit((unsigned char)*c))
            return false;
    errno = 0;
    unsigned long long v = strtoull(s, NULL, base);
    if (errno || v > (unsigned long long)INT64_MAX)
        return false;
    *out = negative ? -(int64_t)v : (int64_t)v;
    return true;
}

/* Splits "key=value"; returns the value or NULL when there is no '='. */
static char *split_key(const word *w)
{
    char *eq = strchr(w->text, '=');
    if (!eq)
        return NULL;
    *eq = '\0';
    return eq + 1;
}

static rtpu_status parse_tokens(assembler *a, const word *w, const char *key, char *value, const isa_op *op,
                                isa_insn *insn)
{
    bool pop = !strcmp(key, "pop");
    char *save = NULL;
    for (char *peer = strtok_r(value, ",", &save); peer; peer = strtok_r(NULL, ",", &save)) {
        uint8_t flag = 0;
        if (op->queue < QUEUE_COUNT && op->queue > QUEUE_LOAD && !strcmp(peer, isa_token_peer(op->queue, false)))
            flag = pop ? ISA_POP_PREV : ISA_PUSH_PREV;
        else if (op->queue < QUEUE_STORE && !strcmp(peer, isa_token_peer(op->queue, true)))
            flag = pop ? ISA_POP_NEXT : ISA_PUSH_NEXT;
        if (!flag) {
            char detail[160];
            snprintf(detail, sizeof detail, "%s cannot %s '%s' (its queue '%s' talks to %s)", op->mnemonic, key, peer,
                     isa_queue_name(op->queue),
                     op->queue == QUEUE_LOAD ? "ex" : op->queue == QUEUE_COMPUTE ? "ld and st" : op->queue == QUEUE_STORE ? "ex" : "no queue");
            return fail_at(a, w->column, "%s", detail);
        }
        if (insn->tokens & flag)
            return fail_at(a, w->column, "token flag %s given twice", key);
        insn->tokens |= flag;
    }
    return RTPU_OK;
}

static bool field_has_default(const char *name)
{
    return !strncmp(name, "pad_", 4) || !strcmp(name, "accumulate") || !strcmp(name, "shift");
}

static rtpu_status parse_insn(assembler *a, word *words, int count, int opcode)
{
    const isa_op *op = isa_op_info(opcode);
    isa_insn insn;
    memset(&insn, 0, sizeof insn);
    insn.opcode = (uint8_t)opcode;
    bool given[ISA_MAX_FIELDS] = {false};
    for (int i = 1; i < count; i++) {
        char *value = split_key(&words[i]);
        const char *key = words[i].text;
        if (!value)
            return fail_at(a, words[i].column, "expected name=value, got '%s'", key);
        if (!strcmp(key, "pop") || !strcmp(key, "push")) {
            rtpu_status st = parse_tokens(a, &words[i], key, value, op, &insn);
            if (st)
                return st;
            continue;
        }
        int f = -1;
        for (int j = 0; j < op->field_count; j++)
            if (!strcmp(op->fields[j].name, key))
                f = j;
        if (f < 0) {
            char detail[128];
            snprintf(detail, sizeof detail, "%s has no operand '%s'", op->mnemonic, key);
            return fail_at(a, words[i].column, "%s", detail);
        }
        if (given[f])
            return fail_at(a, words[i].column, "operand '%s' given twice", key);
        int64_t v;
        if (!parse_int(value, &v))
            return fail_at(a, words[i].column + (int)(value - key), "'%s' is not an integer", value);
        const isa_field *fd = &op->fields[f];
        if (v < isa_field_min(fd) || v > isa_field_max(fd)) {
            char detail[160];
            snprintf(detail, sizeof detail, "%s %s = %" PRId64 " is outside [%" PRId64 ", %" PRId64 "]", op->mnemonic, key, v,
                     isa_field_min(fd), isa_field_max(fd));
            return fail_at(a, words[i].column + (int)(value - key), "%s", detail);
        }
        insn.args[f] = v;
        given[f] = true;
    }
    for (int j = 0; j < op->field_count; j++)
        if (!given[j]) {
            if (!field_has_default(op->fields[j].name)) {
                char detail[128];
                snprintf(detail, sizeof detail, "%s needs operand '%s'", op->mnemonic, op->fields[j].name);
                return fail_at(a, words[0].column, "%s", detail);
            }
            insn.args[j] = isa_field_min(&op->fields[j]);
        }
    if (a->program->insn_count >= a->insn_lines_capacity) {
        size_t cap = a->insn_lines_capacity ? 2 * a->insn_lines_capacity : 256;
        int *more = realloc(a->insn_lines, cap * sizeof *more);
        if (!more)
            return rtpu_fail(a->err, RTPU_ERR_NOMEM, "%s: out of memory", a->source);
        a->insn_lines = more;
        a->insn_lines_capacity = cap;
    }
    a->insn_lines[a->program->insn_count] = a->line;
    a->segment_open = false;
    return program_add_insn(a->program, &insn, a->err);
}

static rtpu_status parse_config(assembler *a, word *words, int count)
{
    if (a->have_config)
        return fail_at(a, words[0].column, "%s", "second .config directive");
    rtpu_config c;
    memset(&c, 0, sizeof c);
    bool given[64] = {false};
    bool have_name = false;
    for (int i = 1; i < count; i++) {
        char *value = split_key(&words[i]);
        const char *key = words[i].text;
        if (!value)
            return fail_at(a, words[i].column, "expected name=value, got '%s'", key);
        if (!strcmp(key, "name")) {
            if (!config_name_valid(value))
                return fail_at(a, words[i].column, "config name '%s' must be 1..31 characters of [A-Za-z0-9_.-]", value);
            strcpy(c.name, value);
            have_name = true;
            continue;
        }
        int f = -1;
        for (int j = 0; j < config_field_count; j++)
            if (!strcmp(config_fields[j].name, key))
                f = j;
        if (f < 0)
            return fail_at(a, words[i].column, "unknown config field '%s'", key);
        int64_t v;
        if (!parse_int(value, &v) || v < 0)
            return fail_at(a, words[i].column, "'%s' is not a non-negative integer", value);
        const config_field *fd = &config_fields[f];
        if ((uint64_t)v < fd->min || (uint64_t)v > fd->max) {
            char detail[160];
            snprintf(detail, sizeof detail, "config field %s = %" PRId64 " is outside [%" PRIu64 ", %" PRIu64 "]",
                     key, v, fd->min, fd->max);
            return fail_at(a, words[i].column, "%s", detail);
        }
        config_set(&c, fd, (uint64_t)v);
        given[f] = true;
    }
    if (!have_name)
        return fail_at(a, words[0].column, "%s", ".config needs name=");
    for (int j = 0; j < config_field_count; j++)
        if (!given[j])
            return fail_at(a, words[0].column, ".config needs %s=", config_fields[j].name);
    char where[300];
    snprintf(where, sizeof where, "%s:%d:%d", a->source, a->line, words[0].column);
    rtpu_status st = config_validate(&c, where, a->err);
    if (st)
        return st;
    a->config = c;
    a->have_config = true;
    a->config_line = a->line;
    return RTPU_OK;
}

static rtpu_status parse_tensor(assembler *a, word *words, int count)
{
    program_tensor t;
    memset(&t, 0, sizeof t);
    const char *required[] = {"name", "node", "step", "role", "dtype", "dram", "shape", "block", "scale"};
    bool given[9] = {false};
    for (int i = 1; i < count; i++) {
        char *value = split_key(&words[i]);
        const char *key = words[i].text;
        int col = words[i].column;
        if (!value)
            return fail_at(a, col, "expected name=value, got '%s'", key);
        int k = -1;
        for (int j = 0; j < 9; j++)
            if (!strcmp(required[j], key))
                k = j;
        if (k < 0)
            return fail_at(a, col, "unknown tensor field '%s'", key);
        if (given[k])
            return fail_at(a, col, "tensor field '%s' given twice", key);
        given[k] = true;
        int64_t v = 0;
        switch (k) {
        case 0:
        case 1:
            if (!program_name_valid(value))
                return fail_at(a, col, "'%s' must be 1..63 characters of [A-Za-z0-9_.:/-]", value);
            strcpy(k == 0 ? t.name : t.node, value);
            break;
        case 2:
            if (!parse_int(value, &v) || v < INT32_MIN || v > INT32_MAX)
                return fail_at(a, col, "step '%s' is not a 32-bit integer", value);
            t.step = (int32_t)v;
            break;
        case 3:
            if (!strcmp(value, "input"))
                t.role = TENSOR_INPUT;
            else if (!strcmp(value, "output"))
                t.role = TENSOR_OUTPUT;
            else if (!strcmp(value, "other"))
                t.role = TENSOR_OTHER;
            else
                return fail_at(a, col, "role '%s' is not input, output or other", value);
            break;
        case 4:
            if (!strcmp(value, "int8"))
                t.dtype = TENSOR_INT8;
            else if (!strcmp(value, "int32"))
                t.dtype = TENSOR_INT32;
            else
                return fail_at(a, col, "dtype '%s' is not int8 or int32", value);
            break;
        case 5:
            if (!parse_int(value, &v) || v < 0)
                return fail_at(a, col, "dram '%s' is not an address", value);
            t.dram = (uint64_t)v;
            break;
        case 6: {
            int d = 0;
            char *save = NULL;
            for (char *part = strtok_r(value, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
                if (d == 4 || !parse_int(part, &v) || v < 1 || v > (1 << 20))
                    return fail_at(a, col, "shape must be N,H,W,C of 1..%s", "1048576");
                t.shape[d++] = (uint32_t)v;
            }
            if (d != 4)
                return fail_at(a, col, "shape must be N,H,W,C of 1..%s", "1048576");
            break;
        }
        case 7:
            if (!parse_int(value, &v) || v < 1 || v > (1 << 20))
                return fail_at(a, col, "block '%s' is not a positive integer", value);
            t.block = (uint32_t)v;
            break;
        case 8: {
            /* A subnormal scale is valid (the loader takes any positive finite float) and
             * strtof reports it with ERANGE; only overflow and underflow to zero are not. */
            char *end = NULL;
            errno = 0;
            t.scale = strtof(value, &end);
            if (end == value || *end || !isfinite(t.scale) || (errno == ERANGE && t.scale == 0.0f))
                return fail_at(a, col, "scale '%s' is not a number", value);
            break;
        }
        }
    }
    for (int j = 0; j < 9; j++)
        if (!given[j])
            return fail_at(a, words[0].column, ".tensor needs %s=", required[j]);
    return program_add_tensor(a->program, &t, a->err);
}

/* .dram BYTES: the DRAM size the program declares (disasm writes it, so a program whose
 * header declares more than its instructions touch survives the round trip). */
static rtpu_status parse_dram(assembler *a, word *words, int count)
{
    if (a->have_dram)
        return fail_at(a, words[0].column, "%s", "second .dram directive");
    int64_t bytes;
    if (count != 2 || !parse_int(words[1].text, &bytes) || bytes < 0)
        return fail_at(a, words[0].column, "%s", ".dram needs one size in bytes");
    a->have_dram = true;
    a->dram_line = a->line;
    a->dram = (uint64_t)bytes;
    return RTPU_OK;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* .data, .hex, .int8, .int32 */
static rtpu_status parse_data(assembler *a, word *words, int count, const char *directive)
{
    rtpu_status st;
    if (!strcmp(directive, ".data")) {
        int64_t addr;
        if (count != 2 || !parse_int(words[1].text, &addr) || addr < 0)
            return fail_at(a, words[0].column, "%s", ".data needs one DRAM address");
        a->segment_open = true;
        return program_add_segment(a->program, (uint64_t)addr, NULL, 0, a->err);
    }
    if (!a->segment_open)
        return fail_at(a, words[0].column, "%s outside a segment (start one with .data ADDR)", directive);
    for (int i = 1; i < count; i++) {
        const char *s = words[i].text;
        if (!strcmp(directive, ".hex")) {
            size_t n = strlen(s);
            if (n % 2)
                return fail_at(a, words[i].column, "odd number of hex digits in '%s'", s);
            uint8_t *buf = malloc(n / 2 + 1);
            if (!buf)
                return rtpu_fail(a->err, RTPU_ERR_NOMEM, "%s: out of memory", a->source);
            for (size_t j = 0; j < n; j += 2) {
                int hi = hex_digit(s[j]), lo = hex_digit(s[j + 1]);
                if (hi < 0 || lo < 0) {
                    free(buf);
                    return fail_at(a, words[i].column + (int)j, "'%s' is not hex", s);
                }
                buf[j / 2] = (uint8_t)(hi * 16 + lo);
            }
            st = program_extend_segment(a->program, buf, n / 2, a->err);
            free(buf);
            if (st)
                return st;
            continue;
        }
        int64_t v;
        bool is8 = !strcmp(directive, ".int8");
        if (!parse_int(s, &v) || (is8 && (v < -128 || v > 127)) || (!is8 && (v < INT32_MIN || v > INT32_MAX)))
            return fail_at(a, words[i].column, is8 ? "'%s' is not an int8" : "'%s' is not an int32", s);
        uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
        if ((st = program_extend_segment(a->program, b, is8 ? 1 : 4, a->err)))
            return st;
    }
    return RTPU_OK;
}

static rtpu_status parse_line(assembler *a, char *line)
{
    word words[MAX_WORDS];
    int count = 0;
    char *p = line;
    for (char *c = line; *c; c++)
        if (*c == '#' || *c == ';') {
            *c = '\0';
            break;
        }
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (!*p)
            break;
        if (count == MAX_WORDS)
            return fail_at(a, (int)(p - line) + 1, "more than %s words on one line", "64");
        words[count].text = p;
        words[count].column = (int)(p - line) + 1;
        count++;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r')
            p++;
        if (*p)
            *p++ = '\0';
    }
    if (count == 0)
        return RTPU_OK;
    const char *head = words[0].text;
    if (!strcmp(head, ".config"))
        return parse_config(a, words, count);
    if (!strcmp(head, ".tensor"))
        return parse_tensor(a, words, count);
    if (!strcmp(head, ".dram"))
        return parse_dram(a, words, count);
    if (!strcmp(head, ".data") || !strcmp(head, ".hex") || !strcmp(head, ".int8") || !strcmp(head, ".int32"))
        return parse_data(a, words, count, head);
    if (head[0] == '.')
        return fail_at(a, words[0].column, "unknown directive '%s'", head);
    int opcode = isa_opcode_by_name(head);
    if (opcode < 0)
        return fail_at(a, words[0].column, "unknown instruction '%s'", head);
    return parse_insn(a, words, count, opcode);
}

/* Settles the config and checks the whole program, pointing instruction errors at lines. */
static rtpu_status finish(assembler *a, const rtpu_config *config)
{
    if (config && a->have_config && !config_equal(config, &a->config))
        return rtpu_fail(a->err, RTPU_ERR_INVALID, "%s:%d:1: .config '%s' (%ux%u) differs from the requested config '%s' (%ux%u)",
                         a->source, a->config_line, a->config.name, a->config.array_size, a->config.array_size,
                         config->name, config->array_size, config->array_size);
    if (!config && !a->have_config)
        return rtpu_fail(a->err, RTPU_ERR_INVALID, "%s: no .config directive and no config given", a->source);
    a->program->config = config ? *config : a->config;
    program_compute_dram_size(a->program);
    if (a->have_dram) {
        uint64_t used = a->program->dram_size, limit = a->program->config.dram_bytes;
        if (a->dram < used)
            return rtpu_fail(a->err, RTPU_ERR_INVALID,
                             "%s:%d:1: .dram %" PRIu64 " is less than the %" PRIu64 " bytes of DRAM the program touches",
                             a->source, a->dram_line, a->dram, used);
        if (a->dram > limit)
            return rtpu_fail(a->err, RTPU_ERR_INVALID, "%s:%d:1: .dram %" PRIu64 " is more than the %" PRIu64 " bytes of '%s'",
                             a->source, a->dram_line, a->dram, limit, a->program->config.name);
        a->program->dram_size = a->dram;
    }
    rtpu_status st;
    for (size_t pc = 0; pc < a->program->insn_count; pc++)
        if ((st = program_check_insn(a->program, pc, a->err)))
            return rtpu_error_prefix(a->err, "%s:%d:1: ", a->source, a->insn_lines[pc]);
    if ((st = program_check(a->program, a->err)))
        return rtpu_error_prefix(a->err, "%s: ", a->source);
    return RTPU_OK;
}

rtpu_status asm_assemble(const char *text, size_t length, const char *source, const rtpu_config *config,
                         rtpu_program **out, rtpu_error *err)
{
    rtpu_config none;
    memset(&none, 0, sizeof none);
    assembler a = {.source = source, .err = err};
    rtpu_status st = program_create(&none, &a.program, err);
    if (st)
        return st;
    char *line = malloc(MAX_LINE + 1);
    if (!line) {
        program_destroy(a.program);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: out of memory", source);
    }
    size_t pos = 0;
    while (pos < length && !st) {
        size_t end = pos;
        while (end < length && text[end] != '\n')
            end++;
        a.line++;
        if (end - pos > MAX_LINE) {
            st = rtpu_fail(err, RTPU_ERR_PARSE, "%s:%d:1: line longer than %d characters", source, a.line, MAX_LINE);
            break;
        }
        memcpy(line, text + pos, end - pos);
        line[end - pos] = '\0';
        if (memchr(line, '\0', end - pos))
            st = rtpu_fail(err, RTPU_ERR_PARSE, "%s:%d:1: NUL byte in text", source, a.line);
        else
            st = parse_line(&a, line);
        pos = end + 1;
    }
    free(line);
    if (!st)
        st = finish(&a, config);
    free(a.insn_lines);
    if (st) {
        program_destroy(a.program);
        return st;
    }
    *out = a.program;
    return RTPU_OK;
}

rtpu_status asm_assemble_file(const char *path, const rtpu_config *config, rtpu_program **out, rtpu_error *err)
{
    void *text = NULL;
    size_t size = 0;
    rtpu_status st = read_whole_file(path, (size_t)1 << 31, &text, &size, err);
    if (st)
        return st;
    st = asm_assemble(text, size, path, config, out, err);
    free(text);
    return st;
}
