/*
 * archive_map.c: MFC's maps on the wire: CMapStringToString,
 * CMapStringToOb, CMapWordToOb and CMap<K, V> of plain keys and values,
 * and the order MFC writes them in.
 *
 * A map is its count and its pairs, in the order MFC's hash table walks
 * them: bucket by bucket, each chain from its head, where SetAt put the
 * key inserted last. Nothing of that order is in the stream (table size,
 * hash, insertion history), so a reader takes the pairs as they come, and
 * a writer that must match an MFC program byte for byte replays the
 * program's insertions into that MFC generation's table (map_order).
 */
#include "collection.h"
#include "registry.h"
#include "text.h"

#include <stdlib.h>

#define DEFAULT_TABLE 17u   /* MFC's default hash table size */

/* ---- MFC's hashes ---- */

/* HashKey(LPCTSTR). MFC 4.0-9.0: h = 33h + c. MFC 10.0+: FNV-1 over every
 * step-th character (step 1 + len/10), "copied from STL string hash". A
 * character is the TCHAR's value made a UINT: an ANSI build's char is
 * signed, so bytes from 0x80 count as c - 256. */
static uint32_t hash_units(unsigned version, const void *s, size_t len, int ansi)
{
    uint32_t h;
    size_t i, step = 1;
    if (version < MFCS_MFC_10) {
        h = 0;
    } else {
        h = 2166136261u;
        step = 1 + len / 10;
    }
    for (i = 0; i < len; i += step) {
        uint32_t c = ansi ? (uint32_t)(int32_t)(signed char)((const char *)s)[i] : ((const uint16_t *)s)[i];
        h = version < MFCS_MFC_10 ? h * 33u + c : (h * 16777619u) ^ c;
    }
    return h;
}

/* HashKey<K> of MFC 10.0+ for a key made a long: one Park-Miller step. */
static uint32_t park_miller(int32_t key)
{
    int64_t q = key / 127773, r = key % 127773;   /* C's ldiv truncates, as here */
    r = 16807 * r - 2836 * q;
    if (r < 0)
        r += 2147483647;
    return (uint32_t)r;
}

/* HashKey<K> for an integer key of size bytes. Before 10.0 it is the key
 * as 32 bits, shifted right 4 ((DWORD_PTR)key >> 4 in a 32-bit program). */
static uint32_t hash_int(unsigned version, const void *key, size_t size, int is_signed)
{
    uint64_t u = 0;
    int64_t v;
    switch (size) {
    case 1: { uint8_t x; memcpy(&x, key, 1); u = x; v = is_signed ? (int8_t)x : (int64_t)x; break; }
    case 2: { uint16_t x; memcpy(&x, key, 2); u = x; v = is_signed ? (int16_t)x : (int64_t)x; break; }
    case 4: { uint32_t x; memcpy(&x, key, 4); u = x; v = is_signed ? (int32_t)x : (int64_t)x; break; }
    default: memcpy(&u, key, 8); v = (int64_t)u; break;
    }
    if (version < MFCS_MFC_10)
        return (uint32_t)v >> 4;
    if (size == 8 && is_signed)   /* HashKey<__int64>: both halves */
        return park_miller((int32_t)(uint32_t)u) ^ park_miller((int32_t)(uint32_t)(u >> 32));
    return park_miller((int32_t)(uint32_t)v);
}

/* ---- the order MFC writes a map in ---- */

typedef struct keyed {
    uint32_t bucket;
    size_t index;            /* the pair's place in the order given */
    const void *key;         /* its bytes, for telling equal keys */
    size_t key_len;
} keyed;

static int by_key(const void *x, const void *y)
{
    const keyed *a = (const keyed *)x, *b = (const keyed *)y;
    int c;
    if (a->bucket != b->bucket)
        return a->bucket < b->bucket ? -1 : 1;
    if (a->key_len != b->key_len)
        return a->key_len < b->key_len ? -1 : 1;
    if ((c = memcmp(a->key, b->key, a->key_len)) != 0)
        return c;
    return a->index < b->index ? -1 : a->index > b->index;
}

