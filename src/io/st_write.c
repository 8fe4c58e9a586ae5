/* Writing safetensors files: every argument checked and the header built
 * before the file is created, then the data streamed out tensor by
 * tensor. */
#include <string.h>

#include "../core/alloc.h"
#include "safetensors.h"

/* Whether s is well-formed UTF-8: no overlong forms, no surrogates,
 * nothing above U+10FFFF (what JSON and the format require). */
static int utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p != 0) {
        int len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2
                                  : (*p & 0xF0) == 0xE0 ? 3
                                  : (*p & 0xF8) == 0xF0 ? 4 : 0;
        if (len == 0)
            return 0;
        uint32_t c = len == 1 ? *p : *p & (0x7F >> len);
        for (int k = 1; k < len; ++k) {
            if ((p[k] & 0xC0) != 0x80)
                return 0;
            c = c << 6 | (p[k] & 0x3F);
        }
        static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
        if (c < least[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return 0;
        p += len;
    }
    return 1;
}

/* Takes value over (Jansson's _new calls steal it even when they fail). */
static gi_status put(json_t *obj, const char *key, json_t *value,
                     const char *fn)
{
    if (value == NULL || json_object_set_new(obj, key, value) != 0)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot build the header");
    return GI_OK;
}

static gi_status check_text(const char *s, const char *what, int64_t i,
                            const char *fn)
{
    if (s == NULL)
        return gi_fail(GI_ERR_NULL_ARGUMENT, fn, "%s[%lld] is NULL", what,
                       (long long)i);
    if (!utf8_valid(s))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn, "%s[%lld] is not valid "
                       "UTF-8", what, (long long)i);
    return GI_OK;
}

static gi_status add_metadata(json_t *root, int64_t nmeta,
                              const gi_metadata *meta, const char *fn)
{
    json_t *m = json_object();
    gi_status st = put(root, "__metadata__", m, fn);
    for (int64_t i = 0; i < nmeta && st == GI_OK; ++i) {
        st = check_text(meta[i].key, "meta key", i, fn);
        if (st == GI_OK)
            st = check_text(meta[i].value, "meta value", i, fn);
        if (st == GI_OK && json_object_get(m, meta[i].key) != NULL)
            st = gi_fail(GI_ERR_INVALID_ARGUMENT, fn, "meta[%lld]: key '%s' "
                         "appears twice", (long long)i, meta[i].key);
        if (st == GI_OK)
            st = put(m, meta[i].key, json_string(meta[i].value), fn);
    }
    return st;
}

/* The ginit dtypes' codes in the file. */
static const char *st_code(gi_dtype dtype)
{
    switch (dtype) {
#define GI_ST_CODE_(name, value, text, torch, size, code)                      \
    case name: return code;
        GI_DTYPE_LIST(GI_ST_CODE_)
#undef GI_ST_CODE_
    }
    return "";
}

/* entries[i] into the header, its data at *at, which moves past it. */
static gi_status add_entry(json_t *root, const gi_safetensors_entry *e,
                           int64_t i, uint64_t *at, const char *fn)
{
    gi_status st = check_text(e->name, "names", i, fn);
    if (st == GI_OK && (e->name[0] == '\0' ||
                        strcmp(e->name, "__metadata__") == 0))
        st = gi_fail(GI_ERR_INVALID_ARGUMENT, fn, "names[%lld] = '%s' cannot "
                     "name a tensor", (long long)i, e->name);
    if (st == GI_OK && json_object_get(root, e->name) != NULL)
        st = gi_fail(GI_ERR_INVALID_ARGUMENT, fn, "names[%lld] = '%s' "
                     "appears twice", (long long)i, e->name);
    if (st == GI_OK && !gi_dtype_known(e->dtype))
        st = gi_fail(GI_ERR_INVALID_ARGUMENT, fn, "entries[%lld].dtype = %d "
                     "is not a gi_dtype", (long long)i, (int)e->dtype);
    if (st == GI_OK && (e->ndim < 0 || e->ndim > GI_MAX_DIMS))
        st = gi_fail(GI_ERR_SHAPE, fn, "entries[%lld].ndim = %d is outside "
                     "[0, %d]", (long long)i, e->ndim, GI_MAX_DIMS);
    if (st == GI_OK && e->ndim > 0 && e->shape == NULL)
        st = gi_fail(GI_ERR_NULL_ARGUMENT, fn, "entries[%lld].shape is NULL",
                     (long long)i);
    uint64_t bytes = st == GI_OK ? gi_dtype_size(e->dtype) : 0;
    for (int d = 0; d < e->ndim && st == GI_OK; ++d) {
        int64_t size = e->shape[d];
        if (size < 0)
            st = gi_fail(GI_ERR_SHAPE, fn, "entries[%lld].shape[%d] = %lld "
                         "is negative", (long long)i, d, (long long)size);
        else if (size > 0 && bytes > (uint64_t)INT64_MAX / (uint64_t)size)
            st = gi_fail(GI_ERR_OVERFLOW, fn, "entries[%lld]: the tensor's "
                         "bytes pass 2^63", (long long)i);
        else
            bytes *= (uint64_t)size;
    }
    if (st == GI_OK && bytes > INT64_MAX - *at)
        st = gi_fail(GI_ERR_OVERFLOW, fn, "the data passes 2^63 bytes at "
                     "tensors[%lld]", (long long)i);
    if (st != GI_OK)
        return st;
    json_t *o = json_object(), *shape = json_array();
    st = put(root, e->name, o, fn);
    if (st == GI_OK)
        st = put(o, "dtype", json_string(st_code(e->dtype)), fn);
    if (st == GI_OK)
        st = put(o, "shape", shape, fn);
    else
        json_decref(shape);
    for (int d = 0; d < e->ndim && st == GI_OK; ++d)
        if (json_array_append_new(shape, json_integer(e->shape[d])) != 0)
            st = gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot build the header");
    if (st == GI_OK)
        st = put(o, "data_offsets",
                 json_pack("[I, I]", (json_int_t)*at,
                           (json_int_t)(*at + bytes)), fn);
    *at += bytes;
    return st;
}

