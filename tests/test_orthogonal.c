/* gi_orthogonal_ (torch.nn.init.orthogonal_): orthogonality, determinism,
 * the generator's offset, failures that change nothing, views, PyTorch's
 * sign convention, and the GPU against the CPU (skipped without a GPU).
 * White-box: it also calls gi_cpu_orthogonalize. */
#include <math.h>
#include <string.h>

#include "shared/convert.h"
#include "core/internal.h"
#include "init/orthogonal.h"
#include "test_helpers.h"

typedef struct shape_case {
    int ndim;
    int64_t shape[4];
} shape_case;

static const shape_case shapes[] = {
    {2, {6, 6}},    {2, {10, 4}}, {2, {4, 10}}, {3, {8, 3, 3}},
    {4, {3, 2, 5, 5}}, {2, {1, 7}}, {2, {7, 1}},
};
#define NSHAPES (sizeof shapes / sizeof *shapes)
static const float gains[] = {1.0f, 2.5f};

/* Largest error / gain^2 measured by the orthogonality test (logged). */
static double worst_error = 0.0;

static int64_t rows_of(const shape_case *c) { return c->shape[0]; }
static int64_t cols_of(const shape_case *c)
{
    int64_t n = 1;
    for (int d = 1; d < c->ndim; ++d)
        n *= c->shape[d];
    return n;
}

/* Element i of a float32 (f64 == 0) or float64 host matrix. */
static double at(const void *q, int64_t i, int f64)
{
    return f64 ? ((const double *)q)[i] : ((const float *)q)[i];
}

/* max |G - gain^2 I| in double, with G = q^T q (rows >= cols) or q q^T
 * (rows < cols) for the row-major rows x cols matrix q. */
static double gram_error(const void *q, int f64, int64_t rows, int64_t cols,
                         double gain)
{
    const int tall = rows >= cols;
    const int64_t k = tall ? cols : rows, len = tall ? rows : cols;
    const double g2 = gain * gain;
    double worst = 0.0;
    for (int64_t a = 0; a < k; ++a)
        for (int64_t b = 0; b < k; ++b) {
            double s = 0.0;
            for (int64_t l = 0; l < len; ++l) {
                double x = at(q, tall ? l * cols + a : a * cols + l, f64);
                double y = at(q, tall ? l * cols + b : b * cols + l, f64);
                s += x * y;
            }
            double e = fabs(s - (a == b ? g2 : 0.0));
            if (e > worst)
                worst = e;
        }
    return worst;
}

static double ortho_error(const float *q, int64_t rows, int64_t cols,
                          float gain)
{
    return gram_error(q, 0, rows, cols, gain);
}

static uint64_t blocks_for(int64_t numel) { return (uint64_t)(numel + 3) / 4; }

static gi_generator new_generator(uint64_t seed)
{
    gi_generator g = NULL;
    cr_assert_eq(gi_generator_create(&g, seed), GI_OK);
    return g;
}

/* orthogonal_ of a fresh tensor of shape c with (seed, stream, offset);
 * returns the host copy and checks the offset's advance. */
static float *orthogonal_on(gi_context ctx, const shape_case *c, float gain,
                            uint64_t seed, uint64_t offset)
{
    gi_tensor t = new_tensor(ctx, c->ndim, c->shape);
    gi_generator g = new_generator(seed);
    gi_generator_set_stream(g, 7);
    gi_generator_set_offset(g, offset);
    cr_assert_eq(gi_orthogonal_(t, gain, g), GI_OK, "%s", gi_last_error());
    cr_expect_eq(gi_generator_offset(g), offset + blocks_for(gi_tensor_numel(t)),
                 "offset advanced by %llu, expected ceil(%lld / 4)",
                 (unsigned long long)(gi_generator_offset(g) - offset),
                 (long long)gi_tensor_numel(t));
    float *h = to_host(t);
    gi_generator_destroy(g);
    gi_tensor_destroy(t);
    return h;
}

Test(orthogonal, is_orthogonal_times_gain_for_every_shape)
{
    gi_context ctx = cpu_context();
    for (size_t s = 0; s < NSHAPES; ++s)
        for (size_t k = 0; k < 2; ++k) {
            const shape_case *c = &shapes[s];
            float gain = gains[k];
            float *q = orthogonal_on(ctx, c, gain, 1234 + s, 5 * s);
            double err = ortho_error(q, rows_of(c), cols_of(c), gain);
            if (err / ((double)gain * gain) > worst_error)
                worst_error = err / ((double)gain * gain);
            cr_expect(err <= 1e-5 * gain * gain,
                      "shape %zu (%lld x %lld), gain %g: error %g", s,
                      (long long)rows_of(c), (long long)cols_of(c),
                      (double)gain, err);
            free(q);
        }
    cr_log_info("largest orthogonality error / gain^2 (CPU): %.3g",
                worst_error);
    gi_context_destroy(ctx);
}

