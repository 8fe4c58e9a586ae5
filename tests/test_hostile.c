/* Hostile arguments for every public function of include/ginit.h.
 *
 * Each case is one line of a table: the function it exercises, a short tag,
 * the status the header documents for it, flags, and the call itself (an
 * expression over the fixture `f`). The cases of one function run in one
 * Criterion process, each on a fresh fixture; a crash, an exit() or a hang
 * fails that function's test and names the case on stderr. After each call
 * the harness checks what the header promises:
 *
 *  - the status is the documented one;
 *  - on failure, gi_last_error() starts with "<function>:"; on success it
 *    is left as it was;
 *  - unless the case is flagged W (a successful call that writes), nothing
 *    was written: every fixture tensor still holds its iota, no generator
 *    moved, no module changed, every OUT parameter still holds its
 *    sentinel, and the writable stream is still empty.
 *
 * A second test parses the public header (GINIT_PUBLIC_HEADER) and fails
 * when a function declared with GI_API has no case here: add one line to
 * the table for each new function. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* setenv, unsetenv, write, alarm */
#endif
#include "st_files.h" /* first: it asks for nftw */
#include <ctype.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dlpack/dlpack.h>

#include "test_helpers.h"

#include <criterion/parameterized.h>

#ifndef GINIT_PUBLIC_HEADER
#error "compile with -DGINIT_PUBLIC_HEADER='\"/path/to/include/ginit.h\"'"
#endif

/* ------------------------------------------------------------------------ */
/* Fixture                                                                   */
/* ------------------------------------------------------------------------ */

/* Generator offsets set before each case; a failing call keeps them. */
#define OFF_CTX 100u
#define OFF_CTX2 200u
#define OFF_GEN 300u
#define SEED_GEN 77u
#define STREAM_GEN 5u

/* Sentinels for OUT parameters: a failing call must not touch them. */
static char sentinel_objects[4];
#define SENT_CTX ((gi_context)(void *)&sentinel_objects[0])
#define SENT_GEN ((gi_generator)(void *)&sentinel_objects[1])
#define SENT_T ((gi_tensor)(void *)&sentinel_objects[2])
#define SENT_M ((gi_module)(void *)&sentinel_objects[3])
#define SENT_F (-12345.5)
#define SENT_I64 INT64_C(0x5EED5EED5EED)
#define SENT_NL ((gi_nonlinearity)77)
#define SENT_N ((size_t)0xABCDEF)
#define SENT_HOST (-7.25f)
#define SENT_BUF '#'

typedef struct fx {
    gi_context ctx, ctx2;
    gi_generator gen;  /* explicit generator */
    gi_tensor s;       /* 0-D, holds 0.5 */
    gi_tensor v;       /* {6}, iota */
    gi_tensor w;       /* {2, 3}, iota */
    gi_tensor m;       /* {3, 4}, iota */
    gi_tensor c;       /* {4, 2, 3, 3}, iota: a conv weight */
    gi_tensor x5;      /* {2, 5}, iota */
    gi_tensor e;       /* {0, 3}: no elements */
    gi_tensor big0;    /* {0, 3, 2^62}: no elements, huge trailing sizes */
    gi_tensor wide0;   /* {0, 2^31}: no elements, last size > INT_MAX */
    gi_tensor v2;      /* {6} on ctx2, iota */
    gi_tensor h, bh, d; /* {6}, iota: float16, bfloat16, float64 */
    gi_module lin;     /* Linear(4, 3), weight and bias iota */
    gi_module lazy;    /* LazyLinear(5) */
    gi_module relu;    /* ReLU() */
    gi_module seq;     /* Sequential(Linear(3, 2), ReLU()) */
    gi_module seq_lazy; /* Sequential(LazyLinear(4), Linear(3, 2)) */
    gi_module relu2;   /* ReLU() on ctx2 */
    FILE *ro;          /* opened read-only: every write fails */
    FILE *full;        /* /dev/full, buffered: fails when flushed */
    FILE *sink;        /* writable; failing calls must leave it empty */
    gi_safetensors st; /* st_full opened: tensors v, weight, bias */
    gi_safetensors_index sti; /* st_idx opened */
    /* OUT parameters, preset to the sentinels above */
    gi_context out_ctx;
    gi_generator out_gen;
    gi_tensor out_t;
    gi_module out_m;
    double out_f;
    int64_t out_i, out_j;
    gi_nonlinearity out_nl;
    size_t out_n;
    void *out_ptr;
    gi_shard_info out_shard;
    char buf[64];
    float host[8];
} fx;

/* What a case returns when the fixture makes it moot (logged, no checks). */
#define NOT_APPLICABLE ((gi_status)-100)

/* Flags of a case. */
enum {
    W = 1,      /* succeeds and may write (tensor, generator): skip checks */
    NOMSG = 2,  /* status comes from a user callback: no message check */
    NOCUDA = 4, /* only meaningful where CUDA is not usable */
};

typedef struct hcase {
    const char *fn;   /* the public function exercised */
    const char *tag;  /* what is hostile */
    gi_status want;   /* the documented status */
    int flags;
    gi_status (*call)(struct fx *f);
} hcase;

/* Why a neutral-value check failed, for the report. */
static char detail[256];

static gi_tensor tensor_on(gi_context ctx, int ndim, const int64_t *shape)
{
    gi_tensor t = new_tensor(ctx, ndim, shape);
    fill_iota(t);
    return t;
}

/* A {6} iota of dtype dt: the float32 iota converted. */
static gi_tensor iota_of(gi_context ctx, gi_dtype dt)
{
    gi_tensor f32 = tensor_on(ctx, 1, (const int64_t[]){6}), t = NULL;
    cr_assert_eq(gi_tensor_to(&t, f32, dt), GI_OK, "%s", gi_last_error());
    gi_tensor_destroy(f32);
    return t;
}

/* Whether t (any dtype) holds 0, 1, 2, ...: read as float32. */
static int is_iota(gi_tensor t)
{
    gi_tensor f32 = NULL;
    cr_assert_eq(gi_tensor_to(&f32, t, GI_F32), GI_OK);
    float *h = to_host(f32);
    gi_tensor_destroy(f32);
    int ok = 1;
    for (int64_t i = 0; i < gi_tensor_numel(t); ++i)
        ok &= h[i] == (float)i;
    free(h);
    return ok;
}

/* *m once the constructor that wrote it has returned st. */
static gi_module must(gi_status st, gi_module *m)
{
    cr_assert_eq(st, GI_OK, "fixture: %s", gi_last_error());
    return *m;
}

/* Safetensors files of the fixture, written once per process: v and
 * lin's parameters; lin's parameters alone (its module file); junk. */
static char st_full[4200], st_lin[4200], st_junk[4200];
/* Indexes over them: v in full, weight and bias in lin (st_idx); lin's
 * parameters alone (st_idx_lin). */
static char st_idx[4200], st_idx_lin[4200];

static void st_fixture_files(fx *f)
{
    if (st_full[0] != '\0')
        return;
    snprintf(st_full, sizeof st_full, "%s", st_path("full.safetensors"));
    snprintf(st_lin, sizeof st_lin, "%s", st_path("lin.safetensors"));
    snprintf(st_junk, sizeof st_junk, "%s", st_path("junk.safetensors"));
    const char *names[] = {"v", "weight", "bias"};
    const gi_tensor ts[] = {f->v, gi_module_weight(f->lin),
                            gi_module_bias(f->lin)};
    cr_assert_eq(gi_save_safetensors(st_full, 3, names, ts, 1,
                                     &(gi_metadata){"format", "pt"}), GI_OK,
                 "fixture: %s", gi_last_error());
    cr_assert_eq(gi_module_save_safetensors(f->lin, st_lin, 0, NULL), GI_OK,
                 "fixture: %s", gi_last_error());
    st_write_bytes(st_junk, "\x04\0\0\0\0\0\0\0{}}}", 12);
    snprintf(st_idx, sizeof st_idx, "%s", st_path("model.index.json"));
    snprintf(st_idx_lin, sizeof st_idx_lin, "%s", st_path("lin.index.json"));
    static const char idx[] =
        "{\"weight_map\": {\"v\": \"full.safetensors\", \"weight\": "
        "\"lin.safetensors\", \"bias\": \"lin.safetensors\"}}";
    static const char idx_lin[] =
        "{\"metadata\": {\"total_size\": 60}, \"weight_map\": {"
        "\"weight\": \"lin.safetensors\", \"bias\": \"lin.safetensors\"}}";
    st_write_bytes(st_idx, idx, strlen(idx));
    st_write_bytes(st_idx_lin, idx_lin, strlen(idx_lin));
}

static void fx_setup(fx *f)
{
    memset(f, 0, sizeof *f);
    f->ctx = cpu_context();
    f->ctx2 = cpu_context();
    cr_assert_eq(gi_generator_create(&f->gen, SEED_GEN), GI_OK);
    cr_assert_eq(gi_generator_set_stream(f->gen, STREAM_GEN), GI_OK);

    f->s = new_tensor(f->ctx, 0, NULL);
    cr_assert_eq(gi_fill_(f->s, 0.5f), GI_OK);
    f->v = tensor_on(f->ctx, 1, (const int64_t[]){6});
    f->w = tensor_on(f->ctx, 2, (const int64_t[]){2, 3});
    f->m = tensor_on(f->ctx, 2, (const int64_t[]){3, 4});
    f->c = tensor_on(f->ctx, 4, (const int64_t[]){4, 2, 3, 3});
    f->x5 = tensor_on(f->ctx, 2, (const int64_t[]){2, 5});
    f->e = new_tensor(f->ctx, 2, (const int64_t[]){0, 3});
    /* Refusing this shape (GI_ERR_OVERFLOW) is a valid fix of the fans
     * overflow too: the case that uses it then does not apply. */
    gi_status big = gi_tensor_create(&f->big0, f->ctx, GI_F32, 3,
                                     (const int64_t[]){0, 3, INT64_C(1) << 62});
    cr_assert(big == GI_OK || big == GI_ERR_OVERFLOW, "fixture: %s",
              gi_last_error());
    f->wide0 = new_tensor(f->ctx, 2, (const int64_t[]){0, INT64_C(1) << 31});
    f->v2 = tensor_on(f->ctx2, 1, (const int64_t[]){6});
    f->h = iota_of(f->ctx, GI_F16);
    f->bh = iota_of(f->ctx, GI_BF16);
    f->d = iota_of(f->ctx, GI_F64);

    gi_module m = NULL, kids[2] = {NULL, NULL};
    f->lin = must(gi_linear_create(&m, f->ctx, 4, 3, 1, GI_F32), &m);
    fill_iota(gi_module_weight(f->lin));
    fill_iota(gi_module_bias(f->lin));
    f->lazy = must(gi_lazy_linear_create(&m, f->ctx, 5, 1, GI_F32), &m);
    f->relu = must(gi_relu_create(&m, f->ctx), &m);
    kids[0] = must(gi_linear_create(&m, f->ctx, 3, 2, 1, GI_F32), &m);
    kids[1] = must(gi_relu_create(&m, f->ctx), &m);
    f->seq = must(gi_sequential_create(&m, f->ctx, 2, kids), &m);
    kids[0] = must(gi_lazy_linear_create(&m, f->ctx, 4, 1, GI_F32), &m);
    kids[1] = must(gi_linear_create(&m, f->ctx, 3, 2, 1, GI_F32), &m);
    f->seq_lazy = must(gi_sequential_create(&m, f->ctx, 2, kids), &m);
    f->relu2 = must(gi_relu_create(&m, f->ctx2), &m);
    st_fixture_files(f);
    cr_assert_eq(gi_safetensors_open(&f->st, st_full), GI_OK, "fixture: %s",
                 gi_last_error());
    cr_assert_eq(gi_safetensors_index_open(&f->sti, st_idx), GI_OK,
                 "fixture: %s", gi_last_error());

    f->ro = fopen("/dev/null", "r");
    cr_assert_not_null(f->ro);
    f->full = fopen("/dev/full", "w");
    cr_assert_not_null(f->full);
    f->sink = tmpfile();
    cr_assert_not_null(f->sink);

    cr_assert_eq(gi_generator_set_offset(gi_context_generator(f->ctx), OFF_CTX),
                 GI_OK);
    cr_assert_eq(gi_generator_set_offset(gi_context_generator(f->ctx2),
                                         OFF_CTX2), GI_OK);
    cr_assert_eq(gi_generator_set_offset(f->gen, OFF_GEN), GI_OK);

    f->out_ctx = SENT_CTX;
    f->out_gen = SENT_GEN;
    f->out_t = SENT_T;
    f->out_m = SENT_M;
    f->out_f = SENT_F;
    f->out_i = f->out_j = SENT_I64;
    f->out_nl = SENT_NL;
    f->out_n = SENT_N;
    memset(f->buf, SENT_BUF, sizeof f->buf);
    for (int i = 0; i < 8; ++i)
        f->host[i] = SENT_HOST;
}

/* Objects a successful case created through the OUT parameters. */
static void fx_release_outputs(fx *f)
{
    if (f->out_t != SENT_T)
        gi_tensor_destroy(f->out_t);
    if (f->out_m != SENT_M)
        gi_module_destroy(f->out_m);
    if (f->out_gen != SENT_GEN)
        gi_generator_destroy(f->out_gen);
    if (f->out_ctx != SENT_CTX)
        gi_context_destroy(f->out_ctx);
    f->out_t = SENT_T;
    f->out_m = SENT_M;
    f->out_gen = SENT_GEN;
    f->out_ctx = SENT_CTX;
}

static void fx_teardown(fx *f)
{
    fx_release_outputs(f);
    gi_module_destroy(f->relu2);
    gi_module_destroy(f->seq_lazy);
    gi_module_destroy(f->seq);
    gi_module_destroy(f->relu);
    gi_module_destroy(f->lazy);
    gi_module_destroy(f->lin);
    gi_tensor *ts[] = {&f->s, &f->v, &f->w, &f->m, &f->c, &f->x5,
                       &f->e, &f->big0, &f->wide0, &f->v2, &f->h, &f->bh,
                       &f->d};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; ++i)
        gi_tensor_destroy(*ts[i]);
    gi_generator_destroy(f->gen);
    gi_context_destroy(f->ctx2);
    gi_context_destroy(f->ctx);
    fclose(f->ro);
    fclose(f->full);
    fclose(f->sink);
    gi_safetensors_close(f->st);
    gi_safetensors_index_close(f->sti);
}

/* Everything a failing call must leave as it was. */
static void expect_untouched(fx *f, const hcase *c)
{
    const struct { const char *name; gi_tensor t; } iotas[] = {
        {"v", f->v}, {"w", f->w}, {"m", f->m}, {"c", f->c}, {"x5", f->x5},
        {"v2", f->v2}, {"h", f->h}, {"bh", f->bh}, {"d", f->d},
        {"lin.weight", gi_module_weight(f->lin)},
        {"lin.bias", gi_module_bias(f->lin)}};
    for (size_t i = 0; i < sizeof iotas / sizeof *iotas; ++i)
        cr_expect(is_iota(iotas[i].t), "%s/%s: tensor %s was written", c->fn,
                  c->tag, iotas[i].name);
    for (size_t i = 0; i < sizeof iotas / sizeof *iotas; ++i) {
        gi_shard_info info;
        gi_tensor_shard_info(iotas[i].t, &info);
        cr_expect(info.kind == GI_SHARD_NONE, "%s/%s: tensor %s became a "
                  "shard", c->fn, c->tag, iotas[i].name);
    }
    double s = 0.0;
    cr_expect(gi_tensor_item(f->s, &s) == GI_OK && s == 0.5,
              "%s/%s: 0-D tensor s was written (%g)", c->fn, c->tag,
              (double)s);

    cr_expect_eq(gi_generator_offset(gi_context_generator(f->ctx)), OFF_CTX,
                 "%s/%s: the context's generator moved to %llu", c->fn,
                 c->tag, (unsigned long long)gi_generator_offset(
                             gi_context_generator(f->ctx)));
    cr_expect_eq(gi_generator_offset(gi_context_generator(f->ctx2)), OFF_CTX2,
                 "%s/%s: the second context's generator moved", c->fn,
                 c->tag);
    cr_expect(gi_generator_offset(f->gen) == OFF_GEN &&
                  gi_generator_seed(f->gen) == SEED_GEN &&
                  gi_generator_stream(f->gen) == STREAM_GEN,
              "%s/%s: the explicit generator changed", c->fn, c->tag);

    gi_module child = NULL;
    cr_expect(gi_module_kind_of(f->lazy) == GI_MODULE_LAZY_LINEAR &&
                  gi_module_weight(f->lazy) == NULL,
              "%s/%s: the LazyLinear materialized", c->fn, c->tag);
    cr_expect(gi_module_child(f->seq_lazy, 0, &child) == GI_OK &&
                  gi_module_kind_of(child) == GI_MODULE_LAZY_LINEAR,
              "%s/%s: the LazyLinear inside a Sequential materialized",
              c->fn, c->tag);
    cr_expect(gi_module_num_children(f->seq) == 2 &&
                  gi_module_num_children(f->seq_lazy) == 2,
              "%s/%s: a Sequential changed", c->fn, c->tag);
    const gi_module roots[] = {f->lin, f->lazy, f->relu, f->seq, f->seq_lazy,
                               f->relu2};
    for (size_t i = 0; i < sizeof roots / sizeof *roots; ++i)
        cr_expect_null(gi_module_parent(roots[i]),
                       "%s/%s: root module %zu got a parent", c->fn, c->tag,
                       i);

    cr_expect_eq(ftell(f->sink), 0L, "%s/%s: wrote to the stream", c->fn,
                 c->tag);

    cr_expect(f->out_ctx == SENT_CTX && f->out_gen == SENT_GEN &&
                  f->out_t == SENT_T && f->out_m == SENT_M,
              "%s/%s: an OUT handle was written", c->fn, c->tag);
    cr_expect(memcmp(&f->out_f, &(double){SENT_F}, sizeof(double)) == 0,
              "%s/%s: *out (double) was written: %g", c->fn, c->tag,
              f->out_f);
    cr_expect(f->out_i == SENT_I64 && f->out_j == SENT_I64,
              "%s/%s: an int64 OUT parameter was written", c->fn, c->tag);
    cr_expect(f->out_nl == SENT_NL && f->out_n == SENT_N,
              "%s/%s: an OUT parameter was written", c->fn, c->tag);
    for (size_t i = 0; i < sizeof f->buf; ++i)
        cr_expect_eq(f->buf[i], SENT_BUF, "%s/%s: buf[%zu] was written",
                     c->fn, c->tag, i);
    for (int i = 0; i < 8; ++i)
        cr_expect_eq(f->host[i], SENT_HOST, "%s/%s: host[%d] was written",
                     c->fn, c->tag, i);
}

/* ------------------------------------------------------------------------ */
/* Helpers for the case expressions                                          */
/* ------------------------------------------------------------------------ */

/* Neutral values of getters: GI_OK when as documented. */
static gi_status is_i64(int64_t got, int64_t want)
{
    if (got == want)
        return GI_OK;
    snprintf(detail, sizeof detail, "got %lld, want %lld", (long long)got,
             (long long)want);
    return GI_ERR_INTERNAL;
}

static gi_status is_ptr(const void *got, const void *want)
{
    if (got == want)
        return GI_OK;
    snprintf(detail, sizeof detail, "got %p, want %p", got, want);
    return GI_ERR_INTERNAL;
}

static gi_status is_str(const char *got, const char *want)
{
    if (got != NULL && strcmp(got, want) == 0)
        return GI_OK;
    snprintf(detail, sizeof detail, "got \"%.100s\", want \"%.100s\"",
             got ? got : "(null)", want);
    return GI_ERR_INTERNAL;
}

static gi_status is_text(const char *got)
{
    if (got != NULL && *got != '\0')
        return GI_OK;
    snprintf(detail, sizeof detail, "got %s", got ? "\"\"" : "NULL");
    return GI_ERR_INTERNAL;
}

/* gi_context_create with GINIT_DEVICE set to env (NULL: unset). */
static gi_status create_with_env(fx *f, const char *env, gi_device device)
{
    if (env != NULL)
        setenv("GINIT_DEVICE", env, 1);
    else
        unsetenv("GINIT_DEVICE");
    gi_status st = gi_context_create(&f->out_ctx, device);
    unsetenv("GINIT_DEVICE");
    return st;
}

/* set_num_threads(n) accepted, then a fill big enough to go parallel:
 * must neither crash nor exit, whatever n was. */
static gi_status threads_then_fill(fx *f, int n)
{
    gi_status st = gi_context_set_num_threads(f->ctx, n);
    if (st != GI_OK)
        return st;
    gi_tensor t = new_vector(f->ctx, 100000);
    st = gi_fill_(t, 1.0f);
    gi_tensor_destroy(t);
    return st;
}

/* Two views of v that overlap without being the same elements. */
static gi_status overlapping(fx *f, int op)
{
    gi_tensor a = NULL, b = NULL;
    cr_assert_eq(gi_tensor_slice(&a, f->v, 0, 5), GI_OK);
    cr_assert_eq(gi_tensor_slice(&b, f->v, 1, 6), GI_OK);
    gi_status st = op == 0   ? gi_tensor_copy_(a, b)
                   : op == 1 ? gi_add_(a, b, 1.0f)
                             : gi_mul_(a, b);
    gi_tensor_destroy(b);
    gi_tensor_destroy(a);
    return st;
}

/* gi_tensor_slice of m: GI_OK when it has `rows` rows. */
static gi_status slice_rows(fx *f, int64_t start, int64_t stop, int64_t rows)
{
    gi_status st = gi_tensor_slice(&f->out_t, f->m, start, stop);
    if (st != GI_OK)
        return st;
    if (gi_tensor_ndim(f->out_t) == 2 && gi_tensor_size(f->out_t, 0) == rows &&
        gi_tensor_numel(f->out_t) == 4 * rows)
        return GI_OK;
    snprintf(detail, sizeof detail, "slice [%lld:%lld] has %lld rows, want "
             "%lld", (long long)start, (long long)stop,
             (long long)gi_tensor_size(f->out_t, 0), (long long)rows);
    return GI_ERR_INTERNAL;
}

/* gi_tensor_format of v into a buffer of cap bytes (NULL when cap is 0):
 * the documented GI_ERR_INVALID_ARGUMENT with *needed set and a truncated,
 * NUL-terminated text. */
static gi_status format_small(fx *f, size_t cap)
{
    char full[128], small[8];
    size_t want = 0, needed = 0;
    cr_assert_eq(gi_tensor_format(f->v, full, sizeof full, &want), GI_OK);
    cr_assert_lt(cap, sizeof small);
    memset(small, SENT_BUF, sizeof small);
    gi_status st = gi_tensor_format(f->v, cap ? small : NULL, cap, &needed);
    if (needed != want) {
        snprintf(detail, sizeof detail, "*needed = %zu, want %zu", needed,
                 want);
        return GI_ERR_INTERNAL;
    }
    if (cap > 0 && (strlen(small) != cap - 1 ||
                    strncmp(small, full, cap - 1) != 0)) {
        snprintf(detail, sizeof detail, "truncated text \"%.7s\"", small);
        return GI_ERR_INTERNAL;
    }
    return st;
}

/* append(inner, outer) where outer = Sequential(inner): a cycle. */
static gi_status append_ancestor(fx *f)
{
    gi_module inner = NULL, outer = NULL;
    cr_assert_eq(gi_sequential_create(&inner, f->ctx, 0, NULL), GI_OK);
    cr_assert_eq(gi_sequential_create(&outer, f->ctx, 1, &inner), GI_OK);
    gi_status st = gi_sequential_append(inner, outer);
    cr_expect(gi_module_num_children(inner) == 0 &&
                  gi_module_parent(outer) == NULL,
              "the failed append changed the modules");
    gi_module_destroy(outer);
    return st;
}

static gi_module seq_child(fx *f, int64_t i)
{
    gi_module child = NULL;
    cr_assert_eq(gi_module_child(f->seq, i, &child), GI_OK);
    return child;
}

