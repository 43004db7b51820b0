/* Blocking sockets (CSocket), socket files (CSocketFile), archives over
 * sockets, and the two stream-only gates. Peers are raw Winsock threads. */
#include "socket_util.h"

TestSuite(blocking, .init = init_lib, .fini = term_lib, .timeout = 60);

/* A raw Winsock peer thread: accepts one connection on its own listener,
 * sends `out` in pieces with pauses, then reads until the other side closes
 * and keeps what it got. */
typedef struct peer {
    SOCKET l, s;
    unsigned port;
    const char *out[4];
    int out_len[4];
    DWORD pause_ms;
    int close_after;        /* close after sending instead of reading */
    char in[1 << 16];
    int in_len;
    HANDLE thread;
} peer;

static DWORD WINAPI peer_main(void *p)
{
    peer *pr = p;
    int i, n;
    pr->s = accept(pr->l, NULL, NULL);
    for (i = 0; i < 4 && pr->out[i]; i++) {
        if (pr->pause_ms)
            Sleep(pr->pause_ms);
        send(pr->s, pr->out[i], pr->out_len[i], 0);
    }
    if (!pr->close_after)
        while ((n = recv(pr->s, pr->in + pr->in_len, (int)sizeof pr->in - pr->in_len, 0)) > 0)
            pr->in_len += n;
    closesocket(pr->s);
    return 0;
}

static void peer_start(peer *pr)
{
    pr->l = raw_bound(SOCK_STREAM, &pr->port);
    listen(pr->l, 1);
    pr->thread = CreateThread(NULL, 0, peer_main, pr, 0, NULL);
}

static void peer_join(peer *pr)
{
    DWORD w = WaitForSingleObject(pr->thread, 30000);
    cr_assert_eq(w, WAIT_OBJECT_0, "the peer thread did not finish: %lu", (unsigned long)w);
    CloseHandle(pr->thread);
    closesocket(pr->l);
}

/* A blocking mfcsock client connected to the peer. */
static mfcs_socket *connect_to(peer *pr, const mfcs_socket_callbacks *cb, void *user)
{
    mfcs_socket *s;
    OK(mfcs_socket_new(&s, MFCS_BLOCKING, cb, user));
    OK(mfcs_socket_create(s, 0, MFCS_STREAM, 0, NULL));
    OK(mfcs_socket_connect(s, "127.0.0.1", pr->port));
    return s;
}

#define SEND(pr, i, str) ((pr)->out[i] = (str), (pr)->out_len[i] = (int)sizeof(str) - 1)

Test(blocking, connect_send_receive_wait_for_the_peer)
{
    peer pr = { 0 };
    mfcs_socket *s;
    char buf[16];
    int n = 0, sent = 0, in_call = 1;
    SEND(&pr, 0, "late");
    pr.pause_ms = 300;
    peer_start(&pr);
    s = connect_to(&pr, NULL, NULL);
    OK(mfcs_socket_receive(s, buf, sizeof buf, 0, &n));      /* waits ~300 ms */
    cr_assert_eq(n, 4);
    cr_assert_eq(memcmp(buf, "late", 4), 0);
    OK(mfcs_socket_send(s, "answer", 6, 0, &sent));
    cr_assert_eq(sent, 6);
    OK(mfcs_socket_is_blocking(s, &in_call));
    cr_assert_eq(in_call, 0);
    OK(mfcs_socket_shutdown(s, SD_SEND));
    OK(mfcs_socket_receive(s, buf, sizeof buf, 0, &n));      /* the peer closed */
    cr_assert_eq(n, 0);
    peer_join(&pr);
    cr_assert_eq(pr.in_len, 6);
    cr_assert_eq(memcmp(pr.in, "answer", 6), 0);
}

Test(blocking, blocking_create_selects_all_events_and_refused_connect_fails)
{
    mfcs_socket *s;
    OK(mfcs_socket_new(&s, MFCS_BLOCKING, NULL, NULL));
    /* events is ignored, so even a mask that means nothing is accepted */
    OK(mfcs_socket_create(s, 0, MFCS_STREAM, 0x7FFF0000, NULL));
    ERR(mfcs_socket_connect(s, "127.0.0.1", dead_port()), WSAECONNREFUSED);
}

/* ---- in progress, cancel, timeout ---- */

typedef struct pending { mfcs_socket *s; int seen, in_call; mfcs_err nested; int cancel; } pending;
static int MFCS_CALL on_pending(mfcs_socket *s, const MSG *m, void *u)
{
    pending *p = u;
    char c;
    if (m->message != WM_APP + 7)
        return 0;
    p->seen++;
    mfcs_socket_is_blocking(s, &p->in_call);
    p->nested = mfcs_socket_receive(s, &c, 1, 0, NULL);      /* same socket: refused */
    if (p->cancel)
        mfcs_socket_cancel_blocking_call(s);
    return 1;
}

Test(blocking, second_call_is_inprogress_and_cancel_from_message_pending)
{
    static const mfcs_socket_callbacks cb = { NULL, NULL, NULL, NULL, NULL, NULL, on_pending };
    peer pr = { 0 };
    pending p = { 0 };
    mfcs_socket *s;
    char buf[8];
    MSG m;
    peer_start(&pr);
    s = connect_to(&pr, &cb, &p);
    p.cancel = 1;
    PostThreadMessageA(GetCurrentThreadId(), WM_APP + 7, 0, 0);
    ERR(mfcs_socket_receive(s, buf, sizeof buf, 0, NULL), MFCS_E_CANCELLED);
    cr_assert_eq(p.seen, 1, "on_message_pending saw the message %d times", p.seen);
    cr_assert_eq(p.in_call, 1);
    cr_assert_eq(p.nested, MFCS_E_INPROGRESS, "nested receive: %d", p.nested);
    cr_assert(!PeekMessageA(&m, NULL, WM_APP + 7, WM_APP + 7, PM_NOREMOVE), "a handled message stayed queued");
    OK(mfcs_socket_close(s));
    peer_join(&pr);
}

typedef struct canceller { mfcs_socket *s; DWORD delay; mfcs_err err; } canceller;
static DWORD WINAPI cancel_later(void *p)
{
    canceller *c = p;
    Sleep(c->delay);
    c->err = mfcs_socket_cancel_blocking_call(c->s);
    return 0;
}

Test(blocking, cancel_from_another_thread_consumes_nothing)
{
    peer pr = { 0 };
    canceller c = { 0 };
    mfcs_socket *s;
    HANDLE t;
    char buf[8];
    int n = 0;
    SEND(&pr, 0, "data");
    pr.pause_ms = 1500;
    peer_start(&pr);
    s = connect_to(&pr, NULL, NULL);
    c.s = s;
    c.delay = 200;
    t = CreateThread(NULL, 0, cancel_later, &c, 0, NULL);
    ERR(mfcs_socket_receive(s, buf, sizeof buf, 0, &n), MFCS_E_CANCELLED);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    OK(c.err);
    cr_assert_eq(n, 0);
    OK(mfcs_socket_receive(s, buf, sizeof buf, 0, &n));      /* retry: the data is all there */
    cr_assert_eq(n, 4);
    cr_assert_eq(memcmp(buf, "data", 4), 0);
    OK(mfcs_socket_close(s));
    peer_join(&pr);
}

Test(blocking, timeout_is_a_real_deadline)
{
    peer pr = { 0 };
    mfcs_socket *s, *l, *a;
    char buf[8];
    ULONGLONG t0;
    unsigned port;
    DWORD dt;
    SEND(&pr, 0, "x");
    pr.pause_ms = 1500;
    peer_start(&pr);
    s = connect_to(&pr, NULL, NULL);
    OK(mfcs_socket_set_timeout(s, 200));
    t0 = GetTickCount64();
    ERR(mfcs_socket_receive(s, buf, sizeof buf, 0, NULL), MFCS_E_TIMEOUT);
    dt = (DWORD)(GetTickCount64() - t0);
    cr_assert(dt >= 150 && dt < 1200, "timed out after %lu ms", (unsigned long)dt);
    OK(mfcs_socket_set_timeout(s, 0));
    OK(mfcs_socket_receive(s, buf, sizeof buf, 0, NULL));     /* nothing was consumed */
    cr_assert_eq(buf[0], 'x');
    OK(mfcs_socket_close(s));
    peer_join(&pr);
    l = listener(MFCS_BLOCKING, NULL, NULL, &port);
    OK(mfcs_socket_set_timeout(l, 100));
    OK(mfcs_socket_new(&a, MFCS_BLOCKING, NULL, NULL));
    ERR(mfcs_socket_accept(l, a, NULL, 0, NULL), MFCS_E_TIMEOUT);
}

/* ---- notifications while waiting ---- */

typedef struct order { int a_returned, b_cb_saw_a_returned, b_calls; } order;
static void MFCS_CALL b_receive(mfcs_socket *s, int err, void *u)
{
    order *o = u;
    char buf[16];
    (void)err;
    o->b_calls++;
    o->b_cb_saw_a_returned = o->a_returned;
    mfcs_socket_receive(s, buf, sizeof buf, 0, NULL);
}

Test(blocking, notifications_wait_until_the_call_returns_and_idle_sockets_get_callbacks)
{
    static const mfcs_socket_callbacks bcb = { b_receive, NULL, NULL, NULL, NULL, NULL, NULL };
    peer pa = { 0 }, pb = { 0 };
    order o = { 0 };
    mfcs_socket *a, *b;
    char buf[8];
    SEND(&pa, 0, "A");
    pa.pause_ms = 600;            /* A's data comes late */
    SEND(&pb, 0, "B");            /* B's data is there before A starts waiting */
    peer_start(&pa);
    peer_start(&pb);
    a = connect_to(&pa, NULL, NULL);
    b = connect_to(&pb, &bcb, &o); /* a blocking socket, idle: it gets callbacks */
    {
        SOCKET hb;
        fd_set set;
        struct timeval tv = { 5, 0 };
        OK(mfcs_socket_handle(b, &hb));
        FD_ZERO(&set);
        FD_SET(hb, &set);
        cr_assert_eq(select(0, &set, NULL, NULL, &tv), 1, "B's data never came");
    }
    OK(mfcs_socket_receive(a, buf, sizeof buf, 0, NULL));
    o.a_returned = 1;
    PUMP_UNTIL(o.b_calls > 0, 5000);
    cr_assert_eq(o.b_cb_saw_a_returned, 1, "on_receive ran inside another socket's blocking call");
    OK(mfcs_socket_close(a));
    OK(mfcs_socket_close(b));
    peer_join(&pa);
    peer_join(&pb);
}

