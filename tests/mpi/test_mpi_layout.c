/* Layouts (gi_mpi_split, gi_mpi_shard_layout, gi_mpi_shard_create) and
 * tensor-parallel Linears (gi_mpi_linear_create) on every rank count:
 * each rank's shard lies where the header says, the shards tile their
 * tensor, and every initializer gives each shard the matching block of
 * the whole fill from the same generator state, leaving the generator
 * where the whole fill leaves it. Failures are collective: the failing
 * rank gets its own status, the others GI_ERR_PEER, and nothing moves. */
#include <math.h>
#include <string.h>

#include "mpi_ref.h"

#define NSHAPES 5
static const int shape_ndim[NSHAPES] = {2, 3, 2, 2, 1};
static const int64_t shapes[NSHAPES][3] = {
    {7, 5}, {3, 4, 5}, {1, 9}, {0, 3}, {11}};

typedef struct layout_case {
    gi_mpi_layout layout;
    int grid_rows;
    const char *name;
} layout_case;

/* Every layout, with the process grids this rank count allows. */
static int layout_cases(layout_case *out)
{
    int n = 0;
    out[n++] = (layout_case){GI_MPI_REPLICATED, 0, "replicated"};
    out[n++] = (layout_case){GI_MPI_ROWS, 0, "rows"};
    out[n++] = (layout_case){GI_MPI_COLUMNS, 0, "columns"};
    out[n++] = (layout_case){GI_MPI_GRID, 1, "grid 1 x size"};
    if (mpi_size() % 2 == 0)
        out[n++] = (layout_case){GI_MPI_GRID, 2, "grid 2 x size/2"};
    if (mpi_size() > 2)
        out[n++] = (layout_case){GI_MPI_GRID, mpi_size(), "grid size x 1"};
    out[n++] = (layout_case){GI_MPI_FLAT, 0, "flat"};
    return n;
}

static int min_dims(gi_mpi_layout l)
{
    return l == GI_MPI_GRID ? 2 : l == GI_MPI_ROWS || l == GI_MPI_COLUMNS;
}

static void test_split(void)
{
    const int64_t ns[] = {0, 1, 2, 5, 7, 11, 100};
    for (size_t k = 0; k < sizeof ns / sizeof *ns; ++k)
        for (int parts = 1; parts <= 9; ++parts) {
            int64_t next = 0, prev = INT64_MAX;
            for (int i = 0; i < parts; ++i) {
                int64_t start = -5, size = -5;
                CHECK_OK(gi_mpi_split(ns[k], parts, i, &start, &size));
                CHECK(start == next && size >= 0 && size <= prev &&
                          (i == 0 || prev - size <= 1),
                      "split(%lld, %d, %d) = (%lld, %lld)", (long long)ns[k],
                      parts, i, (long long)start, (long long)size);
                next = start + size;
                prev = size;
            }
            CHECK(next == ns[k], "split(%lld, %d) covers %lld",
                  (long long)ns[k], parts, (long long)next);
        }
    const int64_t want[][5] = {/* n, parts, index, start, size */
                               {7, 3, 0, 0, 3}, {7, 3, 1, 3, 2},
                               {7, 3, 2, 5, 2}, {2, 4, 1, 1, 1},
                               {2, 4, 3, 2, 0}, {0, 3, 2, 0, 0}};
    for (size_t k = 0; k < sizeof want / sizeof *want; ++k) {
        int64_t start = -5, size = -5;
        CHECK_OK(gi_mpi_split(want[k][0], (int)want[k][1], (int)want[k][2],
                              &start, &size));
        CHECK(start == want[k][3] && size == want[k][4], "case %zu", k);
    }
    int64_t start = -5, size = -5;
    CHECK(gi_mpi_split(-1, 2, 0, &start, &size) == GI_ERR_INVALID_ARGUMENT,
          "negative n");
    CHECK(strstr(gi_last_error(), "gi_mpi_split: argument 'n' = -1") != NULL,
          "message");
    CHECK(gi_mpi_split(4, 0, 0, &start, &size) == GI_ERR_INVALID_ARGUMENT,
          "no parts");
    CHECK(gi_mpi_split(4, 2, -1, &start, &size) == GI_ERR_INVALID_ARGUMENT,
          "negative index");
    CHECK(gi_mpi_split(4, 2, 2, &start, &size) == GI_ERR_INVALID_ARGUMENT,
          "index = parts");
    CHECK(gi_mpi_split(4, 2, 0, NULL, &size) == GI_ERR_NULL_ARGUMENT,
          "NULL start");
    CHECK(gi_mpi_split(4, 2, 0, &start, NULL) == GI_ERR_NULL_ARGUMENT,
          "NULL size");
    CHECK(start == -5 && size == -5, "a refused split wrote its outputs");
}

