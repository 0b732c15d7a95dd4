/*
 * net.c — the host's sockets, epoll, eventfd and timerfd (see host/net.h),
 * translated to and from the Linux values the guest uses. On a Linux host
 * the constants are the identity; they still go through the tables below
 * so that the same code is right elsewhere.
 */
#include "host/net.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#endif

#include "host/fs.h"
#include "user/lx.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

static int net_err(int e)
{
    switch (e) {
    case EADDRINUSE: return LX_EADDRINUSE;
    case EADDRNOTAVAIL: return LX_EADDRNOTAVAIL;
    case ENETUNREACH: return LX_ENETUNREACH;
    case ECONNABORTED: return LX_ECONNABORTED;
    case ECONNRESET: return LX_ECONNRESET;
    case ENOBUFS: return LX_ENOBUFS;
    case EISCONN: return LX_EISCONN;
    case ENOTCONN: return LX_ENOTCONN;
    case ECONNREFUSED: return LX_ECONNREFUSED;
    case EHOSTUNREACH: return LX_EHOSTUNREACH;
    case EALREADY: return LX_EALREADY;
    case EINPROGRESS: return LX_EINPROGRESS;
    case EDESTADDRREQ: return LX_EDESTADDRREQ;
    case EMSGSIZE: return LX_EMSGSIZE;
    case EPROTOTYPE: return LX_EPROTOTYPE;
    case ENOPROTOOPT: return LX_ENOPROTOOPT;
    case EPROTONOSUPPORT: return LX_EPROTONOSUPPORT;
    case EAFNOSUPPORT: return LX_EAFNOSUPPORT;
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK: return LX_EAGAIN;
#endif
    default: return host_err(e);
    }
}

static int neg(void) { return -net_err(errno); }

static int family_to_host(int f)
{
    switch (f) {
    case LX_AF_UNIX: return AF_UNIX;
    case LX_AF_INET: return AF_INET;
    case LX_AF_INET6: return AF_INET6;
    case LX_AF_UNSPEC: return AF_UNSPEC;
    }
    return -1;
}

static int type_to_host(int t)
{
    int h;
    switch (t & LX_SOCK_TYPE_MASK) {
    case LX_SOCK_STREAM: h = SOCK_STREAM; break;
    case LX_SOCK_DGRAM: h = SOCK_DGRAM; break;
    case LX_SOCK_SEQPACKET: h = SOCK_SEQPACKET; break;
    default: return -1;
    }
#ifdef SOCK_CLOEXEC
    h |= SOCK_CLOEXEC;
#endif
    return h;
}

/* Close-on-exec always (the guest's flag is bookkeeping); O_NONBLOCK if asked. */
static int fd_setup(int fd, int lx_flags)
{
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (lx_flags & LX_O_NONBLOCK) {
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
            return neg();
    }
    return 0;
}

/* Keeps new fds off 0..2, which stand for the monitor's own streams. */
static int high_fd(int fd)
{
    if (fd > 2)
        return fd;
    int n = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    int e = errno;
    close(fd);
    errno = e;
    return n;
}

int host_socket(int family, int type, int protocol)
{
    int hf = family_to_host(family), ht = type_to_host(type);
    if (hf < 0 || hf == AF_UNSPEC)
        return -LX_EAFNOSUPPORT;
    if (ht < 0)
        return -LX_ESOCKTNOSUPPORT;
    int fd = socket(hf, ht, protocol);
    if (fd < 0 || (fd = high_fd(fd)) < 0)
        return neg();
    int r = fd_setup(fd, type);
    if (r < 0) {
        close(fd);
        return r;
    }
    return fd;
}

int host_socketpair(int family, int type, int protocol, int fds[2])
{
    int hf = family_to_host(family), ht = type_to_host(type);
    if (hf != AF_UNIX)
        return -LX_EOPNOTSUPP;
    if (ht < 0)
        return -LX_ESOCKTNOSUPPORT;
    int h[2];
    if (socketpair(hf, ht, protocol, h) < 0)
        return neg();
    h[0] = high_fd(h[0]);
    h[1] = high_fd(h[1]);
    int r = h[0] < 0 || h[1] < 0 ? neg() : 0;
    if (r == 0 && (r = fd_setup(h[0], type)) == 0)
        r = fd_setup(h[1], type);
    if (r < 0) {
        if (h[0] >= 0) close(h[0]);
        if (h[1] >= 0) close(h[1]);
        return r;
    }
    fds[0] = h[0];
    fds[1] = h[1];
    return 0;
}

