/*
 * socket.c: sockets (MFC's CAsyncSocket, and the non-waiting half of
 * CSocket): life cycle, calls, and the routing of notifications from the
 * thread's window to callbacks.
 *
 * Routing. Each socket of a thread gets a slot and its own window message,
 * MFCS__WM_FIRST + slot (wxWidgets' scheme, not MFC's one shared message),
 * so closing a socket can purge exactly its queued notifications from the
 * thread's queue; slots are reused first-in first-out, and a message is
 * delivered only when its wParam still names the slot's SOCKET. Together
 * these keep a stale notification from reaching a new socket that Winsock
 * gave the same handle value (KB Q139692). An accepted SOCKET inherits the
 * listener's message until it is selected anew; accept moves what Winsock
 * posted in that gap onto the new socket's own message, so those too are
 * purged when it closes.
 *
 * Callbacks may close or free any socket: the object's memory outlives the
 * callbacks under way on it (libuv's deferred close).
 */
#include "socket.h"

#include <stdio.h>
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
    char *spare;               /* where a socket file's receive puts what its
                                  archive has no room for (recv_ahead) */
} thread_sockets;

/* blocking.c needs these two. */
unsigned mfcs__thread_blocking(mfcs__thread *ts);
void mfcs__thread_blocking_add(mfcs__thread *ts, int delta);

static LRESULT on_message(mfcs__thread *ts, UINT msg, WPARAM wp, LPARAM lp);

/* ---- per-thread slot table ---- */

static void forget_slot(mfcs__socket *s);

SRWLOCK mfcs__socket_cancel_lock = SRWLOCK_INIT;

void mfcs__socket_free_memory(mfcs__socket *s)
{
    /* Its handle is dead, so no cancel can find it any more; one that
     * found it before holds this lock while it uses it. */
    AcquireSRWLockExclusive(&mfcs__socket_cancel_lock);
    ReleaseSRWLockExclusive(&mfcs__socket_cancel_lock);
    /* Still in its thread's table only when mfcs_term, on another thread,
     * closed it while this thread was inside one of its calls: this is the
     * owning thread now, the one that may touch the queue and table. */
    if (s->ts)
        forget_slot(s);
    if (s->cancel_event)
        CloseHandle(s->cancel_event);
    free(s->pushback);
    free(s);
}

static void close_socket(mfcs__socket *s);

/* The thread's state goes (mfcs_thread_term, thread exit): its sockets go too. */
static void thread_sockets_free(mfcs__thread *ts)
{
    thread_sockets *t = (thread_sockets *)ts->sockets;
    unsigned i;
    if (!t)
        return;
    for (i = 0; i < t->high; i++) {
        mfcs__socket *s = t->slots[i];
        if (!s)
            continue;
        close_socket(s);
        if (s->handle)
            mfcs__handle_release(s->handle);
        mfcs__socket_free_memory(s);
    }
    free(t->slots);
    free(t->fifo);
    free(t->held);
    free(t->spare);
    free(t);
    ts->sockets = NULL;
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

/* Gives s a slot in the calling thread's table; makes the thread's window. */
static mfcs_err bind_slot(mfcs__socket *s)
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
    s->slot = slot;
    mfcs__handle_set_owner(s->handle, ts->tid);
    return MFCS_OK;
}

static void release_slot(mfcs__socket *s)
{
    thread_sockets *t = (thread_sockets *)s->ts->sockets;
    t->slots[s->slot] = NULL;
    t->fifo[(t->fifo_head + t->fifo_n) % t->cap] = s->slot;
    t->fifo_n++;
    s->ts = NULL;
    if (s->handle)
        mfcs__handle_set_owner(s->handle, 0);
}

static UINT slot_message(const mfcs__socket *s)
{
    return MFCS__WM_FIRST + s->slot;
}

/* A notice of the library's own for s, as Winsock posts them. */
static BOOL post_notice(mfcs__socket *s, long event, int err)
{
    return s->ts && PostMessageA(s->ts->hwnd, slot_message(s), (WPARAM)s->s, WSAMAKESELECTREPLY(event, err));
}

/* Held bytes make the socket readable though Winsock has no news: post the
 * FD_READ that brings on_receive, as Winsock would for bytes in its buffer.
 * Like Winsock's, it is posted again only once the last one has reached
 * run_callback (a post costs a server call under Wine: one per receive
 * would cost more than the receives the held bytes save), and any receive
 * that leaves held bytes behind posts it again. */
static void post_held(mfcs__socket *s)
{
    if (!s->held_notice && post_notice(s, FD_READ, MFCS__HELD_NOTICE))
        s->held_notice = 1;
}

