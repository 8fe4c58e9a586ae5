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
        {"b", y2, GI_ERR_SHAPE, "[4] in the file but tensors[1] has [2, 2]"},
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

/* ---- shards: loaded out of their global tensor's file ------------------- */

/* The global row-major index of t's local element i (t a shard). */
static int64_t global_index(const gi_shard_info *s, gi_tensor t, int64_t i)
{
    if (s->kind == GI_SHARD_FLAT)
        return s->flat_start + i;
    int64_t g = 0, stride = 1;
    for (int d = s->global_ndim - 1; d >= 0; --d) {
        int64_t n = gi_tensor_shape(t)[d];
        g += (s->start[d] + i % n) * stride;
        i /= n;
        stride *= s->global_shape[d];
    }
    return g;
}

/* t holds the elements of whole (the global tensor's bytes) at its
 * global indices. */
static void expect_shard_of(const unsigned char *whole, gi_tensor t,
                            const char *what)
{
    gi_shard_info s;
    cr_assert_eq(gi_tensor_shard_info(t, &s), GI_OK);
    size_t n = 0, es = elem_size(gi_tensor_dtype(t));
    unsigned char *h = bytes_of(t, &n);
    int64_t bad = -1;
    for (int64_t i = 0; i < gi_tensor_numel(t) && bad < 0; ++i)
        if (memcmp(h + i * es, whole + global_index(&s, t, i) * es, es) != 0)
            bad = i;
    cr_expect_eq(bad, -1, "%s: element %lld differs from the global "
                 "tensor's", what, (long long)bad);
    free(h);
}

/* A box of global (ndim sizes) at start, of the given shape. */
static gi_tensor box_of(gi_context ctx, gi_dtype dt, int ndim,
                        const int64_t *global, const int64_t *start,
                        const int64_t *shape)
{
    gi_tensor t = NULL;
    cr_assert_eq(gi_tensor_create(&t, ctx, dt, ndim, shape), GI_OK, "%s",
                 gi_last_error());
    cr_assert_eq(gi_tensor_set_shard(t, ndim, global, start), GI_OK, "%s",
                 gi_last_error());
    return t;
}

static gi_tensor flat_of(gi_context ctx, gi_dtype dt, int ndim,
                         const int64_t *global, int64_t start, int64_t count)
{
    gi_tensor t = NULL;
    cr_assert_eq(gi_tensor_create(&t, ctx, dt, 1, &count), GI_OK, "%s",
                 gi_last_error());
    cr_assert_eq(gi_tensor_set_flat_shard(t, ndim, global, start), GI_OK,
                 "%s", gi_last_error());
    return t;
}

/* Loads t (filled with 7 first) from path's tensor "w" and compares. */
static void load_and_expect(const char *path, const unsigned char *whole,
                            gi_tensor t, const char *what)
{
    cr_assert_eq(gi_fill_(t, 7), GI_OK);
    cr_assert_eq(gi_load_safetensors(path, 1, (const char *[]){"w"}, &t),
                 GI_OK, "%s: %s", what, gi_last_error());
    expect_shard_of(whole, t, what);
    gi_tensor_destroy(t);
}

/* The boxes of a test: {start, shape} pairs of up to 3 dimensions. */
typedef struct box_case {
    const char *what;
    int64_t start[3], shape[3];
} box_case;

static const box_case boxes_2d[] = {
    {"rows 0..3", {0, 0}, {3, 10}},   {"rows 3..7", {3, 0}, {4, 10}},
    {"columns 0..4", {0, 0}, {7, 4}}, {"columns 4..10", {0, 4}, {7, 6}},
    {"grid 0,0", {0, 0}, {4, 3}},     {"grid 0,1", {0, 3}, {4, 4}},
    {"grid 0,2", {0, 7}, {4, 3}},     {"grid 1,0", {4, 0}, {3, 3}},
    {"grid 1,1", {4, 3}, {3, 4}},     {"grid 1,2", {4, 7}, {3, 3}},
    {"middle", {2, 3}, {3, 5}},       {"one element", {6, 9}, {1, 1}},
    {"no row", {5, 0}, {0, 10}},      {"no column", {0, 10}, {7, 0}},
    {"whole", {0, 0}, {7, 10}},
};

static const box_case boxes_3d[] = {
    {"block of dim 0", {1, 0, 0}, {2, 5, 6}},
    {"block of dim 1", {0, 2, 0}, {4, 2, 6}},
    {"block of dim 2", {0, 0, 1}, {4, 5, 4}},
    {"middle", {1, 1, 2}, {2, 3, 3}},
    {"empty", {2, 3, 6}, {1, 2, 0}},
};

/* Every dtype: boxes of a 2-D and a 3-D global tensor (row and column
 * blocks, a 2 x 3 grid, middle boxes, empty ones) and flat ranges at odd
 * starts read only their elements out of the global tensor's file. */
