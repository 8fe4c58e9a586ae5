/*
 * PyTorch's CPU generator (src/torchgen) against PyTorch itself: the
 * twister against MT19937's reference output and torch's raw draws, then
 * tests/data/torchgen_cases.txt (tests/gen_torchgen_cases.py) replayed bit
 * for bit for both builds of PyTorch's kernels: rand, randn, uniform_,
 * normal_ after manual_seed over seeds and sizes, sequences on one seed,
 * the state's bytes after each, the double path's fused or unfused last
 * step, and normal_ on every input of its log and sincos.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torchgen/torchgen.h"
#include "test_helpers.h"

#define MAX_OPS 16
#define SWEEP_BLOCKS (1 << 21)
#define CHUNK_BLOCKS 38

/* The data file's hash (its header says why one changed value always
 * shows). */
typedef struct hasher {
    uint64_t sum, i;
} hasher;

static void hash_add(hasher *h, uint32_t x)
{
    const uint64_t k =
        (h->i * UINT64_C(0x9E3779B97F4A7C15) + UINT64_C(0x632BE59BD9B4E019)) |
        1u;
    h->sum += ((uint64_t)x ^ h->i) * k;
    ++h->i;
}

static uint64_t hash_floats(const float *x, int64_t n)
{
    hasher h = {0, 0};
    for (int64_t i = 0; i < n; ++i) {
        uint32_t u;
        memcpy(&u, x + i, sizeof u);
        hash_add(&h, u);
    }
    return h.sum;
}

static uint64_t state_hash(const gi_tg_state *g)
{
    unsigned char bytes[GI_TG_STATE_BYTES];
    gi_tg_state_bytes(g, bytes);
    hasher h = {0, 0};
    for (int i = 0; i < GI_TG_STATE_BYTES; ++i)
        hash_add(&h, bytes[i]);
    return h.sum;
}

static double double_of(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static gi_tg_kernels kernels_named(const char *name)
{
    cr_assert(strcmp(name, "avx2") == 0 || strcmp(name, "default") == 0,
              "kernels %s", name);
    return name[0] == 'a' ? GI_TG_AVX2 : GI_TG_DEFAULT;
}

/* ---- the twister ---- */

Test(torchgen, mt19937_reference_output)
{
    gi_tg_state g;
    gi_tg_seed(&g, 5489);
    uint32_t x = 0;
    for (int i = 0; i < 10000; ++i)
        x = gi_tg_next32(&g);
    cr_expect_eq(x, 4123659995u, "the 10000th output is %u", x);
}

/* torch.manual_seed(0); torch.randint(0, 2**32, (3,)) takes random64() %
 * 2^32 per element: the second of each pair of draws. */
Test(torchgen, torch_raw_draws)
{
    static const uint32_t torch_randint[3] = {2546248239u, 3626093760u,
                                              3684848379u};
    gi_tg_state g;
    gi_tg_seed(&g, 0);
    for (int i = 0; i < 3; ++i)
        cr_expect_eq((uint32_t)gi_tg_next64(&g), torch_randint[i]);
}

Test(torchgen, seed_uses_low_32_bits_and_keeps_all_64)
{
    gi_tg_state a, b;
    gi_tg_seed(&a, UINT64_C(0x123456789));
    gi_tg_seed(&b, UINT64_C(0x23456789));
    cr_expect_eq(a.seed, UINT64_C(0x123456789));
    cr_expect_eq(gi_tg_next64(&a), gi_tg_next64(&b));
}

/* ---- the state's bytes ---- */

static gi_tg_state drawn_state(void)
{
    gi_tg_state g;
    float x[7];
    gi_tg_seed(&g, 77);
    gi_tg_uniform(&g, x, 7, 0.0, 1.0, GI_TG_AVX2);
    gi_tg_normal(&g, x, 1, 0.0, 1.0, GI_TG_AVX2, 1);
    return g;
}

Test(torchgen, state_bytes_round_trip)
{
    gi_tg_state g = drawn_state(), h;
    unsigned char a[GI_TG_STATE_BYTES], b[GI_TG_STATE_BYTES];
    gi_tg_state_bytes(&g, a);
    gi_tg_seed(&h, 1);
    cr_assert_eq(gi_tg_set_state_bytes(&h, a, sizeof a), GI_OK);
    gi_tg_state_bytes(&h, b);
    cr_expect_eq(memcmp(a, b, sizeof a), 0);
    cr_expect(h.has_normal && h.normal == g.normal);
    float x[20], y[20];
    gi_tg_normal(&g, x, 20, 0.0, 1.0, GI_TG_AVX2, 1);
    gi_tg_normal(&h, y, 20, 0.0, 1.0, GI_TG_AVX2, 1);
    cr_expect_eq(memcmp(x, y, sizeof x), 0);
}

static void expect_refused(unsigned char *bytes, size_t size, const char *why)
{
    gi_tg_state g = drawn_state(), before = g;
    cr_expect_eq(gi_tg_set_state_bytes(&g, bytes, size),
                 GI_ERR_INVALID_ARGUMENT, "%s", why);
    cr_expect_eq(memcmp(&g, &before, sizeof g), 0, "%s: changed", why);
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        p[i] = (unsigned char)(v >> 8 * i);
}

Test(torchgen, state_bytes_refused)
{
    gi_tg_state g = drawn_state();
    unsigned char ok[GI_TG_STATE_BYTES], bad[GI_TG_STATE_BYTES];
    gi_tg_state_bytes(&g, ok);
    expect_refused(ok, sizeof ok - 8, "5048 bytes");
    static const struct { uint32_t left, next; } counts[] = {
        {0, 0}, {625, 0}, {624, 2}, {1, 625}, {0xffffffffu, 1}};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; ++i) {
        memcpy(bad, ok, sizeof ok);
        put32(bad + 8, counts[i].left);
        put32(bad + 16, counts[i].next);
        expect_refused(bad, sizeof bad, "left, next");
    }
    memcpy(bad, ok, sizeof ok);
    bad[24 + 8 * 100 + 4] = 1;
    expect_refused(bad, sizeof bad, "a word over 32 bits");
}

