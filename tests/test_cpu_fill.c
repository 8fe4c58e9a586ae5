/*
 * The CPU's vectorized fill (src/cpu/cpu_fill.c) against the scalar definition
 * of every law: gi_block then gi_law_block (gi_law_block64 for float64),
 * one Philox block at a time, the very code the CUDA kernel runs, stored
 * as store.h stores it. Equal bit for bit, in every dtype, for both paths
 * (AVX2 with F16C where the machine has them, and portable C), for whole
 * and partial chunks, outputs at every alignment, counters that carry
 * across 32 and 64 bits, and laws whose branches (quantile tails,
 * mixture components, 16-bit clamps) are all taken.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cpu/cpu_fill.h"
#include "cpu/cpu_fill64.h"
#include "core/internal.h"
#include "init/laws64.h"
#include "shared/store.h"
#include "test_helpers.h"

#define CHUNK_ELEMS (4 * GI_CPU_CHUNK_BLOCKS)
#define GUARD 16
#define SENTINEL 0x7fc0dead /* a NaN no law produces */
#define SENTINEL_BYTE 0xa5
/* Element offsets of the output from a 64-byte boundary: every residue
 * of 8 elements (a vector of floats) and one past a whole vector. */
#define SHIFTS 9

/* Elements [first, first + count) of the law, one block at a time. */
static void scalar_fill(const gi_law *law, uint64_t seed, uint64_t stream,
                        uint64_t offset, int64_t first, int64_t count,
                        float *out)
{
    const int64_t per = gi_law_elems_per_block(law);
    for (int64_t i = first; i < first + count; ++i) {
        uint32_t bits[4];
        float v[4];
        gi_block(seed, stream, offset + (uint64_t)(i / per), bits);
        gi_law_block(law, bits, v);
        out[i - first] = v[i % per];
    }
}

typedef struct position {
    uint64_t seed, stream, offset;
} position;

static const position positions[] = {
    {0, 0, 0},
    {42, 0, 7},
    {0x123456789abcdefull, 3, 0xfffffff0ull},           /* low word carries */
    {~0ull, ~0ull, ~0ull - 100},                        /* 64-bit wrap */
    {0xdeadbeefcafef00dull, 1ull << 40, (1ull << 32) - 1},
};

/* Counts of elements for one chunk: whole, and partial in every way. */
static const int64_t counts[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33,
                                 63, 100, 511, 512, 513, 1000, 1021,
                                 CHUNK_ELEMS};

/* How one chunk is stored: the dtype, and for the 16-bit ones the
 * bounds the store clamps to (store.h's gi_job_clamp). */
typedef struct store {
    int dt;
    float lo, hi;
} store;

/* Element i of the law's fill as the store writes it: the scalar
 * definition (gi_law_block, gi_law_block64), clamped and rounded for the
 * 16-bit dtypes. */
static void want_element(const gi_law *law, const position *pos, store st,
                         int64_t i, unsigned char *out)
{
    const int64_t per = gi_law_elems_per_block(law);
    uint32_t bits[4];
    gi_block(pos->seed, pos->stream, pos->offset + (uint64_t)(i / per), bits);
    if (st.dt == GI_F64) {
        double v[4];
        gi_law_block64(law, bits, v);
        memcpy(out, &v[i % per], sizeof *v);
        return;
    }
    float v[4];
    gi_law_block(law, bits, v);
    float x = v[i % per];
    if (st.dt == GI_F32) {
        memcpy(out, &x, sizeof x);
        return;
    }
    x = x < st.lo ? st.lo : x > st.hi ? st.hi : x;
    uint16_t h = gi_half_bits(st.dt, x);
    memcpy(out, &h, sizeof h);
}

static void fill_chunk(const gi_law *law, const position *pos, store st,
                       int64_t first, int64_t count, void *out)
{
    if (st.dt == GI_F64)
        gi_cpu_fill_chunk64(law, pos->seed, pos->stream, pos->offset, first,
                            count, out);
    else if (st.dt == GI_F32)
        gi_cpu_fill_chunk(law, pos->seed, pos->stream, pos->offset, first,
                          count, out);
    else
        gi_cpu_fill_chunk16(law, pos->seed, pos->stream, pos->offset, first,
                            count, st.dt, st.lo, st.hi, out);
}

