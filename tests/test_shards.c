/* Shards of a global tensor (docs/shards.md): every initializer, every
 * dtype, row and column blocks, 2-D grids, uneven splits, empty shards
 * and flat ranges with odd starts. Each shard's elements must equal the
 * corresponding elements of the whole tensor's fill, bit for bit, and
 * the generator must stand where the whole fill leaves it. */
#include <math.h>
#include <stdint.h>

#include "test_helpers.h"

#define SEED UINT64_C(20261201)
#define OFFSET UINT64_C(7)
#define MAX_SHARDS 64

/* A shard: a box (flat < 0) of shape `shape` at `start`, or the flat
 * range [flat, flat + len). */
typedef struct shard {
    int64_t start[GI_MAX_DIMS], shape[GI_MAX_DIMS];
    int64_t flat, len;
} shard;

typedef enum layout {
    ROWS_3,   /* dimension 0 over 3 ranks (7 rows: 2, 2, 3) */
    ROWS_8,   /* dimension 0 over 8 ranks: some shards empty */
    COLS_3,   /* dimension 1 over 3 ranks */
    GRID_2X3, /* dimensions 0 and 1 over a 2 x 3 grid */
    LAST_2,   /* the last dimension over 2: a run per row, mid-block */
    FLAT_ODD, /* flat ranges cut at odd places */
    LAYOUTS
} layout;

static const char *const layout_names[LAYOUTS] = {
    "rows/3", "rows/8", "cols/3", "grid 2x3", "last/2", "flat odd"};

static int64_t numel_of(int ndim, const int64_t *shape)
{
    int64_t n = 1;
    for (int d = 0; d < ndim; ++d)
        n *= shape[d];
    return n;
}

/* Boxes splitting dimension d0 in p0 parts and d1 (or -1) in p1. */
static int boxes(int ndim, const int64_t *g, int d0, int p0, int d1, int p1,
                 shard *out)
{
    int n = 0;
    for (int i = 0; i < p0; ++i)
        for (int j = 0; j < (d1 < 0 ? 1 : p1); ++j) {
            shard s = {.flat = -1};
            for (int d = 0; d < ndim; ++d)
                s.shape[d] = g[d];
            s.start[d0] = g[d0] * i / p0;
            s.shape[d0] = g[d0] * (i + 1) / p0 - s.start[d0];
            if (d1 >= 0) {
                s.start[d1] = g[d1] * j / p1;
                s.shape[d1] = g[d1] * (j + 1) / p1 - s.start[d1];
            }
            out[n++] = s;
        }
    return n;
}

static int shards_of(layout l, int ndim, const int64_t *g, shard *out)
{
    switch (l) {
    case ROWS_3: return boxes(ndim, g, 0, 3, -1, 0, out);
    case ROWS_8: return boxes(ndim, g, 0, 8, -1, 0, out);
    case COLS_3: return boxes(ndim, g, 1, 3, -1, 0, out);
    case GRID_2X3: return boxes(ndim, g, 0, 2, 1, 3, out);
    case LAST_2: return boxes(ndim, g, ndim - 1, 2, -1, 0, out);
    default: break;
    }
    const int64_t n = numel_of(ndim, g);
    const int64_t cuts[] = {0, 1, 6, 13, 27, 41, 59};
    int k = 0;
    int64_t from = 0;
    for (size_t c = 1; c <= sizeof cuts / sizeof *cuts; ++c) {
        int64_t to = c < sizeof cuts / sizeof *cuts ? cuts[c] : n;
        to = to < n ? to : n;
        if (to < from)
            break;
        out[k++] = (shard){.flat = from, .len = to - from};
        from = to;
    }
    return k;
}

static size_t elem_size(gi_dtype dt)
{
    return dt == GI_F64 ? 8 : dt == GI_F32 ? 4 : 2;
}

