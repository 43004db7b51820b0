/*
 * win.h: Windows-only internals: library state (init.c) and the per-thread
 * notification window and state (notify.c).
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

/* ===== Library state (init.c) ===== */

/* Nonzero between the first mfcs_init and the last mfcs_term. */
int mfcs__initialized(void);

/* ===== Per-thread state and notification window (notify.c) =====
 *
 * Each thread that owns sockets has one of these, made on first use, with a
 * hidden message-only window that WSAAsyncSelect posts that thread's socket
 * notifications to. It is freed by mfcs_thread_term, by mfcs_term for the
 * calling thread, or at thread exit (a fiber-local-storage callback, so no
 * DllMain work is needed).
 */
#define MFCS__WINDOW_CLASS "mfcsock_notify_window"

typedef struct mfcs__thread mfcs__thread;
struct mfcs__thread {
    uint32_t tid;
    HWND hwnd;
    unsigned busy;        /* callbacks and blocking calls under way on this thread */
    void *sockets;        /* the socket part's per-thread data (socket.c) */
    void (*sockets_free)(mfcs__thread *ts); /* frees .sockets; set by its owner */
};

/* The calling thread's state, made (with its window) on first use.
 * MFCS_E_NOMEM, or the CreateWindow error, when that fails. */
mfcs_err mfcs__thread_get(mfcs__thread **out);
/* The calling thread's state if it has one, else NULL. */
mfcs__thread *mfcs__thread_peek(void);
/* Frees the calling thread's state; MFCS_E_STATE while ts->busy. */
mfcs_err mfcs__thread_free_current(void);

/* PeekMessage(PM_REMOVE) for this library's own window and messages. Wine
 * returns a pending WM_QUIT from a peek filtered to a message range even
 * when the range excludes it; the program's loop must still see it, so it
 * is posted again and the peek reports nothing. */
BOOL mfcs__peek_own(HWND hwnd, UINT first, UINT last, MSG *m);

/* Window messages at or above this value are routed to socket.c's handler;
 * below it the window behaves as DefWindowProc. */
#define MFCS__WM_FIRST (WM_APP + 0x200)
typedef LRESULT (*mfcs__message_fn)(mfcs__thread *ts, UINT msg, WPARAM wp, LPARAM lp);
/* Installs the handler for MFCS__WM_FIRST and above (the socket part). */
void mfcs__thread_set_handler(mfcs__message_fn fn);

#endif /* MFCS_WIN_H */
