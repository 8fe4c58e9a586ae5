/* A planned fill: what an initializer writes into one tensor, computed
 * before anything is written, so that a whole module tree can be checked
 * first and then filled by one backend call. Shared by the host code and
 * the kernels. */
#ifndef GINIT_FILL_JOB_H
#define GINIT_FILL_JOB_H

#include "laws.h"

/* The Philox position of one random fill: key, stream, first block. */
typedef struct gi_philox_pos {
    uint64_t seed;
    uint64_t stream;
    uint64_t offset;
} gi_philox_pos;

typedef struct gi_fill_job {
    float *data;       /* the tensor's elements, device memory */
    int64_t n;         /* elements; 0: nothing to write, nothing drawn */
    int random;        /* 1: elements of `law` from `pos`; 0: `value` */
    float value;
    gi_philox_pos pos; /* set when the fill runs (gi_run_jobs) */
    gi_law law;
} gi_fill_job;

/* Elements one work item of the job writes: a Philox block's worth for a
 * random job (gi_law_elems_per_block), four for a constant one. */
GI_HOSTDEV int64_t gi_job_item_elems(const gi_fill_job *job)
{
    return job->random ? gi_law_elems_per_block(&job->law) : 4;
}

/* Work items of the job: ceil(n / gi_job_item_elems). */
GI_HOSTDEV int64_t gi_job_items(const gi_fill_job *job)
{
    int64_t per = gi_job_item_elems(job);
    return (job->n + per - 1) / per;
}

/* Philox blocks the job consumes: its items when random, else none. */
GI_HOSTDEV uint64_t gi_job_blocks(const gi_fill_job *job)
{
    return job->random ? (uint64_t)gi_job_items(job) : 0;
}

/* The job owning work item (or chunk) `item`, where first[j] numbers job
 * j's first one: the last j with first[j] <= item, by bisection. */
GI_HOSTDEV int64_t gi_job_of(const int64_t *first, int64_t njobs,
                             int64_t item)
{
    int64_t lo = 0, hi = njobs - 1;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo + 1) / 2;
        if (first[mid] <= item)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

#endif
