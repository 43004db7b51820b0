/* mfcsock-dump's walk without a layout (tools/dump/walk.c): golden output
 * for small hand-made streams, the documents real MFC programs wrote, every
 * input of the fuzz corpus, and hostile input that must neither crash nor
 * take more than linear time.
 *
 * Portable: no Windows header, so it builds natively on Linux as well as
 * with mingw-w64 (run under Wine). The output goes to a scratch file and
 * is read back (scratch_file.h). */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <io.h>         /* _findfirst: the C runtime's, no windows.h */
#else
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "scratch_file.h"
#include "walk.h"

#ifndef MFCS_REAL_ARCHIVES_DIR
#define MFCS_REAL_ARCHIVES_DIR ""
#endif
#ifndef MFCS_FUZZ_CORPUS_DIR
#define MFCS_FUZZ_CORPUS_DIR ""
#endif

/* ---- helpers ---- */

/* Walks data and returns what the walk wrote, NUL-terminated (free it). */
static char *walk_text(const void *data, size_t len)
{
    FILE *f = open_scratch();
    cr_assert_eq(dump_walk((const unsigned char *)data, len, f), 0);
    return close_scratch_text(f);
}

/* Walks data and asserts the whole output. */
static void expect_walk(const void *data, size_t len, const char *expected)
{
    char *got = walk_text(data, len);
    cr_assert_str_eq(got, expected);
    free(got);
}

/* The whole file, or NULL when it is not there. */
static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *d;
    long n;
    if (!f)
        return NULL;
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    cr_assert_geq(n, 0);
    rewind(f);
    d = malloc(n > 0 ? (size_t)n : 1);
    cr_assert_not_null(d);
    cr_assert_eq(fread(d, 1, (size_t)n, f), (size_t)n, "short read of %s", path);
    fclose(f);
    *len = (size_t)n;
    return d;
}

static int starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* The last k lines of text (which ends with a newline). */
static const char *last_lines(const char *text, int k)
{
    const char *p = text + strlen(text);
    if (p > text)
        p--;                        /* the last line's newline */
    while (p > text && (p[-1] != '\n' || --k > 0))
        p--;
    return p;
}

/* How many times `what` occurs in text. (By hand: a strstr loop costs
 * quadratic time under AddressSanitizer, which measures the whole rest of
 * the text at each call.) */
static size_t count_of(const char *text, const char *what)
{
    size_t n = 0, k = strlen(what);
    const char *p;
    for (p = text; *p; p++)
        if (*p == what[0] && strncmp(p, what, k) == 0) {
            n++;
            p += k - 1;
        }
    return n;
}

/* Checks what holds for any input: every line but the last starts with an
 * offset (8 hex digits and two spaces, offsets never going back), the last
 * is the summary, and its byte counts add up to the input's length. */
static void check_shape(const char *text, size_t len, const char *what)
{
    const char *line = text, *nl;
    unsigned long total, expl, certain, guessed, unexpl, last = 0;
    int i;
    cr_assert(len == 0 || text[0] != '\0', "%s: no output", what);
    while ((nl = strchr(line, '\n')) != NULL && nl[1] != '\0') {
        unsigned long at;
        for (i = 0; i < 8; i++)
            cr_assert(strchr("0123456789abcdef", line[i]) && line[i], "%s: no offset: %.60s", what, line);
        cr_assert(line[8] == ' ' && line[9] == ' ', "%s: %.60s", what, line);
        at = strtoul(line, NULL, 16);
        cr_assert_geq(at, last, "%s: offset goes back: %.60s", what, line);
        cr_assert_lt(at, len, "%s: offset past the end: %.60s", what, line);
        last = at;
        line = nl + 1;
    }
    cr_assert_not_null(nl, "%s: the output does not end with a line", what);
    cr_assert_eq(sscanf(line, "summary: %lu bytes;", &total), 1, "%s: %s", what, line);
    cr_assert_eq(total, (unsigned long)len, "%s", what);
    line = strstr(line, "; explained ");
    cr_assert_not_null(line, "%s", what);
    cr_assert_eq(sscanf(line, "; explained %lu bytes (%lu certain, %lu guessed), unexplained %lu bytes",
                        &expl, &certain, &guessed, &unexpl), 4, "%s: %s", what, line);
    cr_assert_eq(expl, certain + guessed, "%s", what);
    cr_assert_eq(expl + unexpl, (unsigned long)len, "%s", what);
}

