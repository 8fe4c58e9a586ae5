/* Layouts: which shard of a global tensor each rank holds, the tensors
 * made for them, and tensor-parallel Linears. Every rank checks its own
 * arguments, then the ranks agree on the ones that must match, so that a
 * rank that fails still takes part in every collective step. */
#include <string.h>

#include "mpi_internal.h"
#include "mpi_bytes.h"

/* The arguments every rank must pass alike, as bytes (padding zeroed). */
typedef struct layout_args {
    int32_t layout, grid_rows, ndim, dtype;
    int64_t shape[GI_MAX_DIMS];
} layout_args;

typedef struct linear_args {
    int64_t in_features, out_features;
    int32_t bias, dtype, split, pad_;
} linear_args;

static const char *const layout_names[] = {
    "GI_MPI_REPLICATED", "GI_MPI_ROWS", "GI_MPI_COLUMNS", "GI_MPI_GRID",
    "GI_MPI_FLAT"};

/* The fewest dimensions each layout cuts. */
static const int layout_min_dims[] = {0, 1, 1, 2, 0};

static void part(int64_t n, int parts, int index, int64_t *start,
                 int64_t *size)
{
    const int64_t q = n / parts, r = n % parts;
    *start = index * q + (index < r ? index : r);
    *size = q + (index < r);
}

gi_status gi_mpi_split(int64_t n, int parts, int index, int64_t *start,
                       int64_t *size)
{
    static const char *const fn = "gi_mpi_split";
    if (start == NULL || size == NULL)
        return gi_set_error(GI_ERR_NULL_ARGUMENT, "%s: argument '%s' is "
                            "NULL", fn, start == NULL ? "start" : "size");
    if (n < 0)
        return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: argument 'n' = "
                            "%lld is negative", fn, (long long)n);
    if (parts < 1)
        return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: argument 'parts' "
                            "= %d is below 1", fn, parts);
    if (index < 0 || index >= parts)
        return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: argument 'index' "
                            "= %d is outside [0, %d)", fn, index, parts);
    part(n, parts, index, start, size);
    return GI_OK;
}

/* The global shape's checks: sizes >= 0, and the product of the nonzero
 * ones within 64 bits, as gi_tensor_create counts them. */
static gi_status check_shape(int ndim, const int64_t *shape, const char *fn)
{
    if (ndim < 0 || ndim > GI_MAX_DIMS)
        return gi_set_error(GI_ERR_SHAPE, "%s: argument 'ndim' = %d is "
                            "outside [0, %d]", fn, ndim, GI_MAX_DIMS);
    if (ndim > 0 && shape == NULL)
        return gi_set_error(GI_ERR_NULL_ARGUMENT, "%s: argument "
                            "'global_shape' is NULL with ndim %d", fn, ndim);
    int64_t n = 1;
    for (int d = 0; d < ndim; ++d) {
        if (shape[d] < 0)
            return gi_set_error(GI_ERR_SHAPE, "%s: global_shape[%d] = %lld "
                                "is negative", fn, d, (long long)shape[d]);
        if (shape[d] > 0 && n > INT64_MAX / shape[d])
            return gi_set_error(GI_ERR_OVERFLOW, "%s: the elements of "
                                "global_shape overflow 64 bits (at "
                                "global_shape[%d] = %lld)", fn, d,
                                (long long)shape[d]);
        n *= shape[d] > 0 ? shape[d] : 1;
    }
    return GI_OK;
}

/* This rank's own checks of a layout and its global shape. */
static gi_status check_layout(int size, gi_mpi_layout layout, int grid_rows,
                              int ndim, const int64_t *shape, const char *fn)
{
    if ((unsigned)layout > GI_MPI_FLAT)
        return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: argument "
                            "'layout' = %d is not a gi_mpi_layout", fn,
                            (int)layout);
    gi_status st = check_shape(ndim, shape, fn);
    if (st != GI_OK)
        return st;
    if (ndim < layout_min_dims[layout])
        return gi_set_error(GI_ERR_SHAPE, "%s: %s needs a tensor of at "
                            "least %d dimension%s, got ndim %d", fn,
                            layout_names[layout], layout_min_dims[layout],
                            layout_min_dims[layout] == 1 ? "" : "s", ndim);
    if (layout == GI_MPI_GRID && (grid_rows < 1 || size % grid_rows != 0))
        return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: argument "
                            "'grid_rows' = %d does not divide the "
                            "communicator's size %d", fn, grid_rows, size);
    return GI_OK;
}

/* The box's global row-major index of its corner, as gi_tensor_set_shard
 * reports it (0 for an empty box, which has no element). */
