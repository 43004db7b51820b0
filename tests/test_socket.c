/* Async sockets (CAsyncSocket): callbacks and their error codes, names,
 * datagrams, backpressure, close inside callbacks, stale notifications,
 * threads, many connections, and every error a bad call gets. Loopback only. */
#include "socket_util.h"

TestSuite(async, .init = init_lib, .fini = term_lib, .timeout = 60);

/* Counts and records what each callback saw. */
typedef struct events {
    int receive, send, oob, accept, connect, close;
    int connect_err, close_err, receive_err, oob_err;
    mfcs_socket *self;
    char data[256];
    int got;
} events;

static void MFCS_CALL ev_receive(mfcs_socket *s, int err, void *u)
{
    events *e = u;
    int n = 0;
    e->receive++;
    e->receive_err = err;
    if (!err && mfcs_socket_receive(s, e->data + e->got, (int)sizeof e->data - e->got - 1, 0, &n) == MFCS_OK)
        e->got += n;
}
static void MFCS_CALL ev_send(mfcs_socket *s, int err, void *u) { (void)s; (void)err; ((events *)u)->send++; }
static void MFCS_CALL ev_oob(mfcs_socket *s, int err, void *u)
{ (void)s; ((events *)u)->oob++; ((events *)u)->oob_err = err; }
static void MFCS_CALL ev_accept(mfcs_socket *s, int err, void *u) { (void)s; (void)err; ((events *)u)->accept++; }
static void MFCS_CALL ev_connect(mfcs_socket *s, int err, void *u)
{ (void)s; ((events *)u)->connect++; ((events *)u)->connect_err = err; }
static void MFCS_CALL ev_close(mfcs_socket *s, int err, void *u)
{ (void)s; ((events *)u)->close++; ((events *)u)->close_err = err; }

static const mfcs_socket_callbacks ev_cb = { ev_receive, ev_send, ev_oob, ev_accept, ev_connect, ev_close, NULL };

/* A connected pair made through mfcsock on both sides. */
typedef struct pair {
    mfcs_socket *l, *srv, *cli;
    events le, se, ce;
    unsigned port;
} pair;

static void make_pair(pair *p)
{
    memset(p, 0, sizeof *p);
    p->l = listener(MFCS_ASYNC, &ev_cb, &p->le, &p->port);
    OK(mfcs_socket_new(&p->cli, MFCS_ASYNC, &ev_cb, &p->ce));
    OK(mfcs_socket_create(p->cli, 0, MFCS_STREAM, MFCS_ALL_EVENTS, NULL));
    ERR(mfcs_socket_connect(p->cli, "127.0.0.1", p->port), WSAEWOULDBLOCK);
    PUMP_UNTIL(p->le.accept && p->ce.connect, 5000);
    cr_assert_eq(p->ce.connect_err, 0);
    OK(mfcs_socket_new(&p->srv, MFCS_ASYNC, &ev_cb, &p->se));
    OK(mfcs_socket_accept(p->l, p->srv, NULL, 0, NULL));
}

Test(async, connect_accept_send_receive_with_callbacks)
{
    pair p;
    char host[64];
    unsigned port = 0, lport = 0;
    make_pair(&p);
    OK(mfcs_socket_peer_name(p.srv, host, sizeof host, &port));
    cr_assert_str_eq(host, "127.0.0.1");
    OK(mfcs_socket_sock_name(p.cli, NULL, 0, &lport));
    cr_assert_eq(port, lport, "peer port %u, client's own %u", port, lport);
    PUMP_UNTIL(p.ce.send > 0, 5000);           /* connected: room to send */
    OK(mfcs_socket_send(p.cli, "hello", 5, 0, NULL));
    PUMP_UNTIL(p.se.got == 5, 5000);
    cr_assert_eq(memcmp(p.se.data, "hello", 5), 0);
    cr_assert_eq(p.se.receive_err, 0);
    OK(mfcs_socket_send(p.srv, "back", 4, 0, NULL));
    PUMP_UNTIL(p.ce.got == 4, 5000);
    cr_assert_eq(p.ce.connect, 1, "on_connect ran %d times", p.ce.connect);
}

Test(async, accept_reports_the_peer)
{
    pair p;
    mfcs_socket *l, *c, *a;
    events le = { 0 }, ce = { 0 };
    char host[64] = "";
    unsigned lport, pport = 0, cport = 0;
    (void)p;
    l = listener(MFCS_ASYNC, &ev_cb, &le, &lport);
    OK(mfcs_socket_new(&c, MFCS_ASYNC, &ev_cb, &ce));
    OK(mfcs_socket_create(c, 0, MFCS_STREAM, MFCS_ALL_EVENTS, NULL));
    ERR(mfcs_socket_connect(c, "127.0.0.1", lport), WSAEWOULDBLOCK);
    PUMP_UNTIL(le.accept, 5000);
    OK(mfcs_socket_new(&a, MFCS_ASYNC, NULL, NULL));
    ERR(mfcs_socket_accept(l, a, host, 8, &pport), MFCS_E_INVALIDARG);  /* too small for IPv6 text */
    OK(mfcs_socket_accept(l, a, host, sizeof host, &pport));
    OK(mfcs_socket_sock_name(c, NULL, 0, &cport));
    cr_assert_str_eq(host, "127.0.0.1");
    cr_assert_eq(pport, cport);
    ERR(mfcs_socket_accept(l, a, NULL, 0, NULL), MFCS_E_STATE);          /* a already has a SOCKET */
}

/* The accepted socket gets the listener's events, as Winsock gives them
 * (MFC's Accept does no AsyncSelect of its own). A second listener that
 * selects FD_WRITE is the control: its accepted socket's on_send comes in
 * the time the first one's would have. */