Test(orthogonal, larger_matrices_stay_orthogonal)
{
    gi_context ctx = cpu_context();
    const shape_case big[] = {{2, {300, 200}}, {2, {200, 300}},
                              {4, {64, 32, 3, 3}}};
    for (size_t s = 0; s < 3; ++s) {
        float *q = orthogonal_on(ctx, &big[s], 1.0f, 99, 0);
        double err = ortho_error(q, rows_of(&big[s]), cols_of(&big[s]), 1.0f);
        cr_log_info("orthogonality error of %lld x %lld: %.3g",
                    (long long)rows_of(&big[s]), (long long)cols_of(&big[s]),
                    err);
        cr_expect(err <= 1e-4, "big shape %zu: error %g", s, err);
        free(q);
    }
    gi_context_destroy(ctx);
}

Test(orthogonal, same_seed_same_bits_other_seed_other_matrix)
{
    gi_context ctx = cpu_context();
    for (size_t s = 0; s < NSHAPES; ++s) {
        const shape_case *c = &shapes[s];
        size_t bytes = (size_t)(rows_of(c) * cols_of(c)) * sizeof(float);
        float *a = orthogonal_on(ctx, c, 2.5f, 42, 3);
        float *b = orthogonal_on(ctx, c, 2.5f, 42, 3);
        float *d = orthogonal_on(ctx, c, 2.5f, 43, 3);
        cr_expect(memcmp(a, b, bytes) == 0, "shape %zu: same seed differs", s);
        cr_expect(memcmp(a, d, bytes) != 0, "shape %zu: seeds 42, 43 agree",
                  s);
        free(a);
        free(b);
        free(d);
    }
    gi_context_destroy(ctx);
}

Test(orthogonal, null_generator_uses_the_context_default)
{
    gi_context ctx = cpu_context();
    const int64_t shape[2] = {5, 3};
    gi_tensor a = new_tensor(ctx, 2, shape), b = new_tensor(ctx, 2, shape);
    gi_manual_seed(ctx, 77);
    cr_assert_eq(gi_orthogonal_(a, 1.0f, NULL), GI_OK, "%s", gi_last_error());
    cr_expect_eq(gi_generator_offset(gi_context_generator(ctx)), 4);
    gi_manual_seed(ctx, 77);
    cr_assert_eq(gi_orthogonal_(b, 1.0f, NULL), GI_OK);
    float *ha = to_host(a), *hb = to_host(b);
    cr_expect(memcmp(ha, hb, sizeof(float) * 15) == 0);
    free(ha);
    free(hb);
    gi_tensor_destroy(a);
    gi_tensor_destroy(b);
    gi_context_destroy(ctx);
}

/* The call fails with `want`, leaves t holding 0, 1, 2, ... and leaves
 * both the given and the default generator where they were. */
static void expect_refused(gi_context ctx, gi_tensor t, float gain,
                           gi_status want, const char *needle)
{
    gi_generator g = new_generator(9);
    gi_generator_set_offset(g, 17);
    gi_generator def = gi_context_generator(ctx);
    gi_generator_set_offset(def, 23);
    if (t != NULL)
        fill_iota(t);
    gi_status st = gi_orthogonal_(t, gain, g);
    cr_expect_eq(st, want, "got %s: %s", gi_status_name(st), gi_last_error());
    cr_expect(strstr(gi_last_error(), "gi_orthogonal_") != NULL, "%s",
              gi_last_error());
    cr_expect(strstr(gi_last_error(), needle) != NULL,
              "message '%s' lacks '%s'", gi_last_error(), needle);
    cr_expect_eq(gi_orthogonal_(t, gain, NULL), want);
    cr_expect_eq(gi_generator_offset(g), 17);
    cr_expect_eq(gi_generator_offset(def), 23);
    if (t != NULL)
        expect_iota(t);
    gi_generator_destroy(g);
}

Test(orthogonal, bad_inputs_change_nothing)
{
    gi_context ctx = cpu_context();
    const int64_t n5 = 5, n0 = 0, m34[2] = {3, 4};
    gi_tensor v = new_tensor(ctx, 1, &n5), e1 = new_tensor(ctx, 1, &n0);
    gi_tensor s = new_tensor(ctx, 0, NULL), m = new_tensor(ctx, 2, m34);
    expect_refused(ctx, v, 1.0f, GI_ERR_SHAPE, "2 or more dimensions");
    expect_refused(ctx, e1, 1.0f, GI_ERR_SHAPE, "2 or more dimensions");
    expect_refused(ctx, s, 1.0f, GI_ERR_SHAPE, "2 or more dimensions");
    expect_refused(ctx, m, NAN, GI_ERR_INVALID_ARGUMENT, "'gain'");
    expect_refused(ctx, m, INFINITY, GI_ERR_INVALID_ARGUMENT, "inf");
    expect_refused(ctx, m, -INFINITY, GI_ERR_INVALID_ARGUMENT, "-inf");
    expect_refused(ctx, m, NAN, GI_ERR_INVALID_ARGUMENT, "nan");
    expect_refused(ctx, NULL, 1.0f, GI_ERR_NULL_ARGUMENT, "'t'");
    gi_tensor_destroy(v);
    gi_tensor_destroy(e1);
    gi_tensor_destroy(s);
    gi_tensor_destroy(m);
    gi_context_destroy(ctx);
}

