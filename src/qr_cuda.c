/* gi_orthogonal_'s QR on the GPU with cuSOLVER (Xgeqrf + Sorgqr), plus the
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
            st = gi_cuda_fail(err_, fn, #call);                               \
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

/* The scratch of one QR, all from the context's pool. */
typedef struct qr_scratch {
    float *a;      /* the column-major matrix when transposing, else NULL */
    float *tau, *signs;
    void *work;    /* Xgeqrf's bytes, then Sorgqr's floats */
    int *dev_info; /* Xgeqrf's, then Sorgqr's */
    cusolverDnParams_t params;
} qr_scratch;

static cudaError_t scratch_alloc(const gi_cuda_mem *mem, void **p, size_t n)
{
    return gi_cuda_malloc(mem->pool, p, n, mem->stream);
}

static void scratch_free(const gi_cuda_mem *mem, qr_scratch *q)
{
    void *blocks[] = {q->work, q->dev_info, q->signs, q->tau, q->a};
    for (size_t i = 0; i < sizeof blocks / sizeof *blocks; ++i)
        if (blocks[i] != NULL && gi_cuda_free(mem->pool, blocks[i],
                                              mem->stream) != cudaSuccess)
            (void)cudaGetLastError(); /* a release has no one to report to */
    if (q->params != NULL)
        cusolverDnDestroyParams(q->params);
}

/* The workspace both calls need, in bytes. */
static gi_status workspace(cusolverDnHandle_t h, qr_scratch *q, float *a,
                           int64_t m, int64_t n, size_t *bytes,
                           const char *fn)
{
    gi_status st = GI_OK;
    size_t dev_qr = 0, host_qr = 0;
    int lwork_org = 0;
    QR_CUSOLVER_TRY(cusolverDnXgeqrf_bufferSize(
        h, q->params, m, n, CUDA_R_32F, a, m, CUDA_R_32F, q->tau, CUDA_R_32F,
        &dev_qr, &host_qr));
    QR_CUSOLVER_TRY(cusolverDnSorgqr_bufferSize(h, (int)m, (int)n, (int)n, a,
                                                (int)m, q->tau, &lwork_org));
    *bytes = (size_t)lwork_org * sizeof(float);
    if (dev_qr > *bytes)
        *bytes = dev_qr;
    if (*bytes == 0)
        *bytes = sizeof(float);
    if (host_qr != 0)
        st = gi_fail(GI_ERR_CUSOLVER, fn, "cusolverDnXgeqrf asks for %zu "
                     "bytes of host workspace, which ginit does not give",
                     host_qr);
done:
    return st;
}

gi_status gi_cuda_orthogonalize(void **solver, const gi_cuda_mem *mem,
                                float *data, int64_t rows, int64_t cols,
                                float gain, const char *fn)
{
    const int transpose = rows >= cols; /* see orthogonal.h */
    const int64_t m = transpose ? rows : cols, n = transpose ? cols : rows;
    if (m > INT_MAX)
        return gi_fail(GI_ERR_OVERFLOW, fn,
                       "a %lld x %lld QR exceeds cuSOLVER's orgqr, whose "
                       "dimensions are 32-bit", (long long)m, (long long)n);
    cudaStream_t stream = mem->stream;
    cusolverDnHandle_t h = NULL;
    gi_status st = solver_handle(solver, stream, &h, fn);
    if (st != GI_OK)
        return st;

    qr_scratch q = {0};
    float *a = data; /* the column-major m x n matrix */
    int host_info[2] = {0, 0};
    size_t bytes = 0;
    QR_CUSOLVER_TRY(cusolverDnCreateParams(&q.params));
    if (transpose) {
        QR_CUDA_TRY(scratch_alloc(mem, (void **)&q.a,
                                  (size_t)(m * n) * sizeof *q.a));
        a = q.a;
        QR_CUDA_TRY(gi_launch_orth_to_col_major(stream, mem->sms, a, data, m,
                                                n));
    }
    QR_CUDA_TRY(scratch_alloc(mem, (void **)&q.tau, (size_t)n * sizeof *q.tau));
    QR_CUDA_TRY(scratch_alloc(mem, (void **)&q.signs,
                              (size_t)n * sizeof *q.signs));
    QR_CUDA_TRY(scratch_alloc(mem, (void **)&q.dev_info,
                              2 * sizeof *q.dev_info));
    st = workspace(h, &q, a, m, n, &bytes, fn);
    if (st != GI_OK)
        goto done;
    QR_CUDA_TRY(scratch_alloc(mem, &q.work, bytes));

    QR_CUSOLVER_TRY(cusolverDnXgeqrf(h, q.params, m, n, CUDA_R_32F, a, m,
                                     CUDA_R_32F, q.tau, CUDA_R_32F, q.work,
                                     bytes, NULL, 0, q.dev_info));
    QR_CUDA_TRY(gi_launch_orth_diag_signs(stream, mem->sms, q.signs, a, m, n));
    QR_CUSOLVER_TRY(cusolverDnSorgqr(h, (int)m, (int)n, (int)n, a, (int)m,
                                     q.tau, q.work,
                                     (int)(bytes / sizeof(float)),
                                     q.dev_info + 1));
    QR_CUDA_TRY(gi_launch_orth_finish(stream, mem->sms, data, a, m, n,
                                      q.signs, gain, transpose));
    QR_CUDA_TRY(cudaMemcpyAsync(host_info, q.dev_info, sizeof host_info,
                                cudaMemcpyDeviceToHost, stream));
    QR_CUDA_TRY(cudaStreamSynchronize(stream));
    if (host_info[0] != 0 || host_info[1] != 0)
        st = gi_fail(GI_ERR_CUSOLVER, fn,
                     "cuSOLVER reported devInfo = %d (Xgeqrf), %d (Sorgqr) "
                     "for a %lld x %lld QR (-i: argument i was illegal)",
                     host_info[0], host_info[1], (long long)m, (long long)n);
done:
    /* Stream-ordered: each block is reused only after the queued work. */
    scratch_free(mem, &q);
    return st;
}
