/* Tensors over memory the caller owns (gi_tensor_from_blob): the memory is
 * the tensor, any element alignment fills as ginit's own tensors do, one
 * flat buffer holds a whole model, the release function runs once when the
 * last view goes, and a refused call takes nothing. Runs on the CPU and, in
 * the simulator's suite, on the simulated GPU, where the caller's device
 * memory comes from a ginit tensor's element pointer. */
#include <stdint.h>

#include "test_helpers.h"

static const gi_dtype dtypes[] = {GI_F32, GI_F64, GI_F16, GI_BF16};

/* Device memory of ctx for the caller's side of a test: host memory on
 * the CPU, a ginit tensor's device memory on a GPU (*backing keeps it). */
static void *caller_memory(gi_context ctx, size_t bytes, gi_tensor *backing)
{
    int64_t n = (int64_t)((bytes + 63) / 64 * 8); /* 64-byte aligned */
    cr_assert_eq(gi_tensor_create(backing, ctx, GI_F64, 1, &n), GI_OK, "%s",
                 gi_last_error());
    void *p = NULL;
    cr_assert_eq(gi_tensor_data_ptr(*backing, &p), GI_OK);
    return p;
}

/* The bytes of t, malloc'd. */
static void *bytes_of(gi_tensor t)
{
    size_t n = (size_t)gi_tensor_numel(t) *
               (gi_tensor_dtype(t) == GI_F64  ? 8
                : gi_tensor_dtype(t) == GI_F32 ? 4 : 2);
    void *h = malloc(n > 0 ? n : 1);
    cr_assert_eq(gi_tensor_copy_to_host(t, h, n), GI_OK, "%s",
                 gi_last_error());
    return h;
}

typedef struct released {
    int calls;
    void *data;
    void *user;
} released;

static void count_release(void *data, void *user)
{
    released *r = user;
    r->calls++;
    r->data = data;
    r->user = user;
}

Test(from_blob, the_host_buffer_is_the_tensor)
{
    gi_context ctx = cpu_context();
    float buf[12];
    for (int i = 0; i < 12; ++i)
        buf[i] = (float)i;
    gi_tensor t = NULL;
    cr_assert_eq(gi_tensor_from_blob(&t, ctx, buf, GI_F32, 2,
                                     (int64_t[]){3, 4}, NULL, NULL),
                 GI_OK, "%s", gi_last_error());
    double v = 0;
    cr_assert_eq(gi_tensor_get(t, 2, (int64_t[]){1, 2}, &v), GI_OK);
    cr_expect_eq(v, 6.0, "the elements are the buffer's, not zeroed");
    void *p = NULL;
    cr_assert_eq(gi_tensor_data_ptr(t, &p), GI_OK);
    cr_expect_eq(p, buf);
    cr_assert_eq(gi_fill_(t, 7.0), GI_OK);
    for (int i = 0; i < 12; ++i)
        cr_expect_eq(buf[i], 7.0f, "buf[%d]", i);
    gi_tensor_destroy(t);
    cr_expect_eq(buf[0], 7.0f, "no release: the buffer stays the caller's");
    gi_context_destroy(ctx);
}

Test(from_blob, release_runs_once_when_the_last_view_goes)
{
    gi_context ctx = any_context();
    gi_tensor backing = NULL;
    void *mem = caller_memory(ctx, 64 * sizeof(float), &backing);
    released r = {0};
    gi_tensor t = NULL, v = NULL;
    cr_assert_eq(gi_tensor_from_blob(&t, ctx, mem, GI_F32, 1, (int64_t[]){64},
                                     count_release, &r),
                 GI_OK, "%s", gi_last_error());
    cr_assert_eq(gi_tensor_view(&v, t, 2, (int64_t[]){-1, 8}), GI_OK);
    gi_context_destroy(ctx); /* the tensors keep it */
    gi_tensor_destroy(t);
    cr_expect_eq(r.calls, 0, "a view still uses the memory");
    cr_assert_eq(gi_normal_(v, 0.0, 1.0, NULL), GI_OK, "%s", gi_last_error());
    gi_tensor_destroy(v);
    cr_expect_eq(r.calls, 1);
    cr_expect_eq(r.data, mem, "release gets the caller's pointer back");
    cr_expect_eq(r.user, &r, "and its user_data");
    gi_tensor_destroy(backing);
}

Test(from_blob, an_empty_tensor_may_have_no_memory)
{
    gi_context ctx = any_context();
    released r = {0};
    gi_tensor t = NULL;
    cr_assert_eq(gi_tensor_from_blob(&t, ctx, NULL, GI_F16, 2,
                                     (int64_t[]){0, 5}, count_release, &r),
                 GI_OK, "%s", gi_last_error());
    cr_expect_eq(gi_tensor_numel(t), 0);
    cr_assert_eq(gi_xavier_uniform_(t, 1.0, NULL), GI_OK, "%s",
                 gi_last_error());
    gi_tensor_destroy(t);
    cr_expect_eq(r.calls, 1, "release runs for an empty tensor too");
    cr_expect_null(r.data);
    gi_context_destroy(ctx);
}

