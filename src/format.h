/* Tensor and torch.Size text in PyTorch's exact format. Host-side, pure:
 * no device access, no output, no global state. Not installed. */
#ifndef GINIT_FORMAT_H
#define GINIT_FORMAT_H

#include "ginit.h"

/* Formats a row-major float32 host buffer exactly as PyTorch's repr(tensor)
 * (torch/_tensor_str.py, default print options: precision 4, threshold 1000,
 * edgeitems 3, linewidth 80, sci_mode None), WITHOUT trailing newline.
 * suffix: NULL, or extra text placed as PyTorch places suffixes, e.g.
 * "device='cuda:0'" gives "tensor([1., 2.], device='cuda:0')". It comes
 * where PyTorch puts the device: before the "size=(0, 3)" of empty tensors.
 * On success *out is a malloc'd NUL-terminated string the caller frees.
 * Returns GI_OK or GI_ERR_OUT_OF_MEMORY (never crashes, never prints); for
 * calls that break the contract: GI_ERR_NULL_ARGUMENT (out NULL, or data NULL
 * with elements), GI_ERR_SHAPE (ndim outside 0..GI_MAX_DIMS, shape NULL with
 * ndim > 0, a negative size). data holds the product of shape elements. */
gi_status gi_format_tensor_f32(const float *data, int ndim,
                               const int64_t *shape, const char *suffix,
                               char **out);

/* "torch.Size([2, 1])", "torch.Size([])"; same ownership/return rules. */
gi_status gi_format_size(int ndim, const int64_t *shape, char **out);

#endif /* GINIT_FORMAT_H */
