#define _POSIX_C_SOURCE 200809L
/* Threads: "different contexts may be used from different threads freely",
 * and gi_last_error() is per thread. Several threads each build a model on
 * a context of their own, initialize, forward and print it; the exact bits
 * must equal those of the same work done on one thread. Also built with
 * -fsanitize=thread by tests/tsan/run.sh.
 *
 * Worker threads never call cr_assert (Criterion's failures must come from
 * the test's own thread): they record what they saw, and the test checks it
 * after joining them. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_helpers.h"

#define NTHREADS 4
#define ITEMS_PER_THREAD 3
#define NITEMS (NTHREADS * ITEMS_PER_THREAD)

/* One unit of work and what it produced. */
typedef struct work {
    int item;
    int num_threads; /* the context's CPU threads: results never depend on it */
    gi_status status;
    char where[64];   /* the step that failed, if any */
    char error[512];  /* gi_last_error() of that failure */
    uint64_t checksum; /* FNV-1a over every value's bits and the text */
    int64_t nvalues;
    char *text;        /* everything printed, malloc'd */
    size_t text_len;
} work;

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; ++i) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* Adds t's exact bits to the checksum. */
static gi_status hash_tensor(work *w, gi_tensor t)
{
    int64_t n = gi_tensor_numel(t);
    float *h = malloc((size_t)(n > 0 ? n : 1) * sizeof *h);
    if (h == NULL)
        return GI_ERR_OUT_OF_MEMORY;
    gi_status st = gi_tensor_copy_to_host(t, h, (size_t)n * sizeof *h);
    if (st == GI_OK) {
        w->checksum = fnv1a(w->checksum, &n, sizeof n);
        w->checksum = fnv1a(w->checksum, h, (size_t)n * sizeof *h);
        w->nvalues += n;
    }
    free(h);
    return st;
}

static gi_status hash_param(const char *name, gi_tensor p, void *user)
{
    work *w = user;
    w->checksum = fnv1a(w->checksum, name, strlen(name));
    return hash_tensor(w, p);
}

/* apply(): every Linear gets xavier_uniform_ weights and U[-0.1, 0.1)
 * biases from the context's default generator. */
static gi_status init_module(gi_module m, void *user)
{
    (void)user;
    gi_tensor w = gi_module_weight(m), b = gi_module_bias(m);
    gi_status st = GI_OK;
    if (w != NULL)
        st = gi_xavier_uniform_(w, 1.0f, NULL);
    if (st == GI_OK && b != NULL)
        st = gi_uniform_(b, -0.1f, 0.1f, NULL);
    return st;
}

#define STEP(call)                                                            \
    do {                                                                      \
        if (w->status == GI_OK && (w->status = (call)) != GI_OK) {            \
            snprintf(w->where, sizeof w->where, "line %d", __LINE__);         \
            snprintf(w->error, sizeof w->error, "%s", gi_last_error());       \
        }                                                                     \
    } while (0)

