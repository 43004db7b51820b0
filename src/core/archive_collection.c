/*
 * archive_collection.c: MFC's collections on the wire (afxcoll.h,
 * afxtempl.h): CObArray and CObList, CStringArray and CStringList,
 * CByteArray, CWordArray, CDWordArray, and CArray / CList of plain or
 * caller-serialized elements. Maps are archive_map.c's.
 *
 * Each is ReadCount's count, then the elements: no header. A count is a
 * claim, not a fact: what the reader holds grows as elements arrive
 * (vec below doubles from a small start), so a list announcing 2^31
 * elements and sending 10 bytes costs those 10 bytes. What a read hands
 * out is one block, freed with one mfcs_free; it is built when the last
 * element is in, so a failed read hands out nothing.
 */
#include "collection.h"
#include "registry.h"

#include <stdlib.h>

/* ---- growing vectors ---- */

int mfcs__vec_append(mfcs__vec *v, const void *elems, size_t count)
{
    if (count > v->cap - v->n) {
        size_t ncap = v->cap ? v->cap : 16;
        void *np;
        while (ncap - v->n < count) {
            if (ncap > SIZE_MAX / 2)
                return 0;
            ncap *= 2;
        }
        if (ncap > SIZE_MAX / v->elem || !(np = realloc(v->p, ncap * v->elem)))
            return 0;
        v->p = np;
        v->cap = ncap;
    }
    if (count)
        memcpy((char *)v->p + v->n * v->elem, elems, count * v->elem);
    v->n += count;
    return 1;
}

int mfcs__vec_push(mfcs__vec *v, const void *elem)
{
    return mfcs__vec_append(v, elem, 1);
}

void mfcs__vec_free(mfcs__vec *v)
{
    free(v->p);
    v->p = NULL;
    v->n = v->cap = 0;
}

/* ---- strings kept for one block ---- */

void mfcs__strs_init(mfcs__strs *s, size_t unit)
{
    memset(s, 0, sizeof *s);
    s->pool.elem = 1;
    s->at.elem = sizeof(size_t);
    s->unit = unit;
}

int mfcs__strs_add(mfcs__strs *s, const void *str, size_t len)
{
    size_t start = s->pool.n;
    static const wchar_t nul = 0;   /* as many zero bytes as a unit has */
    if (len > SIZE_MAX / s->unit - 1)
        return 0;
    if (!mfcs__vec_push(&s->at, &start) || !mfcs__vec_append(&s->pool, str, len * s->unit) ||
        !mfcs__vec_append(&s->pool, &nul, s->unit)) {
        s->pool.n = start;
        if (s->at.n && ((size_t *)s->at.p)[s->at.n - 1] == start)
            s->at.n--;
        return 0;
    }
    return 1;
}

void mfcs__strs_free(mfcs__strs *s)
{
    mfcs__vec_free(&s->pool);
    mfcs__vec_free(&s->at);
}

void *mfcs__strs_block(mfcs__strs *s, size_t head, size_t ptr_at, size_t lens_at)
{
    size_t n = s->at.n, i, bytes = s->pool.n;
    const size_t *at = (const size_t *)s->at.p;
    uint8_t *b;
    if (head > SIZE_MAX - bytes || !(b = (uint8_t *)malloc(head + bytes ? head + bytes : 1)))
        return NULL;
    if (bytes)
        memcpy(b + head, s->pool.p, bytes);
    for (i = 0; i < n; i++) {
        void *str = b + head + at[i];
        size_t end = i + 1 < n ? at[i + 1] : bytes;
        size_t len = (end - at[i]) / s->unit - 1;   /* without its NUL */
        memcpy(b + ptr_at + i * sizeof(void *), &str, sizeof str);
        if (lens_at)
            memcpy(b + lens_at + i * sizeof(size_t), &len, sizeof len);
    }
    return b;
}

/* ---- objects: CObArray, CObList ---- */

