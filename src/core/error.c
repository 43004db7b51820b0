/*
 * error.c: the one table of library errors, the one table of Winsock and
 * resolver errors, and mfcs_strerror for every code.
 *
 * Library codes come from MFCS__ERRORS below; the public header lists the
 * same values and a test checks the two agree. Winsock and resolver codes
 * come from MFCS__WINSOCK_ERRORS: Wine 8's message table has no text for
 * most of them (WSAEWOULDBLOCK, WSAEADDRINUSE, WSANOTINITIALISED, ...), and
 * they are the codes a socket library's user meets first, so they read the
 * same everywhere and name the code. Other Win32 codes take their text from
 * the system's message table, so they read as they do elsewhere on Windows.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#ifdef _WIN32
/* The WSA_* overlapped codes are defined only here, not in winerror.h. */
#  include <winsock2.h>
#endif

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

#ifdef _WIN32
/* Microsoft's winerror.h has these two; mingw-w64 10's does not. */
#  ifndef WSA_SECURE_HOST_NOT_FOUND
#    define WSA_SECURE_HOST_NOT_FOUND 11032
#  endif
#  ifndef WSA_IPSEC_NAME_POLICY_ERROR
#    define WSA_IPSEC_NAME_POLICY_ERROR 11033
#  endif

/* Every Winsock and resolver code of winerror.h and winsock2.h, once each
 * (aliases such as WSANO_ADDRESS share their code's entry). The text of
 * each is generated as "NAME: sentence", so the symbolic name a reader
 * searches for is always there. The six WSA_* overlapped codes are Win32
 * codes under a second name; they say so. */
