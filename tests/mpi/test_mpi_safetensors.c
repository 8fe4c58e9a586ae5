/* Collective safetensors files: every rank writes its shards of tensors
 * under every layout (rows, columns, a grid, flat ranges, replicated),
 * every dtype, 0-D and empty ones, into one file that must equal, byte
 * for byte, the file one process writes of the whole tensors; the file
 * loads back under other layouts, the sharded checkpoint (several files
 * and an index) round-trips, and a failing rank or a hostile index makes
 * every rank fail, with no hang and no file changed. */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */
#include <dirent.h>
#include <ftw.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mpi_check.h"

static const gi_dtype dtypes[] = {GI_F32, GI_F64, GI_F16, GI_BF16};

static size_t elem_size(gi_dtype dt)
{
    return dt == GI_F64 ? 8 : dt == GI_F32 ? 4 : 2;
}

/* The balanced part `index` of `parts` of n (ginit_mpi.h's rule). */
static void part(int64_t n, int parts, int index, int64_t *start,
                 int64_t *size)
{
    *start = index * (n / parts) + (index < n % parts ? index : n % parts);
    *size = n / parts + (index < n % parts);
}

/* The grid's rows: the largest divisor of size up to its square root. */
static int grid_rows(int size)
{
    int r = 1;
    for (int k = 1; k * k <= size; ++k)
        if (size % k == 0)
            r = k;
    return r;
}

/* One tensor of the test: its name, dtype, global shape and layout. */
typedef struct spec {
    char name[32];
    gi_dtype dtype;
    int ndim;
    int64_t shape[3];
    gi_mpi_layout layout;
    uint64_t seed;
} spec;

enum { PER_DTYPE = 8, NSPECS = 4 * PER_DTYPE };

static void make_specs(spec *s)
{
    static const struct {
        const char *what;
        int ndim;
        int64_t shape[3];
        gi_mpi_layout layout;
    } kinds[PER_DTYPE] = {
        {"rows", 2, {7, 10}, GI_MPI_ROWS},
        {"columns", 2, {5, 9}, GI_MPI_COLUMNS},
        {"grid", 2, {6, 8}, GI_MPI_GRID},
        {"flat", 2, {3, 11}, GI_MPI_FLAT},
        {"replicated", 2, {4, 3}, GI_MPI_REPLICATED},
        {"scalar", 0, {0}, GI_MPI_REPLICATED},
        {"empty", 2, {0, 5}, GI_MPI_ROWS},
        {"columns3", 3, {3, 4, 5}, GI_MPI_COLUMNS},
    };
    for (int i = 0; i < NSPECS; ++i) {
        int k = i % PER_DTYPE;
        s[i].dtype = dtypes[i / PER_DTYPE];
        snprintf(s[i].name, sizeof s[i].name, "%s.%s",
                 gi_dtype_name(s[i].dtype), kinds[k].what);
        s[i].ndim = kinds[k].ndim;
        memcpy(s[i].shape, kinds[k].shape, sizeof s[i].shape);
        s[i].layout = kinds[k].layout;
        s[i].seed = 1000 + (uint64_t)i;
    }
}

/* The whole tensor of s on a CPU context, the same on every rank. */
static gi_tensor whole_of(gi_context cpu, const spec *s)
{
    gi_tensor t = NULL;
    CHECK_OK(gi_tensor_create(&t, cpu, s->dtype, s->ndim, s->shape));
    CHECK_OK(gi_manual_seed(cpu, s->seed));
    CHECK_OK(gi_normal_(t, 0, 1, NULL));
    return t;
}

/* This rank's shard of s under layout (an ordinary tensor for
 * GI_MPI_REPLICATED), its elements unset. */
