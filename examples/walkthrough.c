/*
 * The parameter-initialization walkthrough, cell by cell, on the default
 * device (the GPU when one is usable, else the CPU):
 *
 *   walkthrough [--seed N] [--device auto|cpu|cuda]
 *
 * The same seed prints the same numbers on the CPU and the GPU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ginit.h"

/* Stops the walkthrough with the library's message when a call fails. */
#define TRY(call)                                                             \
    do {                                                                      \
        gi_status st_ = (call);                                               \
        if (st_ != GI_OK) {                                                   \
            fprintf(stderr, "walkthrough: %s: %s\n", gi_status_name(st_),     \
                    gi_last_error());                                         \
            exit(1);                                                          \
        }                                                                     \
    } while (0)

typedef struct options {
    uint64_t seed;
    gi_device device;
} options;

static void usage(const char *prog)
{
    fprintf(stderr, "usage: %s [--seed N] [--device auto|cpu|cuda]\n", prog);
    exit(2);
}

static options parse(int argc, char **argv)
{
    options o = {0, GI_DEVICE_AUTO};
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            char *end;
            o.seed = strtoull(argv[++i], &end, 0);
            if (*end != '\0')
                usage(argv[0]);
        } else if (strcmp(argv[i], "--device") == 0 && i + 1 < argc) {
            const char *d = argv[++i];
            if (strcmp(d, "auto") == 0)
                o.device = GI_DEVICE_AUTO;
            else if (strcmp(d, "cpu") == 0)
                o.device = GI_DEVICE_CPU;
            else if (strcmp(d, "cuda") == 0)
                o.device = GI_DEVICE_CUDA;
            else
                usage(argv[0]);
        } else {
            usage(argv[0]);
        }
    }
    return o;
}

/* print(t[i]) */
static void print_row(gi_tensor t, int64_t i)
{
    gi_tensor row = NULL;
    TRY(gi_tensor_select(&row, t, i));
    TRY(gi_tensor_print(row, stdout));
    gi_tensor_destroy(row);
}

/* print(t[:rows]) */
static void print_rows(gi_tensor t, int64_t rows)
{
    gi_tensor top = NULL;
    TRY(gi_tensor_slice(&top, t, 0, rows));
    TRY(gi_tensor_print(top, stdout));
    gi_tensor_destroy(top);
}

int main(int argc, char **argv)
{
    options o = parse(argc, argv);
    gi_context ctx = NULL;
    TRY(gi_context_create(&ctx, o.device));
    printf("device: %s\n", gi_context_device_info(ctx));
    TRY(gi_manual_seed(ctx, o.seed));

    printf("\n# X = torch.rand(2, 4)\n");
    const int64_t x_shape[] = {2, 4};
    gi_tensor X = NULL;
    TRY(gi_rand(&X, ctx, 2, x_shape, NULL));
    TRY(gi_tensor_print(X, stdout));
    TRY(gi_tensor_print_shape(X, stdout));

    printf("\n# W = torch.empty(8, 4); nn.init.normal_(W, 0, 0.01); W[0]\n");
    const int64_t w_shape[] = {8, 4};
    gi_tensor W = NULL;
    TRY(gi_tensor_create(&W, ctx, GI_F32, 2, w_shape));
    TRY(gi_normal_(W, 0.0f, 0.01f, NULL));
    print_row(W, 0);

    printf("\n# nn.init.constant_(W, 1); W[0]\n");
    TRY(gi_constant_(W, 1.0f));
    print_row(W, 0);

    printf("\n# nn.init.uniform_(W, -10, 10); W *= W.abs() >= 5; W[:2]\n");
    TRY(gi_uniform_(W, -10.0f, 10.0f, NULL));
    TRY(gi_mul_mask_(W, GI_ABS_GE, 5.0f));
    print_rows(W, 2);

    printf("\n# W[:] += 1; W[0, 0] = 42; W[0]\n");
    TRY(gi_add_scalar_(W, 1.0f));
    const int64_t origin[] = {0, 0};
    TRY(gi_tensor_set(W, 2, origin, 42.0f));
    print_row(W, 0);

    printf("\n# torch.randn(3, 5) from an explicit generator, stream 1\n");
    gi_generator gen = NULL;
    TRY(gi_generator_create(&gen, o.seed));
    TRY(gi_generator_set_stream(gen, 1));
    const int64_t r_shape[] = {3, 5};
    gi_tensor R = NULL;
    TRY(gi_randn(&R, ctx, 2, r_shape, gen));
    TRY(gi_tensor_print(R, stdout));
    printf("generator offset after the fill: %llu\n",
           (unsigned long long)gi_generator_offset(gen));

    gi_tensor_destroy(R);
    gi_generator_destroy(gen);
    gi_tensor_destroy(W);
    gi_tensor_destroy(X);
    gi_context_destroy(ctx);
    return 0;
}
