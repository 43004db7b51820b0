/*
 * archive.c: the archive's buffer (MFC's CArchive buffering, arccore.cpp),
 * its life cycle, the frame every call runs in, and the fixed-size values:
 * primitives, counts, raw bytes.
 *
 * Loading never asks the file for more than the value being read is
 * missing, but lets it hand over whatever else has already arrived, up to
 * the buffer's size (file.h's fill(); a socket file's receive takes more,
 * and its socket holds the rest). So a socket archive never hangs on bytes
 * the peer has not sent (MFC <= 6's read-ahead hang, KB Q192704) and yet
 * reads a million u32 values with a few dozen recv calls, not a million
 * (MFC >= 7's exact reads).
 *
 * A value is read whole or not at all: when a read fails (a timeout, a
 * cancel, the peer gone inside it), the bytes it had taken become unread
 * again, so closing or aborting the archive hands them back to the file
 * and a new archive reads the value from its first byte (archive.h).
 */
#include "archive.h"

#include <stdlib.h>

#define DEFAULT_BUF         4096
#define MIN_BUF             128   /* MFC raises smaller buffers to 128 bytes */
#define DEFAULT_MAX_STRING  ((size_t)256 << 20)
#define DEFAULT_MAX_COUNT   0x7FFFFFFFu
#define DEFAULT_MAX_DEPTH   64u
#define DEFAULT_MAX_OBJECTS ((uint64_t)1 << 22)

/* ---- life cycle ---- */

/* Hands unconsumed loaded bytes back to the file, so nothing is lost. */
static mfcs_err give_back(mfcs__archive *a)
{
    mfcs_err err = MFCS_OK;
    if (a->loading && a->end > a->cur) {
        err = a->file->ops->unread(a->file, a->buf + a->cur, a->end - a->cur);
        a->base += a->end;
        a->cur = a->end = 0;
    }
    return err;
}

/* The slot's finalizer: the handle is dead and no call holds the archive.
 * Its file was told at close (archives--); its pin on the file goes now. */
static void free_archive(void *obj)
{
    mfcs__archive *a = (mfcs__archive *)obj;
    mfcs__ar_free_maps(a);
    mfcs__unpin(a->file->slot, MFCS__USE_ANY);
    free(a->buf);
    free(a);
}

mfcs_err MFCS_CALL mfcs_archive_open(mfcs_archive **out, mfcs_file *fh, int mode, size_t buf_size)
{
    mfcs__file *f;
    mfcs__archive *a;
    mfcs__slot *fslot;
    void *fobj;
    mfcs_err err;

    if (!out)
        return MFCS_E_INVALIDARG;
    *out = NULL;
    if ((err = mfcs__file_get(fh, &f)) != MFCS_OK)
        return err;
    err = MFCS_E_INVALIDARG;
    if (mode != MFCS_LOAD && mode != MFCS_STORE)
        goto out;
    if (f->ops->check_archive && (err = f->ops->check_archive(f)) != MFCS_OK)
        goto out;
    if (buf_size == 0)
        buf_size = DEFAULT_BUF;
    if (buf_size < MIN_BUF)
        buf_size = MIN_BUF;
    err = MFCS_E_NOMEM;
    if (!(a = (mfcs__archive *)calloc(1, sizeof *a)))
        goto out;
    if (!(a->buf = (uint8_t *)malloc(buf_size))) {
        free(a);
        goto out;
    }
    a->file = f;
    a->loading = mode == MFCS_LOAD;
    a->cap = buf_size;
    a->max_string = DEFAULT_MAX_STRING;
    a->max_count = DEFAULT_MAX_COUNT;
    a->max_depth = DEFAULT_MAX_DEPTH;
    a->max_objects = DEFAULT_MAX_OBJECTS;
    a->mfc_version = MFCS_MFC_14;
    /* The archive keeps its file alive (a pin) until the archive is freed,
     * even past mfcs_term, which may kill the file's handle first. */
    mfcs__pin(f->handle, MFCS__KIND_FILE, MFCS__USE_ANY, &fslot, &fobj);
    /* Owned by the opening thread: a socket file's thread for good (bound),
     * a memory or disk file's until another thread takes it over. */
    err = mfcs__handle_alloc(MFCS__KIND_ARCHIVE, a, f->owner ? f->owner : mfcs__thread_id(),
                             MFCS__SLOT_FAST | (f->owner ? MFCS__SLOT_BOUND : 0),
                             free_archive, &a->handle, &a->slot);
    if (err) {
        mfcs__unpin(fslot, MFCS__USE_ANY);
        free(a->buf);
        free(a);
        goto out;
    }
    mfcs__atomic_inc(&f->archives);
    *out = (mfcs_archive *)a->handle;
out:
    mfcs__file_put(f);
    return err;
}

