/* Private structures shared by the host-side sources. Not installed. */
#ifndef GINIT_INTERNAL_H
#define GINIT_INTERNAL_H

#include "../shared/fill_job.h"
#include "../torchgen/torchgen.h"
#include "ginit.h"

/* ---- errors ------------------------------------------------------------ */

/* Records "fn: message" as this thread's last error and returns status. */
gi_status gi_fail(gi_status status, const char *fn, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* "s" unless n is 1, for counts in messages: "%d dimension%s" reads
 * "1 dimension", "2 dimensions". */
static inline const char *gi_plural(int64_t n)
{
    return n == 1 ? "" : "s";
}

/* The common first check of public functions. */
#define GI_CHECK_NULL(ptr, fn)                                                \
    do {                                                                      \
        if ((ptr) == NULL)                                                    \
            return gi_fail(GI_ERR_NULL_ARGUMENT, fn, "argument '%s' is NULL", \
                           #ptr);                                             \
    } while (0)

/* Ends a printing call that wrote to f (written: 0 when a write failed):
 * flushes what it wrote, since a buffered stream reports most failures (a
 * full disk, /dev/full) only when its buffer goes out, then checks the
 * stream's error indicator. GI_OK, or GI_ERR_IO with a message naming fn. */
gi_status gi_finish_write(FILE *f, int written, const char *fn);

/* ---- enumerations ----------------------------------------------------------- */

/* Whether a value is one of its list's: the bound checks come from the
 * lists themselves (GI_DTYPE_LIST and the others in ginit.h). */
#define GI_LIST_CASE_(name, ...) case name:
#define GI_LIST_MEMBER_FN_(fn, type, list)                                    \
    static inline int fn(int v)                                               \
    {                                                                         \
        switch ((type)v) {                                                    \
            list(GI_LIST_CASE_) return 1;                                     \
        }                                                                     \
        return 0;                                                             \
    }
GI_LIST_MEMBER_FN_(gi_dtype_known, gi_dtype, GI_DTYPE_LIST)
GI_LIST_MEMBER_FN_(gi_compare_known, gi_compare, GI_COMPARE_LIST)
GI_LIST_MEMBER_FN_(gi_init_kind_known, gi_init_kind, GI_INIT_KIND_LIST)
GI_LIST_MEMBER_FN_(gi_generator_kind_known, gi_generator_kind,
                   GI_GENERATOR_KIND_LIST)
GI_LIST_MEMBER_FN_(gi_torch_kernels_known, gi_torch_kernels,
                   GI_TORCH_KERNELS_LIST)
GI_LIST_MEMBER_FN_(gi_torch_trunc_known, gi_torch_trunc, GI_TORCH_TRUNC_LIST)

/* Bytes of one element of a known dtype. */
size_t gi_dtype_size(gi_dtype dtype);

/* ---- backends ------------------------------------------------------------ */

/* What each device provides. `state` is the backend's private context.
 * Pointers given to the device functions are device memory of that backend;
 * `host` pointers are ordinary memory. Every function returns a gi_status
 * and records an error message naming `fn`, the public function. */
struct gi_backend_ops {
    const char *name; /* "cpu" or "cuda" */
    gi_status (*alloc)(void *state, size_t bytes, void **out, const char *fn);
    void (*release)(void *state, void *ptr);
    gi_status (*to_host)(void *state, void *host, const void *src,
                         size_t bytes, const char *fn);
    gi_status (*from_host)(void *state, void *dst, const void *host,
                           size_t bytes, const char *fn);
    gi_status (*copy)(void *state, void *dst, const void *src, size_t bytes,
                      const char *fn);
    /* Every job of jobs[0..njobs) (each with n > 0, random ones with
     * their position set) in one pass over them all: one parallel loop on
     * the CPU, one kernel on the GPU (with a table upload for more than
     * one job). All or nothing: nothing is written on failure. */
    gi_status (*run_jobs)(void *state, const gi_fill_job *jobs,
                          int64_t njobs, const char *fn);
    /* y = x w^T (+ b) (then max(., 0) when relu) in dtype: x rows x in,
     * w out x in, b out or NULL, y rows x out, all row-major. */
    gi_status (*linear)(void *state, gi_dtype dtype, const void *x,
                        const void *w, const void *b, void *y, int64_t rows,
                        int64_t in, int64_t out, int relu, const char *fn);
    /* In place on a row-major rows x cols matrix of N(0, 1) values (rows,
     * cols >= 1) of dtype: the orthogonal factor of torch's orthogonal_,
     * times gain (see orthogonal.h). Every element of data is written. */
    gi_status (*orthogonalize)(void *state, gi_dtype dtype, void *data,
                               int64_t rows, int64_t cols, double gain,
                               const char *fn);
    gi_status (*synchronize)(void *state, const char *fn);
    void (*set_num_threads)(void *state, int num_threads);
    void (*destroy)(void *state);
};

/* CPU backend: always present. */
gi_status gi_cpu_backend_create(void **state);
extern const struct gi_backend_ops gi_cpu_backend;

/* CUDA backend: present when built with CUDA. probe() says whether GPU
 * `ordinal` is usable and writes a one-line reason either way. */
gi_status gi_cuda_backend_probe(int ordinal, char *info, size_t cap);
/* The caller's stream for a context (a cudaStream_t; NULL is the default
 * stream), or no such struct: a stream of the context's own. */
typedef struct gi_cuda_stream {
    void *stream;
} gi_cuda_stream;
gi_status gi_cuda_backend_create(void **state, int ordinal,
                                 const gi_cuda_stream *stream,
                                 const char *fn);
/* The stream a CUDA state's work goes to. */
void *gi_cuda_backend_stream(void *state);
/* gi_context_check_memory's device check: for a CUDA state, device or
 * managed memory of its GPU; for NULL (a CPU context), anything but
 * device-only memory. */
gi_status gi_cuda_check_memory(void *state, const void *data, size_t bytes,
                               const char *fn);
extern const struct gi_backend_ops gi_cuda_backend;

/* ---- objects ------------------------------------------------------------ */

/* Kind philox uses seed, stream and offset; kind torch_cpu uses torch,
 * kernels and trunc (seed, stream and offset stay 0). */
struct gi_generator_st {
    gi_generator_kind kind;
    uint64_t seed;
    uint64_t stream;
    uint64_t offset;
    gi_tg_state torch;
    gi_tg_kernels kernels;
    gi_torch_trunc trunc;
    int owned_by_context; /* the default generator: freed with its context */
};

_Static_assert((int)GI_TG_AVX2 == (int)GI_TORCH_KERNELS_AVX2 &&
                   (int)GI_TG_DEFAULT == (int)GI_TORCH_KERNELS_DEFAULT,
               "torchgen's kernels mirror gi_torch_kernels");

struct gi_context_st {
    int refs; /* the caller's handle plus one per live storage */
    gi_device device;
    char info[192];
    const struct gi_backend_ops *ops;
    void *state;
    int ordinal; /* the GPU's number on a CUDA context; 0 on the CPU */
    int num_threads; /* gi_context_set_num_threads's, for host work here */
    struct gi_generator_st generator;
};

typedef struct gi_storage {
    int refs; /* one per tensor or view using it */
    gi_context ctx;
    void *data; /* NULL when it holds no element */
    size_t bytes;
    int external;          /* the caller's memory, not the backend's */
    gi_release_fn release; /* external: how it goes back, or NULL */
    void *release_data;
    void *external_data;   /* external: the caller's pointer, even when
                              data is NULL */
} gi_storage;

struct gi_tensor_st {
    gi_storage *storage;
    int64_t offset; /* in elements from storage->data */
    int64_t numel;
    int ndim;
    int64_t shape[GI_MAX_DIMS];
    gi_dtype dtype;
    int param; /* a module's weight or bias: only its module frees it */
    gi_shard_info shard; /* gi_tensor_set_shard's; kind NONE: no shard */
};

/* ---- shards (shard.c, docs/shards.md) ------------------------------------ */

/* Elements of t's global tensor (t's own for an ordinary tensor). */
int64_t gi_global_numel(gi_tensor t);

/* Whether t is a shard holding less than its whole global tensor. */
int gi_partial_shard(gi_tensor t);

/* GI_ERR_UNSUPPORTED naming fn and what (an initializer's name) when t
 * is a partial shard, whose fill needs the whole tensor. */
gi_status gi_refuse_partial_shard(gi_tensor t, const char *what,
                                  const char *fn);

/* The shape the initializers read for t's fans, eye_ and dirac_: the
 * global tensor's (*ndim sizes at *shape, borrowed from t). */
void gi_global_shape(gi_tensor t, int *ndim, const int64_t **shape);

/* One run of a shard: len elements, contiguous in t from local and in
 * the global tensor from global. */
typedef struct gi_shard_run {
    int64_t local, global, len;
} gi_shard_run;

/* Runs of t (one for an ordinary tensor), and run r of them. */
int64_t gi_shard_runs(gi_tensor t);
gi_shard_run gi_shard_run_at(gi_tensor t, int64_t r);

/* The number of elements of a shape into *numel: GI_ERR_SHAPE (ndim
 * outside [0, GI_MAX_DIMS], a negative size), GI_ERR_NULL_ARGUMENT (shape
 * NULL with ndim > 0) or GI_ERR_OVERFLOW (elements of elem bytes beyond
 * PTRDIFF_MAX bytes, or sizes whose nonzero product overflows), naming
 * fn, as every tensor's creation checks it. */
gi_status gi_shape_numel(int ndim, const int64_t *shape, size_t elem,
                         int64_t *numel, const char *fn);

/* A new handle on all of t's elements, sharing its storage: an ordinary
 * tensor even when t is a module's parameter. */
gi_status gi_tensor_alias(gi_tensor *out, gi_tensor t, const char *fn);

/* A tensor whose elements are not initialized: for outputs that are
 * written whole right away. */
gi_status gi_tensor_new(gi_tensor *out, gi_context ctx, gi_dtype dtype,
                        int ndim, const int64_t *shape, const char *fn);

/* A tensor over the caller's memory at data (gi_tensor_from_blob's
 * semantics, after its argument checks): the shape is checked, then the
 * memory (gi_context_check_memory); release(data, user_data) runs when
 * the last view goes. Nothing is released on failure. */
gi_status gi_tensor_adopt(gi_tensor *out, gi_context ctx, void *data,
                          gi_dtype dtype, int ndim, const int64_t *shape,
                          gi_release_fn release, void *user_data,
                          const char *fn);

/* Whether bytes of memory at data (aligned to elem bytes; NULL only when
 * bytes is 0) can be ctx's: on a GPU, device memory of its own device
 * (cudaPointerGetAttributes); on the CPU, memory the host can address
 * (device-only memory is refused where CUDA can tell). The error names
 * fn's argument 'data'. */
gi_status gi_context_check_memory(gi_context ctx, const void *data,
                                  size_t bytes, size_t elem, const char *fn);

/* Puts back a message gi_last_error() gave, after a call whose failure
 * is not the caller's to see. */
void gi_restore_error(const char *message);

void gi_context_retain(gi_context ctx);
void gi_context_release(gi_context ctx);

/* Bytes of t's elements: at most PTRDIFF_MAX, as its creation checked. */
size_t gi_tensor_nbytes(gi_tensor t);

/* Pointer to t's first element (device memory); NULL when empty. */
void *gi_tensor_data(gi_tensor t);

/* v as the nearest value of dtype, as PyTorch converts a Python float
 * (to float16 and bfloat16 through float). */
double gi_dtype_round(gi_dtype dtype, double v);

/* gi_tensor_copy_ with messages naming fn. */
gi_status gi_copy_tensor(gi_tensor dst, gi_tensor src, const char *fn);

/* True when a and b have the same shape. */
int gi_same_shape(gi_tensor a, gi_tensor b);

/* True when a and b share memory without being the very same elements. */
int gi_tensors_overlap(gi_tensor a, gi_tensor b);

/* Checks that t is not NULL; the error names fn/arg. */
gi_status gi_check_tensor(gi_tensor t, const char *fn, const char *arg);

/* Resolves a NULL generator to the tensor context's default. */
gi_generator gi_resolve_generator(gi_tensor t, gi_generator gen);

/* Applies m to every element of t after checking t; zero elements: no-op. */
gi_status gi_run_map(gi_tensor t, const gi_map *m, const char *fn);

/* Runs the one job on t's context (no generator: jobs that draw nothing). */
gi_status gi_run_job(gi_tensor t, gi_fill_job *job, const char *fn);

/* ---- planned fills (init_plan.c and the initializers) --------------------- */

/* Jobs over t's elements: nothing; every element `value` (converted to
 * t's dtype); `law` (a float64 law for a float64 t, a float law for the
 * others, which a 16-bit t rounds at the store, clamped to [lo, hi]);
 * map(x); map(x, other); an index fill. */
void gi_job_nothing(gi_fill_job *job);
void gi_job_constant(gi_fill_job *job, gi_tensor t, double value);
void gi_job_law(gi_fill_job *job, gi_tensor t, const gi_law *law, float lo,
                float hi);
void gi_job_map(gi_fill_job *job, gi_tensor t, const gi_map *map);
void gi_job_map2(gi_fill_job *job, gi_tensor t, gi_tensor other,
                 const gi_map *map);
void gi_job_index(gi_fill_job *job, gi_tensor t, const gi_index_law *index);

/* The job that writes n elements of from (device memory of from_dtype),
 * converted as copy_ converts them (relu: their relu), into to (of
 * to_dtype): for the backends' own buffers, which are no tensors.
 * Returns 1, or 0 with nothing written to *job when n is 0 (no job). */
int gi_job_convert(gi_fill_job *job, void *to, int to_dtype,
                   const void *from, int from_dtype, int64_t n, int relu);

/* U[a, b) for checked a <= b; a == b is the constant a + 0 (no Philox
 * draws). Refused (naming fn) when t's dtype holds no value in [a, b).
 * The job records uniform_(a, b) as its PyTorch call; gi_job_normal's
 * records normal_(mean, std). */
gi_status gi_job_uniform(gi_fill_job *job, gi_tensor t, double a, double b,
                         const char *fn);

/* N(mean, std^2) truncated to [a, b], arguments checked by the caller
 * except the interval's probability and the values' range, which this
 * checks; narrow intervals get their own law (GI_LAW_TRUNC_NARROW). */
gi_status gi_job_trunc_normal(gi_fill_job *job, gi_tensor t, double mean,
                              double std, double a, double b, const char *fn);

/* The QR step of a planned orthogonal_ (orthogonal.c): the plan's job
 * jobs[draw] draws the normal matrix into work, the QR turns work into Q
 * times gain, and store then copies it into the tensor, converted to its
 * dtype, in the plan's one pass. */
typedef struct gi_qr_step {
    gi_tensor work;    /* owned: gi_qr_step_release; NULL when no step */
    int64_t draw;      /* the draw job's index in the plan's jobs */
    double gain;
    gi_fill_job store;
} gi_qr_step;

/* Runs jobs[0..njobs) on ctx's device: each random job draws from gen at
 * the offset the ones before it left, as if they ran one by one. Empty
 * jobs are dropped (jobs is reordered); all run as one backend pass. gen
 * advances on success only. */
gi_status gi_run_jobs(gi_context ctx, gi_fill_job *jobs, int64_t njobs,
                      gi_generator gen, const char *fn);

/* gi_run_jobs with the QR steps qrs[0..nqr) of the plan: positions are
 * set for every job first; then each step's draw and QR run, into its
 * workspace only, and its draw job becomes its store job; then the one
 * pass writes every tensor. A failure anywhere writes no tensor and
 * leaves gen. The steps stay the caller's to release. */
gi_status gi_run_plan(gi_context ctx, gi_fill_job *jobs, int64_t njobs,
                      gi_qr_step *qrs, int64_t nqr, gi_generator gen,
                      const char *fn);

/* gi_run_plan for a torch_cpu gen (init_torch.c): the jobs' PyTorch calls
 * computed on the host in order, on a copy of gen's state, uploaded, the
 * QR steps run on their workspaces, then all stored with the other jobs
 * by one pass; refused (GI_ERR_UNSUPPORTED) when a job draws without a
 * PyTorch call, or a call or a QR step's tensor is not float32. All or
 * nothing, as gi_run_plan. */
gi_status gi_run_plan_torch(gi_context ctx, gi_fill_job *jobs,
                            int64_t njobs, gi_qr_step *qrs, int64_t nqr,
                            gi_generator gen, const char *fn);

/* The non-empty jobs of jobs[0..njobs) (reordered) run by one backend
 * pass. */
gi_status gi_run_live_jobs(gi_context ctx, gi_fill_job *jobs, int64_t njobs,
                           const char *fn);

/* PyTorch's seed of a fresh process (torch.initial_seed()). */
#define GI_TORCH_DEFAULT_SEED UINT64_C(67280421310721)

/* A fresh generator state of a known kind (gi_context_set_generator_kind),
 * keeping owned_by_context. */
void gi_generator_reset(gi_generator gen, gi_generator_kind kind,
                        uint64_t seed);

/* "float" for float32 (as the messages have always said), else the
 * dtype's name. */
const char *gi_range_name(gi_dtype dtype);

/* A float64 law constructor's verdict (laws64.h) as t's job, or as a
 * message naming fn. */
gi_status gi_job64(gi_fill_job *job, gi_tensor t, int verdict,
                   const gi_law *law, double value, const char *fn);

/* Whether v, converted to dtype (gi_dtype_round), is finite. */
int gi_dtype_finite(gi_dtype dtype, double v);

/* Refuses a finite scalar beyond dtype's largest finite value (PyTorch's
 * "cannot be converted ... without overflow"); infinities and NaN pass. */
gi_status gi_check_scalar(gi_dtype dtype, double v, const char *arg,
                          const char *fn);

/* [*lo, *hi], the store bounds (fill_job.h) of a law into t that keeps
 * to [a, b], or [a, b) when open: t's values inside (+-inf for float32
 * and float64). Refused, naming fn, when there is none (only a 16-bit
 * dtype can have none). */
gi_status gi_law_bounds(gi_tensor t, double a, double b, int open, float *lo,
                        float *hi, const char *fn);


/* N(mean, std^2) for checked finite mean and std >= 0, refused when a
 * value could pass t's dtype's range: the message names mean and std, or
 * for arg non-NULL the argument of the public function (of value `value`)
 * that gave std. */
gi_status gi_job_normal(gi_fill_job *job, gi_tensor t, double mean,
                        double std, const char *arg, double value,
                        const char *fn);

/* Runs one planned job on t's context with gen (NULL: the default). */
gi_status gi_fill_planned(gi_tensor t, gi_fill_job *job, gi_generator gen,
                          const char *fn);

/* The same with the job's QR step (qr->work NULL: none), which it
 * releases. */
gi_status gi_fill_planned_qr(gi_tensor t, gi_fill_job *job, gi_qr_step *qr,
                             gi_generator gen, const char *fn);

/* The plans of the initializers: each checks t and its arguments exactly
 * as the public function does (messages naming fn) and describes the fill
 * in *job, writing nothing and drawing nothing. The public initializers
 * are a plan then gi_fill_planned. */
gi_status gi_plan_uniform(gi_tensor t, double a, double b, gi_fill_job *job,
                          const char *fn);
gi_status gi_plan_normal(gi_tensor t, double mean, double std,
                         gi_fill_job *job, const char *fn);
gi_status gi_plan_constant(gi_tensor t, double value, gi_fill_job *job,
                           const char *fn);
gi_status gi_plan_xavier(gi_tensor t, double gain, int normal,
                         gi_fill_job *job, const char *fn);
gi_status gi_plan_kaiming(gi_tensor t, double a, gi_fan_mode mode,
                          gi_nonlinearity nl, int normal, gi_fill_job *job,
                          const char *fn);
gi_status gi_plan_variance_scaling(gi_tensor t, double scale,
                                   gi_fan_mode mode,
                                   gi_distribution distribution,
                                   gi_fill_job *job, const char *fn);
gi_status gi_plan_trunc_normal(gi_tensor t, double mean, double std,
                               double a, double b, gi_fill_job *job,
                               const char *fn);
gi_status gi_plan_mixture(gi_tensor t, int k, const gi_component *components,
                          gi_fill_job *job, const char *fn);
gi_status gi_plan_eye(gi_tensor t, gi_fill_job *job, const char *fn);
gi_status gi_plan_dirac(gi_tensor t, int64_t groups, gi_fill_job *job,
                        const char *fn);
gi_status gi_plan_sparse(gi_tensor t, double sparsity, double std,
                         gi_fill_job *job, const char *fn);
/* orthogonal_ also needs a QR step, *qr (work NULL for an empty t), which
 * holds its workspace; on failure there is none. */
gi_status gi_plan_orthogonal(gi_tensor t, double gain, gi_fill_job *job,
                             gi_qr_step *qr, const char *fn);

/* A step's draw (*draw, positioned, n > 0) and QR on ctx, then *draw =
 * qr->store. */
gi_status gi_run_qr_step(gi_context ctx, gi_fill_job *draw, gi_qr_step *qr,
                         const char *fn);
void gi_qr_step_release(gi_qr_step *qr);

/* Refuses a QR in a dtype other than float32 and float64 (the backends'
 * orthogonalize members). */
gi_status gi_check_qr_dtype(gi_dtype dtype, const char *fn);

/* Refuses a descriptor whose kind is not a gi_init_kind; arg names the
 * argument ("spec", "weight"). */
gi_status gi_check_init_kind(const gi_init *spec, const char *arg,
                             const char *fn);

/* The plan of spec's initializer for t (spec non-NULL), with its QR step
 * in *qr (work NULL for the kinds that have none); errors as that
 * initializer's, an unknown kind naming arg. */
gi_status gi_plan_init(gi_tensor t, const gi_init *spec, const char *arg,
                       gi_fill_job *job, gi_qr_step *qr, const char *fn);

#endif