/* ---- socket files and the stream-only gates ---- */

Test(blocking, socket_file_gates)
{
    mfcs_socket *d, *as, *u;
    mfcs_file *f = (mfcs_file *)1;
    OK(mfcs_socket_new(&d, MFCS_BLOCKING, NULL, NULL));
    OK(mfcs_socket_create(d, 0, MFCS_DGRAM, 0, NULL));
    ERR(mfcs_file_open_socket(&f, d, 1), MFCS_E_NOTSTREAM);
    cr_assert_null(f);
    OK(mfcs_socket_new(&as, MFCS_ASYNC, NULL, NULL));
    OK(mfcs_socket_create(as, 0, MFCS_STREAM, 0, NULL));
    ERR(mfcs_file_open_socket(&f, as, 1), MFCS_E_NOTBLOCKING);
    OK(mfcs_socket_new(&u, MFCS_BLOCKING, NULL, NULL));
    ERR(mfcs_file_open_socket(&f, u, 1), MFCS_E_STATE);
    ERR(mfcs_file_open_socket(NULL, u, 1), MFCS_E_INVALIDARG);
    ERR(mfcs_file_open_socket(&f, NULL, 1), MFCS_E_BADHANDLE);
}

Test(blocking, socket_file_refuses_positions_never_closes_its_socket_and_notices_a_closed_one)
{
    peer pr = { 0 };
    mfcs_socket *s;
    mfcs_file *f;
    mfcs_archive *ar;
    uint64_t v;
    char buf[8];
    size_t n;
    SEND(&pr, 0, "abc");
    peer_start(&pr);
    s = connect_to(&pr, NULL, NULL);
    OK(mfcs_file_open_socket(&f, s, 1));
    ERR(mfcs_file_seek(f, 0, MFCS_SEEK_SET, &v), MFCS_E_UNSUPPORTED);
    ERR(mfcs_file_length(f, &v), MFCS_E_UNSUPPORTED);
    ERR(mfcs_file_memory_data(f, NULL, NULL), MFCS_E_UNSUPPORTED);
    OK(mfcs_file_read(f, buf, sizeof buf, &n));                   /* at least one byte */
    cr_assert(n >= 1 && n <= 3, "read %zu", n);
    OK(mfcs_file_flush(f));
    OK(mfcs_file_close(f));
    OK(mfcs_socket_send(s, "still open", 10, 0, NULL));           /* the socket is not closed */
    OK(mfcs_file_open_socket(&f, s, 1));
    OK(mfcs_socket_close(s));
    ERR(mfcs_file_read(f, buf, sizeof buf, &n), MFCS_E_STATE);
    ERR(mfcs_file_write(f, "x", 1), MFCS_E_STATE);
    ERR(mfcs_archive_open(&ar, f, MFCS_LOAD, 0), MFCS_E_STATE);
    /* every call but close, whatever it would otherwise say */
    ERR(mfcs_file_read(f, buf, 0, &n), MFCS_E_STATE);
    ERR(mfcs_file_write(f, "", 0), MFCS_E_STATE);
    ERR(mfcs_file_flush(f), MFCS_E_STATE);
    ERR(mfcs_file_seek(f, 0, MFCS_SEEK_SET, &v), MFCS_E_STATE);
    ERR(mfcs_file_length(f, &v), MFCS_E_STATE);
    ERR(mfcs_file_memory_data(f, NULL, NULL), MFCS_E_STATE);
    OK(mfcs_file_close(f));                                       /* close still works */
    peer_join(&pr);
}

Test(blocking, archive_gate_checks_the_actual_socket_type)
{
    peer pr = { 0 };
    mfcs_socket *s;
    mfcs_file *f;
    mfcs_archive *ar;
    peer_start(&pr);
    s = connect_to(&pr, NULL, NULL);
    OK(mfcs_file_open_socket(&f, s, 1));
    OK(mfcs_socket_close(s));
    OK(mfcs_socket_create(s, 0, MFCS_DGRAM, 0, NULL));   /* the same object, now a datagram socket */
    ERR(mfcs_archive_open(&ar, f, MFCS_STORE, 0), MFCS_E_NOTSTREAM);
    OK(mfcs_file_close(f));
    peer_join(&pr);
}

/* ---- archives over sockets ---- */

Test(blocking, one_archive_per_message_and_mixing_with_raw_receives)
{
    /* Three u32 messages and a raw tail, all in one segment. */
    static const char both[] = "\x01\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00tail";
    peer pr = { 0 };
    mfcs_socket *s;
    mfcs_file *f;
    mfcs_archive *ar;
    uint32_t v;
    unsigned long avail = 0;
    char buf[16];
    int n = 0;
    pr.out[0] = both;
    pr.out_len[0] = (int)sizeof both - 1;
    peer_start(&pr);
    s = connect_to(&pr, NULL, NULL);
    Sleep(200);                                     /* everything has arrived */
    OK(mfcs_file_open_socket(&f, s, 1));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_u32(ar, &v));
    cr_assert_eq(v, 1);
    OK(mfcs_archive_close(ar));                      /* hands back what it took beyond */
    OK(mfcs_socket_ioctl(s, FIONREAD, &avail));
    cr_assert_eq(avail, 12, "FIONREAD says %lu", avail);
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));     /* a new archive, the next message */
    OK(mfcs_archive_read_u32(ar, &v));
    cr_assert_eq(v, 2);
    OK(mfcs_archive_flush(ar));                      /* flush hands back too */
    OK(mfcs_archive_read_u32(ar, &v));
    cr_assert_eq(v, 3);
    OK(mfcs_archive_abort(ar));                      /* and abort */
    OK(mfcs_socket_receive(s, buf, sizeof buf, 0, &n));
    cr_assert_eq(n, 4, "raw receive got %d bytes", n);
    cr_assert_eq(memcmp(buf, "tail", 4), 0);
    OK(mfcs_file_close(f));
    OK(mfcs_socket_close(s));
    peer_join(&pr);
}

typedef struct collector { int values[8]; int n; mfcs_err err; mfcs_file *f; } collector;
static void MFCS_CALL collect_receive(mfcs_socket *s, int err, void *u)
{
    collector *c = u;
    mfcs_archive *ar;
    int empty = 0;
    unsigned long avail = 0;
    (void)err;
    /* Microsoft's advice: look before deserializing in OnReceive. */
    if (mfcs_socket_ioctl(s, FIONREAD, &avail) != MFCS_OK || avail == 0)
        return;
    if ((c->err = mfcs_archive_open(&ar, c->f, MFCS_LOAD, 0)) != MFCS_OK)
        return;
    do {   /* MFC's documented loop */
        uint32_t v;
        if ((c->err = mfcs_archive_read_u32(ar, &v)) != MFCS_OK)
            break;
        if (c->n < 8)
            c->values[c->n++] = (int)v;
        mfcs_archive_is_buffer_empty(ar, &empty);
    } while (!empty);
    mfcs_archive_close(ar);
}

Test(blocking, is_buffer_empty_loop_in_on_receive)
{
    static const mfcs_socket_callbacks cb = { collect_receive, NULL, NULL, NULL, NULL, NULL, NULL };
    static const char three[] = "\x07\x00\x00\x00\x08\x00\x00\x00\x09\x00\x00\x00";
    peer pr = { 0 };
    collector c = { { 0 }, 0, 0, NULL };
    mfcs_socket *s;
    pr.out[0] = three;
    pr.out_len[0] = 12;
    pr.pause_ms = 100;
    peer_start(&pr);
    s = connect_to(&pr, &cb, &c);
    OK(mfcs_file_open_socket(&c.f, s, 1));
    PUMP_UNTIL(c.n == 3, 5000);
    OK(c.err);
    cr_assert(c.values[0] == 7 && c.values[1] == 8 && c.values[2] == 9, "got %d %d %d",
              c.values[0], c.values[1], c.values[2]);
    OK(mfcs_file_close(c.f));
    OK(mfcs_socket_close(s));
    peer_join(&pr);
}

Test(blocking, peer_gone_inside_a_value_is_an_error_not_a_hang)
{
    peer pr = { 0 };
    mfcs_socket *s;
    mfcs_file *f;
    mfcs_archive *ar;
    uint32_t v;
    mfcs_err err;
    pr.out[0] = "\x01\x02";
    pr.out_len[0] = 2;
    pr.close_after = 1;
    peer_start(&pr);
    s = connect_to(&pr, NULL, NULL);
    OK(mfcs_socket_set_timeout(s, 10000));
    OK(mfcs_file_open_socket(&f, s, 1));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    err = mfcs_archive_read_u32(ar, &v);
    cr_assert(err == MFCS_E_EOF || err == WSAECONNRESET || err == WSAECONNABORTED,
              "got %d (%s)", err, mfcs_strerror(err));
    ERR(mfcs_archive_read_u8(ar, NULL), err);        /* sticky */
    ERR(mfcs_archive_close(ar), err);
    OK(mfcs_file_close(f));
    OK(mfcs_socket_free(s));
    peer_join(&pr);
}

/* 64 MiB through a storing archive on one thread and a loading one on
 * another, with a checksum over every value. */
typedef struct streamer { unsigned port; mfcs_err err; uint32_t sum; } streamer;
#define STREAM_WORDS (16u << 20)     /* 64 MiB of u32 */

