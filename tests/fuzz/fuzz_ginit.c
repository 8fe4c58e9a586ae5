/*
 * libFuzzer target for ginit's public API (CPU only).
 *
 * The input is a program for a small command interpreter: each command is one
 * opcode byte followed by its operands, read from the input as needed (an
 * exhausted input reads as zeros and ends the program). Commands create and
 * destroy contexts, tensors (some over memory the program lends, at any
 * offset, with or without a release function), views, generators and module
 * trees, run every
 * in-place operation and initializer with fuzzed arguments (NaN and infinities
 * included), initializer descriptors (gi_init_, gi_module_init_), forward,
 * apply, named_parameters, print and format, and DLPack: exports of any
 * tensor taken back in, and capsules with fuzzed fields over a buffer of
 * the interpreter's. Handles live
 * in small fixed arrays; whatever is left is destroyed at the end of each
 * input, in a fuzzed order, so any leak is the library's.
 *
 * The interpreter never calls the API in a way include/ginit.h documents as
 * undefined: it never uses a handle after destroying it (nor a module after
 * destroying its root, nor a borrowed parameter after its module), never
 * destroys a context's default generator, and passes host buffers that are as
 * large as the sizes it gives (a DLPack capsule may claim more memory than
 * it lends, which no library can detect: the tensor made of it is then
 * never written). It also never asks for a tensor the library would really
 * allocate above 4096 elements (forward outputs: 4096 rows of at most 64),
 * so runs stay fast and below libFuzzer's malloc limit; sizes
 * the API must refuse (negative, or bytes past SIZE_MAX) and zero-element
 * shapes with huge dimensions go straight to the API.
 *
 * Besides crashes, sanitizer reports and leaks, a few documented promises are
 * checked and abort() when broken (see check()):
 *  - a failed call leaves its tensor's elements and every generator as they
 *    were ("a failed fill does not touch the tensor and does not advance the
 *    generator"); a failed forward leaves the parameter count and the
 *    generator as they were; a failed gi_module_init_ leaves every
 *    parameter and every generator as they were;
 *  - uniform_ gives values in [a, b), trunc_normal_ values in [a, b],
 *    constant_/fill_ the exact bits, clamp_ values in [lo, hi] (or NaN), eye_
 *    the identity;
 *  - every returned status is one of gi_status's names.
 *
 * Build and run: tests/fuzz/build.sh, tests/fuzz/run.sh SECONDS. With
 * FUZZ_FAULTS=1 both use a library built with allocation-failure injection,
 * which one command drives. FUZZ_GINIT_TRACE=1 in the environment prints
 * each command and the status it got, to read what a reproducer does:
 *   FUZZ_GINIT_TRACE=1 build-fuzz/fuzz_ginit build-fuzz/artifacts/crash-...
 */
#define _GNU_SOURCE
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dlpack/dlpack.h>

#include "fuzz_check.h"
#include "ginit.h"

/* Largest tensor (elements) the interpreter lets the library allocate. */
#define CAP_NUMEL 4096
/* Sizes at least this large overflow the byte count (4 * 2^62 > SIZE_MAX),
 * so the API must refuse any non-empty tensor that has one. */
#define HUGE_MIN ((int64_t)1 << 62)

#define NCTX 3
#define NT 16
#define NG 4
#define NM 16
#define HOST_CAP (CAP_NUMEL + 16)

/* ---- reading the input --------------------------------------------------- */

typedef struct reader {
    const uint8_t *p;
    size_t n;
} reader;

static uint8_t u8(reader *r)
{
    if (r->n == 0)
        return 0;
    r->n--;
    return *r->p++;
}

static uint32_t u32(reader *r)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
        v |= (uint32_t)u8(r) << (8 * i);
    return v;
}

static uint64_t u64(reader *r)
{
    return (uint64_t)u32(r) | (uint64_t)u32(r) << 32;
}

