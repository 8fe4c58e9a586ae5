/*
 * What each kernel must write, declared from its own arguments before the
 * simulator runs it: one function per kernel, with the kernel's name and
 * parameters (a kernel without one does not compile in the simulator).
 * The runtime then checks that exactly these elements were written, each
 * once and in whole, and nothing else.
 */
#ifndef GINIT_SIM_EXPECT_H
#define GINIT_SIM_EXPECT_H

#include "shared/fill_job.h"

namespace gi_sim_expect {

/* kernels/jobs.cu: every element of the job, in its dtype */
static inline void gi_expect_job(const gi_fill_job *job)
{
    if (job->n <= 0)
        gi_sim_violation("job with %lld elements", (long long)job->n);
    gi_sim_expect_write_elems(job->data, job->n,
                              (size_t)gi_elem_size(job->dtype));
}

static inline void gi_job_kernel(gi_fill_job job)
{
    gi_expect_job(&job);
}

/* Every job of the table, which the host glue must also have numbered
 * right: first_item[j] is the sum of the items of the jobs before j. */
static inline void gi_jobs_kernel(const gi_fill_job *jobs,
                                  const int64_t *first_item, int64_t njobs,
                                  int64_t items)
{
    int64_t sum = 0;
    for (int64_t j = 0; j < njobs; ++j) {
        if (first_item[j] != sum)
            gi_sim_violation("job table: job %lld starts at item %lld, "
                             "expected %lld", (long long)j,
                             (long long)first_item[j], (long long)sum);
        sum += gi_job_items(&jobs[j]);
        gi_expect_job(&jobs[j]);
    }
    if (sum != items)
        gi_sim_violation("job table: %lld items in all, launched with %lld",
                         (long long)sum, (long long)items);
}

/* kernels/linear.cu */
static inline void gi_bias_rows_kernel(void *y, int y_dtype, const void *,
                                       int, int64_t rows, int64_t out)
{
    gi_sim_expect_write_elems(y, rows * out, y_dtype == GI_F64 ? 8 : 4);
}

/* kernels/orthogonal.cu: float32 or float64 (f64) elements */
static inline size_t gi_orth_elem(int f64)
{
    return f64 ? sizeof(double) : sizeof(float);
}

static inline void gi_orth_to_col_major_kernel(void *a, const void *,
                                               int64_t m, int64_t n, int f64)
{
    gi_sim_expect_write_elems(a, m * n, gi_orth_elem(f64));
}

static inline void gi_orth_diag_signs_kernel(double *signs, const void *,
                                             int64_t, int64_t n, int)
{
    gi_sim_expect_write_elems(signs, n, sizeof *signs);
}

static inline void gi_orth_finish_kernel(void *out, const void *, int64_t m,
                                         int64_t n, const double *, double,
                                         int, int f64)
{
    gi_sim_expect_write_elems(out, m * n, gi_orth_elem(f64));
}

} // namespace gi_sim_expect

#endif
