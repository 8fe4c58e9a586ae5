/* gi_mpi_orthogonal_: under every layout and rank count, each rank's
 * shard is the block of gi_orthogonal_ of the whole matrix on one CPU
 * context, bit for bit, and every generator ends where that fill leaves
 * it. A rank that fails (its own argument, a disagreement, a refusal
 * after the agreements) fails every rank, and no shard or generator
 * changes anywhere. */
#include <math.h>
#include <string.h>

#include "mpi_ref.h"

#define NSHAPES 4
static const int shape_ndim[NSHAPES] = {2, 2, 2, 3};
static const int64_t shapes[NSHAPES][3] = {
    {8, 8}, {6, 10}, {10, 6}, {3, 4, 5}};

typedef struct layout_case {
    gi_mpi_layout layout;
    int grid_rows;
} layout_case;

static const gi_init threes = {.kind = GI_INIT_CONSTANT, .a = 3};

static gi_tensor shard_of(gi_context ctx, const layout_case *c, gi_dtype dt,
                          int ndim, const int64_t *g)
{
    gi_tensor t = NULL;
    CHECK_OK(gi_mpi_shard_create(&t, ctx, MPI_COMM_WORLD, c->layout,
                                 c->grid_rows, dt, ndim, g));
    CHECK_OK(gi_init_(t, &threes, NULL));
    return t;
}

/* gen NULL: the shard context's default generator, set to the reference
 * state. */
static void check_case(gi_context ctx, gi_context ref, const layout_case *c,
                       gi_dtype dt, int s, double gain, int use_default)
{
    char what[96];
    snprintf(what, sizeof what, "layout %d/%d %s shape %d gain %g%s",
             (int)c->layout, c->grid_rows, gi_dtype_name(dt), s, gain,
             use_default ? " (default generator)" : "");
    const int ndim = shape_ndim[s];
    const int64_t *g = shapes[s];
    gi_tensor t = shard_of(ctx, c, dt, ndim, g), whole = NULL;
    CHECK_OK(gi_tensor_create(&whole, ref, dt, ndim, g));
    gi_generator gen = ref_generator(), gen_whole = ref_generator();
    gi_generator used = gen;
    if (use_default) {
        used = gi_context_generator(ctx);
        CHECK_OK(gi_generator_set_seed(used, REF_SEED));
        CHECK_OK(gi_generator_set_stream(used, 3));
        CHECK_OK(gi_generator_set_offset(used, REF_OFFSET));
    }
    CHECK_OK(gi_mpi_orthogonal_(t, gain, use_default ? NULL : gen,
                                MPI_COMM_WORLD));
    CHECK_OK(gi_orthogonal_(whole, gain, gen_whole));
    CHECK(ref_mismatches(t, whole, what) == 0, "%s: values", what);
    CHECK(ref_same_state(used, gen_whole), "%s: generator at %llu, the "
          "whole fill's at %llu", what,
          (unsigned long long)gi_generator_offset(used),
          (unsigned long long)gi_generator_offset(gen_whole));
    gi_generator_destroy(gen);
    gi_generator_destroy(gen_whole);
    gi_tensor_destroy(whole);
    gi_tensor_destroy(t);
}

static int layout_cases(layout_case *out)
{
    int n = 0;
    out[n++] = (layout_case){GI_MPI_REPLICATED, 0};
    out[n++] = (layout_case){GI_MPI_ROWS, 0};
    out[n++] = (layout_case){GI_MPI_COLUMNS, 0};
    out[n++] = (layout_case){GI_MPI_GRID, 1};
    if (mpi_size() % 2 == 0)
        out[n++] = (layout_case){GI_MPI_GRID, 2};
    if (mpi_size() > 2)
        out[n++] = (layout_case){GI_MPI_GRID, mpi_size()};
    out[n++] = (layout_case){GI_MPI_FLAT, 0};
    return n;
}

static void test_whole_fill(void)
{
    gi_context ctx = ref_cpu_context(), ref = ref_cpu_context();
    layout_case cases[8];
    const int nc = layout_cases(cases);
    const gi_dtype dts[] = {GI_F32, GI_F64};
    for (int s = 0; s < NSHAPES; ++s)
        for (int c = 0; c < nc; ++c)
            for (int k = 0; k < 2; ++k)
                check_case(ctx, ref, &cases[c], dts[k], s, k ? 0.5 : 1, 0);
    check_case(ctx, ref, &cases[1], GI_F32, 1, 2, 1);
    check_case(ctx, ref, &cases[1], GI_BF16, 0, 1, 0);
    gi_context_destroy(ref);
    gi_context_destroy(ctx);
}

