/*
 * net.c — the socket and event-loop system calls (socket ... recvmsg,
 * epoll, eventfd, timerfd) and the network grants that bound them
 * (user/net.h, docs/sandbox.md "The network").
 *
 * A socket, an epoll instance, an eventfd or a timerfd is a struct file
 * of the sandbox's fd table whose host handle is the host's own object,
 * with a struct sock beside it; read, write, close, dup, fcntl, fstat and
 * poll work on it as on a pipe. Guest structures (sockaddr_in/in6/un,
 * msghdr, cmsghdr, iovec, epoll_event, itimerspec) are the riscv64 Linux
 * layouts, converted field by field in little-endian order (ports and
 * addresses in network order), whatever the host.
 *
 * Invariants: an AF_INET/AF_INET6 bind needs a listen grant of exactly
 * that address, a listen needs such a bind, a connect or an addressed send
 * needs a connect grant (or, for a datagram reply, an address the socket
 * received from); an AF_UNIX path is resolved by the sandbox and reaches
 * the host as (directory handle, name); an abstract AF_UNIX name is made
 * private to the VM by a host prefix. Whatever blocks first waits without
 * the run lock (proc_poll) when other threads could run.
 */
#include "user/net.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/fs.h"
#include "host/host.h"
#include "host/net.h"
#include "mem/mem.h"
#include "user/fs.h"
#include "user/fs_int.h"
#include "user/lx.h"
#include "user/net_int.h"
#include "user/proc.h"

#define MAX_IO (1u << 20)      /* bytes one send or receive moves at most */
#define MAX_FDS 253            /* SCM_RIGHTS: Linux's SCM_MAX_FD */

struct grant {
    int dir;                   /* NET_LISTEN / NET_CONNECT */
    bool localhost;            /* 127.0.0.1 or ::1 */
    int family;
    uint8_t ip[16];
    uint16_t port;
    char spec[64];             /* as granted (snapshots grant it again) */
};

struct net {
    struct grant *g;
    int n;
    unsigned long id;          /* private namespace of abstract names */
};



/* ------------------------------------------------------------- grants */

static struct net *net_get(struct fs *fs)
{
    static _Atomic unsigned long ids;
    if (!fs->net) {
        fs->net = calloc(1, sizeof *fs->net);
        if (fs->net)
            fs->net->id = atomic_fetch_add(&ids, 1) + 1;
    }
    return fs->net;
}

struct net *net_fork(const struct net *n)
{
    struct net *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->g = n->n ? malloc((size_t)n->n * sizeof *c->g) : NULL;
    if (n->n && !c->g) {
        free(c);
        return NULL;
    }
    if (n->n)
        memcpy(c->g, n->g, (size_t)n->n * sizeof *c->g);
    c->n = n->n;
    c->id = n->id;      /* one namespace of abstract names per VM */
    return c;
}

void net_free(struct net *n)
{
    if (!n)
        return;
    free(n->g);
    free(n);
}

static int parse_grant(const char *spec, struct grant *g)
{
    char host[64];
    memset(g, 0, sizeof *g);
    const char *colon;
    size_t hl;
    if (spec[0] == '[') {
        const char *end = strchr(spec, ']');
        if (!end || end[1] != ':')
            return -LX_EINVAL;
        hl = (size_t)(end - spec - 1);
        if (hl >= sizeof host)
            return -LX_EINVAL;
        memcpy(host, spec + 1, hl);
        colon = end + 1;
    } else {
        colon = strrchr(spec, ':');
        if (!colon)
            return -LX_EINVAL;
        hl = (size_t)(colon - spec);
        if (hl >= sizeof host)
            return -LX_EINVAL;
        memcpy(host, spec, hl);
    }
    host[hl] = 0;
    const char *ps = colon + 1;
    unsigned long port = 0;
    if (!*ps || strlen(ps) > 5)
        return -LX_EINVAL;
    for (const char *c = ps; *c; c++) {
        if (*c < '0' || *c > '9')
            return -LX_EINVAL;
        port = port * 10 + (unsigned long)(*c - '0');
    }
    if (port < 1 || port > 65535)
        return -LX_EINVAL;
    g->port = (uint16_t)port;
    if (strcmp(host, "localhost") == 0) {
        g->localhost = true;
        return 0;
    }
    int f = host_inet_parse(host, g->ip);
    if (f < 0 || (f == LX_AF_INET6 && spec[0] != '['))
        return -LX_EINVAL;
    g->family = f;
    return 0;
}

/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) compares as IPv4. */
static void normalize(const struct host_sockaddr *a, int *family, uint8_t ip[16])
{
    static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    memset(ip, 0, 16);
    if (a->family == LX_AF_INET6 && memcmp(a->ip, mapped, 12) == 0) {
        *family = LX_AF_INET;
        memcpy(ip, a->ip + 12, 4);
    } else {
        *family = a->family;
        memcpy(ip, a->ip, a->family == LX_AF_INET ? 4 : 16);
    }
}

static bool is_loopback(int family, const uint8_t ip[16])
{
    static const uint8_t lo4[4] = { 127, 0, 0, 1 };
    static const uint8_t lo6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    return family == LX_AF_INET ? memcmp(ip, lo4, 4) == 0 : memcmp(ip, lo6, 16) == 0;
}

static bool grant_covers(const struct grant *g, int dir, int family, const uint8_t ip[16], uint16_t port)
{
    if (g->dir != dir || g->port != port)
        return false;
    if (g->localhost)
        return is_loopback(family, ip);
    return g->family == family && memcmp(g->ip, ip, family == LX_AF_INET ? 4 : 16) == 0;
}

bool net_granted(struct fs *fs, int dir, const struct host_sockaddr *a)
{
    if (!fs->net)
        return false;
    int family;
    uint8_t ip[16];
    normalize(a, &family, ip);
    for (int i = 0; i < fs->net->n; i++)
        if (grant_covers(&fs->net->g[i], dir, family, ip, a->port))
            return true;
    return false;
}

int net_allow(struct fs *fs, int direction, const char *spec)
{
    struct grant g;
    if (direction != NET_LISTEN && direction != NET_CONNECT)
        return -LX_EINVAL;
    int r = parse_grant(spec, &g);
    if (r < 0)
        return r;
    g.dir = direction;
    if ((size_t)snprintf(g.spec, sizeof g.spec, "%s", spec) >= sizeof g.spec)
        return -LX_EINVAL;
    struct net *n = net_get(fs);
    if (!n)
        return -LX_ENOMEM;
    struct grant *v = realloc(n->g, (size_t)(n->n + 1) * sizeof *v);
    if (!v)
        return -LX_ENOMEM;
    v[n->n++] = g;
    n->g = v;
    return 0;
}

const char *net_sock_kind(const struct sock *s)
{
    switch (s->kind) {
    case SK_EPOLL: return "an epoll instance";
    case SK_EVENTFD: return "an eventfd";
    case SK_TIMERFD: return "a timerfd";
    }
    return "a socket";
}

