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

mfcs_err mfcs__ar_put_string_a(mfcs__archive *a, const char *s, size_t len)
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
    return err ? err : mfcs__ar_end(&fr, mfcs__ar_put_string_a(fr.a, s, len));
}

/* wchar_t units out as UTF-16LE (a wchar_t is 32-bit off Windows, in the
 * fuzz build: there each must fit in a unit). */
static mfcs_err check_wchars(mfcs__archive *a, const wchar_t *s, size_t len)
{
#if WCHAR_MAX > 0xFFFF
    size_t i;
    for (i = 0; i < len; i++)
        if ((uint32_t)s[i] > 0xFFFF)
            return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
#else
    (void)a; (void)s; (void)len;
#endif
    return MFCS_OK;
}

static mfcs_err put_wchars(mfcs__archive *a, const wchar_t *s, size_t len)
{
    uint16_t tmp[256];
    size_t i = 0;
    mfcs_err err = MFCS_OK;
    if (sizeof(wchar_t) == 2)
        return put_units(a, (const uint16_t *)(const void *)s, len);
    while (i < len && !err) {
        size_t k = 0;
        for (; i < len && k < 256; i++)
            tmp[k++] = (uint16_t)s[i];
        err = put_units(a, tmp, k);
    }
    return err;
}

mfcs_err mfcs__ar_put_string_wchar(mfcs__archive *a, const wchar_t *s, size_t len)
{
    mfcs_err err;
    if (!s && len)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    if ((err = check_wchars(a, s, len)) != MFCS_OK || (err = put_header(a, len, 1)) != MFCS_OK)
        return err;
    return put_wchars(a, s, len);
}

mfcs_err mfcs__ar_put_string_u16(mfcs__archive *a, const uint16_t *u, size_t n)
{
    mfcs_err err = put_header(a, n, 1);
    return err ? err : put_units(a, u, n);
}

mfcs_err MFCS_CALL mfcs_archive_write_string_w(mfcs_archive *h, const wchar_t *s, size_t len)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    return err ? err : mfcs__ar_end(&fr, mfcs__ar_put_string_wchar(fr.a, s, len));
}

/* UTF-8 out as UTF-16 units: a CStringW (with its prefix) or a line. */
static mfcs_err put_utf8(mfcs__archive *a, const char *utf8, int prefixed)
{
    uint16_t *w;
    size_t n;
    mfcs_err err;
    if (!utf8)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    if ((err = mfcs__utf8_to_utf16(utf8, strlen(utf8), &w, &n)) != MFCS_OK)
        return mfcs__ar_fail(a, err);
    err = prefixed ? mfcs__ar_put_string_u16(a, w, n) : put_units(a, w, n);
    free(w);
    return err;
}

mfcs_err mfcs__ar_put_string_utf8(mfcs__archive *a, const char *utf8)
{
    return put_utf8(a, utf8, 1);
}

mfcs_err MFCS_CALL mfcs_archive_write_string(mfcs_archive *h, const char *utf8)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    return err ? err : mfcs__ar_end(&fr, mfcs__ar_put_string_utf8(fr.a, utf8));
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
    mfcs_err err = get_header(a, wide, &len);

    if (err)
        return err;
    total64 = *wide ? len * 2 : len;
    if ((*wide && len > UINT64_MAX / 2) || total64 > a->max_string || total64 > SIZE_MAX - 2)
        return mfcs__ar_fail(a, MFCS_E_LIMIT);
    if ((err = mfcs__ar_get_grow(a, (size_t)total64, 2, data)) != MFCS_OK)
        return err;
    *nbytes = (size_t)total64;
    return MFCS_OK;
}

/* In place: an identity on little-endian hosts (the only ones Windows
 * and this project's Linux builds run on), so the bytes stay the value's. */
uint16_t *mfcs__units_in_place(uint8_t *p, size_t nbytes)
{
    uint16_t *u = (uint16_t *)(void *)p;
    size_t i;
    for (i = 0; i < nbytes / 2; i++)
        u[i] = mfcs__rd16(p + 2 * i);
    return u;
}

/* One CString of either width as UTF-16 units (malloc'd, NUL-terminated):
 * what the wide and UTF-8 reads start from. A wide string's units are the
 * value's own memory (*raw NULL); an ANSI one's are new, and *raw keeps
 * the value's bytes until the caller's last step cannot fail (then the
 * caller frees it), so a failure there can still give them back. */
static mfcs_err get_u16(mfcs__archive *a, uint16_t **u, size_t *units, uint8_t **raw)
{
    uint8_t *p;
    size_t n;
    int wide;
    mfcs_err err = get_string(a, &wide, &p, &n);
    *raw = NULL;
    if (err)
        return err;
    if (wide) {
        *u = mfcs__units_in_place(p, n);
        *units = n / 2;
        return MFCS_OK;
    }
    if ((err = mfcs__acp_to_utf16((const char *)p, n, u, units)) != MFCS_OK) {
        err = mfcs__ar_value_failed(a, err);
        free(p);
        return err;
    }
    *raw = p;
    return MFCS_OK;
}