/* The work of one item: everything depends on the item number only. */
static void do_work(work *w)
{
    const uint64_t seed = 1000u + (uint64_t)w->item;
    gi_context ctx = NULL;
    gi_generator gen = NULL;
    gi_module kids[3] = {NULL, NULL, NULL}, net = NULL;
    gi_tensor x = NULL, y = NULL, y2 = NULL, big = NULL, m2 = NULL;
    FILE *f = NULL;
    w->status = GI_OK;
    w->checksum = 0xcbf29ce484222325ull;

    STEP(gi_context_create(&ctx, GI_DEVICE_CPU));
    STEP(gi_context_set_num_threads(ctx, w->num_threads));
    STEP(gi_manual_seed(ctx, seed));
    STEP(gi_generator_create(&gen, seed * 7919u));
    STEP(gi_generator_set_stream(gen, (uint64_t)w->item));

    /* Sequential(LazyLinear(16), ReLU(), LazyLinear(4)) */
    STEP(gi_lazy_linear_create(&kids[0], ctx, 16, 1, GI_F32));
    STEP(gi_relu_create(&kids[1], ctx));
    STEP(gi_lazy_linear_create(&kids[2], ctx, 4, 1, GI_F32));
    STEP(gi_sequential_create(&net, ctx, 3, kids));
    if (w->status == GI_OK)
        kids[0] = kids[1] = kids[2] = NULL; /* owned by net now */

    const int64_t xshape[] = {8, 32};
    STEP(gi_rand(&x, ctx, 2, xshape, gen));
    STEP(gi_module_forward(net, x, &y)); /* materializes both layers */
    if (w->status == GI_OK) {
        STEP(hash_tensor(w, y));
        STEP(gi_module_named_parameters(net, hash_param, w));
    }

    /* The initializers, on the parameters and on a tensor of their own. */
    STEP(gi_module_apply(net, init_module, NULL));
    gi_module first = NULL, last = NULL;
    STEP(gi_module_child(net, 0, &first));
    STEP(gi_module_child(net, -1, &last));
    if (w->status == GI_OK) {
        gi_tensor w1 = gi_module_weight(first), w2 = gi_module_weight(last);
        const gi_component mix[] = {{0.25f, GI_COMPONENT_UNIFORM, 5, 10},
                                    {0.5f, GI_COMPONENT_CONSTANT, 0, 0},
                                    {0.25f, GI_COMPONENT_NORMAL, -7, 0.5f}};
        STEP(gi_normal_(w1, 0.0f, 0.02f, gen));
        STEP(gi_trunc_normal_(w1, 0.0f, 1.0f, -2.0f, 2.0f, gen));
        STEP(gi_sparse_(w1, 0.3f, 0.01f, gen));
        STEP(gi_xavier_normal_(w2, 1.0f, gen));
        STEP(gi_kaiming_uniform_(w2, 0.0f, GI_FAN_IN, GI_NONLIN_RELU, gen));
        STEP(gi_orthogonal_(w2, 1.0f, gen));
        STEP(gi_mixture_(gi_module_bias(first), 3, mix, gen));
        STEP(gi_module_named_parameters(net, hash_param, w));
    }
    STEP(gi_module_forward(net, x, &y2));
    if (w->status == GI_OK)
        STEP(hash_tensor(w, y2));

    /* A tensor past the CPU backend's parallel threshold (32768 elements),
     * so that OpenMP builds run these fills on several threads. */
    const int64_t bshape[] = {300, 300};
    const int64_t mshape[] = {64, 40};
    STEP(gi_tensor_create(&big, ctx, GI_F32, 2, bshape));
    STEP(gi_uniform_(big, -3.0f, 3.0f, gen));
    STEP(gi_clamp_(big, -2.0f, 2.0f));
    STEP(gi_normal_(big, 1.0f, 2.0f, NULL));
    STEP(gi_mul_mask_(big, GI_ABS_GE, 1.5f));
    STEP(gi_tensor_create(&m2, ctx, GI_F32, 2, mshape));
    STEP(gi_mixture_(m2, 1, (const gi_component[]){{1.0f, GI_COMPONENT_NORMAL, 0, 1}},
                     gen));
    if (w->status == GI_OK) {
        STEP(hash_tensor(w, big));
        STEP(hash_tensor(w, m2));
    }

    /* Printing into memory. */
    if (w->status == GI_OK) {
        f = open_memstream(&w->text, &w->text_len);
        if (f == NULL) {
            w->status = GI_ERR_IO;
            snprintf(w->where, sizeof w->where, "open_memstream");
        }
    }
    STEP(gi_module_print(net, f));
    STEP(gi_tensor_print(y2, f));
    STEP(gi_tensor_print(gi_module_weight(first), f));
    STEP(gi_tensor_print(big, f));
    STEP(gi_tensor_print_shape(big, f));
    if (f != NULL && fclose(f) != 0 && w->status == GI_OK)
        w->status = GI_ERR_IO;
    if (w->status == GI_OK && w->text != NULL)
        w->checksum = fnv1a(w->checksum, w->text, w->text_len);
    uint64_t offs[2] = {gi_generator_offset(gen),
                        gi_generator_offset(gi_context_generator(ctx))};
    w->checksum = fnv1a(w->checksum, offs, sizeof offs);

    gi_tensor_destroy(x);
    gi_tensor_destroy(y);
    gi_tensor_destroy(y2);
    gi_tensor_destroy(big);
    gi_tensor_destroy(m2);
    for (int i = 0; i < 3; ++i)
        gi_module_destroy(kids[i]);
    gi_module_destroy(net);
    gi_generator_destroy(gen);
    gi_context_destroy(ctx);
}

