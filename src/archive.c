/*
 * archive.c: the archive's buffer (MFC's CArchive buffering, arccore.cpp),
 * its life cycle, and the fixed-size values: primitives, counts, raw bytes.
 *
 * Loading never asks the file for more than the value being read is
 * missing, but lets it hand over whatever else has already arrived, up to
 * the buffer's size (file.h's fill(); a socket file's receive takes more,
 * and its socket holds the rest). So a socket archive never hangs on bytes
 * the peer has not sent (MFC <= 6's read-ahead hang, KB Q192704) and yet
 * reads a million u32 values with a few dozen recv calls, not a million
 * (MFC >= 7's exact reads).
 */
#include "archive.h"

#include <stdlib.h>

#define DEFAULT_BUF        4096
#define MIN_BUF            128   /* MFC raises smaller buffers to 128 bytes */
#define DEFAULT_MAX_STRING ((size_t)256 << 20)
#define DEFAULT_MAX_COUNT  0x7FFFFFFFu

/* ---- life cycle ---- */

/* Hands unconsumed loaded bytes back to the file, so nothing is lost. */
static mfcs_err give_back(mfcs__archive *a)
{
    mfcs_err err = MFCS_OK;
    if (a->loading && a->end > a->cur) {
        err = a->file->ops->unread(a->file, a->buf + a->cur, a->end - a->cur);
        a->cur = a->end = 0;
    }
    return err;
}

static void free_archive(mfcs__archive *a)
{
    mfcs__ar_free_maps(a);
    a->file->archives--;
    free(a->buf);
    free(a);
}

/* mfcs_term: free without writing (abort semantics). Called from inside
 * the archive's own wait or serialize, it leaves the archive (and so its
 * file) allocated: the call under way still uses both when mfcs_term
 * returns to it, and then fails. A small leak, for that misuse only. */
static void destroy_archive(void *obj)
{
    mfcs__archive *a = (mfcs__archive *)obj;
    if (a->busy || a->in_serialize)
        return;
    give_back(a);
    free_archive(a);
}

mfcs_err MFCS_CALL mfcs_archive_open(mfcs_archive **out, mfcs_file *fh, int mode, size_t buf_size)
{
    mfcs__file *f;
    mfcs__archive *a;
    mfcs_err err;

    if (!out)
        return MFCS_E_INVALIDARG;
    *out = NULL;
    if ((err = mfcs__file_get(fh, &f)) != MFCS_OK)
        return err;
    if (mode != MFCS_LOAD && mode != MFCS_STORE)
        return MFCS_E_INVALIDARG;
    if (f->ops->check_archive && (err = f->ops->check_archive(f)) != MFCS_OK)
        return err;
    if (buf_size == 0)
        buf_size = DEFAULT_BUF;
    if (buf_size < MIN_BUF)
        buf_size = MIN_BUF;
    a = (mfcs__archive *)calloc(1, sizeof *a);
    if (!a)
        return MFCS_E_NOMEM;
    a->buf = (uint8_t *)malloc(buf_size);
    if (!a->buf) {
        free(a);
        return MFCS_E_NOMEM;
    }
    a->file = f;
    a->loading = mode == MFCS_LOAD;
    a->cap = buf_size;
    a->max_string = DEFAULT_MAX_STRING;
    a->max_count = DEFAULT_MAX_COUNT;
    err = mfcs__handle_alloc(MFCS__KIND_ARCHIVE, a, f->owner, destroy_archive, &a->handle);
    if (err) {
        free(a->buf);
        free(a);
        return err;
    }
    f->archives++;
    *out = (mfcs_archive *)a->handle;
    return MFCS_OK;
}

