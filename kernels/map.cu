/* Elementwise in-place maps (fill, add, mul, clamp, masks), with or
 * without a second tensor. */
#include "kernels.h"
#include "launch.cuh"

__global__ void gi_map_kernel(float *data, int64_t n, gi_map op)
{
    int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += stride)
        data[i] = gi_map_apply(&op, data[i]);
}

extern "C" cudaError_t gi_launch_map(cudaStream_t stream, int sms,
                                     float *data, int64_t n, gi_map op)
{
    static int occupancy;
    const unsigned grid =
        gi_grid((const void *)gi_map_kernel, &occupancy, n, sms);
    gi_map_kernel<<<grid, GI_THREADS_PER_BLOCK, 0, stream>>>(data, n, op);
    return cudaGetLastError();
}

__global__ void gi_map2_kernel(float *data, const float *other, int64_t n,
                               gi_map op)
{
    int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += stride)
        data[i] = gi_map_apply2(&op, data[i], other[i]);
}

extern "C" cudaError_t gi_launch_map2(cudaStream_t stream, int sms,
                                      float *data, const float *other,
                                      int64_t n, gi_map op)
{
    static int occupancy;
    const unsigned grid =
        gi_grid((const void *)gi_map2_kernel, &occupancy, n, sms);
    gi_map2_kernel<<<grid, GI_THREADS_PER_BLOCK, 0, stream>>>(data, other, n,
                                                              op);
    return cudaGetLastError();
}
