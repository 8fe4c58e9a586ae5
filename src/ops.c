/* In-place elementwise operations: each is one gi_map over the tensor. */
#include <math.h>

#include "internal.h"

gi_status gi_run_map(gi_tensor t, const gi_map *m, const char *fn)
{
    gi_status st = gi_check_f32(t, fn, "t");
    if (st != GI_OK || t->numel == 0)
        return st;
    gi_context ctx = t->storage->ctx;
    return ctx->ops->map(ctx->state, gi_tensor_f32(t), t->numel, m, fn);
}

static gi_status check_compare(gi_compare cmp, float threshold,
                               const char *fn)
{
    if ((int)cmp < GI_LT || (int)cmp > GI_ABS_GE)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'cmp' has unknown value %d", (int)cmp);
    if (isnan(threshold))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'threshold' is NaN");
    return GI_OK;
}

gi_status gi_fill_(gi_tensor t, float value)
{
    gi_map m = {GI_MAP_FILL, 0, value, 0.0f};
    return gi_run_map(t, &m, "gi_fill_");
}

gi_status gi_add_scalar_(gi_tensor t, float value)
{
    gi_map m = {GI_MAP_ADD, 0, value, 0.0f};
    return gi_run_map(t, &m, "gi_add_scalar_");
}

gi_status gi_mul_scalar_(gi_tensor t, float value)
{
    gi_map m = {GI_MAP_MUL, 0, value, 0.0f};
    return gi_run_map(t, &m, "gi_mul_scalar_");
}

gi_status gi_clamp_(gi_tensor t, float lo, float hi)
{
    static const char *const fn = "gi_clamp_";
    if (isnan(lo) || isnan(hi) || lo > hi)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "arguments 'lo' = %g and 'hi' = %g must be numbers "
                       "with lo <= hi", (double)lo, (double)hi);
    gi_map m = {GI_MAP_CLAMP, 0, lo, hi};
    return gi_run_map(t, &m, fn);
}

gi_status gi_masked_fill_(gi_tensor t, gi_compare cmp, float threshold,
                          float value)
{
    static const char *const fn = "gi_masked_fill_";
    gi_status st = check_compare(cmp, threshold, fn);
    if (st != GI_OK)
        return st;
    gi_map m = {GI_MAP_MASKED_FILL, (int)cmp, threshold, value};
    return gi_run_map(t, &m, fn);
}

gi_status gi_mul_mask_(gi_tensor t, gi_compare cmp, float threshold)
{
    static const char *const fn = "gi_mul_mask_";
    gi_status st = check_compare(cmp, threshold, fn);
    if (st != GI_OK)
        return st;
    gi_map m = {GI_MAP_MUL_MASK, (int)cmp, threshold, 0.0f};
    return gi_run_map(t, &m, fn);
}
