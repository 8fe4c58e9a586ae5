/* The simulator ready for 16-bit and float64 kernels: stores of 2- and
 * 8-byte elements (scalar, uint2, uint4, double2) pass when each element is
 * written once in whole and are stopped otherwise; the cuBLAS and cuSOLVER
 * stand-ins for those dtypes give BLAS's and LAPACK's results. White-box:
 * simulated device memory is host memory, so the tests fill and read it
 * directly. */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <criterion/criterion.h>
#include <cublas_v2.h>
#include <cusolverDn.h>
#include <lapacke.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shared/convert.h"
#include "sim_control.h"
#include "sim_test_kernels.h"

#define N 64 /* elements of each test kernel's fill */

static void *device_alloc(size_t bytes)
{
    void *p = NULL;
    cr_assert_eq(cudaMalloc(&p, bytes), cudaSuccess);
    memset(p, 0xff, bytes);
    return p;
}

/* ---- element tracking ---------------------------------------------------- */

typedef enum sim_case {
    FILL_HALVES,
    FILL_DOUBLES,
    COPY_HALVES,
    COPY_DOUBLES,
    FILL_DOUBLES_AT_4 /* a double target 4 bytes past an allocation's start */
} sim_case;

/* Runs one test kernel over fresh device memory; returns what it wrote. */
static void *run_case(sim_case c, int width, sim_fault fault)
{
    if (c == FILL_HALVES) {
        uint16_t *h = device_alloc(N * sizeof *h);
        sim_fill_halves(h, N, width, fault);
        return h;
    }
    double *d = device_alloc(N * sizeof *d);
    if (c == FILL_DOUBLES)
        sim_fill_doubles(d, N, width, fault);
    if (c == FILL_DOUBLES_AT_4)
        sim_fill_doubles((double *)((char *)d + 4), N - 1, width, fault);
    if (c == COPY_DOUBLES) {
        double *src = device_alloc(N * sizeof *src);
        for (int e = 0; e < N; ++e)
            src[e] = e + 0.5;
        sim_copy_doubles(d, src, N, fault);
    }
    if (c == COPY_HALVES) {
        uint16_t *src = device_alloc(N * sizeof *src), *h = (uint16_t *)d;
        for (int e = 0; e < N; ++e)
            src[e] = sim_half_value(e);
        sim_copy_halves(h, src, N, fault);
    }
    return d;
}

/* The case run in a child process must be stopped by the simulator with a
 * message containing want. */
static void expect_violation(sim_case c, int width, sim_fault fault,
                             const char *want)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    fflush(stderr);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        run_case(c, width, fault);
        _exit(0);
    }
    close(fds[1]);
    char msg[4096];
    size_t len = 0;
    ssize_t got;
    while (len < sizeof msg - 1 &&
           (got = read(fds[0], msg + len, sizeof msg - 1 - len)) > 0)
        len += (size_t)got;
    msg[len] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
              "case %d, %d-byte stores, fault %d: not stopped (%s)", (int)c,
              width, (int)fault, msg);
    cr_expect(strstr(msg, want) != NULL, "want \"%s\" in: %s", want, msg);
}

Test(sim_dtypes, halves_in_2_8_and_16_byte_stores_pass)
{
    const int widths[] = {2, 8, 16};
    for (int w = 0; w < 3; ++w) {
        uint16_t *h = run_case(FILL_HALVES, widths[w], SIM_FAULT_NONE);
        cr_assert_eq(cudaGetLastError(), cudaSuccess);
        for (int e = 0; e < N; ++e)
            cr_assert_eq(h[e], sim_half_value(e), "%d-byte stores: element "
                         "%d is %#x", widths[w], e, h[e]);
        cudaFree(h);
    }
}

Test(sim_dtypes, doubles_in_8_and_16_byte_stores_pass)
{
    for (int width = 8; width <= 16; width += 8) {
        double *d = run_case(FILL_DOUBLES, width, SIM_FAULT_NONE);
        cr_assert_eq(cudaGetLastError(), cudaSuccess);
        for (int e = 0; e < N; ++e)
            cr_assert_eq(d[e], e + 0.5, "%d-byte stores: element %d is %g",
                         width, e, d[e]);
        cudaFree(d);
    }
}

