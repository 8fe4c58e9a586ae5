/* In-place elementwise operations, as the chapter's custom init uses them. */
#include <math.h>
#include <string.h>

#include "test_helpers.h"

static gi_tensor from_values(gi_context ctx, const float *v, int64_t n)
{
    gi_tensor t = new_vector(ctx, n);
    cr_assert_eq(gi_tensor_copy_from_host(t, v, (size_t)n * sizeof *v), GI_OK);
    return t;
}

static void expect_values(gi_tensor t, const float *want)
{
    float *h = to_host(t);
    for (int64_t i = 0; i < gi_tensor_numel(t); ++i) {
        uint32_t a, b;
        memcpy(&a, &h[i], 4);
        memcpy(&b, &want[i], 4);
        cr_expect_eq(a, b, "element %lld: got %g want %g", (long long)i,
                     (double)h[i], (double)want[i]);
    }
    free(h);
}

Test(ops, fill_add_mul)
{
    gi_context ctx = cpu_context();
    const float v[] = {1.5f, -2.0f, 0.0f, 8.0f};
    gi_tensor t = from_values(ctx, v, 4);
    cr_expect_eq(gi_add_scalar_(t, 1.0f), GI_OK);
    const float added[] = {2.5f, -1.0f, 1.0f, 9.0f};
    expect_values(t, added);
    cr_expect_eq(gi_mul_scalar_(t, -2.0f), GI_OK);
    const float scaled[] = {-5.0f, 2.0f, -2.0f, -18.0f};
    expect_values(t, scaled);
    cr_expect_eq(gi_fill_(t, 3.0f), GI_OK);
    const float filled[] = {3.0f, 3.0f, 3.0f, 3.0f};
    expect_values(t, filled);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(ops, mul_mask_is_torch_multiplying_by_a_boolean_mask)
{
    /* w *= w.abs() >= 5 keeps |w| >= 5; the others become 0 with their
     * sign (-3 * 0 = -0) and NaN stays NaN, as torch's multiply gives. */
    gi_context ctx = cpu_context();
    const float v[] = {-7.5f, -3.0f, 4.99f, 5.0f, 9.0f, NAN, -5.0f, 0.0f};
    gi_tensor t = from_values(ctx, v, 8);
    cr_expect_eq(gi_mul_mask_(t, GI_ABS_GE, 5.0f), GI_OK);
    const float want[] = {-7.5f, -0.0f, 0.0f, 5.0f, 9.0f, NAN, -5.0f, 0.0f};
    float *h = to_host(t);
    for (int i = 0; i < 8; ++i) {
        if (isnan(want[i])) {
            cr_expect(isnan(h[i]));
            continue;
        }
        cr_expect_eq(h[i], want[i], "element %d", i);
        cr_expect_eq(signbit(h[i]), signbit(want[i]), "sign of element %d", i);
    }
    free(h);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(ops, masked_fill_with_every_comparison)
{
    gi_context ctx = cpu_context();
    const float v[] = {-2.0f, -1.0f, 0.0f, 1.0f, 2.0f};
    const struct { gi_compare cmp; float want[5]; } cases[] = {
        {GI_LT, {9, 9, 0, 1, 2}},     {GI_LE, {9, 9, 9, 1, 2}},
        {GI_GT, {-2, -1, 0, 9, 9}},   {GI_GE, {-2, -1, 9, 9, 9}},
        {GI_EQ, {-2, -1, 9, 1, 2}},   {GI_NE, {9, 9, 0, 9, 9}},
        {GI_ABS_LT, {-2, 9, 9, 9, 2}}, {GI_ABS_LE, {9, 9, 9, 9, 9}},
        {GI_ABS_GT, {9, -1, 0, 1, 9}}, {GI_ABS_GE, {9, 9, 0, 9, 9}},
    };
    const float thresholds[] = {0, 0, 0, 0, 0, 0, 2, 2, 1, 1};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c) {
        gi_tensor t = from_values(ctx, v, 5);
        cr_expect_eq(gi_masked_fill_(t, cases[c].cmp, thresholds[c], 9.0f),
                     GI_OK);
        expect_values(t, cases[c].want);
        gi_tensor_destroy(t);
    }
    gi_context_destroy(ctx);
}

Test(ops, clamp)
{
    gi_context ctx = cpu_context();
    const float v[] = {-3.0f, 0.5f, 3.0f};
    gi_tensor t = from_values(ctx, v, 3);
    cr_expect_eq(gi_clamp_(t, -1.0f, 1.0f), GI_OK);
    const float want[] = {-1.0f, 0.5f, 1.0f};
    expect_values(t, want);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

/* As torch.clamp: lo > hi gives hi everywhere, a NaN bound NaN. */
Test(ops, clamp_bounds_as_pytorch)
{
    gi_context ctx = cpu_context();
    const float v[] = {-3.0f, 0.5f, NAN};
    gi_tensor t = from_values(ctx, v, 3);
    cr_expect_eq(gi_clamp_(t, 2.0, 1.0), GI_OK);
    float *h = to_host(t);
    cr_expect(h[0] == 1.0f && h[1] == 1.0f && isnan(h[2]));
    free(h);
    cr_expect_eq(gi_clamp_(t, NAN, 1.0), GI_OK);
    h = to_host(t);
    cr_expect(isnan(h[0]) && isnan(h[1]) && isnan(h[2]));
    free(h);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(ops, bad_arguments_change_nothing)
{
    gi_context ctx = cpu_context();
    gi_tensor t = new_vector(ctx, 6);
    fill_iota(t);
    cr_expect_eq(gi_clamp_(t, -1e39, 1.0), GI_ERR_INVALID_ARGUMENT);
    cr_expect(strstr(gi_last_error(), "gi_clamp_") == gi_last_error());
    cr_expect_eq(gi_clamp_(t, 0.0, 3.5e38), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_masked_fill_(t, (gi_compare)10, 0, 0),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_str_eq(gi_last_error(),
                     "gi_masked_fill_: argument 'cmp' has unknown value 10");
    cr_expect_eq(gi_masked_fill_(t, (gi_compare)-1, 0, 0),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_mul_mask_(t, GI_LT, NAN), GI_ERR_INVALID_ARGUMENT);
    cr_expect_str_eq(gi_last_error(), "gi_mul_mask_: argument 'threshold' is NaN");
    cr_expect_eq(gi_fill_(NULL, 1.0f), GI_ERR_NULL_ARGUMENT);
    cr_expect_str_eq(gi_last_error(), "gi_fill_: argument 't' is NULL");
    cr_expect_eq(gi_add_scalar_(NULL, 1.0f), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_mul_scalar_(NULL, 1.0f), GI_ERR_NULL_ARGUMENT);
    expect_iota(t);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(ops, large_tensors_use_threads_and_give_the_same_result)
{
    gi_context ctx = cpu_context();
    gi_tensor t = new_vector(ctx, 1000003);
    fill_iota(t);
    cr_expect_eq(gi_mul_mask_(t, GI_GE, 500000.0f), GI_OK);
    float *h = to_host(t);
    for (int64_t i = 0; i < 1000003; ++i)
        if (h[i] != (i >= 500000 ? (float)i : 0.0f))
            cr_assert_fail("element %lld is %g", (long long)i, (double)h[i]);
    free(h);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(ops, add_and_mul_with_a_second_tensor)
{
    gi_context ctx = cpu_context();
    const float a[] = {1, 2, 3, -4}, b[] = {10, 20, 30, 40};
    gi_tensor t = from_values(ctx, a, 4), u = from_values(ctx, b, 4);
    cr_expect_eq(gi_add_(t, u, 0.5f), GI_OK);
    const float added[] = {6, 12, 18, 16};
    expect_values(t, added);
    cr_expect_eq(gi_mul_(t, u), GI_OK);
    const float multiplied[] = {60, 240, 540, 640};
    expect_values(t, multiplied);
    cr_expect_eq(gi_mul_(u, u), GI_OK); /* the same elements: fine */
    const float squared[] = {100, 400, 900, 1600};
    expect_values(u, squared);
    gi_tensor_destroy(t);
    gi_tensor_destroy(u);
    gi_context_destroy(ctx);
}

Test(ops, mixing_contexts_shapes_or_overlaps_is_refused)
{
    gi_context ctx = cpu_context(), other = cpu_context();
    gi_tensor t = new_vector(ctx, 6), u = new_vector(other, 6);
    gi_tensor w = new_vector(ctx, 5);
    fill_iota(t);
    cr_expect_eq(gi_add_(t, u, 1), GI_ERR_CONTEXT_MISMATCH);
    cr_expect(strstr(gi_last_error(), "gi_add_: 't' is on context") ==
              gi_last_error(), "%s", gi_last_error());
    cr_expect_eq(gi_mul_(t, u), GI_ERR_CONTEXT_MISMATCH);
    cr_expect_eq(gi_mul_(t, w), GI_ERR_SHAPE);
    cr_expect_eq(gi_mul_(t, NULL), GI_ERR_NULL_ARGUMENT);
    cr_expect_str_eq(gi_last_error(), "gi_mul_: argument 'other' is NULL");
    gi_tensor head = NULL, tail = NULL;
    cr_assert_eq(gi_tensor_slice(&head, t, 0, 5), GI_OK);
    cr_assert_eq(gi_tensor_slice(&tail, t, 1, 6), GI_OK);
    cr_expect_eq(gi_add_(tail, head, 1), GI_ERR_INVALID_ARGUMENT);
    expect_iota(t);
    gi_tensor_destroy(head);
    gi_tensor_destroy(tail);
    gi_tensor_destroy(t);
    gi_tensor_destroy(u);
    gi_tensor_destroy(w);
    gi_context_destroy(ctx);
    gi_context_destroy(other);
}
