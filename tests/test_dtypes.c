/* float16, bfloat16 and float64 through the public API: a 16-bit fill is
 * the float32 fill rounded once (clamped into a law's bounds), with the
 * generator advanced alike; conversions round to nearest even; operations
 * compute in float and round; float64 fills have double resolution. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "shared/convert.h"
#include "ginit.h"
#include "test_helpers.h"

#define N 4099 /* not a multiple of any item or block */

static gi_tensor make(gi_context ctx, gi_dtype dt, int64_t rows, int64_t cols)
{
    gi_tensor t = NULL;
    const int64_t shape[2] = {rows, cols};
    cr_assert_eq(gi_tensor_create(&t, ctx, dt, 2, shape), GI_OK, "%s",
                 gi_last_error());
    return t;
}

static uint16_t *halves(gi_tensor t)
{
    size_t n = (size_t)gi_tensor_numel(t);
    uint16_t *h = malloc(n * 2 + 1);
    cr_assert_eq(gi_tensor_copy_to_host(t, h, n * 2), GI_OK);
    return h;
}

typedef gi_status (*fill_fn)(gi_tensor t, gi_generator g);

static gi_status f_uniform(gi_tensor t, gi_generator g)
{
    return gi_uniform_(t, -0.75, 1.0, g);
}
static gi_status f_normal(gi_tensor t, gi_generator g)
{
    return gi_normal_(t, 0.5, 2.0, g);
}
static gi_status f_trunc(gi_tensor t, gi_generator g)
{
    return gi_trunc_normal_(t, 0.0, 1.0, -2.0, 2.0, g);
}
static gi_status f_xavier(gi_tensor t, gi_generator g)
{
    return gi_xavier_normal_(t, 1.0, g);
}
static gi_status f_mixture(gi_tensor t, gi_generator g)
{
    const gi_component c[] = {{0.25, GI_COMPONENT_UNIFORM, 5, 10},
                              {0.5, GI_COMPONENT_CONSTANT, 0, 0},
                              {0.25, GI_COMPONENT_NORMAL, -7, 0.5}};
    return gi_mixture_(t, 3, c, g);
}
static gi_status f_sparse(gi_tensor t, gi_generator g)
{
    return gi_sparse_(t, 0.3, 0.02, g);
}
static gi_status f_eye(gi_tensor t, gi_generator g)
{
    (void)g;
    return gi_eye_(t);
}

/* The largest value of the 16-bit dtype below b, as the uniform keeps. */
static float below(gi_dtype dt, float b)
{
    uint16_t h = dt == GI_F16 ? gi_f32_to_f16(b) : gi_f32_to_bf16(b);
    float r = dt == GI_F16 ? gi_f16_to_f32(h) : gi_bf16_to_f32(h);
    if (r >= b)
        --h; /* b > 0 here */
    return dt == GI_F16 ? gi_f16_to_f32(h) : gi_bf16_to_f32(h);
}

static void expect_rounded_fill(gi_dtype dt, fill_fn fill, float hi,
                                const char *name)
{
    gi_context ctx = any_context();
    gi_generator g32, g16;
    cr_assert_eq(gi_generator_create(&g32, 7), GI_OK);
    cr_assert_eq(gi_generator_create(&g16, 7), GI_OK);
    gi_tensor t32 = make(ctx, GI_F32, 37, N / 37 + 1);
    gi_tensor t16 = make(ctx, dt, 37, N / 37 + 1);
    cr_assert_eq(fill(t32, g32), GI_OK, "%s: %s", name, gi_last_error());
    cr_assert_eq(fill(t16, g16), GI_OK, "%s: %s", name, gi_last_error());
    cr_expect_eq(gi_generator_offset(g16), gi_generator_offset(g32),
                 "%s: the generator advances alike", name);
    float *f = malloc((size_t)gi_tensor_numel(t32) * sizeof *f);
    cr_assert_eq(gi_tensor_copy_to_host(t32, f, (size_t)gi_tensor_numel(t32) *
                                                    sizeof *f), GI_OK);
    uint16_t *h = halves(t16);
    int64_t bad = 0;
    for (int64_t i = 0; i < gi_tensor_numel(t16); ++i) {
        float v = f[i] < hi ? f[i] : hi;
        uint16_t want = dt == GI_F16 ? gi_f32_to_f16(v) : gi_f32_to_bf16(v);
        bad += h[i] != want;
    }
    cr_expect_eq(bad, 0, "%s in %s: %lld elements differ from the float32 "
                 "fill rounded", name, gi_dtype_name(dt), (long long)bad);
    free(f);
    free(h);
    gi_tensor_destroy(t32);
    gi_tensor_destroy(t16);
    gi_generator_destroy(g32);
    gi_generator_destroy(g16);
    gi_context_destroy(ctx);
}

