/* gi_orthogonal_'s QR on the GPU with cuSOLVER (Sgeqrf + Sorgqr), plus the
 * small kernels of kernels/orthogonal.cu. The layout reasoning is in
 * orthogonal.h. */
#include <limits.h>

#include <cuda_runtime_api.h>
#if defined(__GNUC__)
/* cusolverDn.h declares a function with () when included as a user header. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#endif
#include <cusolverDn.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include "alloc.h"
#include "../kernels/orthogonal_kernels.h"
#include "internal.h"
#include "orthogonal.h"

static gi_status cuda_fail(cudaError_t err, const char *fn, const char *what)
{
    gi_status st = err == cudaErrorMemoryAllocation ? GI_ERR_OUT_OF_MEMORY
                                                    : GI_ERR_CUDA;
    return gi_fail(st, fn, "%s failed: %s (%s)", what, cudaGetErrorString(err),
                   cudaGetErrorName(err));
}

/* cuSOLVER has no status-to-string function. */
static const char *cusolver_name(cusolverStatus_t s)
{
    switch (s) {
#define GI_CUSOLVER_NAME_(x) case x: return #x;
    GI_CUSOLVER_NAME_(CUSOLVER_STATUS_SUCCESS)
    GI_CUSOLVER_NAME_(CUSOLVER_STATUS_NOT_INITIALIZED)
    GI_CUSOLVER_NAME_(CUSOLVER_STATUS_ALLOC_FAILED)
    GI_CUSOLVER_NAME_(CUSOLVER_STATUS_INVALID_VALUE)
    GI_CUSOLVER_NAME_(CUSOLVER_STATUS_ARCH_MISMATCH)
    GI_CUSOLVER_NAME_(CUSOLVER_STATUS_MAPPING_ERROR)
    GI_CUSOLVER_NAME_(CUSOLVER_STATUS_EXECUTION_FAILED)
    GI_CUSOLVER_NAME_(CUSOLVER_STATUS_INTERNAL_ERROR)
    GI_CUSOLVER_NAME_(CUSOLVER_STATUS_MATRIX_TYPE_NOT_SUPPORTED)
    GI_CUSOLVER_NAME_(CUSOLVER_STATUS_NOT_SUPPORTED)
    GI_CUSOLVER_NAME_(CUSOLVER_STATUS_INVALID_WORKSPACE)
#undef GI_CUSOLVER_NAME_
    default: return "CUSOLVER_STATUS_(other)";
    }
}

static gi_status cusolver_fail(cusolverStatus_t err, const char *fn,
                               const char *what)
{
    gi_status st = err == CUSOLVER_STATUS_ALLOC_FAILED ? GI_ERR_OUT_OF_MEMORY
                                                       : GI_ERR_CUSOLVER;
    return gi_fail(st, fn, "%s failed: %s (%d)", what, cusolver_name(err),
                   (int)err);
}

