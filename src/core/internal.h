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
 *   bits 21-   generation: 11 bits on i686 (1..2047), 43 on x86_64, bumped
 *              each time the slot is freed
 *
 * Slots live in fixed chunks that are never moved or freed (type-stable
 * memory), so a lookup needs no lock. How a call may use what it finds:
 *
 * - Pinned (every call but an archive's per-value fast path): the call
 *   increments the slot's pin count, then checks the tag. While it holds
 *   the pin the object is not freed, whatever any thread does: closing,
 *   freeing or mfcs_term only kill the handle (later lookups fail) and the
 *   last unpin frees the object. Both sides use interlocked operations, so
 *   one always sees the other.
 * - Fast (the archive's primitives, MFCS__FAST): no write at all. The tag is
 *   read before and after the owner and object (a sequence check), so the
 *   three come from one state of the slot, and the calling thread must be
 *   the slot's owner. Memory the fast path may touch is freed only once no
 *   thread but the freeing one can be inside a fast path on it: the owner
 *   is the only such thread, and a free or hand-over from another thread
 *   first waits until the owner is outside the fast-path code
 *   (mfcs__quiesce_thread).
 *
 * Owners. A bound object (sockets, and files and archives on them) belongs
 * to its owner thread: others get MFCS_E_WRONGTHREAD (owner 0: any thread,
 * e.g. a socket without a SOCKET). An unbound object (memory and disk files
 * and their archives) moves to the thread that calls it, one thread at a
 * time: a pinned call from another thread than the owner takes it over, and
 * a pinned call while another thread is inside one gets MFCS_E_WRONGTHREAD.
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
#define MFCS__GEN_SHIFT         (1 + MFCS__HANDLE_INDEX_BITS)
/* Generations a slot goes through before a value comes back. */
#define MFCS__GEN_MAX           (((uintptr_t)-1 >> MFCS__GEN_SHIFT))

/* A slot's tag: generation << 8 | state | kind. Free slots have kind 0. */
#define MFCS__TAG_KIND  0x0Fu
#define MFCS__TAG_DYING 0x10u   /* the handle is dead; the object lives while pinned */
#define MFCS__TAG_READY 0x20u   /* ... and no thread can be inside a fast path on it */
#define MFCS__TAG_FINAL 0x40u   /* ... and it is being freed */

/* Slot flags, fixed at allocation. */
#define MFCS__SLOT_BOUND 1u     /* the owner is fixed (see above) */
#define MFCS__SLOT_FAST  2u     /* the object has a fast path: hand-overs quiesce */

/* Frees an object once its handle is dead and no call holds a pin on it. */
typedef void (*mfcs__destroy_fn)(void *obj);

/* What the fast path reads comes first; a slot is a cache line (64 bytes
 * on both arches), so one lookup touches one line. */
typedef struct mfcs__slot {
    volatile uintptr_t tag;
    void *volatile obj;
    volatile uint32_t owner;  /* the thread that may use it (and its fast path); 0: none */
    volatile uint32_t user;   /* unbound: the thread inside a pinned call on it; 0: none */
    volatile uint32_t pins;   /* calls using the object now */
    uint32_t user_depth;      /* nested pinned calls of that thread */
    uint32_t flags;           /* MFCS__SLOT_* */
    uint32_t next_free;       /* free list link (index + 1, 0: none) */
    uint32_t index;           /* the slot's own index */
    mfcs__destroy_fn destroy;
    char pad[64 - 3 * sizeof(void *) - 7 * sizeof(uint32_t) - (sizeof(void *) == 8 ? 4 : 0)];
} mfcs__slot;

extern mfcs__slot *volatile mfcs__chunks[MFCS__CHUNKS];

/* Makes a handle for obj, owned by owner (a thread id; 0: none yet) with
 * flags MFCS__SLOT_*; *slot_out (may be NULL) is its slot, which stays the
 * object's until the object is freed. Returns MFCS_E_NOMEM when the table
 * is full. */
mfcs_err mfcs__handle_alloc(int kind, void *obj, uint32_t owner, uint32_t flags,
                            mfcs__destroy_fn destroy, void **out, mfcs__slot **slot_out);

/* How a pinned call may use the object. */
enum {
    MFCS__USE_OWNER = 0,   /* as its owner: WRONGTHREAD or take-over, as above */
    MFCS__USE_ANY   = 1,   /* from any thread, owner unchecked (cancel, classes) */
    MFCS__USE_DYING = 2    /* as USE_ANY, and a dead handle whose object still
                              lives (pinned elsewhere) is found too */
};
/* Pins the live object of kind behind h: MFCS_E_BADHANDLE or
 * MFCS_E_WRONGTHREAD otherwise. *slot is for mfcs__unpin. */
mfcs_err mfcs__pin(const void *h, int kind, int how, mfcs__slot **slot, void **obj);
/* Pins the object of a slot the caller knows (an object's own handle): the
 * same checks as mfcs__pin with MFCS__USE_ANY. NULL when dead. */
mfcs__slot *mfcs__pin_self(const void *h, int kind);
/* Whether the handle of a slot the caller holds pinned is still live. */
static inline int mfcs__slot_live(const mfcs__slot *s)
{
    return !(s->tag & MFCS__TAG_DYING);
}
/* Ends a pinned call (how as given to mfcs__pin); the last unpin of a dead
 * handle frees the object. */
void mfcs__unpin(mfcs__slot *slot, int how);
/* Kills the handle of the slot the caller holds pinned: lookups fail from
 * now on, and the object is freed when the last pin goes. Killing a dead
 * handle does nothing. */
void mfcs__handle_kill(mfcs__slot *slot);
/* Moves a live handle to another owning thread (sockets: create, attach,
 * close, detach; all on the thread concerned). */
void mfcs__handle_set_owner(mfcs__slot *slot, uint32_t owner);
/* mfcs_term: kills every live handle, waits until no other thread is inside
 * a fast path on one of them, and frees each object whose last pin is gone
 * (the others go with their last unpin). on_kill, called for each killed
 * object of kind before any is freed, lets a kind stop what keeps its pins
 * (a socket's blocking call is cancelled). Returns how many there were. */
unsigned mfcs__handle_kill_all(void (*on_kill)(int kind, void *obj));
/* Live handles of kind (0: every kind): for leak checks. */
unsigned mfcs__handle_live(int kind);
/* Slots whose objects are not freed yet (dead handles still pinned
 * included): for leak checks. */
unsigned mfcs__handle_held(void);

/* Test hooks: a test build (MFCS_TEST_HOOKS, the static library
 * tests/test_races_hooked.c links) calls mfcs__test_hook at the points
 * where another thread's free or reuse of a slot would hurt, so a test can
 * do exactly that there, deterministically. Nothing in the DLL. */
enum {
    MFCS__HOOK_PIN_COUNTED = 1,  /* mfcs__pin: counted, the tag not checked yet */
    MFCS__HOOK_PIN_VALID,        /* mfcs__pin: checked, the object not used yet */
    MFCS__HOOK_FAST_TAG          /* mfcs__handle_fast: the tag read, the object not yet */
};
#ifdef MFCS_TEST_HOOKS
extern void (*volatile mfcs__test_hook)(int point, const void *h);
#  define MFCS__HOOK(point, h) do { if (mfcs__test_hook) mfcs__test_hook((point), (h)); } while (0)
#else
#  define MFCS__HOOK(point, h) ((void)0)
#endif

/* The slot h names and the tag a live handle of kind has there, or NULL. */
static inline mfcs__slot *mfcs__handle_slot(const void *h, int kind, uintptr_t *want)
{
    uintptr_t v = (uintptr_t)h;
    uint32_t idx;
    mfcs__slot *chunk;
    if (!(v & 1))
        return NULL;
    idx = (uint32_t)(v >> 1) & (MFCS__HANDLE_MAX - 1);
    chunk = (mfcs__slot *)mfcs__load_ptr_acquire((void *const volatile *)&mfcs__chunks[idx >> MFCS__CHUNK_BITS]);
    if (!chunk)
        return NULL;
    *want = (v >> MFCS__GEN_SHIFT) << 8 | (uintptr_t)kind;
    return chunk + (idx & (MFCS__CHUNK_SLOTS - 1));
}

/* The fast path's lookup: the object behind a live handle of kind whose
 * owner is the calling thread, else NULL (the caller's pinned slow path
 * then finds the exact error). A few loads and no write. */
static inline void *mfcs__handle_fast(const void *h, int kind)
{
    uintptr_t want;
    mfcs__slot *s = mfcs__handle_slot(h, kind, &want);
    void *obj;
    if (!s || mfcs__load_word_acquire(&s->tag) != want || s->owner != mfcs__thread_id())
        return NULL;
    MFCS__HOOK(MFCS__HOOK_FAST_TAG, h);
    obj = s->obj;
    /* The slot may have been freed and taken by another object between the
     * reads: a second look at the tag says whether obj and owner belong to
     * the handle's generation. */
    mfcs__acquire_fence();
    return s->tag == want ? obj : NULL;
}

/* A registered class (registry.h). */
typedef struct mfcs__class mfcs__class;

/* ===== Errors (error.c) ===== */

/* Nonzero for the library's own codes (MFCS_E_*). */
int mfcs__is_library_error(mfcs_err err);

/* Nonzero between the first mfcs_init and the last mfcs_term (init.c). */
int mfcs__initialized(void);

#endif /* MFCS_INTERNAL_H */