static gi_tensor shard_of(gi_context ctx, const spec *s,
                          gi_mpi_layout layout)
{
    const int rank = mpi_rank(), size = mpi_size();
    int64_t start[3] = {0, 0, 0}, shape[3];
    memcpy(shape, s->shape, sizeof shape);
    gi_tensor t = NULL;
    if (layout == GI_MPI_FLAT) {
        int64_t numel = 1, first = 0, count = 0;
        for (int d = 0; d < s->ndim; ++d)
            numel *= s->shape[d];
        part(numel, size, rank, &first, &count);
        CHECK_OK(gi_tensor_create(&t, ctx, s->dtype, 1, &count));
        CHECK_OK(gi_tensor_set_flat_shard(t, s->ndim, s->shape, first));
        return t;
    }
    const int last = s->ndim - 1, rows = grid_rows(size);
    if (layout == GI_MPI_ROWS)
        part(s->shape[0], size, rank, &start[0], &shape[0]);
    if (layout == GI_MPI_COLUMNS)
        part(s->shape[last], size, rank, &start[last], &shape[last]);
    if (layout == GI_MPI_GRID) {
        part(s->shape[0], rows, rank / (size / rows), &start[0], &shape[0]);
        part(s->shape[last], size / rows, rank % (size / rows), &start[last],
             &shape[last]);
    }
    CHECK_OK(gi_tensor_create(&t, ctx, s->dtype, s->ndim, shape));
    if (layout != GI_MPI_REPLICATED)
        CHECK_OK(gi_tensor_set_shard(t, s->ndim, s->shape, start));
    return t;
}

/* The global row-major index of t's local element i. */
static int64_t global_index(gi_tensor t, int64_t i)
{
    gi_shard_info info;
    gi_tensor_shard_info(t, &info);
    if (info.kind == GI_SHARD_FLAT)
        return info.flat_start + i;
    int64_t g = 0, stride = 1;
    for (int d = info.global_ndim - 1; d >= 0; --d) {
        int64_t n = gi_tensor_shape(t)[d];
        g += (info.start[d] + i % n) * stride;
        i /= n;
        stride *= info.global_shape[d];
    }
    return g;
}

static unsigned char *host_bytes(gi_tensor t, size_t *n)
{
    *n = (size_t)gi_tensor_numel(t) * elem_size(gi_tensor_dtype(t));
    unsigned char *h = malloc(*n + 1);
    CHECK_OK(gi_tensor_copy_to_host(t, h, *n));
    return h;
}

/* t's elements from the whole tensor (its block of it). */
static void copy_block(gi_tensor t, gi_tensor whole)
{
    size_t n = 0, nw = 0, es = elem_size(gi_tensor_dtype(t));
    unsigned char *w = host_bytes(whole, &nw), *h = malloc(
        (size_t)gi_tensor_numel(t) * es + 1);
    for (int64_t i = 0; i < gi_tensor_numel(t); ++i)
        memcpy(h + i * es, w + global_index(t, i) * es, es);
    n = (size_t)gi_tensor_numel(t) * es;
    CHECK_OK(gi_tensor_copy_from_host(t, h, n));
    free(h);
    free(w);
}

/* Whether t holds its block of whole, bit for bit. */
static int64_t wrong_elements(gi_tensor t, gi_tensor whole)
{
    size_t n = 0, nw = 0, es = elem_size(gi_tensor_dtype(t));
    unsigned char *w = host_bytes(whole, &nw), *h = host_bytes(t, &n);
    int64_t wrong = 0;
    for (int64_t i = 0; i < gi_tensor_numel(t); ++i)
        wrong += memcmp(h + i * es, w + global_index(t, i) * es, es) != 0;
    free(h);
    free(w);
    return wrong;
}

/* ---- the test's files --------------------------------------------------- */

static char dir[4096];

static const char *in_dir(const char *name)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void make_dir(void)
{
    if (mpi_rank() == 0) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/ginit-mpi-st-XXXXXX",
                 tmp != NULL && tmp[0] ? tmp : "/tmp");
        CHECK(mkdtemp(dir) != NULL, "cannot make %s", dir);
    }
    MPI_Bcast(dir, sizeof dir, MPI_CHAR, 0, MPI_COMM_WORLD);
}

