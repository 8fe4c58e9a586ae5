/* Linear: y = x W^T + b, with PyTorch's default initialization; and
 * LazyLinear, a Linear whose parameters wait for its first forward (which
 * takes in_features from the input) and which then is a Linear. */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "module.h"

enum { WEIGHT, BIAS };

static const char *const param_names[] = {[WEIGHT] = "weight",
                                          [BIAS] = "bias"};

static int has_param(gi_module m, int k)
{
    return k == WEIGHT || m->linear.has_bias;
}

static gi_status linear_forward(gi_module m, gi_tensor x, int owned, int relu,
                                gi_tensor *y, const gi_path *where);
static void linear_rollback(gi_module m);
static int linear_extra_repr(gi_module m, FILE *f);
static void linear_release(gi_module m);

#define LINEAR_CLASS(kind_, name_)                                         \
    {                                                                      \
        .kind = kind_, .name = name_, .nparams = 2,                        \
        .param_names = param_names, .has_param = has_param,                \
        .forward = linear_forward, .fuses_relu = 1,                        \
        .rollback = linear_rollback, .extra_repr = linear_extra_repr,      \
        .release = linear_release,                                         \
    }

const gi_module_class gi_linear_class =
    LINEAR_CLASS(GI_MODULE_LINEAR, "Linear");
const gi_module_class gi_lazy_linear_class =
    LINEAR_CLASS(GI_MODULE_LAZY_LINEAR, "LazyLinear");

static int is_linear(gi_module m)
{
    return m != NULL &&
           (m->cls == &gi_linear_class || m->cls == &gi_lazy_linear_class);
}

/* Parameters are shielded from gi_tensor_destroy; their module frees them
 * here. */
static void param_free(gi_tensor t)
{
    if (t != NULL) {
        t->param = 0;
        gi_tensor_destroy(t);
    }
}

static void linear_release(gi_module m)
{
    param_free(m->params[WEIGHT]);
    param_free(m->params[BIAS]);
}

static gi_status check_args(int64_t in_features, int64_t out_features,
                            gi_dtype dtype, const char *fn)
{
    if (in_features < 0 || out_features < 0)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "features must be >= 0, got in_features = %lld, "
                       "out_features = %lld", (long long)in_features,
                       (long long)out_features);
    if (!gi_dtype_known((int)dtype))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'dtype' = %d is not a gi_dtype", (int)dtype);
    return GI_OK;
}

/* PyTorch's Linear.reset_parameters: kaiming_uniform_(w, a=sqrt(5)) has
 * bound gain * sqrt(3 / fan_in) with gain = sqrt(2 / (1 + 5)), which is
 * 1 / sqrt(fan_in); the bias uses 1 / sqrt(fan_in) too (0 when fan_in is
 * 0). Computed in double, as PyTorch does, and taken by the uniform law
 * of the parameters' dtype as uniform_ takes it (rounded to float but for
 * float64). */
static gi_status reset_parameters(gi_tensor w, gi_tensor b, int64_t fan_in,
                                  const char *fn)
{
    double gain = sqrt(2.0 / (1.0 + 5.0));
    double w_bound = fan_in > 0 ? sqrt(3.0) * (gain / sqrt((double)fan_in))
                                : 0.0;
    double b_bound = fan_in > 0 ? 1.0 / sqrt((double)fan_in) : 0.0;
    gi_fill_job job;
    gi_status st = gi_job_uniform(&job, w, -w_bound, w_bound, fn);
    if (st == GI_OK)
        st = gi_fill_planned(w, &job, NULL, fn);
    if (st == GI_OK && b != NULL)
        st = gi_job_uniform(&job, b, -b_bound, b_bound, fn);
    if (st == GI_OK && b != NULL)
        st = gi_fill_planned(b, &job, NULL, fn);
    return st;
}

/* The part of a global Linear a module holds (gi_linear_create_parallel),
 * or none: the whole Linear. */
typedef struct linear_part {
    int split; /* gi_linear_split; -1: no part */
    int64_t global, start;
} linear_part;

static const linear_part whole_linear = {-1, 0, 0};

/* The global weight's shape of the part, out x in. */
static void global_weight(const linear_part *part, int64_t out, int64_t in,
                          int64_t g[2])
{
    const int column = part->split == GI_LINEAR_COLUMN;
    g[0] = column ? part->global : out;
    g[1] = column ? in : part->global;
}

/* Declares w (out x in) and b (out, or NULL) the part's shards of the
 * global weight and bias, as gi_linear_create_parallel checked them. */
static void set_part(gi_tensor w, gi_tensor b, const linear_part *part)
{
    const int column = part->split == GI_LINEAR_COLUMN;
    int64_t g[2];
    global_weight(part, w->shape[0], w->shape[1], g);
    gi_tensor_set_shard(w, 2, g,
                        (const int64_t[]){column ? part->start : 0,
                                          column ? 0 : part->start});
    if (column && b != NULL)
        gi_tensor_set_shard(b, 1, &part->global, &part->start);
}

