/*
 * socket.h: the socket object shared by socket.c (CAsyncSocket: life cycle,
 * calls, notification routing), blocking.c (CSocket's waits) and
 * file_socket.c (CSocketFile).
 */
#ifndef MFCS_SOCKET_INTERNAL_H
#define MFCS_SOCKET_INTERNAL_H

#include "win.h"
#include "mfcsock/socket.h"

typedef struct mfcs__socket mfcs__socket;

struct mfcs__socket {
    void *handle;             /* the public handle (dead once freed) */
    SOCKET s;                 /* INVALID_SOCKET: not created */
    int mode;                 /* MFCS_ASYNC / MFCS_BLOCKING */
    int family;
    long events;              /* the events selected */
    mfcs_socket_callbacks cb;
    void *user;
    mfcs__thread *ts;         /* the owning thread's state while it has a SOCKET */
    unsigned slot;            /* its window message is MFCS__WM_FIRST + slot */
    unsigned in_callback;     /* callbacks of this socket under way */
    unsigned in_on_receive;   /* its on_receive is under way */
    unsigned recvs;           /* recv calls since its last FD_READ was delivered ... */
    int recv_outside;         /* ... and whether one was made outside that on_receive */
    int freed;                /* freed inside a callback: memory goes when it returns */

    /* Bytes a loading archive took and handed back: the next receive of any
     * kind returns them first (file_socket.c puts them here). */
    unsigned char *pushback;
    size_t pb_len, pb_off;
    int held_notice;          /* an FD_READ for them is queued or held (socket.c: post_held) */
    int close_deferred;       /* a graceful FD_CLOSE waits until they are read */

    /* blocking mode (blocking.c) */
    unsigned timeout_ms;      /* 0: none */
    int in_call;              /* a blocking call is under way */
    long waiting_event;       /* the FD_* event that call waits for */
    volatile LONG cancelled;
    HANDLE cancel_event;      /* wakes the wait from any thread */
    int connect_done;         /* FD_CONNECT arrived ... */
    int connect_err;          /* ... with this error */
};

/* The error word of the FD_READ the library posts for bytes a socket holds:
 * no Winsock error has this value, so dispatch and the blocking wait can
 * tell it from Winsock's. */
#define MFCS__HELD_NOTICE 0xFFFF

/* Every recv on a socket goes through here first: the FD_READ filter
 * (socket.c) needs to know whether data may have been taken since. */
static inline void mfcs__socket_note_recv(mfcs__socket *s)
{
    s->recvs++;
    if (!s->in_on_receive)
        s->recv_outside = 1;
}
/* One recv (noted for the FD_READ filter): OK with *n bytes (0: the peer
 * closed), or the Winsock error (WSAEWOULDBLOCK). */
mfcs_err mfcs__socket_recv(mfcs__socket *s, char *buf, int len, int flags, int *n);
/* The same for a socket file, which may take more than it was asked for:
 * every socket call costs tens of microseconds under Wine, so one call
 * takes whatever has already arrived, up to 256 KiB, whatever the
 * archive's buffer size (MFC's default 4096 bytes would otherwise cost a
 * recv per 4 KiB). Bytes past len are held as handed-back bytes are: the
 * next receive of any kind returns them first, FIONREAD counts them, and
 * a posted FD_READ reports them. Held bytes are returned first, without a
 * socket call. Never waits. *n <= len. */
mfcs_err mfcs__socket_recv_ahead(mfcs__socket *s, char *buf, int len, int *n);
/* Frees the object's memory (its SOCKET and handle are already gone). */
void mfcs__socket_free_memory(mfcs__socket *s);
/* mfcs_socket_cancel_blocking_call runs on any thread: it holds this lock
 * (shared) from finding the socket to signalling it, and freeing a socket's
 * memory waits for it (exclusive). */
extern SRWLOCK mfcs__socket_cancel_lock;
/* The socket behind a handle, for the calling thread (see socket.h rules). */
mfcs_err mfcs__socket_get(mfcs_socket *h, mfcs__socket **out);
/* Bytes waiting in the pushback buffer. */
static inline size_t mfcs__socket_pending(const mfcs__socket *s) { return s->pb_len - s->pb_off; }
/* Appends bytes to the pushback buffer and makes the socket report itself
 * readable (a posted FD_READ, so on_receive fires). */
mfcs_err mfcs__socket_unread(mfcs__socket *s, const void *buf, size_t len);
/* Takes up to len pushback bytes (buf NULL: drops them); returns how many. */
size_t mfcs__socket_take_pushback(mfcs__socket *s, void *buf, size_t len, int peek);

/* blocking.c: the CSocket wait. Runs op until it does not say
 * WSAEWOULDBLOCK, waiting for event between tries; honours the deadline
 * (timeout_ms per call unless deadline given), cancel, and nesting. */
typedef mfcs_err (*mfcs__blocking_op)(mfcs__socket *s, void *ctx);
mfcs_err mfcs__blocking_run(mfcs__socket *s, long event, mfcs__blocking_op op, void *ctx,
                            ULONGLONG deadline);
/* Makes the blocking call under way on s return MFCS_E_CANCELLED (any thread). */
void mfcs__blocking_signal_cancel(mfcs__socket *s);
/* The deadline of a call starting now (0: none). */
ULONGLONG mfcs__deadline(const mfcs__socket *s);
/* socket.c: runs one notification (from the window or the deferred queue). */
void mfcs__socket_dispatch(mfcs__thread *ts, unsigned slot, WPARAM wp, LPARAM lp);
/* blocking.c: a notification for this thread while a blocking call waits:
 * queued, or consumed by the wait. Returns nonzero when it took it. */
int mfcs__blocking_intercept(mfcs__thread *ts, mfcs__socket *s, WPARAM wp, LPARAM lp);

#endif /* MFCS_SOCKET_INTERNAL_H */
