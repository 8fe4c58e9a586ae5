/* Reading safetensors files: the header, validated whole at open, and
 * tensors read from the file straight into their memory. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/alloc.h"
#include "safetensors.h"

/* The format's dtypes: code, bytes per element, ginit dtype (-1: none). */
#define GI_ST_GINIT_CODE_(name, value, text, torch, size, code)               \
    {code, size, name},
static const struct st_dtype {
    const char *code;
    int size;
    int dtype;
} st_dtypes[] = {
    GI_DTYPE_LIST(GI_ST_GINIT_CODE_)
    {"BOOL", 1, -1}, {"U8", 1, -1}, {"I8", 1, -1}, {"F8_E5M2", 1, -1},
    {"F8_E4M3", 1, -1}, {"I16", 2, -1}, {"U16", 2, -1}, {"I32", 4, -1},
    {"U32", 4, -1}, {"I64", 8, -1}, {"U64", 8, -1}};
#undef GI_ST_GINIT_CODE_

static const struct st_dtype *st_dtype_of(const char *code)
{
    for (size_t i = 0; i < sizeof st_dtypes / sizeof *st_dtypes; ++i)
        if (strcmp(st_dtypes[i].code, code) == 0)
            return &st_dtypes[i];
    return NULL;
}

int gi_st_on_host(gi_tensor t)
{
    return t->storage->ctx->device == GI_DEVICE_CPU;
}

/* ---- reading bytes ------------------------------------------------------ */

/* All of [offset, offset + n) of the file into buf. */
static gi_status read_at(int fd, void *buf, size_t n, uint64_t offset,
                         const char *path, const char *fn)
{
    char *p = buf;
    while (n > 0) {
        size_t chunk = n < ((size_t)1 << 30) ? n : (size_t)1 << 30;
        ssize_t got = pread(fd, p, chunk, (off_t)offset);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return gi_fail(GI_ERR_IO, fn, "'%s': read at byte %llu: %s",
                           path, (unsigned long long)offset, strerror(errno));
        if (got == 0)
            return gi_fail(GI_ERR_IO, fn, "'%s': the file ends at byte %llu, "
                           "before its data does (was it cut short?)", path,
                           (unsigned long long)offset);
        p += got;
        n -= (size_t)got;
        offset += (uint64_t)got;
    }
    return GI_OK;
}

/* ---- the header ------------------------------------------------------- */

/* N, checked against the limit and the file's size. */
static gi_status header_size(gi_safetensors f, uint64_t *n, const char *fn)
{
    unsigned char le[8];
    if (f->file_size < 8)
        return gi_fail(GI_ERR_FORMAT, fn, "'%s': the file has %llu bytes, "
                       "fewer than the 8 of the header size", f->path,
                       (unsigned long long)f->file_size);
    gi_status st = read_at(f->fd, le, 8, 0, f->path, fn);
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = v << 8 | le[i];
    if (st == GI_OK && v > GI_ST_MAX_HEADER)
        st = gi_fail(GI_ERR_FORMAT, fn, "'%s': header size %llu is above "
                     "the format's limit of %u bytes", f->path,
                     (unsigned long long)v, GI_ST_MAX_HEADER);
    if (st == GI_OK && v > f->file_size - 8)
        st = gi_fail(GI_ERR_FORMAT, fn, "'%s': header size %llu runs past "
                     "the end of the file (%llu bytes)", f->path,
                     (unsigned long long)v, (unsigned long long)f->file_size);
    *n = v;
    return st;
}

/* The header's JSON, parsed with duplicate names refused. */
static gi_status parse_header(gi_safetensors f, uint64_t n, const char *fn)
{
    char *text = gi_malloc(n > 0 ? n : 1);
    if (text == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "'%s': cannot allocate the "
                       "%llu-byte header", f->path, (unsigned long long)n);
    gi_status st = read_at(f->fd, text, n, 8, f->path, fn);
    if (st == GI_OK && (n == 0 || text[0] != '{'))
        st = gi_fail(GI_ERR_FORMAT, fn, "'%s': the header does not start "
                     "with '{'", f->path);
    json_error_t err;
    if (st == GI_OK) {
        f->header = json_loadb(text, n, JSON_REJECT_DUPLICATES, &err);
        if (f->header == NULL)
            st = gi_fail(GI_ERR_FORMAT, fn, "'%s': the header is not valid "
                         "JSON: %s (at byte %d of it)", f->path, err.text,
                         err.position);
    }
    free(text);
    return st;
}

