/* Lifetime edges, through the DLL as a user links it: mfcs_term while a
 * callback or another thread still uses an object, a stale handle after a
 * million one-at-a-time cycles, mfcs_pump(0) against handlers that keep
 * posting, mfcs_term with many live objects. Each of these crashed,
 * resurrected a handle or hung before (issue 12). */
#include "socket_util.h"


#include "point_class.h"

/* "AB 12 ..." into bytes; returns the count. */
static size_t unhex_local(const char *hex, unsigned char *out)
{
    size_t n = 0;
    unsigned v;
    while (*hex) {
        if (*hex == ' ') {
            hex++;
            continue;
        }
        cr_assert_eq(sscanf(hex, "%2x", &v), 1);
        out[n++] = (unsigned char)v;
        hex += 2;
    }
    return n;
}

/* ---- mfcs_term inside a loading serialize ---- */

/* The class is freed by mfcs_term under the archive that still uses it
 * unless the archive's use keeps it: memory of the class's size is then
 * taken again and scribbled, so a read of the freed class (its destroy
 * pointer) would jump into the scribble. */
static int destroyed_with_ctx;
static void *MFCS_CALL t_create(void *ctx) { (void)ctx; return malloc(16); }
static void MFCS_CALL t_destroy(void *o, void *ctx)
{
    if (ctx == (void *)&destroyed_with_ctx)
        destroyed_with_ctx++;
    free(o);
}
static mfcs_err MFCS_CALL term_inside_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    void *scribble[256];
    int32_t v = 0;
    int i;
    (void)o;
    (void)ctx;
    mfcs_term();
    for (i = 0; i < 256; i++) {
        scribble[i] = malloc(120 + (i % 8) * 8);
        if (scribble[i])
            memset(scribble[i], 0xCC, 120 + (i % 8) * 8);
    }
    for (i = 0; i < 256; i++)
        free(scribble[i]);
    /* The archive's handle died with mfcs_term. */
    return mfcs_archive_read_i32(ar, &v);
}

Test(term, inside_a_loading_serialize_the_class_outlives_the_call, .timeout = 30)
{
    static const mfcs_class_ops ops = { t_create, term_inside_serialize, t_destroy };
    unsigned char doc[64];
    mfcs_class *cls;
    mfcs_file *f;
    mfcs_archive *ar;
    void *obj = (void *)1;
    size_t n = unhex_local("FF FF 01 00 06 00 43 54 65 72 6D 31 07 00 00 00", doc);
    OK(mfcs_init());
    OK(mfcs_class_register(&cls, "CTerm1", 1, &ops, &destroyed_with_ctx));
    OK(mfcs_file_open_memory(&f, doc, n));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    destroyed_with_ctx = 0;
    ERR(mfcs_archive_read_object(ar, NULL, &obj, NULL), MFCS_E_BADHANDLE);
    cr_assert_null(obj);
    cr_assert_eq(destroyed_with_ctx, 1, "the half-made object went through %d destroys", destroyed_with_ctx);
    /* Everything went with mfcs_term, after the call that held it. */
    ERR(mfcs_archive_close(ar), MFCS_E_BADHANDLE);
    ERR(mfcs_file_close(f), MFCS_E_BADHANDLE);
    ERR(mfcs_class_unregister(cls), MFCS_E_BADHANDLE);
}

/* ---- mfcs_term on another thread while this one streams values ---- */

typedef struct writer {
    mfcs_archive *ar;
    HANDLE started;
    volatile long values;
    mfcs_err last;
} writer;

static DWORD WINAPI write_until_refused(void *arg)
{
    writer *w = (writer *)arg;
    mfcs_err err;
    SetEvent(w->started);
    while ((err = mfcs_archive_write_u32(w->ar, (uint32_t)w->values)) == MFCS_OK)
        w->values++;
    w->last = err;
    return 0;
}

/* A 1 MiB buffer is its own mapping: written after it was freed, it faults
 * at once. */
Test(term, on_another_thread_never_frees_a_buffer_under_a_writer, .timeout = 60)
{
    int round;
    for (round = 0; round < 20; round++) {
        writer w = { 0 };
        mfcs_file *f;
        HANDLE t;
        OK(mfcs_init());
        OK(mfcs_file_open_memory(&f, NULL, 0));
        OK(mfcs_archive_open(&w.ar, f, MFCS_STORE, 1 << 20));
        w.started = CreateEventA(NULL, TRUE, FALSE, NULL);
        t = CreateThread(NULL, 0, write_until_refused, &w, 0, NULL);
        WaitForSingleObject(w.started, INFINITE);
        Sleep(round % 3);
        mfcs_term();
        cr_assert_eq(WaitForSingleObject(t, 10000), WAIT_OBJECT_0, "the writer did not stop");
        /* It went on into the buffer (memory files grow) until the handle
         * died, then got the dead handle's answer. */
        cr_assert_eq(w.last, MFCS_E_BADHANDLE, "round %d: stopped with 0x%08X", round, (unsigned)w.last);
        ERR(mfcs_archive_write_u32(w.ar, 1), MFCS_E_BADHANDLE);
        CloseHandle(t);
        CloseHandle(w.started);
    }
}

