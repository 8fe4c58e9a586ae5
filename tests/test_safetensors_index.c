/* Sharded checkpoints in Hugging Face's layout: model.safetensors.index.json
 * beside the files it names. Loads through the index equal loads of the
 * files; tree loads are strict; every file is checked before any tensor
 * is written; and a table of hostile indexes is refused, each with its
 * status and a message naming the field, writing nothing. */
#include "st_files.h"
#include "test_helpers.h"

#include <sys/stat.h>

/* Child c of a Sequential. */
static gi_module child(gi_module m, int64_t c)
{
    gi_module out = NULL;
    cr_assert_eq(gi_module_child(m, c, &out), GI_OK);
    return out;
}

/* Two files of a Linear(3, 2) -> Linear(2, 1) tree's parameters, as a
 * checkpoint split in two, and their index. */
static gi_module make_tree(gi_context ctx, uint64_t seed)
{
    gi_module a = NULL, r = NULL, b = NULL, seq = NULL;
    cr_assert_eq(gi_manual_seed(ctx, seed), GI_OK);
    cr_assert_eq(gi_linear_create(&a, ctx, 3, 2, 1, GI_F32), GI_OK);
    cr_assert_eq(gi_relu_create(&r, ctx), GI_OK);
    cr_assert_eq(gi_linear_create(&b, ctx, 2, 1, 1, GI_F32), GI_OK);
    cr_assert_eq(gi_sequential_create(&seq, ctx, 3,
                                      (gi_module[]){a, r, b}), GI_OK);
    return seq;
}

static const char INDEX[] =
    "{\"metadata\": {\"total_size\": 44}, \"weight_map\": {"
    "\"0.weight\": \"model-00001-of-00002.safetensors\", "
    "\"0.bias\": \"model-00001-of-00002.safetensors\", "
    "\"2.weight\": \"model-00002-of-00002.safetensors\", "
    "\"2.bias\": \"model-00002-of-00002.safetensors\"}}";

/* The tree's parameters saved over two files, and INDEX beside them. */
static const char *save_split(gi_module m)
{
    gi_tensor w0 = gi_module_weight(child(m, 0));
    gi_tensor b0 = gi_module_bias(child(m, 0));
    gi_tensor w2 = gi_module_weight(child(m, 2));
    gi_tensor b2 = gi_module_bias(child(m, 2));
    char first[4200];
    snprintf(first, sizeof first, "%s",
             st_path("model-00001-of-00002.safetensors"));
    cr_assert_eq(gi_save_safetensors(first, 2,
                                     (const char *[]){"0.weight", "0.bias"},
                                     (const gi_tensor[]){w0, b0}, 0, NULL),
                 GI_OK, "%s", gi_last_error());
    cr_assert_eq(gi_save_safetensors(
                     st_path("model-00002-of-00002.safetensors"), 2,
                     (const char *[]){"2.weight", "2.bias"},
                     (const gi_tensor[]){w2, b2}, 0, NULL),
                 GI_OK, "%s", gi_last_error());
    static char index[4200];
    snprintf(index, sizeof index, "%s",
             st_path("model.safetensors.index.json"));
    st_write_bytes(index, INDEX, strlen(INDEX));
    return index;
}

static void expect_same_tree(gi_module a, gi_module b)
{
    for (int c = 0; c < 3; c += 2)
        for (int k = 0; k < 2; ++k) {
            gi_tensor x = k ? gi_module_bias(child(a, c))
                            : gi_module_weight(child(a, c));
            gi_tensor y = k ? gi_module_bias(child(b, c))
                            : gi_module_weight(child(b, c));
            float u[6], v[6];
            size_t n = (size_t)gi_tensor_numel(x) * sizeof(float);
            cr_assert_eq(gi_tensor_copy_to_host(x, u, n), GI_OK);
            cr_assert_eq(gi_tensor_copy_to_host(y, v, n), GI_OK);
            cr_expect(memcmp(u, v, n) == 0, "child %d param %d", c, k);
        }
}