static float f32_bits(uint32_t b)
{
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

/* Mostly interesting values; 0xF0 and above reads raw bits. */
static float fz_float(reader *r)
{
    static const float table[] = {
        0.0f, -0.0f, 1.0f, -1.0f, 0.5f, -0.5f, 2.0f, -2.0f, 0.1f, 3.0f,
        5.0f, 10.0f, -10.0f, 100.0f, 1e-3f, 1e-6f, 1e6f, 1e30f, -1e30f,
        FLT_MAX, -FLT_MAX, FLT_MIN, -FLT_MIN, 1e-45f, 0.25f, 0.75f,
        0.99999994f, 1.0000001f, 2.2360680f, 12.0f, -12.0f, 8.0f, -5.0f,
        0.01f, 1e-35f, 40.0f, -40.0f, 0.0f /* NaN */, 0.0f /* -NaN */,
        0.0f /* inf */, 0.0f /* -inf */};
    const int n = (int)(sizeof table / sizeof *table);
    uint8_t b = u8(r);
    if (b >= 0xF0)
        return f32_bits(u32(r));
    int i = b % n;
    switch (n - i) {
    case 4: return NAN;
    case 3: return -NAN;
    case 2: return INFINITY;
    case 1: return -INFINITY;
    }
    return table[i];
}

/* Signed integers for indices and bounds. */
static int64_t fz_i64(reader *r)
{
    static const int64_t table[] = {
        0, 1, 2, 3, 4, 5, 7, 8, 16, -1, -2, -3, -4, -8, INT64_MIN,
        INT64_MAX, INT64_MAX - 1, (int64_t)1 << 31, (int64_t)1 << 32,
        (int64_t)1 << 40, (int64_t)1 << 62, INT_MAX, INT_MIN,
        -((int64_t)1 << 62), 6, 9, 10, 15, 31, 32, 33, 63, 64, 100, -100};
    const int n = (int)(sizeof table / sizeof *table);
    uint8_t b = u8(r);
    if (b >= 0xF0)
        return (int64_t)u64(r);
    return table[b % n];
}

/* A dimension: mostly small; some negative or huge (fine with a zero). */
static int64_t fz_dim(reader *r)
{
    static const int64_t special[] = {
        -1, INT64_MIN, INT64_MAX, (int64_t)1 << 31, (int64_t)1 << 32,
        (int64_t)1 << 40, (int64_t)1 << 61, (int64_t)1 << 62, -2,
        INT64_MAX - 3, 1000, 4097, 65};
    const int n = (int)(sizeof special / sizeof *special);
    uint8_t b = u8(r);
    if (b < 0xE0)
        return b % 17; /* 0..16 */
    return special[(b - 0xE0) % n];
}

/* Features of a Linear: small, or so large any non-empty product overflows. */
static int64_t fz_features(reader *r)
{
    static const int64_t special[] = {-1, INT64_MIN, INT64_MAX, HUGE_MIN,
                                      HUGE_MIN + 1, -HUGE_MIN};
    uint8_t b = u8(r);
    if (b < 0xF0)
        return b % 65; /* 0..64 */
    return special[(b - 0xF0) % 6];
}

/* ---- checks (check() is fuzz_check.h's) ------------------------------------ */

/* FUZZ_GINIT_TRACE=1 in the environment prints each command and status:
 * for reading what a reproducer does. */
static int trace;

static gi_status known_at(gi_status st, int line)
{
    check(strcmp(gi_status_name(st), "GI_UNKNOWN_STATUS") != 0);
    if (trace)
        fprintf(stderr, "    line %d: %s%s%s\n", line, gi_status_name(st),
                st != GI_OK ? ": " : "", st != GI_OK ? gi_last_error() : "");
    return st;
}
#define known(st) known_at((st), __LINE__)

/* Saturating product of sizes (negative sizes are not passed here). */
static uint64_t sat_mul(uint64_t a, uint64_t b)
{
    if (a != 0 && b > UINT64_MAX / a)
        return UINT64_MAX;
    return a * b;
}

/* Whether the API may be given this shape: anything it must refuse (bad
 * ndim, a negative size, more than SIZE_MAX bytes), anything empty, and
 * anything up to CAP_NUMEL elements; not the sizes in between, which it
 * would really try to allocate. */
static int shape_ok(int ndim, const int64_t *shape)
{
    if (ndim < 0 || ndim > GI_MAX_DIMS)
        return 1;
    uint64_t n = 1;
    for (int d = 0; d < ndim; ++d) {
        if (shape[d] < 0)
            return 1;
        n = sat_mul(n, (uint64_t)shape[d]);
    }
    for (int d = 0; d < ndim; ++d)
        if (shape[d] == 0)
            return 1;
    return n <= CAP_NUMEL || n >= (uint64_t)HUGE_MIN;
}

/* ---- interpreter state ------------------------------------------------------ */

typedef struct state {
    reader r;
    gi_context ctx[NCTX];
    gi_tensor t[NT];
    gi_generator g[NG];
    int g_borrowed[NG]; /* a context's default generator: never destroyed */
    int g_ctx[NG];      /* for borrowed ones: the slot of their context */
    gi_module m[NM];
    FILE *mem;        /* unbuffered fmemopen on a small buffer: fills up */
    char membuf[512];
    FILE *grow;       /* open_memstream: grows */
    char *growbuf;
    size_t growlen;
    int depth;        /* callbacks nested in callbacks */
    /* raw elements of any dtype (8 bytes each at most), and their values */
    double host[HOST_CAP];
    double snap[HOST_CAP];
    double vals[HOST_CAP];
    /* memory the program lends to tensors (gi_tensor_from_blob): freed
     * after every tensor is gone; ASan sees any access outside it */
    unsigned char *arena;
    int loans, released; /* loans with a release function, and releases */
    /* a producer's DLPack capsule and the memory it lends */
    struct capsule {
        DLManagedTensor m;
        int64_t shape[16], strides[16];
        int deleted;
    } cap;
    double lent[HOST_CAP];
} state;

static FILE *devnull_w, *devnull_r;

/* Bytes of one element of dtype (1 for a value that is no gi_dtype). */
static size_t dtype_bytes(gi_dtype dtype)
{
    switch (dtype) {
    case GI_F64: return 8;
    case GI_F32: return 4;
    case GI_F16: case GI_BF16: return 2;
    }
    return 1;
}

/* Bytes of one element of t (0 for NULL). */
static size_t elem_bytes(gi_tensor t)
{
    return t != NULL ? dtype_bytes(gi_tensor_dtype(t)) : 0;
}

/* The value of element i of raw elements p of dtype dt, decoded here
 * rather than by the library under test. */
static double decode(gi_dtype dt, const void *p, int64_t i)
{
    if (dt == GI_F64)
        return ((const double *)p)[i];
    if (dt == GI_F32)
        return ((const float *)p)[i];
    uint16_t h = ((const uint16_t *)p)[i];
    if (dt == GI_BF16)
        return f32_bits((uint32_t)h << 16);
    int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    double v = e == 0 ? ldexp(m, -24)
               : e == 31 ? (m != 0 ? NAN : INFINITY)
                         : ldexp(m | 0x400, e - 25);
    return (h & 0x8000) ? -v : v;
}

static gi_context pick_ctx(state *s)
{
    uint8_t b = u8(&s->r);
    return b % 8 == 7 ? NULL : s->ctx[b % NCTX];
}

static int slot_t(state *s) { return u8(&s->r) % NT; }
static int slot_m(state *s) { return u8(&s->r) % NM; }


static gi_module pick_m(state *s)
{
    uint8_t b = u8(&s->r);
    return b == 0xFF ? NULL : s->m[b % NM];
}

static gi_generator pick_g(state *s)
{
    uint8_t b = u8(&s->r);
    return b % 6 >= NG ? NULL : s->g[b % 6];
}

/* A tensor to operate on: a tensor or view of ours, or a parameter of one of
 * our modules (borrowed, used right away). */
static gi_tensor pick_target(state *s)
{
    uint8_t b = u8(&s->r);
    if (b < 0xA0)
        return b == 0x9F ? NULL : s->t[b % NT];
    gi_module m = s->m[b % NM];
    return (b & 1) ? gi_module_bias(m) : gi_module_weight(m);
}

static void put_t(state *s, int slot, gi_tensor t)
{
    gi_tensor_destroy(s->t[slot]);
    s->t[slot] = t;
}

static void drop_t(state *s, int slot)
{
    gi_tensor_destroy(s->t[slot]);
    s->t[slot] = NULL;
}

static void drop_g(state *s, int slot)
{
    if (!s->g_borrowed[slot])
        gi_generator_destroy(s->g[slot]);
    s->g[slot] = NULL;
    s->g_borrowed[slot] = 0;
}

static void drop_ctx(state *s, int slot)
{
    if (s->ctx[slot] == NULL)
        return;
    /* Borrowed default generators are valid while the context lives; once
     * our handle is gone we no longer know that it does. */
    for (int i = 0; i < NG; ++i)
        if (s->g_borrowed[i] && s->g_ctx[i] == slot)
            drop_g(s, i);
    gi_context_destroy(s->ctx[slot]);
    s->ctx[slot] = NULL;
}

static gi_module root_of(gi_module m)
{
    while (gi_module_parent(m) != NULL)
        m = gi_module_parent(m);
    return m;
}

/* Destroys the tree whose root is that of slot's module (when slot holds a
 * root; a child is left alone, as the API does), forgetting every handle of
 * ours into the tree first. */
static void destroy_module(state *s, int slot)
{
    gi_module m = s->m[slot];
    if (m == NULL)
        return;
    if (gi_module_parent(m) != NULL) {
        gi_module_destroy(m); /* documented no-op */
        check(gi_module_parent(m) != NULL);
        return;
    }
    for (int i = 0; i < NM; ++i)
        if (s->m[i] != NULL && root_of(s->m[i]) == m)
            s->m[i] = NULL;
    gi_module_destroy(m);
}

static void put_m(state *s, int slot, gi_module m)
{
    if (s->m[slot] != NULL && gi_module_parent(s->m[slot]) == NULL)
        destroy_module(s, slot);
    s->m[slot] = m; /* a child's handle is just forgotten */
}

/* ---- snapshots for "a failed call changes nothing" ---------------------- */

/* A generator's getters and a digest of its state bytes (a torch_cpu
 * generator's twister is in them only). */
typedef struct gen_state {
    uint64_t seed, stream, offset, digest;
} gen_state;

typedef struct snapshot {
    gi_tensor t;
    int64_t n; /* -1: not taken */
    gen_state g[NG];
    gi_generator def; /* the tensor context's default generator */
    gen_state defst;
} snapshot;

#define STATE_CAP 5056 /* the largest kind's state: torch_cpu's */

/* FNV-1a over the state bytes; 0 for NULL. */
static uint64_t state_digest(gi_generator g)
{
    unsigned char buf[STATE_CAP];
    size_t n = 0;
    if (g == NULL || gi_generator_get_state(g, buf, sizeof buf, &n) != GI_OK)
        return 0;
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n; ++i)
        h = (h ^ buf[i]) * UINT64_C(0x100000001b3);
    return h;
}

static gen_state read_gen(gi_generator g)
{
    gen_state st = {gi_generator_seed(g), gi_generator_stream(g),
                    gi_generator_offset(g), state_digest(g)};
    return st;
}

static int same_gen(gen_state a, gen_state b)
{
    return a.seed == b.seed && a.stream == b.stream &&
           a.offset == b.offset && a.digest == b.digest;
}

static void take_snapshot(state *s, snapshot *sn, gi_tensor t)
{
    sn->t = t;
    sn->n = -1;
    int64_t n = gi_tensor_numel(t);
    if (t != NULL && n <= CAP_NUMEL &&
        gi_tensor_copy_to_host(t, s->snap, (size_t)n * elem_bytes(t)) ==
            GI_OK)
        sn->n = n;
    for (int i = 0; i < NG; ++i)
        sn->g[i] = read_gen(s->g[i]);
    sn->def = t != NULL ? gi_context_generator(gi_tensor_context(t)) : NULL;
    sn->defst = read_gen(sn->def);
}

/* After a call that failed: nothing it could reach has changed. */
static void expect_unchanged(state *s, const snapshot *sn)
{
    for (int i = 0; i < NG; ++i)
        check(same_gen(sn->g[i], read_gen(s->g[i])));
    check(same_gen(sn->defst, read_gen(sn->def)));
    if (sn->n < 0)
        return;
    const size_t nbytes = (size_t)sn->n * elem_bytes(sn->t);
    check(gi_tensor_copy_to_host(sn->t, s->host, nbytes) == GI_OK);
    check(memcmp(s->host, s->snap, nbytes) == 0);
}

/* Reads t into s->host and its values into s->vals when small enough;
 * returns the count or -1. */
static int64_t read_back(state *s, gi_tensor t)
{
    int64_t n = gi_tensor_numel(t);
    if (t == NULL || n > CAP_NUMEL)
        return -1;
    check(gi_tensor_copy_to_host(t, s->host, (size_t)n * elem_bytes(t)) ==
          GI_OK);
    for (int64_t i = 0; i < n; ++i)
        s->vals[i] = decode(gi_tensor_dtype(t), s->host, i);
    return n;
}

/* Whether v, an element of t, is x as t's dtype holds it: exactly for
 * float32 and float64 (x is a float), within the rounding of 16 bits. */
static int holds(gi_tensor t, double v, double x)
{
    if (v == x || (isnan(v) && isnan(x)))
        return 1;
    return elem_bytes(t) == 2 && isfinite(x) &&
           fabs(v - x) <= fabs(x) * 0x1p-8 + 0x1p-24;
}

/* ---- tensors ------------------------------------------------------------- */

static int read_shape(state *s, int64_t *shape)
{
    uint8_t b = u8(&s->r);
    int ndim = b % 5; /* 0..4 mostly */
    if (b >= 0xF0)
        ndim = (int)(int8_t)u8(&s->r) % 12; /* -11..11: invalid ones too */
    int k = ndim < 0 ? 0 : ndim > GI_MAX_DIMS + 2 ? GI_MAX_DIMS + 2 : ndim;
    for (int d = 0; d < k; ++d)
        shape[d] = fz_dim(&s->r);
    return ndim;
}

