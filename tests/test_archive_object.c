/* Archives: objects, classes, back references, big tags, hostile streams,
 * and documents written by real MFC programs. */
#include "archive_util.h"
#include "real_archives.h"

#include <windows.h>

static mfcs_class *cpoint;

static void register_point(void)
{
    OK(mfcs_class_register(&cpoint, "CPoint", 1, &point_ops, NULL));
}

/* ---- the registry ---- */

Test(classes, register_find_unregister, .timeout = 30)
{
    mfcs_class *c = NULL, *dup = NULL;
    register_point();
    OK(mfcs_class_find("CPoint", &c));
    cr_assert_eq(c, cpoint);
    ERR(mfcs_class_find("CPoin", &c), MFCS_E_CLASS);
    ERR(mfcs_class_register(&dup, "CPoint", 1, &point_ops, NULL), MFCS_E_STATE);
    OK(mfcs_class_unregister(cpoint));
    ERR(mfcs_class_unregister(cpoint), MFCS_E_BADHANDLE);
    ERR(mfcs_class_find("CPoint", &c), MFCS_E_CLASS);
    OK(mfcs_class_register(&dup, "CPoint", 1, &point_ops, NULL));  /* the name is free again */
}

Test(classes, registration_is_validated, .timeout = 30)
{
    static const char n63[] = "C123456789012345678901234567890123456789012345678901234567890AB";
    static const char n64[] = "C123456789012345678901234567890123456789012345678901234567890ABC";
    mfcs_class_ops no_create = point_ops;
    mfcs_class *c;
    no_create.create = NULL;
    cr_assert_eq(strlen(n63), 63);
    OK(mfcs_class_register(&c, n63, 0, &point_ops, NULL));
    ERR(mfcs_class_register(&c, n64, 0, &point_ops, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_class_register(&c, "", 0, &point_ops, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_class_register(&c, "C\xC3\xA9", 0, &point_ops, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_class_register(&c, "CBad", 0xFFFF, &point_ops, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_class_register(&c, "CBad", 0x10000, &point_ops, NULL), MFCS_E_INVALIDARG);
    OK(mfcs_class_register(&c, "CGood", 0xFFFE | MFCS_VERSIONABLE_SCHEMA, &point_ops, NULL));
    ERR(mfcs_class_register(&c, "CBad", 1, NULL, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_class_register(&c, "CBad", 1, &no_create, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_class_register(NULL, "CBad", 1, &point_ops, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_class_register(&c, NULL, 1, &point_ops, NULL), MFCS_E_INVALIDARG);
}

Test(classes, in_use_class_cannot_be_unregistered, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar;
    point p = { 1, 2 };
    register_point();
    ar = new_store(&f);
    OK(mfcs_archive_write_object(ar, cpoint, &p));
    ERR(mfcs_class_unregister(cpoint), MFCS_E_STATE);
    OK(mfcs_archive_close(ar));
    OK(mfcs_class_unregister(cpoint));
    OK(mfcs_file_close(f));
}

/* ---- golden objects ---- */

Test(golden_objects, new_class_then_class_reference, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar;
    point p1 = { 1, 2 }, p2 = { 3, 4 };
    register_point();
    ar = new_store(&f);
    OK(mfcs_archive_write_object(ar, cpoint, &p1));     /* #26 */
    OK(mfcs_archive_write_object(ar, cpoint, &p2));     /* #27 */
    OK(mfcs_archive_write_object(ar, cpoint, &p1));     /* back reference to index 2 */
    OK(mfcs_archive_write_object(ar, NULL, NULL));      /* #25 */
    OK(mfcs_archive_write_object(ar, NULL, &p2));       /* cls ignored for a known object */
    close_expect(ar, f,
        "FF FF 01 00 06 00 43 50 6F 69 6E 74 01 00 00 00 02 00 00 00 "
        "01 80 03 00 00 00 04 00 00 00  02 00  00 00  03 00");
}

Test(golden_objects, string_array_as_mfc_writes_it, .timeout = 30)
{
    mfcs_file *f;
    mfcs_archive *ar = new_store(&f);
    OK(mfcs_archive_write_count(ar, 2));                /* #32 CStringArray{"a","bc"} */
    OK(mfcs_archive_write_string_a(ar, "a", 1));
    OK(mfcs_archive_write_string_a(ar, "bc", 2));
    close_expect(ar, f, "02 00 01 61 02 62 63");
}

Test(golden_objects, round_trip_keeps_identity_and_nulls, .timeout = 30)
{
    mfcs_file *f, *g;
    mfcs_archive *ar;
    point p1 = { 1, 2 }, p2 = { 3, 4 };
    void *o[5];
    const mfcs_class *c = NULL;
    const void *data;
    size_t len;
    int i;
    register_point();
    ar = new_store(&f);
    OK(mfcs_archive_write_object(ar, cpoint, &p1));
    OK(mfcs_archive_write_object(ar, cpoint, &p2));
    OK(mfcs_archive_write_object(ar, cpoint, &p1));
    OK(mfcs_archive_write_object(ar, cpoint, NULL));
    OK(mfcs_archive_write_object(ar, cpoint, &p2));
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_memory_data(f, &data, &len));
    ar = new_load(&g, data, len);
    for (i = 0; i < 5; i++)
        OK(mfcs_archive_read_object(ar, i == 1 ? cpoint : NULL, &o[i], i == 0 ? &c : NULL));
    cr_assert_eq(c, cpoint);
    cr_assert_eq(((point *)o[0])->x, 1); cr_assert_eq(((point *)o[0])->y, 2);
    cr_assert_eq(((point *)o[1])->x, 3); cr_assert_eq(((point *)o[1])->y, 4);
    cr_assert_eq(o[2], o[0], "a back reference made a new object");
    cr_assert_null(o[3]);
    cr_assert_eq(o[4], o[1]);
    OK(mfcs_archive_close(ar));
    cr_assert_eq(points_live, 2, "closing the archive destroyed objects the caller owns");
    point_destroy(o[0], NULL);
    point_destroy(o[1], NULL);
    OK(mfcs_file_close(g));
    OK(mfcs_file_close(f));
}

/* A node that points to itself: its index exists before serialize runs. */
typedef struct node { struct node *self; int32_t v; } node;
static mfcs_class *cnode;
static void *MFCS_CALL node_create(void *ctx) { (void)ctx; return calloc(1, sizeof(node)); }
static void MFCS_CALL node_destroy(void *o, void *ctx) { (void)ctx; free(o); }
static mfcs_err MFCS_CALL node_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    node *n = o;
    int loading;
    unsigned schema = 0;
    (void)ctx;
    mfcs_archive_is_loading(ar, &loading);
    if (loading) {
        void *p;
        mfcs_err err = mfcs_archive_object_schema(ar, &schema);
        if (err || schema != 3)
            return err ? err : MFCS_E_FORMAT;
        mfcs_archive_object_schema(ar, &schema);        /* MFC gives it once */
        if (schema != 0xFFFFFFFFu)
            return MFCS_E_FORMAT;
        mfcs_archive_read_i32(ar, &n->v);
        err = mfcs_archive_read_object(ar, cnode, &p, NULL);
        n->self = p;
        return err;
    }
    mfcs_archive_write_i32(ar, n->v);
    return mfcs_archive_write_object(ar, cnode, n->self);
}
static const mfcs_class_ops node_ops = { node_create, node_serialize, node_destroy };

Test(golden_objects, self_reference_resolves_inside_serialize, .timeout = 30)
{
    mfcs_file *f, *g;
    mfcs_archive *ar;
    node n = { &n, 42 };
    void *o;
    const void *data;
    size_t len;
    unsigned schema;
    OK(mfcs_class_register(&cnode, "CNode", 3, &node_ops, NULL));
    ar = new_store(&f);
    ERR(mfcs_archive_object_schema(ar, &schema), MFCS_E_STATE);   /* not inside serialize */
    OK(mfcs_archive_write_object(ar, cnode, &n));
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_memory_data(f, &data, &len));
    /* FFFF 0300 0500 "CNode" | 2A000000 | 0200 (back reference to itself) */
    cr_assert_eq(len, 2 + 2 + 2 + 5 + 4 + 2);
    ar = new_load(&g, data, len);
    OK(mfcs_archive_read_object(ar, NULL, &o, NULL));
    cr_assert_eq(((node *)o)->v, 42);
    cr_assert_eq(((node *)o)->self, o);
    OK(mfcs_archive_close(ar));
    free(o);
    OK(mfcs_file_close(g));
    OK(mfcs_file_close(f));
}

/* Index 0x7FFF and up: WORD 7FFF, then a DWORD (with bit 31 for classes). */
Test(golden_objects, big_object_and_class_tags, .timeout = 60)
{
    mfcs_file *f, *g;
    mfcs_archive *ar;
    static char dummies[0x7FFE];
    point a = { 5, 6 }, b = { 7, 8 };
    const unsigned char *d;
    const void *data;
    size_t len, i;
    void *o;
    register_point();
    ar = new_store(&f);
    for (i = 0; i < 0x7FFE; i++)                   /* indices 1 .. 0x7FFE */
        OK(mfcs_archive_map_object(ar, &dummies[i]));
    OK(mfcs_archive_write_object(ar, cpoint, &a)); /* class 0x7FFF, a 0x8000 */
    OK(mfcs_archive_write_object(ar, cpoint, &b)); /* class ref big, b 0x8001 */
    OK(mfcs_archive_write_object(ar, NULL, &a));   /* object ref big */
    OK(mfcs_archive_write_object(ar, NULL, &dummies[0x7FFD])); /* index 0x7FFE: still a WORD */
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_memory_data(f, &data, &len));
    d = data;
    cr_assert_eq(len, 20 + 6 + 8 + 6 + 2, "len %zu", len);
    cr_assert_eq(memcmp(d, "\xFF\xFF\x01\x00\x06\x00" "CPoint", 12), 0);
    cr_assert_eq(memcmp(d + 20, "\xFF\x7F\xFF\x7F\x00\x80", 6), 0, "class tag %02X %02X %02X %02X %02X %02X",
                 d[20], d[21], d[22], d[23], d[24], d[25]);
    cr_assert_eq(memcmp(d + 34, "\xFF\x7F\x00\x80\x00\x00", 6), 0, "object tag");
    cr_assert_eq(memcmp(d + 40, "\xFE\x7F", 2), 0, "index 0x7FFE tag");
    ar = new_load(&g, data, len);
    for (i = 0; i < 0x7FFE; i++)
        OK(mfcs_archive_map_object(ar, &dummies[i]));
    OK(mfcs_archive_read_object(ar, cpoint, &o, NULL));
    cr_assert_eq(((point *)o)->x, 5);
    {
        void *o2, *o3, *o4;
        OK(mfcs_archive_read_object(ar, cpoint, &o2, NULL));
        cr_assert_eq(((point *)o2)->x, 7);
        OK(mfcs_archive_read_object(ar, NULL, &o3, NULL));
        cr_assert_eq(o3, o);
        OK(mfcs_archive_read_object(ar, NULL, &o4, NULL));
        cr_assert_eq(o4, &dummies[0x7FFD]);
        point_destroy(o2, NULL);
    }
    point_destroy(o, NULL);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(g));
    OK(mfcs_file_close(f));
}

/* ---- versioning ---- */

Test(versioning, schema_mismatch_fails_unless_versionable, .timeout = 30)
{
    /* A CPoint stored with schema 2 */
    static const unsigned char in[] = { 0xFF, 0xFF, 2, 0, 6, 0, 'C', 'P', 'o', 'i', 'n', 't',
                                        1, 0, 0, 0, 2, 0, 0, 0 };
    mfcs_file *f;
    mfcs_archive *ar;
    void *o = NULL;
    register_point();                 /* schema 1 */
    ar = new_load(&f, in, sizeof in);
    ERR(mfcs_archive_read_object(ar, NULL, &o, NULL), MFCS_E_CLASS);
    cr_assert_null(o);
    OK(mfcs_archive_abort(ar));
    OK(mfcs_class_unregister(cpoint));
    OK(mfcs_class_register(&cpoint, "CPoint", 1 | MFCS_VERSIONABLE_SCHEMA, &point_ops, NULL));
    OK(mfcs_file_seek(f, 0, MFCS_SEEK_SET, NULL));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_object(ar, NULL, &o, NULL));
    cr_assert_eq(((point *)o)->y, 2);
    point_destroy(o, NULL);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
}

/* ---- hostile streams ---- */

static mfcs_err load_one(const unsigned char *in, size_t n, void **o)
{
    mfcs_file *f;
    mfcs_archive *ar = new_load(&f, in, n);
    mfcs_err err = mfcs_archive_read_object(ar, NULL, o, NULL);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
    return err;
}

Test(hostile, tags_that_name_nothing, .timeout = 30)
{
    static const unsigned char tag8000[] = { 0x00, 0x80 };
    static const unsigned char past_map[] = { 0x05, 0x00 };
    static const unsigned char big_past[] = { 0xFF, 0x7F, 0x10, 0x00, 0x00, 0x00 };
    static const unsigned char class_past[] = { 0x03, 0x80 };
    /* a CPoint (class 1, object 2), then a class reference to index 2 (an object) */
    static const unsigned char class_names_object[] = {
        0xFF, 0xFF, 1, 0, 6, 0, 'C', 'P', 'o', 'i', 'n', 't', 1, 0, 0, 0, 2, 0, 0, 0, 0x02, 0x80 };
    /* a new class, then an object reference to index 1 (the class) */
    static const unsigned char object_names_class[] = {
        0xFF, 0xFF, 1, 0, 6, 0, 'C', 'P', 'o', 'i', 'n', 't', 1, 0, 0, 0, 2, 0, 0, 0, 0x01, 0x00 };
    void *o = (void *)1;
    register_point();
    cr_assert_eq(load_one(tag8000, 2, &o), MFCS_E_FORMAT);
    cr_assert_null(o);
    cr_assert_eq(load_one(past_map, 2, &o), MFCS_E_FORMAT);
    cr_assert_eq(load_one(big_past, 6, &o), MFCS_E_FORMAT);
    cr_assert_eq(load_one(class_past, 2, &o), MFCS_E_FORMAT);
    {
        mfcs_file *f;
        mfcs_archive *ar = new_load(&f, class_names_object, sizeof class_names_object);
        OK(mfcs_archive_read_object(ar, NULL, &o, NULL));
        point_destroy(o, NULL);
        ERR(mfcs_archive_read_object(ar, NULL, &o, NULL), MFCS_E_FORMAT);
        ERR(mfcs_archive_close(ar), MFCS_E_FORMAT);
        OK(mfcs_file_close(f));
        ar = new_load(&f, object_names_class, sizeof object_names_class);
        OK(mfcs_archive_read_object(ar, NULL, &o, NULL));
        point_destroy(o, NULL);
        ERR(mfcs_archive_read_object(ar, NULL, &o, NULL), MFCS_E_FORMAT);
        mfcs_archive_abort(ar);
        OK(mfcs_file_close(f));
    }
    cr_assert_eq(points_live, 0);
}

Test(hostile, unknown_and_overlong_class_names, .timeout = 30)
{
    static const unsigned char unknown[] = { 0xFF, 0xFF, 1, 0, 6, 0, 'C', 'G', 'h', 'o', 's', 't', 0, 0, 0, 0 };
    unsigned char longname[6 + 64 + 8] = { 0xFF, 0xFF, 1, 0, 64, 0 };
    void *o;
    register_point();
    memset(longname + 6, 'C', 64);
    cr_assert_eq(load_one(unknown, sizeof unknown, &o), MFCS_E_CLASS);
    cr_assert_eq(load_one(longname, sizeof longname, &o), MFCS_E_CLASS);
}

Test(hostile, expected_class_is_enforced_for_new_objects_and_back_references, .timeout = 30)
{
    mfcs_file *f, *g;
    mfcs_archive *ar;
    mfcs_class *cother;
    point p = { 1, 1 };
    void *o;
    const void *data;
    size_t len;
    register_point();
    OK(mfcs_class_register(&cother, "COther", 1, &point_ops, NULL));
    ar = new_store(&f);
    OK(mfcs_archive_write_object(ar, cpoint, &p));
    OK(mfcs_archive_write_object(ar, cpoint, &p));
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_memory_data(f, &data, &len));
    ar = new_load(&g, data, len);
    ERR(mfcs_archive_read_object(ar, cother, &o, NULL), MFCS_E_CLASS);
    mfcs_archive_abort(ar);
    OK(mfcs_file_seek(g, 0, MFCS_SEEK_SET, NULL));
    OK(mfcs_archive_open(&ar, g, MFCS_LOAD, 0));
    OK(mfcs_archive_read_object(ar, cpoint, &o, NULL));
    point_destroy(o, NULL);
    ERR(mfcs_archive_read_object(ar, cother, &o, NULL), MFCS_E_CLASS); /* the back reference */
    mfcs_archive_abort(ar);
    cr_assert_eq(points_live, 0);
    OK(mfcs_file_close(g));
    OK(mfcs_file_close(f));
}

