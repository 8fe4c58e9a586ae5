/* The forward pass against a float64 reference, and its error cases. */
#include <math.h>
#include <string.h>

#include "test_helpers.h"

/* |y - ref| <= 1e-5 * (sum |x_k w_k| + |b|) elementwise: a float32 GEMM's
 * error bound scaled to what the sum is made of. */
static void check_linear(gi_tensor x, gi_module m, gi_tensor y, int relu)
{
    int64_t in = gi_linear_in_features(m), out = gi_linear_out_features(m);
    int64_t rows = gi_tensor_numel(x) / in;
    float *hx = to_host(x), *hw = to_host(gi_module_weight(m));
    float *hb = gi_module_bias(m) ? to_host(gi_module_bias(m)) : NULL;
    float *hy = to_host(y);
    cr_assert_eq(gi_tensor_numel(y), rows * out);
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t o = 0; o < out; ++o) {
            double ref = hb ? hb[o] : 0.0, mag = fabs(ref);
            for (int64_t k = 0; k < in; ++k) {
                ref += (double)hx[r * in + k] * hw[o * in + k];
                mag += fabs((double)hx[r * in + k] * hw[o * in + k]);
            }
            if (relu && ref < 0)
                ref = 0;
            double err = fabs(hy[r * out + o] - ref);
            cr_expect_leq(err, 1e-5 * mag + 1e-30, "y[%lld, %lld] = %g, ref %g",
                          (long long)r, (long long)o, (double)hy[r * out + o],
                          ref);
        }
    free(hx);
    free(hw);
    free(hb);
    free(hy);
}

static gi_tensor random_input(gi_context ctx, int ndim, const int64_t *shape)
{
    gi_tensor x = new_tensor(ctx, ndim, shape);
    cr_assert_eq(gi_normal_(x, 0.0f, 1.0f, NULL), GI_OK);
    return x;
}

