/* Allocation-failure injection for tests (see alloc.h). Built only with
 * -DGINIT_FAULT_INJECTION=ON; never part of a release. */
#include "alloc.h"

static int64_t fail_at; /* 0: off */
static int64_t count;
static size_t largest;

int gi_fault_hit(size_t bytes)
{
    ++count;
    largest = bytes > largest ? bytes : largest;
    return fail_at > 0 && count == fail_at;
}

void gi_fault_fail_at(int64_t n)
{
    fail_at = n;
    count = 0;
    largest = 0;
}

int64_t gi_fault_count(void)
{
    return count;
}

size_t gi_fault_largest(void)
{
    return largest;
}
