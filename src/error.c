/*
 * error.c: the one table of library errors, and mfcs_strerror for every code.
 *
 * Library codes come from MFCS__ERRORS below; the public header lists the
 * same values and a test checks the two agree. System codes (Win32 and
 * Winsock) take their text from the system's message table, so they read as
 * they do everywhere else on Windows.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define MFCS__ERRORS(X)                                                                  \
    X(MFCS_E_BADHANDLE,   "invalid handle: NULL, closed, freed, forged or of the wrong kind") \
    X(MFCS_E_INVALIDARG,  "invalid argument")                                            \
    X(MFCS_E_NOMEM,       "out of memory")                                               \
    X(MFCS_E_STATE,       "the call is not valid in the object's current state")         \
    X(MFCS_E_NOTSTREAM,   "a stream socket is required, but this is a datagram socket")  \
    X(MFCS_E_NOTBLOCKING, "a blocking socket is required, but this socket is asynchronous") \
    X(MFCS_E_UNSUPPORTED, "this kind of object does not support the call")               \
    X(MFCS_E_MODE,        "wrong archive direction: write on a loading archive or read on a storing one") \
    X(MFCS_E_EOF,         "the stream ended inside a value")                             \
    X(MFCS_E_FORMAT,      "the bytes are not a valid archive")                           \
    X(MFCS_E_LIMIT,       "a length or count is over the archive's limits")              \
    X(MFCS_E_CLASS,       "unknown class, schema mismatch, or not the expected class")   \
    X(MFCS_E_TIMEOUT,     "the blocking call timed out")                                 \
    X(MFCS_E_CANCELLED,   "the blocking call was cancelled")                             \
    X(MFCS_E_INPROGRESS,  "a blocking call is already in progress on this socket")       \
    X(MFCS_E_WRONGTHREAD, "the object belongs to another thread")                       \
    X(MFCS_E_QUIT,        "the thread was asked to quit (WM_QUIT) while a blocking call waited") \
    X(MFCS_E_END,         "the stream ended between values: the peer closed before the next value began")

static const struct {
    mfcs_err code;
    const char *text;
} library_errors[] = {
#define X(code, text) { code, text },
    MFCS__ERRORS(X)
#undef X
};

int mfcs__is_library_error(mfcs_err err)
{
    size_t i;
    for (i = 0; i < sizeof library_errors / sizeof library_errors[0]; i++)
        if (library_errors[i].code == err)
            return 1;
    return 0;
}

#if defined(_MSC_VER)
#  define THREAD_LOCAL __declspec(thread)
#else
#  define THREAD_LOCAL __thread
#endif

/* System texts are formatted into a per-thread buffer, so the pointer stays
 * valid for the caller until its next mfcs_strerror on the same thread. */
static THREAD_LOCAL char text_buf[256];

const char *MFCS_CALL mfcs_strerror(mfcs_err err)
{
    size_t i;
    if (err == MFCS_OK)
        return "success";
    for (i = 0; i < sizeof library_errors / sizeof library_errors[0]; i++)
        if (library_errors[i].code == err)
            return library_errors[i].text;
#ifdef _WIN32
    {
        DWORD n = 0;
        if ((err & 0x20000000) == 0) /* the system has no texts for application codes */
            n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                               NULL, (DWORD)err, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US),
                               text_buf, sizeof text_buf, NULL);
        if (!n && (err & 0x20000000) == 0)
            n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                               NULL, (DWORD)err, 0, text_buf, sizeof text_buf, NULL);
        if (n) {
            /* The system's texts end in ".\r\n"; ours end in nothing. */
            while (n && (text_buf[n - 1] == '\n' || text_buf[n - 1] == '\r' ||
                         text_buf[n - 1] == ' ' || text_buf[n - 1] == '.'))
                text_buf[--n] = '\0';
            if (n)
                return text_buf;
        }
    }
#endif
    snprintf(text_buf, sizeof text_buf, "unknown error %d (0x%08X)", err, (unsigned)err);
    return text_buf;
}
