/* The child side of tests/test_cpu_threads.c, which runs this program
 * under environments that the OpenMP runtime and OpenBLAS read when they
 * load (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, another OpenBLAS build):
 *
 *   thread_variant bits N     writes to stdout the raw bits of orthogonal_
 *                             and forward results computed on a CPU context
 *                             with gi_context_set_num_threads(ctx, N)
 *   thread_variant threads N  the same kind of work, larger; prints how
 *                             many threads of the process used at least
 *                             GI_BUSY_TICKS of CPU time meanwhile
 *
 * Exits 0 on success, 1 on a ginit failure (the message on stderr), 2 on
 * bad usage; a run that hangs is ended by SIGALRM after a minute. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ginit.h"

/* CPU time (clock ticks, usually 10 ms) that counts as having run. */
#define GI_BUSY_TICKS 3
#define MAX_TASKS 256

#define TRY(call)                                                             \
    do {                                                                      \
        gi_status st_ = (call);                                               \
        if (st_ != GI_OK) {                                                   \
            fprintf(stderr, "%s: %s\n", #call, gi_last_error());             \
            exit(1);                                                          \
        }                                                                     \
    } while (0)

static void write_bits(gi_tensor t)
{
    size_t n = (size_t)gi_tensor_numel(t);
    float *h = malloc(n * sizeof *h);
    if (h == NULL)
        exit(1);
    TRY(gi_tensor_copy_to_host(t, h, n * sizeof *h));
    if (fwrite(h, sizeof *h, n, stdout) != n)
        exit(1);
    free(h);
}

static gi_tensor orthogonal(gi_context ctx, int64_t rows, int64_t cols)
{
    const int64_t shape[] = {rows, cols};
    gi_tensor t = NULL;
    TRY(gi_tensor_create(&t, ctx, GI_F32, 2, shape));
    TRY(gi_orthogonal_(t, 1.0f, NULL));
    return t;
}

/* Linear(in, out) on a rows x in N(0, 1) input, followed by a ReLU (the
 * fused step) when relu is set. */
static gi_tensor forward(gi_context ctx, int64_t rows, int64_t in,
                         int64_t out, int relu)
{
    gi_module kids[2] = {NULL, NULL}, net = NULL;
    gi_tensor x = NULL, y = NULL;
    const int64_t shape[] = {rows, in};
    TRY(gi_linear_create(&kids[0], ctx, in, out, 1, GI_F32));
    if (relu)
        TRY(gi_relu_create(&kids[1], ctx));
    TRY(gi_sequential_create(&net, ctx, relu ? 2 : 1, kids));
    TRY(gi_randn(&x, ctx, 2, shape, NULL));
    TRY(gi_module_forward(net, x, &y));
    gi_tensor_destroy(x);
    gi_module_destroy(net);
    return y;
}

static void bits(gi_context ctx)
{
    gi_tensor r[] = {orthogonal(ctx, 300, 400), orthogonal(ctx, 400, 300),
                     forward(ctx, 300, 400, 300, 0),
                     forward(ctx, 700, 1024, 1000, 1)};
    for (size_t i = 0; i < sizeof r / sizeof r[0]; ++i) {
        write_bits(r[i]);
        gi_tensor_destroy(r[i]);
    }
}

/* One thread's CPU time so far: utime + stime in clock ticks. */
typedef struct task {
    long tid;
    long long ticks;
} task;

/* Every thread of this process, from /proc/self/task; returns how many
 * were read (0 where /proc is not there). */
static int read_tasks(task *tasks, int cap)
{
    DIR *d = opendir("/proc/self/task");
    if (d == NULL)
        return 0;
    int n = 0;
    for (struct dirent *e; n < cap && (e = readdir(d)) != NULL;) {
        char path[300], buf[1024];
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        size_t len = f != NULL ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f != NULL)
            fclose(f);
        buf[len] = '\0';
        /* utime and stime are fields 14 and 15; the name (field 2) ends
         * at the last ')'. */
        char *p = strrchr(buf, ')');
        long long ut = 0, st = 0;
        if (p != NULL && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
                                       "%*u %*u %lld %lld", &ut, &st) == 2)
            tasks[n++] = (task){atol(e->d_name), ut + st};
    }
    closedir(d);
    return n;
}

/* The threads whose CPU time grew by GI_BUSY_TICKS or more during the
 * work (a thread started meanwhile counts from 0). */
static int busy_threads(gi_context ctx)
{
    static task before[MAX_TASKS], after[MAX_TASKS];
    int n0 = read_tasks(before, MAX_TASKS);
    for (int i = 0; i < 4; ++i)
        gi_tensor_destroy(forward(ctx, 1024, 1024, 1024, 0));
    gi_tensor_destroy(orthogonal(ctx, 1024, 1024));
    int n1 = read_tasks(after, MAX_TASKS), busy = 0;
    for (int i = 0; i < n1; ++i) {
        long long start = 0;
        for (int j = 0; j < n0; ++j)
            if (before[j].tid == after[i].tid)
                start = before[j].ticks;
        busy += after[i].ticks - start >= GI_BUSY_TICKS;
    }
    return busy;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "bits") != 0 &&
                      strcmp(argv[1], "threads") != 0)) {
        fprintf(stderr, "usage: %s bits|threads NUM_THREADS\n", argv[0]);
        return 2;
    }
    alarm(60);
    gi_context ctx = NULL;
    TRY(gi_context_create(&ctx, GI_DEVICE_CPU));
    TRY(gi_context_set_num_threads(ctx, atoi(argv[2])));
    TRY(gi_manual_seed(ctx, 7));
    if (strcmp(argv[1], "bits") == 0)
        bits(ctx);
    else
        printf("%d\n", busy_threads(ctx));
    gi_context_destroy(ctx);
    return fflush(stdout) == 0 ? 0 : 1;
}
