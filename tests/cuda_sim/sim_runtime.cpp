/*
 * The CUDA-on-CPU simulator's runtime: the cudart, cuBLAS and cuSOLVER calls
 * the backend makes, over host memory, and the checks every kernel launch
 * goes through. Compiled without instrumentation; test code only.
 *
 * Device memory is one private mapping per allocation with a guard page on
 * each side, so a stray access from uninstrumented code faults too. Freed
 * memory stays mapped without access for a while, so a use after free is
 * named. Everything runs when it is enqueued: a stream is in order, and the
 * host sees its work done when the call returns, which every ordering the
 * real device allows includes.
 */
#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cblas.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <lapacke.h>
#include <cusolverDn.h>

#include "shared/convert.h"
#include "sim_control.h"

namespace {

const size_t kPage = 4096;

/* ---- configuration ------------------------------------------------------- */

struct config {
    int sms = 132;
    int devices = 1;
    int pools = 1;
    size_t memory = (size_t)80 << 30;
};

long env_long(const char *name, long fallback)
{
    const char *v = getenv(name);
    return v != NULL && *v != '\0' ? strtol(v, NULL, 10) : fallback;
}

const config &cfg()
{
    static const config c = [] {
        config k;
        k.sms = (int)env_long("GINIT_SIM_SMS", 132);
        k.devices = (int)env_long("GINIT_SIM_DEVICES", 1);
        k.pools = env_long("GINIT_SIM_NO_POOLS", 0) == 0;
        const char *m = getenv("GINIT_SIM_MEMORY");
        if (m != NULL && *m != '\0')
            k.memory = strtoull(m, NULL, 10);
        return k;
    }();
    return c;
}

std::mutex g_lock; /* the registries below */

thread_local int t_device = 0;
thread_local cudaError_t t_last_error = cudaSuccess;

cudaError_t fail(cudaError_t e)
{
    t_last_error = e;
    return e;
}

[[noreturn]] void vviolation(const char *fmt, va_list ap);

/* ---- memory ------------------------------------------------------------ */

struct allocation {
    uintptr_t map = 0, base = 0;
    size_t map_len = 0, bytes = 0;
    int device = 0;
    bool freed = false;
    bool unmapped = false;
};

std::map<uintptr_t, allocation *> g_allocs; /* by mapping start */
std::deque<allocation *> g_quarantine;
size_t g_in_use[64];

allocation *find_locked(uintptr_t a)
{
    auto it = g_allocs.upper_bound(a);
    if (it == g_allocs.begin())
        return NULL;
    --it;
    allocation *al = it->second;
    return a < al->map + al->map_len ? al : NULL;
}

thread_local allocation *t_cache = NULL;

/* The allocation whose mapping (guard pages included) holds a, or NULL. */
allocation *find(uintptr_t a)
{
    allocation *c = t_cache;
    if (c != NULL && a >= c->map && a < c->map + c->map_len && !c->unmapped)
        return c;
    std::lock_guard<std::mutex> g(g_lock);
    allocation *al = find_locked(a);
    if (al != NULL)
        t_cache = al;
    return al;
}

int64_t g_fail_at = 0, g_allocs_made = 0;

cudaError_t sim_alloc(void **out, size_t bytes)
{
    if (out == NULL)
        return fail(cudaErrorInvalidValue);
    *out = NULL;
    if (bytes == 0)
        return cudaSuccess;
    {
        std::lock_guard<std::mutex> g(g_lock);
        ++g_allocs_made;
        if (g_fail_at > 0 && --g_fail_at == 0)
            return fail(cudaErrorMemoryAllocation);
    }
    int dev = t_device;
    size_t pages = (bytes + kPage - 1) / kPage;
    {
        std::lock_guard<std::mutex> g(g_lock);
        if (bytes > cfg().memory || g_in_use[dev] > cfg().memory - bytes)
            return fail(cudaErrorMemoryAllocation);
        g_in_use[dev] += bytes;
    }
    size_t len = (pages + 2) * kPage;
    void *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        std::lock_guard<std::mutex> g(g_lock);
        g_in_use[dev] -= bytes;
        return fail(cudaErrorMemoryAllocation);
    }
    mprotect(m, kPage, PROT_NONE);
    mprotect((char *)m + (pages + 1) * kPage, kPage, PROT_NONE);
    allocation *al = new allocation;
    al->map = (uintptr_t)m;
    al->map_len = len;
    al->base = al->map + kPage;
    al->bytes = bytes;
    al->device = dev;
    std::lock_guard<std::mutex> g(g_lock);
    g_allocs[al->map] = al;
    *out = (void *)al->base;
    return cudaSuccess;
}

cudaError_t sim_free(void *p)
{
    if (p == NULL)
        return cudaSuccess;
    std::lock_guard<std::mutex> g(g_lock);
    allocation *al = find_locked((uintptr_t)p);
    if (al == NULL || al->freed || al->base != (uintptr_t)p) {
        fprintf(stderr, "cuda-sim: free of %p, which is %s\n", p,
                al == NULL ? "not device memory"
                : al->freed ? "already freed" : "not an allocation's start");
        return fail(cudaErrorInvalidValue);
    }
    al->freed = true;
    g_in_use[al->device] -= al->bytes;
    madvise((void *)al->map, al->map_len, MADV_DONTNEED);
    mprotect((void *)al->map, al->map_len, PROT_NONE);
    g_quarantine.push_back(al);
    if (g_quarantine.size() > 4096) {
        allocation *old = g_quarantine.front();
        g_quarantine.pop_front();
        munmap((void *)old->map, old->map_len);
        old->unmapped = true;
        g_allocs.erase(old->map);
        /* the record stays: a thread's cache may still point at it */
    }
    return cudaSuccess;
}

/* The live allocation of the current device holding [p, p + n), or NULL. */
allocation *device_range(const void *p, size_t n)
{
    allocation *al = find((uintptr_t)p);
    if (al == NULL || al->freed || (uintptr_t)p < al->base ||
        (uintptr_t)p + n > al->base + al->bytes)
        return NULL;
    return al;
}

bool is_device_memory(const void *p)
{
    allocation *al = find((uintptr_t)p);
    return al != NULL && !al->freed;
}

/* ---- streams and pools --------------------------------------------------- */

struct stream_rec {
    int device;
};
std::set<stream_rec *> g_streams;

struct pool_rec {
    int device;
    bool is_default;
};
std::set<pool_rec *> g_pools;
pool_rec *g_default_pools[64];

/* Every use of a stream by a call (launch, copy, allocation, release,
 * synchronization, library call), so tests can see where work went. */
std::map<cudaStream_t, int64_t> g_stream_uses;
int64_t g_streams_created = 0;

/* The device of a stream, or -1 when it is not a live stream; counts the
 * use. */
