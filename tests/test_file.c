/* Files: disk files (CFile) through mfcs_file_open_path, memory files'
 * position and size rules, and archives stored on disk. */
#include "archive_util.h"

#include <windows.h>
#include <wchar.h>

/* Each test gets its own folder under the system temp folder: Criterion
 * runs tests in parallel processes, and a leftover from an earlier run must
 * never satisfy a check. The test holds an mfcs_init reference so that the
 * teardown's mfcs_term closes files a failed assertion left open, which
 * would otherwise keep the folder from being deleted. */
static wchar_t scratch[MAX_PATH];

static void scratch_make(void)
{
    wchar_t tmp[MAX_PATH];
    static LONG seq;
    DWORD n = GetTempPathW(MAX_PATH, tmp);
    OK(mfcs_init());
    cr_assert(n > 0 && n < MAX_PATH - 64, "GetTempPathW -> %lu (error %lu)", n, GetLastError());
    swprintf(scratch, MAX_PATH, L"%lsmfcs-file-%lu-%lu-%ld", tmp, GetCurrentProcessId(),
             GetTickCount(), InterlockedIncrement(&seq));
    cr_assert(CreateDirectoryW(scratch, NULL), "CreateDirectoryW -> error %lu", GetLastError());
}

static void scratch_remove(void)
{
    wchar_t pattern[MAX_PATH], victim[MAX_PATH];
    WIN32_FIND_DATAW fd;
    HANDLE h;
    mfcs_term();
    if (!scratch[0])
        return;
    swprintf(pattern, MAX_PATH, L"%ls\\*", scratch);
    h = FindFirstFileW(pattern, &fd);
    if (h != INVALID_HANDLE_VALUE) {
        do {
            if (wcscmp(fd.cFileName, L".") && wcscmp(fd.cFileName, L"..")) {
                swprintf(victim, MAX_PATH, L"%ls\\%ls", scratch, fd.cFileName);
                DeleteFileW(victim);
            }
        } while (FindNextFileW(h, &fd));
        FindClose(h);
    }
    RemoveDirectoryW(scratch);
    scratch[0] = 0;
}

TestSuite(disk, .init = scratch_make, .fini = scratch_remove, .timeout = 30);
TestSuite(disk_archive, .init = scratch_make, .fini = scratch_remove, .timeout = 60);

/* name's full path, wide (for the Win32 checks) and UTF-8 (for the library). */
static void path_of(const wchar_t *name, wchar_t *wide, char *utf8, size_t utf8_cap)
{
    wchar_t w[MAX_PATH];
    swprintf(w, MAX_PATH, L"%ls\\%ls", scratch, name);
    if (wide)
        wcscpy(wide, w);
    cr_assert(WideCharToMultiByte(CP_UTF8, 0, w, -1, utf8, (int)utf8_cap, NULL, NULL) > 0,
              "path to UTF-8: error %lu", GetLastError());
}

/* Files are prepared and inspected with Win32 directly, so a check never
 * trusts the code under test to describe its own output. */
static void put_bytes(const wchar_t *name, const void *bytes, DWORD n)
{
    wchar_t w[MAX_PATH];
    char u[MAX_PATH * 3];
    DWORD done = 0;
    HANDLE h;
    path_of(name, w, u, sizeof u);
    h = CreateFileW(w, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    cr_assert_neq(h, INVALID_HANDLE_VALUE, "CreateFileW -> error %lu", GetLastError());
    cr_assert(WriteFile(h, bytes, n, &done, NULL) && done == n, "WriteFile wrote %lu of %lu", done, n);
    CloseHandle(h);
}

/* The file's bytes (at most cap); returns how many it has. */
static size_t get_bytes(const wchar_t *name, void *buf, size_t cap)
{
    wchar_t w[MAX_PATH];
    char u[MAX_PATH * 3];
    DWORD done = 0;
    LARGE_INTEGER size;
    HANDLE h;
    path_of(name, w, u, sizeof u);
    h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
                    FILE_ATTRIBUTE_NORMAL, NULL);
    cr_assert_neq(h, INVALID_HANDLE_VALUE, "CreateFileW -> error %lu", GetLastError());
    cr_assert(GetFileSizeEx(h, &size));
    cr_assert_leq((uint64_t)size.QuadPart, cap, "file has %lld bytes", (long long)size.QuadPart);
    cr_assert(ReadFile(h, buf, (DWORD)cap, &done, NULL));
    CloseHandle(h);
    cr_assert_eq(done, (DWORD)size.QuadPart);
    return done;
}

static int exists(const wchar_t *name)
{
    wchar_t w[MAX_PATH];
    char u[MAX_PATH * 3];
    path_of(name, w, u, sizeof u);
    return GetFileAttributesW(w) != INVALID_FILE_ATTRIBUTES;
}

static mfcs_err open_name(mfcs_file **f, const wchar_t *name, unsigned flags)
{
    char u[MAX_PATH * 3];
    path_of(name, NULL, u, sizeof u);
    return mfcs_file_open_path(f, u, flags);
}