/* A non-negative integer of a tensor's field, or its message. */
static gi_status st_uint(json_t *v, const char *field, size_t i,
                         const gi_st_entry *e, const char *path,
                         const char *fn, uint64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return gi_fail(GI_ERR_FORMAT, fn, "'%s': tensor '%s': field '%s': "
                       "entry %zu is not an integer >= 0", path, e->name,
                       field, i);
    *out = (uint64_t)json_integer_value(v);
    return GI_OK;
}

/* shape: its size and entries, and their product times elem against the
 * data offsets (already read). */
static gi_status check_shape(json_t *shape, int elem, gi_st_entry *e,
                             const char *path, const char *fn)
{
    if (!json_is_array(shape))
        return gi_fail(GI_ERR_FORMAT, fn, "'%s': tensor '%s': field 'shape' "
                       "is not an array", path, e->name);
    size_t ndim = json_array_size(shape);
    uint64_t numel = 1, nonzero = 1;
    for (size_t d = 0; d < ndim; ++d) {
        uint64_t s = 0;
        gi_status st = st_uint(json_array_get(shape, d), "shape", d, e, path,
                               fn, &s);
        if (st != GI_OK)
            return st;
        if (s != 0 && nonzero > INT64_MAX / s)
            return gi_fail(GI_ERR_FORMAT, fn, "'%s': tensor '%s': field "
                           "'shape': the number of elements overflows at "
                           "entry %zu (%llu)", path, e->name, d,
                           (unsigned long long)s);
        nonzero *= s != 0 ? s : 1;
        numel = s == 0 ? 0 : numel;
        if (d < GI_MAX_DIMS)
            e->shape[d] = (int64_t)s;
    }
    numel *= nonzero;
    e->ndim = ndim <= INT32_MAX ? (int)ndim : INT32_MAX;
    if (numel > INT64_MAX / (uint64_t)elem ||
        numel * (uint64_t)elem != e->end - e->begin)
        return gi_fail(GI_ERR_FORMAT, fn, "'%s': tensor '%s': field "
                       "'data_offsets' spans %llu bytes, but its shape "
                       "holds %llu elements of %d bytes", path, e->name,
                       (unsigned long long)(e->end - e->begin),
                       (unsigned long long)numel, elem);
    return GI_OK;
}

static gi_status check_offsets(json_t *offs, gi_st_entry *e,
                               const char *path, const char *fn)
{
    if (!json_is_array(offs) || json_array_size(offs) != 2)
        return gi_fail(GI_ERR_FORMAT, fn, "'%s': tensor '%s': field "
                       "'data_offsets' is not an array [begin, end]", path,
                       e->name);
    gi_status st = st_uint(json_array_get(offs, 0), "data_offsets", 0, e,
                           path, fn, &e->begin);
    if (st == GI_OK)
        st = st_uint(json_array_get(offs, 1), "data_offsets", 1, e, path,
                     fn, &e->end);
    if (st == GI_OK && e->end < e->begin)
        st = gi_fail(GI_ERR_FORMAT, fn, "'%s': tensor '%s': field "
                     "'data_offsets' [%llu, %llu] ends before it begins",
                     path, e->name, (unsigned long long)e->begin,
                     (unsigned long long)e->end);
    return st;
}

