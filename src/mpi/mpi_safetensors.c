/* safetensors files written and read by every rank together: one file
 * through MPI-IO (the lowest rank writes the header, each rank its
 * shards' bytes at their global offsets), Hugging Face's sharded
 * checkpoints (several such files and an index), and the loads, where
 * each rank reads only its shards (gi_safetensors_load_into). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mpi_bytes.h"
#include "mpi_internal.h"

/* The index file of a sharded checkpoint. */
#define INDEX_NAME "model.safetensors.index.json"

/* MPI-IO counts are ints: runs are written in pieces of at most this. */
#define WRITE_CHUNK ((size_t)1 << 30)

/* ---- small helpers ------------------------------------------------------ */

/* A failure a libginit call recorded under its own name, restated under
 * fn: "fn: <its message without its function's name>". */
static gi_status restate(gi_status st, const char *fn)
{
    if (st == GI_OK)
        return st;
    char text[512];
    snprintf(text, sizeof text, "%s", gi_last_error());
    const char *rest = text, *colon = strstr(text, ": ");
    if (strncmp(text, "gi_", 3) == 0 && colon != NULL &&
        memchr(text, ' ', (size_t)(colon - text)) == NULL)
        rest = colon + 2;
    return gi_set_error(st, "%s: %s", fn, rest);
}

static gi_status no_memory(const char *what, const char *fn)
{
    return gi_set_error(GI_ERR_OUT_OF_MEMORY, "%s: cannot allocate %s", fn,
                        what);
}

static gi_status io_error(const char *path, const char *step, int err,
                          const char *fn)
{
    return gi_set_error(GI_ERR_IO, "%s: '%s': %s: %s", fn, path, step,
                        strerror(err));
}

static gi_status mpi_io_error(const char *path, const char *step, int rc,
                              const char *fn)
{
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    return gi_set_error(GI_ERR_IO, "%s: '%s': %s: %.*s", fn, path, step, len,
                        text);
}

static size_t elem_size(gi_dtype dtype)
{
#define GI_MPI_DTYPE_SIZE_(name, value, text, torch, size, code)              \
    case name:                                                                \
        return size;
    switch (dtype) {
        GI_DTYPE_LIST(GI_MPI_DTYPE_SIZE_)
    }
#undef GI_MPI_DTYPE_SIZE_
    return 0;
}

static int comm_rank(MPI_Comm comm)
{
    int r = 0;
    MPI_Comm_rank(comm, &r);
    return r;
}

/* A digest of n strings (each with its NUL), for gi_mpi_agree_same. */
static uint64_t digest_strings(int64_t n, const char *const *s, size_t step)
{
    uint64_t h = GI_MPI_FNV_START;
    for (int64_t i = 0; i < n; ++i) {
        const char *one = *(const char *const *)((const char *)s +
                                                 (size_t)i * step);
        h = gi_mpi_digest(h, one, strlen(one) + 1);
    }
    return h;
}

/* The arguments that must agree: path (the argument path_arg), n, the
 * names, the metadata (meta not NULL). A rank that failed already takes
 * part. */
static gi_status agree_arguments(MPI_Comm comm, gi_status st,
                                 const char *path, const char *path_arg,
                                 int64_t n, const char *const *names,
                                 int64_t nmeta, const gi_metadata *meta,
                                 const char *fn)
{
    const int ok = st == GI_OK;
    uint64_t h[3] = {0, 0, 0};
    if (ok) {
        h[0] = digest_strings(n, names, sizeof *names);
        h[1] = digest_strings(nmeta, &meta->key, sizeof *meta);
        h[2] = digest_strings(nmeta, &meta->value, sizeof *meta);
    }
    st = gi_mpi_agree_same(comm, st, ok ? path : "", ok ? strlen(path) : 0,
                           path_arg, fn);
    if (st == GI_OK)
        st = gi_mpi_agree_same(comm, st, &n, sizeof n, "n", fn);
    if (st == GI_OK)
        st = gi_mpi_agree_same(comm, st, &h[0], sizeof h[0], "names", fn);
    if (st == GI_OK)
        st = gi_mpi_agree_same(comm, st, &h[1], 2 * sizeof h[1], "meta",
                               fn);
    return st;
}

/* path (the argument path_arg), n, names[i] and tensors[i], nmeta and
 * meta's strings (when meta_too): this rank's own checks. */
static gi_status check_lists(const char *path, const char *path_arg,
                             int64_t n, const char *const *names,
                             const gi_tensor *tensors, int64_t nmeta,
                             const gi_metadata *meta, int meta_too,
                             const char *fn)
{
    if (path == NULL)
        return gi_set_error(GI_ERR_NULL_ARGUMENT, "%s: argument '%s' is "
                            "NULL", fn, path_arg);
    if (path[0] == '\0')
        return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: argument '%s' is "
                            "empty", fn, path_arg);
    if (n < 0 || (meta_too && nmeta < 0))
        return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: argument '%s' "
                            "must be >= 0, got %lld", fn, n < 0 ? "n"
                            : "nmeta", (long long)(n < 0 ? n : nmeta));
    if (n > 0 && (names == NULL || tensors == NULL))
        return gi_set_error(GI_ERR_NULL_ARGUMENT, "%s: argument '%s' is "
                            "NULL with n %lld", fn, names == NULL ? "names"
                            : "tensors", (long long)n);
    if (meta_too && nmeta > 0 && meta == NULL)
        return gi_set_error(GI_ERR_NULL_ARGUMENT, "%s: argument 'meta' is "
                            "NULL with nmeta %lld", fn, (long long)nmeta);
    for (int64_t i = 0; i < n; ++i)
        if (names[i] == NULL || tensors[i] == NULL)
            return gi_set_error(GI_ERR_NULL_ARGUMENT, "%s: %s[%lld] is NULL",
                                fn, names[i] == NULL ? "names" : "tensors",
                                (long long)i);
    for (int64_t i = 0; meta_too && i < nmeta; ++i)
        if (meta[i].key == NULL || meta[i].value == NULL)
            return gi_set_error(GI_ERR_NULL_ARGUMENT, "%s: meta[%lld].%s is "
                                "NULL", fn, (long long)i,
                                meta[i].key == NULL ? "key" : "value");
    return GI_OK;
}

