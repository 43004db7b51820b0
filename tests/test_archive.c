/* Archives: MFC's byte format for primitives, counts, strings and lines,
 * buffering, and every error a bad call gets. */
#include "archive_util.h"

#include <wchar.h>

/* ---- golden bytes (MFC-REFERENCE 1.7 and the rules of 1.1-1.4) ---- */

Test(golden, primitives, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    OK(mfcs_archive_write_u8(ar, 0xAB));                    /* #1 */
    OK(mfcs_archive_write_u16(ar, 0x1234));                 /* #2 */
    OK(mfcs_archive_write_u32(ar, 0x12345678));             /* #3 */
    OK(mfcs_archive_write_i32(ar, -2));                     /* #4 */
    OK(mfcs_archive_write_i32(ar, 1));                      /* #5 */
    OK(mfcs_archive_write_bool(ar, 1));                     /* #6 */
    OK(mfcs_archive_write_bool(ar, 0));
    OK(mfcs_archive_write_f32(ar, 1.0f));                   /* #7 */
    OK(mfcs_archive_write_f32(ar, -2.5f));
    OK(mfcs_archive_write_f64(ar, 1.0));                    /* #8 */
    OK(mfcs_archive_write_i64(ar, 0x0102030405060708LL));   /* #9 */
    OK(mfcs_archive_write_u16(ar, L'A'));                   /* #10 */
    OK(mfcs_archive_write_i8(ar, 'A'));
    OK(mfcs_archive_write_i16(ar, -2));
    OK(mfcs_archive_write_u64(ar, 0xFFFFFFFFFFFFFFFEull));
    OK(mfcs_archive_write_bool(ar, 42));                    /* any nonzero: 01 */
    close_expect(ar, f,
        "AB 34 12 78 56 34 12 FE FF FF FF 01 00 00 00 01 00 00 00 80 3F 00 00 20 C0 "
        "00 00 00 00 00 00 F0 3F 08 07 06 05 04 03 02 01 41 00 41 FE FF "
        "FE FF FF FF FF FF FF FF 01");
}

Test(golden, primitives_round_trip, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    const void *data;
    size_t len;
    uint8_t u8; int8_t i8; uint16_t u16; int16_t i16; uint32_t u32; int32_t i32;
    uint64_t u64; int64_t i64; float f32; double f64; int b;
    OK(mfcs_archive_write_u8(ar, 200)); OK(mfcs_archive_write_i8(ar, -100));
    OK(mfcs_archive_write_u16(ar, 65000)); OK(mfcs_archive_write_i16(ar, -30000));
    OK(mfcs_archive_write_u32(ar, 4000000000u)); OK(mfcs_archive_write_i32(ar, -2000000000));
    OK(mfcs_archive_write_u64(ar, 18000000000000000000ull)); OK(mfcs_archive_write_i64(ar, -9000000000000000000ll));
    OK(mfcs_archive_write_f32(ar, 3.25f)); OK(mfcs_archive_write_f64(ar, -1e300));
    OK(mfcs_archive_write_bool(ar, 1));
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_memory_data(f, &data, &len));
    cr_assert_eq(len, 1 + 1 + 2 + 2 + 4 + 4 + 8 + 8 + 4 + 8 + 1);
    {
        mfcs_file *g;
        mfcs_archive *in = new_load(&g, data, len);
        OK(mfcs_archive_read_u8(in, &u8)); cr_assert_eq(u8, 200);
        OK(mfcs_archive_read_i8(in, &i8)); cr_assert_eq(i8, -100);
        OK(mfcs_archive_read_u16(in, &u16)); cr_assert_eq(u16, 65000);
        OK(mfcs_archive_read_i16(in, &i16)); cr_assert_eq(i16, -30000);
        OK(mfcs_archive_read_u32(in, &u32)); cr_assert_eq(u32, 4000000000u);
        OK(mfcs_archive_read_i32(in, &i32)); cr_assert_eq(i32, -2000000000);
        OK(mfcs_archive_read_u64(in, &u64)); cr_assert_eq(u64, 18000000000000000000ull);
        OK(mfcs_archive_read_i64(in, &i64)); cr_assert_eq(i64, -9000000000000000000ll);
        OK(mfcs_archive_read_f32(in, &f32)); cr_assert_eq(f32, 3.25f);
        OK(mfcs_archive_read_f64(in, &f64)); cr_assert_eq(f64, -1e300);
        OK(mfcs_archive_read_bool(in, &b)); cr_assert_eq(b, 1);
        /* the stream ends exactly here: between values, not inside one */
        ERR(mfcs_archive_read_u8(in, &u8), MFCS_E_END);
        ERR(mfcs_archive_close(in), MFCS_E_END);
        OK(mfcs_file_close(g));
    }
    OK(mfcs_file_close(f));
}

Test(golden, bool_reads_any_nonzero_as_one, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_load(&f, "\x00\x07\xFF", 3);
    int b = -1;
    OK(mfcs_archive_read_bool(ar, &b)); cr_assert_eq(b, 0);
    OK(mfcs_archive_read_bool(ar, &b)); cr_assert_eq(b, 1);
    OK(mfcs_archive_read_bool(ar, NULL)); /* out may be NULL: skipped */
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
}

Test(golden, counts_use_word_dword_and_qword_escapes, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    OK(mfcs_archive_write_count(ar, 0));
    OK(mfcs_archive_write_count(ar, 0xFFFE));
    OK(mfcs_archive_write_count(ar, 0xFFFF));
    OK(mfcs_archive_write_count(ar, 0xFFFFFFFEu));
    OK(mfcs_archive_write_count(ar, 0x100000000ull));
    close_expect(ar, f, "00 00  FE FF  FF FF FF FF 00 00  FF FF FE FF FF FF "
                        "FF FF FF FF FF FF 00 00 00 00 01 00 00 00");
}