Test(safetensors_index, a_tree_loads_through_the_index)
{
    gi_context ctx = any_context();
    gi_module saved = make_tree(ctx, 1), loaded = make_tree(ctx, 2);
    const char *index = save_split(saved);
    gi_safetensors_index x = NULL;
    cr_assert_eq(gi_safetensors_index_open(&x, index), GI_OK, "%s",
                 gi_last_error());
    cr_expect_eq(gi_safetensors_index_count(x), 4);
    cr_expect_str_eq(gi_safetensors_index_name(x, 2), "2.weight");
    cr_expect_null(gi_safetensors_index_name(x, 4));
    cr_expect_null(gi_safetensors_index_name(x, -1));
    cr_expect_str_eq(gi_safetensors_index_file(x, "0.bias"),
                     st_path("model-00001-of-00002.safetensors"));
    cr_expect_null(gi_safetensors_index_file(x, "1.weight"));
    gi_safetensors_index_close(x);
    cr_assert_eq(gi_module_load_safetensors_index(loaded, index), GI_OK,
                 "%s", gi_last_error());
    expect_same_tree(saved, loaded);
    gi_module_destroy(saved);
    gi_module_destroy(loaded);
    gi_context_destroy(ctx);
}

Test(safetensors_index, tensors_load_by_name_from_their_files)
{
    gi_context ctx = any_context();
    gi_module saved = make_tree(ctx, 3);
    const char *index = save_split(saved);
    gi_tensor w2 = NULL, b0 = NULL;
    cr_assert_eq(gi_tensor_create(&w2, ctx, GI_F32, 2, (int64_t[]){1, 2}),
                 GI_OK);
    cr_assert_eq(gi_tensor_create(&b0, ctx, GI_F32, 1, (int64_t[]){2}),
                 GI_OK);
    cr_assert_eq(gi_load_safetensors_index(index, 3,
                                           (const char *[]){"2.weight",
                                                            "0.bias",
                                                            "2.weight"},
                                           (const gi_tensor[]){w2, b0, w2}),
                 GI_OK, "%s", gi_last_error());
    float got[2], want[2];
    cr_assert_eq(gi_tensor_copy_to_host(w2, got, sizeof got), GI_OK);
    cr_assert_eq(gi_tensor_copy_to_host(
                     gi_module_weight(child(saved, 2)), want,
                     sizeof want), GI_OK);
    cr_expect(memcmp(got, want, sizeof got) == 0);
    cr_assert_eq(gi_load_safetensors_index(index, 0, NULL, NULL), GI_OK);
    gi_tensor_destroy(w2);
    gi_tensor_destroy(b0);
    gi_module_destroy(saved);
    gi_context_destroy(ctx);
}

/* A failure in the second file leaves the first file's tensors as they
 * were; strict tree loads name the keys. */
