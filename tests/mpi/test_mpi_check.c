/* gi_mpi_check_shards: the checksum of one whole tensor is the same under
 * every layout and rank count (each rank also takes it of the whole tensor
 * alone, on MPI_COMM_SELF) and is the documented sum; it changes when one
 * element of one rank changes; shards that overlap, leave a gap, mix
 * kinds or disagree, and replicas that differ, are refused on every rank. */
#include <string.h>

#include "mpi_ref.h"

#define NSHAPES 5
static const int shape_ndim[NSHAPES] = {2, 3, 2, 2, 1};
static const int64_t shapes[NSHAPES][3] = {
    {7, 5}, {3, 4, 5}, {1, 9}, {0, 3}, {11}};

static const gi_init normal = {.kind = GI_INIT_NORMAL, .a = 0, .b = 1};

/* The header's digest, written out here: the sum of splitmix64's
 * finalizer of (index * 0x9E3779B97F4A7C15 ^ bits) over the elements. */
static uint64_t documented_sum(gi_tensor whole)
{
    const size_t es = ref_elem_size(gi_tensor_dtype(whole));
    unsigned char *h = ref_host(whole);
    uint64_t sum = 0;
    for (int64_t i = 0; h != NULL && i < gi_tensor_numel(whole); ++i) {
        uint64_t bits = 0;
        for (size_t b = 0; b < es; ++b) /* little-endian hosts */
            bits |= (uint64_t)h[i * es + b] << (8 * b);
        uint64_t z = (uint64_t)i * 0x9E3779B97F4A7C15ull ^ bits;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        sum += z ^ (z >> 31);
    }
    free(h);
    return sum;
}

/* A tensor under a layout, filled with normal from the reference state:
 * the layout test proves it holds the whole fill's block. */
static gi_tensor filled(gi_context ctx, gi_mpi_layout layout, int grid_rows,
                        gi_dtype dt, int ndim, const int64_t *g)
{
    gi_tensor t = NULL;
    CHECK_OK(gi_mpi_shard_create(&t, ctx, MPI_COMM_WORLD, layout, grid_rows,
                                 dt, ndim, g));
    gi_generator gen = ref_generator();
    CHECK_OK(gi_init_(t, &normal, gen));
    gi_generator_destroy(gen);
    return t;
}

/* Adds 1 to t's local element 0 on rank `rank`. */
static void bump(gi_tensor t, int rank)
{
    if (mpi_rank() != rank || gi_tensor_numel(t) == 0)
        return;
    int64_t zero[GI_MAX_DIMS] = {0};
    double v = 0;
    const int n = gi_tensor_ndim(t);
    CHECK_OK(gi_tensor_get(t, n, zero, &v));
    CHECK_OK(gi_tensor_set(t, n, zero, v + 1));
}

