/*
 * init.c: library start and stop (reference-counted per process), version
 * and memory. What the operating system needs at start and stop (Winsock,
 * each thread's window) is the platform layer's: mfcs__os_start,
 * mfcs__os_killing and mfcs__os_stop (platform.h). Nothing runs from
 * DllMain: a DLL must not call Winsock or User32 there (KB Q196836), so
 * start-up is explicit.
 */
#include "internal.h"
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
    if (init_refs == 0)
        err = mfcs__os_start();
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
    if (kind == MFCS__KIND_CLASS)
        mfcs__class_unlink((mfcs__class *)obj);
    else
        mfcs__os_killing(kind, obj);
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
    mfcs__os_stop();
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