static int fail_after;
static mfcs_err MFCS_CALL failing_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    (void)o; (void)ctx;
    uint32_t v;
    mfcs_err err = mfcs_archive_read_u32(ar, &v);
    return err ? err : (fail_after-- <= 0 ? MFCS_E_FORMAT : MFCS_OK);
}

Test(hostile, failed_serialize_destroys_the_half_made_object, .timeout = 30)
{
    static const unsigned char in[] = { 0xFF, 0xFF, 1, 0, 5, 0, 'C', 'F', 'a', 'i', 'l', 1, 0, 0, 0 };
    static const unsigned char cut[] = { 0xFF, 0xFF, 1, 0, 5, 0, 'C', 'F', 'a', 'i', 'l', 1, 0 };
    mfcs_class_ops ops = point_ops;
    mfcs_class *c;
    void *o = (void *)1;
    ops.serialize = failing_serialize;
    OK(mfcs_class_register(&c, "CFail", 1, &ops, NULL));
    fail_after = 0;
    cr_assert_eq(load_one(in, sizeof in, &o), MFCS_E_FORMAT);
    cr_assert_null(o);
    cr_assert_eq(points_live, 0, "%d objects leaked", points_live);
    cr_assert_eq(load_one(cut, sizeof cut, &o), MFCS_E_EOF);
    cr_assert_eq(points_live, 0, "%d objects leaked", points_live);
}