Test(sim_dtypes, copies_of_halves_and_doubles_pass)
{
    uint16_t *h = run_case(COPY_HALVES, 2, SIM_FAULT_NONE);
    double *d = run_case(COPY_DOUBLES, 8, SIM_FAULT_NONE);
    for (int e = 0; e < N; ++e) {
        cr_assert_eq(h[e], sim_half_value(e));
        cr_assert_eq(d[e], e + 0.5);
    }
}

Test(sim_dtypes, a_half_written_twice_is_reported)
{
    const char *want = "element 0 of a 64-element target written twice";
    expect_violation(FILL_HALVES, 2, SIM_FAULT_TWICE, want);
    expect_violation(FILL_HALVES, 16, SIM_FAULT_TWICE, want);
}

Test(sim_dtypes, a_half_stored_bytewise_is_reported)
{
    expect_violation(FILL_HALVES, 2, SIM_FAULT_PIECES,
                     "covers only part of element 63, of 2 bytes");
}

Test(sim_dtypes, a_double_stored_as_two_4_byte_halves_is_reported)
{
    expect_violation(FILL_DOUBLES, 8, SIM_FAULT_PIECES,
                     "4-byte store at");
    expect_violation(FILL_DOUBLES, 8, SIM_FAULT_PIECES,
                     "covers only part of element 63, of 8 bytes");
}

Test(sim_dtypes, a_double_never_written_is_reported)
{
    expect_violation(FILL_DOUBLES, 8, SIM_FAULT_SKIP,
                     "element 63 of a 64-element target");
    expect_violation(FILL_DOUBLES, 16, SIM_FAULT_SKIP,
                     "element 62 of a 64-element target");
}

Test(sim_dtypes, misaligned_vector_stores_are_reported)
{
    expect_violation(FILL_HALVES, 16, SIM_FAULT_SHIFT,
                     "16-byte store at 0x");
    expect_violation(FILL_HALVES, 16, SIM_FAULT_SHIFT,
                     "is not 16-byte aligned");
    expect_violation(FILL_HALVES, 8, SIM_FAULT_SHIFT,
                     "is not 8-byte aligned");
    expect_violation(FILL_DOUBLES, 16, SIM_FAULT_SHIFT,
                     "is not 16-byte aligned");
}

Test(sim_dtypes, scalar_stores_past_the_target_are_reported)
{
    expect_violation(FILL_HALVES, 2, SIM_FAULT_SHIFT,
                     "2-byte store at byte 128 of a 128-byte allocation");
    expect_violation(FILL_DOUBLES, 8, SIM_FAULT_SHIFT,
                     "8-byte store at byte 512 of a 512-byte allocation");
}

/* __tsan_read2 and __tsan_read8 reach the checks too. */
Test(sim_dtypes, loads_past_an_allocation_are_reported)
{
    expect_violation(COPY_HALVES, 2, SIM_FAULT_PAST_END,
                     "2-byte load at byte 128 of a 128-byte allocation");
    expect_violation(COPY_DOUBLES, 8, SIM_FAULT_PAST_END,
                     "8-byte load at byte 512 of a 512-byte allocation");
}

Test(sim_dtypes, a_misaligned_double_target_is_reported)
{
    expect_violation(FILL_DOUBLES_AT_4, 8, SIM_FAULT_NONE,
                     "must write 8-byte elements at 0x");
    expect_violation(FILL_DOUBLES_AT_4, 8, SIM_FAULT_NONE,
                     "which is not 8-byte aligned");
}

/* ---- cuBLAS -------------------------------------------------------------- */

static cublasHandle_t blas_handle(cublasMath_t mode)
{
    cublasHandle_t h = NULL;
    cr_assert_eq(cublasCreate(&h), CUBLAS_STATUS_SUCCESS);
    cr_assert_eq(cublasSetMathMode(h, mode), CUBLAS_STATUS_SUCCESS);
    return h;
}

