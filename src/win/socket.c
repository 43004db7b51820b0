/*
 * socket.c: sockets (MFC's CAsyncSocket, and the non-waiting half of
 * CSocket): life cycle and calls. Each call pins the socket for its
 * duration (socket.h), checks its thread and state, and makes the Winsock
 * call; a blocking socket's waiting is blocking.c's, the routing of
 * notifications socket_route.c's.
 */
#include "socket.h"

#include <stdlib.h>
#include <string.h>

/* ---- life cycle ---- */

void mfcs__socket_free_memory(mfcs__socket *s)
{
    if (s->cancel_event)
        CloseHandle(s->cancel_event);
    free(s->pushback);
    free(s);
}

void mfcs__socket_close_handle(mfcs__socket *s)
{
    SOCKET old = (SOCKET)(uintptr_t)InterlockedExchangePointer((void *volatile *)&s->s,
                                                               (void *)(uintptr_t)INVALID_SOCKET);
    if (old != INVALID_SOCKET)
        closesocket(old);
}

void mfcs__socket_unbind(mfcs__socket *s, int keep)
{
    if (s->in_call)                /* a blocking call on it ends: cancelled */
        mfcs__blocking_signal_cancel(s);
    if (s->ts && s->s != INVALID_SOCKET)
        WSAAsyncSelect(s->s, s->ts->hwnd, 0, 0);
    if (keep)
        s->s = INVALID_SOCKET;
    else
        mfcs__socket_close_handle(s);
    if (s->ts)
        mfcs__route_forget(s);
    mfcs__handle_set_owner(s->slot, 0);
    free(s->pushback);
    s->pushback = NULL;
    s->pb_len = s->pb_off = 0;
    s->held_notice = 0;   /* purged with the rest of its queue */
    s->close_deferred = 0;
}

/* The slot's finalizer: the handle is dead and no call or callback holds
 * the socket, on whichever thread dropped the last pin. */
static void socket_finalize(void *obj)
{
    mfcs__socket *s = (mfcs__socket *)obj;
    /* Another thread's state is not ours to read: only compare. */
    mfcs__thread *ts = s->ts;
    if (ts && ts == mfcs__thread_peek()) {
        mfcs__socket_unbind(s, 0);
    } else if (ts) {
        /* Another thread's (mfcs_term, or a cancel's pin dropped last):
         * its SOCKET closes here, since no call of its owner is using it;
         * the owner forgets the slot and frees the memory. */
        mfcs__socket_close_handle(s);
        mfcs__route_zombie(s);
        return;
    } else {
        mfcs__socket_close_handle(s);
    }
    mfcs__socket_free_memory(s);
}

/* ---- the calls ---- */

mfcs_err mfcs__socket_get(mfcs_socket *h, mfcs__socket **out)
{
    mfcs__slot *slot;
    return mfcs__pin(h, MFCS__KIND_SOCKET, MFCS__USE_OWNER, &slot, (void **)out);
}

/* A socket that must have a SOCKET. */
static mfcs_err get_created(mfcs_socket *h, mfcs__socket **out)
{
    mfcs_err err = mfcs__socket_get(h, out);
    if (!err && (*out)->s == INVALID_SOCKET) {
        mfcs__socket_put(*out);
        err = MFCS_E_STATE;
    }
    return err;
}

