/* gi_orthogonal_'s kernels around cuSOLVER's QR: into column-major, the
 * signs of diag(R), and the sign fix times gain back into row-major. The
 * layout is explained in src/orthogonal.h. */
#include "launch.cuh"
#include "orthogonal_kernels.h"

/* torch.sign: -1, 0 or 1; NaN gives 0, as torch.sign(nan) does. */
__device__ __forceinline__ float gi_orth_sign(float d)
{
    return d > 0.0f ? 1.0f : d < 0.0f ? -1.0f : 0.0f;
}

/* One thread per element of a, so the writes are coalesced. */
__global__ void gi_orth_to_col_major_kernel(float *a, const float *src,
                                            int64_t m, int64_t n)
{
    int64_t total = m * n, stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
         k < total; k += stride) {
        int64_t i = k % m, j = k / m;
        a[k] = src[i * n + j];
    }
}

extern "C" cudaError_t gi_launch_orth_to_col_major(cudaStream_t stream,
                                                   int sms, float *a,
                                                   const float *src,
                                                   int64_t m, int64_t n)
{
    static int occupancy;
    const unsigned grid = gi_grid((const void *)gi_orth_to_col_major_kernel,
                                  &occupancy, m * n, sms);
    gi_orth_to_col_major_kernel<<<grid, GI_THREADS_PER_BLOCK, 0, stream>>>(
        a, src, m, n);
    return cudaGetLastError();
}

__global__ void gi_orth_diag_signs_kernel(float *signs, const float *a,
                                          int64_t lda, int64_t n)
{
    int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t j = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; j < n;
         j += stride)
        signs[j] = gi_orth_sign(a[j + j * lda]);
}

extern "C" cudaError_t gi_launch_orth_diag_signs(cudaStream_t stream,
                                                 int sms, float *signs,
                                                 const float *a, int64_t lda,
                                                 int64_t n)
{
    static int occupancy;
    const unsigned grid =
        gi_grid((const void *)gi_orth_diag_signs_kernel, &occupancy, n, sms);
    gi_orth_diag_signs_kernel<<<grid, GI_THREADS_PER_BLOCK, 0, stream>>>(
        signs, a, lda, n);
    return cudaGetLastError();
}

/* One thread per element of q (coalesced reads); in place when not
 * transposing, each thread reading and writing only its own element. */
__global__ void gi_orth_finish_kernel(float *out, const float *q, int64_t m,
                                      int64_t n, const float *signs,
                                      float gain, int transpose)
{
    int64_t total = m * n, stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
         k < total; k += stride) {
        int64_t i = k % m, j = k / m;
        float v = __fmul_rn(q[k], signs[j]);
        v = __fmul_rn(v, gain);
        out[transpose ? i * n + j : k] = v;
    }
}

extern "C" cudaError_t gi_launch_orth_finish(cudaStream_t stream,
                                             int sms, float *out,
                                             const float *q, int64_t m,
                                             int64_t n, const float *signs,
                                             float gain, int transpose)
{
    static int occupancy;
    const unsigned grid =
        gi_grid((const void *)gi_orth_finish_kernel, &occupancy, m * n, sms);
    gi_orth_finish_kernel<<<grid, GI_THREADS_PER_BLOCK, 0, stream>>>(
        out, q, m, n, signs, gain, transpose);
    return cudaGetLastError();
}
