/*
 * mfcsock/archive.h: archives (MFC's CArchive) and serializable classes
 * (CObject, CRuntimeClass, DECLARE_SERIAL / IMPLEMENT_SERIAL).
 *
 * The bytes an archive writes are exactly those MFC's CArchive writes for the
 * same calls, and it reads whatever MFC writes: little-endian primitives, MFC's
 * string length prefixes, object and class tags with back references. The
 * format does not depend on the build (32- or 64-bit).
 *
 * Rules shared by every read and write call below:
 * - Errors are sticky (like ferror): once a call fails, every later read or
 *   write returns the same error and mfcs_archive_error reports it, so a
 *   program can serialize many fields and check once;
 *   mfcs_archive_error_detail says which call met it and where.
 * - MFCS_E_BADHANDLE for a bad archive handle; MFCS_E_WRONGTHREAD for an
 *   archive on a socket file used from another thread than the socket's,
 *   or a memory or disk archive called while another thread is inside a
 *   call on it (base.h: threads); MFCS_E_MODE for a write on a loading
 *   archive or a read on a storing one.
 * - MFCS_E_INPROGRESS (not sticky) for a call made while the archive itself
 *   waits for its socket, i.e. from on_message_pending during one of its
 *   reads or flushes, or for a read while another blocking call on its
 *   socket waits: the outer call goes on undisturbed, and nothing of the
 *   archive was touched.
 * - Reads: a value (a primitive, string, count, line, or an object with
 *   everything its serialize reads) is read whole or not at all: when the
 *   read fails, the bytes it had taken become unread again, so after a
 *   timeout, cancel or WM_QUIT, mfcs_archive_abort hands them back to the
 *   socket and a new archive reads the value from its first byte.
 *   MFCS_E_END when the stream ends before a value's first byte (the peer
 *   left between messages), MFCS_E_EOF when it ends inside a value (the
 *   message was cut), MFCS_E_FORMAT for bytes that are not a valid
 *   archive, MFCS_E_LIMIT over the limits of mfcs_archive_set_limit,
 *   MFCS_E_CLASS for class problems, or the file's error (a socket's
 *   Winsock code, e.g. WSAECONNRESET; MFCS_E_TIMEOUT, MFCS_E_CANCELLED,
 *   MFCS_E_QUIT). A hostile stream never crashes the reader, and a length
 *   prefix is never trusted for an allocation: memory grows as bytes
 *   actually arrive. On a socket file, the socket's timeout is one deadline
 *   for the whole call, whatever serialize reads inside it: a peer sending
 *   a byte now and then cannot stretch a value past it.
 * - Writes: nothing reaches the file before mfcs_archive_flush or
 *   mfcs_archive_close (or a full buffer); then the file's error, if any.
 *
 * Included by <mfcsock.h>. Needs no Windows header.
 */
#ifndef MFCSOCK_ARCHIVE_H
#define MFCSOCK_ARCHIVE_H

#include <string.h>

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { MFCS_LOAD = 1, MFCS_STORE = 0 };

/*
 * mfcs_archive_open: an archive on a file (MFC: CArchive(pFile, nMode, nBufSize)).
 *
 * mode is MFCS_LOAD or MFCS_STORE. buf_size 0 means 4096; like MFC, a size
 * under 128 is raised to 128. Several archives may be open on one file; the
 * file cannot be closed until they are. On a socket file this is the second
 * stream-only gate: it checks the socket's actual type (SO_TYPE).
 *
 * out (OUT): the new archive.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (out NULL, bad mode), MFCS_E_BADHANDLE,
 * MFCS_E_WRONGTHREAD, MFCS_E_NOTSTREAM (a socket file whose socket is now a
 * datagram socket), MFCS_E_STATE (its socket was closed), MFCS_E_NOMEM.
 */
mfcs_err MFCS_CALL mfcs_archive_open(mfcs_archive **out, mfcs_file *f, int mode, size_t buf_size);

/*
 * mfcs_archive_flush: a storing archive writes its buffered bytes to the
 * file (CArchive::Flush). A loading archive hands the bytes it read ahead
 * but did not consume back to the file, whose next read returns them first
 * (MFC dropped them on socket files).
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_WRONGTHREAD, MFCS_E_INPROGRESS
 * (from inside the archive's own wait), MFCS_E_STATE (a loading archive
 * flushed from inside a read: a serialize or an element callback; not
 * sticky, nothing touched), the sticky error, or the file's error.
 */
mfcs_err MFCS_CALL mfcs_archive_flush(mfcs_archive *ar);

/*
 * mfcs_archive_close: flush (as mfcs_archive_flush), then free the archive
 * (CArchive::Close). It always frees it, even on error, and returns the
 * first error the archive had. The file stays open. Objects read through
 * the archive stay the caller's. It is refused, and frees nothing, from
 * inside a create, serialize or destroy of the archive's own objects
 * (MFCS_E_STATE) or its own wait for a socket (MFCS_E_INPROGRESS). On a
 * socket file whose socket is gone, any thread may close it (file.h), and
 * buffered bytes that could not be written get MFCS_E_STATE.
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_WRONGTHREAD, MFCS_E_STATE,
 * MFCS_E_INPROGRESS, or the first error.
 */