/* One chunk of count elements from element first, written shift
 * elements past a 64-byte boundary: each element the scalar definition's
 * bits, nothing written before or past it. */
static void check_chunk(const gi_law *law, const char *what, store st,
                        int portable, size_t p, int64_t first, int64_t count,
                        int shift)
{
    static _Alignas(64) unsigned char got[(CHUNK_ELEMS + 2 * GUARD) * 8];
    const int size = gi_dtype_size(st.dt);
    memset(got, SENTINEL_BYTE, (size_t)((shift + count + GUARD) * size));
    fill_chunk(law, &positions[p], st, first, count, got + shift * size);
    for (int64_t i = -shift; i < count + GUARD; ++i) {
        unsigned char want[8];
        memset(want, SENTINEL_BYTE, sizeof want);
        if (i >= 0 && i < count)
            want_element(law, &positions[p], st, first + i, want);
        const unsigned char *at = got + (shift + i) * size;
        uint64_t g = 0, w = 0;
        memcpy(&g, at, (size_t)size);
        memcpy(&w, want, (size_t)size);
        cr_assert_eq(g, w,
                     "%s, %s, %s path, position %zu, first %lld, count "
                     "%lld, shift %d: element %lld has the bits %#llx, "
                     "want %#llx%s", what, gi_dtype_name(st.dt),
                     portable ? "portable" : "default", p, (long long)first,
                     (long long)count, shift, (long long)i,
                     (unsigned long long)g, (unsigned long long)w,
                     i >= 0 && i < count ? "" : " (not to be written)");
    }
}

/* The law's chunks, on both paths (the vector one where the CPU has it,
 * and portable C), at every position, count and output alignment. */
static void check_store(const gi_law *law, const char *what, store st)
{
    const int64_t per = gi_law_elems_per_block(law);
    const int64_t max = GI_CPU_CHUNK_BLOCKS * per;
    for (int portable = 0; portable < 2; ++portable) {
        gi_cpu_portable = portable;
        for (size_t p = 0; p < sizeof positions / sizeof *positions; ++p)
            for (size_t c = 0; c < sizeof counts / sizeof *counts; ++c) {
                int64_t count = counts[c] < max ? counts[c] : max;
                int64_t first = per * (int64_t)(3 * p + c); /* block-aligned */
                int shift = (int)((p + 3 * c) % SHIFTS);
                check_chunk(law, what, st, portable, p, first, count, shift);
            }
    }
    gi_cpu_portable = 0;
}

/* A float law in float32, and in both 16-bit dtypes with and without
 * bounds that clamp; a float64 law in float64. */
static void check_law(const gi_law *law, const char *what)
{
    if (gi_law_is64(law)) {
        check_store(law, what, (store){GI_F64, 0.0f, 0.0f});
        return;
    }
    check_store(law, what, (store){GI_F32, 0.0f, 0.0f});
    for (int dt = GI_F16; dt <= GI_BF16; ++dt) {
        check_store(law, what, (store){dt, -INFINITY, INFINITY});
        check_store(law, what, (store){dt, -0.75f, 0.5f});
    }
}

static gi_law uniform_law(float a, float b)
{
    gi_law l = {.kind = GI_LAW_UNIFORM,
                .u.uniform = {a, b - a, gi_float_below(b)}};
    return l;
}

Test(cpu_fill, uniform_equals_scalar_definition)
{
    gi_law laws[] = {uniform_law(0.0f, 1.0f), uniform_law(-1.0f, 1.0f),
                     uniform_law(-3.0e38f, 3.0e38f), /* the cap is hit */
                     uniform_law(1.0f, 1.0000001f), uniform_law(-0.0f, 5.0f)};
    for (size_t i = 0; i < sizeof laws / sizeof *laws; ++i)
        check_law(&laws[i], "uniform");
}

Test(cpu_fill, normal_equals_scalar_definition)
{
    gi_law laws[] = {{.kind = GI_LAW_NORMAL, .u.normal = {0.0f, 1.0f}},
                     {.kind = GI_LAW_NORMAL, .u.normal = {0.5f, 3.0f}},
                     {.kind = GI_LAW_NORMAL, .u.normal = {-2.0f, 0.0f}},
                     {.kind = GI_LAW_NORMAL, .u.normal = {0.0f, 0.01f}}};
    for (size_t i = 0; i < sizeof laws / sizeof *laws; ++i)
        check_law(&laws[i], "normal");
}