/* A child already owned by f->seq, given to another Sequential. */
static gi_status append_owned_child(fx *f)
{
    gi_module owned = seq_child(f, 1), other = NULL;
    cr_assert_eq(gi_sequential_create(&other, f->ctx, 0, NULL), GI_OK);
    gi_status st = gi_sequential_append(other, owned);
    cr_expect_eq(gi_module_num_children(other), 0);
    gi_module_destroy(other);
    return st;
}

static gi_status create_with_owned_child(fx *f)
{
    gi_module kids[] = {f->relu, seq_child(f, 0)};
    return gi_sequential_create(&f->out_m, f->ctx, 2, kids);
}

/* Destroying a module that has a parent is a no-op. */
static gi_status destroy_owned_child(fx *f)
{
    gi_module owned = seq_child(f, 0);
    gi_module_destroy(owned);
    gi_module again = seq_child(f, 0);
    if (again != owned || gi_module_kind_of(again) != GI_MODULE_LINEAR ||
        gi_linear_in_features(again) != 3)
        return GI_ERR_INTERNAL;
    return is_i64(gi_module_num_children(f->seq), 2);
}

/* The context's own generator given to gi_generator_destroy: refused
 * silently, the context keeps working. */
static gi_status destroy_default_generator(fx *f)
{
    gi_generator_destroy(gi_context_generator(f->ctx));
    return is_i64((int64_t)gi_generator_offset(gi_context_generator(f->ctx)),
                  OFF_CTX);
}

/* The torch_cpu generator's cases: call(f, g) on a fresh one, which a
 * failing call must leave as it was (its state bytes; the fixture checks
 * only the Philox generators). */
#define TORCH_STATE 5056
static gi_status on_torch(fx *f, gi_status (*call)(fx *, gi_generator))
{
    gi_generator g = NULL;
    cr_assert_eq(gi_generator_create_kind(&g, GI_GENERATOR_TORCH_CPU, 7),
                 GI_OK);
    unsigned char before[TORCH_STATE], after[TORCH_STATE];
    size_t n = 0;
    cr_assert_eq(gi_generator_get_state(g, before, TORCH_STATE, &n), GI_OK);
    gi_status st = call(f, g);
    cr_assert_eq(gi_generator_get_state(g, after, TORCH_STATE, &n), GI_OK);
    if (st != GI_OK && memcmp(before, after, TORCH_STATE) != 0) {
        snprintf(detail, sizeof detail, "the torch_cpu generator changed");
        st = GI_ERR_INTERNAL;
    }
    gi_generator_destroy(g);
    return st;
}

static gi_status tc_stream(fx *f, gi_generator g)
{
    (void)f;
    return gi_generator_set_stream(g, 1);
}

static gi_status tc_offset(fx *f, gi_generator g)
{
    (void)f;
    return gi_generator_set_offset(g, 1);
}

static gi_status tc_kernels_bad(fx *f, gi_generator g)
{
    (void)f;
    return gi_generator_set_torch_kernels(g, (gi_torch_kernels)7);
}

static gi_status tc_kernels_default(fx *f, gi_generator g)
{
    (void)f;
    return gi_generator_set_torch_kernels(g, GI_TORCH_KERNELS_DEFAULT);
}

static gi_status tc_trunc_bad(fx *f, gi_generator g)
{
    (void)f;
    return gi_generator_set_torch_trunc(g, (gi_torch_trunc)-1);
}

static gi_status tc_trunc_rejection(fx *f, gi_generator g)
{
    (void)f;
    return gi_generator_set_torch_trunc(g, GI_TORCH_TRUNC_REJECTION);
}

static gi_status tc_get_small(fx *f, gi_generator g)
{
    return gi_generator_get_state(g, f->buf, sizeof f->buf, &f->out_n);
}

static gi_status tc_set_philox_size(fx *f, gi_generator g)
{
    (void)f;
    static const unsigned char philox[24];
    return gi_generator_set_state(g, philox, sizeof philox);
}

/* g's own state with the byte at `at` set to v. */
static gi_status set_state_poked(gi_generator g, size_t at, unsigned char v)
{
    static unsigned char bytes[TORCH_STATE];
    size_t n = 0;
    cr_assert_eq(gi_generator_get_state(g, bytes, TORCH_STATE, &n), GI_OK);
    bytes[at] = v;
    return gi_generator_set_state(g, bytes, TORCH_STATE);
}

static gi_status tc_left_zero(fx *f, gi_generator g)
{
    (void)f;
    return set_state_poked(g, 8, 0); /* left: 1..624 */
}

static gi_status tc_left_negative(fx *f, gi_generator g)
{
    (void)f;
    return set_state_poked(g, 11, 0x80);
}

static gi_status tc_next_huge(fx *f, gi_generator g)
{
    (void)f;
    return set_state_poked(g, 23, 0x80); /* next: a uint64 */
}

static gi_status tc_word_wide(fx *f, gi_generator g)
{
    (void)f;
    return set_state_poked(g, 24 + 8 * 300 + 5, 1); /* words: uint64 */
}

static gi_status tc_state_same(fx *f, gi_generator g)
{
    (void)f;
    return set_state_poked(g, 0, 7); /* the seed byte it already has */
}

static gi_status tc_trunc_normal(fx *f, gi_generator g)
{
    return gi_trunc_normal_(f->v, 0, 1, -2, 2, g);
}

static gi_status tc_trunc_normal_half(fx *f, gi_generator g)
{
    return gi_trunc_normal_(f->h, 0, 1, -2, 2, g);
}

static gi_status tc_uniform_half(fx *f, gi_generator g)
{
    return gi_uniform_(f->h, 0, 1, g);
}

static gi_status tc_normal_double(fx *f, gi_generator g)
{
    return gi_normal_(f->d, 0, 1, g);
}

static gi_status tc_orthogonal_tree(fx *f, gi_generator g)
{
    return gi_module_init_(f->lin, &(gi_init){.kind = GI_INIT_ORTHOGONAL,
                                              .a = 1}, NULL, g);
}

static gi_status tc_sparse(fx *f, gi_generator g)
{
    return gi_sparse_(f->m, 0.5, 1.0, g);
}

/* orthogonal_ of m as rows 3..5 of a 6 x 4 tensor, refused; m is no
 * shard afterwards. */
static gi_status row_shard_then(fx *f)
{
    gi_tensor_set_shard(f->m, 2, (const int64_t[]){6, 4},
                        (const int64_t[]){3, 0});
    gi_status st = gi_orthogonal_(f->m, 1.0, NULL);
    gi_tensor_clear_shard(f->m);
    return st;
}

static gi_status tc_uniform(fx *f, gi_generator g)
{
    return gi_uniform_(f->v, -1, 1, g);
}

/* Structural changes to a tree from a callback of its own walk: refused
 * (see "Walks" in the header). The destroys return no status: STA when
 * they left their message. */
static gi_status refused_silently(const char *before)
{
    return strcmp(before, gi_last_error()) != 0 ? GI_ERR_STATE : GI_OK;
}

static gi_status destroy_walked_root(gi_module m, void *user)
{
    (void)m;
    fx *f = user;
    char before[256];
    snprintf(before, sizeof before, "%s", gi_last_error());
    gi_module_destroy(f->seq);
    return refused_silently(before);
}

static gi_status append_to_walked(gi_module m, void *user)
{
    (void)m;
    fx *f = user;
    return gi_sequential_append(f->seq, f->relu);
}

static gi_status adopt_walked(gi_module m, void *user)
{
    (void)m;
    fx *f = user;
    return gi_sequential_create(&f->out_m, f->ctx, 1, &f->relu);
}

static gi_status materialize_walked(gi_module m, void *user)
{
    (void)m;
    fx *f = user;
    return gi_module_forward(f->lazy, f->m, &f->out_t);
}

/* m's forward on x converted to dtype, which its Linears do not take. */
static gi_status forward_in(fx *f, gi_module m, gi_tensor x, gi_dtype dtype)
{
    gi_tensor c = NULL;
    cr_assert_eq(gi_tensor_to(&c, x, dtype), GI_OK);
    gi_status st = gi_module_forward(m, c, &f->out_t);
    gi_tensor_destroy(c);
    return st;
}

static gi_status walk(fx *f, gi_module tree, gi_apply_fn fn)
{
    return gi_module_apply(tree, fn, f);
}

/* A parameter belongs to its module: destroying it is ignored. */
static gi_status destroy_parameter(fx *f)
{
    char before[256];
    snprintf(before, sizeof before, "%s", gi_last_error());
    gi_tensor_destroy(gi_module_weight(f->lin));
    return refused_silently(before);
}

static int calls;

static gi_status refuse_module(gi_module m, void *user)
{
    (void)m;
    (void)user;
    ++calls;
    return GI_ERR_STATE;
}

static gi_status refuse_param(const char *name, gi_tensor p, void *user)
{
    (void)name;
    (void)p;
    (void)user;
    ++calls;
    return GI_ERR_IO;
}

/* A callback's failure stops the walk at once and is returned. */
static gi_status apply_refused(fx *f)
{
    calls = 0;
    gi_status st = gi_module_apply(f->seq, refuse_module, NULL);
    return calls == 1 ? st : GI_ERR_INTERNAL;
}

static gi_status params_refused(fx *f)
{
    calls = 0;
    gi_status st = gi_module_named_parameters(f->seq, refuse_param, NULL);
    return calls == 1 ? st : GI_ERR_INTERNAL;
}

static gi_status count_param(const char *name, gi_tensor p, void *user)
{
    (void)name;
    (void)p;
    ++*(int *)user;
    return GI_OK;
}

static gi_status noop_module(gi_module m, void *user)
{
    (void)m;
    (void)user;
    return GI_OK;
}

/* Fans of {0, 3, 2^62}: 3 * 2^62 does not fit in int64_t. */
static gi_status fans_of_big0(fx *f)
{
    if (f->big0 == NULL)
        return NOT_APPLICABLE;
    return gi_calculate_fans(f->big0, &f->out_i, &f->out_j);
}

/* The walk itself still works: Sequential(Linear, ReLU) has two. */
static gi_status params_counted(fx *f)
{
    int n = 0;
    gi_status st = gi_module_named_parameters(f->seq, count_param, &n);
    if (st != GI_OK)
        return st;
    return is_i64(n, 2);
}

/* gi_safetensors_index_open of path: a failure leaves *out as it was. */
static gi_status st_index_open(const char *path)
{
    char sentinel;
    gi_safetensors_index h = (gi_safetensors_index)(void *)&sentinel;
    gi_status st = gi_safetensors_index_open(&h, path);
    if (st == GI_OK) {
        gi_safetensors_index_close(h);
    } else if (h != (gi_safetensors_index)(void *)&sentinel) {
        snprintf(detail, sizeof detail, "a failed open wrote *out");
        return GI_ERR_INTERNAL;
    }
    return st;
}

/* gi_safetensors_open of path: a failure must leave *out as it was. */
static gi_status st_open(const char *path)
{
    char sentinel;
    gi_safetensors h = (gi_safetensors)(void *)&sentinel;
    gi_status st = gi_safetensors_open(&h, path);
    if (st == GI_OK) {
        gi_safetensors_close(h);
    } else if (h != (gi_safetensors)(void *)&sentinel) {
        snprintf(detail, sizeof detail, "a failed open wrote *out");
        return GI_ERR_INTERNAL;
    }
    return st;
}

/* gi_safetensors_info of v, checked when it succeeds. */
static gi_status st_info_v(fx *f)
{
    gi_dtype dt = (gi_dtype)-1;
    int ndim = -1;
    int64_t shape[GI_MAX_DIMS] = {0};
    gi_status st = gi_safetensors_info(f->st, "v", &dt, &ndim, shape);
    if (st == GI_OK && (dt != GI_F32 || ndim != 1 || shape[0] != 6)) {
        snprintf(detail, sizeof detail, "v read as %d, %d-D, %lld", (int)dt,
                 ndim, (long long)shape[0]);
        return GI_ERR_INTERNAL;
    }
    return st;
}

/* DLPack capsules: a producer's float32 {2, 4} over f->host, one field
 * changed (what, to value), given to gi_tensor_from_dlpack on f->ctx. The
 * deleter must not run on failure, and must run once when the tensor of
 * a success is destroyed (here, so *out is back to its sentinel). */
enum { DL_NONE, DL_NDIM, DL_SHAPE_NULL, DL_SIZE1, DL_HUGE, DL_DATA_NULL,
       DL_DATA, DL_CODE, DL_BITS, DL_LANES, DL_DEVICE, DL_STRIDE1, DL_OFFSET };

typedef struct hcapsule {
    DLManagedTensor m;
    int64_t shape[GI_MAX_DIMS + 1], strides[GI_MAX_DIMS + 1];
    int deleted;
} hcapsule;

static void hcapsule_delete(DLManagedTensor *m)
{
    ((hcapsule *)m)->deleted++;
}

static void spoil(hcapsule *c, int what, int64_t value)
{
    DLTensor *d = &c->m.dl_tensor;
    switch (what) {
    case DL_NDIM: d->ndim = (int)value; break;
    case DL_SHAPE_NULL: d->shape = NULL; break;
    case DL_SIZE1: c->shape[1] = value; break;
    case DL_HUGE: c->shape[0] = c->shape[1] = value; break;
    case DL_DATA_NULL: d->data = NULL; break;
    case DL_DATA: d->data = (char *)d->data + value; break;
    case DL_CODE: d->dtype.code = (uint8_t)value; break;
    case DL_BITS: d->dtype.bits = (uint8_t)value; break;
    case DL_LANES: d->dtype.lanes = (uint16_t)value; break;
    case DL_DEVICE: d->device.device_type = (DLDeviceType)value; break;
    case DL_STRIDE1: c->strides[1] = value; d->strides = c->strides; break;
    case DL_OFFSET: d->byte_offset = (uint64_t)value; break;
    }
}

static gi_status import_capsule(fx *f, int what, int64_t value)
{
    hcapsule c;
    memset(&c, 0, sizeof c);
    for (int i = 0; i <= GI_MAX_DIMS; ++i)
        c.shape[i] = 1;
    c.shape[0] = 2;
    c.shape[1] = c.strides[0] = 4;
    c.strides[1] = 1;
    c.m.dl_tensor = (DLTensor){f->host, {kDLCPU, 0}, 2, {kDLFloat, 32, 1},
                               c.shape, NULL, 0};
    c.m.deleter = hcapsule_delete;
    spoil(&c, what, value);
    gi_status st = gi_tensor_from_dlpack(&f->out_t, f->ctx, &c.m);
    if (st == GI_OK) {
        gi_tensor_destroy(f->out_t);
        f->out_t = SENT_T;
    }
    if (c.deleted != (st == GI_OK)) {
        snprintf(detail, sizeof detail, "the deleter ran %d times after "
                 "%s", c.deleted, gi_status_name(st));
        return GI_ERR_INTERNAL;
    }
    return st;
}

/* gi_tensor_to_dlpack(t): the capsule's data is t's element pointer;
 * its deleter is called here. */
static gi_status export_capsule(gi_tensor t)
{
    DLManagedTensor *m = NULL;
    gi_status st = gi_tensor_to_dlpack(t, &m);
    if (st != GI_OK)
        return m == NULL ? st : GI_ERR_INTERNAL;
    void *p = NULL;
    gi_tensor_data_ptr(t, &p);
    st = m->dl_tensor.data == p ? GI_OK : GI_ERR_INTERNAL;
    m->deleter(m);
    return st;
}

/* ------------------------------------------------------------------------ */
/* Values                                                                    */
/* ------------------------------------------------------------------------ */

#define NUL GI_ERR_NULL_ARGUMENT
#define INV GI_ERR_INVALID_ARGUMENT
#define RNG GI_ERR_OUT_OF_RANGE
#define SHP GI_ERR_SHAPE
#define OVF GI_ERR_OVERFLOW
#define UNS GI_ERR_UNSUPPORTED
#define FMT GI_ERR_FORMAT
#define OOM GI_ERR_OUT_OF_MEMORY
#define DEV GI_ERR_DEVICE_UNAVAILABLE
#define MIS GI_ERR_CONTEXT_MISMATCH
#define STA GI_ERR_STATE
#define IOE GI_ERR_IO
#define FMT GI_ERR_FORMAT
#define OK GI_OK

#define P62 (INT64_C(1) << 62)

static const int64_t SH_2x3[] = {2, 3};
static const int64_t SH_NEG[] = {2, -1};
static const int64_t SH_MIN[] = {INT64_MIN, 1};
static const int64_t SH_9[] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
/* numel = 2^64: overflows int64_t */
static const int64_t SH_OVF64[] = {INT64_C(1) << 32, INT64_C(1) << 32};
static const int64_t SH_OVFMAX[] = {INT64_MAX, INT64_MAX};
/* numel = 2^62 fits int64_t; its bytes (2^64) overflow size_t */
static const int64_t SH_OVFSIZE[] = {P62};
/* 2^63 - 4 bytes fit PTRDIFF_MAX, but not once the CPU backend rounds them
 * up to its 64-byte alignment */
static const int64_t SH_PTRDIFF[] = {INT64_MAX / 4};
static const int64_t SH_MAX[] = {INT64_MAX};
/* 2^60 elements: valid, but 4 EiB cannot be allocated anywhere */
static const int64_t SH_HUGE[] = {INT64_C(1) << 60};
static const int64_t SH_ZERO_MAX[] = {0, INT64_MAX};
static const int64_t SH_MAX_ZERO[] = {INT64_MAX, 0};

static const int64_t IX_00[] = {0, 0};
static const int64_t IX_04[] = {0, 4};
static const int64_t IX_30[] = {3, 0};
static const int64_t IX_6[] = {6};
static const int64_t IX_M7[] = {-7};
static const int64_t IX_MAX[] = {INT64_MAX};
static const int64_t IX_MIN[] = {INT64_MIN};

static const double SLOPE_NAN = NAN, SLOPE_INF = INFINITY,
                    SLOPE_NINF = -INFINITY, SLOPE_MAX = FLT_MAX;

/* A valid mixture (the chapter's) and one of nine components. */
static const gi_component MIX3[] = {
    {0.25f, GI_COMPONENT_UNIFORM, 5.0f, 10.0f},
    {0.5f, GI_COMPONENT_CONSTANT, 0.0f, 0.0f},
    {0.25f, GI_COMPONENT_UNIFORM, -10.0f, -5.0f}};
#define C9 {1.0f / 9.0f, GI_COMPONENT_CONSTANT, 1.0f, 0.0f}
static const gi_component MIX9[] = {C9, C9, C9, C9, C9, C9, C9, C9, C9};
/* One-component mixtures with a bad parameter. */
#define MIX1(p, law, a, b) ((const gi_component[]){{p, law, a, b}})
#define U GI_COMPONENT_UNIFORM
#define N GI_COMPONENT_NORMAL
#define K GI_COMPONENT_CONSTANT

/* An initializer descriptor, for gi_init_ and gi_module_init_. */
#define SPEC(...) (&(const gi_init){__VA_ARGS__})
#define XAVIER SPEC(.kind = GI_INIT_XAVIER_UNIFORM, .a = 1.0f)
#define UNIFORM SPEC(.kind = GI_INIT_UNIFORM, .a = -1.0f, .b = 1.0f)
#define NONE SPEC(.kind = GI_INIT_NONE)
#define ORTHO SPEC(.kind = GI_INIT_ORTHOGONAL, .a = 1.0)

static const char LONG_NAME[] =
    "leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_"
    "relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_"
    "leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_"
    "relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_"
    "leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_"
    "relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_"
    "leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_"
    "relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu_leaky_relu";

/* gi_set_error sets the message and returns its status; the fixture's
 * message is put back after, so the harness sees a call that left it. */
static gi_status set_error_sets(const char *fmt, const char *want)
{
    char before[512];
    snprintf(before, sizeof before, "%s", gi_last_error());
    gi_status st = gi_set_error(GI_ERR_IO, fmt, "peer", 2);
    int same = strcmp(gi_last_error(), want) == 0;
    gi_set_error(GI_OK, "%s", before);
    return st == GI_ERR_IO && same ? GI_OK : GI_ERR_INTERNAL;
}

static const int64_t NINE_ONES[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};

/* A one-entry header request with the entry's fields given. */
#define ST_ENTRY(name, dtype, ndim, shape)                                     \
    (&(const gi_safetensors_entry){name, dtype, ndim, shape})
#define ST_HEADER(entries, n, cap)                                             \
    gi_safetensors_header(n, entries, 0, NULL, f->buf, cap, &f->out_n, NULL)

/* ------------------------------------------------------------------------ */
/* The cases: X(function, tag, documented status, flags, call)               */
/* ------------------------------------------------------------------------ */

#define CASES_STATUS(X)                                                          \
    X(gi_status_string, neg, OK, 0, is_text(gi_status_string((gi_status)-1)))   \
    X(gi_status_string, past_end, OK, 0, is_text(gi_status_string((gi_status)19))) \
    X(gi_status_string, int_max, OK, 0, is_text(gi_status_string((gi_status)INT_MAX))) \
    X(gi_status_string, int_min, OK, 0, is_text(gi_status_string((gi_status)INT_MIN))) \
    X(gi_status_name, neg, OK, 0, is_text(gi_status_name((gi_status)-1)))       \
    X(gi_status_name, past_end, OK, 0, is_text(gi_status_name((gi_status)19)))  \
    X(gi_status_name, int_min, OK, 0, is_text(gi_status_name((gi_status)INT_MIN))) \
    X(gi_last_error, never_null, OK, 0, is_i64(gi_last_error() != NULL, 1)) \
    X(gi_set_error, formats, OK, 0, set_error_sets("%s %d failed", "peer 2 failed")) \
    X(gi_set_error, null_fmt_empties, OK, 0, set_error_sets(NULL, "")) \
    X(gi_set_error, percent_literal, OK, 0, set_error_sets("100%%", "100%")) \
    X(gi_version, header_version, OK, 0, is_str(gi_version(), "0.2.0"))     \
    X(gi_version_number, header_number, OK, 0, is_i64(gi_version_number(), GINIT_VERSION_NUMBER)) \
    X(gi_device_name, neg, OK, 0, is_text(gi_device_name((gi_device)-1)))       \
    X(gi_device_name, past_end, OK, 0, is_text(gi_device_name((gi_device)3)))   \
    X(gi_device_name, int_max, OK, 0, is_text(gi_device_name((gi_device)INT_MAX))) \
    X(gi_dtype_name, neg, OK, 0, is_str(gi_dtype_name((gi_dtype)-1), "unknown")) \
    X(gi_dtype_name, past_end, OK, 0, is_str(gi_dtype_name((gi_dtype)4), "unknown")) \
    X(gi_nonlinearity_name, neg, OK, 0, is_str(gi_nonlinearity_name((gi_nonlinearity)-1), "unknown")) \
    X(gi_nonlinearity_name, past_end, OK, 0, is_str(gi_nonlinearity_name((gi_nonlinearity)12), "unknown")) \
    X(gi_nonlinearity_name, int_min, OK, 0, is_str(gi_nonlinearity_name((gi_nonlinearity)INT_MIN), "unknown")) \
    X(gi_module_kind_name, neg, OK, 0, is_str(gi_module_kind_name((gi_module_kind)-1), "unknown")) \
    X(gi_module_kind_name, past_end, OK, 0, is_str(gi_module_kind_name((gi_module_kind)4), "unknown"))

