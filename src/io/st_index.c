/* Sharded checkpoints in Hugging Face's layout: an index
 * (model.safetensors.index.json) mapping every tensor to the safetensors
 * file in its directory that holds it. The index is hostile input,
 * validated whole at open, as a file's header is. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/alloc.h"
#include "../module/module.h"
#include "safetensors.h"

/* The largest index read: as large as a safetensors header may be. */
#define GI_ST_MAX_INDEX GI_ST_MAX_HEADER

struct gi_safetensors_index_st {
    char *path;          /* for messages */
    json_t *root;        /* owns every string the handle lends */
    json_t *map;         /* the weight_map object */
    int64_t n;
    const char **names;  /* the weight_map's keys, in the index's order */
    char **paths;        /* each one's file: the index's directory + name */
};

/* The index's text, whole, as a NUL-terminated buffer. */
static gi_status read_index(const char *path, char **text, size_t *len,
                            const char *fn)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return gi_fail(GI_ERR_IO, fn, "cannot open '%s': %s", path,
                       strerror(errno));
    struct stat sb;
    gi_status st = GI_OK;
    if (fstat(fd, &sb) != 0)
        st = gi_fail(GI_ERR_IO, fn, "'%s': stat: %s", path, strerror(errno));
    else if (!S_ISREG(sb.st_mode))
        st = gi_fail(GI_ERR_IO, fn, "'%s' is not a regular file", path);
    else if ((uint64_t)sb.st_size > GI_ST_MAX_INDEX)
        st = gi_fail(GI_ERR_FORMAT, fn, "'%s' is %lld bytes, above the "
                     "limit of %u for an index", path,
                     (long long)sb.st_size, GI_ST_MAX_INDEX);
    char *buf = NULL;
    size_t n = st == GI_OK ? (size_t)sb.st_size : 0, got = 0;
    if (st == GI_OK && (buf = gi_malloc(n + 1)) == NULL)
        st = gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot allocate %zu bytes "
                     "for '%s'", n + 1, path);
    while (st == GI_OK && got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            st = gi_fail(GI_ERR_IO, fn, "'%s': read: %s", path,
                         r < 0 ? strerror(errno) : "the file got shorter");
        else
            got += (size_t)r;
    }
    close(fd);
    if (st != GI_OK) {
        free(buf);
        return st;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return GI_OK;
}

/* A file name the index may name: in the index's directory, nowhere
 * else (no directory part, not "." or ".."). */
static int plain_file_name(const char *s)
{
    return s[0] != '\0' && strchr(s, '/') == NULL && strcmp(s, ".") != 0 &&
           strcmp(s, "..") != 0 && strlen(s) <= 255;
}

static gi_status check_fields(gi_safetensors_index x, const char *fn)
{
    if (!json_is_object(x->root))
        return gi_fail(GI_ERR_FORMAT, fn, "'%s': the index is not a JSON "
                       "object", x->path);
    json_t *meta = json_object_get(x->root, "metadata");
    if (meta != NULL && !json_is_object(meta))
        return gi_fail(GI_ERR_FORMAT, fn, "'%s': field 'metadata' is not an "
                       "object", x->path);
    json_t *total = meta != NULL ? json_object_get(meta, "total_size") : NULL;
    if (total != NULL && !(json_is_integer(total) &&
                           json_integer_value(total) >= 0))
        return gi_fail(GI_ERR_FORMAT, fn, "'%s': field 'metadata.total_size'"
                       " is not an integer >= 0", x->path);
    x->map = json_object_get(x->root, "weight_map");
    if (x->map == NULL)
        return gi_fail(GI_ERR_FORMAT, fn, "'%s': field 'weight_map' is "
                       "missing", x->path);
    if (!json_is_object(x->map))
        return gi_fail(GI_ERR_FORMAT, fn, "'%s': field 'weight_map' is not "
                       "an object", x->path);
    const char *key;
    json_t *v;
    json_object_foreach(x->map, key, v) {
        if (key[0] == '\0')
            return gi_fail(GI_ERR_FORMAT, fn, "'%s': field 'weight_map' has "
                           "an empty tensor name", x->path);
        if (!json_is_string(v))
            return gi_fail(GI_ERR_FORMAT, fn, "'%s': weight_map['%s'] is not "
                           "a string", x->path, key);
        if (!plain_file_name(json_string_value(v)))
            return gi_fail(GI_ERR_FORMAT, fn, "'%s': weight_map['%s'] = '%s' "
                           "is not a file name in the index's directory",
                           x->path, key, json_string_value(v));
    }
    return GI_OK;
}

/* The index's directory, with its '/', or "" beside the working one. */
static size_t dir_length(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash == NULL ? 0 : (size_t)(slash - path) + 1;
}

