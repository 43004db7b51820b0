/* file_transfer: sends a file over a blocking socket (CSocket) through a
 * socket file (CSocketFile) and archives (CArchive), as an MFC program would:
 * the name (CString), the size (ULONGLONG), the contents in chunks, each a
 * count and raw bytes (like a CByteArray), and a checksum; the receiver
 * prints a progress line and checks everything.
 *
 *   file_transfer receive <port> <out_dir>   (port 0: any; it prints the port)
 *   file_transfer send <port> <path>         (to 127.0.0.1)
 *   file_transfer selftest <path>             (both, on two threads)
 * Exits 0 when the received file is complete and its checksum matches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mfcsock.h>

#define CHUNK 65536

static uint32_t adler(uint32_t a, const unsigned char *p, size_t n)
{
    uint32_t s1 = a & 0xFFFF, s2 = a >> 16;
    while (n--) {
        s1 = (s1 + *p++) % 65521;
        s2 = (s2 + s1) % 65521;
    }
    return (s2 << 16) | s1;
}

static const char *base_name(const char *path)
{
    const char *b = path, *p;
    for (p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return b;
}

/* Errors are sticky, so a transfer checks once; when it failed, the
 * archive says which call met the error and where in the stream. */
static void where_it_failed(const char *who, mfcs_archive *ar)
{
    mfcs_err first;
    const char *call;
    uint64_t at;
    if (mfcs_archive_error_detail(ar, &first, &call, &at) == MFCS_OK && first != MFCS_OK)
        printf("%s: %s failed at byte %llu of the stream: %s\n", who, call ? call : "?",
               (unsigned long long)at, mfcs_strerror(first));
}

static mfcs_err send_file(unsigned port, const char *path)
{
    mfcs_socket *s;
    mfcs_file *disk, *sf;
    mfcs_archive *ar;
    unsigned char *buf = malloc(CHUNK);
    uint64_t size;
    uint32_t sum = 1;
    size_t n;
    mfcs_err err;
    if ((err = mfcs_file_open_path(&disk, path, MFCS_FILE_READ)) != MFCS_OK)
        return err;
    mfcs_file_length(disk, &size);
    if ((err = mfcs_socket_new(&s, MFCS_BLOCKING, NULL, NULL)) ||
        (err = mfcs_socket_create(s, 0, MFCS_STREAM, MFCS_ALL_EVENTS, NULL)) ||
        (err = mfcs_socket_connect(s, "127.0.0.1", port)) ||
        (err = mfcs_file_open_socket(&sf, s, 1)) ||
        (err = mfcs_archive_open(&ar, sf, MFCS_STORE, CHUNK)))
        return err;
    mfcs_archive_write_string(ar, base_name(path));
    mfcs_archive_write_u64(ar, size);
    /* errors are sticky: check once at the end */
    while (mfcs_file_read(disk, buf, CHUNK, &n) == MFCS_OK && n > 0) {
        sum = adler(sum, buf, n);
        mfcs_archive_write_count(ar, n);
        mfcs_archive_write(ar, buf, n);
    }
    mfcs_archive_write_count(ar, 0);
    mfcs_archive_write_u32(ar, sum);
    where_it_failed("send", ar);
    err = mfcs_archive_close(ar);
    mfcs_file_close(sf);
    mfcs_socket_free(s);
    mfcs_file_close(disk);
    free(buf);
    printf("send: %s, %llu bytes, checksum %08X: %s\n", base_name(path), (unsigned long long)size,
           (unsigned)sum, mfcs_strerror(err));
    return err;
}

static unsigned listen_port;
static HANDLE listening;