#define CASES_CONTEXT(X)                                                         \
    X(gi_context_create, null_out, NUL, 0, gi_context_create(NULL, GI_DEVICE_CPU)) \
    X(gi_context_create, null_out_auto, NUL, 0, gi_context_create(NULL, GI_DEVICE_AUTO)) \
    X(gi_context_create, device_neg, INV, 0, gi_context_create(&f->out_ctx, (gi_device)-1)) \
    X(gi_context_create, device_3, INV, 0, gi_context_create(&f->out_ctx, (gi_device)3)) \
    X(gi_context_create, device_int_max, INV, 0, gi_context_create(&f->out_ctx, (gi_device)INT_MAX)) \
    X(gi_context_create, env_bogus, INV, 0, create_with_env(f, "bogus", GI_DEVICE_AUTO)) \
    X(gi_context_create, env_upper_case, INV, 0, create_with_env(f, "CPU", GI_DEVICE_AUTO)) \
    X(gi_context_create, env_trailing_space, INV, 0, create_with_env(f, "cpu ", GI_DEVICE_AUTO)) \
    X(gi_context_create, env_ignored_for_cpu, OK, 0, create_with_env(f, "bogus", GI_DEVICE_CPU)) \
    X(gi_context_create, cuda_without_gpu, DEV, NOCUDA, create_with_env(f, NULL, GI_DEVICE_CUDA)) \
    X(gi_context_create, env_cuda_without_gpu, DEV, NOCUDA, create_with_env(f, "cuda", GI_DEVICE_AUTO)) \
    X(gi_context_create_on, null_out, NUL, 0, gi_context_create_on(NULL, GI_DEVICE_CPU, 0)) \
    X(gi_context_create_on, ordinal_neg, INV, 0, gi_context_create_on(&f->out_ctx, GI_DEVICE_AUTO, -1)) \
    X(gi_context_create_on, ordinal_int_min, INV, 0, gi_context_create_on(&f->out_ctx, GI_DEVICE_CUDA, INT_MIN)) \
    X(gi_context_create_on, cpu_ordinal_1, INV, 0, gi_context_create_on(&f->out_ctx, GI_DEVICE_CPU, 1)) \
    X(gi_context_create_on, device_neg, INV, 0, gi_context_create_on(&f->out_ctx, (gi_device)-1, 0)) \
    X(gi_context_create_on, cuda_missing_ordinal, DEV, 0, gi_context_create_on(&f->out_ctx, GI_DEVICE_CUDA, INT_MAX)) \
    X(gi_context_create_on, cpu_ordinal_0, OK, 0, gi_context_create_on(&f->out_ctx, GI_DEVICE_CPU, 0)) \
    X(gi_context_destroy, null, OK, 0, (gi_context_destroy(NULL), GI_OK))        \
    X(gi_context_device, null, OK, 0, is_i64(gi_context_device(NULL), GI_DEVICE_CPU)) \
    X(gi_context_device_info, null, OK, 0, is_str(gi_context_device_info(NULL), "")) \
    X(gi_context_create_on_stream, null_out, NUL, 0, gi_context_create_on_stream(NULL, 0, NULL)) \
    X(gi_context_create_on_stream, ordinal_neg, INV, 0, gi_context_create_on_stream(&f->out_ctx, -1, NULL)) \
    X(gi_context_create_on_stream, ordinal_int_min, INV, 0, gi_context_create_on_stream(&f->out_ctx, INT_MIN, NULL)) \
    X(gi_context_create_on_stream, without_gpu, DEV, NOCUDA, gi_context_create_on_stream(&f->out_ctx, 0, NULL)) \
    X(gi_context_create_on_stream, missing_ordinal, DEV, 0, gi_context_create_on_stream(&f->out_ctx, INT_MAX, NULL)) \
    X(gi_context_stream, null_ctx, NUL, 0, gi_context_stream(NULL, &f->out_ptr)) \
    X(gi_context_stream, null_out, NUL, 0, gi_context_stream(f->ctx, NULL))     \
    X(gi_context_stream, cpu_context, UNS, 0, gi_context_stream(f->ctx, &f->out_ptr)) \
    X(gi_context_synchronize, null, NUL, 0, gi_context_synchronize(NULL))        \
    X(gi_context_set_num_threads, null, NUL, 0, gi_context_set_num_threads(NULL, 1)) \
    X(gi_context_set_num_threads, neg, INV, 0, gi_context_set_num_threads(f->ctx, -1)) \
    X(gi_context_set_num_threads, int_min, INV, 0, gi_context_set_num_threads(f->ctx, INT_MIN)) \
    X(gi_context_set_num_threads, zero_is_default, OK, W, threads_then_fill(f, 0)) \
    /* huge requests once made libgomp exit() or crash in the next fill */   \
    X(gi_context_set_num_threads, int_max_then_fill, OK, W, threads_then_fill(f, INT_MAX)) \
    X(gi_context_set_num_threads, huge_then_fill, OK, W, threads_then_fill(f, 100000)) \
    X(gi_cuda_available, zero_or_one, OK, 0, is_i64(gi_cuda_available() == 0 || gi_cuda_available() == 1, 1))

#define CASES_GENERATOR(X)                                                       \
    X(gi_generator_create, null_out, NUL, 0, gi_generator_create(NULL, 1))       \
    X(gi_generator_create, seed_max, OK, 0, gi_generator_create(&f->out_gen, UINT64_MAX)) \
    X(gi_generator_destroy, null, OK, 0, (gi_generator_destroy(NULL), GI_OK))    \
    X(gi_generator_destroy, context_default, OK, 0, destroy_default_generator(f)) \
    X(gi_generator_set_seed, null, NUL, 0, gi_generator_set_seed(NULL, 1))       \
    X(gi_generator_set_seed, max, OK, W, gi_generator_set_seed(f->gen, UINT64_MAX)) \
    X(gi_generator_set_stream, null, NUL, 0, gi_generator_set_stream(NULL, 1))   \
    X(gi_generator_set_stream, max, OK, W, gi_generator_set_stream(f->gen, UINT64_MAX)) \
    X(gi_generator_set_stream, torch, UNS, 0, on_torch(f, tc_stream)) \
    X(gi_generator_set_offset, null, NUL, 0, gi_generator_set_offset(NULL, 1))   \
    X(gi_generator_set_offset, max, OK, W, gi_generator_set_offset(f->gen, UINT64_MAX)) \
    X(gi_generator_set_offset, torch, UNS, 0, on_torch(f, tc_offset)) \
    X(gi_generator_seed, null, OK, 0, is_i64((int64_t)gi_generator_seed(NULL), 0)) \
    X(gi_generator_stream, null, OK, 0, is_i64((int64_t)gi_generator_stream(NULL), 0)) \
    X(gi_generator_offset, null, OK, 0, is_i64((int64_t)gi_generator_offset(NULL), 0)) \
    X(gi_context_generator, null, OK, 0, is_ptr(gi_context_generator(NULL), NULL)) \
    X(gi_manual_seed, null, NUL, 0, gi_manual_seed(NULL, 1))                     \
    X(gi_manual_seed, max, OK, W, gi_manual_seed(f->ctx, UINT64_MAX)) \
    X(gi_generator_kind_name, unknown, OK, 0, is_str(gi_generator_kind_name((gi_generator_kind)-1), "unknown")) \
    X(gi_generator_kind_name, torch, OK, 0, is_str(gi_generator_kind_name(GI_GENERATOR_TORCH_CPU), "torch_cpu")) \
    X(gi_generator_create_kind, null_out, NUL, 0, gi_generator_create_kind(NULL, GI_GENERATOR_TORCH_CPU, 1)) \
    X(gi_generator_create_kind, kind_2, INV, 0, gi_generator_create_kind(&f->out_gen, (gi_generator_kind)2, 1)) \
    X(gi_generator_create_kind, kind_negative, INV, 0, gi_generator_create_kind(&f->out_gen, (gi_generator_kind)-1, 1)) \
    X(gi_generator_create_kind, torch_seed_max, OK, 0, gi_generator_create_kind(&f->out_gen, GI_GENERATOR_TORCH_CPU, UINT64_MAX)) \
    X(gi_generator_kind_of, null, OK, 0, is_i64(gi_generator_kind_of(NULL), GI_GENERATOR_PHILOX)) \
    X(gi_generator_get_state, null_gen, NUL, 0, gi_generator_get_state(NULL, f->buf, sizeof f->buf, &f->out_n)) \
    X(gi_generator_get_state, null_size, NUL, 0, gi_generator_get_state(f->gen, f->buf, sizeof f->buf, NULL)) \
    X(gi_generator_get_state, cap_23, INV, 0, gi_generator_get_state(f->gen, f->buf, 23, &f->out_n)) \
    X(gi_generator_get_state, torch_cap_64, INV, 0, on_torch(f, tc_get_small)) \
    X(gi_generator_get_state, size_query, OK, W, gi_generator_get_state(f->gen, NULL, 0, &f->out_n)) \
    X(gi_generator_set_state, null_gen, NUL, 0, gi_generator_set_state(NULL, f->buf, 24)) \
    X(gi_generator_set_state, null_buf, NUL, 0, gi_generator_set_state(f->gen, NULL, 24)) \
    X(gi_generator_set_state, size_0, INV, 0, gi_generator_set_state(f->gen, f->buf, 0)) \
    X(gi_generator_set_state, size_23, INV, 0, gi_generator_set_state(f->gen, f->buf, 23)) \
    X(gi_generator_set_state, size_max, INV, 0, gi_generator_set_state(f->gen, f->buf, SIZE_MAX)) \
    X(gi_generator_set_state, torch_philox_size, INV, 0, on_torch(f, tc_set_philox_size)) \
    X(gi_generator_set_state, torch_left_0, INV, 0, on_torch(f, tc_left_zero)) \
    X(gi_generator_set_state, torch_left_negative, INV, 0, on_torch(f, tc_left_negative)) \
    X(gi_generator_set_state, torch_next_huge, INV, 0, on_torch(f, tc_next_huge)) \
    X(gi_generator_set_state, torch_word_33_bits, INV, 0, on_torch(f, tc_word_wide)) \
    X(gi_generator_set_state, torch_own_state, OK, 0, on_torch(f, tc_state_same)) \
    X(gi_generator_set_torch_kernels, null, NUL, 0, gi_generator_set_torch_kernels(NULL, GI_TORCH_KERNELS_AVX2)) \
    X(gi_generator_set_torch_kernels, philox, UNS, 0, gi_generator_set_torch_kernels(f->gen, GI_TORCH_KERNELS_AVX2)) \
    X(gi_generator_set_torch_kernels, kernels_7, INV, 0, on_torch(f, tc_kernels_bad)) \
    X(gi_generator_set_torch_kernels, default, OK, 0, on_torch(f, tc_kernels_default)) \
    X(gi_generator_set_torch_trunc, null, NUL, 0, gi_generator_set_torch_trunc(NULL, GI_TORCH_TRUNC_REJECTION)) \
    X(gi_generator_set_torch_trunc, philox, UNS, 0, gi_generator_set_torch_trunc(f->gen, GI_TORCH_TRUNC_REJECTION)) \
    X(gi_generator_set_torch_trunc, method_minus1, INV, 0, on_torch(f, tc_trunc_bad)) \
    X(gi_generator_set_torch_trunc, rejection, OK, 0, on_torch(f, tc_trunc_rejection)) \
    X(gi_context_set_generator_kind, null, NUL, 0, gi_context_set_generator_kind(NULL, GI_GENERATOR_TORCH_CPU)) \
    X(gi_context_set_generator_kind, kind_2, INV, 0, gi_context_set_generator_kind(f->ctx, (gi_generator_kind)2)) \
    X(gi_context_set_generator_kind, torch, OK, W, gi_context_set_generator_kind(f->ctx, GI_GENERATOR_TORCH_CPU))

#define CASES_TENSOR(X)                                                          \
    X(gi_tensor_create, null_out, NUL, 0, gi_tensor_create(NULL, f->ctx, GI_F32, 2, SH_2x3)) \
    X(gi_tensor_create, null_ctx, NUL, 0, gi_tensor_create(&f->out_t, NULL, GI_F32, 2, SH_2x3)) \
    X(gi_tensor_create, null_shape, NUL, 0, gi_tensor_create(&f->out_t, f->ctx, GI_F32, 2, NULL)) \
    X(gi_tensor_create, null_shape_0d, OK, 0, gi_tensor_create(&f->out_t, f->ctx, GI_F32, 0, NULL)) \
    X(gi_tensor_create, dtype_f64, OK, 0, gi_tensor_create(&f->out_t, f->ctx, GI_F64, 2, SH_2x3)) \
    X(gi_tensor_create, dtype_f16, OK, 0, gi_tensor_create(&f->out_t, f->ctx, GI_F16, 2, SH_2x3)) \
    X(gi_tensor_create, dtype_bf16, OK, 0, gi_tensor_create(&f->out_t, f->ctx, GI_BF16, 2, SH_2x3)) \
    X(gi_tensor_create, dtype_neg, INV, 0, gi_tensor_create(&f->out_t, f->ctx, (gi_dtype)-1, 2, SH_2x3)) \
    X(gi_tensor_create, dtype_99, INV, 0, gi_tensor_create(&f->out_t, f->ctx, (gi_dtype)99, 2, SH_2x3)) \
    X(gi_tensor_create, ndim_9, SHP, 0, gi_tensor_create(&f->out_t, f->ctx, GI_F32, 9, SH_9)) \
    X(gi_tensor_create, ndim_neg, SHP, 0, gi_tensor_create(&f->out_t, f->ctx, GI_F32, -1, SH_2x3)) \
    X(gi_tensor_create, ndim_int_min, SHP, 0, gi_tensor_create(&f->out_t, f->ctx, GI_F32, INT_MIN, SH_2x3)) \
    X(gi_tensor_create, ndim_int_max, SHP, 0, gi_tensor_create(&f->out_t, f->ctx, GI_F32, INT_MAX, SH_2x3)) \
    X(gi_tensor_create, size_neg, SHP, 0, gi_tensor_create(&f->out_t, f->ctx, GI_F32, 2, SH_NEG)) \
    X(gi_tensor_create, size_int64_min, SHP, 0, gi_tensor_create(&f->out_t, f->ctx, GI_F32, 2, SH_MIN)) \
    X(gi_tensor_create, numel_overflows_int64, OVF, 0, gi_tensor_create(&f->out_t, f->ctx, GI_F32, 2, SH_OVF64)) \
    X(gi_tensor_create, numel_max_squared, OVF, 0, gi_tensor_create(&f->out_t, f->ctx, GI_F32, 2, SH_OVFMAX)) \
    X(gi_tensor_create, bytes_overflow_size_t, OVF, 0, gi_tensor_create(&f->out_t, f->ctx, GI_F32, 1, SH_OVFSIZE)) \
    X(gi_tensor_create, bytes_past_ptrdiff_max, OVF, 0, gi_tensor_create(&f->out_t, f->ctx, GI_F32, 1, SH_PTRDIFF)) \
    X(gi_tensor_create, size_int64_max, OVF, 0, gi_tensor_create(&f->out_t, f->ctx, GI_F32, 1, SH_MAX)) \
    X(gi_tensor_create, exabytes, OOM, 0, gi_tensor_create(&f->out_t, f->ctx, GI_F32, 1, SH_HUGE)) \
    /* no elements, but the nonzero sizes' product must fit too (tensor.c);  \
     * the header's "(number of elements or bytes too large)" predates it */ \
    X(gi_tensor_create, zero_times_max, OVF, 0, gi_tensor_create(&f->out_t, f->ctx, GI_F32, 2, SH_ZERO_MAX)) \
    X(gi_tensor_create, max_times_zero, OVF, 0, gi_tensor_create(&f->out_t, f->ctx, GI_F32, 2, SH_MAX_ZERO)) \
    X(gi_tensor_destroy, null, OK, 0, (gi_tensor_destroy(NULL), GI_OK))          \
    X(gi_tensor_destroy, parameter_is_left_alone, STA, 0, destroy_parameter(f)) \
    X(gi_tensor_ndim, null, OK, 0, is_i64(gi_tensor_ndim(NULL), 0))              \
    X(gi_tensor_numel, null, OK, 0, is_i64(gi_tensor_numel(NULL), 0))            \
    X(gi_tensor_shape, null, OK, 0, is_ptr(gi_tensor_shape(NULL), NULL))         \
    X(gi_tensor_size, null, OK, 0, is_i64(gi_tensor_size(NULL, 0), -1))          \
    X(gi_tensor_size, dim_past_end, OK, 0, is_i64(gi_tensor_size(f->m, 2), -1))  \
    X(gi_tensor_size, dim_before_start, OK, 0, is_i64(gi_tensor_size(f->m, -3), -1)) \
    X(gi_tensor_size, dim_int_min, OK, 0, is_i64(gi_tensor_size(f->m, INT_MIN), -1)) \
    X(gi_tensor_size, dim_int_max, OK, 0, is_i64(gi_tensor_size(f->m, INT_MAX), -1)) \
    X(gi_tensor_size, scalar, OK, 0, is_i64(gi_tensor_size(f->s, 0), -1))        \
    X(gi_tensor_size, last, OK, 0, is_i64(gi_tensor_size(f->m, -1), 4))          \
    X(gi_tensor_dtype, null, OK, 0, is_i64(gi_tensor_dtype(NULL), GI_F32))       \
    X(gi_tensor_context, null, OK, 0, is_ptr(gi_tensor_context(NULL), NULL))     \
    X(gi_tensor_copy_from_host, null_t, NUL, 0, gi_tensor_copy_from_host(NULL, f->host, 24)) \
    X(gi_tensor_copy_from_host, null_src, NUL, 0, gi_tensor_copy_from_host(f->v, NULL, 24)) \
    X(gi_tensor_copy_from_host, null_src_zero_bytes, SHP, 0, gi_tensor_copy_from_host(f->v, NULL, 0)) \
    X(gi_tensor_copy_from_host, nbytes_zero, SHP, 0, gi_tensor_copy_from_host(f->v, f->host, 0)) \
    X(gi_tensor_copy_from_host, nbytes_minus_one, SHP, 0, gi_tensor_copy_from_host(f->v, f->host, 23)) \
    X(gi_tensor_copy_from_host, nbytes_plus_one, SHP, 0, gi_tensor_copy_from_host(f->v, f->host, 25)) \
    X(gi_tensor_copy_from_host, nbytes_size_max, SHP, 0, gi_tensor_copy_from_host(f->v, f->host, SIZE_MAX)) \
    X(gi_tensor_copy_to_host, null_t, NUL, 0, gi_tensor_copy_to_host(NULL, f->host, 24)) \
    X(gi_tensor_copy_to_host, null_dst, NUL, 0, gi_tensor_copy_to_host(f->v, NULL, 24)) \
    X(gi_tensor_copy_to_host, nbytes_zero, SHP, 0, gi_tensor_copy_to_host(f->v, f->host, 0)) \
    X(gi_tensor_copy_to_host, nbytes_minus_one, SHP, 0, gi_tensor_copy_to_host(f->v, f->host, 23)) \
    X(gi_tensor_copy_to_host, nbytes_plus_one, SHP, 0, gi_tensor_copy_to_host(f->v, f->host, 25)) \
    X(gi_tensor_copy_to_host, nbytes_size_max, SHP, 0, gi_tensor_copy_to_host(f->v, f->host, SIZE_MAX)) \
    X(gi_tensor_copy_, null_dst, NUL, 0, gi_tensor_copy_(NULL, f->v))            \
    X(gi_tensor_copy_, null_src, NUL, 0, gi_tensor_copy_(f->v, NULL))            \
    X(gi_tensor_copy_, shape, SHP, 0, gi_tensor_copy_(f->v, f->m))               \
    X(gi_tensor_copy_, same_numel_other_shape, SHP, 0, gi_tensor_copy_(f->v, f->w)) \
    X(gi_tensor_copy_, scalar_into_vector, SHP, 0, gi_tensor_copy_(f->v, f->s))  \
    /* overlap: GI_ERR_INVALID_ARGUMENT, not yet in copy_'s documented list */ \
    X(gi_tensor_copy_, overlapping_views, INV, 0, overlapping(f, 0))             \
    X(gi_tensor_copy_, itself, OK, 0, gi_tensor_copy_(f->v, f->v))               \
    X(gi_tensor_copy_, across_contexts, OK, 0, gi_tensor_copy_(f->v, f->v2))     \
    X(gi_tensor_get, null_t, NUL, 0, gi_tensor_get(NULL, 2, IX_00, &f->out_f))   \
    X(gi_tensor_get, null_out, NUL, 0, gi_tensor_get(f->m, 2, IX_00, NULL))      \
    X(gi_tensor_get, null_index, NUL, 0, gi_tensor_get(f->m, 2, NULL, &f->out_f)) \
    X(gi_tensor_get, nindex_short, SHP, 0, gi_tensor_get(f->m, 1, IX_00, &f->out_f)) \
    X(gi_tensor_get, nindex_long, SHP, 0, gi_tensor_get(f->v, 2, IX_00, &f->out_f)) \
    X(gi_tensor_get, nindex_neg, SHP, 0, gi_tensor_get(f->m, -1, IX_00, &f->out_f)) \
    X(gi_tensor_get, nindex_int_max, SHP, 0, gi_tensor_get(f->m, INT_MAX, IX_00, &f->out_f)) \
    X(gi_tensor_get, index_past_end, RNG, 0, gi_tensor_get(f->v, 1, IX_6, &f->out_f)) \
    X(gi_tensor_get, index_before_start, RNG, 0, gi_tensor_get(f->v, 1, IX_M7, &f->out_f)) \
    X(gi_tensor_get, index_int64_max, RNG, 0, gi_tensor_get(f->v, 1, IX_MAX, &f->out_f)) \
    X(gi_tensor_get, index_int64_min, RNG, 0, gi_tensor_get(f->v, 1, IX_MIN, &f->out_f)) \
    X(gi_tensor_get, index_second_dim, RNG, 0, gi_tensor_get(f->m, 2, IX_04, &f->out_f)) \
    X(gi_tensor_get, index_first_dim, RNG, 0, gi_tensor_get(f->m, 2, IX_30, &f->out_f)) \
    X(gi_tensor_set, null_t, NUL, 0, gi_tensor_set(NULL, 1, IX_6, 1.0f))         \
    X(gi_tensor_set, null_index, NUL, 0, gi_tensor_set(f->v, 1, NULL, 1.0f))     \
    X(gi_tensor_set, nindex_wrong, SHP, 0, gi_tensor_set(f->m, 1, IX_00, 1.0f))  \
    X(gi_tensor_set, nindex_neg, SHP, 0, gi_tensor_set(f->m, -2, IX_00, 1.0f))   \
    X(gi_tensor_set, index_past_end, RNG, 0, gi_tensor_set(f->v, 1, IX_6, 1.0f)) \
    X(gi_tensor_set, index_int64_min, RNG, 0, gi_tensor_set(f->v, 1, IX_MIN, 1.0f)) \
    X(gi_tensor_set, index_int64_max, RNG, 0, gi_tensor_set(f->m, 2, (const int64_t[]){0, INT64_MAX}, 1.0f)) \
    X(gi_tensor_set, value_nan, OK, W, gi_tensor_set(f->v, 1, (const int64_t[]){-1}, NAN)) \
    X(gi_tensor_set, f16_overflowing, INV, 0, gi_tensor_set(f->h, 1, IX_00, 1e5)) \
    X(gi_tensor_set, bf16_inf, OK, W, gi_tensor_set(f->bh, 1, IX_00, -INFINITY)) \
    X(gi_tensor_item, null_t, NUL, 0, gi_tensor_item(NULL, &f->out_f))           \
    X(gi_tensor_item, null_out, NUL, 0, gi_tensor_item(f->s, NULL))              \
    X(gi_tensor_item, many_elements, SHP, 0, gi_tensor_item(f->v, &f->out_f))    \
    X(gi_tensor_item, no_elements, SHP, 0, gi_tensor_item(f->e, &f->out_f))      \
    X(gi_tensor_select, null_out, NUL, 0, gi_tensor_select(NULL, f->m, 0))       \
    X(gi_tensor_select, null_t, NUL, 0, gi_tensor_select(&f->out_t, NULL, 0))    \
    X(gi_tensor_select, scalar, SHP, 0, gi_tensor_select(&f->out_t, f->s, 0))    \
    X(gi_tensor_select, past_end, RNG, 0, gi_tensor_select(&f->out_t, f->m, 3))  \
    X(gi_tensor_select, before_start, RNG, 0, gi_tensor_select(&f->out_t, f->m, -4)) \
    X(gi_tensor_select, int64_max, RNG, 0, gi_tensor_select(&f->out_t, f->m, INT64_MAX)) \
    X(gi_tensor_select, int64_min, RNG, 0, gi_tensor_select(&f->out_t, f->m, INT64_MIN)) \
    X(gi_tensor_select, empty, RNG, 0, gi_tensor_select(&f->out_t, f->e, 0))     \
    X(gi_tensor_slice, null_out, NUL, 0, gi_tensor_slice(NULL, f->m, 0, 1))      \
    X(gi_tensor_slice, null_t, NUL, 0, gi_tensor_slice(&f->out_t, NULL, 0, 1))   \
    X(gi_tensor_slice, scalar, SHP, 0, gi_tensor_slice(&f->out_t, f->s, 0, 1))   \
    X(gi_tensor_slice, min_to_max, OK, 0, slice_rows(f, INT64_MIN, INT64_MAX, 3)) \
    X(gi_tensor_slice, max_to_min, OK, 0, slice_rows(f, INT64_MAX, INT64_MIN, 0)) \
    X(gi_tensor_slice, min_to_min, OK, 0, slice_rows(f, INT64_MIN, INT64_MIN, 0)) \
    X(gi_tensor_slice, max_to_end, OK, 0, slice_rows(f, INT64_MAX, GI_END, 0))   \
    X(gi_tensor_slice, neg_to_end, OK, 0, slice_rows(f, -2, GI_END, 2))          \
    X(gi_tensor_view, null_out, NUL, 0, gi_tensor_view(NULL, f->m, 1, (const int64_t[]){12})) \
    X(gi_tensor_view, null_t, NUL, 0, gi_tensor_view(&f->out_t, NULL, 1, (const int64_t[]){12})) \
    X(gi_tensor_view, null_shape, NUL, 0, gi_tensor_view(&f->out_t, f->m, 2, NULL)) \
    X(gi_tensor_view, ndim_neg, SHP, 0, gi_tensor_view(&f->out_t, f->m, -1, (const int64_t[]){12})) \
    X(gi_tensor_view, ndim_past_max, SHP, 0, gi_tensor_view(&f->out_t, f->m, GI_MAX_DIMS + 1, (const int64_t[GI_MAX_DIMS + 1]){12})) \
    X(gi_tensor_view, two_inferred, INV, 0, gi_tensor_view(&f->out_t, f->m, 2, (const int64_t[]){-1, -1})) \
    X(gi_tensor_view, size_minus_two, SHP, 0, gi_tensor_view(&f->out_t, f->m, 2, (const int64_t[]){-2, -6})) \
    X(gi_tensor_view, wrong_numel, SHP, 0, gi_tensor_view(&f->out_t, f->m, 2, (const int64_t[]){5, 2})) \
    X(gi_tensor_view, not_divisible, SHP, 0, gi_tensor_view(&f->out_t, f->m, 2, (const int64_t[]){5, -1})) \
    X(gi_tensor_view, inferred_beside_zero, SHP, 0, gi_tensor_view(&f->out_t, f->e, 2, (const int64_t[]){0, -1})) \
    X(gi_tensor_view, int64_max, OVF, 0, gi_tensor_view(&f->out_t, f->m, 2, (const int64_t[]){INT64_MAX, INT64_MAX})) \
    X(gi_tensor_view, inferred, OK, 0, gi_tensor_view(&f->out_t, f->m, 3, (const int64_t[]){2, -1, 3})) \
    X(gi_tensor_view_range, null_out, NUL, 0, gi_tensor_view_range(NULL, f->m, 0, 1, (const int64_t[]){2})) \
    X(gi_tensor_view_range, null_t, NUL, 0, gi_tensor_view_range(&f->out_t, NULL, 0, 1, (const int64_t[]){2})) \
    X(gi_tensor_view_range, null_shape, NUL, 0, gi_tensor_view_range(&f->out_t, f->m, 0, 1, NULL)) \
    X(gi_tensor_view_range, first_neg, RNG, 0, gi_tensor_view_range(&f->out_t, f->m, -1, 1, (const int64_t[]){2})) \
    X(gi_tensor_view_range, past_end, RNG, 0, gi_tensor_view_range(&f->out_t, f->m, 11, 1, (const int64_t[]){2})) \
    X(gi_tensor_view_range, first_int64_max, RNG, 0, gi_tensor_view_range(&f->out_t, f->m, INT64_MAX, 1, (const int64_t[]){1})) \
    X(gi_tensor_view_range, size_neg, SHP, 0, gi_tensor_view_range(&f->out_t, f->m, 0, 1, (const int64_t[]){-1})) \
    X(gi_tensor_view_range, empty_at_end, OK, 0, gi_tensor_view_range(&f->out_t, f->m, 12, 1, (const int64_t[]){0})) \
    X(gi_tensor_from_blob, null_out, NUL, 0, gi_tensor_from_blob(NULL, f->ctx, f->host, GI_F32, 1, (const int64_t[]){8}, NULL, NULL)) \
    X(gi_tensor_from_blob, null_ctx, NUL, 0, gi_tensor_from_blob(&f->out_t, NULL, f->host, GI_F32, 1, (const int64_t[]){8}, NULL, NULL)) \
    X(gi_tensor_from_blob, null_data, NUL, 0, gi_tensor_from_blob(&f->out_t, f->ctx, NULL, GI_F32, 1, (const int64_t[]){8}, NULL, NULL)) \
    X(gi_tensor_from_blob, null_shape, NUL, 0, gi_tensor_from_blob(&f->out_t, f->ctx, f->host, GI_F32, 1, NULL, NULL, NULL)) \
    X(gi_tensor_from_blob, misaligned, INV, 0, gi_tensor_from_blob(&f->out_t, f->ctx, f->buf + 1, GI_F16, 1, (const int64_t[]){8}, NULL, NULL)) \
    X(gi_tensor_from_blob, dtype_neg, INV, 0, gi_tensor_from_blob(&f->out_t, f->ctx, f->host, (gi_dtype)-1, 1, (const int64_t[]){8}, NULL, NULL)) \
    X(gi_tensor_from_blob, dtype_past_end, INV, 0, gi_tensor_from_blob(&f->out_t, f->ctx, f->host, (gi_dtype)4, 1, (const int64_t[]){8}, NULL, NULL)) \
    X(gi_tensor_from_blob, shape_neg, SHP, 0, gi_tensor_from_blob(&f->out_t, f->ctx, f->host, GI_F32, 2, SH_NEG, NULL, NULL)) \
    X(gi_tensor_from_blob, ndim_9, SHP, 0, gi_tensor_from_blob(&f->out_t, f->ctx, f->host, GI_F32, 9, SH_9, NULL, NULL)) \
    X(gi_tensor_from_blob, numel_ovf, OVF, 0, gi_tensor_from_blob(&f->out_t, f->ctx, f->host, GI_F32, 2, SH_OVF64, NULL, NULL)) \
    X(gi_tensor_from_blob, past_address_space, OVF, 0, gi_tensor_from_blob(&f->out_t, f->ctx, (void *)(UINTPTR_MAX - 7), GI_F32, 1, (const int64_t[]){8}, NULL, NULL)) \
    X(gi_tensor_from_blob, empty_null_data, OK, 0, gi_tensor_from_blob(&f->out_t, f->ctx, NULL, GI_F32, 2, (const int64_t[]){0, 3}, NULL, NULL)) \
    X(gi_tensor_from_blob, host_buffer, OK, 0, gi_tensor_from_blob(&f->out_t, f->ctx, f->host, GI_F32, 2, (const int64_t[]){2, 4}, NULL, NULL)) \
    X(gi_tensor_data_ptr, null_t, NUL, 0, gi_tensor_data_ptr(NULL, &f->out_ptr)) \
    X(gi_tensor_data_ptr, null_out, NUL, 0, gi_tensor_data_ptr(f->m, NULL))      \
    X(gi_tensor_clone, null_out, NUL, 0, gi_tensor_clone(NULL, f->v))            \
    X(gi_tensor_clone, null_t, NUL, 0, gi_tensor_clone(&f->out_t, NULL))        \
    X(gi_tensor_set_shard, null_t, NUL, 0, gi_tensor_set_shard(NULL, 2, (const int64_t[]){6, 8}, (const int64_t[]){0, 0})) \
    X(gi_tensor_set_shard, null_global, NUL, 0, gi_tensor_set_shard(f->m, 2, NULL, (const int64_t[]){0, 0})) \
    X(gi_tensor_set_shard, null_start, NUL, 0, gi_tensor_set_shard(f->m, 2, (const int64_t[]){6, 8}, NULL)) \
    X(gi_tensor_set_shard, ndim_neg, SHP, 0, gi_tensor_set_shard(f->m, -1, (const int64_t[]){6, 8}, (const int64_t[]){0, 0})) \
    X(gi_tensor_set_shard, ndim_past_max, SHP, 0, gi_tensor_set_shard(f->m, GI_MAX_DIMS + 1, (const int64_t[]){6, 8}, (const int64_t[]){0, 0})) \
    X(gi_tensor_set_shard, ndim_mismatch, SHP, 0, gi_tensor_set_shard(f->m, 1, (const int64_t[]){48}, (const int64_t[]){0})) \
    X(gi_tensor_set_shard, global_neg, SHP, 0, gi_tensor_set_shard(f->m, 2, (const int64_t[]){-6, 8}, (const int64_t[]){0, 0})) \
    X(gi_tensor_set_shard, global_ovf, OVF, 0, gi_tensor_set_shard(f->m, 2, SH_OVF64, (const int64_t[]){0, 0})) \
    X(gi_tensor_set_shard, start_neg, RNG, 0, gi_tensor_set_shard(f->m, 2, (const int64_t[]){6, 8}, (const int64_t[]){0, -1})) \
    X(gi_tensor_set_shard, past_end, RNG, 0, gi_tensor_set_shard(f->m, 2, (const int64_t[]){6, 8}, (const int64_t[]){4, 0})) \
    X(gi_tensor_set_shard, start_int64_max, RNG, 0, gi_tensor_set_shard(f->m, 2, (const int64_t[]){6, 8}, (const int64_t[]){INT64_MAX, 0})) \
    X(gi_tensor_set_shard, global_smaller, RNG, 0, gi_tensor_set_shard(f->m, 2, (const int64_t[]){2, 8}, (const int64_t[]){0, 0})) \
    X(gi_tensor_set_shard, box, OK, W, gi_tensor_set_shard(f->m, 2, (const int64_t[]){6, 8}, (const int64_t[]){3, 4})) \
    X(gi_tensor_set_flat_shard, null_t, NUL, 0, gi_tensor_set_flat_shard(NULL, 2, (const int64_t[]){6, 8}, 0)) \
    X(gi_tensor_set_flat_shard, null_global, NUL, 0, gi_tensor_set_flat_shard(f->m, 2, NULL, 0)) \
    X(gi_tensor_set_flat_shard, ndim_neg, SHP, 0, gi_tensor_set_flat_shard(f->m, -1, (const int64_t[]){6, 8}, 0)) \
    X(gi_tensor_set_flat_shard, global_neg, SHP, 0, gi_tensor_set_flat_shard(f->m, 2, (const int64_t[]){6, -8}, 0)) \
    X(gi_tensor_set_flat_shard, global_ovf, OVF, 0, gi_tensor_set_flat_shard(f->m, 2, SH_OVF64, 0)) \
    X(gi_tensor_set_flat_shard, start_neg, RNG, 0, gi_tensor_set_flat_shard(f->m, 2, (const int64_t[]){6, 8}, -1)) \
    X(gi_tensor_set_flat_shard, past_end, RNG, 0, gi_tensor_set_flat_shard(f->m, 2, (const int64_t[]){6, 8}, 37)) \
    X(gi_tensor_set_flat_shard, start_int64_max, RNG, 0, gi_tensor_set_flat_shard(f->m, 2, (const int64_t[]){6, 8}, INT64_MAX)) \
    X(gi_tensor_set_flat_shard, start_int64_min, RNG, 0, gi_tensor_set_flat_shard(f->m, 2, (const int64_t[]){6, 8}, INT64_MIN)) \
    X(gi_tensor_set_flat_shard, odd_start, OK, W, gi_tensor_set_flat_shard(f->m, 2, (const int64_t[]){6, 8}, 35)) \
    X(gi_tensor_shard_info, null_t, NUL, 0, gi_tensor_shard_info(NULL, &f->out_shard)) \
    X(gi_tensor_shard_info, null_out, NUL, 0, gi_tensor_shard_info(f->m, NULL)) \
    X(gi_tensor_shard_info, ordinary, OK, 0, gi_tensor_shard_info(f->m, &f->out_shard)) \
    X(gi_tensor_clear_shard, null_t, NUL, 0, gi_tensor_clear_shard(NULL)) \
    X(gi_tensor_clear_shard, ordinary, OK, 0, gi_tensor_clear_shard(f->m)) \
    X(gi_tensor_to, null_out, NUL, 0, gi_tensor_to(NULL, f->v, GI_F16))         \
    X(gi_tensor_to, null_t, NUL, 0, gi_tensor_to(&f->out_t, NULL, GI_F16))      \
    X(gi_tensor_to, dtype_neg, INV, 0, gi_tensor_to(&f->out_t, f->v, (gi_dtype)-1)) \
    X(gi_tensor_to, dtype_99, INV, 0, gi_tensor_to(&f->out_t, f->v, (gi_dtype)99)) \
    X(gi_tensor_to, same_dtype, OK, 0, gi_tensor_to(&f->out_t, f->v, GI_F32))   \
    X(gi_tensor_to, to_bf16, OK, 0, gi_tensor_to(&f->out_t, f->v, GI_BF16))

