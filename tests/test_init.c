/* The torch.nn.init initializers beyond uniform/normal: gains, fans, the
 * fan-based laws' scales, eye, dirac, trunc_normal, sparse, mixture,
 * variance scaling, and every bad input. */
#include <math.h>
#include <string.h>

#include "test_helpers.h"

Test(gain, matches_torch_calculate_gain)
{
    const struct { gi_nonlinearity nl; const char *name; float want; } cases[] = {
        {GI_NONLIN_LINEAR, "linear", 1.0f},
        {GI_NONLIN_CONV1D, "conv1d", 1.0f},
        {GI_NONLIN_CONV2D, "conv2d", 1.0f},
        {GI_NONLIN_CONV3D, "conv3d", 1.0f},
        {GI_NONLIN_CONV_TRANSPOSE1D, "conv_transpose1d", 1.0f},
        {GI_NONLIN_CONV_TRANSPOSE2D, "conv_transpose2d", 1.0f},
        {GI_NONLIN_CONV_TRANSPOSE3D, "conv_transpose3d", 1.0f},
        {GI_NONLIN_SIGMOID, "sigmoid", 1.0f},
        {GI_NONLIN_TANH, "tanh", 5.0f / 3.0f},
        {GI_NONLIN_RELU, "relu", 1.41421356f},
        {GI_NONLIN_LEAKY_RELU, "leaky_relu", 1.41414285f}, /* slope 0.01 */
        {GI_NONLIN_SELU, "selu", 0.75f},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i) {
        double g = 0;
        gi_nonlinearity parsed;
        cr_assert_eq(gi_calculate_gain(cases[i].nl, NULL, &g), GI_OK);
        cr_expect_float_eq(g, cases[i].want, 1e-6f, "%s", cases[i].name);
        cr_expect_str_eq(gi_nonlinearity_name(cases[i].nl), cases[i].name);
        cr_assert_eq(gi_nonlinearity_from_name(cases[i].name, &parsed), GI_OK);
        cr_expect_eq(parsed, cases[i].nl);
    }
    double g = 0, slope = 0.2, sqrt5 = sqrt(5.0);
    cr_assert_eq(gi_calculate_gain(GI_NONLIN_LEAKY_RELU, &slope, &g), GI_OK);
    cr_expect_eq(g, sqrt(2.0 / (1.0 + 0.2 * 0.2)));
    cr_assert_eq(gi_calculate_gain(GI_NONLIN_LEAKY_RELU, &sqrt5, &g), GI_OK);
    cr_expect_float_eq(g, sqrt(1.0 / 3.0), 1e-15);
    cr_assert_eq(gi_calculate_gain(GI_NONLIN_RELU, &slope, &g), GI_OK);
    cr_expect_float_eq(g, 1.41421356f, 1e-6f, "param is ignored");
}