/* One tensor's entry: an object of exactly dtype, shape, data_offsets. */
static gi_status check_entry(json_t *v, gi_st_entry *e, const char *path,
                             const char *fn)
{
    if (!json_is_object(v))
        return gi_fail(GI_ERR_FORMAT, fn, "'%s': tensor '%s': its entry is "
                       "not an object", path, e->name);
    const char *key;
    json_t *field;
    json_object_foreach(v, key, field) {
        if (strcmp(key, "dtype") != 0 && strcmp(key, "shape") != 0 &&
            strcmp(key, "data_offsets") != 0)
            return gi_fail(GI_ERR_FORMAT, fn, "'%s': tensor '%s': unknown "
                           "field '%s'", path, e->name, key);
    }
    static const char *const fields[] = {"dtype", "shape", "data_offsets"};
    for (int k = 0; k < 3; ++k)
        if (json_object_get(v, fields[k]) == NULL)
            return gi_fail(GI_ERR_FORMAT, fn, "'%s': tensor '%s': field "
                           "'%s' is missing", path, e->name, fields[k]);
    json_t *code = json_object_get(v, "dtype");
    if (!json_is_string(code))
        return gi_fail(GI_ERR_FORMAT, fn, "'%s': tensor '%s': field 'dtype' "
                       "is not a string", path, e->name);
    const struct st_dtype *dt = st_dtype_of(json_string_value(code));
    if (dt == NULL)
        return gi_fail(GI_ERR_FORMAT, fn, "'%s': tensor '%s': field 'dtype' "
                       "\"%.16s\" is not a safetensors dtype", path, e->name,
                       json_string_value(code));
    e->code = dt->code;
    e->dtype = dt->dtype;
    gi_status st = check_offsets(json_object_get(v, "data_offsets"), e, path,
                                 fn);
    return st != GI_OK ? st
                       : check_shape(json_object_get(v, "shape"), dt->size,
                                     e, path, fn);
}

static gi_status check_metadata(json_t *meta, const char *path,
                                const char *fn)
{
    if (!json_is_object(meta))
        return gi_fail(GI_ERR_FORMAT, fn, "'%s': '__metadata__' is not an "
                       "object", path);
    const char *key;
    json_t *v;
    json_object_foreach(meta, key, v) {
        if (!json_is_string(v))
            return gi_fail(GI_ERR_FORMAT, fn, "'%s': '__metadata__': the "
                           "value of '%s' is not a string", path, key);
    }
    return GI_OK;
}