/* ---- golden output for hand-made streams ---- */

Test(walk, empty_input)
{
    static const char summary[] =
        "summary: 0 bytes; classes: none; explained 0 bytes (0 certain, 0 guessed), unexplained 0 bytes\n";
    expect_walk("", 0, summary);
    expect_walk(NULL, 0, summary);
    expect_walk(NULL, 5, summary);   /* no data: nothing to read, whatever len says */
    cr_assert_eq(dump_walk((const unsigned char *)"abc", 3, NULL), 0);
}

/* MFC-REFERENCE 1.7 #26 and #27, then a second class, whose index comes
 * after the objects of the first, and a WORD naming an object, not a class. */
Test(walk, class_record_object_and_reference)
{
    static const unsigned char s[] = {
        0xFF, 0xFF, 0x01, 0x00, 0x06, 0x00, 'C', 'P', 'o', 'i', 'n', 't',  /* CPoint: 1, p1: 2 */
        0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
        0x01, 0x80,                                                        /* p2: 3 */
        0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
        0xFF, 0xFF, 0x07, 0x00, 0x05, 0x00, 'C', 'L', 'i', 'n', 'e',       /* CLine: 4, its object: 5 */
        0x04, 0x80,                                                        /* CLine again: 6 */
        0x02, 0x80,                                                        /* index 2 is an object */
        0x01, 0x80,                                                        /* CPoint again: 7 */
    };
    expect_walk(s, sizeof s,
        "00000000  class CPoint, schema 1, new (map index 1); object #2 of it follows\n"
        "0000000c  01 00 00 00 02 00 00 00\n"
        "00000014  class reference 0x8001: CPoint; object #3 follows?\n"
        "00000016  03 00 00 00 04 00 00 00\n"
        "0000001e  class CLine, schema 7, new (map index 4); object #5 of it follows\n"
        "00000029  class reference 0x8004: CLine; object #6 follows?\n"
        "0000002b  02 80\n"
        "0000002d  class reference 0x8001: CPoint; object #7 follows?\n"
        "summary: 47 bytes; classes: CPoint (schema 1), CLine (schema 7); "
        "explained 29 bytes (23 certain, 6 guessed), unexplained 18 bytes\n");
}

/* 0x8001 is any WORD until a class record has given index 1 a class. */
Test(walk, class_reference_needs_a_class_recorded_before)
{
    static const unsigned char s[] = {
        0x01, 0x80, 0x00, 0x80,
        0xFF, 0xFF, 0x00, 0x00, 0x01, 0x00, '_',
        0x02, 0x80, 0x01, 0x80, 0x00, 0x80, 0xFF, 0xFF,
    };
    expect_walk(s, sizeof s,
        "00000000  01 80 00 80\n"
        "00000004  class _, schema 0, new (map index 1); object #2 of it follows\n"
        "0000000b  02 80\n"
        "0000000d  class reference 0x8001: _; object #3 follows?\n"
        "0000000f  00 80 ff ff\n"
        "summary: 19 bytes; classes: _ (schema 0); "
        "explained 9 bytes (7 certain, 2 guessed), unexplained 10 bytes\n");
}

/* Only FF FF, a schema other than FFFF, a length of 1..64 and that many
 * bytes of a C identifier make a class record. */
