/* A small check harness for ginit_mpi's tests, which run under mpiexec
 * (Criterion's forks do not mix with MPI). Each rank counts its failed
 * checks and prints them with its rank; mpi_check_finish agrees on one
 * verdict: every rank's exit status is 1 when any rank failed a check. */
#ifndef GINIT_MPI_CHECK_H
#define GINIT_MPI_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#include <mpi.h>

#include "ginit_mpi.h"

static int mpi_checks, mpi_failures;

static int mpi_rank(void)
{
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

static int mpi_size(void)
{
    int n = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

/* CHECK(condition, printf-style message): counts a failure on this rank. */
#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        ++mpi_checks;                                                          \
        if (!(cond)) {                                                         \
            ++mpi_failures;                                                    \
            fprintf(stderr, "rank %d: %s:%d: check failed: %s: ", mpi_rank(), \
                    __FILE__, __LINE__, #cond);                                \
            fprintf(stderr, __VA_ARGS__);                                      \
            fprintf(stderr, " (last error: %s)\n", gi_last_error());          \
        }                                                                      \
    } while (0)

/* A call that must succeed. */
#define CHECK_OK(call) CHECK((call) == GI_OK, "%s", #call)

/* The verdict of every rank: prints a summary on rank 0, returns the
 * process's exit status (after MPI_Finalize). */
static int mpi_check_finish(const char *what)
{
    int counts[2] = {mpi_checks, mpi_failures}, total[2];
    MPI_Allreduce(counts, total, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (mpi_rank() == 0)
        printf("%s on %d rank(s): %d checks, %d failed\n", what, mpi_size(),
               total[0], total[1]);
    MPI_Finalize();
    return total[1] == 0 && total[0] > 0 ? 0 : 1;
}

#endif
