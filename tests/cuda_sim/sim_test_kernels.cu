/* Test-only kernels storing 2- and 8-byte elements the ways the 16-bit and
 * float64 fills will (scalars, uint2 and uint4 of packed halves, double2),
 * each with the faults the simulator must report. */
#include "sim_test_kernels.h"

#include <cuda_runtime_api.h>

namespace gi_sim_expect {

static inline void sim_halves_kernel(uint16_t *h, int64_t n, int, int)
{
    gi_sim_expect_write_elems(h, n, 2);
}

static inline void sim_doubles_kernel(double *d, int64_t n, int, int)
{
    gi_sim_expect_write_elems(d, n, 8);
}

static inline void sim_copy_halves_kernel(uint16_t *dst, const uint16_t *,
                                          int64_t n, int)
{
    gi_sim_expect_write_elems(dst, n, 2);
}

static inline void sim_copy_doubles_kernel(double *dst, const double *,
                                           int64_t n, int)
{
    gi_sim_expect_write_elems(dst, n, 8);
}

} // namespace gi_sim_expect

/* Elements e and e + 1, as a 16-bit fill packs them: e in the low half. */
static __device__ unsigned pack2(int64_t e)
{
    return sim_half_value(e) | (unsigned)sim_half_value(e + 1) << 16;
}

static __device__ void store_halves(uint16_t *h, int64_t e, int width,
                                    bool pieces)
{
    if (pieces) {
        unsigned char *b = reinterpret_cast<unsigned char *>(h + e);
        b[0] = (unsigned char)sim_half_value(e);
        b[1] = (unsigned char)(sim_half_value(e) >> 8);
    } else if (width == 2) {
        h[e] = sim_half_value(e);
    } else if (width == 8) {
        *reinterpret_cast<uint2 *>(h + e) = make_uint2(pack2(e), pack2(e + 2));
    } else {
        *reinterpret_cast<uint4 *>(h + e) =
            make_uint4(pack2(e), pack2(e + 2), pack2(e + 4), pack2(e + 6));
    }
}

static __device__ void store_doubles(double *d, int64_t e, int width,
                                     bool pieces)
{
    if (pieces) {
        double v = (double)e + 0.5;
        unsigned w[2];
        memcpy(w, &v, sizeof w);
        unsigned *p = reinterpret_cast<unsigned *>(d + e);
        p[0] = w[0];
        p[1] = w[1];
    } else if (width == 8) {
        d[e] = (double)e + 0.5;
    } else {
        *reinterpret_cast<double2 *>(d + e) =
            make_double2((double)e + 0.5, (double)e + 1.5);
    }
}

/* Store s of a fill in stores of per elements, as the fault has it. */
static __device__ int64_t store_start(int64_t s, int64_t per, int fault)
{
    return fault == SIM_FAULT_TWICE && s == 1 ? 0
           : fault == SIM_FAULT_SHIFT         ? s * per + 1
                                              : s * per;
}

static __device__ int64_t stores_made(int64_t n, int64_t per, int fault)
{
    return n / per - (fault == SIM_FAULT_SKIP);
}

__global__ void sim_halves_kernel(uint16_t *h, int64_t n, int width,
                                  int fault)
{
    int64_t per = width / 2, stride = (int64_t)blockDim.x * gridDim.x;
    int64_t stores = stores_made(n, per, fault);
    for (int64_t s = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
         s < stores; s += stride)
        store_halves(h, store_start(s, per, fault), width,
                     fault == SIM_FAULT_PIECES && s == stores - 1);
}

__global__ void sim_doubles_kernel(double *d, int64_t n, int width,
                                   int fault)
{
    int64_t per = width / 8, stride = (int64_t)blockDim.x * gridDim.x;
    int64_t stores = stores_made(n, per, fault);
    for (int64_t s = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
         s < stores; s += stride)
        store_doubles(d, store_start(s, per, fault), width,
                      fault == SIM_FAULT_PIECES && s == stores - 1);
}

__global__ void sim_copy_halves_kernel(uint16_t *dst, const uint16_t *src,
                                       int64_t n, int fault)
{
    int64_t stride = (int64_t)blockDim.x * gridDim.x;
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
         i += stride)
        dst[i] = src[fault == SIM_FAULT_PAST_END ? i + 1 : i];
}

__global__ void sim_copy_doubles_kernel(double *dst, const double *src,
                                        int64_t n, int fault)
{
    int64_t stride = (int64_t)blockDim.x * gridDim.x;
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
         i += stride)
        dst[i] = src[fault == SIM_FAULT_PAST_END ? i + 1 : i];
}

/* Two blocks of 32 threads: enough for a grid-stride loop to wrap. */
extern "C" void sim_fill_halves(uint16_t *h, int64_t n, int width,
                                sim_fault fault)
{
    sim_halves_kernel<<<2, 32>>>(h, n, width, (int)fault);
}

extern "C" void sim_fill_doubles(double *d, int64_t n, int width,
                                 sim_fault fault)
{
    sim_doubles_kernel<<<2, 32>>>(d, n, width, (int)fault);
}

extern "C" void sim_copy_halves(uint16_t *dst, const uint16_t *src,
                                int64_t n, sim_fault fault)
{
    sim_copy_halves_kernel<<<2, 32>>>(dst, src, n, (int)fault);
}

extern "C" void sim_copy_doubles(double *dst, const double *src, int64_t n,
                                 sim_fault fault)
{
    sim_copy_doubles_kernel<<<2, 32>>>(dst, src, n, (int)fault);
}
