/* Planned fills, the bottom of the init layer: describing what an
 * initializer writes (the job constructors) and running one plan or many
 * at once, QR steps included. The plans themselves (init_basic.c,
 * init_special.c, init_fan.c, orthogonal.c) build on this file and
 * init_kinds.c dispatches to them, so no file calls back up. */
#include <math.h>

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
                         .lo = -INFINITY, .hi = INFINITY};
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
        jobs[i].pos = (gi_philox_pos){gen->seed, gen->stream, offset};
        offset += gi_job_blocks(&jobs[i]);
    }
    return offset;
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
    if (gen->kind == GI_GENERATOR_TORCH_CPU)
        return gi_run_plan_torch(ctx, jobs, njobs, qrs, nqr, gen, fn);
    const uint64_t end = place_jobs(jobs, njobs, gen);
    gi_status st = GI_OK;
    for (int64_t k = 0; k < nqr && st == GI_OK; ++k)
        st = gi_run_qr_step(ctx, &jobs[qrs[k].draw], &qrs[k], fn);
    if (st == GI_OK)
        st = gi_run_live_jobs(ctx, jobs, njobs, fn);
    if (st == GI_OK)
        gen->offset = end;
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