Test(golden, counts_round_trip_and_limit, .timeout = 30)
{
    static const uint64_t v[] = { 0, 1, 0xFFFE, 0xFFFF, 0x10000, 0x7FFFFFFF };
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    const void *data;
    size_t len, i;
    uint64_t n;
    for (i = 0; i < 6; i++)
        OK(mfcs_archive_write_count(ar, v[i]));
    OK(mfcs_archive_write_count(ar, 0x80000000u));      /* over the default limit */
    OK(mfcs_archive_write_count(ar, 0x100000000ull));
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_memory_data(f, &data, &len));
    {
        mfcs_file *g;
        mfcs_archive *in = new_load(&g, data, len);
        for (i = 0; i < 6; i++) {
            OK(mfcs_archive_read_count(in, &n));
            cr_assert_eq(n, v[i], "count %zu read as %llu", i, (unsigned long long)n);
        }
        ERR(mfcs_archive_read_count(in, &n), MFCS_E_LIMIT);
        OK(mfcs_archive_abort(in));
        in = new_load(&g, data, len);
        OK(mfcs_archive_set_limits(in, 0, 0x200000000ull));
        for (i = 0; i < 6; i++)
            OK(mfcs_archive_read_count(in, NULL));
        OK(mfcs_archive_read_count(in, &n)); cr_assert_eq(n, 0x80000000u);
        OK(mfcs_archive_read_count(in, &n)); cr_assert_eq(n, 0x100000000ull);
        OK(mfcs_archive_close(in));
        OK(mfcs_file_close(g));
    }
    OK(mfcs_file_close(f));
}

Test(golden, short_strings, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    OK(mfcs_archive_write_string_a(ar, "abc", 3));          /* #11 */
    OK(mfcs_archive_write_string_a(ar, "", 0));             /* #12 */
    OK(mfcs_archive_write_string_w(ar, L"hi", 2));          /* #18 */
    OK(mfcs_archive_write_string(ar, "h\xC3\xA9"));         /* UTF-8 "hé", sent as CStringW */
    OK(mfcs_archive_write_string(ar, "\xF0\x9F\x98\x80"));  /* U+1F600: a surrogate pair */
    close_expect(ar, f, "03 61 62 63  00  FF FE FF 02 68 00 69 00  FF FE FF 02 68 00 E9 00 "
                        "FF FE FF 02 3D D8 00 DE");
}

/* The length prefix for n characters, both widths, checked byte by byte and
 * read back. */
static void check_length(size_t n, const char *prefix_hex)
{
    unsigned char want[32];
    size_t plen = unhex(prefix_hex, want, sizeof want), len, got_len;
    char *s = malloc(n ? n : 1), *back = NULL;
    wchar_t *w = malloc((n ? n : 1) * sizeof *w), *wback = NULL;
    const unsigned char *data;
    const void *p;
    mfcs_file *f;
    mfcs_archive *ar;
    size_t i;
    for (i = 0; i < n; i++) {
        s[i] = (char)('a' + i % 26);
        w[i] = (wchar_t)(0x400 + i % 64);
    }
    for (int wide = 0; wide < 2; wide++) {
        ar = new_store(&f);
        if (wide)
            OK(mfcs_archive_write_string_w(ar, w, n));
        else
            OK(mfcs_archive_write_string_a(ar, s, n));
        OK(mfcs_archive_close(ar));
        OK(mfcs_file_memory_data(f, &p, &len));
        data = p;
        if (wide) {
            cr_assert_eq(len, 3 + plen + 2 * n, "n=%zu wide: %zu bytes", n, len);
            cr_assert_eq(memcmp(data, "\xFF\xFE\xFF", 3), 0, "n=%zu: no wide marker", n);
            data += 3;
        } else {
            cr_assert_eq(len, plen + n, "n=%zu: %zu bytes", n, len);
        }
        for (i = 0; i < plen; i++)
            cr_assert_eq(data[i], want[i], "n=%zu wide=%d: prefix byte %zu is %02X, want %s",
                         n, wide, i, data[i], prefix_hex);
        {
            mfcs_file *g;
            mfcs_archive *in = new_load(&g, p, len);
            if (wide) {
                OK(mfcs_archive_read_string_w(in, &wback, &got_len));
                cr_assert_eq(got_len, n);
                cr_assert_eq(memcmp(wback, w, n * sizeof *w), 0, "n=%zu: wide text differs", n);
                cr_assert_eq(wback[n], 0);
                mfcs_free(wback);
            } else {
                OK(mfcs_archive_read_string_a(in, &back, &got_len));
                cr_assert_eq(got_len, n);
                cr_assert_eq(memcmp(back, s, n), 0, "n=%zu: text differs", n);
                cr_assert_eq(back[n], 0);
                mfcs_free(back);
            }
            OK(mfcs_archive_read(in, NULL, 1, &got_len));
            cr_assert_eq(got_len, 0, "n=%zu: bytes left over", n);
            OK(mfcs_archive_close(in));
            OK(mfcs_file_close(g));
        }
        OK(mfcs_file_close(f));
    }
    free(s);
    free(w);
}

Test(golden, string_length_prefix_boundaries, .timeout = 60)
{
    check_length(0, "00");
    check_length(254, "FE");
    check_length(255, "FF FF 00");
    check_length(0xFFFD, "FF FD FF");
    check_length(0xFFFE, "FF FF FF FE FF 00 00");
    check_length(70000, "FF FF FF 70 11 01 00");
}

Test(golden, write_line_a_adds_nothing, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    OK(mfcs_archive_write_line_a(ar, "hi\r\n"));
    OK(mfcs_archive_write_line_a(ar, ""));
    OK(mfcs_archive_write_line_a(ar, "x"));
    close_expect(ar, f, "68 69 0D 0A 78");
}

/* ---- strings read in every width ---- */

/* A tool that writes a document back must know each string's width and
 * keep its bytes, whatever the code page: the raw read converts nothing. */
