/*
 * mfcsock/socket.h: sockets with message-window notifications (MFC's
 * CAsyncSocket, MFCS_ASYNC) and blocking sockets that keep the thread's
 * messages flowing (MFC's CSocket, MFCS_BLOCKING), and socket files
 * (CSocketFile).
 *
 * Rules shared by every socket call below:
 * - MFCS_E_BADHANDLE for a handle that is not a live socket.
 * - A socket that has a SOCKET (created, attached or accepted into) belongs
 *   to the thread that gave it one; calls from any other thread get
 *   MFCS_E_WRONGTHREAD, except mfcs_socket_cancel_blocking_call. A socket
 *   without one (new, closed or detached) belongs to no thread yet.
 * - MFCS_E_STATE for a call the socket's state does not allow (listen,
 *   connect or send before create; create or attach twice; accept into a
 *   socket that already has a SOCKET).
 * - Winsock errors come back unchanged: an async call that would block
 *   returns WSAEWOULDBLOCK and completes through a callback.
 * - Host names and addresses are text: a literal IPv4 or IPv6 address or a
 *   name (resolved with getaddrinfo; its own error comes back, not MFC's
 *   WSAEINVAL). Host text written out (peer names) needs cap >= 46
 *   (INET6_ADDRSTRLEN), else MFCS_E_INVALIDARG; a NULL host buffer is fine.
 *
 * Notifications reach the owning thread through its hidden message-only
 * window: its ordinary GetMessage/DispatchMessage loop, or mfcs_pump, runs
 * the callbacks. Closing or freeing a socket inside any callback is safe.
 */
#ifndef MFCSOCK_SOCKET_H
#define MFCSOCK_SOCKET_H

/* No WIN32_LEAN_AND_MEAN here: defined by a public header it would leave
 * the user's own later #include <windows.h> without shellapi.h, commdlg.h
 * and the rest. winsock2.h comes before windows.h, which would otherwise
 * bring the old winsock.h. */
