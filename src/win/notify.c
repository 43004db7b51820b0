/*
 * notify.c: the per-thread hidden notification window, per-thread state,
 * held WM_QUITs, mfcs_pump, and what a DLL unload needs.
 *
 * MFC makes a hidden top-level window per thread; ours is message-only
 * (HWND_MESSAGE): it never shows up in window enumeration or broadcasts and
 * works on a headless machine. Per-thread state hangs off a fiber-local
 * storage slot whose destructor runs at thread exit, so a thread that never
 * calls mfcs_thread_term still gets cleaned up.
 *
 * Unloading. A plugin host may FreeLibrary this DLL while threads that used
 * it live on. Two things would then run our code: the fiber-local-storage
 * destructor at those threads' exit, and the window procedure of their
 * notification windows (the system destroys a thread's windows when it
 * exits, sending them messages). mfcs_term makes other threads' windows
 * inert (DefWindowProc), and DllMain frees the storage slot when the DLL is
 * unloaded, which is all DllMain does: no User32, no Winsock.
 */
#include "win.h"

#include <stdio.h>
#include <stdlib.h>

static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
static DWORD fls_index = FLS_OUT_OF_INDEXES;
static ATOM window_class;
static char class_name[64];
static HINSTANCE module;
static mfcs__message_fn message_handler;
static volatile LONG unloading;

static CRITICAL_SECTION threads_cs;
static INIT_ONCE threads_once = INIT_ONCE_STATIC_INIT;
static mfcs__thread *threads;   /* every thread's state */

static BOOL CALLBACK init_threads_lock(INIT_ONCE *o, void *param, void **ctx)
{
    (void)o; (void)param; (void)ctx;
    InitializeCriticalSection(&threads_cs);
    return TRUE;
}

void mfcs__threads_lock(void)
{
    InitOnceExecuteOnce(&threads_once, init_threads_lock, NULL, NULL);
    EnterCriticalSection(&threads_cs);
}

void mfcs__threads_unlock(void)
{
    LeaveCriticalSection(&threads_cs);
}

static void unlist(mfcs__thread *ts)
{
    mfcs__thread **p;
    for (p = &threads; *p; p = &(*p)->next)
        if (*p == ts) {
            *p = ts->next;
            return;
        }
}

/* mode 0: the owner frees it (its window goes too); 1: thread exit (the
 * system has destroyed the thread's windows); 2: the DLL is being unloaded
 * (any thread's state, memory only). */
static void free_state(mfcs__thread *ts, int mode)
{
    mfcs__threads_lock();
    if (ts->sockets_free)
        ts->sockets_free(ts, mode == 2);
    unlist(ts);
    mfcs__threads_unlock();
    if (mode == 0 && ts->hwnd)
        DestroyWindow(ts->hwnd);
    free(ts);
}

/* Thread exit, or FlsFree at unload: the fiber-local-storage destructor. */
static void WINAPI on_thread_exit(void *p)
{
    if (p)
        free_state((mfcs__thread *)p, unloading ? 2 : 1);
}

static LRESULT CALLBACK window_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp)
{
    if (msg >= MFCS__WM_FIRST && msg <= 0xBFFF) {
        mfcs__thread *ts = (mfcs__thread *)GetWindowLongPtrA(hwnd, GWLP_USERDATA);
        mfcs__message_fn fn = message_handler;
        if (ts && fn)
            return fn(ts, msg, wp, lp);
        return 0;
    }
    return DefWindowProcA(hwnd, msg, wp, lp);
}

static BOOL CALLBACK init_once(INIT_ONCE *o, void *param, void **ctx)
{
    WNDCLASSA wc;
    (void)o; (void)param; (void)ctx;
    /* The class belongs to this DLL's module, whichever module calls us. */
    if (!GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                            GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (LPCSTR)(void *)window_proc, &module))
        return FALSE;
    fls_index = FlsAlloc(on_thread_exit);
    if (fls_index == FLS_OUT_OF_INDEXES)
        return FALSE;
    /* A DLL's classes outlive its unload (Windows does not unregister
     * them): one named after this load's address is never mistaken for one
     * a previous load left behind at another address. */
    snprintf(class_name, sizeof class_name, "mfcsock_notify_window_%p", (void *)module);
    memset(&wc, 0, sizeof wc);
    wc.lpfnWndProc = window_proc;
    wc.hInstance = module;
    wc.lpszClassName = class_name;
    window_class = RegisterClassA(&wc);
    if (!window_class && GetLastError() != ERROR_CLASS_ALREADY_EXISTS)
        return FALSE;
    return TRUE;
}

