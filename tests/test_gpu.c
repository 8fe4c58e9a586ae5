/* GPU fills and operations equal the CPU's bit for bit. Skips without a
 * usable GPU, saying why. */
#include <math.h>
#include <string.h>

#include "test_helpers.h"

static gi_context gpu_context_or_skip(void)
{
    gi_context ctx = NULL;
    if (gi_context_create(&ctx, GI_DEVICE_CUDA) != GI_OK)
        cr_skip_test("no usable GPU: %s", gi_last_error());
    return ctx;
}

typedef gi_status (*fill_fn)(gi_tensor, gi_generator);

static gi_status fill_uniform(gi_tensor t, gi_generator g)
{
    return gi_uniform_(t, -0.3f, 7.25f, g);
}

static gi_status fill_normal(gi_tensor t, gi_generator g)
{
    return gi_normal_(t, 0.5f, 0.02f, g);
}

/* The same fill on both devices, at several odd sizes and offsets. */
static void compare_fill(fill_fn fill, const char *name)
{
    gi_context gpu = gpu_context_or_skip(), cpu = cpu_context();
    const int64_t sizes[] = {1, 3, 4, 5, 1023, 1000003, (1 << 24) + 7};
    gi_generator g = NULL;
    cr_assert_eq(gi_generator_create(&g, 0xfeedfacecafebeefull), GI_OK);
    gi_generator_set_stream(g, 3);
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; ++k) {
        gi_tensor a = new_vector(gpu, sizes[k]), b = new_vector(cpu, sizes[k]);
        gi_generator_set_offset(g, 11 * k);
        cr_assert_eq(fill(a, g), GI_OK, "%s", gi_last_error());
        gi_generator_set_offset(g, 11 * k);
        cr_assert_eq(fill(b, g), GI_OK);
        float *ha = to_host(a), *hb = to_host(b);
        cr_expect(memcmp(ha, hb, (size_t)sizes[k] * 4) == 0,
                  "%s: GPU and CPU differ at size %lld", name,
                  (long long)sizes[k]);
        free(ha);
        free(hb);
        gi_tensor_destroy(a);
        gi_tensor_destroy(b);
    }
    gi_generator_destroy(g);
    gi_context_destroy(gpu);
    gi_context_destroy(cpu);
}

Test(gpu, uniform_equals_cpu_bit_for_bit) { compare_fill(fill_uniform, "uniform"); }
Test(gpu, normal_equals_cpu_bit_for_bit) { compare_fill(fill_normal, "normal"); }

Test(gpu, misaligned_views_fill_like_the_cpu)
{
    gi_context gpu = gpu_context_or_skip(), cpu = cpu_context();
    gi_tensor a = new_vector(gpu, 1001), b = new_vector(cpu, 1001);
    gi_tensor va = NULL, vb = NULL;
    cr_assert_eq(gi_tensor_slice(&va, a, 3, 1000), GI_OK);
    cr_assert_eq(gi_tensor_slice(&vb, b, 3, 1000), GI_OK);
    gi_manual_seed(gpu, 5);
    gi_manual_seed(cpu, 5);
    cr_assert_eq(gi_normal_(va, 0, 1, NULL), GI_OK);
    cr_assert_eq(gi_normal_(vb, 0, 1, NULL), GI_OK);
    float *ha = to_host(a), *hb = to_host(b);
    cr_expect(memcmp(ha, hb, 1001 * 4) == 0);
    free(ha);
    free(hb);
    gi_tensor_destroy(va);
    gi_tensor_destroy(vb);
    gi_tensor_destroy(a);
    gi_tensor_destroy(b);
    gi_context_destroy(gpu);
    gi_context_destroy(cpu);
}

