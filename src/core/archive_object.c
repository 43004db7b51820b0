/*
 * archive_object.c: object and class serialization (MFC's arcobj.cpp):
 * WriteObject / ReadObject / WriteClass / ReadClass / MapObject.
 *
 * Tags (WORDs): 0000 null; 0001-7FFE object index; 7FFF a DWORD tag follows;
 * 8000|i class index; FFFF a new-class record. One counter numbers classes
 * and objects in stream order, starting at 1; an object gets its index
 * before its serialize runs, so back references inside it resolve.
 */
#include "archive.h"
#include "registry.h"

#include <stdlib.h>

#define NULL_TAG       0x0000u
#define NEW_CLASS_TAG  0xFFFFu
#define CLASS_TAG      0x8000u
#define BIG_OBJECT_TAG 0x7FFFu
#define BIG_CLASS_TAG  0x80000000u
#define MAX_MAP_COUNT  0x3FFFFFFEu   /* MFC's nMaxMapCount */

/* ---- maps ---- */

static size_t hash_ptr(const void *p, size_t mask)
{
    uintptr_t v = (uintptr_t)p;
    v ^= v >> 17;
    v *= (uintptr_t)0x9E3779B97F4A7C15ull;
    return (size_t)(v >> 7) & mask;
}

/* The storing map's slot for key: the one holding it, or the empty one
 * where it would go. */
static mfcs__store_slot *store_slot(mfcs__archive *a, const void *key)
{
    size_t mask = a->store_cap - 1, i = hash_ptr(key, mask);
    while (a->store[i].key && a->store[i].key != key)
        i = (i + 1) & mask;
    return &a->store[i];
}

static uint32_t store_find(mfcs__archive *a, const void *key)
{
    return a->store_cap ? store_slot(a, key)->index : 0;
}

static mfcs_err store_add(mfcs__archive *a, const void *key, uint32_t index)
{
    if ((a->store_used + 1) * 2 > a->store_cap) {   /* keep it at most half full */
        size_t ncap = a->store_cap ? a->store_cap * 2 : 64, i;
        mfcs__store_slot *old = a->store;
        size_t ocap = a->store_cap;
        a->store = (mfcs__store_slot *)calloc(ncap, sizeof *a->store);
        if (!a->store) {
            a->store = old;
            return MFCS_E_NOMEM;
        }
        a->store_cap = ncap;
        for (i = 0; i < ocap; i++)
            if (old[i].key)
                *store_slot(a, old[i].key) = old[i];
        free(old);
    }
    {
        mfcs__store_slot *s = store_slot(a, key);
        s->key = key;
        s->index = index;
    }
    a->store_used++;
    return MFCS_OK;
}

/* The loading map grows in fixed blocks that never move: a hostile stream
 * of back references costs the map's steady size, never a realloc's copy
 * of all of it beside the old (archive.h: load is an array of blocks). */
#define LOAD_BLOCK_BITS 12
#define LOAD_BLOCK      (1u << LOAD_BLOCK_BITS)

static mfcs__load_entry *load_at(mfcs__archive *a, uint32_t i)
{
    return &a->load[i >> LOAD_BLOCK_BITS][i & (LOAD_BLOCK - 1)];
}

/* Appends the loading map's next entry (index a->map_count). */
static mfcs_err load_add(mfcs__archive *a, void *ptr, uint32_t info, int is_class)
{
    mfcs__load_entry *e;
    uint32_t b = a->map_count >> LOAD_BLOCK_BITS;
    if ((a->map_count & (LOAD_BLOCK - 1)) == 0) {
        if (b >= a->load_cap) {   /* the list of blocks: small, doubles */
            size_t ncap = a->load_cap ? a->load_cap * 2 : 16;
            mfcs__load_entry **blocks = (mfcs__load_entry **)realloc(a->load, ncap * sizeof *blocks);
            if (!blocks)
                return MFCS_E_NOMEM;
            a->load = blocks;
            a->load_cap = ncap;
        }
        if (!(a->load[b] = (mfcs__load_entry *)malloc(LOAD_BLOCK * sizeof **a->load)))
            return MFCS_E_NOMEM;
    }
    e = load_at(a, a->map_count++);
    e->ptr = ptr;
    e->info = info;
    e->is_class = (uint32_t)is_class;
    return MFCS_OK;
}

/* Starts the numbering: index 0 is the null reference. */
static mfcs_err start_maps(mfcs__archive *a)
{
    if (a->map_count)
        return MFCS_OK;
    if (a->loading) {
        a->map_count = 0;
        return load_add(a, NULL, 0, 0);
    }
    a->map_count = 1;
    return MFCS_OK;
}