static void work_free(work *w)
{
    free(w->text);
    w->text = NULL;
}

typedef struct worker {
    int tid;
    work *items;
} worker;

static void *run_worker(void *arg)
{
    worker *wk = arg;
    /* Interleaved items, so that every thread does a bit of everything. */
    for (int i = wk->tid; i < NITEMS; i += NTHREADS)
        do_work(&wk->items[i]);
    return NULL;
}

static void expect_ok(const work *w)
{
    cr_assert_eq(w->status, GI_OK, "item %d failed at %s: %s (%s)", w->item,
                 w->where, w->error, gi_status_name(w->status));
}

Test(threads, contexts_on_threads_give_the_bits_of_one_thread)
{
    static work par[NITEMS], seq[NITEMS];
    pthread_t th[NTHREADS];
    worker wk[NTHREADS];
    for (int i = 0; i < NITEMS; ++i) {
        par[i] = (work){.item = i, .num_threads = 2};
        seq[i] = (work){.item = i, .num_threads = 1};
    }
    for (int t = 0; t < NTHREADS; ++t) {
        wk[t] = (worker){t, par};
        cr_assert_eq(pthread_create(&th[t], NULL, run_worker, &wk[t]), 0);
    }
    for (int t = 0; t < NTHREADS; ++t)
        cr_assert_eq(pthread_join(th[t], NULL), 0);

    for (int i = 0; i < NITEMS; ++i)
        do_work(&seq[i]);

    for (int i = 0; i < NITEMS; ++i) {
        expect_ok(&par[i]);
        expect_ok(&seq[i]);
        cr_expect_gt(par[i].nvalues, 90000);
        cr_expect_eq(par[i].nvalues, seq[i].nvalues, "item %d", i);
        cr_expect_eq(par[i].checksum, seq[i].checksum,
                     "item %d: %016llx on a thread, %016llx alone", i,
                     (unsigned long long)par[i].checksum,
                     (unsigned long long)seq[i].checksum);
        cr_expect_eq(par[i].text_len, seq[i].text_len, "item %d", i);
        if (par[i].text_len == seq[i].text_len)
            cr_expect(memcmp(par[i].text, seq[i].text, par[i].text_len) == 0,
                      "item %d printed differently", i);
        if (i > 0) /* different seeds: different models */
            cr_expect_neq(seq[i].checksum, seq[i - 1].checksum);
    }
    cr_expect(strstr(seq[0].text, "Sequential(\n  (0): Linear(in_features=32, "
                                  "out_features=16, bias=True)") != NULL,
              "%.200s", seq[0].text);
    for (int i = 0; i < NITEMS; ++i) {
        work_free(&par[i]);
        work_free(&seq[i]);
    }
}

/* ---- gi_last_error() per thread ------------------------------------------ */

typedef struct err_worker {
    int tid;
    pthread_barrier_t *barrier;
    char initial[64];   /* gi_last_error() before any failure */
    char own[256];      /* the message of this thread's failure */
    char after_all[256];   /* after every thread failed */
    char after_other[256]; /* after thread 0 failed once more */
    gi_status st1, st2;
} err_worker;

