/* Module trees: construction, ownership, queries, apply, named parameters,
 * printing. The forward pass is in forward.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "module.h"

const char *gi_module_kind_name(gi_module_kind kind)
{
    switch (kind) {
    case GI_MODULE_SEQUENTIAL: return "Sequential";
    case GI_MODULE_LINEAR: return "Linear";
    case GI_MODULE_LAZY_LINEAR: return "LazyLinear";
    case GI_MODULE_RELU: return "ReLU";
    }
    return "unknown";
}

static gi_status module_new(gi_module *out, gi_context ctx,
                            gi_module_kind kind, const char *fn)
{
    GI_CHECK_NULL(out, fn);
    GI_CHECK_NULL(ctx, fn);
    gi_module m = gi_calloc(1, sizeof *m);
    if (m == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot allocate the module");
    m->kind = kind;
    m->ctx = ctx;
    gi_context_retain(ctx);
    *out = m;
    return GI_OK;
}

static gi_module root_of(gi_module m)
{
    while (m->parent != NULL)
        m = m->parent;
    return m;
}

int gi_module_walked(gi_module m)
{
    return root_of(m)->walks > 0;
}

/* Structural changes wait for the end of every walk of the tree: a walk
 * holds pointers into it (children arrays, modules, parameters). */
static gi_status check_not_walked(gi_module m, const char *arg,
                                  const char *fn)
{
    if (gi_module_walked(m))
        return gi_fail(GI_ERR_STATE, fn,
                       "the tree of '%s' is being walked (gi_module_apply or "
                       "gi_module_named_parameters): its structure cannot "
                       "change until the walk ends", arg);
    return GI_OK;
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

static void module_free(gi_module m)
{
    for (int64_t i = 0; i < m->nchildren; ++i)
        module_free(m->children[i]);
    free(m->children);
    param_free(m->weight);
    param_free(m->bias);
    gi_context_release(m->ctx);
    free(m);
}

void gi_module_destroy(gi_module m)
{
    if (m != NULL && m->parent == NULL &&
        check_not_walked(m, "m", "gi_module_destroy") == GI_OK)
        module_free(m);
}

static gi_status check_features(int64_t in_features, int64_t out_features,
                                const char *fn)
{
    if (in_features < 0 || out_features < 0)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "features must be >= 0, got in_features = %lld, "
                       "out_features = %lld", (long long)in_features,
                       (long long)out_features);
    return GI_OK;
}

/* A parameter tensor on m's context; reset_parameters writes all of it. */
static gi_status new_param(gi_module m, int ndim, const int64_t *shape,
                           gi_tensor *out, const char *fn)
{
    return gi_tensor_new(out, m->ctx, ndim, shape, fn);
}

/* PyTorch's Linear.reset_parameters: kaiming_uniform_(w, a=sqrt(5)) has
 * bound gain * sqrt(3 / fan_in) with gain = sqrt(2 / (1 + 5)), which is
 * 1 / sqrt(fan_in); the bias uses 1 / sqrt(fan_in) too (0 when fan_in is
 * 0). Computed in double, as PyTorch does, then rounded to float. */
static gi_status reset_parameters(gi_tensor w, gi_tensor b, int64_t fan_in,
                                  const char *fn)
{
    double gain = sqrt(2.0 / (1.0 + 5.0));
    double w_bound = fan_in > 0 ? sqrt(3.0) * (gain / sqrt((double)fan_in))
                                : 0.0;
    double b_bound = fan_in > 0 ? 1.0 / sqrt((double)fan_in) : 0.0;
    gi_fill_job job;
    gi_job_uniform(&job, w, (float)-w_bound, (float)w_bound);
    gi_status st = gi_fill_planned(w, &job, NULL, fn);
    if (st == GI_OK && b != NULL) {
        gi_job_uniform(&job, b, (float)-b_bound, (float)b_bound);
        st = gi_fill_planned(b, &job, NULL, fn);
    }
    return st;
}