#include <winsock2.h>
#include <windows.h>

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The callbacks of a socket (MFC's virtual On* members). err is 0 or the
 * Winsock error of the event (WSAECONNREFUSED for a refused connect,
 * WSAECONNRESET for an abortive close). Any may be NULL. */
typedef struct mfcs_socket_callbacks {
    void (MFCS_CALL *on_receive)(mfcs_socket *s, int err, void *user);  /* data (or a FIN) to read */
    void (MFCS_CALL *on_send)(mfcs_socket *s, int err, void *user);     /* room to send again */
    void (MFCS_CALL *on_oob)(mfcs_socket *s, int err, void *user);      /* out-of-band data */
    void (MFCS_CALL *on_accept)(mfcs_socket *s, int err, void *user);   /* a connection to accept */
    void (MFCS_CALL *on_connect)(mfcs_socket *s, int err, void *user);  /* connect finished (async only) */
    /* The peer closed. After a graceful close it comes, as Winsock's
     * FD_CLOSE, once the bytes the socket holds have been read. */
    void (MFCS_CALL *on_close)(mfcs_socket *s, int err, void *user);
    /* Blocking mode: offered each message that arrives while a call waits
     * (never this library's own notifications); return nonzero when it
     * handled the message (the wait removes it). */
    int  (MFCS_CALL *on_message_pending)(mfcs_socket *s, const MSG *msg, void *user);
} mfcs_socket_callbacks;

enum { MFCS_ASYNC = 0, MFCS_BLOCKING = 1 };       /* CAsyncSocket / CSocket */
enum { MFCS_STREAM = SOCK_STREAM, MFCS_DGRAM = SOCK_DGRAM };
#define MFCS_ALL_EVENTS (FD_READ|FD_WRITE|FD_OOB|FD_ACCEPT|FD_CONNECT|FD_CLOSE)

/*
 * mfcs_socket_new: a socket object with no SOCKET yet (constructing a
 * CAsyncSocket or CSocket). mode is MFCS_ASYNC or MFCS_BLOCKING; cb (copied,
 * may be NULL) and user are handed to every callback.
 * out (OUT): the new socket.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (out NULL, bad mode), MFCS_E_NOMEM,
 * WSANOTINITIALISED before mfcs_init. Any thread.
 */
mfcs_err MFCS_CALL mfcs_socket_new(mfcs_socket **out, int mode,
                                   const mfcs_socket_callbacks *cb, void *user);

/*
 * mfcs_socket_mode: MFCS_ASYNC or MFCS_BLOCKING, as made.
 * mode (OUT). Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_WRONGTHREAD, MFCS_E_INVALIDARG.
 */
mfcs_err MFCS_CALL mfcs_socket_mode(mfcs_socket *s, int *mode);

/*
 * mfcs_socket_create: make an IPv4 SOCKET of type MFCS_STREAM or MFCS_DGRAM
 * and bind it to port (0: any) on address (a literal; NULL: any), selecting
 * events for notification (CAsyncSocket::Create). A blocking socket always
 * selects all six events, as CSocket::Create does. The calling thread
 * becomes the owner.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (type, port > 65535, events outside
 * MFCS_ALL_EVENTS for an async socket, address not a literal of the family),
 * MFCS_E_STATE (already created), or the Winsock error of socket/bind (e.g.
 * WSAEADDRINUSE). Giving the thread its notification window can fail too:
 * MFCS_E_NOMEM, WSAEMFILE (the thread already owns as many sockets as its
 * window has messages for, 15,871), or the Win32 error of creating the window.
 */
mfcs_err MFCS_CALL mfcs_socket_create(mfcs_socket *s, unsigned port, int type, long events,
                                      const char *address);

/*
 * mfcs_socket_create_ex: mfcs_socket_create for family AF_INET or AF_INET6.
 * Returns as mfcs_socket_create; MFCS_E_INVALIDARG for another family.
 */
mfcs_err MFCS_CALL mfcs_socket_create_ex(mfcs_socket *s, unsigned port, int type, long events,
                                         const char *address, int family);

/*
 * mfcs_socket_attach: take over an existing SOCKET h (CAsyncSocket::Attach):
 * it is made non-blocking and selected for events (all six for a blocking
 * socket). The calling thread becomes the owner. With mfcs_socket_detach,
 * this hands a socket from one thread to another.
 * Returns MFCS_OK, MFCS_E_STATE (s already has a SOCKET), MFCS_E_INVALIDARG
 * (bad events for an async socket), the Winsock error (WSAENOTSOCK for a
 * handle that is not one), or the window errors of mfcs_socket_create.
 */
mfcs_err MFCS_CALL mfcs_socket_attach(mfcs_socket *s, SOCKET h, long events);

/*
 * mfcs_socket_detach: give up the SOCKET without closing it
 * (CAsyncSocket::Detach): notifications stop, the socket stays open and
 * non-blocking, and the object has no SOCKET (nor owner) any more.
 * Bytes the socket holds (an archive handed them back, or a socket file
 * received them ahead) are no longer in the SOCKET and could not go with
 * it, so detach refuses while there are any: receive them first (while
 * some are held, mfcs_socket_receive returns only those, so one receive
 * with a buffer of FIONREAD bytes takes them all) and pass them on with
 * the SOCKET.
 * out (OUT): the SOCKET.
 * Returns MFCS_OK, MFCS_E_STATE (no SOCKET, or bytes are held),
 * MFCS_E_INVALIDARG (out NULL), MFCS_E_INPROGRESS (a blocking call is
 * under way), and the common errors.
 */
mfcs_err MFCS_CALL mfcs_socket_detach(mfcs_socket *s, SOCKET *out);

/*
 * mfcs_socket_handle: the SOCKET (CAsyncSocket::m_hSocket), INVALID_SOCKET
 * when it has none. Bytes the socket holds (see mfcs_socket_receive) are no
 * longer in the SOCKET: a recv or select on it directly does not see them.
 * out (OUT). Returns MFCS_OK, MFCS_E_INVALIDARG (out NULL), and the common errors.
 */
mfcs_err MFCS_CALL mfcs_socket_handle(mfcs_socket *s, SOCKET *out);

/*
 * mfcs_socket_type: MFCS_STREAM or MFCS_DGRAM, as the system reports it now
 * (SO_TYPE).
 * type (OUT). Returns MFCS_OK, MFCS_E_STATE (no SOCKET), MFCS_E_INVALIDARG,
 * the common errors.
 */
mfcs_err MFCS_CALL mfcs_socket_type(mfcs_socket *s, int *type);

/*
 * mfcs_socket_listen: listen for connections (CAsyncSocket::Listen; MFC's
 * default backlog is 5). on_accept fires when one arrives.
 * Returns MFCS_OK, MFCS_E_STATE (no SOCKET), or the Winsock error
 * (WSAEOPNOTSUPP on a datagram socket).
 */
mfcs_err MFCS_CALL mfcs_socket_listen(mfcs_socket *s, int backlog);

/*
 * mfcs_socket_connect: connect to host:port (CAsyncSocket::Connect).
 * Async: returns WSAEWOULDBLOCK and on_connect reports the outcome.
 * Blocking: waits (see the blocking rules below) and returns the outcome.
 * Returns MFCS_OK, MFCS_E_STATE, MFCS_E_INVALIDARG (host NULL, port 0 or
 * > 65535), the resolver's error (e.g. WSAHOST_NOT_FOUND), the Winsock
 * error (WSAECONNREFUSED), and for blocking sockets MFCS_E_TIMEOUT,
 * MFCS_E_CANCELLED, MFCS_E_INPROGRESS.
 */
mfcs_err MFCS_CALL mfcs_socket_connect(mfcs_socket *s, const char *host, unsigned port);

/*
 * mfcs_socket_accept: accept a connection on a listening socket into
 * accepted, a socket with no SOCKET yet (CAsyncSocket::Accept). accepted
 * keeps its own mode and callbacks, gets the listener's events, and belongs
 * to the calling thread.
 * peer_host (OUT, may be NULL; cap >= 46), peer_port (OUT, may be NULL).
 * Returns MFCS_OK, WSAEWOULDBLOCK (async, nothing to accept),
 * MFCS_E_STATE (listener has no SOCKET; accepted has one),
 * MFCS_E_BADHANDLE (either handle), MFCS_E_INVALIDARG (cap too small),
 * the Winsock error, the window errors of mfcs_socket_create, and for a
 * blocking listener MFCS_E_TIMEOUT, MFCS_E_CANCELLED, MFCS_E_INPROGRESS
 * (nothing was consumed: retry). When on_message_pending frees accepted
 * while a blocking accept waits, the accept returns MFCS_E_BADHANDLE (and
 * MFCS_E_STATE when it gave accepted a SOCKET); that connection is closed.
 */
mfcs_err MFCS_CALL mfcs_socket_accept(mfcs_socket *listener, mfcs_socket *accepted,
                                      char *peer_host, size_t host_cap, unsigned *peer_port);

/*
 * mfcs_socket_send: send bytes (CAsyncSocket::Send / CSocket::Send).
 * Async: what the system takes now, maybe fewer than len, or
 * WSAEWOULDBLOCK (wait for on_send). Blocking: all len bytes, waiting as
 * needed; on error *sent counts what went out before it.
 * sent (OUT, may be NULL).
 * Returns MFCS_OK, MFCS_E_STATE, MFCS_E_INVALIDARG (len < 0, buf NULL),
 * the Winsock error, MFCS_E_TIMEOUT / MFCS_E_CANCELLED / MFCS_E_INPROGRESS
 * (blocking; after the first two only close and free are reliable).
 */
mfcs_err MFCS_CALL mfcs_socket_send(mfcs_socket *s, const void *buf, int len, int flags, int *sent);

/*
 * mfcs_socket_receive: receive bytes (CAsyncSocket::Receive / CSocket::Receive).
 * Bytes the socket holds (handed back by an archive, or received ahead by
 * a socket file) come first. Async: what has arrived, or
 * WSAEWOULDBLOCK. Blocking: waits for at least one byte. 0 bytes with
 * MFCS_OK means the peer closed gracefully.
 * buf (OUT, may be NULL: the bytes are dropped), received (OUT, may be NULL).
 * Returns MFCS_OK, MFCS_E_STATE, MFCS_E_INVALIDARG (len < 0), the Winsock
 * error (WSAECONNRESET), MFCS_E_TIMEOUT / MFCS_E_CANCELLED (nothing
 * consumed: retry) / MFCS_E_INPROGRESS (blocking).
 */
mfcs_err MFCS_CALL mfcs_socket_receive(mfcs_socket *s, void *buf, int len, int flags, int *received);

/*
 * mfcs_socket_send_to: send a datagram to host:port (CAsyncSocket::SendTo);
 * host NULL means the broadcast address, as in MFC; port 0 names no
 * receiver (MFCS_E_INVALIDARG).
 * sent (OUT, may be NULL). Returns as mfcs_socket_send, plus the resolver's error.
 */
mfcs_err MFCS_CALL mfcs_socket_send_to(mfcs_socket *s, const void *buf, int len, const char *host,
                                       unsigned port, int flags, int *sent);

/*
 * mfcs_socket_receive_from: receive a datagram and its sender
 * (CAsyncSocket::ReceiveFrom). On a stream socket it receives as
 * mfcs_socket_receive does, the bytes the socket holds first, and names
 * the peer.
 * host (OUT, may be NULL; cap >= 46), port (OUT, may be NULL), received (OUT, may be NULL).
 * Returns as mfcs_socket_receive.
 */
mfcs_err MFCS_CALL mfcs_socket_receive_from(mfcs_socket *s, void *buf, int len, char *host,
                                            size_t host_cap, unsigned *port, int flags, int *received);

/*
 * mfcs_socket_shutdown: stop sending (SD_SEND), receiving (SD_RECEIVE) or
 * both (SD_BOTH) (CAsyncSocket::ShutDown).
 * Returns MFCS_OK, MFCS_E_STATE, MFCS_E_INVALIDARG (how), the Winsock error.
 */
mfcs_err MFCS_CALL mfcs_socket_shutdown(mfcs_socket *s, int how);

/*
 * mfcs_socket_close: close the SOCKET (CAsyncSocket::Close); notifications
 * still queued for it are dropped and its callbacks never fire again. The
 * object stays and can be created again. Closing a socket with no SOCKET
 * does nothing. A blocking call under way on it is cancelled.
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_WRONGTHREAD.
 */
mfcs_err MFCS_CALL mfcs_socket_close(mfcs_socket *s);

/*
 * mfcs_socket_free: close if open, then free the object; its handle is
 * dead at once (its memory goes when the callback that freed it returns).
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_WRONGTHREAD.
 */
mfcs_err MFCS_CALL mfcs_socket_free(mfcs_socket *s);

/*
 * mfcs_socket_sock_name: the local address and port (GetSockName).
 * host (OUT, may be NULL; cap >= 46), port (OUT, may be NULL).
 * Returns MFCS_OK, MFCS_E_STATE, MFCS_E_INVALIDARG, the Winsock error.
 */
mfcs_err MFCS_CALL mfcs_socket_sock_name(mfcs_socket *s, char *host, size_t cap, unsigned *port);

/*
 * mfcs_socket_peer_name: the peer's address and port (GetPeerName).
 * host (OUT, may be NULL; cap >= 46), port (OUT, may be NULL).
 * Returns MFCS_OK, MFCS_E_STATE, MFCS_E_INVALIDARG, the Winsock error (WSAENOTCONN).
 */
mfcs_err MFCS_CALL mfcs_socket_peer_name(mfcs_socket *s, char *host, size_t cap, unsigned *port);

/*
 * mfcs_socket_set_option: setsockopt (CAsyncSocket::SetSockOpt).
 * Returns MFCS_OK, MFCS_E_STATE, MFCS_E_INVALIDARG (val NULL, len < 0), the Winsock error.
 */
mfcs_err MFCS_CALL mfcs_socket_set_option(mfcs_socket *s, int level, int name, const void *val, int len);

/*
 * mfcs_socket_get_option: getsockopt (CAsyncSocket::GetSockOpt).
 * val (OUT), len (IN: its size; OUT: the option's size).
 * Returns MFCS_OK, MFCS_E_STATE, MFCS_E_INVALIDARG (NULL val or len), the Winsock error.
 */
mfcs_err MFCS_CALL mfcs_socket_get_option(mfcs_socket *s, int level, int name, void *val, int *len);

/*
 * mfcs_socket_ioctl: ioctlsocket (CAsyncSocket::IOCtl). FIONREAD counts the
 * bytes the socket holds (see mfcs_socket_receive) too. FIONBIO cannot make a selected socket
 * blocking: Winsock's WSAEINVAL comes back.
 * arg (IN/OUT). Returns MFCS_OK, MFCS_E_STATE, MFCS_E_INVALIDARG (arg NULL), the Winsock error.
 */
mfcs_err MFCS_CALL mfcs_socket_ioctl(mfcs_socket *s, long cmd, unsigned long *arg);

/*
 * mfcs_socket_async_select: choose the events that notify
 * (CAsyncSocket::AsyncSelect); 0 stops notifications.
 * Returns MFCS_OK, MFCS_E_STATE, MFCS_E_INVALIDARG (bits outside
 * MFCS_ALL_EVENTS), the Winsock error.
 */
mfcs_err MFCS_CALL mfcs_socket_async_select(mfcs_socket *s, long events);

/*
 * Blocking mode (CSocket). connect, accept, send, receive, send_to and
 * receive_from wait until done. While one waits, this thread's socket
 * notifications are queued and delivered after it returns; other messages
 * are offered to on_message_pending, else WM_PAINT is dispatched and other
 * input left queued, as MFC does. An async socket gets MFCS_E_NOTBLOCKING
 * from the three calls below.
 *
 * A WM_QUIT for the thread, pending when a call must wait or arriving while
 * it waits, ends the call with MFCS_E_QUIT: the program is being asked to
 * end, and a long receive must not keep a closing UI open (MFC's pump
 * swallowed the quit, and the loop never ended). The quit is not lost: it
 * is posted again, with its exit code, once the thread's outermost
 * blocking call (and the callback around it, if any) returns, so the
 * thread's GetMessage loop gets it next. As after a cancel, a receive or
 * accept that ended this way consumed nothing; after connect or send only
 * close and free are reliable. Each blocking call returns MFCS_E_QUIT among
 * its errors. A notification that Winsock could not post (a full queue)
 * is not waited for forever: every 500 ms the wait looks at the socket
 * itself.
 */

/*
 * mfcs_socket_set_timeout: a real deadline for each connect, accept,
 * receive and receive_from, and for a whole send; 0 waits forever (MFC's
 * m_nTimeOut was only a re-poll interval). The call then fails with
 * MFCS_E_TIMEOUT.
 * Returns MFCS_OK, MFCS_E_NOTBLOCKING, and the common errors.
 */
mfcs_err MFCS_CALL mfcs_socket_set_timeout(mfcs_socket *s, unsigned ms);

/*
 * mfcs_socket_cancel_blocking_call: make the blocking call under way on s
 * return MFCS_E_CANCELLED (CSocket::CancelBlockingCall). Any thread, a
 * callback or on_message_pending. Without a call under way it does nothing.
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_NOTBLOCKING.
 */
mfcs_err MFCS_CALL mfcs_socket_cancel_blocking_call(mfcs_socket *s);

/*
 * mfcs_socket_is_blocking: whether a blocking call is under way on s
 * (CSocket::IsBlocking).
 * in_call (OUT). Returns MFCS_OK, MFCS_E_NOTBLOCKING, MFCS_E_INVALIDARG, the common errors.
 */
mfcs_err MFCS_CALL mfcs_socket_is_blocking(mfcs_socket *s, int *in_call);

/*
 * mfcs_file_open_socket: a file on a connected blocking stream socket
 * (CSocketFile), the first stream-only gate. It never closes its socket.
 * read waits for at least one byte and returns what has arrived (all len
 * bytes when archive_compatible is 0, as CSocketFile's second mode); seek,
 * length and other position calls get MFCS_E_UNSUPPORTED. Once its socket
 * is closed or freed every call but close gets MFCS_E_STATE.
 * Reading (by the file or an archive on it) never waits for more than the
 * value needs, but each receive takes whatever has already arrived, up to
 * 256 KiB, even past the archive's buffer: under Wine every socket call
 * costs tens of microseconds. What it took beyond the request stays with
 * the socket (see mfcs_socket_receive) and is read first by whatever reads
 * next, so mixing archives, files and raw receives loses nothing.
 * out (OUT): the file, owned by the socket's thread.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (out NULL), MFCS_E_BADHANDLE,
 * MFCS_E_WRONGTHREAD, MFCS_E_NOTSTREAM (a datagram socket),
 * MFCS_E_NOTBLOCKING (an async socket), MFCS_E_STATE (no SOCKET), MFCS_E_NOMEM.
 */
mfcs_err MFCS_CALL mfcs_file_open_socket(mfcs_file **out, mfcs_socket *s, int archive_compatible);

#ifdef __cplusplus
}
#endif

#endif /* MFCSOCK_SOCKET_H */
