/* The 'torch_cpu' generator through the public API, against PyTorch 1.13
 * itself (tests/data/torch_generator_cases.txt, written by
 * tests/gen_torch_generator_cases.py): after gi_manual_seed on a context
 * whose default generator is of that kind, the same calls as the Python
 * side's (uniform_, normal_, rand, randn, xavier and kaiming, gi_init_,
 * nn.Linear's construction, the LazyLinear chapter, init_normal applied
 * to it) give its very floats and leave its very state bytes; on the
 * simulated GPU too. Then the refusals, which write and draw nothing, and
 * the state functions. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "test_helpers.h"

#define STATE_BYTES 5056

/* ---- the data file --------------------------------------------------- */

/* The data file's hash (its header says why one changed value always
 * changes it). */
static uint64_t hash_words(const void *p, int64_t n, int width)
{
    uint64_t h = 0;
    for (int64_t i = 0; i < n; ++i) {
        uint64_t x = width == 4 ? ((const uint32_t *)p)[i]
                                : ((const unsigned char *)p)[i];
        uint64_t k = ((uint64_t)i * UINT64_C(0x9E3779B97F4A7C15) +
                      UINT64_C(0x632BE59BD9B4E019)) | 1u;
        h += (x ^ (uint64_t)i) * k;
    }
    return h;
}

/* A cursor over the current line's tokens. */
typedef struct line {
    char *tok[128];
    int n, at;
    int number; /* in the file, for messages */
} line;

static char *next_token(line *l)
{
    cr_assert_lt(l->at, l->n, "line %d ends early", l->number);
    return l->tok[l->at++];
}

static uint64_t next_u64(line *l, int base)
{
    return strtoull(next_token(l), NULL, base);
}

