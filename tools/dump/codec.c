/*
 * codec.c: a layout applied to an archive, both ways (codec.h). xfer_*
 * read into JSON when the session is loading and write from JSON when it
 * is storing, one function per kind of field, as an MFC Serialize does
 * both with `if (ar.IsStoring())`.
 *
 * Objects go through mfcsock's own object calls: each layout class is a
 * registered mfcs_class whose serialize runs the class's fields, so class
 * records, back references and schemas are exactly the library's. An
 * object's JSON carries the index MFC's map gives it ("$id"): class
 * records and objects share one count from 1, in stream order, which the
 * session keeps as the library calls serialize.
 */
#include "codec.h"
#include "textconv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#  include <windows.h>
typedef SRWLOCK lock_t;
#  define LOCK_INIT SRWLOCK_INIT
#  define lock(l) AcquireSRWLockExclusive(l)
#  define unlock(l) ReleaseSRWLockExclusive(l)
#else
#  include <pthread.h>
typedef pthread_mutex_t lock_t;
#  define LOCK_INIT PTHREAD_MUTEX_INITIALIZER
#  define lock(l) pthread_mutex_lock(l)
#  define unlock(l) pthread_mutex_unlock(l)
#endif

#define MAX_NEST 256
/* From 2^53 on, a double no longer holds every integer: a JSON number
 * that large may already have lost digits, so such values travel as
 * strings both ways. */
#define TWO53 9007199254740992.0
#define BIG_I64(v) ((v) >= ((int64_t)1 << 53) || (v) <= -((int64_t)1 << 53))

/* One object, loading or storing. */
typedef struct dnode {
    cJSON *json;              /* loading: made here; storing: the caller's */
    const lclass *cls;
    unsigned id;
    int in_progress;          /* loading: its serialize runs (a reference to it now is a back reference) */
    int embedded;             /* loading: its JSON went into its reader's */
    struct dump_session *owner;
    struct dnode *next;       /* the session's list */
} dnode;

typedef struct scope {
    cJSON *obj;
    int object_root;          /* an object's own fields begin here */
} scope;

struct dump_session {
    layout *L;
    mfcs_archive *ar;
    int loading;
    unsigned next_index;
    const lclass **seen;      /* classes whose record went by */
    size_t nseen, seencap;
    dnode *nodes;
    dnode **by_id;            /* storing: "$id" -> object, open addressing */
    size_t idcap, nids;
    scope scopes[MAX_NEST];
    int nscopes;
    unsigned schema[MAX_NEST];
    int nschema;
    const char *path[MAX_NEST];   /* what is being read, for messages */
    char pathbuf[MAX_NEST][48];
    int npath;
    int failed;
    mfcs_err err;
    char msg[768];
    struct dump_session *next_active;
};

/* The sessions whose archives are in use: serialize finds its own by the
 * archive it is called with (the proxy runs two at once). */
static lock_t active_lock = LOCK_INIT;
static dump_session *active;

static dump_session *session_of(mfcs_archive *ar)
{
    dump_session *s;
    lock(&active_lock);
    for (s = active; s && s->ar != ar; s = s->next_active)
        ;
    unlock(&active_lock);
    return s;
}

/* ---- messages ---- */

static void path_push(dump_session *s, const char *fmt, ...)
{
    va_list ap;
    if (s->npath < MAX_NEST) {
        va_start(ap, fmt);
        vsnprintf(s->pathbuf[s->npath], sizeof s->pathbuf[0], fmt, ap);
        va_end(ap);
        s->path[s->npath] = s->pathbuf[s->npath];
    }
    s->npath++;
}

static void path_pop(dump_session *s)
{
    s->npath--;
}

static void path_text(const dump_session *s, char *buf, size_t cap)
{
    size_t k = 0;
    int i;
    buf[0] = '\0';
    for (i = 0; i < s->npath && i < MAX_NEST && k + 1 < cap; i++) {
        int n = snprintf(buf + k, cap - k, "%s%s", i && s->path[i][0] != '[' ? "." : "", s->path[i]);
        if (n < 0)
            break;
        k += (size_t)n;
    }
}

/* The first failure wins; each says where. */
static int fail(dump_session *s, mfcs_err err, const char *fmt, ...)
{
    char where[400];
    va_list ap;
    int n;
    if (s->failed)
        return 0;
    s->failed = 1;
    s->err = err ? err : MFCS_E_FORMAT;
    path_text(s, where, sizeof where);
    n = snprintf(s->msg, sizeof s->msg, "%s: ", where[0] ? where : "(top)");
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof s->msg)
        vsnprintf(s->msg + n, sizeof s->msg - (size_t)n, fmt, ap);
    va_end(ap);
    return 0;
}

/* An archive call failed: where in the stream, which call, what error. */
static int fail_ar(dump_session *s, mfcs_err err)
{
    mfcs_err first = err;
    const char *call = NULL;
    uint64_t at = 0;
    if (s->failed)
        return 0;
    mfcs_archive_error_detail(s->ar, &first, &call, &at);
    if (!first)
        first = err;
    return fail(s, first, "%s at offset %llu (0x%llx): %s (%s)", s->loading ? "reading" : "writing",
                (unsigned long long)at, (unsigned long long)at, mfcs_strerror(first), call ? call : "?");
}

#define AR(call) do { mfcs_err e_ = (call); if (e_ != MFCS_OK) return fail_ar(s, e_); } while (0)

/* ---- JSON values ---- */

static cJSON *num_i64(int64_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", (long long)v);
    /* Raw: exact digits, not a double's rounding. */
    return BIG_I64(v) ? cJSON_CreateString(b) : cJSON_CreateRaw(b);
}

static cJSON *num_u64(uint64_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    return v >= ((uint64_t)1 << 53) ? cJSON_CreateString(b) : cJSON_CreateRaw(b);
}

/* A double in the fewest digits that read back to the same bits. */
static cJSON *num_f64(double d)
{
    char b[40];
    int prec;
    uint64_t bits;
    if (isfinite(d)) {
        for (prec = 15; prec <= 17; prec++) {
            double back;
            snprintf(b, sizeof b, "%.*g", prec, d);
            back = strtod(b, NULL);
            if (memcmp(&back, &d, sizeof d) == 0)
                return cJSON_CreateRaw(b);
        }
    }
    memcpy(&bits, &d, 8);
    {
        cJSON *o = cJSON_CreateObject();
        snprintf(b, sizeof b, "%016llx", (unsigned long long)bits);
        cJSON_AddStringToObject(o, "bits", b);
        return o;
    }
}

static cJSON *num_f32(float f)
{
    char b[40];
    int prec;
    uint32_t bits;
    if (isfinite(f)) {
        for (prec = 6; prec <= 9; prec++) {
            float back;
            snprintf(b, sizeof b, "%.*g", prec, (double)f);
            back = strtof(b, NULL);
            if (memcmp(&back, &f, sizeof f) == 0)
                return cJSON_CreateRaw(b);
        }
    }
    memcpy(&bits, &f, 4);
    {
        cJSON *o = cJSON_CreateObject();
        snprintf(b, sizeof b, "%08lx", (unsigned long)bits);
        cJSON_AddStringToObject(o, "bits", b);
        return o;
    }
}

/* Decimal digits that fill the whole text and fit 64 bits. */
static int parse_i64(const char *text, int64_t *out)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(text, &end, 10);
    if (!text[0] || *end || errno == ERANGE)
        return 0;
    *out = (int64_t)v;
    return 1;
}

/* A JSON integer (a number, or digits in a string) as 64 bits.
 * Numbers this codec made are raw text (exact digits); numbers parsed
 * from a file are doubles, trusted only below 2^53. */
static int get_i64(dump_session *s, const cJSON *v, int64_t *out)
{
    if ((cJSON_IsRaw(v) || cJSON_IsString(v)) && v->valuestring) {
        if (parse_i64(v->valuestring, out))
            return 1;
        return fail(s, MFCS_E_INVALIDARG, "\"%.40s\" is not a 64-bit integer", v->valuestring);
    }
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d != floor(d))
            return fail(s, MFCS_E_INVALIDARG, "%g is not an integer", d);
        if (d >= TWO53 || d <= -TWO53)
            return fail(s, MFCS_E_INVALIDARG,
                        "%.17g may have lost digits as a JSON number: write it as a string", d);
        *out = (int64_t)d;
        return 1;
    }
    if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v);
        return 1;
    }
    return fail(s, MFCS_E_INVALIDARG, "an integer is expected here");
}

