/*
 * startup.c: what Windows needs when the library starts and stops
 * (init.c calls these): Winsock, started once per process and cleaned up
 * at the last mfcs_term, and the threads' notification windows, which
 * must stop calling into a DLL that may be unloaded next.
 */
#include "socket.h"

mfcs_err mfcs__os_start(void)
{
    WSADATA wsa;
    int rc = WSAStartup(MAKEWORD(2, 2), &wsa);
    if (rc != 0)
        return rc;
    if (LOBYTE(wsa.wVersion) != 2 || HIBYTE(wsa.wVersion) != 2) {
        WSACleanup();
        return WSAVERNOTSUPPORTED;
    }
    return MFCS_OK;
}

void mfcs__os_killing(int kind, void *obj)
{
    if (kind == MFCS__KIND_SOCKET) {
        /* A blocking call on it holds it: that call ends now (cancelled),
         * on its own thread, and frees it as it returns. */
        mfcs__socket *s = (mfcs__socket *)obj;
        if (s->in_call)
            mfcs__blocking_signal_cancel(s);
    }
}

void mfcs__os_stop(void)
{
    /* The other threads' windows stop calling into this DLL, which may be
     * unloaded next; this thread's goes with its state. */
    mfcs__thread_detach_others();
    if (mfcs__thread_peek() && mfcs__thread_peek()->busy == 0)
        mfcs__thread_free_current();
    WSACleanup();
}
