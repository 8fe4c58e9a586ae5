/* Planned fills: describing what an initializer writes, running one plan or
 * many at once, and gi_init_, the initializers as data. */
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

gi_status gi_run_plan(gi_context ctx, gi_fill_job *jobs, int64_t njobs,
                      gi_qr_step *qrs, int64_t nqr, gi_generator gen,
                      const char *fn)
{
    const uint64_t end = place_jobs(jobs, njobs, gen);
    gi_status st = GI_OK;
    for (int64_t k = 0; k < nqr && st == GI_OK; ++k)
        st = gi_run_qr_step(ctx, &jobs[qrs[k].draw], &qrs[k], fn);
    int64_t live = 0;
    for (int64_t i = 0; i < njobs && st == GI_OK; ++i)
        if (jobs[i].n > 0)
            jobs[live++] = jobs[i];
    if (st == GI_OK && live > 0)
        st = ctx->ops->run_jobs(ctx->state, jobs, live, fn);
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

gi_status gi_check_init_kind(const gi_init *spec, const char *arg,
                             const char *fn)
{
    int kind = (int)spec->kind;
    if (!gi_init_kind_known(kind))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument '%s->kind' has unknown value %d", arg, kind);
    return GI_OK;
}

gi_status gi_plan_init(gi_tensor t, const gi_init *spec, const char *arg,
                       gi_fill_job *job, gi_qr_step *qr, const char *fn)
{
    qr->work = NULL;
    gi_status st = gi_check_init_kind(spec, arg, fn);
    if (st != GI_OK)
        return st;
    const gi_init s = *spec;
    switch (s.kind) {
    case GI_INIT_UNIFORM: return gi_plan_uniform(t, s.a, s.b, job, fn);
    case GI_INIT_NORMAL: return gi_plan_normal(t, s.a, s.b, job, fn);
    case GI_INIT_CONSTANT: return gi_plan_constant(t, s.a, job, fn);
    case GI_INIT_ZEROS: return gi_plan_constant(t, 0.0, job, fn);
    case GI_INIT_ONES: return gi_plan_constant(t, 1.0, job, fn);
    case GI_INIT_XAVIER_UNIFORM: return gi_plan_xavier(t, s.a, 0, job, fn);
    case GI_INIT_XAVIER_NORMAL: return gi_plan_xavier(t, s.a, 1, job, fn);
    case GI_INIT_KAIMING_UNIFORM:
        return gi_plan_kaiming(t, s.a, s.mode, s.nonlinearity, 0, job, fn);
    case GI_INIT_KAIMING_NORMAL:
        return gi_plan_kaiming(t, s.a, s.mode, s.nonlinearity, 1, job, fn);
    case GI_INIT_TRUNC_NORMAL:
        return gi_plan_trunc_normal(t, s.a, s.b, s.c, s.d, job, fn);
    case GI_INIT_VARIANCE_SCALING:
        return gi_plan_variance_scaling(t, s.a, s.mode, s.distribution, job,
                                        fn);
    case GI_INIT_LECUN_UNIFORM:
        return gi_plan_variance_scaling(t, 1.0, GI_FAN_IN, GI_DIST_UNIFORM,
                                        job, fn);
    case GI_INIT_LECUN_NORMAL:
        return gi_plan_variance_scaling(t, 1.0, GI_FAN_IN,
                                        GI_DIST_TRUNCATED_NORMAL, job, fn);
    case GI_INIT_MIXTURE:
        return gi_plan_mixture(t, s.k, s.components, job, fn);
    case GI_INIT_EYE: return gi_plan_eye(t, job, fn);
    case GI_INIT_DIRAC: return gi_plan_dirac(t, s.k, job, fn);
    case GI_INIT_SPARSE: return gi_plan_sparse(t, s.a, s.b, job, fn);
    case GI_INIT_ORTHOGONAL: return gi_plan_orthogonal(t, s.a, job, qr, fn);
    case GI_INIT_NONE:
        break;
    }
    st = gi_check_tensor(t, fn, "t");
    if (st == GI_OK)
        gi_job_nothing(job);
    return st;
}

gi_status gi_init_(gi_tensor t, const gi_init *spec, gi_generator gen)
{
    static const char *const fn = "gi_init_";
    GI_CHECK_NULL(spec, fn);
    gi_fill_job job;
    gi_qr_step qr;
    gi_status st = gi_plan_init(t, spec, "spec", &job, &qr, fn);
    return st != GI_OK ? st : gi_fill_planned_qr(t, &job, &qr, gen, fn);
}
