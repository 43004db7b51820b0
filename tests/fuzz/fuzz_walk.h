/* The fuzz walk: arbitrary bytes read by an archive with a mix of calls the
 * bytes themselves choose, and three registered classes (one nesting any
 * object, one versionable). Public API only, no Windows header: the libFuzzer
 * target (fuzz_archive.c, Linux) and the socket replay of its corpus
 * (tests/test_corpus.c, under Wine) walk the same way, so their results can
 * be compared input by input. One translation unit each. */
#ifndef FUZZ_WALK_H
#define FUZZ_WALK_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mfcsock/file.h"
#include "mfcsock/archive.h"
#include "mfcsock/vocabulary.h"

static mfcs_class *cls_point, *cls_node, *cls_ver, *cls_tree;

typedef struct obj { int32_t a, b; void *child; } obj;

/* Every object the library made and did not destroy, whoever owns it now
 * (the caller, or a parent as its child): freed after each input by
 * fuzz_release, so a leak checker sees only the library's own leaks, and a
 * double destroy aborts. */
#define MAX_LIVE 4096
static void *live[MAX_LIVE];
static size_t nlive;

static void *MFCS_CALL create(void *ctx)
{
    obj *o;
    (void)ctx;
    if (nlive == MAX_LIVE || !(o = (obj *)calloc(1, sizeof *o)))
        return NULL;
    live[nlive++] = o;
    return o;
}

static void MFCS_CALL destroy(void *o, void *ctx)
{
    size_t i;
    (void)ctx;
    for (i = 0; i < nlive && live[i] != o; i++)
        ;
    if (i == nlive)
        abort();   /* destroyed twice, or never made by create */
    live[i] = live[--nlive];
    free(o);
}

static mfcs_err MFCS_CALL ser_point(mfcs_archive *ar, void *o, void *ctx)
{
    obj *p = (obj *)o;
    (void)ctx;
    mfcs_archive_read_i32(ar, &p->a);
    return mfcs_archive_read_i32(ar, &p->b);
}

/* A node holds a string and a child object of any class, which it owns
 * unless it is a back reference to something read earlier. */
static mfcs_err MFCS_CALL ser_node(mfcs_archive *ar, void *o, void *ctx)
{
    obj *p = (obj *)o;
    unsigned schema;
    char *s = NULL;
    (void)ctx;
    mfcs_archive_object_schema(ar, &schema);
    mfcs_archive_read_string(ar, &s, NULL);
    mfcs_free(s);
    return mfcs_archive_read_object(ar, NULL, &p->child, NULL);
}

static mfcs_err MFCS_CALL ser_ver(mfcs_archive *ar, void *o, void *ctx)
{
    obj *p = (obj *)o;
    unsigned schema = 0;
    uint64_t n, i;
    mfcs_err err;
    (void)ctx;
    mfcs_archive_object_schema(ar, &schema);
    if ((err = mfcs_archive_read_count(ar, &n)) != MFCS_OK)
        return err;
    for (i = 0; i < n && !err; i++)
        err = mfcs_archive_read_u16(ar, NULL);
    p->a = (int32_t)schema;
    return err;
}

/* A tree node as real documents have them: "has a child" and the child,
 * of its own class. A hostile input nests it three bytes a level, until
 * the archive's depth limit (MFCS_LIMIT_DEPTH) stops it. */
static mfcs_err MFCS_CALL ser_tree(mfcs_archive *ar, void *o, void *ctx)
{
    obj *p = (obj *)o;
    uint8_t has = 0;
    mfcs_err err;
    (void)ctx;
    if ((err = mfcs_archive_read_u8(ar, &has)) != MFCS_OK || !has)
        return err;
    return mfcs_archive_read_object(ar, cls_tree, &p->child, NULL);
}

