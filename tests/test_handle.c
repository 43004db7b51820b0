/* The handle table and library start/stop, tested from inside (links the
 * static library, so it sees what the DLL does not export). */
#include <criterion/criterion.h>

#include "win.h"

#include <stdlib.h>

#define OWNER_ANY 0

static int destroyed[8];
static int destroy_order[64];
static int destroy_n;

/* Stand-ins for one object of each kind: zeroed memory of a size that
 * mfcs_term's per-kind handling (a socket's blocking call is cancelled, a
 * class leaves the registry) may read safely. */
static char fake_objects[MFCS__KIND_COUNT][1024];

static void destroy_kind(void *obj)
{
    int kind = (int)(((char (*)[1024])obj) - fake_objects);
    destroyed[kind]++;
    if (destroy_n < 64)
        destroy_order[destroy_n++] = kind;
}

/* The object behind h if a pinned call of any thread would get it, else
 * NULL (the pin is given back at once). */
static void *get(const void *h, int kind)
{
    mfcs__slot *slot;
    void *obj;
    if (mfcs__pin(h, kind, MFCS__USE_ANY, &slot, &obj) != MFCS_OK)
        return NULL;
    mfcs__unpin(slot, MFCS__USE_ANY);
    return obj;
}

static mfcs_err alloc(int kind, void *obj, uint32_t owner, uint32_t flags, mfcs__destroy_fn d, void **h)
{
    return mfcs__handle_alloc(kind, obj, owner, flags, d, h, NULL);
}

/* Kills h (as close does: pinned, killed, unpinned). */
static void release(void *h, int kind)
{
    mfcs__slot *slot;
    void *obj;
    if (mfcs__pin(h, kind, MFCS__USE_ANY, &slot, &obj) == MFCS_OK) {
        mfcs__handle_kill(slot);
        mfcs__unpin(slot, MFCS__USE_ANY);
    }
}

Test(handle, live_handle_resolves_to_its_object, .timeout = 30)
{
    int obj;
    void *h;
    cr_assert_eq(alloc(MFCS__KIND_FILE, &obj, OWNER_ANY, 0, NULL, &h), MFCS_OK);
    cr_assert_eq(get(h, MFCS__KIND_FILE), &obj);
    cr_assert((uintptr_t)h & 1, "handle %p is not odd", h);
    release(h, MFCS__KIND_FILE);
    cr_assert_null(get(h, MFCS__KIND_FILE));
}

Test(handle, closed_handle_is_dead_even_after_slot_reuse, .timeout = 30)
{
    int a, b;
    void *h1, *h2;
    int i;
    cr_assert_eq(alloc(MFCS__KIND_FILE, &a, OWNER_ANY, 0, NULL, &h1), MFCS_OK);
    release(h1, MFCS__KIND_FILE);
    cr_assert_null(get(h1, MFCS__KIND_FILE));
    /* Churn until the same slot comes back: the old handle must still fail. */
    for (i = 0; i < 5000; i++) {
        cr_assert_eq(alloc(MFCS__KIND_FILE, &b, OWNER_ANY, 0, NULL, &h2), MFCS_OK);
        if ((((uintptr_t)h2 ^ (uintptr_t)h1) & ((MFCS__HANDLE_MAX - 1) << 1)) == 0)
            break;
        release(h2, MFCS__KIND_FILE);
    }
    cr_assert_lt(i, 5000, "slot never reused");
    cr_assert_neq(h1, h2);
    cr_assert_null(get(h1, MFCS__KIND_FILE));
    cr_assert_eq(get(h2, MFCS__KIND_FILE), &b);
    /* Releasing the stale handle again must not kill the slot's new owner. */
    release(h1, MFCS__KIND_FILE);
    cr_assert_eq(get(h2, MFCS__KIND_FILE), &b);
    release(h2, MFCS__KIND_FILE);
}

/* A program that opens and closes one object at a time: the closed
 * handle's value must not come back for a long time (internal.h says how
 * long on each arch; the README and base.h repeat it). Before, it came back
 * after 2,047 cycles and then acted on the new object. */
Test(handle, a_stale_handle_stays_dead_for_a_million_one_at_a_time_cycles, .timeout = 300)
{
    int a, b;
    void *h1, *h2;
    unsigned i, cycles = 1u << 20;
    cr_assert_eq(alloc(MFCS__KIND_FILE, &a, OWNER_ANY, 0, NULL, &h1), MFCS_OK);
    release(h1, MFCS__KIND_FILE);
    for (i = 0; i < cycles; i++) {
        cr_assert_eq(alloc(MFCS__KIND_FILE, &b, OWNER_ANY, 0, NULL, &h2), MFCS_OK);
        if (h2 == h1)
            cr_assert_fail("the closed handle %p came back after %u cycles", h1, i + 1);
        release(h2, MFCS__KIND_FILE);
    }
    cr_assert_null(get(h1, MFCS__KIND_FILE));
}

