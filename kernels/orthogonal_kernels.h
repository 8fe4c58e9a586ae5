/* Launchers of gi_orthogonal_'s small kernels around cuSOLVER's QR
 * (src/cuda/qr_cuda.c; the layout is explained in src/init/orthogonal.h). Each
 * enqueues on `stream` and returns the launch's cudaError_t. */
#ifndef GINIT_ORTHOGONAL_KERNELS_H
#define GINIT_ORTHOGONAL_KERNELS_H

#include <cuda_runtime_api.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Elements are float32, or float64 when f64 is non-zero. */

/* a[i + j * m] = src[i * n + j] for i < m, j < n: the row-major m x n
 * matrix src copied into column-major a (lda = m). */
cudaError_t gi_launch_orth_to_col_major(cudaStream_t stream, int sms,
                                        void *a, const void *src,
                                        int64_t m, int64_t n, int f64);

/* signs[j] = sign(a[j + j * lda]) for j < n, torch's sign (sign(0) = 0):
 * the signs of R's diagonal after xGEQRF. */
cudaError_t gi_launch_orth_diag_signs(cudaStream_t stream, int sms,
                                      double *signs, const void *a,
                                      int64_t lda, int64_t n, int f64);

/* With Q the column-major m x n matrix q (lda = m):
 * out[i * n + j] = (Q(i, j) * signs[j]) * gain when transpose, else
 * out[i + j * m] = the same (out may then be q itself), rounded once to
 * float32 (gain then a float) or in float64. */
cudaError_t gi_launch_orth_finish(cudaStream_t stream, int sms,
                                  void *out, const void *q, int64_t m,
                                  int64_t n, const double *signs,
                                  double gain, int transpose, int f64);

#ifdef __cplusplus
}
#endif

#endif
