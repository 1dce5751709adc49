/* atomic_file and read_whole_file: outputs appear complete or not at all, temporary files
 * never survive, and reads respect their size limit. */
#include "tests/common/test_files.h"

#include <sys/stat.h>

#include "common/atomic_file.h"

/* Reads a file with plain stdio, independently of read_whole_file. */
static size_t slurp(const char *path, char *buffer, size_t capacity)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t got = fread(buffer, 1, capacity, f);
    fclose(f);
    return got;
}

static void commit_creates_the_file(void **state)
{
    test_dir *dir = *state;
    char path[1024], buffer[64];
    test_path(path, sizeof path, dir, "out.txt");
    rtpu_error err = {0};
    atomic_file *f;
    assert_int_equal(atomic_file_open(path, &f, &err), RTPU_OK);
    /* Until commit, only the temporary file exists, named after the destination. */
    assert_int_equal(test_dir_entries(dir->path), 1);
    assert_int_equal(access(path, F_OK), -1);
    assert_true(fprintf(atomic_file_stream(f), "hello %d\n", 42) > 0);
    assert_int_equal(atomic_file_commit(f, &err), RTPU_OK);
    assert_int_equal(slurp(path, buffer, sizeof buffer), 9);
    assert_memory_equal(buffer, "hello 42\n", 9);
    assert_int_equal(test_dir_entries(dir->path), 1);
    struct stat info;
    assert_int_equal(stat(path, &info), 0);
    assert_int_equal(info.st_mode & 0777, 0644);
}

static void commit_replaces_an_existing_file(void **state)
{
    test_dir *dir = *state;
    char path[1024], buffer[64];
    test_path(path, sizeof path, dir, "out.bin");
    test_write_bytes(path, "old contents that are longer", 28);
    rtpu_error err = {0};
    assert_int_equal(write_file_atomically(path, "new", 3, &err), RTPU_OK);
    assert_int_equal(slurp(path, buffer, sizeof buffer), 3);
    assert_memory_equal(buffer, "new", 3);
    assert_int_equal(test_dir_entries(dir->path), 1);
}

static void abort_leaves_nothing_and_keeps_the_old_file(void **state)
{
    test_dir *dir = *state;
    char path[1024], other[1024], buffer[64];
    test_path(path, sizeof path, dir, "kept.txt");
    test_write_bytes(path, "original", 8);
    rtpu_error err = {0};
    atomic_file *f;
    assert_int_equal(atomic_file_open(path, &f, &err), RTPU_OK);
    fputs("half-written replacement", atomic_file_stream(f));
    atomic_file_abort(f);
    assert_int_equal(slurp(path, buffer, sizeof buffer), 8);
    assert_memory_equal(buffer, "original", 8);
    assert_int_equal(test_dir_entries(dir->path), 1);

    /* With no previous file, abort leaves the directory empty. */
    test_path(other, sizeof other, dir, "never.txt");
    assert_int_equal(atomic_file_open(other, &f, &err), RTPU_OK);
    fputs("x", atomic_file_stream(f));
    atomic_file_abort(f);
    atomic_file_abort(NULL);
    assert_int_equal(access(other, F_OK), -1);
    assert_int_equal(test_dir_entries(dir->path), 1);
}

static void missing_directory_fails_and_leaves_nothing(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    test_path(path, sizeof path, dir, "no-such-dir/out.bin");
    rtpu_error err = {0};
    atomic_file *f = (atomic_file *)&err; /* must be reset to NULL */
    expect_error(atomic_file_open(path, &f, &err), &err, RTPU_ERR_IO, "no-such-dir/out.bin");
    expect_error(RTPU_ERR_IO, &err, RTPU_ERR_IO, "No such file or directory");
    assert_null(f);
    rtpu_error err2 = {0};
    expect_error(write_file_atomically(path, "abc", 3, &err2), &err2, RTPU_ERR_IO,
                 "cannot create temporary output file");
    assert_int_equal(test_dir_entries(dir->path), 0);

    rtpu_error err3 = {0};
    expect_error(atomic_file_open("", &f, &err3), &err3, RTPU_ERR_INVALID, "empty output path");
}

/* rename() onto a directory fails at commit time: the temporary file must go too. */
static void failed_commit_removes_the_temporary_file(void **state)
{
    test_dir *dir = *state;
    char path[1024], inside[1024];
    test_path(path, sizeof path, dir, "taken");
    assert_int_equal(mkdir(path, 0755), 0);
    test_path(inside, sizeof inside, dir, "taken/file");
    test_write_bytes(inside, "x", 1); /* a non-empty directory cannot be replaced */
    rtpu_error err = {0};
    atomic_file *f;
    assert_int_equal(atomic_file_open(path, &f, &err), RTPU_OK);
    fputs("data", atomic_file_stream(f));
    assert_int_equal(test_dir_entries(dir->path), 2);
    expect_error(atomic_file_commit(f, &err), &err, RTPU_ERR_IO, "cannot rename temporary file");
    assert_non_null(strstr(err.message, path));
    assert_int_equal(test_dir_entries(dir->path), 1);
}

