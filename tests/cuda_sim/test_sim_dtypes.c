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
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "convert.h"
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
