/* Links an installed ginit and fills a tensor: proves the package works. */
#include <ginit.h>
#include <stdio.h>

int main(void)
{
    if (gi_version_number() != GINIT_VERSION_NUMBER) {
        fprintf(stderr, "consumer: compiled for ginit %d, loaded %s\n",
                GINIT_VERSION_NUMBER, gi_version());
        return 1;
    }
    gi_context ctx = NULL;
    gi_tensor w = NULL;
    const int64_t shape[] = {2, 3};
    if (gi_context_create(&ctx, GI_DEVICE_AUTO) != GI_OK ||
        gi_tensor_create(&w, ctx, GI_F32, 2, shape) != GI_OK ||
        gi_uniform_(w, -1.0f, 1.0f, NULL) != GI_OK ||
        gi_tensor_print(w, stdout) != GI_OK) {
        fprintf(stderr, "consumer: %s\n", gi_last_error());
        return 1;
    }
    gi_tensor_destroy(w);
    gi_context_destroy(ctx);
    return 0;
}