mfcs_err mfcs__ar_put_objects(mfcs__archive *a, void *const *objs, size_t n, const mfcs_class *cls,
                              const mfcs_class *const *classes)
{
    size_t i;
    mfcs_err err;
    if ((!objs && n) || (!cls && !classes && n))
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    if ((err = mfcs__ar_put_count(a, n)) != MFCS_OK)
        return err;
    for (i = 0; i < n && !err; i++)
        err = mfcs__ar_write_object(a, classes ? classes[i] : cls, objs[i]);
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_write_object_list(mfcs_archive *h, void *const *objs, size_t n,
                                                  const mfcs_class *cls, const mfcs_class *const *classes)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    return err ? err : mfcs__ar_end(&fr, mfcs__ar_put_objects(fr.a, objs, n, cls, classes));
}

void mfcs__objs_init(mfcs__objs *o)
{
    memset(o, 0, sizeof *o);
    o->objs.elem = sizeof(void *);
    o->classes.elem = sizeof(void *);
    o->made.elem = sizeof(mfcs__made);
}

mfcs_err mfcs__objs_read(mfcs__archive *a, mfcs__objs *o, mfcs__class *want)
{
    void *obj = NULL;
    const mfcs_class *cls = NULL;
    mfcs__made m;
    mfcs_err err = mfcs__ar_read_object(a, want, &obj, &cls, &m);
    if (err)
        return err;
    /* Made here: destroyed if the collection fails later. */
    if (m.obj && !mfcs__vec_push(&o->made, &m)) {
        mfcs__ar_unmake(a, &m);
        return mfcs__ar_fail(a, MFCS_E_NOMEM);
    }
    if (!mfcs__vec_push(&o->objs, &obj) || !mfcs__vec_push(&o->classes, &cls))
        return mfcs__ar_fail(a, MFCS_E_NOMEM);
    return MFCS_OK;
}

void mfcs__objs_done(mfcs__archive *a, mfcs__objs *o, int failed)
{
    size_t i = o->made.n;
    if (failed)   /* latest first: an object may refer to one made before it */
        while (i-- > 0)
            mfcs__ar_unmake(a, &((mfcs__made *)o->made.p)[i]);
    mfcs__vec_free(&o->objs);
    mfcs__vec_free(&o->classes);
    mfcs__vec_free(&o->made);
}

/* An object read stops the archive: its map entries are made as it goes,
 * so the stream cannot be read again from the collection's start. */
static mfcs_err objects_sticky(mfcs__archive *a, mfcs_err err)
{
    return err == MFCS_E_INPROGRESS ? mfcs__ar_fail(a, err) : err;
}

static mfcs_err read_object_list(mfcs__archive *a, mfcs__class *want, void ***objs,
                                 const mfcs_class ***classes, size_t *n_out)
{
    mfcs__objs o;
    size_t n, i, per = classes ? 2 : 1;
    void **b = NULL;
    mfcs_err err;
    if (!objs || !n_out)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    mfcs__objs_init(&o);
    err = mfcs__ar_count_size(a, &n);
    for (i = 0; !err && i < n; i++)
        err = mfcs__objs_read(a, &o, want);
    if (!err && n > SIZE_MAX / (per * sizeof *b))
        err = mfcs__ar_fail(a, MFCS_E_NOMEM);
    if (!err && !(b = (void **)malloc(n ? n * per * sizeof *b : 1)))
        err = mfcs__ar_fail(a, MFCS_E_NOMEM);
    if (!err) {
        if (n)
            memcpy(b, o.objs.p, n * sizeof *b);
        if (classes) {
            if (n)
                memcpy(b + n, o.classes.p, n * sizeof *b);
            *classes = (const mfcs_class **)(b + n);
        }
        *objs = b;
        *n_out = n;
    }
    mfcs__objs_done(a, &o, err != MFCS_OK);
    return objects_sticky(a, err);
}

mfcs_err MFCS_CALL mfcs_archive_read_object_list(mfcs_archive *h, const mfcs_class *expected, void ***objs,
                                                 const mfcs_class ***classes, size_t *n)
{
    mfcs__ar_frame fr;
    mfcs__class *want = NULL;
    mfcs_err err;
    if (objs)
        *objs = NULL;
    if (classes)
        *classes = NULL;
    if (n)
        *n = 0;
    if ((err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE | MFCS__AR_MANY, __func__)) != MFCS_OK)
        return err;
    if (expected && !(want = mfcs__class_acquire(expected)))
        err = mfcs__ar_fail(fr.a, MFCS_E_BADHANDLE);
    else
        err = read_object_list(fr.a, want, objs, classes, n);
    if (want)
        mfcs__class_release(want);
    return mfcs__ar_end(&fr, err);
}

