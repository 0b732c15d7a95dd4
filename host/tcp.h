/*
 * tcp.h — the monitor's own TCP connections (live migration), as opposed
 * to the guests' sockets (host/net.h). Addresses are "IPV4:PORT",
 * "[IPV6]:PORT" or "localhost:PORT": numeric, as grants are (a static
 * monitor has no resolver). Functions
 * return a descriptor or -errno; a peer that goes away is an error
 * (EPIPE), never a signal.
 */
#ifndef MVM_HOST_TCP_H
#define MVM_HOST_TCP_H

#include <stddef.h>

/* Listens on addr (port 0: any free one); *bound gets "HOST:PORT" as bound. */
int host_tcp_listen(const char *addr, char *bound, size_t size);
/* Waits for one connection on a listening socket (which it then closes). */
int host_tcp_accept(int lfd);
/* Connects to addr; sends and receives give up after timeout_s seconds of
 * no progress. */
int host_tcp_connect(const char *addr, int timeout_s);

#endif