Test(dtypes, a_16bit_fill_is_the_float32_fill_rounded)
{
    const gi_dtype dts[] = {GI_F16, GI_BF16};
    for (int d = 0; d < 2; ++d) {
        gi_dtype dt = dts[d];
        expect_rounded_fill(dt, f_uniform, below(dt, 1.0f), "uniform_");
        expect_rounded_fill(dt, f_normal, INFINITY, "normal_");
        expect_rounded_fill(dt, f_trunc, 2.0f, "trunc_normal_");
        expect_rounded_fill(dt, f_xavier, INFINITY, "xavier_normal_");
        expect_rounded_fill(dt, f_mixture, below(dt, 10.0f), "mixture_");
        expect_rounded_fill(dt, f_sparse, INFINITY, "sparse_");
        expect_rounded_fill(dt, f_eye, INFINITY, "eye_");
    }
}

/* kaiming_uniform_'s bound is not a 16-bit value: the values the float32
 * fill gives above the largest one below it are held there. */
Test(dtypes, uniform_never_reaches_b_after_rounding)
{
    gi_context ctx = any_context();
    gi_tensor t = make(ctx, GI_BF16, 64, 1000);
    cr_assert_eq(gi_uniform_(t, 0.0, 1.0, NULL), GI_OK);
    uint16_t *h = halves(t);
    int64_t at_top = 0;
    for (int64_t i = 0; i < 64000; ++i) {
        cr_assert_lt(gi_bf16_to_f32(h[i]), 1.0f, "element %lld", (long long)i);
        at_top += h[i] == gi_f32_to_bf16(below(GI_BF16, 1.0f));
    }
    /* rounding alone would send every value in [1 - 2^-9, 1) to 1 */
    cr_expect_gt(at_top, 64000 / 512 / 2);
    free(h);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

/* A mixture's uniform component on [0.1, 0.2), where 0.1 is no 16-bit
 * value: nothing rounds below a, the values at the 16-bit value just
 * above it hold what would have, and nothing reaches b. */
Test(dtypes, a_mixture_component_stays_inside_its_bounds)
{
    const gi_component c[] = {{0.5, GI_COMPONENT_UNIFORM, 0.1, 0.2},
                              {0.5, GI_COMPONENT_CONSTANT, 7, 0}};
    const gi_dtype dts[] = {GI_F16, GI_BF16};
    gi_context ctx = any_context();
    for (int d = 0; d < 2; ++d) {
        gi_tensor t = make(ctx, dts[d], 100, 1000);
        cr_assert_eq(gi_mixture_(t, 2, c, NULL), GI_OK, "%s",
                     gi_last_error());
        uint16_t *h = halves(t);
        int64_t uniform = 0;
        for (int64_t i = 0; i < 100000; ++i) {
            float v = dts[d] == GI_F16 ? gi_f16_to_f32(h[i])
                                       : gi_bf16_to_f32(h[i]);
            if (v == 7.0f)
                continue;
            ++uniform;
            cr_assert(v >= 0.1f && v < 0.2f, "%s element %lld: %.9g",
                      gi_dtype_name(dts[d]), (long long)i, (double)v);
        }
        cr_expect_gt(uniform, 45000);
        free(h);
        gi_tensor_destroy(t);
    }
    gi_context_destroy(ctx);
}

/* PyTorch's bfloat16 trunc_normal_ leaves values stuck at the bounds and
 * a wrong std; here the values stay inside and keep the law's moments. */
Test(dtypes, bfloat16_trunc_normal_keeps_its_law)
{
    gi_context ctx = any_context();
    gi_tensor t = make(ctx, GI_BF16, 1000, 1000);
    cr_assert_eq(gi_trunc_normal_(t, 0.0, 1.0, -2.0, 2.0, NULL), GI_OK);
    uint16_t *h = halves(t);
    double sum = 0, sq = 0;
    int64_t at_bounds = 0;
    for (int64_t i = 0; i < 1000000; ++i) {
        double v = gi_bf16_to_f32(h[i]);
        cr_assert(v >= -2.0 && v <= 2.0);
        at_bounds += fabs(v) == 2.0;
        sum += v;
        sq += v * v;
    }
    double mean = sum / 1e6, std = sqrt(sq / 1e6 - mean * mean);
    cr_expect_lt(fabs(mean), 0.005);
    cr_expect_lt(fabs(std - 0.8796256610342398), 0.005, "std %g", std);
    /* the density at 2 times half a bfloat16 step there (2^-7) */
    cr_expect_lt(at_bounds, 1000, "%lld values at the bounds",
                 (long long)at_bounds);
    free(h);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(dtypes, no_representable_value_is_refused)
{
    gi_context ctx = any_context();
    gi_tensor t = make(ctx, GI_F16, 2, 2);
    cr_expect_eq(gi_uniform_(t, 0.10001, 0.10002, NULL),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect(strstr(gi_last_error(), "no float16 value") != NULL, "%s",
              gi_last_error());
    cr_expect_eq(gi_uniform_(t, 0.0, 70000.0, NULL), GI_ERR_INVALID_ARGUMENT,
                 "b is beyond float16's range");
    cr_expect_eq(gi_normal_(t, 0.0, 10000.0, NULL), GI_ERR_INVALID_ARGUMENT,
                 "values would pass 65504");
    cr_expect_eq(gi_fill_(t, 1e6), GI_ERR_INVALID_ARGUMENT,
                 "PyTorch: value cannot be converted without overflow");
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(dtypes, conversions_round_to_nearest_even)
{
    gi_context ctx = any_context();
    const float in[] = {1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-11f, 65519.0f,
                        65520.0f, -0.0f, NAN, 0x1p-25f, 0x1.8p-25f};
    const uint16_t want[] = {0x3c00, 0x3c02, 0x7bff, 0x7c00, 0x8000, 0x7e00,
                             0x0000, 0x0001};
    const int64_t n = 8;
    gi_tensor f = NULL, h = NULL, back = NULL;
    cr_assert_eq(gi_tensor_create(&f, ctx, GI_F32, 1, &n), GI_OK);
    cr_assert_eq(gi_tensor_copy_from_host(f, in, sizeof in), GI_OK);
    cr_assert_eq(gi_tensor_to(&h, f, GI_F16), GI_OK);
    uint16_t got[8];
    cr_assert_eq(gi_tensor_copy_to_host(h, got, sizeof got), GI_OK);
    for (int i = 0; i < 8; ++i)
        cr_expect_eq(got[i], want[i], "%a: %04x, want %04x", (double)in[i],
                     got[i], want[i]);
    cr_assert_eq(gi_tensor_to(&back, h, GI_F64), GI_OK);
    double d = 0;
    cr_assert_eq(gi_tensor_get(back, 1, (const int64_t[]){2}, &d), GI_OK);
    cr_expect_eq(d, 65504.0);
    cr_assert_eq(gi_tensor_set(h, 1, (const int64_t[]){0}, 0.1), GI_OK);
    cr_assert_eq(gi_tensor_get(h, 1, (const int64_t[]){0}, &d), GI_OK);
    cr_expect_eq(d, 0.0999755859375, "0.1 as float16");
    gi_tensor_destroy(f);
    gi_tensor_destroy(h);
    gi_tensor_destroy(back);
    gi_context_destroy(ctx);
}

/* x + 1 with x = 2048 in float16: 2049 is a tie, kept at 2048 (even). */
Test(dtypes, operations_compute_in_float_and_round_once)
{
    gi_context ctx = any_context();
    gi_tensor t = make(ctx, GI_F16, 1, 3);
    cr_assert_eq(gi_fill_(t, 2048.0), GI_OK);
    cr_assert_eq(gi_add_scalar_(t, 1.0), GI_OK);
    double v = 0;
    cr_assert_eq(gi_tensor_get(t, 2, (const int64_t[]){0, 1}, &v), GI_OK);
    cr_expect_eq(v, 2048.0);
    cr_assert_eq(gi_add_scalar_(t, 3.0), GI_OK);
    cr_assert_eq(gi_tensor_get(t, 2, (const int64_t[]){0, 2}, &v), GI_OK);
    cr_expect_eq(v, 2052.0);
    cr_assert_eq(gi_mul_mask_(t, GI_ABS_GE, 3000.0), GI_OK);
    cr_assert_eq(gi_tensor_get(t, 2, (const int64_t[]){0, 0}, &v), GI_OK);
    cr_expect_eq(v, 0.0);
    /* a float64 other: 0 + 2048.5 in double, rounded to float16 */
    gi_tensor d = make(ctx, GI_F64, 1, 3);
    cr_assert_eq(gi_fill_(d, 2048.5), GI_OK);
    cr_expect_eq(gi_add_(t, d, 1.0), GI_OK, "%s", gi_last_error());
    cr_assert_eq(gi_tensor_get(t, 2, (const int64_t[]){0, 0}, &v), GI_OK);
    cr_expect_eq(v, 2048.0);
    gi_tensor_destroy(d);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(dtypes, float64_fills_have_double_resolution)
{
    gi_context ctx = any_context();
    gi_tensor t = make(ctx, GI_F64, 100, 100);
    cr_assert_eq(gi_uniform_(t, 0.0, 1.0, NULL), GI_OK);
    cr_expect_eq(gi_generator_offset(gi_context_generator(ctx)), 5000,
                 "two elements a block");
    double *h = malloc(10000 * sizeof *h);
    cr_assert_eq(gi_tensor_copy_to_host(t, h, 10000 * sizeof *h), GI_OK);
    int64_t fine = 0;
    for (int i = 0; i < 10000; ++i) {
        cr_assert(h[i] >= 0.0 && h[i] < 1.0);
        fine += h[i] != (double)(float)h[i];
    }
    cr_expect_gt(fine, 9900, "values below float's resolution");
    cr_assert_eq(gi_normal_(t, 0.0, 1e200, NULL), GI_OK,
                 "a std far beyond float: %s", gi_last_error());
    free(h);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(dtypes, printing_names_the_dtype)
{
    gi_context ctx = any_context();
    gi_tensor t = make(ctx, GI_BF16, 1, 2);
    cr_assert_eq(gi_fill_(t, 1.5), GI_OK);
    char buf[128];
    cr_assert_eq(gi_tensor_format(t, buf, sizeof buf, NULL), GI_OK);
    const char *device = gi_context_device(ctx) == GI_DEVICE_CUDA
                             ? ", device='cuda:0'" : "";
    char want[128];
    snprintf(want, sizeof want,
             "tensor([[1.5000, 1.5000]]%s, dtype=torch.bfloat16)", device);
    cr_expect_str_eq(buf, want);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}