#define CASES_OPS(X)                                                             \
    X(gi_fill_, null, NUL, 0, gi_fill_(NULL, 1.0f))                              \
    X(gi_fill_, nan, OK, W, gi_fill_(f->v, NAN))                                 \
    X(gi_fill_, inf, OK, W, gi_fill_(f->v, INFINITY))                            \
    X(gi_fill_, ninf, OK, W, gi_fill_(f->v, -INFINITY))                          \
    X(gi_fill_, f16_max, OK, W, gi_fill_(f->h, 65504.0))                        \
    X(gi_fill_, f16_overflow, INV, 0, gi_fill_(f->h, 65505.0))                  \
    X(gi_fill_, f16_rounds_to_inf, INV, 0, gi_fill_(f->h, -65520.0))            \
    X(gi_fill_, f16_inf, OK, W, gi_fill_(f->h, INFINITY))                       \
    X(gi_fill_, bf16_overflow, INV, 0, gi_fill_(f->bh, 3.39e38))                \
    X(gi_fill_, bf16_nan, OK, W, gi_fill_(f->bh, NAN))                          \
    X(gi_fill_, f32_past_max, INV, 0, gi_fill_(f->v, 3.4028235e38))             \
    X(gi_fill_, f64_huge, OK, W, gi_fill_(f->d, 1e300))                         \
    X(gi_add_scalar_, null, NUL, 0, gi_add_scalar_(NULL, 1.0f))                  \
    X(gi_add_scalar_, nan, OK, W, gi_add_scalar_(f->v, NAN))                     \
    X(gi_add_scalar_, inf, OK, W, gi_add_scalar_(f->v, INFINITY))                \
    X(gi_add_scalar_, ninf, OK, W, gi_add_scalar_(f->v, -INFINITY))              \
    X(gi_add_scalar_, f16_overflowing, OK, W, gi_add_scalar_(f->h, 1e5))       \
    X(gi_add_scalar_, bf16_past_float, OK, W, gi_add_scalar_(f->bh, 1e39))     \
    X(gi_mul_scalar_, null, NUL, 0, gi_mul_scalar_(NULL, 1.0f))                  \
    X(gi_mul_scalar_, nan, OK, W, gi_mul_scalar_(f->v, NAN))                     \
    X(gi_mul_scalar_, inf, OK, W, gi_mul_scalar_(f->v, INFINITY))                \
    X(gi_mul_scalar_, ninf, OK, W, gi_mul_scalar_(f->v, -INFINITY))              \
    X(gi_mul_scalar_, f16_overflowing, OK, W, gi_mul_scalar_(f->h, 1e5))       \
    X(gi_mul_scalar_, f64_past_float, OK, W, gi_mul_scalar_(f->d, 1e39))       \
    X(gi_clamp_, null, NUL, 0, gi_clamp_(NULL, 0.0f, 1.0f))                      \
    X(gi_clamp_, lo_nan, OK, W, gi_clamp_(f->v, NAN, 1.0f))                     \
    X(gi_clamp_, hi_nan, OK, W, gi_clamp_(f->v, 0.0f, NAN))                     \
    X(gi_clamp_, lo_above_hi, OK, W, gi_clamp_(f->v, 2.0f, 1.0f))               \
    X(gi_clamp_, inf_above_ninf, OK, W, gi_clamp_(f->v, INFINITY, -INFINITY))   \
    X(gi_clamp_, ninf_to_inf, OK, 0, gi_clamp_(f->v, -INFINITY, INFINITY))       \
    X(gi_clamp_, inf_to_inf, OK, W, gi_clamp_(f->v, INFINITY, INFINITY))         \
    X(gi_clamp_, f32_lo_past_float, INV, 0, gi_clamp_(f->v, -1e39, 1.0))      \
    X(gi_clamp_, f16_hi_overflow, INV, 0, gi_clamp_(f->h, 0.0, 65505.0))       \
    X(gi_clamp_, bf16_lo_overflow, INV, 0, gi_clamp_(f->bh, -1e39, 0.0))       \
    X(gi_clamp_, f16_inf_bounds, OK, 0, gi_clamp_(f->h, -INFINITY, INFINITY))  \
    X(gi_clamp_, f64_past_float, OK, 0, gi_clamp_(f->d, -1e39, 1e39))          \
    X(gi_masked_fill_, null, NUL, 0, gi_masked_fill_(NULL, GI_LT, 0.0f, 1.0f))   \
    X(gi_masked_fill_, cmp_neg, INV, 0, gi_masked_fill_(f->v, (gi_compare)-1, 0.0f, 1.0f)) \
    X(gi_masked_fill_, cmp_past_end, INV, 0, gi_masked_fill_(f->v, (gi_compare)10, 0.0f, 1.0f)) \
    X(gi_masked_fill_, cmp_int_max, INV, 0, gi_masked_fill_(f->v, (gi_compare)INT_MAX, 0.0f, 1.0f)) \
    X(gi_masked_fill_, threshold_nan, INV, 0, gi_masked_fill_(f->v, GI_GT, NAN, 1.0f)) \
    X(gi_masked_fill_, threshold_inf, OK, 0, gi_masked_fill_(f->v, GI_GE, INFINITY, 1.0f)) \
    X(gi_masked_fill_, threshold_ninf, OK, W, gi_masked_fill_(f->v, GI_GT, -INFINITY, 1.0f)) \
    X(gi_masked_fill_, value_nan, OK, W, gi_masked_fill_(f->v, GI_GT, 2.0f, NAN)) \
    X(gi_masked_fill_, value_inf, OK, W, gi_masked_fill_(f->v, GI_ABS_LE, 2.0f, -INFINITY)) \
    X(gi_masked_fill_, f16_value_overflow, INV, 0, gi_masked_fill_(f->h, GI_GT, 2.0, 65505.0)) \
    X(gi_masked_fill_, bf16_value_overflow, INV, 0, gi_masked_fill_(f->bh, GI_GT, 2.0, -1e39)) \
    X(gi_masked_fill_, f32_value_overflow, INV, 0, gi_masked_fill_(f->v, GI_GT, 2.0, 1e39)) \
    X(gi_masked_fill_, f16_value_inf, OK, W, gi_masked_fill_(f->h, GI_GT, 2.0, INFINITY)) \
    X(gi_masked_fill_, f16_threshold_overflows, OK, 0, gi_masked_fill_(f->h, GI_GT, 1e5, 1.0)) \
    X(gi_masked_fill_, f16_threshold_nan, INV, 0, gi_masked_fill_(f->h, GI_GT, NAN, 1.0)) \
    X(gi_mul_mask_, null, NUL, 0, gi_mul_mask_(NULL, GI_ABS_GE, 5.0f))           \
    X(gi_mul_mask_, cmp_neg, INV, 0, gi_mul_mask_(f->v, (gi_compare)-1, 5.0f))   \
    X(gi_mul_mask_, cmp_past_end, INV, 0, gi_mul_mask_(f->v, (gi_compare)10, 5.0f)) \
    X(gi_mul_mask_, threshold_nan, INV, 0, gi_mul_mask_(f->v, GI_ABS_GE, NAN))   \
    X(gi_mul_mask_, threshold_inf, OK, W, gi_mul_mask_(f->v, GI_LT, INFINITY))   \
    X(gi_mul_mask_, threshold_ninf, OK, W, gi_mul_mask_(f->v, GI_LT, -INFINITY)) \
    X(gi_mul_mask_, f16_threshold_nan, INV, 0, gi_mul_mask_(f->h, GI_LT, NAN)) \
    X(gi_mul_mask_, bf16_threshold_past_float, OK, W, gi_mul_mask_(f->bh, GI_LT, 1e39)) \
    X(gi_add_, null_t, NUL, 0, gi_add_(NULL, f->v, 1.0f))                        \
    X(gi_add_, null_other, NUL, 0, gi_add_(f->v, NULL, 1.0f))                    \
    X(gi_add_, shape, SHP, 0, gi_add_(f->v, f->w, 1.0f))                         \
    X(gi_add_, scalar_other, SHP, 0, gi_add_(f->v, f->s, 1.0f))                  \
    X(gi_add_, other_context, MIS, 0, gi_add_(f->v, f->v2, 1.0f))                \
    /* overlap: GI_ERR_INVALID_ARGUMENT, not yet in add_'s documented list */ \
    X(gi_add_, overlapping_views, INV, 0, overlapping(f, 1))                     \
    X(gi_add_, alpha_nan, OK, W, gi_add_(f->v, f->v, NAN))                       \
    X(gi_add_, alpha_inf, OK, W, gi_add_(f->w, f->w, INFINITY))                  \
    X(gi_add_, mixed_dtypes, OK, W, gi_add_(f->h, f->d, 0.5))                  \
    X(gi_add_, f16_alpha_overflow, INV, 0, gi_add_(f->h, f->h, 1e5))           \
    X(gi_add_, f16_bf16_alpha_past_float, INV, 0, gi_add_(f->h, f->bh, 1e39))  \
    X(gi_add_, f16_f64_alpha_past_float, OK, W, gi_add_(f->h, f->d, 1e39))     \
    X(gi_add_, f32_alpha_past_float, INV, 0, gi_add_(f->v, f->v, -1e39))       \
    X(gi_add_, f16_alpha_nan, OK, W, gi_add_(f->h, f->bh, NAN))                \
    X(gi_add_, mixed_shape, SHP, 0, gi_add_(f->h, f->w, 1.0))                  \
    X(gi_mul_, null_t, NUL, 0, gi_mul_(NULL, f->v))                              \
    X(gi_mul_, null_other, NUL, 0, gi_mul_(f->v, NULL))                          \
    X(gi_mul_, shape, SHP, 0, gi_mul_(f->m, f->c))                               \
    X(gi_mul_, other_context, MIS, 0, gi_mul_(f->v2, f->v))                      \
    X(gi_mul_, mixed_dtypes, OK, W, gi_mul_(f->bh, f->v))                      \
    X(gi_mul_, mixed_shape, SHP, 0, gi_mul_(f->d, f->m))                       \
    /* overlap: GI_ERR_INVALID_ARGUMENT, not yet in mul_'s documented list */ \
    X(gi_mul_, overlapping_views, INV, 0, overlapping(f, 2))

