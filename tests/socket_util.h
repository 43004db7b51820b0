/* Helpers shared by the socket tests: init per test, pumping until a
 * condition holds, loopback listeners and raw Winsock peers. */
#ifndef SOCKET_UTIL_H
#define SOCKET_UTIL_H

#include <mfcsock.h>

#include <criterion/criterion.h>

#include <ws2tcpip.h>
#include <stdio.h>

#include "message_window.h"
#include <stdlib.h>
#include <string.h>

#define OK(call) do { mfcs_err e_ = (call); \
    cr_assert_eq(e_, MFCS_OK, "%s -> %d (0x%08X) %s", #call, e_, (unsigned)e_, mfcs_strerror(e_)); } while (0)
#define ERR(call, want) do { mfcs_err e_ = (call); \
    cr_assert_eq(e_, (want), "%s -> %d (0x%08X) %s, want %d", #call, e_, (unsigned)e_, \
                 mfcs_strerror(e_), (int)(want)); } while (0)

static inline void init_lib(void) { cr_assert_eq(mfcs_init(), MFCS_OK); }
static inline void term_lib(void) { mfcs_term(); }

/* Pumps this thread's messages until *flag is nonzero or ms pass. */
static inline int pump_until(volatile int *flag, unsigned ms)
{
    ULONGLONG end = GetTickCount64() + ms;
    while (!*flag && GetTickCount64() < end)
        mfcs_pump(50, NULL);
    return *flag;
}
/* Pumps for ms whatever comes (mfcs_pump returns after its first batch). */
static inline void pump_for(unsigned ms)
{
    ULONGLONG end = GetTickCount64() + ms;
    while (GetTickCount64() < end)
        mfcs_pump(20, NULL);
}
#define PUMP_UNTIL(cond, ms) do { ULONGLONG end_ = GetTickCount64() + (ms); \
    while (!(cond) && GetTickCount64() < end_) mfcs_pump(50, NULL); \
    cr_assert(cond, "timed out waiting for %s", #cond); } while (0)

/* A listening socket on 127.0.0.1, any port, selecting events. */
static inline mfcs_socket *listener_ev(int mode, long events, const mfcs_socket_callbacks *cb, void *user,
                                       unsigned *port)
{
    mfcs_socket *l;
    OK(mfcs_socket_new(&l, mode, cb, user));
    OK(mfcs_socket_create(l, 0, MFCS_STREAM, events, "127.0.0.1"));
    OK(mfcs_socket_listen(l, SOMAXCONN));
    OK(mfcs_socket_sock_name(l, NULL, 0, port));
    return l;
}
static inline mfcs_socket *listener(int mode, const mfcs_socket_callbacks *cb, void *user, unsigned *port)
{
    return listener_ev(mode, MFCS_ALL_EVENTS, cb, user, port);
}

/* 127.0.0.1:port. */
static inline struct sockaddr_in loopback(unsigned port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((u_short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* Raw Winsock: a socket of type (SOCK_STREAM, SOCK_DGRAM) bound to
 * 127.0.0.1 on a free port, which *port gets. */
static inline SOCKET raw_bound(int type, unsigned *port)
{
    struct sockaddr_in a = loopback(0);
    int len = sizeof a;
    SOCKET s = socket(AF_INET, type, type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP);
    cr_assert_neq(s, INVALID_SOCKET, "socket: %d", WSAGetLastError());
    cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0, "bind: %d", WSAGetLastError());
    cr_assert_eq(getsockname(s, (struct sockaddr *)&a, &len), 0, "getsockname: %d", WSAGetLastError());
    *port = ntohs(a.sin_port);
    return s;
}

/* Raw Winsock: a blocking client connected to 127.0.0.1:port. */
static inline SOCKET raw_connect(unsigned port)
{
    struct sockaddr_in a = loopback(port);
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    cr_assert_neq(s, INVALID_SOCKET);
    cr_assert_eq(connect(s, (struct sockaddr *)&a, sizeof a), 0, "raw connect: %d", WSAGetLastError());
    return s;
}

static inline void raw_send_all(SOCKET s, const void *buf, int len)
{
    int done = 0;
    while (done < len) {
        int n = send(s, (const char *)buf + done, len - done, 0);
        cr_assert_gt(n, 0, "raw send: %d", WSAGetLastError());
        done += n;
    }
}

/* Waits up to ms for h to be readable (data or a FIN), consuming nothing. */
static inline int wait_readable(SOCKET h, unsigned ms)
{
    fd_set set;
    struct timeval tv;
    tv.tv_sec = (long)(ms / 1000);
    tv.tv_usec = (long)(ms % 1000) * 1000;
    FD_ZERO(&set);
    FD_SET(h, &set);
    return select(0, &set, NULL, NULL, &tv) == 1;
}

/* A port where a connect is refused. The socket stays bound, never
 * listening, until the process ends: a port that was bound and freed could
 * be taken by a test running in parallel, and then the connect succeeds. */
static inline unsigned dead_port(void)
{
    unsigned port;
    raw_bound(SOCK_STREAM, &port);
    return port;
}

/* A connected pair: a blocking mfcsock socket (with cb and user) accepted
 * from a raw Winsock client, *peer. */
static inline mfcs_socket *blocking_pair(const mfcs_socket_callbacks *cb, void *user, SOCKET *peer)
{
    mfcs_socket *l, *a;
    unsigned port;
    l = listener(MFCS_BLOCKING, NULL, NULL, &port);
    *peer = raw_connect(port);
    OK(mfcs_socket_new(&a, MFCS_BLOCKING, cb, user));
    OK(mfcs_socket_accept(l, a, NULL, 0, NULL));
    OK(mfcs_socket_free(l));
    return a;
}

/* Raw WSAAsyncSelect, for comparing mfcsock with what Winsock itself
 * reports in the same situation: a message-only window that counts each
 * event of the sockets selected on it and keeps its last error. mfcs_pump
 * dispatches to it like any other window of the thread. */
#define RAW_NOTICE_MSG (WM_APP + 1)
typedef struct raw_notices {
    int count[FD_MAX_EVENTS];
    int err[FD_MAX_EVENTS];
} raw_notices;

static LRESULT CALLBACK raw_notice_proc(HWND h, UINT msg, WPARAM wp, LPARAM lp)
{
    if (msg == RAW_NOTICE_MSG) {
        raw_notices *r = (raw_notices *)GetWindowLongPtrA(h, GWLP_USERDATA);
        int i;
        (void)wp;
        for (i = 0; r && i < FD_MAX_EVENTS; i++)
            if (WSAGETSELECTEVENT(lp) & (1L << i)) {
                r->count[i]++;
                r->err[i] = WSAGETSELECTERROR(lp);
            }
        return 0;
    }
    return DefWindowProcA(h, msg, wp, lp);
}

static inline HWND raw_notice_window(raw_notices *r)
{
    HWND h = message_window("mfcsock_test_raw_notices", raw_notice_proc);
    cr_assert_not_null(h, "CreateWindowEx: %lu", GetLastError());
    SetWindowLongPtrA(h, GWLP_USERDATA, (LONG_PTR)r);
    return h;
}

#endif