Test(orthogonal, zero_elements_is_a_no_op)
{
    gi_context ctx = cpu_context();
    const int64_t shapes0[3][3] = {{0, 5}, {5, 0}, {3, 0, 2}};
    const int ndims[3] = {2, 2, 3};
    gi_generator g = new_generator(1);
    gi_generator_set_offset(g, 11);
    for (int k = 0; k < 3; ++k) {
        gi_tensor t = new_tensor(ctx, ndims[k], shapes0[k]);
        cr_expect_eq(gi_orthogonal_(t, 1.0f, g), GI_OK, "%s", gi_last_error());
        cr_expect_eq(gi_orthogonal_(t, 1.0f, NULL), GI_OK);
        cr_expect_eq(gi_generator_offset(g), 11);
        cr_expect_eq(gi_generator_offset(gi_context_generator(ctx)), 0);
        gi_tensor_destroy(t);
    }
    gi_generator_destroy(g);
    gi_context_destroy(ctx);
}

Test(orthogonal, fills_a_view_and_nothing_else)
{
    gi_context ctx = cpu_context();
    const int64_t big[2] = {10, 12}, small[2] = {6, 12};
    gi_tensor t = new_tensor(ctx, 2, big), view = NULL;
    fill_iota(t);
    cr_assert_eq(gi_tensor_slice(&view, t, 2, 8), GI_OK);
    gi_generator g = new_generator(5);
    cr_assert_eq(gi_orthogonal_(view, 1.5f, g), GI_OK, "%s", gi_last_error());
    /* The same as a fresh 6 x 12 tensor from the same generator state. */
    gi_tensor fresh = new_tensor(ctx, 2, small);
    gi_generator_set_offset(g, 0);
    cr_assert_eq(gi_orthogonal_(fresh, 1.5f, g), GI_OK);
    float *h = to_host(t), *f = to_host(fresh);
    for (int64_t i = 0; i < 120; ++i) {
        if (i >= 24 && i < 96)
            cr_expect_eq(h[i], f[i - 24], "view element %lld", (long long)i);
        else
            cr_expect_eq(h[i], (float)i, "element %lld outside the view "
                         "changed", (long long)i);
    }
    cr_expect(ortho_error(h + 24, 6, 12, 1.5f) <= 1e-5 * 2.25);
    free(h);
    free(f);
    gi_generator_destroy(g);
    gi_tensor_destroy(fresh);
    gi_tensor_destroy(view);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

/* A backend failure after the draw (in the QR, or in the pass that
 * stores Q) must still leave t and the generator as they were: the test
 * swaps the context's backend table for a copy whose member fails. */
static gi_status failing_orthogonalize(void *state, gi_dtype dtype,
                                       void *data, int64_t rows,
                                       int64_t cols, double gain,
                                       const char *fn)
{
    (void)state, (void)dtype, (void)data, (void)rows, (void)cols,
        (void)gain;
    return gi_fail(GI_ERR_LAPACK, fn, "injected QR failure");
}

/* The store is the one job that reads a second tensor (GI_JOB_MAP2). */
static gi_status failing_store(void *state, const gi_fill_job *jobs,
                               int64_t njobs, const char *fn)
{
    for (int64_t i = 0; i < njobs; ++i)
        if (jobs[i].kind == GI_JOB_MAP2)
            return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                           "injected store failure");
    return gi_cpu_backend.run_jobs(state, jobs, njobs, fn);
}

static void expect_rolled_back(gi_context ctx, const struct gi_backend_ops *ops,
                               gi_status want)
{
    const int64_t shape[3] = {4, 2, 3};
    gi_tensor t = new_tensor(ctx, 3, shape);
    const struct gi_backend_ops *saved = ctx->ops;
    ctx->ops = ops;
    expect_refused(ctx, t, 1.0f, want, "injected");
    ctx->ops = saved;
    gi_tensor_destroy(t);
}

Test(orthogonal, backend_failures_change_nothing)
{
    gi_context ctx = cpu_context();
    struct gi_backend_ops qr_fails = *ctx->ops, store_fails = *ctx->ops;
    qr_fails.orthogonalize = failing_orthogonalize;
    store_fails.run_jobs = failing_store;
    expect_rolled_back(ctx, &qr_fails, GI_ERR_LAPACK);
    expect_rolled_back(ctx, &store_fails, GI_ERR_OUT_OF_MEMORY);
    gi_context_destroy(ctx);
}

/*
 * PyTorch's sign convention on fixed inputs (exact in float). Reference
 * from Debian's python3-torch 1.13, /usr/bin/python3:
 *
 *   import torch
 *   def ref(rows_list, gain):
 *       t = torch.tensor(rows_list, dtype=torch.float32)
 *       rows, cols = t.shape
 *       flat = t.clone()
 *       if rows < cols:
 *           flat.t_()
 *       q, r = torch.linalg.qr(flat)
 *       q *= torch.diag(r, 0).sign()
 *       if rows < cols:
 *           q.t_()
 *       return (q.contiguous() * gain).flatten().tolist()
 *   for m in ([[0.5, -1.25, 2.0], [-1.5, 0.75, 0.25], [1.0, 2.5, -0.5]],
 *             [[0.5, -1.25, 2.0], [-1.5, 0.75, 0.25]],
 *             [[0.5, -1.25], [-1.5, 0.75], [1.0, 2.5]]):
 *       print(", ".join("%.9gf" % v for v in ref(m, 1.0)))
 */
