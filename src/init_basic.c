/* The basic initializers of torch.nn.init and torch.rand / torch.randn. */
#include <float.h>
#include <math.h>

#include "internal.h"

static gi_status fill_constant(gi_tensor t, float value, const char *fn)
{
    gi_map m = {GI_MAP_FILL, 0, value, 0.0f};
    return gi_run_map(t, &m, fn);
}

gi_status gi_fill_with_law(gi_tensor t, const gi_law *law, gi_generator gen,
                           const char *fn)
{
    if (t->numel == 0)
        return GI_OK;
    gen = gi_resolve_generator(t, gen);
    gi_philox_pos pos = {gen->seed, gen->stream, gen->offset};
    gi_context ctx = t->storage->ctx;
    gi_status st = ctx->ops->fill_law(ctx->state, gi_tensor_f32(t), t->numel,
                                      law, &pos, fn);
    int64_t per = gi_law_elems_per_block(law);
    if (st == GI_OK)
        gen->offset += (uint64_t)((t->numel + per - 1) / per);
    return st;
}

gi_status gi_uniform_(gi_tensor t, float a, float b, gi_generator gen)
{
    static const char *const fn = "gi_uniform_";
    gi_status st = gi_check_f32(t, fn, "t");
    if (st != GI_OK)
        return st;
    if (!isfinite(a) || !isfinite(b))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "arguments 'a' = %g and 'b' = %g must be finite",
                       (double)a, (double)b);
    if (a > b)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "expects a <= b, got a = %g > b = %g", (double)a,
                       (double)b);
    if (!isfinite(b - a))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "b - a overflows float (a = %g, b = %g)", (double)a,
                       (double)b);
    return gi_fill_uniform(t, a, b, gen, fn);
}

gi_status gi_fill_uniform(gi_tensor t, float a, float b, gi_generator gen,
                          const char *fn)
{
    if (a == b) /* u * (b - a) + a, where -0 + (+0) gives +0 as in torch */
        return fill_constant(t, a + 0.0f, fn);
    gi_law law = {.kind = GI_LAW_UNIFORM, .p = {a, b - a, gi_float_below(b)}};
    return gi_fill_with_law(t, &law, gen, fn);
}

gi_status gi_normal_(gi_tensor t, float mean, float std, gi_generator gen)
{
    static const char *const fn = "gi_normal_";
    gi_status st = gi_check_f32(t, fn, "t");
    if (st != GI_OK)
        return st;
    if (!isfinite(mean))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'mean' must be finite, got %g", (double)mean);
    if (!(std >= 0.0f) || !isfinite(std))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'std' must be finite and >= 0, got %g",
                       (double)std);
    gi_law law = {.kind = GI_LAW_NORMAL, .p = {mean, std}};
    return gi_fill_with_law(t, &law, gen, fn);
}

gi_status gi_constant_(gi_tensor t, float value)
{
    return fill_constant(t, value, "gi_constant_");
}

gi_status gi_zeros_(gi_tensor t)
{
    return fill_constant(t, 0.0f, "gi_zeros_");
}

gi_status gi_ones_(gi_tensor t)
{
    return fill_constant(t, 1.0f, "gi_ones_");
}

/* A new tensor filled by init(t, p, q, gen); freed again on failure. */
static gi_status new_random(const char *fn, gi_tensor *out, gi_context ctx,
                            int ndim, const int64_t *shape, gi_generator gen,
                            gi_status (*init)(gi_tensor, float, float,
                                              gi_generator),
                            float p, float q)
{
    GI_CHECK_NULL(out, fn);
    GI_CHECK_NULL(ctx, fn);
    gi_tensor t = NULL; /* init() writes every element */
    gi_status st = gi_tensor_new(&t, ctx, ndim, shape, fn);
    if (st == GI_OK)
        st = init(t, p, q, gen);
    if (st != GI_OK) {
        gi_tensor_destroy(t);
        return st;
    }
    *out = t;
    return GI_OK;
}

gi_status gi_rand(gi_tensor *out, gi_context ctx, int ndim,
                  const int64_t *shape, gi_generator gen)
{
    return new_random("gi_rand", out, ctx, ndim, shape, gen, gi_uniform_, 0.0f, 1.0f);
}

gi_status gi_randn(gi_tensor *out, gi_context ctx, int ndim,
                   const int64_t *shape, gi_generator gen)
{
    return new_random("gi_randn", out, ctx, ndim, shape, gen, gi_normal_, 0.0f, 1.0f);
}
