/*
 * archive_window.c: values at MFC's inline speed. MFC's `ar << dw` is an
 * inline compare and store into the archive's buffer, with a call only
 * when the buffer must be flushed or filled; a C program pays a DLL call
 * and a handle check per value instead. A window hands the caller that same
 * buffer (mfcsock/archive.h's inline mfcs_window_put_* and _get_* work on
 * it), and the array calls move n values in one call.
 *
 * A window holds a pin on its archive from open to close (handle.c), so the
 * buffer it points into stays allocated while it is open, even after the
 * archive was closed or mfcs_term ran; every other call on the archive is
 * refused meanwhile (archive.h: window, busy), so nothing else moves the
 * buffer under it.
 */
#include "archive.h"

#include <stdlib.h>

/* ---- windows ---- */

/* The window's archive, pinned for this call, with its own pin checked: a
 * window that is not open on a live or dying archive gets an error and no
 * pin is touched. */
static mfcs_err window_archive(const mfcs_window *w, mfcs__archive **out, mfcs__slot **slot)
{
    mfcs__archive *a;
    mfcs_err err;
    if (!w->ar)
        return MFCS_E_STATE;   /* never opened, or closed */
    err = mfcs__pin(w->ar, MFCS__KIND_ARCHIVE, MFCS__USE_DYING, slot, (void **)&a);
    if (err)
        return err;
    if (!a->window || a->window_id != w->id || a->window_tid != mfcs__thread_id()) {
        mfcs__unpin(*slot, MFCS__USE_DYING);
        return MFCS_E_STATE;
    }
    *out = a;
    return MFCS_OK;
}

/* The window's position back into the archive, if it is one the archive
 * handed out (a program that moved it elsewhere gets it ignored). */
static void take_position(mfcs__archive *a, const mfcs_window *w)
{
    const uint8_t *p = (const uint8_t *)w->cur;
    size_t limit = a->loading ? a->end : a->cap;
    if (p >= a->buf + a->cur && p <= a->buf + limit)
        a->cur = (size_t)(p - a->buf);
}

/* Makes room for (storing) or brings (loading) at least need bytes at cur,
 * growing the buffer when need is larger than it is. A loading window that
 * had read everything it held meets the end of the stream between values
 * (MFCS_E_END), one holding part of a value inside it (MFCS_E_EOF). */
static mfcs_err make_room(mfcs__archive *a, size_t need)
{
    mfcs_err err;
    if (a->loading) {
        int empty = a->cur == a->end;
        err = mfcs__ar_need(a, need);
        if (err == MFCS_E_EOF && empty && a->cur == a->end && a->error == MFCS_E_EOF)
            err = a->error = MFCS_E_END;
        return err;
    }
    if (a->cap - a->cur >= need)
        return MFCS_OK;
    if ((err = mfcs__ar_flush_store(a)) != MFCS_OK)
        return err;
    if (need > a->cap) {
        uint8_t *nb = (uint8_t *)realloc(a->buf, need);
        if (!nb)
            return mfcs__ar_fail(a, MFCS_E_NOMEM);
        a->buf = nb;
        a->cap = need;
    }
    return MFCS_OK;
}

/* Points the window at its spare bytes: the inline functions have no
 * failure branch, so a value put or got there goes nowhere (gets read 0),
 * and the next one comes back here. */
static void park(mfcs_window *w)
{
    memset(w->spare, 0, sizeof w->spare);
    w->cur = w->end = w->spare;
}

static void show(const mfcs__archive *a, mfcs_window *w)
{
    w->cur = a->buf + a->cur;
    w->end = a->buf + (a->loading ? a->end : a->cap);
}

mfcs_err MFCS_CALL mfcs_archive_window_open(mfcs_archive *h, size_t need, mfcs_window *w)
{
    mfcs__ar_frame fr;
    mfcs__archive *a;
    mfcs_err err;
    if (!w)
        return MFCS_E_INVALIDARG;
    memset(w, 0, sizeof *w);
    park(w);
    if ((err = mfcs__ar_begin(&fr, h, 0, __func__)) != MFCS_OK) {
        w->err = err;
        return err;
    }
    a = fr.a;
    /* A value read through the window is consumed as the window goes: what
     * was taken before a failure is the caller's to count (w->cur). */
    if ((err = make_room(a, need)) != MFCS_OK) {
        w->err = err;
        return mfcs__ar_end(&fr, err);
    }
    /* The window's own pin, until mfcs_archive_window_close. */
    {
        mfcs__slot *slot;
        void *obj;
        mfcs__pin(h, MFCS__KIND_ARCHIVE, MFCS__USE_ANY, &slot, &obj);
    }
    a->window = 1;
    a->window_id++;
    a->window_tid = mfcs__thread_id();
    a->busy++;
    w->ar = h;
    w->id = a->window_id;
    show(a, w);
    return mfcs__ar_end(&fr, MFCS_OK);
}

/* Ends a window that failed: nothing more goes through it but more, which
 * says the same error. */
static mfcs_err fail(mfcs_window *w, mfcs_err err)
{
    if (!w->err)
        w->err = err;
    park(w);
    return w->err;
}

