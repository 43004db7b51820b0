/*
 * archive_value.c: MFC's value types on the wire (CPoint, CSize, CRect,
 * CTime, CTimeSpan, COleDateTime, COleDateTimeSpan, COleCurrency,
 * COleVariant, CComBSTR): MFC's insertion and extraction operators.
 *
 * Where the bytes depend on the other side's MFC (CTime's form, the
 * variant types 9.0 added) the archive's mfc_version decides. Where MFC
 * would lose data without a word (a value it cuts, a variant type it
 * writes as a bare vt) these calls refuse instead.
 */
#include "archive.h"

#include <stdlib.h>

#define CTIME_MARKER 0x8000000Au   /* MFC 8.0+: "8 bytes follow" */

/* One value of up to 16 bytes: begin, fill or take the bytes, end. */
static mfcs_err put_bytes(mfcs_archive *h, const char *name, const uint8_t *b, size_t n)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, name);
    return err ? err : mfcs__ar_end(&fr, mfcs__ar_put(fr.a, b, n));
}

static mfcs_err get_bytes(mfcs_archive *h, const char *name, uint8_t *b, size_t n)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE, name);
    if (err)
        return err;
    if ((err = mfcs__ar_need(fr.a, n)) == MFCS_OK) {
        memcpy(b, fr.a->buf + fr.a->cur, n);
        fr.a->cur += n;
    }
    return mfcs__ar_end(&fr, err);
}

static uint64_t f64_bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static double bits_f64(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }

/* ---- CPoint, CSize, CRect: the structs' memory, LONG by LONG ---- */

static mfcs_err put_longs(mfcs_archive *h, const char *name, const int32_t *v, size_t n)
{
    uint8_t b[16];
    size_t i;
    for (i = 0; i < n; i++)
        mfcs__le32(b + 4 * i, (uint32_t)v[i]);
    return put_bytes(h, name, b, 4 * n);
}

