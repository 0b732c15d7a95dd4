/*
 * net.h — the host's sockets and event objects (epoll, eventfd, timerfd)
 * in the guest's terms. Like host/fs.h, every call takes Linux (LX_*)
 * values and returns a value or a negative LX_E* errno, whatever the host
 * OS uses; addresses travel as struct host_sockaddr, a neutral form the
 * system-call layer (user/net.c) fills from and writes back to the guest's
 * riscv64 layouts.
 *
 * Invariant: nothing here decides what a guest may reach. The grants
 * (which addresses may be bound or connected to, which AF_UNIX names are
 * inside the sandbox) are checked above, in user/net.c; an AF_UNIX name
 * reaches this layer only as a (directory handle, single name) pair, or as
 * an abstract name already made private to the VM.
 *
 * epoll, eventfd and timerfd exist only on Linux hosts; elsewhere they
 * give ENOSYS.
 */
#ifndef MVM_HOST_NET_H
#define MVM_HOST_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Linux values (the same on every Linux architecture). */
#define LX_AF_UNSPEC 0
#define LX_AF_UNIX 1
#define LX_AF_INET 2
#define LX_AF_INET6 10
#define LX_SOCK_STREAM 1
#define LX_SOCK_DGRAM 2
#define LX_SOCK_SEQPACKET 5
#define LX_SOCK_TYPE_MASK 0xf

#define LX_MSG_OOB 0x1
#define LX_MSG_PEEK 0x2
#define LX_MSG_CTRUNC 0x8
#define LX_MSG_TRUNC 0x20
#define LX_MSG_DONTWAIT 0x40
#define LX_MSG_EOR 0x80
#define LX_MSG_WAITALL 0x100
#define LX_MSG_NOSIGNAL 0x4000
#define LX_MSG_MORE 0x8000
#define LX_MSG_CMSG_CLOEXEC 0x40000000

#define LX_SOL_SOCKET 1
#define LX_IPPROTO_IP 0
#define LX_IPPROTO_TCP 6
#define LX_IPPROTO_UDP 17
#define LX_IPPROTO_IPV6 41
#define LX_SO_REUSEADDR 2
#define LX_SO_TYPE 3
#define LX_SO_ERROR 4
#define LX_SO_BROADCAST 6
#define LX_SO_SNDBUF 7
#define LX_SO_RCVBUF 8
#define LX_SO_KEEPALIVE 9
#define LX_SO_OOBINLINE 10
#define LX_SO_LINGER 13
#define LX_SO_REUSEPORT 15
#define LX_SO_RCVLOWAT 18
#define LX_SO_SNDLOWAT 19
#define LX_SO_RCVTIMEO 20
#define LX_SO_SNDTIMEO 21
#define LX_SO_ACCEPTCONN 30
#define LX_SO_PROTOCOL 38
#define LX_SO_DOMAIN 39
#define LX_TCP_NODELAY 1
#define LX_TCP_MAXSEG 2
#define LX_TCP_KEEPIDLE 4
#define LX_TCP_KEEPINTVL 5
#define LX_TCP_KEEPCNT 6
#define LX_IPV6_V6ONLY 26
#define LX_SCM_RIGHTS 1

#define LX_EPOLLIN 0x001
#define LX_EPOLLPRI 0x002
#define LX_EPOLLOUT 0x004
#define LX_EPOLLERR 0x008
#define LX_EPOLLHUP 0x010
#define LX_EPOLLRDNORM 0x040
#define LX_EPOLLRDBAND 0x080
#define LX_EPOLLWRNORM 0x100
#define LX_EPOLLWRBAND 0x200
#define LX_EPOLLMSG 0x400
#define LX_EPOLLRDHUP 0x2000
#define LX_EPOLLEXCLUSIVE (1u << 28)
#define LX_EPOLLWAKEUP (1u << 29)
#define LX_EPOLLONESHOT (1u << 30)
#define LX_EPOLLET (1u << 31)

#define LX_EADDRINUSE 98
#define LX_EADDRNOTAVAIL 99
#define LX_ENETUNREACH 101
#define LX_ECONNABORTED 103
#define LX_ECONNRESET 104
#define LX_ENOBUFS 105
#define LX_EISCONN 106
#define LX_ENOTCONN 107
#define LX_ECONNREFUSED 111
#define LX_EHOSTUNREACH 113
#define LX_EALREADY 114
#define LX_EINPROGRESS 115
#define LX_EDESTADDRREQ 89
#define LX_EMSGSIZE 90
#define LX_EPROTOTYPE 91
#define LX_ENOPROTOOPT 92
#define LX_EPROTONOSUPPORT 93
#define LX_ESOCKTNOSUPPORT 94
#define LX_EAFNOSUPPORT 97