/* MFC's CheckCount: the counter may not reach nMaxMapCount, nor the
 * archive's own limit (MFCS_LIMIT_OBJECTS: a map of a few bytes per entry
 * made from two bytes of input each must stay far below the memory). */
static mfcs_err check_count(mfcs__archive *a)
{
    return a->map_count >= MAX_MAP_COUNT || a->map_count >= a->max_objects ? MFCS_E_LIMIT : MFCS_OK;
}

/* Remembers a class use so the archive can give it back when it goes. */
static mfcs_err note_use(mfcs__archive *a, mfcs__class *c)
{
    if (a->used_n == a->used_cap) {
        size_t ncap = a->used_cap ? a->used_cap * 2 : 8;
        mfcs__class **n = (mfcs__class **)realloc(a->used, ncap * sizeof *n);
        if (!n) {
            mfcs__class_release(c);
            return MFCS_E_NOMEM;
        }
        a->used = n;
        a->used_cap = ncap;
    }
    a->used[a->used_n++] = c;
    return MFCS_OK;
}

void mfcs__ar_free_maps(mfcs__archive *a)
{
    size_t i;
    for (i = 0; i < a->used_n; i++)
        mfcs__class_release(a->used[i]);
    if (a->load)
        for (i = 0; i < (a->map_count + LOAD_BLOCK - 1) >> LOAD_BLOCK_BITS; i++)
            free(a->load[i]);
    free(a->used);
    free(a->store);
    free(a->load);
    a->used = NULL;
    a->store = NULL;
    a->load = NULL;
}

/* A reference to index i: WORD, or 7FFF + DWORD from 0x7FFF on. */
static mfcs_err put_tag(mfcs__archive *a, uint32_t i, int is_class)
{
    uint8_t b[6];
    if (i < BIG_OBJECT_TAG) {
        mfcs__le16(b, (uint16_t)(is_class ? CLASS_TAG | i : i));
        return mfcs__ar_put(a, b, 2);
    }
    mfcs__le16(b, BIG_OBJECT_TAG);
    mfcs__le32(b + 2, is_class ? BIG_CLASS_TAG | i : i);
    return mfcs__ar_put(a, b, 6);
}

/* Runs serialize with the schema mfcs_archive_object_schema reports. While
 * any of a class's functions runs for the archive, closing it is refused
 * (it would be freed under this call). */
static mfcs_err run_serialize(mfcs__archive *a, mfcs__class *c, void *obj, uint32_t schema)
{
    uint32_t saved = a->schema;
    mfcs_err err;
    a->schema = schema;
    a->in_callback++;
    a->in_serialize++;
    err = c->ops.serialize((mfcs_archive *)a->handle, obj, c->ctx);
    a->in_serialize--;
    a->in_callback--;
    a->schema = saved;
    return err;
}

static void *run_create(mfcs__archive *a, mfcs__class *c)
{
    void *obj;
    a->in_callback++;
    obj = c->ops.create(c->ctx);
    a->in_callback--;
    return obj;
}

static void run_destroy(mfcs__archive *a, mfcs__class *c, void *obj)
{
    a->in_callback++;
    c->ops.destroy(obj, c->ctx);
    a->in_callback--;
}

/* Objects nest inside objects (a tree's nodes read their children): each
 * level costs the reader's stack and the caller's serialize frames, so a
 * hostile stream of nested objects must meet a limit before the stack
 * does (MFCS_LIMIT_DEPTH). */
static mfcs_err enter_object(mfcs__archive *a)
{
    if (a->depth >= a->max_depth)
        return mfcs__ar_fail(a, MFCS_E_LIMIT);
    a->depth++;
    return MFCS_OK;
}

/* ---- storing ---- */