/* serialize that tries to end its own archive: refused, the object still
 * goes out whole and the archive still closes afterwards. */
static mfcs_err closing_result, aborting_result;
static mfcs_err MFCS_CALL closing_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    closing_result = mfcs_archive_close(ar);
    aborting_result = mfcs_archive_abort(ar);
    return point_serialize(ar, o, ctx);
}

Test(hostile, an_archive_cannot_be_closed_from_inside_serialize, .timeout = 30)
{
    mfcs_class_ops ops = point_ops;
    mfcs_class *c;
    mfcs_file *f;
    mfcs_archive *ar;
    point p = { 7, -7 };
    ops.serialize = closing_serialize;
    OK(mfcs_class_register(&c, "CClosing", 1, &ops, NULL));
    closing_result = aborting_result = MFCS_OK;
    ar = new_store(&f);
    OK(mfcs_archive_write_object(ar, c, &p));
    cr_assert_eq(closing_result, MFCS_E_STATE, "close inside serialize: 0x%08X", (unsigned)closing_result);
    cr_assert_eq(aborting_result, MFCS_E_STATE, "abort inside serialize: 0x%08X", (unsigned)aborting_result);
    close_expect(ar, f, "FF FF 01 00 08 00 43 43 6C 6F 73 69 6E 67 07 00 00 00 F9 FF FF FF");
}

