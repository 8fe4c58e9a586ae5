/* safetensors save and load: round trips of every dtype (0-D and empty
 * tensors too) on the suite's device, the exact bytes of a file, metadata,
 * module trees under their named_parameters names, all-or-nothing loads,
 * and writes that never leave a partial file. */
#include "st_files.h"
#include "test_helpers.h"

#include <dirent.h>

static const gi_dtype dtypes[] = {GI_F32, GI_F64, GI_F16, GI_BF16};

static size_t elem_size(gi_dtype dt)
{
    return dt == GI_F64 ? 8 : dt == GI_F32 ? 4 : 2;
}

/* A malloc'd copy of t's bytes; their count in *n. */
static void *bytes_of(gi_tensor t, size_t *n)
{
    *n = (size_t)gi_tensor_numel(t) * elem_size(gi_tensor_dtype(t));
    void *h = malloc(*n + 1);
    cr_assert_not_null(h);
    cr_assert_eq(gi_tensor_copy_to_host(t, h, *n), GI_OK, "%s",
                 gi_last_error());
    return h;
}

static void expect_same_bytes(gi_tensor a, gi_tensor b, const char *what)
{
    size_t na = 0, nb = 0;
    void *ha = bytes_of(a, &na), *hb = bytes_of(b, &nb);
    cr_expect_eq(na, nb, "%s: %zu bytes, %zu expected", what, nb, na);
    cr_expect(na == nb && memcmp(ha, hb, na) == 0, "%s: the bytes differ",
              what);
    free(ha);
    free(hb);
}

static gi_tensor random_tensor(gi_context ctx, gi_dtype dt, int ndim,
                               const int64_t *shape)
{
    gi_tensor t = NULL;
    cr_assert_eq(gi_tensor_create(&t, ctx, dt, ndim, shape), GI_OK, "%s",
                 gi_last_error());
    cr_assert_eq(gi_normal_(t, 0, 1, NULL), GI_OK, "%s", gi_last_error());
    return t;
}

/* Every dtype as a 2-D, a 0-D and an empty tensor, written and read back
 * bit for bit, into new tensors and into existing ones. */
Test(safetensors, every_dtype_round_trips_bit_for_bit)
{
    gi_context ctx = any_context();
    enum { N = 12 };
    gi_tensor ts[N];
    char names[N][16];
    const char *pnames[N];
    for (int i = 0; i < N; ++i) {
        gi_dtype dt = dtypes[i / 3];
        const int64_t shape[] = {3, 5}, empty[] = {0, 4};
        int kind = i % 3;
        ts[i] = random_tensor(ctx, dt, kind == 0 ? 2 : kind == 1 ? 0 : 2,
                              kind == 2 ? empty : shape);
        snprintf(names[i], sizeof names[i], "%s.%d", gi_dtype_name(dt), kind);
        pnames[i] = names[i];
    }
    const char *path = st_path("all.safetensors");
    cr_assert_eq(gi_save_safetensors(path, N, pnames, ts, 0, NULL), GI_OK,
                 "%s", gi_last_error());

    gi_safetensors f = NULL;
    cr_assert_eq(gi_safetensors_open(&f, path), GI_OK, "%s", gi_last_error());
    cr_assert_eq(gi_safetensors_count(f), N);
    for (int i = 0; i < N; ++i) {
        cr_expect_str_eq(gi_safetensors_name(f, i), names[i],
                         "the file keeps the order of the data");
        gi_dtype dt = (gi_dtype)-1;
        int ndim = -1;
        int64_t shape[GI_MAX_DIMS] = {0};
        cr_assert_eq(gi_safetensors_info(f, names[i], &dt, &ndim, shape),
                     GI_OK, "%s", gi_last_error());
        cr_expect_eq(dt, gi_tensor_dtype(ts[i]));
        cr_expect_eq(ndim, gi_tensor_ndim(ts[i]));
        for (int d = 0; d < ndim; ++d)
            cr_expect_eq(shape[d], gi_tensor_shape(ts[i])[d]);
        gi_tensor back = NULL;
        cr_assert_eq(gi_safetensors_load_tensor(f, names[i], ctx, &back),
                     GI_OK, "%s", gi_last_error());
        expect_same_bytes(ts[i], back, names[i]);
        gi_tensor_destroy(back);
    }
    cr_expect_null(gi_safetensors_name(f, N));
    cr_expect_null(gi_safetensors_metadata(f, "format"));

    gi_tensor copies[N];
    for (int i = 0; i < N; ++i)
        cr_assert_eq(gi_tensor_clone(&copies[i], ts[i]), GI_OK);
    for (int i = 0; i < N; ++i)
        cr_assert_eq(gi_fill_(ts[i], 7), GI_OK);
    cr_assert_eq(gi_safetensors_load_into(f, N, pnames, ts), GI_OK, "%s",
                 gi_last_error());
    for (int i = 0; i < N; ++i) {
        expect_same_bytes(copies[i], ts[i], names[i]);
        gi_tensor_destroy(copies[i]);
        gi_tensor_destroy(ts[i]);
    }
    gi_safetensors_close(f);
    gi_context_destroy(ctx);
}

