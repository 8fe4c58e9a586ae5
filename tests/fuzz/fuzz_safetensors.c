/*
 * libFuzzer target for ginit's safetensors loader (CPU only).
 *
 * The input is the file: it is written to a scratch file and opened. A
 * file that opens is then read every way the API offers (every name,
 * info, metadata lookups, each tensor into a new tensor and back into
 * it with gi_safetensors_load_into), and what loaded is saved again and
 * reopened, which must give the same names and bytes. Besides crashes,
 * sanitizer reports and leaks, check() aborts when a documented promise
 * breaks: a failed open writes no handle; statuses are the documented
 * ones (GI_ERR_FORMAT for malformed files; after a successful open only
 * GI_ERR_UNSUPPORTED can refuse a tensor); a valid file's names are
 * non-NULL and found again; a save of what loaded reopens unchanged.
 *
 * Build and run: tests/fuzz/build.sh, tests/fuzz/run.sh SECONDS
 * fuzz_safetensors (corpus: tests/fuzz/corpus_safetensors).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "ginit.h"

static char in_path[4096], out_path[4096];
static gi_context ctx;

static void write_input(const uint8_t *data, size_t size)
{
    FILE *f = fopen(in_path, "wb");
    check(f != NULL);
    check(fwrite(data, 1, size, f) == size);
    check(fclose(f) == 0);
}

static size_t nbytes(gi_tensor t)
{
    gi_dtype dt = gi_tensor_dtype(t);
    return (size_t)gi_tensor_numel(t) *
           (dt == GI_F64 ? 8 : dt == GI_F32 ? 4 : 2);
}

static int same_bytes(gi_tensor a, gi_tensor b)
{
    size_t n = nbytes(a);
    if (n != nbytes(b))
        return 0;
    unsigned char *x = malloc(n + 1), *y = malloc(n + 1);
    check(x != NULL && y != NULL);
    check(gi_tensor_copy_to_host(a, x, n) == GI_OK);
    check(gi_tensor_copy_to_host(b, y, n) == GI_OK);
    int same = memcmp(x, y, n) == 0;
    free(x);
    free(y);
    return same;
}

/* Every tensor ginit can hold, into new tensors; the names in names. */
static int64_t load_all(gi_safetensors f, const char **names, gi_tensor *ts)
{
    int64_t n = 0;
    for (int64_t i = 0; i < gi_safetensors_count(f); ++i) {
        const char *name = gi_safetensors_name(f, i);
        check(name != NULL);
        gi_dtype dt;
        int ndim = -1;
        int64_t shape[GI_MAX_DIMS];
        gi_status st = gi_safetensors_info(f, name, &dt, &ndim, shape);
        check(st == GI_OK || st == GI_ERR_UNSUPPORTED);
        gi_tensor t = NULL;
        gi_status lt = gi_safetensors_load_tensor(f, name, ctx, &t);
        check(lt == st || (st == GI_OK && lt == GI_ERR_OVERFLOW));
        if (lt != GI_OK) {
            check(t == NULL);
            continue;
        }
        check(gi_tensor_dtype(t) == dt && gi_tensor_ndim(t) == ndim);
        check(gi_safetensors_load_into(f, 1, &name, &t) == GI_OK);
        names[n] = name;
        ts[n++] = t;
    }
    return n;
}

/* What loaded, saved and reopened, is the same. */
static void save_again(int64_t n, const char **names, gi_tensor *ts)
{
    gi_status st = gi_save_safetensors(out_path, n, names, ts, 0, NULL);
    if (st != GI_OK) {
        /* Names the format holds but a writer refuses: "". */
        check(st == GI_ERR_INVALID_ARGUMENT);
        return;
    }
    gi_safetensors g = NULL;
    check(gi_safetensors_open(&g, out_path) == GI_OK);
    check(gi_safetensors_count(g) == n);
    for (int64_t i = 0; i < n; ++i) {
        gi_tensor t = NULL;
        check(gi_safetensors_load_tensor(g, names[i], ctx, &t) == GI_OK);
        check(same_bytes(t, ts[i]));
        gi_tensor_destroy(t);
    }
    gi_safetensors_close(g);
}

static void remove_scratch(void)
{
    unlink(in_path);
    unlink(out_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    tmp = tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp";
    snprintf(in_path, sizeof in_path, "%s/fuzz_st_in.%ld", tmp,
             (long)getpid());
    snprintf(out_path, sizeof out_path, "%s/fuzz_st_out.%ld", tmp,
             (long)getpid());
    check(gi_context_create(&ctx, GI_DEVICE_CPU) == GI_OK);
    atexit(remove_scratch);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    write_input(data, size);
    char sentinel;
    gi_safetensors f = (gi_safetensors)(void *)&sentinel;
    gi_status st = gi_safetensors_open(&f, in_path);
    if (st != GI_OK) {
        check(st == GI_ERR_FORMAT);
        check(f == (gi_safetensors)(void *)&sentinel);
        check(strncmp(gi_last_error(), "gi_safetensors_open: '", 22) == 0);
        return 0;
    }
    int64_t count = gi_safetensors_count(f);
    const char **names = calloc((size_t)count + 1, sizeof *names);
    gi_tensor *ts = calloc((size_t)count + 1, sizeof *ts);
    check(names != NULL && ts != NULL);
    check(gi_safetensors_name(f, count) == NULL);
    gi_safetensors_metadata(f, "format");
    int64_t n = load_all(f, names, ts);
    save_again(n, names, ts);
    for (int64_t i = 0; i < n; ++i)
        gi_tensor_destroy(ts[i]);
    free(ts);
    free(names);
    gi_safetensors_close(f);
    return 0;
}