mfcs_err mfcs__ar_get_string_acp(mfcs__archive *a, char **out, size_t *len)
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
        if ((err = mfcs__utf16_to_acp(mfcs__units_in_place(p, n), n / 2, &s, &m)) != MFCS_OK) {
            err = mfcs__ar_value_failed(a, err);
            free(p);
            return err;
        }
        free(p);
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
    return err ? err : mfcs__ar_end(&fr, mfcs__ar_get_string_acp(fr.a, out, len));
}

mfcs_err mfcs__ar_get_string_wchar(mfcs__archive *a, wchar_t **out, size_t *len)
{
    uint16_t *u;
    uint8_t *raw;
    size_t units;
    mfcs_err err = get_u16(a, &u, &units, &raw);
    if (!err)
        err = mfcs__ar_wchars(a, u, units, out, len);
    free(raw);
    return err;
}

mfcs_err mfcs__ar_wchars(mfcs__archive *a, uint16_t *u, size_t units, wchar_t **out, size_t *len)
{
    if (sizeof(wchar_t) != 2) {   /* widen for a 32-bit wchar_t (fuzz build) */
        wchar_t *w = (wchar_t *)malloc((units + 1) * sizeof *w);
        size_t i;
        if (!w) {
            mfcs_err err = mfcs__ar_value_failed(a, MFCS_E_NOMEM);   /* u may be the value's memory */
            free(u);
            return err;
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
    return err ? err : mfcs__ar_end(&fr, mfcs__ar_get_string_wchar(fr.a, out, len));
}

mfcs_err mfcs__ar_get_string_utf8(mfcs__archive *a, char **utf8, size_t *len)
{
    uint16_t *u;
    uint8_t *raw;
    char *s;
    size_t units, m;
    mfcs_err err = get_u16(a, &u, &units, &raw);
    if (err)
        return err;
    if ((err = mfcs__utf16_to_utf8(u, units, &s, &m)) != MFCS_OK)
        err = mfcs__ar_value_failed(a, err);
    free(u);
    free(raw);
    if (err)
        return err;
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
    return err ? err : mfcs__ar_end(&fr, mfcs__ar_get_string_utf8(fr.a, utf8, len));
}

static mfcs_err read_string_raw(mfcs__archive *a, int *wide, void **data, size_t *len)
{
    uint8_t *p;
    size_t n;
    int w;
    mfcs_err err = get_string(a, &w, &p, &n);
    if (err)
        return err;
    if (wide)
        *wide = w;
    if (len)
        *len = w ? n / 2 : n;
    if (data)
        *data = p;   /* the value's memory: handed out as the call ends */
    else
        free(p);
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_archive_read_string_raw(mfcs_archive *h, int *wide, void **data, size_t *len)
{
    mfcs__ar_frame fr;
    mfcs_err err;
    if (data)
        *data = NULL;
    if (len)
        *len = 0;
    if (wide)
        *wide = 0;
    err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE, __func__);
    return err ? err : mfcs__ar_end(&fr, read_string_raw(fr.a, wide, data, len));
}

/* ---- lines (WriteString / ReadString) ---- */

mfcs_err MFCS_CALL mfcs_archive_write_line(mfcs_archive *h, const char *s)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    return err ? err : mfcs__ar_end(&fr, put_utf8(fr.a, s, 0));
}

mfcs_err MFCS_CALL mfcs_archive_write_line_a(mfcs_archive *h, const char *s)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    if (err)
        return err;
    err = s ? mfcs__ar_put(fr.a, s, strlen(s)) : mfcs__ar_fail(fr.a, MFCS_E_INVALIDARG);
    return mfcs__ar_end(&fr, err);
}

static mfcs_err write_line_w(mfcs__archive *a, const wchar_t *s)
{
    size_t len;
    mfcs_err err;
    if (!s)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    len = wcslen(s);
    return (err = check_wchars(a, s, len)) != MFCS_OK ? err : put_wchars(a, s, len);
}

mfcs_err MFCS_CALL mfcs_archive_write_line_w(mfcs_archive *h, const wchar_t *s)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    return err ? err : mfcs__ar_end(&fr, write_line_w(fr.a, s));
}

/* Where a line's characters go: bytes or wchar_t as they are, or UTF-16
 * units as UTF-8, whole characters only. */
enum { LINE_BYTES, LINE_WCHARS, LINE_UTF8 };
typedef struct line_out {
    int kind;
    void *buf;
    size_t cap;
    size_t len;         /* the line's full length in the output's units */
    size_t stored;      /* how many of them are in buf */
    uint16_t high;      /* UTF-8: a high surrogate waiting for its pair */
    int full;           /* UTF-8: a character did not fit, so none after it goes in */
} line_out;

