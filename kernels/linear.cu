/* The Linear forward's own kernel: broadcasting the bias into the output
 * rows before the GEMM accumulates onto them (beta = 1). */
#include "kernels.h"
#include "launch.cuh"

__global__ void gi_bias_rows_kernel(float *y, const float *b, int64_t rows,
                                    int64_t out)
{
    int64_t n = rows * out;
    int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += stride)
        y[i] = b[i % out];
}

extern "C" cudaError_t gi_launch_bias_rows(cudaStream_t stream, int sms,
                                           float *y, const float *b,
                                           int64_t rows, int64_t out)
{
    static int occupancy;
    const unsigned grid =
        gi_grid((const void *)gi_bias_rows_kernel, &occupancy, rows * out, sms);
    gi_bias_rows_kernel<<<grid, GI_THREADS_PER_BLOCK, 0, stream>>>(y, b, rows,
                                                                   out);
    return cudaGetLastError();
}