gi_status gi_linear_materialize(gi_module m, int64_t in_features,
                                const char *fn)
{
    const int64_t wshape[] = {m->out_features, in_features};
    gi_tensor w = NULL, b = NULL;
    gi_generator gen = &m->ctx->generator;
    uint64_t offset = gen->offset;
    gi_status st = new_param(m, 2, wshape, &w, fn);
    if (st == GI_OK && m->has_bias)
        st = new_param(m, 1, &m->out_features, &b, fn);
    if (st == GI_OK)
        st = reset_parameters(w, b, in_features, fn);
    if (st != GI_OK) {
        gen->offset = offset; /* the weight may have drawn already */
        gi_tensor_destroy(w);
        gi_tensor_destroy(b);
        return st;
    }
    m->weight = w;
    m->bias = b;
    w->param = 1;
    if (b != NULL)
        b->param = 1;
    m->in_features = in_features;
    m->kind = GI_MODULE_LINEAR;
    return GI_OK;
}

void gi_linear_unmaterialize(gi_module m)
{
    param_free(m->weight);
    param_free(m->bias);
    m->weight = m->bias = NULL;
    m->in_features = 0;
    m->kind = GI_MODULE_LAZY_LINEAR;
}

gi_status gi_linear_create(gi_module *out, gi_context ctx, int64_t in_features,
                           int64_t out_features, int bias)
{
    static const char *const fn = "gi_linear_create";
    GI_CHECK_NULL(out, fn);
    gi_module m = NULL;
    gi_status st = check_features(in_features, out_features, fn);
    if (st == GI_OK)
        st = module_new(&m, ctx, GI_MODULE_LAZY_LINEAR, fn);
    if (st != GI_OK)
        return st;
    m->out_features = out_features;
    m->has_bias = bias != 0;
    st = gi_linear_materialize(m, in_features, fn);
    if (st != GI_OK) {
        module_free(m);
        return st;
    }
    *out = m;
    return GI_OK;
}

gi_status gi_lazy_linear_create(gi_module *out, gi_context ctx,
                                int64_t out_features, int bias)
{
    static const char *const fn = "gi_lazy_linear_create";
    gi_status st = check_features(0, out_features, fn);
    if (st == GI_OK)
        st = module_new(out, ctx, GI_MODULE_LAZY_LINEAR, fn);
    if (st != GI_OK)
        return st;
    (*out)->out_features = out_features;
    (*out)->has_bias = bias != 0;
    return GI_OK;
}

gi_status gi_relu_create(gi_module *out, gi_context ctx)
{
    return module_new(out, ctx, GI_MODULE_RELU, "gi_relu_create");
}

/* Levels below m (a leaf: 0). */
static int height(gi_module m)
{
    int h = 0;
    for (int64_t i = 0; i < m->nchildren; ++i) {
        int c = height(m->children[i]) + 1;
        h = c > h ? c : h;
    }
    return h;
}

/* Levels above m (a root: 0). */
static int depth(gi_module m)
{
    int d = 0;
    for (; m->parent != NULL; m = m->parent)
        ++d;
    return d;
}

static int is_ancestor_or_self(gi_module candidate, gi_module m)
{
    for (; m != NULL; m = m->parent)
        if (m == candidate)
            return 1;
    return 0;
}

/* Why child cannot join seq, or GI_OK. */
static gi_status check_child(gi_module seq, gi_module child, const char *fn)
{
    GI_CHECK_NULL(child, fn);
    if (child->parent != NULL)
        return gi_fail(GI_ERR_STATE, fn,
                       "the %s module already has a parent; a module belongs "
                       "to one parent", gi_module_kind_name(child->kind));
    gi_status st = check_not_walked(child, "child", fn);
    if (st != GI_OK)
        return st;
    if (is_ancestor_or_self(child, seq))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "a module cannot contain itself or its ancestor");
    if (depth(seq) + 1 + height(child) > GI_MAX_NESTING)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "the tree would nest deeper than %d levels",
                       GI_MAX_NESTING);
    if (child->ctx != seq->ctx)
        return gi_fail(GI_ERR_CONTEXT_MISMATCH, fn,
                       "the %s module lives on another context (%s) than the "
                       "Sequential (%s)", gi_module_kind_name(child->kind),
                       gi_device_name(child->ctx->device),
                       gi_device_name(seq->ctx->device));
    return GI_OK;
}

