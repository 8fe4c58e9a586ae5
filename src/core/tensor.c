/* Tensors: contiguous row-major storage on a context's device (ginit's, or
 * memory the caller lends), and views that share it. */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "internal.h"
#include "../shared/store.h"

const char *gi_dtype_name(gi_dtype dtype)
{
    switch (dtype) {
#define GI_DTYPE_NAME_(name, value, text, torch, size, code)                  \
    case name: return text;
        GI_DTYPE_LIST(GI_DTYPE_NAME_)
#undef GI_DTYPE_NAME_
    }
    return "unknown";
}

size_t gi_dtype_size(gi_dtype dtype)
{
    return (size_t)gi_elem_size((int)dtype);
}

gi_status gi_shape_numel(int ndim, const int64_t *shape, size_t elem,
                         int64_t *numel, const char *fn)
{
    if (ndim < 0 || ndim > GI_MAX_DIMS)
        return gi_fail(GI_ERR_SHAPE, fn,
                       "argument 'ndim' must be in [0, %d], got %d",
                       GI_MAX_DIMS, ndim);
    if (ndim > 0 && shape == NULL)
        return gi_fail(GI_ERR_NULL_ARGUMENT, fn,
                       "argument 'shape' is NULL with ndim %d", ndim);
    int64_t n = 1;
    for (int d = 0; d < ndim; ++d)
        if (shape[d] < 0)
            return gi_fail(GI_ERR_SHAPE, fn,
                           "shape[%d] must be >= 0, got %lld", d,
                           (long long)shape[d]);
    /* The product of the nonzero sizes must fit too, even when a zero size
     * empties the tensor: rows, fans and views are products of sizes. */
    int empty = 0;
    for (int d = 0; d < ndim; ++d) {
        empty |= shape[d] == 0;
        if (shape[d] != 0 && n > (INT64_MAX / 4) / shape[d])
            return gi_fail(GI_ERR_OVERFLOW, fn,
                           "the number of elements overflows at shape[%d] = "
                           "%lld", d, (long long)shape[d]);
        n *= shape[d] != 0 ? shape[d] : 1;
    }
    /* No C object, hence no allocation, is larger than PTRDIFF_MAX bytes
     * (pointer differences within it must fit). */
    if (n > PTRDIFF_MAX / (int64_t)elem)
        return gi_fail(GI_ERR_OVERFLOW, fn,
                       "%lld elements of %zu bytes exceed PTRDIFF_MAX bytes",
                       (long long)n, elem);
    *numel = empty ? 0 : n;
    return GI_OK;
}

static gi_tensor tensor_alloc(gi_storage *storage, gi_dtype dtype,
                              int64_t offset, int ndim, const int64_t *shape,
                              int64_t numel)
{
    gi_tensor t = gi_calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->storage = storage;
    t->offset = offset;
    t->ndim = ndim;
    t->numel = numel;
    t->dtype = dtype;
    if (ndim > 0)
        memcpy(t->shape, shape, (size_t)ndim * sizeof *shape);
    storage->refs++;
    return t;
}

/* Memory ginit allocated goes back to its backend (stream-ordered on a
 * GPU); the caller's goes back through its release function once the
 * context's queued work on it is done, so the caller may free it at once.
 * A failing wait has no one to report to: the memory is released all the
 * same, and the error stays the context's to report at its next call. */
static void storage_release(gi_storage *s)
{
    if (--s->refs > 0)
        return;
    gi_context ctx = s->ctx;
    if (!s->external) {
        ctx->ops->release(ctx->state, s->data);
    } else if (s->release != NULL) {
        char saved[512];
        snprintf(saved, sizeof saved, "%s", gi_last_error());
        if (ctx->ops->synchronize(ctx->state, "gi_tensor_destroy") != GI_OK)
            gi_restore_error(saved);
        s->release(s->external_data, s->release_data);
    }
    gi_context_release(ctx);
    free(s);
}