/* A shape (ndim at most the array's length, GI_MAX_DIMS + 2) that the
 * interpreter may ask the library for: 0 when it must not (shape_ok). */
static int read_asked_shape(state *s, int64_t *shape, int *ndim)
{
    *ndim = read_shape(s, shape);
    if (*ndim > GI_MAX_DIMS + 2)
        *ndim = GI_MAX_DIMS + 2;
    return shape_ok(*ndim, shape);
}

static void op_tensor_create(state *s)
{
    int slot = slot_t(s);
    gi_context ctx = pick_ctx(s);
    uint8_t b = u8(&s->r);
    /* float32 mostly, the other dtypes, or a value that is no gi_dtype */
    gi_dtype dtype = b < 0xF0 ? (gi_dtype)(b < 0x80 ? GI_F32 : b % 4)
                              : (gi_dtype)(b - 0xF0 + GI_BF16 + 1);
    int64_t shape[GI_MAX_DIMS + 2] = {0};
    int ndim = 0;
    if (!read_asked_shape(s, shape, &ndim))
        return;
    const int64_t *sp = (u8(&s->r) == 0xFF) ? NULL : shape;
    gi_tensor t = NULL;
    gi_status st = known(gi_tensor_create(&t, ctx, dtype, ndim, sp));
    if (st == GI_OK) {
        check(t != NULL && gi_tensor_ndim(t) == ndim);
        int64_t n = read_back(s, t);
        for (int64_t i = 0; i < n; ++i)
            check(s->vals[i] == 0.0 && !signbit(s->vals[i]));
        put_t(s, slot, t);
    }
}

static void op_tensor_rand(state *s)
{
    int slot = slot_t(s);
    gi_context ctx = pick_ctx(s);
    gi_generator gen = pick_g(s);
    int normal = u8(&s->r) & 1;
    int64_t shape[GI_MAX_DIMS + 2] = {0};
    int ndim = 0;
    if (!read_asked_shape(s, shape, &ndim))
        return;
    gen_state before = read_gen(gen);
    gi_tensor t = NULL;
    gi_status st = known(normal ? gi_randn(&t, ctx, ndim, shape, gen)
                                : gi_rand(&t, ctx, ndim, shape, gen));
    if (st != GI_OK) {
        check(same_gen(before, read_gen(gen)));
        return;
    }
    int64_t n = read_back(s, t);
    for (int64_t i = 0; i < n; ++i)
        check(normal ? isfinite(s->vals[i])
                     : s->vals[i] >= 0.0 && s->vals[i] < 1.0);
    put_t(s, slot, t);
}

static void op_view(state *s)
{
    int slot = slot_t(s);
    gi_tensor src = pick_target(s);
    uint8_t kind = u8(&s->r);
    int64_t a = fz_i64(&s->r), b = fz_i64(&s->r);
    gi_tensor v = NULL;
    gi_status st;
    int64_t shape[GI_MAX_DIMS + 2];
    int ndim = 0;
    if (kind % 6 >= 4) { /* a shape, its sizes -1 now and then */
        ndim = read_shape(s, shape);
        for (int d = 0; d < ndim && d < GI_MAX_DIMS + 2; ++d)
            if ((u8(&s->r) & 7) == 0)
                shape[d] = -1;
    }
    switch (kind % 6) {
    case 0: st = gi_tensor_select(&v, src, a); break;
    case 1: st = gi_tensor_slice(&v, src, a, b); break;
    case 2: st = gi_tensor_slice(&v, src, a, GI_END); break;
    case 3: st = gi_tensor_clone(&v, src); break;
    case 4: st = gi_tensor_view(&v, src, ndim, shape); break;
    default:
        st = gi_tensor_view_range(&v, src, a % 64, ndim, shape);
        break;
    }
    known(st);
    if (st != GI_OK) {
        check(v == NULL);
    } else {
        check(v != NULL && gi_tensor_dtype(v) == gi_tensor_dtype(src));
        check(gi_tensor_numel(v) <= gi_tensor_numel(src));
        check(kind % 6 != 4 || gi_tensor_numel(v) == gi_tensor_numel(src));
        put_t(s, slot, v);
    }
}

#define ARENA_BYTES (CAP_NUMEL * 8 + 64)

static void count_release(void *data, void *user)
{
    state *s = user;
    check(data == NULL || ((unsigned char *)data >= s->arena &&
                           (unsigned char *)data < s->arena + ARENA_BYTES));
    s->released++;
}

/* The program's memory as a tensor, at any byte offset (misaligned ones
 * must be refused), with or without a release function. A shape that
 * claims more than the arena holds is never asked: no library can tell
 * how much memory a pointer really has. */
static void op_from_blob(state *s)
{
    int slot = slot_t(s);
    gi_context ctx = pick_ctx(s);
    uint8_t b = u8(&s->r);
    gi_dtype dtype = b < 0xF0 ? (gi_dtype)(b % 4)
                              : (gi_dtype)(b - 0xF0 + GI_BF16 + 1);
    size_t offset = u8(&s->r) % 64, elem = dtype_bytes(dtype);
    uint8_t how = u8(&s->r);
    int64_t shape[GI_MAX_DIMS + 2] = {0};
    int ndim = 0;
    if (!read_asked_shape(s, shape, &ndim))
        return;
    uint64_t n = 1;
    int valid = ndim >= 0 && ndim <= GI_MAX_DIMS;
    for (int d = 0; valid && d < ndim; ++d) {
        valid = shape[d] >= 0;
        n = valid ? sat_mul(n, (uint64_t)shape[d]) : 0;
    }
    if (valid && n < (uint64_t)HUGE_MIN && n * elem + offset > ARENA_BYTES)
        return;
    void *data = (how & 2) && n == 0 ? NULL : s->arena + offset;
    gi_tensor t = NULL;
    int before = s->released;
    gi_status st = known(gi_tensor_from_blob(&t, ctx, data, dtype, ndim, shape,
                                             (how & 1) ? count_release : NULL,
                                             s));
    check(s->released == before);
    if (st != GI_OK) {
        check(t == NULL);
        return;
    }
    check(n == 0 || offset % elem == 0);
    s->loans += how & 1;
    put_t(s, slot, t);
}

static void op_copy(state *s)
{
    gi_tensor dst = pick_target(s), src = pick_target(s);
    snapshot sn;
    take_snapshot(s, &sn, dst);
    gi_status st = known(gi_tensor_copy_(dst, src));
    if (st != GI_OK)
        expect_unchanged(s, &sn);
}

/* t.to(dtype), fuzzed dtype; through float64 and back every element but
 * NaN is exactly what it was (float64 holds every value of every dtype). */
static void op_convert(state *s)
{
    gi_tensor t = pick_target(s), wide = NULL, back = NULL;
    uint8_t b = u8(&s->r);
    gi_dtype dtype = (gi_dtype)(b < 0xF0 ? b % 4 : (int8_t)b);
    gi_status st = known(gi_tensor_to(&wide, t, dtype));
    if (st != GI_OK)
        return;
    check(gi_tensor_dtype(wide) == dtype &&
          gi_tensor_numel(wide) == gi_tensor_numel(t));
    gi_tensor_destroy(wide);
    wide = NULL;
    if (known(gi_tensor_to(&wide, t, GI_F64)) == GI_OK &&
        known(gi_tensor_to(&back, wide, gi_tensor_dtype(t))) == GI_OK) {
        int64_t n = read_back(s, t);
        if (n >= 0) {
            memcpy(s->snap, s->host, (size_t)n * elem_bytes(t));
            check(read_back(s, back) == n);
            const size_t size = elem_bytes(t);
            for (int64_t i = 0; i < n; ++i)
                check(isnan(s->vals[i]) ||
                      memcmp((char *)s->host + i * size,
                             (char *)s->snap + i * size, size) == 0);
        }
    }
    gi_tensor_destroy(back);
    gi_tensor_destroy(wide);
}

static size_t fz_nbytes(state *s, gi_tensor t)
{
    size_t exact = (size_t)gi_tensor_numel(t) * elem_bytes(t);
    uint8_t b = u8(&s->r);
    size_t v;
    switch (b % 6) {
    case 0: v = 0; break;
    case 1: v = exact + 4; break;
    case 2: v = exact >= 4 ? exact - 4 : 0; break;
    case 3: return SIZE_MAX; /* never the exact size: refused */
    case 4: v = (size_t)u8(&s->r) * 4; break;
    default: v = exact; break;
    }
    return v <= sizeof s->host ? v : 0;
}

static void op_host(state *s)
{
    gi_tensor t = pick_target(s);
    uint8_t b = u8(&s->r);
    size_t nbytes = fz_nbytes(s, t);
    void *buf = (b & 2) ? NULL : s->host;
    if (b & 1) {
        float v = fz_float(&s->r), *h = (float *)s->host;
        for (size_t i = 0; i < 2 * HOST_CAP; ++i) /* any dtype's bits */
            h[i] = (i % 7 == 3) ? v : (float)i * 0.5f;
        snapshot sn;
        take_snapshot(s, &sn, t);
        gi_status st = known(gi_tensor_copy_from_host(t, buf, nbytes));
        if (st != GI_OK)
            expect_unchanged(s, &sn);
    } else {
        known(gi_tensor_copy_to_host(t, buf, nbytes));
    }
}

