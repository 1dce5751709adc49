/* Whole-file reads and all-or-nothing file writes.
 *
 * Every output rtpu produces (programs, weights, tensors, reports) goes through
 * atomic_file: the bytes are written to "<path>.tmp.XXXXXX" in the destination's own
 * directory and renamed over <path> only once they are flushed and synced. A crash,
 * a full disk or a failed check therefore never leaves a truncated output behind:
 * either the old file (or nothing) is there, or the complete new one.
 *
 * Typical use:
 *     atomic_file *f;
 *     if (atomic_file_open(path, &f, err)) return err->status;
 *     if (fprintf(atomic_file_stream(f), ...) < 0) { atomic_file_abort(f); return rtpu_fail(...); }
 *     return atomic_file_commit(f, err);
 */
#ifndef RTPU_COMMON_ATOMIC_FILE_H
#define RTPU_COMMON_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "common/error.h"

typedef struct atomic_file atomic_file;

/* Creates the temporary file (mode 0644) next to path. Fails if the directory is missing
 * or not writable; nothing is left behind then. */
rtpu_status atomic_file_open(const char *path, atomic_file **out, rtpu_error *err);

/* The stream to write to. Do not fclose it; commit or abort does. */
FILE *atomic_file_stream(atomic_file *f);

/* fflush + fsync + fclose + rename onto the destination. Always frees f. On failure
 * (including any earlier write error on the stream) the temporary file is removed and
 * the destination is untouched. */
rtpu_status atomic_file_commit(atomic_file *f, rtpu_error *err);

/* Closes, removes the temporary file and frees f. NULL is allowed. */
void atomic_file_abort(atomic_file *f);

/* Writes size bytes from data to path atomically. */
rtpu_status write_file_atomically(const char *path, const void *data, size_t size, rtpu_error *err);

/* Reads a whole file into *data (malloc'd; release with free()) and its length into *size.
 * Fails with a clear message if the file is larger than max_size bytes. The buffer has one
 * extra NUL byte after the data (not counted in *size) so text can be parsed in place. */
rtpu_status read_whole_file(const char *path, size_t max_size, void **data, size_t *size,
                            rtpu_error *err);

#endif