static mfcs_err select_events(mfcs__socket *s, long events)
{
    if (WSAAsyncSelect(s->s, s->ts->hwnd, slot_message(s), events) == SOCKET_ERROR)
        return WSAGetLastError();
    s->events = events;
    return MFCS_OK;
}

/* Binds a SOCKET that is now ours to the calling thread and selects events. */
static mfcs_err adopt(mfcs__socket *s, SOCKET h, long events)
{
    mfcs_err err;
    s->s = h;
    if ((err = bind_slot(s)) != MFCS_OK) {
        s->s = INVALID_SOCKET;
        return err;
    }
    if ((err = select_events(s, events)) != MFCS_OK) {
        release_slot(s);
        s->s = INVALID_SOCKET;
    }
    return err;
}

/* Drops the notifications queued and held for s's slot and gives the slot
 * back, so none reaches the next socket in it. On the owning thread only:
 * the one that may touch its queue and table. */
static void forget_slot(mfcs__socket *s)
{
    thread_sockets *t = (thread_sockets *)s->ts->sockets;
    MSG m;
    size_t i, j;
    while (mfcs__peek_own(s->ts->hwnd, slot_message(s), slot_message(s), &m))
        ;
    for (i = j = 0; i < t->nheld; i++)
        if (t->held[i].slot != s->slot)
            t->held[j++] = t->held[i];
    t->nheld = j;
    release_slot(s);
}

/* Stops notifications, closes the SOCKET (unless keep), and drops what is
 * queued for it. Runs on the owning thread (close, free, thread exit). */
static void unbind(mfcs__socket *s, int keep)
{
    if (s->s == INVALID_SOCKET)
        return;
    if (s->in_call)                /* a blocking call on it ends: cancelled */
        mfcs__blocking_signal_cancel(s);
    if (s->ts) {
        WSAAsyncSelect(s->s, s->ts->hwnd, 0, 0);
        if (!keep)
            closesocket(s->s);
        forget_slot(s);
    } else if (!keep) {
        closesocket(s->s);
    }
    s->s = INVALID_SOCKET;
    free(s->pushback);
    s->pushback = NULL;
    s->pb_len = s->pb_off = 0;
    s->held_notice = 0;   /* purged with the rest of its queue */
    s->close_deferred = 0;
}

static void close_socket(mfcs__socket *s)
{
    unbind(s, 0);
}

/* mfcs_term, from any thread: the handle is already dead. */
static void destroy_socket(void *obj)
{
    mfcs__socket *s = (mfcs__socket *)obj;
    mfcs__thread *owner = s->ts;
    s->handle = NULL;
    if (owner && owner->tid != GetCurrentThreadId()) {
        /* Another thread's socket: close it now; its thread frees the
         * memory with its state (it may be inside a callback of it). */
        closesocket(s->s);
        s->s = INVALID_SOCKET;
        s->freed = 1;
        return;
    }
    close_socket(s);
    if (s->in_callback)
        s->freed = 1;
    else
        mfcs__socket_free_memory(s);
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
            post_held(s);
            return;
        }
        fn = s->cb.on_close;
        break;
    }
    if (!fn)
        return;
    s->in_callback++;
    s->in_on_receive += event == FD_READ;
    ts->busy++;
    fn((mfcs_socket *)s->handle, err, s->user);
    ts->busy--;
    s->in_on_receive -= event == FD_READ;
    s->in_callback--;
    if (s->freed && !s->in_callback)
        mfcs__socket_free_memory(s);
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
    t->held[t->nheld].slot = s->slot;
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

/* ---- pushback (bytes an archive handed back) ---- */

mfcs_err mfcs__socket_unread(mfcs__socket *s, const void *buf, size_t len)
{
    size_t rest = mfcs__socket_pending(s);
    unsigned char *n;
    if (!len)
        return MFCS_OK;
    /* They were read before what is still here: they go in front. */
    n = (unsigned char *)malloc(len + rest);
    if (!n)
        return MFCS_E_NOMEM;
    memcpy(n, buf, len);
    if (rest)
        memcpy(n + len, s->pushback + s->pb_off, rest);
    free(s->pushback);
    s->pushback = n;
    s->pb_len = len + rest;
    s->pb_off = 0;
    post_held(s);
    return MFCS_OK;
}

