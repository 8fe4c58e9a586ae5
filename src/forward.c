/* The forward pass: net(X). A failed forward changes nothing: LazyLinear
 * layers it materialized become lazy again and the generator is rewound. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "module.h"

static const char *const FN = "gi_module_forward";

/* Where in the tree a module sits, for messages: "0", "1.0", "<root>". */
typedef struct path {
    char text[256];
} path;

static path child_path(const path *parent, int64_t i)
{
    path p;
    int root = strcmp(parent->text, "<root>") == 0;
    int n = snprintf(p.text, sizeof p.text, "%s%s%lld", root ? "" : parent->text,
                     root ? "" : ".", (long long)i);
    if (n < 0 || (size_t)n >= sizeof p.text) /* absurdly deep: mark the cut */
        memcpy(p.text + sizeof p.text - 4, "...", 4);
    return p;
}

static gi_status run(gi_module m, gi_tensor x, int owned, gi_tensor *y,
                     const path *where);

/* A new tensor shaped like x with the last dimension replaced by last. */
static gi_status new_like(gi_tensor x, int64_t last, gi_tensor *out)
{
    int64_t shape[GI_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    shape[x->ndim - 1] = last;
    return gi_tensor_new(out, x->storage->ctx, x->ndim, shape, FN);
}

static gi_status check_linear_input(gi_module m, gi_tensor x,
                                    const path *where)
{
    if (x->ndim == 0)
        return gi_fail(GI_ERR_SHAPE, FN,
                       "%s at '%s' needs an input of at least 1 dimension, got "
                       "a 0-dimensional tensor", gi_module_kind_name(m->kind),
                       where->text);
    int64_t in = x->shape[x->ndim - 1];
    if (m->kind == GI_MODULE_LINEAR && in != m->in_features)
        return gi_fail(GI_ERR_SHAPE, FN,
                       "Linear at '%s' expects inputs whose last dimension is "
                       "%lld, got %lld", where->text,
                       (long long)m->in_features, (long long)in);
    int64_t rows = 1;
    for (int d = 0; d + 1 < x->ndim; ++d)
        rows *= x->shape[d];
    if (rows > INT_MAX || in > INT_MAX || m->out_features > INT_MAX)
        return gi_fail(GI_ERR_OVERFLOW, FN,
                       "Linear at '%s': %lld x %lld -> %lld exceeds the GEMM's "
                       "32-bit sizes", where->text, (long long)rows,
                       (long long)in, (long long)m->out_features);
    return GI_OK;
}

static gi_status run_linear(gi_module m, gi_tensor x, int owned, int relu,
                            gi_tensor *y, const path *where)
{
    gi_status st = check_linear_input(m, x, where);
    int64_t in = x->ndim > 0 ? x->shape[x->ndim - 1] : 0;
    if (st == GI_OK && m->kind == GI_MODULE_LAZY_LINEAR) {
        st = gi_module_walked(m)
                 ? gi_fail(GI_ERR_STATE, FN,
                           "LazyLinear at '%s' cannot create its parameters "
                           "while a walk of its tree (gi_module_apply or "
                           "gi_module_named_parameters) is in progress",
                           where->text)
                 : gi_linear_materialize(m, in, FN);
        m->fresh = st == GI_OK;
    }
    gi_tensor out = NULL;
    if (st == GI_OK)
        st = new_like(x, m->out_features, &out);
    if (st == GI_OK && out->numel > 0) {
        gi_context ctx = m->ctx;
        st = ctx->ops->linear(ctx->state, gi_tensor_f32(x),
                              gi_tensor_f32(m->weight),
                              m->bias ? gi_tensor_f32(m->bias) : NULL,
                              gi_tensor_f32(out),
                              out->numel / m->out_features, in,
                              m->out_features, relu, FN);
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

static gi_status run_relu(gi_tensor x, int owned, gi_tensor *y)
{
    gi_context ctx = x->storage->ctx;
    if (owned) { /* an intermediate of ours: rectify it in place */
        gi_map m = {GI_MAP_RELU, 0, 0.0f, 0.0f};
        gi_status st = gi_run_map(x, &m, FN);
        if (st != GI_OK) {
            gi_tensor_destroy(x);
            return st;
        }
        *y = x;
        return GI_OK;
    }
    gi_tensor out = NULL;
    gi_status st = gi_tensor_new(&out, ctx, x->ndim, x->shape, FN);
    if (st == GI_OK && out->numel > 0) {
        gi_map m = {GI_MAP_RELU_OF, 0, 0.0f, 0.0f};
        st = ctx->ops->map2(ctx->state, gi_tensor_f32(out), gi_tensor_f32(x),
                            out->numel, &m, FN);
    }
    if (st != GI_OK) {
        gi_tensor_destroy(out);
        return st;
    }
    *y = out;
    return GI_OK;
}

static int is_linear_kind(gi_module m)
{
    return m->kind == GI_MODULE_LINEAR || m->kind == GI_MODULE_LAZY_LINEAR;
}

/* Chains the children. A Linear followed by a ReLU runs as one fused step. */
static gi_status run_sequential(gi_module m, gi_tensor x, int owned,
                                gi_tensor *y, const path *where)
{
    if (m->nchildren == 0) {
        if (owned) {
            *y = x;
            return GI_OK;
        }
        return gi_tensor_clone(y, x);
    }
    gi_tensor cur = x;
    int cur_owned = owned;
    for (int64_t i = 0; i < m->nchildren; ++i) {
        gi_module c = m->children[i];
        path p = child_path(where, i);
        int fuse = is_linear_kind(c) && i + 1 < m->nchildren &&
                   m->children[i + 1]->kind == GI_MODULE_RELU;
        gi_tensor next = NULL;
        gi_status st = fuse ? run_linear(c, cur, cur_owned, 1, &next, &p)
                            : run(c, cur, cur_owned, &next, &p);
        if (st != GI_OK)
            return st;
        cur = next;
        cur_owned = 1;
        i += fuse;
    }
    *y = cur;
    return GI_OK;
}

/* Runs m on x. owned: x is an intermediate of this forward, and the run
 * takes it over: returns it as *y or frees it, on success and failure
 * alike. A caller's own input (owned = 0) is never modified or freed. */
static gi_status run(gi_module m, gi_tensor x, int owned, gi_tensor *y,
                     const path *where)
{
    switch (m->kind) {
    case GI_MODULE_SEQUENTIAL: return run_sequential(m, x, owned, y, where);
    case GI_MODULE_RELU: return run_relu(x, owned, y);
    default: return run_linear(m, x, owned, 0, y, where);
    }
}

/* After the forward: keep (ok) or undo the materializations it made. */
static void settle(gi_module m, int ok)
{
    for (int64_t i = 0; i < m->nchildren; ++i)
        settle(m->children[i], ok);
    if (m->fresh && !ok)
        gi_linear_unmaterialize(m);
    m->fresh = 0;
}

gi_status gi_module_forward(gi_module m, gi_tensor x, gi_tensor *out)
{
    GI_CHECK_NULL(m, FN);
    GI_CHECK_NULL(out, FN);
    gi_status st = gi_check_f32(x, FN, "x");
    if (st != GI_OK)
        return st;
    if (x->storage->ctx != m->ctx)
        return gi_fail(GI_ERR_CONTEXT_MISMATCH, FN,
                       "input 'x' is on another context (%s) than the module "
                       "(%s); copy it over with gi_tensor_copy_",
                       gi_device_name(x->storage->ctx->device),
                       gi_device_name(m->ctx->device));
    uint64_t offset = m->ctx->generator.offset;
    const path root = {"<root>"};
    gi_tensor y = NULL;
    st = run(m, x, 0, &y, &root);
    settle(m, st == GI_OK);
    if (st != GI_OK) {
        m->ctx->generator.offset = offset;
        return st;
    }
    *out = y;
    return GI_OK;
}
