/* Hostile safetensors files. Each row of the table is a crafted file (a
 * header's text with data bytes after it, or raw bytes from a generator),
 * the status opening and loading it must give, and a piece of text the
 * message must hold (the tensor and the field at fault). For every row:
 * gi_safetensors_open returns the status (GI_OK for rows whose file is
 * valid but cannot load) and writes no handle on failure, the message
 * names the function and the file, and gi_load_safetensors of tensor 'a'
 * into a float32 tensor of 2 elements returns the row's status and
 * writes nothing. A second test cuts a valid file at every length. */
#include "st_files.h"
#include "test_helpers.h"

#include <sys/stat.h>

/* Raw files: the generator writes path. */
typedef void (*make_fn)(const char *path);

typedef struct hostile_file {
    const char *tag;
    const char *json; /* the header text, padded to 8; NULL: make */
    size_t ndata;     /* zero bytes of data after the header */
    make_fn make;
    gi_status want;   /* of loading 'a' */
    const char *says;
} hostile_file;

/* The 8 bytes of a header size v and nothing else, or with n more. */
static void size_only(const char *path, uint64_t v, size_t n)
{
    unsigned char buf[64] = {0};
    for (int i = 0; i < 8; ++i)
        buf[i] = (unsigned char)(v >> (8 * i));
    memset(buf + 8, '{', n);
    st_write_bytes(path, buf, 8 + n);
}

static void empty_file(const char *p) { st_write_bytes(p, "", 0); }
static void seven_bytes(const char *p)
{
    st_write_bytes(p, "\x08\0\0\0\0\0\0", 7);
}
static void size_past_end(const char *p) { size_only(p, 1000, 40); }
static void size_above_limit(const char *p) { size_only(p, 100000001, 40); }
static void size_all_ones(const char *p) { size_only(p, UINT64_MAX, 40); }
static void size_zero(const char *p) { size_only(p, 0, 0); }
static void not_regular(const char *p) { cr_assert_eq(mkdir(p, 0700), 0); }
static void no_file(const char *p) { (void)p; }

/* Tensor a's valid entry, and the valid file's header. */
#define A_ENTRY "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}"
#define VALID "{" A_ENTRY "}"
/* A raw NUL in the header, which strlen would cut. */
static void raw_nul(const char *p)
{
    static const char h[] = "{\"a\":{\"dtype\":\"F32\",\"sha\0e\":[2],"
                            "\"data_offsets\":[0,8]}}   ";
    unsigned char buf[8 + sizeof h - 1 + 8] = {sizeof h - 1};
    memcpy(buf + 8, h, sizeof h - 1);
    st_write_bytes(p, buf, sizeof buf);
}

/* "{"a":[[[...]]]}" nested far beyond any parser's stack. */
static void deep_nesting(const char *p)
{
    enum { DEPTH = 200000 };
    char *json = malloc(2 * DEPTH + 16);
    cr_assert_not_null(json);
    size_t n = (size_t)sprintf(json, "{\"a\":");
    memset(json + n, '[', DEPTH);
    memset(json + n + DEPTH, ']', DEPTH);
    strcpy(json + n + 2 * DEPTH, "}");
    st_write_file(p, json, NULL, 0);
    free(json);
}

/* An entry of tensor a with the given fields, data 8 bytes. */
#define A(fields) "{\"a\":{" fields "}}"
#define DT "\"dtype\":\"F32\""
#define SH "\"shape\":[2]"
#define OF "\"data_offsets\":[0,8]"
#define AB(a, b) "{\"a\":{" a "},\"b\":{" b "}}"