Test(strings, raw_read_gives_the_width_and_the_bytes, .timeout = 30)
{
    static const unsigned char in[] = { 3, 'a', 0xE9, 'c', 0xFF, 0xFE, 0xFF, 2, 'h', 0, 0x00, 0xD8, 0 };
    mfcs_file *f;
    mfcs_archive *ar = new_load(&f, in, sizeof in - 1);
    void *data = NULL;
    size_t len = 0;
    int wide = -1;
    OK(mfcs_archive_read_string_raw(ar, &wide, &data, &len));
    cr_assert_eq(wide, 0);
    cr_assert_eq(len, 3);
    cr_assert_eq(memcmp(data, "a\xE9" "c\0", 4), 0);
    mfcs_free(data);
    OK(mfcs_archive_read_string_raw(ar, &wide, &data, &len));
    cr_assert_eq(wide, 1);
    cr_assert_eq(len, 2);
    cr_assert_eq(memcmp(data, "h\0\0\xD8\0\0", 6), 0, "a lone surrogate is kept as it is");
    mfcs_free(data);
    ERR(mfcs_archive_read_string_raw(ar, &wide, NULL, &len), MFCS_E_END);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

Test(strings, either_width_reads_as_utf8_ansi_and_utf16, .timeout = 30)
{
    /* CStringA "abc", CStringW "h\u00e9", CStringW U+1F600 */
    static const unsigned char in[] = { 3, 'a', 'b', 'c', 0xFF, 0xFE, 0xFF, 2, 'h', 0, 0xE9, 0,
                                        0xFF, 0xFE, 0xFF, 2, 0x3D, 0xD8, 0x00, 0xDE,
                                        3, 'x', 'y', 'z', 0xFF, 0xFE, 0xFF, 1, 'Q', 0 };
    mfcs_file *f;
    mfcs_archive *ar = new_load(&f, in, sizeof in);
    char *s;
    wchar_t *w;
    size_t n;
    OK(mfcs_archive_read_string(ar, &s, &n));
    cr_assert_str_eq(s, "abc"); cr_assert_eq(n, 3); mfcs_free(s);
    OK(mfcs_archive_read_string(ar, &s, &n));
    cr_assert_str_eq(s, "h\xC3\xA9"); cr_assert_eq(n, 3); mfcs_free(s);
    OK(mfcs_archive_read_string(ar, &s, &n));
    cr_assert_str_eq(s, "\xF0\x9F\x98\x80"); cr_assert_eq(n, 4); mfcs_free(s);
    OK(mfcs_archive_read_string_w(ar, &w, &n));       /* ANSI read as wide */
    cr_assert_eq(n, 3); cr_assert(w[0] == L'x' && w[1] == L'y' && w[2] == L'z' && w[3] == 0);
    mfcs_free(w);
    OK(mfcs_archive_read_string_a(ar, &s, &n));       /* wide read as ANSI */
    cr_assert_str_eq(s, "Q"); cr_assert_eq(n, 1); mfcs_free(s);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
}

Test(strings, null_out_skips_the_string, .timeout = 30)
{
    static const unsigned char in[] = { 3, 'a', 'b', 'c', 1, 'z' };
    mfcs_file *f;
    mfcs_archive *ar = new_load(&f, in, sizeof in);
    size_t n = 0;
    char *s;
    OK(mfcs_archive_read_string_a(ar, NULL, &n));
    cr_assert_eq(n, 3);
    OK(mfcs_archive_read_string_a(ar, &s, NULL));
    cr_assert_str_eq(s, "z");
    mfcs_free(s);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
}

Test(strings, invalid_utf8_is_refused, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    mfcs_err first;
    ERR(mfcs_archive_write_string(ar, "ab\xC3"), MFCS_E_INVALIDARG);     /* cut sequence */
    OK(mfcs_archive_error(ar, &first));
    cr_assert_eq(first, MFCS_E_INVALIDARG);
    ERR(mfcs_archive_close(ar), MFCS_E_INVALIDARG);
    ar = NULL;
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    ERR(mfcs_archive_write_string(ar, "\xC0\x80"), MFCS_E_INVALIDARG);   /* overlong NUL */
    OK(mfcs_archive_abort(ar));
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    ERR(mfcs_archive_write_string(ar, "\xED\xA0\x80"), MFCS_E_INVALIDARG); /* a surrogate */
    OK(mfcs_archive_abort(ar));
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    ERR(mfcs_archive_write_string(ar, NULL), MFCS_E_INVALIDARG);
    OK(mfcs_archive_abort(ar));
    OK(mfcs_file_close(f));
}

Test(strings, lone_surrogate_reads_as_replacement_character, .timeout = 30)
{
    static const unsigned char in[] = { 0xFF, 0xFE, 0xFF, 2, 0x00, 0xD8, 'a', 0 };
    mfcs_file *f;
    mfcs_archive *ar = new_load(&f, in, sizeof in);
    char *s;
    OK(mfcs_archive_read_string(ar, &s, NULL));
    cr_assert_str_eq(s, "\xEF\xBF\xBD" "a");
    mfcs_free(s);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
}

/* ---- ANSI strings go through the active code page ---- */

/* n units or bytes as hex, for messages: the values matter, not the glyphs. */
static const char *hex16(const wchar_t *w, size_t n, char *buf, size_t cap)
{
    size_t i, k = 0;
    buf[0] = 0;
    for (i = 0; i < n && k + 6 < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%04X ", (unsigned)w[i]);
    return buf;
}

static const char *hex8(const char *s, size_t n, char *buf, size_t cap)
{
    size_t i, k = 0;
    buf[0] = 0;
    for (i = 0; i < n && k + 4 < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%02X ", (unsigned char)s[i]);
    return buf;
}

/* e-acute, the euro sign and o-e in Windows-1252; 0x80 and 0x9C are where
 * 1252 differs from Latin-1, so a reader that widens bytes as they are
 * gets them wrong. */
static const char ansi_bytes[] = "caf\xE9 \x80\x9C";
#define ANSI_LEN (sizeof ansi_bytes - 1)

Test(ansi, cstringa_reads_through_the_active_code_page, .timeout = 30)
{
    wchar_t want_w[16], *w;
    char want_u8[64], *s, h1[128], h2[128];
    int nw, nu;
    size_t n, i;
    mfcs_file *f, *g;
    mfcs_archive *ar = new_store(&f);
    const void *data;
    size_t len;

    nw = MultiByteToWideChar(CP_ACP, 0, ansi_bytes, (int)ANSI_LEN, want_w, 16);
    cr_assert_gt(nw, 0, "MultiByteToWideChar: error %lu", GetLastError());
    nu = WideCharToMultiByte(CP_UTF8, 0, want_w, nw, want_u8, sizeof want_u8, NULL, NULL);
    cr_assert_gt(nu, 0);

    for (i = 0; i < 3; i++)
        OK(mfcs_archive_write_string_a(ar, ansi_bytes, ANSI_LEN));
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_memory_data(f, &data, &len));
    cr_assert_eq(len, 3 * (1 + ANSI_LEN), "a CStringA is its bytes as they are: %zu", len);
    ar = new_load(&g, data, len);

    OK(mfcs_archive_read_string_w(ar, &w, &n));
    cr_assert(n == (size_t)nw && !memcmp(w, want_w, n * sizeof *w),
              "read_string_w gave [%s], CP_ACP %u gives [%s]", hex16(w, n, h1, sizeof h1),
              GetACP(), hex16(want_w, (size_t)nw, h2, sizeof h2));
    cr_assert_eq(w[n], 0);
    if (GetACP() == 1252)   /* the bytes widened as they are would give U+0080 and U+009C */
        cr_assert(w[5] == 0x20AC && w[6] == 0x0153, "in 1252, 80 9C read as [%s]",
                  hex16(w + 5, 2, h1, sizeof h1));
    mfcs_free(w);

    OK(mfcs_archive_read_string(ar, &s, &n));
    cr_assert(n == (size_t)nu && !memcmp(s, want_u8, n),
              "read_string gave [%s], CP_ACP %u then UTF-8 gives [%s]", hex8(s, n, h1, sizeof h1),
              GetACP(), hex8(want_u8, (size_t)nu, h2, sizeof h2));
    cr_assert_eq(s[n], 0);
    if (GetACP() != CP_UTF8)
        cr_assert(n != ANSI_LEN || memcmp(s, ansi_bytes, n),
                  "read_string passed the ANSI bytes through as UTF-8: [%s]", hex8(s, n, h1, sizeof h1));
    mfcs_free(s);

    OK(mfcs_archive_read_string_a(ar, &s, &n));      /* ANSI to ANSI: untouched */
    cr_assert(n == ANSI_LEN && !memcmp(s, ansi_bytes, n), "read_string_a gave [%s]",
              hex8(s, n, h1, sizeof h1));
    mfcs_free(s);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(g));
    OK(mfcs_file_close(f));
}

Test(ansi, cstringw_reads_as_active_code_page_bytes, .timeout = 30)
{
    static const wchar_t text_w[] = L"caf\u00E9 \u20AC\u0153";
    static const char text_u8[] = "caf\xC3\xA9 \xE2\x82\xAC\xC5\x93";
    char want[32], *s, h1[128], h2[128];
    int na;
    size_t n;
    mfcs_file *f, *g;
    mfcs_archive *ar = new_store(&f);
    const void *data;
    size_t len;

    na = WideCharToMultiByte(CP_ACP, 0, text_w, (int)wcslen(text_w), want, sizeof want, NULL, NULL);
    cr_assert_gt(na, 0, "WideCharToMultiByte: error %lu", GetLastError());
    OK(mfcs_archive_write_string(ar, text_u8));
    OK(mfcs_archive_write_string_w(ar, text_w, wcslen(text_w)));
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_memory_data(f, &data, &len));
    ar = new_load(&g, data, len);
    for (int k = 0; k < 2; k++) {
        OK(mfcs_archive_read_string_a(ar, &s, &n));
        cr_assert(n == (size_t)na && !memcmp(s, want, n),
                  "string %d: read_string_a gave [%s], CP_ACP %u gives [%s]", k,
                  hex8(s, n, h1, sizeof h1), GetACP(), hex8(want, (size_t)na, h2, sizeof h2));
        cr_assert_eq(s[n], 0);
        if (GetACP() != CP_UTF8)
            cr_assert(n != sizeof text_u8 - 1 || memcmp(s, text_u8, n),
                      "string %d: read_string_a gave UTF-8, not ANSI", k);
        mfcs_free(s);
    }
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(g));
    OK(mfcs_file_close(f));
}

