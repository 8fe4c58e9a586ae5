/* The CPU's float64 random fills, with the contract of cpu_fill.h. */
#ifndef GINIT_CPU_FILL64_H
#define GINIT_CPU_FILL64_H

#include "cpu_fill.h"

/* Writes elements [first, first + count) of the fill of the float64 law
 * `law` from Philox (seed, stream) starting at block `offset`; first is a
 * multiple of the law's elements per block and count at most a chunk's
 * worth (GI_CPU_CHUNK_BLOCKS blocks). */
void gi_cpu_fill_chunk64(const gi_law *law, uint64_t seed, uint64_t stream,
                         uint64_t offset, int64_t first, int64_t count,
                         double *out);

#endif
