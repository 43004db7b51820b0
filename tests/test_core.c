/* The library part through the DLL, as a user links it: version, error
 * texts, memory, mfcs_pump. (init/term counting is in test_handle.c, which
 * can see the library's internal state.) */
#include <criterion/criterion.h>

#include <winsock2.h>
#include <windows.h>

#include <stdio.h>
#include <string.h>

#include <mfcsock.h>

#include "message_window.h"

static const mfcs_err library_codes[] = {
    MFCS_E_BADHANDLE, MFCS_E_INVALIDARG, MFCS_E_NOMEM, MFCS_E_STATE,
    MFCS_E_NOTSTREAM, MFCS_E_NOTBLOCKING, MFCS_E_UNSUPPORTED, MFCS_E_MODE,
    MFCS_E_EOF, MFCS_E_FORMAT, MFCS_E_LIMIT, MFCS_E_CLASS, MFCS_E_TIMEOUT,
    MFCS_E_CANCELLED, MFCS_E_INPROGRESS, MFCS_E_WRONGTHREAD, MFCS_E_QUIT,
    MFCS_E_END,
};
#define NCODES (sizeof library_codes / sizeof library_codes[0])

Test(errors, library_codes_are_application_defined_and_fixed, .timeout = 30)
{
    size_t i;
    /* Shipped values: a change here breaks every caller's compiled code. */
    for (i = 0; i < NCODES; i++)
        cr_assert_eq(library_codes[i], (mfcs_err)(0x20000000 | (i + 1)),
                     "code %zu is 0x%08X", i, (unsigned)library_codes[i]);
}

Test(errors, every_library_code_has_its_own_text, .timeout = 30)
{
    size_t i, j;
    for (i = 0; i < NCODES; i++) {
        const char *t = mfcs_strerror(library_codes[i]);
        cr_assert_not_null(t);
        cr_assert_gt(strlen(t), 8, "code 0x%08X: \"%s\"", (unsigned)library_codes[i], t);
        cr_assert_null(strstr(t, "unknown error"), "code 0x%08X: \"%s\"", (unsigned)library_codes[i], t);
        for (j = 0; j < i; j++)
            cr_assert_str_neq(t, mfcs_strerror(library_codes[j]),
                              "codes 0x%08X and 0x%08X share a text",
                              (unsigned)library_codes[i], (unsigned)library_codes[j]);
    }
    cr_assert_str_eq(mfcs_strerror(MFCS_OK), "success");
}

Test(errors, winsock_and_win32_codes_get_their_own_texts, .timeout = 30)
{
    char first[256];
    const char *t = mfcs_strerror(WSAECONNREFUSED);
    cr_assert_not_null(t);
    cr_assert_null(strstr(t, "unknown error"), "10061: \"%s\"", t);
    snprintf(first, sizeof first, "%s", t);
    t = mfcs_strerror(ERROR_FILE_NOT_FOUND);
    cr_assert_null(strstr(t, "unknown error"), "2: \"%s\"", t);
    cr_assert_str_neq(first, t);
    /* No trailing ".\r\n" from FormatMessage. */
    cr_assert_neq(t[strlen(t) - 1], '\n', "\"%s\"", t);
}

/* Microsoft's winerror.h has these two; mingw-w64 10's does not. */
#ifndef WSA_SECURE_HOST_NOT_FOUND
#  define WSA_SECURE_HOST_NOT_FOUND 11032
#endif
#ifndef WSA_IPSEC_NAME_POLICY_ERROR
#  define WSA_IPSEC_NAME_POLICY_ERROR 11033
#endif

/* Every Winsock and resolver code of winerror.h and winsock2.h, written out
 * here rather than taken from the library's table, so a code the table
 * lacks fails. Aliases (WSANO_ADDRESS, WSA_QOS_EUNKOWNPSOBJ) share a code
 * listed here. */
