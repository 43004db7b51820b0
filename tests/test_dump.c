/* mfcsock-dump's decoder and encoder (tools/dump/codec.c): every real
 * document through its layout into JSON text and back to the same bytes;
 * what a mismatch says; the JSON's shape (ids, references, 64-bit values,
 * strings that are not text); layout errors; hostile inputs. Portable: it
 * runs natively on Linux and under Wine. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "scratch_file.h"

#ifndef MFCS_REAL_ARCHIVES_DIR
#define MFCS_REAL_ARCHIVES_DIR ""
#endif
#ifndef MFCS_LAYOUTS_DIR
#define MFCS_LAYOUTS_DIR ""
#endif
#ifndef MFCS_FUZZ_CORPUS_DIR
#define MFCS_FUZZ_CORPUS_DIR ""
#endif

static void init_lib(void) { cr_assert_eq(mfcs_init(), MFCS_OK); }
static void term_lib(void) { mfcs_term(); }
TestSuite(dump, .init = init_lib, .fini = term_lib, .timeout = 120);

/* A whole file, or NULL when it is not there. */
static unsigned char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[1024];
    FILE *f;
    unsigned char *b;
    long n;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (!(f = fopen(path, "rb")))
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = malloc((size_t)n + 1);
    cr_assert_not_null(b);
    cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    b[n] = 0;
    *len = (size_t)n;
    return b;
}

static layout *parse_text(const char *text)
{
    char err[512];
    layout *L = layout_parse(text, "test.layout", err, sizeof err);
    cr_assert_not_null(L, "%s", err);
    return L;
}

static layout *shipped_layout(const char *name)
{
    size_t len;
    char err[512];
    unsigned char *text = slurp(MFCS_LAYOUTS_DIR, name, &len);
    layout *L;
    cr_assert_not_null(text, "%s/%s is missing", MFCS_LAYOUTS_DIR, name);
    L = layout_parse((const char *)text, name, err, sizeof err);
    free(text);
    cr_assert_not_null(L, "%s", err);
    return L;
}

/* Decodes, prints the JSON as the tool does, parses it back and encodes:
 * the bytes must be the document's. Returns the decoded JSON. */
static cJSON *round_trip(layout *L, const unsigned char *doc, size_t len, const char *what)
{
    char msg[1024];
    cJSON *root = dump_decode(L, doc, len, msg, sizeof msg), *again;
    char *text;
    unsigned char *out = NULL;
    size_t outlen = 0, i;
    cr_assert_not_null(root, "%s: %s", what, msg);
    cr_assert_null(cJSON_GetObjectItem(root, "warning"), "%s: %s", what,
                   cJSON_GetObjectItem(root, "warning") ? cJSON_GetObjectItem(root, "warning")->valuestring : "");
    text = cJSON_Print(root);
    cr_assert_not_null(text);
    again = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(again, "%s: the printed JSON does not parse", what);
    cr_assert(dump_encode(L, again, &out, &outlen, msg, sizeof msg), "%s: %s", what, msg);
    for (i = 0; i < outlen && i < len && out[i] == doc[i]; i++)
        ;
    cr_assert(i == len && outlen == len, "%s: encoded %zu bytes, the document has %zu; first difference at %zu",
              what, outlen, len, i);
    free(out);
    cJSON_Delete(again);
    return root;
}

static const struct { const char *file, *layout; } documents[] = {
    { "scribble-step5-Scribb1.SCB", "scribble.layout" },
    { "hiersvr-mfcclass.hie", "hiersvr.layout" },
    { "letter-MFCexp1.bin", "letters.layout" },
    { "serialclass-SerialcClass.dat", "serialclass.layout" },
    { "cmydoc-serial.bin", "cmydoc.layout" },
    { "creatures1-c1exp.exp", "creatures1-exp.layout" },
    { "tunings.dat", "powertab-tunings.layout" },
    { "2blocks.jww", "jwcad.layout" },
    { "non_block.jww", "jwcad.layout" },
    { "song_header.ptb", "powertab.layout" },
    { "guitars.ptb", "powertab.layout" },
    { "floating_text.ptb", "powertab.layout" },
    { "barlines.ptb", "powertab.layout" },
};

