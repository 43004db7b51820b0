/* libFuzzer target: arbitrary bytes through every archive read call and
 * object loading (fuzz_walk.h). Built on Linux by tests/fuzz/build.sh (the
 * codec and the memory file include no Windows header). The first byte
 * picks a buffer size, limits and the kind of file; the rest is the stream.
 * Every call must return, with MFCS_OK or a specific error, and leave
 * nothing allocated.
 *
 * Socket files cannot run here, so a "chunked" file stands in for one: it
 * hands the archive at least what a value needs but otherwise at most a
 * few bytes per fill, as recv returns whatever has arrived, and takes
 * unread bytes back; after the first archive closes a second one goes on
 * reading the same file, as one archive per message does on a socket. The
 * socket replay of this corpus (tests/test_corpus.c) checks that a real
 * socket reads each input exactly as the memory file does. */
#include "fuzz_walk.h"

#include "file.h"   /* the internal file interface, to add the chunked kind */

typedef struct chunked {
    mfcs__file head;
    const uint8_t *data;
    size_t len, pos, chunk;
} chunked;

static mfcs_err ch_fill(mfcs__file *f, void *buf, size_t need, size_t cap, size_t *got, uint64_t deadline)
{
    chunked *c = (chunked *)f;
    (void)deadline;
    size_t n = c->chunk < need ? need : c->chunk;
    if (n > cap)
        n = cap;
    if (n > c->len - c->pos)
        n = c->len - c->pos;
    memcpy(buf, c->data + c->pos, n);
    c->pos += n;
    *got = n;
    return MFCS_OK;
}

static mfcs_err ch_write(mfcs__file *f, const void *buf, size_t len)
{
    (void)f; (void)buf; (void)len;
    return MFCS_E_UNSUPPORTED;
}

static mfcs_err ch_unread(mfcs__file *f, const void *buf, size_t len)
{
    chunked *c = (chunked *)f;
    if (len > c->pos || memcmp(c->data + c->pos - len, buf, len) != 0)
        abort();   /* the archive handed back bytes it never took */
    c->pos -= len;
    return MFCS_OK;
}

static void ch_destroy(mfcs__file *f)
{
    free(f);
}

static const mfcs__file_ops chunked_ops = {
    "chunked", ch_fill, ch_write, NULL, NULL, NULL, ch_unread, NULL, ch_destroy, NULL, NULL
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mfcs_file *f;
    uint8_t mode;
    fuzz_setup();
    if (size < 1)
        return 0;
    mode = data[0];
    if (FUZZ_CHUNKED(mode)) {
        chunked *c = (chunked *)calloc(1, sizeof *c);
        if (!c)
            abort();
        c->head.ops = &chunked_ops;
        c->data = data + 1;
        c->len = size - 1;
        c->chunk = FUZZ_CHUNK(mode);
        if (mfcs__file_register(&c->head, &f) != MFCS_OK)
            abort();
        fuzz_walk(f, mode);
        fuzz_walk(f, mode);    /* a second archive after the first handed back */
    } else {
        if (mfcs_file_open_memory(&f, data + 1, size - 1) != MFCS_OK)
            abort();
        fuzz_walk(f, mode);
    }
    if (mfcs_file_close(f) != MFCS_OK)
        abort();   /* an archive was left open on it */
    fuzz_release();
    return 0;
}