Test(gain, bad_inputs)
{
    double g = 0, nan = NAN;
    gi_nonlinearity nl;
    cr_expect_eq(gi_calculate_gain((gi_nonlinearity)12, NULL, &g),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_str_eq(gi_last_error(),
                     "gi_calculate_gain: unsupported nonlinearity 12");
    cr_expect_eq(gi_calculate_gain(GI_NONLIN_LEAKY_RELU, &nan, &g),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_calculate_gain(GI_NONLIN_RELU, NULL, NULL),
                 GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_nonlinearity_from_name("gelu", &nl),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_str_eq(gi_last_error(), "gi_nonlinearity_from_name: "
                     "unsupported nonlinearity 'gelu'");
    cr_expect_eq(gi_nonlinearity_from_name(NULL, &nl), GI_ERR_NULL_ARGUMENT);
    cr_expect_str_eq(gi_nonlinearity_name((gi_nonlinearity)-1), "unknown");
}

Test(fans, of_linear_and_conv_weights)
{
    gi_context ctx = cpu_context();
    const int64_t lin[] = {8, 4}, conv[] = {16, 3, 5, 7};
    gi_tensor a = new_tensor(ctx, 2, lin), b = new_tensor(ctx, 4, conv);
    gi_tensor v = new_vector(ctx, 5);
    int64_t in = 0, out = 0;
    cr_assert_eq(gi_calculate_fans(a, &in, &out), GI_OK);
    cr_expect(in == 4 && out == 8);
    cr_assert_eq(gi_calculate_fans(b, &in, &out), GI_OK);
    cr_expect(in == 3 * 35 && out == 16 * 35);
    cr_expect_eq(gi_calculate_fans(b, NULL, &out), GI_OK);
    cr_expect_eq(gi_calculate_fans(v, &in, &out), GI_ERR_SHAPE);
    cr_expect_str_eq(gi_last_error(), "gi_calculate_fans: tensor has 1 "
                     "dimension; fan-based initializers need at least 2");
    gi_tensor_destroy(a);
    gi_tensor_destroy(b);
    gi_tensor_destroy(v);
    gi_context_destroy(ctx);
}

/* max |t| over a host copy */
static float max_abs(gi_tensor t)
{
    float *h = to_host(t), m = 0;
    for (int64_t i = 0; i < gi_tensor_numel(t); ++i)
        m = fmaxf(m, fabsf(h[i]));
    free(h);
    return m;
}

/* The uniform laws' bound: max |value| is just under the formula's bound
 * (within 0.2% with 2^16+ samples), never above it. */
Test(fan_laws, uniform_bounds_follow_the_formulas)
{
    gi_context ctx = cpu_context();
    const int64_t lin[] = {512, 256}, conv[] = {64, 32, 3, 3};
    gi_tensor ts[2] = {new_tensor(ctx, 2, lin), new_tensor(ctx, 4, conv)};
    const double fin[2] = {256, 288}, fout[2] = {512, 576};
    for (int i = 0; i < 2; ++i) {
        double b = 2.0 * sqrt(6.0 / (fin[i] + fout[i]));
        cr_assert_eq(gi_xavier_uniform_(ts[i], 2.0f, NULL), GI_OK);
        float m = max_abs(ts[i]);
        cr_expect(m < (float)b && m > 0.998 * b, "xavier %d: %g vs %g", i,
                  (double)m, b);
        const gi_fan_mode modes[] = {GI_FAN_IN, GI_FAN_OUT};
        for (int k = 0; k < 2; ++k) {
            double fan = k ? fout[i] : fin[i];
            double kb = sqrt(3.0) * sqrt(2.0) / sqrt(fan);
            cr_assert_eq(gi_kaiming_uniform_(ts[i], 0, modes[k], GI_NONLIN_RELU,
                                             NULL), GI_OK);
            m = max_abs(ts[i]);
            cr_expect(m < (float)kb && m > 0.998 * kb, "kaiming %d/%d: %g vs %g",
                      i, k, (double)m, kb);
        }
        cr_assert_eq(gi_lecun_uniform_(ts[i], NULL), GI_OK);
        m = max_abs(ts[i]);
        double lb = sqrt(3.0 / fin[i]);
        cr_expect(m < (float)lb && m > 0.998 * lb, "lecun %d", i);
        gi_tensor_destroy(ts[i]);
    }
    gi_context_destroy(ctx);
}

/* The fan-based uniforms are exactly uniform_(-bound, bound) with the bound
 * computed in double: same seed, same bits. */
Test(fan_laws, are_uniform_and_normal_with_the_documented_scale)
{
    gi_context ctx = cpu_context();
    const int64_t shape[] = {40, 30, 2};
    gi_tensor a = new_tensor(ctx, 3, shape), b = new_tensor(ctx, 3, shape);
    const double fin = 60, fout = 80;
    gi_manual_seed(ctx, 1);
    cr_assert_eq(gi_xavier_uniform_(a, 1.5f, NULL), GI_OK);
    gi_manual_seed(ctx, 1);
    float bound = (float)(sqrt(3.0) * 1.5 * sqrt(2.0 / (fin + fout)));
    cr_assert_eq(gi_uniform_(b, -bound, bound, NULL), GI_OK);
    float *ha = to_host(a), *hb = to_host(b);
    cr_expect(memcmp(ha, hb, 2400 * sizeof(float)) == 0, "xavier_uniform_");
    free(ha);
    free(hb);

    gi_manual_seed(ctx, 2);
    cr_assert_eq(gi_kaiming_normal_(a, 0.1f, GI_FAN_OUT, GI_NONLIN_LEAKY_RELU,
                                    NULL), GI_OK);
    gi_manual_seed(ctx, 2);
    double std = sqrt(2.0 / (1.0 + (double)0.1f * 0.1f)) / sqrt(fout);
    cr_assert_eq(gi_normal_(b, 0.0f, (float)std, NULL), GI_OK);
    ha = to_host(a);
    hb = to_host(b);
    cr_expect(memcmp(ha, hb, 2400 * sizeof(float)) == 0, "kaiming_normal_");
    free(ha);
    free(hb);

    gi_manual_seed(ctx, 3);
    cr_assert_eq(gi_xavier_normal_(a, 1.0f, NULL), GI_OK);
    gi_manual_seed(ctx, 3);
    cr_assert_eq(gi_normal_(b, 0.0f, (float)sqrt(2.0 / (fin + fout)), NULL),
                 GI_OK);
    ha = to_host(a);
    hb = to_host(b);
    cr_expect(memcmp(ha, hb, 2400 * sizeof(float)) == 0, "xavier_normal_");
    free(ha);
    free(hb);

    gi_manual_seed(ctx, 4);
    cr_assert_eq(gi_variance_scaling_(a, 2.0f, GI_FAN_AVG, GI_DIST_NORMAL, NULL),
                 GI_OK);
    gi_manual_seed(ctx, 4);
    cr_assert_eq(gi_normal_(b, 0.0f, (float)sqrt(2.0 / 70.0), NULL), GI_OK);
    ha = to_host(a);
    hb = to_host(b);
    cr_expect(memcmp(ha, hb, 2400 * sizeof(float)) == 0, "variance_scaling_");
    free(ha);
    free(hb);

    gi_manual_seed(ctx, 5);
    cr_assert_eq(gi_lecun_normal_(a, NULL), GI_OK);
    gi_manual_seed(ctx, 5);
    double s = sqrt(1.0 / fin) / 0.87962566103423978;
    cr_assert_eq(gi_trunc_normal_(b, 0.0f, (float)s, (float)(-2 * s),
                                  (float)(2 * s), NULL), GI_OK);
    ha = to_host(a);
    hb = to_host(b);
    cr_expect(memcmp(ha, hb, 2400 * sizeof(float)) == 0, "lecun_normal_");
    free(ha);
    free(hb);
    gi_tensor_destroy(a);
    gi_tensor_destroy(b);
    gi_context_destroy(ctx);
}

Test(eye, is_torch_eye_for_any_rectangle)
{
    gi_context ctx = cpu_context();
    const int64_t shapes[][2] = {{3, 3}, {2, 5}, {5, 2}, {1, 1}};
    for (int s = 0; s < 4; ++s) {
        gi_tensor t = new_tensor(ctx, 2, shapes[s]);
        cr_assert_eq(gi_uniform_(t, 5, 6, NULL), GI_OK);
        cr_assert_eq(gi_eye_(t), GI_OK);
        float *h = to_host(t);
        for (int64_t r = 0; r < shapes[s][0]; ++r)
            for (int64_t c = 0; c < shapes[s][1]; ++c)
                cr_expect_eq(h[r * shapes[s][1] + c], r == c ? 1.0f : 0.0f);
        free(h);
        gi_tensor_destroy(t);
    }
    gi_context_destroy(ctx);
}

/* torch's dirac_, written out as its loops, against ginit's index law. */
static void expect_dirac(gi_context ctx, int ndim, const int64_t *shape,
                         int64_t groups)
{
    gi_tensor t = new_tensor(ctx, ndim, shape);
    cr_assert_eq(gi_fill_(t, 7.0f), GI_OK);
    cr_assert_eq(gi_dirac_(t, groups), GI_OK, "%s", gi_last_error());
    int64_t n = gi_tensor_numel(t);
    float *want = calloc((size_t)n, sizeof *want), *got = to_host(t);
    int64_t per = shape[0] / groups;
    int64_t min_dim = per < shape[1] ? per : shape[1];
    int64_t spatial = n / (shape[0] * shape[1]), centre = 0;
    for (int d = 2; d < ndim; ++d)
        centre = centre * shape[d] + shape[d] / 2;
    for (int64_t g = 0; g < groups; ++g)
        for (int64_t d = 0; d < min_dim; ++d)
            want[((g * per + d) * shape[1] + d) * spatial + centre] = 1.0f;
    cr_expect(memcmp(want, got, (size_t)n * sizeof *got) == 0,
              "dirac %dD groups %lld", ndim, (long long)groups);
    free(want);
    free(got);
    gi_tensor_destroy(t);
}

Test(dirac, matches_torch_for_3d_4d_5d_and_groups)
{
    gi_context ctx = cpu_context();
    const int64_t s3[] = {4, 4, 3}, s4[] = {6, 2, 3, 3}, s4b[] = {2, 5, 4, 2},
                  s5[] = {4, 3, 3, 2, 3};
    expect_dirac(ctx, 3, s3, 1);
    expect_dirac(ctx, 3, s3, 2);
    expect_dirac(ctx, 4, s4, 1);
    expect_dirac(ctx, 4, s4, 3);
    expect_dirac(ctx, 4, s4b, 1);
    expect_dirac(ctx, 5, s5, 2);
    gi_context_destroy(ctx);
}

Test(trunc_normal, stays_inside_even_far_in_a_tail)
{
    gi_context ctx = cpu_context();
    gi_tensor t = new_vector(ctx, 1 << 18);
    const float cases[][4] = {
        {0, 1, -2, 2}, {0, 1, 5, 8}, {0, 1, -8, -5}, {3, 0.5f, 3, INFINITY},
        {0, 1, -INFINITY, INFINITY}, {10, 2, 9.999f, 10.001f}, {0, 1, 12, 13},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c) {
        const float *p = cases[c];
        cr_assert_eq(gi_trunc_normal_(t, p[0], p[1], p[2], p[3], NULL), GI_OK,
                     "case %zu: %s", c, gi_last_error());
        float *h = to_host(t);
        int64_t at_bounds = 0;
        for (int64_t i = 0; i < (1 << 18); ++i) {
            if (!(h[i] >= p[2] && h[i] <= p[3]))
                cr_assert_fail("case %zu: element %lld = %g", c, (long long)i,
                               (double)h[i]);
            at_bounds += h[i] == p[2] || h[i] == p[3];
        }
        /* No pile-up: a bound is hit no more often than any float of a
         * narrow interval (2000 floats in case 5: about 131 per float). */
        int64_t limit = c == 5 ? 2 * 262144 / 2000 * 2 : 4;
        cr_expect_leq(at_bounds, limit, "case %zu: %lld values on the bounds",
                      c, (long long)at_bounds);
        free(h);
    }
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(sparse, zeroes_exactly_ceil_sparsity_rows_per_column)
{
    gi_context ctx = cpu_context();
    const int64_t shape[] = {10, 300};
    gi_tensor t = new_tensor(ctx, 2, shape);
    const float sparsities[] = {0.0f, 0.1f, 0.25f, 0.5f, 1.0f};
    const int64_t want_zeros[] = {0, 1, 3, 5, 10};
    int64_t hits[10] = {0};
    for (int s = 0; s < 5; ++s) {
        uint64_t before = gi_generator_offset(gi_context_generator(ctx));
        cr_assert_eq(gi_sparse_(t, sparsities[s], 0.01f, NULL), GI_OK);
        cr_expect_eq(gi_generator_offset(gi_context_generator(ctx)) - before,
                     2 * 750);
        float *h = to_host(t);
        for (int64_t c = 0; c < 300; ++c) {
            int64_t zeros = 0;
            for (int64_t r = 0; r < 10; ++r) {
                zeros += h[r * 300 + c] == 0.0f;
                hits[r] += s == 3 && h[r * 300 + c] == 0.0f;
            }
            cr_expect_eq(zeros, want_zeros[s], "sparsity %g column %lld",
                         (double)sparsities[s], (long long)c);
        }
        free(h);
    }
    /* Half the rows of each of 300 columns: each row is picked 150 times on
     * average (binomial sd 8.7); 5 sd either side. */
    for (int r = 0; r < 10; ++r)
        cr_expect(hits[r] > 106 && hits[r] < 194, "row %d picked %lld times", r,
                  (long long)hits[r]);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(mixture, draws_each_component_with_its_probability)
{
    gi_context ctx = cpu_context();
    const int64_t n = 1 << 20;
    gi_tensor t = new_vector(ctx, n);
    const gi_component chapter[] = {{0.25f, GI_COMPONENT_UNIFORM, 5, 10},
                                    {0.5f, GI_COMPONENT_CONSTANT, 0, 0},
                                    {0.25f, GI_COMPONENT_UNIFORM, -10, -5}};
    uint64_t before = gi_generator_offset(gi_context_generator(ctx));
    cr_assert_eq(gi_mixture_(t, 3, chapter, NULL), GI_OK, "%s", gi_last_error());
    cr_expect_eq(gi_generator_offset(gi_context_generator(ctx)) - before,
                 (uint64_t)n / 2, "two lanes per element");
    float *h = to_host(t);
    int64_t counts[3] = {0};
    for (int64_t i = 0; i < n; ++i) {
        if (h[i] >= 5 && h[i] < 10)
            counts[0]++;
        else if (h[i] == 0)
            counts[1]++;
        else if (h[i] >= -10 && h[i] < -5)
            counts[2]++;
        else
            cr_assert_fail("element %lld = %g belongs to no component",
                           (long long)i, (double)h[i]);
    }
    /* Counts within 5 binomial standard deviations. */
    const double p[3] = {0.25, 0.5, 0.25};
    for (int j = 0; j < 3; ++j)
        cr_expect_leq(fabs(counts[j] - n * p[j]), 5 * sqrt(n * p[j] * (1 - p[j])),
                      "component %d: %lld", j, (long long)counts[j]);
    free(h);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(bad_input, every_initializer_rejects_what_torch_rejects)
{
    gi_context ctx = cpu_context();
    const int64_t s2[] = {4, 3}, s3[] = {4, 3, 3};
    gi_tensor v = new_vector(ctx, 6), m = new_tensor(ctx, 2, s2);
    gi_tensor c = new_tensor(ctx, 3, s3);
    fill_iota(v);
    fill_iota(m);
    fill_iota(c);
    gi_generator g = gi_context_generator(ctx);
    gi_generator_set_offset(g, 9);
    cr_expect_eq(gi_xavier_uniform_(v, 1, NULL), GI_ERR_SHAPE);
    cr_expect_str_eq(gi_last_error(), "gi_xavier_uniform_: tensor has 1 "
                     "dimension; fan-based initializers need at least 2");
    cr_expect_eq(gi_xavier_normal_(m, -1, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_xavier_uniform_(m, NAN, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_kaiming_uniform_(v, 0, GI_FAN_IN, GI_NONLIN_RELU, NULL),
                 GI_ERR_SHAPE);
    cr_expect_eq(gi_kaiming_normal_(m, 0, GI_FAN_AVG, GI_NONLIN_RELU, NULL),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_str_eq(gi_last_error(), "gi_kaiming_normal_: mode 2 is not "
                     "supported; use GI_FAN_IN or GI_FAN_OUT");
    cr_expect_eq(gi_kaiming_uniform_(m, 0, GI_FAN_IN, (gi_nonlinearity)40, NULL),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_trunc_normal_(m, 0, 1, 2, 2, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_trunc_normal_(m, 0, 1, 3, -3, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_trunc_normal_(m, 0, 0, -2, 2, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_trunc_normal_(m, 0, -1, -2, 2, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_trunc_normal_(m, NAN, 1, -2, 2, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_trunc_normal_(m, 0, 1, NAN, 2, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_trunc_normal_(m, 0, 1, 40, 50, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_eye_(c), GI_ERR_SHAPE);
    cr_expect_str_eq(gi_last_error(), "gi_eye_: only tensors with 2 dimensions "
                     "are supported, got 3");
    cr_expect_eq(gi_dirac_(m, 1), GI_ERR_SHAPE);
    cr_expect_eq(gi_dirac_(c, 3), GI_ERR_INVALID_ARGUMENT);
    cr_expect_str_eq(gi_last_error(), "gi_dirac_: argument 'groups' = 3 must be "
                     ">= 1 and divide dimension 0 (4)");
    cr_expect_eq(gi_dirac_(c, 0), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_sparse_(c, 0.5f, 1, NULL), GI_ERR_SHAPE);
    cr_expect_eq(gi_sparse_(m, 1.5f, 1, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_sparse_(m, -0.1f, 1, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_sparse_(m, NAN, 1, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_sparse_(m, 0.5f, -1, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_variance_scaling_(m, 0, GI_FAN_IN, GI_DIST_NORMAL, NULL),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_variance_scaling_(m, 1, (gi_fan_mode)3, GI_DIST_NORMAL, NULL),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_variance_scaling_(m, 1, GI_FAN_IN, (gi_distribution)3, NULL),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_lecun_normal_(v, NULL), GI_ERR_SHAPE);
    cr_expect(strstr(gi_last_error(), "gi_lecun_normal_") == gi_last_error());
    cr_expect_eq(gi_orthogonal_(v, 1, NULL), GI_ERR_SHAPE);
    const gi_component bad_sum[] = {{0.5f, GI_COMPONENT_CONSTANT, 1, 0},
                                    {0.4f, GI_COMPONENT_CONSTANT, 2, 0}};
    const gi_component negative[] = {{1.5f, GI_COMPONENT_CONSTANT, 1, 0},
                                     {-0.5f, GI_COMPONENT_CONSTANT, 2, 0}};
    const gi_component bad_law[] = {{1.0f, GI_COMPONENT_UNIFORM, 3, 1}};
    const gi_component bad_std[] = {{1.0f, GI_COMPONENT_NORMAL, 0, -1}};
    cr_expect_eq(gi_mixture_(m, 2, bad_sum, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_str_eq(gi_last_error(), "gi_mixture_: probabilities sum to 0.9, "
                     "not 1 (within 1e-6)");
    cr_expect_eq(gi_mixture_(m, 2, negative, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_mixture_(m, 1, bad_law, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_mixture_(m, 1, bad_std, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_mixture_(m, 0, bad_law, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_mixture_(m, 9, bad_law, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_mixture_(m, 1, NULL, NULL), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_generator_offset(g), 9, "no bad call drew anything");
    expect_iota(v);
    expect_iota(m);
    expect_iota(c);
    gi_tensor_destroy(v);
    gi_tensor_destroy(m);
    gi_tensor_destroy(c);
    gi_context_destroy(ctx);
}

Test(bad_input, zero_element_tensors_are_a_no_op)
{
    gi_context ctx = cpu_context();
    const int64_t shape[] = {0, 5};
    gi_tensor t = new_tensor(ctx, 2, shape);
    const gi_component one[] = {{1.0f, GI_COMPONENT_NORMAL, 0, 1}};
    cr_expect_eq(gi_xavier_uniform_(t, 1, NULL), GI_OK);
    cr_expect_eq(gi_xavier_normal_(t, 1, NULL), GI_OK);
    cr_expect_eq(gi_kaiming_uniform_(t, 0, GI_FAN_IN, GI_NONLIN_RELU, NULL), GI_OK);
    cr_expect_eq(gi_kaiming_normal_(t, 0, GI_FAN_OUT, GI_NONLIN_RELU, NULL), GI_OK);
    cr_expect_eq(gi_trunc_normal_(t, 0, 1, -2, 2, NULL), GI_OK);
    cr_expect_eq(gi_eye_(t), GI_OK);
    cr_expect_eq(gi_sparse_(t, 0.5f, 1, NULL), GI_OK);
    cr_expect_eq(gi_orthogonal_(t, 1, NULL), GI_OK);
    cr_expect_eq(gi_lecun_normal_(t, NULL), GI_OK);
    cr_expect_eq(gi_lecun_uniform_(t, NULL), GI_OK);
    cr_expect_eq(gi_mixture_(t, 1, one, NULL), GI_OK);
    cr_expect_eq(gi_generator_offset(gi_context_generator(ctx)), 0);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}
