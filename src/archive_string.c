/*
 * archive_string.c: CString serialization (AfxWriteStringLength /
 * AfxReadStringLength) in both widths, and text lines (WriteString /
 * ReadString).
 *
 * A length prefix is a claim, not a fact: the reader checks it against the
 * archive's limit and then grows its memory as the characters actually
 * arrive, so a peer announcing 4 GiB and sending 10 bytes costs 10 bytes.
 */
#include "archive.h"
#include "text.h"

#include <stdlib.h>

#define GROW_FIRST 4096

/* ---- writing ---- */

static mfcs_err put_header(mfcs__archive *a, uint64_t n, int wide)
{
    uint8_t b[18];
    size_t k = 0;
    if (wide) {            /* the Unicode marker: BYTE FF, WORD FFFE */
        b[k++] = 0xFF;
        mfcs__le16(b + k, 0xFFFE);
        k += 2;
    }
    if (n < 0xFF) {
        b[k++] = (uint8_t)n;
    } else if (n < 0xFFFE) {   /* never FFFE: that is the marker */
        b[k++] = 0xFF;
        mfcs__le16(b + k, (uint16_t)n);
        k += 2;
    } else if (n < 0xFFFFFFFFu) {
        b[k++] = 0xFF;
        mfcs__le16(b + k, 0xFFFF);
        mfcs__le32(b + k + 2, (uint32_t)n);
        k += 6;
    } else {
        b[k++] = 0xFF;
        mfcs__le16(b + k, 0xFFFF);
        mfcs__le32(b + k + 2, 0xFFFFFFFFu);
        mfcs__le64(b + k + 6, n);
        k += 14;
    }
    return mfcs__ar_put(a, b, k);
}

/* UTF-16 units out as little-endian bytes, through a small stack buffer. */
static mfcs_err put_units(mfcs__archive *a, const uint16_t *u, size_t n)
{
    uint8_t tmp[512];
    size_t i = 0;
    mfcs_err err = MFCS_OK;
    while (i < n && !err) {
        size_t k = 0;
        for (; i < n && k < sizeof tmp; i++, k += 2)
            mfcs__le16(tmp + k, u[i]);
        err = mfcs__ar_put(a, tmp, k);
    }
    return err;
}

static mfcs_err write_string_a(mfcs__archive *a, const char *s, size_t len)
{
    mfcs_err err;
    if (!s && len)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    if ((err = put_header(a, len, 0)) != MFCS_OK)
        return err;
    return mfcs__ar_put(a, s, len);
}

mfcs_err MFCS_CALL mfcs_archive_write_string_a(mfcs_archive *h, const char *s, size_t len)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    return err ? err : mfcs__ar_end(&fr, write_string_a(fr.a, s, len));
}

static mfcs_err write_string_w(mfcs__archive *a, const wchar_t *s, size_t len)
{
    mfcs_err err;
    if (!s && len)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
#if WCHAR_MAX > 0xFFFF
    {   /* wchar_t is 32-bit off Windows (the fuzz build): units must fit. */
        size_t i;
        for (i = 0; i < len; i++)
            if ((uint32_t)s[i] > 0xFFFF)
                return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    }
#endif
    if ((err = put_header(a, len, 1)) != MFCS_OK)
        return err;
    if (sizeof(wchar_t) == 2) {
        return put_units(a, (const uint16_t *)(const void *)s, len);
    } else {
        uint16_t tmp[256];
        size_t i = 0;
        while (i < len && !err) {
            size_t k = 0;
            for (; i < len && k < 256; i++)
                tmp[k++] = (uint16_t)s[i];
            err = put_units(a, tmp, k);
        }
        return err;
    }
}

mfcs_err MFCS_CALL mfcs_archive_write_string_w(mfcs_archive *h, const wchar_t *s, size_t len)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    return err ? err : mfcs__ar_end(&fr, write_string_w(fr.a, s, len));
}

static mfcs_err write_string(mfcs__archive *a, const char *utf8)
{
    uint16_t *w;
    size_t n;
    mfcs_err err;
    if (!utf8)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    if ((err = mfcs__utf8_to_utf16(utf8, strlen(utf8), &w, &n)) != MFCS_OK)
        return mfcs__ar_fail(a, err);
    if ((err = put_header(a, n, 1)) == MFCS_OK)
        err = put_units(a, w, n);
    free(w);
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_write_string(mfcs_archive *h, const char *utf8)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    return err ? err : mfcs__ar_end(&fr, write_string(fr.a, utf8));
}

