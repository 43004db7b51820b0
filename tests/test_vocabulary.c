/* The vocabulary MFC programs serialize (mfcsock/vocabulary.h): collections,
 * maps in MFC's hash order, value types, the per-archive MFC version, and
 * the Unicode line calls of mfcsock/archive.h.
 *
 * Every golden vector here is derived by hand from shared/MFC-VOCABULARY.md
 * (sections V1, V2, V4) and MFC-REFERENCE.md section 1, never from the
 * library's output: the map orders were computed from MFC's two hash
 * generations and head-of-chain insertion. Each vector is checked both
 * ways: writing gives exactly these bytes, reading them gives the values. */
#include "archive_util.h"
#include "alloc_spy.h"

#include <windows.h>

#include <stdint.h>
#include <wchar.h>

static void lib_init(void) { cr_assert_eq(mfcs_init(), MFCS_OK); }
static void lib_term(void) { mfcs_term(); }

TestSuite(mfc_version, .init = lib_init, .fini = lib_term, .timeout = 30);
TestSuite(counts, .init = lib_init, .fini = lib_term, .timeout = 60);
TestSuite(object_lists, .init = lib_init, .fini = lib_term, .timeout = 30);
TestSuite(string_lists, .init = lib_init, .fini = lib_term, .timeout = 30);
TestSuite(value_arrays, .init = lib_init, .fini = lib_term, .timeout = 30);
TestSuite(elements, .init = lib_init, .fini = lib_term, .timeout = 30);
TestSuite(map_order, .init = lib_init, .fini = lib_term, .timeout = 30);
TestSuite(maps, .init = lib_init, .fini = lib_term, .timeout = 30);
TestSuite(object_maps, .init = lib_init, .fini = lib_term, .timeout = 30);
TestSuite(geometry, .init = lib_init, .fini = lib_term, .timeout = 30);
TestSuite(ctime, .init = lib_init, .fini = lib_term, .timeout = 30);
TestSuite(ctimespan, .init = lib_init, .fini = lib_term, .timeout = 30);
TestSuite(ole_date, .init = lib_init, .fini = lib_term, .timeout = 30);
TestSuite(currency, .init = lib_init, .fini = lib_term, .timeout = 30);
TestSuite(variant, .init = lib_init, .fini = lib_term, .timeout = 30);
TestSuite(combstr, .init = lib_init, .fini = lib_term, .timeout = 30);
TestSuite(lines, .init = lib_init, .fini = lib_term, .timeout = 30);
TestSuite(errors, .init = lib_init, .fini = lib_term, .timeout = 60);
TestSuite(hostile, .init = lib_init, .fini = lib_term, .timeout = 60);

/* ---- helpers ---- */

/* Pieces of the vectors. A CStringW of one ASCII character; a CStringA of
 * one; the first CPoint object of an archive (class index 1) and the first
 * CSize class record after it. */
#define W1(c) "FF FE FF 01 " c " 00 "
#define A1(c) "01 " c " "
#define CPOINT_NEW "FF FF 01 00 06 00 43 50 6F 69 6E 74 "
#define CSIZE_NEW  "FF FF 02 00 05 00 43 53 69 7A 65 "
#define PT(x, y) x " 00 00 00 " y " 00 00 00 "   /* a point object's two LONGs (small values) */

typedef struct bytes { unsigned char *p; size_t n; } bytes;

static bytes hexb(const char *hex)
{
    bytes b;
    size_t cap = strlen(hex) / 2 + 1;
    b.p = malloc(cap);
    cr_assert_not_null(b.p);
    b.n = unhex(hex, b.p, cap);
    return b;
}

static const char *hexs(const void *p, size_t n)
{
    static char out[3 * 96 + 8];
    size_t i, o = 0;
    for (i = 0; i < n && i < 96; i++)
        o += (size_t)snprintf(out + o, sizeof out - o, "%02X ", ((const unsigned char *)p)[i]);
    if (i < n)
        snprintf(out + o, sizeof out - o, "...");
    return out;
}

/* Closes the storing archive and checks the file holds exactly hex (no size cap). */
static void expect_wire(mfcs_archive *ar, mfcs_file *f, const char *hex)
{
    bytes want = hexb(hex);
    const void *data;
    size_t len, i;
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_memory_data(f, &data, &len));
    for (i = 0; i < len && i < want.n; i++)
        cr_assert_eq(((const unsigned char *)data)[i], want.p[i],
                     "byte %zu is %02X, want %02X\nwrote %s\nwant  %s", i, ((const unsigned char *)data)[i],
                     want.p[i], hexs(data, len), hex);
    cr_assert_eq(len, want.n, "wrote %zu bytes, want %zu\nwrote %s\nwant  %s", len, want.n, hexs(data, len), hex);
    free(want.p);
    OK(mfcs_file_close(f));
}

static mfcs_archive *load_hex(mfcs_file **f, const char *hex)
{
    bytes b = hexb(hex);
    mfcs_archive *ar = new_load(f, b.p, b.n);
    free(b.p);
    return ar;
}

static mfcs_archive *store_v(mfcs_file **f, unsigned version)
{
    mfcs_archive *ar = new_store(f);
    OK(mfcs_archive_set_mfc_version(ar, version));
    return ar;
}

static mfcs_archive *load_hex_v(mfcs_file **f, const char *hex, unsigned version)
{
    mfcs_archive *ar = load_hex(f, hex);
    OK(mfcs_archive_set_mfc_version(ar, version));
    return ar;
}

static void expect_sticky(mfcs_archive *ar, mfcs_err want)
{
    mfcs_err first = (mfcs_err)-1;
    OK(mfcs_archive_error(ar, &first));
    cr_assert_eq(first, want, "sticky error 0x%08X, want 0x%08X", (unsigned)first, (unsigned)want);
}

/* A loading archive that has consumed everything: a value read whole
 * leaves nothing behind, and the next read finds the end. */
static void expect_drained(mfcs_archive *ar)
{
    uint8_t b;
    ERR(mfcs_archive_read_u8(ar, &b), MFCS_E_END);
}

static void close_load(mfcs_archive *ar, mfcs_file *f)
{
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
}

static mfcs_class *cpoint, *csize;

/* Two classes sharing point.h's counted objects: CPoint (schema 1) and CSize (schema 2). */
static void register_classes(void)
{
    OK(mfcs_class_register(&cpoint, "CPoint", 1, &point_ops, NULL));
    OK(mfcs_class_register(&csize, "CSize", 2, &point_ops, NULL));
}

/* Destroys each distinct object of a list once (repeats are the same pointer). */
static void destroy_all(void **o, size_t n)
{
    size_t i, j;
    for (i = 0; i < n; i++) {
        for (j = 0; j < i && o[j] != o[i]; j++)
            ;
        if (o[i] && j == i)
            point_destroy(o[i], NULL);
    }
}

static void expect_point(const void *o, int32_t x, int32_t y)
{
    const point *p = (const point *)o;
    cr_assert_not_null(p);
    cr_assert(p->x == x && p->y == y, "object (%d, %d), want (%d, %d)", p->x, p->y, x, y);
}

/* ================================================================== */
/* V4 and the header: which MFC the other side is                       */
/* ================================================================== */

Test(mfc_version, default_is_14_and_any_number_is_kept)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    unsigned v = 0;
    OK(mfcs_archive_mfc_version(ar, &v));
    cr_assert_eq(v, MFCS_MFC_14);
    OK(mfcs_archive_set_mfc_version(ar, 0x0710));          /* 7.1: between the named ones */
    OK(mfcs_archive_mfc_version(ar, &v));
    cr_assert_eq(v, 0x0710u);
    OK(mfcs_archive_set_mfc_version(ar, MFCS_MFC_4));      /* the lowest taken */
    OK(mfcs_archive_mfc_version(ar, &v));
    cr_assert_eq(v, MFCS_MFC_4);
    OK(mfcs_archive_set_mfc_version(ar, 0x1100));          /* a future MFC: the current forms */
    OK(mfcs_archive_mfc_version(ar, &v));
    cr_assert_eq(v, 0x1100u);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
}

Test(mfc_version, below_4_and_bad_calls_are_refused)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    unsigned v = 0;
    OK(mfcs_archive_set_mfc_version(ar, MFCS_MFC_9));
    ERR(mfcs_archive_set_mfc_version(ar, 0x03FF), MFCS_E_INVALIDARG);
    ERR(mfcs_archive_set_mfc_version(ar, 0), MFCS_E_INVALIDARG);
    OK(mfcs_archive_mfc_version(ar, &v));
    cr_assert_eq(v, MFCS_MFC_9, "a refused version replaced the one set: 0x%04X", v);
    ERR(mfcs_archive_mfc_version(ar, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_archive_set_mfc_version(NULL, MFCS_MFC_9), MFCS_E_BADHANDLE);
    ERR(mfcs_archive_mfc_version(NULL, &v), MFCS_E_BADHANDLE);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* Where each version falls decides three things at once: CTime's form
 * (marker from 8.0), the map hash (new from 10.0), COleVariant's five
 * extra types (from 9.0). One archive per version: CTime 1, then the ANSI
 * map {a->1, b->2, c->3} (buckets 12,13,14 old, 15,14,13 new). */
Test(mfc_version, each_version_picks_its_forms)
{
    static const struct { unsigned v; int marker, new_hash, vt9; } t[] = {
        { 0x0400, 0, 0, 0 }, { 0x0600, 0, 0, 0 }, { 0x0700, 0, 0, 0 }, { 0x0710, 0, 0, 0 },
        { 0x07FF, 0, 0, 0 }, { 0x0800, 1, 0, 0 }, { 0x08FF, 1, 0, 0 }, { 0x0900, 1, 0, 1 },
        { 0x09FF, 1, 0, 1 }, { 0x0A00, 1, 1, 1 }, { 0x0E00, 1, 1, 1 }, { 0x1100, 1, 1, 1 },
    };
    static const char *const keys[] = { "a", "b", "c" }, *const vals[] = { "1", "2", "3" };
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        mfcs_file *f;
        mfcs_archive *ar = store_v(&f, t[i].v);
        mfcs_variant var;
        size_t order[3], count = 0;
        char want[256];
        cr_log_info("MFC 0x%04X", t[i].v);
        OK(mfcs_archive_write_time(ar, 1));
        OK(mfcs_archive_write_map_string_to_string_a(ar, keys, vals, 3, MFCS_MAP_DEFAULT_SIZE));
        snprintf(want, sizeof want, "%s 03 00 %s",
                 t[i].marker ? "0A 00 00 80 01 00 00 00 00 00 00 00" : "01 00 00 00",
                 t[i].new_hash ? A1("63") A1("33") A1("62") A1("32") A1("61") A1("31")
                               : A1("61") A1("31") A1("62") A1("32") A1("63") A1("33"));
        expect_wire(ar, f, want);

        OK(mfcs_map_order_strings(t[i].v, keys, 3, 1, MFCS_MAP_DEFAULT_SIZE, order, &count));
        cr_assert_eq(count, 3);
        if (t[i].new_hash)
            cr_assert(order[0] == 2 && order[1] == 1 && order[2] == 0, "0x%04X: %zu %zu %zu", t[i].v,
                      order[0], order[1], order[2]);
        else
            cr_assert(order[0] == 0 && order[1] == 1 && order[2] == 2, "0x%04X: %zu %zu %zu", t[i].v,
                      order[0], order[1], order[2]);

        ar = store_v(&f, t[i].v);
        memset(&var, 0, sizeof var);
        var.vt = MFCS_VT_I8;
        var.v.i8 = -2;
        if (t[i].vt9) {
            OK(mfcs_archive_write_variant(ar, &var));
            expect_wire(ar, f, "14 00 FE FF FF FF FF FF FF FF");
        } else {
            ERR(mfcs_archive_write_variant(ar, &var), MFCS_E_UNSUPPORTED);
            mfcs_archive_abort(ar);
            OK(mfcs_file_close(f));
        }
    }
}

/* ================================================================== */
/* V1.1, V1.2: a collection is its count and its elements, no header    */
/* ================================================================== */

static mfcs_err MFCS_CALL never_called(mfcs_archive *ar, size_t i, void *ctx)
{
    (void)ar; (void)i; (void)ctx;
    cr_assert_fail("an element function was called for an empty collection");
    return MFCS_E_STATE;
}

/* Every empty collection is the count 0 alone ("the writer stops after
 * 00 00" for maps too), whichever hash the map would use. */
Test(counts, empty_collections_are_a_zero_count)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    void **objs = NULL;
    const mfcs_class **cls = NULL;
    char **ss = NULL, **vs = NULL;
    wchar_t **ws = NULL;
    size_t *lens = NULL, n = 99, k;
    uint8_t *b = NULL;
    uint16_t *w = NULL, *wk = NULL;
    uint32_t *d = NULL;
    void *raw = NULL, *rk = NULL, *rv = NULL;
    /* Arrays that are there but hold nothing to use (string arrays may not be NULL). */
    static const char *const none[] = { "unused" };
    static const wchar_t *const wnone[] = { L"unused" };
    static const uint16_t knone[] = { 9 };
    void *const onone[] = { NULL };
    register_classes();
    OK(mfcs_archive_write_object_list(ar, NULL, 0, cpoint, NULL));
    OK(mfcs_archive_write_string_list(ar, none, 0));
    OK(mfcs_archive_write_string_list_a(ar, none, NULL, 0));
    OK(mfcs_archive_write_string_list_w(ar, wnone, NULL, 0));
    OK(mfcs_archive_write_byte_array(ar, NULL, 0));
    OK(mfcs_archive_write_word_array(ar, NULL, 0));
    OK(mfcs_archive_write_dword_array(ar, NULL, 0));
    OK(mfcs_archive_write_raw_list(ar, NULL, 8, 0));
    OK(mfcs_archive_write_elements(ar, 0, never_called, NULL));
    OK(mfcs_archive_write_map_string_to_string(ar, none, none, 0, MFCS_MAP_DEFAULT_SIZE));
    OK(mfcs_archive_write_map_string_to_string_a(ar, none, none, 0, MFCS_MAP_DEFAULT_SIZE));
    OK(mfcs_archive_write_map_string_to_object(ar, none, onone, 0, cpoint, NULL, MFCS_MAP_DEFAULT_SIZE));
    OK(mfcs_archive_write_map_word_to_object(ar, knone, onone, 0, cpoint, NULL, MFCS_MAP_DEFAULT_SIZE));
    OK(mfcs_archive_write_raw_map(ar, NULL, 4, 1, NULL, 4, 0, MFCS_MAP_DEFAULT_SIZE));
    expect_wire(ar, f, "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");

    ar = load_hex(&f, "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
    OK(mfcs_archive_read_object_list(ar, NULL, &objs, &cls, &n));
    cr_assert_eq(n, 0);
    mfcs_free(objs);
    n = 99;
    OK(mfcs_archive_read_string_list(ar, &ss, &n));
    cr_assert_eq(n, 0);
    mfcs_free(ss);
    n = 99;
    OK(mfcs_archive_read_string_list_a(ar, &ss, &lens, &n));
    cr_assert_eq(n, 0);
    mfcs_free(ss);
    n = 99;
    OK(mfcs_archive_read_string_list_w(ar, &ws, &lens, &n));
    cr_assert_eq(n, 0);
    mfcs_free(ws);
    n = 99;
    OK(mfcs_archive_read_byte_array(ar, &b, &n));
    cr_assert_eq(n, 0);
    cr_assert_not_null(b, "an empty CByteArray read gave a NULL block (the header promises one)");
    mfcs_free(b);
    n = 99;
    OK(mfcs_archive_read_word_array(ar, &w, &n));
    cr_assert_eq(n, 0);
    mfcs_free(w);
    n = 99;
    OK(mfcs_archive_read_dword_array(ar, &d, &n));
    cr_assert_eq(n, 0);
    mfcs_free(d);
    n = 99;
    OK(mfcs_archive_read_raw_list(ar, 8, &raw, &n));
    cr_assert_eq(n, 0);
    mfcs_free(raw);
    k = 99;
    OK(mfcs_archive_read_elements(ar, never_called, NULL, &k));
    cr_assert_eq(k, 0);
    n = 99;
    OK(mfcs_archive_read_map_string_to_string(ar, &ss, &vs, &n));
    cr_assert_eq(n, 0);
    mfcs_free(ss);
    n = 99;
    OK(mfcs_archive_read_map_string_to_string_a(ar, &ss, &vs, &n));
    cr_assert_eq(n, 0);
    mfcs_free(ss);
    n = 99;
    OK(mfcs_archive_read_map_string_to_object(ar, NULL, &ss, &objs, &n));
    cr_assert_eq(n, 0);
    mfcs_free(ss);
    n = 99;
    OK(mfcs_archive_read_map_word_to_object(ar, NULL, &wk, &objs, &n));
    cr_assert_eq(n, 0);
    mfcs_free(wk);
    expect_drained(ar);     /* 13 reads took exactly 13 counts */
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));

    ar = load_hex(&f, "00 00");
    n = 99;
    OK(mfcs_archive_read_raw_map(ar, 4, &rk, 4, &rv, &n));
    cr_assert_eq(n, 0);
    mfcs_free(rk);
    close_load(ar, f);
}