static int get_flag(dump_session *s, const cJSON *v, int *out)
{
    int64_t x;
    if (!get_i64(s, v, &x))
        return 0;
    *out = x != 0;
    return 1;
}

static int get_u64(dump_session *s, const cJSON *v, uint64_t *out)
{
    if ((cJSON_IsString(v) || cJSON_IsRaw(v)) && v->valuestring && v->valuestring[0] && v->valuestring[0] != '-') {
        char *end;
        errno = 0;
        *out = (uint64_t)strtoull(v->valuestring, &end, 10);
        if (!*end && errno != ERANGE)
            return 1;
        return fail(s, MFCS_E_INVALIDARG, "\"%.40s\" is not a 64-bit integer", v->valuestring);
    }
    {
        int64_t i;
        if (!get_i64(s, v, &i))
            return 0;
        if (i < 0)
            return fail(s, MFCS_E_INVALIDARG, "%lld is negative", (long long)i);
        *out = (uint64_t)i;
        return 1;
    }
}

static int get_range(dump_session *s, const cJSON *v, int64_t lo, int64_t hi, int64_t *out)
{
    if (!get_i64(s, v, out))
        return 0;
    if (*out < lo || *out > hi)
        return fail(s, MFCS_E_INVALIDARG, "%lld does not fit (%lld to %lld)", (long long)*out, (long long)lo,
                    (long long)hi);
    return 1;
}

static int get_f64(dump_session *s, const cJSON *v, double *out)
{
    const cJSON *bits = cJSON_GetObjectItemCaseSensitive(v, "bits");
    if (cJSON_IsRaw(v) && v->valuestring) {
        *out = strtod(v->valuestring, NULL);
        return 1;
    }
    if (cJSON_IsNumber(v)) {
        /* Parsed by strtod from the text this codec printed: the same bits back. */
        *out = v->valuedouble;
        return 1;
    }
    if (cJSON_IsString(bits)) {
        uint64_t b = strtoull(bits->valuestring, NULL, 16);
        memcpy(out, &b, 8);
        return 1;
    }
    return fail(s, MFCS_E_INVALIDARG, "a number is expected here");
}

static int get_f32(dump_session *s, const cJSON *v, float *out)
{
    const cJSON *bits = cJSON_GetObjectItemCaseSensitive(v, "bits");
    if (cJSON_IsRaw(v) && v->valuestring) {
        *out = strtof(v->valuestring, NULL);
        return 1;
    }
    if (cJSON_IsNumber(v)) {
        *out = (float)v->valuedouble;
        return 1;
    }
    if (cJSON_IsString(bits)) {
        uint32_t b = (uint32_t)strtoul(bits->valuestring, NULL, 16);
        memcpy(out, &b, 4);
        return 1;
    }
    return fail(s, MFCS_E_INVALIDARG, "a number is expected here");
}

static const cJSON *member(dump_session *s, const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!v)
        fail(s, MFCS_E_INVALIDARG, "\"%s\" is missing", name);
    return v;
}

/* ---- lookups for conditions and counts ---- */

/* A field read (or written) before: this object's, the structs it is in,
 * then the document's. */
static int lookup(dump_session *s, const char *name, int64_t *v)
{
    int i;
    for (i = s->nscopes - 1; i >= 0; i--) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(s->scopes[i].obj, name);
        if (f)
            return get_i64(s, f, v);
        if (s->scopes[i].object_root)
            break;
    }
    if (i > 0) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(s->scopes[0].obj, name);
        if (f)
            return get_i64(s, f, v);
    }
    return fail(s, MFCS_E_INVALIDARG, "no field %s read before this", name);
}

static int scope_push(dump_session *s, cJSON *obj, int object_root)
{
    if (s->nscopes == MAX_NEST)
        return fail(s, MFCS_E_LIMIT, "nested too deep");
    s->scopes[s->nscopes].obj = obj;
    s->scopes[s->nscopes].object_root = object_root;
    s->nscopes++;
    return 1;
}

/* ---- objects ---- */

static int seen_class(dump_session *s, const lclass *c)
{
    size_t i;
    for (i = 0; i < s->nseen; i++)
        if (s->seen[i] == c)
            return 1;
    if (s->nseen == s->seencap) {
        size_t ncap = s->seencap ? s->seencap * 2 : 16;
        const lclass **n = (const lclass **)realloc((void *)s->seen, ncap * sizeof *n);
        if (!n)
            return 1;   /* ids may come out wrong; nothing else does */
        s->seen = n;
        s->seencap = ncap;
    }
    s->seen[s->nseen++] = c;
    return 0;
}

static void *MFCS_CALL node_create(void *ctx)
{
    (void)ctx;
    return calloc(1, sizeof(dnode));
}

/* Called by the library only for objects it made while loading and then
 * gave up (their serialize failed, or the collection they were in). */
static void MFCS_CALL node_destroy(void *obj, void *ctx)
{
    dnode *d = (dnode *)obj;
    (void)ctx;
    if (!d)
        return;
    if (!d->embedded)
        cJSON_Delete(d->json);
    d->json = NULL;
    if (!d->owner)
        free(d);   /* else the session's list frees it */
}

static int xfer_fields(dump_session *s, const lnode *n);

static mfcs_err MFCS_CALL node_serialize(mfcs_archive *ar, void *obj, void *ctx)
{
    dnode *d = (dnode *)obj;
    const lclass *c = (const lclass *)ctx;
    dump_session *s = session_of(ar);
    unsigned schema = c->schema;
    int ok;
    if (!s)
        return MFCS_E_STATE;
    if (s->loading) {
        mfcs_archive_object_schema(ar, &schema);   /* MFC answers once: asked here, kept below */
        if (!seen_class(s, c))
            s->next_index++;   /* the class record took an index first */
        d->id = s->next_index++;
        d->cls = c;
        d->owner = s;
        d->next = s->nodes;
        s->nodes = d;
        if (!(d->json = cJSON_CreateObject()))
            return MFCS_E_NOMEM;
        cJSON_AddStringToObject(d->json, "$class", c->name);
        cJSON_AddItemToObject(d->json, "$id", num_u64(d->id));
        if (c->versionable)
            cJSON_AddItemToObject(d->json, "$schema", num_u64(schema));
        d->in_progress = 1;
    }
    if (!s->loading && c->has_stored_schema)
        schema = c->stored_schema;   /* what its conditions were read with */
    path_push(s, "%s#%u", c->name, d->id);
    if (s->nschema == MAX_NEST || !scope_push(s, d->json, 1)) {
        path_pop(s);
        return MFCS_E_LIMIT;
    }
    s->schema[s->nschema++] = schema;
    ok = xfer_fields(s, c->fields);
    s->nschema--;
    s->nscopes--;
    path_pop(s);
    d->in_progress = 0;
    return ok ? MFCS_OK : s->err;
}

/* Loading: the JSON for a pointer read (an object's first appearance, a
 * back reference, or null). */
static cJSON *emit(const void *obj)
{
    dnode *d = (dnode *)obj;
    cJSON *ref;
    if (!d)
        return cJSON_CreateNull();
    if (d->in_progress || d->embedded || !d->json) {
        ref = cJSON_CreateObject();
        cJSON_AddItemToObject(ref, "$ref", num_u64(d->id));
        return ref;
    }
    d->embedded = 1;
    return d->json;
}

/* Storing: the slot for "$id" id: the object that has it, or an empty
 * slot where it would go. An edited file may choose any id up to MFC's
 * limit, so the table is sized by how many objects carry one, not by the
 * largest id. */
static dnode **id_slot(dump_session *s, unsigned id)
{
    size_t mask = s->idcap - 1, i = ((size_t)id * 2654435761u) & mask;
    while (s->by_id[i] && s->by_id[i]->id != id)
        i = (i + 1) & mask;
    return &s->by_id[i];
}

static dnode *id_find(dump_session *s, uint64_t id)
{
    return s->idcap && id <= UINT_MAX ? *id_slot(s, (unsigned)id) : NULL;
}