static void *run_err_worker(void *arg)
{
    err_worker *e = arg;
    gi_context ctx = NULL;
    gi_tensor t = NULL;
    const int64_t n = 4;
    snprintf(e->initial, sizeof e->initial, "%s", gi_last_error());
    int ok = gi_context_create(&ctx, GI_DEVICE_CPU) == GI_OK &&
             gi_tensor_create(&t, ctx, GI_F32, 1, &n) == GI_OK;
    /* 1: every thread fails with a message naming its own value. */
    e->st1 = ok ? gi_normal_(t, 0.0f, -(float)(e->tid + 1), NULL)
                : GI_ERR_INTERNAL;
    snprintf(e->own, sizeof e->own, "%s", gi_last_error());
    pthread_barrier_wait(e->barrier);
    snprintf(e->after_all, sizeof e->after_all, "%s", gi_last_error());
    pthread_barrier_wait(e->barrier);
    /* 2: thread 0 fails differently while the others wait; a success
     * elsewhere leaves a thread's message as it was. */
    if (e->tid == 0)
        e->st2 = gi_tensor_select(&(gi_tensor){NULL}, t, 99);
    else
        e->st2 = ok ? gi_fill_(t, 1.0f) : GI_ERR_INTERNAL;
    pthread_barrier_wait(e->barrier);
    snprintf(e->after_other, sizeof e->after_other, "%s", gi_last_error());
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
    return NULL;
}

Test(threads, last_error_is_per_thread)
{
    /* A message on the test's thread, which no worker may see or change. */
    double out = 0.0;
    cr_assert_eq(gi_tensor_item(NULL, &out), GI_ERR_NULL_ARGUMENT);
    char mine[256];
    snprintf(mine, sizeof mine, "%s", gi_last_error());
    cr_assert(strstr(mine, "gi_tensor_item") != NULL, "%s", mine);

    pthread_barrier_t barrier;
    cr_assert_eq(pthread_barrier_init(&barrier, NULL, NTHREADS), 0);
    pthread_t th[NTHREADS];
    err_worker e[NTHREADS];
    for (int t = 0; t < NTHREADS; ++t) {
        memset(&e[t], 0, sizeof e[t]);
        e[t].tid = t;
        e[t].barrier = &barrier;
        cr_assert_eq(pthread_create(&th[t], NULL, run_err_worker, &e[t]), 0);
    }
    for (int t = 0; t < NTHREADS; ++t)
        cr_assert_eq(pthread_join(th[t], NULL), 0);
    pthread_barrier_destroy(&barrier);

    for (int t = 0; t < NTHREADS; ++t) {
        char value[32];
        snprintf(value, sizeof value, "got %d", -(t + 1));
        cr_expect_str_eq(e[t].initial, "", "thread %d starts with no error", t);
        cr_expect_eq(e[t].st1, GI_ERR_INVALID_ARGUMENT, "thread %d", t);
        cr_expect(strstr(e[t].own, "gi_normal_") != NULL &&
                  strstr(e[t].own, value) != NULL,
                  "thread %d: '%s' should name %s", t, e[t].own, value);
        cr_expect_str_eq(e[t].after_all, e[t].own,
                         "thread %d's message changed when others failed", t);
        if (t == 0) {
            cr_expect_eq(e[t].st2, GI_ERR_OUT_OF_RANGE);
            cr_expect(strstr(e[t].after_other, "gi_tensor_select") != NULL,
                      "%s", e[t].after_other);
        } else {
            cr_expect_eq(e[t].st2, GI_OK);
            cr_expect_str_eq(e[t].after_other, e[t].own,
                             "thread %d's message changed when thread 0 "
                             "failed", t);
        }
    }
    cr_expect_str_eq(gi_last_error(), mine,
                     "the test thread's message changed");
}