static int remove_one(const char *path, const struct stat *sb, int flag,
                      struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_dir(void)
{
    MPI_Barrier(MPI_COMM_WORLD);
    if (mpi_rank() == 0)
        nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static unsigned char *file_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    *n = 0;
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)size + 1);
    *n = fread(b, 1, (size_t)size, f);
    b[*n] = '\0';
    fclose(f);
    return b;
}

static int same_file(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    unsigned char *x = file_bytes(a, &na), *y = file_bytes(b, &nb);
    int same = x != NULL && y != NULL && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

static int files_in_dir(void)
{
    int n = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d != NULL)
        closedir(d);
    return n;
}

/* ---- the checks --------------------------------------------------------- */

typedef struct world {
    gi_context ctx, cpu;
    spec specs[NSPECS];
    const char *names[NSPECS];
    gi_tensor whole[NSPECS], shards[NSPECS];
} world;

static const gi_metadata meta[] = {{"format", "pt"}, {"by", "ginit_mpi"}};

/* The collective file is rank 0's gi_save_safetensors of the wholes. */
static void one_file_equals_the_whole_save(world *w)
{
    CHECK_OK(gi_mpi_save_safetensors(in_dir("all.safetensors"), NSPECS,
                                     w->names, w->shards, 2, meta,
                                     MPI_COMM_WORLD));
    if (mpi_rank() == 0) {
        CHECK_OK(gi_save_safetensors(in_dir("whole.safetensors"), NSPECS,
                                     w->names, w->whole, 2, meta));
        char a[4200];
        snprintf(a, sizeof a, "%s", in_dir("all.safetensors"));
        CHECK(same_file(a, in_dir("whole.safetensors")),
              "the collective file differs from the whole tensors' file");
    }
    MPI_Barrier(MPI_COMM_WORLD);
}

/* The layout a tensor saved under `saved` is loaded under. */
static gi_mpi_layout other_layout(const spec *s, gi_mpi_layout saved)
{
    if (s->ndim == 0)
        return GI_MPI_REPLICATED;
    static const gi_mpi_layout next[] = {
        [GI_MPI_REPLICATED] = GI_MPI_ROWS, [GI_MPI_ROWS] = GI_MPI_COLUMNS,
        [GI_MPI_COLUMNS] = GI_MPI_GRID, [GI_MPI_GRID] = GI_MPI_FLAT,
        [GI_MPI_FLAT] = GI_MPI_ROWS};
    return next[saved];
}

/* Fresh shards under other layouts, filled with 7 (the returned array
 * owns them). */
static gi_tensor *fresh_shards(world *w, int other)
{
    gi_tensor *t = calloc(NSPECS, sizeof *t);
    for (int i = 0; i < NSPECS; ++i) {
        const spec *s = &w->specs[i];
        t[i] = shard_of(w->ctx, s, other ? other_layout(s, s->layout)
                                         : s->layout);
        CHECK_OK(gi_fill_(t[i], 7));
    }
    return t;
}

static void drop_shards(gi_tensor *t)
{
    for (int i = 0; i < NSPECS; ++i)
        gi_tensor_destroy(t[i]);
    free(t);
}

static void expect_blocks(world *w, gi_tensor *t, const char *what)
{
    for (int i = 0; i < NSPECS; ++i) {
        int64_t wrong = wrong_elements(t[i], w->whole[i]);
        CHECK(wrong == 0, "%s: %s: %lld elements differ", what,
              w->names[i], (long long)wrong);
    }
}

/* Saved by one layout, loaded by another: each shard is its block. */
static void one_file_loads_under_another_layout(world *w)
{
    gi_tensor *t = fresh_shards(w, 1);
    CHECK_OK(gi_mpi_load_safetensors(in_dir("all.safetensors"), NSPECS,
                                     w->names, t, MPI_COMM_WORLD));
    expect_blocks(w, t, "single file, other layout");
    drop_shards(t);
}

/* The index names every tensor's file and the total size; every file
 * opens and holds its tensors; the checkpoint loads back bit for bit. */