static void op_element(state *s)
{
    gi_tensor t = pick_target(s);
    uint8_t b = u8(&s->r);
    int nindex = (int)(b % (GI_MAX_DIMS + 2));
    if (b >= 0xF8)
        nindex = -1 - (b & 3);
    int64_t index[GI_MAX_DIMS + 2];
    for (int d = 0; d < GI_MAX_DIMS + 2; ++d)
        index[d] = d < nindex ? fz_i64(&s->r) : 0;
    if (nindex == gi_tensor_ndim(t))
        for (int d = 0; d < nindex; ++d) /* mostly in range */
            if ((u8(&s->r) & 3) != 0 && gi_tensor_size(t, d) > 0)
                index[d] = (int64_t)((uint64_t)index[d] %
                                     (uint64_t)gi_tensor_size(t, d));
    const int64_t *ip = (b & 0x40) && nindex > 0 ? NULL : index;
    double out = 0.0, value = fz_float(&s->r);
    switch (u8(&s->r) % 4) {
    case 0:
        known(gi_tensor_get(t, nindex, ip, (b & 0x80) ? NULL : &out));
        break;
    case 1: {
        snapshot sn;
        take_snapshot(s, &sn, t);
        gi_status st = known(gi_tensor_set(t, nindex, ip, value));
        if (st != GI_OK) {
            expect_unchanged(s, &sn);
        } else {
            /* value as t's dtype holds it; once held, kept exactly */
            double back = 0.0, again = 0.0;
            check(gi_tensor_get(t, nindex, ip, &back) == GI_OK);
            check(holds(t, back, value));
            check(gi_tensor_set(t, nindex, ip, back) == GI_OK);
            check(gi_tensor_get(t, nindex, ip, &again) == GI_OK);
            check(memcmp(&back, &again, sizeof back) == 0);
        }
        break;
    }
    default:
        known(gi_tensor_item(t, (b & 0x80) ? NULL : &out));
        break;
    }
}

static void op_query(state *s)
{
    gi_tensor t = pick_target(s);
    int dim = (int)fz_i64(&s->r);
    int nd = gi_tensor_ndim(t);
    int64_t numel = gi_tensor_numel(t);
    const int64_t *shape = gi_tensor_shape(t);
    check(nd >= 0 && nd <= GI_MAX_DIMS && numel >= 0);
    check((t == NULL) == (shape == NULL));
    int64_t sz = gi_tensor_size(t, dim);
    check(sz >= -1);
    (void)gi_dtype_name(gi_tensor_dtype(t));
    gi_context c = gi_tensor_context(t);
    (void)gi_context_device(c);
    (void)gi_context_device_info(c);
    int64_t in = -7, out = -7;
    uint8_t b = u8(&s->r);
    gi_status st = known(gi_calculate_fans(t, (b & 1) ? NULL : &in,
                                           (b & 2) ? NULL : &out));
    (void)st;
    if (b & 4)
        known(gi_tensor_print_shape(t, (b & 8) ? devnull_r : s->mem));
}

/* ---- in-place operations and initializers ------------------------------ */

static void fz_components(state *s, gi_component *c, int n)
{
    uint8_t mode = u8(&s->r);
    float total = 0.0f;
    for (int j = 0; j < n; ++j) {
        uint8_t b = u8(&s->r);
        c[j].law = b < 0xF0 ? (gi_component_law)(b % 3)
                            : (gi_component_law)(int8_t)b;
        c[j].a = fz_float(&s->r);
        c[j].b = fz_float(&s->r);
        if (mode & 1) {
            c[j].prob = (float)(u8(&s->r) + 1);
            total += c[j].prob;
        } else {
            c[j].prob = fz_float(&s->r);
        }
    }
    if (mode & 1) /* a valid distribution */
        for (int j = 0; j < n; ++j)
            c[j].prob /= total;
}

/* Runs one operation chosen by the input on t. Checks what a failure or a
 * success promises. */
static void run_op(state *s, gi_tensor t)
{
    uint8_t op = u8(&s->r);
    gi_generator gen = pick_g(s);
    float a = fz_float(&s->r), b = fz_float(&s->r);
    float c = fz_float(&s->r), d = fz_float(&s->r);
    snapshot sn;
    take_snapshot(s, &sn, t);
    gi_status st;
    enum { NONE, RANGE_CO, RANGE_CC, EXACT, CLAMPED, EYE } post = NONE;
    switch (op % 30) {
    case 0: st = gi_fill_(t, a); post = EXACT; break;
    case 1: st = gi_add_scalar_(t, a); break;
    case 2: st = gi_mul_scalar_(t, a); break;
    case 3: st = gi_clamp_(t, a, b); post = CLAMPED; break;
    case 4: st = gi_masked_fill_(t, (gi_compare)(int8_t)u8(&s->r), a, b); break;
    case 5: st = gi_mul_mask_(t, (gi_compare)(int8_t)u8(&s->r), a); break;
    case 6: st = gi_add_(t, pick_target(s), a); break;
    case 7: st = gi_mul_(t, pick_target(s)); break;
    case 8: st = gi_uniform_(t, a, b, gen); post = RANGE_CO; break;
    case 9: st = gi_normal_(t, a, b, gen); break;
    case 10: st = gi_constant_(t, a); post = EXACT; break;
    case 11: st = gi_zeros_(t); a = 0.0f; post = EXACT; break;
    case 12: st = gi_ones_(t); a = 1.0f; post = EXACT; break;
    case 13: st = gi_xavier_uniform_(t, a, gen); break;
    case 14: st = gi_xavier_normal_(t, a, gen); break;
    case 15:
        st = gi_kaiming_uniform_(t, a, (gi_fan_mode)(int8_t)u8(&s->r),
                                 (gi_nonlinearity)(int8_t)u8(&s->r), gen);
        break;
    case 16:
        st = gi_kaiming_normal_(t, a, (gi_fan_mode)(int8_t)u8(&s->r),
                                (gi_nonlinearity)(int8_t)u8(&s->r), gen);
        break;
    case 17:
        st = gi_trunc_normal_(t, a, b, c, d, gen);
        a = c;
        b = d;
        post = RANGE_CC;
        break;
    case 18: st = gi_eye_(t); post = EYE; break;
    case 19: st = gi_dirac_(t, fz_i64(&s->r)); break;
    case 20: st = gi_orthogonal_(t, a, gen); break;
    case 21: st = gi_sparse_(t, a, b, gen); break;
    case 22:
        st = gi_variance_scaling_(t, a, (gi_fan_mode)(int8_t)u8(&s->r),
                                  (gi_distribution)(int8_t)u8(&s->r), gen);
        break;
    case 23: st = gi_lecun_normal_(t, gen); break;
    case 24: st = gi_lecun_uniform_(t, gen); break;
    case 25: {
        gi_component comps[GI_MAX_COMPONENTS + 2];
        uint8_t kb = u8(&s->r);
        int k = kb % (GI_MAX_COMPONENTS + 2);
        if (kb >= 0xF8)
            k = -(kb & 3);
        fz_components(s, comps, k > 0 ? k : 0);
        st = gi_mixture_(t, k, (kb & 0x40) && kb < 0xF8 ? NULL : comps, gen);
        break;
    }
    case 26: /* the usual arguments, valid ones */
        st = gi_uniform_(t, -1.0f, 1.0f, gen);
        a = -1.0f;
        b = 1.0f;
        post = RANGE_CO;
        break;
    case 27:
        st = gi_trunc_normal_(t, 0.0f, 1.0f, -2.0f, 2.0f, gen);
        a = -2.0f;
        b = 2.0f;
        post = RANGE_CC;
        break;
    case 28:
        st = gi_kaiming_uniform_(t, 2.2360680f, GI_FAN_IN,
                                 GI_NONLIN_LEAKY_RELU, gen);
        break;
    default:
        st = gi_sparse_(t, 0.5f, 0.01f, gen);
        break;
    }
    known(st);
    if (st != GI_OK) {
        expect_unchanged(s, &sn);
        return;
    }
    /* PyTorch's uniform_, which a torch_cpu generator replays, computes
     * x * (b - a) + a in float, which can round up to b */
    gi_generator used = gen != NULL ? gen
                                    : gi_context_generator(gi_tensor_context(t));
    const int torch = gi_generator_kind_of(used) == GI_GENERATOR_TORCH_CPU;
    int64_t n = read_back(s, t);
    for (int64_t i = 0; i < n; ++i) {
        double v = s->vals[i];
        switch (post) {
        case RANGE_CO: /* a == b: the constant a, in the tensor's dtype */
            check(a == b ? holds(t, v, a)
                         : v >= a && (v < b || (torch && v == b)));
            break;
        case RANGE_CC: check(v >= a && v <= b); break;
        case EXACT: check(holds(t, v, a)); break;
        case CLAMPED: /* torch.clamp: hi when lo > hi; NaN bounds: NaN */
            check(isnan(v) || (a > b ? holds(t, v, b)
                                     : (v >= a || holds(t, v, a)) &&
                                           (v <= b || holds(t, v, b))));
            break;
        case EYE: {
            int64_t cols = gi_tensor_size(t, 1);
            check(v == ((i / cols == i % cols) ? 1.0 : 0.0));
            break;
        }
        default: break;
        }
    }
}