mfcs_err mfcs__ar_write_object(mfcs__archive *a, const mfcs_class *cls, void *obj)
{
    mfcs__class *c;
    uint32_t idx;
    const void *ckey;
    uint8_t rec[4];
    mfcs_err err;
    if (!obj)
        return put_tag(a, NULL_TAG, 0);
    if ((err = start_maps(a)) != MFCS_OK)
        return mfcs__ar_fail(a, err);
    if ((idx = store_find(a, obj)) != 0)
        return put_tag(a, idx, 0);

    /* Held for the call: mfcs_term on another thread cannot free it under us. */
    if (!(c = mfcs__class_acquire(cls)))
        return mfcs__ar_fail(a, MFCS_E_BADHANDLE);
    ckey = (const char *)c + 1;
    if ((idx = store_find(a, ckey)) != 0) {
        err = put_tag(a, idx, 1);
        mfcs__class_release(c);
    } else {
        /* The new-class record: FFFF, schema, name length, name. The
         * archive keeps the use it took until it goes. */
        if ((err = check_count(a)) != MFCS_OK) {
            mfcs__class_release(c);
            return mfcs__ar_fail(a, err);
        }
        if ((err = note_use(a, c)) != MFCS_OK)
            return mfcs__ar_fail(a, err);
        mfcs__le16(rec, NEW_CLASS_TAG);
        mfcs__le16(rec + 2, c->schema);
        if ((err = mfcs__ar_put(a, rec, 4)) != MFCS_OK)
            return err;
        mfcs__le16(rec, c->name_len);
        if ((err = mfcs__ar_put(a, rec, 2)) != MFCS_OK ||
            (err = mfcs__ar_put(a, c->name, c->name_len)) != MFCS_OK)
            return err;
        err = store_add(a, ckey, a->map_count++);
    }
    if (err)
        return mfcs__ar_fail(a, err);
    if ((err = check_count(a)) != MFCS_OK || (err = store_add(a, obj, a->map_count++)) != MFCS_OK)
        return mfcs__ar_fail(a, err);
    if ((err = enter_object(a)) != MFCS_OK)
        return err;
    err = run_serialize(a, c, obj, c->schema);
    a->depth--;
    return err ? mfcs__ar_fail(a, err) : a->error;
}

mfcs_err MFCS_CALL mfcs_archive_write_object(mfcs_archive *h, const mfcs_class *cls, void *obj)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, __func__);
    return err ? err : mfcs__ar_end(&fr, mfcs__ar_write_object(fr.a, cls, obj));
}

/* ---- loading ---- */

mfcs_err mfcs__ar_read_object(mfcs__archive *a, mfcs__class *want, void **obj_out, const mfcs_class **cls_out,
                              mfcs__made *made)
{
    mfcs__class *c;
    uint16_t w;
    uint32_t tag, schema, self, centry;
    void *obj;
    mfcs_err err;

    if (made)
        made->obj = NULL;
    if ((err = start_maps(a)) != MFCS_OK)
        return mfcs__ar_fail(a, err);
    if ((err = mfcs__ar_u16(a, &w)) != MFCS_OK)
        return err;
    if (w == BIG_OBJECT_TAG) {
        if ((err = mfcs__ar_u32(a, &tag)) != MFCS_OK)
            return err;
    } else {
        tag = ((uint32_t)(w & CLASS_TAG) << 16) | (w & ~CLASS_TAG & 0xFFFFu);
    }

    if (!(tag & BIG_CLASS_TAG)) {
        /* A reference to an object read before (or NULL). */
        mfcs__load_entry *e;
        mfcs__class *ec;
        if (tag == NULL_TAG)
            return MFCS_OK;
        if (tag >= a->map_count || load_at(a, tag)->is_class)
            return mfcs__ar_fail(a, MFCS_E_FORMAT);
        e = load_at(a, tag);
        ec = e->info ? (mfcs__class *)load_at(a, e->info)->ptr : NULL;
        if (want && ec && ec != want)
            return mfcs__ar_fail(a, MFCS_E_CLASS);
        *obj_out = e->ptr;
        if (cls_out && ec)
            *cls_out = (const mfcs_class *)ec->handle;
        return MFCS_OK;
    }

    if (w == NEW_CLASS_TAG) {
        uint16_t len;
        char name[MFCS__CLASS_NAME_MAX + 1];
        uint16_t stored;
        if ((err = mfcs__ar_u16(a, &stored)) != MFCS_OK || (err = mfcs__ar_u16(a, &len)) != MFCS_OK)
            return err;
        if (len > MFCS__CLASS_NAME_MAX)       /* MFC: CRuntimeClass::Load fails, badClass */
            return mfcs__ar_fail(a, MFCS_E_CLASS);
        if ((err = mfcs__ar_need(a, len)) != MFCS_OK)
            return err;
        memcpy(name, a->buf + a->cur, len);
        a->cur += len;
        if (!(c = mfcs__class_acquire_name(name, len)))
            return mfcs__ar_fail(a, MFCS_E_CLASS);
        if ((err = note_use(a, c)) != MFCS_OK)
            return mfcs__ar_fail(a, err);
        if (stored != c->schema && !c->versionable)
            return mfcs__ar_fail(a, MFCS_E_CLASS);
        schema = stored;
        if ((err = check_count(a)) != MFCS_OK || (err = load_add(a, c, schema, 1)) != MFCS_OK)
            return mfcs__ar_fail(a, err);
        centry = a->map_count - 1;
    } else {
        centry = tag & ~BIG_CLASS_TAG;
        if (centry == 0 || centry >= a->map_count || !load_at(a, centry)->is_class)
            return mfcs__ar_fail(a, MFCS_E_FORMAT);
        c = (mfcs__class *)load_at(a, centry)->ptr;
        schema = load_at(a, centry)->info;
    }

    if (want && c != want)
        return mfcs__ar_fail(a, MFCS_E_CLASS);
    if ((err = check_count(a)) != MFCS_OK)
        return mfcs__ar_fail(a, err);
    if ((err = enter_object(a)) != MFCS_OK)
        return err;
    if (!(obj = run_create(a, c))) {
        a->depth--;
        return mfcs__ar_fail(a, MFCS_E_NOMEM);
    }
    /* Mapped before serialize, so back references inside it resolve. */
    if ((err = load_add(a, obj, centry, 0)) != MFCS_OK) {
        run_destroy(a, c, obj);
        a->depth--;
        return mfcs__ar_fail(a, err);
    }
    self = a->map_count - 1;
    err = run_serialize(a, c, obj, schema);
    a->depth--;
    if (!err)
        err = a->error;
    if (err) {
        /* Half made: destroyed here, and no back reference may reach it. */
        load_at(a, self)->ptr = NULL;
        run_destroy(a, c, obj);
        return mfcs__ar_fail(a, err);
    }
    *obj_out = obj;
    if (cls_out)
        *cls_out = (const mfcs_class *)c->handle;
    if (made) {
        made->obj = obj;
        made->cls = c;
        made->index = self;
    }
    return MFCS_OK;
}

