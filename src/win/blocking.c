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

unsigned mfcs__repoll_ms = REPOLL_MS;

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
     * notice's delivery says the held bytes were announced (socket_held.c). */
    if (s->in_call && (event == s->waiting_event || event == FD_CLOSE) &&
        WSAGETSELECTERROR(lp) != MFCS__HELD_NOTICE)
        return 1;
    return mfcs__blocking_hold(ts, s, wp, lp);
}

static int same_message(const MSG *a, const MSG *b)
{
    return a->hwnd == b->hwnd && a->message == b->message && a->wParam == b->wParam &&
           a->lParam == b->lParam && a->time == b->time;
}

/* Offers what else is queued for this thread to on_message_pending, and
 * dispatches WM_PAINT, as MFC's PumpMessages. Returns nonzero when a message
 * was left queued (declined). Every peek that removes a message may meet a
 * pending WM_QUIT instead (it comes back whatever the filter): that one is
 * held for the thread's loop and ends the wait (MFC's pump lost it). */
static int pump_others(mfcs__thread *ts, mfcs__socket *s)
{
    MSG m, head;
    while (PeekMessageA(&m, NULL, 0, 0, PM_NOREMOVE)) {
        int handled = 0;
        if (m.message == WM_QUIT) {
            if (PeekMessageA(&m, NULL, WM_QUIT, WM_QUIT, PM_REMOVE) && m.message == WM_QUIT)
                mfcs__quit_hold(ts, (int)m.wParam);
            return 0;
        }
        /* This library's own notifications are never the caller's to take
         * (MFC's pump keeps its socket messages too): the wait's loop
         * dispatches them. */
        if (m.hwnd == ts->hwnd)
            return 0;
        if (s->cb.on_message_pending)
            handled = s->cb.on_message_pending((mfcs_socket *)s->handle, &m, s->user);
        if (!handled) {
            /* As MFC's default OnMessagePending: paint, leave other input.
             * A WM_QUIT behind that input still ends the wait: a peek for
             * it alone finds it past the input. */
            if (mfcs__peek_own(ts, NULL, WM_PAINT, WM_PAINT, &m))
                DispatchMessageA(&m);
            mfcs__peek_own(ts, NULL, WM_QUIT, WM_QUIT, &m);
            return !ts->quit_held;
        }
        /* Handled: it goes, unless the handler took it itself (then the
         * head is another message, which must stay). */
        if (PeekMessageA(&head, NULL, 0, 0, PM_NOREMOVE) && same_message(&head, &m) &&
            PeekMessageA(&head, NULL, 0, 0, PM_REMOVE) && !same_message(&head, &m)) {
            /* A sent message's handler changed the queue between the two
             * peeks: what came out is not what was handled. */
            if (head.message == WM_QUIT)
                mfcs__quit_hold(ts, (int)head.wParam);
            else
                PostMessageA(head.hwnd, head.message, head.wParam, head.lParam);
        }
        if (s->s == INVALID_SOCKET || s->cancelled || ts->quit_held)
            return 0;
    }
    return 0;
}

