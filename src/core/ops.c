/* In-place elementwise operations: each is one gi_map over the tensor. */
#include <math.h>

#include "internal.h"

gi_status gi_run_map(gi_tensor t, const gi_map *m, const char *fn)
{
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st != GI_OK)
        return st;
    /* the value a fill writes must fit, as PyTorch's checked conversion
     * of it; then the scalars as the tensor's dtype holds them, as
     * PyTorch converts a Python number for an operation on a tensor */
    if (m->kind == GI_MAP_FILL || m->kind == GI_MAP_MASKED_FILL)
        st = gi_check_scalar(t->dtype, m->kind == GI_MAP_FILL ? m->a : m->b,
                             "value", fn);
    if (st != GI_OK)
        return st;
    gi_map conv = *m;
    conv.a = gi_dtype_round(t->dtype, m->a);
    conv.b = gi_dtype_round(t->dtype, m->b);
    gi_fill_job job;
    gi_job_map(&job, t, &conv);
    return gi_run_job(t, &job, fn);
}

/* gi_compare_holds (laws.h) relies on this layout of the list. */
_Static_assert(GI_LT == 0 && GI_ABS_LT - GI_LT == GI_ABS_LT &&
                   GI_ABS_LE - GI_LE == GI_ABS_LT &&
                   GI_ABS_GT - GI_GT == GI_ABS_LT &&
                   GI_ABS_GE - GI_GE == GI_ABS_LT,
               "each GI_ABS_ comparison sits GI_ABS_LT after its plain one");

static gi_status check_compare(gi_compare cmp, double threshold,
                               const char *fn)
{
    if (!gi_compare_known((int)cmp))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'cmp' has unknown value %d", (int)cmp);
    if (isnan(threshold))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'threshold' is NaN");
    return GI_OK;
}

gi_status gi_fill_(gi_tensor t, double value)
{
    gi_map m = {GI_MAP_FILL, 0, value, 0.0};
    return gi_run_map(t, &m, "gi_fill_");
}

gi_status gi_add_scalar_(gi_tensor t, double value)
{
    gi_map m = {GI_MAP_ADD, 0, value, 0.0};
    return gi_run_map(t, &m, "gi_add_scalar_");
}

gi_status gi_mul_scalar_(gi_tensor t, double value)
{
    gi_map m = {GI_MAP_MUL, 0, value, 0.0};
    return gi_run_map(t, &m, "gi_mul_scalar_");
}

gi_status gi_clamp_(gi_tensor t, double lo, double hi)
{
    static const char *const fn = "gi_clamp_";
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st == GI_OK)
        st = gi_check_scalar(t->dtype, lo, "lo", fn);
    if (st == GI_OK)
        st = gi_check_scalar(t->dtype, hi, "hi", fn);
    if (st != GI_OK)
        return st;
    /* PyTorch: a NaN bound makes every element NaN */
    gi_map m = {GI_MAP_CLAMP, 0, lo, hi};
    if (isnan(lo) || isnan(hi))
        m = (gi_map){GI_MAP_FILL, 0, NAN, 0.0};
    return gi_run_map(t, &m, fn);
}

gi_status gi_masked_fill_(gi_tensor t, gi_compare cmp, double threshold,
                          double value)
{
    static const char *const fn = "gi_masked_fill_";
    gi_status st = check_compare(cmp, threshold, fn);
    if (st != GI_OK)
        return st;
    gi_map m = {GI_MAP_MASKED_FILL, (int)cmp, threshold, value};
    return gi_run_map(t, &m, fn);
}

gi_status gi_mul_mask_(gi_tensor t, gi_compare cmp, double threshold)
{
    static const char *const fn = "gi_mul_mask_";
    gi_status st = check_compare(cmp, threshold, fn);
    if (st != GI_OK)
        return st;
    gi_map m = {GI_MAP_MUL_MASK, (int)cmp, threshold, 0.0};
    return gi_run_map(t, &m, fn);
}

/* The dtype PyTorch computes t op other in: float64 if either is, else
 * the common dtype, else float32 (float16 with bfloat16). */
static gi_dtype promoted(gi_dtype a, gi_dtype b)
{
    if (a == GI_F64 || b == GI_F64)
        return GI_F64;
    return a == b ? a : GI_F32;
}

static gi_status check_pair(gi_tensor t, gi_tensor other, const char *fn)
{
    if (t->storage->ctx != other->storage->ctx)
        return gi_fail(GI_ERR_CONTEXT_MISMATCH, fn,
                       "'t' is on context %p (%s) and 'other' on context %p "
                       "(%s); copy 'other' over first with gi_tensor_copy_",
                       (void *)t->storage->ctx,
                       gi_device_name(t->storage->ctx->device),
                       (void *)other->storage->ctx,
                       gi_device_name(other->storage->ctx->device));
    if (!gi_same_shape(t, other))
        return gi_fail(GI_ERR_SHAPE, fn,
                       "'t' and 'other' differ in shape (%d dimension%s and "
                       "%lld element%s vs %d dimension%s and %lld element%s)",
                       t->ndim, gi_plural(t->ndim), (long long)t->numel,
                       gi_plural(t->numel), other->ndim,
                       gi_plural(other->ndim), (long long)other->numel,
                       gi_plural(other->numel));
    if (gi_tensors_overlap(t, other))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "'t' and 'other' partially overlap in memory");
    return GI_OK;
}

/* t = f(t, other) elementwise, other on the same context and shape, in
 * the promoted dtype, as PyTorch's in-place operations compute: alpha
 * is converted to that dtype (refused if it overflows it), and the
 * result to t's. */
static gi_status run_map2(gi_tensor t, gi_tensor other, const gi_map *m,
                          const char *fn)
{
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st == GI_OK)
        st = gi_check_tensor(other, fn, "other");
    if (st == GI_OK)
        st = check_pair(t, other, fn);
    const gi_dtype work = st == GI_OK ? promoted(t->dtype, other->dtype)
                                      : GI_F32;
    if (st == GI_OK && m->kind == GI_MAP_ADD_SCALED)
        st = gi_check_scalar(work, m->a, "alpha", fn);
    if (st != GI_OK)
        return st;
    gi_map conv = *m;
    conv.a = gi_dtype_round(work, m->a);
    if (m->kind == GI_MAP_ADD_SCALED && work == GI_F16)
        conv.kind = GI_MAP_ADD_SCALED_F16;
    gi_fill_job job;
    gi_job_map2(&job, t, other, &conv);
    return gi_run_job(t, &job, fn);
}

gi_status gi_add_(gi_tensor t, gi_tensor other, double alpha)
{
    gi_map m = {GI_MAP_ADD_SCALED, 0, alpha, 0.0};
    return run_map2(t, other, &m, "gi_add_");
}

gi_status gi_mul_(gi_tensor t, gi_tensor other)
{
    gi_map m = {GI_MAP_MUL_BY, 0, 0.0, 0.0};
    return run_map2(t, other, &m, "gi_mul_");
}
