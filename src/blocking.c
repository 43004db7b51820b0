/*
 * blocking.c: CSocket's blocking calls: a non-blocking operation retried
 * while the thread waits in MsgWaitForMultipleObjectsEx, so its window
 * messages keep flowing.
 *
 * What MFC got wrong and this does instead (MFC-REFERENCE section 5):
 * - the wait never sleeps past a queued message: MWMO_INPUTAVAILABLE, and
 *   only after the caller declined a message does it wait for new input
 *   (KB Q155177's WaitMessage stall);
 * - no thread or window timer is involved, so other timers cannot stall it
 *   (KB Q154649, Q137632); a short re-poll only guards against a lost
 *   notification;
 * - the timeout is a real deadline (MFC's m_nTimeOut only re-polled);
 * - cancel works from any thread through an event;
 * - a second call on a socket already waiting is refused with
 *   MFCS_E_INPROGRESS instead of looking like a closed connection.
 * While a call waits, this thread's socket notifications are held and
 * delivered after it returns (MFC's "no notifications within notifications").
 */
#include "socket.h"

#define REPOLL_MS 500

unsigned mfcs__thread_blocking(mfcs__thread *ts);
void mfcs__thread_blocking_add(mfcs__thread *ts, int delta);
int mfcs__blocking_hold(mfcs__thread *ts, mfcs__socket *s, WPARAM wp, LPARAM lp);

void mfcs__blocking_signal_cancel(mfcs__socket *s)
{
    InterlockedExchange(&s->cancelled, 1);
    if (s->cancel_event)
        SetEvent(s->cancel_event);
}

ULONGLONG mfcs__deadline(const mfcs__socket *s)
{
    return s->timeout_ms ? GetTickCount64() + s->timeout_ms : 0;
}

int mfcs__blocking_intercept(mfcs__thread *ts, mfcs__socket *s, WPARAM wp, LPARAM lp)
{
    long event = WSAGETSELECTEVENT(lp);
    if (event == FD_CONNECT) {
        s->connect_done = 1;
        s->connect_err = WSAGETSELECTERROR(lp);
        if (s->mode == MFCS_BLOCKING)
            return 1;           /* CSocket never gets OnConnect */
    }
    /* The waiting call's own wake-up is consumed, as in MFC's PumpMessages.
     * Not the library's notice for held bytes: the wait retries its
     * operation after any message of this window anyway, and only that
     * notice's delivery says the held bytes were announced (socket.c). */
    if (s->in_call && (event == s->waiting_event || event == FD_CLOSE) &&
        WSAGETSELECTERROR(lp) != MFCS__HELD_NOTICE)
        return 1;
    return mfcs__blocking_hold(ts, s, wp, lp);
}

/* Offers what else is queued for this thread to on_message_pending, and
 * dispatches WM_PAINT, as MFC's PumpMessages. Returns nonzero when a message
 * was left queued (declined). */
static int pump_others(mfcs__socket *s)
{
    HWND own = s->ts->hwnd;
    MSG m;
    while (PeekMessageA(&m, NULL, 0, 0, PM_NOREMOVE)) {
        int handled = 0;
        /* This library's own notifications are never the caller's to take
         * (MFC's pump keeps its socket messages too): one arriving since
         * the wait looked goes where the wait's own go. */
        if (m.hwnd == own) {
            if (mfcs__peek_own(m.hwnd, m.message, m.message, &m))
                DispatchMessageA(&m);
            return 0;
        }
        if (m.message != WM_QUIT && s->cb.on_message_pending)
            handled = s->cb.on_message_pending((mfcs_socket *)s->handle, &m, s->user);
        if (!handled) {
            /* As MFC's default OnMessagePending: paint, leave other input. */
            if (PeekMessageA(&m, NULL, WM_PAINT, WM_PAINT, PM_REMOVE))
                DispatchMessageA(&m);
            return 1;
        }
        PeekMessageA(&m, m.hwnd, m.message, m.message, PM_REMOVE);
        if (s->s == INVALID_SOCKET || s->cancelled)
            return 0;
    }
    return 0;
}