#define CASES_INIT(X)                                                            \
    X(gi_uniform_, null_t, NUL, 0, gi_uniform_(NULL, 0.0f, 1.0f, NULL))          \
    X(gi_uniform_, a_nan, INV, 0, gi_uniform_(f->v, NAN, 1.0f, NULL))            \
    X(gi_uniform_, b_nan, INV, 0, gi_uniform_(f->v, 0.0f, NAN, f->gen))          \
    X(gi_uniform_, f16_b_overflow, INV, 0, gi_uniform_(f->h, 0.0, 1e5, NULL))  \
    X(gi_uniform_, bf16_a_past_float, INV, 0, gi_uniform_(f->bh, -1e39, 0.0, NULL)) \
    X(gi_uniform_, a_ninf, INV, 0, gi_uniform_(f->v, -INFINITY, 1.0f, NULL))     \
    X(gi_uniform_, b_inf, INV, 0, gi_uniform_(f->v, 0.0f, INFINITY, f->gen))     \
    X(gi_uniform_, a_inf_b_inf, INV, 0, gi_uniform_(f->v, INFINITY, INFINITY, NULL)) \
    X(gi_uniform_, a_above_b, INV, 0, gi_uniform_(f->v, 1.0f, 0.0f, NULL))       \
    X(gi_uniform_, span_overflows, INV, 0, gi_uniform_(f->v, -FLT_MAX, FLT_MAX, f->gen)) \
    X(gi_uniform_, empty_consumes_nothing, OK, 0, gi_uniform_(f->e, 0.0f, 1.0f, NULL)) \
    X(gi_uniform_, torch_float16, UNS, 0, on_torch(f, tc_uniform_half)) \
    X(gi_uniform_, torch, OK, W, on_torch(f, tc_uniform)) \
    X(gi_normal_, null_t, NUL, 0, gi_normal_(NULL, 0.0f, 1.0f, NULL))            \
    X(gi_normal_, mean_nan, INV, 0, gi_normal_(f->v, NAN, 1.0f, NULL))           \
    X(gi_normal_, mean_inf, INV, 0, gi_normal_(f->v, INFINITY, 1.0f, f->gen))    \
    X(gi_normal_, f16_std_overflowing, INV, 0, gi_normal_(f->h, 0.0, 1e5, NULL)) \
    X(gi_normal_, bf16_std_past_float, INV, 0, gi_normal_(f->bh, 0.0, 1e39, NULL)) \
    X(gi_normal_, mean_ninf, INV, 0, gi_normal_(f->v, -INFINITY, 1.0f, NULL))    \
    X(gi_normal_, std_nan, INV, 0, gi_normal_(f->v, 0.0f, NAN, NULL))            \
    X(gi_normal_, std_inf, INV, 0, gi_normal_(f->v, 0.0f, INFINITY, f->gen))     \
    X(gi_normal_, std_ninf, INV, 0, gi_normal_(f->v, 0.0f, -INFINITY, NULL))     \
    X(gi_normal_, std_neg, INV, 0, gi_normal_(f->v, 0.0f, -1.0f, NULL))          \
    X(gi_normal_, std_neg_tiny, INV, 0, gi_normal_(f->v, 0.0f, -FLT_MIN, f->gen)) \
    /* 6.7637 * std + |mean| overflows: values could be infinite */ \
    X(gi_normal_, std_overflows, INV, 0, gi_normal_(f->v, 0.0f, FLT_MAX, NULL)) \
    X(gi_normal_, mean_plus_std_overflows, INV, 0, gi_normal_(f->v, -FLT_MAX, 1e32f, f->gen)) \
    X(gi_normal_, torch_float64, UNS, 0, on_torch(f, tc_normal_double)) \
    X(gi_constant_, null, NUL, 0, gi_constant_(NULL, 1.0f))                      \
    X(gi_constant_, nan, OK, W, gi_constant_(f->v, NAN))                         \
    X(gi_constant_, inf, OK, W, gi_constant_(f->v, INFINITY))                    \
    X(gi_constant_, ninf, OK, W, gi_constant_(f->v, -INFINITY))                  \
    X(gi_constant_, f16_overflow, INV, 0, gi_constant_(f->h, 1e5))             \
    X(gi_constant_, bf16_overflow, INV, 0, gi_constant_(f->bh, -1e39))         \
    X(gi_constant_, f16_nan, OK, W, gi_constant_(f->h, NAN))                   \
    X(gi_zeros_, null, NUL, 0, gi_zeros_(NULL))                                  \
    X(gi_ones_, null, NUL, 0, gi_ones_(NULL))                                    \
    X(gi_nonlinearity_from_name, null_name, NUL, 0, gi_nonlinearity_from_name(NULL, &f->out_nl)) \
    X(gi_nonlinearity_from_name, null_out, NUL, 0, gi_nonlinearity_from_name("relu", NULL)) \
    X(gi_nonlinearity_from_name, empty, INV, 0, gi_nonlinearity_from_name("", &f->out_nl)) \
    X(gi_nonlinearity_from_name, upper_case, INV, 0, gi_nonlinearity_from_name("ReLU", &f->out_nl)) \
    X(gi_nonlinearity_from_name, trailing_space, INV, 0, gi_nonlinearity_from_name("tanh ", &f->out_nl)) \
    X(gi_nonlinearity_from_name, prefix, INV, 0, gi_nonlinearity_from_name("leaky", &f->out_nl)) \
    X(gi_nonlinearity_from_name, very_long, INV, 0, gi_nonlinearity_from_name(LONG_NAME, &f->out_nl)) \
    X(gi_calculate_gain, null_out, NUL, 0, gi_calculate_gain(GI_NONLIN_RELU, NULL, NULL)) \
    X(gi_calculate_gain, null_out_leaky, NUL, 0, gi_calculate_gain(GI_NONLIN_LEAKY_RELU, &SLOPE_NAN, NULL)) \
    X(gi_calculate_gain, nl_neg, INV, 0, gi_calculate_gain((gi_nonlinearity)-1, NULL, &f->out_f)) \
    X(gi_calculate_gain, nl_past_end, INV, 0, gi_calculate_gain((gi_nonlinearity)12, NULL, &f->out_f)) \
    X(gi_calculate_gain, nl_int_max, INV, 0, gi_calculate_gain((gi_nonlinearity)INT_MAX, NULL, &f->out_f)) \
    X(gi_calculate_gain, slope_nan, INV, 0, gi_calculate_gain(GI_NONLIN_LEAKY_RELU, &SLOPE_NAN, &f->out_f)) \
    X(gi_calculate_gain, slope_inf, INV, 0, gi_calculate_gain(GI_NONLIN_LEAKY_RELU, &SLOPE_INF, &f->out_f)) \
    X(gi_calculate_gain, slope_ninf, INV, 0, gi_calculate_gain(GI_NONLIN_LEAKY_RELU, &SLOPE_NINF, &f->out_f)) \
    X(gi_calculate_gain, slope_max, OK, W, gi_calculate_gain(GI_NONLIN_LEAKY_RELU, &SLOPE_MAX, &f->out_f)) \
    X(gi_calculate_gain, param_ignored_by_relu, OK, W, gi_calculate_gain(GI_NONLIN_RELU, &SLOPE_NAN, &f->out_f)) \
    X(gi_calculate_fans, null_t, NUL, 0, gi_calculate_fans(NULL, &f->out_i, &f->out_j)) \
    X(gi_calculate_fans, null_outs, OK, 0, gi_calculate_fans(f->m, NULL, NULL))  \
    X(gi_calculate_fans, vector, SHP, 0, gi_calculate_fans(f->v, &f->out_i, &f->out_j)) \
    X(gi_calculate_fans, scalar, SHP, 0, gi_calculate_fans(f->s, &f->out_i, &f->out_j)) \
    /* 3 * 2^62 overflows (it once came back as a negative fan with GI_OK); \
     * GI_ERR_OVERFLOW is not yet in calculate_fans' documented list */      \
    X(gi_calculate_fans, fans_overflow_int64, OVF, 0, fans_of_big0(f)) \
    X(gi_xavier_uniform_, null_t, NUL, 0, gi_xavier_uniform_(NULL, 1.0f, NULL))  \
    X(gi_xavier_uniform_, vector, SHP, 0, gi_xavier_uniform_(f->v, 1.0f, NULL))  \
    X(gi_xavier_uniform_, scalar, SHP, 0, gi_xavier_uniform_(f->s, 1.0f, f->gen)) \
    X(gi_xavier_uniform_, gain_nan, INV, 0, gi_xavier_uniform_(f->m, NAN, NULL)) \
    X(gi_xavier_uniform_, gain_inf, INV, 0, gi_xavier_uniform_(f->m, INFINITY, f->gen)) \
    X(gi_xavier_uniform_, gain_ninf, INV, 0, gi_xavier_uniform_(f->m, -INFINITY, NULL)) \
    X(gi_xavier_uniform_, gain_neg, INV, 0, gi_xavier_uniform_(f->m, -1.0f, NULL)) \
    /* bound 0.93 FLT_MAX: b - a overflows float (it once filled the cap) */ \
    X(gi_xavier_uniform_, bound_span_overflows, INV, 0, gi_xavier_uniform_(f->m, FLT_MAX, NULL)) \
    X(gi_xavier_normal_, null_t, NUL, 0, gi_xavier_normal_(NULL, 1.0f, NULL))    \
    X(gi_xavier_normal_, vector, SHP, 0, gi_xavier_normal_(f->v, 1.0f, f->gen))  \
    X(gi_xavier_normal_, gain_nan, INV, 0, gi_xavier_normal_(f->m, NAN, NULL))   \
    X(gi_xavier_normal_, gain_inf, INV, 0, gi_xavier_normal_(f->m, INFINITY, NULL)) \
    X(gi_xavier_normal_, gain_ninf, INV, 0, gi_xavier_normal_(f->m, -INFINITY, f->gen)) \
    X(gi_xavier_normal_, gain_neg, INV, 0, gi_xavier_normal_(f->m, -1.0f, NULL)) \
    X(gi_xavier_normal_, std_overflows, INV, 0, gi_xavier_normal_(f->m, FLT_MAX, NULL)) \
    X(gi_kaiming_uniform_, null_t, NUL, 0, gi_kaiming_uniform_(NULL, 0.0f, GI_FAN_IN, GI_NONLIN_LEAKY_RELU, NULL)) \
    X(gi_kaiming_uniform_, vector, SHP, 0, gi_kaiming_uniform_(f->v, 0.0f, GI_FAN_IN, GI_NONLIN_LEAKY_RELU, NULL)) \
    X(gi_kaiming_uniform_, mode_avg, INV, 0, gi_kaiming_uniform_(f->m, 0.0f, GI_FAN_AVG, GI_NONLIN_RELU, NULL)) \
    X(gi_kaiming_uniform_, mode_neg, INV, 0, gi_kaiming_uniform_(f->m, 0.0f, (gi_fan_mode)-1, GI_NONLIN_RELU, f->gen)) \
    X(gi_kaiming_uniform_, mode_past_end, INV, 0, gi_kaiming_uniform_(f->m, 0.0f, (gi_fan_mode)3, GI_NONLIN_RELU, NULL)) \
    X(gi_kaiming_uniform_, nl_neg, INV, 0, gi_kaiming_uniform_(f->m, 0.0f, GI_FAN_IN, (gi_nonlinearity)-1, NULL)) \
    X(gi_kaiming_uniform_, nl_past_end, INV, 0, gi_kaiming_uniform_(f->m, 0.0f, GI_FAN_OUT, (gi_nonlinearity)12, f->gen)) \
    X(gi_kaiming_uniform_, slope_nan, INV, 0, gi_kaiming_uniform_(f->m, NAN, GI_FAN_IN, GI_NONLIN_LEAKY_RELU, NULL)) \
    X(gi_kaiming_uniform_, slope_inf, INV, 0, gi_kaiming_uniform_(f->m, INFINITY, GI_FAN_IN, GI_NONLIN_LEAKY_RELU, NULL)) \
    X(gi_kaiming_uniform_, slope_ninf, INV, 0, gi_kaiming_uniform_(f->m, -INFINITY, GI_FAN_OUT, GI_NONLIN_LEAKY_RELU, f->gen)) \
    X(gi_kaiming_uniform_, slope_ignored_by_relu, OK, W, gi_kaiming_uniform_(f->m, NAN, GI_FAN_IN, GI_NONLIN_RELU, NULL)) \
    X(gi_kaiming_normal_, null_t, NUL, 0, gi_kaiming_normal_(NULL, 0.0f, GI_FAN_IN, GI_NONLIN_LEAKY_RELU, NULL)) \
    X(gi_kaiming_normal_, scalar, SHP, 0, gi_kaiming_normal_(f->s, 0.0f, GI_FAN_IN, GI_NONLIN_LEAKY_RELU, NULL)) \
    X(gi_kaiming_normal_, mode_avg, INV, 0, gi_kaiming_normal_(f->m, 0.0f, GI_FAN_AVG, GI_NONLIN_RELU, f->gen)) \
    X(gi_kaiming_normal_, mode_int_min, INV, 0, gi_kaiming_normal_(f->m, 0.0f, (gi_fan_mode)INT_MIN, GI_NONLIN_RELU, NULL)) \
    X(gi_kaiming_normal_, nl_int_max, INV, 0, gi_kaiming_normal_(f->m, 0.0f, GI_FAN_IN, (gi_nonlinearity)INT_MAX, NULL)) \
    X(gi_kaiming_normal_, slope_nan, INV, 0, gi_kaiming_normal_(f->m, NAN, GI_FAN_IN, GI_NONLIN_LEAKY_RELU, f->gen)) \
    X(gi_kaiming_normal_, slope_inf, INV, 0, gi_kaiming_normal_(f->m, INFINITY, GI_FAN_OUT, GI_NONLIN_LEAKY_RELU, NULL)) \
    X(gi_trunc_normal_, null_t, NUL, 0, gi_trunc_normal_(NULL, 0.0f, 1.0f, -2.0f, 2.0f, NULL)) \
    X(gi_trunc_normal_, mean_nan, INV, 0, gi_trunc_normal_(f->v, NAN, 1.0f, -2.0f, 2.0f, NULL)) \
    X(gi_trunc_normal_, mean_inf, INV, 0, gi_trunc_normal_(f->v, INFINITY, 1.0f, -2.0f, 2.0f, f->gen)) \
    X(gi_trunc_normal_, mean_ninf, INV, 0, gi_trunc_normal_(f->v, -INFINITY, 1.0f, -2.0f, 2.0f, NULL)) \
    X(gi_trunc_normal_, std_zero, INV, 0, gi_trunc_normal_(f->v, 0.0f, 0.0f, -2.0f, 2.0f, NULL)) \
    X(gi_trunc_normal_, std_neg, INV, 0, gi_trunc_normal_(f->v, 0.0f, -1.0f, -2.0f, 2.0f, f->gen)) \
    X(gi_trunc_normal_, std_nan, INV, 0, gi_trunc_normal_(f->v, 0.0f, NAN, -2.0f, 2.0f, NULL)) \
    X(gi_trunc_normal_, std_inf, INV, 0, gi_trunc_normal_(f->v, 0.0f, INFINITY, -2.0f, 2.0f, NULL)) \
    X(gi_trunc_normal_, a_nan, INV, 0, gi_trunc_normal_(f->v, 0.0f, 1.0f, NAN, 2.0f, NULL)) \
    X(gi_trunc_normal_, b_nan, INV, 0, gi_trunc_normal_(f->v, 0.0f, 1.0f, -2.0f, NAN, f->gen)) \
    X(gi_trunc_normal_, a_equals_b, INV, 0, gi_trunc_normal_(f->v, 0.0f, 1.0f, 1.0f, 1.0f, NULL)) \
    X(gi_trunc_normal_, a_above_b, INV, 0, gi_trunc_normal_(f->v, 0.0f, 1.0f, 2.0f, -2.0f, NULL)) \
    X(gi_trunc_normal_, both_inf, INV, 0, gi_trunc_normal_(f->v, 0.0f, 1.0f, INFINITY, INFINITY, NULL)) \
    X(gi_trunc_normal_, both_ninf, INV, 0, gi_trunc_normal_(f->v, 0.0f, 1.0f, -INFINITY, -INFINITY, f->gen)) \
    X(gi_trunc_normal_, far_tail, INV, 0, gi_trunc_normal_(f->v, 0.0f, 1.0f, 13.0f, 14.0f, NULL)) \
    X(gi_trunc_normal_, far_lower_tail, INV, 0, gi_trunc_normal_(f->v, 0.0f, 1.0f, -14.0f, -13.0f, f->gen)) \
    X(gi_trunc_normal_, huge_std_narrow, INV, 0, gi_trunc_normal_(f->v, 0.0f, FLT_MAX, -1.0f, 1.0f, NULL)) \
    X(gi_trunc_normal_, huge_std_unbounded, INV, 0, gi_trunc_normal_(f->v, 0.0f, 1e38f, 0.0f, INFINITY, NULL)) \
    X(gi_trunc_normal_, narrow_centre, OK, W, gi_trunc_normal_(f->v, 0.0f, 1.0f, 0.0f, 1e-30f, f->gen)) \
    X(gi_trunc_normal_, whole_line, OK, W, gi_trunc_normal_(f->v, 0.0f, 1.0f, -INFINITY, INFINITY, NULL)) \
    X(gi_trunc_normal_, torch_generator, OK, W, on_torch(f, tc_trunc_normal)) \
    X(gi_trunc_normal_, torch_half, UNS, 0, on_torch(f, tc_trunc_normal_half)) \
    X(gi_eye_, null_t, NUL, 0, gi_eye_(NULL))                                    \
    X(gi_eye_, scalar, SHP, 0, gi_eye_(f->s))                                    \
    X(gi_eye_, vector, SHP, 0, gi_eye_(f->v))                                    \
    X(gi_eye_, four_d, SHP, 0, gi_eye_(f->c))                                    \
    X(gi_dirac_, null_t, NUL, 0, gi_dirac_(NULL, 1))                             \
    X(gi_dirac_, scalar, SHP, 0, gi_dirac_(f->s, 1))                             \
    X(gi_dirac_, two_d, SHP, 0, gi_dirac_(f->m, 1))                              \
    X(gi_dirac_, groups_zero, INV, 0, gi_dirac_(f->c, 0))                        \
    X(gi_dirac_, groups_neg, INV, 0, gi_dirac_(f->c, -1))                        \
    X(gi_dirac_, groups_int64_min, INV, 0, gi_dirac_(f->c, INT64_MIN))           \
    X(gi_dirac_, groups_int64_max, INV, 0, gi_dirac_(f->c, INT64_MAX))           \
    X(gi_dirac_, groups_not_dividing, INV, 0, gi_dirac_(f->c, 3))                \
    X(gi_dirac_, groups_above_channels, INV, 0, gi_dirac_(f->c, 8))              \
    X(gi_orthogonal_, null_t, NUL, 0, gi_orthogonal_(NULL, 1.0f, NULL))          \
    X(gi_orthogonal_, row_shard, UNS, 0, row_shard_then(f))                     \
    X(gi_orthogonal_, scalar, SHP, 0, gi_orthogonal_(f->s, 1.0f, NULL))          \
    X(gi_orthogonal_, vector, SHP, 0, gi_orthogonal_(f->v, 1.0f, f->gen))        \
    X(gi_orthogonal_, gain_nan, INV, 0, gi_orthogonal_(f->m, NAN, NULL))         \
    X(gi_orthogonal_, gain_inf, INV, 0, gi_orthogonal_(f->m, INFINITY, f->gen))  \
    X(gi_orthogonal_, gain_ninf, INV, 0, gi_orthogonal_(f->c, -INFINITY, NULL))  \
    X(gi_sparse_, null_t, NUL, 0, gi_sparse_(NULL, 0.5f, 0.01f, NULL))           \
    X(gi_sparse_, vector, SHP, 0, gi_sparse_(f->v, 0.5f, 0.01f, NULL))           \
    X(gi_sparse_, four_d, SHP, 0, gi_sparse_(f->c, 0.5f, 0.01f, f->gen))         \
    X(gi_sparse_, sparsity_nan, INV, 0, gi_sparse_(f->m, NAN, 0.01f, NULL))      \
    X(gi_sparse_, sparsity_inf, INV, 0, gi_sparse_(f->m, INFINITY, 0.01f, NULL)) \
    X(gi_sparse_, sparsity_ninf, INV, 0, gi_sparse_(f->m, -INFINITY, 0.01f, f->gen)) \
    X(gi_sparse_, sparsity_neg, INV, 0, gi_sparse_(f->m, -0.1f, 0.01f, NULL))    \
    X(gi_sparse_, sparsity_above_one, INV, 0, gi_sparse_(f->m, 1.5f, 0.01f, NULL)) \
    X(gi_sparse_, std_nan, INV, 0, gi_sparse_(f->m, 0.5f, NAN, f->gen))          \
    X(gi_sparse_, std_inf, INV, 0, gi_sparse_(f->m, 0.5f, INFINITY, NULL))       \
    X(gi_sparse_, std_neg, INV, 0, gi_sparse_(f->m, 0.5f, -1.0f, NULL))          \
    X(gi_sparse_, std_overflows, INV, 0, gi_sparse_(f->m, 0.5f, FLT_MAX, NULL)) \
    X(gi_sparse_, torch_generator, OK, W, on_torch(f, tc_sparse)) \
    X(gi_variance_scaling_, null_t, NUL, 0, gi_variance_scaling_(NULL, 1.0f, GI_FAN_IN, GI_DIST_NORMAL, NULL)) \
    X(gi_variance_scaling_, vector, SHP, 0, gi_variance_scaling_(f->v, 1.0f, GI_FAN_IN, GI_DIST_NORMAL, NULL)) \
    X(gi_variance_scaling_, scale_zero, INV, 0, gi_variance_scaling_(f->m, 0.0f, GI_FAN_IN, GI_DIST_NORMAL, NULL)) \
    X(gi_variance_scaling_, scale_neg, INV, 0, gi_variance_scaling_(f->m, -1.0f, GI_FAN_AVG, GI_DIST_UNIFORM, f->gen)) \
    X(gi_variance_scaling_, scale_nan, INV, 0, gi_variance_scaling_(f->m, NAN, GI_FAN_IN, GI_DIST_TRUNCATED_NORMAL, NULL)) \
    X(gi_variance_scaling_, scale_inf, INV, 0, gi_variance_scaling_(f->m, INFINITY, GI_FAN_OUT, GI_DIST_NORMAL, NULL)) \
    X(gi_variance_scaling_, scale_ninf, INV, 0, gi_variance_scaling_(f->m, -INFINITY, GI_FAN_IN, GI_DIST_UNIFORM, f->gen)) \
    X(gi_variance_scaling_, mode_neg, INV, 0, gi_variance_scaling_(f->m, 1.0f, (gi_fan_mode)-1, GI_DIST_NORMAL, NULL)) \
    X(gi_variance_scaling_, mode_past_end, INV, 0, gi_variance_scaling_(f->m, 1.0f, (gi_fan_mode)3, GI_DIST_NORMAL, NULL)) \
    X(gi_variance_scaling_, distribution_neg, INV, 0, gi_variance_scaling_(f->m, 1.0f, GI_FAN_IN, (gi_distribution)-1, f->gen)) \
    X(gi_variance_scaling_, distribution_past_end, INV, 0, gi_variance_scaling_(f->m, 1.0f, GI_FAN_IN, (gi_distribution)3, NULL)) \
    X(gi_lecun_normal_, null_t, NUL, 0, gi_lecun_normal_(NULL, NULL))            \
    X(gi_lecun_normal_, vector, SHP, 0, gi_lecun_normal_(f->v, f->gen))          \
    X(gi_lecun_uniform_, null_t, NUL, 0, gi_lecun_uniform_(NULL, NULL))          \
    X(gi_lecun_uniform_, scalar, SHP, 0, gi_lecun_uniform_(f->s, NULL))          \
    X(gi_mixture_, null_t, NUL, 0, gi_mixture_(NULL, 3, MIX3, NULL))             \
    X(gi_mixture_, null_components, NUL, 0, gi_mixture_(f->v, 3, NULL, NULL))    \
    X(gi_mixture_, k_zero, INV, 0, gi_mixture_(f->v, 0, MIX3, NULL))             \
    X(gi_mixture_, k_neg, INV, 0, gi_mixture_(f->v, -1, MIX3, f->gen))           \
    X(gi_mixture_, k_nine, INV, 0, gi_mixture_(f->v, 9, MIX9, NULL))             \
    X(gi_mixture_, k_int_max, INV, 0, gi_mixture_(f->v, INT_MAX, MIX3, NULL))    \
    X(gi_mixture_, k_int_min, INV, 0, gi_mixture_(f->v, INT_MIN, MIX3, NULL))    \
    X(gi_mixture_, prob_nan, INV, 0, gi_mixture_(f->v, 1, MIX1(NAN, K, 0.0f, 0.0f), NULL)) \
    X(gi_mixture_, prob_inf, INV, 0, gi_mixture_(f->v, 1, MIX1(INFINITY, K, 0.0f, 0.0f), f->gen)) \
    X(gi_mixture_, prob_neg, INV, 0, gi_mixture_(f->v, 2, ((const gi_component[]){{1.5f, K, 0, 0}, {-0.5f, K, 1, 0}}), NULL)) \
    X(gi_mixture_, probs_sum_below_one, INV, 0, gi_mixture_(f->v, 1, MIX1(0.5f, K, 0.0f, 0.0f), NULL)) \
    X(gi_mixture_, probs_sum_above_one, INV, 0, gi_mixture_(f->v, 2, ((const gi_component[]){{0.75f, K, 0, 0}, {0.75f, K, 1, 0}}), NULL)) \
    X(gi_mixture_, law_neg, INV, 0, gi_mixture_(f->v, 1, MIX1(1.0f, (gi_component_law)-1, 0.0f, 1.0f), NULL)) \
    X(gi_mixture_, law_past_end, INV, 0, gi_mixture_(f->v, 1, MIX1(1.0f, (gi_component_law)3, 0.0f, 1.0f), f->gen)) \
    X(gi_mixture_, uniform_a_nan, INV, 0, gi_mixture_(f->v, 1, MIX1(1.0f, U, NAN, 1.0f), NULL)) \
    X(gi_mixture_, uniform_b_inf, INV, 0, gi_mixture_(f->v, 1, MIX1(1.0f, U, 0.0f, INFINITY), NULL)) \
    X(gi_mixture_, uniform_a_ninf, INV, 0, gi_mixture_(f->v, 1, MIX1(1.0f, U, -INFINITY, 0.0f), NULL)) \
    X(gi_mixture_, uniform_a_above_b, INV, 0, gi_mixture_(f->v, 1, MIX1(1.0f, U, 2.0f, 1.0f), f->gen)) \
    X(gi_mixture_, uniform_span_overflows, INV, 0, gi_mixture_(f->v, 1, MIX1(1.0f, U, -FLT_MAX, FLT_MAX), NULL)) \
    X(gi_mixture_, normal_mean_nan, INV, 0, gi_mixture_(f->v, 1, MIX1(1.0f, N, NAN, 1.0f), NULL)) \
    X(gi_mixture_, normal_mean_inf, INV, 0, gi_mixture_(f->v, 1, MIX1(1.0f, N, INFINITY, 1.0f), NULL)) \
    X(gi_mixture_, normal_std_neg, INV, 0, gi_mixture_(f->v, 1, MIX1(1.0f, N, 0.0f, -1.0f), f->gen)) \
    X(gi_mixture_, normal_std_nan, INV, 0, gi_mixture_(f->v, 1, MIX1(1.0f, N, 0.0f, NAN), NULL)) \
    X(gi_mixture_, normal_std_inf, INV, 0, gi_mixture_(f->v, 1, MIX1(1.0f, N, 0.0f, INFINITY), NULL)) \
    X(gi_mixture_, normal_std_overflows, INV, 0, gi_mixture_(f->v, 1, MIX1(1.0f, N, 0.0f, FLT_MAX), NULL)) \
    X(gi_mixture_, bad_last_component, INV, 0, gi_mixture_(f->v, 3, ((const gi_component[]){MIX3[0], MIX3[1], {0.25f, N, 0, -1}}), NULL)) \
    X(gi_mixture_, constant_nan, OK, W, gi_mixture_(f->v, 1, MIX1(1.0f, K, NAN, 0.0f), NULL)) \
    X(gi_mixture_, constant_inf, OK, W, gi_mixture_(f->v, 1, MIX1(1.0f, K, -INFINITY, 0.0f), f->gen)) \
    X(gi_rand, null_out, NUL, 0, gi_rand(NULL, f->ctx, 2, SH_2x3, NULL))         \
    X(gi_rand, null_ctx, NUL, 0, gi_rand(&f->out_t, NULL, 2, SH_2x3, NULL))      \
    X(gi_rand, null_shape, NUL, 0, gi_rand(&f->out_t, f->ctx, 2, NULL, f->gen))  \
    X(gi_rand, ndim_9, SHP, 0, gi_rand(&f->out_t, f->ctx, 9, SH_9, NULL))        \
    X(gi_rand, ndim_neg, SHP, 0, gi_rand(&f->out_t, f->ctx, -1, SH_2x3, NULL))   \
    X(gi_rand, size_neg, SHP, 0, gi_rand(&f->out_t, f->ctx, 2, SH_NEG, f->gen))  \
    X(gi_rand, numel_overflows_int64, OVF, 0, gi_rand(&f->out_t, f->ctx, 2, SH_OVF64, NULL)) \
    X(gi_rand, bytes_overflow_size_t, OVF, 0, gi_rand(&f->out_t, f->ctx, 1, SH_OVFSIZE, f->gen)) \
    X(gi_rand, bytes_past_ptrdiff_max, OVF, 0, gi_rand(&f->out_t, f->ctx, 1, SH_PTRDIFF, NULL)) \
    X(gi_rand, exabytes, OOM, 0, gi_rand(&f->out_t, f->ctx, 1, SH_HUGE, NULL))   \
    X(gi_randn, null_out, NUL, 0, gi_randn(NULL, f->ctx, 2, SH_2x3, NULL))       \
    X(gi_randn, null_ctx, NUL, 0, gi_randn(&f->out_t, NULL, 2, SH_2x3, f->gen))  \
    X(gi_randn, null_shape, NUL, 0, gi_randn(&f->out_t, f->ctx, 1, NULL, NULL))  \
    X(gi_randn, ndim_9, SHP, 0, gi_randn(&f->out_t, f->ctx, 9, SH_9, f->gen))    \
    X(gi_randn, ndim_int_min, SHP, 0, gi_randn(&f->out_t, f->ctx, INT_MIN, SH_2x3, NULL)) \
    X(gi_randn, size_int64_min, SHP, 0, gi_randn(&f->out_t, f->ctx, 2, SH_MIN, NULL)) \
    X(gi_randn, numel_max_squared, OVF, 0, gi_randn(&f->out_t, f->ctx, 2, SH_OVFMAX, NULL)) \
    X(gi_randn, exabytes, OOM, 0, gi_randn(&f->out_t, f->ctx, 1, SH_HUGE, f->gen)) \
    X(gi_init_, null_t, NUL, 0, gi_init_(NULL, UNIFORM, NULL))                   \
    X(gi_init_, null_t_none, NUL, 0, gi_init_(NULL, NONE, f->gen))               \
    X(gi_init_, null_spec, NUL, 0, gi_init_(f->v, NULL, NULL))                   \
    X(gi_init_, kind_999, INV, 0, gi_init_(f->m, SPEC(.kind = (gi_init_kind)999), NULL)) \
    X(gi_init_, kind_neg, INV, 0, gi_init_(f->m, SPEC(.kind = (gi_init_kind)-1), f->gen)) \
    X(gi_init_, kind_past_end, INV, 0, gi_init_(f->m, SPEC(.kind = (gi_init_kind)(GI_INIT_ORTHOGONAL + 1)), NULL)) \
    X(gi_init_, kind_int_min, INV, 0, gi_init_(f->m, SPEC(.kind = (gi_init_kind)INT_MIN), NULL)) \
    X(gi_init_, none_writes_nothing, OK, 0, gi_init_(f->m, NONE, f->gen))        \
    X(gi_init_, empty_consumes_nothing, OK, 0, gi_init_(f->e, UNIFORM, NULL))    \
    X(gi_init_, uniform_a_nan, INV, 0, gi_init_(f->v, SPEC(.kind = GI_INIT_UNIFORM, .a = NAN, .b = 1), NULL)) \
    X(gi_init_, uniform_b_inf, INV, 0, gi_init_(f->v, SPEC(.kind = GI_INIT_UNIFORM, .b = INFINITY), f->gen)) \
    X(gi_init_, uniform_a_above_b, INV, 0, gi_init_(f->v, SPEC(.kind = GI_INIT_UNIFORM, .a = 1), NULL)) \
    X(gi_init_, normal_mean_nan, INV, 0, gi_init_(f->v, SPEC(.kind = GI_INIT_NORMAL, .a = NAN, .b = 1), NULL)) \
    X(gi_init_, normal_std_neg, INV, 0, gi_init_(f->v, SPEC(.kind = GI_INIT_NORMAL, .b = -1), f->gen)) \
    X(gi_init_, constant_nan, OK, W, gi_init_(f->v, SPEC(.kind = GI_INIT_CONSTANT, .a = NAN), NULL)) \
    X(gi_init_, xavier_vector, SHP, 0, gi_init_(f->v, XAVIER, NULL))             \
    X(gi_init_, xavier_gain_nan, INV, 0, gi_init_(f->m, SPEC(.kind = GI_INIT_XAVIER_NORMAL, .a = NAN), NULL)) \
    X(gi_init_, xavier_gain_inf, INV, 0, gi_init_(f->m, SPEC(.kind = GI_INIT_XAVIER_UNIFORM, .a = INFINITY), f->gen)) \
    X(gi_init_, kaiming_mode_avg, INV, 0, gi_init_(f->m, SPEC(.kind = GI_INIT_KAIMING_UNIFORM, .mode = GI_FAN_AVG), NULL)) \
    X(gi_init_, kaiming_nl_past_end, INV, 0, gi_init_(f->m, SPEC(.kind = GI_INIT_KAIMING_NORMAL, .nonlinearity = (gi_nonlinearity)12), NULL)) \
    X(gi_init_, kaiming_slope_inf, INV, 0, gi_init_(f->c, SPEC(.kind = GI_INIT_KAIMING_NORMAL, .a = INFINITY, .nonlinearity = GI_NONLIN_LEAKY_RELU), f->gen)) \
    X(gi_init_, kaiming_zero_fields, OK, W, gi_init_(f->c, SPEC(.kind = GI_INIT_KAIMING_UNIFORM), NULL)) \
    X(gi_init_, trunc_normal_a_above_b, INV, 0, gi_init_(f->v, SPEC(.kind = GI_INIT_TRUNC_NORMAL, .b = 1, .c = 2, .d = -2), NULL)) \
    X(gi_init_, trunc_normal_std_nan, INV, 0, gi_init_(f->v, SPEC(.kind = GI_INIT_TRUNC_NORMAL, .b = NAN, .c = -2, .d = 2), NULL)) \
    X(gi_init_, trunc_normal_zero_fields, INV, 0, gi_init_(f->v, SPEC(.kind = GI_INIT_TRUNC_NORMAL), f->gen)) \
    X(gi_init_, variance_scaling_scale_zero, INV, 0, gi_init_(f->m, SPEC(.kind = GI_INIT_VARIANCE_SCALING), NULL)) \
    X(gi_init_, variance_scaling_dist_neg, INV, 0, gi_init_(f->m, SPEC(.kind = GI_INIT_VARIANCE_SCALING, .a = 1, .distribution = (gi_distribution)-1), NULL)) \
    X(gi_init_, lecun_normal_scalar, SHP, 0, gi_init_(f->s, SPEC(.kind = GI_INIT_LECUN_NORMAL), NULL)) \
    X(gi_init_, lecun_uniform_vector, SHP, 0, gi_init_(f->v, SPEC(.kind = GI_INIT_LECUN_UNIFORM), f->gen)) \
    X(gi_init_, mixture_k_zero, INV, 0, gi_init_(f->v, SPEC(.kind = GI_INIT_MIXTURE, .components = MIX3), NULL)) \
    X(gi_init_, mixture_k_nine, INV, 0, gi_init_(f->v, SPEC(.kind = GI_INIT_MIXTURE, .k = 9, .components = MIX9), NULL)) \
    X(gi_init_, mixture_k_int_min, INV, 0, gi_init_(f->v, SPEC(.kind = GI_INIT_MIXTURE, .k = INT_MIN, .components = MIX3), NULL)) \
    X(gi_init_, mixture_null_components, NUL, 0, gi_init_(f->v, SPEC(.kind = GI_INIT_MIXTURE, .k = 3), NULL)) \
    X(gi_init_, mixture_prob_nan, INV, 0, gi_init_(f->v, SPEC(.kind = GI_INIT_MIXTURE, .k = 1, .components = MIX1(NAN, K, 0.0f, 0.0f)), f->gen)) \
    X(gi_init_, orthogonal_vector, SHP, 0, gi_init_(f->v, ORTHO, NULL))          \
    X(gi_init_, orthogonal_scalar, SHP, 0, gi_init_(f->s, ORTHO, f->gen))        \
    X(gi_init_, orthogonal_gain_nan, INV, 0, gi_init_(f->m, SPEC(.kind = GI_INIT_ORTHOGONAL, .a = NAN), NULL)) \
    X(gi_init_, orthogonal_gain_ninf, INV, 0, gi_init_(f->c, SPEC(.kind = GI_INIT_ORTHOGONAL, .a = -INFINITY), f->gen)) \
    X(gi_init_, orthogonal_empty, OK, 0, gi_init_(f->e, ORTHO, NULL))            \
    X(gi_init_, orthogonal_zero_fields, OK, W, gi_init_(f->m, SPEC(.kind = GI_INIT_ORTHOGONAL), f->gen))

