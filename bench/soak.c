/* soak: C concurrent connections (default 1000), one writer thread and one
 * reader thread, each connection carrying R (default 10) archive messages of
 * random objects and strings with a checksum. The reader deserializes in
 * on_receive, one archive per message, while FIONREAD says bytes wait. Prints bytes, messages, lost
 * and mismatched counts; exits 0 only when nothing was lost or changed.
 * Usage: soak [connections] [rounds] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mfcsock.h>

#include "bench_util.h"

typedef struct pt { int32_t x, y; } pt;
static void *MFCS_CALL pt_create(void *ctx) { (void)ctx; return calloc(1, sizeof(pt)); }
static void MFCS_CALL pt_destroy(void *o, void *ctx) { (void)ctx; free(o); }
static mfcs_err MFCS_CALL pt_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    pt *p = (pt *)o;
    int loading;
    (void)ctx;
    mfcs_archive_is_loading(ar, &loading);
    if (loading) {
        mfcs_archive_read_i32(ar, &p->x);
        return mfcs_archive_read_i32(ar, &p->y);
    }
    mfcs_archive_write_i32(ar, p->x);
    return mfcs_archive_write_i32(ar, p->y);
}
static mfcs_class *cpt;

static int conns = 1000, rounds = 10;
static unsigned port;
static HANDLE listening;
static volatile LONG messages_ok, mismatches, read_errors;
static volatile LONG64 bytes_out;

static uint32_t mix(uint32_t h, uint32_t v) { return (h ^ v) * 16777619u; }

/* ---- writer: all connections on one thread ---- */

static DWORD WINAPI writer(void *arg)
{
    mfcs_socket **s = calloc((size_t)conns, sizeof *s);
    mfcs_file **f = calloc((size_t)conns, sizeof *f);
    uint32_t rnd = 1;
    int i, r;
    (void)arg;
    for (i = 0; i < conns; i++) {
        CHECK(mfcs_socket_new(&s[i], MFCS_BLOCKING, NULL, NULL));
        CHECK(mfcs_socket_create(s[i], 0, MFCS_STREAM, 0, NULL));
        CHECK(mfcs_socket_connect(s[i], "127.0.0.1", port));
        CHECK(mfcs_file_open_socket(&f[i], s[i], 1));
    }
    for (r = 0; r < rounds; r++) {
        for (i = 0; i < conns; i++) {
            mfcs_archive *ar;
            pt pts[4];
            char text[300];
            uint32_t h = 2166136261u, k, j, tl;
            CHECK(mfcs_archive_open(&ar, f[i], MFCS_STORE, 0));
            rnd = rnd * 1103515245u + 12345u;
            k = 1 + (rnd >> 16) % 4;
            mfcs_archive_write_u32(ar, (uint32_t)r);
            h = mix(h, (uint32_t)r);
            mfcs_archive_write_count(ar, k);
            for (j = 0; j < k; j++) {
                rnd = rnd * 1103515245u + 12345u;
                pts[j].x = (int32_t)rnd;
                pts[j].y = (int32_t)(rnd >> 7);
                mfcs_archive_write_object(ar, cpt, &pts[j]);
                h = mix(mix(h, (uint32_t)pts[j].x), (uint32_t)pts[j].y);
            }
            mfcs_archive_write_object(ar, cpt, &pts[0]);          /* a back reference */
            rnd = rnd * 1103515245u + 12345u;
            tl = (rnd >> 16) % sizeof text;
            for (j = 0; j < tl; j++) {
                text[j] = (char)('a' + (rnd >> (j % 20)) % 26);
                h = mix(h, (unsigned char)text[j]);
            }
            mfcs_archive_write_string_a(ar, text, tl);
            mfcs_archive_write_u32(ar, h);
            CHECK(mfcs_archive_close(ar));
            bytes_out += 4 + 2 + (k + 1) * 10 + tl + 3 + 4;
        }
    }
    for (i = 0; i < conns; i++) {
        mfcs_file_close(f[i]);
        mfcs_socket_shutdown(s[i], SD_SEND);
    }
    /* keep the sockets until the reader is done with them */
    while (messages_ok + mismatches + read_errors < conns * rounds)
        mfcs_pump(100, NULL);
    for (i = 0; i < conns; i++)
        mfcs_socket_free(s[i]);
    free(s);
    free(f);
    mfcs_thread_term();
    return 0;
}

/* ---- reader: all accepted connections on one thread ---- */

typedef struct rconn { mfcs_socket *s; mfcs_file *f; } rconn;

