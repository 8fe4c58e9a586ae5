/*
 * examples/caller_memory against ginit's own modules: the program keeps
 * every parameter in one allocation of its own (device memory on a GPU, on
 * a stream of its own), initializes them as nn.Linear does, and saves them
 * as safetensors. Its file must load strictly into
 * Sequential(Linear(4, 8), ReLU(), Linear(8, 1)) and hold the very bits
 * that tree gets when it is built after the same manual_seed: the views of
 * one buffer draw what the modules draw.
 *
 * GINIT_CALLER_MEMORY_PATH: the example's executable.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <unistd.h>

#include "test_helpers.h"

#ifndef GINIT_CALLER_MEMORY_PATH
#error "define GINIT_CALLER_MEMORY_PATH to the caller_memory example"
#endif

static gi_module model(gi_context ctx)
{
    gi_module kids[3] = {NULL, NULL, NULL}, net = NULL;
    cr_assert_eq(gi_linear_create(&kids[0], ctx, 4, 8, 1, GI_F32), GI_OK);
    cr_assert_eq(gi_relu_create(&kids[1], ctx), GI_OK);
    cr_assert_eq(gi_linear_create(&kids[2], ctx, 8, 1, 1, GI_F32), GI_OK);
    cr_assert_eq(gi_sequential_create(&net, ctx, 3, kids), GI_OK);
    return net;
}

static gi_status collect(const char *name, gi_tensor p, void *user)
{
    (void)name;
    gi_tensor *next = *(gi_tensor **)user;
    *next = p;
    *(gi_tensor **)user = next + 1;
    return GI_OK;
}

Test(example, caller_memory_saves_what_the_modules_draw)
{
    char dir[] = "/tmp/ginit-example-XXXXXX", path[64], cmd[512];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    snprintf(cmd, sizeof cmd, "'%s' --seed 3 '%s' >/dev/null",
             GINIT_CALLER_MEMORY_PATH, path);
    cr_assert_eq(system(cmd), 0, "%s failed", cmd);

    gi_context ctx = any_context();
    cr_assert_eq(gi_manual_seed(ctx, 3), GI_OK);
    gi_module want = model(ctx);
    cr_assert_eq(gi_manual_seed(ctx, 99), GI_OK);
    gi_module got = model(ctx);
    cr_assert_eq(gi_module_load_safetensors(got, path), GI_OK, "%s",
                 gi_last_error());
    gi_tensor pw[4], pg[4], *cur = pw;
    cr_assert_eq(gi_module_named_parameters(want, collect, &cur), GI_OK);
    cur = pg;
    cr_assert_eq(gi_module_named_parameters(got, collect, &cur), GI_OK);
    for (int i = 0; i < 4; ++i) {
        float *a = to_host(pw[i]), *b = to_host(pg[i]);
        cr_expect_eq(memcmp(a, b, (size_t)gi_tensor_numel(pw[i]) * 4), 0,
                     "parameter %d", i);
        free(a);
        free(b);
    }
    gi_module_destroy(want);
    gi_module_destroy(got);
    gi_context_destroy(ctx);
    unlink(path);
    rmdir(dir);
}