/* ---- PyTorch's own results ---- */

typedef struct op {
    char name[8];
    int64_t n;
    double a, b;
    uint64_t hash;
    int k;
    uint32_t first[40];
} op;

static void run_op(gi_tg_state *g, const op *o, gi_tg_kernels k, float *out)
{
    if (o->name[0] == 'u' || strcmp(o->name, "rand") == 0)
        gi_tg_uniform(g, out, o->n, o->a, o->b, k);
    else /* on two threads: the transform's split changes no bit */
        gi_tg_normal(g, out, o->n, o->a, o->b, k, 2);
}

static char *parse_op(char *line, op *o)
{
    unsigned long long a, b, hash;
    int used;
    cr_assert_eq(sscanf(line, "%7s %" SCNd64 " %llx %llx %llx %d%n",
                        o->name, &o->n, &a, &b, &hash, &o->k, &used),
                 6, "%s", line);
    cr_assert(o->k <= 40);
    o->a = double_of(a);
    o->b = double_of(b);
    o->hash = hash;
    char *p = line + used;
    for (int i = 0; i < o->k; ++i)
        o->first[i] = (uint32_t)strtoul(p, &p, 16);
    return strtok(NULL, "\n");
}

static void check_op(gi_tg_state *g, const op *o, gi_tg_kernels k,
                     unsigned long long seed)
{
    float *out = malloc(sizeof(float) * (size_t)o->n);
    cr_assert_not_null(out);
    run_op(g, o, k, out);
    for (int i = 0; i < o->k; ++i) {
        uint32_t u;
        memcpy(&u, out + i, sizeof u);
        cr_expect_eq(u, o->first[i],
                     "seed %llu %s(%" PRId64 ") [%d]: %08x, torch %08x",
                     seed, o->name, o->n, i, u, o->first[i]);
    }
    cr_expect_eq(hash_floats(out, o->n), o->hash,
                 "seed %llu %s(%" PRId64 ")", seed, o->name, o->n);
    free(out);
}

/* A "seq" line and the lines after it; returns the line after them. */
static char *check_seq(char *line, gi_tg_kernels want, int *checked)
{
    char kname[8];
    unsigned long long seed, hash;
    int ops;
    cr_assert_eq(sscanf(line, "seq %7s %llu %d", kname, &seed, &ops), 3);
    const gi_tg_kernels k = kernels_named(kname);
    gi_tg_state g;
    gi_tg_seed(&g, seed);
    line = strtok(NULL, "\n");
    for (int i = 0; i < ops; ++i) {
        op o;
        char *next = parse_op(line, &o);
        if (k == want)
            check_op(&g, &o, k, seed);
        line = next;
    }
    cr_assert_eq(sscanf(line, "state %llx", &hash), 1, "%s", line);
    if (k == want) {
        cr_expect_eq(state_hash(&g), hash, "seed %llu: the state", seed);
        ++*checked;
    }
    return strtok(NULL, "\n");
}

