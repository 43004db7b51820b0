/*
 * socket_route.c: a thread's sockets and the routing of their
 * notifications from the thread's window to callbacks.
 *
 * Each socket of a thread gets a slot and its own window message,
 * MFCS__WM_FIRST + slot (wxWidgets' scheme, not MFC's one shared message),
 * so closing a socket can purge exactly its queued notifications from the
 * thread's queue; slots are reused first-in first-out, and a message is
 * delivered only when its wParam still names the slot's SOCKET. Together
 * these keep a stale notification from reaching a new socket that Winsock
 * gave the same handle value (KB Q139692).
 *
 * Callbacks may close or free any socket: a callback holds a pin on its
 * socket, so the memory outlives it (socket.h).
 */
#include "socket.h"

#include <stdlib.h>
#include <string.h>

#define WM_KICK   0xBFFFu                         /* drain held notifications */
#define MAX_SLOTS (WM_KICK - MFCS__WM_FIRST)

typedef struct held_notice {
    unsigned slot;
    WPARAM wp;
    LPARAM lp;
} held_notice;

/* A thread's sockets: mfcs__thread.sockets. */
typedef struct thread_sockets {
    mfcs__socket **slots;
    unsigned cap, high;        /* allocated, ever used */
    unsigned *fifo;            /* free slots, oldest first (a ring of cap entries) */
    unsigned fifo_head, fifo_n;
    held_notice *held;         /* notifications held while a blocking call waits */
    size_t nheld, held_cap;
    unsigned blocking;         /* blocking calls under way (they nest) */
    mfcs__socket *zombies;     /* freed on another thread: their slots wait for us */
} thread_sockets;

static LRESULT on_message(mfcs__thread *ts, UINT msg, WPARAM wp, LPARAM lp);

/* ---- zombies ---- */

void mfcs__route_zombie(mfcs__socket *s)
{
    thread_sockets *t;
    mfcs__threads_lock();
    /* Its thread may have let go of it meanwhile (socket.h): then there is
     * no slot left to forget. */
    if (s->ts && (t = (thread_sockets *)s->ts->sockets) != NULL) {
        s->next_zombie = t->zombies;
        t->zombies = s;
        s = NULL;
    }
    mfcs__threads_unlock();
    if (s)
        mfcs__socket_free_memory(s);
}

/* The owner forgets the slots of its sockets that other threads freed. */
static void reap_zombies(mfcs__thread *ts)
{
    thread_sockets *t = (thread_sockets *)ts->sockets;
    mfcs__socket *z;
    if (!t || !t->zombies)
        return;
    mfcs__threads_lock();
    z = t->zombies;
    t->zombies = NULL;
    mfcs__threads_unlock();
    while (z) {
        mfcs__socket *next = z->next_zombie;
        mfcs__route_forget(z);
        mfcs__socket_free_memory(z);
        z = next;
    }
}

/* ---- the table ---- */

/* The thread's state goes (mfcs_thread_term, thread exit, DLL unload): its
 * sockets go too. Under mfcs__threads_lock (notify.c). */
static void thread_sockets_free(mfcs__thread *ts, int unloading)
{
    thread_sockets *t = (thread_sockets *)ts->sockets;
    unsigned i;
    if (!t)
        return;
    for (i = 0; i < t->high; i++) {
        mfcs__socket *s = t->slots[i];
        mfcs__slot *pin;
        if (!s)
            continue;
        if (unloading) {   /* no Winsock in DllMain: memory only */
            s->ts = NULL;
            continue;
        }
        pin = mfcs__pin_self(s->handle, MFCS__KIND_SOCKET);
        mfcs__socket_unbind(s, 0);   /* also takes it out of the table and of its zombie use */
        if (pin) {
            mfcs__handle_kill(pin);
            mfcs__unpin(pin, MFCS__USE_ANY);   /* frees it */
        }
        /* Without a pin it was already dying (mfcs_term elsewhere): its
         * last unpin frees it, and no longer finds this thread. */
    }
    while (t->zombies) {
        mfcs__socket *z = t->zombies;
        t->zombies = z->next_zombie;
        mfcs__socket_free_memory(z);
    }
    free(t->slots);
    free(t->fifo);
    free(t->held);
    free(t);
    ts->sockets = NULL;
    mfcs__socket_free_spare(ts);
}

