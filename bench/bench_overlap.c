/* bench_overlap: what a sender thread per archive would buy, measured
 * outside the library. A storing archive on a socket makes its values and
 * sends its buffers on one thread, one after the other; this times 64 MiB
 * streamed four ways against raw 64 KiB sends in the same run:
 *   serial      make 64 KiB of u32 values, send them, repeat (mfcsock today)
 *   events      a sender thread sends one buffer while the next is made,
 *               the two handing buffers over with events
 *   spinning    the same, handing over through a shared flag, spinning
 *               (then yielding) while the other side is not done
 * Values are made by mfcs_archive_write_u32 into an archive on a memory
 * file, one per buffer, whose bytes are then sent (memory archives check no
 * owner, so they cost about 0.3 ns a value less than a socket archive's).
 * No target: it records why mfcsock keeps one thread (README, Measured). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winsock2.h>
#include <windows.h>

#include "bench_util.h"

#define CHUNK 65536
#define TOTAL ((size_t)64 << 20)
#define ROUNDS 7

#include <mfcsock.h>

/* The two buffers: a memory file each, written through an archive. */
static mfcs_file *files[2];

/* Makes 64 KiB of values in buffer i; returns its bytes. */
static const uint8_t *make_chunk(int i, uint32_t first)
{
    mfcs_archive *ar;
    const void *data;
    size_t len;
    uint32_t k;
    CHECK(mfcs_file_seek(files[i], 0, MFCS_SEEK_SET, NULL));
    CHECK(mfcs_archive_open(&ar, files[i], MFCS_STORE, CHUNK));
    for (k = 0; k < CHUNK / 4; k++)
        mfcs_archive_write_u32(ar, first + k);
    CHECK(mfcs_archive_close(ar));
    CHECK(mfcs_file_memory_data(files[i], &data, &len));
    return (const uint8_t *)data;
}

static void send_all(SOCKET s, const uint8_t *p, size_t len)
{
    size_t done = 0;
    while (done < len) {
        int n = send(s, (const char *)p + done, (int)(len - done), 0);
        if (n <= 0) {
            fprintf(stderr, "send: %d\n", WSAGetLastError());
            exit(1);
        }
        done += (size_t)n;
    }
}

/* ---- a draining peer on its own thread ---- */

static SOCKET listener;

static DWORD WINAPI drain(void *arg)
{
    static char in[65536];
    SOCKET s = accept(listener, NULL, NULL);
    (void)arg;
    while (recv(s, in, sizeof in, 0) > 0)
        ;
    closesocket(s);
    return 0;
}

static SOCKET open_pair(HANDLE *peer)
{
    struct sockaddr_in a;
    int len = sizeof a;
    SOCKET s;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    bind(listener, (struct sockaddr *)&a, sizeof a);
    listen(listener, 1);
    getsockname(listener, (struct sockaddr *)&a, &len);
    *peer = CreateThread(NULL, 0, drain, NULL, 0, NULL);
    s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
        fprintf(stderr, "connect: %d\n", WSAGetLastError());
        exit(1);
    }
    return s;
}

static void close_pair(SOCKET s, HANDLE peer)
{
    shutdown(s, SD_SEND);
    WaitForSingleObject(peer, INFINITE);
    CloseHandle(peer);
    closesocket(s);
    closesocket(listener);
}

static uint8_t raw_chunk[CHUNK];

/* ---- the four ways ---- */

/* 64 MiB on one thread: the same buffer each time (raw), or values made
 * before each send (serial). */
static double run_one_thread(int make)
{
    HANDLE peer;
    SOCKET s = open_pair(&peer);
    size_t k;
    double t = now_s();
    for (k = 0; k < TOTAL / CHUNK; k++)
        send_all(s, make ? make_chunk(0, (uint32_t)(k * (CHUNK / 4))) : raw_chunk, CHUNK);
    t = now_s() - t;
    close_pair(s, peer);
    return t;
}

static double run_raw(void) { return run_one_thread(0); }
static double run_serial(void) { return run_one_thread(1); }

