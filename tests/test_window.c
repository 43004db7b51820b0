/* The per-thread notification window and state (notify.c). */
#include <criterion/criterion.h>

#include "win.h"

static BOOL CALLBACK find_top_level(HWND h, LPARAM lp)
{
    if (h == *(HWND *)lp) {
        *(HWND *)lp = NULL; /* found: clear to report it */
        return FALSE;
    }
    return TRUE;
}

Test(window, made_on_first_use_and_message_only, .timeout = 30)
{
    mfcs__thread *ts = NULL, *again = NULL;
    HWND probe;
    cr_assert_null(mfcs__thread_peek());
    cr_assert_eq(mfcs__thread_get(&ts), MFCS_OK);
    cr_assert_not_null(ts);
    cr_assert(IsWindow(ts->hwnd));
    cr_assert_eq(ts->tid, GetCurrentThreadId());
    cr_assert_eq(GetWindowThreadProcessId(ts->hwnd, NULL), GetCurrentThreadId());
    cr_assert(!IsWindowVisible(ts->hwnd));
    /* Message-only: found under HWND_MESSAGE, never among top-level windows. */
    cr_assert_eq(FindWindowExA(HWND_MESSAGE, NULL, mfcs__window_class(), NULL), ts->hwnd);
    probe = ts->hwnd;
    EnumWindows(find_top_level, (LPARAM)&probe);
    cr_assert_not_null(probe, "the notification window is a top-level window");
    cr_assert_eq(mfcs__thread_get(&again), MFCS_OK);
    cr_assert_eq(again, ts, "second use made a second state");
    cr_assert_eq(mfcs__thread_peek(), ts);
    cr_assert_eq(mfcs_thread_term(), MFCS_OK);
}

Test(window, thread_term_destroys_it_and_next_use_makes_a_new_one, .timeout = 30)
{
    mfcs__thread *ts = NULL;
    HWND first;
    cr_assert_eq(mfcs__thread_get(&ts), MFCS_OK);
    first = ts->hwnd;
    cr_assert_eq(mfcs_thread_term(), MFCS_OK);
    cr_assert(!IsWindow(first));
    cr_assert_null(mfcs__thread_peek());
    cr_assert_eq(mfcs__thread_get(&ts), MFCS_OK);
    cr_assert(IsWindow(ts->hwnd));
    cr_assert_eq(mfcs_thread_term(), MFCS_OK);
}

Test(window, busy_thread_state_is_not_freed, .timeout = 30)
{
    mfcs__thread *ts = NULL;
    cr_assert_eq(mfcs__thread_get(&ts), MFCS_OK);
    ts->busy = 1;
    cr_assert_eq(mfcs_thread_term(), MFCS_E_STATE);
    cr_assert(IsWindow(ts->hwnd));
    ts->busy = 0;
    cr_assert_eq(mfcs_thread_term(), MFCS_OK);
}

struct thread_probe {
    HWND hwnd;
    DWORD tid;
    int freed;
    int call_term;
};

static void note_freed(mfcs__thread *ts, int unloading)
{
    (void)unloading;
    ((struct thread_probe *)ts->sockets)->freed++;
}

static DWORD WINAPI window_thread(void *arg)
{
    struct thread_probe *p = arg;
    mfcs__thread *ts = NULL;
    if (mfcs__thread_get(&ts) != MFCS_OK)
        return 1;
    p->hwnd = ts->hwnd;
    p->tid = ts->tid;
    ts->sockets = p;
    ts->sockets_free = note_freed;
    if (p->call_term && mfcs_thread_term() != MFCS_OK)
        return 2;
    return 0;
}

static void run_thread(struct thread_probe *p)
{
    DWORD code = 99;
    HANDLE t = CreateThread(NULL, 0, window_thread, p, 0, NULL);
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &code);
    CloseHandle(t);
    cr_assert_eq(code, 0, "thread failed with %lu", (unsigned long)code);
}

Test(window, each_thread_has_its_own_and_exit_frees_it, .timeout = 30)
{
    struct thread_probe a = { 0 }, b = { 0 };
    mfcs__thread *mine = NULL;
    cr_assert_eq(mfcs__thread_get(&mine), MFCS_OK);
    run_thread(&a);
    cr_assert_neq(a.hwnd, mine->hwnd);
    cr_assert_neq(a.tid, mine->tid);
    /* The thread exited without mfcs_thread_term: its state went anyway. */
    cr_assert_eq(a.freed, 1, "thread-exit cleanup ran %d times", a.freed);
    cr_assert(!IsWindow(a.hwnd));
    b.call_term = 1;
    run_thread(&b);
    cr_assert_eq(b.freed, 1, "cleanup ran %d times after mfcs_thread_term", b.freed);
    cr_assert(!IsWindow(b.hwnd));
    cr_assert(IsWindow(mine->hwnd), "another thread's exit took this thread's window");
    cr_assert_eq(mfcs_thread_term(), MFCS_OK);
}

static int handled_msg;
static LRESULT route(mfcs__thread *ts, UINT msg, WPARAM wp, LPARAM lp)
{
    (void)wp;
    handled_msg = (int)(msg - MFCS__WM_FIRST) + (int)lp + (ts->tid == GetCurrentThreadId() ? 1000 : 0);
    return 0;
}

Test(window, messages_in_the_socket_range_reach_the_handler, .timeout = 30)
{
    mfcs__thread *ts = NULL;
    unsigned n = 0;
    cr_assert_eq(mfcs__thread_get(&ts), MFCS_OK);
    mfcs__thread_set_handler(route);
    PostMessageA(ts->hwnd, MFCS__WM_FIRST + 5, 0, 20);
    cr_assert_eq(mfcs_pump(1000, &n), MFCS_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(handled_msg, 1025, "handler saw %d", handled_msg);
    handled_msg = 0;
    PostMessageA(ts->hwnd, WM_APP, 0, 0); /* below the range: not ours */
    cr_assert_eq(mfcs_pump(1000, &n), MFCS_OK);
    cr_assert_eq(handled_msg, 0);
    mfcs__thread_set_handler(NULL);
    cr_assert_eq(mfcs_thread_term(), MFCS_OK);
}

Test(window, purging_own_messages_never_swallows_wm_quit, .timeout = 30)
{
    mfcs__thread *ts = NULL;
    MSG m;
    cr_assert_eq(mfcs__thread_get(&ts), MFCS_OK);
    PostQuitMessage(9);
    /* Wine hands WM_QUIT to a range-filtered peek; ours holds it (so a
     * purge loop goes on, and a wait does not spin on it) and puts it back. */
    cr_assert(!mfcs__peek_own(ts, ts->hwnd, MFCS__WM_FIRST + 3, MFCS__WM_FIRST + 3, &m));
    cr_assert(ts->quit_held);
    cr_assert(!PeekMessageA(&m, NULL, WM_QUIT, WM_QUIT, PM_NOREMOVE), "WM_QUIT still queued while held");
    mfcs__quit_release(ts);
    cr_assert(PeekMessageA(&m, NULL, 0, 0, PM_REMOVE), "WM_QUIT was lost");
    cr_assert_eq(m.message, WM_QUIT);
    cr_assert_eq(m.wParam, 9);
    cr_assert_eq(mfcs_thread_term(), MFCS_OK);
}
