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
     * bytes that came before it (fewer than need). deadline: from the
     * file's deadline() for a wait that covers a whole archive call, or 0
     * for one that starts now (a socket file's own timeout). */
    mfcs_err (*fill)(mfcs__file *f, void *buf, size_t need, size_t cap, size_t *got, uint64_t deadline);
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
    /* Releases the kind's resources and frees f, once its handle is dead and
     * nothing uses it (mfcs_file_close, mfcs_term); any thread. */
    void (*destroy)(mfcs__file *f);
    /* Whether the file can be used by the calling thread now (a socket
     * file: its socket still has a SOCKET and belongs to this thread);
     * every call but close checks it first; MFCS_E_STATE means the socket
     * is gone for good. NULL: always. */
    mfcs_err (*usable)(mfcs__file *f);
    /* The end of a wait that starts now and covers a whole archive call (a
     * socket file: its socket's timeout), 0 for none. NULL: never waits. */
    uint64_t (*deadline)(mfcs__file *f);
} mfcs__file_ops;

/* The common head of every file kind's object (each kind embeds it first). */
struct mfcs__file {
    const mfcs__file_ops *ops;
    void *handle;        /* this file's public handle (mfcs_file *) */
    mfcs__slot *slot;    /* its slot: an archive on the file holds a pin on it */
    volatile uint32_t archives; /* archives open on it: close refuses while nonzero */
    uint32_t owner;      /* owning thread id for a bound file (socket files), else 0 */
    int read_all;        /* mfcs_file_read waits for all len bytes (CSocketFile
                            made not archive-compatible); archives never do */
};

/* Gives f a handle (kind FILE; bound to f->owner when that is nonzero) and
 * returns it as *out; on failure destroys f. Used by each kind's open. */
mfcs_err mfcs__file_register(mfcs__file *f, mfcs_file **out);

/* Pins the file behind a public handle for a call of the calling thread,
 * checked for being usable (file ops' usable()). Unpin with
 * mfcs__file_put. */
mfcs_err mfcs__file_get(mfcs_file *h, mfcs__file **out);
void mfcs__file_put(mfcs__file *f);

#endif /* MFCS_FILE_H */
