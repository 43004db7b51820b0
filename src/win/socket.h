/*
 * socket.h: the socket object shared by socket.c (CAsyncSocket: life cycle
 * and calls), socket_route.c (each thread's sockets and the routing of
 * their notifications), socket_held.c (bytes a socket holds), socket_addr.c
 * (addresses), blocking.c (CSocket's waits) and file_socket.c (CSocketFile).
 *
 * Lifetime. A socket's memory lives while its handle does or a call holds
 * a pin on it (handle.c): a public call, a callback under way, a blocking
 * wait. Closing or freeing it inside its own callback only kills the
 * handle; the last unpin frees it (libuv's deferred close). The SOCKET and
 * the slot in its thread's table belong to the owning thread: a socket
 * freed on another thread (mfcs_term) has its SOCKET closed there and is
 * left to its owner, which forgets its slot the next time it makes a
 * socket, pumps, or ends (socket_route.c's zombies).
 */
#ifndef MFCS_SOCKET_INTERNAL_H
#define MFCS_SOCKET_INTERNAL_H

#include "win.h"
#include "mfcsock/socket.h"

typedef struct mfcs__socket mfcs__socket;

struct mfcs__socket {
    void *handle;             /* the public handle (dead once freed) */
    mfcs__slot *slot;         /* its slot: pinned by calls and callbacks */
    volatile SOCKET s;        /* INVALID_SOCKET: not created; closed by exchange */
    int mode;                 /* MFCS_ASYNC / MFCS_BLOCKING */
    int family;
    long events;              /* the events selected */
    mfcs_socket_callbacks cb;
    void *user;
    mfcs__thread *ts;         /* the owning thread's state while it is in its table */
    unsigned slot_index;      /* its window message is MFCS__WM_FIRST + slot_index */
    unsigned in_on_receive;   /* its on_receive is under way */
    unsigned recvs;           /* recv calls since its last FD_READ was delivered ... */
    int recv_outside;         /* ... and whether one was made outside that on_receive */
    mfcs__socket *next_zombie;

    /* Bytes a loading archive took and handed back, or a socket file
     * received ahead: the next receive of any kind returns them first
     * (socket_held.c). */
    unsigned char *pushback;
    size_t pb_len, pb_off;
    int held_notice;          /* an FD_READ for them is queued or held (post_held) */
    int close_deferred;       /* a graceful FD_CLOSE waits until they are read */

