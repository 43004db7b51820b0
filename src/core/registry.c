/*
 * registry.c: the process-wide class registry (IMPLEMENT_SERIAL's
 * CRuntimeClass list). A list under one lock: classes are few and looked up
 * once per archive (at their new-class record), never per value.
 *
 * An archive that has written or read objects of a class holds a use of it,
 * so the class cannot be unregistered under the archive's feet.
 */
#include "registry.h"

#include <stdlib.h>
#include <string.h>

static mfcs__mutex registry_lock = MFCS__MUTEX_INIT;
static mfcs__class *classes;

static void unlink_class(mfcs__class *c)
{
    mfcs__class **p;
    for (p = &classes; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            return;
        }
}

/* The slot's finalizer: out of the list, its handle dead, no use left. */
static void destroy_class(void *obj)
{
    free(obj);
}

void mfcs__class_unlink(mfcs__class *c)
{
    mfcs__mutex_lock(&registry_lock);
    unlink_class(c);
    mfcs__mutex_unlock(&registry_lock);
}

static mfcs__class *find_locked(const char *name, size_t len)
{
    mfcs__class *c;
    for (c = classes; c; c = c->next)
        if (c->name_len == len && memcmp(c->name, name, len) == 0)
            return c;
    return NULL;
}

mfcs_err MFCS_CALL mfcs_class_register(mfcs_class **out, const char *name, unsigned schema,
                                       const mfcs_class_ops *ops, void *ctx)
{
    mfcs__class *c;
    size_t len, i;
    unsigned plain = schema & ~MFCS_VERSIONABLE_SCHEMA;
    mfcs_err err;

    if (!out)
        return MFCS_E_INVALIDARG;
    *out = NULL;
    if (!name || !ops || !ops->create || !ops->serialize || !ops->destroy)
        return MFCS_E_INVALIDARG;
    len = strlen(name);
    if (len == 0 || len > MFCS__CLASS_NAME_MAX || plain > 0xFFFE)
        return MFCS_E_INVALIDARG;
    for (i = 0; i < len; i++)        /* ASCII, printable: MFC writes it as bytes */
        if ((unsigned char)name[i] < 0x21 || (unsigned char)name[i] > 0x7E)
            return MFCS_E_INVALIDARG;
    c = (mfcs__class *)calloc(1, sizeof *c);
    if (!c)
        return MFCS_E_NOMEM;
    memcpy(c->name, name, len);
    c->name_len = (uint16_t)len;
    c->schema = (uint16_t)plain;
    c->versionable = (schema & MFCS_VERSIONABLE_SCHEMA) != 0;
    c->ops = *ops;
    c->ctx = ctx;

    mfcs__mutex_lock(&registry_lock);
    if (find_locked(name, len)) {
        mfcs__mutex_unlock(&registry_lock);
        free(c);
        return MFCS_E_STATE;
    }
    err = mfcs__handle_alloc(MFCS__KIND_CLASS, c, 0, 0, destroy_class, &c->handle, &c->slot);
    if (err) {
        mfcs__mutex_unlock(&registry_lock);
        free(c);
        return err;
    }
    c->next = classes;
    classes = c;
    mfcs__mutex_unlock(&registry_lock);
    *out = (mfcs_class *)c->handle;
    return MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_class_find(const char *name, mfcs_class **out)
{
    mfcs__class *c;
    if (!out)
        return MFCS_E_INVALIDARG;
    *out = NULL;
    if (!name)
        return MFCS_E_INVALIDARG;
    mfcs__mutex_lock(&registry_lock);
    c = find_locked(name, strlen(name));
    if (c)
        *out = (mfcs_class *)c->handle;
    mfcs__mutex_unlock(&registry_lock);
    return c ? MFCS_OK : MFCS_E_CLASS;
}

mfcs_err MFCS_CALL mfcs_class_unregister(mfcs_class *h)
{
    mfcs__class *c;
    mfcs__slot *slot;
    mfcs_err err = mfcs__pin(h, MFCS__KIND_CLASS, MFCS__USE_ANY, &slot, (void **)&c);
    if (err)
        return err;
    mfcs__mutex_lock(&registry_lock);
    if (c->uses) {
        err = MFCS_E_STATE;
    } else {
        unlink_class(c);
        mfcs__handle_kill(slot);
    }
    mfcs__mutex_unlock(&registry_lock);
    mfcs__unpin(slot, MFCS__USE_ANY);   /* frees it */
    return err;
}

mfcs__class *mfcs__class_acquire(const mfcs_class *h)
{
    mfcs__class *c;
    mfcs__slot *slot;
    if (mfcs__pin(h, MFCS__KIND_CLASS, MFCS__USE_ANY, &slot, (void **)&c) != MFCS_OK)
        return NULL;
    mfcs__mutex_lock(&registry_lock);
    c->uses++;
    mfcs__mutex_unlock(&registry_lock);
    return c;
}

mfcs__class *mfcs__class_acquire_name(const char *name, size_t len)
{
    mfcs__class *c;
    mfcs__slot *slot;
    void *obj;
    mfcs__mutex_lock(&registry_lock);
    c = find_locked(name, len);
    /* Listed means live: unregister and mfcs_term unlink before they kill. */
    if (c && mfcs__pin(c->handle, MFCS__KIND_CLASS, MFCS__USE_ANY, &slot, &obj) == MFCS_OK)
        c->uses++;
    else
        c = NULL;
    mfcs__mutex_unlock(&registry_lock);
    return c;
}

void mfcs__class_release(mfcs__class *c)
{
    mfcs__mutex_lock(&registry_lock);
    c->uses--;
    mfcs__mutex_unlock(&registry_lock);
    mfcs__unpin(c->slot, MFCS__USE_ANY);
}
