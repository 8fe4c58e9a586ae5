/* Shards of a global tensor (docs/shards.md): the declarations and the
 * runs, contiguous both in the shard and in the global tensor, that the
 * fills are cut into (init_plan.c). */
#include <string.h>

#include "internal.h"

/* The global shape's checks, as a tensor's creation makes them, with
 * the count of its elements into *numel. */
static gi_status check_global(gi_tensor t, int global_ndim,
                              const int64_t *global_shape, int64_t *numel,
                              const char *fn)
{
    if (global_ndim < 0 || global_ndim > GI_MAX_DIMS)
        return gi_fail(GI_ERR_SHAPE, fn,
                       "argument 'global_ndim' must be in [0, %d], got %d",
                       GI_MAX_DIMS, global_ndim);
    if (global_ndim > 0 && global_shape == NULL)
        return gi_fail(GI_ERR_NULL_ARGUMENT, fn,
                       "argument 'global_shape' is NULL with global_ndim %d",
                       global_ndim);
    return gi_shape_numel(global_ndim, global_shape, gi_dtype_size(t->dtype),
                          numel, fn);
}

/* info's kind, global shape and starts, the rest cleared. */
static gi_shard_info shard_of(gi_shard_kind kind, int global_ndim,
                              const int64_t *global_shape)
{
    gi_shard_info info;
    memset(&info, 0, sizeof info);
    info.kind = kind;
    info.global_ndim = global_ndim;
    for (int d = 0; d < global_ndim; ++d)
        info.global_shape[d] = global_shape[d];
    return info;
}

gi_status gi_tensor_set_shard(gi_tensor t, int global_ndim,
                                     const int64_t *global_shape,
                                     const int64_t *start)
{
    static const char *const fn = "gi_tensor_set_shard";
    GI_CHECK_NULL(t, fn);
    int64_t numel = 0;
    gi_status st = check_global(t, global_ndim, global_shape, &numel, fn);
    if (st != GI_OK)
        return st;
    if (global_ndim != t->ndim)
        return gi_fail(GI_ERR_SHAPE, fn, "argument 'global_ndim' is %d but "
                       "the tensor has %d dimension%s", global_ndim, t->ndim,
                       gi_plural(t->ndim));
    if (global_ndim > 0 && start == NULL)
        return gi_fail(GI_ERR_NULL_ARGUMENT, fn, "argument 'start' is NULL");
    gi_shard_info info = shard_of(GI_SHARD_BOX, global_ndim, global_shape);
    int64_t stride = 1;
    for (int d = global_ndim - 1; d >= 0; --d) {
        /* start[d] <= global - shape: no sum that could overflow */
        if (start[d] < 0 || start[d] > global_shape[d] - t->shape[d])
            return gi_fail(GI_ERR_OUT_OF_RANGE, fn,
                           "start[%d] = %lld with the tensor's size %lld "
                           "leaves global_shape[%d] = %lld", d,
                           (long long)start[d], (long long)t->shape[d], d,
                           (long long)global_shape[d]);
        info.start[d] = start[d];
        info.flat_start += start[d] * stride;
        stride *= global_shape[d];
    }
    if (t->numel == 0)
        info.flat_start = 0; /* no element has an index */
    t->shard = info;
    return GI_OK;
}

gi_status gi_tensor_set_flat_shard(gi_tensor t, int global_ndim,
                                          const int64_t *global_shape,
                                          int64_t flat_start)
{
    static const char *const fn = "gi_tensor_set_flat_shard";
    GI_CHECK_NULL(t, fn);
    int64_t numel = 0;
    gi_status st = check_global(t, global_ndim, global_shape, &numel, fn);
    if (st != GI_OK)
        return st;
    if (flat_start < 0 || flat_start > numel - t->numel)
        return gi_fail(GI_ERR_OUT_OF_RANGE, fn,
                       "argument 'flat_start' = %lld with the tensor's %lld "
                       "element%s leaves the global tensor's %lld",
                       (long long)flat_start, (long long)t->numel,
                       gi_plural(t->numel), (long long)numel);
    gi_shard_info info = shard_of(GI_SHARD_FLAT, global_ndim, global_shape);
    info.flat_start = flat_start;
    t->shard = info;
    return GI_OK;
}

