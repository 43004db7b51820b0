/*
 * mfcsock/base.h: result codes, opaque handle types and the library-wide
 * calls (init, term, errors, memory, message pump).
 *
 * Included by <mfcsock.h>; include that instead. This header needs no
 * Windows header, so the archive part of the library also builds on other
 * systems (for fuzzing).
 */
#ifndef MFCSOCK_BASE_H
#define MFCSOCK_BASE_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every function and callback type uses the C calling convention, so 32-bit
 * callers built with any default convention link without decoration games. */
#if defined(_WIN32)
#  define MFCS_CALL __cdecl
#else
#  define MFCS_CALL
#endif

/* The result of every call: MFCS_OK, a library error (MFCS_E_*), or a
 * Winsock/Win32 error code passed through unchanged (WSAECONNREFUSED is
 * 10061). */
typedef int mfcs_err;

#define MFCS_OK 0

/* Library errors carry the Windows "application-defined" bit (0x20000000),
 * so they never collide with Win32 or Winsock codes. Their values are fixed
 * once shipped: append, never renumber. */
#define MFCS_E_BADHANDLE   0x20000001 /* NULL, closed, freed, forged or wrong-kind handle */
#define MFCS_E_INVALIDARG  0x20000002 /* an argument is out of range or a required pointer is NULL */
#define MFCS_E_NOMEM       0x20000003 /* out of memory (or out of handle table slots) */
#define MFCS_E_STATE       0x20000004 /* call not valid in the object's current state */
#define MFCS_E_NOTSTREAM   0x20000005 /* a datagram socket where a stream socket is required */
#define MFCS_E_NOTBLOCKING 0x20000006 /* an async socket where a blocking one is required */
#define MFCS_E_UNSUPPORTED 0x20000007 /* the object does not support this call */
#define MFCS_E_MODE        0x20000008 /* write on a loading archive or read on a storing one */
#define MFCS_E_EOF         0x20000009 /* the stream ended inside a value */
#define MFCS_E_FORMAT      0x2000000A /* bytes that are not a valid archive */
#define MFCS_E_LIMIT       0x2000000B /* a length or count over the archive's limits */
#define MFCS_E_CLASS       0x2000000C /* unknown class, schema mismatch, or not the expected class */
#define MFCS_E_TIMEOUT     0x2000000D /* a blocking call reached its deadline */
#define MFCS_E_CANCELLED   0x2000000E /* a blocking call was cancelled */
#define MFCS_E_INPROGRESS  0x2000000F /* a second blocking call on a socket already in one */
#define MFCS_E_WRONGTHREAD 0x20000010 /* the object belongs to another thread */
#define MFCS_E_QUIT        0x20000011 /* a WM_QUIT for the thread ended a blocking call */
#define MFCS_E_END         0x20000012 /* the stream ended before a value began (the peer left) */

/* Opaque handles. They are validated on every call: a handle that was
 * closed, freed, never made by the library, or NULL gets MFCS_E_BADHANDLE.
 * A handle is an index and a generation, not a pointer, and a closed
 * handle's value is not given out again for a long time: a program that
 * opens and closes one object at a time meets it again only after
 * 2,096,128 such cycles on i686 (2047 generations of 1,024 slots taken in
 * turn) and about 9 * 10^15 on x86_64.
 *
 * Threads. A socket, and the socket files and archives on it, belong to
 * the thread that gave the socket its SOCKET: calls from another thread get
 * MFCS_E_WRONGTHREAD (mfcs_socket_cancel_blocking_call excepted). A memory
 * or disk file and its archives belong to whichever thread calls them, one
 * at a time: a call from another thread takes the object over (an archive
 * that changes threads costs one look at the thread it leaves, a few
 * hundred microseconds under Wine), and a call while another thread is
 * inside a call on it gets MFCS_E_WRONGTHREAD instead of racing it. A call
 * that has found its object keeps it alive until it returns, whatever
 * another thread does: closing, freeing or mfcs_term on another thread
 * kills the handle at once (later calls get MFCS_E_BADHANDLE) and frees the
 * object when the last call using it returns. */
typedef struct mfcs_socket  mfcs_socket;
typedef struct mfcs_file    mfcs_file;
typedef struct mfcs_archive mfcs_archive;
typedef struct mfcs_class   mfcs_class;