size_t mfcs__socket_take_pushback(mfcs__socket *s, void *buf, size_t len, int peek)
{
    size_t n = mfcs__socket_pending(s);
    if (n > len)
        n = len;
    if (!n)
        return 0;
    if (buf)
        memcpy(buf, s->pushback + s->pb_off, n);
    if (!peek) {
        s->pb_off += n;
        if (s->pb_off == s->pb_len) {
            free(s->pushback);
            s->pushback = NULL;
            s->pb_len = s->pb_off = 0;
            if (s->close_deferred && post_notice(s, FD_CLOSE, 0))
                s->close_deferred = 0;   /* all read: now the close */
        } else {
            post_held(s);   /* a receive that leaves bytes behind, as Winsock's */
        }
    }
    return n;
}

/* ---- addresses ---- */

/* host:port for connect and send_to; AF_INET first for an IPv4 socket, as MFC. */
static mfcs_err resolve_host(const char *host, unsigned port, int family, int socktype,
                             struct sockaddr_storage *out, int *len)
{
    struct addrinfo hints, *res = NULL;
    char service[8];
    int rc;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = family;
    hints.ai_socktype = socktype;
    snprintf(service, sizeof service, "%u", port);
    rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0)
        return rc;   /* the resolver's own error (WSAHOST_NOT_FOUND, ...) */
    memcpy(out, res->ai_addr, res->ai_addrlen);
    *len = (int)res->ai_addrlen;
    freeaddrinfo(res);
    return MFCS_OK;
}

#define HOST_CAP_MIN 46   /* INET6_ADDRSTRLEN */

static mfcs_err address_text(const struct sockaddr *sa, int len, char *host, size_t cap, unsigned *port)
{
    if (host) {
        if (cap < HOST_CAP_MIN)
            return MFCS_E_INVALIDARG;
        if (getnameinfo(sa, len, host, (DWORD)cap, NULL, 0, NI_NUMERICHOST) != 0)
            return WSAGetLastError();
    }
    if (port)
        *port = sa->sa_family == AF_INET6 ? ntohs(((const struct sockaddr_in6 *)sa)->sin6_port)
                                          : ntohs(((const struct sockaddr_in *)sa)->sin_port);
    return MFCS_OK;
}

/* ---- the calls ---- */

mfcs_err mfcs__socket_get(mfcs_socket *h, mfcs__socket **out)
{
    return mfcs__handle_get_owned(h, MFCS__KIND_SOCKET, (void **)out);
}