int stream_device(cudaStream_t s)
{
    std::lock_guard<std::mutex> g(g_lock);
    g_stream_uses[s]++;
    if (s == 0 || s == cudaStreamLegacy || s == cudaStreamPerThread)
        return t_device;
    stream_rec *r = (stream_rec *)s;
    return g_streams.count(r) ? r->device : -1;
}

/* ---- launches and the access hooks ----------------------------------------- */

/* What a launch must write: bytes at base, in elements of elem bytes
 * (2, 4 or 8). The shadow counts writes per 2-byte unit, the smallest
 * element, so one indexing serves every element size. */
struct target {
    uintptr_t base;
    uint64_t bytes;
    size_t elem;
    unsigned char *shadow;

    uintptr_t end() const { return base + bytes; }
    int64_t element(uint64_t unit) const
    {
        return (int64_t)(unit * 2 / elem);
    }
    int64_t elements() const { return (int64_t)(bytes / elem); }
};

struct launch_state {
    std::string kernel;
    dim3 grid, block;
    int device = 0;
    bool selected = false; /* only some blocks run */
    bool in_kernel = false;
    uint3 b, t;
    std::vector<target> targets;
    size_t last_target = 0;
    uintptr_t stack_lo = 0, stack_hi = 0;
};

thread_local launch_state t_launch;
int (*g_select)(unsigned, unsigned, void *) = NULL;
void *g_select_user = NULL;

void stack_bounds(uintptr_t *lo, uintptr_t *hi)
{
    pthread_attr_t attr;
    void *addr = NULL;
    size_t size = 0;
    pthread_getattr_np(pthread_self(), &attr);
    pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
    *lo = (uintptr_t)addr;
    *hi = (uintptr_t)addr + size;
}

void release_targets(launch_state &l)
{
    for (target &t : l.targets)
        munmap(t.shadow, (size_t)t.bytes / 2);
    l.targets.clear();
    l.last_target = 0;
}

target *find_target(launch_state &l, uintptr_t a)
{
    if (l.targets.empty())
        return NULL;
    target *c = &l.targets[l.last_target];
    if (a >= c->base && a < c->end())
        return c;
    auto it = std::upper_bound(
        l.targets.begin(), l.targets.end(), a,
        [](uintptr_t x, const target &t) { return x < t.base; });
    if (it == l.targets.begin())
        return NULL;
    --it;
    if (a >= it->end())
        return NULL;
    l.last_target = (size_t)(it - l.targets.begin());
    return &*it;
}

[[noreturn]] void violation(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vviolation(fmt, ap);
}

void vviolation(const char *fmt, va_list ap)
{
    launch_state &l = t_launch;
    fprintf(stderr, "cuda-sim: ");
    if (!l.kernel.empty())
        fprintf(stderr, "%s<<<%u, %u>>> block %u thread %u: ",
                l.kernel.c_str(), l.grid.x, l.block.x, l.b.x, l.t.x);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}

/* A store of n bytes at a into what the launch must write: whole elements,
 * each written once. */
void record_store(launch_state &l, allocation *al, uintptr_t a, size_t n)
{
    target *t = find_target(l, a);
    if (t == NULL || a + n > t->end())
        violation("%zu-byte store at byte %lld of an allocation, outside "
                  "every range this launch must write", n,
                  (long long)(a - al->base));
    uint64_t off = a - t->base;
    if (off % t->elem != 0 || n % t->elem != 0)
        violation("%zu-byte store at %p covers only part of element %lld, "
                  "of %zu bytes", n, (void *)a,
                  (long long)t->element(off / 2), t->elem);
    for (uint64_t u = off / 2; u < (off + n) / 2; ++u)
        if (++t->shadow[u] > 1)
            violation("element %lld of a %lld-element target written twice",
                      (long long)t->element(u), (long long)t->elements());
}

/* Every access a kernel makes: inside a live allocation of the launch's
 * device, aligned to its width; a store also inside what the launch must
 * write, once per element. Host memory may be read (constants, parameters)
 * and the thread's own stack written (locals). */
void access(uintptr_t a, size_t n, bool store, bool vector)
{
    launch_state &l = t_launch;
    if (!l.in_kernel || (a >= l.stack_lo && a + n <= l.stack_hi))
        return; /* the thread's own locals: never device memory */
    allocation *al = find(a);
    if (al == NULL) {
        if (store)
            violation("%zu-byte store to host memory at %p", n, (void *)a);
        return;
    }
    if (al->freed)
        violation("%zu-byte %s at %p, in device memory already freed", n,
                  store ? "store" : "load", (void *)a);
    if (a < al->base || a + n > al->base + al->bytes)
        violation("%zu-byte %s at byte %lld of a %zu-byte allocation", n,
                  store ? "store" : "load", (long long)(a - al->base),
                  al->bytes);
    if (al->device != l.device)
        violation("access to memory of device %d from a launch on device %d",
                  al->device, l.device);
    size_t align = vector ? n : (n >= 4 ? 4 : n);
    if (a % align != 0)
        violation("%zu-byte %s at %p is not %zu-byte aligned", n,
                  store ? "store" : "load", (void *)a, align);
    if (store)
        record_store(l, al, a, n);
}

} // namespace

/* ---- the controls ---------------------------------------------------------- */

