/* A plan on a torch_cpu generator: each job that stands for uniform_,
 * normal_, trunc_normal_ or sparse_ (its recorded PyTorch call; an
 * orthogonal_'s draw is a normal_) is computed on the host by
 * src/torchgen in plan order, on a copy of the generator's state; the
 * values go to the device in one buffer, the QR steps run on their
 * workspaces as with Philox, and one pass stores them and runs the plan's
 * other jobs (those that draw nothing). Nothing is written and the state
 * is kept unless every step succeeds. */
#include <stdint.h>
#include <stdlib.h>

#include "../core/alloc.h"
#include "../core/internal.h"

static const char *init_name(int kind)
{
    switch ((gi_init_kind)kind) {
#define GI_INIT_KIND_NAME_(name, value, text)                                 \
    case name: return text;
        GI_INIT_KIND_LIST(GI_INIT_KIND_NAME_)
#undef GI_INIT_KIND_NAME_
    }
    return "unknown";
}

/* Refuses a job that draws without a PyTorch call to replay, or replays
 * one on another dtype than float32. */
static gi_status check_job(const gi_fill_job *job, const char *fn)
{
    const gi_torch_call *c = &job->torch;
    const char *init = c->init != GI_INIT_NONE ? init_name(c->init) : NULL;
    if (c->op == GI_TORCH_NONE && gi_job_random(job))
        return gi_fail(GI_ERR_UNSUPPORTED, fn,
                       "%s%s%s has no PyTorch counterpart that a "
                       "'torch_cpu' generator reproduces (uniform_, normal_, "
                       "trunc_normal_, sparse_, orthogonal_ and the xavier "
                       "and kaiming initializers have)",
                       init ? "initializer '" : "this initializer",
                       init ? init : "", init ? "'" : "");
    if (c->op != GI_TORCH_NONE && job->n > 0 && job->dtype != GI_F32)
        return gi_fail(GI_ERR_UNSUPPORTED, fn,
                       "a 'torch_cpu' generator fills float32 tensors only, "
                       "got a %s tensor", gi_dtype_name(job->dtype));
    return GI_OK;
}

/* The host words job's call needs beyond its values: sparse_'s
 * permutation. */
static int64_t perm_words(const gi_fill_job *job)
{
    return job->torch.op == GI_TORCH_SPARSE ? job->sparse.rows : 0;
}

/* Checks every job; *total receives the values their calls draw, *perm
 * the largest workspace one of them needs. */
static gi_status check_jobs(const gi_fill_job *jobs, int64_t njobs,
                            int64_t *total, int64_t *perm, const char *fn)
{
    *total = *perm = 0;
    for (int64_t i = 0; i < njobs; ++i) {
        gi_status st = check_job(&jobs[i], fn);
        if (st != GI_OK)
            return st;
        if (jobs[i].torch.op == GI_TORCH_NONE)
            continue;
        if (perm_words(&jobs[i]) > *perm)
            *perm = perm_words(&jobs[i]);
        if (jobs[i].n > (int64_t)(PTRDIFF_MAX / sizeof(float)) - *total -
                            *perm)
            return gi_fail(GI_ERR_OVERFLOW, fn,
                           "the plan's values exceed the addressable range");
        *total += jobs[i].n;
    }
    return GI_OK;
}

/* One job's call from g into out, as PyTorch makes it. */
static void draw_one(const gi_fill_job *job, gi_tg_state *g,
                     gi_tg_kernels k, float *out, uint32_t *perm)
{
    const gi_torch_call *c = &job->torch;
    if (c->op == GI_TORCH_UNIFORM)
        gi_tg_uniform(g, out, job->n, c->a, c->b, k);
    else if (c->op == GI_TORCH_NORMAL)
        gi_tg_normal(g, out, job->n, c->a, c->b, k);
    else if (c->op == GI_TORCH_TRUNC_NORMAL)
        gi_tg_trunc_normal(g, out, job->n, c->a, c->b, c->c, c->d, k);
    else if (c->op == GI_TORCH_SPARSE)
        gi_tg_sparse(g, out, job->sparse.rows, job->sparse.cols, c->b,
                     (int64_t)c->c, perm, k);
}