const char *net_grant(const struct fs *fs, int i, int *direction)
{
    if (!fs->net || i < 0 || i >= fs->net->n)
        return NULL;
    *direction = fs->net->g[i].dir;
    return fs->net->g[i].spec;
}

int net_allow_from(struct fs *fs, struct fs *from, int direction, const char *spec)
{
    struct grant g;
    if (direction != NET_LISTEN && direction != NET_CONNECT)
        return -LX_EINVAL;
    int r = parse_grant(spec, &g);
    if (r < 0)
        return r;
    bool ok = false;
    for (int i = 0; from->net && i < from->net->n && !ok; i++) {
        const struct grant *h = &from->net->g[i];
        if (h->dir != direction || h->port != g.port)
            continue;
        if (g.localhost)
            ok = h->localhost;     /* both loopbacks: only a localhost grant covers */
        else
            ok = grant_covers(h, direction, g.family, g.ip, g.port);
    }
    return ok ? net_allow(fs, direction, spec) : -LX_EACCES;
}

/* ---------------------------------------------------- guest structures */

/* A guest sockaddr of len bytes at va, in neutral form. */
static int addr_in(struct proc *p, uint64_t va, uint64_t len, struct host_sockaddr *a)
{
    uint8_t b[128];
    memset(a, 0, sizeof *a);
    if ((int64_t)len < 2 || len > sizeof b)
        return -LX_EINVAL;
    int r = mem_read(p->as, va, b, (size_t)len);
    if (r < 0)
        return r;
    a->family = ld16(b);
    switch (a->family) {
    case LX_AF_INET:
        if (len < 16)
            return -LX_EINVAL;
        a->port = (uint16_t)(b[2] << 8 | b[3]);
        memcpy(a->ip, b + 4, 4);
        return 0;
    case LX_AF_INET6:
        if (len < 24)
            return -LX_EINVAL;
        a->port = (uint16_t)(b[2] << 8 | b[3]);
        a->flowinfo = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
        memcpy(a->ip, b + 8, 16);
        a->scope_id = len >= 28 ? ld32(b + 24) : 0;
        return 0;
    case LX_AF_UNIX: {
        size_t n = (size_t)len - 2;
        if (n > sizeof a->path)
            return -LX_EINVAL;
        memcpy(a->path, b + 2, n);
        if (n && a->path[0])
            n = strnlen(a->path, n);
        a->path_len = n;
        return 0;
    }
    case LX_AF_UNSPEC:
        return 0;
    }
    return -LX_EAFNOSUPPORT;
}

/* Writes a sockaddr back: at most *lenp bytes, and the full length to lenp. */
static int addr_out(struct proc *p, uint64_t va, uint64_t lenp, const struct host_sockaddr *a)
{
    if (!va || !lenp)
        return 0;
    uint8_t b[128], lb[4];
    memset(b, 0, sizeof b);
    int r = mem_read(p->as, lenp, lb, 4);
    if (r < 0)
        return r;
    int32_t have = (int32_t)ld32(lb);
    if (have < 0)
        return -LX_EINVAL;
    size_t n = a->family == LX_AF_UNSPEC ? 0 : 2;   /* no address (a stream's recvmsg) */
    st16(b, (uint16_t)a->family);
    switch (a->family) {
    case LX_AF_INET:
        b[2] = (uint8_t)(a->port >> 8);
        b[3] = (uint8_t)a->port;
        memcpy(b + 4, a->ip, 4);
        n = 16;
        break;
    case LX_AF_INET6:
        b[2] = (uint8_t)(a->port >> 8);
        b[3] = (uint8_t)a->port;
        for (int i = 0; i < 4; i++)
            b[4 + i] = (uint8_t)(a->flowinfo >> (24 - 8 * i));
        memcpy(b + 8, a->ip, 16);
        st32(b + 24, a->scope_id);
        n = 28;
        break;
    case LX_AF_UNIX:
        memcpy(b + 2, a->path, a->path_len);
        /* A pathname's length counts its NUL, as Linux reports it. */
        n = 2 + a->path_len + (a->path_len && a->path[0] && a->path_len < sizeof a->path ? 1 : 0);
        break;
    }
    size_t k = (size_t)have < n ? (size_t)have : n;
    if (k && (r = mem_write(p->as, va, b, k)) < 0)
        return r;
    st32(lb, (uint32_t)n);
    return mem_write(p->as, lenp, lb, 4);
}

void net_trace_addr(struct proc *p, uint64_t va, uint64_t len, char *out, size_t size)
{
    struct host_sockaddr a;
    if (!va) {
        snprintf(out, size, "NULL");
        return;
    }
    if (addr_in(p, va, len, &a) < 0) {
        snprintf(out, size, "0x%llx", (unsigned long long)va);
        return;
    }
    char ip[64] = "";
    switch (a.family) {
    case LX_AF_INET:
        snprintf(out, size, "{AF_INET, %u.%u.%u.%u:%u}", a.ip[0], a.ip[1], a.ip[2], a.ip[3], a.port);
        return;
    case LX_AF_INET6:
        for (int i = 0; i < 16; i += 2)
            snprintf(ip + strlen(ip), sizeof ip - strlen(ip), "%s%x", i ? ":" : "", a.ip[i] << 8 | a.ip[i + 1]);
        snprintf(out, size, "{AF_INET6, [%s]:%u}", ip, a.port);
        return;
    case LX_AF_UNIX:
        if (a.path_len && !a.path[0])
            snprintf(out, size, "{AF_UNIX, @%.*s}", (int)a.path_len - 1, a.path + 1);
        else
            snprintf(out, size, "{AF_UNIX, \"%.*s\"}", (int)a.path_len, a.path);
        return;
    }
    snprintf(out, size, "{family=%d}", a.family);
}

/* ---------------------------------------------------------- sock files */

void net_sock_free(struct sock *s)
{
    if (!s)
        return;
    free(s->upath);
    free(s->upeer);
    free(s);
}

void net_counter_order(struct file *f, void *buf, long n)
{
#if HOST_BIG_ENDIAN
    /* eventfd and timerfd counters are host-order u64s; the guest's are LE. */
    if (n == 8 && f->sock && (f->sock->kind == SK_EVENTFD || f->sock->kind == SK_TIMERFD)) {
        uint64_t v;
        memcpy(&v, buf, 8);
        v = host_bswap64(v);
        memcpy(buf, &v, 8);
    }
#else
    (void)f; (void)buf; (void)n;
#endif
}

/* Puts host handle hfd in the guest's table with a new sock; closes it on error. */
static int install(struct fs *fs, int hfd, int flags, uint32_t type, struct sock *tmpl, bool cloexec)
{
    int fd = fd_alloc(fs, 0);
    struct sock *s = fd >= 0 ? malloc(sizeof *s) : NULL;
    struct file *f = s ? file_new(hfd, -1, flags, type, NULL) : NULL;
    if (!f) {
        free(s);
        host_close(hfd);
        return fd < 0 ? fd : -LX_ENOMEM;
    }
    *s = *tmpl;
    s->upath = tmpl->upath ? strdup(tmpl->upath) : NULL;
    s->upeer = NULL;
    f->sock = s;
    fs->fds[fd] = (struct fd_slot){ .f = f, .cloexec = cloexec };
    return fd;
}