mfcs_err MFCS_CALL mfcs_archive_close(mfcs_archive *ar);

/*
 * mfcs_archive_abort: free the archive without writing what a storing
 * archive still buffers (CArchive::Abort). A loading archive still hands
 * unconsumed bytes back to its file. Refused as mfcs_archive_close is.
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_WRONGTHREAD, MFCS_E_STATE,
 * MFCS_E_INPROGRESS.
 */
mfcs_err MFCS_CALL mfcs_archive_abort(mfcs_archive *ar);

/*
 * mfcs_archive_error: the archive's sticky error.
 * first_error (OUT): MFCS_OK while no call has failed.
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_WRONGTHREAD, MFCS_E_INVALIDARG (NULL first_error).
 */
mfcs_err MFCS_CALL mfcs_archive_error(mfcs_archive *ar, mfcs_err *first_error);

/*
 * mfcs_archive_error_detail: the sticky error with where it happened: the
 * call that met it (its name, e.g. "mfcs_archive_read_string": a static
 * string, not to be freed) and the byte offset, counted from the archive's
 * first byte, where that call's value began (for a write, where the write
 * began). When the error came from a call inside an object's serialize,
 * that inner call is named. Diagnosing a protocol mismatch starts here.
 * first_error (OUT, may be NULL): as mfcs_archive_error. call (OUT, may be
 * NULL): NULL while there is no error. offset (OUT, may be NULL).
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_WRONGTHREAD.
 */
mfcs_err MFCS_CALL mfcs_archive_error_detail(mfcs_archive *ar, mfcs_err *first_error,
                                             const char **call, uint64_t *offset);

/*
 * mfcs_archive_is_loading: whether the archive loads (CArchive::IsLoading).
 * yes (OUT): 1 loading, 0 storing.
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_WRONGTHREAD, MFCS_E_INVALIDARG.
 */
mfcs_err MFCS_CALL mfcs_archive_is_loading(mfcs_archive *ar, int *yes);

/*
 * mfcs_archive_is_buffer_empty: CArchive::IsBufferEmpty. Loading: 1 when no
 * byte that was read from the file is still unconsumed, which makes MFC's
 * `do { read a message } while (!is_buffer_empty)` loop in on_receive work.
 * Storing: 1 when nothing waits to be flushed. Reading several messages
 * with one loading archive suits a peer that wrote them with one storing
 * archive: object and class numbering runs on across the whole archive, so
 * messages written by separate archives must be read by separate archives
 * too (open one per message; unread bytes go back to the socket).
 * yes (OUT). Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_WRONGTHREAD, MFCS_E_INVALIDARG.
 */
mfcs_err MFCS_CALL mfcs_archive_is_buffer_empty(mfcs_archive *ar, int *yes);

/*
 * mfcs_archive_set_limits: cap a single string (in bytes as stored: two per
 * UTF-16 unit) and a single count read by this archive. 0 keeps a limit's
 * default: 256 MiB for strings, 2^31 - 1 for counts. Reads over a limit get
 * MFCS_E_LIMIT before anything is allocated. mfcs_archive_set_limit sets
 * these and the others one at a time.
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_WRONGTHREAD.
 */
mfcs_err MFCS_CALL mfcs_archive_set_limits(mfcs_archive *ar, size_t max_string_bytes, uint64_t max_count);

/* What mfcs_archive_set_limit sets. */
#define MFCS_LIMIT_STRING  1  /* bytes of one string as stored; default 256 MiB */
#define MFCS_LIMIT_COUNT   2  /* one count (ReadCount); default 2^31 - 1 */
#define MFCS_LIMIT_DEPTH   3  /* objects read or written inside each other; default 64 */
#define MFCS_LIMIT_OBJECTS 4  /* entries of the object map (objects and classes
                                 read or written); default 4,194,304 */

/*
 * mfcs_archive_set_limit: one of the archive's limits (SQLite's
 * sqlite3_limit). value 0 restores the default. A read over a limit gets
 * MFCS_E_LIMIT before anything is allocated for it, and so does a write
 * over the depth or map limit.
 *
 * Depth: each level of objects inside objects costs stack (the library's
 * frames take 336 bytes a level on x86_64 and 256 on i686, measured, and
 * each serialize adds its own), while a hostile stream of nested objects
 * costs 3 bytes a level. The default 64 keeps a reader inside the
 * smallest stack a thread can have (64 KiB) with serialize frames of up
 * to 600 bytes; real documents nest a few levels. Raise it for deeper
 * trees on a bigger stack.
 * Objects: a reference to a class makes an object from two bytes of input,
 * and each takes a map entry (16 bytes on x86_64, 12 on i686) until the
 * archive is closed: the default caps the map at 64 MiB.
 * old (OUT, may be NULL): the limit before the call.
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_WRONGTHREAD, MFCS_E_INVALIDARG
 * (unknown which).
 */
mfcs_err MFCS_CALL mfcs_archive_set_limit(mfcs_archive *ar, int which, uint64_t value, uint64_t *old);