/* The global index of local element i of s. */
static int64_t global_index(const shard *s, int ndim, const int64_t *g,
                            int64_t i)
{
    if (s->flat >= 0)
        return s->flat + i;
    int64_t idx = 0, stride = 1;
    for (int d = ndim - 1; d >= 0; --d) {
        idx += (s->start[d] + i % s->shape[d]) * stride;
        i /= s->shape[d];
        stride *= g[d];
    }
    return idx;
}

static unsigned char *host_bytes(gi_tensor t, size_t bytes)
{
    unsigned char *h = malloc(bytes + 1);
    cr_assert_not_null(h);
    cr_assert_eq(gi_tensor_copy_to_host(t, h, bytes), GI_OK, "%s",
                 gi_last_error());
    return h;
}

static gi_generator fresh_generator(void)
{
    gi_generator gen = NULL;
    cr_assert_eq(gi_generator_create(&gen, SEED), GI_OK);
    cr_assert_eq(gi_generator_set_stream(gen, 3), GI_OK);
    cr_assert_eq(gi_generator_set_offset(gen, OFFSET), GI_OK);
    return gen;
}

/* Fills shard s of the global tensor g with spec and compares it with
 * whole (the global fill's bytes) and the generator's offset with end. */
static void check_shard(gi_context ctx, gi_dtype dt, int ndim,
                        const int64_t *g, const gi_init *spec,
                        const shard *s, const unsigned char *whole,
                        uint64_t end, const char *what)
{
    gi_tensor t = NULL;
    const int flat = s->flat >= 0;
    cr_assert_eq(gi_tensor_create(&t, ctx, dt, flat ? 1 : ndim,
                                  flat ? &s->len : s->shape),
                 GI_OK, "%s", gi_last_error());
    gi_status st = flat ? gi_tensor_set_flat_shard(t, ndim, g, s->flat)
                        : gi_tensor_set_shard(t, ndim, g, s->start);
    cr_assert_eq(st, GI_OK, "%s: %s", what, gi_last_error());
    gi_generator gen = fresh_generator();
    cr_assert_eq(gi_init_(t, spec, gen), GI_OK, "%s: %s", what,
                 gi_last_error());
    const size_t es = elem_size(dt);
    const int64_t n = gi_tensor_numel(t);
    unsigned char *h = host_bytes(t, (size_t)n * es);
    for (int64_t i = 0; i < n; ++i) {
        const int64_t k = global_index(s, ndim, g, i);
        cr_assert(memcmp(h + i * es, whole + k * es, es) == 0,
                  "%s: local element %lld (global %lld) differs", what,
                  (long long)i, (long long)k);
    }
    cr_assert_eq(gi_generator_offset(gen), end,
                 "%s: the generator is at %llu, the whole fill's at %llu",
                 what, (unsigned long long)gi_generator_offset(gen),
                 (unsigned long long)end);
    cr_assert_eq(gi_generator_seed(gen), SEED);
    free(h);
    gi_generator_destroy(gen);
    gi_tensor_destroy(t);
}

static const gi_dtype dtypes[] = {GI_F32, GI_F64, GI_F16, GI_BF16};
static const char *const dtype_names[] = {"f32", "f64", "f16", "bf16"};

/* Every dtype and layout of spec over the global shape g. */
static void check_all(int ndim, const int64_t *g, const gi_init *spec,
                      const char *name)
{
    gi_context ctx = any_context();
    const int64_t n = numel_of(ndim, g);
    for (size_t k = 0; k < sizeof dtypes / sizeof *dtypes; ++k) {
        gi_tensor w = NULL;
        cr_assert_eq(gi_tensor_create(&w, ctx, dtypes[k], ndim, g), GI_OK);
        gi_generator gen = fresh_generator();
        cr_assert_eq(gi_init_(w, spec, gen), GI_OK, "%s %s: %s", name,
                     dtype_names[k], gi_last_error());
        const uint64_t end = gi_generator_offset(gen);
        unsigned char *whole = host_bytes(w, (size_t)n * elem_size(dtypes[k]));
        for (int l = 0; l < LAYOUTS; ++l) {
            shard s[MAX_SHARDS];
            const int ns = shards_of((layout)l, ndim, g, s);
            for (int i = 0; i < ns; ++i) {
                char what[128];
                snprintf(what, sizeof what, "%s %s %s shard %d", name,
                         dtype_names[k], layout_names[l], i);
                check_shard(ctx, dtypes[k], ndim, g, spec, &s[i], whole, end,
                            what);
            }
        }
        free(whole);
        gi_generator_destroy(gen);
        gi_tensor_destroy(w);
    }
    gi_context_destroy(ctx);
}

