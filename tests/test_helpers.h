/* Small helpers shared by the tests: a CPU context, 1-D/2-D tensors,
 * modules, a tree's parameters and host copies of them. */
#ifndef GINIT_TEST_HELPERS_H
#define GINIT_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ginit.h"

static inline gi_context cpu_context(void)
{
    gi_context ctx = NULL;
    cr_assert_eq(gi_context_create(&ctx, GI_DEVICE_CPU), GI_OK, "%s",
                 gi_last_error());
    return ctx;
}

/* The device GINIT_DEVICE names (the simulated GPU in the simulator's run
 * of the suite), else the CPU. */
static inline gi_context any_context(void)
{
    gi_context ctx = NULL;
    cr_assert_eq(gi_context_create(&ctx, GI_DEVICE_AUTO), GI_OK, "%s",
                 gi_last_error());
    return ctx;
}

/* A context on the GPU, or the test is skipped saying why; with
 * GINIT_REQUIRE_GPU=1 in the environment (GPU runs, the simulator) a
 * missing GPU fails the test instead, so a skip never passes for a run. */
static inline gi_context gpu_context_or_skip(void)
{
    gi_context ctx = NULL;
    if (gi_context_create(&ctx, GI_DEVICE_CUDA) == GI_OK)
        return ctx;
    const char *req = getenv("GINIT_REQUIRE_GPU");
    if (req != NULL && strcmp(req, "1") == 0)
        cr_assert_fail("GINIT_REQUIRE_GPU=1 but no usable GPU: %s",
                       gi_last_error());
    cr_skip_test("no usable GPU: %s", gi_last_error());
    return NULL;
}

/* The whole of a text file, NUL-terminated, malloc'd. */
static inline char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    cr_assert_geq(len, 0, "cannot size %s", path);
    rewind(f);
    char *text = malloc((size_t)len + 1);
    cr_assert_not_null(text);
    cr_assert_eq(fread(text, 1, (size_t)len, f), (size_t)len);
    text[len] = '\0';
    fclose(f);
    return text;
}

static inline gi_tensor new_tensor(gi_context ctx, int ndim,
                                   const int64_t *shape)
{
    gi_tensor t = NULL;
    cr_assert_eq(gi_tensor_create(&t, ctx, GI_F32, ndim, shape), GI_OK, "%s",
                 gi_last_error());
    return t;
}

static inline gi_tensor new_vector(gi_context ctx, int64_t n)
{
    return new_tensor(ctx, 1, &n);
}

/* A malloc'd host copy of t. */
static inline float *to_host(gi_tensor t)
{
    size_t n = (size_t)gi_tensor_numel(t);
    float *h = malloc((n > 0 ? n : 1) * sizeof *h);
    cr_assert_not_null(h);
    cr_assert_eq(gi_tensor_copy_to_host(t, h, n * sizeof *h), GI_OK, "%s",
                 gi_last_error());
    return h;
}

/* Fills t with 0, 1, 2, ... from the host. */
static inline void fill_iota(gi_tensor t)
{
    size_t n = (size_t)gi_tensor_numel(t);
    float *h = malloc((n > 0 ? n : 1) * sizeof *h);
    cr_assert_not_null(h);
    for (size_t i = 0; i < n; ++i)
        h[i] = (float)i;
    cr_assert_eq(gi_tensor_copy_from_host(t, h, n * sizeof *h), GI_OK);
    free(h);
}

/* Asserts that t still holds 0, 1, 2, ... (nothing was written). */
static inline void expect_iota(gi_tensor t)
{
    float *h = to_host(t);
    for (int64_t i = 0; i < gi_tensor_numel(t); ++i)
        cr_expect_eq(h[i], (float)i, "element %lld changed", (long long)i);
    free(h);
}

/* A Linear and a ReLU on ctx, the test failing if they cannot be made. */
static inline gi_module new_linear(gi_context ctx, int64_t in, int64_t out,
                                   int bias)
{
    gi_module m = NULL;
    cr_assert_eq(gi_linear_create(&m, ctx, in, out, bias, GI_F32), GI_OK, "%s",
                 gi_last_error());
    return m;
}

static inline gi_module new_relu(gi_context ctx)
{
    gi_module m = NULL;
    cr_assert_eq(gi_relu_create(&m, ctx), GI_OK);
    return m;
}

/* The parameters of a tree, in named_parameters order. */
typedef struct params {
    gi_tensor t[64];
    char name[64][32];
    int n;
} params;

static inline gi_status collect_param(const char *name, gi_tensor p, void *user)
{
    params *ps = user;
    cr_assert_lt(ps->n, 64);
    snprintf(ps->name[ps->n], sizeof ps->name[0], "%s", name);
    ps->t[ps->n++] = p;
    return GI_OK;
}

static inline params params_of(gi_module m)
{
    params ps;
    memset(&ps, 0, sizeof ps);
    cr_assert_eq(gi_module_named_parameters(m, collect_param, &ps), GI_OK);
    return ps;
}

/* Host copies of every parameter. */
typedef struct snapshot {
    void *v[64];
    int n;
} snapshot;

/* Bytes of t's elements. */
static inline size_t nbytes(gi_tensor t)
{
    const gi_dtype dt = gi_tensor_dtype(t);
    const size_t size = dt == GI_F64 ? 8 : dt == GI_F32 ? 4 : 2;
    return (size_t)gi_tensor_numel(t) * size;
}

static inline snapshot take(const params *ps)
{
    snapshot s = {.n = ps->n};
    for (int i = 0; i < ps->n; ++i) {
        size_t n = nbytes(ps->t[i]);
        s.v[i] = malloc(n > 0 ? n : 1);
        cr_assert_not_null(s.v[i]);
        cr_assert_eq(gi_tensor_copy_to_host(ps->t[i], s.v[i], n), GI_OK);
    }
    return s;
}

static inline void drop(snapshot *s)
{
    for (int i = 0; i < s->n; ++i)
        free(s->v[i]);
}

/* Every parameter holds the same bits in a and b. */
static inline void expect_same(const params *ps, const snapshot *a,
                        const snapshot *b, const char *what)
{
    for (int i = 0; i < ps->n; ++i)
        cr_expect(memcmp(a->v[i], b->v[i], nbytes(ps->t[i])) == 0,
                  "%s: parameter %s differs", what, ps->name[i]);
}

#endif