/* ---- the frame of a call ---- */

mfcs_err mfcs__ar_begin(mfcs__ar_frame *fr, mfcs_archive *h, unsigned flags, const char *name)
{
    mfcs__archive *a;
    mfcs__slot *slot;
    mfcs_err err = mfcs__pin(h, MFCS__KIND_ARCHIVE, MFCS__USE_OWNER, &slot, (void **)&a);
    if (err)
        return err;
    if (flags & MFCS__AR_QUERY)
        ;
    else if (a->window)
        err = MFCS_E_STATE;        /* the window is the way in while it is open */
    else if (a->busy)
        err = MFCS_E_INPROGRESS;   /* inside its own wait: the outer call goes on */
    else if (a->error)
        err = a->error;
    else if (((flags & MFCS__AR_LOAD) && !a->loading) || ((flags & MFCS__AR_STORE) && a->loading))
        err = mfcs__ar_fail(a, MFCS_E_MODE);
    if (err) {
        if (err == MFCS_E_MODE && !a->error_call) {
            a->error_call = name;
            a->error_at = a->base + a->cur;
        }
        mfcs__unpin(slot, MFCS__USE_OWNER);
        return err;
    }
    fr->a = a;
    fr->name = name;
    fr->flags = flags;
    fr->start = a->base + a->cur;
    fr->nested = (flags & MFCS__AR_VALUE) && a->keep > 0;
    /* The outermost call's deadline covers everything it reads, whatever
     * serialize reads inside it (a slow peer cannot stretch it byte by byte). */
    if (a->calls++ == 0 && !(flags & MFCS__AR_QUERY))
        a->deadline = a->file->ops->deadline ? a->file->ops->deadline(a->file) : 0;
    if ((flags & MFCS__AR_VALUE) && a->keep++ == 0) {
        a->mark = a->cur;
        a->vmem = NULL;
        a->vmem_len = a->vdirect = 0;
    }
    if (flags & MFCS__AR_MANY)
        a->keep++;   /* its parts are never outermost */
    return MFCS_OK;
}

mfcs_err mfcs__ar_unconsume(mfcs__archive *a)
{
    if (a->vmem) {
        /* The bytes from mark become: the prefix still there, the value's
         * bytes from its memory, then what was not consumed. */
        size_t at = a->mark + a->vmem_prefix, tail = a->end - a->cur, need = at + a->vmem_len + tail;
        if (need > a->cap) {
            uint8_t *nb = (uint8_t *)realloc(a->buf, need);
            if (!nb) {
                /* The value's bytes cannot come back: the caller's error is
                 * sticky NOMEM, and nothing may point at memory it frees. */
                a->vmem = NULL;
                a->vmem_len = a->vdirect = 0;
                a->cur = a->mark;
                return MFCS_E_NOMEM;
            }
            a->buf = nb;
            a->cap = need;
        }
        memmove(a->buf + at + a->vmem_len, a->buf + a->cur, tail);
        memcpy(a->buf + at, a->vmem, a->vmem_len);
        a->end = need;
        a->vmem = NULL;
        a->vmem_len = a->vdirect = 0;
    }
    a->cur = a->mark;
    return MFCS_OK;
}

mfcs_err mfcs__ar_end(mfcs__ar_frame *fr, mfcs_err err)
{
    mfcs__archive *a = fr->a;
    if (fr->flags & MFCS__AR_MANY)
        a->keep--;
    if ((fr->flags & MFCS__AR_VALUE) && --a->keep == 0) {
        if (err) {
            /* The stream ended before the value's first byte: the peer left
             * between values, which a server must tell from a cut message. */
            if (err == MFCS_E_EOF && a->end == a->mark && !a->vmem_len) {
                err = MFCS_E_END;
                if (a->error == MFCS_E_EOF)
                    a->error = MFCS_E_END;
            }
            /* Nothing of the value is consumed: its bytes, those in the
             * caller's memory included, are unread again. */
            if (mfcs__ar_unconsume(a) != MFCS_OK)
                err = mfcs__ar_fail(a, MFCS_E_NOMEM);
        } else {
            a->base += a->vdirect;   /* consumed without passing the buffer */
        }
        a->vmem = NULL;
        a->vmem_len = a->vdirect = 0;
    } else if (fr->nested && err == MFCS_E_INPROGRESS) {
        /* Refused inside an outer value, which goes on (INPROGRESS is not
         * sticky): this value's bytes are unread again for a retry. They
         * are all in the buffer, kept from the outer value's mark. */
        a->cur = (size_t)(fr->start - a->base);
    }
    a->calls--;
    if (err && a->error && !a->error_call) {
        a->error_call = fr->name;
        a->error_at = fr->start;
    }
    mfcs__unpin(a->slot, MFCS__USE_OWNER);
    return err;
}

