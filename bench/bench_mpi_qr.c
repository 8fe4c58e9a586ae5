/* orthogonal_ of a matrix sharded over MPI ranks, the two ways issue #14
 * weighs: ginit_mpi's gather to one rank, QR there, scatter back
 * (gi_mpi_orthogonal_: the normal draw included), against a distributed
 * QR with ScaLAPACK (psgeqrf + psorgqr on a block-cyclic matrix over the
 * squarest process grid; the QR only, no draw, no redistribution). Each
 * prints its median time over the ranks' slowest and a digest of Q:
 * ginit's is the same for every number of ranks by design; ScaLAPACK's
 * shows whether its Q keeps its bits when the grid changes.
 *
 *   mpiexec -n P ginit_bench_mpi_qr [n] [reps]      (default 1024 5)
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>

#include "bench_util.h"
#include "ginit_mpi.h"

/* ScaLAPACK and BLACS, as Fortran and C symbols. */
void Cblacs_get(int ctxt, int what, int *val);
void Cblacs_gridinit(int *ctxt, const char *order, int nprow, int npcol);
void Cblacs_gridinfo(int ctxt, int *nprow, int *npcol, int *myrow,
                     int *mycol);
void Cblacs_gridexit(int ctxt);
int numroc_(const int *n, const int *nb, const int *iproc,
            const int *isrcproc, const int *nprocs);
void descinit_(int *desc, const int *m, const int *n, const int *mb,
               const int *nb, const int *irsrc, const int *icsrc,
               const int *ictxt, const int *lld, int *info);
void psgeqrf_(const int *m, const int *n, float *a, const int *ia,
              const int *ja, const int *desca, float *tau, float *work,
              const int *lwork, int *info);
void psorgqr_(const int *m, const int *n, const int *k, float *a,
              const int *ia, const int *ja, const int *desca,
              const float *tau, float *work, const int *lwork, int *info);

static int rank, nranks;

/* The slowest rank's time of each rep, then their median. */
static double median_of_slowest(double *t, int reps)
{
    MPI_Allreduce(MPI_IN_PLACE, t, reps, MPI_DOUBLE, MPI_MAX,
                  MPI_COMM_WORLD);
    return median(t, reps);
}