/* The header's place for this rank, computed here from gi_mpi_split and
 * the documented grid order (rank = i * grid_cols + j). */
static void expected_place(const layout_case *c, int ndim, const int64_t *g,
                           gi_shard_info *e, int64_t *shape)
{
    const int rank = mpi_rank(), size = mpi_size(), last = ndim - 1;
    memset(e, 0, sizeof *e);
    e->kind = GI_SHARD_BOX;
    e->global_ndim = ndim;
    memcpy(e->global_shape, g, sizeof *g * ndim);
    memcpy(shape, g, sizeof *g * ndim);
    if (c->layout == GI_MPI_REPLICATED) {
        e->kind = GI_SHARD_NONE;
        return;
    }
    if (c->layout == GI_MPI_FLAT) {
        e->kind = GI_SHARD_FLAT;
        CHECK_OK(gi_mpi_split(ref_numel(ndim, g), size, rank, &e->flat_start,
                              &shape[0]));
        return;
    }
    if (c->layout == GI_MPI_ROWS)
        CHECK_OK(gi_mpi_split(g[0], size, rank, &e->start[0], &shape[0]));
    if (c->layout == GI_MPI_COLUMNS)
        CHECK_OK(gi_mpi_split(g[last], size, rank, &e->start[last],
                              &shape[last]));
    if (c->layout == GI_MPI_GRID) {
        const int cols = size / c->grid_rows;
        CHECK_OK(gi_mpi_split(g[0], c->grid_rows, rank / cols, &e->start[0],
                              &shape[0]));
        CHECK_OK(gi_mpi_split(g[last], cols, rank % cols, &e->start[last],
                              &shape[last]));
    }
    int64_t stride = 1;
    for (int d = last; d >= 0; --d) {
        e->flat_start += e->start[d] * stride;
        stride *= g[d];
    }
    if (ref_numel(ndim, shape) == 0)
        e->flat_start = 0;
}

