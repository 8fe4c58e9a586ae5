/* The CUDA backend's host glue: device memory, one stream per context (its
 * own or the caller's), and the kernel launchers of kernels/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include "../core/alloc.h"
#include "../kernels/kernels.h"
#include "../core/internal.h"
#include "../init/orthogonal.h"

/* Oldest GPU the build carries code for: the lowest of
 * CMAKE_CUDA_ARCHITECTURES, passed by the build. */
#ifndef GI_CUDA_MIN_CC
#define GI_CUDA_MIN_CC 80
#endif

typedef struct cuda_state {
    int ordinal;
    int sms;             /* grids are sized from this and each occupancy */
    cudaStream_t stream; /* every call of the context goes to it */
    int own_stream;      /* created here: destroyed with the context */
    cudaMemPool_t pool;  /* ginit's own pool; NULL: plain cudaMalloc */
    cublasHandle_t blas; /* created at the first Linear forward */
    void *solver;        /* cusolverDnHandle_t, at the first orthogonal_ */
} cuda_state;

gi_status gi_cuda_fail(cudaError_t err, const char *fn, const char *what)
{
    (void)cudaGetLastError();
    gi_status st = err == cudaErrorMemoryAllocation ? GI_ERR_OUT_OF_MEMORY
                                                    : GI_ERR_CUDA;
    return gi_fail(st, fn, "%s failed: %s (%s)", what, cudaGetErrorString(err),
                   cudaGetErrorName(err));
}

#define GI_CUDA_TRY(call, fn)                                                 \
    do {                                                                      \
        cudaError_t err_ = (call);                                            \
        if (err_ != cudaSuccess)                                              \
            return gi_cuda_fail(err_, fn, #call);                             \
    } while (0)

/* Every entry runs on the context's device and gives the caller's current
 * device back: a program that switched devices still gets its work on the
 * context's own. */
static gi_status device_enter(const cuda_state *s, int *prev, const char *fn)
{
    GI_CUDA_TRY(cudaGetDevice(prev), fn);
    if (*prev != s->ordinal)
        GI_CUDA_TRY(cudaSetDevice(s->ordinal), fn);
    return GI_OK;
}

static gi_status device_leave(const cuda_state *s, int prev, gi_status st)
{
    if (prev != s->ordinal && cudaSetDevice(prev) != cudaSuccess)
        (void)cudaGetLastError(); /* prev was valid a moment ago */
    return st;
}

/* A launcher's or a single call's error, converted, after device_leave. */
static gi_status leave_with(const cuda_state *s, int prev, cudaError_t err,
                            const char *fn, const char *what)
{
    gi_status st = err == cudaSuccess ? GI_OK : gi_cuda_fail(err, fn, what);
    return device_leave(s, prev, st);
}

#define GI_ENTER(s, prev, fn)                                                 \
    do {                                                                      \
        gi_status st_ = device_enter(s, &prev, fn);                           \
        if (st_ != GI_OK)                                                     \
            return st_;                                                       \
    } while (0)

gi_status gi_cuda_backend_probe(int ordinal, char *info, size_t cap)
{
    int count = 0;
    cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess)
        (void)cudaGetLastError();
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
    if (ordinal >= count) {
        snprintf(info, cap, "there is no GPU %d (%d found)", ordinal, count);
        return GI_ERR_DEVICE_UNAVAILABLE;
    }
    struct cudaDeviceProp prop;
    err = cudaGetDeviceProperties(&prop, ordinal);
    if (err != cudaSuccess) {
        (void)cudaGetLastError();
        snprintf(info, cap, "cannot query GPU %d (%s)", ordinal,
                 cudaGetErrorString(err));
        return GI_ERR_DEVICE_UNAVAILABLE;
    }
    int cc = prop.major * 10 + prop.minor;
    if (cc < GI_CUDA_MIN_CC) {
        snprintf(info, cap, "%s (sm_%d) is older than sm_%d, the oldest this "
                 "build supports", prop.name, cc, GI_CUDA_MIN_CC);
        return GI_ERR_DEVICE_UNAVAILABLE;
    }
    snprintf(info, cap, "%s (sm_%d, %d SMs, device %d%s)", prop.name, cc,
             prop.multiProcessorCount, ordinal,
             prop.memoryPoolsSupported ? "" : ", no memory pools");
    return GI_OK;
}

/* ginit's own stream-ordered pool on the device, keeping freed memory for
 * reuse instead of returning it at each synchronization; the device's
 * default pool, which the application may tune, is left alone. *pool stays
 * NULL where the device has no pools: allocations then use cudaMalloc. */
