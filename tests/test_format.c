/* gi_format_tensor_host and gi_format_size against PyTorch's own output
 * (tests/data/format_cases.txt, written by tests/gen_format_cases.py) for
 * every dtype, and the reader protocol gi_tensor_print relies on. */
#define _POSIX_C_SOURCE 200809L /* getline: data lines exceed a fixed buffer */

#include <criterion/criterion.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "print/format.h"
#include "core/internal.h"

#define CASES_PATH GINIT_TEST_DATA_DIR "/format_cases.txt"

/* The generator writes 1070 cases, over 250 per dtype; far fewer means a
 * stale or broken file. */
#define MIN_CASES 1000
#define MIN_CASES_PER_DTYPE 250

typedef struct format_case {
    int number;
    int is_size; /* "size" case: gi_format_size, else gi_format_tensor_host */
    gi_dtype dtype;
    int ndim;
    int64_t shape[GI_MAX_DIMS];
    char *suffix;         /* NULL when none */
    unsigned char *data;  /* numel raw elements, NULL when empty */
    char *expected; /* the repr lines joined by '\n' */
} format_case;

typedef struct case_file {
    format_case *cases;
    int count;
    int declared; /* from the closing "cases N" line; -1 until seen */
} case_file;

static char *copy_string(const char *s)
{
    char *copy = malloc(strlen(s) + 1);
    cr_assert_not_null(copy);
    return strcpy(copy, s);
}

static int64_t case_numel(const format_case *c)
{
    int64_t n = 1;
    for (int d = 0; d < c->ndim; d++)
        n *= c->shape[d];
    return n;
}

/* "float64" to GI_F64, as gi_dtype_name names them. */
static gi_dtype parse_dtype(const char *name)
{
#define GI_DTYPE_MATCH_(id, value, text, torch, size, code)                   \
    if (strcmp(name, text) == 0)                                              \
        return id;
    GI_DTYPE_LIST(GI_DTYPE_MATCH_)
#undef GI_DTYPE_MATCH_
    cr_assert_fail("unknown dtype %s", name);
    return GI_F32;
}

/* "case <n> tensor <dtype> <ndim> <dims...>", "case <n> size <ndim> ..." */
static void parse_header(format_case *c, const char *line)
{
    char kind[16], dtype[16];
    int used = 0;
    cr_assert_eq(sscanf(line, "case %d %15s%n", &c->number, kind, &used), 2,
                 "bad header: %s", line);
    c->is_size = strcmp(kind, "size") == 0;
    cr_assert(c->is_size || strcmp(kind, "tensor") == 0, "bad kind: %s", line);
    const char *p = line + used;
    if (!c->is_size) {
        cr_assert_eq(sscanf(p, "%15s%n", dtype, &used), 1, "no dtype: %s",
                     line);
        c->dtype = parse_dtype(dtype);
        p += used;
    }
    cr_assert_eq(sscanf(p, "%d%n", &c->ndim, &used), 1, "no ndim: %s", line);
    cr_assert(c->ndim >= 0 && c->ndim <= GI_MAX_DIMS, "bad ndim: %s", line);
    p += used;
    for (int d = 0; d < c->ndim; d++) {
        char *end;
        c->shape[d] = strtoll(p, &end, 10);
        cr_assert(end != p, "missing size in: %s", line);
        p = end;
    }
}

/* One element's bits into its bytes, in the machine's order. */
static void store_bits(unsigned char *at, gi_dtype dtype, uint64_t bits)
{
    uint16_t b16 = (uint16_t)bits;
    uint32_t b32 = (uint32_t)bits;
    switch (gi_dtype_size(dtype)) {
    case 2: memcpy(at, &b16, 2); break;
    case 4: memcpy(at, &b32, 4); break;
    default: memcpy(at, &bits, 8); break;
    }
}

/* "data <h0> <h1> ...": bit patterns of the dtype, exactly numel of them,
 * each no wider than the dtype. */
static void parse_data(format_case *c, const char *line)
{
    int64_t numel = case_numel(c);
    size_t size = gi_dtype_size(c->dtype);
    if (numel > 0) {
        c->data = malloc((size_t)numel * size);
        cr_assert_not_null(c->data);
    }
    const char *p = line + strlen("data");
    for (int64_t i = 0; i < numel; i++) {
        char *end;
        unsigned long long bits = strtoull(p, &end, 16);
        cr_assert(end != p, "case %d: only %" PRId64 " of %" PRId64 " values",
                  c->number, i, numel);
        cr_assert(size == 8 || bits >> (8 * size) == 0,
                  "case %d: value %" PRId64 " is too wide", c->number, i);
        store_bits(c->data + (size_t)i * size, c->dtype, bits);
        p = end;
    }
    cr_assert(strspn(p, " ") == strlen(p), "case %d: extra values",
              c->number);
}