/* A tensor over storage s (refs 0, data set) of numel elements; on
 * failure s is freed and its memory left to the caller. */
static gi_status storage_tensor(gi_tensor *out, gi_storage *s, gi_dtype dtype,
                                int ndim, const int64_t *shape, int64_t numel,
                                const char *fn)
{
    gi_tensor t = tensor_alloc(s, dtype, 0, ndim, shape, numel);
    if (t == NULL) {
        free(s);
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot allocate tensor");
    }
    gi_context_retain(s->ctx);
    *out = t;
    return GI_OK;
}

/* The storage of a tensor of dtype and shape (checked first), its memory
 * not set yet. */
static gi_status storage_for(gi_storage **out, gi_context ctx, gi_dtype dtype,
                             int ndim, const int64_t *shape, int64_t *numel,
                             const char *fn)
{
    gi_status st = gi_shape_numel(ndim, shape, gi_dtype_size(dtype), numel,
                                  fn);
    if (st != GI_OK)
        return st;
    gi_storage *s = gi_calloc(1, sizeof *s);
    if (s == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot allocate storage");
    s->ctx = ctx;
    s->bytes = (size_t)*numel * gi_dtype_size(dtype);
    *out = s;
    return GI_OK;
}

gi_status gi_tensor_new(gi_tensor *out, gi_context ctx, gi_dtype dtype,
                        int ndim, const int64_t *shape, const char *fn)
{
    int64_t numel = 0;
    gi_storage *s = NULL;
    gi_status st = storage_for(&s, ctx, dtype, ndim, shape, &numel, fn);
    if (st != GI_OK)
        return st;
    st = ctx->ops->alloc(ctx->state, s->bytes, &s->data, fn);
    if (st != GI_OK) {
        free(s);
        return st;
    }
    void *data = s->data;
    st = storage_tensor(out, s, dtype, ndim, shape, numel, fn);
    if (st != GI_OK)
        ctx->ops->release(ctx->state, data);
    return st;
}

gi_status gi_tensor_adopt(gi_tensor *out, gi_context ctx, void *data,
                          gi_dtype dtype, int ndim, const int64_t *shape,
                          gi_release_fn release, void *user_data,
                          const char *fn)
{
    int64_t numel = 0;
    gi_storage *s = NULL;
    gi_status st = storage_for(&s, ctx, dtype, ndim, shape, &numel, fn);
    if (st == GI_OK)
        st = gi_context_check_memory(ctx, data, s->bytes,
                                     gi_dtype_size(dtype), fn);
    if (st != GI_OK) {
        free(s);
        return st;
    }
    s->data = numel > 0 ? data : NULL;
    s->external = 1;
    s->release = release;
    s->release_data = user_data;
    s->external_data = data;
    return storage_tensor(out, s, dtype, ndim, shape, numel, fn);
}

gi_status gi_tensor_create(gi_tensor *out, gi_context ctx, gi_dtype dtype,
                           int ndim, const int64_t *shape)
{
    static const char *const fn = "gi_tensor_create";
    GI_CHECK_NULL(out, fn);
    GI_CHECK_NULL(ctx, fn);
    if (!gi_dtype_known((int)dtype))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'dtype' = %d is not a gi_dtype", (int)dtype);
    gi_tensor t = NULL;
    gi_status st = gi_tensor_new(&t, ctx, dtype, ndim, shape, fn);
    if (st == GI_OK) {
        gi_fill_job zero;
        gi_job_constant(&zero, t, 0.0);
        st = gi_run_jobs(ctx, &zero, 1, &ctx->generator, fn);
    }
    if (st != GI_OK) {
        gi_tensor_destroy(t);
        return st;
    }
    *out = t;
    return GI_OK;
}

gi_status gi_tensor_from_blob(gi_tensor *out, gi_context ctx, void *data,
                              gi_dtype dtype, int ndim, const int64_t *shape,
                              gi_release_fn release, void *user_data)
{
    static const char *const fn = "gi_tensor_from_blob";
    GI_CHECK_NULL(out, fn);
    GI_CHECK_NULL(ctx, fn);
    if (!gi_dtype_known((int)dtype))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'dtype' = %d is not a gi_dtype", (int)dtype);
    return gi_tensor_adopt(out, ctx, data, dtype, ndim, shape, release,
                           user_data, fn);
}

void gi_tensor_destroy(gi_tensor t)
{
    if (t == NULL)
        return;
    if (t->param) {
        gi_fail(GI_ERR_STATE, "gi_tensor_destroy",
                "the tensor is a module's parameter, owned by the module: "
                "ignored (destroy the module's root instead)");
        return;
    }
    storage_release(t->storage);
    free(t);
}

int gi_tensor_ndim(gi_tensor t) { return t != NULL ? t->ndim : 0; }
int64_t gi_tensor_numel(gi_tensor t) { return t != NULL ? t->numel : 0; }
const int64_t *gi_tensor_shape(gi_tensor t)
{
    return t != NULL ? t->shape : NULL;
}
gi_dtype gi_tensor_dtype(gi_tensor t) { return t != NULL ? t->dtype : GI_F32; }
gi_context gi_tensor_context(gi_tensor t)
{
    return t != NULL ? t->storage->ctx : NULL;
}

int64_t gi_tensor_size(gi_tensor t, int dim)
{
    if (t == NULL || dim < -t->ndim || dim >= t->ndim)
        return -1;
    return t->shape[dim < 0 ? dim + t->ndim : dim];
}

size_t gi_tensor_nbytes(gi_tensor t)
{
    return (size_t)t->numel * gi_dtype_size(t->dtype);
}

void *gi_tensor_data(gi_tensor t)
{
    char *base = t->storage->data; /* NULL for zero elements */
    return base != NULL ? base + t->offset * gi_dtype_size(t->dtype) : NULL;
}

gi_status gi_check_tensor(gi_tensor t, const char *fn, const char *arg)
{
    if (t == NULL)
        return gi_fail(GI_ERR_NULL_ARGUMENT, fn, "argument '%s' is NULL", arg);
    return GI_OK;
}

double gi_dtype_round(gi_dtype dtype, double v)
{
    union { /* one element of any dtype: stored, then read back */
        double d;
        float f;
        uint16_t h;
    } e;
    gi_store_d(&e, dtype, 0, v);
    return gi_load_d(&e, dtype, 0);
}

static gi_status check_nbytes(gi_tensor t, size_t nbytes, const char *fn)
{
    size_t want = gi_tensor_nbytes(t);
    if (nbytes != want)
        return gi_fail(GI_ERR_SHAPE, fn,
                       "argument 'nbytes' is %zu but the tensor holds %zu "
                       "bytes", nbytes, want);
    return GI_OK;
}

gi_status gi_tensor_copy_from_host(gi_tensor t, const void *src, size_t nbytes)
{
    static const char *const fn = "gi_tensor_copy_from_host";
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st == GI_OK && src == NULL && nbytes > 0)
        st = gi_fail(GI_ERR_NULL_ARGUMENT, fn, "argument 'src' is NULL");
    if (st == GI_OK)
        st = check_nbytes(t, nbytes, fn);
    if (st != GI_OK || nbytes == 0)
        return st;
    gi_context ctx = t->storage->ctx;
    return ctx->ops->from_host(ctx->state, gi_tensor_data(t), src, nbytes, fn);
}

