/*
 * PyTorch's CPU generator (torch.manual_seed, torch.rand, torch.randn,
 * uniform_, normal_ on float32) reproduced bit for bit: the Mersenne
 * Twister MT19937 as PyTorch seeds and draws it, and the transforms of
 * PyTorch's CPU kernels. Internal: a second generator kind, apart from
 * Philox, which it never touches. docs/rng.md says what is matched.
 *
 * PyTorch builds its CPU kernels twice on x86-64, and the two round
 * differently: the AVX2 build (what AVX2 and AVX-512 machines run) fuses
 * multiply-adds; the default-capability build (ATEN_CPU_CAPABILITY=default)
 * rounds each operation and calls the C library's logf, cosf and sinf.
 * Every fill takes which of them to reproduce. The C library functions
 * (logf, cosf, sinf, log, cos, sin) are this process's libm, as they are
 * PyTorch's.
 */
#ifndef GINIT_TORCHGEN_H
#define GINIT_TORCHGEN_H

#include <stddef.h>
#include <stdint.h>

#include "ginit.h"

#define GI_TG_WORDS 624         /* MT19937's state, 32-bit words */
#define GI_TG_STATE_BYTES 5056  /* torch.get_rng_state()'s size */

/* Which build of PyTorch's CPU kernels a fill reproduces. */
typedef enum gi_tg_kernels {
    GI_TG_AVX2 = 0,   /* fused multiply-adds: the usual x86-64 case */
    GI_TG_DEFAULT = 1 /* one rounding per operation, libm's float math */
} gi_tg_kernels;

/* The whole state of one generator, as PyTorch keeps it. `left` and
 * `next` count as PyTorch counts: a draw decrements left, twists the
 * words when it reaches 0 (left = 624, next = 0 again), then returns the
 * tempered word[next++]. After seeding left = 1, so the first draw
 * twists. */
typedef struct gi_tg_state {
    uint64_t seed;                 /* torch.initial_seed(): all 64 bits */
    uint32_t word[GI_TG_WORDS];
    int32_t left;                  /* 1..624 */
    int32_t next;                  /* 0..624, next + left <= 625 */
    int32_t seeded;                /* torch's flag, 1 once seeded */
    int32_t has_normal;            /* the double path's cached value: */
    double normal;                 /* r * sin(theta), before mean, std */
    /* PyTorch's cache of its float normal_distribution, which no fill
     * here draws from: kept only so that a state read from PyTorch's
     * bytes is given back unchanged. */
    int32_t has_float_normal;
    float float_normal;
} gi_tg_state;

/* torch.manual_seed(seed): a negative int64 seed is passed as its two's
 * complement. The twister is seeded from the low 32 bits only; the cache
 * is cleared. Never fails. */
void gi_tg_seed(gi_tg_state *g, uint64_t seed);

/* One tempered 32-bit output, and (first << 32) | second: PyTorch's
 * random() and random64(). */
uint32_t gi_tg_next32(gi_tg_state *g);
uint64_t gi_tg_next64(gi_tg_state *g);

/* For the fills: up to `want` consecutive words that the next draws
 * temper, no more than are left before a twist (twisting first when none
 * are), counted as drawn. Returns how many: at least 1 when want >= 1,
 * 0 (drawing nothing) when want <= 0. */
int gi_tg_take(gi_tg_state *g, int64_t want, const uint32_t **words);

/* MT19937's tempering of one word into an output. */
static inline uint32_t gi_tg_temper(uint32_t y)
{
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    return y ^ (y >> 18);
}

/* The state as torch.get_rng_state() gives its bytes (the legacy
 * THGenerator layout, little-endian): seed u64, left i32, seeded i32,
 * next u64, the 624 words as u64, normal_x, normal_y (the cached value),
 * normal_rho as doubles, normal_is_valid i32, 4 bytes of padding, the
 * float cache f32 and its flag (one byte), 3 bytes of padding. Padding
 * and normal_x, normal_rho are written as 0, as PyTorch writes them. */
void gi_tg_state_bytes(const gi_tg_state *g,
                       unsigned char out[GI_TG_STATE_BYTES]);

/* torch.set_rng_state(bytes): GI_ERR_INVALID_ARGUMENT when size is not
 * GI_TG_STATE_BYTES, a word does not fit 32 bits, or left and next are
 * outside the ranges above (which PyTorch would read past its words
 * with); g is unchanged then. */
gi_status gi_tg_set_state_bytes(gi_tg_state *g, const unsigned char *bytes,
                                size_t size);

/* The fills' loops are compiled twice on x86-64, for the baseline and for
 * AVX2 with FMA (where fmaf() is one instruction rather than a call);
 * both give the same bits. Nonzero when the second can run. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define GI_TG_FMA_COPY 1
#define GI_TG_INLINE inline __attribute__((always_inline))
#define GI_TG_FMA_TARGET __attribute__((target("avx2,fma")))
#else
#define GI_TG_FMA_COPY 0
#define GI_TG_INLINE inline
#define GI_TG_FMA_TARGET
#endif
int gi_tg_has_fma(void);

/* `threads`: how many OpenMP threads the transforms that follow a fill's
 * serial draws may use (Box-Muller's blocks of 16, erfinv): each value
 * depends on its own draws only, so every count gives the same bits. */