/* The directory part of path ("." without one) into buf. */
static void directory_of(const char *path, char *buf, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(buf, cap, ".");
    else
        snprintf(buf, cap, "%.*s", slash == path ? 1 : (int)(slash - path),
                 path);
}

/* ---- one file, atomically: rank 0's part -------------------------------- */
/* (libginit's own atomic file is private to it; these are its steps for
 * a file that every rank writes.) */

static atomic_uint_fast64_t serial;

/* Creates path's temporary sibling (mode 0666 less the umask, as fopen)
 * into temp (room for path and 48 more characters). */
static gi_status create_temp(const char *path, char *temp, const char *fn)
{
    size_t len = strlen(path);
    memcpy(temp, path, len);
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 100; ++tries) {
        snprintf(temp + len, 49, ".tmp.%ld.%llu", (long)getpid(),
                 (unsigned long long)++serial);
        fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0)
        return io_error(path, "cannot create the temporary file", errno, fn);
    close(fd);
    return GI_OK;
}

/* Renames the synced temp over path and syncs the directory; removes
 * temp when the rename fails. */
static gi_status commit_temp(const char *temp, const char *path,
                             const char *fn)
{
    if (rename(temp, path) != 0) {
        gi_status st = io_error(path, "rename from the temporary file",
                                errno, fn);
        unlink(temp);
        return st;
    }
    char dir[PATH_MAX];
    directory_of(path, dir, sizeof dir);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    gi_status st = GI_OK;
    if (fd < 0 || fsync(fd) != 0)
        st = gi_set_error(GI_ERR_IO, "%s: '%s' is in place, but fsync of "
                          "its directory '%s' failed: %s", fn, path, dir,
                          strerror(errno));
    if (fd >= 0)
        close(fd);
    return st;
}

/* Writes buf[0..n) into a new file at path, atomically (rank 0 alone:
 * the index). */
static gi_status write_whole_file(const char *path, const char *buf,
                                  size_t n, const char *fn)
{
    char *temp = malloc(strlen(path) + 49);
    if (temp == NULL)
        return no_memory("a file name", fn);
    gi_status st = create_temp(path, temp, fn);
    const int created = st == GI_OK;
    int fd = created ? open(temp, O_WRONLY | O_CLOEXEC) : -1;
    if (st == GI_OK && fd < 0)
        st = io_error(temp, "open", errno, fn);
    for (size_t done = 0; st == GI_OK && done < n;) {
        ssize_t put = write(fd, buf + done, n - done);
        if (put < 0 && errno != EINTR)
            st = io_error(path, "write", errno, fn);
        done += put > 0 ? (size_t)put : 0;
    }
    if (st == GI_OK && fsync(fd) != 0)
        st = io_error(path, "fsync", errno, fn);
    if (fd >= 0 && close(fd) != 0 && st == GI_OK)
        st = io_error(path, "close", errno, fn);
    if (st == GI_OK)
        st = commit_temp(temp, path, fn);
    else if (created)
        unlink(temp);
    free(temp);
    return st;
}

/* ---- one file, every rank's bytes --------------------------------------- */

/* What a save knows of each tensor: this rank's piece, whether every
 * rank holds it whole, and its global form for the header. */
typedef struct st_item {
    gi_mpi_piece piece;
    int replicated;
    gi_safetensors_entry entry;
} st_item;

/* The pieces of every tensor, gathered and checked to tile them. */
static gi_status gather_items(MPI_Comm comm, gi_status st, int64_t n,
                              const char *const *names,
                              const gi_tensor *tensors, st_item **out,
                              const char *fn)
{
    st_item *items = calloc(n > 0 ? (size_t)n : 1, sizeof *items);
    if (st == GI_OK && items == NULL)
        st = no_memory("the list of tensors", fn);
    st = gi_mpi_agree(comm, st, fn);
    const int rank = comm_rank(comm);
    for (int64_t i = 0; i < n && st == GI_OK; ++i) {
        gi_mpi_piece *all = NULL;
        if ((st = gi_mpi_gather_pieces(comm, GI_OK, tensors[i], &all,
                                       &items[i].replicated, fn)) != GI_OK)
            break;
        items[i].piece = all[rank];
        items[i].entry.name = names[i];
        items[i].entry.dtype = (gi_dtype)all[0].dtype;
        items[i].entry.ndim = all[0].ndim;
        items[i].entry.shape = all[0].ndim > 0 ? items[i].piece.global_shape
                                               : NULL;
        free(all);
    }
    if (st != GI_OK) {
        free(items);
        return st;
    }
    *out = items;
    return GI_OK;
}

/* The header of the whole tensors' file, computed alike on every rank,
 * and each tensor's data offset (n + 1 of them). */
static gi_status make_header(int64_t n, const st_item *items, int64_t nmeta,
                             const gi_metadata *meta, char **header,
                             size_t *size, uint64_t **offsets,
                             const char *fn)
{
    gi_safetensors_entry *entries = malloc((size_t)(n + 1) * sizeof *entries);
    *offsets = malloc((size_t)(n + 1) * sizeof **offsets);
    *header = NULL;
    gi_status st = entries != NULL && *offsets != NULL
                       ? GI_OK : no_memory("the header's entries", fn);
    for (int64_t i = 0; i < n && st == GI_OK; ++i)
        entries[i] = items[i].entry;
    if (st == GI_OK)
        st = restate(gi_safetensors_header(n, entries, nmeta, meta, NULL, 0,
                                           size, NULL), fn);
    if (st == GI_OK && (*header = malloc(*size)) == NULL)
        st = no_memory("the header", fn);
    if (st == GI_OK)
        st = restate(gi_safetensors_header(n, entries, nmeta, meta, *header,
                                           *size, size, *offsets), fn);
    free(entries);
    return st;
}

