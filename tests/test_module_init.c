/* gi_module_init_ and gi_init_: a whole tree initialized at once gives the
 * very bits, and leaves the generator at the very offset, of PyTorch's
 * net.apply(init) idiom written with the per-tensor initializers; a call
 * that fails changes nothing. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "test_helpers.h"

/* The per-tensor initializer a descriptor names, called directly. */
static gi_status direct(gi_tensor t, const gi_init *s, gi_generator g)
{
    switch (s->kind) {
    case GI_INIT_NONE: return GI_OK;
    case GI_INIT_UNIFORM: return gi_uniform_(t, s->a, s->b, g);
    case GI_INIT_NORMAL: return gi_normal_(t, s->a, s->b, g);
    case GI_INIT_CONSTANT: return gi_constant_(t, s->a);
    case GI_INIT_ZEROS: return gi_zeros_(t);
    case GI_INIT_ONES: return gi_ones_(t);
    case GI_INIT_XAVIER_UNIFORM: return gi_xavier_uniform_(t, s->a, g);
    case GI_INIT_XAVIER_NORMAL: return gi_xavier_normal_(t, s->a, g);
    case GI_INIT_KAIMING_UNIFORM:
        return gi_kaiming_uniform_(t, s->a, s->mode, s->nonlinearity, g);
    case GI_INIT_KAIMING_NORMAL:
        return gi_kaiming_normal_(t, s->a, s->mode, s->nonlinearity, g);
    case GI_INIT_TRUNC_NORMAL:
        return gi_trunc_normal_(t, s->a, s->b, s->c, s->d, g);
    case GI_INIT_VARIANCE_SCALING:
        return gi_variance_scaling_(t, s->a, s->mode, s->distribution, g);
    case GI_INIT_LECUN_UNIFORM: return gi_lecun_uniform_(t, g);
    case GI_INIT_LECUN_NORMAL: return gi_lecun_normal_(t, g);
    case GI_INIT_MIXTURE: return gi_mixture_(t, s->k, s->components, g);
    case GI_INIT_EYE: return gi_eye_(t);
    case GI_INIT_DIRAC: return gi_dirac_(t, s->k);
    case GI_INIT_SPARSE: return gi_sparse_(t, s->a, s->b, g);
    case GI_INIT_ORTHOGONAL: return gi_orthogonal_(t, s->a, g);
    }
    return GI_ERR_INTERNAL;
}

static const gi_component CHAPTER[] = {
    {0.25f, GI_COMPONENT_UNIFORM, 5, 10},
    {0.5f, GI_COMPONENT_CONSTANT, 0, 0},
    {0.25f, GI_COMPONENT_UNIFORM, -10, -5}};
static const gi_component WITH_NORMAL[] = {
    {0.3f, GI_COMPONENT_NORMAL, 1, 0.5f},
    {0.7f, GI_COMPONENT_UNIFORM, -2, -2}};

/* Descriptors valid for any tensor (biases included). */
static const gi_init ANY[] = {
    {.kind = GI_INIT_UNIFORM, .a = -0.5f, .b = 0.25f},
    {.kind = GI_INIT_UNIFORM, .a = 0.75f, .b = 0.75f},
    {.kind = GI_INIT_UNIFORM, .a = -0.0f, .b = -0.0f},
    {.kind = GI_INIT_NORMAL, .a = 0.1f, .b = 0.02f},
    {.kind = GI_INIT_CONSTANT, .a = 3.5f},
    {.kind = GI_INIT_ZEROS},
    {.kind = GI_INIT_ONES},
    {.kind = GI_INIT_TRUNC_NORMAL, .a = 0, .b = 1, .c = -2, .d = 2},
    {.kind = GI_INIT_TRUNC_NORMAL, .a = 1, .b = 2, .c = 11, .d = 17},
    {.kind = GI_INIT_MIXTURE, .k = 3, .components = CHAPTER},
    {.kind = GI_INIT_MIXTURE, .k = 2, .components = WITH_NORMAL},
};
#define NANY (sizeof ANY / sizeof *ANY)