mfcs_err MFCS_CALL mfcs_archive_write_line(mfcs_archive *h, const char *s)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    if (err)
        return err;
    if (!s)
        err = mfcs__ar_fail(fr.a, MFCS_E_INVALIDARG);
    else
        err = mfcs__ar_put(fr.a, s, strlen(s));
    return mfcs__ar_end(&fr, err);
}

/* ---- reading ---- */

/* The prefix, exactly as AfxReadStringLength reads it. */
static mfcs_err get_header(mfcs__archive *a, int *wide, uint64_t *len)
{
    uint8_t b;
    uint16_t w;
    uint32_t d;
    mfcs_err err;

    *wide = 0;
    if ((err = mfcs__ar_u8(a, &b)) != MFCS_OK)
        return err;
    if (b < 0xFF) {
        *len = b;
        return MFCS_OK;
    }
    if ((err = mfcs__ar_u16(a, &w)) != MFCS_OK)
        return err;
    if (w == 0xFFFE) {
        /* Unicode: start over at the one-byte length. A second FFFE here is
         * a plain length to MFC, so it is to us. */
        *wide = 1;
        if ((err = mfcs__ar_u8(a, &b)) != MFCS_OK)
            return err;
        if (b < 0xFF) {
            *len = b;
            return MFCS_OK;
        }
        if ((err = mfcs__ar_u16(a, &w)) != MFCS_OK)
            return err;
    }
    if (w < 0xFFFF) {
        *len = w;
        return MFCS_OK;
    }
    if ((err = mfcs__ar_u32(a, &d)) != MFCS_OK)
        return err;
    if (d < 0xFFFFFFFFu) {
        *len = d;
        return MFCS_OK;
    }
    return mfcs__ar_u64(a, len);
}

/* Reads one CString's bytes into memory that grows as they arrive.
 * *data is malloc'd with two spare zero bytes (room for a NUL of either width). */
static mfcs_err get_string(mfcs__archive *a, int *wide, uint8_t **data, size_t *nbytes)
{
    uint64_t len, total64;
    size_t total, have = 0, cap = 0, prefix;
    uint8_t *p = NULL;
    mfcs_err err = get_header(a, wide, &len);

    if (err)
        return err;
    total64 = *wide ? len * 2 : len;
    if ((*wide && len > UINT64_MAX / 2) || total64 > a->max_string || total64 > SIZE_MAX - 2)
        return mfcs__ar_fail(a, MFCS_E_LIMIT);
    total = (size_t)total64;
    prefix = a->cur - a->mark;   /* the length's bytes */
    do {
        size_t step, got = 0;
        int direct;
        if (have == cap) {
            size_t ncap = cap ? cap * 2 : GROW_FIRST;
            uint8_t *np;
            if (ncap > total || ncap < cap)
                ncap = total;
            np = (uint8_t *)realloc(p, ncap + 2);
            if (!np) {
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
    } while (!err && have < total);
    if (err) {
        /* Its bytes are unread again before their memory goes. */
        if (a->vmem && mfcs__ar_unconsume(a) != MFCS_OK)
            err = mfcs__ar_fail(a, MFCS_E_NOMEM);
        free(p);
        return err;
    }
    a->vmem = NULL;   /* consumed: nothing to give back */
    a->vmem_len = 0;
    if (!p && !(p = (uint8_t *)malloc(2))) /* an empty string */
        return mfcs__ar_fail(a, MFCS_E_NOMEM);
    p[total] = p[total + 1] = 0;
    *data = p;
    *nbytes = total;
    return MFCS_OK;
}

/* The UTF-16LE bytes of a wide string as host-order units, in place. */
static uint16_t *units_in_place(uint8_t *p, size_t nbytes)
{
    uint16_t *u = (uint16_t *)(void *)p;
    size_t i;
    for (i = 0; i < nbytes / 2; i++)
        u[i] = mfcs__rd16(p + 2 * i);
    return u;
}

/* One CString of either width as UTF-16 units (malloc'd, NUL-terminated):
 * what read_string_w and read_string both start from. */
static mfcs_err get_utf16(mfcs__archive *a, uint16_t **u, size_t *units)
{
    uint8_t *p;
    size_t n;
    int wide;
    mfcs_err err = get_string(a, &wide, &p, &n);
    if (err)
        return err;
    if (wide) {
        *u = units_in_place(p, n);
        *units = n / 2;
        return MFCS_OK;
    }
    err = mfcs__acp_to_utf16((const char *)p, n, u, units);
    free(p);
    return err ? mfcs__ar_fail(a, err) : MFCS_OK;
}

static mfcs_err read_string_a(mfcs__archive *a, char **out, size_t *len)
{
    uint8_t *p;
    size_t n;
    int wide;
    mfcs_err err = get_string(a, &wide, &p, &n);
    if (err)
        return err;
    if (wide) {
        char *s;
        size_t m;
        err = mfcs__utf16_to_acp(units_in_place(p, n), n / 2, &s, &m);
        free(p);
        if (err)
            return mfcs__ar_fail(a, err);
        p = (uint8_t *)s;
        n = m;
    }
    if (len)
        *len = n;
    if (out)
        *out = (char *)p;
    else
        free(p);
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_archive_read_string_a(mfcs_archive *h, char **out, size_t *len)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE, __func__);
    return err ? err : mfcs__ar_end(&fr, read_string_a(fr.a, out, len));
}

static mfcs_err read_string_w(mfcs__archive *a, wchar_t **out, size_t *len)
{
    uint16_t *u;
    size_t units;
    mfcs_err err = get_utf16(a, &u, &units);
    if (err)
        return err;
    if (sizeof(wchar_t) != 2) {   /* widen for a 32-bit wchar_t (fuzz build) */
        wchar_t *w = (wchar_t *)malloc((units + 1) * sizeof *w);
        size_t i;
        if (!w) {
            free(u);
            return mfcs__ar_fail(a, MFCS_E_NOMEM);
        }
        for (i = 0; i <= units; i++)
            w[i] = (wchar_t)u[i];
        free(u);
        u = (uint16_t *)(void *)w;
    }
    if (len)
        *len = units;
    if (out)
        *out = (wchar_t *)(void *)u;
    else
        free(u);
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_archive_read_string_w(mfcs_archive *h, wchar_t **out, size_t *len)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE, __func__);
    return err ? err : mfcs__ar_end(&fr, read_string_w(fr.a, out, len));
}

