/*
 * Allocation failures (build with -DGINIT_FAULT_INJECTION=ON): one scenario
 * (a nested tree, LazyLinear's first forward, every initializer, a whole
 * tree's initialization, orthogonal weights included, printing, views;
 * one over the dtypes: their fills, conversions and printing; one of the
 * chapter on a torch_cpu generator; one of shards; and one of DLPack
 * export and import)
 * runs
 * again and again, the n-th allocation failing in run n, until a run
 * needs fewer than n allocations. Each failing call must return
 * GI_ERR_OUT_OF_MEMORY with a message, leave its objects as they were (a
 * failed initializer keeps the old values, a failed forward keeps the tree
 * lazy and the generator where it was), and everything stays destroyable;
 * under AddressSanitizer, LeakSanitizer proves nothing leaks.
 */
#define _POSIX_C_SOURCE 200809L
#include "st_files.h" /* first: it asks for nftw */
#include <dirent.h>
#include <stddef.h>
#include <string.h>

#include <dlpack/dlpack.h>

#include "core/alloc.h"
#include "test_helpers.h"

/* A failing step: OOM with a message naming a function, then clean up. */
#define STEP(call)                                                            \
    do {                                                                      \
        gi_status st_ = (call);                                               \
        if (st_ != GI_OK) {                                                   \
            cr_expect_eq(st_, GI_ERR_OUT_OF_MEMORY, "%s -> %s: %s", #call,    \
                         gi_status_name(st_), gi_last_error());               \
            cr_expect(strstr(gi_last_error(), "gi_") == gi_last_error(),      \
                      "%s", gi_last_error());                                 \
            goto cleanup;                                                     \
        }                                                                     \
    } while (0)

static gi_status init_sparse(gi_tensor t) { return gi_sparse_(t, 0.5f, 1, NULL); }
static gi_status init_ortho(gi_tensor t) { return gi_orthogonal_(t, 1, NULL); }
static gi_status init_trunc(gi_tensor t) { return gi_trunc_normal_(t, 0, 1, -2, 2, NULL); }
static gi_status init_xavier(gi_tensor t) { return gi_xavier_normal_(t, 1, NULL); }
static gi_status init_kaiming(gi_tensor t)
{
    return gi_kaiming_uniform_(t, 0, GI_FAN_IN, GI_NONLIN_RELU, NULL);
}
static gi_status init_eye(gi_tensor t) { return gi_eye_(t); }
static gi_status init_lecun(gi_tensor t) { return gi_lecun_normal_(t, NULL); }
static gi_status init_mixture(gi_tensor t)
{
    const gi_component c[] = {{0.5f, GI_COMPONENT_NORMAL, 0, 1},
                              {0.5f, GI_COMPONENT_CONSTANT, 3, 0}};
    return gi_mixture_(t, 2, c, NULL);
}

/* An initializer that fails must leave the values and the offset. */
static gi_status checked_init(gi_tensor w, gi_status (*init)(gi_tensor))
{
    gi_generator g = gi_context_generator(gi_tensor_context(w));
    uint64_t offset = gi_generator_offset(g);
    size_t bytes = (size_t)gi_tensor_numel(w) * sizeof(float);
    float *before = to_host(w);
    gi_status st = init(w);
    if (st != GI_OK) {
        float *after = to_host(w);
        cr_expect(memcmp(before, after, bytes) == 0,
                  "a failed initializer changed the tensor");
        cr_expect_eq(gi_generator_offset(g), offset);
        free(after);
    }
    free(before);
    return st;
}

/* A whole tree's initialization by weight spec w that fails must leave
 * every parameter and the offset (orthogonal_: a workspace or a QR that
 * fails after another weight's QR has run). */
static gi_status checked_module_init(gi_module net, gi_init_kind kind)
{
    const gi_init w = {.kind = kind, .a = 1.0f};
    const gi_init b = {.kind = GI_INIT_ZEROS};
    gi_generator g = gi_context_generator(gi_module_context(net));
    uint64_t offset = gi_generator_offset(g);
    params ps = params_of(net);
    snapshot before = take(&ps);
    gi_status st = gi_module_init_(net, &w, &b, NULL);
    if (st != GI_OK) {
        cr_assert_eq(params_of(net).n, ps.n);
        snapshot after = take(&ps);
        expect_same(&ps, &before, &after, "a failed gi_module_init_");
        cr_expect_eq(gi_generator_offset(g), offset);
        drop(&after);
    }
    drop(&before);
    return st;
}

