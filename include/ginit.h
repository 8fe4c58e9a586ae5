/*
 * ginit — PyTorch's parameter-initialization workflow for C and CUDA.
 *
 * This header is the whole public API. Conventions, stated once:
 *
 *  - Every object is an opaque handle. Constructors write it through an OUT
 *    parameter and return a gi_status; destroy functions accept NULL.
 *  - Every call that can fail returns a gi_status. On failure,
 *    gi_last_error() (thread-local) says which function, which argument and
 *    which value were at fault, and every object is left as it was: a failed
 *    fill does not touch the tensor and does not advance the generator.
 *  - The library never aborts, exits or prints on its own. Only the printing
 *    functions write, and only to the FILE* they are given, which they
 *    flush before returning so that a failed write (a full disk) is
 *    reported as GI_ERR_IO rather than lost in the stream's buffer.
 *  - Threads: one context (and everything created from it) is used by one
 *    thread at a time; different contexts may be used from different threads
 *    freely. A generator too is used by one thread at a time, and a
 *    context's default generator belongs to its context (see Random number
 *    generators). gi_last_error() is per thread.
 *  - Names ending in '_' modify their tensor in place, as in torch.nn.init.
 */
#ifndef GINIT_H
#define GINIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this header; gi_version() tells the library's, which a
 * program linked against a shared libginit may find newer (the soname
 * changes with the major version, so an older one will not load). */
#define GINIT_VERSION_MAJOR 0
#define GINIT_VERSION_MINOR 2
#define GINIT_VERSION_PATCH 0
#define GINIT_VERSION_NUMBER                                                  \
    (GINIT_VERSION_MAJOR * 10000 + GINIT_VERSION_MINOR * 100 +                \
     GINIT_VERSION_PATCH)

/* Marks the exported functions; everything else in the library is hidden. */
#if defined(_WIN32)
#define GI_API
#elif defined(__GNUC__)
#define GI_API __attribute__((visibility("default")))
#else
#define GI_API
#endif

/* Maximum number of tensor dimensions. */
#define GI_MAX_DIMS 8

/* Deepest nesting of Sequentials in one module tree. */
#define GI_MAX_NESTING 100

/* "To the end" for gi_tensor_slice's stop, like Python's t[start:]. */
#define GI_END INT64_MAX

/* ------------------------------------------------------------------------ */
/* Status codes                                                              */
/* ------------------------------------------------------------------------ */

/* One list, expanded into the enum and into gi_status_string(). */
#define GI_STATUS_LIST(X)                                                     \
    X(GI_OK, 0, "success")                                                    \
    X(GI_ERR_NULL_ARGUMENT, 1, "a required pointer argument is NULL")         \
    X(GI_ERR_INVALID_ARGUMENT, 2, "invalid argument value")                   \
    X(GI_ERR_OUT_OF_RANGE, 3, "index out of range")                           \
    X(GI_ERR_SHAPE, 4, "invalid or mismatched shape")                         \
    X(GI_ERR_OVERFLOW, 5, "size overflows the addressable range")             \
    X(GI_ERR_UNSUPPORTED, 6, "not supported")                                 \
    X(GI_ERR_OUT_OF_MEMORY, 7, "out of memory")                               \
    X(GI_ERR_DEVICE_UNAVAILABLE, 8, "requested device is not usable")         \
    X(GI_ERR_CONTEXT_MISMATCH, 9, "objects belong to different contexts")     \
    X(GI_ERR_STATE, 10, "object is in the wrong state for this call")         \
    X(GI_ERR_CUDA, 11, "CUDA runtime error")                                  \
    X(GI_ERR_CUBLAS, 12, "cuBLAS error")                                      \
    X(GI_ERR_CUSOLVER, 13, "cuSOLVER error")                                  \
    X(GI_ERR_LAPACK, 14, "LAPACK error")                                      \
    X(GI_ERR_IO, 15, "input/output error")                                    \
    X(GI_ERR_INTERNAL, 16, "internal error")                                  \
    X(GI_ERR_FORMAT, 17, "malformed file or exchanged tensor")               \
    X(GI_ERR_PEER, 18, "another process of a collective call failed")

typedef enum gi_status {
#define GI_STATUS_ENUM_(name, value, text) name = value,
    GI_STATUS_LIST(GI_STATUS_ENUM_)
#undef GI_STATUS_ENUM_
} gi_status;

/* The run-time library's version, "0.2.0", and the same as
 * GINIT_VERSION_NUMBER computes it (major * 10000 + minor * 100 + patch):
 * compare gi_version_number() with GINIT_VERSION_NUMBER to see that the
 * library a program loaded is the one it was compiled for. Never fail. */
GI_API const char *gi_version(void);
GI_API int gi_version_number(void);

/* Short fixed text for a status ("out of memory"); never NULL. */
GI_API const char *gi_status_string(gi_status status);

/* Name of a status ("GI_ERR_OUT_OF_MEMORY"); never NULL. */
GI_API const char *gi_status_name(gi_status status);

/* The message of the most recent failed call on this thread, e.g.
 * "gi_normal_: std must be >= 0, got -1". Successful calls leave it as it
 * was. Empty string if nothing has failed yet. Valid until the next failing
 * call on this thread. */
GI_API const char *gi_last_error(void);

/* Sets this thread's gi_last_error() message to the printf-style text
 * (cut at 511 bytes) and returns status: for code built on ginit (a
 * gi_apply_fn, a companion library such as ginit_mpi) that reports its
 * failures the way ginit does. A NULL fmt leaves the message empty. */
