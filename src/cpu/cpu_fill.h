/* The CPU's random fills: Philox and the law transforms over chunks of
 * blocks, in loops the compiler vectorizes. Results equal the scalar
 * definition in laws.h bit for bit. */
#ifndef GINIT_CPU_FILL_H
#define GINIT_CPU_FILL_H

#include "../shared/laws.h"

/* Blocks per chunk: a chunk's lanes (4 KiB) stay in L1. */
#define GI_CPU_CHUNK_BLOCKS 256

/* Writes elements [first, first + count) of the fill of `law` from Philox
 * (seed, stream) starting at block `offset`; first is a multiple of the
 * law's elements per block and count at most a chunk's worth. */
void gi_cpu_fill_chunk(const gi_law *law, uint64_t seed, uint64_t stream,
                       uint64_t offset, int64_t first, int64_t count,
                       float *out);

/* The same into a 16-bit tensor of dtype dt (GI_F16 or GI_BF16): each
 * value clamped to [lo, hi] and rounded, as store.h stores a law's value
 * (gi_job_clamp, gi_half_bits), in the transform's own loop. */
void gi_cpu_fill_chunk16(const gi_law *law, uint64_t seed, uint64_t stream,
                         uint64_t offset, int64_t first, int64_t count,
                         int dt, float lo, float hi, uint16_t *out);

/* Nonzero: the fills use portable C only (Philox, the transforms, the
 * quantile without sorting by branch) even where AVX2 is there. For
 * tests, which compare both paths; set it before filling, not during. */
extern int gi_cpu_portable;

/* Whether the fills' vector paths run: gi_cpu_portable is unset and the
 * CPU has AVX2 and F16C. */
int gi_cpu_vector(void);

/* The fills' transforms are inlined into each compiled copy of a chunk
 * function (baseline, AVX2), so that each copy vectorizes them its way. */
#define GI_CPU_INLINE inline __attribute__((always_inline))

/* Where the second lanes of pairs start in a split chunk. */
#define GI_CPU_SPLIT (2 * GI_CPU_CHUNK_BLOCKS)

/* The lanes of nb (at most GI_CPU_CHUNK_BLOCKS) consecutive Philox blocks
 * from first_block, with AVX2 where gi_cpu_vector says. Interleaved as
 * Philox returns them: lanes[4 j + k] is lane k of block first_block + j;
 * or split into pairs (lanes 0, 1 and lanes 2, 3 of each block):
 * lanes[p] and lanes[GI_CPU_SPLIT + p] are the two lanes of pair
 * p = 2 j + h. */
void gi_cpu_philox_lanes(uint64_t seed, uint64_t stream, uint64_t first_block,
                         int nb, int split, uint32_t *lanes);

#endif
