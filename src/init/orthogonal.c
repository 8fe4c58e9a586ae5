/* torch.nn.init.orthogonal_: a random (semi-)orthogonal matrix times gain,
 * as a plan (gi_plan_orthogonal: a normal draw into a workspace, a QR step,
 * a store job) that gi_init_ and gi_module_init_ run like any other. The
 * QR itself is the backend's (qr_cpu.c, qr_cuda.c; layout in
 * orthogonal.h). */
#include <math.h>

#include "../core/internal.h"
#include "orthogonal.h"

gi_status gi_check_qr_dtype(gi_dtype dtype, const char *fn)
{
    if (dtype == GI_F32 || dtype == GI_F64)
        return GI_OK;
    return gi_fail(GI_ERR_UNSUPPORTED, fn,
                   "a QR in %s: orthogonal_ factors in float32 or float64",
                   gi_dtype_name(dtype));
}

gi_status gi_plan_orthogonal(gi_tensor t, double gain, gi_fill_job *job,
                             gi_qr_step *qr, const char *fn)
{
    *qr = (gi_qr_step){.work = NULL, .draw = 0, .gain = gain};
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st != GI_OK)
        return st;
    if (t->ndim < 2)
        return gi_fail(GI_ERR_SHAPE, fn,
                       "only tensors with 2 or more dimensions are "
                       "supported, got %d", t->ndim);
    if (!isfinite(gain))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'gain' must be finite, got %g", gain);
    st = gi_refuse_partial_shard(t, "orthogonal_", fn);
    if (st != GI_OK)
        return st;
    if (t->numel == 0) {
        gi_job_nothing(job);
        return GI_OK;
    }
    /* The workspace is float64 for a float64 t, else float32: the 16-bit
     * types compute in float32 and round once, at the store. Allocated
     * now, so that running the plan allocates nothing of its own. */
    const gi_dtype work = t->dtype == GI_F64 ? GI_F64 : GI_F32;
    st = gi_tensor_new(&qr->work, t->storage->ctx, work, t->ndim, t->shape,
                       fn);
    if (st == GI_OK)
        st = gi_job_normal(job, qr->work, 0.0, 1.0, NULL, 0.0, fn);
    if (st != GI_OK) {
        gi_qr_step_release(qr);
        return st;
    }
    gi_job_map2(&qr->store, t, qr->work,
                &(gi_map){GI_MAP_COPY, 0, 0.0, 0.0});
    return GI_OK;
}

gi_status gi_orthogonal_(gi_tensor t, double gain, gi_generator gen)
{
    static const char *const fn = "gi_orthogonal_";
    gi_fill_job job;
    gi_qr_step qr;
    gi_status st = gi_plan_orthogonal(t, gain, &job, &qr, fn);
    return st != GI_OK ? st : gi_fill_planned_qr(t, &job, &qr, gen, fn);
}
