/* Callbacks of gi_module_apply and gi_module_named_parameters that change
 * the tree being walked: destroying its root or a parameter is ignored,
 * and appending, re-parenting or materializing a LazyLinear is refused
 * with GI_ERR_STATE until the walk ends; the walk visits exactly the tree
 * it started on. Nested walks, of the same tree or another, follow the
 * same rules. Run under AddressSanitizer by CI: no access to freed memory,
 * no leak. */
#include <string.h>

#include "test_helpers.h"

/* Sequential(Linear(4, 8), ReLU(), Sequential(Linear(8, 3), Linear(3, 1,
 * bias=False))): 6 modules, 5 parameters. */
static gi_module nested(gi_context ctx)
{
    gi_module inner[] = {new_linear(ctx, 8, 3, 1), new_linear(ctx, 3, 1, 0)};
    gi_module outer[3] = {new_linear(ctx, 4, 8, 1), new_relu(ctx), NULL};
    cr_assert_eq(gi_sequential_create(&outer[2], ctx, 2, inner), GI_OK);
    gi_module net = NULL;
    cr_assert_eq(gi_sequential_create(&net, ctx, 3, outer), GI_OK);
    return net;
}

static gi_module empty_sequential(gi_context ctx)
{
    gi_module m = NULL;
    cr_assert_eq(gi_sequential_create(&m, ctx, 0, NULL), GI_OK);
    return m;
}

/* What a callback tried and got. Callbacks record; the test asserts. */
typedef struct attempt {
    gi_module target, other; /* the tree to change; one not walked */
    gi_context ctx;
    int visits, refused, cap;
    gi_status last;
    char error[256];
} attempt;

static void note(attempt *a, gi_status st)
{
    a->last = st;
    if (st != GI_OK) {
        a->refused++;
        snprintf(a->error, sizeof a->error, "%s", gi_last_error());
    }
}

static gi_status destroy_root(gi_module m, void *user)
{
    (void)m;
    attempt *a = user;
    a->visits++;
    gi_module_destroy(a->target);
    snprintf(a->error, sizeof a->error, "%s", gi_last_error());
    return GI_OK;
}

Test(walks, destroying_the_root_from_apply_is_ignored)
{
    gi_context ctx = cpu_context();
    gi_module net = nested(ctx), inner = NULL;
    attempt a = {.target = net};
    cr_assert_eq(gi_module_apply(net, destroy_root, &a), GI_OK);
    cr_expect_eq(a.visits, 6, "every module is still visited");
    cr_expect(strstr(a.error, "gi_module_destroy: the tree of 'm' is being "
                              "walked") != NULL, "%s", a.error);
    /* A walk of a subtree freezes the whole tree. */
    cr_assert_eq(gi_module_child(net, 2, &inner), GI_OK);
    a.visits = 0;
    cr_assert_eq(gi_module_apply(inner, destroy_root, &a), GI_OK);
    cr_expect_eq(a.visits, 3);
    cr_expect_eq(gi_module_num_parameters(net), 5, "the tree is intact");
    gi_module_destroy(net); /* after the walk: freed, no leak */
    gi_context_destroy(ctx);
}

/* At "weight": destroys the parameter's module (the root) and the
 * parameter itself; at "bias", reads the parameter. */
static gi_status destroy_param(const char *name, gi_tensor p, void *user)
{
    attempt *a = user;
    a->visits++;
    if (strcmp(name, "weight") == 0) {
        gi_module_destroy(a->target);
        gi_tensor_destroy(p);
        snprintf(a->error, sizeof a->error, "%s", gi_last_error());
    }
    return gi_fill_(p, (float)a->visits);
}

Test(walks, destroying_the_visited_parameter_or_its_module_is_ignored)
{
    gi_context ctx = cpu_context();
    gi_module lin = new_linear(ctx, 4, 3, 1);
    attempt a = {.target = lin};
    cr_assert_eq(gi_module_named_parameters(lin, destroy_param, &a), GI_OK,
                 "%s", gi_last_error());
    cr_expect_eq(a.visits, 2);
    cr_expect(strstr(a.error, "gi_tensor_destroy: the tensor is a module's "
                              "parameter") != NULL, "%s", a.error);
    float *w = to_host(gi_module_weight(lin));
    float *b = to_host(gi_module_bias(lin));
    cr_expect_eq(w[11], 1.0f, "the weight lives on and was edited");
    cr_expect_eq(b[2], 2.0f);
    free(w);
    free(b);
    /* Outside a walk too: a parameter belongs to its module. */
    gi_tensor_destroy(gi_module_bias(lin));
    cr_expect(strstr(gi_last_error(), "gi_tensor_destroy") != NULL);
    cr_expect_eq(gi_module_num_parameters(lin), 2);
    gi_module_destroy(lin);
    gi_context_destroy(ctx);
}

