/* One Philox block on whichever side the code is compiled for: cuRAND's
 * device function in kernels, ginit's C implementation (proven equal to
 * it) on the host. For loops shared by the CPU and GPU paths. */
#ifndef GINIT_PHILOX_ANY_H
#define GINIT_PHILOX_ANY_H

#include "fmath.h"
#include "philox.h"
#if defined(__CUDACC__)
#include <curand_philox4x32_x.h>
#endif

GI_HOSTDEV void gi_block(uint64_t seed, uint64_t stream, uint64_t block,
                         uint32_t out[4])
{
#if defined(__CUDA_ARCH__)
    uint4 r = curand_Philox4x32_10(
        make_uint4((unsigned)block, (unsigned)(block >> 32), (unsigned)stream,
                   (unsigned)(stream >> 32)),
        make_uint2((unsigned)seed, (unsigned)(seed >> 32)));
    out[0] = r.x;
    out[1] = r.y;
    out[2] = r.z;
    out[3] = r.w;
#else
    gi_philox_block(seed, stream, block, out);
#endif
}

#endif
