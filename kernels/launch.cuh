/* Grid shape shared by the kernels: one thread per work item up to
 * max_blocks blocks, then grid-stride loops. Results never depend on it. */
#ifndef GINIT_LAUNCH_CUH
#define GINIT_LAUNCH_CUH

#include <stdint.h>

#define GI_THREADS_PER_BLOCK 256

static inline unsigned gi_grid_for(int64_t items, int max_blocks)
{
    int64_t blocks = (items + GI_THREADS_PER_BLOCK - 1) / GI_THREADS_PER_BLOCK;
    if (blocks > max_blocks)
        blocks = max_blocks;
    return blocks > 0 ? (unsigned)blocks : 1u;
}

#endif