/* Handle checks for the calls that are not reads or writes. */
static mfcs_err get_archive(mfcs_archive *h, mfcs__archive **out)
{
    return mfcs__handle_get_owned(h, MFCS__KIND_ARCHIVE, (void **)out);
}

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
    a->cur = 0;
    return err ? mfcs__ar_fail(a, err) : MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_archive_flush(mfcs_archive *h)
{
    mfcs__archive *a;
    mfcs_err err = get_archive(h, &a);
    if (err)
        return err;
    if ((err = mfcs__ar_state(a)) != MFCS_OK)
        return err;
    if (a->loading)
        err = give_back(a);
    else if ((err = mfcs__ar_flush_store(a)) == MFCS_OK && a->file->ops->flush)
        err = a->file->ops->flush(a->file);
    if (err == MFCS_E_INPROGRESS)
        return err;   /* nothing was lost: flush again later */
    return err ? mfcs__ar_fail(a, err) : MFCS_OK;
}

static mfcs_err finish(mfcs_archive *h, int write_out)
{
    mfcs__archive *a;
    mfcs_err err = get_archive(h, &a);
    if (err)
        return err;
    /* Freed under its own wait or its own serialize, it would be used
     * again when they return. */
    if (a->busy)
        return MFCS_E_INPROGRESS;
    if (a->in_serialize)
        return MFCS_E_STATE;
    /* The handle dies first: nothing reaches the archive while it goes. */
    mfcs__handle_release(h);
    if (a->loading) {
        err = give_back(a);
    } else if (write_out && !a->error) {
        err = mfcs__ar_flush_store(a);
        if (!err && a->file->ops->flush)
            err = a->file->ops->flush(a->file);
    }
    if (a->error)
        err = a->error;
    free_archive(a);
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

mfcs_err MFCS_CALL mfcs_archive_error(mfcs_archive *h, mfcs_err *first_error)
{
    mfcs__archive *a;
    mfcs_err err = get_archive(h, &a);
    if (err)
        return err;
    if (!first_error)
        return MFCS_E_INVALIDARG;
    *first_error = a->error;
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_archive_is_loading(mfcs_archive *h, int *yes)
{
    mfcs__archive *a;
    mfcs_err err = get_archive(h, &a);
    if (err)
        return err;
    if (!yes)
        return MFCS_E_INVALIDARG;
    *yes = a->loading;
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_archive_is_buffer_empty(mfcs_archive *h, int *yes)
{
    mfcs__archive *a;
    mfcs_err err = get_archive(h, &a);
    if (err)
        return err;
    if (!yes)
        return MFCS_E_INVALIDARG;
    *yes = a->loading ? a->cur == a->end : a->cur == 0;
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_archive_set_limits(mfcs_archive *h, size_t max_string_bytes, uint64_t max_count)
{
    mfcs__archive *a;
    mfcs_err err = get_archive(h, &a);
    if (err)
        return err;
    a->max_string = max_string_bytes ? max_string_bytes : DEFAULT_MAX_STRING;
    a->max_count = max_count ? max_count : DEFAULT_MAX_COUNT;
    return MFCS_OK;
}

/* ---- buffer ---- */

mfcs_err mfcs__ar_fill(mfcs__archive *a, size_t n)
{
    size_t have = a->end - a->cur;
    /* Keep the unread bytes, at the front. */
    if (a->cur) {
        memmove(a->buf, a->buf + a->cur, have);
        a->cur = 0;
        a->end = have;
    }
    while (have < n) {
        size_t got = 0;
        mfcs_err err = mfcs__ar_file_fill(a, a->buf + have, n - have, a->cap - have, &got);
        if (err)
            return mfcs__ar_fail(a, err);
        if (got == 0)
            return mfcs__ar_fail(a, MFCS_E_EOF);
        have += got;
        a->end = have;
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
        src += direct;
        n -= direct;
    }
    memcpy(a->buf, src, n);
    a->cur = n;
    return MFCS_OK;
}

mfcs_err mfcs__ar_get(mfcs__archive *a, void *dst, size_t n, size_t *got_out)
{
    uint8_t *d = (uint8_t *)dst;
    size_t total = 0, take;
    mfcs_err err = MFCS_OK;

    /* Buffered bytes first. */
    take = a->end - a->cur < n ? a->end - a->cur : n;
    if (d)
        memcpy(d, a->buf + a->cur, take);
    a->cur += take;
    total = take;
    /* Large remainders go straight to the caller's memory, in one request. */
    while (d && n - total >= a->cap) {
        size_t got = 0;
        err = mfcs__ar_file_fill(a, d + total, n - total, n - total, &got);
        total += got;   /* an error may come after some bytes: they are the caller's */
        if (err || got == 0)
            goto out;
    }
    /* The rest through the buffer: only what is missing is waited for. */
    while (total < n) {
        size_t want = n - total < a->cap ? n - total : a->cap, got = 0;
        a->cur = a->end = 0;
        err = mfcs__ar_file_fill(a, a->buf, want, a->cap, &got);
        a->end = got;
        take = got < n - total ? got : n - total;
        if (d)
            memcpy(d + total, a->buf, take);
        a->cur = take;
        total += take;
        if (err || got == 0)
            goto out;
    }
out:
    *got_out = total;
    return err ? mfcs__ar_fail(a, err) : MFCS_OK;
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
 * per value. */
#define PRIMITIVE(name, ctype, bits, to_bits, from_bits)                              \
    static MFCS__NOINLINE mfcs_err write_##name##_slow(mfcs_archive *h, ctype v)      \
    {                                                                                 \
        mfcs__archive *a;                                                             \
        mfcs_err err = mfcs__ar_enter(h, 0, &a);                                      \
        uint##bits##_t u;                                                             \
        if (err)                                                                      \
            return err;                                                               \
        if (a->cap - a->cur < bits / 8 && (err = mfcs__ar_flush_store(a)) != MFCS_OK) \
            return err;                                                               \
        to_bits;                                                                      \
        STORE_BITS(bits, a->buf + a->cur, u);                                         \
        a->cur += bits / 8;                                                           \
        return MFCS_OK;                                                               \
    }                                                                                 \
    mfcs_err MFCS_CALL mfcs_archive_write_##name(mfcs_archive *h, ctype v)           \
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
        mfcs__archive *a;                                                             \
        mfcs_err err = mfcs__ar_enter(h, 1, &a);                                      \
        uint##bits##_t u;                                                             \
        ctype v;                                                                      \
        if (err)                                                                      \
            return err;                                                               \
        if ((err = mfcs__ar_need(a, bits / 8)) != MFCS_OK)                            \
            return err;                                                               \
        u = MFCS__LOAD##bits(a->buf + a->cur);                                        \
        a->cur += bits / 8;                                                           \
        from_bits;                                                                    \
        if (out)                                                                      \
            *out = v;                                                                 \
        return MFCS_OK;                                                               \
    }                                                                                 \
    mfcs_err MFCS_CALL mfcs_archive_read_##name(mfcs_archive *h, ctype *out)         \
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
    mfcs__archive *a;
    mfcs_err err = mfcs__ar_enter(h, 0, &a);
    if (err)
        return err;
    if (!buf && len)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    return mfcs__ar_put(a, buf, len);
}

mfcs_err MFCS_CALL mfcs_archive_read(mfcs_archive *h, void *buf, size_t len, size_t *nread)
{
    mfcs__archive *a;
    size_t got = 0;
    mfcs_err err = mfcs__ar_enter(h, 1, &a);
    if (nread)
        *nread = 0;
    if (err)
        return err;
    err = mfcs__ar_get(a, buf, len, &got);
    if (nread)
        *nread = got;
    return err;
}

/* ---- counts (WriteCount / ReadCount) ---- */

mfcs_err MFCS_CALL mfcs_archive_write_count(mfcs_archive *h, uint64_t n)
{
    mfcs__archive *a;
    uint8_t b[14];
    size_t k;
    mfcs_err err = mfcs__ar_enter(h, 0, &a);
    if (err)
        return err;
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

mfcs_err MFCS_CALL mfcs_archive_read_count(mfcs_archive *h, uint64_t *out)
{
    mfcs__archive *a;
    uint16_t w;
    uint32_t d;
    uint64_t n;
    mfcs_err err = mfcs__ar_enter(h, 1, &a);
    if (err)
        return err;
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
    if (out)
        *out = n;
    return MFCS_OK;
}