/* A write that fails before or during commit (full disk, I/O error) makes commit fail
 * and clean up. Simulated by swapping a read-only descriptor in under the stream. */
static void write_error_before_commit_fails_cleanly(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    test_path(path, sizeof path, dir, "broken.bin");
    rtpu_error err = {0};
    atomic_file *f;
    assert_int_equal(atomic_file_open(path, &f, &err), RTPU_OK);
    FILE *stream = atomic_file_stream(f);
    int fd = fileno(stream);
    FILE *readonly = fopen("/dev/null", "rb");
    assert_non_null(readonly);
    assert_int_equal(dup2(fileno(readonly), fd), fd);
    fclose(readonly);
    fputs("this will not reach the disk", stream);
    expect_error(atomic_file_commit(f, &err), &err, RTPU_ERR_IO, "cannot write output");
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(test_dir_entries(dir->path), 0);
}

static void read_whole_file_reads_and_limits(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    test_path(path, sizeof path, dir, "data.bin");
    unsigned char bytes[100];
    for (int i = 0; i < 100; i++)
        bytes[i] = (unsigned char)(i * 7 + 3);
    test_write_bytes(path, bytes, sizeof bytes);

    rtpu_error err = {0};
    void *data;
    size_t size;
    assert_int_equal(read_whole_file(path, 100, &data, &size, &err), RTPU_OK);
    assert_int_equal(size, 100);
    assert_memory_equal(data, bytes, 100);
    assert_int_equal(((unsigned char *)data)[100], 0); /* the promised NUL terminator */
    free(data);

    expect_error(read_whole_file(path, 99, &data, &size, &err), &err, RTPU_ERR_NOMEM,
                 "file is 100 bytes, larger than the 99-byte limit");
    assert_null(data);

    char empty[1024];
    test_path(empty, sizeof empty, dir, "empty.bin");
    test_write_bytes(empty, "", 0);
    assert_int_equal(read_whole_file(empty, 10, &data, &size, &err), RTPU_OK);
    assert_int_equal(size, 0);
    free(data);
}

static void read_whole_file_bad_inputs(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    rtpu_error err = {0};
    void *data;
    size_t size;
    test_path(path, sizeof path, dir, "missing.bin");
    expect_error(read_whole_file(path, 10, &data, &size, &err), &err, RTPU_ERR_IO, "cannot open");
    assert_non_null(strstr(err.message, "missing.bin"));
    expect_error(read_whole_file(dir->path, 10, &data, &size, &err), &err, RTPU_ERR_IO,
                 "is a directory");
    /* Character devices have no size: the limit is enforced while reading. */
    expect_error(read_whole_file("/dev/zero", 10000, &data, &size, &err), &err, RTPU_ERR_NOMEM,
                 "larger than the 10000-byte limit");
    assert_null(data);
    assert_int_equal(read_whole_file("/dev/null", 10, &data, &size, &err), RTPU_OK);
    assert_int_equal(size, 0);
    free(data);
}

/* A write that failed earlier, with nothing left in the buffer to flush, must still fail
 * the commit: the stream's error flag is the only trace of it. */
static void earlier_write_error_fails_commit(void **state)
{
    test_dir *dir = *state;
    char path[1024];
    test_path(path, sizeof path, dir, "partial.bin");
    rtpu_error err = {0};
    atomic_file *f;
    assert_int_equal(atomic_file_open(path, &f, &err), RTPU_OK);
    FILE *stream = atomic_file_stream(f);
    int fd = fileno(stream);
    int saved = dup(fd);
    assert_true(saved >= 0);
    FILE *readonly = fopen("/dev/null", "rb");
    assert_non_null(readonly);
    assert_int_equal(dup2(fileno(readonly), fd), fd);
    fclose(readonly);
    static char block[1 << 16];
    assert_true(fwrite(block, 1, sizeof block, stream) < sizeof block);
    /* The real file is back under the stream; flushing now would succeed. */
    assert_int_equal(dup2(saved, fd), fd);
    close(saved);
    expect_error(atomic_file_commit(f, &err), &err, RTPU_ERR_IO,
                 "partial.bin: cannot write output: write error");
    assert_int_equal(test_dir_entries(dir->path), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(commit_creates_the_file, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(commit_replaces_an_existing_file, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(abort_leaves_nothing_and_keeps_the_old_file,
                                        test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(missing_directory_fails_and_leaves_nothing,
                                        test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(failed_commit_removes_the_temporary_file, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(write_error_before_commit_fails_cleanly, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(earlier_write_error_fails_commit, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(read_whole_file_reads_and_limits, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(read_whole_file_bad_inputs, test_dir_setup,
                                        test_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