/* Values with every bit of a double in use, so a float GEMM shows. */
static double *device_doubles(size_t n, double phase)
{
    double *p = device_alloc(n * sizeof *p);
    for (size_t i = 0; i < n; ++i)
        p[i] = sin(0.7 * (double)i + phase);
    return p;
}

static double *host_copy(const double *p, size_t n)
{
    double *h = malloc(n * sizeof *h);
    cr_assert_not_null(h);
    memcpy(h, p, n * sizeof *h);
    return h;
}

/* C = alpha A^T B + beta C with leading dimensions past the rows; ex: by
 * GemmEx with CUBLAS_COMPUTE_64F instead of Dgemm. Equal to OpenBLAS's
 * dgemm to double rounding, and gaps between C's columns untouched. */
static void check_dgemm(int ex)
{
    enum { M = 5, NN = 4, K = 7, LDA = K + 2, LDB = K + 1, LDC = M + 3 };
    cublasHandle_t h = blas_handle(CUBLAS_DEFAULT_MATH);
    double *A = device_doubles(LDA * M, 0.1), *B = device_doubles(LDB * NN, 2);
    double *C = device_doubles(LDC * NN, 5), *want = host_copy(C, LDC * NN);
    const double alpha = 1.25, beta = -0.5;
    cublasStatus_t s =
        ex ? cublasGemmEx(h, CUBLAS_OP_T, CUBLAS_OP_N, M, NN, K, &alpha, A,
                          CUDA_R_64F, LDA, B, CUDA_R_64F, LDB, &beta, C,
                          CUDA_R_64F, LDC, CUBLAS_COMPUTE_64F,
                          CUBLAS_GEMM_DEFAULT)
           : cublasDgemm(h, CUBLAS_OP_T, CUBLAS_OP_N, M, NN, K, &alpha, A,
                         LDA, B, LDB, &beta, C, LDC);
    cr_assert_eq(s, CUBLAS_STATUS_SUCCESS);
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, M, NN, K, alpha, A,
                LDA, B, LDB, beta, want, LDC);
    for (int i = 0; i < LDC * NN; ++i)
        cr_expect(fabs(C[i] - want[i]) < 1e-14, "C[%d] = %.17g, want %.17g",
                  i, C[i], want[i]);
    free(want);
    cudaFree(A);
    cudaFree(B);
    cudaFree(C);
    cublasDestroy(h);
}

Test(sim_blas, dgemm_gives_blas_dgemm)
{
    check_dgemm(0);
}

Test(sim_blas, gemm_ex_on_doubles_gives_blas_dgemm)
{
    check_dgemm(1);
}

/* Dgemm's arguments are checked as Sgemm's are, in 8-byte elements. */
Test(sim_blas, dgemm_checks_its_arguments)
{
    cublasHandle_t h = blas_handle(CUBLAS_DEFAULT_MATH), unset = NULL;
    cr_assert_eq(cublasCreate(&unset), CUBLAS_STATUS_SUCCESS);
    double *A = device_doubles(16, 0), *C = device_doubles(15, 0);
    double one = 1.0, *dev_one = device_doubles(1, 0);
    cr_expect_eq(cublasDgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, 4, 4, 4, &one, A,
                             3, A, 4, &one, A, 4),
                 CUBLAS_STATUS_INVALID_VALUE, "lda below the rows");
    cr_expect_eq(cublasDgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, 4, 4, 4, dev_one, A,
                             4, A, 4, &one, A, 4),
                 CUBLAS_STATUS_INVALID_VALUE, "alpha in device memory");
    cr_expect_eq(cublasDgemm(unset, CUBLAS_OP_N, CUBLAS_OP_N, 4, 4, 4, &one,
                             A, 4, A, 4, &one, A, 4),
                 CUBLAS_STATUS_INVALID_VALUE, "no math mode set");
    cr_expect_eq(cublasDgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, 4, 4, 4, &one, A,
                             4, A, 4, &one, C, 4),
                 CUBLAS_STATUS_INVALID_VALUE, "C one double short");
    cr_expect_eq(cublasDgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, 4, 4, 4, &one, A,
                             4, A, 4, &one, A, 4),
                 CUBLAS_STATUS_SUCCESS);
    cudaFree(A);
    cudaFree(C);
    cudaFree(dev_one);
    cublasDestroy(unset);
    cublasDestroy(h);
}

