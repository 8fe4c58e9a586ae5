/* gi_module_init_: every parameter of a tree planned first (so that
 * nothing is written unless all of them are valid), then filled by one
 * backend pass that draws exactly what the per-tensor calls would. An
 * orthogonal parameter's plan holds a workspace from planning on; its
 * draw and QR run into that workspace before the pass, which then copies
 * Q in (gi_run_plan). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/alloc.h"
#include "../module/module.h"

static const char *const FN = "gi_module_init_";

typedef struct plan {
    const gi_init *weight, *bias; /* NULL: leave those parameters */
    gi_fill_job *jobs;            /* one per parameter, in order */
    int64_t njobs;
    gi_qr_step *qrs;              /* the orthogonal ones' steps */
    int64_t nqr;
} plan;

/* spec asks for a fill (NULL and GI_INIT_NONE do not). */
static int wanted(const gi_init *spec)
{
    return spec != NULL && spec->kind != GI_INIT_NONE;
}

/* The next job: param (named `name`) by spec; messages name both. */
static gi_status plan_param(plan *p, const char *name, gi_tensor param,
                            const gi_init *spec, const char *arg)
{
    char where[GI_MAX_NESTING * 21 + 64];
    snprintf(where, sizeof where, "%s: parameter '%s'", FN, name);
    gi_qr_step *qr = &p->qrs[p->nqr];
    gi_status st = gi_plan_init(param, spec, arg, &p->jobs[p->njobs], qr,
                                where);
    if (st == GI_OK && qr->work != NULL) {
        qr->draw = p->njobs;
        ++p->nqr;
    }
    ++p->njobs;
    return st;
}

/* The spec for parameters called name: gi_module_init_ takes one for each
 * weight and one for each bias. */
static const gi_init *spec_for(const plan *p, const char *name)
{
    if (strcmp(name, "weight") == 0)
        return p->weight;
    return strcmp(name, "bias") == 0 ? p->bias : NULL;
}

/* m's own parameters, prefix being its dotted path with the final dot
 * ("0.1." or "" for a root) in a buffer of cap bytes. */
static gi_status plan_own(plan *p, gi_module m, char *prefix, size_t len,
                          size_t cap)
{
    const gi_module_class *cls = m->cls;
    gi_status st = GI_OK;
    for (int k = 0; k < cls->nparams && st == GI_OK; ++k) {
        const gi_init *spec = spec_for(p, cls->param_names[k]);
        if (!wanted(spec) || !cls->has_param(m, k))
            continue;
        snprintf(prefix + len, cap - len, "%s", cls->param_names[k]);
        if (m->params[k] == NULL)
            st = gi_fail(GI_ERR_STATE, FN,
                         "parameter '%s' does not exist yet: its %s has not "
                         "run its first forward", prefix, cls->name);
        else
            st = plan_param(p, prefix, m->params[k], spec,
                            cls->param_names[k]);
    }
    prefix[len] = '\0';
    return st;
}

/* Depth first, children in order: named_parameters' order. */
static gi_status plan_rec(plan *p, gi_module m, char *prefix, size_t len,
                          size_t cap)
{
    gi_status st = plan_own(p, m, prefix, len, cap);
    for (int64_t i = 0; i < m->nchildren && st == GI_OK; ++i) {
        int n = snprintf(prefix + len, cap - len, "%lld.", (long long)i);
        st = plan_rec(p, m->children[i], prefix, len + (size_t)n, cap);
    }
    prefix[len] = '\0';
    return st;
}

static gi_status check_spec(const gi_init *spec, const char *arg)
{
    return spec != NULL ? gi_check_init_kind(spec, arg, FN) : GI_OK;
}

gi_status gi_module_init_(gi_module m, const gi_init *weight,
                          const gi_init *bias, gi_generator gen)
{
    GI_CHECK_NULL(m, FN);
    gi_status st = check_spec(weight, "weight");
    if (st == GI_OK)
        st = check_spec(bias, "bias");
    if (st != GI_OK)
        return st;
    /* Every parameter present gets at most one job and one QR step. */
    int64_t cap = gi_module_num_parameters(m);
    size_t slots = (size_t)(cap > 0 ? cap : 1);
    plan p = {weight, bias, gi_malloc(slots * sizeof(gi_fill_job)), 0,
              gi_malloc(slots * sizeof(gi_qr_step)), 0};
    if (p.jobs == NULL || p.qrs == NULL)
        st = gi_fail(GI_ERR_OUT_OF_MEMORY, FN,
                     "cannot allocate the plan of %lld parameter%s",
                     (long long)cap, gi_plural(cap));
    char name[GI_MAX_NESTING * 21 + 8]; /* 20 digits and a dot a level */
    name[0] = '\0';
    if (st == GI_OK)
        st = plan_rec(&p, m, name, 0, sizeof name);
    if (st == GI_OK)
        st = gi_run_plan(m->ctx, p.jobs, p.njobs, p.qrs, p.nqr,
                         gen != NULL ? gen : &m->ctx->generator, FN);
    for (int64_t k = 0; k < p.nqr; ++k)
        gi_qr_step_release(&p.qrs[k]);
    free(p.qrs);
    free(p.jobs);
    return st;
}