GI_API gi_status gi_set_error(gi_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ------------------------------------------------------------------------ */
/* Contexts and devices                                                      */
/* ------------------------------------------------------------------------ */

typedef struct gi_context_st *gi_context;
typedef struct gi_tensor_st *gi_tensor;
typedef struct gi_generator_st *gi_generator;

typedef enum gi_device {
    GI_DEVICE_AUTO = 0, /* the GPU when one is usable, else the CPU */
    GI_DEVICE_CPU = 1,
    GI_DEVICE_CUDA = 2  /* fails with GI_ERR_DEVICE_UNAVAILABLE without a GPU */
} gi_device;

/* "auto", "cpu" or "cuda"; never NULL. */
GI_API const char *gi_device_name(gi_device device);

/* Creates a context on a device. With GI_DEVICE_AUTO the environment
 * variable GINIT_DEVICE=cpu|cuda|auto, when set, overrides the choice; set
 * to the empty string it counts as unset.
 * The context owns a default generator seeded with 0. A CUDA context has
 * a stream of its own and allocates from a stream-ordered memory pool of
 * its own (the device's default pool, which belongs to the application,
 * is left as it is; a GPU without memory pools gets cudaMalloc). CUDA
 * errors ginit handles are cleared from the runtime's last error, so they
 * never resurface in a later call.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT (unknown
 * device or bad GINIT_DEVICE), GI_ERR_DEVICE_UNAVAILABLE (CUDA asked for but
 * not usable, or not built in), GI_ERR_OUT_OF_MEMORY, GI_ERR_CUDA. */
GI_API gi_status gi_context_create(gi_context *out, gi_device device);

/* gi_context_create on GPU `ordinal` (as numbered by cudaGetDeviceCount)
 * for multi-GPU programs; gi_context_create is ordinal 0. The context's
 * work always runs on its own GPU, whichever device the calling thread
 * has current, and every call gives that thread's current device back as
 * it found it. For GI_DEVICE_CPU the ordinal must be 0; with
 * GI_DEVICE_AUTO a missing or unusable GPU `ordinal` means the CPU.
 * Returns as gi_context_create, and GI_ERR_INVALID_ARGUMENT for a
 * negative ordinal (or a nonzero one with GI_DEVICE_CPU). */
GI_API gi_status gi_context_create_on(gi_context *out, gi_device device,
                                      int ordinal);

/* A CUDA context on GPU `ordinal` whose every kernel, copy, allocation,
 * cuBLAS and cuSOLVER call goes to the caller's `stream` (a cudaStream_t;
 * NULL is the legacy default stream), as cuBLAS's cublasSetStream does:
 * ginit creates no stream of its own and never synchronizes the device.
 * The stream stays the caller's: it must outlive the context and every
 * tensor made on it, and ginit never destroys it.
 *
 * Ordering with the caller's own work on the stream is stream order:
 *  - what the caller queued on the stream before a ginit call is done
 *    before ginit's work of that call starts (a fill sees the caller's
 *    writes), and what the caller queues after a ginit call returns runs
 *    after ginit's work (the caller's kernel sees the filled weights)
 *    with no synchronization in between;
 *  - work on other streams is not ordered with ginit's: make it wait
 *    (cudaStreamWaitEvent) or call gi_context_synchronize first;
 *  - ginit's memory is freed in stream order too (a destroyed tensor's
 *    memory may be reused by later work on the stream, never earlier).
 * Which calls block the host (on this context's stream only): the copies
 * to and from host memory (gi_tensor_copy_to_host, gi_tensor_copy_from_host,
 * pageable memory included: they return when the copy is done and the
 * buffer may be reused), the calls that read values back (gi_tensor_get,
 * gi_tensor_set, gi_tensor_item, printing and formatting), orthogonal_
 * (it reads the factorization's status back), copies between contexts,
 * gi_context_synchronize, destroying the last view over memory given with
 * a release function (gi_tensor_from_blob), and destroying the context.
 * Every other call (fills, initializers, a tree's gi_module_init_,
 * operations, copies within a context, the forward) only queues its work
 * and returns.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT (out), GI_ERR_INVALID_ARGUMENT
 * (negative ordinal, a stream that is not a live stream of that GPU),
 * GI_ERR_DEVICE_UNAVAILABLE (no usable GPU `ordinal`, or a build without
 * CUDA), GI_ERR_OUT_OF_MEMORY, GI_ERR_CUDA. */
GI_API gi_status gi_context_create_on_stream(gi_context *out, int ordinal,
                                             void *stream);

/* The CUDA stream a GPU context's work goes to (the caller's, or the one
 * the context created, which stays the context's), for ordering the
 * caller's own work with ginit's as above. Borrowed: valid while the
 * context lives. Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_UNSUPPORTED
 * (a CPU context has no stream). */
GI_API gi_status gi_context_stream(gi_context ctx, void **out);

/* Releases the caller's reference. Tensors created from the context keep it
 * alive until they are destroyed too. NULL is a no-op. */
GI_API void gi_context_destroy(gi_context ctx);

/* The device the context runs on (never GI_DEVICE_AUTO); GI_DEVICE_CPU for
 * NULL. */
GI_API gi_device gi_context_device(gi_context ctx);

/* Why the context got its device, e.g. "cpu: requested" or
 * "cpu: no CUDA driver found (CUDA driver version is insufficient for CUDA
 * runtime version), using cpu" or "cuda: NVIDIA H200 (sm_90, 132 SMs)".
 * Borrowed: valid while the context lives. "" for NULL. */
GI_API const char *gi_context_device_info(gi_context ctx);

/* Waits until the context's queued work is done: on a GPU, the work on
 * its stream (its own or the caller's: other streams and the rest of the
 * device are not waited for); on the CPU every call has finished when it
 * returns. Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_CUDA. */
GI_API gi_status gi_context_synchronize(gi_context ctx);

/* Number of CPU threads the context's CPU work may use (torch's
 * set_num_threads), BLAS and LAPACK included; 0 restores the default (the
 * OpenMP runtime's: all cores, or OMP_NUM_THREADS); more than 4 per core
 * are not started. Results never depend on it, nor on OMP_NUM_THREADS or
 * OpenBLAS's own thread setting: every fill, forward and orthogonal_ gives
 * the same bits under every setting.
 *
 * To that end ginit holds OpenBLAS to one thread of its own while it calls
 * it (a forward's GEMM runs as tiles on ginit's threads). OpenBLAS's
 * setting is process-wide: while a ginit call runs BLAS, BLAS calls that
 * other threads of the program make run on one thread too, and the
 * program's setting (openblas_set_num_threads) is restored when the last
 * such ginit call returns.
 *
 * fork(): the OpenMP runtime's threads do not survive it. In a child made
 * by fork() after a CPU context was created, ginit's CPU work runs on one
 * thread, whatever the setting, with the same results.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT (negative). */
GI_API gi_status gi_context_set_num_threads(gi_context ctx, int num_threads);

/* True (1) when a CUDA GPU is usable by this build, else 0. */
GI_API int gi_cuda_available(void);

/* ------------------------------------------------------------------------ */
/* Random number generators                                                  */
/* ------------------------------------------------------------------------ */
/*
 * A generator is of one of two kinds, fixed at its creation.
 *
 * GI_GENERATOR_PHILOX (the default, and every generator that
 * gi_generator_create makes) is the state (seed, stream, offset) of a
 * Philox4x32-10 counter stream, exactly as cuRAND defines Philox: key =
 * seed, counter = (offset + block, stream). It belongs to no device: the
 * same generator state gives bit-identical values on the CPU and on the
 * GPU. Each random fill of n elements starts at the current offset and
 * then advances it by a documented number of 128-bit blocks (docs/rng.md);
 * most laws use one block per four elements, so the offset advances by
 * ceil(n / 4).
 *
 * GI_GENERATOR_TORCH_CPU reproduces PyTorch's CPU generator bit for bit
 * (the Mersenne Twister MT19937 and PyTorch's own transforms, docs/rng.md):
 * after gi_manual_seed(ctx, s) on a context whose default generator is of
 * this kind (gi_context_set_generator_kind), gi_linear_create, LazyLinear's
 * first forward, gi_uniform_, gi_normal_, gi_trunc_normal_, gi_sparse_,
 * gi_orthogonal_ (bit for bit on the CPU with PyTorch's LAPACK, see
 * there), gi_rand, gi_randn, the xavier and kaiming initializers, and
 * gi_init_ / gi_module_init_ of those kinds give
 * the very float32 values PyTorch gives after torch.manual_seed(s) and the
 * same calls in the same order, on the CPU and on the GPU alike. Its fills
 * are computed on the host, in order (the draws on one thread, the
 * transforms after them on the context's threads, with the same bits):
 * on a CPU context straight into the tensors; on a GPU context through
 * host and device buffers of 4 MiB each, piece by piece, so a fill there
 * costs a host computation and an upload; a plan with orthogonal_'s QR
 * steps stages all its values (docs/rng.md). A fill may fail with
 * GI_ERR_OUT_OF_MEMORY for its buffers. Fills
 * with no PyTorch counterpart in this version are refused with
 * GI_ERR_UNSUPPORTED, writing nothing and drawing nothing:
 * variance_scaling_,
 * lecun_uniform_, lecun_normal_, mixtures, and every random fill of a
 * float64, float16 or bfloat16 tensor. Fills that draw nothing (constants,
 * eye_, dirac_) behave as with Philox.
 *
 * Threads: a generator is used by one thread at a time, like a context:
 * every fill advances its state, so fills (or setters) on one generator
 * from two threads at once race. The default generator
 * (gi_context_generator) belongs to its context and goes with it: only the
 * thread using the context uses it. An explicit generator may serve fills
 * on several contexts, one call at a time. Threads that fill in parallel
 * each take their own context and generator, e.g. one stream each
 * (gi_generator_set_stream) of one seed.
 */

/* Generator kinds, one list: value and name. */
#define GI_GENERATOR_KIND_LIST(X)                                             \
    X(GI_GENERATOR_PHILOX, 0, "philox")                                       \
    X(GI_GENERATOR_TORCH_CPU, 1, "torch_cpu")

typedef enum gi_generator_kind {
#define GI_GENERATOR_KIND_ENUM_(name, value, text) name = value,
    GI_GENERATOR_KIND_LIST(GI_GENERATOR_KIND_ENUM_)
#undef GI_GENERATOR_KIND_ENUM_
} gi_generator_kind;

/* "philox", "torch_cpu"; "unknown" otherwise. */
GI_API const char *gi_generator_kind_name(gi_generator_kind kind);

/* Which build of PyTorch's CPU kernels a torch_cpu generator reproduces:
 * PyTorch compiles them twice on x86-64 and the two round differently.
 * AVX2 (the default) is what PyTorch runs on AVX2 and AVX-512 machines;
 * DEFAULT is its default-capability build (ATEN_CPU_CAPABILITY=default,
 * and machines without AVX2). Their values differ in the last bit now
 * and then: the AVX2 build fuses multiply-adds, the other rounds each
 * step and calls the C library's logf, cosf and sinf. */
#define GI_TORCH_KERNELS_LIST(X)                                              \
    X(GI_TORCH_KERNELS_AVX2, 0, "avx2")                                       \
    X(GI_TORCH_KERNELS_DEFAULT, 1, "default")

typedef enum gi_torch_kernels {
#define GI_TORCH_KERNELS_ENUM_(name, value, text) name = value,
    GI_TORCH_KERNELS_LIST(GI_TORCH_KERNELS_ENUM_)
#undef GI_TORCH_KERNELS_ENUM_
} gi_torch_kernels;

/* Creates a Philox generator with the given seed, stream 0 and offset 0.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_OUT_OF_MEMORY. */
GI_API gi_status gi_generator_create(gi_generator *out, uint64_t seed);

/* Creates a generator of `kind`: Philox as gi_generator_create; torch_cpu
 * as torch.Generator().manual_seed(seed) (a negative int64 seed is passed
 * as its two's complement), with the AVX2 kernels. The caller owns it.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT (kind is
 * not a gi_generator_kind), GI_ERR_OUT_OF_MEMORY. */
GI_API gi_status gi_generator_create_kind(gi_generator *out,
                                          gi_generator_kind kind,
                                          uint64_t seed);

/* The kind of gen; GI_GENERATOR_PHILOX for NULL. */
GI_API gi_generator_kind gi_generator_kind_of(gi_generator gen);

/* NULL is a no-op. Must not be the default generator of a context. */
GI_API void gi_generator_destroy(gi_generator gen);

/* Philox: sets the seed and resets the offset to 0 (the stream is kept),
 * like torch.Generator.manual_seed. torch_cpu: torch.manual_seed(seed)
 * exactly (the twister reseeded, the normal cache cleared; the kernels
 * kept). Returns GI_OK, GI_ERR_NULL_ARGUMENT. */
GI_API gi_status gi_generator_set_seed(gi_generator gen, uint64_t seed);
/* Philox only: selects one of 2^64 independent streams for the same seed;
 * offset kept. Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_UNSUPPORTED (a
 * torch_cpu generator, which has no streams). */
GI_API gi_status gi_generator_set_stream(gi_generator gen, uint64_t stream);
/* Philox only: sets the offset in 128-bit Philox blocks. Returns GI_OK,
 * GI_ERR_NULL_ARGUMENT, GI_ERR_UNSUPPORTED (a torch_cpu generator). */
GI_API gi_status gi_generator_set_offset(gi_generator gen, uint64_t offset);

/* Getters; 0 for NULL. A torch_cpu generator's seed is
 * torch.initial_seed() (all 64 bits); its stream and offset are 0. */
GI_API uint64_t gi_generator_seed(gi_generator gen);
GI_API uint64_t gi_generator_stream(gi_generator gen);
GI_API uint64_t gi_generator_offset(gi_generator gen);

/* The bytes of a generator's state, to save it or move it. Philox: 24
 * bytes, the seed, stream and offset as little-endian uint64 in that
 * order. torch_cpu: exactly the 5056 bytes of torch.get_rng_state() (the
 * kernels are not part of the state), so a state can go from PyTorch to
 * ginit and back. *size receives the state's size; buf NULL only asks for
 * it. Returns GI_OK, GI_ERR_NULL_ARGUMENT (gen or size),
 * GI_ERR_INVALID_ARGUMENT (buf given with cap below the size; nothing is
 * written then, *size included). */
GI_API gi_status gi_generator_get_state(gi_generator gen, void *buf,
                                        size_t cap, size_t *size);

/* Sets gen's state from size bytes at buf laid out as gi_generator_get_
 * state writes them for gen's kind (for torch_cpu, torch.set_rng_state's
 * bytes). Every field is checked first; on failure gen is unchanged.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT (size is
 * not the kind's state size; a torch_cpu state whose words do not fit 32
 * bits, or whose position counters are outside MT19937's state). */
GI_API gi_status gi_generator_set_state(gi_generator gen, const void *buf,
                                        size_t size);

/* Which build of PyTorch's kernels a torch_cpu generator's fills
 * reproduce (GI_TORCH_KERNELS_AVX2 at creation). Returns GI_OK,
 * GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT (not a gi_torch_kernels),
 * GI_ERR_UNSUPPORTED (a Philox generator). */
GI_API gi_status gi_generator_set_torch_kernels(gi_generator gen,
                                                gi_torch_kernels kernels);

/* How a torch_cpu generator's gi_trunc_normal_ samples, after the
 * PyTorch versions that sample that way (gi_trunc_normal_ says what each
 * matches):
 *   INVERSE_CDF  PyTorch up to 2.11: one uniform per element, erfinv
 *   REJECTION    PyTorch 2.12 and later: normal_ redrawn outside [a, b],
 *                or, for intervals of probability 0.3 or less, uniform
 *                candidates accepted by their density */
#define GI_TORCH_TRUNC_LIST(X)                                                \
    X(GI_TORCH_TRUNC_INVERSE_CDF, 0, "inverse_cdf")                           \
    X(GI_TORCH_TRUNC_REJECTION, 1, "rejection")

typedef enum gi_torch_trunc {
#define GI_TORCH_TRUNC_ENUM_(name, value, text) name = value,
    GI_TORCH_TRUNC_LIST(GI_TORCH_TRUNC_ENUM_)
#undef GI_TORCH_TRUNC_ENUM_
} gi_torch_trunc;

/* Which trunc_normal_ method a torch_cpu generator reproduces
 * (GI_TORCH_TRUNC_INVERSE_CDF at creation and after
 * gi_context_set_generator_kind; not part of the state bytes). Returns
 * GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT (not a
 * gi_torch_trunc), GI_ERR_UNSUPPORTED (a Philox generator). */
GI_API gi_status gi_generator_set_torch_trunc(gi_generator gen,
                                              gi_torch_trunc method);

/* The context's default generator, used when a fill is given NULL.
 * Borrowed: valid while the context lives. NULL for NULL. */
GI_API gi_generator gi_context_generator(gi_context ctx);

/* Replaces the state of ctx's default generator by a fresh one of `kind`:
 * Philox as a new context has it (seed 0, stream 0, offset 0); torch_cpu
 * as a new torch.Generator() has it (seed 67280421310721, PyTorch's
 * default), with the AVX2 kernels. PyTorch seeds the default generator
 * of a new process at random: call gi_manual_seed, as a program that
 * wants PyTorch's values calls torch.manual_seed. Module creation, LazyLinear's
 * first forward and every fill given NULL then draw from it, in the order
 * of the calls. Returns GI_OK, GI_ERR_NULL_ARGUMENT,
 * GI_ERR_INVALID_ARGUMENT (kind is not a gi_generator_kind). */
GI_API gi_status gi_context_set_generator_kind(gi_context ctx,
                                               gi_generator_kind kind);

/* torch.manual_seed: reseeds the context's default generator
 * (gi_generator_set_seed). Returns GI_OK, GI_ERR_NULL_ARGUMENT. */
GI_API gi_status gi_manual_seed(gi_context ctx, uint64_t seed);

/* ------------------------------------------------------------------------ */
/* Tensors                                                                   */
/* ------------------------------------------------------------------------ */

/* Element types, one list: value, name, PyTorch's printed name, bytes per
 * element, safetensors code. Every tensor function, operation and
 * initializer takes all four. Arguments and element values travel as
 * double (Python's floats) and are converted as PyTorch converts them:
 * to float for float32, float16 and bfloat16 (the 16-bit types compute in
 * float and round once, to nearest even, when the element is stored; a
 * double goes to a 16-bit type through float, as in PyTorch), kept for
 * float64. */
#define GI_DTYPE_LIST(X)                                                      \
    X(GI_F32, 0, "float32", "torch.float32", 4, "F32")                        \
    X(GI_F64, 1, "float64", "torch.float64", 8, "F64")                        \
    X(GI_F16, 2, "float16", "torch.float16", 2, "F16")                        \
    X(GI_BF16, 3, "bfloat16", "torch.bfloat16", 2, "BF16")

typedef enum gi_dtype {
#define GI_DTYPE_ENUM_(name, value, text, torch, size, code) name = value,
    GI_DTYPE_LIST(GI_DTYPE_ENUM_)
#undef GI_DTYPE_ENUM_
} gi_dtype;

/* "float32", "float64", "float16", "bfloat16"; "unknown" otherwise. */
GI_API const char *gi_dtype_name(gi_dtype dtype);

/* Creates a contiguous row-major tensor of ndim (0..GI_MAX_DIMS) dimensions
 * on ctx's device, filled with zeros. shape may be NULL when ndim is 0.
 * The caller owns the tensor and destroys it with gi_tensor_destroy.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT (dtype is
 * not a gi_dtype), GI_ERR_SHAPE (negative size, too many dimensions),
 * GI_ERR_OVERFLOW (number of elements too large, bytes above PTRDIFF_MAX,
 * the largest object C can address, or the product of the nonzero sizes
 * too large even when a zero size empties it), GI_ERR_OUT_OF_MEMORY,
 * GI_ERR_CUDA. */
GI_API gi_status gi_tensor_create(gi_tensor *out, gi_context ctx, gi_dtype dtype,
                           int ndim, const int64_t *shape);

/* How memory the caller lent to a tensor goes back: called once, as
 * release(data, user_data) with gi_tensor_from_blob's data and user_data,
 * when the last tensor or view over that memory is destroyed, and only
 * after the context's queued work on it has finished (a GPU context's
 * stream is waited for first), so it may free the memory at once. It runs
 * on the thread that destroyed the last view, and must not destroy ginit
 * objects that still use the memory. */
typedef void (*gi_release_fn)(void *data, void *user_data);

/* torch.from_blob: a tensor of dtype and shape over memory the caller
 * owns, at data, contiguous and row-major; nothing is copied, and the
 * elements are used as they are (not zeroed). On a CPU context data is
 * host memory (device-only CUDA memory is refused where the CUDA runtime
 * can tell); on a GPU context it is device (or managed) memory of the
 * context's own GPU, checked with cudaPointerGetAttributes at the first
 * and the last byte. data must be aligned to the element size (2, 4 or
 * 8 bytes) and nothing more: fills, copies and the forward handle every
 * such address; it may be NULL only when the shape holds no element.
 *
 * Ownership: on success the tensor borrows the memory, and views of it
 * (gi_tensor_view_range carves one allocation into many parameters) share
 * it. release, when not NULL, gets it back when the last of them is
 * destroyed (see gi_release_fn); with NULL the caller keeps ownership
 * and must keep the memory alive until then. On failure nothing was
 * taken and release is never called.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT (out, ctx, or data with elements),
 * GI_ERR_INVALID_ARGUMENT (dtype not a gi_dtype, data misaligned, host
 * memory on a GPU context, device memory on the CPU or of another GPU),
 * GI_ERR_SHAPE, GI_ERR_OVERFLOW (as gi_tensor_create, or the bytes pass
 * the end of the address space), GI_ERR_OUT_OF_MEMORY, GI_ERR_CUDA. */
GI_API gi_status gi_tensor_from_blob(gi_tensor *out, gi_context ctx,
                                     void *data, gi_dtype dtype, int ndim,
                                     const int64_t *shape,
                                     gi_release_fn release, void *user_data);

/* Releases a tensor or a view. Storage shared with other views lives until
 * the last of them is destroyed. NULL is a no-op. A module's parameter
 * (gi_module_weight, gi_module_bias, the tensors named_parameters visits)
 * belongs to its module: destroying one is ignored, and gi_last_error()
 * says so (GI_ERR_STATE); views of it are ordinary tensors. */
GI_API void gi_tensor_destroy(gi_tensor t);

/* Shape queries; 0 / NULL for a NULL tensor. gi_tensor_shape is borrowed:
 * valid while the tensor lives, gi_tensor_ndim(t) entries. */
GI_API int gi_tensor_ndim(gi_tensor t);
GI_API int64_t gi_tensor_numel(gi_tensor t);
GI_API const int64_t *gi_tensor_shape(gi_tensor t);
/* Size of dimension dim (negative counts from the end); -1 if out of range. */
GI_API int64_t gi_tensor_size(gi_tensor t, int dim);
GI_API gi_dtype gi_tensor_dtype(gi_tensor t);
/* Borrowed: valid while the tensor lives. */
GI_API gi_context gi_tensor_context(gi_tensor t);

/* Copies between the tensor and a host buffer of exactly
 * numel * sizeof(element) bytes (nbytes is checked). Waits for completion.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_SHAPE (wrong nbytes),
 * GI_ERR_CUDA. */
GI_API gi_status gi_tensor_copy_from_host(gi_tensor t, const void *src, size_t nbytes);
GI_API gi_status gi_tensor_copy_to_host(gi_tensor t, void *dst, size_t nbytes);

/* dst[:] = src: same shape; the tensors may live on different devices and
 * have different dtypes (then each element is converted as PyTorch's
 * copy_ converts it: rounded to nearest even into a 16-bit type, NaN kept
 * NaN, overflow to +-inf).
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_SHAPE, GI_ERR_UNSUPPORTED,
 * GI_ERR_INVALID_ARGUMENT (views of one tensor that partly overlap),
 * GI_ERR_OUT_OF_MEMORY, GI_ERR_CUDA. */
GI_API gi_status gi_tensor_copy_(gi_tensor dst, gi_tensor src);

/* t.to(dtype): a new tensor on t's context holding t's elements converted
 * to dtype as gi_tensor_copy_ converts them; a copy even when dtype is t's.
 * The caller owns it. Returns GI_OK, GI_ERR_NULL_ARGUMENT,
 * GI_ERR_INVALID_ARGUMENT (dtype is not a gi_dtype), GI_ERR_OVERFLOW,
 * GI_ERR_OUT_OF_MEMORY, GI_ERR_CUDA. */
GI_API gi_status gi_tensor_to(gi_tensor *out, gi_tensor t, gi_dtype dtype);

/* One element by full index (nindex == ndim; negative indices count from the
 * end, as in Python): t[i, j] and t[i, j] = value, as a double (exact for
 * every dtype; a value set is converted to t's dtype as copy_ does, but a
 * finite value beyond the dtype's range is refused, as PyTorch's
 * t[i] = 1e5 on float16 is: "cannot be converted to float16 without
 * overflow"; inf and NaN are stored).
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_SHAPE (wrong nindex),
 * GI_ERR_OUT_OF_RANGE, GI_ERR_INVALID_ARGUMENT (set: the overflow),
 * GI_ERR_CUDA. */
GI_API gi_status gi_tensor_get(gi_tensor t, int nindex, const int64_t *index,
                        double *out);
GI_API gi_status gi_tensor_set(gi_tensor t, int nindex, const int64_t *index,
                        double value);
/* The value of a one-element tensor of any shape (torch's .item()).
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_SHAPE, GI_ERR_CUDA. */
GI_API gi_status gi_tensor_item(gi_tensor t, double *out);

/* Views share storage with their tensor: writes through one are seen by the
 * other. The caller owns the view handle and destroys it.
 *
 * t[index]: drops the leading dimension (a 1-D tensor gives a 0-D view).
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_SHAPE (0-D tensor),
 * GI_ERR_OUT_OF_RANGE, GI_ERR_OUT_OF_MEMORY. */
GI_API gi_status gi_tensor_select(gi_tensor *out, gi_tensor t, int64_t index);
/* t[start:stop] along the leading dimension, with Python's rules: negative
 * bounds count from the end, bounds are clamped, stop <= start is empty;
 * GI_END means "to the end". Returns GI_OK, GI_ERR_NULL_ARGUMENT,
 * GI_ERR_SHAPE (0-D tensor), GI_ERR_OUT_OF_MEMORY. */
GI_API gi_status gi_tensor_slice(gi_tensor *out, gi_tensor t, int64_t start,
                          int64_t stop);
/* t.view(shape) (torch's view / reshape; every ginit tensor is contiguous
 * and row-major, so every shape holding t's elements is a view): ndim
 * sizes of which one may be -1, inferred from the others. Returns GI_OK,
 * GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT (two -1), GI_ERR_SHAPE
 * (ndim outside [0, GI_MAX_DIMS], a size below -1, a shape of another
 * number of elements, or a -1 beside a zero size, which any size would
 * fit), GI_ERR_OVERFLOW, GI_ERR_OUT_OF_MEMORY. */
GI_API gi_status gi_tensor_view(gi_tensor *out, gi_tensor t, int ndim,
                                const int64_t *shape);
/* A view of t's elements [first, first + numel(shape)) in t's row-major
 * order, with shape (sizes >= 0): so one flat allocation can hold every
 * parameter of a model and each weight be a 2-D view of it, which the
 * fan-based initializers take by its own shape. Returns GI_OK,
 * GI_ERR_NULL_ARGUMENT, GI_ERR_SHAPE, GI_ERR_OVERFLOW, GI_ERR_OUT_OF_RANGE
 * (the range is not inside t), GI_ERR_OUT_OF_MEMORY. */
GI_API gi_status gi_tensor_view_range(gi_tensor *out, gi_tensor t,
                                      int64_t first, int ndim,
                                      const int64_t *shape);
/* t.data_ptr(): the address of t's first element, borrowed, for the
 * caller's own kernels and libraries: device memory for a tensor on a
 * GPU, host memory on the CPU; elements contiguous, row-major, of t's
 * dtype. *out is NULL for a tensor with no element. Valid while t or any
 * view of its storage lives. On a GPU, ginit's work runs on the context's
 * stream (gi_context_stream) and may still be running when a call
 * returns: work the caller queues on that same stream is ordered after
 * it; other streams and the host must wait for it first
 * (gi_context_synchronize, or an event on that stream).
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT. */
GI_API gi_status gi_tensor_data_ptr(gi_tensor t, void **out);
/* A new tensor with its own storage holding a copy of t (torch's clone()).
 * Returns as gi_tensor_create, plus GI_ERR_NULL_ARGUMENT. */
GI_API gi_status gi_tensor_clone(gi_tensor *out, gi_tensor t);

/* ------------------------------------------------------------------------ */
/* Shards: a tensor as part of a larger, global tensor (docs/shards.md)      */
/* ------------------------------------------------------------------------ */
/*
 * A shard's every initializer gives each element the value it has in the
 * global tensor filled at once (fans and gains from the global shape),
 * and advances the generator as that whole fill does, so processes that
 * fill their own shards from one generator state hold the whole tensor
 * bit for bit; eye_, dirac_ and sparse_ read the global shape and
 * indices too, and gi_module_init_ plans a tree's shards the same way.
 * orthogonal_ on a shard smaller than the global tensor, and any random
 * fill of a shard from a torch_cpu generator, are refused with
 * GI_ERR_UNSUPPORTED. Only the tensor the shard is set on is one: views,
 * clones, gi_tensor_to, DLPack and safetensors saves see an ordinary
 * tensor of the shard's own shape, and copy_ copies values only.
 * safetensors loads (gi_safetensors_load_into and the calls built on it)
 * take a shard from a file tensor of its global shape, reading only the
 * shard's elements, or from one of its own shape, whole.
 */
typedef enum gi_shard_kind {
    GI_SHARD_NONE = 0, /* an ordinary tensor */
    GI_SHARD_BOX = 1,  /* a box: start[d] .. start[d] + shape[d] */
    GI_SHARD_FLAT = 2  /* a range of the global row-major order */
} gi_shard_kind;

/* What gi_tensor_shard_info reports; for GI_SHARD_NONE, global_ndim and
 * global_shape are the tensor's own and the starts 0. */
typedef struct gi_shard_info {
    gi_shard_kind kind;
    int global_ndim;
    int64_t global_shape[GI_MAX_DIMS];
    int64_t start[GI_MAX_DIMS]; /* a box's corner; 0 for a flat range */
    int64_t flat_start; /* the global row-major index of element 0 */
} gi_shard_info;

/* Declares t the box of the global tensor (global_ndim sizes
 * global_shape, each >= 0) whose corner is start (global_ndim entries)
 * and whose extent is t's shape: global_ndim must equal t's ndim and
 * 0 <= start[d], start[d] + shape[d] <= global_shape[d]. Replaces an
 * earlier shard of t; t's elements are untouched. The arrays are read
 * during the call only. Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_SHAPE
 * (ndim mismatch, a negative global size), GI_ERR_OUT_OF_RANGE (the box
 * leaves the global tensor), GI_ERR_OVERFLOW (the global tensor's
 * elements overflow 64 bits); on failure t is unchanged. */
GI_API gi_status gi_tensor_set_shard(gi_tensor t, int global_ndim,
                                     const int64_t *global_shape,
                                     const int64_t *start);
/* Declares t the elements flat_start .. flat_start + numel(t) of the
 * global tensor (global_ndim sizes global_shape) in row-major order: an
 * FSDP-style flat shard; t may have any shape. Returns GI_OK,
 * GI_ERR_NULL_ARGUMENT, GI_ERR_SHAPE (global_ndim outside
 * [0, GI_MAX_DIMS], a negative global size), GI_ERR_OUT_OF_RANGE (the
 * range leaves the global tensor), GI_ERR_OVERFLOW; on failure t is
 * unchanged. */
GI_API gi_status gi_tensor_set_flat_shard(gi_tensor t, int global_ndim,
                                          const int64_t *global_shape,
                                          int64_t flat_start);
/* Writes t's shard into *out (the caller's struct). Returns GI_OK,
 * GI_ERR_NULL_ARGUMENT. */
GI_API gi_status gi_tensor_shard_info(gi_tensor t, gi_shard_info *out);
/* Makes t an ordinary tensor again. Returns GI_OK, GI_ERR_NULL_ARGUMENT. */
GI_API gi_status gi_tensor_clear_shard(gi_tensor t);

/* ------------------------------------------------------------------------ */
/* DLPack: tensors shared with other libraries without a copy                */
/* ------------------------------------------------------------------------ */
/*
 * A DLManagedTensor (DLPack 0.6 and later, <dlpack/dlpack.h>) carries a
 * tensor across libraries, PyTorch's torch.utils.dlpack among them: the
 * producer lends its memory and the consumer gives it back by calling the
 * capsule's deleter once. This header only names the struct: a program
 * that passes capsules along needs no DLPack header, one that reads their
 * fields includes <dlpack/dlpack.h>.
 */
struct DLManagedTensor;

/* Lends t's elements as a new DLManagedTensor in *out, without a copy:
 * data is gi_tensor_data_ptr's (NULL when t has no element), byte_offset
 * 0, device {kDLCPU, 0} or {kDLCUDA, the context's GPU}, dtype
 * {kDLFloat, 32, 1}, {kDLFloat, 64, 1}, {kDLFloat, 16, 1} or
 * {kDLBfloat, 16, 1}, shape t's, strides row-major, in elements (never
 * NULL; shape and strides are not NULL for a 0-D tensor either). Any
 * tensor exports: a view, a tensor over the caller's memory, a module's
 * parameter.
 *
 * Ownership: the capsule holds a view of t (manager_ctx), which keeps the
 * storage and the context alive, so t, its module and its context may be
 * destroyed before the consumer is done. The consumer owns *out and calls
 * (*out)->deleter(*out) exactly once, on a thread that may use t's
 * context at that moment (see Threads at the top); the deleter destroys
 * the view and frees the capsule. Writes through data are t's: on a GPU
 * the context's stream may still be writing the elements when this
 * returns, so call gi_context_synchronize before another stream or the
 * host reads them (as for gi_tensor_data_ptr), and ginit's later work on
 * the elements is ordered with the consumer's only by that stream.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_OUT_OF_MEMORY. */
GI_API gi_status gi_tensor_to_dlpack(gi_tensor t,
                                     struct DLManagedTensor **out);

/* Takes the DLManagedTensor m as a tensor on ctx in *out, without a copy:
 * its elements are at m->dl_tensor.data + byte_offset, row-major, of one
 * of the four dtypes. m is read as hostile input: every field is checked
 * first, and the tensor is refused, with a message naming the field and
 * its value, when
 *  - GI_ERR_FORMAT: no tensor could have it: ndim or a size negative,
 *    shape NULL with ndim > 0, data NULL with elements, byte_offset not
 *    a multiple of the element size;
 *  - GI_ERR_OVERFLOW: too many elements or bytes (as gi_tensor_create),
 *    or data + byte_offset, or the bytes after it, pass the end of the
 *    address space;
 *  - GI_ERR_UNSUPPORTED: valid DLPack that no ginit tensor holds: ndim
 *    above GI_MAX_DIMS, a dtype other than the four floats, lanes other
 *    than 1, strides that are not row-major contiguous ("only row-major
 *    contiguous tensors: m->dl_tensor.strides[1] is 1, want 4"; strides
 *    NULL means compact, and dimensions of size 1, or a tensor with no
 *    element, may carry any stride, as PyTorch's do), a device type other
 *    than kDLCPU, kDLCUDAHost, kDLCUDA and kDLCUDAManaged;
 *  - GI_ERR_INVALID_ARGUMENT: memory of another device than ctx's: a CPU
 *    context takes kDLCPU, kDLCUDAHost (pinned) and kDLCUDAManaged; a GPU
 *    context takes kDLCUDA with device_id its GPU, and kDLCUDAManaged;
 *    then the memory itself is checked as gi_tensor_from_blob checks it
 *    (alignment to the element size, and where CUDA can tell the kind of
 *    memory; those messages name data + byte_offset as 'data').
 *
 * Ownership: on success ginit owns m, and the tensor, and the views made
 * of it, use the producer's memory; m->deleter(m), when the deleter is
 * not NULL, runs once when the last of them is destroyed, after the
 * context's queued work on them has finished (see gi_release_fn, which
 * says on which thread). m must stay valid until then. On failure
 * nothing was taken: the caller still owns m and the deleter is not
 * called. The producer's writes must be finished, or ordered before the
 * context's stream, before a call uses the elements. A PyTorch capsule
 * ("dltensor") is renamed "used_dltensor" by its consumer, as DLPack
 * asks, so that its destructor leaves the deleter to ginit.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT (out, ctx, m), GI_ERR_FORMAT,
 * GI_ERR_OVERFLOW, GI_ERR_UNSUPPORTED, GI_ERR_INVALID_ARGUMENT,
 * GI_ERR_OUT_OF_MEMORY, GI_ERR_CUDA. */
GI_API gi_status gi_tensor_from_dlpack(gi_tensor *out, gi_context ctx,
                                       struct DLManagedTensor *m);

/* ------------------------------------------------------------------------ */
/* In-place elementwise operations (one kernel each on the GPU)              */
/* ------------------------------------------------------------------------ */

/* Comparisons for gi_masked_fill_, one list: value, what holds. The ABS_
 * forms compare |x|, each GI_ABS_LT places after its plain form. */
#define GI_COMPARE_LIST(X)                                                    \
    X(GI_LT, 0, "x < a")                                                      \
    X(GI_LE, 1, "x <= a")                                                     \
    X(GI_GT, 2, "x > a")                                                      \
    X(GI_GE, 3, "x >= a")                                                     \
    X(GI_EQ, 4, "x == a")                                                     \
    X(GI_NE, 5, "x != a")                                                     \
    X(GI_ABS_LT, 6, "|x| < a")                                                \
    X(GI_ABS_LE, 7, "|x| <= a")                                               \
    X(GI_ABS_GT, 8, "|x| > a")                                                \
    X(GI_ABS_GE, 9, "|x| >= a")

typedef enum gi_compare {
#define GI_COMPARE_ENUM_(name, value, text) name = value,
    GI_COMPARE_LIST(GI_COMPARE_ENUM_)
#undef GI_COMPARE_ENUM_
} gi_compare;

/* Each returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT (as
 * noted), GI_ERR_CUDA. Zero-element tensors are a no-op. They compute as
 * PyTorch 1.13's CPU kernels do, bit for bit (tests/data/ops_cases.txt):
 * the scalars are first converted to t's dtype (float16 and bfloat16
 * through float), a 16-bit tensor computes in float and rounds the result
 * once, float64 computes in double. A value that is written (fill_'s,
 * masked_fill_'s) and clamp_'s bounds are checked as PyTorch checks
 * them: a finite value beyond the dtype's largest finite value is
 * GI_ERR_INVALID_ARGUMENT even where it would round to it (65505 for
 * float16); infinities and NaN pass. add and mul scalars and thresholds
 * are not checked: they overflow to +-inf, as in PyTorch. */

/* t[:] = value (torch: t.fill_(value)). */
GI_API gi_status gi_fill_(gi_tensor t, double value);
/* t += value. */
GI_API gi_status gi_add_scalar_(gi_tensor t, double value);
/* t *= value. */
GI_API gi_status gi_mul_scalar_(gi_tensor t, double value);
/* t = min(max(t, lo), hi), NaN elements kept (torch.clamp_): lo > hi
 * gives hi everywhere, a NaN bound makes every element NaN; bounds that
 * overflow t's dtype are invalid. float16 follows PyTorch's CUDA kernel,
 * its CPU kernel having none in 1.13. */
GI_API gi_status gi_clamp_(gi_tensor t, double lo, double hi);
/* t[cmp(t, threshold)] = value (torch: t.masked_fill_(cmp, value)).
 * NaN threshold is invalid (a mask against NaN is all false, or all true
 * for GI_NE: a mistake, not a mask); cmp must be a gi_compare; value is
 * checked as the paragraph above says. */
GI_API gi_status gi_masked_fill_(gi_tensor t, gi_compare cmp, double threshold,
                          double value);
/* t *= cmp(t, threshold), the mask read as 1 or 0, exactly as torch
 * multiplies by a boolean tensor (so -3 * 0 gives -0 and NaN stays NaN).
 * The chapter's `w *= w.abs() >= 5` is gi_mul_mask_(w, GI_ABS_GE, 5). */
GI_API gi_status gi_mul_mask_(gi_tensor t, gi_compare cmp, double threshold);

/* Elementwise with a second tensor of the same shape on the same context:
 * t += alpha * other (torch: t.add_(other, alpha=alpha)) and t *= other.
 * other may have any dtype: as in PyTorch, the operation computes in the
 * promoted dtype (float64 if either is; float32 for float16 with
 * bfloat16; else their common dtype), alpha converted to it, and the
 * result is converted to t's dtype. add_ fuses its multiply-add (one
 * rounding), as PyTorch's float and double kernels do; float16 with
 * float16 rounds alpha * other to float16 first, as PyTorch's float16
 * arithmetic does (bfloat16 follows PyTorch's vectorized loop, which
 * computes the tensor's elements but its last few).
 * Return GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_SHAPE, GI_ERR_CONTEXT_MISMATCH
 * (other lives on another context: copy it over first),
 * GI_ERR_INVALID_ARGUMENT (t and other partly overlap; alpha overflows
 * the promoted dtype), GI_ERR_CUDA. */
GI_API gi_status gi_add_(gi_tensor t, gi_tensor other, double alpha);
GI_API gi_status gi_mul_(gi_tensor t, gi_tensor other);

/* ------------------------------------------------------------------------ */
/* Initializers (torch.nn.init)                                              */
/* ------------------------------------------------------------------------ */
/* gen may be NULL for the tensor context's default generator. Random fills
 * depend only on (seed, stream, offset at the call, element index, law and
 * arguments): the CPU and the GPU give bit-identical results. On a
 * torch_cpu generator they give PyTorch's values instead, or are refused
 * (see Random number generators).
 * Each returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT (as
 * noted, naming the argument and value), GI_ERR_UNSUPPORTED (dtype; a
 * torch_cpu generator's refusals), GI_ERR_OUT_OF_MEMORY (a torch_cpu
 * generator's buffers), GI_ERR_CUDA. Zero-element tensors are a no-op that
 * consumes nothing. */

/* U[a, b): every value is >= a and < b (a == b gives a, rounded to the
 * dtype as gi_constant_ rounds it). a and b finite,
 * a <= b, and b - a finite in float (then no value can overflow). */
GI_API gi_status gi_uniform_(gi_tensor t, double a, double b, gi_generator gen);
/* N(mean, std²): mean finite, std finite and >= 0, and no value beyond
 * float's range: the largest |z| of the transform is 6.7637057 (the
 * Box-Muller radius at its smallest uniform, 2^-33), so 6.7637057 * std +
 * |mean|, rounded as the fill rounds it, must be finite (std up to
 * 5.0310e37 with mean 0). GI_ERR_INVALID_ARGUMENT otherwise. */
GI_API gi_status gi_normal_(gi_tensor t, double mean, double std,
                            gi_generator gen);
/* t[:] = value (any float, NaN and infinities included, like torch). */
GI_API gi_status gi_constant_(gi_tensor t, double value);
GI_API gi_status gi_zeros_(gi_tensor t);
GI_API gi_status gi_ones_(gi_tensor t);

/* Nonlinearities known to gi_calculate_gain (torch's names in comments). */
typedef enum gi_nonlinearity {
    GI_NONLIN_LINEAR = 0,           /* "linear" */
    GI_NONLIN_CONV1D = 1,           /* "conv1d" */
    GI_NONLIN_CONV2D = 2,           /* "conv2d" */
    GI_NONLIN_CONV3D = 3,           /* "conv3d" */
    GI_NONLIN_CONV_TRANSPOSE1D = 4, /* "conv_transpose1d" */
    GI_NONLIN_CONV_TRANSPOSE2D = 5, /* "conv_transpose2d" */
    GI_NONLIN_CONV_TRANSPOSE3D = 6, /* "conv_transpose3d" */
    GI_NONLIN_SIGMOID = 7,          /* "sigmoid" */
    GI_NONLIN_TANH = 8,             /* "tanh" */
    GI_NONLIN_RELU = 9,             /* "relu" */
    GI_NONLIN_LEAKY_RELU = 10,      /* "leaky_relu" */
    GI_NONLIN_SELU = 11             /* "selu" */
} gi_nonlinearity;

/* torch's name of a nonlinearity; "unknown" otherwise. */
GI_API const char *gi_nonlinearity_name(gi_nonlinearity nl);
/* Parses torch's name ("leaky_relu"). Returns GI_OK, GI_ERR_NULL_ARGUMENT,
 * GI_ERR_INVALID_ARGUMENT (unknown name). */
GI_API gi_status gi_nonlinearity_from_name(const char *name,
                                           gi_nonlinearity *out);

/* nn.init.calculate_gain: 1 for linear, conv and sigmoid; 5/3 for tanh;
 * sqrt(2) for relu; sqrt(2 / (1 + slope^2)) for leaky_relu, where slope is
 * *param, or 0.01 when param is NULL (torch's None); 3/4 for selu. param
 * is ignored by the others. Returns GI_OK, GI_ERR_NULL_ARGUMENT (out),
 * GI_ERR_INVALID_ARGUMENT (unknown nonlinearity, non-finite slope). */
GI_API gi_status gi_calculate_gain(gi_nonlinearity nl, const double *param,
                                   double *out);

/* Which fan scales a variance-based initializer. */
typedef enum gi_fan_mode {
    GI_FAN_IN = 0,  /* "fan_in" */
    GI_FAN_OUT = 1, /* "fan_out" */
    GI_FAN_AVG = 2  /* "fan_avg": (fan_in + fan_out) / 2, variance scaling only */
} gi_fan_mode;

/* Fans of a weight of 2 or more dimensions, as PyTorch computes them:
 * fan_in = size(1) * prod(size[2:]), fan_out = size(0) * prod(size[2:]),
 * of the global tensor's sizes for a shard (gi_tensor_set_shard).
 * Either out pointer may be NULL. Returns GI_OK, GI_ERR_NULL_ARGUMENT,
 * GI_ERR_SHAPE (fewer than 2 dimensions), GI_ERR_OVERFLOW. */
GI_API gi_status gi_calculate_fans(gi_tensor t, int64_t *fan_in,
                                   int64_t *fan_out);

/* The fan-based initializers below need t of 2 or more dimensions
 * (GI_ERR_SHAPE otherwise) and compute their scale in double, as PyTorch
 * does, before rounding it to float. */

/* Xavier/Glorot: U[-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)), and
 * N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)). gain finite
 * and >= 0, and small enough that the law stays within float's range: the
 * span 2a finite, or std within normal_'s bound. */
GI_API gi_status gi_xavier_uniform_(gi_tensor t, double gain, gi_generator gen);
GI_API gi_status gi_xavier_normal_(gi_tensor t, double gain, gi_generator gen);

/* Kaiming/He: std = gain / sqrt(fan) with gain = calculate_gain(nl, &a)
 * and fan chosen by mode (GI_FAN_IN or GI_FAN_OUT); uniform U[-b, b) with
 * b = sqrt(3) * std, normal N(0, std^2). torch's defaults are a = 0,
 * GI_FAN_IN, GI_NONLIN_LEAKY_RELU. */
GI_API gi_status gi_kaiming_uniform_(gi_tensor t, double a, gi_fan_mode mode,
                                     gi_nonlinearity nl, gi_generator gen);
GI_API gi_status gi_kaiming_normal_(gi_tensor t, double a, gi_fan_mode mode,
                                    gi_nonlinearity nl, gi_generator gen);

/* N(mean, std^2) truncated to [a, b] (absolute bounds, as in torch; either
 * may be infinite): every value lies in [a, b]. One uniform per element,
 * by inversion with ginit's own quantile function, so it is bit-identical
 * on CPU and GPU and exact even far in a tail (a = mean + 5 std,
 * b = mean + 8 std). An interval so narrow that the tail probabilities of
 * its bounds agree to 2^-11 (under about 6e-4 std wide, like [0, 1e-30]
 * under N(0, 1) or [-2, 2] under N(0, 1e17^2)) is sampled from its
 * density, which is linear there to float precision (docs/rng.md).
 * mean finite, std finite and > 0, a < b, the interval's probability,
 * computed without cancellation, at least 1e-35 (about 12 std into a
 * tail), and, where a bound is infinite, no value beyond float's range
 * (the transform's extremes, at its smallest and largest uniform, are
 * finite): GI_ERR_INVALID_ARGUMENT otherwise.
 * On a torch_cpu generator (float32 only) it is torch.nn.init's method
 * of the generator's gi_torch_trunc (docs/rng.md):
 *  - INVERSE_CDF, PyTorch up to 2.11, bit for bit: one uniform_(2
 *    Phi(alpha) - 1, 2 Phi(beta) - 1) draw per element, then erfinv,
 *    times std sqrt(2), plus mean, clamped to [a, b].
 *  - REJECTION, PyTorch 2.12 and later. An interval of probability above
 *    0.3 (the usual [-2 std, 2 std] among them): normal_ on the tensor,
 *    redrawn whole while any value lies outside [a, b], bit for bit.
 *    Otherwise uniform_(a, b) candidates kept when the log of a uniform_()
 *    is at most their log density ratio to the mode's: bit for bit except
 *    where a candidate's ratio falls within PyTorch's rounding of that log
 *    (x86 builds take it from MKL, which is not always the nearest float
 *    and may vary with the processor; ginit takes the nearest float):
 *    about 3 values in 100,000 differ (docs/rng.md). That case needs
 *    finite a and b, with float(b) - float(a) finite (PyTorch's uniform_
 *    fails otherwise), and keeps at least 1e-3 of its candidates (where
 *    PyTorch would loop thousands of rounds, [5, 1e30] under N(0, 1)
 *    for ever): GI_ERR_INVALID_ARGUMENT otherwise. It needs 5 bytes of
 *    host memory per element besides the values. */
GI_API gi_status gi_trunc_normal_(gi_tensor t, double mean, double std,
                                  double a, double b, gi_generator gen);

/* The identity matrix (2-D only), torch's eye_. */
GI_API gi_status gi_eye_(gi_tensor t);
/* The Dirac delta for 3-, 4- and 5-D convolution weights (torch's dirac_):
 * channel o of each of `groups` groups passes input channel o % (out /
 * groups) through at the kernel's centre (index size / 2). groups >= 1 and
 * dividing size(0). */
GI_API gi_status gi_dirac_(gi_tensor t, int64_t groups);

/* A random (semi-)orthogonal matrix times gain, torch's orthogonal_: a
 * rows x (numel / rows) normal matrix, QR (LAPACK on the CPU, cuSOLVER on
 * the GPU), signs fixed by diag(R), transposed when rows < cols. Same seed,
 * same device: same matrix, whatever the thread settings (the CPU's QR runs
 * on one thread: LAPACK's blocked steps, split over threads, would round
 * differently for each number of them); across devices the QR differs in
 * rounding, so results agree to the dtype's precision only. float64 draws
 * the float64 normal and factors in double; float16 and bfloat16 are the
 * float32 result rounded once to nearest even. The draw and the QR run in
 * a workspace of t's size (float64 or float32), so a failure leaves t and
 * the generator as they were. t of 2 or more dimensions (GI_ERR_SHAPE),
 * gain finite. Returns also GI_ERR_OUT_OF_MEMORY, GI_ERR_LAPACK,
 * GI_ERR_CUSOLVER.
 * On a torch_cpu generator (float32 only) the workspace's N(0, 1) is
 * PyTorch's normal_ on the (rows, numel / rows) tensor, then the same QR:
 * on a CPU context the result is PyTorch 1.13's bits where both call the
 * same LAPACK (checked with Debian's torch, which links OpenBLAS's
 * liblapack as ginit does) and PyTorch's OpenBLAS runs on one thread
 * (OPENBLAS_NUM_THREADS=1; threaded, its blocked steps round otherwise
 * from about 100 x 100 up, while ginit's QR always runs on one thread);
 * on a GPU context cuSOLVER factors, and the values agree with PyTorch's
 * to float precision only (the tests allow 1e-4 * gain). */
GI_API gi_status gi_orthogonal_(gi_tensor t, double gain, gi_generator gen);

/* torch's sparse_ for a 2-D tensor: N(0, std^2) everywhere, then in every
 * column exactly ceil(sparsity * rows) entries set to 0, at rows chosen by
 * the generator (torch ignores its generator here; ginit does not), the
 * same on CPU and GPU. sparsity in [0, 1], std finite, >= 0 and within
 * normal_'s bound (6.7637057 * std finite). Returns also
 * GI_ERR_UNSUPPORTED (2^32 rows or more). All or nothing: a failure
 * writes no element.
 * On a torch_cpu generator (float32 only) it is PyTorch 1.13's sparse_
 * bit for bit: normal_(0, std) on the whole tensor, then for each column
 * torch.randperm(rows), whose first ceil(sparsity * rows) (in double, as
 * Python's math.ceil) rows are set to 0 there. PyTorch draws the
 * permutations from its default generator whatever the normal_ drew
 * from; ginit draws them from gen, the normal_'s generator: gen NULL (the
 * context's default) gives PyTorch's values after torch.manual_seed, an
 * explicit gen keeps every draw on gen. */
GI_API gi_status gi_sparse_(gi_tensor t, double sparsity, double std,
                            gi_generator gen);

/* Laws of JAX/Keras variance scaling. */
typedef enum gi_distribution {
    GI_DIST_TRUNCATED_NORMAL = 0, /* N(0, s^2) cut at +-2 s, s corrected */
    GI_DIST_NORMAL = 1,
    GI_DIST_UNIFORM = 2
} gi_distribution;

/* jax.nn.initializers.variance_scaling(scale, mode, distribution) with
 * PyTorch's fans: variance scale / n, n = fan_in, fan_out or their mean.
 * truncated_normal: std = sqrt(scale / n) / 0.87962566103423978, truncated
 * at +-2 std; normal: std = sqrt(scale / n); uniform: U[-l, l) with
 * l = sqrt(3 scale / n). scale finite and > 0. */
GI_API gi_status gi_variance_scaling_(gi_tensor t, double scale,
                                      gi_fan_mode mode,
                                      gi_distribution distribution,
                                      gi_generator gen);
/* LeCun: variance_scaling(1, fan_in, truncated_normal / uniform). */
GI_API gi_status gi_lecun_normal_(gi_tensor t, gi_generator gen);
GI_API gi_status gi_lecun_uniform_(gi_tensor t, gi_generator gen);

/* A mixture of laws sampled in one pass: each element picks component j
 * with probability prob, then draws from its law. */
/* The laws, one list: value, name, law and what its arguments must be.
 *   UNIFORM   U[a, b): a <= b, finite, b - a finite
 *   NORMAL    N(a, b^2): a finite, b finite and >= 0, 5.2947040 * b + |a|
 *             finite (the largest |z| of the inversion: at U23 = 2^-24)
 *   CONSTANT  a (any float) */
#define GI_COMPONENT_LAW_LIST(X)                                              \
    X(GI_COMPONENT_UNIFORM, 0, "uniform")                                     \
    X(GI_COMPONENT_NORMAL, 1, "normal")                                       \
    X(GI_COMPONENT_CONSTANT, 2, "constant")

typedef enum gi_component_law {
#define GI_COMPONENT_LAW_ENUM_(name, value, text) name = value,
    GI_COMPONENT_LAW_LIST(GI_COMPONENT_LAW_ENUM_)
#undef GI_COMPONENT_LAW_ENUM_
} gi_component_law;

typedef struct gi_component {
    double prob;
    gi_component_law law;
    double a, b; /* converted to float, the law's computing type */
} gi_component;

#define GI_MAX_COMPONENTS 8

/* Fills t from the mixture of k (1..GI_MAX_COMPONENTS) components, whose
 * probabilities are >= 0 and sum to 1 within 1e-6. The chapter's custom
 * law: {0.25, UNIFORM, 5, 10}, {0.5, CONSTANT, 0, 0}, {0.25, UNIFORM, -10,
 * -5}. Two lanes per element: one picks the component, one draws its value
 * (normal components by inversion), so the result is bit-identical on CPU
 * and GPU. */
GI_API gi_status gi_mixture_(gi_tensor t, int k, const gi_component *components,
                             gi_generator gen);

/* torch.rand: a new tensor of the given shape filled with U[0, 1).
 * Returns as gi_tensor_create and gi_uniform_. */
GI_API gi_status gi_rand(gi_tensor *out, gi_context ctx, int ndim,
                  const int64_t *shape, gi_generator gen);
/* torch.randn: a new tensor filled with N(0, 1). */
GI_API gi_status gi_randn(gi_tensor *out, gi_context ctx, int ndim,
                   const int64_t *shape, gi_generator gen);

/* An initializer as data, for gi_init_ and gi_module_init_. Write it with
 * designated initializers; fields a kind does not use are ignored:
 *
 *   gi_init w = {.kind = GI_INIT_XAVIER_UNIFORM, .a = 1.0f};
 *   gi_init k = {.kind = GI_INIT_KAIMING_NORMAL, .mode = GI_FAN_IN,
 *                .nonlinearity = GI_NONLIN_RELU};
 *
 * Fields left out are zero, which is not always torch's default: a gain
 * (.a) of 0 fills zeros, and kaiming's zero .nonlinearity is
 * GI_NONLIN_LINEAR (gain 1), not torch's leaky_relu; set them explicitly.
 * A kind's meaning and checks are exactly its function's. */
/* The kinds, one list: value, name. Each stands for gi_<name>_ with the
 * descriptor's fields as its arguments:
 *   NONE              leave the tensor as it is
 *   UNIFORM           (t, a, b)              NORMAL     (t, mean = a, std = b)
 *   CONSTANT          (t, a)                 ZEROS, ONES (t)
 *   XAVIER_UNIFORM, XAVIER_NORMAL            (t, gain = a)
 *   KAIMING_UNIFORM, KAIMING_NORMAL          (t, a, mode, nonlinearity)
 *   TRUNC_NORMAL      (t, mean = a, std = b, c, d)
 *   VARIANCE_SCALING  (t, scale = a, mode, distribution)
 *   LECUN_UNIFORM, LECUN_NORMAL              (t)
 *   MIXTURE           (t, k, components)
 *   EYE (t)           DIRAC      (t, groups = k)
 *   SPARSE            (t, sparsity = a, std = b)
 *   ORTHOGONAL        (t, gain = a): torch's default gain is 1, so set
 *                     .a = 1 for it; .a left out (0) fills zeros after the
 *                     draw and the QR, as gi_orthogonal_(t, 0, gen) does */
#define GI_INIT_KIND_LIST(X)                                                  \
    X(GI_INIT_NONE, 0, "none")                                                \
    X(GI_INIT_UNIFORM, 1, "uniform")                                          \
    X(GI_INIT_NORMAL, 2, "normal")                                            \
    X(GI_INIT_CONSTANT, 3, "constant")                                        \
    X(GI_INIT_ZEROS, 4, "zeros")                                              \
    X(GI_INIT_ONES, 5, "ones")                                                \
    X(GI_INIT_XAVIER_UNIFORM, 6, "xavier_uniform")                            \
    X(GI_INIT_XAVIER_NORMAL, 7, "xavier_normal")                              \
    X(GI_INIT_KAIMING_UNIFORM, 8, "kaiming_uniform")                          \
    X(GI_INIT_KAIMING_NORMAL, 9, "kaiming_normal")                            \
    X(GI_INIT_TRUNC_NORMAL, 10, "trunc_normal")                               \
    X(GI_INIT_VARIANCE_SCALING, 11, "variance_scaling")                       \
    X(GI_INIT_LECUN_UNIFORM, 12, "lecun_uniform")                             \
    X(GI_INIT_LECUN_NORMAL, 13, "lecun_normal")                               \
    X(GI_INIT_MIXTURE, 14, "mixture")                                         \
    X(GI_INIT_EYE, 15, "eye")                                                 \
    X(GI_INIT_DIRAC, 16, "dirac")                                             \
    X(GI_INIT_SPARSE, 17, "sparse")                                          \
    X(GI_INIT_ORTHOGONAL, 18, "orthogonal")

typedef enum gi_init_kind {
#define GI_INIT_KIND_ENUM_(name, value, text) name = value,
    GI_INIT_KIND_LIST(GI_INIT_KIND_ENUM_)
#undef GI_INIT_KIND_ENUM_
} gi_init_kind;

typedef struct gi_init {
    gi_init_kind kind;
    double a, b, c, d;              /* the kind's numbers, in order */
    gi_fan_mode mode;               /* kaiming, variance scaling */
    gi_nonlinearity nonlinearity;   /* kaiming */
    gi_distribution distribution;   /* variance scaling */
    int k;                          /* mixture: number of components */
    const gi_component *components; /* mixture: borrowed for the call */
} gi_init;

/* Applies spec to t: exactly the call its kind names (same values, same
 * generator offset afterwards, same checks and statuses), so
 * gi_init_(w, &(gi_init){.kind = GI_INIT_XAVIER_UNIFORM, .a = 1}, g) is
 * gi_xavier_uniform_(w, 1, g). Messages name gi_init_. GI_INIT_NONE checks
 * t and does nothing. gen NULL: t's context's default generator.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT (t, spec, a mixture's components),
 * GI_ERR_INVALID_ARGUMENT (unknown spec->kind, or an argument the kind's
 * function refuses), GI_ERR_SHAPE (fan-based kinds, orthogonal), and
 * GI_ERR_OVERFLOW (fan-based kinds), GI_ERR_UNSUPPORTED (dtype),
 * GI_ERR_OUT_OF_MEMORY, GI_ERR_LAPACK and GI_ERR_CUSOLVER (orthogonal),
 * GI_ERR_CUDA. */
GI_API gi_status gi_init_(gi_tensor t, const gi_init *spec, gi_generator gen);

/* ------------------------------------------------------------------------ */
/* Modules: Sequential, Linear, LazyLinear, ReLU (torch.nn)                  */
/* ------------------------------------------------------------------------ */
/*
 * A module tree is owned by its root: destroying the root destroys every
 * module and parameter in it. A module belongs to at most one parent.
 * Parameters (weight, bias) are tensors owned by their module: borrowed by
 * callers, valid until the module is destroyed (or, for a LazyLinear that
 * has not run, absent). They accept every tensor operation and initializer.
 * All modules of a tree and the inputs of its forward share one context.
 *
 * Walks. While gi_module_apply or gi_module_named_parameters (or
 * gi_module_num_parameters) walks any part of a tree, callbacks included,
 * the whole tree's structure is frozen (PyTorch raises for the same: a
 * module's children may not change while they are iterated). Appending to
 * a Sequential of the tree, giving its root a parent (gi_sequential_append
 * and gi_sequential_create) and a forward that would create a LazyLinear's
 * parameters fail with GI_ERR_STATE; gi_module_destroy of its root and
 * gi_tensor_destroy of a parameter are ignored (nothing is freed;
 * gi_last_error() says why). A callback may initialize and edit parameters
 * (initializers, tensor operations, gi_module_init_), read the tree, run a
 * forward of its materialized layers, start other walks of this or another
 * tree, and change or destroy other trees. Destroy a walked tree after the
 * walk.
 */

typedef struct gi_module_st *gi_module;

typedef enum gi_module_kind {
    GI_MODULE_SEQUENTIAL = 0,
    GI_MODULE_LINEAR = 1,
    GI_MODULE_LAZY_LINEAR = 2, /* becomes GI_MODULE_LINEAR at its first forward */
    GI_MODULE_RELU = 3
} gi_module_kind;

/* "Sequential", "Linear", "LazyLinear", "ReLU"; "unknown" otherwise. */
GI_API const char *gi_module_kind_name(gi_module_kind kind);

/* nn.Linear(in_features, out_features, bias, dtype=dtype): weight (out x
 * in, row-major as PyTorch stores it) and bias (out), both of dtype,
 * initialized as PyTorch does, weight by kaiming_uniform_(a = sqrt(5)) =
 * U[-1/sqrt(in), 1/sqrt(in)) and bias by U[-1/sqrt(in), 1/sqrt(in)), drawn
 * from ctx's default generator, weight first. The laws are those of
 * gi_uniform_ in dtype: a float16 or bfloat16 weight is the float32 one
 * rounded (kept inside the bounds, docs/rng.md), a float64 one is drawn
 * by the float64 law. Its forward takes inputs of dtype only.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT (negative
 * features, dtype not a gi_dtype), GI_ERR_OVERFLOW, GI_ERR_OUT_OF_MEMORY,
 * GI_ERR_CUDA. */
GI_API gi_status gi_linear_create(gi_module *out, gi_context ctx,
                                  int64_t in_features, int64_t out_features,
                                  int bias, gi_dtype dtype);

/* How a Linear shard splits its global Linear (tensor parallelism). */
typedef enum gi_linear_split {
    GI_LINEAR_COLUMN = 0, /* outputs: weight rows and bias entries */
    GI_LINEAR_ROW = 1     /* inputs: weight columns; the bias whole */
} gi_linear_split;

/* The part of nn.Linear(global_in, global_out, bias) that one process of
 * a tensor-parallel group holds: GI_LINEAR_COLUMN, the outputs [start,
 * start + out_features) of global_features (global_out; in_features is
 * global_in); GI_LINEAR_ROW, the inputs [start, start + in_features) of
 * global_features (global_in), all outputs and the whole bias. Weight and
 * bias are shards of the global ones (gi_tensor_shard_info: owned by the
 * module as gi_linear_create's are), holding the global Linear's values
 * at their elements: its bounds, 1/sqrt(global_in), and the context's
 * generator advanced as the whole Linear's creation advances it, so the
 * processes' parts are the whole Linear bit for bit. Its forward is the
 * part's own (the processes combine the results). Returns as
 * gi_linear_create, plus GI_ERR_INVALID_ARGUMENT (split not a
 * gi_linear_split), GI_ERR_OUT_OF_RANGE (start < 0, or the part leaves
 * global_features). */
GI_API gi_status gi_linear_create_parallel(gi_module *out, gi_context ctx,
                                           int64_t in_features,
                                           int64_t out_features, int bias,
                                           gi_dtype dtype,
                                           gi_linear_split split,
                                           int64_t global_features,
                                           int64_t start);

/* nn.LazyLinear(out_features, bias, dtype=dtype): no parameters until the
 * first forward, which takes in_features from the input's last dimension,
 * creates weight and bias of dtype and initializes them like
 * gi_linear_create (from the context's default generator, at that
 * moment), and turns the module into a Linear. An input of another dtype
 * is refused before anything is created. A forward that fails leaves it
 * lazy. Returns as gi_linear_create. */
GI_API gi_status gi_lazy_linear_create(gi_module *out, gi_context ctx,
                                       int64_t out_features, int bias,
                                       gi_dtype dtype);

/* nn.ReLU(). Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_OUT_OF_MEMORY. */
GI_API gi_status gi_relu_create(gi_module *out, gi_context ctx);

/* nn.Sequential(children[0], ..., children[n-1]). On success the new
 * Sequential owns the children; on failure nothing changes hands. A child
 * that already has a parent, appears twice, or lives on another context is
 * refused, and so is nesting deeper than GI_MAX_NESTING. children may be
 * NULL when n is 0.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT (n negative,
 * nesting too deep), GI_ERR_STATE (a child already has a parent, appears
 * twice in children, or is being walked), GI_ERR_CONTEXT_MISMATCH,
 * GI_ERR_OUT_OF_MEMORY. */
GI_API gi_status gi_sequential_create(gi_module *out, gi_context ctx, int n,
                                      const gi_module *children);

/* Appends child to a Sequential, which takes ownership on success.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT (seq is not
 * a Sequential, child is seq or one of its ancestors, or the tree would nest
 * deeper than GI_MAX_NESTING), GI_ERR_STATE (child already has a parent,
 * or seq's or child's tree is being walked), GI_ERR_CONTEXT_MISMATCH,
 * GI_ERR_OUT_OF_MEMORY. */
GI_API gi_status gi_sequential_append(gi_module seq, gi_module child);

/* Destroys a root module and everything it owns. NULL is a no-op; a module
 * that has a parent is left alone (its root owns it); so is a tree being
 * walked (see Walks above): nothing is freed, gi_last_error() says why
 * (GI_ERR_STATE), and the tree stays the caller's to destroy after the
 * walk. */
GI_API void gi_module_destroy(gi_module m);

/* The module's kind (a materialized LazyLinear reports GI_MODULE_LINEAR,
 * like type(m) == nn.Linear after its first forward); GI_MODULE_SEQUENTIAL
 * for NULL. */
GI_API gi_module_kind gi_module_kind_of(gi_module m);
/* The module's context (borrowed); NULL for NULL. */
GI_API gi_context gi_module_context(gi_module m);
/* The parent, or NULL for a root (and for NULL). Borrowed. */
GI_API gi_module gi_module_parent(gi_module m);

/* Number of children (0 for all but Sequential, and for NULL). */
GI_API int64_t gi_module_num_children(gi_module m);
/* net[index]: negative indices count from the end. Borrowed: valid while
 * the tree lives. Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_OUT_OF_RANGE. */
GI_API gi_status gi_module_child(gi_module m, int64_t index, gi_module *out);

/* A Linear's parameters (borrowed); NULL when the module has none (not a
 * Linear, a LazyLinear that has not run, or bias=False). */
GI_API gi_tensor gi_module_weight(gi_module m);
GI_API gi_tensor gi_module_bias(gi_module m);
/* A Linear's sizes; in_features is 0 for a LazyLinear that has not run (as
 * PyTorch reports); -1 for modules that are not (Lazy)Linear. */
GI_API int64_t gi_linear_in_features(gi_module m);
GI_API int64_t gi_linear_out_features(gi_module m);

/* net(X): runs the module on x and returns a new tensor the caller owns,
 * of x's dtype. Linear maps (..., in) to (..., out): Y = X W^T + b (cuBLAS
 * on the GPU, OpenBLAS on the CPU), in the dtype of its parameters, which
 * x must have (as PyTorch, no silent conversion); ReLU is max(x, 0), and
 * Sequential chains its children (an empty one returns a copy), in every
 * dtype. A float16 or bfloat16 Linear computes as PyTorch does: products
 * and sums in float32 (the bias included), rounded once to the output's
 * dtype. x must be on the module's context. On the CPU the output is the
 * same, bit for bit, for every thread setting and dtype: the product is
 * cut into tiles of outputs that depend on the shape only (up to 512 rows
 * x 2048 outputs), each one single-threaded OpenBLAS SGEMM (DGEMM for
 * float64; so it may differ in the last bits from one GEMM of the whole
 * product). Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT
 * (an input whose dtype is not its Linear's; the message names the
 * module, e.g. "2", and both dtypes), GI_ERR_SHAPE (0-D input, wrong last
 * dimension; the message names the module), GI_ERR_CONTEXT_MISMATCH,
 * GI_ERR_OVERFLOW, GI_ERR_OUT_OF_MEMORY, GI_ERR_CUDA, GI_ERR_CUBLAS,
 * GI_ERR_STATE (a LazyLinear would materialize while its tree is being
 * walked). On failure no module changes, the generator included. */
GI_API gi_status gi_module_forward(gi_module m, gi_tensor x, gi_tensor *out);

/* module.apply(fn): calls fn on every module of the tree, children before
 * their parent, in order. A status other than GI_OK from fn stops the walk
 * and is returned (gi_last_error() is what fn's failing call left). The
 * tree is frozen during the walk: what fn may and may not do is under
 * Walks above. Returns GI_OK, GI_ERR_NULL_ARGUMENT, or fn's status. */
typedef gi_status (*gi_apply_fn)(gi_module m, void *user_data);
GI_API gi_status gi_module_apply(gi_module m, gi_apply_fn fn, void *user_data);

/* Initializes every Linear of the tree (a LazyLinear counts once its first
 * forward has made it one) at once: for each, in named_parameters order
 * (depth first, children in order), the weight by *weight and then the
 * bias, when the layer has one, by *bias; NULL or GI_INIT_NONE leaves that
 * parameter as it is. weight and bias are read during the call only. The
 * result, every bit of it, and the generator's offset afterwards are those
 * of PyTorch's net.apply(init) idiom, i.e. gi_module_apply with a function
 * calling gi_init_(weight, weight_spec, gen) then gi_init_(bias,
 * bias_spec, gen) on each Linear; but the whole tree is one pass (one
 * parallel loop on the CPU; one table upload and one kernel launch on the
 * GPU) instead of two calls a layer, orthogonal weights' QRs aside. gen NULL: the module context's
 * default generator.
 * All or nothing: the kinds, then every parameter, are checked and planned
 * before anything is written, so on failure no parameter and no generator
 * changed. Messages name gi_module_init_ and the parameter
 * ("gi_module_init_: parameter '0.bias': ...").
 * GI_INIT_ORTHOGONAL: planning allocates a workspace per orthogonal weight
 * (held until the call returns); each draws its normal matrix there at
 * its place in the stream and is factored there (one QR call each) before
 * the pass, which then copies it in; a failing QR writes no parameter.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT (m, a mixture's components),
 * GI_ERR_INVALID_ARGUMENT (unknown kind, or an argument refused for a
 * parameter), GI_ERR_SHAPE (a fan-based kind or orthogonal for a bias,
 * which has one dimension), GI_ERR_STATE (a spec would initialize a
 * parameter of a LazyLinear that has not run its first forward: it does
 * not exist yet, and PyTorch refuses uninitialized parameters too),
 * GI_ERR_OVERFLOW, GI_ERR_OUT_OF_MEMORY, GI_ERR_LAPACK, GI_ERR_CUSOLVER,
 * GI_ERR_CUDA. */
GI_API gi_status gi_module_init_(gi_module m, const gi_init *weight,
                                 const gi_init *bias, gi_generator gen);

/* module.named_parameters(): calls fn(name, param) for each parameter in
 * PyTorch's order and with its dotted names ("0.weight", "0.bias",
 * "1.0.weight"); parameters of a LazyLinear that has not run are absent.
 * name is valid during the call only. A status other than GI_OK from fn
 * stops the walk and is returned. The tree is frozen during the walk (see
 * Walks above). */
typedef gi_status (*gi_param_fn)(const char *name, gi_tensor param,
                                 void *user_data);
GI_API gi_status gi_module_named_parameters(gi_module m, gi_param_fn fn,
                                            void *user_data);
/* Number of parameter tensors named_parameters would visit; 0 for NULL. */
GI_API int64_t gi_module_num_parameters(gi_module m);

/* print(net): the module as PyTorch prints it, e.g.
 *   Sequential(
 *     (0): Linear(in_features=4, out_features=8, bias=True)
 *     (1): ReLU()
 *   )
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_IO (a write, or the flush
 * that ends the call, failed). */
GI_API gi_status gi_module_print(gi_module m, FILE *f);

/* ------------------------------------------------------------------------ */
/* safetensors files                                                         */
/* ------------------------------------------------------------------------ */
/*
 * The safetensors format, as its specification defines it: an 8-byte
 * little-endian header size N (at most 100,000,000), N bytes of UTF-8 JSON
 * mapping each tensor's name to its "dtype" ("F32", "F64", "F16", "BF16";
 * other codes are valid but have no ginit tensor), "shape" and
 * "data_offsets" [begin, end) (from the first byte after the header), and
 * an optional "__metadata__" of string keys and values; then the tensors'
 * bytes, row-major and little-endian, packed without gaps or overlaps.
 * PyTorch reads and writes it with safetensors.torch (save_file,
 * load_file); a module's file holds its named_parameters names, exactly
 * the keys model.load_state_dict expects.
 *
 * Files are hostile input. Opening one reads and validates its whole
 * header (every tensor's dtype, shape and offsets against the file's
 * size) before anything else is done: a malformed file is GI_ERR_FORMAT,
 * with a message naming the file, the tensor and the field at fault.
 * Reads go from the file straight into the tensors (device tensors
 * through a host buffer of at most 4 MiB), so a file larger than the
 * host's memory loads. Every call here blocks until its file work is
 * done. The host must be little-endian (the build refuses others).
 *
 * Writes go to a temporary file in the destination's directory, which is
 * flushed to disk (fsync) and renamed over the destination, then the
 * directory is flushed too: the destination always holds either its old
 * contents or the whole new file, whatever happens.
 *
 * Loads are all or nothing up to the file itself: every name, dtype and
 * shape is checked and the host buffer allocated before the first byte
 * is written into a tensor. What can still fail after that is reading the
 * file (GI_ERR_IO: a disk error, or a file cut shorter since it was
 * opened) and, for device tensors, a CUDA copy (GI_ERR_CUDA); then the
 * tensors before the one that failed hold the file's values, that one is
 * partly written, and the rest are as they were.
 */

/* One metadata entry: both strings borrowed for the call. */
typedef struct gi_metadata {
    const char *key;
    const char *value;
} gi_metadata;

/* An opened, fully validated safetensors file. */
typedef struct gi_safetensors_st *gi_safetensors;

/* safetensors.torch.save_file(dict(zip(names, tensors)), path, metadata):
 * writes tensors[i] (any context, any dtype, 0-D and empty ones included)
 * under names[i], in the order given (the data of tensors[0] first), and
 * the nmeta metadata entries (none: no "__metadata__"); the header is
 * padded with spaces to a multiple of 8 bytes. Names must be non-empty,
 * valid UTF-8, distinct and not "__metadata__"; metadata keys distinct
 * and valid UTF-8, values valid UTF-8. Replaces path atomically (see
 * above). names and tensors may be NULL when n is 0, meta when nmeta is
 * 0. Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT (n or
 * nmeta negative, an empty path, a name or key refused as above; the
 * message names its index), GI_ERR_OVERFLOW (a header above the format's
 * limit, data above 2^63 bytes), GI_ERR_OUT_OF_MEMORY, GI_ERR_IO (the
 * message says which step and why: creating, writing, fsync, rename),
 * GI_ERR_CUDA. On failure path is as it was, save after a failed fsync of
 * its directory (GI_ERR_IO: the new file is in place, its durability
 * unknown). */
GI_API gi_status gi_save_safetensors(const char *path, int64_t n,
                                     const char *const *names,
                                     const gi_tensor *tensors, int64_t nmeta,
                                     const gi_metadata *meta);

/* gi_save_safetensors of the tree's parameters under their
 * named_parameters names, in that order: the file
 * model.load_state_dict(safetensors.torch.load_file(path)) takes. A tree
 * with a LazyLinear that has not run its first forward is refused
 * (GI_ERR_STATE, naming it), as PyTorch refuses to save uninitialized
 * parameters. Returns as gi_save_safetensors, and GI_ERR_STATE. */
GI_API gi_status gi_module_save_safetensors(gi_module m, const char *path,
                                            int64_t nmeta,
                                            const gi_metadata *meta);

/* A tensor as a file's header describes it: for gi_safetensors_header. */
typedef struct gi_safetensors_entry {
    const char *name;
    gi_dtype dtype;
    int ndim;             /* 0..GI_MAX_DIMS */
    const int64_t *shape; /* ndim sizes, each >= 0; NULL when ndim is 0 */
} gi_safetensors_entry;

/* The first bytes, up to the data, of the file gi_save_safetensors
 * writes for tensors of entries[i]'s names, dtypes and shapes in that
 * order with the nmeta metadata entries: the 8-byte size and the padded
 * JSON, byte for byte, so that a program writing the data itself (from
 * several processes, with its own I/O) makes the same file. *size
 * receives their number; buf NULL only asks for it, otherwise cap must
 * hold them. offsets, when not NULL, receives n + 1 values: offsets[i]
 * the first byte of tensor i's data counted from the end of the header,
 * offsets[n] the data's total size. Names and metadata are checked as
 * gi_save_safetensors checks them. Returns GI_OK, GI_ERR_NULL_ARGUMENT,
 * GI_ERR_INVALID_ARGUMENT (n or nmeta negative, a name, key or dtype
 * refused, cap too small), GI_ERR_SHAPE (ndim or a size), GI_ERR_OVERFLOW,
 * GI_ERR_OUT_OF_MEMORY; on failure nothing is written. */
GI_API gi_status gi_safetensors_header(int64_t n,
                                       const gi_safetensors_entry *entries,
                                       int64_t nmeta, const gi_metadata *meta,
                                       void *buf, size_t cap, size_t *size,
                                       uint64_t *offsets);

/* Opens and validates path (see above); the caller owns the handle and
 * closes it with gi_safetensors_close. It keeps the file open and its
 * header (names, shapes, metadata) in memory, not its data.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_FORMAT, GI_ERR_IO (open,
 * stat or read failed, not a regular file), GI_ERR_OUT_OF_MEMORY. */
GI_API gi_status gi_safetensors_open(gi_safetensors *out, const char *path);

/* Closes the file and frees the handle; every string it lent goes with
 * it. NULL is a no-op. */
GI_API void gi_safetensors_close(gi_safetensors f);

/* Number of tensors in the file; 0 for NULL. */
GI_API int64_t gi_safetensors_count(gi_safetensors f);

/* The name of tensor i (0 <= i < count) in the order of their data in the
 * file; NULL when out of range or for NULL. Borrowed: valid until the
 * handle is closed. */
GI_API const char *gi_safetensors_name(gi_safetensors f, int64_t i);

/* The dtype, number of dimensions and shape (GI_MAX_DIMS entries of room)
 * of the tensor called name; each OUT pointer may be NULL. Returns GI_OK,
 * GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT (no tensor of that name),
 * GI_ERR_UNSUPPORTED (its dtype, e.g. "I64", has no ginit type, or it has
 * more than GI_MAX_DIMS dimensions; the message says which). On failure
 * nothing is written. */
GI_API gi_status gi_safetensors_info(gi_safetensors f, const char *name,
                                     gi_dtype *dtype, int *ndim,
                                     int64_t *shape);

/* The metadata value of key, or NULL when the file has none (and for
 * NULL arguments). Borrowed: valid until the handle is closed. */
GI_API const char *gi_safetensors_metadata(gi_safetensors f, const char *key);

/* Loads tensors[i] from the file's tensor names[i], for each i, all or
 * nothing as said above: each name must be in the file, its dtype
 * supported and the same as the tensor's, its shape the same (no
 * conversion, as safetensors.torch.load_model). A shard
 * (gi_tensor_set_shard, gi_tensor_set_flat_shard) also loads from a file
 * tensor of its global shape: only its elements are read, each run of
 * consecutive global indices at its offset (a box spanning its trailing
 * dimensions whole in long runs, a flat range in one), so each process
 * of a job reads its part of one whole file; a file tensor of the
 * shard's own shape loads whole. Tensors may live on any context; a name
 * may be given more than once. names and tensors may be NULL when n is
 * 0. Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT (n
 * negative, a name not in the file, a dtype that differs),
 * GI_ERR_UNSUPPORTED (the file's dtype or rank), GI_ERR_SHAPE (the file's
 * shape is neither the tensor's nor a shard's global one; the message
 * names the tensor and the shapes), GI_ERR_OUT_OF_MEMORY, GI_ERR_IO
 * (also: the file's size changed since it was opened), GI_ERR_CUDA. */
GI_API gi_status gi_safetensors_load_into(gi_safetensors f, int64_t n,
                                          const char *const *names,
                                          const gi_tensor *tensors);

/* A new tensor on ctx holding the file's tensor name, of its dtype and
 * shape; the caller owns it. Returns as gi_safetensors_load_into (n = 1),
 * and GI_ERR_OVERFLOW; *out is written on success only. */
GI_API gi_status gi_safetensors_load_tensor(gi_safetensors f,
                                            const char *name, gi_context ctx,
                                            gi_tensor *out);

/* gi_safetensors_open, gi_safetensors_load_into, gi_safetensors_close:
 * loads existing tensors by name from path. Returns as those do. */
GI_API gi_status gi_load_safetensors(const char *path, int64_t n,
                                     const char *const *names,
                                     const gi_tensor *tensors);

/* model.load_state_dict(load_file(path)) with strict=True: every
 * parameter of the tree is loaded from the tensor of its named_parameters
 * name, and the file must hold no other tensor; the message lists the
 * missing and the unexpected keys ("missing key(s): \"2.bias\";
 * unexpected key(s): \"3.weight\""). A LazyLinear that has not run its
 * first forward is refused (GI_ERR_STATE, naming it). All or nothing as
 * gi_safetensors_load_into. Returns as gi_load_safetensors, and
 * GI_ERR_STATE. */
GI_API gi_status gi_module_load_safetensors(gi_module m, const char *path);

/* Sharded checkpoints in Hugging Face's layout: an index file,
 * "model.safetensors.index.json", {"metadata": {"total_size": N},
 * "weight_map": {tensor name: file name}}, beside the safetensors files
 * it names (transformers' save_pretrained writes these; so does
 * ginit_mpi). The index is hostile input, validated whole at open: a JSON
 * object of at most 100,000,000 bytes without duplicate keys, whose
 * "weight_map" is an object of non-empty names mapped to plain file names
 * in the index's directory (no '/', not "." or ".."), and whose optional
 * "metadata" is an object with an optional integer "total_size" >= 0;
 * anything else is GI_ERR_FORMAT naming the index and the field. Other
 * top-level fields are ignored. */
typedef struct gi_safetensors_index_st *gi_safetensors_index;

/* Opens and validates the index at path (the files are opened when a
 * load needs them). The caller owns the handle and closes it with
 * gi_safetensors_index_close. Returns GI_OK, GI_ERR_NULL_ARGUMENT,
 * GI_ERR_FORMAT, GI_ERR_IO (open, stat or read failed, not a regular
 * file), GI_ERR_OUT_OF_MEMORY; *out is written on success only. */
GI_API gi_status gi_safetensors_index_open(gi_safetensors_index *out,
                                           const char *path);

/* Frees the handle and every string it lent. NULL is a no-op. */
GI_API void gi_safetensors_index_close(gi_safetensors_index idx);

/* Number of tensors the index maps; 0 for NULL. */
GI_API int64_t gi_safetensors_index_count(gi_safetensors_index idx);

/* The name of tensor i (0 <= i < count) in the index's order; NULL when
 * out of range or for NULL. Borrowed: valid until the handle is closed. */
GI_API const char *gi_safetensors_index_name(gi_safetensors_index idx,
                                             int64_t i);

/* The path of the file holding name (the index's directory joined with
 * the file name it maps name to), or NULL when the index has no such
 * tensor (and for NULL arguments). Borrowed, as above. */
GI_API const char *gi_safetensors_index_file(gi_safetensors_index idx,
                                             const char *name);

/* gi_load_safetensors through an index: loads tensors[i] from names[i]
 * in whichever file the index maps it to, each file opened once, all or
 * nothing over every file (each is opened and validated, and every name,
 * dtype and shape checked, before the first byte is written; then as
 * gi_safetensors_load_into). Returns as gi_safetensors_index_open and
 * gi_load_safetensors (GI_ERR_INVALID_ARGUMENT: a name the index lacks,
 * or its file lacks; GI_ERR_FORMAT and GI_ERR_IO also for the files). */
GI_API gi_status gi_load_safetensors_index(const char *index_path, int64_t n,
                                           const char *const *names,
                                           const gi_tensor *tensors);

/* gi_module_load_safetensors through an index, strict: the index must map
 * exactly the tree's parameter names (the message lists the missing and
 * the unexpected keys). Returns as gi_load_safetensors_index, and
 * GI_ERR_STATE (a LazyLinear that has not run). */
GI_API gi_status gi_module_load_safetensors_index(gi_module m,
                                                  const char *index_path);

/* ------------------------------------------------------------------------ */
/* Printing, in PyTorch's format                                             */
/* ------------------------------------------------------------------------ */

/* Writes the tensor as print(t) does in PyTorch, newline included:
 * "tensor([-0.0089,  0.0039])", "tensor(0.)", summarized with "..." above
 * 1000 elements, with ", device='cuda:0'" for tensors on a GPU. Only the
 * elements shown are copied to the host (above 1000 elements, the first
 * and last 3 of each dimension: at most 6^ndim), so a tensor of any size,
 * on the GPU too, prints with little host memory.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_OUT_OF_MEMORY, GI_ERR_IO (a
 * write, or the flush that ends the call, failed), GI_ERR_CUDA. */
GI_API gi_status gi_tensor_print(gi_tensor t, FILE *f);

/* The same text without the trailing newline, into buf (always
 * NUL-terminated when cap > 0). *needed (optional) receives the full length
 * without the NUL; a buffer too small is truncated and returns
 * GI_ERR_INVALID_ARGUMENT with *needed set, so a caller can retry.
 * buf may be NULL when cap is 0. Returns GI_OK, GI_ERR_NULL_ARGUMENT,
 * GI_ERR_INVALID_ARGUMENT, GI_ERR_OUT_OF_MEMORY, GI_ERR_CUDA. */
GI_API gi_status gi_tensor_format(gi_tensor t, char *buf, size_t cap,
                           size_t *needed);

/* Writes the shape as torch.Size does, with a newline: "torch.Size([2, 1])".
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_OUT_OF_MEMORY, GI_ERR_IO (as
 * gi_tensor_print). */
GI_API gi_status gi_tensor_print_shape(gi_tensor t, FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* GINIT_H */