static void append_expected(format_case *c, const char *text)
{
    size_t old = c->expected ? strlen(c->expected) : 0;
    char *s = realloc(c->expected, old + strlen(text) + 2);
    cr_assert_not_null(s);
    if (old > 0)
        s[old++] = '\n';
    strcpy(s + old, text);
    c->expected = s;
}

static void add_case(case_file *f, const format_case *c)
{
    cr_assert_not_null(c->expected, "case %d: no expected text", c->number);
    format_case *cases = realloc(f->cases, (f->count + 1) * sizeof *cases);
    cr_assert_not_null(cases);
    f->cases = cases;
    f->cases[f->count++] = *c;
}

/* One line of the file, applied to the case being read. */
static void parse_line(case_file *f, format_case *c, char *line)
{
    line[strcspn(line, "\n")] = '\0';
    if (line[0] == '#' || line[0] == '\0')
        return;
    if (strncmp(line, "case ", 5) == 0) {
        *c = (format_case){0};
        parse_header(c, line);
    } else if (strncmp(line, "suffix ", 7) == 0) {
        c->suffix = copy_string(line + 7);
    } else if (strncmp(line, "data", 4) == 0) {
        parse_data(c, line);
    } else if (line[0] == '|') {
        append_expected(c, line + 1);
    } else if (strcmp(line, "end") == 0) {
        add_case(f, c);
        *c = (format_case){0};
    } else {
        cr_assert_eq(sscanf(line, "cases %d", &f->declared), 1,
                     "unexpected line: %s", line);
    }
}

static case_file load_cases(void)
{
    FILE *in = fopen(CASES_PATH, "r");
    cr_assert_not_null(in, "cannot open %s", CASES_PATH);
    case_file f = {NULL, 0, -1};
    format_case current = {0};
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, in) != -1)
        parse_line(&f, &current, line);
    free(line);
    fclose(in);
    return f;
}

static void free_cases(case_file *f)
{
    for (int i = 0; i < f->count; i++) {
        free(f->cases[i].suffix);
        free(f->cases[i].data);
        free(f->cases[i].expected);
    }
    free(f->cases);
}

static char *format_case_text(const format_case *c)
{
    char *got = NULL;
    gi_status status =
        c->is_size ? gi_format_size(c->ndim, c->shape, &got)
                   : gi_format_tensor_host(c->dtype, c->data, c->ndim,
                                           c->shape, c->suffix, &got);
    cr_assert_eq(status, GI_OK, "case %d: status %d", c->number, status);
    cr_assert_not_null(got);
    return got;
}

Test(format, matches_pytorch)
{
    case_file f = load_cases();
    int failures = 0;
    for (int i = 0; i < f.count; i++) {
        const format_case *c = &f.cases[i];
        char *got = format_case_text(c);
        if (strcmp(got, c->expected) != 0) {
            failures++;
            cr_log_error("case %d differs\n--- got:\n%s\n--- want:\n%s",
                         c->number, got, c->expected);
        }
        free(got);
    }
    free_cases(&f);
    cr_expect_eq(failures, 0, "%d case(s) differ from PyTorch", failures);
}

Test(format, case_file_is_complete)
{
    case_file f = load_cases();
    int count = f.count, declared = f.declared;
    int per_dtype[GI_BF16 + 1] = {0};
    for (int i = 0; i < f.count; i++)
        per_dtype[f.cases[i].dtype] += !f.cases[i].is_size;
    free_cases(&f);
    cr_expect_eq(count, declared, "read %d cases, the file declares %d",
                 count, declared);
    cr_expect_geq(count, MIN_CASES, "only %d cases in %s", count, CASES_PATH);
    for (int d = GI_F32; d <= GI_BF16; d++)
        cr_expect_geq(per_dtype[d], MIN_CASES_PER_DTYPE, "only %d %s cases",
                      per_dtype[d], gi_dtype_name((gi_dtype)d));
}

static void expect_typed(gi_dtype dtype, const void *data, int ndim,
                         const int64_t *shape, const char *suffix,
                         const char *want)
{
    char *got = NULL;
    cr_assert_eq(gi_format_tensor_host(dtype, data, ndim, shape, suffix,
                                       &got), GI_OK);
    cr_expect_str_eq(got, want);
    free(got);
}

static void expect_format(const float *data, int ndim, const int64_t *shape,
                          const char *suffix, const char *want)
{
    expect_typed(GI_F32, data, ndim, shape, suffix, want);
}

/* Checked by hand against _str_intern and _add_suffixes: the device comes
 * first, before an empty tensor's size; a suffix moves to its own line when
 * len(last line) + 2 + len(suffix) + 2 > 80, which is one character sooner
 * than the text would actually reach column 80. */
