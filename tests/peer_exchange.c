/* The Wine side of tests/peers/run_exchange.py: exchanges MFC archives with
 * an independent Python implementation of the format, over loopback.
 *   peer_exchange client <port>   connect, send the request, check the reply
 *   peer_exchange server          listen, print "port N", check the request, reply
 *   peer_exchange reset <port>    connect several times; each time the Python
 *                                 peer sends part of a value and resets
 *   peer_exchange hostile <port>  connect once per scenario of
 *                                 tests/peers/slow_peer.py (run by
 *                                 run_hostile_peers.py): peers that pause
 *                                 or dribble inside a value, nest objects
 *                                 10,000 deep, or flood the object map
 * Exits 0 only when every value it read is what the other side wrote (reset:
 * when every check passed; each prints "check ok <name>" or
 * "check FAIL <name> -- <what was seen>"; hostile: the same, with
 * "check FAIL <name>: <what was seen>"). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mfcsock.h>

static int failures;
#define CHECK(call) do { mfcs_err e_ = (call); if (e_ != MFCS_OK) { \
    printf("peer_exchange: %s failed: %s\n", #call, mfcs_strerror(e_)); exit(2); } } while (0)
#define EXPECT(cond) do { if (!(cond)) { printf("peer_exchange: expected %s\n", #cond); failures++; } } while (0)

#include "message_window.h"
#include "node_class.h"
#include "point_class.h"

static mfcs_class *cpoint;

/* The request, as tests/peers/run_exchange.py's request_bytes() writes it. */
static void write_request(mfcs_archive *ar)
{
    static const char line[] = "line one\r\n";
    point p1 = { 1, 2 }, p2 = { 3, 4 };
    char x300[300];
    memset(x300, 'x', sizeof x300);
    CHECK(mfcs_archive_write_u8(ar, 0xAB)); CHECK(mfcs_archive_write_i8(ar, -5));
    CHECK(mfcs_archive_write_u16(ar, 0x1234)); CHECK(mfcs_archive_write_i16(ar, -2));
    CHECK(mfcs_archive_write_u32(ar, 0xDEADBEEF)); CHECK(mfcs_archive_write_i32(ar, -2));
    CHECK(mfcs_archive_write_u64(ar, 0x0102030405060708ull)); CHECK(mfcs_archive_write_i64(ar, -3));
    CHECK(mfcs_archive_write_f32(ar, -2.5f)); CHECK(mfcs_archive_write_f64(ar, 1.0));
    CHECK(mfcs_archive_write_bool(ar, 1));
    CHECK(mfcs_archive_write_count(ar, 70000));
    CHECK(mfcs_archive_write_string_a(ar, "hello", 5));
    CHECK(mfcs_archive_write_string(ar, "wide \xE2\x9C\x93"));
    CHECK(mfcs_archive_write_string_a(ar, x300, sizeof x300));
    CHECK(mfcs_archive_write_line_a(ar, line));
    CHECK(mfcs_archive_write_object(ar, cpoint, &p1));
    CHECK(mfcs_archive_write_object(ar, cpoint, &p2));
    CHECK(mfcs_archive_write_object(ar, cpoint, &p1));
    CHECK(mfcs_archive_write_object(ar, cpoint, NULL));
    CHECK(mfcs_archive_write_count(ar, 3));
    CHECK(mfcs_archive_write_string_a(ar, "a", 1));
    CHECK(mfcs_archive_write_string_a(ar, "bc", 2));
    CHECK(mfcs_archive_write_string_a(ar, "def", 3));
}

