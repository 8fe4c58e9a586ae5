/*
 * examples/walkthrough against real PyTorch: tests/data/walkthrough_seed<N>.txt
 * is what tests/chapter_reference.py prints when it runs the d2l.ai
 * "Parameter Initialization" chapter in PyTorch itself, with only the random
 * bits taken from ginit's stream (docs/rng.md, via tests/rng_reference.py).
 * The walkthrough's stdout must match it line for line; the first line
 * ("device: ...") says why the device was chosen, which is machine-specific,
 * so it only has to start with "device: cpu" (or "device: cuda" for the GPU
 * run, which must print the same numbers).
 *
 * With --torch-compat the walkthrough draws from PyTorch's own generator,
 * and tests/data/walkthrough_torch_seed<N>.txt is the chapter run in plain
 * PyTorch after torch.manual_seed(N) (tests/chapter_reference.py --torch).
 *
 * GINIT_WALKTHROUGH_PATH: the walkthrough executable.
 * GINIT_TEST_DATA_DIR: the folder holding the expected files.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef GINIT_WALKTHROUGH_PATH
#error "define GINIT_WALKTHROUGH_PATH to the walkthrough executable"
#endif
#ifndef GINIT_TEST_DATA_DIR
#error "define GINIT_TEST_DATA_DIR to tests/data"
#endif

/* A whole stream, read into a NUL-terminated heap buffer. */
typedef struct text {
    char *data;
    size_t len;
} text;

static text read_stream(FILE *f)
{
    text t = {NULL, 0};
    size_t cap = 4096;
    t.data = malloc(cap);
    cr_assert_not_null(t.data);
    size_t got;
    while ((got = fread(t.data + t.len, 1, cap - t.len - 1, f)) > 0) {
        t.len += got;
        if (cap - t.len - 1 == 0) {
            cap *= 2;
            t.data = realloc(t.data, cap);
            cr_assert_not_null(t.data);
        }
    }
    t.data[t.len] = '\0';
    return t;
}

/* The outcome of one run of the walkthrough. */
typedef struct run_result {
    text out;   /* what it wrote to the pipe */
    int exited; /* it exited normally (no signal) */
    int status; /* its exit status when it did */
} run_result;

/* What run_walkthrough captures. */
enum capture {
    CAPTURE_STDOUT,       /* stdout; stderr passes through to ours */
    CAPTURE_STDOUT_QUIET, /* stdout; stderr goes to /dev/null */
    CAPTURE_STDERR        /* stderr; stdout goes to /dev/null */
};

/* Runs "walkthrough <args>" through the shell and captures one stream. */
static run_result run_walkthrough(const char *args, enum capture what)
{
    char cmd[4096];
    int n = snprintf(cmd, sizeof cmd, "'%s' %s %s", GINIT_WALKTHROUGH_PATH,
                     args,
                     what == CAPTURE_STDERR         ? "2>&1 >/dev/null"
                     : what == CAPTURE_STDOUT_QUIET ? "2>/dev/null"
                                                    : "");
    cr_assert(n > 0 && (size_t)n < sizeof cmd, "command too long");
    cr_assert_null(strchr(GINIT_WALKTHROUGH_PATH, '\''),
                   "the walkthrough's path must not contain a quote");
    cr_assert_eq(access(GINIT_WALKTHROUGH_PATH, X_OK), 0,
                 "cannot run %s", GINIT_WALKTHROUGH_PATH);
    fflush(NULL);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p, "popen(%s) failed", cmd);
    run_result r;
    r.out = read_stream(p);
    int ws = pclose(p);
    cr_assert_neq(ws, -1, "pclose failed for %s", cmd);
    r.exited = WIFEXITED(ws);
    r.status = r.exited ? WEXITSTATUS(ws) : -1;
    return r;
}

