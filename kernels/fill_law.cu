/* Random fills: Philox block -> law transform -> one 16-byte (or 8-byte)
 * store, fused in one kernel. Each thread owns whole Philox blocks, so
 * element i's value is fixed by (seed, stream, offset, i) whatever the grid
 * shape. The batch kernel does the same for a table of tensors (a whole
 * module tree) in one launch. Index fills (eye, dirac) live here too: one
 * pass, value from i. */
#include "kernels.h"
#include "launch.cuh"

/* Philox blocks a thread of the single-tensor fill has in flight. */
#define GI_FILL_UNROLL 2

/* Stores v[0..per) at data[first..] (clipped at n): one vector store when
 * the tensor's base is aligned for it and the item is whole. */
__device__ __forceinline__ void gi_store_item(float *data, int64_t n,
                                              int64_t first, int64_t per,
                                              bool vector_ok, const float v[4])
{
    if (vector_ok && per == 4 && first + 4 <= n) {
        *reinterpret_cast<float4 *>(data + first) =
            make_float4(v[0], v[1], v[2], v[3]);
    } else if (vector_ok && per == 2 && first + 2 <= n) {
        *reinterpret_cast<float2 *>(data + first) = make_float2(v[0], v[1]);
    } else {
        for (int64_t k = 0; k < per && first + k < n; ++k)
            data[first + k] = v[k];
    }
}

__device__ __forceinline__ bool gi_vector_ok(const float *data, int64_t per)
{
    return ((uintptr_t)data & (per * sizeof(float) - 1)) == 0;
}

__global__ void gi_fill_law_kernel(float *data, int64_t n, gi_law law,
                                   uint64_t seed, uint64_t philox_stream,
                                   uint64_t offset)
{
    const int64_t per = gi_law_elems_per_block(&law);
    const int64_t nblocks = (n + per - 1) / per;
    const bool vector_ok = gi_vector_ok(data, per);
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    /* GI_FILL_UNROLL blocks a thread and iteration, computed without
     * branches between them so that their Philox rounds interleave; a
     * block past the end is computed and not stored. */
    for (int64_t b = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
         b < nblocks; b += GI_FILL_UNROLL * stride) {
        uint32_t bits[GI_FILL_UNROLL][4];
#pragma unroll
        for (int u = 0; u < GI_FILL_UNROLL; ++u)
            gi_block(seed, philox_stream, offset + (uint64_t)(b + u * stride),
                     bits[u]);
#pragma unroll
        for (int u = 0; u < GI_FILL_UNROLL; ++u) {
            float v[4];
            gi_law_block(&law, bits[u], v);
            if (b + u * stride < nblocks)
                gi_store_item(data, n, (b + u * stride) * per, per, vector_ok,
                              v);
        }
    }
}

/* A work item is one Philox block of a random job (the same block, the
 * same transform and the same store as gi_fill_law_kernel) or four
 * elements of a constant job, written without drawing. */
__global__ void gi_fill_batch_kernel(const gi_fill_job *jobs,
                                     const int64_t *first_item, int64_t njobs,
                                     int64_t items)
{
    int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t item = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
         item < items; item += stride) {
        int64_t j = gi_job_of(first_item, njobs, item);
        const gi_fill_job *job = &jobs[j];
        const int64_t per = gi_job_item_elems(job);
        const int64_t b = item - first_item[j];
        float v[4];
        if (job->random) {
            uint32_t bits[4];
            gi_block(job->pos.seed, job->pos.stream,
                     job->pos.offset + (uint64_t)b, bits);
            gi_law_block(&job->law, bits, v);
        } else {
            v[0] = v[1] = v[2] = v[3] = job->value;
        }
        gi_store_item(job->data, job->n, b * per, per,
                      gi_vector_ok(job->data, per), v);
    }
}

extern "C" cudaError_t gi_launch_fill_batch(cudaStream_t stream,
                                            int sms,
                                            const gi_fill_job *jobs,
                                            const int64_t *first_item,
                                            int64_t njobs, int64_t items)
{
    static int occupancy;
    const unsigned grid =
        gi_grid((const void *)gi_fill_batch_kernel, &occupancy, items, sms);
    gi_fill_batch_kernel<<<grid, GI_THREADS_PER_BLOCK, 0, stream>>>(
        jobs, first_item, njobs, items);
    return cudaGetLastError();
}

extern "C" cudaError_t gi_launch_fill_law(cudaStream_t stream, int sms,
                                          float *data, int64_t n, gi_law law,
                                          uint64_t seed,
                                          uint64_t philox_stream,
                                          uint64_t offset)
{
    const int64_t per = gi_law_elems_per_block(&law);
    const int64_t nblocks = (n + per - 1) / per;
    static int occupancy;
    const int64_t items = (nblocks + GI_FILL_UNROLL - 1) / GI_FILL_UNROLL;
    const unsigned grid =
        gi_grid((const void *)gi_fill_law_kernel, &occupancy, items, sms);
    gi_fill_law_kernel<<<grid, GI_THREADS_PER_BLOCK, 0, stream>>>(
        data, n, law, seed, philox_stream, offset);
    return cudaGetLastError();
}

__global__ void gi_fill_index_kernel(float *data, int64_t n, gi_index_law law)
{
    int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += stride)
        data[i] = gi_index_value(&law, i);
}

extern "C" cudaError_t gi_launch_fill_index(cudaStream_t stream,
                                            int sms, float *data,
                                            int64_t n, gi_index_law law)
{
    static int occupancy;
    const unsigned grid =
        gi_grid((const void *)gi_fill_index_kernel, &occupancy, n, sms);
    gi_fill_index_kernel<<<grid, GI_THREADS_PER_BLOCK, 0, stream>>>(data, n,
                                                                    law);
    return cudaGetLastError();
}
