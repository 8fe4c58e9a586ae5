#define _POSIX_C_SOURCE 200809L
/* Module trees: construction, ownership, access, apply, named parameters,
 * default initialization, LazyLinear, printing. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "test_helpers.h"

static gi_module lazy(gi_context ctx, int64_t out)
{
    gi_module m = NULL;
    cr_assert_eq(gi_lazy_linear_create(&m, ctx, out, 1, GI_F32), GI_OK);
    return m;
}

static gi_module seq(gi_context ctx, int n, gi_module *children)
{
    gi_module m = NULL;
    cr_assert_eq(gi_sequential_create(&m, ctx, n, children), GI_OK, "%s",
                 gi_last_error());
    return m;
}

/* Sequential(Linear(4, 8), ReLU(), Sequential(Linear(8, 3),
 * Linear(3, 1, bias=False))) */
static gi_module nested(gi_context ctx)
{
    gi_module inner[] = {new_linear(ctx, 8, 3, 1), new_linear(ctx, 3, 1, 0)};
    gi_module outer[] = {new_linear(ctx, 4, 8, 1), new_relu(ctx), seq(ctx, 2, inner)};
    return seq(ctx, 3, outer);
}

Test(module, children_by_index_and_kind)
{
    gi_context ctx = cpu_context();
    gi_module net = nested(ctx), c = NULL, cc = NULL;
    cr_expect_eq(gi_module_num_children(net), 3);
    cr_assert_eq(gi_module_child(net, 0, &c), GI_OK);
    cr_expect_eq(gi_module_kind_of(c), GI_MODULE_LINEAR);
    cr_expect_eq(gi_module_parent(c), net);
    cr_expect_eq(gi_linear_in_features(c), 4);
    cr_expect_eq(gi_linear_out_features(c), 8);
    cr_assert_eq(gi_module_child(net, -2, &c), GI_OK);
    cr_expect_eq(gi_module_kind_of(c), GI_MODULE_RELU);
    cr_expect_null(gi_module_weight(c));
    cr_expect_eq(gi_linear_in_features(c), -1);
    cr_assert_eq(gi_module_child(net, 2, &c), GI_OK);
    cr_assert_eq(gi_module_child(c, 1, &cc), GI_OK);
    cr_expect_null(gi_module_bias(cc), "bias=False has no bias");
    cr_expect_eq(gi_tensor_size(gi_module_weight(cc), 0), 1);
    cr_expect_eq(gi_module_child(net, 3, &c), GI_ERR_OUT_OF_RANGE);
    cr_expect_str_eq(gi_last_error(), "gi_module_child: index 3 is out of "
                     "range for a Sequential with 3 children");
    cr_expect_eq(gi_module_child(net, -4, &c), GI_ERR_OUT_OF_RANGE);
    cr_expect_eq(gi_module_child(cc, 0, &c), GI_ERR_OUT_OF_RANGE);
    cr_expect_str_eq(gi_last_error(), "gi_module_child: index 0 is out of "
                     "range for a Linear with 0 children");
    gi_module one = seq(ctx, 1, (gi_module[]){new_relu(ctx)});
    cr_expect_eq(gi_module_child(one, 1, &c), GI_ERR_OUT_OF_RANGE);
    cr_expect_str_eq(gi_last_error(), "gi_module_child: index 1 is out of "
                     "range for a Sequential with 1 child");
    gi_module_destroy(one);
    cr_expect_str_eq(gi_module_kind_name(GI_MODULE_LAZY_LINEAR), "LazyLinear");
    cr_expect_str_eq(gi_module_kind_name((gi_module_kind)99), "unknown");
    gi_module_destroy(c); /* has a parent: left alone */
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}

typedef struct names {
    char text[8][32];
    int64_t rows[8], cols[8];
    int n;
} names;

