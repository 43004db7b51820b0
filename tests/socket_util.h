/* Helpers shared by the socket tests: init per test, pumping until a
 * condition holds, loopback listeners and raw Winsock peers. */
#ifndef SOCKET_UTIL_H
#define SOCKET_UTIL_H

#include <mfcsock.h>

#include <criterion/criterion.h>

#include <ws2tcpip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OK(call) do { mfcs_err e_ = (call); \
    cr_assert_eq(e_, MFCS_OK, "%s -> %d (0x%08X) %s", #call, e_, (unsigned)e_, mfcs_strerror(e_)); } while (0)
#define ERR(call, want) do { mfcs_err e_ = (call); \
    cr_assert_eq(e_, (want), "%s -> %d (0x%08X) %s, want %d", #call, e_, (unsigned)e_, \
                 mfcs_strerror(e_), (int)(want)); } while (0)

static void init_lib(void) { cr_assert_eq(mfcs_init(), MFCS_OK); }
static void term_lib(void) { mfcs_term(); }

/* Pumps this thread's messages until *flag is nonzero or ms pass. */
static inline int pump_until(volatile int *flag, unsigned ms)
{
    ULONGLONG end = GetTickCount64() + ms;
    while (!*flag && GetTickCount64() < end)
        mfcs_pump(50, NULL);
    return *flag;
}
#define PUMP_UNTIL(cond, ms) do { ULONGLONG end_ = GetTickCount64() + (ms); \
    while (!(cond) && GetTickCount64() < end_) mfcs_pump(50, NULL); \
    cr_assert(cond, "timed out waiting for %s", #cond); } while (0)

/* A listening socket on 127.0.0.1, any port. */
static inline mfcs_socket *listener(int mode, const mfcs_socket_callbacks *cb, void *user, unsigned *port)
{
    mfcs_socket *l;
    OK(mfcs_socket_new(&l, mode, cb, user));
    OK(mfcs_socket_create(l, 0, MFCS_STREAM, MFCS_ALL_EVENTS, "127.0.0.1"));
    OK(mfcs_socket_listen(l, SOMAXCONN));
    OK(mfcs_socket_sock_name(l, NULL, 0, port));
    return l;
}

/* Raw Winsock: a blocking client connected to 127.0.0.1:port. */
static inline SOCKET raw_connect(unsigned port)
{
    struct sockaddr_in a;
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((u_short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
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

/* A port with nobody listening: bound, then closed. */
static inline unsigned dead_port(void)
{
    struct sockaddr_in a;
    int len = sizeof a;
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(s, (struct sockaddr *)&a, sizeof a);
    getsockname(s, (struct sockaddr *)&a, &len);
    closesocket(s);
    return ntohs(a.sin_port);
}

#endif