/* The sender thread: sends `ready` whenever it is handed one; NULL ends it. */
typedef struct sender {
    SOCKET s;
    int spin;
    const uint8_t *volatile ready;
    volatile LONG busy;        /* spinning: 1 from hand-over to sent */
    HANDLE go, done;           /* events */
} sender;

static void spin_until(volatile LONG *flag, LONG want)
{
    int k = 0;
    while (*flag != want)
        if (++k < 200)
            YieldProcessor();
        else
            SwitchToThread();
}

static DWORD WINAPI sender_main(void *arg)
{
    sender *sd = arg;
    for (;;) {
        if (sd->spin)
            spin_until(&sd->busy, 1);
        else
            WaitForSingleObject(sd->go, INFINITE);
        if (!sd->ready)
            return 0;
        send_all(sd->s, sd->ready, CHUNK);
        if (sd->spin)
            InterlockedExchange(&sd->busy, 0);
        else
            SetEvent(sd->done);
    }
}

static void hand_over(sender *sd, const uint8_t *p)
{
    if (sd->spin) {
        spin_until(&sd->busy, 0);
        sd->ready = p;
        InterlockedExchange(&sd->busy, 1);
    } else {
        WaitForSingleObject(sd->done, INFINITE);
        sd->ready = p;
        SetEvent(sd->go);
    }
}

static double run_threaded(int spin)
{
    HANDLE peer, th;
    sender sd;
    size_t k;
    double t;
    memset(&sd, 0, sizeof sd);
    sd.s = open_pair(&peer);
    sd.spin = spin;
    sd.go = CreateEventA(NULL, FALSE, FALSE, NULL);
    sd.done = CreateEventA(NULL, FALSE, TRUE, NULL);
    th = CreateThread(NULL, 0, sender_main, &sd, 0, NULL);
    t = now_s();
    for (k = 0; k < TOTAL / CHUNK; k++) {
        /* made while the other one is sent */
        hand_over(&sd, make_chunk((int)(k & 1), (uint32_t)(k * (CHUNK / 4))));
    }
    hand_over(&sd, NULL);   /* waits for the last send, then ends the thread */
    t = now_s() - t;
    WaitForSingleObject(th, INFINITE);
    CloseHandle(th);
    CloseHandle(sd.go);
    CloseHandle(sd.done);
    close_pair(sd.s, peer);
    return t;
}

static double run_events(void) { return run_threaded(0); }
static double run_spinning(void) { return run_threaded(1); }

int main(void)
{
    double (*const ways[])(void) = { run_raw, run_serial, run_events, run_spinning };
    const char *const names[] = { "raw", "serial", "events", "spinning" };
    double best[4] = { 1e9, 1e9, 1e9, 1e9 }, values = 1e9;
    WSADATA wsa;
    int r, w;
    size_t k;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
        return 1;
    CHECK(mfcs_file_open_memory(&files[0], NULL, 0));
    CHECK(mfcs_file_open_memory(&files[1], NULL, 0));
    for (r = 0; r < 3; r++) {
        double t = now_s();
        for (k = 0; k < TOTAL / CHUNK; k++)
            make_chunk(0, (uint32_t)k);
        t = now_s() - t;
        if (t < values)
            values = t;
    }
    /* Round robin, so drift between blocks of runs cannot decide a ratio. */
    for (r = 0; r < ROUNDS; r++)
        for (w = 0; w < 4; w++) {
            double t = ways[w]();
            if (t < best[w])
                best[w] = t;
        }
    printf("64 MiB as 16.7M write_u32 values of %.2f ns each (%.0f ms to make alone), best of %d runs each:\n",
           values * 1e9 / (TOTAL / 4), values * 1e3, ROUNDS);
    for (w = 0; w < 4; w++)
        printf("  %-9s %6.0f ms  %.2f x raw rate\n", names[w], best[w] * 1e3, best[0] / best[w]);
    mfcs_file_close(files[0]);
    mfcs_file_close(files[1]);
    WSACleanup();
    return 0;
}