static void expect_len(mfcs_file *f, uint64_t want)
{
    uint64_t len = 0xDEAD;
    OK(mfcs_file_length(f, &len));
    cr_assert_eq(len, want, "length %llu, want %llu", (unsigned long long)len,
                 (unsigned long long)want);
}

static void expect_read(mfcs_file *f, size_t ask, const char *want, size_t want_n)
{
    char buf[256];
    size_t n = 9999;
    cr_assert_leq(ask, sizeof buf);
    OK(mfcs_file_read(f, buf, ask, &n));
    cr_assert_eq(n, want_n, "read %zu bytes, want %zu", n, want_n);
    cr_assert_eq(memcmp(buf, want, n), 0, "read \"%.*s\", want \"%.*s\"", (int)n, buf,
                 (int)want_n, want);
}

static void expect_seek(mfcs_file *f, int64_t off, int whence, uint64_t want)
{
    uint64_t pos = 0xDEAD;
    OK(mfcs_file_seek(f, off, whence, &pos));
    cr_assert_eq(pos, want, "seek(%lld, %d) -> %llu, want %llu", (long long)off, whence,
                 (unsigned long long)pos, (unsigned long long)want);
}

/* f holds the n bytes of content, positioned at 0. file.h: a NULL buffer
 * skips at most 512 bytes per call, and a short read otherwise happens only
 * at the end; so skipping 4000 may take several calls, each reporting what
 * it skipped, and the position must follow exactly. */
static void check_skip(mfcs_file *f, const char *content, size_t n)
{
    size_t done, got, calls = 0;
    uint64_t pos = 0;
    cr_assert_gt(n, 4100);
    OK(mfcs_file_read(f, NULL, 100, &got));
    cr_assert_eq(got, 100, "a 100-byte skip skipped %zu", got);
    done = 100;
    while (done < 4000) {
        size_t ask = 4000 - done;
        cr_assert_lt(++calls, 100, "skipping does not advance (%zu of 4000 after %zu calls)", done, calls);
        OK(mfcs_file_read(f, NULL, ask, &got));
        cr_assert(got > 0 && got <= (ask < 512 ? ask : 512),
                  "asked to skip %zu with %zu left in the file: skipped %zu", ask, n - done, got);
        done += got;
    }
    OK(mfcs_file_seek(f, 0, MFCS_SEEK_CUR, &pos));
    cr_assert_eq(pos, 4000, "position %llu after skipping 4000", (unsigned long long)pos);
    expect_read(f, 3, content + 4000, 3);
    /* At the end a skip is short, then 0. */
    expect_seek(f, -10, MFCS_SEEK_END, n - 10);
    OK(mfcs_file_read(f, NULL, 300, &got));
    cr_assert_eq(got, 10, "skipped %zu of the last 10 bytes", got);
    OK(mfcs_file_read(f, NULL, 300, &got));
    cr_assert_eq(got, 0, "skipped %zu bytes at the end", got);
}

/* ---- open modes ---- */

Test(disk, create_write_then_read_back)
{
    mfcs_file *f;
    char on_disk[16];
    OK(open_name(&f, L"a.bin", MFCS_FILE_WRITE | MFCS_FILE_CREATE));
    cr_assert(exists(L"a.bin"), "CREATE made no file");
    OK(mfcs_file_write(f, "hello", 5));
    OK(mfcs_file_write(f, "", 0));
    OK(mfcs_file_flush(f));
    expect_len(f, 5);
    OK(mfcs_file_close(f));
    cr_assert_eq(get_bytes(L"a.bin", on_disk, sizeof on_disk), 5);
    cr_assert_eq(memcmp(on_disk, "hello", 5), 0);
    OK(open_name(&f, L"a.bin", MFCS_FILE_READ));
    expect_len(f, 5);
    expect_read(f, 3, "hel", 3);
    expect_read(f, 10, "lo", 2);      /* short only at the end */
    expect_read(f, 10, "", 0);        /* at the end: 0 bytes, and no error */
    OK(mfcs_file_read(f, on_disk, 10, NULL));
    OK(mfcs_file_close(f));
}

Test(disk, create_truncates_an_existing_file)
{
    mfcs_file *f;
    char on_disk[16];
    put_bytes(L"t.bin", "abcdef", 6);
    OK(open_name(&f, L"t.bin", MFCS_FILE_WRITE | MFCS_FILE_CREATE));
    expect_len(f, 0);
    OK(mfcs_file_write(f, "XY", 2));
    OK(mfcs_file_close(f));
    cr_assert_eq(get_bytes(L"t.bin", on_disk, sizeof on_disk), 2);
    cr_assert_eq(memcmp(on_disk, "XY", 2), 0);
}

