/* Modules in a dtype: Linear and LazyLinear create their parameters in
 * it, the forward runs in it (float32 sums and one rounding for the
 * 16-bit types) and refuses inputs of another dtype. On the device a run
 * chooses (GINIT_DEVICE); the bit-for-bit rules of the CPU on the CPU. */
#include <math.h>
#include <string.h>

#include "shared/convert.h"
#include "test_helpers.h"

static const gi_dtype all_dtypes[] = {GI_F32, GI_F64, GI_F16, GI_BF16};

static gi_context auto_context(void)
{
    gi_context ctx = NULL;
    cr_assert_eq(gi_context_create(&ctx, GI_DEVICE_AUTO), GI_OK, "%s",
                 gi_last_error());
    return ctx;
}

/* A malloc'd host copy of t's values in double (exact for every dtype). */
static double *to_host_f64(gi_tensor t)
{
    gi_tensor d = NULL;
    cr_assert_eq(gi_tensor_to(&d, t, GI_F64), GI_OK, "%s", gi_last_error());
    size_t n = (size_t)gi_tensor_numel(t);
    double *h = malloc((n > 0 ? n : 1) * sizeof *h);
    cr_assert_not_null(h);
    cr_assert_eq(gi_tensor_copy_to_host(d, h, n * sizeof *h), GI_OK);
    gi_tensor_destroy(d);
    return h;
}

/* A malloc'd host copy of t's bytes, and their count in *bytes. */
static void *to_host_bytes(gi_tensor t, size_t *bytes)
{
    gi_dtype dt = gi_tensor_dtype(t);
    *bytes = (size_t)gi_tensor_numel(t) * (dt == GI_F64   ? 8
                                           : dt == GI_F32 ? 4
                                                          : 2);
    void *h = malloc(*bytes > 0 ? *bytes : 1);
    cr_assert_not_null(h);
    cr_assert_eq(gi_tensor_copy_to_host(t, h, *bytes), GI_OK);
    return h;
}

/* a and b hold the same dtype, shape and bits. */
static void expect_same_bits(gi_tensor a, gi_tensor b, const char *what)
{
    cr_assert_eq(gi_tensor_dtype(a), gi_tensor_dtype(b), "%s", what);
    cr_assert_eq(gi_tensor_numel(a), gi_tensor_numel(b), "%s", what);
    size_t na, nb;
    void *ha = to_host_bytes(a, &na), *hb = to_host_bytes(b, &nb);
    cr_expect(memcmp(ha, hb, na) == 0, "%s: the bits differ", what);
    free(ha);
    free(hb);
}

/* How far a forward in dtype may be from the exact sum, relative to what
 * the sum is made of (sum |x_k w_k| + |b|, which grows with in_features):
 * the GEMM's own rounding for float64 and float32; for the 16-bit types
 * the float32 sum's plus the one rounding of the output. */
static double tolerance(gi_dtype dt)
{
    switch (dt) {
    case GI_F64: return 1e-12;
    case GI_F32: return 1e-5;
    case GI_F16: return 1e-3;
    default: return 1e-2;
    }
}

/* y = x W^T + b (then relu) of Linear m, against a float64 sum of its
 * parameters and input converted to double. */
static void check_linear(gi_tensor x, gi_module m, gi_tensor y, int relu)
{
    gi_dtype dt = gi_tensor_dtype(x);
    cr_assert_eq(gi_tensor_dtype(y), dt, "the output has the input's dtype");
    int64_t in = gi_linear_in_features(m), out = gi_linear_out_features(m);
    int64_t rows = gi_tensor_numel(x) / in;
    double *hx = to_host_f64(x), *hw = to_host_f64(gi_module_weight(m));
    double *hb = gi_module_bias(m) ? to_host_f64(gi_module_bias(m)) : NULL;
    double *hy = to_host_f64(y);
    cr_assert_eq(gi_tensor_numel(y), rows * out);
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t o = 0; o < out; ++o) {
            double ref = hb ? hb[o] : 0.0, mag = fabs(ref);
            for (int64_t k = 0; k < in; ++k) {
                ref += hx[r * in + k] * hw[o * in + k];
                mag += fabs(hx[r * in + k] * hw[o * in + k]);
            }
            if (relu && ref < 0)
                ref = 0;
            double err = fabs(hy[r * out + o] - ref);
            cr_expect_leq(err, tolerance(dt) * mag + 1e-300,
                          "%s: y[%lld, %lld] = %.17g, ref %.17g",
                          gi_dtype_name(dt), (long long)r, (long long)o,
                          hy[r * out + o], ref);
        }
    free(hx);
    free(hw);
    free(hb);
    free(hy);
}

