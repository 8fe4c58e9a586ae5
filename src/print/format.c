/* PyTorch's tensor printer (torch/_tensor_str.py, default options) in C.
 * Each function names the Python function it mirrors, so the two can be read
 * side by side. PyTorch formats every element as a Python float (a double):
 * float16 and bfloat16 tensors become float32 ones first (_tensor_str), and
 * the formatter's extremes are taken in double (tensor_totype), so one
 * double path serves every dtype. Python's "{:.4f}", "{:.4e}" and "{:.0f}"
 * are correctly rounded, as glibc's printf is, so snprintf gives the same
 * digits; only NaN differs (see put_value). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/alloc.h"
#include "../shared/convert.h"
#include "format.h"
#include "../core/internal.h"

/* PRINT_OPTS defaults; precision 4 is spelled in the format strings. */
enum { LINEWIDTH = 80, EDGEITEMS = 3, THRESHOLD = 1000 };

#define PREFIX "tensor("

/* Room for any number's text: "%.4f" of a double needs at most 315 bytes
 * (309 digits, the sign, the point and 4 decimals). */
enum { NUMBER_MAX = 320 };

/* ---- growing string ------------------------------------------------------ */

/* After a failed allocation it only records the failure, so the printing code
 * stays free of error paths and checks once at the end. */
typedef struct strbuf {
    char *s;
    size_t len, cap;
    int oom;
} strbuf;

static void sb_put(strbuf *sb, const char *text, size_t n)
{
    if (sb->oom)
        return;
    if (n >= sb->cap - sb->len) {
        size_t cap = sb->cap ? sb->cap : 256;
        while (n >= cap - sb->len && cap <= SIZE_MAX / 2)
            cap *= 2;
        char *s = n < cap - sb->len ? gi_realloc(sb->s, cap) : NULL;
        if (s == NULL) {
            sb->oom = 1;
            return;
        }
        sb->s = s;
        sb->cap = cap;
    }
    memcpy(sb->s + sb->len, text, n);
    sb->len += n;
    sb->s[sb->len] = '\0';
}

static void sb_str(strbuf *sb, const char *text)
{
    sb_put(sb, text, strlen(text));
}

static void sb_repeat(strbuf *sb, char c, int64_t count)
{
    for (int64_t i = 0; i < count; i++)
        sb_put(sb, &c, 1);
}

/* Hands the text to the caller, or frees it if any allocation failed. */
static gi_status sb_finish(strbuf *sb, char **out)
{
    if (sb->oom) {
        free(sb->s);
        return GI_ERR_OUT_OF_MEMORY;
    }
    *out = sb->s;
    return GI_OK;
}

/* ---- shapes -------------------------------------------------------------- */

/* A valid shape whose number of elements fits in int64_t. */
static gi_status check_shape(int ndim, const int64_t *shape)
{
    if (ndim < 0 || ndim > GI_MAX_DIMS || (ndim > 0 && shape == NULL))
        return GI_ERR_SHAPE;
    int64_t n = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 0)
            return GI_ERR_SHAPE;
        if (shape[d] > 0 && n > INT64_MAX / shape[d])
            return GI_ERR_OVERFLOW;
        n *= shape[d];
    }
    return GI_OK;
}

/* Number of elements of shape[first..ndim-1]. */
static int64_t numel_from(int first, int ndim, const int64_t *shape)
{
    int64_t n = 1;
    for (int d = first; d < ndim; d++)
        n *= shape[d];
    return n;
}

/* "2, 1": Python's separator inside both torch.Size and tuple reprs. */
static void put_dims(strbuf *sb, int ndim, const int64_t *shape)
{
    char num[32];
    for (int d = 0; d < ndim; d++) {
        snprintf(num, sizeof num, "%s%" PRId64, d ? ", " : "", shape[d]);
        sb_str(sb, num);
    }
}

/* ---- get_summarized_data ------------------------------------------------- */