/* Appends a new ReLU to the target, at most cap times. */
static gi_status append_relu(gi_module m, void *user)
{
    (void)m;
    attempt *a = user;
    if (++a->visits > a->cap)
        return GI_ERR_INTERNAL; /* a walk that would never end */
    gi_module r = NULL;
    gi_status st = gi_relu_create(&r, a->ctx);
    if (st == GI_OK)
        st = gi_sequential_append(a->target, r);
    note(a, st);
    if (st != GI_OK)
        gi_module_destroy(r); /* refused: still the callback's */
    return GI_OK;
}

static gi_status append_relu_param(const char *name, gi_tensor p, void *user)
{
    (void)name;
    (void)p;
    return append_relu(NULL, user);
}

Test(walks, appending_during_a_walk_is_refused)
{
    gi_context ctx = cpu_context();
    gi_module net = nested(ctx);
    attempt a = {.target = net, .ctx = ctx, .cap = 100};
    cr_assert_eq(gi_module_apply(net, append_relu, &a), GI_OK);
    cr_expect_eq(a.visits, 6, "the walk visits the tree it started on");
    cr_expect_eq(a.refused, 6);
    cr_expect_eq(a.last, GI_ERR_STATE);
    cr_expect_str_eq(a.error, "gi_sequential_append: the tree of 'seq' is "
                     "being walked (gi_module_apply or "
                     "gi_module_named_parameters): its structure cannot "
                     "change until the walk ends");
    a = (attempt){.target = net, .ctx = ctx, .cap = 100};
    cr_assert_eq(gi_module_named_parameters(net, append_relu_param, &a), GI_OK);
    cr_expect_eq(a.visits, 5);
    cr_expect_eq(a.refused, 5);
    cr_expect_eq(gi_module_num_children(net), 3, "nothing was appended");
    gi_module r = new_relu(ctx);
    cr_expect_eq(gi_sequential_append(net, r), GI_OK, "after the walk: fine");
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}

Test(walks, appending_on_every_visit_ends)
{
    gi_context ctx = cpu_context();
    gi_module only = new_relu(ctx), net = NULL;
    cr_assert_eq(gi_sequential_create(&net, ctx, 1, &only), GI_OK);
    attempt a = {.target = net, .ctx = ctx, .cap = 1000};
    cr_expect_eq(gi_module_apply(net, append_relu, &a), GI_OK,
                 "the walk ended after %d visits", a.visits);
    cr_expect_eq(a.visits, 2);
    cr_expect_eq(gi_module_num_children(net), 1);
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}

/* Tries to give the walked root (target) a parent: by append into another
 * tree and by a new Sequential. */
static gi_status adopt_root(gi_module m, void *user)
{
    (void)m;
    attempt *a = user;
    a->visits++;
    note(a, gi_sequential_append(a->other, a->target));
    gi_module s = NULL;
    note(a, gi_sequential_create(&s, a->ctx, 1, &a->target));
    gi_module_destroy(s); /* NULL when refused */
    return GI_OK;
}

Test(walks, giving_the_walked_root_a_parent_is_refused)
{
    gi_context ctx = cpu_context();
    gi_module net = nested(ctx), other = empty_sequential(ctx);
    attempt a = {.target = net, .other = other, .ctx = ctx};
    cr_assert_eq(gi_module_apply(net, adopt_root, &a), GI_OK);
    cr_expect_eq(a.visits, 6);
    cr_expect_eq(a.refused, 12);
    cr_expect_str_eq(a.error, "gi_sequential_create: the tree of 'child' is "
                     "being walked (gi_module_apply or "
                     "gi_module_named_parameters): its structure cannot "
                     "change until the walk ends");
    cr_expect_eq(gi_module_parent(net), NULL);
    cr_expect_eq(gi_module_num_children(other), 0);
    gi_module_destroy(net);
    gi_module_destroy(other);
    gi_context_destroy(ctx);
}

/* Runs the target tree forward on a 2 x 4 input. */
static gi_status run_forward(gi_module m, void *user)
{
    (void)m;
    attempt *a = user;
    a->visits++;
    const int64_t shape[] = {2, 4};
    gi_tensor x = NULL, y = NULL;
    gi_status st = gi_tensor_create(&x, a->ctx, GI_F32, 2, shape);
    if (st == GI_OK)
        st = gi_module_forward(a->target, x, &y);
    note(a, st);
    gi_tensor_destroy(y);
    gi_tensor_destroy(x);
    return GI_OK;
}