static gi_status create_pool(int ordinal, cudaMemPool_t *pool, const char *fn)
{
    int supported = 0;
    *pool = NULL;
    GI_CUDA_TRY(cudaDeviceGetAttribute(&supported,
                                       cudaDevAttrMemoryPoolsSupported,
                                       ordinal), fn);
    if (!supported)
        return GI_OK;
    struct cudaMemPoolProps props;
    memset(&props, 0, sizeof props);
    props.allocType = cudaMemAllocationTypePinned;
    props.location.type = cudaMemLocationTypeDevice;
    props.location.id = ordinal;
    GI_CUDA_TRY(cudaMemPoolCreate(pool, &props), fn);
    uint64_t keep = UINT64_MAX;
    cudaError_t err = cudaMemPoolSetAttribute(
        *pool, cudaMemPoolAttrReleaseThreshold, &keep);
    if (err != cudaSuccess) {
        cudaMemPoolDestroy(*pool);
        *pool = NULL;
        return gi_cuda_fail(err, fn, "cudaMemPoolSetAttribute");
    }
    return GI_OK;
}

/* The caller's stream must be one of the context's GPU: work queued on a
 * stream of another device would fail at its first launch. The default
 * streams (NULL, cudaStreamLegacy, cudaStreamPerThread) belong to the
 * current device, which device_enter made the context's. */
static gi_status check_stream(cudaStream_t stream, int ordinal, const char *fn)
{
    if (stream == NULL || stream == cudaStreamLegacy ||
        stream == cudaStreamPerThread)
        return GI_OK;
    int dev = -1;
    cudaError_t err = cudaStreamGetDevice(stream, &dev);
    if (err != cudaSuccess) {
        (void)cudaGetLastError();
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'stream' = %p is not a usable CUDA stream: "
                       "%s", (void *)stream, cudaGetErrorString(err));
    }
    if (dev != ordinal)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'stream' = %p belongs to GPU %d, not to "
                       "GPU %d (argument 'ordinal')", (void *)stream, dev,
                       ordinal);
    return GI_OK;
}

static gi_status open_stream(cuda_state *s, const gi_cuda_stream *caller,
                             const char *fn)
{
    if (caller != NULL) {
        s->stream = (cudaStream_t)caller->stream;
        return check_stream(s->stream, s->ordinal, fn);
    }
    GI_CUDA_TRY(cudaStreamCreateWithFlags(&s->stream, cudaStreamNonBlocking),
                fn);
    s->own_stream = 1;
    return GI_OK;
}

static gi_status open_state(cuda_state *s, const gi_cuda_stream *caller,
                            const char *fn)
{
    GI_CUDA_TRY(cudaDeviceGetAttribute(&s->sms, cudaDevAttrMultiProcessorCount,
                                       s->ordinal), fn);
    gi_status st = open_stream(s, caller, fn);
    if (st == GI_OK)
        st = create_pool(s->ordinal, &s->pool, fn);
    if (st != GI_OK && s->own_stream)
        cudaStreamDestroy(s->stream);
    return st;
}

gi_status gi_cuda_backend_create(void **state, int ordinal,
                                 const gi_cuda_stream *stream, const char *fn)
{
    cuda_state *s = gi_calloc(1, sizeof *s);
    if (s == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "cannot allocate the CUDA backend state");
    s->ordinal = ordinal;
    int prev;
    gi_status st = device_enter(s, &prev, fn);
    if (st == GI_OK)
        st = device_leave(s, prev, open_state(s, stream, fn));
    if (st != GI_OK) {
        free(s);
        return st;
    }
    *state = s;
    return GI_OK;
}

void *gi_cuda_backend_stream(void *state)
{
    return ((cuda_state *)state)->stream;
}

/* What the runtime knows of the memory at p: its type and device, or
 * cudaMemoryTypeUnregistered where it cannot tell (no driver). */
static struct cudaPointerAttributes pointer_kind(const void *p)
{
    struct cudaPointerAttributes a;
    if (cudaPointerGetAttributes(&a, p) != cudaSuccess) {
        (void)cudaGetLastError();
        memset(&a, 0, sizeof a);
        a.type = cudaMemoryTypeUnregistered;
        a.device = -1;
    }
    return a;
}

static const char *memory_kind_name(enum cudaMemoryType type)
{
    switch (type) {
    case cudaMemoryTypeHost: return "pinned host";
    case cudaMemoryTypeDevice: return "device";
    case cudaMemoryTypeManaged: return "managed";
    default: return "host";
    }
}