static void expect_like_torch(const float *in, int64_t rows, int64_t cols,
                              const float *want, float gain)
{
    float q[9];
    memcpy(q, in, (size_t)(rows * cols) * sizeof *q);
    cr_assert_eq(gi_cpu_orthogonalize(GI_F32, q, rows, cols, gain, "test"),
                 GI_OK, "%s", gi_last_error());
    for (int64_t i = 0; i < rows * cols; ++i)
        cr_expect(fabsf(q[i] - gain * want[i]) <= 2e-6f * fabsf(gain),
                  "%lld x %lld, gain %g, element %lld: %.9g, torch %.9g",
                  (long long)rows, (long long)cols, (double)gain,
                  (long long)i, (double)q[i], (double)(gain * want[i]));
}

Test(orthogonal, matches_torch_sign_convention)
{
    static const float a3x3[9] = {0.5f, -1.25f, 2.0f, -1.5f, 0.75f,
                                  0.25f, 1.0f, 2.5f, -0.5f};
    static const float t3x3[9] = {
        0.267261147f, -0.473522484f, 0.83925432f, -0.801783681f, 0.373833597f,
        0.466252387f, 0.534522474f,  0.797511697f, 0.27975142f};
    static const float a2x3[6] = {0.5f, -1.25f, 2.0f, -1.5f, 0.75f, 0.25f};
    static const float t2x3[6] = {0.207390308f,  -0.51847589f, 0.829561412f,
                                  -0.861559033f, 0.3048594f,   0.405926764f};
    static const float a3x2[6] = {0.5f, -1.25f, -1.5f, 0.75f, 1.0f, 2.5f};
    static const float t3x2[6] = {0.267261147f,  -0.473522484f,
                                  -0.801783681f, 0.373833597f,
                                  0.534522474f,  0.797511697f};
    const float gs[3] = {1.0f, 2.5f, -0.5f};
    for (int k = 0; k < 3; ++k) {
        expect_like_torch(a3x3, 3, 3, t3x3, gs[k]);
        expect_like_torch(a2x3, 2, 3, t2x3, gs[k]);
        expect_like_torch(a3x2, 3, 2, t3x2, gs[k]);
    }
}

Test(orthogonal, lapack_sizes_beyond_int_are_refused)
{
    float x = 1.0f; /* never read: the size check comes first */
    cr_expect_eq(gi_cpu_orthogonalize(GI_F32, &x, (int64_t)1 << 31, 1, 1.0,
                                      "test"),
                 GI_ERR_OVERFLOW);
    cr_expect(strstr(gi_last_error(), "32-bit") != NULL, "%s",
              gi_last_error());
    cr_expect_eq(x, 1.0f);
}

/* ---- float64, the 16-bit types, gi_init_ ------------------------------- */

static gi_tensor typed_tensor(gi_context ctx, gi_dtype dt, const shape_case *c)
{
    gi_tensor t = NULL;
    cr_assert_eq(gi_tensor_create(&t, ctx, dt, c->ndim, c->shape), GI_OK,
                 "%s", gi_last_error());
    return t;
}

/* A malloc'd host copy of t's bytes. */
static void *host_bytes(gi_tensor t)
{
    size_t n = gi_tensor_nbytes(t);
    void *h = malloc(n > 0 ? n : 1);
    cr_assert_not_null(h);
    cr_assert_eq(gi_tensor_copy_to_host(t, h, n), GI_OK, "%s",
                 gi_last_error());
    return h;
}

/* orthogonal_ (spec NULL) or gi_init_(spec) of a fresh dt tensor of
 * shape c, from (seed, stream 7, offset); the bytes, and *after the
 * generator's offset afterwards. */
static void *orthogonal_typed(gi_context ctx, gi_dtype dt, const shape_case *c,
                              double gain, const gi_init *spec, uint64_t seed,
                              uint64_t offset, uint64_t *after)
{
    gi_tensor t = typed_tensor(ctx, dt, c);
    gi_generator g = new_generator(seed);
    gi_generator_set_stream(g, 7);
    gi_generator_set_offset(g, offset);
    gi_status st = spec != NULL ? gi_init_(t, spec, g)
                                : gi_orthogonal_(t, gain, g);
    cr_assert_eq(st, GI_OK, "%s", gi_last_error());
    *after = gi_generator_offset(g);
    void *h = host_bytes(t);
    gi_generator_destroy(g);
    gi_tensor_destroy(t);
    return h;
}

static const shape_case shapes64[] = {
    {2, {6, 6}},   {2, {10, 4}},      {2, {4, 10}},    {3, {8, 3, 3}},
    {3, {3, 4, 5}}, {4, {3, 2, 5, 5}}, {2, {300, 200}}, {2, {200, 300}},
};
#define NSHAPES64 (sizeof shapes64 / sizeof *shapes64)

Test(orthogonal64, is_orthogonal_to_1e_12_for_every_shape)
{
    gi_context ctx = cpu_context();
    const double gs[] = {1.0, 2.5, -0.5};
    double worst = 0.0;
    for (size_t s = 0; s < NSHAPES64; ++s)
        for (size_t k = 0; k < 3; ++k) {
            const shape_case *c = &shapes64[s];
            uint64_t after = 0;
            double *q = orthogonal_typed(ctx, GI_F64, c, gs[k], NULL,
                                         77 + s, 3 * s, &after);
            double err = gram_error(q, 1, rows_of(c), cols_of(c), gs[k]) /
                         (gs[k] * gs[k]);
            worst = err > worst ? err : worst;
            cr_expect(err <= 1e-12, "%lld x %lld, gain %g: error %g",
                      (long long)rows_of(c), (long long)cols_of(c), gs[k],
                      err);
            free(q);
        }
    cr_log_info("float64: largest orthogonality error / gain^2 %.3g", worst);
    gi_context_destroy(ctx);
}