Test(walk, class_record_shape)
{
    static const unsigned char not_records[] = {
        0xFF, 0xFF, 0x01, 0x00, 0x00, 0x00,                 /* empty name */
        0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 'C',            /* schema FFFF */
        0xFF, 0xFF, 0x01, 0x00, 0x02, 0x00, '1', 'C',       /* starts with a digit */
        0xFF, 0xFF, 0x01, 0x00, 0x02, 0x00, 'C', '-',       /* not an identifier */
        0xFF, 0xFF, 0x01, 0x00, 0x41, 0x00, 'C',            /* 65 bytes */
        0xFF, 0xFF, 0x01, 0x00, 0x05, 0x00, 'C', 'A', 'B',  /* cut short by the end */
    };
    unsigned char big[6 + 65 + 6 + 64];
    char *text = walk_text(not_records, sizeof not_records);
    cr_assert_eq(count_of(text, "class "), 0, "%s", text);
    cr_assert(strstr(text, "classes: none"), "%s", text);
    check_shape(text, sizeof not_records, "not_records");
    free(text);

    /* A 65-byte name is not one; a 64-byte name is (MFC writes it, though
     * its reader stops at 63). */
    memcpy(big, "\xFF\xFF\x02\x00\x41\x00", 6);
    memset(big + 6, 'X', 65);
    memcpy(big + 71, "\xFF\xFF\x02\x00\x40\x00", 6);
    memset(big + 77, 'Y', 64);
    text = walk_text(big, sizeof big);
    cr_assert_eq(count_of(text, ", new (map index"), 1, "%s", text);
    cr_assert(strstr(text, "00000047  class YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY, "
                           "schema 2, new (map index 1); object #2 of it follows\n"), "%s", text);
    check_shape(text, sizeof big, "64-byte name");
    free(text);
}

Test(walk, string_a)
{
    static const unsigned char s[] = {
        0x03, 'a', 'b', 'c',                                       /* #11 */
        0x07, 'a', '"', '\\', '\t', '\r', '\n', 0xE9,              /* escapes; Latin-1 as \xNN */
        0x01, 'A',                                                 /* too short to tell */
        0x05, 'h', 'e', 0x01, 'l', 'o',                            /* a control is not text */
    };
    expect_walk(s, sizeof s,
        "00000000  string? CStringA, 3 bytes (prefix 03): \"abc\"\n"
        "00000004  string? CStringA, 7 bytes (prefix 07): \"a\\\"\\\\\\t\\r\\n\\xe9\"\n"
        "0000000c  01 41 05 68 65 01 6c 6f\n"
        "summary: 20 bytes; classes: none; explained 12 bytes (0 certain, 12 guessed), unexplained 8 bytes\n");
}

/* Lengths of 255 and more take FF + WORD, from 0xFFFE FF FFFF + DWORD; a
 * length MFC would have written in a shorter form is not a CString's. */
Test(walk, string_a_long_prefix)
{
    enum { LONG = 0xFFFE };
    unsigned char *s = malloc(3 + 300 + 8 + 7 + LONG), *p = s;
    char *text;
    cr_assert_not_null(s);
    memcpy(p, "\xFF\x2C\x01", 3);
    memset(p + 3, 'x', 300);
    p += 303;
    memcpy(p, "\xFF\x05\x00hello", 8);
    p += 8;
    memcpy(p, "\xFF\xFF\xFF\xFE\xFF\x00\x00", 7);
    memset(p + 7, 'y', LONG);
    text = walk_text(s, 3 + 300 + 8 + 7 + LONG);
    cr_assert(starts_with(text, "00000000  string? CStringA, 300 bytes (prefix FF 2C 01): \"xxxx"), "%.100s", text);
    cr_assert(strstr(text, "xxxx\"\n0000012f  ff 05 00 68 65 6c 6c 6f\n"
                           "00000137  string? CStringA, 65534 bytes (prefix FF FF FF FE FF 00 00): \"yyyy"),
              "%.500s", text + 300);
    cr_assert(starts_with(last_lines(text, 1), "summary: 65852 bytes; classes: none; "
                          "explained 65844 bytes (0 certain, 65844 guessed), unexplained 8 bytes\n"),
              "%s", last_lines(text, 1));
    free(text);
    free(s);
}