static mfcs_err read_string(mfcs__archive *a, char **utf8, size_t *len)
{
    uint16_t *u;
    char *s;
    size_t units, m;
    mfcs_err err = get_utf16(a, &u, &units);
    if (err)
        return err;
    err = mfcs__utf16_to_utf8(u, units, &s, &m);
    free(u);
    if (err)
        return mfcs__ar_fail(a, err);
    if (len)
        *len = m;
    if (utf8)
        *utf8 = s;
    else
        free(s);
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_archive_read_string(mfcs_archive *h, char **utf8, size_t *len)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE, __func__);
    return err ? err : mfcs__ar_end(&fr, read_string(fr.a, utf8, len));
}

/* ReadString(CString&): one line of bytes. */
static mfcs_err read_line(mfcs__archive *a, char *buf, size_t cap, size_t *len)
{
    size_t n = 0;
    uint8_t c = 0;
    mfcs_err err;
    for (;;) {
        if ((err = mfcs__ar_u8(a, &c)) != MFCS_OK)
            break;
        if (c == '\r') {
            /* MFC takes the next character unconditionally, assuming "\n";
             * anything else is kept as the line's last character. */
            if ((err = mfcs__ar_u8(a, &c)) != MFCS_OK)
                break;
            if (c != '\n') {
                if (buf && n + 1 < cap)
                    buf[n] = (char)c;
                n++;
            }
            break;
        }
        if (c == '\n')
            break;
        if (buf && n + 1 < cap)
            buf[n] = (char)c;
        n++;
    }
    /* The end of the stream ends the last line; it is an error only when no
     * character was read (MFC's ReadString returns FALSE, also for a lone
     * "\r" at the end, whose second character it never got). A call that
     * succeeds leaves no sticky error behind (close would report it): the
     * stream ended between two bytes, so the next call meets its end again. */
    if (err == MFCS_E_EOF && n > 0) {
        a->error = MFCS_OK;
        err = MFCS_OK;
    }
    if (err)
        n = 0;
    if (buf && cap)
        buf[n < cap ? n : cap - 1] = '\0';
    if (len)
        *len = n;
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_read_line(mfcs_archive *h, char *buf, size_t cap, size_t *len)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE, __func__);
    if (len)
        *len = 0;
    if (buf && cap)
        buf[0] = '\0';
    return err ? err : mfcs__ar_end(&fr, read_line(fr.a, buf, cap, len));
}