/* A 16-bit type: its size-2 codes, and exact conversions of small
 * integers. */
typedef struct type16 {
    cudaDataType type;
    uint16_t (*from_float)(float);
    float (*to_float)(uint16_t);
} type16;

static uint16_t f16_of(float v) { return gi_f32_to_f16(v); }
static float f16_to(uint16_t h) { return gi_f16_to_f32(h); }
static uint16_t bf16_of(float v) { return gi_f32_to_bf16(v); }
static float bf16_to(uint16_t h) { return gi_bf16_to_f32(h); }

static const type16 f16 = {CUDA_R_16F, f16_of, f16_to};
static const type16 bf16 = {CUDA_R_16BF, bf16_of, bf16_to};

enum { GM = 6, GN = 5, GK = 64, GLDB = GN + 1, GLDC = GM + 2 };

/* Integers in [0, 31], exact in every type: with k = 64 the sums reach
 * thousands, exact in float but not in float16 or bfloat16, so each output
 * must be the exact sum rounded once. */
static int small_int(int i) { return (i * 7 + 3) % 32; }

static uint16_t *device_ints16(const type16 *t, int n)
{
    uint16_t *p = device_alloc((size_t)n * sizeof *p);
    for (int i = 0; i < n; ++i)
        p[i] = t->from_float((float)small_int(i));
    return p;
}

/* The exact value of A B^T + C at (i, j), A m x k (lda = m), B stored
 * n x k (ldb = GLDB), C(i, j) = i + j. */
static double exact_entry(int i, int j)
{
    double sum = i + j;
    for (int p = 0; p < GK; ++p)
        sum += (double)small_int(i + p * GM) * small_int(j + p * GLDB);
    return sum;
}

