/* Grid shape shared by the kernels: one thread per work item, up to as many
 * blocks as the device holds at once at the kernel's occupancy, then
 * grid-stride loops. Results never depend on it. */
#ifndef GINIT_LAUNCH_CUH
#define GINIT_LAUNCH_CUH

#include <stdint.h>

#include <cuda_runtime_api.h>

#define GI_THREADS_PER_BLOCK 256

/* Resident blocks of `kernel` per SM, queried once per launcher (*cache;
 * every GPU the build targets gives one value per kernel), at least 1. */
static inline int gi_blocks_per_sm(const void *kernel, int *cache)
{
    int per = __atomic_load_n(cache, __ATOMIC_RELAXED);
    if (per > 0)
        return per;
    if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(
            &per, kernel, GI_THREADS_PER_BLOCK, 0) != cudaSuccess ||
        per < 1) {
        (void)cudaGetLastError(); /* a smaller grid is still correct */
        per = 1;
    }
    __atomic_store_n(cache, per, __ATOMIC_RELAXED);
    return per;
}

static inline unsigned gi_grid_for(int64_t items, int64_t max_blocks)
{
    int64_t blocks = (items + GI_THREADS_PER_BLOCK - 1) / GI_THREADS_PER_BLOCK;
    if (blocks > max_blocks)
        blocks = max_blocks;
    return blocks > 0 ? (unsigned)blocks : 1u;
}

/* The grid for `items` work items of `kernel` on a device of `sms` SMs;
 * cache is the launcher's own (static) occupancy cache. */
static inline unsigned gi_grid(const void *kernel, int *cache, int64_t items,
                               int sms)
{
    return gi_grid_for(items, (int64_t)sms * gi_blocks_per_sm(kernel, cache));
}

#endif
