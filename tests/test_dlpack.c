/* DLPack: an exported tensor's fields, its storage living until the
 * consumer's deleter runs, hand-built capsules taken in without a copy
 * (their deleter running once, at the last view), ginit's own capsule
 * back as a tensor, and every malformed field refused with nothing taken.
 * Runs on the CPU and, in the simulator's suite, on the simulated GPU,
 * where the capsules' device memory comes from a ginit tensor's element
 * pointer. */
#include <dlpack/dlpack.h>
#include <stdint.h>

#include "test_helpers.h"

static const gi_dtype dtypes[] = {GI_F32, GI_F64, GI_F16, GI_BF16};

static size_t elem_size(gi_dtype dt)
{
    return dt == GI_F64 ? 8 : dt == GI_F32 ? 4 : 2;
}

/* The device a capsule of ctx's memory names. */
static DLDevice device_of(gi_context ctx)
{
    DLDevice d = {kDLCPU, 0};
    if (gi_context_device(ctx) == GI_DEVICE_CUDA)
        d.device_type = kDLCUDA;
    return d;
}

/* Memory of ctx's device for the producer's side of a test: a ginit
 * tensor's (host memory on the CPU, device memory on a GPU), kept by
 * *backing, 64-byte aligned. */
static void *producer_memory(gi_context ctx, size_t bytes, gi_tensor *backing)
{
    int64_t n = (int64_t)((bytes + 63) / 64 * 8);
    cr_assert_eq(gi_tensor_create(backing, ctx, GI_F64, 1, &n), GI_OK, "%s",
                 gi_last_error());
    void *p = NULL;
    cr_assert_eq(gi_tensor_data_ptr(*backing, &p), GI_OK);
    return p;
}

/* The first `bytes` bytes of backing's memory, malloc'd. */
static void *read_memory(gi_tensor backing, size_t bytes)
{
    size_t all = (size_t)gi_tensor_numel(backing) * 8;
    cr_assert_leq(bytes, all);
    unsigned char *h = malloc(all);
    cr_assert_not_null(h);
    cr_assert_eq(gi_tensor_copy_to_host(backing, h, all), GI_OK, "%s",
                 gi_last_error());
    return h;
}

/* The bytes of t, malloc'd. */
static void *bytes_of(gi_tensor t)
{
    size_t n = (size_t)gi_tensor_numel(t) * elem_size(gi_tensor_dtype(t));
    void *h = malloc(n > 0 ? n : 1);
    cr_assert_not_null(h);
    cr_assert_eq(gi_tensor_copy_to_host(t, h, n), GI_OK, "%s",
                 gi_last_error());
    return h;
}

/* ---- export -------------------------------------------------------------- */

Test(to_dlpack, fields_for_every_dtype)
{
    static const struct {
        uint8_t code, bits;
    } want[] = {{kDLFloat, 32}, {kDLFloat, 64}, {kDLFloat, 16},
                {kDLBfloat, 16}};
    gi_context ctx = any_context();
    const int64_t shape[] = {2, 3, 4};
    for (int i = 0; i < 4; ++i) {
        gi_tensor t = NULL;
        cr_assert_eq(gi_randn(&t, ctx, 3, shape, NULL), GI_OK);
        gi_tensor c = NULL;
        cr_assert_eq(gi_tensor_to(&c, t, dtypes[i]), GI_OK);
        DLManagedTensor *m = NULL;
        cr_assert_eq(gi_tensor_to_dlpack(c, &m), GI_OK, "%s",
                     gi_last_error());
        const DLTensor *d = &m->dl_tensor;
        void *p = NULL;
        cr_assert_eq(gi_tensor_data_ptr(c, &p), GI_OK);
        cr_expect_eq(d->data, p, "%s: data is the element pointer",
                     gi_dtype_name(dtypes[i]));
        cr_expect_eq(d->device.device_type, device_of(ctx).device_type);
        cr_expect_eq(d->device.device_id, 0);
        cr_expect_eq(d->dtype.code, want[i].code, "%s",
                     gi_dtype_name(dtypes[i]));
        cr_expect_eq(d->dtype.bits, want[i].bits, "%s",
                     gi_dtype_name(dtypes[i]));
        cr_expect_eq(d->dtype.lanes, 1);
        cr_assert_eq(d->ndim, 3);
        cr_assert_not_null(d->strides, "explicit strides, never NULL");
        const int64_t strides[] = {12, 4, 1};
        for (int k = 0; k < 3; ++k) {
            cr_expect_eq(d->shape[k], shape[k]);
            cr_expect_eq(d->strides[k], strides[k], "strides[%d]", k);
        }
        cr_expect_eq(d->byte_offset, 0);
        cr_expect_not_null(m->manager_ctx);
        cr_assert_not_null(m->deleter);
        m->deleter(m);
        gi_tensor_destroy(c);
        gi_tensor_destroy(t);
    }
    gi_context_destroy(ctx);
}

