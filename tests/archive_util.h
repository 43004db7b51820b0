/* Helpers shared by the archive tests: memory archives and byte checks. */
#ifndef ARCHIVE_UTIL_H
#define ARCHIVE_UTIL_H

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mfcsock.h>

#define OK(call) do { mfcs_err e_ = (call); \
    cr_assert_eq(e_, MFCS_OK, "%s -> 0x%08X %s", #call, (unsigned)e_, mfcs_strerror(e_)); } while (0)
#define ERR(call, want) do { mfcs_err e_ = (call); \
    cr_assert_eq(e_, (want), "%s -> 0x%08X (%s), want 0x%08X", #call, (unsigned)e_, \
                 mfcs_strerror(e_), (unsigned)(want)); } while (0)

/* A storing archive on a new memory file. */
static inline mfcs_archive *new_store(mfcs_file **f)
{
    mfcs_archive *ar = NULL;
    OK(mfcs_file_open_memory(f, NULL, 0));
    OK(mfcs_archive_open(&ar, *f, MFCS_STORE, 0));
    return ar;
}

/* A loading archive on a memory file holding n bytes. */
static inline mfcs_archive *new_load(mfcs_file **f, const void *bytes, size_t n)
{
    mfcs_archive *ar = NULL;
    OK(mfcs_file_open_memory(f, bytes, n));
    OK(mfcs_archive_open(&ar, *f, MFCS_LOAD, 0));
    return ar;
}

/* Parses "AB 12 ..." into bytes; returns the count. */
static inline size_t unhex(const char *hex, unsigned char *out, size_t cap)
{
    size_t n = 0;
    unsigned v;
    while (*hex) {
        while (*hex == ' ')
            hex++;
        if (!*hex)
            break;
        cr_assert_eq(sscanf(hex, "%2x", &v), 1, "bad hex near \"%s\"", hex);
        cr_assert_lt(n, cap);
        out[n++] = (unsigned char)v;
        hex += 2;
    }
    return n;
}

/* Closes the storing archive and checks the file holds exactly hex. */
static inline void close_expect(mfcs_archive *ar, mfcs_file *f, const char *hex)
{
    unsigned char want[512];
    const void *data;
    size_t n = unhex(hex, want, sizeof want), len, i;
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_memory_data(f, &data, &len));
    for (i = 0; i < len && i < n; i++)
        cr_assert_eq(((const unsigned char *)data)[i], want[i],
                     "byte %zu is %02X, want %02X (want %s)", i,
                     ((const unsigned char *)data)[i], want[i], hex);
    cr_assert_eq(len, n, "wrote %zu bytes, want %zu (%s)", len, n, hex);
    OK(mfcs_file_close(f));
}

#include "point_class.h"

#endif