/* These set st and jump to the cleanup instead of returning. */
#define QR_CUDA_TRY(call)                                                     \
    do {                                                                      \
        cudaError_t err_ = (call);                                            \
        if (err_ != cudaSuccess) {                                            \
            st = cuda_fail(err_, fn, #call);                                  \
            goto done;                                                        \
        }                                                                     \
    } while (0)

#define QR_CUSOLVER_TRY(call)                                                 \
    do {                                                                      \
        cusolverStatus_t err_ = (call);                                       \
        if (err_ != CUSOLVER_STATUS_SUCCESS) {                                \
            st = cusolver_fail(err_, fn, #call);                              \
            goto done;                                                        \
        }                                                                     \
    } while (0)

void gi_cuda_solver_destroy(void *solver)
{
    if (solver != NULL)
        cusolverDnDestroy((cusolverDnHandle_t)solver);
}

/* The cached handle, created at the first call, bound to `stream`. */
static gi_status solver_handle(void **solver, cudaStream_t stream,
                               cusolverDnHandle_t *out, const char *fn)
{
    cusolverStatus_t err;
    if (*solver == NULL) {
        cusolverDnHandle_t h;
        err = cusolverDnCreate(&h);
        if (err != CUSOLVER_STATUS_SUCCESS)
            return cusolver_fail(err, fn, "cusolverDnCreate");
        *solver = h;
    }
    err = cusolverDnSetStream((cusolverDnHandle_t)*solver, stream);
    if (err != CUSOLVER_STATUS_SUCCESS)
        return cusolver_fail(err, fn, "cusolverDnSetStream");
    *out = (cusolverDnHandle_t)*solver;
    return GI_OK;
}

gi_status gi_cuda_orthogonalize(void **solver, cudaStream_t stream,
                                int max_blocks, float *data, int64_t rows,
                                int64_t cols, float gain, const char *fn)
{
    const int transpose = rows >= cols; /* see orthogonal.h */
    const int64_t m = transpose ? rows : cols, n = transpose ? cols : rows;
    if (m > INT_MAX)
        return gi_fail(GI_ERR_OVERFLOW, fn,
                       "a %lld x %lld QR exceeds cuSOLVER's 32-bit sizes",
                       (long long)m, (long long)n);
    const int im = (int)m, in = (int)n;
    cusolverDnHandle_t h = NULL;
    gi_status st = solver_handle(solver, stream, &h, fn);
    if (st != GI_OK)
        return st;

    /* a: the column-major m x n matrix; data itself unless transposing. */
    float *a = data, *scratch = NULL, *tau = NULL, *signs = NULL;
    float *work = NULL;
    int *dev_info = NULL;
    int host_info[2] = {0, 0};
    int lwork_qr = 0, lwork_org = 0, lwork = 0;
    if (transpose) {
        QR_CUDA_TRY(gi_cuda_malloc_async((void **)&scratch,
                                    (size_t)(m * n) * sizeof *scratch,
                                    stream));
        a = scratch;
        QR_CUDA_TRY(gi_launch_orth_to_col_major(stream, max_blocks, a, data,
                                                m, n));
    }
    QR_CUDA_TRY(gi_cuda_malloc_async((void **)&tau, (size_t)n * sizeof *tau,
                                stream));
    QR_CUDA_TRY(gi_cuda_malloc_async((void **)&signs, (size_t)n * sizeof *signs,
                                stream));
    QR_CUDA_TRY(gi_cuda_malloc_async((void **)&dev_info, 2 * sizeof *dev_info,
                                stream));
    QR_CUSOLVER_TRY(cusolverDnSgeqrf_bufferSize(h, im, in, a, im, &lwork_qr));
    QR_CUSOLVER_TRY(cusolverDnSorgqr_bufferSize(h, im, in, in, a, im, tau,
                                                &lwork_org));
    lwork = lwork_qr > lwork_org ? lwork_qr : lwork_org;
    if (lwork < 1)
        lwork = 1;
    QR_CUDA_TRY(gi_cuda_malloc_async((void **)&work, (size_t)lwork * sizeof *work,
                                stream));

    QR_CUSOLVER_TRY(cusolverDnSgeqrf(h, im, in, a, im, tau, work, lwork,
                                     dev_info));
    QR_CUDA_TRY(gi_launch_orth_diag_signs(stream, max_blocks, signs, a, m, n));
    QR_CUSOLVER_TRY(cusolverDnSorgqr(h, im, in, in, a, im, tau, work, lwork,
                                     dev_info + 1));
    QR_CUDA_TRY(gi_launch_orth_finish(stream, max_blocks, data, a, m, n,
                                      signs, gain, transpose));
    QR_CUDA_TRY(cudaMemcpyAsync(host_info, dev_info, sizeof host_info,
                                cudaMemcpyDeviceToHost, stream));
    QR_CUDA_TRY(cudaStreamSynchronize(stream));
    if (host_info[0] != 0 || host_info[1] != 0)
        st = gi_fail(GI_ERR_CUSOLVER, fn,
                     "cuSOLVER reported devInfo = %d (Sgeqrf), %d (Sorgqr) "
                     "for a %d x %d QR (-i: argument i was illegal)",
                     host_info[0], host_info[1], im, in);
done:
    /* Stream-ordered: each block is reused only after the queued work. */
    if (work != NULL)
        cudaFreeAsync(work, stream);
    if (dev_info != NULL)
        cudaFreeAsync(dev_info, stream);
    if (signs != NULL)
        cudaFreeAsync(signs, stream);
    if (tau != NULL)
        cudaFreeAsync(tau, stream);
    if (scratch != NULL)
        cudaFreeAsync(scratch, stream);
    return st;
}