/* Registers the walk's classes once per process. */
static void fuzz_setup(void)
{
    static const mfcs_class_ops p = { create, ser_point, destroy };
    static const mfcs_class_ops n = { create, ser_node, destroy };
    static const mfcs_class_ops v = { create, ser_ver, destroy };
    static const mfcs_class_ops t = { create, ser_tree, destroy };
    if (cls_point)
        return;
    mfcs_class_register(&cls_point, "CPoint", 1, &p, NULL);
    mfcs_class_register(&cls_node, "CNode", 2, &n, NULL);
    mfcs_class_register(&cls_ver, "CVer", 3 | MFCS_VERSIONABLE_SCHEMA, &v, NULL);
    mfcs_class_register(&cls_tree, "CTree", 0, &t, NULL);
}

/* An input's first byte: bits 0-1 the buffer size (n * 100, 0: default),
 * bit 2 small limits, bit 3 a file that delivers bytes in chunks like a
 * socket (fuzz_archive.c), bits 4-7 that chunk size less one. */
#define FUZZ_BUF_SIZE(mode) ((size_t)((mode) & 3) * 100)
#define FUZZ_LIMITS(mode)   (((mode) & 4) != 0)
#define FUZZ_CHUNKED(mode)  (((mode) & 8) != 0)
#define FUZZ_CHUNK(mode)    ((size_t)((mode) >> 4) + 1)

typedef struct fuzz_result {
    unsigned steps;   /* calls that returned MFCS_OK */
    mfcs_err err;     /* the error that ended the walk; MFCS_OK: it ran out of steps */
} fuzz_result;

/* Each pair of an elements call: a WORD and a string. */
static mfcs_err MFCS_CALL fuzz_element(mfcs_archive *ar, size_t i, void *ctx)
{
    char *s = NULL;
    mfcs_err err;
    (void)i; (void)ctx;
    if ((err = mfcs_archive_read_u16(ar, NULL)) != MFCS_OK)
        return err;
    err = mfcs_archive_read_string(ar, &s, NULL);
    mfcs_free(s);
    return err;
}

/* One of vocabulary.h's readers, which: objects read stay in live, freed
 * by fuzz_release with the rest. */
static mfcs_err fuzz_vocabulary(mfcs_archive *ar, unsigned which)
{
    void *p = NULL, *q = NULL;
    void **objs = NULL;
    size_t n = 0, *lens = NULL;
    int64_t t;
    mfcs_err err;
    switch (which) {
    case 0: err = mfcs_archive_read_object_list(ar, NULL, &objs, NULL, &n); p = objs; break;
    case 1: err = mfcs_archive_read_object_list(ar, cls_point, &objs, (const mfcs_class ***)&q, &n); p = objs; break;
    case 2: err = mfcs_archive_read_string_list(ar, (char ***)&p, &n); break;
    case 3: err = mfcs_archive_read_string_list_a(ar, (char ***)&p, &lens, &n); break;
    case 4: err = mfcs_archive_read_string_list_w(ar, (wchar_t ***)&p, NULL, &n); break;
    case 5: err = mfcs_archive_read_byte_array(ar, (uint8_t **)&p, &n); break;
    case 6: err = mfcs_archive_read_word_array(ar, (uint16_t **)&p, &n); break;
    case 7: err = mfcs_archive_read_dword_array(ar, (uint32_t **)&p, &n); break;
    case 8: err = mfcs_archive_read_raw_list(ar, 8, &p, &n); break;
    case 9: err = mfcs_archive_read_elements(ar, fuzz_element, NULL, &n); break;
    case 10: err = mfcs_archive_read_map_string_to_string(ar, (char ***)&p, (char ***)&q, &n); break;
    case 11: err = mfcs_archive_read_map_string_to_string_a(ar, (char ***)&p, (char ***)&q, &n); break;
    case 12: err = mfcs_archive_read_map_string_to_object(ar, NULL, (char ***)&p, &objs, &n); break;
    case 13: err = mfcs_archive_read_map_word_to_object(ar, NULL, (uint16_t **)&p, &objs, &n); break;
    case 14: err = mfcs_archive_read_raw_map(ar, 4, &p, 12, &q, &n); break;
    case 15: { mfcs_rect rc; err = mfcs_archive_read_rect(ar, &rc); break; }
    case 16: err = mfcs_archive_read_time(ar, &t); break;
    case 17: err = mfcs_archive_read_timespan(ar, &t); break;
    case 18: { double d; int32_t st; err = mfcs_archive_read_ole_date(ar, &d, &st); break; }
    case 19: { int32_t st; err = mfcs_archive_read_currency(ar, &t, &st); break; }
    case 20: { mfcs_variant v; err = mfcs_archive_read_variant(ar, &v); p = v.bstr; break; }
    case 21: err = mfcs_archive_read_combstr(ar, (wchar_t **)&p, &n); break;
    case 22: { char b[16]; err = mfcs_archive_read_line_a(ar, b, sizeof b, &n); break; }
    case 23: { wchar_t b[16]; err = mfcs_archive_read_line_w(ar, b, 16, &n); break; }
    /* the version decides CTime's form and the variant types */
    case 24: err = mfcs_archive_set_mfc_version(ar, MFCS_MFC_7); break;
    case 25: err = mfcs_archive_set_mfc_version(ar, MFCS_MFC_14); break;
    default: { char b[16]; err = mfcs_archive_read_line(ar, b, sizeof b, &n); break; }
    }
    /* Each call's outputs are one block (the first array it hands out). */
    mfcs_free(p);
    return err;
}