mfcs_err MFCS_CALL mfcs_archive_window_more(mfcs_window *w, size_t need)
{
    mfcs__archive *a;
    mfcs__slot *slot;
    mfcs_err err;
    if (!w)
        return MFCS_E_INVALIDARG;
    if (w->err)
        return fail(w, w->err);
    if ((err = window_archive(w, &a, &slot)) != MFCS_OK)
        return fail(w, err);
    if (!(mfcs__slot_live(slot))) {
        /* Closed or aborted (or mfcs_term) while the window was open: the
         * buffer stays until the window closes, but nothing goes anywhere. */
        mfcs__unpin(slot, MFCS__USE_DYING);
        return fail(w, MFCS_E_BADHANDLE);
    }
    take_position(a, w);
    /* Each refill waits as one call does: the socket's timeout from now. */
    a->deadline = a->file->ops->deadline ? a->file->ops->deadline(a->file) : 0;
    err = make_room(a, need);
    if (err) {
        if (a->error && !a->error_call) {
            a->error_call = "mfcs_archive_window_more";
            a->error_at = a->base + a->cur;
        }
        mfcs__unpin(slot, MFCS__USE_DYING);
        return fail(w, err);
    }
    show(a, w);
    mfcs__unpin(slot, MFCS__USE_DYING);
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_archive_window_close(mfcs_window *w)
{
    mfcs__archive *a;
    mfcs__slot *slot;
    mfcs_err err;
    if (!w)
        return MFCS_E_INVALIDARG;
    if ((err = window_archive(w, &a, &slot)) != MFCS_OK) {
        fail(w, err);
        return err;
    }
    if (mfcs__slot_live(slot)) {
        take_position(a, w);
        err = w->err ? w->err : a->error;
    } else {
        err = MFCS_E_BADHANDLE;   /* closed under the window: its bytes went nowhere */
    }
    a->window = 0;
    a->busy--;
    park(w);
    w->ar = NULL;
    mfcs__unpin(slot, MFCS__USE_DYING);   /* this call's */
    mfcs__unpin(slot, MFCS__USE_ANY);     /* the window's: frees an archive closed under it */
    return err;
}

/* ---- arrays ---- */

/* n values of size bytes each, little-endian on the wire. On a
 * little-endian host (every Windows one) they are the caller's bytes as
 * they are: one block through the buffer, or straight to the file. */
static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

static void swap_each(void *p, size_t n, size_t size)
{
    uint8_t *b = (uint8_t *)p;
    size_t i, j;
    for (i = 0; i < n; i++, b += size)
        for (j = 0; j < size / 2; j++) {
            uint8_t t = b[j];
            b[j] = b[size - 1 - j];
            b[size - 1 - j] = t;
        }
}

static mfcs_err write_array(mfcs_archive *h, const void *v, size_t n, size_t size, const char *name)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, name);
    if (err)
        return err;
    if (!v && n)
        return mfcs__ar_end(&fr, mfcs__ar_fail(fr.a, MFCS_E_INVALIDARG));
    if (n > SIZE_MAX / size)
        return mfcs__ar_end(&fr, mfcs__ar_fail(fr.a, MFCS_E_INVALIDARG));
    if (size == 1 || host_is_little_endian()) {
        err = mfcs__ar_put(fr.a, v, n * size);
    } else {
        /* A big-endian host: swapped through a small block at a time. */
        uint8_t tmp[1024];
        const uint8_t *p = (const uint8_t *)v;
        size_t per = sizeof tmp / size, done = 0;
        while (!err && done < n) {
            size_t k = n - done < per ? n - done : per;
            memcpy(tmp, p + done * size, k * size);
            swap_each(tmp, k, size);
            err = mfcs__ar_put(fr.a, tmp, k * size);
            done += k;
        }
    }
    return mfcs__ar_end(&fr, err);
}

static mfcs_err read_array(mfcs_archive *h, void *out, size_t n, size_t size, const char *name)
{
    mfcs__ar_frame fr;
    size_t got = 0, bytes;
    int direct;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE, name);
    if (err)
        return err;
    if ((!out && n) || n > SIZE_MAX / size)
        return mfcs__ar_end(&fr, mfcs__ar_fail(fr.a, MFCS_E_INVALIDARG));
    bytes = n * size;
    /* The values are the caller's memory: a large array may be read
     * straight into it, and is given back from there if the read fails. */
    direct = mfcs__ar_value_memory(fr.a, out, 0, 0);
    err = mfcs__ar_get(fr.a, out, bytes, &got, direct);
    if (direct)
        fr.a->vmem_len = got;
    if (!err && got < bytes)
        err = mfcs__ar_fail(fr.a, MFCS_E_EOF);
    if (!err && size > 1 && !host_is_little_endian())
        swap_each(out, n, size);
    return mfcs__ar_end(&fr, err);
}

#define ARRAY(name, ctype)                                                                        \
    mfcs_err MFCS_CALL mfcs_archive_write_##name##_array(mfcs_archive *ar, const ctype *v, size_t n) \
    {                                                                                             \
        return write_array(ar, v, n, sizeof(ctype), "mfcs_archive_write_" #name "_array");        \
    }                                                                                             \
    mfcs_err MFCS_CALL mfcs_archive_read_##name##_array(mfcs_archive *ar, ctype *out, size_t n)   \
    {                                                                                             \
        return read_array(ar, out, n, sizeof(ctype), "mfcs_archive_read_" #name "_array");        \
    }

ARRAY(u8, uint8_t)
ARRAY(i8, int8_t)
ARRAY(u16, uint16_t)
ARRAY(i16, int16_t)
ARRAY(u32, uint32_t)
ARRAY(i32, int32_t)
ARRAY(u64, uint64_t)
ARRAY(i64, int64_t)
ARRAY(f32, float)
ARRAY(f64, double)
