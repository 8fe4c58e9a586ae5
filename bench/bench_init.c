/*
 * Initializer throughput, side by side in one run on the context's device:
 *
 *   ginit_bench [--device auto|cpu|cuda] [--reps N] [--max-log2 K]
 *               [--csv FILE] [--quick] [--dtypes]
 *
 * For each initializer and size 2^12 .. 2^K float32 elements (K = 26 on
 * the CPU, 30 on a GPU): the median time of N runs after a warm-up, the
 * bandwidth in GB/s (bytes written), and two references on the same
 * buffer: the physical limit (memset / cudaMemsetAsync) and cuRAND's host
 * API (curandGenerateUniform plus one elementwise pass, the least a law
 * U[a, b) needs; curandGenerateNormal, which takes mean and std itself), as
 * ratios (ginit time / reference time). Then whole
 * module trees: 64 Linear(1024, 1024) and 256 Linear(256, 256), xavier
 * uniform weights and zero biases, through apply() with the per-tensor
 * initializers (tree_*, two calls a layer) and through gi_module_init_
 * (tree_init_*, one pass over the tree); both give the same bits. Then
 * the dtypes: uniform_, normal_, trunc_normal_, xavier_uniform_,
 * kaiming_normal_, mixture_ and zeros_ of 2^(K - 2)
 * elements in float32, float64, float16 and bfloat16, with each one's
 * bandwidth (its own element size) and time relative to float32's
 * (--dtypes: those rows alone). GPU times use CUDA events; CPU times the
 * monotonic clock.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "ginit.h"
#include "core/internal.h"

#ifdef GINIT_BENCH_CUDA
#include <cuda_runtime_api.h>
#include <curand.h>
#endif

typedef struct bench {
    gi_context ctx;
    int cuda, reps;
    FILE *csv;
} bench;

/* What is timed: one call on a tensor, or a reference on its buffer. */
typedef struct job {
    const char *name;
    gi_status (*init)(gi_tensor t);
    int reference; /* 0: init, 1: memset, 2: curand uniform, 3: curand normal */
} job;

#ifdef GINIT_BENCH_CUDA
static curandGenerator_t curand_gen(const bench *b)
{
    static curandGenerator_t gens[2];
    if (gens[b->cuda] == NULL) {
        curandStatus_t st =
            b->cuda ? curandCreateGenerator(&gens[1], CURAND_RNG_PSEUDO_PHILOX4_32_10)
                    : curandCreateGeneratorHost(&gens[0],
                                                CURAND_RNG_PSEUDO_PHILOX4_32_10);
        if (st != CURAND_STATUS_SUCCESS)
            return NULL;
        curandSetPseudoRandomGeneratorSeed(gens[b->cuda], 1234);
    }
    return gens[b->cuda];
}
#endif

/* One run of the reference on t's buffer; 0 when it is not available. */
static int run_reference(const bench *b, gi_tensor t, int which)
{
    float *data = gi_tensor_data(t);
    size_t n = (size_t)gi_tensor_numel(t);
    if (which == 1) {
#ifdef GINIT_BENCH_CUDA
        if (b->cuda)
            return cudaMemsetAsync(data, 0, n * sizeof(float), 0) == cudaSuccess;
#endif
        memset(data, 0, n * sizeof(float));
        return 1;
    }
#ifdef GINIT_BENCH_CUDA
    curandGenerator_t g = curand_gen(b);
    if (g == NULL)
        return 0;
    if (which == 3)
        return curandGenerateNormal(g, data, n & ~(size_t)1, 0.0f, 1.0f) ==
               CURAND_STATUS_SUCCESS;
    return curandGenerateUniform(g, data, n) == CURAND_STATUS_SUCCESS &&
           gi_add_scalar_(t, -0.5f) == GI_OK;
#else
    (void)b;
    return 0;
#endif
}

