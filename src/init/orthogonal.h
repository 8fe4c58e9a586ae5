/*
 * The QR step of gi_orthogonal_ (torch.nn.init.orthogonal_), one function
 * per device. gi_orthogonal_ (orthogonal.c) draws the normal matrix into a
 * workspace and calls the backend's `orthogonalize` member, which forwards
 * here.
 *
 * Layout, stated once for both devices. ginit stores the rows x cols matrix
 * row-major; LAPACK and cuSOLVER are column-major, where the same buffer
 * reads as its transpose (cols x rows, leading dimension cols). torch
 * factors A = flat (rows >= cols) or A = flat^T (rows < cols), an m x n
 * matrix with m = max(rows, cols) >= n = min(rows, cols), and returns
 * Q = QR(A).Q with column j times sign(R_jj), transposed back when
 * rows < cols. Hence:
 *
 *  - rows < cols: the buffer, read column-major, already is A = flat^T
 *    (m = cols, n = rows, lda = cols). The QR runs in place, and the
 *    column-major m x n Q, read back row-major, is exactly Q^T (rows x
 *    cols): the result needs no transposition, only the scaling.
 *  - rows >= cols: A = flat is the buffer's transpose, so it is first
 *    copied transposed into a column-major m x n scratch matrix (lda = m);
 *    after the QR, Q(i, j) goes back to data[i * cols + j].
 *
 * The sign of R_jj is read from the diagonal that xGEQRF leaves in A,
 * before xORGQR overwrites A with Q. torch's sign(0) is 0, so a zero R_jj
 * zeroes column j (it never happens with normal data). Each element is
 * then (q * s_j) * gain in the matrix's type (float32 or float64), as
 * torch computes q *= sign; t *= gain. The 16-bit types never get here:
 * gi_orthogonal_ computes them in float32 and rounds once, at the copy.
 */
#ifndef GINIT_ORTHOGONAL_H
#define GINIT_ORTHOGONAL_H

#include <stdint.h>

#include "ginit.h"

/* In place on a row-major rows x cols host matrix of N(0,1) values of
 * dtype GI_F32 or GI_F64: it becomes the orthogonal factor as above, times
 * gain (rounded to float for GI_F32). Uses LAPACKE (sgeqrf and sorgqr, or
 * dgeqrf and dorgqr). rows, cols >= 1. Errors name fn: GI_ERR_OVERFLOW (a
 * size beyond LAPACK's int), GI_ERR_OUT_OF_MEMORY, GI_ERR_LAPACK; data is
 * unspecified after a failure (the caller works on a scratch copy). */
gi_status gi_cpu_orthogonalize(gi_dtype dtype, void *data, int64_t rows,
                               int64_t cols, double gain, const char *fn);

#ifdef GINIT_HAVE_CUDA
#include "../core/alloc.h"

/* The same on device memory, with cuSOLVER (the 64-bit cusolverDnXgeqrf,
 * then cusolverDnSorgqr or cusolverDnDorgqr, which have no 64-bit form:
 * each dimension must fit in an int, their product need not) on mem's
 * stream, its scratch memory
 * from mem's pool. *solver is a cusolverDnHandle_t created
 * at the first call and cached by the caller (a void * so that C files
 * without cuSOLVER's headers can hold it; NULL at first; released with
 * gi_cuda_solver_destroy). The sign fix, the transpositions and the gain
 * are small kernels (kernels/orthogonal.cu). Waits for the stream before
 * returning, to read cuSOLVER's devInfo. Errors: GI_ERR_OVERFLOW,
 * GI_ERR_OUT_OF_MEMORY, GI_ERR_CUDA, GI_ERR_CUSOLVER. */
gi_status gi_cuda_orthogonalize(void **solver, const gi_cuda_mem *mem,
                                gi_dtype dtype, void *data, int64_t rows,
                                int64_t cols, double gain, const char *fn);
#endif

/* Releases a handle made by gi_cuda_orthogonalize; NULL is fine. Defined
 * only in CUDA builds (src/cuda/qr_cuda.c). */
void gi_cuda_solver_destroy(void *solver);

#endif
