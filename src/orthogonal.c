/* torch.nn.init.orthogonal_: a random (semi-)orthogonal matrix times gain.
 * The QR itself is the backend's (qr_cpu.c, qr_cuda.c; layout in
 * orthogonal.h). */
#include <math.h>

#include "internal.h"

gi_status gi_orthogonal_(gi_tensor t, double gain, gi_generator gen)
{
    static const char *const fn = "gi_orthogonal_";
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
    if (t->numel == 0)
        return GI_OK;

    /* flat = normal(0, 1) rows x cols (t's shape, row-major), drawn into
     * a workspace so that a failure leaves t untouched; t gets the result
     * only on success. The workspace is float64 for a float64 t, else
     * float32: the 16-bit types compute in float32 and round once, at the
     * copy. */
    const gi_dtype work = t->dtype == GI_F64 ? GI_F64 : GI_F32;
    const int64_t rows = t->shape[0], cols = t->numel / rows;
    gi_context ctx = t->storage->ctx;
    gi_generator g = gi_resolve_generator(t, gen);
    const uint64_t offset = g->offset;
    gi_tensor w = NULL;
    st = gi_tensor_new(&w, ctx, work, t->ndim, t->shape, fn);
    if (st == GI_OK) {
        gi_law law = {.kind = GI_LAW_NORMAL,
                      .u.normal = {.mean = 0.0f, .std = 1.0f}};
        gi_fill_job job;
        gi_job_law(&job, w, &law, -INFINITY, INFINITY);
        st = gi_fill_planned(w, &job, g, fn);
    }
    if (st == GI_OK)
        st = ctx->ops->orthogonalize(ctx->state, work, gi_tensor_data(w),
                                     rows, cols, gain, fn);
    if (st == GI_OK)
        st = gi_copy_tensor(t, w, fn);
    if (st != GI_OK)
        g->offset = offset;
    gi_tensor_destroy(w);
    return st;
}
