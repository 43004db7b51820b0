/*
 * textconv.c: see textconv.h. Code pages are the system's: Windows'
 * MultiByteToWideChar, iconv elsewhere ("CP1252", "CP936" ...).
 */
#include "textconv.h"

#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#  include <windows.h>
#else
#  include <iconv.h>
#  include <errno.h>
#  include <stdio.h>
#endif

/* ---- UTF-8 and UTF-16, exactly ---- */

char *utf16le_to_utf8(const unsigned char *b, size_t units)
{
    char *out = (char *)malloc(units * 3 + 1), *o = out;
    size_t i;
    if (!out)
        return NULL;
    for (i = 0; i < units; i++) {
        uint32_t c = (uint32_t)(b[2 * i] | b[2 * i + 1] << 8);
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < units) {
            uint32_t d = (uint32_t)(b[2 * i + 2] | b[2 * i + 3] << 8);
            if (d >= 0xDC00 && d <= 0xDFFF) {
                c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
                i++;
            }
        }
        if ((c >= 0xD800 && c <= 0xDFFF) || c == 0) {   /* unpaired: no UTF-8 holds it; a NUL ends a C string */
            free(out);
            return NULL;
        }
        if (c < 0x80) {
            *o++ = (char)c;
        } else if (c < 0x800) {
            *o++ = (char)(0xC0 | c >> 6);
            *o++ = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            *o++ = (char)(0xE0 | c >> 12);
            *o++ = (char)(0x80 | ((c >> 6) & 0x3F));
            *o++ = (char)(0x80 | (c & 0x3F));
        } else {
            *o++ = (char)(0xF0 | c >> 18);
            *o++ = (char)(0x80 | ((c >> 12) & 0x3F));
            *o++ = (char)(0x80 | ((c >> 6) & 0x3F));
            *o++ = (char)(0x80 | (c & 0x3F));
        }
    }
    *o = '\0';
    return out;
}

uint16_t *utf8_to_utf16(const char *s, size_t *units)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), k = 0;
    uint16_t *out = (uint16_t *)malloc((n + 1) * sizeof *out);
    if (!out)
        return NULL;
    while (*p) {
        uint32_t c;
        int extra;
        if (*p < 0x80) { c = *p++; extra = 0; }
        else if ((*p & 0xE0) == 0xC0) { c = *p++ & 0x1F; extra = 1; }
        else if ((*p & 0xF0) == 0xE0) { c = *p++ & 0x0F; extra = 2; }
        else if ((*p & 0xF8) == 0xF0) { c = *p++ & 0x07; extra = 3; }
        else goto bad;
        while (extra--) {
            if ((*p & 0xC0) != 0x80)
                goto bad;
            c = c << 6 | (*p++ & 0x3F);
        }
        if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            goto bad;
        if (c >= 0x10000) {
            c -= 0x10000;
            out[k++] = (uint16_t)(0xD800 + (c >> 10));
            out[k++] = (uint16_t)(0xDC00 + (c & 0x3FF));
        } else {
            out[k++] = (uint16_t)c;
        }
    }
    out[k] = 0;
    *units = k;
    return out;
bad:
    free(out);
    return NULL;
}

/* ---- code pages ---- */

#ifdef _WIN32
static char *cp_convert_in(unsigned cp, const unsigned char *b, size_t n)
{
    int w = n ? MultiByteToWideChar(cp, MB_ERR_INVALID_CHARS, (const char *)b, (int)n, NULL, 0) : 0;
    wchar_t *ws;
    unsigned char *u;
    char *out;
    if (n && w <= 0)
        return NULL;
    if (!(ws = (wchar_t *)malloc(((size_t)w + 1) * sizeof *ws)))
        return NULL;
    if (n)
        MultiByteToWideChar(cp, MB_ERR_INVALID_CHARS, (const char *)b, (int)n, ws, w);
    u = (unsigned char *)malloc((size_t)w * 2 + 2);
    if (!u) {
        free(ws);
        return NULL;
    }
    for (int i = 0; i < w; i++) {
        u[2 * i] = (unsigned char)(ws[i] & 0xFF);
        u[2 * i + 1] = (unsigned char)(ws[i] >> 8);
    }
    out = utf16le_to_utf8(u, (size_t)w);
    free(u);
    free(ws);
    return out;
}

