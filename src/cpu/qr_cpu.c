/* gi_orthogonal_'s QR on the CPU with LAPACKE (xgeqrf + xorgqr, s for
 * float32, d for float64). One body serves both: elements are read and
 * written through two small accessors, LAPACK through two small
 * dispatchers. The layout reasoning is in orthogonal.h. */
#include <limits.h>
#include <stdlib.h>

#include <lapacke.h>

#include "../core/alloc.h"
#include "../core/internal.h"
#include "../init/orthogonal.h"

/* Element i of a float32 (f64 == 0) or float64 matrix, as a double: exact
 * either way. */
static double get(const void *p, int64_t i, int f64)
{
    return f64 ? ((const double *)p)[i] : ((const float *)p)[i];
}

/* Stores v, rounded once to float32 when f64 == 0. */
static void put(void *p, int64_t i, int f64, double v)
{
    if (f64)
        ((double *)p)[i] = v;
    else
        ((float *)p)[i] = (float)v;
}

/* torch.sign: -1, 0 or 1; NaN gives 0, as torch.sign(nan) does. */
static double sign_of(double d)
{
    return d > 0.0 ? 1.0 : d < 0.0 ? -1.0 : 0.0;
}

static gi_status lapack_fail(lapack_int info, const char *fn,
                             const char *what)
{
    if (info == LAPACK_WORK_MEMORY_ERROR ||
        info == LAPACK_TRANSPOSE_MEMORY_ERROR)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "%s could not allocate its workspace", what);
    if (info < 0)
        return gi_fail(GI_ERR_LAPACK, fn,
                       "%s failed: argument %d had an illegal value (info = "
                       "%d)", what, (int)-info, (int)info);
    return gi_fail(GI_ERR_LAPACK, fn, "%s failed with info = %d", what,
                   (int)info);
}

/* The column-major m x n QR of a (lda = m) in place, reflectors' scalars
 * in tau; lwork = -1 asks for the workspace size, written to work[0]. */
static lapack_int geqrf(int f64, lapack_int m, lapack_int n, void *a,
                        void *tau, void *work, lapack_int lwork)
{
    return f64 ? LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, m, n, a, m, tau, work,
                                     lwork)
               : LAPACKE_sgeqrf_work(LAPACK_COL_MAJOR, m, n, a, m, tau, work,
                                     lwork);
}

/* Q (m x n) from geqrf's reflectors, over a; lwork = -1 as above. */
static lapack_int orgqr(int f64, lapack_int m, lapack_int n, void *a,
                        const void *tau, void *work, lapack_int lwork)
{
    return f64 ? LAPACKE_dorgqr_work(LAPACK_COL_MAJOR, m, n, n, a, m, tau,
                                     work, lwork)
               : LAPACKE_sorgqr_work(LAPACK_COL_MAJOR, m, n, n, a, m, tau,
                                     work, lwork);
}

/* The workspace size in elements LAPACK asks for (lwork = -1), at least
 * n. */
static gi_status query_lwork(int f64, lapack_int m, lapack_int n, void *a,
                             void *tau, lapack_int *lwork, const char *fn)
{
    union { float f; double d; } q = {0};
    lapack_int info = geqrf(f64, m, n, a, tau, &q, -1);
    if (info != 0)
        return lapack_fail(info, fn, "xGEQRF (workspace query)");
    lapack_int need = (lapack_int)(f64 ? q.d : q.f);
    info = orgqr(f64, m, n, a, tau, &q, -1);
    if (info != 0)
        return lapack_fail(info, fn, "xORGQR (workspace query)");
    if ((lapack_int)(f64 ? q.d : q.f) > need)
        need = (lapack_int)(f64 ? q.d : q.f);
    /* A size rounded down by the float that carries it only makes LAPACK
     * pick smaller blocks; below n it would be refused. */
    *lwork = need > n ? need : n;
    return GI_OK;
}

/* The QR and the sign fix times gain, on the column-major m x n matrix a,
 * with tau and signs of n elements; Q lands in data (transpose) or in a. */
static gi_status factor(int f64, void *data, void *a, void *tau,
                        double *signs, int64_t m, int64_t n, double gain,
                        int transpose, const char *fn)
{
    const size_t elem = f64 ? sizeof(double) : sizeof(float);
    const lapack_int lm = (lapack_int)m, ln = (lapack_int)n;
    lapack_int lwork = 0;
    gi_status st = query_lwork(f64, lm, ln, a, tau, &lwork, fn);
    if (st != GI_OK)
        return st;
    void *work = gi_malloc((size_t)lwork * elem);
    if (work == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "cannot allocate LAPACK's workspace of %lld "
                       "elements", (long long)lwork);
    lapack_int info = geqrf(f64, lm, ln, a, tau, work, lwork);
    if (info != 0) {
        st = lapack_fail(info, fn, f64 ? "LAPACKE_dgeqrf_work"
                                       : "LAPACKE_sgeqrf_work");
        goto done;
    }
    for (int64_t j = 0; j < n; ++j)
        signs[j] = sign_of(get(a, j + j * m, f64));
    info = orgqr(f64, lm, ln, a, tau, work, lwork);
    if (info != 0) {
        st = lapack_fail(info, fn, f64 ? "LAPACKE_dorgqr_work"
                                       : "LAPACKE_sorgqr_work");
        goto done;
    }
    /* Q(i, j) = a[i + j * m]: row-major Q when transposing, in place (it
     * already reads as Q^T) otherwise. In float32, (q * s) * gain formed
     * in double and rounded once is the float product: q * s is exact and
     * so is a double product of two floats. */
    for (int64_t j = 0; j < n; ++j)
        for (int64_t i = 0; i < m; ++i) {
            double v = get(a, i + j * m, f64) * signs[j] * gain;
            if (transpose)
                put(data, i * n + j, f64, v);
            else
                put(a, i + j * m, f64, v);
        }
done:
    free(work);
    return st;
}

gi_status gi_cpu_orthogonalize(gi_dtype dtype, void *data, int64_t rows,
                               int64_t cols, double gain, const char *fn)
{
    const int f64 = dtype == GI_F64;
    const size_t elem = f64 ? sizeof(double) : sizeof(float);
    const int transpose = rows >= cols; /* see orthogonal.h */
    const int64_t m = transpose ? rows : cols, n = transpose ? cols : rows;
    if (m > INT_MAX)
        return gi_fail(GI_ERR_OVERFLOW, fn,
                       "a %lld x %lld QR exceeds LAPACK's 32-bit sizes",
                       (long long)m, (long long)n);
    if (!f64)
        gain = (float)gain; /* float32 scales by a float, as torch does */
    void *a = data, *tau = NULL;
    double *signs = NULL;
    gi_status st = GI_OK;
    if (transpose) {
        a = gi_malloc((size_t)(m * n) * elem);
        if (a == NULL)
            return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                           "cannot allocate the %lld x %lld QR matrix",
                           (long long)m, (long long)n);
        for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < n; ++j)
                put(a, i + j * m, f64, get(data, i * n + j, f64));
    }
    tau = gi_malloc((size_t)n * elem);
    signs = gi_malloc((size_t)n * sizeof *signs);
    if (tau == NULL || signs == NULL)
        st = gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                     "cannot allocate the QR's %lld reflector scalars",
                     (long long)n);
    else
        st = factor(f64, data, a, tau, signs, m, n, gain, transpose, fn);
    free(signs);
    free(tau);
    if (a != data)
        free(a);
    return st;
}