/* The draw is gi_normal_(w, 0, 1) in float64 at the generator's offset,
 * the QR LAPACK's dgeqrf/dorgqr (on the CPU's host memory): bits and
 * offset. */
Test(orthogonal64, is_the_qr_of_the_float64_normal_draw)
{
    gi_context ctx = cpu_context();
    for (size_t s = 0; s < NSHAPES64; ++s) {
        const shape_case *c = &shapes64[s];
        uint64_t after = 0;
        double *q = orthogonal_typed(ctx, GI_F64, c, 1.5, NULL, 5, 11,
                                     &after);
        gi_tensor n = typed_tensor(ctx, GI_F64, c);
        gi_generator g = new_generator(5);
        gi_generator_set_stream(g, 7);
        gi_generator_set_offset(g, 11);
        cr_assert_eq(gi_normal_(n, 0.0, 1.0, g), GI_OK, "%s",
                     gi_last_error());
        cr_expect_eq(after, gi_generator_offset(g), "shape %zu: offset", s);
        double *want = host_bytes(n);
        /* The backend's member, which holds OpenBLAS to one thread. */
        cr_assert_eq(ctx->ops->orthogonalize(ctx->state, GI_F64, want,
                                             rows_of(c), cols_of(c), 1.5,
                                             "test"),
                     GI_OK, "%s", gi_last_error());
        cr_expect(memcmp(q, want, gi_tensor_nbytes(n)) == 0,
                  "shape %zu: not the QR of the normal draw", s);
        free(want);
        free(q);
        gi_generator_destroy(g);
        gi_tensor_destroy(n);
    }
    gi_context_destroy(ctx);
}

Test(orthogonal64, same_bits_on_every_thread_count)
{
    gi_context ctx = cpu_context();
    for (size_t s = 0; s < NSHAPES64; ++s) {
        const shape_case *c = &shapes64[s];
        void *first = NULL;
        for (int threads = 1; threads <= 4; ++threads) {
            cr_assert_eq(gi_context_set_num_threads(ctx, threads), GI_OK);
            uint64_t after = 0;
            void *q = orthogonal_typed(ctx, GI_F64, c, 1.0, NULL, 9, 0,
                                       &after);
            size_t bytes = (size_t)(rows_of(c) * cols_of(c)) * 8;
            if (first == NULL)
                first = q;
            else {
                cr_expect(memcmp(first, q, bytes) == 0,
                          "shape %zu: %d threads differ from 1", s, threads);
                free(q);
            }
        }
        free(first);
    }
    gi_context_destroy(ctx);
}

/* PyTorch's orthogonal_ in float64 on the same normal matrix
 * (tests/gen_orthogonal_golden.py): LAPACK builds differ in rounding
 * only. */
