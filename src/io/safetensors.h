/* Private parts of the safetensors layer: the opened file (st_read.c),
 * shared with the writer (st_write.c) and the module calls (st_module.c),
 * and the atomic file (atomic_file.c). */
#ifndef GINIT_SAFETENSORS_H
#define GINIT_SAFETENSORS_H

#include <jansson.h>

#include "../core/internal.h"

/* The format stores little-endian bytes, and ginit moves tensor bytes
 * between memory and the file as they are. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ginit's safetensors support needs a little-endian host"
#endif

/* The specification's bound on the header's JSON (N). */
#define GI_ST_MAX_HEADER 100000000u

/* Device tensors go to and from the file through a host buffer of at most
 * this many bytes. */
#define GI_ST_STAGING ((size_t)4 << 20)

/* One tensor of the header. */
typedef struct gi_st_entry {
    const char *name;    /* borrowed from the header's JSON */
    const char *code;    /* the file's dtype, "F32" */
    int dtype;           /* its gi_dtype, or -1 where ginit has none */
    int ndim;            /* may exceed GI_MAX_DIMS (then shape is unset) */
    int64_t shape[GI_MAX_DIMS];
    uint64_t begin, end; /* data_offsets: from the first byte of data */
} gi_st_entry;

struct gi_safetensors_st {
    int fd;
    char *path;            /* for messages */
    json_t *header;        /* owns every string the handle lends */
    json_t *meta;          /* the header's __metadata__, or NULL */
    uint64_t data_start;   /* 8 + N */
    uint64_t file_size;    /* as validated */
    int64_t n;
    gi_st_entry *entries;  /* in the order of their data */
    gi_st_entry **byname;  /* the entries sorted by name */
};

/* gi_safetensors_open with messages naming fn. */
gi_status gi_st_open(gi_safetensors *out, const char *path, const char *fn);

/* The index of the tensor called name, or -1. */
int64_t gi_st_find(gi_safetensors f, const char *name);

/* gi_safetensors_load_into with messages naming fn. */
gi_status gi_st_load_into(gi_safetensors f, int64_t n,
                          const char *const *names, const gi_tensor *tensors,
                          const char *fn);

/* gi_st_load_into's checks alone: every name, dtype and shape, and the
 * file still the one opened; nothing is read. */
gi_status gi_st_check_into(gi_safetensors f, int64_t n,
                           const char *const *names, const gi_tensor *tensors,
                           const char *fn);

/* A tree's parameters, for the module calls (st_module.c, st_index.c):
 * names (copies) and tensors, in named_parameters order. */
typedef struct gi_st_params {
    int64_t n, cap;
    char **names;
    gi_tensor *tensors;
} gi_st_params;

gi_status gi_st_collect_params(gi_module m, gi_st_params *ps, const char *fn);
void gi_st_release_params(gi_st_params *ps);
/* GI_ERR_STATE, naming it, when a LazyLinear of the tree has not run. */
gi_status gi_st_check_materialized(gi_module m, const char *fn);
/* Appends "\"name\"" to a message's key list, ", "-separated, as room
 * allows. */
void gi_st_list_key(char *buf, size_t cap, const char *name);

/* gi_save_safetensors with messages naming fn. */
gi_status gi_st_save(const char *path, int64_t n, const char *const *names,
                     const gi_tensor *tensors, int64_t nmeta,
                     const gi_metadata *meta, const char *fn);

/* A host buffer for device tensors among tensors[0..n): GI_ST_STAGING
 * bytes or the largest device tensor's, if smaller; NULL (and GI_OK)
 * when all are on the CPU. */
gi_status gi_st_staging(const gi_tensor *tensors, int64_t n, void **out,
                        size_t *bytes, const char *fn);

/* Whether t's elements are host memory (its context is the CPU's). */
int gi_st_on_host(gi_tensor t);

/* A file written under a temporary name in the final one's directory and
 * renamed over it once complete and on disk, so that the final name only
 * ever holds a whole file: the old one or the new one. */
typedef struct gi_atomic_file {
    int fd;
    int created; /* the temporary file exists: abort removes it */
    char *final_path;
    char *temp_path;
    char *dir_path;
} gi_atomic_file;

/* Creates the temporary file (mode 0666 less the umask, as fopen). */
gi_status gi_atomic_open(gi_atomic_file *af, const char *path,
                         const char *fn);
/* Writes all of buf[0..n). */
gi_status gi_atomic_write(gi_atomic_file *af, const void *buf, size_t n,
                          const char *fn);
/* fsyncs the file, renames it over the final name, fsyncs the directory,
 * and releases af. A failure before the rename removes the temporary
 * file; after it (the directory's fsync), the new file is in place. */
gi_status gi_atomic_commit(gi_atomic_file *af, const char *fn);
/* Removes the temporary file and releases af. */
void gi_atomic_abort(gi_atomic_file *af);

#endif