/* ---- strings: CStringArray, CStringList ---- */

static mfcs_err put_strings(mfcs__archive *a, int width, const void *const *strings, const size_t *lens, size_t n)
{
    size_t i;
    mfcs_err err;
    if (!strings && n)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    for (i = 0; i < n; i++)
        if (!strings[i])
            return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    if ((err = mfcs__ar_put_count(a, n)) != MFCS_OK)
        return err;
    for (i = 0; i < n && !err; i++) {
        if (width == MFCS__STR_UTF8)
            err = mfcs__ar_put_string_utf8(a, (const char *)strings[i]);
        else if (width == MFCS__STR_ANSI)
            err = mfcs__ar_put_string_a(a, (const char *)strings[i], lens ? lens[i] : strlen((const char *)strings[i]));
        else
            err = mfcs__ar_put_string_wchar(a, (const wchar_t *)strings[i],
                                            lens ? lens[i] : wcslen((const wchar_t *)strings[i]));
    }
    return err;
}

#define STRING_LIST_WRITE(fn, width, type, lens_decl, lens)                              \
    mfcs_err MFCS_CALL fn(mfcs_archive *h, const type *const *strings lens_decl, size_t n) \
    {                                                                                     \
        mfcs__ar_frame fr;                                                                \
        mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);                  \
        return err ? err : mfcs__ar_end(&fr, put_strings(fr.a, width,                     \
                                        (const void *const *)strings, lens, n));          \
    }
STRING_LIST_WRITE(mfcs_archive_write_string_list, MFCS__STR_UTF8, char, , NULL)
STRING_LIST_WRITE(mfcs_archive_write_string_list_a, MFCS__STR_ANSI, char, MFCS__COMMA const size_t *lens, lens)
STRING_LIST_WRITE(mfcs_archive_write_string_list_w, MFCS__STR_WIDE, wchar_t, MFCS__COMMA const size_t *lens, lens)

mfcs_err mfcs__ar_get_string_as(mfcs__archive *a, int width, mfcs__strs *s)
{
    void *str = NULL;
    size_t len = 0;
    mfcs_err err;
    if (width == MFCS__STR_UTF8)
        err = mfcs__ar_get_string_utf8(a, (char **)&str, &len);
    else if (width == MFCS__STR_ANSI)
        err = mfcs__ar_get_string_acp(a, (char **)&str, &len);
    else
        err = mfcs__ar_get_string_wchar(a, (wchar_t **)&str, &len);
    if (err)
        return err;
    if (!mfcs__strs_add(s, str, len)) {
        free(str);
        return mfcs__ar_fail(a, MFCS_E_NOMEM);
    }
    free(str);
    return MFCS_OK;
}

static mfcs_err read_strings(mfcs__archive *a, int width, void ***strings, size_t **lens, size_t *n_out)
{
    mfcs__strs s;
    size_t n, i, head, lens_at = 0;
    void *b;
    mfcs_err err;
    if (!strings || !n_out)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    mfcs__strs_init(&s, width == MFCS__STR_WIDE ? sizeof(wchar_t) : 1);
    err = mfcs__ar_count_size(a, &n);
    for (i = 0; !err && i < n; i++)
        err = mfcs__ar_get_string_as(a, width, &s);
    if (!err) {
        /* [n pointers][n lengths][the strings] */
        head = n * sizeof(void *);
        if (lens) {
            lens_at = head;
            head += n * sizeof(size_t);
        }
        if (n > SIZE_MAX / (sizeof(void *) + sizeof(size_t)) ||
            !(b = mfcs__strs_block(&s, head, 0, lens ? lens_at : 0))) {
            err = mfcs__ar_fail(a, MFCS_E_NOMEM);
        } else {
            *strings = (void **)b;
            if (lens)
                *lens = (size_t *)(void *)((uint8_t *)b + lens_at);
            *n_out = n;
        }
    }
    mfcs__strs_free(&s);
    return err;
}

