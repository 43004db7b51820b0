/*
 * file_socket.c: socket files (MFC's CSocketFile) on blocking stream
 * sockets. The file refers to its socket by handle, so a socket closed or
 * freed under it is noticed (MFCS_E_STATE) rather than used.
 *
 * fill() is what makes archives over sockets both safe and fast: it takes,
 * in one recv, whatever has already arrived (up to 256 KiB, holding what
 * the archive's buffer has no room for in the socket), and waits (pumping
 * messages) only while it has fewer bytes than the value being read needs.
 */
#include "socket.h"
#include "file.h"

#include <stdlib.h>

typedef struct socket_file {
    mfcs__file head;
    mfcs_socket *sock;
} socket_file;

/* The file's socket, pinned, if it is still there with a SOCKET, for the
 * thread that owns it now (a socket closed and created again elsewhere has
 * moved); mfcs__socket_put when done. MFCS_E_STATE: gone for good. */
static mfcs_err sock_of(mfcs__file *f, mfcs__socket **out)
{
    mfcs_err err = mfcs__socket_get(((socket_file *)f)->sock, out);
    if (err == MFCS_E_BADHANDLE)
        return MFCS_E_STATE;
    if (!err && (*out)->s == INVALID_SOCKET) {
        mfcs__socket_put(*out);
        return MFCS_E_STATE;
    }
    return err;
}

/* Also the file's flush: nothing is buffered here (CSocketFile::Flush). */
static mfcs_err sf_usable(mfcs__file *f)
{
    mfcs__socket *s;
    mfcs_err err = sock_of(f, &s);
    if (!err)
        mfcs__socket_put(s);
    return err;
}

/* A wait of a whole archive call ends at the socket's timeout from now. */
static uint64_t sf_deadline(mfcs__file *f)
{
    mfcs__socket *s;
    uint64_t d = 0;
    if (sock_of(f, &s) == MFCS_OK) {
        d = mfcs__deadline(s);
        mfcs__socket_put(s);
    }
    return d;
}

static mfcs_err put_err(mfcs__socket *s, mfcs_err err)
{
    mfcs__socket_put(s);
    return err;
}

typedef struct chunk {
    char *buf;
    int len, got;
} chunk;

static mfcs_err recv_chunk(mfcs__socket *s, void *p)
{
    chunk *c = (chunk *)p;
    return mfcs__socket_recv_ahead(s, c->buf, c->len, &c->got);
}

static mfcs_err sf_fill(mfcs__file *f, void *buf, size_t need, size_t cap, size_t *got, uint64_t deadline)
{
    mfcs__socket *s;
    size_t total;
    chunk c;
    mfcs_err err = sock_of(f, &s);
    *got = 0;
    if (err)
        return err;
    if (s->in_call) {
        mfcs__socket_put(s);
        return MFCS_E_INPROGRESS;
    }
    if (cap > 0x7FFFFFFF)
        cap = 0x7FFFFFFF;
    /* One deadline for the whole read, however many bytes a slow peer
     * sends on the way: the socket's timeout from now, unless the archive
     * call it serves started the clock earlier. */
    if (!deadline)
        deadline = mfcs__deadline(s);
    /* Held bytes come first; when they are enough, no socket call at all. */
    total = 0;
    while (total < need) {
        c.buf = (char *)buf + total;
        c.len = (int)(cap - total);
        c.got = 0;
        err = recv_chunk(s, &c);
        if (err == WSAEWOULDBLOCK)
            err = mfcs__blocking_run(s, FD_READ, recv_chunk, &c, (ULONGLONG)deadline);
        if (err) {
            *got = total;        /* fewer than needed: they and the error go back */
            mfcs__socket_put(s);
            return err;
        }
        if (c.got == 0)
            break;       /* the peer closed */
        total += (size_t)c.got;
    }
    *got = total;
    mfcs__socket_put(s);
    return MFCS_OK;
}

