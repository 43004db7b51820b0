/*
 * file.h: the internal interface every file kind implements (memory, disk,
 * socket) and the archive codec uses. Portable: no Windows header.
 *
 * The archive needs one read operation, fill(), shaped so that a socket
 * archive never waits for bytes it does not need yet never calls recv once
 * per value: "give me at least `need` bytes, and up to `cap` if they are
 * already here". A memory or disk file reads ahead freely (it costs nothing
 * and never blocks); a socket file takes whatever has already arrived in
 * one call (up to 256 KiB: what cap has no room for stays with its socket,
 * see socket.h), and waits only while it has fewer than need.
 */
#ifndef MFCS_FILE_H
#define MFCS_FILE_H

#include "internal.h"

typedef struct mfcs__file mfcs__file;

typedef struct mfcs__file_ops {
    const char *kind_name;
    /* Reads at least min(need, what is left before end of stream) bytes and at
     * most cap into buf; *got 0 with MFCS_OK means end of stream. need <= cap.
     * An error that ends the read early comes back with *got counting the
     * bytes that came before it (fewer than need). */
    mfcs_err (*fill)(mfcs__file *f, void *buf, size_t need, size_t cap, size_t *got);
    /* Writes all len bytes or fails. */
    mfcs_err (*write)(mfcs__file *f, const void *buf, size_t len);
    /* NULL: flushing has nothing to do. */
    mfcs_err (*flush)(mfcs__file *f);
    /* NULL: MFCS_E_UNSUPPORTED (socket files). whence is SEEK_SET/CUR/END. */
    mfcs_err (*seek)(mfcs__file *f, int64_t off, int whence, uint64_t *pos);
    /* NULL: MFCS_E_UNSUPPORTED. */
    mfcs_err (*length)(mfcs__file *f, uint64_t *len);
    /* Hands back the last len bytes a loading archive took but did not
     * consume (buf holds them), so the file's next read returns them first.
     * Memory and disk files seek back; a socket file gives them to its socket. */
    mfcs_err (*unread)(mfcs__file *f, const void *buf, size_t len);
    /* The archive's stream-only gate, checked by mfcs_archive_open; NULL: ok. */
    mfcs_err (*check_archive)(mfcs__file *f);
    /* Releases the kind's resources and frees f (mfcs_file_close and mfcs_term). */
    void (*destroy)(mfcs__file *f);
    /* Whether the file can be used by the calling thread now (a socket
     * file: its socket still has a SOCKET and belongs to this thread);
     * every call but close checks it first. NULL: always. */
    mfcs_err (*usable)(mfcs__file *f);
} mfcs__file_ops;

/* The common head of every file kind's object (each kind embeds it first). */
struct mfcs__file {
    const mfcs__file_ops *ops;
    void *handle;        /* this file's public handle (mfcs_file *) */
    unsigned archives;   /* archives open on it: close refuses while nonzero */
    uint32_t owner;      /* owning thread id, 0: any one thread at a time */
    int read_all;        /* mfcs_file_read waits for all len bytes (CSocketFile
                            made not archive-compatible); archives never do */
};

/* Gives f a handle (kind FILE, owner f->owner) and returns it as *out; on
 * failure destroys f. Used by each kind's open function. */
mfcs_err mfcs__file_register(mfcs__file *f, mfcs_file **out);

/* The file object behind a public handle, checked for the calling thread
 * and for being usable (file ops' usable()). */
mfcs_err mfcs__file_get(mfcs_file *h, mfcs__file **out);

#endif /* MFCS_FILE_H */
