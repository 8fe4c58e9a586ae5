/* gi_orthogonal_ (torch.nn.init.orthogonal_): orthogonality, determinism,
 * the generator's offset, failures that change nothing, views, PyTorch's
 * sign convention, and the GPU against the CPU (skipped without a GPU).
 * White-box: it also calls gi_cpu_orthogonalize. */
#include <math.h>
#include <string.h>

#include "internal.h"
#include "orthogonal.h"
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

/* max |G - gain^2 I| in double, with G = q^T q (rows >= cols) or q q^T
 * (rows < cols) for the row-major rows x cols matrix q. */
static double ortho_error(const float *q, int64_t rows, int64_t cols,
                          float gain)
{
    const int tall = rows >= cols;
    const int64_t k = tall ? cols : rows, len = tall ? rows : cols;
    const double g2 = (double)gain * gain;
    double worst = 0.0;
    for (int64_t a = 0; a < k; ++a)
        for (int64_t b = 0; b < k; ++b) {
            double s = 0.0;
            for (int64_t l = 0; l < len; ++l) {
                double x = tall ? q[l * cols + a] : q[a * cols + l];
                double y = tall ? q[l * cols + b] : q[b * cols + l];
                s += x * y;
            }
            double e = fabs(s - (a == b ? g2 : 0.0));
            if (e > worst)
                worst = e;
        }
    return worst;
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

/* A backend failure after the draw (in the QR, or in the final copy) must
 * still leave t and the generator as they were: the test swaps the
 * context's backend table for a copy whose member fails. */
static gi_status failing_orthogonalize(void *state, gi_dtype dtype,
                                       void *data, int64_t rows,
                                       int64_t cols, double gain,
                                       const char *fn)
{
    (void)state, (void)dtype, (void)data, (void)rows, (void)cols,
        (void)gain;
    return gi_fail(GI_ERR_LAPACK, fn, "injected QR failure");
}

static gi_status failing_copy(void *state, void *dst, const void *src,
                              size_t bytes, const char *fn)
{
    (void)state, (void)dst, (void)src, (void)bytes;
    return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "injected copy failure");
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
    struct gi_backend_ops qr_fails = *ctx->ops, copy_fails = *ctx->ops;
    qr_fails.orthogonalize = failing_orthogonalize;
    copy_fails.copy = failing_copy;
    expect_rolled_back(ctx, &qr_fails, GI_ERR_LAPACK);
    expect_rolled_back(ctx, &copy_fails, GI_ERR_OUT_OF_MEMORY);
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
    cr_assert_eq(gi_cpu_orthogonalize(q, rows, cols, gain, "test"), GI_OK,
                 "%s", gi_last_error());
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
    cr_expect_eq(gi_cpu_orthogonalize(&x, (int64_t)1 << 31, 1, 1.0f, "test"),
                 GI_ERR_OVERFLOW);
    cr_expect(strstr(gi_last_error(), "32-bit") != NULL, "%s",
              gi_last_error());
    cr_expect_eq(x, 1.0f);
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