static const hostile_file rows[] = {
    {"valid", VALID, 8, NULL, GI_OK, ""},
    {"valid_tab_padding", VALID "\t\n", 8, NULL, GI_OK, ""},
    {"empty_file", NULL, 0, empty_file, GI_ERR_FORMAT, "has 0 bytes"},
    {"seven_bytes", NULL, 0, seven_bytes, GI_ERR_FORMAT, "has 7 bytes"},
    {"size_past_end", NULL, 0, size_past_end, GI_ERR_FORMAT,
     "header size 1000 runs past the end"},
    {"size_above_limit", NULL, 0, size_above_limit, GI_ERR_FORMAT,
     "above the format's limit"},
    {"size_all_ones", NULL, 0, size_all_ones, GI_ERR_FORMAT,
     "header size 18446744073709551615 is above"},
    {"size_zero", NULL, 0, size_zero, GI_ERR_FORMAT, "does not start with"},
    {"data_truncated", VALID, 7, NULL, GI_ERR_FORMAT, "(truncated)"},
    {"trailing_bytes", VALID, 9, NULL, GI_ERR_FORMAT, "(trailing bytes)"},
    {"utf8_invalid_name", "{\"\xff\":{" DT "," SH "," OF "}}", 8, NULL,
     GI_ERR_FORMAT, "not valid JSON"},
    {"utf8_overlong", "{\"__metadata__\":{\"k\":\"\xc0\xaf\"}," DT "}", 0,
     NULL, GI_ERR_FORMAT, "not valid JSON"},
    {"utf8_surrogate", "{\"\xed\xa0\x80\":{" DT "," SH "," OF "}}", 8, NULL,
     GI_ERR_FORMAT, "not valid JSON"},
    {"json_cut", "{\"a\":{\"dtype\":", 8, NULL, GI_ERR_FORMAT,
     "not valid JSON"},
    {"json_trailing_garbage", VALID "x", 8, NULL, GI_ERR_FORMAT,
     "not valid JSON"},
    {"json_escaped_nul", "{\"a\\u0000\":{" DT "," SH "," OF "}}", 8, NULL,
     GI_ERR_FORMAT, "not valid JSON"},
    {"json_raw_nul", NULL, 0, raw_nul, GI_ERR_FORMAT, "not valid JSON"},
    {"deep_nesting", NULL, 0, deep_nesting, GI_ERR_FORMAT, "not valid JSON"},
    {"header_array", "[1,2]", 0, NULL, GI_ERR_FORMAT,
     "does not start with '{'"},
    {"header_string", "\"abc\"", 0, NULL, GI_ERR_FORMAT,
     "does not start with '{'"},
    {"header_leading_space", " " VALID, 8, NULL, GI_ERR_FORMAT,
     "does not start with '{'"},
    {"duplicate_name", "{\"a\":{" DT "," SH "," OF "},\"a\":{" DT "," SH
     ",\"data_offsets\":[8,16]}}", 16, NULL, GI_ERR_FORMAT, "duplicate"},
    {"duplicate_field", A(DT "," DT "," SH "," OF), 8, NULL, GI_ERR_FORMAT,
     "duplicate"},
    {"entry_not_object", "{\"a\":[0,8]}", 0, NULL, GI_ERR_FORMAT,
     "tensor 'a': its entry is not an object"},
    {"missing_dtype", A(SH "," OF), 8, NULL, GI_ERR_FORMAT,
     "tensor 'a': field 'dtype' is missing"},
    {"missing_shape", A(DT "," OF), 8, NULL, GI_ERR_FORMAT,
     "tensor 'a': field 'shape' is missing"},
    {"missing_offsets", A(DT "," SH), 8, NULL, GI_ERR_FORMAT,
     "tensor 'a': field 'data_offsets' is missing"},
    {"extra_field", A(DT "," SH "," OF ",\"extra\":1"), 8, NULL,
     GI_ERR_FORMAT, "tensor 'a': unknown field 'extra'"},
    {"dtype_unknown", A("\"dtype\":\"F128\"," SH "," OF), 8, NULL,
     GI_ERR_FORMAT, "field 'dtype' \"F128\" is not a safetensors dtype"},
    {"dtype_lower_case", A("\"dtype\":\"f32\"," SH "," OF), 8, NULL,
     GI_ERR_FORMAT, "field 'dtype' \"f32\""},
    {"dtype_number", A("\"dtype\":4," SH "," OF), 8, NULL, GI_ERR_FORMAT,
     "tensor 'a': field 'dtype' is not a string"},
    {"shape_not_array", A(DT ",\"shape\":{\"0\":2}," OF), 8, NULL,
     GI_ERR_FORMAT, "tensor 'a': field 'shape' is not an array"},
    {"shape_negative", A(DT ",\"shape\":[-2]," OF), 8, NULL, GI_ERR_FORMAT,
     "field 'shape': entry 0 is not an integer >= 0"},
    {"shape_fraction", A(DT ",\"shape\":[1,2.0]," OF), 8, NULL,
     GI_ERR_FORMAT, "field 'shape': entry 1 is not an integer >= 0"},
    {"shape_string", A(DT ",\"shape\":[\"2\"]," OF), 8, NULL, GI_ERR_FORMAT,
     "field 'shape': entry 0"},
    {"shape_nested", A(DT ",\"shape\":[[2]]," OF), 8, NULL, GI_ERR_FORMAT,
     "field 'shape': entry 0"},
    {"shape_above_int64", A(DT ",\"shape\":[99999999999999999999]," OF), 8,
     NULL, GI_ERR_FORMAT, "not valid JSON"},
    {"shape_product_overflows", A(DT ",\"shape\":[4294967296,4294967296]," OF),
     8, NULL, GI_ERR_FORMAT, "field 'shape': the number of elements "
     "overflows at entry 1"},
    {"shape_overflows_past_zero", A(DT ",\"shape\":[0,4294967296,"
     "4294967296],\"data_offsets\":[0,0]"), 0, NULL, GI_ERR_FORMAT,
     "overflows at entry 2"},
    {"shape_bytes_overflow", A(DT ",\"shape\":[2305843009213693952]," OF), 8,
     NULL, GI_ERR_FORMAT, "holds 2305843009213693952 elements of 4 bytes"},
    {"shape_mismatch", A(DT ",\"shape\":[3]," OF), 8, NULL, GI_ERR_FORMAT,
     "tensor 'a': field 'data_offsets' spans 8 bytes, but its shape holds "
     "3 elements"},
    {"offsets_not_array", A(DT "," SH ",\"data_offsets\":\"0,8\""), 8, NULL,
     GI_ERR_FORMAT, "tensor 'a': field 'data_offsets' is not an array"},
    {"offsets_one_entry", A(DT "," SH ",\"data_offsets\":[8]"), 8, NULL,
     GI_ERR_FORMAT, "field 'data_offsets' is not an array [begin, end]"},
    {"offsets_negative", A(DT "," SH ",\"data_offsets\":[-8,0]"), 8, NULL,
     GI_ERR_FORMAT, "field 'data_offsets': entry 0 is not an integer"},
    {"offsets_fraction", A(DT "," SH ",\"data_offsets\":[0,8.5]"), 8, NULL,
     GI_ERR_FORMAT, "field 'data_offsets': entry 1 is not an integer"},
    {"offsets_reversed", A(DT "," SH ",\"data_offsets\":[8,0]"), 8, NULL,
     GI_ERR_FORMAT, "[8, 0] ends before it begins"},
    {"offsets_overlap", AB(DT "," SH "," OF, DT "," SH
     ",\"data_offsets\":[4,12]"), 12, NULL, GI_ERR_FORMAT,
     "tensor 'b': field 'data_offsets' begins at 4, overlapping"},
    {"offsets_gap", AB(DT "," SH "," OF, DT "," SH
     ",\"data_offsets\":[12,20]"), 20, NULL, GI_ERR_FORMAT,
     "tensor 'b': field 'data_offsets' begins at 12, leaving a gap"},
    {"offsets_not_from_zero", A(DT "," SH ",\"data_offsets\":[8,16]"), 16,
     NULL, GI_ERR_FORMAT, "begins at 8, leaving a gap after the previous "
     "tensor's end at 0"},
    {"offsets_past_file", A(DT ",\"shape\":[1048576],\"data_offsets\":"
     "[0,4194304]"), 8, NULL, GI_ERR_FORMAT, "(truncated)"},
    {"metadata_not_object", "{\"__metadata__\":[\"x\"]," A_ENTRY "}", 8, NULL,
     GI_ERR_FORMAT, "'__metadata__' is not an object"},
    {"metadata_number_value", "{\"__metadata__\":{\"k\":1}," A_ENTRY "}", 8,
     NULL, GI_ERR_FORMAT, "the value of 'k' is not a string"},
    {"metadata_null_value", "{\"__metadata__\":{\"k\":null}," A_ENTRY "}", 8,
     NULL, GI_ERR_FORMAT, "the value of 'k' is not a string"},
    {"metadata_object_value", "{\"__metadata__\":{\"k\":{}}," A_ENTRY "}", 8,
     NULL, GI_ERR_FORMAT, "the value of 'k' is not a string"},
    {"dtype_i64", A("\"dtype\":\"I64\",\"shape\":[1]," OF), 8, NULL,
     GI_ERR_UNSUPPORTED, "tensor 'a' is of dtype I64, which ginit has no"},
    {"dtype_bool", A("\"dtype\":\"BOOL\",\"shape\":[8]," OF), 8, NULL,
     GI_ERR_UNSUPPORTED, "dtype BOOL"},
    {"rank_nine", A(DT ",\"shape\":[1,1,1,1,1,1,1,1,2]," OF), 8, NULL,
     GI_ERR_UNSUPPORTED, "tensor 'a' has 9 dimensions"},
    {"name_absent", "{\"b\":{" DT "," SH "," OF "}}", 8, NULL,
     GI_ERR_INVALID_ARGUMENT, "has no tensor named 'a'"},
    {"not_regular_file", NULL, 0, not_regular, GI_ERR_IO,
     "is not a regular file"},
    {"no_such_file", NULL, 0, no_file, GI_ERR_IO, "open: No such file"},
};

