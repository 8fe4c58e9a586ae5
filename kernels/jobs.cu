/* Every planned job (fill_job.h): random laws, constants and maps, index
 * fills and sparse_, in one kernel, for one job passed by value or a table
 * of them (a whole module tree) in one launch. A thread's work item is 16
 * bytes of output (a Philox block or more, computed in float or double,
 * then the store step of store.h, in one vector store when the item is
 * whole and aligned), or one column of sparse_. Element i's value is fixed
 * by the job alone, whatever the grid shape. */
#include "kernels.h"
#include "launch.cuh"
#include "../src/shared/store.h"

/* The item's 16 bytes at p, aligned: four floats, two doubles or eight
 * 16-bit values packed two to a word (the lower element in the low half,
 * as memory holds them). */
__device__ __forceinline__ void gi_store16(void *p, int dtype, const float *v,
                                           const double *d)
{
    if (dtype == GI_F32) {
        *reinterpret_cast<float4 *>(p) = make_float4(v[0], v[1], v[2], v[3]);
    } else if (dtype == GI_F64) {
        *reinterpret_cast<double2 *>(p) = make_double2(d[0], d[1]);
    } else {
        unsigned w[4];
        for (int k = 0; k < 4; ++k)
            w[k] = (unsigned)gi_half_bits(dtype, v[2 * k]) |
                   (unsigned)gi_half_bits(dtype, v[2 * k + 1]) << 16;
        *reinterpret_cast<uint4 *>(p) = make_uint4(w[0], w[1], w[2], w[3]);
    }
}

__device__ __forceinline__ void gi_run_item(const gi_fill_job *job,
                                            int64_t item)
{
    if (job->kind == GI_JOB_SPARSE) {
        gi_job_sparse_column(job, item);
        return;
    }
    const int per = (int)gi_job_item_elems(job);
    const int64_t first = item * per;
    const int count = job->n - first < per ? (int)(job->n - first) : per;
    float v[GI_ITEM_MAX];
    double d[GI_ITEM_MAX];
    if (job->dtype == GI_F64) {
        if (job->kind == GI_JOB_LAW)
            gi_job_law_values64(job, first, per, d);
        else
            gi_job_other_values64(job, first, count, d);
    } else if (gi_job_double(job)) { /* a map with a float64 other */
        gi_job_other_values64(job, first, count, d);
        for (int k = 0; k < count; ++k)
            v[k] = (float)d[k]; /* as gi_store_d converts */
    } else if (job->kind == GI_JOB_LAW) {
        gi_job_law_values(job, first, per, v);
        for (int k = 0; k < per; ++k)
            v[k] = gi_job_clamp(job, v[k]);
    } else {
        gi_job_other_values(job, first, count, v);
    }
    char *p = (char *)job->data + first * gi_elem_size(job->dtype);
    if (count == per && ((uintptr_t)p & 15) == 0) {
        gi_store16(p, job->dtype, v, d);
        return;
    }
    for (int k = 0; k < count; ++k) {
        if (job->dtype == GI_F64)
            gi_store_d(job->data, GI_F64, first + k, d[k]);
        else
            gi_store_f(job->data, job->dtype, first + k, v[k]);
    }
}

__global__ void gi_job_kernel(gi_fill_job job)
{
    const int64_t items = gi_job_items(&job);
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t item = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
         item < items; item += stride)
        gi_run_item(&job, item);
}

__global__ void gi_jobs_kernel(const gi_fill_job *jobs,
                               const int64_t *first_item, int64_t njobs,
                               int64_t items)
{
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t item = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
         item < items; item += stride) {
        const int64_t j = gi_job_of(first_item, njobs, item);
        gi_run_item(&jobs[j], item - first_item[j]);
    }
}

extern "C" cudaError_t gi_launch_job(cudaStream_t stream, int sms,
                                     const gi_fill_job *job)
{
    static int occupancy;
    const unsigned grid = gi_grid((const void *)gi_job_kernel, &occupancy,
                                  gi_job_items(job), sms);
    gi_job_kernel<<<grid, GI_THREADS_PER_BLOCK, 0, stream>>>(*job);
    return cudaGetLastError();
}

extern "C" cudaError_t gi_launch_jobs(cudaStream_t stream, int sms,
                                      const gi_fill_job *jobs,
                                      const int64_t *first_item,
                                      int64_t njobs, int64_t items)
{
    static int occupancy;
    const unsigned grid =
        gi_grid((const void *)gi_jobs_kernel, &occupancy, items, sms);
    gi_jobs_kernel<<<grid, GI_THREADS_PER_BLOCK, 0, stream>>>(
        jobs, first_item, njobs, items);
    return cudaGetLastError();
}