static void the_index_round_trips(world *w)
{
    CHECK_OK(gi_mpi_save_safetensors_index(dir, NSPECS, w->names,
                                           w->shards, 2, meta,
                                           MPI_COMM_WORLD));
    const int files = mpi_size() < NSPECS ? mpi_size() : NSPECS;
    size_t n = 0;
    char *index = (char *)file_bytes(in_dir("model.safetensors.index.json"),
                                     &n);
    CHECK(index != NULL, "no index");
    uint64_t total = 0;
    for (int i = 0; i < NSPECS; ++i)
        total += (uint64_t)gi_tensor_numel(w->whole[i]) *
                 elem_size(w->specs[i].dtype);
    char want[256];
    snprintf(want, sizeof want, "\"total_size\": %llu",
             (unsigned long long)total);
    CHECK(index && strstr(index, "\"metadata\"") && strstr(index, want) &&
              strstr(index, "\"weight_map\""), "index: %s", index);
    int seen[NSPECS] = {0};
    for (int k = 1; k <= files && index != NULL; ++k) {
        char file[64], path[4200];
        snprintf(file, sizeof file, "model-%05d-of-%05d.safetensors", k,
                 files);
        snprintf(path, sizeof path, "%s", in_dir(file));
        gi_safetensors f = NULL;
        CHECK_OK(gi_safetensors_open(&f, path));
        CHECK(gi_safetensors_count(f) > 0, "%s holds no tensor", file);
        CHECK(f && gi_safetensors_metadata(f, "by") != NULL, "metadata");
        for (int64_t j = 0; j < gi_safetensors_count(f); ++j) {
            const char *name = gi_safetensors_name(f, j);
            char entry[128];
            snprintf(entry, sizeof entry, "\"%s\": \"%s\"", name, file);
            CHECK(strstr(index, entry) != NULL, "index lacks %s", entry);
            for (int i = 0; i < NSPECS; ++i)
                seen[i] += strcmp(name, w->names[i]) == 0;
        }
        gi_safetensors_close(f);
    }
    for (int i = 0; i < NSPECS; ++i)
        CHECK(seen[i] == 1, "%s is in %d files", w->names[i], seen[i]);
    free(index);
    gi_tensor *t = fresh_shards(w, 0);
    CHECK_OK(gi_mpi_load_safetensors_index(
        in_dir("model.safetensors.index.json"), NSPECS, w->names, t,
        MPI_COMM_WORLD));
    expect_blocks(w, t, "index");
    drop_shards(t);
}

/* A call that fails on one rank (the last) fails on every rank: that
 * rank with its own status, the others with GI_ERR_PEER; nothing hangs,
 * the file stays as it was and no temporary file is left. */
