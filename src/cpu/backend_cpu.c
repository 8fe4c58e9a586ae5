/* The CPU backend: host memory, OpenMP loops over the shared transforms. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "../core/alloc.h"
#include "cpu_fill.h"
#include "cpu_convert.h"
#include "cpu_fill64.h"
#include "cpu_threads.h"
#include "../core/internal.h"
#include "../init/orthogonal.h"
#include "../shared/store.h"

/* Below this many elements a loop runs on one thread: forking costs more. */
#define GI_CPU_PARALLEL_MIN 32768

typedef struct cpu_state {
    int num_threads; /* 0: OpenMP's default */
} cpu_state;

static int threads_for(const cpu_state *s, int64_t n)
{
    return n < GI_CPU_PARALLEL_MIN ? 1 : gi_cpu_team(s->num_threads);
}

gi_status gi_cpu_backend_create(void **state)
{
    if (!gi_cpu_threads_init())
        return gi_fail(GI_ERR_OUT_OF_MEMORY, "gi_context_create",
                       "cannot register the CPU backend's fork handlers");
    cpu_state *s = gi_calloc(1, sizeof *s);
    if (s == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, "gi_context_create",
                       "cannot allocate the CPU backend state");
    *state = s;
    return GI_OK;
}

static void cpu_destroy(void *state)
{
    free(state);
}

static void cpu_set_num_threads(void *state, int num_threads)
{
    ((cpu_state *)state)->num_threads = num_threads;
}

static gi_status cpu_alloc(void *state, size_t bytes, void **out,
                           const char *fn)
{
    (void)state;
    if (bytes == 0) {
        *out = NULL;
        return GI_OK;
    }
    /* aligned_alloc takes a multiple of the alignment, which must still be
     * an object size (at most PTRDIFF_MAX) */
    if (bytes > (size_t)PTRDIFF_MAX - 63)
        return gi_fail(GI_ERR_OVERFLOW, fn,
                       "%zu bytes rounded up to a multiple of 64 exceed "
                       "PTRDIFF_MAX", bytes);
    void *p = gi_aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (p == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "cannot allocate %zu bytes of host memory", bytes);
    *out = p;
    return GI_OK;
}

static void cpu_release(void *state, void *ptr)
{
    (void)state;
    free(ptr);
}

static gi_status cpu_copy(void *state, void *dst, const void *src,
                          size_t bytes, const char *fn)
{
    (void)state;
    (void)fn;
    memmove(dst, src, bytes);
    return GI_OK;
}

static gi_status cpu_synchronize(void *state, const char *fn)
{
    (void)state;
    (void)fn;
    return GI_OK;
}

/* One loop per kind, each with the kind a constant, so that the switch in
 * gi_map_apply folds away and the loop vectorizes. */
#define GI_MAP_CASE(KIND)                                                     \
    case KIND: {                                                              \
        const gi_map k = {KIND, m.cmp, m.a, m.b};                             \
        for (int64_t i = 0; i < n; ++i)                                       \
            data[i] = gi_map_apply(&k, data[i]);                              \
        return;                                                               \
    }

static void map_range(gi_map m, float *data, int64_t n)
{
    switch (m.kind) {
    GI_MAP_CASE(GI_MAP_FILL)
    GI_MAP_CASE(GI_MAP_ADD)
    GI_MAP_CASE(GI_MAP_MUL)
    GI_MAP_CASE(GI_MAP_CLAMP)
    GI_MAP_CASE(GI_MAP_RELU)
    default:
        for (int64_t i = 0; i < n; ++i)
            data[i] = gi_map_apply(&m, data[i]);
    }
}

/* The forward's product is cut into tiles by its shape alone, each tile
 * one single-threaded SGEMM call (BLAS held to one thread) that whichever
 * thread runs it computes the same way: OpenBLAS's SGEMM sums in an order
 * that depends on how a product is split, and its own threads split it by
 * their number. Large tiles keep the cost of the cut small (OpenBLAS packs
 * each call's operands anew: on one thread, 256 x 256 tiles cost 12-14% at
 * 4096^3, 512 x 2048 ones 1-5%); a large product still gets GI_CPU_TILES
 * of them, so that up to that many threads share it evenly. */
