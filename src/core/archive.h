/*
 * archive.h: the archive object shared by archive.c (buffering, primitives,
 * counts, raw bytes), archive_string.c (strings and lines) and
 * archive_object.c (objects and classes). Portable: no Windows header.
 */
#ifndef MFCS_ARCHIVE_INTERNAL_H
#define MFCS_ARCHIVE_INTERNAL_H

#include "mfcsock/archive.h"
#include "mfcsock/vocabulary.h"
#include "file.h"

#include <string.h>

/* One entry of the loading side's map: an object or a class, by index.
 * Small, because a hostile stream makes one per two bytes of input. */
typedef struct mfcs__load_entry {
    void *ptr;               /* the object (NULL: a half-made one), or the class */
    uint32_t info;           /* an object: its class's entry (0: none, MapObject);
                                a class: the schema it was stored with */
    uint32_t is_class;
} mfcs__load_entry;

/* The storing side's map: object or class pointer -> index, open addressing. */
typedef struct mfcs__store_slot {
    const void *key;         /* a class is keyed by its pointer + 1 (pointers are aligned) */
    uint32_t index;
} mfcs__store_slot;

typedef struct mfcs__archive {
    /* What a value's fast path reads, together at the start. */
    uint8_t *buf;
    size_t cur;              /* loading: next unread byte; storing: bytes buffered */
    size_t end;              /* loading: end of the bytes read from the file */
    size_t cap;
    mfcs_err error;          /* sticky: the first error */
    unsigned busy;           /* a file call of this archive is under way, or a window is open */
    int loading;
    int window;              /* a window is open (archive_window.c) ... */
    uint32_t window_id;      /* ... the window's number, so a stale copy is told apart ... */
    uint32_t window_tid;     /* ... and the thread that opened it */

    void *handle;
    mfcs__slot *slot;        /* its handle's slot (pinned by every call but the fast path) */
    mfcs__file *file;        /* pinned by the archive until it is freed */
    const char *error_call;  /* the call that met the sticky error ... */
    uint64_t error_at;       /* ... and the stream offset where that call's value began */
    uint64_t base;           /* stream offset of buf[0] (bytes before it: consumed or flushed) */
    size_t max_string;
    uint64_t max_count;
    unsigned max_depth;
    uint64_t max_objects;
    unsigned mfc_version;    /* the other side's MFC (vocabulary.h), for the bytes that depend on it */

    /* Calls under way: they nest when serialize makes calls of its own. */
    unsigned calls;
    uint64_t deadline;       /* of the outermost call (socket files; 0: none) */
    /* Loading: a value is consumed whole or not at all. While value calls
     * are under way (keep > 0) the buffer keeps every byte from mark, where
     * the outermost began (growing if it must), and when that call fails
     * its bytes become unread again. Only an outermost string or array
     * reads straight into its own memory: it registers that memory (vmem:
     * its first vmem_len bytes are the value's bytes that followed the
     * vmem_prefix bytes at mark), and vdirect counts those that never
     * passed the buffer. */
    unsigned keep;
    size_t mark;
    const uint8_t *vmem;
    size_t vmem_len, vmem_prefix, vdirect;

    /* objects (archive_object.c) */
    uint32_t map_count;      /* next index; 0 until the first object call */
    mfcs__store_slot *store; /* storing */
    size_t store_cap, store_used;
    mfcs__load_entry **load; /* loading: index -> entry, in blocks that never move */
    size_t load_cap;         /* blocks the list has room for */
    mfcs__class **used;      /* classes this archive holds a use (and pin) of */
    size_t used_n, used_cap;
    unsigned in_callback;    /* create, serialize or destroy of an object under way */
    unsigned in_serialize;   /* serialize under way (mfcs_archive_object_schema) */
    unsigned depth;          /* objects being read or written inside each other */
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
 * and closing it is refused instead of freeing it under the wait. The
 * file is entered as the archive's thread uses it, so a call on it from
 * another thread at the same time is refused (handle.c). */
mfcs_err mfcs__ar_file_fill(mfcs__archive *a, void *buf, size_t need, size_t cap, size_t *got);
mfcs_err mfcs__ar_file_write(mfcs__archive *a, const void *buf, size_t len);

/* One public call on an archive, from mfcs__ar_begin to mfcs__ar_end. */
typedef struct mfcs__ar_frame {
    mfcs__archive *a;
    const char *name;        /* the public call, for mfcs_archive_error_detail */
    uint64_t start;          /* the stream offset where its value begins */
    unsigned flags;
    int nested;              /* a value read inside another value */
} mfcs__ar_frame;

/* Frame flags. */
#define MFCS__AR_LOAD   1u   /* a read: the archive must be loading */
#define MFCS__AR_STORE  2u   /* a write: the archive must be storing */
#define MFCS__AR_VALUE  4u   /* a read of a value: consumed whole or not at all */
#define MFCS__AR_QUERY  8u   /* a query: answers whatever the state (sticky error,
                                window, own wait) */
