/*
 * No initializer writes a value beyond float's range unless asked for it
 * (constant_ of an infinity): arguments whose values can overflow are
 * refused, and the bound is exact. Random draws seldom reach a law's
 * extremes, so each fill is made at the one Philox block whose lanes give
 * them (lane 0: the smallest uniform and the largest Box-Muller radius;
 * lane 2^32 - 1: the largest uniform; 0 and 2^31 as angles: cos = +1 and
 * -1), found by running Philox backwards from those lanes.
 */
#include <float.h>
#include <math.h>

#include "shared/laws.h"
#include "test_helpers.h"

static const uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;

/* The inverse of an odd number modulo 2^32 (Newton's iteration). */
static uint32_t inverse_mod_2_32(uint32_t m)
{
    uint32_t x = m; /* right to 3 bits; each step doubles them */
    for (int i = 0; i < 5; ++i)
        x *= 2u - m * x;
    return x;
}

/* The counter whose Philox block under `seed` is out: each round maps
 * (c0, c1, c2, c3) to (hi(M1 c2) ^ c1 ^ k0, lo(M1 c2), hi(M0 c0) ^ c3 ^ k1,
 * lo(M0 c0)), undone from the last round to the first. */
static void philox_counter_of(const uint32_t out[4], uint64_t seed,
                              uint32_t ctr[4])
{
    const uint32_t i0 = inverse_mod_2_32(M0), i1 = inverse_mod_2_32(M1);
    uint32_t x0 = out[0], x1 = out[1], x2 = out[2], x3 = out[3];
    for (int round = 9; round >= 0; --round) {
        uint32_t k0 = (uint32_t)seed + (uint32_t)round * 0x9E3779B9u;
        uint32_t k1 = (uint32_t)(seed >> 32) + (uint32_t)round * 0xBB67AE85u;
        uint32_t c2 = x1 * i1, c0 = x3 * i0;
        uint32_t c1 = x0 ^ (uint32_t)(((uint64_t)M1 * c2) >> 32) ^ k0;
        uint32_t c3 = x2 ^ (uint32_t)(((uint64_t)M0 * c0) >> 32) ^ k1;
        x0 = c0;
        x1 = c1;
        x2 = c2;
        x3 = c3;
    }
    ctr[0] = x0;
    ctr[1] = x1;
    ctr[2] = x2;
    ctr[3] = x3;
}

/* A generator positioned so that its next block is `lanes`; at() puts it
 * back there before each fill. */
typedef struct positioned {
    gi_generator gen;
    uint64_t offset;
} positioned;

static positioned generator_at(const uint32_t lanes[4])
{
    const uint64_t seed = 0x5eed;
    uint32_t ctr[4], back[4];
    philox_counter_of(lanes, seed, ctr);
    gi_philox4x32_10(ctr, (uint32_t)seed, (uint32_t)(seed >> 32), back);
    cr_assert(memcmp(back, lanes, sizeof back) == 0, "Philox inverted");
    positioned p = {NULL, ctr[0] | (uint64_t)ctr[1] << 32};
    cr_assert_eq(gi_generator_create(&p.gen, seed), GI_OK);
    cr_assert_eq(gi_generator_set_stream(p.gen,
                                         ctr[2] | (uint64_t)ctr[3] << 32),
                 GI_OK);
    return p;
}

static gi_generator at(const positioned *p)
{
    cr_assert_eq(gi_generator_set_offset(p->gen, p->offset), GI_OK);
    return p->gen;
}

/* Lanes giving each law's extremes in one block. */
static const uint32_t UNIFORM_ENDS[4] = {0u, ~0u, 0u, ~0u};
static const uint32_t NORMAL_ENDS[4] = {0u, 0u, 0u, 0x80000000u};
/* A mixture element takes (choice, value): value lanes 0 and 2^32 - 1. */
static const uint32_t MIXTURE_ENDS[4] = {0u, 0u, 0u, ~0u};