Test(dump, every_real_document_round_trips_through_json)
{
    size_t i, tried = 0;
    for (i = 0; i < sizeof documents / sizeof documents[0]; i++) {
        size_t len;
        unsigned char *doc = slurp(MFCS_REAL_ARCHIVES_DIR, documents[i].file, &len);
        layout *L;
        if (!doc)
            continue;
        L = shipped_layout(documents[i].layout);
        cJSON_Delete(round_trip(L, doc, len, documents[i].file));
        layout_free(L);
        free(doc);
        tried++;
    }
    if (!tried)
        cr_skip_test("the documents are not there (%s)", MFCS_REAL_ARCHIVES_DIR);
    cr_assert_eq(tried, sizeof documents / sizeof documents[0], "some documents are missing");
}

/* What a user of the JSON relies on: classes by name, ids as MFC numbers
 * them, fields in layout order. */
Test(dump, scribble_json_has_the_documents_values)
{
    size_t len;
    unsigned char *doc = slurp(MFCS_REAL_ARCHIVES_DIR, "scribble-step5-Scribb1.SCB", &len);
    layout *L;
    cJSON *root, *d, *strokes, *first;
    if (!doc)
        cr_skip_test("the Scribble document is not there");
    L = shipped_layout("scribble.layout");
    root = round_trip(L, doc, len, "scribble");
    d = cJSON_GetObjectItem(root, "document");
    cr_assert_str_eq(cJSON_GetObjectItem(root, "format")->valuestring, "mfcsock-dump 1");
    cr_assert_not_null(d);
    strokes = cJSON_GetObjectItem(d, "strokes");
    cr_assert_eq(cJSON_GetArraySize(strokes), 4);
    first = cJSON_GetArrayItem(strokes, 0);
    cr_assert_str_eq(cJSON_GetObjectItem(first, "$class")->valuestring, "CStroke");
    /* the class record takes index 1, the first stroke 2, the next 3 */
    cr_assert_str_eq(cJSON_GetObjectItem(first, "$id")->valuestring, "2");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(strokes, 1), "$id")->valuestring, "3");
    cJSON_Delete(root);
    layout_free(L);
    free(doc);
}

static char *decode_error(layout *L, const unsigned char *b, size_t n)
{
    static char msg[1024];
    cJSON *root = dump_decode(L, b, n, msg, sizeof msg);
    cr_assert_null(root, "the bytes decoded, though they do not fit");
    return msg;
}

Test(dump, a_mismatch_says_offset_class_and_field)
{
    size_t len;
    unsigned char *doc = slurp(MFCS_REAL_ARCHIVES_DIR, "scribble-step5-Scribb1.SCB", &len), *longer;
    layout *L;
    char *msg;
    if (!doc)
        cr_skip_test("the Scribble document is not there");
    L = shipped_layout("scribble.layout");
    msg = decode_error(L, doc, 500);   /* cut inside a stroke's points */
    cr_assert(strstr(msg, "CStroke#") && strstr(msg, "points") && strstr(msg, "offset"), "%s", msg);
    cr_assert(strstr(msg, "inside a value") || strstr(msg, "ended"), "%s", msg);
    longer = malloc(len + 3);
    memcpy(longer, doc, len);
    memcpy(longer + len, "xyz", 3);
    msg = decode_error(L, longer, len + 3);
    cr_assert(strstr(msg, "offset 781") && strstr(msg, "3 bytes before the end"), "%s", msg);
    free(longer);
    layout_free(L);
    /* Another program's layout: the class names do not match. */
    L = shipped_layout("letters.layout");
    msg = decode_error(L, doc, len);
    cr_assert(strstr(msg, "offset"), "%s", msg);
    layout_free(L);
    free(doc);
}

/* Objects: the first appearance in full, the next as a reference by id;
 * 64-bit values past 2^53 as strings; strings that are not text as hex. */