/* The exact bytes: size, header padded with spaces to a multiple of 8,
 * tensors in the order given, metadata first, little-endian data. */
Test(safetensors, file_bytes_follow_the_specification)
{
    gi_context ctx = any_context();
    gi_tensor a = NULL, b = NULL;
    cr_assert_eq(gi_tensor_create(&a, ctx, GI_F32, 1, (int64_t[]){2}), GI_OK);
    cr_assert_eq(gi_tensor_create(&b, ctx, GI_F16, 0, NULL), GI_OK);
    cr_assert_eq(gi_fill_(a, 1), GI_OK);
    cr_assert_eq(gi_fill_(b, -2), GI_OK);
    const char *names[] = {"w", "b"};
    const gi_metadata meta[] = {{"format", "pt"}};
    const char *path = st_path("exact.safetensors");
    cr_assert_eq(gi_save_safetensors(path, 2, names,
                                     (const gi_tensor[]){a, b}, 1, meta),
                 GI_OK, "%s", gi_last_error());
    static const char json[] =
        "{\"__metadata__\":{\"format\":\"pt\"},"
        "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        "\"b\":{\"dtype\":\"F16\",\"shape\":[],\"data_offsets\":[8,10]}}";
    size_t n = strlen(json), padded = (n + 7) / 8 * 8, size = 0;
    unsigned char *file = st_read_bytes(path, &size);
    cr_assert_eq(size, 8 + padded + 10);
    for (int i = 0; i < 8; ++i)
        cr_expect_eq(file[i], (unsigned char)(padded >> (8 * i)));
    cr_expect(memcmp(file + 8, json, n) == 0, "header: %.*s", (int)padded,
              (const char *)file + 8);
    for (size_t i = n; i < padded; ++i)
        cr_expect_eq(file[8 + i], ' ');
    static const unsigned char data[] = {0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x3f,
                                         0x00, 0xc0};
    cr_expect(memcmp(file + 8 + padded, data, sizeof data) == 0);
    free(file);
    gi_tensor_destroy(a);
    gi_tensor_destroy(b);
    gi_context_destroy(ctx);
}

/* gi_safetensors_header gives the bytes a save writes before the data,
 * and where each tensor's data goes. */
