/* What the benchmark programs share: failing loudly, the clock, medians. */
#ifndef GINIT_BENCH_UTIL_H
#define GINIT_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ginit.h"

#define MAX_REPS 101

/* A benchmark has no use for a failed call: say why and stop. */
#define TRY(call)                                                             \
    do {                                                                      \
        gi_status st_ = (call);                                               \
        if (st_ != GI_OK) {                                                   \
            fprintf(stderr, "bench: %s\n", gi_last_error());                  \
            exit(1);                                                          \
        }                                                                     \
    } while (0)

static inline double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* --device's value: "cpu", "cuda", anything else AUTO. */
static inline gi_device parse_device(const char *name)
{
    return strcmp(name, "cpu") == 0    ? GI_DEVICE_CPU
           : strcmp(name, "cuda") == 0 ? GI_DEVICE_CUDA
                                       : GI_DEVICE_AUTO;
}

/* The median of v[0..n), sorting v. */
static inline double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

#endif