typedef struct placed {
    uint32_t bucket;
    size_t first;            /* where SetAt first put the key: its place in its chain */
    size_t last;             /* the pair whose value SetAt kept */
} placed;

static int by_place(const void *x, const void *y)
{
    const placed *a = (const placed *)x, *b = (const placed *)y;
    if (a->bucket != b->bucket)
        return a->bucket < b->bucket ? -1 : 1;
    return a->first > b->first ? -1 : a->first < b->first;   /* later insertions head the chain */
}

/* k[0..n) hold each pair's bucket and key bytes; writes the order. */
static mfcs_err place(keyed *k, size_t n, size_t *order, size_t *count)
{
    placed *p;
    size_t i, m = 0;
    qsort(k, n, sizeof *k, by_key);
    if (n > SIZE_MAX / sizeof *p || !(p = (placed *)malloc(n ? n * sizeof *p : 1)))
        return MFCS_E_NOMEM;
    for (i = 0; i < n; i++) {
        if (i && k[i - 1].bucket == k[i].bucket && k[i - 1].key_len == k[i].key_len &&
            !memcmp(k[i - 1].key, k[i].key, k[i].key_len)) {
            p[m - 1].last = k[i].index;   /* a key given again: its new value, its old place */
            continue;
        }
        p[m].bucket = k[i].bucket;
        p[m].first = p[m].last = k[i].index;
        m++;
    }
    qsort(p, m, sizeof *p, by_place);
    for (i = 0; i < m; i++)
        order[i] = p[i].last;
    *count = m;
    free(p);
    return MFCS_OK;
}

static void as_given(size_t *order, size_t n, size_t *count)
{
    size_t i;
    for (i = 0; i < n; i++)
        order[i] = i;
    *count = n;
}

static mfcs_err order_strings(unsigned version, const char *const *keys, size_t n, int ansi, unsigned table,
                              size_t *order, size_t *count)
{
    keyed *k;
    size_t i;
    mfcs_err err = MFCS_OK;
    if ((!keys && n) || !order || !count)
        return MFCS_E_INVALIDARG;
    for (i = 0; i < n; i++)
        if (!keys[i])
            return MFCS_E_INVALIDARG;
    if (table == MFCS_MAP_AS_GIVEN) {
        as_given(order, n, count);
        return MFCS_OK;
    }
    if (table == MFCS_MAP_DEFAULT_SIZE)
        table = DEFAULT_TABLE;
    if (n > SIZE_MAX / sizeof *k || !(k = (keyed *)malloc(n ? n * sizeof *k : 1)))
        return MFCS_E_NOMEM;
    for (i = 0; i < n && !err; i++) {
        size_t len = strlen(keys[i]);
        uint32_t h;
        if (ansi) {
            h = hash_units(version, keys[i], len, 1);
        } else {
            uint16_t *u;
            size_t units;
            if ((err = mfcs__utf8_to_utf16(keys[i], len, &u, &units)) != MFCS_OK)
                break;
            h = hash_units(version, u, units, 0);
            free(u);
        }
        k[i].bucket = h % table;
        k[i].index = i;
        k[i].key = keys[i];
        k[i].key_len = len;
    }
    if (!err)
        err = place(k, n, order, count);
    free(k);
    return err;
}

static mfcs_err order_ints(unsigned version, const void *keys, size_t size, int is_signed, size_t n,
                           unsigned table, size_t *order, size_t *count)
{
    keyed *k;
    size_t i;
    mfcs_err err;
    if ((!keys && n) || !order || !count || (size != 1 && size != 2 && size != 4 && size != 8))
        return MFCS_E_INVALIDARG;
    if (table == MFCS_MAP_AS_GIVEN) {
        as_given(order, n, count);
        return MFCS_OK;
    }
    if (table == MFCS_MAP_DEFAULT_SIZE)
        table = DEFAULT_TABLE;
    if (n > SIZE_MAX / sizeof *k || !(k = (keyed *)malloc(n ? n * sizeof *k : 1)))
        return MFCS_E_NOMEM;
    for (i = 0; i < n; i++) {
        const uint8_t *key = (const uint8_t *)keys + i * size;
        k[i].bucket = hash_int(version, key, size, is_signed) % table;
        k[i].index = i;
        k[i].key = key;
        k[i].key_len = size;
    }
    err = place(k, n, order, count);
    free(k);
    return err;
}