/* Descriptors that need 2 or more dimensions: weights only. */
static const gi_init FAN[] = {
    {.kind = GI_INIT_XAVIER_UNIFORM, .a = 1.0f},
    {.kind = GI_INIT_XAVIER_UNIFORM, .a = 0.0f},
    {.kind = GI_INIT_XAVIER_NORMAL, .a = 1.3f},
    {.kind = GI_INIT_KAIMING_UNIFORM, .a = 0.2f, .mode = GI_FAN_OUT,
     .nonlinearity = GI_NONLIN_LEAKY_RELU},
    {.kind = GI_INIT_KAIMING_UNIFORM, .a = 2.2f, .mode = GI_FAN_IN,
     .nonlinearity = GI_NONLIN_LEAKY_RELU},
    {.kind = GI_INIT_KAIMING_NORMAL, .mode = GI_FAN_IN,
     .nonlinearity = GI_NONLIN_RELU},
    {.kind = GI_INIT_KAIMING_NORMAL, .mode = GI_FAN_OUT,
     .nonlinearity = GI_NONLIN_TANH},
    {.kind = GI_INIT_VARIANCE_SCALING, .a = 2.0f, .mode = GI_FAN_AVG,
     .distribution = GI_DIST_TRUNCATED_NORMAL},
    {.kind = GI_INIT_VARIANCE_SCALING, .a = 0.5f, .mode = GI_FAN_OUT,
     .distribution = GI_DIST_NORMAL},
    {.kind = GI_INIT_VARIANCE_SCALING, .a = 1.0f, .mode = GI_FAN_IN,
     .distribution = GI_DIST_UNIFORM},
    {.kind = GI_INIT_LECUN_UNIFORM},
    {.kind = GI_INIT_LECUN_NORMAL},
    {.kind = GI_INIT_ORTHOGONAL, .a = 1.0},
    {.kind = GI_INIT_ORTHOGONAL, .a = -0.75},
};
#define NFAN (sizeof FAN / sizeof *FAN)

static gi_module seq(gi_context ctx, int n, gi_module *kids)
{
    gi_module m = NULL;
    cr_assert_eq(gi_sequential_create(&m, ctx, n, kids), GI_OK, "%s",
                 gi_last_error());
    return m;
}

enum { TREE_SINGLE, TREE_FLAT, TREE_NESTED, TREE_BIG, NTREES };

/* The dtype of the trees' Linears. */
static gi_dtype tree_dtype = GI_F32;

static gi_module lin(gi_context ctx, int64_t in, int64_t out, int bias)
{
    gi_module m = NULL;
    cr_assert_eq(gi_linear_create(&m, ctx, in, out, bias, tree_dtype), GI_OK,
                 "%s", gi_last_error());
    return m;
}

/* Trees with and without biases, ReLUs between, zero-size layers, odd
 * sizes (blocks straddle tensors), and layers big enough for threads. */
static gi_module tree(gi_context ctx, int which)
{
    switch (which) {
    case TREE_SINGLE:
        return lin(ctx, 7, 5, 1);
    case TREE_FLAT:
        return seq(ctx, 5, (gi_module[]){lin(ctx, 5, 7, 1), new_relu(ctx),
                                         lin(ctx, 7, 3, 0),
                                         lin(ctx, 3, 1, 1), new_relu(ctx)});
    case TREE_NESTED: {
        gi_module inner = seq(ctx, 2, (gi_module[]){lin(ctx, 6, 6, 0),
                                                    lin(ctx, 0, 3, 1)});
        gi_module mid = seq(ctx, 4, (gi_module[]){lin(ctx, 9, 6, 1),
                                                   new_relu(ctx), inner,
                                                   lin(ctx, 3, 0, 1)});
        return seq(ctx, 3, (gi_module[]){lin(ctx, 13, 9, 1), mid,
                                         lin(ctx, 5, 11, 1)});
    }
    default:
        return seq(ctx, 4, (gi_module[]){lin(ctx, 301, 257, 1), new_relu(ctx),
                                         lin(ctx, 257, 129, 0),
                                         lin(ctx, 129, 1031, 1)});
    }
}

