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
#  define mfcs__thread_id()      ((uint32_t)GetCurrentThreadId())
#else
#  include <pthread.h>
typedef pthread_mutex_t mfcs__mutex;
#  define MFCS__MUTEX_INIT       PTHREAD_MUTEX_INITIALIZER
#  define mfcs__mutex_lock(m)    pthread_mutex_lock(m)
#  define mfcs__mutex_unlock(m)  pthread_mutex_unlock(m)
/* The fuzz build is single-threaded; one id is enough for ownership checks. */
#  define mfcs__thread_id()      ((uint32_t)1)
#endif

/* Acquire/release word access for the lock-free handle lookup. */
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
#else
#  define mfcs__load_acquire(p)         __atomic_load_n((p), __ATOMIC_ACQUIRE)
#  define mfcs__store_release(p, v)     __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#  define mfcs__load_ptr_acquire(p)     __atomic_load_n((p), __ATOMIC_ACQUIRE)
#  define mfcs__store_ptr_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#endif

#endif /* MFCS_PLATFORM_H */