/* A socket that must have a SOCKET. */
static mfcs_err get_created(mfcs_socket *h, mfcs__socket **out)
{
    mfcs_err err = mfcs__socket_get(h, out);
    if (err)
        return err;
    return (*out)->s == INVALID_SOCKET ? MFCS_E_STATE : MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_socket_new(mfcs_socket **out, int mode, const mfcs_socket_callbacks *cb, void *user)
{
    mfcs__socket *s;
    mfcs_err err;
    if (!out)
        return MFCS_E_INVALIDARG;
    *out = NULL;
    if (mode != MFCS_ASYNC && mode != MFCS_BLOCKING)
        return MFCS_E_INVALIDARG;
    if (!mfcs__initialized())
        return WSANOTINITIALISED;
    s = (mfcs__socket *)calloc(1, sizeof *s);
    if (!s)
        return MFCS_E_NOMEM;
    s->s = INVALID_SOCKET;
    s->mode = mode;
    if (cb)
        s->cb = *cb;
    s->user = user;
    if ((err = mfcs__handle_alloc(MFCS__KIND_SOCKET, s, 0, destroy_socket, &s->handle)) != MFCS_OK) {
        free(s);
        return err;
    }
    *out = (mfcs_socket *)s->handle;
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_socket_mode(mfcs_socket *h, int *mode)
{
    mfcs__socket *s;
    mfcs_err err = mfcs__socket_get(h, &s);
    if (err)
        return err;
    if (!mode)
        return MFCS_E_INVALIDARG;
    *mode = s->mode;
    return MFCS_OK;
}

static int events_ok(long events)
{
    return (events & ~(long)MFCS_ALL_EVENTS) == 0;
}

mfcs_err MFCS_CALL mfcs_socket_create_ex(mfcs_socket *h, unsigned port, int type, long events,
                                         const char *address, int family)
{
    mfcs__socket *s;
    struct sockaddr_storage sa;
    int salen;
    SOCKET sock;
    mfcs_err err = mfcs__socket_get(h, &s);
    if (err)
        return err;
    if (s->s != INVALID_SOCKET)
        return MFCS_E_STATE;
    /* A blocking socket selects everything whatever events says (CSocket). */
    if ((type != SOCK_STREAM && type != SOCK_DGRAM) || port > 65535 ||
        (s->mode != MFCS_BLOCKING && !events_ok(events)) ||
        (family != AF_INET && family != AF_INET6))
        return MFCS_E_INVALIDARG;
    memset(&sa, 0, sizeof sa);
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&sa;
        in->sin_family = AF_INET;
        in->sin_port = htons((u_short)port);
        /* A literal only, as MFC's Create: binding never resolves names. */
        if (address && inet_pton(AF_INET, address, &in->sin_addr) != 1)
            return MFCS_E_INVALIDARG;
        salen = sizeof *in;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&sa;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((u_short)port);
        if (address && inet_pton(AF_INET6, address, &in6->sin6_addr) != 1)
            return MFCS_E_INVALIDARG;
        salen = sizeof *in6;
    }
    sock = socket(family, type, type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP);
    if (sock == INVALID_SOCKET)
        return WSAGetLastError();
    if (bind(sock, (struct sockaddr *)&sa, salen) == SOCKET_ERROR) {
        err = WSAGetLastError();
        closesocket(sock);
        return err;
    }
    s->family = family;
    if (s->mode == MFCS_BLOCKING)
        events = MFCS_ALL_EVENTS;   /* CSocket::Create selects everything */
    if ((err = adopt(s, sock, events)) != MFCS_OK)
        closesocket(sock);
    return err;
}

mfcs_err MFCS_CALL mfcs_socket_create(mfcs_socket *h, unsigned port, int type, long events, const char *address)
{
    return mfcs_socket_create_ex(h, port, type, events, address, AF_INET);
}

mfcs_err MFCS_CALL mfcs_socket_attach(mfcs_socket *h, SOCKET sock, long events)
{
    mfcs__socket *s;
    struct sockaddr_storage sa;
    int len = sizeof sa;
    unsigned long on = 1;
    mfcs_err err = mfcs__socket_get(h, &s);
    if (err)
        return err;
    if (s->s != INVALID_SOCKET)
        return MFCS_E_STATE;
    if (s->mode != MFCS_BLOCKING && !events_ok(events))
        return MFCS_E_INVALIDARG;
    if (getsockname(sock, (struct sockaddr *)&sa, &len) == SOCKET_ERROR) {
        err = WSAGetLastError();
        if (err != WSAEINVAL)       /* WSAEINVAL: a socket not bound yet, still a socket */
            return err;
        sa.ss_family = AF_INET;
    }
    if (ioctlsocket(sock, FIONBIO, &on) == SOCKET_ERROR)
        return WSAGetLastError();
    s->family = sa.ss_family;
    if (s->mode == MFCS_BLOCKING)
        events = MFCS_ALL_EVENTS;
    return adopt(s, sock, events);
}

mfcs_err MFCS_CALL mfcs_socket_detach(mfcs_socket *h, SOCKET *out)
{
    mfcs__socket *s;
    SOCKET sock;
    mfcs_err err = get_created(h, &s);
    if (err)
        return err;
    if (!out)
        return MFCS_E_INVALIDARG;
    if (s->in_call)
        return MFCS_E_INPROGRESS;
    /* Received from the SOCKET already, they would not go with it. */
    if (mfcs__socket_pending(s))
        return MFCS_E_STATE;
    sock = s->s;
    unbind(s, 1);
    *out = sock;
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_socket_handle(mfcs_socket *h, SOCKET *out)
{
    mfcs__socket *s;
    mfcs_err err = mfcs__socket_get(h, &s);
    if (err)
        return err;
    if (!out)
        return MFCS_E_INVALIDARG;
    *out = s->s;
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_socket_type(mfcs_socket *h, int *type)
{
    mfcs__socket *s;
    int len = sizeof *type;
    mfcs_err err = get_created(h, &s);
    if (err)
        return err;
    if (!type)
        return MFCS_E_INVALIDARG;
    if (getsockopt(s->s, SOL_SOCKET, SO_TYPE, (char *)type, &len) == SOCKET_ERROR)
        return WSAGetLastError();
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_socket_listen(mfcs_socket *h, int backlog)
{
    mfcs__socket *s;
    mfcs_err err = get_created(h, &s);
    if (err)
        return err;
    return listen(s->s, backlog) == SOCKET_ERROR ? WSAGetLastError() : MFCS_OK;
}

/* ---- connect ---- */

static mfcs_err connect_done_op(mfcs__socket *s, void *ctx)
{
    (void)ctx;
    if (!s->connect_done)
        return WSAEWOULDBLOCK;
    return s->connect_err;
}

mfcs_err MFCS_CALL mfcs_socket_connect(mfcs_socket *h, const char *host, unsigned port)
{
    mfcs__socket *s;
    struct sockaddr_storage sa;
    int salen, type = SOCK_STREAM, tl = sizeof type;
    mfcs_err err = get_created(h, &s);
    if (err)
        return err;
    if (!host || port == 0 || port > 65535)
        return MFCS_E_INVALIDARG;
    if (s->mode == MFCS_BLOCKING && s->in_call)
        return MFCS_E_INPROGRESS;
    getsockopt(s->s, SOL_SOCKET, SO_TYPE, (char *)&type, &tl);
    if ((err = resolve_host(host, port, s->family, type, &sa, &salen)) != MFCS_OK)
        return err;
    s->connect_done = 0;
    if (connect(s->s, (struct sockaddr *)&sa, salen) != SOCKET_ERROR)
        return MFCS_OK;
    err = WSAGetLastError();
    if (err != WSAEWOULDBLOCK || s->mode != MFCS_BLOCKING || type != SOCK_STREAM)
        return err;
    return mfcs__blocking_run(s, FD_CONNECT, connect_done_op, NULL, mfcs__deadline(s));
}

/* ---- accept ---- */

typedef struct accept_ctx {
    SOCKET got;
    struct sockaddr_storage sa;
    int salen;
} accept_ctx;

static mfcs_err accept_op(mfcs__socket *s, void *p)
{
    accept_ctx *c = (accept_ctx *)p;
    c->salen = sizeof c->sa;
    c->got = accept(s->s, (struct sockaddr *)&c->sa, &c->salen);
    return c->got == INVALID_SOCKET ? WSAGetLastError() : MFCS_OK;
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
static void move_inherited(mfcs__socket *l, mfcs__socket *a)
{
    MSG m, *kept = NULL, *grown;
    size_t n = 0, cap = 0, i;
    HWND hwnd = l->ts->hwnd;
    while (mfcs__peek_own(hwnd, slot_message(l), slot_message(l), &m)) {
        if ((SOCKET)m.wParam == a->s) {
            PostMessageA(hwnd, slot_message(a), m.wParam, m.lParam);
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
    for (i = 0; i < n; i++)
        PostMessageA(hwnd, kept[i].message, kept[i].wParam, kept[i].lParam);
    free(kept);
}

mfcs_err MFCS_CALL mfcs_socket_accept(mfcs_socket *lh, mfcs_socket *ah, char *peer_host, size_t host_cap,
                                      unsigned *peer_port)
{
    mfcs__socket *l, *a;
    accept_ctx c;
    mfcs_err err = get_created(lh, &l);
    c.got = INVALID_SOCKET;
    if (err)
        return err;
    if ((err = mfcs__socket_get(ah, &a)) != MFCS_OK)
        return err;
    if (a->s != INVALID_SOCKET || a == l)
        return MFCS_E_STATE;
    if (peer_host && host_cap < HOST_CAP_MIN)
        return MFCS_E_INVALIDARG;
    if (l->mode == MFCS_BLOCKING) {
        if (l->in_call)
            return MFCS_E_INPROGRESS;
        err = mfcs__blocking_run(l, FD_ACCEPT, accept_op, &c, mfcs__deadline(l));
        /* The wait ran on_message_pending, which may have freed or created
         * the socket to accept into: look again before using it. */
        if (!err && (err = mfcs__socket_get(ah, &a)) == MFCS_OK && a->s != INVALID_SOCKET)
            err = MFCS_E_STATE;
        if (err && c.got != INVALID_SOCKET)
            closesocket(c.got);
    } else {
        err = accept_op(l, &c);
    }
    if (err)
        return err;
    a->family = c.sa.ss_family;
    /* The new SOCKET inherited the listener's selection: its own message
     * first, with no events, then what came in between, then its events,
     * whose conditions Winsock announces after those. */
    if ((err = adopt(a, c.got, 0)) != MFCS_OK) {
        closesocket(c.got);
        return err;
    }
    move_inherited(l, a);
    if ((err = select_events(a, a->mode == MFCS_BLOCKING ? MFCS_ALL_EVENTS : l->events)) != MFCS_OK) {
        close_socket(a);
        return err;
    }
    return address_text((struct sockaddr *)&c.sa, c.salen, peer_host, host_cap, peer_port);
}

/* ---- send ---- */

typedef struct io_ctx {
    const char *out;
    char *in;
    int len, done, flags;
    const struct sockaddr *to;
    int tolen;
    struct sockaddr_storage from;
    int fromlen;
} io_ctx;

/* Sends what is left; WSAEWOULDBLOCK until all of it went (CSocket::Send's loop). */
static mfcs_err send_all_op(mfcs__socket *s, void *p)
{
    io_ctx *c = (io_ctx *)p;
    while (c->done < c->len) {
        int n = send(s->s, c->out + c->done, c->len - c->done, c->flags);
        if (n == SOCKET_ERROR)
            return WSAGetLastError();
        c->done += n;
    }
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_socket_send(mfcs_socket *h, const void *buf, int len, int flags, int *sent)
{
    mfcs__socket *s;
    io_ctx c;
    mfcs_err err = get_created(h, &s);
    if (sent)
        *sent = 0;
    if (err)
        return err;
    if (len < 0 || (!buf && len))
        return MFCS_E_INVALIDARG;
    memset(&c, 0, sizeof c);
    c.out = (const char *)buf;
    c.len = len;
    c.flags = flags;
    if (s->mode == MFCS_BLOCKING) {
        if (s->in_call)
            return MFCS_E_INPROGRESS;
        err = mfcs__blocking_run(s, FD_WRITE, send_all_op, &c, mfcs__deadline(s));
    } else {
        int n = send(s->s, c.out, len, flags);
        err = n == SOCKET_ERROR ? WSAGetLastError() : MFCS_OK;
        c.done = n == SOCKET_ERROR ? 0 : n;
    }
    if (sent)
        *sent = c.done;
    return err;
}

static mfcs_err send_to_op(mfcs__socket *s, void *p)
{
    io_ctx *c = (io_ctx *)p;
    int n = sendto(s->s, c->out, c->len, c->flags, c->to, c->tolen);
    if (n == SOCKET_ERROR)
        return WSAGetLastError();
    c->done = n;
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_socket_send_to(mfcs_socket *h, const void *buf, int len, const char *host,
                                       unsigned port, int flags, int *sent)
{
    mfcs__socket *s;
    io_ctx c;
    struct sockaddr_storage sa;
    int salen, type = SOCK_DGRAM, tl = sizeof type;
    mfcs_err err = get_created(h, &s);
    if (sent)
        *sent = 0;
    if (err)
        return err;
    if (len < 0 || (!buf && len) || port == 0 || port > 65535)
        return MFCS_E_INVALIDARG;
    getsockopt(s->s, SOL_SOCKET, SO_TYPE, (char *)&type, &tl);
    if (!host) {   /* MFC: no address means the broadcast address */
        struct sockaddr_in *in = (struct sockaddr_in *)&sa;
        memset(&sa, 0, sizeof sa);
        in->sin_family = AF_INET;
        in->sin_port = htons((u_short)port);
        in->sin_addr.s_addr = INADDR_BROADCAST;
        salen = sizeof *in;
    } else if ((err = resolve_host(host, port, s->family, type, &sa, &salen)) != MFCS_OK) {
        return err;
    }
    memset(&c, 0, sizeof c);
    c.out = (const char *)buf;
    c.len = len;
    c.flags = flags;
    c.to = (struct sockaddr *)&sa;
    c.tolen = salen;
    if (s->mode == MFCS_BLOCKING) {
        if (s->in_call)
            return MFCS_E_INPROGRESS;
        err = mfcs__blocking_run(s, FD_WRITE, send_to_op, &c, mfcs__deadline(s));
    } else {
        err = send_to_op(s, &c);
    }
    if (sent)
        *sent = c.done;
    return err;
}

/* ---- receive ---- */

mfcs_err mfcs__socket_recv(mfcs__socket *s, char *buf, int len, int flags, int *n)
{
    mfcs__socket_note_recv(s);
    *n = recv(s->s, buf, len, flags);
    if (*n == SOCKET_ERROR) {
        *n = 0;
        return WSAGetLastError();
    }
    return MFCS_OK;
}

/* What one receive for a socket file may take, in all (see socket.h). */
#define READ_AHEAD (256 * 1024)

mfcs_err mfcs__socket_recv_ahead(mfcs__socket *s, char *buf, int len, int *n)
{
    thread_sockets *t = (thread_sockets *)s->ts->sockets;
    WSABUF b[2];
    DWORD got = 0, flags = 0;

    /* Held bytes came before anything Winsock has (an archive may hand some
     * back even while this read waits, from on_message_pending). */
    if (mfcs__socket_pending(s)) {
        *n = (int)mfcs__socket_take_pushback(s, buf, (size_t)len, 0);
        return MFCS_OK;
    }
    if (len >= READ_AHEAD || (!t->spare && !(t->spare = (char *)malloc(READ_AHEAD))))
        return mfcs__socket_recv(s, buf, len, 0, n);
    b[0].buf = buf;
    b[0].len = (ULONG)len;
    b[1].buf = t->spare;
    b[1].len = (ULONG)(READ_AHEAD - len);
    mfcs__socket_note_recv(s);
    *n = 0;
    if (WSARecv(s->s, b, 2, &got, &flags, NULL, NULL) == SOCKET_ERROR)
        return WSAGetLastError();
    if (got <= (DWORD)len) {
        *n = (int)got;
        return MFCS_OK;   /* the spare stays the thread's: no allocation per receive */
    }
    *n = len;
    got -= (DWORD)len;
    /* The spare becomes the held block, shrunk to what it holds: no copy.
     * The thread makes a new one when it next needs one. */
    s->pushback = (unsigned char *)realloc(t->spare, got);
    if (!s->pushback)
        s->pushback = (unsigned char *)t->spare;
    t->spare = NULL;
    s->pb_len = got;
    s->pb_off = 0;
    post_held(s);
    return MFCS_OK;
}

static mfcs_err recv_op(mfcs__socket *s, void *p)
{
    io_ctx *c = (io_ctx *)p;
    char scratch[4096];
    if (c->in)
        return mfcs__socket_recv(s, c->in, c->len, c->flags, &c->done);
    /* no buffer: the bytes are dropped */
    return mfcs__socket_recv(s, scratch, c->len < (int)sizeof scratch ? c->len : (int)sizeof scratch,
                             c->flags, &c->done);
}

/* Whether a receive takes handed-back bytes: they came before anything
 * still in the socket (out-of-band data is another stream). */
static int handed_back_first(const mfcs__socket *s, int len, int flags)
{
    return len && mfcs__socket_pending(s) && !(flags & MSG_OOB);
}

mfcs_err MFCS_CALL mfcs_socket_receive(mfcs_socket *h, void *buf, int len, int flags, int *received)
{
    mfcs__socket *s;
    io_ctx c;
    mfcs_err err = get_created(h, &s);
    if (received)
        *received = 0;
    if (err)
        return err;
    if (len < 0)
        return MFCS_E_INVALIDARG;
    if (s->mode == MFCS_BLOCKING && s->in_call)
        return MFCS_E_INPROGRESS;
    if (handed_back_first(s, len, flags)) {
        int n = (int)mfcs__socket_take_pushback(s, buf, (size_t)len, (flags & MSG_PEEK) != 0);
        if (received)
            *received = n;
        return MFCS_OK;
    }
    memset(&c, 0, sizeof c);
    c.in = (char *)buf;
    c.len = len;
    c.flags = flags;
    if (s->mode == MFCS_BLOCKING)
        err = mfcs__blocking_run(s, FD_READ, recv_op, &c, mfcs__deadline(s));
    else
        err = recv_op(s, &c);
    if (received)
        *received = c.done;
    return err;
}

static mfcs_err recv_from_op(mfcs__socket *s, void *p)
{
    io_ctx *c = (io_ctx *)p;
    char scratch[4096];
    int n;
    c->fromlen = sizeof c->from;
    mfcs__socket_note_recv(s);
    n = recvfrom(s->s, c->in ? c->in : scratch,
                 c->in ? c->len : (c->len < (int)sizeof scratch ? c->len : (int)sizeof scratch),
                 c->flags, (struct sockaddr *)&c->from, &c->fromlen);
    if (n == SOCKET_ERROR)
        return WSAGetLastError();
    c->done = n;
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_socket_receive_from(mfcs_socket *h, void *buf, int len, char *host, size_t host_cap,
                                            unsigned *port, int flags, int *received)
{
    mfcs__socket *s;
    io_ctx c;
    mfcs_err err = get_created(h, &s);
    if (received)
        *received = 0;
    if (err)
        return err;
    if (len < 0 || (host && host_cap < HOST_CAP_MIN))
        return MFCS_E_INVALIDARG;
    if (s->mode == MFCS_BLOCKING && s->in_call)
        return MFCS_E_INPROGRESS;
    /* A stream socket's handed-back bytes come first here too: they came
     * from its peer, whose address is taken before anything is consumed. */
    if (handed_back_first(s, len, flags)) {
        struct sockaddr_storage from;
        int fromlen = sizeof from, n;
        if (getpeername(s->s, (struct sockaddr *)&from, &fromlen) == SOCKET_ERROR)
            return WSAGetLastError();
        n = (int)mfcs__socket_take_pushback(s, buf, (size_t)len, (flags & MSG_PEEK) != 0);
        if (received)
            *received = n;
        return address_text((struct sockaddr *)&from, fromlen, host, host_cap, port);
    }
    memset(&c, 0, sizeof c);
    c.in = (char *)buf;
    c.len = len;
    c.flags = flags;
    if (s->mode == MFCS_BLOCKING) {
        err = mfcs__blocking_run(s, FD_READ, recv_from_op, &c, mfcs__deadline(s));
    } else {
        err = recv_from_op(s, &c);
    }
    if (err)
        return err;
    if (received)
        *received = c.done;
    /* recvfrom names no sender on a connected stream socket: its peer it is.
     * The bytes are taken already, so an address that cannot be had is
     * reported as none (empty host, port 0), not as a lost receive. */
    if (c.from.ss_family == AF_UNSPEC) {
        c.fromlen = sizeof c.from;
        if (getpeername(s->s, (struct sockaddr *)&c.from, &c.fromlen) == SOCKET_ERROR) {
            if (host)
                host[0] = '\0';
            if (port)
                *port = 0;
            return MFCS_OK;
        }
    }
    return address_text((struct sockaddr *)&c.from, c.fromlen, host, host_cap, port);
}

/* ---- the rest ---- */

mfcs_err MFCS_CALL mfcs_socket_shutdown(mfcs_socket *h, int how)
{
    mfcs__socket *s;
    mfcs_err err = get_created(h, &s);
    if (err)
        return err;
    if (how != SD_RECEIVE && how != SD_SEND && how != SD_BOTH)
        return MFCS_E_INVALIDARG;
    return shutdown(s->s, how) == SOCKET_ERROR ? WSAGetLastError() : MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_socket_close(mfcs_socket *h)
{
    mfcs__socket *s;
    mfcs_err err = mfcs__socket_get(h, &s);
    if (err)
        return err;
    close_socket(s);
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_socket_free(mfcs_socket *h)
{
    mfcs__socket *s;
    mfcs_err err = mfcs__socket_get(h, &s);
    if (err)
        return err;
    close_socket(s);
    mfcs__handle_release(h);
    s->handle = NULL;
    if (s->in_callback)
        s->freed = 1;         /* the callback under way still holds it */
    else
        mfcs__socket_free_memory(s);
    return MFCS_OK;
}

static mfcs_err name_of(mfcs_socket *h, int peer, char *host, size_t cap, unsigned *port)
{
    mfcs__socket *s;
    struct sockaddr_storage sa;
    int len = sizeof sa, rc;
    mfcs_err err = get_created(h, &s);
    if (err)
        return err;
    if (host && cap < HOST_CAP_MIN)
        return MFCS_E_INVALIDARG;
    rc = peer ? getpeername(s->s, (struct sockaddr *)&sa, &len) : getsockname(s->s, (struct sockaddr *)&sa, &len);
    if (rc == SOCKET_ERROR)
        return WSAGetLastError();
    return address_text((struct sockaddr *)&sa, len, host, cap, port);
}

mfcs_err MFCS_CALL mfcs_socket_sock_name(mfcs_socket *h, char *host, size_t cap, unsigned *port)
{
    return name_of(h, 0, host, cap, port);
}

mfcs_err MFCS_CALL mfcs_socket_peer_name(mfcs_socket *h, char *host, size_t cap, unsigned *port)
{
    return name_of(h, 1, host, cap, port);
}

mfcs_err MFCS_CALL mfcs_socket_set_option(mfcs_socket *h, int level, int name, const void *val, int len)
{
    mfcs__socket *s;
    mfcs_err err = get_created(h, &s);
    if (err)
        return err;
    if (!val || len < 0)
        return MFCS_E_INVALIDARG;
    return setsockopt(s->s, level, name, (const char *)val, len) == SOCKET_ERROR ? WSAGetLastError() : MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_socket_get_option(mfcs_socket *h, int level, int name, void *val, int *len)
{
    mfcs__socket *s;
    mfcs_err err = get_created(h, &s);
    if (err)
        return err;
    if (!val || !len || *len < 0)
        return MFCS_E_INVALIDARG;
    return getsockopt(s->s, level, name, (char *)val, len) == SOCKET_ERROR ? WSAGetLastError() : MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_socket_ioctl(mfcs_socket *h, long cmd, unsigned long *arg)
{
    mfcs__socket *s;
    u_long v;
    mfcs_err err = get_created(h, &s);
    if (err)
        return err;
    if (!arg)
        return MFCS_E_INVALIDARG;
    v = (u_long)*arg;
    if (ioctlsocket(s->s, cmd, &v) == SOCKET_ERROR)
        return WSAGetLastError();
    if (cmd == FIONREAD)   /* handed-back bytes are readable too */
        v += (u_long)mfcs__socket_pending(s);
    *arg = v;
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_socket_async_select(mfcs_socket *h, long events)
{
    mfcs__socket *s;
    mfcs_err err = get_created(h, &s);
    if (err)
        return err;
    if (!events_ok(events))
        return MFCS_E_INVALIDARG;
    s->recv_outside = 1;   /* a new selection may post a fresh FD_READ: check it */
    return select_events(s, events);
}