static gi_tensor random_input(gi_context ctx, gi_dtype dt, int ndim,
                              const int64_t *shape)
{
    gi_tensor x = NULL;
    cr_assert_eq(gi_tensor_create(&x, ctx, dt, ndim, shape), GI_OK);
    cr_assert_eq(gi_normal_(x, 0.0, 1.0, NULL), GI_OK, "%s", gi_last_error());
    return x;
}

static gi_module lazy(gi_context ctx, int64_t out, gi_dtype dt)
{
    gi_module m = NULL;
    cr_assert_eq(gi_lazy_linear_create(&m, ctx, out, 1, dt), GI_OK, "%s",
                 gi_last_error());
    return m;
}

static gi_module linear(gi_context ctx, int64_t in, int64_t out, int bias,
                        gi_dtype dt)
{
    gi_module m = NULL;
    cr_assert_eq(gi_linear_create(&m, ctx, in, out, bias, dt), GI_OK, "%s",
                 gi_last_error());
    return m;
}

static gi_module seq(gi_context ctx, int n, gi_module *kids)
{
    gi_module net = NULL;
    cr_assert_eq(gi_sequential_create(&net, ctx, n, kids), GI_OK, "%s",
                 gi_last_error());
    return net;
}

/* The chapter's net, LazyLinear(8), ReLU, LazyLinear(1), on a (2, 4)
 * input, in each dtype: each step against float64, and the net equal to
 * its steps run one by one (its fused Linear + ReLU included). */
Test(forward_dtypes, the_chapters_net_in_every_dtype)
{
    gi_context ctx = auto_context();
    for (size_t d = 0; d < 4; ++d) {
        gi_dtype dt = all_dtypes[d];
        gi_module l0 = lazy(ctx, 8, dt), r = new_relu(ctx);
        gi_module l2 = lazy(ctx, 1, dt);
        gi_module net = seq(ctx, 3, (gi_module[]){l0, r, l2});
        const int64_t shape[] = {2, 4};
        gi_tensor x = random_input(ctx, dt, 2, shape), y = NULL;
        cr_assert_eq(gi_module_forward(net, x, &y), GI_OK, "%s: %s",
                     gi_dtype_name(dt), gi_last_error());
        cr_expect_eq(gi_tensor_ndim(y), 2);
        cr_expect_eq(gi_tensor_size(y, 0), 2);
        cr_expect_eq(gi_tensor_size(y, 1), 1);
        cr_expect_eq(gi_tensor_dtype(y), dt);
        cr_expect_eq(gi_tensor_dtype(gi_module_weight(l0)), dt);
        cr_expect_eq(gi_tensor_dtype(gi_module_bias(l2)), dt);
        gi_tensor h1 = NULL, h2 = NULL, y2 = NULL;
        cr_assert_eq(gi_module_forward(l0, x, &h1), GI_OK);
        cr_assert_eq(gi_module_forward(r, h1, &h2), GI_OK);
        cr_assert_eq(gi_module_forward(l2, h2, &y2), GI_OK);
        check_linear(x, l0, h1, 0);
        check_linear(h2, l2, y, 0);
        expect_same_bits(y, y2, gi_dtype_name(dt));
        gi_tensor_destroy(x);
        gi_tensor_destroy(y);
        gi_tensor_destroy(h1);
        gi_tensor_destroy(h2);
        gi_tensor_destroy(y2);
        gi_module_destroy(net);
    }
    gi_context_destroy(ctx);
}

