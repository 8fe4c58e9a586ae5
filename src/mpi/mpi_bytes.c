/* Generator states kept aside by the collective calls (mpi_state.h). */
#include <stdlib.h>
#include <string.h>

#include "mpi_state.h"

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
