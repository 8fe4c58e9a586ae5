/* The CUDA backend's host glue: device memory, one stream per context, and
 * the kernel launchers of kernels/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include "alloc.h"
#include "../kernels/kernels.h"
#include "internal.h"
#include "orthogonal.h"

/* Oldest GPU the build carries code for (sm_80). */
#define GI_CUDA_MIN_CC 80

typedef struct cuda_state {
    int ordinal;
    int max_blocks; /* grid cap: a few waves of the device's SMs */
    cudaStream_t stream;
    cublasHandle_t blas; /* created at the first Linear forward */
    void *solver;        /* cusolverDnHandle_t, at the first orthogonal_ */
} cuda_state;

/* Turns a CUDA error into a status and a message naming fn and what failed. */
static gi_status cuda_fail(cudaError_t err, const char *fn, const char *what)
{
    gi_status st = err == cudaErrorMemoryAllocation ? GI_ERR_OUT_OF_MEMORY
                                                    : GI_ERR_CUDA;
    return gi_fail(st, fn, "%s failed: %s (%s)", what, cudaGetErrorString(err),
                   cudaGetErrorName(err));
}

#define GI_CUDA_TRY(call, fn)                                                 \
    do {                                                                      \
        cudaError_t err_ = (call);                                            \
        if (err_ != cudaSuccess)                                              \
            return cuda_fail(err_, fn, #call);                                \
    } while (0)

gi_status gi_cuda_backend_probe(int *ordinal, char *info, size_t cap)
{
    int count = 0;
    cudaError_t err = cudaGetDeviceCount(&count);
    *ordinal = -1;
    if (err == cudaErrorInsufficientDriver || err == cudaErrorNoDevice ||
        (err == cudaSuccess && count == 0)) {
        snprintf(info, cap, "no CUDA %s found (%s)",
                 err == cudaErrorInsufficientDriver ? "driver" : "device",
                 cudaGetErrorString(err));
        return GI_ERR_DEVICE_UNAVAILABLE;
    }
    if (err != cudaSuccess) {
        snprintf(info, cap, "CUDA is not usable (%s)", cudaGetErrorString(err));
        return GI_ERR_DEVICE_UNAVAILABLE;
    }
    struct cudaDeviceProp prop;
    err = cudaGetDeviceProperties(&prop, 0);
    if (err != cudaSuccess) {
        snprintf(info, cap, "cannot query GPU 0 (%s)", cudaGetErrorString(err));
        return GI_ERR_DEVICE_UNAVAILABLE;
    }
    int cc = prop.major * 10 + prop.minor;
    if (cc < GI_CUDA_MIN_CC) {
        snprintf(info, cap, "%s (sm_%d) is older than sm_%d, the oldest this "
                 "build supports", prop.name, cc, GI_CUDA_MIN_CC);
        return GI_ERR_DEVICE_UNAVAILABLE;
    }
    snprintf(info, cap, "%s (sm_%d, %d SMs, device 0)", prop.name, cc,
             prop.multiProcessorCount);
    *ordinal = 0;
    return GI_OK;
}

gi_status gi_cuda_backend_create(void **state, int ordinal)
{
    static const char *const fn = "gi_context_create";
    int sms = 0;
    GI_CUDA_TRY(cudaSetDevice(ordinal), fn);
    GI_CUDA_TRY(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount,
                                       ordinal), fn);
    cuda_state *s = gi_calloc(1, sizeof *s);
    if (s == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "cannot allocate the CUDA backend state");
    /* Keep freed memory in the pool instead of returning it at each sync. */
    cudaMemPool_t pool;
    uint64_t keep = UINT64_MAX;
    if (cudaDeviceGetDefaultMemPool(&pool, ordinal) == cudaSuccess)
        cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep);
    cudaError_t err = cudaStreamCreateWithFlags(&s->stream,
                                                cudaStreamNonBlocking);
    if (err != cudaSuccess) {
        free(s);
        return cuda_fail(err, fn, "cudaStreamCreateWithFlags");
    }
    s->ordinal = ordinal;
    s->max_blocks = sms * 8;
    *state = s;
    return GI_OK;
}

static void cuda_destroy(void *state)
{
    cuda_state *s = state;
    if (s->blas != NULL)
        cublasDestroy(s->blas);
    cudaStreamSynchronize(s->stream);
    gi_cuda_solver_destroy(s->solver);
    cudaStreamDestroy(s->stream);
    free(s);
}

static void cuda_set_num_threads(void *state, int num_threads)
{
    (void)state;
    (void)num_threads; /* the GPU's parallelism is not the CPU's */
}

/* Stream-ordered allocations from the device's memory pool: a forward's
 * intermediates are reused without a cudaMalloc each time, and a release
 * waits for nothing (the pool reuses the memory after queued work). */
static gi_status cuda_alloc(void *state, size_t bytes, void **out,
                            const char *fn)
{
    cuda_state *s = state;
    *out = NULL;
    if (bytes == 0)
        return GI_OK;
    GI_CUDA_TRY(gi_cuda_malloc_async(out, bytes, s->stream), fn);
    return GI_OK;
}

