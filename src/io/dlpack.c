/* DLPack: tensors lent to other libraries as DLManagedTensors, and theirs
 * taken in as ginit tensors, without a copy either way. A capsule is
 * treated as hostile: every field is checked before anything is taken. */
#include <dlpack/dlpack.h>
#include <stdint.h>
#include <stdlib.h>

#include "../core/alloc.h"
#include "../core/internal.h"

/* ---- export -------------------------------------------------------------- */

/* One allocation per export: the capsule first (the deleter frees it by
 * its address), then the arrays its shape and strides point to. */
typedef struct exported {
    DLManagedTensor m;
    int64_t shape[GI_MAX_DIMS];
    int64_t strides[GI_MAX_DIMS];
} exported;

/* The consumer is done: the view goes, and with it, when it was the last
 * user, the storage and the context. */
static void export_deleter(DLManagedTensor *m)
{
    gi_tensor_destroy(m->manager_ctx);
    free(m);
}

static DLDataType dl_dtype(gi_dtype dtype)
{
    DLDataType d = {kDLFloat, (uint8_t)(8 * gi_dtype_size(dtype)), 1};
    if (dtype == GI_BF16)
        d.code = kDLBfloat;
    return d;
}

/* Explicit strides (in elements), not NULL: consumers read NULL
 * differently, and PyTorch itself never exports it. */
static void row_major_strides(int ndim, const int64_t *shape, int64_t *out)
{
    int64_t stride = 1;
    for (int d = ndim - 1; d >= 0; --d) {
        out[d] = stride;
        stride *= shape[d] > 0 ? shape[d] : 1;
    }
}

gi_status gi_tensor_to_dlpack(gi_tensor t, struct DLManagedTensor **out)
{
    static const char *const fn = "gi_tensor_to_dlpack";
    GI_CHECK_NULL(out, fn);
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st != GI_OK)
        return st;
    exported *e = gi_calloc(1, sizeof *e);
    if (e == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "cannot allocate the DLManagedTensor");
    gi_tensor view = NULL;
    st = gi_tensor_alias(&view, t, fn);
    if (st != GI_OK) {
        free(e);
        return st;
    }
    gi_context ctx = t->storage->ctx;
    DLTensor *d = &e->m.dl_tensor;
    /* NULL without elements, as PyTorch exports them, even for an empty
     * view of a storage that has some. */
    d->data = t->numel > 0 ? gi_tensor_data(t) : NULL;
    d->device.device_type = ctx->device == GI_DEVICE_CUDA ? kDLCUDA : kDLCPU;
    d->device.device_id = ctx->ordinal;
    d->ndim = t->ndim;
    d->dtype = dl_dtype(t->dtype);
    for (int i = 0; i < t->ndim; ++i)
        e->shape[i] = t->shape[i];
    row_major_strides(t->ndim, t->shape, e->strides);
    d->shape = e->shape;
    d->strides = e->strides;
    d->byte_offset = 0; /* PyTorch 1.13's importer ignores it */
    e->m.manager_ctx = view;
    e->m.deleter = export_deleter;
    *out = &e->m;
    return GI_OK;
}

/* ---- import -------------------------------------------------------------- */

static const char *const FN_IMPORT = "gi_tensor_from_dlpack";

/* ndim and shape as ginit can hold them: GI_ERR_FORMAT for what no
 * tensor has, GI_ERR_UNSUPPORTED beyond GI_MAX_DIMS, then the overflow
 * checks of every tensor. */
static gi_status check_shape(const DLTensor *d, size_t elem, int64_t *numel)
{
    if (d->ndim < 0)
        return gi_fail(GI_ERR_FORMAT, FN_IMPORT,
                       "m->dl_tensor.ndim = %d is negative", d->ndim);
    if (d->ndim > GI_MAX_DIMS)
        return gi_fail(GI_ERR_UNSUPPORTED, FN_IMPORT,
                       "m->dl_tensor.ndim = %d: ginit tensors have at most "
                       "%d dimensions", d->ndim, GI_MAX_DIMS);
    if (d->ndim > 0 && d->shape == NULL)
        return gi_fail(GI_ERR_FORMAT, FN_IMPORT,
                       "m->dl_tensor.shape is NULL with ndim %d", d->ndim);
    for (int i = 0; i < d->ndim; ++i)
        if (d->shape[i] < 0)
            return gi_fail(GI_ERR_FORMAT, FN_IMPORT,
                           "m->dl_tensor.shape[%d] = %lld is negative", i,
                           (long long)d->shape[i]);
    return gi_shape_numel(d->ndim, d->shape, elem, numel, FN_IMPORT);
}

/* The four float dtypes, one lane each. */
static gi_status check_dtype(DLDataType t, gi_dtype *out)
{
    int bits = t.bits;
    if (t.lanes != 1)
        return gi_fail(GI_ERR_UNSUPPORTED, FN_IMPORT,
                       "m->dl_tensor.dtype has %d lanes (code %d, bits %d): "
                       "only scalar elements, 1 lane",
                       (int)t.lanes, (int)t.code, bits);
    if (t.code == kDLFloat && (bits == 32 || bits == 64 || bits == 16)) {
        *out = bits == 32 ? GI_F32 : bits == 64 ? GI_F64 : GI_F16;
        return GI_OK;
    }
    if (t.code == kDLBfloat && bits == 16) {
        *out = GI_BF16;
        return GI_OK;
    }
    return gi_fail(GI_ERR_UNSUPPORTED, FN_IMPORT,
                   "m->dl_tensor.dtype is code %d, bits %d: only float32, "
                   "float64, float16 (kDLFloat) and bfloat16 (kDLBfloat)",
                   (int)t.code, bits);
}