mfcs_err MFCS_CALL mfcs_map_order_strings(unsigned mfc_version, const char *const *keys, size_t n, int ansi,
                                          unsigned table_size, size_t *order, size_t *count)
{
    return order_strings(mfc_version, keys, n, ansi, table_size, order, count);
}

mfcs_err MFCS_CALL mfcs_map_order_ints(unsigned mfc_version, const void *keys, size_t key_size, int key_signed,
                                       size_t n, unsigned table_size, size_t *order, size_t *count)
{
    return order_ints(mfc_version, keys, key_size, key_signed, n, table_size, order, count);
}

/* ---- writing ---- */

/* What one map's pairs are. */
typedef struct map_w {
    int str_keys;            /* keys: 1 strings (UTF-8 or ANSI), 0 integers */
    int ansi;
    const void *keys;
    size_t key_size;         /* integer keys: bytes each */
    int key_signed;
    int values;              /* 0 strings, 1 objects, 2 plain images */
    const void *vals;
    size_t value_size;
    const mfcs_class *cls;
    const mfcs_class *const *classes;
} map_w;

static mfcs_err put_pair(mfcs__archive *a, const map_w *m, size_t i)
{
    mfcs_err err;
    if (m->str_keys) {
        const char *key = ((const char *const *)m->keys)[i];
        err = m->ansi ? mfcs__ar_put_string_a(a, key, strlen(key)) : mfcs__ar_put_string_utf8(a, key);
    } else if (m->values == 2) {   /* CMap<K, V>: the key's image */
        err = mfcs__ar_put(a, (const uint8_t *)m->keys + i * m->key_size, m->key_size);
    } else {                       /* CMapWordToOb: a WORD */
        uint8_t w[2];
        mfcs__le16(w, ((const uint16_t *)m->keys)[i]);
        err = mfcs__ar_put(a, w, 2);
    }
    if (err)
        return err;
    if (m->values == 0) {
        const char *v = ((const char *const *)m->vals)[i];
        return m->ansi ? mfcs__ar_put_string_a(a, v, strlen(v)) : mfcs__ar_put_string_utf8(a, v);
    }
    if (m->values == 1)
        return mfcs__ar_write_object(a, m->classes ? m->classes[i] : m->cls, ((void *const *)m->vals)[i]);
    return mfcs__ar_put(a, (const uint8_t *)m->vals + i * m->value_size, m->value_size);
}

static mfcs_err put_map(mfcs__archive *a, const map_w *m, size_t n, unsigned table)
{
    size_t *order, count = 0, i;
    mfcs_err err;
    if ((!m->keys || !m->vals) && n)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    if (m->values == 1 && !m->cls && !m->classes && n)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    if (m->values == 2 && (!m->key_size || !m->value_size))
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    if (m->values == 0)
        for (i = 0; i < n; i++)
            if (!((const char *const *)m->vals)[i])
                return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    if (n > SIZE_MAX / sizeof *order || !(order = (size_t *)malloc(n ? n * sizeof *order : 1)))
        return mfcs__ar_fail(a, MFCS_E_NOMEM);
    if (m->values == 2 && table == MFCS_MAP_AS_GIVEN)   /* any key type: no hash needed */
        as_given(order, n, &count), err = MFCS_OK;
    else if (m->str_keys)
        err = order_strings(a->mfc_version, (const char *const *)m->keys, n, m->ansi, table, order, &count);
    else
        err = order_ints(a->mfc_version, m->keys, m->key_size, m->key_signed, n, table, order, &count);
    if (err)
        err = mfcs__ar_fail(a, err);
    else
        err = mfcs__ar_put_count(a, count);
    for (i = 0; i < count && !err; i++)
        err = put_pair(a, m, order[i]);
    free(order);
    return err;
}