/* Shapes of every kind of tile: one, several along out and rows, ragged
 * edges, no bias, a 1-D and a 3-D input, in_features 0. */
Test(forward_dtypes, linear_matches_float64_for_many_shapes)
{
    gi_context ctx = auto_context();
    const struct {
        int ndim;
        int64_t shape[3], out;
        int bias;
    } cases[] = {
        {2, {2, 4}, 8, 1},       {2, {130, 300}, 600, 1}, {3, {3, 5, 7}, 6, 1},
        {1, {9}, 4, 1},          {2, {17, 33}, 5, 0},     {2, {1, 1}, 1, 1},
        {2, {300, 40}, 1100, 0}, {2, {3, 0}, 2, 1},
    };
    for (size_t d = 0; d < 4; ++d)
        for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c) {
            gi_dtype dt = all_dtypes[d];
            int64_t in = cases[c].shape[cases[c].ndim - 1];
            gi_module m = linear(ctx, in, cases[c].out, cases[c].bias, dt);
            gi_tensor x = random_input(ctx, dt, cases[c].ndim, cases[c].shape);
            gi_tensor y = NULL;
            cr_assert_eq(gi_module_forward(m, x, &y), GI_OK, "%s",
                         gi_last_error());
            cr_expect_eq(gi_tensor_size(y, -1), cases[c].out);
            if (in > 0)
                check_linear(x, m, y, 0);
            gi_tensor_destroy(x);
            gi_tensor_destroy(y);
            gi_module_destroy(m);
        }
    gi_context_destroy(ctx);
}

/* Linear(256 -> 1100), ReLU, Linear(1100 -> 3) on 300 rows in dt with
 * n threads: 8 tiles of 150 x 275 in the first, ragged against any
 * vector width. */
static gi_tensor forward_with_threads(gi_dtype dt, int threads)
{
    gi_context ctx = cpu_context();
    cr_assert_eq(gi_context_set_num_threads(ctx, threads), GI_OK);
    cr_assert_eq(gi_manual_seed(ctx, 7), GI_OK);
    gi_module net = seq(ctx, 3, (gi_module[]){linear(ctx, 256, 1100, 1, dt),
                                              new_relu(ctx),
                                              linear(ctx, 1100, 3, 1, dt)});
    const int64_t shape[] = {300, 256};
    gi_tensor x = random_input(ctx, dt, 2, shape), y = NULL;
    cr_assert_eq(gi_module_forward(net, x, &y), GI_OK, "%s", gi_last_error());
    gi_tensor_destroy(x);
    gi_module_destroy(net);
    gi_context_destroy(ctx); /* y keeps it alive */
    return y;
}

Test(forward_dtypes, cpu_output_is_the_same_for_every_thread_count)
{
    const gi_dtype dts[] = {GI_F64, GI_F16, GI_BF16};
    for (size_t d = 0; d < 3; ++d) {
        gi_tensor one = forward_with_threads(dts[d], 1);
        const int counts[] = {2, 3, 8};
        for (size_t c = 0; c < 3; ++c) {
            gi_tensor more = forward_with_threads(dts[d], counts[c]);
            expect_same_bits(one, more, gi_dtype_name(dts[d]));
            gi_tensor_destroy(more);
        }
        gi_tensor_destroy(one);
    }
}

/* A copy of m (a Linear, with bias) in dtype dt, its parameters
 * converted by copy_. */
static gi_module converted(gi_module m, gi_dtype dt)
{
    gi_context ctx = gi_module_context(m);
    gi_module c = linear(ctx, gi_linear_in_features(m),
                         gi_linear_out_features(m), 1, dt);
    cr_assert_eq(gi_tensor_copy_(gi_module_weight(c), gi_module_weight(m)),
                 GI_OK);
    cr_assert_eq(gi_tensor_copy_(gi_module_bias(c), gi_module_bias(m)),
                 GI_OK);
    return c;
}

/* PyTorch's 16-bit Linear on the CPU: float32 products and sums of the
 * widened operands, the bias added in float32, one rounding. ginit's CPU
 * gives exactly the float32 forward of the widened parameters and
 * input, rounded once, bit for bit, fused ReLU included. */