Test(disk, notruncate_keeps_contents_and_starts_at_zero)
{
    mfcs_file *f;
    char on_disk[16];
    put_bytes(L"k.bin", "abcdef", 6);
    OK(open_name(&f, L"k.bin", MFCS_FILE_WRITE | MFCS_FILE_CREATE | MFCS_FILE_NOTRUNCATE));
    expect_len(f, 6);
    /* CFile does not append: the position starts at 0, writes overwrite. */
    OK(mfcs_file_write(f, "XY", 2));
    OK(mfcs_file_close(f));
    cr_assert_eq(get_bytes(L"k.bin", on_disk, sizeof on_disk), 6);
    cr_assert_eq(memcmp(on_disk, "XYcdef", 6), 0, "file holds \"%.6s\"", on_disk);

    /* And on a missing file it still creates one. */
    OK(open_name(&f, L"new.bin", MFCS_FILE_READWRITE | MFCS_FILE_CREATE | MFCS_FILE_NOTRUNCATE));
    cr_assert(exists(L"new.bin"));
    expect_len(f, 0);
    OK(mfcs_file_close(f));
}

Test(disk, write_without_create_opens_the_existing_file_in_place)
{
    mfcs_file *f;
    char on_disk[16];
    ERR(open_name(&f, L"absent.bin", MFCS_FILE_WRITE), ERROR_FILE_NOT_FOUND);
    cr_assert(!exists(L"absent.bin"), "WRITE without CREATE made a file");
    put_bytes(L"w.bin", "abcdef", 6);
    OK(open_name(&f, L"w.bin", MFCS_FILE_WRITE));
    expect_len(f, 6);
    expect_seek(f, 4, MFCS_SEEK_SET, 4);
    OK(mfcs_file_write(f, "XYZ", 3));
    expect_len(f, 7);
    OK(mfcs_file_close(f));
    cr_assert_eq(get_bytes(L"w.bin", on_disk, sizeof on_disk), 7);
    cr_assert_eq(memcmp(on_disk, "abcdXYZ", 7), 0, "file holds \"%.7s\"", on_disk);
}

Test(disk, readwrite_reads_what_it_wrote)
{
    mfcs_file *f;
    ERR(open_name(&f, L"absent.bin", MFCS_FILE_READWRITE), ERROR_FILE_NOT_FOUND);
    OK(open_name(&f, L"rw.bin", MFCS_FILE_READWRITE | MFCS_FILE_CREATE));
    OK(mfcs_file_write(f, "0123456789", 10));
    expect_read(f, 4, "", 0);
    expect_seek(f, 2, MFCS_SEEK_SET, 2);
    expect_read(f, 3, "234", 3);
    OK(mfcs_file_write(f, "ab", 2));   /* at the position the read left */
    expect_seek(f, 0, MFCS_SEEK_SET, 0);
    expect_read(f, 20, "01234ab789", 10);
    OK(mfcs_file_close(f));
}

Test(disk, read_with_create_makes_an_empty_file)
{
    mfcs_file *f;
    OK(open_name(&f, L"rc.bin", MFCS_FILE_READ | MFCS_FILE_CREATE));
    cr_assert(exists(L"rc.bin"));
    expect_len(f, 0);
    expect_read(f, 8, "", 0);
    OK(mfcs_file_close(f));
}

Test(disk, missing_file_and_folder_get_createfile_errors)
{
    mfcs_file *f = (mfcs_file *)&f;
    ERR(open_name(&f, L"absent.bin", MFCS_FILE_READ), ERROR_FILE_NOT_FOUND);
    cr_assert(!exists(L"absent.bin"), "READ made a file");
    ERR(open_name(&f, L"no-such-folder\\x.bin", MFCS_FILE_READ), ERROR_PATH_NOT_FOUND);
    ERR(open_name(&f, L"no-such-folder\\x.bin", MFCS_FILE_WRITE | MFCS_FILE_CREATE),
        ERROR_PATH_NOT_FOUND);
}

Test(disk, bad_arguments_are_invalidarg)
{
    /* CFile flags this API does not take (shareExclusive, typeText,
     * typeBinary, modeNoInherit) and unknown bits must not be silently
     * ignored. WRITE|READWRITE is no mode at all: MFC asserts on it. */
    static const unsigned bad[] = { 0x0004u, 0x0010u, 0x0080u, 0x4000u, 0x8000u, 0x80000000u,
                                    MFCS_FILE_WRITE | MFCS_FILE_READWRITE };
    mfcs_file *f;
    char u[MAX_PATH * 3];
    size_t i;
    path_of(L"flags.bin", NULL, u, sizeof u);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mfcs_err e = mfcs_file_open_path(&f, u, bad[i] | MFCS_FILE_CREATE);
        cr_assert_eq(e, MFCS_E_INVALIDARG, "flags 0x%X -> 0x%08X (%s)", bad[i] | MFCS_FILE_CREATE,
                     (unsigned)e, mfcs_strerror(e));
        cr_assert(!exists(L"flags.bin"), "flags 0x%X made a file", bad[i] | MFCS_FILE_CREATE);
    }
    ERR(mfcs_file_open_path(NULL, u, MFCS_FILE_WRITE | MFCS_FILE_CREATE), MFCS_E_INVALIDARG);
    ERR(mfcs_file_open_path(&f, NULL, MFCS_FILE_READ), MFCS_E_INVALIDARG);
    {
        /* The scratch folder plus a cut UTF-8 sequence, so only the
         * encoding is wrong. */
        char cut[MAX_PATH * 3 + 8];
        snprintf(cut, sizeof cut, "%s\xC3", u);
        ERR(mfcs_file_open_path(&f, cut, MFCS_FILE_WRITE | MFCS_FILE_CREATE), MFCS_E_INVALIDARG);
        snprintf(cut, sizeof cut, "%s\xED\xA0\x80", u);   /* a surrogate in UTF-8 */
        ERR(mfcs_file_open_path(&f, cut, MFCS_FILE_WRITE | MFCS_FILE_CREATE), MFCS_E_INVALIDARG);
    }
}

