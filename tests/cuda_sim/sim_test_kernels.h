/*
 * Test-only kernels for the simulator's own checks on 2- and 8-byte
 * elements (sim_test_kernels.cu, compiled only into the simulator's tests).
 * Each launcher writes the n elements at its pointer, in stores of `width`
 * bytes (2, 8 or 16 for halves; 8 or 16 for doubles), correctly unless
 * told to break one rule. Element e of a fill holds sim_half_value(e) or
 * e + 0.5; a copy makes dst[e] = src[e].
 */
#ifndef GINIT_SIM_TEST_KERNELS_H
#define GINIT_SIM_TEST_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sim_fault {
    SIM_FAULT_NONE,
    SIM_FAULT_TWICE,    /* the second store writes the first's elements */
    SIM_FAULT_SKIP,     /* the last store is not made */
    SIM_FAULT_SHIFT,    /* every store one element further on */
    SIM_FAULT_PIECES,   /* (width = element) the last element in two halves */
    SIM_FAULT_PAST_END  /* (copies) each reads the element after its own */
} sim_fault;

static inline uint16_t sim_half_value(int64_t e)
{
    return (uint16_t)(0x3c00 + e);
}

void sim_fill_halves(uint16_t *h, int64_t n, int width, sim_fault fault);
void sim_fill_doubles(double *d, int64_t n, int width, sim_fault fault);
void sim_copy_halves(uint16_t *dst, const uint16_t *src, int64_t n,
                     sim_fault fault);
void sim_copy_doubles(double *dst, const double *src, int64_t n,
                      sim_fault fault);

#ifdef __cplusplus
}
#endif

#endif
