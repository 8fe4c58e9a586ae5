/* Scratch files for the safetensors tests: a directory of the test's own,
 * removed when the test process ends, and files of given bytes in it. */
#ifndef GINIT_ST_FILES_H
#define GINIT_ST_FILES_H

#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */
#endif
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char st_dir[4096];

static int st_remove_one(const char *path, const struct stat *sb, int flag,
                         struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void st_remove_dir(void)
{
    if (st_dir[0] != '\0')
        nftw(st_dir, st_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* dir/name in the test's scratch directory (made at the first call). */
static inline const char *st_path(const char *name)
{
    static char path[4200];
    if (st_dir[0] == '\0') {
        const char *tmp = getenv("TMPDIR");
        snprintf(st_dir, sizeof st_dir, "%s/ginit-st-XXXXXX",
                 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
        cr_assert_not_null(mkdtemp(st_dir), "cannot make %s", st_dir);
        atexit(st_remove_dir);
    }
    snprintf(path, sizeof path, "%s/%s", st_dir, name);
    return path;
}

static inline void st_write_bytes(const char *path, const void *bytes,
                                  size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    cr_assert_eq(fwrite(bytes, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
}

/* A safetensors file of the header text json (padded with spaces to a
 * multiple of 8) and then data[0..ndata). */
static inline void st_write_file(const char *path, const char *json,
                                 const void *data, size_t ndata)
{
    size_t n = strlen(json), padded = (n + 7) / 8 * 8;
    size_t total = 8 + padded + ndata;
    unsigned char *buf = malloc(total);
    cr_assert_not_null(buf);
    for (int i = 0; i < 8; ++i)
        buf[i] = (unsigned char)((uint64_t)padded >> (8 * i));
    memcpy(buf + 8, json, n);
    memset(buf + 8 + n, ' ', padded - n);
    if (ndata > 0)
        memcpy(buf + 8 + padded, data, ndata);
    st_write_bytes(path, buf, total);
    free(buf);
}

/* The whole of a binary file, malloc'd; its size in *n. */
static inline unsigned char *st_read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    long len = ftell(f);
    cr_assert_geq(len, 0);
    rewind(f);
    unsigned char *buf = malloc((size_t)len + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return buf;
}

#endif