static void check_request(mfcs_archive *ar)
{
    uint8_t u8; int8_t i8; uint16_t u16; int16_t i16; uint32_t u32; int32_t i32;
    uint64_t u64, n; int64_t i64; float f32; double f64; int b;
    char *s, line[32];
    size_t len, i;
    void *p1, *p2, *p1b, *null;
    static const char *items[3] = { "a", "bc", "def" };
    CHECK(mfcs_archive_read_u8(ar, &u8)); EXPECT(u8 == 0xAB);
    CHECK(mfcs_archive_read_i8(ar, &i8)); EXPECT(i8 == -5);
    CHECK(mfcs_archive_read_u16(ar, &u16)); EXPECT(u16 == 0x1234);
    CHECK(mfcs_archive_read_i16(ar, &i16)); EXPECT(i16 == -2);
    CHECK(mfcs_archive_read_u32(ar, &u32)); EXPECT(u32 == 0xDEADBEEF);
    CHECK(mfcs_archive_read_i32(ar, &i32)); EXPECT(i32 == -2);
    CHECK(mfcs_archive_read_u64(ar, &u64)); EXPECT(u64 == 0x0102030405060708ull);
    CHECK(mfcs_archive_read_i64(ar, &i64)); EXPECT(i64 == -3);
    CHECK(mfcs_archive_read_f32(ar, &f32)); EXPECT(f32 == -2.5f);
    CHECK(mfcs_archive_read_f64(ar, &f64)); EXPECT(f64 == 1.0);
    CHECK(mfcs_archive_read_bool(ar, &b)); EXPECT(b == 1);
    CHECK(mfcs_archive_read_count(ar, &n)); EXPECT(n == 70000);
    CHECK(mfcs_archive_read_string_a(ar, &s, &len)); EXPECT(len == 5 && !strcmp(s, "hello")); mfcs_free(s);
    CHECK(mfcs_archive_read_string(ar, &s, NULL)); EXPECT(!strcmp(s, "wide \xE2\x9C\x93")); mfcs_free(s);
    CHECK(mfcs_archive_read_string_a(ar, &s, &len)); EXPECT(len == 300 && s[0] == 'x' && s[299] == 'x'); mfcs_free(s);
    CHECK(mfcs_archive_read_line_a(ar, line, sizeof line, &len)); EXPECT(!strcmp(line, "line one"));
    CHECK(mfcs_archive_read_object(ar, cpoint, &p1, NULL));
    CHECK(mfcs_archive_read_object(ar, cpoint, &p2, NULL));
    CHECK(mfcs_archive_read_object(ar, cpoint, &p1b, NULL));
    CHECK(mfcs_archive_read_object(ar, cpoint, &null, NULL));
    EXPECT(((point *)p1)->x == 1 && ((point *)p1)->y == 2 && ((point *)p2)->x == 3 && ((point *)p2)->y == 4);
    EXPECT(p1b == p1);
    EXPECT(null == NULL);
    point_destroy(p1, NULL);
    point_destroy(p2, NULL);
    CHECK(mfcs_archive_read_count(ar, &n)); EXPECT(n == 3);
    for (i = 0; i < 3 && i < n; i++) {
        CHECK(mfcs_archive_read_string_a(ar, &s, NULL));
        EXPECT(!strcmp(s, items[i]));
        mfcs_free(s);
    }
}

static void write_reply(mfcs_archive *ar)
{
    point sum = { 4, 6 };
    CHECK(mfcs_archive_write_u32(ar, 2));
    CHECK(mfcs_archive_write_string(ar, "sum \xF0\x9F\x98\x80"));
    CHECK(mfcs_archive_write_object(ar, cpoint, &sum));
}

static void check_reply(mfcs_archive *ar)
{
    uint32_t n;
    char *s;
    void *p;
    CHECK(mfcs_archive_read_u32(ar, &n)); EXPECT(n == 2);
    CHECK(mfcs_archive_read_string(ar, &s, NULL)); EXPECT(!strcmp(s, "sum \xF0\x9F\x98\x80")); mfcs_free(s);
    CHECK(mfcs_archive_read_object(ar, cpoint, &p, NULL));
    EXPECT(((point *)p)->x == 4 && ((point *)p)->y == 6);
    point_destroy(p, NULL);
}

/* ---- reset: a peer that resets in the middle of a value ---- */

/* One line a runner reads: "check ok NAME" or "check FAIL NAME -- why". */
static void vcheck(int ok, const char *name, const char *fmt, va_list ap)
{
    printf("check %s %s", ok ? "ok" : "FAIL", name);
    if (!ok) {
        printf(" -- ");
        vprintf(fmt, ap);
        failures++;
    }
    printf("\n");
    fflush(stdout);
}

static void check(int ok, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vcheck(ok, name, fmt, ap);
    va_end(ap);
}

/* Winsock's own notifications for the reference sockets. */
#define RAW_MSG (WM_APP + 1)
static int raw_close_seen, raw_close_err;
static LRESULT CALLBACK raw_proc(HWND h, UINT msg, WPARAM wp, LPARAM lp)
{
    if (msg == RAW_MSG) {
        if (WSAGETSELECTEVENT(lp) & FD_CLOSE) {
            raw_close_seen = 1;
            raw_close_err = WSAGETSELECTERROR(lp);
        }
        return 0;
    }
    return DefWindowProcA(h, msg, wp, lp);
}

static HWND raw_window(void)
{
    return message_window("peer_exchange_raw", raw_proc);
}

/* A raw connection to the peer, told what to do by its first byte:
 * 'u' part of a u64, 's' part of a string, 'c' nothing; then it resets. */
