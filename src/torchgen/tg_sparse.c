/*
 * torch.randperm on the CPU and nn.init.sparse_, which draws one
 * permutation per column after its normal_.
 */
#include "torchgen/torchgen.h"

void gi_tg_randperm(gi_tg_state *g, uint32_t *perm, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        perm[i] = (uint32_t)i;
    for (int64_t i = 0; i + 1 < n; ++i) {
        const int64_t z = (int64_t)(gi_tg_next32(g) % (uint64_t)(n - i));
        const uint32_t kept = perm[i];
        perm[i] = perm[i + z];
        perm[i + z] = kept;
    }
}

void gi_tg_sparse(gi_tg_state *g, float *out, int64_t rows, int64_t cols,
                  double std, int64_t zeros, uint32_t *perm,
                  gi_tg_kernels k, int threads)
{
    gi_tg_normal(g, out, rows * cols, 0.0, std, k, threads);
    for (int64_t col = 0; col < cols; ++col) {
        gi_tg_randperm(g, perm, rows);
        for (int64_t j = 0; j < zeros; ++j)
            out[(int64_t)perm[j] * cols + col] = 0.0f;
    }
}