    /* blocking mode (blocking.c) */
    unsigned timeout_ms;      /* 0: none */
    int in_call;              /* a blocking call is under way */
    int repolled;             /* its last wait ran out (a re-poll, no notification) */
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

/* ---- socket.c ---- */

/* Pins the socket behind h for a call of the calling thread (see
 * mfcsock/socket.h's rules); mfcs__socket_put ends the call. */
mfcs_err mfcs__socket_get(mfcs_socket *h, mfcs__socket **out);
static inline void mfcs__socket_put(mfcs__socket *s) { mfcs__unpin(s->slot, MFCS__USE_OWNER); }
/* Stops notifications, closes the SOCKET (unless keep) and forgets the
 * thread's slot and queued notifications. On the owning thread. */
void mfcs__socket_unbind(mfcs__socket *s, int keep);
/* Closes the SOCKET once, whichever thread gets there first. */
void mfcs__socket_close_handle(mfcs__socket *s);
/* Frees the memory (the SOCKET and slot are gone). */
void mfcs__socket_free_memory(mfcs__socket *s);

/* ---- socket_route.c: a thread's sockets and their notifications ---- */

/* Gives s a slot in the calling thread's table (making the thread's state
 * and window on first use) and binds its handle to the thread. */
mfcs_err mfcs__route_bind(mfcs__socket *s);
/* Drops what is queued and held for s's slot and gives the slot back (the
 * socket's own thread). */
void mfcs__route_forget(mfcs__socket *s);
/* The window message of s. */
static inline UINT mfcs__route_message(const mfcs__socket *s) { return MFCS__WM_FIRST + s->slot_index; }
/* A notice of the library's own for s, as Winsock posts them. */
BOOL mfcs__route_post(mfcs__socket *s, long event, int err);
/* Moves what Winsock posted for an accepted SOCKET under the listener's
 * message onto the new socket's own (see socket.c's accept). */
void mfcs__route_move_inherited(mfcs__socket *l, mfcs__socket *a);
/* Hands a socket freed on another thread to its owner (its SOCKET is
 * closed already); the owner forgets and frees it. */
void mfcs__route_zombie(mfcs__socket *s);
/* Blocking calls under way on the thread (they nest), and holding a
 * notification until they are done. */
unsigned mfcs__thread_blocking(mfcs__thread *ts);
void mfcs__thread_blocking_add(mfcs__thread *ts, int delta);
int mfcs__blocking_hold(mfcs__thread *ts, mfcs__socket *s, WPARAM wp, LPARAM lp);
/* Runs one notification (from the window or the held queue). */
void mfcs__socket_dispatch(mfcs__thread *ts, unsigned slot, WPARAM wp, LPARAM lp);

/* ---- socket_held.c: bytes a socket holds ---- */

/* Every recv on a socket goes through here first: the FD_READ filter
 * (socket_route.c) needs to know whether data may have been taken since. */
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
/* Bytes waiting in the pushback buffer. */
static inline size_t mfcs__socket_pending(const mfcs__socket *s) { return s->pb_len - s->pb_off; }
/* Appends bytes to the pushback buffer and makes the socket report itself
 * readable (a posted FD_READ, so on_receive fires). */
mfcs_err mfcs__socket_unread(mfcs__socket *s, const void *buf, size_t len);
/* Takes up to len pushback bytes (buf NULL: drops them); returns how many. */
size_t mfcs__socket_take_pushback(mfcs__socket *s, void *buf, size_t len, int peek);
/* Posts the FD_READ that announces held bytes, unless one is on its way. */
void mfcs__socket_post_held(mfcs__socket *s);
/* The thread's spare receive block (recv_ahead), freed with its state. */
void mfcs__socket_free_spare(mfcs__thread *ts);

/* ---- socket_addr.c ---- */

#define MFCS__HOST_CAP_MIN 46   /* INET6_ADDRSTRLEN */
/* host:port for connect and send_to; AF_INET first for an IPv4 socket, as MFC. */
mfcs_err mfcs__resolve_host(const char *host, unsigned port, int family, int socktype,
                            struct sockaddr_storage *out, int *len);
/* A numeric host text and port from an address; host NULL: port only. */
mfcs_err mfcs__address_text(const struct sockaddr *sa, int len, char *host, size_t cap, unsigned *port);

/* ---- blocking.c: the CSocket wait ---- */

/* Runs op until it does not say WSAEWOULDBLOCK, waiting for event between
 * tries; honours the deadline (0: none), cancel, a WM_QUIT and nesting.
 * The caller holds a pin on s. */
typedef mfcs_err (*mfcs__blocking_op)(mfcs__socket *s, void *ctx);
mfcs_err mfcs__blocking_run(mfcs__socket *s, long event, mfcs__blocking_op op, void *ctx,
                            ULONGLONG deadline);
/* Makes the blocking call under way on s return MFCS_E_CANCELLED (any thread). */
void mfcs__blocking_signal_cancel(mfcs__socket *s);
/* The deadline of a call starting now (0: none). */
ULONGLONG mfcs__deadline(const mfcs__socket *s);
/* A notification for this thread while a blocking call waits: queued, or
 * consumed by the wait. Returns nonzero when it took it. */
int mfcs__blocking_intercept(mfcs__thread *ts, mfcs__socket *s, WPARAM wp, LPARAM lp);

/* How long a blocking wait sleeps before it polls the operation again
 * (500 ms). Tests of the wait's own notices raise it, so that a notice
 * the wait fails to take costs seconds, not a margin a loaded machine
 * could eat. */
extern unsigned mfcs__repoll_ms;

#endif /* MFCS_SOCKET_INTERNAL_H */