/* Kept at most half full, so a probe ends soon. */
static int id_add(dump_session *s, dnode *d)
{
    if (2 * (s->nids + 1) > s->idcap) {
        size_t ncap = s->idcap ? 2 * s->idcap : 64, i, oldcap = s->idcap;
        dnode **old = s->by_id, **n = (dnode **)calloc(ncap, sizeof *n);
        if (!n)
            return 0;
        s->by_id = n;
        s->idcap = ncap;
        for (i = 0; i < oldcap; i++)
            if (old[i])
                *id_slot(s, old[i]->id) = old[i];
        free(old);
    }
    *id_slot(s, d->id) = d;
    s->nids++;
    return 1;
}

/* Storing: the object a JSON value stands for: NULL for null, the object
 * named by a "$ref", or a new one for an object with "$class". */
static int prepare(dump_session *s, const cJSON *v, dnode **out)
{
    const cJSON *ref, *cls, *id;
    const lclass *c;
    dnode *d;
    *out = NULL;
    if (cJSON_IsNull(v))
        return 1;
    if ((ref = cJSON_GetObjectItemCaseSensitive(v, "$ref")) != NULL) {
        uint64_t i;
        if (!get_u64(s, ref, &i))
            return 0;
        if (!(*out = id_find(s, i)))
            return fail(s, MFCS_E_INVALIDARG, "$ref %llu names no object before it", (unsigned long long)i);
        return 1;
    }
    cls = cJSON_GetObjectItemCaseSensitive(v, "$class");
    if (!cJSON_IsString(cls))
        return fail(s, MFCS_E_INVALIDARG, "an object needs \"$class\" (or \"$ref\", or null)");
    if (!(c = layout_class(s->L, cls->valuestring)))
        return fail(s, MFCS_E_CLASS, "the layout has no class %s", cls->valuestring);
    if (!(d = (dnode *)calloc(1, sizeof *d)))
        return fail(s, MFCS_E_NOMEM, "out of memory");
    d->json = (cJSON *)v;
    d->cls = c;
    d->owner = s;
    d->next = s->nodes;
    s->nodes = d;
    if ((id = cJSON_GetObjectItemCaseSensitive(v, "$id")) != NULL) {
        uint64_t i;
        if (!get_u64(s, id, &i))
            return 0;
        if (i > 0x3FFFFFFE)
            return fail(s, MFCS_E_INVALIDARG, "$id %llu is past MFC's map", (unsigned long long)i);
        if (id_find(s, i))
            return fail(s, MFCS_E_INVALIDARG, "$id %llu twice", (unsigned long long)i);
        d->id = (unsigned)i;
        if (!id_add(s, d))
            return fail(s, MFCS_E_NOMEM, "out of memory");
    }
    *out = d;
    return 1;
}

static int class_fits(dump_session *s, const dnode *d, const lclass *want)
{
    if (d && want && d->cls != want && d->json && !cJSON_GetObjectItemCaseSensitive(d->json, "$ref"))
        return fail(s, MFCS_E_CLASS, "an object of class %s where %s belongs", d->cls->name, want->name);
    return 1;
}

/* ---- strings ---- */

/* wchar_t is 16 bits on Windows, 32 elsewhere: the library's _w calls take it. */
static wchar_t *units_to_wchar(const uint16_t *u, size_t n)
{
    wchar_t *w = (wchar_t *)malloc((n + 1) * sizeof *w);
    size_t i;
    if (w) {
        for (i = 0; i < n; i++)
            w[i] = (wchar_t)u[i];
        w[n] = 0;
    }
    return w;
}

static cJSON *string_json(dump_session *s, int wide, int want_wide, const unsigned char *b, size_t len)
{
    char *text = wide ? utf16le_to_utf8(b, len) : cp_to_utf8(s->L->codepage, b, len);
    cJSON *o;
    if (text && wide == want_wide) {
        o = cJSON_CreateString(text);
        free(text);
        return o;
    }
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "width", wide ? "w" : "a");
    if (text) {
        cJSON_AddStringToObject(o, "text", text);
    } else {
        char *hex = to_hex(b, wide ? 2 * len : len);
        cJSON_AddStringToObject(o, "hex", hex ? hex : "");
        free(hex);
    }
    free(text);
    return o;
}

static int write_units(dump_session *s, const uint16_t *u, size_t n, int combstr)
{
    wchar_t *w = units_to_wchar(u, n);
    mfcs_err err;
    if (!w)
        return fail(s, MFCS_E_NOMEM, "out of memory");
    err = combstr ? mfcs_archive_write_combstr(s->ar, w, n) : mfcs_archive_write_string_w(s->ar, w, n);
    free(w);
    return err ? fail_ar(s, err) : 1;
}

static int write_string_json(dump_session *s, const cJSON *v, int want_wide)
{
    const cJSON *width = cJSON_GetObjectItemCaseSensitive(v, "width");
    const cJSON *text = cJSON_IsString(v) ? v : cJSON_GetObjectItemCaseSensitive(v, "text");
    const cJSON *hex = cJSON_GetObjectItemCaseSensitive(v, "hex");
    int wide = want_wide;
    if (cJSON_IsString(width))
        wide = width->valuestring[0] == 'w';
    if (cJSON_IsString(text)) {
        if (wide) {
            size_t n;
            uint16_t *u = utf8_to_utf16(text->valuestring, &n);
            int ok;
            if (!u)
                return fail(s, MFCS_E_INVALIDARG, "the text is not UTF-8");
            ok = write_units(s, u, n, 0);
            free(u);
            return ok;
        } else {
            size_t n;
            unsigned char *b = utf8_to_cp(s->L->codepage, text->valuestring, &n);
            mfcs_err err;
            if (!b)
                return fail(s, MFCS_E_INVALIDARG, "\"%s\" has characters code page %u lacks", text->valuestring,
                            s->L->codepage);
            err = mfcs_archive_write_string_a(s->ar, (const char *)b, n);
            free(b);
            return err ? fail_ar(s, err) : 1;
        }
    }
    if (cJSON_IsString(hex)) {
        size_t n, i;
        unsigned char *b = from_hex(hex->valuestring, &n);
        int ok;
        if (!b || (wide && n % 2)) {
            free(b);
            return fail(s, MFCS_E_INVALIDARG, "\"hex\" is not whole bytes (or units)");
        }
        if (wide) {
            uint16_t *u = (uint16_t *)malloc((n / 2 + 1) * sizeof *u);
            if (!u) {
                free(b);
                return fail(s, MFCS_E_NOMEM, "out of memory");
            }
            for (i = 0; i < n / 2; i++)
                u[i] = (uint16_t)(b[2 * i] | b[2 * i + 1] << 8);
            ok = write_units(s, u, n / 2, 0);
            free(u);
        } else {
            mfcs_err err = mfcs_archive_write_string_a(s->ar, (const char *)b, n);
            ok = err ? fail_ar(s, err) : 1;
        }
        free(b);
        return ok;
    }
    return fail(s, MFCS_E_INVALIDARG, "a string is expected here");
}

/* ---- values ---- */

typedef struct elem_ctx {
    dump_session *s;
    const lnode *n;
    cJSON *arr;               /* loading: filled; storing: read */
    cJSON *cur;               /* storing: element cur_i, so a long list stays linear */
    size_t cur_i;
} elem_ctx;

static int xfer_value(dump_session *s, const lnode *n, const ltyperef *t, cJSON **v);

/* Storing: element i of the array. cJSON_GetArrayItem walks from the
 * start, which made long lists quadratic; the elements are asked for in
 * order, so a cursor is one step. */
static cJSON *elem_at(elem_ctx *e, size_t i)
{
    if (e->cur && i == e->cur_i + 1)
        e->cur = e->cur->next;
    else
        e->cur = cJSON_GetArrayItem(e->arr, (int)i);
    e->cur_i = i;
    return e->cur;
}

