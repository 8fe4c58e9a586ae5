/* The CPU's random fills: Philox and the law transforms over chunks of
 * blocks, in loops the compiler vectorizes. Results equal the scalar
 * definition in laws.h bit for bit. */
#ifndef GINIT_CPU_FILL_H
#define GINIT_CPU_FILL_H

#include "laws.h"

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

/* Nonzero: the fills use portable C only (Philox, and the quantile without
 * sorting by branch) even where AVX2 is there. For tests, which compare
 * both paths; set it before filling, not during. */
extern int gi_cpu_portable;

#endif
