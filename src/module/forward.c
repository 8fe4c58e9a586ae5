/* The forward pass: net(X), each module run by its class. A failed forward
 * changes nothing: what it created (LazyLinear parameters) is rolled back
 * and the generator is rewound. */
#include <stdio.h>
#include <string.h>

#include "module.h"

static const char *const FN = GI_FORWARD_FN;

gi_path gi_path_child(const gi_path *parent, int64_t i)
{
    gi_path p;
    int root = strcmp(parent->text, "<root>") == 0;
    int n = snprintf(p.text, sizeof p.text, "%s%s%lld",
                     root ? "" : parent->text, root ? "" : ".", (long long)i);
    if (n < 0 || (size_t)n >= sizeof p.text) /* absurdly deep: mark the cut */
        memcpy(p.text + sizeof p.text - 4, "...", 4);
    return p;
}

gi_status gi_module_run(gi_module m, gi_tensor x, int owned, int relu,
                        gi_tensor *y, const gi_path *where)
{
    return m->cls->forward(m, x, owned, relu, y, where);
}

/* After the forward: keep (ok) or roll back what it created. */
static void settle(gi_module m, int ok)
{
    for (int64_t i = 0; i < m->nchildren; ++i)
        settle(m->children[i], ok);
    if (m->fresh && !ok)
        m->cls->rollback(m);
    m->fresh = 0;
}

gi_status gi_module_forward(gi_module m, gi_tensor x, gi_tensor *out)
{
    GI_CHECK_NULL(m, FN);
    GI_CHECK_NULL(out, FN);
    gi_status st = gi_check_tensor(x, FN, "x");
    if (st != GI_OK)
        return st;
    if (x->storage->ctx != m->ctx)
        return gi_fail(GI_ERR_CONTEXT_MISMATCH, FN,
                       "input 'x' is on another context (%s) than the module "
                       "(%s); copy it over with gi_tensor_copy_",
                       gi_device_name(x->storage->ctx->device),
                       gi_device_name(m->ctx->device));
    const struct gi_generator_st saved = m->ctx->generator;
    const gi_path root = {"<root>"};
    gi_tensor y = NULL;
    st = gi_module_run(m, x, 0, 0, &y, &root);
    settle(m, st == GI_OK);
    if (st != GI_OK) {
        m->ctx->generator = saved;
        return st;
    }
    *out = y;
    return GI_OK;
}