static DWORD WINAPI stream_writer(void *p)
{
    streamer *st = p;
    mfcs_socket *s;
    mfcs_file *f;
    mfcs_archive *ar;
    uint32_t i, x = 12345;
    if ((st->err = mfcs_socket_new(&s, MFCS_BLOCKING, NULL, NULL)) ||
        (st->err = mfcs_socket_create(s, 0, MFCS_STREAM, 0, NULL)) ||
        (st->err = mfcs_socket_connect(s, "127.0.0.1", st->port)) ||
        (st->err = mfcs_file_open_socket(&f, s, 1)) ||
        (st->err = mfcs_archive_open(&ar, f, MFCS_STORE, 65536)))
        return 1;
    for (i = 0; i < STREAM_WORDS; i++) {
        x = x * 1103515245u + 12345u;
        st->sum = st->sum * 31 + x;
        mfcs_archive_write_u32(ar, x);
    }
    st->err = mfcs_archive_close(ar);
    mfcs_file_close(f);
    mfcs_socket_free(s);
    mfcs_thread_term();
    return 0;
}

Test(blocking, sixty_four_mib_archive_stream_with_checksum, .timeout = 300)
{
    streamer st = { 0 };
    mfcs_socket *l, *a;
    mfcs_file *f;
    mfcs_archive *ar;
    uint32_t i, v, sum = 0;
    HANDLE t;
    l = listener(MFCS_BLOCKING, NULL, NULL, &st.port);
    t = CreateThread(NULL, 0, stream_writer, &st, 0, NULL);
    OK(mfcs_socket_new(&a, MFCS_BLOCKING, NULL, NULL));
    OK(mfcs_socket_accept(l, a, NULL, 0, NULL));
    OK(mfcs_file_open_socket(&f, a, 1));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 65536));
    for (i = 0; i < STREAM_WORDS; i++) {
        if (mfcs_archive_read_u32(ar, &v) != MFCS_OK)
            break;
        sum = sum * 31 + v;
    }
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    OK(st.err);
    cr_assert_eq(i, STREAM_WORDS, "stopped after %u values: %s", i, mfcs_strerror(mfcs_archive_read_u8(ar, NULL)));
    cr_assert_eq(sum, st.sum, "checksum differs");
    ERR(mfcs_archive_read_u8(ar, NULL), MFCS_E_END);   /* and then the stream ends, between values */
    mfcs_archive_abort(ar);
    OK(mfcs_file_close(f));
}

/* ---- calls made from inside a wait ---- */

/* Sends bytes on a raw socket after a pause, from its own thread. */
typedef struct late_send { SOCKET s; const char *data; int len; DWORD ms; HANDLE t; } late_send;
static DWORD WINAPI late_send_main(void *p)
{
    late_send *l = p;
    Sleep(l->ms);
    send(l->s, l->data, l->len, 0);
    return 0;
}
static void late_send_start(late_send *l) { l->t = CreateThread(NULL, 0, late_send_main, l, 0, NULL); }
static void late_send_join(late_send *l)
{
    cr_assert_eq(WaitForSingleObject(l->t, 10000), WAIT_OBJECT_0);
    CloseHandle(l->t);
}

typedef struct reentry {
    mfcs_archive *ar, *store, *store2;
    mfcs_file *f;
    int seen;
    mfcs_err read, close, abort, flush, write, map, store_flush, direct;
    char block[128];
} reentry;
static int MFCS_CALL on_pending_reenter(mfcs_socket *s, const MSG *m, void *u)
{
    reentry *r = u;
    uint32_t v;
    (void)s;
    if (m->message != WM_APP + 9)
        return 0;
    r->seen++;
    r->read = mfcs_archive_read_u32(r->ar, &v);
    r->flush = mfcs_archive_flush(r->ar);
    r->close = mfcs_archive_close(r->ar);
    r->abort = mfcs_archive_abort(r->ar);
    r->write = mfcs_file_write(r->f, "x", 1);
    r->map = mfcs_archive_map_object(r->ar, r);
    r->store_flush = mfcs_archive_flush(r->store);   /* another archive, the same busy socket */
    /* a whole buffer at an empty one goes to the file directly: refused too */
    r->direct = mfcs_archive_write(r->store2, r->block, sizeof r->block);
    return 1;
}

/* on_message_pending runs while an archive waits for its socket: the archive
 * must refuse to be read, flushed or freed from there (its buffer is being
 * filled), and the socket file must not send in the middle of the wait. */
Test(blocking, an_archive_refuses_calls_and_close_from_inside_its_own_wait)
{
    static const mfcs_socket_callbacks cb = { NULL, NULL, NULL, NULL, NULL, NULL, on_pending_reenter };
    reentry r = { 0 };
    SOCKET peer;
    mfcs_socket *s = blocking_pair(&cb, &r, &peer);
    late_send ls = { peer, "\x01\x02\x03\x04", 4, 300, NULL };
    uint32_t v = 0;
    unsigned long waiting = 1;
    mfcs_err sticky = -1;
    char got[4];
    OK(mfcs_file_open_socket(&r.f, s, 1));
    OK(mfcs_archive_open(&r.ar, r.f, MFCS_LOAD, 0));
    OK(mfcs_archive_open(&r.store, r.f, MFCS_STORE, 0));
    OK(mfcs_archive_open(&r.store2, r.f, MFCS_STORE, sizeof r.block));
    memset(r.block, 'z', sizeof r.block);
    OK(mfcs_archive_write_u32(r.store, 0x64636261));   /* "abcd", buffered */
    PostThreadMessageA(GetCurrentThreadId(), WM_APP + 9, 0, 0);
    late_send_start(&ls);
    OK(mfcs_archive_read_u32(r.ar, &v));
    late_send_join(&ls);
    cr_assert_eq(v, 0x04030201u, "read 0x%08X", v);
    cr_assert_eq(r.seen, 1, "on_message_pending saw the message %d times", r.seen);
    cr_assert_eq(r.read, MFCS_E_INPROGRESS, "read from inside the wait: %d", r.read);
    cr_assert_eq(r.flush, MFCS_E_INPROGRESS, "flush from inside the wait: %d", r.flush);
    cr_assert_eq(r.close, MFCS_E_INPROGRESS, "close from inside the wait: %d", r.close);
    cr_assert_eq(r.abort, MFCS_E_INPROGRESS, "abort from inside the wait: %d", r.abort);
    cr_assert_eq(r.write, MFCS_E_INPROGRESS, "file write from inside the wait: %d", r.write);
    cr_assert_eq(r.map, MFCS_E_INPROGRESS, "map_object from inside the wait: %d", r.map);
    cr_assert_eq(r.store_flush, MFCS_E_INPROGRESS, "another archive's flush from inside the wait: %d",
                 r.store_flush);
    cr_assert_eq(ioctlsocket(peer, FIONREAD, &waiting), 0);
    cr_assert_eq(waiting, 0, "the refused writes still sent %lu bytes", waiting);
    /* the refused flush lost nothing and broke nothing: it goes now */
    OK(mfcs_archive_error(r.store, &sticky));
    cr_assert_eq(sticky, MFCS_OK, "the refused flush left error %d", sticky);
    OK(mfcs_archive_close(r.store));
    cr_assert_eq(recv(peer, got, sizeof got, 0), 4);
    cr_assert_eq(memcmp(got, "abcd", 4), 0, "the peer got %.4s", got);
    /* and the refused direct write: nothing of it was taken, nothing broken */
    cr_assert_eq(r.direct, MFCS_E_INPROGRESS, "a direct write from inside the wait: %d", r.direct);
    OK(mfcs_archive_error(r.store2, &sticky));
    cr_assert_eq(sticky, MFCS_OK, "the refused direct write left error %d", sticky);
    OK(mfcs_archive_write(r.store2, r.block, sizeof r.block));
    OK(mfcs_archive_close(r.store2));
    {
        char in[sizeof r.block];
        int n = 0, k;
        while (n < (int)sizeof in && (k = recv(peer, in + n, (int)sizeof in - n, 0)) > 0)
            n += k;
        cr_assert_eq(n, (int)sizeof in, "the peer got %d of %d bytes", n, (int)sizeof in);
        cr_assert_eq(memcmp(in, r.block, sizeof in), 0);
    }
    OK(mfcs_archive_close(r.ar));      /* nothing was stuck by the refusals */
    OK(mfcs_file_close(r.f));
    OK(mfcs_socket_free(s));
    closesocket(peer);
}

/* CSocketFile(pSocket, FALSE): a stand-alone read waits for every byte asked
 * for, but an archive on it still asks only for what its value is missing,
 * so it never waits for a full buffer the peer will not send. */
Test(blocking, a_file_that_is_not_archive_compatible_reads_all_yet_archives_never_read_ahead)
{
    SOCKET peer;
    mfcs_socket *s = blocking_pair(NULL, NULL, &peer);
    late_send ls = { peer, "3456", 4, 200, NULL };
    mfcs_file *f;
    mfcs_archive *ar;
    char buf[8];
    size_t n = 0;
    uint32_t v = 0;
    ULONGLONG t0;
    OK(mfcs_file_open_socket(&f, s, 0));
    OK(mfcs_socket_set_timeout(s, 5000));
    raw_send_all(peer, "12", 2);
    late_send_start(&ls);
    OK(mfcs_file_read(f, buf, 6, &n));
    late_send_join(&ls);
    cr_assert_eq(n, 6, "read %zu of 6 bytes", n);
    cr_assert_eq(memcmp(buf, "123456", 6), 0);
    /* cut short by the deadline: the error, and the bytes that came */
    OK(mfcs_socket_set_timeout(s, 300));
    raw_send_all(peer, "ab", 2);
    ERR(mfcs_file_read(f, buf, 6, &n), MFCS_E_TIMEOUT);
    cr_assert_eq(n, 2, "a read cut by its deadline counted %zu bytes", n);
    cr_assert_eq(memcmp(buf, "ab", 2), 0);
    OK(mfcs_socket_set_timeout(s, 5000));
    raw_send_all(peer, "\x2A\0\0\0", 4);   /* one u32, and the peer waits */
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    t0 = GetTickCount64();
    OK(mfcs_archive_read_u32(ar, &v));
    cr_assert(GetTickCount64() - t0 < 2500, "the archive waited %llu ms for bytes it did not need",
              (unsigned long long)(GetTickCount64() - t0));
    cr_assert_eq(v, 42, "read %u", v);
    OK(mfcs_archive_close(ar));
    OK(mfcs_file_close(f));
    OK(mfcs_socket_free(s));
    closesocket(peer);
}