Test(safetensors_index, every_file_is_checked_before_any_write)
{
    gi_context ctx = any_context();
    gi_module saved = make_tree(ctx, 4), target = make_tree(ctx, 5),
              before = make_tree(ctx, 5);
    const char *index = save_split(saved);
    /* The second file's 2.bias becomes float64. */
    gi_tensor w2 = gi_module_weight(child(saved, 2)), b64 = NULL;
    cr_assert_eq(gi_tensor_create(&b64, ctx, GI_F64, 1, (int64_t[]){1}),
                 GI_OK);
    cr_assert_eq(gi_save_safetensors(
                     st_path("model-00002-of-00002.safetensors"), 2,
                     (const char *[]){"2.weight", "2.bias"},
                     (const gi_tensor[]){w2, b64}, 0, NULL), GI_OK);
    cr_expect_eq(gi_module_load_safetensors_index(target, index),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect(strstr(gi_last_error(), "2.bias") != NULL, "%s",
              gi_last_error());
    expect_same_tree(target, before);
    /* An index naming one tensor less, and one more. */
    static const char fewer[] =
        "{\"weight_map\": {"
        "\"0.weight\": \"model-00001-of-00002.safetensors\", "
        "\"0.bias\": \"model-00001-of-00002.safetensors\", "
        "\"2.weight\": \"model-00002-of-00002.safetensors\", "
        "\"3.bias\": \"model-00002-of-00002.safetensors\"}}";
    st_write_bytes(index, fewer, strlen(fewer));
    cr_expect_eq(gi_module_load_safetensors_index(target, index),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect(strstr(gi_last_error(), "missing key(s): \"2.bias\"; "
                                      "unexpected key(s): \"3.bias\"") !=
                  NULL, "%s", gi_last_error());
    expect_same_tree(target, before);
    gi_tensor_destroy(b64);
    gi_module_destroy(saved);
    gi_module_destroy(target);
    gi_module_destroy(before);
    gi_context_destroy(ctx);
}

typedef struct hostile_index {
    const char *tag;
    const char *json; /* NULL: the row's path is a directory */
    gi_status want;
    const char *says;
    int opens; /* the index is valid: the load fails on its files */
} hostile_index;

#define F1 "\"model-00001-of-00002.safetensors\""
static const hostile_index HOSTILE[] = {
    {"empty", "", GI_ERR_FORMAT, "not valid JSON", 0},
    {"not_json", "{weight_map: 1}", GI_ERR_FORMAT, "not valid JSON", 0},
    {"cut", "{\"weight_map\": {\"a\": " F1, GI_ERR_FORMAT, "not valid JSON", 0},
    {"array", "[1, 2]", GI_ERR_FORMAT, "not a JSON object", 0},
    {"string", "\"weight_map\"", GI_ERR_FORMAT, "not valid JSON", 0},
    {"no_map", "{\"metadata\": {}}", GI_ERR_FORMAT, "'weight_map' is missing", 0},
    {"map_array", "{\"weight_map\": [" F1 "]}", GI_ERR_FORMAT,
     "'weight_map' is not an object", 0},
    {"map_null", "{\"weight_map\": null}", GI_ERR_FORMAT,
     "'weight_map' is not an object", 0},
    {"value_number", "{\"weight_map\": {\"0.bias\": 1}}", GI_ERR_FORMAT,
     "weight_map['0.bias'] is not a string", 0},
    {"value_null", "{\"weight_map\": {\"0.bias\": null}}", GI_ERR_FORMAT,
     "weight_map['0.bias'] is not a string", 0},
    {"parent_dir", "{\"weight_map\": {\"0.bias\": \"../x.safetensors\"}}",
     GI_ERR_FORMAT, "'../x.safetensors' is not a file name", 0},
    {"absolute", "{\"weight_map\": {\"0.bias\": \"/etc/passwd\"}}",
     GI_ERR_FORMAT, "'/etc/passwd' is not a file name", 0},
    {"subdir", "{\"weight_map\": {\"0.bias\": \"a/b\"}}", GI_ERR_FORMAT,
     "is not a file name", 0},
    {"dot", "{\"weight_map\": {\"0.bias\": \".\"}}", GI_ERR_FORMAT,
     "'.' is not a file name", 0},
    {"dotdot", "{\"weight_map\": {\"0.bias\": \"..\"}}", GI_ERR_FORMAT,
     "'..' is not a file name", 0},
    {"empty_file", "{\"weight_map\": {\"0.bias\": \"\"}}", GI_ERR_FORMAT,
     "'' is not a file name", 0},
    {"empty_name", "{\"weight_map\": {\"\": " F1 "}}", GI_ERR_FORMAT,
     "empty tensor name", 0},
    {"duplicate", "{\"weight_map\": {\"0.bias\": " F1 ", \"0.bias\": " F1
                  "}}", GI_ERR_FORMAT, "not valid JSON", 0},
    {"duplicate_top", "{\"weight_map\": {}, \"weight_map\": {}}",
     GI_ERR_FORMAT, "not valid JSON", 0},
    {"nul_escape", "{\"weight_map\": {\"0.b\\u0000ias\": " F1 "}}",
     GI_ERR_FORMAT, "not valid JSON", 0},
    {"bad_utf8", "{\"weight_map\": {\"\xc3\x28\": " F1 "}}", GI_ERR_FORMAT,
     "not valid JSON", 0},
    {"meta_array", "{\"metadata\": [], \"weight_map\": {}}", GI_ERR_FORMAT,
     "'metadata' is not an object", 0},
    {"total_negative", "{\"metadata\": {\"total_size\": -1}, "
                       "\"weight_map\": {}}", GI_ERR_FORMAT,
     "'metadata.total_size'", 0},
    {"total_fraction", "{\"metadata\": {\"total_size\": 4.5}, "
                       "\"weight_map\": {}}", GI_ERR_FORMAT,
     "'metadata.total_size'", 0},
    {"total_string", "{\"metadata\": {\"total_size\": \"44\"}, "
                     "\"weight_map\": {}}", GI_ERR_FORMAT,
     "'metadata.total_size'", 0},
    {"missing_file", "{\"weight_map\": {\"0.bias\": \"none.safetensors\"}}",
     GI_ERR_IO, "none.safetensors", 1},
    {"index_is_file_itself", "{\"weight_map\": {\"0.bias\": "
                             "\"model.safetensors.index.json\"}}",
     GI_ERR_FORMAT, "model.safetensors.index.json", 1},
    {"name_not_in_file", "{\"weight_map\": {\"0.bias\": "
                         "\"model-00002-of-00002.safetensors\"}}",
     GI_ERR_INVALID_ARGUMENT, "no tensor named '0.bias'", 1},
    {"directory", NULL, GI_ERR_IO, "not a regular file", 0},
};

static void nest(char *buf, size_t depth)
{
    size_t at = (size_t)sprintf(buf, "{\"weight_map\": {}, \"x\": ");
    memset(buf + at, '[', depth);
    memset(buf + at + depth, ']', depth);
    strcpy(buf + at + 2 * depth, "}");
}

/* Loading 0.bias (2 floats) through a hostile index writes nothing. */
static void expect_refused(gi_context ctx, const char *path, gi_status want,
                           const char *says, int opens, const char *tag)
{
    gi_safetensors_index x = (gi_safetensors_index)0x1;
    gi_status st = gi_safetensors_index_open(&x, path);
    if (opens) {
        cr_expect_eq(st, GI_OK, "%s: open gave %s (%s)", tag,
                     gi_status_name(st), gi_last_error());
        if (st == GI_OK)
            gi_safetensors_index_close(x);
    } else {
        cr_expect_eq(st, want, "%s: open gave %s (%s)", tag,
                     gi_status_name(st), gi_last_error());
        cr_expect_eq(x, (gi_safetensors_index)0x1, "%s: handle written",
                     tag);
    }
    gi_tensor b = NULL;
    cr_assert_eq(gi_tensor_create(&b, ctx, GI_F32, 1, (int64_t[]){2}), GI_OK);
    cr_assert_eq(gi_fill_(b, 7), GI_OK);
    st = gi_load_safetensors_index(path, 1, (const char *[]){"0.bias"}, &b);
    cr_expect_eq(st, want, "%s: load gave %s (%s)", tag, gi_status_name(st),
                 gi_last_error());
    cr_expect(strstr(gi_last_error(), says) != NULL, "%s: message '%s' "
              "lacks '%s'", tag, gi_last_error(), says);
    float v[2];
    cr_assert_eq(gi_tensor_copy_to_host(b, v, sizeof v), GI_OK);
    cr_expect(v[0] == 7 && v[1] == 7, "%s: the tensor was written", tag);
    gi_tensor_destroy(b);
}

Test(safetensors_index, hostile_indexes_are_refused)
{
    gi_context ctx = any_context();
    gi_module saved = make_tree(ctx, 6);
    save_split(saved);
    for (size_t i = 0; i < sizeof HOSTILE / sizeof HOSTILE[0]; ++i) {
        const hostile_index *h = &HOSTILE[i];
        char name[64];
        snprintf(name, sizeof name, "%s.index.json", h->tag);
        char path[4200];
        snprintf(path, sizeof path, "%s", st_path(name));
        if (h->json == NULL)
            cr_assert_eq(mkdir(path, 0700), 0);
        else
            st_write_bytes(path, h->json, strlen(h->json));
        expect_refused(ctx, path, h->want, h->says, h->opens, h->tag);
    }
    /* Nesting far deeper than any index has. */
    size_t depth = 100000;
    char *deep = malloc(2 * depth + 64);
    nest(deep, depth);
    char path[4200];
    snprintf(path, sizeof path, "%s", st_path("deep.index.json"));
    st_write_bytes(path, deep, strlen(deep));
    free(deep);
    expect_refused(ctx, path, GI_ERR_FORMAT, "not valid JSON", 0, "deep");
    expect_refused(ctx, st_path("absent.index.json"), GI_ERR_IO,
                   "absent.index.json", 0, "absent");
    gi_module_destroy(saved);
    gi_context_destroy(ctx);
}