Test(handle, generations_cover_what_the_header_promises, .timeout = 30)
{
    /* The exact figures base.h gives users. */
#if UINTPTR_MAX > 0xFFFFFFFFu
    cr_assert_eq((uint64_t)MFCS__GEN_MAX, ((uint64_t)1 << 43) - 1);
#else
    cr_assert_eq((uint64_t)MFCS__GEN_MAX, 2047);
#endif
    cr_assert_eq(MFCS__CHUNK_SLOTS, 1024);
}

Test(handle, wrong_kind_null_and_forged_values_fail, .timeout = 30)
{
    int obj, local;
    void *h;
    void *heap = malloc(64);
    cr_assert_eq(alloc(MFCS__KIND_SOCKET, &obj, OWNER_ANY, 0, NULL, &h), MFCS_OK);
    cr_assert_null(get(h, MFCS__KIND_ARCHIVE));
    cr_assert_null(get(h, MFCS__KIND_FILE));
    cr_assert_null(get(NULL, MFCS__KIND_SOCKET));
    cr_assert_null(get(&local, MFCS__KIND_SOCKET));
    cr_assert_null(get(heap, MFCS__KIND_SOCKET));
    cr_assert_null(get((void *)(uintptr_t)0xFFFFFFFFu, MFCS__KIND_SOCKET));
    cr_assert_null(get((void *)(uintptr_t)1, MFCS__KIND_SOCKET));
    cr_assert_null(get((void *)((uintptr_t)h ^ ((uintptr_t)1 << MFCS__GEN_SHIFT)), MFCS__KIND_SOCKET),
                   "a neighbouring generation resolved");
    cr_assert_null(get((void *)((uintptr_t)h + 2), MFCS__KIND_SOCKET),
                   "a neighbouring slot resolved");
#if UINTPTR_MAX > 0xFFFFFFFFu
    cr_assert_null(get((void *)((uintptr_t)h | ((uintptr_t)1 << 62)), MFCS__KIND_SOCKET));
#endif
    free(heap);
    release(h, MFCS__KIND_SOCKET);
}

struct owner_probe { void *h; mfcs_err err; };
static DWORD WINAPI probe_owner(void *arg)
{
    struct owner_probe *p = arg;
    mfcs__slot *slot;
    void *obj = NULL;
    p->err = mfcs__pin(p->h, MFCS__KIND_SOCKET, MFCS__USE_OWNER, &slot, &obj);
    if (!p->err)
        mfcs__unpin(slot, MFCS__USE_OWNER);
    return 0;
}

static mfcs_err owned_from_other_thread(void *h)
{
    struct owner_probe p = { h, -1 };
    HANDLE t = CreateThread(NULL, 0, probe_owner, &p, 0, NULL);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    return p.err;
}

Test(handle, owner_thread_is_checked_and_can_move, .timeout = 30)
{
    int obj;
    void *h, *got = NULL;
    mfcs__slot *slot;
    cr_assert_eq(mfcs__handle_alloc(MFCS__KIND_SOCKET, &obj, GetCurrentThreadId(), MFCS__SLOT_BOUND,
                                    NULL, &h, &slot), MFCS_OK);
    cr_assert_eq(mfcs__pin(h, MFCS__KIND_SOCKET, MFCS__USE_OWNER, &slot, &got), MFCS_OK);
    mfcs__unpin(slot, MFCS__USE_OWNER);
    cr_assert_eq(got, &obj);
    cr_assert_eq(owned_from_other_thread(h), MFCS_E_WRONGTHREAD);
    mfcs__handle_set_owner(slot, OWNER_ANY);
    cr_assert_eq(owned_from_other_thread(h), MFCS_OK);
    release(h, MFCS__KIND_SOCKET);
    cr_assert_eq(owned_from_other_thread(h), MFCS_E_BADHANDLE);
    cr_assert_eq(mfcs__pin(h, MFCS__KIND_SOCKET, MFCS__USE_OWNER, &slot, &got), MFCS_E_BADHANDLE);
}

/* An unbound object moves to the thread that calls it; a call while
 * another thread is inside one is refused. */