static void put_back(const params *ps, const snapshot *s)
{
    for (int i = 0; i < ps->n; ++i)
        cr_assert_eq(gi_tensor_copy_from_host(
                         ps->t[i], s->v[i], nbytes(ps->t[i])),
                     GI_OK);
}

/* The reference: net.apply(init) with the per-tensor functions. */
typedef struct apply_init {
    const gi_init *weight, *bias;
    gi_generator gen;
} apply_init;

static gi_status init_layer(gi_module m, void *user)
{
    const apply_init *ai = user;
    if (gi_module_kind_of(m) != GI_MODULE_LINEAR)
        return GI_OK;
    gi_status st = GI_OK;
    if (ai->weight != NULL)
        st = direct(gi_module_weight(m), ai->weight, ai->gen);
    if (st == GI_OK && ai->bias != NULL && gi_module_bias(m) != NULL)
        st = direct(gi_module_bias(m), ai->bias, ai->gen);
    return st;
}

/* gi_module_init_ equals the apply loop on net: values and offset. gen
 * NULL runs both on the context's default generator. */
static void check_equivalent(gi_module net, const gi_init *weight,
                             const gi_init *bias, gi_generator gen,
                             const char *what)
{
    gi_generator g = gen != NULL ? gen
                                 : gi_context_generator(gi_module_context(net));
    params ps = params_of(net);
    snapshot before = take(&ps);
    const uint64_t offset = 1000003;

    gi_generator_set_offset(g, offset);
    apply_init ai = {weight, bias, gen};
    cr_assert_eq(gi_module_apply(net, init_layer, &ai), GI_OK, "%s: %s", what,
                 gi_last_error());
    uint64_t want_offset = gi_generator_offset(g);
    snapshot want = take(&ps);

    put_back(&ps, &before);
    gi_generator_set_offset(g, offset);
    cr_assert_eq(gi_module_init_(net, weight, bias, gen), GI_OK, "%s: %s",
                 what, gi_last_error());
    snapshot got = take(&ps);
    expect_same(&ps, &want, &got, what);
    cr_expect_eq(gi_generator_offset(g), want_offset,
                 "%s: offset %llu, the apply loop left %llu", what,
                 (unsigned long long)gi_generator_offset(g),
                 (unsigned long long)want_offset);
    drop(&before);
    drop(&want);
    drop(&got);
}

/* Every weight descriptor with several bias descriptors, on every tree. */
static void check_all_kinds(int threads)
{
    gi_context ctx = cpu_context();
    cr_assert_eq(gi_context_set_num_threads(ctx, threads), GI_OK);
    gi_generator g = NULL;
    cr_assert_eq(gi_generator_create(&g, 0x5eedf00dull), GI_OK);
    cr_assert_eq(gi_generator_set_stream(g, 7), GI_OK);
    const gi_init none = {.kind = GI_INIT_NONE};
    const gi_init *biases[] = {NULL, &none, &ANY[0], &ANY[9], &ANY[7]};
    for (int tr = 0; tr < NTREES; ++tr) {
        gi_module net = tree(ctx, tr);
        for (size_t w = 0; w < NANY + NFAN; ++w) {
            const gi_init *ws = w < NANY ? &ANY[w] : &FAN[w - NANY];
            for (size_t b = 0; b < sizeof biases / sizeof *biases; ++b) {
                char what[96];
                snprintf(what, sizeof what, "%s, threads %d, tree %d, "
                         "weight %zu, bias %zu", gi_dtype_name(tree_dtype),
                         threads, tr, w, b);
                check_equivalent(net, ws, biases[b], g, what);
            }
            if (w < NANY) { /* the same descriptor for both */
                char what[96];
                snprintf(what, sizeof what, "%s, threads %d, tree %d, "
                         "both %zu", gi_dtype_name(tree_dtype), threads, tr,
                         w);
                check_equivalent(net, ws, ws, g, what);
            }
        }
        gi_module_destroy(net);
    }
    gi_generator_destroy(g);
    gi_context_destroy(ctx);
}