extern "C" {

thread_local uint3 gi_sim_block_idx, gi_sim_thread_idx;
thread_local dim3 gi_sim_grid_dim, gi_sim_block_dim;

void gi_sim_violation(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vviolation(fmt, ap);
}

int gi_sim_launch_begin(const char *kernel, dim3 grid, dim3 block,
                        size_t shmem, cudaStream_t stream)
{
    int dev = stream_device(stream);
    if (dev < 0)
        return fail(cudaErrorInvalidResourceHandle), 0;
    if (dev != t_device)
        return fail(cudaErrorInvalidResourceHandle), 0;
    unsigned threads = block.x * block.y * block.z;
    if (grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.x > 2147483647u ||
        grid.y > 65535 || grid.z > 65535 || threads == 0 || threads > 1024 ||
        block.z > 64 || shmem > 48 * 1024)
        return fail(cudaErrorInvalidConfiguration), 0;
    launch_state &l = t_launch;
    l.kernel = kernel;
    l.grid = grid;
    l.block = block;
    l.device = dev;
    l.selected = g_select != NULL;
    if (l.stack_hi == 0)
        stack_bounds(&l.stack_lo, &l.stack_hi);
    gi_sim_grid_dim = grid;
    gi_sim_block_dim = block;
    return 1;
}

void gi_sim_expect_write(const void *p, int64_t n)
{
    gi_sim_expect_write_elems(p, n, sizeof(float));
}

void gi_sim_expect_write_elems(const void *p, int64_t n, size_t elem)
{
    launch_state &l = t_launch;
    if (n < 0 || (elem != 2 && elem != 4 && elem != 8))
        violation("a launch must write %lld elements of %zu bytes",
                  (long long)n, elem);
    if ((uintptr_t)p % elem != 0)
        violation("a launch must write %zu-byte elements at %p, which is "
                  "not %zu-byte aligned", elem, p, elem);
    if (n == 0)
        return;
    uint64_t bytes = (uint64_t)n * elem;
    if (device_range(p, bytes) == NULL)
        violation("a launch must write %lld %zu-byte elements at %p, which "
                  "are not all in one live allocation of this device",
                  (long long)n, elem, p);
    void *shadow = mmap(NULL, bytes / 2, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (shadow == MAP_FAILED)
        violation("cannot map the shadow of %lld elements", (long long)n);
    target t = {(uintptr_t)p, bytes, elem, (unsigned char *)shadow};
    auto it = std::upper_bound(
        l.targets.begin(), l.targets.end(), t.base,
        [](uintptr_t x, const target &y) { return x < y.base; });
    if ((it != l.targets.end() && t.end() > it->base) ||
        (it != l.targets.begin() && (it - 1)->end() > t.base))
        violation("a launch must write overlapping ranges");
    l.targets.insert(it, t);
    l.last_target = 0;
}

int gi_sim_block_selected(unsigned x)
{
    return g_select == NULL || g_select(x, t_launch.grid.x, g_select_user);
}

void gi_sim_enter(unsigned bx, unsigned by, unsigned bz, unsigned tx,
                  unsigned ty, unsigned tz)
{
    launch_state &l = t_launch;
    l.b = gi_sim_block_idx = uint3{bx, by, bz};
    l.t = gi_sim_thread_idx = uint3{tx, ty, tz};
    l.in_kernel = true;
}

void gi_sim_leave(void)
{
    t_launch.in_kernel = false;
}

void gi_sim_launch_end(void)
{
    launch_state &l = t_launch;
    for (const target &t : l.targets)
        for (uint64_t u = 0; !l.selected && u < t.bytes / 2; ++u)
            if (t.shadow[u] != 1)
                violation("element %lld of a %lld-element target (at %p) "
                          "was not written", (long long)t.element(u),
                          (long long)t.elements(), (void *)t.base);
    release_targets(l);
}

void gi_sim_select_blocks(int (*select)(unsigned, unsigned, void *),
                          void *user)
{
    g_select = select;
    g_select_user = user;
}


int64_t gi_sim_fail_alloc_at(int64_t n)
{
    std::lock_guard<std::mutex> g(g_lock);
    int64_t made = g_allocs_made;
    g_allocs_made = 0;
    g_fail_at = n;
    return made;
}

size_t gi_sim_bytes_in_use(void)
{
    std::lock_guard<std::mutex> g(g_lock);
    return g_in_use[t_device];
}

int64_t gi_sim_stream_uses(cudaStream_t s)
{
    std::lock_guard<std::mutex> g(g_lock);
    auto it = g_stream_uses.find(s);
    return it != g_stream_uses.end() ? it->second : 0;
}

int64_t gi_sim_streams_created(void)
{
    std::lock_guard<std::mutex> g(g_lock);
    return g_streams_created;
}

void gi_sim_vector_store(void *p, const void *v, size_t width)
{
    access((uintptr_t)p, width, true, true);
    memcpy(p, v, width);
}

/* The compiler's thread-sanitizer hooks (-fsanitize=thread), for the
 * kernels' scalar loads and stores; the launchers' one atomic too. */
#define GI_SIM_HOOKS(n)                                                       \
    void __tsan_read##n(void *a) { access((uintptr_t)a, n, false, false); }   \
    void __tsan_write##n(void *a) { access((uintptr_t)a, n, true, false); }   \
    void __tsan_unaligned_read##n(void *a)                                    \
    {                                                                         \
        access((uintptr_t)a, n, false, false);                                \
    }                                                                         \
    void __tsan_unaligned_write##n(void *a)                                   \
    {                                                                         \
        access((uintptr_t)a, n, true, false);                                 \
    }
GI_SIM_HOOKS(1)
GI_SIM_HOOKS(2)
GI_SIM_HOOKS(4)
GI_SIM_HOOKS(8)
GI_SIM_HOOKS(16)
void __tsan_read_range(void *a, size_t n)
{
    access((uintptr_t)a, n, false, false);
}
void __tsan_write_range(void *a, size_t n)
{
    access((uintptr_t)a, n, true, false);
}
void __tsan_init(void) {}
void __tsan_func_entry(void *) {}
void __tsan_func_exit(void) {}
int __tsan_atomic32_load(const volatile int *a, int order)
{
    return __atomic_load_n(a, order == 0 ? __ATOMIC_RELAXED : __ATOMIC_SEQ_CST);
}
void __tsan_atomic32_store(volatile int *a, int v, int order)
{
    __atomic_store_n(a, v, order == 0 ? __ATOMIC_RELAXED : __ATOMIC_SEQ_CST);
}

/* ---- cudart: errors and devices ------------------------------------------- */

cudaError_t cudaGetLastError(void)
{
    cudaError_t e = t_last_error;
    t_last_error = cudaSuccess;
    return e;
}


const char *cudaGetErrorName(cudaError_t e)
{
    switch (e) {
    case cudaSuccess: return "cudaSuccess";
    case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
    case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
    case cudaErrorInvalidDevice: return "cudaErrorInvalidDevice";
    case cudaErrorInvalidResourceHandle:
        return "cudaErrorInvalidResourceHandle";
    case cudaErrorNotSupported: return "cudaErrorNotSupported";
    case cudaErrorInvalidMemcpyDirection:
        return "cudaErrorInvalidMemcpyDirection";
    default: return "cudaErrorUnknown";
    }
}

const char *cudaGetErrorString(cudaError_t e)
{
    switch (e) {
    case cudaSuccess: return "no error";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorNotSupported: return "operation not supported";
    default: return cudaGetErrorName(e);
    }
}

cudaError_t cudaGetDeviceCount(int *count)
{
    if (count == NULL)
        return fail(cudaErrorInvalidValue);
    *count = cfg().devices;
    return cudaSuccess;
}

static bool valid_device(int d) { return d >= 0 && d < cfg().devices; }

cudaError_t cudaSetDevice(int d)
{
    if (!valid_device(d))
        return fail(cudaErrorInvalidDevice);
    t_device = d;
    return cudaSuccess;
}

cudaError_t cudaGetDevice(int *d)
{
    if (d == NULL)
        return fail(cudaErrorInvalidValue);
    *d = t_device;
    return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(struct cudaDeviceProp *p, int d)
{
    if (p == NULL || !valid_device(d))
        return fail(p == NULL ? cudaErrorInvalidValue : cudaErrorInvalidDevice);
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "ginit CUDA simulator");
    p->major = 9;
    p->minor = 0;
    p->multiProcessorCount = cfg().sms;
    p->totalGlobalMem = cfg().memory;
    p->maxThreadsPerBlock = 1024;
    p->maxThreadsPerMultiProcessor = 2048;
    p->warpSize = 32;
    p->memoryBusWidth = 5120;
    p->l2CacheSize = 50 << 20;
    p->memoryPoolsSupported = cfg().pools;
    return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int *v, enum cudaDeviceAttr attr, int d)
{
    if (v == NULL || !valid_device(d))
        return fail(v == NULL ? cudaErrorInvalidValue : cudaErrorInvalidDevice);
    switch (attr) {
    case cudaDevAttrMultiProcessorCount: *v = cfg().sms; break;
    case cudaDevAttrMemoryPoolsSupported: *v = cfg().pools; break;
    case cudaDevAttrComputeCapabilityMajor: *v = 9; break;
    case cudaDevAttrComputeCapabilityMinor: *v = 0; break;
    case cudaDevAttrMaxThreadsPerMultiProcessor: *v = 2048; break;
    case cudaDevAttrMaxThreadsPerBlock: *v = 1024; break;
    default: return fail(cudaErrorInvalidValue);
    }
    return cudaSuccess;
}

cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessor(int *blocks,
                                                          const void *func,
                                                          int threads,
                                                          size_t shmem)
{
    if (blocks == NULL || func == NULL || threads <= 0 || threads > 1024)
        return fail(cudaErrorInvalidValue);
    (void)shmem;
    *blocks = 2048 / threads;
    return cudaSuccess;
}

/* ---- cudart: memory --------------------------------------------------------- */

cudaError_t cudaMalloc(void **p, size_t bytes) { return sim_alloc(p, bytes); }

cudaError_t cudaFree(void *p) { return sim_free(p); }

cudaError_t cudaMallocAsync(void **p, size_t bytes, cudaStream_t s)
{
    if (!cfg().pools)
        return fail(cudaErrorNotSupported);
    if (stream_device(s) != t_device)
        return fail(cudaErrorInvalidResourceHandle);
    return sim_alloc(p, bytes);
}

cudaError_t cudaFreeAsync(void *p, cudaStream_t s)
{
    if (!cfg().pools)
        return fail(cudaErrorNotSupported);
    if (stream_device(s) < 0)
        return fail(cudaErrorInvalidResourceHandle);
    return sim_free(p);
}

cudaError_t cudaMemPoolCreate(cudaMemPool_t *pool,
                              const struct cudaMemPoolProps *props)
{
    if (pool == NULL || props == NULL ||
        props->allocType != cudaMemAllocationTypePinned ||
        props->location.type != cudaMemLocationTypeDevice ||
        !valid_device(props->location.id))
        return fail(cudaErrorInvalidValue);
    if (!cfg().pools)
        return fail(cudaErrorNotSupported);
    pool_rec *r = new pool_rec{props->location.id, false};
    std::lock_guard<std::mutex> g(g_lock);
    g_pools.insert(r);
    *pool = (cudaMemPool_t)r;
    return cudaSuccess;
}

static pool_rec *live_pool(cudaMemPool_t pool)
{
    std::lock_guard<std::mutex> g(g_lock);
    pool_rec *r = (pool_rec *)pool;
    return g_pools.count(r) ? r : NULL;
}

cudaError_t cudaMemPoolDestroy(cudaMemPool_t pool)
{
    pool_rec *r = live_pool(pool);
    if (r == NULL || r->is_default)
        return fail(cudaErrorInvalidValue);
    std::lock_guard<std::mutex> g(g_lock);
    g_pools.erase(r);
    delete r;
    return cudaSuccess;
}

cudaError_t cudaDeviceGetDefaultMemPool(cudaMemPool_t *pool, int d)
{
    if (pool == NULL || !valid_device(d))
        return fail(cudaErrorInvalidValue);
    if (!cfg().pools)
        return fail(cudaErrorNotSupported);
    std::lock_guard<std::mutex> g(g_lock);
    if (g_default_pools[d] == NULL) {
        g_default_pools[d] = new pool_rec{d, true};
        g_pools.insert(g_default_pools[d]);
    }
    *pool = (cudaMemPool_t)g_default_pools[d];
    return cudaSuccess;
}

cudaError_t cudaMemPoolSetAttribute(cudaMemPool_t pool,
                                    enum cudaMemPoolAttr attr, void *value)
{
    pool_rec *r = live_pool(pool);
    if (r == NULL || value == NULL)
        return fail(cudaErrorInvalidValue);
    if (r->is_default && attr == cudaMemPoolAttrReleaseThreshold) {
        fprintf(stderr, "cuda-sim: the release threshold of device %d's "
                "default pool was changed: that pool is the application's\n",
                r->device);
        abort();
    }
    return cudaSuccess;
}

cudaError_t cudaMallocFromPoolAsync(void **p, size_t bytes,
                                    cudaMemPool_t pool, cudaStream_t s)
{
    pool_rec *r = live_pool(pool);
    if (r == NULL || stream_device(s) < 0)
        return fail(r == NULL ? cudaErrorInvalidValue
                              : cudaErrorInvalidResourceHandle);
    int saved = t_device;
    t_device = r->device;
    cudaError_t e = sim_alloc(p, bytes);
    t_device = saved;
    return e;
}

static cudaError_t check_copy(void *dst, const void *src, size_t n,
                              enum cudaMemcpyKind kind, cudaStream_t s)
{
    if (stream_device(s) < 0)
        return fail(cudaErrorInvalidResourceHandle);
    if (n == 0)
        return cudaSuccess;
    bool dd = is_device_memory(dst), sd = is_device_memory(src);
    bool want_dd = kind == cudaMemcpyHostToDevice ||
                   kind == cudaMemcpyDeviceToDevice;
    bool want_sd = kind == cudaMemcpyDeviceToHost ||
                   kind == cudaMemcpyDeviceToDevice;
    if (kind != cudaMemcpyDefault && (dd != want_dd || sd != want_sd)) {
        fprintf(stderr, "cuda-sim: copy of kind %d from %s to %s memory\n",
                (int)kind, sd ? "device" : "host", dd ? "device" : "host");
        return fail(cudaErrorInvalidMemcpyDirection);
    }
    if ((dd && device_range(dst, n) == NULL) ||
        (sd && device_range(src, n) == NULL)) {
        fprintf(stderr, "cuda-sim: copy of %zu bytes past an allocation or "
                "into freed memory\n", n);
        return fail(cudaErrorInvalidValue);
    }
    return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t n,
                            enum cudaMemcpyKind kind, cudaStream_t s)
{
    cudaError_t e = check_copy(dst, src, n, kind, s);
    if (e == cudaSuccess && n > 0)
        memmove(dst, src, n);
    return e;
}

cudaError_t cudaMemsetAsync(void *p, int value, size_t n, cudaStream_t s)
{
    if (stream_device(s) < 0)
        return fail(cudaErrorInvalidResourceHandle);
    if (n > 0 && device_range(p, n) == NULL)
        return fail(cudaErrorInvalidValue);
    memset(p, value, n);
    return cudaSuccess;
}

/* ---- cudart: streams ------------------------------------------------------- */

cudaError_t cudaStreamCreateWithFlags(cudaStream_t *s, unsigned flags)
{
    (void)flags;
    if (s == NULL)
        return fail(cudaErrorInvalidValue);
    stream_rec *r = new stream_rec{t_device};
    std::lock_guard<std::mutex> g(g_lock);
    g_streams.insert(r);
    g_streams_created++;
    *s = (cudaStream_t)r;
    return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t s)
{
    std::lock_guard<std::mutex> g(g_lock);
    stream_rec *r = (stream_rec *)s;
    if (!g_streams.count(r))
        return fail(cudaErrorInvalidResourceHandle);
    g_streams.erase(r);
    delete r;
    return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t s)
{
    return stream_device(s) < 0 ? fail(cudaErrorInvalidResourceHandle)
                                : cudaSuccess;
}

cudaError_t cudaStreamGetDevice(cudaStream_t s, int *device)
{
    if (device == NULL)
        return fail(cudaErrorInvalidValue);
    int d = stream_device(s);
    if (d < 0)
        return fail(cudaErrorInvalidResourceHandle);
    *device = d;
    return cudaSuccess;
}

/* Simulated device memory is device memory of the device that allocated
 * it; anything else is the host's, unregistered. */
cudaError_t cudaPointerGetAttributes(struct cudaPointerAttributes *a,
                                     const void *p)
{
    if (a == NULL)
        return fail(cudaErrorInvalidValue);
    memset(a, 0, sizeof *a);
    allocation *al = find((uintptr_t)p);
    if (al != NULL && !al->freed && (uintptr_t)p >= al->base &&
        (uintptr_t)p < al->base + al->bytes) {
        a->type = cudaMemoryTypeDevice;
        a->device = al->device;
        a->devicePointer = (void *)p;
    } else {
        a->type = cudaMemoryTypeUnregistered;
        a->device = -2;
        a->hostPointer = (void *)p;
    }
    return cudaSuccess;
}


} /* extern "C" */

/* ---- library handles (cuBLAS, cuSOLVER) ------------------------------------- */

namespace {

/* The live handles of one library: each remembers its device and stream. */
template <typename T> struct handles {
    std::set<T *> live;

    T *create()
    {
        T *h = new T;
        h->device = t_device;
        std::lock_guard<std::mutex> g(g_lock);
        live.insert(h);
        return h;
    }

    bool destroy(T *h)
    {
        std::lock_guard<std::mutex> g(g_lock);
        if (!live.erase(h))
            return false;
        delete h;
        return true;
    }

    bool alive(T *h)
    {
        std::lock_guard<std::mutex> g(g_lock);
        return live.count(h) != 0;
    }

    /* 0: set; 1: not a live handle; 2: a stream of another device. */
    int set_stream(T *h, cudaStream_t s)
    {
        if (!alive(h))
            return 1;
        if (stream_device(s) != h->device)
            return 2;
        h->stream = s;
        return 0;
    }
};

} // namespace

/* ---- cuBLAS ----------------------------------------------------------------- */

struct cublasContext {
    cudaStream_t stream = 0;
    int device = 0;
    bool math_mode_set = false;
    cublasMath_t mode = CUBLAS_DEFAULT_MATH;
};

namespace {

handles<cublasContext> g_blas;

bool live_blas(cublasHandle_t h) { return g_blas.alive(h); }

/* The floats op(X) reads of a column-major rows x cols matrix with leading
 * dimension ld: its last column's end. */
size_t span(int64_t rows, int64_t cols, int64_t ld)
{
    return rows == 0 || cols == 0 ? 0 : (size_t)(ld * (cols - 1) + rows);
}

bool sim_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "cuda-sim: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return false;
}

} // namespace

