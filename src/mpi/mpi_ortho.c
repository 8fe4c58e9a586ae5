/* orthogonal_ of a sharded matrix: the lowest rank draws and factors the
 * whole matrix, exactly as one process would, and sends every rank its
 * elements. A distributed QR (ScaLAPACK's) would round by the process
 * grid; this gives the single-process fill for any number of ranks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_bytes.h"
#include "mpi_internal.h"

/* The arguments every rank must pass alike (no padding). */
typedef struct ortho_args {
    int32_t dtype, ndim;
    double gain;
    int64_t shape[GI_MAX_DIMS];
} ortho_args;

/* This rank's own checks; *gen becomes the generator the fill draws from
 * and *a the arguments to agree on. */
static gi_status check_ortho(gi_tensor shard, double gain, gi_generator *gen,
                             ortho_args *a, const char *fn)
{
    memset(a, 0, sizeof *a);
    if (shard == NULL)
        return gi_set_error(GI_ERR_NULL_ARGUMENT, "%s: argument 'shard' is "
                            "NULL", fn);
    if (!isfinite(gain))
        return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: argument 'gain' "
                            "= %g is not finite", fn, gain);
    gi_shard_info info;
    gi_tensor_shard_info(shard, &info);
    if (info.global_ndim < 2)
        return gi_set_error(GI_ERR_SHAPE, "%s: only tensors with 2 or more "
                            "dimensions are supported, the global tensor "
                            "has %d", fn, info.global_ndim);
    if (*gen == NULL)
        *gen = gi_context_generator(gi_tensor_context(shard));
    a->dtype = gi_tensor_dtype(shard);
    a->ndim = info.global_ndim;
    a->gain = gain;
    memcpy(a->shape, info.global_shape, sizeof a->shape);
    return GI_OK;
}

/* The lowest rank's part: the whole matrix filled on its shard's context
 * and copied to the host, *whole. */
static gi_status fill_whole(gi_tensor shard, const ortho_args *a,
                            gi_generator gen, unsigned char **whole,
                            const char *fn)
{
    gi_tensor t = NULL;
    size_t bytes = 0;
    gi_status st = gi_tensor_create(&t, gi_tensor_context(shard),
                                    (gi_dtype)a->dtype, a->ndim, a->shape);
    if (st == GI_OK)
        st = gi_orthogonal_(t, a->gain, gen);
    if (st == GI_OK)
        st = gi_mpi_host_copy(t, whole, &bytes, fn);
    gi_tensor_destroy(t);
    return st;
}

typedef struct pack_walk {
    const unsigned char *whole;
    unsigned char *out;
    size_t es;
} pack_walk;

static int pack_run(int64_t global, int64_t local, int64_t count, void *user)
{
    const pack_walk *w = user;
    memcpy(w->out + (size_t)local * w->es, w->whole + (size_t)global * w->es,
           (size_t)count * w->es);
    return 0;
}

static size_t piece_bytes(const gi_mpi_piece *p)
{
    return (size_t)p->numel * gi_mpi_dtype_size((gi_dtype)p->dtype);
}

/* Room for this rank's bytes (the lowest rank packs every rank's in
 * turn: room for the largest) and the generator's new state. */
static gi_status make_room(const gi_mpi_piece *pieces, int rank, int size,
                           size_t state, unsigned char **buf,
                           unsigned char **next, const char *fn)
{
    size_t bytes = piece_bytes(&pieces[rank]);
    for (int r = 0; rank == 0 && r < size; ++r)
        if (piece_bytes(&pieces[r]) > bytes)
            bytes = piece_bytes(&pieces[r]);
    *buf = malloc(bytes > 0 ? bytes : 1);
    *next = malloc(state);
    if (*buf == NULL || *next == NULL)
        return gi_set_error(GI_ERR_OUT_OF_MEMORY, "%s: no memory for the "
                            "shard's %zu bytes on the host", fn, bytes);
    return GI_OK;
}

