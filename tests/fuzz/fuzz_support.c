/* Contract checks, the planted crash and temporary files for the fuzz harnesses
 * (see fuzz_support.h). Temporary files go to /dev/shm when it is writable, so readers
 * that take a path cost a tmpfs write per input rather than a disk write. */
#include "tests/fuzz/fuzz_support.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

rtpu_status fuzz_check_error(rtpu_status status, const rtpu_error *err, const char *what)
{
    if (status == RTPU_OK)
        return status;
    if (status < RTPU_ERR_IO || status > RTPU_ERR_UNSUPPORTED)
        fuzz_fail("%s: returned status %d, which is not an rtpu_status", what, (int)status);
    if (err->status != status)
        fuzz_fail("%s: returned %s but the error says %s", what, rtpu_status_name(status),
                  rtpu_status_name(err->status));
    const char *end = memchr(err->message, '\0', sizeof err->message);
    if (!end)
        fuzz_fail("%s: error message is not NUL-terminated", what);
    if (end == err->message)
        fuzz_fail("%s: %s with an empty message", what, rtpu_status_name(status));
    if (strpbrk(err->message, "\n\r"))
        fuzz_fail("%s: error message is more than one line: %s", what, err->message);
    return status;
}

#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_HAVE_ASAN 1
#endif
#endif
#ifndef FUZZ_HAVE_ASAN
#define FUZZ_HAVE_ASAN 0
#endif

void fuzz_planted_crash(const uint8_t *data, size_t size)
{
#ifdef RTPU_FUZZ_PLANTED_CRASH
    size_t n = sizeof FUZZ_PLANTED_MARKER - 1;
    if (size < n || memcmp(data, FUZZ_PLANTED_MARKER, n) != 0)
        return;
    fprintf(stderr, "fuzz: planted crash (RTPU_FUZZ_PLANTED_CRASH build)\n");
#if FUZZ_HAVE_ASAN
    /* A real bug, so the test also shows that ASan's report ends the run. */
    volatile char *p = malloc(n);
    volatile char c = p[n];
    (void)c;
    free((void *)p);
#endif
    abort();
#else
    (void)data;
    (void)size;
#endif
}

static char temp_dir[256];
static char temp_paths[2][512];

static void remove_temp_dir(void)
{
    for (int i = 0; i < 2; i++)
        if (temp_paths[i][0])
            unlink(temp_paths[i]);
    if (temp_dir[0])
        rmdir(temp_dir);
}

static const char *temp_directory(void)
{
    if (temp_dir[0])
        return temp_dir;
    const char *tmpdir = getenv("TMPDIR");
    const char *bases[] = {"/dev/shm", tmpdir && *tmpdir ? tmpdir : "/tmp", "/tmp"};
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        snprintf(temp_dir, sizeof temp_dir, "%s/rtpu-fuzz-XXXXXX", bases[i]);
        if (access(bases[i], W_OK) == 0 && mkdtemp(temp_dir)) {
            atexit(remove_temp_dir);
            return temp_dir;
        }
    }
    fuzz_fail("cannot create a temporary directory");
}

static const char *temp_path_slot(int slot, const char *name)
{
    const char *dir = temp_directory();
    if (temp_paths[slot][0] && !strstr(temp_paths[slot], name))
        unlink(temp_paths[slot]);
    snprintf(temp_paths[slot], sizeof temp_paths[slot], "%s/%s", dir, name);
    return temp_paths[slot];
}

const char *fuzz_temp_file(const uint8_t *data, size_t size, const char *suffix)
{
    char name[64];
    snprintf(name, sizeof name, "input%s", suffix);
    const char *path = temp_path_slot(0, name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        fuzz_fail("cannot write %s", path);
    return path;
}

const char *fuzz_temp_path(const char *name)
{
    return temp_path_slot(1, name);
}
