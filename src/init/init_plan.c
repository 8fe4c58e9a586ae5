/* Planned fills, the bottom of the init layer: describing what an
 * initializer writes (the job constructors) and running one plan or many
 * at once, QR steps included. The plans themselves (init_basic.c,
 * init_special.c, init_fan.c, orthogonal.c) build on this file and
 * init_kinds.c dispatches to them, so no file calls back up. */
#include <math.h>
#include <stdlib.h>

#include "../core/alloc.h"
#include "../core/internal.h"

void gi_job_nothing(gi_fill_job *job)
{
    *job = (gi_fill_job){.data = NULL, .n = 0, .kind = GI_JOB_NOTHING};
}

/* A job of `kind` over every element of t. */
static gi_fill_job job_over(gi_tensor t, int kind)
{
    return (gi_fill_job){.data = gi_tensor_data(t), .dtype = t->dtype,
                         .n = t->numel, .kind = kind,
                         .lo = -INFINITY, .hi = INFINITY,
                         .shard = gi_partial_shard(t) ? t : NULL};
}

void gi_job_constant(gi_fill_job *job, gi_tensor t, double value)
{
    *job = job_over(t, GI_JOB_MAP);
    job->u.map = (gi_map){GI_MAP_FILL, 0, gi_dtype_round(t->dtype, value),
                          0.0};
}

void gi_job_law(gi_fill_job *job, gi_tensor t, const gi_law *law, float lo,
                float hi)
{
    *job = job_over(t, GI_JOB_LAW);
    job->u.law = *law;
    job->lo = lo;
    job->hi = hi;
}

void gi_job_map(gi_fill_job *job, gi_tensor t, const gi_map *map)
{
    *job = job_over(t, GI_JOB_MAP);
    job->u.map = *map;
}

void gi_job_map2(gi_fill_job *job, gi_tensor t, gi_tensor other,
                 const gi_map *map)
{
    gi_job_map(job, t, map);
    job->kind = GI_JOB_MAP2;
    job->other = gi_tensor_data(other);
    job->other_dtype = other->dtype;
}

int gi_job_convert(gi_fill_job *job, void *to, int to_dtype,
                   const void *from, int from_dtype, int64_t n, int relu)
{
    if (n == 0)
        return 0;
    *job = (gi_fill_job){.data = to, .dtype = to_dtype, .n = n,
                         .kind = GI_JOB_MAP2, .lo = -INFINITY,
                         .hi = INFINITY, .other = from,
                         .other_dtype = from_dtype};
    job->u.map = (gi_map){relu ? GI_MAP_RELU_OF : GI_MAP_COPY, 0, 0.0, 0.0};
    return 1;
}

void gi_job_index(gi_fill_job *job, gi_tensor t, const gi_index_law *index)
{
    *job = job_over(t, GI_JOB_INDEX);
    job->u.index = *index;
}

/* Sets every random job's position, from gen's offset on as if the jobs
 * ran one by one (an empty job draws nothing); returns the offset after
 * them all. */
static uint64_t place_jobs(gi_fill_job *jobs, int64_t njobs,
                           gi_generator gen)
{
    uint64_t offset = gen->offset;
    for (int64_t i = 0; i < njobs; ++i) {
        jobs[i].pos = jobs[i].again ? jobs[i - 1].pos
                                    : (gi_philox_pos){gen->seed, gen->stream,
                                                      offset};
        offset += gi_job_blocks(&jobs[i]);
    }
    return offset;
}

/* Whether a job's values depend on its elements' indices: a shard's
 * such job is cut into its runs; a map (a constant) is the same on any
 * run. */
static int indexed(const gi_fill_job *job)
{
    return gi_job_random(job) || job->kind == GI_JOB_INDEX;
}

/* The boxes of sparse_'s job on shard t into out (NULL: counted only):
 * a box shard's own; a flat range's rows, whole ones together (at most
 * a partial row, whole rows, a partial row). The walk of zeros goes down
 * columns, so each box is a job of its own (docs/shards.md). */
