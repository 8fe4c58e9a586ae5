/*
 * Philox4x32-10 (Salmon et al., SC'11) on the host, the same function as
 * cuRAND's curand_Philox4x32_10: 128-bit counter c[0..3], 64-bit key
 * k[0..1], ten rounds, key bumped by the Weyl constants after each round.
 * Tests prove it equal to the published known-answer vectors and to
 * libcurand's own generator.
 */
#ifndef GINIT_PHILOX_H
#define GINIT_PHILOX_H

#include <stdint.h>

static inline void gi_philox4x32_10(const uint32_t ctr[4], uint32_t k0,
                                    uint32_t k1, uint32_t out[4])
{
    uint32_t x0 = ctr[0], x1 = ctr[1], x2 = ctr[2], x3 = ctr[3];
    for (int round = 0; round < 10; ++round) {
        uint64_t p0 = (uint64_t)0xD2511F53u * x0;
        uint64_t p1 = (uint64_t)0xCD9E8D57u * x2;
        uint32_t y0 = (uint32_t)(p1 >> 32) ^ x1 ^ k0;
        uint32_t y2 = (uint32_t)(p0 >> 32) ^ x3 ^ k1;
        x1 = (uint32_t)p1;
        x3 = (uint32_t)p0;
        x0 = y0;
        x2 = y2;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    out[0] = x0;
    out[1] = x1;
    out[2] = x2;
    out[3] = x3;
}

/* The block at (block, stream) of a key, as cuRAND lays out its counter:
 * the block index in the low 64 bits, the stream (cuRAND's subsequence) in
 * the high 64 bits. */
static inline void gi_philox_block(uint64_t seed, uint64_t stream,
                                   uint64_t block, uint32_t out[4])
{
    const uint32_t ctr[4] = {(uint32_t)block, (uint32_t)(block >> 32),
                             (uint32_t)stream, (uint32_t)(stream >> 32)};
    gi_philox4x32_10(ctr, (uint32_t)seed, (uint32_t)(seed >> 32), out);
}

#endif