Test(hostile, huge_length_prefixes_cost_only_what_arrives, .timeout = 30)
{
    /* CStringA claiming 0xFFFFFFF0 bytes (about 4 GiB), then 10 bytes. */
    static const unsigned char s4g[] = { 0xFF, 0xFF, 0xFF, 0xF0, 0xFF, 0xFF, 0xFF,
                                         '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' };
    /* CStringW with the 64-bit escape claiming 2^40 units. */
    static const unsigned char w64[] = { 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                         0, 0, 0, 0, 0, 1, 0, 0, 'a', 0 };
    mfcs_file *f;
    mfcs_archive *ar = new_load(&f, s4g, sizeof s4g);
    char *s = (char *)1;
    DWORD t0 = GetTickCount();
    ERR(mfcs_archive_read_string_a(ar, &s, NULL), MFCS_E_LIMIT);     /* over 256 MiB */
    mfcs_archive_abort(ar);
    OK(mfcs_file_seek(f, 0, MFCS_SEEK_SET, NULL));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_set_limits(ar, (size_t)-1, 0));
    ERR(mfcs_archive_read_string_a(ar, &s, NULL), MFCS_E_EOF);       /* allowed, but cut */
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
    cr_assert_lt(GetTickCount() - t0, 2000, "took %lu ms: memory was sized from the prefix?",
                 (unsigned long)(GetTickCount() - t0));
    ar = new_load(&f, w64, sizeof w64);
    OK(mfcs_archive_set_limits(ar, (size_t)-1, 0));
    {
        mfcs_err e = mfcs_archive_read_string(ar, &s, NULL);
        cr_assert(e == MFCS_E_EOF || e == MFCS_E_LIMIT, "got 0x%08X", (unsigned)e);
    }
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

