/* The fuzz corpus (tests/fuzz/corpus) through a real loopback socket: each
 * input is walked by a socket archive exactly as the libFuzzer target walks
 * it (tests/fuzz/fuzz_walk.h), and must give the same result as the same
 * bytes in a memory file: the same number of successful calls and the same
 * final error, for a first archive and for a second one opened after it,
 * which starts with the bytes the first handed back. So the socket path
 * (partial receives, hand-back, a peer that closes) reads hostile input
 * the way the fuzzed memory path does: never a crash, a hang or a
 * difference. */
#include "socket_util.h"

#include "fuzz/fuzz_walk.h"

TestSuite(corpus, .init = init_lib, .fini = term_lib);

typedef struct sender { SOCKET s; const unsigned char *data; int len; HANDLE t; } sender;

/* Sends everything, says it is done, and waits for the reader to close. */
static DWORD WINAPI send_all_then_close(void *p)
{
    sender *sd = p;
    char c;
    int done = 0, n;
    while (done < sd->len && (n = send(sd->s, (const char *)sd->data + done, sd->len - done, 0)) > 0)
        done += n;
    shutdown(sd->s, SD_SEND);
    while (recv(sd->s, &c, 1, 0) > 0)
        ;
    closesocket(sd->s);
    return 0;
}

static unsigned char *read_whole(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *d;
    long n;
    cr_assert_not_null(fp, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    d = malloc(n > 0 ? (size_t)n : 1);
    cr_assert_not_null(d);
    cr_assert_eq(fread(d, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return d;
}

Test(corpus, every_input_reads_through_a_socket_as_through_memory, .timeout = 600)
{
    char pattern[MAX_PATH], path[MAX_PATH];
    WIN32_FIND_DATAA fd;
    HANDLE find;
    unsigned port, inputs = 0, ended_early = 0;
    mfcs_socket *l = listener(MFCS_BLOCKING, NULL, NULL, &port);

    fuzz_setup();
    snprintf(pattern, sizeof pattern, "%s/*", MFCS_FUZZ_CORPUS_DIR);
    find = FindFirstFileA(pattern, &fd);
    cr_assert_neq(find, INVALID_HANDLE_VALUE, "no corpus at %s", MFCS_FUZZ_CORPUS_DIR);
    do {
        size_t len;
        unsigned char *d;
        uint8_t mode;
        mfcs_file *f;
        mfcs_socket *s;
        sender sd;
        fuzz_result mem[2], net[2];
        int i;
        if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
            continue;
        snprintf(path, sizeof path, "%s/%s", MFCS_FUZZ_CORPUS_DIR, fd.cFileName);
        d = read_whole(path, &len);
        if (len == 0) {
            free(d);
            continue;
        }
        mode = d[0];

        OK(mfcs_file_open_memory(&f, d + 1, len - 1));
        mem[0] = fuzz_walk(f, mode);
        mem[1] = fuzz_walk(f, mode);
        OK(mfcs_file_close(f));
        fuzz_release();

        sd.s = raw_connect(port);
        sd.data = d + 1;
        sd.len = (int)(len - 1);
        OK(mfcs_socket_new(&s, MFCS_BLOCKING, NULL, NULL));
        OK(mfcs_socket_accept(l, s, NULL, 0, NULL));
        OK(mfcs_socket_set_timeout(s, 20000));   /* a hang shows as MFCS_E_TIMEOUT */
        sd.t = CreateThread(NULL, 0, send_all_then_close, &sd, 0, NULL);
        OK(mfcs_file_open_socket(&f, s, 1));
        net[0] = fuzz_walk(f, mode);
        net[1] = fuzz_walk(f, mode);
        OK(mfcs_file_close(f));
        OK(mfcs_socket_free(s));
        cr_assert_eq(WaitForSingleObject(sd.t, 20000), WAIT_OBJECT_0, "%s: the sender hung", fd.cFileName);
        CloseHandle(sd.t);
        fuzz_release();

        for (i = 0; i < 2; i++) {
            cr_assert_eq(net[i].steps, mem[i].steps, "%s, archive %d: %u calls through the socket, %u in memory",
                         fd.cFileName, i + 1, net[i].steps, mem[i].steps);
            cr_assert_eq(net[i].err, mem[i].err, "%s, archive %d: ended with %d (%s) through the socket, "
                         "%d (%s) in memory", fd.cFileName, i + 1, net[i].err, mfcs_strerror(net[i].err),
                         mem[i].err, mfcs_strerror(mem[i].err));
        }
        ended_early += mem[0].err != MFCS_E_EOF && mem[0].err != MFCS_E_END;
        inputs++;
        free(d);
    } while (FindNextFileA(find, &fd));
    FindClose(find);
    OK(mfcs_socket_free(l));
    cr_assert_gt(inputs, 100, "only %u corpus inputs", inputs);
    /* The corpus is mostly hostile: many walks end on an error of the
     * format, not only at the end of the bytes. */
    cr_assert_gt(ended_early, inputs / 10, "%u of %u inputs ended before the end of their bytes",
                 ended_early, inputs);
    cr_log_info("%u inputs, %u ended on a format, limit or class error", inputs, ended_early);
}