#define GI_CPU_TILE_ROWS 512
#define GI_CPU_TILE_OUT 2048
#define GI_CPU_TILES 16
/* Multiply-adds a tile is worth (a few tenths of a millisecond on one
 * core): smaller products get fewer tiles. */
#define GI_CPU_TILE_MACS (1 << 24)
/* Cuts stop at tiles this wide (outputs), then this tall (rows). */
#define GI_CPU_TILE_MIN_OUT 256
#define GI_CPU_TILE_MIN_ROWS 64

/* Below this many multiply-adds a forward runs on one thread: OpenBLAS's
 * own threshold for starting its threads (65536 x 4). */
#define GI_CPU_GEMM_PARALLEL_MIN 262144

static int64_t ceil_div(int64_t a, int64_t b)
{
    return (a + b - 1) / b;
}

/* The tile sides (*tile_rows, *tile_out) for rows x in -> out, all >= 1
 * but in: parts of at most the largest tile, then cut more, outputs first,
 * while the product has fewer tiles than it is worth. */
static void tile_sides(int64_t rows, int64_t in, int64_t out,
                       int64_t *tile_rows, int64_t *tile_out)
{
    int64_t pr = ceil_div(rows, GI_CPU_TILE_ROWS);
    int64_t po = ceil_div(out, GI_CPU_TILE_OUT);
    double worth = (double)rows * (double)out * (double)in / GI_CPU_TILE_MACS;
    int64_t want = worth < GI_CPU_TILES ? (int64_t)worth : GI_CPU_TILES;
    while (pr * po < want) {
        if (out / (2 * po) >= GI_CPU_TILE_MIN_OUT)
            po *= 2;
        else if (rows / (2 * pr) >= GI_CPU_TILE_MIN_ROWS)
            pr *= 2;
        else
            break;
    }
    *tile_rows = ceil_div(rows, pr);
    *tile_out = ceil_div(out, po);
}

/* y = x w^T (+ b) (then relu), in float32 or float64 (f64), cut into
 * tiles numbered row by row. */
typedef struct linear_tiles {
    const void *x, *w, *b;
    void *y;
    int64_t rows, in, out;
    int relu, f64;
    int64_t tile_rows, tile_out, across; /* across: tiles along out */
} linear_tiles;

/* One tile of nr x no outputs from (r0, o0), in T by GEMM (cblas_sgemm
 * or cblas_dgemm): y starts as b in every row, then one GEMM adds x w^T
 * (beta = 1); without a bias beta = 0 and y is not read. */
#define GI_LINEAR_TILE_DEFINE_(SUFFIX, T, GEMM)                               \
    static void tile_gemm##SUFFIX(const linear_tiles *l, int64_t r0,          \
                                  int64_t o0, int64_t nr, int64_t no)         \
    {                                                                         \
        static const gi_map relu = {GI_MAP_RELU, 0, 0.0, 0.0};                \
        const T *x = l->x, *w = l->w, *b = l->b;                              \
        T *y = (T *)l->y + r0 * l->out + o0;                                  \
        if (b != NULL || l->in == 0)                                          \
            for (int64_t r = 0; r < nr; ++r)                                  \
                for (int64_t o = 0; o < no; ++o)                              \
                    y[r * l->out + o] = b != NULL ? b[o0 + o] : (T)0;         \
        if (l->in > 0)                                                        \
            GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nr, (int)no,   \
                 (int)l->in, (T)1, x + r0 * l->in, (int)l->in,                \
                 w + o0 * l->in, (int)l->in, b != NULL ? (T)1 : (T)0, y,      \
                 (int)l->out);                                                \
        if (l->relu)                                                          \
            for (int64_t r = 0; r < nr; ++r)                                  \
                for (int64_t o = 0; o < no; ++o)                              \
                    y[r * l->out + o] =                                       \
                        gi_map_apply##SUFFIX(&relu, y[r * l->out + o]);       \
    }

GI_LINEAR_TILE_DEFINE_(, float, cblas_sgemm)
GI_LINEAR_TILE_DEFINE_(64, double, cblas_dgemm)