#define NROWS (sizeof rows / sizeof *rows)

/* The row's file, written fresh under its tag's name. */
static const char *make_row(const hostile_file *r)
{
    const char *path = st_path(r->tag);
    if (r->json == NULL) {
        r->make(path);
        return path;
    }
    unsigned char zeros[64] = {0};
    cr_assert_leq(r->ndata, sizeof zeros);
    st_write_file(path, r->json, zeros, r->ndata);
    return path;
}

static int opens(gi_status want)
{
    return want != GI_ERR_FORMAT && want != GI_ERR_IO;
}

static void expect_message(const hostile_file *r, const char *fn,
                           const char *path)
{
    const char *msg = gi_last_error();
    size_t n = strlen(fn);
    cr_expect(strncmp(msg, fn, n) == 0 && msg[n] == ':', "%s: \"%s\"",
              r->tag, msg);
    cr_expect(strstr(msg, path) != NULL, "%s: the message does not name the "
              "file: \"%s\"", r->tag, msg);
    cr_expect(strstr(msg, r->says) != NULL, "%s: \"%s\" lacks \"%s\"",
              r->tag, msg, r->says);
}

static void check_row(const hostile_file *r, gi_context ctx)
{
    char path[4200];
    snprintf(path, sizeof path, "%s", make_row(r));
    gi_safetensors sentinel = (gi_safetensors)(void *)&sentinel, f = sentinel;
    gi_status want_open = opens(r->want) ? GI_OK : r->want;
    gi_status st = gi_safetensors_open(&f, path);
    cr_expect_eq(st, want_open, "%s: open returned %s: %s", r->tag,
                 gi_status_name(st), gi_last_error());
    if (st != GI_OK) {
        cr_expect(f == sentinel, "%s: a failed open wrote *out", r->tag);
        expect_message(r, "gi_safetensors_open", path);
    } else {
        gi_safetensors_close(f);
    }

    gi_tensor t = new_vector(ctx, 2);
    fill_iota(t);
    st = gi_load_safetensors(path, 1, (const char *[]){"a"}, &t);
    cr_expect_eq(st, r->want, "%s: load returned %s: %s", r->tag,
                 gi_status_name(st), gi_last_error());
    if (st != GI_OK) {
        expect_message(r, "gi_load_safetensors", path);
        expect_iota(t);
    }
    gi_tensor_destroy(t);
}

