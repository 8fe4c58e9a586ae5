/* A plan on a torch_cpu generator: each job that stands for uniform_,
 * normal_, trunc_normal_ or sparse_ (its recorded PyTorch call; an
 * orthogonal_'s draw is a normal_) is computed on the host by
 * src/torchgen in plan order, on a copy of the generator's state, which
 * becomes the generator's only when every step succeeded. Three ways:
 *  - a CPU context without QR steps draws straight into the tensors
 *    (nothing can fail once the first value is drawn);
 *  - a GPU context without QR steps draws into a host buffer of at most
 *    GI_TG_PIECE (+ 16) values, uploads it to a device buffer of the
 *    same size and stores it, piece after piece;
 *  - a plan with QR steps stages all its values: they are uploaded, the
 *    QR steps run on their workspaces as with Philox, and one pass stores
 *    them with the plan's other jobs, so that a failing QR step leaves
 *    every tensor as it was.
 * Then the plan's other jobs (those that draw nothing) run. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "../core/alloc.h"
#include "../core/internal.h"
#include "../cpu/cpu_threads.h"

/* Values a GPU context's piece holds: 4 MiB on the host and as much on
 * the device, whatever the plan's size. */
#define GI_TG_PIECE (INT64_C(1) << 20)

/* The rejection method's least acceptance rate: below it the loop would
 * run for thousands of rounds per element (PyTorch's too). */
#define GI_TG_MIN_ACCEPT 1e-3

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

/* Whether job's call is trunc_normal_ by rejection (gen's method). */
static int by_rejection(const gi_fill_job *job, gi_generator gen)
{
    return job->torch.op == GI_TORCH_TRUNC_NORMAL &&
           gen->trunc == GI_TORCH_TRUNC_REJECTION;
}

/* The host words job's call needs beyond its values: sparse_'s
 * permutation, the rejection method's candidates and flags. */
static int64_t work_words(const gi_fill_job *job, gi_generator gen)
{
    if (job->torch.op == GI_TORCH_SPARSE)
        return job->sparse.rows;
    return by_rejection(job, gen) ? gi_tg_trunc_rejection_words(job->n) : 0;
}

/* Refuses what PyTorch's rejection method refuses: its uniform case
 * (intervals of probability 0.3 or less) calls uniform_(a, b). */
static gi_status check_rejection(const gi_fill_job *job, gi_generator gen,
                                 const char *fn)
{
    const gi_torch_call *c = &job->torch;
    if (!by_rejection(job, gen) ||
        !gi_tg_trunc_rejection_uses_uniform(c->a, c->b, c->c, c->d))
        return GI_OK;
    const float a = (float)c->c, b = (float)c->d;
    if (!isfinite(a) || !isfinite(b) || !isfinite(b - a))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "arguments 'a' = %g and 'b' = %g: the 'rejection' "
                       "method of a 'torch_cpu' generator samples an "
                       "interval of probability 0.3 or less by uniform_(a, "
                       "b), which needs finite a, b and b - a in float, as "
                       "PyTorch's does", c->c, c->d);
    const double rate = gi_tg_trunc_rejection_rate(c->a, c->b, c->c, c->d);
    if (!(rate >= GI_TG_MIN_ACCEPT))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "arguments 'a' = %g and 'b' = %g: the 'rejection' "
                       "method of a 'torch_cpu' generator would keep %g of "
                       "its uniform candidates (at least %g is needed: "
                       "PyTorch's loop would run about %.3g rounds)", c->c,
                       c->d, rate, GI_TG_MIN_ACCEPT, 1.0 / rate);
    return GI_OK;
}

/* Checks every job; *total receives the values their calls draw, *work
 * the largest workspace one of them needs. */
static gi_status check_jobs(const gi_fill_job *jobs, int64_t njobs,
                            gi_generator gen, int64_t *total, int64_t *work,
                            const char *fn)
{
    *total = *work = 0;
    for (int64_t i = 0; i < njobs; ++i) {
        gi_status st = check_job(&jobs[i], fn);
        if (st == GI_OK)
            st = check_rejection(&jobs[i], gen, fn);
        if (st != GI_OK)
            return st;
        if (jobs[i].torch.op == GI_TORCH_NONE)
            continue;
        if (jobs[i].n > (int64_t)(PTRDIFF_MAX / sizeof(float)) / 4 - *total)
            return gi_fail(GI_ERR_OVERFLOW, fn,
                           "the plan's values exceed the addressable range");
        if (work_words(&jobs[i], gen) > *work)
            *work = work_words(&jobs[i], gen);
        *total += jobs[i].n;
    }
    return GI_OK;
}

