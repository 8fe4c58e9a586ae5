/*
 * The parameter-initialization chapter, cell by cell, on the default device
 * (the GPU when one is usable, else the CPU), printing what PyTorch prints:
 *
 *   walkthrough [--seed N] [--device auto|cpu|cuda] [--torch-compat]
 *
 * The same seed prints the same numbers on the CPU and the GPU. With
 * --torch-compat the context draws from PyTorch's CPU generator instead of
 * Philox, and the walkthrough prints what the chapter prints in plain
 * PyTorch after torch.manual_seed(N), leaving out the last cell (ginit's
 * fused mixture_, which PyTorch has no counterpart for).
 */
#include <errno.h>
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
    int torch_compat;
} options;

static void usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s [--seed N] [--device auto|cpu|cuda] [--torch-compat]\n",
            prog);
    exit(2);
}

static options parse(int argc, char **argv)
{
    options o = {0, GI_DEVICE_AUTO, 0};
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            const char *text = argv[++i];
            char *end;
            errno = 0;
            o.seed = strtoull(text, &end, 0);
            if (end == text || *end != '\0' || errno == ERANGE)
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
        } else if (strcmp(argv[i], "--torch-compat") == 0) {
            o.torch_compat = 1;
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

static gi_module child(gi_module net, int64_t i)
{
    gi_module c = NULL;
    TRY(gi_module_child(net, i, &c));
    return c;
}

/* The chapter's initializers, as apply() callbacks: each acts on Linear
 * modules only, like `if type(m) == nn.Linear:`. */
static gi_status init_normal(gi_module m, void *user)
{
    (void)user;
    if (gi_module_kind_of(m) != GI_MODULE_LINEAR)
        return GI_OK;
    /* 0.01 as Python passes it: PyTorch's normal_ of fewer than 16
     * elements computes with the double */
    gi_status st = gi_normal_(gi_module_weight(m), 0.0, 0.01, NULL);
    return st != GI_OK ? st : gi_zeros_(gi_module_bias(m));
}

static gi_status init_constant(gi_module m, void *user)
{
    (void)user;
    if (gi_module_kind_of(m) != GI_MODULE_LINEAR)
        return GI_OK;
    gi_status st = gi_constant_(gi_module_weight(m), 1.0f);
    return st != GI_OK ? st : gi_zeros_(gi_module_bias(m));
}

static gi_status init_xavier(gi_module m, void *user)
{
    (void)user;
    if (gi_module_kind_of(m) != GI_MODULE_LINEAR)
        return GI_OK;
    return gi_xavier_uniform_(gi_module_weight(m), 1.0f, NULL);
}

static gi_status init_42(gi_module m, void *user)
{
    (void)user;
    if (gi_module_kind_of(m) != GI_MODULE_LINEAR)
        return GI_OK;
    return gi_constant_(gi_module_weight(m), 42.0f);
}

/* print("Init", *[(name, param.shape) for ...][0]): the first parameter. */
static gi_status print_first_param(const char *name, gi_tensor p, void *user)
{
    (void)user;
    printf("Init %s ", name);
    gi_status st = gi_tensor_print_shape(p, stdout);
    return st != GI_OK ? st : GI_ERR_STATE; /* stop after the first */
}

static gi_status my_init(gi_module m, void *user)
{
    (void)user;
    if (gi_module_kind_of(m) != GI_MODULE_LINEAR)
        return GI_OK;
    gi_status st = gi_module_named_parameters(m, print_first_param, NULL);
    if (st != GI_ERR_STATE)
        return st;
    gi_tensor w = gi_module_weight(m);
    st = gi_uniform_(w, -10.0f, 10.0f, NULL);
    return st != GI_OK ? st : gi_mul_mask_(w, GI_ABS_GE, 5.0f);
}

/* my_init's law in one fused pass: U(5, 10) with probability 1/4, 0 with
 * probability 1/2, U(-10, -5) with probability 1/4. */
static gi_status my_init_fused(gi_module m, void *user)
{
    (void)user;
    static const gi_component law[] = {{0.25f, GI_COMPONENT_UNIFORM, 5, 10},
                                       {0.50f, GI_COMPONENT_CONSTANT, 0, 0},
                                       {0.25f, GI_COMPONENT_UNIFORM, -10, -5}};
    if (gi_module_kind_of(m) != GI_MODULE_LINEAR)
        return GI_OK;
    return gi_mixture_(gi_module_weight(m), 3, law, NULL);
}

int main(int argc, char **argv)
{
    options o = parse(argc, argv);
    gi_context ctx = NULL;
    TRY(gi_context_create(&ctx, o.device));
    printf("device: %s\n", gi_context_device_info(ctx));
    if (o.torch_compat)
        TRY(gi_context_set_generator_kind(ctx, GI_GENERATOR_TORCH_CPU));
    TRY(gi_manual_seed(ctx, o.seed));

    printf("\n# net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), "
           "nn.LazyLinear(1))\n# X = torch.rand(size=(2, 4)); net(X).shape\n");
    gi_module layers[3], net = NULL;
    TRY(gi_lazy_linear_create(&layers[0], ctx, 8, 1, GI_F32));
    TRY(gi_relu_create(&layers[1], ctx));
    TRY(gi_lazy_linear_create(&layers[2], ctx, 1, 1, GI_F32));
    TRY(gi_sequential_create(&net, ctx, 3, layers));
    const int64_t x_shape[] = {2, 4};
    gi_tensor X = NULL, Y = NULL;
    TRY(gi_rand(&X, ctx, 2, x_shape, NULL));
    TRY(gi_module_forward(net, X, &Y));
    TRY(gi_tensor_print_shape(Y, stdout));
    TRY(gi_module_print(net, stdout));

    gi_tensor w0 = gi_module_weight(child(net, 0));
    gi_tensor b0 = gi_module_bias(child(net, 0));
    printf("\n# net.apply(init_normal); net[0].weight.data[0], "
           "net[0].bias.data[0]\n");
    TRY(gi_module_apply(net, init_normal, NULL));
    print_row(w0, 0);
    print_row(b0, 0);

    printf("\n# net.apply(init_constant); net[0].weight.data[0], "
           "net[0].bias.data[0]\n");
    TRY(gi_module_apply(net, init_constant, NULL));
    print_row(w0, 0);
    print_row(b0, 0);

    printf("\n# net[0].apply(init_xavier); net[2].apply(init_42)\n"
           "# net[0].weight.data[0]; net[2].weight.data\n");
    TRY(gi_module_apply(child(net, 0), init_xavier, NULL));
    TRY(gi_module_apply(child(net, 2), init_42, NULL));
    print_row(w0, 0);
    TRY(gi_tensor_print(gi_module_weight(child(net, 2)), stdout));

    printf("\n# net.apply(my_init); net[0].weight[:2]\n");
    TRY(gi_module_apply(net, my_init, NULL));
    print_rows(w0, 2);

    printf("\n# net[0].weight.data[:] += 1; net[0].weight.data[0, 0] = 42; "
           "net[0].weight.data[0]\n");
    TRY(gi_add_scalar_(w0, 1.0f));
    const int64_t origin[] = {0, 0};
    TRY(gi_tensor_set(w0, 2, origin, 42.0f));
    print_row(w0, 0);

    if (!o.torch_compat) {
        printf("\n# my_init's distribution as one fused call (ginit's "
               "mixture_)\n# net.apply(my_init_fused); net[0].weight[:2]\n");
        TRY(gi_module_apply(net, my_init_fused, NULL));
        print_rows(w0, 2);
    }

    gi_tensor_destroy(Y);
    gi_tensor_destroy(X);
    gi_module_destroy(net);
    gi_context_destroy(ctx);
    return 0;
}