/*
 * mfcs_init: start the library (MFC: AfxSocketInit).
 *
 * Calls WSAStartup(2.2) the first time; later calls only count. Each
 * successful call must be matched by one mfcs_term. Sockets cannot be made
 * before it (mfcs_socket_new returns WSANOTINITIALISED); memory and disk
 * files and archives can.
 *
 * Returns MFCS_OK, or the WSAStartup error (e.g. WSAVERNOTSUPPORTED).
 * Thread-safe.
 */
mfcs_err MFCS_CALL mfcs_init(void);

/*
 * mfcs_term: undo one mfcs_init.
 *
 * The call that balances the first mfcs_init kills every live object's
 * handle, of every kind and thread: later calls with them get
 * MFCS_E_BADHANDLE, and their callbacks never fire again. An object no call
 * is using is freed at once; one that a call is inside (on any thread, or
 * in the callback that called mfcs_term) is freed when that call returns,
 * and that call then fails (a blocking call on another thread is cancelled:
 * MFCS_E_CANCELLED). A socket of another thread has its SOCKET closed here
 * and its slot in that thread's window given back when the thread next
 * makes a socket or dispatches one of its notifications. Other threads'
 * notification windows stop calling into the DLL (a host may FreeLibrary
 * it next; threads that outlive it are safe); this thread's window goes.
 * Then WSACleanup. An unbalanced call does nothing. Thread-safe; do not
 * call it from DllMain.
 */
void MFCS_CALL mfcs_term(void);

/*
 * mfcs_version: the library's version as "major.minor.patch", a static
 * string. The DLL's VERSIONINFO resource carries the same number.
 */
const char *MFCS_CALL mfcs_version(void);

/*
 * mfcs_strerror: a short English sentence for any result code: MFCS_OK,
 * every MFCS_E_* code, every Winsock and resolver code (the library's own
 * text, the same on every system and under Wine, starting with the code's
 * name: "WSAEWOULDBLOCK: the operation would block ..."), other Win32 codes
 * (from the system's message table), and unknown codes ("unknown error N
 * (0x...)"). Never returns NULL. The string is static or per-thread: copy
 * it before the next call on the same thread if you keep it.
 */
const char *MFCS_CALL mfcs_strerror(mfcs_err err);

/*
 * mfcs_free: free memory the library handed out (strings read from an
 * archive). NULL does nothing. Use it rather than free(): your C runtime
 * may not be the DLL's.
 */
void MFCS_CALL mfcs_free(void *p);

/*
 * mfcs_pump: run this thread's messages, for programs that have no message
 * loop of their own.
 *
 * Waits up to timeout_ms for a message for this thread, dispatches what
 * is queued (TranslateMessage + DispatchMessage, so socket callbacks run
 * inside this call), and returns as soon as it has dispatched at least one
 * message. 0 ms dispatches what is queued without waiting. "What is
 * queued" is bounded, so handlers that post more messages cannot keep the
 * call going: every posted message that was queued when a dispatch round
 * began (a marker the round posts ends it; a round nested in a callback
 * ends at the outer round's marker), then at most 64 input, 64 paint and
 * 64 timer messages. A WM_QUIT is left for the caller's own loop: it is
 * posted again and the call returns.
 *
 * timeout_ms 0xFFFFFFFF (INFINITE) waits until something is dispatched.
 *
 * dispatched (OUT, may be NULL): how many messages were dispatched; 0 when
 *   the time ran out.
 * Returns MFCS_OK. Any thread; may be called from inside a callback.
 */
mfcs_err MFCS_CALL mfcs_pump(unsigned timeout_ms, unsigned *dispatched);

/*
 * mfcs_thread_term: free the calling thread's notification window and
 * per-thread state. Sockets this thread still owns are closed and freed
 * first (their handles then get MFCS_E_BADHANDLE). The state is made again
 * on next use. Called for you when a thread exits. Returns MFCS_OK, or
 * MFCS_E_STATE when called from inside one of this thread's socket
 * callbacks or blocking calls (the window is in use).
 */
mfcs_err MFCS_CALL mfcs_thread_term(void);

#ifdef __cplusplus
}
#endif

#endif /* MFCSOCK_BASE_H */