Test(dump, references_64_bit_values_and_strings_that_are_not_text)
{
    static const char text[] =
        "strings ansi\n"
        "class CPoint 1\n  i32 x\n  i32 y\nend\n"
        "document\n  objects pts CPoint\n  u64 big\n  i64 small\n  string_a name\n  string_w wide\n"
        "  f64 third\nend\n";
    static const unsigned char in[] = {
        0x03, 0x00,                                   /* three elements */
        0xFF, 0xFF, 0x01, 0x00, 0x06, 0x00, 'C', 'P', 'o', 'i', 'n', 't', 1, 0, 0, 0, 2, 0, 0, 0,
        0x02, 0x00,                                   /* the same point again */
        0x00, 0x00,                                   /* null */
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        2, 0x00, 'x',                                 /* a NUL inside: not text */
        0xFF, 0xFE, 0xFF, 1, 0x00, 0xD8,              /* a lone surrogate: not text */
        0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0xD5, 0x3F,
    };
    layout *L = parse_text(text);
    cJSON *root = round_trip(L, in, sizeof in, "hand-made"), *d = cJSON_GetObjectItem(root, "document");
    cJSON *pts = cJSON_GetObjectItem(d, "pts");
    char *printed = cJSON_PrintUnformatted(d);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(pts, 1), "$ref")->valuestring, "2", "%s", printed);
    cr_assert(cJSON_IsNull(cJSON_GetArrayItem(pts, 2)));
    cr_assert_str_eq(cJSON_GetObjectItem(d, "big")->valuestring, "18446744073709551615");
    cr_assert_str_eq(cJSON_GetObjectItem(d, "small")->valuestring, "-2");
    cr_assert(strstr(printed, "\"name\":{\"width\":\"a\",\"hex\":\"0078\"}"), "%s", printed);
    cr_assert(strstr(printed, "\"wide\":{\"width\":\"w\",\"hex\":\"00d8\"}"), "%s", printed);
    cr_assert(strstr(printed, "\"third\":0.3333333333333333,") || strstr(printed, "\"third\":0.3333333333333333}"), "%s", printed);
    free(printed);
    cJSON_Delete(root);
    layout_free(L);
}

/* A length in a longer form than MFC writes reads fine but cannot come
 * back the same: the decoder says so, and where. */
Test(dump, a_form_mfc_does_not_write_is_reported)
{
    static const unsigned char in[] = { 0xFF, 0x02, 0x00, 'h', 'i' };   /* "hi" with a 3-byte prefix */
    layout *L = parse_text("strings ansi\ndocument\n  string s\nend\n");
    char msg[512];
    cJSON *root = dump_decode(L, in, sizeof in, msg, sizeof msg);
    const cJSON *w;
    cr_assert_not_null(root, "%s", msg);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "document"), "s")->valuestring, "hi");
    w = cJSON_GetObjectItem(root, "warning");
    cr_assert(cJSON_IsString(w) && strstr(w->valuestring, "from offset 0"), "%s",
              w ? w->valuestring : "no warning");
    cJSON_Delete(root);
    layout_free(L);
}

static char *encode_error(layout *L, const char *json)
{
    static char msg[1024];
    cJSON *root = cJSON_Parse(json);
    unsigned char *out = NULL;
    size_t n = 0;
    cr_assert_not_null(root, "bad test JSON: %s", json);
    cr_assert(!dump_encode(L, root, &out, &n, msg, sizeof msg), "encoded, though it should not: %s", json);
    cJSON_Delete(root);
    free(out);
    return msg;
}

