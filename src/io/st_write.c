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

/* names[i]'s entry, its data at *at, which moves past it. */
static gi_status add_tensor(json_t *root, const char *name, gi_tensor t,
                            int64_t i, uint64_t *at, const char *fn)
{
    gi_status st = check_text(name, "names", i, fn);
    if (st == GI_OK && (name[0] == '\0' || strcmp(name, "__metadata__") == 0))
        st = gi_fail(GI_ERR_INVALID_ARGUMENT, fn, "names[%lld] = '%s' cannot "
                     "name a tensor", (long long)i, name);
    if (st == GI_OK && json_object_get(root, name) != NULL)
        st = gi_fail(GI_ERR_INVALID_ARGUMENT, fn, "names[%lld] = '%s' "
                     "appears twice", (long long)i, name);
    if (st == GI_OK && t == NULL)
        st = gi_fail(GI_ERR_NULL_ARGUMENT, fn, "tensors[%lld] is NULL",
                     (long long)i);
    uint64_t bytes = st == GI_OK ? gi_tensor_nbytes(t) : 0;
    if (st == GI_OK && bytes > INT64_MAX - *at)
        st = gi_fail(GI_ERR_OVERFLOW, fn, "the data passes 2^63 bytes at "
                     "tensors[%lld]", (long long)i);
    if (st != GI_OK)
        return st;
    json_t *e = json_object(), *shape = json_array();
    st = put(root, name, e, fn);
    if (st == GI_OK)
        st = put(e, "dtype", json_string(st_code(t->dtype)), fn);
    if (st == GI_OK)
        st = put(e, "shape", shape, fn);
    else
        json_decref(shape);
    for (int d = 0; d < t->ndim && st == GI_OK; ++d)
        if (json_array_append_new(shape, json_integer(t->shape[d])) != 0)
            st = gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot build the header");
    if (st == GI_OK)
        st = put(e, "data_offsets",
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

gi_status gi_st_save(const char *path, int64_t n, const char *const *names,
                     const gi_tensor *tensors, int64_t nmeta,
                     const gi_metadata *meta, const char *fn)
{
    gi_status st = check_counts(path, n, names, tensors, nmeta, meta, fn);
    if (st != GI_OK)
        return st;
    json_t *root = json_object();
    if (root == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot build the header");
    if (nmeta > 0)
        st = add_metadata(root, nmeta, meta, fn);
    uint64_t at = 0;
    for (int64_t i = 0; i < n && st == GI_OK; ++i)
        st = add_tensor(root, names[i], tensors[i], i, &at, fn);
    char *head = NULL;
    size_t len = 0;
    if (st == GI_OK)
        st = header_bytes(root, &head, &len, fn);
    json_decref(root);
    if (st == GI_OK)
        st = write_file(path, head, len, n, tensors, fn);
    free(head);
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
