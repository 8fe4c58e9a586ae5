/*
 * The store step, shared by the host code and the kernels: jobs compute
 * in float (float32, float16, bfloat16) or in double (float64), and only
 * here does the element type show, when an element is read from or
 * written to a tensor's memory. A 16-bit value rounds once, at its store
 * (convert.h).
 *
 * gi_job_values computes the elements of one work item (fill_job.h) of
 * every kind but sparse_, whose work item is a column written by
 * gi_job_sparse_column. The CPU's fast paths compute the same values
 * (proven by the tests); the kernels call these directly.
 */
#ifndef GINIT_STORE_H
#define GINIT_STORE_H

#include <float.h>

#include "convert.h"
#include "fill_job.h"

/* Element i of data, of dtype dt, in float (a float64 rounds to float: a
 * conversion, copy_ only). */
GI_HOSTDEV float gi_load_f(const void *data, int dt, int64_t i)
{
    switch (dt) {
    case GI_F64: return (float)((const double *)data)[i];
    case GI_F16: return gi_f16_to_f32(((const uint16_t *)data)[i]);
    case GI_BF16: return gi_bf16_to_f32(((const uint16_t *)data)[i]);
    default: return ((const float *)data)[i];
    }
}

/* Element i of data in double: exact for every dtype. */
GI_HOSTDEV double gi_load_d(const void *data, int dt, int64_t i)
{
    return dt == GI_F64 ? ((const double *)data)[i]
                        : (double)gi_load_f(data, dt, i);
}

/* The 16-bit encoding of v in dtype dt (GI_F16 or GI_BF16). */
GI_HOSTDEV uint16_t gi_half_bits(int dt, float v)
{
    return dt == GI_F16 ? gi_f32_to_f16(v) : gi_f32_to_bf16(v);
}

/* The value of 16-bit encoding h in dtype dt (GI_F16 or GI_BF16). */
GI_HOSTDEV float gi_half_value(int dt, uint16_t h)
{
    return dt == GI_F16 ? gi_f16_to_f32(h) : gi_bf16_to_f32(h);
}

/* data[i] = v in dtype dt: float32 stores v, the 16-bit types round it
 * once, float64 widens it exactly. */
GI_HOSTDEV void gi_store_f(void *data, int dt, int64_t i, float v)
{
    switch (dt) {
    case GI_F64: ((double *)data)[i] = (double)v; return;
    case GI_F32: ((float *)data)[i] = v; return;
    default: ((uint16_t *)data)[i] = gi_half_bits(dt, v);
    }
}

/* data[i] = v: a float64 stores v; the others take (float)v first, as
 * PyTorch converts a double to float16 through float. */
GI_HOSTDEV void gi_store_d(void *data, int dt, int64_t i, double v)
{
    if (dt == GI_F64)
        ((double *)data)[i] = v;
    else
        gi_store_f(data, dt, i, (float)v);
}

/* The largest finite value of dtype dt. */
GI_HOSTDEV double gi_dtype_max(int dt)
{
    switch (dt) {
    case GI_F64: return DBL_MAX;
    case GI_F32: return FLT_MAX;
    default: return gi_half_value(dt, dt == GI_F16 ? 0x7bffu : 0x7f7fu);
    }
}

/* Most elements in a work item: 16 bytes of float16. */
#define GI_ITEM_MAX 8

/* Values v[0..per) of the law job's elements first.., per = the item's
 * elements, which is a whole number of the law's blocks: the blocks
 * (skip + first) / law_per on; values past n are computed and dropped. A
 * shard's run may start mid-block: then each element's block is its own
 * (ELEMENT). A float law (BLOCK gi_law_block, ELEMENT gi_law_element) or
 * a float64 one (gi_law_block64, gi_law_element64), one body. The store
 * clamps a 16-bit job's values to [lo, hi] (gi_store_law). */
#define GI_JOB_LAW_VALUES_DEFINE_(SUFFIX, T, BLOCK, ELEMENT)                  \
    GI_HOSTDEV void gi_job_law_values##SUFFIX(const gi_fill_job *job,         \
                                              int64_t first, int per, T *v)   \
    {                                                                         \
        const gi_law *law = &job->u.law;                                      \
        const int law_per = gi_law_elems_per_block(law);                      \
        const uint64_t e = (uint64_t)(job->skip + first);                     \
        if (e % (uint64_t)law_per != 0) {                                     \
            for (int k = 0; k < per; ++k)                                     \
                v[k] = ELEMENT(law, job->pos.seed, job->pos.stream,           \
                               job->pos.offset, e + (uint64_t)k);             \
            return;                                                           \
        }                                                                     \
        const uint64_t block = job->pos.offset + e / (uint64_t)law_per;       \
        for (int k = 0; k < per; k += law_per) {                              \
            uint32_t bits[4];                                                 \
            gi_block(job->pos.seed, job->pos.stream,                          \
                     block + (uint64_t)(k / law_per), bits);                  \
            BLOCK(law, bits, v + k);                                          \
        }                                                                     \
    }