/* The bytes of tensor it's global data. */
static uint64_t data_bytes(const st_item *it)
{
    uint64_t n = elem_size(it->entry.dtype);
    for (int d = 0; d < it->entry.ndim; ++d)
        n *= (uint64_t)it->entry.shape[d];
    return n;
}

/* Where a rank's runs of one tensor go. */
typedef struct run_sink {
    MPI_File fh;
    const char *path, *fn;
    const char *data;    /* the shard's bytes on the host */
    MPI_Offset at;       /* the tensor's first byte in the file */
    size_t elem;
    gi_status st;
} run_sink;

static gi_status write_at(MPI_File fh, MPI_Offset at, const char *p,
                          size_t bytes, const char *path, const char *fn)
{
    for (size_t done = 0; done < bytes; done += WRITE_CHUNK) {
        size_t chunk = bytes - done < WRITE_CHUNK ? bytes - done
                                                  : WRITE_CHUNK;
        MPI_Status status;
        int rc = MPI_File_write_at(fh, at + (MPI_Offset)done, p + done,
                                   (int)chunk, MPI_BYTE, &status);
        if (rc != MPI_SUCCESS)
            return mpi_io_error(path, "write", rc, fn);
    }
    return GI_OK;
}

static int write_run(int64_t global_first, int64_t local_first,
                     int64_t count, void *user)
{
    run_sink *s = user;
    s->st = write_at(s->fh, s->at + (MPI_Offset)global_first *
                     (MPI_Offset)s->elem, s->data + (size_t)local_first *
                     s->elem, (size_t)count * s->elem, s->path, s->fn);
    return s->st != GI_OK;
}

/* t's bytes in host memory at *data (gi_mpi_host_bytes), failures
 * restated under fn. */
static gi_status host_data(gi_tensor t, void **buf, size_t *cap,
                           const char **data, const char *fn)
{
    const unsigned char *p = NULL;
    gi_status st = gi_mpi_host_bytes(t, buf, cap, &p, fn);
    *data = (const char *)p;
    return restate(st, fn);
}

/* This rank's bytes of tensor t at the file's offset s->at, a write per
 * run (independent). */
static gi_status write_runs(run_sink *s, gi_tensor t, const st_item *it,
                            void **buf, size_t *cap)
{
    size_t bytes = (size_t)it->piece.numel * s->elem;
    if (bytes == 0)
        return GI_OK;
    gi_status st = host_data(t, buf, cap, &s->data, s->fn);
    if (st == GI_OK)
        gi_mpi_piece_runs(&it->piece, write_run, s);
    return st != GI_OK ? st : s->st;
}

/* The runs of a piece as a file type: their byte spans from the
 * tensor's first byte. */
typedef struct run_list {
    int64_t n;
    int *len;
    MPI_Aint *at;
    size_t elem;
} run_list;

static int count_run(int64_t global_first, int64_t local_first,
                     int64_t count, void *user)
{
    (void)global_first, (void)local_first, (void)count;
    ((run_list *)user)->n++;
    return 0;
}

static int list_run(int64_t global_first, int64_t local_first,
                    int64_t count, void *user)
{
    run_list *r = user;
    (void)local_first;
    r->len[r->n] = (int)((size_t)count * r->elem);
    r->at[r->n++] = (MPI_Aint)((size_t)global_first * r->elem);
    return 0;
}

static gi_status runs_type(const gi_mpi_piece *p, size_t elem,
                           MPI_Datatype *out, const char *fn)
{
    run_list r = {0, NULL, NULL, elem};
    gi_mpi_piece_runs(p, count_run, &r);
    r.len = malloc((size_t)r.n * sizeof *r.len);
    r.at = malloc((size_t)r.n * sizeof *r.at);
    gi_status st = r.len != NULL && r.at != NULL
                       ? GI_OK : no_memory("the list of a shard's runs", fn);
    if (st == GI_OK) {
        r.n = 0;
        gi_mpi_piece_runs(p, list_run, &r);
        MPI_Type_create_hindexed((int)r.n, r.len, r.at, MPI_BYTE, out);
        MPI_Type_commit(out);
    }
    free(r.len);
    free(r.at);
    return st;
}

/* Tensor t's bytes from every rank in one collective write (MPI-IO can
 * then merge the ranks' runs into large writes): a file view of this
 * rank's runs. A rank with nothing to write, or that failed before
 * (st), still takes part with none. */
static gi_status write_all_ranks(run_sink *s, gi_status st, gi_tensor t,
                                 const st_item *it, void **buf, size_t *cap)
{
    size_t bytes = (size_t)it->piece.numel * s->elem;
    MPI_Datatype view = MPI_BYTE;
    if (st == GI_OK && bytes > 0)
        st = host_data(t, buf, cap, &s->data, s->fn);
    if (st == GI_OK && bytes > 0)
        st = runs_type(&it->piece, s->elem, &view, s->fn);
    if (st != GI_OK)
        bytes = 0;
    int rc = MPI_File_set_view(s->fh, s->at, MPI_BYTE, view, "native",
                               MPI_INFO_NULL);
    MPI_Status status;
    int wrc = MPI_File_write_all(s->fh, bytes > 0 ? s->data : NULL,
                                 (int)bytes, MPI_BYTE, &status);
    if (view != MPI_BYTE)
        MPI_Type_free(&view);
    if (st == GI_OK && rc != MPI_SUCCESS)
        st = mpi_io_error(s->path, "MPI_File_set_view", rc, s->fn);
    if (st == GI_OK && wrc != MPI_SUCCESS)
        st = mpi_io_error(s->path, "MPI_File_write_all", wrc, s->fn);
    return st;
}

/* Whether every rank writes tensor it in one collective call: a shard
 * whose bytes fit MPI's int counts (the same answer on every rank). */
static int collective(const st_item *it)
{
    return !it->replicated && data_bytes(it) <= (uint64_t)INT_MAX;
}

/* The header (rank 0) and every rank's bytes into the open file: first
 * the independent writes (the header, replicated tensors by rank 0,
 * shards too large for one collective call), then, under file views,
 * one collective write per other shard, which every rank joins. */
