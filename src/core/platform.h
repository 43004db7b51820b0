/*
 * platform.h: the few OS primitives the portable core (handle table, errors,
 * archive codec, memory file, class registry) needs: a static mutex, the thread id,
 * atomic loads and stores. Windows builds use Win32; other systems (the
 * Linux fuzz build) use pthreads and GCC builtins. Nothing else in those
 * files may include an OS header.
 */
#ifndef MFCS_PLATFORM_H
#define MFCS_PLATFORM_H

#include <stdint.h>

#ifdef _WIN32
#  ifndef WIN32_LEAN_AND_MEAN
#    define WIN32_LEAN_AND_MEAN
#  endif
#  include <windows.h>
/* SRW locks need no init call, so a static lock is ready before any once-guard. */
typedef SRWLOCK mfcs__mutex;
#  define MFCS__MUTEX_INIT       SRWLOCK_INIT
#  define mfcs__mutex_lock(m)    AcquireSRWLockExclusive(m)
#  define mfcs__mutex_unlock(m)  ReleaseSRWLockExclusive(m)
/* The calling thread's id, read where GetCurrentThreadId reads it: an
 * archive on a socket checks its owner once per value, and under Wine the
 * call into kernel32 costs 1.9 ns of a value's 5 ns; this read costs 0.3.
 * A TEB starts with NT_TIB (seven pointers) and EnvironmentPointer, then
 * CLIENT_ID { UniqueProcess, UniqueThread }: the id is its tenth
 * pointer-sized field on x86 and x64 alike. test_handle checks it against
 * GetCurrentThreadId on several threads. */
#  define MFCS__TEB_THREAD_ID (9 * sizeof(void *))
#  if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
/* Not mingw's __readgsqword: GCC 12 takes its constant address for an
 * out-of-bounds read (-Warray-bounds) wherever it is inlined. */
static __inline uint32_t mfcs__thread_id(void)
{
    uintptr_t id;
#    ifdef __x86_64__
    __asm__("movq %%gs:%c1, %0" : "=r"(id) : "i"(MFCS__TEB_THREAD_ID));
#    else
    __asm__("movl %%fs:%c1, %0" : "=r"(id) : "i"(MFCS__TEB_THREAD_ID));
#    endif
    return (uint32_t)id;
}
#  else
static __inline uint32_t mfcs__thread_id(void)
{
    return (uint32_t)(uintptr_t)*(void *const *)((const char *)NtCurrentTeb() + MFCS__TEB_THREAD_ID);
}
#  endif
#else
#  include <pthread.h>
typedef pthread_mutex_t mfcs__mutex;
#  define MFCS__MUTEX_INIT       PTHREAD_MUTEX_INITIALIZER
#  define mfcs__mutex_lock(m)    pthread_mutex_lock(m)
#  define mfcs__mutex_unlock(m)  pthread_mutex_unlock(m)
/* The fuzz build is single-threaded; one id is enough for ownership checks. */
#  define mfcs__thread_id()      ((uint32_t)1)
#endif

/* Keeps a rarely taken path out of its caller (the archive's value path). */
#if defined(_MSC_VER) && !defined(__clang__)
#  define MFCS__NOINLINE __declspec(noinline)
#else
#  define MFCS__NOINLINE __attribute__((noinline))
#endif

/* Acquire/release word access for the lock-free handle lookup, and the
 * few read-modify-write operations of its pins (full barriers). */
