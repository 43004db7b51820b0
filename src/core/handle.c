/*
 * handle.c: the process-wide handle table (see internal.h for the encoding
 * and the rules of pinned and fast access).
 *
 * Allocation, kills and frees take one lock; lookups take none. A slot's
 * life: free -> live (handle_alloc) -> dying (handle_kill: the handle is
 * dead, the object lives on while pinned) -> ready (no thread can be in a
 * fast path on it) -> final (its last pin is gone: the object is freed by
 * whoever dropped that pin) -> free again with the next generation.
 *
 * Reuse. A freed slot goes to the tail of a FIFO list and is taken again
 * only when more than a chunk of slots wait there (or the table is full),
 * so a program that opens and closes one object at a time cycles through
 * MFCS__CHUNK_SLOTS slots, and a stale handle's value comes back only after
 * MFCS__CHUNK_SLOTS * MFCS__GEN_MAX cycles: 1024 * 2047 = 2,096,128 on
 * i686, about 9 * 10^15 on x86_64 (base.h says so to users).
 */
#include "internal.h"

#include <stdlib.h>

mfcs__slot *volatile mfcs__chunks[MFCS__CHUNKS];
#ifdef MFCS_TEST_HOOKS
void (*volatile mfcs__test_hook)(int point, const void *h);
#endif

/* internal.h promises one cache line a slot. */
typedef char slot_is_one_line[sizeof(mfcs__slot) == 64 ? 1 : -1];

static mfcs__mutex table_lock = MFCS__MUTEX_INIT;
static uint32_t free_head, free_tail; /* index + 1, 0: empty */
static uint32_t free_count;
static uint32_t used_slots;           /* slots ever handed out (high-water mark) */
static unsigned live_count[MFCS__KIND_COUNT];
static unsigned held_count;           /* slots not free */

#define QUARANTINE MFCS__CHUNK_SLOTS
#define TAG_STATE (MFCS__TAG_DYING | MFCS__TAG_READY | MFCS__TAG_FINAL)

static mfcs__slot *slot_at(uint32_t idx)
{
    return &mfcs__chunks[idx >> MFCS__CHUNK_BITS][idx & (MFCS__CHUNK_SLOTS - 1)];
}

static uintptr_t gen_of(uintptr_t tag)
{
    return tag >> 8;
}

/* Takes a free slot index: a new one while fewer than QUARANTINE freed ones
 * wait, so freed ones are reused as late as possible. Lock held. */
static int take_slot(uint32_t *idx)
{
    if (free_head && (free_count > QUARANTINE || used_slots >= MFCS__HANDLE_MAX)) {
        *idx = free_head - 1;
        free_head = slot_at(*idx)->next_free;
        if (!free_head)
            free_tail = 0;
        free_count--;
        return 1;
    }
    if (used_slots >= MFCS__HANDLE_MAX)
        return 0;
    if (!mfcs__chunks[used_slots >> MFCS__CHUNK_BITS]) {
        mfcs__slot *chunk = calloc(MFCS__CHUNK_SLOTS, sizeof *chunk);
        uint32_t i;
        if (!chunk)
            return 0;
        for (i = 0; i < MFCS__CHUNK_SLOTS; i++) {
            chunk[i].tag = (uintptr_t)1 << 8; /* generation 1, free */
            chunk[i].index = used_slots + i;
        }
        mfcs__store_ptr_release((void *volatile *)&mfcs__chunks[used_slots >> MFCS__CHUNK_BITS], chunk);
    }
    *idx = used_slots++;
    return 1;
}

mfcs_err mfcs__handle_alloc(int kind, void *obj, uint32_t owner, uint32_t flags,
                            mfcs__destroy_fn destroy, void **out, mfcs__slot **slot_out)
{
    uint32_t idx;
    uintptr_t gen;
    mfcs__slot *s;

    mfcs__mutex_lock(&table_lock);
    if (!take_slot(&idx)) {
        mfcs__mutex_unlock(&table_lock);
        return MFCS_E_NOMEM;
    }
    s = slot_at(idx);
    gen = gen_of(s->tag);
    s->obj = obj;
    s->destroy = destroy;
    s->next_free = 0;
    s->flags = flags;
    s->user = 0;
    s->user_depth = 0;
    s->owner = owner;
    /* The caller's copies are written before the handle goes live: from
     * then on mfcs_term may kill and free the object on another thread. */
    *out = (void *)((gen << MFCS__GEN_SHIFT) | ((uintptr_t)idx << 1) | 1u);
    if (slot_out)
        *slot_out = s;
    /* pins is left as it is: a late lookup of the slot's previous handle
     * may hold one for a moment, and gives it back itself. */
    mfcs__store_release((volatile uintptr_t *)&s->tag, gen << 8 | (uintptr_t)kind);
    live_count[kind]++;
    held_count++;
    mfcs__mutex_unlock(&table_lock);
    return MFCS_OK;
}