Test(forward_dtypes, sixteen_bit_is_the_float32_forward_rounded_once)
{
    gi_context ctx = cpu_context();
    const int64_t shapes[][3] = {{11, 37, 23}, {300, 256, 1100}, {5, 1, 3}};
    for (size_t d = 2; d < 4; ++d)
        for (size_t s = 0; s < 3; ++s) {
            gi_dtype dt = all_dtypes[d];
            gi_module l16 = linear(ctx, shapes[s][1], shapes[s][2], 1, dt);
            gi_module l32 = converted(l16, GI_F32);
            gi_module n16 = seq(ctx, 2, (gi_module[]){l16, new_relu(ctx)});
            gi_module n32 = seq(ctx, 2, (gi_module[]){l32, new_relu(ctx)});
            const int64_t shape[] = {shapes[s][0], shapes[s][1]};
            gi_tensor x16 = random_input(ctx, dt, 2, shape), x32 = NULL;
            cr_assert_eq(gi_tensor_to(&x32, x16, GI_F32), GI_OK);
            gi_tensor y16 = NULL, y32 = NULL, want = NULL;
            cr_assert_eq(gi_module_forward(n16, x16, &y16), GI_OK, "%s",
                         gi_last_error());
            cr_assert_eq(gi_module_forward(n32, x32, &y32), GI_OK);
            cr_assert_eq(gi_tensor_to(&want, y32, dt), GI_OK);
            expect_same_bits(y16, want, gi_dtype_name(dt));
            gi_tensor_destroy(x16);
            gi_tensor_destroy(x32);
            gi_tensor_destroy(y16);
            gi_tensor_destroy(y32);
            gi_tensor_destroy(want);
            gi_module_destroy(n16);
            gi_module_destroy(n32);
        }
    gi_context_destroy(ctx);
}

static uint64_t offset_of(gi_context ctx)
{
    return gi_generator_offset(gi_context_generator(ctx));
}

/* An input of another dtype than a Linear's is refused where that Linear
 * sits, as PyTorch refuses "mat1 and mat2 must have the same dtype":
 * before a LazyLinear creates anything, and with what the layers before
 * created rolled back and the generator rewound. */
Test(forward_dtypes, a_dtype_mismatch_is_refused_and_changes_nothing)
{
    gi_context ctx = auto_context();
    gi_module l0 = lazy(ctx, 8, GI_F64);
    gi_module net = seq(ctx, 3, (gi_module[]){l0, new_relu(ctx),
                                              lazy(ctx, 1, GI_F64)});
    const int64_t shape[] = {2, 4};
    gi_tensor x = random_input(ctx, GI_F32, 2, shape), y = NULL;
    uint64_t offset = offset_of(ctx);
    cr_expect_eq(gi_module_forward(net, x, &y), GI_ERR_INVALID_ARGUMENT);
    cr_expect_str_eq(gi_last_error(),
                     "gi_module_forward: LazyLinear at '0' is float64 but "
                     "its input is float32: parameters and input must have "
                     "the same dtype; convert the input with gi_tensor_to, "
                     "or create the module in float32");
    cr_expect_eq(gi_module_kind_of(l0), GI_MODULE_LAZY_LINEAR);
    cr_expect_null(gi_module_weight(l0));
    cr_expect_eq(offset_of(ctx), offset);
    cr_expect_null(y);
    gi_module_destroy(net);
    gi_tensor_destroy(x);

    /* The first layer runs, the third refuses: the first is lazy again. */
    l0 = lazy(ctx, 8, GI_F16);
    gi_module l2 = linear(ctx, 8, 1, 1, GI_F32);
    net = seq(ctx, 3, (gi_module[]){l0, new_relu(ctx), l2});
    x = random_input(ctx, GI_F16, 2, shape);
    gi_tensor w = NULL;
    cr_assert_eq(gi_tensor_clone(&w, gi_module_weight(l2)), GI_OK);
    offset = offset_of(ctx);
    cr_expect_eq(gi_module_forward(net, x, &y), GI_ERR_INVALID_ARGUMENT);
    cr_expect(strstr(gi_last_error(), "Linear at '2' is float32 but its "
                     "input is float16") != NULL, "%s", gi_last_error());
    cr_expect_eq(gi_module_kind_of(l0), GI_MODULE_LAZY_LINEAR);
    cr_expect_null(gi_module_weight(l0));
    cr_expect_eq(offset_of(ctx), offset);
    expect_same_bits(gi_module_weight(l2), w, "the Linear's weight");
    cr_expect_null(y);
    gi_tensor_destroy(w);
    gi_tensor_destroy(x);
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}