static void a_failing_rank_fails_every_rank(world *w)
{
    const int bad = mpi_size() - 1, rank = mpi_rank();
    const int before = files_in_dir();
    gi_tensor keep = w->shards[3];
    if (rank == bad)
        w->shards[3] = NULL;
    gi_status st = gi_mpi_save_safetensors(in_dir("all.safetensors"),
                                           NSPECS, w->names, w->shards, 2,
                                           meta, MPI_COMM_WORLD);
    w->shards[3] = keep;
    CHECK(st == (rank == bad ? GI_ERR_NULL_ARGUMENT : GI_ERR_PEER),
          "a NULL tensor on rank %d: %s", bad, gi_status_name(st));
    /* A shard of another global shape: every rank sees the bad tiling. */
    spec other = w->specs[0];
    other.shape[1] += 1;
    gi_tensor wrong = rank == bad ? shard_of(w->ctx, &other, other.layout)
                                  : NULL;
    keep = w->shards[0];
    if (rank == bad)
        w->shards[0] = wrong;
    /* (Alone, a rank's tensor of another shape is just another tensor.) */
    if (mpi_size() > 1) {
        st = gi_mpi_save_safetensors(in_dir("all.safetensors"), NSPECS,
                                     w->names, w->shards, 2, meta,
                                     MPI_COMM_WORLD);
        CHECK(st == GI_ERR_INVALID_ARGUMENT &&
                  strstr(gi_last_error(), "global shape"),
              "another global shape on rank %d: %s", bad, gi_last_error());
    }
    w->shards[0] = keep;
    /* The load refuses it too, before any rank writes. */
    gi_tensor *t = fresh_shards(w, 0);
    if (rank == bad) {
        gi_tensor_destroy(t[0]);
        t[0] = wrong;
        CHECK_OK(gi_fill_(wrong, 7));
    }
    st = gi_mpi_load_safetensors(in_dir("all.safetensors"), NSPECS,
                                 w->names, t, MPI_COMM_WORLD);
    CHECK(st == (rank == bad ? GI_ERR_SHAPE : GI_ERR_PEER),
          "a load with another global shape: %s", gi_last_error());
    int64_t written = 0;
    for (int i = 0; i < NSPECS; ++i) {
        const int64_t zeros[3] = {0, 0, 0};
        double v = 7;
        if (gi_tensor_numel(t[i]) > 0)
            CHECK_OK(gi_tensor_get(t[i], gi_tensor_ndim(t[i]), zeros, &v));
        written += v != 7;
    }
    CHECK(written == 0, "a refused load wrote %lld tensors",
          (long long)written);
    drop_shards(t);
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0) {
        char a[4200];
        snprintf(a, sizeof a, "%s", in_dir("all.safetensors"));
        CHECK(same_file(a, in_dir("whole.safetensors")),
              "a failed save changed the file");
        CHECK(files_in_dir() == before, "%d files, %d before",
              files_in_dir(), before);
    }
}

/* Hostile indexes are refused on every rank (GI_ERR_FORMAT naming the
 * field), before any file is opened or any tensor written. */
static void hostile_indexes_are_refused(world *w)
{
    static const char outside[] = "is not a file name in the index's "
                                  "directory";
    static const struct {
        const char *text, *says;
    } cases[] = {
        {"{\"weight_map\": {\"%s\": \"../x\"}}", outside},
        {"{\"weight_map\": {\"%s\": \"a/b.safetensors\"}}", outside},
        {"{\"weight_map\": {\"%s\": \"..\"}}", outside},
        {"{\"weight_map\": {\"%s\": \"\"}}", outside},
        {"{\"weight_map\": {\"%s\": 3}}", "is not a string"},
        {"{\"metadata\": {}, \"%s\": 1}", "'weight_map' is missing"},
        {"{\"weight_map\": [\"%s\"]}", "'weight_map' is not an object"},
        {"{\"metadata\": 1, \"weight_map\": {\"%s\": \"f\"}}",
         "'metadata' is not an object"},
        {"{\"weight_map\": {\"%s\": \"x\", \"%s\": \"y\"}}",
         "duplicate"},
        {"[\"%s\"]", "not a JSON object"},
        {"{\"weight_map\": {\"%s\": \"model-00001-of-00001."
         "safetensors\"", "not valid JSON"},
    };
    gi_tensor *t = fresh_shards(w, 0);
    char path[4200];
    snprintf(path, sizeof path, "%s", in_dir("hostile.index.json"));
    for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c) {
        if (mpi_rank() == 0) {
            FILE *f = fopen(path, "w");
            fprintf(f, cases[c].text, w->names[0], w->names[0]);
            fclose(f);
        }
        MPI_Barrier(MPI_COMM_WORLD);
        gi_status st = gi_mpi_load_safetensors_index(path, NSPECS, w->names,
                                                     t, MPI_COMM_WORLD);
        CHECK(st == GI_ERR_FORMAT && strstr(gi_last_error(), cases[c].says),
              "case %zu: %s", c, gi_last_error());
    }
    /* A tensor the index puts in a file that does not hold it: refused
     * before any rank reads (as gi_load_safetensors_index refuses it). */
    if (mpi_rank() == 0) {
        FILE *f = fopen(path, "w");
        fprintf(f, "{\"weight_map\": {\"%s\": \"whole.safetensors\", "
                "\"ghost\": \"whole.safetensors\"}}", w->names[0]);
        fclose(f);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    gi_tensor ghost = t[0];
    const char *names[] = {w->names[0], "ghost"};
    gi_status st = gi_mpi_load_safetensors_index(
        path, 2, names, (const gi_tensor[]){t[0], ghost}, MPI_COMM_WORLD);
    CHECK(st == GI_ERR_INVALID_ARGUMENT &&
              strstr(gi_last_error(), "whole.safetensors' has no tensor "
                     "named 'ghost'"),
          "a name its file lacks: %s", gi_last_error());
    drop_shards(t);
}