Test(hostile, string_limit_counts_bytes_of_either_width, .timeout = 30)
{
    static const unsigned char a5[] = { 5, 'a', 'b', 'c', 'd', 'e' };
    static const unsigned char w3[] = { 0xFF, 0xFE, 0xFF, 3, 'a', 0, 'b', 0, 'c', 0 };
    mfcs_file *f;
    mfcs_archive *ar = new_load(&f, a5, sizeof a5);
    OK(mfcs_archive_set_limits(ar, 4, 0));
    ERR(mfcs_archive_read_string_a(ar, NULL, NULL), MFCS_E_LIMIT);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
    ar = new_load(&f, w3, sizeof w3);
    OK(mfcs_archive_set_limits(ar, 5, 0));            /* 3 units are 6 bytes */
    ERR(mfcs_archive_read_string_w(ar, NULL, NULL), MFCS_E_LIMIT);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
    ar = new_load(&f, w3, sizeof w3);
    OK(mfcs_archive_set_limits(ar, 6, 0));
    OK(mfcs_archive_read_string_w(ar, NULL, NULL));
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* Every prefix of a rich archive: each read either succeeds or fails with a
 * specific error, nothing crashes, nothing leaks. */
Test(hostile, stream_cut_at_every_byte, .timeout = 120)
{
    mfcs_file *f;
    mfcs_archive *ar;
    point p1 = { 1, 2 }, p2 = { 3, 4 };
    const void *data;
    size_t len, cut, bound[9], nbound = 0, k;
    register_point();
    ar = new_store(&f);
    /* Where each value ends: a stream cut there ends between values. */
#define VALUE(call) do { OK(call); OK(mfcs_archive_flush(ar)); OK(mfcs_file_memory_data(f, NULL, &bound[nbound++])); } while (0)
    VALUE(mfcs_archive_write_u32(ar, 7));
    VALUE(mfcs_archive_write_string(ar, "wide \xE2\x9C\x93"));
    VALUE(mfcs_archive_write_count(ar, 70000));
    VALUE(mfcs_archive_write_object(ar, cpoint, &p1));
    VALUE(mfcs_archive_write_object(ar, cpoint, &p2));
    VALUE(mfcs_archive_write_object(ar, cpoint, &p1));
    VALUE(mfcs_archive_write_string_a(ar, "tail", 4));
    VALUE(mfcs_archive_write_line_a(ar, "line\r\n"));
#undef VALUE
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_memory_data(f, &data, &len));
    for (cut = 0; cut <= len; cut++) {
        mfcs_file *g;
        mfcs_archive *in = new_load(&g, data, cut);
        void *o[3] = { 0 };
        char *s = NULL, line[16];
        uint32_t v;
        mfcs_err e, first;
        int i, at_boundary = cut == 0;
        for (k = 0; k < nbound; k++)
            at_boundary |= cut == bound[k];
        mfcs_archive_read_u32(in, &v);
        mfcs_archive_read_string(in, &s, NULL);
        mfcs_free(s);
        mfcs_archive_read_count(in, NULL);
        for (i = 0; i < 3; i++)
            if (mfcs_archive_read_object(in, cpoint, &o[i], NULL) != MFCS_OK)
                o[i] = NULL;
        if (o[0])
            point_destroy(o[0], NULL);
        if (o[1])
            point_destroy(o[1], NULL);
        s = NULL;
        mfcs_archive_read_string_a(in, &s, NULL);
        mfcs_free(s);
        e = mfcs_archive_read_line_a(in, line, sizeof line, NULL);
        if (cut == len)
            cr_assert_eq(e, MFCS_OK, "the whole archive failed: 0x%08X", (unsigned)e);
        else
            /* a cut inside the last line still reads its first part */
            cr_assert(e == MFCS_E_EOF || e == MFCS_E_END || (e == MFCS_OK && cut > len - 6),
                      "cut at %zu of %zu: 0x%08X %s", cut, len, (unsigned)e, mfcs_strerror(e));
        /* The first failure tells a peer gone between values from a cut one. */
        OK(mfcs_archive_error(in, &first));
        if (cut < len && !(cut > len - 6 && first == MFCS_OK))
            cr_assert_eq(first, at_boundary ? MFCS_E_END : MFCS_E_EOF, "cut at %zu of %zu: 0x%08X %s",
                         cut, len, (unsigned)first, mfcs_strerror(first));
        mfcs_archive_abort(in);
        OK(mfcs_file_close(g));
        cr_assert_eq(points_live, 0, "cut at %zu: %d objects leaked", cut, points_live);
    }
    OK(mfcs_file_close(f));
}