static int sock_of(struct proc *p, int fd, int kind, struct file **out)
{
    struct file *f = fd_file(p->fs, fd);
    if (!f)
        return -LX_EBADF;
    if (!f->sock || f->sock->kind != kind)
        return kind == SK_SOCKET ? -LX_ENOTSOCK : -LX_EINVAL;
    *out = f;
    return 0;
}

/*
 * Before a call that may block: wait for ev without the run lock, so other
 * threads run meanwhile. The file is held, so a close by another thread
 * cannot free it under us.
 */
static int wait_ready(struct proc *p, struct file *f, short ev, int msg_flags)
{
    if ((f->flags & LX_O_NONBLOCK) || (msg_flags & LX_MSG_DONTWAIT) || proc_live_threads(p) <= 1)
        return 0;
    struct host_pollfd hp = { f->fd, ev, 0 };
    /* The socket's SO_RCVTIMEO / SO_SNDTIMEO bound the wait, as they
     * bound the blocking call (EAGAIN when it passes). */
    int64_t s = 0, us = 0;
    int ms = -1;
    if (f->sock && f->sock->timeo && host_getsockopt_pair(f->fd, LX_SOL_SOCKET, ev == LX_POLLOUT ? LX_SO_SNDTIMEO : LX_SO_RCVTIMEO, &s, &us) == 0 &&
        (s > 0 || us > 0))
        ms = s >= INT32_MAX / 1000 ? INT32_MAX : (int)(s * 1000 + (us + 999) / 1000);
    f->refs++;
    int r = proc_poll(p, &hp, 1, ms);
    file_unref(f);
    return r < 0 ? r : r == 0 ? -LX_EAGAIN : 0;
}

/* ------------------------------------------------------ AF_UNIX names */

/* The host form of a guest abstract name: "\0mvm.PID.ID." + name. */
static int abstract_in(struct fs *fs, struct host_sockaddr *a)
{
    struct net *n = net_get(fs);
    if (!n)
        return -LX_ENOMEM;
    char pre[64];
    int k = snprintf(pre, sizeof pre, "mvm.%lu.%lu.", host_net_pid(), n->id);
    size_t plen = (size_t)k;
    if (1 + plen + a->path_len - 1 > sizeof a->path)
        return -LX_EINVAL;
    memmove(a->path + 1 + plen, a->path + 1, a->path_len - 1);
    memcpy(a->path + 1, pre, plen);
    a->path_len += plen;
    return 0;
}

/* The guest's view of a host AF_UNIX address. */
static void unix_out(struct fs *fs, const char *known, struct host_sockaddr *a)
{
    if (a->family != LX_AF_UNIX || a->path_len == 0)
        return;
    if (!a->path[0]) {
        char pre[64];
        int k = snprintf(pre, sizeof pre, "mvm.%lu.%lu.", host_net_pid(), fs->net ? fs->net->id : 0);
        size_t plen = (size_t)k;
        if (a->path_len > plen && memcmp(a->path + 1, pre, plen) == 0) {
            memmove(a->path + 1, a->path + 1 + plen, a->path_len - 1 - plen);
            a->path_len -= plen;
            return;
        }
        a->path_len = 0;   /* not one of ours: unnamed */
        return;
    }
    /* A host path ("/proc/self/fd/N/name") means nothing to the guest. */
    a->path_len = 0;
    if (known) {
        size_t n = strlen(known);
        if (n < sizeof a->path) {
            memcpy(a->path, known, n);
            a->path_len = n;
        }
    }
}

static int bind_cb(void *ctx, int dir_fd, const char *name)
{
    return host_bind_unix_at(*(int *)ctx, dir_fd, name);
}

static int connect_cb(void *ctx, int dir_fd, const char *name)
{
    return host_connect_unix_at(*(int *)ctx, dir_fd, name);
}

static int unix_path(const struct host_sockaddr *a, char *path)
{
    if (a->path_len == 0 || a->path_len >= sizeof a->path)
        return -LX_EINVAL;
    memcpy(path, a->path, a->path_len);
    path[a->path_len] = 0;
    return 0;
}

/* ----------------------------------------------------------- sockets */

long sys_socket(struct proc *p, const uint64_t *a)
{
    int domain = (int)a[0], type = (int)a[1], proto = (int)a[2];
    int base = type & LX_SOCK_TYPE_MASK;
    if (type & ~(LX_SOCK_TYPE_MASK | LX_O_NONBLOCK | LX_O_CLOEXEC))
        return -LX_EINVAL;
    if (domain != LX_AF_UNIX && domain != LX_AF_INET && domain != LX_AF_INET6)
        return -LX_EAFNOSUPPORT;
    if (base == 3)          /* SOCK_RAW: needs privileges the guest never has */
        return -LX_EPERM;
    if (base != LX_SOCK_STREAM && base != LX_SOCK_DGRAM && !(base == LX_SOCK_SEQPACKET && domain == LX_AF_UNIX))
        return -LX_ESOCKTNOSUPPORT;
    if (domain == LX_AF_UNIX ? proto != 0
                             : !(proto == 0 || (base == LX_SOCK_STREAM && proto == LX_IPPROTO_TCP) ||
                                 (base == LX_SOCK_DGRAM && proto == LX_IPPROTO_UDP)))
        return -LX_EPROTONOSUPPORT;
    int h = host_socket(domain, type, proto);
    if (h < 0)
        return h;
    struct sock t = { .kind = SK_SOCKET, .domain = domain, .type = base,
                      .protocol = proto ? proto : domain == LX_AF_UNIX ? 0 : base == LX_SOCK_STREAM ? 6 : 17 };
    return install(p->fs, h, LX_O_RDWR | (type & LX_O_NONBLOCK), LX_S_IFSOCK, &t, (type & LX_O_CLOEXEC) != 0);
}