/* ReLU and Sequential take every dtype; ReLU is exact on 16-bit values
 * (-0 and NaN kept, as torch.relu keeps them). */
Test(forward_dtypes, relu_is_exact_in_every_dtype)
{
    gi_context ctx = auto_context();
    const double v[] = {-1.5, -0.0, 0.0, 2.25, NAN, 65504.0, -INFINITY, 1e-7};
    gi_tensor x32 = new_vector(ctx, 8);
    float f[8];
    for (int i = 0; i < 8; ++i)
        f[i] = (float)v[i];
    cr_assert_eq(gi_tensor_copy_from_host(x32, f, sizeof f), GI_OK);
    gi_module r = new_relu(ctx), net = seq(ctx, 1, (gi_module[]){r});
    for (size_t d = 0; d < 4; ++d) {
        gi_tensor x = NULL, y = NULL, want = NULL, y32 = NULL;
        cr_assert_eq(gi_tensor_to(&x, x32, all_dtypes[d]), GI_OK);
        cr_assert_eq(gi_module_forward(net, x, &y), GI_OK, "%s",
                     gi_last_error());
        /* relu of the dtype's values is their float32 relu converted */
        cr_assert_eq(gi_tensor_to(&y32, x, GI_F32), GI_OK);
        cr_assert_eq(gi_module_forward(r, y32, &want), GI_OK);
        gi_tensor_destroy(y32);
        cr_assert_eq(gi_tensor_to(&y32, want, all_dtypes[d]), GI_OK);
        expect_same_bits(y, y32, gi_dtype_name(all_dtypes[d]));
        double *h = to_host_f64(y);
        cr_expect(h[1] == 0.0 && signbit(h[1]), "relu(-0) is -0");
        cr_expect(isnan(h[4]) && h[0] == 0.0 && h[3] == 2.25);
        free(h);
        gi_tensor_destroy(x);
        gi_tensor_destroy(y);
        gi_tensor_destroy(want);
        gi_tensor_destroy(y32);
    }
    gi_tensor_destroy(x32);
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}

/* v in dt (GI_F16 or GI_BF16), rounded to nearest even. */
static float round16(gi_dtype dt, float v)
{
    return dt == GI_F16 ? gi_f16_to_f32(gi_f32_to_f16(v))
                        : gi_bf16_to_f32(gi_f32_to_bf16(v));
}

/* The value of dt next to v (a value of dt) towards zero. */
static float toward_zero16(gi_dtype dt, float v)
{
    return dt == GI_F16 ? gi_f16_to_f32((uint16_t)(gi_f32_to_f16(v) - 1))
                        : gi_bf16_to_f32((uint16_t)(gi_f32_to_bf16(v) - 1));
}

/* a 16-bit tensor t equals the float32 tensor f rounded, within [-b, b)
 * as uniform_ keeps its values in every dtype (docs/rng.md): clamped to
 * dt's values in [(float)-b, (float)b). */
