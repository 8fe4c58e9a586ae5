/* Generators: the (seed, stream, offset) state of a Philox stream, or
 * the state of PyTorch's CPU generator (src/torchgen), and their bytes. */
#include <stdlib.h>

#include "alloc.h"
#include "internal.h"

/* Philox's state bytes: seed, stream, offset, little-endian uint64. */
#define PHILOX_STATE_BYTES 24

const char *gi_generator_kind_name(gi_generator_kind kind)
{
    switch (kind) {
#define GI_GENERATOR_KIND_NAME_(name, value, text)                            \
    case name: return text;
        GI_GENERATOR_KIND_LIST(GI_GENERATOR_KIND_NAME_)
#undef GI_GENERATOR_KIND_NAME_
    }
    return "unknown";
}

void gi_generator_reset(gi_generator gen, gi_generator_kind kind,
                        uint64_t seed)
{
    const int owned = gen->owned_by_context;
    *gen = (struct gi_generator_st){.kind = kind,
                                    .kernels = GI_TG_AVX2,
                                    .trunc = GI_TORCH_TRUNC_INVERSE_CDF,
                                    .owned_by_context = owned};
    if (kind == GI_GENERATOR_TORCH_CPU)
        gi_tg_seed(&gen->torch, seed);
    else
        gen->seed = seed;
}

static gi_status check_kind(gi_generator_kind kind, const char *fn)
{
    if (!gi_generator_kind_known((int)kind))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'kind' = %d is not a gi_generator_kind",
                       (int)kind);
    return GI_OK;
}

static gi_status create(gi_generator *out, gi_generator_kind kind,
                        uint64_t seed, const char *fn)
{
    GI_CHECK_NULL(out, fn);
    gi_status st = check_kind(kind, fn);
    if (st != GI_OK)
        return st;
    gi_generator gen = gi_calloc(1, sizeof *gen);
    if (gen == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "cannot allocate the generator");
    gi_generator_reset(gen, kind, seed);
    *out = gen;
    return GI_OK;
}

gi_status gi_generator_create(gi_generator *out, uint64_t seed)
{
    return create(out, GI_GENERATOR_PHILOX, seed, "gi_generator_create");
}

gi_status gi_generator_create_kind(gi_generator *out, gi_generator_kind kind,
                                   uint64_t seed)
{
    return create(out, kind, seed, "gi_generator_create_kind");
}

gi_generator_kind gi_generator_kind_of(gi_generator gen)
{
    return gen != NULL ? gen->kind : GI_GENERATOR_PHILOX;
}

void gi_generator_destroy(gi_generator gen)
{
    if (gen != NULL && !gen->owned_by_context)
        free(gen);
}

gi_status gi_generator_set_seed(gi_generator gen, uint64_t seed)
{
    GI_CHECK_NULL(gen, "gi_generator_set_seed");
    if (gen->kind == GI_GENERATOR_TORCH_CPU) {
        gi_tg_seed(&gen->torch, seed);
        return GI_OK;
    }
    gen->seed = seed;
    gen->offset = 0;
    return GI_OK;
}

/* Refuses a Philox-only setter on a torch_cpu generator. */
static gi_status philox_only(gi_generator gen, const char *fn)
{
    if (gen->kind != GI_GENERATOR_PHILOX)
        return gi_fail(GI_ERR_UNSUPPORTED, fn,
                       "argument 'gen' is a '%s' generator, which has no "
                       "Philox stream or offset",
                       gi_generator_kind_name(gen->kind));
    return GI_OK;
}

gi_status gi_generator_set_stream(gi_generator gen, uint64_t stream)
{
    GI_CHECK_NULL(gen, "gi_generator_set_stream");
    gi_status st = philox_only(gen, "gi_generator_set_stream");
    if (st == GI_OK)
        gen->stream = stream;
    return st;
}

gi_status gi_generator_set_offset(gi_generator gen, uint64_t offset)
{
    GI_CHECK_NULL(gen, "gi_generator_set_offset");
    gi_status st = philox_only(gen, "gi_generator_set_offset");
    if (st == GI_OK)
        gen->offset = offset;
    return st;
}

uint64_t gi_generator_seed(gi_generator gen)
{
    if (gen == NULL)
        return 0;
    return gen->kind == GI_GENERATOR_TORCH_CPU ? gen->torch.seed : gen->seed;
}