Test(async, accepted_socket_inherits_the_listeners_events)
{
    mfcs_socket *l1, *l2, *a1, *a2;
    events le1 = { 0 }, le2 = { 0 }, e1 = { 0 }, e2 = { 0 };
    unsigned p1, p2;
    SOCKET r1, r2;
    l1 = listener_ev(MFCS_ASYNC, FD_ACCEPT | FD_READ | FD_CLOSE, &ev_cb, &le1, &p1);
    l2 = listener(MFCS_ASYNC, &ev_cb, &le2, &p2);
    r1 = raw_connect(p1);
    r2 = raw_connect(p2);
    OK(mfcs_socket_new(&a1, MFCS_ASYNC, &ev_cb, &e1));
    OK(mfcs_socket_accept(l1, a1, NULL, 0, NULL));
    OK(mfcs_socket_new(&a2, MFCS_ASYNC, &ev_cb, &e2));
    OK(mfcs_socket_accept(l2, a2, NULL, 0, NULL));
    raw_send_all(r1, "ping", 4);
    raw_send_all(r2, "pong", 4);
    PUMP_UNTIL(e1.got == 4 && e2.got == 4 && e2.send > 0, 5000);
    pump_for(200);
    cr_assert_eq(memcmp(e1.data, "ping", 4), 0);
    cr_assert_eq(e1.receive_err, 0, "on_receive got %d", e1.receive_err);
    cr_assert_eq(e1.send, 0, "on_send ran %d times for a socket accepted without FD_WRITE", e1.send);
    closesocket(r1);                   /* FD_CLOSE was inherited too */
    PUMP_UNTIL(e1.close, 5000);
    cr_assert_eq(e1.close_err, 0, "on_close got %d", e1.close_err);
    cr_assert_eq(e1.send, 0, "on_send ran %d times for a socket accepted without FD_WRITE", e1.send);
    closesocket(r2);
}

/* One urgent byte: on_oob with err 0, the byte reads with MSG_OOB, and the
 * normal stream that follows carries none of it (SO_OOBINLINE is off). */
Test(async, oob_byte_reaches_on_oob)
{
    mfcs_socket *l, *a;
    events le = { 0 }, ae = { 0 };
    unsigned port;
    SOCKET raw;
    char byte = 0;
    int n = -1;
    l = listener(MFCS_ASYNC, &ev_cb, &le, &port);
    raw = raw_connect(port);
    OK(mfcs_socket_new(&a, MFCS_ASYNC, &ev_cb, &ae));
    OK(mfcs_socket_accept(l, a, NULL, 0, NULL));
    cr_assert_eq(send(raw, "!", 1, MSG_OOB), 1, "raw send MSG_OOB: %d", WSAGetLastError());
    PUMP_UNTIL(ae.oob, 5000);
    cr_assert_eq(ae.oob_err, 0, "on_oob got %d", ae.oob_err);
    OK(mfcs_socket_receive(a, &byte, 1, MSG_OOB, &n));
    cr_assert_eq(n, 1, "MSG_OOB receive got %d bytes", n);
    cr_assert_eq(byte, '!', "MSG_OOB receive got 0x%02X", (unsigned char)byte);
    raw_send_all(raw, "abc", 3);
    PUMP_UNTIL(ae.got >= 3, 5000);
    pump_for(100);
    cr_assert_eq(ae.got, 3, "the normal stream has %d bytes, want 3", ae.got);
    cr_assert_eq(memcmp(ae.data, "abc", 3), 0, "the normal stream is %.3s", ae.data);
    cr_assert_eq(ae.receive_err, 0);
    closesocket(raw);
}

Test(async, refused_connect_reports_wsaeconnrefused)
{
    mfcs_socket *c;
    events ce = { 0 };
    OK(mfcs_socket_new(&c, MFCS_ASYNC, &ev_cb, &ce));
    OK(mfcs_socket_create(c, 0, MFCS_STREAM, MFCS_ALL_EVENTS, NULL));
    ERR(mfcs_socket_connect(c, "127.0.0.1", dead_port()), WSAEWOULDBLOCK);
    PUMP_UNTIL(ce.connect, 10000);
    cr_assert_eq(ce.connect_err, WSAECONNREFUSED, "on_connect got %d", ce.connect_err);
}

Test(async, connect_by_name_and_resolver_errors)
{
    mfcs_socket *c;
    events le = { 0 }, ce = { 0 };
    unsigned port;
    mfcs_err err;
    listener(MFCS_ASYNC, &ev_cb, &le, &port);
    OK(mfcs_socket_new(&c, MFCS_ASYNC, &ev_cb, &ce));
    OK(mfcs_socket_create(c, 0, MFCS_STREAM, MFCS_ALL_EVENTS, NULL));
    ERR(mfcs_socket_connect(c, "localhost", port), WSAEWOULDBLOCK);
    PUMP_UNTIL(ce.connect && le.accept, 5000);
    cr_assert_eq(ce.connect_err, 0);
    OK(mfcs_socket_close(c));
    OK(mfcs_socket_create(c, 0, MFCS_STREAM, MFCS_ALL_EVENTS, NULL));   /* created again */
    err = mfcs_socket_connect(c, "no-such-host.invalid", port);
    cr_assert(err == WSAHOST_NOT_FOUND || err == WSANO_DATA || err == WSATRY_AGAIN || err == WSANO_RECOVERY,
              "resolver error %d (%s): MFC's WSAEINVAL would hide it", err, mfcs_strerror(err));
    ERR(mfcs_socket_connect(c, NULL, port), MFCS_E_INVALIDARG);
    ERR(mfcs_socket_connect(c, "127.0.0.1", 0), MFCS_E_INVALIDARG);
    ERR(mfcs_socket_connect(c, "127.0.0.1", 70000), MFCS_E_INVALIDARG);
}