static void op_inplace(state *s) { run_op(s, pick_target(s)); }

/* ---- generators ----------------------------------------------------------- */

/* The torch_cpu generator's own calls: creation of any kind, its two
 * settings and its state bytes, fuzzed; a refused call changes nothing. */
static void op_torch_generator(state *s, int slot, uint8_t b)
{
    gi_generator g = s->g[slot];
    gen_state before = read_gen(g);
    gi_status st;
    switch (b % 5) {
    case 0: {
        gi_generator made = NULL;
        gi_generator_kind kind = (b & 0x40)
                                     ? (gi_generator_kind)(int8_t)u8(&s->r)
                                     : GI_GENERATOR_TORCH_CPU;
        if (known(gi_generator_create_kind((b & 0x80) ? NULL : &made, kind,
                                           u64(&s->r))) == GI_OK) {
            check(gi_generator_kind_of(made) == kind);
            drop_g(s, slot);
            s->g[slot] = made;
        }
        return;
    }
    case 1:
        st = known(gi_generator_set_torch_kernels(
            g, (gi_torch_kernels)((int8_t)u8(&s->r) % 3)));
        break;
    case 2:
        st = known(gi_generator_set_torch_trunc(
            g, (gi_torch_trunc)((int8_t)u8(&s->r) % 3)));
        break;
    case 3: { /* its own bytes with a few fuzzed, or a fuzzed size */
        unsigned char buf[STATE_CAP + 1];
        size_t n = 0;
        if (g != NULL && gi_generator_get_state(g, buf, STATE_CAP, &n) == GI_OK)
            for (int k = u8(&s->r) % 4; k > 0; --k)
                buf[u32(&s->r) % n] = u8(&s->r);
        if (b & 0x80)
            n = u32(&s->r) % (STATE_CAP + 2);
        st = known(gi_generator_set_state(g, buf, n));
        break;
    }
    default: {
        gi_context c = pick_ctx(s);
        gi_generator_kind kind = (b & 0x40)
                                     ? (gi_generator_kind)(int8_t)u8(&s->r)
                                     : GI_GENERATOR_TORCH_CPU;
        if (known(gi_context_set_generator_kind(c, kind)) == GI_OK)
            check(gi_generator_kind_of(gi_context_generator(c)) == kind);
        return;
    }
    }
    if (st != GI_OK)
        check(same_gen(before, read_gen(g)));
}

static void op_generator(state *s)
{
    int slot = u8(&s->r) % NG;
    uint8_t b = u8(&s->r);
    if (b >= 0xC0) {
        op_torch_generator(s, slot, u8(&s->r));
        return;
    }
    switch (b % 8) {
    case 0: {
        gi_generator g = NULL;
        if (known(gi_generator_create((b & 0x80) ? NULL : &g, u64(&s->r))) ==
            GI_OK) {
            drop_g(s, slot);
            s->g[slot] = g;
        }
        break;
    }
    case 1: drop_g(s, slot); break;
    case 2: {
        uint64_t seed = u64(&s->r);
        gen_state before = read_gen(s->g[slot]);
        if (known(gi_generator_set_seed(s->g[slot], seed)) == GI_OK)
            check(gi_generator_seed(s->g[slot]) == seed &&
                  gi_generator_offset(s->g[slot]) == 0 &&
                  gi_generator_stream(s->g[slot]) == before.stream);
        break;
    }
    case 3: {
        uint64_t v = u64(&s->r);
        if (known(gi_generator_set_stream(s->g[slot], v)) == GI_OK)
            check(gi_generator_stream(s->g[slot]) == v);
        break;
    }
    case 4: {
        /* Offsets near 2^64 wrap Philox's counter: fair game. */
        uint64_t v = (b & 0x40) ? UINT64_MAX - u8(&s->r) : u64(&s->r);
        if (known(gi_generator_set_offset(s->g[slot], v)) == GI_OK)
            check(gi_generator_offset(s->g[slot]) == v);
        break;
    }
    case 5: { /* borrow a context's default generator */
        int c = u8(&s->r) % NCTX;
        gi_generator g = gi_context_generator(s->ctx[c]);
        check((g == NULL) == (s->ctx[c] == NULL));
        drop_g(s, slot);
        s->g[slot] = g;
        s->g_borrowed[slot] = g != NULL;
        s->g_ctx[slot] = c;
        break;
    }
    case 6: {
        gi_context c = pick_ctx(s);
        uint64_t seed = u64(&s->r);
        if (known(gi_manual_seed(c, seed)) == GI_OK)
            check(gi_generator_seed(gi_context_generator(c)) == seed &&
                  gi_generator_offset(gi_context_generator(c)) == 0);
        break;
    }
    default:
        (void)gi_generator_seed(s->g[slot]);
        (void)gi_generator_stream(s->g[slot]);
        (void)gi_generator_offset(s->g[slot]);
        break;
    }
}

/* ---- contexts ----------------------------------------------------------- */

static void op_context(state *s)
{
    int slot = u8(&s->r) % NCTX;
    uint8_t b = u8(&s->r);
    switch (b % 7) {
    case 6: { /* GINIT_DEVICE picks the device of an AUTO context */
        static const char *const env[] = {"cpu", "cuda", "auto", "", "gpu",
                                          "CPU"};
        setenv("GINIT_DEVICE", env[u8(&s->r) % 6], 1);
        gi_context c = NULL;
        gi_status st = known(gi_context_create(&c, GI_DEVICE_AUTO));
        unsetenv("GINIT_DEVICE");
        if (st == GI_OK) {
            check(gi_context_device(c) == GI_DEVICE_CPU);
            drop_ctx(s, slot);
            s->ctx[slot] = c;
        }
        break;
    }
    case 0: {
        static const int devices[] = {GI_DEVICE_CPU, GI_DEVICE_CPU,
                                      GI_DEVICE_AUTO, GI_DEVICE_CUDA, -1, 3,
                                      INT_MAX};
        gi_context c = NULL;
        gi_status st = known(gi_context_create(
            (b & 0x80) ? NULL : &c, (gi_device)devices[u8(&s->r) % 7]));
        if (st == GI_OK) {
            check(gi_context_device(c) == GI_DEVICE_CPU);
            drop_ctx(s, slot);
            s->ctx[slot] = c;
        }
        break;
    }
    case 1: drop_ctx(s, slot); break;
    case 2: {
        static const int threads[] = {0, 1, 2, 4, -1, INT_MIN, 3};
        known(gi_context_set_num_threads(s->ctx[slot],
                                         threads[u8(&s->r) % 7]));
        break;
    }
    case 3: known(gi_context_synchronize(s->ctx[slot])); break;
    case 4:
        (void)gi_context_device_info(s->ctx[slot]);
        (void)gi_device_name(gi_context_device(s->ctx[slot]));
        break;
    default: check(gi_cuda_available() == 0); break;
    }
}

/* ---- modules --------------------------------------------------------------- */

