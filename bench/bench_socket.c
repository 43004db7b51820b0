/* bench_socket: blocking sockets, socket files and archives against raw
 * Winsock, measured in the same run (a raw Winsock thread is the peer).
 *   1M u32 read one by one from an archive (64 KiB buffer) vs a raw 4 MB
 *     receive in 64 KiB calls                       target <= 1.5 x raw time
 *   the same with MFC's default 4096-byte archive buffer (no target: what
 *     a ported MFC program gets)
 *   archive streaming, 64 MiB as write_u32 vs raw 64 KiB sends
 *                                                   target >= 0.9 x raw rate
 *     with the time the 16.7M write_u32 calls take alone (into a buffer
 *     that holds them all: no send), which no sending can hide
 *   archive streaming, 64 MiB as 64 KiB mfcs_archive_write blocks vs raw
 *     64 KiB sends                                  target >= 0.9 x raw rate
 *   blocking ping-pong through mfcsock vs raw blocking  target >= 0.9 x raw rate
 *   1M u32 read through a window from a socket archive (64 KiB buffer) vs
 *     a raw 4 MB receive in 64 KiB calls            target <= 1.2 x raw time
 *   64 MiB of u32 values made one by one, written through a window (64 KiB
 *     buffer), vs a hand-written loop that stores the same values into a
 *     64 KiB buffer and sends it when full         target >= 0.9 x its rate */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mfcsock.h>

#include "bench_util.h"
#include <ws2tcpip.h>



/* ---- a raw peer thread: one connection, one job ---- */

enum job { SEND_BYTES, DRAIN, ECHO };
typedef struct peer { SOCKET l; unsigned port; enum job job; size_t bytes; HANDLE t; } peer;

static DWORD WINAPI peer_main(void *p)
{
    peer *pr = p;
    SOCKET s = accept(pr->l, NULL, NULL);
    static char buf[65536];
    size_t done = 0;
    int n;
    if (pr->job == SEND_BYTES) {
        memset(buf, 7, sizeof buf);
        while (done < pr->bytes) {
            n = send(s, buf, (int)(pr->bytes - done < sizeof buf ? pr->bytes - done : sizeof buf), 0);
            if (n <= 0)
                break;
            done += (size_t)n;
        }
    } else {
        while ((n = recv(s, buf, sizeof buf, 0)) > 0)
            if (pr->job == ECHO)
                send(s, buf, n, 0);
    }
    shutdown(s, SD_SEND);
    while (recv(s, buf, sizeof buf, 0) > 0)
        ;
    closesocket(s);
    return 0;
}

static void peer_start(peer *pr, enum job job, size_t bytes)
{
    struct sockaddr_in a;
    int len = sizeof a;
    pr->job = job;
    pr->bytes = bytes;
    pr->l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(pr->l, (struct sockaddr *)&a, sizeof a);
    listen(pr->l, 1);
    getsockname(pr->l, (struct sockaddr *)&a, &len);
    pr->port = ntohs(a.sin_port);
    pr->t = CreateThread(NULL, 0, peer_main, pr, 0, NULL);
}

static void peer_join(peer *pr)
{
    WaitForSingleObject(pr->t, INFINITE);
    CloseHandle(pr->t);
    closesocket(pr->l);
}