/* Gives a finalized slot back: next generation, tail of the free list. */
static void recycle(mfcs__slot *s)
{
    uint32_t idx = s->index;
    uintptr_t gen = gen_of(s->tag) + 1;
    if (gen > MFCS__GEN_MAX)
        gen = 1;
    mfcs__mutex_lock(&table_lock);
    s->obj = NULL;
    s->destroy = NULL;
    s->owner = 0;
    s->user = 0;
    s->next_free = 0;
    mfcs__store_release((volatile uintptr_t *)&s->tag, gen << 8);
    if (free_tail)
        slot_at(free_tail - 1)->next_free = idx + 1;
    else
        free_head = idx + 1;
    free_tail = idx + 1;
    free_count++;
    held_count--;
    mfcs__mutex_unlock(&table_lock);
}

/* Frees the object if its handle is dead, it is ready and nothing pins it.
 * Exactly one caller wins the tag's FINAL bit and frees it. */
static void try_finalize(mfcs__slot *s)
{
    uintptr_t t = s->tag;
    mfcs__destroy_fn destroy;
    for (;;) {
        if ((t & TAG_STATE) != (MFCS__TAG_DYING | MFCS__TAG_READY) || s->pins != 0)
            return;
        if (mfcs__cas_word(&s->tag, t, t | MFCS__TAG_FINAL))
            break;
        t = s->tag;
    }
    destroy = s->destroy;
    if (destroy)
        destroy(s->obj);
    recycle(s);
}

static void unpin_raw(mfcs__slot *s)
{
    if (mfcs__atomic_dec(&s->pins) == 0)
        try_finalize(s);
}

/* Unbound objects: one thread at a time inside pinned calls; a call from a
 * thread other than the owner takes the object over. */
static mfcs_err enter_use(mfcs__slot *s)
{
    uint32_t self = mfcs__thread_id(), user = s->user, old;
    if (user != self) {
        if (user || !mfcs__cas32(&s->user, 0, self))
            return MFCS_E_WRONGTHREAD;   /* another thread is inside a call on it now */
    }
    s->user_depth++;
    old = s->owner;
    if (old != self) {
        /* The new owner first, so the old one's next fast-path call sees it
         * is no longer the owner; then wait until it is out of the one it
         * may be in. */
        mfcs__store_release(&s->owner, self);
        if (old && (s->flags & MFCS__SLOT_FAST))
            mfcs__quiesce_thread(old);
    }
    return MFCS_OK;
}

static void leave_use(mfcs__slot *s)
{
    if (--s->user_depth == 0)
        mfcs__store_release(&s->user, 0);
}

mfcs_err mfcs__pin(const void *h, int kind, int how, mfcs__slot **slot, void **obj)
{
    uintptr_t want, t;
    mfcs__slot *s = mfcs__handle_slot(h, kind, &want);
    if (!s)
        return MFCS_E_BADHANDLE;
    mfcs__atomic_inc(&s->pins);
    MFCS__HOOK(MFCS__HOOK_PIN_COUNTED, h);
    t = s->tag;
    /* A dying object is found only for the call that must end its own pin
     * (a window given back after mfcs_term), and only before it is freed. */
    if (t != want && !(how == MFCS__USE_DYING && (t & ~(uintptr_t)(MFCS__TAG_DYING | MFCS__TAG_READY)) == want
                       && (t & MFCS__TAG_DYING))) {
        unpin_raw(s);
        return MFCS_E_BADHANDLE;
    }
    if (how == MFCS__USE_OWNER) {
        if (s->flags & MFCS__SLOT_BOUND) {
            uint32_t owner = s->owner;
            if (owner && owner != mfcs__thread_id()) {
                unpin_raw(s);
                return MFCS_E_WRONGTHREAD;
            }
        } else {
            mfcs_err err = enter_use(s);
            if (err) {
                unpin_raw(s);
                return err;
            }
        }
    }
    MFCS__HOOK(MFCS__HOOK_PIN_VALID, h);
    *slot = s;
    *obj = s->obj;
    return MFCS_OK;
}

mfcs__slot *mfcs__pin_self(const void *h, int kind)
{
    mfcs__slot *s;
    void *obj;
    return mfcs__pin(h, kind, MFCS__USE_ANY, &s, &obj) == MFCS_OK ? s : NULL;
}