static void expect_rounded_in_bounds(gi_tensor t, gi_tensor f, double b)
{
    gi_dtype dt = gi_tensor_dtype(t);
    float fb = (float)b, hi = round16(dt, fb), lo = round16(dt, -fb);
    hi = hi >= fb ? toward_zero16(dt, hi) : hi;
    lo = lo < -fb ? toward_zero16(dt, lo) : lo;
    double *ht = to_host_f64(t), *hf = to_host_f64(f);
    for (int64_t i = 0; i < gi_tensor_numel(t); ++i) {
        float want = round16(dt, (float)hf[i]);
        want = want > hi ? hi : want < lo ? lo : want;
        cr_expect_eq(ht[i], (double)want, "%s element %lld: %.9g, want %.9g",
                     gi_dtype_name(dt), (long long)i, ht[i], (double)want);
    }
    free(ht);
    free(hf);
}

/* Linear's default init is the same law in every dtype: a 16-bit
 * Linear's parameters are the float32 Linear's rounded (kept in bounds),
 * a float64 Linear's are uniform_ of float64 tensors with PyTorch's
 * bounds in double, from the same generator state. */
Test(forward_dtypes, a_linears_parameters_are_the_same_law_in_its_dtype)
{
    gi_context ctx = auto_context();
    const int64_t in = 300, out = 70, wshape[] = {out, in};
    cr_assert_eq(gi_manual_seed(ctx, 11), GI_OK);
    gi_module l32 = linear(ctx, in, out, 1, GI_F32);
    const uint64_t drawn = offset_of(ctx);
    for (size_t d = 2; d < 4; ++d) {
        cr_assert_eq(gi_manual_seed(ctx, 11), GI_OK);
        gi_module l16 = linear(ctx, in, out, 1, all_dtypes[d]);
        cr_expect_eq(offset_of(ctx), drawn, "the same draws");
        expect_rounded_in_bounds(gi_module_weight(l16), gi_module_weight(l32),
                                 1.0 / sqrt((double)in));
        expect_rounded_in_bounds(gi_module_bias(l16), gi_module_bias(l32),
                                 1.0 / sqrt((double)in));
        gi_module_destroy(l16);
    }
    cr_assert_eq(gi_manual_seed(ctx, 11), GI_OK);
    gi_module l64 = linear(ctx, in, out, 1, GI_F64);
    gi_tensor w = NULL, b = NULL;
    cr_assert_eq(gi_tensor_create(&w, ctx, GI_F64, 2, wshape), GI_OK);
    cr_assert_eq(gi_tensor_create(&b, ctx, GI_F64, 1, &out), GI_OK);
    cr_assert_eq(gi_manual_seed(ctx, 11), GI_OK);
    /* torch: gain = calculate_gain("leaky_relu", sqrt(5)),
     * bound = sqrt(3) * gain / sqrt(fan_in), in double: for float64 not
     * rounded to float (as gi_kaiming_uniform_ rounds it today) */
    const double a = sqrt(5.0), gain = sqrt(2.0 / (1.0 + a * a));
    const double w_bound = sqrt(3.0) * (gain / sqrt((double)in));
    cr_expect_eq(w_bound, 0.05773502691896256);
    cr_assert_eq(gi_uniform_(w, -w_bound, w_bound, NULL), GI_OK);
    const double bound = 1.0 / sqrt((double)in);
    cr_assert_eq(gi_uniform_(b, -bound, bound, NULL), GI_OK);
    expect_same_bits(gi_module_weight(l64), w, "float64 weight");
    expect_same_bits(gi_module_bias(l64), b, "float64 bias");
    gi_tensor_destroy(w);
    gi_tensor_destroy(b);
    gi_module_destroy(l64);
    gi_module_destroy(l32);
    gi_context_destroy(ctx);
}

Test(forward_dtypes, an_unknown_dtype_is_refused)
{
    gi_context ctx = auto_context();
    gi_module m = NULL;
    cr_expect_eq(gi_linear_create(&m, ctx, 3, 2, 1, (gi_dtype)4),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_str_eq(gi_last_error(), "gi_linear_create: argument 'dtype' = "
                     "4 is not a gi_dtype");
    cr_expect_eq(gi_lazy_linear_create(&m, ctx, 2, 1, (gi_dtype)-1),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_str_eq(gi_last_error(), "gi_lazy_linear_create: argument "
                     "'dtype' = -1 is not a gi_dtype");
    cr_expect_null(m);
    gi_context_destroy(ctx);
}