static int to_host(const struct host_sockaddr *a, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    switch (a->family) {
    case LX_AF_INET: {
        struct sockaddr_in *s = (struct sockaddr_in *)ss;
        s->sin_family = AF_INET;
        s->sin_port = htons(a->port);
        memcpy(&s->sin_addr, a->ip, 4);
        *len = sizeof *s;
        return 0;
    }
    case LX_AF_INET6: {
        struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;
        s->sin6_family = AF_INET6;
        s->sin6_port = htons(a->port);
        s->sin6_flowinfo = htonl(a->flowinfo);
        s->sin6_scope_id = a->scope_id;
        memcpy(&s->sin6_addr, a->ip, 16);
        *len = sizeof *s;
        return 0;
    }
    case LX_AF_UNIX: {
        struct sockaddr_un *s = (struct sockaddr_un *)ss;
        if (a->path_len > sizeof s->sun_path)
            return -LX_EINVAL;
        s->sun_family = AF_UNIX;
        memcpy(s->sun_path, a->path, a->path_len);
        *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + a->path_len);
        return 0;
    }
    case LX_AF_UNSPEC:
        ss->ss_family = AF_UNSPEC;
        *len = sizeof(struct sockaddr);
        return 0;
    }
    return -LX_EAFNOSUPPORT;
}

static void from_host(const struct sockaddr_storage *ss, socklen_t len, struct host_sockaddr *a)
{
    memset(a, 0, sizeof *a);
    switch (ss->ss_family) {
    case AF_INET: {
        const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
        a->family = LX_AF_INET;
        a->port = ntohs(s->sin_port);
        memcpy(a->ip, &s->sin_addr, 4);
        break;
    }
    case AF_INET6: {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
        a->family = LX_AF_INET6;
        a->port = ntohs(s->sin6_port);
        a->flowinfo = ntohl(s->sin6_flowinfo);
        a->scope_id = s->sin6_scope_id;
        memcpy(a->ip, &s->sin6_addr, 16);
        break;
    }
    case AF_UNIX: {
        const struct sockaddr_un *s = (const struct sockaddr_un *)ss;
        a->family = LX_AF_UNIX;
        size_t off = offsetof(struct sockaddr_un, sun_path);
        size_t n = len > off ? len - off : 0;
        if (n > sizeof a->path)
            n = sizeof a->path;
        /* A pathname's length excludes its NUL; an abstract name's is exact. */
        if (n && s->sun_path[0])
            n = strnlen(s->sun_path, n);
        memcpy(a->path, s->sun_path, n);
        a->path_len = n;
        break;
    }
    default:
        a->family = LX_AF_UNSPEC;
    }
}

int host_bind(int fd, const struct host_sockaddr *a)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int r = to_host(a, &ss, &len);
    if (r < 0)
        return r;
    return bind(fd, (struct sockaddr *)&ss, len) < 0 ? neg() : 0;
}

int host_connect(int fd, const struct host_sockaddr *a)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int r = to_host(a, &ss, &len);
    if (r < 0)
        return r;
    while ((r = connect(fd, (struct sockaddr *)&ss, len)) < 0 && errno == EINTR)
        ;
    return r < 0 ? neg() : 0;
}

/* "/proc/self/fd/N/name" (or "/proc/self/fd/N"): the host's way to name
 * something below a handle in a socket address. */
static int proc_name(struct host_sockaddr *a, int fd, const char *name)
{
    memset(a, 0, sizeof *a);
    a->family = LX_AF_UNIX;
    int n = name ? snprintf(a->path, sizeof a->path, "/proc/self/fd/%d/%s", fd, name)
                 : snprintf(a->path, sizeof a->path, "/proc/self/fd/%d", fd);
    if (n < 0 || (size_t)n >= sizeof a->path)
        return -LX_ENAMETOOLONG;
    a->path_len = (size_t)n + 1;
    return 0;
}

int host_bind_unix_at(int fd, int dir_fd, const char *name)
{
#if defined(__linux__)
    struct host_sockaddr a;
    int r = proc_name(&a, dir_fd, name);
    return r < 0 ? r : host_bind(fd, &a);
#else
    return -LX_EOPNOTSUPP;
#endif
}