/* The only work at load or unload: when the DLL is unloaded from a living
 * process (lpReserved NULL), the storage slot goes, with every thread's
 * state still in it (FlsFree runs the destructor for each, here), so no
 * thread exit can call into the unloaded image. Kernel32 only. */
BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, void *reserved)
{
    (void)inst;
    if (reason == DLL_PROCESS_DETACH && !reserved && fls_index != FLS_OUT_OF_INDEXES) {
        InterlockedExchange(&unloading, 1);
        FlsFree(fls_index);
        fls_index = FLS_OUT_OF_INDEXES;
    }
    return TRUE;
}

const char *mfcs__window_class(void)
{
    return class_name;
}

mfcs__thread *mfcs__thread_peek(void)
{
    if (fls_index == FLS_OUT_OF_INDEXES)
        return NULL;
    return (mfcs__thread *)FlsGetValue(fls_index);
}

static mfcs_err make_window(mfcs__thread *ts)
{
    DWORD err;
    ts->hwnd = CreateWindowExA(0, class_name, "mfcsock notifications", 0,
                               0, 0, 0, 0, HWND_MESSAGE, NULL, module, NULL);
    if (!ts->hwnd) {
        err = GetLastError();
        return (mfcs_err)(err ? err : ERROR_INVALID_WINDOW_HANDLE);
    }
    SetWindowLongPtrA(ts->hwnd, GWLP_USERDATA, (LONG_PTR)ts);
    ts->window_gone = 0;
    return MFCS_OK;
}

mfcs_err mfcs__thread_get(mfcs__thread **out)
{
    mfcs__thread *ts;
    mfcs_err err;
    DWORD e;

    if (!InitOnceExecuteOnce(&once, init_once, NULL, NULL))
        return (mfcs_err)(GetLastError() ? GetLastError() : ERROR_CLASS_DOES_NOT_EXIST);
    ts = (mfcs__thread *)FlsGetValue(fls_index);
    if (ts) {
        /* Another thread's mfcs_term made the window inert: a new one. */
        if (ts->window_gone) {
            HWND old = ts->hwnd;
            if ((err = make_window(ts)) != MFCS_OK)
                return err;
            DestroyWindow(old);
        }
        *out = ts;
        return MFCS_OK;
    }
    ts = (mfcs__thread *)calloc(1, sizeof *ts);
    if (!ts)
        return MFCS_E_NOMEM;
    ts->tid = GetCurrentThreadId();
    if ((err = make_window(ts)) != MFCS_OK) {
        free(ts);
        return err;
    }
    if (!FlsSetValue(fls_index, ts)) {
        e = GetLastError();
        DestroyWindow(ts->hwnd);
        free(ts);
        return (mfcs_err)(e ? e : ERROR_NOT_ENOUGH_MEMORY);
    }
    mfcs__threads_lock();
    ts->next = threads;
    threads = ts;
    mfcs__threads_unlock();
    *out = ts;
    return MFCS_OK;
}

mfcs_err mfcs__thread_free_current(void)
{
    mfcs__thread *ts = mfcs__thread_peek();
    if (!ts)
        return MFCS_OK;
    if (ts->busy)
        return MFCS_E_STATE;
    mfcs__quit_release(ts);
    FlsSetValue(fls_index, NULL);
    free_state(ts, 0);
    return MFCS_OK;
}

void mfcs__thread_detach_others(void)
{
    mfcs__thread *ts;
    uint32_t self = GetCurrentThreadId();
    mfcs__threads_lock();
    for (ts = threads; ts; ts = ts->next)
        if (ts->tid != self && ts->hwnd && !ts->window_gone) {
            /* Messages still queued for it, and the ones the system sends
             * when its thread ends, reach DefWindowProc, not this DLL. */
            SetWindowLongPtrA(ts->hwnd, GWLP_WNDPROC, (LONG_PTR)DefWindowProcA);
            ts->window_gone = 1;
        }
    mfcs__threads_unlock();
}

void mfcs__quit_hold(mfcs__thread *ts, int code)
{
    ts->quit_held = 1;
    ts->quit_code = code;
}

void mfcs__quit_release(mfcs__thread *ts)
{
    if (ts && ts->quit_held && ts->busy == 0) {
        ts->quit_held = 0;
        PostQuitMessage(ts->quit_code);
    }
}

BOOL mfcs__peek_own(mfcs__thread *ts, HWND hwnd, UINT first, UINT last, MSG *m)
{
    while (PeekMessageA(m, hwnd, first, last, PM_REMOVE)) {
        if (m->message != WM_QUIT)
            return TRUE;
        mfcs__quit_hold(ts, (int)m->wParam);
    }
    return FALSE;
}

void mfcs__thread_set_handler(mfcs__message_fn fn)
{
    message_handler = fn;
}

mfcs_err MFCS_CALL mfcs_thread_term(void)
{
    return mfcs__thread_free_current();
}