Test(disk, other_readers_see_the_bytes_while_it_is_open)
{
    mfcs_file *f;
    char on_disk[16];
    OK(open_name(&f, L"shared.bin", MFCS_FILE_WRITE | MFCS_FILE_CREATE));
    OK(mfcs_file_write(f, "shared", 6));
    OK(mfcs_file_flush(f));
    cr_assert_eq(get_bytes(L"shared.bin", on_disk, sizeof on_disk), 6);
    cr_assert_eq(memcmp(on_disk, "shared", 6), 0);
    OK(mfcs_file_close(f));
}

/* ---- position and size ---- */

Test(disk, seek_from_each_origin_and_length)
{
    mfcs_file *f;
    put_bytes(L"s.bin", "0123456789", 10);
    OK(open_name(&f, L"s.bin", MFCS_FILE_READ));
    expect_len(f, 10);
    expect_seek(f, 3, MFCS_SEEK_SET, 3);
    expect_read(f, 2, "34", 2);
    expect_seek(f, 2, MFCS_SEEK_CUR, 7);
    expect_read(f, 1, "7", 1);
    expect_seek(f, -3, MFCS_SEEK_CUR, 5);
    expect_read(f, 1, "5", 1);
    expect_seek(f, -2, MFCS_SEEK_END, 8);
    expect_read(f, 5, "89", 2);
    expect_seek(f, 0, MFCS_SEEK_END, 10);
    expect_read(f, 5, "", 0);
    expect_seek(f, 0, MFCS_SEEK_CUR, 10);
    OK(mfcs_file_seek(f, 1, MFCS_SEEK_SET, NULL));        /* pos may be NULL */
    expect_read(f, 1, "1", 1);
    expect_len(f, 10);                                    /* seeking never resizes */
    ERR(mfcs_file_length(f, NULL), MFCS_E_INVALIDARG);
    OK(mfcs_file_close(f));
}

