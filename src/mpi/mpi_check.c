/* The shard check: the ranks' tensors tile one global tensor, and a
 * digest of its values that neither the layout nor the number of ranks
 * changes (a sum over elements keyed by their global index). */
#include <stdlib.h>
#include <string.h>

#include "mpi_bytes.h"
#include "mpi_internal.h"

/* The bytes of rank 0's replica sent at a time when replicas differ. */
#define GI_MPI_COMPARE_BYTES ((size_t)1 << 20)

/* splitmix64's finalizer of the index, scrambled by the golden ratio,
 * xor the element's bits: a different sum for any changed element. */
static uint64_t mix(uint64_t index, uint64_t bits)
{
    uint64_t z = index * 0x9E3779B97F4A7C15ull ^ bits;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The element at p (es bytes) as the unsigned integer of its bits. */
static uint64_t bits_at(const unsigned char *p, size_t es)
{
    uint16_t h;
    uint32_t w;
    uint64_t d;
    switch (es) {
    case 2: memcpy(&h, p, 2); return h;
    case 4: memcpy(&w, p, 4); return w;
    default: memcpy(&d, p, 8); return d;
    }
}

typedef struct sum_walk {
    const unsigned char *host;
    size_t es;
    uint64_t sum;
} sum_walk;

/* One loop per element size, so that each compiles to plain loads. */
#define GI_MPI_SUM_RUN(type)                                                  \
    for (int64_t k = 0; k < count; ++k) {                                     \
        type v;                                                               \
        memcpy(&v, p + (size_t)k * sizeof v, sizeof v);                       \
        sum += mix((uint64_t)(global + k), v);                                \
    }

static int add_run(int64_t global, int64_t local, int64_t count, void *user)
{
    sum_walk *w = user;
    const unsigned char *p = w->host + (size_t)local * w->es;
    uint64_t sum = 0;
    if (w->es == 2)
        GI_MPI_SUM_RUN(uint16_t)
    else if (w->es == 4)
        GI_MPI_SUM_RUN(uint32_t)
    else
        GI_MPI_SUM_RUN(uint64_t)
    w->sum += sum;
    return 0;
}

/* This rank's sum over its piece, read where it lies on the host (*host
 * the copy of a device tensor, which the caller frees). */
static gi_status local_sum(gi_tensor t, const gi_mpi_piece *piece,
                           uint64_t *sum, const unsigned char **data,
                           void **host, const char *fn)
{
    size_t cap = 0;
    gi_status st = gi_mpi_host_bytes(t, host, &cap, data, fn);
    if (st != GI_OK)
        return st;
    sum_walk w = {*data, gi_mpi_dtype_size(gi_tensor_dtype(t)), 0};
    gi_mpi_piece_runs(piece, add_run, &w);
    *sum = w.sum;
    return GI_OK;
}

/* Collective: the first element where this replica (n elements of es
 * bytes at host) differs from rank 0's, or -1; *theirs its bits there.
 * buf holds GI_MPI_COMPARE_BYTES. */
static int64_t first_difference(MPI_Comm comm, const unsigned char *host,
                                int64_t n, size_t es, unsigned char *buf,
                                uint64_t *theirs)
{
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    const int64_t per = (int64_t)(GI_MPI_COMPARE_BYTES / es);
    int64_t found = -1;
    for (int64_t first = 0; first < n; first += per) {
        const int64_t count = n - first < per ? n - first : per;
        if (rank == 0)
            memcpy(buf, host + (size_t)first * es, (size_t)count * es);
        MPI_Bcast(buf, (int)((size_t)count * es), MPI_BYTE, 0, comm);
        for (int64_t i = 0; found < 0 && i < count; ++i)
            if (memcmp(buf + i * es, host + (first + i) * es, es) != 0) {
                found = first + i;
                *theirs = bits_at(buf + i * es, es);
            }
    }
    return found;
}

/* Collective: replicas (every rank holds the whole tensor, its sum in
 * sum) must hold the same values; a rank whose values differ from rank
 * 0's fails, naming the first element that differs. */
static gi_status same_replicas(MPI_Comm comm, gi_tensor t,
                               const unsigned char *host, uint64_t sum,
                               const char *fn)
{
    int rank = 0, differs = 0, any = 0;
    MPI_Comm_rank(comm, &rank);
    uint64_t first = sum;
    MPI_Bcast(&first, 1, MPI_UINT64_T, 0, comm);
    differs = first != sum;
    MPI_Allreduce(&differs, &any, 1, MPI_INT, MPI_MAX, comm);
    if (!any)
        return GI_OK;
    unsigned char *buf = malloc(GI_MPI_COMPARE_BYTES);
    gi_status st = buf != NULL ? GI_OK
                   : gi_set_error(GI_ERR_OUT_OF_MEMORY, "%s: no memory to "
                                  "compare the replicas", fn);
    st = gi_mpi_agree(comm, st, fn);
    if (st == GI_OK) {
        const size_t es = gi_mpi_dtype_size(gi_tensor_dtype(t));
        uint64_t theirs = 0;
        const int64_t at = first_difference(comm, host, gi_tensor_numel(t),
                                            es, buf, &theirs);
        if (at >= 0)
            st = gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: the replicas of "
                              "ranks 0 and %d differ at element %lld (bits "
                              "0x%llx there, 0x%llx on rank 0)", fn, rank,
                              (long long)at,
                              (unsigned long long)bits_at(host + at * es,
                                                          es),
                              (unsigned long long)theirs);
        st = gi_mpi_agree(comm, st, fn);
    }
    free(buf);
    return st;
}

gi_status gi_mpi_check_shards(gi_tensor shard, MPI_Comm comm,
                              uint64_t *checksum)
{
    static const char *const fn = "gi_mpi_check_shards";
    gi_status st = gi_mpi_comm_ok(comm, fn);
    if (st != GI_OK)
        return st;
    gi_status local = GI_OK;
    if (shard == NULL || checksum == NULL)
        local = gi_set_error(GI_ERR_NULL_ARGUMENT, "%s: argument '%s' is "
                             "NULL", fn, shard == NULL ? "shard" : "checksum");
    gi_mpi_piece *pieces = NULL;
    int replicated = 0, rank = 0;
    st = gi_mpi_gather_pieces(comm, local, shard, &pieces, &replicated, fn);
    if (st != GI_OK)
        return st;
    MPI_Comm_rank(comm, &rank);
    const unsigned char *data = NULL;
    void *host = NULL;
    uint64_t sum = 0, total = 0;
    st = gi_mpi_agree(comm, local_sum(shard, &pieces[rank], &sum, &data,
                                      &host, fn), fn);
    if (st == GI_OK && replicated)
        st = same_replicas(comm, shard, data, sum, fn);
    if (st == GI_OK) {
        /* A replicated tensor counts once: rank 0's. */
        const uint64_t part = replicated && rank > 0 ? 0 : sum;
        MPI_Allreduce(&part, &total, 1, MPI_UINT64_T, MPI_SUM, comm);
        *checksum = total;
    }
    free(host);
    free(pieces);
    return st;
}
