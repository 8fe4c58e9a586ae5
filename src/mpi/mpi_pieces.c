/* Where each rank's tensor lies in its global tensor: described, gathered,
 * checked to tile the global tensor, and walked as runs of global
 * row-major indices (what the collective fills, checks and files move). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_internal.h"

static int64_t numel_of(int ndim, const int64_t *shape)
{
    int64_t n = 1;
    for (int d = 0; d < ndim; ++d)
        n *= shape[d];
    return n;
}

void gi_mpi_piece_of(gi_tensor t, gi_mpi_piece *out)
{
    memset(out, 0, sizeof *out);
    gi_shard_info info;
    gi_tensor_shard_info(t, &info);
    out->kind = (int32_t)info.kind;
    out->dtype = (int32_t)gi_tensor_dtype(t);
    out->ndim = info.global_ndim;
    out->numel = gi_tensor_numel(t);
    memcpy(out->global_shape, info.global_shape, sizeof out->global_shape);
    int64_t whole = numel_of(info.global_ndim, info.global_shape);
    if (info.kind == GI_SHARD_BOX) {
        memcpy(out->start, info.start, sizeof out->start);
        memcpy(out->shape, gi_tensor_shape(t),
               (size_t)info.global_ndim * sizeof(int64_t));
    } else if (info.kind == GI_SHARD_FLAT) {
        out->flat_start = info.flat_start;
    }
    /* A shard as large as its global tensor is the whole of it: in either
     * form its elements are the global tensor's, in row-major order. */
    if (out->numel == whole && info.kind != GI_SHARD_NONE) {
        out->kind = GI_SHARD_NONE;
        memset(out->start, 0, sizeof out->start);
        out->flat_start = 0;
    }
    if (out->kind == GI_SHARD_NONE)
        memcpy(out->shape, out->global_shape, sizeof out->shape);
}

/* Whether every rank's global tensor is rank 0's. */
static gi_status same_tensor(const gi_mpi_piece *pieces, int size,
                             const char *fn)
{
    const gi_mpi_piece *p0 = &pieces[0];
    for (int r = 1; r < size; ++r) {
        const gi_mpi_piece *p = &pieces[r];
        if (p->dtype != p0->dtype)
            return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: rank %d's "
                                "dtype %s differs from rank 0's %s", fn, r,
                                gi_dtype_name((gi_dtype)p->dtype),
                                gi_dtype_name((gi_dtype)p0->dtype));
        if (p->ndim != p0->ndim ||
            memcmp(p->global_shape, p0->global_shape,
                   (size_t)p->ndim * sizeof(int64_t)) != 0) {
            char a[160], b[160];
            return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: rank %d's "
                                "global shape %s differs from rank 0's %s",
                                fn, r, gi_mpi_shape_text(a, sizeof a, p->ndim, p->global_shape),
                                gi_mpi_shape_text(b, sizeof b, p0->ndim, p0->global_shape));
        }
    }
    return GI_OK;
}

/* Whether two non-empty pieces of one kind share an element. */
static int overlap(const gi_mpi_piece *a, const gi_mpi_piece *b)
{
    if (a->numel == 0 || b->numel == 0)
        return 0;
    if (a->kind == GI_SHARD_FLAT)
        return a->flat_start < b->flat_start + b->numel &&
               b->flat_start < a->flat_start + a->numel;
    for (int d = 0; d < a->ndim; ++d)
        if (a->start[d] >= b->start[d] + b->shape[d] ||
            b->start[d] >= a->start[d] + a->shape[d])
            return 0;
    return 1;
}

/* Shards of one kind, disjoint, covering the whole tensor; or every piece
 * whole. A shard as large as the tensor counts as whole, so a layout over
 * more ranks than a dimension has (one rank holding every element, the
 * others empty shards) is a tiling too. Every rank reaches the same
 * verdict from the same pieces. */