unsigned mfcs__thread_blocking(mfcs__thread *ts)
{
    return ts->sockets ? ((thread_sockets *)ts->sockets)->blocking : 0;
}

void mfcs__thread_blocking_add(mfcs__thread *ts, int delta)
{
    thread_sockets *t = (thread_sockets *)ts->sockets;
    t->blocking += delta;
    /* Back to idle: deliver what was held, from the message loop. */
    if (t->blocking == 0 && t->nheld)
        PostMessageA(ts->hwnd, WM_KICK, 0, 0);
}

mfcs_err mfcs__route_bind(mfcs__socket *s)
{
    mfcs__thread *ts;
    thread_sockets *t;
    unsigned slot;
    mfcs_err err = mfcs__thread_get(&ts);
    if (err)
        return err;
    if (!ts->sockets) {
        t = (thread_sockets *)calloc(1, sizeof *t);
        if (!t)
            return MFCS_E_NOMEM;
        ts->sockets = t;
        ts->sockets_free = thread_sockets_free;
        mfcs__thread_set_handler(on_message);
    }
    reap_zombies(ts);   /* their slots count against the thread's limit */
    t = (thread_sockets *)ts->sockets;
    if (t->fifo_n) {
        slot = t->fifo[t->fifo_head];
        t->fifo_head = (t->fifo_head + 1) % t->cap;
        t->fifo_n--;
    } else {
        if (t->high == t->cap) {
            unsigned ncap = t->cap ? t->cap * 2 : 64, i;
            mfcs__socket **ns;
            unsigned *nf;
            if (t->cap >= MAX_SLOTS)
                return WSAEMFILE;     /* this thread's window has no message left */
            if (ncap > MAX_SLOTS)
                ncap = MAX_SLOTS;
            ns = (mfcs__socket **)realloc(t->slots, ncap * sizeof *ns);
            if (!ns)
                return MFCS_E_NOMEM;
            t->slots = ns;
            nf = (unsigned *)malloc(ncap * sizeof *nf);
            if (!nf)
                return MFCS_E_NOMEM;
            /* the ring is empty here, so nothing to carry over */
            free(t->fifo);
            t->fifo = nf;
            t->fifo_head = 0;
            for (i = t->cap; i < ncap; i++)
                t->slots[i] = NULL;
            t->cap = ncap;
        }
        slot = t->high++;
    }
    t->slots[slot] = s;
    s->ts = ts;
    s->slot_index = slot;
    mfcs__handle_set_owner(s->slot, ts->tid);
    return MFCS_OK;
}

void mfcs__route_forget(mfcs__socket *s)
{
    thread_sockets *t;
    MSG m;
    size_t i, j;
    if (!s->ts)
        return;
    t = (thread_sockets *)s->ts->sockets;
    while (mfcs__peek_own(s->ts, s->ts->hwnd, mfcs__route_message(s), mfcs__route_message(s), &m))
        ;
    mfcs__quit_release(s->ts);
    for (i = j = 0; i < t->nheld; i++)
        if (t->held[i].slot != s->slot_index)
            t->held[j++] = t->held[i];
    t->nheld = j;
    t->slots[s->slot_index] = NULL;
    t->fifo[(t->fifo_head + t->fifo_n) % t->cap] = s->slot_index;
    t->fifo_n++;
    /* Cleared under the lock: a free on another thread reads it there. */
    mfcs__threads_lock();
    s->ts = NULL;
    mfcs__threads_unlock();
}

BOOL mfcs__route_post(mfcs__socket *s, long event, int err)
{
    return s->ts && PostMessageA(s->ts->hwnd, mfcs__route_message(s), (WPARAM)s->s,
                                 WSAMAKESELECTREPLY(event, err));
}