static gi_status write_contents(MPI_File fh, const char *path, int64_t n,
                                const gi_tensor *tensors,
                                const st_item *items, const char *header,
                                size_t size, const uint64_t *offsets,
                                int rank, const char *fn)
{
    gi_status st = GI_OK;
    if (rank == 0)
        st = write_at(fh, 0, header, size, path, fn);
    void *buf = NULL;
    size_t cap = 0;
    for (int64_t i = 0; i < n && st == GI_OK; ++i) {
        run_sink s = {fh, path, fn, NULL, (MPI_Offset)(size + offsets[i]),
                      elem_size(items[i].entry.dtype), GI_OK};
        if (!collective(&items[i]) && (!items[i].replicated || rank == 0))
            st = write_runs(&s, tensors[i], &items[i], &buf, &cap);
    }
    for (int64_t i = 0; i < n; ++i) {
        run_sink s = {fh, path, fn, NULL, (MPI_Offset)(size + offsets[i]),
                      elem_size(items[i].entry.dtype), GI_OK};
        if (collective(&items[i]))
            st = write_all_ranks(&s, st, tensors[i], &items[i], &buf, &cap);
    }
    free(buf);
    return st;
}

/* Rank 0's temporary file, its name sent to every rank into temp. */
static gi_status share_temp(MPI_Comm comm, const char *path, char *temp,
                            const char *fn)
{
    const int len = (int)strlen(path) + 49;
    gi_status st = GI_OK;
    if (comm_rank(comm) == 0)
        st = create_temp(path, temp, fn);
    else
        temp[0] = '\0';
    MPI_Bcast(temp, len, MPI_CHAR, 0, comm);
    temp[len - 1] = '\0';
    return gi_mpi_agree(comm, st, fn);
}

/* The file's bytes from every rank, synced; the outcome agreed. */
static gi_status write_collective(MPI_Comm comm, const char *path,
                                  const char *temp, int64_t n,
                                  const gi_tensor *tensors,
                                  const st_item *items, const char *header,
                                  size_t size, const uint64_t *offsets,
                                  const char *fn)
{
    MPI_File fh;
    int rc = MPI_File_open(comm, temp, MPI_MODE_WRONLY, MPI_INFO_NULL, &fh);
    gi_status st = rc == MPI_SUCCESS ? GI_OK
                                     : mpi_io_error(path, "MPI_File_open",
                                                    rc, fn);
    /* MPI_File_open is collective: it fails on every rank or none. */
    st = gi_mpi_agree(comm, st, fn);
    if (st != GI_OK)
        return st;
    st = write_contents(fh, path, n, tensors, items, header, size, offsets,
                        comm_rank(comm), fn);
    rc = MPI_File_sync(fh);
    if (st == GI_OK && rc != MPI_SUCCESS)
        st = mpi_io_error(path, "MPI_File_sync", rc, fn);
    rc = MPI_File_close(&fh);
    if (st == GI_OK && rc != MPI_SUCCESS)
        st = mpi_io_error(path, "MPI_File_close", rc, fn);
    return gi_mpi_agree(comm, st, fn);
}

/* One file of n tensors whose items are gathered: the header, the
 * temporary file, every rank's bytes, the rename; the outcome agreed. */
static gi_status write_file(MPI_Comm comm, const char *path, int64_t n,
                            const gi_tensor *tensors, const st_item *items,
                            int64_t nmeta, const gi_metadata *meta,
                            const char *fn)
{
    char *header = NULL, *temp = malloc(strlen(path) + 49);
    uint64_t *offsets = NULL;
    size_t size = 0;
    gi_status st = temp != NULL ? make_header(n, items, nmeta, meta, &header,
                                              &size, &offsets, fn)
                                : no_memory("a file name", fn);
    st = gi_mpi_agree(comm, st, fn);
    if (st == GI_OK)
        st = share_temp(comm, path, temp, fn);
    const int created = st == GI_OK;
    if (st == GI_OK)
        st = write_collective(comm, path, temp, n, tensors, items, header,
                              size, offsets, fn);
    if (comm_rank(comm) == 0 && created && st == GI_OK)
        st = commit_temp(temp, path, fn);
    else if (comm_rank(comm) == 0 && created)
        unlink(temp);
    st = gi_mpi_agree(comm, st, fn);
    free(temp);
    free(header);
    free(offsets);
    return st;
}

/* Every rank's own checks (after `st`, the outcome so far), then the
 * agreement on the arguments and the pieces: *items on success. */
static gi_status prepare_save(MPI_Comm comm, gi_status st, const char *path,
                              const char *path_arg, int64_t n,
                              const char *const *names,
                              const gi_tensor *tensors, int64_t nmeta,
                              const gi_metadata *meta, st_item **items,
                              const char *fn)
{
    if (st == GI_OK)
        st = check_lists(path, path_arg, n, names, tensors, nmeta, meta, 1,
                         fn);
    st = agree_arguments(comm, st, path, path_arg, n, names, nmeta,
                         meta != NULL ? meta : &(gi_metadata){"", ""}, fn);
    if (st != GI_OK)
        return st;
    return gather_items(comm, GI_OK, n, names, tensors, items, fn);
}

static gi_status save(MPI_Comm comm, gi_status st, const char *path,
                      int64_t n, const char *const *names,
                      const gi_tensor *tensors, int64_t nmeta,
                      const gi_metadata *meta, const char *fn)
{
    st_item *items = NULL;
    st = prepare_save(comm, st, path, "path", n, names, tensors, nmeta, meta,
                      &items, fn);
    if (st == GI_OK)
        st = write_file(comm, path, n, tensors, items, nmeta, meta, fn);
    free(items);
    return st;
}

gi_status gi_mpi_save_safetensors(const char *path, int64_t n,
                                  const char *const *names,
                                  const gi_tensor *tensors, int64_t nmeta,
                                  const gi_metadata *meta, MPI_Comm comm)
{
    static const char *const fn = "gi_mpi_save_safetensors";
    gi_status st = gi_mpi_comm_ok(comm, fn);
    return st != GI_OK ? st
                       : save(comm, GI_OK, path, n, names, tensors, nmeta,
                              meta, fn);
}