/* ---- file calls ---- */

/* The archive's thread enters its file as a user would, so two threads
 * cannot work on one memory file at once through it and around it. */
static mfcs_err enter_file(mfcs__archive *a, mfcs__slot **slot)
{
    void *obj;
    return mfcs__pin(a->file->handle, MFCS__KIND_FILE, MFCS__USE_OWNER, slot, &obj);
}

mfcs_err mfcs__ar_file_fill(mfcs__archive *a, void *buf, size_t need, size_t cap, size_t *got)
{
    mfcs__slot *fs;
    mfcs_err err = enter_file(a, &fs);
    *got = 0;
    if (err == MFCS_E_BADHANDLE)
        return MFCS_E_STATE;   /* the file was closed under it: mfcs_term */
    if (err)
        return err;
    a->busy++;
    err = a->file->ops->fill(a->file, buf, need, cap, got, a->deadline);
    a->busy--;
    mfcs__unpin(fs, MFCS__USE_OWNER);
    return err;
}

mfcs_err mfcs__ar_file_write(mfcs__archive *a, const void *buf, size_t len)
{
    mfcs__slot *fs;
    mfcs_err err = enter_file(a, &fs);
    if (err == MFCS_E_BADHANDLE)
        return MFCS_E_STATE;
    if (err)
        return err;
    a->busy++;
    err = a->file->ops->write(a->file, buf, len);
    a->busy--;
    mfcs__unpin(fs, MFCS__USE_OWNER);
    return err;
}

/* ---- the other calls ---- */