static int by_offsets(const void *a, const void *b)
{
    const gi_st_entry *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

/* The data, tensor after tensor in offset order, must fill the rest of
 * the file exactly. */
static gi_status check_layout(gi_safetensors f, const char *fn)
{
    qsort(f->entries, (size_t)f->n, sizeof *f->entries, by_offsets);
    uint64_t at = 0, size = f->file_size - f->data_start;
    for (int64_t i = 0; i < f->n; ++i) {
        const gi_st_entry *e = &f->entries[i];
        if (e->begin != at)
            return gi_fail(GI_ERR_FORMAT, fn, "'%s': tensor '%s': field "
                           "'data_offsets' begins at %llu, %s the previous "
                           "tensor's end at %llu", f->path, e->name,
                           (unsigned long long)e->begin,
                           e->begin < at ? "overlapping" : "leaving a gap "
                           "after", (unsigned long long)at);
        at = e->end;
    }
    if (at != size)
        return gi_fail(GI_ERR_FORMAT, fn, "'%s': the tensors' data takes "
                       "%llu bytes but the file has %llu after the header "
                       "(%s)", f->path, (unsigned long long)at,
                       (unsigned long long)size,
                       at < size ? "trailing bytes" : "truncated");
    return GI_OK;
}

static int by_name(const void *a, const void *b)
{
    const gi_st_entry *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

static gi_status index_entries(gi_safetensors f, const char *fn)
{
    size_t count = json_object_size(f->header) - (f->meta != NULL);
    f->entries = gi_calloc(count > 0 ? count : 1, sizeof *f->entries);
    f->byname = gi_calloc(count > 0 ? count : 1, sizeof *f->byname);
    if (f->entries == NULL || f->byname == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "'%s': cannot allocate the "
                       "index of %zu tensors", f->path, count);
    const char *name;
    json_t *v;
    json_object_foreach(f->header, name, v) {
        if (v == f->meta)
            continue;
        gi_st_entry *e = &f->entries[f->n];
        e->name = name;
        gi_status st = check_entry(v, e, f->path, fn);
        if (st != GI_OK)
            return st;
        f->n++;
    }
    gi_status st = check_layout(f, fn);
    for (int64_t i = 0; i < f->n; ++i)
        f->byname[i] = &f->entries[i];
    qsort(f->byname, (size_t)f->n, sizeof *f->byname, by_name);
    return st;
}

static gi_status validate(gi_safetensors f, const char *fn)
{
    struct stat sb;
    if (fstat(f->fd, &sb) != 0)
        return gi_fail(GI_ERR_IO, fn, "'%s': stat: %s", f->path,
                       strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return gi_fail(GI_ERR_IO, fn, "'%s' is not a regular file", f->path);
    f->file_size = (uint64_t)sb.st_size;
    uint64_t n = 0;
    gi_status st = header_size(f, &n, fn);
    if (st == GI_OK)
        st = parse_header(f, n, fn);
    if (st != GI_OK)
        return st;
    /* Parsed from a text starting with '{': an object. */
    f->data_start = 8 + n;
    f->meta = json_object_get(f->header, "__metadata__");
    if (f->meta != NULL && (st = check_metadata(f->meta, f->path, fn)) != GI_OK)
        return st;
    return index_entries(f, fn);
}

gi_status gi_st_open(gi_safetensors *out, const char *path, const char *fn)
{
    GI_CHECK_NULL(out, fn);
    GI_CHECK_NULL(path, fn);
    gi_safetensors f = gi_calloc(1, sizeof *f);
    size_t len = strlen(path) + 1;
    char *copy = gi_malloc(len);
    if (f == NULL || copy == NULL) {
        free(f);
        free(copy);
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot allocate the handle "
                       "of '%s'", path);
    }
    f->path = memcpy(copy, path, len);
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    gi_status st = GI_OK;
    if (f->fd < 0)
        st = gi_fail(GI_ERR_IO, fn, "'%s': open: %s", path, strerror(errno));
    if (st == GI_OK)
        st = validate(f, fn);
    if (st != GI_OK) {
        gi_safetensors_close(f);
        return st;
    }
    *out = f;
    return GI_OK;
}

/* ---- queries ------------------------------------------------------------ */

gi_status gi_safetensors_open(gi_safetensors *out, const char *path)
{
    return gi_st_open(out, path, "gi_safetensors_open");
}

void gi_safetensors_close(gi_safetensors f)
{
    if (f == NULL)
        return;
    if (f->fd >= 0)
        close(f->fd);
    json_decref(f->header);
    free(f->entries);
    free(f->byname);
    free(f->path);
    free(f);
}

int64_t gi_safetensors_count(gi_safetensors f)
{
    return f != NULL ? f->n : 0;
}

const char *gi_safetensors_name(gi_safetensors f, int64_t i)
{
    return f != NULL && i >= 0 && i < f->n ? f->entries[i].name : NULL;
}

int64_t gi_st_find(gi_safetensors f, const char *name)
{
    int64_t lo = 0, hi = f->n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        int c = strcmp(f->byname[mid]->name, name);
        if (c == 0)
            return f->byname[mid] - f->entries;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

const char *gi_safetensors_metadata(gi_safetensors f, const char *key)
{
    if (f == NULL || key == NULL || f->meta == NULL)
        return NULL;
    return json_string_value(json_object_get(f->meta, key));
}

/* The entry called name, one ginit can hold, or the message. */
static gi_status loadable(gi_safetensors f, const char *name,
                          const gi_st_entry **out, const char *fn)
{
    int64_t i = gi_st_find(f, name);
    if (i < 0)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn, "'%s' has no tensor "
                       "named '%s'", f->path, name);
    const gi_st_entry *e = &f->entries[i];
    if (e->dtype < 0)
        return gi_fail(GI_ERR_UNSUPPORTED, fn, "'%s': tensor '%s' is of "
                       "dtype %s, which ginit has no tensor for", f->path,
                       name, e->code);
    if (e->ndim > GI_MAX_DIMS)
        return gi_fail(GI_ERR_UNSUPPORTED, fn, "'%s': tensor '%s' has %d "
                       "dimensions, more than GI_MAX_DIMS (%d)", f->path,
                       name, e->ndim, GI_MAX_DIMS);
    *out = e;
    return GI_OK;
}

gi_status gi_safetensors_info(gi_safetensors f, const char *name,
                              gi_dtype *dtype, int *ndim, int64_t *shape)
{
    static const char *const fn = "gi_safetensors_info";
    GI_CHECK_NULL(f, fn);
    GI_CHECK_NULL(name, fn);
    const gi_st_entry *e = NULL;
    gi_status st = loadable(f, name, &e, fn);
    if (st != GI_OK)
        return st;
    if (dtype != NULL)
        *dtype = (gi_dtype)e->dtype;
    if (ndim != NULL)
        *ndim = e->ndim;
    if (shape != NULL && e->ndim > 0)
        memcpy(shape, e->shape, (size_t)e->ndim * sizeof *shape);
    return GI_OK;
}

/* ---- loading ------------------------------------------------------------ */

/* Whether the file's shape of e is ndim sizes at shape. */
static int same_shape(const gi_st_entry *e, int ndim, const int64_t *shape)
{
    int same = e->ndim == ndim;
    for (int d = 0; same && d < ndim; ++d)
        same = e->shape[d] == shape[d];
    return same;
}

/* Whether t loads from e as the shard of e's tensor: e has t's global
 * shape, not t's own (a file of t's own shape holds t alone). */
static int from_global(const gi_st_entry *e, gi_tensor t)
{
    return t->shard.kind != GI_SHARD_NONE &&
           !same_shape(e, t->ndim, t->shape) &&
           same_shape(e, t->shard.global_ndim, t->shard.global_shape);
}

/* "[4, 6]" into buf, for messages. */
static const char *shape_text(char *buf, size_t cap, int ndim,
                              const int64_t *shape)
{
    size_t at = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < ndim && at < cap; ++d)
        at += (size_t)snprintf(buf + at, cap - at, "%s%lld", d > 0 ? ", " : "",
                               (long long)shape[d]);
    if (at < cap)
        snprintf(buf + at, cap - at, "]");
    return buf;
}

/* GI_ERR_SHAPE: e's shape is neither t's nor, for a shard, its global
 * tensor's. */
static gi_status shape_differs(gi_safetensors f, const gi_st_entry *e,
                               gi_tensor t, int64_t i, const char *fn)
{
    char file[GI_MAX_DIMS * 22 + 3], own[sizeof file], global[sizeof file];
    shape_text(file, sizeof file, e->ndim, e->shape);
    shape_text(own, sizeof own, t->ndim, t->shape);
    if (t->shard.kind == GI_SHARD_NONE)
        return gi_fail(GI_ERR_SHAPE, fn, "'%s': tensor '%s' has shape %s in "
                       "the file but tensors[%lld] has %s", f->path, e->name,
                       file, (long long)i, own);
    shape_text(global, sizeof global, t->shard.global_ndim,
               t->shard.global_shape);
    return gi_fail(GI_ERR_SHAPE, fn, "'%s': tensor '%s' has shape %s in the "
                   "file but tensors[%lld], a shard of shape %s, has the "
                   "global shape %s", f->path, e->name, file, (long long)i,
                   own, global);
}

/* tensors[i] can take the file's names[i]: its own shape, or a shard's
 * global one. */
static gi_status check_target(gi_safetensors f, const char *name,
                              gi_tensor t, int64_t i, const char *fn)
{
    if (name == NULL)
        return gi_fail(GI_ERR_NULL_ARGUMENT, fn, "names[%lld] is NULL",
                       (long long)i);
    if (t == NULL)
        return gi_fail(GI_ERR_NULL_ARGUMENT, fn, "tensors[%lld] is NULL",
                       (long long)i);
    const gi_st_entry *e = NULL;
    gi_status st = loadable(f, name, &e, fn);
    if (st != GI_OK)
        return st;
    if (e->dtype != (int)t->dtype)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn, "'%s': tensor '%s' is "
                       "%s in the file but tensors[%lld] is %s", f->path,
                       name, gi_dtype_name((gi_dtype)e->dtype), (long long)i,
                       gi_dtype_name(t->dtype));
    if (!same_shape(e, t->ndim, t->shape) && !from_global(e, t))
        return shape_differs(f, e, t, i, fn);
    return GI_OK;
}