/* Every global element is held once (size times when replicated). */
static void check_tiling(gi_tensor t, int ndim, const int64_t *g,
                         int replicated, const char *what)
{
    const int64_t n = ref_numel(ndim, g);
    int *count = calloc((size_t)n + 1, sizeof *count);
    int *total = calloc((size_t)n + 1, sizeof *total);
    gi_shard_info s;
    CHECK_OK(gi_tensor_shard_info(t, &s));
    for (int64_t i = 0; i < gi_tensor_numel(t); ++i)
        ++count[ref_global_index(&s, t, i)];
    MPI_Allreduce(count, total, (int)n, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    const int want = replicated ? mpi_size() : 1;
    for (int64_t i = 0; i < n; ++i)
        CHECK(total[i] == want, "%s: element %lld held %d times", what,
              (long long)i, total[i]);
    free(count);
    free(total);
}

static void check_layout(gi_context ctx, const layout_case *c, int ndim,
                         const int64_t *g, const char *what)
{
    gi_shard_info info, want;
    int64_t shape[GI_MAX_DIMS], want_shape[GI_MAX_DIMS];
    gi_status st = gi_mpi_shard_layout(MPI_COMM_WORLD, c->layout,
                                       c->grid_rows, ndim, g, &info, shape);
    if (ndim < min_dims(c->layout)) {
        CHECK(st == GI_ERR_SHAPE, "%s: too few dimensions", what);
        gi_tensor t = NULL;
        CHECK(gi_mpi_shard_create(&t, ctx, MPI_COMM_WORLD, c->layout,
                                  c->grid_rows, GI_F32, ndim, g) ==
                  GI_ERR_SHAPE && t == NULL,
              "%s: created with too few dimensions", what);
        return;
    }
    CHECK(st == GI_OK, "%s: layout", what);
    expected_place(c, ndim, g, &want, want_shape);
    const int own_ndim = c->layout == GI_MPI_FLAT ? 1 : ndim;
    CHECK(memcmp(&info, &want, sizeof info) == 0, "%s: shard info", what);
    CHECK(memcmp(shape, want_shape, sizeof *shape * own_ndim) == 0,
          "%s: shape", what);
    gi_tensor t = NULL;
    CHECK_OK(gi_mpi_shard_create(&t, ctx, MPI_COMM_WORLD, c->layout,
                                 c->grid_rows, GI_F32, ndim, g));
    gi_shard_info got;
    CHECK_OK(gi_tensor_shard_info(t, &got));
    CHECK(memcmp(&got, &want, sizeof got) == 0, "%s: tensor's shard", what);
    CHECK(gi_tensor_ndim(t) == own_ndim &&
              memcmp(gi_tensor_shape(t), want_shape,
                     sizeof *shape * own_ndim) == 0,
          "%s: tensor's shape", what);
    check_tiling(t, ndim, g, c->layout == GI_MPI_REPLICATED, what);
    gi_tensor_destroy(t);
}

static void test_layouts(void)
{
    gi_context ctx = ref_cpu_context();
    layout_case cases[8];
    const int nc = layout_cases(cases);
    for (int s = 0; s < NSHAPES; ++s)
        for (int c = 0; c < nc; ++c) {
            char what[96];
            snprintf(what, sizeof what, "%s of shape %d", cases[c].name, s);
            check_layout(ctx, &cases[c], shape_ndim[s], shapes[s], what);
        }
    gi_context_destroy(ctx);
}

static const gi_component mixture[] = {{0.25, GI_COMPONENT_UNIFORM, 5, 10},
                                       {0.5, GI_COMPONENT_CONSTANT, 0, 0},
                                       {0.25, GI_COMPONENT_NORMAL, -7, 2}};

/* Every kind of gi_init_ but none and orthogonal (gi_mpi_orthogonal_'s). */
static const gi_init specs[] = {
    {.kind = GI_INIT_UNIFORM, .a = -2, .b = 3},
    {.kind = GI_INIT_NORMAL, .a = 0.5, .b = 2},
    {.kind = GI_INIT_CONSTANT, .a = 1.25},
    {.kind = GI_INIT_ZEROS},
    {.kind = GI_INIT_ONES},
    {.kind = GI_INIT_XAVIER_UNIFORM, .a = 1},
    {.kind = GI_INIT_XAVIER_NORMAL, .a = 0.7},
    {.kind = GI_INIT_KAIMING_UNIFORM, .a = 2.2360679774997898,
     .mode = GI_FAN_IN, .nonlinearity = GI_NONLIN_LEAKY_RELU},
    {.kind = GI_INIT_KAIMING_NORMAL, .mode = GI_FAN_OUT,
     .nonlinearity = GI_NONLIN_RELU},
    {.kind = GI_INIT_TRUNC_NORMAL, .a = 0, .b = 1, .c = -2, .d = 2},
    {.kind = GI_INIT_TRUNC_NORMAL, .a = 0, .b = 1, .c = 2, .d = 2.5},
    {.kind = GI_INIT_VARIANCE_SCALING, .a = 2, .mode = GI_FAN_AVG,
     .distribution = GI_DIST_TRUNCATED_NORMAL},
    {.kind = GI_INIT_VARIANCE_SCALING, .a = 0.5, .mode = GI_FAN_IN,
     .distribution = GI_DIST_NORMAL},
    {.kind = GI_INIT_VARIANCE_SCALING, .a = 1, .mode = GI_FAN_OUT,
     .distribution = GI_DIST_UNIFORM},
    {.kind = GI_INIT_LECUN_UNIFORM},
    {.kind = GI_INIT_LECUN_NORMAL},
    {.kind = GI_INIT_MIXTURE, .k = 3, .components = mixture},
    {.kind = GI_INIT_EYE},
    {.kind = GI_INIT_DIRAC, .k = 1},
    {.kind = GI_INIT_SPARSE, .a = 0.3, .b = 0.01}};
#define NSPECS ((int)(sizeof specs / sizeof *specs))

static const char *const kind_names[] = {
#define KIND_NAME_(name, value, text) [value] = text,
    GI_INIT_KIND_LIST(KIND_NAME_)
#undef KIND_NAME_
};

/* spec on this rank's shard t and on the whole tensor from one state:
 * the same status (a shape one refuses, the other refuses too), the
 * block's bytes, the generator's end. */
static void check_fill(gi_tensor t, gi_context ref, int ndim,
                       const int64_t *g, const gi_init *spec,
                       const char *what)
{
    gi_tensor whole = NULL;
    CHECK_OK(gi_tensor_create(&whole, ref, gi_tensor_dtype(t), ndim, g));
    gi_generator gen = ref_generator(), gen_whole = ref_generator();
    const gi_status st = gi_init_(t, spec, gen);
    const gi_status want = gi_init_(whole, spec, gen_whole);
    CHECK(st == want, "%s: status %s, the whole fill's %s", what,
          gi_status_name(st), gi_status_name(want));
    if (st == GI_OK && want == GI_OK) {
        CHECK(ref_mismatches(t, whole, what) == 0, "%s: values", what);
        CHECK(ref_same_state(gen, gen_whole), "%s: generator at %llu, the "
              "whole fill's at %llu", what,
              (unsigned long long)gi_generator_offset(gen),
              (unsigned long long)gi_generator_offset(gen_whole));
    }
    gi_generator_destroy(gen);
    gi_generator_destroy(gen_whole);
    gi_tensor_destroy(whole);
}

static void test_fills(void)
{
    gi_context ctx = NULL, ref = ref_cpu_context();
    CHECK_OK(gi_context_create(&ctx, GI_DEVICE_AUTO));
    layout_case cases[8];
    const int nc = layout_cases(cases);
    for (int s = 0; s < NSHAPES; ++s)
        for (int c = 0; c < nc; ++c) {
            if (shape_ndim[s] < min_dims(cases[c].layout))
                continue;
            for (int k = 0; k < REF_DTYPES; ++k) {
                gi_tensor t = NULL;
                CHECK_OK(gi_mpi_shard_create(&t, ctx, MPI_COMM_WORLD,
                                             cases[c].layout,
                                             cases[c].grid_rows,
                                             ref_dtypes[k], shape_ndim[s],
                                             shapes[s]));
                for (int i = 0; t != NULL && i < NSPECS; ++i) {
                    char what[128];
                    snprintf(what, sizeof what, "%s %s of shape %d, %s",
                             kind_names[specs[i].kind], cases[c].name,
                             s, gi_dtype_name(ref_dtypes[k]));
                    check_fill(t, ref, shape_ndim[s], shapes[s], &specs[i],
                               what);
                }
                gi_tensor_destroy(t);
            }
        }
    gi_context_destroy(ref);
    gi_context_destroy(ctx);
}

/* This rank's part of a Linear against gi_linear_create's whole one. */
static void check_linear(gi_context ctx, gi_context ref, int64_t in,
                         int64_t out, int bias, gi_dtype dt,
                         gi_linear_split split)
{
    char what[96];
    snprintf(what, sizeof what, "Linear(%lld, %lld, bias=%d) %s %s",
             (long long)in, (long long)out, bias,
             split == GI_LINEAR_COLUMN ? "column" : "row",
             gi_dtype_name(dt));
    CHECK_OK(gi_manual_seed(ctx, REF_SEED));
    CHECK_OK(gi_manual_seed(ref, REF_SEED));
    gi_module m = NULL, whole = NULL;
    CHECK_OK(gi_mpi_linear_create(&m, ctx, MPI_COMM_WORLD, in, out, bias, dt,
                                  split));
    CHECK_OK(gi_linear_create(&whole, ref, in, out, bias, dt));
    if (m == NULL || whole == NULL)
        return;
    const int column = split == GI_LINEAR_COLUMN;
    int64_t start = 0, len = 0;
    CHECK_OK(gi_mpi_split(column ? out : in, mpi_size(), mpi_rank(), &start,
                          &len));
    gi_shard_info s;
    gi_tensor w = gi_module_weight(m);
    CHECK_OK(gi_tensor_shard_info(w, &s));
    CHECK(s.kind == GI_SHARD_BOX && s.start[column ? 0 : 1] == start &&
              gi_tensor_size(w, column ? 0 : 1) == len &&
              gi_tensor_size(w, column ? 1 : 0) == (column ? in : out),
          "%s: the weight's part", what);
    CHECK(ref_mismatches(w, gi_module_weight(whole), what) == 0,
          "%s: weight", what);
    if (bias) {
        gi_tensor b = gi_module_bias(m);
        CHECK(gi_tensor_numel(b) == (column ? len : out), "%s: bias part",
              what);
        CHECK(ref_mismatches(b, gi_module_bias(whole), what) == 0,
              "%s: bias", what);
    } else {
        CHECK(gi_module_bias(m) == NULL, "%s: a bias", what);
    }
    CHECK(ref_same_state(gi_context_generator(ctx),
                         gi_context_generator(ref)),
          "%s: generator", what);
    gi_module_destroy(m);
    gi_module_destroy(whole);
}

static void test_linears(void)
{
    gi_context ctx = NULL, ref = ref_cpu_context();
    CHECK_OK(gi_context_create(&ctx, GI_DEVICE_AUTO));
    const int64_t features[][2] = {{7, 5}, {3, 10}, {2, 3}, {1, 1}};
    for (size_t f = 0; f < sizeof features / sizeof *features; ++f)
        for (int k = 0; k < REF_DTYPES; ++k)
            for (int bias = 0; bias <= 1; ++bias)
                for (int split = 0; split <= 1; ++split)
                    check_linear(ctx, ref, features[f][0], features[f][1],
                                 bias, ref_dtypes[k],
                                 (gi_linear_split)split);
    gi_context_destroy(ref);
    gi_context_destroy(ctx);
}

/* st is the failure of a call in which rank `failing` (-1: every rank)
 * failed with own: that status there, GI_ERR_PEER naming it elsewhere. */
static void check_failure(gi_status st, int failing, gi_status own,
                          const char *what)
{
    const int here = failing < 0 || failing == mpi_rank();
    CHECK(st == (here ? own : GI_ERR_PEER), "%s: %s, want %s", what,
          gi_status_name(st), gi_status_name(here ? own : GI_ERR_PEER));
    char rank[32];
    snprintf(rank, sizeof rank, "rank %d of %d", failing, mpi_size());
    CHECK(here || strstr(gi_last_error(), rank) != NULL,
          "%s: the peer's message", what);
}

static void test_refusals(void)
{
    gi_context ctx = ref_cpu_context();
    const int64_t g[] = {7, 5}, neg[] = {7, -1};
    const int64_t big[] = {INT64_MAX / 2, 3};
    gi_shard_info info;
    gi_tensor t = NULL;
    struct {
        gi_status want;
        gi_mpi_layout layout;
        int grid_rows, ndim;
        const int64_t *shape;
    } bad[] = {
        {GI_ERR_INVALID_ARGUMENT, (gi_mpi_layout)5, 0, 2, g},
        {GI_ERR_INVALID_ARGUMENT, (gi_mpi_layout)-1, 0, 2, g},
        {GI_ERR_SHAPE, GI_MPI_ROWS, 0, 9, g},
        {GI_ERR_SHAPE, GI_MPI_ROWS, 0, -1, g},
        {GI_ERR_SHAPE, GI_MPI_ROWS, 0, 2, neg},
        {GI_ERR_SHAPE, GI_MPI_ROWS, 0, 0, NULL},
        {GI_ERR_SHAPE, GI_MPI_GRID, 1, 1, g},
        {GI_ERR_NULL_ARGUMENT, GI_MPI_ROWS, 0, 2, NULL},
        {GI_ERR_INVALID_ARGUMENT, GI_MPI_GRID, 0, 2, g},
        {GI_ERR_INVALID_ARGUMENT, GI_MPI_GRID, -2, 2, g},
        {GI_ERR_INVALID_ARGUMENT, GI_MPI_GRID, mpi_size() + 1, 2, g},
        {GI_ERR_OVERFLOW, GI_MPI_FLAT, 0, 2, big}};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; ++k) {
        char what[64];
        snprintf(what, sizeof what, "refused layout %zu", k);
        check_failure(gi_mpi_shard_layout(MPI_COMM_WORLD, bad[k].layout,
                                          bad[k].grid_rows, bad[k].ndim,
                                          bad[k].shape, &info, NULL),
                      -1, bad[k].want, what);
        check_failure(gi_mpi_shard_create(&t, ctx, MPI_COMM_WORLD,
                                          bad[k].layout, bad[k].grid_rows,
                                          GI_F32, bad[k].ndim, bad[k].shape),
                      -1, bad[k].want, what);
        CHECK(t == NULL, "%s: *out written", what);
    }
    check_failure(gi_mpi_shard_layout(MPI_COMM_WORLD, GI_MPI_ROWS, 0, 2, g,
                                      NULL, NULL),
                  -1, GI_ERR_NULL_ARGUMENT, "NULL out");
    check_failure(gi_mpi_shard_layout(MPI_COMM_NULL, GI_MPI_ROWS, 0, 2, g,
                                      &info, NULL),
                  -1, GI_ERR_INVALID_ARGUMENT, "layout on MPI_COMM_NULL");
    check_failure(gi_mpi_shard_create(&t, ctx, MPI_COMM_NULL, GI_MPI_ROWS, 0,
                                      GI_F32, 2, g),
                  -1, GI_ERR_INVALID_ARGUMENT, "create on MPI_COMM_NULL");
    check_failure(gi_mpi_shard_create(NULL, ctx, MPI_COMM_WORLD, GI_MPI_ROWS,
                                      0, GI_F32, 2, g),
                  -1, GI_ERR_NULL_ARGUMENT, "create into NULL");
    check_failure(gi_mpi_shard_create(&t, ctx, MPI_COMM_WORLD, GI_MPI_ROWS,
                                      0, (gi_dtype)4, 2, g),
                  -1, GI_ERR_INVALID_ARGUMENT, "create of dtype 4");
    CHECK(t == NULL, "*out written");
    gi_context_destroy(ctx);
}

