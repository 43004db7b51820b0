/* Races, free-running and bounded: threads doing what a multi-threaded
 * program does to the same handles at the same time. Each race below
 * crashed, corrupted the heap, or left an object unfreeable before (issue
 * 18); tests/test_races_hooked.c forces the narrowest ones at an exact
 * instruction. Every loop has a fixed count, so a run takes the same work
 * each time and a failure is a bug, never noise. */
#include "socket_util.h"

#define ROUNDS_RACE 20000

/* ---- a call from another thread racing the owner's free ---- */

typedef struct churn {
    mfcs_socket *volatile current;
    volatile LONG stop;
    HANDLE started;
} churn;

static DWORD WINAPI new_create_free(void *arg)
{
    churn *c = arg;
    int i;
    SetEvent(c->started);
    for (i = 0; i < ROUNDS_RACE / 10; i++) {
        mfcs_socket *s;
        if (mfcs_socket_new(&s, MFCS_ASYNC, NULL, NULL) != MFCS_OK)
            return 1;
        c->current = s;
        if (mfcs_socket_create(s, 0, MFCS_STREAM, 0, "127.0.0.1") != MFCS_OK)
            return 2;
        if (mfcs_socket_free(s) != MFCS_OK)
            return 3;
    }
    InterlockedExchange(&c->stop, 1);
    return 0;
}

/* mfcs_socket_mode from this thread on the other's socket: WRONGTHREAD
 * (created: its thread's), OK with the right mode (not created yet or
 * closed: nobody's), or BADHANDLE (freed), never anything else, never a
 * crash (it read a NULL object within 0.2 s). */
Test(races, a_call_from_another_thread_racing_the_owners_free, .init = init_lib, .fini = term_lib, .timeout = 120)
{
    churn c = { 0 };
    HANDLE t;
    DWORD code;
    long calls = 0, ok = 0, wrong = 0, bad = 0;
    c.started = CreateEventA(NULL, TRUE, FALSE, NULL);
    t = CreateThread(NULL, 0, new_create_free, &c, 0, NULL);
    WaitForSingleObject(c.started, INFINITE);
    while (!c.stop) {
        mfcs_socket *s = c.current;
        int mode = -1;
        mfcs_err err;
        if (!s)
            continue;
        err = mfcs_socket_mode(s, &mode);
        calls++;
        if (err == MFCS_OK) {
            cr_assert_eq(mode, MFCS_ASYNC, "mode %d", mode);
            ok++;
        } else if (err == MFCS_E_WRONGTHREAD) {
            wrong++;
        } else {
            cr_assert_eq(err, MFCS_E_BADHANDLE, "0x%08X", (unsigned)err);
            bad++;
        }
    }
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &code);
    cr_assert_eq(code, 0, "the owner failed at step %lu", (unsigned long)code);
    cr_assert_gt(calls, 0);
    CloseHandle(t);
    CloseHandle(c.started);
}

/* ---- cancel_blocking_call on handles whose slot is being reused ---- */

typedef struct canceller {
    void *volatile target;   /* a socket handle, live or stale */
    volatile LONG stop;
    long calls;
} canceller;

static DWORD WINAPI cancel_whatever(void *arg)
{
    canceller *c = arg;
    while (!c->stop) {
        mfcs_err err = mfcs_socket_cancel_blocking_call((mfcs_socket *)c->target);
        if (err != MFCS_OK && err != MFCS_E_BADHANDLE && err != MFCS_E_NOTBLOCKING)
            return (DWORD)err;
        c->calls++;
    }
    return 0;
}

/* One thread cancels the handle of a blocking socket that this thread
 * frees again and again, while memory files and archives (and other
 * sockets) take the freed slots: a cancel must act on that socket or on
 * nothing (it wrote into the next heap block and signalled a garbage
 * handle). The files' contents prove nothing was written into them. */
