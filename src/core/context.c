/* Contexts: choosing the device, registering the backends, lifetime. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "internal.h"

static const char *const FN_CREATE = "gi_context_create";

const char *gi_device_name(gi_device device)
{
    switch (device) {
    case GI_DEVICE_AUTO: return "auto";
    case GI_DEVICE_CPU: return "cpu";
    case GI_DEVICE_CUDA: return "cuda";
    }
    return "unknown";
}

/* GINIT_DEVICE, when set, replaces an AUTO request. */
static gi_status device_from_env(gi_device *device, const char *fn)
{
    const char *env = getenv("GINIT_DEVICE");
    if (env == NULL || *env == '\0')
        return GI_OK;
    if (strcmp(env, "cpu") == 0)
        *device = GI_DEVICE_CPU;
    else if (strcmp(env, "cuda") == 0)
        *device = GI_DEVICE_CUDA;
    else if (strcmp(env, "auto") != 0)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "environment variable GINIT_DEVICE='%s' is not one of "
                       "cpu, cuda, auto", env);
    return GI_OK;
}

/* The backend table: the only place that knows which backends were built. */
static gi_status probe_cuda(int ordinal, char *info, size_t cap)
{
#ifdef GINIT_HAVE_CUDA
    return gi_cuda_backend_probe(ordinal, info, cap);
#else
    (void)ordinal;
    snprintf(info, cap, "this build of ginit has no CUDA backend");
    return GI_ERR_DEVICE_UNAVAILABLE;
#endif
}

static gi_status open_cuda(gi_context ctx, int ordinal,
                           const gi_cuda_stream *stream, const char *fn)
{
#ifdef GINIT_HAVE_CUDA
    ctx->ops = &gi_cuda_backend;
    return gi_cuda_backend_create(&ctx->state, ordinal, stream, fn);
#else
    (void)ctx;
    (void)ordinal;
    (void)stream;
    (void)fn;
    return GI_ERR_DEVICE_UNAVAILABLE;
#endif
}

/* Memory checks need the CUDA runtime on both kinds of context: only it
 * can tell device memory from host memory. */
static gi_status check_memory_kind(gi_context ctx, const void *data,
                                   size_t bytes, const char *fn)
{
#ifdef GINIT_HAVE_CUDA
    return gi_cuda_check_memory(ctx->device == GI_DEVICE_CUDA ? ctx->state
                                                              : NULL,
                                data, bytes, fn);
#else
    (void)ctx;
    (void)data;
    (void)bytes;
    (void)fn;
    return GI_OK;
#endif
}

/* Chooses the device and fills ctx->info with the reason. */
static gi_status choose_device(gi_context ctx, gi_device requested,
                               int ordinal, const char *fn)
{
    int from_env = 0;
    if (requested == GI_DEVICE_AUTO) {
        gi_status st = device_from_env(&requested, fn);
        if (st != GI_OK)
            return st;
        from_env = requested != GI_DEVICE_AUTO;
    }
    const char *why = from_env ? "GINIT_DEVICE" : "requested";
    if (requested == GI_DEVICE_CPU) {
        ctx->device = GI_DEVICE_CPU;
        snprintf(ctx->info, sizeof ctx->info, "cpu: %s", why);
        return GI_OK;
    }
    char reason[160];
    if (probe_cuda(ordinal, reason, sizeof reason) == GI_OK) {
        ctx->device = GI_DEVICE_CUDA;
        snprintf(ctx->info, sizeof ctx->info, "cuda: %s", reason);
        return GI_OK;
    }
    if (requested == GI_DEVICE_CUDA)
        return gi_fail(GI_ERR_DEVICE_UNAVAILABLE, fn,
                       "device cuda (%s) is not usable: %s", why, reason);
    ctx->device = GI_DEVICE_CPU;
    snprintf(ctx->info, sizeof ctx->info, "cpu: %s, using cpu", reason);
    return GI_OK;
}

