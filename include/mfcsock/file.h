/*
 * mfcsock/file.h: files (MFC's CFile, CMemFile; CSocketFile is added by the
 * socket part). An archive reads and writes through a file.
 *
 * Included by <mfcsock.h>. Needs no Windows header.
 */
#ifndef MFCSOCK_FILE_H
#define MFCSOCK_FILE_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Flags for mfcs_file_open_path, with CFile's values (modeRead, modeWrite,
 * modeReadWrite, modeCreate, modeNoTruncate) so ported code keeps its
 * constants. */
#define MFCS_FILE_READ       0x0000u  /* open for reading */
#define MFCS_FILE_WRITE      0x0001u  /* open for writing */
#define MFCS_FILE_READWRITE  0x0002u  /* open for both */
#define MFCS_FILE_CREATE     0x1000u  /* create the file, truncating one that exists */
#define MFCS_FILE_NOTRUNCATE 0x2000u  /* with CREATE: keep an existing file's bytes */

/* Origins for mfcs_file_seek (the C library's SEEK_SET/SEEK_CUR/SEEK_END). */
#define MFCS_SEEK_SET 0
#define MFCS_SEEK_CUR 1
#define MFCS_SEEK_END 2

/*
 * mfcs_file_open_memory: a file in memory (MFC: CMemFile).
 *
 * Starts with a copy of the len bytes at initial (NULL with len 0: empty),
 * positioned at 0, so an archive opened for loading reads those bytes.
 * Writes go at the current position and grow the file.
 *
 * out (OUT): the new file.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (out NULL, or initial NULL with len > 0),
 * MFCS_E_NOMEM. The file may be used from any one thread at a time.
 */
mfcs_err MFCS_CALL mfcs_file_open_memory(mfcs_file **out, const void *initial, size_t len);

/*
 * mfcs_file_open_path: a disk file (MFC: CFile::Open).
 *
 * path_utf8 is UTF-8 (converted to UTF-16 for CreateFileW). flags combine
 * MFCS_FILE_READ / MFCS_FILE_WRITE / MFCS_FILE_READWRITE with
 * MFCS_FILE_CREATE and MFCS_FILE_NOTRUNCATE, as CFile's mode flags. Other
 * processes may read the file while it is open.
 *
 * out (OUT): the new file.
 * Returns MFCS_OK, MFCS_E_INVALIDARG (NULL out or path, invalid UTF-8,
 * unknown flag bits), MFCS_E_NOMEM, or the Win32 error of CreateFileW
 * (e.g. ERROR_FILE_NOT_FOUND, ERROR_ACCESS_DENIED). Any one thread at a time.
 */
mfcs_err MFCS_CALL mfcs_file_open_path(mfcs_file **out, const char *path_utf8, unsigned flags);

/*
 * mfcs_file_read: read up to len bytes at the current position (CFile::Read).
 *
 * A memory or disk file returns fewer than len bytes only at its end (or
 * when skipping: see buf below). A
 * socket file waits for at least one byte and returns what has arrived (0
 * at a graceful close; what arrived beyond len stays with the socket, see
 * mfcs_file_open_socket); one opened with archive_compatible 0 waits for all
 * len bytes (or the close), as CSocketFile(pSocket, FALSE). A socket file
 * waits as a blocking receive does (mfcs_socket_set_timeout, cancel); a
 * timeout, cancel or error that cuts a wait-for-all read short is returned,
 * with nread counting the bytes that came before it. buf NULL skips bytes
 * instead of copying them, at most 512 per call.
 *
 * nread (OUT, may be NULL): bytes read, also when an error is returned; 0
 * at end of file.
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_WRONGTHREAD (socket files),
 * MFCS_E_STATE (socket file whose socket is closed or freed), and for socket
 * files MFCS_E_TIMEOUT, MFCS_E_CANCELLED, MFCS_E_INPROGRESS (a blocking call
 * on the socket is under way), or the system or Winsock error.
 */
mfcs_err MFCS_CALL mfcs_file_read(mfcs_file *f, void *buf, size_t len, size_t *nread);

/*
 * mfcs_file_write: write all len bytes at the current position (CFile::Write).
 * A socket file sends as a blocking send does (timeout, cancel); nothing is
 * sent while another blocking call on the socket is under way.
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_INVALIDARG (buf NULL with
 * len > 0), MFCS_E_NOMEM (memory files), MFCS_E_WRONGTHREAD, MFCS_E_STATE,
 * MFCS_E_TIMEOUT, MFCS_E_CANCELLED, MFCS_E_INPROGRESS (socket files), or
 * the system error (e.g. ERROR_ACCESS_DENIED on a read-only disk file).
 * A memory file's data pointer from mfcs_file_memory_data is invalid after it.
 */
mfcs_err MFCS_CALL mfcs_file_write(mfcs_file *f, const void *buf, size_t len);

/*
 * mfcs_file_flush: push written bytes to the system (CFile::Flush:
 * FlushFileBuffers for disk files; nothing to do for memory and socket files).
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_WRONGTHREAD, MFCS_E_STATE, or the system error.
 */
mfcs_err MFCS_CALL mfcs_file_flush(mfcs_file *f);

/*
 * mfcs_file_seek: move the position (CFile::Seek). whence is MFCS_SEEK_SET,
 * MFCS_SEEK_CUR or MFCS_SEEK_END. A memory file may be positioned past its
 * end; the gap reads as zeros once something is written there.
 *
 * pos (OUT, may be NULL): the new position.
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_INVALIDARG (bad whence, or a
 * position before 0), MFCS_E_UNSUPPORTED (socket files; MFCS_E_STATE once
 * the socket is gone), MFCS_E_WRONGTHREAD, or the system error.
 */
mfcs_err MFCS_CALL mfcs_file_seek(mfcs_file *f, int64_t off, int whence, uint64_t *pos);

/*
 * mfcs_file_length: the file's size in bytes (CFile::GetLength).
 * len (OUT): the size.
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_INVALIDARG (len NULL),
 * MFCS_E_UNSUPPORTED (socket files; MFCS_E_STATE once the socket is gone),
 * MFCS_E_WRONGTHREAD, or the system error.
 */
mfcs_err MFCS_CALL mfcs_file_length(mfcs_file *f, uint64_t *len);

/*
 * mfcs_file_memory_data: the whole content of a memory file (CMemFile::Detach
 * without detaching). The pointer stays valid until the next write to the
 * file or its close.
 *
 * data (OUT, may be NULL), len (OUT, may be NULL).
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_UNSUPPORTED (not a memory file),
 * MFCS_E_STATE (a socket file whose socket is gone), MFCS_E_WRONGTHREAD.
 */
mfcs_err MFCS_CALL mfcs_file_memory_data(mfcs_file *f, const void **data, size_t *len);

/*
 * mfcs_file_close: close the file and free its handle (CFile::Close). A
 * socket file never closes its socket, and can be closed after its socket
 * was: once the socket is gone (closed, freed, or freed with its thread
 * when that thread ended), the file belongs to no thread and any thread
 * may close it. A file that still has an open archive is not closed:
 * MFCS_E_STATE (close the archive first).
 * Returns MFCS_OK, MFCS_E_BADHANDLE, MFCS_E_WRONGTHREAD (a socket file
 * whose socket another thread still owns), MFCS_E_STATE.
 */
mfcs_err MFCS_CALL mfcs_file_close(mfcs_file *f);

#ifdef __cplusplus
}
#endif

#endif /* MFCSOCK_FILE_H */