Test(safetensors, the_header_is_the_saved_files_prefix)
{
    gi_context ctx = any_context();
    gi_tensor a = NULL, b = NULL, c = NULL;
    cr_assert_eq(gi_tensor_create(&a, ctx, GI_F32, 2, (int64_t[]){3, 5}),
                 GI_OK);
    cr_assert_eq(gi_tensor_create(&b, ctx, GI_BF16, 0, NULL), GI_OK);
    cr_assert_eq(gi_tensor_create(&c, ctx, GI_F64, 3, (int64_t[]){2, 0, 4}),
                 GI_OK);
    const char *names[] = {"layer.0.weight", "\xc3\xa9", "z"};
    const gi_tensor ts[] = {a, b, c};
    const gi_metadata meta[] = {{"format", "pt"}, {"k", "v"}};
    const char *path = st_path("prefix.safetensors");
    cr_assert_eq(gi_save_safetensors(path, 3, names, ts, 2, meta), GI_OK,
                 "%s", gi_last_error());
    gi_safetensors_entry e[3];
    for (int i = 0; i < 3; ++i)
        e[i] = (gi_safetensors_entry){names[i], gi_tensor_dtype(ts[i]),
                                      gi_tensor_ndim(ts[i]),
                                      gi_tensor_shape(ts[i])};
    size_t need = 0;
    cr_assert_eq(gi_safetensors_header(3, e, 2, meta, NULL, 0, &need, NULL),
                 GI_OK, "%s", gi_last_error());
    unsigned char *head = malloc(need);
    uint64_t offsets[4] = {9, 9, 9, 9};
    size_t got = 0;
    cr_assert_eq(gi_safetensors_header(3, e, 2, meta, head, need, &got,
                                       offsets), GI_OK);
    cr_expect_eq(got, need);
    size_t size = 0;
    unsigned char *file = st_read_bytes(path, &size);
    cr_assert_eq(size, need + 15 * 4 + 2);
    cr_expect(memcmp(file, head, need) == 0);
    cr_expect_eq(offsets[0], 0);
    cr_expect_eq(offsets[1], 60);
    cr_expect_eq(offsets[2], 62);
    cr_expect_eq(offsets[3], 62);
    free(file);
    free(head);
    gi_tensor_destroy(a);
    gi_tensor_destroy(b);
    gi_tensor_destroy(c);
    gi_context_destroy(ctx);
}

Test(safetensors, metadata_round_trips)
{
    const gi_metadata meta[] = {{"format", "pt"}, {"note", "caf\xc3\xa9"},
                                {"", "empty key"}};
    const char *path = st_path("meta.safetensors");
    cr_assert_eq(gi_save_safetensors(path, 0, NULL, NULL, 3, meta), GI_OK,
                 "%s", gi_last_error());
    gi_safetensors f = NULL;
    cr_assert_eq(gi_safetensors_open(&f, path), GI_OK, "%s", gi_last_error());
    cr_expect_eq(gi_safetensors_count(f), 0);
    for (int i = 0; i < 3; ++i)
        cr_expect_str_eq(gi_safetensors_metadata(f, meta[i].key),
                         meta[i].value);
    cr_expect_null(gi_safetensors_metadata(f, "absent"));
    gi_safetensors_close(f);
}

