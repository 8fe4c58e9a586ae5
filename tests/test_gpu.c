/* GPU fills and operations equal the CPU's bit for bit. Skips without a
 * usable GPU, saying why. */
#include <math.h>
#include <string.h>

#include "test_helpers.h"

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
/* Each output of a float32 dot product of length k (plus a bias) is within
 * gamma_{k+1} * (sum |x_i w_i| + |b|) of the exact value, gamma_n =
 * n u / (1 - n u) with u = 2^-24, whatever the summation order; two
 * devices' outputs are within twice that of each other. */
static void expect_within_gemm_bound(gi_tensor x, gi_module lin,
                                     gi_tensor ya, gi_tensor yb)
{
    int64_t in = gi_linear_in_features(lin), out = gi_linear_out_features(lin);
    int64_t rows = gi_tensor_numel(x) / in;
    float *hx = to_host(x), *hw = to_host(gi_module_weight(lin));
    float *hb = to_host(gi_module_bias(lin));
    float *a = to_host(ya), *b = to_host(yb);
    const double u = ldexp(1.0, -24), gamma = (in + 1) * u / (1 - (in + 1) * u);
    double worst = 0;
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t o = 0; o < out; ++o) {
            double mag = fabs((double)hb[o]);
            for (int64_t k = 0; k < in; ++k)
                mag += fabs((double)hx[r * in + k] * hw[o * in + k]);
            double d = fabs((double)a[r * out + o] - b[r * out + o]);
            worst = fmax(worst, d / (2 * gamma * mag + 1e-300));
        }
    cr_expect_leq(worst, 1.0, "GPU and CPU differ by %g of the bound", worst);
    free(hx);
    free(hw);
    free(hb);
    free(a);
    free(b);
}

/* A Linear(1024 -> 512), ReLU, Linear(512 -> 10) net on both devices, each
 * Linear given the same input on both (the CPU's), so each layer's outputs
 * are compared within the GEMM error bound. */
Test(gpu, forward_matches_the_cpu)
{
    gi_context gpu = gpu_context_or_skip(), cpu = cpu_context();
    gi_context ctxs[2] = {gpu, cpu};
    gi_module layers[2][2];
    const int64_t sizes[2] = {512, 10};
    int64_t shape[] = {256, 1024};
    for (int d = 0; d < 2; ++d) {
        gi_manual_seed(ctxs[d], 3);
        for (int l = 0; l < 2; ++l)
            cr_assert_eq(gi_lazy_linear_create(&layers[d][l], ctxs[d],
                                               sizes[l], 1, GI_F32), GI_OK);
    }
    gi_tensor x = NULL;
    gi_generator g = NULL; /* the input's own, so both devices' defaults
                              draw the same parameters */
    cr_assert_eq(gi_generator_create(&g, 11), GI_OK);
    cr_assert_eq(gi_rand(&x, cpu, 2, shape, g), GI_OK);
    gi_generator_destroy(g);
    for (int l = 0; l < 2; ++l) {
        gi_tensor yg = NULL, yc = NULL, xgpu = new_tensor(gpu, 2, shape);
        cr_assert_eq(gi_tensor_copy_(xgpu, x), GI_OK);
        cr_assert_eq(gi_module_forward(layers[0][l], xgpu, &yg), GI_OK, "%s",
                     gi_last_error());
        cr_assert_eq(gi_module_forward(layers[1][l], x, &yc), GI_OK);
        float *w0 = to_host(gi_module_weight(layers[0][l]));
        float *w1 = to_host(gi_module_weight(layers[1][l]));
        cr_expect(memcmp(w0, w1, (size_t)gi_tensor_numel(
                      gi_module_weight(layers[1][l])) * 4) == 0,
                  "LazyLinear draws the same parameters on both devices");
        free(w0);
        free(w1);
        expect_within_gemm_bound(x, layers[1][l], yg, yc);
        cr_assert_eq(gi_clamp_(yc, 0.0f, INFINITY), GI_OK); /* ReLU */
        gi_tensor_destroy(x);
        x = yc;
        shape[1] = sizes[l];
        gi_tensor_destroy(xgpu);
        gi_tensor_destroy(yg);
    }
    gi_tensor_destroy(x);
    for (int d = 0; d < 2; ++d)
        for (int l = 0; l < 2; ++l)
            gi_module_destroy(layers[d][l]);
    gi_context_destroy(gpu);
    gi_context_destroy(cpu);
}

