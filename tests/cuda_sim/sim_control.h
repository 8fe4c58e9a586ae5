/*
 * The CUDA-on-CPU simulator's controls: what the launch template calls, and
 * what the simulator's own tests set. Plain C, so C tests can use it.
 *
 * Environment (read when the simulated device is first queried):
 *   GINIT_SIM_SMS       streaming multiprocessors of each device (132)
 *   GINIT_SIM_DEVICES   number of devices (1)
 *   GINIT_SIM_NO_POOLS  1: the device reports no memory-pool support and
 *                       stream-ordered allocation fails with error 801
 *   GINIT_SIM_MEMORY    bytes of memory of each device (80 GiB)
 */
#ifndef GINIT_SIM_CONTROL_H
#define GINIT_SIM_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include <cuda_runtime_api.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- called by the launch template (sim_device.h) ----------------------- */

/* Checks a launch's shape, stream and device; on failure records the
 * launch error (cudaGetLastError reports it) and returns 0. */
int gi_sim_launch_begin(const char *kernel, dim3 grid, dim3 block,
                        size_t shmem, cudaStream_t stream);
/* Whether block x of the grid runs (all do unless gi_sim_select_blocks). */
int gi_sim_block_selected(unsigned x);
void gi_sim_enter(unsigned bx, unsigned by, unsigned bz, unsigned tx,
                  unsigned ty, unsigned tz);
void gi_sim_leave(void);
/* Checks that every element the expectation declared was written exactly
 * once (at most once when blocks were selected). */
void gi_sim_launch_end(void);

/* ---- called by the expectations (sim_expect.h) -------------------------- */

/* The launch must write each of the n elements of elem bytes (2, 4 or 8)
 * at p, which is elem-aligned, exactly once and in whole, and nothing
 * else: a store covers whole elements (a 2-byte store for a half, 8 bytes
 * for a double, or a vector store of several). Ranges of one launch must
 * not overlap. */
void gi_sim_expect_write_elems(const void *p, int64_t n, size_t elem);
/* The same for n floats. */
void gi_sim_expect_write(const void *p, int64_t n);
/* Stops the test with a message naming the launch: a broken kernel. */
void gi_sim_violation(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;

/* ---- for tests ------------------------------------------------------------ */

/* Only blocks x with select(x, grid_x, user) != 0 run, until called with
 * NULL: for tensors too large to fill whole on the host. */
void gi_sim_select_blocks(int (*select)(unsigned x, unsigned grid_x,
                                        void *user), void *user);
/* The n-th device allocation from now on fails (cudaErrorMemoryAllocation),
 * once; 0 turns this off. Returns how many were made since the last call. */
int64_t gi_sim_fail_alloc_at(int64_t n);
/* Bytes of simulated device memory in use on the current device. */
size_t gi_sim_bytes_in_use(void);
/* How many calls used stream s so far (launches, copies, stream-ordered
 * allocations and releases, synchronizations, cuBLAS and cuSOLVER calls),
 * and how many streams were ever created. */
int64_t gi_sim_stream_uses(cudaStream_t s);
int64_t gi_sim_streams_created(void);

#ifdef __cplusplus
}
#endif

#endif
