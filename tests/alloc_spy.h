/* What mfcsock.dll allocates, seen from its import table: its allocator
 * imports are pointed at spies that note the largest single request and
 * the bytes it holds (live, and their peak), then pass the call on.
 *
 * Why not the process counters: under Wine 8, GetProcessMemoryInfo does
 * not move (PagefileUsage and PeakWorkingSetSize stay put while a program
 * touches 100 MB), so a check built on them can never fail there. The
 * spies see every CRT heap request the DLL makes, touched or not.
 * One translation unit each (static state). */
#ifndef ALLOC_SPY_H
#define ALLOC_SPY_H

#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

#include <windows.h>

static size_t spy_biggest;       /* the largest single request */
static long long spy_live;       /* CRT heap bytes the DLL took less those it gave back
                                    (negative when it frees blocks from before the watch) ... */
static long long spy_peak;       /* ... and the most that was */

static void *(__cdecl *real_malloc)(size_t);
static void *(__cdecl *real_calloc)(size_t, size_t);
static void *(__cdecl *real_realloc)(void *, size_t);
static void (__cdecl *real_free)(void *);
static size_t (__cdecl *real_msize)(void *);
static LPVOID (WINAPI *real_heap_alloc)(HANDLE, DWORD, SIZE_T);
static LPVOID (WINAPI *real_heap_realloc)(HANDLE, DWORD, LPVOID, SIZE_T);
static LPVOID (WINAPI *real_virtual_alloc)(LPVOID, SIZE_T, DWORD, DWORD);

static void spy_request(size_t n) { if (n > spy_biggest) spy_biggest = n; }
static void spy_took(void *p)
{
    if (p && real_msize && (spy_live += (long long)real_msize(p)) > spy_peak)
        spy_peak = spy_live;
}
static void spy_gave(void *p)
{
    if (p && real_msize)
        spy_live -= (long long)real_msize(p);
}

static void *__cdecl spy_malloc(size_t n) { void *p; spy_request(n); p = real_malloc(n); spy_took(p); return p; }
static void *__cdecl spy_calloc(size_t n, size_t m)
{
    void *p;
    spy_request(m && n > SIZE_MAX / m ? SIZE_MAX : n * m);
    p = real_calloc(n, m);
    spy_took(p);
    return p;
}
static void *__cdecl spy_realloc(void *old, size_t n)
{
    size_t was = old && real_msize ? real_msize(old) : 0;
    void *p;
    spy_request(n);
    p = real_realloc(old, n);
    if (p || !n) {   /* moved, grown or freed: the old block is gone */
        spy_live -= (long long)was;
        spy_took(p);
    }
    return p;
}
static void __cdecl spy_free(void *p) { spy_gave(p); real_free(p); }
static LPVOID WINAPI spy_heap_alloc(HANDLE h, DWORD fl, SIZE_T n) { spy_request(n); return real_heap_alloc(h, fl, n); }
static LPVOID WINAPI spy_heap_realloc(HANDLE h, DWORD fl, LPVOID p, SIZE_T n)
{
    spy_request(n);
    return real_heap_realloc(h, fl, p, n);
}
static LPVOID WINAPI spy_virtual_alloc(LPVOID p, SIZE_T n, DWORD t, DWORD prot)
{
    spy_request(n);
    return real_virtual_alloc(p, n, t, prot);
}

typedef struct spy_entry { const char *name; void *fn; void **real; } spy_entry;
static const spy_entry spy_entries[] = {
    { "malloc", (void *)spy_malloc, (void **)&real_malloc },
    { "calloc", (void *)spy_calloc, (void **)&real_calloc },
    { "realloc", (void *)spy_realloc, (void **)&real_realloc },
    { "free", (void *)spy_free, (void **)&real_free },
    { "HeapAlloc", (void *)spy_heap_alloc, (void **)&real_heap_alloc },
    { "HeapReAlloc", (void *)spy_heap_realloc, (void **)&real_heap_realloc },
    { "VirtualAlloc", (void *)spy_virtual_alloc, (void **)&real_virtual_alloc },
};

/* Points mfcsock.dll's imports at the spies (on) or back; returns how many
 * it changed. Blocks the DLL allocated before keep their sizes out of
 * spy_live: call it with the DLL idle, and compare live bytes only with
 * live bytes taken under the same watch. */
static int spy_watch(int on)
{
    BYTE *base = (BYTE *)GetModuleHandleA("mfcsock.dll");
    IMAGE_NT_HEADERS *nt;
    IMAGE_IMPORT_DESCRIPTOR *d;
    int patched = 0;
    size_t i;
    cr_assert_not_null(base, "mfcsock.dll is not loaded");
    nt = (IMAGE_NT_HEADERS *)(base + ((IMAGE_DOS_HEADER *)base)->e_lfanew);
    d = (IMAGE_IMPORT_DESCRIPTOR *)(base +
        nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_IMPORT].VirtualAddress);
    for (; d->Name; d++) {
        IMAGE_THUNK_DATA *names = (IMAGE_THUNK_DATA *)(base + (d->OriginalFirstThunk ? d->OriginalFirstThunk
                                                                                     : d->FirstThunk));
        IMAGE_THUNK_DATA *iat = (IMAGE_THUNK_DATA *)(base + d->FirstThunk);
        for (; names->u1.AddressOfData; names++, iat++) {
            const char *name;
            if (IMAGE_SNAP_BY_ORDINAL(names->u1.Ordinal))
                continue;
            name = (const char *)((IMAGE_IMPORT_BY_NAME *)(base + names->u1.AddressOfData))->Name;
            for (i = 0; i < sizeof spy_entries / sizeof spy_entries[0]; i++) {
                DWORD old;
                if (strcmp(name, spy_entries[i].name))
                    continue;
                if (on == (iat->u1.Function == (ULONG_PTR)spy_entries[i].fn))
                    continue;   /* already so */
                cr_assert(VirtualProtect(&iat->u1.Function, sizeof iat->u1.Function, PAGE_READWRITE, &old));
                if (on) {
                    *spy_entries[i].real = (void *)(ULONG_PTR)iat->u1.Function;
                    iat->u1.Function = (ULONG_PTR)spy_entries[i].fn;
                } else {
                    iat->u1.Function = (ULONG_PTR)*spy_entries[i].real;
                }
                VirtualProtect(&iat->u1.Function, sizeof iat->u1.Function, old, &old);
                patched++;
            }
        }
    }
    if (on && real_malloc) {
        /* _msize of the CRT the DLL's malloc is from, whichever it is */
        HMODULE crt = NULL;
        cr_assert(GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                                     GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                                     (LPCSTR)(void *)real_malloc, &crt));
        real_msize = (size_t (__cdecl *)(void *))(void *)GetProcAddress(crt, "_msize");
        cr_assert_not_null(real_msize, "the DLL's CRT has no _msize");
    }
    spy_biggest = 0;
    spy_live = spy_peak = 0;
    return patched;
}

/* Starts the count over; returns the live bytes to measure the peak from
 * (the bytes a call held at most: spy_peak less that). */
static long long spy_reset(void)
{
    spy_biggest = 0;
    spy_peak = spy_live;
    return spy_live;
}

#endif
