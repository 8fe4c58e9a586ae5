/*
 * Golden values for the random stream (docs/rng.md): tests/data/rng_golden.txt
 * is written by tests/rng_reference.py, an independent implementation of the
 * format written from docs/rng.md alone. Every value must match bit for bit,
 * and so must the generator's offset after the fill.
 *
 * A case is "case <law> <seed> <stream> <offset> <n> <a> <b> <offset_after>"
 * then n values. Laws "uniform" (a, b) and "normal" (mean, std) fill a 1-D
 * tensor of n; "trunc_normal" (mean, std) is followed on the header line by
 * the interval's bounds "<lo> <hi>" (float32 bit patterns, either may be
 * infinite) and fills a 1-D tensor of n with gi_trunc_normal_; "sparse"
 * (sparsity, std) is followed on the header line by "<rows> <cols>" and
 * fills a rows x cols tensor with gi_sparse_; "mixture"
 * (a, b unused) is followed by "<k>" and k components "<law> <p> <a> <b>"
 * (law "uniform", "normal" or "constant") and fills a 1-D tensor of n with
 * gi_mixture_.
 */
#include <criterion/criterion.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ginit.h"

#define GOLDEN_FILE GINIT_TEST_DATA_DIR "/rng_golden.txt"
#define MIN_CASES 67

typedef struct golden_case {
    char law[16];
    uint64_t seed, stream, offset, offset_after;
    int64_t n;
    uint32_t a, b;  /* float32 bit patterns of the law's two arguments */
    int64_t rows, cols; /* sparse: the matrix shape */
    uint32_t lo, hi;    /* trunc_normal: the interval's bounds (bits) */
    int k;              /* mixture: the number of components */
    gi_component comps[GI_MAX_COMPONENTS];
    uint32_t *want; /* n float32 bit patterns */
} golden_case;

typedef struct golden_file {
    golden_case *cases;
    size_t count, cap;
    long declared; /* from the trailing "cases N" line; -1 if absent */
} golden_file;

static float bits_to_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static uint32_t float_to_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static void golden_free(golden_file *g)
{
    for (size_t i = 0; i < g->count; i++)
        free(g->cases[i].want);
    free(g->cases);
    memset(g, 0, sizeof *g);
}

static golden_case *golden_push(golden_file *g)
{
    if (g->count == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 16;
        golden_case *c = realloc(g->cases, cap * sizeof *c);
        cr_assert_not_null(c, "out of memory");
        g->cases = c;
        g->cap = cap;
    }
    golden_case *c = &g->cases[g->count++];
    memset(c, 0, sizeof *c);
    return c;
}

/* Reads the rest of a "case ..." record: header fields and the n values. */
static void read_case(FILE *fp, golden_file *g)
{
    golden_case *c = golden_push(g);
    size_t k = g->count;
    int got = fscanf(fp, "%15s %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNd64
                     " %" SCNx32 " %" SCNx32 " %" SCNu64,
                     c->law, &c->seed, &c->stream, &c->offset, &c->n, &c->a,
                     &c->b, &c->offset_after);
    cr_assert_eq(got, 8, "case %zu: malformed header", k);
    cr_assert(c->n > 0 && c->n <= 1000000, "case %zu: bad n %" PRId64, k, c->n);
    if (strcmp(c->law, "sparse") == 0) {
        cr_assert_eq(fscanf(fp, "%" SCNd64 " %" SCNd64, &c->rows, &c->cols), 2,
                     "case %zu: sparse without rows, cols", k);
        cr_assert(c->rows > 0 && c->cols > 0 && c->rows * c->cols == c->n,
                  "case %zu: bad shape %" PRId64 " x %" PRId64, k, c->rows,
                  c->cols);
    } else if (strcmp(c->law, "trunc_normal") == 0) {
        cr_assert_eq(fscanf(fp, "%" SCNx32 " %" SCNx32, &c->lo, &c->hi), 2,
                     "case %zu: trunc_normal without its bounds", k);
    } else if (strcmp(c->law, "mixture") == 0) {
        cr_assert_eq(fscanf(fp, "%d", &c->k), 1,
                     "case %zu: mixture without k", k);
        cr_assert(c->k >= 1 && c->k <= GI_MAX_COMPONENTS,
                  "case %zu: bad k %d", k, c->k);
        for (int j = 0; j < c->k; j++) {
            char name[16];
            uint32_t p, a, b;
            cr_assert_eq(fscanf(fp, "%15s %" SCNx32 " %" SCNx32 " %" SCNx32,
                                name, &p, &a, &b), 4,
                         "case %zu: component %d malformed", k, j);
            gi_component *cp = &c->comps[j];
            if (strcmp(name, "uniform") == 0)
                cp->law = GI_COMPONENT_UNIFORM;
            else if (strcmp(name, "normal") == 0)
                cp->law = GI_COMPONENT_NORMAL;
            else if (strcmp(name, "constant") == 0)
                cp->law = GI_COMPONENT_CONSTANT;
            else
                cr_assert_fail("case %zu: unknown component law '%s'", k, name);
            cp->prob = bits_to_float(p);
            cp->a = bits_to_float(a);
            cp->b = bits_to_float(b);
        }
    }
    c->want = malloc((size_t)c->n * sizeof *c->want);
    cr_assert_not_null(c->want, "out of memory");
    for (int64_t i = 0; i < c->n; i++)
        cr_assert_eq(fscanf(fp, "%" SCNx32, &c->want[i]), 1,
                     "case %zu: value %" PRId64 " missing", k, i);
}

