/* The Wine side of tests/peers/run_exchange.py: exchanges MFC archives with
 * an independent Python implementation of the format, over loopback.
 *   peer_exchange client <port>   connect, send the request, check the reply
 *   peer_exchange server          listen, print "port N", check the request, reply
 * Exits 0 only when every value it read is what the other side wrote. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mfcsock.h>

static int failures;
#define CHECK(call) do { mfcs_err e_ = (call); if (e_ != MFCS_OK) { \
    printf("peer_exchange: %s failed: %s\n", #call, mfcs_strerror(e_)); exit(2); } } while (0)
#define EXPECT(cond) do { if (!(cond)) { printf("peer_exchange: expected %s\n", #cond); failures++; } } while (0)

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
    CHECK(mfcs_archive_write_line(ar, line));
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
    CHECK(mfcs_archive_read_line(ar, line, sizeof line, &len)); EXPECT(!strcmp(line, "line one"));
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

int main(int argc, char **argv)
{
        mfcs_socket *s, *l = NULL;
    mfcs_file *f;
    mfcs_archive *ar;
    int client = argc > 2 && !strcmp(argv[1], "client");
    if (!client && (argc < 2 || strcmp(argv[1], "server"))) {
        printf("usage: peer_exchange client <port> | server\n");
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
