/*
 * MT19937 as PyTorch's CPU generator runs it: init_genrand seeding from
 * the seed's low 32 bits, a lazy twist on the draw that finds no word
 * left, the standard tempering; and the state's bytes as
 * torch.get_rng_state() lays them out.
 */
#include <string.h>

#include "torchgen/torchgen.h"

#define SHIFT 397               /* MT19937's m */
#define MATRIX 0x9908b0dfu
#define UPPER 0x80000000u

static GI_TG_INLINE uint32_t mix(uint32_t hi, uint32_t lo)
{
    uint32_t y = (hi & UPPER) | (lo & ~UPPER);
    return (y >> 1) ^ (-(lo & 1u) & MATRIX);
}

/* Three loops rather than one with indices modulo 624, so that each has
 * a fixed distance between the words it reads and writes and GCC
 * vectorizes it: four words a step in the baseline, eight with AVX2. */
static GI_TG_INLINE void twist_words(uint32_t *w)
{
    const int n = GI_TG_WORDS, tail = GI_TG_WORDS - SHIFT;
    for (int i = 0; i < tail; ++i)
        w[i] = w[i + SHIFT] ^ mix(w[i], w[i + 1]);
    for (int i = tail; i < n - 1; ++i)
        w[i] = w[i - tail] ^ mix(w[i], w[i + 1]);
    w[n - 1] = w[SHIFT - 1] ^ mix(w[n - 1], w[0]);
}

static void twist_base(uint32_t *w)
{
    twist_words(w);
}

#if GI_TG_FMA_COPY
GI_TG_FMA_TARGET static void twist_avx2(uint32_t *w)
{
    twist_words(w);
}
#endif

/* Integer steps only: both copies give the same words. */
static void twist(uint32_t *w)
{
#if GI_TG_FMA_COPY
    if (gi_tg_has_fma()) {
        twist_avx2(w);
        return;
    }
#endif
    twist_base(w);
}

void gi_tg_seed(gi_tg_state *g, uint64_t seed)
{
    memset(g, 0, sizeof *g);
    g->seed = seed;
    g->word[0] = (uint32_t)seed;
    for (uint32_t i = 1; i < GI_TG_WORDS; ++i) {
        uint32_t prev = g->word[i - 1];
        g->word[i] = 1812433253u * (prev ^ (prev >> 30)) + i;
    }
    g->left = 1;
    g->seeded = 1;
}

int gi_tg_take(gi_tg_state *g, int64_t want, const uint32_t **words)
{
    if (want <= 0)
        return 0;
    if (g->left == 1) {
        twist(g->word);
        /* One past PyTorch's 624: the draws taken below bring it back. */
        g->left = GI_TG_WORDS + 1;
        g->next = 0;
    }
    int64_t have = g->left - 1;
    int k = (int)(want < have ? want : have);
    *words = g->word + g->next;
    g->left -= k;
    g->next += k;
    return k;
}

uint32_t gi_tg_next32(gi_tg_state *g)
{
    const uint32_t *w;
    gi_tg_take(g, 1, &w);
    return gi_tg_temper(w[0]);
}

uint64_t gi_tg_next64(gi_tg_state *g)
{
    uint64_t hi = gi_tg_next32(g);
    return hi << 32 | gi_tg_next32(g);
}

/* ---- torch.get_rng_state()'s bytes ---- */

enum {
    AT_SEED = 0, AT_LEFT = 8, AT_SEEDED = 12, AT_NEXT = 16, AT_WORDS = 24,
    AT_NORMAL_Y = AT_WORDS + 8 * GI_TG_WORDS + 8, AT_NORMAL_VALID = 5040,
    AT_FLOAT = 5048, AT_FLOAT_VALID = 5052
};

static void put(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        p[i] = (unsigned char)(v >> 8 * i);
}

static uint64_t get(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v |= (uint64_t)p[i] << 8 * i;
    return v;
}

void gi_tg_state_bytes(const gi_tg_state *g,
                       unsigned char out[GI_TG_STATE_BYTES])
{
    uint64_t normal;
    uint32_t fnormal;
    memcpy(&normal, &g->normal, sizeof normal);
    memcpy(&fnormal, &g->float_normal, sizeof fnormal);
    memset(out, 0, GI_TG_STATE_BYTES);
    put(out + AT_SEED, g->seed, 8);
    put(out + AT_LEFT, (uint32_t)g->left, 4);
    put(out + AT_SEEDED, (uint32_t)g->seeded, 4);
    put(out + AT_NEXT, (uint64_t)g->next, 8);
    for (int i = 0; i < GI_TG_WORDS; ++i)
        put(out + AT_WORDS + 8 * i, g->word[i], 8);
    if (g->has_normal) {
        put(out + AT_NORMAL_Y, normal, 8);
        put(out + AT_NORMAL_VALID, 1, 4);
    }
    if (g->has_float_normal) {
        put(out + AT_FLOAT, fnormal, 4);
        out[AT_FLOAT_VALID] = 1;
    }
}

static int counts_ok(uint64_t left, uint64_t next)
{
    return left >= 1 && left <= GI_TG_WORDS && next + left <= GI_TG_WORDS + 1;
}

gi_status gi_tg_set_state_bytes(gi_tg_state *g, const unsigned char *bytes,
                                size_t size)
{
    if (size != GI_TG_STATE_BYTES)
        return GI_ERR_INVALID_ARGUMENT;
    uint64_t left = get(bytes + AT_LEFT, 4), next = get(bytes + AT_NEXT, 8);
    if (!counts_ok(left, next))
        return GI_ERR_INVALID_ARGUMENT;
    for (int i = 0; i < GI_TG_WORDS; ++i)
        if (get(bytes + AT_WORDS + 8 * i, 8) >> 32)
            return GI_ERR_INVALID_ARGUMENT;
    for (int i = 0; i < GI_TG_WORDS; ++i)
        g->word[i] = (uint32_t)get(bytes + AT_WORDS + 8 * i, 8);
    g->seed = get(bytes + AT_SEED, 8);
    g->left = (int32_t)left;
    g->next = (int32_t)next;
    g->seeded = (int32_t)get(bytes + AT_SEEDED, 4);
    g->has_normal = get(bytes + AT_NORMAL_VALID, 4) != 0;
    uint64_t normal = g->has_normal ? get(bytes + AT_NORMAL_Y, 8) : 0;
    memcpy(&g->normal, &normal, sizeof normal);
    g->has_float_normal = bytes[AT_FLOAT_VALID] != 0;
    uint32_t fnormal = g->has_float_normal ? get(bytes + AT_FLOAT, 4) : 0;
    memcpy(&g->float_normal, &fnormal, sizeof fnormal);
    return GI_OK;
}