static void op_module_create(state *s)
{
    int slot = slot_m(s);
    gi_context ctx = pick_ctx(s);
    uint8_t b = u8(&s->r);
    gi_module m = NULL;
    gi_module *out = (b & 0x80) && (b & 0x40) ? NULL : &m;
    gi_status st;
    switch (b % 4) {
    case 0: {
        int64_t in = fz_features(&s->r), outf = fz_features(&s->r);
        int bias = (int)(int8_t)u8(&s->r) % 3;
        /* Weight out x in and bias out: refused, empty or small only. */
        if (in >= 0 && outf >= 0) {
            uint64_t w = sat_mul((uint64_t)in, (uint64_t)outf);
            if (w > CAP_NUMEL && w < (uint64_t)HUGE_MIN)
                return;
        }
        st = gi_linear_create(out, ctx, in, outf, bias, GI_F32);
        if (st == GI_OK) {
            check(gi_module_kind_of(m) == GI_MODULE_LINEAR);
            check(gi_linear_in_features(m) == in &&
                  gi_linear_out_features(m) == outf);
            check((gi_module_bias(m) != NULL) == (bias != 0));
        }
        break;
    }
    case 1: {
        int64_t outf = fz_features(&s->r);
        st = gi_lazy_linear_create(out, ctx, outf, u8(&s->r) & 1, GI_F32);
        if (st == GI_OK) {
            check(gi_module_kind_of(m) == GI_MODULE_LAZY_LINEAR);
            check(gi_module_weight(m) == NULL &&
                  gi_linear_in_features(m) == 0);
        }
        break;
    }
    case 2: st = gi_relu_create(out, ctx); break;
    case 3:
        if ((b & 0x30) == 0x30) { /* a deep chain: Sequential(...(leaf)) */
            int depth = 1 + u8(&s->r) * 2;
            uint8_t leaf = u8(&s->r);
            gi_module cur = NULL;
            st = leaf % 3 == 0 ? gi_relu_create(&cur, ctx)
                 : leaf % 3 == 1
                     ? gi_linear_create(&cur, ctx, 3, 2, 1, GI_F32)
                     : gi_lazy_linear_create(&cur, ctx, 2, 0, GI_F32);
            for (int i = 0; st == GI_OK && i < depth; ++i) {
                gi_module up = NULL;
                st = (leaf & 8) ? gi_sequential_create(&up, ctx, 1, &cur)
                                : gi_sequential_create(&up, ctx, 0, NULL);
                if (st == GI_OK && !(leaf & 8))
                    st = gi_sequential_append(up, cur);
                if (st != GI_OK) {
                    gi_module_destroy(up);
                    break;
                }
                cur = up;
            }
            if (st != GI_OK) {
                gi_module_destroy(cur);
                known(st);
                return;
            }
            m = cur;
            break;
        }
        /* fall through */
    default: {
        gi_module kids[NM];
        uint8_t nb = u8(&s->r);
        int n = nb % 6;
        for (int i = 0; i < n; ++i)
            kids[i] = pick_m(s);
        if (nb >= 0xF8)
            n = -1 - (nb & 3);
        const gi_module *kp = (nb & 0x40) && nb < 0xF8 ? NULL : kids;
        int was_root[NM];
        for (int i = 0; i < n; ++i)
            was_root[i] = kids[i] != NULL && gi_module_parent(kids[i]) == NULL;
        st = gi_sequential_create(out, ctx, n, kp);
        if (st == GI_OK) {
            check(gi_module_num_children(m) == n);
            for (int i = 0; i < n; ++i)
                check(gi_module_parent(kids[i]) == m);
        } else {
            /* "on failure nothing changes hands" */
            for (int i = 0; i < n && kp != NULL; ++i)
                if (kids[i] != NULL)
                    check((gi_module_parent(kids[i]) == NULL) == was_root[i]);
        }
        break;
    }
    }
    known(st);
    if (st == GI_OK) {
        check(gi_module_parent(m) == NULL);
        check(gi_module_context(m) == ctx);
        put_m(s, slot, m);
    }
}

static void op_append(state *s)
{
    gi_module seq = pick_m(s);
    uint8_t b = u8(&s->r);
    /* Self, twice, an ancestor, another context's: all fair game. */
    gi_module child = (b & 7) == 0 ? seq : pick_m(s);
    int64_t before = gi_module_num_children(seq);
    gi_module parent_before = gi_module_parent(child);
    gi_status st = known(gi_sequential_append(seq, child));
    if (st == GI_OK) {
        check(gi_module_num_children(seq) == before + 1);
        check(gi_module_parent(child) == seq);
        gi_module last = NULL;
        check(gi_module_child(seq, -1, &last) == GI_OK && last == child);
    } else {
        check(gi_module_num_children(seq) == before);
        check(gi_module_parent(child) == parent_before);
    }
}

static void op_module_destroy(state *s)
{
    int slot = slot_m(s);
    gi_module m = s->m[slot];
    if (m != NULL && gi_module_parent(m) != NULL && (u8(&s->r) & 1))
        s->m[slot] = NULL; /* forget a child's handle: its root owns it */
    else
        destroy_module(s, slot); /* a root: the tree; a child: a no-op */
}

static void op_module_query(state *s)
{
    gi_module m = pick_m(s);
    int slot = slot_m(s);
    int64_t idx = fz_i64(&s->r);
    uint8_t b = u8(&s->r);
    gi_module_kind k = gi_module_kind_of(m);
    (void)gi_module_kind_name(k);
    (void)gi_module_kind_name((gi_module_kind)(int8_t)b);
    (void)gi_module_context(m);
    int64_t nc = gi_module_num_children(m);
    check(nc >= 0);
    check(gi_module_num_parameters(m) >= 0);
    int64_t in = gi_linear_in_features(m), out = gi_linear_out_features(m);
    if (k == GI_MODULE_RELU || k == GI_MODULE_SEQUENTIAL)
        check(in == -1 && out == -1);
    gi_tensor w = gi_module_weight(m);
    if (w != NULL && in <= CAP_NUMEL && out <= CAP_NUMEL)
        check(gi_tensor_size(w, 0) == out && gi_tensor_size(w, 1) == in);
    gi_module c = NULL;
    gi_status st = known(gi_module_child(m, idx, (b & 0x80) ? NULL : &c));
    if (st == GI_OK) {
        check(gi_module_parent(c) == m);
        /* A borrowed handle into the tree: only when a root handle of ours
         * keeps the tree reachable (else we could not free it). */
        int reachable = 0;
        gi_module r = root_of(c);
        for (int i = 0; i < NM; ++i)
            if (i != slot && s->m[i] == r)
                reachable = 1;
        if (reachable && (b & 1))
            put_m(s, slot, c);
    }
}

/* Whether forwarding x cannot make the library allocate a large tensor:
 * rows (product of the leading sizes) and the last size are small, or so
 * large that every Linear refuses them before allocating. */
static int forward_ok(gi_tensor x)
{
    int nd = gi_tensor_ndim(x);
    if (x == NULL || nd == 0)
        return 1;
    const int64_t *sh = gi_tensor_shape(x);
    uint64_t rows = 1;
    for (int d = 0; d + 1 < nd; ++d)
        rows = sat_mul(rows, (uint64_t)sh[d]);
    uint64_t last = (uint64_t)sh[nd - 1];
    return (rows <= CAP_NUMEL || rows > INT_MAX) &&
           (last <= CAP_NUMEL || last > INT_MAX);
}

static void op_forward(state *s)
{
    gi_module m = pick_m(s);
    gi_tensor x = pick_target(s);
    int slot = slot_t(s);
    uint8_t b = u8(&s->r);
    if (!forward_ok(x))
        return;
    gi_context mc = gi_module_context(m);
    gi_generator g = gi_context_generator(mc);
    gen_state before = read_gen(g);
    int64_t params = gi_module_num_parameters(m);
    snapshot sn;
    take_snapshot(s, &sn, x);
    gi_tensor y = NULL;
    gi_status st = known(gi_module_forward(m, x, (b & 0x80) ? NULL : &y));
    if (st != GI_OK) {
        check(same_gen(before, read_gen(g)));
        check(gi_module_num_parameters(m) == params);
        expect_unchanged(s, &sn);
        return;
    }
    check(y != NULL && y != x);
    check(gi_tensor_ndim(y) == gi_tensor_ndim(x));
    for (int d = 0; d + 1 < gi_tensor_ndim(x); ++d)
        check(gi_tensor_size(y, d) == gi_tensor_size(x, d));
    put_t(s, slot, y);
}

/* apply: initializes parameters, queries, or stops the walk. */
static gi_status apply_cb(gi_module m, void *user)
{
    state *s = user;
    check(m != NULL);
    uint8_t b = u8(&s->r);
    switch (b % 6) {
    case 0: return GI_OK;
    case 1: { /* any status but GI_OK stops the walk and comes back */
        int v = (b >> 3) % 17;
        return v == 0 ? GI_ERR_INVALID_ARGUMENT : (gi_status)v;
    }
    case 2:
        if (gi_module_weight(m) != NULL)
            run_op(s, gi_module_weight(m));
        return GI_OK;
    case 3:
        if (gi_module_bias(m) != NULL)
            run_op(s, gi_module_bias(m));
        return GI_OK;
    case 4: /* what the chapter does: kaiming on weights, zeros on biases */
        if (gi_module_weight(m) != NULL) {
            gi_status st = gi_kaiming_normal_(gi_module_weight(m), 0.0f,
                                              GI_FAN_OUT, GI_NONLIN_RELU,
                                              NULL);
            check(st == GI_OK);
        }
        if (gi_module_bias(m) != NULL)
            check(gi_zeros_(gi_module_bias(m)) == GI_OK);
        return GI_OK;
    default:
        if (s->depth == 0) {
            s->depth++;
            known(gi_module_print(m, s->mem));
            s->depth--;
        }
        return GI_OK;
    }
}

static gi_status params_cb(const char *name, gi_tensor p, void *user)
{
    state *s = user;
    check(name != NULL && p != NULL);
    check(strlen(name) < 512);
    uint8_t b = u8(&s->r);
    switch (b % 5) {
    case 0: return GI_OK;
    case 1: {
        int v = (b >> 3) % 17;
        return v == 0 ? GI_ERR_STATE : (gi_status)v;
    }
    case 2: run_op(s, p); return GI_OK;
    case 3: { /* keep a view of the parameter: it outlives the module */
        gi_tensor v = NULL;
        if (gi_tensor_slice(&v, p, fz_i64(&s->r), fz_i64(&s->r)) == GI_OK)
            put_t(s, slot_t(s), v);
        return GI_OK;
    }
    default:
        known(gi_tensor_print(p, s->mem));
        return GI_OK;
    }
}

