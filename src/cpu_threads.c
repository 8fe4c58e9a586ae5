/* Process-wide thread state of the CPU backend (cpu_threads.h). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include <cblas.h>

#include "cpu_threads.h"

/* The holds in progress and the OpenBLAS setting the first one replaced. */
static pthread_mutex_t hold_lock = PTHREAD_MUTEX_INITIALIZER;
static int holds;
static int saved_blas_threads;

int gi_cpu_team(int requested)
{
#ifdef _OPENMP
    /* A request beyond 4 threads a core gains nothing and can exhaust the
     * runtime (OpenMP allocates per thread): it is capped there. */
    int cap = 4 * omp_get_num_procs();
    int want = requested > 0 ? requested : omp_get_max_threads();
    return want < cap ? want : cap;
#else
    (void)requested;
    return 1;
#endif
}

void gi_blas_hold_begin(gi_blas_hold *hold)
{
#ifdef _OPENMP
    hold->omp_threads = omp_get_max_threads();
#else
    hold->omp_threads = 1;
#endif
    pthread_mutex_lock(&hold_lock);
    if (holds++ == 0) {
        saved_blas_threads = openblas_get_num_threads();
        if (saved_blas_threads != 1)
            openblas_set_num_threads(1);
    }
    pthread_mutex_unlock(&hold_lock);
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
}

void gi_blas_hold_end(const gi_blas_hold *hold)
{
    pthread_mutex_lock(&hold_lock);
    if (--holds == 0 && saved_blas_threads != 1)
        openblas_set_num_threads(saved_blas_threads);
    pthread_mutex_unlock(&hold_lock);
#ifdef _OPENMP
    omp_set_num_threads(hold->omp_threads);
#else
    (void)hold;
#endif
}