static mfcs_err write_map(mfcs_archive *h, const char *name, const map_w *m, size_t n, unsigned table)
{
    mfcs__ar_frame fr;
    mfcs_err err = mfcs__ar_begin(&fr, h, MFCS__AR_STORE, name);
    return err ? err : mfcs__ar_end(&fr, put_map(fr.a, m, n, table));
}

mfcs_err MFCS_CALL mfcs_archive_write_map_string_to_string(mfcs_archive *h, const char *const *keys,
                                                           const char *const *values, size_t n,
                                                           unsigned table_size)
{
    map_w m = { 1, 0, keys, 0, 0, 0, values, 0, NULL, NULL };
    return write_map(h, __func__, &m, n, table_size);
}

mfcs_err MFCS_CALL mfcs_archive_write_map_string_to_string_a(mfcs_archive *h, const char *const *keys,
                                                             const char *const *values, size_t n,
                                                             unsigned table_size)
{
    map_w m = { 1, 1, keys, 0, 0, 0, values, 0, NULL, NULL };
    return write_map(h, __func__, &m, n, table_size);
}

mfcs_err MFCS_CALL mfcs_archive_write_map_string_to_object(mfcs_archive *h, const char *const *keys,
                                                           void *const *objs, size_t n, const mfcs_class *cls,
                                                           const mfcs_class *const *classes,
                                                           unsigned table_size)
{
    map_w m = { 1, 0, keys, 0, 0, 1, objs, 0, cls, classes };
    return write_map(h, __func__, &m, n, table_size);
}

mfcs_err MFCS_CALL mfcs_archive_write_map_string_to_object_a(mfcs_archive *h, const char *const *keys,
                                                             void *const *objs, size_t n, const mfcs_class *cls,
                                                             const mfcs_class *const *classes,
                                                             unsigned table_size)
{
    map_w m = { 1, 1, keys, 0, 0, 1, objs, 0, cls, classes };
    return write_map(h, __func__, &m, n, table_size);
}

mfcs_err MFCS_CALL mfcs_archive_write_map_word_to_object(mfcs_archive *h, const uint16_t *keys,
                                                         void *const *objs, size_t n, const mfcs_class *cls,
                                                         const mfcs_class *const *classes, unsigned table_size)
{
    map_w m = { 0, 0, keys, 2, 0, 1, objs, 0, cls, classes };
    return write_map(h, __func__, &m, n, table_size);
}

mfcs_err MFCS_CALL mfcs_archive_write_raw_map(mfcs_archive *h, const void *keys, size_t key_size, int key_signed,
                                              const void *values, size_t value_size, size_t n,
                                              unsigned table_size)
{
    map_w m = { 0, 0, keys, key_size, key_signed, 2, values, value_size, NULL, NULL };
    return write_map(h, __func__, &m, n, table_size);
}

/* ---- reading ---- */

/* CMapStringToString: [n key pointers][n value pointers][the strings]. */
static mfcs_err read_string_map(mfcs__archive *a, int ansi, char ***keys, char ***values, size_t *n_out)
{
    mfcs__strs s;
    size_t n, i;
    char **b;
    mfcs_err err;
    if (!keys || !values || !n_out)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    mfcs__strs_init(&s, 1);
    err = mfcs__ar_count_size(a, &n);
    for (i = 0; !err && i < 2 * n; i++)   /* key, value, key, value ... */
        err = mfcs__ar_get_string_as(a, ansi ? MFCS__STR_ANSI : MFCS__STR_UTF8, &s);
    if (!err && n > SIZE_MAX / (2 * sizeof(char *)))
        err = mfcs__ar_fail(a, MFCS_E_LIMIT);
    if (!err && !(b = (char **)mfcs__strs_block(&s, 2 * n * sizeof(char *), 0, 0)))
        err = mfcs__ar_fail(a, MFCS_E_NOMEM);
    if (!err) {
        /* The block's pointers alternate key, value: lay them out as two arrays. */
        char **tmp = (char **)malloc(n ? n * sizeof *tmp : 1);
        if (!tmp) {
            free(b);
            err = mfcs__ar_fail(a, MFCS_E_NOMEM);
        } else {
            for (i = 0; i < n; i++)
                tmp[i] = b[2 * i + 1];
            for (i = 0; i < n; i++)
                b[i] = b[2 * i];
            memcpy(b + n, tmp, n * sizeof *tmp);
            free(tmp);
            *keys = b;
            *values = b + n;
            *n_out = n;
        }
    }
    mfcs__strs_free(&s);
    return err;
}