static gi_status tiling(const gi_mpi_piece *pieces, int size,
                        int *replicated, const char *fn)
{
    int whole = 0, filled = 0, first = -1;
    for (int r = 0; r < size; ++r) {
        whole += pieces[r].kind == GI_SHARD_NONE;
        filled += pieces[r].numel > 0;
    }
    *replicated = whole == size;
    if (whole == size)
        return GI_OK;
    for (int r = 0; r < size; ++r) {
        const gi_mpi_piece *p = &pieces[r];
        if (p->kind == GI_SHARD_NONE && filled > 1)
            return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: rank %d holds "
                                "the whole tensor, while other ranks hold "
                                "shards of it", fn, r);
        if (p->kind == GI_SHARD_NONE || p->numel == 0)
            continue;
        if (first >= 0 && p->kind != pieces[first].kind)
            return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: rank %d holds "
                                "a %s shard and rank %d a %s one", fn, r,
                                p->kind == GI_SHARD_FLAT ? "flat" : "box",
                                first,
                                pieces[first].kind == GI_SHARD_FLAT ? "flat"
                                                                    : "box");
        if (first < 0)
            first = r;
    }
    int64_t covered = 0;
    for (int r = 0; r < size; ++r) {
        for (int s = r + 1; s < size; ++s)
            if (overlap(&pieces[r], &pieces[s]))
                return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: the "
                                    "shards of ranks %d and %d overlap", fn,
                                    r, s);
        covered += pieces[r].numel;
    }
    /* Disjoint pieces inside the tensor cover it when their sizes add up
     * to its size. */
    int64_t all = numel_of(pieces[0].ndim, pieces[0].global_shape);
    if (covered != all)
        return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: the shards leave "
                            "%lld of the tensor's %lld elements uncovered",
                            fn, (long long)(all - covered), (long long)all);
    return GI_OK;
}

gi_status gi_mpi_gather_pieces(MPI_Comm comm, gi_status local, gi_tensor t,
                               gi_mpi_piece **pieces, int *replicated,
                               const char *fn)
{
    int size = 1;
    MPI_Comm_size(comm, &size);
    gi_mpi_piece mine;
    memset(&mine, 0, sizeof mine);
    if (local == GI_OK && t != NULL)
        gi_mpi_piece_of(t, &mine);
    gi_mpi_piece *all = calloc((size_t)size, sizeof *all);
    if (local == GI_OK && all == NULL)
        local = gi_set_error(GI_ERR_OUT_OF_MEMORY, "%s: cannot allocate the "
                             "%d ranks' shard descriptions", fn, size);
    gi_status st = gi_mpi_agree(comm, local, fn);
    if (st != GI_OK) {
        free(all);
        return st;
    }
    MPI_Allgather(&mine, (int)sizeof mine, MPI_BYTE, all, (int)sizeof mine,
                  MPI_BYTE, comm);
    st = same_tensor(all, size, fn);
    if (st == GI_OK)
        st = tiling(all, size, replicated, fn);
    if (st != GI_OK) {
        free(all);
        return st;
    }
    *pieces = all;
    return GI_OK;
}

int gi_mpi_piece_runs(const gi_mpi_piece *p, gi_mpi_run_fn fn, void *user)
{
    if (p->numel == 0)
        return 0;
    if (p->kind != GI_SHARD_BOX)
        return fn(p->kind == GI_SHARD_FLAT ? p->flat_start : 0, 0, p->numel,
                  user);
    /* Dimensions after j are whole: a run is shape[j] of dimension j's
     * slices, and the runs step through the dimensions before j. */
    int n = p->ndim, j = n - 1;
    while (j > 0 && p->start[j] == 0 && p->shape[j] == p->global_shape[j])
        --j;
    int64_t stride[GI_MAX_DIMS];
    stride[n - 1] = 1;
    for (int d = n - 2; d >= 0; --d)
        stride[d] = stride[d + 1] * p->global_shape[d + 1];
    int64_t run = p->shape[j] * stride[j], idx[GI_MAX_DIMS] = {0};
    for (int64_t local = 0; local < p->numel; local += run) {
        int64_t global = p->start[j] * stride[j];
        for (int d = 0; d < j; ++d)
            global += (p->start[d] + idx[d]) * stride[d];
        int rc = fn(global, local, run, user);
        if (rc != 0)
            return rc;
        for (int d = j - 1; d >= 0 && ++idx[d] == p->shape[d]; --d)
            idx[d] = 0;
    }
    return 0;
}