Test(walk, string_w)
{
    static const unsigned char s[] = {
        0xFF, 0xFE, 0xFF, 0x02, 'h', 0, 'i', 0,                    /* #18 */
        0xFF, 0xFE, 0xFF, 0x00,                                    /* empty: the marker says enough */
        0xFF, 0xFE, 0xFF, 0x05, 0xE9, 0x00, 0xAC, 0x20,            /* e-acute, euro sign, */
        0x3D, 0xD8, 0x00, 0xDE, '"', 0,                            /* U+1F600 as a pair, a quote */
        0xFF, 0xFE, 0xFF, 0x01, 0x00, 0xDE,                        /* a lone low surrogate */
        0xFF, 0xFE, 0xFF, 0x01, 0x3D, 0xD8,                        /* a lone high surrogate */
    };
    expect_walk(s, sizeof s,
        "00000000  string? CStringW, 2 units (prefix FF FE FF 02): \"hi\"\n"
        "00000008  string? CStringW, 0 units (prefix FF FE FF 00): \"\"\n"
        "0000000c  string? CStringW, 5 units (prefix FF FE FF 05): \"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\\\"\"\n"
        "0000001a  ff fe ff 01 00 de ff fe ff 01 3d d8\n"
        "summary: 38 bytes; classes: none; explained 26 bytes (0 certain, 26 guessed), unexplained 12 bytes\n");
}

/* The second half of a surrogate pair cut off by the string's length. */
Test(walk, string_w_never_cuts_a_pair)
{
    static const unsigned char s[] = { 0xFF, 0xFE, 0xFF, 0x02, 'a', 0, 0x3D, 0xD8, 0x00, 0xDE };
    char *text = walk_text(s, sizeof s);
    cr_assert_eq(count_of(text, "string?"), 0, "%s", text);
    check_shape(text, sizeof s, "cut pair");
    free(text);
}

Test(walk, unexplained_bytes_in_lines_of_16)
{
    unsigned char s[40];
    size_t i;
    for (i = 0; i < sizeof s; i++)
        s[i] = (unsigned char)(0x80 + i);   /* no shape in there */
    expect_walk(s, sizeof s,
        "00000000  80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d 8e 8f\n"
        "00000010  90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d 9e 9f\n"
        "00000020  a0 a1 a2 a3 a4 a5 a6 a7\n"
        "summary: 40 bytes; classes: none; explained 0 bytes (0 certain, 0 guessed), unexplained 40 bytes\n");
}

/* A plausible UTF-16 string whose units hold a class record (the record
 * starts at its fifth byte): the certain finding wins. */
Test(walk, guesses_never_cover_a_class_record)
{
    static const unsigned char s[] = {
        0xFF, 0xFE, 0xFF, 0x04,
        'A', 0xFF, 0xFF, 0x01, 0x00, 0x02, 0x00, 'C', 'A',         /* units FF41 01FF 0200 4300 */
    };
    expect_walk(s, sizeof s,
        "00000000  ff fe ff 04 41\n"
        "00000005  class CA, schema 1, new (map index 1); object #2 of it follows\n"
        "summary: 13 bytes; classes: CA (schema 1); explained 8 bytes (8 certain, 0 guessed), unexplained 5 bytes\n");
}

/* Past index 0x7FFE, a class is referred to as 7FFF + DWORD 0x80000000|i. */
Test(walk, big_class_reference)
{
    enum { REFS = 0x7FFC };   /* CPoint 1, its object 2, then 3..0x7FFE */
    size_t len = 12 + 2 * REFS + 10 + 6 + 2, i;
    unsigned char *s = malloc(len), *p = s;
    char *text;
    cr_assert_not_null(s);
    memcpy(p, "\xFF\xFF\x01\x00\x06\x00" "CPoint", 12);
    p += 12;
    for (i = 0; i < REFS; i++, p += 2)
        memcpy(p, "\x01\x80", 2);
    memcpy(p, "\xFF\xFF\x03\x00\x04\x00" "CBig", 10);              /* index 0x7FFF */
    p += 10;
    memcpy(p, "\xFF\x7F\xFF\x7F\x00\x80", 6);                      /* 7FFF, 0x80007FFF */
    p += 6;
    memcpy(p, "\xFF\x7F", 2);                                       /* a WORD cannot say it */
    text = walk_text(s, len);
    cr_assert_eq(count_of(text, "class reference 0x8001: CPoint;"), REFS);
    cr_assert_str_eq(last_lines(text, 5),
        "00010002  class reference 0x8001: CPoint; object #32766 follows?\n"
        "00010004  class CBig, schema 3, new (map index 32767); object #32768 of it follows\n"
        "0001000e  class reference 0x80007fff (after 7FFF): CBig; object #32769 follows?\n"
        "00010014  ff 7f\n"
        "summary: 65558 bytes; classes: CPoint (schema 1), CBig (schema 3); "
        "explained 65556 bytes (22 certain, 65534 guessed), unexplained 2 bytes\n");
    free(text);
    free(s);
}