/* One rank's own failure, or its disagreement, fails every rank. */
static void test_failing_rank(void)
{
    gi_context ctx = ref_cpu_context();
    const int64_t g[] = {7, 5}, other[] = {7, 6};
    const int me = mpi_rank(), r1 = mpi_size() > 1 ? 1 : 0;
    gi_tensor t = NULL;
    check_failure(gi_mpi_shard_create(&t, me == r1 ? NULL : ctx,
                                      MPI_COMM_WORLD, GI_MPI_ROWS, 0, GI_F32,
                                      2, g),
                  r1, GI_ERR_NULL_ARGUMENT, "rank 1's NULL ctx");
    check_failure(gi_mpi_shard_create(&t, ctx, MPI_COMM_WORLD, GI_MPI_ROWS,
                                      0, GI_F32, me == 0 ? 9 : 2, g),
                  0, GI_ERR_SHAPE, "rank 0's ndim 9");
    check_failure(gi_mpi_shard_create(&t, ctx, MPI_COMM_WORLD, GI_MPI_GRID,
                                      me == r1 ? 0 : 1, GI_F32, 2, g),
                  r1, GI_ERR_INVALID_ARGUMENT, "rank 1's grid_rows 0");
    if (mpi_size() > 1) {
        check_failure(gi_mpi_shard_create(&t, ctx, MPI_COMM_WORLD,
                                          GI_MPI_ROWS, 0, GI_F32, 2,
                                          me == 1 ? other : g),
                      1, GI_ERR_INVALID_ARGUMENT, "rank 1's global shape");
        check_failure(gi_mpi_shard_create(&t, ctx, MPI_COMM_WORLD,
                                          GI_MPI_FLAT, 0,
                                          me == 1 ? GI_F64 : GI_F32, 2, g),
                      1, GI_ERR_INVALID_ARGUMENT, "rank 1's dtype");
        check_failure(gi_mpi_shard_create(&t, ctx, MPI_COMM_WORLD,
                                          me == 1 ? GI_MPI_COLUMNS
                                                  : GI_MPI_ROWS,
                                          0, GI_F32, 2, g),
                      1, GI_ERR_INVALID_ARGUMENT, "rank 1's layout");
        gi_shard_info info;
        check_failure(gi_mpi_shard_layout(MPI_COMM_WORLD, GI_MPI_ROWS, 0, 2,
                                          me == 1 ? other : g, &info, NULL),
                      1, GI_ERR_INVALID_ARGUMENT, "layout: rank 1's shape");
    }
    CHECK(t == NULL, "*out written after a failure");
    gi_context_destroy(ctx);
}