gi_status gi_st_staging(const gi_tensor *tensors, int64_t n, void **out,
                        size_t *bytes, const char *fn)
{
    size_t want = 0;
    for (int64_t i = 0; i < n; ++i)
        if (!gi_st_on_host(tensors[i]) && gi_tensor_nbytes(tensors[i]) > want)
            want = gi_tensor_nbytes(tensors[i]);
    want = want < GI_ST_STAGING ? want : GI_ST_STAGING;
    *out = NULL;
    *bytes = want;
    if (want > 0 && (*out = gi_malloc(want)) == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot allocate a %zu-byte "
                       "buffer for device tensors", want);
    return GI_OK;
}

/* Where a load's bytes go, in t's order: t's memory from byte `done`,
 * straight for a host tensor; for a device tensor, the staging buffer,
 * which holds t's bytes [done, done + held) and is copied to t whenever
 * it is full. */
typedef struct st_sink {
    gi_tensor t;
    char *staging;
    size_t cap, held, done;
} st_sink;

static gi_status sink_flush(st_sink *s, const char *fn)
{
    gi_context ctx = s->t->storage->ctx;
    char *data = gi_tensor_data(s->t);
    gi_status st = GI_OK;
    if (s->held > 0)
        st = ctx->ops->from_host(ctx->state, data + s->done, s->staging,
                                 s->held, fn);
    s->done += s->held;
    s->held = 0;
    return st;
}

