/* Status names and texts, and the per-thread message of the last failure. */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

static _Thread_local char last_error[512];

const char *gi_status_string(gi_status status)
{
    switch (status) {
#define GI_STATUS_TEXT_(name, value, text) case name: return text;
        GI_STATUS_LIST(GI_STATUS_TEXT_)
#undef GI_STATUS_TEXT_
    }
    return "unknown status";
}

const char *gi_status_name(gi_status status)
{
    switch (status) {
#define GI_STATUS_NAME_(name, value, text) case name: return #name;
        GI_STATUS_LIST(GI_STATUS_NAME_)
#undef GI_STATUS_NAME_
    }
    return "GI_UNKNOWN_STATUS";
}

const char *gi_last_error(void)
{
    return last_error;
}

gi_status gi_fail(gi_status status, const char *fn, const char *fmt, ...)
{
    int n = snprintf(last_error, sizeof last_error, "%s: ", fn);
    if (n < 0 || (size_t)n >= sizeof last_error)
        return status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error + n, sizeof last_error - (size_t)n, fmt, ap);
    va_end(ap);
    return status;
}

void gi_restore_error(const char *message)
{
    snprintf(last_error, sizeof last_error, "%s", message);
}

gi_status gi_set_error(gi_status status, const char *fmt, ...)
{
    last_error[0] = '\0';
    if (fmt == NULL)
        return status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return status;
}