/* CArray/CList element i, or CMap pair i: through mfcs_archive_read/write_elements. */
static mfcs_err MFCS_CALL list_element(mfcs_archive *ar, size_t i, void *ctx)
{
    elem_ctx *e = (elem_ctx *)ctx;
    dump_session *s = e->s;
    cJSON *v = NULL;
    int ok;
    (void)ar;
    path_push(s, "[%lu]", (unsigned long)i);
    if (e->n->type.t == T_MAP) {
        cJSON *k = NULL, *val = NULL;
        if (s->loading) {
            ok = xfer_value(s, e->n, &e->n->key, &k) && xfer_value(s, e->n, &e->n->elem, &val);
            if (ok) {
                v = cJSON_CreateObject();
                cJSON_AddItemToObject(v, "key", k);
                cJSON_AddItemToObject(v, "value", val);
                cJSON_AddItemToArray(e->arr, v);
            } else {
                cJSON_Delete(k);
                cJSON_Delete(val);
            }
        } else {
            cJSON *pair = elem_at(e, i);
            k = (cJSON *)member(s, pair, "key");
            val = k ? (cJSON *)member(s, pair, "value") : NULL;
            ok = val && xfer_value(s, e->n, &e->n->key, &k) && xfer_value(s, e->n, &e->n->elem, &val);
        }
    } else if (s->loading) {
        ok = xfer_value(s, e->n, &e->n->elem, &v);
        if (ok)
            cJSON_AddItemToArray(e->arr, v);
    } else {
        v = elem_at(e, i);
        ok = xfer_value(s, e->n, &e->n->elem, &v);
    }
    path_pop(s);
    return ok ? MFCS_OK : (s->err ? s->err : MFCS_E_FORMAT);
}

/* Small fixed records: { name, offset } of 32-bit fields. */
static int xfer_longs(dump_session *s, cJSON **v, const char *const *names, int n, int32_t *vals,
                      mfcs_err (*rd)(mfcs_archive *, int32_t *), mfcs_err (*wr)(mfcs_archive *, const int32_t *))
{
    int i;
    if (s->loading) {
        AR(rd(s->ar, vals));
        *v = cJSON_CreateObject();
        for (i = 0; i < n; i++)
            cJSON_AddItemToObject(*v, names[i], num_i64(vals[i]));
        return 1;
    }
    for (i = 0; i < n; i++) {
        const cJSON *f = member(s, *v, names[i]);
        int64_t x;
        if (!f || !get_range(s, f, INT32_MIN, INT32_MAX, &x))
            return 0;
        vals[i] = (int32_t)x;
    }
    AR(wr(s->ar, vals));
    return 1;
}

static mfcs_err rd_point(mfcs_archive *ar, int32_t *v) { mfcs_point p; mfcs_err e = mfcs_archive_read_point(ar, &p); v[0] = p.x; v[1] = p.y; return e; }
static mfcs_err wr_point(mfcs_archive *ar, const int32_t *v) { mfcs_point p; p.x = v[0]; p.y = v[1]; return mfcs_archive_write_point(ar, p); }
static mfcs_err rd_size(mfcs_archive *ar, int32_t *v) { mfcs_size p; mfcs_err e = mfcs_archive_read_size(ar, &p); v[0] = p.cx; v[1] = p.cy; return e; }
static mfcs_err wr_size(mfcs_archive *ar, const int32_t *v) { mfcs_size p; p.cx = v[0]; p.cy = v[1]; return mfcs_archive_write_size(ar, p); }
static mfcs_err rd_rect(mfcs_archive *ar, int32_t *v)
{
    mfcs_rect r;
    mfcs_err e = mfcs_archive_read_rect(ar, &r);
    v[0] = r.left; v[1] = r.top; v[2] = r.right; v[3] = r.bottom;
    return e;
}
static mfcs_err wr_rect(mfcs_archive *ar, const int32_t *v)
{
    mfcs_rect r;
    r.left = v[0]; r.top = v[1]; r.right = v[2]; r.bottom = v[3];
    return mfcs_archive_write_rect(ar, r);
}

/* Status and a double (COleDateTime, COleDateTimeSpan) or status and an
 * int64 (COleCurrency). */
static int xfer_status(dump_session *s, ltype t, cJSON **v)
{
    int32_t status = 0;
    double d = 0;
    int64_t cy = 0;
    if (s->loading) {
        if (t == T_OLE_DATE)
            AR(mfcs_archive_read_ole_date(s->ar, &d, &status));
        else if (t == T_OLE_DATE_SPAN)
            AR(mfcs_archive_read_ole_date_span(s->ar, &d, &status));
        else
            AR(mfcs_archive_read_currency(s->ar, &cy, &status));
        *v = cJSON_CreateObject();
        cJSON_AddItemToObject(*v, "status", num_i64(status));
        cJSON_AddItemToObject(*v, "value", t == T_CURRENCY ? num_i64(cy) : num_f64(d));
        return 1;
    } else {
        const cJSON *st = member(s, *v, "status"), *val = st ? member(s, *v, "value") : NULL;
        int64_t x;
        if (!val || !get_range(s, st, INT32_MIN, INT32_MAX, &x))
            return 0;
        status = (int32_t)x;
        if (t == T_CURRENCY ? !get_i64(s, val, &cy) : !get_f64(s, val, &d))
            return 0;
        if (t == T_OLE_DATE)
            AR(mfcs_archive_write_ole_date(s->ar, d, status));
        else if (t == T_OLE_DATE_SPAN)
            AR(mfcs_archive_write_ole_date_span(s->ar, d, status));
        else
            AR(mfcs_archive_write_currency(s->ar, cy, status));
        return 1;
    }
}

static int xfer_variant(dump_session *s, cJSON **v)
{
    mfcs_variant var;
    memset(&var, 0, sizeof var);
    if (s->loading) {
        cJSON *val = NULL;
        AR(mfcs_archive_read_variant(s->ar, &var));
        *v = cJSON_CreateObject();
        cJSON_AddItemToObject(*v, "vt", num_u64(var.vt));
        if (var.payload_lost) {
            cJSON_AddBoolToObject(*v, "lost", 1);
            return 1;
        }
        switch (var.vt) {
        case MFCS_VT_EMPTY: case MFCS_VT_NULL: break;
        case MFCS_VT_I2: val = num_i64(var.v.i2); break;
        case MFCS_VT_I4: val = num_i64(var.v.i4); break;
        case MFCS_VT_R4: val = num_f32(var.v.r4); break;
        case MFCS_VT_R8: val = num_f64(var.v.r8); break;
        case MFCS_VT_CY: val = num_i64(var.v.cy); break;
        case MFCS_VT_DATE: val = num_f64(var.v.date); break;
        case MFCS_VT_ERROR: val = num_i64(var.v.scode); break;
        case MFCS_VT_BOOL: val = num_i64(var.v.boolean); break;
        case MFCS_VT_I1: val = num_i64(var.v.i1); break;
        case MFCS_VT_UI1: val = num_u64(var.v.ui1); break;
        case MFCS_VT_UI2: val = num_u64(var.v.ui2); break;
        case MFCS_VT_UI4: val = num_u64(var.v.ui4); break;
        case MFCS_VT_I8: val = num_i64(var.v.i8); break;
        case MFCS_VT_UI8: val = num_u64(var.v.ui8); break;
        case MFCS_VT_BSTR: {
            char *text = var.bstr_bytes % 2 ? NULL
                         : utf16le_to_utf8((const unsigned char *)var.bstr, var.bstr_bytes / 2);
            if (text) {
                val = cJSON_CreateString(text);
                free(text);
            } else {
                char *hex = to_hex((const unsigned char *)var.bstr, var.bstr_bytes);
                val = cJSON_CreateObject();
                cJSON_AddStringToObject(val, "hex", hex ? hex : "");
                free(hex);
            }
            if (!var.bstr)
                cJSON_AddBoolToObject(*v, "null", 1);   /* MFC loads an empty one as a NULL BSTR */
            mfcs_free(var.bstr);
            break;
        }
        default: break;
        }
        if (val)
            cJSON_AddItemToObject(*v, "value", val);
        return 1;
    } else {
        const cJSON *vt = member(s, *v, "vt"), *val;
        int64_t x;
        uint64_t u;
        unsigned char *bytes = NULL;
        int ok = 1;
        mfcs_err err;
        if (!vt || !get_range(s, vt, 0, 0xFFFF, &x))
            return 0;
        var.vt = (uint16_t)x;
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(*v, "lost")))
            return fail(s, MFCS_E_UNSUPPORTED, "MFC wrote this variant (vt %u) without its value, which "
                        "mfcsock refuses to write", var.vt);
        val = cJSON_GetObjectItemCaseSensitive(*v, "value");
        if (var.vt != MFCS_VT_EMPTY && var.vt != MFCS_VT_NULL && !val)
            return fail(s, MFCS_E_INVALIDARG, "\"value\" is missing");
        switch (var.vt) {
        case MFCS_VT_EMPTY: case MFCS_VT_NULL: break;
        case MFCS_VT_I2: if ((ok = get_range(s, val, INT16_MIN, INT16_MAX, &x))) var.v.i2 = (int16_t)x; break;
        case MFCS_VT_BOOL: if ((ok = get_range(s, val, INT16_MIN, INT16_MAX, &x))) var.v.boolean = (int16_t)x; break;
        case MFCS_VT_I4: if ((ok = get_range(s, val, INT32_MIN, INT32_MAX, &x))) var.v.i4 = (int32_t)x; break;
        case MFCS_VT_ERROR: if ((ok = get_range(s, val, INT32_MIN, INT32_MAX, &x))) var.v.scode = (int32_t)x; break;
        case MFCS_VT_I1: if ((ok = get_range(s, val, INT8_MIN, INT8_MAX, &x))) var.v.i1 = (int8_t)x; break;
        case MFCS_VT_UI1: if ((ok = get_range(s, val, 0, UINT8_MAX, &x))) var.v.ui1 = (uint8_t)x; break;
        case MFCS_VT_UI2: if ((ok = get_range(s, val, 0, UINT16_MAX, &x))) var.v.ui2 = (uint16_t)x; break;
        case MFCS_VT_UI4: if ((ok = get_range(s, val, 0, UINT32_MAX, &x))) var.v.ui4 = (uint32_t)x; break;
        case MFCS_VT_I8: ok = get_i64(s, val, &var.v.i8); break;
        case MFCS_VT_CY: ok = get_i64(s, val, &var.v.cy); break;
        case MFCS_VT_UI8: if ((ok = get_u64(s, val, &u))) var.v.ui8 = u; break;
        case MFCS_VT_R4: ok = get_f32(s, val, &var.v.r4); break;
        case MFCS_VT_R8: ok = get_f64(s, val, &var.v.r8); break;
        case MFCS_VT_DATE: ok = get_f64(s, val, &var.v.date); break;
        case MFCS_VT_BSTR:
            if (cJSON_IsString(val)) {
                size_t n, i;
                uint16_t *uu = utf8_to_utf16(val->valuestring, &n);
                if (!uu)
                    return fail(s, MFCS_E_INVALIDARG, "the text is not UTF-8");
                bytes = (unsigned char *)malloc(2 * n + 1);
                for (i = 0; bytes && i < n; i++) {
                    bytes[2 * i] = (unsigned char)uu[i];
                    bytes[2 * i + 1] = (unsigned char)(uu[i] >> 8);
                }
                free(uu);
                var.bstr_bytes = (uint32_t)(2 * n);
            } else {
                const cJSON *hex = cJSON_GetObjectItemCaseSensitive(val, "hex");
                size_t n = 0;
                bytes = cJSON_IsString(hex) ? from_hex(hex->valuestring, &n) : NULL;
                var.bstr_bytes = (uint32_t)n;
            }
            if (!bytes)
                return fail(s, MFCS_E_INVALIDARG, "a BSTR's value is a string or {\"hex\": ...}");
            var.bstr = bytes;
            break;
        default:
            break;   /* the library refuses what MFC would write without its value */
        }
        if (!ok) {
            free(bytes);
            return 0;
        }
        err = mfcs_archive_write_variant(s->ar, &var);
        free(bytes);
        return err ? fail_ar(s, err) : 1;
    }
}