static SOCKET raw_connect(unsigned port)
{
    struct sockaddr_in a;
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((u_short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(s, (struct sockaddr *)&a, sizeof a);
    return s;
}

static mfcs_socket *mfcs_connect(unsigned port)
{
    mfcs_socket *s;
    CHECK(mfcs_socket_new(&s, MFCS_BLOCKING, NULL, NULL));
    CHECK(mfcs_socket_create(s, 0, MFCS_STREAM, 0, NULL));
    CHECK(mfcs_socket_connect(s, "127.0.0.1", port));
    return s;
}

#define WORDS (1u << 20)        /* 1M u32: 4 MB */

static double read_raw(void)
{
    peer pr;
    static char buf[65536];
    size_t got = 0;
    double t;
    SOCKET s;
    int n;
    peer_start(&pr, SEND_BYTES, WORDS * 4);
    s = raw_connect(pr.port);
    t = now_s();
    while (got < WORDS * 4 && (n = recv(s, buf, sizeof buf, 0)) > 0)
        got += (size_t)n;
    t = now_s() - t;
    closesocket(s);
    peer_join(&pr);
    return got == WORDS * 4 ? t : -1;
}

static size_t read_buf = 65536;
static int read_by_window;

static double read_archive(void)
{
    peer pr;
    mfcs_socket *s;
    mfcs_file *f;
    mfcs_archive *ar;
    uint32_t v, sum = 0, i;
    double t;
    peer_start(&pr, SEND_BYTES, WORDS * 4);
    s = mfcs_connect(pr.port);
    CHECK(mfcs_file_open_socket(&f, s, 1));
    CHECK(mfcs_archive_open(&ar, f, MFCS_LOAD, read_buf));
    t = now_s();
    if (read_by_window) {
        mfcs_window w;
        CHECK(mfcs_archive_window_open(ar, 4, &w));
        for (i = 0; i < WORDS; i++)
            sum += mfcs_window_get_u32(&w);
        CHECK(mfcs_archive_window_close(&w));
    } else {
        for (i = 0; i < WORDS; i++) {
            CHECK(mfcs_archive_read_u32(ar, &v));
            sum += v;
        }
    }
    t = now_s() - t;
    mfcs_archive_abort(ar);
    mfcs_file_close(f);
    mfcs_socket_free(s);
    peer_join(&pr);
    return sum == WORDS * 0x07070707u ? t : -1;
}

#define STREAM_BYTES ((size_t)64 << 20)

static double write_raw(void)
{
    peer pr;
    static char buf[65536];
    size_t done = 0;
    double t;
    SOCKET s;
    peer_start(&pr, DRAIN, 0);
    s = raw_connect(pr.port);
    t = now_s();
    while (done < STREAM_BYTES) {
        int n = send(s, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    shutdown(s, SD_SEND);
    t = now_s() - t;
    closesocket(s);
    peer_join(&pr);
    return t;
}

/* What a program writes without mfcsock when it makes values one by one:
 * its own 64 KiB buffer, stored into value by value, sent when full. */
static double write_raw_values(void)
{
    peer pr;
    static uint32_t buf[16384];
    size_t k = 0;
    uint32_t i;
    double t;
    SOCKET s;
    peer_start(&pr, DRAIN, 0);
    s = raw_connect(pr.port);
    t = now_s();
    for (i = 0; i < STREAM_BYTES / 4; i++) {
        buf[k++] = i;
        if (k == 16384) {
            size_t done = 0;
            while (done < sizeof buf) {
                int n = send(s, (const char *)buf + done, (int)(sizeof buf - done), 0);
                if (n <= 0)
                    break;
                done += (size_t)n;
            }
            k = 0;
        }
    }
    shutdown(s, SD_SEND);
    t = now_s() - t;
    closesocket(s);
    peer_join(&pr);
    return t;
}

/* 64 MiB through a storing archive: as write_u32 values, as 64 KiB blocks,
 * or as values through a window. */
static int write_in_blocks, write_by_window;

static double write_archive(void)
{
    peer pr;
    mfcs_socket *s;
    mfcs_file *f;
    mfcs_archive *ar;
    static uint32_t block[16384];
    uint32_t i;
    double t;
    peer_start(&pr, DRAIN, 0);
    s = mfcs_connect(pr.port);
    CHECK(mfcs_file_open_socket(&f, s, 1));
    CHECK(mfcs_archive_open(&ar, f, MFCS_STORE, 65536));
    t = now_s();
    if (write_in_blocks) {
        for (i = 0; i < STREAM_BYTES / sizeof block; i++) {
            block[0] = i;
            CHECK(mfcs_archive_write(ar, block, sizeof block));
        }
    } else if (write_by_window) {
        mfcs_window w;
        CHECK(mfcs_archive_window_open(ar, 4, &w));
        for (i = 0; i < STREAM_BYTES / 4; i++)
            mfcs_window_put_u32(&w, i);
        CHECK(mfcs_archive_window_close(&w));
    } else {
        for (i = 0; i < STREAM_BYTES / 4; i++)
            mfcs_archive_write_u32(ar, i);
    }
    CHECK(mfcs_archive_close(ar));
    CHECK(mfcs_socket_shutdown(s, SD_SEND));
    t = now_s() - t;
    mfcs_file_close(f);
    mfcs_socket_free(s);
    peer_join(&pr);
    return t;
}

/* The write_u32 calls of write_archive alone, on a socket archive: 256
 * archives of 64K values each, every buffer big enough that nothing is sent
 * (and small enough that the heap hands it back warm: a 64 MiB one would
 * time its page faults). */
static double write_values_only(void)
{
    enum { PER = 65536 };
    peer pr;
    mfcs_socket *s;
    mfcs_file *f;
    mfcs_archive *ar;
    uint32_t i, k;
    double t = 0, t0;
    peer_start(&pr, DRAIN, 0);
    s = mfcs_connect(pr.port);
    CHECK(mfcs_file_open_socket(&f, s, 1));
    for (k = 0; k < STREAM_BYTES / 4 / PER; k++) {
        CHECK(mfcs_archive_open(&ar, f, MFCS_STORE, PER * 4));
        t0 = now_s();
        for (i = 0; i < PER; i++)
            mfcs_archive_write_u32(ar, i);
        t += now_s() - t0;
        CHECK(mfcs_archive_abort(ar));
    }
    mfcs_file_close(f);
    mfcs_socket_free(s);
    peer_join(&pr);
    return t;
}

#define TRIPS 2000

static double ping_raw(void)
{
    peer pr;
    char buf[8];
    double t;
    SOCKET s;
    int i;
    peer_start(&pr, ECHO, 0);
    s = raw_connect(pr.port);
    t = now_s();
    for (i = 0; i < TRIPS; i++) {
        send(s, "ping1234", 8, 0);
        recv(s, buf, sizeof buf, 0);
    }
    t = now_s() - t;
    shutdown(s, SD_SEND);
    closesocket(s);
    peer_join(&pr);
    return t;
}

static double ping_mfcs(void)
{
    peer pr;
    char buf[8];
    double t;
    mfcs_socket *s;
    int i, n;
    peer_start(&pr, ECHO, 0);
    s = mfcs_connect(pr.port);
    t = now_s();
    for (i = 0; i < TRIPS; i++) {
        CHECK(mfcs_socket_send(s, "ping1234", 8, 0, NULL));
        CHECK(mfcs_socket_receive(s, buf, sizeof buf, 0, &n));
    }
    t = now_s() - t;
    mfcs_socket_shutdown(s, SD_SEND);
    mfcs_socket_free(s);
    peer_join(&pr);
    return t;
}

#define ROUNDS 7

int main(void)
{
    double rr, ra, wr, wa, wv = 1e9, pr, pm;
    int i;
    CHECK(mfcs_init());
    best_alternating(read_raw, read_archive, ROUNDS, &rr, &ra);
    printf("read 1M u32 one by one from an archive (64 KiB buffer): %.1f ms; raw 4 MB in 64 KiB recv calls: "
           "%.1f ms: %.2f x raw time (target <= 1.5)\n", ra * 1e3, rr * 1e3, ra / rr);
    read_buf = 4096;
    best_alternating(read_raw, read_archive, ROUNDS, &rr, &ra);
    printf("read 1M u32 one by one from an archive (MFC's default 4096-byte buffer): %.1f ms; raw %.1f ms: "
           "%.2f x raw time\n", ra * 1e3, rr * 1e3, ra / rr);
    best_alternating(write_raw, write_archive, ROUNDS, &wr, &wa);
    for (i = 0; i < 3; i++) {
        double t = write_values_only();
        if (t < wv)
            wv = t;
    }
    printf("stream 64 MiB: archive write_u32 %.0f MB/s, raw 64 KiB sends %.0f MB/s: %.2f x raw (target >= 0.9)\n"
           "  (raw sends %.0f ms; archive %.0f ms, of which the 16.7M write_u32 calls alone take %.0f ms, "
           "%.2f ns each)\n",
           STREAM_BYTES / wa / 1e6, STREAM_BYTES / wr / 1e6, wr / wa, wr * 1e3, wa * 1e3, wv * 1e3,
           wv * 1e9 / (STREAM_BYTES / 4));
    write_in_blocks = 1;
    best_alternating(write_raw, write_archive, ROUNDS, &wr, &wa);
    printf("stream 64 MiB: archive 64 KiB mfcs_archive_write blocks %.0f MB/s, raw 64 KiB sends %.0f MB/s: "
           "%.2f x raw (target >= 0.9)\n", STREAM_BYTES / wa / 1e6, STREAM_BYTES / wr / 1e6, wr / wa);
    best_alternating(ping_raw, ping_mfcs, ROUNDS, &pr, &pm);
    printf("blocking ping-pong, %d round trips: raw %.0f/s, mfcsock %.0f/s: %.2f x raw (target >= 0.9)\n",
           TRIPS, TRIPS / pr, TRIPS / pm, pr / pm);
    read_buf = 65536;
    read_by_window = 1;
    best_alternating(read_raw, read_archive, ROUNDS, &rr, &ra);
    printf("read 1M u32 through a window (64 KiB buffer): %.1f ms; raw 4 MB in 64 KiB recv calls: %.1f ms: "
           "%.2f x raw time (target <= 1.2)\n", ra * 1e3, rr * 1e3, ra / rr);
    write_in_blocks = 0;
    write_by_window = 1;
    best_alternating(write_raw_values, write_archive, ROUNDS, &wr, &wa);
    printf("stream 64 MiB of u32 made one by one: through a window %.0f MB/s, a hand loop into a 64 KiB buffer "
           "sent when full %.0f MB/s: %.2f x (target >= 0.9)\n", STREAM_BYTES / wa / 1e6, STREAM_BYTES / wr / 1e6,
           wr / wa);
    mfcs_term();
    return 0;
}