/* The tensor PyTorch formats: above THRESHOLD elements every dimension
 * longer than 2 * EDGEITEMS is cut to its first and last EDGEITEMS entries
 * (_tensor_str_with_formatter, _vector_str and get_summarized_data all cut
 * the same way). Only these elements are read, and the formatter learns
 * its notation and widths from them, as PyTorch's does. */
typedef struct summary {
    int ndim;
    const int64_t *shape;       /* the tensor's */
    int64_t kept[GI_MAX_DIMS];  /* the summarized tensor's */
    int cut[GI_MAX_DIMS];
    int whole_from;             /* dimensions from here on are not cut */
    double *edges;              /* its elements, row-major */
} summary;

static void summarize(summary *s, int ndim, const int64_t *shape)
{
    int on = numel_from(0, ndim, shape) > THRESHOLD;
    *s = (summary){.ndim = ndim, .shape = shape};
    for (int d = 0; d < ndim; d++) {
        s->cut[d] = on && shape[d] > 2 * EDGEITEMS;
        s->kept[d] = s->cut[d] ? 2 * EDGEITEMS : shape[d];
        if (s->cut[d])
            s->whole_from = d + 1;
    }
}

/* Index in the tensor of kept entry j of dimension d. */
static int64_t full_index(const summary *s, int d, int64_t j)
{
    return s->cut[d] && j >= EDGEITEMS ? s->shape[d] - 2 * EDGEITEMS + j : j;
}

/* Items dimension d shows, the "..." of a cut one included. */
static int64_t shown_items(const summary *s, int d)
{
    return s->cut[d] ? 2 * EDGEITEMS + 1 : s->kept[d];
}

/* The kept entry shown as item i of dimension d, or -1 for the "...". */
static int64_t shown_entry(const summary *s, int d, int64_t i)
{
    if (!s->cut[d] || i < EDGEITEMS)
        return i;
    return i == EDGEITEMS ? -1 : i - 1;
}

typedef struct reader {
    gi_format_read_fn read;
    const void *src;
    double *next; /* where the next run goes in the summary's edges */
} reader;

static gi_status read_run(reader *r, int64_t first, int64_t count)
{
    gi_status st = r->read(r->src, first, count, r->next);
    r->next += count;
    return st;
}

/* Reads the kept elements of the block of dimensions d.. that starts at
 * element `at`, in as few runs as the cuts allow: the dimensions that are
 * not cut make one run, and the innermost cut one two (its edges). */
static gi_status gather(const summary *s, reader *r, int d, int64_t at)
{
    if (d == s->whole_from)
        return read_run(r, at, numel_from(d, s->ndim, s->shape));
    int64_t inner = numel_from(d + 1, s->ndim, s->shape);
    if (d + 1 == s->whole_from) {
        gi_status st = read_run(r, at, EDGEITEMS * inner);
        int64_t last = at + (s->shape[d] - EDGEITEMS) * inner;
        return st == GI_OK ? read_run(r, last, EDGEITEMS * inner) : st;
    }
    for (int64_t j = 0; j < s->kept[d]; j++) {
        gi_status st = gather(s, r, d + 1, at + full_index(s, d, j) * inner);
        if (st != GI_OK)
            return st;
    }
    return GI_OK;
}

/* ---- _Formatter ---------------------------------------------------------- */

/* What _Formatter.__init__ learns from the nonzero finite values shown: the
 * extremes of |v| (in double, as tensor_totype does) and the longest text of
 * each notation, so one pass serves whichever notation is chosen. */
typedef struct value_stats {
    int64_t count;
    double min_abs, max_abs;
    int all_int;
    int width_e, width_int, width_f; /* "%.4e", "%.0f" plus its ".", "%.4f" */
} value_stats;

typedef struct formatter {
    int int_mode, sci_mode, width;
} formatter;

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