/* One value of type t (a field's, an element's, a key's). */
static int xfer_value(dump_session *s, const lnode *n, const ltyperef *t, cJSON **v)
{
    int64_t x = 0;
    switch (t->t) {
#define INT_CASE(T, ctype, rd, wr, lo, hi, mk)                                     \
    case T: {                                                                      \
        ctype c_ = 0;                                                              \
        if (s->loading) {                                                          \
            AR(rd(s->ar, &c_));                                                    \
            *v = mk(c_);                                                           \
            return 1;                                                              \
        }                                                                          \
        if (!get_range(s, *v, lo, hi, &x))                                         \
            return 0;                                                              \
        c_ = (ctype)x;                                                             \
        AR(wr(s->ar, c_));                                                         \
        return 1;                                                                  \
    }
    INT_CASE(T_U8, uint8_t, mfcs_archive_read_u8, mfcs_archive_write_u8, 0, UINT8_MAX, num_u64)
    INT_CASE(T_I8, int8_t, mfcs_archive_read_i8, mfcs_archive_write_i8, INT8_MIN, INT8_MAX, num_i64)
    INT_CASE(T_U16, uint16_t, mfcs_archive_read_u16, mfcs_archive_write_u16, 0, UINT16_MAX, num_u64)
    INT_CASE(T_I16, int16_t, mfcs_archive_read_i16, mfcs_archive_write_i16, INT16_MIN, INT16_MAX, num_i64)
    INT_CASE(T_U32, uint32_t, mfcs_archive_read_u32, mfcs_archive_write_u32, 0, UINT32_MAX, num_u64)
    INT_CASE(T_I32, int32_t, mfcs_archive_read_i32, mfcs_archive_write_i32, INT32_MIN, INT32_MAX, num_i64)
    INT_CASE(T_I64, int64_t, mfcs_archive_read_i64, mfcs_archive_write_i64, INT64_MIN, INT64_MAX, num_i64)
    INT_CASE(T_TIME64, int64_t, mfcs_archive_read_time64, mfcs_archive_write_time64, INT64_MIN, INT64_MAX, num_i64)
    INT_CASE(T_TIMESPAN64, int64_t, mfcs_archive_read_timespan64, mfcs_archive_write_timespan64, INT64_MIN,
             INT64_MAX, num_i64)
    INT_CASE(T_TIME, int64_t, mfcs_archive_read_time, mfcs_archive_write_time, INT64_MIN, INT64_MAX, num_i64)
    INT_CASE(T_TIMESPAN, int64_t, mfcs_archive_read_timespan, mfcs_archive_write_timespan, INT64_MIN, INT64_MAX,
             num_i64)
#undef INT_CASE
    /* The rest of the fixed-size numbers: read and make, or get and write. */
#define PLAIN_CASE(T, ctype, rd, wr, mk, get)                                      \
    case T: {                                                                      \
        ctype c_ = 0;                                                              \
        if (s->loading) {                                                          \
            AR(rd(s->ar, &c_));                                                    \
            *v = mk(c_);                                                           \
            return 1;                                                              \
        }                                                                          \
        if (!get(s, *v, &c_))                                                      \
            return 0;                                                              \
        AR(wr(s->ar, c_));                                                         \
        return 1;                                                                  \
    }
    PLAIN_CASE(T_U64, uint64_t, mfcs_archive_read_u64, mfcs_archive_write_u64, num_u64, get_u64)
    PLAIN_CASE(T_COUNT, uint64_t, mfcs_archive_read_count, mfcs_archive_write_count, num_u64, get_u64)
    PLAIN_CASE(T_F32, float, mfcs_archive_read_f32, mfcs_archive_write_f32, num_f32, get_f32)
    PLAIN_CASE(T_F64, double, mfcs_archive_read_f64, mfcs_archive_write_f64, num_f64, get_f64)
    PLAIN_CASE(T_BOOL, int, mfcs_archive_read_bool, mfcs_archive_write_bool, cJSON_CreateBool, get_flag)
#undef PLAIN_CASE
    case T_STRING_A:
    case T_STRING_W:
        if (s->loading) {
            void *data = NULL;
            size_t len = 0;
            int wide = 0;
            AR(mfcs_archive_read_string_raw(s->ar, &wide, &data, &len));
            *v = string_json(s, wide, t->t == T_STRING_W, (const unsigned char *)data, len);
            mfcs_free(data);
            return 1;
        }
        return write_string_json(s, *v, t->t == T_STRING_W);
    case T_COMBSTR:
        if (s->loading) {
            wchar_t *w = NULL;
            size_t len = 0, i;
            unsigned char *b;
            AR(mfcs_archive_read_combstr(s->ar, &w, &len));
            if (!(b = (unsigned char *)malloc(2 * len + 1))) {
                mfcs_free(w);
                return fail(s, MFCS_E_NOMEM, "out of memory");
            }
            for (i = 0; i < len; i++) {
                b[2 * i] = (unsigned char)(w[i] & 0xFF);
                b[2 * i + 1] = (unsigned char)((w[i] >> 8) & 0xFF);
            }
            mfcs_free(w);
            *v = string_json(s, 1, 1, b, len);
            free(b);
            return 1;
        } else {
            size_t len = 0, i;
            const cJSON *hex = cJSON_GetObjectItemCaseSensitive(*v, "hex");
            uint16_t *uu = NULL;
            int ok;
            if (cJSON_IsString(*v)) {
                uu = utf8_to_utf16((*v)->valuestring, &len);
            } else if (cJSON_IsString(hex)) {
                size_t nb = 0;
                unsigned char *b = from_hex(hex->valuestring, &nb);
                if (b && nb % 2 == 0 && (uu = (uint16_t *)malloc((nb / 2 + 1) * sizeof *uu)) != NULL)
                    for (i = 0, len = nb / 2; i < len; i++)
                        uu[i] = (uint16_t)(b[2 * i] | b[2 * i + 1] << 8);
                free(b);
            }
            if (!uu)
                return fail(s, MFCS_E_INVALIDARG, "a UTF-8 string, or {\"hex\": units}, is expected here");
            ok = write_units(s, uu, len, 1);
            free(uu);
            return ok;
        }
    case T_POINT: {
        static const char *const names[] = { "x", "y" };
        int32_t vals[2];
        return xfer_longs(s, v, names, 2, vals, rd_point, wr_point);
    }
    case T_SIZE: {
        static const char *const names[] = { "cx", "cy" };
        int32_t vals[2];
        return xfer_longs(s, v, names, 2, vals, rd_size, wr_size);
    }
    case T_RECT: {
        static const char *const names[] = { "left", "top", "right", "bottom" };
        int32_t vals[4];
        return xfer_longs(s, v, names, 4, vals, rd_rect, wr_rect);
    }
    case T_OLE_DATE:
    case T_OLE_DATE_SPAN:
    case T_CURRENCY:
        return xfer_status(s, t->t, v);
    case T_VARIANT:
        return xfer_variant(s, v);
    case T_BYTES: {
        unsigned char *b = NULL;
        size_t got = 0, want = t->nbytes;
        if (t == &n->type && n->size_field) {
            /* as many as a field read before says: a size is a claim, and
             * the bytes are read in pieces, so a huge one costs what comes */
            if (!lookup(s, n->size_field, &x))
                return 0;
            if (x < 0 || x > (int64_t)1 << 30)
                return fail(s, MFCS_E_LIMIT, "%lld bytes (from %s) is not a plausible size", (long long)x,
                            n->size_field);
            want = (size_t)x;
        }
        if (s->loading) {
            char *hex;
            size_t have = 0, cap = 0;
            while (have < want) {
                size_t step = want - have < 65536 ? want - have : 65536, k = 0;
                if (have + step > cap) {
                    unsigned char *nb = (unsigned char *)realloc(b, cap = cap ? cap * 2 : 65536);
                    if (!nb) {
                        free(b);
                        return fail(s, MFCS_E_NOMEM, "out of memory");
                    }
                    b = nb;
                    if (cap < have + step)
                        continue;
                }
                if (mfcs_archive_read(s->ar, b + have, step, &k) != MFCS_OK || k != step) {
                    mfcs_err e = MFCS_OK;
                    mfcs_archive_error(s->ar, &e);
                    free(b);
                    if (e)
                        return fail_ar(s, e);
                    return fail(s, MFCS_E_EOF, "the stream ends %lu bytes into these %lu",
                                (unsigned long)(have + k), (unsigned long)want);
                }
                have += step;
            }
            hex = to_hex(b ? b : (unsigned char *)"", want);
            free(b);
            *v = cJSON_CreateString(hex ? hex : "");
            free(hex);
            return 1;
        }
        if (!cJSON_IsString(*v) || !(b = from_hex((*v)->valuestring, &got)) || got != want) {
            free(b);
            return fail(s, MFCS_E_INVALIDARG, "%lu bytes as hex are expected here", (unsigned long)want);
        }
        {
            mfcs_err err = mfcs_archive_write(s->ar, b, want);
            free(b);
            return err ? fail_ar(s, err) : 1;
        }
    }
    case T_STRUCT: {
        int ok;
        if (s->loading && !(*v = cJSON_CreateObject()))
            return fail(s, MFCS_E_NOMEM, "out of memory");
        if (!s->loading && !cJSON_IsObject(*v))
            return fail(s, MFCS_E_INVALIDARG, "an object (struct %s) is expected here", t->st->name);
        ok = scope_push(s, *v, 0);
        if (ok) {
            ok = xfer_fields(s, t->st->fields);
            s->nscopes--;
        }
        if (!ok && s->loading) {   /* a failed value is handed to no one */
            cJSON_Delete(*v);
            *v = NULL;
        }
        return ok;
    }
    case T_OBJECT: {
        const mfcs_class *want = n->cls ? (const mfcs_class *)n->cls->reg : NULL;
        if (s->loading) {
            void *obj = NULL;
            AR(mfcs_archive_read_object(s->ar, want, &obj, NULL));
            *v = emit(obj);
            return 1;
        } else {
            dnode *d;
            if (!prepare(s, *v, &d) || !class_fits(s, d, n->cls))
                return 0;
            AR(mfcs_archive_write_object(s->ar, d ? (const mfcs_class *)d->cls->reg : NULL, d));
            return 1;
        }
    }
    case T_OBJECTS: {
        const mfcs_class *want = n->cls ? (const mfcs_class *)n->cls->reg : NULL;
        size_t count = 0, i;
        if (s->loading) {
            void **objs = NULL;
            AR(mfcs_archive_read_object_list(s->ar, want, &objs, NULL, &count));
            *v = cJSON_CreateArray();
            for (i = 0; i < count; i++)
                cJSON_AddItemToArray(*v, emit(objs[i]));
            mfcs_free(objs);
            return 1;
        } else {
            void **objs;
            const mfcs_class **classes;
            cJSON *item;
            int ok = 1;
            mfcs_err err;
            if (!cJSON_IsArray(*v))
                return fail(s, MFCS_E_INVALIDARG, "an array of objects is expected here");
            count = (size_t)cJSON_GetArraySize(*v);
            objs = (void **)calloc(count + 1, sizeof *objs);
            classes = (const mfcs_class **)calloc(count + 1, sizeof *classes);
            if (!objs || !classes) {
                free(objs);
                free((void *)classes);
                return fail(s, MFCS_E_NOMEM, "out of memory");
            }
            for (i = 0, item = (*v)->child; ok && i < count; i++, item = item->next) {
                dnode *d;
                path_push(s, "[%lu]", (unsigned long)i);
                ok = prepare(s, item, &d) && class_fits(s, d, n->cls);
                path_pop(s);
                objs[i] = d;
                /* a null or back reference needs no class; any will do */
                classes[i] = d ? (const mfcs_class *)d->cls->reg
                               : s->L->classes ? (const mfcs_class *)s->L->classes->reg : NULL;
            }
            err = ok ? mfcs_archive_write_object_list(s->ar, objs, count, NULL, classes) : MFCS_OK;
            free(objs);
            free((void *)classes);
            return !ok ? 0 : err ? fail_ar(s, err) : 1;
        }
    }
    case T_LIST:
    case T_MAP: {
        elem_ctx e;
        size_t done = 0;
        mfcs_err err;
        e.s = s;
        e.n = n;
        e.cur = NULL;
        e.cur_i = 0;
        if (s->loading) {
            e.arr = *v = cJSON_CreateArray();
            err = mfcs_archive_read_elements(s->ar, list_element, &e, &done);
        } else {
            if (!cJSON_IsArray(*v))
                return fail(s, MFCS_E_INVALIDARG, "an array is expected here");
            e.arr = *v;
            err = mfcs_archive_write_elements(s->ar, (size_t)cJSON_GetArraySize(*v), list_element, &e);
        }
        if (err && s->loading) {   /* a failed value is handed to no one */
            cJSON_Delete(*v);
            *v = NULL;
        }
        if (err && !s->failed)
            return fail_ar(s, err);
        return !err;
    }
    }
    return fail(s, MFCS_E_INVALIDARG, "a type this codec does not know");
}