/* Memory of the context's device: for a CPU context host-addressable
 * memory (kDLCPU, kDLCUDAHost, kDLCUDAManaged); for a GPU context its
 * own GPU's (kDLCUDA of its ordinal, or kDLCUDAManaged). */
static gi_status check_device(DLDevice dev, gi_context ctx)
{
    const int type = dev.device_type;
    const int cuda = ctx->device == GI_DEVICE_CUDA;
    if (type == kDLCUDAManaged || (type == kDLCUDA && cuda &&
                                   dev.device_id == ctx->ordinal))
        return GI_OK;
    if ((type == kDLCPU || type == kDLCUDAHost) && !cuda)
        return GI_OK;
    if (type == kDLCUDA && cuda)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, FN_IMPORT,
                       "m->dl_tensor.device is GPU %d, but the context "
                       "runs on GPU %d", dev.device_id, ctx->ordinal);
    if (type == kDLCPU || type == kDLCUDAHost || type == kDLCUDA)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, FN_IMPORT,
                       "m->dl_tensor.device type %d is %s memory, which a "
                       "%s context cannot use", type,
                       type == kDLCUDA ? "CUDA device" : "host",
                       gi_device_name(ctx->device));
    return gi_fail(GI_ERR_UNSUPPORTED, FN_IMPORT,
                   "m->dl_tensor.device type %d (id %d): only kDLCPU, "
                   "kDLCUDAHost, kDLCUDA and kDLCUDAManaged", type,
                   dev.device_id);
}

/* Row-major and contiguous, as every ginit tensor is: strides NULL, or
 * the compact ones, except where a size of 1 (or no element at all)
 * makes a stride meaningless, as PyTorch treats them. */
static gi_status check_strides(const DLTensor *d, int64_t numel)
{
    if (d->strides == NULL || numel == 0)
        return GI_OK;
    int64_t want = 1;
    for (int i = d->ndim - 1; i >= 0; --i) {
        if (d->shape[i] != 1 && d->strides[i] != want)
            return gi_fail(GI_ERR_UNSUPPORTED, FN_IMPORT,
                           "only row-major contiguous tensors: "
                           "m->dl_tensor.strides[%d] is %lld, want %lld",
                           i, (long long)d->strides[i], (long long)want);
        want *= d->shape[i];
    }
    return GI_OK;
}

/* data + byte_offset, the first element, into *first. */
static gi_status first_element(const DLTensor *d, size_t elem,
                               int64_t numel, void **first)
{
    if (d->byte_offset % elem != 0)
        return gi_fail(GI_ERR_FORMAT, FN_IMPORT,
                       "m->dl_tensor.byte_offset = %llu is not a multiple "
                       "of the %zu-byte element",
                       (unsigned long long)d->byte_offset, elem);
    if (numel > 0 && d->data == NULL)
        return gi_fail(GI_ERR_FORMAT, FN_IMPORT,
                       "m->dl_tensor.data is NULL for %lld element%s",
                       (long long)numel, gi_plural(numel));
    uintptr_t base = (uintptr_t)d->data;
    if (d->byte_offset > UINTPTR_MAX - base)
        return gi_fail(GI_ERR_OVERFLOW, FN_IMPORT,
                       "m->dl_tensor.byte_offset = %llu from data = %p "
                       "passes the end of the address space",
                       (unsigned long long)d->byte_offset, d->data);
    *first = (void *)(base + (uintptr_t)d->byte_offset);
    return GI_OK;
}

/* The release of an imported tensor's memory: the producer's deleter. */
static void call_deleter(void *data, void *user_data)
{
    (void)data;
    DLManagedTensor *m = user_data;
    m->deleter(m);
}

gi_status gi_tensor_from_dlpack(gi_tensor *out, gi_context ctx,
                                struct DLManagedTensor *m)
{
    GI_CHECK_NULL(out, FN_IMPORT);
    GI_CHECK_NULL(ctx, FN_IMPORT);
    GI_CHECK_NULL(m, FN_IMPORT);
    const DLTensor *d = &m->dl_tensor;
    gi_dtype dtype = GI_F32;
    int64_t numel = 0;
    void *first = NULL;
    gi_status st = check_dtype(d->dtype, &dtype);
    size_t elem = gi_dtype_size(dtype);
    if (st == GI_OK)
        st = check_shape(d, elem, &numel);
    if (st == GI_OK)
        st = check_device(d->device, ctx);
    if (st == GI_OK)
        st = check_strides(d, numel);
    if (st == GI_OK)
        st = first_element(d, elem, numel, &first);
    if (st != GI_OK)
        return st;
    return gi_tensor_adopt(out, ctx, first, dtype, d->ndim, d->shape,
                           m->deleter != NULL ? call_deleter : NULL, m,
                           FN_IMPORT);
}
