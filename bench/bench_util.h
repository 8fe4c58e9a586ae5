/* What the benchmark programs share: failing loudly, the clock, medians,
 * and a line on the machine. */
#ifndef GINIT_BENCH_UTIL_H
#define GINIT_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ginit.h"

#ifdef GINIT_BENCH_CUDA
#include <cuda_runtime_api.h>
#endif

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

/* The CPU's model name from /proc/cpuinfo, or "unknown CPU". */
static inline void cpu_model(char *out, size_t cap)
{
    snprintf(out, cap, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL)
        return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        const char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
            snprintf(out, cap, "%s", colon + 2);
            out[strcspn(out, "\n")] = '\0';
            break;
        }
    }
    fclose(f);
}

/* One line on the machine the numbers come from: the CPU always; the GPU
 * (name, SMs, clocks, memory bus and its peak bandwidth) when cuda. */
static inline void print_machine(int cuda)
{
    char model[128];
    cpu_model(model, sizeof model);
    printf("cpu: %s, %ld logical cores\n", model, sysconf(_SC_NPROCESSORS_ONLN));
#ifdef GINIT_BENCH_CUDA
    int dev = 0, sms = 0, clock_khz = 0, mem_khz = 0, bus_bits = 0;
    int runtime = 0, driver = 0;
    struct cudaDeviceProp prop;
    if (cuda && cudaGetDevice(&dev) == cudaSuccess &&
        cudaGetDeviceProperties(&prop, dev) == cudaSuccess) {
        cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev);
        cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, dev);
        cudaDeviceGetAttribute(&mem_khz, cudaDevAttrMemoryClockRate, dev);
        cudaDeviceGetAttribute(&bus_bits, cudaDevAttrGlobalMemoryBusWidth, dev);
        cudaRuntimeGetVersion(&runtime);
        cudaDriverGetVersion(&driver);
        /* Double data rate: two transfers a clock. */
        double peak = 2.0 * mem_khz * 1e3 * (bus_bits / 8.0) / 1e9;
        printf("gpu: %s (sm_%d%d), %d SMs at %d MHz, memory %d MHz x %d "
               "bits (peak %.0f GB/s), %.1f GiB; CUDA runtime %d, driver %d\n",
               prop.name, prop.major, prop.minor, sms, clock_khz / 1000,
               mem_khz / 1000, bus_bits, peak,
               prop.totalGlobalMem / 1073741824.0, runtime, driver);
    }
#else
    (void)cuda;
#endif
}

/* The median of v[0..n), sorting v. */
static inline double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

#endif