/* A CByteArray of n bytes 0, 7, 14, ... */
static void byte_array_boundary(size_t n, const char *head_hex)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    bytes head = hexb(head_hex);
    uint8_t *v = malloc(n), *back = NULL;
    const void *data;
    size_t len, i, m = 0;
    cr_assert_not_null(v);
    for (i = 0; i < n; i++)
        v[i] = (uint8_t)(i * 7);
    OK(mfcs_archive_write_byte_array(ar, v, n));
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_memory_data(f, &data, &len));
    cr_assert_eq(len, head.n + n, "%zu elements: %zu bytes", n, len);
    cr_assert(!memcmp(data, head.p, head.n), "%zu elements: count %s, want %s", n, hexs(data, head.n), head_hex);
    cr_assert(!memcmp((const uint8_t *)data + head.n, v, n), "%zu elements: the bytes differ", n);

    OK(mfcs_file_seek(f, 0, MFCS_SEEK_SET, NULL));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_byte_array(ar, &back, &m));
    cr_assert_eq(m, n);
    cr_assert(!memcmp(back, v, n));
    mfcs_free(back);
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
    free(v);
    free(head.p);
}

/* WriteCount: a WORD below 0xFFFF; 0xFFFF itself already takes the escape
 * FF FF + DWORD (MFC-REFERENCE 1.2). */
Test(counts, the_escape_starts_at_0xFFFF)
{
    byte_array_boundary(0xFFFE, "FE FF");
    byte_array_boundary(0xFFFF, "FF FF FF FF 00 00");
    byte_array_boundary(0x10000, "FF FF 00 00 01 00");
}

/* A reader takes all three count forms, whichever platform wrote them
 * (V1.2): a DWORD or QWORD escape even for a small count. */
Test(counts, every_count_form_reads)
{
    mfcs_file *f;
    mfcs_archive *ar = load_hex(&f, "FF FF 03 00 00 00 01 02 03  "
                                    "FF FF FF FF FF FF 02 00 00 00 00 00 00 00 34 12 78 56");
    uint8_t *b = NULL;
    uint16_t *w = NULL;
    size_t n = 0;
    OK(mfcs_archive_read_byte_array(ar, &b, &n));
    cr_assert(n == 3 && b[0] == 1 && b[1] == 2 && b[2] == 3);
    mfcs_free(b);
    OK(mfcs_archive_read_word_array(ar, &w, &n));
    cr_assert(n == 2 && w[0] == 0x1234 && w[1] == 0x5678);
    mfcs_free(w);
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* The archive's count limit applies to every collection (default 2^31 - 1). */
Test(counts, counts_over_the_limit_are_refused)
{
    static const char *const over[] = {
        "FF FF 00 00 00 80 00 00 00 00",                        /* 2^31 */
        "FF FF FF FF FF FF 00 00 00 00 00 01 00 00 00 00",     /* 2^40, QWORD form */
        "FF FF FF FF FF FF FF FF FF FF FF FF FF FF 00",        /* 2^64 - 1 */
    };
    size_t i, n;
    for (i = 0; i < 3; i++) {
        mfcs_file *f;
        mfcs_archive *ar = load_hex(&f, over[i]);
        uint8_t *b = NULL;
        ERR(mfcs_archive_read_byte_array(ar, &b, &n), MFCS_E_LIMIT);
        expect_sticky(ar, MFCS_E_LIMIT);
        mfcs_archive_abort(ar);
        OK(mfcs_file_close(f));
    }
    {
        /* A lowered limit refuses a count whose elements are all there. */
        mfcs_file *f;
        mfcs_archive *ar = load_hex(&f, "03 00 00 00 00 00 00 00");
        void **objs = NULL;
        OK(mfcs_archive_set_limit(ar, MFCS_LIMIT_COUNT, 2, NULL));
        ERR(mfcs_archive_read_object_list(ar, NULL, &objs, NULL, &n), MFCS_E_LIMIT);
        expect_sticky(ar, MFCS_E_LIMIT);
        mfcs_archive_abort(ar);
        OK(mfcs_file_close(f));
    }
}

/* ================================================================== */
/* V1.3, V1.4: CObArray, CObList and their typed wrappers               */
/* ================================================================== */

/* NULLs are 00 00; a repeated object is a back reference; the list's
 * objects and classes number in the archive's one counter, which an
 * object written after the list continues. */
Test(object_lists, nulls_repeats_and_the_shared_counter)
{
    mfcs_file *f;
    mfcs_archive *ar;
    point p1 = { 1, 2 }, p2 = { 3, 4 }, p3 = { 5, 6 };
    void *list[] = { &p1, NULL, &p1, &p2, &p2 };
    void **o = NULL, *after[3];
    const mfcs_class **cls = NULL;
    size_t n = 0;
    const char *wire =
        "05 00 " CPOINT_NEW PT("01", "02")          /* class 1, p1 object 2 */
        "00 00  02 00  01 80 " PT("03", "04")       /* NULL, p1 again, p2 object 3 */
        "03 00 "                                    /* p2 again */
        "02 00  01 80 " PT("05", "06") "04 00";     /* after the list: p1, new p3 (4), p3 */
    register_classes();
    ar = new_store(&f);
    OK(mfcs_archive_write_object_list(ar, list, 5, cpoint, NULL));
    OK(mfcs_archive_write_object(ar, cpoint, &p1));
    OK(mfcs_archive_write_object(ar, cpoint, &p3));
    OK(mfcs_archive_write_object(ar, cpoint, &p3));
    expect_wire(ar, f, wire);

    ar = load_hex(&f, wire);
    OK(mfcs_archive_read_object_list(ar, cpoint, &o, &cls, &n));
    cr_assert_eq(n, 5);
    expect_point(o[0], 1, 2);
    cr_assert_null(o[1]);
    cr_assert_eq(o[2], o[0], "a back reference made a new object");
    expect_point(o[3], 3, 4);
    cr_assert_eq(o[4], o[3]);
    cr_assert(cls[0] == cpoint && cls[1] == NULL && cls[2] == cpoint && cls[3] == cpoint && cls[4] == cpoint);
    OK(mfcs_archive_read_object(ar, NULL, &after[0], NULL));
    OK(mfcs_archive_read_object(ar, NULL, &after[1], NULL));
    OK(mfcs_archive_read_object(ar, NULL, &after[2], NULL));
    cr_assert_eq(after[0], o[0], "the list's objects are not in the archive's map");
    expect_point(after[1], 5, 6);
    cr_assert_eq(after[2], after[1]);
    cr_assert_eq(points_live, 3);
    close_load(ar, f);
    cr_assert_eq(points_live, 3, "closing the archive destroyed objects the caller owns");
    destroy_all(o, n);
    point_destroy(after[1], NULL);
    mfcs_free(o);
}

/* classes[i] gives each element its own class: each class's first
 * object carries its record, and the indices interleave. */
Test(object_lists, mixed_classes)
{
    mfcs_file *f;
    mfcs_archive *ar;
    point a = { 1, 2 }, b = { 3, 4 }, c = { 5, 6 }, d = { 7, 8 };
    void *list[] = { &a, &b, &c, &d };
    const mfcs_class *classes[4];
    void **o = NULL;
    const mfcs_class **cls = NULL;
    size_t n = 0;
    const char *wire =
        "04 00 " CPOINT_NEW PT("01", "02")          /* CPoint 1, a 2 */
        CSIZE_NEW PT("03", "04")                    /* CSize 3, b 4 */
        "01 80 " PT("05", "06")                     /* c 5 */
        "03 80 " PT("07", "08");                    /* d 6 */
    register_classes();
    classes[0] = cpoint; classes[1] = csize; classes[2] = cpoint; classes[3] = csize;
    ar = new_store(&f);
    OK(mfcs_archive_write_object_list(ar, list, 4, NULL, classes));
    expect_wire(ar, f, wire);

    ar = load_hex(&f, wire);
    OK(mfcs_archive_read_object_list(ar, NULL, &o, &cls, &n));
    cr_assert_eq(n, 4);
    cr_assert(cls[0] == cpoint && cls[1] == csize && cls[2] == cpoint && cls[3] == csize);
    expect_point(o[0], 1, 2);
    expect_point(o[1], 3, 4);
    expect_point(o[2], 5, 6);
    expect_point(o[3], 7, 8);
    close_load(ar, f);
    destroy_all(o, n);
    mfcs_free(o);
    cr_assert_eq(points_live, 0);

    /* A list of CPoint meets a CSize: refused, and the CPoint made before
     * it is destroyed with it. */
    ar = load_hex(&f, wire);
    o = NULL;
    ERR(mfcs_archive_read_object_list(ar, cpoint, &o, &cls, &n), MFCS_E_CLASS);
    expect_sticky(ar, MFCS_E_CLASS);
    cr_assert_eq(points_live, 0, "a failed list read left %d objects alive", points_live);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* The stream ends inside the third element: all or nothing, and the
 * objects the call had made are destroyed. */
Test(object_lists, a_cut_list_destroys_what_it_made)
{
    mfcs_file *f;
    mfcs_archive *ar;
    void **o = NULL;
    size_t n = 0;
    register_classes();
    ar = load_hex(&f, "03 00 " CPOINT_NEW PT("01", "02") "01 80 " PT("03", "04") "01 80 05 00 00 00");
    ERR(mfcs_archive_read_object_list(ar, NULL, &o, NULL, &n), MFCS_E_EOF);
    expect_sticky(ar, MFCS_E_EOF);
    cr_assert_eq(points_live, 0, "a failed list read left %d objects alive", points_live);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* 0xFFFF elements take the escaped count; every NULL stays NULL. */
Test(object_lists, count_0xFFFF_of_nulls)
{
    mfcs_file *f;
    mfcs_archive *ar;
    void **list = calloc(0xFFFF, sizeof *list), **o = NULL;
    const void *data;
    size_t len, n = 0, i;
    static const unsigned char head[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00 };
    register_classes();
    cr_assert_not_null(list);
    ar = new_store(&f);
    OK(mfcs_archive_write_object_list(ar, list, 0xFFFF, cpoint, NULL));
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_memory_data(f, &data, &len));
    cr_assert_eq(len, 6 + 2 * 0xFFFF);
    cr_assert(!memcmp(data, head, 6), "count %s", hexs(data, 6));
    for (i = 6; i < len; i++)
        cr_assert_eq(((const unsigned char *)data)[i], 0, "byte %zu", i);
    OK(mfcs_file_seek(f, 0, MFCS_SEEK_SET, NULL));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_object_list(ar, NULL, &o, NULL, &n));
    cr_assert_eq(n, 0xFFFF);
    for (i = 0; i < n; i++)
        cr_assert_null(o[i]);
    mfcs_free(o);
    close_load(ar, f);
    free(list);
}

/* ================================================================== */
/* V1.3, V1.4, V2.10: CStringArray, CStringList                        */
/* ================================================================== */

/* A Unicode build's list: each element a CStringW, the empty one too
 * (marker and length 0); UTF-8 beyond the BMP becomes a surrogate pair. */
Test(string_lists, unicode_build_writes_cstringw)
{
    static const char *const s[] = { "a", "bc", "", "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80" };
    const char *wire = "04 00 " W1("61") "FF FE FF 02 62 00 63 00 FF FE FF 00 "
                       "FF FE FF 04 E9 00 AC 20 3D D8 00 DE";
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    char **back = NULL;
    size_t n = 0, i;
    OK(mfcs_archive_write_string_list(ar, s, 4));
    expect_wire(ar, f, wire);
    ar = load_hex(&f, wire);
    OK(mfcs_archive_read_string_list(ar, &back, &n));
    cr_assert_eq(n, 4);
    for (i = 0; i < 4; i++)
        cr_assert_str_eq(back[i], s[i], "string %zu", i);
    mfcs_free(back);
    close_load(ar, f);
}

/* An ANSI build's list: CStringA of the bytes as they are (MFC-REFERENCE
 * #32), lengths given let a string hold a NUL, a byte >= 0x80 is kept. */
Test(string_lists, ansi_build_writes_cstringa)
{
    static const char *const s[] = { "a", "bc" };
    static const char *const t[] = { "a\0b", "\xE9" };
    static const size_t tl[] = { 3, 1 };
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    char **back = NULL;
    size_t *lens = NULL, n = 0;
    OK(mfcs_archive_write_string_list_a(ar, s, NULL, 2));
    OK(mfcs_archive_write_string_list_a(ar, t, tl, 2));
    expect_wire(ar, f, "02 00 01 61 02 62 63  02 00 03 61 00 62 01 E9");

    ar = load_hex(&f, "02 00 03 61 00 62 01 E9");
    OK(mfcs_archive_read_string_list_a(ar, &back, &lens, &n));
    cr_assert_eq(n, 2);
    cr_assert(lens[0] == 3 && !memcmp(back[0], "a\0b", 4), "%s", hexs(back[0], lens[0]));
    cr_assert(lens[1] == 1 && (unsigned char)back[1][0] == 0xE9 && back[1][1] == 0);
    mfcs_free(back);
    close_load(ar, f);
}

/* Length forms inside a list: 254 characters take one byte, 255 take FF + WORD. */
Test(string_lists, length_prefix_forms)
{
    char s254[255], s255[256];
    const char *s[2];
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    const void *data;
    const unsigned char *p;
    size_t len;
    memset(s254, 'x', 254); s254[254] = 0;
    memset(s255, 'y', 255); s255[255] = 0;
    s[0] = s254; s[1] = s255;
    OK(mfcs_archive_write_string_list_a(ar, s, NULL, 2));
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_memory_data(f, &data, &len));
    p = data;
    cr_assert_eq(len, 2 + 1 + 254 + 3 + 255);
    cr_assert(p[0] == 2 && p[1] == 0 && p[2] == 0xFE && p[3] == 'x');
    cr_assert(p[2 + 1 + 254] == 0xFF && p[2 + 1 + 254 + 1] == 0xFF && p[2 + 1 + 254 + 2] == 0x00,
              "255 characters: prefix %s", hexs(p + 257, 3));
    OK(mfcs_file_close(f));
}

/* From UTF-16 as it is: lengths in units let a string hold a NUL. */
Test(string_lists, utf16_in_units)
{
    static const wchar_t xy[] = { L'x', 0, L'y', 0 };
    const wchar_t *s[2];
    const wchar_t *z[1];
    static const size_t l[] = { 2, 3 };
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    wchar_t **back = NULL;
    size_t *lens = NULL, n = 0;
    s[0] = L"hi"; s[1] = xy; z[0] = L"\x20AC";
    OK(mfcs_archive_write_string_list_w(ar, s, l, 2));
    OK(mfcs_archive_write_string_list_w(ar, z, NULL, 1));
    expect_wire(ar, f, "02 00 FF FE FF 02 68 00 69 00 FF FE FF 03 78 00 00 00 79 00  01 00 FF FE FF 01 AC 20");

    ar = load_hex(&f, "02 00 FF FE FF 02 68 00 69 00 FF FE FF 03 78 00 00 00 79 00");
    OK(mfcs_archive_read_string_list_w(ar, &back, &lens, &n));
    cr_assert_eq(n, 2);
    cr_assert(lens[0] == 2 && !wcscmp(back[0], L"hi"));
    cr_assert(lens[1] == 3 && !memcmp(back[1], xy, 4 * sizeof(wchar_t)));
    mfcs_free(back);
    close_load(ar, f);
}

/* A list whose strings differ in width reads with every call. */
Test(string_lists, either_width_reads_in_all_three)
{
    const char *wire = "03 00 01 61 FF FE FF 02 62 00 63 00 00";
    mfcs_file *f;
    mfcs_archive *ar;
    char **s = NULL;
    wchar_t **w = NULL;
    size_t *lens = NULL, n = 0;

    ar = load_hex(&f, wire);
    OK(mfcs_archive_read_string_list(ar, &s, &n));
    cr_assert_eq(n, 3);
    cr_assert_str_eq(s[0], "a");
    cr_assert_str_eq(s[1], "bc");
    cr_assert_str_eq(s[2], "");
    mfcs_free(s);
    close_load(ar, f);

    ar = load_hex(&f, wire);
    OK(mfcs_archive_read_string_list_a(ar, &s, &lens, &n));
    cr_assert_eq(n, 3);
    cr_assert(!strcmp(s[0], "a") && !strcmp(s[1], "bc") && !strcmp(s[2], ""));
    cr_assert(lens[0] == 1 && lens[1] == 2 && lens[2] == 0);
    mfcs_free(s);
    s = NULL;
    close_load(ar, f);

    ar = load_hex(&f, wire);
    OK(mfcs_archive_read_string_list_a(ar, &s, NULL, &n));   /* lens may be NULL */
    cr_assert(n == 3 && !strcmp(s[1], "bc"));
    mfcs_free(s);
    close_load(ar, f);

    ar = load_hex(&f, wire);
    OK(mfcs_archive_read_string_list_w(ar, &w, &lens, &n));
    cr_assert_eq(n, 3);
    cr_assert(!wcscmp(w[0], L"a") && !wcscmp(w[1], L"bc") && !wcscmp(w[2], L""));
    cr_assert(lens[0] == 1 && lens[1] == 2 && lens[2] == 0);
    mfcs_free(w);
    close_load(ar, f);
}

