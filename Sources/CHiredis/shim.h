#ifndef SWITCHBOARD_CHIREDIS_SHIM_H
#define SWITCHBOARD_CHIREDIS_SHIM_H

#include <hiredis/hiredis.h>
#include <sys/socket.h>
#include <errno.h>
#include <sys/epoll.h>   /* the event loop of RedisClient */
#include <sys/eventfd.h>

/// `errno` as a function: Swift cannot read the C macro directly.
static inline int chiredis_errno(void) { return errno; }

#endif
