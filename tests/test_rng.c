/* Random fills: the generator contract of docs/rng.md. */
#include <math.h>
#include <string.h>

#include "test_helpers.h"

static int same_bits(const float *a, const float *b, int64_t n)
{
    return memcmp(a, b, (size_t)n * sizeof *a) == 0;
}

Test(rng, uniform_stays_in_half_open_interval)
{
    gi_context ctx = cpu_context();
    gi_tensor t = new_vector(ctx, 1 << 20);
    /* Intervals where rounding of a + (b - a) * u would reach b. */
    const float bounds[][2] = {{0, 1}, {-10, 10}, {1, 1.0000001f},
                               {-1e-30f, 1e30f}, {100, 100.00002f}};
    for (size_t c = 0; c < sizeof bounds / sizeof *bounds; ++c) {
        float a = bounds[c][0], b = bounds[c][1];
        cr_assert_eq(gi_uniform_(t, a, b, NULL), GI_OK);
        float *h = to_host(t);
        for (int64_t i = 0; i < (1 << 20); ++i)
            if (!(h[i] >= a && h[i] < b))
                cr_assert_fail("case %zu: element %lld = %a outside [%a, %a)",
                               c, (long long)i, (double)h[i], (double)a,
                               (double)b);
        free(h);
    }
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(rng, normal_is_always_finite)
{
    gi_context ctx = cpu_context();
    gi_tensor t = new_vector(ctx, 1 << 22);
    cr_assert_eq(gi_normal_(t, 0.0f, 1.0f, NULL), GI_OK);
    float *h = to_host(t);
    float lo = 0, hi = 0;
    for (int64_t i = 0; i < (1 << 22); ++i) {
        cr_assert(isfinite(h[i]), "element %lld", (long long)i);
        lo = fminf(lo, h[i]);
        hi = fmaxf(hi, h[i]);
    }
    cr_expect(lo > -6.7f && hi < 6.7f && lo < -4.5f && hi > 4.5f,
              "range [%g, %g]", (double)lo, (double)hi);
    free(h);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(rng, offset_advances_by_blocks_and_seed_resets_it)
{
    gi_context ctx = cpu_context();
    gi_generator g = gi_context_generator(ctx);
    gi_tensor t = new_vector(ctx, 13);
    cr_expect_eq(gi_manual_seed(ctx, 42), GI_OK);
    cr_expect_eq(gi_uniform_(t, 0, 1, NULL), GI_OK);
    cr_expect_eq(gi_generator_offset(g), 4); /* ceil(13 / 4) */
    cr_expect_eq(gi_normal_(t, 0, 1, NULL), GI_OK);
    cr_expect_eq(gi_generator_offset(g), 8);
    cr_expect_eq(gi_constant_(t, 1), GI_OK);
    cr_expect_eq(gi_uniform_(t, 2, 2, NULL), GI_OK); /* a == b: a constant */
    cr_expect_eq(gi_generator_offset(g), 8);
    cr_expect_eq(gi_manual_seed(ctx, 42), GI_OK);
    cr_expect_eq(gi_generator_offset(g), 0);
    cr_expect_eq(gi_generator_seed(g), 42);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(rng, same_seed_same_values_and_sequence_continues)
{
    gi_context ctx = cpu_context();
    gi_tensor a = new_vector(ctx, 1000), b = new_vector(ctx, 1000);
    gi_manual_seed(ctx, 7);
    cr_assert_eq(gi_normal_(a, 0, 1, NULL), GI_OK);
    cr_assert_eq(gi_normal_(b, 0, 1, NULL), GI_OK);
    float *ha = to_host(a), *hb = to_host(b);
    cr_expect(!same_bits(ha, hb, 1000), "the second call continues the stream");
    gi_manual_seed(ctx, 7);
    cr_assert_eq(gi_normal_(b, 0, 1, NULL), GI_OK);
    free(hb);
    hb = to_host(b);
    cr_expect(same_bits(ha, hb, 1000), "reseeding replays the stream");
    free(ha);
    free(hb);
    gi_tensor_destroy(a);
    gi_tensor_destroy(b);
    gi_context_destroy(ctx);
}

Test(rng, explicit_generators_and_streams_are_independent_of_the_default)
{
    gi_context ctx = cpu_context();
    gi_generator g = NULL, h = NULL;
    cr_assert_eq(gi_generator_create(&g, 5), GI_OK);
    cr_assert_eq(gi_generator_create(&h, 5), GI_OK);
    cr_expect_eq(gi_generator_set_stream(h, 1), GI_OK);
    gi_tensor a = new_vector(ctx, 64), b = new_vector(ctx, 64);
    cr_assert_eq(gi_uniform_(a, 0, 1, g), GI_OK);
    cr_expect_eq(gi_generator_offset(gi_context_generator(ctx)), 0);
    cr_expect_eq(gi_generator_offset(g), 16);
    cr_assert_eq(gi_uniform_(b, 0, 1, h), GI_OK);
    float *ha = to_host(a), *hb = to_host(b);
    cr_expect(!same_bits(ha, hb, 64), "streams differ");
    free(ha);
    free(hb);
    cr_expect_eq(gi_generator_stream(h), 1);
    cr_expect_eq(gi_generator_set_seed(NULL, 1), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_generator_set_stream(NULL, 1), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_generator_set_offset(NULL, 1), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_generator_create(NULL, 1), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_generator_seed(NULL), 0);
    gi_generator_destroy(gi_context_generator(ctx)); /* ignored: not ours */
    gi_generator_destroy(g);
    gi_generator_destroy(h);
    gi_tensor_destroy(a);
    gi_tensor_destroy(b);
    gi_context_destroy(ctx);
}

/* Fills n elements with 1 thread and with 2, 3 and 8: identical bits. */
Test(rng, results_do_not_depend_on_thread_count)
{
    const int64_t n = 1000003;
    gi_context ctx = cpu_context();
    gi_tensor t = new_vector(ctx, n);
    float *ref[2] = {NULL, NULL};
    const int threads[] = {1, 2, 3, 8};
    for (size_t k = 0; k < sizeof threads / sizeof *threads; ++k) {
        cr_assert_eq(gi_context_set_num_threads(ctx, threads[k]), GI_OK);
        for (int law = 0; law < 2; ++law) {
            gi_manual_seed(ctx, 99);
            cr_assert_eq(law ? gi_normal_(t, 1, 2, NULL)
                             : gi_uniform_(t, -3, 3, NULL), GI_OK);
            float *h = to_host(t);
            if (ref[law] == NULL) {
                ref[law] = h;
                continue;
            }
            cr_expect(same_bits(ref[law], h, n), "law %d, %d threads", law,
                      threads[k]);
            free(h);
        }
    }
    free(ref[0]);
    free(ref[1]);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

/* docs/rng.md: a shard starting at element s (a multiple of 4) filled at
 * offset o + s / 4 equals the same elements of one whole fill. */
Test(rng, filling_in_shards_equals_filling_whole)
{
    const int64_t n = 1001, cuts[] = {0, 4, 400, 404, 1000, 1001};
    gi_context ctx = cpu_context();
    gi_tensor whole = new_vector(ctx, n), parts = new_vector(ctx, n);
    gi_generator g = NULL;
    cr_assert_eq(gi_generator_create(&g, 1234), GI_OK);
    for (int law = 0; law < 2; ++law) {
        gi_generator_set_offset(g, 77);
        cr_assert_eq(law ? gi_normal_(whole, 0, 1, g)
                         : gi_uniform_(whole, 0, 1, g), GI_OK);
        for (size_t c = 0; c + 1 < sizeof cuts / sizeof *cuts; ++c) {
            gi_tensor shard = NULL;
            cr_assert_eq(gi_tensor_slice(&shard, parts, cuts[c], cuts[c + 1]),
                         GI_OK);
            gi_generator_set_offset(g, 77 + (uint64_t)cuts[c] / 4);
            cr_assert_eq(law ? gi_normal_(shard, 0, 1, g)
                             : gi_uniform_(shard, 0, 1, g), GI_OK);
            gi_tensor_destroy(shard);
        }
        float *hw = to_host(whole), *hp = to_host(parts);
        cr_expect(same_bits(hw, hp, n), "law %d", law);
        free(hw);
        free(hp);
    }
    gi_generator_destroy(g);
    gi_tensor_destroy(whole);
    gi_tensor_destroy(parts);
    gi_context_destroy(ctx);
}

Test(rng, bad_arguments_leave_tensor_and_generator_unchanged)
{
    gi_context ctx = cpu_context();
    gi_generator g = gi_context_generator(ctx);
    gi_tensor t = new_vector(ctx, 10);
    fill_iota(t);
    gi_generator_set_offset(g, 3);
    cr_expect_eq(gi_uniform_(t, 1, 0, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_str_eq(gi_last_error(),
                     "gi_uniform_: expects a <= b, got a = 1 > b = 0");
    cr_expect_eq(gi_uniform_(t, NAN, 1, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_uniform_(t, 0, INFINITY, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_uniform_(t, -3e38f, 3e38f, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect(strstr(gi_last_error(), "overflows") != NULL);
    cr_expect_eq(gi_normal_(t, 0, -1, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_str_eq(gi_last_error(),
                     "gi_normal_: argument 'std' must be finite and >= 0, "
                     "got -1");
    cr_expect_eq(gi_normal_(t, 0, NAN, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_normal_(t, INFINITY, 1, NULL), GI_ERR_INVALID_ARGUMENT);
    cr_expect_eq(gi_normal_(NULL, 0, 1, NULL), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_uniform_(NULL, 0, 1, NULL), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_constant_(NULL, 0), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_zeros_(NULL), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_ones_(NULL), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_generator_offset(g), 3);
    expect_iota(t);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(rng, constants_and_zero_std)
{
    gi_context ctx = cpu_context();
    gi_tensor t = new_vector(ctx, 9);
    const struct { gi_status (*fn)(gi_tensor); float want; } fills[] = {
        {gi_zeros_, 0.0f}, {gi_ones_, 1.0f}};
    for (int k = 0; k < 2; ++k) {
        cr_expect_eq(fills[k].fn(t), GI_OK);
        float *h = to_host(t);
        for (int i = 0; i < 9; ++i)
            cr_expect_eq(h[i], fills[k].want);
        free(h);
    }
    cr_expect_eq(gi_constant_(t, NAN), GI_OK); /* allowed, as in torch */
    cr_expect_eq(gi_normal_(t, 42.0f, 0.0f, NULL), GI_OK);
    float *h = to_host(t);
    for (int i = 0; i < 9; ++i)
        cr_expect_eq(h[i], 42.0f);
    free(h);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(rng, rand_and_randn_make_new_tensors)
{
    gi_context ctx = cpu_context();
    const int64_t shape[] = {2, 4};
    gi_tensor x = NULL, y = NULL;
    gi_manual_seed(ctx, 3);
    cr_assert_eq(gi_rand(&x, ctx, 2, shape, NULL), GI_OK);
    cr_expect_eq(gi_tensor_numel(x), 8);
    cr_expect_eq(gi_generator_offset(gi_context_generator(ctx)), 2);
    cr_assert_eq(gi_randn(&y, ctx, 2, shape, NULL), GI_OK);
    float *h = to_host(x);
    for (int i = 0; i < 8; ++i)
        cr_expect(h[i] >= 0.0f && h[i] < 1.0f);
    free(h);
    gi_tensor z = NULL;
    const int64_t bad[] = {-2};
    cr_expect_eq(gi_rand(&z, ctx, 1, bad, NULL), GI_ERR_SHAPE);
    cr_expect_eq(gi_rand(NULL, ctx, 2, shape, NULL), GI_ERR_NULL_ARGUMENT);
    cr_expect_eq(gi_randn(&z, NULL, 2, shape, NULL), GI_ERR_NULL_ARGUMENT);
    cr_expect_null(z);
    gi_tensor_destroy(x);
    gi_tensor_destroy(y);
    gi_context_destroy(ctx);
}