static gi_status list_entries(gi_safetensors_index x, const char *fn)
{
    x->n = (int64_t)json_object_size(x->map);
    size_t room = x->n > 0 ? (size_t)x->n : 1, dir = dir_length(x->path);
    x->names = gi_calloc(room, sizeof *x->names);
    x->paths = gi_calloc(room, sizeof *x->paths);
    if (x->names == NULL || x->paths == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot list the %lld "
                       "tensors of '%s'", (long long)x->n, x->path);
    int64_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(x->map, key, v) {
        const char *file = json_string_value(v);
        size_t len = strlen(file);
        char *p = gi_malloc(dir + len + 1);
        if (p == NULL)
            return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot list the %lld "
                           "tensors of '%s'", (long long)x->n, x->path);
        memcpy(p, x->path, dir);
        memcpy(p + dir, file, len + 1);
        x->names[i] = key;
        x->paths[i++] = p;
    }
    return GI_OK;
}

static gi_status index_open(gi_safetensors_index *out, const char *path,
                            const char *fn)
{
    GI_CHECK_NULL(out, fn);
    GI_CHECK_NULL(path, fn);
    gi_safetensors_index x = gi_calloc(1, sizeof *x);
    size_t plen = strlen(path) + 1;
    char *text = NULL;
    size_t len = 0;
    gi_status st = GI_OK;
    if (x == NULL || (x->path = gi_malloc(plen)) == NULL)
        st = gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot allocate the index "
                     "handle");
    else
        memcpy(x->path, path, plen);
    if (st == GI_OK)
        st = read_index(path, &text, &len, fn);
    if (st == GI_OK) {
        json_error_t err;
        x->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
        if (x->root == NULL)
            st = gi_fail(GI_ERR_FORMAT, fn, "'%s' is not valid JSON: %s (at "
                         "byte %d)", path, err.text, err.position);
    }
    free(text);
    if (st == GI_OK)
        st = check_fields(x, fn);
    if (st == GI_OK)
        st = list_entries(x, fn);
    if (st != GI_OK) {
        gi_safetensors_index_close(x);
        return st;
    }
    *out = x;
    return GI_OK;
}

gi_status gi_safetensors_index_open(gi_safetensors_index *out,
                                    const char *path)
{
    return index_open(out, path, "gi_safetensors_index_open");
}

void gi_safetensors_index_close(gi_safetensors_index x)
{
    if (x == NULL)
        return;
    for (int64_t i = 0; x->paths != NULL && i < x->n; ++i)
        free(x->paths[i]);
    free(x->paths);
    free(x->names);
    json_decref(x->root);
    free(x->path);
    free(x);
}

int64_t gi_safetensors_index_count(gi_safetensors_index x)
{
    return x == NULL ? 0 : x->n;
}

const char *gi_safetensors_index_name(gi_safetensors_index x, int64_t i)
{
    return x == NULL || i < 0 || i >= x->n ? NULL : x->names[i];
}

/* The entry of name, or -1. */
static int64_t index_find(gi_safetensors_index x, const char *name)
{
    for (int64_t i = 0; i < x->n; ++i)
        if (strcmp(x->names[i], name) == 0)
            return i;
    return -1;
}

const char *gi_safetensors_index_file(gi_safetensors_index x,
                                      const char *name)
{
    if (x == NULL || name == NULL)
        return NULL;
    int64_t i = index_find(x, name);
    return i < 0 ? NULL : x->paths[i];
}

/* ---- loading through an index ------------------------------------------ */

/* The files a load reads, each opened once, and which one each of the
 * asked tensors is in. */
typedef struct index_load {
    int64_t nfiles;
    gi_safetensors *files;
    const char **paths;  /* the files' paths, as the index has them */
    int64_t *file_of;    /* per asked tensor: its file's slot */
    const char **names;  /* the asked names, grouped by file */
    gi_tensor *tensors;
} index_load;

static void release_load(index_load *l)
{
    for (int64_t k = 0; l->files != NULL && k < l->nfiles; ++k)
        gi_safetensors_close(l->files[k]);
    free(l->files);
    free(l->paths);
    free(l->file_of);
    free(l->names);
    free(l->tensors);
}

