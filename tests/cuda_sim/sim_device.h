/*
 * The CUDA-on-CPU simulator's device side, force-included (-include) into
 * every kernels/*.cu translation unit compiled as host C++. Test code only,
 * never installed.
 *
 * The kernels compile unchanged: __global__ and __device__ are empty for a
 * host compiler (CUDA's own host_defines.h), __CUDA_ARCH__ is defined so the
 * shared headers take their device branches (cuRAND's Philox, the bit-cast
 * intrinsics below), the built-in indices are thread-local variables, and
 * transform.cmake rewrites each `k<<<grid, block, shmem, stream>>>(args)`
 * into `GI_SIM_LAUNCH(k, grid, block, shmem, stream)(args)`, which runs
 * every (blockIdx, threadIdx) in turn. Scalar loads and stores reach the
 * runtime through the compiler's thread-sanitizer hooks; vector stores
 * (float4, float2, uint4, uint2, double2) through the wrapper types below,
 * so their width and alignment are seen as the GPU would see them.
 */
#ifndef GINIT_SIM_DEVICE_H
#define GINIT_SIM_DEVICE_H

#include <cstddef>
#include <cstdint>
#include <cstring>

#include <cuda_runtime_api.h>
#include <vector_functions.h>

#define __CUDA_ARCH__ 900
#include <curand_philox4x32_x.h>

#include "sim_control.h"

/* ---- the built-in variables and intrinsics the kernels use ------------- */

extern thread_local uint3 gi_sim_block_idx, gi_sim_thread_idx;
extern thread_local dim3 gi_sim_grid_dim, gi_sim_block_dim;
#define blockIdx gi_sim_block_idx
#define threadIdx gi_sim_thread_idx
#define gridDim gi_sim_grid_dim
#define blockDim gi_sim_block_dim

static inline unsigned __float_as_uint(float f)
{
    unsigned u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

static inline float __uint_as_float(unsigned u)
{
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

static inline long long __double_as_longlong(double d)
{
    long long u;
    std::memcpy(&u, &d, sizeof u);
    return u;
}

static inline double __longlong_as_double(long long u)
{
    double d;
    std::memcpy(&d, &u, sizeof d);
    return d;
}

/* Round-to-nearest products: the host's float and double multiplies with
 * contraction off, exactly what the device's __fmul_rn and __dmul_rn
 * compute. */
static inline float __fmul_rn(float a, float b) { return a * b; }
static inline double __dmul_rn(double a, double b) { return a * b; }

/* ---- vector stores -------------------------------------------------------- */

/* Records a width-byte vector store at p (alignment checked), then makes it;
 * in the runtime, which is not instrumented. */
extern "C" void gi_sim_vector_store(void *p, const void *v, size_t width);

/* CUDA's vector type V (its fields and alignment) whose assignment is one
 * recorded vector store, as the GPU makes it: the kernels store float4 and
 * float2 of floats, uint4 and uint2 of packed 16-bit elements, double2. A
 * V converts to and from it, so make_uint4 and cuRAND's Philox, declared
 * above with CUDA's own types, work with it unchanged. */
template <typename V> struct gi_sim_vec : V {
    gi_sim_vec() = default;
    gi_sim_vec(const gi_sim_vec &) = default;
    gi_sim_vec(const V &v) : V(v) {}
    gi_sim_vec &operator=(const gi_sim_vec &o)
    {
        gi_sim_vector_store(this, static_cast<const V *>(&o), sizeof(V));
        return *this;
    }
};
typedef gi_sim_vec<float4> gi_sim_float4;
typedef gi_sim_vec<float2> gi_sim_float2;
typedef gi_sim_vec<uint4> gi_sim_uint4;
typedef gi_sim_vec<uint2> gi_sim_uint2;
typedef gi_sim_vec<double2> gi_sim_double2;
static_assert(alignof(gi_sim_uint4) == 16 && alignof(gi_sim_uint2) == 8 &&
                  alignof(gi_sim_double2) == 16 && alignof(gi_sim_float4) == 16,
              "the wrappers keep CUDA's alignment");

#define float4 gi_sim_float4
#define float2 gi_sim_float2
#define uint4 gi_sim_uint4
#define uint2 gi_sim_uint2
#define double2 gi_sim_double2

/* ---- launches ------------------------------------------------------------- */

namespace gi_sim {

/* Runs kernel k over the grid after its expectation e has declared the
 * elements the launch must write (sim_expect.h); checks them afterwards. */
template <typename... P> struct launcher {
    const char *name;
    void (*k)(P...);
    void (*e)(P...);
    dim3 grid, block;
    size_t shmem;
    cudaStream_t stream;

    template <typename... A> void operator()(A &&...a) const
    {
        if (!gi_sim_launch_begin(name, grid, block, shmem, stream))
            return;
        e(a...);
        for (unsigned z = 0; z < grid.z; ++z)
            for (unsigned y = 0; y < grid.y; ++y)
                for (unsigned x = 0; x < grid.x; ++x) {
                    if (!gi_sim_block_selected(x))
                        continue;
                    for (unsigned tz = 0; tz < block.z; ++tz)
                        for (unsigned ty = 0; ty < block.y; ++ty)
                            for (unsigned tx = 0; tx < block.x; ++tx) {
                                gi_sim_enter(x, y, z, tx, ty, tz);
                                k(a...);
                                gi_sim_leave();
                            }
                }
        gi_sim_launch_end();
    }
};

template <typename... P>
launcher<P...> make(const char *name, void (*k)(P...), void (*e)(P...),
                    dim3 grid, dim3 block, size_t shmem = 0,
                    cudaStream_t stream = 0)
{
    return launcher<P...>{name, k, e, grid, block, shmem, stream};
}

} // namespace gi_sim

#define GI_SIM_LAUNCH(k, ...) ::gi_sim::make(#k, k, &gi_sim_expect::k, __VA_ARGS__)

#include "sim_expect.h"

#endif
