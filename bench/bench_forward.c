/*
 * Linear and Linear+ReLU forward against a bare GEMM of the same shape
 * (cuBLAS on the GPU, OpenBLAS on the CPU), side by side in one run, in
 * each dtype:
 *
 *   ginit_bench_forward [--device auto|cpu|cuda] [--reps N] [--quick]
 *
 * Each time is the median of N runs after one warm-up, wall clock around
 * the call and a device synchronization. The bare GEMM computes X W^T on
 * the same sizes without a bias; the Linear adds the bias and allocates
 * its output, as net(X) does. The bare GEMM of a dtype is SGEMM (float32),
 * DGEMM (float64) and, for float16 and bfloat16, GemmEx on the 16-bit
 * operands into float32 on the GPU, SGEMM of operands already widened to
 * float32 on the CPU (which has no 16-bit GEMM): the 16-bit rows' ratios
 * are then what widening and rounding cost.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>

#include "bench_util.h"
#include "ginit.h"

#ifdef GINIT_BENCH_CUDA
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#endif

/* A bare GEMM on the context's device, on copies of the module's data
 * in dtype (that of the GEMM's operands); y is float64 for float64,
 * float32 for the others. */
typedef struct gemm {
    gi_device device;
    gi_dtype dtype;
    int rows, in, out;
    void *x, *w, *y; /* host or device buffers */
#ifdef GINIT_BENCH_CUDA
    cublasHandle_t blas;
#endif
} gemm;

static size_t elem_bytes(gi_dtype dt)
{
    return dt == GI_F64 ? 8 : dt == GI_F32 ? 4 : 2;
}

/* A malloc'd host copy of t converted to dt. */
static void *host_copy(gi_tensor t, gi_dtype dt)
{
    gi_tensor c = NULL;
    TRY(gi_tensor_to(&c, t, dt));
    size_t bytes = (size_t)gi_tensor_numel(t) * elem_bytes(dt);
    void *h = malloc(bytes);
    if (h == NULL)
        exit(1);
    TRY(gi_tensor_copy_to_host(c, h, bytes));
    gi_tensor_destroy(c);
    return h;
}

static gemm gemm_setup(gi_context ctx, gi_tensor x, gi_tensor w)
{
    gi_dtype dt = gi_tensor_dtype(x);
    gemm g = {gi_context_device(ctx), dt,
              (int)(gi_tensor_numel(x) / gi_tensor_size(x, -1)),
              (int)gi_tensor_size(x, -1), (int)gi_tensor_size(w, 0), NULL,
              NULL, NULL
#ifdef GINIT_BENCH_CUDA
              , NULL
#endif
    };
    if (g.device != GI_DEVICE_CUDA && dt != GI_F64)
        g.dtype = GI_F32; /* the CPU's 16-bit forward runs SGEMM */
    size_t by = (size_t)g.rows * g.out * (dt == GI_F64 ? 8 : 4);
    g.x = host_copy(x, g.dtype);
    g.w = host_copy(w, g.dtype);
    g.y = malloc(by);
#ifdef GINIT_BENCH_CUDA
    if (g.device == GI_DEVICE_CUDA) {
        void *hx = g.x, *hw = g.w;
        size_t bx = (size_t)g.rows * g.in * elem_bytes(g.dtype);
        size_t bw = (size_t)g.out * g.in * elem_bytes(g.dtype);
        free(g.y);
        if (cudaMalloc(&g.x, bx) != cudaSuccess ||
            cudaMalloc(&g.w, bw) != cudaSuccess ||
            cudaMalloc(&g.y, by) != cudaSuccess ||
            cublasCreate(&g.blas) != CUBLAS_STATUS_SUCCESS)
            exit(1);
        cudaMemcpy(g.x, hx, bx, cudaMemcpyHostToDevice);
        cudaMemcpy(g.w, hw, bw, cudaMemcpyHostToDevice);
        free(hx);
        free(hw);
    }
#endif
    return g;
}

#ifdef GINIT_BENCH_CUDA
static void gemm_run_cuda(const gemm *g)
{
    const double one64 = 1.0, zero64 = 0.0;
    const float one = 1.0f, zero = 0.0f;
    cudaDataType t = g->dtype == GI_F16 ? CUDA_R_16F : CUDA_R_16BF;
    if (g->dtype == GI_F64)
        cublasDgemm(g->blas, CUBLAS_OP_T, CUBLAS_OP_N, g->out, g->rows, g->in,
                    &one64, g->w, g->in, g->x, g->in, &zero64, g->y, g->out);
    else if (g->dtype == GI_F32)
        cublasSgemm(g->blas, CUBLAS_OP_T, CUBLAS_OP_N, g->out, g->rows, g->in,
                    &one, g->w, g->in, g->x, g->in, &zero, g->y, g->out);
    else
        cublasGemmEx(g->blas, CUBLAS_OP_T, CUBLAS_OP_N, g->out, g->rows,
                     g->in, &one, g->w, t, g->in, g->x, t, g->in, &zero, g->y,
                     CUDA_R_32F, g->out, CUBLAS_COMPUTE_32F,
                     CUBLAS_GEMM_DEFAULT);
    cudaDeviceSynchronize();
}
#endif