/* GemmEx on 16-bit inputs, C of type out (the inputs' type or float). */
static void check_gemm_ex_16(const type16 *t, cudaDataType out)
{
    cublasHandle_t h = blas_handle(CUBLAS_DEFAULT_MATH);
    uint16_t *A = device_ints16(t, GM * GK), *B = device_ints16(t, GLDB * GK);
    size_t cb = out == CUDA_R_32F ? 4 : 2;
    void *C = device_alloc(GLDC * GN * cb);
    for (int j = 0; j < GN; ++j)
        for (int i = 0; i < GM; ++i) {
            if (out == CUDA_R_32F)
                ((float *)C)[i + j * GLDC] = (float)(i + j);
            else
                ((uint16_t *)C)[i + j * GLDC] = t->from_float(i + j);
        }
    const float one = 1.0f;
    cr_assert_eq(cublasGemmEx(h, CUBLAS_OP_N, CUBLAS_OP_T, GM, GN, GK, &one,
                              A, t->type, GM, B, t->type, GLDB, &one, C, out,
                              GLDC, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
                 CUBLAS_STATUS_SUCCESS);
    int rounded = 0;
    for (int j = 0; j < GN; ++j)
        for (int i = 0; i < GM; ++i) {
            double e = exact_entry(i, j);
            if (out == CUDA_R_32F) {
                cr_expect_eq(((float *)C)[i + j * GLDC], (float)e);
                continue;
            }
            uint16_t got = ((uint16_t *)C)[i + j * GLDC];
            uint16_t want = t->from_float((float)e);
            rounded += t->to_float(want) != e;
            cr_expect_eq(got, want, "C(%d, %d) = %g, want %g (exact %g)", i,
                         j, t->to_float(got), t->to_float(want), e);
        }
    if (out != CUDA_R_32F)
        cr_expect_gt(rounded, 0, "no output needed rounding");
    for (int j = 0; j < GN; ++j) /* the gaps between columns untouched */
        for (int i = GM; i < GLDC; ++i)
            cr_expect_eq(((unsigned char *)C)[(i + j * GLDC) * cb], 0xff);
    cudaFree(A);
    cudaFree(B);
    cudaFree(C);
    cublasDestroy(h);
}

Test(sim_blas, gemm_ex_on_float16_rounds_the_float_sum_once)
{
    check_gemm_ex_16(&f16, CUDA_R_16F);
}

Test(sim_blas, gemm_ex_on_bfloat16_rounds_the_float_sum_once)
{
    check_gemm_ex_16(&bf16, CUDA_R_16BF);
}

Test(sim_blas, gemm_ex_on_16_bit_inputs_can_give_floats)
{
    check_gemm_ex_16(&f16, CUDA_R_32F);
    check_gemm_ex_16(&bf16, CUDA_R_32F);
}

Test(sim_blas, gemm_ex_on_floats_gives_the_float_sum)
{
    cublasHandle_t h = blas_handle(CUBLAS_DEFAULT_MATH);
    float *A = device_alloc(GM * GK * 4), *B = device_alloc(GLDB * GK * 4);
    float *C = device_alloc(GLDC * GN * 4);
    for (int i = 0; i < GM * GK; ++i)
        A[i] = (float)small_int(i);
    for (int i = 0; i < GLDB * GK; ++i)
        B[i] = (float)small_int(i);
    for (int j = 0; j < GN; ++j)
        for (int i = 0; i < GM; ++i)
            C[i + j * GLDC] = (float)(i + j);
    const float one = 1.0f;
    cr_assert_eq(cublasGemmEx(h, CUBLAS_OP_N, CUBLAS_OP_T, GM, GN, GK, &one,
                              A, CUDA_R_32F, GM, B, CUDA_R_32F, GLDB, &one, C,
                              CUDA_R_32F, GLDC, CUBLAS_COMPUTE_32F,
                              CUBLAS_GEMM_DEFAULT),
                 CUBLAS_STATUS_SUCCESS);
    for (int j = 0; j < GN; ++j)
        for (int i = 0; i < GM; ++i)
            cr_expect_eq(C[i + j * GLDC], (float)exact_entry(i, j));
    cudaFree(A);
    cudaFree(B);
    cudaFree(C);
    cublasDestroy(h);
}

/* A 2 x 2 x 2 GemmEx on float16 memory of A, B, C: 4 halves each. */
static cublasStatus_t small_gemm_ex(cublasHandle_t h, const void *A,
                                    cudaDataType at, const void *B,
                                    cudaDataType bt, void *C, cudaDataType ct,
                                    cublasComputeType_t compute,
                                    cublasGemmAlgo_t algo)
{
    static const float one = 1.0f;
    return cublasGemmEx(h, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 2, &one, A, at, 2,
                        B, bt, 2, &one, C, ct, 2, compute, algo);
}

/* Only the plain float (double) compute, types cuBLAS pairs, a known
 * algorithm, a math mode without TF32, and matrices inside their
 * allocations counted in the element size of their type. */
Test(sim_blas, gemm_ex_checks_types_compute_and_math_mode)
{
    cublasHandle_t h = blas_handle(CUBLAS_DEFAULT_MATH);
    cublasHandle_t tf32 = blas_handle(CUBLAS_TF32_TENSOR_OP_MATH);
    uint16_t *M = device_alloc(4 * sizeof *M);
    const cublasGemmAlgo_t def = CUBLAS_GEMM_DEFAULT;
    cr_expect_eq(small_gemm_ex(h, M, CUDA_R_16F, M, CUDA_R_16F, M, CUDA_R_16F,
                               CUBLAS_COMPUTE_32F, def),
                 CUBLAS_STATUS_SUCCESS);
    cr_expect_eq(small_gemm_ex(h, M, CUDA_R_16F, M, CUDA_R_16F, M, CUDA_R_16F,
                               CUBLAS_COMPUTE_32F_FAST_16F, def),
                 CUBLAS_STATUS_INVALID_VALUE);
    cr_expect_eq(small_gemm_ex(h, M, CUDA_R_16BF, M, CUDA_R_16BF, M,
                               CUDA_R_16BF, CUBLAS_COMPUTE_16F, def),
                 CUBLAS_STATUS_INVALID_VALUE);
    cr_expect_eq(small_gemm_ex(h, M, CUDA_R_64F, M, CUDA_R_64F, M, CUDA_R_64F,
                               CUBLAS_COMPUTE_32F, def),
                 CUBLAS_STATUS_INVALID_VALUE);
    cr_expect_eq(small_gemm_ex(h, M, CUDA_R_16F, M, CUDA_R_16BF, M,
                               CUDA_R_16F, CUBLAS_COMPUTE_32F, def),
                 CUBLAS_STATUS_NOT_SUPPORTED);
    cr_expect_eq(small_gemm_ex(h, M, CUDA_R_16F, M, CUDA_R_16F, M,
                               CUDA_R_16BF, CUBLAS_COMPUTE_32F, def),
                 CUBLAS_STATUS_NOT_SUPPORTED);
    cr_expect_eq(small_gemm_ex(h, M, CUDA_R_16F, M, CUDA_R_16F, M,
                               CUDA_R_16F, CUBLAS_COMPUTE_32F,
                               (cublasGemmAlgo_t)50),
                 CUBLAS_STATUS_INVALID_VALUE);
    cr_expect_eq(small_gemm_ex(tf32, M, CUDA_R_16F, M, CUDA_R_16F, M,
                               CUDA_R_16F, CUBLAS_COMPUTE_32F, def),
                 CUBLAS_STATUS_INVALID_VALUE, "TF32 math mode");
    cr_expect_eq(small_gemm_ex(h, M, CUDA_R_16F, M, CUDA_R_16F, M, CUDA_R_32F,
                               CUBLAS_COMPUTE_32F, def),
                 CUBLAS_STATUS_INVALID_VALUE, "4 floats of C do not fit");
    cudaFree(M);
    cublasDestroy(tf32);
    cublasDestroy(h);
}

/* ---- cuSOLVER ------------------------------------------------------------ */

enum { QM = 6, QN = 4, QLDA = QM + 1 };

static size_t geqrf_bytes(cusolverDnHandle_t h, cusolverDnParams_t p,
                          cudaDataType t, const void *A, const void *tau)
{
    size_t dev = 0, host = 0;
    cr_assert_eq(cusolverDnXgeqrf_bufferSize(h, p, QM, QN, t, A, QLDA, t,
                                             tau, t, &dev, &host),
                 CUSOLVER_STATUS_SUCCESS);
    return dev;
}

/* Xgeqrf on CUDA_R_64F, then Dorgqr: LAPACK's Q of the same matrix, to
 * double rounding, and orthonormal columns to double rounding. */
Test(sim_solver, double_qr_gives_lapack_q)
{
    cusolverDnHandle_t h = NULL;
    cusolverDnParams_t p = NULL;
    cr_assert_eq(cusolverDnCreate(&h), CUSOLVER_STATUS_SUCCESS);
    cr_assert_eq(cusolverDnCreateParams(&p), CUSOLVER_STATUS_SUCCESS);
    double *A = device_doubles(QLDA * QN, 0.4), *tau = device_doubles(QN, 0);
    double *want = host_copy(A, QLDA * QN), want_tau[QN];
    int *info = device_alloc(sizeof *info);
    size_t bytes = geqrf_bytes(h, p, CUDA_R_64F, A, tau);
    cr_expect_eq(bytes, 2 * geqrf_bytes(h, p, CUDA_R_32F, A, tau));
    void *work = device_alloc(bytes);
    cr_assert_eq(cusolverDnXgeqrf(h, p, QM, QN, CUDA_R_64F, A, QLDA,
                                  CUDA_R_64F, tau, CUDA_R_64F, work, bytes,
                                  NULL, 0, info),
                 CUSOLVER_STATUS_SUCCESS);
    cr_expect_eq(*info, 0);
    int lwork = 0;
    cr_assert_eq(cusolverDnDorgqr_bufferSize(h, QM, QN, QN, A, QLDA, tau,
                                             &lwork),
                 CUSOLVER_STATUS_SUCCESS);
    double *w = device_alloc((size_t)lwork * sizeof *w);
    cr_assert_eq(cusolverDnDorgqr(h, QM, QN, QN, A, QLDA, tau, w, lwork,
                                  info),
                 CUSOLVER_STATUS_SUCCESS);
    LAPACKE_dgeqrf(LAPACK_COL_MAJOR, QM, QN, want, QLDA, want_tau);
    LAPACKE_dorgqr(LAPACK_COL_MAJOR, QM, QN, QN, want, QLDA, want_tau);
    for (int j = 0; j < QN; ++j)
        for (int i = 0; i < QM; ++i)
            cr_expect(fabs(A[i + j * QLDA] - want[i + j * QLDA]) < 1e-14,
                      "Q(%d, %d) = %.17g, want %.17g", i, j,
                      A[i + j * QLDA], want[i + j * QLDA]);
    for (int a = 0; a < QN; ++a)
        for (int b = 0; b < QN; ++b) {
            double dot = 0;
            for (int i = 0; i < QM; ++i)
                dot += A[i + a * QLDA] * A[i + b * QLDA];
            cr_expect(fabs(dot - (a == b)) < 1e-14, "q%d.q%d = %.17g", a, b,
                      dot);
        }
    free(want);
    cudaFree(A);
    cudaFree(tau);
    cudaFree(info);
    cudaFree(work);
    cudaFree(w);
    cusolverDnDestroyParams(p);
    cusolverDnDestroy(h);
}

/* One type for matrix, tau and compute; a workspace sized for doubles;
 * Dorgqr's lwork at least what it asked for. */
Test(sim_solver, double_qr_checks_its_arguments)
{
    cusolverDnHandle_t h = NULL;
    cusolverDnParams_t p = NULL;
    cr_assert_eq(cusolverDnCreate(&h), CUSOLVER_STATUS_SUCCESS);
    cr_assert_eq(cusolverDnCreateParams(&p), CUSOLVER_STATUS_SUCCESS);
    double *A = device_doubles(QLDA * QN, 0.4), *tau = device_doubles(QN, 0);
    int *info = device_alloc(sizeof *info);
    size_t bytes = geqrf_bytes(h, p, CUDA_R_64F, A, tau), dev = 0, host = 0;
    void *work = device_alloc(bytes);
    cr_expect_eq(cusolverDnXgeqrf_bufferSize(h, p, QM, QN, CUDA_R_64F, A,
                                             QLDA, CUDA_R_32F, tau,
                                             CUDA_R_64F, &dev, &host),
                 CUSOLVER_STATUS_INVALID_VALUE);
    cr_expect_eq(cusolverDnXgeqrf(h, p, QM, QN, CUDA_R_64F, A, QLDA,
                                  CUDA_R_64F, tau, CUDA_R_32F, work, bytes,
                                  NULL, 0, info),
                 CUSOLVER_STATUS_INVALID_VALUE);
    cr_expect_eq(cusolverDnXgeqrf(h, p, QM, QN, CUDA_R_64F, A, QLDA,
                                  CUDA_R_64F, tau, CUDA_R_64F, work,
                                  bytes / 2, NULL, 0, info),
                 CUSOLVER_STATUS_INVALID_VALUE, "a float-sized workspace");
    int lwork = 0;
    cr_assert_eq(cusolverDnDorgqr_bufferSize(h, QM, QN, QN, A, QLDA, tau,
                                             &lwork),
                 CUSOLVER_STATUS_SUCCESS);
    double *w = device_alloc((size_t)lwork * sizeof *w);
    cr_expect_eq(cusolverDnDorgqr(h, QM, QN, QN, A, QLDA, tau, w, lwork - 1,
                                  info),
                 CUSOLVER_STATUS_INVALID_VALUE);
    cr_expect_eq(cusolverDnDorgqr(h, QM, QN, QN + 1, A, QLDA, tau, w, lwork,
                                  info),
                 CUSOLVER_STATUS_INVALID_VALUE, "k > n");
    cudaFree(A);
    cudaFree(tau);
    cudaFree(info);
    cudaFree(work);
    cudaFree(w);
    cusolverDnDestroyParams(p);
    cusolverDnDestroy(h);
}
