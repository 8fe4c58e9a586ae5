/* Module trees: children, parents, ownership, queries, walks (apply, named
 * parameters), printing, and the table of the kinds' classes. What a kind
 * does is in its class (module_<kind>.c); the forward pass in forward.c. */
#include <stdlib.h>
#include <string.h>

#include "../core/alloc.h"
#include "module.h"

/* The kinds' classes, each defined in its own file (module_<kind>.c):
 * declared here only, so that a new kind touches its file, the header
 * and these lines. */
extern const gi_module_class gi_sequential_class, gi_linear_class,
    gi_lazy_linear_class, gi_relu_class;

static const gi_module_class *const classes[] = {
    [GI_MODULE_SEQUENTIAL] = &gi_sequential_class,
    [GI_MODULE_LINEAR] = &gi_linear_class,
    [GI_MODULE_LAZY_LINEAR] = &gi_lazy_linear_class,
    [GI_MODULE_RELU] = &gi_relu_class,
};

const char *gi_module_kind_name(gi_module_kind kind)
{
    unsigned k = (unsigned)kind;
    return k < sizeof classes / sizeof *classes && classes[k] != NULL
               ? classes[k]->name
               : "unknown";
}

gi_status gi_module_new(gi_module *out, gi_context ctx,
                        const gi_module_class *cls, const char *fn)
{
    GI_CHECK_NULL(out, fn);
    GI_CHECK_NULL(ctx, fn);
    gi_module m = gi_calloc(1, sizeof *m);
    if (m == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot allocate the module");
    m->cls = cls;
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
gi_status gi_module_check_not_walked(gi_module m, const char *arg,
                                     const char *fn)
{
    if (gi_module_walked(m))
        return gi_fail(GI_ERR_STATE, fn,
                       "the tree of '%s' is being walked (gi_module_apply or "
                       "gi_module_named_parameters): its structure cannot "
                       "change until the walk ends", arg);
    return GI_OK;
}

void gi_module_free(gi_module m)
{
    for (int64_t i = 0; i < m->nchildren; ++i)
        gi_module_free(m->children[i]);
    free(m->children);
    if (m->cls->release != NULL)
        m->cls->release(m);
    gi_context_release(m->ctx);
    free(m);
}

void gi_module_destroy(gi_module m)
{
    if (m != NULL && m->parent == NULL &&
        gi_module_check_not_walked(m, "m", "gi_module_destroy") == GI_OK)
        gi_module_free(m);
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

gi_status gi_module_check_child(gi_module seq, gi_module child,
                                const char *fn)
{
    GI_CHECK_NULL(child, fn);
    if (child->parent != NULL)
        return gi_fail(GI_ERR_STATE, fn,
                       "the %s module already has a parent; a module belongs "
                       "to one parent", child->cls->name);
    gi_status st = gi_module_check_not_walked(child, "child", fn);
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
                       "%s (%s)", child->cls->name,
                       gi_device_name(child->ctx->device), seq->cls->name,
                       gi_device_name(seq->ctx->device));
    return GI_OK;
}

gi_status gi_module_reserve_children(gi_module seq, int64_t extra,
                                     const char *fn)
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
                       "cannot grow the %s to %lld children", seq->cls->name,
                       (long long)cap);
    seq->children = c;
    seq->capacity = cap;
    return GI_OK;
}

gi_module_kind gi_module_kind_of(gi_module m)
{
    /* NULL answers Sequential, as the header says */
    return (m != NULL ? m->cls : &gi_sequential_class)->kind;
}

gi_context gi_module_context(gi_module m) { return m ? m->ctx : NULL; }
gi_module gi_module_parent(gi_module m) { return m ? m->parent : NULL; }
int64_t gi_module_num_children(gi_module m) { return m ? m->nchildren : 0; }

/* m's parameter called name; NULL when it has none (yet). */
static gi_tensor param_named(gi_module m, const char *name)
{
    for (int k = 0; m != NULL && k < m->cls->nparams; ++k)
        if (strcmp(m->cls->param_names[k], name) == 0)
            return m->params[k];
    return NULL;
}

gi_tensor gi_module_weight(gi_module m) { return param_named(m, "weight"); }
gi_tensor gi_module_bias(gi_module m) { return param_named(m, "bias"); }

gi_status gi_module_child(gi_module m, int64_t index, gi_module *out)
{
    static const char *const fn = "gi_module_child";
    GI_CHECK_NULL(m, fn);
    GI_CHECK_NULL(out, fn);
    int64_t n = m->nchildren;
    if (index < -n || index >= n)
        return gi_fail(GI_ERR_OUT_OF_RANGE, fn,
                       "index %lld is out of range for a %s with %lld %s",
                       (long long)index, m->cls->name,
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
    for (int k = 0; k < m->cls->nparams && st == GI_OK; ++k) {
        if (m->params[k] == NULL)
            continue;
        snprintf(prefix + len, cap - len, "%s", m->cls->param_names[k]);
        st = fn(prefix, m->params[k], user);
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
    const char *name = m->cls->name;
    if (m->cls->extra_repr != NULL)
        return fprintf(f, "%s(", name) >= 0 && m->cls->extra_repr(m, f) &&
               fputc(')', f) != EOF;
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
