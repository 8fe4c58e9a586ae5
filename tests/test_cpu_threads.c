/* The CPU backend's threads: results never depend on the context's thread
 * count, on OMP_NUM_THREADS or on OpenBLAS's own thread setting; BLAS runs
 * on no more threads than the context allows; a child made by fork()
 * after parallel work repeats that work, with the same bits.
 *
 * The OpenMP runtime and OpenBLAS read their environment when they load,
 * so each setting runs in a child process: thread_variant, spawned with
 * the environment changed (see tests/thread_variant.c). Other builds of
 * OpenBLAS (Debian's openblas-openmp and openblas-serial directories, say)
 * join the variants when GINIT_TEST_OPENBLAS_DIRS lists their directories,
 * separated by ':'. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
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

/* ---- fork() ---------------------------------------------------------- */

#define NRESULTS 4

typedef struct results {
    float *v[NRESULTS];
    int64_t n[NRESULTS];
} results;

static gi_status keep(results *r, int i, gi_tensor t)
{
    r->n[i] = gi_tensor_numel(t);
    r->v[i] = malloc((size_t)r->n[i] * sizeof(float));
    if (r->v[i] == NULL)
        return GI_ERR_OUT_OF_MEMORY;
    return gi_tensor_copy_to_host(t, r->v[i], (size_t)r->n[i] * sizeof(float));
}

static void results_free(results *r)
{
    for (int i = 0; i < NRESULTS; ++i)
        free(r->v[i]);
}

static int same_results(const results *a, const results *b)
{
    for (int i = 0; i < NRESULTS; ++i)
        if (a->n[i] != b->n[i] ||
            memcmp(a->v[i], b->v[i], (size_t)a->n[i] * sizeof(float)) != 0)
            return 0;
    return 1;
}

#define STEP(call)                                                            \
    do {                                                                      \
        if (st == GI_OK)                                                      \
            st = (call);                                                      \
    } while (0)

/* Fills (zeros, normal_, Linear's default init, gi_module_init_), a
 * forward and orthogonal_, each past the parallel thresholds; host copies
 * of the results go to r. No Criterion calls: a forked child runs it too. */
static gi_status parallel_work(gi_context ctx, results *r)
{
    const int64_t shape[] = {300, 400};
    const gi_init kaiming = {.kind = GI_INIT_KAIMING_UNIFORM,
                             .nonlinearity = GI_NONLIN_RELU};
    gi_tensor x = NULL, y = NULL, q = NULL;
    gi_module kids[2] = {NULL, NULL}, net = NULL, first = NULL;
    gi_status st = gi_manual_seed(ctx, 11);
    STEP(gi_tensor_create(&x, ctx, GI_F32, 2, shape));
    STEP(gi_normal_(x, 0.0f, 1.0f, NULL));
    STEP(gi_linear_create(&kids[0], ctx, 400, 300, 1, GI_F32));
    STEP(gi_linear_create(&kids[1], ctx, 300, 200, 1, GI_F32));
    STEP(gi_sequential_create(&net, ctx, 2, kids));
    if (st == GI_OK)
        kids[0] = kids[1] = NULL; /* owned by net */
    STEP(gi_module_child(net, 0, &first));
    STEP(keep(r, 0, gi_module_weight(first)));
    STEP(gi_module_init_(net, &kaiming, NULL, NULL));
    STEP(keep(r, 1, gi_module_weight(first)));
    STEP(gi_module_forward(net, x, &y));
    STEP(keep(r, 2, y));
    STEP(gi_tensor_create(&q, ctx, GI_F32, 2, shape));
    STEP(gi_orthogonal_(q, 1.0f, NULL));
    STEP(keep(r, 3, q));
    gi_tensor_destroy(x);
    gi_tensor_destroy(y);
    gi_tensor_destroy(q);
    gi_module_destroy(kids[0]);
    gi_module_destroy(kids[1]);
    gi_module_destroy(net);
    return st;
}

/* The child's side: the same work on the parent's context and on a new
 * one, within 20 s. Exit status 0: the parent's bits; 1: other bits; 2: a
 * call failed. */
static int repeat_in_child(gi_context ctx, const results *parent)
{
    alarm(20);
    gi_context fresh = NULL;
    results same = {{NULL}, {0}}, other = {{NULL}, {0}};
    if (parallel_work(ctx, &same) != GI_OK ||
        gi_context_create(&fresh, GI_DEVICE_CPU) != GI_OK ||
        parallel_work(fresh, &other) != GI_OK)
        return 2;
    return same_results(parent, &same) && same_results(parent, &other) ? 0
                                                                        : 1;
}

Test(cpu_threads, a_forked_child_repeats_parallel_work_with_the_same_bits)
{
    gi_context ctx = cpu_context();
    /* Two threads even on one core, so that the OpenMP runtime has
     * workers for the fork to lose. */
    cr_assert_eq(gi_context_set_num_threads(ctx, 2), GI_OK);
    results parent = {{NULL}, {0}};
    cr_assert_eq(parallel_work(ctx, &parent), GI_OK, "%s", gi_last_error());
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0)
        _exit(repeat_in_child(ctx, &parent));
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(!WIFSIGNALED(status) || WTERMSIG(status) != SIGALRM,
              "the child hung: its alarm ended it after 20 s");
    cr_assert(WIFEXITED(status), "the child died of signal %d",
              WTERMSIG(status));
    cr_expect_neq(WEXITSTATUS(status), 2, "a call failed in the child");
    cr_expect_neq(WEXITSTATUS(status), 1,
                  "the child's results differ from the parent's");
    cr_expect_eq(WEXITSTATUS(status), 0);
    results_free(&parent);
    gi_context_destroy(ctx);
}