#define STRING_LIST_READ(fn, width, type, lens_decl, lens, lens_reset)                        \
    mfcs_err MFCS_CALL fn(mfcs_archive *h, type ***strings lens_decl, size_t *n)               \
    {                                                                                          \
        mfcs__ar_frame fr;                                                                     \
        mfcs_err err;                                                                          \
        if (strings)                                                                           \
            *strings = NULL;                                                                   \
        if (n)                                                                                 \
            *n = 0;                                                                            \
        lens_reset;                                                                            \
        err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE | MFCS__AR_MANY, __func__); \
        return err ? err : mfcs__ar_end(&fr, read_strings(fr.a, width, (void ***)strings, lens, n)); \
    }
STRING_LIST_READ(mfcs_archive_read_string_list, MFCS__STR_UTF8, char, , NULL, (void)0)
STRING_LIST_READ(mfcs_archive_read_string_list_a, MFCS__STR_ANSI, char, MFCS__COMMA size_t **lens, lens,
                 if (lens) *lens = NULL)
STRING_LIST_READ(mfcs_archive_read_string_list_w, MFCS__STR_WIDE, wchar_t, MFCS__COMMA size_t **lens, lens,
                 if (lens) *lens = NULL)

/* ---- plain elements: CByteArray, CWordArray, CDWordArray, CArray<T>, CList<T> ---- */

/* The count, then n elements of size bytes each: little-endian integers
 * (size 1, 2, 4) or, size 0, memory images of elem_size bytes. */
static mfcs_err put_plain(mfcs__archive *a, const void *v, size_t elem_size, int integers, size_t n)
{
    const uint8_t *p = (const uint8_t *)v;
    mfcs_err err;
    if ((!v && n) || !elem_size || (n && elem_size > SIZE_MAX / n))
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    if ((err = mfcs__ar_put_count(a, n)) != MFCS_OK)
        return err;
    if (!integers || elem_size == 1 || mfcs__host_is_le())
        return mfcs__ar_put(a, p, n * elem_size);
    {   /* a big-endian host: each integer's bytes in the wire's order */
        uint8_t tmp[512];
        size_t i = 0;
        while (i < n && !err) {
            size_t k = 0;
            for (; i < n && k + elem_size <= sizeof tmp; i++, k += elem_size) {
                if (elem_size == 2)
                    mfcs__le16(tmp + k, ((const uint16_t *)v)[i]);
                else
                    mfcs__le32(tmp + k, ((const uint32_t *)v)[i]);
            }
            err = mfcs__ar_put(a, tmp, k);
        }
        return err;
    }
}

static mfcs_err get_plain(mfcs__archive *a, size_t elem_size, int integers, void **out, size_t *n_out)
{
    uint8_t *p;
    size_t n, i, total;
    mfcs_err err;
    if (!out || !n_out || !elem_size)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    if ((err = mfcs__ar_count_size(a, &n)) != MFCS_OK)
        return err;
    /* More than this process can hold (a 32-bit one): read what comes all
     * the same, as every count is read, and the stream's end (or the
     * memory's) says what is wrong, as for any collection. */
    total = n && elem_size > SIZE_MAX / n ? SIZE_MAX : n * elem_size;
    if ((err = mfcs__ar_get_grow(a, total, 0, &p)) != MFCS_OK)
        return err;
    if (integers && elem_size > 1 && !mfcs__host_is_le()) {
        for (i = 0; i < n; i++) {
            if (elem_size == 2)
                ((uint16_t *)(void *)p)[i] = mfcs__rd16(p + 2 * i);
            else
                ((uint32_t *)(void *)p)[i] = mfcs__rd32(p + 4 * i);
        }
    }
    *out = p;
    *n_out = n;
    return MFCS_OK;
}

#define PLAIN_WRITE(fn, type, size)                                                        \
    mfcs_err MFCS_CALL fn(mfcs_archive *h, const type *v, size_t n)                         \
    {                                                                                       \
        mfcs__ar_frame fr;                                                                  \
        mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);                    \
        return err ? err : mfcs__ar_end(&fr, put_plain(fr.a, v, size, 1, n));               \
    }
