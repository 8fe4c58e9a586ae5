/* gi_orthogonal_'s QR on the CPU with LAPACKE (sgeqrf + sorgqr). The
 * layout reasoning is in orthogonal.h. */
#include <limits.h>
#include <stdlib.h>

#include <lapacke.h>

#include "alloc.h"
#include "internal.h"
#include "orthogonal.h"

/* torch.sign: -1, 0 or 1; NaN gives 0, as torch.sign(nan) does. */
static float sign_of(float d)
{
    return d > 0.0f ? 1.0f : d < 0.0f ? -1.0f : 0.0f;
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

/* The workspace size LAPACK asks for (lwork = -1), at least n. */
static gi_status query_lwork(lapack_int m, lapack_int n, float *a,
                             float *tau, lapack_int *lwork, const char *fn)
{
    float q = 0.0f;
    lapack_int info = LAPACKE_sgeqrf_work(LAPACK_COL_MAJOR, m, n, a, m, tau,
                                          &q, -1);
    if (info != 0)
        return lapack_fail(info, fn, "LAPACKE_sgeqrf_work (workspace query)");
    lapack_int need = (lapack_int)q;
    info = LAPACKE_sorgqr_work(LAPACK_COL_MAJOR, m, n, n, a, m, tau, &q, -1);
    if (info != 0)
        return lapack_fail(info, fn, "LAPACKE_sorgqr_work (workspace query)");
    if ((lapack_int)q > need)
        need = (lapack_int)q;
    /* A size rounded down by the float that carries it only makes LAPACK
     * pick smaller blocks; below n it would be refused. */
    *lwork = need > n ? need : n;
    return GI_OK;
}

gi_status gi_cpu_orthogonalize(float *data, int64_t rows, int64_t cols,
                               float gain, const char *fn)
{
    const int transpose = rows >= cols; /* see orthogonal.h */
    const int64_t m = transpose ? rows : cols, n = transpose ? cols : rows;
    if (m > INT_MAX)
        return gi_fail(GI_ERR_OVERFLOW, fn,
                       "a %lld x %lld QR exceeds LAPACK's 32-bit sizes",
                       (long long)m, (long long)n);
    const lapack_int lm = (lapack_int)m, ln = (lapack_int)n;
    float *a = data, *tau = NULL, *signs = NULL, *work = NULL;
    gi_status st = GI_OK;
    if (transpose) {
        a = gi_malloc((size_t)(m * n) * sizeof *a);
        if (a == NULL)
            return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                           "cannot allocate the %lld x %lld QR matrix",
                           (long long)m, (long long)n);
        for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < n; ++j)
                a[i + j * m] = data[i * n + j];
    }
    tau = gi_malloc((size_t)n * sizeof *tau);
    signs = gi_malloc((size_t)n * sizeof *signs);
    if (tau == NULL || signs == NULL) {
        st = gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                     "cannot allocate the QR's %lld reflector scalars",
                     (long long)n);
        goto done;
    }
    lapack_int lwork = 0;
    st = query_lwork(lm, ln, a, tau, &lwork, fn);
    if (st != GI_OK)
        goto done;
    work = gi_malloc((size_t)lwork * sizeof *work);
    if (work == NULL) {
        st = gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                     "cannot allocate LAPACK's workspace of %lld floats",
                     (long long)lwork);
        goto done;
    }
    lapack_int info = LAPACKE_sgeqrf_work(LAPACK_COL_MAJOR, lm, ln, a, lm,
                                          tau, work, lwork);
    if (info != 0) {
        st = lapack_fail(info, fn, "LAPACKE_sgeqrf_work");
        goto done;
    }
    for (int64_t j = 0; j < n; ++j)
        signs[j] = sign_of(a[j + j * m]);
    info = LAPACKE_sorgqr_work(LAPACK_COL_MAJOR, lm, ln, ln, a, lm, tau, work,
                               lwork);
    if (info != 0) {
        st = lapack_fail(info, fn, "LAPACKE_sorgqr_work");
        goto done;
    }
    /* Q(i, j) = a[i + j * m]: row-major Q when transposing, in place (it
     * already reads as Q^T) otherwise. */
    for (int64_t j = 0; j < n; ++j)
        for (int64_t i = 0; i < m; ++i) {
            float v = a[i + j * m] * signs[j];
            v = v * gain;
            if (transpose)
                data[i * n + j] = v;
            else
                a[i + j * m] = v;
        }
done:
    free(work);
    free(signs);
    free(tau);
    if (a != data)
        free(a);
    return st;
}