Test(walks, a_forward_in_a_callback_may_not_create_parameters)
{
    gi_context ctx = cpu_context();
    gi_module kids[] = {NULL, new_relu(ctx)}, net = NULL;
    cr_assert_eq(gi_lazy_linear_create(&kids[0], ctx, 3, 1, GI_F32), GI_OK);
    cr_assert_eq(gi_sequential_create(&net, ctx, 2, kids), GI_OK);
    const uint64_t offset = gi_generator_offset(gi_context_generator(ctx));
    attempt a = {.target = net, .ctx = ctx};
    cr_assert_eq(gi_module_apply(net, run_forward, &a), GI_OK);
    cr_expect_eq(a.refused, 3);
    cr_expect_str_eq(a.error, "gi_module_forward: LazyLinear at '0' cannot "
                     "create its parameters while a walk of its tree "
                     "(gi_module_apply or gi_module_named_parameters) is in "
                     "progress");
    cr_expect_eq(gi_module_num_parameters(net), 0);
    cr_expect_eq(gi_generator_offset(gi_context_generator(ctx)), offset);
    /* Materialized after the walk, a forward inside a walk is fine. */
    cr_assert_eq(run_forward(NULL, &a), GI_OK);
    cr_expect_eq(a.last, GI_OK, "%s", gi_last_error());
    a.refused = 0;
    cr_assert_eq(gi_module_apply(net, run_forward, &a), GI_OK);
    cr_expect_eq(a.refused, 0, "%s", a.error);
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}

/* ---- walks inside walks ------------------------------------------------ */

typedef struct nest {
    gi_module a, b, c, d; /* a and b walked; c and d not */
    gi_context ctx;
    int outer_visits, inner_visits;
    gi_status append_a, append_b, append_c, append_a_after;
    int a_destroy_refused;
} nest;

static gi_status try_append(gi_context ctx, gi_module seq)
{
    gi_module r = NULL;
    gi_status st = gi_relu_create(&r, ctx);
    if (st == GI_OK)
        st = gi_sequential_append(seq, r);
    if (st != GI_OK)
        gi_module_destroy(r);
    return st;
}

/* Inside a walk of b nested in a walk of a: a and b are frozen, c is not;
 * parameters may be edited. */
static gi_status inner_param(const char *name, gi_tensor p, void *user)
{
    (void)name;
    nest *n = user;
    n->inner_visits++;
    n->append_a = try_append(n->ctx, n->a);
    n->append_b = try_append(n->ctx, n->b);
    n->append_c = try_append(n->ctx, n->c);
    gi_module_destroy(n->a);
    n->a_destroy_refused +=
        strstr(gi_last_error(), "gi_module_destroy") != NULL;
    gi_module_destroy(n->d); /* not walked: freed at once */
    n->d = NULL;
    return gi_normal_(p, 0.0f, 1.0f, NULL);
}

static gi_status outer_module(gi_module m, void *user)
{
    (void)m;
    nest *n = user;
    n->outer_visits++;
    if (n->outer_visits == 1) {
        gi_status st = gi_module_named_parameters(n->a, inner_param, n);
        if (st == GI_OK)
            st = gi_module_named_parameters(n->b, inner_param, n);
        if (st != GI_OK)
            return st;
    }
    n->append_a_after = try_append(n->ctx, n->a);
    return GI_OK;
}

Test(walks, nested_walks_on_the_same_and_another_tree)
{
    gi_context ctx = cpu_context();
    nest n = {.a = nested(ctx), .b = nested(ctx), .c = empty_sequential(ctx),
              .d = nested(ctx), .ctx = ctx};
    cr_assert_eq(gi_module_apply(n.a, outer_module, &n), GI_OK, "%s",
                 gi_last_error());
    cr_expect_eq(n.outer_visits, 6);
    cr_expect_eq(n.inner_visits, 10, "a's 5 parameters, then b's");
    cr_expect_eq(n.append_a, GI_ERR_STATE);
    cr_expect_eq(n.append_b, GI_ERR_STATE);
    cr_expect_eq(n.append_c, GI_OK, "another tree changes freely");
    cr_expect_eq(n.append_a_after, GI_ERR_STATE,
                 "still inside a's own walk");
    cr_expect_eq(n.a_destroy_refused, 10);
    cr_expect_eq(n.d, NULL);
    cr_expect_eq(gi_module_num_children(n.c), 10);
    cr_expect_eq(gi_module_num_children(n.a), 3);
    cr_expect_eq(try_append(ctx, n.a), GI_OK, "every walk has ended");
    cr_expect_eq(try_append(ctx, n.b), GI_OK);
    gi_module_destroy(n.a);
    gi_module_destroy(n.b);
    gi_module_destroy(n.c);
    gi_context_destroy(ctx);
}