/* The summary names 32 classes and counts the others. */
Test(walk, summary_of_many_classes)
{
    unsigned char s[40 * 9];
    size_t i;
    char *text;
    for (i = 0; i < 40; i++) {
        memcpy(s + 9 * i, "\xFF\xFF\x01\x00\x03\x00" "C", 7);
        s[9 * i + 7] = (unsigned char)('A' + i / 26);
        s[9 * i + 8] = (unsigned char)('a' + i % 26);
    }
    text = walk_text(s, sizeof s);
    cr_assert_eq(count_of(text, ", new (map index"), 40);
    cr_assert(strstr(text, "summary: 360 bytes; classes: CAa (schema 1), CAb (schema 1), "), "%s", text);
    cr_assert(strstr(text, ", CBf (schema 1), ... (8 more); explained 360 bytes (360 certain, 0 guessed), "
                           "unexplained 0 bytes\n"), "%s", text);
    check_shape(text, sizeof s, "many classes");
    free(text);
}

/* ---- hostile input: always finishes, in linear time ---- */

static unsigned long long lcg_state;

static unsigned lcg(void)
{
    lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(lcg_state >> 33);
}

/* Random bytes, and random bytes drawn from the few values the shapes are
 * made of, so that the shapes half-match everywhere. */
Test(walk, random_bytes, .timeout = 120)
{
    static const unsigned char alphabet[] = { 0xFF, 0xFE, 0x00, 0x01, 0x80, 0x7F, 0x02, 'C', 'a', 0x40, 0xD8, 0xDC };
    size_t len = 1 << 20, i;
    unsigned char *s = malloc(len);
    int round;
    cr_assert_not_null(s);
    lcg_state = 42;
    for (round = 0; round < 6; round++) {
        char *text;
        size_t n = round < 3 ? len : 1000 + lcg() % 5000;
        for (i = 0; i < n; i++)
            s[i] = round & 1 ? alphabet[lcg() % sizeof alphabet] : (unsigned char)lcg();
        text = walk_text(s, n);
        check_shape(text, n, "random");
        free(text);
    }
    free(s);
}

/* Shapes that a quadratic walk would choke on: 4 MiB each, long runs of
 * text with a length byte at every offset, endless wide markers, prefixes
 * that promise more than there is, a class referred to 2 million times. */
Test(walk, adversarial_input_takes_linear_time, .timeout = 60)
{
    size_t len = (size_t)4 << 20, i;
    unsigned char *s = malloc(len);
    int pattern;
    cr_assert_not_null(s);
    for (pattern = 0; pattern < 8; pattern++) {
        char *text;
        for (i = 0; i < len; i++) {
            switch (pattern) {
            case 0: s[i] = 0xFF; break;
            case 1: s[i] = 0xFE; break;                              /* text; each byte a length */
            case 2: s[i] = i + 1 < len ? 'A' : 0x01; break;          /* 'A' = 65 everywhere */
            case 3: s[i] = (unsigned char)"\xFF\xFE\xFF"[i % 3]; break;
            case 4: s[i] = (unsigned char)"\xFF\xFE\xFF\xFF\xFF\xFF"[i % 6]; break; /* wide, DWORD lengths */
            case 5: s[i] = i % 2 ? 0x4E : 0x2D; break;               /* wide text, no marker */
            case 6: s[i] = (unsigned char)"\xFF\xFF\xFF\xFF\xFF\xFF\x41\x41"[i % 8]; break;
            default: s[i] = i % 2 ? 0x80 : 0x01; break;              /* 0x8001 over and over */
            }
        }
        if (pattern == 5)
            memcpy(s + len / 2, "\xFF\xFE\xFF\xFF\xFF\xFF", 6);      /* one huge wide string */
        if (pattern == 7)
            memcpy(s, "\xFF\xFF\x01\x00\x01\x00" "C", 7);
        text = walk_text(s, len);
        check_shape(text, len, "adversarial");
        if (pattern == 7)
            cr_assert(starts_with(last_lines(text, 2),
                                  "003ffffe  class reference 0x8001: C; object #2097150 follows?\nsummary: "),
                      "%s", last_lines(text, 2));
        free(text);
    }
    free(s);
}

