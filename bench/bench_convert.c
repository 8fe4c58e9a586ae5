/*
 * Throughput of the CPU's bulk conversions (src/cpu/cpu_convert.c), one
 * thread, float -> float16 and float -> bfloat16 and back:
 *
 *   ginit_bench_convert [--reps N] [--log2 K]
 *
 * For 2^K elements (default 2^24, 16M; --log2 10 is a fill chunk, in L1)
 * of normal(0, 1) floats, the median time of N runs (default 11) after a
 * warm-up, for the vector path
 * (F16C / AVX2 where the CPU has them) and the portable one
 * (gi_cpu_portable), with the bandwidth in GB/s (bytes read and written)
 * and portable time / vector time. Times in microseconds.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>

#include "bench_util.h"
#include "cpu/cpu_convert.h"
#include "cpu/cpu_fill.h"

#define CALL_ELEMS ((int64_t)1 << 24)

typedef struct buffers {
    float *f32;
    uint16_t *h;
    int64_t n;
} buffers;

typedef struct conv {
    const char *name;
    void (*to16)(const float *, uint16_t *, int64_t);
    void (*to32)(const uint16_t *, float *, int64_t);
} conv;

/* The time of one call in microseconds; small sizes repeat the call up to
 * 2^24 elements so that the clock can see it. */
static double time_once(const conv *c, const buffers *b)
{
    const int64_t calls = b->n < CALL_ELEMS ? CALL_ELEMS / b->n : 1;
    double t0 = now_ms();
    for (int64_t k = 0; k < calls; ++k) {
        if (c->to16 != NULL)
            c->to16(b->f32, b->h, b->n);
        else
            c->to32(b->h, b->f32, b->n);
    }
    return (now_ms() - t0) * 1e3 / (double)calls;
}

/* The median of reps runs with gi_cpu_portable = portable. */
static double median_us(const conv *c, const buffers *b, int portable,
                        int reps)
{
    double t[MAX_REPS];
    gi_cpu_portable = portable;
    time_once(c, b);
    for (int r = 0; r < reps; ++r)
        t[r] = time_once(c, b);
    gi_cpu_portable = 0;
    return median(t, reps);
}

/* The input: a normal(0, 1) fill, as a 16-bit fill's store sees. */
static void fill_input(float *x, int64_t n)
{
    gi_context ctx = NULL;
    gi_tensor t = NULL;
    TRY(gi_context_create(&ctx, GI_DEVICE_CPU));
    TRY(gi_tensor_create(&t, ctx, GI_F32, 1, &n));
    TRY(gi_normal_(t, 0.0f, 1.0f, NULL));
    TRY(gi_tensor_copy_to_host(t, x, (size_t)n * sizeof *x));
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

int main(int argc, char **argv)
{
    int reps = 11, log2n = 24;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--reps") == 0)
            reps = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--log2") == 0)
            log2n = atoi(argv[i + 1]);
    }
    if (reps < 1 || reps > MAX_REPS || log2n < 4 || log2n > 30) {
        fprintf(stderr, "usage: %s [--reps 1..%d] [--log2 4..30]\n", argv[0],
                MAX_REPS);
        return 2;
    }
    buffers b = {.n = (int64_t)1 << log2n};
    b.f32 = malloc((size_t)b.n * sizeof *b.f32);
    b.h = malloc((size_t)b.n * sizeof *b.h);
    if (b.f32 == NULL || b.h == NULL) {
        fprintf(stderr, "bench: out of memory\n");
        return 1;
    }
    fill_input(b.f32, b.n);
    const conv convs[] = {
        {"f32->f16", gi_cpu_f32_to_f16, NULL},
        {"f32->bf16", gi_cpu_f32_to_bf16, NULL},
        {"f16->f32", NULL, gi_cpu_f16_to_f32},
        {"bf16->f32", NULL, gi_cpu_bf16_to_f32},
    };
    print_machine(0);
    printf("conversion throughput, one thread, 2^%d elements, median of %d "
           "runs\n\n%-10s %10s %8s %10s %8s %8s\n", log2n, reps, "",
           "vector us", "GB/s", "portable", "GB/s", "ratio");
    const double bytes = (double)b.n * (sizeof *b.f32 + sizeof *b.h);
    for (size_t k = 0; k < sizeof convs / sizeof convs[0]; ++k) {
        double vec = median_us(&convs[k], &b, 0, reps);
        double port = median_us(&convs[k], &b, 1, reps);
        printf("%-10s %10.3f %8.2f %10.3f %8.2f %7.2fx\n", convs[k].name, vec,
               bytes / vec / 1e3, port, bytes / port / 1e3, port / vec);
    }
    free(b.f32);
    free(b.h);
    return 0;
}