int host_connect_unix_at(int fd, int dir_fd, const char *name)
{
#if defined(__linux__) && defined(O_PATH)
    /* The socket's own inode, opened without following a link: a link
     * swapped in later cannot redirect the connection. */
    int h = openat(dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (h < 0)
        return neg();
    struct stat st;
    int r = 0;
    if (fstat(h, &st) < 0)
        r = neg();
    else if (!S_ISSOCK(st.st_mode))
        r = -LX_ECONNREFUSED;
    struct host_sockaddr a;
    if (r == 0 && (r = proc_name(&a, h, NULL)) == 0)
        r = host_connect(fd, &a);
    close(h);
    return r;
#else
    return -LX_EOPNOTSUPP;
#endif
}

int host_tcp_reset(int lx_flags)
{
    /* A connection on the loopback whose far end is closed with a zero
     * linger: the kernel sends RST, and the near end holds ECONNRESET. */
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), s = -1, r = 0;
    struct linger lg = { 1, 0 };
    if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0 ||
        getsockname(l, (struct sockaddr *)&a, &len) < 0 || connect(c, (struct sockaddr *)&a, sizeof a) < 0 ||
        (s = accept(l, NULL, NULL)) < 0 || setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) < 0)
        r = neg();
    if (s >= 0)
        close(s);
    if (l >= 0)
        close(l);
    if (r == 0 && (c = high_fd(c)) < 0)
        r = neg();
    if (r == 0)
        r = fd_setup(c, lx_flags);
    if (r < 0) {
        if (c >= 0)
            close(c);
        return r;
    }
    return c;
}

int host_listen(int fd, int backlog)
{
    return listen(fd, backlog) < 0 ? neg() : 0;
}

int host_accept(int fd, struct host_sockaddr *peer, int lx_flags)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int n;
    while ((n = accept(fd, (struct sockaddr *)&ss, &len)) < 0 && errno == EINTR)
        ;
    if (n < 0 || (n = high_fd(n)) < 0)
        return neg();
    int r = fd_setup(n, lx_flags);
    if (r < 0) {
        close(n);
        return r;
    }
    /* A listening socket's O_NONBLOCK is not inherited on Linux. */
    if (!(lx_flags & LX_O_NONBLOCK)) {
        int fl = fcntl(n, F_GETFL);
        if (fl >= 0 && (fl & O_NONBLOCK))
            fcntl(n, F_SETFL, fl & ~O_NONBLOCK);
    }
    if (peer)
        from_host(&ss, len, peer);
    return n;
}

/* getsockname or getpeername, in the guest's form. */
static int sock_name(int fd, struct host_sockaddr *a, int (*get)(int, struct sockaddr *, socklen_t *))
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    memset(&ss, 0, sizeof ss);
    if (get(fd, (struct sockaddr *)&ss, &len) < 0)
        return neg();
    from_host(&ss, len, a);
    return 0;
}

int host_getsockname(int fd, struct host_sockaddr *a) { return sock_name(fd, a, getsockname); }
int host_getpeername(int fd, struct host_sockaddr *a) { return sock_name(fd, a, getpeername); }

int host_shutdown(int fd, int how)
{
    int h = how == 0 ? SHUT_RD : how == 1 ? SHUT_WR : how == 2 ? SHUT_RDWR : -1;
    if (h < 0)
        return -LX_EINVAL;
    return shutdown(fd, h) < 0 ? neg() : 0;
}

static int msg_to_host(int f)
{
    int h = 0;
    if (f & LX_MSG_OOB) h |= MSG_OOB;
    if (f & LX_MSG_PEEK) h |= MSG_PEEK;
    if (f & LX_MSG_DONTWAIT) h |= MSG_DONTWAIT;
    if (f & LX_MSG_EOR) h |= MSG_EOR;
    if (f & LX_MSG_WAITALL) h |= MSG_WAITALL;
    if (f & LX_MSG_TRUNC) h |= MSG_TRUNC;
#ifdef MSG_MORE
    if (f & LX_MSG_MORE) h |= MSG_MORE;
#endif
    return h;
}