gi_status gi_tensor_copy_to_host(gi_tensor t, void *dst, size_t nbytes)
{
    static const char *const fn = "gi_tensor_copy_to_host";
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st == GI_OK && dst == NULL && nbytes > 0)
        st = gi_fail(GI_ERR_NULL_ARGUMENT, fn, "argument 'dst' is NULL");
    if (st == GI_OK)
        st = check_nbytes(t, nbytes, fn);
    if (st != GI_OK || nbytes == 0)
        return st;
    gi_context ctx = t->storage->ctx;
    return ctx->ops->to_host(ctx->state, dst, gi_tensor_data(t), nbytes, fn);
}

int gi_tensors_overlap(gi_tensor a, gi_tensor b)
{
    if (a->storage != b->storage || a->numel == 0 || b->numel == 0)
        return 0;
    if (a->offset == b->offset && a->numel == b->numel)
        return 0;
    return a->offset < b->offset + b->numel && b->offset < a->offset + a->numel;
}

int gi_same_shape(gi_tensor a, gi_tensor b)
{
    if (a->ndim != b->ndim)
        return 0;
    for (int d = 0; d < a->ndim; ++d)
        if (a->shape[d] != b->shape[d])
            return 0;
    return 1;
}

/* Copies across devices through a host buffer. */
static gi_status copy_via_host(gi_tensor dst, gi_tensor src, size_t bytes,
                               const char *fn)
{
    void *host = gi_malloc(bytes);
    if (host == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "cannot allocate a %zu-byte host buffer", bytes);
    gi_context sc = src->storage->ctx, dc = dst->storage->ctx;
    gi_status st = sc->ops->to_host(sc->state, host, gi_tensor_data(src),
                                    bytes, fn);
    if (st == GI_OK)
        st = dc->ops->from_host(dc->state, gi_tensor_data(dst), host, bytes,
                                fn);
    free(host);
    return st;
}