static void stats_add(value_stats *st, double v)
{
    if (!isfinite(v) || v == 0.0)
        return;
    double a = fabs(v);
    st->min_abs = st->count == 0 || a < st->min_abs ? a : st->min_abs;
    st->max_abs = st->count == 0 || a > st->max_abs ? a : st->max_abs;
    st->count++;
    if (ceil(v) != v)
        st->all_int = 0;
    char text[NUMBER_MAX];
    st->width_e = max_int(st->width_e,
                          snprintf(text, sizeof text, "%.4e", v));
    st->width_int = max_int(st->width_int,
                            snprintf(text, sizeof text, "%.0f.", v));
    st->width_f = max_int(st->width_f,
                          snprintf(text, sizeof text, "%.4f", v));
}

/* The decisions of _Formatter.__init__. With no nonzero finite value it
 * stays in int mode with width 1 ("0.", "nan"). The ratio and the 1e8 bound
 * switch integers to sci mode too; the 1e-4 bound only applies to
 * fractions. */
static formatter make_formatter(const value_stats *st)
{
    formatter f = {1, 0, 1};
    if (st->count == 0)
        return f;
    f.int_mode = st->all_int;
    f.sci_mode = st->max_abs / st->min_abs > 1000.0 || st->max_abs > 1.0e8 ||
                 (!f.int_mode && st->min_abs < 1.0e-4);
    f.width = max_int(1, f.sci_mode   ? st->width_e
                         : f.int_mode ? st->width_int
                                      : st->width_f);
    return f;
}

/* _Formatter.format: the element's text, left-padded to the common width.
 * Python spells every NaN "nan" while glibc prints "-nan" for a NaN with
 * its sign bit set, hence the explicit case. Infinities get no "." in int
 * mode. A value may come out wider than the width (e.g. "-0." or "nan" in
 * int mode, which only measures nonzero finite values): PyTorch then adds
 * no padding, and neither do we. */
static void put_value(strbuf *sb, const formatter *f, double v)
{
    char text[NUMBER_MAX];
    if (isnan(v))
        snprintf(text, sizeof text, "nan");
    else if (f->sci_mode)
        snprintf(text, sizeof text, "%.4e", v);
    else if (f->int_mode)
        snprintf(text, sizeof text, isinf(v) ? "%.0f" : "%.0f.", v);
    else
        snprintf(text, sizeof text, "%.4f", v);
    size_t n = strlen(text);
    sb_repeat(sb, ' ', (int64_t)f->width - (int64_t)n);
    sb_put(sb, text, n);
}

/* ---- nested lists -------------------------------------------------------- */

/* _vector_str of the last dimension: items (" ..." counts as one) wrapped
 * after elements_per_line, which PyTorch derives from the formatter's
 * width, not from the actual texts. indent stays below LINEWIDTH (at most
 * 7 + GI_MAX_DIMS), so integer division equals Python's floor. */
static void put_vector(strbuf *sb, const summary *s, const double *data,
                       int indent, const formatter *f)
{
    int d = s->ndim - 1;
    int64_t per_line = (LINEWIDTH - indent) / (f->width + 2);
    if (per_line < 1)
        per_line = 1;
    sb_put(sb, "[", 1);
    for (int64_t i = 0; i < shown_items(s, d); i++) {
        if (i > 0 && i % per_line == 0) {
            sb_str(sb, ",\n");
            sb_repeat(sb, ' ', indent + 1);
        } else if (i > 0) {
            sb_str(sb, ", ");
        }
        int64_t k = shown_entry(s, d, i);
        if (k < 0)
            sb_str(sb, " ...");
        else
            put_value(sb, f, data[k]);
    }
    sb_put(sb, "]", 1);
}

/* _tensor_str_with_formatter from dimension d, data pointing into the
 * summary's edges: slices joined by "," plus ndim - 1 newlines (blank
 * lines between 2-D blocks and more) and the indent of the level. */
