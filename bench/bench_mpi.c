/* ginit_mpi's collective calls, timed on every rank count mpiexec gives:
 * creating and filling a row-sharded 8192 x 8192 float32 tensor
 * (gi_mpi_shard_create + gi_kaiming_uniform_), gi_mpi_check_shards of it,
 * and gi_mpi_orthogonal_ of a row-sharded 2048 x 2048. Each figure is the
 * median of 5 runs of the slowest rank's time (a collective call is done
 * when its last rank is).
 *
 *   mpiexec -n 4 build/bench/ginit_bench_mpi [--device cpu|cuda|auto]
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>

#include "bench_util.h"
#include "ginit_mpi.h"

#define REPS 5

typedef struct bench {
    gi_context ctx;
    int rank, size;
} bench;

/* The slowest rank's milliseconds for one run of fn. */
static double timed(const bench *b, void (*fn)(const bench *, void *),
                    void *arg)
{
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = now_ms();
    fn(b, arg);
    double mine = now_ms() - t0, slowest = 0;
    MPI_Allreduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return slowest;
}

static void report(const bench *b, const char *what,
                   void (*fn)(const bench *, void *), void *arg)
{
    double ms[REPS];
    for (int i = 0; i < REPS; ++i)
        ms[i] = timed(b, fn, arg);
    if (b->rank == 0)
        printf("%d rank%s: %s: %.1f ms (median of %d)\n", b->size,
               b->size == 1 ? "" : "s", what, median(ms, REPS), REPS);
}

static const int64_t big[] = {8192, 8192}, square[] = {2048, 2048};

static void create_and_fill(const bench *b, void *arg)
{
    gi_tensor t = NULL;
    TRY(gi_mpi_shard_create(&t, b->ctx, MPI_COMM_WORLD, GI_MPI_ROWS, 0,
                            GI_F32, 2, big));
    TRY(gi_kaiming_uniform_(t, sqrt(5.0), GI_FAN_IN, GI_NONLIN_LEAKY_RELU,
                            NULL));
    TRY(gi_context_synchronize(b->ctx));
    gi_tensor_destroy(t);
    (void)arg;
}

static void check(const bench *b, void *arg)
{
    uint64_t sum = 0;
    TRY(gi_mpi_check_shards(arg, MPI_COMM_WORLD, &sum));
    (void)b;
}

static void orthogonal(const bench *b, void *arg)
{
    TRY(gi_mpi_orthogonal_(arg, 1, NULL, MPI_COMM_WORLD));
    (void)b;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    bench b = {NULL, 0, 1};
    MPI_Comm_rank(MPI_COMM_WORLD, &b.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &b.size);
    const char *device = argc > 2 && strcmp(argv[1], "--device") == 0
                             ? argv[2] : "auto";
    TRY(gi_context_create(&b.ctx, parse_device(device)));
    if (b.rank == 0) {
        print_machine(gi_context_device(b.ctx) == GI_DEVICE_CUDA);
        printf("device: %s\n", gi_context_device_info(b.ctx));
    }
    report(&b, "gi_mpi_shard_create + gi_kaiming_uniform_ 8192x8192 "
           "float32, rows", create_and_fill, NULL);
    gi_tensor t = NULL;
    TRY(gi_mpi_shard_create(&t, b.ctx, MPI_COMM_WORLD, GI_MPI_ROWS, 0,
                            GI_F32, 2, big));
    TRY(gi_kaiming_uniform_(t, sqrt(5.0), GI_FAN_IN, GI_NONLIN_LEAKY_RELU,
                            NULL));
    report(&b, "gi_mpi_check_shards 8192x8192 float32, rows", check, t);
    gi_tensor_destroy(t);
    TRY(gi_mpi_shard_create(&t, b.ctx, MPI_COMM_WORLD, GI_MPI_ROWS, 0,
                            GI_F32, 2, square));
    report(&b, "gi_mpi_orthogonal_ 2048x2048 float32, rows", orthogonal, t);
    gi_tensor_destroy(t);
    gi_context_destroy(b.ctx);
    MPI_Finalize();
    return 0;
}