Test(dump, bad_json_is_refused_with_where)
{
    static const char text[] = "class CPoint 1\n  i32 x\n  i32 y\nend\ndocument\n  u8 small\n  objects pts CPoint\nend\n";
    layout *L = parse_text(text);
    char *msg;
    msg = encode_error(L, "{\"document\": {\"small\": 300, \"pts\": []}}");
    cr_assert(strstr(msg, "small") && strstr(msg, "300 does not fit"), "%s", msg);
    msg = encode_error(L, "{\"document\": {\"small\": 1, \"pts\": [{\"$ref\": 7}]}}");
    cr_assert(strstr(msg, "$ref 7 names no object before it"), "%s", msg);
    msg = encode_error(L, "{\"document\": {\"small\": 1, \"pts\": [{\"$class\": \"CLine\"}]}}");
    cr_assert(strstr(msg, "no class CLine"), "%s", msg);
    msg = encode_error(L, "{\"document\": {\"small\": 1}}");
    cr_assert(strstr(msg, "pts") && strstr(msg, "missing"), "%s", msg);
    msg = encode_error(L, "{\"document\": {\"small\": 1, \"pts\": [{\"$class\": \"CPoint\", \"x\": 1}]}}");
    cr_assert(strstr(msg, "CPoint") && strstr(msg, "y") && strstr(msg, "missing"), "%s", msg);
    layout_free(L);
}

Test(dump, conditions_repeats_structs_and_counted_arrays)
{
    static const char text[] =
        "struct Pair\n  u8 a\n  u8 b\nend\n"
        "class CNode 3 versionable\n"
        "  if schema >= 2\n    u16 flags\n  else\n    u8 flags\n  end\n"
        "  u8 n\n  Pair[n] pairs\n"
        "  repeat item 2\n    i8 v\n  end\nend\n"
        "document\n  object node CNode\n  if version & 1\n    u8 never\n  end\nend\n";
    /* stored with schema 2: the "if" takes the WORD */
    static const unsigned char in[] = { 0xFF, 0xFF, 0x02, 0x00, 0x05, 0x00, 'C', 'N', 'o', 'd', 'e',
                                        0x34, 0x12, 0x02, 1, 2, 3, 4, 0xFF, 0x7F };
    layout *L = parse_text(text);
    cJSON *root, *node;
    char msg[512];
    /* "version" is read by no field: the document's condition fails, and says so */
    root = dump_decode(L, in, sizeof in, msg, sizeof msg);
    cr_assert_null(root);
    cr_assert(strstr(msg, "no field version"), "%s", msg);
    layout_free(L);
    L = parse_text("struct Pair\n  u8 a\n  u8 b\nend\n"
                   "class CNode 3 versionable\n"
                   "  if schema >= 2\n    u16 flags\n  else\n    u8 flags\n  end\n"
                   "  u8 n\n  Pair[n] pairs\n"
                   "  repeat item 2\n    i8 v\n  end\nend\n"
                   "document\n  object node CNode\nend\n");
    root = round_trip(L, in, sizeof in, "conditions");
    node = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "document"), "node");
    cr_assert_str_eq(cJSON_GetObjectItem(node, "$schema")->valuestring, "2");
    cr_assert_str_eq(cJSON_GetObjectItem(node, "flags")->valuestring, "4660");
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(node, "pairs")), 2);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(node, "item"), 1), "v")->valuestring,
                     "127");
    cJSON_Delete(root);
    layout_free(L);
}

Test(dump, layout_errors_name_their_line)
{
    static const struct { const char *text, *want; } bad[] = {
        { "document\n  u8 a\n", "not closed" },
        { "document\n  u9 a\nend\n", "2: no struct or type u9" },
        { "document\n  objects a CMissing\nend\n", "no class CMissing" },
        { "class C 1\nend\nclass C 2\nend\ndocument\nend\n", "3: class C twice" },
        { "document\n  if x ~ 2\n  end\nend\n", "2: \"~\" is not one of" },
        { "document\n  else\nend\n", "2: else without its if" },
        { "struct S\n  S inner\nend\ndocument\n  S s\nend\n", "struct S contains itself" },
        { "mfc 3\ndocument\nend\n", "1: mfc N" },
        { "mfc 14abc\ndocument\nend\n", "1: mfc N" },
        { "mfc 7.\ndocument\nend\n", "1: mfc N" },
        { "document\n  bytes b 0x\nend\n", "2:" },
        { "document\n  bytes b 12x\nend\n", "2:" },
        { "class C 1\nend\n", "no document and no message" },
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[512];
        layout *L = layout_parse(bad[i].text, "t", err, sizeof err);
        cr_assert_null(L, "accepted: %s", bad[i].text);
        cr_assert(strstr(err, bad[i].want), "\"%s\": got \"%s\", want \"%s\"", bad[i].text, err, bad[i].want);
    }
}