static void device_sync(const bench *b)
{
#ifdef GINIT_BENCH_CUDA
    if (b->cuda)
        cudaDeviceSynchronize();
#endif
    TRY(gi_context_synchronize(b->ctx));
}

/* Median milliseconds of the job, or -1 when it cannot run here. On a GPU
 * each sample is GPU_BATCH calls back to back between two synchronizations,
 * so that the cost of synchronizing is not counted as the kernel's. */
#define GPU_BATCH 10

static double time_job(const bench *b, gi_tensor t, const job *j)
{
    const int inner = b->cuda ? GPU_BATCH : 1;
    double times[MAX_REPS];
    for (int r = -1; r < b->reps; ++r) {
        device_sync(b);
#ifdef GINIT_BENCH_CUDA
        cudaEvent_t e0, e1;
        if (b->cuda) {
            cudaEventCreate(&e0);
            cudaEventCreate(&e1);
            cudaEventRecord(e0, 0);
        }
#endif
        double t0 = now_ms();
        for (int k = 0; k < inner; ++k) {
            if (j->reference) {
                if (!run_reference(b, t, j->reference))
                    return -1;
            } else {
                TRY(j->init(t));
            }
        }
        device_sync(b);
        double dt = now_ms() - t0;
#ifdef GINIT_BENCH_CUDA
        if (b->cuda) {
            float ms = 0;
            cudaEventRecord(e1, 0);
            cudaEventSynchronize(e1);
            cudaEventElapsedTime(&ms, e0, e1);
            dt = ms;
            cudaEventDestroy(e0);
            cudaEventDestroy(e1);
        }
#endif
        if (r >= 0)
            times[r] = dt / inner;
    }
    return median(times, b->reps);
}

static gi_status do_uniform(gi_tensor t) { return gi_uniform_(t, -1, 1, NULL); }
static gi_status do_normal(gi_tensor t) { return gi_normal_(t, 0, 1, NULL); }
static gi_status do_trunc(gi_tensor t) { return gi_trunc_normal_(t, 0, 1, -2, 2, NULL); }
static gi_status do_xavier(gi_tensor t) { return gi_xavier_uniform_(t, 1, NULL); }
static gi_status do_kaiming(gi_tensor t)
{
    return gi_kaiming_normal_(t, 0, GI_FAN_IN, GI_NONLIN_RELU, NULL);
}
static gi_status do_zeros(gi_tensor t) { return gi_zeros_(t); }
static gi_status do_mixture(gi_tensor t)
{
    const gi_component law[] = {{0.25f, GI_COMPONENT_UNIFORM, 5, 10},
                                {0.50f, GI_COMPONENT_CONSTANT, 0, 0},
                                {0.25f, GI_COMPONENT_UNIFORM, -10, -5}};
    return gi_mixture_(t, 3, law, NULL);
}

static const job JOBS[] = {
    {"memset", NULL, 1},           {"curand_uniform", NULL, 2},
    {"curand_normal", NULL, 3},    {"uniform_", do_uniform, 0},
    {"normal_", do_normal, 0},     {"trunc_normal_", do_trunc, 0},
    {"xavier_uniform_", do_xavier, 0}, {"kaiming_normal_", do_kaiming, 0},
    {"zeros_", do_zeros, 0},       {"mixture_", do_mixture, 0},
};
#define NJOBS (sizeof JOBS / sizeof *JOBS)

static void print_row(const bench *b, const char *name, int64_t n, double ms,
                      double memset_ms, double curand_ms)
{
    double gbs = (double)n * 4 / (ms * 1e6);
    printf("%-16s 2^%-3d %10.4f %8.1f", name, __builtin_ctzll((unsigned long long)n),
           ms, gbs);
    printf(memset_ms > 0 ? " %7.2fx" : "      - ", ms / memset_ms);
    printf(curand_ms > 0 ? " %7.2fx\n" : "      -\n", ms / curand_ms);
    if (b->csv)
        fprintf(b->csv, "ginit,%s,%s,%lld,%.6f,%.3f\n",
                b->cuda ? "cuda" : "cpu", name, (long long)n, ms, gbs);
}