/* Every refusal names its argument, leaves *out and never releases. */
static void expect_refused(gi_status got, gi_status want, const char *text,
                           gi_tensor out, const released *r)
{
    cr_expect_eq(got, want, "%s: got %s (%s)", text, gi_status_name(got),
                 gi_last_error());
    cr_expect(strstr(gi_last_error(), "gi_tensor_from_blob: ") ==
                  gi_last_error(), "%s", gi_last_error());
    cr_expect(strstr(gi_last_error(), text) != NULL, "'%s' not in '%s'",
              text, gi_last_error());
    cr_expect_null(out, "a refused call writes no tensor");
    cr_expect_eq(r->calls, 0, "a refused call takes nothing to release");
}

Test(from_blob, refusals_take_nothing)
{
    gi_context ctx = cpu_context();
    _Alignas(16) double buf[4] = {0};
    released r = {0};
    gi_tensor t = NULL;
    const int64_t four = 4;
    expect_refused(gi_tensor_from_blob(&t, ctx, (char *)buf + 1, GI_F32, 1,
                                       &four, count_release, &r),
                   GI_ERR_INVALID_ARGUMENT, "not aligned to its 4-byte", t, &r);
    expect_refused(gi_tensor_from_blob(&t, ctx, (char *)buf + 4, GI_F64, 1,
                                       &four, count_release, &r),
                   GI_ERR_INVALID_ARGUMENT, "not aligned to its 8-byte", t, &r);
    expect_refused(gi_tensor_from_blob(&t, ctx, NULL, GI_F32, 1, &four,
                                       count_release, &r),
                   GI_ERR_NULL_ARGUMENT, "'data' is NULL", t, &r);
    expect_refused(gi_tensor_from_blob(&t, ctx, buf, (gi_dtype)9, 1, &four,
                                       count_release, &r),
                   GI_ERR_INVALID_ARGUMENT, "'dtype' = 9", t, &r);
    expect_refused(gi_tensor_from_blob(&t, ctx, buf, GI_F32, 1,
                                       (int64_t[]){-4}, count_release, &r),
                   GI_ERR_SHAPE, "shape[0]", t, &r);
    /* The last bytes of the address space: refused without a touch. */
    void *end = (void *)(UINTPTR_MAX - 7);
    expect_refused(gi_tensor_from_blob(&t, ctx, end, GI_F64, 1,
                                       (int64_t[]){2}, count_release, &r),
                   GI_ERR_OVERFLOW, "end of the address space", t, &r);
    expect_refused(gi_tensor_from_blob(&t, NULL, buf, GI_F32, 1, &four,
                                       count_release, &r),
                   GI_ERR_NULL_ARGUMENT, "'ctx'", t, &r);
    gi_context_destroy(ctx);
}

/* A tensor over the caller's memory at every element offset from a 64-byte
 * boundary (the GPU's vector stores need 16) gets the very bits a ginit
 * tensor of its shape gets, and writes nothing outside itself. */
static void check_offsets(gi_context ctx, gi_dtype dt, int64_t n)
{
    const size_t elem = dt == GI_F64 ? 8 : dt == GI_F32 ? 4 : 2;
    gi_tensor backing = NULL;
    char *mem = caller_memory(ctx, (size_t)(n + 16) * elem, &backing);
    gi_tensor own = NULL;
    cr_assert_eq(gi_tensor_create(&own, ctx, dt, 1, &n), GI_OK);
    gi_generator g = NULL;
    cr_assert_eq(gi_generator_create(&g, 11), GI_OK);
    cr_assert_eq(gi_normal_(own, 0.5, 2.0, g), GI_OK, "%s", gi_last_error());
    void *want = bytes_of(own);
    for (int off = 0; off < 8; ++off) {
        cr_assert_eq(gi_fill_(backing, 3.0), GI_OK);
        gi_tensor t = NULL;
        cr_assert_eq(gi_tensor_from_blob(&t, ctx, mem + (size_t)off * elem, dt,
                                         1, &n, NULL, NULL),
                     GI_OK, "%s", gi_last_error());
        cr_assert_eq(gi_generator_set_offset(g, 0), GI_OK);
        cr_assert_eq(gi_normal_(t, 0.5, 2.0, g), GI_OK, "%s", gi_last_error());
        void *got = bytes_of(t);
        cr_expect_eq(memcmp(got, want, (size_t)n * elem), 0,
                     "%s, %lld elements at element offset %d",
                     gi_dtype_name(dt), (long long)n, off);
        free(got);
        gi_tensor_destroy(t);
        /* Around the tensor, the 3.0 of the backing's doubles is intact. */
        double *around = bytes_of(backing);
        size_t lo = (size_t)off * elem, hi = lo + (size_t)n * elem;
        for (size_t b = 0; b < lo / 8; ++b)
            cr_expect_eq(around[b], 3.0, "byte %zu before the tensor", b * 8);
        for (size_t b = (hi + 7) / 8; b < (size_t)(n + 16) * elem / 8; ++b)
            cr_expect_eq(around[b], 3.0, "byte %zu after the tensor", b * 8);
        free(around);
    }
    free(want);
    gi_generator_destroy(g);
    gi_tensor_destroy(own);
    gi_tensor_destroy(backing);
}