static gi_status create(gi_context *out, gi_device device, int ordinal,
                        const gi_cuda_stream *stream, const char *fn)
{
    GI_CHECK_NULL(out, fn);
    if (device != GI_DEVICE_AUTO && device != GI_DEVICE_CPU &&
        device != GI_DEVICE_CUDA)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'device' has unknown value %d", (int)device);
    if (ordinal < 0 || (device == GI_DEVICE_CPU && ordinal != 0))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'ordinal' must be %s, got %d",
                       device == GI_DEVICE_CPU ? "0 for the CPU" : ">= 0",
                       ordinal);
    gi_context ctx = gi_calloc(1, sizeof *ctx);
    if (ctx == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "cannot allocate the context");
    gi_status st = choose_device(ctx, device, ordinal, fn);
    if (st == GI_OK && ctx->device == GI_DEVICE_CUDA) {
        ctx->ordinal = ordinal;
        st = open_cuda(ctx, ordinal, stream, fn);
    } else if (st == GI_OK) {
        ctx->ops = &gi_cpu_backend;
        st = gi_cpu_backend_create(&ctx->state);
    }
    if (st != GI_OK) {
        free(ctx);
        return st;
    }
    ctx->refs = 1;
    ctx->generator.owned_by_context = 1;
    *out = ctx;
    return GI_OK;
}

gi_status gi_context_create(gi_context *out, gi_device device)
{
    return create(out, device, 0, NULL, FN_CREATE);
}

gi_status gi_context_create_on(gi_context *out, gi_device device, int ordinal)
{
    return create(out, device, ordinal, NULL, "gi_context_create_on");
}

gi_status gi_context_create_on_stream(gi_context *out, int ordinal,
                                      void *stream)
{
    const gi_cuda_stream s = {stream};
    return create(out, GI_DEVICE_CUDA, ordinal, &s,
                  "gi_context_create_on_stream");
}

gi_status gi_context_stream(gi_context ctx, void **out)
{
    static const char *const fn = "gi_context_stream";
    GI_CHECK_NULL(ctx, fn);
    GI_CHECK_NULL(out, fn);
    if (ctx->device != GI_DEVICE_CUDA)
        return gi_fail(GI_ERR_UNSUPPORTED, fn,
                       "a %s context has no CUDA stream",
                       gi_device_name(ctx->device));
#ifdef GINIT_HAVE_CUDA
    *out = gi_cuda_backend_stream(ctx->state);
#endif
    return GI_OK;
}

gi_status gi_context_check_memory(gi_context ctx, const void *data,
                                  size_t bytes, size_t elem, const char *fn)
{
    if (bytes == 0)
        return GI_OK;
    if (data == NULL)
        return gi_fail(GI_ERR_NULL_ARGUMENT, fn,
                       "argument 'data' is NULL for %zu bytes", bytes);
    if ((uintptr_t)data % elem != 0)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'data' = %p is not aligned to its %zu-byte "
                       "elements", data, elem);
    if ((uintptr_t)data > UINTPTR_MAX - bytes)
        return gi_fail(GI_ERR_OVERFLOW, fn,
                       "%zu bytes at argument 'data' = %p pass the end of "
                       "the address space", bytes, data);
    return check_memory_kind(ctx, data, bytes, fn);
}

void gi_context_retain(gi_context ctx)
{
    ctx->refs++;
}

void gi_context_release(gi_context ctx)
{
    if (--ctx->refs > 0)
        return;
    ctx->ops->destroy(ctx->state);
    free(ctx);
}

void gi_context_destroy(gi_context ctx)
{
    if (ctx != NULL)
        gi_context_release(ctx);
}

gi_device gi_context_device(gi_context ctx)
{
    return ctx != NULL ? ctx->device : GI_DEVICE_CPU;
}

const char *gi_context_device_info(gi_context ctx)
{
    return ctx != NULL ? ctx->info : "";
}

gi_status gi_context_synchronize(gi_context ctx)
{
    GI_CHECK_NULL(ctx, "gi_context_synchronize");
    return ctx->ops->synchronize(ctx->state, "gi_context_synchronize");
}

gi_status gi_context_set_num_threads(gi_context ctx, int num_threads)
{
    static const char *const fn = "gi_context_set_num_threads";
    GI_CHECK_NULL(ctx, fn);
    if (num_threads < 0)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'num_threads' must be >= 0, got %d",
                       num_threads);
    ctx->ops->set_num_threads(ctx->state, num_threads);
    ctx->num_threads = num_threads;
    return GI_OK;
}

int gi_cuda_available(void)
{
    char reason[160];
    return probe_cuda(0, reason, sizeof reason) == GI_OK;
}
