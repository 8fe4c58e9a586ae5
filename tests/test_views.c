/* Views of any shape (gi_tensor_view, gi_tensor_view_range) and the
 * borrowed element pointer (gi_tensor_data_ptr): one flat allocation
 * carved into a model's parameters, each initialized by its own shape. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test_helpers.h"

static gi_tensor make(gi_context ctx, gi_dtype dt, int ndim,
                      const int64_t *shape)
{
    gi_tensor t = NULL;
    cr_assert_eq(gi_tensor_create(&t, ctx, dt, ndim, shape), GI_OK, "%s",
                 gi_last_error());
    return t;
}

Test(views, view_infers_one_size_and_shares_the_elements)
{
    gi_context ctx = any_context();
    gi_tensor m = make(ctx, GI_F32, 2, (const int64_t[]){3, 4});
    fill_iota(m);
    gi_tensor v = NULL;
    cr_assert_eq(gi_tensor_view(&v, m, 3, (const int64_t[]){2, -1, 3}),
                 GI_OK, "%s", gi_last_error());
    cr_expect_eq(gi_tensor_ndim(v), 3);
    cr_expect_eq(gi_tensor_size(v, 1), 2, "12 / (2 * 3)");
    double x = 0.0;
    cr_assert_eq(gi_tensor_get(v, 3, (const int64_t[]){1, 0, 2}, &x), GI_OK);
    cr_expect_eq(x, 8.0, "element 1*6 + 0*3 + 2 of the row-major order");
    cr_assert_eq(gi_tensor_set(v, 3, (const int64_t[]){1, 1, 2}, -5.0),
                 GI_OK);
    cr_assert_eq(gi_tensor_get(m, 2, (const int64_t[]){2, 3}, &x), GI_OK);
    cr_expect_eq(x, -5.0, "a write through the view is the tensor's");
    gi_tensor flat = NULL;
    cr_assert_eq(gi_tensor_view(&flat, v, 1, (const int64_t[]){-1}), GI_OK);
    cr_expect_eq(gi_tensor_numel(flat), 12);
    gi_tensor_destroy(m); /* the views keep the storage */
    cr_assert_eq(gi_tensor_get(flat, 1, (const int64_t[]){11}, &x), GI_OK);
    cr_expect_eq(x, -5.0);
    gi_tensor_destroy(v);
    gi_tensor_destroy(flat);
    gi_context_destroy(ctx);
}

Test(views, a_refused_view_names_the_shape)
{
    gi_context ctx = any_context();
    gi_tensor m = make(ctx, GI_F32, 2, (const int64_t[]){3, 4});
    gi_tensor v = NULL;
    cr_expect_eq(gi_tensor_view(&v, m, 2, (const int64_t[]){5, -1}),
                 GI_ERR_SHAPE);
    cr_expect_str_eq(gi_last_error(), "gi_tensor_view: shape [5, -1] is "
                     "invalid for a tensor of 12 elements");
    cr_expect_null(v, "*out is untouched");
    gi_tensor_destroy(m);
    gi_context_destroy(ctx);
}

/* The bits of t's elements, of any dtype. */
static void *bits(gi_tensor t)
{
    size_t n = nbytes(t);
    void *h = malloc(n > 0 ? n : 1);
    cr_assert_not_null(h);
    cr_assert_eq(gi_tensor_copy_to_host(t, h, n), GI_OK);
    return h;
}

/* One flat buffer holds Linear(4, 3) and Linear(3, 2): weights as 2-D
 * views, biases as 1-D ones. Each weight's xavier_uniform_ takes its fans
 * from the view's shape: the same bits as a tensor of that shape of its
 * own, and no element outside the view changes. */
