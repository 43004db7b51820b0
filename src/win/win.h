/*
 * win.h: Windows-only internals: the per-thread notification window and
 * state (notify.c).
 */
#ifndef MFCS_WIN_H
#define MFCS_WIN_H

#ifndef WIN32_LEAN_AND_MEAN
#  define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include "internal.h"

/* ===== Per-thread state and notification window (notify.c) =====
 *
 * Each thread that owns sockets has one of these, made on first use, with a
 * hidden message-only window that WSAAsyncSelect posts that thread's socket
 * notifications to. It is freed by mfcs_thread_term, by mfcs_term for the
 * calling thread, or at thread exit (a fiber-local-storage callback, so no
 * DllMain work is needed).
 */
/* The window class's name: "mfcsock_notify_window_" and the DLL's address
 * (notify.c says why). Valid once a thread state has been made. */
const char *mfcs__window_class(void);

typedef struct mfcs__thread mfcs__thread;
struct mfcs__thread {
    uint32_t tid;
    HWND hwnd;
    int window_gone;      /* mfcs_term (on another thread) made the window inert */
    unsigned busy;        /* callbacks and blocking calls under way on this thread */
    int quit_held;        /* a WM_QUIT taken from the queue while a blocking call waits ... */
    int quit_code;        /* ... with its exit code: posted again when the call returns */
    void *sockets;        /* the socket part's per-thread data (socket_route.c) */
    char *recv_spare;     /* a socket file's receive-ahead block (socket_held.c) */
    void (*sockets_free)(mfcs__thread *ts, int unloading); /* frees .sockets; set by its owner */
    mfcs__thread *next;   /* every thread's state, for mfcs_term (mfcs__threads_lock) */
};

/* The calling thread's state, made (with its window) on first use.
 * MFCS_E_NOMEM, or the CreateWindow error, when that fails. */
mfcs_err mfcs__thread_get(mfcs__thread **out);
/* The calling thread's state if it has one, else NULL. */
mfcs__thread *mfcs__thread_peek(void);
/* Frees the calling thread's state; MFCS_E_STATE while ts->busy. */
mfcs_err mfcs__thread_free_current(void);
/* mfcs_term: makes the windows of other threads inert (their procedure
 * becomes DefWindowProc), so no thread runs this DLL's code for them once
 * it is unloaded; each thread makes a new window when it next needs one. */
void mfcs__thread_detach_others(void);

/* Guards every thread's state against another thread's mfcs_term and
 * socket frees (recursive: a teardown may free a socket inside). */
void mfcs__threads_lock(void);
void mfcs__threads_unlock(void);

/* PeekMessage(PM_REMOVE) for this library's own window and messages. A
 * pending WM_QUIT comes back from any filtered peek (Windows documents it;
 * Wine does it too), and must not be lost or dispatched into nothing: it
 * is taken out and held in ts (mfcs__quit_hold), and the peek goes on. */
BOOL mfcs__peek_own(mfcs__thread *ts, HWND hwnd, UINT first, UINT last, MSG *m);
/* Holds a WM_QUIT taken from the queue: a blocking call under way ends
 * with MFCS_E_QUIT, and the quit is posted again, with its code, when the
 * thread's last blocking call returns (or at once when none is). */
void mfcs__quit_hold(mfcs__thread *ts, int code);
/* Posts a held WM_QUIT again unless a blocking call is still under way. */
void mfcs__quit_release(mfcs__thread *ts);

/* Window messages at or above this value are routed to socket.c's handler;
 * below it the window behaves as DefWindowProc. */
#define MFCS__WM_FIRST (WM_APP + 0x200)
typedef LRESULT (*mfcs__message_fn)(mfcs__thread *ts, UINT msg, WPARAM wp, LPARAM lp);
/* Installs the handler for MFCS__WM_FIRST and above (the socket part). */
void mfcs__thread_set_handler(mfcs__message_fn fn);

#endif /* MFCS_WIN_H */
