/* The in-place operations on every dtype, bit for bit against PyTorch:
 * tests/data/ops_cases.txt (tests/gen_ops_cases.py says how it was made)
 * holds each case's inputs and torch's results. A NaN matches any NaN,
 * except where masked_fill_ or clamp_ leaves a NaN element as it was:
 * then its bits (arithmetic on NaN leaves their sign and payload to the
 * hardware and the math library). */
#include <math.h>
#include <string.h>

#include "test_helpers.h"

#define MAX_CASE 64

typedef struct ops_case {
    gi_dtype dtype, other;
    int has_other, cmp, refused, n;
    char op[16];
    double a, b;
    uint64_t x[MAX_CASE], y[MAX_CASE], want[MAX_CASE];
} ops_case;

static gi_dtype dtype_named(const char *name)
{
    for (int d = 0; d < 4; ++d)
        if (strcmp(gi_dtype_name((gi_dtype)d), name) == 0)
            return (gi_dtype)d;
    cr_assert_fail("unknown dtype %s", name);
    return GI_F32;
}

static double double_of(uint64_t bits)
{
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* One case from *text on; advances it. 0 at the closing "cases" line. */
static int next_case(char **text, ops_case *c, long *total)
{
    char *p = *text;
    while (*p == '#')
        p = strchr(p, '\n') + 1;
    if (sscanf(p, "cases %ld", total) == 1)
        return 0;
    char dt[16], other[16], result[16];
    unsigned long long a, b;
    int used = 0;
    cr_assert_eq(sscanf(p, "op %15s %15s %d %llx %llx %15s %15s %d%n", dt,
                        c->op, &c->cmp, &a, &b, other, result, &c->n, &used),
                 8, "bad case line: %.60s", p);
    cr_assert(c->n > 0 && c->n <= MAX_CASE);
    p = strchr(p + used, '\n') + 1;
    c->dtype = dtype_named(dt);
    c->has_other = strcmp(other, "-") != 0;
    c->other = c->has_other ? dtype_named(other) : c->dtype;
    c->refused = strcmp(result, "refused") == 0;
    c->a = double_of(a);
    c->b = double_of(b);
    for (int i = 0; i < c->n; ++i) {
        char y[24];
        unsigned long long x, w;
        cr_assert_eq(sscanf(p, "%llx %23s %llx%n", &x, y, &w, &used), 3);
        c->x[i] = x;
        c->y[i] = c->has_other ? strtoull(y, NULL, 16) : 0;
        c->want[i] = w;
        p = strchr(p + used, '\n') + 1;
    }
    *text = p;
    return 1;
}

static int is_nan(gi_dtype dt, uint64_t b)
{
    switch (dt) {
    case GI_F64: return (b & 0x7fffffffffffffffull) > 0x7ff0000000000000ull;
    case GI_F32: return (b & 0x7fffffffu) > 0x7f800000u;
    case GI_F16: return (b & 0x7fffu) > 0x7c00u;
    default: return (b & 0x7fffu) > 0x7f80u;
    }
}

static size_t elem_size(gi_dtype dt)
{
    return dt == GI_F64 ? 8 : dt == GI_F32 ? 4 : 2;
}

static gi_tensor tensor_of(gi_context ctx, gi_dtype dt, const uint64_t *bits,
                           int n)
{
    gi_tensor t = NULL;
    int64_t shape = n;
    cr_assert_eq(gi_tensor_create(&t, ctx, dt, 1, &shape), GI_OK);
    unsigned char host[MAX_CASE * 8];
    const size_t size = elem_size(dt);
    for (int i = 0; i < n; ++i)
        memcpy(host + (size_t)i * size, &bits[i], size); /* little end */
    cr_assert_eq(gi_tensor_copy_from_host(t, host, size * (size_t)n), GI_OK);
    return t;
}

static gi_status run_op(const ops_case *c, gi_tensor t, gi_tensor y)
{
    const char *op = c->op;
    if (strcmp(op, "fill") == 0)
        return gi_fill_(t, c->a);
    if (strcmp(op, "clamp") == 0)
        return gi_clamp_(t, c->a, c->b);
    if (strcmp(op, "masked_fill") == 0)
        return gi_masked_fill_(t, (gi_compare)c->cmp, c->a, c->b);
    if (strcmp(op, "mul_mask") == 0)
        return gi_mul_mask_(t, (gi_compare)c->cmp, c->a);
    if (strcmp(op, "add") == 0)
        return y != NULL ? gi_add_(t, y, c->a) : gi_add_scalar_(t, c->a);
    cr_assert_str_eq(op, "mul");
    return y != NULL ? gi_mul_(t, y) : gi_mul_scalar_(t, c->a);
}

/* Mismatching elements of case c (the status counts as one). */
static int replay(gi_context ctx, const ops_case *c)
{
    gi_tensor t = tensor_of(ctx, c->dtype, c->x, c->n);
    gi_tensor y = c->has_other ? tensor_of(ctx, c->other, c->y, c->n) : NULL;
    gi_status st = run_op(c, t, y);
    int bad = st != (c->refused ? GI_ERR_INVALID_ARGUMENT : GI_OK);
    if (bad)
        cr_log_error("%s %s %s a=%.17g b=%.17g cmp %d: status %s, want %s "
                     "(%s)", gi_dtype_name(c->dtype), c->op,
                     c->has_other ? gi_dtype_name(c->other) : "-", c->a,
                     c->b, c->cmp, gi_status_string(st),
                     c->refused ? "refused" : "ok", gi_last_error());
    unsigned char host[MAX_CASE * 8];
    const size_t size = elem_size(c->dtype);
    cr_assert_eq(gi_tensor_copy_to_host(t, host, size * (size_t)c->n), GI_OK);
    for (int i = 0; i < c->n; ++i) {
        uint64_t got = 0;
        memcpy(&got, host + (size_t)i * size, size);
        const uint64_t want = c->want[i];
        const int kept = want == c->x[i] && (strcmp(c->op, "clamp") == 0 ||
                                             strcmp(c->op, "masked_fill") == 0);
        const int nan_ok = is_nan(c->dtype, want) && !kept &&
                           is_nan(c->dtype, got);
        if (got == want || nan_ok)
            continue;
        if (++bad <= 3)
            cr_log_error("%s %s %s a=%.17g b=%.17g cmp %d: x %llx y %llx "
                         "gives %llx, torch %llx", gi_dtype_name(c->dtype),
                         c->op, c->has_other ? gi_dtype_name(c->other) : "-",
                         c->a, c->b, c->cmp, (unsigned long long)c->x[i],
                         (unsigned long long)c->y[i],
                         (unsigned long long)got, (unsigned long long)want);
    }
    gi_tensor_destroy(y);
    gi_tensor_destroy(t);
    return bad;
}

/* Every case of operation op (and second tensor or not) in the file. */
static void replay_all(const char *op, int binary)
{
    char *text = read_file(GINIT_TEST_DATA_DIR "/ops_cases.txt");
    gi_context ctx = NULL;
    cr_assert_eq(gi_context_create(&ctx, GI_DEVICE_AUTO), GI_OK);
    static ops_case c;
    char *p = text;
    long total = -1, seen = 0, cases = 0, bad_cases = 0;
    while (next_case(&p, &c, &total)) {
        seen += c.n;
        if (strcmp(c.op, op) != 0 || c.has_other != binary)
            continue;
        ++cases;
        bad_cases += replay(ctx, &c) != 0;
    }
    cr_assert_eq(seen, total, "the file is cut short");
    cr_expect_gt(cases, 0);
    cr_expect_eq(bad_cases, 0, "%ld of %ld %s cases differ from torch",
                 bad_cases, cases, op);
    gi_context_destroy(ctx);
    free(text);
}

Test(ops_dtypes, fill) { replay_all("fill", 0); }
Test(ops_dtypes, add_scalar) { replay_all("add", 0); }
Test(ops_dtypes, mul_scalar) { replay_all("mul", 0); }
Test(ops_dtypes, clamp) { replay_all("clamp", 0); }
Test(ops_dtypes, masked_fill) { replay_all("masked_fill", 0); }
Test(ops_dtypes, mul_mask) { replay_all("mul_mask", 0); }
Test(ops_dtypes, add_tensor) { replay_all("add", 1); }
Test(ops_dtypes, mul_tensor) { replay_all("mul", 1); }