/* A truncated normal law as the library builds it: tail probabilities of
 * the standard bounds (lower tail, or upper with sign = -1). */
static gi_law trunc_law(double mean, double std, double a, double b)
{
    double za = (a - mean) / std, zb = (b - mean) / std;
    int upper = za > 0.0;
    double lo = upper ? 0.5 * erfc(zb / sqrt(2.0)) : 0.5 * erfc(-za / sqrt(2.0));
    double hi = upper ? 0.5 * erfc(za / sqrt(2.0)) : 0.5 * erfc(-zb / sqrt(2.0));
    gi_law l = {.kind = GI_LAW_TRUNC_NORMAL,
                .u.trunc = {(float)lo, (float)(hi - lo),
                            upper ? -1.0f : 1.0f, (float)mean, (float)std,
                            (float)a, (float)b}};
    return l;
}

Test(cpu_fill, trunc_normal_equals_scalar_definition)
{
    gi_law laws[] = {trunc_law(0, 1, -2, 2),     /* centre and both tails */
                     trunc_law(0, 1, -0.5, 0.5), /* centre only */
                     trunc_law(0, 1, 5, 8),      /* far upper tail */
                     trunc_law(1, 2, -30, -9),   /* far lower tail */
                     trunc_law(0, 0.02, -0.04, 0.04)};
    for (size_t i = 0; i < sizeof laws / sizeof *laws; ++i)
        check_law(&laws[i], "trunc_normal");
}

/* A narrow truncated normal as the library builds it: a, b - a, the tilt
 * of the linear density and b. */
static gi_law narrow_law(float a, float b, float tilt)
{
    gi_law l = {.kind = GI_LAW_TRUNC_NARROW, .u.narrow = {a, b - a, tilt, b}};
    return l;
}

Test(cpu_fill, trunc_narrow_equals_scalar_definition)
{
    gi_law laws[] = {narrow_law(0.0f, 1e-30f, 0.0f), /* [0, 1e-30], std 1 */
                     narrow_law(-2.0f, 2.0f, 0.0f),  /* std 1e17 */
                     narrow_law(10.0f, 10.0001f, 4.9e-4f),
                     narrow_law(-9.5f, -9.4999f, -4.7e-4f),
                     narrow_law(1.0f, 1.0000001f, 0.0f)}; /* two floats */
    for (size_t i = 0; i < sizeof laws / sizeof *laws; ++i)
        check_law(&laws[i], "trunc_narrow");
}

static gi_law mixture_law(int k, const gi_law_component *comps)
{
    gi_law l = {.kind = GI_LAW_MIXTURE, .u.mixture = {.ncomp = k}};
    memcpy(l.u.mixture.comp, comps, (size_t)k * sizeof *comps);
    return l;
}