Test(races, cancel_never_reaches_what_reused_the_slot, .init = init_lib, .fini = term_lib, .timeout = 120)
{
    canceller c = { 0 };
    HANDLE t = CreateThread(NULL, 0, cancel_whatever, &c, 0, NULL);
    DWORD code;
    int i;
    for (i = 0; i < ROUNDS_RACE / 4; i++) {
        mfcs_socket *s;
        mfcs_file *f;
        mfcs_archive *ar;
        const void *data;
        size_t len;
        OK(mfcs_socket_new(&s, MFCS_BLOCKING, NULL, NULL));
        c.target = s;
        OK(mfcs_socket_free(s));
        OK(mfcs_file_open_memory(&f, NULL, 0));
        OK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
        OK(mfcs_archive_write_u32(ar, 0xA5A5A5A5u));
        OK(mfcs_archive_close(ar));
        OK(mfcs_file_memory_data(f, &data, &len));
        cr_assert_eq(len, 4);
        cr_assert_eq(*(const uint32_t *)data, 0xA5A5A5A5u);
        OK(mfcs_file_close(f));
    }
    InterlockedExchange(&c.stop, 1);
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &code);
    cr_assert_eq(code, 0, "a cancel returned 0x%08X", (unsigned)code);
    CloseHandle(t);
}

/* ---- mfcs_socket_free racing another thread's last mfcs_term ---- */

typedef struct termer {
    volatile LONG stop;
    int rounds;
} termer;

static DWORD WINAPI init_term_loop(void *arg)
{
    termer *tm = arg;
    while (!tm->stop) {
        if (mfcs_init() != MFCS_OK)
            return 1;
        mfcs_term();
        tm->rounds++;
    }
    return 0;
}

static DWORD WINAPI sockets_then_free(void *arg)
{
    int i;
    (void)arg;
    for (i = 0; i < 300; i++) {
        mfcs_socket *s[2];
        int k;
        if (mfcs_init() != MFCS_OK)
            return 1;
        for (k = 0; k < 2; k++) {
            if (mfcs_socket_new(&s[k], MFCS_ASYNC, NULL, NULL) != MFCS_OK)
                s[k] = NULL;   /* another thread's last term came first */
            else
                mfcs_socket_create(s[k], 0, MFCS_STREAM, 0, "127.0.0.1");
        }
        mfcs_term();            /* not the last: the others' may be */
        for (k = 0; k < 2; k++)
            if (s[k]) {
                mfcs_err err = mfcs_socket_free(s[k]);
                if (err != MFCS_OK && err != MFCS_E_BADHANDLE)
                    return 2;
            }
    }
    mfcs_thread_term();
    return 0;
}

/* It corrupted the heap (a crash in calloc, 7 runs of 7 within 3 s). */
Test(races, free_racing_another_threads_last_term, .timeout = 120)
{
    termer tm = { 0 };
    HANDLE loops[3], owner;
    DWORD code;
    int i;
    for (i = 0; i < 3; i++)
        loops[i] = CreateThread(NULL, 0, init_term_loop, &tm, 0, NULL);
    owner = CreateThread(NULL, 0, sockets_then_free, NULL, 0, NULL);
    WaitForSingleObject(owner, INFINITE);
    GetExitCodeThread(owner, &code);
    cr_assert_eq(code, 0, "the owner failed at step %lu", (unsigned long)code);
    InterlockedExchange(&tm.stop, 1);
    WaitForMultipleObjects(3, loops, TRUE, INFINITE);
    for (i = 0; i < 3; i++) {
        GetExitCodeThread(loops[i], &code);
        cr_assert_eq(code, 0);
        CloseHandle(loops[i]);
    }
    CloseHandle(owner);
    /* The heap is whole: a large allocation and free still work. */
    {
        void *p = malloc(1 << 20);
        cr_assert_not_null(p);
        free(p);
    }
}

/* ---- sockets freed by another thread's mfcs_term give their slots back ---- */

typedef struct maker {
    HANDLE make, made;
    volatile LONG stop;
    int batch;
    mfcs_err err;
} maker;