static gi_status reserve_children(gi_module seq, int64_t extra, const char *fn)
{
    int64_t need = seq->nchildren + extra;
    if (need <= seq->capacity)
        return GI_OK;
    int64_t cap = seq->capacity > 0 ? seq->capacity : 4;
    while (cap < need)
        cap *= 2;
    gi_module *c = gi_realloc(seq->children, (size_t)cap * sizeof *c);
    if (c == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "cannot grow the Sequential to %lld children",
                       (long long)cap);
    seq->children = c;
    seq->capacity = cap;
    return GI_OK;
}

gi_status gi_sequential_append(gi_module seq, gi_module child)
{
    static const char *const fn = "gi_sequential_append";
    GI_CHECK_NULL(seq, fn);
    if (seq->kind != GI_MODULE_SEQUENTIAL)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'seq' is a %s, not a Sequential",
                       gi_module_kind_name(seq->kind));
    gi_status st = check_child(seq, child, fn);
    if (st == GI_OK)
        st = check_not_walked(seq, "seq", fn);
    if (st == GI_OK)
        st = reserve_children(seq, 1, fn);
    if (st != GI_OK)
        return st;
    seq->children[seq->nchildren++] = child;
    child->parent = seq;
    return GI_OK;
}

/* children[i] appears earlier in the list. */
static int repeated(const gi_module *children, int i)
{
    for (int j = 0; j < i; ++j)
        if (children[j] == children[i])
            return 1;
    return 0;
}

gi_status gi_sequential_create(gi_module *out, gi_context ctx, int n,
                               const gi_module *children)
{
    static const char *const fn = "gi_sequential_create";
    GI_CHECK_NULL(out, fn);
    if (n < 0 || (n > 0 && children == NULL))
        return gi_fail(n < 0 ? GI_ERR_INVALID_ARGUMENT : GI_ERR_NULL_ARGUMENT,
                       fn, "argument 'n' = %d needs %s", n,
                       n < 0 ? "to be >= 0" : "a non-NULL 'children'");
    gi_module seq = NULL;
    gi_status st = module_new(&seq, ctx, GI_MODULE_SEQUENTIAL, fn);
    for (int i = 0; st == GI_OK && i < n; ++i) {
        st = check_child(seq, children[i], fn);
        if (st == GI_OK && repeated(children, i))
            st = gi_fail(GI_ERR_STATE, fn, "children[%d] appears twice", i);
    }
    if (st == GI_OK)
        st = reserve_children(seq, n, fn);
    if (st != GI_OK) {
        if (seq != NULL)
            module_free(seq);
        return st;
    }
    for (int i = 0; i < n; ++i) {
        seq->children[i] = children[i];
        children[i]->parent = seq;
    }
    seq->nchildren = n;
    *out = seq;
    return GI_OK;
}

gi_module_kind gi_module_kind_of(gi_module m)
{
    return m != NULL ? m->kind : GI_MODULE_SEQUENTIAL;
}

gi_context gi_module_context(gi_module m) { return m ? m->ctx : NULL; }
gi_module gi_module_parent(gi_module m) { return m ? m->parent : NULL; }
int64_t gi_module_num_children(gi_module m) { return m ? m->nchildren : 0; }
gi_tensor gi_module_weight(gi_module m) { return m ? m->weight : NULL; }
gi_tensor gi_module_bias(gi_module m) { return m ? m->bias : NULL; }

static int is_linear(gi_module m)
{
    return m != NULL &&
           (m->kind == GI_MODULE_LINEAR || m->kind == GI_MODULE_LAZY_LINEAR);
}

int64_t gi_linear_in_features(gi_module m)
{
    return is_linear(m) ? m->in_features : -1;
}

int64_t gi_linear_out_features(gi_module m)
{
    return is_linear(m) ? m->out_features : -1;
}

gi_status gi_module_child(gi_module m, int64_t index, gi_module *out)
{
    static const char *const fn = "gi_module_child";
    GI_CHECK_NULL(m, fn);
    GI_CHECK_NULL(out, fn);
    int64_t n = m->nchildren;
    if (index < -n || index >= n)
        return gi_fail(GI_ERR_OUT_OF_RANGE, fn,
                       "index %lld is out of range for a %s with %lld %s",
                       (long long)index, gi_module_kind_name(m->kind),
                       (long long)n, n == 1 ? "child" : "children");
    *out = m->children[index < 0 ? index + n : index];
    return GI_OK;
}

