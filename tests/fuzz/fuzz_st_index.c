/*
 * libFuzzer target for ginit's reader of sharded checkpoints'
 * model.safetensors.index.json (CPU only).
 *
 * The input is the index: it is written into a scratch directory that
 * also holds two valid safetensors files, "a.safetensors" (x: float32
 * [2], y: float16 [3]) and "b.safetensors" (z: float64 [1, 2]), and
 * opened; an index that opens is walked (every name and its file), then
 * x, y and z are loaded through it into tensors filled with a sentinel.
 * Besides crashes, sanitizer reports and leaks, check() aborts when a
 * documented promise breaks: a failed open writes no handle and is
 * GI_ERR_FORMAT or GI_ERR_IO; an open index's names are non-NULL, their
 * files inside the directory; a failed load writes no tensor (all or
 * nothing over the files); a load that succeeds gives the files' values;
 * statuses are the documented ones.
 *
 * Build and run: tests/fuzz/build.sh, tests/fuzz/run.sh SECONDS
 * fuzz_st_index (corpus: tests/fuzz/corpus_st_index).
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "ginit.h"

static char dir[4096], index_path[4200];
static gi_context ctx;
static gi_tensor want[3], got[3];
static const char *const names[3] = {"x", "y", "z"};

static size_t nbytes(gi_tensor t)
{
    gi_dtype dt = gi_tensor_dtype(t);
    return (size_t)gi_tensor_numel(t) *
           (dt == GI_F64 ? 8 : dt == GI_F32 ? 4 : 2);
}

static int same_bytes(gi_tensor a, gi_tensor b)
{
    unsigned char x[16], y[16];
    size_t n = nbytes(a);
    check(n <= sizeof x && n == nbytes(b));
    check(gi_tensor_copy_to_host(a, x, n) == GI_OK);
    check(gi_tensor_copy_to_host(b, y, n) == GI_OK);
    return memcmp(x, y, n) == 0;
}

static gi_tensor make(gi_dtype dt, int ndim, const int64_t *shape)
{
    gi_tensor t = NULL;
    check(gi_tensor_create(&t, ctx, dt, ndim, shape) == GI_OK);
    return t;
}

static int remove_one(const char *path, const struct stat *sb, int flag,
                      struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_scratch(void)
{
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/fuzz_st_index.XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    check(mkdtemp(dir) != NULL);
    atexit(remove_scratch);
    snprintf(index_path, sizeof index_path, "%s/index.json", dir);
    check(gi_context_create(&ctx, GI_DEVICE_CPU) == GI_OK);
    const int64_t sx[] = {2}, sy[] = {3}, sz[] = {1, 2};
    want[0] = make(GI_F32, 1, sx);
    want[1] = make(GI_F16, 1, sy);
    want[2] = make(GI_F64, 2, sz);
    for (int i = 0; i < 3; ++i) {
        check(gi_uniform_(want[i], -1, 1, NULL) == GI_OK);
        got[i] = make(gi_tensor_dtype(want[i]), gi_tensor_ndim(want[i]),
                      gi_tensor_shape(want[i]));
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/a.safetensors", dir);
    check(gi_save_safetensors(path, 2, names, want, 0, NULL) == GI_OK);
    snprintf(path, sizeof path, "%s/b.safetensors", dir);
    check(gi_save_safetensors(path, 1, &names[2], &want[2], 0, NULL) ==
          GI_OK);
    return 0;
}

/* An index that opened: its names and files. */
static void walk(gi_safetensors_index x)
{
    int64_t n = gi_safetensors_index_count(x);
    check(n >= 0 && gi_safetensors_index_name(x, n) == NULL);
    size_t dlen = strlen(dir);
    for (int64_t i = 0; i < n; ++i) {
        const char *name = gi_safetensors_index_name(x, i);
        check(name != NULL && name[0] != '\0');
        const char *file = gi_safetensors_index_file(x, name);
        check(file != NULL && strncmp(file, dir, dlen) == 0 &&
              file[dlen] == '/' && strchr(file + dlen + 1, '/') == NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(index_path, "wb");
    check(f != NULL);
    check(fwrite(data, 1, size, f) == size);
    check(fclose(f) == 0);
    char sentinel;
    gi_safetensors_index x = (gi_safetensors_index)(void *)&sentinel;
    gi_status st = gi_safetensors_index_open(&x, index_path);
    if (st != GI_OK) {
        check(st == GI_ERR_FORMAT);
        check(x == (gi_safetensors_index)(void *)&sentinel);
        check(strncmp(gi_last_error(), "gi_safetensors_index_open: '",
                      28) == 0);
        return 0;
    }
    walk(x);
    gi_safetensors_index_close(x);
    for (int i = 0; i < 3; ++i)
        check(gi_fill_(got[i], 0.5) == GI_OK);
    st = gi_load_safetensors_index(index_path, 3, names, got);
    check(st == GI_OK || st == GI_ERR_FORMAT || st == GI_ERR_IO ||
          st == GI_ERR_INVALID_ARGUMENT || st == GI_ERR_SHAPE ||
          st == GI_ERR_UNSUPPORTED);
    for (int i = 0; i < 3; ++i) {
        if (st == GI_OK) {
            check(same_bytes(got[i], want[i]));
        } else {
            double v = 0;
            int64_t at[2] = {0, 0};
            check(gi_tensor_get(got[i], gi_tensor_ndim(got[i]), at, &v) ==
                  GI_OK);
            check(v == 0.5);
        }
    }
    return 0;
}