static gi_status write_to_null(gi_tensor t, gi_module m)
{
    FILE *f = fopen("/dev/null", "w");
    cr_assert_not_null(f);
    gi_status st = gi_tensor_print(t, f);
    if (st == GI_OK)
        st = gi_module_print(m, f);
    fclose(f);
    return st;
}

/* Runs scenario with its n-th allocation failing, n = 1, 2, ..., until a
 * run completes with fewer than n: every allocation it makes failed once.
 * It must make at least min of them (the hook is live). */
static void sweep(int (*scenario)(int64_t), const char *what, int64_t min)
{
    int64_t n = 1;
    while (!scenario(n))
        cr_assert_lt(++n, 100000, "the %s scenario never completes", what);
    cr_log_info("the %s scenario makes %lld allocations; each one failed once",
                what, (long long)(n - 1));
    cr_expect_gt(n, min, "the %s scenario allocates", what);
}

/* ---- the torch_cpu generator ---------------------------------------- */

#define TORCH_STATE 5056

static void torch_state(gi_context ctx, unsigned char *out)
{
    size_t n = 0;
    cr_assert_eq(gi_generator_get_state(gi_context_generator(ctx), out,
                                        TORCH_STATE, &n), GI_OK);
}

/* A torch_cpu step: a failing call must keep the state bytes and, for
 * the forward, the laziness of lazy (NULL: none). */
