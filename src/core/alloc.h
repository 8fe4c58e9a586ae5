/* Every allocation the library makes goes through these, so that a test
 * build (-DGINIT_FAULT_INJECTION=ON) can make the N-th one fail and prove
 * each failure is reported and cleaned up. Ordinary builds compile them to
 * the plain calls. */
#ifndef GINIT_ALLOC_H
#define GINIT_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#ifdef GINIT_FAULT_INJECTION
/* True when the allocation of `bytes` about to be made must fail. */
int gi_fault_hit(size_t bytes);
/* Test hook: the n-th allocation from now on fails (n >= 1), once; 0 turns
 * injection off. Either way the counts below restart. */
void gi_fault_fail_at(int64_t n);
/* Allocations attempted since the last gi_fault_fail_at. */
int64_t gi_fault_count(void);
/* The largest of them in bytes, so a test can bound a call's memory. */
size_t gi_fault_largest(void);
#else
static inline int gi_fault_hit(size_t bytes)
{
    (void)bytes;
    return 0;
}
#endif

static inline void *gi_malloc(size_t n)
{
    return gi_fault_hit(n) ? NULL : malloc(n);
}

static inline void *gi_calloc(size_t n, size_t size)
{
    size_t bytes = size != 0 && n > SIZE_MAX / size ? SIZE_MAX : n * size;
    return gi_fault_hit(bytes) ? NULL : calloc(n, size);
}

static inline void *gi_realloc(void *p, size_t n)
{
    return gi_fault_hit(n) ? NULL : realloc(p, n);
}

static inline void *gi_aligned_alloc(size_t align, size_t n)
{
    return gi_fault_hit(n) ? NULL : aligned_alloc(align, n);
}

#ifdef GINIT_HAVE_CUDA
#include <cuda_runtime_api.h>

#include "ginit.h"

/* Turns a CUDA error into a status and a message naming fn and what
 * failed. The runtime also keeps the error as the thread's last one; it is
 * handled here, so it is cleared, and the next launch's check does not
 * report it. (backend_cuda.c; for every CUDA source of the backend.) */
gi_status gi_cuda_fail(cudaError_t err, const char *fn, const char *what);

/* Where a CUDA context's memory comes from and its work goes: ginit's own
 * stream-ordered pool (NULL where the device has none), the stream, and
 * the SM count its grids are sized from. */
typedef struct gi_cuda_mem {
    cudaMemPool_t pool;
    cudaStream_t stream;
    int sms;
} gi_cuda_mem;

/* Device memory from pool in stream order, or from cudaMalloc without a
 * pool; cudaErrorMemoryAllocation when injected. */
static inline cudaError_t gi_cuda_malloc(cudaMemPool_t pool, void **p,
                                         size_t n, cudaStream_t stream)
{
    if (gi_fault_hit(n))
        return cudaErrorMemoryAllocation;
    return pool != NULL ? cudaMallocFromPoolAsync(p, n, pool, stream)
                        : cudaMalloc(p, n);
}

/* Returns memory from gi_cuda_malloc: after the stream's queued work, in
 * stream order with a pool; without one, once the stream has drained. */
static inline cudaError_t gi_cuda_free(cudaMemPool_t pool, void *p,
                                       cudaStream_t stream)
{
    if (pool != NULL)
        return cudaFreeAsync(p, stream);
    cudaError_t err = cudaStreamSynchronize(stream);
    cudaError_t freed = cudaFree(p);
    return err != cudaSuccess ? err : freed;
}
#endif

#endif
