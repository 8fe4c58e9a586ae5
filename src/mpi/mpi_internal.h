/* Private parts of ginit_mpi: the collective agreement every call of
 * include/ginit_mpi.h goes through. ginit_mpi uses ginit's public API
 * only (libginit's internals stay private to it). */
#ifndef GINIT_MPI_INTERNAL_H
#define GINIT_MPI_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

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

/* "[4, 6]", a shape for messages, into buf (cut to cap); returns buf. */
const char *gi_mpi_shape_text(char *buf, size_t cap, int ndim,
                              const int64_t *shape);

/* A 64-bit FNV-1a digest of n bytes, continuing from h (start with
 * GI_MPI_FNV_START): how arguments are compared across ranks. */
#define GI_MPI_FNV_START 0xcbf29ce484222325ull
uint64_t gi_mpi_digest(uint64_t h, const void *p, size_t n);

/* Where one rank's tensor lies in its global tensor, in a form that
 * travels between ranks as bytes (MPI_BYTE). */
typedef struct gi_mpi_piece {
    int32_t kind;  /* gi_shard_kind; GI_SHARD_NONE: the whole tensor */
    int32_t dtype; /* gi_dtype */
    int32_t ndim;  /* the global tensor's */
    int32_t pad_;
    int64_t global_shape[GI_MAX_DIMS];
    int64_t start[GI_MAX_DIMS]; /* a box's corner (0 otherwise) */
    int64_t shape[GI_MAX_DIMS]; /* a box's extent (the global shape for
                                   the whole tensor; unused for flat) */
    int64_t flat_start;         /* a flat range's first global index */
    int64_t numel;              /* the piece's elements */
} gi_mpi_piece;

/* t's piece (t not NULL). A box as large as its global tensor counts as
 * the whole (GI_SHARD_NONE). */
void gi_mpi_piece_of(gi_tensor t, gi_mpi_piece *out);

/* Collective: gathers every rank's piece of t into *pieces (malloc'd,
 * comm's size entries, rank order; the caller frees it) and checks that
 * they tile one global tensor: the same dtype and global shape on every
 * rank, and either every piece whole (*replicated = 1) or pieces of one
 * kind (all boxes or all flat ranges) that are disjoint and cover every
 * element (*replicated = 0). local is the outcome so far (t may be NULL
 * on a rank that failed; it still takes part: the outcome so far is
 * agreed as gi_mpi_agree first). Pieces that do not tile are
 * GI_ERR_INVALID_ARGUMENT on every rank alike, with one message naming
 * the ranks ("the shards of ranks 0 and 2 overlap", "the shards leave 12
 * of the tensor's 35 elements uncovered", "rank 1's global shape [4, 6]
 * differs from rank 0's [4, 5]"): every rank checks the same pieces. */
gi_status gi_mpi_gather_pieces(MPI_Comm comm, gi_status local, gi_tensor t,
                               gi_mpi_piece **pieces, int *replicated,
                               const char *fn);

/* The runs of consecutive global row-major indices a piece holds, in its
 * own (local row-major) order: fn(global_first, local_first, count, user)
 * for each, maximal (a box spanning its trailing dimensions whole is one
 * run per row of the leading ones; the whole tensor and a flat range are
 * one run). A non-zero return from fn stops the walk and is returned. */
typedef int (*gi_mpi_run_fn)(int64_t global_first, int64_t local_first,
                             int64_t count, void *user);
int gi_mpi_piece_runs(const gi_mpi_piece *p, gi_mpi_run_fn fn, void *user);

#endif