long sys_socketpair(struct proc *p, const uint64_t *a)
{
    int domain = (int)a[0], type = (int)a[1], proto = (int)a[2];
    int base = type & LX_SOCK_TYPE_MASK;
    if (type & ~(LX_SOCK_TYPE_MASK | LX_O_NONBLOCK | LX_O_CLOEXEC))
        return -LX_EINVAL;
    if (domain == LX_AF_INET || domain == LX_AF_INET6)
        return -LX_EOPNOTSUPP;
    if (domain != LX_AF_UNIX)
        return -LX_EAFNOSUPPORT;
    if (base != LX_SOCK_STREAM && base != LX_SOCK_DGRAM && base != LX_SOCK_SEQPACKET)
        return -LX_ESOCKTNOSUPPORT;
    if (proto != 0)
        return -LX_EPROTONOSUPPORT;
    uint8_t b[8];
    int r = mem_read(p->as, a[3], b, 8);     /* EFAULT before anything is made */
    if (r < 0)
        return r;
    int h[2];
    if ((r = host_socketpair(domain, type, proto, h)) < 0)
        return r;
    static _Atomic uint64_t pairs;
    struct sock t = { .kind = SK_SOCKET, .domain = domain, .type = base, .pair = atomic_fetch_add(&pairs, 1) + 1 };
    bool ce = type & LX_O_CLOEXEC;
    int fl = LX_O_RDWR | (type & LX_O_NONBLOCK);
    int f0 = install(p->fs, h[0], fl, LX_S_IFSOCK, &t, ce);
    if (f0 < 0) {
        host_close(h[1]);
        return f0;
    }
    t.end = 1;
    int f1 = install(p->fs, h[1], fl, LX_S_IFSOCK, &t, ce);
    if (f1 < 0) {
        fs_close(p->fs, f0);
        return f1;
    }
    st32(b, (uint32_t)f0);
    st32(b + 4, (uint32_t)f1);
    if ((r = mem_write(p->as, a[3], b, 8)) < 0) {
        fs_close(p->fs, f0);
        fs_close(p->fs, f1);
    }
    return r;
}

static int family_check(const struct sock *s, const struct host_sockaddr *sa)
{
    if (sa->family == s->domain)
        return 0;
    /* An IPv6 socket takes IPv6 addresses only; Linux says EINVAL/EAFNOSUPPORT. */
    return s->domain == LX_AF_UNIX ? -LX_EINVAL : -LX_EAFNOSUPPORT;
}

long sys_bind(struct proc *p, const uint64_t *a)
{
    struct file *f;
    struct host_sockaddr sa;
    int r = sock_of(p, (int)a[0], SK_SOCKET, &f);
    if (r < 0 || (r = addr_in(p, a[1], a[2], &sa)) < 0)
        return r;
    struct sock *s = f->sock;
    if ((r = family_check(s, &sa)) < 0)
        return r;
    if (s->domain != LX_AF_UNIX) {
        if (!net_granted(p->fs, NET_LISTEN, &sa))
            return -LX_EACCES;
        if ((r = host_bind(f->fd, &sa)) == 0)
            s->bound = true;
        return r;
    }
    if (sa.path_len == 0)
        return host_bind(f->fd, &sa);          /* autobind: an unnamed-like name */
    if (!sa.path[0]) {
        if ((r = abstract_in(p->fs, &sa)) < 0)
            return r;
        return host_bind(f->fd, &sa);
    }
    char path[sizeof sa.path + 1];
    if ((r = unix_path(&sa, path)) < 0)
        return r;
    int h = f->fd;
    if ((r = fs_unix_at(p->fs, path, true, bind_cb, &h)) < 0)
        return r;
    free(s->upath);
    s->upath = strdup(path);
    return 0;
}

long sys_listen(struct proc *p, const uint64_t *a)
{
    struct file *f;
    int r = sock_of(p, (int)a[0], SK_SOCKET, &f);
    if (r < 0)
        return r;
    /* An unbound socket would listen on a port nobody granted. */
    if (f->sock->domain != LX_AF_UNIX && !f->sock->bound)
        return -LX_EACCES;
    int backlog = (int)a[1];
    return host_listen(f->fd, backlog < 0 ? 0 : backlog > 4096 ? 4096 : backlog);
}

static long do_accept(struct proc *p, int fd, uint64_t addr, uint64_t lenp, int flags)
{
    struct file *f;
    int r = sock_of(p, fd, SK_SOCKET, &f);
    if (r < 0)
        return r;
    if (flags & ~(LX_O_NONBLOCK | LX_O_CLOEXEC))
        return -LX_EINVAL;
    if (f->sock->type == LX_SOCK_DGRAM)
        return -LX_EOPNOTSUPP;
    if ((r = wait_ready(p, f, LX_POLLIN, 0)) < 0)
        return r;
    if (!(f = fd_file(p->fs, fd)) || !f->sock)
        return -LX_EBADF;      /* closed while we waited */
    struct host_sockaddr peer;
    int h = host_accept(f->fd, &peer, flags);
    if (h < 0)
        return h;
    struct sock t = *f->sock;
    t.bound = false;
    t.npeers = t.next_peer = 0;
    t.pair = 0;
    int nfd = install(p->fs, h, LX_O_RDWR | (flags & LX_O_NONBLOCK), LX_S_IFSOCK, &t, flags & LX_O_CLOEXEC);
    if (nfd < 0)
        return nfd;
    unix_out(p->fs, NULL, &peer);
    if ((r = addr_out(p, addr, lenp, &peer)) < 0) {
        fs_close(p->fs, nfd);
        return r;
    }
    return nfd;
}

long sys_accept(struct proc *p, const uint64_t *a) { return do_accept(p, (int)a[0], a[1], a[2], 0); }
long sys_accept4(struct proc *p, const uint64_t *a) { return do_accept(p, (int)a[0], a[1], a[2], (int)a[3]); }

/* connect on a host socket; a blocking one waits without the run lock. */
static int inet_connect(struct proc *p, struct file *f, const struct host_sockaddr *sa)
{
    if ((f->flags & LX_O_NONBLOCK) || proc_live_threads(p) <= 1 || f->sock->type != LX_SOCK_STREAM)
        return host_connect(f->fd, sa);
    int r = host_setfl(f->fd, f->flags | LX_O_NONBLOCK);
    if (r < 0)
        return r;
    r = host_connect(f->fd, sa);
    if (r == -LX_EINPROGRESS) {
        struct host_pollfd hp = { f->fd, LX_POLLOUT, 0 };
        f->refs++;
        r = proc_poll(p, &hp, 1, -1);
        if (r >= 0) {
            int err = 0;
            r = host_getsockopt_int(f->fd, LX_SOL_SOCKET, LX_SO_ERROR, &err);
            if (r == 0)
                r = -err;
        }
        host_setfl(f->fd, f->flags);
        file_unref(f);
        return r;
    }
    host_setfl(f->fd, f->flags);
    return r;
}

long sys_connect(struct proc *p, const uint64_t *a)
{
    struct file *f;
    struct host_sockaddr sa;
    int r = sock_of(p, (int)a[0], SK_SOCKET, &f);
    if (r < 0 || (r = addr_in(p, a[1], a[2], &sa)) < 0)
        return r;
    struct sock *s = f->sock;
    if (sa.family == LX_AF_UNSPEC && s->type == LX_SOCK_DGRAM)
        return host_connect(f->fd, &sa);      /* dissolves the association */
    if ((r = family_check(s, &sa)) < 0)
        return r;
    if (s->domain != LX_AF_UNIX) {
        if (!net_granted(p->fs, NET_CONNECT, &sa))
            return -LX_EACCES;
        return inet_connect(p, f, &sa);
    }
    if (sa.path_len == 0)
        return -LX_EINVAL;
    if (!sa.path[0]) {
        if ((r = abstract_in(p->fs, &sa)) < 0)
            return r;
        return host_connect(f->fd, &sa);
    }
    char path[sizeof sa.path + 1];
    if ((r = unix_path(&sa, path)) < 0)
        return r;
    int h = f->fd;
    if ((r = fs_unix_at(p->fs, path, false, connect_cb, &h)) < 0)
        return r;
    free(s->upeer);
    s->upeer = strdup(path);
    return 0;
}

