/* The bytes a collective call moves on one rank: a tensor's elements on
 * the host, a generator's state kept aside (so that a failure agreed
 * after the generator moved can move it back), and transfers of any
 * size (MPI counts are ints). */
#ifndef GINIT_MPI_BYTES_H
#define GINIT_MPI_BYTES_H

#include <stddef.h>

#include "ginit_mpi.h"

/* The bytes of one element of dtype (a gi_dtype). */
size_t gi_mpi_dtype_size(gi_dtype dtype);

/* t's elements copied into new host memory *out (malloc'd, at least one
 * byte, the caller frees it), *bytes their size. Returns GI_OK,
 * GI_ERR_OUT_OF_MEMORY (fn's), or gi_tensor_copy_to_host's failure. */
gi_status gi_mpi_host_copy(gi_tensor t, unsigned char **out, size_t *bytes,
                           const char *fn);

/* t's elements in host memory, read only, at *data: a host tensor's own
 * memory, or a copy of a device tensor's in *buf (malloc'd, grown to
 * *cap bytes as needed, so one buffer serves many tensors; the caller
 * frees *buf). Returns GI_OK, GI_ERR_OUT_OF_MEMORY (fn's), or
 * gi_tensor_copy_to_host's failure. */
gi_status gi_mpi_host_bytes(gi_tensor t, void **buf, size_t *cap,
                            const unsigned char **data, const char *fn);

typedef struct gi_mpi_state {
    gi_generator gen;
    unsigned char *bytes; /* gi_generator_get_state's, malloc'd */
    size_t size;
} gi_mpi_state;

/* Saves gen's state into *out (cleared first, so gi_mpi_state_free is
 * safe after a failure). Returns GI_OK, GI_ERR_OUT_OF_MEMORY (fn's). */
gi_status gi_mpi_state_save(gi_generator gen, gi_mpi_state *out,
                            const char *fn);

/* Sets the saved generator back to the saved state; a no-op when nothing
 * was saved. */
void gi_mpi_state_restore(const gi_mpi_state *s);

void gi_mpi_state_free(gi_mpi_state *s);

/* MPI_Bcast, MPI_Send and MPI_Recv of n bytes (MPI_BYTE, tag 0), in
 * pieces whose counts fit an int. */
void gi_mpi_bcast_bytes(void *p, size_t n, int root, MPI_Comm comm);
void gi_mpi_send_bytes(const void *p, size_t n, int to, MPI_Comm comm);
void gi_mpi_recv_bytes(void *p, size_t n, int from, MPI_Comm comm);

#endif