/* Opens the file of every asked name (each file once). */
static gi_status open_files(gi_safetensors_index x, int64_t n,
                            const char *const *names, index_load *l,
                            const char *fn)
{
    size_t room = n > 0 ? (size_t)n : 1;
    l->files = gi_calloc(room, sizeof *l->files);
    l->paths = gi_calloc(room, sizeof *l->paths);
    l->file_of = gi_calloc(room, sizeof *l->file_of);
    l->names = gi_calloc(room, sizeof *l->names);
    l->tensors = gi_calloc(room, sizeof *l->tensors);
    if (l->files == NULL || l->paths == NULL || l->file_of == NULL ||
        l->names == NULL || l->tensors == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot plan the load of "
                       "%lld tensors", (long long)n);
    for (int64_t i = 0; i < n; ++i) {
        if (names[i] == NULL)
            return gi_fail(GI_ERR_NULL_ARGUMENT, fn, "names[%lld] is NULL",
                           (long long)i);
        int64_t e = index_find(x, names[i]);
        if (e < 0)
            return gi_fail(GI_ERR_INVALID_ARGUMENT, fn, "'%s' has no tensor "
                           "named '%s'", x->path, names[i]);
        int64_t k = 0;
        while (k < l->nfiles && strcmp(l->paths[k], x->paths[e]) != 0)
            ++k;
        if (k == l->nfiles) {
            gi_status st = gi_st_open(&l->files[k], x->paths[e], fn);
            if (st != GI_OK)
                return st;
            l->paths[l->nfiles++] = x->paths[e];
        }
        l->file_of[i] = k;
    }
    return GI_OK;
}

/* The asked tensors of file k, in order, into l->names and l->tensors. */
static int64_t group(const index_load *l, int64_t n, const char *const *names,
                     const gi_tensor *tensors, int64_t k)
{
    int64_t m = 0;
    for (int64_t i = 0; i < n; ++i)
        if (l->file_of[i] == k) {
            l->names[m] = names[i];
            l->tensors[m++] = tensors[i];
        }
    return m;
}

static gi_status load_through(gi_safetensors_index x, int64_t n,
                              const char *const *names,
                              const gi_tensor *tensors, const char *fn)
{
    index_load l;
    memset(&l, 0, sizeof l);
    gi_status st = open_files(x, n, names, &l, fn);
    /* Every file's every target is checked before any is written. */
    for (int64_t k = 0; k < l.nfiles && st == GI_OK; ++k) {
        int64_t m = group(&l, n, names, tensors, k);
        st = gi_st_check_into(l.files[k], m, l.names, l.tensors, fn);
    }
    for (int64_t k = 0; k < l.nfiles && st == GI_OK; ++k) {
        int64_t m = group(&l, n, names, tensors, k);
        st = gi_st_load_into(l.files[k], m, l.names, l.tensors, fn);
    }
    release_load(&l);
    return st;
}

gi_status gi_load_safetensors_index(const char *index_path, int64_t n,
                                    const char *const *names,
                                    const gi_tensor *tensors)
{
    static const char *const fn = "gi_load_safetensors_index";
    if (n < 0)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn, "argument 'n' must be "
                       ">= 0, got %lld", (long long)n);
    if (n > 0) {
        GI_CHECK_NULL(names, fn);
        GI_CHECK_NULL(tensors, fn);
    }
    gi_safetensors_index x = NULL;
    gi_status st = index_open(&x, index_path, fn);
    if (st == GI_OK)
        st = load_through(x, n, names, tensors, fn);
    gi_safetensors_index_close(x);
    return st;
}

/* strict=True: the index names the tree's parameters and nothing else. */
static gi_status check_index_keys(gi_safetensors_index x,
                                  const gi_st_params *ps, const char *fn)
{
    char missing[192] = "", unexpected[192] = "";
    for (int64_t i = 0; i < ps->n; ++i)
        if (index_find(x, ps->names[i]) < 0)
            gi_st_list_key(missing, sizeof missing, ps->names[i]);
    for (int64_t k = 0; k < x->n; ++k) {
        int64_t i = 0;
        while (i < ps->n && strcmp(ps->names[i], x->names[k]) != 0)
            ++i;
        if (i == ps->n)
            gi_st_list_key(unexpected, sizeof unexpected, x->names[k]);
    }
    if (missing[0] == '\0' && unexpected[0] == '\0')
        return GI_OK;
    return gi_fail(GI_ERR_INVALID_ARGUMENT, fn, "'%s' does not match the "
                   "tree: missing key(s): %s; unexpected key(s): %s",
                   x->path, missing[0] ? missing : "none",
                   unexpected[0] ? unexpected : "none");
}

gi_status gi_module_load_safetensors_index(gi_module m,
                                           const char *index_path)
{
    static const char *const fn = "gi_module_load_safetensors_index";
    GI_CHECK_NULL(m, fn);
    gi_status st = gi_st_check_materialized(m, fn);
    gi_safetensors_index x = NULL;
    if (st == GI_OK)
        st = index_open(&x, index_path, fn);
    gi_st_params ps;
    if (st == GI_OK && (st = gi_st_collect_params(m, &ps, fn)) == GI_OK) {
        st = check_index_keys(x, &ps, fn);
        if (st == GI_OK)
            st = load_through(x, ps.n, (const char *const *)ps.names,
                              ps.tensors, fn);
        gi_st_release_params(&ps);
    }
    gi_safetensors_index_close(x);
    return st;
}