#define MFCS__AR_MANY  16u   /* with VALUE: a value of many parts (a collection). No
                                part reads straight into its own memory, which
                                would be gone, bytes and all, if a later part failed. */

/* Starts a call: pins the archive for the calling thread and checks, in
 * this order, a window open (MFCS_E_STATE), one of its own file calls
 * under way (MFCS_E_INPROGRESS, i.e. called from on_message_pending), the
 * sticky error, the direction (MFCS_E_MODE, itself sticky). On error
 * nothing is held. */
mfcs_err mfcs__ar_begin(mfcs__ar_frame *fr, mfcs_archive *h, unsigned flags, const char *name);
/* Ends it: a failed value gives its bytes back, the first error is
 * recorded with the call's name and offset, and the pin goes. Returns err. */
mfcs_err mfcs__ar_end(mfcs__ar_frame *fr, mfcs_err err);

/* The primitives' fast path: the archive when the value can go straight
 * through its buffer (a live archive owned by the calling thread, this
 * direction, no sticky error, no file call or window under way), else NULL
 * and the caller takes its slow path, which finds the exact error. No
 * write, no call: see handle.c for why it needs neither. */
static inline mfcs__archive *mfcs__ar_fast(mfcs_archive *h, int loading)
{
    mfcs__archive *a = (mfcs__archive *)mfcs__handle_fast(h, MFCS__KIND_ARCHIVE);
    if (!a || (a->error | (mfcs_err)a->busy | (a->loading ^ loading)))
        return NULL;
    return a;
}

/* Loading: makes n unread bytes available at a->buf + a->cur, asking the
 * file only for what is missing (but taking what is there); the buffer
 * grows when a value needs more than it holds. */
mfcs_err mfcs__ar_fill(mfcs__archive *a, size_t n);
static inline mfcs_err mfcs__ar_need(mfcs__archive *a, size_t n)
{
    return a->end - a->cur >= n ? MFCS_OK : mfcs__ar_fill(a, n);
}
/* Storing: writes the buffered bytes to the file. */
mfcs_err mfcs__ar_flush_store(mfcs__archive *a);
/* Storing: n raw bytes through the buffer. */
mfcs_err mfcs__ar_put(mfcs__archive *a, const void *p, size_t n);
/* Loading: up to n raw bytes (dst NULL: skip); *got < n only at end of
 * stream. direct: dst lies in memory the call registered with
 * mfcs__ar_value_memory, so a large remainder may go straight into it. */
mfcs_err mfcs__ar_get(mfcs__archive *a, void *dst, size_t n, size_t *got, int direct);
/* An outermost string or array (keep == 1) registers the memory it reads
 * into: p holds the len value bytes read so far, which followed the prefix
 * bytes the value has in the buffer from mark (a string's length). Returns
 * whether it may read directly (only an outermost value). */
static inline int mfcs__ar_value_memory(mfcs__archive *a, const void *p, size_t len, size_t prefix)
{
    if (a->keep != 1)
        return 0;
    a->vmem = (const uint8_t *)p;
    a->vmem_len = len;
    a->vmem_prefix = prefix;
    return 1;
}
/* Loading: total bytes into new memory (malloc'd, with spare zero bytes
 * after them) that grows as they arrive, so a length read from the stream
 * sizes nothing before its bytes come; the memory of an outermost value
 * is registered (mfcs__ar_value_memory), so large ones skip the buffer.
 * On error nothing is handed out and the bytes are unread again. On
 * success the memory stays registered until the call ends: a step after
 * it that fails must call mfcs__ar_value_failed before freeing it, and
 * nothing may change its bytes before the call ends. */
mfcs_err mfcs__ar_get_grow(mfcs__archive *a, size_t total, size_t spare, uint8_t **out);
/* A value read by mfcs__ar_get_grow failed after it: its bytes are unread
 * again now, while its memory is still there. Returns err, sticky (NOMEM
 * when the bytes cannot come back). */
mfcs_err mfcs__ar_value_failed(mfcs__archive *a, mfcs_err err);
/* Makes a failed value's bytes unread again now (before its registered
 * memory is freed): cur goes back to mark. MFCS_E_NOMEM if the buffer
 * cannot grow to hold them. */
