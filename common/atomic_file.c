/* All-or-nothing writes through a temporary file, and bounded whole-file reads
 * (see common/atomic_file.h). */
#include "common/atomic_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct atomic_file {
    FILE *stream;
    char *path;      /* destination */
    char *temp_path; /* "<path>.tmp.XXXXXX", exists on disk until commit or abort */
};

static const char temp_suffix[] = ".tmp.XXXXXX";

static void atomic_file_free(atomic_file *f)
{
    free(f->path);
    free(f->temp_path);
    free(f);
}

rtpu_status atomic_file_open(const char *path, atomic_file **out, rtpu_error *err)
{
    *out = NULL;
    if (!path || !*path)
        return rtpu_fail(err, RTPU_ERR_INVALID, "atomic_file_open: empty output path");
    size_t length = strlen(path);
    atomic_file *f = calloc(1, sizeof *f);
    if (f) {
        f->path = malloc(length + 1);
        f->temp_path = malloc(length + sizeof temp_suffix);
    }
    if (!f || !f->path || !f->temp_path) {
        if (f)
            atomic_file_free(f);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: cannot allocate output file state", path);
    }
    memcpy(f->path, path, length + 1);
    memcpy(f->temp_path, path, length);
    memcpy(f->temp_path + length, temp_suffix, sizeof temp_suffix);

    int fd = mkstemp(f->temp_path);
    if (fd < 0) {
        int error = errno;
        atomic_file_free(f);
        return rtpu_fail(err, RTPU_ERR_IO, "%s: cannot create temporary output file: %s", path,
                         strerror(error));
    }
    /* mkstemp makes the file private (0600); an output file should be readable like
     * any other the user creates. */
    if (fchmod(fd, 0644) != 0 || !(f->stream = fdopen(fd, "wb"))) {
        int error = errno;
        close(fd);
        remove(f->temp_path);
        atomic_file_free(f);
        return rtpu_fail(err, RTPU_ERR_IO, "%s: cannot prepare temporary output file: %s", path,
                         strerror(error));
    }
    *out = f;
    return RTPU_OK;
}

FILE *atomic_file_stream(atomic_file *f)
{
    return f->stream;
}

void atomic_file_abort(atomic_file *f)
{
    if (!f)
        return;
    if (f->stream)
        fclose(f->stream);
    remove(f->temp_path);
    atomic_file_free(f);
}

/* Shared failure path of commit: the stream may already be closed (stream == NULL). */
static rtpu_status commit_failed(atomic_file *f, rtpu_error *err, const char *what, int error)
{
    rtpu_status status = rtpu_fail(err, RTPU_ERR_IO, "%s: cannot %s: %s", f->path, what,
                                   error ? strerror(error) : "write error");
    atomic_file_abort(f);
    return status;
}

rtpu_status atomic_file_commit(atomic_file *f, rtpu_error *err)
{
    /* An earlier fwrite/fprintf failure is sticky in the stream's error flag; errno from
     * that moment is long gone, so it is reported without a reason. */
    if (ferror(f->stream))
        return commit_failed(f, err, "write output", 0);
    if (fflush(f->stream) != 0)
        return commit_failed(f, err, "write output", errno);
    if (fsync(fileno(f->stream)) != 0)
        return commit_failed(f, err, "sync output to disk", errno);
    FILE *stream = f->stream;
    f->stream = NULL;
    if (fclose(stream) != 0)
        return commit_failed(f, err, "close output", errno);
    if (rename(f->temp_path, f->path) != 0)
        return commit_failed(f, err, "rename temporary file onto output", errno);
    atomic_file_free(f);
    return RTPU_OK;
}

rtpu_status write_file_atomically(const char *path, const void *data, size_t size, rtpu_error *err)
{
    atomic_file *f;
    rtpu_status status = atomic_file_open(path, &f, err);
    if (status)
        return status;
    if (size > 0 && fwrite(data, 1, size, f->stream) != size) {
        int error = errno;
        atomic_file_abort(f);
        return rtpu_fail(err, RTPU_ERR_IO, "%s: cannot write %zu bytes: %s", path, size,
                         strerror(error));
    }
    return atomic_file_commit(f, err);
}

/* Reads until EOF rather than trusting st_size alone, so pipes and files that change size
 * while being read are handled too. The buffer grows up to max_size + 1 bytes: reading
 * that last byte is how an oversized non-regular file is detected. */
static rtpu_status read_stream(FILE *stream, const char *path, size_t initial, size_t max_size,
                               char **data, size_t *size, rtpu_error *err)
{
    size_t limit = max_size < SIZE_MAX - 2 ? max_size + 1 : SIZE_MAX - 2;
    size_t capacity = initial < limit ? initial : limit;
    char *buffer = malloc(capacity + 1);
    if (!buffer)
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: cannot allocate %zu bytes to read it", path,
                         capacity + 1);
    size_t used = 0;
    for (;;) {
        if (used == capacity) {
            if (capacity >= limit)
                break;
            size_t grown = capacity < limit / 2 ? capacity * 2 : limit;
            if (grown < 4096)
                grown = 4096 < limit ? 4096 : limit;
            char *bigger = realloc(buffer, grown + 1);
            if (!bigger) {
                free(buffer);
                return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: cannot allocate %zu bytes to read it",
                                 path, grown + 1);
            }
            buffer = bigger;
            capacity = grown;
        }
        size_t got = fread(buffer + used, 1, capacity - used, stream);
        used += got;
        if (got == 0) {
            if (ferror(stream)) {
                int error = errno;
                free(buffer);
                return rtpu_fail(err, RTPU_ERR_IO, "%s: read failed: %s", path, strerror(error));
            }
            break;
        }
    }
    if (used > max_size) {
        free(buffer);
        return rtpu_fail(err, RTPU_ERR_NOMEM, "%s: file is larger than the %zu-byte limit", path,
                         max_size);
    }
    buffer[used] = '\0';
    *data = buffer;
    *size = used;
    return RTPU_OK;
}

rtpu_status read_whole_file(const char *path, size_t max_size, void **data, size_t *size,
                            rtpu_error *err)
{
    *data = NULL;
    *size = 0;
    if (!path || !*path)
        return rtpu_fail(err, RTPU_ERR_INVALID, "read_whole_file: empty input path");
    FILE *stream = fopen(path, "rb");
    if (!stream)
        return rtpu_fail(err, RTPU_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat info;
    if (fstat(fileno(stream), &info) != 0) {
        int error = errno;
        fclose(stream);
        return rtpu_fail(err, RTPU_ERR_IO, "%s: cannot stat: %s", path, strerror(error));
    }
    if (S_ISDIR(info.st_mode)) {
        fclose(stream);
        return rtpu_fail(err, RTPU_ERR_IO, "%s: is a directory, expected a file", path);
    }
    size_t initial = 0;
    if (S_ISREG(info.st_mode)) {
        if ((uintmax_t)info.st_size > max_size) {
            fclose(stream);
            return rtpu_fail(err, RTPU_ERR_NOMEM,
                             "%s: file is %jd bytes, larger than the %zu-byte limit", path,
                             (intmax_t)info.st_size, max_size);
        }
        /* One byte more than the file so the first read already meets EOF. */
        initial = (size_t)info.st_size + 1;
    }
    char *buffer = NULL;
    rtpu_status status = read_stream(stream, path, initial, max_size, &buffer, size, err);
    fclose(stream);
    *data = buffer;
    return status;
}