Test(module_init, equals_the_apply_loop_for_every_kind_on_one_thread)
{
    check_all_kinds(1);
}

Test(module_init, equals_the_apply_loop_for_every_kind_on_two_threads)
{
    check_all_kinds(2);
}

Test(module_init, equals_the_apply_loop_for_every_kind_on_three_threads)
{
    check_all_kinds(3);
}

/* Trees of float64, float16 and bfloat16 Linears: the same equivalence,
 * orthogonal weights (which factor in float64 or float32) included. */
Test(module_init, equals_the_apply_loop_in_every_dtype)
{
    const gi_dtype dts[] = {GI_F64, GI_F16, GI_BF16};
    for (int d = 0; d < 3; ++d) {
        tree_dtype = dts[d];
        check_all_kinds(2);
    }
    tree_dtype = GI_F32;
}

Test(module_init, bias_only_and_weight_only)
{
    gi_context ctx = cpu_context();
    gi_module net = tree(ctx, TREE_NESTED);
    check_equivalent(net, NULL, &ANY[3], NULL, "bias only");
    check_equivalent(net, &FAN[0], NULL, NULL, "weight only");
    check_equivalent(net, NULL, NULL, NULL, "neither");
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}

Test(module_init, default_generator_when_gen_is_null)
{
    gi_context ctx = cpu_context();
    gi_module net = tree(ctx, TREE_BIG);
    gi_manual_seed(ctx, 42);
    check_equivalent(net, &FAN[5], &ANY[10], NULL, "default generator");
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}

/* A LazyLinear counts once its first forward has made it a Linear. */
Test(module_init, materialized_lazy_linear_is_a_linear)
{
    gi_context ctx = cpu_context();
    gi_module lazy = NULL;
    cr_assert_eq(gi_lazy_linear_create(&lazy, ctx, 6, 1, GI_F32), GI_OK);
    gi_module net = seq(ctx, 3, (gi_module[]){lazy, new_relu(ctx),
                                              new_linear(ctx, 6, 2, 1)});
    gi_tensor x = NULL, y = NULL;
    cr_assert_eq(gi_rand(&x, ctx, 2, (const int64_t[]){3, 5}, NULL), GI_OK);
    cr_assert_eq(gi_module_forward(net, x, &y), GI_OK, "%s", gi_last_error());
    check_equivalent(net, &FAN[3], &ANY[1], NULL, "materialized");
    gi_tensor_destroy(x);
    gi_tensor_destroy(y);
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}

/* A failing call: the status, a message naming the function and `needle`,
 * and every parameter and both generators as they were. */
static void expect_refused(gi_module net, const gi_init *weight,
                           const gi_init *bias, gi_status want,
                           const char *needle)
{
    gi_context ctx = gi_module_context(net);
    gi_generator g = NULL;
    cr_assert_eq(gi_generator_create(&g, 9), GI_OK);
    gi_generator_set_offset(g, 77);
    gi_generator_set_offset(gi_context_generator(ctx), 88);
    params ps = params_of(net);
    snapshot before = take(&ps);
    gi_generator gens[] = {g, NULL};
    for (int k = 0; k < 2; ++k) {
        gi_status st = gi_module_init_(net, weight, bias, gens[k]);
        cr_expect_eq(st, want, "got %s: %s", gi_status_name(st),
                     gi_last_error());
        cr_expect(strncmp(gi_last_error(), "gi_module_init_: ", 17) == 0,
                  "%s", gi_last_error());
        cr_expect(strstr(gi_last_error(), needle) != NULL,
                  "'%s' does not mention %s", gi_last_error(), needle);
        snapshot after = take(&ps);
        expect_same(&ps, &before, &after, needle);
        drop(&after);
        cr_expect_eq(gi_generator_offset(g), 77);
        cr_expect_eq(gi_generator_offset(gi_context_generator(ctx)), 88);
    }
    drop(&before);
    gi_generator_destroy(g);
}