void mfcs__unpin(mfcs__slot *s, int how)
{
    if (how == MFCS__USE_OWNER && !(s->flags & MFCS__SLOT_BOUND))
        leave_use(s);
    unpin_raw(s);
}

/* Marks a live slot dying (ready when nothing else can be in its fast
 * path). Returns nonzero if it was live. Lock held. */
static int kill_locked(mfcs__slot *s, uintptr_t extra)
{
    uintptr_t t = s->tag;
    if (!(t & MFCS__TAG_KIND) || (t & TAG_STATE))
        return 0;
    /* Under the lock only kills change a live tag, and unpins only change
     * dying ones, so this store cannot lose anything. */
    mfcs__store_release((volatile uintptr_t *)&s->tag, t | MFCS__TAG_DYING | extra);
    live_count[t & MFCS__TAG_KIND]--;
    return 1;
}

void mfcs__handle_kill(mfcs__slot *s)
{
    uint32_t self = mfcs__thread_id(), owner;
    mfcs__mutex_lock(&table_lock);
    owner = s->owner;
    mfcs__mutex_unlock(&table_lock);
    /* Another thread may still be in the fast path of an object it owns
     * (a bound one closed once its socket is gone, or mfcs_term's own
     * objects): the object is ready once that thread is out of it. */
    if (owner && owner != self && (s->flags & MFCS__SLOT_FAST))
        mfcs__quiesce_thread(owner);
    mfcs__mutex_lock(&table_lock);
    kill_locked(s, MFCS__TAG_READY);
    mfcs__mutex_unlock(&table_lock);
}

void mfcs__handle_set_owner(mfcs__slot *s, uint32_t owner)
{
    mfcs__store_release(&s->owner, owner);
}

unsigned mfcs__handle_kill_all(void (*on_kill)(int kind, void *obj))
{
    mfcs__slot **killed;
    uint32_t *owners, n = 0, nowners = 0, i, j, self = mfcs__thread_id();
    int kind;

    mfcs__mutex_lock(&table_lock);
    killed = (mfcs__slot **)malloc((used_slots + 1) * sizeof *killed);
    owners = (uint32_t *)malloc((used_slots + 1) * sizeof *owners);
    if (!killed || !owners) {
        /* No memory for the lists: kill one at a time, each ready at once,
         * which is still safe for every object no other thread owns. */
        free(killed);
        free(owners);
        killed = NULL;
    }
    /* Kind by kind, so objects go in the order archives, files, sockets,
     * classes when nothing else pins them. */
    for (kind = 1; kind < MFCS__KIND_COUNT; kind++)
        for (i = 0; i < used_slots; i++) {
            mfcs__slot *s = slot_at(i);
            if ((s->tag & MFCS__TAG_KIND) != (uintptr_t)kind || (s->tag & TAG_STATE))
                continue;
            if (!killed) {
                kill_locked(s, MFCS__TAG_READY);
                continue;
            }
            kill_locked(s, 0);
            mfcs__atomic_inc(&s->pins);   /* ours, until it is ready */
            killed[n++] = s;
            if (s->owner && s->owner != self && (s->flags & MFCS__SLOT_FAST)) {
                for (j = 0; j < nowners && owners[j] != s->owner; j++)
                    ;
                if (j == nowners)
                    owners[nowners++] = s->owner;
            }
        }
    mfcs__mutex_unlock(&table_lock);
    if (!killed)
        return 0;
    if (on_kill)
        for (i = 0; i < n; i++)
            on_kill((int)(killed[i]->tag & MFCS__TAG_KIND), killed[i]->obj);
    for (j = 0; j < nowners; j++)
        mfcs__quiesce_thread(owners[j]);
    for (i = 0; i < n; i++) {
        mfcs__slot *s = killed[i];
        uintptr_t t;
        do
            t = s->tag;
        while (!mfcs__cas_word(&s->tag, t, t | MFCS__TAG_READY));
        unpin_raw(s);
    }
    free(killed);
    free(owners);
    return n;
}

unsigned mfcs__handle_live(int kind)
{
    unsigned n = 0;
    int k;
    mfcs__mutex_lock(&table_lock);
    if (kind)
        n = live_count[kind];
    else
        for (k = 1; k < MFCS__KIND_COUNT; k++)
            n += live_count[k];
    mfcs__mutex_unlock(&table_lock);
    return n;
}

unsigned mfcs__handle_held(void)
{
    unsigned n;
    mfcs__mutex_lock(&table_lock);
    n = held_count;
    mfcs__mutex_unlock(&table_lock);
    return n;
}