/* ---- a tree's parameters ------------------------------------------------ */

/* The tree's parameters: names (copies) and tensors, in walk order. */
typedef struct param_list {
    int64_t n, cap;
    char **names;
    gi_tensor *tensors;
} param_list;

static gi_status add_param(const char *name, gi_tensor p, void *user)
{
    param_list *ps = user;
    char *copy = ps->n < ps->cap ? malloc(strlen(name) + 1) : NULL;
    if (copy == NULL)
        return GI_ERR_OUT_OF_MEMORY;
    ps->names[ps->n] = strcpy(copy, name);
    ps->tensors[ps->n++] = p;
    return GI_OK;
}

static void release_params(param_list *ps)
{
    for (int64_t i = 0; i < ps->n; ++i)
        free(ps->names[i]);
    free(ps->names);
    free(ps->tensors);
    memset(ps, 0, sizeof *ps);
}

/* The first module under m whose parameters do not exist yet (a Linear
 * without its weight: a LazyLinear that has not run), its dotted path in
 * at (m's own path on entry); NULL when there is none. */
static gi_module find_lazy(gi_module m, char *at, size_t cap)
{
    if (gi_linear_in_features(m) == 0 && gi_module_weight(m) == NULL)
        return m;
    size_t len = strlen(at);
    for (int64_t i = 0; i < gi_module_num_children(m); ++i) {
        gi_module child = NULL, lazy = NULL;
        gi_module_child(m, i, &child);
        snprintf(at + len, cap - len, "%s%lld", len ? "." : "",
                 (long long)i);
        if ((lazy = find_lazy(child, at, cap)) != NULL)
            return lazy;
    }
    at[len] = '\0';
    return NULL;
}

/* m's parameters, or GI_ERR_STATE when one does not exist yet (as
 * gi_module_save_safetensors refuses it). */
static gi_status collect_params(gi_module m, param_list *ps, const char *fn)
{
    memset(ps, 0, sizeof *ps);
    if (m == NULL)
        return gi_set_error(GI_ERR_NULL_ARGUMENT, "%s: argument 'm' is NULL",
                            fn);
    char where[256] = "";
    gi_module lazy = find_lazy(m, where, sizeof where);
    if (lazy != NULL)
        return gi_set_error(GI_ERR_STATE, "%s: module %s is a %s that has "
                            "not run its first forward: its parameters do "
                            "not exist yet", fn, where[0] ? where : "<root>",
                            gi_module_kind_name(gi_module_kind_of(lazy)));
    ps->cap = gi_module_num_parameters(m);
    size_t room = ps->cap > 0 ? (size_t)ps->cap : 1;
    ps->names = calloc(room, sizeof *ps->names);
    ps->tensors = calloc(room, sizeof *ps->tensors);
    gi_status st = GI_ERR_OUT_OF_MEMORY;
    if (ps->names != NULL && ps->tensors != NULL)
        st = gi_module_named_parameters(m, add_param, ps);
    if (st != GI_OK) {
        release_params(ps);
        return st == GI_ERR_OUT_OF_MEMORY
                   ? no_memory("the list of parameters", fn)
                   : restate(st, fn);
    }
    return GI_OK;
}

gi_status gi_mpi_module_save_safetensors(gi_module m, const char *path,
                                         int64_t nmeta,
                                         const gi_metadata *meta,
                                         MPI_Comm comm)
{
    static const char *const fn = "gi_mpi_module_save_safetensors";
    gi_status st = gi_mpi_comm_ok(comm, fn);
    if (st != GI_OK)
        return st;
    param_list ps;
    st = collect_params(m, &ps, fn);
    st = save(comm, st, path, ps.n, (const char *const *)ps.names,
              ps.tensors, nmeta, meta, fn);
    release_params(&ps);
    return st;
}

/* ---- sharded checkpoints: several files and an index -------------------- */

/* The first tensor of each of count files (1 <= count <= n), first[count]
 * = n: file k starts at the first tensor whose data, in the order given,
 * starts at or after k / count of all the data bytes, moved where needed
 * so that every file holds at least one tensor. */
static void split_files(int64_t n, const st_item *items, int count,
                        int64_t *first)
{
    uint64_t total = 0;
    for (int64_t i = 0; i < n; ++i)
        total += data_bytes(&items[i]);
    const uint64_t q = total / (uint64_t)count, r = total % (uint64_t)count;
    int64_t i = 0;
    uint64_t before = 0; /* the data bytes of tensors [0, i) */
    first[0] = 0;
    for (int k = 1; k < count; ++k) {
        /* ceil(k * total / count), without overflow: r < count */
        uint64_t mark = k * q + ((uint64_t)k * r + (uint64_t)count - 1) /
                                    (uint64_t)count;
        while (i < n && before < mark)
            before += data_bytes(&items[i++]);
        int64_t at = i < n - (count - k) ? i : n - (count - k);
        first[k] = at > first[k - 1] ? at : first[k - 1] + 1;
    }
    first[count] = n;
}

/* dir/model-0000k-of-0000F.safetensors (k from 1) into buf, or just the
 * file name with dir NULL. */
static void file_name(char *buf, size_t cap, const char *dir, int k,
                      int count)
{
    snprintf(buf, cap, "%s%smodel-%05d-of-%05d.safetensors",
             dir != NULL ? dir : "", dir != NULL ? "/" : "", k, count);
}

/* The index's JSON text (malloc'd), as transformers writes it: sorted
 * keys, two-space indents, a final newline. */
