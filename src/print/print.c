/* Printing tensors and shapes in PyTorch's format (see format.c). */
#include <stdlib.h>
#include <string.h>

#include "../core/alloc.h"
#include "format.h"
#include "../core/internal.h"

/* Where the printer reads a tensor's elements: its backend, one copy to
 * the host for each run of shown elements, so a tensor of any size prints
 * with a few kilobytes of host memory. */
typedef struct tensor_source {
    gi_tensor t;
    const char *fn;
} tensor_source;

/* The raw bytes of the run land at the start of dst, which has room for
 * its doubles, and become those doubles there. */
static gi_status read_tensor(const void *src, int64_t first, int64_t count,
                             double *dst)
{
    const tensor_source *s = src;
    gi_tensor t = s->t;
    gi_context ctx = t->storage->ctx;
    size_t size = gi_dtype_size(t->dtype);
    const char *at = (const char *)gi_tensor_data(t) + (size_t)first * size;
    gi_status st = ctx->ops->to_host(ctx->state, dst, at,
                                     (size_t)count * size, s->fn);
    if (st == GI_OK)
        gi_format_widen(t->dtype, dst, count);
    return st;
}

/* The repr of t in a malloc'd string. */
static gi_status tensor_repr(gi_tensor t, char **out, const char *fn)
{
    GI_CHECK_NULL(t, fn);
    const char *suffix =
        t->storage->ctx->device == GI_DEVICE_CUDA ? "device='cuda:0'" : NULL;
    tensor_source src = {t, fn};
    gi_status st = gi_format_tensor(t->ndim, t->shape, t->dtype, read_tensor,
                                    &src, suffix, out);
    if (st == GI_ERR_OUT_OF_MEMORY)
        gi_fail(st, fn, "cannot allocate memory to print the tensor");
    return st;
}

gi_status gi_finish_write(FILE *f, int written, const char *fn)
{
    int flushed = fflush(f) != EOF;
    const char *why = !written   ? "writing to the stream failed"
                      : !flushed ? "flushing the stream failed"
                      : ferror(f) ? "the stream reports an error"
                                  : NULL;
    return why != NULL ? gi_fail(GI_ERR_IO, fn, "%s", why) : GI_OK;
}

static gi_status write_line(const char *text, FILE *f, const char *fn)
{
    return gi_finish_write(f, fputs(text, f) != EOF && fputc('\n', f) != EOF,
                           fn);
}

gi_status gi_tensor_print(gi_tensor t, FILE *f)
{
    static const char *const fn = "gi_tensor_print";
    GI_CHECK_NULL(f, fn);
    char *text = NULL;
    gi_status st = tensor_repr(t, &text, fn);
    if (st == GI_OK)
        st = write_line(text, f, fn);
    free(text);
    return st;
}

gi_status gi_tensor_format(gi_tensor t, char *buf, size_t cap, size_t *needed)
{
    static const char *const fn = "gi_tensor_format";
    if (buf == NULL && cap > 0)
        return gi_fail(GI_ERR_NULL_ARGUMENT, fn,
                       "argument 'buf' is NULL with cap %zu", cap);
    char *text = NULL;
    gi_status st = tensor_repr(t, &text, fn);
    if (st != GI_OK)
        return st;
    size_t len = strlen(text);
    if (needed != NULL)
        *needed = len;
    if (cap > 0) {
        size_t n = len < cap ? len : cap - 1;
        memcpy(buf, text, n);
        buf[n] = '\0';
    }
    free(text);
    if (len >= cap)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'cap' = %zu is too small for %zu characters "
                       "and the NUL", cap, len);
    return GI_OK;
}

gi_status gi_tensor_print_shape(gi_tensor t, FILE *f)
{
    static const char *const fn = "gi_tensor_print_shape";
    GI_CHECK_NULL(t, fn);
    GI_CHECK_NULL(f, fn);
    char *text = NULL;
    gi_status st = gi_format_size(t->ndim, t->shape, &text);
    if (st != GI_OK)
        return gi_fail(st, fn, "cannot allocate the printed text");
    st = write_line(text, f, fn);
    free(text);
    return st;
}
