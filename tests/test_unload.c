/* A plugin host's life: load mfcsock.dll at run time, use it from several
 * threads, mfcs_term, FreeLibrary, and let those threads run on and exit.
 * Nothing may call into the unloaded image: not the thread-exit callback,
 * not a notification window's procedure. This program does not link the
 * import library; it finds every function with GetProcAddress. */
#include <criterion/criterion.h>

#include <winsock2.h>
#include <windows.h>

#include <mfcsock.h>

typedef mfcs_err (MFCS_CALL *init_fn)(void);
typedef void (MFCS_CALL *term_fn)(void);
typedef mfcs_err (MFCS_CALL *new_fn)(mfcs_socket **, int, const mfcs_socket_callbacks *, void *);
typedef mfcs_err (MFCS_CALL *create_fn)(mfcs_socket *, unsigned, int, long, const char *);
typedef mfcs_err (MFCS_CALL *pump_fn)(unsigned, unsigned *);

static HMODULE dll;
static new_fn socket_new;
static create_fn socket_create;
static pump_fn pump;

static void load(void)
{
    dll = LoadLibraryA("mfcsock.dll");
    cr_assert_not_null(dll, "LoadLibrary: %lu", GetLastError());
    socket_new = (new_fn)(void (*)(void))GetProcAddress(dll, "mfcs_socket_new");
    socket_create = (create_fn)(void (*)(void))GetProcAddress(dll, "mfcs_socket_create");
    pump = (pump_fn)(void (*)(void))GetProcAddress(dll, "mfcs_pump");
    cr_assert(socket_new && socket_create && pump);
}

typedef struct worker {
    HANDLE ready, go;
    int sockets;          /* how many it makes */
    mfcs_err err;
    HWND window;          /* its notification window (found by its class) */
    int pumped;
} worker;

static DWORD WINAPI worker_main(void *arg)
{
    worker *w = arg;
    MSG m;
    int i;
    ULONGLONG end;
    for (i = 0; i < w->sockets && !w->err; i++) {
        mfcs_socket *s;
        if ((w->err = socket_new(&s, MFCS_ASYNC, NULL, NULL)) == MFCS_OK)
            w->err = socket_create(s, 0, MFCS_STREAM, MFCS_ALL_EVENTS, "127.0.0.1");
    }
    if (w->sockets)
        pump(10, NULL);
    SetEvent(w->ready);
    WaitForSingleObject(w->go, INFINITE);
    /* The DLL is gone now: this thread's window gets whatever was queued
     * and a message of our own, and dispatching them must not call into it. */
    PostMessageA(NULL, WM_NULL, 0, 0);
    end = GetTickCount64() + 200;
    while (GetTickCount64() < end)
        while (PeekMessageA(&m, NULL, 0, 0, PM_REMOVE)) {
            DispatchMessageA(&m);
            w->pumped++;
        }
    return 0;   /* and the thread exit runs no callback of the DLL's */
}

static void run(int sockets_per_thread, int threads, int call_term)
{
    worker w[4];
    HANDLE t[4];
    int i;
    load();
    cr_assert_eq(((init_fn)(void (*)(void))GetProcAddress(dll, "mfcs_init"))(), MFCS_OK);
    for (i = 0; i < threads; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].ready = CreateEventA(NULL, TRUE, FALSE, NULL);
        w[i].go = CreateEventA(NULL, TRUE, FALSE, NULL);
        w[i].sockets = sockets_per_thread;
        t[i] = CreateThread(NULL, 0, worker_main, &w[i], 0, NULL);
        WaitForSingleObject(w[i].ready, INFINITE);
        cr_assert_eq(w[i].err, MFCS_OK, "worker %d: 0x%08X", i, (unsigned)w[i].err);
    }
    if (call_term)
        ((term_fn)(void (*)(void))GetProcAddress(dll, "mfcs_term"))();
    cr_assert(FreeLibrary(dll));
    cr_assert_null(GetModuleHandleA("mfcsock.dll"), "the DLL is still loaded");
    for (i = 0; i < threads; i++)
        SetEvent(w[i].go);
    for (i = 0; i < threads; i++) {
        cr_assert_eq(WaitForSingleObject(t[i], 10000), WAIT_OBJECT_0);
        CloseHandle(t[i]);
    }
    /* Loaded again afterwards, it works as new. */
    load();
    cr_assert_eq(((init_fn)(void (*)(void))GetProcAddress(dll, "mfcs_init"))(), MFCS_OK);
    {
        mfcs_socket *s;
        cr_assert_eq(socket_new(&s, MFCS_ASYNC, NULL, NULL), MFCS_OK);
        cr_assert_eq(socket_create(s, 0, MFCS_STREAM, MFCS_ALL_EVENTS, "127.0.0.1"), MFCS_OK);
    }
    ((term_fn)(void (*)(void))GetProcAddress(dll, "mfcs_term"))();
    cr_assert(FreeLibrary(dll));
}

Test(unload, threads_that_used_sockets_outlive_the_dll, .timeout = 60)
{
    run(3, 2, 1);
}

Test(unload, a_thread_with_only_its_window_outlives_the_dll, .timeout = 60)
{
    run(1, 1, 1);
}
