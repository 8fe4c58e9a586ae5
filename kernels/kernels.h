/* Launchers of the CUDA kernels, callable from the C host glue. Each
 * enqueues on `stream` and returns the launch's cudaError_t. */
#ifndef GINIT_KERNELS_H
#define GINIT_KERNELS_H

#include <cuda_runtime_api.h>
#include <stdint.h>

#include "../src/shared/fill_job.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One job (fill_job.h), passed by value: every element as store.h
 * defines it. n > 0. */
cudaError_t gi_launch_job(cudaStream_t stream, int sms,
                          const gi_fill_job *job);

/* Every job of a table in device memory, as gi_launch_job would write
 * each: first_item[j] numbers job j's first work item (gi_job_items),
 * items in all; njobs >= 1, every job non-empty. */
cudaError_t gi_launch_jobs(cudaStream_t stream, int sms,
                           const gi_fill_job *jobs, const int64_t *first_item,
                           int64_t njobs, int64_t items);

/* y[r * out + o] = b[o] for every row r < rows, y of y_dtype (GI_F64,
 * or GI_F32 for the others), b of b_dtype (GI_F64 for a GI_F64 y). */
cudaError_t gi_launch_bias_rows(cudaStream_t stream, int sms, void *y,
                                int y_dtype, const void *b, int b_dtype,
                                int64_t rows, int64_t out);

#ifdef __cplusplus
}
#endif

#endif