/* Encodes JSON text that must succeed; returns the bytes (free them). */
static unsigned char *encode_ok(layout *L, const char *json, size_t *n)
{
    char msg[1024];
    cJSON *root = cJSON_Parse(json);
    unsigned char *out = NULL;
    cr_assert_not_null(root, "bad test JSON: %.200s", json);
    cr_assert(dump_encode(L, root, &out, n, msg, sizeof msg), "%s", msg);
    cJSON_Delete(root);
    return out;
}

/* From 2^53 on a double no longer holds every integer: such values are
 * strings in the JSON, and a JSON number that large is refused rather
 * than written with digits it may have lost. */
Test(dump, integers_from_2_53_travel_as_strings)
{
    static const unsigned char two53p1[] = { 0x01, 0, 0, 0, 0, 0, 0x20, 0 };   /* 2^53 + 1 */
    static const unsigned char two53[] = { 0, 0, 0, 0, 0, 0, 0x20, 0 };
    static const unsigned char below[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0 };   /* 2^53 - 1 */
    static const unsigned char neg[] = { 0, 0, 0, 0, 0, 0, 0xE0, 0xFF };   /* -2^53 */
    layout *L = parse_text("document\n  i64 v\nend\n"), *U = parse_text("document\n  u64 v\nend\n");
    cJSON *root;
    char *msg;

    root = round_trip(L, two53p1, sizeof two53p1, "2^53+1");
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "document"), "v")),
                     "9007199254740993");
    cJSON_Delete(root);
    root = round_trip(L, two53, sizeof two53, "2^53");
    cr_assert(cJSON_IsString(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "document"), "v")));
    cJSON_Delete(root);
    root = round_trip(L, neg, sizeof neg, "-2^53");
    cr_assert(cJSON_IsString(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "document"), "v")));
    cJSON_Delete(root);
    root = round_trip(U, two53, sizeof two53, "u64 2^53");
    cr_assert(cJSON_IsString(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "document"), "v")));
    cJSON_Delete(root);
    root = round_trip(L, below, sizeof below, "2^53-1");   /* still exact: a plain number */
    cr_assert(cJSON_IsRaw(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "document"), "v")));
    cJSON_Delete(root);

    msg = encode_error(L, "{\"document\": {\"v\": 9007199254740993}}");
    cr_assert(strstr(msg, "write it as a string"), "%s", msg);
    msg = encode_error(L, "{\"document\": {\"v\": 9223372036854775808}}");   /* was INT64_MIN */
    cr_assert(strstr(msg, "write it as a string"), "%s", msg);
    msg = encode_error(L, "{\"document\": {\"v\": \"99999999999999999999\"}}");
    cr_assert(strstr(msg, "not a 64-bit integer"), "%s", msg);
    msg = encode_error(U, "{\"document\": {\"v\": \"18446744073709551616\"}}");
    cr_assert(strstr(msg, "not a 64-bit integer"), "%s", msg);
    layout_free(L);
    layout_free(U);
}

/* "$id" only names an object for the "$ref"s after it: any id up to MFC's
 * limit costs what one object costs (a table indexed by the id took
 * 8 GB for the largest). */