#define CASES_MODULE(X)                                                          \
    X(gi_linear_create_parallel, null_out, NUL, 0, gi_linear_create_parallel(NULL, f->ctx, 4, 3, 1, GI_F32, GI_LINEAR_COLUMN, 9, 3)) \
    X(gi_linear_create_parallel, null_ctx, NUL, 0, gi_linear_create_parallel(&f->out_m, NULL, 4, 3, 1, GI_F32, GI_LINEAR_COLUMN, 9, 3)) \
    X(gi_linear_create_parallel, split_neg, INV, 0, gi_linear_create_parallel(&f->out_m, f->ctx, 4, 3, 1, GI_F32, (gi_linear_split)-1, 9, 3)) \
    X(gi_linear_create_parallel, split_2, INV, 0, gi_linear_create_parallel(&f->out_m, f->ctx, 4, 3, 1, GI_F32, (gi_linear_split)2, 9, 3)) \
    X(gi_linear_create_parallel, in_neg, INV, 0, gi_linear_create_parallel(&f->out_m, f->ctx, -1, 3, 1, GI_F32, GI_LINEAR_COLUMN, 9, 3)) \
    X(gi_linear_create_parallel, dtype_99, INV, 0, gi_linear_create_parallel(&f->out_m, f->ctx, 4, 3, 1, (gi_dtype)99, GI_LINEAR_ROW, 9, 3)) \
    X(gi_linear_create_parallel, start_neg, RNG, 0, gi_linear_create_parallel(&f->out_m, f->ctx, 4, 3, 1, GI_F32, GI_LINEAR_COLUMN, 9, -1)) \
    X(gi_linear_create_parallel, column_past_end, RNG, 0, gi_linear_create_parallel(&f->out_m, f->ctx, 4, 3, 1, GI_F32, GI_LINEAR_COLUMN, 9, 7)) \
    X(gi_linear_create_parallel, row_past_end, RNG, 0, gi_linear_create_parallel(&f->out_m, f->ctx, 4, 3, 1, GI_F32, GI_LINEAR_ROW, 9, 6)) \
    X(gi_linear_create_parallel, global_neg, RNG, 0, gi_linear_create_parallel(&f->out_m, f->ctx, 4, 3, 1, GI_F32, GI_LINEAR_ROW, -9, 0)) \
    X(gi_linear_create_parallel, start_int64_max, RNG, 0, gi_linear_create_parallel(&f->out_m, f->ctx, 4, 3, 1, GI_F32, GI_LINEAR_ROW, 9, INT64_MAX)) \
    X(gi_linear_create_parallel, global_weight_ovf, OVF, 0, gi_linear_create_parallel(&f->out_m, f->ctx, INT64_C(1) << 40, 1, 0, GI_F32, GI_LINEAR_COLUMN, INT64_C(1) << 40, 0)) \
    X(gi_linear_create_parallel, column, OK, W, gi_linear_create_parallel(&f->out_m, f->ctx, 4, 3, 1, GI_F32, GI_LINEAR_COLUMN, 9, 6)) \
    X(gi_linear_create_parallel, row, OK, W, gi_linear_create_parallel(&f->out_m, f->ctx, 4, 3, 1, GI_F32, GI_LINEAR_ROW, 9, 5)) \
    X(gi_linear_create, null_out, NUL, 0, gi_linear_create(NULL, f->ctx, 4, 3, 1, GI_F32)) \
    X(gi_linear_create, null_ctx, NUL, 0, gi_linear_create(&f->out_m, NULL, 4, 3, 1, GI_F32)) \
    X(gi_linear_create, in_neg, INV, 0, gi_linear_create(&f->out_m, f->ctx, -1, 3, 1, GI_F32)) \
    X(gi_linear_create, out_neg, INV, 0, gi_linear_create(&f->out_m, f->ctx, 4, -1, 0, GI_F32)) \
    X(gi_linear_create, in_int64_min, INV, 0, gi_linear_create(&f->out_m, f->ctx, INT64_MIN, 3, 1, GI_F32)) \
    X(gi_linear_create, out_int64_min, INV, 0, gi_linear_create(&f->out_m, f->ctx, 4, INT64_MIN, 1, GI_F32)) \
    X(gi_linear_create, weight_numel_overflows, OVF, 0, gi_linear_create(&f->out_m, f->ctx, INT64_C(1) << 40, INT64_C(1) << 40, 1, GI_F32)) \
    X(gi_linear_create, max_by_max, OVF, 0, gi_linear_create(&f->out_m, f->ctx, INT64_MAX, INT64_MAX, 0, GI_F32)) \
    X(gi_linear_create, out_int64_max, OVF, 0, gi_linear_create(&f->out_m, f->ctx, 1, INT64_MAX, 1, GI_F32)) \
    X(gi_linear_create, exabytes, OOM, 0, gi_linear_create(&f->out_m, f->ctx, 1, INT64_C(1) << 60, 0, GI_F32)) \
    X(gi_linear_create, dtype_f64, OK, W, gi_linear_create(&f->out_m, f->ctx, 4, 3, 1, GI_F64)) \
    X(gi_linear_create, dtype_f16, OK, W, gi_linear_create(&f->out_m, f->ctx, 4, 3, 1, GI_F16)) \
    X(gi_linear_create, dtype_bf16, OK, W, gi_linear_create(&f->out_m, f->ctx, 4, 3, 0, GI_BF16)) \
    X(gi_linear_create, dtype_neg, INV, 0, gi_linear_create(&f->out_m, f->ctx, 4, 3, 1, (gi_dtype)-1)) \
    X(gi_linear_create, dtype_past_end, INV, 0, gi_linear_create(&f->out_m, f->ctx, 4, 3, 1, (gi_dtype)4)) \
    X(gi_linear_create, dtype_int_max, INV, 0, gi_linear_create(&f->out_m, f->ctx, 0, 0, 0, (gi_dtype)INT_MAX)) \
    X(gi_lazy_linear_create, null_out, NUL, 0, gi_lazy_linear_create(NULL, f->ctx, 3, 1, GI_F32)) \
    X(gi_lazy_linear_create, null_ctx, NUL, 0, gi_lazy_linear_create(&f->out_m, NULL, 3, 1, GI_F32)) \
    X(gi_lazy_linear_create, out_neg, INV, 0, gi_lazy_linear_create(&f->out_m, f->ctx, -1, 1, GI_F32)) \
    X(gi_lazy_linear_create, out_int64_min, INV, 0, gi_lazy_linear_create(&f->out_m, f->ctx, INT64_MIN, 0, GI_F32)) \
    X(gi_lazy_linear_create, dtype_f64, OK, 0, gi_lazy_linear_create(&f->out_m, f->ctx, 3, 1, GI_F64)) \
    X(gi_lazy_linear_create, dtype_neg, INV, 0, gi_lazy_linear_create(&f->out_m, f->ctx, 3, 1, (gi_dtype)-1)) \
    X(gi_lazy_linear_create, dtype_past_end, INV, 0, gi_lazy_linear_create(&f->out_m, f->ctx, 3, 0, (gi_dtype)4)) \
    X(gi_relu_create, null_out, NUL, 0, gi_relu_create(NULL, f->ctx))            \
    X(gi_relu_create, null_ctx, NUL, 0, gi_relu_create(&f->out_m, NULL))         \
    X(gi_sequential_create, null_out, NUL, 0, gi_sequential_create(NULL, f->ctx, 1, &f->relu)) \
    X(gi_sequential_create, null_ctx, NUL, 0, gi_sequential_create(&f->out_m, NULL, 1, &f->relu)) \
    X(gi_sequential_create, null_children, NUL, 0, gi_sequential_create(&f->out_m, f->ctx, 1, NULL)) \
    X(gi_sequential_create, null_child, NUL, 0, gi_sequential_create(&f->out_m, f->ctx, 2, ((const gi_module[]){f->relu, NULL}))) \
    X(gi_sequential_create, n_neg, INV, 0, gi_sequential_create(&f->out_m, f->ctx, -1, &f->relu)) \
    X(gi_sequential_create, n_int_min, INV, 0, gi_sequential_create(&f->out_m, f->ctx, INT_MIN, NULL)) \
    X(gi_sequential_create, child_owned, STA, 0, create_with_owned_child(f))     \
    X(gi_sequential_create, child_twice, STA, 0, gi_sequential_create(&f->out_m, f->ctx, 2, ((const gi_module[]){f->relu, f->relu}))) \
    X(gi_sequential_create, child_other_context, MIS, 0, gi_sequential_create(&f->out_m, f->ctx, 2, ((const gi_module[]){f->relu, f->relu2}))) \
    X(gi_sequential_create, walked_child, STA, 0, walk(f, f->relu, adopt_walked)) \
    X(gi_sequential_create, empty_null_children, OK, 0, gi_sequential_create(&f->out_m, f->ctx, 0, NULL)) \
    X(gi_sequential_append, null_seq, NUL, 0, gi_sequential_append(NULL, f->relu)) \
    X(gi_sequential_append, null_child, NUL, 0, gi_sequential_append(f->seq, NULL)) \
    X(gi_sequential_append, not_sequential, INV, 0, gi_sequential_append(f->lin, f->relu)) \
    X(gi_sequential_append, itself, INV, 0, gi_sequential_append(f->seq, f->seq)) \
    X(gi_sequential_append, ancestor, INV, 0, append_ancestor(f))                \
    X(gi_sequential_append, child_owned, STA, 0, append_owned_child(f))          \
    X(gi_sequential_append, other_context, MIS, 0, gi_sequential_append(f->seq, f->relu2)) \
    X(gi_sequential_append, walked_seq, STA, 0, walk(f, f->seq, append_to_walked)) \
    X(gi_sequential_append, walked_child, STA, 0, walk(f, f->relu, append_to_walked)) \
    X(gi_module_destroy, null, OK, 0, (gi_module_destroy(NULL), GI_OK))          \
    X(gi_module_destroy, owned_child_is_left_alone, OK, 0, destroy_owned_child(f)) \
    X(gi_module_destroy, walked_root_is_left_alone, STA, 0, walk(f, f->seq, destroy_walked_root)) \
    X(gi_module_kind_of, null, OK, 0, is_i64(gi_module_kind_of(NULL), GI_MODULE_SEQUENTIAL)) \
    X(gi_module_context, null, OK, 0, is_ptr(gi_module_context(NULL), NULL))     \
    X(gi_module_parent, null, OK, 0, is_ptr(gi_module_parent(NULL), NULL))       \
    X(gi_module_num_children, null, OK, 0, is_i64(gi_module_num_children(NULL), 0)) \
    X(gi_module_num_children, linear, OK, 0, is_i64(gi_module_num_children(f->lin), 0)) \
    X(gi_module_child, null_m, NUL, 0, gi_module_child(NULL, 0, &f->out_m))      \
    X(gi_module_child, null_out, NUL, 0, gi_module_child(f->seq, 0, NULL))       \
    X(gi_module_child, past_end, RNG, 0, gi_module_child(f->seq, 2, &f->out_m))  \
    X(gi_module_child, before_start, RNG, 0, gi_module_child(f->seq, -3, &f->out_m)) \
    X(gi_module_child, int64_max, RNG, 0, gi_module_child(f->seq, INT64_MAX, &f->out_m)) \
    X(gi_module_child, int64_min, RNG, 0, gi_module_child(f->seq, INT64_MIN, &f->out_m)) \
    X(gi_module_child, of_linear, RNG, 0, gi_module_child(f->lin, 0, &f->out_m)) \
    X(gi_module_weight, null, OK, 0, is_ptr(gi_module_weight(NULL), NULL))       \
    X(gi_module_weight, relu, OK, 0, is_ptr(gi_module_weight(f->relu), NULL))    \
    X(gi_module_weight, lazy, OK, 0, is_ptr(gi_module_weight(f->lazy), NULL))    \
    X(gi_module_bias, null, OK, 0, is_ptr(gi_module_bias(NULL), NULL))           \
    X(gi_module_bias, sequential, OK, 0, is_ptr(gi_module_bias(f->seq), NULL))   \
    X(gi_linear_in_features, null, OK, 0, is_i64(gi_linear_in_features(NULL), -1)) \
    X(gi_linear_in_features, relu, OK, 0, is_i64(gi_linear_in_features(f->relu), -1)) \
    X(gi_linear_in_features, lazy, OK, 0, is_i64(gi_linear_in_features(f->lazy), 0)) \
    X(gi_linear_out_features, null, OK, 0, is_i64(gi_linear_out_features(NULL), -1)) \
    X(gi_linear_out_features, sequential, OK, 0, is_i64(gi_linear_out_features(f->seq), -1)) \
    X(gi_module_forward, null_m, NUL, 0, gi_module_forward(NULL, f->v, &f->out_t)) \
    X(gi_module_forward, null_x, NUL, 0, gi_module_forward(f->lin, NULL, &f->out_t)) \
    X(gi_module_forward, null_out, NUL, 0, gi_module_forward(f->lin, f->m, NULL)) \
    X(gi_module_forward, x_other_context, MIS, 0, gi_module_forward(f->relu, f->v2, &f->out_t)) \
    X(gi_module_forward, linear_scalar_input, SHP, 0, gi_module_forward(f->lin, f->s, &f->out_t)) \
    X(gi_module_forward, linear_wrong_last_dim, SHP, 0, gi_module_forward(f->lin, f->v, &f->out_t)) \
    X(gi_module_forward, lazy_scalar_input, SHP, 0, gi_module_forward(f->lazy, f->s, &f->out_t)) \
    X(gi_module_forward, lazy_then_wrong_dim, SHP, 0, gi_module_forward(f->seq_lazy, f->x5, &f->out_t)) \
    X(gi_module_forward, lazy_in_features_above_int_max, OVF, 0, gi_module_forward(f->lazy, f->wide0, &f->out_t)) \
    X(gi_module_forward, lazy_during_its_walk, STA, 0, walk(f, f->lazy, materialize_walked)) \
    X(gi_module_forward, linear_f64_input, INV, 0, forward_in(f, f->lin, f->m, GI_F64)) \
    X(gi_module_forward, lazy_f16_input, INV, 0, forward_in(f, f->lazy, f->x5, GI_F16)) \
    X(gi_module_forward, seq_lazy_bf16_input, INV, 0, forward_in(f, f->seq_lazy, f->m, GI_BF16)) \
    X(gi_module_forward, relu_f64_input, OK, 0, forward_in(f, f->relu, f->m, GI_F64)) \
    X(gi_module_apply, null_m, NUL, 0, gi_module_apply(NULL, noop_module, NULL)) \
    X(gi_module_apply, null_fn, NUL, 0, gi_module_apply(f->seq, NULL, NULL))     \
    X(gi_module_apply, fn_fails, STA, NOMSG, apply_refused(f))                   \
    X(gi_module_init_, null_m, NUL, 0, gi_module_init_(NULL, XAVIER, UNIFORM, NULL)) \
    X(gi_module_init_, null_specs, OK, 0, gi_module_init_(f->lin, NULL, NULL, f->gen)) \
    X(gi_module_init_, none_specs, OK, 0, gi_module_init_(f->seq, NONE, NONE, NULL)) \
    X(gi_module_init_, weight_kind_999, INV, 0, gi_module_init_(f->lin, SPEC(.kind = (gi_init_kind)999), UNIFORM, NULL)) \
    X(gi_module_init_, bias_kind_neg, INV, 0, gi_module_init_(f->lin, NULL, SPEC(.kind = (gi_init_kind)-1), f->gen)) \
    X(gi_module_init_, kind_999_without_linear, INV, 0, gi_module_init_(f->relu, SPEC(.kind = (gi_init_kind)999), NULL, NULL)) \
    /* the weight is planned, then the bias refused: neither is written */ \
    X(gi_module_init_, xavier_bias, SHP, 0, gi_module_init_(f->lin, XAVIER, XAVIER, NULL)) \
    X(gi_module_init_, orthogonal_bias, SHP, 0, gi_module_init_(f->lin, ORTHO, ORTHO, f->gen)) \
    X(gi_module_init_, orthogonal_bias_only, SHP, 0, gi_module_init_(f->seq, NULL, ORTHO, NULL)) \
    X(gi_module_init_, orthogonal_gain_inf, INV, 0, gi_module_init_(f->lin, SPEC(.kind = GI_INIT_ORTHOGONAL, .a = INFINITY), UNIFORM, NULL)) \
    X(gi_module_init_, orthogonal_tree, OK, W, gi_module_init_(f->seq, ORTHO, UNIFORM, f->gen)) \
    X(gi_module_init_, kaiming_bias, SHP, 0, gi_module_init_(f->lin, UNIFORM, SPEC(.kind = GI_INIT_KAIMING_NORMAL), f->gen)) \
    X(gi_module_init_, weight_std_nan, INV, 0, gi_module_init_(f->lin, SPEC(.kind = GI_INIT_NORMAL, .b = NAN), NULL, NULL)) \
    X(gi_module_init_, bias_bound_inf, INV, 0, gi_module_init_(f->lin, XAVIER, SPEC(.kind = GI_INIT_UNIFORM, .b = INFINITY), f->gen)) \
    X(gi_module_init_, bias_constant_nan, OK, W, gi_module_init_(f->lin, NULL, SPEC(.kind = GI_INIT_CONSTANT, .a = NAN), NULL)) \
    X(gi_module_init_, mixture_k_nine, INV, 0, gi_module_init_(f->lin, SPEC(.kind = GI_INIT_MIXTURE, .k = 9, .components = MIX9), NULL, NULL)) \
    X(gi_module_init_, mixture_null_components, NUL, 0, gi_module_init_(f->lin, UNIFORM, SPEC(.kind = GI_INIT_MIXTURE, .k = 3), NULL)) \
    X(gi_module_init_, lazy_root, STA, 0, gi_module_init_(f->lazy, UNIFORM, NULL, NULL)) \
    X(gi_module_init_, lazy_root_bias_only, STA, 0, gi_module_init_(f->lazy, NONE, UNIFORM, f->gen)) \
    X(gi_module_init_, lazy_in_sequential, STA, 0, gi_module_init_(f->seq_lazy, XAVIER, UNIFORM, NULL)) \
    X(gi_module_init_, lazy_left_alone, OK, 0, gi_module_init_(f->lazy, NONE, NULL, NULL)) \
    X(gi_module_init_, relu_only, OK, 0, gi_module_init_(f->relu, XAVIER, UNIFORM, f->gen)) \
    X(gi_module_init_, tree, OK, W, gi_module_init_(f->seq, XAVIER, UNIFORM, f->gen)) \
    X(gi_module_init_, torch_orthogonal, OK, W, on_torch(f, tc_orthogonal_tree)) \
    X(gi_module_named_parameters, null_m, NUL, 0, gi_module_named_parameters(NULL, count_param, NULL)) \
    X(gi_module_named_parameters, null_fn, NUL, 0, gi_module_named_parameters(f->seq, NULL, NULL)) \
    X(gi_module_named_parameters, fn_fails, IOE, NOMSG, params_refused(f))       \
    X(gi_module_named_parameters, counts, OK, 0, params_counted(f))            \
    X(gi_module_num_parameters, null, OK, 0, is_i64(gi_module_num_parameters(NULL), 0)) \
    X(gi_module_num_parameters, lazy, OK, 0, is_i64(gi_module_num_parameters(f->lazy), 0)) \
    X(gi_module_print, null_m, NUL, 0, gi_module_print(NULL, f->sink))           \
    X(gi_module_print, null_f, NUL, 0, gi_module_print(f->seq, NULL))            \
    X(gi_module_print, read_only_stream, IOE, 0, gi_module_print(f->seq, f->ro)) \
    X(gi_module_print, read_only_stream_leaf, IOE, 0, gi_module_print(f->relu, f->ro)) \
    X(gi_module_print, full_device, IOE, 0, gi_module_print(f->seq, f->full))