static void cuda_release(void *state, void *ptr)
{
    cuda_state *s = state;
    if (ptr != NULL)
        cudaFreeAsync(ptr, s->stream);
}

static gi_status cuda_memcpy(cuda_state *s, void *dst, const void *src,
                             size_t bytes, enum cudaMemcpyKind kind,
                             const char *fn)
{
    GI_CUDA_TRY(cudaMemcpyAsync(dst, src, bytes, kind, s->stream), fn);
    GI_CUDA_TRY(cudaStreamSynchronize(s->stream), fn);
    return GI_OK;
}

static gi_status cuda_to_host(void *state, void *host, const void *src,
                              size_t bytes, const char *fn)
{
    return cuda_memcpy(state, host, src, bytes, cudaMemcpyDeviceToHost, fn);
}

static gi_status cuda_from_host(void *state, void *dst, const void *host,
                                size_t bytes, const char *fn)
{
    return cuda_memcpy(state, dst, host, bytes, cudaMemcpyHostToDevice, fn);
}

static gi_status cuda_copy(void *state, void *dst, const void *src,
                           size_t bytes, const char *fn)
{
    cuda_state *s = state;
    GI_CUDA_TRY(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice,
                                s->stream), fn);
    return GI_OK;
}

static gi_status cuda_synchronize(void *state, const char *fn)
{
    cuda_state *s = state;
    GI_CUDA_TRY(cudaStreamSynchronize(s->stream), fn);
    return GI_OK;
}

static gi_status cuda_map(void *state, float *data, int64_t n,
                          const gi_map *op, const char *fn)
{
    cuda_state *s = state;
    GI_CUDA_TRY(gi_launch_map(s->stream, s->max_blocks, data, n, *op), fn);
    return GI_OK;
}

static gi_status cuda_map2(void *state, float *data, const float *other,
                           int64_t n, const gi_map *op, const char *fn)
{
    cuda_state *s = state;
    GI_CUDA_TRY(gi_launch_map2(s->stream, s->max_blocks, data, other, n, *op),
                fn);
    return GI_OK;
}

static gi_status cuda_fill_law(void *state, float *data, int64_t n,
                               const gi_law *law, const gi_philox_pos *pos,
                               const char *fn)
{
    cuda_state *s = state;
    GI_CUDA_TRY(gi_launch_fill_law(s->stream, s->max_blocks, data, n, *law,
                                   pos->seed, pos->stream, pos->offset), fn);
    return GI_OK;
}

/* The table the batch kernel reads: first_item[0..njobs] (each job's first
 * work item, then the total), then the jobs, in one buffer so that one
 * copy uploads it. NULL when the host buffer cannot be allocated. */
static unsigned char *batch_table(const gi_fill_job *jobs, int64_t njobs,
                                  size_t *bytes, int64_t *items)
{
    size_t index_bytes = (size_t)(njobs + 1) * sizeof(int64_t);
    *bytes = index_bytes + (size_t)njobs * sizeof *jobs;
    unsigned char *table = gi_malloc(*bytes);
    if (table == NULL)
        return NULL;
    int64_t *first = (int64_t *)table;
    first[0] = 0;
    for (int64_t j = 0; j < njobs; ++j)
        first[j + 1] = first[j] + gi_job_items(&jobs[j]);
    memcpy(table + index_bytes, jobs, (size_t)njobs * sizeof *jobs);
    *items = first[njobs];
    return table;
}

/* A whole tree in one launch: the table goes to stream-ordered pool memory
 * (one copy), the kernel reads it, and the memory returns to the pool
 * after the kernel. The host buffer may be freed once the copy call
 * returns: a copy from pageable memory has been staged by then. */
static gi_status cuda_fill_batch(void *state, const gi_fill_job *jobs,
                                 int64_t njobs, const char *fn)
{
    cuda_state *s = state;
    size_t bytes = 0;
    int64_t items = 0;
    unsigned char *table = batch_table(jobs, njobs, &bytes, &items);
    if (table == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "cannot allocate the table of %lld fills",
                       (long long)njobs);
    void *dev = NULL;
    const char *what = "cudaMallocAsync";
    cudaError_t err = gi_cuda_malloc_async(&dev, bytes, s->stream);
    if (err == cudaSuccess) {
        what = "cudaMemcpyAsync";
        err = cudaMemcpyAsync(dev, table, bytes, cudaMemcpyHostToDevice,
                              s->stream);
    }
    if (err == cudaSuccess) {
        what = "gi_launch_fill_batch";
        const int64_t *first = dev;
        err = gi_launch_fill_batch(s->stream, s->max_blocks,
                                   (const gi_fill_job *)(first + njobs + 1),
                                   first, njobs, items);
    }
    free(table);
    if (dev != NULL) {
        cudaError_t freed = cudaFreeAsync(dev, s->stream);
        if (err == cudaSuccess && freed != cudaSuccess) {
            what = "cudaFreeAsync";
            err = freed;
        }
    }
    return err == cudaSuccess ? GI_OK : cuda_fail(err, fn, what);
}