/* Between accept() and its own selection, Winsock posts the new SOCKET's
 * notifications under the listener's message (the selection is inherited).
 * Called once a's own message is selected with no events (so nothing more
 * comes under the listener's), this moves them to a's message in order, so
 * they reach it and are purged when it closes; left where they were, they
 * would reach whatever socket Winsock next gives the same value. The
 * listener's own are posted again in their order. Both sockets are this
 * thread's (accept checked the listener's). A post fails only when the
 * thread's queue is full, and then the notification is lost either way. */
void mfcs__route_move_inherited(mfcs__socket *l, mfcs__socket *a)
{
    MSG m, *kept = NULL, *grown;
    size_t n = 0, cap = 0, i;
    HWND hwnd = l->ts->hwnd;
    while (mfcs__peek_own(l->ts, hwnd, mfcs__route_message(l), mfcs__route_message(l), &m)) {
        if ((SOCKET)m.wParam == a->s) {
            PostMessageA(hwnd, mfcs__route_message(a), m.wParam, m.lParam);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            if (!(grown = (MSG *)realloc(kept, cap * sizeof *kept))) {
                PostMessageA(hwnd, m.message, m.wParam, m.lParam);
                break;   /* no memory: what is left stays where it is */
            }
            kept = grown;
        }
        kept[n++] = m;
    }
    mfcs__quit_release(l->ts);
    for (i = 0; i < n; i++)
        PostMessageA(hwnd, kept[i].message, kept[i].wParam, kept[i].lParam);
    free(kept);
}

/* ---- dispatch ---- */

static mfcs__socket *resolve(mfcs__thread *ts, unsigned slot, WPARAM wp)
{
    thread_sockets *t = (thread_sockets *)ts->sockets;
    mfcs__socket *s;
    if (!t)
        return NULL;
    s = slot < t->high ? t->slots[slot] : NULL;
    return s && s->s == (SOCKET)wp ? s : NULL;
}

/* Spurious FD_READs are dropped (MFC 7's check, KB Q138694): only a socket
 * that is readable now, or holds handed-back bytes, gets on_receive.
 *
 * The zero-timeout select costs a socket call (tens of microseconds under
 * Wine), so it is made only when the FD_READ may be stale. Winsock posts
 * FD_READ when data arrives or when a recv leaves data behind, and not again
 * until the next recv. So if exactly one recv was made since the last
 * FD_READ, inside that FD_READ's own on_receive (MFC's "one Receive per
 * OnReceive"), nothing else can have taken the data this one announces;
 * any other history (no recv, several, or one from elsewhere) is checked.
 * A notice the library posted for held bytes (post_held) obeys no such
 * rule, so it is always checked. */
static int readable(mfcs__socket *s, int posted_by_winsock)
{
    fd_set set;
    struct timeval zero = { 0, 0 };
    if (mfcs__socket_pending(s))
        return 1;
    if (posted_by_winsock && s->recvs == 1 && !s->recv_outside)
        return 1;
    FD_ZERO(&set);
    FD_SET(s->s, &set);
    return select(0, &set, NULL, NULL, &zero) == 1;
}

