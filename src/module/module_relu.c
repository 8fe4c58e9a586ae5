/* ReLU: max(x, 0), elementwise. */
#include "module.h"

static gi_status relu_forward(gi_module m, gi_tensor x, int owned, int relu,
                              gi_tensor *y, const gi_path *where);

const gi_module_class gi_relu_class = {
    .kind = GI_MODULE_RELU,
    .name = "ReLU",
    .forward = relu_forward,
    .is_relu = 1,
};

gi_status gi_relu_create(gi_module *out, gi_context ctx)
{
    return gi_module_new(out, ctx, &gi_relu_class, "gi_relu_create");
}

static gi_status relu_forward(gi_module m, gi_tensor x, int owned, int relu,
                              gi_tensor *y, const gi_path *where)
{
    (void)m;
    (void)relu; /* no fuses_relu */
    (void)where; /* a ReLU takes every shape */
    gi_context ctx = x->storage->ctx;
    if (owned) { /* an intermediate of ours: rectify it in place */
        gi_map map = {GI_MAP_RELU, 0, 0.0, 0.0};
        gi_status st = gi_run_map(x, &map, GI_FORWARD_FN);
        if (st != GI_OK) {
            gi_tensor_destroy(x);
            return st;
        }
        *y = x;
        return GI_OK;
    }
    gi_tensor out = NULL;
    gi_status st = gi_tensor_new(&out, ctx, x->dtype, x->ndim, x->shape,
                                 GI_FORWARD_FN);
    if (st == GI_OK) {
        gi_fill_job job;
        gi_job_map2(&job, out, x, &(gi_map){GI_MAP_RELU_OF, 0, 0.0, 0.0});
        st = gi_run_job(out, &job, GI_FORWARD_FN);
    }
    if (st != GI_OK) {
        gi_tensor_destroy(out);
        return st;
    }
    *y = out;
    return GI_OK;
}