/* A socket address in neutral form. */
struct host_sockaddr {
    int family;            /* LX_AF_* */
    uint16_t port;         /* host order */
    uint32_t flowinfo;     /* host order */
    uint32_t scope_id;
    uint8_t ip[16];        /* network order; IPv4 in ip[0..3] */
    size_t path_len;       /* AF_UNIX: bytes of path used (abstract: path[0] == 0); 0 = unnamed */
    char path[108];
};

/* type carries LX_SOCK_* with LX_O_NONBLOCK / LX_O_CLOEXEC bits. */
int host_socket(int family, int type, int protocol);
int host_socketpair(int family, int type, int protocol, int fds[2]);
int host_bind(int fd, const struct host_sockaddr *a);
int host_connect(int fd, const struct host_sockaddr *a);
/* AF_UNIX names in a directory handle: bind creates name there, connect
 * and sendto open it without following a link (it must be a socket). */
int host_bind_unix_at(int fd, int dir_fd, const char *name);
int host_connect_unix_at(int fd, int dir_fd, const char *name);
int host_listen(int fd, int backlog);
/* A TCP socket whose connection was reset by its peer (the next receive
 * fails with ECONNRESET), made on the loopback: how a connection comes
 * back from a snapshot. The socket or -LX_E*. */
int host_tcp_reset(int lx_flags);
/* lx_flags: LX_O_NONBLOCK | LX_O_CLOEXEC (the new fd is always close-on-exec). */
int host_accept(int fd, struct host_sockaddr *peer, int lx_flags);
int host_getsockname(int fd, struct host_sockaddr *a);
int host_getpeername(int fd, struct host_sockaddr *a);
int host_shutdown(int fd, int how);

/*
 * One message: buf/len, to (NULL: connected), and host fds to pass
 * (SCM_RIGHTS). Never raises SIGPIPE in the monitor (EPIPE instead).
 */
long host_sendmsg(int fd, const void *buf, size_t len, int lx_flags, const struct host_sockaddr *to,
                  const int *fds, int nfds);
/* Receives into buf; from may be NULL; fds receives up to *nfds host fds
 * (set to how many came); *out_flags gets LX_MSG_TRUNC/CTRUNC. */
long host_recvmsg(int fd, void *buf, size_t len, int lx_flags, struct host_sockaddr *from,
                  int *fds, int *nfds, int *out_flags);

/* Options whose value is an int (or a bool). */
int host_setsockopt_int(int fd, int level, int name, int val);
int host_getsockopt_int(int fd, int level, int name, int *val);
/* SO_LINGER (a = on, b = seconds) and SO_RCVTIMEO/SNDTIMEO (a = s, b = us). */
int host_setsockopt_pair(int fd, int level, int name, int64_t a, int64_t b);
int host_getsockopt_pair(int fd, int level, int name, int64_t *a, int64_t *b);

/* Numeric address text ("127.0.0.1", "::1") to bytes: LX_AF_* or -LX_EINVAL. */
int host_inet_parse(const char *s, uint8_t ip[16]);
/* A short unique tag of this monitor process (its pid). */
unsigned long host_net_pid(void);

/* Linux event objects. events are LX_EPOLL* values. */
int host_epoll_create(int lx_flags);
int host_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
struct host_epoll_event {
    uint32_t events;
    uint64_t data;
};
int host_epoll_wait(int epfd, struct host_epoll_event *ev, int max, int timeout_ms);
/* What epfd watches (its interest list, as Linux shows it in fdinfo): fn
 * for each (the handle registered, its events and data) until it returns
 * non-zero. The count, fn's value, or -LX_E* (-LX_ENOSYS: not known here). */
int host_epoll_list(int epfd, int (*fn)(void *ctx, int fd, uint32_t events, uint64_t data), void *ctx);
int host_eventfd(unsigned initval, int lx_flags);
int host_timerfd_create(int clockid, int lx_flags);
/* its: interval sec, nsec, value sec, nsec. */
int host_timerfd_settime(int fd, int lx_flags, const int64_t nw[4], int64_t old[4]);
int host_timerfd_gettime(int fd, int64_t cur[4]);

#endif
