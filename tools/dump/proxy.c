/*
 * proxy.c: --proxy (proxy.h). Each connection gets four threads: two
 * forward the bytes, unchanged, between client and server, and copy them
 * into a loopback "tap" each; two decode, each with an archive on a
 * socket file over its tap, exactly as an MFC peer reads that direction:
 * one archive for the connection, so objects and classes stay numbered
 * from message to message. A decoder that meets bytes its layout does not
 * fit says so and then just drains its tap, so the bytes go on; forwarding
 * waits for decoding only when the proxy's output is not read.
 */
#include "proxy.h"

#ifndef _WIN32

int dump_proxy(layout *L, const char *port, const char *to, FILE *out)
{
    (void)L; (void)port; (void)to; (void)out;
    fprintf(stderr, "mfcsock-dump: --proxy needs Windows (Winsock); this build has the codec only\n");
    return 2;
}

int dump_proxy_serve(layout *L, uintptr_t listener, const char *host, unsigned short port, FILE *out,
                     int connections)
{
    (void)L; (void)listener; (void)host; (void)port; (void)out; (void)connections;
    fprintf(stderr, "mfcsock-dump: --proxy needs Windows (Winsock)\n");
    return 2;
}

#else

#include "codec.h"

#include <stdlib.h>
#include <string.h>

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

typedef struct proxy {
    layout *L;
    FILE *out;
    const char *host;
    unsigned short port;
    SRWLOCK print_lock;
    volatile LONG live;       /* connections not finished */
    HANDLE done;              /* set when live drops to 0 */
} proxy;

typedef struct direction {
    struct conn *c;
    const char *name;         /* "client->server" ... */
    SOCKET from, to;          /* forwarded */
    SOCKET tap_w, tap_r;      /* the copy, and where the decoder reads it */
} direction;

typedef struct conn {
    proxy *p;
    int id;
    SOCKET client, server;
    direction dir[2];
    volatile LONG threads;    /* running; the last one frees the connection */
} conn;

static void say(proxy *p, int id, const char *dir, const char *fmt, const char *text)
{
    SYSTEMTIME t;
    GetLocalTime(&t);
    AcquireSRWLockExclusive(&p->print_lock);
    fprintf(p->out, "%02u:%02u:%02u.%03u conn %d %s ", t.wHour, t.wMinute, t.wSecond, t.wMilliseconds, id, dir);
    fprintf(p->out, fmt, text);
    fputc('\n', p->out);
    fflush(p->out);
    ReleaseSRWLockExclusive(&p->print_lock);
}

static int send_all(SOCKET s, const char *b, int n)
{
    while (n > 0) {
        int k = send(s, b, n, 0);
        if (k <= 0)
            return 0;
        b += k;
        n -= k;
    }
    return 1;
}

/* A connected pair of loopback sockets: w to write, r to read. */
static int tap_pair(SOCKET *w, SOCKET *r)
{
    struct sockaddr_in a;
    int alen = sizeof a;
    SOCKET l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    *w = *r = INVALID_SOCKET;
    if (l == INVALID_SOCKET)
        return 0;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1) || getsockname(l, (struct sockaddr *)&a, &alen) ||
        (*w = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) == INVALID_SOCKET ||
        connect(*w, (struct sockaddr *)&a, sizeof a) || (*r = accept(l, NULL, NULL)) == INVALID_SOCKET) {
        if (*w != INVALID_SOCKET)
            closesocket(*w);
        closesocket(l);
        *w = INVALID_SOCKET;
        return 0;
    }
    closesocket(l);
    {
        /* Room for bursts while a decoder prints: forwarding waits on a
         * full tap (the proxy goes at the pace its output is read). */
        int big = 1 << 20;
        setsockopt(*w, SOL_SOCKET, SO_SNDBUF, (const char *)&big, sizeof big);
        setsockopt(*r, SOL_SOCKET, SO_RCVBUF, (const char *)&big, sizeof big);
    }
    return 1;
}

static void conn_release(conn *c)
{
    if (InterlockedDecrement(&c->threads) == 0) {
        proxy *p = c->p;
        closesocket(c->client);
        closesocket(c->server);
        free(c);
        if (InterlockedDecrement(&p->live) == 0)
            SetEvent(p->done);
    }
}