Test(to_dlpack, a_view_exports_its_own_first_element)
{
    gi_context ctx = any_context();
    gi_tensor t = new_tensor(ctx, 2, (const int64_t[]){4, 3}), row = NULL;
    cr_assert_eq(gi_tensor_select(&row, t, 2), GI_OK);
    DLManagedTensor *m = NULL;
    cr_assert_eq(gi_tensor_to_dlpack(row, &m), GI_OK, "%s", gi_last_error());
    void *base = NULL;
    cr_assert_eq(gi_tensor_data_ptr(t, &base), GI_OK);
    cr_expect_eq(m->dl_tensor.data, (char *)base + 6 * sizeof(float),
                 "data points at the view's element, byte_offset stays 0");
    cr_expect_eq(m->dl_tensor.byte_offset, 0);
    cr_expect_eq(m->dl_tensor.ndim, 1);
    cr_expect_eq(m->dl_tensor.shape[0], 3);
    m->deleter(m);
    gi_tensor_destroy(row);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(to_dlpack, zero_dimensional_and_empty_tensors)
{
    gi_context ctx = any_context();
    gi_tensor s = new_tensor(ctx, 0, NULL);
    gi_tensor e = new_tensor(ctx, 2, (const int64_t[]){0, 3});
    DLManagedTensor *ms = NULL, *me = NULL;
    cr_assert_eq(gi_tensor_to_dlpack(s, &ms), GI_OK, "%s", gi_last_error());
    cr_assert_eq(gi_tensor_to_dlpack(e, &me), GI_OK, "%s", gi_last_error());
    cr_expect_eq(ms->dl_tensor.ndim, 0);
    cr_expect_not_null(ms->dl_tensor.data, "a 0-D tensor has an element");
    cr_expect_not_null(ms->dl_tensor.shape, "not NULL, as PyTorch's");
    cr_expect_not_null(ms->dl_tensor.strides);
    cr_expect_null(me->dl_tensor.data, "no element: data NULL");
    cr_expect_eq(me->dl_tensor.shape[0], 0);
    cr_expect_eq(me->dl_tensor.shape[1], 3);
    cr_expect_eq(me->dl_tensor.strides[0], 3);
    cr_expect_eq(me->dl_tensor.strides[1], 1);
    gi_tensor row = new_vector(ctx, 4), none = NULL;
    DLManagedTensor *mn = NULL;
    cr_assert_eq(gi_tensor_slice(&none, row, 2, 2), GI_OK);
    cr_assert_eq(gi_tensor_to_dlpack(none, &mn), GI_OK, "%s",
                 gi_last_error());
    cr_expect_null(mn->dl_tensor.data,
                   "an empty view of a storage with elements: NULL too");
    mn->deleter(mn);
    gi_tensor_destroy(none);
    gi_tensor_destroy(row);
    ms->deleter(ms);
    me->deleter(me);
    gi_tensor_destroy(e);
    gi_tensor_destroy(s);
    gi_context_destroy(ctx);
}

/* The elements at data, shape {n}, read through a tensor of a fresh
 * context over them (a borrowed blob). */
static float *read_through(void *data, int64_t n)
{
    gi_context ctx = any_context();
    gi_tensor t = NULL;
    cr_assert_eq(gi_tensor_from_blob(&t, ctx, data, GI_F32, 1, &n, NULL,
                                     NULL), GI_OK, "%s", gi_last_error());
    float *h = to_host(t);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
    return h;
}

Test(to_dlpack, the_storage_outlives_the_tensor_and_its_context)
{
    gi_context ctx = any_context();
    gi_tensor t = new_vector(ctx, 32);
    fill_iota(t);
    DLManagedTensor *m = NULL;
    cr_assert_eq(gi_tensor_to_dlpack(t, &m), GI_OK, "%s", gi_last_error());
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
    float *h = read_through(m->dl_tensor.data, 32);
    for (int i = 0; i < 32; ++i)
        cr_expect_eq(h[i], (float)i, "element %d", i);
    free(h);
    m->deleter(m); /* the storage and the context go here */
}

Test(to_dlpack, a_parameter_outlives_its_module)
{
    gi_context ctx = any_context();
    gi_module lin = new_linear(ctx, 4, 3, 1);
    gi_tensor w = gi_module_weight(lin);
    float *want = to_host(w);
    DLManagedTensor *m = NULL;
    cr_assert_eq(gi_tensor_to_dlpack(w, &m), GI_OK, "%s", gi_last_error());
    gi_module_destroy(lin);
    gi_context_destroy(ctx);
    float *h = read_through(m->dl_tensor.data, 12);
    cr_expect(memcmp(h, want, 12 * sizeof(float)) == 0,
              "the weight's values, after its module is gone");
    free(h);
    free(want);
    m->deleter(m);
}

/* ---- import -------------------------------------------------------------- */

typedef struct capsule {
    DLManagedTensor m;
    int64_t shape[GI_MAX_DIMS + 2];
    int64_t strides[GI_MAX_DIMS + 2];
    int deleted;
} capsule;

static void count_delete(DLManagedTensor *m)
{
    ((capsule *)m)->deleted++;
}

/* A producer's capsule of a float32 {3, 4} at data on ctx's device,
 * strides NULL. */
static void init_capsule(capsule *c, gi_context ctx, void *data)
{
    memset(c, 0, sizeof *c);
    c->shape[0] = 3;
    c->shape[1] = 4;
    c->m.dl_tensor.data = data;
    c->m.dl_tensor.device = device_of(ctx);
    c->m.dl_tensor.ndim = 2;
    c->m.dl_tensor.dtype = (DLDataType){kDLFloat, 32, 1};
    c->m.dl_tensor.shape = c->shape;
    c->m.deleter = count_delete;
}

Test(from_dlpack, the_producers_memory_is_the_tensor)
{
    gi_context ctx = any_context();
    gi_tensor backing = NULL;
    void *mem = producer_memory(ctx, 64 + 12 * sizeof(float), &backing);
    capsule c;
    init_capsule(&c, ctx, mem);
    c.m.dl_tensor.byte_offset = 64;
    gi_tensor t = NULL, v = NULL;
    cr_assert_eq(gi_tensor_from_dlpack(&t, ctx, &c.m), GI_OK, "%s",
                 gi_last_error());
    void *p = NULL;
    cr_assert_eq(gi_tensor_data_ptr(t, &p), GI_OK);
    cr_expect_eq(p, (char *)mem + 64, "data + byte_offset, not a copy");
    cr_expect_eq(gi_tensor_ndim(t), 2);
    cr_expect_eq(gi_tensor_size(t, 1), 4);
    cr_expect_eq(gi_tensor_dtype(t), GI_F32);
    cr_assert_eq(gi_fill_(t, 7.0), GI_OK);
    unsigned char *h = read_memory(backing, 64 + 12 * sizeof(float));
    for (int i = 0; i < 12; ++i) {
        float x;
        memcpy(&x, h + 64 + i * sizeof x, sizeof x);
        cr_expect_eq(x, 7.0f, "the fill landed in the producer's memory");
    }
    free(h);
    cr_assert_eq(gi_tensor_select(&v, t, 1), GI_OK);
    gi_context_destroy(ctx); /* the tensors keep it */
    gi_tensor_destroy(t);
    cr_expect_eq(c.deleted, 0, "a view still uses the memory");
    gi_tensor_destroy(v);
    cr_expect_eq(c.deleted, 1, "the deleter runs once, at the last view");
    gi_tensor_destroy(backing);
}

Test(from_dlpack, compact_strides_and_any_stride_for_size_one)
{
    static const struct {
        int ndim;
        int64_t shape[3], strides[3];
    } ok[] = {{2, {3, 4}, {4, 1}},   {2, {1, 12}, {99, 1}},
              {3, {3, 1, 4}, {4, -5, 1}}, {2, {12, 1}, {1, 0}},
              {2, {0, 3}, {1, 1}},   {2, {4, 0}, {7, 7}},
              {0, {0}, {0}}};
    gi_context ctx = any_context();
    gi_tensor backing = NULL;
    void *mem = producer_memory(ctx, 12 * sizeof(float), &backing);
    for (size_t i = 0; i < sizeof ok / sizeof *ok; ++i) {
        capsule c;
        init_capsule(&c, ctx, mem);
        c.m.dl_tensor.ndim = ok[i].ndim;
        memcpy(c.shape, ok[i].shape, sizeof ok[i].shape);
        memcpy(c.strides, ok[i].strides, sizeof ok[i].strides);
        c.m.dl_tensor.strides = c.strides;
        gi_tensor t = NULL;
        gi_status st = gi_tensor_from_dlpack(&t, ctx, &c.m);
        cr_expect_eq(st, GI_OK, "case %zu: %s", i, gi_last_error());
        gi_tensor_destroy(t);
        cr_expect_eq(c.deleted, st == GI_OK, "case %zu", i);
    }
    gi_tensor_destroy(backing);
    gi_context_destroy(ctx);
}

Test(from_dlpack, every_dtype_and_no_deleter)
{
    static const DLDataType dl[] = {{kDLFloat, 32, 1}, {kDLFloat, 64, 1},
                                    {kDLFloat, 16, 1}, {kDLBfloat, 16, 1}};
    gi_context ctx = any_context();
    gi_tensor backing = NULL;
    void *mem = producer_memory(ctx, 12 * 8, &backing);
    for (int i = 0; i < 4; ++i) {
        capsule c;
        init_capsule(&c, ctx, mem);
        c.m.dl_tensor.dtype = dl[i];
        c.m.deleter = i == 3 ? NULL : count_delete;
        gi_tensor t = NULL;
        cr_assert_eq(gi_tensor_from_dlpack(&t, ctx, &c.m), GI_OK, "%s",
                     gi_last_error());
        cr_expect_eq(gi_tensor_dtype(t), dtypes[i]);
        cr_expect_eq(gi_uniform_(t, -1, 1, NULL), GI_OK, "%s",
                     gi_last_error());
        gi_tensor_destroy(t);
        cr_expect_eq(c.deleted, i == 3 ? 0 : 1, "%s",
                     gi_dtype_name(dtypes[i]));
    }
    gi_tensor_destroy(backing);
    gi_context_destroy(ctx);
}

Test(from_dlpack, ginits_own_capsule_comes_back_without_a_copy)
{
    gi_context ctx = any_context();
    for (int i = 0; i < 4; ++i) {
        gi_tensor t = NULL;
        cr_assert_eq(gi_tensor_create(&t, ctx, dtypes[i], 2,
                                      (const int64_t[]){5, 3}), GI_OK);
        cr_assert_eq(gi_normal_(t, 0, 1, NULL), GI_OK);
        DLManagedTensor *m = NULL;
        cr_assert_eq(gi_tensor_to_dlpack(t, &m), GI_OK, "%s",
                     gi_last_error());
        gi_tensor back = NULL;
        cr_assert_eq(gi_tensor_from_dlpack(&back, ctx, m), GI_OK, "%s",
                     gi_last_error());
        void *p = NULL, *q = NULL;
        cr_assert_eq(gi_tensor_data_ptr(t, &p), GI_OK);
        cr_assert_eq(gi_tensor_data_ptr(back, &q), GI_OK);
        cr_expect_eq(p, q, "%s: the same memory", gi_dtype_name(dtypes[i]));
        cr_expect_eq(gi_tensor_dtype(back), dtypes[i]);
        void *a = bytes_of(t), *b = bytes_of(back);
        cr_expect(memcmp(a, b, 15 * elem_size(dtypes[i])) == 0);
        free(a);
        free(b);
        cr_assert_eq(gi_fill_(back, 2.0), GI_OK);
        double x = 0;
        cr_assert_eq(gi_tensor_get(t, 2, (const int64_t[]){4, 2}, &x),
                     GI_OK);
        cr_expect_eq(x, 2.0, "a write through one is seen by the other");
        gi_tensor_destroy(t);
        gi_tensor_destroy(back); /* runs the export's deleter */
    }
    gi_context_destroy(ctx);
}

typedef struct released {
    int calls;
} released;

static void count_release(void *data, void *user)
{
    (void)data;
    ((released *)user)->calls++;
}

/* Through export and import, the caller's memory goes back once, when
 * the last tensor over it goes. */
Test(from_dlpack, a_round_trip_releases_the_callers_memory_once)
{
    gi_context ctx = any_context();
    gi_tensor backing = NULL;
    void *mem = producer_memory(ctx, 8 * sizeof(float), &backing);
    released r = {0};
    gi_tensor t = NULL, back = NULL;
    cr_assert_eq(gi_tensor_from_blob(&t, ctx, mem, GI_F32, 1,
                                     (const int64_t[]){8}, count_release,
                                     &r), GI_OK);
    DLManagedTensor *m = NULL;
    cr_assert_eq(gi_tensor_to_dlpack(t, &m), GI_OK);
    gi_tensor_destroy(t);
    cr_assert_eq(gi_tensor_from_dlpack(&back, ctx, m), GI_OK, "%s",
                 gi_last_error());
    cr_expect_eq(r.calls, 0);
    gi_tensor_destroy(back);
    cr_expect_eq(r.calls, 1);
    gi_tensor_destroy(backing);
    gi_context_destroy(ctx);
}

/* ---- hostile capsules --------------------------------------------------- */

typedef struct hostile {
    const char *what;
    gi_status want;
    const char *text; /* in the message */
    void (*spoil)(capsule *c, gi_context ctx);
} hostile;

static void ndim_neg(capsule *c, gi_context x)
{
    (void)x;
    c->m.dl_tensor.ndim = -1;
}
static void ndim_9(capsule *c, gi_context x)
{
    (void)x;
    c->m.dl_tensor.ndim = 9;
    for (int i = 0; i < 9; ++i)
        c->shape[i] = 1;
}
static void shape_null(capsule *c, gi_context x)
{
    (void)x;
    c->m.dl_tensor.shape = NULL;
}
static void size_neg(capsule *c, gi_context x)
{
    (void)x;
    c->shape[1] = -4;
}
static void size_overflow(capsule *c, gi_context x)
{
    (void)x;
    c->shape[0] = INT64_C(1) << 40;
    c->shape[1] = INT64_C(1) << 40;
}
static void data_null(capsule *c, gi_context x)
{
    (void)x;
    c->m.dl_tensor.data = NULL;
}
static void int32(capsule *c, gi_context x)
{
    (void)x;
    c->m.dl_tensor.dtype.code = kDLInt;
}
static void float8(capsule *c, gi_context x)
{
    (void)x;
    c->m.dl_tensor.dtype.bits = 8;
}
static void bfloat32(capsule *c, gi_context x)
{
    (void)x;
    c->m.dl_tensor.dtype.code = kDLBfloat;
}
static void complex64(capsule *c, gi_context x)
{
    (void)x;
    c->m.dl_tensor.dtype = (DLDataType){kDLComplex, 64, 1};
}
static void lanes4(capsule *c, gi_context x)
{
    (void)x;
    c->m.dl_tensor.dtype.lanes = 4;
}
static void lanes0(capsule *c, gi_context x)
{
    (void)x;
    c->m.dl_tensor.dtype.lanes = 0;
}
static void opencl(capsule *c, gi_context x)
{
    (void)x;
    c->m.dl_tensor.device.device_type = kDLOpenCL;
}
static void device_99(capsule *c, gi_context x)
{
    (void)x;
    c->m.dl_tensor.device.device_type = (DLDeviceType)99;
}
static void other_kind(capsule *c, gi_context ctx)
{
    c->m.dl_tensor.device.device_type =
        gi_context_device(ctx) == GI_DEVICE_CUDA ? kDLCPU : kDLCUDA;
}
/* Pinned host memory on a GPU context (CUDA memory on a CPU one). */
static void pinned_on_gpu(capsule *c, gi_context ctx)
{
    c->m.dl_tensor.device.device_type =
        gi_context_device(ctx) == GI_DEVICE_CUDA ? kDLCUDAHost : kDLCUDA;
}
static void gpu_1(capsule *c, gi_context x)
{
    (void)x;
    c->m.dl_tensor.device = (DLDevice){kDLCUDA, 1};
}
static void column_major(capsule *c, gi_context x)
{
    (void)x;
    c->strides[0] = 1;
    c->strides[1] = 3;
    c->m.dl_tensor.strides = c->strides;
}
static void padded_rows(capsule *c, gi_context x)
{
    (void)x;
    c->strides[0] = 8;
    c->strides[1] = 1;
    c->m.dl_tensor.strides = c->strides;
}
static void zero_strides(capsule *c, gi_context x)
{
    (void)x;
    c->m.dl_tensor.strides = c->strides; /* {0, 0}: a broadcast */
}
static void offset_odd(capsule *c, gi_context x)
{
    (void)x;
    c->m.dl_tensor.byte_offset = 2;
}
static void offset_wraps(capsule *c, gi_context x)
{
    (void)x;
    c->m.dl_tensor.byte_offset = UINT64_MAX - 3;
}
static void misaligned(capsule *c, gi_context x)
{
    (void)x;
    c->m.dl_tensor.data = (char *)c->m.dl_tensor.data + 2; /* float32 */
}
static void past_address_space(capsule *c, gi_context x)
{
    (void)x;
    c->m.dl_tensor.data = (void *)(UINTPTR_MAX - 15);
}

static const hostile cases[] = {
    {"ndim -1", GI_ERR_FORMAT, "m->dl_tensor.ndim = -1 is negative",
     ndim_neg},
    {"ndim 9", GI_ERR_UNSUPPORTED, "m->dl_tensor.ndim = 9", ndim_9},
    {"shape NULL", GI_ERR_FORMAT, "m->dl_tensor.shape is NULL", shape_null},
    {"size -4", GI_ERR_FORMAT, "m->dl_tensor.shape[1] = -4", size_neg},
    {"2^80 elements", GI_ERR_OVERFLOW, "overflows", size_overflow},
    {"data NULL", GI_ERR_FORMAT, "m->dl_tensor.data is NULL for 12 elements",
     data_null},
    {"int32", GI_ERR_UNSUPPORTED, "dtype is code 0, bits 32", int32},
    {"float8", GI_ERR_UNSUPPORTED, "dtype is code 2, bits 8", float8},
    {"bfloat32", GI_ERR_UNSUPPORTED, "dtype is code 4, bits 32", bfloat32},
    {"complex64", GI_ERR_UNSUPPORTED, "dtype is code 5, bits 64", complex64},
    {"4 lanes", GI_ERR_UNSUPPORTED, "dtype has 4 lanes", lanes4},
    {"0 lanes", GI_ERR_UNSUPPORTED, "dtype has 0 lanes", lanes0},
    {"OpenCL", GI_ERR_UNSUPPORTED, "device type 4 (id 0)", opencl},
    {"device type 99", GI_ERR_UNSUPPORTED, "device type 99", device_99},
    {"the other kind", GI_ERR_INVALID_ARGUMENT, "context cannot use",
     other_kind},
    {"pinned or CUDA", GI_ERR_INVALID_ARGUMENT, "context cannot use",
     pinned_on_gpu},
    {"GPU 1", GI_ERR_INVALID_ARGUMENT, "m->dl_tensor.device", gpu_1},
    {"column-major", GI_ERR_UNSUPPORTED,
     "only row-major contiguous tensors: m->dl_tensor.strides[1] is 3, "
     "want 1", column_major},
    {"padded rows", GI_ERR_UNSUPPORTED, "strides[0] is 8, want 4",
     padded_rows},
    {"zero strides", GI_ERR_UNSUPPORTED, "strides[1] is 0, want 1",
     zero_strides},
    {"byte_offset 2", GI_ERR_FORMAT,
     "m->dl_tensor.byte_offset = 2 is not a multiple of the 4-byte",
     offset_odd},
    {"byte_offset wraps", GI_ERR_OVERFLOW, "passes the end of the address",
     offset_wraps},
    {"misaligned", GI_ERR_INVALID_ARGUMENT, "not aligned", misaligned},
    {"past the address space", GI_ERR_OVERFLOW, "pass the end of",
     past_address_space},
};

Test(from_dlpack, every_malformed_field_is_refused_and_nothing_taken)
{
    gi_context ctx = any_context();
    gi_tensor backing = NULL;
    void *mem = producer_memory(ctx, 64 + 12 * sizeof(float), &backing);
    gi_tensor sentinel = (gi_tensor)(void *)&sentinel;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i) {
        const hostile *h = &cases[i];
        capsule c;
        init_capsule(&c, ctx, (char *)mem + 64);
        h->spoil(&c, ctx);
        gi_tensor out = sentinel;
        gi_status st = gi_tensor_from_dlpack(&out, ctx, &c.m);
        cr_expect_eq(st, h->want, "%s: got %s (%s)", h->what,
                     gi_status_name(st), gi_last_error());
        cr_expect(strstr(gi_last_error(), "gi_tensor_from_dlpack: ") ==
                      gi_last_error(), "%s: %s", h->what, gi_last_error());
        cr_expect(strstr(gi_last_error(), h->text) != NULL,
                  "%s: \"%s\" lacks \"%s\"", h->what, gi_last_error(),
                  h->text);
        cr_expect_eq(c.deleted, 0, "%s: the deleter ran", h->what);
        cr_expect_eq(out, sentinel, "%s: *out was written", h->what);
        if (out != sentinel)
            gi_tensor_destroy(out);
    }
    gi_tensor_destroy(backing);
    gi_context_destroy(ctx);
}

Test(from_dlpack, null_arguments)
{
    gi_context ctx = any_context();
    capsule c;
    init_capsule(&c, ctx, NULL);
    gi_tensor out = NULL;
    cr_expect_eq(gi_tensor_from_dlpack(NULL, ctx, &c.m), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_tensor_from_dlpack(&out, NULL, &c.m),
                 GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_tensor_from_dlpack(&out, ctx, NULL), GI_ERR_NULL_ARGUMENT);
    cr_expect(strstr(gi_last_error(), "'m'") != NULL, "%s", gi_last_error());
    cr_expect_eq(c.deleted, 0);
    cr_expect_null(out);
    DLManagedTensor *m = NULL;
    cr_expect_eq(gi_tensor_to_dlpack(NULL, &m), GI_ERR_NULL_ARGUMENT);
    cr_expect_null(m);
    gi_context_destroy(ctx);
}