/* ---- documents written by real MFC programs ---- */


/* Fields of the object currently being loaded, filled by generic serializers. */
static int32_t got_i[8];
static float got_f;
static char *got_s;
static unsigned got_schema;
static size_t got_len;

static mfcs_err MFCS_CALL cmydoc_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    (void)o; (void)ctx;
    mfcs_archive_read_i32(ar, &got_i[0]);
    mfcs_archive_read_f32(ar, &got_f);
    return mfcs_archive_read_string_a(ar, &got_s, NULL);
}

Test(real_mfc, console_program_document, .timeout = 30)
{
    /* lds10452/mfc 7_3SerialObject: ar << &doc, CMyDoc { int 18; float 88.5; CString "zhangsan" } */
    mfcs_class_ops ops = point_ops;
    mfcs_class *c;
    mfcs_file *f;
    mfcs_archive *ar;
    void *o;
    REAL_OR_SKIP("cmydoc-serial.bin", &f);
    ops.serialize = cmydoc_serialize;
    OK(mfcs_class_register(&c, "CMyDoc", 1, &ops, NULL));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_object(ar, c, &o, NULL));
    cr_assert_eq(got_i[0], 18);
    cr_assert_eq(got_f, 88.5f);
    cr_assert_str_eq(got_s, "zhangsan");
    mfcs_free(got_s);
    ERR(mfcs_archive_read_u8(ar, NULL), MFCS_E_END);   /* exactly the whole file */
    point_destroy(o, NULL);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

