/*
 * file.c: the public file calls, the same for every kind: each pins the
 * handle for the calling thread (handle.c), then goes through the kind's
 * ops (file.h).
 */
#include "file.h"
#include "mfcsock/file.h"

static void destroy_file(void *obj)
{
    mfcs__file *f = (mfcs__file *)obj;
    f->ops->destroy(f);
}

mfcs_err mfcs__file_register(mfcs__file *f, mfcs_file **out)
{
    mfcs_err err = mfcs__handle_alloc(MFCS__KIND_FILE, f, f->owner, f->owner ? MFCS__SLOT_BOUND : 0,
                                      destroy_file, &f->handle, &f->slot);
    if (err) {
        f->ops->destroy(f);
        return err;
    }
    *out = (mfcs_file *)f->handle;
    return MFCS_OK;
}

mfcs_err mfcs__file_get(mfcs_file *h, mfcs__file **out)
{
    mfcs__slot *slot;
    mfcs_err err = mfcs__pin(h, MFCS__KIND_FILE, MFCS__USE_OWNER, &slot, (void **)out);
    if (err)
        return err;
    if ((*out)->ops->usable && (err = (*out)->ops->usable(*out)) != MFCS_OK) {
        mfcs__unpin(slot, MFCS__USE_OWNER);
        return err;
    }
    return MFCS_OK;
}

void mfcs__file_put(mfcs__file *f)
{
    mfcs__unpin(f->slot, MFCS__USE_OWNER);
}

mfcs_err MFCS_CALL mfcs_file_read(mfcs_file *h, void *buf, size_t len, size_t *nread)
{
    mfcs__file *f;
    unsigned char skip[512];
    size_t total = 0;
    mfcs_err err = mfcs__file_get(h, &f);
    if (nread)
        *nread = 0;
    if (err)
        return err;
    if (len) {
        if (!buf) {   /* skipping: into scratch space, as much as one read gives */
            buf = skip;
            if (len > sizeof skip)
                len = sizeof skip;
        }
        err = f->ops->fill(f, buf, f->read_all ? len : 1, len, &total, 0);
        if (nread)
            *nread = total;
    }
    mfcs__file_put(f);
    return err;
}

mfcs_err MFCS_CALL mfcs_file_write(mfcs_file *h, const void *buf, size_t len)
{
    mfcs__file *f;
    mfcs_err err = mfcs__file_get(h, &f);
    if (err)
        return err;
    if (!buf && len)
        err = MFCS_E_INVALIDARG;
    else if (len)
        err = f->ops->write(f, buf, len);
    mfcs__file_put(f);
    return err;
}

mfcs_err MFCS_CALL mfcs_file_flush(mfcs_file *h)
{
    mfcs__file *f;
    mfcs_err err = mfcs__file_get(h, &f);
    if (err)
        return err;
    if (f->ops->flush)
        err = f->ops->flush(f);
    mfcs__file_put(f);
    return err;
}

mfcs_err MFCS_CALL mfcs_file_seek(mfcs_file *h, int64_t off, int whence, uint64_t *pos)
{
    mfcs__file *f;
    mfcs_err err = mfcs__file_get(h, &f);
    if (err)
        return err;
    if (!f->ops->seek)
        err = MFCS_E_UNSUPPORTED;
    else if (whence != MFCS_SEEK_SET && whence != MFCS_SEEK_CUR && whence != MFCS_SEEK_END)
        err = MFCS_E_INVALIDARG;
    else
        err = f->ops->seek(f, off, whence, pos);
    mfcs__file_put(f);
    return err;
}

mfcs_err MFCS_CALL mfcs_file_length(mfcs_file *h, uint64_t *len)
{
    mfcs__file *f;
    mfcs_err err = mfcs__file_get(h, &f);
    if (err)
        return err;
    if (!f->ops->length)
        err = MFCS_E_UNSUPPORTED;
    else if (!len)
        err = MFCS_E_INVALIDARG;
    else
        err = f->ops->length(f, len);
    mfcs__file_put(f);
    return err;
}

mfcs_err MFCS_CALL mfcs_file_close(mfcs_file *h)
{
    mfcs__file *f;
    mfcs__slot *slot;
    int how = MFCS__USE_OWNER;
    /* Not mfcs__file_get: a file whose socket is gone can still be closed. */
    mfcs_err err = mfcs__pin(h, MFCS__KIND_FILE, how, &slot, (void **)&f);
    if (err == MFCS_E_WRONGTHREAD) {
        /* Its socket gone (freed, closed, or its thread ended), a socket
         * file belongs to no thread any more: any thread may close it. */
        how = MFCS__USE_ANY;
        if ((err = mfcs__pin(h, MFCS__KIND_FILE, how, &slot, (void **)&f)) != MFCS_OK)
            return err;
        if (!f->ops->usable || f->ops->usable(f) != MFCS_E_STATE) {
            mfcs__unpin(slot, how);
            return MFCS_E_WRONGTHREAD;
        }
    } else if (err) {
        return err;
    }
    if (f->archives) {
        mfcs__unpin(slot, how);
        return MFCS_E_STATE;
    }
    mfcs__handle_kill(slot);
    mfcs__unpin(slot, how);   /* frees it, unless mfcs_term's sweep holds it a moment */
    return MFCS_OK;
}
