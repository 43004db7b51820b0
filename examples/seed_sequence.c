/* seed_sequence: MFC's "Windows Sockets: Sequence of Operations" table,
 * translated line by line into C with mfcsock. The server runs on a second
 * thread, the client on the main one; they exchange a DWORD, a string and
 * objects through CSocket + CSocketFile + CArchive, byte for byte as MFC. */
#include <stdio.h>
#include <stdlib.h>

#include <mfcsock.h>

#include <string.h>

#define CHECK(call) do { mfcs_err e_ = (call); if (e_ != MFCS_OK) { \
    printf("%s failed: %s\n", #call, mfcs_strerror(e_)); exit(1); } } while (0)
/* A call that succeeds can still decode the wrong value: the example is run
 * as a test, so every value received is compared with what was sent. */
#define EXPECT(cond, ...) do { if (!(cond)) { printf("MISMATCH: " __VA_ARGS__); \
    printf("\n"); exit(1); } } while (0)

/* A CPoint-like serializable class (DECLARE_SERIAL / IMPLEMENT_SERIAL). */
typedef struct point { int32_t x, y; } point;
static void *MFCS_CALL point_create(void *ctx) { (void)ctx; return calloc(1, sizeof(point)); }
static void MFCS_CALL point_destroy(void *o, void *ctx) { (void)ctx; free(o); }
static mfcs_err MFCS_CALL point_serialize(mfcs_archive *ar, void *o, void *ctx)
{
    point *p = (point *)o;
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

/* What the client sends; the server checks it received exactly this. */
#define SENT_DWORD 0xDEADBEEFu
static const char sent_text[] = "hello from C";
static const point sent_a = { 1, 2 }, sent_b = { 3, 4 };

static mfcs_class *cpoint;
static unsigned server_port;
static HANDLE server_ready;

static DWORD WINAPI server(void *arg)
{
    mfcs_socket *sockSrvr, *sockRecv;
    mfcs_file *file;
    mfcs_archive *arIn, *arOut;
    uint32_t dwValue;
    char *text, peer[64];
    void *p1, *p2, *p3;
    (void)arg;
    /* 1 */ CHECK(mfcs_socket_new(&sockSrvr, MFCS_BLOCKING, NULL, NULL));
    /* 2 */ CHECK(mfcs_socket_create(sockSrvr, 0, MFCS_STREAM, MFCS_ALL_EVENTS, "127.0.0.1"));
    /* 3 */ CHECK(mfcs_socket_listen(sockSrvr, 5));
    CHECK(mfcs_socket_sock_name(sockSrvr, NULL, 0, &server_port));
    printf("server: 1-3 created and listening on port %u\n", server_port);
    SetEvent(server_ready);
    /* 5 */ CHECK(mfcs_socket_new(&sockRecv, MFCS_BLOCKING, NULL, NULL));
    CHECK(mfcs_socket_accept(sockSrvr, sockRecv, peer, sizeof peer, NULL));
    printf("server: 5   accepted a connection from %s\n", peer);
    /* 6 */ CHECK(mfcs_file_open_socket(&file, sockRecv, 1));
    /* 7 */ CHECK(mfcs_archive_open(&arIn, file, MFCS_LOAD, 0));
    /* 8 */ CHECK(mfcs_archive_read_u32(arIn, &dwValue));
    CHECK(mfcs_archive_read_string(arIn, &text, NULL));
    CHECK(mfcs_archive_read_object(arIn, cpoint, &p1, NULL));
    CHECK(mfcs_archive_read_object(arIn, cpoint, &p2, NULL));
    CHECK(mfcs_archive_read_object(arIn, cpoint, &p3, NULL));
    EXPECT(p1 && p2, "server read a null object (%p, %p)", p1, p2);
    printf("server: 8   read DWORD 0x%08X, \"%s\", points (%d,%d) (%d,%d), third is %s\n",
           (unsigned)dwValue, text, ((point *)p1)->x, ((point *)p1)->y, ((point *)p2)->x,
           ((point *)p2)->y, p3 == p1 ? "a back reference to the first" : "a new object");
    EXPECT(dwValue == SENT_DWORD, "server read DWORD 0x%08X, client sent 0x%08X",
           (unsigned)dwValue, SENT_DWORD);
    EXPECT(strcmp(text, sent_text) == 0, "server read \"%s\", client sent \"%s\"", text, sent_text);
    EXPECT(((point *)p1)->x == sent_a.x && ((point *)p1)->y == sent_a.y,
           "first point read as (%d,%d), client sent (%d,%d)", ((point *)p1)->x,
           ((point *)p1)->y, sent_a.x, sent_a.y);
    EXPECT(((point *)p2)->x == sent_b.x && ((point *)p2)->y == sent_b.y,
           "second point read as (%d,%d), client sent (%d,%d)", ((point *)p2)->x,
           ((point *)p2)->y, sent_b.x, sent_b.y);
    EXPECT(p2 != p1, "the second point came back as the first object");
    EXPECT(p3 == p1, "the third reference was sent as a back reference to the first point, "
           "but read as %p, not %p", p3, p1);
    CHECK(mfcs_archive_close(arIn));
    /* and an answer the other way */
    CHECK(mfcs_archive_open(&arOut, file, MFCS_STORE, 0));
    CHECK(mfcs_archive_write_u32(arOut, dwValue + 1));
    CHECK(mfcs_archive_close(arOut));
    printf("server: 8   wrote DWORD 0x%08X back\n", (unsigned)dwValue + 1);
    mfcs_free(text);
    point_destroy(p1, NULL);
    point_destroy(p2, NULL);
    CHECK(mfcs_file_close(file));
    CHECK(mfcs_socket_free(sockRecv));
    CHECK(mfcs_socket_free(sockSrvr));
    mfcs_thread_term();
    return 0;
}

int main(void)
{
    static const mfcs_class_ops ops = { point_create, point_serialize, point_destroy };
    mfcs_socket *sockClient;
    mfcs_file *file;
    mfcs_archive *arOut, *arIn;
    point a = sent_a, b = sent_b;
    uint32_t answer;
    HANDLE t;

    printf("mfcsock %s: MFC's socket sequence in C\n", mfcs_version());
    CHECK(mfcs_init());
    CHECK(mfcs_class_register(&cpoint, "CPoint", 1, &ops, NULL));
    server_ready = CreateEventA(NULL, TRUE, FALSE, NULL);
    t = CreateThread(NULL, 0, server, NULL, 0, NULL);
    WaitForSingleObject(server_ready, INFINITE);

    /* 1 */ CHECK(mfcs_socket_new(&sockClient, MFCS_BLOCKING, NULL, NULL));
    /* 2 */ CHECK(mfcs_socket_create(sockClient, 0, MFCS_STREAM, MFCS_ALL_EVENTS, NULL));
    /* 4 */ CHECK(mfcs_socket_connect(sockClient, "127.0.0.1", server_port));
    printf("client: 1-4 connected to 127.0.0.1:%u\n", server_port);
    /* 6 */ CHECK(mfcs_file_open_socket(&file, sockClient, 1));
    /* 7 */ CHECK(mfcs_archive_open(&arOut, file, MFCS_STORE, 0));
    /* 8 */ CHECK(mfcs_archive_write_u32(arOut, SENT_DWORD));
    CHECK(mfcs_archive_write_string(arOut, sent_text));
    CHECK(mfcs_archive_write_object(arOut, cpoint, &a));
    CHECK(mfcs_archive_write_object(arOut, cpoint, &b));
    CHECK(mfcs_archive_write_object(arOut, cpoint, &a));
    CHECK(mfcs_archive_close(arOut));     /* nothing is sent before flush or close */
    printf("client: 8   wrote DWORD, string and three object references\n");
    CHECK(mfcs_archive_open(&arIn, file, MFCS_LOAD, 0));
    CHECK(mfcs_archive_read_u32(arIn, &answer));
    CHECK(mfcs_archive_close(arIn));
    printf("client: 8   read the answer 0x%08X\n", (unsigned)answer);
    CHECK(mfcs_file_close(file));
    CHECK(mfcs_socket_free(sockClient));
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    CloseHandle(server_ready);
    mfcs_term();
    EXPECT(answer == SENT_DWORD + 1, "client read the answer 0x%08X, want 0x%08X (the DWORD plus one)",
           (unsigned)answer, SENT_DWORD + 1);
    printf("done: the sequence worked\n");
    return 0;
}