Test(format, device_suffix)
{
    static const float v[] = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    const char *dev = "device='cuda:0'";
    expect_format(v, 1, (int64_t[]){2}, dev,
                  "tensor([10., 11.], device='cuda:0')");
    expect_format(v, 2, (int64_t[]){2, 2}, dev,
                  "tensor([[10., 11.],\n"
                  "        [12., 13.]], device='cuda:0')");
    expect_format(v, 1, (int64_t[]){10}, dev,
                  "tensor([10., 11., 12., 13., 14., 15., 16., 17., 18., 19.], "
                  "device='cuda:0')");
    expect_format(v, 1, (int64_t[]){11}, dev,
                  "tensor([10., 11., 12., 13., 14., 15., 16., 17., 18., 19., "
                  "20.],\n"
                  "       device='cuda:0')");
    expect_format(NULL, 2, (int64_t[]){0, 3}, dev,
                  "tensor([], device='cuda:0', size=(0, 3))");
    expect_format(NULL, 1, (int64_t[]){0}, dev,
                  "tensor([], device='cuda:0')");
    expect_format(v, 0, NULL, dev, "tensor(10., device='cuda:0')");
}

/* _str_intern's order, device, size, dtype, with a dtype suffix that
 * moves to its own line by the same rule as the others. */
Test(format, dtype_suffix_comes_last)
{
    static const double v[] = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    const char *dev = "device='cuda:0'";
    expect_typed(GI_F64, NULL, 2, (int64_t[]){0, 3}, dev,
                 "tensor([], device='cuda:0', size=(0, 3), "
                 "dtype=torch.float64)");
    expect_typed(GI_F16, NULL, 1, (int64_t[]){0}, NULL,
                 "tensor([], dtype=torch.float16)");
    expect_typed(GI_F64, v, 1, (int64_t[]){2}, dev,
                 "tensor([10., 11.], device='cuda:0', dtype=torch.float64)");
    expect_typed(GI_F64, v, 1, (int64_t[]){10}, dev,
                 "tensor([10., 11., 12., 13., 14., 15., 16., 17., 18., 19.], "
                 "device='cuda:0',\n"
                 "       dtype=torch.float64)");
}

/* Element k's double overwrites the raw bytes of elements k and above
 * only, so widening in place keeps every value, for every element size. */
Test(format, widen_in_place)
{
    double buf[5];
    const double f64[5] = {1.5, -0.0, 1e300, 5e-324, -2.25};
    memcpy(buf, f64, sizeof f64);
    gi_format_widen(GI_F64, buf, 5);
    cr_expect_arr_eq(buf, f64, sizeof f64);
    const float f32[5] = {1.5f, -0.0f, 3.4e38f, 1e-45f, -2.25f};
    memcpy(buf, f32, sizeof f32);
    gi_format_widen(GI_F32, buf, 5);
    for (int k = 0; k < 5; k++)
        cr_expect(buf[k] == (double)f32[k] && !signbit(buf[k]) ==
                  !signbit(f32[k]), "float32 element %d: %g", k, buf[k]);
    /* 1.5, -0, 65504, the smallest subnormal, -2.25 */
    const uint16_t f16[5] = {0x3e00, 0x8000, 0x7bff, 0x0001, 0xc080};
    const double f16_want[5] = {1.5, -0.0, 65504.0, 0x1p-24, -2.25};
    memcpy(buf, f16, sizeof f16);
    gi_format_widen(GI_F16, buf, 5);
    cr_expect_arr_eq(buf, f16_want, sizeof f16_want);
    /* 1.5, -0, the largest finite, the smallest subnormal, -2.25 */
    const uint16_t bf16[5] = {0x3fc0, 0x8000, 0x7f7f, 0x0001, 0xc010};
    const double bf16_want[5] = {1.5, -0.0, 0x1.fep127, 0x1p-133, -2.25};
    memcpy(buf, bf16, sizeof bf16);
    gi_format_widen(GI_BF16, buf, 5);
    cr_expect_arr_eq(buf, bf16_want, sizeof bf16_want);
}