Test(handle, an_unbound_object_follows_its_caller_one_thread_at_a_time, .timeout = 30)
{
    int obj;
    void *h, *got;
    mfcs__slot *slot, *mine;
    cr_assert_eq(mfcs__handle_alloc(MFCS__KIND_FILE, &obj, 0, 0, NULL, &h, &slot), MFCS_OK);
    cr_assert_eq(owned_from_other_thread(h), MFCS_E_BADHANDLE, "a socket-kind lookup of a file");
    cr_assert_eq(mfcs__pin(h, MFCS__KIND_FILE, MFCS__USE_OWNER, &mine, &got), MFCS_OK);
    cr_assert_eq(slot->owner, GetCurrentThreadId());
    cr_assert_eq(slot->user, GetCurrentThreadId());
    mfcs__unpin(mine, MFCS__USE_OWNER);
    cr_assert_eq(slot->user, 0);
    release(h, MFCS__KIND_FILE);
}

/* The last unpin of a dead handle frees the object, on whichever thread. */
static int freed_count;
static void count_free(void *obj) { (void)obj; freed_count++; }

Test(handle, a_pinned_object_outlives_its_handle, .timeout = 30)
{
    void *h, *obj;
    mfcs__slot *slot, *pin;
    freed_count = 0;
    cr_assert_eq(mfcs__handle_alloc(MFCS__KIND_FILE, &freed_count, 0, 0, count_free, &h, &slot), MFCS_OK);
    cr_assert_eq(mfcs__pin(h, MFCS__KIND_FILE, MFCS__USE_ANY, &pin, &obj), MFCS_OK);
    release(h, MFCS__KIND_FILE);
    cr_assert_eq(freed_count, 0, "freed while pinned");
    cr_assert_null(get(h, MFCS__KIND_FILE), "a dead handle still resolves");
    cr_assert_eq(mfcs__pin(h, MFCS__KIND_FILE, MFCS__USE_DYING, &slot, &obj), MFCS_OK,
                 "the one call that may see a dying object cannot");
    mfcs__unpin(slot, MFCS__USE_ANY);
    mfcs__unpin(pin, MFCS__USE_ANY);
    cr_assert_eq(freed_count, 1);
    cr_assert_eq(mfcs__pin(h, MFCS__KIND_FILE, MFCS__USE_DYING, &slot, &obj), MFCS_E_BADHANDLE);
    cr_assert_eq(mfcs__handle_held(), 0);
}

/* The owner check reads the thread id from the TEB itself (platform.h): it
 * must be GetCurrentThreadId's value on every thread, or every socket call
 * would get MFCS_E_WRONGTHREAD (or, worse, none would). */
static DWORD WINAPI report_ids(void *arg)
{
    DWORD *ids = arg;
    ids[0] = GetCurrentThreadId();
    ids[1] = mfcs__thread_id();
    return 0;
}

Test(handle, thread_id_read_from_the_teb_is_the_systems, .timeout = 30)
{
    DWORD ids[8][2];
    HANDLE t[8];
    int i;
    cr_assert_eq(mfcs__thread_id(), GetCurrentThreadId(), "TEB says %lu, GetCurrentThreadId %lu",
                 (unsigned long)mfcs__thread_id(), GetCurrentThreadId());
    for (i = 0; i < 8; i++)
        t[i] = CreateThread(NULL, 0, report_ids, ids[i], 0, NULL);
    WaitForMultipleObjects(8, t, TRUE, INFINITE);
    for (i = 0; i < 8; i++) {
        CloseHandle(t[i]);
        cr_assert_neq(ids[i][0], 0);
        cr_assert_eq(ids[i][1], ids[i][0], "thread %d: TEB says %lu, GetCurrentThreadId %lu",
                     i, (unsigned long)ids[i][1], (unsigned long)ids[i][0]);
    }
}
Test(handle, table_full_gives_nomem_and_recovers, .timeout = 120)
{
    void **hs = malloc(sizeof(void *) * (MFCS__HANDLE_MAX + 1));
    unsigned n = 0, i, live0 = mfcs__handle_live(0);
    mfcs_err err = MFCS_OK;
    cr_assert_not_null(hs);
    while (n <= MFCS__HANDLE_MAX && (err = alloc(MFCS__KIND_CLASS, NULL, OWNER_ANY, 0, NULL, &hs[n])) == MFCS_OK)
        n++;
    cr_assert_eq(err, MFCS_E_NOMEM, "stopped at %u with %d", n, err);
    cr_assert_eq(n + live0, MFCS__HANDLE_MAX, "got %u handles", n);
    for (i = 0; i < n; i++)
        release(hs[i], MFCS__KIND_CLASS);
    cr_assert_eq(mfcs__handle_live(0), live0);
    cr_assert_eq(alloc(MFCS__KIND_CLASS, NULL, OWNER_ANY, 0, NULL, &hs[0]), MFCS_OK);
    release(hs[0], MFCS__KIND_CLASS);
    free(hs);
}