mfcs_err mfcs__ar_unconsume(mfcs__archive *a);

/* Little-endian helpers: explicit, so the format never depends on the host. */
static inline void mfcs__le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void mfcs__le32(uint8_t *p, uint32_t v)
{ p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }
static inline void mfcs__le64(uint8_t *p, uint64_t v) { mfcs__le32(p, (uint32_t)v); mfcs__le32(p + 4, (uint32_t)(v >> 32)); }
static inline uint16_t mfcs__rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t mfcs__rd32(const uint8_t *p)
{ return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24); }
static inline uint64_t mfcs__rd64(const uint8_t *p) { return mfcs__rd32(p) | ((uint64_t)mfcs__rd32(p + 4) << 32); }

/* The host's byte order, for the few places that copy integers whole. */
static inline int mfcs__host_is_le(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one;
}

/* Loading primitives used across files (no begin check: callers did it). */
mfcs_err mfcs__ar_u8(mfcs__archive *a, uint8_t *v);
mfcs_err mfcs__ar_u16(mfcs__archive *a, uint16_t *v);
mfcs_err mfcs__ar_u32(mfcs__archive *a, uint32_t *v);
mfcs_err mfcs__ar_u64(mfcs__archive *a, uint64_t *v);

/* ReadCount's value, MFCS_E_LIMIT above the archive's max_count. */
mfcs_err mfcs__ar_count(mfcs__archive *a, uint64_t *n);
/* WriteCount. */
mfcs_err mfcs__ar_put_count(mfcs__archive *a, uint64_t n);

/* archive_string.c, for the calls that write and read many strings (no
 * begin check: callers did it). Writing: a CStringA of len bytes; a
 * CStringW of n UTF-16 units (host order); a CStringW of a wchar_t
 * string; a CStringW of UTF-8 (MFCS_E_INVALIDARG when it is not). Reading
 * a CString of either width, as UTF-8, as the active code page, or as
 * wchar_t: malloc'd, NUL-terminated, *len without the NUL. */
mfcs_err mfcs__ar_put_string_a(mfcs__archive *a, const char *s, size_t len);
mfcs_err mfcs__ar_put_string_u16(mfcs__archive *a, const uint16_t *u, size_t n);
mfcs_err mfcs__ar_put_string_wchar(mfcs__archive *a, const wchar_t *s, size_t len);
mfcs_err mfcs__ar_put_string_utf8(mfcs__archive *a, const char *utf8);
mfcs_err mfcs__ar_get_string_utf8(mfcs__archive *a, char **s, size_t *len);
mfcs_err mfcs__ar_get_string_acp(mfcs__archive *a, char **s, size_t *len);
mfcs_err mfcs__ar_get_string_wchar(mfcs__archive *a, wchar_t **s, size_t *len);
/* UTF-16LE bytes as host-order units, in place. */
uint16_t *mfcs__units_in_place(uint8_t *p, size_t nbytes);
/* Hands out units (malloc'd, NUL-terminated, taken over; possibly a
 * value's memory from mfcs__ar_get_grow) as wchar_t: *out (NULL: freed),
 * *len (may be NULL). */
mfcs_err mfcs__ar_wchars(mfcs__archive *a, uint16_t *u, size_t units, wchar_t **out, size_t *len);
/* An element count of this machine's size (MFCS_E_LIMIT above it or the
 * archive's max_count). */
mfcs_err mfcs__ar_count_size(mfcs__archive *a, size_t *n);

/* archive_object.c, for the calls that write and read many objects.
 * mfcs__ar_read_object reports in *made an object it made (obj NULL when
 * it made none: a null or back reference), so a caller that fails later
 * can destroy it with mfcs__ar_unmake (which also takes it out of the
 * map: no later reference reaches it). */
typedef struct mfcs__made {
    void *obj;
    mfcs__class *cls;
    uint32_t index;
} mfcs__made;
mfcs_err mfcs__ar_write_object(mfcs__archive *a, const mfcs_class *cls, void *obj);
mfcs_err mfcs__ar_read_object(mfcs__archive *a, mfcs__class *want, void **obj, const mfcs_class **cls,
                              mfcs__made *made);
void mfcs__ar_unmake(mfcs__archive *a, const mfcs__made *m);

/* archive_object.c: frees the maps and drops the archive's class uses. */
void mfcs__ar_free_maps(mfcs__archive *a);

#endif /* MFCS_ARCHIVE_INTERNAL_H */