/* One end of the caller's range (which: "first" or "last"). */
static gi_status check_byte(const cuda_state *s, const void *p,
                            const char *which, const void *data,
                            const char *fn)
{
    struct cudaPointerAttributes a = pointer_kind(p);
    const int device_side = a.type == cudaMemoryTypeDevice ||
                            a.type == cudaMemoryTypeManaged;
    if (s == NULL && a.type == cudaMemoryTypeDevice)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'data' = %p: its %s byte is device memory "
                       "of GPU %d, which a CPU context cannot address", data,
                       which, a.device);
    if (s != NULL && !device_side)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'data' = %p: its %s byte is %s memory, not "
                       "device memory of GPU %d", data, which,
                       memory_kind_name(a.type), s->ordinal);
    if (s != NULL && a.type == cudaMemoryTypeDevice && a.device != s->ordinal)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'data' = %p: its %s byte is memory of GPU "
                       "%d, but the context runs on GPU %d", data, which,
                       a.device, s->ordinal);
    return GI_OK;
}

gi_status gi_cuda_check_memory(void *state, const void *data, size_t bytes,
                               const char *fn)
{
    const cuda_state *s = state;
    const char *last = (const char *)data + (bytes - 1);
    gi_status st = check_byte(s, data, "first", data, fn);
    return st != GI_OK ? st : check_byte(s, last, "last", data, fn);
}

static void cuda_destroy(void *state)
{
    cuda_state *s = state;
    int prev;
    if (device_enter(s, &prev, "gi_context_destroy") != GI_OK) {
        free(s); /* the device is gone: its resources went with it */
        return;
    }
    if (s->blas != NULL)
        cublasDestroy(s->blas);
    cudaStreamSynchronize(s->stream);
    gi_cuda_solver_destroy(s->solver);
    if (s->own_stream)
        cudaStreamDestroy(s->stream);
    if (s->pool != NULL)
        cudaMemPoolDestroy(s->pool);
    (void)cudaGetLastError(); /* nothing to report from a destroy */
    device_leave(s, prev, GI_OK);
    free(s);
}

static void cuda_set_num_threads(void *state, int num_threads)
{
    (void)state;
    (void)num_threads; /* the GPU's parallelism is not the CPU's */
}

/* Stream-ordered allocations from ginit's pool: a forward's intermediates
 * are reused without a cudaMalloc each time, and a release waits for
 * nothing (the pool reuses the memory after queued work). */
static gi_status cuda_alloc(void *state, size_t bytes, void **out,
                            const char *fn)
{
    cuda_state *s = state;
    int prev;
    *out = NULL;
    if (bytes == 0)
        return GI_OK;
    GI_ENTER(s, prev, fn);
    cudaError_t err = gi_cuda_malloc(s->pool, out, bytes, s->stream);
    return leave_with(s, prev, err, fn, "device allocation");
}

static void cuda_release(void *state, void *ptr)
{
    cuda_state *s = state;
    int prev;
    if (ptr == NULL || device_enter(s, &prev, "gi_tensor_destroy") != GI_OK)
        return;
    if (gi_cuda_free(s->pool, ptr, s->stream) != cudaSuccess)
        (void)cudaGetLastError(); /* a release has no one to report to */
    device_leave(s, prev, GI_OK);
}

static gi_status cuda_memcpy(cuda_state *s, void *dst, const void *src,
                             size_t bytes, enum cudaMemcpyKind kind,
                             const char *fn)
{
    int prev;
    GI_ENTER(s, prev, fn);
    const char *what = "cudaMemcpyAsync";
    cudaError_t err = cudaMemcpyAsync(dst, src, bytes, kind, s->stream);
    if (err == cudaSuccess && kind != cudaMemcpyDeviceToDevice) {
        what = "cudaStreamSynchronize";
        err = cudaStreamSynchronize(s->stream);
    }
    return leave_with(s, prev, err, fn, what);
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
    return cuda_memcpy(state, dst, src, bytes, cudaMemcpyDeviceToDevice, fn);
}

