/* The CPU backend's threads: results never depend on the context's thread
 * count, on OMP_NUM_THREADS or on OpenBLAS's own thread setting; BLAS runs
 * on no more threads than the context allows.
 *
 * The OpenMP runtime and OpenBLAS read their environment when they load,
 * so each setting runs in a child process: thread_variant, spawned with
 * the environment changed (see tests/thread_variant.c). Other builds of
 * OpenBLAS (Debian's openblas-openmp and openblas-serial directories, say)
 * join the variants when GINIT_TEST_OPENBLAS_DIRS lists their directories,
 * separated by ':'. */
#define _POSIX_C_SOURCE 200809L
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_helpers.h"

extern char **environ;

#define MAX_SETTINGS 4

/* One environment for thread_variant: settings added to this process's
 * own, which loses the variables any variant sets. */
typedef struct variant {
    const char *settings[MAX_SETTINGS]; /* "NAME=value", NULL-terminated */
} variant;

static const char *const VARIABLES[] = {
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS",
    "OPENBLAS_THREAD_TIMEOUT", "LD_LIBRARY_PATH"};

static int variable_set_by_variants(const char *entry)
{
    for (size_t i = 0; i < sizeof VARIABLES / sizeof VARIABLES[0]; ++i) {
        size_t n = strlen(VARIABLES[i]);
        if (strncmp(entry, VARIABLES[i], n) == 0 && entry[n] == '=')
            return 1;
    }
    return 0;
}

/* This process's environment with v's settings instead of its own. */
static char **environment_of(const variant *v)
{
    size_t n = 0;
    while (environ[n] != NULL)
        ++n;
    char **env = calloc(n + MAX_SETTINGS + 1, sizeof *env);
    cr_assert_not_null(env);
    size_t k = 0;
    for (size_t i = 0; i < n; ++i)
        if (!variable_set_by_variants(environ[i]))
            env[k++] = environ[i];
    for (int i = 0; i < MAX_SETTINGS && v->settings[i] != NULL; ++i)
        env[k++] = (char *)v->settings[i];
    return env;
}

static void describe(const variant *v, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", v->settings[0] != NULL ? "" : "(no setting)");
    for (int i = 0; i < MAX_SETTINGS && v->settings[i] != NULL; ++i)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", i ? " " : "",
                 v->settings[i]);
}

/* What thread_variant MODE THREADS wrote to stdout under v (malloc'd,
 * *len bytes); the test fails unless it exits with status 0. */
static char *run_variant(const variant *v, const char *mode, int threads,
                         size_t *len)
{
    char count[16], what[256];
    snprintf(count, sizeof count, "%d", threads);
    describe(v, what, sizeof what);
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    posix_spawn_file_actions_t io;
    posix_spawn_file_actions_init(&io);
    posix_spawn_file_actions_adddup2(&io, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&io, fds[0]);
    char *argv[] = {GINIT_THREAD_VARIANT_PATH, (char *)mode, count, NULL};
    char **env = environment_of(v);
    pid_t pid;
    cr_assert_eq(posix_spawn(&pid, argv[0], &io, NULL, argv, env), 0,
                 "cannot start %s", argv[0]);
    posix_spawn_file_actions_destroy(&io);
    free(env);
    close(fds[1]);
    size_t cap = 1 << 20, n = 0;
    char *out = malloc(cap);
    cr_assert_not_null(out);
    for (ssize_t got; (got = read(fds[0], out + n, cap - n)) > 0;) {
        n += (size_t)got;
        if (n == cap)
            cr_assert_not_null(out = realloc(out, cap *= 2));
    }
    close(fds[0]);
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "thread_variant %s %d under %s: %s %d", mode, threads, what,
              WIFEXITED(status) ? "exit status" : "killed by signal",
              WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    *len = n;
    return out;
}

/* Asserts that got holds the reference's bits; names the first float that
 * differs. */
static void expect_bits(const char *ref, size_t ref_len, const char *got,
                        size_t len, const variant *v, int threads)
{
    char what[256];
    describe(v, what, sizeof what);
    cr_assert_eq(len, ref_len, "%s, %d threads: %zu bytes, not %zu", what,
                 threads, len, ref_len);
    for (size_t i = 0; i < len; i += sizeof(float))
        if (memcmp(ref + i, got + i, sizeof(float)) != 0)
            cr_assert_fail("%s, %d threads: float %zu differs from the run "
                           "without settings", what, threads,
                           i / sizeof(float));
}

/* The variants: the environment as the test got it (less those settings),
 * each thread setting alone and together, and the OpenBLAS builds listed
 * in GINIT_TEST_OPENBLAS_DIRS. */
static int variants(variant *out, int cap, char *dirs)
{
    static const variant fixed[] = {
        {{NULL}},
        {{"OPENBLAS_NUM_THREADS=1", NULL}},
        {{"OPENBLAS_NUM_THREADS=2", NULL}},
        {{"OPENBLAS_NUM_THREADS=4", NULL}},
        {{"OMP_NUM_THREADS=1", NULL}},
        {{"OMP_NUM_THREADS=3", NULL}},
        {{"OMP_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=3", NULL}},
    };
    int n = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; ++i)
        out[n++] = fixed[i];
    static char paths[8][512];
    int k = 0;
    for (char *d = dirs != NULL ? strtok(dirs, ":") : NULL;
         d != NULL && k < 8 && n + 2 <= cap; d = strtok(NULL, ":"), ++k) {
        snprintf(paths[k], sizeof paths[k], "LD_LIBRARY_PATH=%s", d);
        out[n++] = (variant){{paths[k], "OMP_NUM_THREADS=1", NULL}};
        out[n++] = (variant){{paths[k], "OMP_NUM_THREADS=3", NULL}};
    }
    return n;
}

Test(cpu_threads, results_do_not_depend_on_any_thread_setting)
{
    char *dirs = getenv("GINIT_TEST_OPENBLAS_DIRS");
    char *copy = dirs != NULL ? strdup(dirs) : NULL;
    variant v[32];
    int nv = variants(v, 32, copy);
    size_t ref_len = 0;
    char *ref = run_variant(&v[0], "bits", 0, &ref_len);
    cr_assert_gt(ref_len, 0);
    /* Every count on the first variant; none, and 2, on the others. */
    static const int counts[] = {1, 2, 3, 5};
    for (int i = 0; i < nv; ++i)
        for (size_t c = 0; c < (i == 0 ? 4 : 1); ++c) {
            int threads = i == 0 ? counts[c] : 2;
            size_t len = 0;
            char *got = run_variant(&v[i], "bits", threads, &len);
            expect_bits(ref, ref_len, got, len, &v[i], threads);
            free(got);
            if (i > 0) {
                got = run_variant(&v[i], "bits", 0, &len);
                expect_bits(ref, ref_len, got, len, &v[i], 0);
                free(got);
            }
        }
    free(ref);
    free(copy);
}

/* OpenBLAS may start as many threads as there are cores; its idle ones
 * sleep at once with OPENBLAS_THREAD_TIMEOUT=4, so that only work counts. */
Test(cpu_threads, blas_runs_on_no_more_threads_than_the_context_allows)
{
    const variant v = {{"OPENBLAS_NUM_THREADS=4", "OPENBLAS_THREAD_TIMEOUT=4",
                        NULL}};
    for (int threads = 1; threads <= 2; ++threads) {
        size_t len = 0;
        char *out = run_variant(&v, "threads", threads, &len);
        int busy = atoi(out);
        cr_expect(busy >= 1 && busy <= threads,
                  "with %d thread(s) allowed, %d threads ran", threads, busy);
        free(out);
    }
}