/* ---- documents written by real MFC programs ---- */

static char *walk_real(const char *name, size_t *len)
{
    char path[1024];
    unsigned char *d;
    char *text;
    snprintf(path, sizeof path, "%s/%s", MFCS_REAL_ARCHIVES_DIR, name);
    d = read_file(path, len);
    if (!d)
        cr_skip_test("%s is not there (shared/mfc-real-archives beside the repository)", path);
    text = walk_text(d, *len);
    free(d);
    check_shape(text, *len, name);
    return text;
}

Test(real, scribble)
{
    size_t len;
    char *text = walk_real("scribble-step5-Scribb1.SCB", &len);
    /* the document's CSize and the CObList's count, then four strokes */
    cr_assert(starts_with(text,
        "00000000  20 03 00 00 84 03 00 00 04 00\n"
        "0000000a  class CStroke, schema 2, new (map index 1); object #2 of it follows\n"), "%s", text);
    cr_assert(strstr(text, "0000004b  class reference 0x8001: CStroke; object #3 follows?\n"), "%s", text);
    cr_assert(strstr(text, "00000269  class reference 0x8001: CStroke; object #4 follows?\n"), "%s", text);
    cr_assert(strstr(text, "000002e7  class reference 0x8001: CStroke; object #5 follows?\n"), "%s", text);
    cr_assert_eq(count_of(text, "class reference"), 3);
    cr_assert_eq(count_of(text, "string?"), 0);
    cr_assert(strstr(text, "summary: 781 bytes; classes: CStroke (schema 2); "), "%s", text);
    free(text);
}

Test(real, hiersvr)
{
    size_t len;
    char *text = walk_real("hiersvr-mfcclass.hie", &len);
    cr_assert(strstr(text, "00000047  class CServerNode, schema 0, new (map index 1); object #2 of it follows\n"));
    cr_assert(strstr(text, "string? CStringA, 19 bytes (prefix 13): \"MFC Class Hierarchy\"\n"));
    cr_assert(strstr(text, "string? CStringA, 8 bytes (prefix 08): \"CArchive\"\n"));
    cr_assert(strstr(text, "class reference 0x8001: CServerNode; object #3 follows?\n"));
    cr_assert(strstr(text, "classes: CServerNode (schema 0);"));
    free(text);
}

Test(real, tunings)
{
    size_t len;
    char *text = walk_real("tunings.dat", &len);
    /* a CObArray of 85 CTunings: one class record and 84 references */
    cr_assert(starts_with(text,
        "00000000  55 00\n"
        "00000002  class CTuning, schema 1, new (map index 1); object #2 of it follows\n"
        "0000000f  string? CStringA, 17 bytes (prefix 11): \"Mountain Dulcimer\"\n"), "%s", text);
    cr_assert_eq(count_of(text, "class reference 0x8001: CTuning;"), 84);
    cr_assert(strstr(text, "; object #86 follows?\n"));
    cr_assert(strstr(text, "(prefix 10): \"Bass-Down \\xbd Step\"\n"));   /* cp1252 one-half */
    cr_assert(strstr(text, "classes: CTuning (schema 1);"));
    free(text);
}

Test(real, letter)
{
    size_t len;
    char *text = walk_real("letter-MFCexp1.bin", &len);
    cr_assert(strstr(text, "00000002  class CLetter, schema 1, new (map index 1); object #2 of it follows\n"));
    /* a CObList of 22 letters (the count 0x16 first) */
    cr_assert(starts_with(text, "00000000  16 00\n"), "%s", text);
    cr_assert_eq(count_of(text, "class reference 0x8001: CLetter;"), 21);
    cr_assert(strstr(text, "000000f4  class reference 0x8001: CLetter; object #23 follows?\n"));
    free(text);
}