static void expect_carved_parameters(gi_dtype dt)
{
    gi_context ctx = any_context();
    gi_tensor flat = make(ctx, dt, 1, (const int64_t[]){24});
    gi_tensor w0 = NULL, w1 = NULL, b1 = NULL;
    cr_assert_eq(gi_tensor_view_range(&w0, flat, 0, 2,
                                      (const int64_t[]){3, 4}), GI_OK);
    cr_assert_eq(gi_tensor_view_range(&w1, flat, 16, 2,
                                      (const int64_t[]){2, 3}), GI_OK);
    cr_assert_eq(gi_tensor_view_range(&b1, flat, 22, 1,
                                      (const int64_t[]){2}), GI_OK);
    gi_generator g = NULL, h = NULL;
    cr_assert_eq(gi_generator_create(&g, 11), GI_OK);
    cr_assert_eq(gi_generator_create(&h, 11), GI_OK);
    cr_assert_eq(gi_xavier_uniform_(w0, 1.0, g), GI_OK, "%s",
                 gi_last_error());
    cr_assert_eq(gi_xavier_uniform_(w1, 1.0, g), GI_OK);
    cr_assert_eq(gi_fill_(b1, 7.0), GI_OK);
    gi_tensor o0 = make(ctx, dt, 2, (const int64_t[]){3, 4});
    gi_tensor o1 = make(ctx, dt, 2, (const int64_t[]){2, 3});
    cr_assert_eq(gi_xavier_uniform_(o0, 1.0, h), GI_OK);
    cr_assert_eq(gi_xavier_uniform_(o1, 1.0, h), GI_OK);
    void *a0 = bits(w0), *e0 = bits(o0), *a1 = bits(w1), *e1 = bits(o1);
    cr_expect(memcmp(a0, e0, nbytes(o0)) == 0, "%s weight 0",
              gi_dtype_name(dt));
    cr_expect(memcmp(a1, e1, nbytes(o1)) == 0, "%s weight 1",
              gi_dtype_name(dt));
    for (int64_t i = 12; i < 24; ++i) { /* the gap, then b1 */
        double x = -1.0;
        if (i >= 16 && i < 22)
            continue; /* w1, compared above */
        cr_assert_eq(gi_tensor_get(flat, 1, &i, &x), GI_OK);
        cr_expect_eq(x, i < 16 ? 0.0 : 7.0, "%s element %lld",
                     gi_dtype_name(dt), (long long)i);
    }
    free(a0);
    free(e0);
    free(a1);
    free(e1);
    gi_tensor *ts[] = {&flat, &w0, &w1, &b1, &o0, &o1};
    for (size_t k = 0; k < sizeof ts / sizeof *ts; ++k)
        gi_tensor_destroy(*ts[k]);
    gi_generator_destroy(g);
    gi_generator_destroy(h);
    gi_context_destroy(ctx);
}

Test(views, one_allocation_holds_every_parameter)
{
    const gi_dtype dts[] = {GI_F32, GI_F64, GI_F16, GI_BF16};
    for (int d = 0; d < 4; ++d)
        expect_carved_parameters(dts[d]);
}

Test(views, the_data_pointer_is_the_first_element)
{
    gi_context ctx = cpu_context();
    gi_tensor m = make(ctx, GI_F64, 2, (const int64_t[]){3, 4});
    for (int64_t i = 0; i < 12; ++i)
        cr_assert_eq(gi_tensor_set(m, 2, (const int64_t[]){i / 4, i % 4},
                                   (double)i), GI_OK);
    gi_tensor tail = NULL, none = NULL;
    cr_assert_eq(gi_tensor_view_range(&tail, m, 5, 1, (const int64_t[]){7}),
                 GI_OK);
    cr_assert_eq(gi_tensor_view_range(&none, m, 12, 1, (const int64_t[]){0}),
                 GI_OK);
    void *pm = NULL, *pt = NULL, *pn = &pm;
    cr_assert_eq(gi_tensor_data_ptr(m, &pm), GI_OK);
    cr_assert_eq(gi_tensor_data_ptr(tail, &pt), GI_OK);
    cr_assert_eq(gi_tensor_data_ptr(none, &pn), GI_OK);
    cr_expect_eq((char *)pt - (char *)pm, 5 * 8, "element 5 of float64");
    cr_expect_eq(((const double *)pt)[6], 11.0);
    cr_expect_null(pn, "no element, no address");
    ((double *)pm)[0] = 42.0; /* the caller's own write */
    double x = 0.0;
    cr_assert_eq(gi_tensor_get(m, 2, (const int64_t[]){0, 0}, &x), GI_OK);
    cr_expect_eq(x, 42.0);
    gi_tensor_destroy(m);
    gi_tensor_destroy(tail);
    gi_tensor_destroy(none);
    gi_context_destroy(ctx);
}
