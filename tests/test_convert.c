/*
 * The float <-> float16 / bfloat16 conversions (src/shared/convert.h) on every
 * input, against references written apart from them:
 *  - rounding: a table of each format's values (float16's from gcc's
 *    _Float16, bfloat16's from ldexp) and the midpoints between
 *    neighbours; a float rounds to the nearer neighbour of its interval,
 *    to the even one on a midpoint. gcc's own float -> _Float16 (exact,
 *    nearest even, but too slow for 2^32 calls) is checked against the
 *    table at every midpoint and the floats either side of it;
 *  - NaN: convert.h's rule, assembled field by field;
 *  - back to float: gcc's _Float16 -> float and ldexp, on all 2^16.
 * Then the CPU's bulk conversions (src/cpu/cpu_convert.c), vector and portable
 * paths, against convert.h on all inputs; named edge cases; and PyTorch's
 * own bits for a few thousand floats (tests/data/convert_cases.txt).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/convert.h"
#include "cpu/cpu_convert.h"
#include "cpu/cpu_fill.h"
#include "test_helpers.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define F16_INF 0x7c00
#define BF16_INF 0x7f80
#define FLOAT_INF 0x7f800000u

typedef uint16_t (*to16_fn)(float);

/* A 16-bit format's non-negative values by pattern, 0 up to inf's pattern,
 * where the value is the one the next binade would start with (2^16 or
 * 2^128): what a float rounds up to when it overflows. */
typedef struct format16 {
    int inf, frac;                 /* inf's pattern, fraction bits */
    double value[BF16_INF + 1];
    double mid[BF16_INF];          /* between value[k] and value[k + 1] */
    uint32_t mid_bits[BF16_INF];   /* the same, as float bit patterns */
} format16;

static double f16_value(uint16_t h)
{
    _Float16 x;
    memcpy(&x, &h, sizeof x);
    return (double)x;
}

static double bf16_value(uint16_t h)
{
    const int e = h >> 7, m = h & 0x7f;
    return e == 0 ? ldexp(m, -133) : ldexp(0x80 | m, e - 134);
}