Test(safetensors, a_shard_loads_its_elements_of_the_global_tensor)
{
    gi_context ctx = any_context();
    const int64_t g2[] = {7, 10}, g3[] = {4, 5, 6};
    const int64_t flats[][2] = {{0, 13}, {13, 29}, {1, 69}, {69, 1},
                                {33, 0}, {0, 70}};
    for (size_t k = 0; k < sizeof dtypes / sizeof *dtypes; ++k) {
        gi_dtype dt = dtypes[k];
        gi_tensor w2 = random_tensor(ctx, dt, 2, g2);
        gi_tensor w3 = random_tensor(ctx, dt, 3, g3);
        const char *p2 = st_path("g2.safetensors");
        cr_assert_eq(gi_save_safetensors(p2, 1, (const char *[]){"w"}, &w2,
                                         0, NULL), GI_OK, "%s",
                     gi_last_error());
        char path2[4200];
        snprintf(path2, sizeof path2, "%s", p2);
        const char *path3 = st_path("g3.safetensors");
        cr_assert_eq(gi_save_safetensors(path3, 1, (const char *[]){"w"}, &w3,
                                         0, NULL), GI_OK, "%s",
                     gi_last_error());
        size_t n2 = 0, n3 = 0;
        unsigned char *h2 = bytes_of(w2, &n2), *h3 = bytes_of(w3, &n3);
        for (size_t b = 0; b < sizeof boxes_2d / sizeof *boxes_2d; ++b)
            load_and_expect(path2, h2, box_of(ctx, dt, 2, g2,
                                              boxes_2d[b].start,
                                              boxes_2d[b].shape),
                            boxes_2d[b].what);
        for (size_t b = 0; b < sizeof boxes_3d / sizeof *boxes_3d; ++b)
            load_and_expect(path3, h3, box_of(ctx, dt, 3, g3,
                                              boxes_3d[b].start,
                                              boxes_3d[b].shape),
                            boxes_3d[b].what);
        for (size_t r = 0; r < sizeof flats / sizeof *flats; ++r) {
            load_and_expect(path2, h2, flat_of(ctx, dt, 2, g2, flats[r][0],
                                               flats[r][1]), "flat of 2-D");
            load_and_expect(path3, h3, flat_of(ctx, dt, 3, g3, flats[r][0],
                                               flats[r][1]), "flat of 3-D");
        }
        free(h2);
        free(h3);
        gi_tensor_destroy(w2);
        gi_tensor_destroy(w3);
    }
    gi_context_destroy(ctx);
}

/* A file of the shard's own shape holds the shard alone (one file per
 * process): it loads whole, as an ordinary tensor does. */
Test(safetensors, a_shard_loads_whole_from_a_file_of_its_own_shape)
{
    gi_context ctx = any_context();
    const int64_t own[] = {3, 4}, global[] = {9, 4};
    gi_tensor part = random_tensor(ctx, GI_F32, 2, own);
    const char *path = st_path("part.safetensors");
    cr_assert_eq(gi_save_safetensors(path, 1, (const char *[]){"w"}, &part,
                                     0, NULL), GI_OK, "%s", gi_last_error());
    gi_tensor t = box_of(ctx, GI_F32, 2, global, (const int64_t[]){6, 0},
                         own);
    cr_assert_eq(gi_load_safetensors(path, 1, (const char *[]){"w"}, &t),
                 GI_OK, "%s", gi_last_error());
    expect_same_bytes(part, t, "the shard's own file");
    gi_tensor_destroy(t);
    gi_tensor_destroy(part);
    gi_context_destroy(ctx);
}

/* Device shards come through the host buffer (4 MiB): a column block of
 * 9.6 MB in rows of 3,200 bytes that straddle the buffer's ends, a row
 * block and a flat range at an odd start, each larger than the buffer. */
Test(safetensors, shards_larger_than_the_host_buffer)
{
    gi_context ctx = any_context();
    const int64_t global[] = {3000, 1000};
    gi_tensor w = random_tensor(ctx, GI_F32, 2, global);
    const char *path = st_path("large_shards.safetensors");
    cr_assert_eq(gi_save_safetensors(path, 1, (const char *[]){"w"}, &w, 0,
                                     NULL), GI_OK, "%s", gi_last_error());
    size_t n = 0;
    unsigned char *h = bytes_of(w, &n);
    load_and_expect(path, h, box_of(ctx, GI_F32, 2, global,
                                    (const int64_t[]){0, 100},
                                    (const int64_t[]){3000, 800}),
                    "columns 100..900");
    load_and_expect(path, h, box_of(ctx, GI_F32, 2, global,
                                    (const int64_t[]){1001, 0},
                                    (const int64_t[]){1499, 1000}),
                    "rows 1001..2500");
    load_and_expect(path, h, flat_of(ctx, GI_F32, 2, global, 123457,
                                     1500001), "a flat range");
    free(h);
    gi_tensor_destroy(w);
    gi_context_destroy(ctx);
}

