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

/* ---- the calls ------------------------------------------------------- */

typedef struct run {
    gi_context ctx;
    gi_module m;   /* of the last linear or chapter line */
    gi_tensor x;   /* the chapter's X */
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

/* "case <start> <kernels>" (and a restore's "bytes" line). */
static void do_case(run *r, line *l, char **text)
{
    const char *start = next_token(l), *kernels = next_token(l);
    gi_generator gen = gi_context_generator(r->ctx);
    cr_assert_eq(gi_context_set_generator_kind(r->ctx,
                                               GI_GENERATOR_TORCH_CPU),
                 GI_OK);
    if (strcmp(kernels, "default") == 0)
        cr_assert_eq(gi_generator_set_torch_kernels(
                         gen, GI_TORCH_KERNELS_DEFAULT), GI_OK);
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

Test(torch_generator, replays_pytorch)
{
    char *data = read_file(GINIT_TEST_DATA_DIR "/torch_generator_cases.txt");
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
    cr_assert_eq(r.cases, total, "the data file is truncated");
    cr_assert_geq(total, 30);
    drop_modules(&r);
    gi_context_destroy(r.ctx);
    free(data);
}
