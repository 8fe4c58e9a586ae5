/* References for ginit_mpi's tests: each rank compares its shard, byte
 * for byte, with the matching block of the whole tensor that it computes
 * itself on one CPU context (the single-process result). */
#ifndef GINIT_MPI_REF_H
#define GINIT_MPI_REF_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_check.h"

#define REF_SEED UINT64_C(20261201)
#define REF_OFFSET UINT64_C(7)

static const gi_dtype ref_dtypes[] = {GI_F32, GI_F64, GI_F16, GI_BF16};
#define REF_DTYPES ((int)(sizeof ref_dtypes / sizeof *ref_dtypes))

static inline gi_context ref_cpu_context(void)
{
    gi_context ctx = NULL;
    CHECK_OK(gi_context_create(&ctx, GI_DEVICE_CPU));
    return ctx;
}

/* A Philox generator at (REF_SEED, stream 3, REF_OFFSET). */
static inline gi_generator ref_generator(void)
{
    gi_generator gen = NULL;
    CHECK_OK(gi_generator_create(&gen, REF_SEED));
    CHECK_OK(gi_generator_set_stream(gen, 3));
    CHECK_OK(gi_generator_set_offset(gen, REF_OFFSET));
    return gen;
}

static inline size_t ref_elem_size(gi_dtype dt)
{
    return dt == GI_F64 ? 8 : dt == GI_F32 ? 4 : 2;
}

static inline int64_t ref_numel(int ndim, const int64_t *shape)
{
    int64_t n = 1;
    for (int d = 0; d < ndim; ++d)
        n *= shape[d];
    return n;
}

/* t's elements on the host (malloc'd, at least one byte). */
static inline unsigned char *ref_host(gi_tensor t)
{
    const size_t bytes = (size_t)gi_tensor_numel(t) *
                         ref_elem_size(gi_tensor_dtype(t));
    unsigned char *h = malloc(bytes + 1);
    CHECK(h != NULL, "no memory for %zu bytes", bytes);
    if (h != NULL)
        CHECK_OK(gi_tensor_copy_to_host(t, h, bytes));
    return h;
}

/* The global row-major index of t's local element i, from t's shard. */
static inline int64_t ref_global_index(const gi_shard_info *s, gi_tensor t,
                                int64_t i)
{
    if (s->kind == GI_SHARD_FLAT)
        return s->flat_start + i;
    if (s->kind == GI_SHARD_NONE)
        return i;
    const int64_t *shape = gi_tensor_shape(t);
    int64_t index = 0, stride = 1;
    for (int d = s->global_ndim - 1; d >= 0; --d) {
        index += (s->start[d] + i % shape[d]) * stride;
        i /= shape[d];
        stride *= s->global_shape[d];
    }
    return index;
}

/* How many of t's elements differ from whole's at their global index
 * (whole: the global tensor, ordinary, of t's dtype); the first one is
 * reported, named by what. */
static inline int64_t ref_mismatches(gi_tensor t, gi_tensor whole,
                                     const char *what)
{
    gi_shard_info s;
    CHECK_OK(gi_tensor_shard_info(t, &s));
    CHECK(gi_tensor_dtype(t) == gi_tensor_dtype(whole), "%s: dtype", what);
    unsigned char *mine = ref_host(t), *all = ref_host(whole);
    const size_t es = ref_elem_size(gi_tensor_dtype(t));
    int64_t bad = 0;
    for (int64_t i = 0; mine && all && i < gi_tensor_numel(t); ++i) {
        const int64_t g = ref_global_index(&s, t, i);
        if (memcmp(mine + i * es, all + g * es, es) != 0 && bad++ == 0)
            fprintf(stderr, "rank %d: %s: local element %lld (global %lld) "
                    "differs\n", mpi_rank(), what, (long long)i,
                    (long long)g);
    }
    free(mine);
    free(all);
    return bad;
}

/* Generators in the same state: the same state bytes. */
static inline int ref_same_state(gi_generator a, gi_generator b)
{
    unsigned char sa[8192], sb[8192];
    size_t na = 0, nb = 0;
    if (gi_generator_get_state(a, sa, sizeof sa, &na) != GI_OK ||
        gi_generator_get_state(b, sb, sizeof sb, &nb) != GI_OK)
        return 0;
    return na == nb && memcmp(sa, sb, na) == 0;
}

/* The status a failing call must return on this rank: its own where it
 * failed, GI_ERR_PEER elsewhere. */
static inline gi_status ref_expected(int failing_rank, gi_status own)
{
    return mpi_rank() == failing_rank ? own : GI_ERR_PEER;
}

#endif