static mfcs_err get_longs(mfcs_archive *h, const char *name, int32_t *v, size_t n)
{
    uint8_t b[16];
    size_t i;
    mfcs_err err = get_bytes(h, name, b, 4 * n);
    if (!err && v)
        for (i = 0; i < n; i++)
            v[i] = (int32_t)mfcs__rd32(b + 4 * i);
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_write_point(mfcs_archive *h, mfcs_point p)
{
    const int32_t v[2] = { p.x, p.y };
    return put_longs(h, __func__, v, 2);
}

mfcs_err MFCS_CALL mfcs_archive_read_point(mfcs_archive *h, mfcs_point *p)
{
    int32_t v[2];
    mfcs_err err = get_longs(h, __func__, v, 2);
    if (!err && p) {
        p->x = v[0];
        p->y = v[1];
    }
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_write_size(mfcs_archive *h, mfcs_size s)
{
    const int32_t v[2] = { s.cx, s.cy };
    return put_longs(h, __func__, v, 2);
}

mfcs_err MFCS_CALL mfcs_archive_read_size(mfcs_archive *h, mfcs_size *s)
{
    int32_t v[2];
    mfcs_err err = get_longs(h, __func__, v, 2);
    if (!err && s) {
        s->cx = v[0];
        s->cy = v[1];
    }
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_write_rect(mfcs_archive *h, mfcs_rect r)
{
    const int32_t v[4] = { r.left, r.top, r.right, r.bottom };
    return put_longs(h, __func__, v, 4);
}

mfcs_err MFCS_CALL mfcs_archive_read_rect(mfcs_archive *h, mfcs_rect *r)
{
    int32_t v[4];
    mfcs_err err = get_longs(h, __func__, v, 4);
    if (!err && r) {
        r->left = v[0];
        r->top = v[1];
        r->right = v[2];
        r->bottom = v[3];
    }
    return err;
}

/* ---- CTime, CTimeSpan ---- */

mfcs_err MFCS_CALL mfcs_archive_write_time(mfcs_archive *h, int64_t t)
{
    mfcs__ar_frame fr;
    uint8_t b[12];
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    if (err)
        return err;
    if (fr.a->mfc_version >= MFCS_MFC_8) {
        mfcs__le32(b, CTIME_MARKER);
        mfcs__le64(b + 4, (uint64_t)t);
        err = mfcs__ar_put(fr.a, b, 12);
    } else if (t < INT32_MIN || t > INT32_MAX) {
        /* MFC 7 cut it to 32 bits (2038 reloads as 1901); older ones cannot hold it. */
        err = mfcs__ar_fail(fr.a, MFCS_E_LIMIT);
    } else {
        mfcs__le32(b, (uint32_t)t);
        err = mfcs__ar_put(fr.a, b, 4);
    }
    return mfcs__ar_end(&fr, err);
}

static mfcs_err read_time(mfcs__archive *a, int64_t *t)
{
    uint32_t d;
    uint64_t q;
    mfcs_err err = mfcs__ar_u32(a, &d);
    if (err)
        return err;
    /* Before 8.0 there is no marker: that DWORD is a time (1901-12-13). */
    if (d == CTIME_MARKER && a->mfc_version >= MFCS_MFC_8) {
        if ((err = mfcs__ar_u64(a, &q)) != MFCS_OK)
            return err;
        *t = (int64_t)q;
    } else {
        *t = (int32_t)d;   /* a 32-bit time_t, signed */
    }
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_archive_read_time(mfcs_archive *h, int64_t *t)
{
    mfcs__ar_frame fr;
    int64_t v = 0;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE, __func__);
    if (err)
        return err;
    if ((err = read_time(fr.a, &v)) == MFCS_OK && t)
        *t = v;
    return mfcs__ar_end(&fr, err);
}

static mfcs_err put64(mfcs_archive *h, const char *name, uint64_t v)
{
    uint8_t b[8];
    mfcs__le64(b, v);
    return put_bytes(h, name, b, 8);
}

static mfcs_err get64(mfcs_archive *h, const char *name, int64_t *v)
{
    uint8_t b[8];
    mfcs_err err = get_bytes(h, name, b, 8);
    if (!err && v)
        *v = (int64_t)mfcs__rd64(b);
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_write_time64(mfcs_archive *h, int64_t t) { return put64(h, __func__, (uint64_t)t); }
mfcs_err MFCS_CALL mfcs_archive_read_time64(mfcs_archive *h, int64_t *t) { return get64(h, __func__, t); }

mfcs_err MFCS_CALL mfcs_archive_write_timespan(mfcs_archive *h, int64_t seconds)
{
    mfcs__ar_frame fr;
    uint8_t b[4];
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    if (err)
        return err;
    /* 9.0+ throws above UINT_MAX; older MFC cut it. Below INT_MIN the 32
     * bits would read back as another span. */
    if (seconds > (int64_t)UINT32_MAX || seconds < INT32_MIN) {
        err = mfcs__ar_fail(fr.a, MFCS_E_LIMIT);
    } else {
        mfcs__le32(b, (uint32_t)seconds);
        err = mfcs__ar_put(fr.a, b, 4);
    }
    return mfcs__ar_end(&fr, err);
}

mfcs_err MFCS_CALL mfcs_archive_read_timespan(mfcs_archive *h, int64_t *seconds)
{
    uint8_t b[4];
    mfcs_err err = get_bytes(h, __func__, b, 4);
    if (!err && seconds)
        *seconds = (int32_t)mfcs__rd32(b);   /* sign-extended, as MFC loads it */
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_write_timespan64(mfcs_archive *h, int64_t s) { return put64(h, __func__, (uint64_t)s); }
mfcs_err MFCS_CALL mfcs_archive_read_timespan64(mfcs_archive *h, int64_t *s) { return get64(h, __func__, s); }

/* ---- COleDateTime, COleDateTimeSpan, COleCurrency: status first ---- */

static mfcs_err put_status_f64(mfcs_archive *h, const char *name, int32_t status, double d)
{
    uint8_t b[12];
    mfcs__le32(b, (uint32_t)status);
    mfcs__le64(b + 4, f64_bits(d));
    return put_bytes(h, name, b, 12);
}

static mfcs_err get_status_f64(mfcs_archive *h, const char *name, int32_t *status, double *d)
{
    uint8_t b[12];
    mfcs_err err = get_bytes(h, name, b, 12);
    if (!err) {
        if (status)
            *status = (int32_t)mfcs__rd32(b);
        if (d)
            *d = bits_f64(mfcs__rd64(b + 4));
    }
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_write_ole_date(mfcs_archive *h, double date, int32_t status)
{
    return put_status_f64(h, __func__, status, date);
}

mfcs_err MFCS_CALL mfcs_archive_read_ole_date(mfcs_archive *h, double *date, int32_t *status)
{
    return get_status_f64(h, __func__, status, date);
}

mfcs_err MFCS_CALL mfcs_archive_write_ole_date_span(mfcs_archive *h, double days, int32_t status)
{
    return put_status_f64(h, __func__, status, days);
}

mfcs_err MFCS_CALL mfcs_archive_read_ole_date_span(mfcs_archive *h, double *days, int32_t *status)
{
    return get_status_f64(h, __func__, status, days);
}

mfcs_err MFCS_CALL mfcs_archive_write_currency(mfcs_archive *h, int64_t value, int32_t status)
{
    uint8_t b[12];
    mfcs__le32(b, (uint32_t)status);
    mfcs__le32(b + 4, (uint32_t)((uint64_t)value >> 32));   /* Hi, then Lo */
    mfcs__le32(b + 8, (uint32_t)value);
    return put_bytes(h, __func__, b, 12);
}

mfcs_err MFCS_CALL mfcs_archive_read_currency(mfcs_archive *h, int64_t *value, int32_t *status)
{
    uint8_t b[12];
    mfcs_err err = get_bytes(h, __func__, b, 12);
    if (!err) {
        if (status)
            *status = (int32_t)mfcs__rd32(b);
        if (value)
            *value = (int64_t)(((uint64_t)mfcs__rd32(b + 4) << 32) | mfcs__rd32(b + 8));
    }
    return err;
}

/* ---- COleVariant ---- */

/* The payload's size for a vt MFC writes with its value (BSTR: 0, it has
 * its own), or -1 for one it writes alone, in that MFC version. */
static int variant_payload(uint16_t vt, unsigned version)
{
    if (vt & (MFCS_VT_BYREF | MFCS_VT_ARRAY))
        return -1;
    switch (vt) {
    case MFCS_VT_EMPTY: case MFCS_VT_NULL: case MFCS_VT_BSTR: return 0;
    case MFCS_VT_UI1: return 1;
    case MFCS_VT_I2: case MFCS_VT_BOOL: return 2;
    case MFCS_VT_I4: case MFCS_VT_R4: case MFCS_VT_ERROR: return 4;
    case MFCS_VT_R8: case MFCS_VT_CY: case MFCS_VT_DATE: return 8;
    case MFCS_VT_I1: return version >= MFCS_MFC_9 ? 1 : -1;
    case MFCS_VT_UI2: return version >= MFCS_MFC_9 ? 2 : -1;
    case MFCS_VT_UI4: return version >= MFCS_MFC_9 ? 4 : -1;
    case MFCS_VT_I8: case MFCS_VT_UI8: return version >= MFCS_MFC_9 ? 8 : -1;
    default: return -1;
    }
}

/* The value's bytes, little-endian, from the member vt names. */
static uint64_t variant_bits(const mfcs_variant *v)
{
    switch (v->vt) {
    case MFCS_VT_UI1: return v->v.ui1;
    case MFCS_VT_I1: return (uint8_t)v->v.i1;
    case MFCS_VT_I2: return (uint16_t)v->v.i2;
    case MFCS_VT_BOOL: return (uint16_t)v->v.boolean;
    case MFCS_VT_UI2: return v->v.ui2;
    case MFCS_VT_I4: return (uint32_t)v->v.i4;
    case MFCS_VT_ERROR: return (uint32_t)v->v.scode;
    case MFCS_VT_UI4: return v->v.ui4;
    case MFCS_VT_R4: { uint32_t u; memcpy(&u, &v->v.r4, 4); return u; }
    case MFCS_VT_R8: return f64_bits(v->v.r8);
    case MFCS_VT_DATE: return f64_bits(v->v.date);
    case MFCS_VT_CY: return (uint64_t)v->v.cy;   /* the int64 little-endian: Lo, then Hi */
    case MFCS_VT_I8: return (uint64_t)v->v.i8;
    default: return v->v.ui8;
    }
}

static void set_variant_bits(mfcs_variant *v, uint64_t u)
{
    switch (v->vt) {
    case MFCS_VT_UI1: v->v.ui1 = (uint8_t)u; break;
    case MFCS_VT_I1: v->v.i1 = (int8_t)(uint8_t)u; break;
    case MFCS_VT_I2: v->v.i2 = (int16_t)(uint16_t)u; break;
    case MFCS_VT_BOOL: v->v.boolean = (int16_t)(uint16_t)u; break;
    case MFCS_VT_UI2: v->v.ui2 = (uint16_t)u; break;
    case MFCS_VT_I4: v->v.i4 = (int32_t)(uint32_t)u; break;
    case MFCS_VT_ERROR: v->v.scode = (int32_t)(uint32_t)u; break;
    case MFCS_VT_UI4: v->v.ui4 = (uint32_t)u; break;
    case MFCS_VT_R4: { uint32_t w = (uint32_t)u; memcpy(&v->v.r4, &w, 4); break; }
    case MFCS_VT_R8: v->v.r8 = bits_f64(u); break;
    case MFCS_VT_DATE: v->v.date = bits_f64(u); break;
    case MFCS_VT_CY: v->v.cy = (int64_t)u; break;
    case MFCS_VT_I8: v->v.i8 = (int64_t)u; break;
    default: v->v.ui8 = u; break;
    }
}

static mfcs_err write_variant(mfcs__archive *a, const mfcs_variant *v)
{
    uint8_t b[10];
    int size;
    mfcs_err err;
    if (!v)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    if ((size = variant_payload(v->vt, a->mfc_version)) < 0)
        return mfcs__ar_fail(a, MFCS_E_UNSUPPORTED);   /* MFC would write the vt and lose the value */
    mfcs__le16(b, v->vt);
    if (v->vt == MFCS_VT_BSTR) {
        if (!v->bstr && v->bstr_bytes)
            return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
        mfcs__le32(b + 2, v->bstr_bytes);
        if ((err = mfcs__ar_put(a, b, 6)) != MFCS_OK)
            return err;
        return mfcs__ar_put(a, v->bstr, v->bstr_bytes);
    }
    mfcs__le64(b + 2, variant_bits(v));
    return mfcs__ar_put(a, b, 2 + (size_t)size);
}

mfcs_err MFCS_CALL mfcs_archive_write_variant(mfcs_archive *h, const mfcs_variant *v)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    return err ? err : mfcs__ar_end(&fr, write_variant(fr.a, v));
}

static mfcs_err read_variant(mfcs__archive *a, mfcs_variant *v)
{
    uint16_t vt;
    uint32_t n;
    uint8_t b[8];
    int size;
    mfcs_err err;
    if (!v)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    if ((err = mfcs__ar_u16(a, &vt)) != MFCS_OK)
        return err;
    /* An object's own stream follows, of a length only the object knows. */
    if (vt == MFCS_VT_DISPATCH || vt == MFCS_VT_UNKNOWN)
        return mfcs__ar_fail(a, MFCS_E_UNSUPPORTED);
    v->vt = vt;
    if ((size = variant_payload(vt, a->mfc_version)) < 0) {
        v->payload_lost = 1;   /* MFC wrote the vt alone: there is no value to read */
        return MFCS_OK;
    }
    if (vt == MFCS_VT_BSTR) {
        uint8_t *p;
        if ((err = mfcs__ar_u32(a, &n)) != MFCS_OK)
            return err;
        if (n > a->max_string)
            return mfcs__ar_fail(a, MFCS_E_LIMIT);
        if (n == 0)           /* MFC loads an empty BSTR as NULL */
            return MFCS_OK;
        if ((err = mfcs__ar_get_grow(a, n, 2, &p)) != MFCS_OK)
            return err;
        v->bstr = p;
        v->bstr_bytes = n;
        return MFCS_OK;
    }
    if ((err = mfcs__ar_need(a, (size_t)size)) != MFCS_OK)
        return err;
    memset(b, 0, sizeof b);
    memcpy(b, a->buf + a->cur, (size_t)size);
    a->cur += (size_t)size;
    set_variant_bits(v, mfcs__rd64(b));
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_archive_read_variant(mfcs_archive *h, mfcs_variant *v)
{
    mfcs__ar_frame fr;
    mfcs_variant got;
    mfcs_err err;
    if (v)
        memset(v, 0, sizeof *v);
    memset(&got, 0, sizeof got);
    if ((err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE, __func__)) != MFCS_OK)
        return err;
    if ((err = mfcs__ar_end(&fr, read_variant(fr.a, v ? &got : NULL))) == MFCS_OK)
        *v = got;   /* a failed read hands out nothing, not even the vt */
    return err;
}

/* ---- CComBSTR: a count of characters, then UTF-16 ---- */

static mfcs_err write_combstr(mfcs__archive *a, const wchar_t *s, size_t len)
{
    uint8_t b[4];
    uint16_t tmp[256];
    size_t i = 0;
    mfcs_err err;
    if (!s && len)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    if (len > UINT32_MAX)
        return mfcs__ar_fail(a, MFCS_E_LIMIT);
    mfcs__le32(b, (uint32_t)len);
    if ((err = mfcs__ar_put(a, b, 4)) != MFCS_OK)
        return err;
    while (i < len && !err) {
        size_t k = 0;
        for (; i < len && k < 256; i++) {
#if WCHAR_MAX > 0xFFFF
            if ((uint32_t)s[i] > 0xFFFF)   /* a 32-bit wchar_t (not on Windows) */
                return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
#endif
            mfcs__le16((uint8_t *)&tmp[k++], (uint16_t)s[i]);
        }
        err = mfcs__ar_put(a, tmp, 2 * k);
    }
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_write_combstr(mfcs_archive *h, const wchar_t *s, size_t len)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    return err ? err : mfcs__ar_end(&fr, write_combstr(fr.a, s, len));
}

static mfcs_err read_combstr(mfcs__archive *a, wchar_t **s, size_t *len)
{
    uint32_t n;
    uint8_t *p;
    mfcs_err err = mfcs__ar_u32(a, &n);
    if (err)
        return err;
    if ((uint64_t)n * 2 > a->max_string)
        return mfcs__ar_fail(a, MFCS_E_LIMIT);
    if ((err = mfcs__ar_get_grow(a, (size_t)n * 2, 2, &p)) != MFCS_OK)
        return err;
    return mfcs__ar_wchars(a, mfcs__units_in_place(p, (size_t)n * 2), n, s, len);
}

mfcs_err MFCS_CALL mfcs_archive_read_combstr(mfcs_archive *h, wchar_t **s, size_t *len)
{
    mfcs__ar_frame fr;
    mfcs_err err;
    if (s)
        *s = NULL;
    if (len)
        *len = 0;
    err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE, __func__);
    return err ? err : mfcs__ar_end(&fr, read_combstr(fr.a, s, len));
}