#if defined(_MSC_VER) && !defined(__clang__)
#  include <intrin.h>
static __inline uint32_t mfcs__load_acquire(const volatile uint32_t *p)
{ uint32_t v = *p; _ReadWriteBarrier(); return v; }
static __inline void mfcs__store_release(volatile uint32_t *p, uint32_t v)
{ _ReadWriteBarrier(); *p = v; }
static __inline void *mfcs__load_ptr_acquire(void *const volatile *p)
{ void *v = *p; _ReadWriteBarrier(); return v; }
static __inline void mfcs__store_ptr_release(void *volatile *p, void *v)
{ _ReadWriteBarrier(); *p = v; }
static __inline uintptr_t mfcs__load_word_acquire(const volatile uintptr_t *p)
{ uintptr_t v = *p; _ReadWriteBarrier(); return v; }
#  define mfcs__acquire_fence()   _ReadWriteBarrier()
#  define mfcs__atomic_inc(p)     ((uint32_t)InterlockedIncrement((volatile LONG *)(p)))
#  define mfcs__atomic_dec(p)     ((uint32_t)InterlockedDecrement((volatile LONG *)(p)))
#  define mfcs__cas32(p, o, n)    ((uint32_t)InterlockedCompareExchange((volatile LONG *)(p), (LONG)(n), (LONG)(o)) == (uint32_t)(o))
#  define mfcs__cas_word(p, o, n) (InterlockedCompareExchangePointer((void *volatile *)(p), (void *)(n), (void *)(o)) == (void *)(o))
#else
#  define mfcs__load_acquire(p)         __atomic_load_n((p), __ATOMIC_ACQUIRE)
#  define mfcs__store_release(p, v)     __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#  define mfcs__load_ptr_acquire(p)     __atomic_load_n((p), __ATOMIC_ACQUIRE)
#  define mfcs__store_ptr_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#  define mfcs__load_word_acquire(p)    __atomic_load_n((p), __ATOMIC_ACQUIRE)
#  define mfcs__acquire_fence()         __atomic_thread_fence(__ATOMIC_ACQUIRE)
#  define mfcs__atomic_inc(p)           __atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)
#  define mfcs__atomic_dec(p)           __atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST)
#  define mfcs__cas32(p, o, n)          mfcs__cas_impl32((p), (o), (n))
#  define mfcs__cas_word(p, o, n)       mfcs__cas_implw((p), (o), (n))
static inline int mfcs__cas_impl32(volatile uint32_t *p, uint32_t o, uint32_t n)
{ return __atomic_compare_exchange_n(p, &o, n, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); }
static inline int mfcs__cas_implw(volatile uintptr_t *p, uintptr_t o, uintptr_t n)
{ return __atomic_compare_exchange_n(p, &o, n, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); }
#endif

/* Start and stop (init.c): what the operating system needs when the
 * library starts (Winsock), when mfcs_term kills an object of a kind the
 * core does not know (a socket in a blocking call), and when it stops
 * (the threads' windows). Windows: src/win/startup.c. Elsewhere there is
 * nothing to start: the codec needs no OS state. */
#ifdef _WIN32
mfcs_err mfcs__os_start(void);
void mfcs__os_killing(int kind, void *obj);
void mfcs__os_stop(void);
#else
static inline mfcs_err mfcs__os_start(void) { return 0; }
static inline void mfcs__os_killing(int kind, void *obj) { (void)kind; (void)obj; }
static inline void mfcs__os_stop(void) {}
#endif

/* Waits until thread tid is not inside the code of an archive's fast path
 * (MFCS__FAST below), so an object that thread may have found through its
 * handle can be freed or handed to another thread. Its cost is the
 * suspension of that thread (a few hundred microseconds under Wine), paid
 * only when an object changes hands between threads or mfcs_term frees
 * another thread's objects. Nothing to wait for in the single-threaded
 * fuzz build. */
#ifdef _WIN32
void mfcs__quiesce_thread(uint32_t tid);
#else
static inline void mfcs__quiesce_thread(uint32_t tid) { (void)tid; }
#endif

/* The archive's per-value fast paths take no pin (handle.c): they live in
 * one section of their own, so that mfcs__quiesce_thread can tell from a
 * thread's instruction pointer alone whether it is inside one. PE linkers
 * sort ".text$x" sections by the part after '$', so the markers in
 * ".text$mfcs0" and ".text$mfcs2" bracket everything in ".text$mfcs1". */
#if defined(_WIN32) && defined(_MSC_VER) && !defined(__clang__)
#  define MFCS__FAST __declspec(code_seg(".text$mfcs1"))
#elif defined(_WIN32)
#  define MFCS__FAST __attribute__((section(".text$mfcs1"), noinline))
#else
#  define MFCS__FAST
#endif

#endif /* MFCS_PLATFORM_H */