/* ---- handle reuse ---- */

/* One object at a time, a million times: the first one's closed handle
 * must not come to life again (it did after 2,047 cycles, and then acted
 * on the new object). */
Test(handles, a_closed_handle_stays_dead_through_a_million_reuses, .timeout = 300)
{
    mfcs_file *first, *f;
    unsigned i;
    OK(mfcs_file_open_memory(&first, NULL, 0));
    OK(mfcs_file_close(first));
    for (i = 0; i < (1u << 20); i++) {
        OK(mfcs_file_open_memory(&f, "x", 1));
        if (f == first)
            cr_assert_fail("the closed handle %p came back after %u cycles", (void *)first, i + 1);
        OK(mfcs_file_close(f));
    }
    ERR(mfcs_file_close(first), MFCS_E_BADHANDLE);
}

/* ---- mfcs_pump(0) is bounded ---- */

#define REPOST_MSG (WM_APP + 7)
static volatile long reposts;
static LRESULT CALLBACK reposting_proc(HWND h, UINT msg, WPARAM wp, LPARAM lp)
{
    if (msg == REPOST_MSG) {
        /* A handler that answers every message with another (as a socket
         * callback whose send is answered at once). */
        if (++reposts < 200000)
            PostMessageA(h, REPOST_MSG, 0, 0);
        return 0;
    }
    return DefWindowProcA(h, msg, wp, lp);
}

Test(pump, zero_timeout_dispatches_what_was_queued_not_what_handlers_post, .timeout = 30)
{
    HWND h = message_window("mfcsock_test_reposting", reposting_proc);
    unsigned n = 0;
    ULONGLONG t0;
    cr_assert_not_null(h);
    reposts = 0;
    PostMessageA(h, REPOST_MSG, 0, 0);
    PostMessageA(h, REPOST_MSG, 0, 0);
    t0 = GetTickCount64();
    OK(mfcs_pump(0, &n));
    cr_assert_eq(n, 2, "dispatched %u (%ld reposts) in %llu ms", n, (long)reposts,
                 (unsigned long long)(GetTickCount64() - t0));
    /* The next call gets what the handlers posted, and again only that. */
    OK(mfcs_pump(0, &n));
    cr_assert_eq(n, 2);
    cr_assert_eq(reposts, 4);
    DestroyWindow(h);
}

/* A callback may pump too: the inner call ends where the outer began. */
static unsigned inner_dispatched;
static int nested_once;
static LRESULT CALLBACK nesting_proc(HWND h, UINT msg, WPARAM wp, LPARAM lp)
{
    if (msg == REPOST_MSG) {
        PostMessageA(h, REPOST_MSG + 1, 0, 0);
        if (!nested_once++)
            mfcs_pump(0, &inner_dispatched);
        return 0;
    }
    if (msg == REPOST_MSG + 1)
        return 0;
    return DefWindowProcA(h, msg, wp, lp);
}

Test(pump, nested_pumps_each_end, .timeout = 30)
{
    HWND h = message_window("mfcsock_test_nesting", nesting_proc);
    unsigned n = 0;
    cr_assert_not_null(h);
    PostMessageA(h, REPOST_MSG, 0, 0);
    PostMessageA(h, REPOST_MSG, 0, 0);
    OK(mfcs_pump(0, &n));
    /* The outer: its two; the inner, from inside the first: the second
     * REPOST_MSG and the first handler's post, then the outer's end. */
    cr_assert_geq(n, 1);
    cr_assert_leq(n + inner_dispatched, 4, "outer %u, inner %u", n, inner_dispatched);
    DestroyWindow(h);
}

/* ---- mfcs_term with many live objects ---- */

/* Freeing every live object was quadratic (a scan of the table for each):
 * 100,000 objects took minutes. */
Test(term, frees_a_hundred_thousand_objects_in_linear_time, .timeout = 120)
{
    enum { N = 100000 };
    static mfcs_file *f[N];
    ULONGLONG t0, small, big;
    int i;
    OK(mfcs_init());
    for (i = 0; i < N / 10; i++)
        OK(mfcs_file_open_memory(&f[i], NULL, 0));
    t0 = GetTickCount64();
    mfcs_term();
    small = GetTickCount64() - t0;
    OK(mfcs_init());
    for (i = 0; i < N; i++)
        OK(mfcs_file_open_memory(&f[i], NULL, 0));
    t0 = GetTickCount64();
    mfcs_term();
    big = GetTickCount64() - t0;
    /* Ten times the objects, not a hundred times the time. */
    cr_assert_lt(big, 2000 + 20 * small, "10,000 objects: %llu ms, 100,000: %llu ms",
                 (unsigned long long)small, (unsigned long long)big);
    ERR(mfcs_file_close(f[N - 1]), MFCS_E_BADHANDLE);
}
