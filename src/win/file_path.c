/*
 * file_path.c: disk files (MFC's CFile) over CreateFileW. Errors are the
 * Win32 codes, passed through.
 */
#include "win.h"
#include "file.h"
#include "text.h"
#include "mfcsock/file.h"

#include <stdlib.h>

typedef struct disk_file {
    mfcs__file head;
    HANDLE h;
} disk_file;

static mfcs_err last_error(void)
{
    DWORD e = GetLastError();
    return e ? (mfcs_err)e : ERROR_GEN_FAILURE;
}

static mfcs_err disk_fill(mfcs__file *f, void *buf, size_t need, size_t cap, size_t *got, uint64_t deadline)
{
    disk_file *d = (disk_file *)f;
    size_t total = 0;
    (void)deadline;
    /* Reading ahead from disk never blocks on a peer, so ask for cap. */
    while (total < cap) {
        DWORD n = 0, ask = cap - total > 0x40000000u ? 0x40000000u : (DWORD)(cap - total);
        if (!ReadFile(d->h, (char *)buf + total, ask, &n, NULL)) {
            *got = total;   /* the bytes before the failure were read: they count */
            return last_error();
        }
        if (n == 0)
            break;
        total += n;
        if (total >= need)
            break;
    }
    *got = total;
    return MFCS_OK;
}

static mfcs_err disk_write(mfcs__file *f, const void *buf, size_t len)
{
    disk_file *d = (disk_file *)f;
    while (len) {
        DWORD n = 0, ask = len > 0x40000000u ? 0x40000000u : (DWORD)len;
        if (!WriteFile(d->h, buf, ask, &n, NULL))
            return last_error();
        buf = (const char *)buf + n;
        len -= n;
    }
    return MFCS_OK;
}

static mfcs_err disk_flush(mfcs__file *f)
{
    return FlushFileBuffers(((disk_file *)f)->h) ? MFCS_OK : last_error();
}

static mfcs_err disk_seek(mfcs__file *f, int64_t off, int whence, uint64_t *pos)
{
    LARGE_INTEGER to, now;
    static const DWORD method[3] = { FILE_BEGIN, FILE_CURRENT, FILE_END };
    to.QuadPart = off;
    if (!SetFilePointerEx(((disk_file *)f)->h, to, &now, method[whence]))
        return GetLastError() == ERROR_NEGATIVE_SEEK ? MFCS_E_INVALIDARG : last_error();
    if (pos)
        *pos = (uint64_t)now.QuadPart;
    return MFCS_OK;
}

static mfcs_err disk_length(mfcs__file *f, uint64_t *len)
{
    LARGE_INTEGER n;
    if (!GetFileSizeEx(((disk_file *)f)->h, &n))
        return last_error();
    *len = (uint64_t)n.QuadPart;
    return MFCS_OK;
}

static mfcs_err disk_unread(mfcs__file *f, const void *buf, size_t len)
{
    (void)buf;
    return disk_seek(f, -(int64_t)len, MFCS_SEEK_CUR, NULL);
}

static void disk_destroy(mfcs__file *f)
{
    CloseHandle(((disk_file *)f)->h);
    free(f);
}

static const mfcs__file_ops disk_ops = {
    "disk", disk_fill, disk_write, disk_flush, disk_seek, disk_length, disk_unread, NULL, disk_destroy,
    NULL, NULL
};

mfcs_err MFCS_CALL mfcs_file_open_path(mfcs_file **out, const char *path_utf8, unsigned flags)
{
    disk_file *d;
    uint16_t *wpath;
    size_t n;
    DWORD access, disposition;
    unsigned rw = flags & 3u;
    mfcs_err err;

    if (!out)
        return MFCS_E_INVALIDARG;
    *out = NULL;
    if (!path_utf8 || rw == 3 || (flags & ~(3u | MFCS_FILE_CREATE | MFCS_FILE_NOTRUNCATE)))
        return MFCS_E_INVALIDARG;
    access = rw == MFCS_FILE_READ ? GENERIC_READ
           : rw == MFCS_FILE_WRITE ? GENERIC_WRITE : GENERIC_READ | GENERIC_WRITE;
    /* CFile: modeCreate truncates (CREATE_ALWAYS) unless modeNoTruncate (OPEN_ALWAYS). */
    if (flags & MFCS_FILE_CREATE)
        disposition = (flags & MFCS_FILE_NOTRUNCATE) ? OPEN_ALWAYS : CREATE_ALWAYS;
    else
        disposition = OPEN_EXISTING;
    if ((err = mfcs__utf8_to_utf16(path_utf8, strlen(path_utf8), &wpath, &n)) != MFCS_OK)
        return err;
    d = (disk_file *)calloc(1, sizeof *d);
    if (!d) {
        free(wpath);
        return MFCS_E_NOMEM;
    }
    d->h = CreateFileW((const wchar_t *)wpath, access, FILE_SHARE_READ, NULL, disposition,
                       FILE_ATTRIBUTE_NORMAL, NULL);
    free(wpath);
    if (d->h == INVALID_HANDLE_VALUE) {
        err = last_error();
        free(d);
        return err;
    }
    d->head.ops = &disk_ops;
    return mfcs__file_register(&d->head, out);
}
