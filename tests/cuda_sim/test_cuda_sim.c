/* What only the simulated GPU can show on a machine without one: the CUDA
 * backend's handling of runtime errors, devices without memory pools,
 * several devices, and tensors past 2^31 elements. White-box: the huge
 * fill is checked against the shared per-block definition. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>

#include "shared/laws.h"
#include "sim_control.h"
#include "test_helpers.h"

Test(cuda_sim, contexts_land_on_the_simulated_gpu)
{
    gi_context ctx = gpu_context_or_skip();
    cr_expect_eq(gi_context_device(ctx), GI_DEVICE_CUDA);
    cr_expect(strstr(gi_context_device_info(ctx), "simulator") != NULL, "%s",
                     gi_context_device_info(ctx));
    gi_context_destroy(ctx);
}

/* A refused allocation leaves the runtime's last error set; the backend
 * handles it, so the next correct call must not fail with it. */
Test(cuda_sim, a_handled_error_does_not_fail_the_next_call)
{
    gi_context ctx = gpu_context_or_skip();
    gi_tensor t = NULL;
    const int64_t huge = (int64_t)1 << 38; /* 1 TiB of floats */
    cr_assert_eq(gi_tensor_create(&t, ctx, GI_F32, 1, &huge),
                 GI_ERR_OUT_OF_MEMORY);
    const int64_t n = 1000;
    cr_assert_eq(gi_tensor_create(&t, ctx, GI_F32, 1, &n), GI_OK, "%s",
                 gi_last_error());
    cr_expect_eq(gi_uniform_(t, 0.0f, 1.0f, NULL), GI_OK, "%s",
                 gi_last_error());
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

/* What a tensor costs: ginit's allocations come from its own pool, and
 * none is left after the last tensor and the context are gone. */
Test(cuda_sim, memory_returns_when_tensors_are_destroyed)
{
    size_t before = gi_sim_bytes_in_use();
    gi_context ctx = gpu_context_or_skip();
    gi_tensor t = NULL;
    const int64_t n = 4096;
    cr_assert_eq(gi_tensor_create(&t, ctx, GI_F32, 1, &n), GI_OK);
    cr_expect_geq(gi_sim_bytes_in_use(), before + n * sizeof(float));
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
    cr_expect_eq(gi_sim_bytes_in_use(), before);
}

/* A context on device 1 works while the calling thread has device 0
 * current, and gives the thread its device back. */
Test(cuda_sim, a_context_keeps_to_its_own_device)
{
    int count = 0;
    cr_assert_eq(cudaGetDeviceCount(&count), cudaSuccess);
    if (count < 2)
        cr_skip_test("one simulated device (GINIT_SIM_DEVICES=2 runs this)");
    gi_context c1 = NULL, c0 = NULL;
    cr_assert_eq(gi_context_create_on(&c1, GI_DEVICE_CUDA, 1), GI_OK, "%s",
                 gi_last_error());
    cr_assert_eq(gi_context_create_on(&c0, GI_DEVICE_CUDA, 0), GI_OK);
    cr_expect(strstr(gi_context_device_info(c1), "device 1") != NULL, "%s",
              gi_context_device_info(c1));
    cr_assert_eq(cudaSetDevice(0), cudaSuccess);
    gi_tensor a = new_vector(c1, 10000), b = new_vector(c0, 10000);
    gi_manual_seed(c1, 9);
    gi_manual_seed(c0, 9);
    cr_assert_eq(gi_normal_(a, 0.0f, 1.0f, NULL), GI_OK, "%s",
                 gi_last_error());
    cr_assert_eq(gi_normal_(b, 0.0f, 1.0f, NULL), GI_OK);
    int dev = -1;
    cr_assert_eq(cudaGetDevice(&dev), cudaSuccess);
    cr_expect_eq(dev, 0, "the caller's current device is given back");
    float *ha = to_host(a), *hb = to_host(b);
    cr_expect(memcmp(ha, hb, 10000 * sizeof(float)) == 0);
    free(ha);
    free(hb);
    gi_tensor_destroy(a);
    gi_tensor_destroy(b);
    gi_context_destroy(c0);
    gi_context_destroy(c1);
}

Test(cuda_sim, a_missing_ordinal_is_a_clear_error)
{
    gi_context ctx = (gi_context)0x1;
    cr_expect_eq(gi_context_create_on(&ctx, GI_DEVICE_CUDA, 64),
                 GI_ERR_DEVICE_UNAVAILABLE);
    cr_expect(strstr(gi_last_error(), "no GPU 64") != NULL, "%s",
              gi_last_error());
    cr_expect_eq(ctx, (gi_context)0x1);
    unsetenv("GINIT_DEVICE"); /* AUTO itself, not what the run forces */
    cr_assert_eq(gi_context_create_on(&ctx, GI_DEVICE_AUTO, 64), GI_OK);
    cr_expect_eq(gi_context_device(ctx), GI_DEVICE_CPU);
    gi_context_destroy(ctx);
}

/* ---- device allocations that fail ----------------------------------------- */

/* Everything that allocates device memory: tensors, the batch fill's
 * table, a forward's outputs and cuBLAS, orthogonal_'s QR scratch. */
static gi_status allocating_work(gi_context ctx)
{
    gi_tensor w = NULL, x = NULL, y = NULL;
    gi_module kids[2] = {NULL, NULL}, net = NULL;
    const int64_t ws[] = {30, 40}, xs[] = {5, 7};
    gi_status st = gi_tensor_create(&w, ctx, GI_F32, 2, ws);
    if (st == GI_OK)
        st = gi_orthogonal_(w, 1.0f, NULL);
    if (st == GI_OK)
        st = gi_lazy_linear_create(&kids[0], ctx, 8, 1, GI_F32);
    if (st == GI_OK)
        st = gi_linear_create(&kids[1], ctx, 8, 3, 1, GI_F32);
    if (st == GI_OK) {
        st = gi_sequential_create(&net, ctx, 2, kids);
        if (st == GI_OK)
            kids[0] = kids[1] = NULL;
    }
    if (st == GI_OK)
        st = gi_rand(&x, ctx, 2, xs, NULL);
    if (st == GI_OK)
        st = gi_module_forward(net, x, &y);
    const gi_init normal = {.kind = GI_INIT_NORMAL, .a = 0.0f, .b = 0.5f};
    if (st == GI_OK)
        st = gi_module_init_(net, &normal, &normal, NULL);
    gi_tensor_destroy(w);
    gi_tensor_destroy(x);
    gi_tensor_destroy(y);
    gi_module_destroy(kids[0]);
    gi_module_destroy(kids[1]);
    gi_module_destroy(net);
    return st;
}

/* Each device allocation of that work failing in turn: the call fails
 * with GI_ERR_OUT_OF_MEMORY, nothing is left allocated, and the next run
 * succeeds (no error left behind in the runtime). */
Test(cuda_sim, every_failed_device_allocation_is_reported_and_released)
{
    gi_context ctx = gpu_context_or_skip();
    size_t base = gi_sim_bytes_in_use();
    cr_assert_eq(allocating_work(ctx), GI_OK, "%s", gi_last_error());
    gi_sim_fail_alloc_at(0);
    cr_assert_eq(allocating_work(ctx), GI_OK);
    int64_t total = gi_sim_fail_alloc_at(0);
    cr_assert_gt(total, 5, "the work makes %lld allocations", (long long)total);
    for (int64_t n = 1; n <= total; ++n) {
        gi_sim_fail_alloc_at(n);
        gi_status st = allocating_work(ctx);
        gi_sim_fail_alloc_at(0);
        cr_expect_eq(st, GI_ERR_OUT_OF_MEMORY, "allocation %lld: %s",
                     (long long)n, gi_last_error());
        cr_expect_eq(gi_sim_bytes_in_use(), base, "allocation %lld failing "
                     "leaves device memory behind", (long long)n);
        cr_expect_eq(allocating_work(ctx), GI_OK, "after allocation %lld "
                     "failed: %s", (long long)n, gi_last_error());
    }
    gi_context_destroy(ctx);
}

/* ---- past 2^31 elements --------------------------------------------------- */

/* Elements whose values the huge test checks, and the blocks owning them:
 * in every grid-stride kernel the work item w is done by thread
 * w % (grid * 256), and an item is 4 elements (one Philox block). */
typedef struct huge_pick {
    int64_t elems[6];
} huge_pick;

static int owns_a_pick(unsigned x, unsigned grid, void *user)
{
    const huge_pick *p = user;
    uint64_t threads = (uint64_t)grid * 256;
    for (int i = 0; i < 6; ++i) {
        uint64_t item = (uint64_t)p->elems[i] / 4;
        if ((item % threads) / 256 == x)
            return 1;
    }
    return 0;
}

/* ---- the caller's stream ---------------------------------------------------- */

/* The stream uses of the default streams, where no work of a context on
 * a stream of its own or the caller's may go. */
static int64_t default_stream_uses(void)
{
    return gi_sim_stream_uses(0) + gi_sim_stream_uses(cudaStreamLegacy) +
           gi_sim_stream_uses(cudaStreamPerThread);
}

/* Every kernel, copy, allocation, cuBLAS and cuSOLVER call of a context
 * made on the caller's stream goes to that stream: no stream is created,
 * the default streams see nothing, and the stream outlives the context. */
Test(cuda_sim, a_context_on_the_callers_stream_works_on_it_alone)
{
    cudaStream_t s = NULL;
    cr_assert_eq(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking),
                 cudaSuccess);
    const int64_t created = gi_sim_streams_created();
    const int64_t defaults = default_stream_uses(), uses = gi_sim_stream_uses(s);
    gi_context ctx = NULL;
    cr_assert_eq(gi_context_create_on_stream(&ctx, 0, s), GI_OK, "%s",
                 gi_last_error());
    void *got = NULL;
    cr_assert_eq(gi_context_stream(ctx, &got), GI_OK);
    cr_expect_eq(got, (void *)s);
    cr_assert_eq(allocating_work(ctx), GI_OK, "%s", gi_last_error());
    gi_tensor t = new_vector(ctx, 100);
    float host[100];
    cr_assert_eq(gi_tensor_copy_to_host(t, host, sizeof host), GI_OK);
    cr_assert_eq(gi_context_synchronize(ctx), GI_OK);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
    cr_expect_eq(gi_sim_streams_created(), created, "ginit made a stream");
    cr_expect_eq(default_stream_uses(), defaults,
                 "work went to a default stream");
    cr_expect_gt(gi_sim_stream_uses(s), uses + 10, "the work is on s");
    cr_expect_eq(cudaStreamSynchronize(s), cudaSuccess,
                 "the stream is still the caller's");
    cr_expect_eq(cudaStreamDestroy(s), cudaSuccess);
}