extern "C" {

cublasStatus_t cublasCreate_v2(cublasHandle_t *h)
{
    if (h == NULL)
        return CUBLAS_STATUS_INVALID_VALUE;
    *h = g_blas.create();
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy_v2(cublasHandle_t h)
{
    return g_blas.destroy(h) ? CUBLAS_STATUS_SUCCESS
                             : CUBLAS_STATUS_NOT_INITIALIZED;
}

cublasStatus_t cublasSetStream_v2(cublasHandle_t h, cudaStream_t s)
{
    switch (g_blas.set_stream(h, s)) {
    case 0: return CUBLAS_STATUS_SUCCESS;
    case 1: return CUBLAS_STATUS_NOT_INITIALIZED;
    default: return CUBLAS_STATUS_INVALID_VALUE;
    }
}

cublasStatus_t cublasSetMathMode(cublasHandle_t h, cublasMath_t mode)
{
    if (!live_blas(h))
        return CUBLAS_STATUS_NOT_INITIALIZED;
    h->mode = mode;
    h->math_mode_set = true;
    return CUBLAS_STATUS_SUCCESS;
}

const char *cublasGetStatusName(cublasStatus_t s)
{
    switch (s) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    default: return "CUBLAS_STATUS_(other)";
    }
}

const char *cublasGetStatusString(cublasStatus_t s)
{
    return cublasGetStatusName(s);
}

} /* extern "C" */

