/* The private piece walk and tiling check of ginit_mpi (white box: the
 * sources are compiled in, their functions being hidden in the library).
 * Every rank makes shards of one global tensor with the core calls, and
 * the runs of each must be its elements' global indices in local order;
 * tilings that overlap, leave gaps, mix kinds or disagree are refused on
 * every rank with one message. */
#include "../../src/mpi/mpi_agree.c"
#include "../../src/mpi/mpi_pieces.c"

#include "mpi_check.h"

/* The global row-major indices of a box's elements, in local order. */
static int64_t box_index(const gi_mpi_piece *p, int64_t local)
{
    int64_t g = 0, stride = 1;
    for (int d = p->ndim - 1; d >= 0; --d) {
        int64_t i = local % p->shape[d];
        local /= p->shape[d];
        g += (p->start[d] + i) * stride;
        stride *= p->global_shape[d];
    }
    return g;
}

typedef struct walk {
    const gi_mpi_piece *p;
    int64_t next_local, wrong, runs;
} walk;

static int check_run(int64_t global, int64_t local, int64_t count, void *u)
{
    walk *w = u;
    w->runs++;
    if (local != w->next_local)
        w->wrong++;
    for (int64_t k = 0; k < count; ++k) {
        int64_t want = w->p->kind == GI_SHARD_BOX ? box_index(w->p, local + k)
                       : w->p->kind == GI_SHARD_FLAT ? w->p->flat_start + local + k
                                                     : local + k;
        if (global + k != want)
            w->wrong++;
    }
    w->next_local = local + count;
    return 0;
}

static void check_box_runs(gi_context ctx, int ndim, const int64_t *global,
                           const int64_t *start, const int64_t *shape,
                           int64_t want_runs)
{
    gi_tensor t = NULL;
    CHECK_OK(gi_tensor_create(&t, ctx, GI_F32, ndim, shape));
    CHECK_OK(gi_tensor_set_shard(t, ndim, global, start));
    gi_mpi_piece p;
    gi_mpi_piece_of(t, &p);
    walk w = {&p, 0, 0, 0};
    gi_mpi_piece_runs(&p, check_run, &w);
    CHECK(w.wrong == 0 && w.next_local == p.numel, "%lld wrong indices",
          (long long)w.wrong);
    CHECK(want_runs < 0 || w.runs == want_runs, "%lld runs, want %lld",
          (long long)w.runs, (long long)want_runs);
    gi_tensor_destroy(t);
}

static void runs_walk_every_element(gi_context ctx)
{
    const int64_t g3[] = {4, 5, 6};
    check_box_runs(ctx, 3, g3, (int64_t[]){1, 2, 3}, (int64_t[]){2, 3, 2}, 6);
    check_box_runs(ctx, 3, g3, (int64_t[]){1, 0, 0}, (int64_t[]){2, 5, 6}, 1);
    check_box_runs(ctx, 3, g3, (int64_t[]){0, 1, 0}, (int64_t[]){4, 3, 6}, 4);
    check_box_runs(ctx, 3, g3, (int64_t[]){0, 0, 5}, (int64_t[]){4, 5, 1},
                   20);
    check_box_runs(ctx, 3, g3, (int64_t[]){2, 2, 2}, (int64_t[]){0, 3, 2}, 0);
    check_box_runs(ctx, 2, (int64_t[]){7, 5}, (int64_t[]){3, 0},
                   (int64_t[]){2, 5}, 1);
    gi_tensor f = NULL;
    CHECK_OK(gi_tensor_create(&f, ctx, GI_F16, 2, (int64_t[]){3, 3}));
    CHECK_OK(gi_tensor_set_flat_shard(f, 2, (int64_t[]){5, 7}, 11));
    gi_mpi_piece p;
    gi_mpi_piece_of(f, &p);
    walk w = {&p, 0, 0, 0};
    gi_mpi_piece_runs(&p, check_run, &w);
    CHECK(w.wrong == 0 && w.runs == 1 && p.kind == GI_SHARD_FLAT,
          "flat: %lld wrong, %lld runs", (long long)w.wrong,
          (long long)w.runs);
    gi_tensor_destroy(f);
}

/* This rank's rows [r * rows / n ...) of a 7 x 5 tensor, with `shift`
 * added to the start of rank 1's box, and `grow` rows more on the last
 * rank (clipped to the tensor). */