mfcs_err mfcs__blocking_run(mfcs__socket *s, long event, mfcs__blocking_op op, void *ctx,
                            ULONGLONG deadline)
{
    mfcs__thread *ts = s->ts;
    mfcs_err err;
    int declined = 0;

    if (s->in_call)
        return MFCS_E_INPROGRESS;
    if (!s->cancel_event && !(s->cancel_event = CreateEventA(NULL, TRUE, FALSE, NULL)))
        return (mfcs_err)GetLastError();
    ResetEvent(s->cancel_event);
    InterlockedExchange(&s->cancelled, 0);
    s->in_call = 1;
    s->waiting_event = event;
    s->in_callback++;            /* keeps the memory if a callback frees it */
    ts->busy++;
    mfcs__thread_blocking_add(ts, 1);

    for (;;) {
        DWORD wait = REPOLL_MS;
        err = op(s, ctx);
        if (err != WSAEWOULDBLOCK)
            break;
        if (s->cancelled || s->s == INVALID_SOCKET) {
            err = MFCS_E_CANCELLED;
            break;
        }
        if (deadline) {
            ULONGLONG now = GetTickCount64();
            if (now >= deadline) {
                err = MFCS_E_TIMEOUT;
                break;
            }
            if (deadline - now < wait)
                wait = (DWORD)(deadline - now);
        }
        MsgWaitForMultipleObjectsEx(1, &s->cancel_event, wait, QS_ALLINPUT,
                                    declined ? 0 : MWMO_INPUTAVAILABLE);
        if (s->cancelled || s->s == INVALID_SOCKET) {
            err = MFCS_E_CANCELLED;
            break;
        }
        /* Most wake-ups are our own window's notification (held or consumed
         * by intercept): retry the operation at once. Each Peek is a server
         * call under Wine, so the rest of the queue is looked at only when
         * the wake-up was something else. */
        {
            MSG m;
            if (mfcs__peek_own(ts->hwnd, 0, 0, &m)) {
                DispatchMessageA(&m);
                continue;
            }
        }
        declined = pump_others(s);
        if (s->cancelled || s->s == INVALID_SOCKET) {
            err = MFCS_E_CANCELLED;
            break;
        }
    }

    s->in_call = 0;
    s->waiting_event = 0;
    mfcs__thread_blocking_add(ts, -1);
    ts->busy--;
    s->in_callback--;
    if (s->freed && !s->in_callback)     /* freed while it waited */
        mfcs__socket_free_memory(s);
    return err;
}

/* The three blocking-only calls. */
static mfcs_err get_blocking(mfcs_socket *h, mfcs__socket **out)
{
    mfcs_err err = mfcs__socket_get(h, out);
    if (err)
        return err;
    return (*out)->mode == MFCS_BLOCKING ? MFCS_OK : MFCS_E_NOTBLOCKING;
}

mfcs_err MFCS_CALL mfcs_socket_set_timeout(mfcs_socket *h, unsigned ms)
{
    mfcs__socket *s;
    mfcs_err err = get_blocking(h, &s);
    if (err)
        return err;
    s->timeout_ms = ms;
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_socket_cancel_blocking_call(mfcs_socket *h)
{
    /* Any thread: only the handle's kind is checked, not its owner, and the
     * owner may be freeing the socket meanwhile (see socket.h). */
    mfcs__socket *s;
    mfcs_err err = MFCS_OK;
    AcquireSRWLockShared(&mfcs__socket_cancel_lock);
    s = (mfcs__socket *)mfcs__handle_get(h, MFCS__KIND_SOCKET);
    if (!s) {
        err = MFCS_E_BADHANDLE;
    } else if (s->mode != MFCS_BLOCKING) {
        err = MFCS_E_NOTBLOCKING;
    } else if (s->in_call) {
        mfcs__blocking_signal_cancel(s);
    }
    ReleaseSRWLockShared(&mfcs__socket_cancel_lock);
    return err;
}

mfcs_err MFCS_CALL mfcs_socket_is_blocking(mfcs_socket *h, int *in_call)
{
    mfcs__socket *s;
    mfcs_err err = get_blocking(h, &s);
    if (err)
        return err;
    if (!in_call)
        return MFCS_E_INVALIDARG;
    *in_call = s->in_call;
    return MFCS_OK;
}
