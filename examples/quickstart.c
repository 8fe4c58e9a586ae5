/* The README's example, built with the project so it stays true. */
#include <ginit.h>
#include <stdio.h>

int main(void)
{
    gi_context ctx;
    gi_tensor w;
    const int64_t shape[] = {8, 4};                 /* out x in, like nn.Linear */
    if (gi_context_create(&ctx, GI_DEVICE_AUTO) != GI_OK) {  /* GPU or CPU */
        fprintf(stderr, "%s\n", gi_last_error());
        return 1;
    }
    printf("%s\n", gi_context_device_info(ctx));    /* which device, and why */
    gi_manual_seed(ctx, 42);                        /* torch.manual_seed(42) */
    gi_tensor_create(&w, ctx, GI_F32, 2, shape);
    gi_uniform_(w, -10.0f, 10.0f, NULL);            /* nn.init.uniform_(w, -10, 10) */
    gi_mul_mask_(w, GI_ABS_GE, 5.0f);               /* w *= w.abs() >= 5 */
    const int64_t origin[] = {0, 0};
    gi_tensor_set(w, 2, origin, 42.0f);             /* w[0, 0] = 42 */
    gi_tensor_print(w, stdout);                     /* print(w), PyTorch's format */
    gi_tensor_destroy(w);
    gi_context_destroy(ctx);
    return 0;
}
