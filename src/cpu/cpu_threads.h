/* The CPU backend's threads, which are process-wide facts: how many an
 * OpenMP loop of ginit may start, and OpenBLAS held to one thread of its
 * own while ginit calls it. */
#ifndef GINIT_CPU_THREADS_H
#define GINIT_CPU_THREADS_H

/* Registers, once per process, the fork() handlers below; called when a
 * CPU context is created, before it can start any thread. 0 when they
 * could not be registered (pthread_atfork ran out of memory): the next
 * call tries again. */
int gi_cpu_threads_init(void);

/* Threads for one parallel loop, given a context's request (0: the OpenMP
 * runtime's default), capped at 4 per core. 1 without OpenMP, and in a
 * child made by fork() after gi_cpu_threads_init: the OpenMP runtime's
 * workers do not survive fork(), and a loop that waited for them would
 * never end (PyTorch drops to one thread in a forked child too). */
int gi_cpu_team(int requested);

/* OpenBLAS held to one thread between begin and end, so that ginit's
 * BLAS and LAPACK calls start no thread of their own (ginit runs them on
 * its own threads, split in ways that do not depend on their number)
 * and their results never depend on OpenBLAS's thread setting.
 *
 * OpenBLAS's pthreads build keeps its thread count per process: the first
 * hold saves the caller's setting and the last one to end restores it.
 * Its OpenMP build (0.3.21) takes the count from the calling thread's
 * OpenMP setting at every call, so begin also sets this thread's to 1 and
 * end gives the caller's back; threads a loop starts inside the hold
 * inherit the 1. Size a loop's team (gi_cpu_team) before begin. Holds
 * nest and may be taken by several threads at a time. */
typedef struct gi_blas_hold {
    int omp_threads; /* this thread's OpenMP setting before the hold */
} gi_blas_hold;

void gi_blas_hold_begin(gi_blas_hold *hold);
void gi_blas_hold_end(const gi_blas_hold *hold);

#endif