/* ---- fields ---- */

static int condition(dump_session *s, const lnode *n, int *yes)
{
    int64_t v;
    int64_t c = (int64_t)n->value;
    if (n->on_schema) {
        v = s->nschema ? s->schema[s->nschema - 1] : 0;
        if (!s->nschema)
            return fail(s, MFCS_E_INVALIDARG, "layout line %d: schema outside a class", n->line);
    } else if (!lookup(s, n->ref, &v)) {
        return 0;
    }
    switch (n->op) {
    case OP_EQ: *yes = v == c; break;
    case OP_NE: *yes = v != c; break;
    case OP_LT: *yes = v < c; break;
    case OP_LE: *yes = v <= c; break;
    case OP_GT: *yes = v > c; break;
    case OP_GE: *yes = v >= c; break;
    default: *yes = (v & c) != 0; break;
    }
    return 1;
}

static int xfer_field(dump_session *s, const lnode *n, cJSON *obj)
{
    cJSON *v = NULL;
    int ok;
    path_push(s, "%s", n->name);
    if (n->array) {
        int64_t count = (int64_t)n->array_n;
        int64_t i;
        cJSON *cur;
        if (n->array == 2 && !lookup(s, n->array_field, &count)) {
            path_pop(s);
            return 0;
        }
        if (count < 0 || count > 100000000) {
            path_pop(s);
            return fail(s, MFCS_E_LIMIT, "%lld elements (from %s) is not a plausible count", (long long)count,
                        n->array_field ? n->array_field : "the layout");
        }
        if (s->loading) {
            v = cJSON_CreateArray();
            cJSON_AddItemToObject(obj, n->name, v);
        } else if (!cJSON_IsArray(v = cJSON_GetObjectItemCaseSensitive(obj, n->name)) ||
                   cJSON_GetArraySize(v) != count) {
            path_pop(s);
            return fail(s, MFCS_E_INVALIDARG, "an array of %lld elements is expected", (long long)count);
        }
        cur = s->loading ? NULL : v->child;
        for (i = 0, ok = 1; ok && i < count; i++) {
            cJSON *e = cur;
            if (cur)
                cur = cur->next;
            path_push(s, "[%lld]", (long long)i);
            ok = xfer_value(s, n, &n->type, &e);
            if (ok && s->loading)
                cJSON_AddItemToArray(v, e);
            path_pop(s);
        }
        path_pop(s);
        return ok;
    }
    if (s->loading) {
        ok = xfer_value(s, n, &n->type, &v);
        if (ok)
            cJSON_AddItemToObject(obj, n->name, v);
    } else {
        v = cJSON_GetObjectItemCaseSensitive(obj, n->name);
        ok = v ? xfer_value(s, n, &n->type, &v) : fail(s, MFCS_E_INVALIDARG, "the field is missing");
    }
    path_pop(s);
    return ok;
}

