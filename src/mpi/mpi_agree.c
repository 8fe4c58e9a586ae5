/* Collective outcomes: every rank learns whether any rank failed, and
 * which, before any rank goes on to work that the others would wait on. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "mpi_internal.h"

/* The longest message passed from a failing rank to the others. */
#define GI_MPI_MESSAGE 512

gi_status gi_mpi_comm_ok(MPI_Comm comm, const char *fn)
{
    if (comm == MPI_COMM_NULL)
        return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: argument 'comm' "
                            "is MPI_COMM_NULL", fn);
    return GI_OK;
}

uint64_t gi_mpi_digest(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; ++i) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

gi_status gi_mpi_agree(MPI_Comm comm, gi_status local, const char *fn)
{
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    /* The lowest failing rank: MINLOC over (failed ? 0 : 1, rank). */
    int pair[2] = {local == GI_OK ? 1 : 0, rank}, low[2];
    MPI_Allreduce(pair, low, 1, MPI_2INT, MPI_MINLOC, comm);
    if (low[0] == 1)
        return GI_OK;
    /* Its status and message, sent to everyone. */
    struct {
        int status;
        char text[GI_MPI_MESSAGE];
    } what;
    memset(&what, 0, sizeof what);
    if (rank == low[1]) {
        what.status = (int)local;
        snprintf(what.text, sizeof what.text, "%s", gi_last_error());
    }
    MPI_Bcast(&what, (int)sizeof what, MPI_BYTE, low[1], comm);
    if (local != GI_OK)
        return local;
    what.text[sizeof what.text - 1] = '\0';
    return gi_set_error(GI_ERR_PEER, "%s: rank %d of %d failed (%s): %s", fn,
                        low[1], size, gi_status_name((gi_status)what.status),
                        what.text);
}

gi_status gi_mpi_agree_same(MPI_Comm comm, gi_status local, const void *p,
                            size_t n, const char *what, const char *fn)
{
    /* The lowest rank's digest and size, compared by everyone unless
     * that rank failed already (its bytes then mean nothing). */
    uint64_t mine[3] = {gi_mpi_digest(GI_MPI_FNV_START, p, n), (uint64_t)n,
                        local != GI_OK};
    uint64_t first[3] = {mine[0], mine[1], mine[2]};
    MPI_Bcast(first, 3, MPI_UINT64_T, 0, comm);
    if (local == GI_OK && first[2] == 0 &&
        (first[0] != mine[0] || first[1] != mine[1]))
        local = gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: argument '%s' "
                             "differs from rank 0's", fn, what);
    return gi_mpi_agree(comm, local, fn);
}

const char *gi_mpi_shape_text(char *buf, size_t cap, int ndim,
                              const int64_t *shape)
{
    size_t at = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < ndim && at < cap; ++d)
        at += (size_t)snprintf(buf + at, cap - at, "%s%lld", d ? ", " : "",
                               (long long)shape[d]);
    if (at < cap)
        snprintf(buf + at, cap - at, "]");
    return buf;
}