Test(dump, any_id_names_an_object)
{
    static const char *const ids[] = { "1073741822", "1", "\"700000000\"" };
    layout *L = parse_text("class CPoint 1\n  i32 x\n  i32 y\nend\ndocument\n  objects pts CPoint\nend\n");
    char json[256], msg[512], *err;
    size_t i;
    for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        size_t n = 0;
        unsigned char *out;
        cJSON *back;
        const cJSON *pts;
        snprintf(json, sizeof json,
                 "{\"document\": {\"pts\": [{\"$class\": \"CPoint\", \"$id\": %s, \"x\": 1, \"y\": 2}, {\"$ref\": %s}]}}",
                 ids[i], ids[i]);
        out = encode_ok(L, json, &n);
        back = dump_decode(L, out, n, msg, sizeof msg);
        cr_assert_not_null(back, "%s", msg);
        pts = cJSON_GetObjectItem(cJSON_GetObjectItem(back, "document"), "pts");
        /* read back, the object has the index MFC's map gave it */
        cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(pts, 1), "$ref")->valuestring, "2");
        cJSON_Delete(back);
        free(out);
    }
    err = encode_error(L, "{\"document\": {\"pts\": [{\"$class\": \"CPoint\", \"$id\": 1073741823, \"x\": 1, \"y\": 2}]}}");
    cr_assert(strstr(err, "past MFC's map"), "%s", err);
    err = encode_error(L, "{\"document\": {\"pts\": [{\"$class\": \"CPoint\", \"$id\": 9, \"x\": 1, \"y\": 2},"
                          " {\"$class\": \"CPoint\", \"$id\": 9, \"x\": 1, \"y\": 2}]}}");
    cr_assert(strstr(err, "$id 9 twice"), "%s", err);
    err = encode_error(L, "{\"document\": {\"pts\": [{\"$class\": \"CPoint\", \"$id\": 9, \"x\": 1, \"y\": 2},"
                          " {\"$ref\": 10}]}}");
    cr_assert(strstr(err, "$ref 10 names no object"), "%s", err);
    layout_free(L);
}

/* A long list costs its length each way. Asking cJSON for element i walks
 * from the first, which made 300,000 elements take minutes; this test's
 * timeout is many times what linear work takes under Wine. */
Test(dump, long_lists_cost_their_length, .timeout = 60)
{
    enum { N = 300000 };
    static const char *const texts[] = {
        "document\n  count n\n  u8[n] a\nend\n",                    /* a counted array */
        "document\n  list a u8\nend\n",                             /* CArray: write_elements */
        "document\n  count n\n  repeat a n\n    u8 v\n  end\nend\n", /* a counted repeat */
    };
    size_t t;
    for (t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        layout *L = parse_text(texts[t]);
        cJSON *root = cJSON_CreateObject(), *doc = cJSON_AddObjectToObject(root, "document");
        cJSON *arr, *back;
        unsigned char *out = NULL;
        size_t n = 0, i;
        char msg[512];
        if (t != 1)
            cJSON_AddNumberToObject(doc, "n", N);
        arr = cJSON_AddArrayToObject(doc, "a");
        for (i = 0; i < N; i++) {
            cJSON *v = cJSON_CreateNumber((double)(i % 251));
            if (t == 2) {
                cJSON *item = cJSON_CreateObject();
                cJSON_AddItemToObject(item, "v", v);
                v = item;
            }
            cJSON_AddItemToArray(arr, v);
        }
        cr_assert(dump_encode(L, root, &out, &n, msg, sizeof msg), "%s: %s", texts[t], msg);
        cr_assert_gt(n, (size_t)N);
        cr_assert_eq(out[n - 1], (N - 1) % 251);
        back = dump_decode(L, out, n, msg, sizeof msg);   /* decoding also encodes, to check the form */
        cr_assert_not_null(back, "%s: %s", texts[t], msg);
        cr_assert_null(cJSON_GetObjectItem(back, "warning"));
        cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(back, "document"), "a")), N);
        cJSON_Delete(back);
        cJSON_Delete(root);
        free(out);
        layout_free(L);
    }
}

/* A reader of "repeat ... until" stops at the first item that meets the
 * condition, so only the last item may meet it, and there is at least
 * one: anything else would not read back as the array written. */