/* dst[:] = src converted, on dst's context, where src already is. */
static gi_status convert_on(gi_tensor dst, gi_tensor src, const char *fn)
{
    gi_context ctx = dst->storage->ctx;
    gi_fill_job job;
    gi_job_map2(&job, dst, src, &(gi_map){GI_MAP_COPY, 0, 0.0, 0.0});
    return gi_run_jobs(ctx, &job, 1, &ctx->generator, fn);
}

/* dst[:] = src of another dtype on another device: src comes over first
 * into a tensor of its own dtype on dst's context. */
static gi_status convert_across(gi_tensor dst, gi_tensor src, const char *fn)
{
    gi_tensor tmp = NULL;
    gi_status st = gi_tensor_new(&tmp, dst->storage->ctx, src->dtype,
                                 src->ndim, src->shape, fn);
    if (st == GI_OK)
        st = copy_via_host(tmp, src, gi_tensor_nbytes(src), fn);
    if (st == GI_OK)
        st = convert_on(dst, tmp, fn);
    gi_tensor_destroy(tmp);
    return st;
}

gi_status gi_copy_tensor(gi_tensor dst, gi_tensor src, const char *fn)
{
    gi_status st = gi_check_tensor(dst, fn, "dst");
    if (st == GI_OK)
        st = gi_check_tensor(src, fn, "src");
    if (st != GI_OK)
        return st;
    if (!gi_same_shape(dst, src))
        return gi_fail(GI_ERR_SHAPE, fn,
                       "shapes differ: dst has %d dimension%s and %lld "
                       "element%s, src has %d dimension%s and %lld element%s",
                       dst->ndim, gi_plural(dst->ndim), (long long)dst->numel,
                       gi_plural(dst->numel), src->ndim, gi_plural(src->ndim),
                       (long long)src->numel, gi_plural(src->numel));
    if (dst->numel == 0 || (gi_tensor_data(dst) == gi_tensor_data(src) &&
                            dst->dtype == src->dtype))
        return GI_OK;
    if (gi_tensors_overlap(dst, src))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "dst and src overlap in memory (views of one tensor)");
    gi_context dc = dst->storage->ctx, sc = src->storage->ctx;
    int same_memory = dc == sc || (dc->device == GI_DEVICE_CPU &&
                                   sc->device == GI_DEVICE_CPU);
    if (dst->dtype != src->dtype)
        return same_memory ? convert_on(dst, src, fn)
                           : convert_across(dst, src, fn);
    size_t bytes = gi_tensor_nbytes(src);
    if (same_memory)
        return dc->ops->copy(dc->state, gi_tensor_data(dst),
                             gi_tensor_data(src), bytes, fn);
    return copy_via_host(dst, src, bytes, fn);
}

