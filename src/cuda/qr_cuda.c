/* gi_orthogonal_'s QR on the GPU with cuSOLVER (Xgeqrf, then Sorgqr for
 * float32 or Dorgqr for float64), plus the small kernels of
 * kernels/orthogonal.cu. One body serves both types: Xgeqrf takes the type
 * as data, the two orgqr calls sit behind one dispatcher each. The layout
 * reasoning is in orthogonal.h. */
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

#include "../core/alloc.h"
#include "../kernels/orthogonal_kernels.h"
#include "../core/internal.h"
#include "../init/orthogonal.h"

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

/* The element type of one QR: float32, or float64 when f64. */
typedef struct qr_type {
    int f64;
    size_t elem;
    cudaDataType cuda;
} qr_type;

static qr_type type_of(gi_dtype dtype)
{
    const int f64 = dtype == GI_F64;
    return (qr_type){f64, f64 ? sizeof(double) : sizeof(float),
                     f64 ? CUDA_R_64F : CUDA_R_32F};
}

/* Sorgqr's or Dorgqr's workspace, in elements. */
static cusolverStatus_t orgqr_size(cusolverDnHandle_t h, qr_type t, int m,
                                   int n, const void *a, const void *tau,
                                   int *lwork)
{
    return t.f64 ? cusolverDnDorgqr_bufferSize(h, m, n, n, a, m, tau, lwork)
                 : cusolverDnSorgqr_bufferSize(h, m, n, n, a, m, tau, lwork);
}

/* Q (m x n) from Xgeqrf's reflectors, over a. */
static cusolverStatus_t orgqr(cusolverDnHandle_t h, qr_type t, int m, int n,
                              void *a, const void *tau, void *work, int lwork,
                              int *info)
{
    return t.f64 ? cusolverDnDorgqr(h, m, n, n, a, m, tau, work, lwork, info)
                 : cusolverDnSorgqr(h, m, n, n, a, m, tau, work, lwork,
                                    info);
}

/* The scratch of one QR, all from the context's pool. */
typedef struct qr_scratch {
    void *a;       /* the column-major matrix when transposing, else NULL */
    void *tau;
    double *signs;
    void *work;    /* Xgeqrf's bytes, then xorgqr's elements */
    int *dev_info; /* Xgeqrf's, then xorgqr's */
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
static gi_status workspace(cusolverDnHandle_t h, qr_type t, qr_scratch *q,
                           void *a, int64_t m, int64_t n, size_t *bytes,
                           const char *fn)
{
    gi_status st = GI_OK;
    size_t dev_qr = 0, host_qr = 0;
    int lwork_org = 0;
    QR_CUSOLVER_TRY(cusolverDnXgeqrf_bufferSize(
        h, q->params, m, n, t.cuda, a, m, t.cuda, q->tau, t.cuda, &dev_qr,
        &host_qr));
    QR_CUSOLVER_TRY(orgqr_size(h, t, (int)m, (int)n, a, q->tau, &lwork_org));
    *bytes = (size_t)lwork_org * t.elem;
    if (dev_qr > *bytes)
        *bytes = dev_qr;
    if (*bytes == 0)
        *bytes = t.elem;
    if (host_qr != 0)
        st = gi_fail(GI_ERR_CUSOLVER, fn, "cusolverDnXgeqrf asks for %zu "
                     "bytes of host workspace, which ginit does not give",
                     host_qr);
done:
    return st;
}

/* The QR proper on the column-major m x n matrix a, Q (times the signs
 * and gain) into data; the scratch is the caller's to free. */
static gi_status factor(cusolverDnHandle_t h, const gi_cuda_mem *mem,
                        qr_type t, qr_scratch *q, void *data, void *a,
                        int64_t m, int64_t n, double gain, int transpose,
                        const char *fn)
{
    cudaStream_t stream = mem->stream;
    int host_info[2] = {0, 0};
    size_t bytes = 0;
    gi_status st = GI_OK;
    QR_CUDA_TRY(scratch_alloc(mem, &q->tau, (size_t)n * t.elem));
    QR_CUDA_TRY(scratch_alloc(mem, (void **)&q->signs,
                              (size_t)n * sizeof *q->signs));
    QR_CUDA_TRY(scratch_alloc(mem, (void **)&q->dev_info,
                              2 * sizeof *q->dev_info));
    st = workspace(h, t, q, a, m, n, &bytes, fn);
    if (st != GI_OK)
        goto done;
    QR_CUDA_TRY(scratch_alloc(mem, &q->work, bytes));

    QR_CUSOLVER_TRY(cusolverDnXgeqrf(h, q->params, m, n, t.cuda, a, m, t.cuda,
                                     q->tau, t.cuda, q->work, bytes, NULL, 0,
                                     q->dev_info));
    QR_CUDA_TRY(gi_launch_orth_diag_signs(stream, mem->sms, q->signs, a, m, n,
                                          t.f64));
    QR_CUSOLVER_TRY(orgqr(h, t, (int)m, (int)n, a, q->tau, q->work,
                          (int)(bytes / t.elem), q->dev_info + 1));
    QR_CUDA_TRY(gi_launch_orth_finish(stream, mem->sms, data, a, m, n,
                                      q->signs, gain, transpose, t.f64));
    QR_CUDA_TRY(cudaMemcpyAsync(host_info, q->dev_info, sizeof host_info,
                                cudaMemcpyDeviceToHost, stream));
    QR_CUDA_TRY(cudaStreamSynchronize(stream));
    if (host_info[0] != 0 || host_info[1] != 0)
        st = gi_fail(GI_ERR_CUSOLVER, fn,
                     "cuSOLVER reported devInfo = %d (Xgeqrf), %d (%sorgqr) "
                     "for a %lld x %lld QR (-i: argument i was illegal)",
                     host_info[0], host_info[1], t.f64 ? "D" : "S",
                     (long long)m, (long long)n);
done:
    return st;
}

gi_status gi_cuda_orthogonalize(void **solver, const gi_cuda_mem *mem,
                                gi_dtype dtype, void *data, int64_t rows,
                                int64_t cols, double gain, const char *fn)
{
    const qr_type t = type_of(dtype);
    const int transpose = rows >= cols; /* see orthogonal.h */
    const int64_t m = transpose ? rows : cols, n = transpose ? cols : rows;
    if (m > INT_MAX)
        return gi_fail(GI_ERR_OVERFLOW, fn,
                       "a %lld x %lld QR exceeds cuSOLVER's orgqr, whose "
                       "dimensions are 32-bit", (long long)m, (long long)n);
    if (!t.f64)
        gain = (float)gain; /* float32 scales by a float, as torch does */
    cusolverDnHandle_t h = NULL;
    gi_status st = solver_handle(solver, mem->stream, &h, fn);
    if (st != GI_OK)
        return st;

    qr_scratch q = {0};
    void *a = data; /* the column-major m x n matrix */
    QR_CUSOLVER_TRY(cusolverDnCreateParams(&q.params));
    if (transpose) {
        QR_CUDA_TRY(scratch_alloc(mem, &q.a, (size_t)(m * n) * t.elem));
        a = q.a;
        QR_CUDA_TRY(gi_launch_orth_to_col_major(mem->stream, mem->sms, a,
                                                data, m, n, t.f64));
    }
    st = factor(h, mem, t, &q, data, a, m, n, gain, transpose, fn);
done:
    /* Stream-ordered: each block is reused only after the queued work. */
    scratch_free(mem, &q);
    return st;
}