Test(gpu, elementwise_ops_and_element_access_match_the_cpu)
{
    gi_context gpu = gpu_context_or_skip(), cpu = cpu_context();
    const int64_t shape[] = {257, 129};
    gi_tensor a = new_tensor(gpu, 2, shape), b = new_tensor(cpu, 2, shape);
    gi_tensor *both[2] = {&a, &b};
    for (int d = 0; d < 2; ++d) {
        gi_tensor t = *both[d];
        gi_manual_seed(gi_tensor_context(t), 8);
        cr_assert_eq(gi_uniform_(t, -10, 10, NULL), GI_OK);
        cr_assert_eq(gi_mul_mask_(t, GI_ABS_GE, 5), GI_OK);
        cr_assert_eq(gi_add_scalar_(t, 1), GI_OK);
        cr_assert_eq(gi_mul_scalar_(t, 0.5f), GI_OK);
        cr_assert_eq(gi_clamp_(t, -4, 4), GI_OK);
        cr_assert_eq(gi_masked_fill_(t, GI_EQ, 0.5f, -1), GI_OK);
        gi_tensor twin = NULL;
        cr_assert_eq(gi_tensor_clone(&twin, t), GI_OK);
        cr_assert_eq(gi_uniform_(twin, -1, 1, NULL), GI_OK);
        cr_assert_eq(gi_add_(t, twin, 0.25f), GI_OK);
        cr_assert_eq(gi_mul_(t, twin), GI_OK);
        gi_tensor_destroy(twin);
        const int64_t i00[] = {0, 0};
        cr_assert_eq(gi_tensor_set(t, 2, i00, 42), GI_OK);
    }
    float *ha = to_host(a), *hb = to_host(b);
    cr_expect(memcmp(ha, hb, sizeof(float) * 257 * 129) == 0);
    cr_expect_eq(ha[0], 42.0f);
    free(ha);
    free(hb);
    gi_tensor c = NULL;
    cr_assert_eq(gi_tensor_clone(&c, a), GI_OK);
    cr_assert_eq(gi_tensor_copy_(b, c), GI_OK); /* GPU -> CPU */
    gi_tensor_destroy(a);
    gi_tensor_destroy(b);
    gi_tensor_destroy(c);
    gi_context_destroy(gpu);
    gi_context_destroy(cpu);
}

/* cuBLAS and OpenBLAS sum in different orders: the same net on the same
 * parameters agrees to float32 rounding, not to the bit. */
Test(gpu, forward_matches_the_cpu)
{
    gi_context gpu = gpu_context_or_skip(), cpu = cpu_context();
    gi_module nets[2] = {NULL, NULL};
    gi_tensor ys[2] = {NULL, NULL};
    gi_context ctxs[2] = {gpu, cpu};
    const int64_t shape[] = {256, 1024};
    for (int d = 0; d < 2; ++d) {
        gi_module kids[3] = {NULL, NULL, NULL};
        gi_manual_seed(ctxs[d], 3);
        cr_assert_eq(gi_lazy_linear_create(&kids[0], ctxs[d], 512, 1), GI_OK);
        cr_assert_eq(gi_relu_create(&kids[1], ctxs[d]), GI_OK);
        cr_assert_eq(gi_lazy_linear_create(&kids[2], ctxs[d], 10, 1), GI_OK);
        cr_assert_eq(gi_sequential_create(&nets[d], ctxs[d], 3, kids), GI_OK);
        gi_tensor x = NULL;
        cr_assert_eq(gi_rand(&x, ctxs[d], 2, shape, NULL), GI_OK);
        cr_assert_eq(gi_module_forward(nets[d], x, &ys[d]), GI_OK, "%s",
                     gi_last_error());
        gi_tensor_destroy(x);
    }
    gi_module l0 = NULL, l1 = NULL;
    cr_assert_eq(gi_module_child(nets[0], 0, &l0), GI_OK);
    cr_assert_eq(gi_module_child(nets[1], 0, &l1), GI_OK);
    float *w0 = to_host(gi_module_weight(l0)), *w1 = to_host(gi_module_weight(l1));
    cr_expect(memcmp(w0, w1, 512 * 1024 * sizeof(float)) == 0,
              "LazyLinear draws the same parameters on both devices");
    free(w0);
    free(w1);
    float *a = to_host(ys[0]), *b = to_host(ys[1]);
    double worst = 0;
    for (int i = 0; i < 256 * 10; ++i)
        worst = fmax(worst, fabs((double)a[i] - b[i]) / (fabs((double)b[i]) + 1e-3));
    cr_expect_leq(worst, 1e-4, "worst relative difference %g", worst);
    free(a);
    free(b);
    for (int d = 0; d < 2; ++d) {
        gi_tensor_destroy(ys[d]);
        gi_module_destroy(nets[d]);
    }
    gi_context_destroy(gpu);
    gi_context_destroy(cpu);
}