/* repeat NAME until FIELD OP N: items until one whose field says so (the
 * chunks of a transfer ending with an empty one). */
static int repeat_until(dump_session *s, const lnode *n, cJSON *obj)
{
    cJSON *arr, *next = NULL;
    int64_t i, count = 0;
    if (s->loading) {
        arr = cJSON_CreateArray();
        cJSON_AddItemToObject(obj, n->name, arr);
    } else if (!cJSON_IsArray(arr = cJSON_GetObjectItemCaseSensitive(obj, n->name))) {
        return fail(s, MFCS_E_INVALIDARG, "repeat %s: an array is expected", n->name);
    } else if ((count = cJSON_GetArraySize(arr)) == 0) {
        /* a reader reads at least the item that ends it */
        return fail(s, MFCS_E_INVALIDARG, "repeat %s: at least one item is expected", n->name);
    } else {
        next = arr->child;
    }
    for (i = 0; s->loading || i < count; i++) {
        cJSON *item = s->loading ? cJSON_CreateObject() : next;
        int ok, done = 0;
        if (next)
            next = next->next;
        if (i >= 100000000)
            return fail(s, MFCS_E_LIMIT, "repeat %s: more than 100,000,000 items", n->name);
        if (s->loading)
            cJSON_AddItemToArray(arr, item);
        path_push(s, "%s[%lld]", n->name, (long long)i);
        ok = scope_push(s, item, 0) && xfer_fields(s, n->body) && condition(s, n, &done);
        if (ok)
            s->nscopes--;
        path_pop(s);
        if (!ok)
            return 0;
        if (s->loading && done)
            break;
        /* Storing: only the last item may meet the condition, or the
           bytes would not read back as this array. */
        if (!s->loading && done && i < count - 1)
            return fail(s, MFCS_E_INVALIDARG, "repeat %s: item %lld ends the repeat, but %lld more follow",
                        n->name, (long long)i, (long long)(count - 1 - i));
        if (!s->loading && !done && i == count - 1)
            return fail(s, MFCS_E_INVALIDARG, "repeat %s: the last item (%lld) does not end the repeat",
                        n->name, (long long)i);
    }
    return 1;
}

static int xfer_fields(dump_session *s, const lnode *n)
{
    cJSON *obj = s->scopes[s->nscopes - 1].obj;
    for (; n && !s->failed; n = n->next) {
        if (n->kind == N_FIELD) {
            if (!xfer_field(s, n, obj))
                return 0;
        } else if (n->kind == N_IF) {
            int yes = 0;
            if (!condition(s, n, &yes) || !xfer_fields(s, yes ? n->body : n->orelse))
                return 0;
        } else if (n->until) {
            if (!repeat_until(s, n, obj))
                return 0;
        } else {
            int64_t count = (int64_t)n->value, i;
            cJSON *arr;
            if (n->ref && !lookup(s, n->ref, &count))
                return 0;
            if (count < 0 || count > 100000000)
                return fail(s, MFCS_E_LIMIT, "repeat %s: %lld times is not plausible", n->name, (long long)count);
            if (s->loading) {
                arr = cJSON_CreateArray();
                cJSON_AddItemToObject(obj, n->name, arr);
            } else if (!cJSON_IsArray(arr = cJSON_GetObjectItemCaseSensitive(obj, n->name)) ||
                       cJSON_GetArraySize(arr) != count) {
                return fail(s, MFCS_E_INVALIDARG, "repeat %s: an array of %lld is expected", n->name,
                            (long long)count);
            }
            cJSON *next = s->loading ? NULL : arr->child;
            for (i = 0; i < count; i++) {
                cJSON *item = s->loading ? cJSON_CreateObject() : next;
                int ok;
                if (next)
                    next = next->next;
                if (s->loading)
                    cJSON_AddItemToArray(arr, item);
                path_push(s, "%s[%lld]", n->name, (long long)i);
                ok = scope_push(s, item, 0) && xfer_fields(s, n->body);
                if (ok)
                    s->nscopes--;
                path_pop(s);
                if (!ok)
                    return 0;
            }
        }
    }
    return !s->failed;
}

/* ---- sessions ---- */

int dump_register(layout *L, char *err, size_t errcap)
{
    static const mfcs_class_ops ops = { node_create, node_serialize, node_destroy };
    lclass *c;
    for (c = L->classes; c; c = c->next) {
        mfcs_class *reg;
        unsigned schema = c->has_stored_schema ? c->stored_schema : c->schema;
        mfcs_err e = mfcs_class_register(&reg, c->name, schema | (c->versionable ? MFCS_VERSIONABLE_SCHEMA : 0),
                                         &ops, c);
        if (e) {
            snprintf(err, errcap, "class %s: %s", c->name, mfcs_strerror(e));
            dump_unregister(L);
            return 0;
        }
        c->reg = reg;
    }
    return 1;
}

void dump_unregister(layout *L)
{
    lclass *c;
    for (c = L->classes; c; c = c->next) {
        if (c->reg)
            mfcs_class_unregister((mfcs_class *)c->reg);
        c->reg = NULL;
    }
}

dump_session *dump_session_new(layout *L, mfcs_archive *ar)
{
    dump_session *s = (dump_session *)calloc(1, sizeof *s);
    int loading = 0;
    if (!s)
        return NULL;
    s->L = L;
    s->ar = ar;
    mfcs_archive_is_loading(ar, &loading);
    s->loading = loading;
    s->next_index = 1;
    mfcs_archive_set_mfc_version(ar, L->mfc);
    lock(&active_lock);
    s->next_active = active;
    active = s;
    unlock(&active_lock);
    return s;
}

void dump_session_free(dump_session *s)
{
    dump_session **p;
    if (!s)
        return;
    lock(&active_lock);
    for (p = &active; *p && *p != s; p = &(*p)->next_active)
        ;
    if (*p)
        *p = s->next_active;
    unlock(&active_lock);
    while (s->nodes) {
        dnode *d = s->nodes;
        s->nodes = d->next;
        if (s->loading && !d->embedded)
            cJSON_Delete(d->json);   /* read, never handed to a reader: a failed list's */
        free(d);
    }
    free((void *)s->seen);
    free(s->by_id);
    free(s);
}