static int read_message(mfcs_archive *ar)
{
    uint32_t r, h = 2166136261u, sum = 0, j;
    uint64_t k;
    char *text = NULL;
    size_t tl = 0;
    void *o, *first = NULL;
    mfcs_err err;
    mfcs_archive_read_u32(ar, &r);
    h = mix(h, r);
    mfcs_archive_read_count(ar, &k);
    for (j = 0; j < k && j < 4; j++) {
        if (mfcs_archive_read_object(ar, cpt, &o, NULL) != MFCS_OK)
            break;
        h = mix(mix(h, (uint32_t)((pt *)o)->x), (uint32_t)((pt *)o)->y);
        if (j == 0)
            first = o;
        else
            pt_destroy(o, NULL);
    }
    if (mfcs_archive_read_object(ar, cpt, &o, NULL) == MFCS_OK && o != first)
        h = 0;                                   /* the back reference must be the same object */
    mfcs_archive_read_string_a(ar, &text, &tl);
    for (j = 0; j < tl; j++)
        h = mix(h, (unsigned char)text[j]);
    if (first)
        pt_destroy(first, NULL);
    err = mfcs_archive_read_u32(ar, &sum);
    if (err) {
        mfcs_free(text);
        InterlockedIncrement(&read_errors);
        return 0;
    }
    if (sum == h) {
        InterlockedIncrement(&messages_ok);
    } else {
        InterlockedIncrement(&mismatches);
    }
    mfcs_free(text);
    return 1;
}

/* One archive per message, as the writer makes them: each archive's object
 * numbering starts afresh, so a message must not be read with an archive
 * that already read another (its back references would name the wrong
 * objects). What an archive read beyond its message goes back to the socket
 * and shows in FIONREAD, so the loop sees it. */
static void MFCS_CALL on_receive(mfcs_socket *s, int err, void *user)
{
    rconn *c = (rconn *)user;
    unsigned long avail = 0;
    (void)err;
    while (mfcs_socket_ioctl(s, FIONREAD, &avail) == MFCS_OK && avail > 0) {
        mfcs_archive *ar;
        int ok;
        if (mfcs_archive_open(&ar, c->f, MFCS_LOAD, 0) != MFCS_OK)
            return;
        ok = read_message(ar);
        mfcs_archive_close(ar);
        if (!ok)
            return;
    }
}

static DWORD WINAPI reader(void *arg)
{
    static const mfcs_socket_callbacks cb = { on_receive, NULL, NULL, NULL, NULL, NULL, NULL };
    rconn *c = calloc((size_t)conns, sizeof *c);
    mfcs_socket *l;
    ULONGLONG end;
    int i;
    (void)arg;
    CHECK(mfcs_socket_new(&l, MFCS_BLOCKING, NULL, NULL));
    CHECK(mfcs_socket_create(l, 0, MFCS_STREAM, 0, "127.0.0.1"));
    CHECK(mfcs_socket_listen(l, SOMAXCONN));
    CHECK(mfcs_socket_sock_name(l, NULL, 0, &port));
    SetEvent(listening);
    for (i = 0; i < conns; i++) {
        CHECK(mfcs_socket_new(&c[i].s, MFCS_BLOCKING, &cb, &c[i]));
        CHECK(mfcs_socket_accept(l, c[i].s, NULL, 0, NULL));
        CHECK(mfcs_file_open_socket(&c[i].f, c[i].s, 1));
    }
    end = GetTickCount64() + 600000;
    while (messages_ok + mismatches + read_errors < conns * rounds && GetTickCount64() < end)
        mfcs_pump(100, NULL);
    for (i = 0; i < conns; i++) {
        mfcs_file_close(c[i].f);
        mfcs_socket_free(c[i].s);
    }
    mfcs_socket_free(l);
    free(c);
    mfcs_thread_term();
    return 0;
}

int main(int argc, char **argv)
{
    static const mfcs_class_ops ops = { pt_create, pt_serialize, pt_destroy };
    HANDLE r, w;
    double t;
    if (argc > 1) conns = atoi(argv[1]);
    if (argc > 2) rounds = atoi(argv[2]);
    CHECK(mfcs_init());
    CHECK(mfcs_class_register(&cpt, "CPt", 1, &ops, NULL));
    listening = CreateEventA(NULL, TRUE, FALSE, NULL);
    t = now_s();
    r = CreateThread(NULL, 0, reader, NULL, 0, NULL);
    WaitForSingleObject(listening, INFINITE);
    w = CreateThread(NULL, 0, writer, NULL, 0, NULL);
    WaitForSingleObject(r, INFINITE);
    WaitForSingleObject(w, INFINITE);
    t = now_s() - t;
    printf("soak: %d connections x %d messages in %.1f s, %lld bytes: %ld checked, %ld mismatched, "
           "%ld lost or unreadable\n", conns, rounds, t, (long long)bytes_out, (long)messages_ok,
           (long)mismatches, (long)(conns * rounds - messages_ok - mismatches));
    mfcs_term();
    return messages_ok == conns * rounds ? 0 : 1;
}