GI_JOB_LAW_VALUES_DEFINE_(, float, gi_law_block, gi_law_element)
GI_JOB_LAW_VALUES_DEFINE_(64, double, gi_law_block64, gi_law_element64)

/* A float law's value as a 16-bit job stores it: clamped to the job's
 * [lo, hi] (representable, so the rounding that follows keeps it). */
GI_HOSTDEV float gi_job_clamp(const gi_fill_job *job, float v)
{
    return v < job->lo ? job->lo : v > job->hi ? job->hi : v;
}

/* Values of elements first.. (count of them, at most GI_ITEM_MAX) of a
 * job other than a law or sparse_, in the compute type T of its dtype:
 * the maps read the current elements (and the second tensor's); an index
 * fill takes the global index, skip + i, of a shard's run. */
#define GI_JOB_VALUES_DEFINE_(SUFFIX, T, LOAD)                                \
    GI_HOSTDEV void gi_job_other_values##SUFFIX(const gi_fill_job *job,       \
                                                int64_t first, int count,     \
                                                T *v)                         \
    {                                                                         \
        for (int k = 0; k < count; ++k) {                                     \
            const int64_t i = first + k;                                      \
            switch (job->kind) {                                              \
            case GI_JOB_MAP:                                                  \
                v[k] = gi_map_apply##SUFFIX(&job->u.map,                      \
                                            LOAD(job->data, job->dtype, i));  \
                break;                                                        \
            case GI_JOB_MAP2:                                                 \
                v[k] = gi_map_apply2##SUFFIX(                                 \
                    &job->u.map, LOAD(job->data, job->dtype, i),              \
                    LOAD(job->other, job->other_dtype, i));                   \
                break;                                                        \
            default:                                                          \
                v[k] = (T)gi_index_value(&job->u.index, i + job->skip);       \
            }                                                                 \
        }                                                                     \
    }

GI_JOB_VALUES_DEFINE_(, float, gi_load_f)
GI_JOB_VALUES_DEFINE_(64, double, gi_load_d)

/* The first block of sparse_'s zeros: the one after the normal fill's
 * of the whole matrix. */
GI_HOSTDEV uint64_t gi_job_zeros_offset(const gi_fill_job *job)
{
    const uint64_t per = (uint64_t)gi_law_elems_per_block(&job->u.law);
    const uint64_t n = (uint64_t)(job->sparse.rows * job->sparse.cols);
    return job->pos.offset + (n + per - 1) / per;
}

/* Column c of sparse_'s box (the whole matrix but for a shard's job),
 * every element written once: the normal fill of u.law from pos at the
 * element's index in the matrix, or 0 where the selection walk over the
 * blocks that follow the fill's picks the row. The walk runs from row 0
 * whatever the box's first row. Together the columns equal the normal
 * fill followed by gi_job_sparse_zeros for every column. */
GI_HOSTDEV void gi_job_sparse_column(const gi_fill_job *job, int64_t lc)
{
    const gi_job_sparse s = job->sparse;
    const int64_t c = s.c0 + lc, end = s.r0 + job->n / s.lcols;
    const gi_philox_pos p = job->pos;
    const uint64_t zeros_offset = gi_job_zeros_offset(job);
    gi_sparse_walk w = {{0}, s.zeros};
    for (int64_t r = 0; r < end; ++r) {
        const int64_t i = r * s.cols + c, local = (r - s.r0) * s.lcols + lc;
        int zero = w.needed > 0 &&
                   gi_sparse_pick(&w, s.rows, c, r, p.seed, p.stream,
                                  zeros_offset);
        if (r < s.r0)
            continue;
        if (zero)
            gi_store_d(job->data, job->dtype, local, 0.0);
        else if (job->dtype == GI_F64)
            gi_store_d(job->data, job->dtype, local,
                       gi_law_element64(&job->u.law, p.seed, p.stream,
                                        p.offset, (uint64_t)i));
        else
            gi_store_f(job->data, job->dtype, local,
                       gi_law_element(&job->u.law, p.seed, p.stream,
                                      p.offset, (uint64_t)i));
    }
}

/* The k zeros of column c written over a finished normal fill of the
 * whole matrix (the CPU's sparse_); the walk stops at the last one. */
GI_HOSTDEV void gi_job_sparse_zeros(const gi_fill_job *job, int64_t c)
{
    const int64_t rows = job->sparse.rows, cols = job->sparse.cols;
    const gi_philox_pos p = job->pos;
    const uint64_t zeros_offset = gi_job_zeros_offset(job);
    gi_sparse_walk w = {{0}, job->sparse.zeros};
    for (int64_t r = 0; r < rows && w.needed > 0; ++r)
        if (gi_sparse_pick(&w, rows, c, r, p.seed, p.stream, zeros_offset))
            gi_store_d(job->data, job->dtype, r * cols + c, 0.0);
}

#endif