/* A large device tensor crosses the 4 MiB host buffer in several pieces. */
Test(safetensors, tensors_larger_than_the_host_buffer)
{
    gi_context ctx = any_context();
    const int64_t shape[] = {3, 700001}; /* 8.4 MB: two full pieces, and one */
    gi_tensor t = random_tensor(ctx, GI_F32, 2, shape);
    const char *path = st_path("large.safetensors");
    cr_assert_eq(gi_save_safetensors(path, 1, (const char *[]){"t"}, &t, 0,
                                     NULL), GI_OK, "%s", gi_last_error());
    gi_tensor back = NULL;
    gi_safetensors f = NULL;
    cr_assert_eq(gi_safetensors_open(&f, path), GI_OK, "%s", gi_last_error());
    cr_assert_eq(gi_safetensors_load_tensor(f, "t", ctx, &back), GI_OK, "%s",
                 gi_last_error());
    expect_same_bytes(t, back, "t");
    gi_safetensors_close(f);
    gi_tensor_destroy(back);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

/* Sequential(Linear(3, 4), ReLU(), Sequential(Linear(4, 2, bias=False))). */
static gi_module make_tree(gi_context ctx, uint64_t seed)
{
    cr_assert_eq(gi_manual_seed(ctx, seed), GI_OK);
    gi_module inner_kid = new_linear(ctx, 4, 2, 0), inner = NULL, net = NULL;
    cr_assert_eq(gi_sequential_create(&inner, ctx, 1, &inner_kid), GI_OK);
    gi_module kids[] = {new_linear(ctx, 3, 4, 1), new_relu(ctx), inner};
    cr_assert_eq(gi_sequential_create(&net, ctx, 3, kids), GI_OK);
    return net;
}

Test(safetensors, a_tree_saves_under_its_parameter_names_and_loads_back)
{
    gi_context ctx = any_context();
    gi_module net = make_tree(ctx, 1), other = make_tree(ctx, 2);
    const char *path = st_path("tree.safetensors");
    cr_assert_eq(gi_module_save_safetensors(net, path, 0, NULL), GI_OK, "%s",
                 gi_last_error());
    gi_safetensors f = NULL;
    cr_assert_eq(gi_safetensors_open(&f, path), GI_OK, "%s", gi_last_error());
    static const char *const want[] = {"0.weight", "0.bias", "2.0.weight"};
    cr_assert_eq(gi_safetensors_count(f), 3);
    for (int i = 0; i < 3; ++i)
        cr_expect_str_eq(gi_safetensors_name(f, i), want[i]);
    gi_safetensors_close(f);

    cr_assert_eq(gi_module_load_safetensors(other, path), GI_OK, "%s",
                 gi_last_error());
    params a = params_of(net), b = params_of(other);
    for (int i = 0; i < a.n; ++i)
        expect_same_bytes(a.t[i], b.t[i], a.name[i]);
    gi_module_destroy(other);
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}

/* Every tensor of a tree as it is, by bytes. */
typedef struct tree_bytes {
    int n;
    void *h[8];
    size_t len[8];
} tree_bytes;

static tree_bytes bytes_of_tree(gi_module m)
{
    params ps = params_of(m);
    tree_bytes tb = {.n = ps.n};
    for (int i = 0; i < ps.n; ++i)
        tb.h[i] = bytes_of(ps.t[i], &tb.len[i]);
    return tb;
}

static void expect_tree_unchanged(gi_module m, tree_bytes *before)
{
    tree_bytes now = bytes_of_tree(m);
    cr_assert_eq(now.n, before->n);
    for (int i = 0; i < now.n; ++i) {
        cr_expect(memcmp(now.h[i], before->h[i], now.len[i]) == 0,
                  "parameter %d changed", i);
        free(now.h[i]);
        free(before->h[i]);
    }
}

/* load_state_dict(strict=True): a missing or an unexpected key, or a
 * wrong shape at the very last parameter, loads nothing. */
Test(safetensors, a_tree_load_is_strict_and_all_or_nothing)
{
    gi_context ctx = any_context();
    gi_module net = make_tree(ctx, 3);
    params ps = params_of(net);
    const char *names[] = {ps.name[0], ps.name[1], ps.name[2], "3.weight"};
    gi_tensor wrong = NULL;
    cr_assert_eq(gi_tensor_create(&wrong, ctx, GI_F32, 2, (int64_t[]){2, 5}),
                 GI_OK);
    const struct {
        int n;
        gi_tensor last;
        gi_status want;
        const char *says;
    } cases[] = {
        {2, ps.t[2], GI_ERR_INVALID_ARGUMENT, "missing key(s): \"2.0.weight\""},
        {4, ps.t[2], GI_ERR_INVALID_ARGUMENT,
         "unexpected key(s): \"3.weight\""},
        {3, wrong, GI_ERR_SHAPE, "'2.0.weight'"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c) {
        gi_tensor ts[] = {ps.t[0], ps.t[1], cases[c].last, ps.t[2]};
        const char *path = st_path("partial.safetensors");
        cr_assert_eq(gi_save_safetensors(path, cases[c].n, names, ts, 0, NULL),
                     GI_OK, "%s", gi_last_error());
        cr_assert_eq(gi_fill_(ps.t[0], 5), GI_OK);
        tree_bytes before = bytes_of_tree(net);
        cr_expect_eq(gi_module_load_safetensors(net, path), cases[c].want,
                     "case %zu: %s", c, gi_last_error());
        cr_expect(strstr(gi_last_error(), cases[c].says) != NULL,
                  "case %zu: %s", c, gi_last_error());
        expect_tree_unchanged(net, &before);
    }
    gi_tensor_destroy(wrong);
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}

/* Loading into tensors: a bad last target (missing name, dtype, shape,
 * rank) writes none of them. */
Test(safetensors, load_into_checks_every_target_first)
{
    gi_context ctx = any_context();
    const int64_t s23[] = {2, 3};
    gi_tensor a = random_tensor(ctx, GI_F32, 2, s23);
    gi_tensor b = random_tensor(ctx, GI_F16, 1, (int64_t[]){4});
    const char *path = st_path("two.safetensors");
    cr_assert_eq(gi_save_safetensors(path, 2, (const char *[]){"a", "b"},
                                     (const gi_tensor[]){a, b}, 0, NULL),
                 GI_OK);
    gi_tensor x = new_tensor(ctx, 2, s23), y16 = NULL, y32 = NULL, y2 = NULL;
    cr_assert_eq(gi_tensor_create(&y16, ctx, GI_F16, 1, (int64_t[]){5}), 0);
    cr_assert_eq(gi_tensor_create(&y32, ctx, GI_F32, 1, (int64_t[]){4}), 0);
    cr_assert_eq(gi_tensor_create(&y2, ctx, GI_F16, 2, (int64_t[]){2, 2}), 0);
    const struct {
        const char *name;
        gi_tensor t;
        gi_status want;
        const char *says;
    } cases[] = {
        {"c", y16, GI_ERR_INVALID_ARGUMENT, "no tensor named 'c'"},
        {"b", y32, GI_ERR_INVALID_ARGUMENT, "float16 in the file"},
        {"b", y16, GI_ERR_SHAPE, "tensor 'b'"},
        {"b", y2, GI_ERR_SHAPE, "2 dimensions"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c) {
        fill_iota(x);
        cr_expect_eq(gi_load_safetensors(path, 2,
                                         (const char *[]){"a", cases[c].name},
                                         (const gi_tensor[]){x, cases[c].t}),
                     cases[c].want, "case %zu: %s", c, gi_last_error());
        cr_expect(strstr(gi_last_error(), cases[c].says) != NULL,
                  "case %zu: %s", c, gi_last_error());
        cr_expect(strncmp(gi_last_error(), "gi_load_safetensors: ", 21) == 0,
                  "%s", gi_last_error());
        expect_iota(x);
    }
    cr_assert_eq(gi_load_safetensors(path, 1, (const char *[]){"a"}, &x),
                 GI_OK, "%s", gi_last_error());
    expect_same_bytes(a, x, "a");
    gi_tensor_destroy(y2);
    gi_tensor_destroy(y32);
    gi_tensor_destroy(y16);
    gi_tensor_destroy(x);
    gi_tensor_destroy(b);
    gi_tensor_destroy(a);
    gi_context_destroy(ctx);
}

/* PyTorch refuses to save uninitialized parameters; ginit names the
 * LazyLinear in the way, and loads nothing into such a tree either. */
Test(safetensors, a_lazy_tree_is_refused)
{
    gi_context ctx = any_context();
    gi_module lazy = NULL, net = NULL;
    cr_assert_eq(gi_lazy_linear_create(&lazy, ctx, 3, 1, GI_F32), GI_OK);
    gi_module kids[] = {new_linear(ctx, 2, 2, 1), lazy};
    cr_assert_eq(gi_sequential_create(&net, ctx, 2, kids), GI_OK);
    const char *path = st_path("lazy.safetensors");
    cr_expect_eq(gi_module_save_safetensors(net, path, 0, NULL), GI_ERR_STATE);
    cr_expect(strstr(gi_last_error(), "module 1 is a LazyLinear") != NULL,
              "%s", gi_last_error());
    cr_expect_eq(access(path, F_OK), -1, "a refused save created the file");
    cr_assert_eq(gi_save_safetensors(path, 0, NULL, NULL, 0, NULL), GI_OK);
    cr_expect_eq(gi_module_load_safetensors(net, path), GI_ERR_STATE);
    gi_module_destroy(net);
    gi_context_destroy(ctx);
}

/* A dtype of the format that ginit has no tensor for: the file opens,
 * the other tensors load, that one is GI_ERR_UNSUPPORTED. */
Test(safetensors, a_dtype_ginit_lacks_is_unsupported)
{
    const float one = 1.0f;
    unsigned char data[12];
    memcpy(data, &one, 4);
    memset(data + 4, 0, 8);
    data[4] = 42;
    const char *path = st_path("i64.safetensors");
    st_write_file(path,
                  "{\"f\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":"
                  "[0,4]},\"i\":{\"dtype\":\"I64\",\"shape\":[],"
                  "\"data_offsets\":[4,12]}}", data, sizeof data);
    gi_context ctx = any_context();
    gi_safetensors f = NULL;
    cr_assert_eq(gi_safetensors_open(&f, path), GI_OK, "%s", gi_last_error());
    gi_dtype dt = GI_F64;
    cr_expect_eq(gi_safetensors_info(f, "i", &dt, NULL, NULL),
                 GI_ERR_UNSUPPORTED);
    cr_expect(strstr(gi_last_error(), "tensor 'i' is of dtype I64") != NULL,
              "%s", gi_last_error());
    cr_expect_eq(dt, GI_F64, "a failed info wrote its dtype");
    gi_tensor t = NULL;
    cr_expect_eq(gi_safetensors_load_tensor(f, "i", ctx, &t),
                 GI_ERR_UNSUPPORTED);
    cr_expect_null(t);
    cr_assert_eq(gi_safetensors_load_tensor(f, "f", ctx, &t), GI_OK, "%s",
                 gi_last_error());
    double v = 0;
    cr_expect(gi_tensor_item(t, &v) == GI_OK && v == 1.0);
    gi_tensor_destroy(t);
    gi_safetensors_close(f);
    gi_context_destroy(ctx);
}

/* Names and metadata the format cannot hold are refused before any file
 * is made; the old file stays. */
Test(safetensors, refused_saves_leave_the_old_file)
{
    gi_context ctx = cpu_context();
    gi_tensor t = new_vector(ctx, 3);
    const char *path = st_path("keep.safetensors");
    st_write_bytes(path, "old", 3);
    const struct {
        const char *name, *key, *value;
        gi_status want;
        const char *says;
    } cases[] = {
        {"", "k", "v", GI_ERR_INVALID_ARGUMENT, "names[1] = ''"},
        {"__metadata__", "k", "v", GI_ERR_INVALID_ARGUMENT, "names[1]"},
        {"a", "k", "v", GI_ERR_INVALID_ARGUMENT, "'a' appears twice"},
        {"\xc3\x28", "k", "v", GI_ERR_INVALID_ARGUMENT, "not valid UTF-8"},
        {"\xed\xa0\x80", "k", "v", GI_ERR_INVALID_ARGUMENT, "UTF-8"},
        {"\xc0\xaf", "k", "v", GI_ERR_INVALID_ARGUMENT, "UTF-8"},
        {"b", "k", "\xff", GI_ERR_INVALID_ARGUMENT, "meta value[1]"},
        {"b", "\xf4\x90\x80\x80", "v", GI_ERR_INVALID_ARGUMENT, "meta key[1]"},
        {"b", "k0", "v", GI_ERR_INVALID_ARGUMENT, "key 'k0' appears twice"},
        {NULL, "k", "v", GI_ERR_NULL_ARGUMENT, "names[1] is NULL"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c) {
        const gi_metadata meta[] = {{"k0", "v"},
                                    {cases[c].key, cases[c].value}};
        cr_expect_eq(gi_save_safetensors(path, 2,
                                         (const char *[]){"a", cases[c].name},
                                         (const gi_tensor[]){t, t}, 2, meta),
                     cases[c].want, "case %zu: %s", c, gi_last_error());
        cr_expect(strstr(gi_last_error(), cases[c].says) != NULL,
                  "case %zu: %s", c, gi_last_error());
        size_t n = 0;
        unsigned char *kept = st_read_bytes(path, &n);
        cr_expect(n == 3 && memcmp(kept, "old", 3) == 0,
                  "case %zu replaced the file", c);
        free(kept);
    }
    cr_assert_eq(gi_save_safetensors(path, 1, (const char *[]){"\xc3\xa9"},
                                     &t, 0, NULL), GI_OK, "%s",
                 gi_last_error());
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

static int files_in(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* A save replaces the file whole and leaves no temporary file; one into
 * a missing directory is GI_ERR_IO and creates nothing. */
Test(safetensors, saves_replace_the_file_whole)
{
    gi_context ctx = cpu_context();
    gi_tensor t = new_vector(ctx, 5);
    fill_iota(t);
    char path[4200];
    snprintf(path, sizeof path, "%s", st_path("replace.safetensors"));
    st_write_bytes(path, "an old and longer file's contents", 33);
    cr_assert_eq(gi_save_safetensors(path, 1, (const char *[]){"t"}, &t, 0,
                                     NULL), GI_OK, "%s", gi_last_error());
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", st_path(""));
    cr_expect_eq(files_in(dir), 1, "a temporary file was left behind");
    gi_tensor back = new_vector(ctx, 5);
    cr_assert_eq(gi_load_safetensors(path, 1, (const char *[]){"t"}, &back),
                 GI_OK, "%s", gi_last_error());
    expect_iota(back);

    const char *missing = st_path("no/such/dir/x.safetensors");
    cr_expect_eq(gi_save_safetensors(missing, 1, (const char *[]){"t"}, &t,
                                     0, NULL), GI_ERR_IO);
    cr_expect(strstr(gi_last_error(), "temporary file") != NULL, "%s",
              gi_last_error());
    cr_expect_eq(files_in(dir), 1);
    gi_tensor_destroy(back);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

/* A file cut shorter after it was opened: the load says so and writes
 * nothing. */
Test(safetensors, a_file_that_shrinks_after_open_is_an_io_error)
{
    gi_context ctx = cpu_context();
    gi_tensor t = new_vector(ctx, 64);
    fill_iota(t);
    const char *path = st_path("shrink.safetensors");
    cr_assert_eq(gi_save_safetensors(path, 1, (const char *[]){"t"}, &t, 0,
                                     NULL), GI_OK);
    gi_safetensors f = NULL;
    cr_assert_eq(gi_safetensors_open(&f, path), GI_OK);
    cr_assert_eq(truncate(path, 100), 0);
    cr_assert_eq(gi_fill_(t, 0), GI_OK);
    cr_expect_eq(gi_safetensors_load_into(f, 1, (const char *[]){"t"}, &t),
                 GI_ERR_IO);
    cr_expect(strstr(gi_last_error(), "opened") != NULL, "%s",
              gi_last_error());
    float *h = to_host(t);
    for (int i = 0; i < 64; ++i)
        cr_expect_eq(h[i], 0.0f);
    free(h);
    gi_safetensors_close(f);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}