static void run_callback(mfcs__socket *s, long event, int err)
{
    void (MFCS_CALL *fn)(mfcs_socket *, int, void *) = NULL;
    mfcs__thread *ts = s->ts;
    mfcs__slot *pin;
    switch (event) {
    case FD_READ: {
        int ours = err == MFCS__HELD_NOTICE;
        int ok;
        if (ours) {
            err = 0;
            s->held_notice = 0;
        }
        ok = err || readable(s, !ours);
        /* The one-recv shortcut counts from Winsock's last FD_READ: a recv
         * made in our notice's on_receive may have taken what a Winsock
         * FD_READ queued behind it announces. */
        if (!ours) {
            s->recvs = 0;
            s->recv_outside = 0;
        }
        if (!ok)
            return;
        fn = s->cb.on_receive;
        break;
    }
    case FD_WRITE:   fn = s->cb.on_send; break;
    case FD_OOB:     fn = s->cb.on_oob; break;
    case FD_ACCEPT:  fn = s->cb.on_accept; break;
    case FD_CONNECT:
        s->connect_done = 1;
        s->connect_err = err;
        if (s->mode == MFCS_ASYNC)   /* CSocket never gets OnConnect */
            fn = s->cb.on_connect;
        break;
    case FD_CLOSE:
        /* Winsock posts FD_CLOSE once its own buffer is empty, "after all
         * data is read"; bytes the socket holds are not read yet. A
         * graceful close waits for them, or on_close (which often closes
         * the socket, as MFC programs do) would come before on_receive
         * had seen them. take_pushback posts it when they run out. */
        if (!err && mfcs__socket_pending(s)) {
            s->close_deferred = 1;
            mfcs__socket_post_held(s);
            return;
        }
        fn = s->cb.on_close;
        break;
    }
    /* A socket whose handle died (freed, mfcs_term) gets no callback; the
     * pin keeps it alive through one that frees it. */
    if (!fn || !(pin = mfcs__pin_self(s->handle, MFCS__KIND_SOCKET)))
        return;
    s->in_on_receive += event == FD_READ;
    ts->busy++;
    fn((mfcs_socket *)s->handle, err, s->user);
    ts->busy--;
    s->in_on_receive -= event == FD_READ;
    mfcs__unpin(pin, MFCS__USE_ANY);
    mfcs__quit_release(ts);
}

void mfcs__socket_dispatch(mfcs__thread *ts, unsigned slot, WPARAM wp, LPARAM lp)
{
    mfcs__socket *s = resolve(ts, slot, wp);
    if (!s)
        return;   /* closed: its notifications die with it */
    if (mfcs__thread_blocking(ts) && mfcs__blocking_intercept(ts, s, wp, lp))
        return;
    run_callback(s, WSAGETSELECTEVENT(lp), WSAGETSELECTERROR(lp));
}

/* Holds a notification until the blocking calls of this thread are done. */
int mfcs__blocking_hold(mfcs__thread *ts, mfcs__socket *s, WPARAM wp, LPARAM lp)
{
    thread_sockets *t = (thread_sockets *)ts->sockets;
    if (t->nheld == t->held_cap) {
        size_t ncap = t->held_cap ? t->held_cap * 2 : 32;
        held_notice *n = (held_notice *)realloc(t->held, ncap * sizeof *n);
        if (!n)
            return 0;   /* out of memory: deliver it now rather than lose it */
        t->held = n;
        t->held_cap = ncap;
    }
    t->held[t->nheld].slot = s->slot_index;
    t->held[t->nheld].wp = wp;
    t->held[t->nheld].lp = lp;
    t->nheld++;
    return 1;
}

static LRESULT on_message(mfcs__thread *ts, UINT msg, WPARAM wp, LPARAM lp)
{
    thread_sockets *t = (thread_sockets *)ts->sockets;
    if (!t)
        return 0;
    if (t->zombies)   /* a glance without the lock: a late one is reaped next time */
        reap_zombies(ts);
    if (msg == WM_KICK) {
        /* Deliver held notifications in order; callbacks may hold new ones. */
        size_t i = 0, n;
        held_notice *list;
        if (t->blocking || !t->nheld)
            return 0;
        list = t->held;
        n = t->nheld;
        t->held = NULL;
        t->nheld = t->held_cap = 0;
        for (i = 0; i < n; i++) {
            if (!ts->sockets)       /* a callback ended the thread's state */
                break;
            mfcs__socket_dispatch(ts, list[i].slot, list[i].wp, list[i].lp);
        }
        free(list);
        return 0;
    }
    mfcs__socket_dispatch(ts, msg - MFCS__WM_FIRST, wp, lp);
    return 0;
}