static DWORD WINAPI forward(void *arg)
{
    direction *d = (direction *)arg;
    char buf[65536];
    int n, tapping = 1;
    while ((n = recv(d->from, buf, sizeof buf, 0)) > 0) {
        if (!send_all(d->to, buf, n))
            break;
        if (tapping && !send_all(d->tap_w, buf, n))
            tapping = 0;   /* the decoder is gone: the bytes still go through */
    }
    shutdown(d->to, SD_SEND);
    shutdown(d->tap_w, SD_SEND);   /* the decoder meets the end after the last message */
    closesocket(d->tap_w);
    conn_release(d->c);
    return 0;
}

static DWORD WINAPI decode(void *arg)
{
    direction *d = (direction *)arg;
    proxy *p = d->c->p;
    mfcs_socket *s = NULL;
    mfcs_file *f = NULL;
    mfcs_archive *ar = NULL;
    dump_session *sess = NULL;
    const layout *L = p->L;
    int to_server = d == &d->c->dir[0];
    /* request (client to server) and reply, or message both ways, or
     * document; a direction the layout says nothing of is not decoded */
    const lnode *fields = to_server && L->has_request ? L->request
                          : !to_server && L->has_reply ? L->reply
                          : L->has_message ? L->message
                          : L->has_document ? L->document : NULL;
    unsigned n = 0;
    char msg[1024];
    mfcs_err err;
    /* s owns the tap once attached; until then (or if that fails) the tap
       is closed below, and the forwarder stops copying into it. */
    if ((err = mfcs_socket_new(&s, MFCS_BLOCKING, NULL, NULL)) == MFCS_OK &&
        (err = mfcs_socket_attach(s, d->tap_r, MFCS_ALL_EVENTS)) != MFCS_OK) {
        mfcs_socket_free(s);
        s = NULL;
    }
    if (!fields) {
        /* nothing to decode: the tap is drained below */
    } else if (!s || (err = mfcs_file_open_socket(&f, s, 1)) != MFCS_OK ||
               (err = mfcs_archive_open(&ar, f, MFCS_LOAD, 0)) != MFCS_OK || !(sess = dump_session_new(p->L, ar))) {
        say(p, d->c->id, d->name, "cannot decode: %s", err ? mfcs_strerror(err) : "out of memory");
    } else {
        for (;;) {
            cJSON *m = dump_session_read(sess, fields, &err, msg, sizeof msg);
            char *json;
            if (!m) {
                if (err != MFCS_E_END)
                    say(p, d->c->id, d->name, "stops decoding: %s", msg);
                break;
            }
            json = cJSON_PrintUnformatted(m);
            n++;
            {
                char head[32];
                snprintf(head, sizeof head, "#%u %%s", n);
                say(p, d->c->id, d->name, head, json ? json : "?");
            }
            free(json);
            cJSON_Delete(m);
        }
    }
    dump_session_free(sess);
    if (ar)
        mfcs_archive_abort(ar);
    if (f)
        mfcs_file_close(f);
    /* What the layout did not fit still arrives: drain it, so the
     * forwarding never waits on a full tap. */
    if (s) {
        char buf[4096];
        int got = 0;
        while (mfcs_socket_receive(s, buf, sizeof buf, 0, &got) == MFCS_OK && got > 0)
            ;
        mfcs_socket_free(s);
    } else {
        closesocket(d->tap_r);
    }
    mfcs_thread_term();
    conn_release(d->c);
    return 0;
}

static SOCKET connect_to(const char *host, unsigned short port)
{
    struct addrinfo hints, *res = NULL, *r;
    char ps[8];
    SOCKET s = INVALID_SOCKET;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(ps, sizeof ps, "%u", port);
    if (getaddrinfo(host, ps, &hints, &res) != 0)
        return INVALID_SOCKET;
    for (r = res; r && s == INVALID_SOCKET; r = r->ai_next) {
        s = socket(r->ai_family, r->ai_socktype, r->ai_protocol);
        if (s != INVALID_SOCKET && connect(s, r->ai_addr, (int)r->ai_addrlen) != 0) {
            closesocket(s);
            s = INVALID_SOCKET;
        }
    }
    freeaddrinfo(res);
    return s;
}

