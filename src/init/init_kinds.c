/* gi_init, the initializers as data: a kind's plan (the top of the init
 * layer, above every plan it names) and gi_init_. */
#include "../core/internal.h"

gi_status gi_check_init_kind(const gi_init *spec, const char *arg,
                             const char *fn)
{
    int kind = (int)spec->kind;
    if (!gi_init_kind_known(kind))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument '%s->kind' has unknown value %d", arg, kind);
    return GI_OK;
}

static gi_status plan_kind(gi_tensor t, const gi_init *spec,
                           gi_fill_job *job, gi_qr_step *qr, const char *fn)
{
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
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st == GI_OK)
        gi_job_nothing(job);
    return st;
}

gi_status gi_plan_init(gi_tensor t, const gi_init *spec, const char *arg,
                       gi_fill_job *job, gi_qr_step *qr, const char *fn)
{
    qr->work = NULL;
    gi_status st = gi_check_init_kind(spec, arg, fn);
    if (st == GI_OK)
        st = plan_kind(t, spec, job, qr, fn);
    if (st == GI_OK) /* names the kind if a torch_cpu generator refuses */
        job->torch.init = (int)spec->kind;
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