static const int64_t MAT[] = {7, 10};    /* 70 elements */
static const int64_t CONV[] = {6, 5, 3}; /* a conv1d weight: 90 */

static void check_both_shapes(const gi_init *spec, const char *name)
{
    check_all(2, MAT, spec, name);
    check_all(3, CONV, spec, name);
}

Test(shards, uniform)
{
    check_both_shapes(&(gi_init){.kind = GI_INIT_UNIFORM, .a = -2, .b = 3},
                      "uniform");
}

Test(shards, normal)
{
    check_both_shapes(&(gi_init){.kind = GI_INIT_NORMAL, .a = 1, .b = 2},
                      "normal");
}

Test(shards, trunc_normal)
{
    check_both_shapes(&(gi_init){.kind = GI_INIT_TRUNC_NORMAL, .a = 0.5,
                                 .b = 2, .c = -1, .d = 3},
                      "trunc_normal");
}

/* [1, 1.0001] under N(0, 1) takes the narrow law (docs/rng.md). */
Test(shards, trunc_normal_narrow)
{
    check_both_shapes(&(gi_init){.kind = GI_INIT_TRUNC_NORMAL, .a = 0,
                                 .b = 1, .c = 1, .d = 1.0001},
                      "trunc_normal narrow");
}

/* The fan-based ones: bounds and stds from the global shape. */
Test(shards, xavier)
{
    check_both_shapes(&(gi_init){.kind = GI_INIT_XAVIER_UNIFORM, .a = 1.5},
                      "xavier_uniform");
    check_both_shapes(&(gi_init){.kind = GI_INIT_XAVIER_NORMAL, .a = 0.5},
                      "xavier_normal");
}

Test(shards, kaiming)
{
    check_both_shapes(&(gi_init){.kind = GI_INIT_KAIMING_UNIFORM,
                                 .a = sqrt(5.0), .mode = GI_FAN_IN,
                                 .nonlinearity = GI_NONLIN_LEAKY_RELU},
                      "kaiming_uniform");
    check_both_shapes(&(gi_init){.kind = GI_INIT_KAIMING_NORMAL, .a = 0,
                                 .mode = GI_FAN_OUT,
                                 .nonlinearity = GI_NONLIN_RELU},
                      "kaiming_normal");
}

Test(shards, lecun_and_variance_scaling)
{
    check_both_shapes(&(gi_init){.kind = GI_INIT_LECUN_UNIFORM},
                      "lecun_uniform");
    check_both_shapes(&(gi_init){.kind = GI_INIT_LECUN_NORMAL},
                      "lecun_normal");
    check_both_shapes(&(gi_init){.kind = GI_INIT_VARIANCE_SCALING, .a = 2,
                                 .mode = GI_FAN_AVG,
                                 .distribution = GI_DIST_TRUNCATED_NORMAL},
                      "variance_scaling");
}

Test(shards, mixture)
{
    static const gi_component comps[] = {
        {0.3, GI_COMPONENT_UNIFORM, -1, 1},
        {0.5, GI_COMPONENT_NORMAL, 2, 0.5},
        {0.2, GI_COMPONENT_CONSTANT, 0.25, 0}};
    check_both_shapes(&(gi_init){.kind = GI_INIT_MIXTURE, .k = 3,
                                 .components = comps},
                      "mixture");
}

