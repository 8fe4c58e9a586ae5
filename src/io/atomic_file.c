/* Whole-or-nothing file replacement: write a temporary file beside the
 * destination, fsync it, rename it over the destination, fsync the
 * directory so that the rename itself survives a crash. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../core/alloc.h"
#include "safetensors.h"

/* Tells apart the temporary names of this process's writes. */
static atomic_uint_fast64_t serial;

/* A copy of s[0..len) with room for extra more characters. */
static char *copy_of(const char *s, size_t len, size_t extra)
{
    char *c = gi_malloc(len + extra + 1);
    if (c != NULL) {
        memcpy(c, s, len);
        c[len] = '\0';
    }
    return c;
}

/* The directory part of path: "." without one, "/" for "/name". */
static char *directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return copy_of(".", 1, 0);
    return copy_of(path, slash == path ? 1 : (size_t)(slash - path), 0);
}

gi_status gi_atomic_open(gi_atomic_file *af, const char *path,
                         const char *fn)
{
    enum { SUFFIX = 48 }; /* ".tmp.<pid>.<serial>" */
    size_t len = strlen(path);
    af->fd = -1;
    af->created = 0;
    af->final_path = copy_of(path, len, 0);
    af->temp_path = copy_of(path, len, SUFFIX);
    af->dir_path = directory_of(path);
    if (af->final_path == NULL || af->temp_path == NULL ||
        af->dir_path == NULL) {
        gi_atomic_abort(af);
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot allocate the "
                       "names for '%s'", path);
    }
    for (int tries = 0; af->fd < 0 && tries < 100; ++tries) {
        snprintf(af->temp_path + len, SUFFIX + 1, ".tmp.%ld.%llu",
                 (long)getpid(), (unsigned long long)++serial);
        af->fd = open(af->temp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                      0666);
        if (af->fd < 0 && errno != EEXIST)
            break;
    }
    if (af->fd < 0) {
        gi_status st = gi_fail(GI_ERR_IO, fn, "'%s': cannot create the "
                               "temporary file '%s': %s", path,
                               af->temp_path, strerror(errno));
        gi_atomic_abort(af);
        return st;
    }
    af->created = 1;
    return GI_OK;
}

gi_status gi_atomic_write(gi_atomic_file *af, const void *buf, size_t n,
                          const char *fn)
{
    const char *p = buf;
    while (n > 0) {
        size_t chunk = n < ((size_t)1 << 30) ? n : (size_t)1 << 30;
        ssize_t put = write(af->fd, p, chunk);
        if (put < 0 && errno == EINTR)
            continue;
        if (put < 0)
            return gi_fail(GI_ERR_IO, fn, "'%s': write: %s", af->final_path,
                           strerror(errno));
        p += put;
        n -= (size_t)put;
    }
    return GI_OK;
}

static gi_status sync_directory(const gi_atomic_file *af, const char *fn)
{
    gi_status st = GI_OK;
    int fd = open(af->dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0)
        st = gi_fail(GI_ERR_IO, fn, "'%s' is in place, but fsync of its "
                     "directory '%s' failed: %s", af->final_path,
                     af->dir_path, strerror(errno));
    if (fd >= 0)
        close(fd);
    return st;
}

gi_status gi_atomic_commit(gi_atomic_file *af, const char *fn)
{
    gi_status st = GI_OK;
    if (fsync(af->fd) != 0)
        st = gi_fail(GI_ERR_IO, fn, "'%s': fsync: %s", af->final_path,
                     strerror(errno));
    int closed = close(af->fd);
    af->fd = -1;
    if (st == GI_OK && closed != 0)
        st = gi_fail(GI_ERR_IO, fn, "'%s': close: %s", af->final_path,
                     strerror(errno));
    if (st == GI_OK && rename(af->temp_path, af->final_path) != 0)
        st = gi_fail(GI_ERR_IO, fn, "'%s': rename from '%s': %s",
                     af->final_path, af->temp_path, strerror(errno));
    if (st != GI_OK) {
        gi_atomic_abort(af);
        return st;
    }
    af->created = 0; /* renamed: nothing to remove */
    st = sync_directory(af, fn);
    gi_atomic_abort(af);
    return st;
}

void gi_atomic_abort(gi_atomic_file *af)
{
    if (af->fd >= 0)
        close(af->fd);
    if (af->created)
        unlink(af->temp_path);
    free(af->temp_path);
    free(af->final_path);
    free(af->dir_path);
    af->fd = -1;
    af->created = 0;
    af->temp_path = af->final_path = af->dir_path = NULL;
}