/* The 8-byte size and the header, padded with spaces to a multiple of 8,
 * as one malloc'd buffer. */
static gi_status header_bytes(json_t *root, char **out, size_t *len,
                              const char *fn)
{
    char *text = json_dumps(root, JSON_COMPACT);
    if (text == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot write the header");
    size_t n = strlen(text), padded = (n + 7) / 8 * 8;
    gi_status st = GI_OK;
    if (padded > GI_ST_MAX_HEADER)
        st = gi_fail(GI_ERR_OVERFLOW, fn, "the header would take %zu bytes, "
                     "above the format's limit of %u", padded,
                     GI_ST_MAX_HEADER);
    char *buf = st == GI_OK ? gi_malloc(8 + padded) : NULL;
    if (st == GI_OK && buf == NULL)
        st = gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot allocate the %zu-byte "
                     "header", padded);
    if (st == GI_OK) {
        for (int i = 0; i < 8; ++i)
            buf[i] = (char)(((uint64_t)padded >> (8 * i)) & 0xFF);
        memcpy(buf + 8, text, n);
        memset(buf + 8 + n, ' ', padded - n);
        *out = buf;
        *len = 8 + padded;
    }
    free(text);
    return st;
}

/* t's bytes into the file: straight from host memory, through the
 * staging buffer from a device's. */
static gi_status write_tensor(gi_atomic_file *af, gi_tensor t, void *staging,
                              size_t cap, const char *fn)
{
    size_t bytes = gi_tensor_nbytes(t);
    const char *data = gi_tensor_data(t);
    if (bytes == 0 || gi_st_on_host(t))
        return gi_atomic_write(af, data, bytes, fn);
    gi_context ctx = t->storage->ctx;
    gi_status st = GI_OK;
    for (size_t done = 0; done < bytes && st == GI_OK; done += cap) {
        size_t chunk = bytes - done < cap ? bytes - done : cap;
        st = ctx->ops->to_host(ctx->state, staging, data + done, chunk, fn);
        if (st == GI_OK)
            st = gi_atomic_write(af, staging, chunk, fn);
    }
    return st;
}

static gi_status write_file(const char *path, const char *head, size_t len,
                            int64_t n, const gi_tensor *tensors,
                            const char *fn)
{
    void *staging = NULL;
    size_t cap = 0;
    gi_status st = gi_st_staging(tensors, n, &staging, &cap, fn);
    gi_atomic_file af;
    if (st == GI_OK)
        st = gi_atomic_open(&af, path, fn);
    if (st != GI_OK) {
        free(staging);
        return st;
    }
    st = gi_atomic_write(&af, head, len, fn);
    for (int64_t i = 0; i < n && st == GI_OK; ++i)
        st = write_tensor(&af, tensors[i], staging, cap, fn);
    free(staging);
    if (st != GI_OK) {
        gi_atomic_abort(&af);
        return st;
    }
    return gi_atomic_commit(&af, fn);
}