/* archive.h: a wide string read as ANSI is "converted as MFC's CStringA
 * would", which is WideCharToMultiByte(CP_ACP, 0, ..., NULL, NULL): best-fit
 * mappings where the code page has them, its default character otherwise,
 * never an error or a dropped character. */
Test(ansi, unrepresentable_characters_convert_as_cstringa, .timeout = 30)
{
    /* CJK (no ANSI form in 1252), A-macron (best-fit to 'A' in 1252), and
     * an ASCII letter after them, so a dropped or cut string shows. */
    static const wchar_t text_w[] = L"\u4E2D\u0100x";
    char want[32], *s, h1[128], h2[128], cjk[8];
    BOOL cjk_defaulted = FALSE;
    CPINFO cp;
    int na;
    size_t n;
    mfcs_file *f, *g;
    mfcs_archive *ar = new_store(&f);
    const void *data;
    size_t len;

    na = WideCharToMultiByte(CP_ACP, 0, text_w, 3, want, sizeof want, NULL, NULL);
    cr_assert_gt(na, 0);
    cr_assert(GetCPInfo(CP_ACP, &cp));
    WideCharToMultiByte(CP_ACP, 0, text_w, 1, cjk, sizeof cjk, NULL, &cjk_defaulted);
    OK(mfcs_archive_write_string_w(ar, text_w, 3));
    OK(mfcs_archive_write_string(ar, "\xE4\xB8\xAD\xC4\x80x"));   /* the same, as UTF-8 */
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_memory_data(f, &data, &len));
    ar = new_load(&g, data, len);
    for (int k = 0; k < 2; k++) {
        OK(mfcs_archive_read_string_a(ar, &s, &n));
        cr_assert(n == (size_t)na && !memcmp(s, want, n),
                  "string %d: read_string_a gave [%s], CStringA (CP_ACP %u) gives [%s]", k,
                  hex8(s, n, h1, sizeof h1), GetACP(), hex8(want, (size_t)na, h2, sizeof h2));
        cr_assert_eq(s[n - 1], 'x', "string %d: the character after them is gone", k);
        /* In a single-byte code page with no form for it, the CJK
         * character is the default character, one byte, in its place. */
        if (cp.MaxCharSize == 1 && cjk_defaulted)
            cr_assert_eq((unsigned char)s[0], cp.DefaultChar[0], "string %d: first byte %02X, "
                         "want the default character %02X", k, (unsigned char)s[0], cp.DefaultChar[0]);
        mfcs_free(s);
    }
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(g));
    OK(mfcs_file_close(f));
}