/* A socket closed on one thread and created again on another belongs to the
 * other thread, and so does every file on it. */
typedef struct mover { mfcs_socket *s; mfcs_file *f; mfcs_err create, read; HANDLE done, go; } mover;
static DWORD WINAPI mover_main(void *p)
{
    mover *m = p;
    char c;
    m->create = mfcs_socket_create(m->s, 0, MFCS_STREAM, 0, "127.0.0.1");
    m->read = mfcs_file_read(m->f, &c, 1, NULL);
    SetEvent(m->done);
    WaitForSingleObject(m->go, 10000);
    mfcs_socket_free(m->s);
    mfcs_thread_term();
    return 0;
}

Test(blocking, a_socket_file_follows_its_socket_to_another_thread)
{
    mover m = { 0 };
    HANDLE t;
    OK(mfcs_socket_new(&m.s, MFCS_BLOCKING, NULL, NULL));
    OK(mfcs_socket_create(m.s, 0, MFCS_STREAM, 0, "127.0.0.1"));
    OK(mfcs_file_open_socket(&m.f, m.s, 1));
    OK(mfcs_socket_close(m.s));
    m.done = CreateEventA(NULL, TRUE, FALSE, NULL);
    m.go = CreateEventA(NULL, TRUE, FALSE, NULL);
    t = CreateThread(NULL, 0, mover_main, &m, 0, NULL);
    cr_assert_eq(WaitForSingleObject(m.done, 10000), WAIT_OBJECT_0);
    cr_assert_eq(m.create, MFCS_OK, "create on the second thread: %d", m.create);
    cr_assert_eq(m.read, MFCS_E_WRONGTHREAD, "the file from the second thread: %d", m.read);
    ERR(mfcs_file_write(m.f, "x", 1), MFCS_E_WRONGTHREAD);   /* its socket moved away */
    OK(mfcs_file_close(m.f));
    SetEvent(m.go);
    cr_assert_eq(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    CloseHandle(t);
    CloseHandle(m.done);
    CloseHandle(m.go);
}

typedef struct accept_swap { mfcs_socket *into; int create_instead; mfcs_err done; } accept_swap;
static int MFCS_CALL on_pending_swap(mfcs_socket *s, const MSG *m, void *u)
{
    accept_swap *a = u;
    (void)s;
    if (m->message != WM_APP + 11)
        return 0;
    a->done = a->create_instead ? mfcs_socket_create(a->into, 0, MFCS_STREAM, 0, "127.0.0.1")
                                : mfcs_socket_free(a->into);
    return 1;
}
typedef struct late_connect { unsigned port; DWORD ms; SOCKET s; HANDLE t; } late_connect;
static DWORD WINAPI late_connect_main(void *p)
{
    late_connect *l = p;
    struct sockaddr_in a = loopback(l->port);
    Sleep(l->ms);
    l->s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    connect(l->s, (struct sockaddr *)&a, sizeof a);
    return 0;
}

/* The socket to accept into is freed, or created, by on_message_pending
 * while accept waits: accept says so and keeps no connection. */
Test(blocking, accept_into_a_socket_freed_or_created_while_it_waited)
{
    static const mfcs_socket_callbacks cb = { NULL, NULL, NULL, NULL, NULL, NULL, on_pending_swap };
    int round;
    for (round = 0; round < 2; round++) {
        accept_swap a = { NULL, round, -1 };
        late_connect lc = { 0, 300, INVALID_SOCKET, NULL };
        mfcs_socket *l = listener(MFCS_BLOCKING, &cb, &a, &lc.port);
        char c;
        OK(mfcs_socket_new(&a.into, MFCS_BLOCKING, NULL, NULL));
        PostThreadMessageA(GetCurrentThreadId(), WM_APP + 11, 0, 0);
        lc.t = CreateThread(NULL, 0, late_connect_main, &lc, 0, NULL);
        ERR(mfcs_socket_accept(l, a.into, NULL, 0, NULL), round ? MFCS_E_STATE : MFCS_E_BADHANDLE);
        cr_assert_eq(a.done, MFCS_OK, "round %d: the swap itself: %d", round, a.done);
        cr_assert_eq(WaitForSingleObject(lc.t, 10000), WAIT_OBJECT_0);
        CloseHandle(lc.t);
        /* the accepted connection was closed, not leaked */
        cr_assert_eq(recv(lc.s, &c, 1, 0), 0, "round %d: the refused connection stayed open", round);
        closesocket(lc.s);
        if (round)
            OK(mfcs_socket_free(a.into));
        OK(mfcs_socket_free(l));
    }
}

/* ---- datagrams in blocking mode ---- */

typedef struct dgram_peer { unsigned port; DWORD ms; SOCKET s; HANDLE t; } dgram_peer;
static DWORD WINAPI dgram_send_later(void *p)
{
    dgram_peer *d = p;
    struct sockaddr_in a = loopback(d->port);
    Sleep(d->ms);
    sendto(d->s, "ping", 4, 0, (struct sockaddr *)&a, sizeof a);
    return 0;
}

Test(blocking, receive_from_waits_times_out_and_is_cancelled_and_send_to_delivers)
{
    mfcs_socket *u;
    dgram_peer d = { 0, 300, INVALID_SOCKET, NULL };
    canceller c = { 0 };
    int n = 0;
    unsigned from_port = 0, peer_port;
    char buf[16], host[64];
    ULONGLONG t0;
    HANDLE t;

    OK(mfcs_socket_new(&u, MFCS_BLOCKING, NULL, NULL));
    OK(mfcs_socket_create(u, 0, MFCS_DGRAM, 0, "127.0.0.1"));
    OK(mfcs_socket_sock_name(u, NULL, 0, &d.port));
    d.s = raw_bound(SOCK_DGRAM, &peer_port);

    /* waits for the datagram, and says who sent it */
    d.t = CreateThread(NULL, 0, dgram_send_later, &d, 0, NULL);
    OK(mfcs_socket_receive_from(u, buf, sizeof buf, host, sizeof host, &from_port, 0, &n));
    cr_assert_eq(WaitForSingleObject(d.t, 10000), WAIT_OBJECT_0);
    CloseHandle(d.t);
    cr_assert_eq(n, 4, "received %d bytes", n);
    cr_assert_eq(memcmp(buf, "ping", 4), 0);
    cr_assert_str_eq(host, "127.0.0.1");
    cr_assert_eq(from_port, peer_port, "sender port %u, want %u", from_port, peer_port);

    /* a real deadline: nothing comes */
    OK(mfcs_socket_set_timeout(u, 300));
    t0 = GetTickCount64();
    ERR(mfcs_socket_receive_from(u, buf, sizeof buf, NULL, 0, NULL, 0, &n), MFCS_E_TIMEOUT);
    cr_assert(GetTickCount64() - t0 >= 250 && GetTickCount64() - t0 < 5000,
              "timed out after %llu ms", (unsigned long long)(GetTickCount64() - t0));

    /* cancelled from another thread */
    OK(mfcs_socket_set_timeout(u, 0));
    c.s = u;
    c.delay = 200;
    t = CreateThread(NULL, 0, cancel_later, &c, 0, NULL);
    ERR(mfcs_socket_receive_from(u, buf, sizeof buf, NULL, 0, NULL, 0, &n), MFCS_E_CANCELLED);
    cr_assert_eq(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    CloseHandle(t);
    cr_assert_eq(c.err, MFCS_OK);

    /* and the way out */
    OK(mfcs_socket_send_to(u, "pong", 4, "127.0.0.1", peer_port, 0, &n));
    cr_assert_eq(n, 4, "sent %d", n);
    n = recv(d.s, buf, sizeof buf, 0);
    cr_assert_eq(n, 4, "the peer got %d bytes (%d)", n, WSAGetLastError());
    cr_assert_eq(memcmp(buf, "pong", 4), 0);
    closesocket(d.s);
    OK(mfcs_socket_free(u));
}

/* ---- what the wait does with other messages ---- */

static int paints, others;
static LRESULT CALLBACK count_wndproc(HWND h, UINT msg, WPARAM wp, LPARAM lp)
{
    if (msg == WM_PAINT) {
        paints++;
        return 0;
    }
    if (msg == WM_APP + 3)
        others++;
    return DefWindowProcA(h, msg, wp, lp);
}

/* Without on_message_pending the wait paints, as MFC's default
 * OnMessagePending does, and leaves every other message for the caller. */
Test(blocking, the_wait_dispatches_wm_paint_and_leaves_other_input_queued)
{
    HWND w = message_window("mfcs_test_paint", count_wndproc);
    SOCKET peer;
    mfcs_socket *s = blocking_pair(NULL, NULL, &peer);
    late_send ls = { peer, "x", 1, 300, NULL };
    char c;
    int n = 0;
    MSG m;
    cr_assert_not_null(w, "CreateWindowEx: %lu", GetLastError());
    paints = others = 0;
    PostMessageA(w, WM_APP + 3, 0, 0);
    PostMessageA(w, WM_PAINT, 0, 0);
    late_send_start(&ls);
    OK(mfcs_socket_receive(s, &c, 1, 0, &n));
    late_send_join(&ls);
    cr_assert_eq(n, 1);
    cr_assert_eq(paints, 1, "WM_PAINT dispatched %d times during the wait", paints);
    cr_assert_eq(others, 0, "other input was dispatched during the wait");
    cr_assert(PeekMessageA(&m, w, WM_APP + 3, WM_APP + 3, PM_REMOVE), "other input was dropped");
    DestroyWindow(w);
    OK(mfcs_socket_free(s));
    closesocket(peer);
}

/* ---- an idle blocking socket ---- */

typedef struct idle_seen { int accept, connect, send, receive, close; } idle_seen;
static void MFCS_CALL idle_accept(mfcs_socket *s, int e, void *u) { (void)s; (void)e; ((idle_seen *)u)->accept++; }
static void MFCS_CALL idle_connect(mfcs_socket *s, int e, void *u) { (void)s; (void)e; ((idle_seen *)u)->connect++; }
static void MFCS_CALL idle_send(mfcs_socket *s, int e, void *u) { (void)s; (void)e; ((idle_seen *)u)->send++; }
static void MFCS_CALL idle_receive(mfcs_socket *s, int e, void *u) { (void)s; (void)e; ((idle_seen *)u)->receive++; }
static void MFCS_CALL idle_close(mfcs_socket *s, int e, void *u) { (void)s; (void)e; ((idle_seen *)u)->close++; }

/* CSocket between calls behaves as CAsyncSocket: OnAccept, OnSend (held
 * while its connect waited, delivered after), OnReceive and OnClose, but
 * never OnConnect, which its blocking connect consumes. */
Test(blocking, an_idle_blocking_socket_gets_callbacks_but_never_on_connect)
{
    static const mfcs_socket_callbacks cb = { idle_receive, idle_send, NULL, idle_accept, idle_connect,
                                              idle_close, NULL };
    idle_seen ls = { 0 }, cs = { 0 }, as = { 0 };
    mfcs_socket *l, *c, *a;
    unsigned port;
    char buf[4];
    int n = 0;
    l = listener(MFCS_BLOCKING, &cb, &ls, &port);
    OK(mfcs_socket_new(&c, MFCS_BLOCKING, &cb, &cs));
    OK(mfcs_socket_create(c, 0, MFCS_STREAM, 0, NULL));
    OK(mfcs_socket_connect(c, "127.0.0.1", port));
    PUMP_UNTIL(ls.accept > 0, 5000);
    OK(mfcs_socket_new(&a, MFCS_BLOCKING, &cb, &as));
    OK(mfcs_socket_accept(l, a, NULL, 0, NULL));
    PUMP_UNTIL(cs.send > 0, 5000);
    OK(mfcs_socket_send(a, "x", 1, 0, NULL));
    PUMP_UNTIL(cs.receive > 0, 5000);
    OK(mfcs_socket_receive(c, buf, sizeof buf, 0, &n));
    cr_assert_eq(n, 1);
    OK(mfcs_socket_close(a));
    PUMP_UNTIL(cs.close > 0, 5000);
    mfcs_pump(100, NULL);
    cr_assert_eq(cs.connect, 0, "on_connect ran %d times for a blocking socket", cs.connect);
    OK(mfcs_socket_free(c));
    OK(mfcs_socket_free(a));
    OK(mfcs_socket_free(l));
}

/* receive_from on a stream socket is a receive too: bytes an archive handed
 * back come first, with the peer's address. */
Test(blocking, receive_from_returns_handed_back_bytes_first_with_the_peers_address)
{
    SOCKET peer;
    mfcs_socket *s = blocking_pair(NULL, NULL, &peer);
    mfcs_file *f;
    mfcs_archive *ar;
    struct sockaddr_in pa;
    int palen = sizeof pa, n = 0;
    unsigned from_port = 0;
    uint32_t v = 0;
    char buf[16], host[64];
    unsigned long ready = 0;
    ULONGLONG end = GetTickCount64() + 5000;
    cr_assert_eq(getsockname(peer, (struct sockaddr *)&pa, &palen), 0);
    raw_send_all(peer, "\x01\0\0\0tail", 8);
    /* all 8 there first, so the archive takes "tail" too and must give it back */
    while (ready < 8 && GetTickCount64() < end) {
        OK(mfcs_socket_ioctl(s, FIONREAD, &ready));
        Sleep(5);
    }
    cr_assert_eq(ready, 8, "only %lu of the 8 bytes arrived", ready);
    OK(mfcs_socket_set_timeout(s, 2000));   /* the socket itself stays empty */
    OK(mfcs_file_open_socket(&f, s, 1));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_u32(ar, &v));      /* takes all 8 in one recv, uses 4 */
    cr_assert_eq(v, 1);
    OK(mfcs_archive_close(ar));             /* hands "tail" back */
    OK(mfcs_socket_receive_from(s, buf, sizeof buf, host, sizeof host, &from_port, 0, &n));
    cr_assert_eq(n, 4, "receive_from gave %d bytes", n);
    cr_assert_eq(memcmp(buf, "tail", 4), 0);
    cr_assert_str_eq(host, "127.0.0.1");
    cr_assert_eq(from_port, ntohs(pa.sin_port), "port %u, want the peer's %u", from_port, ntohs(pa.sin_port));
    /* and with nothing handed back, straight from the socket */
    raw_send_all(peer, "more", 4);
    from_port = 0;
    host[0] = '\0';
    OK(mfcs_socket_receive_from(s, buf, sizeof buf, host, sizeof host, &from_port, 0, &n));
    cr_assert_eq(n, 4, "receive_from gave %d bytes", n);
    cr_assert_eq(memcmp(buf, "more", 4), 0);
    cr_assert_str_eq(host, "127.0.0.1");
    cr_assert_eq(from_port, ntohs(pa.sin_port), "port %u, want the peer's %u", from_port, ntohs(pa.sin_port));
    OK(mfcs_file_close(f));
    OK(mfcs_socket_free(s));
    closesocket(peer);
}

/* cancel_blocking_call from a watchdog thread while the owner keeps making
 * and freeing sockets: each cancel finds a live socket or a dead handle,
 * never freed memory. */
typedef struct watchdog { mfcs_socket *volatile s; volatile LONG stop; long calls, bad; } watchdog;
static DWORD WINAPI watchdog_main(void *p)
{
    watchdog *w = p;
    while (!w->stop) {
        mfcs_err e = mfcs_socket_cancel_blocking_call(w->s);
        w->calls++;
        if (e != MFCS_OK && e != MFCS_E_BADHANDLE)
            w->bad++;
    }
    return 0;
}

Test(blocking, cancel_from_another_thread_races_free_safely, .timeout = 120)
{
    watchdog w = { NULL, 0, 0, 0 };
    HANDLE t;
    ULONGLONG end;
    int i;
    OK(mfcs_socket_new((mfcs_socket **)&w.s, MFCS_BLOCKING, NULL, NULL));
    t = CreateThread(NULL, 0, watchdog_main, &w, 0, NULL);
    end = GetTickCount64() + 10000;
    while (w.calls == 0 && GetTickCount64() < end)   /* the race needs both running */
        Sleep(1);
    end = GetTickCount64() + 500;
    for (i = 0; i < 20000 || GetTickCount64() < end; i++) {
        mfcs_socket *next, *old = w.s;
        OK(mfcs_socket_new(&next, MFCS_BLOCKING, NULL, NULL));
        w.s = next;
        OK(mfcs_socket_free(old));
    }
    InterlockedExchange(&w.stop, 1);
    cr_assert_eq(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    CloseHandle(t);
    OK(mfcs_socket_free(w.s));
    cr_assert_gt(w.calls, 1000, "the watchdog ran only %ld times", w.calls);
    cr_assert_eq(w.bad, 0, "%ld cancels returned something else than OK or BADHANDLE", w.bad);
}

/* mfcs_term from on_message_pending while an archive waits for its socket:
 * everything is torn down, yet the waiting read returns (with an error)
 * instead of running on freed memory. */
enum { SCRIBBLES = 4096 };
typedef struct term_inside { int seen; void *scribble[SCRIBBLES]; } term_inside;
static int MFCS_CALL on_pending_term(mfcs_socket *s, const MSG *m, void *u)
{
    term_inside *t = u;
    int i;
    (void)s;
    if (m->message != WM_APP + 13)
        return 0;
    t->seen++;
    mfcs_term();    /* the suite's init is the only one: this one tears down */
    /* Whatever mfcs_term freed is taken again and overwritten (the DLL and
     * this program share msvcrt's heap), so a use of it after this returns
     * reads garbage pointers and crashes instead of passing by luck. */
    for (i = 0; i < SCRIBBLES; i++)
        if ((t->scribble[i] = malloc((size_t)16 << (i % 10))) != NULL)
            memset(t->scribble[i], 0xA5, (size_t)16 << (i % 10));
    return 1;
}

Test(blocking, term_from_inside_an_archives_wait_does_not_free_it_under_the_wait)
{
    static const mfcs_socket_callbacks cb = { NULL, NULL, NULL, NULL, NULL, NULL, on_pending_term };
    static term_inside t;
    SOCKET peer;
    mfcs_socket *s = blocking_pair(&cb, &t, &peer);
    mfcs_file *f;
    mfcs_archive *ar;
    uint32_t v;
    mfcs_err err;
    OK(mfcs_file_open_socket(&f, s, 1));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    PostThreadMessageA(GetCurrentThreadId(), WM_APP + 13, 0, 0);
    err = mfcs_archive_read_u32(ar, &v);    /* nothing will come: only the term ends it */
    cr_assert_eq(t.seen, 1);
    cr_assert_neq(err, MFCS_OK, "the read succeeded after mfcs_term");
    ERR(mfcs_archive_close(ar), MFCS_E_BADHANDLE);
    ERR(mfcs_file_close(f), MFCS_E_BADHANDLE);
    ERR(mfcs_socket_free(s), MFCS_E_BADHANDLE);
    OK(mfcs_init());    /* for the suite's own mfcs_term, and Winsock for closesocket */
    closesocket(peer);
    /* and nothing wrote into memory it had freed (which the scribbles reuse) */
    for (int i = 0; i < SCRIBBLES; i++) {
        const unsigned char *p = t.scribble[i];
        size_t n = (size_t)16 << (i % 10), k;
        for (k = 0; p && k < n && p[k] == 0xA5; k++)
            ;
        cr_assert(!p || k == n, "freed memory was written after mfcs_term: block %d, byte %zu is 0x%02X",
                  i, k, p[k]);
        free(t.scribble[i]);
    }
}

/* ---- a socket file receives ahead (socket.h: mfcs__socket_recv_ahead) ---- */

/* Bytes in Winsock's own buffer for s, not counting what the socket holds. */
static unsigned long winsock_bytes(mfcs_socket *s)
{
    SOCKET h;
    u_long n = 0;
    OK(mfcs_socket_handle(s, &h));
    cr_assert_eq(ioctlsocket(h, FIONREAD, &n), 0, "FIONREAD: %d", WSAGetLastError());
    return n;
}

/* Sends len bytes from a thread and waits until all of them have arrived. */
static void arrive(SOCKET peer, mfcs_socket *s, const void *data, int len)
{
    late_send ls = { peer, (const char *)data, len, 0, NULL };
    ULONGLONG end = GetTickCount64() + 5000;
    late_send_start(&ls);
    late_send_join(&ls);
    while (winsock_bytes(s) < (unsigned long)len && GetTickCount64() < end)
        Sleep(10);
    cr_assert_eq(winsock_bytes(s), (unsigned long)len, "only %lu of %d bytes arrived", winsock_bytes(s), len);
}

static uint32_t nth(uint32_t i) { return i * 2654435761u; }

Test(blocking, one_receive_takes_what_has_arrived_past_the_archives_buffer_and_every_reader_gets_it_in_order)
{
    enum { N = 15000 };   /* 60,000 bytes: many archive buffers, less than a receive window */
    static uint32_t out[N];
    SOCKET peer;
    mfcs_socket *s = blocking_pair(NULL, NULL, &peer);
    mfcs_file *f;
    mfcs_archive *ar;
    uint32_t v, next = 0, raw[1000];
    unsigned long avail = 0;
    size_t n = 0;
    int got = 0, i;
    for (i = 0; i < N; i++)
        out[i] = nth((uint32_t)i);
    arrive(peer, s, out, (int)sizeof out);
    OK(mfcs_file_open_socket(&f, s, 1));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 128));
    OK(mfcs_archive_read_u32(ar, &v));
    cr_assert_eq(v, nth(next++));
    /* One receive took it all: Winsock has nothing left, the socket holds
     * what the archive's 128 bytes had no room for, and says so. */
    cr_assert_eq(winsock_bytes(s), 0, "Winsock still has %lu bytes: the archive read only its buffer's worth",
                 winsock_bytes(s));
    OK(mfcs_socket_ioctl(s, FIONREAD, &avail));
    cr_assert_eq(avail, sizeof out - 128, "FIONREAD says %lu", avail);
    for (i = 0; i < 100; i++) {
        OK(mfcs_archive_read_u32(ar, &v));
        cr_assert_eq(v, nth(next), "value %u is %u", next, v);
        next++;
    }
    OK(mfcs_archive_close(ar));        /* what its buffer had left goes in front */
    OK(mfcs_socket_ioctl(s, FIONREAD, &avail));
    cr_assert_eq(avail, sizeof out - 4 * next, "FIONREAD says %lu after the archive closed", avail);
    /* a file read, a raw receive, a new archive: each starts where the last stopped */
    OK(mfcs_file_read(f, raw, 400, &n));
    cr_assert_eq(n, 400, "file read %zu bytes", n);
    for (i = 0; i < 100; i++, next++)
        cr_assert_eq(raw[i], nth(next), "file read: value %u is %u", next, raw[i]);
    OK(mfcs_socket_receive(s, raw, (int)sizeof raw, 0, &got));
    cr_assert_eq(got, (int)sizeof raw, "raw receive got %d bytes", got);
    for (i = 0; i < 1000; i++, next++)
        cr_assert_eq(raw[i], nth(next), "raw receive: value %u is %u", next, raw[i]);
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    while (next < N) {
        OK(mfcs_archive_read_u32(ar, &v));
        cr_assert_eq(v, nth(next), "value %u is %u", next, v);
        next++;
    }
    OK(mfcs_archive_close(ar));
    OK(mfcs_socket_ioctl(s, FIONREAD, &avail));
    cr_assert_eq(avail, 0, "%lu bytes left over", avail);
    OK(mfcs_file_close(f));
    OK(mfcs_socket_free(s));
    closesocket(peer);
}