static uint32_t bits_of(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* Every midpoint has one bit more than the format: a float. */
static void set_mids(format16 *f)
{
    for (int k = 0; k < f->inf; ++k) {
        f->mid[k] = (f->value[k] + f->value[k + 1]) / 2;
        f->mid_bits[k] = bits_of((float)f->mid[k]);
        cr_assert_eq((double)(float)f->mid[k], f->mid[k], "midpoint %d", k);
    }
}

static const format16 *f16_format(void)
{
    static format16 f = {.inf = F16_INF, .frac = 10};
    for (int k = 0; k < F16_INF; ++k)
        f.value[k] = f16_value((uint16_t)k);
    f.value[F16_INF] = 65536.0;
    set_mids(&f);
    return &f;
}

static const format16 *bf16_format(void)
{
    static format16 f = {.inf = BF16_INF, .frac = 7};
    for (int k = 0; k <= BF16_INF; ++k)
        f.value[k] = bf16_value((uint16_t)k); /* 0x7f80 gives 2^128 */
    set_mids(&f);
    return &f;
}

/* convert.h's NaN rule, field by field: the float's sign, an all-ones
 * exponent, the float's top fraction bits, and the quiet bit set. */
static uint16_t nan_rule(uint32_t x, int frac)
{
    const uint32_t sign = (x >> 31) << 15;
    const uint32_t expo = ((1u << (15 - frac)) - 1u) << frac;
    const uint32_t top = (x & 0x007fffffu) >> (23 - frac);
    return (uint16_t)(sign | expo | top | (1u << (frac - 1)));
}

static float float_of(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

#define BATCH 65536

/* Sanitized and unoptimized builds (the ASan run) take every 128th batch:
 * they look for memory errors, and the whole of 2^32 floats would take
 * them minutes a test; the optimized suite takes every batch. */
#if defined(__SANITIZE_ADDRESS__) || !defined(__OPTIMIZE__)
#define BATCH_STEP (128u * BATCH)
#else
#define BATCH_STEP BATCH
#endif

typedef void (*bulk_to16)(const float *, uint16_t *, int64_t);

/* The reference for the non-negative floats base .. base + BATCH - 1, run
 * by run: the floats strictly between two midpoints round to the value
 * between them, a midpoint to the even neighbour, NaNs by the rule; *k is
 * where the previous batch ended. */
static void reference(const format16 *f, uint32_t base, int *k,
                      uint16_t *want)
{
    uint32_t i = 0;
    while (i < BATCH && base + i <= FLOAT_INF) {
        while (*k < f->inf && base + i > f->mid_bits[*k])
            ++*k;
        const uint32_t stop = *k < f->inf ? f->mid_bits[*k] : FLOAT_INF + 1;
        const uint32_t run = stop - (base + i);
        for (const uint32_t end = run < BATCH - i ? i + run : BATCH; i < end;
             ++i)
            want[i] = (uint16_t)*k;
        if (i < BATCH && *k < f->inf) /* on the midpoint */
            want[i++] = (uint16_t)(*k + (*k & 1));
    }
    for (; i < BATCH; ++i)
        want[i] = nan_rule(base + i, f->frac);
}

/* Every float of both signs through conv, against the reference. */
static void check_every_float(const format16 *f, bulk_to16 conv)
{
    static float src[BATCH];
    static uint16_t got[BATCH], want[BATCH];
    uint64_t bad = 0;
    uint32_t first = 0;
    int k = 0;
    for (uint32_t base = 0; base < 0x80000000u; base += BATCH_STEP) {
        reference(f, base, &k, want);
        for (uint32_t sign = 0; sign < 2; ++sign) {
            for (uint32_t i = 0; i < BATCH; ++i)
                src[i] = float_of((base + i) | sign << 31);
            conv(src, got, BATCH);
            uint32_t wrong = 0;
            for (uint32_t i = 0; i < BATCH; ++i)
                wrong += got[i] != (want[i] | sign << 15);
            uint32_t i = 0;
            while (wrong != 0 && bad == 0 && got[i] == (want[i] | sign << 15))
                ++i;
            if (wrong != 0 && bad == 0)
                first = bits_of(src[i]);
            bad += wrong;
        }
    }
    cr_expect_eq(bad, 0, "%llu floats wrong, the first %08x",
                 (unsigned long long)bad, first);
}

/* convert.h's element conversions as bulk ones, compiled here. */
static void f16_each(const float *src, uint16_t *dst, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        dst[i] = gi_f32_to_f16(src[i]);
}

static void bf16_each(const float *src, uint16_t *dst, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        dst[i] = gi_f32_to_bf16(src[i]);
}

Test(convert, f16_every_float)
{
    check_every_float(f16_format(), f16_each);
}

Test(convert, bf16_every_float)
{
    check_every_float(bf16_format(), bf16_each);
}

static uint16_t gcc_f16(float x)
{
    _Float16 h = (_Float16)x;
    uint16_t u;
    memcpy(&u, &h, sizeof u);
    return u;
}

/* The float16 table's rounding is gcc's: at each midpoint (ties to even)
 * and at the floats on either side. */
Test(convert, f16_table_rounds_as_gcc)
{
    const format16 *f = f16_format();
    for (int k = 0; k < f->inf; ++k) {
        const float m = (float)f->mid[k];
        const float below = nextafterf(m, 0.0f), above = nextafterf(m, 1e38f);
        cr_assert_eq(gcc_f16(below), k, "below midpoint %d", k);
        cr_assert_eq(gcc_f16(m), k + (k & 1), "midpoint %d", k);
        cr_assert_eq(gcc_f16(above), k + 1, "above midpoint %d", k);
    }
}

/* float16 -> float: gcc's value for numbers (zeros by their sign), and
 * NaNs quieted with their payload; float -> float16 gives each number and
 * quiet NaN back, and a signaling one quieted. */
Test(convert, f16_every_half_to_float_and_back)
{
    for (uint32_t h = 0; h < 0x10000u; ++h) {
        const uint32_t got = bits_of(gi_f16_to_f32((uint16_t)h));
        const int nan = (h & 0x7fffu) > F16_INF;
        const uint32_t want =
            nan ? ((h & 0x8000u) << 16) | FLOAT_INF | 0x00400000u |
                      ((h & 0x3ffu) << 13)
                : bits_of((float)f16_value((uint16_t)h));
        cr_assert_eq(got, want, "%04x gives %08x", h, got);
        const uint16_t back = gi_f32_to_f16(float_of(got));
        cr_assert_eq(back, nan ? h | 0x200u : h, "%04x comes back %04x", h,
                     back);
    }
}

/* bfloat16 -> float: ldexp's value for numbers (zeros by their sign), and
 * the same bits for NaNs; back again as for float16. */
Test(convert, bf16_every_half_to_float_and_back)
{
    for (uint32_t h = 0; h < 0x10000u; ++h) {
        const uint32_t got = bits_of(gi_bf16_to_f32((uint16_t)h));
        const int nan = (h & 0x7fffu) > BF16_INF;
        const double v = bf16_value((uint16_t)(h & 0x7fffu));
        const uint32_t want =
            nan ? h << 16 : ((h & 0x8000u) << 16) | bits_of((float)v);
        cr_assert_eq(got, want, "%04x gives %08x", h, got);
        const uint16_t back = gi_f32_to_bf16(float_of(got));
        cr_assert_eq(back, nan ? h | 0x40u : h, "%04x comes back %04x", h,
                     back);
    }
}

/* Named cases: float bits in, 16-bit bits out. */
static void expect16(to16_fn conv, uint32_t in, uint16_t want)
{
    const uint16_t got = conv(float_of(in));
    cr_expect_eq(got, want, "%08x gives %04x, not %04x", in, got, want);
}

Test(convert, ties_go_to_even)
{
    expect16(gi_f32_to_f16, 0x3f801000u, 0x3c00); /* 1 + 2^-11: down */
    expect16(gi_f32_to_f16, 0x3f803000u, 0x3c02); /* 1 + 3 2^-11: up */
    expect16(gi_f32_to_f16, 0x3f801001u, 0x3c01); /* past the tie */
    expect16(gi_f32_to_f16, 0x3f802fffu, 0x3c01); /* short of the tie */
    expect16(gi_f32_to_bf16, 0x3f808000u, 0x3f80);
    expect16(gi_f32_to_bf16, 0x3f818000u, 0x3f82);
    expect16(gi_f32_to_bf16, 0x3f808001u, 0x3f81);
    expect16(gi_f32_to_bf16, 0xbf818000u, 0xbf82);
}

Test(convert, largest_finite_and_overflow)
{
    expect16(gi_f32_to_f16, 0x477fe000u, 0x7bff); /* 65504 */
    expect16(gi_f32_to_f16, 0x477fefffu, 0x7bff); /* just below 65520 */
    expect16(gi_f32_to_f16, 0x477ff000u, 0x7c00); /* 65520 ties to inf */
    expect16(gi_f32_to_f16, 0xc77ff000u, 0xfc00);
    expect16(gi_f32_to_f16, 0x7f7fffffu, 0x7c00); /* FLT_MAX */
    expect16(gi_f32_to_f16, 0x7f800000u, 0x7c00);
    expect16(gi_f32_to_bf16, 0x7f7f7fffu, 0x7f7f);
    expect16(gi_f32_to_bf16, 0x7f7f8000u, 0x7f80); /* tie: even is inf */
    expect16(gi_f32_to_bf16, 0xff7fffffu, 0xff80);
    expect16(gi_f32_to_bf16, 0xff800000u, 0xff80);
}

Test(convert, smallest_subnormals)
{
    expect16(gi_f32_to_f16, 0x33800000u, 0x0001); /* 2^-24 */
    expect16(gi_f32_to_f16, 0x33c00000u, 0x0002); /* 1.5 2^-24: even */
    expect16(gi_f32_to_f16, 0x34200000u, 0x0002); /* 2.5 2^-24: even */
    expect16(gi_f32_to_f16, 0x33000000u, 0x0000); /* 2^-25 ties to 0 */
    expect16(gi_f32_to_f16, 0x33000001u, 0x0001);
    expect16(gi_f32_to_f16, 0xb3000000u, 0x8000);
    expect16(gi_f32_to_f16, 0x387fc000u, 0x03ff); /* largest subnormal */
    expect16(gi_f32_to_f16, 0x387fe000u, 0x0400); /* tie: up to 2^-14 */
    expect16(gi_f32_to_bf16, 0x00010000u, 0x0001);
    expect16(gi_f32_to_bf16, 0x00008000u, 0x0000);
    expect16(gi_f32_to_bf16, 0x00018000u, 0x0002);
}

/* Float subnormals: zero in float16, kept (not flushed) in bfloat16. */
Test(convert, denormal_floats)
{
    expect16(gi_f32_to_f16, 0x00000001u, 0x0000);
    expect16(gi_f32_to_f16, 0x807fffffu, 0x8000);
    expect16(gi_f32_to_bf16, 0x00000001u, 0x0000);
    expect16(gi_f32_to_bf16, 0x007fffffu, 0x0080); /* up to 2^-126 */
    expect16(gi_f32_to_bf16, 0x00123456u, 0x0012);
    expect16(gi_f32_to_bf16, 0x80654321u, 0x8065);
}

Test(convert, nan_keeps_sign_and_payload)
{
    expect16(gi_f32_to_f16, 0x7fc00000u, 0x7e00);
    expect16(gi_f32_to_f16, 0xffc00000u, 0xfe00);
    expect16(gi_f32_to_f16, 0x7fc12345u, 0x7e09);
    expect16(gi_f32_to_f16, 0xffffffffu, 0xffff);
    expect16(gi_f32_to_bf16, 0x7fc12345u, 0x7fc1);
    expect16(gi_f32_to_bf16, 0xffffffffu, 0xffff);
}

Test(convert, signaling_nan_is_quieted)
{
    expect16(gi_f32_to_f16, 0x7f800001u, 0x7e00); /* payload vanishes */
    expect16(gi_f32_to_f16, 0x7f802000u, 0x7e01);
    expect16(gi_f32_to_f16, 0xffa00000u, 0xff00);
    expect16(gi_f32_to_bf16, 0x7f800001u, 0x7fc0);
    expect16(gi_f32_to_bf16, 0x7fa00000u, 0x7fe0);
    cr_expect_eq(bits_of(gi_f16_to_f32(0x7c01)), 0x7fc02000u);
    cr_expect_eq(bits_of(gi_bf16_to_f32(0x7f81)), 0x7f810000u);
}

Test(convert, negative_zero)
{
    expect16(gi_f32_to_f16, 0x80000000u, 0x8000);
    expect16(gi_f32_to_bf16, 0x80000000u, 0x8000);
    cr_expect_eq(bits_of(gi_f16_to_f32(0x8000)), 0x80000000u);
    cr_expect_eq(bits_of(gi_bf16_to_f32(0x8000)), 0x80000000u);
}

/* PyTorch's bits: equal for every number; for NaN, torch keeps no payload
 * (the header comment of convert.h says how), so only NaN-ness and, for
 * float16, the sign are compared. */
static void expect_torch(to16_fn conv, uint32_t x, unsigned torch, int inf)
{
    const uint16_t got = conv(float_of(x));
    if ((x & 0x7fffffffu) <= FLOAT_INF) {
        cr_expect_eq(got, torch, "%08x: %04x, torch %04x", x, got, torch);
        return;
    }
    cr_expect_gt(torch & 0x7fffu, (unsigned)inf, "%08x: torch %04x", x,
                 torch);
    if (inf == F16_INF)
        cr_expect_eq(torch, (got & 0x8000u) | 0x7e00u, "%08x", x);
}

Test(convert, pytorch_agrees)
{
    char *text = read_file(GINIT_TEST_DATA_DIR "/convert_cases.txt");
    int lines = 0, total = -1, nans = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned x, h, b;
        if (line[0] == '#' || sscanf(line, "cases %d", &total) == 1)
            continue;
        cr_assert_eq(sscanf(line, "%x %x %x", &x, &h, &b), 3, "%s", line);
        expect_torch(gi_f32_to_f16, x, h, F16_INF);
        expect_torch(gi_f32_to_bf16, x, b, BF16_INF);
        nans += (x & 0x7fffffffu) > FLOAT_INF;
        ++lines;
    }
    cr_expect_eq(lines, total, "the file is cut short");
    cr_expect_gt(nans, 100);
    free(text);
}

/* ---- the bulk conversions of src/cpu/cpu_convert.c ---- */

/* The paths against the same reference as convert.h, so equal to it on
 * every float. Where the CPU lacks F16C or AVX2, the first two test the
 * portable path again. */
static void bulk_every_float(const format16 *f, bulk_to16 bulk, int portable)
{
    gi_cpu_portable = portable;
    check_every_float(f, bulk);
    gi_cpu_portable = 0;
}

Test(cpu_convert, f16_vector_every_float)
{
    bulk_every_float(f16_format(), gi_cpu_f32_to_f16, 0);
}

Test(cpu_convert, bf16_vector_every_float)
{
    bulk_every_float(bf16_format(), gi_cpu_f32_to_bf16, 0);
}

Test(cpu_convert, f16_portable_every_float)
{
    bulk_every_float(f16_format(), gi_cpu_f32_to_f16, 1);
}

Test(cpu_convert, bf16_portable_every_float)
{
    bulk_every_float(bf16_format(), gi_cpu_f32_to_bf16, 1);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* The fills' bfloat16 store without the NaN select (their laws give no
 * NaN), as a bulk conversion for check_every_float: every lane comes from
 * the vector, but a NaN lane takes convert.h's scalar result, so the
 * check proves the vector on every float that is not a NaN. */
__attribute__((target("avx2"))) static void
bf16_no_nan_bulk(const float *src, uint16_t *dst, int64_t n)
{
    for (int64_t i = 0; i + 8 <= n; i += 8) {
        _mm_storeu_si128((__m128i *)(dst + i),
                         gi_bf16x8_avx2_no_nan(_mm256_loadu_ps(src + i)));
        for (int k = 0; k < 8; ++k)
            if (isnan(src[i + k]))
                dst[i + k] = gi_f32_to_bf16(src[i + k]);
    }
}

Test(cpu_convert, bf16_no_nan_vector_every_float)
{
    if (!__builtin_cpu_supports("avx2"))
        cr_skip_test("no AVX2 here");
    cr_assert_eq(BATCH % 8, 0);
    check_every_float(bf16_format(), bf16_no_nan_bulk);
}
#endif

/* All 2^16 patterns back to float, both paths, against convert.h. */
Test(cpu_convert, every_half_to_float)
{
    static uint16_t src[0x10000];
    static float dst[0x10000];
    for (uint32_t h = 0; h < 0x10000u; ++h)
        src[h] = (uint16_t)h;
    for (int portable = 0; portable < 2; ++portable) {
        gi_cpu_portable = portable;
        gi_cpu_f16_to_f32(src, dst, 0x10000);
        for (uint32_t h = 0; h < 0x10000u; ++h)
            cr_assert_eq(bits_of(dst[h]), bits_of(gi_f16_to_f32(src[h])),
                         "float16 %04x, portable %d", h, portable);
        gi_cpu_bf16_to_f32(src, dst, 0x10000);
        for (uint32_t h = 0; h < 0x10000u; ++h)
            cr_assert_eq(bits_of(dst[h]), bits_of(gi_bf16_to_f32(src[h])),
                         "bfloat16 %04x, portable %d", h, portable);
    }
    gi_cpu_portable = 0;
}

/* Every length up to three vectors and more, from unaligned addresses:
 * each element written, nothing past the end. */
Test(cpu_convert, lengths_and_offsets)
{
    float src[80];
    uint16_t dst[96];
    for (int i = 0; i < 80; ++i)
        src[i] = float_of(0x3f800000u + 0x1234u * (uint32_t)i);
    const bulk_to16 bulks[] = {gi_cpu_f32_to_f16, gi_cpu_f32_to_bf16};
    const to16_fn convs[] = {gi_f32_to_f16, gi_f32_to_bf16};
    for (int c = 0; c < 2; ++c)
        for (int off = 0; off < 3; ++off)
            for (int n = 0; n <= 77; ++n) {
                memset(dst, 0xab, sizeof dst);
                bulks[c](src + off, dst + off, n);
                for (int i = 0; i < 96; ++i) {
                    const int in = i >= off && i < off + n;
                    const uint16_t want = in ? convs[c](src[i]) : 0xabab;
                    cr_assert_eq(dst[i], want, "%d: n %d off %d", c, n, off);
                }
            }
}

#if defined(__x86_64__)
/* The caller's MXCSR may flush denormals (-ffast-math sets FTZ and DAZ at
 * start-up); the vector paths must not follow it. */
Test(cpu_convert, ignores_flush_to_zero)
{
    static float src[BATCH], got[BATCH];
    static uint16_t h[BATCH];
    _mm_setcsr(_mm_getcsr() | 0x8040); /* FTZ and DAZ */
    for (uint32_t i = 0; i < BATCH; ++i) /* float subnormals and above */
        src[i] = float_of(0x00000001u + i * 0x200u);
    gi_cpu_f32_to_bf16(src, h, BATCH);
    for (uint32_t i = 0; i < BATCH; ++i)
        cr_assert_eq(h[i], gi_f32_to_bf16(src[i]), "%08x", bits_of(src[i]));
    for (uint32_t i = 0; i < BATCH; ++i) /* float16 subnormal results */
        src[i] = float_of(0x33000000u + i * 0x100u);
    gi_cpu_f32_to_f16(src, h, BATCH);
    for (uint32_t i = 0; i < BATCH; ++i)
        cr_assert_eq(h[i], gi_f32_to_f16(src[i]), "%08x", bits_of(src[i]));
    for (uint32_t i = 0; i < BATCH; ++i)
        h[i] = (uint16_t)i;
    gi_cpu_f16_to_f32(h, got, BATCH);
    for (uint32_t i = 0; i < BATCH; ++i)
        cr_assert_eq(bits_of(got[i]), bits_of(gi_f16_to_f32(h[i])), "%04x",
                     i);
}
#endif