/* ---- lines (ReadString) ---- */

static void read_lines(const char *text, const char *const *want, int nwant)
{
    mfcs_file *f;
    mfcs_archive *ar = new_load(&f, text, strlen(text));
    char buf[64];
    size_t n;
    mfcs_err sticky = -1;
    int i;
    for (i = 0; i < nwant; i++) {
        OK(mfcs_archive_read_line_a(ar, buf, sizeof buf, &n));
        cr_assert_str_eq(buf, want[i], "line %d of \"%s\"", i, text);
        cr_assert_eq(n, strlen(want[i]));
    }
    /* every call so far succeeded, so nothing may be left to report */
    OK(mfcs_archive_error(ar, &sticky));
    cr_assert_eq(sticky, MFCS_OK, "after the lines of \"%s\" the archive holds error 0x%08X", text,
                 (unsigned)sticky);
    ERR(mfcs_archive_read_line_a(ar, buf, sizeof buf, &n), MFCS_E_END);
    cr_assert_eq(n, 0);
    cr_assert_str_eq(buf, "");
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

Test(lines, crlf_lf_and_mfcs_lone_cr_rule, .timeout = 30)
{
    const char *a[] = { "abc", "def" };
    const char *b[] = { "abc", "", "last" };
    const char *c[] = { "abc", "d" };       /* MFC: the char after a CR ends the line */
    const char *d[] = { "x" };
    read_lines("abc\r\ndef\n", a, 2);
    read_lines("abc\n\nlast", b, 3);         /* the last line needs no newline */
    read_lines("ab\rcd\n", c, 2);
    read_lines("x\r", d, 1);                 /* CR at the very end */
    read_lines("", NULL, 0);
}

/* MFC's ReadString(CString&) returns FALSE for a lone "\r" at the end: the
 * character it takes after every CR is not there, and nothing was stored.
 * So no line, and the stream ended inside one (not between values). */
Test(lines, a_lone_cr_at_the_end_is_no_line, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_load(&f, "abc\n\r", 5);
    char buf[16];
    size_t n = 99;
    OK(mfcs_archive_read_line_a(ar, buf, sizeof buf, &n));
    cr_assert_str_eq(buf, "abc");
    ERR(mfcs_archive_read_line_a(ar, buf, sizeof buf, &n), MFCS_E_EOF);
    cr_assert_eq(n, 0);
    cr_assert_str_eq(buf, "");
    ERR(mfcs_archive_close(ar), MFCS_E_EOF);
    OK(mfcs_file_close(f));
}

/* A Unicode build's ReadString: the same rules over UTF-16 units. */
static void read_lines_w(const char *text, const char *const *want, int nwant)
{
    unsigned char wide[128];
    size_t i, len = strlen(text), n;
    mfcs_file *f;
    mfcs_archive *ar;
    char buf[64];
    int k;
    cr_assert_lt(2 * len, sizeof wide);
    for (i = 0; i < len; i++) {
        wide[2 * i] = (unsigned char)text[i];
        wide[2 * i + 1] = 0;
    }
    ar = new_load(&f, wide, 2 * len);
    for (k = 0; k < nwant; k++) {
        OK(mfcs_archive_read_line(ar, buf, sizeof buf, &n));
        cr_assert_str_eq(buf, want[k], "line %d of \"%s\" as UTF-16", k, text);
        cr_assert_eq(n, strlen(want[k]));
    }
    ERR(mfcs_archive_read_line(ar, buf, sizeof buf, &n), MFCS_E_END);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

Test(lines, unicode_lines_follow_the_same_rules, .timeout = 30)
{
    const char *a[] = { "abc", "def" };
    const char *b[] = { "abc", "", "last" };
    const char *c[] = { "abc", "d" };
    const char *d[] = { "x" };
    read_lines_w("abc\r\ndef\n", a, 2);
    read_lines_w("abc\n\nlast", b, 3);
    read_lines_w("ab\rcd\n", c, 2);
    read_lines_w("x\r", d, 1);
    read_lines_w("", NULL, 0);
}

/* WriteString in a Unicode build: UTF-16 units, nothing added. */
Test(golden, write_line_is_utf16_as_in_a_unicode_build, .timeout = 30)
{
    static const wchar_t w[] = { 'x', 0x20AC, 0 };
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    OK(mfcs_archive_write_line(ar, "hi\r\n"));
    OK(mfcs_archive_write_line(ar, "\xC3\xA9"));           /* U+00E9 */
    OK(mfcs_archive_write_line_w(ar, w));
    ERR(mfcs_archive_write_line(ar, "\xC3"), MFCS_E_INVALIDARG);   /* not UTF-8 */
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
    ar = new_store(&f);
    OK(mfcs_archive_write_line(ar, "hi\r\n"));
    OK(mfcs_archive_write_line(ar, "\xC3\xA9"));
    OK(mfcs_archive_write_line_w(ar, w));
    close_expect(ar, f, "68 00 69 00 0D 00 0A 00 E9 00 78 00 AC 20");
}

/* A line read as UTF-8 is cut between characters, never inside one, and
 * its length is the whole line's; as UTF-16 it is cut by units. */
Test(lines, unicode_line_cut_between_characters, .timeout = 30)
{
    /* U+1F600 (a surrogate pair, 4 UTF-8 bytes), U+00E9 (2), "z", CRLF; then "ab" */
    static const unsigned char in[] = { 0x3D, 0xD8, 0x00, 0xDE, 0xE9, 0x00, 'z', 0, 0x0D, 0, 0x0A, 0,
                                        'a', 0, 'b', 0, 0x0A, 0, 0x00, 0xDC, 'q', 0 };
    mfcs_file *f;
    mfcs_archive *ar = new_load(&f, in, sizeof in);
    char buf[7];
    wchar_t wb[3];
    size_t n;
    OK(mfcs_archive_read_line(ar, buf, sizeof buf, &n));   /* room for 6 bytes: the pair fits, U+00E9 too, not z */
    cr_assert_str_eq(buf, "\xF0\x9F\x98\x80\xC3\xA9");
    cr_assert_eq(n, 7);
    OK(mfcs_archive_read_line_w(ar, wb, 3, &n));
    cr_assert(wb[0] == 'a' && wb[1] == 'b' && wb[2] == 0);
    cr_assert_eq(n, 2);
    OK(mfcs_archive_read_line(ar, buf, 5, &n));            /* a lone low surrogate: U+FFFD */
    cr_assert_str_eq(buf, "\xEF\xBF\xBDq");
    cr_assert_eq(n, 4);
    ERR(mfcs_archive_read_line(ar, buf, sizeof buf, &n), MFCS_E_END);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* An odd byte at the end is half a unit: the line before it reads, then
 * the stream ended inside a character. */
Test(lines, an_odd_byte_at_the_end_is_a_cut_unit, .timeout = 30)
{
    static const unsigned char in[] = { 'a', 0, 'b' };
    mfcs_file *f;
    mfcs_archive *ar = new_load(&f, in, sizeof in);
    wchar_t wb[8];
    size_t n;
    OK(mfcs_archive_read_line_w(ar, wb, 8, &n));
    cr_assert(wb[0] == 'a' && wb[1] == 0 && n == 1);
    ERR(mfcs_archive_read_line_w(ar, wb, 8, &n), MFCS_E_EOF);
    cr_assert(wb[0] == 0 && n == 0);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* A line is kept in the buffer until it ends: one that never ends meets
 * the string limit, in bytes whatever the width. */
Test(lines, a_line_that_never_ends_meets_the_string_limit, .timeout = 30)
{
    char text[100];
    mfcs_file *f;
    mfcs_archive *ar;
    char buf[8];
    size_t n;
    memset(text, 'x', sizeof text);
    ar = new_load(&f, text, sizeof text);
    OK(mfcs_archive_set_limit(ar, MFCS_LIMIT_STRING, 16, NULL));
    ERR(mfcs_archive_read_line_a(ar, buf, sizeof buf, &n), MFCS_E_LIMIT);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
    ar = new_load(&f, text, sizeof text);
    OK(mfcs_archive_set_limit(ar, MFCS_LIMIT_STRING, 16, NULL));
    ERR(mfcs_archive_read_line(ar, buf, sizeof buf, &n), MFCS_E_LIMIT);   /* 8 units are 16 bytes */
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
    ar = new_load(&f, "0123456789abcdef\n", 17);                          /* 16 bytes and its newline */
    OK(mfcs_archive_set_limit(ar, MFCS_LIMIT_STRING, 16, NULL));
    OK(mfcs_archive_read_line_a(ar, buf, sizeof buf, &n));
    cr_assert_eq(n, 16);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
}

Test(lines, long_line_is_cut_but_consumed_and_measured, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_load(&f, "0123456789\nnext\n", 16);
    char buf[4];
    size_t n;
    OK(mfcs_archive_read_line_a(ar, buf, sizeof buf, &n));
    cr_assert_str_eq(buf, "012");
    cr_assert_eq(n, 10, "full length %zu", n);
    OK(mfcs_archive_read_line_a(ar, NULL, 0, &n));   /* skipped */
    cr_assert_eq(n, 4);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
}

/* ---- raw bytes and buffering ---- */

Test(buffering, nothing_reaches_the_file_before_flush, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    uint64_t len = 99;
    OK(mfcs_archive_write_u32(ar, 1));
    OK(mfcs_file_length(f, &len));
    cr_assert_eq(len, 0);
    OK(mfcs_archive_flush(ar));
    OK(mfcs_file_length(f, &len));
    cr_assert_eq(len, 4);
    OK(mfcs_archive_write_u32(ar, 2));
    OK(mfcs_archive_abort(ar));                   /* drops the buffered value */
    OK(mfcs_file_length(f, &len));
    cr_assert_eq(len, 4);
    OK(mfcs_file_close(f));
}

/* MFC's default: 4096 bytes are held, the 4097th pushes them out. */
Test(buffering, the_default_buffer_holds_4096_bytes, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    uint64_t len = 99;
    int i;
    for (i = 0; i < 4096; i++)
        OK(mfcs_archive_write_u8(ar, (uint8_t)i));
    OK(mfcs_file_length(f, &len));
    cr_assert_eq(len, 0, "%llu bytes reached the file before the buffer was full", (unsigned long long)len);
    OK(mfcs_archive_write_u8(ar, 0));
    OK(mfcs_file_length(f, &len));
    cr_assert_eq(len, 4096, "the full buffer wrote %llu bytes", (unsigned long long)len);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_length(f, &len));
    cr_assert_eq(len, 4097);
    OK(mfcs_file_close(f));
}

/* Blocks of one buffer or more that meet an empty buffer go straight to the
 * file; the bytes and their order must be those of every other path. */
Test(buffering, blocks_at_an_empty_or_partial_buffer_keep_their_order, .timeout = 60)
{
    static const size_t caps[] = { 128, 4096 };
    unsigned char blob[40000];
    size_t i, k;
    for (i = 0; i < sizeof blob; i++)
        blob[i] = (unsigned char)(i * 13 + i / 251);
    for (k = 0; k < 2; k++) {
        const size_t cap = caps[k];
        /* exactly one buffer at an empty one, more than one, then pieces
         * that leave it partial, fill it exactly, and overflow it */
        const size_t pieces[] = { cap, 2 * cap + 3, 1, cap - 1, cap, cap + 1, 3 * cap, 7, cap - 7, cap };
        mfcs_file *f;
        mfcs_archive *ar;
        const void *data;
        size_t len, at = 0, p;
        OK(mfcs_file_open_memory(&f, NULL, 0));
        OK(mfcs_archive_open(&ar, f, MFCS_STORE, cap));
        for (p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
            OK(mfcs_archive_write(ar, blob + at, pieces[p]));
            at += pieces[p];
        }
        OK(mfcs_archive_close(ar));
        OK(mfcs_file_memory_data(f, &data, &len));
        cr_assert_eq(len, at, "buffer %zu: %zu bytes written, %zu in the file", cap, at, len);
        for (i = 0; i < len && ((const unsigned char *)data)[i] == blob[i]; i++)
            ;
        cr_assert_eq(i, len, "buffer %zu: byte %zu differs", cap, i);
        OK(mfcs_file_close(f));
    }
}

Test(buffering, bytes_do_not_depend_on_buffer_size, .timeout = 60)
{
    static const size_t sizes[] = { 1, 128, 129, 4096, 65536 };
    unsigned char *blob = malloc(300000);
    const void *first = NULL, *data;
    size_t first_len = 0, len, i, k;
    mfcs_file *keep = NULL;
    for (i = 0; i < 300000; i++)
        blob[i] = (unsigned char)(i * 7);
    for (k = 0; k < 5; k++) {
        mfcs_file *f;
        mfcs_archive *ar;
        OK(mfcs_file_open_memory(&f, NULL, 0));
        OK(mfcs_archive_open(&ar, f, MFCS_STORE, sizes[k]));
        OK(mfcs_archive_write_u16(ar, 7));
        OK(mfcs_archive_write(ar, blob, 300000));
        OK(mfcs_archive_write_string_a(ar, "end", 3));
        OK(mfcs_archive_close(ar));
        OK(mfcs_file_memory_data(f, &data, &len));
        cr_assert_eq(len, 2 + 300000 + 4);
        if (!first) {
            first = data;
            first_len = len;
            keep = f;
        } else {
            cr_assert_eq(memcmp(first, data, len), 0, "buffer %zu wrote other bytes", sizes[k]);
            OK(mfcs_file_close(f));
        }
        /* And reads back through any buffer size. */
        {
            mfcs_file *g;
            unsigned char *back = malloc(300000);
            uint16_t w;
            char *s;
            OK(mfcs_file_open_memory(&g, first, first_len));
            OK(mfcs_archive_open(&ar, g, MFCS_LOAD, sizes[k]));
            OK(mfcs_archive_read_u16(ar, &w));
            OK(mfcs_archive_read(ar, back, 300000, &len));
            cr_assert_eq(len, 300000);
            cr_assert_eq(memcmp(back, blob, 300000), 0);
            OK(mfcs_archive_read_string_a(ar, &s, NULL));
            cr_assert_str_eq(s, "end");
            mfcs_free(s);
            OK(mfcs_archive_close(ar));
            OK(mfcs_file_close(g));
            free(back);
        }
    }
    OK(mfcs_file_close(keep));
    free(blob);
}

Test(buffering, raw_read_is_short_at_end_without_error, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_load(&f, "abcde", 5);
    char buf[16];
    size_t n;
    OK(mfcs_archive_read(ar, buf, 3, &n));
    cr_assert_eq(n, 3);
    OK(mfcs_archive_read(ar, buf, 16, &n));
    cr_assert_eq(n, 2);
    cr_assert_eq(memcmp(buf, "de", 2), 0);
    OK(mfcs_archive_read(ar, buf, 16, &n));
    cr_assert_eq(n, 0);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
}

Test(buffering, loading_close_hands_unread_bytes_back, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_load(&f, "\x01\x00\x00\x00REST", 8);
    uint32_t v;
    char buf[8];
    size_t n;
    int empty = -1;
    OK(mfcs_archive_read_u32(ar, &v));
    cr_assert_eq(v, 1);
    OK(mfcs_archive_is_buffer_empty(ar, &empty));
    cr_assert_eq(empty, 0, "a memory archive reads ahead: 4 bytes should wait");
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_read(f, buf, sizeof buf, &n));
    cr_assert_eq(n, 4, "the file gave %zu bytes after the archive", n);
    cr_assert_eq(memcmp(buf, "REST", 4), 0);
    /* Flush and abort hand back too. */
    OK(mfcs_file_seek(f, 0, MFCS_SEEK_SET, NULL));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_u32(ar, &v));
    OK(mfcs_archive_flush(ar));
    OK(mfcs_archive_is_buffer_empty(ar, &empty));
    cr_assert_eq(empty, 1);
    OK(mfcs_archive_read_u8(ar, (uint8_t *)buf));
    cr_assert_eq(buf[0], 'R');
    OK(mfcs_archive_abort(ar));
    OK(mfcs_file_read(f, buf, sizeof buf, &n));
    cr_assert_eq(n, 3);
    OK(mfcs_file_close(f));
}

/* ---- errors a bad call gets ---- */

Test(errors, wrong_direction_is_mode_and_sticky, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    uint32_t v;
    mfcs_err first = 0;
    ERR(mfcs_archive_read_u32(ar, &v), MFCS_E_MODE);
    ERR(mfcs_archive_write_u32(ar, 1), MFCS_E_MODE);     /* sticky: even a valid call */
    OK(mfcs_archive_error(ar, &first));
    cr_assert_eq(first, MFCS_E_MODE);
    ERR(mfcs_archive_flush(ar), MFCS_E_MODE);
    ERR(mfcs_archive_close(ar), MFCS_E_MODE);            /* closes anyway */
    ERR(mfcs_archive_write_u32(ar, 1), MFCS_E_BADHANDLE);
    OK(mfcs_file_close(f));
    ar = new_load(&f, "", 0);
    ERR(mfcs_archive_write_u8(ar, 1), MFCS_E_MODE);
    ERR(mfcs_archive_read_u8(ar, NULL), MFCS_E_MODE);
    OK(mfcs_archive_abort(ar));
    OK(mfcs_file_close(f));
}

Test(errors, eof_inside_a_value_is_sticky, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_load(&f, "\x01\x02\x03", 3);
    uint16_t w;
    uint32_t v;
    ERR(mfcs_archive_read_u32(ar, &v), MFCS_E_EOF);
    ERR(mfcs_archive_read_u16(ar, &w), MFCS_E_EOF);      /* the bytes were there, the error stays */
    ERR(mfcs_archive_close(ar), MFCS_E_EOF);
    OK(mfcs_file_close(f));
}

Test(errors, bad_handles, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f), *dead;
    int local;
    uint32_t v;
    ERR(mfcs_archive_write_u32(NULL, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_write_u32((mfcs_archive *)&local, 1), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_write_u32((mfcs_archive *)f, 1), MFCS_E_BADHANDLE); /* a file is not an archive */
    ERR(mfcs_file_write((mfcs_file *)ar, "x", 1), MFCS_E_BADHANDLE);
    dead = ar;
    OK(mfcs_archive_close(ar));
    ERR(mfcs_archive_read_u32(dead, &v), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_close(dead), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_abort(dead), MFCS_E_BADHANDLE);
    OK(mfcs_file_close(f));
    ERR(mfcs_file_close(f), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_open(&ar, f, MFCS_STORE, 0), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_open(&ar, NULL, MFCS_STORE, 0), MFCS_E_BADHANDLE);
}

Test(errors, bad_arguments, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar;
    OK(mfcs_file_open_memory(&f, NULL, 0));
    ERR(mfcs_archive_open(NULL, f, MFCS_STORE, 0), MFCS_E_INVALIDARG);
    ERR(mfcs_archive_open(&ar, f, 7, 0), MFCS_E_INVALIDARG);
    ERR(mfcs_file_open_memory(NULL, NULL, 0), MFCS_E_INVALIDARG);
    {
        mfcs_file *g = (mfcs_file *)&g;
        ERR(mfcs_file_open_memory(&g, NULL, 5), MFCS_E_INVALIDARG);
        cr_assert_null(g, "a failed open left %p in *out", (void *)g);
    }
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    ERR(mfcs_archive_error(ar, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_archive_is_loading(ar, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_archive_write(ar, NULL, 3), MFCS_E_INVALIDARG);
    OK(mfcs_archive_abort(ar));
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    ERR(mfcs_archive_write_string_a(ar, NULL, 1), MFCS_E_INVALIDARG);
    OK(mfcs_archive_abort(ar));
    OK(mfcs_file_close(f));
}

Test(errors, file_with_open_archive_does_not_close, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *a1 = new_store(&f), *a2;
    OK(mfcs_archive_open(&a2, f, MFCS_STORE, 0));
    ERR(mfcs_file_close(f), MFCS_E_STATE);
    OK(mfcs_archive_close(a1));
    ERR(mfcs_file_close(f), MFCS_E_STATE);
    OK(mfcs_archive_write_u8(a2, 9));                   /* the file still works */
    OK(mfcs_archive_close(a2));
    OK(mfcs_file_close(f));
}

/* Where did it fail? The first error keeps the call that met it and the
 * offset where that call's value began, so a protocol mismatch shows at
 * its place, not only at close ("invalid argument"). */
Test(errors, the_first_error_names_its_call_and_offset, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    mfcs_err first = -1;
    const char *call = "x";
    uint64_t at = 99;
    OK(mfcs_archive_error_detail(ar, &first, &call, &at));
    cr_assert_eq(first, MFCS_OK);
    cr_assert_null(call);
    OK(mfcs_archive_write_u32(ar, 1));
    OK(mfcs_archive_write_string(ar, "fine"));
    ERR(mfcs_archive_write_string(ar, "\xC3("), MFCS_E_INVALIDARG);   /* not UTF-8 */
    ERR(mfcs_archive_write_u32(ar, 2), MFCS_E_INVALIDARG);
    OK(mfcs_archive_error_detail(ar, &first, &call, &at));
    cr_assert_eq(first, MFCS_E_INVALIDARG);
    cr_assert_str_eq(call, "mfcs_archive_write_string");
    cr_assert_eq(at, 4 + 4 + 8, "offset %llu", (unsigned long long)at);   /* u32, FF FE FF 04, "fine" */
    ERR(mfcs_archive_close(ar), MFCS_E_INVALIDARG);
    OK(mfcs_file_close(f));

    /* Reading: a value that ran past the end, named where it began. */
    ar = new_load(&f, "\x01\x00\x00\x00\x03" "ab", 7);
    OK(mfcs_archive_read_u32(ar, NULL));
    ERR(mfcs_archive_read_string_a(ar, NULL, NULL), MFCS_E_EOF);
    OK(mfcs_archive_error_detail(ar, &first, &call, &at));
    cr_assert_eq(first, MFCS_E_EOF);
    cr_assert_str_eq(call, "mfcs_archive_read_string_a");
    cr_assert_eq(at, 4);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

Test(errors, close_returns_the_first_error, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_load(&f, "\x01", 1);
    uint32_t v;
    ERR(mfcs_archive_read_u32(ar, &v), MFCS_E_EOF);
    ERR(mfcs_archive_read_string_a(ar, NULL, NULL), MFCS_E_EOF);
    ERR(mfcs_archive_close(ar), MFCS_E_EOF);
    OK(mfcs_file_close(f));
}

Test(errors, is_loading_and_buffer_state, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    int yes = -1;
    OK(mfcs_archive_is_loading(ar, &yes));
    cr_assert_eq(yes, 0);
    OK(mfcs_archive_is_buffer_empty(ar, &yes));
    cr_assert_eq(yes, 1);
    OK(mfcs_archive_write_u8(ar, 1));
    OK(mfcs_archive_is_buffer_empty(ar, &yes));
    cr_assert_eq(yes, 0);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_seek(f, 0, MFCS_SEEK_SET, NULL));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_is_loading(ar, &yes));
    cr_assert_eq(yes, 1);
    OK(mfcs_archive_is_buffer_empty(ar, &yes));
    cr_assert_eq(yes, 1);
    OK(mfcs_archive_read_u8(ar, NULL));
    OK(mfcs_archive_is_buffer_empty(ar, &yes));
    cr_assert_eq(yes, 1);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
}