static gi_status collect(const char *name, gi_tensor p, void *user)
{
    names *out = user;
    cr_assert_lt(out->n, 8);
    snprintf(out->text[out->n], sizeof out->text[0], "%s", name);
    out->rows[out->n] = gi_tensor_size(p, 0);
    out->cols[out->n] = gi_tensor_ndim(p) == 2 ? gi_tensor_size(p, 1) : 0;
    out->n++;
    return GI_OK;
}

Test(module, named_parameters_in_pytorch_order)
{
    gi_context ctx = cpu_context();
    gi_module net = nested(ctx);
    names got = {0};
    cr_assert_eq(gi_module_named_parameters(net, collect, &got), GI_OK);
    const char *want[] = {"0.weight", "0.bias", "2.0.weight", "2.0.bias",
                          "2.1.weight"};
    const int64_t rows[] = {8, 8, 3, 3, 1}, cols[] = {4, 0, 8, 0, 3};
    cr_assert_eq(got.n, 5);
    cr_expect_eq(gi_module_num_parameters(net), 5);
    for (int i = 0; i < 5; ++i) {
        cr_expect_str_eq(got.text[i], want[i]);
        cr_expect_eq(got.rows[i], rows[i], "%s", want[i]);
        cr_expect_eq(got.cols[i], cols[i], "%s", want[i]);
    }
    gi_module c = NULL;
    cr_assert_eq(gi_module_child(net, 0, &c), GI_OK);
    names own = {0};
    cr_assert_eq(gi_module_named_parameters(c, collect, &own), GI_OK);
    cr_expect_str_eq(own.text[0], "weight");
    cr_expect_str_eq(own.text[1], "bias");
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}

typedef struct visits {
    gi_module_kind kinds[16];
    int n, stop_at;
} visits;

static gi_status record(gi_module m, void *user)
{
    visits *v = user;
    if (v->n == v->stop_at)
        return GI_ERR_STATE;
    v->kinds[v->n++] = gi_module_kind_of(m);
    return GI_OK;
}

Test(module, apply_visits_children_before_their_parent)
{
    gi_context ctx = cpu_context();
    gi_module net = nested(ctx);
    visits v = {.stop_at = -1};
    cr_assert_eq(gi_module_apply(net, record, &v), GI_OK);
    const gi_module_kind want[] = {GI_MODULE_LINEAR, GI_MODULE_RELU,
                                   GI_MODULE_LINEAR, GI_MODULE_LINEAR,
                                   GI_MODULE_SEQUENTIAL, GI_MODULE_SEQUENTIAL};
    cr_assert_eq(v.n, 6);
    for (int i = 0; i < 6; ++i)
        cr_expect_eq(v.kinds[i], want[i], "visit %d", i);
    visits stop = {.stop_at = 2};
    cr_expect_eq(gi_module_apply(net, record, &stop), GI_ERR_STATE);
    cr_expect_eq(stop.n, 2, "the walk stops at the first error");
    cr_expect_eq(gi_module_apply(net, NULL, NULL), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_module_apply(NULL, record, &v), GI_ERR_NULL_ARGUMENT);
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}

Test(module, ownership_is_checked)
{
    gi_context ctx = cpu_context(), other = cpu_context();
    gi_module a = new_relu(ctx), s = seq(ctx, 0, NULL), t = seq(ctx, 0, NULL);
    cr_expect_eq(gi_sequential_append(s, a), GI_OK);
    cr_expect_eq(gi_sequential_append(t, a), GI_ERR_STATE);
    cr_expect_str_eq(gi_last_error(), "gi_sequential_append: the ReLU module "
                     "already has a parent; a module belongs to one parent");
    cr_expect_eq(gi_sequential_append(s, s), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_sequential_append(t, s), GI_OK);
    cr_expect_eq(gi_sequential_append(s, t), GI_ERR_INVALID_ARGUMENT,
                 "a cycle is refused");
    gi_module orphan = new_relu(ctx);
    cr_expect_eq(gi_sequential_append(a, orphan), GI_ERR_INVALID_ARGUMENT);
    gi_module_destroy(orphan); /* still the caller's: the append failed */
    gi_module foreign = new_relu(other);
    cr_expect_eq(gi_sequential_append(t, foreign), GI_ERR_CONTEXT_MISMATCH);
    cr_expect_eq(gi_sequential_append(t, NULL), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_module_num_children(t), 1);
    gi_module_destroy(foreign);
    gi_module_destroy(t);
    gi_context_destroy(ctx);
    gi_context_destroy(other);
}