static void gemm_run(const gemm *g)
{
#ifdef GINIT_BENCH_CUDA
    if (g->device == GI_DEVICE_CUDA) {
        gemm_run_cuda(g);
        return;
    }
#endif
    if (g->dtype == GI_F64)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, g->rows, g->out,
                    g->in, 1.0, g->x, g->in, g->w, g->in, 0.0, g->y, g->out);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, g->rows, g->out,
                    g->in, 1.0f, g->x, g->in, g->w, g->in, 0.0f, g->y,
                    g->out);
}

static void gemm_free(gemm *g)
{
#ifdef GINIT_BENCH_CUDA
    if (g->device == GI_DEVICE_CUDA) {
        cudaFree(g->x);
        cudaFree(g->w);
        cudaFree(g->y);
        cublasDestroy(g->blas);
        return;
    }
#endif
    free(g->x);
    free(g->w);
    free(g->y);
}

static double time_gemm(const gemm *g, int reps)
{
    double t[MAX_REPS];
    gemm_run(g);
    for (int r = 0; r < reps; ++r) {
        double t0 = now_ms();
        gemm_run(g);
        t[r] = now_ms() - t0;
    }
    return median(t, reps);
}

static double time_forward(gi_module m, gi_tensor x, int reps)
{
    double t[MAX_REPS];
    gi_context ctx = gi_module_context(m);
    for (int r = -1; r < reps; ++r) {
        gi_tensor y = NULL;
        double t0 = now_ms();
        TRY(gi_module_forward(m, x, &y));
        TRY(gi_context_synchronize(ctx));
        double dt = now_ms() - t0;
        gi_tensor_destroy(y);
        if (r >= 0)
            t[r] = dt;
    }
    return median(t, reps);
}

static void bench_shape(gi_context ctx, gi_dtype dt, int64_t rows,
                        int64_t in, int64_t out, int reps)
{
    gi_module lin = NULL, lin2 = NULL, relu = NULL, net = NULL;
    gi_tensor x = NULL;
    const int64_t shape[] = {rows, in};
    TRY(gi_linear_create(&lin, ctx, in, out, 1, dt));
    TRY(gi_linear_create(&lin2, ctx, in, out, 1, dt));
    TRY(gi_relu_create(&relu, ctx));
    gi_module kids[] = {lin2, relu};
    TRY(gi_sequential_create(&net, ctx, 2, kids));
    TRY(gi_tensor_create(&x, ctx, dt, 2, shape));
    TRY(gi_uniform_(x, 0.0, 1.0, NULL));
    gemm g = gemm_setup(ctx, x, gi_module_weight(lin));
    /* ginit first: OpenBLAS's workers spin for about 0.1 s after a GEMM
     * of their own and would share the cores with ginit's threads (ginit
     * holds OpenBLAS to one thread); OpenMP's spin for far less. */
    double tl = time_forward(lin, x, reps);
    double tr = time_forward(net, x, reps);
    double tg = time_gemm(&g, reps);
    printf("%-8s %6lld x %5lld -> %5lld | %10.4f | %10.4f %6.3fx | "
           "%10.4f %6.3fx\n", gi_dtype_name(dt), (long long)rows,
           (long long)in, (long long)out, tg, tl, tl / tg, tr, tr / tg);
    gemm_free(&g);
    gi_tensor_destroy(x);
    gi_module_destroy(lin);
    gi_module_destroy(net);
}

int main(int argc, char **argv)
{
    gi_device device = GI_DEVICE_AUTO;
    int reps = 9, quick = 0;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--device") == 0 && i + 1 < argc) {
            device = parse_device(argv[++i]);
        } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            reps = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--quick") == 0) {
            quick = 1;
        } else {
            fprintf(stderr, "usage: %s [--device auto|cpu|cuda] [--reps N] "
                    "[--quick]\n", argv[0]);
            return 2;
        }
    }
    if (reps < 1 || reps > MAX_REPS)
        reps = 9;
    gi_context ctx = NULL;
    TRY(gi_context_create(&ctx, device));
    printf("ginit forward benchmark\ndevice: %s\n",
           gi_context_device_info(ctx));
    print_machine(gi_context_device(ctx) == GI_DEVICE_CUDA);
    printf("median of %d runs, ms\n\n", reps);
    printf("dtype      rows x    in ->   out |  bare GEMM |     Linear  ratio "
           "| Linear+ReLU  ratio\n");
    const int64_t shapes[][3] = {{2, 4, 8}, {256, 1024, 1024}, {4096, 4096, 4096}};
    const gi_dtype dtypes[] = {GI_F32, GI_F64, GI_F16, GI_BF16};
    int n = quick ? 2 : 3;
    for (int s = 0; s < n; ++s)
        for (int d = 0; d < 4; ++d)
            bench_shape(ctx, dtypes[d], shapes[s][0], shapes[s][1],
                        shapes[s][2], reps);
    gi_context_destroy(ctx);
    return 0;
}