Test(disk, seek_before_zero_and_bad_whence_are_invalidarg)
{
    mfcs_file *f;
    put_bytes(L"n.bin", "0123456789", 10);
    OK(open_name(&f, L"n.bin", MFCS_FILE_READ));
    expect_seek(f, 4, MFCS_SEEK_SET, 4);
    ERR(mfcs_file_seek(f, -1, MFCS_SEEK_SET, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_file_seek(f, -5, MFCS_SEEK_CUR, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_file_seek(f, -11, MFCS_SEEK_END, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_file_seek(f, 0, 3, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_file_seek(f, 0, -1, NULL), MFCS_E_INVALIDARG);
    /* The edge itself is allowed. */
    expect_seek(f, -4, MFCS_SEEK_CUR, 0);
    expect_seek(f, -10, MFCS_SEEK_END, 0);
    OK(mfcs_file_close(f));
}

Test(disk, skipping_with_null_buffer_moves_past_the_bytes)
{
    static char big[5000];
    mfcs_file *f;
    size_t i;
    for (i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + i % 26);
    put_bytes(L"skip.bin", big, sizeof big);
    OK(open_name(&f, L"skip.bin", MFCS_FILE_READ));
    check_skip(f, big, sizeof big);
    OK(mfcs_file_close(f));
}

/* ---- errors ---- */

Test(disk, write_on_a_read_only_file_is_access_denied)
{
    mfcs_file *f;
    char on_disk[16];
    put_bytes(L"ro.bin", "keep", 4);
    OK(open_name(&f, L"ro.bin", MFCS_FILE_READ));
    ERR(mfcs_file_write(f, "XX", 2), ERROR_ACCESS_DENIED);
    expect_read(f, 10, "keep", 4);     /* the handle still works */
    OK(mfcs_file_close(f));
    cr_assert_eq(get_bytes(L"ro.bin", on_disk, sizeof on_disk), 4);
    cr_assert_eq(memcmp(on_disk, "keep", 4), 0);
}

Test(disk, memory_data_is_unsupported)
{
    mfcs_file *f;
    const void *data = NULL;
    size_t len = 0;
    OK(open_name(&f, L"m.bin", MFCS_FILE_READWRITE | MFCS_FILE_CREATE));
    OK(mfcs_file_write(f, "x", 1));
    ERR(mfcs_file_memory_data(f, &data, &len), MFCS_E_UNSUPPORTED);
    ERR(mfcs_file_memory_data(f, NULL, NULL), MFCS_E_UNSUPPORTED);
    OK(mfcs_file_close(f));
}

Test(disk, closed_file_is_a_bad_handle)
{
    mfcs_file *f;
    mfcs_archive *ar;
    char buf[4];
    size_t n;
    uint64_t v;
    put_bytes(L"c.bin", "abc", 3);
    OK(open_name(&f, L"c.bin", MFCS_FILE_READWRITE));
    OK(mfcs_file_close(f));
    ERR(mfcs_file_read(f, buf, sizeof buf, &n), MFCS_E_BADHANDLE);
    ERR(mfcs_file_write(f, "x", 1), MFCS_E_BADHANDLE);
    ERR(mfcs_file_flush(f), MFCS_E_BADHANDLE);
    ERR(mfcs_file_seek(f, 0, MFCS_SEEK_SET, &v), MFCS_E_BADHANDLE);
    ERR(mfcs_file_length(f, &v), MFCS_E_BADHANDLE);
    ERR(mfcs_file_memory_data(f, NULL, NULL), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_open(&ar, f, MFCS_LOAD, 0), MFCS_E_BADHANDLE);
    ERR(mfcs_file_close(f), MFCS_E_BADHANDLE);
    /* The OS handle went with it: the file can be opened exclusively. */
    {
        wchar_t w[MAX_PATH];
        char u[MAX_PATH * 3];
        HANDLE h;
        path_of(L"c.bin", w, u, sizeof u);
        h = CreateFileW(w, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
        cr_assert_neq(h, INVALID_HANDLE_VALUE, "still open after close: error %lu", GetLastError());
        CloseHandle(h);
    }
}

/* A read that fails after some bytes came reports them (nread) with the
 * error, and an archive keeps them: a named pipe whose writer sends three
 * bytes and then goes away fails the second ReadFile with
 * ERROR_BROKEN_PIPE. */
typedef struct pipe_writer {
    HANDLE pipe;
} pipe_writer;

static DWORD WINAPI write_three_then_leave(void *arg)
{
    pipe_writer *w = arg;
    DWORD n;
    ConnectNamedPipe(w->pipe, NULL);
    WriteFile(w->pipe, "\x01\x02\x03", 3, &n, NULL);
    Sleep(200);
    CloseHandle(w->pipe);
    return 0;
}

Test(disk, a_read_that_fails_midway_reports_the_bytes_it_read)
{
    char name[96];
    pipe_writer w;
    HANDLE t;
    mfcs_file *f;
    mfcs_archive *ar;
    unsigned char buf[8] = { 0 };
    size_t got = 99;
    snprintf(name, sizeof name, "\\\\.\\pipe\\mfcsock-test-%lu-%lu", GetCurrentProcessId(), GetTickCount());
    w.pipe = CreateNamedPipeA(name, PIPE_ACCESS_OUTBOUND, PIPE_TYPE_BYTE | PIPE_WAIT, 1, 64, 64, 0, NULL);
    cr_assert_neq(w.pipe, INVALID_HANDLE_VALUE, "CreateNamedPipe -> %lu", GetLastError());
    t = CreateThread(NULL, 0, write_three_then_leave, &w, 0, NULL);
    OK(mfcs_file_open_path(&f, name, MFCS_FILE_READ));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    ERR(mfcs_archive_read(ar, buf, sizeof buf, &got), ERROR_BROKEN_PIPE);
    cr_assert_eq(got, 3, "nread %zu", got);
    cr_assert_eq(buf[0], 1);
    cr_assert_eq(buf[2], 3);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
}

Test(disk, closing_with_an_open_archive_is_state)
{
    mfcs_file *f;
    mfcs_archive *ar;
    OK(open_name(&f, L"oa.bin", MFCS_FILE_WRITE | MFCS_FILE_CREATE));
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    ERR(mfcs_file_close(f), MFCS_E_STATE);
    OK(mfcs_archive_write_u8(ar, 1));
    OK(mfcs_archive_close(ar));
    expect_len(f, 1);
    OK(mfcs_file_close(f));
}

/* ---- a path outside ASCII ---- */

/* e-acute, CJK, and U+1F600 (a surrogate pair in UTF-16). */
#define NON_ASCII_NAME L"caf\u00E9-\u65E5\u672C-\U0001F600.bin"

Test(disk, non_ascii_utf8_path_names_the_file)
{
    mfcs_file *f;
    char u[MAX_PATH * 3], on_disk[16];
    wchar_t w[MAX_PATH], pattern[MAX_PATH], mojibake[MAX_PATH];
    WIN32_FIND_DATAW fd;
    HANDLE h;
    int found = 0;
    path_of(NON_ASCII_NAME, w, u, sizeof u);
    OK(mfcs_file_open_path(&f, u, MFCS_FILE_WRITE | MFCS_FILE_CREATE));
    OK(mfcs_file_write(f, "utf8", 4));
    OK(mfcs_file_close(f));

    /* The directory lists exactly the wide name, and only it. */
    swprintf(pattern, MAX_PATH, L"%ls\\*", scratch);
    h = FindFirstFileW(pattern, &fd);
    cr_assert_neq(h, INVALID_HANDLE_VALUE);
    do {
        if (!wcscmp(fd.cFileName, L".") || !wcscmp(fd.cFileName, L".."))
            continue;
        cr_assert(!wcscmp(fd.cFileName, NON_ASCII_NAME), "unexpected file \"%ls\"", fd.cFileName);
        found++;
    } while (FindNextFileW(h, &fd));
    FindClose(h);
    cr_assert_eq(found, 1, "%d files in the folder", found);
    cr_assert_eq(get_bytes(NON_ASCII_NAME, on_disk, sizeof on_disk), 4);
    cr_assert_eq(memcmp(on_disk, "utf8", 4), 0);

    /* What a path read as ANSI would have named instead does not exist. */
    cr_assert(MultiByteToWideChar(CP_ACP, 0, u, -1, mojibake, MAX_PATH) > 0);
    cr_assert(wcscmp(mojibake, w) != 0 || GetACP() == CP_UTF8);
    if (GetACP() != CP_UTF8)
        cr_assert_eq(GetFileAttributesW(mojibake), INVALID_FILE_ATTRIBUTES,
                     "the UTF-8 bytes were taken as ANSI: \"%ls\" exists", mojibake);

    /* And the UTF-8 path opens it again for reading. */
    OK(mfcs_file_open_path(&f, u, MFCS_FILE_READ));
    expect_read(f, 10, "utf8", 4);
    OK(mfcs_file_close(f));
}

/* ---- memory files: position and size ---- */

Test(memory, seek_from_each_origin_and_length, .timeout = 30)
{
    mfcs_file *f;
    OK(mfcs_file_open_memory(&f, "0123456789", 10));
    expect_len(f, 10);
    expect_seek(f, 0, MFCS_SEEK_CUR, 0);              /* starts at 0 */
    expect_seek(f, 3, MFCS_SEEK_SET, 3);
    expect_read(f, 2, "34", 2);
    expect_seek(f, 2, MFCS_SEEK_CUR, 7);
    expect_read(f, 1, "7", 1);
    expect_seek(f, -3, MFCS_SEEK_CUR, 5);
    expect_read(f, 1, "5", 1);
    expect_seek(f, -2, MFCS_SEEK_END, 8);
    expect_read(f, 5, "89", 2);
    expect_read(f, 5, "", 0);
    OK(mfcs_file_seek(f, 1, MFCS_SEEK_SET, NULL));
    expect_read(f, 1, "1", 1);
    ERR(mfcs_file_length(f, NULL), MFCS_E_INVALIDARG);
    OK(mfcs_file_flush(f));                           /* nothing to do, still OK */
    OK(mfcs_file_close(f));
}

Test(memory, seek_before_zero_and_bad_whence_are_invalidarg, .timeout = 30)
{
    mfcs_file *f;
    OK(mfcs_file_open_memory(&f, "0123456789", 10));
    expect_seek(f, 4, MFCS_SEEK_SET, 4);
    ERR(mfcs_file_seek(f, -1, MFCS_SEEK_SET, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_file_seek(f, -5, MFCS_SEEK_CUR, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_file_seek(f, -11, MFCS_SEEK_END, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_file_seek(f, INT64_MIN, MFCS_SEEK_END, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_file_seek(f, 0, 3, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_file_seek(f, 0, -1, NULL), MFCS_E_INVALIDARG);
    expect_seek(f, -4, MFCS_SEEK_CUR, 0);
    expect_seek(f, -10, MFCS_SEEK_END, 0);
    OK(mfcs_file_close(f));
}

Test(memory, gap_past_the_end_reads_as_zeros_once_written, .timeout = 30)
{
    mfcs_file *f;
    const void *data;
    size_t len;
    OK(mfcs_file_open_memory(&f, "abc", 3));
    expect_seek(f, 6, MFCS_SEEK_SET, 6);
    expect_len(f, 3);                                  /* seeking alone does not grow it */
    expect_read(f, 4, "", 0);
    OK(mfcs_file_write(f, "Z", 1));
    expect_len(f, 7);
    OK(mfcs_file_memory_data(f, &data, &len));
    cr_assert_eq(len, 7);
    cr_assert_eq(memcmp(data, "abc\0\0\0Z", 7), 0);
    expect_seek(f, 2, MFCS_SEEK_SET, 2);
    expect_read(f, 10, "c\0\0\0Z", 5);
    OK(mfcs_file_close(f));
}

Test(memory, write_overwrites_in_place_and_grows_at_the_end, .timeout = 30)
{
    mfcs_file *f;
    const void *data;
    size_t len;
    OK(mfcs_file_open_memory(&f, "abcdef", 6));
    expect_seek(f, 4, MFCS_SEEK_SET, 4);
    OK(mfcs_file_write(f, "XYZ", 3));
    expect_seek(f, 0, MFCS_SEEK_CUR, 7);
    OK(mfcs_file_memory_data(f, &data, &len));
    cr_assert_eq(len, 7, "length %zu", len);
    cr_assert_eq(memcmp(data, "abcdXYZ", 7), 0, "holds \"%.7s\"", (const char *)data);
    OK(mfcs_file_memory_data(f, NULL, NULL));          /* both outs may be NULL */
    ERR(mfcs_file_write(f, NULL, 1), MFCS_E_INVALIDARG);
    OK(mfcs_file_close(f));
}

Test(memory, skipping_with_null_buffer_moves_past_the_bytes, .timeout = 30)
{
    static char big[5000];
    mfcs_file *f;
    size_t i;
    for (i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + i % 26);
    OK(mfcs_file_open_memory(&f, big, sizeof big));
    check_skip(f, big, sizeof big);
    OK(mfcs_file_close(f));
}

/* ---- archives on disk ---- */

static unsigned char blob[10000];

/* One document: primitives, strings of each width, a count, raw bytes
 * longer than the archive buffer, and objects with a back reference and a
 * null reference. */
static void store_document(mfcs_archive *ar, const mfcs_class *cls, point *a, point *b)
{
    OK(mfcs_archive_write_u8(ar, 0xAB));
    OK(mfcs_archive_write_i16(ar, -2));
    OK(mfcs_archive_write_u32(ar, 0xDEADBEEF));
    OK(mfcs_archive_write_i64(ar, -9000000000000000000ll));
    OK(mfcs_archive_write_f64(ar, 2.5));
    OK(mfcs_archive_write_bool(ar, 1));
    OK(mfcs_archive_write_string_a(ar, "ansi", 4));
    OK(mfcs_archive_write_string(ar, "h\xC3\xA9llo \xF0\x9F\x98\x80"));
    OK(mfcs_archive_write_string_w(ar, L"wide", 4));
    OK(mfcs_archive_write_count(ar, 70000));
    OK(mfcs_archive_write(ar, blob, sizeof blob));
    OK(mfcs_archive_write_object(ar, cls, a));
    OK(mfcs_archive_write_object(ar, cls, b));
    OK(mfcs_archive_write_object(ar, cls, a));
    OK(mfcs_archive_write_object(ar, cls, NULL));
}

Test(disk_archive, round_trip_through_a_disk_file_matches_memory_bytes)
{
    mfcs_class *cls;
    mfcs_file *f, *mem;
    mfcs_archive *ar;
    point a = { 1, -2 }, b = { 0x7FFFFFFF, -0x7FFFFFFF - 1 };
    static unsigned char on_disk[20000], back[sizeof blob];
    const void *mdata;
    size_t mlen, disk_len, n, i;
    uint8_t u8; int16_t i16; uint32_t u32; int64_t i64; double f64; int yes;
    uint64_t count;
    char *s;
    wchar_t *w;
    void *o1, *o2, *o3, *o4;
    const mfcs_class *got_cls = NULL;

    for (i = 0; i < sizeof blob; i++)
        blob[i] = (unsigned char)(i * 31 + 7);
    OK(mfcs_class_register(&cls, "CPoint", 1, &point_ops, NULL));

    OK(open_name(&f, L"doc.bin", MFCS_FILE_WRITE | MFCS_FILE_CREATE));
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    store_document(ar, cls, &a, &b);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));

    /* The same calls on a memory file give the same bytes: the format
     * does not depend on the file under the archive. */
    ar = new_store(&mem);
    store_document(ar, cls, &a, &b);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_memory_data(mem, &mdata, &mlen));
    disk_len = get_bytes(L"doc.bin", on_disk, sizeof on_disk);
    cr_assert_eq(disk_len, mlen, "disk file has %zu bytes, memory file %zu", disk_len, mlen);
    for (i = 0; i < mlen; i++)
        cr_assert_eq(on_disk[i], ((const unsigned char *)mdata)[i],
                     "byte %zu: disk %02X, memory %02X", i, on_disk[i],
                     ((const unsigned char *)mdata)[i]);
    OK(mfcs_file_close(mem));

    /* A small buffer makes the loading archive refill from disk many times. */
    OK(open_name(&f, L"doc.bin", MFCS_FILE_READ));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 128));
    OK(mfcs_archive_is_loading(ar, &yes));
    cr_assert_eq(yes, 1);
    OK(mfcs_archive_read_u8(ar, &u8));     cr_assert_eq(u8, 0xAB, "u8 %02X", u8);
    OK(mfcs_archive_read_i16(ar, &i16));   cr_assert_eq(i16, -2, "i16 %d", i16);
    OK(mfcs_archive_read_u32(ar, &u32));   cr_assert_eq(u32, 0xDEADBEEF, "u32 %08X", u32);
    OK(mfcs_archive_read_i64(ar, &i64));   cr_assert_eq(i64, -9000000000000000000ll, "i64 %lld", (long long)i64);
    OK(mfcs_archive_read_f64(ar, &f64));   cr_assert_eq(f64, 2.5, "f64 %g", f64);
    OK(mfcs_archive_read_bool(ar, &yes));  cr_assert_eq(yes, 1, "bool %d", yes);
    OK(mfcs_archive_read_string_a(ar, &s, &n));
    cr_assert_str_eq(s, "ansi"); cr_assert_eq(n, 4);
    mfcs_free(s);
    OK(mfcs_archive_read_string(ar, &s, &n));
    cr_assert_str_eq(s, "h\xC3\xA9llo \xF0\x9F\x98\x80"); cr_assert_eq(n, 11, "%zu bytes", n);
    mfcs_free(s);
    OK(mfcs_archive_read_string_w(ar, &w, &n));
    cr_assert(n == 4 && !wcscmp(w, L"wide"), "read \"%ls\" (%zu units)", w, n);
    mfcs_free(w);
    OK(mfcs_archive_read_count(ar, &count));
    cr_assert_eq(count, 70000, "count %llu", (unsigned long long)count);
    OK(mfcs_archive_read(ar, back, sizeof back, &n));
    cr_assert_eq(n, sizeof blob, "raw read gave %zu bytes", n);
    cr_assert_eq(memcmp(back, blob, sizeof blob), 0, "raw bytes differ");
    OK(mfcs_archive_read_object(ar, cls, &o1, &got_cls));
    cr_assert_eq(got_cls, cls);
    OK(mfcs_archive_read_object(ar, cls, &o2, NULL));
    OK(mfcs_archive_read_object(ar, cls, &o3, NULL));
    OK(mfcs_archive_read_object(ar, NULL, &o4, NULL));
    cr_assert(o1 && o2, "objects %p %p", o1, o2);
    cr_assert(((point *)o1)->x == a.x && ((point *)o1)->y == a.y, "first (%d,%d)",
              ((point *)o1)->x, ((point *)o1)->y);
    cr_assert(((point *)o2)->x == b.x && ((point *)o2)->y == b.y, "second (%d,%d)",
              ((point *)o2)->x, ((point *)o2)->y);
    cr_assert_neq(o1, o2);
    cr_assert_eq(o3, o1, "the back reference gave %p, not the first object %p", o3, o1);
    cr_assert_null(o4, "the null reference gave %p", o4);
    OK(mfcs_archive_read(ar, NULL, 1, &n));
    cr_assert_eq(n, 0, "%zu bytes after the document", n);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
    point_destroy(o1, NULL);
    point_destroy(o2, NULL);
    cr_assert_eq(points_live, 0, "%d points live", points_live);
    OK(mfcs_class_unregister(cls));
}

Test(disk_archive, loading_close_hands_unread_bytes_back_to_the_disk_file)
{
    mfcs_file *f;
    mfcs_archive *ar;
    uint32_t v = 0;
    put_bytes(L"tail.bin", "\x2A\x00\x00\x00TAIL", 8);
    OK(open_name(&f, L"tail.bin", MFCS_FILE_READ));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_u32(ar, &v));
    cr_assert_eq(v, 42);
    OK(mfcs_archive_close(ar));
    /* The archive read all 8 bytes ahead; the file must be back at 4. */
    expect_seek(f, 0, MFCS_SEEK_CUR, 4);
    expect_read(f, 16, "TAIL", 4);
    OK(mfcs_file_close(f));
}

Test(disk_archive, storing_archive_writes_nothing_before_flush)
{
    mfcs_file *f;
    mfcs_archive *ar;
    char on_disk[16];
    OK(open_name(&f, L"fl.bin", MFCS_FILE_WRITE | MFCS_FILE_CREATE));
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    OK(mfcs_archive_write_u32(ar, 0x04030201));
    cr_assert_eq(get_bytes(L"fl.bin", on_disk, sizeof on_disk), 0);
    OK(mfcs_archive_flush(ar));
    cr_assert_eq(get_bytes(L"fl.bin", on_disk, sizeof on_disk), 4);
    cr_assert_eq(memcmp(on_disk, "\x01\x02\x03\x04", 4), 0);
    OK(mfcs_archive_write_u8(ar, 9));
    OK(mfcs_archive_abort(ar));                        /* drops the buffered byte */
    OK(mfcs_file_close(f));
    cr_assert_eq(get_bytes(L"fl.bin", on_disk, sizeof on_disk), 4);
}
