/* libFuzzer target: arbitrary bytes through every archive read call and
 * object loading. Built on Linux by tests/fuzz/build.sh (the codec and the
 * memory file include no Windows header). The first byte picks a buffer
 * size and limits; the rest is the stream. Every call must return, with
 * MFCS_OK or a specific error, and leave nothing allocated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mfcsock/file.h"
#include "mfcsock/archive.h"

static mfcs_class *cls_point, *cls_node, *cls_ver;

typedef struct obj { int32_t a, b; void *child; } obj;

/* Every object the library made and did not destroy, whoever owns it now
 * (the caller, or a parent as its child): freed at the end of each input, so
 * LeakSanitizer sees only the library's own leaks, and ASan any double destroy. */
#define MAX_LIVE 4096
static void *live[MAX_LIVE];
static size_t nlive;

static void *create(void *ctx)
{
    obj *o;
    (void)ctx;
    if (nlive == MAX_LIVE || !(o = calloc(1, sizeof *o)))
        return NULL;
    live[nlive++] = o;
    return o;
}

static void destroy(void *o, void *ctx)
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

static mfcs_err ser_point(mfcs_archive *ar, void *o, void *ctx)
{
    obj *p = o;
    (void)ctx;
    mfcs_archive_read_i32(ar, &p->a);
    return mfcs_archive_read_i32(ar, &p->b);
}

/* A node holds a string and a child object of any class, which it owns
 * unless it is a back reference to something read earlier (then the
 * caller-side list owns it). */
static mfcs_err ser_node(mfcs_archive *ar, void *o, void *ctx)
{
    obj *p = o;
    unsigned schema;
    char *s = NULL;
    (void)ctx;
    mfcs_archive_object_schema(ar, &schema);
    mfcs_archive_read_string(ar, &s, NULL);
    free(s);
    return mfcs_archive_read_object(ar, NULL, &p->child, NULL);
}

static mfcs_err ser_ver(mfcs_archive *ar, void *o, void *ctx)
{
    obj *p = o;
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

static void setup(void)
{
    static const mfcs_class_ops p = { create, ser_point, destroy };
    static const mfcs_class_ops n = { create, ser_node, destroy };
    static const mfcs_class_ops v = { create, ser_ver, destroy };
    if (cls_point)
        return;
    mfcs_class_register(&cls_point, "CPoint", 1, &p, NULL);
    mfcs_class_register(&cls_node, "CNode", 2, &n, NULL);
    mfcs_class_register(&cls_ver, "CVer", 3 | MFCS_VERSIONABLE_SCHEMA, &v, NULL);
}

#define MAX_OBJS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mfcs_file *f;
    mfcs_archive *ar;
    void *objs[MAX_OBJS];
    size_t nobj = 0, i, step = 0;
    uint8_t mode;
    setup();
    if (size < 1)
        return 0;
    mode = data[0];
    if (mfcs_file_open_memory(&f, data + 1, size - 1) != MFCS_OK)
        abort();
    if (mfcs_archive_open(&ar, f, MFCS_LOAD, (size_t)(mode & 3) * 100) != MFCS_OK)
        abort();
    if (mode & 4)
        mfcs_archive_set_limits(ar, 1000, 1000);
    /* Walk the stream with a mix of reads chosen by the stream itself. */
    while (step++ < 200) {
        uint8_t op;
        mfcs_err err;
        if (mfcs_archive_read_u8(ar, &op) != MFCS_OK)
            break;
        switch (op % 12) {
        case 0: { uint16_t v; err = mfcs_archive_read_u16(ar, &v); break; }
        case 1: { uint64_t v; err = mfcs_archive_read_u64(ar, &v); break; }
        case 2: { double v; err = mfcs_archive_read_f64(ar, &v); break; }
        case 3: { uint64_t v; err = mfcs_archive_read_count(ar, &v); break; }
        case 4: { char *s = NULL; size_t n; err = mfcs_archive_read_string_a(ar, &s, &n); free(s); break; }
        case 5: { wchar_t *s = NULL; size_t n; err = mfcs_archive_read_string_w(ar, &s, &n); free(s); break; }
        case 6: { char *s = NULL; size_t n; err = mfcs_archive_read_string(ar, &s, &n); free(s); break; }
        case 7: { char b[16]; size_t n; err = mfcs_archive_read_line(ar, b, sizeof b, &n); break; }
        case 8: { char b[300]; size_t n; err = mfcs_archive_read(ar, b, op, &n); break; }
        case 9: case 10: {
            void *o = NULL;
            const mfcs_class *want = op % 12 == 10 ? cls_point : NULL;
            err = mfcs_archive_read_object(ar, want, &o, NULL);
            if (err == MFCS_OK && o) {
                /* keep each distinct object once */
                for (i = 0; i < nobj && objs[i] != o; i++)
                    ;
                if (i == nobj && nobj < MAX_OBJS)
                    objs[nobj++] = o;
            }
            break;
        }
        default: err = mfcs_archive_map_object(ar, (void *)(uintptr_t)(0x1000 + step * 16)); break;
        }
        if (err != MFCS_OK)
            break;
    }
    mfcs_archive_close(ar);
    mfcs_file_close(f);
    (void)objs;
    while (nlive)
        destroy(live[nlive - 1], NULL);
    return 0;
}