Test(from_blob, every_element_alignment_fills_as_ginit_tensors_do)
{
    gi_context ctx = any_context();
    const int64_t sizes[] = {1, 7, 33, 1000};
    for (size_t d = 0; d < sizeof dtypes / sizeof dtypes[0]; ++d)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; ++s)
            check_offsets(ctx, dtypes[d], sizes[s]);
    gi_context_destroy(ctx);
}

/* llm.c's layout: every parameter of Linear(4, 8) -> ReLU -> Linear(8, 1)
 * in one caller allocation, each weight a 2-D view whose fans come from
 * its own shape: initialized, the views equal standalone tensors given the
 * same fills. */
Test(from_blob, one_flat_buffer_holds_a_whole_model)
{
    gi_context ctx = any_context();
    const int64_t total = 8 * 4 + 8 + 1 * 8 + 1;
    gi_tensor backing = NULL;
    void *mem = caller_memory(ctx, (size_t)total * sizeof(float), &backing);
    gi_tensor flat = NULL;
    cr_assert_eq(gi_tensor_from_blob(&flat, ctx, mem, GI_F32, 1, &total, NULL,
                                     NULL),
                 GI_OK, "%s", gi_last_error());
    const int64_t shapes[4][2] = {{8, 4}, {8, 0}, {1, 8}, {1, 0}};
    gi_tensor part[4];
    int64_t first = 0;
    for (int i = 0; i < 4; ++i) {
        int ndim = shapes[i][1] > 0 ? 2 : 1;
        cr_assert_eq(gi_tensor_view_range(&part[i], flat, first, ndim,
                                          shapes[i]),
                     GI_OK, "%s", gi_last_error());
        first += gi_tensor_numel(part[i]);
    }
    cr_assert_eq(first, total);
    gi_generator g = NULL;
    cr_assert_eq(gi_generator_create(&g, 5), GI_OK);
    for (int i = 0; i < 4; ++i) {
        gi_status st = i % 2 == 0 ? gi_xavier_uniform_(part[i], 1.0, g)
                                  : gi_uniform_(part[i], -0.5, 0.5, g);
        cr_assert_eq(st, GI_OK, "%s", gi_last_error());
    }
    cr_assert_eq(gi_generator_set_offset(g, 0), GI_OK);
    for (int i = 0; i < 4; ++i) {
        gi_tensor own = NULL;
        cr_assert_eq(gi_tensor_create(&own, ctx, GI_F32,
                                      shapes[i][1] > 0 ? 2 : 1, shapes[i]),
                     GI_OK);
        gi_status st = i % 2 == 0 ? gi_xavier_uniform_(own, 1.0, g)
                                  : gi_uniform_(own, -0.5, 0.5, g);
        cr_assert_eq(st, GI_OK, "%s", gi_last_error());
        float *a = to_host(own), *b = to_host(part[i]);
        cr_expect_eq(memcmp(a, b, (size_t)gi_tensor_numel(own) * 4), 0,
                     "parameter %d", i);
        free(a);
        free(b);
        gi_tensor_destroy(own);
        gi_tensor_destroy(part[i]);
    }
    gi_generator_destroy(g);
    gi_tensor_destroy(flat);
    gi_tensor_destroy(backing);
    gi_context_destroy(ctx);
}

/* A GPU context takes device memory of its own GPU only; where the CUDA
 * runtime can tell, a CPU context refuses device memory. */
Test(from_blob, memory_of_the_wrong_kind_is_refused)
{
    gi_context gpu = gpu_context_or_skip();
    float host[4] = {0};
    released r = {0};
    gi_tensor t = NULL;
    const int64_t four = 4;
    expect_refused(gi_tensor_from_blob(&t, gpu, host, GI_F32, 1, &four,
                                       count_release, &r),
                   GI_ERR_INVALID_ARGUMENT, "not device memory of GPU 0", t,
                   &r);
    gi_tensor backing = NULL;
    void *dev = caller_memory(gpu, 64, &backing);
    gi_context cpu = cpu_context();
    expect_refused(gi_tensor_from_blob(&t, cpu, dev, GI_F32, 1, &four,
                                       count_release, &r),
                   GI_ERR_INVALID_ARGUMENT, "device memory of GPU 0", t, &r);
    /* Past the end of the device allocation: the last byte is checked. */
    expect_refused(gi_tensor_from_blob(&t, gpu, dev, GI_F32, 1,
                                       (int64_t[]){1 << 20}, count_release,
                                       &r),
                   GI_ERR_INVALID_ARGUMENT, "its last byte", t, &r);
    gi_tensor_destroy(backing);
    gi_context_destroy(cpu);
    gi_context_destroy(gpu);
}