static gi_tensor row_shard(gi_context ctx, int shift, int grow, gi_dtype dt)
{
    int r = mpi_rank(), n = mpi_size();
    int64_t begin = r * 7 / n, end = (r + 1) * 7 / n;
    if (r == 1)
        begin += shift;
    if (r == n - 1)
        begin -= grow;
    if (begin < 0)
        begin = 0;
    gi_tensor t = NULL;
    CHECK_OK(gi_tensor_create(&t, ctx, dt, 2, (int64_t[]){end - begin, 5}));
    CHECK_OK(gi_tensor_set_shard(t, 2, (int64_t[]){7, 5},
                                 (int64_t[]){begin, 0}));
    return t;
}

/* The outcome and message of gathering t, the same on every rank. */
static void expect_gather(gi_tensor t, gi_status want, int want_rep,
                          const char *text)
{
    gi_mpi_piece *pieces = NULL;
    int rep = -1;
    gi_status st = gi_mpi_gather_pieces(MPI_COMM_WORLD, GI_OK, t, &pieces,
                                        &rep, "test");
    CHECK(st == want, "gather: %s, want %s", gi_status_name(st),
          gi_status_name(want));
    if (st == GI_OK)
        CHECK(rep == want_rep, "replicated %d, want %d", rep, want_rep);
    if (text != NULL)
        CHECK(strstr(gi_last_error(), text) != NULL, "message '%s' lacks "
              "'%s'", gi_last_error(), text);
    free(pieces);
}

static void tilings(gi_context ctx)
{
    int n = mpi_size(), r = mpi_rank();
    gi_tensor t = row_shard(ctx, 0, 0, GI_F32);
    expect_gather(t, n == 1 ? GI_OK : GI_OK, n == 1, NULL);
    gi_tensor_destroy(t);
    if (n == 1)
        return;
    t = row_shard(ctx, -1, 0, GI_F32); /* rank 1 starts a row early */
    expect_gather(t, GI_ERR_INVALID_ARGUMENT, 0, "overlap");
    gi_tensor_destroy(t);
    t = row_shard(ctx, 1, 0, GI_F32); /* a row of nobody's */
    expect_gather(t, GI_ERR_INVALID_ARGUMENT, 0, "uncovered");
    gi_tensor_destroy(t);
    t = row_shard(ctx, 0, 0, r == n - 1 ? GI_F64 : GI_F32);
    expect_gather(t, GI_ERR_INVALID_ARGUMENT, 0, "dtype");
    gi_tensor_destroy(t);
    /* The last rank holds a flat shard of its rows. */
    t = row_shard(ctx, 0, 0, GI_F32);
    if (r == n - 1) {
        gi_shard_info info;
        gi_tensor_shard_info(t, &info);
        CHECK_OK(gi_tensor_set_flat_shard(t, 2, (int64_t[]){7, 5},
                                          info.start[0] * 5));
    }
    expect_gather(t, GI_ERR_INVALID_ARGUMENT, 0, "flat shard");
    gi_tensor_destroy(t);
    /* Every rank whole: replicated; one whole among shards: refused. */
    gi_tensor w = NULL;
    CHECK_OK(gi_tensor_create(&w, ctx, GI_F32, 2, (int64_t[]){7, 5}));
    expect_gather(w, GI_OK, 1, NULL);
    t = row_shard(ctx, 0, 0, GI_F32);
    expect_gather(r == 0 ? w : t, GI_ERR_INVALID_ARGUMENT, 0, "whole");
    gi_tensor_destroy(t);
    gi_tensor_destroy(w);
    /* A rank that already failed: the others learn it (GI_ERR_PEER). */
    gi_mpi_piece *pieces = NULL;
    int rep = 0;
    gi_status st = gi_mpi_gather_pieces(
        MPI_COMM_WORLD,
        r == 1 ? gi_set_error(GI_ERR_SHAPE, "test: rank one's own") : GI_OK,
        NULL, &pieces, &rep, "test");
    CHECK(st == (r == 1 ? GI_ERR_SHAPE : GI_ERR_PEER), "%s",
          gi_status_name(st));
    CHECK(strstr(gi_last_error(), "rank one's own") != NULL, "%s",
          gi_last_error());
    CHECK(r == 1 || strstr(gi_last_error(), "rank 1 of") != NULL, "%s",
          gi_last_error());
    free(pieces);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    gi_context ctx = NULL;
    CHECK_OK(gi_context_create(&ctx, GI_DEVICE_CPU));
    runs_walk_every_element(ctx);
    tilings(ctx);
    gi_context_destroy(ctx);
    return mpi_check_finish("test_mpi_pieces");
}
