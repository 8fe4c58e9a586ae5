/* Initializers whose scale comes from the weight's fans: calculate_gain,
 * Xavier, Kaiming, and JAX's variance scaling with LeCun's special cases.
 * Scales are computed in double, as PyTorch does, then rounded to float. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../core/internal.h"

static const char *const NONLIN_NAMES[] = {
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
    "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu",
    "leaky_relu", "selu"};
#define NONLIN_COUNT ((int)(sizeof NONLIN_NAMES / sizeof *NONLIN_NAMES))

const char *gi_nonlinearity_name(gi_nonlinearity nl)
{
    return (int)nl >= 0 && (int)nl < NONLIN_COUNT ? NONLIN_NAMES[nl]
                                                   : "unknown";
}

gi_status gi_nonlinearity_from_name(const char *name, gi_nonlinearity *out)
{
    static const char *const fn = "gi_nonlinearity_from_name";
    GI_CHECK_NULL(name, fn);
    GI_CHECK_NULL(out, fn);
    for (int i = 0; i < NONLIN_COUNT; ++i)
        if (strcmp(name, NONLIN_NAMES[i]) == 0) {
            *out = (gi_nonlinearity)i;
            return GI_OK;
        }
    return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                   "unsupported nonlinearity '%s'", name);
}

/* The gain in double; fn names the public function for errors. */
static gi_status gain_of(gi_nonlinearity nl, const double *param, double *out,
                         const char *fn)
{
    switch (nl) {
    case GI_NONLIN_LINEAR: case GI_NONLIN_CONV1D: case GI_NONLIN_CONV2D:
    case GI_NONLIN_CONV3D: case GI_NONLIN_CONV_TRANSPOSE1D:
    case GI_NONLIN_CONV_TRANSPOSE2D: case GI_NONLIN_CONV_TRANSPOSE3D:
    case GI_NONLIN_SIGMOID:
        *out = 1.0;
        return GI_OK;
    case GI_NONLIN_TANH:
        *out = 5.0 / 3.0;
        return GI_OK;
    case GI_NONLIN_RELU:
        *out = sqrt(2.0);
        return GI_OK;
    case GI_NONLIN_SELU:
        *out = 3.0 / 4.0;
        return GI_OK;
    case GI_NONLIN_LEAKY_RELU: {
        double slope = param != NULL ? *param : 0.01;
        if (!isfinite(slope))
            return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                           "negative_slope %g is not a valid number", slope);
        *out = sqrt(2.0 / (1.0 + slope * slope));
        return GI_OK;
    }
    }
    return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                   "unsupported nonlinearity %d", (int)nl);
}

gi_status gi_calculate_gain(gi_nonlinearity nl, const double *param,
                            double *out)
{
    static const char *const fn = "gi_calculate_gain";
    GI_CHECK_NULL(out, fn);
    double g = 1.0;
    gi_status st = gain_of(nl, param, &g, fn);
    if (st == GI_OK)
        *out = g;
    return st;
}

/* The fans of t's global shape (its own unless it is a shard), or an
 * error naming fn when that has fewer than 2 dimensions. */
static gi_status fans(gi_tensor t, int64_t *fan_in, int64_t *fan_out,
                      const char *fn)
{
    int ndim;
    const int64_t *shape;
    gi_global_shape(t, &ndim, &shape);
    if (ndim < 2)
        return gi_fail(GI_ERR_SHAPE, fn,
                       "tensor has %d dimension%s; fan-based initializers "
                       "need at least 2", ndim, gi_plural(ndim));
    /* With a zero dimension the fans can exceed numel: check each product. */
    int64_t field = 1;
    for (int d = 2; d < ndim; ++d) {
        if (shape[d] != 0 && field > INT64_MAX / shape[d])
            return gi_fail(GI_ERR_OVERFLOW, fn, "the receptive field of the "
                           "tensor's shape overflows 64 bits");
        field *= shape[d];
    }
    for (int d = 0; d < 2; ++d)
        if (field != 0 && shape[d] > INT64_MAX / field)
            return gi_fail(GI_ERR_OVERFLOW, fn, "fan %s overflows 64 bits",
                           d ? "in" : "out");
    *fan_in = shape[1] * field;
    *fan_out = shape[0] * field;
    return GI_OK;
}

