#define _POSIX_C_SOURCE 200809L
/* Contexts, device choice, statuses and error messages. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "ginit.h"

Test(context, cpu_context_reports_its_device_and_why)
{
    gi_context ctx = NULL;
    cr_assert_eq(gi_context_create(&ctx, GI_DEVICE_CPU), GI_OK);
    cr_expect_eq(gi_context_device(ctx), GI_DEVICE_CPU);
    cr_expect_str_eq(gi_context_device_info(ctx), "cpu: requested");
    cr_expect_eq(gi_context_synchronize(ctx), GI_OK);
    gi_context_destroy(ctx);
}

Test(context, auto_falls_back_to_cpu_without_a_gpu)
{
    unsetenv("GINIT_DEVICE");
    gi_context ctx = NULL;
    cr_assert_eq(gi_context_create(&ctx, GI_DEVICE_AUTO), GI_OK);
    if (gi_cuda_available()) {
        cr_expect_eq(gi_context_device(ctx), GI_DEVICE_CUDA);
        cr_expect(strncmp(gi_context_device_info(ctx), "cuda: ", 6) == 0);
    } else {
        cr_expect_eq(gi_context_device(ctx), GI_DEVICE_CPU);
        const char *info = gi_context_device_info(ctx);
        cr_expect(strncmp(info, "cpu: ", 5) == 0, "%s", info);
        cr_expect(strstr(info, "using cpu") != NULL, "%s", info);
    }
    gi_context_destroy(ctx);
}

Test(context, cuda_request_without_gpu_is_a_clear_error)
{
    if (gi_cuda_available())
        cr_skip_test("a GPU is usable here");
    gi_context ctx = (gi_context)0x1;
    cr_expect_eq(gi_context_create(&ctx, GI_DEVICE_CUDA),
                 GI_ERR_DEVICE_UNAVAILABLE);
    cr_expect_eq(ctx, (gi_context)0x1, "out must be untouched on failure");
    cr_expect(strstr(gi_last_error(), "gi_context_create") != NULL);
    cr_expect(strstr(gi_last_error(), "cuda") != NULL, "%s", gi_last_error());
}

Test(context, environment_overrides_auto)
{
    gi_context ctx = NULL;
    setenv("GINIT_DEVICE", "cpu", 1);
    cr_assert_eq(gi_context_create(&ctx, GI_DEVICE_AUTO), GI_OK);
    cr_expect_eq(gi_context_device(ctx), GI_DEVICE_CPU);
    cr_expect_str_eq(gi_context_device_info(ctx), "cpu: GINIT_DEVICE");
    gi_context_destroy(ctx);

    setenv("GINIT_DEVICE", "gpu", 1);
    cr_expect_eq(gi_context_create(&ctx, GI_DEVICE_AUTO),
                 GI_ERR_INVALID_ARGUMENT);
    cr_expect(strstr(gi_last_error(), "GINIT_DEVICE='gpu'") != NULL, "%s",
              gi_last_error());

    setenv("GINIT_DEVICE", "auto", 1);
    cr_assert_eq(gi_context_create(&ctx, GI_DEVICE_AUTO), GI_OK);
    gi_context_destroy(ctx);

    setenv("GINIT_DEVICE", "cuda", 1); /* an explicit CPU request wins */
    cr_assert_eq(gi_context_create(&ctx, GI_DEVICE_CPU), GI_OK);
    cr_expect_eq(gi_context_device(ctx), GI_DEVICE_CPU);
    gi_context_destroy(ctx);
    unsetenv("GINIT_DEVICE");
}

/* GINIT_DEVICE= (set, but empty) is the same as unset: AUTO decides. */
Test(context, empty_environment_variable_counts_as_unset)
{
    gi_context unset = NULL, empty = NULL;
    unsetenv("GINIT_DEVICE");
    cr_assert_eq(gi_context_create(&unset, GI_DEVICE_AUTO), GI_OK);
    setenv("GINIT_DEVICE", "", 1);
    cr_assert_eq(gi_context_create(&empty, GI_DEVICE_AUTO), GI_OK, "%s",
                 gi_last_error());
    unsetenv("GINIT_DEVICE");
    cr_expect_eq(gi_context_device(empty), gi_context_device(unset));
    cr_expect_str_eq(gi_context_device_info(empty),
                     gi_context_device_info(unset));
    gi_context_destroy(empty);
    gi_context_destroy(unset);
}

