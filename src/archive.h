/*
 * archive.h: the archive object shared by archive.c (buffering, primitives,
 * counts, raw bytes), archive_string.c (strings and lines) and
 * archive_object.c (objects and classes). Portable: no Windows header.
 */
#ifndef MFCS_ARCHIVE_INTERNAL_H
#define MFCS_ARCHIVE_INTERNAL_H

#include "mfcsock/archive.h"
#include "file.h"

#include <string.h>

/* One entry of the loading side's map: an object or a class, by index. */
typedef struct mfcs__load_entry {
    void *obj;               /* the object; NULL for a class entry or MapObject(NULL) */
    mfcs__class *cls;        /* the object's class, or the class itself */
    uint32_t schema;         /* a class entry: the schema it was stored with */
    uint8_t is_class;
} mfcs__load_entry;

/* The storing side's map: object or class pointer -> index, open addressing. */
typedef struct mfcs__store_slot {
    const void *key;         /* a class is keyed by its pointer + 1 (pointers are aligned) */
    uint32_t index;
} mfcs__store_slot;

typedef struct mfcs__archive {
    void *handle;
    mfcs__file *file;
    int loading;
    mfcs_err error;          /* sticky: the first error */
    unsigned busy;           /* a file call of this archive is under way */
    uint8_t *buf;
    size_t cap;
    size_t cur;              /* loading: next unread byte; storing: bytes buffered */
    size_t end;              /* loading: end of the bytes read from the file */
    size_t max_string;
    uint64_t max_count;

    /* objects (archive_object.c) */
    uint32_t map_count;      /* next index; 0 until the first object call */
    mfcs__store_slot *store; /* storing */
    size_t store_cap, store_used;
    mfcs__load_entry *load;  /* loading: index -> entry */
    size_t load_cap;
    mfcs__class **used;      /* classes this archive holds a use of */
    size_t used_n, used_cap;
    int in_serialize;        /* depth of serialize calls under way */
    uint32_t schema;         /* for mfcs_archive_object_schema */
} mfcs__archive;

/* Records err as the archive's sticky error (if it has none) and returns it. */
static inline mfcs_err mfcs__ar_fail(mfcs__archive *a, mfcs_err err)
{
    if (!a->error)
        a->error = err;
    return a->error;
}

/* A socket file's read or write may wait, and the wait runs the caller's
 * on_message_pending: the archive is busy meanwhile, so a call on it from
 * there gets MFCS_E_INPROGRESS instead of touching the buffer being filled,
 * and closing it is refused instead of freeing it under the wait. */
static inline mfcs_err mfcs__ar_file_fill(mfcs__archive *a, void *buf, size_t need, size_t cap, size_t *got)
{
    mfcs_err err;
    a->busy++;
    err = a->file->ops->fill(a->file, buf, need, cap, got);
    a->busy--;
    return err;
}
static inline mfcs_err mfcs__ar_file_write(mfcs__archive *a, const void *buf, size_t len)
{
    mfcs_err err;
    a->busy++;
    err = a->file->ops->write(a->file, buf, len);
    a->busy--;
    return err;
}

/* MFCS_E_INPROGRESS inside one of the archive's own file calls, else its
 * sticky error (MFCS_OK when it has none). */
static inline mfcs_err mfcs__ar_state(const mfcs__archive *a)
{
    return a->busy ? MFCS_E_INPROGRESS : a->error;
}

/* Every read and write call starts here: a live archive of this thread, not
 * inside one of its own file calls, no sticky error, the right direction (a
 * wrong one is itself sticky). */
static inline mfcs_err mfcs__ar_enter(mfcs_archive *h, int loading, mfcs__archive **out)
{
    mfcs__archive *a;
    mfcs_err err = mfcs__handle_get_owned(h, MFCS__KIND_ARCHIVE, (void **)&a);
    if (err)
        return err;
    *out = a;
    /* One test on the per-value path for both rare cases. */
    if (a->error | (mfcs_err)a->busy)
        return mfcs__ar_state(a);
    if (a->loading != loading)
        return mfcs__ar_fail(a, MFCS_E_MODE);
    return MFCS_OK;
}

/* The primitives' fast path: the archive when the value can go straight
 * through its buffer (a live archive of the calling thread, this direction,
 * no sticky error, no file call under way), else NULL and the caller takes
 * its slow path, which finds the exact error. Nothing in it calls a
 * function, so the value path keeps no registers across calls. */
static inline mfcs__archive *mfcs__ar_fast(mfcs_archive *h, int loading)
{
    mfcs__archive *a;
    if (mfcs__handle_get_owned(h, MFCS__KIND_ARCHIVE, (void **)&a) != MFCS_OK)
        return NULL;
    if (a->error | (mfcs_err)a->busy | (a->loading ^ loading))
        return NULL;
    return a;
}

/* Loading: makes n (<= cap) unread bytes available at a->buf + a->cur,
 * asking the file only for what is missing (but taking what is there). */
mfcs_err mfcs__ar_fill(mfcs__archive *a, size_t n);
static inline mfcs_err mfcs__ar_need(mfcs__archive *a, size_t n)
{
    return a->end - a->cur >= n ? MFCS_OK : mfcs__ar_fill(a, n);
}
/* Storing: writes the buffered bytes to the file. */
mfcs_err mfcs__ar_flush_store(mfcs__archive *a);
/* Storing: n raw bytes through the buffer. */
mfcs_err mfcs__ar_put(mfcs__archive *a, const void *p, size_t n);
/* Loading: up to n raw bytes (dst NULL: skip); *got < n only at end of stream. */
mfcs_err mfcs__ar_get(mfcs__archive *a, void *dst, size_t n, size_t *got);

/* Little-endian helpers: explicit, so the format never depends on the host. */
static inline void mfcs__le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void mfcs__le32(uint8_t *p, uint32_t v)
{ p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }
static inline void mfcs__le64(uint8_t *p, uint64_t v) { mfcs__le32(p, (uint32_t)v); mfcs__le32(p + 4, (uint32_t)(v >> 32)); }
static inline uint16_t mfcs__rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t mfcs__rd32(const uint8_t *p)
{ return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24); }
static inline uint64_t mfcs__rd64(const uint8_t *p) { return mfcs__rd32(p) | ((uint64_t)mfcs__rd32(p + 4) << 32); }

/* Loading primitives used across files (no enter check: callers did it). */
mfcs_err mfcs__ar_u8(mfcs__archive *a, uint8_t *v);
mfcs_err mfcs__ar_u16(mfcs__archive *a, uint16_t *v);
mfcs_err mfcs__ar_u32(mfcs__archive *a, uint32_t *v);
mfcs_err mfcs__ar_u64(mfcs__archive *a, uint64_t *v);

/* archive_object.c: frees the maps and drops the archive's class uses. */
void mfcs__ar_free_maps(mfcs__archive *a);

#endif /* MFCS_ARCHIVE_INTERNAL_H */