Test(format, rejects_broken_calls)
{
    static const float v[] = {1};
    char *got = (char *)"untouched";
    cr_expect_eq(gi_format_tensor_host(GI_F32, v, 0, NULL, NULL, NULL),
                 GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_format_tensor_host(GI_F32, NULL, 1, (int64_t[]){1}, NULL,
                                       &got), GI_ERR_NULL_ARGUMENT);
    cr_expect_null(got);
    cr_expect_eq(gi_format_tensor_host((gi_dtype)4, v, 0, NULL, NULL, &got),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_format_tensor_host((gi_dtype)-1, v, 0, NULL, NULL, &got),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_format_tensor_host(GI_F32, v, 1, (int64_t[]){-1}, NULL,
                                       &got), GI_ERR_SHAPE);
    cr_expect_eq(gi_format_tensor_host(GI_F32, v, GI_MAX_DIMS + 1, NULL,
                                       NULL, &got), GI_ERR_SHAPE);
    cr_expect_eq(gi_format_tensor_host(GI_F32, v, 1, NULL, NULL, &got),
                 GI_ERR_SHAPE);
    cr_expect_eq(gi_format_size(-1, NULL, &got), GI_ERR_SHAPE);
    cr_expect_eq(gi_format_size(0, NULL, NULL), GI_ERR_NULL_ARGUMENT);
}

/* A tensor that exists only as a rule: element i of a virtual tensor is
 * value_at(i), and the reader counts what the printer asks for. */
typedef struct virtual_tensor {
    int64_t numel, cols; /* cols: the last dimension's size */
    int reads;
    int64_t read_elements;
} virtual_tensor;

/* Distinct, exactly printable values that say where they came from. */
static double value_at(int64_t i, int64_t cols)
{
    int64_t r = i / cols, c = i % cols;
    return (double)((r < 3 ? r : r % 1000 + 10) * 100 +
                   (c < 3 ? c : c % 90 + 10));
}

static gi_status read_virtual(const void *src, int64_t first, int64_t count,
                              double *dst)
{
    virtual_tensor *v = (virtual_tensor *)src;
    cr_assert(first >= 0 && count >= 1 && first + count <= v->numel,
              "read of [%lld, %lld) outside %lld elements", (long long)first,
              (long long)(first + count), (long long)v->numel);
    v->reads++;
    v->read_elements += count;
    for (int64_t k = 0; k < count; k++)
        dst[k] = value_at(first + k, v->cols);
    return GI_OK;
}

/* The same text from a materialized tensor with the same shown values. */
static char *format_materialized(int64_t rows, int64_t cols,
                                 int64_t virtual_rows, int64_t virtual_cols)
{
    double *data = malloc((size_t)(rows * cols) * sizeof *data);
    cr_assert_not_null(data);
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++) {
            int64_t vr = r < 3 ? r : virtual_rows - (rows - r);
            int64_t vc = c < 3 ? c : virtual_cols - (cols - c);
            data[r * cols + c] = value_at(vr * virtual_cols + vc,
                                          virtual_cols);
        }
    char *text = NULL;
    cr_assert_eq(gi_format_tensor_host(GI_F64, data, 2,
                                       (int64_t[]){rows, cols}, NULL, &text),
                 GI_OK);
    free(data);
    return text;
}

/* A 2^40-element tensor prints from its 36 shown elements, read in 12 runs
 * of 3 (two a shown row), and the text is that of a small tensor holding
 * the same shown values. */
Test(format, reads_only_the_shown_elements)
{
    const int64_t n = INT64_C(1) << 20;
    virtual_tensor v = {n * n, n, 0, 0};
    char *got = NULL;
    cr_assert_eq(gi_format_tensor(2, (int64_t[]){n, n}, GI_F64, read_virtual,
                                  &v, NULL, &got), GI_OK);
    cr_expect_eq(v.reads, 12);
    cr_expect_eq(v.read_elements, 36);
    char *want = format_materialized(7, 200, n, n);
    cr_expect_str_eq(got, want);
    free(want);
    free(got);
}

/* Dimensions that are not cut are read with the cut one's edges as one
 * run: (10^6, 2, 3) is two runs of 3 * 2 * 3 elements. */
Test(format, whole_trailing_dimensions_are_one_run)
{
    virtual_tensor v = {6000000, 3, 0, 0};
    char *got = NULL;
    cr_assert_eq(gi_format_tensor(3, (int64_t[]){1000000, 2, 3}, GI_F32,
                                  read_virtual, &v, NULL, &got), GI_OK);
    cr_expect_eq(v.reads, 2);
    cr_expect_eq(v.read_elements, 36);
    free(got);
}

static gi_status read_failing(const void *src, int64_t first, int64_t count,
                              double *dst)
{
    (void)src, (void)first, (void)count, (void)dst;
    return GI_ERR_CUDA;
}

Test(format, a_failing_read_is_returned)
{
    char *got = (char *)"untouched";
    cr_expect_eq(gi_format_tensor(1, (int64_t[]){5000}, GI_F32, read_failing,
                                  NULL, NULL, &got), GI_ERR_CUDA);
    cr_expect_null(got);
    cr_expect_eq(gi_format_tensor(2, (int64_t[]){INT64_MAX, 2}, GI_F32,
                                  read_failing, NULL, NULL, &got),
                 GI_ERR_OVERFLOW);
}
