/* What every benchmark here needs: a precise clock and a fatal check. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>

#include <mfcsock.h>

/* Seconds, from QueryPerformanceCounter. */
static double now_s(void)
{
    static LARGE_INTEGER freq;
    LARGE_INTEGER t;
    if (!freq.QuadPart)
        QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart / (double)freq.QuadPart;
}

/* A benchmark whose setup fails has nothing to measure: say why and stop.
 * `also` names one more result that is fine (e.g. WSAEWOULDBLOCK). */
#define CHECK_ALSO(call, also) do { mfcs_err e_ = (call); if (e_ != MFCS_OK && e_ != (also)) { \
    fprintf(stderr, "%s: %s\n", #call, mfcs_strerror(e_)); exit(1); } } while (0)
#define CHECK(call) CHECK_ALSO(call, MFCS_OK)

#endif