long host_sendmsg(int fd, const void *buf, size_t len, int lx_flags, const struct host_sockaddr *to,
                  const int *fds, int nfds)
{
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    if (to) {
        int r = to_host(to, &ss, &sl);
        if (r < 0)
            return r;
    }
    struct iovec iov = { (void *)buf, len };
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_name = to ? &ss : NULL;
    m.msg_namelen = sl;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(sizeof(int) * 253)];
    } ctl;
    if (nfds > 0) {
        if (nfds > 253)
            return -LX_EINVAL;
        memset(&ctl, 0, sizeof ctl);
        m.msg_control = ctl.b;
        m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
    }
    /* Never SIGPIPE the monitor (MSG_NOSIGNAL, or the signal blocked). */
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    bool block = MSG_NOSIGNAL == 0;
    if (block)
        sigprocmask(SIG_BLOCK, &pipe_set, &old);
    ssize_t n;
    while ((n = sendmsg(fd, &m, msg_to_host(lx_flags) | MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    int e = errno;
    if (block) {
        if (n < 0 && e == EPIPE) {
            struct timespec zero = { 0, 0 };
            sigtimedwait(&pipe_set, NULL, &zero);
        }
        sigprocmask(SIG_SETMASK, &old, NULL);
    }
    return n < 0 ? -net_err(e) : (long)n;
}

long host_recvmsg(int fd, void *buf, size_t len, int lx_flags, struct host_sockaddr *from,
                  int *fds, int *nfds, int *out_flags)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct iovec iov = { buf, len };
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_name = &ss;
    m.msg_namelen = sizeof ss;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(sizeof(int) * 253)];
    } ctl;
    int want = nfds ? *nfds : 0;
    if (want > 253)
        want = 253;
    if (want > 0) {
        m.msg_control = ctl.b;
        m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)want);
    }
    int hf = msg_to_host(lx_flags);
#ifdef MSG_CMSG_CLOEXEC
    hf |= MSG_CMSG_CLOEXEC;
#endif
    ssize_t n;
    while ((n = recvmsg(fd, &m, hf)) < 0 && errno == EINTR)
        ;
    if (n < 0)
        return neg();
    int got = 0;
    for (struct cmsghdr *c = want > 0 ? CMSG_FIRSTHDR(&m) : NULL; c; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        int *d = (int *)CMSG_DATA(c);
        for (size_t i = 0; i < k; i++) {
            int h;
            memcpy(&h, d + i, sizeof h);
            fcntl(h, F_SETFD, FD_CLOEXEC);
            if (got < want)
                fds[got++] = high_fd(h);
            else
                close(h);
        }
    }
    if (nfds)
        *nfds = got;
    if (out_flags) {
        *out_flags = 0;
        if (m.msg_flags & MSG_TRUNC) *out_flags |= LX_MSG_TRUNC;
        if (m.msg_flags & MSG_CTRUNC) *out_flags |= LX_MSG_CTRUNC;
        if (m.msg_flags & MSG_EOR) *out_flags |= LX_MSG_EOR;
    }
    if (from)
        from_host(&ss, m.msg_namelen, from);
    return (long)n;
}

/* (level, name) -> host's; false if the host has no such option. */
static bool opt_to_host(int level, int name, int *hl, int *hn)
{
    switch (level) {
    case LX_SOL_SOCKET:
        *hl = SOL_SOCKET;
        switch (name) {
        case LX_SO_REUSEADDR: *hn = SO_REUSEADDR; return true;
        case LX_SO_TYPE: *hn = SO_TYPE; return true;
        case LX_SO_ERROR: *hn = SO_ERROR; return true;
        case LX_SO_BROADCAST: *hn = SO_BROADCAST; return true;
        case LX_SO_SNDBUF: *hn = SO_SNDBUF; return true;
        case LX_SO_RCVBUF: *hn = SO_RCVBUF; return true;
        case LX_SO_KEEPALIVE: *hn = SO_KEEPALIVE; return true;
        case LX_SO_OOBINLINE: *hn = SO_OOBINLINE; return true;
        case LX_SO_LINGER: *hn = SO_LINGER; return true;
#ifdef SO_REUSEPORT
        case LX_SO_REUSEPORT: *hn = SO_REUSEPORT; return true;
#endif
        case LX_SO_RCVLOWAT: *hn = SO_RCVLOWAT; return true;
        case LX_SO_SNDLOWAT: *hn = SO_SNDLOWAT; return true;
        case LX_SO_RCVTIMEO: *hn = SO_RCVTIMEO; return true;
        case LX_SO_SNDTIMEO: *hn = SO_SNDTIMEO; return true;
        case LX_SO_ACCEPTCONN: *hn = SO_ACCEPTCONN; return true;
        }
        return false;
    case LX_IPPROTO_TCP:
        *hl = IPPROTO_TCP;
        switch (name) {
        case LX_TCP_NODELAY: *hn = TCP_NODELAY; return true;
        case LX_TCP_MAXSEG: *hn = TCP_MAXSEG; return true;
#ifdef TCP_KEEPIDLE
        case LX_TCP_KEEPIDLE: *hn = TCP_KEEPIDLE; return true;
#endif
#ifdef TCP_KEEPINTVL
        case LX_TCP_KEEPINTVL: *hn = TCP_KEEPINTVL; return true;
#endif
#ifdef TCP_KEEPCNT
        case LX_TCP_KEEPCNT: *hn = TCP_KEEPCNT; return true;
#endif
        }
        return false;
    case LX_IPPROTO_IPV6:
        *hl = IPPROTO_IPV6;
        if (name == LX_IPV6_V6ONLY) {
            *hn = IPV6_V6ONLY;
            return true;
        }
        return false;
    }
    return false;
}

