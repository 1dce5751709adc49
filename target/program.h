/* A program for the accelerator: the config it targets, the instruction stream, the
 * constant segments placed in DRAM before it runs, and the tensor map that says where
 * each named tensor (node, time step) lives in DRAM and how to read it.
 *
 * The .rtpu file format (version 2, little-endian, docs/isa.md "Program file"):
 *   "RTPUPROG" u32 version, u32 zero, u64 file size,
 *   config: name[32], each config field as u64 in config_fields order,
 *   u64 instruction count, u64 segment count, u64 tensor count, u64 dram size,
 *   instructions (16 bytes each),
 *   segments: u64 dram address, u64 size, bytes, zero padding to a multiple of 8,
 *   tensors: 176-byte records (see program.c),
 *   u32 CRC-32 (IEEE) of every byte before it.
 * program_parse checks every field and bound before returning a program. */
#ifndef RTPU_TARGET_PROGRAM_H
#define RTPU_TARGET_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "rtpu/rtpu.h"
#include "target/config.h"
#include "target/isa.h"

enum { PROGRAM_VERSION = 2, PROGRAM_NAME_MAX = 64 };

typedef enum { TENSOR_INT8 = 0, TENSOR_INT32 = 1 } program_dtype;
typedef enum { TENSOR_INPUT = 0, TENSOR_OUTPUT = 1, TENSOR_OTHER = 2 } program_role;

/* A tensor of shape n x h x w x c stored in channel blocks of `block` channels:
 * element (b, y, x, ch) is at dram + ((((b * blocks + ch / block) * h + y) * w + x) * block
 * + ch % block) * element_size, blocks = ceil(c / block). block == c is plain NHWC.
 * Real value = stored value * scale. */
typedef struct program_tensor {
    char name[PROGRAM_NAME_MAX];
    char node[PROGRAM_NAME_MAX];
    int32_t step;
    program_role role;
    program_dtype dtype;
    uint32_t block;
    uint64_t dram;
    uint32_t shape[4];
    float scale;
} program_tensor;

typedef struct program_segment {
    uint64_t dram;
    uint64_t size;
    uint8_t *bytes;
} program_segment;

typedef struct rtpu_program {
    rtpu_config config;
    isa_insn *insns;
    size_t insn_count, insn_capacity;
    program_segment *segments;
    size_t segment_count, segment_capacity;
    program_tensor *tensors;
    size_t tensor_count, tensor_capacity;
    uint64_t dram_size; /* bytes of DRAM the program uses; set by program_finish */
} rtpu_program;

rtpu_status program_create(const rtpu_config *config, rtpu_program **out, rtpu_error *err);
void program_destroy(rtpu_program *p);

/* Building (assembler, compiler). Values are checked by program_finish / program_check. */
rtpu_status program_add_insn(rtpu_program *p, const isa_insn *insn, rtpu_error *err);
/* Copies size bytes into a new segment at DRAM address dram. */
rtpu_status program_add_segment(rtpu_program *p, uint64_t dram, const void *bytes, size_t size, rtpu_error *err);
/* Appends bytes to the last segment (the assembler's .hex/.int8/.int32 lines). */
rtpu_status program_extend_segment(rtpu_program *p, const void *bytes, size_t size, rtpu_error *err);
rtpu_status program_add_tensor(rtpu_program *p, const program_tensor *t, rtpu_error *err);

/* Sets dram_size to the highest DRAM byte any instruction, segment or tensor touches,
 * then runs program_check. */
rtpu_status program_finish(rtpu_program *p, rtpu_error *err);
/* Only the dram_size part of program_finish. */
void program_compute_dram_size(rtpu_program *p);

/* Static checks of one instruction against the config: every address range inside its
 * memory, every size within the array. The message starts with "pc N: ". */
rtpu_status program_check_insn(const rtpu_program *p, size_t pc, rtpu_error *err);
/* All instructions, segments and tensors, and the single trailing halt. */
rtpu_status program_check(const rtpu_program *p, rtpu_error *err);

/* Bytes a tensor occupies in DRAM. */
uint64_t program_tensor_bytes(const program_tensor *t);
/* Real NHWC values <-> the tensor's bytes in its blocked int8/int32 layout (bytes points at
 * the tensor's base; program_tensor_bytes(t) of them). Encoding quantises with t->scale,
 * rounding half away from zero and saturating; it writes only the tensor's own elements. */
void program_tensor_decode(const program_tensor *t, const uint8_t *bytes, float *out);
void program_tensor_encode(const program_tensor *t, const float *in, uint8_t *bytes);
/* A tensor of the map as the device API describes it: by name (step RTPU_BY_NAME), or
 * the output of node `name` at `step`. Fails naming what the map lacks. */
rtpu_status program_describe(const rtpu_program *p, const char *name, int step, rtpu_tensor_desc *out,
                             rtpu_error *err);
/* Finds a tensor by name, or NULL. */
const program_tensor *program_find_tensor(const rtpu_program *p, const char *name);
/* True for a name of 1..63 characters of [A-Za-z0-9_.:/-]. */
int program_name_valid(const char *name);

/* Serialises to a malloc'd buffer (free()), and back. source names the bytes in messages. */
rtpu_status program_serialize(const rtpu_program *p, uint8_t **bytes, size_t *size, rtpu_error *err);
rtpu_status program_parse(const uint8_t *bytes, size_t size, const char *source, rtpu_program **out,
                          rtpu_error *err);
/* File versions: save writes atomically; load reads at most 4 GiB. */
rtpu_status program_save(const rtpu_program *p, const char *path, rtpu_error *err);
rtpu_status program_load(const char *path, rtpu_program **out, rtpu_error *err);

/* "program built for config 'small-16' (16x16), not 'tpu-v1' (256x256)" unless equal. */
/* The memory a backend needs to run p: its DRAM, the config's UB, WB, ACC and LUTs, and
 * one timing record per instruction, taken from a budget of max_memory bytes (0: the
 * default, rtpu/limits.h); the first that does not fit is named. Checked by the device
 * layer before any backend allocates. */
rtpu_status program_check_memory(const rtpu_program *p, uint64_t max_memory, rtpu_error *err);
rtpu_status program_require_config(const rtpu_program *p, const rtpu_config *c, rtpu_error *err);

/* CRC-32 (IEEE 802.3, reflected, init and final xor 0xffffffff). */
uint32_t program_crc32(const uint8_t *bytes, size_t size);

#endif