static DWORD WINAPI make_batches(void *arg)
{
    maker *m = arg;
    for (;;) {
        int i;
        WaitForSingleObject(m->make, INFINITE);
        if (m->stop)
            break;
        for (i = 0; i < m->batch && !m->err; i++) {
            mfcs_socket *s;
            if ((m->err = mfcs_socket_new(&s, MFCS_ASYNC, NULL, NULL)) == MFCS_OK)
                m->err = mfcs_socket_create(s, 0, MFCS_DGRAM, 0, "127.0.0.1");
        }
        SetEvent(m->made);
    }
    mfcs_thread_term();
    return 0;
}

/* A thread's window has 15,871 messages for sockets. After that many of
 * its sockets were freed by mfcs_term on another thread, its next create
 * got WSAEMFILE while it owned none. */
Test(races, sockets_freed_by_another_threads_term_free_their_slots, .timeout = 300)
{
    maker m = { 0 };
    HANDLE t;
    int round;
    m.make = CreateEventA(NULL, FALSE, FALSE, NULL);
    m.made = CreateEventA(NULL, FALSE, FALSE, NULL);
    m.batch = 2000;
    t = CreateThread(NULL, 0, make_batches, &m, 0, NULL);
    for (round = 0; round < 9; round++) {   /* 18,000 sockets in all */
        OK(mfcs_init());
        SetEvent(m.make);
        WaitForSingleObject(m.made, INFINITE);
        cr_assert_eq(m.err, MFCS_OK, "round %d: 0x%08X (%s)", round, (unsigned)m.err, mfcs_strerror(m.err));
        mfcs_term();   /* frees the other thread's sockets */
    }
    InterlockedExchange(&m.stop, 1);
    SetEvent(m.make);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    CloseHandle(m.make);
    CloseHandle(m.made);
}

/* ---- two threads on one memory archive ---- */

typedef struct sharer {
    mfcs_archive *ar;
    volatile LONG *go;
    long ok, refused;
    mfcs_err other;
} sharer;

static DWORD WINAPI write_strings(void *arg)
{
    sharer *sh = arg;
    int i;
    while (!*sh->go)
        ;
    for (i = 0; i < ROUNDS_RACE; i++) {
        /* Each flush is a file call: the archive counts them. */
        mfcs_err err = mfcs_archive_write_string_a(sh->ar, "abc", 3);
        if (err == MFCS_OK && (err = mfcs_archive_flush(sh->ar)) == MFCS_OK)
            sh->ok++;
        else if (err == MFCS_E_WRONGTHREAD)
            sh->refused++;
        else if (!sh->other)
            sh->other = err;
    }
    return 0;
}

/* Misuse (the rule is one thread at a time), but it may only cost values,
 * never the archive: it stuck in MFCS_E_INPROGRESS for good and could
 * never be closed. Now one of two calls at the same time is refused. */
Test(races, two_threads_on_one_memory_archive_leave_it_closable, .init = init_lib, .fini = term_lib, .timeout = 120)
{
    volatile LONG go = 0;
    sharer a = { 0 }, b = { 0 };
    HANDLE t[2];
    mfcs_file *f;
    mfcs_archive *ar;
    mfcs_err err;
    OK(mfcs_file_open_memory(&f, NULL, 0));
    OK(mfcs_archive_open(&ar, f, MFCS_STORE, 128));
    a.ar = b.ar = ar;
    a.go = b.go = &go;
    t[0] = CreateThread(NULL, 0, write_strings, &a, 0, NULL);
    t[1] = CreateThread(NULL, 0, write_strings, &b, 0, NULL);
    InterlockedExchange(&go, 1);
    WaitForMultipleObjects(2, t, TRUE, INFINITE);
    CloseHandle(t[0]);
    CloseHandle(t[1]);
    cr_assert_eq(a.other, MFCS_OK, "0x%08X (%s)", (unsigned)a.other, mfcs_strerror(a.other));
    cr_assert_eq(b.other, MFCS_OK, "0x%08X (%s)", (unsigned)b.other, mfcs_strerror(b.other));
    cr_assert_eq(a.ok + a.refused + b.ok + b.refused, 2 * ROUNDS_RACE);
    err = mfcs_archive_close(ar);
    cr_assert_eq(err, MFCS_OK, "close -> 0x%08X (%s)", (unsigned)err, mfcs_strerror(err));
    OK(mfcs_file_close(f));
}