gi_status gi_tensor_shard_info(gi_tensor t, gi_shard_info *out)
{
    static const char *const fn = "gi_tensor_shard_info";
    GI_CHECK_NULL(t, fn);
    GI_CHECK_NULL(out, fn);
    *out = t->shard.kind != GI_SHARD_NONE
               ? t->shard
               : shard_of(GI_SHARD_NONE, t->ndim, t->shape);
    return GI_OK;
}

gi_status gi_tensor_clear_shard(gi_tensor t)
{
    GI_CHECK_NULL(t, "gi_tensor_clear_shard");
    memset(&t->shard, 0, sizeof t->shard);
    return GI_OK;
}

int64_t gi_global_numel(gi_tensor t)
{
    if (t->shard.kind == GI_SHARD_NONE)
        return t->numel;
    int64_t n = 1; /* checked when the shard was set */
    for (int d = 0; d < t->shard.global_ndim; ++d)
        n *= t->shard.global_shape[d];
    return n;
}

int gi_partial_shard(gi_tensor t)
{
    return t->shard.kind != GI_SHARD_NONE && t->numel < gi_global_numel(t);
}

gi_status gi_refuse_partial_shard(gi_tensor t, const char *what,
                                  const char *fn)
{
    if (!gi_partial_shard(t))
        return GI_OK;
    return gi_fail(GI_ERR_UNSUPPORTED, fn,
                   "%s of a shard (%lld of the global tensor's %lld "
                   "elements, gi_tensor_set_shard) is not supported: it "
                   "needs the whole tensor", what, (long long)t->numel,
                   (long long)gi_global_numel(t));
}

void gi_global_shape(gi_tensor t, int *ndim, const int64_t **shape)
{
    const int sharded = t->shard.kind != GI_SHARD_NONE;
    *ndim = sharded ? t->shard.global_ndim : t->ndim;
    *shape = sharded ? t->shard.global_shape : t->shape;
}

/* The first dimension of a box's runs: each run spans it and every
 * dimension after it, which the box spans whole. */
static int run_dim(gi_tensor t)
{
    int k = t->ndim - 1;
    while (k > 0 && t->shape[k] == t->shard.global_shape[k])
        --k;
    return k;
}

int64_t gi_shard_runs(gi_tensor t)
{
    if (!gi_partial_shard(t) || t->shard.kind == GI_SHARD_FLAT)
        return t->numel > 0;
    int64_t runs = 1;
    for (int d = 0; d < run_dim(t); ++d)
        runs *= t->shape[d];
    return t->numel > 0 ? runs : 0;
}

gi_shard_run gi_shard_run_at(gi_tensor t, int64_t r)
{
    if (!gi_partial_shard(t))
        return (gi_shard_run){0, 0, t->numel};
    if (t->shard.kind == GI_SHARD_FLAT)
        return (gi_shard_run){0, t->shard.flat_start, t->numel};
    const int k = run_dim(t);
    const int64_t *g = t->shard.global_shape;
    int64_t len = 1, stride = 1, global = 0;
    for (int d = t->ndim - 1; d >= k; --d) {
        len *= t->shape[d];
        global += t->shard.start[d] * stride;
        stride *= g[d];
    }
    /* r's index in the leading dimensions, from the last one up */
    for (int64_t rest = r, d = k - 1; d >= 0; --d) {
        global += (t->shard.start[d] + rest % t->shape[d]) * stride;
        rest /= t->shape[d];
        stride *= g[d];
    }
    return (gi_shard_run){r * len, global, len};
}
