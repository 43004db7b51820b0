/*
 * handle.c: the process-wide handle table (see internal.h for the encoding).
 *
 * Allocation and release take one lock; lookups take none. Freed slots go to
 * the tail of a FIFO list, so a slot (and with it a handle value) is reused
 * as late as possible, and its generation count makes a stale handle fail
 * even after reuse, the way Win32 HANDLE values do.
 */
#include "internal.h"

#include <stdlib.h>

mfcs__slot *volatile mfcs__chunks[MFCS__CHUNKS];

static mfcs__mutex table_lock = MFCS__MUTEX_INIT;
static uint32_t free_head, free_tail; /* index + 1, 0: empty */
static uint32_t used_slots;           /* slots ever handed out (high-water mark) */
static unsigned live_count[MFCS__KIND_COUNT];

#define GEN_MAX ((1u << (31 - MFCS__HANDLE_INDEX_BITS)) - 1)

static mfcs__slot *slot_at(uint32_t idx)
{
    return &mfcs__chunks[idx >> MFCS__CHUNK_BITS][idx & (MFCS__CHUNK_SLOTS - 1)];
}

/* Takes a free slot index, growing the table by one chunk when the free list
 * is empty. Called with the lock held. */
static int take_slot(uint32_t *idx)
{
    if (free_head) {
        *idx = free_head - 1;
        free_head = slot_at(*idx)->next_free;
        if (!free_head)
            free_tail = 0;
        return 1;
    }
    if (used_slots >= MFCS__HANDLE_MAX)
        return 0;
    if (!mfcs__chunks[used_slots >> MFCS__CHUNK_BITS]) {
        mfcs__slot *chunk = calloc(MFCS__CHUNK_SLOTS, sizeof *chunk);
        uint32_t i;
        if (!chunk)
            return 0;
        for (i = 0; i < MFCS__CHUNK_SLOTS; i++)
            chunk[i].tag = 1u << 8; /* generation 1, free */
        mfcs__store_ptr_release((void *volatile *)&mfcs__chunks[used_slots >> MFCS__CHUNK_BITS], chunk);
    }
    *idx = used_slots++;
    return 1;
}

mfcs_err mfcs__handle_alloc(int kind, void *obj, uint32_t owner,
                            mfcs__destroy_fn destroy, void **out)
{
    uint32_t idx, gen;
    mfcs__slot *s;

    mfcs__mutex_lock(&table_lock);
    if (!take_slot(&idx)) {
        mfcs__mutex_unlock(&table_lock);
        return MFCS_E_NOMEM;
    }
    s = slot_at(idx);
    gen = s->tag >> 8;
    s->obj = obj;
    s->destroy = destroy;
    s->next_free = 0;
    mfcs__store_release(&s->owner, owner);
    mfcs__store_release(&s->tag, gen << 8 | (uint32_t)kind);
    live_count[kind]++;
    mfcs__mutex_unlock(&table_lock);

    *out = (void *)(((uintptr_t)gen << (1 + MFCS__HANDLE_INDEX_BITS)) | ((uintptr_t)idx << 1) | 1u);
    return MFCS_OK;
}

/* Kills slot idx: bumps its generation and queues it for reuse. Lock held. */
static void release_slot(uint32_t idx)
{
    mfcs__slot *s = slot_at(idx);
    uint32_t gen = (s->tag >> 8) + 1;
    live_count[s->tag & 0xFF]--;
    if (gen > GEN_MAX)
        gen = 1;
    mfcs__store_release(&s->tag, gen << 8);
    s->obj = NULL;
    s->destroy = NULL;
    s->next_free = 0;
    if (free_tail)
        slot_at(free_tail - 1)->next_free = idx + 1;
    else
        free_head = idx + 1;
    free_tail = idx + 1;
}

/* The live slot h names, whatever its kind, or NULL. Lock held. */
static mfcs__slot *live_slot(const void *h, uint32_t *idx_out)
{
    uintptr_t v = (uintptr_t)h;
    uint32_t idx = (uint32_t)(v >> 1) & (MFCS__HANDLE_MAX - 1);
    uint32_t gen = (uint32_t)(v >> (1 + MFCS__HANDLE_INDEX_BITS));
    mfcs__slot *s;
    if (!(v & 1) || v > 0xFFFFFFFFu || idx >= used_slots)
        return NULL;
    s = slot_at(idx);
    if ((s->tag >> 8) != gen || !(s->tag & 0xFF))
        return NULL;
    *idx_out = idx;
    return s;
}

void mfcs__handle_release(const void *h)
{
    uint32_t idx;
    mfcs__mutex_lock(&table_lock);
    /* Releasing a handle twice must not kill the slot's next owner: the
     * generation check in live_slot prevents it. */
    if (live_slot(h, &idx))
        release_slot(idx);
    mfcs__mutex_unlock(&table_lock);
}

void mfcs__handle_set_owner(const void *h, uint32_t owner)
{
    uint32_t idx;
    mfcs__slot *s;
    mfcs__mutex_lock(&table_lock);
    if ((s = live_slot(h, &idx)) != NULL)
        mfcs__store_release(&s->owner, owner);
    mfcs__mutex_unlock(&table_lock);
}

unsigned mfcs__handle_destroy_all(int kind)
{
    unsigned n = 0;
    for (;;) {
        uint32_t idx;
        void *obj = NULL;
        mfcs__destroy_fn destroy = NULL;
        int found = 0;

        mfcs__mutex_lock(&table_lock);
        for (idx = 0; idx < used_slots; idx++) {
            mfcs__slot *s = slot_at(idx);
            if ((s->tag & 0xFF) == (uint32_t)kind) {
                obj = s->obj;
                destroy = s->destroy;
                release_slot(idx);
                found = 1;
                break;
            }
        }
        mfcs__mutex_unlock(&table_lock);
        if (!found)
            return n;
        n++;
        if (destroy)
            destroy(obj);
    }
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