static gi_status index_text(const char *const *names,
                            const st_item *items, const int64_t *first,
                            int count, char **out, const char *fn)
{
    json_t *root = json_object(), *md = json_object(), *map = json_object();
    uint64_t total = 0;
    int bad = root == NULL || md == NULL || map == NULL;
    for (int k = 0; k < count && !bad; ++k) {
        char name[64];
        file_name(name, sizeof name, NULL, k + 1, count);
        for (int64_t i = first[k]; i < first[k + 1] && !bad; ++i) {
            total += data_bytes(&items[i]);
            bad = json_object_set_new(map, names[i], json_string(name)) != 0;
        }
    }
    bad = bad || json_object_set_new(md, "total_size",
                                     json_integer((json_int_t)total)) != 0;
    bad = bad || json_object_set(root, "metadata", md) != 0 ||
          json_object_set(root, "weight_map", map) != 0;
    char *text = bad ? NULL : json_dumps(root, JSON_INDENT(2) |
                                                   JSON_SORT_KEYS);
    json_decref(root);
    json_decref(md);
    json_decref(map);
    size_t len = text != NULL ? strlen(text) : 0;
    *out = text != NULL ? realloc(text, len + 2) : NULL;
    if (*out == NULL) {
        free(text);
        return no_memory("the index", fn);
    }
    memcpy(*out + len, "\n", 2);
    return GI_OK;
}

/* The files, then rank 0's index, once every file is in place. */
static gi_status write_index(MPI_Comm comm, const char *dir, int64_t n,
                             const char *const *names,
                             const gi_tensor *tensors, const st_item *items,
                             int64_t nmeta, const gi_metadata *meta,
                             const char *fn)
{
    int size = 1;
    MPI_Comm_size(comm, &size);
    const int count = n < size ? (int)n : size;
    int64_t *first = malloc((size_t)(count + 1) * sizeof *first);
    char *path = malloc(strlen(dir) + 64);
    gi_status st = first != NULL && path != NULL
                       ? GI_OK : no_memory("the files' list", fn);
    st = gi_mpi_agree(comm, st, fn);
    if (st == GI_OK && count > 0)
        split_files(n, items, count, first);
    for (int k = 0; k < count && st == GI_OK; ++k) {
        file_name(path, strlen(dir) + 64, dir, k + 1, count);
        st = write_file(comm, path, first[k + 1] - first[k],
                        tensors + first[k], items + first[k], nmeta, meta,
                        fn);
    }
    if (st == GI_OK && comm_rank(comm) == 0) {
        char *text = NULL;
        snprintf(path, strlen(dir) + 64, "%s/%s", dir, INDEX_NAME);
        st = index_text(names, items, first, count, &text, fn);
        if (st == GI_OK)
            st = write_whole_file(path, text, strlen(text), fn);
        free(text);
    }
    st = gi_mpi_agree(comm, st, fn);
    free(first);
    free(path);
    return st;
}

static gi_status save_index(MPI_Comm comm, gi_status st, const char *dir,
                            int64_t n, const char *const *names,
                            const gi_tensor *tensors, int64_t nmeta,
                            const gi_metadata *meta, const char *fn)
{
    st_item *items = NULL;
    st = prepare_save(comm, st, dir, "dir", n, names, tensors, nmeta, meta,
                      &items, fn);
    if (st == GI_OK)
        st = write_index(comm, dir, n, names, tensors, items, nmeta, meta,
                         fn);
    free(items);
    return st;
}

gi_status gi_mpi_save_safetensors_index(const char *dir, int64_t n,
                                        const char *const *names,
                                        const gi_tensor *tensors,
                                        int64_t nmeta,
                                        const gi_metadata *meta,
                                        MPI_Comm comm)
{
    static const char *const fn = "gi_mpi_save_safetensors_index";
    gi_status st = gi_mpi_comm_ok(comm, fn);
    return st != GI_OK ? st
                       : save_index(comm, GI_OK, dir, n, names, tensors,
                                    nmeta, meta, fn);
}

gi_status gi_mpi_module_save_safetensors_index(gi_module m, const char *dir,
                                               int64_t nmeta,
                                               const gi_metadata *meta,
                                               MPI_Comm comm)
{
    static const char *const fn = "gi_mpi_module_save_safetensors_index";
    gi_status st = gi_mpi_comm_ok(comm, fn);
    if (st != GI_OK)
        return st;
    param_list ps;
    st = collect_params(m, &ps, fn);
    st = save_index(comm, st, dir, ps.n, (const char *const *)ps.names,
                    ps.tensors, nmeta, meta, fn);
    release_params(&ps);
    return st;
}

/* ---- strict keys -------------------------------------------------------- */

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends "\"name\"" to a message list, ", "-separated, as room allows. */
static void list_key(char *buf, size_t cap, const char *name)
{
    size_t used = strlen(buf);
    if (used + 1 < cap)
        snprintf(buf + used, cap - used, "%s\"%s\"", used ? ", " : "", name);
}

/* The entries of a[0..na) that are not in sorted[0..nb), listed. */
static void list_absent(int64_t na, const char *const *a, int64_t nb,
                        const char **sorted, char *buf, size_t cap)
{
    for (int64_t i = 0; i < na; ++i)
        if (bsearch(&a[i], sorted, (size_t)nb, sizeof *sorted,
                    by_string) == NULL)
            list_key(buf, cap, a[i]);
}

/* strict=True: names[0..n) are exactly keys[0..m) (sorted here). */
static gi_status check_keys(int64_t n, const char *const *names, int64_t m,
                            const char **keys, const char *where,
                            const char *fn)
{
    const char **sorted = malloc((size_t)(n > 0 ? n : 1) * sizeof *sorted);
    if (sorted == NULL)
        return no_memory("the key check", fn);
    if (n > 0)
        memcpy(sorted, names, (size_t)n * sizeof *sorted);
    qsort(sorted, (size_t)n, sizeof *sorted, by_string);
    qsort(keys, (size_t)m, sizeof *keys, by_string);
    char missing[192] = "", unexpected[192] = "";
    list_absent(n, names, m, keys, missing, sizeof missing);
    list_absent(m, keys, n, sorted, unexpected, sizeof unexpected);
    free(sorted);
    if (missing[0] == '\0' && unexpected[0] == '\0')
        return GI_OK;
    return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: '%s' does not match "
                        "the tree: missing key(s): %s; unexpected key(s): "
                        "%s", fn, where, missing[0] ? missing : "none",
                        unexpected[0] ? unexpected : "none");
}

/* ---- loads -------------------------------------------------------------- */

static int same_shape(int na, const int64_t *a, int nb, const int64_t *b)
{
    return na == nb && (na == 0 || memcmp(a, b, (size_t)na * sizeof *a) == 0);
}