static void golden_read(const char *path, golden_file *g)
{
    FILE *fp = fopen(path, "r");
    cr_assert_not_null(fp, "cannot open %s", path);
    memset(g, 0, sizeof *g);
    g->declared = -1;
    char tok[16];
    while (fscanf(fp, "%15s", tok) == 1) {
        if (tok[0] == '#') {
            if (fscanf(fp, "%*[^\n]") < 0)
                break;
        } else if (strcmp(tok, "case") == 0) {
            read_case(fp, g);
        } else if (strcmp(tok, "cases") == 0) {
            cr_assert_eq(fscanf(fp, "%ld", &g->declared), 1, "bad 'cases'");
        } else {
            cr_assert_fail("%s: unexpected token '%s'", path, tok);
        }
    }
    fclose(fp);
}

/* Fills a fresh tensor as case c says; returns the values in *out (owned by
 * the caller) and the generator's offset afterwards. */
static uint64_t run_case(const golden_case *c, size_t k, uint32_t **out)
{
    gi_context ctx = NULL;
    gi_tensor t = NULL;
    gi_generator gen = NULL;
    cr_assert_eq(gi_context_create(&ctx, GI_DEVICE_CPU), GI_OK, "%s",
                 gi_last_error());
    int sparse = strcmp(c->law, "sparse") == 0;
    const int64_t shape[2] = {c->rows, c->cols};
    cr_assert_eq(sparse ? gi_tensor_create(&t, ctx, GI_F32, 2, shape)
                        : gi_tensor_create(&t, ctx, GI_F32, 1, &c->n),
                 GI_OK, "%s", gi_last_error());
    cr_assert_eq(gi_generator_create(&gen, c->seed), GI_OK);
    cr_assert_eq(gi_generator_set_stream(gen, c->stream), GI_OK);
    cr_assert_eq(gi_generator_set_offset(gen, c->offset), GI_OK);
    float a = bits_to_float(c->a), b = bits_to_float(c->b);
    gi_status st = GI_ERR_INTERNAL;
    if (strcmp(c->law, "uniform") == 0)
        st = gi_uniform_(t, a, b, gen);
    else if (strcmp(c->law, "normal") == 0)
        st = gi_normal_(t, a, b, gen);
    else if (strcmp(c->law, "trunc_normal") == 0)
        st = gi_trunc_normal_(t, a, b, bits_to_float(c->lo),
                              bits_to_float(c->hi), gen);
    else if (sparse)
        st = gi_sparse_(t, a, b, gen);
    else if (strcmp(c->law, "mixture") == 0)
        st = gi_mixture_(t, c->k, c->comps, gen);
    else
        cr_assert_fail("case %zu: unknown law '%s'", k, c->law);
    cr_assert_eq(st, GI_OK, "case %zu: %s", k, gi_last_error());
    size_t nbytes = (size_t)c->n * sizeof(float);
    float *host = malloc(nbytes);
    *out = malloc(nbytes);
    cr_assert(host && *out, "out of memory");
    cr_assert_eq(gi_tensor_copy_to_host(t, host, nbytes), GI_OK);
    for (int64_t i = 0; i < c->n; i++)
        (*out)[i] = float_to_bits(host[i]);
    free(host);
    uint64_t after = gi_generator_offset(gen);
    gi_generator_destroy(gen);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
    return after;
}

/* Compares one case; reports the first few mismatches and the total. */
static void check_case(const golden_case *c, size_t k)
{
    uint32_t *got = NULL;
    uint64_t after = run_case(c, k, &got);
    int64_t bad = 0;
    for (int64_t i = 0; i < c->n; i++) {
        if (got[i] == c->want[i])
            continue;
        if (bad++ < 5)
            cr_log_error("case %zu (%s seed=%" PRIu64 " stream=%" PRIu64
                         " offset=%" PRIu64 " n=%" PRId64
                         "): element %" PRId64 ": got %08" PRIx32 " (%.9g),"
                         " want %08" PRIx32 " (%.9g)",
                         k, c->law, c->seed, c->stream, c->offset, c->n, i,
                         got[i], (double)bits_to_float(got[i]), c->want[i],
                         (double)bits_to_float(c->want[i]));
    }
    cr_expect_eq(bad, 0, "case %zu (%s): %" PRId64 " of %" PRId64
                 " elements differ", k, c->law, bad, c->n);
    cr_expect_eq(after, c->offset_after,
                 "case %zu (%s): offset after is %" PRIu64 ", want %" PRIu64,
                 k, c->law, after, c->offset_after);
    free(got);
}

Test(golden, rng_stream_matches_reference)
{
    golden_file g;
    golden_read(GOLDEN_FILE, &g);
    cr_assert_geq(g.count, MIN_CASES, "%s has %zu cases, want >= %d",
                  GOLDEN_FILE, g.count, MIN_CASES);
    cr_assert_eq((long)g.count, g.declared,
                 "%s: read %zu cases, the file says %ld (truncated?)",
                 GOLDEN_FILE, g.count, g.declared);
    for (size_t k = 0; k < g.count; k++)
        check_case(&g.cases[k], k + 1);
    golden_free(&g);
}