static void bench_sizes(const bench *b, int max_log2)
{
    printf("%-16s %-5s %10s %8s %8s %8s\n", "initializer", "n", "ms", "GB/s",
           "/memset", "/curand");
    for (int lg = 12; lg <= max_log2; lg += 2) {
        int64_t n = (int64_t)1 << lg;
        const int64_t shape[] = {n >> 10, 1024}; /* a weight: fans exist */
        gi_tensor t = NULL;
        TRY(gi_tensor_create(&t, b->ctx, GI_F32, 2, shape));
        double ref[NJOBS];
        for (size_t j = 0; j < NJOBS; ++j) {
            ref[j] = time_job(b, t, &JOBS[j]);
            if (JOBS[j].reference)
                continue;
            int normal_law = JOBS[j].init == do_normal ||
                             JOBS[j].init == do_kaiming ||
                             JOBS[j].init == do_trunc;
            print_row(b, JOBS[j].name, n, ref[j], ref[0],
                      normal_law ? ref[2] : ref[1]);
        }
        gi_tensor_destroy(t);
    }
}

/* Each law of DTYPE_JOBS in every dtype, side by side on one size. */
static const job DTYPE_JOBS[] = {
    {"uniform_", do_uniform, 0},        {"normal_", do_normal, 0},
    {"trunc_normal_", do_trunc, 0},     {"xavier_uniform_", do_xavier, 0},
    {"kaiming_normal_", do_kaiming, 0}, {"mixture_", do_mixture, 0},
    {"zeros_", do_zeros, 0}};
#define NDTYPE_JOBS (sizeof DTYPE_JOBS / sizeof *DTYPE_JOBS)

static void bench_dtypes(const bench *b, int lg)
{
    static const gi_dtype dts[] = {GI_F32, GI_F64, GI_F16, GI_BF16};
    const int64_t n = (int64_t)1 << lg;
    const int64_t shape[] = {n >> 10, 1024};
    printf("%-16s %-9s %-5s %10s %8s %10s\n", "initializer", "dtype", "n",
           "ms", "GB/s", "/float32");
    for (size_t j = 0; j < NDTYPE_JOBS; ++j) {
        double f32_ms = 0.0;
        for (size_t d = 0; d < sizeof dts / sizeof *dts; ++d) {
            gi_tensor t = NULL;
            TRY(gi_tensor_create(&t, b->ctx, dts[d], 2, shape));
            double ms = time_job(b, t, &DTYPE_JOBS[j]);
            f32_ms = d == 0 ? ms : f32_ms;
            double gbs = (double)gi_tensor_numel(t) *
                         (double)gi_dtype_size(dts[d]) / (ms * 1e6);
            printf("%-16s %-9s 2^%-3d %10.4f %8.1f %9.2fx\n",
                   DTYPE_JOBS[j].name, gi_dtype_name(dts[d]), lg, ms, gbs,
                   ms / f32_ms);
            if (b->csv)
                fprintf(b->csv, "ginit,%s,%s/%s,%lld,%.6f,%.3f\n",
                        b->cuda ? "cuda" : "cpu", DTYPE_JOBS[j].name,
                        gi_dtype_name(dts[d]), (long long)n, ms, gbs);
            gi_tensor_destroy(t);
        }
    }
}

static gi_status init_tree_layer(gi_module m, void *user)
{
    (void)user;
    if (gi_module_kind_of(m) != GI_MODULE_LINEAR)
        return GI_OK;
    gi_status st = gi_xavier_uniform_(gi_module_weight(m), 1.0f, NULL);
    return st != GI_OK ? st : gi_zeros_(gi_module_bias(m));
}

static gi_status tree_apply(gi_module net)
{
    return gi_module_apply(net, init_tree_layer, NULL);
}