static long name_of(struct proc *p, const uint64_t *a, bool peer)
{
    struct file *f;
    struct host_sockaddr sa;
    int r = sock_of(p, (int)a[0], SK_SOCKET, &f);
    if (r < 0)
        return r;
    if ((r = peer ? host_getpeername(f->fd, &sa) : host_getsockname(f->fd, &sa)) < 0)
        return r;
    unix_out(p->fs, peer ? f->sock->upeer : f->sock->upath, &sa);
    return addr_out(p, a[1], a[2], &sa);
}

long sys_getsockname(struct proc *p, const uint64_t *a) { return name_of(p, a, false); }
long sys_getpeername(struct proc *p, const uint64_t *a) { return name_of(p, a, true); }

long sys_shutdown(struct proc *p, const uint64_t *a)
{
    struct file *f;
    int r = sock_of(p, (int)a[0], SK_SOCKET, &f);
    return r < 0 ? r : host_shutdown(f->fd, (int)a[1]);
}

/* ------------------------------------------------------------ messages */

/* An iovec array as sendmsg/recvmsg take it: more than 1024 entries is
 * EMSGSIZE there (EINVAL for readv and writev). */
static long iov_in(struct proc *p, uint64_t va, uint64_t cnt, struct seg **out, uint64_t *total)
{
    return cnt > 1024 ? -LX_EMSGSIZE : sys_iov_in(p, va, cnt, out, total);
}

/* Gathers up to max bytes of the segments into buf. */
static int gather(struct proc *p, const struct seg *v, int n, uint8_t *buf, size_t max)
{
    size_t off = 0;
    for (int i = 0; i < n && off < max; i++) {
        size_t k = v[i].len < max - off ? (size_t)v[i].len : max - off;
        int r = mem_read(p->as, v[i].va, buf + off, k);
        if (r < 0)
            return r;
        off += k;
    }
    return 0;
}

static int scatter(struct proc *p, const struct seg *v, int n, const uint8_t *buf, size_t len)
{
    size_t off = 0;
    for (int i = 0; i < n && off < len; i++) {
        size_t k = v[i].len < len - off ? (size_t)v[i].len : len - off;
        int r = mem_write(p->as, v[i].va, buf + off, k);
        if (r < 0)
            return r;
        off += k;
    }
    return 0;
}

static bool same_peer(const struct host_sockaddr *x, const struct host_sockaddr *y)
{
    int fx, fy;
    uint8_t ix[16], iy[16];
    normalize(x, &fx, ix);
    normalize(y, &fy, iy);
    return fx == fy && x->port == y->port && memcmp(ix, iy, 16) == 0;
}

static void note_peer(struct sock *s, const struct host_sockaddr *a)
{
    if (a->family != LX_AF_INET && a->family != LX_AF_INET6)
        return;
    for (int i = 0; i < s->npeers; i++)
        if (same_peer(&s->peers[i], a))
            return;
    s->peers[s->next_peer] = *a;
    s->next_peer = (s->next_peer + 1) % PEERS;
    if (s->npeers < PEERS)
        s->npeers++;
}

/* May the guest send to this address? (after its abstract name is ours) */
static int send_to_check(struct proc *p, struct sock *s, struct host_sockaddr *to)
{
    int r = family_check(s, to);
    if (r < 0)
        return r;
    if (s->domain == LX_AF_UNIX) {
        if (to->path_len && !to->path[0])
            return abstract_in(p->fs, to);
        return -LX_EOPNOTSUPP;     /* pathname datagrams: connect first */
    }
    if (net_granted(p->fs, NET_CONNECT, to))
        return 0;
    for (int i = 0; i < s->npeers; i++)
        if (same_peer(&s->peers[i], to))
            return 0;              /* a reply to whoever wrote to us */
    return -LX_EACCES;
}

/* Guest fds named by SCM_RIGHTS to host handles (not owned). */
static int rights_in(struct proc *p, uint64_t ctl, uint64_t clen, int *hfds, int *n)
{
    *n = 0;
    if (!ctl || clen == 0)
        return 0;
    if (clen > 16384)
        return -LX_ENOBUFS;
    uint8_t *b = malloc((size_t)clen);
    if (!b)
        return -LX_ENOMEM;
    int r = mem_read(p->as, ctl, b, (size_t)clen);
    for (uint64_t off = 0; r == 0 && off + 16 <= clen;) {
        uint64_t len = ld64(b + off);
        int level = (int32_t)ld32(b + off + 8), type = (int32_t)ld32(b + off + 12);
        if (len < 16 || len > clen - off) {
            r = -LX_EINVAL;
            break;
        }
        if (level != LX_SOL_SOCKET || type != LX_SCM_RIGHTS) {
            r = -LX_EINVAL;
            break;
        }
        for (uint64_t i = 0; i < (len - 16) / 4; i++) {
            int gfd = (int32_t)ld32(b + off + 16 + 4 * i);
            struct file *f = fd_file(p->fs, gfd);
            if (!f || f->fd < 0 || (f->flags & LX_O_PATH)) {
                r = -LX_EBADF;
                break;
            }
            /* A directory handle would be a root the receiver's sandbox
               does not know: it stays home. */
            if (f->type == LX_S_IFDIR || *n >= MAX_FDS) {
                r = -LX_EINVAL;
                break;
            }
            hfds[(*n)++] = f->fd;
        }
        off += (len + 7) & ~(uint64_t)7;
    }
    free(b);
    return r;
}