gi_status gi_calculate_fans(gi_tensor t, int64_t *fan_in, int64_t *fan_out)
{
    static const char *const fn = "gi_calculate_fans";
    gi_status st = gi_check_tensor(t, fn, "t");
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

/* The fan that mode selects, in double; fan_avg only when allowed. */
static gi_status fan_for(gi_tensor t, gi_fan_mode mode, int allow_avg,
                         double *fan, const char *fn)
{
    int64_t in = 0, out = 0;
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st == GI_OK)
        st = fans(t, &in, &out, fn);
    if (st != GI_OK)
        return st;
    switch (mode) {
    case GI_FAN_IN: *fan = (double)in; return GI_OK;
    case GI_FAN_OUT: *fan = (double)out; return GI_OK;
    case GI_FAN_AVG:
        if (allow_avg) {
            *fan = ((double)in + (double)out) / 2.0;
            return GI_OK;
        }
        break;
    }
    return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                   "mode %d is not supported; use %s", (int)mode,
                   allow_avg ? "GI_FAN_IN, GI_FAN_OUT or GI_FAN_AVG"
                             : "GI_FAN_IN or GI_FAN_OUT");
}

static gi_status check_gain(double gain, const char *fn)
{
    if (!isfinite(gain) || gain < 0.0)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'gain' must be finite and >= 0, got %g",
                       gain);
    return GI_OK;
}

/* U[-bound, bound) or N(0, std^2) once the scale is known. A scale that
 * argument `arg` (of value `value`) drove out of float's range is refused
 * rather than filling infinities, by the exact tests of uniform_ (the span
 * 2 * bound finite) and normal_ (gi_reach_finite). */
static gi_status plan_uniform_bound(gi_tensor t, double bound,
                                    const char *arg, double value,
                                    gi_fill_job *job, const char *fn)
{
    /* the bound in the law's computing type: double for float64, else
     * float (whose rounding the float32 goldens pin) */
    double b = t->dtype == GI_F64 ? bound : (double)(float)bound;
    if (!gi_dtype_finite(t->dtype, t->dtype == GI_F64 ? b + b
                                                      : (double)(float)(b + b)))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument '%s' = %g gives the bound %g, whose span "
                       "2 * bound is beyond %s's range", arg, value, bound,
                       gi_range_name(t->dtype));
    return gi_job_uniform(job, t, -b, b, fn);
}

/* The law of standard deviation std: U[-sqrt(3) std, sqrt(3) std) or
 * N(0, std^2); zero elements draw nothing (an empty shard of a larger
 * tensor draws as its whole tensor). */
static gi_status plan_std(gi_tensor t, double std, int normal,
                          const char *arg, double value, gi_fill_job *job,
                          const char *fn)
{
    if (gi_global_numel(t) == 0) {
        gi_job_nothing(job);
        return GI_OK;
    }
    return normal ? gi_job_normal(job, t, 0.0, std, arg, value, fn)
                  : plan_uniform_bound(t, sqrt(3.0) * std, arg, value, job,
                                       fn);
}

/* Xavier's std, gain * sqrt(2 / (fan_in + fan_out)), after the checks. */
static gi_status xavier_std(gi_tensor t, double gain, double *std,
                            const char *fn)
{
    int64_t in = 0, out = 0;
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st == GI_OK)
        st = fans(t, &in, &out, fn);
    if (st == GI_OK)
        st = check_gain(gain, fn);
    if (st == GI_OK && gi_global_numel(t) > 0)
        *std = gain * sqrt(2.0 / (double)(in + out));
    return st;
}

gi_status gi_plan_xavier(gi_tensor t, double gain, int normal,
                         gi_fill_job *job, const char *fn)
{
    double std = 0.0;
    gi_status st = xavier_std(t, gain, &std, fn);
    return st != GI_OK ? st : plan_std(t, std, normal, "gain", gain, job, fn);
}

gi_status gi_xavier_uniform_(gi_tensor t, double gain, gi_generator gen)
{
    static const char *const fn = "gi_xavier_uniform_";
    gi_fill_job job;
    gi_status st = gi_plan_xavier(t, gain, 0, &job, fn);
    return st != GI_OK ? st : gi_fill_planned(t, &job, gen, fn);
}

gi_status gi_xavier_normal_(gi_tensor t, double gain, gi_generator gen)
{
    static const char *const fn = "gi_xavier_normal_";
    gi_fill_job job;
    gi_status st = gi_plan_xavier(t, gain, 1, &job, fn);
    return st != GI_OK ? st : gi_fill_planned(t, &job, gen, fn);
}

/* Kaiming's std, gain / sqrt(fan); 0 elements (in the global tensor):
 * *std stays 0, no fill. */
static gi_status kaiming_std(gi_tensor t, double a, gi_fan_mode mode,
                             gi_nonlinearity nl, double *std, const char *fn)
{
    double fan = 0.0, gain = 1.0;
    gi_status st = fan_for(t, mode, 0, &fan, fn);
    if (st == GI_OK)
        st = gain_of(nl, &a, &gain, fn);
    if (st == GI_OK && gi_global_numel(t) > 0)
        *std = gain / sqrt(fan);
    return st;
}