static gi_status tree_init(gi_module net)
{
    static const gi_init weight = {.kind = GI_INIT_XAVIER_UNIFORM, .a = 1.0f};
    static const gi_init bias = {.kind = GI_INIT_ZEROS};
    return gi_module_init_(net, &weight, &bias, NULL);
}

/* Median milliseconds of init(net). */
static double time_tree(const bench *b, gi_module net,
                        gi_status (*init)(gi_module))
{
    double times[MAX_REPS];
    for (int r = -1; r < b->reps; ++r) {
        device_sync(b);
        double t0 = now_ms();
        TRY(init(net));
        device_sync(b);
        if (r >= 0)
            times[r] = now_ms() - t0;
    }
    return median(times, b->reps);
}

static void bench_tree(const bench *b, int layers, int64_t width)
{
    gi_module net = NULL;
    TRY(gi_sequential_create(&net, b->ctx, 0, NULL));
    for (int i = 0; i < layers; ++i) {
        gi_module l = NULL;
        TRY(gi_linear_create(&l, b->ctx, width, width, 1, GI_F32));
        TRY(gi_sequential_append(net, l));
    }
    const struct { const char *prefix; gi_status (*init)(gi_module); } ways[] = {
        {"tree", tree_apply}, {"tree_init", tree_init}};
    for (size_t w = 0; w < sizeof ways / sizeof *ways; ++w) {
        double ms = time_tree(b, net, ways[w].init);
        char name[64];
        snprintf(name, sizeof name, "%s_%dx%lld", ways[w].prefix, layers,
                 (long long)width);
        printf("%-20s %3d Linear(%lld, %lld): %10.4f ms\n", name, layers,
               (long long)width, (long long)width, ms);
        if (b->csv)
            fprintf(b->csv, "ginit,%s,%s,%lld,%.6f,\n",
                    b->cuda ? "cuda" : "cpu", name,
                    (long long)layers * width * (width + 1), ms);
    }
    gi_module_destroy(net);
}

int main(int argc, char **argv)
{
    gi_device device = GI_DEVICE_AUTO;
    bench b = {NULL, 0, 9, NULL};
    int max_log2 = 0, dtypes_only = 0;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--device") == 0 && i + 1 < argc) {
            device = parse_device(argv[++i]);
        } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            b.reps = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--max-log2") == 0 && i + 1 < argc) {
            max_log2 = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc) {
            b.csv = fopen(argv[++i], "w");
        } else if (strcmp(argv[i], "--quick") == 0) {
            max_log2 = 16;
            b.reps = 3;
        } else if (strcmp(argv[i], "--dtypes") == 0) {
            dtypes_only = 1;
        } else {
            fprintf(stderr, "usage: %s [--device auto|cpu|cuda] [--reps N] "
                    "[--max-log2 K] [--csv FILE] [--quick] [--dtypes]\n",
                    argv[0]);
            return 2;
        }
    }
    if (b.reps < 1 || b.reps > MAX_REPS)
        b.reps = 9;
    TRY(gi_context_create(&b.ctx, device));
    b.cuda = gi_context_device(b.ctx) == GI_DEVICE_CUDA;
    if (max_log2 < 12)
        max_log2 = b.cuda ? 30 : 26;
    printf("ginit initializer benchmark\ndevice: %s\n",
           gi_context_device_info(b.ctx));
    print_machine(b.cuda);
    if (b.cuda)
        printf("median of %d runs, each %d calls between synchronizations\n\n",
               b.reps, GPU_BATCH);
    else
        printf("median of %d runs\n\n", b.reps);
    if (b.csv)
        fprintf(b.csv, "library,device,initializer,n,ms,gbs\n");
    if (!dtypes_only) {
        bench_sizes(&b, max_log2);
        printf("\n");
        bench_tree(&b, 64, 1024);
        bench_tree(&b, 256, 256);
        printf("\n");
    }
    bench_dtypes(&b, max_log2 - 2);
    if (b.csv)
        fclose(b.csv);
    gi_context_destroy(b.ctx);
    return 0;
}
