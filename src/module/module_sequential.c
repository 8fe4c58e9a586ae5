/* Sequential: a list of children run one after the other. */
#include "module.h"

static gi_status sequential_forward(gi_module m, gi_tensor x, int owned,
                                    int relu, gi_tensor *y,
                                    const gi_path *where);

const gi_module_class gi_sequential_class = {
    .kind = GI_MODULE_SEQUENTIAL,
    .name = "Sequential",
    .forward = sequential_forward,
};

gi_status gi_sequential_append(gi_module seq, gi_module child)
{
    static const char *const fn = "gi_sequential_append";
    GI_CHECK_NULL(seq, fn);
    if (seq->cls != &gi_sequential_class)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'seq' is a %s, not a Sequential",
                       seq->cls->name);
    gi_status st = gi_module_check_child(seq, child, fn);
    if (st == GI_OK)
        st = gi_module_check_not_walked(seq, "seq", fn);
    if (st == GI_OK)
        st = gi_module_reserve_children(seq, 1, fn);
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
    gi_status st = gi_module_new(&seq, ctx, &gi_sequential_class, fn);
    for (int i = 0; st == GI_OK && i < n; ++i) {
        st = gi_module_check_child(seq, children[i], fn);
        if (st == GI_OK && repeated(children, i))
            st = gi_fail(GI_ERR_STATE, fn, "children[%d] appears twice", i);
    }
    if (st == GI_OK)
        st = gi_module_reserve_children(seq, n, fn);
    if (st != GI_OK) {
        if (seq != NULL)
            gi_module_free(seq);
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

/* Chains the children (an empty Sequential copies its input). A child
 * that can rectify its own output, followed by a ReLU, runs the two as one
 * step. */
static gi_status sequential_forward(gi_module m, gi_tensor x, int owned,
                                    int relu, gi_tensor *y,
                                    const gi_path *where)
{
    (void)relu; /* no fuses_relu */
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
        gi_path p = gi_path_child(where, i);
        int fuse = c->cls->fuses_relu && i + 1 < m->nchildren &&
                   m->children[i + 1]->cls->is_relu;
        gi_tensor next = NULL;
        gi_status st = gi_module_run(c, cur, cur_owned, fuse, &next, &p);
        if (st != GI_OK)
            return st;
        cur = next;
        cur_owned = 1;
        i += fuse;
    }
    *y = cur;
    return GI_OK;
}