/* Tile t, whichever thread runs it. */
static void linear_tile(const linear_tiles *l, int64_t t)
{
    const int64_t r0 = t / l->across * l->tile_rows;
    const int64_t o0 = t % l->across * l->tile_out;
    const int64_t nr = l->rows - r0 < l->tile_rows ? l->rows - r0
                                                   : l->tile_rows;
    const int64_t no = l->out - o0 < l->tile_out ? l->out - o0 : l->tile_out;
    if (l->f64)
        tile_gemm64(l, r0, o0, nr, no);
    else
        tile_gemm(l, r0, o0, nr, no);
}

static int linear_threads(const cpu_state *s, int64_t tiles, int64_t outputs,
                          int64_t in)
{
    if (tiles < 2 ||
        outputs < ceil_div(GI_CPU_GEMM_PARALLEL_MIN, in > 0 ? in : 1))
        return 1;
    int t = gi_cpu_team(s->num_threads);
    return t < tiles ? t : (int)tiles;
}

/* The forward in float32 or float64 (f64), its tiles cut by the shape
 * alone whatever the dtype. */
static void run_linear(const cpu_state *s, int f64, const void *x,
                       const void *w, const void *b, void *y, int64_t rows,
                       int64_t in, int64_t out, int relu)
{
    int64_t tr, to;
    tile_sides(rows, in, out, &tr, &to);
    const linear_tiles l = {x, w, b, y, rows, in, out, relu, f64, tr, to,
                            ceil_div(out, to)};
    const int64_t tiles = ceil_div(rows, tr) * l.across;
    const int threads = linear_threads(s, tiles, rows * out, in);
    gi_blas_hold hold;
    gi_blas_hold_begin(&hold);
    if (threads == 1) { /* small forwards are common: no team of one */
        for (int64_t t = 0; t < tiles; ++t)
            linear_tile(&l, t);
    } else { /* tiles go to whichever thread is free: one that lost its
              * core (to OpenBLAS's spinning workers, another process) does
              * not hold the others up, and no value depends on who runs a
              * tile */
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
        for (int64_t t = 0; t < tiles; ++t)
            linear_tile(&l, t);
    }
    gi_blas_hold_end(&hold);
}

/* The jobs run in chunks, each a stretch of one job's elements that one
 * thread fills, the same elements whichever loop runs it: a chunk of
 * Philox blocks for a law (GI_CPU_CHUNK_BLOCKS; element i takes its value
 * from block pos.offset + i / per, docs/rng.md), a map's stretch for the
 * others. sparse_ is its normal fill in chunks, then its zeros column by
 * column. */
static int64_t chunk_elems(const gi_fill_job *job)
{
    return gi_job_random(job)
               ? GI_CPU_CHUNK_BLOCKS * gi_law_elems_per_block(&job->u.law)
               : GI_CPU_PARALLEL_MIN;
}

/* Elements [first, first + count) of a job that neither draws nor has a
 * faster path below, item by item through the shared store step
 * (store.h). */
static void chunk_by_items(const gi_fill_job *job, int64_t first,
                           int64_t count)
{
    const int per = (int)gi_job_item_elems(job);
    for (int64_t i = first; i < first + count; i += per) {
        const int c = first + count - i < per ? (int)(first + count - i) : per;
        if (gi_job_double(job)) {
            double v[GI_ITEM_MAX];
            gi_job_other_values64(job, i, c, v);
            for (int k = 0; k < c; ++k)
                gi_store_d(job->data, job->dtype, i + k, v[k]);
        } else {
            float v[GI_ITEM_MAX];
            gi_job_other_values(job, i, c, v);
            for (int k = 0; k < c; ++k)
                gi_store_f(job->data, job->dtype, i + k, v[k]);
        }
    }
}

/* A 16-bit map computes in float pieces of this many elements, which the
 * bulk conversions (cpu_convert.c) load and store. */
#define GI_CPU_PIECE (GI_CPU_CHUNK_BLOCKS * 4)