static mfcs_err read_ss(mfcs_archive *h, const char *name, int ansi, char ***keys, char ***values, size_t *n)
{
    mfcs__ar_frame fr;
    mfcs_err err;
    if (keys)
        *keys = NULL;
    if (values)
        *values = NULL;
    if (n)
        *n = 0;
    err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE | MFCS__AR_MANY, name);
    return err ? err : mfcs__ar_end(&fr, read_string_map(fr.a, ansi, keys, values, n));
}

mfcs_err MFCS_CALL mfcs_archive_read_map_string_to_string(mfcs_archive *h, char ***keys, char ***values, size_t *n)
{
    return read_ss(h, __func__, 0, keys, values, n);
}

mfcs_err MFCS_CALL mfcs_archive_read_map_string_to_string_a(mfcs_archive *h, char ***keys, char ***values,
                                                            size_t *n)
{
    return read_ss(h, __func__, 1, keys, values, n);
}

/* CMapStringToOb and CMapWordToOb: the keys, then the objects, one block
 * starting with the keys. */
static mfcs_err read_object_map(mfcs__archive *a, int word_keys, mfcs__class *want, void **keys, void ***objs,
                                size_t *n_out)
{
    mfcs__strs s;
    mfcs__vec words = { NULL, 0, 0, sizeof(uint16_t) };
    mfcs__objs o;
    size_t n, i, head;
    uint8_t *b = NULL;
    mfcs_err err;
    if (!keys || !objs || !n_out)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    mfcs__strs_init(&s, 1);
    mfcs__objs_init(&o);
    err = mfcs__ar_count_size(a, &n);
    for (i = 0; !err && i < n; i++) {
        if (word_keys) {
            uint16_t w;
            if ((err = mfcs__ar_u16(a, &w)) == MFCS_OK && !mfcs__vec_push(&words, &w))
                err = mfcs__ar_fail(a, MFCS_E_NOMEM);
        } else {
            err = mfcs__ar_get_string_as(a, MFCS__STR_UTF8, &s);
        }
        if (!err)
            err = mfcs__objs_read(a, &o, want);
    }
    /* [keys: n pointers, or n WORDs rounded up to a pointer][n objects][strings] */
    head = word_keys ? (n * sizeof(uint16_t) + sizeof(void *) - 1) / sizeof(void *) * sizeof(void *)
                     : n * sizeof(char *);
    if (!err && (n > SIZE_MAX / (4 * sizeof(void *))))
        err = mfcs__ar_fail(a, MFCS_E_LIMIT);
    if (!err) {
        if (word_keys) {
            if ((b = (uint8_t *)malloc(head + n * sizeof(void *) + 1)) != NULL && n)
                memcpy(b, words.p, n * sizeof(uint16_t));
        } else {
            b = (uint8_t *)mfcs__strs_block(&s, head + n * sizeof(void *), 0, 0);
        }
        if (!b)
            err = mfcs__ar_fail(a, MFCS_E_NOMEM);
    }
    if (!err) {
        if (n)
            memcpy(b + head, o.objs.p, n * sizeof(void *));
        *keys = b;
        *objs = (void **)(void *)(b + head);
        *n_out = n;
    }
    mfcs__objs_done(a, &o, err != MFCS_OK);
    mfcs__vec_free(&words);
    mfcs__strs_free(&s);
    /* Objects were read: the stream cannot be taken again from the map's start. */
    return err == MFCS_E_INPROGRESS ? mfcs__ar_fail(a, err) : err;
}