Test(async, ipv6_loopback_literal)
{
    mfcs_socket *l, *c, *a;
    events le = { 0 }, ce = { 0 };
    unsigned port;
    char host[64];
    mfcs_err err;
    OK(mfcs_socket_new(&l, MFCS_ASYNC, &ev_cb, &le));
    err = mfcs_socket_create_ex(l, 0, MFCS_STREAM, MFCS_ALL_EVENTS, "::1", AF_INET6);
    if (err == WSAEAFNOSUPPORT || err == WSAEADDRNOTAVAIL)
        cr_skip_test("no IPv6 loopback here: %s", mfcs_strerror(err));
    OK(err);
    OK(mfcs_socket_listen(l, 5));
    OK(mfcs_socket_sock_name(l, host, sizeof host, &port));
    cr_assert_str_eq(host, "::1");
    OK(mfcs_socket_new(&c, MFCS_ASYNC, &ev_cb, &ce));
    OK(mfcs_socket_create_ex(c, 0, MFCS_STREAM, MFCS_ALL_EVENTS, NULL, AF_INET6));
    ERR(mfcs_socket_connect(c, "::1", port), WSAEWOULDBLOCK);
    PUMP_UNTIL(ce.connect && le.accept, 5000);
    cr_assert_eq(ce.connect_err, 0);
    OK(mfcs_socket_new(&a, MFCS_ASYNC, NULL, NULL));
    OK(mfcs_socket_accept(l, a, host, sizeof host, NULL));
    cr_assert_str_eq(host, "::1");
    ERR(mfcs_socket_create_ex(c, 0, MFCS_STREAM, 0, NULL, AF_INET6), MFCS_E_STATE);
    ERR(mfcs_socket_create_ex(a, 0, MFCS_STREAM, 0, NULL, 12345), MFCS_E_STATE);
}

/* An IPv6 SOCKET attached before it is bound: getsockname has no family
 * for it yet, and the object took AF_INET, so a connect by name resolved
 * for the wrong family. The family comes from the SOCKET itself now. */
Test(async, an_unbound_ipv6_socket_attached_connects_over_ipv6)
{
    mfcs_socket *l, *c;
    events le = { 0 }, ce = { 0 };
    unsigned port;
    SOCKET raw;
    mfcs_err err;
    OK(mfcs_socket_new(&l, MFCS_ASYNC, &ev_cb, &le));
    err = mfcs_socket_create_ex(l, 0, MFCS_STREAM, MFCS_ALL_EVENTS, "::1", AF_INET6);
    if (err == WSAEAFNOSUPPORT || err == WSAEADDRNOTAVAIL)
        cr_skip_test("no IPv6 loopback here: %s", mfcs_strerror(err));
    OK(err);
    OK(mfcs_socket_listen(l, 5));
    OK(mfcs_socket_sock_name(l, NULL, 0, &port));
    raw = socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP);
    cr_assert_neq(raw, INVALID_SOCKET);
    OK(mfcs_socket_new(&c, MFCS_ASYNC, &ev_cb, &ce));
    OK(mfcs_socket_attach(c, raw, MFCS_ALL_EVENTS));
    ERR(mfcs_socket_connect(c, "::1", port), WSAEWOULDBLOCK);
    PUMP_UNTIL(ce.connect, 5000);
    cr_assert_eq(ce.connect_err, 0, "on_connect got %d (%s)", ce.connect_err, mfcs_strerror(ce.connect_err));
    OK(mfcs_socket_free(c));
    OK(mfcs_socket_free(l));
}

Test(async, graceful_close_reports_zero)
{
    pair p;
    make_pair(&p);
    OK(mfcs_socket_close(p.cli));
    PUMP_UNTIL(p.se.close, 5000);
    cr_assert_eq(p.se.close_err, 0, "on_close got %d", p.se.close_err);
}

/* Wine 8 turns a Windows-side abortive close into a graceful one (and a
 * Linux peer's reset too, for a selected socket: tests/peers/run_exchange.py),
 * so on_close must report whatever Winsock's own FD_CLOSE reports for the
 * same close: WSAECONNRESET on Windows, 0 under Wine. */
