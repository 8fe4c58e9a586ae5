/* A generator's state kept aside by a collective call, so that a failure
 * agreed after the generator moved on some ranks can move it back. */
#ifndef GINIT_MPI_STATE_H
#define GINIT_MPI_STATE_H

#include <stddef.h>

#include "ginit.h"

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

#endif