/* Arguments around every bound: zero, tiny, ordinary, just below and above
 * the normal law's (5.031e37 std) and the span's (FLT_MAX / 2), the
 * largest float and infinity, each with both signs, and NaN. */
#define NVALUES 27
static float values[NVALUES];

static void make_values(void)
{
    const float base[] = {0.0f, 1e-45f, 1.0f, 1e19f, 1e25f, 1e37f,
                          5.0310045e37f, 5.0310049e37f, 1.7e38f,
                          FLT_MAX / 2, nextafterf(FLT_MAX / 2, INFINITY),
                          FLT_MAX, INFINITY};
    for (int i = 0; i < 13; ++i) {
        values[2 * i] = base[i];
        values[2 * i + 1] = -base[i];
    }
    values[26] = NAN;
}

typedef struct tally {
    int accepted, refused;
} tally;

/* The call's status; when it succeeded, every element must be finite. */
static void expect_finite(gi_status st, gi_tensor t, tally *n,
                          const char *what, float p, float q)
{
    if (st != GI_OK) {
        cr_expect_neq(st, GI_ERR_INTERNAL, "%s(%g, %g): %s", what, (double)p,
                      (double)q, gi_last_error());
        ++n->refused;
        return;
    }
    ++n->accepted;
    float *h = to_host(t);
    for (int64_t i = 0; i < gi_tensor_numel(t); ++i)
        cr_expect(isfinite(h[i]), "%s(%a, %a) wrote %g at element %lld",
                  what, (double)p, (double)q, (double)h[i], (long long)i);
    free(h);
}

/* The fills of every initializer taking two float arguments p and q. */
static void fill_pair(gi_tensor t, float p, float q, const positioned *gu,
                      const positioned *gn, const positioned *gm, tally *n)
{
    expect_finite(gi_uniform_(t, p, q, at(gu)), t, n, "uniform_", p, q);
    expect_finite(gi_normal_(t, p, q, at(gn)), t, n, "normal_", p, q);
    const gi_component u[] = {{1.0f, GI_COMPONENT_UNIFORM, p, q}};
    const gi_component g[] = {{1.0f, GI_COMPONENT_NORMAL, p, q}};
    expect_finite(gi_mixture_(t, 1, u, at(gm)), t, n, "mixture_ U", p, q);
    expect_finite(gi_mixture_(t, 1, g, at(gm)), t, n, "mixture_ N", p, q);
    /* mean p, std q, on the half lines either side of the mean */
    expect_finite(gi_trunc_normal_(t, p, q, p, INFINITY, at(gu)), t, n,
                  "trunc_normal_ [mean, inf)", p, q);
    expect_finite(gi_trunc_normal_(t, p, q, -INFINITY, p, at(gu)), t, n,
                  "trunc_normal_ (-inf, mean]", p, q);
    expect_finite(gi_trunc_normal_(t, 0.0f, q, -INFINITY, p, at(gu)), t, n,
                  "trunc_normal_ (-inf, b]", p, q);
    expect_finite(gi_trunc_normal_(t, 0.0f, 1.0f, p, q, at(gu)), t, n,
                  "trunc_normal_ [a, b]", p, q);
}

/* The fills of every initializer taking one float argument p. */
static void fill_one(gi_tensor t, float p, const positioned *gu,
                     const positioned *gn, tally *n)
{
    expect_finite(gi_sparse_(t, 0.0f, p, at(gn)), t, n, "sparse_", 0, p);
    expect_finite(gi_xavier_uniform_(t, p, at(gu)), t, n, "xavier_u", p, 0);
    expect_finite(gi_xavier_normal_(t, p, at(gn)), t, n, "xavier_n", p, 0);
    for (int nl = GI_NONLIN_RELU; nl <= GI_NONLIN_LEAKY_RELU; ++nl) {
        expect_finite(gi_kaiming_uniform_(t, p, GI_FAN_IN, nl, at(gu)), t, n,
                      "kaiming_uniform_", p, (float)nl);
        expect_finite(gi_kaiming_normal_(t, p, GI_FAN_IN, nl, at(gn)), t, n,
                      "kaiming_normal_", p, (float)nl);
    }
    for (int d = GI_DIST_TRUNCATED_NORMAL; d <= GI_DIST_UNIFORM; ++d)
        expect_finite(gi_variance_scaling_(t, p, GI_FAN_IN, d,
                                           at(d == GI_DIST_NORMAL ? gn : gu)),
                      t, n, "variance_scaling_", p, (float)d);
    expect_finite(gi_orthogonal_(t, p, NULL), t, n, "orthogonal_", p, 0);
}