static mfcs_err MFCS_CALL serialclass_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    (void)o; (void)ctx;
    mfcs_archive_object_schema(ar, &got_schema);
    mfcs_archive_read_i32(ar, &got_i[0]);
    return mfcs_archive_read_string_a(ar, NULL, &got_len);
}

Test(real_mfc, versionable_class_with_gbk_text, .timeout = 30)
{
    /* 111163/VCpp-Development-examples: IMPLEMENT_SERIAL(CSerialClass, CObject, VERSIONABLE_SCHEMA|1) */
    mfcs_class_ops ops = point_ops;
    mfcs_class *c;
    mfcs_file *f;
    mfcs_archive *ar;
    void *o;
    REAL_OR_SKIP("serialclass-SerialcClass.dat", &f);
    ops.serialize = serialclass_serialize;
    OK(mfcs_class_register(&c, "CSerialClass", 1 | MFCS_VERSIONABLE_SCHEMA, &ops, NULL));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_object(ar, c, &o, NULL));
    cr_assert_eq(got_schema, 1);
    cr_assert_eq(got_i[0], 2008);
    cr_assert_eq(got_len, 10, "the GBK string is %zu bytes", got_len);
    ERR(mfcs_archive_read_u8(ar, NULL), MFCS_E_END);
    point_destroy(o, NULL);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