mfcs_err mfcs__ar_flush_store(mfcs__archive *a)
{
    mfcs_err err;
    if (a->cur == 0)
        return MFCS_OK;
    err = mfcs__ar_file_write(a, a->buf, a->cur);
    /* Refused before a byte went (another blocking call on the socket): the
     * bytes stay buffered for a later flush, and the archive is not broken. */
    if (err == MFCS_E_INPROGRESS)
        return err;
    a->base += a->cur;
    a->cur = 0;
    return err ? mfcs__ar_fail(a, err) : MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_archive_flush(mfcs_archive *h)
{
    mfcs__ar_frame fr;
    mfcs__archive *a;
    mfcs_err err = mfcs__ar_begin(&fr, h, 0, __func__);
    if (err)
        return err;
    a = fr.a;
    if (a->loading && a->keep) {
        /* From a serialize or an element callback, inside a value being
         * read: its bytes must stay where the value can give them back. */
        a->calls--;
        mfcs__unpin(a->slot, MFCS__USE_OWNER);
        return MFCS_E_STATE;
    }
    if (a->loading) {
        err = give_back(a);
    } else {
        err = mfcs__ar_flush_store(a);
        if (!err && a->file->ops->flush) {
            mfcs__slot *fs;
            if ((err = enter_file(a, &fs)) == MFCS_OK) {
                err = a->file->ops->flush(a->file);
                mfcs__unpin(fs, MFCS__USE_OWNER);
            }
        }
    }
    if (err && err != MFCS_E_INPROGRESS)   /* refused: nothing lost, flush again later */
        err = mfcs__ar_fail(a, err);
    return mfcs__ar_end(&fr, err);
}

static mfcs_err finish(mfcs_archive *h, int write_out)
{
    mfcs__archive *a;
    mfcs__slot *slot;
    int how = MFCS__USE_OWNER;
    mfcs_err err = mfcs__pin(h, MFCS__KIND_ARCHIVE, how, &slot, (void **)&a);
    if (err == MFCS_E_WRONGTHREAD) {
        /* On a socket file whose socket is gone the archive belongs to no
         * thread any more (file.c): any thread may close it. */
        how = MFCS__USE_ANY;
        if ((err = mfcs__pin(h, MFCS__KIND_ARCHIVE, how, &slot, (void **)&a)) != MFCS_OK)
            return err;
        if (!a->file->ops->usable || a->file->ops->usable(a->file) != MFCS_E_STATE) {
            mfcs__unpin(slot, how);
            return MFCS_E_WRONGTHREAD;
        }
    } else if (err) {
        return err;
    }
    /* Freed under its own wait, or inside one of its own objects' create,
     * serialize or destroy, it would be used again when they return. */
    if (a->busy > (unsigned)a->window) {   /* a file call is under way, beside any window */
        mfcs__unpin(slot, how);
        return MFCS_E_INPROGRESS;
    }
    if (a->in_callback) {
        mfcs__unpin(slot, how);
        return MFCS_E_STATE;
    }
    /* A window still open ends here: what it held back is not written,
     * and its pin keeps the buffer until mfcs_archive_window_close. */
    err = MFCS_OK;
    if (how == MFCS__USE_ANY) {
        /* Its socket is gone: nothing can be handed back or written, and
         * buffered bytes that never went are reported, not dropped quietly. */
        if (!a->loading && write_out && a->cur)
            err = MFCS_E_STATE;
    } else if (a->loading) {
        err = give_back(a);
    } else if (write_out && !a->error) {
        err = mfcs__ar_flush_store(a);
        if (!err && a->file->ops->flush)
            err = a->file->ops->flush(a->file);
    }
    if (a->error)
        err = a->error;
    mfcs__atomic_dec(&a->file->archives);
    mfcs__handle_kill(slot);
    mfcs__unpin(slot, how);   /* frees it (or the last pin does: an open window's) */
    return write_out ? err : MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_archive_close(mfcs_archive *h)
{
    return finish(h, 1);
}

mfcs_err MFCS_CALL mfcs_archive_abort(mfcs_archive *h)
{
    return finish(h, 0);
}

/* The queries answer whatever the archive's state, sticky error included. */
#define QUERY(h, fr, err)                                                    \
    mfcs__ar_frame fr;                                                       \
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_QUERY, __func__);         \
    if (err)                                                                 \
        return err

mfcs_err MFCS_CALL mfcs_archive_error(mfcs_archive *h, mfcs_err *first_error)
{
    QUERY(h, fr, err);
    if (!first_error)
        err = MFCS_E_INVALIDARG;
    else
        *first_error = fr.a->error;
    fr.a->calls--;
    mfcs__unpin(fr.a->slot, MFCS__USE_OWNER);
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_error_detail(mfcs_archive *h, mfcs_err *first_error,
                                             const char **call, uint64_t *offset)
{
    QUERY(h, fr, err);
    if (first_error)
        *first_error = fr.a->error;
    if (call)
        *call = fr.a->error ? fr.a->error_call : NULL;
    if (offset)
        *offset = fr.a->error ? fr.a->error_at : 0;
    fr.a->calls--;
    mfcs__unpin(fr.a->slot, MFCS__USE_OWNER);
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_is_loading(mfcs_archive *h, int *yes)
{
    QUERY(h, fr, err);
    if (!yes)
        err = MFCS_E_INVALIDARG;
    else
        *yes = fr.a->loading;
    fr.a->calls--;
    mfcs__unpin(fr.a->slot, MFCS__USE_OWNER);
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_is_buffer_empty(mfcs_archive *h, int *yes)
{
    QUERY(h, fr, err);
    if (!yes)
        err = MFCS_E_INVALIDARG;
    else
        *yes = fr.a->loading ? fr.a->cur == fr.a->end : fr.a->cur == 0;
    fr.a->calls--;
    mfcs__unpin(fr.a->slot, MFCS__USE_OWNER);
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_set_limits(mfcs_archive *h, size_t max_string_bytes, uint64_t max_count)
{
    QUERY(h, fr, err);
    fr.a->max_string = max_string_bytes ? max_string_bytes : DEFAULT_MAX_STRING;
    fr.a->max_count = max_count ? max_count : DEFAULT_MAX_COUNT;
    fr.a->calls--;
    mfcs__unpin(fr.a->slot, MFCS__USE_OWNER);
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_set_limit(mfcs_archive *h, int which, uint64_t value, uint64_t *old)
{
    mfcs__archive *a;
    uint64_t prev = 0;
    QUERY(h, fr, err);
    a = fr.a;
    switch (which) {
    case MFCS_LIMIT_STRING:
        prev = a->max_string;
        if (value > SIZE_MAX)
            value = SIZE_MAX;
        a->max_string = value ? (size_t)value : DEFAULT_MAX_STRING;
        break;
    case MFCS_LIMIT_COUNT:
        prev = a->max_count;
        a->max_count = value ? value : DEFAULT_MAX_COUNT;
        break;
    case MFCS_LIMIT_DEPTH:
        prev = a->max_depth;
        a->max_depth = value ? (value > 0xFFFFFFFFu ? 0xFFFFFFFFu : (unsigned)value) : DEFAULT_MAX_DEPTH;
        break;
    case MFCS_LIMIT_OBJECTS:
        prev = a->max_objects;
        a->max_objects = value ? value : DEFAULT_MAX_OBJECTS;
        break;
    default:
        err = MFCS_E_INVALIDARG;
    }
    if (!err && old)
        *old = prev;
    a->calls--;
    mfcs__unpin(a->slot, MFCS__USE_OWNER);
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_set_mfc_version(mfcs_archive *h, unsigned version)
{
    QUERY(h, fr, err);
    if (version < MFCS_MFC_4)
        err = MFCS_E_INVALIDARG;
    else
        fr.a->mfc_version = version;
    fr.a->calls--;
    mfcs__unpin(fr.a->slot, MFCS__USE_OWNER);
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_mfc_version(mfcs_archive *h, unsigned *version)
{
    QUERY(h, fr, err);
    if (!version)
        err = MFCS_E_INVALIDARG;
    else
        *version = fr.a->mfc_version;
    fr.a->calls--;
    mfcs__unpin(fr.a->slot, MFCS__USE_OWNER);
    return err;
}

/* ---- buffer ---- */

/* Loading: reads more into the buffer, keeping what may not be dropped
 * (from cur, or from mark while a value is under way) and growing it when
 * at least n unread bytes must fit. *got 0 with MFCS_OK is the end of the
 * stream. Errors are not made sticky here. */
static mfcs_err pull(mfcs__archive *a, size_t n, size_t *got)
{
    size_t from = a->keep ? a->mark : a->cur;
    if (from) {
        memmove(a->buf, a->buf + from, a->end - from);
        a->end -= from;
        a->cur -= from;
        if (a->keep)
            a->mark -= from;
        a->base += from;
    }
    if (a->cap - a->cur < n) {
        size_t ncap = a->cap * 2 > a->cur + n ? a->cap * 2 : a->cur + n;
        uint8_t *nb = (uint8_t *)realloc(a->buf, ncap);
        if (!nb)
            return MFCS_E_NOMEM;
        a->buf = nb;
        a->cap = ncap;
    }
    {
        size_t have = a->end - a->cur;
        mfcs_err err = mfcs__ar_file_fill(a, a->buf + a->end, n > have ? n - have : 1,
                                          a->cap - a->end, got);
        /* Bytes that came before an error are the stream's: they stay. */
        a->end += *got;
        return err;
    }
}

mfcs_err mfcs__ar_fill(mfcs__archive *a, size_t n)
{
    while (a->end - a->cur < n) {
        size_t got = 0;
        mfcs_err err = pull(a, n, &got);
        if (err == MFCS_E_INPROGRESS)
            return err;   /* refused before anything was read: not sticky */
        if (err)
            return mfcs__ar_fail(a, err);
        if (got == 0)
            return mfcs__ar_fail(a, MFCS_E_EOF);
    }
    return MFCS_OK;
}

mfcs_err mfcs__ar_put(mfcs__archive *a, const void *p, size_t n)
{
    const uint8_t *src = (const uint8_t *)p;
    size_t room = a->cap - a->cur, direct;
    mfcs_err err;

    if (n < room || (n == room && a->cur)) {
        memcpy(a->buf + a->cur, src, n);
        a->cur += n;
        return MFCS_OK;
    }
    /* As CArchive::Write: fill the buffer, flush it, send whole buffer
     * sizes straight to the file, keep the rest. An empty buffer is not
     * filled first: the same bytes go out in the same order, without a
     * copy of each block that is at least a buffer long. */
    if (a->cur) {
        memcpy(a->buf + a->cur, src, room);
        a->cur = a->cap;
        src += room;
        n -= room;
        if ((err = mfcs__ar_flush_store(a)) != MFCS_OK)
            return mfcs__ar_fail(a, err);   /* part of the value is buffered: broken */
    }
    direct = n - n % a->cap;
    if (direct) {
        if ((err = mfcs__ar_file_write(a, src, direct)) != MFCS_OK) {
            /* Refused before a byte went, with nothing of the value
             * buffered: the archive is whole, the call may be repeated. */
            if (err == MFCS_E_INPROGRESS && src == (const uint8_t *)p)
                return err;
            return mfcs__ar_fail(a, err);
        }
        a->base += direct;
        src += direct;
        n -= direct;
    }
    memcpy(a->buf, src, n);
    a->cur = n;
    return MFCS_OK;
}

mfcs_err mfcs__ar_get(mfcs__archive *a, void *dst, size_t n, size_t *got_out, int direct)
{
    uint8_t *d = (uint8_t *)dst;
    size_t total, take;
    mfcs_err err = MFCS_OK;

    /* Buffered bytes first. */
    take = a->end - a->cur < n ? a->end - a->cur : n;
    if (d)
        memcpy(d, a->buf + a->cur, take);
    a->cur += take;
    total = take;
    /* A large remainder goes straight to the caller's memory in one request
     * when nothing needs the bytes kept in the buffer, or that memory keeps
     * them (an outermost string or array: mfcs__ar_value_memory). */
    if (d && n - total >= a->cap && (!a->keep || (direct && a->vmem))) {
        size_t got = 0;
        err = mfcs__ar_file_fill(a, d + total, n - total, n - total, &got);
        if (a->keep)
            a->vdirect += got;        /* counted into base when the value is done */
        else
            a->base += got;           /* stream bytes that never pass the buffer */
        total += got;     /* an error may come after some bytes: they are the caller's */
        if (err || got == 0)
            goto out;
    }
    /* The rest through the buffer: only what is missing is waited for. */
    while (total < n) {
        size_t want = n - total, got = 0;
        if (!a->keep && want > a->cap)
            want = a->cap;
        err = pull(a, want, &got);
        take = a->end - a->cur < n - total ? a->end - a->cur : n - total;
        if (d)
            memcpy(d + total, a->buf + a->cur, take);
        a->cur += take;
        total += take;
        if (err || got == 0)
            break;
    }
out:
    *got_out = total;
    if (err == MFCS_E_INPROGRESS && total == 0)
        return err;
    return err ? mfcs__ar_fail(a, err) : MFCS_OK;
}

#define GROW_FIRST 4096

mfcs_err mfcs__ar_get_grow(mfcs__archive *a, size_t total, size_t spare, uint8_t **out)
{
    size_t have = 0, cap = 0, prefix = a->cur - a->mark;   /* the value's bytes before these */
    uint8_t *p = NULL;
    mfcs_err err = MFCS_OK;
    if (total > SIZE_MAX - spare)
        return mfcs__ar_fail(a, MFCS_E_LIMIT);
    while (!err && have < total) {
        size_t step, got = 0;
        int direct;
        if (have == cap) {
            size_t ncap = cap ? cap * 2 : GROW_FIRST;
            uint8_t *np;
            if (ncap > total || ncap < cap)
                ncap = total;
            if (!(np = (uint8_t *)realloc(p, ncap + spare))) {
                err = mfcs__ar_fail(a, MFCS_E_NOMEM);
                break;
            }
            p = np;
            cap = ncap;
        }
        step = cap - have;
        direct = mfcs__ar_value_memory(a, p, have, prefix);
        err = mfcs__ar_get(a, p + have, step, &got, direct);
        have += got;
        if (direct)
            a->vmem_len = have;
        if (!err && got < step)
            err = mfcs__ar_fail(a, MFCS_E_EOF);
    }
    if (err) {
        /* Its bytes are unread again before their memory goes. */
        if (a->vmem && mfcs__ar_unconsume(a) != MFCS_OK)
            err = mfcs__ar_fail(a, MFCS_E_NOMEM);
        free(p);
        return err;
    }
    /* The memory stays the value's (registered) until the call ends: a
     * later step that fails gives the bytes back before it frees it
     * (mfcs__ar_value_failed). */
    if (!p && !(p = (uint8_t *)malloc(spare ? spare : 1)))   /* nothing to read */
        return mfcs__ar_fail(a, MFCS_E_NOMEM);
    memset(p + total, 0, spare);
    *out = p;
    return MFCS_OK;
}

/* ---- primitives ---- */

mfcs_err mfcs__ar_u8(mfcs__archive *a, uint8_t *v)
{
    mfcs_err err = mfcs__ar_need(a, 1);
    if (err)
        return err;
    *v = a->buf[a->cur++];
    return MFCS_OK;
}

mfcs_err mfcs__ar_u16(mfcs__archive *a, uint16_t *v)
{
    mfcs_err err = mfcs__ar_need(a, 2);
    if (err)
        return err;
    *v = mfcs__rd16(a->buf + a->cur);
    a->cur += 2;
    return MFCS_OK;
}

mfcs_err mfcs__ar_u32(mfcs__archive *a, uint32_t *v)
{
    mfcs_err err = mfcs__ar_need(a, 4);
    if (err)
        return err;
    *v = mfcs__rd32(a->buf + a->cur);
    a->cur += 4;
    return MFCS_OK;
}

mfcs_err mfcs__ar_u64(mfcs__archive *a, uint64_t *v)
{
    mfcs_err err = mfcs__ar_need(a, 8);
    if (err)
        return err;
    *v = mfcs__rd64(a->buf + a->cur);
    a->cur += 8;
    return MFCS_OK;
}

/* One write and one read function per type, all the same shape: the value
 * goes through its unsigned twin of the same width (floats by their bits). */
#define STORE_BITS(bits, p, u) MFCS__STORE##bits(p, u)
#define MFCS__STORE8(p, u)  ((p)[0] = (u))
#define MFCS__STORE16(p, u) mfcs__le16((p), (u))
#define MFCS__STORE32(p, u) mfcs__le32((p), (u))
#define MFCS__STORE64(p, u) mfcs__le64((p), (u))
#define MFCS__LOAD8(p)  ((p)[0])
#define MFCS__LOAD16(p) mfcs__rd16(p)
#define MFCS__LOAD32(p) mfcs__rd32(p)
#define MFCS__LOAD64(p) mfcs__rd64(p)

/* Each primitive is a fast path with no call in it, for a value that fits
 * the buffer, and a slow path (flush or fill first, or find the error) that
 * it tail-calls: the slow path is taken once per buffer, the fast one once
 * per value. The fast paths sit in their own section (MFCS__FAST), which
 * is what lets another thread know when this one is out of them. */
#define PRIMITIVE(name, ctype, bits, to_bits, from_bits)                              \
    static MFCS__NOINLINE mfcs_err write_##name##_slow(mfcs_archive *h, ctype v)      \
    {                                                                                 \
        mfcs__ar_frame fr;                                                            \
        mfcs__archive *a;                                                             \
        uint##bits##_t u;                                                             \
        mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, "mfcs_archive_write_" #name); \
        if (err)                                                                      \
            return err;                                                               \
        a = fr.a;                                                                     \
        if (a->cap - a->cur < bits / 8 && (err = mfcs__ar_flush_store(a)) != MFCS_OK) \
            return mfcs__ar_end(&fr, err);                                            \
        to_bits;                                                                      \
        STORE_BITS(bits, a->buf + a->cur, u);                                         \
        a->cur += bits / 8;                                                           \
        return mfcs__ar_end(&fr, MFCS_OK);                                            \
    }                                                                                 \
    MFCS__FAST mfcs_err MFCS_CALL mfcs_archive_write_##name(mfcs_archive *h, ctype v) \
    {                                                                                 \
        mfcs__archive *a = mfcs__ar_fast(h, 0);                                       \
        uint##bits##_t u;                                                             \
        if (!a || a->cap - a->cur < bits / 8)                                         \
            return write_##name##_slow(h, v);                                         \
        to_bits;                                                                      \
        STORE_BITS(bits, a->buf + a->cur, u);                                         \
        a->cur += bits / 8;                                                           \
        return MFCS_OK;                                                               \
    }                                                                                 \
    static MFCS__NOINLINE mfcs_err read_##name##_slow(mfcs_archive *h, ctype *out)    \
    {                                                                                 \
        mfcs__ar_frame fr;                                                            \
        mfcs__archive *a;                                                             \
        uint##bits##_t u;                                                             \
        ctype v;                                                                      \
        mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE,         \
                                      "mfcs_archive_read_" #name);                    \
        if (err)                                                                      \
            return err;                                                               \
        a = fr.a;                                                                     \
        if ((err = mfcs__ar_need(a, bits / 8)) != MFCS_OK)                            \
            return mfcs__ar_end(&fr, err);                                            \
        u = MFCS__LOAD##bits(a->buf + a->cur);                                        \
        a->cur += bits / 8;                                                           \
        from_bits;                                                                    \
        if (out)                                                                      \
            *out = v;                                                                 \
        return mfcs__ar_end(&fr, MFCS_OK);                                            \
    }                                                                                 \
    MFCS__FAST mfcs_err MFCS_CALL mfcs_archive_read_##name(mfcs_archive *h, ctype *out) \
    {                                                                                 \
        mfcs__archive *a = mfcs__ar_fast(h, 1);                                       \
        uint##bits##_t u;                                                             \
        ctype v;                                                                      \
        if (!a || a->end - a->cur < bits / 8)                                         \
            return read_##name##_slow(h, out);                                        \
        u = MFCS__LOAD##bits(a->buf + a->cur);                                        \
        a->cur += bits / 8;                                                           \
        from_bits;                                                                    \
        if (out)                                                                      \
            *out = v;                                                                 \
        return MFCS_OK;                                                               \
    }

#define CAST_TO(bits)   u = (uint##bits##_t)v
#define CAST_FROM(type) v = (type)u
#define BITS_TO(bits)   memcpy(&u, &v, sizeof u)
#define BITS_FROM       memcpy(&v, &u, sizeof v)

PRIMITIVE(u8, uint8_t, 8, CAST_TO(8), CAST_FROM(uint8_t))
PRIMITIVE(i8, int8_t, 8, CAST_TO(8), CAST_FROM(int8_t))
PRIMITIVE(u16, uint16_t, 16, CAST_TO(16), CAST_FROM(uint16_t))
PRIMITIVE(i16, int16_t, 16, CAST_TO(16), CAST_FROM(int16_t))
PRIMITIVE(u32, uint32_t, 32, CAST_TO(32), CAST_FROM(uint32_t))
PRIMITIVE(i32, int32_t, 32, CAST_TO(32), CAST_FROM(int32_t))
PRIMITIVE(u64, uint64_t, 64, CAST_TO(64), CAST_FROM(uint64_t))
PRIMITIVE(i64, int64_t, 64, CAST_TO(64), CAST_FROM(int64_t))
PRIMITIVE(f32, float, 32, BITS_TO(32), BITS_FROM)
PRIMITIVE(f64, double, 64, BITS_TO(64), BITS_FROM)
/* bool: one byte, 0 or 1 on the way out, any nonzero byte is 1 on the way in. */
PRIMITIVE(bool, int, 8, u = (uint8_t)(v != 0), v = u != 0)

/* ---- raw bytes ---- */

mfcs_err MFCS_CALL mfcs_archive_write(mfcs_archive *h, const void *buf, size_t len)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    if (err)
        return err;
    if (!buf && len)
        err = mfcs__ar_fail(fr.a, MFCS_E_INVALIDARG);
    else
        err = mfcs__ar_put(fr.a, buf, len);
    return mfcs__ar_end(&fr, err);
}

mfcs_err MFCS_CALL mfcs_archive_read(mfcs_archive *h, void *buf, size_t len, size_t *nread)
{
    mfcs__ar_frame fr;
    size_t got = 0;
    /* Not a value: bytes it read before an error are the caller's (nread). */
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD, __func__);
    if (nread)
        *nread = 0;
    if (err)
        return err;
    err = mfcs__ar_get(fr.a, buf, len, &got, 0);
    if (nread)
        *nread = got;
    return mfcs__ar_end(&fr, err);
}

/* ---- counts (WriteCount / ReadCount) ---- */

mfcs_err mfcs__ar_put_count(mfcs__archive *a, uint64_t n)
{
    uint8_t b[14];
    size_t k;
    if (n < 0xFFFF) {
        mfcs__le16(b, (uint16_t)n);
        k = 2;
    } else if (n < 0xFFFFFFFFu) {
        mfcs__le16(b, 0xFFFF);
        mfcs__le32(b + 2, (uint32_t)n);
        k = 6;
    } else {
        mfcs__le16(b, 0xFFFF);
        mfcs__le32(b + 2, 0xFFFFFFFFu);
        mfcs__le64(b + 6, n);
        k = 14;
    }
    return mfcs__ar_put(a, b, k);
}

mfcs_err MFCS_CALL mfcs_archive_write_count(mfcs_archive *h, uint64_t n)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    return err ? err : mfcs__ar_end(&fr, mfcs__ar_put_count(fr.a, n));
}

mfcs_err mfcs__ar_count(mfcs__archive *a, uint64_t *out)
{
    uint16_t w;
    uint32_t d;
    uint64_t n;
    mfcs_err err;
    if ((err = mfcs__ar_u16(a, &w)) != MFCS_OK)
        return err;
    n = w;
    if (w == 0xFFFF) {
        if ((err = mfcs__ar_u32(a, &d)) != MFCS_OK)
            return err;
        n = d;
        if (d == 0xFFFFFFFFu && (err = mfcs__ar_u64(a, &n)) != MFCS_OK)
            return err;
    }
    if (n > a->max_count)
        return mfcs__ar_fail(a, MFCS_E_LIMIT);
    *out = n;
    return MFCS_OK;
}

mfcs_err mfcs__ar_value_failed(mfcs__archive *a, mfcs_err err)
{
    if (a->vmem && mfcs__ar_unconsume(a) != MFCS_OK)
        err = MFCS_E_NOMEM;
    return mfcs__ar_fail(a, err);
}

mfcs_err mfcs__ar_count_size(mfcs__archive *a, size_t *n)
{
    uint64_t c;
    mfcs_err err = mfcs__ar_count(a, &c);
    if (err)
        return err;
    if (c > SIZE_MAX)
        return mfcs__ar_fail(a, MFCS_E_LIMIT);
    *n = (size_t)c;
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_archive_read_count(mfcs_archive *h, uint64_t *out)
{
    mfcs__ar_frame fr;
    uint64_t n = 0;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE, __func__);
    if (err)
        return err;
    if ((err = mfcs__ar_count(fr.a, &n)) == MFCS_OK && out)
        *out = n;
    return mfcs__ar_end(&fr, err);
}
