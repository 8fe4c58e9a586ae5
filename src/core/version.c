/* The library's run-time version: the header's macros, as this library
 * was compiled with them. */
#include "internal.h"

#define GI_STR_(x) #x
#define GI_XSTR_(x) GI_STR_(x)

const char *gi_version(void)
{
    return GI_XSTR_(GINIT_VERSION_MAJOR) "." GI_XSTR_(
        GINIT_VERSION_MINOR) "." GI_XSTR_(GINIT_VERSION_PATCH);
}

int gi_version_number(void) { return GINIT_VERSION_NUMBER; }