#define MFCS__WINSOCK_ERRORS(X)                                                          \
    X(WSAEINTR,           "a blocking call was interrupted (WSACancelBlockingCall)")      \
    X(WSAEBADF,           "the file handle is not valid")                                 \
    X(WSAEACCES,          "permission denied (a broadcast without SO_BROADCAST, or an address held exclusively by another socket)") \
    X(WSAEFAULT,          "a pointer or a buffer length given to Winsock is not valid")   \
    X(WSAEINVAL,          "invalid argument, or a call the socket's state does not allow (listen before bind, accept without listen)") \
    X(WSAEMFILE,          "too many open sockets")                                        \
    X(WSAEWOULDBLOCK,     "the operation would block (an async call completes later through a callback)") \
    X(WSAEINPROGRESS,     "a blocking Winsock call is already in progress on this thread") \
    X(WSAEALREADY,        "an operation is already in progress on this non-blocking socket (a connect not finished yet)") \
    X(WSAENOTSOCK,        "the handle is not a socket")                                   \
    X(WSAEDESTADDRREQ,    "a destination address is required")                            \
    X(WSAEMSGSIZE,        "the datagram is larger than the buffer or the protocol's limit") \
    X(WSAEPROTOTYPE,      "the protocol does not support this socket type")              \
    X(WSAENOPROTOOPT,     "unknown or unsupported socket option or level")               \
    X(WSAEPROTONOSUPPORT, "the protocol is not supported or not configured")             \
    X(WSAESOCKTNOSUPPORT, "the socket type is not supported in this address family")     \
    X(WSAEOPNOTSUPP,      "the operation is not supported on this kind of socket (listen on a datagram socket)") \
    X(WSAEPFNOSUPPORT,    "the protocol family is not supported")                        \
    X(WSAEAFNOSUPPORT,    "the address family is not supported by the protocol (an IPv6 address on an IPv4 socket)") \
    X(WSAEADDRINUSE,      "the address and port are already in use")                     \
    X(WSAEADDRNOTAVAIL,   "the address is not valid here (not a local address, or no address or port 0 as a destination)") \
    X(WSAENETDOWN,        "the network is down")                                          \
    X(WSAENETUNREACH,     "the network cannot be reached from this host")                \
    X(WSAENETRESET,       "the connection broke: keep-alive found the network failing")  \
    X(WSAECONNABORTED,    "the connection was aborted by this host (a timeout or a protocol error)") \
    X(WSAECONNRESET,      "the connection was reset by the peer")                        \
    X(WSAENOBUFS,         "no buffer space: the system is out of socket memory or a queue is full") \
    X(WSAEISCONN,         "the socket is already connected")                              \
    X(WSAENOTCONN,        "the socket is not connected")                                  \
    X(WSAESHUTDOWN,       "the socket was shut down in that direction")                   \
    X(WSAETOOMANYREFS,    "too many references to a kernel object")                       \
    X(WSAETIMEDOUT,       "the connection timed out: the peer did not answer")            \
    X(WSAECONNREFUSED,    "the connection was refused: nothing listens on that port")     \
    X(WSAELOOP,           "the name cannot be translated (too many symbolic links)")      \
    X(WSAENAMETOOLONG,    "the name is too long")                                         \
    X(WSAEHOSTDOWN,       "the host is down")                                             \
    X(WSAEHOSTUNREACH,    "no route to the host")                                         \
    X(WSAENOTEMPTY,       "the directory is not empty")                                   \
    X(WSAEPROCLIM,        "too many processes are using Winsock")                         \
    X(WSAEUSERS,          "the user quota is exceeded")                                   \
    X(WSAEDQUOT,          "the disk quota is exceeded")                                   \
    X(WSAESTALE,          "the handle refers to something no longer available")           \
    X(WSAEREMOTE,         "the item is not available locally")                            \
    X(WSASYSNOTREADY,     "the network subsystem is not ready (WSAStartup)")              \
    X(WSAVERNOTSUPPORTED, "this Winsock does not support the requested version (WSAStartup)") \
    X(WSANOTINITIALISED,  "Winsock is not started: call mfcs_init first")                 \
    X(WSAEDISCON,         "the peer is closing gracefully (a message-oriented socket)")   \
    X(WSAENOMORE,         "no more results from the service lookup")                      \
    X(WSAECANCELLED,      "the service lookup was cancelled")                             \
    X(WSAEINVALIDPROCTABLE, "a service provider returned an invalid procedure table")     \
    X(WSAEINVALIDPROVIDER, "a service provider returned a version other than 2.2")        \
    X(WSAEPROVIDERFAILEDINIT, "a service provider failed to initialize")                  \
    X(WSASYSCALLFAILURE,  "a system call that should never fail failed")                  \
    X(WSASERVICE_NOT_FOUND, "no such service is known in the given name space")           \
    X(WSATYPE_NOT_FOUND,  "the class type was not found")                                 \
    X(WSA_E_NO_MORE,      "no more results from the service lookup (the newer code)")     \
    X(WSA_E_CANCELLED,    "the service lookup was cancelled (the newer code)")            \
    X(WSAEREFUSED,        "the database query was refused")                               \
    X(WSAHOST_NOT_FOUND,  "no such host is known: the name does not resolve")             \
    X(WSATRY_AGAIN,       "the name server failed or did not answer for now: try again later") \
    X(WSANO_RECOVERY,     "the name server failed in a way that retrying will not fix")   \
    X(WSANO_DATA,         "the name is valid but has no address of the requested kind")   \
    X(WSA_QOS_RECEIVERS,  "at least one QoS reserve has arrived")                         \
    X(WSA_QOS_SENDERS,    "at least one QoS path has arrived")                            \
    X(WSA_QOS_NO_SENDERS, "there are no QoS senders")                                     \
    X(WSA_QOS_NO_RECEIVERS, "there are no QoS receivers")                                 \
    X(WSA_QOS_REQUEST_CONFIRMED, "the QoS reserve request was confirmed")                 \
    X(WSA_QOS_ADMISSION_FAILURE, "the QoS request was refused: not enough resources")                     \
    X(WSA_QOS_POLICY_FAILURE, "the QoS request was refused by policy (invalid credentials)")               \
    X(WSA_QOS_BAD_STYLE,  "an unknown or conflicting QoS reservation style")                \
    X(WSA_QOS_BAD_OBJECT, "a bad QoS filterspec or provider-specific buffer")            \
    X(WSA_QOS_TRAFFIC_CTRL_ERROR, "QoS traffic control rejected the flowspec")           \
    X(WSA_QOS_GENERIC_ERROR, "a general QoS error")                                      \
    X(WSA_QOS_ESERVICETYPE, "an invalid or unknown service type in the QoS flowspec")    \
    X(WSA_QOS_EFLOWSPEC,  "an invalid or inconsistent QoS flowspec")                     \
    X(WSA_QOS_EPROVSPECBUF, "an invalid QoS provider-specific buffer")                   \
    X(WSA_QOS_EFILTERSTYLE, "an invalid QoS filter style")                               \
    X(WSA_QOS_EFILTERTYPE, "an invalid QoS filter type")                                 \
    X(WSA_QOS_EFILTERCOUNT, "the wrong number of filterspecs in the QoS flow descriptor") \
    X(WSA_QOS_EOBJLENGTH, "an object with an invalid length in the QoS provider-specific buffer") \
    X(WSA_QOS_EFLOWCOUNT, "the wrong number of QoS flow descriptors")                    \
    X(WSA_QOS_EUNKNOWNPSOBJ, "an unknown object in the QoS provider-specific buffer")    \
    X(WSA_QOS_EPOLICYOBJ, "an invalid policy object in the QoS provider-specific buffer") \
    X(WSA_QOS_EFLOWDESC,  "an invalid QoS flow descriptor in the list")                  \
    X(WSA_QOS_EPSFLOWSPEC, "an invalid or inconsistent flowspec in the QoS provider-specific buffer") \
    X(WSA_QOS_EPSFILTERSPEC, "an invalid filterspec in the QoS provider-specific buffer") \
    X(WSA_QOS_ESDMODEOBJ, "an invalid shape discard mode object in the QoS provider-specific buffer") \
    X(WSA_QOS_ESHAPERATEOBJ, "an invalid shaping rate object in the QoS provider-specific buffer") \
    X(WSA_QOS_RESERVED_PETYPE, "a reserved policy element in the QoS provider-specific buffer") \
    X(WSA_SECURE_HOST_NOT_FOUND, "no such host is known securely")                        \
    X(WSA_IPSEC_NAME_POLICY_ERROR, "the name-based IPsec policy could not be added")      \
    X(WSA_INVALID_HANDLE, "the handle is not valid (Win32's ERROR_INVALID_HANDLE)")       \
    X(WSA_NOT_ENOUGH_MEMORY, "not enough memory (Win32's ERROR_NOT_ENOUGH_MEMORY)")       \
    X(WSA_INVALID_PARAMETER, "a parameter is not valid (Win32's ERROR_INVALID_PARAMETER)") \
    X(WSA_OPERATION_ABORTED, "the overlapped operation was aborted: its socket closed or its thread ended (Win32's ERROR_OPERATION_ABORTED)") \
    X(WSA_IO_INCOMPLETE,  "the overlapped operation has not completed yet (Win32's ERROR_IO_INCOMPLETE)") \
    X(WSA_IO_PENDING,     "the overlapped operation will complete later (Win32's ERROR_IO_PENDING)")

/* A switch, not a search: the compiler rejects two entries with one code. */
static const char *winsock_text(mfcs_err err)
{
    switch (err) {
#define X(code, text) case code: return #code ": " text;
    MFCS__WINSOCK_ERRORS(X)
#undef X
    default: return NULL;
    }
}
#endif /* _WIN32 */

#if defined(_MSC_VER)
#  define THREAD_LOCAL __declspec(thread)
#else
#  define THREAD_LOCAL __thread
#endif

/* Other system texts are formatted into a per-thread buffer, so the
 * pointer stays valid for the caller until its next mfcs_strerror on the
 * same thread. */
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
        const char *ws = winsock_text(err);
        DWORD n = 0;
        if (ws)
            return ws;
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
