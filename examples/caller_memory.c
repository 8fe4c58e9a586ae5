/*
 * A program that owns its memory and its stream, as an inference engine or
 * an llm.c-style trainer does: every parameter of
 * Sequential(Linear(4, 8), ReLU(), Linear(8, 1)) lives in one allocation of
 * the program's; ginit initializes them in place, on the program's CUDA
 * stream when there is a GPU, as PyTorch's nn.Linear would (kaiming_uniform
 * with a = sqrt(5), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))); the program's
 * own code then reads the weights through the pointer, ordered after ginit's
 * work by the stream alone; and the model is saved as safetensors under the
 * names PyTorch's load_state_dict expects.
 *
 * Usage: caller_memory [--device auto|cpu|cuda] [--seed N] [OUT.safetensors]
 * (default model.safetensors). In Python:
 *   net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
 *   net.load_state_dict(safetensors.torch.load_file("model.safetensors"))
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ginit.h>

#ifdef GINIT_EXAMPLE_CUDA
#include <cuda_runtime_api.h>
#endif

#define NPARAMS 4

/* The model's parameters, in the order of named_parameters(). */
static const char *const names[NPARAMS] = {"0.weight", "0.bias", "2.weight",
                                           "2.bias"};
static const int64_t shapes[NPARAMS][2] = {{8, 4}, {8, 0}, {1, 8}, {1, 0}};
static const int64_t fan_in[NPARAMS] = {4, 4, 8, 8};
#define TOTAL (8 * 4 + 8 + 1 * 8 + 1)

/* The program's own buffer and stream: device memory on a GPU. */
typedef struct program {
    int on_gpu;
    void *stream; /* cudaStream_t, NULL on the CPU */
    float *params;
} program;

#define CHECK(call)                                                           \
    do {                                                                      \
        if ((call) != GI_OK) {                                                \
            fprintf(stderr, "caller_memory: %s\n", gi_last_error());          \
            return 1;                                                         \
        }                                                                     \
    } while (0)

/* ginit gives the buffer back here when the last view of it goes. */
static void release_params(void *data, void *user)
{
    program *p = user;
#ifdef GINIT_EXAMPLE_CUDA
    if (p->on_gpu) {
        cudaFree(data);
        p->params = NULL;
        return;
    }
#endif
    free(data);
    p->params = NULL;
}

/* The program's memory and stream, and a context that works on them. */
static int open_program(program *p, const char *device, gi_context *ctx)
{
    memset(p, 0, sizeof *p);
    int want_gpu = strcmp(device, "cuda") == 0 ||
                   (strcmp(device, "auto") == 0 && gi_cuda_available());
#ifdef GINIT_EXAMPLE_CUDA
    if (want_gpu) {
        cudaStream_t s = NULL;
        if (cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking) !=
                cudaSuccess ||
            cudaMalloc((void **)&p->params, TOTAL * sizeof(float)) !=
                cudaSuccess) {
            fprintf(stderr, "caller_memory: no usable GPU\n");
            return 1;
        }
        p->on_gpu = 1;
        p->stream = s;
        CHECK(gi_context_create_on_stream(ctx, 0, s));
        return 0;
    }
#else
    if (want_gpu && strcmp(device, "cuda") == 0) {
        fprintf(stderr, "caller_memory: built without CUDA\n");
        return 1;
    }
#endif
    p->params = malloc(TOTAL * sizeof(float));
    if (p->params == NULL)
        return 1;
    CHECK(gi_context_create(ctx, GI_DEVICE_CPU));
    return 0;
}

/* Every parameter a view of the one buffer, initialized as nn.Linear
 * initializes its own. */
static int init_params(gi_tensor flat, gi_tensor *param)
{
    int64_t first = 0;
    for (int i = 0; i < NPARAMS; ++i) {
        int ndim = shapes[i][1] > 0 ? 2 : 1;
        CHECK(gi_tensor_view_range(&param[i], flat, first, ndim, shapes[i]));
        first += gi_tensor_numel(param[i]);
        if (ndim == 2) {
            CHECK(gi_kaiming_uniform_(param[i], sqrt(5.0), GI_FAN_IN,
                                      GI_NONLIN_LEAKY_RELU, NULL));
        } else {
            double bound = 1.0 / sqrt((double)fan_in[i]);
            CHECK(gi_uniform_(param[i], -bound, bound, NULL));
        }
    }
    return 0;
}

/* The program's own code on its own copy of the weights: on a GPU, a copy
 * queued on the same stream after ginit's fills, which the stream orders
 * after them; no ginit call in between. */
static int report(const program *p)
{
    float host[TOTAL];
#ifdef GINIT_EXAMPLE_CUDA
    if (p->on_gpu) {
        cudaStream_t s = p->stream;
        if (cudaMemcpyAsync(host, p->params, sizeof host,
                            cudaMemcpyDeviceToHost, s) != cudaSuccess ||
            cudaStreamSynchronize(s) != cudaSuccess)
            return 1;
    } else
#endif
        memcpy(host, p->params, sizeof host);
    const float *q = host;
    for (int i = 0; i < NPARAMS; ++i) {
        int64_t n = shapes[i][0] * (shapes[i][1] > 0 ? shapes[i][1] : 1);
        double l1 = 0.0;
        for (int64_t k = 0; k < n; ++k)
            l1 += fabs(q[k]);
        printf("%-8s %2lld values, first %+.6f, mean |w| %.6f\n", names[i],
               (long long)n, q[0], l1 / (double)n);
        q += n;
    }
    return 0;
}

static void close_program(program *p)
{
#ifdef GINIT_EXAMPLE_CUDA
    if (p->stream != NULL)
        cudaStreamDestroy((cudaStream_t)p->stream);
#endif
    (void)p;
}

int main(int argc, char **argv)
{
    const char *device = "auto", *out = "model.safetensors";
    unsigned long long seed = 42;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--device") == 0 && i + 1 < argc)
            device = argv[++i];
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else
            out = argv[i];
    }
    program prog;
    gi_context ctx = NULL;
    if (open_program(&prog, device, &ctx) != 0)
        return 1;
    printf("device: %s\n", gi_context_device_info(ctx));
    CHECK(gi_manual_seed(ctx, seed));

    /* The buffer becomes a tensor; ginit frees it with release_params once
     * the last view is gone. */
    gi_tensor flat = NULL, param[NPARAMS] = {NULL};
    CHECK(gi_tensor_from_blob(&flat, ctx, prog.params, GI_F32, 1,
                              (const int64_t[]){TOTAL}, release_params,
                              &prog));
    if (init_params(flat, param) != 0 || report(&prog) != 0)
        return 1;

    const gi_metadata meta[] = {{"format", "pt"}, {"producer", "ginit"}};
    CHECK(gi_save_safetensors(out, NPARAMS, names, param, 2, meta));
    printf("saved %s\n", out);

    for (int i = 0; i < NPARAMS; ++i)
        gi_tensor_destroy(param[i]);
    gi_tensor_destroy(flat); /* the last view: release_params runs here */
    gi_context_destroy(ctx);
    close_program(&prog);
    return prog.params == NULL ? 0 : 1;
}
