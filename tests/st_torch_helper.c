/* ginit's side of the PyTorch round trips (safetensors_torch.py):
 *   st_torch_helper save-tree PATH    saves Sequential(Linear(4, 8), ReLU(),
 *                                     Linear(8, 3)) seeded 0 and prints
 *                                     its forward of a fixed input
 *   st_torch_helper save-dtypes PATH  saves a tensor of each dtype, a 0-D
 *                                     and an empty one, with metadata
 *   st_torch_helper dump PATH KEY...  prints every tensor of the file and
 *                                     the metadata values of KEY...
 *   st_torch_helper load-index INDEX  loads the save-tree model through a
 *                                     sharded checkpoint's index and
 *                                     prints its parameters
 * Tensors print as "name dtype shape hex-bytes" (shape "2,3", "-" for
 * 0-D; bytes as stored, little-endian), one a line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ginit.h"

static int fail(const char *what)
{
    fprintf(stderr, "st_torch_helper: %s: %s\n", what, gi_last_error());
    return 1;
}

static void print_tensor(const char *name, gi_tensor t)
{
    gi_dtype dt = gi_tensor_dtype(t);
    size_t bytes = (size_t)gi_tensor_numel(t) *
                   (dt == GI_F64 ? 8 : dt == GI_F32 ? 4 : 2);
    unsigned char *h = malloc(bytes + 1);
    if (h == NULL || gi_tensor_copy_to_host(t, h, bytes) != GI_OK) {
        free(h);
        printf("%s error\n", name);
        return;
    }
    printf("%s %s ", name, gi_dtype_name(dt));
    for (int d = 0; d < gi_tensor_ndim(t); ++d)
        printf("%s%lld", d ? "," : "", (long long)gi_tensor_size(t, d));
    printf("%s ", gi_tensor_ndim(t) == 0 ? "-" : "");
    for (size_t i = 0; i < bytes; ++i)
        printf("%02x", h[i]);
    printf("%s\n", bytes == 0 ? "-" : "");
    free(h);
}

static int save_tree(gi_context ctx, const char *path)
{
    gi_module kids[3] = {NULL, NULL, NULL}, net = NULL;
    gi_tensor x = NULL, y = NULL;
    const int64_t xs[] = {3, 4};
    if (gi_manual_seed(ctx, 0) != GI_OK ||
        gi_linear_create(&kids[0], ctx, 4, 8, 1, GI_F32) != GI_OK ||
        gi_relu_create(&kids[1], ctx) != GI_OK ||
        gi_linear_create(&kids[2], ctx, 8, 3, 1, GI_F32) != GI_OK ||
        gi_sequential_create(&net, ctx, 3, kids) != GI_OK)
        return fail("building the tree");
    float in[12];
    for (int i = 0; i < 12; ++i)
        in[i] = (float)i / 4 - 1;
    int rc = 0;
    if (gi_module_save_safetensors(net, path, 0, NULL) != GI_OK)
        rc = fail("gi_module_save_safetensors");
    else if (gi_tensor_create(&x, ctx, GI_F32, 2, xs) != GI_OK ||
             gi_tensor_copy_from_host(x, in, sizeof in) != GI_OK ||
             gi_module_forward(net, x, &y) != GI_OK)
        rc = fail("forward");
    else
        print_tensor("forward", y);
    gi_tensor_destroy(y);
    gi_tensor_destroy(x);
    gi_module_destroy(net);
    return rc;
}

static int save_dtypes(gi_context ctx, const char *path)
{
    static const gi_dtype dts[] = {GI_F32, GI_F64, GI_F16, GI_BF16};
    static const char *const names[] = {"f32", "f64", "f16", "bf16",
                                        "scalar", "empty"};
    const int64_t shape[] = {3, 5}, empty[] = {0, 2};
    gi_tensor ts[6] = {NULL};
    int rc = 0;
    for (int i = 0; i < 6 && rc == 0; ++i) {
        gi_dtype dt = i < 4 ? dts[i] : i == 4 ? GI_F64 : GI_BF16;
        int ndim = i == 4 ? 0 : 2;
        if (gi_tensor_create(&ts[i], ctx, dt, ndim, i == 5 ? empty : shape) !=
                GI_OK ||
            gi_normal_(ts[i], 0, 1, NULL) != GI_OK)
            rc = fail("making the tensors");
    }
    const gi_metadata meta[] = {{"format", "pt"}, {"made by", "ginit"}};
    if (rc == 0 && gi_save_safetensors(path, 6, names, ts, 2, meta) != GI_OK)
        rc = fail("gi_save_safetensors");
    for (int i = 0; i < 6; ++i) {
        if (rc == 0)
            print_tensor(names[i], ts[i]);
        gi_tensor_destroy(ts[i]);
    }
    return rc;
}

static gi_status print_param(const char *name, gi_tensor p, void *user)
{
    (void)user;
    print_tensor(name, p);
    return GI_OK;
}

static int load_index(gi_context ctx, const char *index)
{
    gi_module kids[3] = {NULL, NULL, NULL}, net = NULL;
    if (gi_linear_create(&kids[0], ctx, 4, 8, 1, GI_F32) != GI_OK ||
        gi_relu_create(&kids[1], ctx) != GI_OK ||
        gi_linear_create(&kids[2], ctx, 8, 3, 1, GI_F32) != GI_OK ||
        gi_sequential_create(&net, ctx, 3, kids) != GI_OK)
        return fail("building the tree");
    int rc = 0;
    if (gi_module_load_safetensors_index(net, index) != GI_OK)
        rc = fail("gi_module_load_safetensors_index");
    else
        gi_module_named_parameters(net, print_param, NULL);
    gi_module_destroy(net);
    return rc;
}

static int dump(gi_context ctx, const char *path, int nkeys, char **keys)
{
    gi_safetensors f = NULL;
    if (gi_safetensors_open(&f, path) != GI_OK)
        return fail("gi_safetensors_open");
    int rc = 0;
    for (int64_t i = 0; i < gi_safetensors_count(f) && rc == 0; ++i) {
        const char *name = gi_safetensors_name(f, i);
        gi_tensor t = NULL;
        if (gi_safetensors_load_tensor(f, name, ctx, &t) != GI_OK)
            rc = fail(name);
        else
            print_tensor(name, t);
        gi_tensor_destroy(t);
    }
    for (int k = 0; k < nkeys && rc == 0; ++k) {
        const char *v = gi_safetensors_metadata(f, keys[k]);
        printf("meta %s=%s\n", keys[k], v != NULL ? v : "(absent)");
    }
    gi_safetensors_close(f);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s save-tree|save-dtypes|dump|load-index "
                        "PATH [KEY...]\n", argv[0]);
        return 2;
    }
    gi_context ctx = NULL;
    if (gi_context_create(&ctx, GI_DEVICE_AUTO) != GI_OK)
        return fail("gi_context_create");
    int rc = strcmp(argv[1], "save-tree") == 0     ? save_tree(ctx, argv[2])
             : strcmp(argv[1], "save-dtypes") == 0 ? save_dtypes(ctx, argv[2])
             : strcmp(argv[1], "dump") == 0
                 ? dump(ctx, argv[2], argc - 3, argv + 3)
             : strcmp(argv[1], "load-index") == 0 ? load_index(ctx, argv[2])
                                                  : 2;
    gi_context_destroy(ctx);
    return rc;
}