/* A refused Linear leaves every rank's generator where it was, even where
 * this rank's part was made before another rank's failed. */
static void test_failing_linear(void)
{
    gi_context ctx = ref_cpu_context();
    const int me = mpi_rank(), r1 = mpi_size() > 1 ? 1 : 0;
    gi_generator gen = gi_context_generator(ctx);
    CHECK_OK(gi_generator_set_offset(gen, REF_OFFSET));
    gi_module m = NULL;
    check_failure(gi_mpi_linear_create(&m, ctx, MPI_COMM_WORLD,
                                       me == r1 ? -1 : 7, 5, 1, GI_F32,
                                       GI_LINEAR_ROW),
                  r1, GI_ERR_INVALID_ARGUMENT, "rank 1's in_features -1");
    check_failure(gi_mpi_linear_create(&m, me == r1 ? NULL : ctx,
                                       MPI_COMM_WORLD, 7, 5, 1, GI_F32,
                                       GI_LINEAR_COLUMN),
                  r1, GI_ERR_NULL_ARGUMENT, "rank 1's NULL ctx");
    check_failure(gi_mpi_linear_create(&m, ctx, MPI_COMM_WORLD, 7, 5, 1,
                                       GI_F32,
                                       me == r1 ? (gi_linear_split)2
                                                : GI_LINEAR_ROW),
                  r1, GI_ERR_INVALID_ARGUMENT, "rank 1's split 2");
    check_failure(gi_mpi_linear_create(&m, ctx, MPI_COMM_NULL, 7, 5, 1,
                                       GI_F32, GI_LINEAR_ROW),
                  -1, GI_ERR_INVALID_ARGUMENT, "Linear on MPI_COMM_NULL");
    if (mpi_size() > 1) {
        check_failure(gi_mpi_linear_create(&m, ctx, MPI_COMM_WORLD, 7, 5,
                                           me == 1 ? 0 : 1, GI_F32,
                                           GI_LINEAR_ROW),
                      1, GI_ERR_INVALID_ARGUMENT, "rank 1's bias");
        /* Generators in other states would make parts of different
         * Linears: refused. */
        if (me == 1)
            CHECK_OK(gi_generator_set_offset(gen, REF_OFFSET + 1));
        check_failure(gi_mpi_linear_create(&m, ctx, MPI_COMM_WORLD, 7, 5, 1,
                                           GI_F32, GI_LINEAR_COLUMN),
                      1, GI_ERR_INVALID_ARGUMENT,
                      "rank 1's generator state");
        CHECK_OK(gi_generator_set_offset(gen, REF_OFFSET));
        /* Agreed, then refused by every rank's core: a torch_cpu
         * generator cannot fill a part of a Linear. */
        gi_context torch = ref_cpu_context();
        CHECK_OK(gi_context_set_generator_kind(torch,
                                               GI_GENERATOR_TORCH_CPU));
        gi_generator tg = gi_context_generator(torch);
        unsigned char before[8192], after[8192];
        size_t nb = 0, na = 0;
        CHECK_OK(gi_generator_get_state(tg, before, sizeof before, &nb));
        check_failure(gi_mpi_linear_create(&m, torch, MPI_COMM_WORLD, 7, 5,
                                           1, GI_F32, GI_LINEAR_COLUMN),
                      -1, GI_ERR_UNSUPPORTED, "torch_cpu generators");
        CHECK_OK(gi_generator_get_state(tg, after, sizeof after, &na));
        CHECK(na == nb && memcmp(before, after, na) == 0,
              "a failed Linear moved the generator");
        gi_context_destroy(torch);
    }
    CHECK(m == NULL, "*out written after a failure");
    CHECK(gi_generator_offset(gen) == REF_OFFSET,
          "a failed Linear moved the generator to %llu",
          (unsigned long long)gi_generator_offset(gen));
    gi_context_destroy(ctx);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    test_split();
    test_layouts();
    test_fills();
    test_linears();
    test_refusals();
    test_failing_rank();
    test_failing_linear();
    return mpi_check_finish("test_mpi_layout");
}