static unsigned char *cp_convert_out(unsigned cp, const char *s, size_t *n)
{
    size_t units;
    uint16_t *u = utf8_to_utf16(s, &units);
    BOOL lost = FALSE;
    int m;
    unsigned char *out;
    if (!u)
        return NULL;
    m = units ? WideCharToMultiByte(cp, 0, (const wchar_t *)u, (int)units, NULL, 0, NULL, cp == 65001 ? NULL : &lost) : 0;
    if ((units && m <= 0) || lost || !(out = (unsigned char *)malloc((size_t)m + 1))) {
        free(u);
        return NULL;
    }
    if (units)
        WideCharToMultiByte(cp, 0, (const wchar_t *)u, (int)units, (char *)out, m, NULL, NULL);
    free(u);
    *n = (size_t)m;
    return out;
}
#else
/* iconv from one charset to another, all or nothing. */
static char *iconv_all(const char *to, const char *from, const char *in, size_t n, size_t *outn)
{
    iconv_t cd = iconv_open(to, from);
    size_t cap = n * 4 + 8, left = cap;
    char *out, *o, *i = (char *)in;
    size_t inleft = n;
    if (cd == (iconv_t)-1)
        return NULL;
    if (!(out = (char *)malloc(cap + 1))) {
        iconv_close(cd);
        return NULL;
    }
    o = out;
    if (iconv(cd, &i, &inleft, &o, &left) == (size_t)-1 || inleft != 0 ||
        iconv(cd, NULL, NULL, &o, &left) == (size_t)-1) {
        iconv_close(cd);
        free(out);
        return NULL;
    }
    iconv_close(cd);
    *o = '\0';
    *outn = (size_t)(o - out);
    return out;
}

static void cp_name(unsigned cp, char *buf, size_t cap)
{
    if (cp == 65001)
        snprintf(buf, cap, "UTF-8");
    else if (cp == 28591)
        snprintf(buf, cap, "ISO-8859-1");
    else
        snprintf(buf, cap, "CP%u", cp);
}

static char *cp_convert_in(unsigned cp, const unsigned char *b, size_t n)
{
    char name[32];
    size_t m;
    cp_name(cp, name, sizeof name);
    return iconv_all("UTF-8", name, (const char *)b, n, &m);
}

static unsigned char *cp_convert_out(unsigned cp, const char *s, size_t *n)
{
    char name[32];
    cp_name(cp, name, sizeof name);
    return (unsigned char *)iconv_all(name, "UTF-8", s, strlen(s), n);
}
#endif

char *cp_to_utf8(unsigned cp, const unsigned char *b, size_t n)
{
    char *s = cp_convert_in(cp, b, n);
    unsigned char *back;
    size_t m = 0;
    if (!s)
        return NULL;
    /* Exactly or not at all: the text must give these bytes back, and a NUL
     * inside would end the JSON string's C copy. */
    back = cp_convert_out(cp, s, &m);
    if (!back || m != n || memcmp(back, b, n) != 0 || memchr(b, 0, n)) {
        free(back);
        free(s);
        return NULL;
    }
    free(back);
    return s;
}

unsigned char *utf8_to_cp(unsigned cp, const char *s, size_t *n)
{
    return cp_convert_out(cp, s, n);
}

/* ---- hex ---- */

char *to_hex(const unsigned char *b, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *s = (char *)malloc(2 * n + 1);
    size_t i;
    if (!s)
        return NULL;
    for (i = 0; i < n; i++) {
        s[2 * i] = digits[b[i] >> 4];
        s[2 * i + 1] = digits[b[i] & 15];
    }
    s[2 * n] = '\0';
    return s;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

unsigned char *from_hex(const char *s, size_t *n)
{
    size_t len = strlen(s), i;
    unsigned char *b;
    if (len % 2 || !(b = (unsigned char *)malloc(len / 2 + 1)))
        return NULL;
    for (i = 0; i < len / 2; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(b);
            return NULL;
        }
        b[i] = (unsigned char)(hi << 4 | lo);
    }
    *n = len / 2;
    return b;
}