/* The file's bytes [at, at + bytes) as t's next ones. */
static gi_status sink_read(gi_safetensors f, st_sink *s, uint64_t at,
                           size_t bytes, const char *fn)
{
    if (s->staging == NULL) {
        s->done += bytes;
        return read_at(f->fd, (char *)gi_tensor_data(s->t) + s->done - bytes,
                       bytes, at, f->path, fn);
    }
    gi_status st = GI_OK;
    while (bytes > 0 && st == GI_OK) {
        size_t take = s->cap - s->held < bytes ? s->cap - s->held : bytes;
        st = read_at(f->fd, s->staging + s->held, take, at, f->path, fn);
        s->held += take;
        at += take;
        bytes -= take;
        if (st == GI_OK && s->held == s->cap)
            st = sink_flush(s, fn);
    }
    return st;
}

/* The file's bytes of e into t: all of them, or for a shard of e's
 * tensor only its runs (gi_shard_run_at: consecutive global indices,
 * in t's order), each read at its offset. */
static gi_status read_tensor(gi_safetensors f, const gi_st_entry *e,
                             gi_tensor t, void *staging, size_t cap,
                             const char *fn)
{
    const int shard = from_global(e, t);
    const int64_t runs = shard ? gi_shard_runs(t) : t->numel > 0;
    const size_t elem = gi_dtype_size(t->dtype);
    st_sink s = {t, gi_st_on_host(t) ? NULL : staging, cap, 0, 0};
    gi_status st = GI_OK;
    for (int64_t r = 0; r < runs && st == GI_OK; ++r) {
        gi_shard_run run = shard ? gi_shard_run_at(t, r)
                                 : (gi_shard_run){0, 0, t->numel};
        st = sink_read(f, &s, f->data_start + e->begin +
                       (uint64_t)run.global * elem, (size_t)run.len * elem,
                       fn);
    }
    if (st == GI_OK && s.staging != NULL)
        st = sink_flush(&s, fn);
    return st;
}