void mfcs__ar_unmake(mfcs__archive *a, const mfcs__made *m)
{
    if (!m->obj)
        return;
    load_at(a, m->index)->ptr = NULL;
    run_destroy(a, m->cls, m->obj);
}

mfcs_err MFCS_CALL mfcs_archive_read_object(mfcs_archive *h, const mfcs_class *expected,
                                            void **obj_out, const mfcs_class **cls_out)
{
    mfcs__ar_frame fr;
    mfcs__class *want = NULL;
    mfcs_err err;

    if (cls_out)
        *cls_out = NULL;
    if (obj_out)
        *obj_out = NULL;
    if ((err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE, __func__)) != MFCS_OK)
        return err;
    if (!obj_out)
        err = mfcs__ar_fail(fr.a, MFCS_E_INVALIDARG);
    else if (expected && !(want = mfcs__class_acquire(expected)))
        err = mfcs__ar_fail(fr.a, MFCS_E_BADHANDLE);
    else
        err = mfcs__ar_read_object(fr.a, want, obj_out, cls_out, NULL);
    if (want)
        mfcs__class_release(want);
    /* An object's map entries are made as it is read: one that failed
     * halfway cannot be read again by this archive, even after a refusal
     * that would leave a primitive's archive whole. */
    if (err == MFCS_E_INPROGRESS)
        err = mfcs__ar_fail(fr.a, err);
    return mfcs__ar_end(&fr, err);
}

/* ---- both ---- */

mfcs_err MFCS_CALL mfcs_archive_map_object(mfcs_archive *h, void *obj)
{
    mfcs__ar_frame fr;
    mfcs__archive *a;
    mfcs_err err = mfcs__ar_begin(&fr, h, 0, __func__);
    if (err)
        return err;
    a = fr.a;
    if ((err = start_maps(a)) != MFCS_OK)
        err = mfcs__ar_fail(a, err);
    else if (!obj)           /* as MFC: NULL takes no index */
        err = MFCS_OK;
    else if ((err = check_count(a)) != MFCS_OK)
        err = mfcs__ar_fail(a, err);
    else if ((err = a->loading ? load_add(a, obj, 0, 0) : store_add(a, obj, a->map_count++)) != MFCS_OK)
        err = mfcs__ar_fail(a, err);
    return mfcs__ar_end(&fr, err);
}

mfcs_err MFCS_CALL mfcs_archive_object_schema(mfcs_archive *h, unsigned *schema)
{
    mfcs__ar_frame fr;
    mfcs__archive *a;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_QUERY, __func__);
    if (err)
        return err;
    a = fr.a;
    if (!schema) {
        err = MFCS_E_INVALIDARG;
    } else if (!a->in_serialize) {
        err = MFCS_E_STATE;
    } else {
        *schema = a->schema;
        if (a->loading)          /* MFC's GetObjectSchema answers once, then (UINT)-1 */
            a->schema = 0xFFFFFFFFu;
    }
    a->calls--;
    mfcs__unpin(a->slot, MFCS__USE_OWNER);
    return err;
}
