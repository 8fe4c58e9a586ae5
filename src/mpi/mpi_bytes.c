/* The bytes a collective call moves on one rank (mpi_bytes.h). */
#include <stdlib.h>
#include <string.h>

#include "mpi_bytes.h"

/* The most bytes one MPI call moves here: its count is an int. */
#define GI_MPI_PIECE_BYTES ((size_t)1 << 30)

size_t gi_mpi_dtype_size(gi_dtype dtype)
{
    return dtype == GI_F64 ? 8 : dtype == GI_F32 ? 4 : 2;
}

gi_status gi_mpi_host_copy(gi_tensor t, unsigned char **out, size_t *bytes,
                           const char *fn)
{
    const size_t n = (size_t)gi_tensor_numel(t) *
                     gi_mpi_dtype_size(gi_tensor_dtype(t));
    unsigned char *host = malloc(n > 0 ? n : 1);
    if (host == NULL)
        return gi_set_error(GI_ERR_OUT_OF_MEMORY, "%s: no memory for a "
                            "host copy of the tensor (%zu bytes)", fn, n);
    gi_status st = gi_tensor_copy_to_host(t, host, n);
    if (st != GI_OK) {
        free(host);
        return st;
    }
    *out = host;
    *bytes = n;
    return GI_OK;
}

gi_status gi_mpi_host_bytes(gi_tensor t, void **buf, size_t *cap,
                            const unsigned char **data, const char *fn)
{
    void *own = NULL;
    if (gi_context_device(gi_tensor_context(t)) == GI_DEVICE_CPU) {
        gi_tensor_data_ptr(t, &own);
        *data = own;
        return GI_OK;
    }
    const size_t n = (size_t)gi_tensor_numel(t) *
                     gi_mpi_dtype_size(gi_tensor_dtype(t));
    if (n > *cap) {
        free(*buf);
        *cap = 0;
        if ((*buf = malloc(n)) == NULL)
            return gi_set_error(GI_ERR_OUT_OF_MEMORY, "%s: no memory for a "
                                "host copy of a device tensor (%zu bytes)",
                                fn, n);
        *cap = n;
    }
    *data = *buf;
    return gi_tensor_copy_to_host(t, *buf, n);
}

gi_status gi_mpi_state_save(gi_generator gen, gi_mpi_state *out,
                            const char *fn)
{
    memset(out, 0, sizeof *out);
    size_t size = 0;
    gi_status st = gi_generator_get_state(gen, NULL, 0, &size);
    if (st != GI_OK)
        return st;
    unsigned char *bytes = malloc(size);
    if (bytes == NULL)
        return gi_set_error(GI_ERR_OUT_OF_MEMORY, "%s: no memory for the "
                            "generator's state (%zu bytes)", fn, size);
    st = gi_generator_get_state(gen, bytes, size, &size);
    if (st != GI_OK) {
        free(bytes);
        return st;
    }
    *out = (gi_mpi_state){gen, bytes, size};
    return GI_OK;
}

void gi_mpi_state_restore(const gi_mpi_state *s)
{
    /* The bytes came from this generator: setting them back cannot fail. */
    if (s->bytes != NULL)
        (void)gi_generator_set_state(s->gen, s->bytes, s->size);
}

void gi_mpi_state_free(gi_mpi_state *s)
{
    free(s->bytes);
    memset(s, 0, sizeof *s);
}

static int piece_count(size_t n, size_t done)
{
    const size_t left = n - done;
    return (int)(left < GI_MPI_PIECE_BYTES ? left : GI_MPI_PIECE_BYTES);
}

void gi_mpi_bcast_bytes(void *p, size_t n, int root, MPI_Comm comm)
{
    for (size_t done = 0; done < n; done += (size_t)piece_count(n, done))
        MPI_Bcast((unsigned char *)p + done, piece_count(n, done), MPI_BYTE,
                  root, comm);
}

void gi_mpi_send_bytes(const void *p, size_t n, int to, MPI_Comm comm)
{
    for (size_t done = 0; done < n; done += (size_t)piece_count(n, done))
        MPI_Send((const unsigned char *)p + done, piece_count(n, done),
                 MPI_BYTE, to, 0, comm);
}

void gi_mpi_recv_bytes(void *p, size_t n, int from, MPI_Comm comm)
{
    for (size_t done = 0; done < n; done += (size_t)piece_count(n, done))
        MPI_Recv((unsigned char *)p + done, piece_count(n, done), MPI_BYTE,
                 from, 0, comm, MPI_STATUS_IGNORE);
}