#define C(code) { code, #code }
static const struct { mfcs_err code; const char *name; } winsock_codes[] = {
    /* WSABASEERR + 4 .. + 71: the BSD socket errors */
    C(WSAEINTR), C(WSAEBADF), C(WSAEACCES), C(WSAEFAULT), C(WSAEINVAL), C(WSAEMFILE),
    C(WSAEWOULDBLOCK), C(WSAEINPROGRESS), C(WSAEALREADY), C(WSAENOTSOCK), C(WSAEDESTADDRREQ),
    C(WSAEMSGSIZE), C(WSAEPROTOTYPE), C(WSAENOPROTOOPT), C(WSAEPROTONOSUPPORT),
    C(WSAESOCKTNOSUPPORT), C(WSAEOPNOTSUPP), C(WSAEPFNOSUPPORT), C(WSAEAFNOSUPPORT),
    C(WSAEADDRINUSE), C(WSAEADDRNOTAVAIL), C(WSAENETDOWN), C(WSAENETUNREACH), C(WSAENETRESET),
    C(WSAECONNABORTED), C(WSAECONNRESET), C(WSAENOBUFS), C(WSAEISCONN), C(WSAENOTCONN),
    C(WSAESHUTDOWN), C(WSAETOOMANYREFS), C(WSAETIMEDOUT), C(WSAECONNREFUSED), C(WSAELOOP),
    C(WSAENAMETOOLONG), C(WSAEHOSTDOWN), C(WSAEHOSTUNREACH), C(WSAENOTEMPTY), C(WSAEPROCLIM),
    C(WSAEUSERS), C(WSAEDQUOT), C(WSAESTALE), C(WSAEREMOTE),
    /* WSAStartup */
    C(WSASYSNOTREADY), C(WSAVERNOTSUPPORTED), C(WSANOTINITIALISED),
    /* Winsock 2 and its service providers and lookups */
    C(WSAEDISCON), C(WSAENOMORE), C(WSAECANCELLED), C(WSAEINVALIDPROCTABLE),
    C(WSAEINVALIDPROVIDER), C(WSAEPROVIDERFAILEDINIT), C(WSASYSCALLFAILURE),
    C(WSASERVICE_NOT_FOUND), C(WSATYPE_NOT_FOUND), C(WSA_E_NO_MORE), C(WSA_E_CANCELLED),
    C(WSAEREFUSED),
    /* the resolver */
    C(WSAHOST_NOT_FOUND), C(WSATRY_AGAIN), C(WSANO_RECOVERY), C(WSANO_DATA),
    /* QoS */
    C(WSA_QOS_RECEIVERS), C(WSA_QOS_SENDERS), C(WSA_QOS_NO_SENDERS), C(WSA_QOS_NO_RECEIVERS),
    C(WSA_QOS_REQUEST_CONFIRMED), C(WSA_QOS_ADMISSION_FAILURE), C(WSA_QOS_POLICY_FAILURE),
    C(WSA_QOS_BAD_STYLE), C(WSA_QOS_BAD_OBJECT), C(WSA_QOS_TRAFFIC_CTRL_ERROR),
    C(WSA_QOS_GENERIC_ERROR), C(WSA_QOS_ESERVICETYPE), C(WSA_QOS_EFLOWSPEC),
    C(WSA_QOS_EPROVSPECBUF), C(WSA_QOS_EFILTERSTYLE), C(WSA_QOS_EFILTERTYPE),
    C(WSA_QOS_EFILTERCOUNT), C(WSA_QOS_EOBJLENGTH), C(WSA_QOS_EFLOWCOUNT),
    C(WSA_QOS_EUNKNOWNPSOBJ), C(WSA_QOS_EPOLICYOBJ), C(WSA_QOS_EFLOWDESC),
    C(WSA_QOS_EPSFLOWSPEC), C(WSA_QOS_EPSFILTERSPEC), C(WSA_QOS_ESDMODEOBJ),
    C(WSA_QOS_ESHAPERATEOBJ), C(WSA_QOS_RESERVED_PETYPE),
    /* secure name resolution */
    C(WSA_SECURE_HOST_NOT_FOUND), C(WSA_IPSEC_NAME_POLICY_ERROR),
    /* the overlapped codes: Win32 codes under a second name */
    C(WSA_INVALID_HANDLE), C(WSA_NOT_ENOUGH_MEMORY), C(WSA_INVALID_PARAMETER),
    C(WSA_OPERATION_ABORTED), C(WSA_IO_INCOMPLETE), C(WSA_IO_PENDING),
};
#undef C

Test(errors, every_winsock_code_has_a_text_that_names_it, .timeout = 30)
{
    size_t i, n = sizeof winsock_codes / sizeof winsock_codes[0];
    for (i = 0; i < n; i++) {
        const char *t = mfcs_strerror(winsock_codes[i].code);
        cr_assert_not_null(t);
        cr_expect_null(strstr(t, "unknown error"), "%s (%d): \"%s\"",
                       winsock_codes[i].name, winsock_codes[i].code, t);
        cr_expect_not_null(strstr(t, winsock_codes[i].name), "%s (%d): \"%s\"",
                           winsock_codes[i].name, winsock_codes[i].code, t);
        /* Our style: no trailing period, no line break. */
        cr_expect(t[strlen(t) - 1] != '.' && !strchr(t, '\n'), "%s: \"%s\"",
                  winsock_codes[i].name, t);
    }
}

Test(errors, other_win32_codes_get_the_system_text, .timeout = 30)
{
    char sys[256];
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                             ERROR_FILE_NOT_FOUND, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US),
                             sys, sizeof sys, NULL);
    if (!n)
        n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                           ERROR_FILE_NOT_FOUND, 0, sys, sizeof sys, NULL);
    cr_assert_gt(n, 0, "the system has no text for ERROR_FILE_NOT_FOUND");
    while (n && (sys[n - 1] == '\n' || sys[n - 1] == '\r' || sys[n - 1] == ' ' || sys[n - 1] == '.'))
        sys[--n] = '\0';
    cr_assert_str_eq(mfcs_strerror(ERROR_FILE_NOT_FOUND), sys);
}