typedef struct ahead_receiver { mfcs_file *f; int calls, values; mfcs_err err; unsigned long avail; } ahead_receiver;
static void MFCS_CALL read_all_in_first_receive(mfcs_socket *s, int err, void *u)
{
    ahead_receiver *r = u;
    mfcs_archive *ar;
    uint32_t v;
    (void)err;
    r->calls++;
    mfcs_socket_ioctl(s, FIONREAD, &r->avail);
    if (r->calls > 1)
        return;   /* a read here would wait for bytes that are not coming */
    if ((r->err = mfcs_archive_open(&ar, r->f, MFCS_LOAD, 128)) != MFCS_OK)
        return;
    while (r->values < 250 && (r->err = mfcs_archive_read_u32(ar, &v)) == MFCS_OK && v == nth((uint32_t)r->values))
        r->values++;
    mfcs_archive_close(ar);
}

Test(blocking, held_bytes_bring_on_receive_and_a_notice_for_bytes_already_read_brings_nothing)
{
    static const mfcs_socket_callbacks cb = { read_all_in_first_receive, NULL, NULL, NULL, NULL, NULL, NULL };
    static uint32_t out[250];
    ahead_receiver r = { 0 };
    SOCKET peer;
    mfcs_socket *s = blocking_pair(&cb, &r, &peer);
    mfcs_archive *ar;
    uint32_t v;
    unsigned long avail = 0;
    int i;
    for (i = 0; i < 250; i++)
        out[i] = nth((uint32_t)i);
    OK(mfcs_file_open_socket(&r.f, s, 1));
    /* Inside one on_receive, one receive takes all 1,000 bytes and the
     * archive reads them all, most from what the socket held. The notice
     * posted for those held bytes then finds nothing: no second on_receive
     * (whose blocking read would wait forever, KB Q138694). */
    arrive(peer, s, out, (int)sizeof out);
    PUMP_UNTIL(r.calls >= 1, 5000);
    OK(r.err);
    cr_assert_eq(r.values, 250, "read %d values", r.values);
    pump_for(500);
    cr_assert_eq(r.calls, 1, "on_receive ran %d times; the last saw %lu bytes", r.calls, r.avail);
    /* Outside a callback: Winsock's FD_READ for new bytes is delivered (the
     * callback only counts now), then an archive reads one value and stays
     * open. Winsock has nothing left and no news: only the socket's notice
     * for the 872 bytes it holds can bring on_receive. */
    arrive(peer, s, out, (int)sizeof out);
    PUMP_UNTIL(r.calls >= 2, 5000);
    cr_assert_eq(r.avail, sizeof out, "on_receive saw FIONREAD %lu", r.avail);
    OK(mfcs_archive_open(&ar, r.f, MFCS_LOAD, 128));
    OK(mfcs_archive_read_u32(ar, &v));
    cr_assert_eq(v, nth(0));
    cr_assert_eq(winsock_bytes(s), 0);
    PUMP_UNTIL(r.calls >= 3, 5000);
    cr_assert_eq(r.avail, sizeof out - 128, "on_receive saw FIONREAD %lu", r.avail);
    OK(mfcs_archive_abort(ar));
    OK(mfcs_socket_ioctl(s, FIONREAD, &avail));
    cr_assert_eq(avail, sizeof out - 4, "FIONREAD says %lu", avail);
    OK(mfcs_file_close(r.f));
    OK(mfcs_socket_free(s));
    closesocket(peer);
}