static SOCKET raw_dial(unsigned port, char cmd)
{
    struct sockaddr_in a;
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((u_short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s == INVALID_SOCKET || connect(s, (struct sockaddr *)&a, sizeof a) || send(s, &cmd, 1, 0) != 1) {
        printf("peer_exchange: raw connect/send: %d\n", WSAGetLastError());
        exit(2);
    }
    return s;
}

/* What Winsock itself reports for the reset to a socket selected as
 * mfcsock's are (WSAAsyncSelect, all six events, waiting for messages):
 * 0 for a graceful end, else the error; -1 if nothing came in 10 s. */
static int raw_reference(HWND w, unsigned port, char cmd, int *bytes)
{
    SOCKET s = raw_dial(port, cmd);
    ULONGLONG end = GetTickCount64() + 10000;
    char buf[256];
    int n, result = -1;
    *bytes = 0;
    WSAAsyncSelect(s, w, RAW_MSG, FD_READ | FD_WRITE | FD_OOB | FD_ACCEPT | FD_CONNECT | FD_CLOSE);
    while (GetTickCount64() < end) {
        n = recv(s, buf, sizeof buf, 0);
        if (n > 0) {
            *bytes += n;
        } else if (n == 0) {
            result = 0;
            break;
        } else if (WSAGetLastError() == WSAEWOULDBLOCK) {
            mfcs_pump(100, NULL);
        } else {
            result = WSAGetLastError();
            break;
        }
    }
    closesocket(s);
    return result;
}

/* The same reset met by a blocking socket, its file and an archive. */
static void archive_case(HWND w, unsigned port, char cmd, const char *what, int want_bytes)
{
    mfcs_socket *s;
    mfcs_file *f;
    mfcs_archive *ar;
    mfcs_err err, first = MFCS_OK, later, closed, expect;
    uint64_t v = 0;
    uint8_t b;
    char *str = NULL, name[160];
    int bytes, ref = raw_reference(w, port, cmd, &bytes);
    snprintf(name, sizeof name, "%s: Winsock's own socket saw at most %d bytes, then a reset or an end", what, want_bytes);
    check(ref != -1 && (ref == 0 || ref == WSAECONNRESET) && bytes <= want_bytes, name,
          "%d bytes, then %d", bytes, ref);
    expect = ref == 0 ? MFCS_E_EOF : ref;   /* Wine 8 ends a selected socket's reset gracefully */
    CHECK(mfcs_socket_new(&s, MFCS_BLOCKING, NULL, NULL));
    CHECK(mfcs_socket_set_timeout(s, 10000));   /* a hang shows as MFCS_E_TIMEOUT */
    CHECK(mfcs_socket_create(s, 0, MFCS_STREAM, 0, NULL));
    CHECK(mfcs_socket_connect(s, "127.0.0.1", port));
    CHECK(mfcs_socket_send(s, &cmd, 1, 0, NULL));
    CHECK(mfcs_file_open_socket(&f, s, 1));
    CHECK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    err = cmd == 'u' ? mfcs_archive_read_u64(ar, &v) : mfcs_archive_read_string_a(ar, &str, NULL);
    snprintf(name, sizeof name, "%s: the archive read fails as Winsock's socket did", what);
    check(err != MFCS_OK && err == expect, name, "got %d (%s), want %d (%s)", err, mfcs_strerror(err),
          expect, mfcs_strerror(expect));
    printf("info: %s: Winsock's own socket ended with %d, the archive read with %d (%s)\n", what, ref, err,
           mfcs_strerror(err));
    if (!err)
        mfcs_free(str);
    snprintf(name, sizeof name, "%s: mfcs_archive_error reports it", what);
    check(mfcs_archive_error(ar, &first) == MFCS_OK && first == err, name, "got %d", first);
    later = mfcs_archive_read_u8(ar, &b);
    snprintf(name, sizeof name, "%s: a later read gets the same sticky error", what);
    check(later == err, name, "got %d", later);
    closed = mfcs_archive_close(ar);
    snprintf(name, sizeof name, "%s: archive close returns it and frees the archive", what);
    check(closed == err && mfcs_archive_error(ar, &first) == MFCS_E_BADHANDLE, name, "close returned %d", closed);
    snprintf(name, sizeof name, "%s: file close and socket free work after it", what);
    err = mfcs_file_close(f);
    later = mfcs_socket_free(s);
    check(err == MFCS_OK && later == MFCS_OK, name, "file close %d, socket free %d", err, later);
}

typedef struct async_seen { int connect, connect_err, close, close_err, receive_err; } async_seen;
static void MFCS_CALL as_receive(mfcs_socket *s, int err, void *u)
{
    char buf[64];
    if (err)
        ((async_seen *)u)->receive_err = err;
    else
        mfcs_socket_receive(s, buf, sizeof buf, 0, NULL);
}
static void MFCS_CALL as_connect(mfcs_socket *s, int err, void *u)
{ (void)s; ((async_seen *)u)->connect = 1; ((async_seen *)u)->connect_err = err; }
static void MFCS_CALL as_close(mfcs_socket *s, int err, void *u)
{ (void)s; ((async_seen *)u)->close = 1; ((async_seen *)u)->close_err = err; }

static int pump_until_set(volatile int *flag)
{
    ULONGLONG end = GetTickCount64() + 10000;
    while (!*flag && GetTickCount64() < end)
        mfcs_pump(50, NULL);
    return *flag;
}

/* An async socket's on_close for the reset, against Winsock's own FD_CLOSE. */
static void async_case(HWND w, unsigned port)
{
    static const mfcs_socket_callbacks cb = { as_receive, NULL, NULL, NULL, as_connect, as_close, NULL };
    async_seen seen = { 0 };
    mfcs_socket *s;
    mfcs_err err;
    SOCKET raw = raw_dial(port, 'c');
    WSAAsyncSelect(raw, w, RAW_MSG, FD_READ | FD_WRITE | FD_OOB | FD_ACCEPT | FD_CONNECT | FD_CLOSE);
    pump_until_set(&raw_close_seen);
    closesocket(raw);
    check(raw_close_seen && (raw_close_err == 0 || raw_close_err == WSAECONNRESET),
          "async: Winsock's own FD_CLOSE came with 0 or WSAECONNRESET", "seen %d, error %d",
          raw_close_seen, raw_close_err);
    CHECK(mfcs_socket_new(&s, MFCS_ASYNC, &cb, &seen));
    CHECK(mfcs_socket_create(s, 0, MFCS_STREAM, MFCS_ALL_EVENTS, NULL));
    err = mfcs_socket_connect(s, "127.0.0.1", port);
    if (err != WSAEWOULDBLOCK)
        CHECK(err);
    pump_until_set(&seen.connect);
    CHECK(seen.connect_err);
    CHECK(mfcs_socket_send(s, "c", 1, 0, NULL));
    pump_until_set(&seen.close);
    printf("info: async: Winsock's own FD_CLOSE had %d, on_close %d\n", raw_close_err, seen.close_err);
    check(seen.close && seen.close_err == raw_close_err, "async: on_close reports the reset as Winsock's FD_CLOSE did",
          "on_close %s with %d, Winsock's FD_CLOSE %d", seen.close ? "came" : "never came", seen.close_err,
          raw_close_err);
    check(seen.receive_err == 0 || seen.receive_err == raw_close_err, "async: on_receive saw no other error",
          "on_receive got %d", seen.receive_err);
    err = mfcs_socket_free(s);
    check(err == MFCS_OK, "async: socket free works after it", "got %d", err);
}

static int reset_mode(unsigned port)
{
    HWND w;
    CHECK(mfcs_init());
    w = raw_window();
    if (!w) {
        printf("peer_exchange: no window: %lu\n", GetLastError());
        return 2;
    }
    {
        /* Recorded for the reader: a recv that is waiting when the reset
         * comes sees WSAECONNRESET under Wine too; a selected socket does not. */
        SOCKET raw = raw_dial(port, 'u');
        char buf[16];
        int n, total = 0;
        while ((n = recv(raw, buf, sizeof buf, 0)) > 0)
            total += n;
        printf("info: a plain blocking recv got %d bytes, then %d (error %d)\n", total, n,
               n < 0 ? WSAGetLastError() : 0);
        closesocket(raw);
    }
    archive_case(w, port, 'u', "u64 cut after 3 bytes", 3);
    archive_case(w, port, 's', "string of 100 cut after 10", 11);
    async_case(w, port);
    DestroyWindow(w);
    mfcs_term();
    printf("peer_exchange reset: %s\n", failures ? "FAILED" : "all checks passed");
    return failures ? 1 : 0;
}

/* ---- hostile: small Python peers that pause, dribble, nest and flood ----
 * tests/peers/slow_peer.py serves each scenario on its own connection; the
 * first byte C sends names it. Each check prints "check ok <name>" or
 * "check FAIL <name>: <what was seen>" (names hold no ": "). */

static unsigned hostile_port;
static int hostile_checks;

/* A check of the hostile mode, counted so the runner knows all ran. */
static void hcheck(int ok, const char *name, const char *fmt, ...)
{
    va_list ap;
    hostile_checks++;
    va_start(ap, fmt);
    vcheck(ok, name, fmt, ap);
    va_end(ap);
}

static const char *err_text(mfcs_err e)
{
    static char buf[4][96];
    static int at;
    char *b = buf[at++ % 4];
    snprintf(b, sizeof buf[0], "0x%08X (%s)", (unsigned)e, mfcs_strerror(e));
    return b;
}

/* A blocking socket connected to the peer, which has been told the
 * scenario; its timeout is then timeout_ms (0: none). */
static mfcs_socket *dial(char cmd, unsigned timeout_ms)
{
    mfcs_socket *s;
    CHECK(mfcs_socket_new(&s, MFCS_BLOCKING, NULL, NULL));
    CHECK(mfcs_socket_set_timeout(s, 10000));
    CHECK(mfcs_socket_create(s, 0, MFCS_STREAM, 0, NULL));
    CHECK(mfcs_socket_connect(s, "127.0.0.1", hostile_port));
    CHECK(mfcs_socket_send(s, &cmd, 1, 0, NULL));
    CHECK(mfcs_socket_set_timeout(s, timeout_ms));
    return s;
}

static mfcs_archive *loader(mfcs_file *f)
{
    mfcs_archive *ar;
    CHECK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
    return ar;
}

static void hang_up(mfcs_archive *ar, mfcs_file *f, mfcs_socket *s)
{
    if (ar)
        mfcs_archive_abort(ar);
    CHECK(mfcs_file_close(f));
    CHECK(mfcs_socket_free(s));
}

/* After a value read whole, the peer sent 7E: the stream is where it
 * should be, no byte lost or read twice. */
static void check_trailer(mfcs_archive *ar, const char *name)
{
    uint8_t t = 0;
    mfcs_err err = mfcs_archive_read_u8(ar, &t);
    hcheck(err == MFCS_OK && t == 0x7E, name, "got %s, byte %02X, want 7E", err_text(err), t);
}

static void check_time(ULONGLONG took, ULONGLONG lo, ULONGLONG hi, const char *name)
{
    printf("info: %s: %llu ms\n", name, took);
    hcheck(took >= lo && took < hi, name, "took %llu ms, want %llu to %llu", took, lo, hi);
}

/* 1. A read that times out gives back what it took: the peer sends 01,
 * pauses 1.5 s, sends 02..08; a new archive on the same file reads the
 * whole u64 after the abort. */
static void paused_u64(void)
{
    mfcs_socket *s = dial('u', 1000);
    mfcs_file *f;
    mfcs_archive *ar;
    uint64_t v = 0;
    ULONGLONG t0;
    mfcs_err err;
    CHECK(mfcs_file_open_socket(&f, s, 1));
    ar = loader(f);
    t0 = GetTickCount64();
    err = mfcs_archive_read_u64(ar, &v);
    hcheck(err == MFCS_E_TIMEOUT, "paused u64 read times out", "got %s, value %016llX", err_text(err),
           (unsigned long long)v);
    check_time(GetTickCount64() - t0, 900, 2500, "paused u64 times out after about the 1 s timeout");
    err = mfcs_archive_abort(ar);
    hcheck(err == MFCS_OK, "paused u64 archive aborts", "got %s", err_text(err));
    CHECK(mfcs_socket_set_timeout(s, 5000));
    ar = loader(f);
    err = mfcs_archive_read_u64(ar, &v);
    hcheck(err == MFCS_OK && v == 0x0807060504030201ull,
           "paused u64 is read whole by a new archive on the same file, its first byte too",
           "got %s, value %016llX, want 0807060504030201", err_text(err), (unsigned long long)v);
    check_trailer(ar, "paused u64 leaves the stream right after the value");
    hang_up(ar, f, s);
}

/* The same for a CString, read again through a new socket file. */
static void paused_string(void)
{
    mfcs_socket *s = dial('s', 1000);
    mfcs_file *f;
    mfcs_archive *ar;
    char *str = NULL;
    size_t len = 0;
    ULONGLONG t0;
    mfcs_err err;
    CHECK(mfcs_file_open_socket(&f, s, 1));
    ar = loader(f);
    t0 = GetTickCount64();
    err = mfcs_archive_read_string_a(ar, &str, NULL);
    hcheck(err == MFCS_E_TIMEOUT && str == NULL, "paused CString read times out and hands out no string",
           "got %s, string %s", err_text(err), str ? str : "(none)");
    check_time(GetTickCount64() - t0, 900, 2500, "paused CString times out after about the 1 s timeout");
    if (err == MFCS_OK)
        mfcs_free(str);
    str = NULL;
    err = mfcs_archive_abort(ar);
    hcheck(err == MFCS_OK, "paused CString archive aborts", "got %s", err_text(err));
    CHECK(mfcs_file_close(f));
    CHECK(mfcs_socket_set_timeout(s, 5000));
    CHECK(mfcs_file_open_socket(&f, s, 1));
    ar = loader(f);
    err = mfcs_archive_read_string_a(ar, &str, &len);
    hcheck(err == MFCS_OK && len == 5 && !strcmp(str, "abcde"),
           "paused CString is read whole by an archive on a new socket file, its length prefix too",
           "got %s, string \"%s\" (%u bytes), want \"abcde\"", err_text(err), str ? str : "", (unsigned)len);
    mfcs_free(str);
    check_trailer(ar, "paused CString leaves the stream right after the value");
    hang_up(ar, f, s);
}

/* The same after a cancel from another thread. It cancels until the read
 * has returned, so a cancel that came before the read began to wait (and
 * did nothing, as documented) cannot leave the read to succeed at 1.5 s. */
typedef struct canceller {
    mfcs_socket *s;
    volatile LONG done;
    int cancels;
    ULONGLONG first;    /* when the first cancel was made */
} canceller;

static DWORD WINAPI cancel_soon(void *arg)
{
    canceller *c = arg;
    Sleep(300);
    c->first = GetTickCount64();
    while (!c->done) {
        mfcs_socket_cancel_blocking_call(c->s);
        c->cancels++;
        Sleep(50);
    }
    return 0;
}

static void cancelled_u64(void)
{
    mfcs_socket *s = dial('c', 10000);
    mfcs_file *f;
    mfcs_archive *ar;
    canceller c;
    HANDLE t;
    uint64_t v = 0;
    ULONGLONG t0, took;
    mfcs_err err;
    CHECK(mfcs_file_open_socket(&f, s, 1));
    ar = loader(f);
    memset(&c, 0, sizeof c);
    c.s = s;
    t0 = GetTickCount64();
    t = CreateThread(NULL, 0, cancel_soon, &c, 0, NULL);
    if (!t) {
        printf("peer_exchange: CreateThread: %lu\n", GetLastError());
        exit(2);
    }
    err = mfcs_archive_read_u64(ar, &v);
    took = GetTickCount64() - t0;
    InterlockedExchange(&c.done, 1);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    if (c.cancels)
        printf("info: the read ended %lld ms after the first cancel, %d cancel calls made\n",
               (long long)(t0 + took) - (long long)c.first, c.cancels);
    hcheck(err == MFCS_E_CANCELLED, "paused u64 read is cancelled from another thread", "got %s, value %016llX",
           err_text(err), (unsigned long long)v);
    check_time(took, 250, 2500, "paused u64 cancel ends the read soon after the cancel");
    err = mfcs_archive_abort(ar);
    hcheck(err == MFCS_OK, "cancelled u64 archive aborts", "got %s", err_text(err));
    CHECK(mfcs_socket_set_timeout(s, 5000));
    ar = loader(f);
    err = mfcs_archive_read_u64(ar, &v);
    hcheck(err == MFCS_OK && v == 0x8877665544332211ull,
           "cancelled u64 is read whole by a new archive on the same file, its first byte too",
           "got %s, value %016llX, want 8877665544332211", err_text(err), (unsigned long long)v);
    check_trailer(ar, "cancelled u64 leaves the stream right after the value");
    hang_up(ar, f, s);
}

/* 2. A slow peer cannot stretch a read past its deadline: each byte comes
 * well inside the 1 s timeout, the value as a whole does not. */
static void dribbled_value(char cmd, const char *what, unsigned last_ms)
{
    mfcs_socket *s = dial(cmd, 1000);
    mfcs_file *f;
    mfcs_archive *ar;
    uint64_t v = 0;
    char *str = NULL, name[160];
    ULONGLONG t0, took;
    mfcs_err err;
    CHECK(mfcs_file_open_socket(&f, s, 1));
    ar = loader(f);
    t0 = GetTickCount64();
    err = cmd == 'U' ? mfcs_archive_read_u64(ar, &v) : mfcs_archive_read_string_a(ar, &str, NULL);
    took = GetTickCount64() - t0;
    snprintf(name, sizeof name, "%s read times out, its last byte due at %u ms", what, last_ms);
    hcheck(err == MFCS_E_TIMEOUT, name, "got %s after %llu ms", err_text(err), took);
    snprintf(name, sizeof name, "%s times out about 1 s after the read began", what);
    check_time(took, 900, 2500, name);
    if (err == MFCS_OK)
        mfcs_free(str);
    hang_up(ar, f, s);
}

/* The deadline covers a whole object: CPoint's serialize reads two LONGs,
 * each of which arrives within 0.8 s, the object within 1.4 s. */
static void dribbled_object(void)
{
    mfcs_socket *s = dial('O', 1000);
    mfcs_file *f;
    mfcs_archive *ar;
    void *p = NULL;
    const mfcs_class *cls = NULL;
    ULONGLONG t0, took;
    mfcs_err err;
    int live = points_live;
    CHECK(mfcs_file_open_socket(&f, s, 1));
    ar = loader(f);
    t0 = GetTickCount64();
    err = mfcs_archive_read_object(ar, cpoint, &p, NULL);
    took = GetTickCount64() - t0;
    hcheck(err == MFCS_E_TIMEOUT && p == NULL,
           "slow CPoint read_object times out, though each of its values came within 0.8 s",
           "got %s after %llu ms, object %p", err_text(err), took, p);
    check_time(took, 900, 2500, "slow CPoint times out about 1 s after the read began");
    hcheck(points_live == live, "slow CPoint half-made object was destroyed", "%d points live, %d before",
           points_live, live);
    if (p)
        point_destroy(p, NULL);
    p = NULL;
    err = mfcs_archive_abort(ar);
    hcheck(err == MFCS_OK, "slow CPoint archive aborts", "got %s", err_text(err));
    CHECK(mfcs_socket_set_timeout(s, 5000));
    ar = loader(f);
    err = mfcs_archive_read_object(ar, cpoint, &p, &cls);
    hcheck(err == MFCS_OK && p && cls == cpoint && ((point *)p)->x == -7 && ((point *)p)->y == 123456789,
           "slow CPoint is read whole by a new archive, class record and all",
           "got %s, object %p, x %d, y %d, want -7 and 123456789", err_text(err), p, p ? ((point *)p)->x : 0,
           p ? ((point *)p)->y : 0);
    if (p)
        point_destroy(p, NULL);
    check_trailer(ar, "slow CPoint leaves the stream right after the object");
    hang_up(ar, f, s);
}

/* 3. Nesting: the tree class of node_class.h. */
static void nested(char cmd, unsigned depth)
{
    mfcs_socket *s = dial(cmd, 10000);
    mfcs_file *f;
    mfcs_archive *ar;
    void *root = NULL;
    node *n;
    unsigned levels = 0;
    char name[160];
    mfcs_err err;
    CHECK(mfcs_file_open_socket(&f, s, 1));
    ar = loader(f);
    err = mfcs_archive_read_object(ar, node_class, &root, NULL);
    for (n = root; n; n = n->child)
        levels++;
    if (depth <= 64) {
        snprintf(name, sizeof name, "%u nested objects load at the default depth limit", depth);
        hcheck(err == MFCS_OK && levels == depth, name, "got %s, %u levels", err_text(err), levels);
    } else {
        snprintf(name, sizeof name, "%u nested objects get MFCS_E_LIMIT (default depth 64), no crash", depth);
        hcheck(err == MFCS_E_LIMIT && root == NULL, name, "got %s, %u levels", err_text(err), levels);
    }
    node_destroy(root, NULL);
    snprintf(name, sizeof name, "%u nested objects leave no node behind", depth);
    hcheck(nodes_live == 0, name, "%d nodes live", nodes_live);
    if (depth <= 64)
        check_trailer(ar, "64 nested objects leave the stream right after the chain");
    hang_up(ar, f, s);
}

/* 4. The object map: objects of an empty class, all the same pointer. */
static int one_object;
static void *MFCS_CALL shared_create(void *ctx) { (void)ctx; return &one_object; }
static void MFCS_CALL shared_destroy(void *o, void *ctx) { (void)o; (void)ctx; }
static mfcs_err MFCS_CALL empty_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    (void)ar; (void)o; (void)ctx;
    return MFCS_OK;
}
static const mfcs_class_ops empty_ops = { shared_create, empty_serialize, shared_destroy };
static mfcs_class *empty_class;