static int64_t cut_sparse(const gi_fill_job *job, gi_tensor t,
                          gi_fill_job *out)
{
    const int64_t cols = job->sparse.cols, size = gi_elem_size(job->dtype);
    const gi_shard_info *sh = &t->shard;
    if (sh->kind == GI_SHARD_BOX || t->numel == 0) {
        if (out != NULL) {
            *out = *job;
            out->whole = gi_global_numel(t);
            out->shard = NULL;
            out->sparse.r0 = sh->start[0];
            out->sparse.c0 = sh->start[1];
            out->sparse.lcols = t->numel > 0 ? t->shape[t->ndim - 1] : 1;
        }
        return 1;
    }
    int64_t k = 0;
    for (int64_t at = sh->flat_start, end = at + t->numel; at < end; ++k) {
        const int64_t r = at / cols, c = at % cols;
        const int64_t width = c != 0 || end - at < cols
                                  ? (cols - c < end - at ? cols - c : end - at)
                                  : cols;
        const int64_t n = c != 0 || end - at < cols
                              ? width : (end - at) / cols * cols;
        if (out != NULL) {
            out[k] = *job;
            out[k].data = (char *)job->data + (at - sh->flat_start) * size;
            out[k].n = n;
            out[k].whole = gi_global_numel(t);
            out[k].again = k > 0;
            out[k].shard = NULL;
            out[k].sparse.r0 = r;
            out[k].sparse.c0 = c;
            out[k].sparse.lcols = width;
        }
        at += n;
    }
    return k;
}

/* The jobs a shard's job becomes, one per run (at least one: an empty
 * shard still advances the generator as its whole fill), into out (NULL:
 * counted only). */
static int64_t cut_job(const gi_fill_job *job, gi_fill_job *out)
{
    gi_tensor t = (gi_tensor)job->shard;
    if (t != NULL && job->kind == GI_JOB_SPARSE)
        return cut_sparse(job, t, out);
    if (t == NULL || !indexed(job)) {
        if (out != NULL) {
            *out = *job;
            out->shard = NULL;
        }
        return 1;
    }
    const int64_t runs = gi_shard_runs(t), size = gi_elem_size(job->dtype);
    for (int64_t r = 0; out != NULL && r < (runs > 0 ? runs : 1); ++r) {
        const gi_shard_run run = runs > 0 ? gi_shard_run_at(t, r)
                                          : (gi_shard_run){0, 0, 0};
        out[r] = *job;
        out[r].data = run.len > 0 ? (char *)job->data + run.local * size
                                  : NULL;
        out[r].n = run.len;
        out[r].skip = run.global;
        out[r].whole = gi_global_numel(t);
        out[r].again = r > 0;
        out[r].shard = NULL;
    }
    return runs > 0 ? runs : 1;
}

/* jobs[0..njobs) with every shard's job cut into runs, in *cut (its own
 * allocation when a job was cut, else jobs itself), and where each job's
 * first run went in (*first)[i] (NULL when none was cut). */
static gi_status cut_shards(gi_fill_job *jobs, int64_t njobs,
                            gi_fill_job **cut, int64_t *ncut,
                            int64_t **first, const char *fn)
{
    int64_t n = 0, any = 0;
    for (int64_t i = 0; i < njobs; ++i) {
        n += cut_job(&jobs[i], NULL);
        any |= jobs[i].shard != NULL;
    }
    *cut = jobs;
    *ncut = njobs;
    *first = NULL;
    if (!any)
        return GI_OK;
    gi_fill_job *c = gi_malloc((size_t)n * sizeof *c);
    int64_t *f = gi_malloc((size_t)njobs * sizeof *f);
    if (c == NULL || f == NULL) {
        free(c);
        free(f);
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "cannot allocate the %lld runs of the shards' fills",
                       (long long)n);
    }
    for (int64_t i = 0, at = 0; i < njobs; ++i) {
        f[i] = at;
        at += cut_job(&jobs[i], c + at);
    }
    *cut = c;
    *ncut = n;
    *first = f;
    return GI_OK;
}

/* A torch_cpu generator's stream is serial: a shard's random fill would
 * need every draw before its elements. */