static double from_bits(const char *hex)
{
    uint64_t u = strtoull(hex, NULL, 16);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

Test(orthogonal64, matches_torch_linalg_qr_in_float64)
{
    char *text = read_file(GINIT_TEST_DATA_DIR "/orthogonal_golden64.txt");
    gi_context ctx = cpu_context();
    int cases = 0, total = -1;
    double worst = 0.0;
    for (char *line = strtok(text, "\n"); line != NULL;
         line = strtok(NULL, "\n")) {
        if (sscanf(line, "cases %d", &total) == 1 || line[0] == '#')
            continue;
        unsigned long long seed, stream, offset;
        char gain_hex[17];
        shape_case c = {0, {0}};
        int used = 0;
        cr_assert_eq(sscanf(line, "case %llu %llu %llu %16s %d%n", &seed,
                            &stream, &offset, gain_hex, &c.ndim, &used), 5,
                     "bad line: %s", line);
        for (int d = 0; d < c.ndim; ++d) {
            int more = 0;
            cr_assert_eq(sscanf(line + used, "%lld%n",
                                (long long *)&c.shape[d], &more), 1);
            used += more;
        }
        const double gain = from_bits(gain_hex);
        gi_tensor t = typed_tensor(ctx, GI_F64, &c);
        gi_generator g = new_generator(seed);
        gi_generator_set_stream(g, stream);
        gi_generator_set_offset(g, offset);
        cr_assert_eq(gi_orthogonal_(t, gain, g), GI_OK, "%s", gi_last_error());
        double *q = host_bytes(t);
        char *values = strtok(NULL, "\n");
        cr_assert_not_null(values);
        for (int64_t i = 0; i < gi_tensor_numel(t); ++i) {
            char hex[17];
            memcpy(hex, values + 17 * i, 16);
            hex[16] = '\0';
            double d = fabs(q[i] - from_bits(hex)) / fabs(gain);
            worst = d > worst ? d : worst;
            cr_expect(d <= 1e-13, "case %d, element %lld: %.17g, torch "
                      "%.17g", cases, (long long)i, q[i], from_bits(hex));
        }
        free(q);
        gi_generator_destroy(g);
        gi_tensor_destroy(t);
        ++cases;
    }
    cr_expect_eq(cases, total, "read %d cases of %d", cases, total);
    cr_log_info("float64 against torch.linalg.qr: largest difference / "
                "gain %.3g over %d cases", worst, cases);
    free(text);
    gi_context_destroy(ctx);
}

/* A 16-bit orthogonal_ is the float32 one rounded once, the generator
 * advanced alike (PyTorch has no geqrf for bfloat16). */
static uint16_t rounded(gi_dtype dt, float v)
{
    return dt == GI_F16 ? gi_f32_to_f16(v) : gi_f32_to_bf16(v);
}

static void expect_16bit_is_float32_rounded(gi_context ctx)
{
    const gi_dtype dts[] = {GI_F16, GI_BF16};
    for (size_t s = 0; s < NSHAPES64; ++s)
        for (int d = 0; d < 2; ++d) {
            const shape_case *c = &shapes64[s];
            uint64_t a32 = 0, a16 = 0;
            float *f = orthogonal_typed(ctx, GI_F32, c, 2.5, NULL, 3, 8,
                                        &a32);
            uint16_t *h = orthogonal_typed(ctx, dts[d], c, 2.5, NULL, 3, 8,
                                           &a16);
            int64_t bad = 0;
            for (int64_t i = 0; i < rows_of(c) * cols_of(c); ++i)
                bad += h[i] != rounded(dts[d], f[i]);
            cr_expect_eq(bad, 0, "%s, shape %zu: %lld elements differ",
                         gi_dtype_name(dts[d]), s, (long long)bad);
            cr_expect_eq(a16, a32, "%s: offset", gi_dtype_name(dts[d]));
            free(f);
            free(h);
        }
}

Test(orthogonal16, is_the_float32_orthogonal_rounded)
{
    gi_context ctx = cpu_context();
    expect_16bit_is_float32_rounded(ctx);
    gi_context_destroy(ctx);
}

/* gi_init_ with GI_INIT_ORTHOGONAL is gi_orthogonal_: bits and offset,
 * in every dtype. */
static void expect_init_is_orthogonal(gi_context ctx)
{
    const gi_dtype dts[] = {GI_F32, GI_F64, GI_F16, GI_BF16};
    for (size_t s = 0; s < NSHAPES64; ++s)
        for (int d = 0; d < 4; ++d) {
            const shape_case *c = &shapes64[s];
            const gi_init spec = {.kind = GI_INIT_ORTHOGONAL, .a = -1.25};
            uint64_t a = 0, b = 0;
            void *direct = orthogonal_typed(ctx, dts[d], c, -1.25, NULL, 21,
                                            s, &a);
            void *init = orthogonal_typed(ctx, dts[d], c, 0.0, &spec, 21, s,
                                          &b);
            size_t bytes = (size_t)(rows_of(c) * cols_of(c)) *
                           gi_dtype_size(dts[d]);
            cr_expect(memcmp(direct, init, bytes) == 0,
                      "%s, shape %zu: gi_init_ differs",
                      gi_dtype_name(dts[d]), s);
            cr_expect_eq(a, b, "%s, shape %zu: offset", gi_dtype_name(dts[d]),
                         s);
            free(direct);
            free(init);
        }
}

Test(orthogonal_init, gi_init_is_gi_orthogonal_in_every_dtype)
{
    gi_context ctx = cpu_context();
    expect_init_is_orthogonal(ctx);
    gi_context_destroy(ctx);
}

/* ---- gi_module_init_ ---------------------------------------------------- */

/* The tree of these tests (the one place that creates modules): two
 * orthogonal weights, wide and tall, a layer without bias. */
static gi_module ortho_net(gi_context ctx)
{
    gi_module kids[4] = {new_linear(ctx, 5, 7, 1), new_relu(ctx),
                         new_linear(ctx, 7, 3, 0), new_linear(ctx, 3, 9, 1)};
    gi_module net = NULL;
    cr_assert_eq(gi_sequential_create(&net, ctx, 4, kids), GI_OK, "%s",
                 gi_last_error());
    return net;
}

/* PyTorch's net.apply(init) idiom: gi_init_ on each Linear's weight, then
 * its bias. */
typedef struct idiom {
    const gi_init *weight, *bias;
    gi_generator gen;
} idiom;

static gi_status init_linear(gi_module m, void *user)
{
    const idiom *id = user;
    if (gi_module_kind_of(m) != GI_MODULE_LINEAR)
        return GI_OK;
    gi_status st = gi_init_(gi_module_weight(m), id->weight, id->gen);
    if (st == GI_OK && id->bias != NULL && gi_module_bias(m) != NULL)
        st = gi_init_(gi_module_bias(m), id->bias, id->gen);
    return st;
}

/* gi_module_init_ on one tree, the idiom on a twin: same bits, same
 * offset afterwards. */
static void expect_module_init_is_the_idiom(gi_context ctx, const gi_init *w,
                                            const gi_init *b)
{
    gi_manual_seed(ctx, 1); /* twins from their default init on */
    gi_module twin = ortho_net(ctx);
    gi_manual_seed(ctx, 1);
    gi_module net = ortho_net(ctx);
    gi_generator g = new_generator(17);
    gi_generator_set_offset(g, 123);
    idiom id = {w, b, g};
    cr_assert_eq(gi_module_apply(twin, init_linear, &id), GI_OK, "%s",
                 gi_last_error());
    const uint64_t want = gi_generator_offset(g);
    gi_generator_set_offset(g, 123);
    cr_assert_eq(gi_module_init_(net, w, b, g), GI_OK, "%s", gi_last_error());
    cr_expect_eq(gi_generator_offset(g), want, "offset %llu, the idiom's %llu",
                 (unsigned long long)gi_generator_offset(g),
                 (unsigned long long)want);
    params pt = params_of(twin), pn = params_of(net);
    snapshot st = take(&pt), sn = take(&pn);
    expect_same(&pn, &st, &sn, "gi_module_init_ against the idiom");
    cr_expect(ortho_error(sn.v[0], 7, 5, (float)w->a) <= 1e-5 * w->a * w->a);
    drop(&st);
    drop(&sn);
    gi_generator_destroy(g);
    gi_module_destroy(twin);
    gi_module_destroy(net);
}

static void expect_module_init_cases(gi_context ctx)
{
    const gi_init ortho = {.kind = GI_INIT_ORTHOGONAL, .a = 1.0};
    const gi_init gained = {.kind = GI_INIT_ORTHOGONAL, .a = 2.5};
    const gi_init normal = {.kind = GI_INIT_NORMAL, .a = 0.0, .b = 0.5};
    const gi_init uni = {.kind = GI_INIT_UNIFORM, .a = -1.0, .b = 1.0};
    expect_module_init_is_the_idiom(ctx, &ortho, &uni);
    expect_module_init_is_the_idiom(ctx, &gained, &normal);
    expect_module_init_is_the_idiom(ctx, &ortho, NULL);
}

Test(orthogonal_module, module_init_is_the_apply_idiom)
{
    gi_context ctx = cpu_context();
    for (int threads = 1; threads <= 3; ++threads) {
        cr_assert_eq(gi_context_set_num_threads(ctx, threads), GI_OK);
        expect_module_init_cases(ctx);
    }
    gi_context_destroy(ctx);
}

/* The second QR of a plan fails: the first orthogonal weight's QR has
 * run, but into its workspace only. */
static int qr_calls;
static gi_status second_qr_fails(void *state, gi_dtype dtype, void *data,
                                 int64_t rows, int64_t cols, double gain,
                                 const char *fn)
{
    if (++qr_calls == 2)
        return gi_fail(GI_ERR_LAPACK, fn, "injected QR failure");
    return gi_cpu_backend.orthogonalize(state, dtype, data, rows, cols, gain,
                                        fn);
}

static void expect_module_init_rolled_back(gi_context ctx,
                                           const struct gi_backend_ops *ops,
                                           gi_status want)
{
    const gi_init ortho = {.kind = GI_INIT_ORTHOGONAL, .a = 1.0};
    const gi_init uni = {.kind = GI_INIT_UNIFORM, .a = -1.0, .b = 1.0};
    gi_module net = ortho_net(ctx);
    gi_generator g = new_generator(3);
    gi_generator_set_offset(g, 40);
    params ps = params_of(net);
    snapshot before = take(&ps);
    const struct gi_backend_ops *saved = ctx->ops;
    ctx->ops = ops;
    qr_calls = 0;
    gi_status st = gi_module_init_(net, &ortho, &uni, g);
    ctx->ops = saved;
    cr_expect_eq(st, want, "got %s: %s", gi_status_name(st), gi_last_error());
    cr_expect(strstr(gi_last_error(), "gi_module_init_: injected") != NULL,
              "%s", gi_last_error());
    snapshot after = take(&ps);
    expect_same(&ps, &before, &after, "a failed gi_module_init_");
    cr_expect_eq(gi_generator_offset(g), 40);
    drop(&before);
    drop(&after);
    gi_generator_destroy(g);
    gi_module_destroy(net);
}

Test(orthogonal_module, a_failing_qr_or_store_changes_nothing)
{
    gi_context ctx = cpu_context();
    struct gi_backend_ops qr_fails = *ctx->ops, store_fails = *ctx->ops;
    qr_fails.orthogonalize = second_qr_fails;
    store_fails.run_jobs = failing_store;
    expect_module_init_rolled_back(ctx, &qr_fails, GI_ERR_LAPACK);
    expect_module_init_rolled_back(ctx, &store_fails, GI_ERR_OUT_OF_MEMORY);
    gi_context_destroy(ctx);
}

/* ---- GPU ---------------------------------------------------------------- */

Test(orthogonal_gpu, agrees_with_the_cpu_and_is_orthogonal)
{
    gi_context gpu = gpu_context_or_skip(), cpu = cpu_context();
    const shape_case more[] = {{2, {256, 128}}, {2, {128, 256}},
                               {4, {64, 32, 3, 3}}};
    double worst_gpu = 0.0, worst_diff = 0.0;
    for (size_t s = 0; s < NSHAPES + 3; ++s) {
        const shape_case *c = s < NSHAPES ? &shapes[s] : &more[s - NSHAPES];
        const int64_t rows = rows_of(c), cols = cols_of(c);
        const double tol = s < NSHAPES ? 1e-5 : 1e-4;
        for (size_t k = 0; k < 2; ++k) {
            float gain = gains[k];
            float *g = orthogonal_on(gpu, c, gain, 31 + s, 2 * s);
            float *h = orthogonal_on(cpu, c, gain, 31 + s, 2 * s);
            float *g2 = orthogonal_on(gpu, c, gain, 31 + s, 2 * s);
            double err = ortho_error(g, rows, cols, gain), diff = 0.0;
            for (int64_t i = 0; i < rows * cols; ++i) {
                double d = fabs((double)g[i] - h[i]);
                diff = d > diff ? d : diff;
            }
            worst_gpu = err > worst_gpu ? err : worst_gpu;
            worst_diff = diff > worst_diff ? diff : worst_diff;
            cr_expect(err <= tol * gain * gain,
                      "GPU, %lld x %lld, gain %g: orthogonality error %g",
                      (long long)rows, (long long)cols, (double)gain, err);
            cr_expect(diff <= 1e-4 * gain,
                      "%lld x %lld, gain %g: GPU and CPU differ by %g",
                      (long long)rows, (long long)cols, (double)gain, diff);
            cr_expect(memcmp(g, g2, (size_t)(rows * cols) * sizeof *g) == 0,
                      "%lld x %lld: the GPU is not deterministic",
                      (long long)rows, (long long)cols);
            free(g);
            free(h);
            free(g2);
        }
    }
    cr_log_info("GPU: largest orthogonality error %.3g, largest difference "
                "from the CPU %.3g", worst_gpu, worst_diff);
    gi_context_destroy(gpu);
    gi_context_destroy(cpu);
}

Test(orthogonal_gpu, view_and_bad_input_on_the_gpu)
{
    gi_context gpu = gpu_context_or_skip();
    const int64_t big[2] = {10, 12}, m34[2] = {3, 4};
    gi_tensor t = new_tensor(gpu, 2, big), view = NULL;
    fill_iota(t);
    cr_assert_eq(gi_tensor_slice(&view, t, 2, 8), GI_OK);
    cr_assert_eq(gi_orthogonal_(view, 1.0f, NULL), GI_OK, "%s",
                 gi_last_error());
    float *h = to_host(t);
    for (int64_t i = 0; i < 120; ++i)
        if (i < 24 || i >= 96)
            cr_expect_eq(h[i], (float)i, "element %lld outside the view "
                         "changed", (long long)i);
    cr_expect(ortho_error(h + 24, 6, 12, 1.0f) <= 1e-5);
    free(h);
    gi_tensor m = new_tensor(gpu, 2, m34);
    expect_refused(gpu, m, NAN, GI_ERR_INVALID_ARGUMENT, "'gain'");
    gi_tensor_destroy(m);
    gi_tensor_destroy(view);
    gi_tensor_destroy(t);
    gi_context_destroy(gpu);
}

Test(orthogonal_gpu, float64_agrees_with_the_cpu_and_is_orthogonal)
{
    gi_context gpu = gpu_context_or_skip(), cpu = cpu_context();
    double worst_err = 0.0, worst_diff = 0.0;
    for (size_t s = 0; s < NSHAPES64; ++s) {
        const shape_case *c = &shapes64[s];
        const int64_t rows = rows_of(c), cols = cols_of(c);
        uint64_t ag = 0, ac = 0, ag2 = 0;
        double *g = orthogonal_typed(gpu, GI_F64, c, 2.5, NULL, 41 + s, s,
                                     &ag);
        double *h = orthogonal_typed(cpu, GI_F64, c, 2.5, NULL, 41 + s, s,
                                     &ac);
        double *g2 = orthogonal_typed(gpu, GI_F64, c, 2.5, NULL, 41 + s, s,
                                      &ag2);
        double err = gram_error(g, 1, rows, cols, 2.5) / 6.25, diff = 0.0;
        for (int64_t i = 0; i < rows * cols; ++i) {
            double d = fabs(g[i] - h[i]) / 2.5;
            diff = d > diff ? d : diff;
        }
        worst_err = err > worst_err ? err : worst_err;
        worst_diff = diff > worst_diff ? diff : worst_diff;
        cr_expect(err <= 1e-12, "GPU, %lld x %lld: orthogonality error %g",
                  (long long)rows, (long long)cols, err);
        cr_expect(diff <= 1e-12, "%lld x %lld: GPU and CPU differ by %g",
                  (long long)rows, (long long)cols, diff);
        cr_expect(memcmp(g, g2, (size_t)(rows * cols) * sizeof *g) == 0,
                  "%lld x %lld: the GPU is not deterministic",
                  (long long)rows, (long long)cols);
        cr_expect_eq(ag, ac, "the offsets differ");
        free(g);
        free(h);
        free(g2);
    }
    cr_log_info("GPU float64: largest orthogonality error %.3g, largest "
                "difference from the CPU %.3g", worst_err, worst_diff);
    gi_context_destroy(gpu);
    gi_context_destroy(cpu);
}

Test(orthogonal_gpu, sixteen_bit_init_and_module_init_on_the_gpu)
{
    gi_context gpu = gpu_context_or_skip();
    expect_16bit_is_float32_rounded(gpu);
    expect_init_is_orthogonal(gpu);
    expect_module_init_cases(gpu);
    gi_context_destroy(gpu);
}