Test(blocking, detach_refuses_while_the_socket_holds_bytes_and_they_can_be_received_first)
{
    static char msg[10000], buf[10000];
    SOCKET peer, h;
    mfcs_socket *s = blocking_pair(NULL, NULL, &peer);
    mfcs_file *f;
    mfcs_archive *ar;
    unsigned long avail = 0;
    uint32_t v;
    int got = 0, i;
    for (i = 4; i < (int)sizeof msg; i++)
        msg[i] = (char)(i * 3);
    msg[0] = 5;
    arrive(peer, s, msg, (int)sizeof msg);
    OK(mfcs_file_open_socket(&f, s, 1));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_u32(ar, &v));   /* the 4096-byte buffer, and 5,904 bytes held */
    cr_assert_eq(v, 5);
    OK(mfcs_archive_close(ar));          /* and the buffer's 4,092 in front of them */
    OK(mfcs_file_close(f));
    cr_assert_eq(winsock_bytes(s), 0);
    ERR(mfcs_socket_detach(s, &h), MFCS_E_STATE);
    /* while bytes are held a receive returns only those: one takes them all */
    OK(mfcs_socket_ioctl(s, FIONREAD, &avail));
    cr_assert_eq(avail, sizeof msg - 4, "FIONREAD says %lu", avail);
    OK(mfcs_socket_receive(s, buf, (int)sizeof buf, 0, &got));
    cr_assert_eq(got, (int)sizeof msg - 4, "received %d bytes", got);
    cr_assert_eq(memcmp(buf, msg + 4, (size_t)got), 0);
    OK(mfcs_socket_detach(s, &h));       /* nothing held: the SOCKET goes, whole */
    raw_send_all(peer, "x", 1);
    cr_assert(wait_readable(h, 5000));
    cr_assert_eq(recv(h, buf, 1, 0), 1);
    cr_assert_eq(buf[0], 'x');
    closesocket(h);
    OK(mfcs_socket_free(s));
    closesocket(peer);
}

typedef struct sipper { char got[1024]; int n, calls; } sipper;
static void MFCS_CALL sip_100(mfcs_socket *s, int err, void *u)
{
    sipper *p = u;
    int n = 0;
    (void)err;
    p->calls++;
    if (mfcs_socket_receive(s, p->got + p->n, 100, 0, &n) == MFCS_OK)
        p->n += n;
}

Test(blocking, a_receive_that_leaves_held_bytes_behind_brings_on_receive_again)
{
    static const mfcs_socket_callbacks cb = { sip_100, NULL, NULL, NULL, NULL, NULL, NULL };
    static char out[1000];
    sipper p = { { 0 }, 0, 0 };
    SOCKET peer;
    mfcs_socket *s = blocking_pair(&cb, &p, &peer);
    mfcs_file *f;
    mfcs_archive *ar;
    uint32_t v;
    int i;
    for (i = 0; i < (int)sizeof out; i++)
        out[i] = (char)(i * 7);
    arrive(peer, s, out, (int)sizeof out);
    OK(mfcs_file_open_socket(&f, s, 1));
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 128));
    OK(mfcs_archive_read_u32(ar, &v));
    OK(mfcs_archive_abort(ar));
    OK(mfcs_file_close(f));
    cr_assert_eq(winsock_bytes(s), 0);
    /* 996 bytes are held and nothing more will come: each on_receive takes
     * 100, and the one that leaves some behind must bring the next, as a
     * recv that leaves data in Winsock's buffer brings a new FD_READ. */
    PUMP_UNTIL(p.n == (int)sizeof out - 4, 5000);
    cr_assert_eq(memcmp(p.got, out + 4, sizeof out - 4), 0);
    cr_assert_geq(p.calls, 10, "on_receive ran %d times", p.calls);
    OK(mfcs_socket_free(s));
    closesocket(peer);
}