static int start_conn(proxy *p, SOCKET client, int id)
{
    conn *c = (conn *)calloc(1, sizeof *c);
    int i;
    if (!c) {
        closesocket(client);
        return 0;
    }
    c->p = p;
    c->id = id;
    c->client = client;
    if ((c->server = connect_to(p->host, p->port)) == INVALID_SOCKET) {
        say(p, id, "proxy", "cannot reach the server: %s", "connect failed");
        closesocket(client);
        free(c);
        return 0;
    }
    c->dir[0].name = "client->server";
    c->dir[0].from = client;
    c->dir[0].to = c->server;
    c->dir[1].name = "server->client";
    c->dir[1].from = c->server;
    c->dir[1].to = client;
    for (i = 0; i < 2; i++) {
        c->dir[i].c = c;
        if (!tap_pair(&c->dir[i].tap_w, &c->dir[i].tap_r)) {
            say(p, id, "proxy", "cannot make a tap: %s", "socket failed");
            if (i == 1) {
                closesocket(c->dir[0].tap_w);
                closesocket(c->dir[0].tap_r);
            }
            closesocket(client);
            closesocket(c->server);
            free(c);
            return 0;
        }
    }
    say(p, id, "proxy", "%s", "connected");
    InterlockedIncrement(&p->live);
    c->threads = 4;
    for (i = 0; i < 2; i++) {
        HANDLE t1 = CreateThread(NULL, 0, forward, &c->dir[i], 0, NULL);
        HANDLE t2 = CreateThread(NULL, 0, decode, &c->dir[i], 0, NULL);
        if (t1)
            CloseHandle(t1);
        else
            conn_release(c);
        if (t2)
            CloseHandle(t2);
        else
            conn_release(c);
    }
    return 1;
}

int dump_proxy_serve(layout *L, uintptr_t listener, const char *host, unsigned short port, FILE *out,
                     int connections)
{
    proxy p;
    char err[256];
    int served = 0;
    memset(&p, 0, sizeof p);
    p.L = L;
    p.out = out;
    p.host = host;
    p.port = port;
    InitializeSRWLock(&p.print_lock);
    p.live = 1;   /* the accept loop's own, so done waits for it */
    if (!(p.done = CreateEventA(NULL, TRUE, FALSE, NULL)))
        return 2;
    if (!dump_register(L, err, sizeof err)) {
        fprintf(stderr, "mfcsock-dump: %s\n", err);
        CloseHandle(p.done);
        return 2;
    }
    while (connections == 0 || served < connections) {
        SOCKET c = accept((SOCKET)listener, NULL, NULL);
        if (c == INVALID_SOCKET)
            break;
        served++;
        start_conn(&p, c, served);
    }
    if (InterlockedDecrement(&p.live) != 0)
        WaitForSingleObject(p.done, INFINITE);
    CloseHandle(p.done);
    dump_unregister(L);
    return 0;
}

int dump_proxy(layout *L, const char *port, const char *to, FILE *out)
{
    const char *colon = strrchr(to, ':');
    char host[256];
    unsigned long lp = strtoul(port, NULL, 10), tp = colon ? strtoul(colon + 1, NULL, 10) : 0;
    struct sockaddr_in a;
    SOCKET l;
    int status;
    if (!colon || (size_t)(colon - to) >= sizeof host || lp == 0 || lp > 65535 || tp == 0 || tp > 65535) {
        fprintf(stderr, "mfcsock-dump: --proxy PORT HOST:PORT\n");
        return 2;
    }
    memcpy(host, to, (size_t)(colon - to));
    host[colon - to] = '\0';
    l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)lp);
    if (l == INVALID_SOCKET || bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, SOMAXCONN)) {
        fprintf(stderr, "mfcsock-dump: cannot listen on port %lu (%d)\n", lp, WSAGetLastError());
        if (l != INVALID_SOCKET)
            closesocket(l);
        return 2;
    }
    fprintf(out, "mfcsock-dump: listening on port %lu, forwarding to %s:%lu\n", lp, host, tp);
    fflush(out);
    status = dump_proxy_serve(L, (uintptr_t)l, host, (unsigned short)tp, out, 0);
    closesocket(l);
    return status;
}

#endif