static gi_module lazy_linear(gi_context ctx, int64_t out, int bias)
{
    gi_module m = NULL;
    cr_assert_eq(gi_lazy_linear_create(&m, ctx, out, bias, GI_F32), GI_OK);
    return m;
}

Test(module_init, unmaterialized_lazy_linear_is_refused_naming_it)
{
    gi_context ctx = cpu_context();
    const gi_init u = {.kind = GI_INIT_UNIFORM, .a = -1, .b = 1};
    const gi_init none = {.kind = GI_INIT_NONE};
    gi_module net = seq(ctx, 2, (gi_module[]){
        new_linear(ctx, 4, 3, 1),
        seq(ctx, 2, (gi_module[]){new_relu(ctx), lazy_linear(ctx, 2, 1)})});
    expect_refused(net, &u, &u, GI_ERR_STATE, "parameter '1.1.weight'");
    expect_refused(net, NULL, &u, GI_ERR_STATE, "parameter '1.1.bias'");
    expect_refused(net, &none, &u, GI_ERR_STATE, "parameter '1.1.bias'");
    /* Nothing asked of the lazy layer: nothing to refuse. */
    check_equivalent(net, NULL, NULL, NULL, "lazy left alone");
    check_equivalent(net, &none, &none, NULL, "lazy left alone (NONE)");
    gi_module_destroy(net);

    gi_module lonely = lazy_linear(ctx, 3, 0);
    expect_refused(lonely, &u, NULL, GI_ERR_STATE, "parameter 'weight'");
    cr_expect_eq(gi_module_init_(lonely, NULL, &u, NULL), GI_OK,
                 "a lazy layer without bias has no bias to refuse");
    gi_module_destroy(lonely);
    gi_context_destroy(ctx);
}

Test(module_init, invalid_descriptor_for_a_bias_writes_nothing)
{
    gi_context ctx = cpu_context();
    gi_module net = tree(ctx, TREE_FLAT);
    const gi_init xavier = {.kind = GI_INIT_XAVIER_UNIFORM, .a = 1};
    expect_refused(net, &xavier, &xavier, GI_ERR_SHAPE, "parameter '0.bias'");
    const gi_init kaiming = {.kind = GI_INIT_KAIMING_NORMAL,
                             .nonlinearity = GI_NONLIN_RELU};
    expect_refused(net, NULL, &kaiming, GI_ERR_SHAPE, "parameter '0.bias'");
    /* orthogonal_ is refused at planning, before any draw or QR runs. */
    const gi_init ortho = {.kind = GI_INIT_ORTHOGONAL, .a = 1};
    expect_refused(net, &ortho, &ortho, GI_ERR_SHAPE, "parameter '0.bias'");
    expect_refused(net, &ortho, &ortho, GI_ERR_SHAPE,
                   "only tensors with 2 or more dimensions are supported");
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}

Test(module_init, invalid_arguments_name_the_parameter_and_value)
{
    gi_context ctx = cpu_context();
    gi_module net = tree(ctx, TREE_NESTED);
    const gi_init nan_std = {.kind = GI_INIT_NORMAL, .a = 0, .b = NAN};
    expect_refused(net, &nan_std, NULL, GI_ERR_INVALID_ARGUMENT, "nan");
    expect_refused(net, &nan_std, NULL, GI_ERR_INVALID_ARGUMENT,
                   "parameter '0.weight'");
    const gi_init mode = {.kind = GI_INIT_KAIMING_UNIFORM, .mode = GI_FAN_AVG};
    expect_refused(net, &mode, NULL, GI_ERR_INVALID_ARGUMENT, "mode 2");
    const gi_init k9 = {.kind = GI_INIT_MIXTURE, .k = 9, .components = CHAPTER};
    expect_refused(net, NULL, &k9, GI_ERR_INVALID_ARGUMENT, "'k' = 9");
    const gi_init bad = {.kind = (gi_init_kind)999};
    expect_refused(net, &bad, NULL, GI_ERR_INVALID_ARGUMENT,
                   "'weight->kind' has unknown value 999");
    const gi_init neg = {.kind = (gi_init_kind)-1};
    expect_refused(net, NULL, &neg, GI_ERR_INVALID_ARGUMENT,
                   "'bias->kind' has unknown value -1");
    gi_module_destroy(net);
    /* A bad kind is refused even where there is nothing to initialize. */
    gi_module r = new_relu(ctx);
    expect_refused(r, &bad, NULL, GI_ERR_INVALID_ARGUMENT, "999");
    gi_module_destroy(r);
    cr_expect_eq(gi_module_init_(NULL, NULL, NULL, NULL),
                 GI_ERR_NULL_ARGUMENT);
    gi_context_destroy(ctx);
}