/* Writes a BYTE (MFC: ar << (BYTE)v): 1 byte. */
mfcs_err MFCS_CALL mfcs_archive_write_u8(mfcs_archive *ar, uint8_t v);
/* Writes a char (ar << (char)v): 1 byte. */
mfcs_err MFCS_CALL mfcs_archive_write_i8(mfcs_archive *ar, int8_t v);
/* Writes a WORD or wchar_t (ar << (WORD)v): 2 bytes, little-endian. */
mfcs_err MFCS_CALL mfcs_archive_write_u16(mfcs_archive *ar, uint16_t v);
/* Writes a short (ar << (short)v): 2 bytes, little-endian. */
mfcs_err MFCS_CALL mfcs_archive_write_i16(mfcs_archive *ar, int16_t v);
/* Writes a DWORD or UINT (ar << (DWORD)v): 4 bytes, little-endian. */
mfcs_err MFCS_CALL mfcs_archive_write_u32(mfcs_archive *ar, uint32_t v);
/* Writes a LONG or int (ar << (LONG)v): 4 bytes, little-endian, on x64 too. */
mfcs_err MFCS_CALL mfcs_archive_write_i32(mfcs_archive *ar, int32_t v);
/* Writes a ULONGLONG (ar << (ULONGLONG)v): 8 bytes, little-endian. */
mfcs_err MFCS_CALL mfcs_archive_write_u64(mfcs_archive *ar, uint64_t v);
/* Writes a LONGLONG (ar << (LONGLONG)v): 8 bytes, little-endian. */
mfcs_err MFCS_CALL mfcs_archive_write_i64(mfcs_archive *ar, int64_t v);
/* Writes a float (ar << v): 4 bytes IEEE-754, little-endian. */
mfcs_err MFCS_CALL mfcs_archive_write_f32(mfcs_archive *ar, float v);
/* Writes a double (ar << v): 8 bytes IEEE-754, little-endian. */
mfcs_err MFCS_CALL mfcs_archive_write_f64(mfcs_archive *ar, double v);
/* Writes a bool (ar << (bool)v): one byte, 1 for any nonzero v, else 0. */
mfcs_err MFCS_CALL mfcs_archive_write_bool(mfcs_archive *ar, int v);

/* Reads a BYTE (MFC: ar >> v). out (OUT, may be NULL: the value is skipped). */
mfcs_err MFCS_CALL mfcs_archive_read_u8(mfcs_archive *ar, uint8_t *out);
/* Reads a char. out (OUT, may be NULL). */
mfcs_err MFCS_CALL mfcs_archive_read_i8(mfcs_archive *ar, int8_t *out);
/* Reads a WORD or wchar_t. out (OUT, may be NULL). */
mfcs_err MFCS_CALL mfcs_archive_read_u16(mfcs_archive *ar, uint16_t *out);
/* Reads a short. out (OUT, may be NULL). */
mfcs_err MFCS_CALL mfcs_archive_read_i16(mfcs_archive *ar, int16_t *out);
/* Reads a DWORD or UINT. out (OUT, may be NULL). */
mfcs_err MFCS_CALL mfcs_archive_read_u32(mfcs_archive *ar, uint32_t *out);
/* Reads a LONG or int. out (OUT, may be NULL). */
mfcs_err MFCS_CALL mfcs_archive_read_i32(mfcs_archive *ar, int32_t *out);
/* Reads a ULONGLONG. out (OUT, may be NULL). */
mfcs_err MFCS_CALL mfcs_archive_read_u64(mfcs_archive *ar, uint64_t *out);
/* Reads a LONGLONG. out (OUT, may be NULL). */
mfcs_err MFCS_CALL mfcs_archive_read_i64(mfcs_archive *ar, int64_t *out);
/* Reads a float. out (OUT, may be NULL). */
mfcs_err MFCS_CALL mfcs_archive_read_f32(mfcs_archive *ar, float *out);
/* Reads a double. out (OUT, may be NULL). */
mfcs_err MFCS_CALL mfcs_archive_read_f64(mfcs_archive *ar, double *out);
/* Reads a bool: any nonzero byte reads as 1. out (OUT, may be NULL). */
mfcs_err MFCS_CALL mfcs_archive_read_bool(mfcs_archive *ar, int *out);

/* ---- values at MFC's inline speed: windows and arrays ----
 *
 * MFC's `ar << dw` compiles to a compare and a store into the archive's
 * buffer; each call above costs a DLL call and a handle check instead. A
 * window hands the program the archive's buffer itself, and the inline
 * functions below put and get values through it with no call per value:
 *
 *     mfcs_window w;
 *     mfcs_archive_window_open(ar, 0, &w);
 *     for (i = 0; i < n; i++)
 *         mfcs_window_put_u32(&w, values[i]);   // flushes through the archive when full
 *     err = mfcs_archive_window_close(&w);      // the first error, if any
 *
 * The bytes are exactly those of the per-value calls; flushing, reading
 * ahead on a socket file, bytes the socket holds, deadlines and sticky
 * errors all work as for them, since a refill is an archive call
 * (mfcs_archive_window_more, which the inline functions make themselves
 * when the window runs out).
 *
 * While a window is open, every other call on the archive gets
 * MFCS_E_STATE (the queries excepted). A window stops being valid at
 * mfcs_archive_window_close, which also points it at its own spare bytes:
 * a put or get after it touches only those (gets give 0), and its refill
 * fails (MFCS_E_STATE, unless the window had failed before). Closing or
 * aborting the archive, or mfcs_term, while a window is open ends the
 * archive, not the buffer: the memory the window points into stays until
 * the window is closed, so puts and gets through it still write and read
 * that memory and harm nothing else, but nothing written after the last
 * refill reaches the file, and the next refill or the close gets
 * MFCS_E_BADHANDLE. A program can damage the archive's bytes only by
 * writing through a copy of the window made before a refill or close, or
 * past w->end: the window's memory is the archive's buffer, not a fence. */