/* Whether t can take the file's tensor name, as gi_safetensors_load_into
 * will take it (its dtype; t's own shape or, for a shard, its global
 * one), checked here so that every rank knows before any rank reads. */
static gi_status check_target(gi_safetensors f, const char *path,
                              const char *name, gi_tensor t, int64_t i,
                              const char *fn)
{
    gi_dtype dtype = GI_F32;
    int ndim = 0;
    int64_t shape[GI_MAX_DIMS];
    gi_status st = restate(gi_safetensors_info(f, name, &dtype, &ndim,
                                               shape), fn);
    if (st != GI_OK)
        return st;
    if (dtype != gi_tensor_dtype(t))
        return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: '%s': tensor '%s' "
                            "is %s in the file but tensors[%lld] is %s", fn,
                            path, name, gi_dtype_name(dtype), (long long)i,
                            gi_dtype_name(gi_tensor_dtype(t)));
    gi_shard_info info;
    gi_tensor_shard_info(t, &info);
    if (same_shape(ndim, shape, gi_tensor_ndim(t), gi_tensor_shape(t)) ||
        same_shape(ndim, shape, info.global_ndim, info.global_shape))
        return GI_OK;
    char file[GI_MAX_DIMS * 22 + 3], own[sizeof file], global[sizeof file];
    return gi_set_error(GI_ERR_SHAPE, "%s: '%s': tensor '%s' has shape %s in "
                        "the file, but tensors[%lld] has %s and the global "
                        "shape %s", fn, path, name,
                        gi_mpi_shape_text(file, sizeof file, ndim, shape),
                        (long long)i,
                        gi_mpi_shape_text(own, sizeof own, gi_tensor_ndim(t),
                                   gi_tensor_shape(t)),
                        gi_mpi_shape_text(global, sizeof global, info.global_ndim,
                                   info.global_shape));
}

/* Checks that the open file f (at path) can fill the tensors of
 * idx[0..count) (indices into names and tensors); nothing read yet. */
static gi_status check_targets(gi_safetensors f, const char *path,
                               const int64_t *idx, int64_t count,
                               const char *const *names,
                               const gi_tensor *tensors, const char *fn)
{
    gi_status st = GI_OK;
    for (int64_t j = 0; j < count && st == GI_OK; ++j)
        st = check_target(f, path, names[idx[j]], tensors[idx[j]], idx[j],
                          fn);
    return st;
}

/* Reads the tensors of idx[0..count) out of f (checked). */
static gi_status read_checked(gi_safetensors f, const int64_t *idx,
                              int64_t count, const char *const *names,
                              const gi_tensor *tensors, const char *fn)
{
    gi_status st = GI_OK;
    for (int64_t j = 0; j < count && st == GI_OK; ++j)
        st = restate(gi_safetensors_load_into(f, 1, &names[idx[j]],
                                              &tensors[idx[j]]), fn);
    return st;
}

/* Every rank's own checks of a load's arguments, then their agreement. */
static gi_status agree_load(MPI_Comm comm, gi_status st, const char *path,
                            const char *path_arg, int64_t n,
                            const char *const *names,
                            const gi_tensor *tensors, const char *fn)
{
    if (st == GI_OK)
        st = check_lists(path, path_arg, n, names, tensors, 0, NULL, 0, fn);
    return agree_arguments(comm, st, path, path_arg, n, names, 0,
                           &(gi_metadata){"", ""}, fn);
}

/* The file's names, for check_keys (borrowed from f). */
static gi_status file_keys(gi_safetensors f, const char ***keys,
                           int64_t *m, const char *fn)
{
    *m = gi_safetensors_count(f);
    *keys = malloc((size_t)(*m > 0 ? *m : 1) * sizeof **keys);
    if (*keys == NULL)
        return no_memory("the file's names", fn);
    for (int64_t k = 0; k < *m; ++k)
        (*keys)[k] = gi_safetensors_name(f, k);
    return GI_OK;
}

static gi_status load(MPI_Comm comm, gi_status st, const char *path,
                      int64_t n, const char *const *names,
                      const gi_tensor *tensors, int strict, const char *fn)
{
    st = agree_load(comm, st, path, "path", n, names, tensors, fn);
    if (st != GI_OK)
        return st;
    gi_safetensors f = NULL;
    int64_t *idx = malloc((size_t)(n > 0 ? n : 1) * sizeof *idx);
    st = idx != NULL ? GI_OK : no_memory("the list of tensors", fn);
    for (int64_t i = 0; i < n && st == GI_OK; ++i)
        idx[i] = i;
    if (st == GI_OK)
        st = restate(gi_safetensors_open(&f, path), fn);
    if (st == GI_OK)
        st = check_targets(f, path, idx, n, names, tensors, fn);
    if (st == GI_OK && strict) {
        const char **keys = NULL;
        int64_t m = 0;
        st = file_keys(f, &keys, &m, fn);
        if (st == GI_OK)
            st = check_keys(n, names, m, keys, path, fn);
        free(keys);
    }
    st = gi_mpi_agree(comm, st, fn);
    if (st == GI_OK)
        st = gi_mpi_agree(comm, read_checked(f, idx, n, names, tensors, fn),
                          fn);
    gi_safetensors_close(f);
    free(idx);
    return st;
}

gi_status gi_mpi_load_safetensors(const char *path, int64_t n,
                                  const char *const *names,
                                  const gi_tensor *tensors, MPI_Comm comm)
{
    static const char *const fn = "gi_mpi_load_safetensors";
    gi_status st = gi_mpi_comm_ok(comm, fn);
    return st != GI_OK ? st
                       : load(comm, GI_OK, path, n, names, tensors, 0, fn);
}

gi_status gi_mpi_module_load_safetensors(gi_module m, const char *path,
                                         MPI_Comm comm)
{
    static const char *const fn = "gi_mpi_module_load_safetensors";
    gi_status st = gi_mpi_comm_ok(comm, fn);
    if (st != GI_OK)
        return st;
    param_list ps;
    st = collect_params(m, &ps, fn);
    st = load(comm, st, path, ps.n, (const char *const *)ps.names,
              ps.tensors, 1, fn);
    release_params(&ps);
    return st;
}