#define TORCH_STEP(ctx, lazy, call)                                           \
    do {                                                                      \
        unsigned char before_[TORCH_STATE], after_[TORCH_STATE];              \
        torch_state(ctx, before_);                                            \
        gi_status ts_ = (call);                                               \
        torch_state(ctx, after_);                                             \
        if (ts_ != GI_OK) {                                                   \
            cr_expect(memcmp(before_, after_, TORCH_STATE) == 0,              \
                      "%s failed and moved the generator", #call);            \
            if ((lazy) != NULL)                                               \
                cr_expect_eq(gi_module_kind_of(lazy),                         \
                             GI_MODULE_LAZY_LINEAR);                          \
        }                                                                     \
        STEP(ts_);                                                            \
    } while (0)

/* The chapter on a torch_cpu default generator, then trunc_normal_ (both
 * methods: the rejection one needs a workspace),
 * sparse_ (whose permutation shares the values' host block) and
 * orthogonal_ (its workspace and LAPACK's): its host buffers and its
 * upload fail one at a time. */
static int torch_scenario(int64_t n)
{
    gi_context ctx = NULL;
    gi_generator gen = NULL;
    gi_module kids[2] = {NULL, NULL}, net = NULL, lin = NULL;
    gi_tensor x = NULL, y = NULL;
    int completed = 0;

    gi_fault_fail_at(n);
    STEP(gi_context_create(&ctx, GI_DEVICE_CPU));
    STEP(gi_context_set_generator_kind(ctx, GI_GENERATOR_TORCH_CPU));
    STEP(gi_manual_seed(ctx, 42));
    STEP(gi_generator_create_kind(&gen, GI_GENERATOR_TORCH_CPU, 1));
    STEP(gi_lazy_linear_create(&kids[0], ctx, 8, 1, GI_F32));
    STEP(gi_relu_create(&kids[1], ctx));
    STEP(gi_sequential_create(&net, ctx, 2, kids));
    gi_module first = kids[0];
    kids[0] = kids[1] = NULL;
    TORCH_STEP(ctx, NULL, gi_rand(&x, ctx, 2, (const int64_t[]){2, 4}, NULL));
    TORCH_STEP(ctx, first, gi_module_forward(net, x, &y));
    cr_assert_eq(gi_module_child(net, 0, &first), GI_OK);
    TORCH_STEP(ctx, NULL, checked_init(gi_module_weight(first), init_kaiming));
    TORCH_STEP(ctx, NULL,
               gi_module_init_(net, &(gi_init){.kind = GI_INIT_NORMAL,
                                               .b = 0.01},
                               &(gi_init){.kind = GI_INIT_ZEROS}, NULL));
    TORCH_STEP(ctx, NULL, gi_linear_create(&lin, ctx, 4, 8, 1, GI_F32));
    TORCH_STEP(ctx, NULL, gi_trunc_normal_(gi_module_weight(lin), 0, 1, -2,
                                           2, NULL));
    STEP(gi_generator_set_torch_trunc(gi_context_generator(ctx),
                                      GI_TORCH_TRUNC_REJECTION));
    TORCH_STEP(ctx, NULL, gi_trunc_normal_(gi_module_weight(lin), 1, 3, 0.5,
                                           0.75, NULL));
    TORCH_STEP(ctx, NULL, gi_sparse_(gi_module_weight(lin), 0.5, 0.01,
                                     NULL));
    TORCH_STEP(ctx, NULL, gi_orthogonal_(gi_module_weight(lin), 2.0, NULL));
    completed = gi_fault_count() < n;

cleanup:
    gi_fault_fail_at(0);
    gi_module_destroy(lin);
    gi_tensor_destroy(y);
    gi_tensor_destroy(x);
    gi_module_destroy(net);
    for (int i = 0; i < 2; ++i)
        gi_module_destroy(kids[i]);
    gi_generator_destroy(gen);
    gi_context_destroy(ctx);
    return completed;
}

Test(faults, every_torch_generator_failure_is_reported_and_cleaned_up)
{
    sweep(torch_scenario, "torch_cpu", 10);
}

/* The caller's memory of the scenario: released exactly once when a
 * tensor took it, never when the call that would have taken it failed. */
static float blob_memory[12];
static int blob_releases;

static void count_blob_release(void *data, void *user)
{
    (void)user;
    cr_expect_eq(data, (void *)blob_memory);
    blob_releases++;
}

/* The scenario; returns 1 when it ran to the end with fewer than n
 * allocations (so no failure was injected). */
static int scenario(int64_t n)
{
    gi_context ctx = NULL;
    gi_module kids[3] = {NULL, NULL, NULL}, inner[2] = {NULL, NULL};
    gi_module net = NULL, sub = NULL;
    gi_tensor x = NULL, y = NULL, view = NULL, copy = NULL;
    gi_tensor flat = NULL, carved = NULL, blob = NULL, blob_view = NULL;
    gi_status (*const inits[])(gi_tensor) = {
        init_sparse, init_ortho, init_trunc, init_xavier, init_kaiming,
        init_eye, init_lecun, init_mixture};
    int completed = 0;

    blob_releases = 0;
    gi_fault_fail_at(n);
    STEP(gi_context_create(&ctx, GI_DEVICE_CPU));
    STEP(gi_lazy_linear_create(&kids[0], ctx, 8, 1, GI_F32));
    STEP(gi_relu_create(&kids[1], ctx));
    STEP(gi_linear_create(&inner[0], ctx, 8, 4, 1, GI_F32));
    STEP(gi_lazy_linear_create(&inner[1], ctx, 2, 0, GI_F32));
    STEP(gi_sequential_create(&sub, ctx, 2, inner));
    inner[0] = inner[1] = NULL; /* owned by sub now */
    kids[2] = sub;
    sub = NULL;
    STEP(gi_sequential_create(&net, ctx, 0, NULL));
    for (int i = 0; i < 3; ++i) {
        STEP(gi_sequential_append(net, kids[i]));
        kids[i] = NULL;
    }
    const int64_t xs[] = {3, 4};
    STEP(gi_rand(&x, ctx, 2, xs, NULL));
    {
        uint64_t offset = gi_generator_offset(gi_context_generator(ctx));
        gi_module first = NULL;
        cr_assert_eq(gi_module_child(net, 0, &first), GI_OK);
        gi_status st = gi_module_forward(net, x, &y);
        if (st != GI_OK) {
            cr_expect_eq(gi_module_kind_of(first), GI_MODULE_LAZY_LINEAR);
            cr_expect_eq(gi_generator_offset(gi_context_generator(ctx)), offset);
        }
        STEP(st);
    }
    gi_module first = NULL;
    cr_assert_eq(gi_module_child(net, 0, &first), GI_OK);
    gi_tensor w = gi_module_weight(first);
    for (size_t i = 0; i < sizeof inits / sizeof *inits; ++i)
        STEP(checked_init(w, inits[i]));
    STEP(checked_module_init(net, GI_INIT_XAVIER_UNIFORM));
    STEP(checked_module_init(net, GI_INIT_ORTHOGONAL));
    STEP(gi_tensor_select(&view, w, 1));
    STEP(gi_tensor_clone(&copy, view));
    STEP(gi_tensor_view(&flat, w, 1, (const int64_t[]){-1}));
    STEP(gi_tensor_view_range(&carved, flat, 2, 2, (const int64_t[]){2, 3}));
    STEP(checked_init(carved, inits[0]));
    STEP(gi_tensor_from_blob(&blob, ctx, blob_memory, GI_F32, 2,
                             (const int64_t[]){3, 4}, count_blob_release,
                             NULL));
    STEP(gi_tensor_view(&blob_view, blob, 2, (const int64_t[]){-1, 6}));
    STEP(checked_init(blob_view, inits[3]));
    STEP(write_to_null(w, net));
    completed = gi_fault_count() < n;

cleanup:
    gi_fault_fail_at(0);
    {
        const int lent = blob != NULL;
        gi_tensor_destroy(blob_view);
        gi_tensor_destroy(blob);
        cr_expect_eq(blob_releases, lent, "the caller's memory went back "
                     "%d times", blob_releases);
    }
    gi_tensor_destroy(copy);
    gi_tensor_destroy(view);
    gi_tensor_destroy(carved);
    gi_tensor_destroy(flat);
    gi_tensor_destroy(y);
    gi_tensor_destroy(x);
    gi_module_destroy(net);
    gi_module_destroy(sub);
    for (int i = 0; i < 3; ++i)
        gi_module_destroy(kids[i]);
    for (int i = 0; i < 2; ++i)
        gi_module_destroy(inner[i]);
    gi_context_destroy(ctx);
    return completed;
}

Test(faults, every_allocation_failure_is_reported_and_cleaned_up)
{
    sweep(scenario, "main", 20);
}

/* Shards: every initializer but orthogonal_ on a box shard (cut into
 * runs, whose table is allocated) and a flat one, then a tree of
 * parallel Linears and its initialization. */
static int shard_scenario(int64_t n)
{
    gi_context ctx = NULL;
    gi_tensor box = NULL, flat = NULL;
    gi_module kids[2] = {NULL, NULL}, net = NULL;
    gi_status (*const inits[])(gi_tensor) = {
        init_sparse, init_trunc, init_xavier, init_kaiming, init_eye,
        init_lecun, init_mixture};
    int completed = 0;

    gi_fault_fail_at(n);
    STEP(gi_context_create(&ctx, GI_DEVICE_CPU));
    STEP(gi_tensor_create(&box, ctx, GI_F32, 2, (const int64_t[]){3, 4}));
    STEP(gi_tensor_create(&flat, ctx, GI_F32, 2, (const int64_t[]){3, 4}));
    cr_assert_eq(gi_tensor_set_shard(box, 2, (const int64_t[]){6, 8},
                                     (const int64_t[]){3, 4}), GI_OK);
    cr_assert_eq(gi_tensor_set_flat_shard(flat, 2, (const int64_t[]){6, 8},
                                          13), GI_OK);
    for (size_t i = 0; i < sizeof inits / sizeof *inits; ++i) {
        STEP(checked_init(box, inits[i]));
        STEP(checked_init(flat, inits[i]));
    }
    STEP(gi_linear_create_parallel(&kids[0], ctx, 8, 3, 1, GI_F32,
                                   GI_LINEAR_COLUMN, 6, 3));
    STEP(gi_linear_create_parallel(&kids[1], ctx, 3, 5, 1, GI_F32,
                                   GI_LINEAR_ROW, 6, 3));
    STEP(gi_sequential_create(&net, ctx, 2, kids));
    kids[0] = kids[1] = NULL; /* owned by net now */
    STEP(checked_module_init(net, GI_INIT_XAVIER_UNIFORM));
    completed = gi_fault_count() < n;

cleanup:
    gi_fault_fail_at(0);
    gi_module_destroy(net);
    for (int i = 0; i < 2; ++i)
        gi_module_destroy(kids[i]);
    gi_tensor_destroy(flat);
    gi_tensor_destroy(box);
    gi_context_destroy(ctx);
    return completed;
}

Test(faults, every_shard_failure_is_reported_and_cleaned_up)
{
    sweep(shard_scenario, "shards", 10);
}

/* A malloc'd copy of t's bytes, any dtype; its size in *bytes. */
static void *bytes_of(gi_tensor t, size_t *bytes)
{
    const gi_dtype dt = gi_tensor_dtype(t);
    *bytes = (size_t)gi_tensor_numel(t) *
             (dt == GI_F64 ? 8 : dt == GI_F32 ? 4 : 2);
    void *h = malloc(*bytes);
    cr_assert_not_null(h);
    cr_assert_eq(gi_tensor_copy_to_host(t, h, *bytes), GI_OK);
    return h;
}

/* The dtype scenario's tensors: float16, bfloat16, float64, float32. */
typedef struct dtensors {
    gi_tensor h, b, d, f;
} dtensors;

/* A CPU context and the four tensors of shape on it; what was made before
 * a failure is the caller's to destroy. */
static gi_status open_dtensors(gi_context *ctx, dtensors *t,
                               const int64_t *shape)
{
    gi_status st = gi_context_create(ctx, GI_DEVICE_CPU);
    gi_tensor *const each[] = {&t->h, &t->b, &t->d, &t->f};
    const gi_dtype dt[] = {GI_F16, GI_BF16, GI_F64, GI_F32};
    for (int i = 0; i < 4 && st == GI_OK; ++i)
        st = gi_tensor_create(each[i], *ctx, dt[i], 2, shape);
    return st;
}

/* The dtype scenario's calls that write one tensor: initializers,
 * conversions, an operation. */
static gi_status dt_uniform(dtensors *t)
{
    return gi_uniform_(t->h, -1, 1, NULL);
}
static gi_status dt_normal(dtensors *t)
{
    return gi_normal_(t->d, 0, 1, NULL);
}
static gi_status dt_trunc(dtensors *t)
{
    return gi_trunc_normal_(t->b, 0, 1, -2, 2, NULL);
}
static gi_status dt_sparse(dtensors *t)
{
    return gi_sparse_(t->h, 0.5, 1, NULL);
}
static gi_status dt_kaiming64(dtensors *t)
{
    return gi_kaiming_normal_(t->d, 0, GI_FAN_OUT, GI_NONLIN_RELU, NULL);
}
static gi_status dt_constant(dtensors *t)
{
    return gi_constant_(t->b, 0.1);
}
static gi_status dt_copy_down(dtensors *t)
{
    return gi_tensor_copy_(t->h, t->d);
}
static gi_status dt_copy_up(dtensors *t)
{
    return gi_tensor_copy_(t->d, t->b);
}
static gi_status dt_copy_f32(dtensors *t)
{
    return gi_tensor_copy_(t->f, t->h);
}
static gi_status dt_add_mixed(dtensors *t)
{
    return gi_add_(t->b, t->d, 0.5);
}

/* A failed step must keep dst's bytes and the generator's offset. */
static gi_status checked_dtype_step(dtensors *t,
                                    gi_status (*step)(dtensors *),
                                    gi_tensor dst)
{
    gi_generator g = gi_context_generator(gi_tensor_context(dst));
    uint64_t offset = gi_generator_offset(g);
    size_t bytes = 0;
    void *before = bytes_of(dst, &bytes);
    gi_status st = step(t);
    if (st != GI_OK) {
        void *after = bytes_of(dst, &bytes);
        cr_expect(memcmp(before, after, bytes) == 0,
                  "a failed call changed its tensor");
        cr_expect_eq(gi_generator_offset(g), offset);
        free(after);
    }
    free(before);
    return st;
}

/* gi_tensor_to into *out: a failure writes nothing there. */
static gi_status checked_to(gi_tensor *out, gi_tensor t, gi_dtype dt)
{
    gi_tensor sentinel = (gi_tensor)(void *)&sentinel;
    *out = sentinel;
    gi_status st = gi_tensor_to(out, t, dt);
    if (st != GI_OK) {
        cr_expect(*out == sentinel, "a failed gi_tensor_to wrote *out");
        *out = NULL;
    }
    return st;
}

static gi_status print_dtypes(const dtensors *t)
{
    FILE *f = fopen("/dev/null", "w");
    cr_assert_not_null(f);
    char buf[1024];
    gi_status st = gi_tensor_print(t->h, f);
    if (st == GI_OK)
        st = gi_tensor_print(t->b, f);
    if (st == GI_OK)
        st = gi_tensor_print(t->d, f);
    if (st == GI_OK)
        st = gi_tensor_format(t->h, buf, sizeof buf, NULL);
    fclose(f);
    return st;
}

/* The dtypes' allocations and conversions: tensors of every dtype, their
 * fills, conversions (gi_tensor_to, copy_ across dtypes, mixed add_) and
 * printing; returns 1 as scenario() does. */
static int dtype_scenario(int64_t n)
{
    static const struct {
        gi_status (*step)(dtensors *);
        size_t dst; /* offsetof the tensor it writes */
    } steps[] = {
        {dt_uniform, offsetof(dtensors, h)},
        {dt_normal, offsetof(dtensors, d)},
        {dt_trunc, offsetof(dtensors, b)},
        {dt_sparse, offsetof(dtensors, h)},
        {dt_kaiming64, offsetof(dtensors, d)},
        {dt_constant, offsetof(dtensors, b)},
        {dt_copy_down, offsetof(dtensors, h)},
        {dt_copy_up, offsetof(dtensors, d)},
        {dt_copy_f32, offsetof(dtensors, f)},
        {dt_add_mixed, offsetof(dtensors, b)}};
    const int64_t shape[] = {6, 5};
    gi_context ctx = NULL;
    dtensors t = {NULL, NULL, NULL, NULL};
    gi_tensor to16 = NULL, to64 = NULL;
    int completed = 0;

    gi_fault_fail_at(n);
    STEP(open_dtensors(&ctx, &t, shape));
    for (size_t i = 0; i < sizeof steps / sizeof *steps; ++i)
        STEP(checked_dtype_step(&t, steps[i].step,
                                *(gi_tensor *)((char *)&t + steps[i].dst)));
    STEP(checked_to(&to16, t.d, GI_BF16));
    STEP(checked_to(&to64, t.h, GI_F64));
    STEP(print_dtypes(&t));
    completed = gi_fault_count() < n;

cleanup:
    gi_fault_fail_at(0);
    gi_tensor_destroy(to64);
    gi_tensor_destroy(to16);
    gi_tensor_destroy(t.f);
    gi_tensor_destroy(t.d);
    gi_tensor_destroy(t.b);
    gi_tensor_destroy(t.h);
    gi_context_destroy(ctx);
    return completed;
}

Test(faults, every_dtype_path_failure_is_reported_and_cleaned_up)
{
    sweep(dtype_scenario, "dtype", 12);
}

/* A file's bytes, malloc'd (NULL when it does not exist); size in *n. */
static unsigned char *file_or_null(const char *path, size_t *n)
{
    *n = 0;
    return access(path, F_OK) == 0 ? st_read_bytes(path, n) : NULL;
}

/* Files in the scratch directory. */
static int scratch_files(void)
{
    DIR *d = opendir(st_path(""));
    cr_assert_not_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* A save that fails must leave path as it was and no temporary file. */
static gi_status checked_save(gi_status (*save)(const char *, void *),
                              const char *path, void *arg)
{
    size_t n = 0, m = 0;
    unsigned char *before = file_or_null(path, &n);
    int files = scratch_files();
    gi_status st = save(path, arg);
    if (st != GI_OK) {
        unsigned char *after = file_or_null(path, &m);
        cr_expect(n == m && (n == 0 || memcmp(before, after, n) == 0),
                  "a failed save changed %s", path);
        free(after);
        cr_expect_eq(scratch_files(), files, "a failed save left a file");
    }
    free(before);
    return st;
}

static gi_status save_tensors(const char *path, void *arg)
{
    dtensors *t = arg;
    const char *names[] = {"h", "b", "d", "f"};
    const gi_tensor ts[] = {t->h, t->b, t->d, t->f};
    return gi_save_safetensors(path, 4, names, ts, 1,
                               &(gi_metadata){"format", "pt"});
}

static gi_status save_tree(const char *path, void *arg)
{
    return gi_module_save_safetensors(arg, path, 0, NULL);
}

/* Loads into t after filling it with 3: a failure must keep the 3s. */
static gi_status checked_load(gi_safetensors f, gi_tensor t)
{
    cr_assert_eq(gi_fill_(t, 3), GI_OK);
    const char *name = gi_tensor_dtype(t) == GI_F16 ? "h" : "f";
    gi_status st = gi_safetensors_load_into(f, 1, &name, &t);
    if (st != GI_OK) {
        double v = 0;
        cr_expect(gi_tensor_get(t, 2, (const int64_t[]){1, 1}, &v) == GI_OK &&
                      v == 3, "a failed load wrote its tensor");
    }
    return st;
}

/* A tree load that fails must leave every parameter. */
static gi_status checked_tree_load(gi_module net, const char *path)
{
    params ps = params_of(net);
    snapshot before = take(&ps);
    gi_status st = gi_module_load_safetensors(net, path);
    if (st != GI_OK) {
        snapshot after = take(&ps);
        expect_same(&ps, &before, &after, "a failed tree load");
        drop(&after);
    }
    drop(&before);
    return st;
}

/* A tree load through an index that fails must leave every parameter;
 * so must a load of h and f. */
static gi_status checked_index_loads(gi_module net, dtensors *t,
                                     const char *index, const char *tree)
{
    params ps = params_of(net);
    snapshot before = take(&ps);
    gi_status st = gi_module_load_safetensors_index(net, tree);
    if (st != GI_OK) {
        snapshot after = take(&ps);
        expect_same(&ps, &before, &after, "a failed tree load (index)");
        drop(&after);
    }
    drop(&before);
    cr_assert_eq(gi_fill_(t->h, 3), GI_OK);
    cr_assert_eq(gi_fill_(t->f, 3), GI_OK);
    if (st == GI_OK)
        st = gi_load_safetensors_index(index, 2, (const char *[]){"h", "f"},
                                       (const gi_tensor[]){t->h, t->f});
    if (st != GI_OK) {
        double h = 0, f = 0;
        cr_expect(gi_tensor_get(t->h, 2, (const int64_t[]){1, 1}, &h) ==
                          GI_OK &&
                      gi_tensor_get(t->f, 2, (const int64_t[]){5, 4}, &f) ==
                          GI_OK &&
                      h == 3 && f == 3,
                  "a failed load through an index wrote a tensor");
    }
    return st;
}

/* The indexes of the scenario's two files. */
static void write_indexes(const char *index, const char *tree)
{
    static const char a[] =
        "{\"weight_map\": {\"h\": \"tensors.safetensors\", "
        "\"f\": \"tensors.safetensors\"}}";
    static const char b[] =
        "{\"weight_map\": {\"0.weight\": \"tree.safetensors\", "
        "\"0.bias\": \"tree.safetensors\"}}";
    st_write_bytes(index, a, strlen(a));
    st_write_bytes(tree, b, strlen(b));
}

/* safetensors: saves of tensors and of a tree (over an existing file),
 * opening, loading into tensors, into a new tensor, into a tree, and
 * through indexes. */
static int safetensors_scenario(int64_t n)
{
    const int64_t shape[] = {6, 5};
    gi_context ctx = NULL;
    dtensors t = {NULL, NULL, NULL, NULL};
    gi_module net = NULL, kids[2] = {NULL, NULL};
    gi_safetensors f = NULL;
    gi_tensor fresh = NULL;
    char tensors_path[4200], tree_path[4200], index[4200], tree_index[4200];
    snprintf(tensors_path, sizeof tensors_path, "%s",
             st_path("tensors.safetensors"));
    snprintf(tree_path, sizeof tree_path, "%s", st_path("tree.safetensors"));
    snprintf(index, sizeof index, "%s", st_path("tensors.index.json"));
    snprintf(tree_index, sizeof tree_index, "%s", st_path("tree.index.json"));
    write_indexes(index, tree_index);
    int completed = 0;

    gi_fault_fail_at(n);
    STEP(open_dtensors(&ctx, &t, shape));
    STEP(gi_linear_create(&kids[0], ctx, 5, 4, 1, GI_F32));
    STEP(gi_relu_create(&kids[1], ctx));
    STEP(gi_sequential_create(&net, ctx, 2, kids));
    kids[0] = kids[1] = NULL; /* owned by net now */
    STEP(gi_uniform_(t.h, -1, 1, NULL));
    STEP(gi_uniform_(t.f, -1, 1, NULL));
    STEP(checked_save(save_tensors, tensors_path, &t));
    STEP(checked_save(save_tree, tree_path, net));
    STEP(gi_safetensors_open(&f, tensors_path));
    STEP(checked_load(f, t.h));
    STEP(checked_load(f, t.f));
    STEP(gi_safetensors_load_tensor(f, "d", ctx, &fresh));
    STEP(checked_tree_load(net, tree_path));
    STEP(checked_index_loads(net, &t, index, tree_index));
    completed = gi_fault_count() < n;

cleanup:
    gi_fault_fail_at(0);
    gi_safetensors_close(f);
    gi_tensor_destroy(fresh);
    gi_module_destroy(net);
    for (int i = 0; i < 2; ++i)
        gi_module_destroy(kids[i]);
    gi_tensor_destroy(t.f);
    gi_tensor_destroy(t.d);
    gi_tensor_destroy(t.b);
    gi_tensor_destroy(t.h);
    gi_context_destroy(ctx);
    return completed;
}

Test(faults, every_safetensors_failure_is_reported_and_cleaned_up)
{
    sweep(safetensors_scenario, "safetensors", 20);
}

/* Printing copies to the host only the elements it shows (six of a 1-D
 * tensor, 36 of a 2-D one), never the whole tensor: a 16 MiB tensor prints
 * with no allocation above 64 KiB. */
Test(faults, printing_a_big_tensor_allocates_little)
{
    static const int64_t shapes[][2] = {{1, INT64_C(1) << 22},
                                        {1024, 4096}};
    gi_context ctx = NULL;
    cr_assert_eq(gi_context_create(&ctx, GI_DEVICE_CPU), GI_OK);
    FILE *f = fopen("/dev/null", "w");
    cr_assert_not_null(f);
    for (int i = 0; i < 2; ++i) {
        gi_tensor t = NULL;
        int ndim = shapes[i][0] == 1 ? 1 : 2;
        const int64_t *shape = ndim == 1 ? &shapes[i][1] : shapes[i];
        cr_assert_eq(gi_rand(&t, ctx, ndim, shape, NULL), GI_OK);
        gi_fault_fail_at(0);
        cr_expect_eq(gi_tensor_print(t, f), GI_OK, "%s", gi_last_error());
        cr_expect_lt(gi_fault_largest(), (size_t)64 << 10,
                     "printing a %d-D tensor of %lld bytes allocated %zu "
                     "bytes at once", ndim,
                     (long long)gi_tensor_numel(t) * 4, gi_fault_largest());
        gi_tensor_destroy(t);
    }
    fclose(f);
    gi_context_destroy(ctx);
}

static int deletions;

static void count_deletion(DLManagedTensor *m)
{
    (void)m;
    deletions++;
}

/* gi_tensor_from_dlpack into *out: a failure writes nothing there and
 * leaves m, its deleter uncalled, to the caller. */
static gi_status checked_import(gi_tensor *out, gi_context ctx,
                                DLManagedTensor *m)
{
    gi_tensor sentinel = (gi_tensor)(void *)&sentinel;
    int before = deletions;
    *out = sentinel;
    gi_status st = gi_tensor_from_dlpack(out, ctx, m);
    if (st != GI_OK) {
        cr_expect(*out == sentinel, "a failed import wrote *out");
        cr_expect_eq(deletions, before, "a failed import ran the deleter");
        *out = NULL;
    }
    return st;
}

/* DLPack: a parameter and a tensor exported, ginit's capsule imported
 * back, a producer's capsule imported; returns 1 as scenario() does. */
static int dlpack_scenario(int64_t n)
{
    gi_context ctx = NULL;
    gi_module lin = NULL;
    gi_tensor t = NULL, back = NULL, theirs = NULL;
    DLManagedTensor *mw = NULL, *mt = NULL;
    float buf[6] = {0};
    DLManagedTensor producer = {
        .dl_tensor = {buf, {kDLCPU, 0}, 2, {kDLFloat, 32, 1},
                      (int64_t[]){2, 3}, NULL, 0},
        .deleter = count_deletion};
    int completed = 0, imported = 0;
    deletions = 0;

    gi_fault_fail_at(n);
    STEP(gi_context_create(&ctx, GI_DEVICE_CPU));
    STEP(gi_linear_create(&lin, ctx, 3, 2, 1, GI_BF16));
    STEP(gi_tensor_to_dlpack(gi_module_weight(lin), &mw));
    STEP(gi_randn(&t, ctx, 2, (const int64_t[]){4, 5}, NULL));
    STEP(gi_tensor_to_dlpack(t, &mt));
    STEP(checked_import(&back, ctx, mt));
    mt = NULL; /* back owns it */
    STEP(checked_import(&theirs, ctx, &producer));
    imported = 1;
    STEP(gi_xavier_uniform_(theirs, 1, NULL));
    completed = gi_fault_count() < n;

cleanup:
    gi_fault_fail_at(0);
    gi_tensor_destroy(theirs);
    gi_tensor_destroy(back);
    if (mt != NULL)
        mt->deleter(mt);
    if (mw != NULL)
        mw->deleter(mw);
    gi_tensor_destroy(t);
    gi_module_destroy(lin);
    gi_context_destroy(ctx);
    cr_expect_eq(deletions, imported, "the producer's deleter runs "
                 "once when its tensor goes, never after a refusal");
    return completed;
}

Test(faults, every_dlpack_failure_is_reported_and_cleaned_up)
{
    sweep(dlpack_scenario, "DLPack", 8);
}
