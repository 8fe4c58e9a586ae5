/* What the fuzz targets share: check(cond) aborts, naming the promise
 * that broke and the library's last message, so that libFuzzer keeps the
 * input as a crash. */
#ifndef GINIT_FUZZ_CHECK_H
#define GINIT_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#include "ginit.h"

static void check_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", file,
            line, what, gi_last_error());
    abort();
}

#define check(cond)                                                           \
    do {                                                                      \
        if (!(cond))                                                          \
            check_fail(#cond, __FILE__, __LINE__);                            \
    } while (0)

#endif