/* What the calls draw from: a copy of the generator's state (the
 * generator's own once all succeeded), its settings, the threads the
 * transforms may use, and the largest call's workspace. */
typedef struct drawer {
    gi_tg_state g;
    gi_generator gen;
    int threads;
    uint32_t *work;
} drawer;

/* One job's call into out, as PyTorch makes it. */
static void draw_one(const gi_fill_job *job, drawer *d, float *out)
{
    const gi_torch_call *c = &job->torch;
    const gi_tg_kernels k = d->gen->kernels;
    const int threads = d->threads;
    gi_tg_state *g = &d->g;
    uint32_t *work = d->work;
    if (c->op == GI_TORCH_UNIFORM)
        gi_tg_uniform(g, out, job->n, c->a, c->b, k);
    else if (c->op == GI_TORCH_NORMAL)
        gi_tg_normal(g, out, job->n, c->a, c->b, k, threads);
    else if (by_rejection(job, d->gen))
        gi_tg_trunc_rejection(g, out, job->n, c->a, c->b, c->c, c->d, work,
                              k, threads);
    else if (c->op == GI_TORCH_TRUNC_NORMAL)
        gi_tg_trunc_normal(g, out, job->n, c->a, c->b, c->c, c->d, k,
                           threads);
    else if (c->op == GI_TORCH_SPARSE)
        gi_tg_sparse(g, out, job->sparse.rows, job->sparse.cols, c->b,
                     (int64_t)c->c, work, k, threads);
}