/* MFC's chat pattern: deserialize in on_receive with the IsBufferEmpty loop,
 * close the socket in on_close. The peer sends 20 messages and closes; one
 * receive takes them all, which leaves Winsock's buffer empty, so Winsock
 * posts FD_CLOSE while the socket still holds 16 of them. */
typedef struct chat_reader { mfcs_file *f; mfcs_socket *s; int messages, at_close, closed; mfcs_err err; } chat_reader;
static void MFCS_CALL chat_receive(mfcs_socket *s, int err, void *u)
{
    chat_reader *c = u;
    mfcs_archive *ar;
    unsigned long avail = 0;
    int empty = 0;
    char msg[1024];
    size_t n;
    (void)err;
    if (mfcs_socket_ioctl(s, FIONREAD, &avail) != MFCS_OK || avail == 0)
        return;
    if ((c->err = mfcs_archive_open(&ar, c->f, MFCS_LOAD, 0)) != MFCS_OK)
        return;
    do {
        if ((c->err = mfcs_archive_read(ar, msg, sizeof msg, &n)) != MFCS_OK)
            break;
        if (msg[0] == (char)c->messages && msg[1023] == (char)c->messages)
            c->messages++;
        mfcs_archive_is_buffer_empty(ar, &empty);
    } while (!empty);
    mfcs_archive_close(ar);
}
static void MFCS_CALL chat_close(mfcs_socket *s, int err, void *u)
{
    chat_reader *c = u;
    (void)err;
    c->at_close = c->messages;
    c->closed = 1;
    mfcs_file_close(c->f);
    mfcs_socket_close(s);
}

Test(blocking, on_close_waits_until_the_bytes_the_socket_holds_are_read)
{
    static const mfcs_socket_callbacks cb = { chat_receive, NULL, NULL, NULL, NULL, chat_close, NULL };
    static char out[20][1024];
    chat_reader c = { 0 };
    SOCKET peer;
    mfcs_socket *s = blocking_pair(&cb, &c, &peer);
    int i;
    for (i = 0; i < 20; i++)
        memset(out[i], i, sizeof out[i]);
    OK(mfcs_file_open_socket(&c.f, s, 1));
    c.s = s;
    arrive(peer, s, out, (int)sizeof out);
    shutdown(peer, SD_SEND);
    PUMP_UNTIL(c.closed, 5000);
    OK(c.err);
    cr_assert_eq(c.at_close, 20, "on_close came after %d of 20 messages", c.at_close);
    OK(mfcs_socket_free(s));
    closesocket(peer);
}

/* Queue: our notice for held bytes, then a Winsock FD_READ for bytes that
 * came later. The notice's on_receive takes the held bytes and, with one
 * receive, the later ones too: the FD_READ behind it then announces
 * nothing and must not bring on_receive (whose blocking read would wait). */
typedef struct late_reader {
    mfcs_file *f;
    SOCKET peer;
    mfcs_socket *s;
    int calls, empty_calls, got;
    mfcs_err err;
} late_reader;
static void MFCS_CALL late_receive(mfcs_socket *s, int err, void *u)
{
    late_reader *r = u;
    unsigned long avail = 0;
    char buf[2048];
    int n = 0;
    (void)err;
    r->calls++;
    mfcs_socket_ioctl(s, FIONREAD, &avail);
    if (avail == 0) {
        r->empty_calls++;
        return;
    }
    if (r->calls == 1) {
        /* Winsock's FD_READ: an archive takes all 1,000 bytes (held: the
         * notice is queued), then 100 more arrive (Winsock's next FD_READ
         * is queued behind the notice). */
        mfcs_archive *ar;
        uint32_t v;
        if ((r->err = mfcs_archive_open(&ar, r->f, MFCS_LOAD, 128)) != MFCS_OK ||
            (r->err = mfcs_archive_read_u32(ar, &v)) != MFCS_OK)
            return;
        r->got += 4;
        mfcs_archive_close(ar);
        raw_send_all(r->peer, buf, 100);
        while (winsock_bytes(s) < 100)
            Sleep(5);
        return;
    }
    /* The notice: the held bytes, then one receive that takes the rest. */
    if ((r->err = mfcs_socket_receive(s, buf, (int)sizeof buf, 0, &n)) != MFCS_OK)
        return;
    r->got += n;
    if ((r->err = mfcs_socket_receive(s, buf, (int)sizeof buf, 0, &n)) != MFCS_OK)
        return;
    r->got += n;
}

Test(blocking, a_winsock_fd_read_behind_a_held_notice_is_checked_not_trusted)
{
    static const mfcs_socket_callbacks cb = { late_receive, NULL, NULL, NULL, NULL, NULL, NULL };
    static char out[1000];
    late_reader r = { 0 };
    mfcs_socket *s = blocking_pair(&cb, &r, &r.peer);
    r.s = s;
    OK(mfcs_file_open_socket(&r.f, s, 1));
    arrive(r.peer, s, out, (int)sizeof out);
    PUMP_UNTIL(r.got == 1100, 5000);
    OK(r.err);
    pump_for(500);
    cr_assert_eq(r.empty_calls, 0, "on_receive ran %d times with nothing to read (%d calls)",
                 r.empty_calls, r.calls);
    cr_assert_eq(r.calls, 2, "on_receive ran %d times", r.calls);
    OK(mfcs_file_close(r.f));
    OK(mfcs_socket_free(s));
    closesocket(r.peer);
}

/* A blocking wait that takes the library's notice for held bytes as its
 * wake-up must not make it vanish: here an urgent-byte receive waits while
 * the socket holds bytes nobody was told about yet. */
typedef struct held_counter { int calls; unsigned long avail; } held_counter;
static void MFCS_CALL count_held(mfcs_socket *s, int err, void *u)
{
    held_counter *h = u;
    (void)err;
    h->calls++;
    mfcs_socket_ioctl(s, FIONREAD, &h->avail);
}
typedef struct oob_send { SOCKET s; HANDLE t; } oob_send;
static DWORD WINAPI oob_send_main(void *p)
{
    oob_send *o = p;
    Sleep(300);
    send(o->s, "!", 1, MSG_OOB);
    return 0;
}

Test(blocking, a_wait_woken_by_the_held_notice_leaves_it_to_announce_the_bytes)
{
    static const mfcs_socket_callbacks cb = { count_held, NULL, NULL, NULL, NULL, NULL, NULL };
    static char out[1000];
    held_counter h = { 0, 0 };
    oob_send o;
    SOCKET peer;
    mfcs_socket *s = blocking_pair(&cb, &h, &peer);
    mfcs_file *f;
    mfcs_archive *ar;
    uint32_t v;
    char byte = 0;
    int n = 0;
    OK(mfcs_file_open_socket(&f, s, 1));
    arrive(peer, s, out, (int)sizeof out);
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 128));
    OK(mfcs_archive_read_u32(ar, &v));      /* one receive takes all; the notice is queued */
    OK(mfcs_archive_abort(ar));
    OK(mfcs_file_close(f));
    o.s = peer;
    o.t = CreateThread(NULL, 0, oob_send_main, &o, 0, NULL);
    OK(mfcs_socket_set_timeout(s, 5000));
    OK(mfcs_socket_receive(s, &byte, 1, MSG_OOB, &n));   /* the notice wakes this wait first */
    cr_assert_eq(WaitForSingleObject(o.t, 5000), WAIT_OBJECT_0);
    CloseHandle(o.t);
    cr_assert_eq(n, 1);
    cr_assert_eq(byte, '!');
    PUMP_UNTIL(h.calls >= 1, 3000);
    cr_assert_eq(h.avail, sizeof out - 4, "on_receive saw FIONREAD %lu", h.avail);
    OK(mfcs_socket_free(s));
    closesocket(peer);
}

/* ---- WM_QUIT during a wait ---- */

/* The thread's GetMessage loop must still end: the quit comes out of the
 * queue with its exit code after the call (MFC's pump lost it: it peeks
 * WM_PAINT with a filter, and a pending WM_QUIT comes back from any
 * filtered peek). */
static void expect_quit(int code)
{
    MSG m;
    cr_assert(PeekMessageA(&m, NULL, 0, 0, PM_REMOVE), "no message at all after the call: WM_QUIT was lost");
    while (m.message != WM_QUIT && PeekMessageA(&m, NULL, 0, 0, PM_REMOVE))
        ;
    cr_assert_eq(m.message, WM_QUIT, "WM_QUIT was lost");
    cr_assert_eq((int)m.wParam, code, "WM_QUIT came back with %d, posted with %d", (int)m.wParam, code);
}

/* A quit already pending ends a wait at once with its own error: the UI
 * is closing, and a long receive must not keep it open. */
Test(blocking, a_pending_wm_quit_ends_the_wait_and_stays_for_the_loop)
{
    SOCKET peer_s;
    mfcs_socket *s = blocking_pair(NULL, NULL, &peer_s);
    char buf[8];
    int n = -1;
    ULONGLONG t0;
    OK(mfcs_socket_set_timeout(s, 300));
    PostQuitMessage(42);
    t0 = GetTickCount64();
    ERR(mfcs_socket_receive(s, buf, sizeof buf, 0, &n), MFCS_E_QUIT);
    cr_assert_lt(GetTickCount64() - t0, 250, "the wait went on for %llu ms", (unsigned long long)(GetTickCount64() - t0));
    cr_assert_eq(n, 0);
    expect_quit(42);
    /* Nothing was consumed: a retry after the quit gets the data. */
    raw_send_all(peer_s, "ab", 2);
    OK(mfcs_socket_receive(s, buf, sizeof buf, 0, &n));
    cr_assert_eq(n, 2);
    closesocket(peer_s);
    OK(mfcs_socket_free(s));
}