int host_setsockopt_int(int fd, int level, int name, int val)
{
    int hl, hn;
    if (!opt_to_host(level, name, &hl, &hn))
        return -LX_ENOPROTOOPT;
    return setsockopt(fd, hl, hn, &val, sizeof val) < 0 ? neg() : 0;
}

int host_getsockopt_int(int fd, int level, int name, int *val)
{
    int hl, hn;
    if (!opt_to_host(level, name, &hl, &hn))
        return -LX_ENOPROTOOPT;
    socklen_t len = sizeof *val;
    *val = 0;
    if (getsockopt(fd, hl, hn, val, &len) < 0)
        return neg();
    if (level == LX_SOL_SOCKET && name == LX_SO_ERROR)
        *val = *val ? net_err(*val) : 0;
    return 0;
}

int host_setsockopt_pair(int fd, int level, int name, int64_t a, int64_t b)
{
    int hl, hn;
    if (!opt_to_host(level, name, &hl, &hn))
        return -LX_ENOPROTOOPT;
    if (name == LX_SO_LINGER) {
        struct linger l = { (int)a, (int)b };
        return setsockopt(fd, hl, hn, &l, sizeof l) < 0 ? neg() : 0;
    }
    struct timeval tv;
    tv.tv_sec = (time_t)a;
    tv.tv_usec = (suseconds_t)b;
    return setsockopt(fd, hl, hn, &tv, sizeof tv) < 0 ? neg() : 0;
}

int host_getsockopt_pair(int fd, int level, int name, int64_t *a, int64_t *b)
{
    int hl, hn;
    if (!opt_to_host(level, name, &hl, &hn))
        return -LX_ENOPROTOOPT;
    if (name == LX_SO_LINGER) {
        struct linger l;
        socklen_t len = sizeof l;
        memset(&l, 0, sizeof l);
        if (getsockopt(fd, hl, hn, &l, &len) < 0)
            return neg();
        *a = l.l_onoff;
        *b = l.l_linger;
        return 0;
    }
    struct timeval tv;
    socklen_t len = sizeof tv;
    memset(&tv, 0, sizeof tv);
    if (getsockopt(fd, hl, hn, &tv, &len) < 0)
        return neg();
    *a = tv.tv_sec;
    *b = tv.tv_usec;
    return 0;
}

int host_inet_parse(const char *s, uint8_t ip[16])
{
    memset(ip, 0, 16);
    if (inet_pton(AF_INET, s, ip) == 1)
        return LX_AF_INET;
    if (inet_pton(AF_INET6, s, ip) == 1)
        return LX_AF_INET6;
    return -LX_EINVAL;
}

unsigned long host_net_pid(void)
{
    return (unsigned long)getpid();
}

/* ---------------------------------------------------------- event objects */

#if defined(__linux__)
static int nb_cloexec(int lx_flags, int nb, int ce)
{
    return ((lx_flags & LX_O_NONBLOCK) ? nb : 0) | ce;
}

int host_epoll_create(int lx_flags)
{
    int fd = epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0 || (fd = high_fd(fd)) < 0)
        return neg();
    (void)lx_flags;
    return fd;
}

/* epoll's bits are the same on every Linux architecture. */
int host_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data)
{
    int hop = op == 1 ? EPOLL_CTL_ADD : op == 2 ? EPOLL_CTL_DEL : op == 3 ? EPOLL_CTL_MOD : -1;
    if (hop < 0)
        return -LX_EINVAL;
    struct epoll_event e;
    memset(&e, 0, sizeof e);
    e.events = events & ~(uint32_t)LX_EPOLLWAKEUP;
    e.data.u64 = data;
    return epoll_ctl(epfd, hop, fd, &e) < 0 ? neg() : 0;
}

/* Linux lists an epoll instance's interest list in /proc/self/fdinfo/N,
 * one line per item: "tfd: %8d events: %8x data: %16llx ...". */