Test(context, bad_arguments)
{
    cr_expect_eq(gi_context_create(NULL, GI_DEVICE_CPU), GI_ERR_NULL_ARGUMENT);
    cr_expect_str_eq(gi_last_error(), "gi_context_create: argument 'out' is NULL");
    gi_context ctx = NULL;
    cr_expect_eq(gi_context_create(&ctx, (gi_device)7), GI_ERR_INVALID_ARGUMENT);
    cr_expect_null(ctx);
    cr_expect_str_eq(gi_last_error(),
                     "gi_context_create: argument 'device' has unknown value 7");
    cr_expect_eq(gi_context_synchronize(NULL), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_context_set_num_threads(NULL, 1), GI_ERR_NULL_ARGUMENT);
    cr_assert_eq(gi_context_create(&ctx, GI_DEVICE_CPU), GI_OK);
    cr_expect_eq(gi_context_set_num_threads(ctx, -1), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_context_set_num_threads(ctx, 3), GI_OK);
    gi_context_destroy(ctx);
}

Test(context, destroy_and_queries_accept_null)
{
    gi_context_destroy(NULL);
    gi_generator_destroy(NULL);
    gi_tensor_destroy(NULL);
    cr_expect_eq(gi_context_device(NULL), GI_DEVICE_CPU);
    cr_expect_str_eq(gi_context_device_info(NULL), "");
    cr_expect_null(gi_context_generator(NULL));
}

Test(context, tensors_keep_their_context_alive)
{
    gi_context ctx = NULL;
    gi_tensor t = NULL;
    const int64_t shape[] = {3};
    cr_assert_eq(gi_context_create(&ctx, GI_DEVICE_CPU), GI_OK);
    cr_assert_eq(gi_tensor_create(&t, ctx, GI_F32, 1, shape), GI_OK);
    gi_context_destroy(ctx);
    cr_expect_eq(gi_fill_(t, 2.0f), GI_OK);
    double v = 0;
    const int64_t i[] = {2};
    cr_expect_eq(gi_tensor_get(t, 1, i, &v), GI_OK);
    cr_expect_eq(v, 2.0f);
    gi_tensor_destroy(t);
}

Test(status, every_status_has_a_name_and_text)
{
#define CHECK_STATUS_(name, value, text)                                      \
    cr_expect_str_eq(gi_status_name(name), #name);                            \
    cr_expect_str_eq(gi_status_string(name), text);                           \
    cr_expect_eq((int)name, value);
    GI_STATUS_LIST(CHECK_STATUS_)
#undef CHECK_STATUS_
    cr_expect_str_eq(gi_status_string((gi_status)999), "unknown status");
    cr_expect_str_eq(gi_status_name((gi_status)-1), "GI_UNKNOWN_STATUS");
}

Test(status, version_is_the_headers)
{
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", GINIT_VERSION_MAJOR,
             GINIT_VERSION_MINOR, GINIT_VERSION_PATCH);
    cr_expect_str_eq(gi_version(), want);
    cr_expect_eq(gi_version_number(), GINIT_VERSION_NUMBER);
    cr_expect_eq(GINIT_VERSION_NUMBER, GINIT_VERSION_MAJOR * 10000 +
                                           GINIT_VERSION_MINOR * 100 +
                                           GINIT_VERSION_PATCH);
}

Test(status, names_of_devices_and_dtypes)
{
    cr_expect_str_eq(gi_device_name(GI_DEVICE_AUTO), "auto");
    cr_expect_str_eq(gi_device_name(GI_DEVICE_CPU), "cpu");
    cr_expect_str_eq(gi_device_name(GI_DEVICE_CUDA), "cuda");
    cr_expect_str_eq(gi_device_name((gi_device)9), "unknown");
    cr_expect_str_eq(gi_dtype_name(GI_F32), "float32");
    cr_expect_str_eq(gi_dtype_name(GI_BF16), "bfloat16");
    cr_expect_str_eq(gi_dtype_name((gi_dtype)9), "unknown");
}

Test(status, last_error_is_per_thread_and_survives_success)
{
    cr_expect_eq(gi_manual_seed(NULL, 1), GI_ERR_NULL_ARGUMENT);
    cr_expect_str_eq(gi_last_error(), "gi_manual_seed: argument 'ctx' is NULL");
    gi_context ctx = NULL;
    cr_assert_eq(gi_context_create(&ctx, GI_DEVICE_CPU), GI_OK);
    cr_expect_str_eq(gi_last_error(), "gi_manual_seed: argument 'ctx' is NULL");
    gi_context_destroy(ctx);
}