typedef struct out_chunk {
    const char *buf;
    size_t len, done;
} out_chunk;

static mfcs_err send_chunks(mfcs__socket *s, void *p)
{
    out_chunk *c = (out_chunk *)p;
    while (c->done < c->len) {
        size_t left = c->len - c->done;
        int n = send(s->s, c->buf + c->done, left > 0x40000000 ? 0x40000000 : (int)left, 0);
        if (n == SOCKET_ERROR)
            return WSAGetLastError();
        c->done += (size_t)n;
    }
    return MFCS_OK;
}

static mfcs_err sf_write(mfcs__file *f, const void *buf, size_t len)
{
    mfcs__socket *s;
    out_chunk c;
    mfcs_err err = sock_of(f, &s);
    if (err)
        return err;
    if (s->in_call)    /* checked before a byte goes, or the peer gets them interleaved */
        return put_err(s, MFCS_E_INPROGRESS);
    c.buf = (const char *)buf;
    c.len = len;
    c.done = 0;
    /* Try first: a socket with room sends without touching the wait. */
    err = send_chunks(s, &c);
    if (err == WSAEWOULDBLOCK)
        err = mfcs__blocking_run(s, FD_WRITE, send_chunks, &c, mfcs__deadline(s));
    return put_err(s, err);
}

static mfcs_err sf_unread(mfcs__file *f, const void *buf, size_t len)
{
    mfcs__socket *s;
    mfcs_err err = sock_of(f, &s);
    return err ? err : put_err(s, mfcs__socket_unread(s, buf, len));
}

/* mfcs_archive_open's gate: the socket's actual type now, not what it was. */
static mfcs_err sf_check_archive(mfcs__file *f)
{
    mfcs__socket *s;
    int type = 0, len = sizeof type;
    mfcs_err err = sock_of(f, &s);
    if (err)
        return err;
    if (getsockopt(s->s, SOL_SOCKET, SO_TYPE, (char *)&type, &len) == SOCKET_ERROR)
        return put_err(s, WSAGetLastError());
    return put_err(s, type == SOCK_STREAM ? MFCS_OK : MFCS_E_NOTSTREAM);
}

static void sf_destroy(mfcs__file *f)
{
    free(f);   /* a socket file never closes its socket */
}

static const mfcs__file_ops socket_ops = {
    "socket", sf_fill, sf_write, sf_usable, NULL, NULL, sf_unread, sf_check_archive, sf_destroy,
    sf_usable, sf_deadline
};

mfcs_err MFCS_CALL mfcs_file_open_socket(mfcs_file **out, mfcs_socket *h, int archive_compatible)
{
    mfcs__socket *s;
    socket_file *f;
    int type = 0, len = sizeof type;
    mfcs_err err;
    if (!out)
        return MFCS_E_INVALIDARG;
    *out = NULL;
    if ((err = mfcs__socket_get(h, &s)) != MFCS_OK)
        return err;
    if (s->s == INVALID_SOCKET)
        return put_err(s, MFCS_E_STATE);
    if (getsockopt(s->s, SOL_SOCKET, SO_TYPE, (char *)&type, &len) == SOCKET_ERROR)
        return put_err(s, WSAGetLastError());
    if (type != SOCK_STREAM)
        return put_err(s, MFCS_E_NOTSTREAM);
    if (s->mode != MFCS_BLOCKING)
        return put_err(s, MFCS_E_NOTBLOCKING);
    f = (socket_file *)calloc(1, sizeof *f);
    if (!f)
        return put_err(s, MFCS_E_NOMEM);
    f->head.ops = &socket_ops;
    f->head.owner = s->ts->tid;
    f->sock = h;
    /* CSocketFile(pSocket, FALSE): a stand-alone read loops until all len
     * bytes came. An archive asks only for what its value is missing either
     * way, so this never makes an archive read ahead. */
    f->head.read_all = !archive_compatible;
    mfcs__socket_put(s);
    return mfcs__file_register(&f->head, out);
}