gi_status gi_plan_kaiming(gi_tensor t, double a, gi_fan_mode mode,
                          gi_nonlinearity nl, int normal, gi_fill_job *job,
                          const char *fn)
{
    double std = 0.0;
    gi_status st = kaiming_std(t, a, mode, nl, &std, fn);
    return st != GI_OK ? st : plan_std(t, std, normal, "a", a, job, fn);
}

gi_status gi_kaiming_uniform_(gi_tensor t, double a, gi_fan_mode mode,
                              gi_nonlinearity nl, gi_generator gen)
{
    static const char *const fn = "gi_kaiming_uniform_";
    gi_fill_job job;
    gi_status st = gi_plan_kaiming(t, a, mode, nl, 0, &job, fn);
    return st != GI_OK ? st : gi_fill_planned(t, &job, gen, fn);
}

gi_status gi_kaiming_normal_(gi_tensor t, double a, gi_fan_mode mode,
                             gi_nonlinearity nl, gi_generator gen)
{
    static const char *const fn = "gi_kaiming_normal_";
    gi_fill_job job;
    gi_status st = gi_plan_kaiming(t, a, mode, nl, 1, &job, fn);
    return st != GI_OK ? st : gi_fill_planned(t, &job, gen, fn);
}

/* JAX's correction: the std of a standard normal truncated to [-2, 2]. */
#define GI_TRUNC2_STD 0.87962566103423978

static gi_status plan_variance_scaling(gi_tensor t, double scale,
                                       gi_fan_mode mode,
                                       gi_distribution distribution,
                                       gi_fill_job *job, const char *fn)
{
    double fan = 0.0;
    gi_status st = fan_for(t, mode, 1, &fan, fn);
    if (st == GI_OK && (!isfinite(scale) || !(scale > 0.0)))
        st = gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                     "argument 'scale' must be finite and > 0, got %g",
                     scale);
    if (st == GI_OK && (int)distribution != GI_DIST_TRUNCATED_NORMAL &&
        distribution != GI_DIST_NORMAL && distribution != GI_DIST_UNIFORM)
        st = gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                     "argument 'distribution' has unknown value %d",
                     (int)distribution);
    if (st != GI_OK)
        return st;
    if (gi_global_numel(t) == 0) {
        gi_job_nothing(job);
        return GI_OK;
    }
    double variance = scale / fan;
    switch (distribution) {
    case GI_DIST_TRUNCATED_NORMAL: {
        double std = sqrt(variance) / GI_TRUNC2_STD;
        return gi_job_trunc_normal(job, t, 0.0, std, -2.0 * std, 2.0 * std,
                                   fn);
    }
    case GI_DIST_NORMAL:
        return gi_job_normal(job, t, 0.0, sqrt(variance), "scale", scale,
                             fn);
    default:
        return plan_uniform_bound(t, sqrt(3.0 * variance), "scale", scale,
                                  job, fn);
    }
}

gi_status gi_plan_variance_scaling(gi_tensor t, double scale,
                                   gi_fan_mode mode,
                                   gi_distribution distribution,
                                   gi_fill_job *job, const char *fn)
{
    gi_status st = plan_variance_scaling(t, scale, mode, distribution, job,
                                         fn);
    if (st == GI_OK) /* PyTorch has no such initializer to replay */
        job->torch.op = GI_TORCH_NONE;
    return st;
}

static gi_status variance_scaling(gi_tensor t, double scale, gi_fan_mode mode,
                                  gi_distribution distribution,
                                  gi_generator gen, const char *fn)
{
    gi_fill_job job;
    gi_status st = gi_plan_variance_scaling(t, scale, mode, distribution, &job,
                                            fn);
    return st != GI_OK ? st : gi_fill_planned(t, &job, gen, fn);
}

gi_status gi_variance_scaling_(gi_tensor t, double scale, gi_fan_mode mode,
                               gi_distribution distribution, gi_generator gen)
{
    return variance_scaling(t, scale, mode, distribution, gen,
                            "gi_variance_scaling_");
}

gi_status gi_lecun_normal_(gi_tensor t, gi_generator gen)
{
    return variance_scaling(t, 1.0, GI_FAN_IN, GI_DIST_TRUNCATED_NORMAL, gen,
                            "gi_lecun_normal_");
}

gi_status gi_lecun_uniform_(gi_tensor t, gi_generator gen)
{
    return variance_scaling(t, 1.0, GI_FAN_IN, GI_DIST_UNIFORM, gen,
                            "gi_lecun_uniform_");
}