/* Every call in order into host[0..), as PyTorch makes them. */
static void draw_all(const gi_fill_job *jobs, int64_t njobs, drawer *d,
                     float *host)
{
    for (int64_t i = 0; i < njobs; ++i) {
        draw_one(&jobs[i], d, host);
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

/* All of a plan with QR steps: the drawn values host[0..total) uploaded;
 * the QR steps, whose draws are now copies of their values into their
 * workspaces, run; all is stored with the plan. */
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

/* The jobs that draw nothing, one backend pass each: on the CPU a pass of
 * one job that draws nothing allocates nothing and cannot fail, so that
 * the direct path below stays all or nothing. */
static gi_status run_each(gi_context ctx, gi_fill_job *jobs, int64_t njobs,
                          const char *fn)
{
    gi_status st = GI_OK;
    for (int64_t i = 0; i < njobs && st == GI_OK; ++i)
        if (jobs[i].torch.op == GI_TORCH_NONE)
            st = gi_run_live_jobs(ctx, &jobs[i], 1, fn);
    return st;
}

/* A CPU context's plan without QR steps: every call straight into its
 * float32 tensor, in order. */
static gi_status draw_direct(gi_context ctx, gi_fill_job *jobs,
                             int64_t njobs, drawer *d, const char *fn)
{
    for (int64_t i = 0; i < njobs; ++i)
        if (jobs[i].torch.op != GI_TORCH_NONE)
            draw_one(&jobs[i], d, jobs[i].data);
    return run_each(ctx, jobs, njobs, fn);
}

/* The values of job's call that its next piece draws, `done` drawn: at
 * most GI_TG_PIECE (a multiple of 16, so normal_'s blocks of 16 stay
 * whole), or all that is left when that is under GI_TG_PIECE + 16 (so
 * that normal_'s last piece keeps the last 16 values PyTorch redraws);
 * sparse_, whose zeros go down whole columns, and trunc_normal_ by
 * rejection, whose redraws span the tensor, in one piece. */
static int64_t piece_len(const gi_fill_job *job, gi_generator gen,
                         int64_t done)
{
    const int64_t left = job->n - done;
    if (job->torch.op == GI_TORCH_SPARSE || by_rejection(job, gen) ||
        left < GI_TG_PIECE + 16)
        return left;
    return GI_TG_PIECE;
}

/* job's call, piece by piece: drawn into host, uploaded into dev, stored
 * into its tensor. */
static gi_status stream_job(gi_context ctx, gi_fill_job *job, drawer *d,
                            float *host, float *dev, const char *fn)
{
    gi_status st = GI_OK;
    for (int64_t done = 0, len; done < job->n && st == GI_OK; done += len) {
        len = piece_len(job, d->gen, done);
        gi_fill_job piece = *job;
        piece.n = len;
        draw_one(&piece, d, host);
        st = ctx->ops->from_host(ctx->state, dev, host,
                                 (size_t)len * sizeof(float), fn);
        gi_job_convert(&piece, (float *)job->data + done, GI_F32, dev,
                       GI_F32, len, 0);
        if (st == GI_OK)
            st = gi_run_live_jobs(ctx, &piece, 1, fn);
    }
    return st;
}

/* A GPU context's plan without QR steps, through host[0..words) and a
 * device buffer of as many values. */
static gi_status draw_pieces(gi_context ctx, gi_fill_job *jobs,
                             int64_t njobs, drawer *d, float *host,
                             int64_t words, const char *fn)
{
    void *dev = NULL;
    gi_status st = ctx->ops->alloc(ctx->state,
                                   (size_t)words * sizeof(float), &dev, fn);
    for (int64_t i = 0; i < njobs && st == GI_OK; ++i)
        if (jobs[i].torch.op != GI_TORCH_NONE) {
            st = stream_job(ctx, &jobs[i], d, host, dev, fn);
            gi_job_nothing(&jobs[i]); /* stored: the pass below skips it */
        }
    if (st == GI_OK)
        st = gi_run_live_jobs(ctx, jobs, njobs, fn);
    if (dev != NULL)
        ctx->ops->release(ctx->state, dev);
    return st;
}

/* The most values one of job's pieces holds: a split job's last piece
 * may hold up to GI_TG_PIECE + 15. */
static int64_t largest_piece(const gi_fill_job *job, gi_generator gen)
{
    const int64_t first = piece_len(job, gen, 0);
    return first < job->n ? GI_TG_PIECE + 15 : first;
}

/* The host values the plan's way needs: none drawing straight into the
 * tensors, the largest piece when streaming, all of them when staging. */
static int64_t host_values(gi_context ctx, const gi_fill_job *jobs,
                           int64_t njobs, gi_generator gen, int64_t nqr,
                           int64_t total)
{
    if (nqr > 0)
        return total;
    if (ctx->device == GI_DEVICE_CPU)
        return 0;
    int64_t most = 0;
    for (int64_t i = 0; i < njobs; ++i)
        if (jobs[i].torch.op != GI_TORCH_NONE &&
            largest_piece(&jobs[i], gen) > most)
            most = largest_piece(&jobs[i], gen);
    return most;
}

gi_status gi_run_plan_torch(gi_context ctx, gi_fill_job *jobs,
                            int64_t njobs, gi_qr_step *qrs, int64_t nqr,
                            gi_generator gen, const char *fn)
{
    int64_t total = 0, work = 0;
    gi_status st = check_qrs(qrs, nqr, fn);
    if (st == GI_OK)
        st = check_jobs(jobs, njobs, gen, &total, &work, fn);
    if (st != GI_OK || total == 0)
        return st != GI_OK ? st : gi_run_live_jobs(ctx, jobs, njobs, fn);
    const int64_t values = host_values(ctx, jobs, njobs, gen, nqr, total);
    /* the values, then the workspace, in one block (of at least one byte:
     * the direct path may need neither) */
    float *host = gi_malloc((size_t)(values + work) * sizeof(float) + 1);
    if (host == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "cannot allocate %lld values for a 'torch_cpu' fill",
                       (long long)(values + work));
    drawer d = {.g = gen->torch, .gen = gen,
                .threads = gi_cpu_team(ctx->num_threads),
                .work = (uint32_t *)(host + values)};
    if (nqr > 0) {
        draw_all(jobs, njobs, &d, host);
        st = store_all(ctx, jobs, njobs, qrs, nqr, host, total, fn);
    } else if (values == 0) {
        st = draw_direct(ctx, jobs, njobs, &d, fn);
    } else {
        st = draw_pieces(ctx, jobs, njobs, &d, host, values, fn);
    }
    if (st == GI_OK)
        gen->torch = d.g;
    free(host);
    return st;
}