Test(shards, constants)
{
    check_both_shapes(&(gi_init){.kind = GI_INIT_CONSTANT, .a = -0.75},
                      "constant");
    check_both_shapes(&(gi_init){.kind = GI_INIT_ZEROS}, "zeros");
    check_both_shapes(&(gi_init){.kind = GI_INIT_ONES}, "ones");
}

/* eye_ on the global rows and columns; dirac_ on the global indices. */
Test(shards, eye_and_dirac)
{
    check_all(2, MAT, &(gi_init){.kind = GI_INIT_EYE}, "eye");
    static const int64_t conv2d[] = {6, 4, 3, 3};
    check_all(4, conv2d, &(gi_init){.kind = GI_INIT_DIRAC, .k = 2}, "dirac");
    check_all(3, CONV, &(gi_init){.kind = GI_INIT_DIRAC, .k = 1}, "dirac");
}

/* The zeros of each global column's walk over the global rows: 7 rows
 * at sparsity 0.3 gives 3 zeros a column. */
Test(shards, sparse)
{
    check_all(2, MAT, &(gi_init){.kind = GI_INIT_SPARSE, .a = 0.3, .b = 2},
              "sparse");
    static const int64_t tall[] = {45, 8};
    check_all(2, tall, &(gi_init){.kind = GI_INIT_SPARSE, .a = 0.5, .b = 1},
              "sparse tall");
}

/* Large enough for several chunks and threads on the CPU and many
 * blocks of threads on a GPU, with runs of odd lengths and starts. */
Test(shards, large_grid)
{
    static const int64_t big[] = {301, 517};
    check_all(2, big, &(gi_init){.kind = GI_INIT_NORMAL, .a = 0, .b = 1},
              "large normal");
    check_all(2, big, &(gi_init){.kind = GI_INIT_UNIFORM, .a = 0, .b = 1},
              "large uniform");
    check_all(2, big, &(gi_init){.kind = GI_INIT_SPARSE, .a = 0.1, .b = 1},
              "large sparse");
}

/* Rows 2..4 of a 6 x 4 matrix, on t of shape 3 x 4. */
static void set_rows(gi_tensor t)
{
    cr_assert_eq(gi_tensor_set_shard(t, 2, (const int64_t[]){6, 4},
                                     (const int64_t[]){2, 0}),
                 GI_OK, "%s", gi_last_error());
}