namespace {

/* One GEMM's arguments, C = alpha op(A) op(B) + beta C, column-major, with
 * the element bytes of A, B and C: what every GEMM stand-in checks. */
struct gemm_args {
    const char *name;
    cublasOperation_t ta, tb;
    int m, n, k;
    const void *alpha, *A;
    int lda;
    const void *B;
    int ldb;
    const void *beta;
    void *C;
    int ldc;
    size_t ea, eb, ec;

    int64_t a_rows() const { return ta == CUBLAS_OP_N ? m : k; }
    int64_t a_cols() const { return ta == CUBLAS_OP_N ? k : m; }
    int64_t b_rows() const { return tb == CUBLAS_OP_N ? k : n; }
    int64_t b_cols() const { return tb == CUBLAS_OP_N ? n : k; }
    size_t a_span() const { return span(a_rows(), a_cols(), lda); }
    size_t b_span() const { return span(b_rows(), b_cols(), ldb); }
    size_t c_span() const { return span(m, n, ldc); }
};

/* cuBLAS's rules (lda >= max(1, rows of op(A)) and so on, every matrix in
 * one live allocation of the handle's device, alpha and beta on the host)
 * and ginit's: a math mode set, and never TF32. */
cublasStatus_t gemm_check(cublasHandle_t h, const gemm_args &g)
{
    if (!live_blas(h))
        return CUBLAS_STATUS_NOT_INITIALIZED;
    bool ok = true;
    if (!h->math_mode_set || (h->mode & 0xf) == CUBLAS_TF32_TENSOR_OP_MATH)
        ok = sim_note("%s with math mode %s: TF32 is not ruled out", g.name,
                      h->math_mode_set ? "TF32" : "never set");
    if (h->device != t_device || stream_device(h->stream) != h->device)
        ok = sim_note("%s on device %d from device %d", g.name, h->device,
                      t_device);
    if (g.m < 0 || g.n < 0 || g.k < 0 ||
        g.lda < std::max<int64_t>(1, g.a_rows()) ||
        g.ldb < std::max<int64_t>(1, g.b_rows()) || g.ldc < std::max(1, g.m)) {
        sim_note("%s m=%d n=%d k=%d lda=%d ldb=%d ldc=%d breaks the "
                 "leading-dimension rules", g.name, g.m, g.n, g.k, g.lda,
                 g.ldb, g.ldc);
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    if (g.alpha == NULL || g.beta == NULL || is_device_memory(g.alpha) ||
        is_device_memory(g.beta))
        ok = sim_note("%s's alpha and beta must be host pointers", g.name);
    size_t sa = g.a_span(), sb = g.b_span(), sc = g.c_span();
    if ((sa && device_range(g.A, sa * g.ea) == NULL) ||
        (sb && device_range(g.B, sb * g.eb) == NULL) ||
        (sc && device_range(g.C, sc * g.ec) == NULL))
        ok = sim_note("%s reads or writes past a device allocation", g.name);
    return ok ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_INVALID_VALUE;
}

void blas_gemm(CBLAS_TRANSPOSE oa, CBLAS_TRANSPOSE ob, int m, int n, int k,
               float alpha, const float *A, int lda, const float *B, int ldb,
               float beta, float *C, int ldc)
{
    cblas_sgemm(CblasColMajor, oa, ob, m, n, k, alpha, A, lda, B, ldb, beta,
                C, ldc);
}

void blas_gemm(CBLAS_TRANSPOSE oa, CBLAS_TRANSPOSE ob, int m, int n, int k,
               double alpha, const double *A, int lda, const double *B,
               int ldb, double beta, double *C, int ldc)
{
    cblas_dgemm(CblasColMajor, oa, ob, m, n, k, alpha, A, lda, B, ldb, beta,
                C, ldc);
}

/* The checked GEMM g on matrices A, B, C of T laid out as g says. The sum
 * over k runs in chunks, as a GPU's split reductions do, so its rounding
 * differs from one CPU GEMM like the real device's. */
template <typename T>
void gemm_chunks(const gemm_args &g, T alpha, const T *A, const T *B,
                 T beta, T *C)
{
    if (g.m == 0 || g.n == 0)
        return;
    CBLAS_TRANSPOSE oa = g.ta == CUBLAS_OP_N ? CblasNoTrans : CblasTrans;
    CBLAS_TRANSPOSE ob = g.tb == CUBLAS_OP_N ? CblasNoTrans : CblasTrans;
    int chunk = std::max(1, (g.k + 3) / 4);
    if (g.k == 0)
        blas_gemm(oa, ob, g.m, g.n, 0, alpha, A, g.lda, B, g.ldb, beta, C,
                  g.ldc);
    for (int k0 = 0; k0 < g.k; k0 += chunk) {
        int kk = std::min(chunk, g.k - k0);
        const T *a0 = A + (g.ta == CUBLAS_OP_N ? (int64_t)k0 * g.lda : k0);
        const T *b0 = B + (g.tb == CUBLAS_OP_N ? k0 : (int64_t)k0 * g.ldb);
        blas_gemm(oa, ob, g.m, g.n, kk, alpha, a0, g.lda, b0, g.ldb,
                  k0 == 0 ? beta : (T)1, C, g.ldc);
    }
}

/* Bytes of an element of a real type GemmEx takes, or 0. */
size_t type_bytes(cudaDataType t)
{
    switch (t) {
    case CUDA_R_16F: case CUDA_R_16BF: return 2;
    case CUDA_R_32F: return 4;
    case CUDA_R_64F: return 8;
    default: return 0;
    }
}

float widen(const void *p, cudaDataType t, size_t i)
{
    switch (t) {
    case CUDA_R_16F: return gi_f16_to_f32(((const uint16_t *)p)[i]);
    case CUDA_R_16BF: return gi_bf16_to_f32(((const uint16_t *)p)[i]);
    default: return ((const float *)p)[i];
    }
}

void narrow(void *p, cudaDataType t, size_t i, float v)
{
    switch (t) {
    case CUDA_R_16F: ((uint16_t *)p)[i] = gi_f32_to_f16(v); break;
    case CUDA_R_16BF: ((uint16_t *)p)[i] = gi_f32_to_bf16(v); break;
    default: ((float *)p)[i] = v;
    }
}

std::vector<float> widened(const void *p, cudaDataType t, size_t n)
{
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = widen(p, t, i);
    return v;
}

/* GemmEx on float, float16 or bfloat16 matrices, computing in float: the
 * inputs widened exactly, one float GEMM, each output rounded once; only
 * C's m x n elements are written, not the gaps between its columns. */
void gemm_ex_float(const gemm_args &g, cudaDataType tab, cudaDataType tc)
{
    std::vector<float> a = widened(g.A, tab, g.a_span());
    std::vector<float> b = widened(g.B, tab, g.b_span());
    std::vector<float> c = widened(g.C, tc, g.c_span());
    gemm_chunks(g, *(const float *)g.alpha, a.data(), b.data(),
                *(const float *)g.beta, c.data());
    for (int64_t j = 0; j < g.n; ++j)
        for (int64_t i = 0; i < g.m; ++i)
            narrow(g.C, tc, (size_t)(j * g.ldc + i), c[j * g.ldc + i]);
}

/* What GemmEx takes: A and B of one type; float, float16 and bfloat16
 * computed in plain float (CUBLAS_COMPUTE_32F, never a FAST type that
 * down-converts), doubles in double; C of the inputs' type, or float for
 * 16-bit inputs. Returns the status to give, with a note, or success. */
cublasStatus_t gemm_ex_types(cudaDataType tab, cudaDataType tb,
                             cudaDataType tc, cublasComputeType_t ct)
{
    bool f64 = tab == CUDA_R_64F;
    bool half = tab == CUDA_R_16F || tab == CUDA_R_16BF;
    if (ct != (f64 ? CUBLAS_COMPUTE_64F : CUBLAS_COMPUTE_32F)) {
        sim_note("GemmEx with compute type %d on type %d: not the plain "
                 "float (double) compute the CPU's GEMM rounds like",
                 (int)ct, (int)tab);
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    if (type_bytes(tab) == 0 || tb != tab ||
        (tc != tab && !(half && tc == CUDA_R_32F))) {
        sim_note("GemmEx on types A %d, B %d, C %d: not a combination "
                 "cuBLAS supports", (int)tab, (int)tb, (int)tc);
        return CUBLAS_STATUS_NOT_SUPPORTED;
    }
    return CUBLAS_STATUS_SUCCESS;
}

bool known_algo(cublasGemmAlgo_t a)
{
    return (a >= CUBLAS_GEMM_DEFAULT && a <= CUBLAS_GEMM_ALGO23) ||
           (a >= CUBLAS_GEMM_DEFAULT_TENSOR_OP &&
            a <= CUBLAS_GEMM_ALGO15_TENSOR_OP);
}

} // namespace

extern "C" {

cublasStatus_t cublasSgemm_v2(cublasHandle_t h, cublasOperation_t ta,
                              cublasOperation_t tb, int m, int n, int k,
                              const float *alpha, const float *A, int lda,
                              const float *B, int ldb, const float *beta,
                              float *C, int ldc)
{
    const gemm_args g = {"sgemm", ta, tb, m, n, k, alpha, A, lda, B, ldb,
                         beta, C, ldc, 4, 4, 4};
    cublasStatus_t s = gemm_check(h, g);
    if (s == CUBLAS_STATUS_SUCCESS)
        gemm_chunks(g, *alpha, A, B, *beta, C);
    return s;
}

cublasStatus_t cublasDgemm_v2(cublasHandle_t h, cublasOperation_t ta,
                              cublasOperation_t tb, int m, int n, int k,
                              const double *alpha, const double *A, int lda,
                              const double *B, int ldb, const double *beta,
                              double *C, int ldc)
{
    const gemm_args g = {"dgemm", ta, tb, m, n, k, alpha, A, lda, B, ldb,
                         beta, C, ldc, 8, 8, 8};
    cublasStatus_t s = gemm_check(h, g);
    if (s == CUBLAS_STATUS_SUCCESS)
        gemm_chunks(g, *alpha, A, B, *beta, C);
    return s;
}

/* alpha and beta are floats for CUBLAS_COMPUTE_32F, doubles for 64F. */
cublasStatus_t cublasGemmEx(cublasHandle_t h, cublasOperation_t ta,
                            cublasOperation_t tb, int m, int n, int k,
                            const void *alpha, const void *A,
                            cudaDataType atype, int lda, const void *B,
                            cudaDataType btype, int ldb, const void *beta,
                            void *C, cudaDataType ctype, int ldc,
                            cublasComputeType_t compute,
                            cublasGemmAlgo_t algo)
{
    if (!live_blas(h))
        return CUBLAS_STATUS_NOT_INITIALIZED;
    cublasStatus_t s = gemm_ex_types(atype, btype, ctype, compute);
    if (s != CUBLAS_STATUS_SUCCESS)
        return s;
    if (!known_algo(algo)) {
        sim_note("GemmEx with algorithm %d, which cuBLAS does not have",
                 (int)algo);
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    const gemm_args g = {"GemmEx", ta, tb, m, n, k, alpha, A, lda, B, ldb,
                         beta, C, ldc, type_bytes(atype), type_bytes(atype),
                         type_bytes(ctype)};
    s = gemm_check(h, g);
    if (s != CUBLAS_STATUS_SUCCESS)
        return s;
    if (atype == CUDA_R_64F)
        gemm_chunks(g, *(const double *)alpha, (const double *)A,
                    (const double *)B, *(const double *)beta, (double *)C);
    else if (m > 0 && n > 0)
        gemm_ex_float(g, atype, ctype);
    return CUBLAS_STATUS_SUCCESS;
}

} /* extern "C" */

/* ---- cuSOLVER ---------------------------------------------------------------- */

struct cusolverDnContext {
    cudaStream_t stream = 0;
    int device = 0;
};

struct cusolverDnParams {
    int unused = 0;
};

namespace {

handles<cusolverDnContext> g_solvers;

bool live_solver(cusolverDnHandle_t h)
{
    return g_solvers.alive(h) && h->device == t_device &&
           stream_device(h->stream) == h->device;
}

/* LAPACK works in place on the simulated device memory (host memory);
 * devInfo is written like the device writes it. */
cusolverStatus_t finish_info(int *info, int value)
{
    if (device_range(info, sizeof *info) == NULL) {
        sim_note("devInfo is not device memory");
        return CUSOLVER_STATUS_INVALID_VALUE;
    }
    *info = value;
    return CUSOLVER_STATUS_SUCCESS;
}

/* The workspace each call asks for: a panel per column, like a blocked QR. */
int64_t qr_work(int64_t n) { return 64 * std::max<int64_t>(n, 1); }

/* Element bytes of an Xgeqrf on these types: one type, float or double;
 * 0 for anything else. */
size_t qr_elem(cudaDataType ta, cudaDataType ttau, cudaDataType tc)
{
    if (ta != ttau || ta != tc)
        return 0;
    return ta == CUDA_R_32F ? 4 : ta == CUDA_R_64F ? 8 : 0;
}

lapack_int lapack_geqrf(lapack_int m, lapack_int n, float *a, lapack_int lda,
                        float *tau, float *w, lapack_int lw)
{
    return LAPACKE_sgeqrf_work(LAPACK_COL_MAJOR, m, n, a, lda, tau, w, lw);
}

lapack_int lapack_geqrf(lapack_int m, lapack_int n, double *a,
                        lapack_int lda, double *tau, double *w, lapack_int lw)
{
    return LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, m, n, a, lda, tau, w, lw);
}

lapack_int lapack_orgqr(lapack_int m, lapack_int n, lapack_int k, float *a,
                        lapack_int lda, const float *tau, float *w,
                        lapack_int lw)
{
    return LAPACKE_sorgqr_work(LAPACK_COL_MAJOR, m, n, k, a, lda, tau, w, lw);
}

lapack_int lapack_orgqr(lapack_int m, lapack_int n, lapack_int k, double *a,
                        lapack_int lda, const double *tau, double *w,
                        lapack_int lw)
{
    return LAPACKE_dorgqr_work(LAPACK_COL_MAJOR, m, n, k, a, lda, tau, w, lw);
}

/* LAPACK's QR of the m x n matrix A in place, T float or double. */
template <typename T>
void run_geqrf(int64_t m, int64_t n, void *A, int64_t lda, void *tau)
{
    if (m == 0 || n == 0)
        return;
    std::vector<T> w((size_t)qr_work(n));
    lapack_geqrf((lapack_int)m, (lapack_int)n, (T *)A, (lapack_int)lda,
                 (T *)tau, w.data(), (lapack_int)w.size());
}

bool orgqr_shape(int m, int n, int k, int lda)
{
    return m >= 0 && n >= 0 && n <= m && k >= 0 && k <= n &&
           lda >= std::max(1, m);
}

template <typename T>
cusolverStatus_t orgqr_size(cusolverDnHandle_t h, int m, int n, int k,
                            int lda, int *lwork)
{
    if (!live_solver(h))
        return CUSOLVER_STATUS_NOT_INITIALIZED;
    if (!orgqr_shape(m, n, k, lda) || lwork == NULL)
        return CUSOLVER_STATUS_INVALID_VALUE;
    *lwork = (int)qr_work(n);
    return CUSOLVER_STATUS_SUCCESS;
}

/* Sorgqr and Dorgqr: Q from Xgeqrf's reflectors, with LAPACK. */
template <typename T>
cusolverStatus_t orgqr(const char *name, cusolverDnHandle_t h, int m, int n,
                       int k, T *A, int lda, const T *tau, T *work, int lwork,
                       int *info)
{
    if (!live_solver(h))
        return CUSOLVER_STATUS_NOT_INITIALIZED;
    if (!orgqr_shape(m, n, k, lda) || lwork < qr_work(n) ||
        device_range(work, (size_t)lwork * sizeof(T)) == NULL ||
        (m && n && device_range(A, span(m, n, lda) * sizeof(T)) == NULL) ||
        (k && device_range(tau, (size_t)k * sizeof(T)) == NULL)) {
        sim_note("%s m=%d n=%d k=%d lda=%d lwork=%d breaks its rules", name,
                 m, n, k, lda, lwork);
        return CUSOLVER_STATUS_INVALID_VALUE;
    }
    if (m > 0 && n > 0) {
        std::vector<T> w((size_t)qr_work(n));
        lapack_orgqr(m, n, k, A, lda, tau, w.data(), (lapack_int)w.size());
    }
    return finish_info(info, 0);
}

} // namespace

extern "C" {

cusolverStatus_t cusolverDnCreate(cusolverDnHandle_t *h)
{
    if (h == NULL)
        return CUSOLVER_STATUS_INVALID_VALUE;
    *h = g_solvers.create();
    return CUSOLVER_STATUS_SUCCESS;
}

cusolverStatus_t cusolverDnDestroy(cusolverDnHandle_t h)
{
    return g_solvers.destroy(h) ? CUSOLVER_STATUS_SUCCESS
                                : CUSOLVER_STATUS_NOT_INITIALIZED;
}

cusolverStatus_t cusolverDnSetStream(cusolverDnHandle_t h, cudaStream_t s)
{
    switch (g_solvers.set_stream(h, s)) {
    case 0: return CUSOLVER_STATUS_SUCCESS;
    case 1: return CUSOLVER_STATUS_NOT_INITIALIZED;
    default: return CUSOLVER_STATUS_INVALID_VALUE;
    }
}

cusolverStatus_t cusolverDnCreateParams(cusolverDnParams_t *p)
{
    if (p == NULL)
        return CUSOLVER_STATUS_INVALID_VALUE;
    *p = new cusolverDnParams;
    return CUSOLVER_STATUS_SUCCESS;
}

cusolverStatus_t cusolverDnDestroyParams(cusolverDnParams_t p)
{
    delete p;
    return CUSOLVER_STATUS_SUCCESS;
}

cusolverStatus_t cusolverDnXgeqrf_bufferSize(
    cusolverDnHandle_t h, cusolverDnParams_t params, int64_t m, int64_t n,
    cudaDataType ta, const void *A, int64_t lda, cudaDataType ttau,
    const void *tau, cudaDataType tc, size_t *dev_bytes, size_t *host_bytes)
{
    (void)A, (void)tau;
    if (!live_solver(h) || params == NULL)
        return CUSOLVER_STATUS_NOT_INITIALIZED;
    size_t elem = qr_elem(ta, ttau, tc);
    if (m < 0 || n < 0 || lda < std::max<int64_t>(1, m) || elem == 0 ||
        dev_bytes == NULL || host_bytes == NULL)
        return CUSOLVER_STATUS_INVALID_VALUE;
    *dev_bytes = (size_t)qr_work(n) * elem;
    *host_bytes = 0;
    return CUSOLVER_STATUS_SUCCESS;
}

cusolverStatus_t cusolverDnXgeqrf(cusolverDnHandle_t h,
                                  cusolverDnParams_t params, int64_t m,
                                  int64_t n, cudaDataType ta, void *A,
                                  int64_t lda, cudaDataType ttau, void *tau,
                                  cudaDataType tc, void *dev_work,
                                  size_t dev_bytes, void *host_work,
                                  size_t host_bytes, int *info)
{
    (void)host_work, (void)host_bytes;
    if (!live_solver(h) || params == NULL)
        return CUSOLVER_STATUS_NOT_INITIALIZED;
    size_t elem = qr_elem(ta, ttau, tc);
    if (m < 0 || n < 0 || lda < std::max<int64_t>(1, m) || elem == 0) {
        sim_note("Xgeqrf m=%lld n=%lld lda=%lld types %d %d %d breaks its "
                 "rules", (long long)m, (long long)n, (long long)lda,
                 (int)ta, (int)ttau, (int)tc);
        return CUSOLVER_STATUS_INVALID_VALUE;
    }
    size_t want = (size_t)qr_work(n) * elem;
    size_t ntau = (size_t)std::max<int64_t>(std::min(m, n), 1);
    if (dev_bytes < want || device_range(dev_work, want) == NULL ||
        (m && n && device_range(A, span(m, n, lda) * elem) == NULL) ||
        device_range(tau, ntau * elem) == NULL) {
        sim_note("Xgeqrf's matrix, tau or %zu-byte workspace (%zu needed) is "
                 "not device memory of that size", dev_bytes, want);
        return CUSOLVER_STATUS_INVALID_VALUE;
    }
    if (elem == 8)
        run_geqrf<double>(m, n, A, lda, tau);
    else
        run_geqrf<float>(m, n, A, lda, tau);
    return finish_info(info, 0);
}

cusolverStatus_t cusolverDnSorgqr_bufferSize(cusolverDnHandle_t h, int m,
                                             int n, int k, const float *A,
                                             int lda, const float *tau,
                                             int *lwork)
{
    (void)A, (void)tau;
    return orgqr_size<float>(h, m, n, k, lda, lwork);
}

cusolverStatus_t cusolverDnDorgqr_bufferSize(cusolverDnHandle_t h, int m,
                                             int n, int k, const double *A,
                                             int lda, const double *tau,
                                             int *lwork)
{
    (void)A, (void)tau;
    return orgqr_size<double>(h, m, n, k, lda, lwork);
}

cusolverStatus_t cusolverDnSorgqr(cusolverDnHandle_t h, int m, int n, int k,
                                  float *A, int lda, const float *tau,
                                  float *work, int lwork, int *info)
{
    return orgqr("Sorgqr", h, m, n, k, A, lda, tau, work, lwork, info);
}

cusolverStatus_t cusolverDnDorgqr(cusolverDnHandle_t h, int m, int n, int k,
                                  double *A, int lda, const double *tau,
                                  double *work, int lwork, int *info)
{
    return orgqr("Dorgqr", h, m, n, k, A, lda, tau, work, lwork, info);
}

} /* extern "C" */