/* Received host handles into the guest's table, written as one SCM_RIGHTS. */
static int rights_out(struct proc *p, uint64_t ctl, uint64_t clen, int *hfds, int n, bool cloexec,
                      uint64_t *used, int *mflags)
{
    *used = 0;
    int fit = clen >= 16 ? (int)((clen - 16) / 4) : 0;
    if (fit > n)
        fit = n;
    uint8_t b[16 + 4 * MAX_FDS];
    int k = 0;
    for (int i = 0; i < n; i++) {
        struct host_stat st;
        uint32_t t = host_fstat(hfds[i], &st) == 0 ? (st.mode & LX_S_IFMT) : 0;
        if (k >= fit || t == LX_S_IFDIR || t == LX_S_IFLNK) {
            host_close(hfds[i]);
            *mflags |= LX_MSG_CTRUNC;
            continue;
        }
        struct sock tmpl = { 0 };
        struct sock *sp = NULL;
        if (t == LX_S_IFSOCK) {
            struct host_sockaddr sa;
            int ty = LX_SOCK_STREAM;
            host_getsockopt_int(hfds[i], LX_SOL_SOCKET, LX_SO_TYPE, &ty);
            tmpl.kind = SK_SOCKET;
            tmpl.timeo = true;         /* whatever the sender set on it */
            tmpl.domain = host_getsockname(hfds[i], &sa) == 0 ? sa.family : LX_AF_UNIX;
            tmpl.type = ty;
            sp = &tmpl;
        }
        int fl = host_getfl(hfds[i]);
        if (fl < 0)
            fl = LX_O_RDWR;
        int gfd;
        if (sp) {
            gfd = install(p->fs, hfds[i], fl, t, sp, cloexec);
        } else {
            int slot = fd_alloc(p->fs, 0);
            struct file *f = slot >= 0 ? file_new(hfds[i], -1, fl, t, NULL) : NULL;
            if (!f) {
                host_close(hfds[i]);
                gfd = slot < 0 ? slot : -LX_ENOMEM;
            } else {
                /* Where it came from is unknown here: no metadata changes. */
                f->ro = true;
                p->fs->fds[slot] = (struct fd_slot){ .f = f, .cloexec = cloexec };
                gfd = slot;
            }
        }
        if (gfd < 0) {
            *mflags |= LX_MSG_CTRUNC;
            continue;
        }
        st32(b + 16 + 4 * k++, (uint32_t)gfd);
    }
    if (k == 0)
        return 0;
    st64(b, 16 + 4 * (uint64_t)k);
    st32(b + 8, LX_SOL_SOCKET);
    st32(b + 12, LX_SCM_RIGHTS);
    *used = (16 + 4 * (uint64_t)k + 7) & ~(uint64_t)7;
    if (*used > clen)
        *used = clen;
    return mem_write(p->as, ctl, b, 16 + 4 * (size_t)k);
}

static long do_send(struct proc *p, int fd, const struct seg *v, int nv, uint64_t total, int flags,
                    struct host_sockaddr *to, const int *hfds, int nfds)
{
    struct file *f;
    int r = sock_of(p, fd, SK_SOCKET, &f);
    if (r < 0)
        return r;
    struct sock *s = f->sock;
    if (to && s->type == LX_SOCK_STREAM)
        to = NULL;                /* ignored on a connected stream, as Linux does */
    if (to && (r = send_to_check(p, s, to)) < 0)
        return r;
    size_t len = total > MAX_IO ? MAX_IO : (size_t)total;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return -LX_ENOMEM;
    long n = gather(p, v, nv, buf, len);
    int hflags = flags & ~(LX_MSG_NOSIGNAL | LX_MSG_CMSG_CLOEXEC);
    if (n == 0 && ((f->flags & LX_O_NONBLOCK) || (flags & LX_MSG_DONTWAIT) || proc_live_threads(p) <= 1)) {
        n = host_sendmsg(f->fd, buf, len, hflags, to, hfds, nfds);
    } else if (n == 0) {
        /* Others could run: never block on the host holding the run lock
         * (a thread of ours may be the reader that makes room). Wait for
         * room without it, send what fits, and go on until all is sent,
         * as a blocking send does. */
        size_t done = 0;
        f->refs++;
        for (bool wait = false;; wait = true) {
            /* Try first: a send that fits costs one host call. */
            long w = wait ? wait_ready(p, f, LX_POLLOUT, flags) : 0;
            long k = w < 0 ? w : host_sendmsg(f->fd, buf + done, len - done, hflags | LX_MSG_DONTWAIT, to,
                                              done ? NULL : hfds, done ? 0 : nfds);
            if (k == -LX_EAGAIN && w == 0)
                continue;
            if (k < 0) {
                n = done ? (long)done : k;
                break;
            }
            done += (size_t)k;
            if (done == len || s->type != LX_SOCK_STREAM) {
                n = (long)done;
                break;
            }
        }
        file_unref(f);
    }
    free(buf);
    if (n == -LX_EPIPE && !(flags & LX_MSG_NOSIGNAL))
        sys_signal_self(p, LX_SIGPIPE);
    return n;
}

/* Receives one message; from/hfds as host_recvmsg. */
static long do_recv(struct proc *p, int fd, const struct seg *v, int nv, uint64_t total, int flags,
                    struct host_sockaddr *from, int *hfds, int *nfds, int *mflags)
{
    struct file *f;
    int r = sock_of(p, fd, SK_SOCKET, &f);
    if (r < 0)
        return r;
    if ((r = wait_ready(p, f, LX_POLLIN, flags)) < 0)
        return r;
    if (!(f = fd_file(p->fs, fd)) || !f->sock)
        return -LX_EBADF;
    size_t len = total > MAX_IO ? MAX_IO : (size_t)total;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return -LX_ENOMEM;
    long n = host_recvmsg(f->fd, buf, len, flags & ~LX_MSG_CMSG_CLOEXEC, from, hfds, nfds, mflags);
    if (n > 0) {
        size_t k = (size_t)n < len ? (size_t)n : len;   /* MSG_TRUNC reports the full size */
        int e = scatter(p, v, nv, buf, k);
        if (e < 0)
            n = e;
    }
    free(buf);
    if (n >= 0 && from && f->sock->type == LX_SOCK_DGRAM)
        note_peer(f->sock, from);
    if (from)
        unix_out(p->fs, f->sock->upeer, from);
    return n;
}

long sys_sendto(struct proc *p, const uint64_t *a)
{
    struct seg s = { a[1], a[2] };
    struct host_sockaddr to;
    int r = a[4] ? addr_in(p, a[4], a[5], &to) : 0;
    if (r < 0)
        return r;
    return do_send(p, (int)a[0], &s, 1, a[2], (int)a[3], a[4] ? &to : NULL, NULL, 0);
}

long sys_recvfrom(struct proc *p, const uint64_t *a)
{
    struct seg s = { a[1], a[2] };
    struct host_sockaddr from;
    int mf = 0;
    long n = do_recv(p, (int)a[0], &s, 1, a[2], (int)a[3], &from, NULL, NULL, &mf);
    if (n >= 0 && a[4]) {
        int r = addr_out(p, a[4], a[5], &from);
        if (r < 0)
            return r;
    }
    return n;
}

/* struct msghdr (riscv64, 56 bytes): name, namelen, iov, iovlen, control, controllen, flags. */
long sys_sendmsg(struct proc *p, const uint64_t *a)
{
    uint8_t m[56];
    int r = mem_read(p->as, a[1], m, sizeof m);
    if (r < 0)
        return r;
    uint64_t name = ld64(m), namelen = ld32(m + 8), iov = ld64(m + 16), iovlen = ld64(m + 24);
    uint64_t ctl = ld64(m + 32), ctllen = ld64(m + 40);
    struct host_sockaddr to;
    if (name && namelen && (r = addr_in(p, name, namelen, &to)) < 0)
        return r;
    struct seg *v;
    uint64_t total;
    if ((r = iov_in(p, iov, iovlen, &v, &total)) < 0)
        return r;
    int *hfds = malloc(MAX_FDS * sizeof *hfds), nfds = 0;
    long n = hfds ? rights_in(p, ctl, ctllen, hfds, &nfds) : -LX_ENOMEM;
    if (n == 0)
        n = do_send(p, (int)a[0], v, (int)iovlen, total, (int)a[2], name && namelen ? &to : NULL, hfds, nfds);
    free(hfds);
    free(v);
    return n;
}

