/*
 * socket_held.c: bytes a socket holds. A loading archive that stops before
 * the end of what it took hands the rest back (closing, aborting, a failed
 * value), and a socket file receives ahead of what its archive asked for;
 * either way the bytes stay with the socket, and its next receive of any
 * kind (raw, socket file, new archive) returns them first, FIONREAD counts
 * them, and an FD_READ of the library's own announces them.
 */
#include "socket.h"

#include <stdlib.h>
#include <string.h>

/* What one receive for a socket file may take, in all (see socket.h). */
#define READ_AHEAD (256 * 1024)

/* Held bytes make the socket readable though Winsock has no news: post the
 * FD_READ that brings on_receive, as Winsock would for bytes in its buffer.
 * Like Winsock's, it is posted again only once the last one has reached
 * the callback (a post costs a server call under Wine: one per receive
 * would cost more than the receives the held bytes save), and any receive
 * that leaves held bytes behind posts it again. */
void mfcs__socket_post_held(mfcs__socket *s)
{
    if (!s->held_notice && mfcs__route_post(s, FD_READ, MFCS__HELD_NOTICE))
        s->held_notice = 1;
}

mfcs_err mfcs__socket_unread(mfcs__socket *s, const void *buf, size_t len)
{
    size_t rest = mfcs__socket_pending(s);
    unsigned char *n;
    if (!len)
        return MFCS_OK;
    /* They were read before what is still here: they go in front. */
    n = (unsigned char *)malloc(len + rest);
    if (!n)
        return MFCS_E_NOMEM;
    memcpy(n, buf, len);
    if (rest)
        memcpy(n + len, s->pushback + s->pb_off, rest);
    free(s->pushback);
    s->pushback = n;
    s->pb_len = len + rest;
    s->pb_off = 0;
    mfcs__socket_post_held(s);
    return MFCS_OK;
}

size_t mfcs__socket_take_pushback(mfcs__socket *s, void *buf, size_t len, int peek)
{
    size_t n = mfcs__socket_pending(s);
    if (n > len)
        n = len;
    if (!n)
        return 0;
    if (buf)
        memcpy(buf, s->pushback + s->pb_off, n);
    if (!peek) {
        s->pb_off += n;
        if (s->pb_off == s->pb_len) {
            free(s->pushback);
            s->pushback = NULL;
            s->pb_len = s->pb_off = 0;
            if (s->close_deferred && mfcs__route_post(s, FD_CLOSE, 0))
                s->close_deferred = 0;   /* all read: now the close */
        } else {
            mfcs__socket_post_held(s);   /* a receive that leaves bytes behind, as Winsock's */
        }
    }
    return n;
}

mfcs_err mfcs__socket_recv(mfcs__socket *s, char *buf, int len, int flags, int *n)
{
    mfcs__socket_note_recv(s);
    *n = recv(s->s, buf, len, flags);
    if (*n == SOCKET_ERROR) {
        *n = 0;
        return WSAGetLastError();
    }
    return MFCS_OK;
}

mfcs_err mfcs__socket_recv_ahead(mfcs__socket *s, char *buf, int len, int *n)
{
    mfcs__thread *ts = s->ts;
    WSABUF b[2];
    DWORD got = 0, flags = 0;

    /* Held bytes came before anything Winsock has (an archive may hand some
     * back even while this read waits, from on_message_pending). */
    if (mfcs__socket_pending(s)) {
        *n = (int)mfcs__socket_take_pushback(s, buf, (size_t)len, 0);
        return MFCS_OK;
    }
    if (len >= READ_AHEAD || (!ts->recv_spare && !(ts->recv_spare = (char *)malloc(READ_AHEAD))))
        return mfcs__socket_recv(s, buf, len, 0, n);
    b[0].buf = buf;
    b[0].len = (ULONG)len;
    b[1].buf = ts->recv_spare;
    b[1].len = (ULONG)(READ_AHEAD - len);
    mfcs__socket_note_recv(s);
    *n = 0;
    if (WSARecv(s->s, b, 2, &got, &flags, NULL, NULL) == SOCKET_ERROR)
        return WSAGetLastError();
    if (got <= (DWORD)len) {
        *n = (int)got;
        return MFCS_OK;   /* the spare stays the thread's: no allocation per receive */
    }
    *n = len;
    got -= (DWORD)len;
    /* The spare becomes the held block, shrunk to what it holds: no copy.
     * The thread makes a new one when it next needs one. */
    s->pushback = (unsigned char *)realloc(ts->recv_spare, got);
    if (!s->pushback)
        s->pushback = (unsigned char *)ts->recv_spare;
    ts->recv_spare = NULL;
    s->pb_len = got;
    s->pb_off = 0;
    mfcs__socket_post_held(s);
    return MFCS_OK;
}

void mfcs__socket_free_spare(mfcs__thread *ts)
{
    free(ts->recv_spare);
    ts->recv_spare = NULL;
}