mfcs_err mfcs__blocking_run(mfcs__socket *s, long event, mfcs__blocking_op op, void *ctx,
                            ULONGLONG deadline)
{
    mfcs__thread *ts = s->ts;
    mfcs_err err;
    int declined = 0, look_own = 0;

    if (s->in_call)
        return MFCS_E_INPROGRESS;
    if (!s->cancel_event && !(s->cancel_event = CreateEventA(NULL, TRUE, FALSE, NULL)))
        return (mfcs_err)GetLastError();
    ResetEvent(s->cancel_event);
    InterlockedExchange(&s->cancelled, 0);
    s->in_call = 1;
    s->repolled = 0;
    s->waiting_event = event;
    ts->busy++;
    mfcs__thread_blocking_add(ts, 1);

    for (;;) {
        DWORD wait = mfcs__repoll_ms;
        err = op(s, ctx);
        if (err != WSAEWOULDBLOCK)
            break;
        if (s->cancelled || s->s == INVALID_SOCKET) {
            err = MFCS_E_CANCELLED;
            break;
        }
        if (ts->quit_held) {
            err = MFCS_E_QUIT;   /* the thread is asked to end: so is this wait */
            break;
        }
        /* Most wake-ups are our own window's notification (held or consumed
         * by intercept): dispatch it and retry the operation at once. Each
         * peek is a server call under Wine, so the rest of the queue is
         * looked at only when our own has nothing more; one notification
         * that did not finish the call may be followed by another (an
         * FD_CONNECT behind a notice), so ours are looked at again first. */
        if (look_own) {
            MSG m;
            if (mfcs__peek_own(ts, ts->hwnd, 0, 0, &m)) {
                DispatchMessageA(&m);
                continue;
            }
            look_own = 0;
            if (ts->quit_held)
                continue;
            declined = pump_others(ts, s);
            if (s->cancelled || s->s == INVALID_SOCKET || ts->quit_held)
                continue;   /* the checks above end the call */
            /* pump_others' peeks made what is queued old to the wait below,
             * which sleeps until new input (past the declined message): a
             * notice of ours that came while they looked would sleep there
             * until the re-poll. One more look at ours; what comes after
             * it is new input and wakes the wait. */
            if (declined && mfcs__peek_own(ts, ts->hwnd, 0, 0, &m)) {
                DispatchMessageA(&m);
                look_own = 1;
                continue;
            }
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
        /* A wait that ran out was a re-poll: the operation may look for
         * itself whether its notification was lost (connect_done_op). */
        s->repolled = MsgWaitForMultipleObjectsEx(1, &s->cancel_event, wait, QS_ALLINPUT,
                                                  declined ? 0 : MWMO_INPUTAVAILABLE) == WAIT_TIMEOUT;
        look_own = 1;
    }

    s->in_call = 0;
    s->waiting_event = 0;
    mfcs__thread_blocking_add(ts, -1);
    ts->busy--;
    mfcs__quit_release(ts);   /* the thread's own loop gets the WM_QUIT now */
    return err;
}

/* The three blocking-only calls. */
static mfcs_err get_blocking(mfcs_socket *h, mfcs__socket **out)
{
    mfcs_err err = mfcs__socket_get(h, out);
    if (!err && (*out)->mode != MFCS_BLOCKING) {
        mfcs__socket_put(*out);
        err = MFCS_E_NOTBLOCKING;
    }
    return err;
}

mfcs_err MFCS_CALL mfcs_socket_set_timeout(mfcs_socket *h, unsigned ms)
{
    mfcs__socket *s;
    mfcs_err err = get_blocking(h, &s);
    if (err)
        return err;
    s->timeout_ms = ms;
    mfcs__socket_put(s);
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_socket_cancel_blocking_call(mfcs_socket *h)
{
    /* Any thread: only the handle's kind is checked, not its owner. The
     * pin keeps the socket (not a later object in its slot) alive while
     * it is signalled, whatever its owner does meanwhile. */
    mfcs__socket *s;
    mfcs__slot *slot;
    mfcs_err err = mfcs__pin(h, MFCS__KIND_SOCKET, MFCS__USE_ANY, &slot, (void **)&s);
    if (err)
        return err;
    if (s->mode != MFCS_BLOCKING)
        err = MFCS_E_NOTBLOCKING;
    else if (s->in_call)
        mfcs__blocking_signal_cancel(s);
    mfcs__unpin(slot, MFCS__USE_ANY);
    return err;
}

mfcs_err MFCS_CALL mfcs_socket_is_blocking(mfcs_socket *h, int *in_call)
{
    mfcs__socket *s;
    mfcs_err err = get_blocking(h, &s);
    if (err)
        return err;
    if (!in_call)
        err = MFCS_E_INVALIDARG;
    else
        *in_call = s->in_call;
    mfcs__socket_put(s);
    return err;
}
