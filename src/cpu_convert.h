/* The CPU's bulk conversions between float and the 16-bit types, for the
 * store step of 16-bit fills and for copies. Every path gives the bits of
 * convert.h's element conversions, for every input. */
#ifndef GINIT_CPU_CONVERT_H
#define GINIT_CPU_CONVERT_H

#include <stdint.h>

/* dst[i] = the conversion of src[i] for i < n; the arrays do not overlap
 * and need no alignment. x86-64 uses F16C (float16) and AVX2 (bfloat16)
 * where the CPU has them, unless gi_cpu_portable (cpu_fill.h) is set. */
void gi_cpu_f32_to_f16(const float *src, uint16_t *dst, int64_t n);
void gi_cpu_f32_to_bf16(const float *src, uint16_t *dst, int64_t n);
void gi_cpu_f16_to_f32(const uint16_t *src, float *dst, int64_t n);
void gi_cpu_bf16_to_f32(const uint16_t *src, float *dst, int64_t n);

#endif
