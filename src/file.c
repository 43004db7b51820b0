/*
 * file.c: the public file calls, the same for every kind: each checks the
 * handle and its thread, then goes through the kind's ops (file.h).
 */
#include "file.h"
#include "mfcsock/file.h"

/* mfcs_term: the handle is already dead. mfcs_term frees archives first,
 * so an archive still open here is one inside a call of its own, which
 * keeps using this file (archive.c's destroy_archive): it stays. */
static void destroy_file(void *obj)
{
    mfcs__file *f = (mfcs__file *)obj;
    if (f->archives)
        return;
    f->ops->destroy(f);
}

mfcs_err mfcs__file_register(mfcs__file *f, mfcs_file **out)
{
    mfcs_err err = mfcs__handle_alloc(MFCS__KIND_FILE, f, f->owner, destroy_file, &f->handle);
    if (err) {
        f->ops->destroy(f);
        return err;
    }
    *out = (mfcs_file *)f->handle;
    return MFCS_OK;
}

mfcs_err mfcs__file_get(mfcs_file *h, mfcs__file **out)
{
    mfcs_err err = mfcs__handle_get_owned(h, MFCS__KIND_FILE, (void **)out);
    if (!err && (*out)->ops->usable)
        err = (*out)->ops->usable(*out);
    return err;
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
    if (len == 0)
        return MFCS_OK;
    if (!buf) {   /* skipping: into scratch space, as much as one read gives */
        buf = skip;
        if (len > sizeof skip)
            len = sizeof skip;
    }
    err = f->ops->fill(f, buf, f->read_all ? len : 1, len, &total);
    if (nread)
        *nread = total;
    return err;
}

mfcs_err MFCS_CALL mfcs_file_write(mfcs_file *h, const void *buf, size_t len)
{
    mfcs__file *f;
    mfcs_err err = mfcs__file_get(h, &f);
    if (err)
        return err;
    if (!buf && len)
        return MFCS_E_INVALIDARG;
    return len ? f->ops->write(f, buf, len) : MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_file_flush(mfcs_file *h)
{
    mfcs__file *f;
    mfcs_err err = mfcs__file_get(h, &f);
    if (err)
        return err;
    return f->ops->flush ? f->ops->flush(f) : MFCS_OK;
}

mfcs_err MFCS_CALL mfcs_file_seek(mfcs_file *h, int64_t off, int whence, uint64_t *pos)
{
    mfcs__file *f;
    mfcs_err err = mfcs__file_get(h, &f);
    if (err)
        return err;
    if (!f->ops->seek)
        return MFCS_E_UNSUPPORTED;
    if (whence != MFCS_SEEK_SET && whence != MFCS_SEEK_CUR && whence != MFCS_SEEK_END)
        return MFCS_E_INVALIDARG;
    return f->ops->seek(f, off, whence, pos);
}

mfcs_err MFCS_CALL mfcs_file_length(mfcs_file *h, uint64_t *len)
{
    mfcs__file *f;
    mfcs_err err = mfcs__file_get(h, &f);
    if (err)
        return err;
    if (!f->ops->length)
        return MFCS_E_UNSUPPORTED;
    if (!len)
        return MFCS_E_INVALIDARG;
    return f->ops->length(f, len);
}

mfcs_err MFCS_CALL mfcs_file_close(mfcs_file *h)
{
    mfcs__file *f;
    /* Not mfcs__file_get: a file whose socket is gone can still be closed. */
    mfcs_err err = mfcs__handle_get_owned(h, MFCS__KIND_FILE, (void **)&f);
    if (err)
        return err;
    if (f->archives)
        return MFCS_E_STATE;
    mfcs__handle_release(h);
    f->ops->destroy(f);
    return MFCS_OK;
}