static gi_status cuda_synchronize(void *state, const char *fn)
{
    cuda_state *s = state;
    int prev;
    GI_ENTER(s, prev, fn);
    return leave_with(s, prev, cudaStreamSynchronize(s->stream), fn,
                      "cudaStreamSynchronize");
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
static gi_status batch_on_device(cuda_state *s, const unsigned char *table,
                                 size_t bytes, int64_t njobs, int64_t items,
                                 const char *fn)
{
    void *dev = NULL;
    const char *what = "device allocation";
    cudaError_t err = gi_cuda_malloc(s->pool, &dev, bytes, s->stream);
    if (err == cudaSuccess) {
        what = "cudaMemcpyAsync";
        err = cudaMemcpyAsync(dev, table, bytes, cudaMemcpyHostToDevice,
                              s->stream);
    }
    if (err == cudaSuccess) {
        what = "gi_launch_jobs";
        const int64_t *first = dev;
        err = gi_launch_jobs(s->stream, s->sms,
                             (const gi_fill_job *)(first + njobs + 1), first,
                             njobs, items);
    }
    if (dev != NULL) {
        cudaError_t freed = gi_cuda_free(s->pool, dev, s->stream);
        if (err == cudaSuccess && freed != cudaSuccess) {
            what = "device release";
            err = freed;
        }
    }
    return err == cudaSuccess ? GI_OK : gi_cuda_fail(err, fn, what);
}

/* One job is launched by value; more go through a table. */
static gi_status cuda_run_jobs(void *state, const gi_fill_job *jobs,
                               int64_t njobs, const char *fn)
{
    cuda_state *s = state;
    if (njobs == 1) {
        int prev;
        GI_ENTER(s, prev, fn);
        return leave_with(s, prev, gi_launch_job(s->stream, s->sms, jobs), fn,
                          "gi_launch_job");
    }
    size_t bytes = 0;
    int64_t items = 0;
    unsigned char *table = batch_table(jobs, njobs, &bytes, &items);
    if (table == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "cannot allocate the table of %lld fills",
                       (long long)njobs);
    int prev;
    gi_status st = device_enter(s, &prev, fn);
    if (st == GI_OK)
        st = device_leave(s, prev, batch_on_device(s, table, bytes, njobs,
                                                   items, fn));
    free(table);
    return st;
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

/* The handle, bound to the context's stream, with the math mode pinned:
 * full float32 products and sums, never TF32 (like the CPU path). */
static gi_status blas_handle(cuda_state *s, const char *fn)
{
    if (s->blas != NULL)
        return GI_OK;
    cublasHandle_t h;
    GI_CUBLAS_TRY(cublasCreate(&h), fn);
    const char *what = "cublasSetStream";
    cublasStatus_t err = cublasSetStream(h, s->stream);
    if (err == CUBLAS_STATUS_SUCCESS) {
        what = "cublasSetMathMode";
        err = cublasSetMathMode(h, CUBLAS_DEFAULT_MATH);
    }
    if (err != CUBLAS_STATUS_SUCCESS) {
        cublasDestroy(h);
        return cublas_fail(err, fn, what);
    }
    s->blas = h;
    return GI_OK;
}

/* The GEMM of a forward in dt, c = x w^T (+ c when accumulate), with
 * row-major x (rows x in), w (out x in), c (rows x out). cuBLAS is
 * column-major, where these buffers read as x^T (in x rows), w^T (in x
 * out) and c^T (out x rows); so c^T = (w^T)^T x^T is one GEMM with
 * op(A) = transpose of w's buffer, op(B) = x's buffer as it is: m = out,
 * n = rows, k = in, lda = ldb = in, ldc = out. float32 and float64 are
 * SGEMM and DGEMM; the 16-bit types are GemmEx on their own A and B into
 * a float32 c, with products and sums in float32 (CUBLAS_COMPUTE_32F,
 * never a type that sums in 16 bits), as PyTorch's CUDA Linear does. */
static cublasStatus_t gemm(cuda_state *s, gi_dtype dt, const void *x,
                           const void *w, void *c, int rows, int in, int out,
                           int accumulate)
{
    if (dt == GI_F64) {
        const double one = 1.0, beta = accumulate ? 1.0 : 0.0;
        return cublasDgemm(s->blas, CUBLAS_OP_T, CUBLAS_OP_N, out, rows, in,
                           &one, w, in, x, in, &beta, c, out);
    }
    const float one = 1.0f, beta = accumulate ? 1.0f : 0.0f;
    if (dt == GI_F32)
        return cublasSgemm(s->blas, CUBLAS_OP_T, CUBLAS_OP_N, out, rows, in,
                           &one, w, in, x, in, &beta, c, out);
    const cudaDataType t = dt == GI_F16 ? CUDA_R_16F : CUDA_R_16BF;
    return cublasGemmEx(s->blas, CUBLAS_OP_T, CUBLAS_OP_N, out, rows, in,
                        &one, w, t, in, x, t, in, &beta, c, CUDA_R_32F, out,
                        CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
}

/* c = x w^T + b, c of dt's compute type (double for float64, float for
 * the others): the bias is broadcast into c first and the GEMM
 * accumulates onto it (beta = 1). */
static gi_status linear_into(cuda_state *s, gi_dtype dt, const void *x,
                             const void *w, const void *b, void *c,
                             int64_t rows, int64_t in, int64_t out,
                             const char *fn)
{
    const int cdt = dt == GI_F64 ? GI_F64 : GI_F32;
    gi_status st = blas_handle(s, fn);
    if (st != GI_OK)
        return st;
    if (b != NULL)
        GI_CUDA_TRY(gi_launch_bias_rows(s->stream, s->sms, c, cdt, b, dt, rows,
                                        out), fn);
    else if (in == 0)
        GI_CUDA_TRY(cudaMemsetAsync(c, 0, (size_t)(rows * out) *
                                              (size_t)gi_elem_size(cdt),
                                    s->stream), fn);
    if (in > 0)
        GI_CUBLAS_TRY(gemm(s, dt, x, w, c, (int)rows, (int)in, (int)out,
                           b != NULL), fn);
    return GI_OK;
}

/* y = x w^T + b (then relu). float32 and float64 work in y itself, then
 * rectify it in place; a 16-bit forward sums into a float32 workspace,
 * then one kernel (store.h's copy_ job, the CPU's rounding) applies the
 * relu and rounds each output once, as PyTorch does: the bias added in
 * float32, no 16-bit intermediate. */
static gi_status linear_on_device(cuda_state *s, gi_dtype dt, const void *x,
                                  const void *w, const void *b, void *y,
                                  int64_t rows, int64_t in, int64_t out,
                                  int relu, const char *fn)
{
    const int half = dt == GI_F16 || dt == GI_BF16;
    const int64_t n = rows * out;
    void *c = y;
    if (half)
        GI_CUDA_TRY(gi_cuda_malloc(s->pool, &c, (size_t)n * sizeof(float),
                                   s->stream), fn);
    gi_status st = linear_into(s, dt, x, w, b, c, rows, in, out, fn);
    gi_fill_job job = {.data = y, .dtype = dt, .n = n, .kind = GI_JOB_MAP,
                       .u.map = {GI_MAP_RELU, 0, 0.0, 0.0}};
    if (half)
        gi_job_convert(&job, y, dt, c, GI_F32, n, relu);
    cudaError_t err = cudaSuccess;
    if (st == GI_OK && (half || relu))
        err = gi_launch_job(s->stream, s->sms, &job);
    if (err != cudaSuccess)
        st = gi_cuda_fail(err, fn, "gi_launch_job");
    err = half ? gi_cuda_free(s->pool, c, s->stream) : cudaSuccess;
    if (st == GI_OK && err != cudaSuccess)
        st = gi_cuda_fail(err, fn, "device release");
    return st;
}

static gi_status cuda_linear(void *state, gi_dtype dtype, const void *x,
                             const void *w, const void *b, void *y,
                             int64_t rows, int64_t in, int64_t out, int relu,
                             const char *fn)
{
    cuda_state *s = state;
    int prev;
    GI_ENTER(s, prev, fn);
    return device_leave(s, prev, linear_on_device(s, dtype, x, w, b, y, rows,
                                                  in, out, relu, fn));
}

static gi_status cuda_orthogonalize(void *state, gi_dtype dtype, void *data,
                                    int64_t rows, int64_t cols, double gain,
                                    const char *fn)
{
    cuda_state *s = state;
    gi_status st = gi_check_qr_dtype(dtype, fn);
    if (st != GI_OK)
        return st;
    int prev;
    GI_ENTER(s, prev, fn);
    const gi_cuda_mem mem = {s->pool, s->stream, s->sms};
    return device_leave(s, prev, gi_cuda_orthogonalize(&s->solver, &mem,
                                                       dtype, data, rows,
                                                       cols, gain, fn));
}

const struct gi_backend_ops gi_cuda_backend = {
    .name = "cuda",
    .alloc = cuda_alloc,
    .release = cuda_release,
    .to_host = cuda_to_host,
    .from_host = cuda_from_host,
    .copy = cuda_copy,
    .run_jobs = cuda_run_jobs,
    .linear = cuda_linear,
    .orthogonalize = cuda_orthogonalize,
    .synchronize = cuda_synchronize,
    .set_num_threads = cuda_set_num_threads,
    .destroy = cuda_destroy,
};