Test(dump, repeat_until_writes_only_what_reads_back)
{
    layout *L = parse_text("document\n  repeat chunks until len == 0\n    u8 len\n  end\nend\n");
    size_t n = 0;
    unsigned char *out;
    char *msg;
    msg = encode_error(L, "{\"document\": {\"chunks\": [{\"len\": 0}, {\"len\": 5}]}}");
    cr_assert(strstr(msg, "item 0 ends the repeat, but 1 more follow"), "%s", msg);
    msg = encode_error(L, "{\"document\": {\"chunks\": [{\"len\": 5}]}}");
    cr_assert(strstr(msg, "the last item (0) does not end the repeat"), "%s", msg);
    msg = encode_error(L, "{\"document\": {\"chunks\": []}}");
    cr_assert(strstr(msg, "at least one item"), "%s", msg);
    out = encode_ok(L, "{\"document\": {\"chunks\": [{\"len\": 5}, {\"len\": 3}, {\"len\": 0}]}}", &n);
    cr_assert_eq(n, 3);
    cr_assert(out[0] == 5 && out[1] == 3 && out[2] == 0);
    free(out);
    layout_free(L);
}

/* --text shows strings from the input: none may forge a line of the tree
 * or reach the terminal as a control. */
Test(dump, the_text_tree_escapes_the_inputs_strings)
{
    static const char forged[] = "x\"\n  admin: 1\n\x1b[2J\\";
    /* UTF-16: U+009B (a C1 control: CSI to some terminals), then 'z' */
    static const unsigned char wide[] = { 0xFF, 0xFE, 0xFF, 2, 0x9B, 0x00, 'z', 0x00 };
    layout *L = parse_text("strings ansi\ndocument\n  string name\n  string_w wide\n  u8 admin\nend\n");
    unsigned char in[64];
    size_t len = strlen(forged), k = 0;
    char msg[512], *text;
    cJSON *root;
    FILE *f;
    in[k++] = (unsigned char)len;
    memcpy(in + k, forged, len);
    k += len;
    memcpy(in + k, wide, sizeof wide);
    k += sizeof wide;
    in[k++] = 0;
    root = dump_decode(L, in, k, msg, sizeof msg);
    cr_assert_not_null(root, "%s", msg);
    f = open_scratch();
    dump_text(root, f);
    text = close_scratch_text(f);
    cr_assert_str_eq(text, "document:\n"
                           "  name: \"x\\\"\\n  admin: 1\\n\\x1b[2J\\\\\"\n"
                           "  wide: \"\\u009bz\"\n"
                           "  admin: 0\n");
    free(text);
    cJSON_Delete(root);
    layout_free(L);
}

/* Layout numbers are decimal or 0x hex, as the README says: never octal. */
Test(dump, layout_numbers_are_decimal_or_hex)
{
    static const unsigned char ten[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
    layout *L = parse_text("document\n  bytes b 010\nend\n");
    cJSON *root = round_trip(L, ten, sizeof ten, "bytes 010");
    cJSON_Delete(root);
    layout_free(L);
    L = parse_text("document\n  u16 v\n  if v == 0700\n    u8 seven_hundred\n  end\nend\n");
    {
        static const unsigned char v700[] = { 0xBC, 0x02, 0x07 };
        root = round_trip(L, v700, sizeof v700, "0700");
        cr_assert_not_null(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "document"), "seven_hundred"));
        cJSON_Delete(root);
    }
    layout_free(L);
    layout_free(parse_text("document\n  bytes b 08\n  bytes c 0x1F\nend\n"));
}

/* The cycle check costs the layout's size: twelve structs each holding ten
 * of the one before had 10^12 paths, and the check walked every one. */
Test(dump, a_deep_struct_graph_parses_at_once, .timeout = 30)
{
    char text[8192];
    size_t k = 0;
    int s, f;
    layout *L;
    char err[512];
    k += (size_t)snprintf(text + k, sizeof text - k, "struct S0\n  u8 x\nend\n");
    for (s = 1; s <= 12; s++) {
        k += (size_t)snprintf(text + k, sizeof text - k, "struct S%d\n", s);
        for (f = 0; f < 10; f++)
            k += (size_t)snprintf(text + k, sizeof text - k, "  S%d f%d\n", s - 1, f);
        k += (size_t)snprintf(text + k, sizeof text - k, "end\n");
    }
    k += (size_t)snprintf(text + k, sizeof text - k, "document\n  u8 x\nend\n");
    cr_assert_lt(k, sizeof text);
    L = parse_text(text);
    layout_free(L);
    /* a cycle through others is still found, and named */
    L = layout_parse("struct A\n  B b\nend\nstruct B\n  C c\nend\nstruct C\n  B b\nend\ndocument\n  u8 x\nend\n", "t",
                     err, sizeof err);
    cr_assert_null(L);
    cr_assert(strstr(err, "struct B contains itself") || strstr(err, "struct C contains itself"), "%s", err);
}