Test(real, jww_2blocks)
{
    size_t len;
    char *text = walk_real("2blocks.jww", &len);
    cr_assert(strstr(text, "class CDataBlock, schema 700, new (map index 1); object #2 of it follows\n"));
    cr_assert(strstr(text, "summary: 18071 bytes; classes: CDataBlock (schema 700), CDataMoji (schema 700), "
                           "CDataList (schema 700), CDataSen (schema 700), CDataEnko (schema 700);"), "%s",
              strstr(text, "summary"));
    /* Unicode CStrings: layer names in Japanese, colour names */
    cr_assert(strstr(text, "string? CStringW, 3 units (prefix FF FE FF 03): \"\xE9\x80\x9A\xE3\x82\x8A\xE8\x8A\xAF\"\n"));
    cr_assert(strstr(text, "00001af8  string? CStringW, 5 units (prefix FF FE FF 05): \"black\"\n"));
    cr_assert_eq(count_of(text, "CStringA"), 0);
    free(text);
}

/* The game's creature export: seven classes, named without a 'C' for some
 * (Body, Limb), Limb's objects one after another. */
Test(real, creatures)
{
    size_t len;
    char *text = walk_real("creatures1-c1exp.exp", &len);
    cr_assert(starts_with(text, "00000000  class Creature, schema 1, new (map index 1); object #2 of it follows\n"));
    cr_assert(strstr(text, "00000027  class CGallery, schema 1, new (map index 3); object #4 of it follows\n"));
    cr_assert(strstr(text, "00000867  class Body, schema 1, new (map index 5); object #6 of it follows\n"));
    cr_assert(strstr(text, "00000902  class Limb, schema 1, new (map index 7); object #8 of it follows\n"));
    cr_assert(strstr(text, "0000094f  class reference 0x8007: Limb; object #9 follows?\n"));
    cr_assert(strstr(text, "summary: 91225 bytes; classes: Creature (schema 1), CGallery (schema 1), "
                           "Body (schema 1), Limb (schema 1), CBrain (schema 1), CBiochemistry (schema 1), "
                           "CGenome (schema 1);"), "%s", strstr(text, "summary"));
    free(text);
}

/* Power Tab Editor: the song's header strings, then the guitars. */
Test(real, power_tab_guitars)
{
    size_t len;
    char *text = walk_real("guitars.ptb", &len);
    cr_assert(strstr(text, "00000008  string? CStringA, 10 bytes (prefix 0A): \"Some Title\"\n"));
    cr_assert(strstr(text, "0000008c  class CGuitar, schema 1, new (map index 1); object #2 of it follows\n"));
    cr_assert(strstr(text, "000000c0  class reference 0x8001: CGuitar; object #3 follows?\n"));
    cr_assert(strstr(text, "000000f1  class CGuitarIn, schema 1, new (map index 4); object #5 of it follows\n"));
    free(text);
}

/* ---- the fuzz corpus ---- */

/* Calls fn for each regular file of dir; returns how many, or -1 when dir
 * cannot be listed. */
static long for_each_file(const char *dir, void (*fn)(const char *path))
{
    char path[1024];
    long n = 0;
#ifdef _WIN32
    struct _finddata_t fd;
    intptr_t h;
    snprintf(path, sizeof path, "%s/*", dir);
    if ((h = _findfirst(path, &fd)) == -1)
        return -1;
    do {
        if (fd.attrib & _A_SUBDIR)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, fd.name);
        fn(path);
        n++;
    } while (_findnext(h, &fd) == 0);
    _findclose(h);
#else
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        fn(path);
        n++;
    }
    closedir(d);
#endif
    return n;
}

static void walk_corpus_file(const char *path)
{
    size_t len;
    unsigned char *d = read_file(path, &len);
    char *text;
    cr_assert_not_null(d, "cannot read %s", path);
    text = walk_text(d, len);
    check_shape(text, len, path);
    free(text);
    free(d);
}

Test(corpus, every_input_walks, .timeout = 300)
{
    long n;
    if (!MFCS_FUZZ_CORPUS_DIR[0])
        cr_skip_test("MFCS_FUZZ_CORPUS_DIR is not defined");
    n = for_each_file(MFCS_FUZZ_CORPUS_DIR, walk_corpus_file);
    if (n < 0)
        cr_skip_test("no corpus at %s", MFCS_FUZZ_CORPUS_DIR);
    cr_assert_gt(n, 1000, "only %ld inputs in %s", n, MFCS_FUZZ_CORPUS_DIR);
}