static void reset(dump_session *s)
{
    s->failed = 0;
    s->err = MFCS_OK;
    s->msg[0] = '\0';
    s->nscopes = s->nschema = s->npath = 0;
}

cJSON *dump_session_read(dump_session *s, const lnode *fields, mfcs_err *err, char *msg, size_t cap)
{
    cJSON *doc = cJSON_CreateObject();
    reset(s);
    if (doc && scope_push(s, doc, 0) && xfer_fields(s, fields)) {
        *err = MFCS_OK;
        return doc;
    }
    if (!doc)
        fail(s, MFCS_E_NOMEM, "out of memory");
    cJSON_Delete(doc);
    *err = s->err;
    snprintf(msg, cap, "%s", s->msg);
    return NULL;
}

int dump_session_write(dump_session *s, const lnode *fields, const cJSON *doc, mfcs_err *err, char *msg,
                       size_t cap)
{
    reset(s);
    if (!cJSON_IsObject(doc))
        fail(s, MFCS_E_INVALIDARG, "the document is not a JSON object");
    else if (scope_push(s, (cJSON *)doc, 0))
        xfer_fields(s, fields);
    *err = s->err;
    if (s->failed)
        snprintf(msg, cap, "%s", s->msg);
    return !s->failed;
}

/* ---- whole files ---- */

cJSON *dump_decode(layout *L, const unsigned char *data, size_t len, char *msg, size_t cap)
{
    mfcs_file *f = NULL;
    mfcs_archive *ar = NULL;
    dump_session *s;
    cJSON *doc = NULL, *root = NULL;
    mfcs_err err;
    int registered = L->classes && !L->classes->reg;
    if (!L->has_document) {
        snprintf(msg, cap, "the layout has no document");
        return NULL;
    }
    if (registered && !dump_register(L, msg, cap))
        return NULL;
    if ((err = mfcs_file_open_memory(&f, data, len)) != MFCS_OK ||
        (err = mfcs_archive_open(&ar, f, MFCS_LOAD, 0)) != MFCS_OK) {
        snprintf(msg, cap, "%s", mfcs_strerror(err));
        goto out;
    }
    if (!(s = dump_session_new(L, ar))) {
        snprintf(msg, cap, "out of memory");
        goto out;
    }
    doc = dump_session_read(s, L->document, &err, msg, cap);
    dump_session_free(s);
    if (doc) {
        /* Every byte accounted for: what is left is reported with its offset. */
        err = mfcs_archive_read_u8(ar, NULL);
        if (err != MFCS_E_END) {
            uint64_t pos = 0;
            mfcs_archive_abort(ar);
            ar = NULL;
            mfcs_file_seek(f, 0, MFCS_SEEK_CUR, &pos);
            if (err == MFCS_OK)
                pos--;
            snprintf(msg, cap, "the document ends at offset %llu (0x%llx), %llu bytes before the end of the file",
                     (unsigned long long)pos, (unsigned long long)pos, (unsigned long long)(len - pos));
            cJSON_Delete(doc);
            doc = NULL;
            goto out;
        }
        root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "format", "mfcsock-dump 1");
        cJSON_AddStringToObject(root, "layout", L->name ? L->name : "");
        cJSON_AddItemToObject(root, "document", doc);
    }
out:
    if (ar)
        mfcs_archive_abort(ar);
    if (f)
        mfcs_file_close(f);
    if (registered)
        dump_unregister(L);
    if (root) {
        /* Readers take forms MFC's writers never make (a length or a tag
         * in a longer form than needed, a CTime in the other form, a bool
         * of 2): the JSON cannot hold them, so encoding gives other bytes.
         * Say so now, with where, rather than at the user's cmp. */
        unsigned char *again = NULL;
        size_t n = 0, i;
        char why[256];
        if (dump_encode(L, root, &again, &n, why, sizeof why)) {
            for (i = 0; i < n && i < len && again[i] == data[i]; i++)
                ;
            if (i < n || n != len) {
                char w[320];
                snprintf(w, sizeof w, "encoding this JSON gives other bytes from offset %lu (0x%lx): the file "
                         "uses a form MFC does not write there", (unsigned long)i, (unsigned long)i);
                cJSON_AddStringToObject(root, "warning", w);
            }
        } else {
            char w[400];
            snprintf(w, sizeof w, "this JSON cannot be encoded: %s", why);
            cJSON_AddStringToObject(root, "warning", w);
        }
        free(again);
    }
    return root;
}

/* A versionable class's objects were stored with the schema in their
 * "$schema" (one per class in an archive: its class record says it), and
 * are written back with it: the class is registered with that schema. */
static int stored_schemas(layout *L, const cJSON *v, char *msg, size_t cap)
{
    const cJSON *c;
    if (cJSON_IsObject(v)) {
        const cJSON *cls = cJSON_GetObjectItemCaseSensitive(v, "$class");
        const cJSON *schema = cJSON_GetObjectItemCaseSensitive(v, "$schema");
        lclass *lc = cJSON_IsString(cls) ? layout_class(L, cls->valuestring) : NULL;
        if (lc && lc->versionable && schema) {
            double d = cJSON_IsNumber(schema) ? schema->valuedouble
                       : (cJSON_IsString(schema) || cJSON_IsRaw(schema)) ? strtod(schema->valuestring, NULL) : -1;
            if (d < 0 || d > 0xFFFE || d != floor(d)) {
                snprintf(msg, cap, "class %s: \"$schema\" is not a schema", lc->name);
                return 0;
            }
            if (lc->has_stored_schema && lc->stored_schema != (unsigned)d) {
                snprintf(msg, cap, "class %s: objects with schemas %u and %u (an archive stores one per class)",
                         lc->name, lc->stored_schema, (unsigned)d);
                return 0;
            }
            lc->stored_schema = (unsigned)d;
            lc->has_stored_schema = 1;
        }
    }
    cJSON_ArrayForEach(c, v)
        if (!stored_schemas(L, c, msg, cap))
            return 0;
    return 1;
}

int dump_encode(layout *L, const cJSON *root, unsigned char **out, size_t *outlen, char *msg, size_t cap)
{
    mfcs_file *f = NULL;
    mfcs_archive *ar = NULL;
    dump_session *s;
    const cJSON *doc = cJSON_GetObjectItemCaseSensitive(root, "document");
    mfcs_err err;
    int ok = 0, registered = L->classes && !L->classes->reg;
    *out = NULL;
    *outlen = 0;
    if (!L->has_document) {
        snprintf(msg, cap, "the layout has no document");
        return 0;
    }
    if (!doc) {
        snprintf(msg, cap, "the JSON has no \"document\"");
        return 0;
    }
    if (registered) {
        lclass *c;
        for (c = L->classes; c; c = c->next)
            c->has_stored_schema = 0;
        if (!stored_schemas(L, doc, msg, cap) || !dump_register(L, msg, cap))
            return 0;
    }
    if ((err = mfcs_file_open_memory(&f, NULL, 0)) != MFCS_OK ||
        (err = mfcs_archive_open(&ar, f, MFCS_STORE, 0)) != MFCS_OK) {
        snprintf(msg, cap, "%s", mfcs_strerror(err));
        goto out;
    }
    if (!(s = dump_session_new(L, ar))) {
        snprintf(msg, cap, "out of memory");
        goto out;
    }
    ok = dump_session_write(s, L->document, doc, &err, msg, cap);
    dump_session_free(s);
    if (ok) {
        const void *data;
        size_t len;
        err = mfcs_archive_close(ar);
        ar = NULL;
        if (err || (err = mfcs_file_memory_data(f, &data, &len)) != MFCS_OK) {
            snprintf(msg, cap, "%s", mfcs_strerror(err));
            ok = 0;
        } else if (!(*out = (unsigned char *)malloc(len ? len : 1))) {
            snprintf(msg, cap, "out of memory");
            ok = 0;
        } else {
            memcpy(*out, data, len);
            *outlen = len;
        }
    }
out:
    if (ar)
        mfcs_archive_abort(ar);
    if (f)
        mfcs_file_close(f);
    if (registered) {
        lclass *c;
        dump_unregister(L);
        for (c = L->classes; c; c = c->next)
            c->has_stored_schema = 0;
    }
    return ok;
}