/* A constant is written as given, infinities and NaN included (as torch's
 * constant_ does), alone or as a mixture's component. */
static void expect_constant(gi_tensor t, float p, const positioned *gm)
{
    const gi_component k[] = {{1.0f, GI_COMPONENT_CONSTANT, p, 0.0f}};
    for (int mix = 0; mix < 2; ++mix) {
        cr_assert_eq(mix ? gi_mixture_(t, 1, k, at(gm)) : gi_constant_(t, p),
                     GI_OK);
        float *h = to_host(t);
        for (int64_t i = 0; i < gi_tensor_numel(t); ++i)
            cr_expect(memcmp(&h[i], &p, sizeof p) == 0, "constant %g: %g",
                      (double)p, (double)h[i]);
        free(h);
    }
}

Test(ranges, no_accepted_argument_writes_a_non_finite_value)
{
    make_values();
    gi_context ctx = cpu_context();
    const int64_t shape[2] = {2, 2};
    gi_tensor t = new_tensor(ctx, 2, shape);
    positioned gu = generator_at(UNIFORM_ENDS);
    positioned gn = generator_at(NORMAL_ENDS);
    positioned gm = generator_at(MIXTURE_ENDS);
    tally n = {0, 0};
    for (int i = 0; i < NVALUES; ++i) {
        for (int j = 0; j < NVALUES; ++j)
            fill_pair(t, values[i], values[j], &gu, &gn, &gm, &n);
        fill_one(t, values[i], &gu, &gn, &n);
        expect_constant(t, values[i], &gm);
    }
    cr_log_info("%d calls accepted (all finite), %d refused", n.accepted,
                n.refused);
    gi_generator_destroy(gu.gen);
    gi_generator_destroy(gn.gen);
    gi_generator_destroy(gm.gen);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

/* Elements 0 and 1 (mixture) or 0 and 2 (normal) of a fill at the
 * extremes' block: the law's largest and smallest values. */
static void ends(gi_tensor t, gi_status st, int second, float v[2])
{
    cr_assert_eq(st, GI_OK, "%s", gi_last_error());
    float *h = to_host(t);
    v[0] = h[0];
    v[1] = h[second];
    free(h);
}

/* The largest std >= 0 for which z_max * std + |mean| stays finite: the
 * test is monotone in std, so a bisection over the floats' bit patterns,
 * whose order is theirs. */
static float largest_std(float mean, float z_max)
{
    uint32_t lo = 0u, hi = 0x7f7fffffu; /* 0 and FLT_MAX */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        float s;
        memcpy(&s, &mid, sizeof s);
        if (isfinite(z_max * s + fabsf(mean)))
            lo = mid;
        else
            hi = mid - 1;
    }
    float s;
    memcpy(&s, &lo, sizeof s);
    return s;
}

/* The bound is exact: the largest |z| is the transform's own (read off the
 * fill at the extremes' block), arguments at the bound are accepted and
 * reach as far as float goes, and the next std is refused. */
