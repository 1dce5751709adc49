/* Helpers shared by the common/ tests: a private temporary directory per test (cmocka
 * setup/teardown), building fixture files byte by byte, and checking error messages.
 * Everything the tests read is written by the tests themselves into that directory. */
#ifndef RTPU_TESTS_COMMON_TEST_FILES_H
#define RTPU_TESTS_COMMON_TEST_FILES_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rtpu/status.h"

typedef struct test_dir {
    char path[512];
} test_dir;

/* cmocka setup: *state becomes a test_dir for a fresh directory under $TMPDIR or /tmp. */
static inline int test_dir_setup(void **state)
{
    test_dir *dir = calloc(1, sizeof *dir);
    if (!dir)
        return -1;
    const char *base = getenv("TMPDIR");
    snprintf(dir->path, sizeof dir->path, "%s/rtpu-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir->path)) {
        free(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

/* Number of entries in a directory, "." and ".." excluded; -1 if it cannot be opened. */
static inline int test_dir_entries(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int count = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            count++;
    closedir(d);
    return count;
}

/* Removes a directory tree (the tests create at most one level of subdirectories). */
static inline void test_remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        for (struct dirent *e; (e = readdir(d));) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char child[1024];
            if (snprintf(child, sizeof child, "%s/%s", path, e->d_name) >= (int)sizeof child)
                continue;
            if (unlink(child) != 0)
                test_remove_tree(child);
        }
        closedir(d);
    }
    rmdir(path);
}

static inline int test_dir_teardown(void **state)
{
    test_dir *dir = *state;
    test_remove_tree(dir->path);
    free(dir);
    return 0;
}

/* dir/name into a static-size buffer owned by the caller. */
static inline const char *test_path(char *buffer, size_t capacity, const test_dir *dir,
                                    const char *name)
{
    int length = snprintf(buffer, capacity, "%s/%s", dir->path, name);
    assert_true(length > 0 && (size_t)length < capacity);
    return buffer;
}

static inline void test_write_bytes(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, size, f), size);
    assert_int_equal(fclose(f), 0);
}

/* Fails the test unless status is the expected one and the message contains fragment
 * and is a single line. */
static inline void expect_error(rtpu_status status, const rtpu_error *err, rtpu_status expected,
                         const char *fragment)
{
    if (status != expected || err->status != expected || !strstr(err->message, fragment) ||
        strchr(err->message, '\n')) {
        print_error("got status %d, message \"%s\"; expected status %d with \"%s\"\n",
                    (int)status, err->message, (int)expected, fragment);
        fail();
    }
}

#endif