Test(cpu_fill, mixture_equals_scalar_definition)
{
    /* The chapter's law: U[5, 10), 0, U[-10, -5). */
    gi_law_component chapter[] = {
        {0.25f, GI_COMP_UNIFORM, 5.0f, 10.0f, gi_float_below(10.0f),
         -INFINITY},
        {0.75f, GI_COMP_CONSTANT, 0.0f, 0.0f, 0.0f, 0.0f},
        {1.0f, GI_COMP_UNIFORM, -10.0f, -5.0f, gi_float_below(-5.0f),
         -INFINITY}};
    /* Normal components, constants -0, inf and NaN, a component of
     * probability 0. */
    gi_law_component varied[] = {
        {0.1f, GI_COMP_NORMAL, 1.0f, 2.0f, 0.0f, 0.0f},
        {0.1f, GI_COMP_UNIFORM, 0.0f, 1.0f, gi_float_below(1.0f), -INFINITY},
        {0.3f, GI_COMP_CONSTANT, -0.0f, 0.0f, 0.0f, 0.0f},
        {0.6f, GI_COMP_NORMAL, -5.0f, 0.001f, 0.0f, 0.0f},
        {0.8f, GI_COMP_CONSTANT, INFINITY, 0.0f, 0.0f, 0.0f},
        {1.0f, GI_COMP_CONSTANT, 0.0f, 0.0f, 0.0f, 0.0f}};
    uint32_t nan_bits = 0x7fc01234u; /* a NaN keeps its payload */
    memcpy(&varied[5].a, &nan_bits, sizeof nan_bits);
    /* The same constants without a normal component (another code path). */
    gi_law_component constants[] = {
        {0.3f, GI_COMP_CONSTANT, -0.0f, 0.0f, 0.0f, 0.0f},
        {0.5f, GI_COMP_CONSTANT, -INFINITY, 0.0f, 0.0f, 0.0f},
        /* a floor, as a 16-bit component keeps (here in float32) */
        {0.7f, GI_COMP_UNIFORM, -1.0f, 1.0f, gi_float_below(1.0f), -0.5f},
        {1.0f, GI_COMP_CONSTANT, 0.0f, 0.0f, 0.0f, 0.0f}};
    memcpy(&constants[3].a, &nan_bits, sizeof nan_bits);
    gi_law_component single[] = {
        {1.0f, GI_COMP_NORMAL, 0.0f, 1.0f, 0.0f, 0.0f}};
    gi_law_component eight[GI_LAW_MAX_COMPONENTS];
    for (int j = 0; j < GI_LAW_MAX_COMPONENTS; ++j)
        eight[j] = (gi_law_component){(float)(j + 1) / GI_LAW_MAX_COMPONENTS,
                                      j % 3, (float)j, (float)j + 0.5f,
                                      gi_float_below((float)j + 0.5f),
                                      -INFINITY};
    gi_law laws[] = {mixture_law(3, chapter), mixture_law(6, varied),
                     mixture_law(4, constants), mixture_law(2, constants),
                     mixture_law(1, single),
                     mixture_law(GI_LAW_MAX_COMPONENTS, eight)};
    for (size_t i = 0; i < sizeof laws / sizeof *laws; ++i)
        check_law(&laws[i], "mixture");
}

/* A float64 law from its constructor, which must accept the arguments. */
static gi_law law64(gi_law64_verdict v, gi_law law)
{
    cr_assert_eq(v, GI_LAW64_OK, "the constructor refuses the arguments");
    return law;
}

Test(cpu_fill, float64_laws_equal_scalar_definition)
{
    gi_law l[13];
    double why;
    l[0] = law64(gi_law64_uniform(-1.0, 1.0, &l[0], &why), l[0]);
    l[1] = law64(gi_law64_uniform(-8e307, 8e307, &l[1], &why), l[1]);
    l[2] = law64(gi_law64_uniform(1.0, 1.0 + 0x1p-50, &l[2], &why), l[2]);
    l[3] = law64(gi_law64_normal(0.0, 1.0, &l[3], &why), l[3]);
    l[4] = law64(gi_law64_normal(0.5, 3.0, &l[4], &why), l[4]);
    l[5] = law64(gi_law64_normal(-2.0, 0.0, &l[5], &why), l[5]);
    /* centre and both tails, centre only, far upper and lower tails */
    l[6] = law64(gi_law64_trunc_normal(0, 1, -2, 2, &l[6], &why), l[6]);
    l[7] = law64(gi_law64_trunc_normal(0, 1, -0.5, 0.5, &l[7], &why), l[7]);
    l[8] = law64(gi_law64_trunc_normal(0, 1, 5, 8, &l[8], &why), l[8]);
    l[9] = law64(gi_law64_trunc_normal(1, 2, -30, -9, &l[9], &why), l[9]);
    l[10] = law64(gi_law64_trunc_normal(0, 1, 10, 10 + 1e-9, &l[10], &why),
                  l[10]);
    cr_assert_eq(l[10].kind, GI_LAW_TRUNC_NARROW64);
    /* a mixture of every component kind */
    const int kinds[] = {GI_COMPONENT_UNIFORM, GI_COMPONENT_NORMAL,
                         GI_COMPONENT_CONSTANT, GI_COMPONENT_UNIFORM};
    const double args[][2] = {{5, 10}, {1, 2}, {-0.0, 0}, {3, 3}};
    const double prob[] = {0.25, 0.25, 0.25, 0.25};
    gi_law_component64 comps[4];
    for (int k = 0; k < 4; ++k)
        cr_assert_eq(gi_law64_component(kinds[k], args[k][0], args[k][1],
                                        &comps[k], &why),
                     GI_LAW64_OK);
    gi_law64_mixture(4, prob, comps, &l[11]);
    gi_law64_mixture(1, prob, &comps[1], &l[12]);
    for (size_t i = 0; i < sizeof l / sizeof *l; ++i)
        check_law(&l[i], "float64 law");
}