typedef struct quit_later {
    DWORD tid;
    int code;
} quit_later;

static DWORD WINAPI post_quit_later(void *arg)
{
    quit_later *q = arg;
    Sleep(200);
    PostThreadMessageA(q->tid, WM_QUIT, (WPARAM)q->code, 0);
    return 0;
}

/* One that arrives during a wait with no deadline ends it too; it is held,
 * not spun on: the wait does not wake over and over for it. */
Test(blocking, a_wm_quit_arriving_during_a_wait_without_deadline_ends_it)
{
    SOCKET peer_s;
    mfcs_socket *s = blocking_pair(NULL, NULL, &peer_s);
    quit_later q = { GetCurrentThreadId(), 7 };
    HANDLE t = CreateThread(NULL, 0, post_quit_later, &q, 0, NULL);
    char buf[8];
    int n;
    ERR(mfcs_socket_receive(s, buf, sizeof buf, 0, &n), MFCS_E_QUIT);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    expect_quit(7);
    closesocket(peer_s);
    OK(mfcs_socket_free(s));
}

/* on_message_pending handles a message by taking it itself, and the UI
 * quits in the same breath. The wait then removes nothing more (the old
 * filtered peek for the handled message took the quit instead and
 * dispatched it into nothing), and the quit ends the wait. */
static int MFCS_CALL take_and_quit(mfcs_socket *s, const MSG *m, void *user)
{
    MSG mine;
    (void)s;
    if (m->message != WM_USER + 5)
        return 0;
    PeekMessageA(&mine, NULL, WM_USER + 5, WM_USER + 5, PM_REMOVE);
    (*(int *)user)++;
    PostQuitMessage(5);
    return 1;
}

Test(blocking, a_wm_quit_posted_by_on_message_pending_survives_the_handled_message)
{
    SOCKET peer_s;
    int handled = 0;
    mfcs_socket_callbacks cb = { 0 };
    mfcs_socket *s;
    char buf[8];
    int n;
    MSG m;
    cb.on_message_pending = take_and_quit;
    s = blocking_pair(&cb, &handled, &peer_s);
    OK(mfcs_socket_set_timeout(s, 2000));
    PostThreadMessageA(GetCurrentThreadId(), WM_USER + 5, 0, 0);
    PostThreadMessageA(GetCurrentThreadId(), WM_USER + 6, 0, 0);
    ERR(mfcs_socket_receive(s, buf, sizeof buf, 0, &n), MFCS_E_QUIT);
    cr_assert_eq(handled, 1, "on_message_pending handled %d messages", handled);
    cr_assert(PeekMessageA(&m, NULL, WM_USER + 6, WM_USER + 6, PM_REMOVE), "a message behind was lost");
    expect_quit(5);
    closesocket(peer_s);
    OK(mfcs_socket_free(s));
}

/* Without the callback, input is declined and stays queued (MFC's default
 * OnMessagePending); a quit behind it still ends the wait, and both are
 * there for the loop afterwards. */
Test(blocking, a_wm_quit_behind_declined_input_ends_the_wait)
{
    SOCKET peer_s;
    mfcs_socket *s = blocking_pair(NULL, NULL, &peer_s);
    char buf[8];
    int n;
    MSG m;
    ULONGLONG t0;
    OK(mfcs_socket_set_timeout(s, 2000));
    PostThreadMessageA(GetCurrentThreadId(), WM_USER + 9, 0, 0);
    PostQuitMessage(3);
    t0 = GetTickCount64();
    ERR(mfcs_socket_receive(s, buf, sizeof buf, 0, &n), MFCS_E_QUIT);
    cr_assert_lt(GetTickCount64() - t0, 1500);
    cr_assert(PeekMessageA(&m, NULL, WM_USER + 9, WM_USER + 9, PM_REMOVE), "the declined message is gone");
    expect_quit(3);
    closesocket(peer_s);
    OK(mfcs_socket_free(s));
}

/* A blocking call inside a callback: the quit waits for the callback too,
 * so the loop that dispatched it is the one that sees it. */
static void MFCS_CALL receive_inside_on_receive(mfcs_socket *s, int err, void *user)
{
    char buf[8];
    int n;
    mfcs_socket *other = (mfcs_socket *)user;
    (void)s;
    (void)err;
    PostQuitMessage(11);
    if (mfcs_socket_receive(other, buf, sizeof buf, 0, &n) == MFCS_E_QUIT) {
        MSG m;
        /* still held: the callback has not returned */
        if (!PeekMessageA(&m, NULL, WM_QUIT, WM_QUIT, PM_NOREMOVE))
            mfcs_socket_set_timeout(other, 4321);   /* a mark the test reads back */
    }
}

Test(blocking, a_wm_quit_met_inside_a_callback_is_posted_when_the_callback_returns)
{
    SOCKET peer_a, peer_b;
    mfcs_socket *b = blocking_pair(NULL, NULL, &peer_b);
    mfcs_socket_callbacks cb = { 0 };
    mfcs_socket *a;
    int in_call = 1;
    cb.on_receive = receive_inside_on_receive;
    a = blocking_pair(&cb, b, &peer_a);
    raw_send_all(peer_a, "x", 1);
    pump_for(300);   /* on_receive runs, its receive on b ends with the quit */
    OK(mfcs_socket_is_blocking(b, &in_call));
    cr_assert_eq(in_call, 0);
    expect_quit(11);
    closesocket(peer_a);
    closesocket(peer_b);
    OK(mfcs_socket_free(a));
    OK(mfcs_socket_free(b));
}

/* ---- a socket file whose thread is gone ---- */

typedef struct leaver {
    mfcs_file *f;
    mfcs_archive *in, *out;
    SOCKET peer;
    int free_socket;   /* free it before leaving, or leave it to thread exit */
    mfcs_err err;
} leaver;

static DWORD WINAPI open_and_leave(void *arg)
{
    leaver *lv = arg;
    mfcs_socket *s = blocking_pair(NULL, NULL, &lv->peer);
    if ((lv->err = mfcs_file_open_socket(&lv->f, s, 1)) != MFCS_OK ||
        (lv->err = mfcs_archive_open(&lv->in, lv->f, MFCS_LOAD, 0)) != MFCS_OK ||
        (lv->err = mfcs_archive_open(&lv->out, lv->f, MFCS_STORE, 0)) != MFCS_OK ||
        (lv->err = mfcs_archive_write_u32(lv->out, 7)) != MFCS_OK)
        return 1;
    if (lv->free_socket)
        lv->err = mfcs_socket_free(s);
    return 0;   /* a thread ending frees the sockets it still owns */
}

/* The thread that opened a socket file ended (its socket freed by it or
 * by its exit): the file and its archives belong to no thread any more,
 * and any thread may close them. Every other call still gets
 * MFCS_E_STATE. They could be closed by nobody and leaked until
 * mfcs_term. */
static void closable_after_its_thread(int free_socket)
{
    leaver lv;
    HANDLE t;
    memset(&lv, 0, sizeof lv);
    lv.free_socket = free_socket;
    t = CreateThread(NULL, 0, open_and_leave, &lv, 0, NULL);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    cr_assert_eq(lv.err, MFCS_OK, "the thread failed: 0x%08X", (unsigned)lv.err);
    ERR(mfcs_file_read(lv.f, NULL, 1, NULL), MFCS_E_WRONGTHREAD);
    ERR(mfcs_archive_read_u8(lv.in, NULL), MFCS_E_WRONGTHREAD);
    ERR(mfcs_file_close(lv.f), MFCS_E_STATE);          /* archives still open on it */
    OK(mfcs_archive_close(lv.in));
    ERR(mfcs_archive_close(lv.out), MFCS_E_STATE);     /* its 4 bytes never went: said, not dropped */
    OK(mfcs_file_close(lv.f));
    ERR(mfcs_file_close(lv.f), MFCS_E_BADHANDLE);
    closesocket(lv.peer);
}

Test(blocking, a_socket_file_whose_thread_ended_is_closed_from_another)
{
    closable_after_its_thread(0);
}

Test(blocking, a_socket_file_whose_socket_its_thread_freed_is_closed_from_another)
{
    closable_after_its_thread(1);
}

/* ---- the peer left between messages, or cut one ---- */

/* A server reads message after message: a peer that closes after a whole
 * message has left (MFCS_E_END); one that closes inside a value cut it
 * (MFCS_E_EOF). MFC throws endOfFile for both. */
Test(blocking, a_peer_leaving_between_messages_is_not_a_cut_message)
{
    SOCKET peer;
    mfcs_socket *s = blocking_pair(NULL, NULL, &peer);
    mfcs_file *f;
    mfcs_archive *ar;
    uint32_t v;
    char *str = NULL;
    OK(mfcs_socket_set_timeout(s, 5000));
    OK(mfcs_file_open_socket(&f, s, 1));
    raw_send_all(peer, "\x01\x00\x00\x00\x02hi", 7);
    shutdown(peer, SD_SEND);
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_u32(ar, &v));
    OK(mfcs_archive_read_string_a(ar, &str, NULL));
    cr_assert_str_eq(str, "hi");
    mfcs_free(str);
    ERR(mfcs_archive_read_u32(ar, &v), MFCS_E_END);
    ERR(mfcs_archive_close(ar), MFCS_E_END);
    OK(mfcs_file_close(f));
    closesocket(peer);
    OK(mfcs_socket_free(s));

    s = blocking_pair(NULL, NULL, &peer);
    OK(mfcs_socket_set_timeout(s, 5000));
    OK(mfcs_file_open_socket(&f, s, 1));
    raw_send_all(peer, "\x01\x00\x00\x00\x05he", 7);   /* a 5-character string, 2 sent */
    shutdown(peer, SD_SEND);
    OK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    OK(mfcs_archive_read_u32(ar, &v));
    ERR(mfcs_archive_read_string_a(ar, &str, NULL), MFCS_E_EOF);
    ERR(mfcs_archive_close(ar), MFCS_E_EOF);
    OK(mfcs_file_close(f));
    closesocket(peer);
    OK(mfcs_socket_free(s));
}
