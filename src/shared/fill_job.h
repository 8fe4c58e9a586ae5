/* A planned fill: what one operation writes into one tensor, described as
 * data before anything is written, so that a whole module tree can be
 * checked first and then filled by one backend call (run_jobs). Random
 * laws, constants and maps, index fills (eye, dirac) and sparse_ are kinds
 * of one job. Shared by the host code and the kernels. */
#ifndef GINIT_FILL_JOB_H
#define GINIT_FILL_JOB_H

#include "laws.h"

/* The Philox position of one random fill: key, stream, first block. */
typedef struct gi_philox_pos {
    uint64_t seed;
    uint64_t stream;
    uint64_t offset;
} gi_philox_pos;

typedef enum gi_job_kind {
    GI_JOB_NOTHING = 0, /* n is 0: nothing written, nothing drawn */
    GI_JOB_LAW = 1,     /* u.law from pos (a float or a float64 law) */
    GI_JOB_MAP = 2,     /* x = u.map(x); a constant is GI_MAP_FILL */
    GI_JOB_MAP2 = 3,    /* x = u.map(x, other[i]) */
    GI_JOB_INDEX = 4,   /* x = u.index's value at i (eye, dirac) */
    GI_JOB_SPARSE = 5   /* sparse_: u.law (normal), then zeros per column */
} gi_job_kind;

/* sparse_ of a rows x cols matrix (a shard's global one), of which the
 * job writes the box of n / lcols rows from row r0 and lcols columns
 * from column c0 (0, 0 and cols for a whole matrix). */
typedef struct gi_job_sparse {
    int64_t rows, cols, zeros; /* zeros: per column */
    int64_t r0, c0, lcols;
} gi_job_sparse;

/* The PyTorch call a job stands for, which a torch_cpu generator replays
 * on the host (init_torch.c): its law keeps only floats, and drops what
 * PyTorch's double path of normal_ and uniform_(a, a), which still draws,
 * need. `init` names the gi_init kind that planned it (GI_INIT_NONE: a
 * direct call), for the messages. Host only: the kernels never read it. */
typedef enum gi_torch_op {
    GI_TORCH_NONE = 0,    /* no PyTorch counterpart, or no draw */
    GI_TORCH_UNIFORM = 1, /* uniform_(a, b) */
    GI_TORCH_NORMAL = 2,  /* normal_(mean = a, std = b) */
    GI_TORCH_TRUNC_NORMAL = 3, /* trunc_normal_(a, b, lo = c, hi = d) */
    GI_TORCH_SPARSE = 4   /* sparse_: normal_(a, b), c zeros a column */
} gi_torch_op;

typedef struct gi_torch_call {
    int op; /* gi_torch_op */
    int init;
    double a, b, c, d;
} gi_torch_call;

typedef struct gi_fill_job {
    void *data;        /* the tensor's elements, device memory */
    int dtype;         /* gi_dtype of data */
    int64_t n;         /* elements */
    int kind;          /* gi_job_kind */
    gi_philox_pos pos; /* random kinds: set when the fill runs */
    /* A law into a 16-bit dtype: values are clamped to [lo, hi], both
     * representable, before they round, so that a promise of the law
     * (uniform_ below b, trunc_normal_ inside [a, b]) survives rounding. */
    float lo, hi;
    const void *other; /* GI_JOB_MAP2: the second tensor's elements */
    int other_dtype;
    gi_job_sparse sparse;
    union {
        gi_law law;
        gi_map map;
        gi_index_law index;
    } u;
    gi_torch_call torch;
    /* A shard's run (docs/shards.md): element k of the job is element
     * skip + k of the whole fill, of `whole` elements, which gives the
     * generator's advance; `again`: a later run of the same fill, drawing
     * from the position of the run before it. Host only, `shard` is the
     * tensor (a gi_tensor) whose job is still to be cut into its runs;
     * NULL once cut, and for a tensor that is no shard. */
    int64_t skip, whole;
    int again;
    const void *shard;
} gi_fill_job;

GI_HOSTDEV int gi_job_random(const gi_fill_job *job)
{
    return job->kind == GI_JOB_LAW || job->kind == GI_JOB_SPARSE;
}

/* Whether the job computes in double: a float64 tensor's, or a map with
 * a float64 second tensor (PyTorch computes in the promoted dtype, then
 * converts to the tensor's). */
GI_HOSTDEV int gi_job_double(const gi_fill_job *job)
{
    return job->dtype == GI_F64 ||
           (job->kind == GI_JOB_MAP2 && job->other_dtype == GI_F64);
}

/* Bytes of one element of dtype d, from GI_DTYPE_LIST; 0 when unknown. */
GI_HOSTDEV int gi_elem_size(int d)
{
    switch (d) {
#define GI_DTYPE_SIZE_(name, value, text, torch, size, code)                  \
    case name: return size;
        GI_DTYPE_LIST(GI_DTYPE_SIZE_)
#undef GI_DTYPE_SIZE_
    }
    return 0;
}

/* Elements of one work item: 16 bytes' worth (one vector store), or for
 * sparse_ one column of its box. */
GI_HOSTDEV int64_t gi_job_item_elems(const gi_fill_job *job)
{
    return job->kind == GI_JOB_SPARSE ? job->n / job->sparse.lcols
                                      : 16 / gi_elem_size(job->dtype);
}

/* Whether a sparse_ job writes part of its matrix (a shard's box). */
GI_HOSTDEV int gi_job_sparse_box(const gi_fill_job *job)
{
    return job->n != job->sparse.rows * job->sparse.cols;
}

/* Work items of the job. */
GI_HOSTDEV int64_t gi_job_items(const gi_fill_job *job)
{
    if (job->kind == GI_JOB_SPARSE)
        return job->sparse.lcols;
    int64_t per = gi_job_item_elems(job);
    return (job->n + per - 1) / per;
}

/* Philox blocks the job consumes (docs/rng.md): ceil(n / per) for a law
 * of per elements a block (n the whole fill's for a shard's run; its
 * later runs consume none); sparse_ adds its zeros' lanes, one per
 * element, whether it has zeros or not; nothing for the others. */
GI_HOSTDEV uint64_t gi_job_blocks(const gi_fill_job *job)
{
    if (!gi_job_random(job) || job->again)
        return 0;
    uint64_t per = (uint64_t)gi_law_elems_per_block(&job->u.law);
    uint64_t n = (uint64_t)(job->whole > 0 ? job->whole : job->n);
    uint64_t fill = (n + per - 1) / per;
    return job->kind == GI_JOB_SPARSE ? fill + (n + 3) / 4 : fill;
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