/* Creates and default-initializes m's parameters from the context's
 * generator, making it a Linear: the whole one's values at the part's
 * elements, bounds from the global in_features. On failure m is as
 * before. */
static gi_status materialize(gi_module m, int64_t in_features,
                             const linear_part *part, const char *fn)
{
    const int64_t wshape[] = {m->linear.out_features, in_features};
    gi_tensor w = NULL, b = NULL;
    gi_generator gen = &m->ctx->generator;
    const struct gi_generator_st saved = *gen;
    const gi_dtype dt = m->linear.dtype;
    gi_status st = gi_tensor_new(&w, m->ctx, dt, 2, wshape, fn);
    if (st == GI_OK && m->linear.has_bias)
        st = gi_tensor_new(&b, m->ctx, dt, 1, &m->linear.out_features, fn);
    if (st == GI_OK && part->split >= 0)
        set_part(w, b, part);
    const int64_t fan_in = part->split == GI_LINEAR_ROW ? part->global
                                                        : in_features;
    if (st == GI_OK)
        st = reset_parameters(w, b, fan_in, fn);
    if (st != GI_OK) {
        *gen = saved; /* the weight may have drawn already */
        gi_tensor_destroy(w);
        gi_tensor_destroy(b);
        return st;
    }
    m->params[WEIGHT] = w;
    m->params[BIAS] = b;
    w->param = 1;
    if (b != NULL)
        b->param = 1;
    m->linear.in_features = in_features;
    m->cls = &gi_linear_class;
    return GI_OK;
}

/* Drops the parameters a failed forward created: lazy again. */
static void linear_rollback(gi_module m)
{
    linear_release(m);
    m->params[WEIGHT] = m->params[BIAS] = NULL;
    m->linear.in_features = 0;
    m->cls = &gi_lazy_linear_class;
}

/* A LazyLinear with out_features outputs, in_features still 0. */
static gi_status lazy_new(gi_module *out, gi_context ctx,
                          int64_t out_features, int bias, gi_dtype dtype,
                          const char *fn)
{
    gi_status st = gi_module_new(out, ctx, &gi_lazy_linear_class, fn);
    if (st != GI_OK)
        return st;
    (*out)->linear.out_features = out_features;
    (*out)->linear.has_bias = bias != 0;
    (*out)->linear.dtype = dtype;
    return GI_OK;
}

/* gi_linear_create of the part (whole_linear: all of it). */
static gi_status create(gi_module *out, gi_context ctx, int64_t in_features,
                        int64_t out_features, int bias, gi_dtype dtype,
                        const linear_part *part, const char *fn)
{
    GI_CHECK_NULL(out, fn);
    gi_module m = NULL;
    gi_status st = check_args(in_features, out_features, dtype, fn);
    if (st == GI_OK)
        st = lazy_new(&m, ctx, out_features, bias, dtype, fn);
    if (st != GI_OK)
        return st;
    st = materialize(m, in_features, part, fn);
    if (st != GI_OK) {
        gi_module_free(m);
        return st;
    }
    *out = m;
    return GI_OK;
}

gi_status gi_linear_create(gi_module *out, gi_context ctx, int64_t in_features,
                           int64_t out_features, int bias, gi_dtype dtype)
{
    return create(out, ctx, in_features, out_features, bias, dtype,
                  &whole_linear, "gi_linear_create");
}

gi_status gi_linear_create_parallel(gi_module *out, gi_context ctx,
                                    int64_t in_features,
                                    int64_t out_features, int bias,
                                    gi_dtype dtype, gi_linear_split split,
                                    int64_t global_features, int64_t start)
{
    static const char *const fn = "gi_linear_create_parallel";
    if (split != GI_LINEAR_COLUMN && split != GI_LINEAR_ROW)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'split' has unknown value %d", (int)split);
    gi_status st = check_args(in_features, out_features, dtype, fn);
    if (st != GI_OK)
        return st;
    const int64_t part = split == GI_LINEAR_COLUMN ? out_features
                                                   : in_features;
    if (start < 0 || global_features < 0 || start > global_features - part)
        return gi_fail(GI_ERR_OUT_OF_RANGE, fn,
                       "arguments 'start' = %lld and %s = %lld leave "
                       "'global_features' = %lld", (long long)start,
                       split == GI_LINEAR_COLUMN ? "out_features"
                                                 : "in_features",
                       (long long)part, (long long)global_features);
    const linear_part p = {(int)split, global_features, start};
    int64_t g[2], n = 0; /* the global weight must be a tensor's size */
    global_weight(&p, out_features, in_features, g);
    st = gi_shape_numel(2, g, gi_dtype_size(dtype), &n, fn);
    return st != GI_OK ? st
                       : create(out, ctx, in_features, out_features, bias,
                                dtype, &p, fn);
}