gi_status gi_tensor_copy_(gi_tensor dst, gi_tensor src)
{
    return gi_copy_tensor(dst, src, "gi_tensor_copy_");
}

gi_status gi_tensor_to(gi_tensor *out, gi_tensor t, gi_dtype dtype)
{
    static const char *const fn = "gi_tensor_to";
    GI_CHECK_NULL(out, fn);
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st != GI_OK)
        return st;
    if (!gi_dtype_known((int)dtype))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'dtype' = %d is not a gi_dtype", (int)dtype);
    gi_tensor c = NULL;
    st = gi_tensor_new(&c, t->storage->ctx, dtype, t->ndim, t->shape, fn);
    if (st == GI_OK)
        st = gi_copy_tensor(c, t, fn);
    if (st != GI_OK) {
        gi_tensor_destroy(c);
        return st;
    }
    *out = c;
    return GI_OK;
}

/* Element offset of a full index, Python-style negatives allowed. */
static gi_status element_offset(gi_tensor t, int nindex, const int64_t *index,
                                int64_t *offset, const char *fn)
{
    if (nindex != t->ndim)
        return gi_fail(GI_ERR_SHAPE, fn,
                       "argument 'nindex' is %d but the tensor has %d "
                       "dimension%s", nindex, t->ndim, gi_plural(t->ndim));
    if (nindex > 0 && index == NULL)
        return gi_fail(GI_ERR_NULL_ARGUMENT, fn, "argument 'index' is NULL");
    int64_t off = 0;
    for (int d = 0; d < nindex; ++d) {
        int64_t i = index[d], n = t->shape[d];
        if (i < -n || i >= n)
            return gi_fail(GI_ERR_OUT_OF_RANGE, fn,
                           "index[%d] = %lld is out of range for dimension "
                           "%d of size %lld", d, (long long)i, d,
                           (long long)n);
        off = off * n + (i < 0 ? i + n : i);
    }
    *offset = off;
    return GI_OK;
}

/* Element off of t, read to the host as a double (exact). */
static gi_status read_element(gi_tensor t, int64_t off, double *out,
                              const char *fn)
{
    const size_t size = gi_dtype_size(t->dtype);
    unsigned char bytes[8];
    gi_context ctx = t->storage->ctx;
    gi_status st = ctx->ops->to_host(ctx->state, bytes,
                                     (char *)gi_tensor_data(t) + off * size,
                                     size, fn);
    if (st == GI_OK)
        *out = gi_load_d(bytes, t->dtype, 0);
    return st;
}

gi_status gi_tensor_get(gi_tensor t, int nindex, const int64_t *index,
                        double *out)
{
    static const char *const fn = "gi_tensor_get";
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st != GI_OK)
        return st;
    GI_CHECK_NULL(out, fn);
    int64_t off = 0;
    st = element_offset(t, nindex, index, &off, fn);
    return st != GI_OK ? st : read_element(t, off, out, fn);
}

gi_status gi_tensor_set(gi_tensor t, int nindex, const int64_t *index,
                        double value)
{
    static const char *const fn = "gi_tensor_set";
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st != GI_OK)
        return st;
    int64_t off = 0;
    st = element_offset(t, nindex, index, &off, fn);
    if (st == GI_OK) /* PyTorch's t[i] = 1e5 on float16 refuses too */
        st = gi_check_scalar(t->dtype, value, "value", fn);
    if (st != GI_OK)
        return st;
    const size_t size = gi_dtype_size(t->dtype);
    unsigned char bytes[8];
    gi_store_d(bytes, t->dtype, 0, value);
    gi_context ctx = t->storage->ctx;
    return ctx->ops->from_host(ctx->state,
                               (char *)gi_tensor_data(t) + off * size, bytes,
                               size, fn);
}