/* Objects read until the first error, with the map capped at 100,000. */
static mfcs_err read_flood(char cmd, mfcs_archive **ar, mfcs_file **f, mfcs_socket **s, size_t max, size_t *n,
                           int *others)
{
    void *o;
    mfcs_err err = MFCS_OK;
    *s = dial(cmd, 10000);
    CHECK(mfcs_file_open_socket(f, *s, 1));
    *ar = loader(*f);
    CHECK(mfcs_archive_set_limit(*ar, MFCS_LIMIT_OBJECTS, 100000, NULL));
    *n = 0;
    *others = 0;
    while (*n < max && (err = mfcs_archive_read_object(*ar, empty_class, &o, NULL)) == MFCS_OK) {
        *others += o != &one_object;
        (*n)++;
    }
    return err;
}

static void class_reference_flood(void)
{
    mfcs_archive *ar;
    mfcs_file *f;
    mfcs_socket *s;
    size_t n;
    int others;
    mfcs_err err = read_flood('F', &ar, &f, &s, (size_t)-1, &n, &others);
    hcheck(err == MFCS_E_LIMIT && n == 100000 - 2 && !others,
           "150,000 objects by class reference get MFCS_E_LIMIT after 99,998 (map capped at 100,000)",
           "got %s after %u objects (%d not the created one)", err_text(err), (unsigned)n, others);
    hang_up(ar, f, s);
}

