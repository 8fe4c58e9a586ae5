/* gi_orthogonal_'s kernels around cuSOLVER's QR: into column-major, the
 * signs of diag(R), and the sign fix times gain back into row-major. One
 * kernel each serves float32 and float64 (f64), as src/cpu/qr_cpu.c does:
 * elements go through two accessors, and the arithmetic is in double,
 * which for float32 gives the float products exactly (see the finish
 * kernel). The layout is explained in src/init/orthogonal.h. */
#include "launch.cuh"
#include "orthogonal_kernels.h"

/* Element i of a float32 (f64 == 0) or float64 matrix, as a double. */
__device__ __forceinline__ double gi_orth_get(const void *p, int64_t i,
                                              int f64)
{
    return f64 ? ((const double *)p)[i] : (double)((const float *)p)[i];
}

/* Stores v, rounded once to float32 when f64 == 0. */
__device__ __forceinline__ void gi_orth_put(void *p, int64_t i, int f64,
                                            double v)
{
    if (f64)
        ((double *)p)[i] = v;
    else
        ((float *)p)[i] = (float)v; /* to nearest even */
}

/* One thread per element of a, so the writes are coalesced. */
__global__ void gi_orth_to_col_major_kernel(void *a, const void *src,
                                            int64_t m, int64_t n, int f64)
{
    int64_t total = m * n, stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
         k < total; k += stride) {
        int64_t i = k % m, j = k / m;
        gi_orth_put(a, k, f64, gi_orth_get(src, i * n + j, f64));
    }
}

extern "C" cudaError_t gi_launch_orth_to_col_major(cudaStream_t stream,
                                                   int sms, void *a,
                                                   const void *src,
                                                   int64_t m, int64_t n,
                                                   int f64)
{
    static int occupancy;
    const unsigned grid = gi_grid((const void *)gi_orth_to_col_major_kernel,
                                  &occupancy, m * n, sms);
    gi_orth_to_col_major_kernel<<<grid, GI_THREADS_PER_BLOCK, 0, stream>>>(
        a, src, m, n, f64);
    return cudaGetLastError();
}

/* torch.sign: -1, 0 or 1; NaN gives 0, as torch.sign(nan) does. */
__global__ void gi_orth_diag_signs_kernel(double *signs, const void *a,
                                          int64_t lda, int64_t n, int f64)
{
    int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t j = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; j < n;
         j += stride) {
        double d = gi_orth_get(a, j + j * lda, f64);
        signs[j] = d > 0.0 ? 1.0 : d < 0.0 ? -1.0 : 0.0;
    }
}

extern "C" cudaError_t gi_launch_orth_diag_signs(cudaStream_t stream,
                                                 int sms, double *signs,
                                                 const void *a, int64_t lda,
                                                 int64_t n, int f64)
{
    static int occupancy;
    const unsigned grid =
        gi_grid((const void *)gi_orth_diag_signs_kernel, &occupancy, n, sms);
    gi_orth_diag_signs_kernel<<<grid, GI_THREADS_PER_BLOCK, 0, stream>>>(
        signs, a, lda, n, f64);
    return cudaGetLastError();
}

/* One thread per element of q (coalesced reads); in place when not
 * transposing, each thread reading and writing only its own element. In
 * float32, gain is a float: q * s is exact and so is the double product
 * of two floats, so the one rounding gives torch's float product. */
__global__ void gi_orth_finish_kernel(void *out, const void *q, int64_t m,
                                      int64_t n, const double *signs,
                                      double gain, int transpose, int f64)
{
    int64_t total = m * n, stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
         k < total; k += stride) {
        int64_t i = k % m, j = k / m;
        double v = __dmul_rn(__dmul_rn(gi_orth_get(q, k, f64), signs[j]),
                             gain);
        gi_orth_put(out, transpose ? i * n + j : k, f64, v);
    }
}

extern "C" cudaError_t gi_launch_orth_finish(cudaStream_t stream,
                                             int sms, void *out,
                                             const void *q, int64_t m,
                                             int64_t n, const double *signs,
                                             double gain, int transpose,
                                             int f64)
{
    static int occupancy;
    const unsigned grid =
        gi_grid((const void *)gi_orth_finish_kernel, &occupancy, m * n, sms);
    gi_orth_finish_kernel<<<grid, GI_THREADS_PER_BLOCK, 0, stream>>>(
        out, q, m, n, signs, gain, transpose, f64);
    return cudaGetLastError();
}
