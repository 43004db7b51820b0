/*
 * file_memory.c: memory files (MFC's CMemFile): one growing block with a
 * position. Portable: it builds in the Linux fuzz target too.
 */
#include "file.h"
#include "mfcsock/file.h"

#include <stdlib.h>
#include <string.h>

typedef struct memory_file {
    mfcs__file head;   /* first: the ops see a memory_file through it */
    unsigned char *data;
    size_t size;       /* bytes in the file */
    size_t cap;        /* bytes allocated */
    size_t pos;        /* may be past size, as CMemFile allows */
} memory_file;

static mfcs_err mem_fill(mfcs__file *f, void *buf, size_t need, size_t cap, size_t *got, uint64_t deadline)
{
    memory_file *m = (memory_file *)f;
    size_t n = m->pos < m->size ? m->size - m->pos : 0;
    (void)need; /* everything that is left is already here: read ahead freely */
    (void)deadline;
    if (n > cap)
        n = cap;
    if (n)   /* an empty file has no block at all */
        memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    *got = n;
    return MFCS_OK;
}

static mfcs_err mem_write(mfcs__file *f, const void *buf, size_t len)
{
    memory_file *m = (memory_file *)f;
    size_t end;
    if (len > SIZE_MAX - m->pos)
        return MFCS_E_NOMEM;
    end = m->pos + len;
    if (end > m->cap) {
        /* Double, so a stream of writes costs amortized
         * O(1) copies per byte. */
        size_t ncap = m->cap * 2;
        unsigned char *n;
        if (ncap < end)
            ncap = end;
        if (ncap < 4096)
            ncap = 4096;
        n = (unsigned char *)realloc(m->data, ncap);
        if (!n)
            return MFCS_E_NOMEM;
        m->data = n;
        m->cap = ncap;
    }
    if (m->pos > m->size)     /* a gap left by seeking past the end reads as zeros */
        memset(m->data + m->size, 0, m->pos - m->size);
    memcpy(m->data + m->pos, buf, len);
    m->pos = end;
    if (end > m->size)
        m->size = end;
    return MFCS_OK;
}

static mfcs_err mem_seek(mfcs__file *f, int64_t off, int whence, uint64_t *pos)
{
    memory_file *m = (memory_file *)f;
    size_t base = whence == MFCS_SEEK_SET ? 0 : whence == MFCS_SEEK_CUR ? m->pos : m->size;
    /* Compared before adding, so no overflow can happen on the way. */
    if (off < 0 ? (uint64_t)-(off + 1) >= base : (uint64_t)off > (uint64_t)(SIZE_MAX - base))
        return MFCS_E_INVALIDARG;
    m->pos = off < 0 ? base - (size_t)-(off + 1) - 1 : base + (size_t)off;
    if (pos)
        *pos = m->pos;
    return MFCS_OK;
}

static mfcs_err mem_length(mfcs__file *f, uint64_t *len)
{
    *len = ((memory_file *)f)->size;
    return MFCS_OK;
}

/* The bytes are still in memory: stepping back is enough (CArchive::Flush's Seek). */
static mfcs_err mem_unread(mfcs__file *f, const void *buf, size_t len)
{
    memory_file *m = (memory_file *)f;
    (void)buf;
    m->pos = len <= m->pos ? m->pos - len : 0;
    return MFCS_OK;
}

static void mem_destroy(mfcs__file *f)
{
    memory_file *m = (memory_file *)f;
    free(m->data);
    free(m);
}

static const mfcs__file_ops memory_ops = {
    "memory", mem_fill, mem_write, NULL, mem_seek, mem_length, mem_unread, NULL, mem_destroy,
    NULL, NULL
};

mfcs_err MFCS_CALL mfcs_file_open_memory(mfcs_file **out, const void *initial, size_t len)
{
    memory_file *m;
    if (!out)
        return MFCS_E_INVALIDARG;
    *out = NULL;
    if (!initial && len)
        return MFCS_E_INVALIDARG;
    m = (memory_file *)calloc(1, sizeof *m);
    if (!m)
        return MFCS_E_NOMEM;
    m->head.ops = &memory_ops;
    if (len) {
        if (!(m->data = (unsigned char *)malloc(len))) {
            free(m);
            return MFCS_E_NOMEM;
        }
        memcpy(m->data, initial, len);
        m->size = m->cap = len;
    }
    return mfcs__file_register(&m->head, out);
}

mfcs_err MFCS_CALL mfcs_file_memory_data(mfcs_file *h, const void **data, size_t *len)
{
    mfcs__file *f;
    mfcs_err err = mfcs__file_get(h, &f);
    if (err)
        return err;
    if (f->ops != &memory_ops) {
        err = MFCS_E_UNSUPPORTED;
    } else {
        if (data)
            *data = ((memory_file *)f)->data;
        if (len)
            *len = ((memory_file *)f)->size;
    }
    mfcs__file_put(f);
    return err;
}