Test(errors, unknown_codes_say_so_and_never_null, .timeout = 30)
{
    const char *t = mfcs_strerror(0x2000FFFF);
    cr_assert_not_null(t);
    cr_assert_str_eq(t, "unknown error 536936447 (0x2000FFFF)");
    t = mfcs_strerror(-7);
    cr_assert_not_null(t);
    cr_assert_gt(strlen(t), 0);
}

Test(library, version_is_dotted_triple, .timeout = 30)
{
    unsigned a, b, c;
    char tail;
    const char *v = mfcs_version();
    cr_assert_not_null(v);
    cr_assert_eq(sscanf(v, "%u.%u.%u%c", &a, &b, &c, &tail), 3, "version \"%s\"", v);
}

Test(library, free_accepts_null, .timeout = 30)
{
    mfcs_free(NULL);
}

/* ---- mfcs_pump ---- */

static int wnd_hits;
static LRESULT CALLBACK count_proc(HWND h, UINT m, WPARAM w, LPARAM l)
{
    if (m == WM_APP + 1) {
        wnd_hits++;
        return 0;
    }
    return DefWindowProcA(h, m, w, l);
}

static HWND make_window(void)
{
    return message_window("mfcs_test_pump", count_proc);
}

Test(pump, zero_timeout_dispatches_what_is_queued_without_waiting, .timeout = 30)
{
    HWND w = make_window();
    unsigned n = 99;
    DWORD t0;
    cr_assert_not_null(w);
    cr_assert_eq(mfcs_pump(0, &n), MFCS_OK);
    cr_assert_eq(n, 0);
    PostMessageA(w, WM_APP + 1, 0, 0);
    PostMessageA(w, WM_APP + 1, 0, 0);
    PostMessageA(w, WM_APP + 1, 0, 0);
    wnd_hits = 0;
    t0 = GetTickCount();
    cr_assert_eq(mfcs_pump(0, &n), MFCS_OK);
    cr_assert_eq(n, 3, "dispatched %u", n);
    cr_assert_eq(wnd_hits, 3);
    cr_assert_lt(GetTickCount() - t0, 200);
    cr_assert_eq(mfcs_pump(0, NULL), MFCS_OK); /* NULL out-pointer is fine */
    DestroyWindow(w);
}

Test(pump, waits_up_to_the_timeout_when_idle, .timeout = 30)
{
    unsigned n = 99;
    DWORD t0 = GetTickCount(), dt;
    cr_assert_eq(mfcs_pump(150, &n), MFCS_OK);
    dt = GetTickCount() - t0;
    cr_assert_eq(n, 0);
    cr_assert_geq(dt, 120, "returned after %lu ms", (unsigned long)dt);
    cr_assert_lt(dt, 2000, "returned after %lu ms", (unsigned long)dt);
}

struct poster { HWND w; DWORD delay; };
static DWORD WINAPI post_later(void *arg)
{
    struct poster *p = arg;
    Sleep(p->delay);
    PostMessageA(p->w, WM_APP + 1, 0, 0);
    return 0;
}

Test(pump, returns_as_soon_as_a_message_arrives, .timeout = 30)
{
    struct poster p;
    HANDLE t;
    unsigned n = 0;
    DWORD t0, dt;
    p.w = make_window();
    p.delay = 100;
    wnd_hits = 0;
    t0 = GetTickCount();
    t = CreateThread(NULL, 0, post_later, &p, 0, NULL);
    cr_assert_eq(mfcs_pump(10000, &n), MFCS_OK);
    dt = GetTickCount() - t0;
    cr_assert_eq(n, 1);
    cr_assert_eq(wnd_hits, 1);
    cr_assert_lt(dt, 3000, "took %lu ms", (unsigned long)dt);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    /* INFINITE waits until something comes. */
    t = CreateThread(NULL, 0, post_later, &p, 0, NULL);
    cr_assert_eq(mfcs_pump(INFINITE, &n), MFCS_OK);
    cr_assert_eq(n, 1);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    DestroyWindow(p.w);
}

Test(pump, wm_quit_is_left_for_the_callers_loop, .timeout = 30)
{
    MSG msg;
    unsigned n = 99;
    PostQuitMessage(7);
    cr_assert_eq(mfcs_pump(1000, &n), MFCS_OK);
    cr_assert_eq(n, 0);
    cr_assert(PeekMessageA(&msg, NULL, 0, 0, PM_REMOVE));
    cr_assert_eq(msg.message, WM_QUIT);
    cr_assert_eq(msg.wParam, 7);
}

Test(library, thread_term_without_state_is_fine, .timeout = 30)
{
    cr_assert_eq(mfcs_thread_term(), MFCS_OK);
    cr_assert_eq(mfcs_thread_term(), MFCS_OK);
}