/* ---- sharded checkpoints: the loads ------------------------------------- */

/* A tensor to load and the file the index puts it in. */
typedef struct st_wanted {
    const char *file; /* borrowed from the index */
    int64_t i;
} st_wanted;

static int by_file(const void *a, const void *b)
{
    const st_wanted *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    return c != 0 ? c : (x->i > y->i) - (x->i < y->i);
}

/* The index's files that the tensors are in, each opened and checked:
 * want[] sorted by file, files[g] the g-th file's handle. */
typedef struct st_plan {
    int64_t n, nfiles;
    st_wanted *want;
    int64_t *idx;          /* want's tensor indices, in want's order */
    int64_t *first;        /* file g: idx[first[g] .. first[g + 1]) */
    gi_safetensors *files;
} st_plan;

static void release_plan(st_plan *p)
{
    for (int64_t g = 0; g < p->nfiles && p->files != NULL; ++g)
        gi_safetensors_close(p->files[g]);
    free(p->want);
    free(p->idx);
    free(p->first);
    free(p->files);
    memset(p, 0, sizeof *p);
}

/* Each tensor's file from the index, sorted and cut into groups. */
static gi_status plan_files(gi_safetensors_index x, const char *index_path,
                            int64_t n, const char *const *names, st_plan *p,
                            const char *fn)
{
    size_t room = n > 0 ? (size_t)n : 1;
    p->n = n;
    p->want = malloc(room * sizeof *p->want);
    p->idx = malloc(room * sizeof *p->idx);
    p->first = malloc((room + 1) * sizeof *p->first);
    p->files = calloc(room, sizeof *p->files);
    if (!p->want || !p->idx || !p->first || !p->files)
        return no_memory("the list of files", fn);
    for (int64_t i = 0; i < n; ++i) {
        const char *file = gi_safetensors_index_file(x, names[i]);
        if (file == NULL)
            return gi_set_error(GI_ERR_INVALID_ARGUMENT, "%s: '%s' has no "
                                "tensor named '%s'", fn, index_path,
                                names[i]);
        p->want[i] = (st_wanted){file, i};
    }
    qsort(p->want, (size_t)n, sizeof *p->want, by_file);
    for (int64_t j = 0; j < n; ++j) {
        p->idx[j] = p->want[j].i;
        if (j == 0 || strcmp(p->want[j].file, p->want[j - 1].file) != 0)
            p->first[p->nfiles++] = j;
    }
    p->first[p->nfiles] = n;
    return GI_OK;
}

/* Opens and checks every file of the plan. */
static gi_status open_files(st_plan *p, const char *const *names,
                            const gi_tensor *tensors, const char *fn)
{
    gi_status st = GI_OK;
    for (int64_t g = 0; g < p->nfiles && st == GI_OK; ++g) {
        const char *path = p->want[p->first[g]].file;
        st = restate(gi_safetensors_open(&p->files[g], path), fn);
        if (st == GI_OK)
            st = check_targets(p->files[g], path, p->idx + p->first[g],
                               p->first[g + 1] - p->first[g], names,
                               tensors, fn);
    }
    return st;
}

/* strict=True against the index's names. */
static gi_status check_index_keys(gi_safetensors_index x,
                                  const char *index_path, int64_t n,
                                  const char *const *names, const char *fn)
{
    int64_t m = gi_safetensors_index_count(x);
    const char **keys = malloc((size_t)(m > 0 ? m : 1) * sizeof *keys);
    if (keys == NULL)
        return no_memory("the index's names", fn);
    for (int64_t k = 0; k < m; ++k)
        keys[k] = gi_safetensors_index_name(x, k);
    gi_status st = check_keys(n, names, m, keys, index_path, fn);
    free(keys);
    return st;
}

static gi_status load_index(MPI_Comm comm, gi_status st,
                            const char *index_path, int64_t n,
                            const char *const *names,
                            const gi_tensor *tensors, int strict,
                            const char *fn)
{
    st = agree_load(comm, st, index_path, "index_path", n, names, tensors,
                    fn);
    if (st != GI_OK)
        return st;
    gi_safetensors_index x = NULL;
    st_plan p;
    memset(&p, 0, sizeof p);
    st = restate(gi_safetensors_index_open(&x, index_path), fn);
    if (st == GI_OK && strict)
        st = check_index_keys(x, index_path, n, names, fn);
    if (st == GI_OK)
        st = plan_files(x, index_path, n, names, &p, fn);
    if (st == GI_OK)
        st = open_files(&p, names, tensors, fn);
    st = gi_mpi_agree(comm, st, fn);
    for (int64_t g = 0; g < p.nfiles && st == GI_OK; ++g)
        st = read_checked(p.files[g], p.idx + p.first[g],
                          p.first[g + 1] - p.first[g], names, tensors, fn);
    st = gi_mpi_agree(comm, st, fn);
    release_plan(&p);
    gi_safetensors_index_close(x);
    return st;
}

gi_status gi_mpi_load_safetensors_index(const char *index_path, int64_t n,
                                        const char *const *names,
                                        const gi_tensor *tensors,
                                        MPI_Comm comm)
{
    static const char *const fn = "gi_mpi_load_safetensors_index";
    gi_status st = gi_mpi_comm_ok(comm, fn);
    return st != GI_OK ? st
                       : load_index(comm, GI_OK, index_path, n, names,
                                    tensors, 0, fn);
}

gi_status gi_mpi_module_load_safetensors_index(gi_module m,
                                               const char *index_path,
                                               MPI_Comm comm)
{
    static const char *const fn = "gi_mpi_module_load_safetensors_index";
    gi_status st = gi_mpi_comm_ok(comm, fn);
    if (st != GI_OK)
        return st;
    param_list ps;
    st = collect_params(m, &ps, fn);
    st = load_index(comm, st, index_path, ps.n, (const char *const *)ps.names,
                    ps.tensors, 1, fn);
    release_params(&ps);
    return st;
}
