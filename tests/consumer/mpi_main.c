/* A program outside the project that uses an installed ginit_mpi: the
 * ranks' shards of one tensor tile it, and every rank sees the checksum
 * of the whole. */
#include <stdio.h>

#include <ginit_mpi.h>

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    gi_context ctx = NULL;
    gi_tensor t = NULL;
    uint64_t sum = 0;
    const int64_t shape[] = {5, 3};
    int ok = gi_context_create(&ctx, GI_DEVICE_CPU) == GI_OK &&
             gi_mpi_shard_create(&t, ctx, MPI_COMM_WORLD, GI_MPI_ROWS, 0,
                                 GI_F32, 2, shape) == GI_OK &&
             gi_uniform_(t, -1, 1, NULL) == GI_OK &&
             gi_mpi_check_shards(t, MPI_COMM_WORLD, &sum) == GI_OK;
    if (!ok)
        fprintf(stderr, "mpi consumer: %s\n", gi_last_error());
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
    MPI_Finalize();
    return ok ? 0 : 1;
}