static gi_status check_counts(const char *path, int64_t n,
                              const char *const *names,
                              const gi_tensor *tensors, int64_t nmeta,
                              const gi_metadata *meta, const char *fn)
{
    GI_CHECK_NULL(path, fn);
    if (path[0] == '\0')
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn, "argument 'path' is "
                       "empty");
    if (n < 0 || nmeta < 0)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn, "argument '%s' must be "
                       ">= 0, got %lld", n < 0 ? "n" : "nmeta",
                       (long long)(n < 0 ? n : nmeta));
    if (n > 0) {
        GI_CHECK_NULL(names, fn);
        GI_CHECK_NULL(tensors, fn);
    }
    if (nmeta > 0)
        GI_CHECK_NULL(meta, fn);
    return GI_OK;
}

/* The whole prefix (size and padded JSON) of a file of entries[0..n),
 * malloc'd; offsets (n + 1, may be NULL) as gi_safetensors_header. */
static gi_status build_header(int64_t n, const gi_safetensors_entry *entries,
                              int64_t nmeta, const gi_metadata *meta,
                              char **head, size_t *len, uint64_t *offsets,
                              const char *fn)
{
    json_t *root = json_object();
    if (root == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot build the header");
    gi_status st = GI_OK;
    if (nmeta > 0)
        st = add_metadata(root, nmeta, meta, fn);
    uint64_t at = 0;
    for (int64_t i = 0; i < n && st == GI_OK; ++i) {
        if (offsets != NULL)
            offsets[i] = at;
        st = add_entry(root, &entries[i], i, &at, fn);
    }
    if (st == GI_OK && offsets != NULL)
        offsets[n] = at;
    if (st == GI_OK)
        st = header_bytes(root, head, len, fn);
    json_decref(root);
    return st;
}

gi_status gi_st_save(const char *path, int64_t n, const char *const *names,
                     const gi_tensor *tensors, int64_t nmeta,
                     const gi_metadata *meta, const char *fn)
{
    gi_status st = check_counts(path, n, names, tensors, nmeta, meta, fn);
    if (st != GI_OK)
        return st;
    gi_safetensors_entry *entries =
        gi_calloc(n > 0 ? (size_t)n : 1, sizeof *entries);
    if (entries == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot build the header");
    for (int64_t i = 0; i < n && st == GI_OK; ++i) {
        if (tensors[i] == NULL) {
            st = gi_fail(GI_ERR_NULL_ARGUMENT, fn, "tensors[%lld] is NULL",
                         (long long)i);
            break;
        }
        entries[i] = (gi_safetensors_entry){names[i], tensors[i]->dtype,
                                            tensors[i]->ndim,
                                            tensors[i]->shape};
    }
    char *head = NULL;
    size_t len = 0;
    if (st == GI_OK)
        st = build_header(n, entries, nmeta, meta, &head, &len, NULL, fn);
    free(entries);
    if (st == GI_OK)
        st = write_file(path, head, len, n, tensors, fn);
    free(head);
    return st;
}

gi_status gi_safetensors_header(int64_t n,
                                const gi_safetensors_entry *entries,
                                int64_t nmeta, const gi_metadata *meta,
                                void *buf, size_t cap, size_t *size,
                                uint64_t *offsets)
{
    static const char fn[] = "gi_safetensors_header";
    GI_CHECK_NULL(size, fn);
    if (n < 0 || nmeta < 0)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn, "argument '%s' must be "
                       ">= 0, got %lld", n < 0 ? "n" : "nmeta",
                       (long long)(n < 0 ? n : nmeta));
    if (n > 0)
        GI_CHECK_NULL(entries, fn);
    if (nmeta > 0)
        GI_CHECK_NULL(meta, fn);
    uint64_t *offs = NULL;
    if (offsets != NULL) {
        offs = gi_calloc((size_t)n + 1, sizeof *offs);
        if (offs == NULL)
            return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot allocate %lld "
                           "offsets", (long long)n + 1);
    }
    char *head = NULL;
    size_t len = 0;
    gi_status st = build_header(n, entries, nmeta, meta, &head, &len, offs,
                                fn);
    if (st == GI_OK && buf != NULL && cap < len)
        st = gi_fail(GI_ERR_INVALID_ARGUMENT, fn, "argument 'cap' = %zu is "
                     "below the header's %zu bytes", cap, len);
    if (st == GI_OK) {
        if (buf != NULL)
            memcpy(buf, head, len);
        if (offsets != NULL)
            memcpy(offsets, offs, ((size_t)n + 1) * sizeof *offs);
        *size = len;
    }
    free(head);
    free(offs);
    return st;
}

gi_status gi_save_safetensors(const char *path, int64_t n,
                              const char *const *names,
                              const gi_tensor *tensors, int64_t nmeta,
                              const gi_metadata *meta)
{
    return gi_st_save(path, n, names, tensors, nmeta, meta,
                      "gi_save_safetensors");
}