/* Ends a call: unpins s, returns err. */
static mfcs_err put(mfcs__socket *s, mfcs_err err)
{
    mfcs__socket_put(s);
    return err;
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
    if ((err = mfcs__handle_alloc(MFCS__KIND_SOCKET, s, 0, MFCS__SLOT_BOUND, socket_finalize,
                                  &s->handle, &s->slot)) != MFCS_OK) {
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
        return put(s, MFCS_E_INVALIDARG);
    *mode = s->mode;
    return put(s, MFCS_OK);
}

static int events_ok(long events)
{
    return (events & ~(long)MFCS_ALL_EVENTS) == 0;
}

static mfcs_err select_events(mfcs__socket *s, long events)
{
    if (WSAAsyncSelect(s->s, s->ts->hwnd, mfcs__route_message(s), events) == SOCKET_ERROR)
        return WSAGetLastError();
    s->events = events;
    return MFCS_OK;
}

/* Binds a SOCKET that is now ours to the calling thread and selects events. */
static mfcs_err adopt(mfcs__socket *s, SOCKET h, long events)
{
    mfcs_err err;
    s->s = h;
    if ((err = mfcs__route_bind(s)) != MFCS_OK) {
        s->s = INVALID_SOCKET;
        return err;
    }
    if ((err = select_events(s, events)) != MFCS_OK)
        mfcs__socket_unbind(s, 1);   /* the caller closes h */
    return err;
}

static mfcs_err create(mfcs__socket *s, unsigned port, int type, long events, const char *address, int family)
{
    struct sockaddr_storage sa;
    int salen;
    SOCKET sock;
    mfcs_err err;
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

mfcs_err MFCS_CALL mfcs_socket_create_ex(mfcs_socket *h, unsigned port, int type, long events,
                                         const char *address, int family)
{
    mfcs__socket *s;
    mfcs_err err = mfcs__socket_get(h, &s);
    return err ? err : put(s, create(s, port, type, events, address, family));
}

mfcs_err MFCS_CALL mfcs_socket_create(mfcs_socket *h, unsigned port, int type, long events, const char *address)
{
    return mfcs_socket_create_ex(h, port, type, events, address, AF_INET);
}

/* The address family of a SOCKET, bound or not: a later connect by name
 * must resolve for the family the socket was made with (getsockname has no
 * answer before bind). */
static mfcs_err family_of(SOCKET sock, int *family)
{
    WSAPROTOCOL_INFOW info;
    struct sockaddr_storage sa;
    int len = sizeof info;
    if (getsockopt(sock, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&info, &len) == 0) {
        *family = info.iAddressFamily;
        return MFCS_OK;
    }
    len = sizeof sa;
    if (getsockname(sock, (struct sockaddr *)&sa, &len) == SOCKET_ERROR)
        return WSAGetLastError();
    *family = sa.ss_family;
    return MFCS_OK;
}

static mfcs_err attach(mfcs__socket *s, SOCKET sock, long events)
{
    unsigned long on = 1;
    int family = AF_INET;
    mfcs_err err;
    if (s->s != INVALID_SOCKET)
        return MFCS_E_STATE;
    if (s->mode != MFCS_BLOCKING && !events_ok(events))
        return MFCS_E_INVALIDARG;
    if ((err = family_of(sock, &family)) != MFCS_OK)
        return err;
    if (ioctlsocket(sock, FIONBIO, &on) == SOCKET_ERROR)
        return WSAGetLastError();
    s->family = family;
    if (s->mode == MFCS_BLOCKING)
        events = MFCS_ALL_EVENTS;
    return adopt(s, sock, events);
}

mfcs_err MFCS_CALL mfcs_socket_attach(mfcs_socket *h, SOCKET sock, long events)
{
    mfcs__socket *s;
    mfcs_err err = mfcs__socket_get(h, &s);
    return err ? err : put(s, attach(s, sock, events));
}

mfcs_err MFCS_CALL mfcs_socket_detach(mfcs_socket *h, SOCKET *out)
{
    mfcs__socket *s;
    SOCKET sock;
    mfcs_err err = get_created(h, &s);
    if (err)
        return err;
    if (!out)
        return put(s, MFCS_E_INVALIDARG);
    if (s->in_call)
        return put(s, MFCS_E_INPROGRESS);
    /* Received from the SOCKET already, they would not go with it. */
    if (mfcs__socket_pending(s))
        return put(s, MFCS_E_STATE);
    sock = s->s;
    mfcs__socket_unbind(s, 1);
    *out = sock;
    return put(s, MFCS_OK);
}

mfcs_err MFCS_CALL mfcs_socket_handle(mfcs_socket *h, SOCKET *out)
{
    mfcs__socket *s;
    mfcs_err err = mfcs__socket_get(h, &s);
    if (err)
        return err;
    if (!out)
        return put(s, MFCS_E_INVALIDARG);
    *out = s->s;
    return put(s, MFCS_OK);
}

mfcs_err MFCS_CALL mfcs_socket_type(mfcs_socket *h, int *type)
{
    mfcs__socket *s;
    int len = sizeof *type;
    mfcs_err err = get_created(h, &s);
    if (err)
        return err;
    if (!type)
        return put(s, MFCS_E_INVALIDARG);
    if (getsockopt(s->s, SOL_SOCKET, SO_TYPE, (char *)type, &len) == SOCKET_ERROR)
        err = WSAGetLastError();
    return put(s, err);
}

mfcs_err MFCS_CALL mfcs_socket_listen(mfcs_socket *h, int backlog)
{
    mfcs__socket *s;
    mfcs_err err = get_created(h, &s);
    if (err)
        return err;
    return put(s, listen(s->s, backlog) == SOCKET_ERROR ? WSAGetLastError() : MFCS_OK);
}

/* ---- connect ---- */

/* Done once FD_CONNECT came. Should that notification be lost (a full
 * message queue drops posts), the wait's re-poll asks the socket itself:
 * writable means connected, an exception means refused. Only then: each
 * wake-up that is not a re-poll brings the thread's own notifications,
 * which the wait dispatches on its way (a listener's among them). */
static mfcs_err connect_done_op(mfcs__socket *s, void *ctx)
{
    fd_set wr, ex;
    struct timeval zero = { 0, 0 };
    (void)ctx;
    if (s->connect_done)
        return s->connect_err;
    if (!s->repolled)
        return WSAEWOULDBLOCK;
    FD_ZERO(&wr);
    FD_ZERO(&ex);
    FD_SET(s->s, &wr);
    FD_SET(s->s, &ex);
    if (select(0, NULL, &wr, &ex, &zero) > 0) {
        if (FD_ISSET(s->s, &ex)) {
            int e = 0, len = sizeof e;
            getsockopt(s->s, SOL_SOCKET, SO_ERROR, (char *)&e, &len);
            return e ? e : WSAECONNREFUSED;
        }
        return MFCS_OK;
    }
    return WSAEWOULDBLOCK;
}

static mfcs_err connect_to(mfcs__socket *s, const char *host, unsigned port)
{
    struct sockaddr_storage sa;
    int salen, type = SOCK_STREAM, tl = sizeof type;
    mfcs_err err;
    if (!host || port == 0 || port > 65535)
        return MFCS_E_INVALIDARG;
    if (s->mode == MFCS_BLOCKING && s->in_call)
        return MFCS_E_INPROGRESS;
    getsockopt(s->s, SOL_SOCKET, SO_TYPE, (char *)&type, &tl);
    if ((err = mfcs__resolve_host(host, port, s->family, type, &sa, &salen)) != MFCS_OK)
        return err;
    s->connect_done = 0;
    if (connect(s->s, (struct sockaddr *)&sa, salen) != SOCKET_ERROR)
        return MFCS_OK;
    err = WSAGetLastError();
    if (err != WSAEWOULDBLOCK || s->mode != MFCS_BLOCKING || type != SOCK_STREAM)
        return err;
    return mfcs__blocking_run(s, FD_CONNECT, connect_done_op, NULL, mfcs__deadline(s));
}

mfcs_err MFCS_CALL mfcs_socket_connect(mfcs_socket *h, const char *host, unsigned port)
{
    mfcs__socket *s;
    mfcs_err err = get_created(h, &s);
    return err ? err : put(s, connect_to(s, host, port));
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

static mfcs_err accept_into(mfcs__socket *l, mfcs_socket *ah, mfcs__socket *a, char *peer_host,
                            size_t host_cap, unsigned *peer_port)
{
    accept_ctx c;
    mfcs_err err;
    c.got = INVALID_SOCKET;
    if (a->s != INVALID_SOCKET || a == l)
        return MFCS_E_STATE;
    if (peer_host && host_cap < MFCS__HOST_CAP_MIN)
        return MFCS_E_INVALIDARG;
    if (l->mode == MFCS_BLOCKING) {
        mfcs__socket *again;
        if (l->in_call)
            return MFCS_E_INPROGRESS;
        err = mfcs__blocking_run(l, FD_ACCEPT, accept_op, &c, mfcs__deadline(l));
        /* The wait ran on_message_pending, which may have freed or created
         * the socket to accept into (our pin keeps its memory): look again. */
        if (!err && (err = mfcs__socket_get(ah, &again)) == MFCS_OK) {
            if (a->s != INVALID_SOCKET)
                err = MFCS_E_STATE;
            mfcs__socket_put(again);
        }
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
    mfcs__route_move_inherited(l, a);
    if ((err = select_events(a, a->mode == MFCS_BLOCKING ? MFCS_ALL_EVENTS : l->events)) != MFCS_OK) {
        mfcs__socket_unbind(a, 0);
        return err;
    }
    return mfcs__address_text((struct sockaddr *)&c.sa, c.salen, peer_host, host_cap, peer_port);
}

mfcs_err MFCS_CALL mfcs_socket_accept(mfcs_socket *lh, mfcs_socket *ah, char *peer_host, size_t host_cap,
                                      unsigned *peer_port)
{
    mfcs__socket *l, *a;
    mfcs_err err = get_created(lh, &l);
    if (err)
        return err;
    if ((err = mfcs__socket_get(ah, &a)) != MFCS_OK)
        return put(l, err);
    err = accept_into(l, ah, a, peer_host, host_cap, peer_port);
    mfcs__socket_put(a);
    return put(l, err);
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

/* One transfer as the socket's mode asks: a blocking socket waits for its
 * event (one call at a time), a non-blocking one tries once. */
static mfcs_err run_io(mfcs__socket *s, long event, mfcs__blocking_op op, io_ctx *c)
{
    if (s->mode != MFCS_BLOCKING)
        return op(s, c);
    if (s->in_call)
        return MFCS_E_INPROGRESS;
    return mfcs__blocking_run(s, event, op, c, mfcs__deadline(s));
}

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

static mfcs_err send_once_op(mfcs__socket *s, void *p)
{
    io_ctx *c = (io_ctx *)p;
    int n = send(s->s, c->out, c->len, c->flags);
    if (n == SOCKET_ERROR)
        return WSAGetLastError();
    c->done = n;
    return MFCS_OK;
}

static mfcs_err send_bytes(mfcs__socket *s, const void *buf, int len, int flags, int *sent)
{
    io_ctx c;
    mfcs_err err;
    if (len < 0 || (!buf && len))
        return MFCS_E_INVALIDARG;
    memset(&c, 0, sizeof c);
    c.out = (const char *)buf;
    c.len = len;
    c.flags = flags;
    /* blocking: CSocket::Send's loop; non-blocking: one send, as CAsyncSocket */
    err = run_io(s, FD_WRITE, s->mode == MFCS_BLOCKING ? send_all_op : send_once_op, &c);
    if (sent)
        *sent = c.done;
    return err;
}

mfcs_err MFCS_CALL mfcs_socket_send(mfcs_socket *h, const void *buf, int len, int flags, int *sent)
{
    mfcs__socket *s;
    mfcs_err err = get_created(h, &s);
    if (sent)
        *sent = 0;
    return err ? err : put(s, send_bytes(s, buf, len, flags, sent));
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

static mfcs_err send_bytes_to(mfcs__socket *s, const void *buf, int len, const char *host,
                              unsigned port, int flags, int *sent)
{
    io_ctx c;
    struct sockaddr_storage sa;
    int salen, type = SOCK_DGRAM, tl = sizeof type;
    mfcs_err err;
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
    } else if ((err = mfcs__resolve_host(host, port, s->family, type, &sa, &salen)) != MFCS_OK) {
        return err;
    }
    memset(&c, 0, sizeof c);
    c.out = (const char *)buf;
    c.len = len;
    c.flags = flags;
    c.to = (struct sockaddr *)&sa;
    c.tolen = salen;
    err = run_io(s, FD_WRITE, send_to_op, &c);
    if (sent)
        *sent = c.done;
    return err;
}

mfcs_err MFCS_CALL mfcs_socket_send_to(mfcs_socket *h, const void *buf, int len, const char *host,
                                       unsigned port, int flags, int *sent)
{
    mfcs__socket *s;
    mfcs_err err = get_created(h, &s);
    if (sent)
        *sent = 0;
    return err ? err : put(s, send_bytes_to(s, buf, len, host, port, flags, sent));
}

/* ---- receive ---- */

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

static mfcs_err receive(mfcs__socket *s, void *buf, int len, int flags, int *received)
{
    io_ctx c;
    mfcs_err err;
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
    err = run_io(s, FD_READ, recv_op, &c);
    if (received)
        *received = c.done;
    return err;
}

mfcs_err MFCS_CALL mfcs_socket_receive(mfcs_socket *h, void *buf, int len, int flags, int *received)
{
    mfcs__socket *s;
    mfcs_err err = get_created(h, &s);
    if (received)
        *received = 0;
    return err ? err : put(s, receive(s, buf, len, flags, received));
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

static mfcs_err receive_from(mfcs__socket *s, void *buf, int len, char *host, size_t host_cap,
                             unsigned *port, int flags, int *received)
{
    io_ctx c;
    mfcs_err err;
    if (len < 0 || (host && host_cap < MFCS__HOST_CAP_MIN))
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
        return mfcs__address_text((struct sockaddr *)&from, fromlen, host, host_cap, port);
    }
    memset(&c, 0, sizeof c);
    c.in = (char *)buf;
    c.len = len;
    c.flags = flags;
    err = run_io(s, FD_READ, recv_from_op, &c);
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
    return mfcs__address_text((struct sockaddr *)&c.from, c.fromlen, host, host_cap, port);
}

mfcs_err MFCS_CALL mfcs_socket_receive_from(mfcs_socket *h, void *buf, int len, char *host, size_t host_cap,
                                            unsigned *port, int flags, int *received)
{
    mfcs__socket *s;
    mfcs_err err = get_created(h, &s);
    if (received)
        *received = 0;
    return err ? err : put(s, receive_from(s, buf, len, host, host_cap, port, flags, received));
}

/* ---- the rest ---- */

mfcs_err MFCS_CALL mfcs_socket_shutdown(mfcs_socket *h, int how)
{
    mfcs__socket *s;
    mfcs_err err = get_created(h, &s);
    if (err)
        return err;
    if (how != SD_RECEIVE && how != SD_SEND && how != SD_BOTH)
        return put(s, MFCS_E_INVALIDARG);
    return put(s, shutdown(s->s, how) == SOCKET_ERROR ? WSAGetLastError() : MFCS_OK);
}

mfcs_err MFCS_CALL mfcs_socket_close(mfcs_socket *h)
{
    mfcs__socket *s;
    mfcs_err err = mfcs__socket_get(h, &s);
    if (err)
        return err;
    if (s->s != INVALID_SOCKET)
        mfcs__socket_unbind(s, 0);
    return put(s, MFCS_OK);
}

mfcs_err MFCS_CALL mfcs_socket_free(mfcs_socket *h)
{
    mfcs__socket *s;
    mfcs_err err = mfcs__socket_get(h, &s);
    if (err)
        return err;
    if (s->s != INVALID_SOCKET)
        mfcs__socket_unbind(s, 0);
    mfcs__handle_kill(s->slot);
    return put(s, MFCS_OK);   /* frees it, unless a callback under way holds it */
}

static mfcs_err name_of(mfcs_socket *h, int peer, char *host, size_t cap, unsigned *port)
{
    mfcs__socket *s;
    struct sockaddr_storage sa;
    int len = sizeof sa, rc;
    mfcs_err err = get_created(h, &s);
    if (err)
        return err;
    if (host && cap < MFCS__HOST_CAP_MIN)
        return put(s, MFCS_E_INVALIDARG);
    rc = peer ? getpeername(s->s, (struct sockaddr *)&sa, &len) : getsockname(s->s, (struct sockaddr *)&sa, &len);
    if (rc == SOCKET_ERROR)
        return put(s, WSAGetLastError());
    return put(s, mfcs__address_text((struct sockaddr *)&sa, len, host, cap, port));
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
        return put(s, MFCS_E_INVALIDARG);
    return put(s, setsockopt(s->s, level, name, (const char *)val, len) == SOCKET_ERROR ? WSAGetLastError() : MFCS_OK);
}

mfcs_err MFCS_CALL mfcs_socket_get_option(mfcs_socket *h, int level, int name, void *val, int *len)
{
    mfcs__socket *s;
    mfcs_err err = get_created(h, &s);
    if (err)
        return err;
    if (!val || !len || *len < 0)
        return put(s, MFCS_E_INVALIDARG);
    return put(s, getsockopt(s->s, level, name, (char *)val, len) == SOCKET_ERROR ? WSAGetLastError() : MFCS_OK);
}

mfcs_err MFCS_CALL mfcs_socket_ioctl(mfcs_socket *h, long cmd, unsigned long *arg)
{
    mfcs__socket *s;
    u_long v;
    mfcs_err err = get_created(h, &s);
    if (err)
        return err;
    if (!arg)
        return put(s, MFCS_E_INVALIDARG);
    v = (u_long)*arg;
    if (ioctlsocket(s->s, cmd, &v) == SOCKET_ERROR)
        return put(s, WSAGetLastError());
    if (cmd == FIONREAD)   /* handed-back bytes are readable too */
        v += (u_long)mfcs__socket_pending(s);
    *arg = v;
    return put(s, MFCS_OK);
}

mfcs_err MFCS_CALL mfcs_socket_async_select(mfcs_socket *h, long events)
{
    mfcs__socket *s;
    mfcs_err err = get_created(h, &s);
    if (err)
        return err;
    if (!events_ok(events))
        return put(s, MFCS_E_INVALIDARG);
    s->recv_outside = 1;   /* a new selection may post a fresh FD_READ: check it */
    return put(s, select_events(s, events));
}