/* A context of its own makes one stream and keeps off the default ones;
 * NULL asks for the legacy default stream, and gets it. */
Test(cuda_sim, contexts_keep_to_their_streams)
{
    const int64_t created = gi_sim_streams_created();
    const int64_t defaults = default_stream_uses();
    gi_context own = NULL, legacy = NULL;
    cr_assert_eq(gi_context_create(&own, GI_DEVICE_CUDA), GI_OK);
    cr_assert_eq(allocating_work(own), GI_OK, "%s", gi_last_error());
    cr_expect_eq(gi_sim_streams_created(), created + 1);
    cr_expect_eq(default_stream_uses(), defaults);
    gi_context_destroy(own);
    cr_assert_eq(gi_context_create_on_stream(&legacy, 0, NULL), GI_OK, "%s",
                 gi_last_error());
    void *got = (void *)1;
    cr_assert_eq(gi_context_stream(legacy, &got), GI_OK);
    cr_expect_null(got);
    cr_assert_eq(allocating_work(legacy), GI_OK, "%s", gi_last_error());
    cr_expect_gt(gi_sim_stream_uses(0), 10);
    cr_expect_eq(gi_sim_streams_created(), created + 1);
    gi_context_destroy(legacy);
}

/* A stream that is no stream, or one of another GPU, is refused with a
 * message naming it, and nothing is made. */