/* A descriptor of any kind (unknown ones too) with fuzzed arguments; a
 * mixture's components go to comps. */
static void fz_init(state *s, gi_init *spec, gi_component *comps)
{
    uint8_t kb = u8(&s->r);
    spec->kind = kb < 0xF0 ? (gi_init_kind)(kb % 15) : (gi_init_kind)(int8_t)kb;
    spec->a = fz_float(&s->r);
    spec->b = fz_float(&s->r);
    spec->c = fz_float(&s->r);
    spec->d = fz_float(&s->r);
    spec->mode = (gi_fan_mode)(int8_t)u8(&s->r);
    spec->nonlinearity = (gi_nonlinearity)(int8_t)u8(&s->r);
    spec->distribution = (gi_distribution)(int8_t)u8(&s->r);
    uint8_t k = u8(&s->r);
    spec->k = k < 0xF8 ? k % (GI_MAX_COMPONENTS + 2) : -(k & 3);
    fz_components(s, comps, spec->k > 0 ? spec->k : 0);
    spec->components = (k & 0x40) && k < 0xF8 ? NULL : comps;
}

/* gi_init_ on a target: a failure changes nothing. */
static void op_init(state *s)
{
    gi_tensor t = pick_target(s);
    gi_init spec;
    gi_component comps[GI_MAX_COMPONENTS + 2];
    fz_init(s, &spec, comps);
    gi_generator gen = pick_g(s);
    snapshot sn;
    take_snapshot(s, &sn, t);
    gi_status st = known(gi_init_(t, (u8(&s->r) & 7) == 7 ? NULL : &spec,
                                  gen));
    if (st != GI_OK)
        expect_unchanged(s, &sn);
}

/* FNV-1a over the bits of every parameter, into *(uint64_t *)user. */
static gi_status hash_param(const char *name, gi_tensor p, void *user)
{
    static double buf[HOST_CAP];
    (void)name;
    uint64_t *h = user;
    int64_t n = gi_tensor_numel(p);
    if (n > CAP_NUMEL)
        return GI_OK;
    const size_t nbytes = (size_t)n * elem_bytes(p);
    check(gi_tensor_copy_to_host(p, buf, nbytes) == GI_OK);
    const unsigned char *bytes = (const unsigned char *)buf;
    for (size_t i = 0; i < nbytes; ++i)
        *h = (*h ^ bytes[i]) * 0x100000001b3ull;
    return GI_OK;
}

static uint64_t hash_params(gi_module m)
{
    uint64_t h = 0xcbf29ce484222325ull;
    if (m != NULL)
        check(gi_module_named_parameters(m, hash_param, &h) == GI_OK);
    return h;
}

/* gi_module_init_ with fuzzed descriptors (or none): a failure leaves every
 * parameter and every generator as it was. */
static void op_module_init(state *s, gi_module m)
{
    gi_init w, b;
    gi_component cw[GI_MAX_COMPONENTS + 2], cb[GI_MAX_COMPONENTS + 2];
    fz_init(s, &w, cw);
    fz_init(s, &b, cb);
    uint8_t which = u8(&s->r);
    gi_generator gen = pick_g(s);
    snapshot sn;
    take_snapshot(s, &sn, NULL);
    sn.def = gi_context_generator(gi_module_context(m));
    sn.defst = read_gen(sn.def);
    uint64_t before = hash_params(m);
    gi_status st = known(gi_module_init_(m, (which & 1) ? NULL : &w,
                                         (which & 2) ? NULL : &b, gen));
    if (st != GI_OK) {
        expect_unchanged(s, &sn);
        check(hash_params(m) == before);
    }
}

static void op_apply(state *s)
{
    gi_module m = pick_m(s);
    uint8_t b = u8(&s->r);
    if (b & 4 && b & 8)
        op_module_init(s, m);
    else if (b & 4)
        op_init(s);
    else if (b & 1)
        known(gi_module_apply(m, (b & 2) ? NULL : apply_cb, s));
    else
        known(gi_module_named_parameters(m, (b & 2) ? NULL : params_cb, s));
}

/* ---- DLPack -------------------------------------------------------------- */

/* An export of t: the fields the header promises. */
static void check_export(gi_tensor t, const DLManagedTensor *m)
{
    const DLTensor *d = &m->dl_tensor;
    void *p = NULL;
    check(gi_tensor_data_ptr(t, &p) == GI_OK && d->data == p);
    check(d->device.device_type == kDLCPU && d->device.device_id == 0);
    check(d->ndim == gi_tensor_ndim(t) && d->byte_offset == 0);
    check(d->dtype.lanes == 1 && d->dtype.bits == 8 * elem_bytes(t));
    check(d->dtype.code == (gi_tensor_dtype(t) == GI_BF16 ? kDLBfloat
                                                           : kDLFloat));
    check(d->shape != NULL && d->strides != NULL && m->deleter != NULL);
    int64_t stride = 1;
    for (int i = d->ndim - 1; i >= 0; --i) {
        check(d->shape[i] == gi_tensor_shape(t)[i]);
        check(d->strides[i] == stride);
        stride *= d->shape[i] > 0 ? d->shape[i] : 1;
    }
}

/* A tensor (of a slot, which may go before the capsule is used, or any
 * target) exported, then taken back in on a fuzzed context, operated on
 * and destroyed, which runs the export's deleter. */
static void dl_round_trip(state *s, uint8_t b)
{
    int slot = slot_t(s);
    gi_tensor t = (b & 2) ? pick_target(s) : s->t[slot];
    DLManagedTensor *m = NULL;
    gi_status st = known(gi_tensor_to_dlpack(t, (b & 4) ? NULL : &m));
    if (st != GI_OK) {
        check(m == NULL);
        return;
    }
    check_export(t, m);
    if (!(b & 2) && (b & 8))
        drop_t(s, slot); /* the capsule keeps the storage */
    gi_tensor back = NULL;
    gi_context ctx = pick_ctx(s);
    if (known(gi_tensor_from_dlpack(&back, ctx, m)) != GI_OK) {
        check(back == NULL);
        m->deleter(m);
        return;
    }
    run_op(s, back);
    gi_tensor_destroy(back);
}

static void count_deleted(DLManagedTensor *m)
{
    ((struct capsule *)(void *)m)->deleted++;
}

/* Fuzzed dtype, device, byte_offset and data of the capsule. */
static void fz_capsule_kind(state *s, DLTensor *d)
{
    static const DLDataType dtypes[] = {
        {kDLFloat, 32, 1}, {kDLFloat, 64, 1}, {kDLFloat, 16, 1},
        {kDLBfloat, 16, 1}};
    static const int devices[] = {kDLCPU, kDLCPU, kDLCPU, kDLCUDAHost,
                                  kDLCUDAManaged, kDLCUDA, kDLOpenCL};
    uint8_t b = u8(&s->r);
    d->dtype = dtypes[b % 4];
    if (b >= 0xF0)
        d->dtype = (DLDataType){u8(&s->r), u8(&s->r),
                                (uint16_t)(u8(&s->r) % 3)};
    b = u8(&s->r);
    d->device = (DLDevice){(DLDeviceType)devices[b % 7], 0};
    if (b >= 0xF0)
        d->device = (DLDevice){(DLDeviceType)(int8_t)u8(&s->r),
                               (int8_t)u8(&s->r)};
    b = u8(&s->r);
    d->byte_offset = b < 0xF0 ? (uint64_t)(b % 8) * 8 : u64(&s->r);
    b = u8(&s->r);
    char *lent = (char *)s->lent;
    d->data = b % 8 == 7 ? NULL : b % 8 == 6 ? lent + 2 : lent;
}

/* Fuzzed strides: NULL, compact, or compact with one fuzzed. */
static void fz_strides(state *s, struct capsule *c)
{
    uint8_t b = u8(&s->r);
    int ndim = c->m.dl_tensor.ndim;
    if (b % 3 == 0 || ndim < 0 || ndim > GI_MAX_DIMS)
        return;
    uint64_t stride = 1;
    for (int i = ndim - 1; i >= 0; --i) {
        c->strides[i] = (int64_t)stride;
        stride = sat_mul(stride, c->shape[i] > 0 ? (uint64_t)c->shape[i] : 1);
        stride = stride > INT64_MAX ? INT64_MAX : stride;
    }
    if (b % 3 == 2 && ndim > 0)
        c->strides[u8(&s->r) % ndim] = fz_i64(&s->r);
    c->m.dl_tensor.strides = c->strides;
}

/* Bytes the capsule claims from data (UINT64_MAX past any buffer), for
 * a valid shape. */
static uint64_t claimed_bytes(const DLTensor *d)
{
    uint64_t n = d->dtype.bits / 8;
    for (int i = 0; i < d->ndim; ++i)
        n = sat_mul(n, (uint64_t)d->shape[i]);
    return n == 0 ? 0
           : d->byte_offset > UINT64_MAX - n ? UINT64_MAX
                                             : n + d->byte_offset;
}