Test(shards, info_and_clear)
{
    gi_context ctx = any_context();
    gi_tensor t = new_tensor(ctx, 2, (const int64_t[]){3, 4});
    gi_shard_info info;
    cr_assert_eq(gi_tensor_shard_info(t, &info), GI_OK);
    cr_assert_eq(info.kind, GI_SHARD_NONE);
    cr_assert_eq(info.global_ndim, 2);
    cr_assert_eq(info.global_shape[1], 4);
    set_rows(t);
    cr_assert_eq(gi_tensor_shard_info(t, &info), GI_OK);
    cr_assert_eq(info.kind, GI_SHARD_BOX);
    cr_assert_eq(info.global_shape[0], 6);
    cr_assert_eq(info.start[0], 2);
    cr_assert_eq(info.flat_start, 8);
    /* a refused call keeps the shard as it was */
    cr_assert_eq(gi_tensor_set_shard(t, 2, (const int64_t[]){6, 4},
                                     (const int64_t[]){4, 0}),
                 GI_ERR_OUT_OF_RANGE);
    cr_assert(strstr(gi_last_error(), "start[0] = 4") != NULL, "%s",
              gi_last_error());
    cr_assert_eq(gi_tensor_set_flat_shard(t, 2, (const int64_t[]){6, 4}, 13),
                 GI_ERR_OUT_OF_RANGE);
    cr_assert_eq(gi_tensor_shard_info(t, &info), GI_OK);
    cr_assert_eq(info.kind, GI_SHARD_BOX);
    cr_assert_eq(info.start[0], 2);
    cr_assert_eq(gi_tensor_set_flat_shard(t, 2, (const int64_t[]){6, 4}, 12),
                 GI_OK);
    cr_assert_eq(gi_tensor_shard_info(t, &info), GI_OK);
    cr_assert_eq(info.kind, GI_SHARD_FLAT);
    cr_assert_eq(info.flat_start, 12);
    cr_assert_eq(info.start[0], 0);
    cr_assert_eq(gi_tensor_clear_shard(t), GI_OK);
    cr_assert_eq(gi_tensor_shard_info(t, &info), GI_OK);
    cr_assert_eq(info.kind, GI_SHARD_NONE);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

/* Views and clones of a shard are ordinary tensors: filled as tensors of
 * their own, from element 0 of the stream. */
Test(shards, views_and_clones_are_not_shards)
{
    gi_context ctx = any_context();
    gi_tensor t = new_tensor(ctx, 2, (const int64_t[]){3, 4});
    set_rows(t);
    gi_tensor v = NULL, c = NULL;
    cr_assert_eq(gi_tensor_view(&v, t, 1, (const int64_t[]){12}), GI_OK);
    cr_assert_eq(gi_tensor_clone(&c, t), GI_OK);
    gi_shard_info info;
    gi_tensor_shard_info(v, &info);
    cr_assert_eq(info.kind, GI_SHARD_NONE);
    gi_tensor_shard_info(c, &info);
    cr_assert_eq(info.kind, GI_SHARD_NONE);
    gi_generator gen = fresh_generator();
    cr_assert_eq(gi_uniform_(v, 0, 1, gen), GI_OK);
    cr_assert_eq(gi_generator_offset(gen), OFFSET + 3);
    gi_generator_destroy(gen);
    gi_tensor_destroy(c);
    gi_tensor_destroy(v);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

/* orthogonal_ needs the whole matrix; a torch_cpu generator's stream is
 * serial. Each refusal names what it
 * refuses and moves nothing. */
Test(shards, refusals)
{
    gi_context ctx = any_context();
    gi_tensor t = new_tensor(ctx, 2, (const int64_t[]){3, 4});
    set_rows(t);
    gi_generator gen = fresh_generator();
    cr_assert_eq(gi_orthogonal_(t, 1.0, gen), GI_ERR_UNSUPPORTED);
    cr_assert(strstr(gi_last_error(), "gi_orthogonal_: orthogonal_") != NULL,
              "%s", gi_last_error());
    cr_assert_eq(gi_generator_offset(gen), OFFSET);
    gi_generator torch = NULL;
    cr_assert_eq(gi_generator_create_kind(&torch, GI_GENERATOR_TORCH_CPU, 1),
                 GI_OK);
    cr_assert_eq(gi_uniform_(t, 0, 1, torch), GI_ERR_UNSUPPORTED);
    cr_assert(strstr(gi_last_error(), "torch_cpu") != NULL, "%s",
              gi_last_error());
    /* a fill that draws nothing needs no stream */
    cr_assert_eq(gi_ones_(t), GI_OK);
    gi_generator_destroy(torch);
    gi_generator_destroy(gen);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

/* A shard that is the whole tensor is an ordinary tensor: orthogonal_
 * works and gives the whole tensor's values. */
Test(shards, whole_shard_orthogonal)
{
    gi_context ctx = any_context();
    const int64_t g[] = {4, 6};
    gi_tensor w = new_tensor(ctx, 2, g), t = new_tensor(ctx, 2, g);
    cr_assert_eq(gi_tensor_set_shard(t, 2, g, (const int64_t[]){0, 0}),
                 GI_OK);
    gi_generator a = fresh_generator(), b = fresh_generator();
    cr_assert_eq(gi_orthogonal_(w, 1.0, a), GI_OK, "%s", gi_last_error());
    cr_assert_eq(gi_orthogonal_(t, 1.0, b), GI_OK, "%s", gi_last_error());
    unsigned char *hw = host_bytes(w, 96), *ht = host_bytes(t, 96);
    cr_assert(memcmp(hw, ht, 96) == 0);
    cr_assert_eq(gi_generator_offset(a), gi_generator_offset(b));
    free(hw);
    free(ht);
    gi_generator_destroy(a);
    gi_generator_destroy(b);
    gi_tensor_destroy(w);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

/* The parameters of Sequential(Linear(in, hid), Linear(hid, out)) at
 * rank r of `ranks`, the first column-parallel (its outputs, weight rows
 * and bias, split), the second row-parallel (its inputs, weight columns,
 * split; its bias whole); ranks 0 is the whole tree. */
enum { IN = 10, HID = 12, OUT = 6 };

static gi_module parallel_tree(gi_context ctx, int r, int ranks)
{
    const int64_t h0 = ranks ? HID * r / ranks : 0;
    const int64_t h = ranks ? HID * (r + 1) / ranks - h0 : HID;
    gi_module kids[2] = {NULL, NULL}, seq = NULL;
    cr_assert_eq(gi_linear_create(&kids[0], ctx, IN, h, 1, GI_F32), GI_OK);
    cr_assert_eq(gi_linear_create(&kids[1], ctx, h, OUT, 1, GI_F32), GI_OK);
    if (ranks) {
        cr_assert_eq(gi_tensor_set_shard(gi_module_weight(kids[0]), 2,
                                         (const int64_t[]){HID, IN},
                                         (const int64_t[]){h0, 0}),
                     GI_OK, "%s", gi_last_error());
        cr_assert_eq(gi_tensor_set_shard(gi_module_bias(kids[0]), 1,
                                         (const int64_t[]){HID}, &h0),
                     GI_OK, "%s", gi_last_error());
        cr_assert_eq(gi_tensor_set_shard(gi_module_weight(kids[1]), 2,
                                         (const int64_t[]){OUT, HID},
                                         (const int64_t[]){0, h0}),
                     GI_OK, "%s", gi_last_error());
    }
    cr_assert_eq(gi_sequential_create(&seq, ctx, 2, kids), GI_OK);
    return seq;
}

static float *param_host(gi_module seq, int child, int bias)
{
    gi_module m = NULL;
    cr_assert_eq(gi_module_child(seq, child, &m), GI_OK);
    gi_tensor t = bias ? gi_module_bias(m) : gi_module_weight(m);
    return (float *)host_bytes(t, (size_t)gi_tensor_numel(t) * 4);
}

/* Local element i of a parameter of rank r against the whole's. */
static int64_t whole_index(int child, int bias, int r, int ranks, int64_t i)
{
    const int64_t h0 = HID * r / ranks, h = HID * (r + 1) / ranks - h0;
    if (child == 0)
        return h0 * (bias ? 1 : IN) + i;
    return bias ? i : i / h * HID + h0 + i % h;
}

Test(shards, module_init_parallel_linears)
{
    gi_context ctx = any_context();
    const gi_init w = {.kind = GI_INIT_KAIMING_UNIFORM, .a = sqrt(5.0),
                       .mode = GI_FAN_IN,
                       .nonlinearity = GI_NONLIN_LEAKY_RELU};
    const gi_init b = {.kind = GI_INIT_NORMAL, .a = 0, .b = 0.1};
    gi_module whole = parallel_tree(ctx, 0, 0);
    gi_generator gen = fresh_generator();
    cr_assert_eq(gi_module_init_(whole, &w, &b, gen), GI_OK, "%s",
                 gi_last_error());
    const uint64_t end = gi_generator_offset(gen);
    gi_generator_destroy(gen);
    for (int r = 0; r < 3; ++r) {
        gi_module part = parallel_tree(ctx, r, 3);
        gen = fresh_generator();
        cr_assert_eq(gi_module_init_(part, &w, &b, gen), GI_OK, "%s",
                     gi_last_error());
        cr_assert_eq(gi_generator_offset(gen), end);
        for (int k = 0; k < 4; ++k) {
            const int child = k / 2, bias = k % 2;
            gi_module m = NULL;
            gi_module_child(part, child, &m);
            const int64_t n = gi_tensor_numel(bias ? gi_module_bias(m)
                                                   : gi_module_weight(m));
            float *p = param_host(part, child, bias);
            float *q = param_host(whole, child, bias);
            for (int64_t i = 0; i < n; ++i)
                cr_assert(memcmp(&p[i], &q[whole_index(child, bias, r, 3, i)],
                                 4) == 0,
                          "rank %d, %d.%s[%lld] differs", r, child,
                          bias ? "bias" : "weight", (long long)i);
            free(p);
            free(q);
        }
        gi_generator_destroy(gen);
        gi_module_destroy(part);
    }
    gi_module_destroy(whole);
    gi_context_destroy(ctx);
}

/* gi_linear_create_parallel: each rank's part of Sequential(column-
 * parallel Linear(IN, HID), row-parallel Linear(HID, OUT)), created from
 * the same default generator state, is the whole tree's creation, and
 * the context's generator ends where the whole's does. */
static gi_module created_tree(gi_context ctx, int r, int ranks,
                              gi_dtype dt)
{
    const int64_t h0 = ranks ? HID * r / ranks : 0;
    const int64_t h = ranks ? HID * (r + 1) / ranks - h0 : HID;
    gi_module kids[2] = {NULL, NULL}, seq = NULL;
    cr_assert_eq(gi_manual_seed(ctx, SEED), GI_OK);
    if (ranks) {
        cr_assert_eq(gi_linear_create_parallel(&kids[0], ctx, IN, h, 1, dt,
                                               GI_LINEAR_COLUMN, HID, h0),
                     GI_OK, "%s", gi_last_error());
        cr_assert_eq(gi_linear_create_parallel(&kids[1], ctx, h, OUT, 1, dt,
                                               GI_LINEAR_ROW, HID, h0),
                     GI_OK, "%s", gi_last_error());
    } else {
        cr_assert_eq(gi_linear_create(&kids[0], ctx, IN, HID, 1, dt), GI_OK);
        cr_assert_eq(gi_linear_create(&kids[1], ctx, HID, OUT, 1, dt), GI_OK);
    }
    cr_assert_eq(gi_sequential_create(&seq, ctx, 2, kids), GI_OK);
    return seq;
}

Test(shards, linear_create_parallel)
{
    gi_context ctx = any_context();
    for (size_t d = 0; d < sizeof dtypes / sizeof *dtypes; ++d) {
        const size_t es = elem_size(dtypes[d]);
        gi_module whole = created_tree(ctx, 0, 0, dtypes[d]);
        const uint64_t end =
            gi_generator_offset(gi_context_generator(ctx));
        for (int r = 0; r < 3; ++r) {
            gi_module part = created_tree(ctx, r, 3, dtypes[d]);
            cr_assert_eq(gi_generator_offset(gi_context_generator(ctx)),
                         end);
            for (int k = 0; k < 4; ++k) {
                const int child = k / 2, bias = k % 2;
                gi_module m = NULL, mw = NULL;
                gi_module_child(part, child, &m);
                gi_module_child(whole, child, &mw);
                gi_tensor t = bias ? gi_module_bias(m) : gi_module_weight(m);
                gi_tensor tw = bias ? gi_module_bias(mw)
                                    : gi_module_weight(mw);
                const int64_t n = gi_tensor_numel(t);
                unsigned char *p = host_bytes(t, (size_t)n * es);
                unsigned char *q =
                    host_bytes(tw, (size_t)gi_tensor_numel(tw) * es);
                for (int64_t i = 0; i < n; ++i) {
                    const int64_t j = whole_index(child, bias, r, 3, i);
                    cr_assert(memcmp(p + i * es, q + j * es, es) == 0,
                              "%s rank %d, %d.%s[%lld] differs",
                              dtype_names[d], r, child,
                              bias ? "bias" : "weight", (long long)i);
                }
                free(p);
                free(q);
            }
            gi_module_destroy(part);
        }
        gi_module_destroy(whole);
    }
    gi_context_destroy(ctx);
}