/* An order-free digest of elements (as gi_mpi_check_shards mixes them). */
static uint64_t mix(uint64_t index, uint32_t bits)
{
    uint64_t z = index * 0x9E3779B97F4A7C15ull ^ bits;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A matrix element from its global index: the same for every grid. */
static float entry(int64_t index)
{
    return (float)((double)(mix((uint64_t)index, 0) >> 11) * 0x1p-53 * 2 -
                   1);
}

static void scalapack(int n, int reps)
{
    int prow = (int)sqrt((double)nranks);
    while (nranks % prow != 0)
        --prow;
    int pcol = nranks / prow, ctxt, myrow, mycol, nb = 64, zero = 0,
        one = 1, info;
    Cblacs_get(-1, 0, &ctxt);
    Cblacs_gridinit(&ctxt, "Row", prow, pcol);
    Cblacs_gridinfo(ctxt, &prow, &pcol, &myrow, &mycol);
    int mloc = numroc_(&n, &nb, &myrow, &zero, &prow);
    int nloc = numroc_(&n, &nb, &mycol, &zero, &pcol);
    int lld = mloc > 1 ? mloc : 1, desc[9];
    descinit_(desc, &n, &n, &nb, &nb, &zero, &zero, &ctxt, &lld, &info);
    float *a = malloc((size_t)lld * (size_t)(nloc > 0 ? nloc : 1) *
                      sizeof *a);
    float *tau = malloc((size_t)(nloc > 0 ? nloc : 1) * sizeof *tau);
    float wq;
    int lwork = -1;
    psgeqrf_(&n, &n, a, &one, &one, desc, tau, &wq, &lwork, &info);
    float wq2;
    psorgqr_(&n, &n, &n, a, &one, &one, desc, tau, &wq2, &lwork, &info);
    lwork = (int)(wq > wq2 ? wq : wq2) + 1;
    float *work = malloc((size_t)lwork * sizeof *work);
    double t[MAX_REPS];
    uint64_t digest = 0;
    for (int r = 0; r < reps; ++r) {
        /* Local (i, j) of block-cyclic storage is global (gi, gj). */
        for (int j = 0; j < nloc; ++j)
            for (int i = 0; i < mloc; ++i) {
                int64_t gi = (int64_t)((i / nb) * prow + myrow) * nb + i % nb;
                int64_t gj = (int64_t)((j / nb) * pcol + mycol) * nb + j % nb;
                a[(size_t)j * (size_t)lld + (size_t)i] = entry(gi * n + gj);
            }
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = now_ms();
        psgeqrf_(&n, &n, a, &one, &one, desc, tau, work, &lwork, &info);
        psorgqr_(&n, &n, &n, a, &one, &one, desc, tau, work, &lwork, &info);
        t[r] = now_ms() - t0;
        if (info != 0)
            fprintf(stderr, "rank %d: ScaLAPACK info %d\n", rank, info);
    }
    for (int j = 0; j < nloc; ++j)
        for (int i = 0; i < mloc; ++i) {
            int64_t gi = (int64_t)((i / nb) * prow + myrow) * nb + i % nb;
            int64_t gj = (int64_t)((j / nb) * pcol + mycol) * nb + j % nb;
            uint32_t bits;
            memcpy(&bits, &a[(size_t)j * (size_t)lld + (size_t)i], 4);
            digest += mix((uint64_t)(gi * n + gj), bits);
        }
    MPI_Allreduce(MPI_IN_PLACE, &digest, 1, MPI_UINT64_T, MPI_SUM,
                  MPI_COMM_WORLD);
    double ms = median_of_slowest(t, reps);
    if (rank == 0)
        printf("scalapack psgeqrf+psorgqr %dx%d  ranks %d (grid %dx%d, "
               "nb %d)  %9.2f ms  Q digest %016llx\n", n, n, nranks, prow,
               pcol, nb, ms, (unsigned long long)digest);
    free(a);
    free(tau);
    free(work);
    Cblacs_gridexit(ctxt);
}

static void ginit_gather(int n, int reps)
{
    gi_context ctx = NULL;
    TRY(gi_context_create(&ctx, GI_DEVICE_CPU));
    gi_tensor shard = NULL;
    int64_t shape[2] = {n, n};
    TRY(gi_mpi_shard_create(&shard, ctx, MPI_COMM_WORLD, GI_MPI_ROWS, 0,
                               GI_F32, 2, shape));
    gi_generator gen = NULL;
    TRY(gi_generator_create(&gen, 7));
    double t[MAX_REPS];
    for (int r = 0; r < reps; ++r) {
        TRY(gi_generator_set_seed(gen, 7));
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = now_ms();
        TRY(gi_mpi_orthogonal_(shard, 1.0, gen, MPI_COMM_WORLD));
        t[r] = now_ms() - t0;
    }
    uint64_t digest = 0;
    TRY(gi_mpi_check_shards(shard, MPI_COMM_WORLD, &digest));
    double ms = median_of_slowest(t, reps);
    if (rank == 0)
        printf("ginit gi_mpi_orthogonal_  %dx%d  ranks %d (row shards)     "
               "%9.2f ms  Q digest %016llx\n", n, n, nranks, ms,
               (unsigned long long)digest);
    gi_generator_destroy(gen);
    gi_tensor_destroy(shard);
    gi_context_destroy(ctx);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    int n = argc > 1 ? atoi(argv[1]) : 1024;
    int reps = argc > 2 ? atoi(argv[2]) : 5;
    if (n < 1 || reps < 1 || reps > MAX_REPS) {
        if (rank == 0)
            fprintf(stderr, "usage: ginit_bench_mpi_qr [n >= 1] "
                            "[reps 1..%d]\n", MAX_REPS);
        MPI_Finalize();
        return 2;
    }
    ginit_gather(n, reps);
    scalapack(n, reps);
    MPI_Finalize();
    return 0;
}