/* Column-parallel parts of a Linear are the whole Linear's file, and a
 * sharded checkpoint of them loads back strictly; a lazy tree is refused
 * on every rank. */
static void parallel_linears_save_as_the_whole(world *w)
{
    const int rank = mpi_rank(), size = mpi_size();
    int64_t start = 0, rows = 0;
    part(8, size, rank, &start, &rows);
    gi_module lin = NULL, net = NULL, whole = NULL;
    CHECK_OK(gi_manual_seed(w->ctx, 7));
    CHECK_OK(gi_linear_create_parallel(&lin, w->ctx, 6, rows, 1, GI_F32,
                                       GI_LINEAR_COLUMN, 8, start));
    CHECK_OK(gi_sequential_create(&net, w->ctx, 1, &lin));
    char path[4200];
    snprintf(path, sizeof path, "%s", in_dir("linear.safetensors"));
    CHECK_OK(gi_mpi_module_save_safetensors(net, path, 0, NULL,
                                            MPI_COMM_WORLD));
    if (rank == 0) {
        gi_module wl = NULL;
        CHECK_OK(gi_manual_seed(w->cpu, 7));
        CHECK_OK(gi_linear_create(&wl, w->cpu, 6, 8, 1, GI_F32));
        CHECK_OK(gi_sequential_create(&whole, w->cpu, 1, &wl));
        CHECK_OK(gi_module_save_safetensors(whole, in_dir("lw.safetensors"),
                                            0, NULL));
        CHECK(same_file(path, in_dir("lw.safetensors")),
              "the parts' file differs from the whole Linear's");
        gi_module_destroy(whole);
    }
    char sub[4200];
    snprintf(sub, sizeof sub, "%s", in_dir("linear"));
    if (rank == 0)
        CHECK(mkdir(sub, 0700) == 0, "mkdir %s", sub);
    MPI_Barrier(MPI_COMM_WORLD);
    CHECK_OK(gi_mpi_module_save_safetensors_index(net, sub, 0, NULL,
                                                  MPI_COMM_WORLD));
    size_t nw = 0;
    unsigned char *before = host_bytes(gi_module_weight(lin), &nw);
    CHECK_OK(gi_fill_(gi_module_weight(lin), 7));
    char index[4300];
    snprintf(index, sizeof index, "%s/model.safetensors.index.json", sub);
    CHECK_OK(gi_mpi_module_load_safetensors_index(net, index,
                                                  MPI_COMM_WORLD));
    unsigned char *after = host_bytes(gi_module_weight(lin), &nw);
    CHECK(memcmp(before, after, nw) == 0, "the weight did not load back");
    free(before);
    free(after);
    CHECK_OK(gi_mpi_module_load_safetensors(net, path, MPI_COMM_WORLD));
    gi_module lazy = NULL;
    CHECK_OK(gi_lazy_linear_create(&lazy, w->ctx, 3, 1, GI_F32));
    CHECK(gi_mpi_module_save_safetensors(lazy, path, 0, NULL,
                                         MPI_COMM_WORLD) == GI_ERR_STATE,
          "a lazy tree: %s", gi_last_error());
    gi_module_destroy(lazy);
    gi_module_destroy(net);
}