static gi_status cublas_fail(cublasStatus_t err, const char *fn,
                             const char *what)
{
    gi_status st = err == CUBLAS_STATUS_ALLOC_FAILED ? GI_ERR_OUT_OF_MEMORY
                                                      : GI_ERR_CUBLAS;
    return gi_fail(st, fn, "%s failed: %s (%s)", what,
                   cublasGetStatusString(err), cublasGetStatusName(err));
}

#define GI_CUBLAS_TRY(call, fn)                                               \
    do {                                                                      \
        cublasStatus_t err_ = (call);                                         \
        if (err_ != CUBLAS_STATUS_SUCCESS)                                    \
            return cublas_fail(err_, fn, #call);                              \
    } while (0)

static gi_status blas_handle(cuda_state *s, const char *fn)
{
    if (s->blas != NULL)
        return GI_OK;
    cublasHandle_t h;
    GI_CUBLAS_TRY(cublasCreate(&h), fn);
    cublasStatus_t err = cublasSetStream(h, s->stream);
    if (err != CUBLAS_STATUS_SUCCESS) {
        cublasDestroy(h);
        return cublas_fail(err, fn, "cublasSetStream");
    }
    s->blas = h;
    return GI_OK;
}

static gi_status cuda_fill_index(void *state, float *data, int64_t n,
                                 const gi_index_law *law, const char *fn)
{
    cuda_state *s = state;
    GI_CUDA_TRY(gi_launch_fill_index(s->stream, s->max_blocks, data, n, *law),
                fn);
    return GI_OK;
}

static gi_status cuda_sparse(void *state, float *data, int64_t rows,
                             int64_t cols, int64_t k, const gi_law *law,
                             const gi_philox_pos *pos, const char *fn)
{
    cuda_state *s = state;
    GI_CUDA_TRY(gi_launch_sparse(s->stream, s->max_blocks, data, rows, cols, k,
                                 *law, pos->seed, pos->stream, pos->offset),
                fn);
    return GI_OK;
}

/*
 * y = x w^T + b with row-major x (rows x in), w (out x in), y (rows x out).
 * cuBLAS is column-major, where these buffers read as x^T (in x rows),
 * w^T (in x out) and y^T (out x rows); so y^T = (w^T)^T x^T is one SGEMM
 * with op(A) = transpose of w's buffer, op(B) = x's buffer as it is:
 * m = out, n = rows, k = in, lda = ldb = in, ldc = out. The bias is
 * broadcast into y first and the GEMM accumulates onto it (beta = 1).
 * Default math mode: full FP32, no TF32, like the CPU path.
 */
static gi_status cuda_linear(void *state, const float *x, const float *w,
                             const float *b, float *y, int64_t rows,
                             int64_t in, int64_t out, int relu, const char *fn)
{
    cuda_state *s = state;
    gi_status st = blas_handle(s, fn);
    if (st != GI_OK)
        return st;
    if (b != NULL)
        GI_CUDA_TRY(gi_launch_bias_rows(s->stream, s->max_blocks, y, b, rows,
                                        out), fn);
    else if (in == 0)
        GI_CUDA_TRY(cudaMemsetAsync(y, 0, (size_t)(rows * out) * sizeof *y,
                                    s->stream), fn);
    if (in > 0) {
        const float one = 1.0f, beta = b != NULL ? 1.0f : 0.0f;
        GI_CUBLAS_TRY(cublasSgemm(s->blas, CUBLAS_OP_T, CUBLAS_OP_N, (int)out,
                                  (int)rows, (int)in, &one, w, (int)in, x,
                                  (int)in, &beta, y, (int)out), fn);
    }
    if (relu) {
        const gi_map m = {GI_MAP_RELU, 0, 0.0f, 0.0f};
        GI_CUDA_TRY(gi_launch_map(s->stream, s->max_blocks, y, rows * out, m),
                    fn);
    }
    return GI_OK;
}

static gi_status cuda_orthogonalize(void *state, float *data, int64_t rows,
                                    int64_t cols, float gain, const char *fn)
{
    cuda_state *s = state;
    return gi_cuda_orthogonalize(&s->solver, s->stream, s->max_blocks, data,
                                 rows, cols, gain, fn);
}

const struct gi_backend_ops gi_cuda_backend = {
    .name = "cuda",
    .alloc = cuda_alloc,
    .release = cuda_release,
    .to_host = cuda_to_host,
    .from_host = cuda_from_host,
    .copy = cuda_copy,
    .map = cuda_map,
    .map2 = cuda_map2,
    .fill_law = cuda_fill_law,
    .fill_batch = cuda_fill_batch,
    .fill_index = cuda_fill_index,
    .sparse = cuda_sparse,
    .linear = cuda_linear,
    .orthogonalize = cuda_orthogonalize,
    .synchronize = cuda_synchronize,
    .set_num_threads = cuda_set_num_threads,
    .destroy = cuda_destroy,
};
