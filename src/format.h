/* Tensor and torch.Size text in PyTorch's exact format. Host-side, pure:
 * no device access (a tensor's elements come through a reader), no output,
 * no global state. Not installed. */
#ifndef GINIT_FORMAT_H
#define GINIT_FORMAT_H

#include "ginit.h"

/* Reads count (>= 1) elements of a row-major float32 tensor, from element
 * first on, into dst; returns GI_OK or the failure's status (a reader that
 * fails records its own gi_fail message, if any). */
typedef gi_status (*gi_format_read_fn)(const void *src, int64_t first,
                                       int64_t count, float *dst);

/* Formats a row-major float32 tensor exactly as PyTorch's repr(tensor)
 * (torch/_tensor_str.py, default print options: precision 4, threshold 1000,
 * edgeitems 3, linewidth 80, sci_mode None), WITHOUT trailing newline.
 * It reads, through read(src, ...), only the elements PyTorch uses: all of
 * them up to 1000 elements, and above that the first and last 3 entries of
 * every dimension longer than 6 (get_summarized_data), at most 6^ndim
 * elements, in runs of contiguous elements: one for a tensor that is not
 * cut, two for a cut 1-D one, 2 * 6^(k-1) when the innermost cut dimension
 * is dimension k - 1. The number format comes from these elements too.
 * suffix: NULL, or extra text placed as PyTorch places suffixes, e.g.
 * "device='cuda:0'" gives "tensor([1., 2.], device='cuda:0')". It comes
 * where PyTorch puts the device: before the "size=(0, 3)" of empty tensors.
 * On success *out is a malloc'd NUL-terminated string the caller frees.
 * Returns GI_OK, GI_ERR_OUT_OF_MEMORY or read's status (never crashes,
 * never prints, records no message); for calls that break the contract:
 * GI_ERR_NULL_ARGUMENT (out or read NULL), GI_ERR_SHAPE (ndim outside
 * 0..GI_MAX_DIMS, shape NULL with ndim > 0, a negative size),
 * GI_ERR_OVERFLOW (more than INT64_MAX elements). */
gi_status gi_format_tensor(int ndim, const int64_t *shape,
                           gi_format_read_fn read, const void *src,
                           const char *suffix, char **out);

/* gi_format_tensor of a host buffer holding all the elements; data may be
 * NULL for an empty tensor (GI_ERR_NULL_ARGUMENT otherwise). */
gi_status gi_format_tensor_f32(const float *data, int ndim,
                               const int64_t *shape, const char *suffix,
                               char **out);

/* "torch.Size([2, 1])", "torch.Size([])"; same ownership/return rules. */
gi_status gi_format_size(int ndim, const int64_t *shape, char **out);

#endif /* GINIT_FORMAT_H */
