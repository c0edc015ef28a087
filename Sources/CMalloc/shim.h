#ifndef SWITCHBOARD_CMALLOC_SHIM_H
#define SWITCHBOARD_CMALLOC_SHIM_H

/* glibc's allocator settings (`mallopt`), which the Glibc module leaves out; part of libc, nothing to link. */
#include <malloc.h>

#endif