typedef struct mfcs_window {
    unsigned char *cur;   /* next byte to write (storing) or read (loading) */
    unsigned char *end;   /* end of the room (storing) or of the bytes held (loading) */
    mfcs_archive *ar;     /* the archive it views */
    uint32_t id;          /* which of the archive's windows this is */
    mfcs_err err;         /* the first error met through it; MFCS_OK while none */
    unsigned char spare[8]; /* where cur and end point while the window cannot
                               be used (not open, failed, closed): values put
                               land here, values got read zeros */
} mfcs_window;

/*
 * mfcs_archive_window_open: open a window on the archive's buffer with room
 * for (storing) or holding (loading) at least need bytes (0: whatever is
 * there; a storing window always has room for one value of up to 8
 * bytes, a loading one waits for need bytes as a read would). A need
 * larger than the buffer grows the buffer.
 * w (OUT): the window, for the inline functions and the calls below.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (w NULL), MFCS_E_STATE (a window is
 * already open), MFCS_E_INPROGRESS, the sticky error, or what flushing or
 * filling returns (the read errors, for a loading archive).
 */
mfcs_err MFCS_CALL mfcs_archive_window_open(mfcs_archive *ar, size_t need, mfcs_window *w);

/*
 * mfcs_archive_window_more: the window's position becomes the archive's,
 * then the archive flushes (storing) or fills (loading, waiting as a read
 * does) until need bytes fit or are there, and w shows the new room or
 * bytes. The inline functions call it when a value does not fit. After an
 * error, w->err holds it and w points at its spare bytes, so puts and
 * gets reach nothing more (gets give 0); each later refill returns the
 * same error.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (w NULL), MFCS_E_STATE (w is not an
 * open window of this thread), MFCS_E_BADHANDLE (the archive was closed,
 * aborted or freed by mfcs_term under the window), or the error of
 * flushing or filling, which is the archive's sticky error too.
 */
mfcs_err MFCS_CALL mfcs_archive_window_more(mfcs_window *w, size_t need);

/*
 * mfcs_archive_window_close: give the window back: its position becomes
 * the archive's (what was written through it is buffered, what was read
 * is consumed) and it points at its spare bytes. Closes the archive's buffer
 * memory too when the archive was closed under the window.
 * Returns MFCS_OK, the window's first error or the archive's sticky error,
 * MFCS_E_INVALIDARG (w NULL), MFCS_E_STATE (not an open window: closed
 * already, or never opened), MFCS_E_BADHANDLE (the archive was closed
 * under it: nothing after the last refill was written).
 */
mfcs_err MFCS_CALL mfcs_archive_window_close(mfcs_window *w);

/* The window's byte order is the archive's: little-endian. On a
 * little-endian host (every Windows one) a value is copied as it is. */