Test(ranges, the_bounds_are_exact)
{
    gi_context ctx = cpu_context();
    gi_tensor t = new_vector(ctx, 4);
    positioned gn = generator_at(NORMAL_ENDS);
    positioned gm = generator_at(MIXTURE_ENDS);
    float v[2];
    ends(t, gi_normal_(t, 0.0f, 1.0f, at(&gn)), 2, v);
    const float zmax = v[0];
    cr_expect(zmax == 0x1.b0e08ep+2f && v[1] == -zmax, "Box-Muller: %a %a",
              (double)v[0], (double)v[1]);
    const gi_component unit[] = {{1.0f, GI_COMPONENT_NORMAL, 0.0f, 1.0f}};
    ends(t, gi_mixture_(t, 1, unit, at(&gm)), 1, v);
    const float qmax = v[1];
    cr_expect(qmax == 0x1.52dc6ep+2f && v[0] == -qmax, "quantile: %a %a",
              (double)v[0], (double)v[1]);
    const float means[] = {0.0f, 1.0f, -1e37f, 3e38f, -FLT_MAX};
    for (size_t m = 0; m < sizeof means / sizeof *means; ++m) {
        const float mean = means[m];
        float s = largest_std(mean, zmax), next = nextafterf(s, INFINITY);
        ends(t, gi_normal_(t, mean, s, at(&gn)), 2, v);
        cr_expect(v[0] == zmax * s + mean && v[1] == -zmax * s + mean &&
                      isfinite(v[0]) && isfinite(v[1]),
                  "normal_(%a, %a): %a %a", (double)mean, (double)s,
                  (double)v[0], (double)v[1]);
        cr_expect_eq(gi_normal_(t, mean, next, at(&gn)),
                     GI_ERR_INVALID_ARGUMENT, "normal_(%a, %a)", (double)mean,
                     (double)next);
        s = largest_std(mean, qmax);
        next = nextafterf(s, INFINITY);
        const gi_component inside[] = {{1.0f, GI_COMPONENT_NORMAL, mean, s}};
        const gi_component past[] = {{1.0f, GI_COMPONENT_NORMAL, mean, next}};
        ends(t, gi_mixture_(t, 1, inside, at(&gm)), 1, v);
        cr_expect(v[0] == mean + s * -qmax && v[1] == mean + s * qmax &&
                      isfinite(v[0]) && isfinite(v[1]),
                  "mixture normal (%a, %a): %a %a", (double)mean, (double)s,
                  (double)v[0], (double)v[1]);
        cr_expect_eq(gi_mixture_(t, 1, past, at(&gm)), GI_ERR_INVALID_ARGUMENT,
                     "mixture normal (%a, %a)", (double)mean, (double)next);
    }
    const float s = largest_std(0.0f, zmax);
    cr_expect_eq(gi_normal_(t, 0.0f, nextafterf(s, INFINITY), at(&gn)),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_str_eq(gi_last_error(),
                     "gi_normal_: arguments 'mean' = 0 and 'std' = "
                     "5.03101e+37 give values beyond float's range: "
                     "6.7637057 * std + |mean| must be finite");
    gi_generator_destroy(gn.gen);
    gi_generator_destroy(gm.gen);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

/* Why no lane gives a larger |z| than the block above: no sine or cosine
 * of the 2^24 angles exceeds 1, and no U32 but the smallest has a
 * logarithm as low (every lane below 2^24, exhaustively; from there on
 * U32 >= 2^-8, whose logarithm is far above). */
Test(ranges, box_muller_is_largest_at_the_smallest_uniform)
{
    for (uint32_t k = 0; k < (1u << 24); ++k) {
        float s, c;
        gi_sincos_2pi(gi_unit_closed_open(k << 8), &s, &c);
        if (!(fabsf(s) <= 1.0f && fabsf(c) <= 1.0f))
            cr_assert_fail("angle %u: sin %a, cos %a", k, (double)s,
                           (double)c);
    }
    const float low = gi_logf(gi_unit_open_closed(0u));
    for (uint32_t x = 1; x < (1u << 24); ++x)
        if (!(gi_logf(gi_unit_open_closed(x)) > low))
            cr_assert_fail("lane %u: log U32 %a", x, (double)low);
    cr_expect_gt(gi_logf(0x1p-8f), low);
    cr_expect_eq(gi_box_muller_max(), 0x1.b0e08ep+2f);
    cr_expect_eq(gi_quantile_u23_max(), 0x1.52dc6ep+2f);
}
