/* Random fills: Philox block -> law transform -> one 16-byte store, fused in
 * one kernel. Each thread owns whole Philox blocks, so element i's value is
 * fixed by (seed, stream, offset, i) whatever the grid shape. */
#include <curand_kernel.h>

#include "kernels.h"
#include "launch.cuh"

__global__ void gi_fill_law_kernel(float *data, int64_t n, gi_law law,
                                   uint2 key, uint64_t philox_stream,
                                   uint64_t offset)
{
    const int64_t per = GI_LAW_ELEMS_PER_BLOCK;
    const int64_t nblocks = (n + per - 1) / per;
    const bool vector_ok = ((uintptr_t)data & 15u) == 0;
    int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t b = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
         b < nblocks; b += stride) {
        uint64_t c = offset + (uint64_t)b;
        uint4 r = curand_Philox4x32_10(
            make_uint4((unsigned)c, (unsigned)(c >> 32),
                       (unsigned)philox_stream,
                       (unsigned)(philox_stream >> 32)),
            key);
        const uint32_t bits[4] = {r.x, r.y, r.z, r.w};
        float v[4];
        gi_law_block(&law, bits, v);
        int64_t first = b * per;
        if (vector_ok && first + 4 <= n) {
            *reinterpret_cast<float4 *>(data + first) =
                make_float4(v[0], v[1], v[2], v[3]);
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
    const int64_t nblocks =
        (n + GI_LAW_ELEMS_PER_BLOCK - 1) / GI_LAW_ELEMS_PER_BLOCK;
    uint2 key = make_uint2((unsigned)seed, (unsigned)(seed >> 32));
    gi_fill_law_kernel<<<gi_grid_for(nblocks, max_blocks),
                         GI_THREADS_PER_BLOCK, 0, stream>>>(
        data, n, law, key, philox_stream, offset);
    return cudaGetLastError();
}