/* Every other random or structured initializer, GPU against CPU, bit for
 * bit, on an odd-sized conv-like weight. */
static gi_status init_xavier_u(gi_tensor t) { return gi_xavier_uniform_(t, 1.3f, NULL); }
static gi_status init_xavier_n(gi_tensor t) { return gi_xavier_normal_(t, 0.7f, NULL); }
static gi_status init_kaiming_u(gi_tensor t)
{
    return gi_kaiming_uniform_(t, 0.1f, GI_FAN_OUT, GI_NONLIN_LEAKY_RELU, NULL);
}
static gi_status init_kaiming_n(gi_tensor t)
{
    return gi_kaiming_normal_(t, 0.0f, GI_FAN_IN, GI_NONLIN_RELU, NULL);
}
static gi_status init_trunc(gi_tensor t) { return gi_trunc_normal_(t, 0.1f, 2, -1, 3, NULL); }
static gi_status init_trunc_tail(gi_tensor t) { return gi_trunc_normal_(t, 0, 1, 5, 8, NULL); }
static gi_status init_trunc_narrow(gi_tensor t)
{
    return gi_trunc_normal_(t, 0, 1, 10, 10.00001f, NULL);
}
static gi_status init_lecun_n(gi_tensor t) { return gi_lecun_normal_(t, NULL); }
static gi_status init_vs(gi_tensor t)
{
    return gi_variance_scaling_(t, 2, GI_FAN_AVG, GI_DIST_UNIFORM, NULL);
}
static gi_status init_mixture(gi_tensor t)
{
    const gi_component c[] = {{0.2f, GI_COMPONENT_NORMAL, 1, 0.5f},
                              {0.5f, GI_COMPONENT_CONSTANT, 0, 0},
                              {0.3f, GI_COMPONENT_UNIFORM, -10, -5}};
    return gi_mixture_(t, 3, c, NULL);
}
static gi_status init_dirac(gi_tensor t) { return gi_dirac_(t, 3); }

Test(gpu, every_initializer_equals_cpu_bit_for_bit)
{
    gi_context gpu = gpu_context_or_skip(), cpu = cpu_context();
    const struct { const char *name; gi_status (*init)(gi_tensor); } inits[] = {
        {"xavier_uniform_", init_xavier_u}, {"xavier_normal_", init_xavier_n},
        {"kaiming_uniform_", init_kaiming_u}, {"kaiming_normal_", init_kaiming_n},
        {"trunc_normal_", init_trunc}, {"trunc_normal_ tail", init_trunc_tail},
        {"trunc_normal_ narrow", init_trunc_narrow},
        {"lecun_normal_", init_lecun_n}, {"variance_scaling_", init_vs},
        {"mixture_", init_mixture}, {"dirac_", init_dirac},
    };
    const int64_t shape[] = {129, 67, 3, 5};
    const size_t n = 129 * 67 * 3 * 5;
    for (size_t k = 0; k < sizeof inits / sizeof *inits; ++k) {
        gi_tensor a = new_tensor(gpu, 4, shape), b = new_tensor(cpu, 4, shape);
        gi_manual_seed(gpu, 40 + k);
        gi_manual_seed(cpu, 40 + k);
        cr_assert_eq(inits[k].init(a), GI_OK, "%s", gi_last_error());
        cr_assert_eq(inits[k].init(b), GI_OK);
        float *ha = to_host(a), *hb = to_host(b);
        cr_expect(memcmp(ha, hb, n * sizeof(float)) == 0, "%s differs",
                  inits[k].name);
        free(ha);
        free(hb);
        gi_tensor_destroy(a);
        gi_tensor_destroy(b);
    }
    const int64_t mat[] = {1001, 333};
    gi_tensor a = new_tensor(gpu, 2, mat), b = new_tensor(cpu, 2, mat);
    gi_manual_seed(gpu, 9);
    gi_manual_seed(cpu, 9);
    cr_assert_eq(gi_sparse_(a, 0.37f, 0.02f, NULL), GI_OK, "%s", gi_last_error());
    cr_assert_eq(gi_sparse_(b, 0.37f, 0.02f, NULL), GI_OK);
    float *ha = to_host(a), *hb = to_host(b);
    cr_expect(memcmp(ha, hb, 1001 * 333 * sizeof(float)) == 0, "sparse_ differs");
    free(ha);
    free(hb);
    cr_assert_eq(gi_eye_(a), GI_OK);
    cr_assert_eq(gi_eye_(b), GI_OK);
    ha = to_host(a);
    hb = to_host(b);
    cr_expect(memcmp(ha, hb, 1001 * 333 * sizeof(float)) == 0, "eye_ differs");
    free(ha);
    free(hb);
    gi_tensor_destroy(a);
    gi_tensor_destroy(b);
    gi_context_destroy(gpu);
    gi_context_destroy(cpu);
}

