/* PyTorch's tensor printer (torch/_tensor_str.py, default options) in C.
 * Each function names the Python function it mirrors, so the two can be read
 * side by side. Python's "{:.4f}", "{:.4e}" and "{:.0f}" on a float are
 * correctly rounded, as glibc's printf is, so snprintf gives the same digits;
 * only NaN differs (see put_value). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "format.h"

/* PRINT_OPTS defaults; precision 4 is spelled in the format strings. */
enum { LINEWIDTH = 80, EDGEITEMS = 3, THRESHOLD = 1000 };

#define PREFIX "tensor("

/* Room for any number's text: "%.4f" of a float needs at most 46 bytes, but
 * sizing for a double (309 digits) keeps gcc's -Wformat-truncation=2 quiet. */
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

static gi_status check_shape(int ndim, const int64_t *shape)
{
    if (ndim < 0 || ndim > GI_MAX_DIMS || (ndim > 0 && shape == NULL))
        return GI_ERR_SHAPE;
    for (int d = 0; d < ndim; d++)
        if (shape[d] < 0)
            return GI_ERR_SHAPE;
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

/* Items a dimension of size n shows, "..." included: all entries, or when
 * summarizing a dimension longer than 2 * EDGEITEMS its first and last
 * EDGEITEMS around one "..." (_tensor_str_with_formatter, _vector_str and
 * get_summarized_data all cut the same way). */
static int64_t shown_items(int64_t n, int summarize)
{
    return summarize && n > 2 * EDGEITEMS ? 2 * EDGEITEMS + 1 : n;
}

/* The index shown as item i, or -1 for the "...". */
static int64_t shown_index(int64_t n, int summarize, int64_t i)
{
    if (!summarize || n <= 2 * EDGEITEMS || i < EDGEITEMS)
        return i;
    return i == EDGEITEMS ? -1 : n - (2 * EDGEITEMS + 1) + i;
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

static void stats_add(value_stats *st, float v)
{
    if (!isfinite(v) || v == 0.0f)
        return;
    double a = fabs((double)v);
    st->min_abs = st->count == 0 || a < st->min_abs ? a : st->min_abs;
    st->max_abs = st->count == 0 || a > st->max_abs ? a : st->max_abs;
    st->count++;
    if (ceilf(v) != v)
        st->all_int = 0;
    char text[NUMBER_MAX];
    st->width_e = max_int(st->width_e,
                          snprintf(text, sizeof text, "%.4e", (double)v));
    st->width_int = max_int(st->width_int,
                            snprintf(text, sizeof text, "%.0f.", (double)v));
    st->width_f = max_int(st->width_f,
                          snprintf(text, sizeof text, "%.4f", (double)v));
}

/* Visits the elements PyTorch shows: the formatter is built from the
 * summarized data only, so a hidden outlier changes nothing. */
static void gather_stats(value_stats *st, const float *data, int ndim,
                         const int64_t *shape, int summarize)
{
    if (ndim == 0) {
        stats_add(st, *data);
        return;
    }
    int64_t inner = numel_from(1, ndim, shape);
    for (int64_t i = 0; i < shown_items(shape[0], summarize); i++) {
        int64_t k = shown_index(shape[0], summarize, i);
        if (k >= 0)
            gather_stats(st, data + k * inner, ndim - 1, shape + 1, summarize);
    }
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
static void put_value(strbuf *sb, const formatter *f, float v)
{
    char text[NUMBER_MAX];
    double d = (double)v;
    if (isnan(v))
        snprintf(text, sizeof text, "nan");
    else if (f->sci_mode)
        snprintf(text, sizeof text, "%.4e", d);
    else if (f->int_mode)
        snprintf(text, sizeof text, isinf(v) ? "%.0f" : "%.0f.", d);
    else
        snprintf(text, sizeof text, "%.4f", d);
    size_t n = strlen(text);
    sb_repeat(sb, ' ', (int64_t)f->width - (int64_t)n);
    sb_put(sb, text, n);
}

/* ---- nested lists --------------------------------------------------------- */

/* _vector_str: items (" ..." counts as one) wrapped after elements_per_line,
 * which PyTorch derives from the formatter's width, not from the actual
 * texts. indent stays below LINEWIDTH (at most 7 + GI_MAX_DIMS), so integer
 * division equals Python's floor. */
static void put_vector(strbuf *sb, const float *data, int64_t n, int indent,
                       int summarize, const formatter *f)
{
    int64_t per_line = (LINEWIDTH - indent) / (f->width + 2);
    if (per_line < 1)
        per_line = 1;
    sb_put(sb, "[", 1);
    for (int64_t i = 0; i < shown_items(n, summarize); i++) {
        if (i > 0 && i % per_line == 0) {
            sb_str(sb, ",\n");
            sb_repeat(sb, ' ', indent + 1);
        } else if (i > 0) {
            sb_str(sb, ", ");
        }
        int64_t k = shown_index(n, summarize, i);
        if (k < 0)
            sb_str(sb, " ...");
        else
            put_value(sb, f, data[k]);
    }
    sb_put(sb, "]", 1);
}

/* _tensor_str_with_formatter: slices joined by "," plus ndim - 1 newlines
 * (blank lines between 2-D blocks and more) and the indent of the level. */
static void put_nested(strbuf *sb, const float *data, int ndim,
                       const int64_t *shape, int indent, int summarize,
                       const formatter *f)
{
    if (ndim == 0) {
        put_value(sb, f, *data);
        return;
    }
    if (ndim == 1) {
        put_vector(sb, data, shape[0], indent, summarize, f);
        return;
    }
    int64_t inner = numel_from(1, ndim, shape);
    sb_put(sb, "[", 1);
    for (int64_t i = 0; i < shown_items(shape[0], summarize); i++) {
        if (i > 0) {
            sb_put(sb, ",", 1);
            sb_repeat(sb, '\n', ndim - 1);
            sb_repeat(sb, ' ', indent + 1);
        }
        int64_t k = shown_index(shape[0], summarize, i);
        if (k < 0)
            sb_str(sb, "...");
        else
            put_nested(sb, data + k * inner, ndim - 1, shape + 1, indent + 1,
                       summarize, f);
    }
    sb_put(sb, "]", 1);
}

/* _tensor_str for a non-empty tensor: one formatter for all shown values. */
static void put_body(strbuf *sb, const float *data, int ndim,
                     const int64_t *shape)
{
    int summarize = numel_from(0, ndim, shape) > THRESHOLD;
    value_stats st = {0, 0.0, 0.0, 1, 1, 1, 1};
    gather_stats(&st, data, ndim, shape, summarize);
    formatter f = make_formatter(&st);
    put_nested(sb, data, ndim, shape, (int)strlen(PREFIX), summarize, &f);
}

/* ---- suffixes ------------------------------------------------------------- */

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

/* ---- public --------------------------------------------------------------- */

/* _str_intern for a plain strided tensor of the default dtype: empty
 * tensors print "[]" and, unless 1-D, their shape as a tuple after the
 * device (NumPy's convention, which PyTorch follows). */
gi_status gi_format_tensor_f32(const float *data, int ndim,
                               const int64_t *shape, const char *suffix,
                               char **out)
{
    if (out == NULL)
        return GI_ERR_NULL_ARGUMENT;
    *out = NULL;
    gi_status status = check_shape(ndim, shape);
    if (status != GI_OK)
        return status;
    int empty = numel_from(0, ndim, shape) == 0;
    if (!empty && data == NULL)
        return GI_ERR_NULL_ARGUMENT;

    strbuf size = {0}; /* "size=(0, 3)"; ndim >= 2 here, so never "(0,)" */
    if (empty && ndim != 1) {
        sb_str(&size, "size=(");
        put_dims(&size, ndim, shape);
        sb_str(&size, ")");
    }
    strbuf sb = {0};
    sb_str(&sb, PREFIX);
    if (empty)
        sb_str(&sb, "[]");
    else
        put_body(&sb, data, ndim, shape);
    const char *suffixes[2] = {suffix, size.s};
    put_suffixes(&sb, suffixes, 2);
    sb_put(&sb, ")", 1);
    sb.oom |= size.oom;
    free(size.s);
    return sb_finish(&sb, out);
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