/* A back reference makes no new object: MFC maps nothing for it. */
static void back_reference_flood(void)
{
    mfcs_archive *ar;
    mfcs_file *f;
    mfcs_socket *s;
    size_t n;
    int others;
    mfcs_err err = read_flood('B', &ar, &f, &s, 150001, &n, &others);
    hcheck(err == MFCS_OK && n == 150001 && !others,
           "one object and 150,000 back references to it all load under a 100,000-entry map cap",
           "got %s after %u objects (%d not the first one)", err_text(err), (unsigned)n, others);
    check_trailer(ar, "back references leave the stream right after the last one");
    hang_up(ar, f, s);
}

static int hostile_mode(unsigned port)
{
    hostile_port = port;
    CHECK(mfcs_init());
    CHECK(mfcs_class_register(&cpoint, "CPoint", 1, &point_ops, NULL));
    CHECK(mfcs_class_register(&node_class, "CNode", 0, &node_ops, NULL));
    CHECK(mfcs_class_register(&empty_class, "CEmpty", 0, &empty_ops, NULL));
    paused_u64();
    paused_string();
    cancelled_u64();
    dribbled_value('U', "slow u64 at a byte per 400 ms", 2800);
    dribbled_value('S', "slow 12-character CString at a byte per 300 ms", 3600);
    dribbled_object();
    nested('N', 10000);
    nested('6', 64);
    nested('7', 65);
    class_reference_flood();
    back_reference_flood();
    mfcs_term();
    printf("peer_exchange hostile: %d checks, %d failed\n", hostile_checks, failures);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    mfcs_socket *s, *l = NULL;
    mfcs_file *f;
    mfcs_archive *ar;
    int client = argc > 2 && !strcmp(argv[1], "client");
    if (argc > 2 && !strcmp(argv[1], "reset"))
        return reset_mode((unsigned)atoi(argv[2]));
    if (argc > 2 && !strcmp(argv[1], "hostile"))
        return hostile_mode((unsigned)atoi(argv[2]));
    if (!client && (argc < 2 || strcmp(argv[1], "server"))) {
        printf("usage: peer_exchange client <port> | server | reset <port> | hostile <port>\n");
        return 2;
    }
    CHECK(mfcs_init());
    CHECK(mfcs_class_register(&cpoint, "CPoint", 1, &point_ops, NULL));
    CHECK(mfcs_socket_new(&s, MFCS_BLOCKING, NULL, NULL));
    if (client) {
        CHECK(mfcs_socket_set_timeout(s, 30000));
        CHECK(mfcs_socket_create(s, 0, MFCS_STREAM, MFCS_ALL_EVENTS, NULL));
        CHECK(mfcs_socket_connect(s, "127.0.0.1", (unsigned)atoi(argv[2])));
    } else {
        unsigned port;
        CHECK(mfcs_socket_new(&l, MFCS_BLOCKING, NULL, NULL));
        CHECK(mfcs_socket_set_timeout(l, 30000));
        CHECK(mfcs_socket_create(l, 0, MFCS_STREAM, MFCS_ALL_EVENTS, "127.0.0.1"));
        CHECK(mfcs_socket_listen(l, 1));
        CHECK(mfcs_socket_sock_name(l, NULL, 0, &port));
        printf("port %u\n", port);
        fflush(stdout);
        CHECK(mfcs_socket_accept(l, s, NULL, 0, NULL));
        CHECK(mfcs_socket_set_timeout(s, 30000));
    }
    CHECK(mfcs_file_open_socket(&f, s, 1));
    if (client) {
        CHECK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
        write_request(ar);
        CHECK(mfcs_archive_close(ar));
        CHECK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
        check_reply(ar);
        CHECK(mfcs_archive_close(ar));
    } else {
        CHECK(mfcs_archive_open(&ar, f, MFCS_LOAD, 0));
        check_request(ar);
        CHECK(mfcs_archive_close(ar));
        CHECK(mfcs_archive_open(&ar, f, MFCS_STORE, 0));
        write_reply(ar);
        CHECK(mfcs_archive_close(ar));
    }
    CHECK(mfcs_file_close(f));
    CHECK(mfcs_socket_free(s));
    if (l)
        CHECK(mfcs_socket_free(l));
    mfcs_term();
    printf("peer_exchange %s: %s\n", argv[1], failures ? "MISMATCH" : "all values as written");
    return failures ? 1 : 0;
}