static void load16(int dtype, const void *data, int64_t first, int64_t count,
                   float *v)
{
    const uint16_t *in = (const uint16_t *)data + first;
    if (dtype == GI_F16)
        gi_cpu_f16_to_f32(in, v, count);
    else
        gi_cpu_bf16_to_f32(in, v, count);
}

static void store16(int dtype, void *data, int64_t first, int64_t count,
                    const float *v)
{
    uint16_t *out = (uint16_t *)data + first;
    if (dtype == GI_F16)
        gi_cpu_f32_to_f16(v, out, count);
    else
        gi_cpu_f32_to_bf16(v, out, count);
}

/* One piece of a map in a 16-bit tensor: its float values, then the
 * store step. */
static void piece16(const gi_fill_job *job, int64_t first, int64_t count)
{
    float v[GI_CPU_PIECE];
    if (job->u.map.kind != GI_MAP_FILL) /* a fill reads nothing */
        load16(job->dtype, job->data, first, count, v);
    map_range(job->u.map, v, count);
    store16(job->dtype, job->data, first, count, v);
}

/* copy_ between float32 and a 16-bit type, or within one dtype. */
static int copy_chunk(const gi_fill_job *job, int64_t first, int64_t count)
{
    const int to = job->dtype, from = job->other_dtype;
    const size_t size = (size_t)gi_elem_size(to);
    if (job->kind != GI_JOB_MAP2 || job->u.map.kind != GI_MAP_COPY)
        return 0;
    if (to == from)
        memcpy((char *)job->data + first * size,
               (const char *)job->other + first * size, count * size);
    else if (from == GI_F32 && to != GI_F64)
        store16(to, job->data, first, count,
                (const float *)job->other + first);
    else if (to == GI_F32 && from != GI_F64)
        load16(from, job->other, first, count, (float *)job->data + first);
    else
        return 0;
    return 1;
}

/* Elements [first, first + count) of a random job, at most a chunk: a
 * shard's run may start mid-block, and its elements up to the next
 * block are computed one by one; the rest, from a block's first element
 * on, take the vector paths. */
static void law_chunk(const gi_fill_job *job, int64_t first, int64_t count)
{
    const gi_law *l = &job->u.law;
    const gi_philox_pos p = job->pos;
    const int64_t per = gi_law_elems_per_block(l), e = job->skip + first;
    const int64_t gap = (per - e % per) % per;
    const int64_t head = gap < count ? gap : count;
    const int dt = job->dtype;
    for (int64_t k = 0; k < head; ++k) {
        const uint64_t g = (uint64_t)(e + k);
        if (dt == GI_F64)
            ((double *)job->data)[first + k] =
                gi_law_element64(l, p.seed, p.stream, p.offset, g);
        else
            gi_store_f(job->data, dt, first + k,
                       gi_job_clamp(job, gi_law_element(l, p.seed, p.stream,
                                                        p.offset, g)));
    }
    first += head;
    count -= head;
    const uint64_t offset = p.offset + (uint64_t)((e + head) / per);
    if (count == 0)
        return;
    if (dt == GI_F64)
        gi_cpu_fill_chunk64(l, p.seed, p.stream, offset, 0, count,
                            (double *)job->data + first);
    else if (dt == GI_F32)
        gi_cpu_fill_chunk(l, p.seed, p.stream, offset, 0, count,
                          (float *)job->data + first);
    else /* a 16-bit law, which rounds in the fill's loop */
        gi_cpu_fill_chunk16(l, p.seed, p.stream, offset, 0, count, dt,
                            job->lo, job->hi, (uint16_t *)job->data + first);
}

/* How far a shard's run starts past a chunk boundary of its whole fill:
 * its chunks keep to the whole fill's, so that only the first one starts
 * mid-block and the others fill whole vectors. */
static int64_t chunk_phase(const gi_fill_job *job)
{
    return gi_job_random(job) ? job->skip % chunk_elems(job) : 0;
}

static int64_t chunk_count(const gi_fill_job *job, int64_t n)
{
    const int64_t step = chunk_elems(job), phase = chunk_phase(job);
    return n > 0 ? (n + phase + step - 1) / step : 0;
}

