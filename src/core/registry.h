/*
 * registry.h: serializable classes (MFC's CRuntimeClass for DECLARE_SERIAL
 * classes), shared by registry.c and archive_object.c. Portable.
 */
#ifndef MFCS_REGISTRY_H
#define MFCS_REGISTRY_H

#include "mfcsock/archive.h"
#include "internal.h"

#define MFCS__CLASS_NAME_MAX 63   /* MFC cannot load a longer name */

struct mfcs__class {  /* typedef'd in internal.h */
    void *handle;
    mfcs__slot *slot;
    char name[MFCS__CLASS_NAME_MAX + 1];
    uint16_t name_len;
    uint16_t schema;              /* without the versionable flag */
    int versionable;
    mfcs_class_ops ops;
    void *ctx;
    unsigned uses;                /* archives and calls holding it: unregister refuses */
    struct mfcs__class *next;
};

/* The class behind a handle, with one more use taken (released by
 * mfcs__class_release): a use also pins it, so even mfcs_term cannot free
 * it while it is used. NULL for a bad handle. */
mfcs__class *mfcs__class_acquire(const mfcs_class *h);
/* The class of that name (len bytes, not NUL-terminated), with one more use
 * taken; NULL when no class has the name. */
mfcs__class *mfcs__class_acquire_name(const char *name, size_t len);
void mfcs__class_release(mfcs__class *cls);
/* mfcs_term: takes a class whose handle it killed out of the registry. */
void mfcs__class_unlink(mfcs__class *cls);

#endif