/* The file must still be the one validated. */
static gi_status check_unchanged(gi_safetensors f, const char *fn)
{
    struct stat sb;
    if (fstat(f->fd, &sb) != 0)
        return gi_fail(GI_ERR_IO, fn, "'%s': stat: %s", f->path,
                       strerror(errno));
    if ((uint64_t)sb.st_size != f->file_size)
        return gi_fail(GI_ERR_IO, fn, "'%s' is %llu bytes now, %llu when it "
                       "was opened", f->path, (unsigned long long)sb.st_size,
                       (unsigned long long)f->file_size);
    return GI_OK;
}

/* n and the arrays, before the file is touched. */
static gi_status check_lists(int64_t n, const char *const *names,
                             const gi_tensor *tensors, const char *fn)
{
    if (n < 0)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn, "argument 'n' must be "
                       ">= 0, got %lld", (long long)n);
    if (n > 0) {
        GI_CHECK_NULL(names, fn);
        GI_CHECK_NULL(tensors, fn);
    }
    return GI_OK;
}

gi_status gi_st_check_into(gi_safetensors f, int64_t n,
                           const char *const *names, const gi_tensor *tensors,
                           const char *fn)
{
    GI_CHECK_NULL(f, fn);
    gi_status st = check_lists(n, names, tensors, fn);
    for (int64_t i = 0; i < n && st == GI_OK; ++i)
        st = check_target(f, names[i], tensors[i], i, fn);
    if (st == GI_OK)
        st = check_unchanged(f, fn);
    return st;
}

gi_status gi_st_load_into(gi_safetensors f, int64_t n,
                          const char *const *names, const gi_tensor *tensors,
                          const char *fn)
{
    gi_status st = gi_st_check_into(f, n, names, tensors, fn);
    void *staging = NULL;
    size_t cap = 0;
    if (st == GI_OK)
        st = gi_st_staging(tensors, n, &staging, &cap, fn);
    for (int64_t i = 0; i < n && st == GI_OK; ++i)
        st = read_tensor(f, &f->entries[gi_st_find(f, names[i])], tensors[i],
                         staging, cap, fn);
    free(staging);
    return st;
}

gi_status gi_safetensors_load_into(gi_safetensors f, int64_t n,
                                   const char *const *names,
                                   const gi_tensor *tensors)
{
    return gi_st_load_into(f, n, names, tensors, "gi_safetensors_load_into");
}

gi_status gi_safetensors_load_tensor(gi_safetensors f, const char *name,
                                     gi_context ctx, gi_tensor *out)
{
    static const char *const fn = "gi_safetensors_load_tensor";
    GI_CHECK_NULL(f, fn);
    GI_CHECK_NULL(name, fn);
    GI_CHECK_NULL(ctx, fn);
    GI_CHECK_NULL(out, fn);
    const gi_st_entry *e = NULL;
    gi_status st = loadable(f, name, &e, fn);
    gi_tensor t = NULL;
    if (st == GI_OK)
        st = gi_tensor_new(&t, ctx, (gi_dtype)e->dtype, e->ndim, e->shape,
                           fn);
    if (st == GI_OK)
        st = gi_st_load_into(f, 1, &name, &t, fn);
    if (st != GI_OK) {
        gi_tensor_destroy(t);
        return st;
    }
    *out = t;
    return GI_OK;
}

gi_status gi_load_safetensors(const char *path, int64_t n,
                              const char *const *names,
                              const gi_tensor *tensors)
{
    static const char *const fn = "gi_load_safetensors";
    gi_safetensors f = NULL;
    gi_status st = check_lists(n, names, tensors, fn);
    if (st == GI_OK)
        st = gi_st_open(&f, path, fn);
    if (st == GI_OK)
        st = gi_st_load_into(f, n, names, tensors, fn);
    gi_safetensors_close(f);
    return st;
}