#define CASES_DLPACK(X)                                                          \
    X(gi_tensor_to_dlpack, null_t, NUL, 0, gi_tensor_to_dlpack(NULL, (struct DLManagedTensor **)&f->out_ptr)) \
    X(gi_tensor_to_dlpack, null_out, NUL, 0, gi_tensor_to_dlpack(f->v, NULL))     \
    X(gi_tensor_to_dlpack, tensor, OK, 0, export_capsule(f->m))                 \
    X(gi_tensor_to_dlpack, zero_d, OK, 0, export_capsule(f->s))                 \
    X(gi_tensor_to_dlpack, empty, OK, 0, export_capsule(f->e))                  \
    X(gi_tensor_to_dlpack, huge_empty, OK, 0, export_capsule(f->wide0))         \
    X(gi_tensor_to_dlpack, parameter, OK, 0, export_capsule(gi_module_weight(f->lin))) \
    X(gi_tensor_from_dlpack, null_out, NUL, 0, gi_tensor_from_dlpack(NULL, f->ctx, (struct DLManagedTensor *)f->buf)) \
    X(gi_tensor_from_dlpack, null_ctx, NUL, 0, gi_tensor_from_dlpack(&f->out_t, NULL, (struct DLManagedTensor *)f->buf)) \
    X(gi_tensor_from_dlpack, null_m, NUL, 0, gi_tensor_from_dlpack(&f->out_t, f->ctx, NULL)) \
    X(gi_tensor_from_dlpack, valid, OK, 0, import_capsule(f, DL_NONE, 0))       \
    X(gi_tensor_from_dlpack, ndim_neg, FMT, 0, import_capsule(f, DL_NDIM, -1))  \
    X(gi_tensor_from_dlpack, ndim_int_min, FMT, 0, import_capsule(f, DL_NDIM, INT_MIN)) \
    X(gi_tensor_from_dlpack, ndim_9, UNS, 0, import_capsule(f, DL_NDIM, 9))     \
    X(gi_tensor_from_dlpack, ndim_0, OK, 0, import_capsule(f, DL_NDIM, 0))      \
    X(gi_tensor_from_dlpack, shape_null, FMT, 0, import_capsule(f, DL_SHAPE_NULL, 0)) \
    X(gi_tensor_from_dlpack, size_neg, FMT, 0, import_capsule(f, DL_SIZE1, -1)) \
    X(gi_tensor_from_dlpack, size_min, FMT, 0, import_capsule(f, DL_SIZE1, INT64_MIN)) \
    X(gi_tensor_from_dlpack, numel_ovf, OVF, 0, import_capsule(f, DL_HUGE, INT64_C(1) << 32)) \
    X(gi_tensor_from_dlpack, sizes_max, OVF, 0, import_capsule(f, DL_HUGE, INT64_MAX)) \
    X(gi_tensor_from_dlpack, size_zero, OK, 0, import_capsule(f, DL_SIZE1, 0)) \
    X(gi_tensor_from_dlpack, data_null, FMT, 0, import_capsule(f, DL_DATA_NULL, 0)) \
    X(gi_tensor_from_dlpack, misaligned, INV, 0, import_capsule(f, DL_DATA, 2)) \
    X(gi_tensor_from_dlpack, int_dtype, UNS, 0, import_capsule(f, DL_CODE, kDLInt)) \
    X(gi_tensor_from_dlpack, code_255, UNS, 0, import_capsule(f, DL_CODE, 255)) \
    X(gi_tensor_from_dlpack, bits_0, UNS, 0, import_capsule(f, DL_BITS, 0))     \
    X(gi_tensor_from_dlpack, bits_8, UNS, 0, import_capsule(f, DL_BITS, 8))     \
    X(gi_tensor_from_dlpack, lanes_0, UNS, 0, import_capsule(f, DL_LANES, 0))   \
    X(gi_tensor_from_dlpack, lanes_2, UNS, 0, import_capsule(f, DL_LANES, 2))   \
    X(gi_tensor_from_dlpack, cuda_on_cpu, INV, 0, import_capsule(f, DL_DEVICE, kDLCUDA)) \
    X(gi_tensor_from_dlpack, pinned_host, OK, 0, import_capsule(f, DL_DEVICE, kDLCUDAHost)) \
    X(gi_tensor_from_dlpack, rocm, UNS, 0, import_capsule(f, DL_DEVICE, kDLROCM)) \
    X(gi_tensor_from_dlpack, device_neg, UNS, 0, import_capsule(f, DL_DEVICE, -1)) \
    X(gi_tensor_from_dlpack, column_stride, UNS, 0, import_capsule(f, DL_STRIDE1, 2)) \
    X(gi_tensor_from_dlpack, compact_strides, OK, 0, import_capsule(f, DL_STRIDE1, 1)) \
    X(gi_tensor_from_dlpack, offset_odd, FMT, 0, import_capsule(f, DL_OFFSET, 1)) \
    X(gi_tensor_from_dlpack, offset_wraps, OVF, 0, import_capsule(f, DL_OFFSET, -4))

#define CASES_PRINT(X)                                                           \
    X(gi_tensor_print, null_t, NUL, 0, gi_tensor_print(NULL, f->sink))           \
    X(gi_tensor_print, null_f, NUL, 0, gi_tensor_print(f->v, NULL))              \
    X(gi_tensor_print, read_only_stream, IOE, 0, gi_tensor_print(f->v, f->ro))   \
    X(gi_tensor_print, full_device, IOE, 0, gi_tensor_print(f->v, f->full))      \
    X(gi_tensor_format, null_t, NUL, 0, gi_tensor_format(NULL, f->buf, sizeof f->buf, &f->out_n)) \
    X(gi_tensor_format, null_buf, NUL, 0, gi_tensor_format(f->v, NULL, 16, &f->out_n)) \
    X(gi_tensor_format, null_buf_size_max, NUL, 0, gi_tensor_format(f->v, NULL, SIZE_MAX, &f->out_n)) \
    X(gi_tensor_format, cap_zero, INV, 0, format_small(f, 0))                    \
    X(gi_tensor_format, cap_one, INV, 0, format_small(f, 1))                     \
    X(gi_tensor_format, cap_seven, INV, 0, format_small(f, 7))                   \
    X(gi_tensor_print_shape, null_t, NUL, 0, gi_tensor_print_shape(NULL, f->sink)) \
    X(gi_tensor_print_shape, null_f, NUL, 0, gi_tensor_print_shape(f->v, NULL))  \
    X(gi_tensor_print_shape, read_only_stream, IOE, 0, gi_tensor_print_shape(f->m, f->ro)) \
    X(gi_tensor_print_shape, full_device, IOE, 0, gi_tensor_print_shape(f->m, f->full))

