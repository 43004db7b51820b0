/*
 * notify.c: the per-thread hidden notification window, per-thread state, and
 * mfcs_pump.
 *
 * MFC makes a hidden top-level window per thread; ours is message-only
 * (HWND_MESSAGE): it never shows up in window enumeration or broadcasts and
 * works on a headless machine. Per-thread state hangs off a fiber-local
 * storage slot whose destructor runs at thread exit, so a thread that never
 * calls mfcs_thread_term still gets cleaned up, and DllMain does nothing.
 */
#include "win.h"

#include <stdlib.h>

static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
static DWORD fls_index = FLS_OUT_OF_INDEXES;
static ATOM window_class;
static HINSTANCE module;
static mfcs__message_fn message_handler;

static void free_state(mfcs__thread *ts, int destroy_window)
{
    if (ts->sockets_free)
        ts->sockets_free(ts);
    /* At thread exit the system has already destroyed the thread's windows. */
    if (destroy_window && ts->hwnd)
        DestroyWindow(ts->hwnd);
    free(ts);
}

/* Thread exit: the fiber-local-storage destructor. */
static void WINAPI on_thread_exit(void *p)
{
    if (p)
        free_state((mfcs__thread *)p, 0);
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
    memset(&wc, 0, sizeof wc);
    wc.lpfnWndProc = window_proc;
    wc.hInstance = module;
    wc.lpszClassName = MFCS__WINDOW_CLASS;
    window_class = RegisterClassA(&wc);
    if (!window_class && GetLastError() != ERROR_CLASS_ALREADY_EXISTS)
        return FALSE;
    return TRUE;
}

mfcs__thread *mfcs__thread_peek(void)
{
    if (fls_index == FLS_OUT_OF_INDEXES)
        return NULL;
    return (mfcs__thread *)FlsGetValue(fls_index);
}

mfcs_err mfcs__thread_get(mfcs__thread **out)
{
    mfcs__thread *ts;
    DWORD err;

    if (!InitOnceExecuteOnce(&once, init_once, NULL, NULL))
        return (mfcs_err)(GetLastError() ? GetLastError() : ERROR_CLASS_DOES_NOT_EXIST);
    ts = (mfcs__thread *)FlsGetValue(fls_index);
    if (ts) {
        *out = ts;
        return MFCS_OK;
    }
    ts = (mfcs__thread *)calloc(1, sizeof *ts);
    if (!ts)
        return MFCS_E_NOMEM;
    ts->tid = GetCurrentThreadId();
    ts->hwnd = CreateWindowExA(0, MFCS__WINDOW_CLASS, "mfcsock notifications", 0,
                               0, 0, 0, 0, HWND_MESSAGE, NULL, module, NULL);
    if (!ts->hwnd) {
        err = GetLastError();
        free(ts);
        return (mfcs_err)(err ? err : ERROR_INVALID_WINDOW_HANDLE);
    }
    SetWindowLongPtrA(ts->hwnd, GWLP_USERDATA, (LONG_PTR)ts);
    if (!FlsSetValue(fls_index, ts)) {
        err = GetLastError();
        DestroyWindow(ts->hwnd);
        free(ts);
        return (mfcs_err)(err ? err : ERROR_NOT_ENOUGH_MEMORY);
    }
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
    FlsSetValue(fls_index, NULL);
    free_state(ts, 1);
    return MFCS_OK;
}

BOOL mfcs__peek_own(HWND hwnd, UINT first, UINT last, MSG *m)
{
    if (!PeekMessageA(m, hwnd, first, last, PM_REMOVE))
        return FALSE;
    if (m->message == WM_QUIT) {
        PostQuitMessage((int)m->wParam);
        return FALSE;
    }
    return TRUE;
}

void mfcs__thread_set_handler(mfcs__message_fn fn)
{
    message_handler = fn;
}

mfcs_err MFCS_CALL mfcs_thread_term(void)
{
    return mfcs__thread_free_current();
}

mfcs_err MFCS_CALL mfcs_pump(unsigned timeout_ms, unsigned *dispatched)
{
    ULONGLONG deadline = GetTickCount64() + timeout_ms;
    unsigned n = 0;
    MSG msg;

    for (;;) {
        while (PeekMessageA(&msg, NULL, 0, 0, PM_REMOVE)) {
            if (msg.message == WM_QUIT) {
                /* The caller's own loop must see it: put it back and stop. */
                PostQuitMessage((int)msg.wParam);
                goto done;
            }
            TranslateMessage(&msg);
            DispatchMessageA(&msg);
            n++;
        }
        if (n)
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
done:
    if (dispatched)
        *dispatched = n;
    return MFCS_OK;
}
