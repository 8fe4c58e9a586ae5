/* Tensor and torch.Size text in PyTorch's exact format. Host-side, pure:
 * no device access (a tensor's elements come through a reader), no output,
 * no global state. Not installed. */
#ifndef GINIT_FORMAT_H
#define GINIT_FORMAT_H

#include "ginit.h"

/* Reads count (>= 1) elements of a row-major tensor, from element first
 * on, into dst as doubles (gi_format_widen turns raw elements into them);
 * returns GI_OK or the failure's status (a reader that fails records its
 * own gi_fail message, if any). */
typedef gi_status (*gi_format_read_fn)(const void *src, int64_t first,
                                       int64_t count, double *dst);

/* Formats a row-major tensor of dtype exactly as PyTorch's repr(tensor)
 * (torch/_tensor_str.py, default print options: precision 4, threshold 1000,
 * edgeitems 3, linewidth 80, sci_mode None), WITHOUT trailing newline.
 * The values read are those of the dtype's elements, exactly; the dtype
 * decides only the "dtype=torch.float64" suffix (every dtype but float32).
 * It reads, through read(src, ...), only the elements PyTorch uses: all of
 * them up to 1000 elements, and above that the first and last 3 entries of
 * every dimension longer than 6 (get_summarized_data), at most 6^ndim
 * elements, in runs of contiguous elements: one for a tensor that is not
 * cut, two for a cut 1-D one, 2 * 6^(k-1) when the innermost cut dimension
 * is dimension k - 1. The number format comes from these elements too.
 * suffix: NULL, or extra text placed as PyTorch places suffixes, e.g.
 * "device='cuda:0'" gives "tensor([1., 2.], device='cuda:0')". It comes
 * where PyTorch puts the device: before the "size=(0, 3)" of empty tensors
 * and the dtype.
 * On success *out is a malloc'd NUL-terminated string the caller frees.
 * Returns GI_OK, GI_ERR_OUT_OF_MEMORY or read's status (never crashes,
 * never prints, records no message); for calls that break the contract:
 * GI_ERR_NULL_ARGUMENT (out or read NULL), GI_ERR_INVALID_ARGUMENT (dtype
 * is not a gi_dtype), GI_ERR_SHAPE (ndim outside 0..GI_MAX_DIMS, shape
 * NULL with ndim > 0, a negative size), GI_ERR_OVERFLOW (more than
 * INT64_MAX elements). */
gi_status gi_format_tensor(int ndim, const int64_t *shape, gi_dtype dtype,
                           gi_format_read_fn read, const void *src,
                           const char *suffix, char **out);

/* Turns count elements of a known dtype, their raw bytes packed at the
 * start of buf, into their values in place; buf has room for count
 * doubles. For readers: copy the raw elements into dst, then widen. */
void gi_format_widen(gi_dtype dtype, double *buf, int64_t count);

/* gi_format_tensor of a host buffer holding all the elements of dtype, as
 * raw bytes; data may be NULL for an empty tensor (GI_ERR_NULL_ARGUMENT
 * otherwise). */
gi_status gi_format_tensor_host(gi_dtype dtype, const void *data, int ndim,
                                const int64_t *shape, const char *suffix,
                                char **out);

/* "torch.Size([2, 1])", "torch.Size([])"; same ownership/return rules. */
gi_status gi_format_size(int ndim, const int64_t *shape, char **out);

#endif /* GINIT_FORMAT_H */