/* The last rank whose shard has an element (every rank agrees). */
static int last_holder(gi_tensor t)
{
    int mine = gi_tensor_numel(t) > 0 ? mpi_rank() : -1, last = -1;
    MPI_Allreduce(&mine, &last, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return last;
}

static void check_layouts(gi_context ctx, gi_context ref, int s, gi_dtype dt)
{
    const int ndim = shape_ndim[s];
    const int64_t *g = shapes[s];
    gi_tensor whole = NULL;
    CHECK_OK(gi_tensor_create(&whole, ref, dt, ndim, g));
    gi_generator gen = ref_generator();
    CHECK_OK(gi_init_(whole, &normal, gen));
    gi_generator_destroy(gen);
    uint64_t self = 1, sum = 2;
    CHECK_OK(gi_mpi_check_shards(whole, MPI_COMM_SELF, &self));
    CHECK(self == documented_sum(whole), "shape %d %s: the documented sum",
          s, gi_dtype_name(dt));
    const struct {
        gi_mpi_layout layout;
        int grid_rows, ndim;
    } cases[] = {{GI_MPI_REPLICATED, 0, 0}, {GI_MPI_ROWS, 0, 1},
                 {GI_MPI_COLUMNS, 0, 1},    {GI_MPI_GRID, 1, 2},
                 {GI_MPI_GRID, mpi_size(), 2}, {GI_MPI_FLAT, 0, 0}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c) {
        if (ndim < cases[c].ndim)
            continue;
        gi_tensor t = filled(ctx, cases[c].layout, cases[c].grid_rows, dt,
                             ndim, g);
        CHECK_OK(gi_mpi_check_shards(t, MPI_COMM_WORLD, &sum));
        CHECK(sum == self, "shape %d %s layout %zu: checksum %llx, the "
              "whole's %llx", s, gi_dtype_name(dt), c,
              (unsigned long long)sum, (unsigned long long)self);
        const int holder = last_holder(t);
        if (holder >= 0 && cases[c].layout != GI_MPI_REPLICATED) {
            bump(t, holder);
            CHECK_OK(gi_mpi_check_shards(t, MPI_COMM_WORLD, &sum));
            CHECK(sum != self, "shape %d layout %zu: rank %d's change kept "
                  "the checksum", s, c, holder);
        }
        gi_tensor_destroy(t);
    }
    gi_tensor_destroy(whole);
}

static void test_checksums(void)
{
    gi_context ctx = NULL, ref = ref_cpu_context();
    CHECK_OK(gi_context_create(&ctx, GI_DEVICE_AUTO));
    for (int s = 0; s < NSHAPES; ++s)
        for (int k = 0; k < REF_DTYPES; ++k)
            check_layouts(ctx, ref, s, ref_dtypes[k]);
    gi_context_destroy(ref);
    gi_context_destroy(ctx);
}

/* st failed on rank `failing` with own (every rank: -1), GI_ERR_PEER
 * elsewhere, and the checksum was not written. */
static void check_failure(gi_status st, uint64_t sum, int failing,
                          gi_status own, const char *needle,
                          const char *what)
{
    const int here = failing < 0 || failing == mpi_rank();
    CHECK(st == (here ? own : GI_ERR_PEER), "%s: %s, want %s", what,
          gi_status_name(st), gi_status_name(here ? own : GI_ERR_PEER));
    CHECK(strstr(gi_last_error(), needle) != NULL, "%s: message lacks '%s'",
          what, needle);
    CHECK(sum == 7, "%s: the checksum was written", what);
}

/* A box of rows [start, start + rows) of the 7 x 5 tensor. */
static gi_tensor rows(gi_context ctx, gi_dtype dt, int64_t start,
                      int64_t count, int64_t cols)
{
    const int64_t g[] = {7, cols}, shape[] = {count, cols}, at[] = {start, 0};
    gi_tensor t = NULL;
    CHECK_OK(gi_tensor_create(&t, ctx, dt, 2, shape));
    CHECK_OK(gi_tensor_set_shard(t, 2, g, at));
    return t;
}

static void test_refusals(void)
{
    gi_context ctx = ref_cpu_context();
    const int me = mpi_rank(), size = mpi_size(), r1 = size > 1 ? 1 : 0;
    int64_t start = 0, count = 0;
    CHECK_OK(gi_mpi_split(7, size, me, &start, &count));
    uint64_t sum = 7;
    gi_tensor t = NULL;
    /* a gap: the last rank's rows cut short by one */
    t = rows(ctx, GI_F32, start, count - (me == size - 1), 5);
    check_failure(gi_mpi_check_shards(t, MPI_COMM_WORLD, &sum), sum, -1,
                  GI_ERR_INVALID_ARGUMENT, "uncovered", "a gap");
    gi_tensor_destroy(t);
    check_failure(gi_mpi_check_shards(NULL, MPI_COMM_WORLD, &sum), sum, -1,
                  GI_ERR_NULL_ARGUMENT, "'shard'", "NULL shard");
    t = rows(ctx, GI_F32, start, count, 5);
    check_failure(gi_mpi_check_shards(t, MPI_COMM_WORLD, NULL), 7, -1,
                  GI_ERR_NULL_ARGUMENT, "'checksum'", "NULL checksum");
    check_failure(gi_mpi_check_shards(t, MPI_COMM_NULL, &sum), sum, -1,
                  GI_ERR_INVALID_ARGUMENT, "MPI_COMM_NULL", "no comm");
    check_failure(gi_mpi_check_shards(me == r1 ? NULL : t, MPI_COMM_WORLD,
                                      &sum),
                  sum, r1, GI_ERR_NULL_ARGUMENT, "'shard'",
                  "rank 1's NULL shard");
    gi_tensor_destroy(t);
    if (size == 1) {
        gi_context_destroy(ctx);
        return;
    }
    /* every rank claims the first block: overlaps */
    t = rows(ctx, GI_F32, 0, 7 / size + 1, 5);
    check_failure(gi_mpi_check_shards(t, MPI_COMM_WORLD, &sum), sum, -1,
                  GI_ERR_INVALID_ARGUMENT, "overlap", "overlapping");
    gi_tensor_destroy(t);
    /* rank 1 disagrees on the dtype, the global shape */
    t = rows(ctx, me == 1 ? GI_F64 : GI_F32, start, count, 5);
    check_failure(gi_mpi_check_shards(t, MPI_COMM_WORLD, &sum), sum, -1,
                  GI_ERR_INVALID_ARGUMENT, "rank 1's dtype", "dtypes");
    gi_tensor_destroy(t);
    t = rows(ctx, GI_F32, start, count, me == 1 ? 6 : 5);
    check_failure(gi_mpi_check_shards(t, MPI_COMM_WORLD, &sum), sum, -1,
                  GI_ERR_INVALID_ARGUMENT, "rank 1's global shape",
                  "global shapes");
    gi_tensor_destroy(t);
    /* rank 0 holds the whole tensor, the others shards; then rank 1 a
     * flat range where the others hold boxes */
    const int64_t g[] = {7, 5};
    CHECK_OK(gi_tensor_create(&t, ctx, GI_F32, 2, g));
    if (me > 0) {
        gi_tensor_destroy(t);
        t = rows(ctx, GI_F32, start, count, 5);
    }
    check_failure(gi_mpi_check_shards(t, MPI_COMM_WORLD, &sum), sum, -1,
                  GI_ERR_INVALID_ARGUMENT, "whole tensor", "whole and shards");
    gi_tensor_destroy(t);
    t = rows(ctx, GI_F32, start, count, 5);
    if (me == 1)
        CHECK_OK(gi_tensor_set_flat_shard(t, 2, g, start * 5));
    check_failure(gi_mpi_check_shards(t, MPI_COMM_WORLD, &sum), sum, -1,
                  GI_ERR_INVALID_ARGUMENT, "flat", "flat and boxes");
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

/* Replicas must agree: the last rank's differs at element 0, and it is
 * named, with the element, on every rank. */
static void test_replicas(void)
{
    gi_context ctx = ref_cpu_context();
    const int64_t g[] = {7, 5};
    const int last = mpi_size() - 1;
    gi_tensor t = filled(ctx, GI_MPI_REPLICATED, 0, GI_BF16, 2, g);
    uint64_t sum = 7, first = 0;
    CHECK_OK(gi_mpi_check_shards(t, MPI_COMM_WORLD, &first));
    bump(t, last);
    const gi_status st = gi_mpi_check_shards(t, MPI_COMM_WORLD, &sum);
    if (last == 0) {
        CHECK(st == GI_OK && sum != first, "one replica: changed, %llx",
              (unsigned long long)sum);
    } else {
        char needle[64];
        snprintf(needle, sizeof needle, "ranks 0 and %d differ at element 0",
                 last);
        check_failure(st, sum, last, GI_ERR_INVALID_ARGUMENT, needle,
                      "differing replicas");
    }
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    test_checksums();
    test_refusals();
    test_replicas();
    return mpi_check_finish("test_mpi_check");
}
