/* The CPU's float64 random fills: gi_law_block64 over a chunk's blocks,
 * bit for bit the definition in laws.h (the double transforms compute as
 * they do on the GPU: no FMA contraction). */
#include <string.h>

#include "cpu_fill64.h"

void gi_cpu_fill_chunk64(const gi_law *law, uint64_t seed, uint64_t stream,
                         uint64_t offset, int64_t first, int64_t count,
                         double *out)
{
    const gi_law l = *law;
    const int64_t per = gi_law_elems_per_block(&l);
    const uint64_t block = offset + (uint64_t)(first / per);
    const int64_t whole = count / per * per;
    for (int64_t i = 0; i < whole; i += per) {
        uint32_t x[4];
        gi_philox_block(seed, stream, block + (uint64_t)(i / per), x);
        gi_law_block64(&l, x, out + i);
    }
    /* A partial last block goes through a scratch buffer so nothing past
     * `count` is written. */
    if (whole < count) {
        uint32_t x[4];
        double tail[4];
        gi_philox_block(seed, stream, block + (uint64_t)(whole / per), x);
        gi_law_block64(&l, x, tail);
        memcpy(out + whole, tail, (size_t)(count - whole) * sizeof *out);
    }
}
