/* bench_async: mfcsock's async callbacks against the same loops written on
 * raw WSAAsyncSelect, measured in the same run, on one thread.
 *   ping-pong: 8-byte echo round trips           target >= 0.9 x raw rate
 *   fan-in: C connections x M echoed messages     target <= 1.2 x raw time
 * Usage: bench_async [round_trips] [connections] [messages] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mfcsock.h>

#include "bench_util.h"
#include <ws2tcpip.h>



static int conns, msgs;        /* fan-in shape */
static long remaining;         /* messages still to echo back to clients */

/* ---------------- mfcsock ---------------- */

typedef struct conn { mfcs_socket *s; int left; int is_client; } conn;

static void MFCS_CALL m_receive(mfcs_socket *s, int err, void *u)
{
    conn *c = (conn *)u;
    char buf[64];
    int n = 0;
    (void)err;
    if (mfcs_socket_receive(s, buf, sizeof buf, 0, &n) != MFCS_OK || n <= 0)
        return;
    if (!c->is_client) {
        mfcs_socket_send(s, buf, n, 0, NULL);       /* echo */
    } else if (--c->left > 0) {
        remaining--;
        mfcs_socket_send(s, buf, n, 0, NULL);       /* next round */
    } else {
        remaining--;
    }
}

static const mfcs_socket_callbacks m_cb = { m_receive, NULL, NULL, NULL, NULL, NULL, NULL };

static double run_mfcs(int nconn, int nmsg)
{
    mfcs_socket *l;
    conn *cli = calloc((size_t)nconn, sizeof *cli), *srv = calloc((size_t)nconn, sizeof *srv);
    unsigned port;
    int i, accepted = 0;
    double t;
    CHECK(mfcs_socket_new(&l, MFCS_ASYNC, NULL, NULL));
    CHECK(mfcs_socket_create(l, 0, MFCS_STREAM, 0, "127.0.0.1"));
    CHECK(mfcs_socket_listen(l, SOMAXCONN));
    CHECK(mfcs_socket_sock_name(l, NULL, 0, &port));
    for (i = 0; i < nconn; i++) {
        cli[i].is_client = 1;
        cli[i].left = nmsg;
        CHECK(mfcs_socket_new(&cli[i].s, MFCS_ASYNC, &m_cb, &cli[i]));
        CHECK(mfcs_socket_create(cli[i].s, 0, MFCS_STREAM, FD_READ, NULL));
        CHECK_ALSO(mfcs_socket_connect(cli[i].s, "127.0.0.1", port), WSAEWOULDBLOCK);
        for (;;) {
            mfcs_err e;
            CHECK(mfcs_socket_new(&srv[accepted].s, MFCS_ASYNC, &m_cb, &srv[accepted]));
            e = mfcs_socket_accept(l, srv[accepted].s, NULL, 0, NULL);
            if (e == MFCS_OK) {
                mfcs_socket_async_select(srv[accepted].s, FD_READ);
                accepted++;
                break;
            }
            mfcs_socket_free(srv[accepted].s);
            mfcs_pump(1, NULL);
        }
    }
    mfcs_pump(0, NULL);
    remaining = (long)nconn * nmsg;
    t = now_s();
    for (i = 0; i < nconn; i++)
        CHECK(mfcs_socket_send(cli[i].s, "ping1234", 8, 0, NULL));
    while (remaining > 0) {
        MSG m;
        if (GetMessageA(&m, NULL, 0, 0) <= 0)
            break;
        DispatchMessageA(&m);
    }
    t = now_s() - t;
    for (i = 0; i < nconn; i++) {
        mfcs_socket_free(cli[i].s);
        mfcs_socket_free(srv[i].s);
    }
    mfcs_socket_free(l);
    free(cli);
    free(srv);
    return t;
}

/* ---------------- raw WSAAsyncSelect ---------------- */

#define WM_RAW (WM_APP + 1)
typedef struct rconn { SOCKET s; int left; int is_client; } rconn;
static rconn *rtab;          /* indexed by slot, found by a linear map below */
static int rn;

