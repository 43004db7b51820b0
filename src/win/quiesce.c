/*
 * quiesce.c: waiting until another thread is outside the archive's
 * per-value fast paths (platform.h's MFCS__FAST, handle.c's rules).
 *
 * The fast paths write nothing that another thread could watch, which is
 * what keeps them at MFC's inline speed; the price is paid here, on the
 * rare side: a thread that is about to free or take over an object another
 * thread owns suspends that thread and reads its instruction pointer. A
 * suspended thread's earlier stores are visible and its position is exact
 * (GetThreadContext waits until the suspension took hold), so if it is not
 * inside the fast-path code, it is not between a lookup and the use of
 * what it found; once resumed, its next lookup sees the new owner or the
 * dead handle. (FlushProcessWriteBuffers would be the textbook tool, but
 * Wine 8 implements it as a stub, and it would still need a marker write on
 * the fast path.)
 */
#include "win.h"

/* The fast paths are everything between these two functions (the linker
 * sorts ".text$mfcs0" < ".text$mfcs1" < ".text$mfcs2"). */
#if defined(_MSC_VER) && !defined(__clang__)
__declspec(code_seg(".text$mfcs0")) static int fast_begin(void) { return 1; }
__declspec(code_seg(".text$mfcs2")) static int fast_end(void) { return 2; }
#else
/* Different bodies, so identical-code folding cannot merge the two. */
__attribute__((section(".text$mfcs0"), noinline, used)) static int fast_begin(void) { return 1; }
__attribute__((section(".text$mfcs2"), noinline, used)) static int fast_end(void) { return 2; }
#endif

static int in_fast_path(uintptr_t pc)
{
    return pc >= (uintptr_t)(void *)fast_begin && pc < (uintptr_t)(void *)fast_end;
}

/* The fast-path range, for a test that checks every primitive lies in it. */
int mfcs__fast_path_contains(const void *code)
{
    return in_fast_path((uintptr_t)code);
}

/* One thread suspends others at a time: two threads quiescing each other
 * would each wait for the other to stop (seen under Wine when mfcs_term met
 * a take-over). The lock is taken by spinning, not by a kernel wait, so a
 * thread waiting for it can itself be suspended and looked at. */
static volatile LONG busy;

void mfcs__quiesce_thread(uint32_t tid)
{
    HANDLE t;
    int tries;
    if (!tid || tid == mfcs__thread_id())
        return;
    t = OpenThread(THREAD_SUSPEND_RESUME | THREAD_GET_CONTEXT, FALSE, tid);
    if (!t)
        return;   /* gone: it runs nothing any more */
    while (InterlockedCompareExchange(&busy, 1, 0) != 0)
        SwitchToThread();
    for (tries = 0;; tries++) {
        CONTEXT c;
        BOOL ok;
        uintptr_t pc;
        memset(&c, 0, sizeof c);
        c.ContextFlags = CONTEXT_CONTROL;
        if (SuspendThread(t) == (DWORD)-1)
            break;    /* exiting: it will not enter a fast path again */
        ok = GetThreadContext(t, &c);
        ResumeThread(t);
        if (!ok)
            break;
#if defined(_M_X64) || defined(__x86_64__)
        pc = (uintptr_t)c.Rip;
#elif defined(_M_IX86) || defined(__i386__)
        pc = (uintptr_t)c.Eip;
#elif defined(_M_ARM64) || defined(__aarch64__)
        pc = (uintptr_t)c.Pc;
#else
#  error "mfcs__quiesce_thread: no instruction pointer for this architecture"
#endif
        if (!in_fast_path(pc))
            break;
        /* A fast path is a few dozen instructions: let it finish. */
        if (tries < 16)
            SwitchToThread();
        else
            Sleep(1);
    }
    InterlockedExchange(&busy, 0);
    CloseHandle(t);
}