/* gi_init_ is the function its kind names: values and offsets. */
Test(init_descriptor, equals_the_direct_call_for_every_kind)
{
    gi_context ctx = cpu_context();
    cr_assert_eq(gi_context_set_num_threads(ctx, 2), GI_OK);
    gi_generator g = NULL;
    cr_assert_eq(gi_generator_create(&g, 31), GI_OK);
    static const int64_t odd[] = {37, 11}, big[] = {301, 257},
                         empty[] = {0, 5}, conv[] = {3, 3, 3};
    const int64_t *shapes[] = {odd, big, empty, conv};
    const int ndims[] = {2, 2, 2, 3};
    for (size_t s = 0; s < 4; ++s) {
        gi_tensor a = new_tensor(ctx, ndims[s], shapes[s]);
        gi_tensor b = new_tensor(ctx, ndims[s], shapes[s]);
        size_t bytes = (size_t)gi_tensor_numel(a) * sizeof(float);
        for (size_t i = 0; i < NANY + NFAN; ++i) {
            const gi_init *spec = i < NANY ? &ANY[i] : &FAN[i - NANY];
            gi_generator_set_offset(g, 5);
            cr_assert_eq(gi_init_(a, spec, g), GI_OK, "%s", gi_last_error());
            uint64_t got = gi_generator_offset(g);
            gi_generator_set_offset(g, 5);
            cr_assert_eq(direct(b, spec, g), GI_OK, "%s", gi_last_error());
            cr_expect_eq(got, gi_generator_offset(g), "shape %zu, kind %d", s,
                         spec->kind);
            float *ha = to_host(a), *hb = to_host(b);
            cr_expect(memcmp(ha, hb, bytes) == 0, "shape %zu, kind %d "
                      "differs", s, spec->kind);
            free(ha);
            free(hb);
        }
        gi_tensor_destroy(a);
        gi_tensor_destroy(b);
    }
    gi_generator_destroy(g);
    gi_context_destroy(ctx);
}

/* The text after "function: " of the last error. */
static const char *message_body(void)
{
    const char *colon = strstr(gi_last_error(), ": ");
    return colon != NULL ? colon + 2 : gi_last_error();
}

/* Refused arguments: the direct call's status and message, under gi_init_'s
 * name, and nothing written or drawn. */