static gi_status apply_rec(gi_module m, gi_apply_fn fn, void *user)
{
    for (int64_t i = 0; i < m->nchildren; ++i) {
        gi_status st = apply_rec(m->children[i], fn, user);
        if (st != GI_OK)
            return st;
    }
    return fn(m, user);
}

gi_status gi_module_apply(gi_module m, gi_apply_fn fn, void *user_data)
{
    GI_CHECK_NULL(m, "gi_module_apply");
    GI_CHECK_NULL(fn, "gi_module_apply");
    gi_module root = root_of(m); /* stays the root: the tree is frozen */
    root->walks++;
    gi_status st = apply_rec(m, fn, user_data);
    root->walks--;
    return st;
}

/* Visits m's own parameters, then its children's with "i." prefixes.
 * prefix holds the dotted path so far; len is its length. */
static gi_status params_rec(gi_module m, char *prefix, size_t len, size_t cap,
                            gi_param_fn fn, void *user)
{
    gi_status st = GI_OK;
    const char *names[2] = {"weight", "bias"};
    gi_tensor params[2] = {m->weight, m->bias};
    for (int k = 0; k < 2 && st == GI_OK; ++k) {
        if (params[k] == NULL)
            continue;
        snprintf(prefix + len, cap - len, "%s", names[k]);
        st = fn(prefix, params[k], user);
    }
    for (int64_t i = 0; i < m->nchildren && st == GI_OK; ++i) {
        int n = snprintf(prefix + len, cap - len, "%lld.", (long long)i);
        if (n < 0 || len + (size_t)n + sizeof "weight" > cap)
            return gi_fail(GI_ERR_UNSUPPORTED, "gi_module_named_parameters",
                           "the tree is too deep for dotted names of %zu "
                           "characters", cap);
        st = params_rec(m->children[i], prefix, len + (size_t)n, cap, fn, user);
    }
    prefix[len] = '\0';
    return st;
}

gi_status gi_module_named_parameters(gi_module m, gi_param_fn fn,
                                     void *user_data)
{
    GI_CHECK_NULL(m, "gi_module_named_parameters");
    GI_CHECK_NULL(fn, "gi_module_named_parameters");
    char name[GI_MAX_NESTING * 21 + 8]; /* 20 digits and a dot a level */
    name[0] = '\0';
    gi_module root = root_of(m); /* stays the root: the tree is frozen */
    root->walks++;
    gi_status st = params_rec(m, name, 0, sizeof name, fn, user_data);
    root->walks--;
    return st;
}

static gi_status count_param(const char *name, gi_tensor p, void *user)
{
    (void)name;
    (void)p;
    ++*(int64_t *)user;
    return GI_OK;
}

int64_t gi_module_num_parameters(gi_module m)
{
    int64_t n = 0;
    if (m != NULL)
        gi_module_named_parameters(m, count_param, &n);
    return n;
}

/* PyTorch's Module.__repr__: children as "(i): repr", indented by two
 * spaces per level; a module without children on one line. */
static int print_rec(gi_module m, FILE *f, int indent)
{
    const char *name = gi_module_kind_name(m->kind);
    if (is_linear(m))
        return fprintf(f, "%s(in_features=%lld, out_features=%lld, bias=%s)",
                       name, (long long)m->in_features,
                       (long long)m->out_features,
                       m->has_bias ? "True" : "False") >= 0;
    if (m->nchildren == 0)
        return fprintf(f, "%s()", name) >= 0;
    int ok = fprintf(f, "%s(\n", name) >= 0;
    for (int64_t i = 0; ok && i < m->nchildren; ++i) {
        ok = fprintf(f, "%*s(%lld): ", indent + 2, "", (long long)i) >= 0 &&
             print_rec(m->children[i], f, indent + 2) &&
             fputc('\n', f) != EOF;
    }
    return ok && fprintf(f, "%*s)", indent, "") >= 0;
}

gi_status gi_module_print(gi_module m, FILE *f)
{
    static const char *const fn = "gi_module_print";
    GI_CHECK_NULL(m, fn);
    GI_CHECK_NULL(f, fn);
    return gi_finish_write(f, print_rec(m, f, 0) && fputc('\n', f) != EOF,
                           fn);
}
