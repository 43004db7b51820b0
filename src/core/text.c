/*
 * text.c: string conversions for archives (see text.h). UTF-8 <-> UTF-16 is
 * done here rather than by MultiByteToWideChar so the codec behaves the same
 * in the Linux fuzz build; only the ANSI code page needs the system.
 */
#include "text.h"

#include <stdlib.h>
#include <string.h>

mfcs_err mfcs__utf8_to_utf16(const char *s, size_t n, uint16_t **out, size_t *outn)
{
    const unsigned char *p = (const unsigned char *)s;
    uint16_t *w;
    size_t i = 0, k = 0;

    if (n > (SIZE_MAX / sizeof(uint16_t)) - 1)
        return MFCS_E_NOMEM;
    /* At most one UTF-16 unit per input byte. */
    w = (uint16_t *)malloc((n + 1) * sizeof *w);
    if (!w)
        return MFCS_E_NOMEM;
    while (i < n) {
        uint32_t c = p[i], min;
        size_t extra, j;
        if (c < 0x80) { extra = 0; min = 0; }
        else if ((c & 0xE0) == 0xC0) { extra = 1; c &= 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { extra = 2; c &= 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { extra = 3; c &= 0x07; min = 0x10000; }
        else goto bad;
        if (n - i <= extra && extra)
            goto bad;
        for (j = 1; j <= extra; j++) {
            if ((p[i + j] & 0xC0) != 0x80)
                goto bad;
            c = (c << 6) | (p[i + j] & 0x3F);
        }
        /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            goto bad;
        i += extra + 1;
        if (c >= 0x10000) {
            c -= 0x10000;
            w[k++] = (uint16_t)(0xD800 | (c >> 10));
            w[k++] = (uint16_t)(0xDC00 | (c & 0x3FF));
        } else {
            w[k++] = (uint16_t)c;
        }
    }
    w[k] = 0;
    *out = w;
    *outn = k;
    return MFCS_OK;
bad:
    free(w);
    return MFCS_E_INVALIDARG;
}

mfcs_err mfcs__utf16_to_utf8(const uint16_t *s, size_t n, char **out, size_t *outn)
{
    unsigned char *u;
    size_t i, k = 0;

    if (n > (SIZE_MAX - 1) / 3)
        return MFCS_E_NOMEM;
    /* At most three bytes per UTF-16 unit (a pair makes four from two). */
    u = (unsigned char *)malloc(n * 3 + 1);
    if (!u)
        return MFCS_E_NOMEM;
    for (i = 0; i < n; i++) {
        uint32_t c = s[i];
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
            i++;
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD;
        }
        if (c < 0x80) {
            u[k++] = (unsigned char)c;
        } else if (c < 0x800) {
            u[k++] = (unsigned char)(0xC0 | (c >> 6));
            u[k++] = (unsigned char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            u[k++] = (unsigned char)(0xE0 | (c >> 12));
            u[k++] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            u[k++] = (unsigned char)(0x80 | (c & 0x3F));
        } else {
            u[k++] = (unsigned char)(0xF0 | (c >> 18));
            u[k++] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
            u[k++] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            u[k++] = (unsigned char)(0x80 | (c & 0x3F));
        }
    }
    u[k] = 0;
    *out = (char *)u;
    *outn = k;
    return MFCS_OK;
}

#ifdef _WIN32

/* MultiByteToWideChar and friends take int lengths. */
#define INT_LIMIT 0x7FFFFFFF

mfcs_err mfcs__acp_to_utf16(const char *s, size_t n, uint16_t **out, size_t *outn)
{
    int m = 0;
    uint16_t *w;
    if (n > INT_LIMIT)
        return MFCS_E_LIMIT;
    if (n && (m = MultiByteToWideChar(CP_ACP, 0, s, (int)n, NULL, 0)) <= 0)
        return (mfcs_err)GetLastError();
    w = (uint16_t *)malloc(((size_t)m + 1) * sizeof *w);
    if (!w)
        return MFCS_E_NOMEM;
    if (n)
        MultiByteToWideChar(CP_ACP, 0, s, (int)n, (wchar_t *)w, m);
    w[m] = 0;
    *out = w;
    *outn = (size_t)m;
    return MFCS_OK;
}

mfcs_err mfcs__utf16_to_acp(const uint16_t *s, size_t n, char **out, size_t *outn)
{
    int m = 0;
    char *a;
    if (n > INT_LIMIT)
        return MFCS_E_LIMIT;
    if (n && (m = WideCharToMultiByte(CP_ACP, 0, (const wchar_t *)s, (int)n, NULL, 0, NULL, NULL)) <= 0)
        return (mfcs_err)GetLastError();
    a = (char *)malloc((size_t)m + 1);
    if (!a)
        return MFCS_E_NOMEM;
    if (n)
        WideCharToMultiByte(CP_ACP, 0, (const wchar_t *)s, (int)n, a, m, NULL, NULL);
    a[m] = 0;
    *out = a;
    *outn = (size_t)m;
    return MFCS_OK;
}

#else /* the Linux fuzz build: Latin-1 stands in for the code page */

mfcs_err mfcs__acp_to_utf16(const char *s, size_t n, uint16_t **out, size_t *outn)
{
    size_t i;
    uint16_t *w = (uint16_t *)malloc((n + 1) * sizeof *w);
    if (!w)
        return MFCS_E_NOMEM;
    for (i = 0; i < n; i++)
        w[i] = (unsigned char)s[i];
    w[n] = 0;
    *out = w;
    *outn = n;
    return MFCS_OK;
}

mfcs_err mfcs__utf16_to_acp(const uint16_t *s, size_t n, char **out, size_t *outn)
{
    size_t i;
    char *a = (char *)malloc(n + 1);
    if (!a)
        return MFCS_E_NOMEM;
    for (i = 0; i < n; i++)
        a[i] = s[i] < 0x100 ? (char)s[i] : '?';
    a[n] = 0;
    *out = a;
    *outn = n;
    return MFCS_OK;
}

#endif