static mfcs_err read_om(mfcs_archive *h, const char *name, int word_keys, const mfcs_class *expected,
                        void **keys, void ***objs, size_t *n)
{
    mfcs__ar_frame fr;
    mfcs__class *want = NULL;
    mfcs_err err;
    if (keys)
        *keys = NULL;
    if (objs)
        *objs = NULL;
    if (n)
        *n = 0;
    if ((err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE | MFCS__AR_MANY, name)) != MFCS_OK)
        return err;
    if (expected && !(want = mfcs__class_acquire(expected)))
        err = mfcs__ar_fail(fr.a, MFCS_E_BADHANDLE);
    else
        err = read_object_map(fr.a, word_keys, want, keys, objs, n);
    if (want)
        mfcs__class_release(want);
    return mfcs__ar_end(&fr, err);
}

mfcs_err MFCS_CALL mfcs_archive_read_map_string_to_object(mfcs_archive *h, const mfcs_class *expected,
                                                          char ***keys, void ***objs, size_t *n)
{
    return read_om(h, __func__, 0, expected, (void **)keys, objs, n);
}

mfcs_err MFCS_CALL mfcs_archive_read_map_word_to_object(mfcs_archive *h, const mfcs_class *expected,
                                                        uint16_t **keys, void ***objs, size_t *n)
{
    return read_om(h, __func__, 1, expected, (void **)keys, objs, n);
}

/* CMap<K, V>: [n key images, rounded up to 16 bytes][n value images]. */
static mfcs_err read_raw_map(mfcs__archive *a, size_t ks, void **keys, size_t vs, void **values, size_t *n_out)
{
    mfcs__vec k = { NULL, 0, 0, 1 }, v = { NULL, 0, 0, 1 };
    size_t n, i, head;
    uint8_t *b;
    mfcs_err err;
    if (!keys || !values || !n_out || !ks || !vs)
        return mfcs__ar_fail(a, MFCS_E_INVALIDARG);
    k.elem = ks;
    v.elem = vs;
    err = mfcs__ar_count_size(a, &n);
    for (i = 0; !err && i < n; i++) {
        /* Each image is taken from the buffer, where the value call keeps it. */
        if ((err = mfcs__ar_need(a, ks + vs)) != MFCS_OK)
            break;
        if (!mfcs__vec_push(&k, a->buf + a->cur) || !mfcs__vec_push(&v, a->buf + a->cur + ks)) {
            err = mfcs__ar_fail(a, MFCS_E_NOMEM);
            break;
        }
        a->cur += ks + vs;
    }
    if (!err && (n > SIZE_MAX / 2 / ks || n > SIZE_MAX / 2 / vs))
        err = mfcs__ar_fail(a, MFCS_E_LIMIT);
    if (!err) {
        head = (n * ks + 15) / 16 * 16;
        if (!(b = (uint8_t *)malloc(head + n * vs + 1))) {
            err = mfcs__ar_fail(a, MFCS_E_NOMEM);
        } else {
            if (n) {
                memcpy(b, k.p, n * ks);
                memcpy(b + head, v.p, n * vs);
            }
            *keys = b;
            *values = b + head;
            *n_out = n;
        }
    }
    mfcs__vec_free(&k);
    mfcs__vec_free(&v);
    return err;
}

mfcs_err MFCS_CALL mfcs_archive_read_raw_map(mfcs_archive *h, size_t key_size, void **keys, size_t value_size,
                                             void **values, size_t *n)
{
    mfcs__ar_frame fr;
    mfcs_err err;
    if (keys)
        *keys = NULL;
    if (values)
        *values = NULL;
    if (n)
        *n = 0;
    err = mfcs__ar_begin(&fr, h, MFCS__AR_LOAD | MFCS__AR_VALUE | MFCS__AR_MANY, __func__);
    return err ? err : mfcs__ar_end(&fr, read_raw_map(fr.a, key_size, keys, value_size, values, n));
}