gi_status gi_lazy_linear_create(gi_module *out, gi_context ctx,
                                int64_t out_features, int bias,
                                gi_dtype dtype)
{
    static const char *const fn = "gi_lazy_linear_create";
    gi_status st = check_args(0, out_features, dtype, fn);
    return st == GI_OK ? lazy_new(out, ctx, out_features, bias, dtype, fn)
                       : st;
}

int64_t gi_linear_in_features(gi_module m)
{
    return is_linear(m) ? m->linear.in_features : -1;
}

int64_t gi_linear_out_features(gi_module m)
{
    return is_linear(m) ? m->linear.out_features : -1;
}

static int linear_extra_repr(gi_module m, FILE *f)
{
    return fprintf(f, "in_features=%lld, out_features=%lld, bias=%s",
                   (long long)m->linear.in_features,
                   (long long)m->linear.out_features,
                   m->linear.has_bias ? "True" : "False") >= 0;
}

static gi_status check_input(gi_module m, gi_tensor x, const gi_path *where)
{
    static const char *const fn = GI_FORWARD_FN;
    if (x->ndim == 0)
        return gi_fail(GI_ERR_SHAPE, fn,
                       "%s at '%s' needs an input of at least 1 dimension, got "
                       "a 0-dimensional tensor", m->cls->name, where->text);
    if (x->dtype != m->linear.dtype) /* torch: "mat1 and mat2 must have
                                      * the same dtype" */
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "%s at '%s' is %s but its input is %s: parameters and "
                       "input must have the same dtype; convert the input "
                       "with gi_tensor_to, or create the module in %s",
                       m->cls->name, where->text,
                       gi_dtype_name(m->linear.dtype),
                       gi_dtype_name(x->dtype), gi_dtype_name(x->dtype));
    int64_t in = x->shape[x->ndim - 1];
    int64_t out = m->linear.out_features;
    if (m->cls == &gi_linear_class && in != m->linear.in_features)
        return gi_fail(GI_ERR_SHAPE, fn,
                       "Linear at '%s' expects inputs whose last dimension is "
                       "%lld, got %lld", where->text,
                       (long long)m->linear.in_features, (long long)in);
    int64_t rows = 1;
    for (int d = 0; d + 1 < x->ndim; ++d)
        rows *= x->shape[d];
    if (rows > INT_MAX || in > INT_MAX || out > INT_MAX)
        return gi_fail(GI_ERR_OVERFLOW, fn,
                       "Linear at '%s': %lld x %lld -> %lld exceeds the GEMM's "
                       "32-bit sizes", where->text, (long long)rows,
                       (long long)in, (long long)out);
    return GI_OK;
}

/* A LazyLinear's first forward creates its parameters (m->fresh). */
static gi_status materialize_for(gi_module m, int64_t in,
                                 const gi_path *where)
{
    gi_status st = gi_module_walked(m)
        ? gi_fail(GI_ERR_STATE, GI_FORWARD_FN,
                  "LazyLinear at '%s' cannot create its parameters while a "
                  "walk of its tree (gi_module_apply or "
                  "gi_module_named_parameters) is in progress", where->text)
        : materialize(m, in, &whole_linear, GI_FORWARD_FN);
    m->fresh = st == GI_OK;
    return st;
}

/* A new tensor shaped like x with the last dimension replaced by last. */
static gi_status new_like(gi_tensor x, int64_t last, gi_tensor *out)
{
    int64_t shape[GI_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    shape[x->ndim - 1] = last;
    return gi_tensor_new(out, x->storage->ctx, x->dtype, x->ndim, shape,
                         GI_FORWARD_FN);
}

static gi_status linear_forward(gi_module m, gi_tensor x, int owned, int relu,
                                gi_tensor *y, const gi_path *where)
{
    gi_status st = check_input(m, x, where);
    int64_t in = x->ndim > 0 ? x->shape[x->ndim - 1] : 0;
    int64_t nout = m->linear.out_features;
    if (st == GI_OK && m->cls == &gi_lazy_linear_class)
        st = materialize_for(m, in, where);
    gi_tensor out = NULL;
    if (st == GI_OK)
        st = new_like(x, nout, &out);
    if (st == GI_OK && out->numel > 0) {
        gi_context ctx = m->ctx;
        gi_tensor b = m->params[BIAS];
        st = ctx->ops->linear(ctx->state, x->dtype, gi_tensor_data(x),
                              gi_tensor_data(m->params[WEIGHT]),
                              b != NULL ? gi_tensor_data(b) : NULL,
                              gi_tensor_data(out), out->numel / nout, in,
                              nout, relu, GI_FORWARD_FN);
    }
    if (owned)
        gi_tensor_destroy(x);
    if (st != GI_OK) {
        gi_tensor_destroy(out);
        return st;
    }
    *y = out;
    return GI_OK;
}
