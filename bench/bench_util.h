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

/* Times a baseline and a subject alternately, rounds times each, keeping
 * each one's best (a negative time means the run lost data: fatal). Taking
 * turns, both meet the same machine state (Wine's server, the other core's
 * load), so drift between two blocks of runs cannot decide their ratio. */
static inline void best_alternating(double (*base)(void), double (*subject)(void), int rounds,
                                    double *best_base, double *best_subject)
{
    int i;
    *best_base = *best_subject = 1e9;
    for (i = 0; i < 2 * rounds; i++) {
        double t = (i & 1) ? subject() : base();
        double *b = (i & 1) ? best_subject : best_base;
        if (t < 0) {
            fprintf(stderr, "a run lost data\n");
            exit(1);
        }
        if (t < *b)
            *b = t;
    }
}

/* A benchmark whose setup fails has nothing to measure: say why and stop.
 * `also` names one more result that is fine (e.g. WSAEWOULDBLOCK). */
#define CHECK_ALSO(call, also) do { mfcs_err e_ = (call); if (e_ != MFCS_OK && e_ != (also)) { \
    fprintf(stderr, "%s: %s\n", #call, mfcs_strerror(e_)); exit(1); } } while (0)
#define CHECK(call) CHECK_ALSO(call, MFCS_OK)

#endif