static DWORD WINAPI churn(void *arg)
{
    int i, obj;
    (void)arg;
    for (i = 0; i < 20000; i++) {
        void *h;
        if (alloc(MFCS__KIND_ARCHIVE, &obj, OWNER_ANY, 0, NULL, &h) != MFCS_OK)
            return 1;
        if (get(h, MFCS__KIND_ARCHIVE) != &obj)
            return 2;
        release(h, MFCS__KIND_ARCHIVE);
        if (get(h, MFCS__KIND_ARCHIVE) != NULL)
            return 3;
    }
    return 0;
}

Test(handle, concurrent_alloc_and_release_keep_handles_distinct, .timeout = 60)
{
    HANDLE t[4];
    DWORD code;
    int i;
    unsigned live0 = mfcs__handle_live(0);
    for (i = 0; i < 4; i++)
        t[i] = CreateThread(NULL, 0, churn, NULL, 0, NULL);
    WaitForMultipleObjects(4, t, TRUE, INFINITE);
    for (i = 0; i < 4; i++) {
        GetExitCodeThread(t[i], &code);
        cr_assert_eq(code, 0, "thread %d failed with %lu", i, (unsigned long)code);
        CloseHandle(t[i]);
    }
    cr_assert_eq(mfcs__handle_live(0), live0);
}

/* ---- init / term ---- */

Test(library, init_and_term_are_counted, .timeout = 30)
{
    cr_assert(!mfcs__initialized());
    cr_assert_eq(mfcs_init(), MFCS_OK);
    cr_assert_eq(mfcs_init(), MFCS_OK);
    cr_assert(mfcs__initialized());
    mfcs_term();
    cr_assert(mfcs__initialized(), "the first term of two stopped the library");
    mfcs_term();
    cr_assert(!mfcs__initialized());
    mfcs_term(); /* unbalanced: does nothing */
    cr_assert(!mfcs__initialized());
    cr_assert_eq(mfcs_init(), MFCS_OK);
    cr_assert(mfcs__initialized());
    mfcs_term();
}

static DWORD WINAPI init_term_thread(void *arg)
{
    int i;
    (void)arg;
    for (i = 0; i < 200; i++) {
        if (mfcs_init() != MFCS_OK)
            return 1;
        if (!mfcs__initialized())
            return 2;
        mfcs_term();
    }
    return 0;
}

Test(library, init_and_term_from_many_threads, .timeout = 60)
{
    HANDLE t[4];
    int i;
    DWORD code;
    cr_assert_eq(mfcs_init(), MFCS_OK);
    for (i = 0; i < 4; i++)
        t[i] = CreateThread(NULL, 0, init_term_thread, NULL, 0, NULL);
    WaitForMultipleObjects(4, t, TRUE, INFINITE);
    for (i = 0; i < 4; i++) {
        GetExitCodeThread(t[i], &code);
        cr_assert_eq(code, 0, "thread %d failed with %lu", i, (unsigned long)code);
        CloseHandle(t[i]);
    }
    cr_assert(mfcs__initialized());
    mfcs_term();
    cr_assert(!mfcs__initialized());
}

Test(library, last_term_frees_every_live_object_archives_first, .timeout = 30)
{
    void *h[4];
    static const int kinds[4] = { MFCS__KIND_SOCKET, MFCS__KIND_CLASS, MFCS__KIND_ARCHIVE, MFCS__KIND_FILE };
    int i;
    cr_assert_eq(mfcs_init(), MFCS_OK);
    for (i = 0; i < 4; i++)
        cr_assert_eq(alloc(kinds[i], fake_objects[kinds[i]], OWNER_ANY, 0,
                           destroy_kind, &h[i]), MFCS_OK);
    destroy_n = 0;
    mfcs_term();
    cr_assert_eq(destroy_n, 4);
    cr_assert_eq(destroy_order[0], MFCS__KIND_ARCHIVE);
    cr_assert_eq(destroy_order[1], MFCS__KIND_FILE);
    cr_assert_eq(destroy_order[2], MFCS__KIND_SOCKET);
    cr_assert_eq(destroy_order[3], MFCS__KIND_CLASS);
    for (i = 0; i < 4; i++)
        cr_assert_null(get(h[i], kinds[i]));
    cr_assert_eq(mfcs__handle_live(0), 0);
}