Test(module, failed_sequential_create_keeps_nothing)
{
    gi_context ctx = cpu_context();
    gi_module r = new_relu(ctx), l = new_linear(ctx, 2, 2, 1), out = NULL;
    gi_module twice[] = {r, l, r};
    cr_expect_eq(gi_sequential_create(&out, ctx, 3, twice), GI_ERR_STATE);
    cr_expect_null(out);
    cr_expect_null(gi_module_parent(r));
    cr_expect_null(gi_module_parent(l));
    cr_expect_eq(gi_sequential_create(&out, ctx, -1, twice),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_sequential_create(&out, ctx, 2, NULL),
                 GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_sequential_create(&out, NULL, 0, NULL),
                 GI_ERR_NULL_ARGUMENT);
    gi_module_destroy(r); /* still ours: freed once, no double free */
    gi_module_destroy(l);
    gi_context_destroy(ctx);
}

Test(module, bad_constructor_arguments)
{
    gi_context ctx = cpu_context();
    gi_module m = NULL;
    cr_expect_eq(gi_linear_create(&m, ctx, -1, 3, 1, GI_F32),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_str_eq(gi_last_error(), "gi_linear_create: features must be "
                     ">= 0, got in_features = -1, out_features = 3");
    cr_expect_eq(gi_linear_create(&m, ctx, 3, -1, 1, GI_F32),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_lazy_linear_create(&m, ctx, -5, 1, GI_F32),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_linear_create(&m, NULL, 3, 3, 1, GI_F32),
                 GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_linear_create(NULL, ctx, 3, 3, 1, GI_F32),
                 GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_relu_create(NULL, ctx), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_linear_create(&m, ctx, 1ll << 40, 1ll << 40, 1, GI_F32),
                 GI_ERR_OVERFLOW);
    cr_expect_null(m);
    cr_expect_eq(gi_generator_offset(gi_context_generator(ctx)), 0);
    cr_expect_eq(gi_module_kind_of(NULL), GI_MODULE_SEQUENTIAL);
    cr_expect_eq(gi_module_num_children(NULL), 0);
    cr_expect_null(gi_module_weight(NULL));
    cr_expect_eq(gi_module_num_parameters(NULL), 0);
    gi_module_destroy(NULL);
    gi_context_destroy(ctx);
}

/* PyTorch's reset_parameters: weight then bias, both U[-1/sqrt(in),
 * 1/sqrt(in)), from the context's generator in construction order. */
Test(module, linear_default_init_draws_weight_then_bias)
{
    gi_context ctx = cpu_context();
    gi_manual_seed(ctx, 11);
    gi_module m = new_linear(ctx, 16, 5, 1);
    cr_expect_eq(gi_generator_offset(gi_context_generator(ctx)), 20 + 2);
    gi_manual_seed(ctx, 11);
    const int64_t wshape[] = {5, 16};
    gi_tensor w = new_tensor(ctx, 2, wshape), b = new_vector(ctx, 5);
    cr_assert_eq(gi_uniform_(w, -0.25f, 0.25f, NULL), GI_OK);
    cr_assert_eq(gi_uniform_(b, -0.25f, 0.25f, NULL), GI_OK);
    float *hw = to_host(w), *hb = to_host(b);
    float *mw = to_host(gi_module_weight(m)), *mb = to_host(gi_module_bias(m));
    cr_expect(memcmp(hw, mw, 80 * sizeof(float)) == 0);
    cr_expect(memcmp(hb, mb, 5 * sizeof(float)) == 0);
    for (int i = 0; i < 80; ++i)
        cr_expect(mw[i] >= -0.25f && mw[i] < 0.25f);
    free(hw);
    free(hb);
    free(mw);
    free(mb);
    gi_tensor_destroy(w);
    gi_tensor_destroy(b);
    gi_module_destroy(m);
    gi_context_destroy(ctx);
}

Test(module, lazy_linear_materializes_like_an_eager_linear_at_that_point)
{
    gi_context ctx = cpu_context();
    gi_module lz = lazy(ctx, 3);
    cr_expect_eq(gi_module_kind_of(lz), GI_MODULE_LAZY_LINEAR);
    cr_expect_eq(gi_linear_in_features(lz), 0);
    cr_expect_null(gi_module_weight(lz));
    cr_expect_eq(gi_module_num_parameters(lz), 0);
    const int64_t xshape[] = {2, 6};
    gi_tensor x = new_tensor(ctx, 2, xshape), y = NULL;
    gi_manual_seed(ctx, 5);
    cr_assert_eq(gi_module_forward(lz, x, &y), GI_OK, "%s", gi_last_error());
    cr_expect_eq(gi_module_kind_of(lz), GI_MODULE_LINEAR);
    cr_expect_eq(gi_linear_in_features(lz), 6);
    cr_expect_eq(gi_module_num_parameters(lz), 2);
    gi_manual_seed(ctx, 5);
    gi_module eager = new_linear(ctx, 6, 3, 1);
    float *a = to_host(gi_module_weight(lz)), *b = to_host(gi_module_weight(eager));
    cr_expect(memcmp(a, b, 18 * sizeof(float)) == 0);
    free(a);
    free(b);
    a = to_host(gi_module_bias(lz));
    b = to_host(gi_module_bias(eager));
    cr_expect(memcmp(a, b, 3 * sizeof(float)) == 0);
    free(a);
    free(b);
    gi_tensor_destroy(x);
    gi_tensor_destroy(y);
    gi_module_destroy(lz);
    gi_module_destroy(eager);
    gi_context_destroy(ctx);
}

static char *printed(gi_module m)
{
    static char buf[1024];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    cr_assert_not_null(f);
    cr_assert_eq(gi_module_print(m, f), GI_OK);
    fclose(f);
    return buf;
}

Test(module, prints_like_pytorch)
{
    gi_context ctx = cpu_context();
    gi_module net = nested(ctx);
    cr_expect_str_eq(printed(net),
                     "Sequential(\n"
                     "  (0): Linear(in_features=4, out_features=8, bias=True)\n"
                     "  (1): ReLU()\n"
                     "  (2): Sequential(\n"
                     "    (0): Linear(in_features=8, out_features=3, bias=True)\n"
                     "    (1): Linear(in_features=3, out_features=1, bias=False)\n"
                     "  )\n"
                     ")\n");
    gi_module lz = lazy(ctx, 8), empty = seq(ctx, 0, NULL);
    cr_expect_str_eq(printed(lz),
                     "LazyLinear(in_features=0, out_features=8, bias=True)\n");
    cr_expect_str_eq(printed(empty), "Sequential()\n");
    cr_expect_eq(gi_module_print(NULL, stdout), GI_ERR_NULL_ARGUMENT);
    gi_module_destroy(net);
    gi_module_destroy(lz);
    gi_module_destroy(empty);
    gi_context_destroy(ctx);
}

Test(module, nesting_is_limited_and_deep_names_fit)
{
    gi_context ctx = cpu_context();
    gi_module leaf = new_linear(ctx, 2, 2, 1), top = leaf;
    for (int level = 1; level <= GI_MAX_NESTING; ++level)
        top = seq(ctx, 1, &top);
    gi_module more = NULL;
    cr_expect_eq(gi_sequential_create(&more, ctx, 1, &top),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_str_eq(gi_last_error(), "gi_sequential_create: the tree would "
                     "nest deeper than 100 levels");
    cr_expect_eq(gi_module_num_parameters(top), 2, "names of 100 levels fit");
    gi_module_destroy(top);
    gi_context_destroy(ctx);
}