Test(init_descriptor, refuses_what_the_direct_call_refuses)
{
    gi_context ctx = cpu_context();
    gi_tensor w = new_tensor(ctx, 2, (const int64_t[]){4, 3});
    gi_tensor v = new_vector(ctx, 6);
    fill_iota(w);
    fill_iota(v);
    const gi_component bad_prob[] = {{0.5f, GI_COMPONENT_UNIFORM, 0, 1}};
    const struct { gi_tensor t; gi_init spec; } cases[] = {
        {w, {.kind = GI_INIT_UNIFORM, .a = 1, .b = 0}},
        {w, {.kind = GI_INIT_UNIFORM, .a = NAN, .b = 0}},
        {w, {.kind = GI_INIT_UNIFORM, .a = -FLT_MAX, .b = FLT_MAX}},
        {w, {.kind = GI_INIT_NORMAL, .a = INFINITY, .b = 1}},
        {w, {.kind = GI_INIT_NORMAL, .a = 0, .b = -1}},
        {v, {.kind = GI_INIT_XAVIER_NORMAL, .a = 1}},
        {w, {.kind = GI_INIT_XAVIER_UNIFORM, .a = -1}},
        {w, {.kind = GI_INIT_KAIMING_UNIFORM, .mode = (gi_fan_mode)7}},
        {w, {.kind = GI_INIT_KAIMING_NORMAL, .a = NAN,
             .nonlinearity = GI_NONLIN_LEAKY_RELU}},
        {w, {.kind = GI_INIT_KAIMING_NORMAL,
             .nonlinearity = (gi_nonlinearity)12}},
        {w, {.kind = GI_INIT_TRUNC_NORMAL, .a = 0, .b = 1, .c = 2, .d = -2}},
        {w, {.kind = GI_INIT_TRUNC_NORMAL, .a = 0, .b = 1, .c = 40, .d = 41}},
        {w, {.kind = GI_INIT_TRUNC_NORMAL, .a = 0, .b = 0, .c = -1, .d = 1}},
        {w, {.kind = GI_INIT_VARIANCE_SCALING, .a = 0}},
        {w, {.kind = GI_INIT_VARIANCE_SCALING, .a = 1,
             .distribution = (gi_distribution)3}},
        {v, {.kind = GI_INIT_LECUN_NORMAL}},
        {w, {.kind = GI_INIT_MIXTURE, .k = 0, .components = CHAPTER}},
        {w, {.kind = GI_INIT_MIXTURE, .k = 1, .components = bad_prob}},
        {w, {.kind = GI_INIT_MIXTURE, .k = 3, .components = NULL}},
    };
    gi_generator g = gi_context_generator(ctx);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i) {
        gi_generator_set_offset(g, 3);
        gi_status want = direct(cases[i].t, &cases[i].spec, NULL);
        cr_assert_neq(want, GI_OK, "case %zu", i);
        char direct_msg[512];
        snprintf(direct_msg, sizeof direct_msg, "%s", message_body());
        gi_status got = gi_init_(cases[i].t, &cases[i].spec, NULL);
        cr_expect_eq(got, want, "case %zu: %s", i, gi_last_error());
        cr_expect(strncmp(gi_last_error(), "gi_init_: ", 10) == 0, "%s",
                  gi_last_error());
        cr_expect_str_eq(message_body(), direct_msg, "case %zu", i);
        cr_expect_eq(gi_generator_offset(g), 3);
        expect_iota(w);
        expect_iota(v);
    }
    gi_tensor_destroy(w);
    gi_tensor_destroy(v);
    gi_context_destroy(ctx);
}

Test(init_descriptor, unknown_kinds_and_null_arguments)
{
    gi_context ctx = cpu_context();
    gi_tensor w = new_tensor(ctx, 2, (const int64_t[]){4, 3});
    fill_iota(w);
    const int kinds[] = {999, -1, GI_INIT_ORTHOGONAL + 1, INT32_MIN};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; ++i) {
        gi_init spec = {.kind = (gi_init_kind)kinds[i]};
        cr_expect_eq(gi_init_(w, &spec, NULL), GI_ERR_INVALID_ARGUMENT);
        char want[96];
        snprintf(want, sizeof want,
                 "gi_init_: argument 'spec->kind' has unknown value %d",
                 kinds[i]);
        cr_expect_str_eq(gi_last_error(), want);
    }
    cr_expect_eq(gi_init_(w, NULL, NULL), GI_ERR_NULL_ARGUMENT);
    cr_expect(strstr(gi_last_error(), "'spec'") != NULL, "%s",
              gi_last_error());
    const gi_init none = {.kind = GI_INIT_NONE};
    cr_expect_eq(gi_init_(NULL, &none, NULL), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_init_(w, &none, NULL), GI_OK);
    expect_iota(w);
    cr_expect_eq(gi_generator_offset(gi_context_generator(ctx)), 0);
    gi_tensor_destroy(w);
    gi_context_destroy(ctx);
}
