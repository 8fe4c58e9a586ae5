/* Initializers whose scale comes from the weight's fans (torch.nn.init). */
#include <math.h>

#include "internal.h"

/* The fans, or an error naming fn when t has fewer than 2 dimensions. */
static gi_status fans(gi_tensor t, int64_t *fan_in, int64_t *fan_out,
                      const char *fn)
{
    if (t->ndim < 2)
        return gi_fail(GI_ERR_SHAPE, fn,
                       "tensor has %d dimension%s; fan-based initializers "
                       "need at least 2", t->ndim, t->ndim == 1 ? "" : "s");
    int64_t field = 1;
    for (int d = 2; d < t->ndim; ++d)
        field *= t->shape[d];
    *fan_in = t->shape[1] * field;
    *fan_out = t->shape[0] * field;
    return GI_OK;
}

gi_status gi_calculate_fans(gi_tensor t, int64_t *fan_in, int64_t *fan_out)
{
    static const char *const fn = "gi_calculate_fans";
    gi_status st = gi_check_f32(t, fn, "t");
    int64_t in = 0, out = 0;
    if (st == GI_OK)
        st = fans(t, &in, &out, fn);
    if (st != GI_OK)
        return st;
    if (fan_in != NULL)
        *fan_in = in;
    if (fan_out != NULL)
        *fan_out = out;
    return GI_OK;
}

static gi_status check_gain(float gain, const char *fn)
{
    if (!isfinite(gain) || gain < 0.0f)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'gain' must be finite and >= 0, got %g",
                       (double)gain);
    return GI_OK;
}

gi_status gi_xavier_uniform_(gi_tensor t, float gain, gi_generator gen)
{
    static const char *const fn = "gi_xavier_uniform_";
    int64_t fan_in = 0, fan_out = 0;
    gi_status st = gi_check_f32(t, fn, "t");
    if (st == GI_OK)
        st = fans(t, &fan_in, &fan_out, fn);
    if (st == GI_OK)
        st = check_gain(gain, fn);
    if (st != GI_OK || t->numel == 0)
        return st;
    /* Computed in double, as PyTorch does, then rounded to float. */
    double std = gain * sqrt(2.0 / (double)(fan_in + fan_out));
    float bound = (float)(sqrt(3.0) * std);
    return gi_fill_uniform(t, -bound, bound, gen, fn);
}
