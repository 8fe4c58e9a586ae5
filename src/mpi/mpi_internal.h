/* Private parts of ginit_mpi: the collective agreement every call of
 * include/ginit_mpi.h goes through. ginit_mpi uses ginit's public API
 * only (libginit's internals stay private to it). */
#ifndef GINIT_MPI_INTERNAL_H
#define GINIT_MPI_INTERNAL_H

#include <stddef.h>

#include "ginit_mpi.h"

/* Collective: every rank of comm passes its own outcome so far (its
 * message in gi_last_error() when it failed). Returns GI_OK when every
 * rank's is GI_OK; otherwise a rank that failed returns its own status
 * with its message untouched, and the others GI_ERR_PEER with "fn: rank R
 * of N failed: <R's message>", R the lowest failing rank. comm must be a
 * valid communicator (check MPI_COMM_NULL before, on every rank alike:
 * gi_mpi_comm_ok). */
gi_status gi_mpi_agree(MPI_Comm comm, gi_status local, const char *fn);

/* Collective: whether every rank passed the same n bytes at p (arguments
 * that must agree); a rank whose bytes differ from the lowest rank's
 * fails with GI_ERR_INVALID_ARGUMENT ("fn: argument 'what' differs from
 * rank 0's") and the outcome is agreed as gi_mpi_agree. local is the
 * outcome so far: a rank that already failed takes part and keeps its
 * own status. */
gi_status gi_mpi_agree_same(MPI_Comm comm, gi_status local, const void *p,
                            size_t n, const char *what, const char *fn);

/* GI_OK when comm is usable, else GI_ERR_INVALID_ARGUMENT naming it;
 * every rank sees the same answer for the same comm, so a call may return
 * at once without a collective. */
gi_status gi_mpi_comm_ok(MPI_Comm comm, const char *fn);

/* A 64-bit FNV-1a digest of n bytes, continuing from h (start with
 * GI_MPI_FNV_START): how arguments are compared across ranks. */
#define GI_MPI_FNV_START 0xcbf29ce484222325ull
uint64_t gi_mpi_digest(uint64_t h, const void *p, size_t n);

#endif
