/*
 * A tensor-parallel pair of layers over the ranks of an MPI job, as
 * Megatron-style training splits a transformer's MLP:
 * Sequential(Linear(F, F), ReLU(), Linear(F, F)) with the first Linear
 * column-parallel (each rank holds a block of its outputs: rows of its
 * weight, the matching bias entries) and the second row-parallel (a block
 * of its inputs: columns of its weight, the bias whole). Every rank
 * creates only its part, initialized as nn.Linear initializes the whole
 * layer (kaiming_uniform with a = sqrt(5), bounds from the global fan-in);
 * then the parts' weights are re-initialized with xavier_uniform_ as a
 * program would (the biases keep nn.Linear's), and the model is saved into one safetensors file that
 * every rank writes its bytes of. The program prints a checksum of each
 * whole parameter and of the model: the same for every number of ranks.
 *
 * Usage: mpiexec -n N tp_linear [--features F] [--seed S] [--device cpu|cuda]
 *                               [OUT.safetensors]
 * (defaults: F = 4096, S = 0, cpu, tp_model.safetensors; with cuda, rank r
 * uses GPU r, or GPU 0 where there is no GPU r). In Python, on one process:
 *   net = nn.Sequential(nn.Linear(F, F), nn.ReLU(), nn.Linear(F, F))
 *   net.load_state_dict(safetensors.torch.load_file("tp_model.safetensors"))
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ginit_mpi.h>

typedef struct options {
    int64_t features;
    uint64_t seed;
    gi_device device;
    const char *out;
} options;

static int rank, nranks;

static int usage(void)
{
    if (rank == 0)
        fprintf(stderr, "usage: tp_linear [--features F] [--seed S] "
                        "[--device cpu|cuda] [OUT.safetensors]\n");
    return 2;
}

static int parse(int argc, char **argv, options *o)
{
    *o = (options){4096, 0, GI_DEVICE_CPU, "tp_model.safetensors"};
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (strcmp(a, "--features") == 0 && v != NULL) {
            o->features = strtoll(v, &end, 10);
            if (*end != '\0' || o->features < 1)
                return usage();
            ++i;
        } else if (strcmp(a, "--seed") == 0 && v != NULL) {
            o->seed = strtoull(v, &end, 10);
            if (*end != '\0')
                return usage();
            ++i;
        } else if (strcmp(a, "--device") == 0 && v != NULL) {
            if (strcmp(v, "cpu") != 0 && strcmp(v, "cuda") != 0)
                return usage();
            o->device = strcmp(v, "cpu") == 0 ? GI_DEVICE_CPU
                                               : GI_DEVICE_CUDA;
            ++i;
        } else if (a[0] != '-') {
            o->out = a;
        } else {
            return usage();
        }
    }
    return 0;
}

/* A failed call stops the job: a call that fails on one rank alone (out
 * of memory) would leave the others waiting in the next collective call.
 * ginit_mpi's own calls fail on every rank alike. */
#define TRY(call)                                                             \
    do {                                                                      \
        if ((call) != GI_OK) {                                                \
            fprintf(stderr, "tp_linear: rank %d: %s\n", rank,                 \
                    gi_last_error());                                         \
            MPI_Abort(MPI_COMM_WORLD, 1);                                     \
        }                                                                     \
    } while (0)

/* The CPU, or GPU `rank` when there is one (else GPU 0): one GPU a rank
 * on a multi-GPU machine. */
static gi_status open_context(gi_context *ctx, gi_device device)
{
    if (device == GI_DEVICE_CPU)
        return gi_context_create(ctx, GI_DEVICE_CPU);
    if (gi_context_create_on(ctx, GI_DEVICE_CUDA, rank) == GI_OK)
        return GI_OK;
    return gi_context_create_on(ctx, GI_DEVICE_CUDA, 0);
}

typedef struct sums {
    uint64_t model;
    int index;
} sums;

/* Each parameter's checksum, from the ranks' shards of it; the model's
 * is a sum of the parameters' weighted by their position. */
static gi_status print_sum(const char *name, gi_tensor p, void *user)
{
    sums *s = user;
    uint64_t sum = 0;
    gi_status st = gi_mpi_check_shards(p, MPI_COMM_WORLD, &sum);
    if (st != GI_OK)
        return st;
    s->model += sum * (uint64_t)(2 * s->index + 1);
    s->index++;
    gi_shard_info info;
    gi_tensor_shard_info(p, &info);
    char shape[64] = "";
    for (int d = 0; d < info.global_ndim; ++d)
        snprintf(shape + strlen(shape), sizeof shape - strlen(shape),
                 "%s%lld", d ? ", " : "", (long long)info.global_shape[d]);
    if (rank == 0)
        printf("%-9s [%s]%*s checksum %016llx\n", name, shape,
               (int)(12 - strlen(shape)), "", (unsigned long long)sum);
    return GI_OK;
}

static int run(const options *o)
{
    gi_context ctx = NULL;
    TRY(open_context(&ctx, o->device));
    TRY(gi_manual_seed(ctx, o->seed));
    gi_module fc1 = NULL, relu = NULL, fc2 = NULL, net = NULL;
    TRY(gi_mpi_linear_create(&fc1, ctx, MPI_COMM_WORLD, o->features,
                             o->features, 1, GI_F32, GI_LINEAR_COLUMN));
    TRY(gi_relu_create(&relu, ctx));
    TRY(gi_mpi_linear_create(&fc2, ctx, MPI_COMM_WORLD, o->features,
                             o->features, 1, GI_F32, GI_LINEAR_ROW));
    TRY(gi_sequential_create(&net, ctx, 3, (gi_module[]){fc1, relu, fc2}));
    /* A program's own initialization: xavier_uniform_ weights (the
     * biases keep nn.Linear's), each rank filling its shards, with no
     * communication. */
    const gi_init weight = {.kind = GI_INIT_XAVIER_UNIFORM, .a = 1};
    TRY(gi_module_init_(net, &weight, NULL, NULL));
    TRY(gi_mpi_module_save_safetensors(net, o->out, 0, NULL,
                                       MPI_COMM_WORLD));
    sums s = {0, 0};
    TRY(gi_module_named_parameters(net, print_sum, &s));
    if (rank == 0)
        printf("model     %lld parameters on %d rank(s)  checksum "
               "%016llx  saved to %s\n",
               (long long)(2 * o->features * o->features + 2 * o->features),
               nranks, (unsigned long long)s.model, o->out);
    gi_module_destroy(net);
    gi_context_destroy(ctx);
    return 0;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    options o;
    int rc = parse(argc, argv, &o);
    if (rc == 0)
        rc = run(&o);
    MPI_Finalize();
    return rc;
}
