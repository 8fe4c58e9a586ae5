/* Generators: the (seed, stream, offset) state of a Philox stream. */
#include <stdlib.h>

#include "alloc.h"
#include "internal.h"

gi_status gi_generator_create(gi_generator *out, uint64_t seed)
{
    GI_CHECK_NULL(out, "gi_generator_create");
    gi_generator gen = gi_calloc(1, sizeof *gen);
    if (gen == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, "gi_generator_create",
                       "cannot allocate the generator");
    gen->seed = seed;
    *out = gen;
    return GI_OK;
}

void gi_generator_destroy(gi_generator gen)
{
    if (gen != NULL && !gen->owned_by_context)
        free(gen);
}

gi_status gi_generator_set_seed(gi_generator gen, uint64_t seed)
{
    GI_CHECK_NULL(gen, "gi_generator_set_seed");
    gen->seed = seed;
    gen->offset = 0;
    return GI_OK;
}

gi_status gi_generator_set_stream(gi_generator gen, uint64_t stream)
{
    GI_CHECK_NULL(gen, "gi_generator_set_stream");
    gen->stream = stream;
    return GI_OK;
}

gi_status gi_generator_set_offset(gi_generator gen, uint64_t offset)
{
    GI_CHECK_NULL(gen, "gi_generator_set_offset");
    gen->offset = offset;
    return GI_OK;
}

uint64_t gi_generator_seed(gi_generator gen)
{
    return gen != NULL ? gen->seed : 0;
}

uint64_t gi_generator_stream(gi_generator gen)
{
    return gen != NULL ? gen->stream : 0;
}

uint64_t gi_generator_offset(gi_generator gen)
{
    return gen != NULL ? gen->offset : 0;
}

gi_generator gi_context_generator(gi_context ctx)
{
    return ctx != NULL ? &ctx->generator : NULL;
}

gi_status gi_manual_seed(gi_context ctx, uint64_t seed)
{
    GI_CHECK_NULL(ctx, "gi_manual_seed");
    return gi_generator_set_seed(&ctx->generator, seed);
}

gi_generator gi_resolve_generator(gi_tensor t, gi_generator gen)
{
    return gen != NULL ? gen : &t->storage->ctx->generator;
}