Test(string_lists, bad_strings_are_refused)
{
    static const char *const with_null[] = { "a", NULL };
    static const char *const bad_utf8[] = { "a", "\xC3(" };
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    ERR(mfcs_archive_write_string_list(ar, with_null, 2), MFCS_E_INVALIDARG);
    mfcs_archive_abort(ar);
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    ERR(mfcs_archive_write_string_list(ar, bad_utf8, 2), MFCS_E_INVALIDARG);
    mfcs_archive_abort(ar);
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    ERR(mfcs_archive_write_string_list(ar, NULL, 1), MFCS_E_INVALIDARG);
    mfcs_archive_abort(ar);
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    ERR(mfcs_archive_write_string_list_a(ar, with_null, NULL, 2), MFCS_E_INVALIDARG);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* ================================================================== */
/* V1.3, V1.7: CByteArray, CWordArray, CDWordArray, CArray/CList of     */
/* plain elements                                                        */
/* ================================================================== */

Test(value_arrays, byte_word_dword_arrays)
{
    static const uint8_t b[] = { 1, 2, 0xFF };
    static const uint16_t w[] = { 0x1234, 0xFFFF };
    static const uint32_t d[] = { 0x12345678, 1 };
    const char *wire = "03 00 01 02 FF  02 00 34 12 FF FF  02 00 78 56 34 12 01 00 00 00";
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    uint8_t *rb = NULL;
    uint16_t *rw = NULL;
    uint32_t *rd = NULL;
    size_t n = 0;
    OK(mfcs_archive_write_byte_array(ar, b, 3));
    OK(mfcs_archive_write_word_array(ar, w, 2));
    OK(mfcs_archive_write_dword_array(ar, d, 2));
    expect_wire(ar, f, wire);

    ar = load_hex(&f, wire);
    OK(mfcs_archive_read_byte_array(ar, &rb, &n));
    cr_assert(n == 3 && !memcmp(rb, b, 3));
    OK(mfcs_archive_read_word_array(ar, &rw, &n));
    cr_assert(n == 2 && rw[0] == 0x1234 && rw[1] == 0xFFFF);
    OK(mfcs_archive_read_dword_array(ar, &rd, &n));
    cr_assert(n == 2 && rd[0] == 0x12345678 && rd[1] == 1);
    mfcs_free(rb);
    mfcs_free(rw);
    mfcs_free(rd);
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* CArray<CPoint, CPoint>: count, then 8-byte memory images (Scribble's stroke). */
Test(value_arrays, carray_of_cpoint_is_memory_images)
{
    static const int32_t pts[] = { 1, 2, -3, 4 };
    const char *wire = "02 00 01 00 00 00 02 00 00 00 FD FF FF FF 04 00 00 00";
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    void *back = NULL;
    size_t n = 0;
    OK(mfcs_archive_write_raw_list(ar, pts, 8, 2));
    expect_wire(ar, f, wire);
    ar = load_hex(&f, wire);
    OK(mfcs_archive_read_raw_list(ar, 8, &back, &n));
    cr_assert_eq(n, 2);
    cr_assert(!memcmp(back, pts, 16), "%s", hexs(back, 16));
    mfcs_free(back);
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* MFC copies the padding of a struct too (V1.7): the images are the
 * caller's bytes, whatever they are. */
Test(value_arrays, padding_is_copied)
{
    struct padded { uint8_t c; int32_t i; } e[2];
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    memset(e, 0xCC, sizeof e);
    e[0].c = 1; e[0].i = 2;
    e[1].c = 0xAB; e[1].i = -1;
    cr_assert_eq(sizeof e[0], 8);
    OK(mfcs_archive_write_raw_list(ar, e, sizeof e[0], 2));
    expect_wire(ar, f, "02 00 01 CC CC CC 02 00 00 00 AB CC CC CC FF FF FF FF");
}

Test(value_arrays, element_size_zero_is_refused)
{
    static const uint8_t x[4];
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    void *back = NULL;
    size_t n;
    ERR(mfcs_archive_write_raw_list(ar, x, 0, 1), MFCS_E_INVALIDARG);
    mfcs_archive_abort(ar);
    ar = load_hex(&f, "01 00 00");
    ERR(mfcs_archive_read_raw_list(ar, 0, &back, &n), MFCS_E_INVALIDARG);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* ================================================================== */
/* V1.7: CArray, CList, CMap with a SerializeElements of their own      */
/* ================================================================== */

typedef struct str_ctx { const char *const *in; char *out[8]; size_t fail_at; } str_ctx;

/* SerializeElements<CString>: each element a CString, both directions. */
static mfcs_err MFCS_CALL string_element(mfcs_archive *ar, size_t i, void *ctx)
{
    str_ctx *c = (str_ctx *)ctx;
    int loading = 0;
    if (i == c->fail_at)
        return MFCS_E_FORMAT;
    cr_assert_lt(i, 8);
    OK(mfcs_archive_is_loading(ar, &loading));
    if (loading)
        return mfcs_archive_read_string(ar, &c->out[i], NULL);
    return mfcs_archive_write_string(ar, c->in[i]);
}

Test(elements, serialize_elements_of_cstring)
{
    static const char *const in[] = { "x", "yz" };
    const char *wire = "02 00 " W1("78") "FF FE FF 02 79 00 7A 00";
    str_ctx c;
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    size_t n = 0;
    memset(&c, 0, sizeof c);
    c.in = in;
    c.fail_at = (size_t)-1;
    OK(mfcs_archive_write_elements(ar, 2, string_element, &c));
    expect_wire(ar, f, wire);

    ar = load_hex(&f, wire);
    OK(mfcs_archive_read_elements(ar, string_element, &c, &n));
    cr_assert_eq(n, 2);
    cr_assert_str_eq(c.out[0], "x");
    cr_assert_str_eq(c.out[1], "yz");
    mfcs_free(c.out[0]);
    mfcs_free(c.out[1]);
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* The element function's first error stops the walk and is the result;
 * n says how many elements came before it. */
Test(elements, the_first_element_error_stops)
{
    static const char *const in[] = { "x", "yz", "w" };
    str_ctx c;
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    size_t n = 99;
    memset(&c, 0, sizeof c);
    c.in = in;
    c.fail_at = 1;
    ERR(mfcs_archive_write_elements(ar, 3, string_element, &c), MFCS_E_FORMAT);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));

    ar = load_hex(&f, "03 00 " W1("78") W1("79") W1("77"));
    ERR(mfcs_archive_read_elements(ar, string_element, &c, &n), MFCS_E_FORMAT);
    cr_assert_eq(n, 1, "%zu elements read before the failing one", n);
    mfcs_free(c.out[0]);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));

    ar = new_store(&f);
    ERR(mfcs_archive_write_elements(ar, 1, NULL, NULL), MFCS_E_INVALIDARG);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
    ar = load_hex(&f, "00 00");
    ERR(mfcs_archive_read_elements(ar, NULL, NULL, &n), MFCS_E_INVALIDARG);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* ================================================================== */
/* V1.5: the order MFC writes a map in                                  */
/* ================================================================== */

static void expect_order(const size_t *got, size_t got_n, const size_t *want, size_t want_n, const char *what)
{
    size_t i;
    char g[128] = "", w[128] = "";
    for (i = 0; i < got_n && i < 16; i++)
        snprintf(g + strlen(g), sizeof g - strlen(g), "%zu ", got[i]);
    for (i = 0; i < want_n; i++)
        snprintf(w + strlen(w), sizeof w - strlen(w), "%zu ", want[i]);
    cr_assert_eq(got_n, want_n, "%s: %zu keys [%s], want %zu [%s]", what, got_n, g, want_n, w);
    for (i = 0; i < want_n; i++)
        cr_assert_eq(got[i], want[i], "%s: order [%s], want [%s]", what, g, w);
}

#define ORDER_S(ver, keys, ansi, size, ...) do { \
    static const size_t want_[] = { __VA_ARGS__ }; \
    size_t got_[16], cnt_ = 99; \
    OK(mfcs_map_order_strings(ver, keys, sizeof keys / sizeof keys[0], ansi, size, got_, &cnt_)); \
    expect_order(got_, cnt_, want_, sizeof want_ / sizeof want_[0], #ver " " #keys " " #size); \
} while (0)

#define ORDER_I(ver, keys, ksize, sgn, size, ...) do { \
    static const size_t want_[] = { __VA_ARGS__ }; \
    size_t got_[16], cnt_ = 99; \
    OK(mfcs_map_order_ints(ver, keys, ksize, sgn, sizeof keys / sizeof keys[0], size, got_, &cnt_)); \
    expect_order(got_, cnt_, want_, sizeof want_ / sizeof want_[0], #ver " " #keys " " #ksize " " #sgn " " #size); \
} while (0)

/* The document's examples, and the hashes by hand: old 33h + c, new FNV
 * from 2166136261 over sampled characters; bucket = hash % size; chains
 * from the head, which holds the key inserted last. */
Test(map_order, string_keys_in_both_generations)
{
    static const char *const abc[] = { "a", "b", "c" };           /* old 12,13,14; new 15,14,13 */
    static const char *const ar_[] = { "a", "r" };                /* old 12,12; new 15,15 */
    static const char *const sampled[] = { "abcdefghij", "aBcDeFgHiJ" };  /* new samples 0,2,4,6,8: same hash */
    ORDER_S(MFCS_MFC_4, abc, 0, MFCS_MAP_DEFAULT_SIZE, 0, 1, 2);
    ORDER_S(MFCS_MFC_9, abc, 0, MFCS_MAP_DEFAULT_SIZE, 0, 1, 2);
    ORDER_S(MFCS_MFC_10, abc, 0, MFCS_MAP_DEFAULT_SIZE, 2, 1, 0);
    ORDER_S(MFCS_MFC_14, abc, 0, MFCS_MAP_DEFAULT_SIZE, 2, 1, 0);
    ORDER_S(MFCS_MFC_9, ar_, 0, MFCS_MAP_DEFAULT_SIZE, 1, 0);
    ORDER_S(MFCS_MFC_14, ar_, 0, MFCS_MAP_DEFAULT_SIZE, 1, 0);
    ORDER_S(MFCS_MFC_9, sampled, 0, MFCS_MAP_DEFAULT_SIZE, 0, 1);  /* old: buckets 3, 12 */
    ORDER_S(MFCS_MFC_14, sampled, 0, MFCS_MAP_DEFAULT_SIZE, 1, 0); /* new: one bucket, latest first */
}

/* InitHashTable's size: 7 buckets put b, c, a under the old hash (6, 0, 1)
 * and c, b, a under the new (2, 1, 0); one bucket is the insertion order reversed. */
Test(map_order, table_size)
{
    static const char *const abc[] = { "a", "b", "c" };
    ORDER_S(MFCS_MFC_9, abc, 0, 7, 1, 2, 0);
    ORDER_S(MFCS_MFC_14, abc, 0, 7, 2, 1, 0);
    ORDER_S(MFCS_MFC_9, abc, 0, 1, 2, 1, 0);
    ORDER_S(MFCS_MFC_14, abc, 0, 1, 2, 1, 0);
}

/* An ANSI build hashes signed chars: "\xE9a" is 33*(-23)+97 (bucket 2) in
 * MFC 9, not 33*233+97 (bucket 0) as the Unicode build's U+00E9 is; "x" is
 * bucket 1. In MFC 10+ 0xFFFFFFE9 lands in bucket 6 and "x" in 9. */
Test(map_order, ansi_keys_hash_as_signed_chars)
{
    static const char *const ansi[] = { "\xE9" "a", "x" };
    static const char *const utf8[] = { "\xC3\xA9" "a", "x" };
    ORDER_S(MFCS_MFC_9, ansi, 1, MFCS_MAP_DEFAULT_SIZE, 1, 0);
    ORDER_S(MFCS_MFC_9, utf8, 0, MFCS_MAP_DEFAULT_SIZE, 0, 1);
    ORDER_S(MFCS_MFC_14, ansi, 1, MFCS_MAP_DEFAULT_SIZE, 0, 1);
    ORDER_S(MFCS_MFC_14, utf8, 0, MFCS_MAP_DEFAULT_SIZE, 0, 1);
}

/* SetAt on a key already there keeps its place and takes the new value:
 * the order gives the index of the last pair of each key. {a, r, a}: the
 * chain is r, a in both generations; {a, b, a} in MFC 9 is a, b. As given:
 * no hashing, duplicates kept. */
Test(map_order, duplicates_and_as_given)
{
    static const char *const ara[] = { "a", "r", "a" };
    static const char *const aba[] = { "a", "b", "a" };
    static const char *const caa[] = { "c", "a", "a" };
    ORDER_S(MFCS_MFC_9, ara, 0, MFCS_MAP_DEFAULT_SIZE, 1, 2);
    ORDER_S(MFCS_MFC_14, ara, 0, MFCS_MAP_DEFAULT_SIZE, 1, 2);
    ORDER_S(MFCS_MFC_9, aba, 0, MFCS_MAP_DEFAULT_SIZE, 2, 1);
    ORDER_S(MFCS_MFC_14, aba, 0, MFCS_MAP_DEFAULT_SIZE, 1, 2);
    ORDER_S(MFCS_MFC_9, caa, 0, MFCS_MAP_AS_GIVEN, 0, 1, 2);
    ORDER_S(MFCS_MFC_14, caa, 1, MFCS_MAP_AS_GIVEN, 0, 1, 2);
}

/* Integer keys: old key >> 4 (as 32 bits), new one Park-Miller step on
 * the key as a long. CMap<int,int> {1,2,3}: all in bucket 0 before 10.0
 * (3,2,1); buckets 11, 5, 16 after (2,1,3). */
Test(map_order, int_keys_in_both_generations)
{
    static const int32_t k123[] = { 1, 2, 3 };
    /* old buckets 12,12,12,8,15,15,7,8; new 0,11,14,9,4,14,0,14 (2^31-1
     * hashes to 0, -2^31 and -1 to 2147466840, 127773 is the first with q = 1) */
    static const int32_t k8[] = { 127772, 127773, 127774, 1000000, -5, -1, INT32_MAX, INT32_MIN };
    static const uint32_t u8k[] = { 127772, 127773, 127774, 1000000, (uint32_t)-5, 0xFFFFFFFFu,
                                    0x7FFFFFFFu, 0x80000000u };
    static const int32_t k13[] = { 1, 3 };
    ORDER_I(MFCS_MFC_9, k123, 4, 1, MFCS_MAP_DEFAULT_SIZE, 2, 1, 0);
    ORDER_I(MFCS_MFC_10, k123, 4, 1, MFCS_MAP_DEFAULT_SIZE, 1, 0, 2);
    ORDER_I(MFCS_MFC_9, k13, 4, 1, MFCS_MAP_DEFAULT_SIZE, 1, 0);
    ORDER_I(MFCS_MFC_14, k13, 4, 1, MFCS_MAP_DEFAULT_SIZE, 0, 1);
    ORDER_I(MFCS_MFC_9, k8, 4, 1, MFCS_MAP_DEFAULT_SIZE, 6, 7, 3, 2, 1, 0, 5, 4);
    ORDER_I(MFCS_MFC_14, k8, 4, 1, MFCS_MAP_DEFAULT_SIZE, 6, 0, 4, 3, 1, 7, 5, 2);
    /* A DWORD key converts to long as the same bits: the same order. */
    ORDER_I(MFCS_MFC_14, u8k, 4, 0, MFCS_MAP_DEFAULT_SIZE, 6, 0, 4, 3, 1, 7, 5, 2);
}

/* The key's type decides what the new hash sees: a short -1 is -1 (bucket
 * 14), a WORD 0xFFFF is 65535 (bucket 0), and 1 is bucket 11. A signed
 * __int64 XORs its halves (0x100000001 -> 0), an unsigned one hashes its
 * low half (-> 11). The old hash cannot tell these apart in 17 buckets,
 * but in 11 a char -1 (0x0FFFFFFF -> 2) and a BYTE 0xFF (15 -> 4) straddle
 * 0x30 (3 -> 3). */
Test(map_order, int_key_sizes_and_signedness)
{
    static const uint16_t w[] = { 0xFFFF, 1 };
    static const uint8_t b[] = { 0xFF, 1 };
    static const uint8_t b11[] = { 0xFF, 0x30 };
    static const uint64_t q[] = { 0x100000001ull, 1 };
    ORDER_I(MFCS_MFC_14, w, 2, 1, MFCS_MAP_DEFAULT_SIZE, 1, 0);
    ORDER_I(MFCS_MFC_14, w, 2, 0, MFCS_MAP_DEFAULT_SIZE, 0, 1);
    ORDER_I(MFCS_MFC_9, w, 2, 1, MFCS_MAP_DEFAULT_SIZE, 1, 0);
    ORDER_I(MFCS_MFC_9, w, 2, 0, MFCS_MAP_DEFAULT_SIZE, 1, 0);
    ORDER_I(MFCS_MFC_14, b, 1, 1, MFCS_MAP_DEFAULT_SIZE, 1, 0);
    ORDER_I(MFCS_MFC_14, b, 1, 0, MFCS_MAP_DEFAULT_SIZE, 0, 1);
    ORDER_I(MFCS_MFC_9, b11, 1, 1, 11, 0, 1);
    ORDER_I(MFCS_MFC_9, b11, 1, 0, 11, 1, 0);
    ORDER_I(MFCS_MFC_14, q, 8, 1, MFCS_MAP_DEFAULT_SIZE, 0, 1);
    ORDER_I(MFCS_MFC_14, q, 8, 0, MFCS_MAP_DEFAULT_SIZE, 1, 0);
    ORDER_I(MFCS_MFC_9, q, 8, 1, MFCS_MAP_DEFAULT_SIZE, 1, 0);
}

Test(map_order, int_duplicates_and_as_given)
{
    static const int32_t k121[] = { 1, 2, 1 };
    static const int32_t k313[] = { 3, 1, 3 };
    ORDER_I(MFCS_MFC_9, k121, 4, 1, MFCS_MAP_DEFAULT_SIZE, 1, 2);  /* chain 2, 1; 1 keeps its place */
    ORDER_I(MFCS_MFC_14, k121, 4, 1, MFCS_MAP_DEFAULT_SIZE, 1, 2); /* buckets 5 (2), 11 (1) */
    ORDER_I(MFCS_MFC_14, k313, 4, 1, MFCS_MAP_AS_GIVEN, 0, 1, 2);
}

Test(map_order, bad_arguments)
{
    static const char *const keys[] = { "a", "\xC3(" };
    static const char *const nulls[] = { "a", NULL };
    static const int32_t ik[] = { 1, 2 };
    size_t order[4], count;
    ERR(mfcs_map_order_strings(MFCS_MFC_14, keys, 2, 0, 0, order, &count), MFCS_E_INVALIDARG);
    ERR(mfcs_map_order_strings(MFCS_MFC_14, nulls, 2, 0, 0, order, &count), MFCS_E_INVALIDARG);
    ERR(mfcs_map_order_strings(MFCS_MFC_14, NULL, 2, 0, 0, order, &count), MFCS_E_INVALIDARG);
    ERR(mfcs_map_order_strings(MFCS_MFC_14, keys, 1, 0, 0, NULL, &count), MFCS_E_INVALIDARG);
    ERR(mfcs_map_order_strings(MFCS_MFC_14, keys, 1, 0, 0, order, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_map_order_ints(MFCS_MFC_14, ik, 3, 0, 2, 0, order, &count), MFCS_E_INVALIDARG);
    ERR(mfcs_map_order_ints(MFCS_MFC_14, NULL, 4, 0, 2, 0, order, &count), MFCS_E_INVALIDARG);
    ERR(mfcs_map_order_ints(MFCS_MFC_14, ik, 4, 0, 2, 0, NULL, &count), MFCS_E_INVALIDARG);
}

/* ================================================================== */
/* V1.5: maps on the wire                                              */
/* ================================================================== */

static const char *const k_abc[] = { "a", "b", "c" }, *const v_123[] = { "1", "2", "3" };

/* CMapStringToString {a->1, b->2, c->3} of a Unicode build. */
Test(maps, string_to_string_in_both_generations)
{
    const char *old9 = "03 00 " W1("61") W1("31") W1("62") W1("32") W1("63") W1("33");
    const char *new10 = "03 00 " W1("63") W1("33") W1("62") W1("32") W1("61") W1("31");
    mfcs_file *f;
    mfcs_archive *ar;
    ar = store_v(&f, MFCS_MFC_9);
    OK(mfcs_archive_write_map_string_to_string(ar, k_abc, v_123, 3, MFCS_MAP_DEFAULT_SIZE));
    expect_wire(ar, f, old9);
    ar = store_v(&f, MFCS_MFC_4);
    OK(mfcs_archive_write_map_string_to_string(ar, k_abc, v_123, 3, MFCS_MAP_DEFAULT_SIZE));
    expect_wire(ar, f, old9);
    ar = store_v(&f, MFCS_MFC_10);
    OK(mfcs_archive_write_map_string_to_string(ar, k_abc, v_123, 3, MFCS_MAP_DEFAULT_SIZE));
    expect_wire(ar, f, new10);
    ar = new_store(&f);     /* the default is 14: the new hash */
    OK(mfcs_archive_write_map_string_to_string(ar, k_abc, v_123, 3, MFCS_MAP_DEFAULT_SIZE));
    expect_wire(ar, f, new10);
}

/* "a" and "r" share a bucket under both hashes: the later key comes first. */
Test(maps, colliding_keys_come_latest_first)
{
    static const char *const k[] = { "a", "r" }, *const v[] = { "1", "2" };
    const char *wire = "02 00 " W1("72") W1("32") W1("61") W1("31");
    mfcs_file *f;
    mfcs_archive *ar;
    ar = store_v(&f, MFCS_MFC_9);
    OK(mfcs_archive_write_map_string_to_string(ar, k, v, 2, MFCS_MAP_DEFAULT_SIZE));
    expect_wire(ar, f, wire);
    ar = store_v(&f, MFCS_MFC_14);
    OK(mfcs_archive_write_map_string_to_string(ar, k, v, 2, MFCS_MAP_DEFAULT_SIZE));
    expect_wire(ar, f, wire);
}

/* An ANSI build's map: CStringA keys and values, hashed as signed chars. */
Test(maps, ansi_map_hashes_signed_chars)
{
    static const char *const k[] = { "\xE9" "a", "x" }, *const v[] = { "1", "2" };
    mfcs_file *f;
    mfcs_archive *ar;
    ar = store_v(&f, MFCS_MFC_4);
    OK(mfcs_archive_write_map_string_to_string_a(ar, k, v, 2, MFCS_MAP_DEFAULT_SIZE));
    expect_wire(ar, f, "02 00 01 78 01 32 02 E9 61 01 31");
    ar = store_v(&f, MFCS_MFC_14);
    OK(mfcs_archive_write_map_string_to_string_a(ar, k, v, 2, MFCS_MAP_DEFAULT_SIZE));
    expect_wire(ar, f, "02 00 02 E9 61 01 31 01 78 01 32");
}

/* A repeated key: the count is the distinct keys, the first place and
 * the last value (SetAt). As given: every pair in the order given. A table
 * of 7 puts b, c, a under MFC 9. */
Test(maps, duplicates_as_given_and_table_size)
{
    static const char *const k[] = { "a", "r", "a" }, *const v[] = { "1", "2", "3" };
    static const char *const kg[] = { "c", "a", "a" };
    mfcs_file *f;
    mfcs_archive *ar;
    ar = store_v(&f, MFCS_MFC_9);
    OK(mfcs_archive_write_map_string_to_string(ar, k, v, 3, MFCS_MAP_DEFAULT_SIZE));
    expect_wire(ar, f, "02 00 " W1("72") W1("32") W1("61") W1("33"));
    ar = new_store(&f);
    OK(mfcs_archive_write_map_string_to_string(ar, kg, v, 3, MFCS_MAP_AS_GIVEN));
    expect_wire(ar, f, "03 00 " W1("63") W1("31") W1("61") W1("32") W1("61") W1("33"));
    ar = store_v(&f, MFCS_MFC_9);
    OK(mfcs_archive_write_map_string_to_string(ar, k_abc, v_123, 3, 7));
    expect_wire(ar, f, "03 00 " W1("62") W1("32") W1("63") W1("33") W1("61") W1("31"));
    ar = new_store(&f);
    OK(mfcs_archive_write_map_string_to_string_a(ar, k_abc, v_123, 3, 1));
    expect_wire(ar, f, "03 00 " A1("63") A1("33") A1("62") A1("32") A1("61") A1("31"));
}

/* Reading keeps the stored order and every stored pair (a reader must not
 * rely on order, nor drop what the stream holds); either width. */
Test(maps, string_to_string_reads_in_stored_order)
{
    const char *wire = "03 00 01 6B FF FE FF 01 76 00  " W1("4B") "01 56  01 6B 00";
    mfcs_file *f;
    mfcs_archive *ar;
    char **k = NULL, **v = NULL;
    size_t n = 0;
    ar = load_hex(&f, wire);
    OK(mfcs_archive_read_map_string_to_string(ar, &k, &v, &n));
    cr_assert_eq(n, 3);
    cr_assert(!strcmp(k[0], "k") && !strcmp(v[0], "v"));
    cr_assert(!strcmp(k[1], "K") && !strcmp(v[1], "V"));
    cr_assert(!strcmp(k[2], "k") && !strcmp(v[2], ""));
    mfcs_free(k);
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));

    ar = load_hex(&f, wire);
    OK(mfcs_archive_read_map_string_to_string_a(ar, &k, &v, &n));
    cr_assert_eq(n, 3);
    cr_assert(!strcmp(k[0], "k") && !strcmp(v[0], "v") && !strcmp(k[1], "K") && !strcmp(v[1], "V"));
    mfcs_free(k);
    close_load(ar, f);

    /* UTF-8 out of a wide key. */
    ar = load_hex(&f, "01 00 FF FE FF 02 E9 00 AC 20 " W1("78"));
    OK(mfcs_archive_read_map_string_to_string(ar, &k, &v, &n));
    cr_assert(n == 1 && !strcmp(k[0], "\xC3\xA9\xE2\x82\xAC") && !strcmp(v[0], "x"));
    mfcs_free(k);
    close_load(ar, f);
}

/* CMap<int, int, int, int> {1->10, 2->20, 3->30} (cmap_int_3_*). */
Test(maps, raw_map_cmap_int_int)
{
    static const int32_t k[] = { 1, 2, 3 }, v[] = { 10, 20, 30 };
    const char *old9 = "03 00 03 00 00 00 1E 00 00 00 02 00 00 00 14 00 00 00 01 00 00 00 0A 00 00 00";
    const char *new10 = "03 00 02 00 00 00 14 00 00 00 01 00 00 00 0A 00 00 00 03 00 00 00 1E 00 00 00";
    mfcs_file *f;
    mfcs_archive *ar;
    void *rk = NULL, *rv = NULL;
    size_t n = 0;
    ar = store_v(&f, MFCS_MFC_9);
    OK(mfcs_archive_write_raw_map(ar, k, 4, 1, v, 4, 3, MFCS_MAP_DEFAULT_SIZE));
    expect_wire(ar, f, old9);
    ar = store_v(&f, MFCS_MFC_10);
    OK(mfcs_archive_write_raw_map(ar, k, 4, 1, v, 4, 3, MFCS_MAP_DEFAULT_SIZE));
    expect_wire(ar, f, new10);

    ar = load_hex(&f, old9);
    OK(mfcs_archive_read_raw_map(ar, 4, &rk, 4, &rv, &n));
    cr_assert_eq(n, 3);
    {
        static const int32_t wk[] = { 3, 2, 1 }, wv[] = { 30, 20, 10 };
        cr_assert(!memcmp(rk, wk, 12), "keys %s", hexs(rk, 12));
        cr_assert(!memcmp(rv, wv, 12), "values %s", hexs(rv, 12));
    }
    mfcs_free(rk);
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* Keys and values of other sizes, duplicates, and what cannot be hashed. */
Test(maps, raw_map_sizes_duplicates_and_as_given)
{
    static const uint16_t wk[] = { 0xFFFF, 1 };
    static const double dv[] = { 1.0, 2.0 };
    static const int32_t k121[] = { 1, 2, 1 }, v3[] = { 10, 20, 30 };
    static const uint8_t k3[] = { 'a', 'b', 'c', 'd', 'e', 'f' };
    static const uint8_t v1[] = { 1, 2 };
    mfcs_file *f;
    mfcs_archive *ar;
    /* CMap<short, short, double, double>: -1 (14) after 1 (11);
     * CMap<WORD, WORD, ...>: 0xFFFF (0) before 1 (11). */
    ar = new_store(&f);
    OK(mfcs_archive_write_raw_map(ar, wk, 2, 1, dv, 8, 2, MFCS_MAP_DEFAULT_SIZE));
    expect_wire(ar, f, "02 00 01 00 00 00 00 00 00 00 00 40 FF FF 00 00 00 00 00 00 F0 3F");
    ar = new_store(&f);
    OK(mfcs_archive_write_raw_map(ar, wk, 2, 0, dv, 8, 2, MFCS_MAP_DEFAULT_SIZE));
    expect_wire(ar, f, "02 00 FF FF 00 00 00 00 00 00 F0 3F 01 00 00 00 00 00 00 00 00 40");
    /* {1->10, 2->20, 1->30} in MFC 9: chain 2, 1 with 1's last value */
    ar = store_v(&f, MFCS_MFC_9);
    OK(mfcs_archive_write_raw_map(ar, k121, 4, 1, v3, 4, 3, MFCS_MAP_DEFAULT_SIZE));
    expect_wire(ar, f, "02 00 02 00 00 00 14 00 00 00 01 00 00 00 1E 00 00 00");
    ar = new_store(&f);
    OK(mfcs_archive_write_raw_map(ar, k121, 4, 1, v3, 4, 3, MFCS_MAP_AS_GIVEN));
    expect_wire(ar, f, "03 00 01 00 00 00 0A 00 00 00 02 00 00 00 14 00 00 00 01 00 00 00 1E 00 00 00");
    /* A 3-byte key has no HashKey: only as given. */
    ar = new_store(&f);
    OK(mfcs_archive_write_raw_map(ar, k3, 3, 0, v1, 1, 2, MFCS_MAP_AS_GIVEN));
    expect_wire(ar, f, "02 00 61 62 63 01 64 65 66 02");
    ar = new_store(&f);
    ERR(mfcs_archive_write_raw_map(ar, k3, 3, 0, v1, 1, 2, MFCS_MAP_DEFAULT_SIZE), MFCS_E_INVALIDARG);
    mfcs_archive_abort(ar);
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    ERR(mfcs_archive_write_raw_map(ar, k3, 0, 0, v1, 1, 2, MFCS_MAP_AS_GIVEN), MFCS_E_INVALIDARG);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* ================================================================== */
/* V1.5: maps of objects, where the order numbers the objects           */
/* ================================================================== */

/* CMapStringToOb {a->p1, b->p2}: MFC 9 writes a first (buckets 12, 13),
 * so p1 carries the class record and is object 2; MFC 10 writes b first
 * (14 before 15), so p2 does. An object written after the map refers to
 * p1 by the number the order gave it. */
Test(object_maps, string_to_ob_order_decides_the_class_record)
{
    static const char *const k[] = { "a", "b" };
    point p1 = { 1, 2 }, p2 = { 3, 4 };
    void *objs[] = { &p1, &p2 };
    const char *old9 = "02 00 " W1("61") CPOINT_NEW PT("01", "02") W1("62") "01 80 " PT("03", "04") "02 00";
    const char *new10 = "02 00 " W1("62") CPOINT_NEW PT("03", "04") W1("61") "01 80 " PT("01", "02") "03 00";
    mfcs_file *f;
    mfcs_archive *ar;
    char **rk = NULL;
    void **ro = NULL, *after = NULL;
    size_t n = 0;
    register_classes();
    ar = store_v(&f, MFCS_MFC_9);
    OK(mfcs_archive_write_map_string_to_object(ar, k, objs, 2, cpoint, NULL, MFCS_MAP_DEFAULT_SIZE));
    OK(mfcs_archive_write_object(ar, cpoint, &p1));
    expect_wire(ar, f, old9);
    ar = store_v(&f, MFCS_MFC_10);
    OK(mfcs_archive_write_map_string_to_object(ar, k, objs, 2, cpoint, NULL, MFCS_MAP_DEFAULT_SIZE));
    OK(mfcs_archive_write_object(ar, cpoint, &p1));
    expect_wire(ar, f, new10);

    ar = load_hex(&f, new10);
    OK(mfcs_archive_read_map_string_to_object(ar, cpoint, &rk, &ro, &n));
    cr_assert_eq(n, 2);
    cr_assert(!strcmp(rk[0], "b") && !strcmp(rk[1], "a"));
    expect_point(ro[0], 3, 4);
    expect_point(ro[1], 1, 2);
    OK(mfcs_archive_read_object(ar, NULL, &after, NULL));
    cr_assert_eq(after, ro[1], "the back reference after the map names another object");
    close_load(ar, f);
    destroy_all(ro, n);
    mfcs_free(rk);
    cr_assert_eq(points_live, 0);
}

/* The ANSI form: CStringA keys, the same objects. */
Test(object_maps, string_to_ob_ansi)
{
    static const char *const k[] = { "a" };
    point p1 = { 1, 2 };
    void *objs[] = { &p1 };
    mfcs_file *f;
    mfcs_archive *ar;
    register_classes();
    ar = new_store(&f);
    OK(mfcs_archive_write_map_string_to_object_a(ar, k, objs, 1, cpoint, NULL, MFCS_MAP_DEFAULT_SIZE));
    expect_wire(ar, f, "01 00 01 61 " CPOINT_NEW PT("01", "02"));
}

/* CMapWordToOb {1->p1, 3->p2}: MFC 9 hashes both to bucket 0 (3 first),
 * MFC 14 to 11 and 16 (1 first). With mixed classes each first object of
 * a class carries its record, wherever the order puts it. */
Test(object_maps, word_to_ob_in_both_generations)
{
    static const uint16_t k[] = { 1, 3 };
    point p1 = { 1, 2 }, p2 = { 3, 4 };
    void *objs[] = { &p1, &p2 };
    const mfcs_class *classes[2];
    const char *old9 = "02 00 03 00 " CPOINT_NEW PT("03", "04") "01 00 01 80 " PT("01", "02") "03 00";
    const char *new14 = "02 00 01 00 " CPOINT_NEW PT("01", "02") "03 00 01 80 " PT("03", "04") "02 00";
    const char *mixed9 = "02 00 03 00 " CPOINT_NEW PT("03", "04") "01 00 FF FF 02 00 05 00 43 53 69 7A 65 "
                         PT("01", "02");
    mfcs_file *f;
    mfcs_archive *ar;
    uint16_t *rk = NULL;
    void **ro = NULL;
    size_t n = 0;
    register_classes();
    ar = store_v(&f, MFCS_MFC_9);
    OK(mfcs_archive_write_map_word_to_object(ar, k, objs, 2, cpoint, NULL, MFCS_MAP_DEFAULT_SIZE));
    OK(mfcs_archive_write_object(ar, cpoint, &p1));
    expect_wire(ar, f, old9);
    ar = new_store(&f);
    OK(mfcs_archive_write_map_word_to_object(ar, k, objs, 2, cpoint, NULL, MFCS_MAP_DEFAULT_SIZE));
    OK(mfcs_archive_write_object(ar, cpoint, &p1));
    expect_wire(ar, f, new14);
    classes[0] = csize; classes[1] = cpoint;
    ar = store_v(&f, MFCS_MFC_9);
    OK(mfcs_archive_write_map_word_to_object(ar, k, objs, 2, NULL, classes, MFCS_MAP_DEFAULT_SIZE));
    expect_wire(ar, f, mixed9);

    ar = load_hex(&f, old9);
    OK(mfcs_archive_read_map_word_to_object(ar, NULL, &rk, &ro, &n));
    cr_assert_eq(n, 2);
    cr_assert(rk[0] == 3 && rk[1] == 1);
    expect_point(ro[0], 3, 4);
    expect_point(ro[1], 1, 2);
    destroy_all(ro, n);
    mfcs_free(rk);
    close_load(ar, f);

    /* Expecting CSize, the map of CPoint fails, and what it made goes. */
    ar = load_hex(&f, old9);
    ERR(mfcs_archive_read_map_word_to_object(ar, csize, &rk, &ro, &n), MFCS_E_CLASS);
    expect_sticky(ar, MFCS_E_CLASS);
    cr_assert_eq(points_live, 0, "a failed map read left %d objects alive", points_live);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* A map cut inside its second object: all its objects are destroyed. */
Test(object_maps, a_cut_map_destroys_what_it_made)
{
    mfcs_file *f;
    mfcs_archive *ar;
    char **k = NULL;
    void **o = NULL;
    size_t n = 0;
    register_classes();
    ar = load_hex(&f, "02 00 " W1("61") CPOINT_NEW PT("01", "02") W1("62") "01 80 03 00");
    ERR(mfcs_archive_read_map_string_to_object(ar, NULL, &k, &o, &n), MFCS_E_EOF);
    expect_sticky(ar, MFCS_E_EOF);
    cr_assert_eq(points_live, 0, "a failed map read left %d objects alive", points_live);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* ================================================================== */
/* V2.1: POINT, SIZE, RECT                                             */
/* ================================================================== */

Test(geometry, point_size_rect)
{
    /* Scribble's CSize (800, 900) is 20 03 00 00 84 03 00 00 (V2.1). */
    const char *wire = "01 00 00 00 FE FF FF FF  20 03 00 00 84 03 00 00  "
                       "FF FF FF FF 02 00 00 00 03 00 00 00 FC FF FF FF  FF FF FF 7F 00 00 00 80";
    mfcs_point p = { 1, -2 }, q = { INT32_MAX, INT32_MIN }, rp;
    mfcs_size s = { 800, 900 }, rs;
    mfcs_rect r = { -1, 2, 3, -4 }, rr;
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    OK(mfcs_archive_write_point(ar, p));
    OK(mfcs_archive_write_size(ar, s));
    OK(mfcs_archive_write_rect(ar, r));
    OK(mfcs_archive_write_point(ar, q));
    expect_wire(ar, f, wire);

    ar = load_hex(&f, wire);
    OK(mfcs_archive_read_point(ar, &rp));
    cr_assert(rp.x == 1 && rp.y == -2);
    OK(mfcs_archive_read_size(ar, &rs));
    cr_assert(rs.cx == 800 && rs.cy == 900);
    OK(mfcs_archive_read_rect(ar, &rr));
    cr_assert(rr.left == -1 && rr.top == 2 && rr.right == 3 && rr.bottom == -4);
    OK(mfcs_archive_read_point(ar, NULL));     /* skipped, all 8 bytes */
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* ================================================================== */
/* V2.2: CTime                                                         */
/* ================================================================== */

/* MFC 8.0 on: the marker 0x8000000A and 8 bytes, always, small or not:
 * the real bytes of [S12], a day before 1970, 2038-01-19 03:14:08 (2^31)
 * and 2100-01-01. */
Test(ctime, marker_form_from_8)
{
    const char *wire = "0A 00 00 80 1B 0A 96 5D 00 00 00 00  0A 00 00 80 80 AE FE FF FF FF FF FF  "
                       "0A 00 00 80 00 00 00 80 00 00 00 00  0A 00 00 80 00 57 86 F4 00 00 00 00";
    static const int64_t t[] = { 0x5D960A1B, -86400, 0x80000000LL, 4102444800LL };
    static const unsigned versions[] = { MFCS_MFC_8, MFCS_MFC_9, MFCS_MFC_14 };
    size_t i, j;
    for (j = 0; j < 3; j++) {
        mfcs_file *f;
        mfcs_archive *ar = store_v(&f, versions[j]);
        for (i = 0; i < 4; i++)
            OK(mfcs_archive_write_time(ar, t[i]));
        expect_wire(ar, f, wire);
        ar = load_hex_v(&f, wire, versions[j]);
        for (i = 0; i < 4; i++) {
            int64_t back = 0;
            OK(mfcs_archive_read_time(ar, &back));
            cr_assert_eq(back, t[i], "MFC 0x%04X time %zu: %lld", versions[j], i, (long long)back);
        }
        expect_drained(ar);
        mfcs_archive_abort(ar);
        OK(mfcs_file_close(f));
    }
}

/* Before 8.0: the 32-bit time_t alone. Its range is all it can hold: a
 * time after 2038-01-19 03:14:07 or before 1901-12-13 20:45:52 is refused,
 * not cut as MFC 7 would. */
Test(ctime, legacy_form_before_8)
{
    const char *wire = "1B 0A 96 5D 80 AE FE FF FF FF FF 7F 00 00 00 80";
    static const int64_t t[] = { 0x5D960A1B, -86400, INT32_MAX, INT32_MIN };
    static const int64_t too_far[] = { 0x80000000LL, (int64_t)INT32_MIN - 1, 4102444800LL };
    static const unsigned versions[] = { MFCS_MFC_4, MFCS_MFC_7, 0x0710 };
    size_t i, j;
    for (j = 0; j < 3; j++) {
        mfcs_file *f;
        mfcs_archive *ar = store_v(&f, versions[j]);
        for (i = 0; i < 4; i++)
            OK(mfcs_archive_write_time(ar, t[i]));
        expect_wire(ar, f, wire);
        ar = load_hex_v(&f, wire, versions[j]);
        for (i = 0; i < 4; i++) {
            int64_t back = 0;
            OK(mfcs_archive_read_time(ar, &back));
            cr_assert_eq(back, t[i], "MFC 0x%04X time %zu: %lld", versions[j], i, (long long)back);
        }
        expect_drained(ar);
        mfcs_archive_abort(ar);
        OK(mfcs_file_close(f));
        for (i = 0; i < 3; i++) {
            ar = store_v(&f, versions[j]);
            ERR(mfcs_archive_write_time(ar, too_far[i]), MFCS_E_LIMIT);
            expect_sticky(ar, MFCS_E_LIMIT);
            mfcs_archive_abort(ar);
            OK(mfcs_file_close(f));
        }
    }
}

/* MFC 8+ reads any MFC's CTime: anything but the marker is a legacy
 * 32-bit time, sign-extended. */
Test(ctime, the_default_reads_legacy_times_sign_extended)
{
    mfcs_file *f;
    mfcs_archive *ar = load_hex(&f, "80 AE FE FF  0A 00 00 80 01 00 00 00 00 00 00 00  FF FF FF 7F  "
                                    "00 00 00 80  0B 00 00 80  00 00 00 00");
    int64_t t = 0;
    OK(mfcs_archive_read_time(ar, &t));
    cr_assert_eq(t, -86400);
    OK(mfcs_archive_read_time(ar, &t));
    cr_assert_eq(t, 1);
    OK(mfcs_archive_read_time(ar, &t));
    cr_assert_eq(t, INT32_MAX);
    OK(mfcs_archive_read_time(ar, &t));
    cr_assert_eq(t, INT32_MIN, "0x80000000 is a time, not the marker: %lld", (long long)t);
    OK(mfcs_archive_read_time(ar, &t));
    cr_assert_eq(t, (int64_t)(int32_t)0x8000000B);
    OK(mfcs_archive_read_time(ar, NULL));
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* An archive set before 8.0 reads 4 bytes and knows no marker: the
 * marker's bytes are the 1901 instant, and the next 4 bytes a time. */
Test(ctime, legacy_archives_read_no_marker)
{
    mfcs_file *f;
    mfcs_archive *ar = load_hex_v(&f, "0A 00 00 80 01 00 00 00", MFCS_MFC_7);
    int64_t t = 0;
    OK(mfcs_archive_read_time(ar, &t));
    cr_assert_eq(t, -2147483638LL);
    OK(mfcs_archive_read_time(ar, &t));
    cr_assert_eq(t, 1);
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* Serialize64: the 8 bytes alone, in every version. */
Test(ctime, serialize64_has_no_marker)
{
    static const unsigned versions[] = { MFCS_MFC_7, MFCS_MFC_14 };
    size_t j;
    for (j = 0; j < 2; j++) {
        mfcs_file *f;
        mfcs_archive *ar = store_v(&f, versions[j]);
        int64_t t = 0;
        OK(mfcs_archive_write_time64(ar, -86400));
        OK(mfcs_archive_write_time64(ar, 4102444800LL));
        expect_wire(ar, f, "80 AE FE FF FF FF FF FF 00 57 86 F4 00 00 00 00");
        ar = load_hex_v(&f, "80 AE FE FF FF FF FF FF 00 57 86 F4 00 00 00 00", versions[j]);
        OK(mfcs_archive_read_time64(ar, &t));
        cr_assert_eq(t, -86400);
        OK(mfcs_archive_read_time64(ar, &t));
        cr_assert_eq(t, 4102444800LL);
        expect_drained(ar);
        mfcs_archive_abort(ar);
        OK(mfcs_file_close(f));
    }
}

/* ================================================================== */
/* V2.3: CTimeSpan                                                     */
/* ================================================================== */

/* Four bytes, the low 32 bits, from INT_MIN to UINT_MAX; read back
 * sign-extended, so spans of 2^31 s and more come back negative. */
Test(ctimespan, four_bytes_sign_extended)
{
    const char *wire = "10 0E 00 00  FF FF FF FF  FF FF FF FF  00 00 00 80  00 5E D0 B2  FF FF FF 7F";
    static const int64_t s[] = { 3600, -1, 4294967295LL, INT32_MIN, 3000000000LL, INT32_MAX };
    static const int64_t back[] = { 3600, -1, -1, INT32_MIN, 3000000000LL - 4294967296LL, INT32_MAX };
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    size_t i;
    for (i = 0; i < 6; i++)
        OK(mfcs_archive_write_timespan(ar, s[i]));
    expect_wire(ar, f, wire);
    ar = load_hex(&f, wire);
    for (i = 0; i < 6; i++) {
        int64_t v = 0;
        OK(mfcs_archive_read_timespan(ar, &v));
        cr_assert_eq(v, back[i], "span %zu: %lld, want %lld", i, (long long)v, (long long)back[i]);
    }
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* Above UINT_MAX (9.0+ throws) and below INT_MIN (would read back as
 * another span): refused. */
Test(ctimespan, out_of_range_is_limit)
{
    static const int64_t bad[] = { 4294967296LL, (int64_t)INT32_MIN - 1, INT64_MAX, INT64_MIN };
    size_t i;
    for (i = 0; i < 4; i++) {
        mfcs_file *f;
        mfcs_archive *ar = new_store(&f);
        ERR(mfcs_archive_write_timespan(ar, bad[i]), MFCS_E_LIMIT);
        expect_sticky(ar, MFCS_E_LIMIT);
        mfcs_archive_abort(ar);
        OK(mfcs_file_close(f));
    }
}

Test(ctimespan, serialize64_is_eight_bytes)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    int64_t v = 0;
    OK(mfcs_archive_write_timespan64(ar, 4294967296LL));
    OK(mfcs_archive_write_timespan64(ar, -2));
    expect_wire(ar, f, "00 00 00 00 01 00 00 00 FE FF FF FF FF FF FF FF");
    ar = load_hex(&f, "00 00 00 00 01 00 00 00 FE FF FF FF FF FF FF FF");
    OK(mfcs_archive_read_timespan64(ar, &v));
    cr_assert_eq(v, 4294967296LL);
    OK(mfcs_archive_read_timespan64(ar, &v));
    cr_assert_eq(v, -2);
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* ================================================================== */
/* V2.4: COleDateTime, COleDateTimeSpan                                */
/* ================================================================== */

/* Status first, then the double, written whatever the status says. */
Test(ole_date, status_then_date_for_valid_invalid_null)
{
    const char *wire = "00 00 00 00 00 00 00 00 00 00 04 40  "     /* valid 2.5 */
                       "01 00 00 00 00 00 00 00 00 00 00 00  "     /* invalid 0.0 */
                       "02 00 00 00 00 00 00 00 00 00 F4 BF";      /* null, -1.25 kept */
    static const double d[] = { 2.5, 0.0, -1.25 };
    static const int32_t st[] = { MFCS_OLE_VALID, MFCS_OLE_INVALID, MFCS_OLE_NULL };
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    size_t i;
    for (i = 0; i < 3; i++)
        OK(mfcs_archive_write_ole_date(ar, d[i], st[i]));
    expect_wire(ar, f, wire);
    ar = load_hex(&f, wire);
    for (i = 0; i < 3; i++) {
        double v = 99;
        int32_t s = 99;
        OK(mfcs_archive_read_ole_date(ar, &v, &s));
        cr_assert(v == d[i] && s == st[i], "date %zu: %g status %d", i, v, s);
    }
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* MFC loads both fields verbatim: a status outside the enum stays. */
Test(ole_date, reading_checks_nothing)
{
    mfcs_file *f;
    mfcs_archive *ar = load_hex(&f, "07 00 00 00 00 00 00 00 00 00 F0 3F  FF FF FF FF 00 00 00 00 00 00 00 00");
    double v = 0;
    int32_t s = 0;
    OK(mfcs_archive_read_ole_date(ar, &v, &s));
    cr_assert(v == 1.0 && s == 7);
    OK(mfcs_archive_read_ole_date(ar, NULL, &s));
    cr_assert_eq(s, -1);
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

Test(ole_date, span_has_the_same_layout)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    double v = 0;
    int32_t s = 99;
    OK(mfcs_archive_write_ole_date_span(ar, 1.5, MFCS_OLE_VALID));
    OK(mfcs_archive_write_ole_date_span(ar, -1.25, MFCS_OLE_NULL));
    expect_wire(ar, f, "00 00 00 00 00 00 00 00 00 00 F8 3F  02 00 00 00 00 00 00 00 00 00 F4 BF");
    ar = load_hex(&f, "00 00 00 00 00 00 00 00 00 00 F8 3F  02 00 00 00 00 00 00 00 00 00 F4 BF");
    OK(mfcs_archive_read_ole_date_span(ar, &v, &s));
    cr_assert(v == 1.5 && s == MFCS_OLE_VALID);
    OK(mfcs_archive_read_ole_date_span(ar, &v, &s));
    cr_assert(v == -1.25 && s == MFCS_OLE_NULL);
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* ================================================================== */
/* V2.5: COleCurrency                                                  */
/* ================================================================== */

/* Status, then the HIGH LONG, then the low DWORD: COleCurrency(12, 3456)
 * is 123456 = 00000000 00000000 40E20100 (V2.5). */
Test(currency, status_hi_lo)
{
    const char *wire = "00 00 00 00 00 00 00 00 40 E2 01 00  "
                       "00 00 00 00 FF FF FF FF C0 1D FE FF  "
                       "02 00 00 00 01 00 00 00 02 00 00 00  "
                       "01 00 00 00 FF FF FF FF FF FF FF FF";
    static const int64_t v[] = { 123456, -123456, 0x100000002LL, -1 };
    static const int32_t st[] = { MFCS_OLE_VALID, MFCS_OLE_VALID, MFCS_OLE_NULL, MFCS_OLE_INVALID };
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    size_t i;
    for (i = 0; i < 4; i++)
        OK(mfcs_archive_write_currency(ar, v[i], st[i]));
    expect_wire(ar, f, wire);
    ar = load_hex(&f, wire);
    for (i = 0; i < 4; i++) {
        int64_t x = 0;
        int32_t s = 99;
        OK(mfcs_archive_read_currency(ar, &x, &s));
        cr_assert(x == v[i] && s == st[i], "currency %zu: %lld status %d", i, (long long)x, s);
    }
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* ================================================================== */
/* V2.6: COleVariant                                                   */
/* ================================================================== */

static mfcs_variant var(uint16_t vt)
{
    mfcs_variant v;
    memset(&v, 0, sizeof v);
    v.vt = vt;
    return v;
}

/* Every type MFC writes with its value, one after the other: each payload
 * as V2.6's table has it (VT_CY low DWORD first, unlike COleCurrency). */
#define VARIANT_WIRE \
    "00 00  01 00  02 00 FE FF  03 00 78 56 34 12  04 00 00 00 20 C0  " \
    "05 00 00 00 00 00 00 00 F0 3F  06 00 02 00 00 00 01 00 00 00  " \
    "07 00 00 00 00 00 00 00 04 40  08 00 04 00 00 00 68 00 69 00  " \
    "0A 00 04 00 02 80  0B 00 FF FF  0B 00 00 00  10 00 FE  11 00 AB  12 00 FE FF  " \
    "13 00 FE FF FF FF  14 00 FE FF FF FF FF FF FF FF  15 00 08 07 06 05 04 03 02 01"

static void variant_values(mfcs_variant *v)
{
    static const uint16_t hi[] = { 'h', 'i' };
    v[0] = var(MFCS_VT_EMPTY);
    v[1] = var(MFCS_VT_NULL);
    v[2] = var(MFCS_VT_I2);     v[2].v.i2 = -2;
    v[3] = var(MFCS_VT_I4);     v[3].v.i4 = 0x12345678;
    v[4] = var(MFCS_VT_R4);     v[4].v.r4 = -2.5f;
    v[5] = var(MFCS_VT_R8);     v[5].v.r8 = 1.0;
    v[6] = var(MFCS_VT_CY);     v[6].v.cy = 0x100000002LL;
    v[7] = var(MFCS_VT_DATE);   v[7].v.date = 2.5;
    v[8] = var(MFCS_VT_BSTR);   v[8].bstr = (void *)hi; v[8].bstr_bytes = 4;
    v[9] = var(MFCS_VT_ERROR);  v[9].v.scode = (int32_t)0x80020004u;
    v[10] = var(MFCS_VT_BOOL);  v[10].v.boolean = -1;
    v[11] = var(MFCS_VT_BOOL);  v[11].v.boolean = 0;
    v[12] = var(MFCS_VT_I1);    v[12].v.i1 = -2;
    v[13] = var(MFCS_VT_UI1);   v[13].v.ui1 = 0xAB;
    v[14] = var(MFCS_VT_UI2);   v[14].v.ui2 = 0xFFFE;
    v[15] = var(MFCS_VT_UI4);   v[15].v.ui4 = 0xFFFFFFFEu;
    v[16] = var(MFCS_VT_I8);    v[16].v.i8 = -2;
    v[17] = var(MFCS_VT_UI8);   v[17].v.ui8 = 0x0102030405060708ull;
}

static void expect_variant(const mfcs_variant *got, const mfcs_variant *want, size_t i)
{
    cr_assert_eq(got->vt, want->vt, "variant %zu: vt 0x%04X, want 0x%04X", i, got->vt, want->vt);
    cr_assert_eq(got->payload_lost, 0, "variant %zu (vt 0x%04X) lost its payload", i, got->vt);
    switch (want->vt) {
    case MFCS_VT_I2: cr_assert_eq(got->v.i2, want->v.i2); break;
    case MFCS_VT_I4: cr_assert_eq(got->v.i4, want->v.i4); break;
    case MFCS_VT_R4: cr_assert(got->v.r4 == want->v.r4); break;
    case MFCS_VT_R8: cr_assert(got->v.r8 == want->v.r8); break;
    case MFCS_VT_CY: cr_assert_eq(got->v.cy, want->v.cy, "VT_CY %lld", (long long)got->v.cy); break;
    case MFCS_VT_DATE: cr_assert(got->v.date == want->v.date); break;
    case MFCS_VT_BSTR:
        cr_assert_eq(got->bstr_bytes, want->bstr_bytes);
        cr_assert(!memcmp(got->bstr, want->bstr, want->bstr_bytes), "%s", hexs(got->bstr, got->bstr_bytes));
        break;
    case MFCS_VT_ERROR: cr_assert_eq(got->v.scode, want->v.scode); break;
    case MFCS_VT_BOOL: cr_assert_eq(got->v.boolean, want->v.boolean); break;
    case MFCS_VT_I1: cr_assert_eq(got->v.i1, want->v.i1); break;
    case MFCS_VT_UI1: cr_assert_eq(got->v.ui1, want->v.ui1); break;
    case MFCS_VT_UI2: cr_assert_eq(got->v.ui2, want->v.ui2); break;
    case MFCS_VT_UI4: cr_assert_eq(got->v.ui4, want->v.ui4); break;
    case MFCS_VT_I8: cr_assert_eq(got->v.i8, want->v.i8); break;
    case MFCS_VT_UI8: cr_assert_eq(got->v.ui8, want->v.ui8); break;
    default: break;
    }
}

Test(variant, every_type_with_a_payload)
{
    mfcs_variant v[18], got;
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    size_t i;
    variant_values(v);
    for (i = 0; i < 18; i++)
        OK(mfcs_archive_write_variant(ar, &v[i]));
    expect_wire(ar, f, VARIANT_WIRE);
    ar = load_hex(&f, VARIANT_WIRE);
    for (i = 0; i < 18; i++) {
        memset(&got, 0xEE, sizeof got);
        got.bstr = NULL;
        OK(mfcs_archive_read_variant(ar, &got));
        expect_variant(&got, &v[i], i);
        if (got.vt == MFCS_VT_BSTR)
            mfcs_free(got.bstr);
    }
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* VT_BSTR counts bytes: an ANSI BSTR's odd count is kept both ways; an
 * empty (or NULL) BSTR is the count 0, and reads back empty. */
Test(variant, bstr_counts_bytes_odd_and_empty)
{
    mfcs_variant v = var(MFCS_VT_BSTR), e = var(MFCS_VT_BSTR), z = var(MFCS_VT_BSTR), got;
    static const char abc[] = "abc";
    const char *wire = "08 00 03 00 00 00 61 62 63  08 00 00 00 00 00  08 00 00 00 00 00";
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    v.bstr = (void *)abc; v.bstr_bytes = 3;
    e.bstr = NULL; e.bstr_bytes = 0;            /* MFC: a NULL BSTR writes n = 0 */
    z.bstr = (void *)abc; z.bstr_bytes = 0;
    OK(mfcs_archive_write_variant(ar, &v));
    OK(mfcs_archive_write_variant(ar, &e));
    OK(mfcs_archive_write_variant(ar, &z));
    expect_wire(ar, f, wire);

    ar = load_hex(&f, wire);
    memset(&got, 0, sizeof got);
    OK(mfcs_archive_read_variant(ar, &got));
    cr_assert(got.vt == MFCS_VT_BSTR && got.bstr_bytes == 3 && !memcmp(got.bstr, "abc", 3));
    mfcs_free(got.bstr);
    memset(&got, 0, sizeof got);
    got.bstr_bytes = 77;
    OK(mfcs_archive_read_variant(ar, &got));
    cr_assert(got.vt == MFCS_VT_BSTR && got.bstr_bytes == 0 && !got.payload_lost);
    mfcs_free(got.bstr);
    memset(&got, 0, sizeof got);
    OK(mfcs_archive_read_variant(ar, &got));
    cr_assert(got.vt == MFCS_VT_BSTR && got.bstr_bytes == 0);
    mfcs_free(got.bstr);
    expect_drained(ar);
    mfcs_archive_abort(ar);

    /* bytes announced, none given */
    ar = new_store(&f);
    e.bstr_bytes = 4;
    ERR(mfcs_archive_write_variant(ar, &e), MFCS_E_INVALIDARG);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* MFC before 9.0 writes VT_I1, UI2, UI4, I8, UI8 as the vt alone, so the
 * value would be lost: refused for an archive set to MFC 8. */
Test(variant, nine_zero_types_refused_for_mfc8)
{
    mfcs_variant v[18];
    static const size_t nine[] = { 12, 14, 15, 16, 17 };
    size_t i;
    variant_values(v);
    for (i = 0; i < 5; i++) {
        mfcs_file *f;
        mfcs_archive *ar = store_v(&f, MFCS_MFC_8);
        ERR(mfcs_archive_write_variant(ar, &v[nine[i]]), MFCS_E_UNSUPPORTED);
        expect_sticky(ar, MFCS_E_UNSUPPORTED);
        mfcs_archive_abort(ar);
        OK(mfcs_file_close(f));
    }
    {
        /* the older types still go */
        mfcs_file *f;
        mfcs_archive *ar = store_v(&f, MFCS_MFC_4);
        OK(mfcs_archive_write_variant(ar, &v[13]));
        OK(mfcs_archive_write_variant(ar, &v[6]));
        expect_wire(ar, f, "11 00 AB 06 00 02 00 00 00 01 00 00 00");
    }
}

/* From an MFC 8 stream those five are a vt and nothing more: lost, and
 * the next value starts right after the vt. */
Test(variant, nine_zero_types_from_mfc8_are_payload_lost)
{
    static const uint16_t vts[] = { MFCS_VT_I1, MFCS_VT_I8, MFCS_VT_UI8, MFCS_VT_UI2, MFCS_VT_UI4 };
    mfcs_file *f;
    mfcs_archive *ar = load_hex_v(&f, "10 00 14 00 15 00 12 00 13 00 03 00 07 00 00 00 11 00 AB", MFCS_MFC_8);
    mfcs_variant got;
    size_t i;
    for (i = 0; i < 5; i++) {
        memset(&got, 0, sizeof got);
        OK(mfcs_archive_read_variant(ar, &got));
        cr_assert(got.vt == vts[i] && got.payload_lost == 1, "variant %zu: vt 0x%04X lost %d", i, got.vt,
                  got.payload_lost);
    }
    memset(&got, 0, sizeof got);
    OK(mfcs_archive_read_variant(ar, &got));
    cr_assert(got.vt == MFCS_VT_I4 && got.v.i4 == 7 && !got.payload_lost);
    OK(mfcs_archive_read_variant(ar, &got));
    cr_assert(got.vt == MFCS_VT_UI1 && got.v.ui1 == 0xAB && !got.payload_lost);
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* BYREF, ARRAY (COleVariant(CByteArray) is 11 20 alone), VT_DECIMAL and
 * other types MFC writes without a value: vt alone, payload lost. */
Test(variant, bare_vt_types_read_as_payload_lost)
{
    static const uint16_t vts[] = { 0x4003, 0x2011, 0x000E, 0x000C, 0x0016, 0x6008 };
    mfcs_file *f;
    mfcs_archive *ar = load_hex(&f, "03 40 11 20 0E 00 0C 00 16 00 08 60 02 00 05 00");
    mfcs_variant got;
    size_t i;
    for (i = 0; i < 6; i++) {
        memset(&got, 0, sizeof got);
        OK(mfcs_archive_read_variant(ar, &got));
        cr_assert(got.vt == vts[i] && got.payload_lost == 1, "variant %zu: vt 0x%04X lost %d", i, got.vt,
                  got.payload_lost);
    }
    memset(&got, 0, sizeof got);
    OK(mfcs_archive_read_variant(ar, &got));
    cr_assert(got.vt == MFCS_VT_I2 && got.v.i2 == 5 && !got.payload_lost);
    expect_drained(ar);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* VT_DISPATCH and VT_UNKNOWN: a CLSID and an object's stream of no stated
 * length: unreadable. Nothing is consumed: a new archive on the same file
 * reads the vt again. */
Test(variant, dispatch_and_unknown_cannot_be_read)
{
    static const char *const wires[] = {
        "09 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10 AA",
        "0D 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10 AA",
    };
    size_t i;
    for (i = 0; i < 2; i++) {
        mfcs_file *f;
        mfcs_archive *ar = load_hex(&f, wires[i]);
        mfcs_variant got;
        uint16_t vt = 0;
        memset(&got, 0, sizeof got);
        ERR(mfcs_archive_read_variant(ar, &got), MFCS_E_UNSUPPORTED);
        expect_sticky(ar, MFCS_E_UNSUPPORTED);
        OK(mfcs_archive_abort(ar));
        OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
        OK(mfcs_archive_read_u16(ar, &vt));
        cr_assert_eq(vt, i ? 0x0D : 0x09, "the refused variant's bytes were consumed: next 0x%04X", vt);
        close_load(ar, f);
    }
}

/* A type MFC would write as the vt alone is refused, not written lossy. */
Test(variant, bare_vt_types_refused_on_write)
{
    static const uint16_t vts[] = { MFCS_VT_DISPATCH, MFCS_VT_UNKNOWN, 0x4003, 0x2011, 0x000E, 0x000C, 0x0016 };
    size_t i;
    for (i = 0; i < sizeof vts / sizeof vts[0]; i++) {
        mfcs_file *f;
        mfcs_archive *ar = new_store(&f);
        mfcs_variant v = var(vts[i]);
        ERR(mfcs_archive_write_variant(ar, &v), MFCS_E_UNSUPPORTED);
        expect_sticky(ar, MFCS_E_UNSUPPORTED);
        mfcs_archive_abort(ar);
        OK(mfcs_file_close(f));
    }
}

/* ================================================================== */
/* V2.7: CComBSTR                                                      */
/* ================================================================== */

/* A DWORD count of UTF-16 units (not bytes, not a CString prefix). */
Test(combstr, unit_count_then_units)
{
    const char *wire = "02 00 00 00 68 00 69 00  00 00 00 00  01 00 00 00 AC 20";
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    wchar_t *s = NULL;
    size_t len = 99;
    OK(mfcs_archive_write_combstr(ar, L"hi", 2));
    OK(mfcs_archive_write_combstr(ar, NULL, 0));
    OK(mfcs_archive_write_combstr(ar, L"\x20AC", 1));
    expect_wire(ar, f, wire);

    ar = load_hex(&f, wire);
    OK(mfcs_archive_read_combstr(ar, &s, &len));
    cr_assert(len == 2 && !wcscmp(s, L"hi"));
    mfcs_free(s);
    s = NULL;
    OK(mfcs_archive_read_combstr(ar, &s, &len));
    cr_assert_eq(len, 0);
    cr_assert(s == NULL || s[0] == 0);
    mfcs_free(s);
    OK(mfcs_archive_read_combstr(ar, NULL, &len));   /* skipped */
    cr_assert_eq(len, 1);
    expect_drained(ar);
    mfcs_archive_abort(ar);

    ar = new_store(&f);
    ERR(mfcs_archive_write_combstr(ar, NULL, 2), MFCS_E_INVALIDARG);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* The string limit counts a CComBSTR's bytes as stored: 3 units are 6 bytes. */
Test(combstr, the_string_limit_applies)
{
    mfcs_file *f;
    mfcs_archive *ar = load_hex(&f, "03 00 00 00 61 00 62 00 63 00");
    wchar_t *s = NULL;
    OK(mfcs_archive_set_limit(ar, MFCS_LIMIT_STRING, 4, NULL));
    ERR(mfcs_archive_read_combstr(ar, &s, NULL), MFCS_E_LIMIT);
    expect_sticky(ar, MFCS_E_LIMIT);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* ================================================================== */
/* Lines (MFC-REFERENCE 1.4): WriteString / ReadString of each build    */
/* ================================================================== */

/* A Unicode build's line: "hi\r\n" is 68 00 69 00 0D 00 0A 00 both ways. */
Test(lines, unicode_hi_crlf_both_ways)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    char buf[16];
    wchar_t wbuf[16];
    size_t n = 99;
    OK(mfcs_archive_write_line(ar, "hi\r\n"));
    OK(mfcs_archive_write_line_w(ar, L"hi\r\n"));
    OK(mfcs_archive_write_line(ar, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\n"));
    OK(mfcs_archive_write_line(ar, ""));           /* nothing at all */
    expect_wire(ar, f, "68 00 69 00 0D 00 0A 00  68 00 69 00 0D 00 0A 00  E9 00 AC 20 3D D8 00 DE 0A 00");

    ar = load_hex(&f, "68 00 69 00 0D 00 0A 00  68 00 69 00 0D 00 0A 00  E9 00 AC 20 3D D8 00 DE 0A 00");
    OK(mfcs_archive_read_line(ar, buf, sizeof buf, &n));
    cr_assert_str_eq(buf, "hi");
    cr_assert_eq(n, 2);
    OK(mfcs_archive_read_line_w(ar, wbuf, 16, &n));
    cr_assert(!wcscmp(wbuf, L"hi") && n == 2);
    OK(mfcs_archive_read_line(ar, buf, sizeof buf, &n));
    cr_assert_str_eq(buf, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    cr_assert_eq(n, 9);
    ERR(mfcs_archive_read_line(ar, buf, sizeof buf, &n), MFCS_E_END);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* An ANSI build's line: the bytes as they are, a byte >= 0x80 too. */
Test(lines, ansi_lines_are_bytes)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    char buf[16];
    size_t n = 0;
    OK(mfcs_archive_write_line_a(ar, "hi\r\n"));
    OK(mfcs_archive_write_line_a(ar, "\xE9\n"));
    expect_wire(ar, f, "68 69 0D 0A E9 0A");
    ar = load_hex(&f, "68 69 0D 0A E9 0A");
    OK(mfcs_archive_read_line_a(ar, buf, sizeof buf, &n));
    cr_assert(!strcmp(buf, "hi") && n == 2);
    OK(mfcs_archive_read_line_a(ar, buf, sizeof buf, &n));
    cr_assert((unsigned char)buf[0] == 0xE9 && buf[1] == 0 && n == 1);
    ERR(mfcs_archive_read_line_a(ar, buf, sizeof buf, &n), MFCS_E_END);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* A line longer than the buffer is cut there, yet consumed whole, and
 * len tells its full length: in units, in bytes. */
Test(lines, a_line_cut_by_cap)
{
    mfcs_file *f;
    mfcs_archive *ar = load_hex(&f, "61 00 62 00 63 00 64 00 65 00 66 00 0A 00 7A 00 0A 00");
    wchar_t w[4];
    char b[4];
    size_t n = 0;
    OK(mfcs_archive_read_line_w(ar, w, 4, &n));
    cr_assert(!wcscmp(w, L"abc") && n == 6, "n %zu", n);
    OK(mfcs_archive_read_line_w(ar, w, 4, &n));
    cr_assert(!wcscmp(w, L"z") && n == 1);
    close_load(ar, f);

    ar = load_hex(&f, "61 00 62 00 63 00 64 00 65 00 66 00 0A 00 7A 00 0A 00");
    OK(mfcs_archive_read_line(ar, b, 4, &n));
    cr_assert(!strcmp(b, "abc") && n == 6);
    OK(mfcs_archive_read_line(ar, b, 4, &n));
    cr_assert(!strcmp(b, "z") && n == 1);
    close_load(ar, f);

    ar = load_hex(&f, "61 62 63 64 65 66 0A 7A 0A");
    OK(mfcs_archive_read_line_a(ar, b, 4, &n));
    cr_assert(!strcmp(b, "abc") && n == 6);
    OK(mfcs_archive_read_line_a(ar, b, 4, &n));
    cr_assert(!strcmp(b, "z") && n == 1);
    close_load(ar, f);
}

/* The UTF-8 form never cuts a character: "a" (1) "é" (2) "€" (3) into
 * buffers of 3, 4, 6 and 7 bytes; a surrogate pair (4) into 4. */
Test(lines, utf8_characters_are_never_cut)
{
    static const struct { size_t cap; const char *want; } t[] = {
        { 1, "" }, { 2, "a" }, { 3, "a" }, { 4, "a\xC3\xA9" }, { 6, "a\xC3\xA9" }, { 7, "a\xC3\xA9\xE2\x82\xAC" },
    };
    size_t i, n = 0;
    char buf[8];
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        mfcs_file *f;
        mfcs_archive *ar = load_hex(&f, "61 00 E9 00 AC 20 0D 00 0A 00");
        memset(buf, 'Z', sizeof buf);
        OK(mfcs_archive_read_line(ar, buf, t[i].cap, &n));
        cr_assert_str_eq(buf, t[i].want, "cap %zu", t[i].cap);
        cr_assert_eq(n, 6, "cap %zu: length %zu", t[i].cap, n);
        expect_drained(ar);
        mfcs_archive_abort(ar);
        OK(mfcs_file_close(f));
    }
    {
        mfcs_file *f;
        mfcs_archive *ar = load_hex(&f, "3D D8 00 DE 0A 00");
        memset(buf, 'Z', sizeof buf);
        OK(mfcs_archive_read_line(ar, buf, 4, &n));
        cr_assert_str_eq(buf, "");
        cr_assert_eq(n, 4);
        close_load(ar, f);
    }
}

/* MFC's CR rule in units: the unit after a CR always belongs to the line
 * ending, and is the line's last character when it is not LF. A lone
 * surrogate becomes U+FFFD; an odd byte at the end is a cut unit. */
Test(lines, cr_rule_surrogates_and_odd_bytes)
{
    mfcs_file *f;
    mfcs_archive *ar = load_hex(&f, "61 00 0D 00 62 00 63 00 0A 00 00 D8 78 00 0A 00");
    char buf[16];
    wchar_t w[8];
    size_t n = 0;
    OK(mfcs_archive_read_line(ar, buf, sizeof buf, &n));
    cr_assert_str_eq(buf, "ab");
    OK(mfcs_archive_read_line(ar, buf, sizeof buf, &n));
    cr_assert_str_eq(buf, "c");
    OK(mfcs_archive_read_line(ar, buf, sizeof buf, &n));
    cr_assert_str_eq(buf, "\xEF\xBF\xBDx");
    cr_assert_eq(n, 4);
    close_load(ar, f);

    /* MFC's Read of the cut unit comes back short, which ends the line;
     * the odd byte is then a cut unit of its own. */
    ar = load_hex(&f, "68 00 69");
    OK(mfcs_archive_read_line_w(ar, w, 8, &n));
    cr_assert(!wcscmp(w, L"h") && n == 1);
    ERR(mfcs_archive_read_line_w(ar, w, 8, &n), MFCS_E_EOF);
    expect_sticky(ar, MFCS_E_EOF);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));

    ar = load_hex(&f, "68 00 0D 00");              /* a CR at the very end: no line */
    OK(mfcs_archive_read_line_w(ar, w, 8, &n));
    cr_assert(!wcscmp(w, L"h"));
    close_load(ar, f);
}

Test(lines, bad_lines_are_refused)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    ERR(mfcs_archive_write_line(ar, "\xC3("), MFCS_E_INVALIDARG);
    mfcs_archive_abort(ar);
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    ERR(mfcs_archive_write_line(ar, NULL), MFCS_E_INVALIDARG);
    mfcs_archive_abort(ar);
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    ERR(mfcs_archive_write_line_a(ar, NULL), MFCS_E_INVALIDARG);
    mfcs_archive_abort(ar);
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
    ERR(mfcs_archive_write_line_w(ar, NULL), MFCS_E_INVALIDARG);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* ================================================================== */
/* The errors a bad call gets                                           */
/* ================================================================== */

/* Each check on a fresh archive, so a sticky error cannot answer for it. */
#define ON_LOAD(hex, call, want) do { \
    mfcs_file *f_; \
    mfcs_archive *ar = load_hex(&f_, hex); \
    ERR(call, want); \
    mfcs_archive_abort(ar); \
    OK(mfcs_file_close(f_)); \
} while (0)

#define ON_STORE(call, want) do { \
    mfcs_file *f_; \
    mfcs_archive *ar = new_store(&f_); \
    ERR(call, want); \
    mfcs_archive_abort(ar); \
    OK(mfcs_file_close(f_)); \
} while (0)

Test(errors, null_outputs_are_invalidarg)
{
    void **o;
    const mfcs_class **c;
    char **s, **v;
    wchar_t **w;
    size_t n, *l;
    uint8_t *b;
    uint16_t *wd, *wk;
    uint32_t *d;
    void *r, *rv;
    ON_LOAD("00 00", mfcs_archive_read_object_list(ar, NULL, NULL, &c, &n), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_object_list(ar, NULL, &o, &c, NULL), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_string_list(ar, NULL, &n), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_string_list(ar, &s, NULL), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_string_list_a(ar, NULL, &l, &n), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_string_list_w(ar, &w, &l, NULL), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_byte_array(ar, NULL, &n), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_byte_array(ar, &b, NULL), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_word_array(ar, &wd, NULL), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_dword_array(ar, NULL, &n), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_raw_list(ar, 4, NULL, &n), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_raw_list(ar, 4, &r, NULL), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_map_string_to_string(ar, NULL, &v, &n), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_map_string_to_string(ar, &s, NULL, &n), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_map_string_to_string_a(ar, &s, &v, NULL), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_map_string_to_object(ar, NULL, NULL, &o, &n), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_map_string_to_object(ar, NULL, &s, NULL, &n), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_map_word_to_object(ar, NULL, &wk, &o, NULL), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_raw_map(ar, 4, NULL, 4, &rv, &n), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_raw_map(ar, 4, &r, 4, NULL, &n), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_raw_map(ar, 4, &r, 4, &rv, NULL), MFCS_E_INVALIDARG);
    ON_LOAD("00 00", mfcs_archive_read_variant(ar, NULL), MFCS_E_INVALIDARG);
    (void)d;
}

Test(errors, bad_write_arguments_are_invalidarg)
{
    static const char *const k[] = { "a" };
    static const uint16_t wk[] = { 1 };
    point p = { 1, 2 };
    void *objs[] = { &p };
    register_classes();
    ON_STORE(mfcs_archive_write_object_list(ar, NULL, 2, cpoint, NULL), MFCS_E_INVALIDARG);
    ON_STORE(mfcs_archive_write_object_list(ar, objs, 1, NULL, NULL), MFCS_E_INVALIDARG);
    ON_STORE(mfcs_archive_write_byte_array(ar, NULL, 3), MFCS_E_INVALIDARG);
    ON_STORE(mfcs_archive_write_word_array(ar, NULL, 3), MFCS_E_INVALIDARG);
    ON_STORE(mfcs_archive_write_dword_array(ar, NULL, 3), MFCS_E_INVALIDARG);
    ON_STORE(mfcs_archive_write_raw_list(ar, NULL, 4, 3), MFCS_E_INVALIDARG);
    ON_STORE(mfcs_archive_write_string_list_w(ar, NULL, NULL, 1), MFCS_E_INVALIDARG);
    ON_STORE(mfcs_archive_write_map_string_to_string(ar, k, NULL, 1, 0), MFCS_E_INVALIDARG);
    ON_STORE(mfcs_archive_write_map_string_to_string_a(ar, NULL, k, 1, 0), MFCS_E_INVALIDARG);
    ON_STORE(mfcs_archive_write_map_string_to_object(ar, k, objs, 1, NULL, NULL, 0), MFCS_E_INVALIDARG);
    ON_STORE(mfcs_archive_write_map_string_to_object(ar, NULL, objs, 1, cpoint, NULL, 0), MFCS_E_INVALIDARG);
    ON_STORE(mfcs_archive_write_map_word_to_object(ar, wk, NULL, 1, cpoint, NULL, 0), MFCS_E_INVALIDARG);
    ON_STORE(mfcs_archive_write_raw_map(ar, NULL, 4, 0, wk, 2, 1, 0), MFCS_E_INVALIDARG);
    ON_STORE(mfcs_archive_write_raw_map(ar, wk, 2, 0, wk, 0, 1, 0), MFCS_E_INVALIDARG);
    ON_STORE(mfcs_archive_write_variant(ar, NULL), MFCS_E_INVALIDARG);
}

/* Reading on a storing archive, or writing on a loading one: MFCS_E_MODE. */
Test(errors, wrong_direction_is_mode)
{
    static const uint8_t b[] = { 1 };
    void **o;
    char **s;
    size_t n;
    mfcs_point p = { 0, 0 };
    mfcs_variant v = var(MFCS_VT_I2);
    int64_t t;
    char line[8];
    ON_STORE(mfcs_archive_read_object_list(ar, NULL, &o, NULL, &n), MFCS_E_MODE);
    ON_STORE(mfcs_archive_read_string_list(ar, &s, &n), MFCS_E_MODE);
    ON_STORE(mfcs_archive_read_map_string_to_string(ar, &s, &s, &n), MFCS_E_MODE);
    ON_STORE(mfcs_archive_read_time(ar, &t), MFCS_E_MODE);
    ON_STORE(mfcs_archive_read_variant(ar, &v), MFCS_E_MODE);
    ON_STORE(mfcs_archive_read_line(ar, line, sizeof line, &n), MFCS_E_MODE);
    ON_LOAD("00 00", mfcs_archive_write_byte_array(ar, b, 1), MFCS_E_MODE);
    ON_LOAD("00 00", mfcs_archive_write_point(ar, p), MFCS_E_MODE);
    ON_LOAD("00 00", mfcs_archive_write_variant(ar, &v), MFCS_E_MODE);
    ON_LOAD("00 00", mfcs_archive_write_time(ar, 1), MFCS_E_MODE);
    ON_LOAD("00 00", mfcs_archive_write_line(ar, "x"), MFCS_E_MODE);
    {
        mfcs_file *f;
        mfcs_archive *ar = new_store(&f);
        ERR(mfcs_archive_read_time(ar, &t), MFCS_E_MODE);
        expect_sticky(ar, MFCS_E_MODE);
        mfcs_archive_abort(ar);
        OK(mfcs_file_close(f));
    }
}

/* ---- read whole or not at all: every value cut at every byte ---- */

static mfcs_err rd_point(mfcs_archive *ar) { mfcs_point p; return mfcs_archive_read_point(ar, &p); }
static mfcs_err rd_size(mfcs_archive *ar) { mfcs_size s; return mfcs_archive_read_size(ar, &s); }
static mfcs_err rd_rect(mfcs_archive *ar) { mfcs_rect r; return mfcs_archive_read_rect(ar, &r); }
static mfcs_err rd_time(mfcs_archive *ar) { int64_t t; return mfcs_archive_read_time(ar, &t); }
static mfcs_err rd_time64(mfcs_archive *ar) { int64_t t; return mfcs_archive_read_time64(ar, &t); }
static mfcs_err rd_span(mfcs_archive *ar) { int64_t t; return mfcs_archive_read_timespan(ar, &t); }
static mfcs_err rd_span64(mfcs_archive *ar) { int64_t t; return mfcs_archive_read_timespan64(ar, &t); }
static mfcs_err rd_date(mfcs_archive *ar) { double d; int32_t s; return mfcs_archive_read_ole_date(ar, &d, &s); }
static mfcs_err rd_dspan(mfcs_archive *ar) { double d; int32_t s; return mfcs_archive_read_ole_date_span(ar, &d, &s); }
static mfcs_err rd_cur(mfcs_archive *ar) { int64_t v; int32_t s; return mfcs_archive_read_currency(ar, &v, &s); }
static mfcs_err rd_variant(mfcs_archive *ar)
{
    mfcs_variant v;
    mfcs_err e;
    memset(&v, 0, sizeof v);
    e = mfcs_archive_read_variant(ar, &v);
    if (e == MFCS_OK && v.vt == MFCS_VT_BSTR)
        mfcs_free(v.bstr);
    return e;
}
static mfcs_err rd_combstr(mfcs_archive *ar)
{
    wchar_t *s = NULL;
    mfcs_err e = mfcs_archive_read_combstr(ar, &s, NULL);
    if (e == MFCS_OK)
        mfcs_free(s);
    return e;
}
static mfcs_err rd_bytes(mfcs_archive *ar)
{
    uint8_t *p = NULL;
    size_t n;
    mfcs_err e = mfcs_archive_read_byte_array(ar, &p, &n);
    if (e == MFCS_OK)
        mfcs_free(p);
    return e;
}
static mfcs_err rd_words(mfcs_archive *ar)
{
    uint16_t *p = NULL;
    size_t n;
    mfcs_err e = mfcs_archive_read_word_array(ar, &p, &n);
    if (e == MFCS_OK)
        mfcs_free(p);
    return e;
}
static mfcs_err rd_dwords(mfcs_archive *ar)
{
    uint32_t *p = NULL;
    size_t n;
    mfcs_err e = mfcs_archive_read_dword_array(ar, &p, &n);
    if (e == MFCS_OK)
        mfcs_free(p);
    return e;
}
static mfcs_err rd_raw2(mfcs_archive *ar)
{
    void *p = NULL;
    size_t n;
    mfcs_err e = mfcs_archive_read_raw_list(ar, 2, &p, &n);
    if (e == MFCS_OK)
        mfcs_free(p);
    return e;
}
static mfcs_err rd_strings(mfcs_archive *ar)
{
    char **s = NULL;
    size_t n;
    mfcs_err e = mfcs_archive_read_string_list(ar, &s, &n);
    if (e == MFCS_OK)
        mfcs_free(s);
    return e;
}
static mfcs_err rd_strings_a(mfcs_archive *ar)
{
    char **s = NULL;
    size_t n;
    mfcs_err e = mfcs_archive_read_string_list_a(ar, &s, NULL, &n);
    if (e == MFCS_OK)
        mfcs_free(s);
    return e;
}
static mfcs_err rd_strings_w(mfcs_archive *ar)
{
    wchar_t **s = NULL;
    size_t n;
    mfcs_err e = mfcs_archive_read_string_list_w(ar, &s, NULL, &n);
    if (e == MFCS_OK)
        mfcs_free(s);
    return e;
}
static mfcs_err rd_objs(mfcs_archive *ar)
{
    void **o = NULL;
    size_t n;
    mfcs_err e = mfcs_archive_read_object_list(ar, NULL, &o, NULL, &n);
    if (e == MFCS_OK) {
        destroy_all(o, n);
        mfcs_free(o);
    }
    return e;
}
static mfcs_err rd_map_ss(mfcs_archive *ar)
{
    char **k = NULL, **v = NULL;
    size_t n;
    mfcs_err e = mfcs_archive_read_map_string_to_string(ar, &k, &v, &n);
    if (e == MFCS_OK)
        mfcs_free(k);
    return e;
}
static mfcs_err rd_map_ss_a(mfcs_archive *ar)
{
    char **k = NULL, **v = NULL;
    size_t n;
    mfcs_err e = mfcs_archive_read_map_string_to_string_a(ar, &k, &v, &n);
    if (e == MFCS_OK)
        mfcs_free(k);
    return e;
}
static mfcs_err rd_map_so(mfcs_archive *ar)
{
    char **k = NULL;
    void **o = NULL;
    size_t n;
    mfcs_err e = mfcs_archive_read_map_string_to_object(ar, NULL, &k, &o, &n);
    if (e == MFCS_OK) {
        destroy_all(o, n);
        mfcs_free(k);
    }
    return e;
}
static mfcs_err rd_map_wo(mfcs_archive *ar)
{
    uint16_t *k = NULL;
    void **o = NULL;
    size_t n;
    mfcs_err e = mfcs_archive_read_map_word_to_object(ar, NULL, &k, &o, &n);
    if (e == MFCS_OK) {
        destroy_all(o, n);
        mfcs_free(k);
    }
    return e;
}
static mfcs_err rd_raw_map(mfcs_archive *ar)
{
    void *k = NULL, *v = NULL;
    size_t n;
    mfcs_err e = mfcs_archive_read_raw_map(ar, 1, &k, 1, &v, &n);
    if (e == MFCS_OK)
        mfcs_free(k);
    return e;
}
static mfcs_err MFCS_CALL u8_element(mfcs_archive *ar, size_t i, void *ctx)
{
    (void)i; (void)ctx;
    return mfcs_archive_read_u8(ar, NULL);
}
static mfcs_err rd_elements(mfcs_archive *ar) { return mfcs_archive_read_elements(ar, u8_element, NULL, NULL); }

typedef struct cut_case { const char *name; const char *hex; mfcs_err (*rd)(mfcs_archive *); unsigned version; } cut_case;

/* Reads the vector cut after k bytes, for every k: nothing gives
 * MFCS_E_END, a part MFCS_E_EOF, the whole MFCS_OK. A failed read leaves
 * the error sticky, no object alive, and every byte it took unread: a new
 * archive on the file reads them all again. */
static void check_cuts(const cut_case *c)
{
    bytes b = hexb(c->hex);
    size_t k;
    for (k = 0; k <= b.n; k++) {
        mfcs_file *f;
        mfcs_archive *ar = NULL;
        mfcs_err want = k == b.n ? MFCS_OK : k == 0 ? MFCS_E_END : MFCS_E_EOF, e;
        OK(mfcs_file_open_memory(&f, b.p, k));
        OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
        if (c->version)
            OK(mfcs_archive_set_mfc_version(ar, c->version));
        e = c->rd(ar);
        cr_assert_eq(e, want, "%s cut after %zu of %zu bytes: 0x%08X (%s), want 0x%08X", c->name, k, b.n,
                     (unsigned)e, mfcs_strerror(e), (unsigned)want);
        expect_sticky(ar, want);
        cr_assert_eq(points_live, 0, "%s cut after %zu bytes: %d objects alive", c->name, k, points_live);
        if (k < b.n) {
            unsigned char back[64];
            size_t got = 0;
            OK(mfcs_archive_abort(ar));
            OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
            cr_assert_lt(k, sizeof back);
            OK(mfcs_archive_read(ar, back, k, &got));
            cr_assert(got == k && !memcmp(back, b.p, k), "%s cut after %zu bytes: the failed read consumed "
                      "bytes (%zu left)", c->name, k, got);
        }
        OK(mfcs_archive_abort(ar));
        OK(mfcs_file_close(f));
    }
    free(b.p);
}

Test(errors, every_value_cut_at_every_byte)
{
    static const cut_case cases[] = {
        { "point", "01 00 00 00 02 00 00 00", rd_point, 0 },
        { "size", "20 03 00 00 84 03 00 00", rd_size, 0 },
        { "rect", "01 00 00 00 02 00 00 00 03 00 00 00 04 00 00 00", rd_rect, 0 },
        { "CTime marker form", "0A 00 00 80 1B 0A 96 5D 00 00 00 00", rd_time, 0 },
        { "CTime legacy, read by 14", "80 AE FE FF", rd_time, 0 },
        { "CTime legacy, read by 7", "0A 00 00 80", rd_time, MFCS_MFC_7 },
        { "CTime Serialize64", "80 AE FE FF FF FF FF FF", rd_time64, 0 },
        { "CTimeSpan", "10 0E 00 00", rd_span, 0 },
        { "CTimeSpan Serialize64", "00 00 00 00 01 00 00 00", rd_span64, 0 },
        { "COleDateTime", "00 00 00 00 00 00 00 00 00 00 04 40", rd_date, 0 },
        { "COleDateTimeSpan", "02 00 00 00 00 00 00 00 00 00 F8 3F", rd_dspan, 0 },
        { "COleCurrency", "00 00 00 00 00 00 00 00 40 E2 01 00", rd_cur, 0 },
        { "VT_BSTR", "08 00 03 00 00 00 61 62 63", rd_variant, 0 },
        { "VT_CY", "06 00 02 00 00 00 01 00 00 00", rd_variant, 0 },
        { "VT_I1", "10 00 FE", rd_variant, 0 },
        { "VT_I8 from MFC 8", "14 00", rd_variant, MFCS_MFC_8 },
        { "VT_BYREF", "03 40", rd_variant, 0 },
        { "CComBSTR", "02 00 00 00 68 00 69 00", rd_combstr, 0 },
        { "CByteArray", "02 00 01 02", rd_bytes, 0 },
        { "CByteArray, DWORD count", "FF FF 01 00 00 00 AA", rd_bytes, 0 },
        { "CWordArray", "02 00 34 12 78 56", rd_words, 0 },
        { "CDWordArray", "01 00 78 56 34 12", rd_dwords, 0 },
        { "CArray<WORD>", "02 00 01 00 02 00", rd_raw2, 0 },
        { "CStringList", "02 00 01 61 FF FE FF 02 62 00 63 00", rd_strings, 0 },
        { "CStringList, ANSI", "02 00 01 61 FF FE FF 02 62 00 63 00", rd_strings_a, 0 },
        { "CStringList, UTF-16", "02 00 01 61 FF FE FF 02 62 00 63 00", rd_strings_w, 0 },
        { "CObList", "03 00 " CPOINT_NEW PT("01", "02") "00 00 02 00", rd_objs, 0 },
        { "CMapStringToString", "01 00 01 6B FF FE FF 01 76 00", rd_map_ss, 0 },
        { "CMapStringToString, ANSI", "01 00 01 6B FF FE FF 01 76 00", rd_map_ss_a, 0 },
        { "CMapStringToOb", "01 00 01 6B " CPOINT_NEW PT("01", "02"), rd_map_so, 0 },
        { "CMapWordToOb", "02 00 07 00 " CPOINT_NEW PT("01", "02") "08 00 00 00", rd_map_wo, 0 },
        { "CMap<BYTE, BYTE>", "02 00 01 0A 02 14", rd_raw_map, 0 },
        { "CArray with SerializeElements", "02 00 01 02", rd_elements, 0 },
    };
    size_t i;
    register_classes();
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_cuts(&cases[i]);
}

/* ================================================================== */
/* Hostile input: counts and lengths that announce what never comes     */
/* ================================================================== */

/* What a hostile read costs: the DLL's own allocations (alloc_spy.h says
 * why not the process counters). A count that sized an allocation shows
 * as the largest request whether or not its memory was touched, and the
 * bytes held at the peak show what the read kept. */
typedef long long mem_use;

/* Starts watching, after proving the spies see the DLL's allocations: a
 * 2 MiB CByteArray that is really there costs 2 MiB. */
static mem_use watch_begin(void)
{
    size_t n = 2 << 20, got = 0;
    unsigned char *wire = calloc(1, 6 + n);
    uint8_t *back = NULL;
    mfcs_file *f;
    mfcs_archive *ar;
    long long start;
    cr_assert_not_null(wire);
    memcpy(wire, "\xFF\xFF\x00\x00\x20\x00", 6);
    cr_assert_gt(spy_watch(1), 0, "mfcsock.dll imports none of the allocators watched");
    ar = new_load(&f, wire, 6 + n);
    start = spy_reset();
    OK(mfcs_archive_read_byte_array(ar, &back, &got));
    cr_assert_eq(got, n);
    cr_assert_geq(spy_biggest, n, "the spies saw no allocation of the 2 MiB array (largest %zu)", spy_biggest);
    cr_assert_geq(spy_peak - start, (long long)n, "the spies saw %lld bytes held for the 2 MiB array",
                  spy_peak - start);
    mfcs_free(back);
    close_load(ar, f);
    free(wire);
    return spy_reset();
}

static void watch_end(mem_use start, const char *what)
{
    size_t biggest = spy_biggest;
    long long held = spy_peak - start;
    spy_watch(0);
    cr_assert_lt(biggest, (size_t)1 << 20, "%s: the DLL asked for %zu bytes at once", what, biggest);
    cr_assert_lt(held, 4ll << 20, "%s: the DLL held %lld bytes at its peak", what, held);
}

/* A collection announcing 2^31 - 1 elements (the default count limit,
 * so the count itself passes) followed by 10 bytes: the elements that
 * came are read, the stream ends inside the next one. It must cost those
 * bytes, not 2^31 elements' memory, and no time. */
Test(hostile, a_count_of_2_31_with_ten_bytes)
{
    static const struct { const char *name; const char *body; mfcs_err (*rd)(mfcs_archive *); } t[] = {
        { "CObList", "00 00 00 00 00 00 00 00 00 00", rd_objs },
        { "CStringList", "00 00 00 00 00 00 00 00 00 00", rd_strings },
        { "CStringList ANSI", "00 00 00 00 00 00 00 00 00 00", rd_strings_a },
        { "CStringList UTF-16", "00 00 00 00 00 00 00 00 00 00", rd_strings_w },
        { "CByteArray", "01 02 03 04 05 06 07 08 09 0A", rd_bytes },
        { "CWordArray", "01 02 03 04 05 06 07 08 09 0A", rd_words },
        { "CDWordArray", "01 02 03 04 05 06 07 08 09 0A", rd_dwords },
        { "CArray<WORD>", "01 02 03 04 05 06 07 08 09 0A", rd_raw2 },
        { "CMapStringToString", "00 00 00 00 00 00 00 00 00 00", rd_map_ss },
        { "CMapStringToString ANSI", "00 00 00 00 00 00 00 00 00 00", rd_map_ss_a },
        { "CMapStringToOb", "00 00 00 00 00 00 00 00 00 00", rd_map_so },
        { "CMapWordToOb", "00 00 00 00 00 00 00 00 00 00", rd_map_wo },
        { "CMap<BYTE, BYTE>", "01 02 03 04 05 06 07 08 09 0A", rd_raw_map },
        { "elements", "01 02 03 04 05 06 07 08 09 0A", rd_elements },
    };
    mem_use before;
    ULONGLONG t0, ms;
    size_t i;
    register_classes();
    before = watch_begin();
    t0 = GetTickCount64();
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        char hex[128];
        mfcs_file *f;
        mfcs_archive *ar;
        mfcs_err e, first = 0;
        snprintf(hex, sizeof hex, "FF FF FF FF FF 7F %s", t[i].body);
        ar = load_hex(&f, hex);
        e = t[i].rd(ar);
        /* each case on its own: one mismatch does not hide the others */
        cr_expect_eq(e, MFCS_E_EOF, "%s: 0x%08X (%s), want MFCS_E_EOF", t[i].name, (unsigned)e, mfcs_strerror(e));
        OK(mfcs_archive_error(ar, &first));
        cr_expect_eq(first, e, "%s: sticky 0x%08X after 0x%08X", t[i].name, (unsigned)first, (unsigned)e);
        cr_expect_eq(points_live, 0, "%s: %d objects alive", t[i].name, points_live);
        mfcs_archive_abort(ar);
        OK(mfcs_file_close(f));
    }
    ms = GetTickCount64() - t0;
    watch_end(before, "counts of 2^31 - 1");
    cr_assert_lt(ms, 5000, "14 hostile reads took %llu ms", (unsigned long long)ms);
}

/* Lengths under the string limit (256 MiB) that never arrive: a VT_BSTR
 * of 256 MiB - 1 bytes, a CComBSTR of 128 Mi - 1 units. */
Test(hostile, long_lengths_that_never_arrive)
{
    static const char *const wires[] = {
        "08 00 FF FF FF 0F 61 62 63 64 65 66 67 68 69 6A",
        "FF FF FF 07 61 00 62 00 63 00 64 00 65 00",
    };
    mem_use before = watch_begin();
    size_t i;
    for (i = 0; i < 2; i++) {
        mfcs_file *f;
        mfcs_archive *ar = load_hex(&f, wires[i]);
        ERR(i == 0 ? rd_variant(ar) : rd_combstr(ar), MFCS_E_EOF);
        expect_sticky(ar, MFCS_E_EOF);
        mfcs_archive_abort(ar);
        OK(mfcs_file_close(f));
    }
    watch_end(before, "lengths that never arrive");
}

/* A CComBSTR over the string limit is refused before anything is read. */
Test(hostile, combstr_over_the_string_limit)
{
    mfcs_file *f;
    mfcs_archive *ar = load_hex(&f, "FF FF FF 7F 61 00");
    ERR(rd_combstr(ar), MFCS_E_LIMIT);
    expect_sticky(ar, MFCS_E_LIMIT);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}
