/* Process-wide thread state of the CPU backend (cpu_threads.h). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include <cblas.h>

#include "cpu_threads.h"

/* Set in the child of a fork(): every later loop runs on one thread. */
static atomic_int forked;

/* The holds in progress and the OpenBLAS setting the first one replaced. */
static pthread_mutex_t hold_lock = PTHREAD_MUTEX_INITIALIZER;
static int holds;
static int saved_blas_threads;

/* hold_lock is taken across fork(), so that the child's copy is in a
 * consistent state, and released on both sides. A hold another thread of
 * the parent had open is never ended in the child, which keeps OpenBLAS
 * at one thread there: what a forked child wants anyway. */
static void before_fork(void)
{
    pthread_mutex_lock(&hold_lock);
}

static void after_fork_in_parent(void)
{
    pthread_mutex_unlock(&hold_lock);
}

static void after_fork_in_child(void)
{
    atomic_store(&forked, 1);
    pthread_mutex_unlock(&hold_lock);
}

int gi_cpu_threads_init(void)
{
    static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
    static int registered;
    pthread_mutex_lock(&init_lock);
    if (!registered)
        registered = pthread_atfork(before_fork, after_fork_in_parent,
                                    after_fork_in_child) == 0;
    int ok = registered;
    pthread_mutex_unlock(&init_lock);
    return ok;
}

int gi_cpu_team(int requested)
{
#ifdef _OPENMP
    if (atomic_load_explicit(&forked, memory_order_relaxed))
        return 1;
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