static gi_status refuse_torch_shards(const gi_fill_job *jobs, int64_t njobs,
                                     const char *fn)
{
    for (int64_t i = 0; i < njobs; ++i)
        if (jobs[i].shard != NULL && gi_job_random(&jobs[i]))
            return gi_fail(GI_ERR_UNSUPPORTED, fn,
                           "a random fill of a shard of a larger tensor "
                           "(gi_tensor_set_shard) needs a Philox "
                           "generator; the torch_cpu generator's stream "
                           "cannot start mid-tensor");
    return GI_OK;
}

/* A QR step of a plan (orthogonal_): its normal draw into the workspace,
 * the backend's QR there; the draw's job then becomes the store into the
 * tensor, which runs with the plan's other jobs. */
gi_status gi_run_qr_step(gi_context ctx, gi_fill_job *draw, gi_qr_step *qr,
                         const char *fn)
{
    gi_tensor w = qr->work;
    gi_status st = ctx->ops->run_jobs(ctx->state, draw, 1, fn);
    if (st == GI_OK)
        st = ctx->ops->orthogonalize(ctx->state, w->dtype, gi_tensor_data(w),
                                     w->shape[0], w->numel / w->shape[0],
                                     qr->gain, fn);
    if (st == GI_OK)
        *draw = qr->store;
    return st;
}

void gi_qr_step_release(gi_qr_step *qr)
{
    gi_tensor_destroy(qr->work);
    qr->work = NULL;
}

gi_status gi_run_live_jobs(gi_context ctx, gi_fill_job *jobs, int64_t njobs,
                           const char *fn)
{
    int64_t live = 0;
    for (int64_t i = 0; i < njobs; ++i)
        if (jobs[i].n > 0)
            jobs[live++] = jobs[i];
    return live > 0 ? ctx->ops->run_jobs(ctx->state, jobs, live, fn) : GI_OK;
}

gi_status gi_run_plan(gi_context ctx, gi_fill_job *jobs, int64_t njobs,
                      gi_qr_step *qrs, int64_t nqr, gi_generator gen,
                      const char *fn)
{
    if (gen->kind == GI_GENERATOR_TORCH_CPU) {
        gi_status st = refuse_torch_shards(jobs, njobs, fn);
        return st != GI_OK ? st
                           : gi_run_plan_torch(ctx, jobs, njobs, qrs, nqr,
                                               gen, fn);
    }
    gi_fill_job *cut;
    int64_t ncut, *first;
    gi_status st = cut_shards(jobs, njobs, &cut, &ncut, &first, fn);
    if (st != GI_OK)
        return st;
    const uint64_t end = place_jobs(cut, ncut, gen);
    for (int64_t k = 0; k < nqr && st == GI_OK; ++k) {
        const int64_t d = first != NULL ? first[qrs[k].draw] : qrs[k].draw;
        st = gi_run_qr_step(ctx, &cut[d], &qrs[k], fn);
    }
    if (st == GI_OK)
        st = gi_run_live_jobs(ctx, cut, ncut, fn);
    if (st == GI_OK)
        gen->offset = end;
    if (cut != jobs) {
        free(cut);
        free(first);
    }
    return st;
}

gi_status gi_run_jobs(gi_context ctx, gi_fill_job *jobs, int64_t njobs,
                      gi_generator gen, const char *fn)
{
    return gi_run_plan(ctx, jobs, njobs, NULL, 0, gen, fn);
}

gi_status gi_run_job(gi_tensor t, gi_fill_job *job, const char *fn)
{
    gi_context ctx = t->storage->ctx;
    return gi_run_jobs(ctx, job, 1, &ctx->generator, fn);
}

gi_status gi_fill_planned(gi_tensor t, gi_fill_job *job, gi_generator gen,
                          const char *fn)
{
    return gi_run_jobs(t->storage->ctx, job, 1, gi_resolve_generator(t, gen),
                       fn);
}

gi_status gi_fill_planned_qr(gi_tensor t, gi_fill_job *job, gi_qr_step *qr,
                             gi_generator gen, const char *fn)
{
    gi_status st = gi_run_plan(t->storage->ctx, job, 1, qr,
                               qr->work != NULL, gi_resolve_generator(t, gen),
                               fn);
    gi_qr_step_release(qr);
    return st;
}