static rconn *find_raw(SOCKET s)
{
    /* The raw loop needs a SOCKET -> state map too: a linear scan, a few
     * microseconds against the tens a socket call costs under Wine. */
    int i;
    for (i = 0; i < rn; i++)
        if (rtab[i].s == s)
            return &rtab[i];
    return NULL;
}

static LRESULT CALLBACK raw_proc(HWND h, UINT m, WPARAM wp, LPARAM lp)
{
    if (m == WM_RAW && WSAGETSELECTEVENT(lp) == FD_READ) {
        rconn *c = find_raw((SOCKET)wp);
        char buf[64];
        int n;
        if (!c)
            return 0;
        n = recv(c->s, buf, sizeof buf, 0);
        if (n <= 0)
            return 0;
        if (!c->is_client) {
            send(c->s, buf, n, 0);
        } else if (--c->left > 0) {
            remaining--;
            send(c->s, buf, n, 0);
        } else {
            remaining--;
        }
        return 0;
    }
    return DefWindowProcA(h, m, wp, lp);
}

static double run_raw(int nconn, int nmsg)
{
    WNDCLASSA wc;
    HWND hwnd;
    SOCKET l;
    struct sockaddr_in a;
    int len = sizeof a, i;
    double t;
    memset(&wc, 0, sizeof wc);
    wc.lpfnWndProc = raw_proc;
    wc.hInstance = GetModuleHandleA(NULL);
    wc.lpszClassName = "bench_raw";
    RegisterClassA(&wc);
    hwnd = CreateWindowExA(0, "bench_raw", "", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, wc.hInstance, NULL);
    rtab = calloc((size_t)nconn * 2, sizeof *rtab);
    rn = nconn * 2;
    l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(l, (struct sockaddr *)&a, sizeof a);
    listen(l, SOMAXCONN);
    getsockname(l, (struct sockaddr *)&a, &len);
    for (i = 0; i < nconn; i++) {
        rconn *c = &rtab[2 * i], *s = &rtab[2 * i + 1];
        c->s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        c->is_client = 1;
        c->left = nmsg;
        connect(c->s, (struct sockaddr *)&a, sizeof a);
        s->s = accept(l, NULL, NULL);
        WSAAsyncSelect(c->s, hwnd, WM_RAW, FD_READ);
        WSAAsyncSelect(s->s, hwnd, WM_RAW, FD_READ);
    }
    remaining = (long)nconn * nmsg;
    t = now_s();
    for (i = 0; i < nconn; i++)
        send(rtab[2 * i].s, "ping1234", 8, 0);
    while (remaining > 0) {
        MSG m;
        if (GetMessageA(&m, NULL, 0, 0) <= 0)
            break;
        DispatchMessageA(&m);
    }
    t = now_s() - t;
    for (i = 0; i < rn; i++)
        closesocket(rtab[i].s);
    closesocket(l);
    DestroyWindow(hwnd);
    free(rtab);
    return t;
}

int main(int argc, char **argv)
{
    int trips = argc > 1 ? atoi(argv[1]) : 3000;
    double tm, tr;
    conns = argc > 2 ? atoi(argv[2]) : 1000;
    msgs = argc > 3 ? atoi(argv[3]) : 100;
    CHECK(mfcs_init());
    /* alternate and keep the best of each, so neither side gets the warm cache */
    tr = tm = 1e9;
    for (int round = 0; round < 2; round++) {
        double r = run_raw(1, trips), m = run_mfcs(1, trips);
        if (r < tr) tr = r;
        if (m < tm) tm = m;
    }
    printf("ping-pong, %d round trips: raw WSAAsyncSelect %.0f/s, mfcsock %.0f/s: %.2f x raw (target >= 0.9)\n",
           trips, trips / tr, trips / tm, tr / tm);
    tr = run_raw(conns, msgs);
    tm = run_mfcs(conns, msgs);
    printf("fan-in, %d connections x %d messages on one thread: raw %.2f s, mfcsock %.2f s: "
           "%.2f x raw time (target <= 1.2), %s\n",
           conns, msgs, tr, tm, tm / tr, remaining == 0 ? "all echoed" : "MESSAGES LOST");
    mfcs_term();
    return remaining == 0 ? 0 : 1;
}