/* Chunk c of a job. */
static void run_chunk(const gi_fill_job *job, int64_t c)
{
    const int64_t step = chunk_elems(job), phase = chunk_phase(job);
    const int64_t first = c > 0 ? c * step - phase : 0;
    const int64_t end = (c + 1) * step - phase;
    const int64_t count = (job->n < end ? job->n : end) - first;
    const int random = gi_job_random(job), dt = job->dtype;
    const gi_map *m = &job->u.map;
    if (job->kind == GI_JOB_MAP && m->kind == GI_MAP_FILL && m->a == 0.0 &&
        !signbit(m->a)) /* +0 is all zero bits in every dtype */
        memset((char *)job->data + first * gi_elem_size(dt), 0,
               (size_t)count * (size_t)gi_elem_size(dt));
    else if (random)
        law_chunk(job, first, count);
    else if (job->kind == GI_JOB_MAP && dt == GI_F32)
        map_range(*m, (float *)job->data + first, count);
    else if (job->kind == GI_JOB_MAP && dt != GI_F64)
        for (int64_t p = first; p < first + count; p += GI_CPU_PIECE)
            piece16(job, p, first + count - p < GI_CPU_PIECE
                                ? first + count - p : GI_CPU_PIECE);
    else if (!copy_chunk(job, first, count))
        chunk_by_items(job, first, count);
}

/* A device's fill can fail before it writes anything (a GPU launch that
 * finds no resources). Fault-injection builds make the CPU's random fills
 * fail there too, as an allocation would, so that the tests prove a failed
 * fill leaves its tensor as it was; other builds never fail here. */
static gi_status fill_may_start(const gi_fill_job *jobs, int64_t njobs,
                                const char *fn)
{
    int random = 0;
    for (int64_t j = 0; j < njobs; ++j)
        random |= gi_job_random(&jobs[j]);
    if (random && gi_fault_hit(0))
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "cannot start the fill (injected failure)");
    return GI_OK;
}

/* sparse_'s zeros over its finished normal fill; a shard's box, which
 * no chunk filled, whole, column by column. */
static void sparse_columns(const cpu_state *s, const gi_fill_job *jobs,
                         int64_t njobs)
{
    for (int64_t j = 0; j < njobs; ++j) {
        const gi_fill_job *job = &jobs[j];
        if (job->kind != GI_JOB_SPARSE)
            continue;
        if (gi_job_sparse_box(job)) {
#pragma omp parallel for num_threads(threads_for(s, job->n))
            for (int64_t c = 0; c < job->sparse.lcols; ++c)
                gi_job_sparse_column(job, c);
            continue;
        }
        if (job->sparse.zeros == 0)
            continue;
#pragma omp parallel for num_threads(threads_for(s, job->n))
        for (int64_t c = 0; c < job->sparse.cols; ++c)
            gi_job_sparse_zeros(job, c);
    }
}

/* All jobs' chunks in one parallel loop: first[j] numbers job j's first
 * chunk, so each iteration finds its job and fills that chunk of it. One
 * job needs no table. Once started, nothing can fail: all or nothing. */
static gi_status cpu_run_jobs(void *state, const gi_fill_job *jobs,
                              int64_t njobs, const char *fn)
{
    gi_status st = fill_may_start(jobs, njobs, fn);
    if (st != GI_OK)
        return st;
    int64_t one[2] = {0, 0};
    int64_t *first =
        njobs == 1 ? one : gi_malloc((size_t)(njobs + 1) * sizeof *first);
    if (first == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "cannot allocate the chunk table of %lld fills",
                       (long long)njobs);
    int64_t elems = 0;
    first[0] = 0;
    for (int64_t j = 0; j < njobs; ++j) {
        /* a shard's box of sparse_ is filled column by column, below */
        const int box = jobs[j].kind == GI_JOB_SPARSE &&
                        gi_job_sparse_box(&jobs[j]);
        first[j + 1] = first[j] + chunk_count(&jobs[j], box ? 0 : jobs[j].n);
        elems += jobs[j].n;
    }
    const int64_t chunks = first[njobs];
#pragma omp parallel for num_threads(threads_for(state, elems)) schedule(static)
    for (int64_t c = 0; c < chunks; ++c) {
        const int64_t j = gi_job_of(first, njobs, c);
        run_chunk(&jobs[j], c - first[j]);
    }
    if (first != one)
        free(first);
    sparse_columns(state, jobs, njobs);
    return GI_OK;
}