/* No tensors: one file of a header alone; an index of no file. */
static void no_tensors(void)
{
    char path[4200];
    snprintf(path, sizeof path, "%s", in_dir("none.safetensors"));
    CHECK_OK(gi_mpi_save_safetensors(path, 0, NULL, NULL, 0, NULL,
                                     MPI_COMM_WORLD));
    if (mpi_rank() == 0) {
        CHECK_OK(gi_save_safetensors(in_dir("none1.safetensors"), 0, NULL,
                                     NULL, 0, NULL));
        CHECK(same_file(path, in_dir("none1.safetensors")), "empty file");
    }
    char sub[4200];
    snprintf(sub, sizeof sub, "%s", in_dir("none"));
    if (mpi_rank() == 0)
        CHECK(mkdir(sub, 0700) == 0, "mkdir %s", sub);
    MPI_Barrier(MPI_COMM_WORLD);
    CHECK_OK(gi_mpi_save_safetensors_index(sub, 0, NULL, NULL, 0, NULL,
                                           MPI_COMM_WORLD));
    char index[4300];
    snprintf(index, sizeof index, "%s/model.safetensors.index.json", sub);
    CHECK_OK(gi_mpi_load_safetensors_index(index, 0, NULL, NULL,
                                           MPI_COMM_WORLD));
}

/* Hostile arguments give the same status on every rank (or, for an
 * argument that differs between ranks, the differing ranks their own and
 * the others GI_ERR_PEER), and no file. */