static void put_nested(strbuf *sb, const summary *s, int d,
                       const double *data, int indent, const formatter *f)
{
    if (d == s->ndim) {
        put_value(sb, f, *data);
        return;
    }
    if (d == s->ndim - 1) {
        put_vector(sb, s, data, indent, f);
        return;
    }
    int64_t inner = numel_from(d + 1, s->ndim, s->kept);
    sb_put(sb, "[", 1);
    for (int64_t i = 0; i < shown_items(s, d); i++) {
        if (i > 0) {
            sb_put(sb, ",", 1);
            sb_repeat(sb, '\n', s->ndim - d - 1);
            sb_repeat(sb, ' ', indent + 1);
        }
        int64_t k = shown_entry(s, d, i);
        if (k < 0)
            sb_str(sb, "...");
        else
            put_nested(sb, s, d + 1, data + k * inner, indent + 1, f);
    }
    sb_put(sb, "]", 1);
}

/* _tensor_str for a non-empty tensor: one formatter for all shown values,
 * which are exactly the summary's edges. */
static void put_body(strbuf *sb, const summary *s)
{
    value_stats st = {0, 0.0, 0.0, 1, 1, 1, 1};
    int64_t count = numel_from(0, s->ndim, s->kept);
    for (int64_t i = 0; i < count; i++)
        stats_add(&st, s->edges[i]);
    formatter f = make_formatter(&st);
    put_nested(sb, s, 0, s->edges, (int)strlen(PREFIX), &f);
}

/* ---- suffixes ------------------------------------------------------------ */

/* _add_suffixes: ", suffix", or ",\n" and the prefix's indent when the line
 * would pass LINEWIDTH. PyTorch counts the current last line two characters
 * longer than it is (len(s) - s.rfind("\n") + 1); copied for identical
 * wrapping. NULL entries are skipped. */
static void put_suffixes(strbuf *sb, const char *const *suffixes, int count)
{
    size_t start = sb->len;
    while (!sb->oom && start > 0 && sb->s[start - 1] != '\n')
        start--;
    size_t last_line = sb->len - start + 2;
    for (int i = 0; i < count; i++) {
        if (suffixes[i] == NULL)
            continue;
        size_t n = strlen(suffixes[i]);
        if (last_line + n + 2 > LINEWIDTH) {
            sb_str(sb, ",\n");
            sb_repeat(sb, ' ', (int64_t)strlen(PREFIX));
            last_line = strlen(PREFIX) + n;
        } else {
            sb_str(sb, ", ");
            last_line += n + 2;
        }
        sb_put(sb, suffixes[i], n);
    }
}

/* ---- public -------------------------------------------------------------- */

/* "dtype=torch.float64": PyTorch names every dtype but the default one,
 * float32, for empty tensors and full ones alike. */
static const char *dtype_suffix(gi_dtype dtype)
{
    switch (dtype) {
#define GI_DTYPE_SUFFIX_(name, value, text, torch, size, code)                \
    case name: return name == GI_F32 ? NULL : "dtype=" torch;
        GI_DTYPE_LIST(GI_DTYPE_SUFFIX_)
#undef GI_DTYPE_SUFFIX_
    }
    return NULL;
}

/* The text of a tensor whose shown elements are in s->edges: _str_intern
 * for a plain strided tensor. Empty tensors print "[]" and, unless 1-D,
 * their shape as a tuple (NumPy's convention, which PyTorch follows); the
 * suffixes come in PyTorch's order: device, size, dtype. */
static gi_status put_tensor(const summary *s, gi_dtype dtype,
                            const char *suffix, char **out)
{
    int empty = numel_from(0, s->ndim, s->shape) == 0;
    strbuf size = {0}; /* "size=(0, 3)"; ndim >= 2 here, so never "(0,)" */
    if (empty && s->ndim != 1) {
        sb_str(&size, "size=(");
        put_dims(&size, s->ndim, s->shape);
        sb_str(&size, ")");
    }
    strbuf sb = {0};
    sb_str(&sb, PREFIX);
    if (empty)
        sb_str(&sb, "[]");
    else
        put_body(&sb, s);
    const char *suffixes[3] = {suffix, size.s, dtype_suffix(dtype)};
    put_suffixes(&sb, suffixes, 3);
    sb_put(&sb, ")", 1);
    sb.oom |= size.oom;
    free(size.s);
    return sb_finish(&sb, out);
}