uint64_t gi_generator_stream(gi_generator gen)
{
    return gen != NULL ? gen->stream : 0;
}

uint64_t gi_generator_offset(gi_generator gen)
{
    return gen != NULL ? gen->offset : 0;
}

static size_t state_size(gi_generator gen)
{
    return gen->kind == GI_GENERATOR_TORCH_CPU ? GI_TG_STATE_BYTES
                                               : PHILOX_STATE_BYTES;
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = v << 8 | p[i];
    return v;
}

gi_status gi_generator_get_state(gi_generator gen, void *buf, size_t cap,
                                 size_t *size)
{
    static const char *const fn = "gi_generator_get_state";
    GI_CHECK_NULL(gen, fn);
    GI_CHECK_NULL(size, fn);
    const size_t need = state_size(gen);
    if (buf != NULL && cap < need)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'cap' = %zu is below the %zu bytes of a "
                       "'%s' state", cap, need,
                       gi_generator_kind_name(gen->kind));
    *size = need;
    if (buf == NULL)
        return GI_OK;
    unsigned char *out = buf;
    if (gen->kind == GI_GENERATOR_TORCH_CPU) {
        gi_tg_state_bytes(&gen->torch, out);
        return GI_OK;
    }
    put_u64(out, gen->seed);
    put_u64(out + 8, gen->stream);
    put_u64(out + 16, gen->offset);
    return GI_OK;
}

gi_status gi_generator_set_state(gi_generator gen, const void *buf,
                                 size_t size)
{
    static const char *const fn = "gi_generator_set_state";
    GI_CHECK_NULL(gen, fn);
    GI_CHECK_NULL(buf, fn);
    const size_t need = state_size(gen);
    const char *kind = gi_generator_kind_name(gen->kind);
    if (size != need)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'size' = %zu: a '%s' state is %zu bytes",
                       size, kind, need);
    const unsigned char *in = buf;
    if (gen->kind == GI_GENERATOR_PHILOX) {
        gen->seed = get_u64(in);
        gen->stream = get_u64(in + 8);
        gen->offset = get_u64(in + 16);
        return GI_OK;
    }
    if (gi_tg_set_state_bytes(&gen->torch, in, size) != GI_OK)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'buf' is no '%s' state: a word does not "
                       "fit 32 bits, or 'left' is outside 1..624 or "
                       "'next' + 'left' beyond 625", kind);
    return GI_OK;
}

/* A setting of torch_cpu generators only: the error names fn. */
static gi_status check_torch(gi_generator gen, const char *fn)
{
    GI_CHECK_NULL(gen, fn);
    if (gen->kind != GI_GENERATOR_TORCH_CPU)
        return gi_fail(GI_ERR_UNSUPPORTED, fn,
                       "argument 'gen' is a '%s' generator, not 'torch_cpu'",
                       gi_generator_kind_name(gen->kind));
    return GI_OK;
}

gi_status gi_generator_set_torch_kernels(gi_generator gen,
                                         gi_torch_kernels kernels)
{
    static const char *const fn = "gi_generator_set_torch_kernels";
    gi_status st = check_torch(gen, fn);
    if (st != GI_OK)
        return st;
    if (!gi_torch_kernels_known((int)kernels))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'kernels' = %d is not a gi_torch_kernels",
                       (int)kernels);
    gen->kernels = (gi_tg_kernels)kernels;
    return GI_OK;
}

gi_status gi_generator_set_torch_trunc(gi_generator gen,
                                       gi_torch_trunc method)
{
    static const char *const fn = "gi_generator_set_torch_trunc";
    gi_status st = check_torch(gen, fn);
    if (st != GI_OK)
        return st;
    if (!gi_torch_trunc_known((int)method))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'method' = %d is not a gi_torch_trunc",
                       (int)method);
    gen->trunc = method;
    return GI_OK;
}

gi_generator gi_context_generator(gi_context ctx)
{
    return ctx != NULL ? &ctx->generator : NULL;
}

gi_status gi_context_set_generator_kind(gi_context ctx,
                                        gi_generator_kind kind)
{
    static const char *const fn = "gi_context_set_generator_kind";
    GI_CHECK_NULL(ctx, fn);
    gi_status st = check_kind(kind, fn);
    if (st == GI_OK)
        gi_generator_reset(&ctx->generator, kind,
                           kind == GI_GENERATOR_TORCH_CPU
                               ? GI_TORCH_DEFAULT_SEED
                               : 0);
    return st;
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
