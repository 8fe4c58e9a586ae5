/* The CPU Philox4x32-10 is cuRAND's: known-answer vectors and libcurand. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "shared/philox.h"

#ifdef GINIT_TEST_HAVE_CURAND
#include <curand.h>
#endif

static void check_kat(const uint32_t ctr[4], uint32_t k0, uint32_t k1,
                      const uint32_t want[4])
{
    uint32_t got[4];
    gi_philox4x32_10(ctr, k0, k1, got);
    for (int i = 0; i < 4; ++i)
        cr_expect_eq(got[i], want[i], "lane %d: got %08x, want %08x", i,
                     got[i], want[i]);
}

/* The known-answer vectors published with Random123 (kat_vectors). */
Test(philox, known_answer_zero)
{
    const uint32_t ctr[4] = {0, 0, 0, 0};
    const uint32_t want[4] = {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8};
    check_kat(ctr, 0, 0, want);
}

Test(philox, known_answer_ones)
{
    const uint32_t ctr[4] = {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff};
    const uint32_t want[4] = {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd};
    check_kat(ctr, 0xffffffff, 0xffffffff, want);
}

Test(philox, known_answer_pi)
{
    const uint32_t ctr[4] = {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344};
    const uint32_t want[4] = {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1};
    check_kat(ctr, 0xa4093822, 0x299f31d0, want);
}

Test(philox, block_layout_puts_block_low_and_stream_high)
{
    const uint64_t seed = 0x299f31d0a4093822ull;
    const uint64_t block = 0x85a308d3243f6a88ull;
    const uint64_t stream = 0x0370734413198a2eull;
    const uint32_t want[4] = {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1};
    uint32_t got[4];
    gi_philox_block(seed, stream, block, got);
    for (int i = 0; i < 4; ++i)
        cr_expect_eq(got[i], want[i]);
}

#ifdef GINIT_TEST_HAVE_CURAND
/*
 * libcurand's host Philox generator (default ordering) runs 65536 threads:
 * output k comes from thread t = (k / 4) % 65536, which uses subsequence
 * (our stream) t and counter (our block) (k / 4) / 65536, lane k % 4.
 * Matching it word for word for several seeds, lengths and offsets proves
 * our function is cuRAND's.
 */
#define CURAND_THREADS 65536u

static void check_against_curand(uint64_t seed, size_t n, uint64_t offset)
{
    curandGenerator_t gen;
    cr_assert_eq(curandCreateGeneratorHost(&gen, CURAND_RNG_PSEUDO_PHILOX4_32_10),
                 CURAND_STATUS_SUCCESS);
    cr_assert_eq(curandSetPseudoRandomGeneratorSeed(gen, seed),
                 CURAND_STATUS_SUCCESS);
    cr_assert_eq(curandSetGeneratorOffset(gen, offset), CURAND_STATUS_SUCCESS);
    unsigned int *out = malloc(n * sizeof *out);
    cr_assert_not_null(out);
    cr_assert_eq(curandGenerate(gen, out, n), CURAND_STATUS_SUCCESS);
    size_t mismatches = 0;
    for (size_t k = 0; k < n; ++k) {
        uint64_t q = offset / 4 + k / 4; /* offset counts 32-bit outputs */
        uint32_t block[4];
        gi_philox_block(seed, q % CURAND_THREADS, q / CURAND_THREADS, block);
        if (block[k % 4] != out[k] && mismatches++ < 5)
            cr_log_error("seed %llu k %zu: ours %08x curand %08x",
                         (unsigned long long)seed, k, block[k % 4], out[k]);
    }
    cr_expect_eq(mismatches, 0, "%zu of %zu words differ", mismatches, n);
    free(out);
    curandDestroyGenerator(gen);
}

Test(philox, equals_libcurand_host_generator)
{
    const uint64_t seeds[] = {0, 1, 42, 0x123456789abcdefull,
                              0xffffffffffffffffull};
    for (size_t i = 0; i < sizeof seeds / sizeof *seeds; ++i)
        check_against_curand(seeds[i], (size_t)4 * CURAND_THREADS * 3, 0);
}

Test(philox, equals_libcurand_with_odd_length_and_offset)
{
    check_against_curand(2024, 1000003, 0);
    check_against_curand(7, 4 * CURAND_THREADS + 12, 4 * 1000);
}
#else
Test(philox, equals_libcurand_host_generator)
{
    cr_skip_test("libcurand is not available in this build: the known-answer "
                 "vectors above still pin the function");
}
#endif