/* Opens a loading archive on f as mode says and walks it: every call must
 * return, with MFCS_OK or a specific error. The archive is closed after. */
static fuzz_result fuzz_walk(mfcs_file *f, uint8_t mode)
{
    fuzz_result r = { 0, MFCS_OK };
    mfcs_archive *ar;
    unsigned step = 0;
    if ((r.err = mfcs_archive_open(&ar, f, MFCS_LOAD, FUZZ_BUF_SIZE(mode))) != MFCS_OK)
        return r;
    if (FUZZ_LIMITS(mode)) {
        mfcs_archive_set_limits(ar, 1000, 1000);
        mfcs_archive_set_limit(ar, MFCS_LIMIT_DEPTH, 8, NULL);
        mfcs_archive_set_limit(ar, MFCS_LIMIT_OBJECTS, 500, NULL);
    }
    while (step++ < 200 && r.err == MFCS_OK) {
        uint8_t op;
        if ((r.err = mfcs_archive_read_u8(ar, &op)) != MFCS_OK)
            break;
        if (op >= 0xE0) {   /* the vocabulary's readers (older inputs rarely use these bytes) */
            r.err = fuzz_vocabulary(ar, op - 0xE0);
            if (r.err == MFCS_OK)
                r.steps++;
            continue;
        }
        switch (op % 12) {
        case 0: { uint16_t v; r.err = mfcs_archive_read_u16(ar, &v); break; }
        case 1: { uint64_t v; r.err = mfcs_archive_read_u64(ar, &v); break; }
        case 2: { double v; r.err = mfcs_archive_read_f64(ar, &v); break; }
        case 3: { uint64_t v; r.err = mfcs_archive_read_count(ar, &v); break; }
        case 4: { char *s = NULL; size_t n; r.err = mfcs_archive_read_string_a(ar, &s, &n); mfcs_free(s); break; }
        case 5: { wchar_t *s = NULL; size_t n; r.err = mfcs_archive_read_string_w(ar, &s, &n); mfcs_free(s); break; }
        case 6: { char *s = NULL; size_t n; r.err = mfcs_archive_read_string(ar, &s, &n); mfcs_free(s); break; }
        case 7: { char b[16]; size_t n; r.err = mfcs_archive_read_line(ar, b, sizeof b, &n); break; }
        case 8: { char b[300]; size_t n; r.err = mfcs_archive_read(ar, b, op, &n); break; }
        case 9: case 10: {
            void *o = NULL;
            r.err = mfcs_archive_read_object(ar, op % 12 == 10 ? cls_point : NULL, &o, NULL);
            break;
        }
        default: r.err = mfcs_archive_map_object(ar, (void *)(uintptr_t)(0x1000 + step * 16)); break;
        }
        if (r.err == MFCS_OK)
            r.steps++;
    }
    mfcs_archive_close(ar);   /* hands unread bytes back to the file */
    return r;
}

/* Destroys every object the walk made. */
static void fuzz_release(void)
{
    while (nlive)
        destroy(live[nlive - 1], NULL);
}

#endif
