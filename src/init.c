/*
 * init.c: library start and stop (WSAStartup ref-counted per process),
 * version and memory. Nothing runs from DllMain: a DLL must not call
 * Winsock or User32 there (KB Q196836), so start-up is explicit.
 */
#include "win.h"

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

void MFCS_CALL mfcs_term(void)
{
    int kind;
    mfcs__mutex_lock(&init_lock);
    if (init_refs == 0 || --init_refs > 0) {
        mfcs__mutex_unlock(&init_lock);
        return;
    }
    mfcs__store_release(&initialized, 0);
    /* Archives first: closing one may hand bytes back to its file's socket. */
    for (kind = 1; kind < MFCS__KIND_COUNT; kind++)
        mfcs__handle_destroy_all(kind);
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