static int64_t corner_index(const gi_shard_info *info, const int64_t *shape)
{
    int64_t index = 0, stride = 1, numel = 1;
    for (int d = info->global_ndim - 1; d >= 0; --d) {
        index += info->start[d] * stride;
        stride *= info->global_shape[d];
        numel *= shape[d];
    }
    return numel > 0 ? index : 0;
}

/* Rank `rank` of `size`'s shard under the agreed arguments a. */
static void place(int rank, int size, const layout_args *a,
                  gi_shard_info *info, int64_t *shape)
{
    memset(info, 0, sizeof *info);
    info->kind = GI_SHARD_BOX;
    info->global_ndim = a->ndim;
    int64_t numel = 1;
    for (int d = 0; d < a->ndim; ++d) {
        info->global_shape[d] = shape[d] = a->shape[d];
        numel *= a->shape[d];
    }
    const int last = a->ndim - 1;
    switch ((gi_mpi_layout)a->layout) {
    case GI_MPI_REPLICATED:
        info->kind = GI_SHARD_NONE;
        return;
    case GI_MPI_ROWS:
        part(a->shape[0], size, rank, &info->start[0], &shape[0]);
        break;
    case GI_MPI_COLUMNS:
        part(a->shape[last], size, rank, &info->start[last], &shape[last]);
        break;
    case GI_MPI_GRID: {
        const int cols = size / a->grid_rows;
        part(a->shape[0], a->grid_rows, rank / cols, &info->start[0],
             &shape[0]);
        part(a->shape[last], cols, rank % cols, &info->start[last],
             &shape[last]);
        break;
    }
    case GI_MPI_FLAT:
        info->kind = GI_SHARD_FLAT;
        part(numel, size, rank, &info->flat_start, &shape[0]);
        return;
    }
    info->flat_start = corner_index(info, shape);
}

/* What gi_mpi_shard_layout and gi_mpi_shard_create share: this rank's
 * checks (after the caller's own, local), the agreement on the arguments
 * (dtype too, or -1 when it is not one) and this rank's place. */
static gi_status layout_place(MPI_Comm comm, gi_status local,
                              gi_mpi_layout layout, int grid_rows, int ndim,
                              const int64_t *global_shape, int dtype,
                              gi_shard_info *info, int64_t *shape,
                              const char *fn)
{
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    if (local == GI_OK)
        local = check_layout(size, layout, grid_rows, ndim, global_shape, fn);
    layout_args a;
    memset(&a, 0, sizeof a);
    if (local == GI_OK) {
        a.layout = layout;
        a.grid_rows = layout == GI_MPI_GRID ? grid_rows : 0;
        a.ndim = ndim;
        a.dtype = dtype;
        for (int d = 0; d < ndim; ++d)
            a.shape[d] = global_shape[d];
    }
    gi_status st = gi_mpi_agree_same(comm, local, &a, sizeof a,
                                     "layout, grid_rows, ndim, global_shape "
                                     "or dtype", fn);
    if (st != GI_OK)
        return st;
    place(rank, size, &a, info, shape);
    return GI_OK;
}

gi_status gi_mpi_shard_layout(MPI_Comm comm, gi_mpi_layout layout,
                              int grid_rows, int ndim,
                              const int64_t *global_shape,
                              gi_shard_info *out, int64_t *shape)
{
    static const char *const fn = "gi_mpi_shard_layout";
    gi_status st = gi_mpi_comm_ok(comm, fn);
    if (st != GI_OK)
        return st;
    gi_status local = GI_OK;
    if (out == NULL)
        local = gi_set_error(GI_ERR_NULL_ARGUMENT, "%s: argument 'out' is "
                             "NULL", fn);
    gi_shard_info info;
    int64_t own[GI_MAX_DIMS];
    st = layout_place(comm, local, layout, grid_rows, ndim, global_shape, -1,
                      &info, own, fn);
    if (st != GI_OK)
        return st;
    *out = info;
    if (shape != NULL)
        memcpy(shape, own, sizeof *own * (layout == GI_MPI_FLAT ? 1 : ndim));
    return GI_OK;
}

/* The caller's pointers and dtype, checked before any collective step. */
static gi_status check_create(const void *out, gi_context ctx,
                              gi_dtype dtype, const char *fn)
{
    if (out == NULL || ctx == NULL)
        return gi_set_error(GI_ERR_NULL_ARGUMENT, "%s: argument '%s' is "
                            "NULL", fn, out == NULL ? "out" : "ctx");
    if ((unsigned)dtype > GI_BF16)
        return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: argument 'dtype' "
                            "= %d is not a gi_dtype", fn, (int)dtype);
    return GI_OK;
}