/* The plans' laws, read by name, are the laws the tests above build by
 * hand: each named parameter holds what its law's transform takes it to
 * mean, so those tests cover the library's own fills. */
static gi_law planned_law(gi_status st, const gi_fill_job *job)
{
    cr_assert_eq(st, GI_OK, "%s", gi_last_error());
    cr_assert(gi_job_random(job), "the plan draws nothing");
    return job->u.law;
}

static void expect_bits(float got, float want, const char *field)
{
    cr_expect_eq(memcmp(&got, &want, sizeof got), 0, "%s: %a, want %a",
                 field, (double)got, (double)want);
}

Test(cpu_fill, plans_set_the_named_parameters)
{
    gi_context ctx = cpu_context();
    const int64_t n = 16;
    gi_tensor t = new_tensor(ctx, 1, &n);
    gi_fill_job job;
    gi_law got = planned_law(gi_plan_uniform(t, -1.0f, 3.0f, &job, "u"),
                             &job);
    gi_law want = uniform_law(-1.0f, 3.0f);
    cr_assert_eq(got.kind, GI_LAW_UNIFORM);
    expect_bits(got.u.uniform.a, -1.0f, "uniform.a");
    expect_bits(got.u.uniform.span, 4.0f, "uniform.span");
    expect_bits(got.u.uniform.cap, want.u.uniform.cap, "uniform.cap");
    got = planned_law(gi_plan_normal(t, 0.5f, 3.0f, &job, "n"), &job);
    cr_assert_eq(got.kind, GI_LAW_NORMAL);
    expect_bits(got.u.normal.mean, 0.5f, "normal.mean");
    expect_bits(got.u.normal.std, 3.0f, "normal.std");
    got = planned_law(gi_plan_trunc_normal(t, 1, 2, 5, 8, &job, "t"), &job);
    want = trunc_law(1, 2, 5, 8); /* above the mean: the upper tail */
    cr_assert_eq(got.kind, GI_LAW_TRUNC_NORMAL);
    expect_bits(got.u.trunc.lo, want.u.trunc.lo, "trunc.lo");
    expect_bits(got.u.trunc.span, want.u.trunc.span, "trunc.span");
    expect_bits(got.u.trunc.sign, -1.0f, "trunc.sign");
    expect_bits(got.u.trunc.mean, 1.0f, "trunc.mean");
    expect_bits(got.u.trunc.std, 2.0f, "trunc.std");
    expect_bits(got.u.trunc.a, 5.0f, "trunc.a");
    expect_bits(got.u.trunc.b, 8.0f, "trunc.b");
    /* [10, 10.00002] under N(0, 1) is narrow: tilt = w m / 2 with the
     * width w = b - a and the midpoint m = (a + b) / 2. */
    const float a = 10.0f, b = 10.00002f;
    got = planned_law(gi_plan_trunc_normal(t, 0, 1, a, b, &job, "t"), &job);
    cr_assert_eq(got.kind, GI_LAW_TRUNC_NARROW);
    expect_bits(got.u.narrow.a, a, "narrow.a");
    expect_bits(got.u.narrow.span, b - a, "narrow.span");
    expect_bits(got.u.narrow.tilt,
                (float)(((double)b - a) * ((double)a + b) / 4.0),
                "narrow.tilt");
    expect_bits(got.u.narrow.b, b, "narrow.b");
    const gi_component comps[] = {{0.25f, GI_COMPONENT_UNIFORM, 5, 10},
                                  {0.75f, GI_COMPONENT_NORMAL, 1, 2}};
    got = planned_law(gi_plan_mixture(t, 2, comps, &job, "m"), &job);
    cr_assert_eq(got.kind, GI_LAW_MIXTURE);
    cr_expect_eq(got.u.mixture.ncomp, 2);
    const gi_law_component *c = got.u.mixture.comp;
    expect_bits(c[0].cum, 0.25f, "comp[0].cum");
    cr_expect_eq(c[0].kind, GI_COMP_UNIFORM);
    expect_bits(c[0].cap, gi_float_below(10.0f), "comp[0].cap");
    cr_expect_eq(c[1].kind, GI_COMP_NORMAL);
    expect_bits(c[1].b, 2.0f, "comp[1].b");
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

/* gi_law_element, the value of one element on its own (sparse_'s kernel
 * computes each element that way), against the block fill: every element
 * of every law above, at every position. */
Test(cpu_fill, law_element_equals_block_fill)
{
    gi_law_component comps[] = {
        {0.3f, GI_COMP_NORMAL, 1.0f, 2.0f, 0.0f, 0.0f},
        {0.6f, GI_COMP_UNIFORM, 0.0f, 1.0f, gi_float_below(1.0f), -INFINITY},
        {1.0f, GI_COMP_CONSTANT, -3.0f, 0.0f, 0.0f, 0.0f}};
    gi_law laws[] = {uniform_law(-1.0f, 1.0f),
                     {.kind = GI_LAW_NORMAL, .u.normal = {0.5f, 3.0f}},
                     trunc_law(0, 1, -2, 2), narrow_law(0.0f, 1e-3f, 1e-4f),
                     mixture_law(3, comps)};
    static float want[CHUNK_ELEMS];
    for (size_t l = 0; l < sizeof laws / sizeof *laws; ++l)
        for (size_t p = 0; p < sizeof positions / sizeof *positions; ++p) {
            const position *pos = &positions[p];
            scalar_fill(&laws[l], pos->seed, pos->stream, pos->offset, 0,
                        CHUNK_ELEMS, want);
            for (int64_t i = 0; i < CHUNK_ELEMS; ++i) {
                float got = gi_law_element(&laws[l], pos->seed, pos->stream,
                                           pos->offset, (uint64_t)i);
                cr_assert_eq(memcmp(&got, &want[i], sizeof got), 0,
                             "law %zu, position %zu, element %lld: %a, the "
                             "block fill gives %a", l, p, (long long)i,
                             (double)got, (double)want[i]);
            }
        }
}

/* sparse_'s fused column walk (the GPU kernel's per-thread work) against
 * the CPU's two steps, the normal fill then gi_sparse_column: the columns
 * together write every element once, with the same bits. */
Test(cpu_fill, sparse_fill_column_equals_fill_then_zeros)
{
    const int64_t shapes[][2] = {{1, 1}, {1, 7}, {7, 1}, {5, 3},
                                 {33, 17}, {64, 100}};
    gi_law law = {.kind = GI_LAW_NORMAL, .u.normal = {0.0f, 0.5f}};
    static float want[64 * 100], got[64 * 100];
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; ++s) {
        const int64_t rows = shapes[s][0], cols = shapes[s][1];
        const int64_t n = rows * cols;
        const int64_t ks[] = {0, 1, rows / 2, rows};
        for (size_t p = 0; p < sizeof positions / sizeof *positions; ++p)
            for (size_t kk = 0; kk < 4; ++kk) {
                const position *pos = &positions[p];
                scalar_fill(&law, pos->seed, pos->stream, pos->offset, 0, n,
                            want);
                gi_fill_job job = {.dtype = GI_F32, .n = n,
                                   .kind = GI_JOB_SPARSE,
                                   .pos = {pos->seed, pos->stream,
                                           pos->offset},
                                   .sparse = {rows, cols, ks[kk], 0, 0, cols},
                                   .u.law = law};
                job.data = want;
                for (int64_t c = 0; c < cols; ++c)
                    gi_job_sparse_zeros(&job, c);
                uint32_t sentinel = SENTINEL;
                for (int64_t i = 0; i < n; ++i)
                    memcpy(&got[i], &sentinel, sizeof sentinel);
                job.data = got;
                for (int64_t c = 0; c < cols; ++c)
                    gi_job_sparse_column(&job, c);
                for (int64_t i = 0; i < n; ++i)
                    cr_assert_eq(memcmp(&got[i], &want[i], sizeof got[i]), 0,
                                 "%lld x %lld, k %lld, position %zu, element "
                                 "%lld: %a, want %a", (long long)rows,
                                 (long long)cols, (long long)ks[kk], p,
                                 (long long)i, (double)got[i],
                                 (double)want[i]);
            }
    }
}