long sys_recvmsg(struct proc *p, const uint64_t *a)
{
    uint8_t m[56];
    int r = mem_read(p->as, a[1], m, sizeof m);
    if (r < 0)
        return r;
    uint64_t name = ld64(m), namelen = ld32(m + 8), iov = ld64(m + 16), iovlen = ld64(m + 24);
    uint64_t ctl = ld64(m + 32), ctllen = ld64(m + 40);
    int flags = (int)a[2];
    struct seg *v;
    uint64_t total;
    if ((r = iov_in(p, iov, iovlen, &v, &total)) < 0)
        return r;
    int *hfds = malloc(MAX_FDS * sizeof *hfds);
    int nfds = ctl && ctllen > 16 ? MAX_FDS : 0, mf = 0;
    struct host_sockaddr from;
    long n = hfds ? do_recv(p, (int)a[0], v, (int)iovlen, total, flags, &from, hfds, &nfds, &mf) : -LX_ENOMEM;
    free(v);
    if (n < 0) {
        free(hfds);
        return n;
    }
    mf |= flags & LX_MSG_CMSG_CLOEXEC;     /* Linux reports it back in msg_flags */
    uint64_t used = 0;
    r = rights_out(p, ctl, ctllen, hfds, nfds, (flags & LX_MSG_CMSG_CLOEXEC) != 0, &used, &mf);
    free(hfds);
    if (r < 0)
        return r;
    /* namelen, controllen and flags go back into the guest's msghdr. */
    if (name && namelen) {
        /* addr_out reads the room from msg_namelen and writes the length there. */
        if ((r = addr_out(p, name, a[1] + 8, &from)) < 0)
            return r;
    } else {
        st32(m + 8, 0);
        if ((r = mem_write(p->as, a[1] + 8, m + 8, 4)) < 0)
            return r;
    }
    st64(m + 40, used);
    st32(m + 48, (uint32_t)mf);
    if ((r = mem_write(p->as, a[1] + 40, m + 40, 12)) < 0)
        return r;
    return n;
}

/* ------------------------------------------------------------- options */

static bool pair_opt(int level, int name)
{
    return level == LX_SOL_SOCKET && (name == LX_SO_LINGER || name == LX_SO_RCVTIMEO || name == LX_SO_SNDTIMEO ||
                                      name == 66 || name == 67);   /* SO_RCVTIMEO_NEW, SO_SNDTIMEO_NEW */
}

long sys_setsockopt(struct proc *p, const uint64_t *a)
{
    struct file *f;
    int r = sock_of(p, (int)a[0], SK_SOCKET, &f);
    if (r < 0)
        return r;
    int level = (int)a[1], name = (int)a[2];
    uint64_t len = (uint32_t)a[4];
    uint8_t b[16];
    if (pair_opt(level, name)) {
        bool linger = name == LX_SO_LINGER;
        if (len < (linger ? 8u : 16u))
            return -LX_EINVAL;
        if ((r = mem_read(p->as, a[3], b, linger ? 8 : 16)) < 0)
            return r;
        if (linger)
            return host_setsockopt_pair(f->fd, level, name, (int32_t)ld32(b), (int32_t)ld32(b + 4));
        int64_t sec = (int64_t)ld64(b), usec = (int64_t)ld64(b + 8);
        if (sec < 0 || usec < 0 || usec >= 1000000)
            return -LX_EDOM;
        f->sock->timeo = true;
        return host_setsockopt_pair(f->fd, level, name == 66 ? LX_SO_RCVTIMEO : name == 67 ? LX_SO_SNDTIMEO : name,
                                    sec, usec);
    }
    if (len < 4)
        return -LX_EINVAL;
    if ((r = mem_read(p->as, a[3], b, 4)) < 0)
        return r;
    if (level == LX_SOL_SOCKET && (name == LX_SO_TYPE || name == LX_SO_ERROR || name == LX_SO_ACCEPTCONN ||
                                   name == LX_SO_DOMAIN || name == LX_SO_PROTOCOL))
        return -LX_ENOPROTOOPT;
    if ((level == LX_IPPROTO_TCP && f->sock->type != LX_SOCK_STREAM) ||
        (level == LX_IPPROTO_IPV6 && f->sock->domain != LX_AF_INET6))
        return -LX_ENOPROTOOPT;
    return host_setsockopt_int(f->fd, level, name, (int32_t)ld32(b));
}

long sys_getsockopt(struct proc *p, const uint64_t *a)
{
    struct file *f;
    int r = sock_of(p, (int)a[0], SK_SOCKET, &f);
    if (r < 0)
        return r;
    int level = (int)a[1], name = (int)a[2];
    uint8_t lb[4], b[16];
    if ((r = mem_read(p->as, a[4], lb, 4)) < 0)
        return r;
    int32_t have = (int32_t)ld32(lb);
    if (have < 0)
        return -LX_EINVAL;
    size_t n = 4;
    struct sock *s = f->sock;
    if (pair_opt(level, name)) {
        int64_t x, y;
        int hn = name == 66 ? LX_SO_RCVTIMEO : name == 67 ? LX_SO_SNDTIMEO : name;
        if ((r = host_getsockopt_pair(f->fd, level, hn, &x, &y)) < 0)
            return r;
        if (name == LX_SO_LINGER) {
            st32(b, (uint32_t)x);
            st32(b + 4, (uint32_t)y);
            n = 8;
        } else {
            st64(b, (uint64_t)x);
            st64(b + 8, (uint64_t)y);
            n = 16;
        }
    } else {
        int v;
        if (level == LX_SOL_SOCKET && name == LX_SO_TYPE)
            v = s->type;
        else if (level == LX_SOL_SOCKET && name == LX_SO_DOMAIN)
            v = s->domain;
        else if (level == LX_SOL_SOCKET && name == LX_SO_PROTOCOL)
            v = s->protocol;
        else if ((level == LX_IPPROTO_TCP && s->type != LX_SOCK_STREAM) ||
                 (level == LX_IPPROTO_IPV6 && s->domain != LX_AF_INET6))
            return -LX_ENOPROTOOPT;
        else if ((r = host_getsockopt_int(f->fd, level, name, &v)) < 0)
            return r;
        st32(b, (uint32_t)v);
    }
    size_t k = (size_t)have < n ? (size_t)have : n;
    if (k && (r = mem_write(p->as, a[3], b, k)) < 0)
        return r;
    st32(lb, (uint32_t)n);
    return mem_write(p->as, a[4], lb, 4);
}

/* ------------------------------------------------------- event objects */