#define GI_TG_PARALLEL_MIN 32768 /* values below which one thread runs */

/* uniform_(from, to) on n floats in memory order: from and to are cast
 * to float, each element takes one 32-bit draw r and becomes
 * x * (to - from) + from, x = (r & 0xFFFFFF) * 2^-24, fused (AVX2) or
 * rounded twice (default). torch.rand is (0, 1). */
void gi_tg_uniform(gi_tg_state *g, float *out, int64_t n, double from,
                   double to, gi_tg_kernels k);

/* normal_(mean, std) on a contiguous array of n floats: the 16-element
 * path when n >= 16 (n uniforms, Box-Muller on each block of 16, and
 * when 16 does not divide n, 16 more uniforms for the last 16 elements:
 * n + 16 draws), the double path below otherwise. torch.randn is
 * (0, 1). */
void gi_tg_normal(gi_tg_state *g, float *out, int64_t n, double mean,
                  double std, gi_tg_kernels k, int threads);

/* The 16-element path alone on n >= 16 elements. */
void gi_tg_normal16(gi_tg_state *g, float *out, int64_t n, float mean,
                    float std, gi_tg_kernels k, int threads);

/* The double path, which PyTorch takes for fewer than 16 elements and for
 * tensors that are not contiguous (element by element in memory order):
 * each element is float(v * std + mean), v the cached value if there is
 * one (which uses it up), else a fresh double Box-Muller pair from two
 * 64-bit draws whose sine half is cached. */
void gi_tg_normal_double(gi_tg_state *g, float *out, int64_t n,
                         double mean, double std, gi_tg_kernels k);

/* trunc_normal_(mean, std, a, b) as torch/nn/init.py computes it up to
 * PyTorch 2.11: l, u = (1 + erf(x / sqrt(2))) / 2 in double at x =
 * (a - mean) / std and (b - mean) / std; uniform_(2l - 1, 2u - 1); then on
 * each float erfinv_ (ATen's calc_erfinv), mul_(std * sqrt(2)), add_(mean)
 * and clamp_(a, b), the scalars cast to float. n draws. */
void gi_tg_trunc_normal(gi_tg_state *g, float *out, int64_t n, double mean,
                        double std, double a, double b, gi_tg_kernels k,
                        int threads);

/* trunc_normal_(mean, std, a, b) as torch/nn/init.py computes it from
 * PyTorch 2.12 on, by rejection. p = Phi(beta) - Phi(alpha) as above.
 * p > 0.3: normal_(mean, std) on all n; then, while any value is below
 * float(a) or above float(b), normal_ on n more, each such value taking
 * the new one at its index. Otherwise: uniform_(a, b) candidates x, each
 * kept unless log(uniform_()) > ((x - mean) / std)^2 * -0.5 - log_peak
 * (float operations, one rounding each; log_peak = -((mode - mean) /
 * std)^2 / 2 in double at mode = max(a, min(mean, b))), n uniforms at a
 * time; while any is pending, n new candidates then n new uniforms, the
 * pending indices taking theirs. The uniform case needs finite a, b with
 * float(b) - float(a) finite, as uniform_ does. work: the words
 * gi_tg_trunc_rejection_words(n) gives. */
int64_t gi_tg_trunc_rejection_words(int64_t n);
int gi_tg_trunc_rejection_uses_uniform(double mean, double std, double a,
                                       double b);
/* The uniform case's probability that a candidate is kept (the interval's
 * probability over that of the box under the density's peak on it): a
 * fill needs about log(n) over it rounds. Finite a < b. */
double gi_tg_trunc_rejection_rate(double mean, double std, double a,
                                  double b);
void gi_tg_trunc_rejection(gi_tg_state *g, float *out, int64_t n,
                           double mean, double std, double a, double b,
                           uint32_t *work, gi_tg_kernels k, int threads);

/* torch.randperm(n) on the CPU (n < 2^32): perm[i] = i, then for i from 0
 * to n - 2 a swap of perm[i] and perm[i + z], z = random() % (n - i): n - 1
 * 32-bit draws. */
void gi_tg_randperm(gi_tg_state *g, uint32_t *perm, int64_t n);

/* nn.init.sparse_ (1.13) on a row-major rows x cols float array:
 * normal_(0, std) on all of it, then for each column a randperm(rows),
 * the rows of its first `zeros` entries set to 0 there. perm: rows words
 * of workspace. */
void gi_tg_sparse(gi_tg_state *g, float *out, int64_t rows, int64_t cols,
                  double std, int64_t zeros, uint32_t *perm,
                  gi_tg_kernels k, int threads);

#endif