/* The lowest rank sends every other rank its piece of whole, then packs
 * its own into buf; the others receive theirs into buf. Replicas (every
 * piece the whole) take one broadcast. */
static void scatter(const gi_mpi_piece *pieces, int rank, int size,
                    int replicated, const unsigned char *whole,
                    unsigned char *buf, MPI_Comm comm)
{
    if (replicated) {
        if (rank == 0)
            memcpy(buf, whole, piece_bytes(pieces));
        gi_mpi_bcast_bytes(buf, piece_bytes(pieces), 0, comm);
        return;
    }
    if (rank != 0) {
        gi_mpi_recv_bytes(buf, piece_bytes(&pieces[rank]), 0, comm);
        return;
    }
    pack_walk w = {whole, buf, gi_mpi_dtype_size((gi_dtype)pieces->dtype)};
    for (int r = size - 1; r >= 0; --r) {
        gi_mpi_piece_runs(&pieces[r], pack_run, &w);
        if (r > 0)
            gi_mpi_send_bytes(buf, piece_bytes(&pieces[r]), r, comm);
    }
}

/* After the agreements on the arguments, the generators' states and the
 * tiling: the fill, the transfer, the writes, each agreed. */
static gi_status fill_and_scatter(gi_tensor shard, const ortho_args *a,
                                  gi_generator gen, const gi_mpi_state *saved,
                                  const gi_mpi_piece *pieces, int replicated,
                                  MPI_Comm comm, const char *fn)
{
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    unsigned char *whole = NULL, *buf = NULL, *next = NULL;
    gi_status st = GI_OK;
    if (rank == 0)
        st = fill_whole(shard, a, gen, &whole, fn);
    if (st == GI_OK)
        st = make_room(pieces, rank, size, saved->size, &buf, &next, fn);
    if (st == GI_OK && rank == 0)
        st = gi_generator_get_state(gen, next, saved->size, &(size_t){0});
    st = gi_mpi_agree(comm, st, fn);
    if (st == GI_OK) {
        scatter(pieces, rank, size, replicated, whole, buf, comm);
        gi_mpi_bcast_bytes(next, saved->size, 0, comm);
        const size_t bytes = piece_bytes(&pieces[rank]);
        st = gi_mpi_agree(comm, bytes > 0 ? gi_tensor_copy_from_host(
                                                shard, buf, bytes)
                                          : GI_OK,
                          fn);
    }
    if (st == GI_OK)
        gi_generator_set_state(gen, next, saved->size);
    else
        gi_mpi_state_restore(saved);
    free(whole);
    free(buf);
    free(next);
    return st;
}

gi_status gi_mpi_orthogonal_(gi_tensor shard, double gain, gi_generator gen,
                             MPI_Comm comm)
{
    static const char *const fn = "gi_mpi_orthogonal_";
    gi_status st = gi_mpi_comm_ok(comm, fn);
    if (st != GI_OK)
        return st;
    ortho_args a;
    st = gi_mpi_agree_same(comm, check_ortho(shard, gain, &gen, &a, fn), &a,
                           sizeof a, "dtype, gain or the global shape", fn);
    if (st != GI_OK)
        return st;
    gi_mpi_state saved;
    st = gi_mpi_state_save(gen, &saved, fn);
    st = gi_mpi_agree_same(comm, st, saved.bytes, saved.size,
                           "gen's state", fn);
    gi_mpi_piece *pieces = NULL;
    int replicated = 0;
    if (st == GI_OK)
        st = gi_mpi_gather_pieces(comm, GI_OK, shard, &pieces, &replicated,
                                  fn);
    if (st == GI_OK)
        st = fill_and_scatter(shard, &a, gen, &saved, pieces, replicated,
                              comm, fn);
    free(pieces);
    gi_mpi_state_free(&saved);
    return st;
}