/* A malloc'd message built like printf. */
static char *message(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    cr_assert_geq(n, 0);
    char *m = malloc((size_t)n + 1);
    cr_assert_not_null(m);
    va_start(ap, fmt);
    vsnprintf(m, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return m;
}

/* Line i of a text: its start, its length without the '\n', and whether a
 * '\n' ends it (a last line without one still counts as a line). */
typedef struct line {
    const char *s;
    size_t len;
    int terminated;
} line;

static size_t split_lines(const text *t, line **out)
{
    size_t cap = 16, count = 0;
    line *v = malloc(cap * sizeof *v);
    cr_assert_not_null(v);
    const char *p = t->data, *end = t->data + t->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (count == cap) {
            cap *= 2;
            v = realloc(v, cap * sizeof *v);
            cr_assert_not_null(v);
        }
        v[count].s = p;
        v[count].len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
        v[count].terminated = nl != NULL;
        ++count;
        p = nl != NULL ? nl + 1 : end;
    }
    *out = v;
    return count;
}

static int starts_with(const line *l, const char *prefix)
{
    size_t n = strlen(prefix);
    return l->len >= n && memcmp(l->s, prefix, n) == 0;
}

static int same_line(const line *a, const line *b)
{
    return a->len == b->len && memcmp(a->s, b->s, a->len) == 0 &&
           a->terminated == b->terminated;
}

/* Compares the walkthrough's stdout with the expected file line by line.
 * Returns NULL when they match, else a malloc'd message naming the first
 * differing line and showing both. Line 1 of the file must be a device
 * line and line 1 of the output must start with device_prefix ("device:
 * cpu"); every other line must be identical, and so must the number of
 * lines. A missing or empty file is a difference. */
static char *compare(const text *got, const char *expected_path,
                     const char *device_prefix)
{
    FILE *f = fopen(expected_path, "r");
    if (f == NULL)
        return message("expected output %s is missing (write it with "
                       "/usr/bin/python3 tests/chapter_reference.py)",
                       expected_path);
    text want = read_stream(f);
    fclose(f);
    if (want.len == 0) {
        free(want.data);
        return message("expected output %s is empty", expected_path);
    }
    line *g = NULL, *w = NULL;
    size_t ng = split_lines(got, &g), nw = split_lines(&want, &w);
    char *diff = NULL;
    for (size_t i = 0; diff == NULL && i < (ng > nw ? ng : nw); ++i) {
        if (i >= nw)
            diff = message("%s has %zu lines but the walkthrough prints "
                           "more: line %zu\n  got:  \"%.*s\"",
                           expected_path, nw, i + 1, (int)g[i].len, g[i].s);
        else if (i >= ng)
            diff = message("the walkthrough stops after %zu lines; %s "
                           "goes on: line %zu\n  want: \"%.*s\"",
                           ng, expected_path, i + 1, (int)w[i].len, w[i].s);
        else if (i == 0 && !starts_with(&w[0], "device: "))
            diff = message("%s: line 1 is not a device line: \"%.*s\"",
                           expected_path, (int)w[0].len, w[0].s);
        else if (i == 0 && !starts_with(&g[0], device_prefix))
            diff = message("line 1 should start with \"%s\"\n"
                           "  got:  \"%.*s\"",
                           device_prefix, (int)g[0].len, g[0].s);
        else if (i > 0 && !same_line(&g[i], &w[i]))
            diff = message("%s: first difference at line %zu\n"
                           "  got:  \"%.*s\"%s\n  want: \"%.*s\"%s",
                           expected_path, i + 1, (int)g[i].len, g[i].s,
                           g[i].terminated ? "" : " (no newline at end)",
                           (int)w[i].len, w[i].s,
                           w[i].terminated ? "" : " (no newline at end)");
    }
    free(g);
    free(w);
    free(want.data);
    return diff;
}

/* "walkthrough --seed <seed> --device cpu <flags>" against the file
 * tests/data/walkthrough_<kind>seed<seed>.txt. */
static void check_run(const char *seed, const char *flags, const char *kind)
{
    char args[128], path[4096];
    snprintf(args, sizeof args, "--seed %s --device cpu%s", seed, flags);
    snprintf(path, sizeof path, "%s/walkthrough_%sseed%s.txt",
             GINIT_TEST_DATA_DIR, kind, seed);
    run_result r = run_walkthrough(args, CAPTURE_STDOUT);
    cr_assert(r.exited && r.status == 0,
              "walkthrough %s: exit status %d%s", args, r.status,
              r.exited ? "" : " (killed by a signal)");
    char *diff = compare(&r.out, path, "device: cpu");
    cr_assert_null(diff, "walkthrough %s: %s", args, diff);
    free(r.out.data);
}