gi_status gi_tensor_item(gi_tensor t, double *out)
{
    static const char *const fn = "gi_tensor_item";
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st != GI_OK)
        return st;
    GI_CHECK_NULL(out, fn);
    if (t->numel != 1)
        return gi_fail(GI_ERR_SHAPE, fn,
                       "a tensor with %lld elements cannot be converted to a "
                       "scalar", (long long)t->numel);
    return read_element(t, 0, out, fn);
}

/* A view of rows [start, start + rows) of the leading dimension; keep_dim 0
 * drops that dimension (rows is then 1). */
static gi_status leading_view(gi_tensor *out, gi_tensor t, int64_t start,
                              int64_t rows, int keep_dim, const char *fn)
{
    int64_t row_numel = 1;
    for (int d = 1; d < t->ndim; ++d)
        row_numel *= t->shape[d];
    int64_t shape[GI_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    shape[0] = rows;
    const int64_t *view_shape = keep_dim ? shape : shape + 1;
    int ndim = keep_dim ? t->ndim : t->ndim - 1;
    gi_tensor v = tensor_alloc(t->storage, t->dtype,
                               t->offset + start * row_numel,
                               ndim, view_shape, rows * row_numel);
    if (v == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot allocate the view");
    *out = v;
    return GI_OK;
}

static gi_status check_view_args(gi_tensor *out, gi_tensor t, const char *fn)
{
    GI_CHECK_NULL(out, fn);
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st == GI_OK && t->ndim == 0)
        st = gi_fail(GI_ERR_SHAPE, fn,
                     "a 0-dimensional tensor cannot be indexed");
    return st;
}

gi_status gi_tensor_select(gi_tensor *out, gi_tensor t, int64_t index)
{
    static const char *const fn = "gi_tensor_select";
    gi_status st = check_view_args(out, t, fn);
    if (st != GI_OK)
        return st;
    int64_t n = t->shape[0];
    if (index < -n || index >= n)
        return gi_fail(GI_ERR_OUT_OF_RANGE, fn,
                       "index %lld is out of range for dimension 0 of size "
                       "%lld", (long long)index, (long long)n);
    return leading_view(out, t, index < 0 ? index + n : index, 1, 0, fn);
}

/* Python's slice bound: negatives count from the end, then clamp. */
static int64_t slice_bound(int64_t i, int64_t n)
{
    if (i < 0)
        i = i < -n ? 0 : i + n;
    return i > n ? n : i;
}

gi_status gi_tensor_slice(gi_tensor *out, gi_tensor t, int64_t start,
                          int64_t stop)
{
    static const char *const fn = "gi_tensor_slice";
    gi_status st = check_view_args(out, t, fn);
    if (st != GI_OK)
        return st;
    int64_t n = t->shape[0];
    int64_t lo = slice_bound(start, n), hi = slice_bound(stop, n);
    return leading_view(out, t, lo, hi > lo ? hi - lo : 0, 1, fn);
}

/* "[2, -1, 3]" into buf, for messages. */
static const char *shape_text(int ndim, const int64_t *shape, char *buf,
                              size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < ndim && n < cap; ++d)
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", d ? ", " : "",
                              (long long)shape[d]);
    if (n < cap)
        snprintf(buf + n, cap - n, "]");
    return buf;
}

/* shape with its one -1, if any, inferred so that it holds numel
 * elements (torch's view rules), into out; an error naming fn otherwise. */
