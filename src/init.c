/*
 * init.c: library start and stop (WSAStartup ref-counted per process),
 * version and memory. Nothing runs from DllMain: a DLL must not call
 * Winsock or User32 there (KB Q196836), so start-up is explicit.
 */
#include "socket.h"
#include "registry.h"

#include <stdlib.h>

#ifndef MFCS_VERSION_STRING
#  error "MFCS_VERSION_STRING must come from the build (CMakeLists.txt)"
#endif

static mfcs__mutex init_lock = MFCS__MUTEX_INIT;
static unsigned init_refs;
static volatile uint32_t initialized;

int mfcs__initialized(void)
{
    return mfcs__load_acquire(&initialized) != 0;
}

mfcs_err MFCS_CALL mfcs_init(void)
{
    mfcs_err err = MFCS_OK;
    mfcs__mutex_lock(&init_lock);
    if (init_refs == 0) {
        WSADATA wsa;
        int rc = WSAStartup(MAKEWORD(2, 2), &wsa);
        if (rc != 0) {
            err = rc;
        } else if (LOBYTE(wsa.wVersion) != 2 || HIBYTE(wsa.wVersion) != 2) {
            WSACleanup();
            err = WSAVERNOTSUPPORTED;
        }
    }
    if (err == MFCS_OK) {
        init_refs++;
        mfcs__store_release(&initialized, 1);
    }
    mfcs__mutex_unlock(&init_lock);
    return err;
}

/* mfcs_term's sweep: each object it kills gets this before any is freed. */
static void on_kill(int kind, void *obj)
{
    if (kind == MFCS__KIND_SOCKET) {
        /* A blocking call on it holds it: that call ends now (cancelled),
         * on its own thread, and frees it as it returns. */
        mfcs__socket *s = (mfcs__socket *)obj;
        if (s->in_call)
            mfcs__blocking_signal_cancel(s);
    } else if (kind == MFCS__KIND_CLASS) {
        mfcs__class_unlink((mfcs__class *)obj);
    }
}

void MFCS_CALL mfcs_term(void)
{
    mfcs__mutex_lock(&init_lock);
    if (init_refs == 0 || --init_refs > 0) {
        mfcs__mutex_unlock(&init_lock);
        return;
    }
    mfcs__store_release(&initialized, 0);
    /* Every object of every thread: those no call holds are freed here,
     * the others when the call holding them returns (handle.c). */
    mfcs__handle_kill_all(on_kill);
    /* The other threads' windows stop calling into this DLL, which may be
     * unloaded next; this thread's goes with its state. */
    mfcs__thread_detach_others();
    if (mfcs__thread_peek() && mfcs__thread_peek()->busy == 0)
        mfcs__thread_free_current();
    WSACleanup();
    mfcs__mutex_unlock(&init_lock);
}

const char *MFCS_CALL mfcs_version(void)
{
    return MFCS_VERSION_STRING;
}

void MFCS_CALL mfcs_free(void *p)
{
    free(p);
}