static void check_seed(const char *seed)
{
    check_run(seed, "", "");
}

Test(demo, seed0_matches_pytorch)
{
    check_seed("0");
}

Test(demo, seed7_matches_pytorch)
{
    check_seed("7");
}

/* --torch-compat: PyTorch's own generator, so the chapter run in plain
 * PyTorch after torch.manual_seed (tests/chapter_reference.py --torch). */
Test(demo, torch_compat_seed0_matches_plain_pytorch)
{
    check_run("0", " --torch-compat", "torch_");
}

Test(demo, torch_compat_seed7_matches_plain_pytorch)
{
    check_run("7", " --torch-compat", "torch_");
}

/* Removes every occurrence of `what` from t, in place; returns how many. */
static int strip_all(text *t, const char *what)
{
    size_t n = strlen(what), out = 0;
    int count = 0;
    for (size_t i = 0; i < t->len;) {
        if (t->len - i >= n && memcmp(t->data + i, what, n) == 0) {
            i += n;
            ++count;
        } else {
            t->data[out++] = t->data[i++];
        }
    }
    t->len = out;
    return count;
}

/* "walkthrough <args> --device cuda" prints the same numbers as the CPU
 * (docs/rng.md), so the file `expected`, its tensors marked
 * device='cuda:0' as PyTorch marks them; skipped when this build or
 * machine has no usable GPU. */
static void check_cuda(const char *args, const char *expected)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "%s --device cuda", args);
    run_result probe = run_walkthrough(cmd, CAPTURE_STDERR);
    if (probe.exited && probe.status == 1 &&
        strstr(probe.out.data, "GI_ERR_DEVICE_UNAVAILABLE") != NULL) {
        free(probe.out.data);
        const char *req = getenv("GINIT_REQUIRE_GPU");
        cr_assert(req == NULL || strcmp(req, "1") != 0,
                  "GINIT_REQUIRE_GPU=1 but no usable CUDA device");
        cr_skip_test("no usable CUDA device");
    }
    cr_assert(probe.exited && probe.status == 0,
              "walkthrough %s: exit status %d: %s", cmd, probe.status,
              probe.out.data);
    free(probe.out.data);
    run_result r = run_walkthrough(cmd, CAPTURE_STDOUT);
    cr_assert(r.exited && r.status == 0);
    cr_expect_gt(strip_all(&r.out, ", device='cuda:0'"), 0,
                 "GPU tensors print their device");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", GINIT_TEST_DATA_DIR, expected);
    char *diff = compare(&r.out, path, "device: cuda");
    cr_assert_null(diff, "walkthrough %s: %s", cmd, diff);
    free(r.out.data);
}

Test(demo, cuda_matches_pytorch)
{
    check_cuda("--seed 0", "walkthrough_seed0.txt");
}

Test(demo, cuda_torch_compat_matches_plain_pytorch)
{
    check_cuda("--seed 0 --torch-compat", "walkthrough_torch_seed0.txt");
}

/* Refused with the usage message on stderr, exit status 2, and nothing of
 * the chapter on stdout. */
static void check_refused(const char *args)
{
    run_result err = run_walkthrough(args, CAPTURE_STDERR);
    cr_assert(err.exited && err.status == 2,
              "walkthrough %s: exit status %d, want 2", args, err.status);
    cr_assert_not_null(strstr(err.out.data, "usage:"),
                       "walkthrough %s: no usage message on stderr: \"%s\"",
                       args, err.out.data);
    free(err.out.data);
    run_result out = run_walkthrough(args, CAPTURE_STDOUT_QUIET);
    cr_assert(out.exited && out.status == 2);
    cr_assert_eq(out.out.len, 0,
                 "walkthrough %s printed on stdout: \"%s\"", args,
                 out.out.data);
    free(out.out.data);
}

Test(demo, bogus_device_is_refused)
{
    check_refused("--device bogus");
    check_refused("--device CPU");
    check_refused("--device");
}