/* A new tensor of dtype holding the shard info describes. */
static gi_status create_shard(gi_tensor *out, gi_context ctx,
                              gi_dtype dtype, const gi_shard_info *info,
                              const int64_t *shape)
{
    const int flat = info->kind == GI_SHARD_FLAT;
    gi_tensor t = NULL;
    gi_status st = gi_tensor_create(&t, ctx, dtype,
                                    flat ? 1 : info->global_ndim, shape);
    if (st == GI_OK && info->kind == GI_SHARD_BOX)
        st = gi_tensor_set_shard(t, info->global_ndim, info->global_shape,
                                 info->start);
    if (st == GI_OK && flat)
        st = gi_tensor_set_flat_shard(t, info->global_ndim,
                                      info->global_shape, info->flat_start);
    if (st != GI_OK) {
        gi_tensor_destroy(t);
        return st;
    }
    *out = t;
    return GI_OK;
}

gi_status gi_mpi_shard_create(gi_tensor *out, gi_context ctx, MPI_Comm comm,
                              gi_mpi_layout layout, int grid_rows,
                              gi_dtype dtype, int ndim,
                              const int64_t *global_shape)
{
    static const char *const fn = "gi_mpi_shard_create";
    gi_status st = gi_mpi_comm_ok(comm, fn);
    if (st != GI_OK)
        return st;
    gi_shard_info info;
    int64_t shape[GI_MAX_DIMS];
    st = layout_place(comm, check_create(out, ctx, dtype, fn), layout,
                      grid_rows, ndim, global_shape, dtype, &info, shape, fn);
    if (st != GI_OK)
        return st;
    gi_tensor t = NULL;
    st = gi_mpi_agree(comm, create_shard(&t, ctx, dtype, &info, shape), fn);
    if (st != GI_OK) {
        gi_tensor_destroy(t);
        return st;
    }
    *out = t;
    return GI_OK;
}

/* The Linear's arguments, checked before any collective step. */
static gi_status check_linear(const void *out, gi_context ctx,
                              int64_t in_features, int64_t out_features,
                              gi_dtype dtype, gi_linear_split split,
                              const char *fn)
{
    gi_status st = check_create(out, ctx, dtype, fn);
    if (st != GI_OK)
        return st;
    if (in_features < 0 || out_features < 0)
        return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: argument '%s' = "
                            "%lld is negative", fn,
                            in_features < 0 ? "in_features" : "out_features",
                            (long long)(in_features < 0 ? in_features
                                                        : out_features));
    if (split != GI_LINEAR_COLUMN && split != GI_LINEAR_ROW)
        return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: argument 'split' "
                            "= %d is not a gi_linear_split", fn, (int)split);
    return GI_OK;
}

/* This rank's part of the agreed Linear; its context's generator is put
 * back by the caller when another rank fails. */
static gi_status create_part(gi_module *out, gi_context ctx, MPI_Comm comm,
                             const linear_args *a)
{
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    const int column = a->split == GI_LINEAR_COLUMN;
    const int64_t global = column ? a->out_features : a->in_features;
    int64_t start = 0, len = 0;
    part(global, size, rank, &start, &len);
    return gi_linear_create_parallel(out, ctx,
                                     column ? a->in_features : len,
                                     column ? len : a->out_features, a->bias,
                                     (gi_dtype)a->dtype,
                                     (gi_linear_split)a->split, global, start);
}

gi_status gi_mpi_linear_create(gi_module *out, gi_context ctx, MPI_Comm comm,
                               int64_t in_features, int64_t out_features,
                               int bias, gi_dtype dtype,
                               gi_linear_split split)
{
    static const char *const fn = "gi_mpi_linear_create";
    gi_status st = gi_mpi_comm_ok(comm, fn);
    if (st != GI_OK)
        return st;
    gi_status local = check_linear(out, ctx, in_features, out_features,
                                   dtype, split, fn);
    const linear_args a = {in_features, out_features, bias != 0, dtype,
                           split, 0}; /* no padding: every byte is set */
    st = gi_mpi_agree_same(comm, local, &a, sizeof a, "in_features, "
                           "out_features, bias, dtype or split", fn);
    if (st != GI_OK)
        return st;
    gi_mpi_state saved;
    gi_module m = NULL;
    local = gi_mpi_state_save(gi_context_generator(ctx), &saved, fn);
    /* The parts are the whole Linear only when every rank draws from the
     * same state. */
    st = gi_mpi_agree_same(comm, local, saved.bytes, saved.size,
                           "ctx (its generator's state)", fn);
    if (st != GI_OK) {
        gi_mpi_state_free(&saved);
        return st;
    }
    local = create_part(&m, ctx, comm, &a);
    st = gi_mpi_agree(comm, local, fn);
    if (st != GI_OK) {
        gi_module_destroy(m);
        gi_mpi_state_restore(&saved);
    } else {
        *out = m;
    }
    gi_mpi_state_free(&saved);
    return st;
}