Test(cuda_sim, a_stream_of_the_wrong_device_is_refused)
{
    int count = 0, junk = 0;
    cr_assert_eq(cudaGetDeviceCount(&count), cudaSuccess);
    gi_context ctx = (gi_context)0x1;
    cr_expect_eq(gi_context_create_on_stream(&ctx, 0, &junk),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect(strstr(gi_last_error(), "not a usable CUDA stream") != NULL,
              "%s", gi_last_error());
    cr_expect_eq(ctx, (gi_context)0x1);
    if (count < 2)
        cr_skip_test("one simulated device (GINIT_SIM_DEVICES=2 runs this)");
    cudaStream_t s1 = NULL;
    cr_assert_eq(cudaSetDevice(1), cudaSuccess);
    cr_assert_eq(cudaStreamCreateWithFlags(&s1, cudaStreamNonBlocking),
                 cudaSuccess);
    cr_assert_eq(cudaSetDevice(0), cudaSuccess);
    cr_expect_eq(gi_context_create_on_stream(&ctx, 0, s1),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect(strstr(gi_last_error(), "belongs to GPU 1, not to GPU 0") !=
                  NULL, "%s", gi_last_error());
    cr_expect_eq(ctx, (gi_context)0x1);
    cr_assert_eq(gi_context_create_on_stream(&ctx, 1, s1), GI_OK, "%s",
                 gi_last_error());
    cr_assert_eq(allocating_work(ctx), GI_OK, "%s", gi_last_error());
    gi_context_destroy(ctx);
    cr_expect_eq(cudaStreamDestroy(s1), cudaSuccess);
}

/* A 2^31 + 6 element fill, run for the blocks that own elements on both
 * sides of 2^31 and at the end: each is stored once, inside the tensor, and
 * has the value the per-block definition gives. */
Test(cuda_sim, fills_past_two_to_the_31_elements)
{
    const int64_t n = ((int64_t)1 << 31) + 6;
    huge_pick pick = {{0, 5, ((int64_t)1 << 31) - 1, (int64_t)1 << 31,
                       ((int64_t)1 << 31) + 1, n - 1}};
    int sms = 0;
    cr_assert_eq(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount,
                                        0), cudaSuccess);
    if (sms < 100) /* a block's grid-stride share would be too much work */
        cr_skip_test("%d SMs: the huge fill runs with 100 or more", sms);
    gi_sim_select_blocks(owns_a_pick, &pick);
    gi_context ctx = gpu_context_or_skip();
    gi_tensor t = NULL;
    cr_assert_eq(gi_tensor_create(&t, ctx, GI_F32, 1, &n), GI_OK, "%s",
                 gi_last_error());
    gi_manual_seed(ctx, 77);
    cr_assert_eq(gi_uniform_(t, -2.0f, 2.0f, NULL), GI_OK, "%s",
                 gi_last_error());
    gi_law law = {.kind = GI_LAW_UNIFORM,
                  .u.uniform = {-2.0f, 4.0f, gi_float_below(2.0f)}};
    for (int i = 0; i < 6; ++i) {
        int64_t e = pick.elems[i];
        const int64_t at[] = {e};
        double got = NAN;
        float want[4];
        uint32_t bits[4];
        gi_philox_block(77, 0, (uint64_t)e / 4, bits);
        gi_law_block(&law, bits, want);
        cr_assert_eq(gi_tensor_get(t, 1, at, &got), GI_OK);
        cr_expect_eq(got, want[e % 4], "element %lld: %a, want %a",
                     (long long)e, (double)got, (double)want[e % 4]);
    }
    gi_sim_select_blocks(NULL, NULL);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}
