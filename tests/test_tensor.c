/* Tensors: creation, shapes, copies, element access, views. */
#include <math.h>
#include <string.h>

#include "test_helpers.h"

Test(tensor, create_reports_shape_and_starts_at_zero)
{
    gi_context ctx = cpu_context();
    const int64_t shape[] = {2, 3, 4};
    gi_tensor t = new_tensor(ctx, 3, shape);
    cr_expect_eq(gi_tensor_ndim(t), 3);
    cr_expect_eq(gi_tensor_numel(t), 24);
    cr_expect_eq(gi_tensor_size(t, 0), 2);
    cr_expect_eq(gi_tensor_size(t, -1), 4);
    cr_expect_eq(gi_tensor_size(t, 3), -1);
    cr_expect_eq(gi_tensor_size(t, -4), -1);
    cr_expect_eq(memcmp(gi_tensor_shape(t), shape, sizeof shape), 0);
    cr_expect_eq(gi_tensor_dtype(t), GI_F32);
    cr_expect_eq(gi_tensor_context(t), ctx);
    float *h = to_host(t);
    for (int i = 0; i < 24; ++i)
        cr_expect_eq(h[i], 0.0f);
    free(h);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(tensor, zero_dimensional_and_empty_tensors)
{
    gi_context ctx = cpu_context();
    gi_tensor s = new_tensor(ctx, 0, NULL);
    cr_expect_eq(gi_tensor_numel(s), 1);
    cr_expect_eq(gi_fill_(s, 7.0f), GI_OK);
    double v = 0;
    cr_expect_eq(gi_tensor_item(s, &v), GI_OK);
    cr_expect_eq(v, 7.0f);
    cr_expect_eq(gi_tensor_get(s, 0, NULL, &v), GI_OK);
    const int64_t shape[] = {0, 3};
    gi_tensor e = new_tensor(ctx, 2, shape);
    cr_expect_eq(gi_tensor_numel(e), 0);
    cr_expect_eq(gi_uniform_(e, 0, 1, NULL), GI_OK);
    cr_expect_eq(gi_generator_offset(gi_context_generator(ctx)), 0);
    cr_expect_eq(gi_tensor_copy_to_host(e, NULL, 0), GI_OK);
    gi_tensor_destroy(s);
    gi_tensor_destroy(e);
    gi_context_destroy(ctx);
}

Test(tensor, bad_shapes_are_rejected)
{
    gi_context ctx = cpu_context();
    gi_tensor t = NULL;
    const int64_t neg[] = {2, -1};
    cr_expect_eq(gi_tensor_create(&t, ctx, GI_F32, 2, neg), GI_ERR_SHAPE);
    cr_expect_str_eq(gi_last_error(),
                     "gi_tensor_create: shape[1] must be >= 0, got -1");
    const int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    cr_expect_eq(gi_tensor_create(&t, ctx, GI_F32, 9, nine), GI_ERR_SHAPE);
    cr_expect_eq(gi_tensor_create(&t, ctx, GI_F32, -1, nine), GI_ERR_SHAPE);
    cr_expect_eq(gi_tensor_create(&t, ctx, GI_F32, 2, NULL),
                 GI_ERR_NULL_ARGUMENT);
    const int64_t huge[] = {INT64_MAX / 2, 4};
    cr_expect_eq(gi_tensor_create(&t, ctx, GI_F32, 2, huge), GI_ERR_OVERFLOW);
    const int64_t wide[] = {1ll << 31, 1ll << 31, 1ll << 31};
    cr_expect_eq(gi_tensor_create(&t, ctx, GI_F32, 3, wide), GI_ERR_OVERFLOW);
    const int64_t big[] = {1ll << 40, 1ll << 20}; /* 2^62 bytes */
    cr_expect_eq(gi_tensor_create(&t, ctx, GI_F32, 2, big),
                 GI_ERR_OUT_OF_MEMORY);
    const int64_t zero_then_huge[] = {0, INT64_MAX};
    cr_expect_eq(gi_tensor_create(&t, ctx, GI_F32, 2, zero_then_huge),
                 GI_ERR_OVERFLOW, "sizes are products even when empty");
    const int64_t zero_then_big[] = {0, 1ll << 20, 1ll << 20};
    cr_expect_eq(gi_tensor_create(&t, ctx, GI_F32, 3, zero_then_big), GI_OK);
    cr_expect_eq(gi_tensor_numel(t), 0);
    gi_tensor_destroy(t);
    t = NULL;
    const int64_t ok[] = {2};
    cr_expect_eq(gi_tensor_create(&t, ctx, (gi_dtype)17, 1, ok),
                 GI_ERR_INVALID_ARGUMENT, "like every other bad enum");
    cr_expect_str_eq(gi_last_error(), "gi_tensor_create: argument 'dtype' = "
                                      "17 is not a gi_dtype");
    cr_expect_eq(gi_tensor_create(&t, NULL, GI_F32, 1, ok),
                 GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_tensor_create(NULL, ctx, GI_F32, 1, ok),
                 GI_ERR_NULL_ARGUMENT);
    cr_expect_null(t);
    gi_context_destroy(ctx);
}

Test(tensor, host_copies_check_their_size)
{
    gi_context ctx = cpu_context();
    gi_tensor t = new_vector(ctx, 5);
    fill_iota(t);
    float h[6] = {0};
    cr_expect_eq(gi_tensor_copy_to_host(t, h, sizeof h), GI_ERR_SHAPE);
    cr_expect_str_eq(gi_last_error(),
                     "gi_tensor_copy_to_host: argument 'nbytes' is 24 but the "
                     "tensor holds 20 bytes");
    cr_expect_eq(gi_tensor_copy_from_host(t, h, 4), GI_ERR_SHAPE);
    cr_expect_eq(gi_tensor_copy_from_host(t, NULL, 20), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_tensor_copy_to_host(t, NULL, 20), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_tensor_copy_to_host(NULL, h, 20), GI_ERR_NULL_ARGUMENT);
    expect_iota(t);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(tensor, get_and_set_by_index_with_python_negatives)
{
    gi_context ctx = cpu_context();
    const int64_t shape[] = {8, 4};
    gi_tensor w = new_tensor(ctx, 2, shape);
    fill_iota(w);
    const int64_t i00[] = {0, 0}, last[] = {-1, -1}, mid[] = {2, -3};
    cr_expect_eq(gi_tensor_set(w, 2, i00, 42.0f), GI_OK);
    double v = 0;
    cr_expect_eq(gi_tensor_get(w, 2, i00, &v), GI_OK);
    cr_expect_eq(v, 42.0f);
    cr_expect_eq(gi_tensor_get(w, 2, last, &v), GI_OK);
    cr_expect_eq(v, 31.0f);
    cr_expect_eq(gi_tensor_get(w, 2, mid, &v), GI_OK);
    cr_expect_eq(v, 9.0f);
    gi_tensor_destroy(w);
    gi_context_destroy(ctx);
}

Test(tensor, bad_indices_change_nothing)
{
    gi_context ctx = cpu_context();
    const int64_t shape[] = {3, 2};
    gi_tensor w = new_tensor(ctx, 2, shape);
    fill_iota(w);
    const int64_t far[] = {3, 0}, neg[] = {0, -3}, ok[] = {0, 0};
    cr_expect_eq(gi_tensor_set(w, 2, far, 1.0f), GI_ERR_OUT_OF_RANGE);
    cr_expect_str_eq(gi_last_error(),
                     "gi_tensor_set: index[0] = 3 is out of range for "
                     "dimension 0 of size 3");
    cr_expect_eq(gi_tensor_set(w, 2, neg, 1.0f), GI_ERR_OUT_OF_RANGE);
    cr_expect_eq(gi_tensor_set(w, 1, ok, 1.0f), GI_ERR_SHAPE);
    cr_expect_eq(gi_tensor_set(w, 2, NULL, 1.0f), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_tensor_get(w, 2, ok, NULL), GI_ERR_NULL_ARGUMENT);
    double v;
    cr_expect_eq(gi_tensor_item(w, &v), GI_ERR_SHAPE);
    expect_iota(w);
    gi_tensor_destroy(w);
    gi_context_destroy(ctx);
}

Test(tensor, select_and_slice_are_views)
{
    gi_context ctx = cpu_context();
    const int64_t shape[] = {8, 4};
    gi_tensor w = new_tensor(ctx, 2, shape);
    fill_iota(w);
    gi_tensor row = NULL, rows = NULL, scalar = NULL;
    cr_assert_eq(gi_tensor_select(&row, w, -1), GI_OK);
    cr_expect_eq(gi_tensor_ndim(row), 1);
    cr_expect_eq(gi_tensor_size(row, 0), 4);
    double v = 0;
    const int64_t i1[] = {1};
    cr_expect_eq(gi_tensor_get(row, 1, i1, &v), GI_OK);
    cr_expect_eq(v, 29.0f);
    cr_assert_eq(gi_tensor_slice(&rows, w, 0, 2), GI_OK); /* w[:2] */
    cr_expect_eq(gi_tensor_size(rows, 0), 2);
    cr_expect_eq(gi_tensor_numel(rows), 8);
    cr_expect_eq(gi_add_scalar_(rows, 100.0f), GI_OK);
    const int64_t w13[] = {1, 3}, w20[] = {2, 0};
    cr_expect_eq(gi_tensor_get(w, 2, w13, &v), GI_OK);
    cr_expect_eq(v, 107.0f, "writes through a view reach the tensor");
    cr_expect_eq(gi_tensor_get(w, 2, w20, &v), GI_OK);
    cr_expect_eq(v, 8.0f, "rows outside the view are untouched");
    cr_assert_eq(gi_tensor_select(&scalar, row, 0), GI_OK);
    cr_expect_eq(gi_tensor_ndim(scalar), 0);
    cr_expect_eq(gi_tensor_item(scalar, &v), GI_OK);
    cr_expect_eq(v, 28.0f);
    gi_tensor_destroy(w); /* views keep the storage alive */
    cr_expect_eq(gi_tensor_item(scalar, &v), GI_OK);
    cr_expect_eq(v, 28.0f);
    gi_tensor_destroy(row);
    gi_tensor_destroy(rows);
    gi_tensor_destroy(scalar);
    gi_context_destroy(ctx);
}

Test(tensor, slice_bounds_follow_python)
{
    gi_context ctx = cpu_context();
    gi_tensor t = new_vector(ctx, 10);
    const struct { int64_t start, stop, len, first; } cases[] = {
        {0, 2, 2, 0},    {-3, GI_END, 3, 7}, {5, 100, 5, 5},
        {-100, 2, 2, 0}, {6, 3, 0, -1},      {10, GI_END, 0, -1},
        {0, -1, 9, 0},
    };
    fill_iota(t);
    for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c) {
        gi_tensor v = NULL;
        cr_assert_eq(gi_tensor_slice(&v, t, cases[c].start, cases[c].stop),
                     GI_OK);
        cr_expect_eq(gi_tensor_numel(v), cases[c].len, "case %zu", c);
        if (cases[c].len > 0) {
            float *h = to_host(v);
            cr_expect_eq(h[0], (float)cases[c].first, "case %zu", c);
            free(h);
        }
        gi_tensor_destroy(v);
    }
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(tensor, bad_views_are_rejected)
{
    gi_context ctx = cpu_context();
    gi_tensor t = new_vector(ctx, 3), s = new_tensor(ctx, 0, NULL);
    gi_tensor v = NULL;
    cr_expect_eq(gi_tensor_select(&v, t, 3), GI_ERR_OUT_OF_RANGE);
    cr_expect_eq(gi_tensor_select(&v, t, -4), GI_ERR_OUT_OF_RANGE);
    cr_expect_eq(gi_tensor_select(&v, s, 0), GI_ERR_SHAPE);
    cr_expect_eq(gi_tensor_slice(&v, s, 0, 1), GI_ERR_SHAPE);
    cr_expect_eq(gi_tensor_select(NULL, t, 0), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_tensor_slice(&v, NULL, 0, 1), GI_ERR_NULL_ARGUMENT);
    cr_expect_null(v);
    gi_tensor_destroy(t);
    gi_tensor_destroy(s);
    gi_context_destroy(ctx);
}

Test(tensor, clone_and_copy)
{
    gi_context ctx = cpu_context(), other = cpu_context();
    const int64_t shape[] = {3, 4};
    gi_tensor a = new_tensor(ctx, 2, shape), b = new_tensor(other, 2, shape);
    fill_iota(a);
    gi_tensor c = NULL;
    cr_assert_eq(gi_tensor_clone(&c, a), GI_OK);
    cr_expect_eq(gi_fill_(a, -1.0f), GI_OK);
    expect_iota(c);
    cr_expect_eq(gi_tensor_copy_(b, c), GI_OK); /* across contexts */
    expect_iota(b);
    gi_tensor v = new_vector(ctx, 12);
    cr_expect_eq(gi_tensor_copy_(v, c), GI_ERR_SHAPE);
    gi_tensor top = NULL, bottom = NULL;
    cr_assert_eq(gi_tensor_slice(&top, c, 0, 2), GI_OK);
    cr_assert_eq(gi_tensor_slice(&bottom, c, 1, 3), GI_OK);
    cr_expect_eq(gi_tensor_copy_(top, bottom), GI_ERR_INVALID_ARGUMENT);
    expect_iota(c);
    cr_expect_eq(gi_tensor_copy_(c, c), GI_OK);
    cr_expect_eq(gi_tensor_copy_(NULL, c), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_tensor_clone(NULL, c), GI_ERR_NULL_ARGUMENT);
    gi_tensor_destroy(top);
    gi_tensor_destroy(bottom);
    gi_tensor_destroy(v);
    gi_tensor_destroy(a);
    gi_tensor_destroy(b);
    gi_tensor_destroy(c);
    gi_context_destroy(ctx);
    gi_context_destroy(other);
}

/* Messages count in English: "1 dimension", "2 dimensions", "1 element". */
Test(tensor, messages_say_1_dimension_and_2_dimensions)
{
    gi_context ctx = cpu_context();
    gi_tensor s = new_tensor(ctx, 0, NULL);
    gi_tensor v = new_vector(ctx, 6);
    gi_tensor w = new_tensor(ctx, 2, (const int64_t[]){2, 3});
    double x;
    cr_expect_eq(gi_tensor_get(v, 2, (const int64_t[]){0, 0}, &x),
                 GI_ERR_SHAPE);
    cr_expect_str_eq(gi_last_error(), "gi_tensor_get: argument 'nindex' is 2 "
                                      "but the tensor has 1 dimension");
    cr_expect_eq(gi_tensor_copy_(v, w), GI_ERR_SHAPE);
    cr_expect_str_eq(gi_last_error(),
                     "gi_tensor_copy_: shapes differ: dst has 1 dimension and "
                     "6 elements, src has 2 dimensions and 6 elements");
    cr_expect_eq(gi_add_(s, v, 1.0f), GI_ERR_SHAPE);
    cr_expect_str_eq(gi_last_error(),
                     "gi_add_: 't' and 'other' differ in shape (0 dimensions "
                     "and 1 element vs 1 dimension and 6 elements)");
    gi_tensor_destroy(w);
    gi_tensor_destroy(v);
    gi_tensor_destroy(s);
    gi_context_destroy(ctx);
}