Test(demo, bad_seed_is_refused)
{
    check_refused("--seed abc --device cpu");
    check_refused("--seed 12x --device cpu");
    check_refused("--seed 1e3 --device cpu");
    check_refused("--device cpu --seed");
}

/* An empty value is no number (strtoull reads no digits and leaves end at
 * the start, on the '\0'), and 2^64 does not fit a seed (strtoull clamps it
 * to 2^64 - 1 with ERANGE): neither may run the chapter with a seed the
 * user did not ask for. */
Test(demo, empty_seed_is_refused)
{
    check_refused("--seed '' --device cpu");
}

Test(demo, out_of_range_seed_is_refused)
{
    check_refused("--seed 18446744073709551616 --device cpu");
}

Test(demo, unknown_argument_is_refused)
{
    check_refused("--device cpu --bogus");
}

/* The comparison itself must not be lax: a file that is missing, empty,
 * shorter or longer than the output, or different on any line fails. */
static const char fake[] = "device: cpu: requested\nline two\nline three\n";

static char tmp_path[64];

static void make_tmp(void)
{
    strcpy(tmp_path, "/tmp/ginit_test_demo_XXXXXX");
    int fd = mkstemp(tmp_path);
    cr_assert_neq(fd, -1);
    close(fd);
}

static void remove_tmp(void)
{
    unlink(tmp_path);
}

/* compare(fake output, a file holding content) */
static char *compare_with(const char *content)
{
    FILE *f = fopen(tmp_path, "w");
    cr_assert_not_null(f);
    fputs(content, f);
    fclose(f);
    text got = {(char *)fake, sizeof fake - 1};
    return compare(&got, tmp_path, "device: cpu");
}

TestSuite(compare, .init = make_tmp, .fini = remove_tmp);

Test(compare, accepts_a_match)
{
    char *diff = compare_with("device: cpu\nline two\nline three\n");
    cr_assert_null(diff, "%s", diff);
}

Test(compare, fails_on_a_missing_file)
{
    text got = {(char *)fake, sizeof fake - 1};
    char *diff = compare(&got, GINIT_TEST_DATA_DIR "/no_such_file.txt",
                         "device: cpu");
    cr_assert_not_null(diff);
    cr_assert_not_null(strstr(diff, "missing"), "%s", diff);
    free(diff);
}

Test(compare, fails_on_an_empty_file)
{
    char *diff = compare_with("");
    cr_assert_not_null(diff);
    cr_assert_not_null(strstr(diff, "empty"), "%s", diff);
    free(diff);
}

Test(compare, fails_on_a_shorter_file)
{
    char *diff = compare_with("device: cpu\nline two\n");
    cr_assert_not_null(diff);
    cr_assert_not_null(strstr(diff, "line 3"), "%s", diff);
    free(diff);
}

Test(compare, fails_on_a_longer_file)
{
    char *diff = compare_with("device: cpu\nline two\nline three\nfour\n");
    cr_assert_not_null(diff);
    cr_assert_not_null(strstr(diff, "line 4"), "%s", diff);
    free(diff);
}

Test(compare, fails_on_a_different_line)
{
    char *diff = compare_with("device: cpu\nline 2\nline three\n");
    cr_assert_not_null(diff);
    cr_assert_not_null(strstr(diff, "line 2\n"), "%s", diff);
    cr_assert_not_null(strstr(diff, "\"line two\""), "%s", diff);
    free(diff);
}

Test(compare, fails_on_a_missing_last_newline)
{
    char *diff = compare_with("device: cpu\nline two\nline three");
    cr_assert_not_null(diff);
    free(diff);
}

Test(compare, checks_the_device_line)
{
    char *diff = compare_with("device: cuda\nline two\nline three\n");
    cr_assert_null(diff, "%s", diff); /* the file's device line is free */
    static char cuda[] = "device: cuda: NVIDIA\nline two\nline three\n";
    text got = {cuda, sizeof cuda - 1};
    diff = compare(&got, tmp_path, "device: cpu");
    cr_assert_not_null(diff);
    cr_assert_not_null(strstr(diff, "line 1"), "%s", diff);
    free(diff);
    diff = compare_with("cpu\nline two\nline three\n");
    cr_assert_not_null(diff);
    free(diff);
}