/* A shard of another global shape (or an ordinary tensor of another
 * shape) is GI_ERR_SHAPE naming the tensor and both shapes, before any
 * tensor of the call is written. */
Test(safetensors, a_shard_of_another_global_shape_is_refused)
{
    gi_context ctx = any_context();
    const int64_t global[] = {6, 4};
    gi_tensor w = random_tensor(ctx, GI_F32, 2, global);
    const char *path = st_path("refuse.safetensors");
    cr_assert_eq(gi_save_safetensors(path, 1, (const char *[]){"w"}, &w, 0,
                                     NULL), GI_OK, "%s", gi_last_error());
    gi_tensor good = box_of(ctx, GI_F32, 2, global, (const int64_t[]){0, 0},
                            (const int64_t[]){3, 4});
    gi_tensor wrong = box_of(ctx, GI_F32, 2, (const int64_t[]){6, 5},
                             (const int64_t[]){3, 0},
                             (const int64_t[]){3, 4});
    gi_tensor flat = flat_of(ctx, GI_F32, 1, (const int64_t[]){24}, 12, 12);
    const gi_tensor bad[] = {wrong, flat};
    for (int k = 0; k < 2; ++k) {
        cr_assert_eq(gi_fill_(good, 7), GI_OK);
        cr_assert_eq(gi_fill_(bad[k], 7), GI_OK);
        const gi_tensor ts[] = {good, bad[k]};
        cr_expect_eq(gi_load_safetensors(path, 2, (const char *[]){"w", "w"},
                                         ts), GI_ERR_SHAPE);
        cr_expect(strstr(gi_last_error(), "tensor 'w' has shape [6, 4]") &&
                      strstr(gi_last_error(), k == 0 ? "global shape [6, 5]"
                                                     : "global shape [24]"),
                  "%s", gi_last_error());
        for (int i = 0; i < 2; ++i) {
            float *v = to_host(ts[i]);
            for (int64_t j = 0; j < gi_tensor_numel(ts[i]); ++j)
                cr_expect_eq(v[j], 7.0f, "a refused load wrote tensors[%d]",
                             i);
            free(v);
        }
    }
    gi_tensor plain = random_tensor(ctx, GI_F32, 2, (const int64_t[]){4, 6});
    cr_expect_eq(gi_load_safetensors(path, 1, (const char *[]){"w"}, &plain),
                 GI_ERR_SHAPE);
    cr_expect(strstr(gi_last_error(), "has shape [6, 4] in the file but "
                     "tensors[0] has [4, 6]"), "%s", gi_last_error());
    gi_tensor_destroy(plain);
    gi_tensor_destroy(flat);
    gi_tensor_destroy(wrong);
    gi_tensor_destroy(good);
    gi_tensor_destroy(w);
    gi_context_destroy(ctx);
}

/* A tensor-parallel part of a Linear loads from the whole Linear's file
 * (gi_module_load_safetensors): its rows, or its columns and the whole
 * bias. */
Test(safetensors, a_parallel_linear_loads_from_the_whole_linears_file)
{
    gi_context ctx = any_context();
    gi_module whole = NULL;
    cr_assert_eq(gi_linear_create(&whole, ctx, 6, 8, 1, GI_F32), GI_OK);
    const char *path = st_path("linear.safetensors");
    cr_assert_eq(gi_module_save_safetensors(whole, path, 0, NULL), GI_OK,
                 "%s", gi_last_error());
    size_t nw = 0, nb = 0;
    unsigned char *hw = bytes_of(gi_module_weight(whole), &nw);
    unsigned char *hb = bytes_of(gi_module_bias(whole), &nb);
    const gi_linear_split splits[] = {GI_LINEAR_COLUMN, GI_LINEAR_ROW};
    for (int k = 0; k < 2; ++k) {
        gi_module part = NULL;
        cr_assert_eq(gi_linear_create_parallel(&part, ctx, k == 0 ? 6 : 2,
                                               k == 0 ? 3 : 8, 1, GI_F32,
                                               splits[k], k == 0 ? 8 : 6, 3),
                     GI_OK, "%s", gi_last_error());
        cr_assert_eq(gi_fill_(gi_module_weight(part), 7), GI_OK);
        cr_assert_eq(gi_fill_(gi_module_bias(part), 7), GI_OK);
        cr_assert_eq(gi_module_load_safetensors(part, path), GI_OK, "%s",
                     gi_last_error());
        expect_shard_of(hw, gi_module_weight(part), "weight");
        expect_shard_of(hb, gi_module_bias(part), "bias");
        gi_module_destroy(part);
    }
    free(hw);
    free(hb);
    gi_module_destroy(whole);
    gi_context_destroy(ctx);
}