/* A 16-bit forward as PyTorch computes one: the operands widened to
 * float32 (exactly), the float32 forward (products and sums in float32,
 * the bias and relu included), then one rounding to the output's dtype
 * at the store. OpenBLAS has no 16-bit GEMM. x and w are widened whole,
 * once, rather than tile by tile: every tile along a row of tiles reads
 * the same rows of x, every tile down a column the same rows of w. The
 * conversions are copy_ jobs (store.h's rounding, in parallel), the
 * product the float32 tiles: the same bits for every thread count. */
static gi_status linear16(cpu_state *s, gi_dtype dtype, const void *x,
                          const void *w, const void *b, void *y,
                          int64_t rows, int64_t in, int64_t out, int relu,
                          const char *fn)
{
    const int64_t nx = rows * in, nw = out * in, nb = b != NULL ? out : 0;
    const double elems = (double)nx + (double)nw + (double)nb +
                         (double)(rows * out);
    float *fx = elems * sizeof(float) < (double)PTRDIFF_MAX
                    ? gi_malloc((size_t)elems * sizeof(float))
                    : NULL;
    if (fx == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "cannot allocate the float32 copies of a %s forward "
                       "(%.0f elements)", gi_dtype_name(dtype), elems);
    float *fw = fx + nx, *fb = fw + nw, *fy = fb + nb;
    gi_fill_job jobs[3];
    int n = 0;
    n += gi_job_convert(&jobs[n], fx, GI_F32, x, dtype, nx, 0);
    n += gi_job_convert(&jobs[n], fw, GI_F32, w, dtype, nw, 0);
    n += gi_job_convert(&jobs[n], fb, GI_F32, b, dtype, nb, 0);
    gi_status st = n > 0 ? cpu_run_jobs(s, jobs, n, fn) : GI_OK;
    if (st == GI_OK) {
        run_linear(s, 0, fx, fw, b != NULL ? fb : NULL, fy, rows, in, out,
                   relu);
        gi_job_convert(&jobs[0], y, dtype, fy, GI_F32, rows * out, 0);
        st = cpu_run_jobs(s, jobs, 1, fn);
    }
    free(fx);
    return st;
}

static gi_status cpu_linear(void *state, gi_dtype dtype, const void *x,
                            const void *w, const void *b, void *y,
                            int64_t rows, int64_t in, int64_t out, int relu,
                            const char *fn)
{
    if (dtype == GI_F16 || dtype == GI_BF16)
        return linear16(state, dtype, x, w, b, y, rows, in, out, relu, fn);
    run_linear(state, dtype == GI_F64, x, w, b, y, rows, in, out, relu);
    return GI_OK;
}

/* LAPACK's QR on one thread: its blocked steps are BLAS calls whose sums,
 * split over OpenBLAS's threads, would depend on their number. */
static gi_status cpu_orthogonalize(void *state, gi_dtype dtype, void *data,
                                   int64_t rows, int64_t cols, double gain,
                                   const char *fn)
{
    (void)state;
    gi_status st = gi_check_qr_dtype(dtype, fn);
    if (st != GI_OK)
        return st;
    gi_blas_hold hold;
    gi_blas_hold_begin(&hold);
    st = gi_cpu_orthogonalize(dtype, data, rows, cols, gain, fn);
    gi_blas_hold_end(&hold);
    return st;
}

const struct gi_backend_ops gi_cpu_backend = {
    .name = "cpu",
    .alloc = cpu_alloc,
    .release = cpu_release,
    .to_host = cpu_copy,
    .from_host = cpu_copy,
    .copy = cpu_copy,
    .run_jobs = cpu_run_jobs,
    .linear = cpu_linear,
    .orthogonalize = cpu_orthogonalize,
    .synchronize = cpu_synchronize,
    .set_num_threads = cpu_set_num_threads,
    .destroy = cpu_destroy,
};
