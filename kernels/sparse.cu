/* sparse_ in one pass: one thread walks one column, writing each row's
 * normal value (from its own Philox block) or the zero the selection
 * sampling puts there; neighbouring threads write neighbouring elements of
 * each row, so the stores of a warp coalesce. */
#include "kernels.h"
#include "launch.cuh"

__global__ void gi_sparse_kernel(float *data, int64_t rows, int64_t cols,
                                 int64_t k, gi_law law, uint64_t seed,
                                 uint64_t philox_stream, uint64_t offset)
{
    int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t c = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; c < cols;
         c += stride)
        gi_sparse_fill_column(data, rows, cols, c, k, &law, seed,
                              philox_stream, offset);
}

extern "C" cudaError_t gi_launch_sparse(cudaStream_t stream, int sms,
                                        float *data, int64_t rows,
                                        int64_t cols, int64_t k, gi_law law,
                                        uint64_t seed, uint64_t philox_stream,
                                        uint64_t offset)
{
    static int occupancy;
    const unsigned grid =
        gi_grid((const void *)gi_sparse_kernel, &occupancy, cols, sms);
    gi_sparse_kernel<<<grid, GI_THREADS_PER_BLOCK, 0, stream>>>(
        data, rows, cols, k, law, seed, philox_stream, offset);
    return cudaGetLastError();
}