/* The same tree on a context: odd sizes, no bias, zero-size layers. */
static gi_module gpu_test_tree(gi_context ctx)
{
    const int64_t sizes[][3] = {{301, 257, 1}, {257, 129, 0}, {129, 7, 1},
                                {7, 0, 1}, {0, 3, 1}};
    gi_module net = NULL;
    cr_assert_eq(gi_sequential_create(&net, ctx, 0, NULL), GI_OK);
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; ++i) {
        gi_module l = NULL;
        cr_assert_eq(gi_linear_create(&l, ctx, sizes[i][0], sizes[i][1],
                                      (int)sizes[i][2], GI_F32), GI_OK, "%s",
                     gi_last_error());
        cr_assert_eq(gi_sequential_append(net, l), GI_OK);
    }
    return net;
}

/* A whole tree in one kernel launch gives the CPU's bits and offset. */
Test(gpu, module_init_equals_cpu_bit_for_bit)
{
    gi_context gpu = gpu_context_or_skip(), cpu = cpu_context();
    static const gi_component chapter[] = {
        {0.25f, GI_COMPONENT_UNIFORM, 5, 10},
        {0.5f, GI_COMPONENT_CONSTANT, 0, 0},
        {0.25f, GI_COMPONENT_UNIFORM, -10, -5}};
    const gi_init specs[][2] = {
        {{.kind = GI_INIT_XAVIER_UNIFORM, .a = 1}, {.kind = GI_INIT_ZEROS}},
        {{.kind = GI_INIT_KAIMING_NORMAL, .nonlinearity = GI_NONLIN_RELU},
         {.kind = GI_INIT_MIXTURE, .k = 3, .components = chapter}},
        {{.kind = GI_INIT_TRUNC_NORMAL, .b = 1, .c = -2, .d = 2},
         {.kind = GI_INIT_UNIFORM, .a = 0.5f, .b = 0.5f}},
        {{.kind = GI_INIT_LECUN_NORMAL},
         {.kind = GI_INIT_NORMAL, .a = 1, .b = 0.1f}},
        {{.kind = GI_INIT_VARIANCE_SCALING, .a = 2, .mode = GI_FAN_AVG,
          .distribution = GI_DIST_UNIFORM},
         {.kind = GI_INIT_ONES}},
        {{.kind = GI_INIT_MIXTURE, .k = 3, .components = chapter},
         {.kind = GI_INIT_TRUNC_NORMAL, .b = 1, .c = 5, .d = 8}},
    };
    gi_module nets[2] = {gpu_test_tree(gpu), gpu_test_tree(cpu)};
    params ps[2] = {params_of(nets[0]), params_of(nets[1])};
    gi_generator g = NULL;
    cr_assert_eq(gi_generator_create(&g, 0xabcdefull), GI_OK);
    for (size_t s = 0; s < sizeof specs / sizeof *specs; ++s) {
        uint64_t offsets[2];
        for (int d = 0; d < 2; ++d) {
            gi_generator_set_offset(g, 13 + s);
            cr_assert_eq(gi_module_init_(nets[d], &specs[s][0], &specs[s][1],
                                         g), GI_OK, "%s", gi_last_error());
            offsets[d] = gi_generator_offset(g);
        }
        cr_expect_eq(offsets[0], offsets[1], "specs %zu: offsets differ", s);
        snapshot on_gpu = take(&ps[0]), on_cpu = take(&ps[1]);
        char what[32];
        snprintf(what, sizeof what, "specs %zu", s);
        expect_same(&ps[0], &on_gpu, &on_cpu, what);
        drop(&on_gpu);
        drop(&on_cpu);
    }
    gi_generator_destroy(g);
    gi_module_destroy(nets[0]);
    gi_module_destroy(nets[1]);
    gi_context_destroy(gpu);
    gi_context_destroy(cpu);
}
