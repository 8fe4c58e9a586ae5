/* Printing tensors and shapes in PyTorch's format (see format.c). */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "format.h"
#include "internal.h"

/* The repr of t in a malloc'd string. */
static gi_status tensor_repr(gi_tensor t, char **out, const char *fn)
{
    gi_status st = gi_check_f32(t, fn, "t");
    if (st != GI_OK)
        return st;
    size_t bytes = (size_t)t->numel * sizeof(float);
    float *host = gi_malloc(bytes > 0 ? bytes : 1);
    if (host == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn,
                       "cannot allocate %zu bytes to print the tensor", bytes);
    st = gi_tensor_copy_to_host(t, host, bytes);
    if (st == GI_OK) {
        const char *suffix = t->storage->ctx->device == GI_DEVICE_CUDA
                                 ? "device='cuda:0'"
                                 : NULL;
        st = gi_format_tensor_f32(host, t->ndim, t->shape, suffix, out);
        if (st != GI_OK)
            gi_fail(st, fn, "cannot allocate the printed text");
    }
    free(host);
    return st;
}

static gi_status write_line(const char *text, FILE *f, const char *fn)
{
    if (fputs(text, f) == EOF || fputc('\n', f) == EOF)
        return gi_fail(GI_ERR_IO, fn, "writing to the stream failed");
    return GI_OK;
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