PLAIN_WRITE(mfcs_archive_write_byte_array, uint8_t, 1)
PLAIN_WRITE(mfcs_archive_write_word_array, uint16_t, 2)
PLAIN_WRITE(mfcs_archive_write_dword_array, uint32_t, 4)

#define PLAIN_READ(fn, type, size)                                                          \
    mfcs_err MFCS_CALL fn(mfcs_archive *h, type **out, size_t *n)                            \
    {                                                                                        \
        mfcs__ar_frame fr;                                                                   \
        mfcs_err err;                                                                        \
        if (out)                                                                             \
            *out = NULL;                                                                     \
        if (n)                                                                               \
            *n = 0;                                                                          \
        err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE, __func__);              \
        return err ? err : mfcs__ar_end(&fr, get_plain(fr.a, size, 1, (void **)out, n));     \
    }
PLAIN_READ(mfcs_archive_read_byte_array, uint8_t, 1)
PLAIN_READ(mfcs_archive_read_word_array, uint16_t, 2)
PLAIN_READ(mfcs_archive_read_dword_array, uint32_t, 4)

mfcs_err MFCS_CALL mfcs_archive_write_raw_list(mfcs_archive *h, const void *elems, size_t elem_size, size_t n)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    return err ? err : mfcs__ar_end(&fr, put_plain(fr.a, elems, elem_size, 0, n));
}

mfcs_err MFCS_CALL mfcs_archive_read_raw_list(mfcs_archive *h, size_t elem_size, void **out, size_t *n)
{
    mfcs__ar_frame fr;
    mfcs_err err;
    if (out)
        *out = NULL;
    if (n)
        *n = 0;
    err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE, __func__);
    return err ? err : mfcs__ar_end(&fr, get_plain(fr.a, elem_size, 0, out, n));
}

/* ---- elements the caller serializes ---- */

/* fn runs the caller's code inside this call: closing the archive from
 * there is refused (in_callback), as from an object's serialize. */
static mfcs_err run_elements(mfcs__archive *a, size_t n, mfcs_element_fn fn, void *ctx, size_t *done)
{
    size_t i;
    mfcs_err err = MFCS_OK;
    /* Elements may be collections of their own (a tree as lists of lists):
     * each level counts against the depth limit, as a nested object does. */
    if (a->depth >= a->max_depth)
        return mfcs__ar_fail(a, MFCS_E_LIMIT);
    a->depth++;
    for (i = 0; i < n && !err; i++) {
        a->in_callback++;
        err = fn((mfcs_archive *)a->handle, i, ctx);
        a->in_callback--;
        if (!err)
            err = a->error;   /* a call inside that failed, whatever fn returned */
        if (!err)
            *done = i + 1;
    }
    a->depth--;
    return err ? mfcs__ar_fail(a, err) : MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_archive_write_elements(mfcs_archive *h, size_t n, mfcs_element_fn fn, void *ctx)
{
    mfcs__ar_frame fr;
    size_t done = 0;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    if (err)
        return err;
    if (!fn)
        err = mfcs__ar_fail(fr.a, MFCS_E_INVALIDARG);
    else if ((err = mfcs__ar_put_count(fr.a, n)) == MFCS_OK)
        err = run_elements(fr.a, n, fn, ctx, &done);
    return mfcs__ar_end(&fr, err);
}

mfcs_err MFCS_CALL mfcs_archive_read_elements(mfcs_archive *h, mfcs_element_fn fn, void *ctx, size_t *n)
{
    mfcs__ar_frame fr;
    size_t count = 0, done = 0;
    mfcs_err err;
    if (n)
        *n = 0;
    if ((err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE | MFCS__AR_MANY, __func__)) != MFCS_OK)
        return err;
    if (!fn)
        err = mfcs__ar_fail(fr.a, MFCS_E_INVALIDARG);
    else if ((err = mfcs__ar_count_size(fr.a, &count)) == MFCS_OK)
        err = run_elements(fr.a, count, fn, ctx, &done);
    if (n)
        *n = done;
    return mfcs__ar_end(&fr, err);
}
