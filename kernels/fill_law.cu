/* Random fills: Philox block -> law transform -> one 16-byte (or 8-byte)
 * store, fused in one kernel. Each thread owns whole Philox blocks, so
 * element i's value is fixed by (seed, stream, offset, i) whatever the grid
 * shape. Index fills (eye, dirac) live here too: one pass, value from i. */
#include "kernels.h"
#include "launch.cuh"

__global__ void gi_fill_law_kernel(float *data, int64_t n, gi_law law,
                                   uint64_t seed, uint64_t philox_stream,
                                   uint64_t offset)
{
    const int64_t per = gi_law_elems_per_block(&law);
    const int64_t nblocks = (n + per - 1) / per;
    const bool vector_ok = ((uintptr_t)data & (per * sizeof(float) - 1)) == 0;
    int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t b = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
         b < nblocks; b += stride) {
        uint32_t bits[4];
        gi_block(seed, philox_stream, offset + (uint64_t)b, bits);
        float v[4];
        gi_law_block(&law, bits, v);
        int64_t first = b * per;
        if (vector_ok && per == 4 && first + 4 <= n) {
            *reinterpret_cast<float4 *>(data + first) =
                make_float4(v[0], v[1], v[2], v[3]);
        } else if (vector_ok && per == 2 && first + 2 <= n) {
            *reinterpret_cast<float2 *>(data + first) = make_float2(v[0], v[1]);
        } else {
            for (int64_t k = 0; k < per && first + k < n; ++k)
                data[first + k] = v[k];
        }
    }
}

extern "C" cudaError_t gi_launch_fill_law(cudaStream_t stream, int max_blocks,
                                          float *data, int64_t n, gi_law law,
                                          uint64_t seed,
                                          uint64_t philox_stream,
                                          uint64_t offset)
{
    const int64_t per = gi_law_elems_per_block(&law);
    gi_fill_law_kernel<<<gi_grid_for((n + per - 1) / per, max_blocks),
                         GI_THREADS_PER_BLOCK, 0, stream>>>(
        data, n, law, seed, philox_stream, offset);
    return cudaGetLastError();
}

__global__ void gi_fill_index_kernel(float *data, int64_t n, gi_index_law law)
{
    int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += stride)
        data[i] = gi_index_value(&law, i);
}

extern "C" cudaError_t gi_launch_fill_index(cudaStream_t stream,
                                            int max_blocks, float *data,
                                            int64_t n, gi_index_law law)
{
    gi_fill_index_kernel<<<gi_grid_for(n, max_blocks), GI_THREADS_PER_BLOCK,
                           0, stream>>>(data, n, law);
    return cudaGetLastError();
}