static gi_status view_shape(int ndim, const int64_t *shape, int64_t numel,
                            size_t elem, int64_t *out, const char *fn)
{
    int64_t known = 0;
    if (ndim < 0 || ndim > GI_MAX_DIMS || (ndim > 0 && shape == NULL))
        return gi_shape_numel(ndim, shape, elem, &known, fn); /* its text */
    int infer = -1;
    for (int d = 0; d < ndim; ++d) {
        if (shape[d] == -1 && infer >= 0)
            return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                           "only one dimension can be inferred, got -1 "
                           "at shape[%d] and shape[%d]", infer, d);
        infer = shape[d] == -1 ? d : infer;
        out[d] = shape[d] == -1 ? 1 : shape[d];
    }
    gi_status st = gi_shape_numel(ndim, out, elem, &known, fn);
    if (st != GI_OK)
        return st;
    char text[GI_MAX_DIMS * 22 + 3];
    if (infer >= 0 && known == 0)
        return gi_fail(GI_ERR_SHAPE, fn,
                       "cannot view a tensor of %lld elements as %s: "
                       "the other sizes hold no element, so the -1 "
                       "could be any size", (long long)numel,
                       shape_text(ndim, shape, text, sizeof text));
    if (infer >= 0 && numel % known == 0) {
        out[infer] = numel / known;
        known = numel;
    }
    if (known != numel)
        return gi_fail(GI_ERR_SHAPE, fn,
                       "shape %s is invalid for a tensor of %lld "
                       "elements",
                       shape_text(ndim, shape, text, sizeof text),
                       (long long)numel);
    return GI_OK;
}

/* A view of t's elements [first, first + numel) with shape. */
static gi_status flat_view(gi_tensor *out, gi_tensor t, int64_t first,
                           int ndim, const int64_t *shape, int64_t numel,
                           const char *fn)
{
    gi_tensor v = tensor_alloc(t->storage, t->dtype, t->offset + first,
                               ndim, shape, numel);
    if (v == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot allocate the view");
    *out = v;
    return GI_OK;
}

gi_status gi_tensor_alias(gi_tensor *out, gi_tensor t, const char *fn)
{
    return flat_view(out, t, 0, t->ndim, t->shape, t->numel, fn);
}

gi_status gi_tensor_view(gi_tensor *out, gi_tensor t, int ndim,
                         const int64_t *shape)
{
    static const char *const fn = "gi_tensor_view";
    GI_CHECK_NULL(out, fn);
    gi_status st = gi_check_tensor(t, fn, "t");
    int64_t vshape[GI_MAX_DIMS] = {0};
    if (st == GI_OK)
        st = view_shape(ndim, shape, t->numel, gi_dtype_size(t->dtype),
                        vshape, fn);
    return st != GI_OK ? st : flat_view(out, t, 0, ndim, vshape, t->numel, fn);
}

gi_status gi_tensor_view_range(gi_tensor *out, gi_tensor t, int64_t first,
                               int ndim, const int64_t *shape)
{
    static const char *const fn = "gi_tensor_view_range";
    GI_CHECK_NULL(out, fn);
    gi_status st = gi_check_tensor(t, fn, "t");
    int64_t n = 0;
    if (st == GI_OK)
        st = gi_shape_numel(ndim, shape, gi_dtype_size(t->dtype), &n, fn);
    if (st == GI_OK && (first < 0 || first > t->numel || n > t->numel - first))
        st = gi_fail(GI_ERR_OUT_OF_RANGE, fn,
                     "elements [%lld, %lld + %lld) are not all inside the "
                     "tensor's %lld", (long long)first, (long long)first,
                     (long long)n, (long long)t->numel);
    return st != GI_OK ? st : flat_view(out, t, first, ndim, shape, n, fn);
}

gi_status gi_tensor_data_ptr(gi_tensor t, void **out)
{
    static const char *const fn = "gi_tensor_data_ptr";
    GI_CHECK_NULL(out, fn);
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st == GI_OK)
        *out = t->numel > 0 ? gi_tensor_data(t) : NULL;
    return st;
}

gi_status gi_tensor_clone(gi_tensor *out, gi_tensor t)
{
    static const char *const fn = "gi_tensor_clone";
    GI_CHECK_NULL(out, fn);
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st != GI_OK)
        return st;
    gi_tensor c = NULL;
    st = gi_tensor_create(&c, t->storage->ctx, t->dtype, t->ndim, t->shape);
    if (st == GI_OK)
        st = gi_tensor_copy_(c, t);
    if (st != GI_OK) {
        gi_tensor_destroy(c);
        return st;
    }
    *out = c;
    return GI_OK;
}