static void check_cached(const char *line, gi_tg_kernels want, int *checked)
{
    char kname[8];
    unsigned long long v, mean, std;
    unsigned want_bits;
    cr_assert_eq(sscanf(line, "cached %7s %llx %llx %llx %x", kname, &v,
                        &mean, &std, &want_bits), 5);
    if (kernels_named(kname) != want)
        return;
    gi_tg_state g;
    gi_tg_seed(&g, 0);
    g.has_normal = 1;
    g.normal = double_of(v);
    float x;
    gi_tg_normal(&g, &x, 1, double_of(mean), double_of(std), want, 1);
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    cr_expect_eq(u, want_bits, "the cached value's last step: %08x", u);
    cr_expect_eq(g.has_normal, 0);
    ++*checked;
}

/* Each case of the file for one build; the sweeps are tested apart. */
static void replay(gi_tg_kernels want)
{
    char *text = read_file(GINIT_TEST_DATA_DIR "/torchgen_cases.txt");
    int cases = 0, total = -1, checked = 0;
    char *line = strtok(text, "\n");
    while (line) {
        if (strncmp(line, "seq ", 4) == 0) {
            line = check_seq(line, want, &checked);
            ++cases;
            continue;
        }
        if (strncmp(line, "cached ", 7) == 0)
            check_cached(line, want, &checked);
        cases += strncmp(line, "cached ", 7) == 0 ||
                 strncmp(line, "sweep ", 6) == 0;
        if (line[0] != '#')
            sscanf(line, "cases %d", &total);
        line = strtok(NULL, "\n");
    }
    cr_expect_eq(cases, total, "the file is cut short");
    cr_expect_gt(checked, 2000);
    free(text);
}

Test(torchgen, pytorch_avx2_kernels, .timeout = 120)
{
    replay(GI_TG_AVX2);
}

Test(torchgen, pytorch_default_kernels, .timeout = 120)
{
    replay(GI_TG_DEFAULT);
}

/* ---- normal_ on every input of log and sincos ---- */

static uint32_t untemper(uint32_t y)
{
    y ^= y >> 18;
    y ^= (y << 15) & 0xefc60000u;
    uint32_t t = y;
    for (int i = 0; i < 4; ++i)
        t = y ^ ((t << 7) & 0x9d2c5680u);
    y = t;
    for (int i = 0; i < 2; ++i)
        t = y ^ (t >> 11);
    return t;
}

/* The generator whose next draws are the sweep's blocks [b, b + count). */
static void sweep_state(gi_tg_state *g, int b, int count)
{
    gi_tg_seed(g, 0);
    for (int i = 0; i < 8 * count; ++i) {
        const uint32_t lane = (uint32_t)(8 * b + i);
        g->word[i / 8 * 16 + i % 8] = untemper(lane);
        g->word[i / 8 * 16 + 8 + i % 8] =
            untemper((uint32_t)((uint64_t)lane * 0x9E3779B1u) & 0xFFFFFFu);
    }
    g->left = GI_TG_WORDS;
    g->next = 0;
}

static uint64_t sweep_hash(double mean, double std, gi_tg_kernels k)
{
    float out[16 * CHUNK_BLOCKS];
    hasher h = {0, 0};
    for (int b = 0; b < SWEEP_BLOCKS; b += CHUNK_BLOCKS) {
        const int count = SWEEP_BLOCKS - b < CHUNK_BLOCKS ? SWEEP_BLOCKS - b
                                                          : CHUNK_BLOCKS;
        gi_tg_state g;
        sweep_state(&g, b, count);
        gi_tg_normal(&g, out, 16 * count, mean, std, k, 2);
        for (int i = 0; i < 16 * count; ++i) {
            uint32_t u;
            memcpy(&u, out + i, sizeof u);
            hash_add(&h, u);
        }
    }
    return h.sum;
}

static void sweeps(gi_tg_kernels want)
{
    char *text = read_file(GINIT_TEST_DATA_DIR "/torchgen_cases.txt");
    int seen = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char kname[8];
        unsigned long long mean, std, hash;
        if (sscanf(line, "sweep %7s %llx %llx %llx", kname, &mean, &std,
                   &hash) != 4 || kernels_named(kname) != want)
            continue;
        cr_expect_eq(sweep_hash(double_of(mean), double_of(std), want), hash,
                     "%s", line);
        ++seen;
    }
    cr_expect_eq(seen, 2);
    free(text);
}

Test(torchgen, every_log_and_sincos_input_avx2, .timeout = 120)
{
    sweeps(GI_TG_AVX2);
}

Test(torchgen, every_log_and_sincos_input_default, .timeout = 120)
{
    sweeps(GI_TG_DEFAULT);
}
