/*
 * What each kernel must write, declared from its own arguments before the
 * simulator runs it: one function per kernel, with the kernel's name and
 * parameters (a kernel without one does not compile in the simulator).
 * The runtime then checks that exactly these elements were written, each
 * once and in whole, and nothing else.
 */
#ifndef GINIT_SIM_EXPECT_H
#define GINIT_SIM_EXPECT_H

#include "../../src/fill_job.h"

namespace gi_sim_expect {

/* kernels/map.cu */
static inline void gi_map_kernel(float *data, int64_t n, gi_map)
{
    gi_sim_expect_write(data, n);
}

static inline void gi_map2_kernel(float *data, const float *, int64_t n,
                                  gi_map)
{
    gi_sim_expect_write(data, n);
}

/* kernels/linear.cu */
static inline void gi_bias_rows_kernel(float *y, const float *, int64_t rows,
                                       int64_t out)
{
    gi_sim_expect_write(y, rows * out);
}

/* kernels/fill_law.cu */
static inline void gi_fill_law_kernel(float *data, int64_t n, gi_law,
                                      uint64_t, uint64_t, uint64_t)
{
    gi_sim_expect_write(data, n);
}

/* Every job of the table, which the host glue must also have numbered
 * right: first_item[j] is the sum of the items of the jobs before j. */
static inline void gi_fill_batch_kernel(const gi_fill_job *jobs,
                                        const int64_t *first_item,
                                        int64_t njobs, int64_t items)
{
    int64_t sum = 0;
    for (int64_t j = 0; j < njobs; ++j) {
        if (first_item[j] != sum || jobs[j].n <= 0)
            gi_sim_violation("fill table: job %lld starts at item %lld, "
                             "expected %lld (n = %lld)", (long long)j,
                             (long long)first_item[j], (long long)sum,
                             (long long)jobs[j].n);
        sum += gi_job_items(&jobs[j]);
        gi_sim_expect_write(jobs[j].data, jobs[j].n);
    }
    if (sum != items)
        gi_sim_violation("fill table: %lld items in all, launched with %lld",
                         (long long)sum, (long long)items);
}

static inline void gi_fill_index_kernel(float *data, int64_t n, gi_index_law)
{
    gi_sim_expect_write(data, n);
}

/* kernels/sparse.cu: the whole matrix, normals and zeros */
static inline void gi_sparse_kernel(float *data, int64_t rows, int64_t cols,
                                    int64_t, gi_law, uint64_t, uint64_t,
                                    uint64_t)
{
    gi_sim_expect_write(data, rows * cols);
}

/* kernels/orthogonal.cu */
static inline void gi_orth_to_col_major_kernel(float *a, const float *,
                                               int64_t m, int64_t n)
{
    gi_sim_expect_write(a, m * n);
}

static inline void gi_orth_diag_signs_kernel(float *signs, const float *,
                                             int64_t, int64_t n)
{
    gi_sim_expect_write(signs, n);
}

static inline void gi_orth_finish_kernel(float *out, const float *, int64_t m,
                                         int64_t n, const float *, float, int)
{
    gi_sim_expect_write(out, m * n);
}

} // namespace gi_sim_expect

#endif
