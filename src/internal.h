/*
 * internal.h: declarations shared between the library's source files.
 * Portable: no Windows header here (the codec builds on Linux for fuzzing).
 * Windows-only internals live in win.h.
 */
#ifndef MFCS_INTERNAL_H
#define MFCS_INTERNAL_H

#include "mfcsock/base.h"
#include "platform.h"

#include <stddef.h>
#include <stdint.h>

/* ===== Handle table (handle.c) =====
 *
 * A handle is not a pointer: it is an odd number that packs a slot index and
 * the slot's generation, so a closed handle, a forged pointer or a handle of
 * another kind is detected by comparing one word, never by dereferencing it.
 *
 *   bit 0      always 1 (a real object pointer is never odd)
 *   bits 1-20  slot index (up to MFCS__HANDLE_MAX slots)
 *   bits 21-31 generation (1..2047, bumped when the slot is freed)
 *
 * Slots live in fixed chunks that are never moved or freed, so a lookup
 * needs no lock: it reads the slot's tag (generation << 8 | kind) with
 * acquire order and compares it with the one the handle implies.
 */
enum mfcs__kind {
    /* The order is the order mfcs_term frees them in: an archive refers to
     * its file, a file to its socket. */
    MFCS__KIND_ARCHIVE = 1,
    MFCS__KIND_FILE    = 2,
    MFCS__KIND_SOCKET  = 3,
    MFCS__KIND_CLASS   = 4,
    MFCS__KIND_COUNT   = 5
};

#define MFCS__HANDLE_INDEX_BITS 20
#define MFCS__HANDLE_MAX        (1u << MFCS__HANDLE_INDEX_BITS)
#define MFCS__CHUNK_BITS        10
#define MFCS__CHUNK_SLOTS       (1u << MFCS__CHUNK_BITS)
#define MFCS__CHUNKS            (MFCS__HANDLE_MAX / MFCS__CHUNK_SLOTS)

/* Frees an object that is still live when mfcs_term runs. */
typedef void (*mfcs__destroy_fn)(void *obj);

typedef struct mfcs__slot {
    volatile uint32_t tag;    /* generation << 8 | kind while live, generation << 8 when free */
    volatile uint32_t owner;  /* owning thread id, 0: any thread */
    void *obj;
    mfcs__destroy_fn destroy;
    uint32_t next_free;       /* free list link (index + 1, 0: none) */
} mfcs__slot;

extern mfcs__slot *volatile mfcs__chunks[MFCS__CHUNKS];

/* Makes a handle for obj. owner: the owning thread id, 0 when any thread may
 * use it. Returns MFCS_E_NOMEM when the table is full. */
mfcs_err mfcs__handle_alloc(int kind, void *obj, uint32_t owner,
                            mfcs__destroy_fn destroy, void **out);
/* Kills a live handle: later lookups fail. The object is not touched. */
void mfcs__handle_release(const void *h);
/* Moves a live handle to another owning thread (attach after detach). */
void mfcs__handle_set_owner(const void *h, uint32_t owner);
/* Releases every live handle of kind and calls its destroy function, outside
 * the table lock. Returns how many there were. */
unsigned mfcs__handle_destroy_all(int kind);
/* Live handles of kind (0: every kind): for leak checks. */
unsigned mfcs__handle_live(int kind);

static inline mfcs__slot *mfcs__handle_slot(const void *h, int kind)
{
    uintptr_t v = (uintptr_t)h;
    uint32_t idx, gen;
    mfcs__slot *chunk;
    if (!(v & 1) || v > 0xFFFFFFFFu)
        return NULL;
    idx = (uint32_t)(v >> 1) & (MFCS__HANDLE_MAX - 1);
    gen = (uint32_t)(v >> (1 + MFCS__HANDLE_INDEX_BITS));
    chunk = (mfcs__slot *)mfcs__load_ptr_acquire((void *const volatile *)&mfcs__chunks[idx >> MFCS__CHUNK_BITS]);
    if (!chunk)
        return NULL;
    chunk += idx & (MFCS__CHUNK_SLOTS - 1);
    if (mfcs__load_acquire(&chunk->tag) != (gen << 8 | (uint32_t)kind))
        return NULL;
    return chunk;
}

/* The object behind a live handle of kind, or NULL. A few nanoseconds: the
 * archive calls it once per value. */
static inline void *mfcs__handle_get(const void *h, int kind)
{
    mfcs__slot *s = mfcs__handle_slot(h, kind);
    return s ? s->obj : NULL;
}

/* The object behind h, checked for kind and for the calling thread owning
 * it: MFCS_E_BADHANDLE or MFCS_E_WRONGTHREAD otherwise. */
static inline mfcs_err mfcs__handle_get_owned(const void *h, int kind, void **obj)
{
    mfcs__slot *s = mfcs__handle_slot(h, kind);
    uint32_t owner;
    if (!s)
        return MFCS_E_BADHANDLE;
    owner = mfcs__load_acquire(&s->owner);
    if (owner && owner != mfcs__thread_id())
        return MFCS_E_WRONGTHREAD;
    *obj = s->obj;
    return MFCS_OK;
}

/* A registered class (registry.h). */
typedef struct mfcs__class mfcs__class;

/* ===== Errors (error.c) ===== */

/* Nonzero for the library's own codes (MFCS_E_*). */
int mfcs__is_library_error(mfcs_err err);

#endif /* MFCS_INTERNAL_H */
