/* Launchers of the CUDA kernels, callable from the C host glue. Each
 * enqueues on `stream` and returns the launch's cudaError_t. */
#ifndef GINIT_KERNELS_H
#define GINIT_KERNELS_H

#include <cuda_runtime_api.h>
#include <stdint.h>

#include "../src/fill_job.h"

#ifdef __cplusplus
extern "C" {
#endif

/* data[i] = gi_map_apply(op, data[i]) for i < n. */
cudaError_t gi_launch_map(cudaStream_t stream, int sms, float *data,
                          int64_t n, gi_map op);

/* data[i] = gi_map_apply2(op, data[i], other[i]) for i < n. */
cudaError_t gi_launch_map2(cudaStream_t stream, int sms, float *data,
                           const float *other, int64_t n, gi_map op);

/* y[r * out + o] = b[o] for every row r < rows. */
cudaError_t gi_launch_bias_rows(cudaStream_t stream, int sms, float *y,
                                const float *b, int64_t rows, int64_t out);

/* data[i] = element i of `law` drawn from Philox block offset + i / per of
 * (seed, philox_stream), per = gi_law_elems_per_block(&law). */
cudaError_t gi_launch_fill_law(cudaStream_t stream, int sms,
                               float *data, int64_t n, gi_law law,
                               uint64_t seed, uint64_t philox_stream,
                               uint64_t offset);

/* Every job of a table in device memory, as gi_launch_fill_law (random
 * jobs) or a fill with the job's value (constant ones) would write it:
 * first_item[j] numbers job j's first work item (gi_job_items), items in
 * all; njobs >= 1, every job non-empty. */
cudaError_t gi_launch_fill_batch(cudaStream_t stream, int sms,
                                 const gi_fill_job *jobs,
                                 const int64_t *first_item, int64_t njobs,
                                 int64_t items);

/* data[i] = gi_index_value(law, i) for i < n. */
cudaError_t gi_launch_fill_index(cudaStream_t stream, int sms,
                                 float *data, int64_t n, gi_index_law law);

/* sparse_ whole: gi_sparse_fill_column for every column c < cols, one
 * thread per column, so every element is written once and neighbouring
 * threads write neighbouring elements of a row. */
cudaError_t gi_launch_sparse(cudaStream_t stream, int sms, float *data,
                             int64_t rows, int64_t cols, int64_t k, gi_law law,
                             uint64_t seed, uint64_t philox_stream,
                             uint64_t offset);

#ifdef __cplusplus
}
#endif

#endif