#define CASES_SAFETENSORS(X)                                                     \
    X(gi_safetensors_header, null_size, NUL, 0, gi_safetensors_header(1, ST_ENTRY("v", GI_F32, 1, (const int64_t[]){3}), 0, NULL, f->buf, sizeof f->buf, NULL, NULL)) \
    X(gi_safetensors_header, n_neg, INV, 0, ST_HEADER(NULL, -1, sizeof f->buf)) \
    X(gi_safetensors_header, n_int64_min, INV, 0, ST_HEADER(NULL, INT64_MIN, sizeof f->buf)) \
    X(gi_safetensors_header, nmeta_neg, INV, 0, gi_safetensors_header(0, NULL, -1, NULL, f->buf, sizeof f->buf, &f->out_n, NULL)) \
    X(gi_safetensors_header, null_entries, NUL, 0, ST_HEADER(NULL, 1, sizeof f->buf)) \
    X(gi_safetensors_header, null_meta, NUL, 0, gi_safetensors_header(0, NULL, 1, NULL, f->buf, sizeof f->buf, &f->out_n, NULL)) \
    X(gi_safetensors_header, null_name, NUL, 0, ST_HEADER(ST_ENTRY(NULL, GI_F32, 0, NULL), 1, sizeof f->buf)) \
    X(gi_safetensors_header, empty_name, INV, 0, ST_HEADER(ST_ENTRY("", GI_F32, 0, NULL), 1, sizeof f->buf)) \
    X(gi_safetensors_header, name_metadata, INV, 0, ST_HEADER(ST_ENTRY("__metadata__", GI_F32, 0, NULL), 1, sizeof f->buf)) \
    X(gi_safetensors_header, name_not_utf8, INV, 0, ST_HEADER(ST_ENTRY("\xc0\x80", GI_F32, 0, NULL), 1, sizeof f->buf)) \
    X(gi_safetensors_header, name_twice, INV, 0, ST_HEADER(((const gi_safetensors_entry[]){{"v", GI_F32, 0, NULL}, {"v", GI_F16, 0, NULL}}), 2, sizeof f->buf)) \
    X(gi_safetensors_header, dtype_neg, INV, 0, ST_HEADER(ST_ENTRY("v", (gi_dtype)-1, 0, NULL), 1, sizeof f->buf)) \
    X(gi_safetensors_header, dtype_past_end, INV, 0, ST_HEADER(ST_ENTRY("v", (gi_dtype)4, 0, NULL), 1, sizeof f->buf)) \
    X(gi_safetensors_header, ndim_neg, SHP, 0, ST_HEADER(ST_ENTRY("v", GI_F32, -1, NULL), 1, sizeof f->buf)) \
    X(gi_safetensors_header, ndim_9, SHP, 0, ST_HEADER(ST_ENTRY("v", GI_F32, 9, NINE_ONES), 1, sizeof f->buf)) \
    X(gi_safetensors_header, null_shape, NUL, 0, ST_HEADER(ST_ENTRY("v", GI_F32, 2, NULL), 1, sizeof f->buf)) \
    X(gi_safetensors_header, size_neg, SHP, 0, ST_HEADER(ST_ENTRY("v", GI_F32, 2, ((const int64_t[]){3, -1})), 1, sizeof f->buf)) \
    X(gi_safetensors_header, bytes_overflow, OVF, 0, ST_HEADER(ST_ENTRY("v", GI_F64, 2, ((const int64_t[]){INT64_MAX / 4, 3})), 1, sizeof f->buf)) \
    X(gi_safetensors_header, data_overflow, OVF, 0, ST_HEADER(((const gi_safetensors_entry[]){{"a", GI_F32, 1, (const int64_t[]){INT64_MAX / 8}}, {"b", GI_F32, 1, (const int64_t[]){INT64_MAX / 8}}, {"c", GI_F32, 1, (const int64_t[]){INT64_MAX / 8}}}), 3, sizeof f->buf)) \
    X(gi_safetensors_header, cap_small, INV, 0, ST_HEADER(ST_ENTRY("v", GI_F32, 0, NULL), 1, 8)) \
    X(gi_safetensors_header, size_query, OK, W, gi_safetensors_header(1, ST_ENTRY("v", GI_F32, 1, (const int64_t[]){3}), 0, NULL, NULL, 0, &f->out_n, NULL)) \
    X(gi_safetensors_header, nothing, OK, W, ST_HEADER(NULL, 0, sizeof f->buf)) \
    X(gi_save_safetensors, null_path, NUL, 0, gi_save_safetensors(NULL, 1, (const char *[]){"v"}, &f->v, 0, NULL)) \
    X(gi_save_safetensors, empty_path, INV, 0, gi_save_safetensors("", 1, (const char *[]){"v"}, &f->v, 0, NULL)) \
    X(gi_save_safetensors, n_neg, INV, 0, gi_save_safetensors(st_path("x"), -1, NULL, NULL, 0, NULL)) \
    X(gi_save_safetensors, n_int64_min, INV, 0, gi_save_safetensors(st_path("x"), INT64_MIN, NULL, NULL, 0, NULL)) \
    X(gi_save_safetensors, nmeta_neg, INV, 0, gi_save_safetensors(st_path("x"), 0, NULL, NULL, -1, NULL)) \
    X(gi_save_safetensors, null_names, NUL, 0, gi_save_safetensors(st_path("x"), 1, NULL, &f->v, 0, NULL)) \
    X(gi_save_safetensors, null_tensors, NUL, 0, gi_save_safetensors(st_path("x"), 1, (const char *[]){"v"}, NULL, 0, NULL)) \
    X(gi_save_safetensors, null_meta, NUL, 0, gi_save_safetensors(st_path("x"), 0, NULL, NULL, 1, NULL)) \
    X(gi_save_safetensors, null_name, NUL, 0, gi_save_safetensors(st_path("x"), 1, (const char *[]){NULL}, &f->v, 0, NULL)) \
    X(gi_save_safetensors, null_tensor, NUL, 0, gi_save_safetensors(st_path("x"), 1, (const char *[]){"v"}, (const gi_tensor[]){NULL}, 0, NULL)) \
    X(gi_save_safetensors, null_meta_value, NUL, 0, gi_save_safetensors(st_path("x"), 0, NULL, NULL, 1, &(gi_metadata){"k", NULL})) \
    X(gi_save_safetensors, name_twice, INV, 0, gi_save_safetensors(st_path("x"), 2, (const char *[]){"v", "v"}, (const gi_tensor[]){f->v, f->w}, 0, NULL)) \
    X(gi_save_safetensors, name_metadata, INV, 0, gi_save_safetensors(st_path("x"), 1, (const char *[]){"__metadata__"}, &f->v, 0, NULL)) \
    X(gi_save_safetensors, name_empty, INV, 0, gi_save_safetensors(st_path("x"), 1, (const char *[]){""}, &f->v, 0, NULL)) \
    X(gi_save_safetensors, name_not_utf8, INV, 0, gi_save_safetensors(st_path("x"), 1, (const char *[]){"\xff"}, &f->v, 0, NULL)) \
    X(gi_save_safetensors, missing_directory, IOE, 0, gi_save_safetensors(st_path("none/x"), 1, (const char *[]){"v"}, &f->v, 0, NULL)) \
    X(gi_save_safetensors, path_is_directory, IOE, 0, gi_save_safetensors(st_path(""), 1, (const char *[]){"v"}, &f->v, 0, NULL)) \
    X(gi_save_safetensors, nothing, OK, 0, gi_save_safetensors(st_path("x"), 0, NULL, NULL, 0, NULL)) \
    X(gi_module_save_safetensors, null_m, NUL, 0, gi_module_save_safetensors(NULL, st_path("x"), 0, NULL)) \
    X(gi_module_save_safetensors, null_path, NUL, 0, gi_module_save_safetensors(f->seq, NULL, 0, NULL)) \
    X(gi_module_save_safetensors, lazy, STA, 0, gi_module_save_safetensors(f->lazy, st_path("x"), 0, NULL)) \
    X(gi_module_save_safetensors, lazy_inside, STA, 0, gi_module_save_safetensors(f->seq_lazy, st_path("x"), 0, NULL)) \
    X(gi_module_save_safetensors, nmeta_neg, INV, 0, gi_module_save_safetensors(f->seq, st_path("x"), -1, NULL)) \
    X(gi_module_save_safetensors, relu, OK, 0, gi_module_save_safetensors(f->relu, st_path("x"), 0, NULL)) \
    X(gi_safetensors_open, null_out, NUL, 0, gi_safetensors_open(NULL, st_full)) \
    X(gi_safetensors_open, null_path, NUL, 0, st_open(NULL))                   \
    X(gi_safetensors_open, empty_path, IOE, 0, st_open(""))                    \
    X(gi_safetensors_open, no_file, IOE, 0, st_open(st_path("absent")))        \
    X(gi_safetensors_open, directory, IOE, 0, st_open(st_path("")))            \
    X(gi_safetensors_open, junk, FMT, 0, st_open(st_junk))                     \
    X(gi_safetensors_open, valid, OK, 0, st_open(st_full))                     \
    X(gi_safetensors_close, null, OK, 0, (gi_safetensors_close(NULL), GI_OK))  \
    X(gi_safetensors_count, null, OK, 0, is_i64(gi_safetensors_count(NULL), 0)) \
    X(gi_safetensors_count, fixture, OK, 0, is_i64(gi_safetensors_count(f->st), 3)) \
    X(gi_safetensors_name, null, OK, 0, is_ptr(gi_safetensors_name(NULL, 0), NULL)) \
    X(gi_safetensors_name, neg, OK, 0, is_ptr(gi_safetensors_name(f->st, -1), NULL)) \
    X(gi_safetensors_name, past_end, OK, 0, is_ptr(gi_safetensors_name(f->st, 3), NULL)) \
    X(gi_safetensors_name, int64_min, OK, 0, is_ptr(gi_safetensors_name(f->st, INT64_MIN), NULL)) \
    X(gi_safetensors_name, first, OK, 0, is_str(gi_safetensors_name(f->st, 0), "v")) \
    X(gi_safetensors_info, null_f, NUL, 0, gi_safetensors_info(NULL, "v", NULL, NULL, NULL)) \
    X(gi_safetensors_info, null_name, NUL, 0, gi_safetensors_info(f->st, NULL, NULL, NULL, NULL)) \
    X(gi_safetensors_info, absent, INV, 0, gi_safetensors_info(f->st, "w", NULL, NULL, NULL)) \
    X(gi_safetensors_info, empty_name, INV, 0, gi_safetensors_info(f->st, "", NULL, NULL, NULL)) \
    X(gi_safetensors_info, null_outs, OK, 0, gi_safetensors_info(f->st, "v", NULL, NULL, NULL)) \
    X(gi_safetensors_info, all_outs, OK, 0, st_info_v(f))                      \
    X(gi_safetensors_metadata, null_f, OK, 0, is_ptr(gi_safetensors_metadata(NULL, "format"), NULL)) \
    X(gi_safetensors_metadata, null_key, OK, 0, is_ptr(gi_safetensors_metadata(f->st, NULL), NULL)) \
    X(gi_safetensors_metadata, absent, OK, 0, is_ptr(gi_safetensors_metadata(f->st, "v"), NULL)) \
    X(gi_safetensors_metadata, present, OK, 0, is_str(gi_safetensors_metadata(f->st, "format"), "pt")) \
    X(gi_safetensors_load_tensor, null_f, NUL, 0, gi_safetensors_load_tensor(NULL, "v", f->ctx, &f->out_t)) \
    X(gi_safetensors_load_tensor, null_name, NUL, 0, gi_safetensors_load_tensor(f->st, NULL, f->ctx, &f->out_t)) \
    X(gi_safetensors_load_tensor, null_ctx, NUL, 0, gi_safetensors_load_tensor(f->st, "v", NULL, &f->out_t)) \
    X(gi_safetensors_load_tensor, null_out, NUL, 0, gi_safetensors_load_tensor(f->st, "v", f->ctx, NULL)) \
    X(gi_safetensors_load_tensor, absent, INV, 0, gi_safetensors_load_tensor(f->st, "x", f->ctx, &f->out_t)) \
    X(gi_safetensors_load_tensor, present, OK, 0, gi_safetensors_load_tensor(f->st, "weight", f->ctx2, &f->out_t)) \
    X(gi_safetensors_load_into, null_f, NUL, 0, gi_safetensors_load_into(NULL, 1, (const char *[]){"v"}, &f->v)) \
    X(gi_safetensors_load_into, n_neg, INV, 0, gi_safetensors_load_into(f->st, -1, NULL, NULL)) \
    X(gi_safetensors_load_into, null_names, NUL, 0, gi_safetensors_load_into(f->st, 1, NULL, &f->v)) \
    X(gi_safetensors_load_into, null_tensors, NUL, 0, gi_safetensors_load_into(f->st, 1, (const char *[]){"v"}, NULL)) \
    X(gi_safetensors_load_into, null_name, NUL, 0, gi_safetensors_load_into(f->st, 2, (const char *[]){"v", NULL}, (const gi_tensor[]){f->v, f->w})) \
    X(gi_safetensors_load_into, null_tensor, NUL, 0, gi_safetensors_load_into(f->st, 2, (const char *[]){"v", "v"}, (const gi_tensor[]){f->v, NULL})) \
    X(gi_safetensors_load_into, absent_last, INV, 0, gi_safetensors_load_into(f->st, 2, (const char *[]){"v", "x"}, (const gi_tensor[]){f->v, f->w})) \
    X(gi_safetensors_load_into, dtype_last, INV, 0, gi_safetensors_load_into(f->st, 2, (const char *[]){"v", "v"}, (const gi_tensor[]){f->v, f->h})) \
    X(gi_safetensors_load_into, shape_last, SHP, 0, gi_safetensors_load_into(f->st, 2, (const char *[]){"v", "v"}, (const gi_tensor[]){f->v, f->w})) \
    X(gi_safetensors_load_into, rank_last, SHP, 0, gi_safetensors_load_into(f->st, 2, (const char *[]){"v", "bias"}, (const gi_tensor[]){f->v, f->s})) \
    X(gi_safetensors_load_into, nothing, OK, 0, gi_safetensors_load_into(f->st, 0, NULL, NULL)) \
    X(gi_safetensors_load_into, same_values, OK, 0, gi_safetensors_load_into(f->st, 2, (const char *[]){"v", "v"}, (const gi_tensor[]){f->v, f->v})) \
    X(gi_load_safetensors, null_path, NUL, 0, gi_load_safetensors(NULL, 1, (const char *[]){"v"}, &f->v)) \
    X(gi_load_safetensors, n_neg, INV, 0, gi_load_safetensors(st_full, -1, NULL, NULL)) \
    X(gi_load_safetensors, null_names, NUL, 0, gi_load_safetensors(st_full, 1, NULL, &f->v)) \
    X(gi_load_safetensors, no_file, IOE, 0, gi_load_safetensors(st_path("absent"), 1, (const char *[]){"v"}, &f->v)) \
    X(gi_load_safetensors, junk, FMT, 0, gi_load_safetensors(st_junk, 1, (const char *[]){"v"}, &f->v)) \
    X(gi_load_safetensors, shape, SHP, 0, gi_load_safetensors(st_full, 1, (const char *[]){"weight"}, &f->v)) \
    X(gi_load_safetensors, same_values, OK, 0, gi_load_safetensors(st_full, 1, (const char *[]){"v"}, &f->v)) \
    X(gi_module_load_safetensors, null_m, NUL, 0, gi_module_load_safetensors(NULL, st_lin)) \
    X(gi_module_load_safetensors, null_path, NUL, 0, gi_module_load_safetensors(f->lin, NULL)) \
    X(gi_module_load_safetensors, lazy, STA, 0, gi_module_load_safetensors(f->seq_lazy, st_lin)) \
    X(gi_module_load_safetensors, no_file, IOE, 0, gi_module_load_safetensors(f->lin, st_path("absent"))) \
    X(gi_module_load_safetensors, junk, FMT, 0, gi_module_load_safetensors(f->lin, st_junk)) \
    X(gi_module_load_safetensors, unexpected_key, INV, 0, gi_module_load_safetensors(f->lin, st_full)) \
    X(gi_module_load_safetensors, missing_keys, INV, 0, gi_module_load_safetensors(f->seq, st_lin)) \
    X(gi_module_load_safetensors, same_values, OK, 0, gi_module_load_safetensors(f->lin, st_lin)) \
    X(gi_safetensors_index_open, null_out, NUL, 0, gi_safetensors_index_open(NULL, st_idx)) \
    X(gi_safetensors_index_open, null_path, NUL, 0, st_index_open(NULL))       \
    X(gi_safetensors_index_open, empty_path, IOE, 0, st_index_open(""))        \
    X(gi_safetensors_index_open, no_file, IOE, 0, st_index_open(st_path("absent"))) \
    X(gi_safetensors_index_open, directory, IOE, 0, st_index_open(st_path(""))) \
    X(gi_safetensors_index_open, junk, FMT, 0, st_index_open(st_junk))         \
    X(gi_safetensors_index_open, a_safetensors_file, FMT, 0, st_index_open(st_full)) \
    X(gi_safetensors_index_open, valid, OK, 0, st_index_open(st_idx))          \
    X(gi_safetensors_index_close, null, OK, 0, (gi_safetensors_index_close(NULL), GI_OK)) \
    X(gi_safetensors_index_count, null, OK, 0, is_i64(gi_safetensors_index_count(NULL), 0)) \
    X(gi_safetensors_index_count, fixture, OK, 0, is_i64(gi_safetensors_index_count(f->sti), 3)) \
    X(gi_safetensors_index_name, null, OK, 0, is_ptr(gi_safetensors_index_name(NULL, 0), NULL)) \
    X(gi_safetensors_index_name, neg, OK, 0, is_ptr(gi_safetensors_index_name(f->sti, -1), NULL)) \
    X(gi_safetensors_index_name, past_end, OK, 0, is_ptr(gi_safetensors_index_name(f->sti, 3), NULL)) \
    X(gi_safetensors_index_name, int64_min, OK, 0, is_ptr(gi_safetensors_index_name(f->sti, INT64_MIN), NULL)) \
    X(gi_safetensors_index_name, first, OK, 0, is_str(gi_safetensors_index_name(f->sti, 0), "v")) \
    X(gi_safetensors_index_file, null, OK, 0, is_ptr(gi_safetensors_index_file(NULL, "v"), NULL)) \
    X(gi_safetensors_index_file, null_name, OK, 0, is_ptr(gi_safetensors_index_file(f->sti, NULL), NULL)) \
    X(gi_safetensors_index_file, unknown, OK, 0, is_ptr(gi_safetensors_index_file(f->sti, "w"), NULL)) \
    X(gi_safetensors_index_file, known, OK, 0, is_str(gi_safetensors_index_file(f->sti, "v"), st_full)) \
    X(gi_load_safetensors_index, null_path, NUL, 0, gi_load_safetensors_index(NULL, 1, (const char *[]){"v"}, &f->v)) \
    X(gi_load_safetensors_index, n_neg, INV, 0, gi_load_safetensors_index(st_idx, -1, NULL, NULL)) \
    X(gi_load_safetensors_index, n_int64_min, INV, 0, gi_load_safetensors_index(st_idx, INT64_MIN, NULL, NULL)) \
    X(gi_load_safetensors_index, null_names, NUL, 0, gi_load_safetensors_index(st_idx, 1, NULL, &f->v)) \
    X(gi_load_safetensors_index, null_tensors, NUL, 0, gi_load_safetensors_index(st_idx, 1, (const char *[]){"v"}, NULL)) \
    X(gi_load_safetensors_index, null_name, NUL, 0, gi_load_safetensors_index(st_idx, 1, (const char *[]){NULL}, &f->v)) \
    X(gi_load_safetensors_index, null_tensor, NUL, 0, gi_load_safetensors_index(st_idx, 1, (const char *[]){"v"}, (const gi_tensor[]){NULL})) \
    X(gi_load_safetensors_index, no_file, IOE, 0, gi_load_safetensors_index(st_path("absent"), 1, (const char *[]){"v"}, &f->v)) \
    X(gi_load_safetensors_index, junk, FMT, 0, gi_load_safetensors_index(st_junk, 1, (const char *[]){"v"}, &f->v)) \
    X(gi_load_safetensors_index, unknown_name, INV, 0, gi_load_safetensors_index(st_idx, 1, (const char *[]){"w"}, &f->v)) \
    X(gi_load_safetensors_index, shape, SHP, 0, gi_load_safetensors_index(st_idx, 1, (const char *[]){"weight"}, &f->v)) \
    X(gi_load_safetensors_index, dtype, INV, 0, gi_load_safetensors_index(st_idx, 1, (const char *[]){"v"}, &f->d)) \
    X(gi_load_safetensors_index, second_file_shape, SHP, 0, gi_load_safetensors_index(st_idx, 2, (const char *[]){"v", "weight"}, (const gi_tensor[]){f->w, f->v})) \
    X(gi_load_safetensors_index, nothing, OK, 0, gi_load_safetensors_index(st_idx, 0, NULL, NULL)) \
    X(gi_load_safetensors_index, same_values, OK, 0, gi_load_safetensors_index(st_idx, 1, (const char *[]){"v"}, &f->v)) \
    X(gi_module_load_safetensors_index, null_m, NUL, 0, gi_module_load_safetensors_index(NULL, st_idx_lin)) \
    X(gi_module_load_safetensors_index, null_path, NUL, 0, gi_module_load_safetensors_index(f->lin, NULL)) \
    X(gi_module_load_safetensors_index, lazy, STA, 0, gi_module_load_safetensors_index(f->seq_lazy, st_idx_lin)) \
    X(gi_module_load_safetensors_index, no_file, IOE, 0, gi_module_load_safetensors_index(f->lin, st_path("absent"))) \
    X(gi_module_load_safetensors_index, unexpected_key, INV, 0, gi_module_load_safetensors_index(f->lin, st_idx)) \
    X(gi_module_load_safetensors_index, missing_keys, INV, 0, gi_module_load_safetensors_index(f->seq, st_idx_lin)) \
    X(gi_module_load_safetensors_index, same_values, OK, 0, gi_module_load_safetensors_index(f->lin, st_idx_lin))

#define ALL_CASES(X)                                                             \
    CASES_STATUS(X) CASES_CONTEXT(X) CASES_GENERATOR(X) CASES_TENSOR(X)         \
    CASES_OPS(X) CASES_INIT(X) CASES_MODULE(X) CASES_PRINT(X)                   \
    CASES_SAFETENSORS(X) CASES_DLPACK(X)

/* One static function per case, then the table. */
#define DEFINE_CASE(fn, tag, want, flags, expr)                                \
    static gi_status case_##fn##__##tag(fx *f)                                 \
    {                                                                          \
        (void)f;                                                               \
        return (expr);                                                         \
    }
ALL_CASES(DEFINE_CASE)
#undef DEFINE_CASE

#define TABLE_ENTRY(fn, tag, want, flags, expr)                                \
    {#fn, #tag, want, flags, case_##fn##__##tag},
static const hcase CASES[] = {ALL_CASES(TABLE_ENTRY)};
#undef TABLE_ENTRY

#define NCASES (sizeof CASES / sizeof *CASES)

/* ------------------------------------------------------------------------ */
/* The harness                                                               */
/* ------------------------------------------------------------------------ */

/* The case running now, named on stderr if it never returns: a signal, an
 * exit() inside the library (libgomp's, say), or a hang (the alarm). The
 * process dies as it would have, so Criterion still reports the crash. */
static const hcase *volatile current;

static void say(const char *s)
{
    ssize_t ignored = write(STDERR_FILENO, s, strlen(s));
    (void)ignored;
}

static void name_current(const char *what)
{
    const hcase *c = current;
    if (c == NULL)
        return;
    say("test_hostile: ");
    say(what);
    say(" in case ");
    say(c->fn);
    say("/");
    say(c->tag);
    say("\n");
}

static void on_fatal_signal(int sig)
{
    name_current(sig == SIGALRM ? "hang (60 s)" : "fatal signal");
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_exit_during_case(void)
{
    name_current("exit() called");
}

static void install_crash_reporting(void)
{
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
                               SIGALRM};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; ++i)
        signal(sigs[i], on_fatal_signal);
    atexit(on_exit_during_case);
}

static void run_case(const hcase *c)
{
    if ((c->flags & NOCUDA) && gi_cuda_available()) {
        cr_log_info("%s/%s skipped: a GPU is usable here", c->fn, c->tag);
        return;
    }
    fx f;
    fx_setup(&f);

    /* A known message from another function, to tell whether the call
     * replaced it. */
    if (strcmp(c->fn, "gi_context_synchronize") != 0)
        cr_assert_eq(gi_context_synchronize(NULL), GI_ERR_NULL_ARGUMENT);
    else
        cr_assert_eq(gi_manual_seed(NULL, 0), GI_ERR_NULL_ARGUMENT);
    char before[512];
    snprintf(before, sizeof before, "%s", gi_last_error());
    detail[0] = '\0';

    current = c;
    alarm(60);
    gi_status st = c->call(&f);
    alarm(0);
    current = NULL;
    if (st == NOT_APPLICABLE) {
        cr_log_info("%s/%s does not apply: the fixture refused its input",
                    c->fn, c->tag);
        fx_teardown(&f);
        return;
    }

    cr_expect_eq(st, c->want, "%s/%s: returned %s (%d), want %s; %s%s",
                 c->fn, c->tag, gi_status_name(st), (int)st,
                 gi_status_name(c->want), detail,
                 st != GI_OK ? gi_last_error() : "");
    const char *msg = gi_last_error();
    cr_assert_not_null(msg, "%s/%s: gi_last_error() is NULL", c->fn, c->tag);
    if (c->want != GI_OK && !(c->flags & NOMSG)) {
        size_t n = strlen(c->fn);
        cr_expect(strncmp(msg, c->fn, n) == 0 && msg[n] == ':',
                  "%s/%s: gi_last_error() is \"%s\"; it should start with "
                  "\"%s:\"", c->fn, c->tag, msg, c->fn);
    } else if (c->want == GI_OK && st == GI_OK) {
        cr_expect_str_eq(msg, before,
                         "%s/%s: a successful call replaced the last error "
                         "with \"%s\"", c->fn, c->tag, msg);
    }
    /* A failure writes nothing; neither does a success not flagged W. */
    if (st != GI_OK || (c->want == GI_OK && !(c->flags & W))) {
        if (st == GI_OK)
            fx_release_outputs(&f);
        expect_untouched(&f, c);
    }
    fx_teardown(&f);
}

/* One Criterion test (one process) per function: the cases of CASES[i]
 * and the ones after it with the same function, each on a fresh fixture.
 * (A process per case would load the CUDA libraries ~500 times.) */
ParameterizedTestParameters(hostile, function)
{
    static size_t first[NCASES];
    size_t n = 0;
    for (size_t i = 0; i < NCASES; ++i)
        if (i == 0 || strcmp(CASES[i].fn, CASES[i - 1].fn) != 0)
            first[n++] = i;
    return cr_make_param_array(size_t, first, n);
}

ParameterizedTest(size_t *first, hostile, function)
{
    cr_assert_lt(*first, NCASES);
    install_crash_reporting();
    for (size_t i = *first;
         i < NCASES && strcmp(CASES[i].fn, CASES[*first].fn) == 0; ++i)
        run_case(&CASES[i]);
}

/* Each function's cases are together in the table (so that the test above
 * runs them all), and no (function, tag) appears twice. */
Test(hostile, table_is_grouped_by_function)
{
    for (size_t i = 0; i < NCASES; ++i)
        for (size_t j = i + 1; j < NCASES; ++j) {
            int same = strcmp(CASES[i].fn, CASES[j].fn) == 0;
            cr_expect(!same || j == i + 1 ||
                          strcmp(CASES[j - 1].fn, CASES[i].fn) == 0,
                      "the cases of %s are not together in the table "
                      "(entries %zu and %zu)", CASES[i].fn, i, j);
            if (!same)
                continue;
            cr_expect_str_neq(CASES[i].tag, CASES[j].tag, "%s/%s twice",
                              CASES[i].fn, CASES[i].tag);
        }
}

/* ------------------------------------------------------------------------ */
/* Coverage guard: every GI_API function of the header has a case            */
/* ------------------------------------------------------------------------ */

/* The names declared with GI_API in the header at path, comments and
 * preprocessor lines (with their continuations) skipped. Returns the count;
 * names[i] are malloc'd. */
static size_t public_functions(const char *path, char **names, size_t cap)
{
    char *text = read_file(path);
    cr_assert_neq(text[0], '\0', "the public header %s is empty", path);

    /* Blank out comments, string literals, and preprocessor lines. */
    int line_start = 1, in_pp = 0;
    char last = '\n'; /* the line's last non-blank character, unblanked */
    for (char *p = text; *p != '\0'; ++p) {
        if (p[0] == '/' && p[1] == '*') {
            char *end = strstr(p + 2, "*/");
            end = end != NULL ? end + 2 : p + strlen(p);
            for (; p < end; ++p)
                if (*p != '\n')
                    *p = ' ';
            --p;
            continue;
        }
        if (p[0] == '/' && p[1] == '/') {
            for (; *p != '\0' && *p != '\n'; ++p)
                *p = ' ';
            --p;
            continue;
        }
        if (*p == '"') {
            *p = ' ';
            for (++p; *p != '\0' && *p != '"'; ++p)
                if (*p != '\n')
                    *p = ' ';
            if (*p == '\0')
                break;
            *p = ' ';
            continue;
        }
        if (line_start && *p == '#')
            in_pp = 1;
        if (*p == '\n') {
            int continued = last == '\\';
            last = '\n';
            line_start = 1;
            if (!continued)
                in_pp = 0;
            continue;
        }
        if (*p != ' ' && *p != '\t') {
            line_start = 0;
            last = *p;
        }
        if (in_pp)
            *p = ' ';
    }

    size_t n = 0;
    for (char *p = strstr(text, "GI_API"); p != NULL;
         p = strstr(p + 1, "GI_API")) {
        int word = (p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) &&
                   !(isalnum((unsigned char)p[6]) || p[6] == '_');
        if (!word)
            continue;
        char *paren = strchr(p, '(');
        cr_assert_not_null(paren, "a GI_API declaration without '('");
        char *end = paren;
        while (end > p && isspace((unsigned char)end[-1]))
            --end;
        char *start = end;
        while (start > p &&
               (isalnum((unsigned char)start[-1]) || start[-1] == '_'))
            --start;
        cr_assert_lt(n, cap, "more than %zu public functions", cap);
        names[n] = malloc((size_t)(end - start) + 1);
        cr_assert_not_null(names[n]);
        memcpy(names[n], start, (size_t)(end - start));
        names[n][end - start] = '\0';
        ++n;
    }
    free(text);
    return n;
}

/* covered[]: the functions the table checks, each once, in table order. */
static size_t covered_functions(const char **covered, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < NCASES; ++i) {
        size_t j = 0;
        while (j < n && strcmp(covered[j], CASES[i].fn) != 0)
            ++j;
        if (j == n) {
            cr_assert_lt(n, cap);
            covered[n++] = CASES[i].fn;
        }
    }
    return n;
}

static int listed(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (strcmp(list[i], name) == 0)
            return 1;
    return 0;
}

Test(hostile, every_public_function_has_cases)
{
    enum { CAP = 1024 };
    static char *declared[CAP];
    static const char *covered[CAP];
    size_t nd = public_functions(GINIT_PUBLIC_HEADER, declared, CAP);
    size_t nc = covered_functions(covered, CAP);

    /* The parser itself: it must see the functions we know are there. */
    cr_assert_gt(nd, 50, "found only %zu GI_API functions in %s", nd,
                 GINIT_PUBLIC_HEADER);
    cr_assert(listed("gi_context_create", (const char *const *)declared, nd));
    cr_assert(listed("gi_tensor_print_shape", (const char *const *)declared,
                     nd));

    char missing[4096] = "";
    size_t nmissing = 0;
    for (size_t i = 0; i < nd; ++i) {
        cr_expect(strncmp(declared[i], "gi_", 3) == 0,
                  "parsed a GI_API name that is not gi_*: '%s'", declared[i]);
        if (listed(declared[i], covered, nc))
            continue;
        ++nmissing;
        size_t used = strlen(missing);
        snprintf(missing + used, sizeof missing - used, " %s", declared[i]);
    }
    cr_expect_eq(nmissing, 0,
                 "%zu public function(s) of %s have no hostile case in "
                 "tests/test_hostile.c:%s", nmissing, GINIT_PUBLIC_HEADER,
                 missing);
    for (size_t i = 0; i < nc; ++i)
        cr_expect(listed(covered[i], (const char *const *)declared, nd),
                  "the table names %s, which %s does not declare", covered[i],
                  GINIT_PUBLIC_HEADER);
    for (size_t i = 0; i < nd; ++i)
        free(declared[i]);
}