Test(forward, linear_matches_float64_for_many_shapes)
{
    gi_context ctx = cpu_context();
    const struct { int ndim; int64_t shape[3]; int64_t out; int bias; } cases[] = {
        {2, {2, 4}, 8, 1},    {2, {256, 1024}, 64, 1}, {3, {3, 5, 7}, 6, 1},
        {1, {9}, 4, 1},       {2, {17, 33}, 5, 0},     {2, {1, 1}, 1, 1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c) {
        int64_t in = cases[c].shape[cases[c].ndim - 1];
        gi_module m = NULL;
        cr_assert_eq(gi_linear_create(&m, ctx, in, cases[c].out,
                                      cases[c].bias, GI_F32), GI_OK);
        gi_tensor x = random_input(ctx, cases[c].ndim, cases[c].shape), y = NULL;
        cr_assert_eq(gi_module_forward(m, x, &y), GI_OK, "%s", gi_last_error());
        cr_expect_eq(gi_tensor_ndim(y), cases[c].ndim);
        cr_expect_eq(gi_tensor_size(y, -1), cases[c].out);
        for (int d = 0; d + 1 < cases[c].ndim; ++d)
            cr_expect_eq(gi_tensor_size(y, d), cases[c].shape[d]);
        check_linear(x, m, y, 0);
        gi_tensor_destroy(x);
        gi_tensor_destroy(y);
        gi_module_destroy(m);
    }
    gi_context_destroy(ctx);
}

Test(forward, linear_without_inputs_gives_the_bias)
{
    gi_context ctx = cpu_context();
    gi_module m = NULL;
    cr_assert_eq(gi_linear_create(&m, ctx, 0, 3, 1, GI_F32), GI_OK);
    cr_assert_eq(gi_constant_(gi_module_bias(m), 2.5f), GI_OK);
    const int64_t shape[] = {4, 0};
    gi_tensor x = new_tensor(ctx, 2, shape), y = NULL;
    cr_assert_eq(gi_module_forward(m, x, &y), GI_OK);
    float *h = to_host(y);
    for (int i = 0; i < 12; ++i)
        cr_expect_eq(h[i], 2.5f);
    free(h);
    gi_tensor_destroy(x);
    gi_tensor_destroy(y);
    gi_module_destroy(m);
    gi_context_destroy(ctx);
}

Test(forward, relu_and_fused_linear_relu)
{
    gi_context ctx = cpu_context();
    gi_module r = NULL, l = NULL, net = NULL;
    cr_assert_eq(gi_relu_create(&r, ctx), GI_OK);
    const float v[] = {-1.0f, -0.0f, 0.0f, 2.0f, NAN};
    gi_tensor x = new_vector(ctx, 5), y = NULL;
    cr_assert_eq(gi_tensor_copy_from_host(x, v, sizeof v), GI_OK);
    cr_assert_eq(gi_module_forward(r, x, &y), GI_OK);
    float *h = to_host(y);
    cr_expect(h[0] == 0.0f && !signbit(h[0]));
    cr_expect(h[1] == 0.0f && signbit(h[1]), "relu(-0) is -0 as in torch");
    cr_expect(h[3] == 2.0f && isnan(h[4]));
    free(h);
    h = to_host(x);
    cr_expect_eq(h[0], -1.0f, "the input is not modified");
    free(h);
    gi_tensor_destroy(y);
    gi_tensor_destroy(x);

    gi_module_destroy(r);
    cr_assert_eq(gi_linear_create(&l, ctx, 10, 20, 1, GI_F32), GI_OK);
    cr_assert_eq(gi_relu_create(&r, ctx), GI_OK);
    gi_module kids[] = {l, r};
    cr_assert_eq(gi_sequential_create(&net, ctx, 2, kids), GI_OK);
    const int64_t shape[] = {7, 10};
    x = random_input(ctx, 2, shape);
    cr_assert_eq(gi_module_forward(net, x, &y), GI_OK);
    check_linear(x, l, y, 1);
    gi_tensor_destroy(x);
    gi_tensor_destroy(y);
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}

Test(forward, sequential_chains_and_empty_sequential_copies)
{
    gi_context ctx = cpu_context();
    gi_module a = NULL, b = NULL, r = NULL, net = NULL, empty = NULL;
    cr_assert_eq(gi_linear_create(&a, ctx, 4, 8, 1, GI_F32), GI_OK);
    cr_assert_eq(gi_relu_create(&r, ctx), GI_OK);
    cr_assert_eq(gi_linear_create(&b, ctx, 8, 1, 1, GI_F32), GI_OK);
    gi_module kids[] = {a, r, b};
    cr_assert_eq(gi_sequential_create(&net, ctx, 3, kids), GI_OK);
    const int64_t shape[] = {2, 4};
    gi_tensor x = random_input(ctx, 2, shape), y = NULL, h1 = NULL, h2 = NULL;
    cr_assert_eq(gi_module_forward(net, x, &y), GI_OK);
    cr_assert_eq(gi_module_forward(a, x, &h1), GI_OK);
    cr_assert_eq(gi_module_forward(r, h1, &h2), GI_OK);
    check_linear(h2, b, y, 0);
    cr_assert_eq(gi_sequential_create(&empty, ctx, 0, NULL), GI_OK);
    gi_tensor same = NULL;
    cr_assert_eq(gi_module_forward(empty, x, &same), GI_OK);
    float *hx = to_host(x), *hs = to_host(same);
    cr_expect(memcmp(hx, hs, 8 * sizeof(float)) == 0);
    cr_expect_neq(same, x, "a new tensor the caller owns");
    free(hx);
    free(hs);
    gi_tensor_destroy(same);
    gi_tensor_destroy(x);
    gi_tensor_destroy(y);
    gi_tensor_destroy(h1);
    gi_tensor_destroy(h2);
    gi_module_destroy(net);
    gi_module_destroy(empty);
    gi_context_destroy(ctx);
}

Test(forward, bad_inputs_change_nothing)
{
    gi_context ctx = cpu_context(), other = cpu_context();
    gi_module l0 = NULL, r = NULL, l2 = NULL, net = NULL;
    cr_assert_eq(gi_lazy_linear_create(&l0, ctx, 8, 1, GI_F32), GI_OK);
    cr_assert_eq(gi_relu_create(&r, ctx), GI_OK);
    /* wants 5 */
    cr_assert_eq(gi_linear_create(&l2, ctx, 5, 1, 1, GI_F32), GI_OK);
    gi_module kids[] = {l0, r, l2};
    cr_assert_eq(gi_sequential_create(&net, ctx, 3, kids), GI_OK);
    uint64_t offset = gi_generator_offset(gi_context_generator(ctx));
    const int64_t shape[] = {2, 4};
    gi_tensor x = new_tensor(ctx, 2, shape), y = NULL;
    cr_expect_eq(gi_module_forward(net, x, &y), GI_ERR_SHAPE);
    cr_expect_str_eq(gi_last_error(), "gi_module_forward: Linear at '2' "
                     "expects inputs whose last dimension is 5, got 8");
    cr_expect_eq(gi_module_kind_of(l0), GI_MODULE_LAZY_LINEAR,
                 "a failed first forward leaves it lazy");
    cr_expect_null(gi_module_weight(l0));
    cr_expect_eq(gi_generator_offset(gi_context_generator(ctx)), offset);
    gi_tensor s = new_tensor(ctx, 0, NULL), xo = new_tensor(other, 2, shape);
    cr_expect_eq(gi_module_forward(net, s, &y), GI_ERR_SHAPE);
    cr_expect(strstr(gi_last_error(), "at '0'") != NULL, "%s", gi_last_error());
    cr_expect_eq(gi_module_forward(net, xo, &y), GI_ERR_CONTEXT_MISMATCH);
    cr_expect_eq(gi_module_forward(net, NULL, &y), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_module_forward(net, x, NULL), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_module_forward(NULL, x, &y), GI_ERR_NULL_ARGUMENT);
    cr_expect_null(y);
    gi_tensor_destroy(x);
    gi_tensor_destroy(s);
    gi_tensor_destroy(xo);
    gi_module_destroy(net);
    gi_context_destroy(ctx);
    gi_context_destroy(other);
}

/* Intermediates handed down into a nested Sequential are owned exactly
 * once: Sequential(Linear, ReLU, Sequential(Linear, ReLU, Linear)). */
Test(forward, nested_sequentials_chain_like_a_flat_one)
{
    gi_context ctx = cpu_context();
    gi_module a = NULL, b = NULL, c = NULL, r1 = NULL, r2 = NULL;
    gi_module inner = NULL, net = NULL;
    cr_assert_eq(gi_linear_create(&a, ctx, 6, 5, 1, GI_F32), GI_OK);
    cr_assert_eq(gi_relu_create(&r1, ctx), GI_OK);
    cr_assert_eq(gi_linear_create(&b, ctx, 5, 4, 1, GI_F32), GI_OK);
    cr_assert_eq(gi_relu_create(&r2, ctx), GI_OK);
    cr_assert_eq(gi_linear_create(&c, ctx, 4, 3, 0, GI_F32), GI_OK);
    gi_module in_kids[] = {b, r2, c}, out_kids[] = {a, r1, NULL};
    cr_assert_eq(gi_sequential_create(&inner, ctx, 3, in_kids), GI_OK);
    out_kids[2] = inner;
    cr_assert_eq(gi_sequential_create(&net, ctx, 3, out_kids), GI_OK);
    const int64_t shape[] = {7, 6};
    gi_tensor x = random_input(ctx, 2, shape), y = NULL, h[5] = {NULL};
    for (int rep = 0; rep < 3; ++rep) { /* reuse: nothing freed twice */
        cr_assert_eq(gi_module_forward(net, x, &y), GI_OK, "%s", gi_last_error());
        if (rep < 2)
            gi_tensor_destroy(y);
    }
    gi_module steps[] = {a, r1, b, r2};
    gi_tensor cur = x;
    for (int i = 0; i < 4; ++i) {
        cr_assert_eq(gi_module_forward(steps[i], cur, &h[i]), GI_OK);
        cur = h[i];
    }
    check_linear(cur, c, y, 0);
    for (int i = 0; i < 4; ++i)
        gi_tensor_destroy(h[i]);
    gi_tensor_destroy(x);
    gi_tensor_destroy(y);
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}