static mfcs_err MFCS_CALL letter_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    int8_t ch;
    int32_t *v = o;
    (void)ctx;
    mfcs_archive_read_i8(ar, &ch);
    v[0] = ch;
    mfcs_archive_read_i32(ar, &v[1]);
    return mfcs_archive_read_i32(ar, &v[2]);
}
static void *MFCS_CALL letter_create(void *ctx) { (void)ctx; points_live++; return calloc(3, sizeof(int32_t)); }

Test(real_mfc, coblist_of_letters_with_class_references, .timeout = 30)
{
    /* ShulinLiu/DissectingMFC_SourceCode MFCexp9_6: a CObList of 22 CLetter objects */
    mfcs_class_ops ops = { letter_create, letter_serialize, point_destroy };
    mfcs_class *c;
    mfcs_file *f;
    mfcs_archive *ar;
    uint64_t n, i;
    void *first = NULL, *o;
    REAL_OR_SKIP("letter-MFCexp1.bin", &f);
    OK(mfcs_class_register(&c, "CLetter", 1, &ops, NULL));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_count(ar, &n));
    cr_assert_eq(n, 22);
    for (i = 0; i < n; i++) {
        OK(mfcs_archive_read_object(ar, c, &o, NULL));
        if (i == 0)
            first = o;
        else
            point_destroy(o, NULL);
    }
    cr_assert_eq(((int32_t *)first)[0], 'm');
    cr_assert_eq(((int32_t *)first)[1], 273);
    cr_assert_eq(((int32_t *)first)[2], 145);
    point_destroy(first, NULL);
    ERR(mfcs_archive_read_u8(ar, NULL), MFCS_E_END);
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
    cr_assert_eq(points_live, 0);
}

static int strokes_points;
static mfcs_err MFCS_CALL stroke_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    int32_t rect[4], xy[2];
    uint16_t pen;
    uint64_t n, i;
    mfcs_err err;
    (void)o; (void)ctx;
    for (i = 0; i < 4; i++)
        mfcs_archive_read_i32(ar, &rect[i]);
    mfcs_archive_read_u16(ar, &pen);
    if ((err = mfcs_archive_read_count(ar, &n)) != MFCS_OK)   /* CArray<CPoint>::Serialize */
        return err;
    for (i = 0; i < n; i++) {
        mfcs_archive_read_i32(ar, &xy[0]);
        err = mfcs_archive_read_i32(ar, &xy[1]);
        strokes_points++;
    }
    return pen == 2 ? err : MFCS_E_FORMAT;
}

Test(real_mfc, scribble_document, .timeout = 30)
{
    /* MFC's Scribble tutorial, step 5: CSize, then a CTypedPtrList of CStroke (schema 2) */
    mfcs_class_ops ops = point_ops;
    mfcs_class *c;
    mfcs_file *f;
    mfcs_archive *ar;
    int32_t cx, cy;
    uint64_t n, i;
    void *o;
    REAL_OR_SKIP("scribble-step5-Scribb1.SCB", &f);
    ops.serialize = stroke_serialize;
    OK(mfcs_class_register(&c, "CStroke", 2, &ops, NULL));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_i32(ar, &cx));
    OK(mfcs_archive_read_i32(ar, &cy));
    cr_assert_eq(cx, 800);
    cr_assert_eq(cy, 900);
    OK(mfcs_archive_read_count(ar, &n));
    cr_assert_eq(n, 4);
    for (i = 0; i < n; i++) {
        OK(mfcs_archive_read_object(ar, c, &o, NULL));
        point_destroy(o, NULL);
    }
    cr_assert_gt(strokes_points, 4);
    ERR(mfcs_archive_read_u8(ar, NULL), MFCS_E_END);   /* all 781 bytes accounted for */
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}