gi_status gi_format_tensor(int ndim, const int64_t *shape, gi_dtype dtype,
                           gi_format_read_fn read, const void *src,
                           const char *suffix, char **out)
{
    if (out == NULL)
        return GI_ERR_NULL_ARGUMENT;
    *out = NULL;
    if (read == NULL)
        return GI_ERR_NULL_ARGUMENT;
    if (!gi_dtype_known(dtype))
        return GI_ERR_INVALID_ARGUMENT;
    gi_status status = check_shape(ndim, shape);
    if (status != GI_OK)
        return status;
    summary s;
    summarize(&s, ndim, shape);
    if (numel_from(0, ndim, shape) > 0) {
        size_t count = (size_t)numel_from(0, ndim, s.kept);
        s.edges = gi_malloc(count * sizeof *s.edges);
        if (s.edges == NULL)
            return GI_ERR_OUT_OF_MEMORY;
        reader r = {read, src, s.edges};
        status = gather(&s, &r, 0, 0);
    }
    if (status == GI_OK)
        status = put_tensor(&s, dtype, suffix, out);
    free(s.edges);
    return status;
}

/* The value of the element of dtype whose bytes start at p. */
static double element_value(gi_dtype dtype, const unsigned char *p)
{
    float f;
    double d;
    uint16_t h;
    switch (dtype) {
    case GI_F64:
        memcpy(&d, p, sizeof d);
        return d;
    case GI_F16:
        memcpy(&h, p, sizeof h);
        return gi_f16_to_f32(h);
    case GI_BF16:
        memcpy(&h, p, sizeof h);
        return gi_bf16_to_f32(h);
    case GI_F32:
        break;
    }
    memcpy(&f, p, sizeof f);
    return f;
}

/* From the last element to the first, because the double of element k
 * covers bytes [8k, 8k + 8), where only elements k and above had theirs. */
void gi_format_widen(gi_dtype dtype, double *buf, int64_t count)
{
    const unsigned char *raw = (const unsigned char *)buf;
    size_t size = gi_dtype_size(dtype);
    for (int64_t k = count - 1; k >= 0; k--)
        buf[k] = element_value(dtype, raw + (size_t)k * size);
}

typedef struct host_source {
    gi_dtype dtype;
    const unsigned char *data;
} host_source;

static gi_status read_host(const void *src, int64_t first, int64_t count,
                           double *dst)
{
    const host_source *h = src;
    if (h->data == NULL)
        return GI_ERR_NULL_ARGUMENT;
    size_t size = gi_dtype_size(h->dtype);
    memcpy(dst, h->data + (size_t)first * size, (size_t)count * size);
    gi_format_widen(h->dtype, dst, count);
    return GI_OK;
}

gi_status gi_format_tensor_host(gi_dtype dtype, const void *data, int ndim,
                                const int64_t *shape, const char *suffix,
                                char **out)
{
    host_source h = {dtype, data};
    return gi_format_tensor(ndim, shape, dtype, read_host, &h, suffix, out);
}

gi_status gi_format_size(int ndim, const int64_t *shape, char **out)
{
    if (out == NULL)
        return GI_ERR_NULL_ARGUMENT;
    *out = NULL;
    gi_status status = check_shape(ndim, shape);
    if (status != GI_OK)
        return status;
    strbuf sb = {0};
    sb_str(&sb, "torch.Size([");
    put_dims(&sb, ndim, shape);
    sb_str(&sb, "])");
    return sb_finish(&sb, out);
}