/* ---- mfcs_pump ---- */

/* "Dispatch what is queued": a handler that posts a message (as a socket
 * callback that sends and is answered at once does) must not keep the
 * call going. So each dispatch round posts a marker to the thread's queue
 * and stops at it: posted messages come out first in, first out, so every
 * one posted before the round began comes before the marker and every one
 * posted by a handler comes after. Input, paint and timer messages, which
 * the queue does not order with posted ones, follow, at most BOUND of each
 * kind per round. Rounds nest (a callback may pump): a round that meets
 * the marker of a round outside it posts that marker again and ends. */
#define BOUND 64
#define MAX_ROUNDS 16

#if defined(_MSC_VER)
#  define THREAD_LOCAL __declspec(thread)
#else
#  define THREAD_LOCAL __thread
#endif

static UINT marker_message;
static volatile LONG marker_seq;
static THREAD_LOCAL LONG active_rounds[MAX_ROUNDS];
static THREAD_LOCAL int nactive;

static int round_active(LONG id)
{
    int i;
    for (i = 0; i < nactive; i++)
        if (active_rounds[i] == id)
            return 1;
    return 0;
}

/* One dispatch; returns 0 when m was WM_QUIT, which is posted again. */
static int dispatch_one(MSG *m, unsigned *n)
{
    if (m->message == WM_QUIT) {
        PostQuitMessage((int)m->wParam);   /* the caller's own loop must see it */
        return 0;
    }
    TranslateMessage(m);
    DispatchMessageA(m);
    (*n)++;
    return 1;
}

/* Returns 0 when a WM_QUIT ended the round. */
static int dispatch_round(unsigned *n)
{
    MSG m;
    LONG id;
    int posted, i, ok = 1;

    if (!marker_message)
        marker_message = RegisterWindowMessageA("mfcsock pump round marker");
    id = InterlockedIncrement(&marker_seq);
    posted = marker_message && nactive < MAX_ROUNDS &&
             PostThreadMessageA(GetCurrentThreadId(), marker_message, (WPARAM)id, 0);
    if (posted)
        active_rounds[nactive++] = id;
    /* Posted (and sent) messages up to the marker; without one (a full
     * queue, deep nesting) at most BOUND of them. */
    for (i = 0; posted || i < BOUND; i++) {
        if (!PeekMessageA(&m, NULL, 0, 0, PM_REMOVE | PM_QS_POSTMESSAGE | PM_QS_SENDMESSAGE))
            break;   /* cannot happen before our marker, unless another peek took it */
        if (m.message == marker_message && marker_message && !m.hwnd) {
            if ((LONG)m.wParam == id)
                break;
            if (round_active((LONG)m.wParam)) {
                PostThreadMessageA(GetCurrentThreadId(), marker_message, m.wParam, 0);
                break;
            }
            continue;   /* a round that ended early left it */
        }
        if (!(ok = dispatch_one(&m, n)))
            break;
    }
    if (posted)
        nactive--;
    if (!ok)
        return 0;
    for (i = 0; i < BOUND && PeekMessageA(&m, NULL, 0, 0, PM_REMOVE | PM_QS_INPUT | PM_QS_SENDMESSAGE); i++)
        if (!dispatch_one(&m, n))
            return 0;
    for (i = 0; i < BOUND && PeekMessageA(&m, NULL, 0, 0, PM_REMOVE | PM_QS_PAINT | PM_QS_SENDMESSAGE); i++)
        if (!dispatch_one(&m, n))
            return 0;
    for (i = 0; i < BOUND && PeekMessageA(&m, NULL, WM_TIMER, WM_TIMER, PM_REMOVE); i++)
        if (!dispatch_one(&m, n))
            return 0;
    return 1;
}

mfcs_err MFCS_CALL mfcs_pump(unsigned timeout_ms, unsigned *dispatched)
{
    ULONGLONG deadline = GetTickCount64() + timeout_ms;
    unsigned n = 0;

    for (;;) {
        if (!dispatch_round(&n) || n)
            break;
        {
            DWORD wait;
            if (timeout_ms == INFINITE) {
                wait = INFINITE;
            } else {
                ULONGLONG now = GetTickCount64();
                if (now >= deadline)
                    break;
                wait = (DWORD)(deadline - now);
            }
            /* MWMO_INPUTAVAILABLE: wake for messages that were already queued
             * before the wait (MFC's WaitMessage-after-peek stall, KB Q155177). */
            MsgWaitForMultipleObjectsEx(0, NULL, wait, QS_ALLINPUT, MWMO_INPUTAVAILABLE);
        }
    }
    if (dispatched)
        *dispatched = n;
    return MFCS_OK;
}