static void out_char(line_out *o, uint32_t cp)
{
    char b[4];
    size_t k;
    if (cp < 0x80) {
        b[0] = (char)cp;
        k = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        k = 4;
    }
    if (!o->full && o->buf && o->stored + k < o->cap) {
        memcpy((char *)o->buf + o->stored, b, k);
        o->stored += k;
    } else {
        o->full = 1;
    }
    o->len += k;
}

static void out_unit(line_out *o, uint16_t u)
{
    if (o->kind != LINE_UTF8) {
        if (o->buf && o->len + 1 < o->cap) {
            if (o->kind == LINE_BYTES)
                ((char *)o->buf)[o->len] = (char)u;
            else
                ((wchar_t *)o->buf)[o->len] = (wchar_t)u;
            o->stored = o->len + 1;
        }
        o->len++;
        return;
    }
    if (o->high) {
        if (u >= 0xDC00 && u <= 0xDFFF) {
            out_char(o, 0x10000 + (((uint32_t)o->high - 0xD800) << 10) + (u - 0xDC00));
            o->high = 0;
            return;
        }
        out_char(o, 0xFFFD);   /* unpaired, as mfcs_archive_read_string */
        o->high = 0;
    }
    if (u >= 0xD800 && u <= 0xDBFF)
        o->high = u;
    else if (u >= 0xDC00 && u <= 0xDFFF)
        out_char(o, 0xFFFD);
    else
        out_char(o, u);
}

/* ReadString(CString&): one line of characters, bytes or UTF-16 units. */
static mfcs_err read_line(mfcs__archive *a, int wide, line_out *o)
{
    size_t n = 0;       /* characters of the line read */
    size_t most = a->max_string / (wide ? 2 : 1);
    mfcs_err err;
    for (;;) {
        uint16_t c;
        uint8_t b;
        /* The line is kept in the buffer until it ends (a value is read
         * whole or not at all): a peer that never sends a newline meets
         * the string limit, not the memory's. Its end may follow. */
        if (n > most) {
            err = mfcs__ar_fail(a, MFCS_E_LIMIT);
            break;
        }
        if ((err = wide ? mfcs__ar_u16(a, &c) : mfcs__ar_u8(a, &b)) != MFCS_OK)
            break;
        if (!wide)
            c = b;
        if (c == '\r') {
            /* MFC takes the next character unconditionally, assuming "\n";
             * anything else is kept as the line's last character. */
            if ((err = wide ? mfcs__ar_u16(a, &c) : mfcs__ar_u8(a, &b)) != MFCS_OK)
                break;
            if (!wide)
                c = b;
            if (c != '\n') {
                out_unit(o, c);
                n++;
            }
            break;
        }
        if (c == '\n')
            break;
        out_unit(o, c);
        n++;
    }
    if (o->high)
        out_char(o, 0xFFFD);
    /* The end of the stream ends the last line; it is an error only when no
     * character was read (MFC's ReadString returns FALSE, also for a lone
     * "\r" at the end, whose second character it never got). A call that
     * succeeds leaves no sticky error behind (close would report it): the
     * stream ended between two characters, so the next call meets its end
     * again. */
    if (err == MFCS_E_EOF && n > 0) {
        a->error = MFCS_OK;
        err = MFCS_OK;
    }
    if (err)
        o->len = o->stored = 0;
    return err;
}

static mfcs_err line_call(mfcs_archive *h, const char *name, int wide, line_out *o, size_t *len)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE, name);
    if (!err)
        err = mfcs__ar_end(&fr, read_line(fr.a, wide, o));
    if (o->buf && o->cap) {
        if (o->kind == LINE_WCHARS)
            ((wchar_t *)o->buf)[o->stored] = 0;
        else
            ((char *)o->buf)[o->stored] = '\0';
    }
    if (len)
        *len = err ? 0 : o->len;
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_read_line_a(mfcs_archive *h, char *buf, size_t cap, size_t *len)
{
    line_out o = { LINE_BYTES, buf, cap, 0, 0, 0, 0 };
    return line_call(h, __func__, 0, &o, len);
}

mfcs_err MFCS_CALL mfcs_archive_read_line_w(mfcs_archive *h, wchar_t *buf, size_t cap, size_t *len)
{
    line_out o = { LINE_WCHARS, buf, cap, 0, 0, 0, 0 };
    return line_call(h, __func__, 1, &o, len);
}

mfcs_err MFCS_CALL mfcs_archive_read_line(mfcs_archive *h, char *buf, size_t cap, size_t *len)
{
    line_out o = { LINE_UTF8, buf, cap, 0, 0, 0, 0 };
    return line_call(h, __func__, 1, &o, len);
}
