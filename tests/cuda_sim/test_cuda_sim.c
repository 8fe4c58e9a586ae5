/* The simulator itself, and what only it can show without a GPU. */
#include "test_helpers.h"
#include "sim_control.h"

Test(cuda_sim, contexts_land_on_the_simulated_gpu)
{
    gi_context ctx = NULL;
    cr_assert_eq(gi_context_create(&ctx, GI_DEVICE_AUTO), GI_OK, "%s",
                 gi_last_error());
    cr_expect_eq(gi_context_device(ctx), GI_DEVICE_CUDA, "%s",
                 gi_context_device_info(ctx));
    gi_context_destroy(ctx);
}
