/* The Linear forward's own kernel: broadcasting the bias into the rows the
 * GEMM then accumulates onto (beta = 1): float32 rows for float32 and the
 * 16-bit types (whose GEMM sums in a float32 workspace), float64 rows for
 * float64. The bias is read through store.h, exactly. */
#include "kernels.h"
#include "launch.cuh"
#include "../src/shared/store.h"

__global__ void gi_bias_rows_kernel(void *y, int y_dtype, const void *b,
                                    int b_dtype, int64_t rows, int64_t out)
{
    int64_t n = rows * out;
    int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += stride) {
        if (y_dtype == GI_F64) /* the same for the whole grid */
            ((double *)y)[i] = gi_load_d(b, b_dtype, i % out);
        else
            ((float *)y)[i] = gi_load_f(b, b_dtype, i % out);
    }
}

extern "C" cudaError_t gi_launch_bias_rows(cudaStream_t stream, int sms,
                                           void *y, int y_dtype,
                                           const void *b, int b_dtype,
                                           int64_t rows, int64_t out)
{
    static int occupancy;
    const unsigned grid =
        gi_grid((const void *)gi_bias_rows_kernel, &occupancy, rows * out, sms);
    gi_bias_rows_kernel<<<grid, GI_THREADS_PER_BLOCK, 0, stream>>>(
        y, y_dtype, b, b_dtype, rows, out);
    return cudaGetLastError();
}