/* PyTorch's generator across ranks: its 5056 state bytes agree, the
 * lowest rank draws from it, every rank ends in its state. */
static void test_torch_generator(void)
{
    gi_context ctx = ref_cpu_context();
    const int64_t g[] = {6, 10};
    const layout_case rows = {GI_MPI_ROWS, 0};
    gi_tensor t = shard_of(ctx, &rows, GI_F32, 2, g), whole = NULL;
    CHECK_OK(gi_tensor_create(&whole, ctx, GI_F32, 2, g));
    gi_generator gen = NULL, gen_whole = NULL;
    CHECK_OK(gi_generator_create_kind(&gen, GI_GENERATOR_TORCH_CPU, 42));
    CHECK_OK(gi_generator_create_kind(&gen_whole, GI_GENERATOR_TORCH_CPU,
                                      42));
    CHECK_OK(gi_mpi_orthogonal_(t, 1, gen, MPI_COMM_WORLD));
    CHECK_OK(gi_orthogonal_(whole, 1, gen_whole));
    CHECK(ref_mismatches(t, whole, "torch_cpu") == 0, "torch_cpu values");
    CHECK(ref_same_state(gen, gen_whole), "torch_cpu generator");
    gi_generator_destroy(gen);
    gi_generator_destroy(gen_whole);
    gi_tensor_destroy(whole);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

/* Nothing moved: t still all threes, gen in its state before (bytes). */
static void check_unchanged(gi_tensor t, gi_generator gen,
                            const unsigned char *state, size_t n,
                            const char *what)
{
    unsigned char now[8192];
    size_t m = 0;
    CHECK_OK(gi_generator_get_state(gen, now, sizeof now, &m));
    CHECK(m == n && memcmp(now, state, n) == 0, "%s: the generator moved",
          what);
    if (t == NULL)
        return;
    int64_t moved = 0;
    const int64_t n_el = gi_tensor_numel(t);
    for (int64_t i = 0; i < n_el; ++i) {
        double v = 0;
        int64_t idx[GI_MAX_DIMS] = {0}, rest = i;
        for (int d = gi_tensor_ndim(t) - 1; d >= 0; --d) {
            idx[d] = rest % gi_tensor_shape(t)[d];
            rest /= gi_tensor_shape(t)[d];
        }
        CHECK_OK(gi_tensor_get(t, gi_tensor_ndim(t), idx, &v));
        moved += v != 3;
    }
    CHECK(moved == 0, "%s: %lld elements changed", what, (long long)moved);
}

/* st failed on rank `failing` with own (every rank: -1), GI_ERR_PEER
 * elsewhere; t and gen as they were. */
static void check_failure(gi_status st, int failing, gi_status own,
                          gi_tensor t, gi_generator gen,
                          const unsigned char *state, size_t n,
                          const char *what)
{
    const int here = failing < 0 || failing == mpi_rank();
    CHECK(st == (here ? own : GI_ERR_PEER), "%s: %s, want %s", what,
          gi_status_name(st), gi_status_name(here ? own : GI_ERR_PEER));
    char rank[32];
    snprintf(rank, sizeof rank, "rank %d of %d", failing, mpi_size());
    CHECK(here || strstr(gi_last_error(), rank) != NULL,
          "%s: the peer's message", what);
    check_unchanged(t, gen, state, n, what);
}

static void test_failures(void)
{
    gi_context ctx = ref_cpu_context();
    const int me = mpi_rank(), r1 = mpi_size() > 1 ? 1 : 0;
    const int64_t g[] = {6, 10}, line[] = {60};
    const layout_case rows = {GI_MPI_ROWS, 0};
    gi_tensor t = shard_of(ctx, &rows, GI_F32, 2, g), flat = NULL;
    CHECK_OK(gi_tensor_create(&flat, ctx, GI_F32, 1, line));
    CHECK_OK(gi_init_(flat, &threes, NULL));
    gi_generator gen = ref_generator();
    unsigned char state[64];
    size_t n = 0;
    CHECK_OK(gi_generator_get_state(gen, state, sizeof state, &n));
    check_failure(gi_mpi_orthogonal_(me == r1 ? NULL : t, 1, gen,
                                     MPI_COMM_WORLD),
                  r1, GI_ERR_NULL_ARGUMENT, t, gen, state, n,
                  "rank 1's NULL shard");
    check_failure(gi_mpi_orthogonal_(me == r1 ? flat : t, 1, gen,
                                     MPI_COMM_WORLD),
                  r1, GI_ERR_SHAPE, t, gen, state, n, "rank 1's 1-D tensor");
    check_failure(gi_mpi_orthogonal_(me == 0 ? NULL : t, 1, gen,
                                     MPI_COMM_WORLD),
                  0, GI_ERR_NULL_ARGUMENT, t, gen, state, n,
                  "rank 0's NULL shard");
    check_failure(gi_mpi_orthogonal_(t, INFINITY, gen, MPI_COMM_WORLD), -1,
                  GI_ERR_INVALID_ARGUMENT, t, gen, state, n, "gain inf");
    check_failure(gi_mpi_orthogonal_(flat, 1, gen, MPI_COMM_WORLD), -1,
                  GI_ERR_SHAPE, flat, gen, state, n, "1-D everywhere");
    check_failure(gi_mpi_orthogonal_(t, 1, gen, MPI_COMM_NULL), -1,
                  GI_ERR_INVALID_ARGUMENT, t, gen, state, n, "no comm");
    if (mpi_size() > 1) {
        check_failure(gi_mpi_orthogonal_(t, me == 1 ? 2 : 1, gen,
                                         MPI_COMM_WORLD),
                      1, GI_ERR_INVALID_ARGUMENT, t, gen, state, n,
                      "rank 1's gain");
        gi_generator other = ref_generator();
        CHECK_OK(gi_generator_set_offset(other, REF_OFFSET + 1));
        check_failure(gi_mpi_orthogonal_(t, 1, me == 1 ? other : gen,
                                         MPI_COMM_WORLD),
                      1, GI_ERR_INVALID_ARGUMENT, t, gen, state, n,
                      "rank 1's generator state");
        gi_generator_destroy(other);
        /* every rank the first row block: they overlap */
        gi_tensor first = NULL;
        const int64_t block[] = {6 / mpi_size() + 1, 10}, at[] = {0, 0};
        CHECK_OK(gi_tensor_create(&first, ctx, GI_F32, 2, block));
        CHECK_OK(gi_tensor_set_shard(first, 2, g, at));
        CHECK_OK(gi_init_(first, &threes, NULL));
        check_failure(gi_mpi_orthogonal_(first, 1, gen, MPI_COMM_WORLD), -1,
                      GI_ERR_INVALID_ARGUMENT, first, gen, state, n,
                      "overlapping shards");
        gi_tensor_destroy(first);
    }
    gi_generator_destroy(gen);
    gi_tensor_destroy(flat);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

/* Agreed everywhere, then refused by the lowest rank's gi_orthogonal_
 * (a torch_cpu generator fills float32 only): every rank fails, and no
 * generator moves. */
static void test_refused_fill(void)
{
    gi_context ctx = ref_cpu_context();
    const int64_t g[] = {6, 10};
    const layout_case cols = {GI_MPI_COLUMNS, 0};
    gi_tensor t = shard_of(ctx, &cols, GI_F64, 2, g);
    gi_generator gen = NULL;
    CHECK_OK(gi_generator_create_kind(&gen, GI_GENERATOR_TORCH_CPU, 42));
    static unsigned char state[8192];
    size_t n = 0;
    CHECK_OK(gi_generator_get_state(gen, state, sizeof state, &n));
    check_failure(gi_mpi_orthogonal_(t, 1, gen, MPI_COMM_WORLD), 0,
                  GI_ERR_UNSUPPORTED, t, gen, state, n,
                  "float64 from torch_cpu");
    gi_generator_destroy(gen);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    test_whole_fill();
    test_torch_generator();
    test_failures();
    test_refused_fill();
    return mpi_check_finish("test_mpi_ortho");
}