/* Every call in order from g into host[0..), as PyTorch makes them. */
static void draw_all(const gi_fill_job *jobs, int64_t njobs, gi_tg_state *g,
                     gi_tg_kernels k, float *host, uint32_t *perm)
{
    for (int64_t i = 0; i < njobs; ++i) {
        draw_one(&jobs[i], g, k, host, perm);
        if (jobs[i].torch.op != GI_TORCH_NONE)
            host += jobs[i].n;
    }
}

/* Makes each call's job the copy of its values from dev into its tensor. */
static void store_from(gi_fill_job *jobs, int64_t njobs, const float *dev)
{
    for (int64_t i = 0; i < njobs; ++i) {
        if (jobs[i].torch.op == GI_TORCH_NONE)
            continue;
        const int64_t n = jobs[i].n;
        if (!gi_job_convert(&jobs[i], jobs[i].data, GI_F32, dev, GI_F32, n,
                            0))
            gi_job_nothing(&jobs[i]);
        dev += n;
    }
}

/* Refuses a QR step into another tensor than a float32 one (whose
 * workspace is float32 too, so its draw job alone would not tell). */
static gi_status check_qrs(const gi_qr_step *qrs, int64_t nqr,
                           const char *fn)
{
    for (int64_t k = 0; k < nqr; ++k)
        if (qrs[k].store.dtype != GI_F32)
            return gi_fail(GI_ERR_UNSUPPORTED, fn,
                           "a 'torch_cpu' generator fills float32 tensors "
                           "only, got a %s tensor for orthogonal_",
                           gi_dtype_name(qrs[k].store.dtype));
    return GI_OK;
}

/* The drawn values host[0..total) uploaded; the QR steps, whose draws
 * are now copies of their values into their workspaces, run; all is
 * stored with the plan. */
static gi_status store_all(gi_context ctx, gi_fill_job *jobs, int64_t njobs,
                           gi_qr_step *qrs, int64_t nqr, const float *host,
                           int64_t total, const char *fn)
{
    const size_t bytes = (size_t)total * sizeof(float);
    void *dev = NULL;
    gi_status st = ctx->ops->alloc(ctx->state, bytes, &dev, fn);
    if (st == GI_OK)
        st = ctx->ops->from_host(ctx->state, dev, host, bytes, fn);
    if (st == GI_OK)
        store_from(jobs, njobs, dev);
    for (int64_t k = 0; k < nqr && st == GI_OK; ++k)
        st = gi_run_qr_step(ctx, &jobs[qrs[k].draw], &qrs[k], fn);
    if (st == GI_OK)
        st = gi_run_live_jobs(ctx, jobs, njobs, fn);
    if (dev != NULL)
        ctx->ops->release(ctx->state, dev);
    return st;
}

gi_status gi_run_plan_torch(gi_context ctx, gi_fill_job *jobs,
                            int64_t njobs, gi_qr_step *qrs, int64_t nqr,
                            gi_generator gen, const char *fn)
{
    int64_t total = 0, perm = 0;
    gi_status st = check_qrs(qrs, nqr, fn);
    if (st == GI_OK)
        st = check_jobs(jobs, njobs, &total, &perm, fn);
    if (st != GI_OK || total == 0)
        return st != GI_OK ? st : gi_run_live_jobs(ctx, jobs, njobs, fn);
    /* the values, then the permutation's words, in one block */
    float *host = gi_malloc((size_t)(total + perm) * sizeof(float));
    if (host == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "cannot allocate %lld values for a 'torch_cpu' fill",
                       (long long)total);
    gi_tg_state g = gen->torch;
    draw_all(jobs, njobs, &g, gen->kernels, host, (uint32_t *)(host + total));
    st = store_all(ctx, jobs, njobs, qrs, nqr, host, total, fn);
    if (st == GI_OK)
        gen->torch = g;
    free(host);
    return st;
}