Test(async, abortive_close_reports_what_winsock_reports)
{
    pair p;
    raw_notices rn;
    HWND w;
    struct linger lg = { 1, 0 };
    mfcs_socket *l, *tmp;
    events le = { 0 };
    unsigned port;
    SOCKET rc, rs;
    memset(&rn, 0, sizeof rn);
    w = raw_notice_window(&rn);
    l = listener(MFCS_ASYNC, &ev_cb, &le, &port);
    rc = raw_connect(port);
    OK(mfcs_socket_new(&tmp, MFCS_ASYNC, NULL, NULL));
    OK(mfcs_socket_accept(l, tmp, NULL, 0, NULL));
    OK(mfcs_socket_detach(tmp, &rs));
    cr_assert_eq(WSAAsyncSelect(rs, w, RAW_NOTICE_MSG, FD_READ | FD_CLOSE), 0, "%d", WSAGetLastError());
    cr_assert_eq(setsockopt(rc, SOL_SOCKET, SO_LINGER, (const char *)&lg, sizeof lg), 0);
    closesocket(rc);
    PUMP_UNTIL(rn.count[FD_CLOSE_BIT], 5000);
    cr_assert(rn.err[FD_CLOSE_BIT] == 0 || rn.err[FD_CLOSE_BIT] == WSAECONNRESET,
              "Winsock's FD_CLOSE reported %d", rn.err[FD_CLOSE_BIT]);

    make_pair(&p);
    OK(mfcs_socket_set_option(p.cli, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    OK(mfcs_socket_close(p.cli));
    PUMP_UNTIL(p.se.close, 5000);
    cr_assert_eq(p.se.close_err, rn.err[FD_CLOSE_BIT], "on_close got %d, Winsock's own FD_CLOSE %d",
                 p.se.close_err, rn.err[FD_CLOSE_BIT]);
    closesocket(rs);
    DestroyWindow(w);
}

Test(async, datagrams_with_sender_address)
{
    mfcs_socket *a, *b;
    events ae = { 0 }, be = { 0 };
    unsigned aport, bport, from_port = 0;
    char buf[32], host[64];
    int n = 0, type = 0;
    OK(mfcs_socket_new(&a, MFCS_ASYNC, &ev_cb, &ae));
    OK(mfcs_socket_new(&b, MFCS_ASYNC, NULL, &be));
    OK(mfcs_socket_create(a, 0, MFCS_DGRAM, FD_WRITE, "127.0.0.1"));
    OK(mfcs_socket_create(b, 0, MFCS_DGRAM, FD_READ, "127.0.0.1"));
    OK(mfcs_socket_type(b, &type));
    cr_assert_eq(type, MFCS_DGRAM);
    OK(mfcs_socket_sock_name(a, NULL, 0, &aport));
    OK(mfcs_socket_sock_name(b, NULL, 0, &bport));
    OK(mfcs_socket_send_to(a, "dgram", 5, "127.0.0.1", bport, 0, &n));
    cr_assert_eq(n, 5);
    {
        ULONGLONG end = GetTickCount64() + 5000;
        mfcs_err err;
        while ((err = mfcs_socket_receive_from(b, buf, sizeof buf, host, sizeof host, &from_port, 0, &n))
               == WSAEWOULDBLOCK && GetTickCount64() < end)
            mfcs_pump(20, NULL);
        OK(err);
    }
    cr_assert_eq(n, 5);
    cr_assert_eq(memcmp(buf, "dgram", 5), 0);
    cr_assert_str_eq(host, "127.0.0.1");
    cr_assert_eq(from_port, aport);
    ERR(mfcs_socket_listen(a, 5), WSAEOPNOTSUPP);
}

/* ---- backpressure: 64 MiB, nothing lost ---- */

typedef struct stream {
    mfcs_socket *s;
    unsigned char *buf;
    size_t total, done;
    uint32_t sum;
    int blocked, resumed;
} stream;

static uint32_t add_sum(uint32_t sum, const unsigned char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        sum = sum * 31 + p[i];
    return sum;
}

static void pump_out(stream *w)
{
    while (w->done < w->total) {
        int n = 0, chunk = (int)(w->total - w->done > 65536 ? 65536 : w->total - w->done);
        mfcs_err err = mfcs_socket_send(w->s, w->buf + (w->done % (1 << 20)), chunk, 0, &n);
        if (err == WSAEWOULDBLOCK) {
            w->blocked++;
            return;   /* on_send will call again */
        }
        cr_assert_eq(err, MFCS_OK, "send: %d", err);
        w->sum = add_sum(w->sum, w->buf + (w->done % (1 << 20)), (size_t)n);
        w->done += (size_t)n;
    }
}

static void MFCS_CALL w_send(mfcs_socket *s, int err, void *u)
{
    stream *w = u;
    (void)s; (void)err;
    if (w->blocked)
        w->resumed++;
    pump_out(w);
}

static void MFCS_CALL r_receive(mfcs_socket *s, int err, void *u)
{
    stream *r = u;
    unsigned char buf[65536];
    int n = 0;
    (void)err;
    if (mfcs_socket_receive(s, buf, sizeof buf, 0, &n) == MFCS_OK) {
        r->sum = add_sum(r->sum, buf, (size_t)n);
        r->done += (size_t)n;
    }
}

Test(async, backpressure_wouldblock_then_on_send_resumes, .timeout = 120)
{
    static const mfcs_socket_callbacks wcb = { NULL, w_send, NULL, NULL, NULL, NULL, NULL };
    static const mfcs_socket_callbacks rcb = { r_receive, NULL, NULL, NULL, NULL, NULL, NULL };
    stream w = { 0 }, r = { 0 };
    mfcs_socket *l, *c, *a;
    events le = { 0 };
    unsigned port;
    size_t i;
    l = listener(MFCS_ASYNC, &ev_cb, &le, &port);
    w.buf = malloc(1 << 21);
    for (i = 0; i < (1u << 21); i++)
        w.buf[i] = (unsigned char)(i * 131 + (i >> 9));
    w.total = (size_t)64 << 20;
    r.total = w.total;
    OK(mfcs_socket_new(&c, MFCS_ASYNC, &wcb, &w));
    OK(mfcs_socket_create(c, 0, MFCS_STREAM, MFCS_ALL_EVENTS, NULL));
    w.s = c;
    ERR(mfcs_socket_connect(c, "127.0.0.1", port), WSAEWOULDBLOCK);
    PUMP_UNTIL(le.accept, 5000);
    OK(mfcs_socket_new(&a, MFCS_ASYNC, &rcb, &r));
    OK(mfcs_socket_accept(l, a, NULL, 0, NULL));
    /* Fill the pipe without reading: it must say WSAEWOULDBLOCK. */
    PUMP_UNTIL(w.blocked > 0 || w.done == w.total, 10000);
    cr_assert_gt(w.blocked, 0, "64 MiB never filled the pipe");
    PUMP_UNTIL(r.done == r.total, 100000);
    cr_assert_gt(w.resumed, 0, "on_send never resumed the writer");
    cr_assert_eq(r.done, w.total);
    cr_assert_eq(r.sum, w.sum, "checksum differs: bytes were lost or reordered");
    free(w.buf);
}

/* ---- closing and freeing inside callbacks ---- */

typedef struct closer {
    mfcs_socket *other;
    int how;      /* 0 close self, 1 free self, 2 free other */
    int calls;
} closer;

static void MFCS_CALL closer_receive(mfcs_socket *s, int err, void *u)
{
    closer *c = u;
    (void)err;
    c->calls++;
    if (c->how == 0)
        cr_assert_eq(mfcs_socket_close(s), MFCS_OK);
    else if (c->how == 1)
        cr_assert_eq(mfcs_socket_free(s), MFCS_OK);
    else
        cr_assert_eq(mfcs_socket_free(c->other), MFCS_OK);
}

/* how 2: each of two sockets frees the other in its on_receive. Both have
 * an FD_READ queued before either runs, so whichever runs first (Winsock
 * decides) must stop the other's queued notification. */
Test(async, close_and_free_inside_callbacks)
{
    static const mfcs_socket_callbacks ccb = { closer_receive, NULL, NULL, NULL, NULL, NULL, NULL };
    int how;
    for (how = 0; how < 3; how++) {
        mfcs_socket *l, *a, *b;
        events le = { 0 };
        closer ca = { 0 }, cb = { 0 };
        unsigned port;
        SOCKET raw, raw2, ha, hb;
        int type;
        l = listener(MFCS_ASYNC, &ev_cb, &le, &port);
        raw = raw_connect(port);
        raw2 = raw_connect(port);
        OK(mfcs_socket_new(&a, MFCS_ASYNC, &ccb, &ca));
        OK(mfcs_socket_accept(l, a, NULL, 0, NULL));
        OK(mfcs_socket_new(&b, MFCS_ASYNC, &ccb, &cb));
        OK(mfcs_socket_accept(l, b, NULL, 0, NULL));
        OK(mfcs_socket_handle(a, &ha));
        OK(mfcs_socket_handle(b, &hb));
        ca.how = cb.how = how;
        ca.other = b;
        cb.other = a;
        raw_send_all(raw, "x", 1);
        raw_send_all(raw, "y", 1);
        raw_send_all(raw2, "z", 1);
        cr_assert(wait_readable(ha, 5000) && wait_readable(hb, 5000), "the bytes never arrived");
        if (how == 2)
            PUMP_UNTIL(ca.calls + cb.calls > 0, 5000);
        else
            PUMP_UNTIL(ca.calls && cb.calls, 5000);
        pump_for(200);                   /* more notifications must find nothing */
        if (how == 0) {
            ERR(mfcs_socket_type(a, &type), MFCS_E_STATE);  /* closed, still an object */
            ERR(mfcs_socket_type(b, &type), MFCS_E_STATE);
            OK(mfcs_socket_free(a));
            OK(mfcs_socket_free(b));
        } else if (how == 1) {
            ERR(mfcs_socket_type(a, &type), MFCS_E_BADHANDLE);
            ERR(mfcs_socket_type(b, &type), MFCS_E_BADHANDLE);
        } else {
            mfcs_socket *ran = ca.calls ? a : b, *freed = ca.calls ? b : a;
            cr_assert_eq(ca.calls + cb.calls, 1, "on_receive ran %d and %d times: the freed socket's "
                         "queued FD_READ was delivered", ca.calls, cb.calls);
            ERR(mfcs_socket_type(freed, &type), MFCS_E_BADHANDLE);
            OK(mfcs_socket_type(ran, &type));
            OK(mfcs_socket_free(ran));
        }
        if (how != 2)
            cr_assert(ca.calls == 1 && cb.calls == 1, "how %d: on_receive ran %d and %d times, once each "
                      "before the close", how, ca.calls, cb.calls);
        closesocket(raw);
        closesocket(raw2);
        OK(mfcs_socket_free(l));
    }
}

/* Waits up to ms until this thread's queue holds a socket notification
 * (any of mfcsock's per-socket messages, WM_APP + 0x200 up) naming h, with
 * one of the event bits (0: any), and leaves the queue as it was. A test
 * that means to race a queued notification knows then that one is there. */
static int queued_notice(SOCKET h, long event, unsigned ms)
{
    ULONGLONG end = GetTickCount64() + ms;
    do {
        MSG taken[64];
        int n = 0, i, found = 0;
        while (n < 64 && PeekMessageA(&taken[n], NULL, WM_APP + 0x200, 0xBFFE, PM_REMOVE))
            n++;
        for (i = 0; i < n; i++) {
            found |= taken[i].wParam == (WPARAM)h && (!event || (WSAGETSELECTEVENT(taken[i].lParam) & event));
            PostMessageA(taken[i].hwnd, taken[i].message, taken[i].wParam, taken[i].lParam);
        }
        if (found)
            return 1;
        Sleep(10);
    } while (GetTickCount64() < end);
    return 0;
}

/* Two receives in one on_receive leave a stale FD_READ behind (Winsock
 * posted it after the first): it must not reach on_receive (KB Q138694). */
typedef struct greedy { int calls, bytes, wouldblock; int outside; } greedy;
static void MFCS_CALL greedy_receive(mfcs_socket *s, int err, void *u)
{
    greedy *g = u;
    char buf[64];
    int n = 0;
    mfcs_err e;
    (void)err;
    g->calls++;
    if (g->outside)
        return;                               /* the main loop reads instead */
    if (mfcs_socket_receive(s, buf, 1, 0, &n) == MFCS_OK)
        g->bytes += n;
    while ((e = mfcs_socket_receive(s, buf, sizeof buf, 0, &n)) == MFCS_OK && n > 0)
        g->bytes += n;
    if (e == WSAEWOULDBLOCK)
        g->wouldblock++;
}

Test(async, spurious_fd_read_never_reaches_on_receive)
{
    static const mfcs_socket_callbacks gcb = { greedy_receive, NULL, NULL, NULL, NULL, NULL, NULL };
    mfcs_socket *l, *a;
    events le = { 0 };
    greedy g = { 0 };
    unsigned port;
    SOCKET raw, h;
    char buf[64];
    int n;
    l = listener(MFCS_ASYNC, &ev_cb, &le, &port);
    raw = raw_connect(port);
    PUMP_UNTIL(le.accept, 5000);
    OK(mfcs_socket_new(&a, MFCS_ASYNC, &gcb, &g));
    OK(mfcs_socket_accept(l, a, NULL, 0, NULL));
    raw_send_all(raw, "0123456789", 10);
    PUMP_UNTIL(g.bytes == 10, 5000);
    pump_for(300);                          /* the stale FD_READ comes and goes */
    cr_assert_eq(g.calls, 1, "on_receive ran %d times for one arrival", g.calls);
    /* Reading outside the callback makes the queued FD_READ stale too. */
    g.outside = 1;
    g.calls = 0;
    raw_send_all(raw, "abc", 3);
    OK(mfcs_socket_handle(a, &h));
    cr_assert(queued_notice(h, FD_READ, 5000), "no FD_READ was queued for the 3 bytes");
    OK(mfcs_socket_receive(a, buf, sizeof buf, 0, &n));
    cr_assert_eq(n, 3);
    pump_for(300);
    cr_assert_eq(g.calls, 0, "on_receive ran for data already read");
    closesocket(raw);
}

/* A notification queued for a closed socket never reaches a new socket,
 * even one that Winsock gave the same SOCKET value. The peer sends before
 * the accept, so notifications for the accepted SOCKET are queued at once,
 * some of them under the listener's message (the accepted SOCKET inherits
 * the listener's selection until mfcsock selects it anew). */
static int events_seen(const events *e)
{
    return e->receive + e->send + e->oob + e->accept + e->connect + e->close;
}

Test(async, stale_notifications_are_dropped_after_close)
{
    enum { MAX_NEW = 16 };
    mfcs_socket *l, *a, *b[MAX_NEW];
    events le = { 0 }, ae = { 0 }, be[MAX_NEW];
    unsigned port;
    SOCKET raw, old, now = INVALID_SOCKET;
    int n = 0, i;
    memset(be, 0, sizeof be);
    l = listener(MFCS_ASYNC, &ev_cb, &le, &port);
    raw = raw_connect(port);
    raw_send_all(raw, "data", 4);
    OK(mfcs_socket_new(&a, MFCS_ASYNC, &ev_cb, &ae));
    OK(mfcs_socket_accept(l, a, NULL, 0, NULL));
    OK(mfcs_socket_handle(a, &old));
    cr_assert(queued_notice(old, 0, 5000), "nothing was queued for the accepted socket");
    OK(mfcs_socket_free(a));
    /* New sockets until one gets the old value: Wine hands out the lowest
     * free handle, and a lower one may be free; Windows reuses the last. */
    while (n < MAX_NEW && now != old) {
        OK(mfcs_socket_new(&b[n], MFCS_ASYNC, &ev_cb, &be[n]));
        OK(mfcs_socket_create(b[n], 0, MFCS_STREAM, MFCS_ALL_EVENTS, NULL));
        OK(mfcs_socket_handle(b[n], &now));
        n++;
    }
    cr_assert_eq(now, old, "%d new sockets never got the closed SOCKET value %llu, so the stale case "
                 "did not happen", n, (unsigned long long)old);
    pump_for(200);
    cr_assert_eq(events_seen(&ae), 0, "the freed socket got callbacks: receive %d send %d close %d",
                 ae.receive, ae.send, ae.close);
    /* They are neither connected nor listening: Winsock has nothing to tell them. */
    for (i = 0; i < n; i++)
        cr_assert_eq(events_seen(&be[i]), 0, "new socket %d of %d (%s the old SOCKET value) got a stale "
                     "notification: receive %d send %d oob %d accept %d connect %d close %d", i + 1, n,
                     i == n - 1 ? "with" : "without", be[i].receive, be[i].send, be[i].oob, be[i].accept,
                     be[i].connect, be[i].close);
    closesocket(raw);
}

/* ---- threads ---- */

typedef struct cross { mfcs_socket *s; mfcs_err send, type, cancel, free_; } cross;
static DWORD WINAPI foreign_calls(void *p)
{
    cross *c = p;
    int type;
    c->send = mfcs_socket_send(c->s, "x", 1, 0, NULL);
    c->type = mfcs_socket_type(c->s, &type);
    c->cancel = mfcs_socket_cancel_blocking_call(c->s);
    c->free_ = mfcs_socket_free(c->s);
    return 0;
}

Test(async, calls_from_another_thread_get_wrongthread)
{
    pair p;
    cross c = { 0 };
    HANDLE t;
    make_pair(&p);
    c.s = p.cli;
    t = CreateThread(NULL, 0, foreign_calls, &c, 0, NULL);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    cr_assert_eq(c.send, MFCS_E_WRONGTHREAD);
    cr_assert_eq(c.type, MFCS_E_WRONGTHREAD);
    cr_assert_eq(c.free_, MFCS_E_WRONGTHREAD);
    cr_assert_eq(c.cancel, MFCS_E_NOTBLOCKING, "cancel is allowed from any thread: %d", c.cancel);
    OK(mfcs_socket_send(p.cli, "x", 1, 0, NULL));     /* still fine on its own thread */
}

typedef struct handoff { SOCKET h; int got; char data[16]; mfcs_err err; } handoff;
static void MFCS_CALL handoff_receive(mfcs_socket *s, int err, void *u)
{
    handoff *h = u;
    int n = 0;
    (void)err;
    if (mfcs_socket_receive(s, h->data + h->got, 8, 0, &n) == MFCS_OK)
        h->got += n;
}
static DWORD WINAPI adopt_thread(void *p)
{
    static const mfcs_socket_callbacks cb = { handoff_receive, NULL, NULL, NULL, NULL, NULL, NULL };
    handoff *h = p;
    mfcs_socket *s;
    ULONGLONG end = GetTickCount64() + 5000;
    if ((h->err = mfcs_socket_new(&s, MFCS_ASYNC, &cb, h)) != MFCS_OK)
        return 1;
    if ((h->err = mfcs_socket_attach(s, h->h, MFCS_ALL_EVENTS)) != MFCS_OK)
        return 1;
    while (h->got < 4 && GetTickCount64() < end)
        mfcs_pump(50, NULL);
    h->err = mfcs_socket_free(s);
    mfcs_thread_term();
    return 0;
}

Test(async, detach_on_one_thread_attach_on_another)
{
    pair p;
    handoff h = { 0 };
    HANDLE t;
    int type;
    make_pair(&p);
    OK(mfcs_socket_detach(p.srv, &h.h));
    ERR(mfcs_socket_type(p.srv, &type), MFCS_E_STATE);
    t = CreateThread(NULL, 0, adopt_thread, &h, 0, NULL);
    Sleep(100);
    OK(mfcs_socket_send(p.cli, "moved", 5, 0, NULL));
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    OK(h.err);
    cr_assert_geq(h.got, 4, "the adopting thread got %d bytes", h.got);
    cr_assert_eq(memcmp(h.data, "move", 4), 0);
}

/* ---- many connections on one thread ---- */

static void MFCS_CALL echo_receive(mfcs_socket *s, int err, void *u)
{
    char buf[512];
    int n = 0;
    (void)err; (void)u;
    if (mfcs_socket_receive(s, buf, sizeof buf, 0, &n) == MFCS_OK && n > 0)
        mfcs_socket_send(s, buf, n, 0, NULL);
}
static void MFCS_CALL count_receive(mfcs_socket *s, int err, void *u)
{
    char buf[512];
    int n = 0;
    (void)err;
    if (mfcs_socket_receive(s, buf, sizeof buf, 0, &n) == MFCS_OK)
        *(int *)u += n;
}

Test(async, two_hundred_connections_echo_on_one_thread, .timeout = 120)
{
    enum { N = 200 };
    static const mfcs_socket_callbacks ecb = { echo_receive, NULL, NULL, NULL, NULL, NULL, NULL };
    static const mfcs_socket_callbacks ccb = { count_receive, NULL, NULL, NULL, NULL, NULL, NULL };
    static mfcs_socket *cli[N], *srv[N];
    static int got[N];
    events le = { 0 };
    mfcs_socket *l;
    unsigned port;
    int i, accepted = 0, done;
    l = listener(MFCS_ASYNC, &ev_cb, &le, &port);
    for (i = 0; i < N; i++) {
        OK(mfcs_socket_new(&cli[i], MFCS_ASYNC, &ccb, &got[i]));
        OK(mfcs_socket_create(cli[i], 0, MFCS_STREAM, MFCS_ALL_EVENTS, NULL));
        ERR(mfcs_socket_connect(cli[i], "127.0.0.1", port), WSAEWOULDBLOCK);
    }
    {
        ULONGLONG end = GetTickCount64() + 30000;
        while (accepted < N && GetTickCount64() < end) {
            mfcs_err err;
            OK(mfcs_socket_new(&srv[accepted], MFCS_ASYNC, &ecb, NULL));
            while ((err = mfcs_socket_accept(l, srv[accepted], NULL, 0, NULL)) == WSAEWOULDBLOCK &&
                   GetTickCount64() < end)
                mfcs_pump(20, NULL);
            OK(err);
            accepted++;
        }
    }
    cr_assert_eq(accepted, N);
    mfcs_pump(100, NULL);
    for (i = 0; i < N; i++)
        OK(mfcs_socket_send(cli[i], "ping-0123456789", 15, 0, NULL));
    {
        ULONGLONG end = GetTickCount64() + 60000;
        do {
            mfcs_pump(50, NULL);
            for (i = done = 0; i < N; i++)
                done += got[i] == 15;
        } while (done < N && GetTickCount64() < end);
    }
    cr_assert_eq(done, N, "%d of %d connections got their echo", done, N);
}

/* ---- errors a bad call gets ---- */

Test(async, state_errors)
{
    mfcs_socket *s, *t, *l;
    events le = { 0 };
    unsigned port;
    int type;
    SOCKET h;
    OK(mfcs_socket_new(&s, MFCS_ASYNC, NULL, NULL));
    ERR(mfcs_socket_listen(s, 5), MFCS_E_STATE);
    ERR(mfcs_socket_connect(s, "127.0.0.1", 80), MFCS_E_STATE);
    ERR(mfcs_socket_send(s, "x", 1, 0, NULL), MFCS_E_STATE);
    ERR(mfcs_socket_receive(s, &type, 1, 0, NULL), MFCS_E_STATE);
    ERR(mfcs_socket_type(s, &type), MFCS_E_STATE);
    ERR(mfcs_socket_detach(s, &h), MFCS_E_STATE);
    ERR(mfcs_socket_shutdown(s, SD_BOTH), MFCS_E_STATE);
    ERR(mfcs_socket_peer_name(s, NULL, 0, NULL), MFCS_E_STATE);
    ERR(mfcs_socket_async_select(s, 0), MFCS_E_STATE);
    OK(mfcs_socket_handle(s, &h));
    cr_assert_eq(h, INVALID_SOCKET);
    OK(mfcs_socket_close(s));                           /* nothing to close: fine */
    OK(mfcs_socket_create(s, 0, MFCS_STREAM, MFCS_ALL_EVENTS, NULL));
    ERR(mfcs_socket_create(s, 0, MFCS_STREAM, MFCS_ALL_EVENTS, NULL), MFCS_E_STATE);
    ERR(mfcs_socket_attach(s, INVALID_SOCKET, 0), MFCS_E_STATE);
    l = listener(MFCS_ASYNC, &ev_cb, &le, &port);
    ERR(mfcs_socket_accept(l, s, NULL, 0, NULL), MFCS_E_STATE);   /* s is created */
    ERR(mfcs_socket_accept(l, l, NULL, 0, NULL), MFCS_E_STATE);
    ERR(mfcs_socket_peer_name(s, NULL, 0, NULL), WSAENOTCONN);
    ERR(mfcs_socket_receive(s, &type, 1, 0, NULL), WSAENOTCONN);
    OK(mfcs_socket_new(&t, MFCS_ASYNC, NULL, NULL));
    ERR(mfcs_socket_attach(t, (SOCKET)12345, 0), WSAENOTSOCK);
}

Test(async, argument_and_handle_errors)
{
    mfcs_socket *s, *dead;
    int local, mode = -1;
    unsigned long arg;
    char small[8];
    OK(mfcs_socket_new(&s, MFCS_ASYNC, NULL, NULL));
    ERR(mfcs_socket_new(NULL, MFCS_ASYNC, NULL, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_socket_new(&dead, 7, NULL, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_socket_create(s, 0, 3, 0, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_socket_create(s, 70000, MFCS_STREAM, 0, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_socket_create(s, 0, MFCS_STREAM, 0x1000, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_socket_create(s, 0, MFCS_STREAM, 0, "localhost"), MFCS_E_INVALIDARG); /* literals only */
    ERR(mfcs_socket_create_ex(s, 0, MFCS_STREAM, 0, NULL, 99), MFCS_E_INVALIDARG);
    OK(mfcs_socket_mode(s, &mode));
    cr_assert_eq(mode, MFCS_ASYNC);
    ERR(mfcs_socket_mode(s, NULL), MFCS_E_INVALIDARG);
    OK(mfcs_socket_create(s, 0, MFCS_STREAM, MFCS_ALL_EVENTS, "127.0.0.1"));
    ERR(mfcs_socket_send(s, NULL, 3, 0, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_socket_send(s, "x", -1, 0, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_socket_shutdown(s, 9), MFCS_E_INVALIDARG);
    ERR(mfcs_socket_ioctl(s, FIONREAD, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_socket_sock_name(s, small, sizeof small, NULL), MFCS_E_INVALIDARG);
    ERR(mfcs_socket_set_option(s, SOL_SOCKET, SO_LINGER, NULL, 0), MFCS_E_INVALIDARG);
    ERR(mfcs_socket_async_select(s, 0x4000), MFCS_E_INVALIDARG);
    arg = 77;
    OK(mfcs_socket_ioctl(s, FIONREAD, &arg));
    cr_assert_eq(arg, 0);
    arg = 0;
    ERR(mfcs_socket_ioctl(s, FIONBIO, &arg), WSAEINVAL);  /* a selected socket stays non-blocking */
    /* blocking-only calls on an async socket */
    ERR(mfcs_socket_set_timeout(s, 100), MFCS_E_NOTBLOCKING);
    ERR(mfcs_socket_cancel_blocking_call(s), MFCS_E_NOTBLOCKING);
    ERR(mfcs_socket_is_blocking(s, &mode), MFCS_E_NOTBLOCKING);
    /* dead, NULL, forged and wrong-kind handles */
    dead = s;
    OK(mfcs_socket_free(s));
    ERR(mfcs_socket_send(dead, "x", 1, 0, NULL), MFCS_E_BADHANDLE);
    ERR(mfcs_socket_free(dead), MFCS_E_BADHANDLE);
    ERR(mfcs_socket_close(NULL), MFCS_E_BADHANDLE);
    ERR(mfcs_socket_close((mfcs_socket *)&local), MFCS_E_BADHANDLE);
    ERR(mfcs_socket_cancel_blocking_call(dead), MFCS_E_BADHANDLE);
    {
        mfcs_file *f;
        OK(mfcs_file_open_memory(&f, NULL, 0));
        ERR(mfcs_socket_close((mfcs_socket *)f), MFCS_E_BADHANDLE);
        OK(mfcs_file_close(f));
    }
}

Test(library_sockets, socket_new_needs_init, .timeout = 30)
{
    mfcs_socket *s = (mfcs_socket *)1;
    ERR(mfcs_socket_new(&s, MFCS_ASYNC, NULL, NULL), WSANOTINITIALISED);
    cr_assert_null(s);
}

Test(library_sockets, term_closes_live_sockets_and_silences_callbacks, .timeout = 30)
{
    mfcs_socket *l, *c;
    events le = { 0 }, ce = { 0 };
    unsigned port;
    SOCKET h;
    int type;
    init_lib();
    l = listener(MFCS_ASYNC, &ev_cb, &le, &port);
    OK(mfcs_socket_new(&c, MFCS_ASYNC, &ev_cb, &ce));
    OK(mfcs_socket_create(c, 0, MFCS_STREAM, MFCS_ALL_EVENTS, NULL));
    ERR(mfcs_socket_connect(c, "127.0.0.1", port), WSAEWOULDBLOCK);
    OK(mfcs_socket_handle(l, &h));
    Sleep(100);                    /* notifications are queued, not delivered */
    mfcs_term();
    ERR(mfcs_socket_type(l, &type), MFCS_E_BADHANDLE);
    ERR(mfcs_socket_type(c, &type), MFCS_E_BADHANDLE);
    mfcs_pump(200, NULL);
    cr_assert_eq(le.accept + ce.connect + ce.send, 0, "callbacks ran after mfcs_term");
    init_lib();                   /* and the library starts again */
    OK(mfcs_socket_new(&c, MFCS_ASYNC, NULL, NULL));
    OK(mfcs_socket_create(c, 0, MFCS_STREAM, 0, NULL));
    term_lib();
}