static void hostile_arguments(world *w)
{
    const char *p = in_dir("hostile.safetensors");
    char path[4200], mine[4300];
    snprintf(path, sizeof path, "%s", p);
    snprintf(mine, sizeof mine, "%s.%d", path, mpi_rank());
    const gi_tensor *ts = w->shards;
    const char *const *ns = w->names;
    MPI_Comm world = MPI_COMM_WORLD, none = MPI_COMM_NULL;
    const struct {
        gi_status got, want;
        const char *what;
    } cases[] = {
        {gi_mpi_save_safetensors(NULL, 1, ns, ts, 0, NULL, world),
         GI_ERR_NULL_ARGUMENT, "path NULL"},
        {gi_mpi_save_safetensors("", 1, ns, ts, 0, NULL, world),
         GI_ERR_INVALID_ARGUMENT, "path empty"},
        {gi_mpi_save_safetensors(path, -1, ns, ts, 0, NULL, world),
         GI_ERR_INVALID_ARGUMENT, "n negative"},
        {gi_mpi_save_safetensors(path, 1, NULL, ts, 0, NULL, world),
         GI_ERR_NULL_ARGUMENT, "names NULL"},
        {gi_mpi_save_safetensors(path, 1, ns, ts, 1, NULL, world),
         GI_ERR_NULL_ARGUMENT, "meta NULL"},
        {gi_mpi_save_safetensors(path, 1, ns, ts, -1, NULL, world),
         GI_ERR_INVALID_ARGUMENT, "nmeta negative"},
        {gi_mpi_save_safetensors(path, 1, ns, ts, 0, NULL, none),
         GI_ERR_INVALID_ARGUMENT, "comm MPI_COMM_NULL"},
        {gi_mpi_save_safetensors(path, 2, (const char *[]){"x", "x"}, ts, 0,
                                 NULL, world),
         GI_ERR_INVALID_ARGUMENT, "a name twice"},
        {gi_mpi_save_safetensors_index(NULL, 1, ns, ts, 0, NULL, world),
         GI_ERR_NULL_ARGUMENT, "dir NULL"},
        {gi_mpi_save_safetensors_index(in_dir("nowhere"), 1, ns, ts, 0, NULL,
                                       world),
         mpi_rank() == 0 ? GI_ERR_IO : GI_ERR_PEER, "no such dir (rank 0 "
         "creates the files)"},
        {gi_mpi_module_save_safetensors(NULL, path, 0, NULL, world),
         GI_ERR_NULL_ARGUMENT, "module NULL"},
        {gi_mpi_module_save_safetensors_index(NULL, path, 0, NULL, world),
         GI_ERR_NULL_ARGUMENT, "module NULL (index)"},
        {gi_mpi_load_safetensors(NULL, 1, ns, ts, world),
         GI_ERR_NULL_ARGUMENT, "load: path NULL"},
        {gi_mpi_load_safetensors(path, 1, ns, NULL, world),
         GI_ERR_NULL_ARGUMENT, "load: tensors NULL"},
        {gi_mpi_load_safetensors(path, 1, ns, ts, world), GI_ERR_IO,
         "load: no file"},
        {gi_mpi_load_safetensors(path, 1, ns, ts, none),
         GI_ERR_INVALID_ARGUMENT, "load: comm MPI_COMM_NULL"},
        {gi_mpi_load_safetensors_index(path, 1, ns, ts, world), GI_ERR_IO,
         "index: no file"},
        {gi_mpi_load_safetensors_index(path, -2, ns, ts, world),
         GI_ERR_INVALID_ARGUMENT, "index: n negative"},
        {gi_mpi_module_load_safetensors(NULL, path, world),
         GI_ERR_NULL_ARGUMENT, "load: module NULL"},
        {gi_mpi_module_load_safetensors_index(NULL, path, world),
         GI_ERR_NULL_ARGUMENT, "index: module NULL"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c)
        CHECK(cases[c].got == cases[c].want, "%s: %s", cases[c].what,
              gi_status_name(cases[c].got));
    gi_status st = gi_mpi_save_safetensors(mine, 1, ns, ts, 0, NULL, world);
    CHECK(st == (mpi_size() == 1 ? GI_OK
                 : mpi_rank() == 0 ? GI_ERR_PEER : GI_ERR_INVALID_ARGUMENT),
          "paths that differ: %s", gi_last_error());
    if (mpi_size() == 1)
        remove(mine);
}

/* With a directory argument, for safetensors_index_torch.py: the sharded
 * checkpoint of the tensors in DIR/ckpt and rank 0's file of the whole
 * tensors, DIR/whole.safetensors, instead of the checks. */
static void write_for_torch(world *w, const char *out)
{
    snprintf(dir, sizeof dir, "%s/ckpt", out);
    if (mpi_rank() == 0) {
        CHECK(mkdir(dir, 0700) == 0, "mkdir %s", dir);
        char whole[4200];
        snprintf(whole, sizeof whole, "%s/whole.safetensors", out);
        CHECK_OK(gi_save_safetensors(whole, NSPECS, w->names, w->whole, 2,
                                     meta));
    }
    MPI_Barrier(MPI_COMM_WORLD);
    CHECK_OK(gi_mpi_save_safetensors_index(dir, NSPECS, w->names,
                                           w->shards, 2, meta,
                                           MPI_COMM_WORLD));
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    static world w;
    CHECK_OK(gi_context_create(&w.ctx, GI_DEVICE_AUTO));
    CHECK_OK(gi_context_create(&w.cpu, GI_DEVICE_CPU));
    make_specs(w.specs);
    for (int i = 0; i < NSPECS; ++i) {
        w.names[i] = w.specs[i].name;
        w.whole[i] = whole_of(w.cpu, &w.specs[i]);
        w.shards[i] = shard_of(w.ctx, &w.specs[i], w.specs[i].layout);
        copy_block(w.shards[i], w.whole[i]);
    }
    if (argc > 1) {
        write_for_torch(&w, argv[1]);
    } else {
        make_dir();
        one_file_equals_the_whole_save(&w);
        one_file_loads_under_another_layout(&w);
        the_index_round_trips(&w);
        a_failing_rank_fails_every_rank(&w);
        hostile_indexes_are_refused(&w);
        parallel_linears_save_as_the_whole(&w);
        no_tensors();
        hostile_arguments(&w);
        remove_dir();
    }
    for (int i = 0; i < NSPECS; ++i) {
        gi_tensor_destroy(w.shards[i]);
        gi_tensor_destroy(w.whole[i]);
    }
    gi_context_destroy(w.cpu);
    gi_context_destroy(w.ctx);
    return mpi_check_finish("test_mpi_safetensors");
}