int host_epoll_list(int epfd, int (*fn)(void *ctx, int fd, uint32_t events, uint64_t data), void *ctx)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", epfd);
    FILE *f = fopen(path, "re");
    if (!f)
        return -LX_ENOSYS;
    char line[256];
    int n = 0, r = 0;
    while (r == 0 && fgets(line, sizeof line, f)) {
        int fd;
        unsigned events;
        unsigned long long data;
        if (sscanf(line, "tfd: %d events: %x data: %llx", &fd, &events, &data) != 3)
            continue;
        r = fn(ctx, fd, events, data);
        n++;
    }
    bool bad = ferror(f);
    fclose(f);
    return r != 0 ? r : bad ? -LX_EIO : n;
}

int host_epoll_wait(int epfd, struct host_epoll_event *ev, int max, int timeout_ms)
{
    struct epoll_event small[64];
    struct epoll_event *e = max <= 64 ? small : calloc((size_t)max, sizeof *e);
    if (!e)
        return -LX_ENOMEM;
    int n = epoll_wait(epfd, e, max, timeout_ms);
    int r = n < 0 ? neg() : n;
    for (int i = 0; i < n; i++) {
        ev[i].events = e[i].events;
        ev[i].data = e[i].data.u64;
    }
    if (e != small)
        free(e);
    return r;
}

int host_eventfd(unsigned initval, int lx_flags)
{
    int fd = eventfd(initval, nb_cloexec(lx_flags, EFD_NONBLOCK, EFD_CLOEXEC) | ((lx_flags & 1) ? EFD_SEMAPHORE : 0));
    if (fd < 0 || (fd = high_fd(fd)) < 0)
        return neg();
    return fd;
}

int host_timerfd_create(int clockid, int lx_flags)
{
    clockid_t c;
    switch (clockid) {
    case 0: c = CLOCK_REALTIME; break;
    case 1: c = CLOCK_MONOTONIC; break;
#ifdef CLOCK_BOOTTIME
    case 7: c = CLOCK_BOOTTIME; break;
#endif
    default: return -LX_EINVAL;
    }
    int fd = timerfd_create(c, nb_cloexec(lx_flags, TFD_NONBLOCK, TFD_CLOEXEC));
    if (fd < 0 || (fd = high_fd(fd)) < 0)
        return neg();
    return fd;
}

static void its_out(const struct itimerspec *s, int64_t o[4])
{
    o[0] = s->it_interval.tv_sec;
    o[1] = s->it_interval.tv_nsec;
    o[2] = s->it_value.tv_sec;
    o[3] = s->it_value.tv_nsec;
}

int host_timerfd_settime(int fd, int lx_flags, const int64_t nw[4], int64_t old[4])
{
    struct itimerspec n, o;
    n.it_interval.tv_sec = (time_t)nw[0];
    n.it_interval.tv_nsec = (long)nw[1];
    n.it_value.tv_sec = (time_t)nw[2];
    n.it_value.tv_nsec = (long)nw[3];
    int hf = 0;
    if (lx_flags & 1) hf |= TFD_TIMER_ABSTIME;
#ifdef TFD_TIMER_CANCEL_ON_SET
    if (lx_flags & 2) hf |= TFD_TIMER_CANCEL_ON_SET;
#endif
    if (timerfd_settime(fd, hf, &n, &o) < 0)
        return neg();
    if (old)
        its_out(&o, old);
    return 0;
}

int host_timerfd_gettime(int fd, int64_t cur[4])
{
    struct itimerspec s;
    if (timerfd_gettime(fd, &s) < 0)
        return neg();
    its_out(&s, cur);
    return 0;
}
#else
int host_epoll_create(int lx_flags) { return -LX_ENOSYS; }
int host_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) { return -LX_ENOSYS; }
int host_epoll_list(int epfd, int (*fn)(void *ctx, int fd, uint32_t events, uint64_t data), void *ctx) { return -LX_ENOSYS; }
int host_epoll_wait(int epfd, struct host_epoll_event *ev, int max, int timeout_ms) { return -LX_ENOSYS; }
int host_eventfd(unsigned initval, int lx_flags) { return -LX_ENOSYS; }
int host_timerfd_create(int clockid, int lx_flags) { return -LX_ENOSYS; }
int host_timerfd_settime(int fd, int lx_flags, const int64_t nw[4], int64_t old[4]) { return -LX_ENOSYS; }
int host_timerfd_gettime(int fd, int64_t cur[4]) { return -LX_ENOSYS; }
#endif