/* A producer's capsule with fuzzed fields over s->lent: refused with
 * nothing taken, or a tensor at data + byte_offset whose last view calls
 * the deleter once; written only when what it claims fits s->lent. */
static void dl_import(state *s, uint8_t b)
{
    struct capsule *c = &s->cap;
    memset(c, 0, sizeof *c);
    DLTensor *d = &c->m.dl_tensor;
    d->ndim = read_shape(s, c->shape);
    d->shape = (b & 2) ? NULL : c->shape;
    fz_capsule_kind(s, d);
    fz_strides(s, c);
    c->m.deleter = (b & 4) ? NULL : count_deleted;
    gi_tensor sentinel = (gi_tensor)(void *)&sentinel, t = sentinel;
    gi_status st = known(gi_tensor_from_dlpack(&t, pick_ctx(s), &c->m));
    if (st != GI_OK) {
        check(t == sentinel && c->deleted == 0);
        return;
    }
    void *p = NULL;
    check(gi_tensor_data_ptr(t, &p) == GI_OK);
    check(gi_tensor_numel(t) == 0 ||
          p == (char *)d->data + d->byte_offset);
    check(gi_tensor_ndim(t) == d->ndim && elem_bytes(t) == d->dtype.bits / 8);
    if (d->data == (void *)s->lent && claimed_bytes(d) <= sizeof s->lent)
        run_op(s, t);
    check(c->deleted == 0);
    gi_tensor_destroy(t);
    check(c->deleted == (c->m.deleter != NULL));
}

static void op_dlpack(state *s)
{
    uint8_t b = u8(&s->r);
    if (b & 1)
        dl_import(s, b);
    else
        dl_round_trip(s, b);
}

/* ---- printing and pure functions ---------------------------------------- */

static void op_print(state *s)
{
    uint8_t b = u8(&s->r);
    FILE *fs[] = {s->mem, s->grow, devnull_w, devnull_r, NULL};
    FILE *f = fs[(b >> 4) % 5];
    switch (b % 4) {
    case 0: known(gi_module_print(pick_m(s), f)); break;
    case 1: known(gi_tensor_print(pick_target(s), f)); break;
    case 2: {
        gi_tensor t = pick_target(s);
        char buf[256];
        size_t cap = u8(&s->r) % (sizeof buf + 1);
        size_t needed = 0;
        uint8_t c = u8(&s->r);
        gi_status st = known(gi_tensor_format(t, (c & 1) ? NULL : buf,
                                              (c & 1) ? (c & 4) : cap,
                                              (c & 2) ? NULL : &needed));
        if (st == GI_OK && !(c & 1)) {
            check(strlen(buf) < cap);
            if (!(c & 2))
                check(needed == strlen(buf));
        } else if (!(c & 1) && cap > 0 &&
                   t != NULL && st == GI_ERR_INVALID_ARGUMENT) {
            check(strlen(buf) < cap); /* NUL-terminated */
        }
        break;
    }
    default: known(gi_tensor_print_shape(pick_target(s), f)); break;
    }
    if (s->mem != NULL && (u8(&s->r) & 3) == 0)
        rewind(s->mem); /* room again */
}

#ifdef GINIT_FAULT_INJECTION
/* The library's private test hooks (src/core/alloc.h), in builds made with
 * FUZZ_FAULTS=1: the n-th allocation from now on fails, once. */
void gi_fault_fail_at(int64_t n);
#endif

static void op_misc(state *s)
{
    uint8_t b = u8(&s->r);
    int v = (int)(int8_t)u8(&s->r);
    switch (b % 6) {
    case 5: /* make an allocation fail: the next call that makes it must
               report GI_ERR_OUT_OF_MEMORY and change nothing */
#ifdef GINIT_FAULT_INJECTION
        gi_fault_fail_at(1 + (uint8_t)v % 16);
#endif
        break;
    case 0:
        check(gi_status_string((gi_status)v) != NULL);
        check(gi_status_name((gi_status)v) != NULL);
        check(gi_device_name((gi_device)v) != NULL);
        check(gi_dtype_name((gi_dtype)v) != NULL);
        check(gi_module_kind_name((gi_module_kind)v) != NULL);
        break;
    case 1: {
        const char *name = gi_nonlinearity_name((gi_nonlinearity)v);
        check(name != NULL);
        gi_nonlinearity nl = GI_NONLIN_LINEAR;
        if (strcmp(name, "unknown") != 0)
            check(gi_nonlinearity_from_name(name, &nl) == GI_OK &&
                  (int)nl == v);
        break;
    }
    case 2: {
        char text[24];
        size_t n = 0;
        while (n + 1 < sizeof text) {
            uint8_t c = u8(&s->r);
            if (c == 0)
                break;
            text[n++] = (char)c;
        }
        text[n] = '\0';
        gi_nonlinearity nl;
        known(gi_nonlinearity_from_name((b & 0x80) ? NULL : text,
                                        (b & 0x40) ? NULL : &nl));
        break;
    }
    case 3: {
        double param = fz_float(&s->r), gain = 0.0;
        gi_status st = known(gi_calculate_gain(
            (gi_nonlinearity)v, (b & 0x20) ? NULL : &param,
            (b & 0x40) ? NULL : &gain));
        if (st == GI_OK && !(b & 0x40))
            check(isfinite(gain) && gain >= 0.0f);
        break;
    }
    default:
        check(gi_last_error() != NULL);
        break;
    }
}

/* ---- driver -------------------------------------------------------------- */

static void cleanup(state *s, uint8_t order)
{
    /* Four kinds of handles, destroyed in one of 24 orders. */
    int kinds[4] = {0, 1, 2, 3};
    for (int i = 3; i > 0; --i) {
        int j = order % (i + 1);
        order /= (uint8_t)(i + 1);
        int tmp = kinds[i];
        kinds[i] = kinds[j];
        kinds[j] = tmp;
    }
    for (int k = 0; k < 4; ++k) {
        switch (kinds[k]) {
        case 0:
            for (int i = NT - 1; i >= 0; --i)
                drop_t(s, i);
            break;
        case 1:
            for (int i = 0; i < NM; ++i)
                if (s->m[i] != NULL && gi_module_parent(s->m[i]) == NULL)
                    destroy_module(s, i);
            for (int i = 0; i < NM; ++i)
                s->m[i] = NULL;
            break;
        case 2:
            for (int i = 0; i < NG; ++i)
                drop_g(s, i);
            break;
        default:
            for (int i = 0; i < NCTX; ++i)
                drop_ctx(s, i);
            break;
        }
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    devnull_w = fopen("/dev/null", "w");
    devnull_r = fopen("/dev/null", "r"); /* writes fail: GI_ERR_IO */
    trace = getenv("FUZZ_GINIT_TRACE") != NULL;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static state st;
    state *s = &st;
    memset(s, 0, sizeof *s);
    s->r.p = data;
    s->r.n = size;
    s->mem = fmemopen(s->membuf, sizeof s->membuf, "w");
    if (s->mem != NULL)
        setvbuf(s->mem, NULL, _IONBF, 0); /* a full buffer fails at once */
    s->grow = open_memstream(&s->growbuf, &s->growlen);
    s->arena = calloc(1, ARENA_BYTES);
    if (s->arena == NULL)
        abort();
    uint8_t order = u8(&s->r);
#ifdef GINIT_FAULT_INJECTION
    gi_fault_fail_at(0);
#endif
    /* Every program starts with one CPU context. */
    if (gi_context_create(&s->ctx[0], GI_DEVICE_CPU) != GI_OK)
        abort();
    for (int steps = 0; s->r.n > 0 && steps < 4096; ++steps) {
        uint8_t op = u8(&s->r);
        if (trace)
            fprintf(stderr, "step %d: command %d (byte %zu)\n", steps,
                    op % 20, size - s->r.n - 1);
        switch (op % 20) {
        case 0: op_context(s); break;
        case 1: case 2: op_tensor_create(s); break;
        case 3: drop_t(s, slot_t(s)); break;
        case 4: op_tensor_rand(s); break;
        case 5: (op & 0x80) ? op_from_blob(s) : op_view(s); break;
        case 6: (op & 0x80) ? op_convert(s) : op_copy(s); break;
        case 7: op_host(s); break;
        case 8: op_element(s); break;
        case 9: op_query(s); break;
        case 10: case 11: op_inplace(s); break;
        case 12: op_generator(s); break;
        case 13: op_module_create(s); break;
        case 14: op_append(s); break;
        case 15: op_module_destroy(s); break;
        case 16: op_module_query(s); break;
        case 17: op_forward(s); break;
        case 18: op_apply(s); break;
        default:
            if (op & 0x80)
                op_misc(s);
            else if (op & 0x40)
                op_dlpack(s);
            else
                op_print(s);
            break;
        }
    }
    cleanup(s, order);
    check(s->released == s->loans); /* each loan went back, once */
    free(s->arena);
    if (s->mem != NULL)
        fclose(s->mem);
    if (s->grow != NULL)
        fclose(s->grow);
    free(s->growbuf);
    return 0;
}