/* ---- hostile inputs: the fuzz corpus through a decoder ---- */

#ifdef _WIN32
#include <windows.h>
static int list_dir(const char *dir, char ***names)
{
    char pattern[1024];
    WIN32_FIND_DATAA fd;
    HANDLE h;
    int n = 0, cap = 0;
    snprintf(pattern, sizeof pattern, "%s/*", dir);
    *names = NULL;
    if ((h = FindFirstFileA(pattern, &fd)) == INVALID_HANDLE_VALUE)
        return 0;
    do {
        if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
            continue;
        if (n == cap)
            *names = realloc(*names, (size_t)(cap = cap ? cap * 2 : 256) * sizeof **names);
        (*names)[n++] = strdup(fd.cFileName);
    } while (FindNextFileA(h, &fd));
    FindClose(h);
    return n;
}
#else
#include <dirent.h>
static int list_dir(const char *dir, char ***names)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0, cap = 0;
    *names = NULL;
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap)
            *names = realloc(*names, (size_t)(cap = cap ? cap * 2 : 256) * sizeof **names);
        (*names)[n++] = strdup(e->d_name);
    }
    closedir(d);
    return n;
}
#endif

/* Every corpus input (made to reach every reader of the library) through
 * layouts that read objects, strings, lists and maps: each decodes or
 * says why, and whatever decodes encodes back to the bytes it read. */
Test(dump, the_fuzz_corpus_never_crashes_the_decoder, .timeout = 300)
{
    static const char *const texts[] = {
        "class CPoint 1\n  i32 a\n  i32 b\nend\n"
        "class CNode 2\n  string name\n  object child\nend\n"
        "class CVer 3 versionable\n  list items u16\nend\n"
        "class CTree 0\n  u8 has\n  if has != 0\n    object child CTree\n  end\nend\n"
        "document\n  u8 mode\n  objects all\n  map m string u32\n  list l string_a\nend\n",
        /* CTime in MFC 7's form: 8.0's reader also takes 4 bytes, but writes 12 */
        "mfc 7\ndocument\n  count n\n  string_w[n] s\n  time t\n  rect r\nend\n",
    };
    char **names;
    int n = list_dir(MFCS_FUZZ_CORPUS_DIR, &names), i;
    size_t k, decoded = 0;
    if (n == 0)
        cr_skip_test("no corpus at %s", MFCS_FUZZ_CORPUS_DIR);
    for (k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        layout *L = parse_text(texts[k]);
        for (i = 0; i < n; i++) {
            size_t len;
            unsigned char *b = slurp(MFCS_FUZZ_CORPUS_DIR, names[i], &len);
            char msg[1024];
            cJSON *root;
            cr_assert_not_null(b, "%s", names[i]);
            root = dump_decode(L, b, len, msg, sizeof msg);
            if (root) {
                unsigned char *out = NULL;
                size_t outlen = 0;
                int warned = cJSON_GetObjectItem(root, "warning") != NULL;
                decoded++;
                /* Exactly the bytes back, unless the decoder warned that
                 * the input uses a form MFC does not write. */
                if (dump_encode(L, root, &out, &outlen, msg, sizeof msg))
                    cr_assert(warned || (outlen == len && !memcmp(out, b, len)),
                              "%s: encoded back differently, without a warning", names[i]);
                else
                    cr_assert(warned, "%s: %s, without a warning", names[i], msg);
                free(out);
                cJSON_Delete(root);
            } else {
                cr_assert(msg[0], "%s: no message", names[i]);
            }
            free(b);
        }
        layout_free(L);
    }
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    cr_log_info("%lu of %lu decodes succeeded", (unsigned long)decoded,
                (unsigned long)((size_t)n * (sizeof texts / sizeof texts[0])));
}