#if defined(_WIN32) || defined(__x86_64__) || defined(__i386__) || \
    (defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
#  define MFCS__WINDOW_LE 1
#else
#  define MFCS__WINDOW_LE 0
#endif

/* A window's refill is rare: the common path falls straight through. */
#if defined(__GNUC__) || defined(__clang__)
#  define MFCS__RARELY(x) __builtin_expect(!!(x), 0)
#else
#  define MFCS__RARELY(x) (x)
#endif

/* The refill has no failure branch of its own: a window that fails points
 * at its spare bytes, so the value lands there (or reads zeros) and the
 * position can stay in a register from value to value, as MFC's does. */
#define MFCS__WINDOW_PUT(name, ctype, utype, bytes)                              \
    static __inline void mfcs_window_put_##name(mfcs_window *w, ctype v)         \
    {                                                                            \
        utype u;                                                                 \
        unsigned char *p_ = w->cur;                                              \
        memcpy(&u, &v, bytes);                                                   \
        if (MFCS__RARELY((size_t)(w->end - p_) < (bytes))) {                     \
            mfcs_archive_window_more(w, bytes);                                  \
            p_ = w->cur;                                                         \
        }                                                                        \
        if (MFCS__WINDOW_LE) {                                                   \
            memcpy(p_, &u, bytes);                                               \
        } else {                                                                 \
            int i_;                                                              \
            for (i_ = 0; i_ < (bytes); i_++)                                     \
                p_[i_] = (unsigned char)(u >> (8 * i_));                         \
        }                                                                        \
        w->cur = p_ + (bytes);                                                   \
    }                                                                            \
    static __inline ctype mfcs_window_get_##name(mfcs_window *w)                 \
    {                                                                            \
        utype u = 0;                                                             \
        ctype v;                                                                 \
        unsigned char *p_ = w->cur;                                              \
        if (MFCS__RARELY((size_t)(w->end - p_) < (bytes))) {                     \
            mfcs_archive_window_more(w, bytes);                                  \
            p_ = w->cur;                                                         \
        }                                                                        \
        if (MFCS__WINDOW_LE) {                                                   \
            memcpy(&u, p_, bytes);                                               \
        } else {                                                                 \
            int i_;                                                              \
            for (i_ = 0; i_ < (bytes); i_++)                                     \
                u |= (utype)p_[i_] << (8 * i_);                                  \
        }                                                                        \
        w->cur = p_ + (bytes);                                                   \
        memcpy(&v, &u, bytes);                                                   \
        return v;                                                                \
    }

/* mfcs_window_put_u32(&w, v) writes a DWORD as mfcs_archive_write_u32 does;
 * mfcs_window_get_u32(&w) reads one as mfcs_archive_read_u32 does (0 after
 * an error: check w.err, or the close's result, once). One pair per
 * primitive; bool is one byte, any nonzero byte reading as 1. */
MFCS__WINDOW_PUT(u8, uint8_t, uint8_t, 1)
MFCS__WINDOW_PUT(i8, int8_t, uint8_t, 1)
MFCS__WINDOW_PUT(u16, uint16_t, uint16_t, 2)
MFCS__WINDOW_PUT(i16, int16_t, uint16_t, 2)
MFCS__WINDOW_PUT(u32, uint32_t, uint32_t, 4)
MFCS__WINDOW_PUT(i32, int32_t, uint32_t, 4)
MFCS__WINDOW_PUT(u64, uint64_t, uint64_t, 8)
MFCS__WINDOW_PUT(i64, int64_t, uint64_t, 8)
MFCS__WINDOW_PUT(f32, float, uint32_t, 4)
MFCS__WINDOW_PUT(f64, double, uint64_t, 8)

static __inline void mfcs_window_put_bool(mfcs_window *w, int v)
{
    mfcs_window_put_u8(w, (uint8_t)(v != 0));
}
static __inline int mfcs_window_get_bool(mfcs_window *w)
{
    return mfcs_window_get_u8(w) != 0;
}

/*
 * mfcs_archive_write_u32_array: n values in one call, as n calls of
 * mfcs_archive_write_u32 would write them: little-endian, no count (a
 * CDWordArray's elements after its mfcs_archive_write_count, a CArray<T>
 * of plain T). One per fixed-size primitive, u8 to f64. A large array goes
 * to the file in one write, as CArchive::Write does.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (v NULL with n > 0), or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_u8_array(mfcs_archive *ar, const uint8_t *v, size_t n);
/* Writes n chars. */
mfcs_err MFCS_CALL mfcs_archive_write_i8_array(mfcs_archive *ar, const int8_t *v, size_t n);
/* Writes n WORDs (a CWordArray's elements). */
mfcs_err MFCS_CALL mfcs_archive_write_u16_array(mfcs_archive *ar, const uint16_t *v, size_t n);
/* Writes n shorts. */
mfcs_err MFCS_CALL mfcs_archive_write_i16_array(mfcs_archive *ar, const int16_t *v, size_t n);
/* Writes n DWORDs (a CDWordArray's elements). */
mfcs_err MFCS_CALL mfcs_archive_write_u32_array(mfcs_archive *ar, const uint32_t *v, size_t n);
/* Writes n LONGs or ints. */
mfcs_err MFCS_CALL mfcs_archive_write_i32_array(mfcs_archive *ar, const int32_t *v, size_t n);
/* Writes n ULONGLONGs. */
mfcs_err MFCS_CALL mfcs_archive_write_u64_array(mfcs_archive *ar, const uint64_t *v, size_t n);
/* Writes n LONGLONGs. */
mfcs_err MFCS_CALL mfcs_archive_write_i64_array(mfcs_archive *ar, const int64_t *v, size_t n);
/* Writes n floats. */
mfcs_err MFCS_CALL mfcs_archive_write_f32_array(mfcs_archive *ar, const float *v, size_t n);
/* Writes n doubles. */
mfcs_err MFCS_CALL mfcs_archive_write_f64_array(mfcs_archive *ar, const double *v, size_t n);

/*
 * mfcs_archive_read_u32_array: n values in one call, as n calls of
 * mfcs_archive_read_u32 would read them. All n or an error: the array is
 * one value (read whole or not at all), so MFCS_E_EOF when the stream ends
 * inside it and MFCS_E_END when it ends before it. A large array is read
 * straight into out.
 * out (OUT): room for n values.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (out NULL with n > 0), or the common read errors.
 */
mfcs_err MFCS_CALL mfcs_archive_read_u8_array(mfcs_archive *ar, uint8_t *out, size_t n);
/* Reads n chars. */
mfcs_err MFCS_CALL mfcs_archive_read_i8_array(mfcs_archive *ar, int8_t *out, size_t n);
/* Reads n WORDs (a CWordArray's elements). */
mfcs_err MFCS_CALL mfcs_archive_read_u16_array(mfcs_archive *ar, uint16_t *out, size_t n);
/* Reads n shorts. */
mfcs_err MFCS_CALL mfcs_archive_read_i16_array(mfcs_archive *ar, int16_t *out, size_t n);
/* Reads n DWORDs (a CDWordArray's elements). */
mfcs_err MFCS_CALL mfcs_archive_read_u32_array(mfcs_archive *ar, uint32_t *out, size_t n);
/* Reads n LONGs or ints. */
mfcs_err MFCS_CALL mfcs_archive_read_i32_array(mfcs_archive *ar, int32_t *out, size_t n);
/* Reads n ULONGLONGs. */
mfcs_err MFCS_CALL mfcs_archive_read_u64_array(mfcs_archive *ar, uint64_t *out, size_t n);
/* Reads n LONGLONGs. */
mfcs_err MFCS_CALL mfcs_archive_read_i64_array(mfcs_archive *ar, int64_t *out, size_t n);
/* Reads n floats. */
mfcs_err MFCS_CALL mfcs_archive_read_f32_array(mfcs_archive *ar, float *out, size_t n);
/* Reads n doubles. */
mfcs_err MFCS_CALL mfcs_archive_read_f64_array(mfcs_archive *ar, double *out, size_t n);

/*
 * mfcs_archive_write: raw bytes, no prefix (CArchive::Write). Large writes
 * go to the file directly in whole buffer sizes, as MFC does; the bytes on
 * the wire never depend on the buffer size.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (buf NULL with len > 0), or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write(mfcs_archive *ar, const void *buf, size_t len);

/*
 * mfcs_archive_read: up to len raw bytes (CArchive::Read). Fewer come back
 * only at the end of the stream, which is not an error. buf NULL skips them.
 * nread (OUT, may be NULL): bytes read.
 * Returns MFCS_OK or the common errors (the end of the stream is no
 * MFCS_E_EOF here, though a sticky MFCS_E_EOF from an earlier call is).
 */
mfcs_err MFCS_CALL mfcs_archive_read(mfcs_archive *ar, void *buf, size_t len, size_t *nread);

/*
 * mfcs_archive_write_string_a: a CStringA: MFC's length prefix (1, 3, 7 or
 * 15 bytes), then len bytes as they are (the active code page, as an ANSI
 * MFC program writes them), no terminator.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (s NULL with len > 0), or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_string_a(mfcs_archive *ar, const char *s, size_t len);

/*
 * mfcs_archive_write_string_w: a CStringW: the marker FF FE FF, the length
 * prefix counting UTF-16 units, then 2*len bytes of UTF-16LE.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (s NULL with len > 0), or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_string_w(mfcs_archive *ar, const wchar_t *s, size_t len);

/*
 * mfcs_archive_write_string: a NUL-terminated UTF-8 string, sent as a
 * CStringW (a Unicode MFC program's CString reads it directly).
 * Returns MFCS_OK, MFCS_E_INVALIDARG (NULL, or not valid UTF-8), MFCS_E_NOMEM,
 * or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_string(mfcs_archive *ar, const char *utf8);

/*
 * mfcs_archive_read_string_a: a CString of either width, as ANSI (the
 * active code page); a wide one is converted as MFC's CStringA would.
 * out (OUT, may be NULL: the string is skipped): a NUL-terminated copy to
 *   free with mfcs_free. len (OUT, may be NULL): its length in bytes.
 * Returns MFCS_OK, MFCS_E_NOMEM, or the common read errors.
 */
mfcs_err MFCS_CALL mfcs_archive_read_string_a(mfcs_archive *ar, char **out, size_t *len);

/*
 * mfcs_archive_read_string_w: a CString of either width, as UTF-16; an ANSI
 * one is converted from the active code page.
 * out (OUT, may be NULL), len (OUT, may be NULL: UTF-16 units without the NUL).
 * Returns MFCS_OK, MFCS_E_NOMEM, or the common read errors.
 */
mfcs_err MFCS_CALL mfcs_archive_read_string_w(mfcs_archive *ar, wchar_t **out, size_t *len);

/*
 * mfcs_archive_read_string: a CString of either width, as UTF-8 (an ANSI one
 * is converted from the active code page; an unpaired surrogate becomes U+FFFD).
 * utf8 (OUT, may be NULL), len (OUT, may be NULL: bytes without the NUL).
 * Returns MFCS_OK, MFCS_E_NOMEM, or the common read errors.
 */
mfcs_err MFCS_CALL mfcs_archive_read_string(mfcs_archive *ar, char **utf8, size_t *len);

/*
 * mfcs_archive_read_string_raw: a CString as it is on the wire, converted
 * to nothing: its width and its bytes (for a program that must write the
 * same bytes back, or see which width the other side used).
 * wide (OUT, may be NULL): 1 for a CStringW (marker FF FE FF), 0 for a CStringA.
 * data (OUT, may be NULL: the string is skipped): the bytes as stored (a
 *   CStringW's UTF-16LE), then two zero bytes; free with mfcs_free.
 * len (OUT, may be NULL): the length as stored: bytes, or UTF-16 units.
 * Returns MFCS_OK, MFCS_E_NOMEM, or the common read errors.
 */
mfcs_err MFCS_CALL mfcs_archive_read_string_raw(mfcs_archive *ar, int *wide, void **data, size_t *len);

/*
 * Lines: CArchive::WriteString and ReadString, text with no prefix. Their
 * width is the MFC build's TCHAR: a Unicode build writes and reads UTF-16
 * units ("hi\r\n" is 68 00 69 00 0D 00 0A 00), an ANSI build bytes. As
 * for strings, calls without a suffix take and give UTF-8 and put the
 * Unicode build's form on the wire; _a calls are the ANSI build's bytes;
 * _w calls are UTF-16 as it is. (Until mfcsock 0.2 the unsuffixed calls
 * were the ANSI ones: a program that talks to an ANSI build uses _a.)
 */

/*
 * mfcs_archive_write_line: s (NUL-terminated UTF-8) as UTF-16 units, no
 * prefix, no NUL, no newline added (WriteString in a Unicode build): the
 * caller supplies "\r\n".
 * Returns MFCS_OK, MFCS_E_INVALIDARG (s NULL, or not UTF-8), MFCS_E_NOMEM,
 * or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_line(mfcs_archive *ar, const char *s);

/*
 * mfcs_archive_write_line_a: the bytes of s as they are (WriteString in an
 * ANSI build). Returns MFCS_OK, MFCS_E_INVALIDARG (s NULL), or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_line_a(mfcs_archive *ar, const char *s);

/*
 * mfcs_archive_write_line_w: the UTF-16 units of s (NUL-terminated) as
 * they are. Returns MFCS_OK, MFCS_E_INVALIDARG (s NULL), or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_line_w(mfcs_archive *ar, const wchar_t *s);

/*
 * mfcs_archive_read_line_a: one line of bytes (CArchive::ReadString(CString&)
 * in an ANSI build). Reads up to and including "\n"; the line ends at "\r"
 * too, and as in MFC the character after a "\r" is always taken as part of
 * the line ending ("\r\n") or, when it is not "\n", as the line's last
 * character. The newline is not stored. Copies at most cap - 1 bytes and a
 * NUL into buf, consuming the whole line even when it does not fit.
 * buf (OUT, may be NULL: the line is skipped), len (OUT, may be NULL): the
 * line's full length, which is >= cap when it was cut.
 * A NUL inside a line is kept (MFC's ReadString(CString&) cuts the line
 * there and loses the rest of it), and a last line without newline is a
 * line whatever its length (MFC's misses one of exactly 128 * k characters).
 * Returns MFCS_OK (also for a last line without newline), MFCS_E_END when
 * the stream ended before any byte of a line, MFCS_E_EOF when it ended
 * right after a "\r" that began one (MFC's ReadString returns FALSE there:
 * no line), MFCS_E_LIMIT for a line longer than MFCS_LIMIT_STRING bytes
 * (a peer that never sends a newline costs no more), or the common read
 * errors.
 */
mfcs_err MFCS_CALL mfcs_archive_read_line_a(mfcs_archive *ar, char *buf, size_t cap, size_t *len);

/*
 * mfcs_archive_read_line_w: one line of UTF-16 units (ReadString in a
 * Unicode build), by the rules of mfcs_archive_read_line_a with units for
 * bytes: buf gets at most cap - 1 units and a NUL; len (OUT, may be NULL)
 * is the line's full length in units. An odd byte at the very end is a
 * cut unit: as in MFC, whose short Read ends the line, the line before it
 * is returned, and the next call gets MFCS_E_EOF.
 * Returns as mfcs_archive_read_line_a.
 */
mfcs_err MFCS_CALL mfcs_archive_read_line_w(mfcs_archive *ar, wchar_t *buf, size_t cap, size_t *len);

/*
 * mfcs_archive_read_line: a Unicode build's line (as mfcs_archive_read_line_w)
 * as UTF-8; an unpaired surrogate becomes U+FFFD. buf gets the whole
 * characters that fit in cap - 1 bytes and a NUL (a character is never
 * cut); len (OUT, may be NULL) is the whole line's length in UTF-8 bytes.
 * Returns as mfcs_archive_read_line_a.
 */
mfcs_err MFCS_CALL mfcs_archive_read_line(mfcs_archive *ar, char *buf, size_t cap, size_t *len);

/*
 * mfcs_archive_write_count: an element count (CArchive::WriteCount): WORD
 * below 0xFFFF, else FFFF + DWORD below 0xFFFFFFFF, else FFFF FFFFFFFF + QWORD
 * (the 64-bit form, written by the 32-bit DLL too).
 * Returns MFCS_OK or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_count(mfcs_archive *ar, uint64_t n);

/*
 * mfcs_archive_read_count: an element count (CArchive::ReadCount).
 * n (OUT, may be NULL).
 * Returns MFCS_OK, MFCS_E_LIMIT above the archive's max_count, or the common
 * read errors.
 */
mfcs_err MFCS_CALL mfcs_archive_read_count(mfcs_archive *ar, uint64_t *n);

/* ---- serializable objects ---- */

/* What a class does, as DECLARE_SERIAL and a Serialize override do in MFC. */
typedef struct mfcs_class_ops {
    void    *(MFCS_CALL *create)(void *ctx);  /* a new, empty object (NULL: out of memory) */
    mfcs_err (MFCS_CALL *serialize)(mfcs_archive *ar, void *obj, void *ctx); /* both ways:
                                               ask mfcs_archive_is_loading */
    void     (MFCS_CALL *destroy)(void *obj, void *ctx); /* frees an object create made */
} mfcs_class_ops;

#define MFCS_VERSIONABLE_SCHEMA 0x80000000u   /* OR into schema, as MFC's VERSIONABLE_SCHEMA */

/*
 * mfcs_class_register: make a serializable class (IMPLEMENT_SERIAL).
 *
 * name: printable ASCII without spaces (0x21 to 0x7E), 1 to 63 characters (MFC cannot load longer names), unique
 * in the process. schema: 0..0xFFFE (0xFFFF means "not serializable" in
 * MFC), optionally | MFCS_VERSIONABLE_SCHEMA so that objects stored with
 * another schema still load (their schema is then given by
 * mfcs_archive_object_schema). ops is copied; ctx is passed to each op.
 *
 * out (OUT): the class handle.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (NULL out, name or op; bad name or
 * schema), MFCS_E_STATE (the name is taken), MFCS_E_NOMEM. Thread-safe.
 */
mfcs_err MFCS_CALL mfcs_class_register(mfcs_class **out, const char *name, unsigned schema,
                                       const mfcs_class_ops *ops, void *ctx);

/*
 * mfcs_class_find: the registered class of that name (CRuntimeClass::FromName).
 * out (OUT). Returns MFCS_OK, MFCS_E_INVALIDARG (NULL name or out),
 * MFCS_E_CLASS (no such class). Thread-safe.
 */
mfcs_err MFCS_CALL mfcs_class_find(const char *name, mfcs_class **out);

/*
 * mfcs_class_unregister: remove a class; its handle then gets MFCS_E_BADHANDLE.
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_STATE while an open archive has
 * written or read objects of the class (close it first). Thread-safe.
 */
mfcs_err MFCS_CALL mfcs_class_unregister(mfcs_class *cls);

/*
 * mfcs_archive_write_object: store a pointer to an object (ar << pObj).
 *
 * obj NULL writes a null reference. An object already written to this
 * archive is written as a back reference (cls is then ignored). Otherwise
 * the class is written (a new-class record the first time, a class
 * reference after), obj gets the next index and cls's serialize runs.
 *
 * Returns MFCS_OK, MFCS_E_BADHANDLE (cls is not a class, for a new object),
 * MFCS_E_LIMIT (objects and classes past MFCS_LIMIT_OBJECTS or MFC's
 * 0x3FFFFFFE; objects nested past MFCS_LIMIT_DEPTH), the error serialize
 * returned, or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_write_object(mfcs_archive *ar, const mfcs_class *cls, void *obj);

/*
 * mfcs_archive_read_object: load a pointer to an object (ar >> pObj).
 *
 * A new object is made with its class's create and filled by its
 * serialize; a back reference gives the same pointer again; a null
 * reference gives NULL. Objects returned belong to the caller (once each);
 * closing the archive never destroys them. When serialize fails the
 * half-made object is destroyed and the error returned.
 *
 * expected: NULL accepts any class; otherwise an object of another class
 *   (or a back reference to one) gets MFCS_E_CLASS. A back reference to an
 *   object entered with mfcs_archive_map_object has no recorded class: it
 *   is returned as it is, with *cls NULL (MFC checks such an object's
 *   runtime class, which a C pointer does not carry).
 * obj (OUT): the object or NULL. cls (OUT, may be NULL): its class.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (obj NULL), MFCS_E_BADHANDLE (expected
 * is not a live class; sticky), MFCS_E_CLASS (unknown class name, schema mismatch on a
 * class that is not versionable, unexpected class), MFCS_E_FORMAT (a tag
 * that names nothing, a class where an object belongs or the reverse),
 * MFCS_E_LIMIT (the map past MFCS_LIMIT_OBJECTS, objects nested past
 * MFCS_LIMIT_DEPTH), MFCS_E_NOMEM, serialize's error, or the common read
 * errors; any error, MFCS_E_INPROGRESS included, is sticky here: the
 * objects read so far are numbered, so the archive cannot go on.
 */
mfcs_err MFCS_CALL mfcs_archive_read_object(mfcs_archive *ar, const mfcs_class *expected,
                                            void **obj, const mfcs_class **cls);

/*
 * mfcs_archive_map_object: give obj the next index without writing
 * anything (CArchive::MapObject); both sides must map the same objects in
 * the same order. Later write_object(obj) calls write back references.
 * Returns MFCS_OK, MFCS_E_LIMIT, MFCS_E_NOMEM, or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_map_object(mfcs_archive *ar, void *obj);

/*
 * mfcs_archive_object_schema: inside serialize while loading, the schema the
 * object was stored with (CArchive::GetObjectSchema); like MFC it gives the
 * value once, later calls in the same serialize give 0xFFFFFFFF. While
 * storing it gives the class's schema.
 * schema (OUT).
 * Returns MFCS_OK, MFCS_E_INVALIDARG (NULL schema), MFCS_E_STATE (not inside
 * serialize), or the common errors.
 */
mfcs_err MFCS_CALL mfcs_archive_object_schema(mfcs_archive *ar, unsigned *schema);

#ifdef __cplusplus
}
#endif

#endif /* MFCSOCK_ARCHIVE_H */
