/*
 * net_int.h — what user/net.c (the socket system calls) and
 * user/net_save.c (sockets and event objects in snapshots) share: the
 * state a sandbox keeps beside the host handle of each.
 */
#ifndef MVM_USER_NET_INT_H
#define MVM_USER_NET_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "host/net.h"

enum { SK_SOCKET = 1, SK_EPOLL, SK_EVENTFD, SK_TIMERFD };

#define PEERS 16               /* datagram senders a socket may answer */

struct sock {
    int kind;                  /* SK_* */
    int domain, type, protocol;
    bool bound;                /* bound by the guest through a grant */
    char *upath;               /* AF_UNIX: the guest path it is bound to */
    char *upeer;               /* AF_UNIX: the guest path it connected to */
    struct host_sockaddr peers[PEERS];
    int npeers, next_peer;
    bool timeo;                /* may have SO_RCVTIMEO/SO_SNDTIMEO (ask the host) */
    uint64_t pair;             /* socketpair: the same number on both ends (0: none) */
    uint8_t end;               /* socketpair: which end (0 or 1) */
    int eflags;                /* eventfd: EFD_SEMAPHORE; timerfd: its clock */
};

struct fs;
/* Whether the sandbox's grants allow dir (NET_LISTEN, NET_CONNECT) to a. */
bool net_granted(struct fs *fs, int dir, const struct host_sockaddr *a);

#endif