/* "-" or the bits of a double. */
static double next_double(line *l)
{
    const char *t = next_token(l);
    if (strcmp(t, "-") == 0)
        return NAN;
    uint64_t u = strtoull(t, NULL, 16);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* Splits the next line of *text in place; 0 at the end. Tokens beyond
 * the table (a long hex string is one token) are not needed. */
static int read_line(char **text, line *l)
{
    while (**text == '#')
        *text = strchr(*text, '\n') + 1;
    if (**text == '\0')
        return 0;
    char *end = strchr(*text, '\n');
    cr_assert_not_null(end);
    *end = '\0';
    l->n = l->at = 0;
    ++l->number;
    for (char *save = NULL, *t = strtok_r(*text, " ", &save);
         t != NULL && l->n < 128; t = strtok_r(NULL, " ", &save))
        l->tok[l->n++] = t;
    *text = end + 1;
    return 1;
}

/* t's floats against "<n> <hash> <k> <bits...>" at l's cursor. */
static void expect_values(line *l, gi_tensor t, const char *what)
{
    int64_t n = (int64_t)next_u64(l, 10);
    uint64_t hash = next_u64(l, 16);
    int k = (int)next_u64(l, 10);
    cr_assert_eq(gi_tensor_numel(t), n, "line %d: %s has %lld elements",
                 l->number, what, (long long)gi_tensor_numel(t));
    float *h = to_host(t);
    for (int i = 0; i < k; ++i) {
        uint32_t want = (uint32_t)next_u64(l, 16), got;
        memcpy(&got, &h[i], 4);
        cr_expect_eq(got, want, "line %d: %s[%d] is %08x (%.9g), PyTorch "
                     "gives %08x", l->number, what, i, got, (double)h[i],
                     want);
    }
    cr_expect_eq(hash_words(h, n, 4), hash, "line %d: %s differs beyond "
                 "its first %d values", l->number, what, k);
    free(h);
}

/* The same for a fill whose QR is the device's: on a GPU context
 * (cuSOLVER) its first values agree with PyTorch's CPU to `tol` only, as
 * gi_orthogonal_'s do with the CPU's. */
static void expect_close(line *l, gi_tensor t, const char *what, double tol)
{
    int64_t n = (int64_t)next_u64(l, 10);
    next_u64(l, 16);
    int k = (int)next_u64(l, 10);
    cr_assert_eq(gi_tensor_numel(t), n, "line %d: %s has %lld elements",
                 l->number, what, (long long)gi_tensor_numel(t));
    float *h = to_host(t);
    for (int i = 0; i < k; ++i) {
        uint32_t bits = (uint32_t)next_u64(l, 16);
        float want;
        memcpy(&want, &bits, 4);
        cr_expect(fabs((double)h[i] - (double)want) <= tol,
                  "line %d: %s[%d] is %.9g, PyTorch gives %.9g", l->number,
                  what, i, (double)h[i], (double)want);
    }
    free(h);
}

/* ---- the calls ------------------------------------------------------- */

typedef struct run {
    gi_context ctx;
    gi_module m;   /* of the last linear or chapter line */
    gi_tensor x;   /* the chapter's X */
    gi_torch_kernels kernels; /* the case's */
    int cases;
} run;

static gi_fan_mode mode_of(const char *s)
{
    return strcmp(s, "fan_out") == 0 ? GI_FAN_OUT : GI_FAN_IN;
}

static gi_nonlinearity nl_of(const char *s)
{
    return strcmp(s, "relu") == 0 ? GI_NONLIN_RELU : GI_NONLIN_LEAKY_RELU;
}

/* The call an op names on t (already made for rand and randn). */
static gi_status init_op(const char *op, gi_tensor t, double a, double b,
                         gi_fan_mode mode, gi_nonlinearity nl)
{
    static const struct { const char *name; gi_init_kind kind; } kinds[] = {
        {"uniform", GI_INIT_UNIFORM}, {"normal", GI_INIT_NORMAL},
        {"xavier_uniform", GI_INIT_XAVIER_UNIFORM},
        {"xavier_normal", GI_INIT_XAVIER_NORMAL},
        {"kaiming_uniform", GI_INIT_KAIMING_UNIFORM},
        {"kaiming_normal", GI_INIT_KAIMING_NORMAL}};
    if (strncmp(op, "init_", 5) == 0)
        for (size_t i = 0; i < sizeof kinds / sizeof *kinds; ++i)
            if (strcmp(op + 5, kinds[i].name) == 0)
                return gi_init_(t, &(gi_init){.kind = kinds[i].kind, .a = a,
                                              .b = b, .mode = mode,
                                              .nonlinearity = nl},
                                NULL);
    if (strcmp(op, "uniform") == 0)
        return gi_uniform_(t, a, b, NULL);
    if (strcmp(op, "normal") == 0)
        return gi_normal_(t, a, b, NULL);
    if (strcmp(op, "xavier_uniform") == 0)
        return gi_xavier_uniform_(t, a, NULL);
    if (strcmp(op, "xavier_normal") == 0)
        return gi_xavier_normal_(t, a, NULL);
    if (strcmp(op, "kaiming_uniform") == 0)
        return gi_kaiming_uniform_(t, a, mode, nl, NULL);
    cr_assert_str_eq(op, "kaiming_normal");
    return gi_kaiming_normal_(t, a, mode, nl, NULL);
}

static void do_call(run *r, line *l)
{
    const char *op = next_token(l);
    double a = next_double(l), b = next_double(l);
    gi_fan_mode mode = mode_of(next_token(l));
    gi_nonlinearity nl = nl_of(next_token(l));
    int ndim = (int)next_u64(l, 10);
    int64_t shape[GI_MAX_DIMS];
    for (int i = 0; i < ndim; ++i)
        shape[i] = (int64_t)next_u64(l, 10);
    cr_assert_str_eq(next_token(l), ":");
    gi_tensor t = NULL;
    gi_status st;
    if (strcmp(op, "rand") == 0 || strcmp(op, "randn") == 0)
        st = (op[4] == 'n' ? gi_randn : gi_rand)(&t, r->ctx, ndim, shape,
                                                  NULL);
    else {
        t = new_tensor(r->ctx, ndim, shape);
        st = init_op(op, t, a, b, mode, nl);
    }
    cr_assert_eq(st, GI_OK, "line %d: %s: %s", l->number, op,
                 gi_last_error());
    expect_values(l, t, op);
    gi_tensor_destroy(t);
}

/* sparse_ on its own torch_cpu generator seeded with seed. */
static gi_status sparse_own(gi_tensor t, double sparsity, double std,
                            double seed, gi_torch_kernels kernels)
{
    gi_generator g = NULL;
    cr_assert_eq(gi_generator_create_kind(&g, GI_GENERATOR_TORCH_CPU,
                                          (uint64_t)seed), GI_OK);
    cr_assert_eq(gi_generator_set_torch_kernels(g, kernels), GI_OK);
    gi_status st = gi_sparse_(t, sparsity, std, g);
    gi_generator_destroy(g);
    return st;
}

/* nn.init.<op>_(t, args...) through its gi_ counterpart, or through
 * gi_init_ for init_<op>. */
static gi_status fill_op(const char *op, gi_tensor t, int nargs,
                         const double *arg, gi_torch_kernels kernels)
{
    static const struct { const char *name; gi_init_kind kind; int n; }
        ops[] = {{"trunc_normal", GI_INIT_TRUNC_NORMAL, 4},
                 {"sparse", GI_INIT_SPARSE, 2},
                 {"orthogonal", GI_INIT_ORTHOGONAL, 1}};
    const int init = strncmp(op, "init_", 5) == 0;
    if (strcmp(op, "sparse_gen") == 0)
        return sparse_own(t, arg[0], arg[1], arg[2], kernels);
    for (size_t i = 0; i < sizeof ops / sizeof *ops; ++i) {
        if (strcmp(op + 5 * init, ops[i].name) != 0)
            continue;
        cr_assert_eq(nargs, ops[i].n);
        if (init)
            return gi_init_(t, &(gi_init){.kind = ops[i].kind, .a = arg[0],
                                          .b = arg[1], .c = arg[2],
                                          .d = arg[3]}, NULL);
        if (ops[i].n == 4)
            return gi_trunc_normal_(t, arg[0], arg[1], arg[2], arg[3], NULL);
        return ops[i].n == 2 ? gi_sparse_(t, arg[0], arg[1], NULL)
                             : gi_orthogonal_(t, arg[0], NULL);
    }
    cr_assert_fail("unknown fill '%s'", op);
    return GI_ERR_INTERNAL;
}

/* "fill <op> <nargs> <args...> <ndim> <dims...> : <values>" */
static void do_fill(run *r, line *l)
{
    const char *op = next_token(l);
    int nargs = (int)next_u64(l, 10);
    double arg[8] = {0};
    cr_assert_leq(nargs, 8);
    for (int i = 0; i < nargs; ++i)
        arg[i] = next_double(l);
    int ndim = (int)next_u64(l, 10);
    int64_t shape[GI_MAX_DIMS];
    for (int i = 0; i < ndim; ++i)
        shape[i] = (int64_t)next_u64(l, 10);
    cr_assert_str_eq(next_token(l), ":");
    gi_tensor t = new_tensor(r->ctx, ndim, shape);
    cr_assert_eq(fill_op(op, t, nargs, arg, r->kernels), GI_OK,
                 "line %d: %s: %s", l->number, op, gi_last_error());
    if (strstr(op, "orthogonal") != NULL &&
        gi_context_device(r->ctx) == GI_DEVICE_CUDA)
        expect_close(l, t, op, 1e-4 * fabs(arg[0]));
    else
        expect_values(l, t, op);
    gi_tensor_destroy(t);
}

static void drop_modules(run *r)
{
    gi_module_destroy(r->m);
    gi_tensor_destroy(r->x);
    r->m = NULL;
    r->x = NULL;
}

static void do_linear(run *r, line *l)
{
    drop_modules(r);
    int64_t in = (int64_t)next_u64(l, 10), out = (int64_t)next_u64(l, 10);
    int bias = (int)next_u64(l, 10);
    cr_assert_eq(gi_linear_create(&r->m, r->ctx, in, out, bias, GI_F32),
                 GI_OK, "line %d: %s", l->number, gi_last_error());
}

/* d2l's chapter: net(X) materializes both LazyLinears, in order. */
static void do_chapter(run *r, line *l)
{
    drop_modules(r);
    gi_module kids[3] = {NULL, NULL, NULL};
    cr_assert_eq(gi_lazy_linear_create(&kids[0], r->ctx, 8, 1, GI_F32),
                 GI_OK);
    kids[1] = new_relu(r->ctx);
    cr_assert_eq(gi_lazy_linear_create(&kids[2], r->ctx, 1, 1, GI_F32),
                 GI_OK);
    cr_assert_eq(gi_sequential_create(&r->m, r->ctx, 3, kids), GI_OK);
    cr_assert_eq(gi_rand(&r->x, r->ctx, 2, (const int64_t[]){2, 4}, NULL),
                 GI_OK);
    gi_tensor y = NULL;
    cr_assert_eq(gi_module_forward(r->m, r->x, &y), GI_OK, "line %d: %s",
                 l->number, gi_last_error());
    gi_tensor_destroy(y);
}

static void do_param(run *r, line *l)
{
    const char *name = next_token(l);
    cr_assert_str_eq(next_token(l), ":");
    if (strcmp(name, "X") == 0) {
        expect_values(l, r->x, name);
        return;
    }
    params ps = params_of(r->m);
    for (int i = 0; i < ps.n; ++i)
        if (strcmp(ps.name[i], name) == 0) {
            expect_values(l, ps.t[i], name);
            return;
        }
    cr_assert_fail("line %d: no parameter '%s'", l->number, name);
}

static void hex_bytes(const char *hex, unsigned char *out, size_t n)
{
    cr_assert_eq(strlen(hex), 2 * n);
    for (size_t i = 0; i < n; ++i) {
        unsigned v = 0;
        cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (unsigned char)v;
    }
}

static void state_of(gi_generator gen, unsigned char out[STATE_BYTES])
{
    size_t size = 0;
    cr_assert_eq(gi_generator_get_state(gen, out, STATE_BYTES, &size), GI_OK,
                 "%s", gi_last_error());
    cr_assert_eq(size, STATE_BYTES);
}

/* "state <hash> [: <hex>]": the state bytes PyTorch ends the case with. */
static void do_state(run *r, line *l)
{
    unsigned char got[STATE_BYTES], want[STATE_BYTES];
    state_of(gi_context_generator(r->ctx), got);
    cr_expect_eq(hash_words(got, STATE_BYTES, 1), next_u64(l, 16),
                 "line %d: the state bytes differ from PyTorch's",
                 l->number);
    if (l->at < l->n) {
        cr_assert_str_eq(next_token(l), ":");
        hex_bytes(next_token(l), want, STATE_BYTES);
        cr_expect_arr_eq(got, want, STATE_BYTES, "line %d", l->number);
    }
}

/* "case <start> <kernels> [<trunc>]" (and a restore's "bytes" line). */
static void do_case(run *r, line *l, char **text)
{
    const char *start = next_token(l), *kernels = next_token(l);
    const char *trunc = l->at < l->n ? next_token(l) : "inverse_cdf";
    gi_generator gen = gi_context_generator(r->ctx);
    cr_assert_eq(gi_context_set_generator_kind(r->ctx,
                                               GI_GENERATOR_TORCH_CPU),
                 GI_OK);
    r->kernels = strcmp(kernels, "default") == 0 ? GI_TORCH_KERNELS_DEFAULT
                                                 : GI_TORCH_KERNELS_AVX2;
    cr_assert_eq(gi_generator_set_torch_kernels(gen, r->kernels), GI_OK);
    cr_assert_eq(gi_generator_set_torch_trunc(
                     gen, strcmp(trunc, "rejection") == 0
                              ? GI_TORCH_TRUNC_REJECTION
                              : GI_TORCH_TRUNC_INVERSE_CDF),
                 GI_OK);
    if (strcmp(start, "restore") == 0) {
        line b = {.number = l->number};
        cr_assert(read_line(text, &b));
        l->number = b.number;
        cr_assert_str_eq(next_token(&b), "bytes");
        unsigned char bytes[STATE_BYTES], back[STATE_BYTES];
        hex_bytes(next_token(&b), bytes, STATE_BYTES);
        cr_assert_eq(gi_generator_set_state(gen, bytes, STATE_BYTES), GI_OK,
                     "%s", gi_last_error());
        state_of(gen, back);
        cr_expect_arr_eq(back, bytes, STATE_BYTES,
                         "PyTorch's state bytes do not come back");
    } else if (strcmp(start, "fresh") != 0) {
        cr_assert_eq(gi_manual_seed(r->ctx, strtoull(start, NULL, 10)),
                     GI_OK);
    }
    ++r->cases;
}

static void dispatch(run *r, line *l, char **text)
{
    const char *what = next_token(l);
    if (strcmp(what, "case") == 0)
        do_case(r, l, text);
    else if (strcmp(what, "call") == 0)
        do_call(r, l);
    else if (strcmp(what, "fill") == 0)
        do_fill(r, l);
    else if (strcmp(what, "linear") == 0)
        do_linear(r, l);
    else if (strcmp(what, "chapter") == 0)
        do_chapter(r, l);
    else if (strcmp(what, "apply_normal") == 0)
        cr_assert_eq(gi_module_init_(r->m, &(gi_init){.kind = GI_INIT_NORMAL,
                                                      .a = 0.0, .b = 0.01},
                                     &(gi_init){.kind = GI_INIT_ZEROS},
                                     NULL), GI_OK, "%s", gi_last_error());
    else if (strcmp(what, "param") == 0)
        do_param(r, l);
    else if (strcmp(what, "state") == 0)
        do_state(r, l);
    else if (strcmp(what, "end") == 0)
        drop_modules(r);
    else
        cr_assert_fail("line %d: unknown '%s'", l->number, what);
}

/* Replays a data file of the format above; at least min_cases cases. */
static void replay(const char *path, int min_cases)
{
    char *data = read_file(path);
    char *text = data;
    run r = {.ctx = any_context()};
    line l = {.number = 1}; /* the comment line */
    int total = -1;
    while (read_line(&text, &l)) {
        if (strcmp(l.tok[0], "cases") == 0) {
            total = atoi(l.tok[1]);
            break;
        }
        dispatch(&r, &l, &text);
    }
    cr_assert_eq(r.cases, total, "%s is truncated", path);
    cr_assert_geq(total, min_cases);
    drop_modules(&r);
    gi_context_destroy(r.ctx);
    free(data);
}

Test(torch_generator, replays_pytorch)
{
    replay(GINIT_TEST_DATA_DIR "/torch_generator_cases.txt", 30);
}

/* A PyTorch 2.x (the file's header names 2.15): the same calls but
 * orthogonal_, with trunc_normal_ by rejection. */
Test(torch_generator, replays_pytorch2)
{
    replay(GINIT_TEST_DATA_DIR "/torch2_cases.txt", 24);
}

/* ---- refusals: nothing written, nothing drawn -------------------------- */

/* A context whose default generator is torch_cpu, seeded with 42 and
 * moved on by one draw (so that a reseed would show too). */
static gi_context torch_context(void)
{
    gi_context ctx = any_context();
    cr_assert_eq(gi_context_set_generator_kind(ctx, GI_GENERATOR_TORCH_CPU),
                 GI_OK);
    cr_assert_eq(gi_manual_seed(ctx, 42), GI_OK);
    gi_tensor t = NULL;
    cr_assert_eq(gi_rand(&t, ctx, 1, (const int64_t[]){3}, NULL), GI_OK);
    gi_tensor_destroy(t);
    return ctx;
}

/* Asserts that st is GI_ERR_UNSUPPORTED with a message naming fn and
 * `what`, and that gen's state bytes are `before`. */
static void expect_refused(gi_status st, const char *fn, const char *what,
                           gi_generator gen, const unsigned char *before)
{
    unsigned char now[STATE_BYTES];
    cr_expect_eq(st, GI_ERR_UNSUPPORTED, "%s: status %s", fn,
                 gi_status_name(st));
    cr_expect(strncmp(gi_last_error(), fn, strlen(fn)) == 0 &&
                  strstr(gi_last_error(), what) != NULL &&
                  strstr(gi_last_error(), "torch_cpu") != NULL,
              "%s: message '%s' should name %s and torch_cpu", fn,
              gi_last_error(), what);
    state_of(gen, now);
    cr_expect_arr_eq(now, before, STATE_BYTES, "%s drew", fn);
}

Test(torch_generator, refuses_fills_without_pytorch_counterpart)
{
    gi_context ctx = torch_context();
    gi_generator gen = gi_context_generator(ctx);
    unsigned char before[STATE_BYTES];
    state_of(gen, before);
    gi_tensor w = new_tensor(ctx, 2, (const int64_t[]){4, 3});
    fill_iota(w);
    const gi_component mix[] = {{1.0, GI_COMPONENT_UNIFORM, 0.0, 1.0}};
    expect_refused(gi_variance_scaling_(w, 1.0, GI_FAN_IN, GI_DIST_NORMAL,
                                        NULL),
                   "gi_variance_scaling_", "gi_variance_scaling_", gen,
                   before);
    expect_refused(gi_lecun_uniform_(w, NULL), "gi_lecun_uniform_",
                   "gi_lecun_uniform_", gen, before);
    expect_refused(gi_mixture_(w, 1, mix, NULL), "gi_mixture_",
                   "gi_mixture_", gen, before);
    expect_refused(gi_init_(w, &(gi_init){.kind = GI_INIT_LECUN_NORMAL},
                            NULL), "gi_init_", "'lecun_normal'", gen, before);
    expect_iota(w);
    gi_tensor_destroy(w);
    gi_context_destroy(ctx);
}

Test(torch_generator, refuses_other_dtypes)
{
    gi_context ctx = torch_context();
    gi_generator gen = gi_context_generator(ctx);
    unsigned char before[STATE_BYTES];
    state_of(gen, before);
    const gi_dtype dtypes[] = {GI_F64, GI_F16, GI_BF16};
    for (int i = 0; i < 3; ++i) {
        gi_tensor t = NULL;
        cr_assert_eq(gi_tensor_create(&t, ctx, dtypes[i], 2,
                                      (const int64_t[]){4, 5}), GI_OK);
        const char *name = gi_dtype_name(dtypes[i]);
        expect_refused(gi_uniform_(t, 0, 1, NULL), "gi_uniform_", name, gen,
                       before);
        expect_refused(gi_normal_(t, 0, 1, NULL), "gi_normal_", name, gen,
                       before);
        expect_refused(gi_trunc_normal_(t, 0, 1, -2, 2, NULL),
                       "gi_trunc_normal_", name, gen, before);
        expect_refused(gi_sparse_(t, 0.5, 1, NULL), "gi_sparse_", name, gen,
                       before);
        expect_refused(gi_orthogonal_(t, 1, NULL), "gi_orthogonal_", name,
                       gen, before);
        gi_module m = NULL;
        expect_refused(gi_linear_create(&m, ctx, 4, 3, 1, dtypes[i]),
                       "gi_linear_create", name, gen, before);
        cr_expect_null(m);
        gi_tensor_destroy(t);
    }
    gi_context_destroy(ctx);
}

/* A tree whose last parameter cannot be filled: none is written. */
Test(torch_generator, module_init_is_all_or_nothing)
{
    gi_context ctx = torch_context();
    gi_generator gen = gi_context_generator(ctx);
    gi_module kids[2] = {new_linear(ctx, 4, 3, 1), NULL};
    kids[1] = new_linear(ctx, 3, 2, 0);
    gi_module net = NULL;
    cr_assert_eq(gi_sequential_create(&net, ctx, 2, kids), GI_OK);
    fill_iota(gi_module_weight(kids[0]));
    fill_iota(gi_module_bias(kids[0]));
    fill_iota(gi_module_weight(kids[1]));
    unsigned char before[STATE_BYTES];
    state_of(gen, before);
    const gi_init w = {.kind = GI_INIT_LECUN_NORMAL};
    const gi_component mix[] = {{1.0, GI_COMPONENT_UNIFORM, 0.0, 1.0}};
    expect_refused(gi_module_init_(net, &w,
                                   &(gi_init){.kind = GI_INIT_NORMAL,
                                              .b = 1},
                                   NULL),
                   "gi_module_init_", "'lecun_normal'", gen, before);
    expect_refused(gi_module_init_(net, &(gi_init){.kind = GI_INIT_ORTHOGONAL,
                                                   .a = 1},
                                   &(gi_init){.kind = GI_INIT_MIXTURE,
                                              .k = 1, .components = mix},
                                   NULL),
                   "gi_module_init_", "'mixture'", gen, before);
    expect_iota(gi_module_weight(kids[0]));
    expect_iota(gi_module_bias(kids[0]));
    expect_iota(gi_module_weight(kids[1]));
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}

/* A LazyLinear whose forward fails after its weight drew: the state and
 * the module are as they were. */
Test(torch_generator, failed_forward_rewinds_the_state)
{
    gi_context ctx = torch_context();
    gi_generator gen = gi_context_generator(ctx);
    gi_module lazy = NULL;
    cr_assert_eq(gi_lazy_linear_create(&lazy, ctx, 3, 1, GI_F32), GI_OK);
    gi_tensor x = new_tensor(ctx, 2, (const int64_t[]){2, 5}), y = NULL;
    gi_module kids[2] = {lazy, NULL};
    cr_assert_eq(gi_linear_create(&kids[1], ctx, 4, 1, 1, GI_F32), GI_OK);
    gi_module net = NULL;
    cr_assert_eq(gi_sequential_create(&net, ctx, 2, kids), GI_OK);
    unsigned char before[STATE_BYTES], after[STATE_BYTES];
    state_of(gen, before);
    cr_assert_neq(gi_module_forward(net, x, &y), GI_OK); /* 3 into 4 */
    state_of(gen, after);
    cr_expect_arr_eq(after, before, STATE_BYTES);
    cr_expect_null(gi_module_weight(lazy));
    gi_tensor_destroy(x);
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}

/* ---- the state functions ------------------------------------------------- */

Test(torch_generator, philox_setters_are_refused)
{
    gi_generator g = NULL;
    cr_assert_eq(gi_generator_create_kind(&g, GI_GENERATOR_TORCH_CPU,
                                          (uint64_t)-1), GI_OK);
    cr_expect_eq(gi_generator_kind_of(g), GI_GENERATOR_TORCH_CPU);
    cr_expect_eq(gi_generator_seed(g), UINT64_MAX);
    cr_expect_eq(gi_generator_set_stream(g, 1), GI_ERR_UNSUPPORTED);
    cr_expect_eq(gi_generator_set_offset(g, 1), GI_ERR_UNSUPPORTED);
    cr_expect(strstr(gi_last_error(), "torch_cpu") != NULL, "%s",
              gi_last_error());
    cr_expect_eq(gi_generator_stream(g), 0);
    cr_expect_eq(gi_generator_offset(g), 0);
    cr_expect_eq(gi_generator_set_torch_kernels(g, (gi_torch_kernels)2),
                 GI_ERR_INVALID_ARGUMENT);
    gi_generator p = NULL;
    cr_assert_eq(gi_generator_create(&p, 1), GI_OK);
    cr_expect_eq(gi_generator_kind_of(p), GI_GENERATOR_PHILOX);
    cr_expect_eq(gi_generator_set_torch_kernels(p, GI_TORCH_KERNELS_AVX2),
                 GI_ERR_UNSUPPORTED);
    cr_expect_str_eq(gi_generator_kind_name(GI_GENERATOR_TORCH_CPU),
                     "torch_cpu");
    cr_expect_str_eq(gi_generator_kind_name(GI_GENERATOR_PHILOX), "philox");
    cr_expect_str_eq(gi_generator_kind_name((gi_generator_kind)9), "unknown");
    gi_generator_destroy(p);
    gi_generator_destroy(g);
}

/* An explicit torch_cpu generator gives what the context's does, and
 * gi_generator_set_seed is manual_seed. */
Test(torch_generator, explicit_generator_matches_default)
{
    gi_context ctx = any_context();
    cr_assert_eq(gi_context_set_generator_kind(ctx, GI_GENERATOR_TORCH_CPU),
                 GI_OK);
    cr_assert_eq(gi_manual_seed(ctx, 5), GI_OK);
    gi_generator g = NULL;
    cr_assert_eq(gi_generator_create_kind(&g, GI_GENERATOR_TORCH_CPU, 9),
                 GI_OK);
    cr_assert_eq(gi_generator_set_seed(g, 5), GI_OK);
    gi_tensor a = NULL, b = NULL;
    const int64_t shape[] = {37};
    cr_assert_eq(gi_randn(&a, ctx, 1, shape, NULL), GI_OK);
    cr_assert_eq(gi_randn(&b, ctx, 1, shape, g), GI_OK);
    float *ha = to_host(a), *hb = to_host(b);
    cr_expect_arr_eq(ha, hb, 37 * sizeof(float));
    free(ha);
    free(hb);
    gi_tensor_destroy(a);
    gi_tensor_destroy(b);
    gi_generator_destroy(g);
    gi_context_destroy(ctx);
}

/* Hostile states: refused, the generator as it was. */
Test(torch_generator, hostile_states_are_refused)
{
    gi_generator g = NULL;
    cr_assert_eq(gi_generator_create_kind(&g, GI_GENERATOR_TORCH_CPU, 3),
                 GI_OK);
    unsigned char good[STATE_BYTES], bad[STATE_BYTES + 1], now[STATE_BYTES];
    state_of(g, good);
    /* offsets of torch's layout: left at 8, next at 16, words from 24 */
    static const struct { const char *what; size_t at; unsigned char v; }
        rows[] = {{"left 0", 8, 0},           {"left 625", 9, 2},
                  {"left negative", 11, 0x80}, {"next 625", 16, 0x71},
                  {"next huge", 23, 1},        {"word beyond 32 bits", 28, 1},
                  {"last word beyond 32 bits", 24 + 8 * 623 + 4, 1}};
    for (size_t i = 0; i < sizeof rows / sizeof *rows; ++i) {
        memcpy(bad, good, STATE_BYTES);
        if (rows[i].at == 9) /* 625 = 0x271 */
            bad[8] = 0x71;
        if (rows[i].at == 16)
            bad[17] = 0x02;
        bad[rows[i].at] = rows[i].v;
        cr_expect_eq(gi_generator_set_state(g, bad, STATE_BYTES),
                     GI_ERR_INVALID_ARGUMENT, "%s", rows[i].what);
        state_of(g, now);
        cr_expect_arr_eq(now, good, STATE_BYTES, "%s changed the state",
                         rows[i].what);
    }
    cr_expect_eq(gi_generator_set_state(g, good, STATE_BYTES - 1),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_generator_set_state(g, bad, STATE_BYTES + 1),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_generator_set_state(g, good, 24), GI_ERR_INVALID_ARGUMENT);
    cr_expect(strstr(gi_last_error(), "5056") != NULL, "%s", gi_last_error());
    size_t size = 7;
    cr_expect_eq(gi_generator_get_state(g, now, STATE_BYTES - 1, &size),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(size, 7);
    cr_expect_eq(gi_generator_get_state(g, NULL, 0, &size), GI_OK);
    cr_expect_eq(size, STATE_BYTES);
    gi_generator_destroy(g);
}

/* Philox's 24 bytes: seed, stream, offset little-endian; set_state brings
 * back the very fills. */
Test(torch_generator, philox_state_round_trip)
{
    gi_context ctx = any_context();
    gi_generator g = NULL;
    cr_assert_eq(gi_generator_create(&g, UINT64_C(0x0102030405060708)),
                 GI_OK);
    cr_assert_eq(gi_generator_set_stream(g, 9), GI_OK);
    cr_assert_eq(gi_generator_set_offset(g, 0x1234), GI_OK);
    unsigned char s[24];
    size_t size = 0;
    cr_assert_eq(gi_generator_get_state(g, s, sizeof s, &size), GI_OK);
    cr_assert_eq(size, 24);
    const unsigned char want[24] = {8, 7, 6, 5, 4, 3, 2, 1, 9, 0, 0, 0,
                                    0, 0, 0, 0, 0x34, 0x12, 0, 0, 0, 0, 0, 0};
    cr_expect_arr_eq(s, want, 24);
    gi_tensor a = NULL, b = NULL;
    cr_assert_eq(gi_randn(&a, ctx, 1, (const int64_t[]){10}, g), GI_OK);
    cr_assert_eq(gi_generator_set_state(g, s, 24), GI_OK);
    cr_expect_eq(gi_generator_offset(g), 0x1234);
    cr_assert_eq(gi_randn(&b, ctx, 1, (const int64_t[]){10}, g), GI_OK);
    float *ha = to_host(a), *hb = to_host(b);
    cr_expect_arr_eq(ha, hb, 10 * sizeof(float));
    cr_expect_eq(gi_generator_set_state(g, s, STATE_BYTES),
                 GI_ERR_INVALID_ARGUMENT);
    free(ha);
    free(hb);
    gi_tensor_destroy(a);
    gi_tensor_destroy(b);
    gi_generator_destroy(g);
    gi_context_destroy(ctx);
}

/* Back to Philox: the context's fills are what a new context gives. */
Test(torch_generator, context_back_to_philox)
{
    gi_context ctx = torch_context(), fresh = any_context();
    cr_assert_eq(gi_context_set_generator_kind(ctx, GI_GENERATOR_PHILOX),
                 GI_OK);
    cr_expect_eq(gi_context_set_generator_kind(ctx, (gi_generator_kind)5),
                 GI_ERR_INVALID_ARGUMENT);
    gi_tensor a = NULL, b = NULL;
    cr_assert_eq(gi_randn(&a, ctx, 1, (const int64_t[]){9}, NULL), GI_OK);
    cr_assert_eq(gi_randn(&b, fresh, 1, (const int64_t[]){9}, NULL), GI_OK);
    float *ha = to_host(a), *hb = to_host(b);
    cr_expect_arr_eq(ha, hb, 9 * sizeof(float));
    free(ha);
    free(hb);
    gi_tensor_destroy(a);
    gi_tensor_destroy(b);
    gi_context_destroy(fresh);
    gi_context_destroy(ctx);
}

/* Fills larger than a GPU context's piece (2^20 values) are drawn, uploaded
 * and stored piece by piece there, and straight into the tensor on the
 * CPU: the same values and the same final state either way, normal_'s
 * blocks of 16 and its redrawn last 16 included. The CPU context runs
 * the transforms on one thread, the other on the default count. On the
 * CPU-only build both contexts are CPUs. */
Test(torch_generator, pieces_match_the_cpu)
{
    gi_context dev = any_context(), cpu = NULL;
    cr_assert_eq(gi_context_create(&cpu, GI_DEVICE_CPU), GI_OK);
    cr_assert_eq(gi_context_set_num_threads(cpu, 1), GI_OK);
    gi_context ctxs[2] = {dev, cpu};
    const int64_t sizes[] = {(1 << 20) + 21, (1 << 20) + 15, (1 << 21) + 3,
                             (1 << 20) + 16, 3 << 20};
    float *vals[2][5];
    unsigned char states[2][STATE_BYTES];
    for (int c = 0; c < 2; ++c) {
        cr_assert_eq(gi_context_set_generator_kind(ctxs[c],
                                                   GI_GENERATOR_TORCH_CPU),
                     GI_OK);
        cr_assert_eq(gi_manual_seed(ctxs[c], 11), GI_OK);
        for (int i = 0; i < 5; ++i) {
            gi_tensor t = NULL;
            cr_assert_eq(gi_tensor_create(&t, ctxs[c], GI_F32, 1, &sizes[i]),
                         GI_OK);
            gi_status st = i % 3 == 0   ? gi_normal_(t, 0.5, 2.0, NULL)
                           : i % 3 == 1 ? gi_uniform_(t, -3.0, 1.0, NULL)
                                        : gi_trunc_normal_(t, 0.0, 1.0, -1.5,
                                                           2.0, NULL);
            cr_assert_eq(st, GI_OK, "%s", gi_last_error());
            vals[c][i] = to_host(t);
            gi_tensor_destroy(t);
        }
        state_of(gi_context_generator(ctxs[c]), states[c]);
    }
    for (int i = 0; i < 5; ++i) {
        cr_expect_arr_eq(vals[0][i], vals[1][i],
                         (size_t)sizes[i] * sizeof(float), "fill %d", i);
        free(vals[0][i]);
        free(vals[1][i]);
    }
    cr_expect_arr_eq(states[0], states[1], STATE_BYTES);
    gi_context_destroy(cpu);
    gi_context_destroy(dev);
}

/* The rejection method's narrow case draws uniform_(a, b), which PyTorch
 * refuses for an infinite bound: so does ginit, naming a and b, with
 * nothing written or drawn, and it refuses intervals whose candidates
 * would hardly ever be kept; wide intervals may have infinite bounds. A
 * new kind resets the method. */
Test(torch_generator, rejection_refuses_what_pytorch_refuses)
{
    gi_context ctx = torch_context();
    gi_generator gen = gi_context_generator(ctx);
    cr_assert_eq(gi_generator_set_torch_trunc(gen, GI_TORCH_TRUNC_REJECTION),
                 GI_OK);
    gi_tensor t = NULL;
    cr_assert_eq(gi_tensor_create(&t, ctx, GI_F32, 1, (int64_t[]){20}),
                 GI_OK);
    cr_assert_eq(gi_fill_(t, 7.0), GI_OK);
    unsigned char before[STATE_BYTES], now[STATE_BYTES];
    state_of(gen, before);
    /* P(Z > 2) = 0.023: the uniform case, and b is infinite */
    cr_expect_eq(gi_trunc_normal_(t, 0.0, 1.0, 2.0, INFINITY, NULL),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect(strstr(gi_last_error(), "'a' = 2") != NULL &&
                  strstr(gi_last_error(), "'b' = inf") != NULL &&
                  strstr(gi_last_error(), "rejection") != NULL,
              "message: %s", gi_last_error());
    /* [5, 1e30]: PyTorch would keep 2e-31 of its candidates, looping
     * for ever */
    cr_expect_eq(gi_trunc_normal_(t, 0.0, 1.0, 5.0, 1e30, NULL),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect(strstr(gi_last_error(), "would keep") != NULL &&
                  strstr(gi_last_error(), "rounds") != NULL,
              "message: %s", gi_last_error());
    state_of(gen, now);
    cr_expect_arr_eq(now, before, STATE_BYTES);
    float *h = to_host(t);
    for (int i = 0; i < 20; ++i)
        cr_expect_eq(h[i], 7.0f);
    free(h);
    /* P(Z > -1) = 0.84: normal_ and redraws, b infinite is fine */
    cr_expect_eq(gi_trunc_normal_(t, 0.0, 1.0, -1.0, INFINITY, NULL), GI_OK);
    h = to_host(t);
    for (int i = 0; i < 20; ++i)
        cr_expect(h[i] >= -1.0f, "value %d: %g", i, h[i]);
    free(h);
    cr_assert_eq(gi_context_set_generator_kind(ctx, GI_GENERATOR_TORCH_CPU),
                 GI_OK);
    cr_expect_eq(gi_trunc_normal_(t, 0.0, 1.0, 2.0, INFINITY, NULL), GI_OK,
                 "inverse_cdf again after a new kind: %s", gi_last_error());
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}