long sys_eventfd2(struct proc *p, const uint64_t *a)
{
    int flags = (int)a[1];
    if (flags & ~(1 | LX_O_NONBLOCK | LX_O_CLOEXEC))
        return -LX_EINVAL;
    int h = host_eventfd((unsigned)a[0], flags);
    if (h < 0)
        return h;
    struct sock t = { .kind = SK_EVENTFD, .eflags = flags & 1 };    /* EFD_SEMAPHORE */
    return install(p->fs, h, LX_O_RDWR | (flags & LX_O_NONBLOCK), 0, &t, flags & LX_O_CLOEXEC);
}

long sys_epoll_create1(struct proc *p, const uint64_t *a)
{
    int flags = (int)a[0];
    if (flags & ~LX_O_CLOEXEC)
        return -LX_EINVAL;
    int h = host_epoll_create(flags);
    if (h < 0)
        return h;
    struct sock t = { .kind = SK_EPOLL };
    return install(p->fs, h, LX_O_RDWR, 0, &t, flags & LX_O_CLOEXEC);
}

long sys_epoll_ctl(struct proc *p, const uint64_t *a)
{
    struct file *ep, *f;
    int op = (int)a[1], r;
    if (!(ep = fd_file(p->fs, (int)a[0])) || !(f = fd_file(p->fs, (int)a[2])))
        return -LX_EBADF;
    if (!ep->sock || ep->sock->kind != SK_EPOLL || ep == f)
        return -LX_EINVAL;
    if (f->fd < 0 || f->type == LX_S_IFREG || f->type == LX_S_IFDIR || (f->flags & LX_O_PATH))
        return -LX_EPERM;     /* what Linux says for files that cannot be polled */
    uint32_t events = 0;
    uint64_t data = 0;
    if (op != 2) {
        uint8_t b[16];
        if ((r = mem_read(p->as, a[3], b, 16)) < 0)
            return r;
        events = ld32(b);
        data = ld64(b + 8);
    }
    return host_epoll_ctl(ep->fd, op, f->fd, events, data);
}

static long epoll_wait_ms(struct proc *p, int epfd, uint64_t va, int max, int ms)
{
    struct file *ep = fd_file(p->fs, epfd);
    if (!ep)
        return -LX_EBADF;
    if (!ep->sock || ep->sock->kind != SK_EPOLL || max <= 0 || max > INT_MAX / 16)
        return -LX_EINVAL;
    if (max > 1024)
        max = 1024;
    struct host_epoll_event *ev = malloc((size_t)max * sizeof *ev);
    if (!ev)
        return -LX_ENOMEM;
    long n;
    if (proc_live_threads(p) <= 1 || ms == 0) {
        n = host_epoll_wait(ep->fd, ev, max, ms);
    } else {
        /* Wait on the epoll handle itself without the run lock, then collect. */
        uint64_t deadline = ms < 0 ? UINT64_MAX : host_time_monotonic_ns() + (uint64_t)ms * 1000000u;
        ep->refs++;
        for (;;) {
            uint64_t now = host_time_monotonic_ns();
            int left = ms < 0 ? -1 : now >= deadline ? 0 : (int)((deadline - now + 999999) / 1000000);
            struct host_pollfd hp = { ep->fd, LX_POLLIN, 0 };
            n = proc_poll(p, &hp, 1, left);
            if (n < 0)
                break;
            n = host_epoll_wait(ep->fd, ev, max, 0);
            if (n != 0 || left == 0)
                break;
        }
        file_unref(ep);
    }
    if (n > 0) {
        uint8_t *b = malloc((size_t)n * 16);
        if (!b) {
            free(ev);
            return -LX_ENOMEM;
        }
        for (long i = 0; i < n; i++) {
            st32(b + 16 * i, ev[i].events);
            st32(b + 16 * i + 4, 0);
            st64(b + 16 * i + 8, ev[i].data);
        }
        int r = mem_write(p->as, va, b, (size_t)n * 16);
        free(b);
        if (r < 0)
            n = r;
    }
    free(ev);
    return n;
}

long sys_epoll_pwait(struct proc *p, const uint64_t *a)
{
    int ms = (int)a[3];
    return epoll_wait_ms(p, (int)a[0], a[1], (int)a[2], ms < 0 ? -1 : ms);
}

long sys_epoll_pwait2(struct proc *p, const uint64_t *a)
{
    int ms = -1;
    if (a[3]) {
        uint8_t b[16];
        int r = mem_read(p->as, a[3], b, 16);
        if (r < 0)
            return r;
        int64_t sec = (int64_t)ld64(b), nsec = (int64_t)ld64(b + 8);
        if (sec < 0 || nsec < 0 || nsec >= 1000000000)
            return -LX_EINVAL;
        uint64_t t = (uint64_t)sec * 1000 + (uint64_t)(nsec + 999999) / 1000000;
        ms = sec > INT32_MAX / 1000 || t > INT32_MAX ? INT32_MAX : (int)t;
    }
    return epoll_wait_ms(p, (int)a[0], a[1], (int)a[2], ms);
}

long sys_timerfd_create(struct proc *p, const uint64_t *a)
{
    int flags = (int)a[1];
    if (flags & ~(LX_O_NONBLOCK | LX_O_CLOEXEC))
        return -LX_EINVAL;
    int h = host_timerfd_create((int)a[0], flags);
    if (h < 0)
        return h;
    struct sock t = { .kind = SK_TIMERFD, .eflags = (int)a[0] };    /* the clock */
    return install(p->fs, h, LX_O_RDWR | (flags & LX_O_NONBLOCK), 0, &t, flags & LX_O_CLOEXEC);
}

static int its_write(struct proc *p, uint64_t va, const int64_t v[4])
{
    uint8_t b[32];
    for (int i = 0; i < 4; i++)
        st64(b + 8 * i, (uint64_t)v[i]);
    return mem_write(p->as, va, b, 32);
}

long sys_timerfd_settime(struct proc *p, const uint64_t *a)
{
    struct file *f;
    int r = sock_of(p, (int)a[0], SK_TIMERFD, &f);
    if (r < 0)
        return r == -LX_EBADF ? r : -LX_EINVAL;
    if ((int)a[1] & ~3)
        return -LX_EINVAL;
    uint8_t b[32];
    if ((r = mem_read(p->as, a[2], b, 32)) < 0)
        return r;
    int64_t nw[4], old[4];
    for (int i = 0; i < 4; i++)
        nw[i] = (int64_t)ld64(b + 8 * i);
    if (nw[0] < 0 || nw[2] < 0 || nw[1] < 0 || nw[1] >= 1000000000 || nw[3] < 0 || nw[3] >= 1000000000)
        return -LX_EINVAL;
    if ((r = host_timerfd_settime(f->fd, (int)a[1], nw, old)) < 0)
        return r;
    return a[3] ? its_write(p, a[3], old) : 0;
}

long sys_timerfd_gettime(struct proc *p, const uint64_t *a)
{
    struct file *f;
    int r = sock_of(p, (int)a[0], SK_TIMERFD, &f);
    if (r < 0)
        return r == -LX_EBADF ? r : -LX_EINVAL;
    int64_t cur[4];
    if ((r = host_timerfd_gettime(f->fd, cur)) < 0)
        return r;
    return its_write(p, a[1], cur);
}