Test(safetensors_hostile, every_crafted_file_gives_its_status)
{
    gi_context ctx = any_context();
    size_t counts[32] = {0};
    for (size_t i = 0; i < NROWS; ++i) {
        check_row(&rows[i], ctx);
        counts[rows[i].want]++;
    }
    cr_log_info("%zu crafted files: %zu valid, %zu GI_ERR_FORMAT, %zu "
                "GI_ERR_UNSUPPORTED, %zu GI_ERR_INVALID_ARGUMENT, %zu "
                "GI_ERR_IO", NROWS, counts[GI_OK], counts[GI_ERR_FORMAT],
                counts[GI_ERR_UNSUPPORTED], counts[GI_ERR_INVALID_ARGUMENT],
                counts[GI_ERR_IO]);
    gi_context_destroy(ctx);
}

/* Tags are unique (each names its file). */
Test(safetensors_hostile, tags_are_unique)
{
    for (size_t i = 0; i < NROWS; ++i)
        for (size_t j = i + 1; j < NROWS; ++j)
            cr_expect_str_neq(rows[i].tag, rows[j].tag);
}

/* A valid file of two tensors and metadata, cut at every length short of
 * its own: each is GI_ERR_FORMAT, and loading it writes nothing. */
Test(safetensors_hostile, a_file_cut_anywhere_is_malformed)
{
    gi_context ctx = cpu_context();
    gi_tensor a = new_vector(ctx, 2), b = new_vector(ctx, 3);
    fill_iota(a);
    fill_iota(b);
    const char *full = st_path("full.safetensors");
    cr_assert_eq(gi_save_safetensors(full, 2, (const char *[]){"a", "b"},
                                     (const gi_tensor[]){a, b}, 1,
                                     &(gi_metadata){"format", "pt"}), GI_OK);
    size_t size = 0;
    unsigned char *bytes = st_read_bytes(full, &size);
    char cut[4200];
    snprintf(cut, sizeof cut, "%s", st_path("cut.safetensors"));
    cr_assert_eq(gi_fill_(a, 9), GI_OK);
    for (size_t n = 0; n < size; ++n) {
        st_write_bytes(cut, bytes, n);
        gi_status st = gi_load_safetensors(cut, 2, (const char *[]){"a", "b"},
                                           (const gi_tensor[]){a, b});
        cr_expect_eq(st, GI_ERR_FORMAT, "cut at %zu of %zu: %s: %s", n, size,
                     gi_status_name(st), gi_last_error());
        cr_expect(strstr(gi_last_error(), cut) != NULL, "%s",
                  gi_last_error());
        expect_iota(b);
        float *h = to_host(a);
        cr_expect(h[0] == 9 && h[1] == 9, "cut at %zu: a was written", n);
        free(h);
    }
    free(bytes);
    gi_tensor_destroy(b);
    gi_tensor_destroy(a);
    gi_context_destroy(ctx);
}