static mfcs_err receive_file(unsigned port, const char *out_dir)
{
    mfcs_socket *l, *s;
    mfcs_file *sf, *disk = NULL;
    mfcs_archive *ar;
    unsigned char *buf = malloc(CHUNK);
    char *name = NULL, path[1024];
    uint64_t size, got = 0, n;
    uint32_t sum = 1, theirs = 0;
    int last_pct = -1;
    mfcs_err err;
    if ((err = mfcs_socket_new(&l, MFCS_BLOCKING, NULL, NULL)) ||
        (err = mfcs_socket_create(l, port, MFCS_STREAM, MFCS_ALL_EVENTS, "127.0.0.1")) ||
        (err = mfcs_socket_listen(l, 1)) ||
        (err = mfcs_socket_sock_name(l, NULL, 0, &listen_port)))
        return err;
    printf("receive: listening on port %u\n", listen_port);
    fflush(stdout);
    if (listening)
        SetEvent(listening);
    if ((err = mfcs_socket_new(&s, MFCS_BLOCKING, NULL, NULL)) ||
        (err = mfcs_socket_set_timeout(s, 30000)) ||
        (err = mfcs_socket_accept(l, s, NULL, 0, NULL)) ||
        (err = mfcs_socket_set_timeout(s, 30000)) ||
        (err = mfcs_file_open_socket(&sf, s, 1)) ||
        (err = mfcs_archive_open(&ar, sf, MFCS_LOAD, CHUNK)))
        return err;
    mfcs_archive_read_string(ar, &name, NULL);
    if ((err = mfcs_archive_read_u64(ar, &size)) == MFCS_OK) {   /* sticky: covers the name too */
        snprintf(path, sizeof path, "%s/%s", out_dir, base_name(name));
        err = mfcs_file_open_path(&disk, path, MFCS_FILE_WRITE | MFCS_FILE_CREATE);
    }
    while (err == MFCS_OK) {
        if ((err = mfcs_archive_read_count(ar, &n)) != MFCS_OK || n == 0)
            break;
        if (n > CHUNK) {
            err = MFCS_E_FORMAT;
            break;
        }
        if ((err = mfcs_archive_read(ar, buf, (size_t)n, NULL)) != MFCS_OK)
            break;
        sum = adler(sum, buf, (size_t)n);
        got += n;
        err = mfcs_file_write(disk, buf, (size_t)n);
        if (size && (int)(got * 100 / size) / 10 != last_pct) {
            last_pct = (int)(got * 100 / size) / 10;
            printf("\rreceive: %s %3d%% (%llu of %llu bytes)", name, (int)(got * 100 / size),
                   (unsigned long long)got, (unsigned long long)size);
            fflush(stdout);
        }
    }
    if (err == MFCS_OK)
        err = mfcs_archive_read_u32(ar, &theirs);
    printf("\n");
    where_it_failed("receive", ar);
    if (err == MFCS_OK && (got != size || theirs != sum))
        err = MFCS_E_FORMAT;
    printf("receive: %s, %llu bytes, checksum %08X (sender said %08X): %s\n", name ? name : "?",
           (unsigned long long)got, (unsigned)sum, (unsigned)theirs,
           err == MFCS_OK ? "complete" : mfcs_strerror(err));
    mfcs_archive_close(ar);
    mfcs_file_close(sf);
    if (disk)
        mfcs_file_close(disk);
    mfcs_socket_free(s);
    mfcs_socket_free(l);
    mfcs_free(name);
    free(buf);
    return err;
}

static const char *selftest_dir;
static mfcs_err selftest_result;
static DWORD WINAPI receiver_thread(void *arg)
{
    (void)arg;
    selftest_result = receive_file(0, selftest_dir);
    mfcs_thread_term();
    return 0;
}

int main(int argc, char **argv)
{
    mfcs_err err;
    if (argc < 3) {
        printf("usage: file_transfer receive <port> <out_dir> | send <port> <path> | selftest <path>\n");
        return 2;
    }
    if ((err = mfcs_init()) != MFCS_OK) {
        printf("mfcs_init: %s\n", mfcs_strerror(err));
        return 1;
    }
    if (!strcmp(argv[1], "receive") && argc > 3) {
        err = receive_file((unsigned)atoi(argv[2]), argv[3]);
    } else if (!strcmp(argv[1], "send") && argc > 3) {
        err = send_file((unsigned)atoi(argv[2]), argv[3]);
    } else if (!strcmp(argv[1], "selftest")) {
        /* receive into a folder beside the file, under a new name */
        static char dir[1024];
        HANDLE t;
        snprintf(dir, sizeof dir, "%s.received", argv[2]);
        CreateDirectoryA(dir, NULL);
        selftest_dir = dir;
        listening = CreateEventA(NULL, TRUE, FALSE, NULL);
        t = CreateThread(NULL, 0, receiver_thread, NULL, 0, NULL);
        WaitForSingleObject(listening, 10000);
        err = send_file(listen_port, argv[2]);
        WaitForSingleObject(t, 60000);
        CloseHandle(t);
        if (err == MFCS_OK)
            err = selftest_result;
    } else {
        printf("unknown command %s\n", argv[1]);
        err = MFCS_E_INVALIDARG;
    }
    mfcs_term();
    return err == MFCS_OK ? 0 : 1;
}
